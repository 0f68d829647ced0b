#!/bin/sh
# Benchmark lightapid against nginx serving a static file, with wrk, on
# loopback only.  See bench/README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prog=run.sh
. "$here/common.sh"
common_lightapid

ROWS=${BENCH_ROWS:-10000}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
WORKERS=${BENCH_WORKERS:-2}
ENGINE=${BENCH_ENGINE:-sqlite}
CACHE=${BENCH_CACHE:-}
export BENCH_ROWS=$ROWS
case $ENGINE in
sqlite|postgresql|mysql) ;;
*) echo "run.sh: BENCH_ENGINE must be sqlite, postgresql or mysql" >&2; exit 1 ;;
esac

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
engine_pid=

cleanup() {
	common_stop_pid "$la_pid" TERM
	common_stop_pid "$nginx_pid" QUIT
	# The helper removes its database server on TERM; should it be killed
	# instead, engines.py's watchdog removes the server once the helper is
	# gone.
	common_stop_pid "$engine_pid" TERM
	la_pid= nginx_pid= engine_pid=
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "scratch directory kept: $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- lightapid -----------------------------------------------------------

la_port=$(common_free_port)

# PostgreSQL and MariaDB: a throw-away server (tests/func/engines.py) run by
# bench/engine.py, which writes the database URL to engine.json once the
# server is up and keeps it up until TERM.
if [ "$ENGINE" = sqlite ]; then
	db_url="sqlite:///$tmp/bench.db"
else
	"$PY" "$here/engine.py" serve "$ENGINE" "$tmp" >"$tmp/engine.log" 2>&1 &
	engine_pid=$!
	i=0
	while [ ! -f "$tmp/engine.json" ]; do
		if ! kill -0 "$engine_pid" 2>/dev/null || [ $i -ge 900 ]; then
			echo "run.sh: $ENGINE server did not start" >&2
			cat "$tmp/engine.log" >&2; exit 1
		fi
		sleep 0.1; i=$((i + 1))
	done
	db_url=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$tmp/engine.json")
fi
echo "engine: $ENGINE ($db_url)"
common_items_yaml "$tmp/lightapi.yaml" "$db_url"
# BENCH_CACHE=1: /items answers from the shared-memory response cache.
[ -z "$CACHE" ] || echo "      cache: {ttl: 60}" >>"$tmp/lightapi.yaml"

start_lightapid() {
	# As root (the script installs packages), the workers stay root:
	# lightapid refuses that unless told to with -u root.
	"$LIGHTAPID" ${root_user:+-u root} -f -c "$tmp/lightapi.yaml" -w "$WORKERS" \
		-l "127.0.0.1:$la_port" >>"$tmp/lightapid.log" 2>&1 &
	la_pid=$!
	common_wait_http "http://127.0.0.1:$la_port/healthz" 10 || {
		tail -n 20 "$tmp/lightapid.log" >&2; exit 1; }
}

echo "lightapid: $LIGHTAPID ($("$LIGHTAPID" -V 2>&1 | head -n 1))"
# First start creates the tables; rows are then bulk-inserted directly.
start_lightapid
common_stop_pid "$la_pid" TERM
la_pid=

if [ "$ENGINE" != sqlite ]; then
	"$PY" "$here/engine.py" fill "$ENGINE" "$tmp" "$ROWS" || {
		echo "run.sh: bulk insert into $ENGINE failed" >&2; exit 1; }
else
	common_fill_sqlite "$tmp/bench.db" "$ROWS"
fi

common_feed_yaml "$tmp/lightapi.yaml"
start_lightapid

rows_of() { # file -> number of rows in a list body ("results"), or 0
	"$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$1" 2>/dev/null || echo 0
}
check_rows() { # path expected-rows
	common_http_get "http://127.0.0.1:$la_port$1" >"$tmp/check.json" || {
		echo "run.sh: GET $1 failed" >&2; exit 1; }
	n=$(rows_of "$tmp/check.json")
	if [ "$n" != "$2" ]; then
		echo "run.sh: GET $1 returned $n rows, expected $2" >&2; exit 1
	fi
}

# The 20-row page (page-number pagination), also served by nginx as a file.
page_path=/items?page=1
check_rows "$page_path" 20
cp "$tmp/check.json" "$tmp/page.json"

# A page-number page halfway down the table: OFFSET ROWS / 2 - 20.
deep_page=$(( ROWS / 40 > 1 ? ROWS / 40 : 1 ))
check_rows "/items?page=$deep_page" 20

# The filter: one category of 500, ROWS / 500 rows (20 of 10,000), on the
# first page of 20.
per_cat=$(( ROWS >= 7 ? (ROWS - 7) / 500 + 1 : 0 ))
[ "$per_cat" -le 20 ] || per_cat=20
check_rows "/items?category=cat-7" "$per_cat"

# Cursor pagination: the first page, and a page about 9,000 rows deep (or
# ROWS - 1,000 for a smaller table) whose cursor comes from following the
# next links; it is computed before wrk runs.
depth=9000
[ "$ROWS" -gt 10000 ] || depth=$(( (ROWS - 1000) / 20 * 20 ))
[ "$depth" -ge 20 ] || depth=20
deep_cursor=$("$PY" - "$la_port" "$depth" <<'PYEOF'
import http.client, json, sys, urllib.parse
port, depth = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
seen, path, cursor = 0, "/feed", None
while seen < depth:
    conn.request("GET", path)
    resp = conn.getresponse()
    body = json.loads(resp.read())
    if resp.status != 200 or not body.get("next"):
        sys.exit(f"cursor walk stopped after {seen} rows: {resp.status}")
    seen += len(body["results"])
    cursor = body["next"]
    path = "/feed?cursor=" + urllib.parse.quote(cursor, safe="")
print(cursor)
PYEOF
) || { echo "run.sh: could not walk /feed to row $depth" >&2; exit 1; }
cursor_first=/feed
cursor_deep="/feed?cursor=$deep_cursor"
check_rows "$cursor_first" 20
check_rows "$cursor_deep" 20
first_deep_id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["id"])' "$tmp/check.json")
echo "cursor page after $depth rows starts at id $first_deep_id"

