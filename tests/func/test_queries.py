"""Canned queries (the queries: section): parameters from the query string
and from a JSON body, validated as fields and bound, never spliced (hostile
values find nothing and break nothing); pages; authentication as endpoints;
writes in a transaction that invalidate the tables they name; and the
configuration errors that -t reports at their line."""

import urllib.parse

import pytest

from conftest import pos_of, render, run_cli, sqlite_db, write_config
from test_auth_util import make_token

SECRET = "queries-test-secret-0123456789abcdef"

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%s"
endpoints:
  - route: /books
    fields:
      title: {type: str}
      category: {type: str}
      price: {type: float}
      year: {type: int}
    meta:
      cache: {ttl: 300}
queries:
  - route: /reports/books_by_category
    sql: "SELECT category, COUNT(*) AS n FROM books WHERE price >= :min_price GROUP BY category ORDER BY category"
    params:
      min_price: {type: float, ge: 0, default: 0}
    pagination: {page_size: 2}
  - route: /search
    sql: "SELECT title, year FROM books WHERE title = :title OR year = :year ORDER BY title"
    params:
      title: {type: str, max_length: 100}
      year: {type: int, optional: true}
    methods: [GET, POST]
  - route: /private/count
    sql: "SELECT COUNT(*) AS n FROM books WHERE year >= :year"
    params: {year: {type: int, default: 0}}
    authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
  - route: /admin/count
    sql: "SELECT COUNT(*) AS n FROM books WHERE year >= :year"
    params: {year: {type: int, default: 0}}
    authentication: {backend: JWTAuthentication, permission: IsAdminUser}
  - route: /ops/archive_old
    sql: "UPDATE books SET year = 0 WHERE year < :year"
    params: {year: {type: int}}
    methods: [POST]
    write: true
    invalidates: [books]
  - route: /ops/purge
    sql: "DELETE FROM books WHERE title = :title RETURNING title"
    params: {title: {type: str}}
    methods: [POST]
    write: true
    invalidates: [books]
  - route: /ops/quiet_update
    sql: "UPDATE books SET category = :category WHERE title = :title"
    params: {category: {type: str}, title: {type: str}}
    methods: [POST]
    write: true
