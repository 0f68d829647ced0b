#!/bin/sh
# Installs what building lightapid and running its tests needs, from
# Debian 12's own packages. Run as root.
set -e
pkgs="build-essential autoconf automake libtool pkg-config
libyaml-dev libyajl-dev libsqlite3-dev libpq-dev libmariadb-dev
libhiredis-dev libssl-dev libcrypt-dev
python3 python3-pytest sqlite3 curl clang
postgresql mariadb-server mariadb-client redis-server"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "tests/deps.sh: run as root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
