"""Log files: reopened after a reload that moves them, owned by the user
the workers run as, one access line per request with its duration, the
worker named in the error log (issue 14)."""

import os
from pathlib import Path
import re
import shutil
import signal
import tempfile
import time

import pytest

from conftest import children_of, wait_until, write_config

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  shutdown_timeout: 3
  error_log: {TMP}/%(error)s
  access_log: {TMP}/%(access)s
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

# "2026/12/02 10:00:00 [level] PID#SLOT: text", as nginx writes it.
ERROR_LINE = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(\w+)\] "
                        r"(\d+)#(\d+|master): (.*)$")
# Combined format plus the duration in seconds and the request id ("-"
# without RequestIdMiddleware).
ACCESS_LINE = re.compile(r'^(\S+) - - \[[^\]]+\] "([^"]*)" (\d{3}) (\d+) '
                         r'"[^"]*" "[^"]*" (\d+\.\d{3}) (\S+)$')


def config(error="error.log", access="access.log"):
    return CONFIG % {"error": error, "access": access}


def lines_with(path, needle):
    try:
        return [l for l in Path(path).read_text().splitlines() if needle in l]
    except FileNotFoundError:
        return []


def test_access_line_per_request_with_duration(server, tmp_path):
    srv = server(config(), workers=1)
    for i in range(3):
        assert srv.get(f"/items?n={i}")[0] == 200
    assert srv.get("/nowhere")[0] == 404
    log = tmp_path / "access.log"
    assert wait_until(lambda: lines_with(log, "/nowhere"), 3)
    for i in range(3):
        found = lines_with(log, f"/items?n={i} ")
        assert len(found) == 1, found
        m = ACCESS_LINE.match(found[0])
        assert m, found[0]
        assert m.group(2) == f"GET /items?n={i} HTTP/1.1"
        assert m.group(3) == "200"
    m = ACCESS_LINE.match(lines_with(log, "/nowhere")[0])
    assert m and m.group(3) == "404"


def test_access_duration_counts_from_the_first_byte(server, tmp_path):
    srv = server(config(), workers=1)
    with srv.connect() as sock:
        sock.sendall(b"GET /items?slow=1 HTTP/1.1\r\nHo")
        time.sleep(0.4)
        sock.sendall(b"st: t\r\nConnection: close\r\n\r\n")
        sock.settimeout(5)
        while sock.recv(65536):
            pass
    log = tmp_path / "access.log"
    assert wait_until(lambda: lines_with(log, "/items?slow=1"), 3)
    m = ACCESS_LINE.match(lines_with(log, "/items?slow=1")[0])
    assert m, lines_with(log, "/items?slow=1")
    assert 0.35 <= float(m.group(5)) < 3.0, m.group(0)


def test_error_log_names_the_worker(server, tmp_path):
    srv = server(config(), workers=2)
    assert srv.post("/items", {"name": "a"})[0] == 201
    # A table gone from under the server: the worker serving the next
    # request logs the database error.
    srv.db.execute("DROP TABLE items")
    assert srv.get("/items/1")[0] == 500
    log = tmp_path / "error.log"
    assert wait_until(lambda: lines_with(log, "database error"), 3), \
        (tmp_path / "error.log").read_text()
    m = ERROR_LINE.match(lines_with(log, "database error")[0])
    assert m, lines_with(log, "database error")
    assert m.group(1) == "error"
    assert int(m.group(2)) in srv.worker_pids(), (m.group(0), srv.worker_pids())
    assert m.group(3) in ("0", "1")
    # The master's own lines say so.
    started = lines_with(log, "started")
    assert started and ERROR_LINE.match(started[0]).group(3) == "master"
    assert int(ERROR_LINE.match(started[0]).group(2)) == srv.pid


