#!/usr/bin/env python3
"""Stale-read check of the response cache: 90 % GET / 10 % PATCH on a few
hot rows, two lightapid workers, meta.cache on.

    LIGHTAPID=build/src/lightapid bench/stale_check.py [seconds] [clients]

Each client thread keeps its own connection (so requests land on both
workers) and picks a row at random.  A PATCH (If-Match: *, so no version
is needed; it is still refused with 412, and counted apart, when another
write to the row lands between lightapid's compare and its write) is
acknowledged with the row's new version; the checker keeps,
per row, the highest acknowledged version.  A GET notes that version when it
is sent and is stale if its answer carries an older one: a write the client
has seen acknowledged must never be followed by an older row.  Every answer
is also compared with the database (SQLite, read directly): its version may
not be newer than the row's, and its name must be the one written with that
version.  Exits 1 when any answer is stale or wrong, or a request fails otherwise.
"""

import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HOT_ROWS = 20  # few rows, so reads and writes of one row interleave a lot


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    here = Path(__file__).resolve().parent
    binary = os.environ.get("LIGHTAPID") or str(here.parent / "build" /
                                                 "src" / "lightapid")
    tmp = Path(tempfile.mkdtemp(prefix="lightapid-stale."))
    db = tmp / "stale.db"
    port = free_port()
    (tmp / "lightapi.yaml").write_text(f"""database:
  url: "sqlite:///{db}"
enable_swagger: false
endpoints:
  - route: /items
    fields:
      name: {{type: str, max_length: 100}}
    meta:
      cache: {{ttl: 60}}
""")
    log = open(tmp / "lightapid.log", "wb")
    root = ["-u", "root"] if os.geteuid() == 0 else []  # see lightapid(8)
    proc = subprocess.Popen([binary, *root, "-f", "-c", str(tmp / "lightapi.yaml"),
                             "-w", "2", "-l", f"127.0.0.1:{port}"],
                            stdout=log, stderr=log)
    try:
        return run(port, db, seconds, clients)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def request(conn, method, path, body=None, headers=None):
    hdrs = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body)
        hdrs["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    return resp.status, resp.getheader("X-Cache"), resp.read()


def run(port, db, seconds, clients):
    deadline = time.monotonic() + 10
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            request(conn, "GET", "/healthz")
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("stale_check: lightapid did not start")
            time.sleep(0.1)

    lock = threading.Lock()
    acked = {}    # row id -> highest acknowledged version
    written = {}  # (row id, version) -> name written with that version
    for i in range(HOT_ROWS):
        status, _, body = request(conn, "POST", "/items", {"name": f"seed {i}"})
        row = json.loads(body)
        assert status == 201, body
        acked[row["id"]] = row["version"]
        written[(row["id"], row["version"])] = row["name"]
    ids = sorted(acked)
    conn.close()

    stats = {"requests": 0, "gets": 0, "writes": 0, "hits": 0, "stale": 0,
             "newer_than_db": 0, "wrong_body": 0, "errors": 0,
             "conflicts": 0}
    problems = []
    end = time.monotonic() + seconds

    def client(seed):
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        # Its own read-only handle: the check reads the database as the
        # daemon left it, not through the daemon.
        check = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        local = dict.fromkeys(stats, 0)
        n = 0
        while time.monotonic() < end:
            rid = rnd.choice(ids)
            n += 1
            try:
                if rnd.random() < 0.10:
                    name = f"c{seed}-{n}"
                    status, _, body = request(
                        conn, "PATCH", f"/items/{rid}", {"name": name},
                        {"If-Match": "*"})
                    local["requests"] += 1
                    if status == 412:
                        # Another client's write to the row landed between
                        # lightapid's compare and its write: documented as
                        # 412 even for "*"; nothing written, nothing to check.
                        local["conflicts"] += 1
                        continue
                    if status != 200:
                        local["errors"] += 1
                        with lock:
                            problems.append(f"PATCH /items/{rid}: {status} "
                                            f"{body[:200]!r}")
                        continue
                    row = json.loads(body)
                    with lock:
                        written[(rid, row["version"])] = row["name"]
                        if row["version"] > acked[rid]:
                            acked[rid] = row["version"]
                    local["writes"] += 1
                else:
                    with lock:
                        floor = acked[rid]
                    status, xcache, body = request(conn, "GET",
                                                   f"/items/{rid}")
                    local["requests"] += 1
                    if status != 200:
                        local["errors"] += 1
                        with lock:
                            problems.append(f"GET /items/{rid}: {status} "
                                            f"{body[:200]!r}")
                        continue
                    local["gets"] += 1
                    local["hits"] += xcache == "HIT"
                    row = json.loads(body)
                    v = row["version"]
                    dbv = check.execute("SELECT version FROM items WHERE id=?",
                                        (rid,)).fetchone()[0]
                    with lock:
                        expect = written.get((rid, v))
                    if v < floor:
                        local["stale"] += 1
                        problems.append(f"GET /items/{rid}: version {v} "
                                        f"after {floor} was acknowledged "
                                        f"(X-Cache {xcache})")
                    if v > dbv:
                        local["newer_than_db"] += 1
                    # The PATCH that wrote version v may not be recorded
                    # yet (its answer still in flight): no check then.
                    if expect is not None and expect != row["name"]:
                        local["wrong_body"] += 1
                        problems.append(f"GET /items/{rid}: version {v} "
                                        f"named {row['name']!r}, written "
                                        f"as {expect!r}")
            except (OSError, http.client.HTTPException) as e:
                local["errors"] += 1
                with lock:
                    problems.append(f"/items/{rid}: {e!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port,
                                                  timeout=10)
        with lock:
            for k, v in local.items():
                stats[k] += v

    threads = [threading.Thread(target=client, args=(s,))
               for s in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # After the load: every row's GET must give the database's row.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    check = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    final_bad = 0
    for rid in ids:
        _, _, body = request(conn, "GET", f"/items/{rid}")
        row = json.loads(body)
        dbrow = check.execute("SELECT name, version FROM items WHERE id=?",
                              (rid,)).fetchone()
        if (row["name"], row["version"]) != tuple(dbrow):
            final_bad += 1
            problems.append(f"final GET /items/{rid}: {row} vs db {dbrow}")

    print(f"{seconds:g} s, {clients} clients, 2 workers, {HOT_ROWS} rows, "
          "meta.cache ttl 60")
    print(f"requests {stats['requests']} (GET {stats['gets']}, "
          f"PATCH {stats['writes']} + {stats['conflicts']} refused with 412), "
          f"cache hits {stats['hits']}, errors {stats['errors']}")
    print(f"stale reads {stats['stale']}, newer than the database "
          f"{stats['newer_than_db']}, wrong body {stats['wrong_body']}, "
          f"final mismatches {final_bad}")
    for p in problems[:20]:
        print("  " + p)
    bad = (stats["stale"] + stats["newer_than_db"] + stats["wrong_body"] +
           final_bad + stats["errors"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
