#!/bin/sh
# Builds lightapid out of tree and runs every test: unit tests, fuzz corpus
# replays and the black-box suite. Ends with "N passed, N failed".
#   BUILD_DIR        build directory (default: build)
#   CONFIGURE_FLAGS  extra ./configure flags (e.g. --enable-asan)
#   --no-deps        do not install packages first
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = "--no-deps" ] || "$top/tests/deps.sh"
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null
build=${BUILD_DIR:-build}
# After the README's first command the tree is configured in place, and
# automake refuses a second, out-of-tree build: reuse the in-tree one.
[ -z "${BUILD_DIR:-}" ] && [ -f config.status ] && build=.
mkdir -p "$build"
cd "$build"
# shellcheck disable=SC2086
"$top/configure" -q ${CONFIGURE_FLAGS:-}
make -s -j2
set +e
make -s -j2 check >check.out 2>&1
rc=$?
set -e
grep -E '^(PASS|FAIL|ERROR|XPASS|# )' check.out | grep -v '^# ' || true
for f in $(grep -lE '^(FAIL|ERROR|XPASS)' $(find . -name '*.log' -path './tests/*') 2>/dev/null); do
	echo "---- $f"
	grep -E '^(not ok|#)' "$f" | head -40
done
# The black-box suite's passes, one per database engine, with their times.
grep -hE '^# (sqlite|postgresql|mysql) pass' tests/run-pytest.log 2>/dev/null || true
pass=$(sed -n 's/^# PASS: *//p' check.out | tail -n 1)
fail=$(sed -n 's/^# FAIL: *//p' check.out | tail -n 1)
err=$(sed -n 's/^# ERROR: *//p' check.out | tail -n 1)
xpass=$(sed -n 's/^# XPASS: *//p' check.out | tail -n 1)
fail=$(( ${fail:-0} + ${err:-0} + ${xpass:-0} ))
[ -n "$pass" ] || { tail -n 30 check.out; fail=$((fail + 1)); pass=0; }
[ "$rc" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
