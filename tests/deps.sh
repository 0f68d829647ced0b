#!/bin/sh
# Installs what building lightapid and running its tests needs, from
# Debian 12's own packages, then the Node packages of tests/js (OpenAPI
# validators, Swagger UI's files, playwright-core) through
# tests/js/setup.sh. Run as root.
set -e
pkgs="build-essential autoconf automake libtool pkg-config
libyaml-dev libyajl-dev libsqlite3-dev libpq-dev libmariadb-dev
libhiredis-dev libssl-dev libcrypt-dev zlib1g-dev
python3 python3-pytest sqlite3 curl clang
postgresql mariadb-server mariadb-client redis-server
chromium"
# Node.js 20 or later may already be there from elsewhere; Debian's own
# comes only when there is none.
command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "tests/deps.sh: run as root to install:$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
"$(dirname "$0")/js/setup.sh"
