#!/bin/sh
# Benchmark lightapid against nginx serving a static file, with wrk, on
# loopback only.  See bench/README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
LIGHTAPID=${LIGHTAPID:-}
if [ -z "$LIGHTAPID" ]; then
	for cand in "$repo/src/lightapid" "$repo/build/src/lightapid"; do
		if [ -x "$cand" ]; then LIGHTAPID=$cand; break; fi
	done
fi
[ -n "$LIGHTAPID" ] && [ -x "$LIGHTAPID" ] || {
	echo "run.sh: lightapid binary not found; set LIGHTAPID" >&2; exit 1; }

ROWS=${BENCH_ROWS:-10000}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
WORKERS=${BENCH_WORKERS:-2}
export BENCH_ROWS=$ROWS

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# ---- tools ---------------------------------------------------------------

need_pkgs=
command -v wrk >/dev/null 2>&1 || need_pkgs="$need_pkgs wrk"
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || need_pkgs="$need_pkgs nginx-light"
if [ -n "$need_pkgs" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "run.sh: missing$need_pkgs; install them (apt-get install$need_pkgs)" >&2
		exit 1
	fi
	echo "installing$need_pkgs" >&2
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_pkgs >/dev/null
	NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
fi

# ---- scratch directory and cleanup ---------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lightapid-bench.XXXXXX")
chmod 755 "$tmp"
la_pid=
nginx_pid=

stop_pid() { # pid signal
	[ -n "$1" ] || return 0
	kill -"$2" "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

cleanup() {
	stop_pid "$la_pid" TERM
	stop_pid "$nginx_pid" QUIT
	la_pid= nginx_pid=
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "scratch directory kept: $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

http_get() { # url -> body on stdout, fails on non-2xx
	"$PY" -c 'import sys, urllib.request
sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=10).read())' "$1"
}

wait_http() { # url
	i=0
	while [ $i -lt 100 ]; do
		http_get "$1" >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "run.sh: $1 did not answer within 10 s" >&2
	return 1
}

# ---- lightapid -----------------------------------------------------------

la_port=$(free_port)
cat >"$tmp/lightapi.yaml" <<YAML
database:
  url: "sqlite:///$tmp/bench.db"
enable_swagger: false
server:
  access_log: "$tmp/access.log"
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
  - route: /sample
    fields:
      name: {type: str, max_length: 100}
      category: {type: str}
      price: {type: float, ge: 0}
      in_stock: {type: bool, default: true}
YAML

start_lightapid() {
	"$LIGHTAPID" -f -c "$tmp/lightapi.yaml" -w "$WORKERS" \
		-l "127.0.0.1:$la_port" >>"$tmp/lightapid.log" 2>&1 &
	la_pid=$!
	wait_http "http://127.0.0.1:$la_port/healthz" || {
		tail -n 20 "$tmp/lightapid.log" >&2; exit 1; }
}

echo "lightapid: $LIGHTAPID ($("$LIGHTAPID" -V 2>&1 | head -n 1))"
# First start creates the tables; rows are then bulk-inserted directly.
start_lightapid
stop_pid "$la_pid" TERM
la_pid=

"$PY" - "$tmp/bench.db" "$ROWS" <<'PYEOF'
import sqlite3, sys, datetime
db, rows = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
stamp = now.isoformat(timespec="microseconds")

def fill(table, n):
    cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
    values = {"created_at": stamp, "updated_at": stamp, "version": 1}
    names = [c for c in cols if c != "id"]
    sql = (f'INSERT INTO "{table}" ({", ".join(names)}) '
           f'VALUES ({", ".join("?" * len(names))})')
    def row(i):
        data = dict(values, name=f"item {i}", category=f"cat-{i % 10}",
                    price=round(1 + (i % 1000) * 0.25, 2), in_stock=i % 3 != 0)
        return [data[c] for c in names]
    con.executemany(sql, (row(i) for i in range(1, n + 1)))

fill("items", rows)
fill("sample", 20)
con.commit()
con.close()
PYEOF

start_lightapid

# The 20-row page: /items?page=1 when pagination works, else the 20-row table.
page_path=/items?page=1
http_get "http://127.0.0.1:$la_port$page_path" >"$tmp/page.json"
n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$tmp/page.json" 2>/dev/null || echo 0)
if [ "$n" != 20 ]; then
	echo "note: /items?page=1 returned $n rows (no pagination yet); using /sample" >&2
	page_path=/sample
	http_get "http://127.0.0.1:$la_port$page_path" >"$tmp/page.json"
fi

# ---- nginx ---------------------------------------------------------------

ng_port=$(free_port)
mkdir -p "$tmp/static" "$tmp/nginx"
cp "$tmp/page.json" "$tmp/static/page.json"
chmod -R a+rX "$tmp/static"
cat >"$tmp/nginx/nginx.conf" <<NGX
daemon off;
worker_processes $WORKERS;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    default_type application/json;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$ng_port;
        root $tmp/static;
    }
}
NGX
"$NGINX" -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" \
	>"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