""" % SECRET

BOOKS = [
    {"title": "Alpha", "category": "fiction", "price": 5.0, "year": 1990},
    {"title": "Beta", "category": "fiction", "price": 15.0, "year": 2005},
    {"title": "Gamma", "category": "history", "price": 25.0, "year": 2015},
    {"title": "Delta", "category": "science", "price": 0.5, "year": 2020},
    {"title": "\u00dcn\u00efc\u00f8d\u00e9 \u2603 \U0001f600",
     "category": "poetry", "price": 1.0, "year": 2021},
]


@pytest.fixture(scope="module")
def srv(module_server_factory):
    s = module_server_factory(CONFIG)
    for b in BOOKS:
        status, _, _, raw = s.post("/books", b)
        assert status == 201, raw
    return s


def results(srv, path, **kw):
    status, _, data, raw = srv.get(path, **kw)
    assert status == 200, raw
    return data["results"]


def test_get_params_and_column_names(srv):
    rows = results(srv, "/reports/books_by_category?min_price=1")
    assert rows == [{"category": "fiction", "n": 2},
                    {"category": "history", "n": 1}]


def test_default_param_and_pages(srv):
    status, _, data, raw = srv.get("/reports/books_by_category")
    assert status == 200, raw
    assert [r["category"] for r in data["results"]] == ["fiction", "history"]
    assert data["previous"] is None
    assert data["next"].endswith("/reports/books_by_category?page=2")
    status, _, data, raw = srv.get("/reports/books_by_category?page=2")
    assert [r["category"] for r in data["results"]] == ["poetry", "science"]
    assert data["next"] is None
    assert data["previous"].endswith("?page=1")
    data = srv.get("/reports/books_by_category?page=2&page_size=3")[2]
    assert [r["category"] for r in data["results"]] == ["science"]


def test_bad_params_are_422(srv):
    status, _, data, raw = srv.get("/reports/books_by_category?min_price=-1")
    assert status == 422, raw
    assert data["detail"][0]["loc"] == ["query", "min_price"]
    assert data["detail"][0]["type"] == "greater_than_equal"
    status, _, data, raw = srv.get("/reports/books_by_category?min_price=abc")
    assert status == 422, raw
    assert data["detail"][0]["type"] == "float_parsing"
    status, _, data, raw = srv.get("/search")
    assert status == 422, raw
    assert data["detail"][0]["loc"] == ["query", "title"]
    assert data["detail"][0]["type"] == "missing"
    status, _, data, raw = srv.get("/reports/books_by_category?page=0")
    assert status == 422, raw
    assert data["detail"][0]["loc"] == ["query", "page"]


@pytest.mark.parametrize("hostile", [
    "' OR 1=1 --",
    "'; DROP TABLE books; --",
    "; DROP TABLE books",
    "\" OR \"\"=\"",
    ":title",
    "x' UNION SELECT title, year FROM books --",
])
def test_hostile_text_is_bound(srv, hostile):
    status, _, data, raw = srv.get(
        "/search?title=" + urllib.parse.quote(hostile, safe=""))
    assert status == 200, raw
    assert data == {"results": []}
    status, _, data, raw = srv.post("/search", {"title": hostile})
    assert status == 200, raw
    assert data == {"results": []}
    # The table is still there, whole.
    assert results(srv, "/private/count", headers=auth()) == [
        {"n": len(BOOKS)}]


def test_unicode_and_huge_numbers(srv):
    title = BOOKS[4]["title"]
    rows = results(srv, "/search?title=" + urllib.parse.quote(title))
    assert rows == [{"title": title, "year": 2021}]
    status, _, data, raw = srv.get("/search?title=x&year=" + "9" * 30)
    assert status == 422, raw
    assert data["detail"][0]["loc"] == ["query", "year"]
    status, _, data, raw = srv.post("/search", {"title": "x",
                                                 "year": 10 ** 30})
    assert status == 422, raw
    rows = results(srv, "/search?title=x&year=%d" % (2 ** 63 - 1))
    assert rows == []


def test_repeated_parameter_last_wins(srv):
    assert results(srv, "/search?title=Nope&title=Alpha") == [
        {"title": "Alpha", "year": 1990}]


def test_post_reads_the_body(srv):
    status, _, data, raw = srv.post("/search", {"title": "Nope",
                                                 "year": 2015})
    assert status == 200, raw
    assert data == {"results": [{"title": "Gamma", "year": 2015}]}
    status, _, data, raw = srv.post("/search", {"title": "Nope",
                                                 "year": "abc"})
    assert status == 422, raw
    assert data["detail"][0]["loc"][-1] == "year"
    status, _, _, raw = srv.request("POST", "/search", raw_body=b"{nope",
                                    headers={"Content-Type":
                                             "application/json"})
    assert status == 400, raw
    status, headers, _, raw = srv.get("/ops/archive_old")
    assert status == 405, raw
    assert headers["allow"] == "OPTIONS, POST"


def auth(admin=False):
    claims = {"sub": "u1", "exp": 4102444800}
    if admin:
        claims["is_admin"] = True
    return {"Authorization": "Bearer " + make_token(claims, SECRET)}


def test_authentication(srv):
    status, headers, _, raw = srv.get("/private/count")
    assert status == 401, raw
    assert headers["www-authenticate"] == "Bearer"
    status, _, _, raw = srv.get("/private/count",
                                headers={"Authorization": "Bearer x.y.z"})
    assert status == 401, raw
    assert results(srv, "/private/count?year=2015", headers=auth()) == [
        {"n": 3}]
    status, _, _, raw = srv.get("/admin/count", headers=auth())
    assert status == 403, raw
    assert results(srv, "/admin/count", headers=auth(admin=True)) == [
        {"n": len(BOOKS)}]


def titles_by_year(srv):
    status, _, data, raw = srv.get("/books")
    assert status == 200, raw
    return {b["title"]: b["year"] for b in data["results"]}


def test_write_invalidates_named_tables(srv):
    before = titles_by_year(srv)          # now cached
    assert before["Alpha"] == 1990
    # A write that names no table: the cached list stays as it was.
    status, _, data, raw = srv.post("/ops/quiet_update",
                                    {"category": "x", "title": "Nope"})
    assert status == 200, raw
    assert data == {"rows_affected": 0}
    status, _, data, raw = srv.post("/ops/archive_old", {"year": 2000})
    assert status == 200, raw
    assert data == {"rows_affected": 1}
    after = titles_by_year(srv)
    assert after["Alpha"] == 0
    assert after["Beta"] == 2005
    status, _, data, raw = srv.post("/ops/archive_old", {})
    assert status == 422, raw
    assert data["detail"][0]["loc"][-1] == "year"
    # No body at all is no parameters: the same 422, not a 400.
    status, _, data, raw = srv.request("POST", "/ops/archive_old")
    assert status == 422, raw
    assert data["detail"][0]["type"] == "missing"


def test_write_without_invalidates_leaves_cache(srv):
    """The control for the test above: the cache really serves /books."""
    titles_by_year(srv)
    status, _, data, raw = srv.post("/ops/quiet_update",
                                    {"category": "changed", "title": "Beta"})
    assert status == 200, raw
    assert data == {"rows_affected": 1}
    status, _, data, raw = srv.get("/books")
    beta = [b for b in data["results"] if b["title"] == "Beta"][0]
    assert beta["category"] == "fiction"   # still the cached answer
    # Once some write names the table, the change shows.
    srv.post("/ops/archive_old", {"year": 0})
    status, _, data, raw = srv.get("/books")
    beta = [b for b in data["results"] if b["title"] == "Beta"][0]
    assert beta["category"] == "changed"


# A reflected table, made beforehand: -t on a server database creates
# nothing, and the statements are checked against what is there.
HEAD = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /books
    reflect: true
queries:
"""

