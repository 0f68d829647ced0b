"""The database goes away under a running lightapid (lightapid(8),
lightapi.yaml(5) status 503): every request that needs it is a 503
{"detail":"database unavailable"}, /readyz too, /healthz stays 200, no
worker dies; when the database comes back lightapid serves again within
two seconds without a restart, and a write cut off by the outage leaves
either its whole row or none.

Only for database servers (LIGHTAPI_TEST_ENGINE=postgresql or mysql).
These tests stop and start a server of their own, not the session's."""

import threading
import time

import pytest

from conftest import ENGINE, Database, WorkerConnections, engine_base_dir

pytestmark = pytest.mark.server_engine_only

UNAVAILABLE = {"detail": "database unavailable"}
OK = {"status": "ok"}
RECOVERY = 2.0  # seconds


@pytest.fixture(scope="module")
def dbserver():
    import engines
    cls = engines.Postgres if ENGINE == "postgresql" else engines.MariaDB
    srv = cls(engine_base_dir())
    try:
        srv.start()
        yield srv
    finally:
        srv.remove()


_made = iter(range(1, 1000))


@pytest.fixture
def outage(dbserver, server):
    """A lightapid on a fresh database of the dedicated server; the
    database server is running again when the test ends."""
    name = f"outage{next(_made)}"
    url = dbserver.create_database(name)
    # Commits reach the files before they are acknowledged (the session
    # server trades that for speed), so a crash (kill()) loses nothing
    # that was acknowledged. Set for each test: the server's command line
    # turns it off again at every start, and outranks ALTER SYSTEM; a
    # database's own setting outranks the command line.
    if ENGINE == "postgresql":
        dbserver.psql(f"ALTER DATABASE {name} SET synchronous_commit = on")
    else:
        dbserver.sql("SET GLOBAL innodb_flush_log_at_trx_commit = 1")
    # A worker holding max_connections stops accepting, so the tests can
    # open a connection to each worker (WorkerConnections).
    srv = server("""\
database:
  url: "%s"
server:
  max_connections: 4
endpoints:
  - route: /items
    fields:
      name: {type: str}
      qty: {type: int}
      note: {type: str}
""" % url, workers=2)
    srv.dbserver = dbserver
    srv.database = Database(ENGINE, url, name=name, server=dbserver)
    yield srv
    if dbserver.proc is None:
        dbserver.start()


def item(k, i):
    return {"name": f"w{k}-{i}", "qty": k * 100000 + i,
            "note": f"note {k}-{i} " + "x" * 100}


def fields(row):
    return {k: row[k] for k in ("name", "qty", "note")}


def assert_unavailable(resp, what):
    status, _, data, raw = resp
    assert (status, data) == (503, UNAVAILABLE), (what, status, raw)


def wait_recovered(pins, pids, started):
    """Poll each worker in pids on its own connection until it serves
    /items and /readyz; until then only 503 "database unavailable" is
    acceptable, and only for RECOVERY seconds after the database came back.
    Returns the seconds it took."""
    deadline = started + RECOVERY
    pending = set(pids)
    while pending:
        for pid in sorted(pending):
            answers = [pins.request(pid, "GET", "/items"),
                       pins.request(pid, "GET", "/readyz")]
            if all(a[0] == 200 for a in answers):
                assert answers[1][2] == OK, answers[1][3]
                pending.discard(pid)
                continue
            for a, what in zip(answers, ("/items", "/readyz")):
                if a[0] != 200:
                    assert_unavailable(a, f"worker {pid}: GET {what}")
        if pending:
            assert time.monotonic() < deadline, \
                f"workers {sorted(pending)} still 503 {RECOVERY} s after " \
                "the database came back"
            time.sleep(0.02)
    return time.monotonic() - started


def fill(srv, count, k=0):
    rows = []
    for i in range(count):
        status, _, row, raw = srv.post("/items", item(k, i))
        assert status == 201, raw
        rows.append(row)
    return rows


