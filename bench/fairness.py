#!/usr/bin/python3
"""Fairness under load: does one client still get quick answers while 32
others keep the workers busy with filtered lists?  See bench/README.md.

Starts lightapid with 2 workers on loopback over the table of run.sh (the
10,000-row /items), loads it with wrk -c32 running filter_random.lua, and
meanwhile sends sequential requests from a 33rd client on its own keep-alive
connection, timing each.  Prints that client's p50, p99 and maximum, whether
p99 <= 20 x p50, and how the open connections are split over the workers
(counted from each worker's /proc/PID/fd while wrk runs).
"""
import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

YAML = """database:
  url: "sqlite:///{db}"
enable_swagger: false
endpoints:
  - route: /items
    fields:
      name: {{type: str, max_length: 100}}
      category: {{type: str{index}}}
      price: {{type: float, ge: 0}}
      in_stock: {{type: bool, default: true}}
    meta:
      filtering: {{fields: [category], search: [name]}}
      pagination: {{style: page_number, page_size: 20}}
"""


def find_binary():
    env = os.environ.get("LIGHTAPID")
    if env:
        return env
    for cand in ("src/lightapid", "build/src/lightapid"):
        path = os.path.join(REPO, cand)
        if os.access(path, os.X_OK):
            return path
    sys.exit("fairness.py: lightapid binary not found; set LIGHTAPID")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(port, proc, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("fairness.py: lightapid exited during start-up")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("fairness.py: lightapid did not answer")


def fill(db, rows):
    """The rows of run.sh: 500 categories, so 1 row in 500 matches."""
    con = sqlite3.connect(db)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000", time.gmtime())
    cols = [r[1] for r in con.execute('PRAGMA table_info("items")')]
    names = [c for c in cols if c != "id"]
    sql = 'INSERT INTO "items" ({}) VALUES ({})'.format(
        ", ".join(names), ", ".join("?" * len(names)))

    def row(i):
        d = {"created_at": stamp, "updated_at": stamp, "version": 1,
             "name": "item %d" % i, "category": "cat-%d" % (i % 500),
             "price": round(1 + (i % 1000) * 0.25, 2),
             "in_stock": i % 3 != 0}
        return [d[c] for c in names]
    con.executemany(sql, (row(i) for i in range(1, rows + 1)))
    con.commit()
    con.close()


def workers_of(master):
    path = "/proc/%d/task/%d/children" % (master, master)
    with open(path) as f:
        return [int(p) for p in f.read().split()]


def established_inodes(port):
    """Inodes of the server side of established connections on port."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "01" and int(local.split(":")[1], 16) == port:
                        found.add(inode)
        except OSError:
            pass
    return found


def split(master, port):
    """Open client connections held by each worker, in slot order."""
    inodes = established_inodes(port)
    counts = []
    for pid in workers_of(master):
        n = 0
        fddir = "/proc/%d/fd" % pid
        try:
            for fd in os.listdir(fddir):
                try:
                    link = os.readlink(os.path.join(fddir, fd))
                except OSError:
                    continue
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    n += 1
        except OSError:
            continue
        counts.append(n)
    return counts


def probe(port, args, rows, halfway):
    """The 33rd client: sequential requests on one connection, timed;
    halfway() is called after half of them, the connection open."""
    times = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    rnd = random.Random(33)
    for i in range(args.requests):
        if i == args.requests // 2:
            halfway()
        if args.probe == "filter":
            path = "/items?category=cat-%d" % rnd.randint(0, 499)
        else:
            path = "/items/%d" % rnd.randint(1, rows)
        t0 = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        times.append((time.perf_counter() - t0) * 1000.0)
        if resp.status != 200:
            sys.exit("fairness.py: GET %s: %d" % (path, resp.status))
        time.sleep(args.gap / 1000.0)
    conn.close()
    return times


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def run(args):
    binary = find_binary()
    tmp = tempfile.mkdtemp(prefix="lightapid-fair.")
    db = os.path.join(tmp, "bench.db")
    conf = os.path.join(tmp, "lightapi.yaml")
    with open(conf, "w") as f:
        f.write(YAML.format(db=db, index=", index: true" if args.index
                            else ""))
    port = free_port()
    log = open(os.path.join(tmp, "lightapid.log"), "ab")
    # As root, the workers stay root only when told to (lightapid(8)).
    root = ["-u", "root"] if os.geteuid() == 0 else []
    cmd = [binary, *root, "-f", "-c", conf, "-w", str(args.workers),
           "-l", "127.0.0.1:%d" % port]
    proc = None
    try:
        # The first start creates the table; the rows are then inserted
        # directly, as run.sh does.
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        wait_http(port, proc)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        fill(db, args.rows)
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        wait_http(port, proc)
        wrk = subprocess.Popen(
            ["wrk", "-t2", "-c%d" % args.connections,
             "-d%ds" % args.duration, "--latency",
             "-s", os.path.join(HERE, "filter_random.lua" if args.index
                                else "search_random.lua"),
             "http://127.0.0.1:%d" % port],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.0)  # every wrk connection open and busy
        before = split(proc.pid, port)
        during = []
        times = probe(port, args, args.rows,
                      lambda: during.extend(split(proc.pid, port)))
        out, _ = wrk.communicate(timeout=args.duration + 30)
        report(args, before, during, times, out)
        return 0 if percentile(times, 99) <= 20 * percentile(times, 50) \
            else 1
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        log.close()
        if os.environ.get("BENCH_KEEP"):
            print("scratch directory kept:", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def report(args, before, during, times, wrk_out):
    p50, p99 = percentile(times, 50), percentile(times, 99)
    rps = [l for l in wrk_out.splitlines() if l.startswith("Requests/sec")]
    print("load: wrk -c%d %s, %d workers, "
          "%d rows" % (args.connections,
                       "filter_random.lua (indexed category)" if args.index
                       else "search_random.lua (a scan per page)",
                       args.workers, args.rows))
    print("load throughput: %s" % (rps[0].split()[-1] if rps else "?"))
    print("connections per worker: %s of wrk's; %s with the 33rd client" % (
        "/".join(map(str, before)), "/".join(map(str, during))))
    print("33rd client: %d sequential GET %s: p50 %.2f ms, p99 %.2f ms, "
          "max %.2f ms, mean %.2f ms" % (
              len(times), "filtered lists" if args.probe == "filter"
              else "by id", p50, p99, max(times), statistics.mean(times)))
    print("p99 / p50 = %.1f (target <= 20): %s" % (
        p99 / p50, "ok" if p99 <= 20 * p50 else "MISSED"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--gap", type=float, default=5.0,
                    help="ms between the 33rd client's requests")
    ap.add_argument("--duration", type=int, default=0,
                    help="wrk seconds (default: long enough for the probe)")
    ap.add_argument("--index", action="store_true",
                    help="index category, as run.sh does (cheaper lists)")
    ap.add_argument("--probe", choices=("id", "filter"), default="id",
                    help="what the 33rd client asks for")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("fairness.py: wrk not found (Debian: apt-get install wrk)")
    if args.duration <= 0:
        args.duration = 1 + int(args.requests * (args.gap + 20) / 1000) + 5
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