BOOKS_DDL = ("CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT, "
             "year INTEGER)")

BAD = {
    "undeclared": ("""\
  - route: /q
    sql: "SELECT title FROM books WHERE year = :year AND title = :title"
    params: {year: {type: int}}
""", "sql: \"", "parameter ':title' is not declared"),
    "unused": ("""\
  - route: /q
    sql: "SELECT title FROM books WHERE year = :year"
    params: {year: {type: int}, extra: {type: str}}
""", "extra", "parameter 'extra' is declared but"),
    "bad_sql": ("""\
  - route: /q
    sql: "SELECT title FROM no_such_table WHERE year = :year"
    params: {year: {type: int}}
""", "sql: \"", "query '/q': "),
    "syntax": ("""\
  - route: /q
    sql: "SELEC title FROM books"
""", "sql: \"", "query '/q': "),
    "read_only": ("""\
  - route: /q
    sql: "DELETE FROM books WHERE year = :year"
    params: {year: {type: int}}
""", "sql: \"", "write: true"),
    "two_statements": ("""\
  - route: /q
    sql: "SELECT 1; DROP TABLE books"
""", "sql: \"", "only one statement"),
    "invalidates_unknown": ("""\
  - route: /q
    sql: "UPDATE books SET year = 1"
    write: true
    invalidates: [nope]
""", "nope", "invalidates 'nope'"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_config_errors_at_their_line(tmp_path, name):
    body, needle, msg = BAD[name]
    sqlite_db(tmp_path, BOOKS_DDL)
    text = HEAD + body
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1, err
    rendered = render(text, tmp_path)
    line, col = pos_of(rendered, needle)
    if needle == 'sql: "':
        col += len("sql: ")         # the value after the key
    want = "%s:%d:%d: " % (cfg, line, col)
    lines = [ln for ln in err.splitlines() if ln.startswith(want)]
    assert lines, err
    assert msg in lines[0], err


def test_good_config_passes_t(tmp_path):
    text = HEAD + """\
  - route: /q
    sql: "SELECT title FROM books WHERE title = ':not_a_param' OR year = :year -- :nor_this"
    params: {year: {type: int}}
"""
    sqlite_db(tmp_path, BOOKS_DDL)
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err


def test_openapi_lists_queries(srv):
    status, _, doc, raw = srv.get("/openapi.json")
    assert status == 200, raw
    paths = doc["paths"]
    op = paths["/reports/books_by_category"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["min_price"]["schema"]["minimum"] == 0
    assert params["min_price"]["schema"]["default"] == 0
    assert "required" not in params["min_price"]
    assert set(params) == {"min_price", "page", "page_size"}
    answer = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(answer["properties"]) == {"results", "next", "previous"}
    assert op["security"] == []
    assert set(paths["/search"]) == {"get", "post"}
    body = paths["/search"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert body["required"] == ["title"]
    assert set(paths["/ops/archive_old"]) == {"post"}
    private = paths["/private/count"]["get"]
    assert private["security"] == [{"bearerAuth": []}]
    assert "401" in private["responses"]
    assert "bearerAuth" in doc["components"]["securitySchemes"]
    ref = op["responses"]["422"]["$ref"].split("/")[-1]
    assert ref in doc["components"]["responses"]


def test_openapi_with_queries_validates(srv, tmp_path):
    from test_openapi import validate
    status, _, doc, raw = srv.get("/openapi.json")
    assert status == 200, raw
    validate(doc, tmp_path)


def test_t_before_the_tables_exist(tmp_path, server):
    """-t on an existing database writes nothing: a query over a table the
    start would create gets a note, and the start then checks it."""
    sqlite_db(tmp_path, "CREATE TABLE other (id INTEGER PRIMARY KEY)")
    text = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /books
    fields:
      title: {type: str}
queries:
  - route: /q
    sql: "SELECT title FROM books WHERE title <> :t ORDER BY title"
    params: {t: {type: str}}
"""
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err
    assert "note: query '/q' is checked at start" in err
    srv = server(text)
    assert srv.post("/books", {"title": "A"})[0] == 201
    status, _, data, raw = srv.get("/q?t=B")
    assert status == 200, raw
    assert data == {"results": [{"title": "A"}]}


def test_read_only_transaction_refuses_a_hidden_write(engine, server):
    """PostgreSQL lets a WITH hold a DELETE: the first keyword passes, the
    read-only transaction does not, and the rows stay."""
    if engine != "postgresql":
        pytest.skip("only PostgreSQL writes from inside a WITH")
    srv = server("""\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /books
    fields:
      title: {type: str}
queries:
  - route: /sneaky
    sql: "WITH d AS (DELETE FROM books WHERE title <> :t RETURNING id) SELECT COUNT(*) AS n FROM d"
    params: {t: {type: str}}
""")
    assert srv.post("/books", {"title": "A"})[0] == 201
    status, _, _, raw = srv.get("/sneaky?t=x")
    assert status == 500, raw
    status, _, data, raw = srv.get("/books")
    assert [b["title"] for b in data["results"]] == ["A"]


def test_write_returning_rows(srv):
    status, _, data, raw = srv.post("/ops/purge", {"title": "Delta"})
    assert status == 200, raw
    assert data == {"results": [{"title": "Delta"}]}
    assert "Delta" not in titles_by_year(srv)
    status, _, data, raw = srv.post("/ops/purge", {"title": "Delta"})
    assert status == 200, raw
    assert data == {"rows_affected": 0}