# ---- nginx ---------------------------------------------------------------

ng_port=$(common_free_port)
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
common_wait_http "http://127.0.0.1:$ng_port/page.json" 10 || {
	cat "$tmp/nginx/error.log" >&2; exit 1; }

# ---- wrk -----------------------------------------------------------------

secs=$(echo "$DURATION" | sed 's/s$//')
results=$tmp/results.txt
: >"$results"

bench() { # name url [script]
	name=$1 url=$2
	shift 2
	case " nginx-static ${BENCH_ONLY:-$name} " in
	*" $name "*) ;;
	*) return 0 ;;
	esac
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
echo "wrk -t$THREADS -c$CONNS -d$DURATION; lightapid workers: $WORKERS; rows: $ROWS; engine: $ENGINE${CACHE:+; cache on /items}"
bench nginx-static "http://127.0.0.1:$ng_port/page.json"
if [ -n "$CACHE" ]; then
	# Only the cached reads: a POST would invalidate the table's entries,
	# and /feed has no cache.  get-by-id misses once per id (10,000 ids),
	# then hits.
	bench get-by-id-cached "$base/items/1" get_random.lua
	bench list-20-cached "$base$page_path"
	# nginx again: on a loaded host the load moves between runs, and a
	# second figure shows how far the first one can be trusted.
	bench nginx-again "http://127.0.0.1:$ng_port/page.json"
else
	bench healthz "$base/healthz"
	bench get-by-id "$base/items/1" get_random.lua
	bench list-20 "$base$page_path"
	bench list-deep "$base/items?page=$deep_page"
	bench filter-20 "$base/items?category=cat-7" filter_random.lua
	bench cursor-first "$base$cursor_first"
	bench cursor-deep "$base$cursor_deep"
	bench post "$base/items" post.lua
fi

echo
awk '
NR == 1 { nginx = $2 }
{ rows[NR] = $0 }
END {
	printf "%-16s %12s %10s %10s %9s %8s  %s\n", "test", "req/s", "p50 ms", "p99 ms", "vs nginx", "non-2xx", "socket errors"
	for (i = 1; i <= NR; i++) {
		split(rows[i], f, " ")
		printf "%-16s %12.0f %10.3f %10.3f %8.1f%% %8d  %s\n", f[1], f[2], f[3], f[4], (nginx > 0 ? 100 * f[2] / nginx : 0), f[5], f[6]
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
