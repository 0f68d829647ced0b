#!/bin/sh
# The packages as an administrator meets them, on Debian 12, as root:
# builds the .deb (and the source package) with `make deb` and checks the
# upload with lintian --pedantic; installs it; tests the installed
# configuration with -t (which must create no file); starts the daemon the
# way the unit does (its user, environment, working directory and
# commands), checks it serves, reloads it the way ExecReload does, stops
# it with the unit's KillSignal; purges the package; then builds the .rpm
# with `make rpm` and checks it with rpmlint. Ends with
# "N passed, N failed". Changes the system: run it on a CI machine or a
# throw-away container, not on a host with lightapid installed.
#   BUILD_DIR   configured build directory to run make dist in (default:
#               build, configured here when missing)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-build}
pass=0
fail=0
check() { # description command...
	desc=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		echo "ok - $desc"
	else
		fail=$((fail + 1))
		echo "not ok - $desc"
	fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

[ "$(id -u)" -eq 0 ] || { echo "tests/package.sh: run as root" >&2; exit 2; }
tools="debhelper lintian rpm rpmlint curl mandoc man-db"
missing=
for p in $tools; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

work=$(mktemp -d /tmp/lightapid-package.XXXXXX)
daemon=
trap 'rm -rf "$work"; [ -z "$daemon" ] || kill -9 "$daemon" 2>/dev/null' EXIT
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p "$build"
(cd "$build" && { [ -f Makefile ] || "$top/configure" -q; } &&
    make -s dist >/dev/null) || { fail=$((fail + 1)); finish; }

# ---- manual pages --------------------------------------------------------
(cd "$build" && make -s man/lightapid.8 man/lightapi.yaml.5) >/dev/null 2>&1
mandoc -Tlint "$build/man/lightapid.8" "$build/man/lightapi.yaml.5" 2>&1 |
    grep -v -e 'mandoc.db' -e 'referenced manual not found' >"$work/mandoc.txt"
check "mandoc -Tlint: the manual pages are clean" test ! -s "$work/mandoc.txt"
sed 's/^/# /' "$work/mandoc.txt"
for page in lightapid.8 lightapi.yaml.5; do
	check "$page: the header names lightapid" \
	    sh -c "MANWIDTH=80 man -l '$build/man/$page' 2>/dev/null | head -n 1 |
	        grep -q 'lightapid .*Manual'"
done

# ---- .deb ---------------------------------------------------------------
(cd "$build" && DEB_OUTDIR="$work/deb" make -s deb >"$work/deb.log" 2>&1)
check "make deb builds" test -f "$(ls "$work"/deb/lightapid_*.deb 2>/dev/null | head -n 1)"
for kind in changes buildinfo dsc orig.tar.gz debian.tar.xz; do
	check "make deb leaves the .$kind" \
	    sh -c "ls '$work'/deb/*.$kind >/dev/null 2>&1"
done
lintian --pedantic "$work"/deb/*.changes >"$work/lintian.txt" 2>&1
check "lintian --pedantic: no tag that is not overridden" \
    sh -c "! grep -E '^[EWP]: ' '$work/lintian.txt'"
sed 's/^/# /' "$work/lintian.txt"
deb=$(ls "$work"/deb/lightapid_*_*.deb | head -n 1)
check "the .deb ships the README and the example" \
    sh -c "dpkg -c '$deb' | grep -q 'doc/lightapid/README.md' &&
        dpkg -c '$deb' | grep -q 'doc/lightapid/examples/lightapi.yaml'"

export DEBIAN_FRONTEND=noninteractive
check "the .deb installs" apt-get install -y -qq "$deb"
check "the package created the lightapi user" getent passwd lightapi
check "/etc/lightapi.yaml is root:lightapi 0640" \
    test "$(stat -c '%U:%G %a' /etc/lightapi.yaml)" = "root:lightapi 640"
check "/var/lib/lightapi is lightapi's, 0750" \
    test "$(stat -c '%U:%G %a' /var/lib/lightapi)" = "lightapi:lightapi 750"

unit=/lib/systemd/system/lightapid.service
as_unit() { # runs a command the way the unit runs its commands
	(cd /var/lib/lightapi &&
	    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    LIGHTAPI_DB=/var/lib/lightapi/lightapi.db \
	    setpriv --reuid=lightapi --regid=lightapi --init-groups \
	    "$@")
}
check "the unit runs the service as lightapi" \
    sh -c "grep -q '^User=lightapi$' $unit && grep -q '^Group=lightapi$' $unit"

# -t (ExecStartPre and ExecReload) reads and checks, and writes nothing:
# not as root in a scratch directory, not as the unit in its state
# directory before the first start.
mkdir "$work/cwd"
(cd "$work/cwd" && lightapid -t -c /etc/lightapi.yaml) >"$work/t.log" 2>&1
check "lightapid -t passes on the installed configuration (root)" test $? -eq 0
check "lightapid -t as root creates no file" \
    test -z "$(ls -A "$work/cwd")"
before=$(ls -A /var/lib/lightapi)
as_unit lightapid -t -c /etc/lightapi.yaml >>"$work/t.log" 2>&1
check "lightapid -t passes as the unit runs it" test $? -eq 0
check "lightapid -t as the unit creates no file" \
    test "$(ls -A /var/lib/lightapi)" = "$before"
sed 's/^/# /' "$work/t.log"

check "port 8000 is free for the example" \
    sh -c "! curl -s -o /dev/null http://127.0.0.1:8000/"
# ExecStart, in the background (the subshell becomes lightapid by exec);
# the example listens on port 8000.
# Not through as_unit: a function run in the background is a subshell of
# its own, and $! would be that shell rather than lightapid.
(cd /var/lib/lightapi &&
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    LIGHTAPI_DB=/var/lib/lightapi/lightapi.db \
    setpriv --reuid=lightapi --regid=lightapi --init-groups \
    lightapid -f -c /etc/lightapi.yaml) >"$work/daemon.log" 2>&1 &
daemon=$!
up() {
	i=0
	while [ $i -lt 100 ]; do
		curl -fsS -o /dev/null "http://127.0.0.1:8000/healthz" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check "the daemon starts and answers /healthz" up
check "master and workers run as lightapi" \
    sh -c "! ps -o user= --ppid $daemon -p $daemon | grep -qv '^lightapi'"
check "the example API answers GET /books" \
    sh -c "curl -fsS http://127.0.0.1:8000/books | grep -q results"
check "the example API takes a POST" \
    sh -c "curl -fsS -o /dev/null -H 'Content-Type: application/json' \
        -d '{\"title\":\"Dune\",\"author\":\"Frank Herbert\",\"year\":1965}' \
        http://127.0.0.1:8000/books"
# ExecReload: the test, then SIGHUP.
as_unit lightapid -t -c /etc/lightapi.yaml >/dev/null 2>&1 &&
    kill -HUP "$daemon"
sleep 1
check "after a reload it still serves the row" \
    sh -c "curl -fsS http://127.0.0.1:8000/books | grep -q Dune"
# KillSignal=SIGQUIT: the graceful stop.
kill -QUIT "$daemon"
i=0
while kill -0 "$daemon" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "SIGQUIT stops the daemon within 10 s" sh -c "! kill -0 $daemon 2>/dev/null"
check "no SQLite -wal or -shm file is left after the stop" \
    sh -c "! ls /var/lib/lightapi/*-wal /var/lib/lightapi/*-shm 2>/dev/null"
sed 's/^/# /' "$work/daemon.log" | tail -n 20

apt-get purge -y -qq lightapid >"$work/purge.log" 2>&1
check "the package purges" test $? -eq 0
check "purge removes the configuration" test ! -e /etc/lightapi.yaml
check "purge keeps /var/lib/lightapi, which holds the database" \
    test -f /var/lib/lightapi/lightapi.db
check "purge says that it kept it" \
    grep -q "/var/lib/lightapi holds data and is kept" "$work/purge.log"
check "dpkg does not warn on purge" \
    sh -c "! grep -qi 'warning' '$work/purge.log'"
sed 's/^/# /' "$work/purge.log"
rm -rf /var/lib/lightapi

# ---- .rpm ---------------------------------------------------------------
(cd "$build" && RPM_OUTDIR="$work/rpm" make -s rpm >"$work/rpm.log" 2>&1)
check "make rpm builds on Debian" \
    sh -c "ls '$work'/rpm/lightapid-*.x86_64.rpm '$work'/rpm/lightapid-*.src.rpm >/dev/null 2>&1" ||
    tail -n 20 "$work/rpm.log"
rpmlint -r "$top/packaging/rpm/lightapid.rpmlintrc" "$work"/rpm/*.rpm \
    >"$work/rpmlint.txt" 2>&1
check "rpmlint: no error, no warning that is not filtered" \
    grep -q ' 0 errors, 0 warnings' "$work/rpmlint.txt"
sed 's/^/# /' "$work/rpmlint.txt" | grep -E ': [EW]: |errors'
rpm=$(ls "$work"/rpm/lightapid-*.x86_64.rpm 2>/dev/null | head -n 1)
check "the .rpm has the modes of the .deb" \
    sh -c "rpm -qlvp '$rpm' 2>/dev/null | grep -q '^-rw-r----- .* root *lightapi .* /etc/lightapi.yaml$' &&
        rpm -qlvp '$rpm' 2>/dev/null | grep -q '^drwxr-x--- .* lightapi *lightapi .* /var/lib/lightapi$'"
check "the .rpm has LICENSE, sysusers and scriptlets" \
    sh -c "rpm -qlp '$rpm' 2>/dev/null | grep -q 'licenses/lightapid.*/LICENSE' &&
        rpm -qlp '$rpm' 2>/dev/null | grep -q 'sysusers.d/lightapid.conf' &&
        rpm -qp --scripts '$rpm' 2>/dev/null | grep -q 'systemctl --no-reload preset'"
finish