def test_outage_is_503_and_recovers_without_restart(outage):
    srv = outage
    fill(srv, 3)
    status, _, before, raw = srv.get("/items")
    assert status == 200, raw
    assert [fields(r) for r in before["results"]] == \
        [item(0, i) for i in range(3)]
    master, workers = srv.pid, srv.worker_pids()
    assert len(workers) == 2
    pins = WorkerConnections(srv)
    for pid in workers:  # each worker has its database connection
        assert pins.request(pid, "GET", "/items")[2] == before

    srv.dbserver.stop()
    # Every worker meets the outage, with every kind of request that
    # needs the database, on its open connection and on new ones.
    for pid in sorted(workers) * 2:
        for method, path, body in (("GET", "/items", None),
                                   ("GET", "/items/1", None),
                                   ("POST", "/items", item(1, 0)),
                                   ("PATCH", "/items/1", {"qty": 7, "version": 1}),
                                   ("DELETE", "/items/2", None),
                                   ("GET", "/readyz", None)):
            assert_unavailable(pins.request(pid, method, path, body),
                               f"worker {pid}: {method} {path}")
        status, _, data, raw = pins.request(pid, "GET", "/healthz")
        assert (status, data) == (200, OK), raw
    for _ in range(4):
        assert_unavailable(srv.get("/items"), "GET /items")
        assert_unavailable(srv.get("/readyz"), "GET /readyz")
        status, _, data, raw = srv.get("/healthz")
        assert (status, data) == (200, OK), raw
    assert srv.alive() and srv.pid == master
    assert srv.worker_pids() == workers, "a worker died or was replaced"

    srv.dbserver.start()
    took = wait_recovered(pins, workers, time.monotonic())
    print(f"{ENGINE}: serving again {took:.2f} s after the restart")
    for pid in sorted(workers):
        status, _, after, raw = pins.request(pid, "GET", "/items")
        assert (status, after) == (200, before), raw
    for pid in sorted(workers):
        status, _, row, raw = pins.request(pid, "POST", "/items", item(2, pid))
        assert status == 201, raw
        assert fields(row) == item(2, pid)
        assert srv.get(f"/items/{row['id']}")[2] == row
    assert srv.pid == master
    assert srv.worker_pids() == workers, "a worker died or was replaced"
    pins.close()
    assert srv.stop() == []


def test_worker_idle_through_the_outage_serves_after_it(outage):
    # A worker that got no request while the database was down holds a
    # connection the restart cut; RECOVERY seconds after the database is
    # back, its first request must still be served, not answered 503.
    srv = outage
    before = fill(srv, 2)
    workers = sorted(srv.worker_pids())
    pins = WorkerConnections(srv)
    for pid in workers:
        assert pins.request(pid, "GET", "/items/1")[2] == before[0]
    busy, idle = workers[0], workers[1]

    srv.dbserver.stop()
    assert_unavailable(pins.request(busy, "GET", "/items"), "GET /items")
    srv.dbserver.start()
    started = time.monotonic()
    wait_recovered(pins, [busy], started)
    # The window has to pass before the idle worker is asked.
    time.sleep(max(0.0, started + RECOVERY - time.monotonic()))
    status, _, data, raw = pins.request(idle, "GET", "/items/2")
    assert (status, data) == (200, before[1]), raw
    status, _, row, raw = pins.request(idle, "POST", "/items", item(3, 0))
    assert status == 201, raw
    assert srv.worker_pids() == set(workers), "a worker died or was replaced"
    pins.close()


def test_repeated_outages(outage):
    srv = outage
    workers = srv.worker_pids()
    pins = WorkerConnections(srv)
    made = []
    for n in range(3):
        srv.dbserver.stop()
        for pid in sorted(workers):
            assert_unavailable(pins.request(pid, "POST", "/items", item(n, 0)),
                               f"worker {pid}: POST /items")
            assert_unavailable(pins.request(pid, "GET", "/readyz"),
                               f"worker {pid}: GET /readyz")
        srv.dbserver.start()
        wait_recovered(pins, workers, time.monotonic())
        for pid in sorted(workers):
            status, _, row, raw = pins.request(pid, "POST", "/items",
                                               item(n, pid))
            assert status == 201, raw
            made.append(item(n, pid))
    status, _, data, raw = srv.get("/items")
    assert status == 200, raw
    assert [fields(r) for r in data["results"]] == made
    assert srv.worker_pids() == workers, "a worker died or was replaced"
    pins.close()


