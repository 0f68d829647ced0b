#!/bin/sh
# Replays every fuzz target over its seed corpus (tests/fuzz/corpus/NAME)
# and reports one TAP line per input, so a crash names its file.
n=0
status=0
for target in http json yaml jwt query datetime decimal uuid url dburl users headers sqlparam; do
	bin="${top_builddir:-.}/tests/fuzz/fuzz_$target"
	dir="${top_srcdir:-.}/tests/fuzz/corpus/$target"
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if "$bin" "$f" >/dev/null 2>"${TMPDIR:-/tmp}/fuzz-replay.$$"; then
			echo "ok $n - fuzz_$target $(basename "$f")"
		else
			echo "not ok $n - fuzz_$target $(basename "$f")"
			sed 's/^/# /' "${TMPDIR:-/tmp}/fuzz-replay.$$" | head -20
			status=1
		fi
	done
done
rm -f "${TMPDIR:-/tmp}/fuzz-replay.$$"
echo "1..$n"
exit $status
