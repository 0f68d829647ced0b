"""List queries on reflected tables (SPEC sections 3 and 6): the tie-break
is the table's own primary key, whatever its name or type, and filters are
coerced to the reflected column types."""

import pytest

from conftest import sqlite_db
from test_query_helpers import (assert_query_422, get_ok, order_ref, qs,
                                walk_cursor, walk_pages)

SCHEMA = [
    """CREATE TABLE people (pid INTEGER PRIMARY KEY AUTOINCREMENT,
                            name TEXT NOT NULL, age INTEGER, score REAL,
                            city TEXT)""",
    ("INSERT INTO people (name, age, score, city) VALUES (?, ?, ?, ?)",
     [(f"p{i:02d}", None if i % 7 == 0 else 20 + i % 5, (i * 3) % 4 / 2,
       ["oslo", "rome", "Lima", None][i % 4]) for i in range(1, 41)]),
    """CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT NOT NULL,
                           weight INTEGER NOT NULL)""",
    ("INSERT INTO codes (code, label, weight) VALUES (?, ?, ?)",
     [(f"k{(i * 37) % 101:03d}", f"label {i % 3}", i % 4) for i in range(1, 30)]),
]

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /people
    reflect: true
    meta:
      filtering: {fields: [age, score, city], search: [name, city], ordering: [age, score, city]}
      pagination: {style: page_number, page_size: 6}
  - route: /folks
    reflect: true
    meta:
      table: people
      filtering: {fields: [age, city], ordering: [age, score]}
      pagination: {style: cursor, page_size: 5}
  - route: /codes
    reflect: true
    meta:
      filtering: {fields: [weight, label], search: [label], ordering: [weight, label]}
      pagination: {style: cursor, page_size: 4}
  - route: /codepages
    reflect: true
    meta:
      table: codes
      filtering: {fields: [weight], ordering: [weight]}
      pagination: {style: page_number, page_size: 4}
"""


@pytest.fixture(scope="module")
def srv(module_server_factory, tmp_path_factory):
    directory = tmp_path_factory.mktemp("qreflect")
    sqlite_db(directory, *SCHEMA)
    s = module_server_factory(CONFIG, directory=directory)
    s.people = get_ok(s, "/people?page_size=100")["results"]
    s.codes = [r for p in walk_cursor(s, "/codes", {}) for r in p["results"]]
    assert len(s.people) == 40 and len(s.codes) == 29
    return s


def keyed(rows, pk):
    """order_ref needs an 'id': use the primary key."""
    return [dict(r, id=r[pk]) for r in rows]


def pks(rows, pk):
    return [r[pk] for r in rows]


def test_default_order_is_primary_key(srv):
    assert pks(srv.people, "pid") == list(range(1, 41))
    assert pks(srv.codes, "code") == sorted(pks(srv.codes, "code"))


@pytest.mark.parametrize("spec", ["", "age", "-age", "score,-age", "city",
                                  "-city,score"])
def test_page_walk_ties_by_integer_pk(srv, spec):
    pages = walk_pages(srv, "/people", {"ordering": spec} if spec else {})
    got = [r["pid"] for p in pages for r in p["results"]]
    assert got == pks(order_ref(keyed(srv.people, "pid"), spec), "id")


@pytest.mark.parametrize("spec", ["", "age", "-age", "-score,age"])
def test_cursor_walk_ties_by_integer_pk(srv, spec):
    params = {"ordering": spec} if spec else {}
    pages = walk_cursor(srv, "/folks", params)
    got = [r["pid"] for p in pages for r in p["results"]]
    assert got == pks(order_ref(keyed(srv.people, "pid"), spec), "id")
    for k in range(1, len(pages)):
        back = get_ok(srv, "/folks" + qs(dict(params,
                                               cursor=pages[k]["previous"])))
        assert back["results"] == pages[k - 1]["results"]


@pytest.mark.parametrize("spec", ["", "weight", "-weight", "label,-weight",
                                  "-label"])
def test_cursor_walk_ties_by_text_pk(srv, spec):
    params = {"ordering": spec} if spec else {}
    pages = walk_cursor(srv, "/codes", params)
    got = [r["code"] for p in pages for r in p["results"]]
    assert got == pks(order_ref(keyed(srv.codes, "code"), spec), "id")
    for k in range(1, len(pages)):
        back = get_ok(srv, "/codes" + qs(dict(params,
                                               cursor=pages[k]["previous"])))
        assert back["results"] == pages[k - 1]["results"]


@pytest.mark.parametrize("spec", ["weight", "-weight"])
def test_page_walk_ties_by_text_pk(srv, spec):
    pages = walk_pages(srv, "/codepages", {"ordering": spec})
    got = [r["code"] for p in pages for r in p["results"]]
    assert got == pks(order_ref(keyed(srv.codes, "code"), spec), "id")


def test_reflected_filters_coerce(srv):
    data = get_ok(srv, "/people?age__gte=23&city=rome&page_size=100")
    assert [r["pid"] for r in data["results"]] == [
        r["pid"] for r in srv.people
        if r["age"] is not None and r["age"] >= 23 and r["city"] == "rome"]
    data = get_ok(srv, "/people?score=0.5&page_size=100")
    assert data["count"] == sum(1 for r in srv.people if r["score"] == 0.5)
    data = get_ok(srv, "/people?city__isnull=true&page_size=100")
    assert data["count"] == 10
    assert_query_422(srv, "/people?age=old", "age", value="old")
    assert_query_422(srv, "/people?score__lt=x", "score__lt", value="x")


def test_reflected_search(srv):
    data = get_ok(srv, "/people?search=LI&page_size=100")
    assert [r["pid"] for r in data["results"]] == [
        r["pid"] for r in srv.people if r["city"] == "Lima"]


def test_reflected_cursor_with_filter(srv):
    pages = walk_cursor(srv, "/codes", {"weight": "2", "ordering": "-label"})
    rows = [r for r in srv.codes if r["weight"] == 2]
    assert [r["code"] for p in pages for r in p["results"]] == pks(
        order_ref(keyed(rows, "code"), "-label"), "id")
