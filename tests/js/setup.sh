#!/bin/sh
# Installs the Node packages the black-box tests use (package.json, pinned
# by package-lock.json) into tests/js/node_modules: the OpenAPI 3.1
# validators, Swagger UI's files that /docs serves in the tests, and
# playwright-core, which drives Debian's chromium. Called by tests/deps.sh;
# safe to run again (npm ci only when the lock file changed).
set -e
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
	echo "tests/js/setup.sh: npm not found (apt-get install npm)" >&2
	exit 1
fi
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then
	exit 0
fi
# No install scripts: none of these packages needs one, and playwright-core
# must not fetch a browser of its own (it drives /usr/bin/chromium).
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit \
    --no-fund --loglevel=error
