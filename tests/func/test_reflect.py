"""Reflected tables (SPEC §2.2, §3): existing tables served as they are."""

import pytest

from conftest import sqlite_db

SCHEMA = [
    """CREATE TABLE people (pid INTEGER PRIMARY KEY AUTOINCREMENT,
                            name TEXT NOT NULL,
                            age INTEGER,
                            email TEXT UNIQUE,
                            score REAL DEFAULT 1.5)""",
    ("INSERT INTO people (name, age, email, score) VALUES (?, ?, ?, ?)",
     [("ann", 31, "ann@x", 2.0), ("bob", None, None, 1.5)]),
    """CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL,
                           version INTEGER NOT NULL DEFAULT 1)""",
    ("INSERT INTO notes (body, version) VALUES (?, ?)", [("first", 1)]),
    "CREATE TABLE events (msg TEXT, level INTEGER)",
    ("INSERT INTO events VALUES (?, ?)", [("boot", 1), ("ready", 2)]),
]

PEOPLE_COLS = ["pid", "name", "age", "email", "score"]

TABLES_FORMAT = """\
database_url: "sqlite:///{TMP}/test.db"
tables:
  - name: people
    crud: [get, post, put, patch, delete]
  - name: notes
    crud: [get, post, put, patch, delete]
  - name: events
    crud: [get, post]
"""

ENDPOINTS_FORMAT = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /people
    reflect: true
  - route: /notes
    reflect: true
  - route: /events
    reflect: true
    meta:
      methods: [GET, POST]
  - route: /folks
    reflect: true
    meta:
      table: people
      methods: [GET]
"""


@pytest.fixture(scope="module", params=["tables", "endpoints"])
def srv(request, module_server_factory, tmp_path_factory):
    directory = tmp_path_factory.mktemp("reflect")
    sqlite_db(directory, *SCHEMA)
    text = TABLES_FORMAT if request.param == "tables" else ENDPOINTS_FORMAT
    return module_server_factory(text, directory=directory)


def test_list_has_exact_columns_in_order(srv):
    status, _, data, raw = srv.get("/people")
    assert status == 200, raw
    rows = data["results"]
    assert rows[0] == {"pid": 1, "name": "ann", "age": 31, "email": "ann@x",
                       "score": 2.0}
    assert rows[1] == {"pid": 2, "name": "bob", "age": None, "email": None,
                       "score": 1.5}
    for row in rows:
        assert list(row) == PEOPLE_COLS


def test_get_by_primary_key(srv):
    status, _, row, _ = srv.get("/people/1")
    assert status == 200
    assert list(row) == PEOPLE_COLS and row["name"] == "ann"
    assert srv.get("/people/999")[:3:2] == (404, {"detail": "not found"})


def test_post(srv):
    status, _, row, raw = srv.post("/people", {"name": "cy", "age": 5,
                                               "email": None, "score": 3.0})
    assert status == 201, raw
    assert list(row) == PEOPLE_COLS
    assert row["name"] == "cy" and row["age"] == 5 and isinstance(row["pid"], int)
    assert srv.get(f"/people/{row['pid']}")[2] == row


def test_post_uses_column_defaults(srv):
    # Nullable columns and columns with a default may be omitted (SPEC §3:
    # reflection reads nullability and defaults).
    status, _, row, raw = srv.post("/people", {"name": "dee"})
    assert status == 201, raw
    assert row["age"] is None and row["email"] is None and row["score"] == 1.5


def test_post_validates_reflected_types(srv):
    status, _, data, raw = srv.post("/people", {"name": "e", "age": "old"})
    assert status == 422, raw
    assert [(i["loc"], i["type"]) for i in data["detail"]] == [(["age"], "int_parsing")]


def test_post_missing_not_null(srv):
    status, _, data, raw = srv.post("/people", {"age": 1})
    assert status == 422, raw
    item = data["detail"][0]
    assert (item["loc"], item["type"]) == (["name"], "missing")


def test_unique_constraint_reflected(srv):
    srv.post("/people", {"name": "u1", "email": "same@x"})
    status, _, data, _ = srv.post("/people", {"name": "u2", "email": "same@x"})
    assert (status, data) == (409, {"detail": "unique constraint violated: people.email"})


def test_update_without_version_column(srv):
    status, _, row, raw = srv.post("/people", {"name": "upd", "age": 1})
    assert status == 201, raw
    path = f"/people/{row['pid']}"
    status, _, new, raw = srv.patch(path, {"age": 2})
    assert status == 200, raw
    assert new == dict(row, age=2)
    status, _, new, raw = srv.put(path, {"name": "upd2", "age": 3, "email": None,
                                         "score": 1.0})
    assert status == 200, raw
    assert new == {"pid": row["pid"], "name": "upd2", "age": 3, "email": None,
                   "score": 1.0}


def test_delete(srv):
    status, _, row, _ = srv.post("/people", {"name": "del"})
    assert srv.delete(f"/people/{row['pid']}")[0] == 204
    assert srv.get(f"/people/{row['pid']}")[0] == 404


def test_version_column_is_checked(srv):
    status, _, row, raw = srv.get("/notes/1")
    assert status == 200, raw
    assert list(row) == ["id", "body", "version"]
    status, _, data, _ = srv.patch("/notes/1", {"body": "x"})
    assert (status, data) == (422, {"detail": [{"loc": ["version"],
                                                "msg": "Field required",
                                                "type": "missing"}]})
    status, _, data, _ = srv.patch("/notes/1", {"body": "x", "version": 99})
    assert (status, data) == (409, {"detail": "version conflict"})


def test_version_column_bumped(srv):
    status, _, row, raw = srv.post("/notes", {"body": "n"})
    assert status == 201, raw
    assert row["version"] == 1
    status, _, new, raw = srv.patch(f"/notes/{row['id']}",
                                    {"body": "m", "version": 1})
    assert status == 200, raw
    assert new == {"id": row["id"], "body": "m", "version": 2}


def test_table_without_primary_key_is_list_only(srv):
    status, _, data, raw = srv.get("/events")
    assert status == 200, raw
    assert data["results"] == [{"msg": "boot", "level": 1},
                                {"msg": "ready", "level": 2}]
    status, headers, data, raw = srv.post("/events", {"msg": "x", "level": 3})
    assert status == 405, raw
    assert data == {"detail": "Method Not Allowed. Allowed: GET"}
    assert headers.get("allow") == "GET, HEAD, OPTIONS"
    # No detail route: SPEC §3 says list only, so /events/1 is an unknown
    # path, a 404 whatever the verb (SPEC §4).
    for method in ("GET", "PUT", "PATCH", "DELETE", "OPTIONS"):
        status, _, data, raw = srv.request(method, "/events/1")
        assert status == 404, (method, raw)
        if method != "OPTIONS":
            assert data == {"detail": "not found"}, (method, raw)
    assert len(srv.get("/events")[2]["results"]) == 2


def test_second_route_on_same_table(srv):
    if srv.config_text is TABLES_FORMAT:
        assert srv.get("/folks")[:3:2] == (404, {"detail": "not found"})
        return
    status, _, data, _ = srv.get("/folks")
    assert status == 200
    assert all(list(r) == PEOPLE_COLS for r in data["results"])
    assert srv.post("/folks", {"name": "z"})[0] == 405
