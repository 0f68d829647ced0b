#!/bin/sh
# Runs the black-box pytest suite (tests/func) and reports it as TAP for
# automake's tap-driver.  Environment from `make check`: LIGHTAPID,
# top_srcdir, top_builddir, PYTHON3.  pytest's full output is kept in
# $top_builddir/tests/func-pytest.log.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
log=$top_builddir/tests/func-pytest.log
mkdir -p "$top_builddir/tests"

bail() {
	echo "not ok 1 - tests/func: $1"
	if [ -s "$log" ]; then
		grep -v '^PASSED ' "$log" | tail -n 80 | sed 's/^/# /'
	fi
	echo "1..1"
	exit 0
}

# PYTHON3 may be an interpreter without pytest (a pyenv shim, say): take the
# first one that can import it.
python=
for cand in /usr/bin/python3 "${PYTHON3:-}" python3; do
	[ -n "$cand" ] || continue
	if "$cand" -c 'import pytest' >/dev/null 2>&1; then
		python=$cand
		break
	fi
done
[ -n "$python" ] || { : >"$log"; bail "no python3 with pytest found (install python3-pytest)"; }

export LIGHTAPID PYTHONDONTWRITEBYTECODE=1
run_timeout=
if command -v timeout >/dev/null 2>&1; then
	run_timeout="timeout -k 10 900"
fi

cd "$top_srcdir" || bail "cannot cd to $top_srcdir"
$run_timeout "$python" -m pytest -p no:cacheprovider -rA -q tests/func >"$log" 2>&1
rc=$?

# pytest: 0 all passed, 1 some failed, 5 nothing collected, others crash.
case $rc in
0|1) ;;
5) bail "pytest collected no tests" ;;
124|137) bail "pytest timed out" ;;
*) bail "pytest exited with status $rc" ;;
esac

tap=$(awk '
/^=+ short test summary info =+$/ { on = 1; next }
!on { next }
/^=+ .* =+$/ { on = 0; next }
{
	word = $1
	rest = substr($0, length(word) + 2)
	if (word != "SKIPPED") {
		# Drop the " - message" that follows the node id.
		cut = index(rest, " - ")
		if (cut) rest = substr(rest, 1, cut - 1)
	}
	gsub(/#/, "\\#", rest)
	if (word == "PASSED" || word == "XPASS") {
		n++; printf "ok %d - %s\n", n, rest
	} else if (word == "FAILED" || word == "ERROR") {
		n++; printf "not ok %d - %s\n", n, rest
	} else if (word == "XFAIL") {
		n++; printf "not ok %d - %s # TODO expected failure\n", n, rest
	} else if (word == "SKIPPED") {
		# SKIPPED [count] file:line: reason
		sub(/^\[[0-9]+\] /, "", rest)
		where = rest; reason = rest
		sub(/: .*/, "", where); sub(/^[^ ]*: /, "", reason)
		n++; printf "ok %d - %s # SKIP %s\n", n, where, reason
	}
}
END { if (n) printf "1..%d\n", n }
' "$log")

[ -n "$tap" ] || bail "no test results in pytest output (status $rc)"
printf '%s\n' "$tap"
if [ $rc -ne 0 ]; then
	echo "# pytest exited with status $rc; full output in $log"
	grep -v '^PASSED ' "$log" | tail -n 80 | sed 's/^/# /'
fi
exit 0
