"""The engine switch of the harness (conftest.py): SQLite URLs in a config
stand for databases of the engine under test, and tables prepared by hand
(sqlite_db) hold on every engine exactly what they hold in SQLite."""

import pytest

from conftest import ENGINE, database_for, db_url, render, sqlite_db

TRICKY = ["plain", "it's", 'say "hi"', "back\\slash", "new\nline",
          "tab\there", "percent % and ? mark", "ünïcödé ✓ 😀", "", "NULL",
          "--", "'; DROP TABLE t; --"]

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /things
    reflect: true
"""


def test_each_path_is_one_database(tmp_path):
    text = ('a: "sqlite:///{TMP}/one.db"\nb: "sqlite:///{TMP}/two.db"\n'
            'c: {url: "sqlite:///{TMP}/one.db"}\n'
            'd: "${NOT_SET:-sqlite:///{TMP}/two.db}"\n'
            'e: "sqlite:///{TMP}/${NAME}.db"\n')
    out = render(text, tmp_path)
    one, two = db_url(tmp_path, "one.db"), db_url(tmp_path, "two.db")
    assert one != two
    assert out == (f'a: "{one}"\nb: "{two}"\nc: {{url: "{one}"}}\n'
                   f'd: "${{NOT_SET:-{two}}}"\n'
                   f'e: "sqlite:///{tmp_path}/${{NAME}}.db"\n')
    assert render(text, tmp_path) == out
    if ENGINE == "sqlite":
        assert one == f"sqlite:///{tmp_path}/one.db"
    else:
        assert one.startswith(f"{ENGINE}://")
        assert database_for(tmp_path, "one.db").name != \
            database_for(tmp_path, "two.db").name


def test_prepared_values_round_trip(server, tmp_path):
    sqlite_db(tmp_path,
              "CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT, "
              "n INTEGER, x REAL)",
              ("INSERT INTO things (id, label, n, x) VALUES (?, ?, ?, ?)",
               [(i + 1, s, i - 5, i / 4) for i, s in enumerate(TRICKY)] +
               [(100, None, None, None)]))
    srv = server(CONFIG)
    status, _, data, raw = srv.get("/things")
    assert status == 200, raw
    assert data["results"] == \
        [{"id": i + 1, "label": s, "n": i - 5, "x": i / 4}
         for i, s in enumerate(TRICKY)] + \
        [{"id": 100, "label": None, "n": None, "x": None}]
    assert srv.db.query("SELECT label FROM things WHERE id = ?", (2,)) == \
        [("it's",)]
    assert srv.db.query("SELECT label FROM things WHERE id = 100") == [(None,)]


def test_numbering_continues_after_explicit_ids(server, tmp_path):
    # An INTEGER PRIMARY KEY numbers new rows after the largest id, on
    # every engine as in SQLite.
    sqlite_db(tmp_path,
              "CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT NOT NULL)",
              ("INSERT INTO things (id, label) VALUES (?, ?)",
               [(1, "a"), (2, "b"), (7, "c")]))
    srv = server(CONFIG)
    status, _, row, raw = srv.post("/things", {"label": "d"})
    assert status == 201, raw
    assert row == {"id": 8, "label": "d"}
    sqlite_db(tmp_path, "INSERT INTO things (label) VALUES ('e')")
    assert srv.db.query("SELECT id, label FROM things ORDER BY id") == \
        [("1", "a"), ("2", "b"), ("7", "c"), ("8", "d"), ("9", "e")]


@pytest.mark.server_engine_only
def test_server_engine_databases_are_fresh(tmp_path):
    db = database_for(tmp_path, "fresh.db")
    if ENGINE == "postgresql":
        sql = ("SELECT count(*) FROM information_schema.tables "
               "WHERE table_schema = 'public'")
    else:
        sql = ("SELECT COUNT(*) FROM information_schema.tables "
               "WHERE table_schema = DATABASE()")
    assert db.scalar(sql) == "0"
