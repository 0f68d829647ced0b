"""Shared memory zones seen from outside: the login throttle lives in the
master's segment, so it outlives a worker killed with SIGKILL and a
reload, and a reload that adds login routes gets a throttle too.  The
master bumps the crash epoch when it reaps a worker that died."""

import os
import re
import signal

from conftest import wait_until, write_config
from test_auth_throttle import (CONFIG, LIMIT, PW, assert_429, fail_logins,
                                login)
from test_auth_util import DETAIL_BAD_LOGIN, HASHERS, fresh_source, request

NO_LOGIN = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


def start(server, tmp_path, config=CONFIG):
    (tmp_path / "users").write_text(
        f'tina:{HASHERS["sha512"](PW)}:{{"id": 1, "is_admin": false}}\n')
    return server(config, workers=2)


def settled(srv, count=2, timeout=5):
    return wait_until(lambda: (lambda p: len(p) == count and p)(
        srv.worker_pids()), timeout)


def replaced(srv, old, timeout=5):
    """Waits until none of the pids in old is a worker any more."""
    return wait_until(lambda: (lambda p: len(p) == 2 and not p & old and p)(
        srv.worker_pids()), timeout)


def test_idle_worker_killed_throttle_still_counts_and_serves(server,
                                                             tmp_path):
    srv = start(server, tmp_path)
    src = fresh_source()
    half = LIMIT // 2
    assert fail_logins(srv, src, half) == [(401, DETAIL_BAD_LOGIN)] * half
    before = settled(srv)
    assert before
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: (lambda p: len(p) == 2 and victim not in p)(
        srv.worker_pids()), 3), srv.worker_pids()
    # The counts were in the master's segment, not in the dead worker.
    rest = fail_logins(srv, src, LIMIT - half, start=half)
    assert rest == [(401, DETAIL_BAD_LOGIN)] * (LIMIT - half), rest
    assert_429(login(srv, src))
    # Nothing was wedged: other clients log in and use the API.
    status, _, data, raw = login(srv, fresh_source())
    assert status == 200, raw
    status, _, _, raw = request(
        srv, "GET", "/items",
        headers={"Authorization": f"Bearer {data['token']}"})
    assert status == 200, raw
    assert wait_until(lambda: re.search(
        rf"shared memory epoch 1 after the exit of pid {victim}\b",
        srv.log()), 3), srv.log()[-2000:]


def test_clean_worker_exit_does_not_bump_the_epoch(server, tmp_path):
    srv = start(server, tmp_path)
    old = settled(srv)
    srv.signal(signal.SIGHUP)  # old workers drain and exit with 0
    assert replaced(srv, old), srv.worker_pids()
    assert wait_until(lambda: "reloaded" in srv.log(), 3)
    assert "shared memory epoch" not in srv.log()


def test_throttle_survives_reload(server, tmp_path):
    srv = start(server, tmp_path)
    src = fresh_source()
    fail_logins(srv, src, LIMIT)
    assert_429(login(srv, src))
    old = settled(srv)
    srv.signal(signal.SIGHUP)
    assert replaced(srv, old), srv.worker_pids()
    assert_429(login(srv, src))
    # The zones did not change: the segment was kept, not replaced.
    assert "new segment" not in srv.log()


def test_reload_that_adds_login_routes_throttles(server, tmp_path):
    srv = start(server, tmp_path, NO_LOGIN)
    assert srv.get("/items")[0] == 200
    old = settled(srv)
    write_config(srv.dir, CONFIG, port=srv.port)
    srv.signal(signal.SIGHUP)
    assert replaced(srv, old), srv.log()[-2000:]
    assert "new segment" in srv.log()
    src = fresh_source()
    statuses = fail_logins(srv, src, LIMIT)
    assert statuses == [(401, DETAIL_BAD_LOGIN)] * LIMIT, statuses
    assert_429(login(srv, src))
    status, _, _, raw = login(srv, fresh_source())
    assert status == 200, raw
