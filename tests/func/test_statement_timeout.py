"""database.statement_timeout (lightapi.yaml(5)): a statement running
longer is cut off, the client gets 503 {"detail":"database unavailable"},
and the worker goes on serving. On SQLite a view whose query counts to a
very large number stands in for a slow query."""

import time

import pytest

from conftest import sqlite_db

pytestmark = pytest.mark.sqlite_only

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
  statement_timeout: 1
endpoints:
  - route: /slow
    reflect: true
    meta: {methods: [GET]}
  - route: /items
    fields:
      name: {type: str}
"""


def test_a_slow_statement_is_cut_off(server, tmp_path):
    sqlite_db(tmp_path,
              "CREATE VIEW slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION "
              "ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT x AS n "
              "FROM c WHERE x = 0")
    srv = server(CONFIG, workers=1)
    pid = srv.worker_pids()
    started = time.monotonic()
    status, _, data, raw = srv.request("GET", "/slow")
    took = time.monotonic() - started
    assert status == 503, raw
    assert data == {"detail": "database unavailable"}
    assert 0.9 < took < 10, took
    assert srv.post("/items", {"name": "after"})[0] == 201
    assert srv.worker_pids() == pid
