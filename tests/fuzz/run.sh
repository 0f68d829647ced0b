#!/bin/sh
# Runs every libFuzzer target (a --enable-fuzzers build: make fuzz) for
# SECONDS each, two at a time, on a copy of its seed corpus, then merges
# what it found into tests/fuzz/corpus/NAME (minimised: only inputs that
# add coverage). Prints each target's executions and coverage; a crash
# leaves its input in fuzz-out/NAME/ and fails the run. Inputs are capped
# at 8 KiB: larger ones (a YAML alias bomb in the corpus) only slow each
# execution without reaching new code.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
set -u
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"http json yaml jwt query datetime decimal uuid url dburl users headers"}
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${top_builddir:-.}/tests/fuzz
out=${FUZZ_OUT:-fuzz-out}
jobs=${FUZZ_JOBS:-2}
status=0

run_one() {
	t=$1
	mkdir -p "$out/$t/work" "$out/$t/crash"
	cp "$top/tests/fuzz/corpus/$t/"* "$out/$t/work/" 2>/dev/null
	"$bin/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$out/$t/crash/" -max_len=8192 \
	    "$out/$t/work" >"$out/$t/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t/log")
	cov=$(grep -o 'cov: [0-9]*' "$out/$t/log" | tail -n 1)
	"$bin/fuzz_$t" -merge=1 "$top/tests/fuzz/corpus/$t" "$out/$t/work" \
	    >"$out/$t/merge.log" 2>&1
	echo "fuzz_$t: rc=$rc executions=${execs:-?} ${cov:-cov: ?} corpus=$(ls "$top/tests/fuzz/corpus/$t" | wc -l)"
	return $rc
}

set -- $targets
while [ $# -gt 0 ]; do
	pids=
	i=0
	while [ $i -lt "$jobs" ] && [ $# -gt 0 ]; do
		run_one "$1" &
		pids="$pids $!"
		shift
		i=$((i + 1))
	done
	for p in $pids; do
		wait "$p" || status=1
	done
done
exit $status