def test_write_in_flight_leaves_whole_row_or_none(outage):
    srv = outage
    workers = srv.worker_pids()
    results = []          # (sent body, status, response JSON or error)
    lock = threading.Lock()
    halt = threading.Event()

    def writer(k):
        i = 0
        while not halt.is_set():
            body = item(k, i)
            try:
                status, _, data, _ = srv.post("/items", body, timeout=10)
            except OSError as exc:
                status, data = None, repr(exc)
            with lock:
                results.append((body, status, data))
            i += 1

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    try:
        def count(status):
            with lock:
                return sum(1 for r in results if r[1] == status)
        assert wait_until_true(lambda: count(201) >= 40, 20), \
            "the writers did not get going"
        srv.dbserver.stop()      # the writers are mid-request
        assert wait_until_true(lambda: count(503) >= 8, 20), \
            "no 503 after the database stopped"
    finally:
        halt.set()
        for t in threads:
            t.join()

    bad = [(b["name"], s, d) for b, s, d in results
           if not (s == 201 or (s, d) == (503, UNAVAILABLE))]
    assert not bad, f"answers other than 201 or 503 unavailable: {bad[:5]}"
    created = {b["name"]: (b, d) for b, s, d in results if s == 201}
    for body, data in created.values():
        assert fields(data) == body, data

    srv.dbserver.start()
    pins = WorkerConnections(srv)
    wait_recovered(pins, workers, time.monotonic())
    pins.close()
    rows = srv.database.query("SELECT id, name, qty, note FROM items")
    sent = {b["name"]: b for b, _, _ in results}
    names = [r[1] for r in rows]
    assert len(names) == len(set(names)), "a write was stored twice"
    for rid, name, qty, note in rows:
        # Every stored row is one request's whole row: nothing half written.
        assert name in sent, name
        assert {"name": name, "qty": int(qty), "note": note} == sent[name]
    stored = set(names)
    lost = [n for n in created if n not in stored]
    assert not lost, f"acknowledged (201) writes missing: {lost[:5]}"
    unacked = stored - set(created)
    print(f"{ENGINE}: {len(created)} writes acknowledged, "
          f"{len(results) - len(created)} refused, {len(unacked)} of those "
          "stored anyway (committed as the connection died)")
    for name in created:
        rid = created[name][1]["id"]
        status, _, data, raw = srv.get(f"/items/{rid}")
        assert (status, data) == (200, created[name][1]), raw
    assert srv.worker_pids() == workers, "a worker died or was replaced"


def wait_until_true(pred, timeout):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# A session that holds a lock on the items table, so the writes lightapid
# sends wait in the database: in flight for certain when it goes down.
LOCK = {
    "postgresql": ("BEGIN;\nLOCK TABLE items IN EXCLUSIVE MODE;\n"
                   "SELECT pg_advisory_lock(4242);\n",
                   "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                   "AND granted",
                   "SELECT count(*) FROM pg_stat_activity WHERE "
                   "wait_event_type = 'Lock' AND datname = current_database()"),
    "mysql": ("LOCK TABLES items WRITE;\nSELECT GET_LOCK('lightapid-test', 0);\n",
              "SELECT IS_USED_LOCK('lightapid-test') IS NOT NULL",
              "SELECT COUNT(*) FROM information_schema.processlist WHERE "
              "db = DATABASE() AND state LIKE '%metadata lock%'"),
}


def lock_items(srv):
    import subprocess
    db = srv.database
    holder = subprocess.Popen(db.server.client_argv(db.name),
                              stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, text=True)
    holder.stdin.write(LOCK[ENGINE][0])
    holder.stdin.flush()
    assert wait_until_true(lambda: db.scalar(LOCK[ENGINE][1]) == "1", 10), \
        "the lock holder did not get its lock"
    return holder


def test_write_waiting_in_the_database_when_it_crashes(outage):
    srv = outage
    workers = srv.worker_pids()
    made = fill(srv, 2)
    pins = WorkerConnections(srv)
    holder = lock_items(srv)
    results = []
    lock = threading.Lock()

    def writer(pid):
        resp = pins.request(pid, "POST", "/items", item(9, pid))
        with lock:
            results.append((pid, resp))

    # One write per worker, each on its worker's own connection.
    threads = [threading.Thread(target=writer, args=(pid,))
               for pid in sorted(workers)]
    try:
        for t in threads:
            t.start()
        # Both workers have an INSERT waiting for the lock.
        assert wait_until_true(
            lambda: int(srv.database.scalar(LOCK[ENGINE][2])) >= 2, 10), \
            "the writes are not waiting in the database"
        # A crash: nothing gets to finish (a clean shutdown may end the
        # lock holder first and let a waiting write commit).
        srv.dbserver.kill()
    finally:
        for t in threads:
            t.join()
        holder.kill()
        holder.wait()
    for pid, resp in results:
        assert_unavailable(resp, f"worker {pid}: POST /items")
    assert len(results) == 2
    srv.dbserver.start()
    wait_recovered(pins, workers, time.monotonic())
    pins.close()
    rows = srv.database.query("SELECT name, qty, note FROM items ORDER BY id")
    assert rows == [(r["name"], str(r["qty"]), r["note"]) for r in made]
    status, _, data, raw = srv.get("/items")
    assert (status, data) == (200, {"results": made}), raw
    assert srv.worker_pids() == workers, "a worker died or was replaced"
