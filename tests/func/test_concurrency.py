"""Many clients at once against several workers sharing one database."""

import threading

import pytest

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /counters
    fields:
      name: {type: str}
      n: {type: int, default: 0}
"""

THREADS = 8
PER_THREAD = 25


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG, workers=2)


def run_threads(target):
    errors = []

    def wrap(i):
        try:
            target(i)
        except Exception as exc:  # reported below, with the thread's number
            errors.append(f"thread {i}: {exc!r}")

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "client threads hung"
    assert not errors, errors[:5]


def test_concurrent_posts(srv):
    ids = []
    lock = threading.Lock()

    def worker(i):
        for j in range(PER_THREAD):
            status, _, row, raw = srv.post("/counters", {"name": f"t{i}-{j}"})
            assert status == 201, raw
            with lock:
                ids.append(row["id"])

    run_threads(worker)
    assert len(ids) == len(set(ids)) == THREADS * PER_THREAD
    names = {r["name"] for r in srv.get("/counters")[2]["results"]}
    assert {f"t{i}-{j}" for i in range(THREADS) for j in range(PER_THREAD)} <= names


def test_concurrent_updates_of_distinct_rows(srv):
    rows = [srv.post("/counters", {"name": f"row{i}"})[2] for i in range(THREADS)]

    def worker(i):
        path = f"/counters/{rows[i]['id']}"
        for v in range(1, 11):
            status, _, new, raw = srv.patch(path, {"n": v, "version": v})
            assert status == 200, raw
            assert new["version"] == v + 1

    run_threads(worker)
    for row in rows:
        got = srv.get(f"/counters/{row['id']}")[2]
        assert got["n"] == 10 and got["version"] == 11


def test_readers_and_writers(srv):
    row = srv.post("/counters", {"name": "shared"})[2]
    path = f"/counters/{row['id']}"
    reads, writes = [], []
    lock = threading.Lock()

    def worker(i):
        for _ in range(20):
            if i % 2:
                status = srv.get(path)[0]
                with lock:
                    reads.append(status)
            else:
                current = srv.get(path)[2]["version"]
                status = srv.patch(path, {"n": i, "version": current})[0]
                with lock:
                    writes.append(status)

    run_threads(worker)
    assert set(reads) == {200}, sorted(set(reads))
    # Writers may lose the race (409) but nothing may fail on the server.
    assert set(writes) <= {200, 409}, sorted(set(writes))
    assert srv.get(path)[2]["version"] == 1 + writes.count(200)
