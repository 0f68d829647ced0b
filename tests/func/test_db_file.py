"""F6: an SQLite file deleted, renamed or replaced under a running server.
Writes must be refused (503) instead of going into an unlinked file and
being lost at the next restart; /readyz says so; the log says why once per
worker; and the server reopens the file at its path when it is back."""

import os
import time

import pytest

from conftest import wait_until

pytestmark = pytest.mark.sqlite_only

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

UNAVAILABLE = {"detail": "database unavailable"}


def files(tmp_path):
    return [tmp_path / n for n in ("test.db", "test.db-wal", "test.db-shm")]


def post(srv, name):
    return srv.post("/items", {"name": name})


def test_renamed_file_refuses_writes_then_comes_back(server, tmp_path):
    srv = server(CONFIG, workers=2)
    acked = [post(srv, f"a{i}") for i in range(10)]
    assert all(r[0] == 201 for r in acked)
    for f in files(tmp_path):
        if f.exists():
            f.rename(f.with_name(f.name + ".moved"))
    after = [post(srv, f"b{i}") for i in range(10)]
    assert [r[0] for r in after] == [503] * 10
    assert all(r[2] == UNAVAILABLE for r in after)
    assert srv.get("/readyz")[0] == 503
    assert srv.get("/healthz")[0] == 200
    for f in files(tmp_path):
        moved = f.with_name(f.name + ".moved")
        if moved.exists():
            moved.rename(f)
    assert wait_until(lambda: post(srv, "c")[0] == 201, 2)
    assert srv.get("/readyz")[0] == 200
    names = [r["name"] for r in srv.get("/items")[2]["results"]]
    assert names[:10] == [f"a{i}" for i in range(10)]
    assert not any(n.startswith("b") for n in names)
    log = srv.log().splitlines()
    why = [l for l in log if "writes are refused until the file is back" in l]
    assert 1 <= len(why) <= 2, why  # once per worker at most
    # The outage is not logged again for each of the refused requests.
    errors = [l for l in log if "[error]" in l]
    assert len(errors) <= 3 * 2, errors


def test_deleted_file_acknowledges_no_write(server, tmp_path):
    srv = server(CONFIG, workers=2)
    assert post(srv, "x")[0] == 201
    for f in files(tmp_path):
        if f.exists():
            f.unlink()
    statuses = [post(srv, f"y{i}")[0] for i in range(20)]
    assert statuses == [503] * 20
    assert srv.get("/readyz")[0] == 503
    # No empty database is created in its place by a worker.
    assert not (tmp_path / "test.db").exists()


def test_replaced_file_is_reopened(server, tmp_path):
    srv = server(CONFIG, workers=1)
    assert post(srv, "old")[0] == 201
    db = tmp_path / "test.db"
    copy = tmp_path / "copy.db"
    # A copy of the database (a restore from backup) put in its place.
    import sqlite3
    src = sqlite3.connect(db)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    os.replace(copy, db)
    for f in files(tmp_path)[1:]:
        if f.exists():
            f.unlink()
    first = post(srv, "new")
    assert first[0] == 503, first  # the write that found the swap
    assert wait_until(lambda: post(srv, "new2")[0] == 201, 2)
    names = [r["name"] for r in srv.get("/items")[2]["results"]]
    assert names == ["old", "new2"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGQUIT"])
def test_no_wal_files_after_a_stop(server, tmp_path, sig):
    # The workers close their connections on the way out: the last one
    # checkpoints the WAL and removes the -wal and -shm files.
    import signal as signals
    srv = server(CONFIG_WAL, workers=2)
    assert srv.post("/notes", {"text": "hi"})[0] == 201
    assert srv.get("/notes")[0] == 200
    assert (tmp_path / "test.db-wal").exists()
    srv.signal(getattr(signals, sig))
    assert srv.wait_exit(10) == 0
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("test.db"))
    assert left == ["test.db"]


CONFIG_WAL = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /notes
    fields:
      text: {type: str}
"""
