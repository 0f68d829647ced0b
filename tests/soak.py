#!/usr/bin/python3
"""Soak test (not part of the suite): N mixed requests against a real
lightapid with 2 workers on SQLite, from several client processes over
keep-alive connections. Each client owns its rows, so every answer has
one right status: POST 201, GET by id 200, PATCH with the current version
200, list 200, DELETE 204. Anything else, or a dropped connection, is an
error. Reports errors, the workers' RSS at start and end, and latency
percentiles.

    tests/soak.py [--requests 1000000] [--clients 4] [--binary PATH]
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """\
database:
  url: "sqlite:///{dir}/soak.db"
server:
  listen: ["127.0.0.1:{port}"]
  workers: 2
  error_log: "{dir}/error.log"
endpoints:
  - route: /items
    fields:
      name: {{type: str, max_length: 50}}
      qty: {{type: int, ge: 0}}
      price: {{type: Decimal, decimal_places: 2, optional: true}}
    meta:
      filtering: {{fields: [qty], search: [name], ordering: [qty, name]}}
      pagination: {{style: page_number, page_size: 20}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def workers_of(pid):
    kids = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids.update(int(x) for x in (task / "children").read_text().split())
    return sorted(kids)


def client(args):
    port, count, seed = args
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    rows = {}  # id -> version
    errors, times = [], []

    def call(method, path, body=None, want=200):
        data = json.dumps(body) if body is not None else None
        started = time.monotonic()
        try:
            conn.request(method, path, data,
                         {"Content-Type": "application/json"} if data else {})
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as e:
            errors.append(f"{method} {path}: {e!r}")
            conn.close()
            return None
        times.append(time.monotonic() - started)
        if resp.status != want:
            errors.append(f"{method} {path}: {resp.status} {raw[:120]!r}")
            return None
        return json.loads(raw) if raw else {}

    for i in range(count):
        op = rnd.random()
        # Creates and deletes balance, so the table keeps its size and
        # the workers' RSS shows leaks, not a growing database cache.
        if op < 0.15 or len(rows) < 5:
            r = call("POST", "/items", {"name": f"n{seed}-{i}",
                                        "qty": rnd.randint(0, 99),
                                        "price": "%d.%02d" % (rnd.randint(0, 99),
                                                              rnd.randint(0, 99))},
                     201)
            if r:
                rows[r["id"]] = r["version"]
        elif op < 0.5:
            call("GET", f"/items/{rnd.choice(list(rows))}")
        elif op < 0.7:
            q = rnd.choice(["", "?qty__gte=50", "?search=n1", "?ordering=-qty",
                            "?page=3&page_size=10"])
            call("GET", "/items" + q)
        elif op < 0.85:
            rid = rnd.choice(list(rows))
            r = call("PATCH", f"/items/{rid}",
                     {"version": rows[rid], "qty": rnd.randint(0, 99)})
            if r:
                rows[rid] = r["version"]
        else:
            rid = rnd.choice(list(rows))
            if call("DELETE", f"/items/{rid}", want=204) is not None:
                del rows[rid]
    conn.close()
    return errors, times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--binary", default=os.environ.get(
        "LIGHTAPID", str(Path(__file__).resolve().parent.parent /
                         "build/src/lightapid")))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="soak.")
    port = free_port()
    cfg = Path(tmp) / "lightapi.yaml"
    cfg.write_text(CONFIG.format(dir=tmp, port=port))
    # As root, lightapid runs its workers as root only when told to.
    root = ["-u", "root"] if os.geteuid() == 0 else []
    proc = subprocess.Popen([args.binary, *root, "-f", "-c", str(cfg)],
                            start_new_session=True)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        workers = workers_of(proc.pid)
        # Warm up so the start figure includes the steady allocations
        # (SQLite's page cache, the buffers' high-water marks).
        for s in range(4):
            client((port, 10000, 1000 + s))
        start_rss = {w: rss_kb(w) for w in workers}
        per = args.requests // args.clients
        started = time.monotonic()
        with multiprocessing.Pool(args.clients) as pool:
            results = pool.map(client, [(port, per, s + 1)
                                        for s in range(args.clients)])
        elapsed = time.monotonic() - started
        end_rss = {w: rss_kb(w) for w in workers_of(proc.pid)}
        errors = [e for r in results for e in r[0]]
        times = sorted(t for r in results for t in r[1])
        total = sum(len(r[1]) for r in results) + len(errors)
        p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
        print(f"requests: {total} in {elapsed:.0f} s "
              f"({total / elapsed:.0f}/s), errors: {len(errors)}")
        for e in errors[:10]:
            print("  ", e)
        print(f"latency ms: p50 {p(0.5):.2f}, p99 {p(0.99):.2f}, "
              f"p99.9 {p(0.999):.2f}, max {times[-1] * 1000:.1f}")
        for w in workers:
            print(f"worker {w}: RSS {start_rss.get(w, 0)} kB -> "
                  f"{end_rss.get(w, 0)} kB "
                  f"({end_rss.get(w, 0) - start_rss.get(w, 0):+d} kB)")
        if set(end_rss) != set(start_rss):
            print("a worker was replaced during the run")
        log = (Path(tmp) / "error.log").read_text()
        bad = [l for l in log.splitlines() if "[notice]" not in l]
        print(f"error log: {len(bad)} lines beyond notices")
        return 1 if errors or bad else 0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
