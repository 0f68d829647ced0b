#!/bin/sh
# Instructions per request of one lightapid worker, counted by callgrind,
# on SQLite with the 10,000-row `items` table of run.sh.  See
# bench/README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prog=callgrind.sh
. "$here/common.sh"
common_lightapid

ROWS=${BENCH_ROWS:-10000}
N=${BENCH_REQUESTS:-200}
WARMUP=${BENCH_WARMUP:-50}
TOP=${BENCH_TOP:-0}
REPEAT=${BENCH_REPEAT:-3}
command -v valgrind >/dev/null 2>&1 || {
	echo "callgrind.sh: valgrind is needed" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lightapid-cg.XXXXXX")
la_pid=

cleanup() {
	common_stop_pid "$la_pid" TERM
	la_pid=
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "scratch directory kept: $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(common_free_port)

# The configuration of run.sh: /items (page-number pages of 20, filtered on
# category), and /feed (cursor pages of 20) reflecting the same table once
# it exists.
common_items_yaml "$tmp/lightapi.yaml" "sqlite:///$tmp/bench.db"

# First start (not under valgrind) creates the table.
"$LIGHTAPID" ${root_user:+-u root} -f -c "$tmp/lightapi.yaml" -w 1 -l "127.0.0.1:$port" \
	>>"$tmp/lightapid.log" 2>&1 &
la_pid=$!
common_wait_http "http://127.0.0.1:$port/healthz" 10 || {
	tail -n 20 "$tmp/lightapid.log" >&2; exit 1; }
common_stop_pid "$la_pid" TERM
la_pid=

common_fill_sqlite "$tmp/bench.db" "$ROWS"

common_feed_yaml "$tmp/lightapi.yaml"

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
	common_wait_http "http://127.0.0.1:$port/healthz" 120 || {
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
	common_stop_pid "$la_pid" TERM
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
