#!/bin/sh
# Instructions per request of one lightapid worker, counted by callgrind,
# on SQLite with the 10,000-row `items` table of run.sh.  See
# bench/README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
LIGHTAPID=${LIGHTAPID:-}
# As root, the worker stays root only when told to (lightapid(8), -u).
root_user=
[ "$(id -u)" -ne 0 ] || root_user=1
if [ -z "$LIGHTAPID" ]; then
	for cand in "$repo/src/lightapid" "$repo/build/src/lightapid"; do
		if [ -x "$cand" ]; then LIGHTAPID=$cand; break; fi
	done
fi
[ -n "$LIGHTAPID" ] && [ -x "$LIGHTAPID" ] || {
	echo "callgrind.sh: lightapid binary not found; set LIGHTAPID" >&2; exit 1; }

ROWS=${BENCH_ROWS:-10000}
N=${BENCH_REQUESTS:-200}
WARMUP=${BENCH_WARMUP:-50}
TOP=${BENCH_TOP:-0}
REPEAT=${BENCH_REPEAT:-3}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
command -v valgrind >/dev/null 2>&1 || {
	echo "callgrind.sh: valgrind is needed" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lightapid-cg.XXXXXX")
la_pid=

stop_pid() { # pid signal
	[ -n "$1" ] || return 0
	kill -"$2" "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

cleanup() {
	stop_pid "$la_pid" TERM
	la_pid=
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "scratch directory kept: $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

wait_http() { # url, seconds
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		"$PY" -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=5).read()' "$1" >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "callgrind.sh: $1 did not answer within $2 s" >&2
	return 1
}

# The configuration of run.sh: /items (page-number pages of 20, filtered on
# category), and /feed (cursor pages of 20) reflecting the same table once
# it exists.
cat >"$tmp/lightapi.yaml" <<YAML
database:
  url: "sqlite:///$tmp/bench.db"
enable_swagger: false
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

# First start (not under valgrind) creates the table.
"$LIGHTAPID" ${root_user:+-u root} -f -c "$tmp/lightapi.yaml" -w 1 -l "127.0.0.1:$port" \
	>>"$tmp/lightapid.log" 2>&1 &
la_pid=$!
wait_http "http://127.0.0.1:$port/healthz" 10 || {
	tail -n 20 "$tmp/lightapid.log" >&2; exit 1; }
stop_pid "$la_pid" TERM
la_pid=

"$PY" - "$tmp/bench.db" "$ROWS" <<'PYEOF'
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

cat >>"$tmp/lightapi.yaml" <<YAML
  - route: /feed
    reflect: true
    meta:
      table: items
      methods: [GET]
      pagination: {style: cursor, page_size: 20}
YAML

# Each measurement starts lightapid under callgrind, sends WARMUP + K
# requests on one keep-alive connection and stops it; valgrind follows
# fork() by itself, so the worker writes its own file (%p) at exit.  The
# worker's totals for K = N and K = 2N differ by exactly N requests: start-up,
# warm-up, the connection and the exit cancel out.
cg_start() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.%p" \
		"$LIGHTAPID" ${root_user:+-u root} -f -c "$tmp/lightapi.yaml" -w 1 -l "127.0.0.1:$port" \
		>>"$tmp/lightapid.log" 2>&1 &
	la_pid=$!
	wait_http "http://127.0.0.1:$port/healthz" 120 || {
		tail -n 20 "$tmp/lightapid.log" >&2; exit 1; }
	worker=
	for task in /proc/"$la_pid"/task/*; do
		for kid in $(cat "$task/children" 2>/dev/null); do worker=$kid; done
	done
	[ -n "$worker" ] || { echo "callgrind.sh: no worker process found" >&2; exit 1; }
}

# One keep-alive connection; the client runs outside valgrind.  Every answer
# must be 200 with the expected number of rows (-1: not a list).
client() { # count path-template rows
	"$PY" - "$port" "$1" "$2" "$3" "$ROWS" <<'PYEOF'
import http.client, json, sys
port, count, path, rows, nrows = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for i in range(count):
    p = path.replace("{id}", str(i * 7919 % nrows + 1))
    conn.request("GET", p)
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        sys.exit(f"GET {p}: {resp.status}")
    if rows >= 0:
        n = len(json.loads(body)["results"])
        if n != rows:
            sys.exit(f"GET {p}: {n} rows, expected {rows}")
conn.close()
PYEOF
}

cg_run() { # name count path rows -> the worker's callgrind file
	cg_start
	client "$WARMUP" "$3" "$4"
	client "$2" "$3" "$4"
	stop_pid "$la_pid" TERM
	la_pid=
	[ -s "$tmp/cg.$worker" ] || { echo "callgrind.sh: no callgrind output for $1" >&2; exit 1; }
	mv "$tmp/cg.$worker" "$tmp/$1.$2.cg"
	rm -f "$tmp"/cg.*
	echo "$tmp/$1.$2.cg"
}

total_of() { # callgrind file -> total instructions
	awk '/^(summary|totals):/ { print $2; exit }' "$1"
}

results=$tmp/results.txt
: >"$results"
# A request's cost varies by a few hundred instructions with how its
# bytes meet the worker's reads (one read or two, an EAGAIN more or less):
# each figure is the median of REPEAT measurements.
measure() { # name path rows
	vals=
	r=0
	while [ $r -lt "$REPEAT" ]; do
		f1=$(cg_run "$1" "$N" "$2" "$3")
		f2=$(cg_run "$1" $((2 * N)) "$2" "$3")
		t1=$(total_of "$f1") t2=$(total_of "$f2")
		vals="$vals $(((t2 - t1) / N))"
		r=$((r + 1))
	done
	echo "$1 $2 $(echo $vals | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')" >>"$results"
	if [ "$TOP" -gt 0 ]; then
		echo "== $1 ($2): top $TOP functions by own instructions, $((2 * N + WARMUP)) requests plus start-up"
		callgrind_annotate "$f2" 2>/dev/null |
			awk -v top="$TOP" '/^-+$/ { dash++; next } dash >= 3 && NF && n < top { print; n++ }'
		echo
	fi
}

echo "lightapid: $LIGHTAPID ($("$LIGHTAPID" -V 2>&1 | head -n 1)); SQLite, $ROWS rows, 1 worker"
echo "per path: $WARMUP warm-up requests, then N = $N and 2N requests in two runs, one keep-alive connection; median of $REPEAT"
measure healthz /healthz -1
measure get-by-id "/items/{id}" -1
measure list-20 "/items?page=1" 20
measure filter-20 "/items?category=cat-7" 20
measure cursor-first /feed 20

echo
printf "%-14s %-24s %14s\n" test request instr/request
while read -r name path n; do
	printf "%-14s %-24s %14s\n" "$name" "$path" \
		"$(echo "$n" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')"
done <"$results"