def test_reload_moves_the_logs(server, tmp_path):
    srv = server(config(), workers=1)
    assert srv.get("/items?before=1")[0] == 200
    assert wait_until(lambda: lines_with(tmp_path / "access.log",
                                         "/items?before=1"), 3)
    write_config(srv.dir, config("error-2.log", "access-2.log"),
                 port=srv.port)
    old = srv.worker_pids()
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: srv.worker_pids() and not
                      (srv.worker_pids() & old), 5), srv.worker_pids()
    assert wait_until(lambda: lines_with(tmp_path / "error-2.log",
                                         "reloaded"), 3), srv.log()
    marker = iter(range(1000))

    def logged_in_new_file():
        assert srv.get(f"/items?after={next(marker)}")[0] == 200
        return lines_with(tmp_path / "access-2.log", "/items?after=")
    assert wait_until(logged_in_new_file, 3, interval=0.1)
    assert not lines_with(tmp_path / "access.log", "/items?after=")
    # SIGUSR1 now reopens the new files, not the old ones.
    (tmp_path / "access-2.log").rename(tmp_path / "access-2.log.1")
    srv.signal(signal.SIGUSR1)

    def reopened():
        assert srv.get(f"/items?rotated={next(marker)}")[0] == 200
        return lines_with(tmp_path / "access-2.log", "/items?rotated=")
    assert wait_until(reopened, 3, interval=0.1)
    assert not (tmp_path / "access.log.1").exists()


def test_reload_turns_the_access_log_on(server, tmp_path):
    srv = server(config().replace("  access_log: {TMP}/access.log\n", ""),
                 workers=1)
    assert srv.get("/items?off=1")[0] == 200
    write_config(srv.dir, config(), port=srv.port)
    old = srv.worker_pids()
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: srv.worker_pids() and not
                      (srv.worker_pids() & old), 5)
    assert srv.get("/items?on=1")[0] == 200
    log = tmp_path / "access.log"
    assert wait_until(lambda: lines_with(log, "/items?on=1"), 3)
    assert not lines_with(log, "/items?off=1")


@pytest.mark.sqlite_only  # the database file must be reachable as nobody
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch users")
def test_log_files_belong_to_the_server_user(server):
    # A directory the unprivileged workers can reach; only root (the
    # master) can create files in it, as in /var/log/lightapi.
    shared = Path(tempfile.mkdtemp(prefix="lightapid-logs-", dir="/tmp"))
    shared.chmod(0o755)
    data = shared / "data"
    data.mkdir()
    data.chmod(0o777)
    try:
        srv = server(f"""
database: {{url: "sqlite:///{data}/owned.db"}}
server:
  user: nobody
  error_log: {shared}/error.log
  access_log: {shared}/access.log
endpoints:
  - route: /notes
    fields: {{text: {{type: str}}}}
""", workers=2, directory=shared)
        for name in ("error.log", "access.log"):
            st = (shared / name).stat()
            assert (st.st_uid, st.st_mode & 0o777) == (65534, 0o640), name
        # Rotation without logrotate's "create": the master makes the new
        # files and the workers, no longer root, can open them.
        (shared / "access.log").rename(shared / "access.log.1")
        srv.signal(signal.SIGUSR1)
        marker = iter(range(1000))

        def logged_in_new_file():
            srv.get(f"/notes?n={next(marker)}")
            return lines_with(shared / "access.log", "/notes?n=")
        assert wait_until(logged_in_new_file, 3, interval=0.1)
        assert (shared / "access.log").stat().st_uid == 65534
        assert not lines_with(shared / "error.log", "cannot open log")
        assert srv.stop() == []
    finally:
        shutil.rmtree(shared, ignore_errors=True)


@pytest.mark.sqlite_only  # fills the table directly, fast
def test_access_duration_counts_the_work(server, tmp_path):
    # A search (a substring test on every row) over 300,000 rows takes tens of
    # milliseconds to serve: the logged time includes them (it once came
    # from the clock read before the request was served, and said 0.000).
    import sqlite3
    srv = server(config() + "      category: {type: str}\n"
                 "    meta:\n      filtering: {search: [name]}\n",
                 workers=1)
    con = sqlite3.connect(srv.db_paths[0])
    con.executemany(
        "INSERT INTO items (name, category, created_at, updated_at, version)"
        " VALUES (?, ?, '2026-01-01T00:00:00', '2026-01-01T00:00:00', 1)",
        ((f"n{i}", f"c{i % 1000}") for i in range(300000)))
    con.commit()
    con.close()
    took = []
    for i in range(3):
        started = time.monotonic()
        assert srv.get(f"/items?search=zzz&n={i}")[0] == 200
        took.append(time.monotonic() - started)
    log = tmp_path / "access.log"
    assert wait_until(lambda: lines_with(log, "search=zzz&n=2"), 3)
    for i in range(3):
        m = ACCESS_LINE.match(lines_with(log, f"search=zzz&n={i} ")[0])
        logged = float(m.group(5))
        assert 0.005 <= logged <= took[i] + 0.002, (logged, took[i])
