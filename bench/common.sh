# What the benchmark scripts share (run.sh, callgrind.sh): sourced, not run.
# The sourcing script sets `here` (this folder) and `prog` (its name, for
# messages) first.

repo=$(dirname "$here")
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# As root, the workers stay root only when told to (lightapid(8), -u).
root_user=
[ "$(id -u)" -ne 0 ] || root_user=1

# LIGHTAPID, or the binary of an in-tree or build/ build.
common_lightapid() {
	LIGHTAPID=${LIGHTAPID:-}
	if [ -z "$LIGHTAPID" ]; then
		for cand in "$repo/src/lightapid" "$repo/build/src/lightapid"; do
			if [ -x "$cand" ]; then LIGHTAPID=$cand; break; fi
		done
	fi
	[ -n "$LIGHTAPID" ] && [ -x "$LIGHTAPID" ] || {
		echo "$prog: lightapid binary not found; set LIGHTAPID" >&2; exit 1; }
}

common_stop_pid() { # pid signal: waits up to 10 s, then KILL
	[ -n "$1" ] || return 0
	kill -"$2" "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

common_free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

common_http_get() { # url -> body on stdout, fails on non-2xx
	"$PY" -c 'import sys, urllib.request
sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=10).read())' "$1"
}

common_wait_http() { # url seconds
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		common_http_get "$1" >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "$prog: $1 did not answer within $2 s" >&2
	return 1
}

# The benchmark's configuration: /items, the table of ROWS rows, filtered
# on category (500 values, so 20 rows each of 10,000) and paginated by page
# number (20 a page).
common_items_yaml() { # file database-url
	cat >"$1" <<YAML
database:
  url: "$2"
enable_swagger: false
# Neither server writes an access log, so the comparison is like for like.
endpoints:
  - route: /items
    fields:
      name: {type: str, max_length: 100}
      category: {type: str, index: true}
      price: {type: float, ge: 0}
      in_stock: {type: bool, default: true}
    meta:
      filtering: {fields: [category]}
      pagination: {style: page_number, page_size: 20}
YAML
}

# /feed, added once the table exists: the same table reflected, with
# cursor pagination.
common_feed_yaml() { # file
	cat >>"$1" <<YAML
  - route: /feed
    reflect: true
    meta:
      table: items
      methods: [GET]
      pagination: {style: cursor, page_size: 20}
YAML
}

# Rows inserted straight into an SQLite file lightapid created.
common_fill_sqlite() { # database-file rows
	"$PY" - "$1" "$2" <<'PYEOF'
import sqlite3, sys, datetime
db, rows = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
stamp = now.isoformat(timespec="microseconds")
cols = [r[1] for r in con.execute('PRAGMA table_info("items")')]
names = [c for c in cols if c != "id"]
sql = (f'INSERT INTO "items" ({", ".join(names)}) '
       f'VALUES ({", ".join("?" * len(names))})')
def row(i):
    data = dict(created_at=stamp, updated_at=stamp, version=1,
                name=f"item {i}", category=f"cat-{i % 500}",
                price=round(1 + (i % 1000) * 0.25, 2), in_stock=i % 3 != 0)
    return [data[c] for c in names]
con.executemany(sql, (row(i) for i in range(1, rows + 1)))
con.commit()
con.close()
PYEOF
}
