#!/bin/sh
# Runs the black-box pytest suite (tests/func) once per database engine and
# reports all passes as one TAP stream for automake's tap-driver; each test
# id is prefixed with its engine ("postgresql: tests/func/..."), so the
# passes add up in "N passed, N failed".
#
#   sqlite      always
#   postgresql  when `lightapid -V` lists the driver and the PostgreSQL
#   mysql       (MariaDB) server programs are installed; otherwise the pass
#               is one "# SKIP" line that says why
#
# The engine reaches the tests as LIGHTAPI_TEST_ENGINE (tests/func/conftest.py
# starts one throw-away server per pass).  LIGHTAPI_TEST_ENGINES, a space
# separated list, restricts the passes.  Environment from `make check`:
# LIGHTAPID, top_srcdir, top_builddir, PYTHON3.  pytest's full output of every
# pass is kept in $top_builddir/tests/func-pytest.log, each pass under a
# "==== ENGINE pass" line; each pass's wall time is a "# ENGINE pass: N s"
# comment line.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mkdir -p "$top_builddir/tests"
all_log=$top_builddir/tests/func-pytest.log
: >"$all_log"
engines=${LIGHTAPI_TEST_ENGINES:-sqlite postgresql mysql}
n=0

# One TAP line: ok/not ok, description; n counts across every pass.
tap() {
	n=$((n + 1))
	printf '%s %d - %s\n' "$1" "$n" "$2"
}

# A pass that could not run at all: one failing line and the log's tail.
fail_pass() {
	tap "not ok" "$1: tests/func: $2"
	if [ -s "$3" ]; then
		grep -v '^PASSED ' "$3" | tail -n 80 | sed 's/^/# /'
	fi
}

now() {
	date +%s.%N 2>/dev/null || date +%s
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
if [ -z "$python" ]; then
	fail_pass all "no python3 with pytest found (install python3-pytest)" /dev/null
	echo "1..$n"
	exit 0
fi

cd "$top_srcdir" || { fail_pass all "cannot cd to $top_srcdir" /dev/null; echo "1..$n"; exit 0; }

if [ -z "${LIGHTAPID:-}" ]; then
	for cand in "$top_builddir/src/lightapid" "$top_srcdir/src/lightapid" \
	    "$top_srcdir/build/src/lightapid"; do
		if [ -x "$cand" ]; then
			LIGHTAPID=$cand
			break
		fi
	done
fi
export LIGHTAPID PYTHONDONTWRITEBYTECODE=1
# "lightapid X.Y\ndrivers: sqlite postgresql mysql" (src/main.c, la_db_drivers)
drivers=$("${LIGHTAPID:-false}" -V 2>/dev/null | sed -n 's/^drivers: *//p')

run_timeout=
if command -v timeout >/dev/null 2>&1; then
	run_timeout="timeout -k 10 900"
fi

# Why the engine's pass cannot run here, or nothing when it can.
why_not() {
	[ "$1" = sqlite ] && return 0
	case " $drivers " in
	*" $1 "*) ;;
	*)
		echo "lightapid has no $1 driver (lightapid -V: drivers: ${drivers:-?})"
		return 0
		;;
	esac
	gone=$("$python" -c 'import sys; sys.path.insert(0, "tests/func")
import engines; print(" ".join(engines.missing(sys.argv[1])))' "$1" 2>&1) ||
		{ echo "cannot check for the $1 server programs: $gone"; return 0; }
	[ -z "$gone" ] || echo "no $1 server programs on this machine (missing: $gone)"
}

run_pass() {
	engine=$1
	reason=$(why_not "$engine")
	if [ -n "$reason" ]; then
		echo "==== $engine pass skipped: $reason" >>"$all_log"
		tap ok "$engine: tests/func # SKIP $reason"
		echo "# $engine pass skipped: $reason"
		return
	fi
	log=$(mktemp "$top_builddir/tests/func-pytest.XXXXXX")
	run_one
	{ echo "==== $engine pass"; cat "$log"; } >>"$all_log"
	rm -f "$log"
}

run_one() {
	t0=$(now)
	LIGHTAPI_TEST_ENGINE=$engine $run_timeout "$python" -m pytest \
	    -p no:cacheprovider -rA -q tests/func >"$log" 2>&1
	rc=$?
	secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	echo "# $engine pass: $secs s ($(tail -n 1 "$log" | tr -d '='))"

	# pytest: 0 all passed, 1 some failed, 5 nothing collected, others crash.
	case $rc in
	0|1) ;;
	5) fail_pass "$engine" "pytest collected no tests" "$log"; return ;;
	124|137) fail_pass "$engine" "pytest timed out" "$log"; return ;;
	*) fail_pass "$engine" "pytest exited with status $rc" "$log"; return ;;
	esac

	lines=$(awk -v engine="$engine" -v n="$n" '
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
		n++; printf "ok %d - %s: %s\n", n, engine, rest
	} else if (word == "FAILED" || word == "ERROR") {
		n++; printf "not ok %d - %s: %s\n", n, engine, rest
	} else if (word == "XFAIL") {
		n++; printf "not ok %d - %s: %s # TODO expected failure\n", n, engine, rest
	} else if (word == "SKIPPED") {
		# SKIPPED [count] file:line: reason
		sub(/^\[[0-9]+\] /, "", rest)
		where = rest; reason = rest
		sub(/: .*/, "", where); sub(/^[^ ]*: /, "", reason)
		n++; printf "ok %d - %s: %s # SKIP %s\n", n, engine, where, reason
	}
}
' "$log")
	if [ -z "$lines" ]; then
		fail_pass "$engine" "no test results in pytest output (status $rc)" "$log"
		return
	fi
	printf '%s\n' "$lines"
	n=$((n + $(printf '%s\n' "$lines" | wc -l)))
	if [ $rc -ne 0 ]; then
		echo "# $engine: pytest exited with status $rc; full output in $all_log"
		grep -v '^PASSED ' "$log" | tail -n 80 | sed 's/^/# /'
	fi
}

for engine in $engines; do
	case $engine in
	sqlite|postgresql|mysql) run_pass "$engine" ;;
	*) tap "not ok" "$engine: tests/func: unknown engine in LIGHTAPI_TEST_ENGINES" ;;
	esac
done
echo "1..$n"
exit 0