wait_http "http://127.0.0.1:$ng_port/page.json" || {
	cat "$tmp/nginx/error.log" >&2; exit 1; }

# ---- wrk -----------------------------------------------------------------

secs=$(echo "$DURATION" | sed 's/s$//')
results=$tmp/results.txt
: >"$results"

bench() { # name url [script]
	name=$1 url=$2
	shift 2
	out=$tmp/wrk-$name.txt
	timeout $((secs + 30)) wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency \
		${1:+-s "$here/$1"} "$url" >"$out" 2>&1 || true
	awk -v name="$name" '
	function ms(v) {
		if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
		if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
		if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
		return v + 0
	}
	/Requests\/sec:/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ { err = $0; sub(/.*Socket errors: /, "", err); gsub(/ /, "", err) }
	END { printf "%s %s %s %s %s %s\n", name, rps + 0, p50 + 0, p99 + 0, bad + 0, (err == "" ? "-" : err) }
	' "$out" >>"$results"
}

base=http://127.0.0.1:$la_port
echo "wrk -t$THREADS -c$CONNS -d$DURATION; lightapid workers: $WORKERS; rows: $ROWS"
bench nginx-static "http://127.0.0.1:$ng_port/page.json"
bench healthz "$base/healthz"
bench get-by-id "$base/items/1" get_random.lua
bench list-20 "$base$page_path"
bench post "$base/items" post.lua

echo
awk '
NR == 1 { nginx = $2 }
{ rows[NR] = $0 }
END {
	printf "%-14s %12s %10s %10s %9s %8s  %s\n", "test", "req/s", "p50 ms", "p99 ms", "vs nginx", "non-2xx", "socket errors"
	for (i = 1; i <= NR; i++) {
		split(rows[i], f, " ")
		printf "%-14s %12.0f %10.3f %10.3f %8.1f%% %8d  %s\n", f[1], f[2], f[3], f[4], (nginx > 0 ? 100 * f[2] / nginx : 0), f[5], f[6]
	}
}' "$results"

echo
echo "peak RSS (VmHWM) after the run:"
printf "  master %-8s %s\n" "$la_pid" "$(awk '/^VmHWM/ {print $2, $3}' /proc/"$la_pid"/status 2>/dev/null)"
for task in /proc/"$la_pid"/task/*; do
	for kid in $(cat "$task/children" 2>/dev/null); do
		printf "  worker %-8s %s\n" "$kid" "$(awk '/^VmHWM/ {print $2, $3}' /proc/"$kid"/status 2>/dev/null)"
	done
done
ng_master=$(cat "$tmp/nginx/nginx.pid" 2>/dev/null || echo "$nginx_pid")
for kid in $(cat /proc/"$ng_master"/task/*/children 2>/dev/null); do
	printf "  nginx worker %-8s %s\n" "$kid" "$(awk '/^VmHWM/ {print $2, $3}' /proc/"$kid"/status 2>/dev/null)"
done
