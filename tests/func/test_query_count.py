"""Counting page-number lists (SPEC section 6, "Counting"): the count cache
in shared memory (dropped by writes through lightapid in any worker, at
most count_ttl seconds old for writes made outside it, kept per filter),
and meta.pagination.count: exact | estimated | none."""

import time

import pytest

from test_query_helpers import get_ok, ids, link_page, seed

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str, min_length: 1}
      category: {type: str}
    meta:
      filtering: {fields: [category]}
      pagination: {style: page_number, page_size: 5, count_ttl: 600}
  - route: /brief
    fields:
      name: {type: str}
    meta:
      pagination: {style: page_number, page_size: 5, count_ttl: 1}
  - route: /fresh
    fields:
      name: {type: str}
    meta:
      pagination: {style: page_number, page_size: 5, count_ttl: 0}
  - route: /nocount
    fields:
      name: {type: str}
      category: {type: str}
    meta:
      filtering: {fields: [category]}
      pagination: {style: page_number, page_size: 5, count: none}
  - route: /est
    fields:
      name: {type: str}
      category: {type: str}
    meta:
      filtering: {fields: [category]}
      pagination: {style: page_number, page_size: 5, count: estimated,
                    count_ttl: 0}
"""

N = 12  # per table: three pages of 5 (the last holds 2)


def row(i):
    return {"name": f"n{i:02d}", "category": "a" if i % 3 == 0 else "b"}


@pytest.fixture(scope="module")
def srv(module_server_factory):
    s = module_server_factory(CONFIG, workers=3)
    for route in ("/items", "/nocount", "/est"):
        seed(s, route, [row(i) for i in range(1, N + 1)])
    for route in ("/brief", "/fresh"):
        seed(s, route, [{"name": f"n{i}"} for i in range(1, N + 1)])
    return s


def count(srv, path):
    return get_ok(srv, path)["count"]


def outside_delete(srv, table, where):
    """A write lightapid does not see: straight into the database."""
    srv.db.execute(f"DELETE FROM {table} WHERE {where}")


def outside_count(srv, table, where="1 = 1"):
    return int(srv.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE {where}"))


# ---- the count cache -----------------------------------------------------------

def test_count_is_cached_over_an_outside_write(srv):
    before = count(srv, "/items")
    top = max(r["id"] for r in get_ok(srv, f"/items?page={(before + 4) // 5}")
              ["results"])
    outside_delete(srv, "items", f"id = {top}")
    assert outside_count(srv, "items") == before - 1
    # Every worker answers from the one cached count (three workers, a
    # new connection per request).
    for _ in range(9):
        assert count(srv, "/items") == before
    # The rows themselves are read fresh: the last page lost its row.
    last = get_ok(srv, f"/items?page={(before + 4) // 5}")
    assert top not in ids(last)
    # A write through lightapid drops the count at once, in every worker.
    seed(srv, "/items", [row(100)])
    for _ in range(9):
        assert count(srv, "/items") == before


@pytest.mark.parametrize("verb", ["POST", "PUT", "PATCH", "DELETE"])
def test_each_write_verb_drops_the_count(srv, verb):
    n = count(srv, "/items")
    first, other = get_ok(srv, "/items")["results"][:2]
    outside_delete(srv, "items", f"id = {first['id']}")
    assert count(srv, "/items") == n  # cached: the delete is not seen
    if verb == "POST":
        status, delta = srv.post("/items", row(400))[0], +1
        assert status == 201
    elif verb == "DELETE":
        status, delta = srv.delete(f"/items/{other['id']}")[0], -1
        assert status == 204
    else:
        body = {"name": f"{verb.lower()}ed", "version": other["version"]}
        if verb == "PUT":
            body["category"] = other["category"]
        status, delta = srv.request(verb, f"/items/{other['id']}", body=body)[0], 0
        assert status == 200
    assert count(srv, "/items") == n - 1 + delta


def test_a_failed_write_keeps_the_count(srv):
    n = count(srv, "/items")
    victim = get_ok(srv, "/items")["results"][0]
    outside_delete(srv, "items", f"id = {victim['id']}")
    assert srv.post("/items", {"name": "", "category": "a"})[0] == 422
    assert srv.delete("/items/999999")[0] == 404
    stale = get_ok(srv, "/items")["results"][0]
    assert srv.patch(f"/items/{stale['id']}",
                     {"name": "x", "version": stale["version"] + 7})[0] == 409
    assert count(srv, "/items") == n
    seed(srv, "/items", [row(300)])
    assert count(srv, "/items") == n


def test_counts_are_kept_per_filter(srv):
    a, b = count(srv, "/items?category=a"), count(srv, "/items?category=b")
    assert a == outside_count(srv, "items", "category = 'a'")
    assert b == outside_count(srv, "items", "category = 'b'")
    victim = get_ok(srv, "/items?category=a")["results"][0]
    outside_delete(srv, "items", f"id = {victim['id']}")
    # The same filter spelled differently is the same count (cached)...
    assert count(srv, "/items?category=%61") == a
    assert count(srv, "/items?category=a&page=1") == a
    # The page size is not part of what is counted.
    assert count(srv, "/items?category=a&page_size=3") == a
    # A filter not counted yet is counted now.
    assert count(srv, "/items?category=zzz") == 0
    assert count(srv, "/items?category=b") == b


def test_count_ttl_bounds_an_outside_write(srv):
    n = count(srv, "/brief")
    outside_delete(srv, "brief", "id = 1")
    assert outside_count(srv, "brief") == n - 1
    deadline = time.monotonic() + 10
    while count(srv, "/brief") != n - 1:
        assert time.monotonic() < deadline, "count_ttl: 1 kept the count"
        time.sleep(0.1)


def test_count_ttl_zero_counts_every_request(srv):
    n = count(srv, "/fresh")
    outside_delete(srv, "fresh", "id = 1")
    assert count(srv, "/fresh") == n - 1


# ---- count: none ---------------------------------------------------------------

def test_none_has_no_count_keys(srv):
    data = get_ok(srv, "/nocount")
    assert list(data) == ["next", "previous", "results"]
    assert ids(data) == [1, 2, 3, 4, 5]
    assert link_page(data["next"]) == 2 and data["previous"] is None


def test_none_finds_next_by_one_row_more(srv):
    total = outside_count(srv, "nocount")
    pages = (total + 4) // 5
    seen = []
    for page in range(1, pages + 1):
        data = get_ok(srv, f"/nocount?page={page}")
        assert (data["next"] is None) == (page == pages), page
        assert (data["previous"] is None) == (page == 1)
        seen += ids(data)
    assert len(seen) == total == len(set(seen))
    # Filters apply; a filter whose rows fill their pages exactly has no
    # next after its last full page.
    a = outside_count(srv, "nocount", "category = 'a'")
    assert a == 4
    data = get_ok(srv, "/nocount?category=a&page_size=2&page=2")
    assert len(data["results"]) == 2 and data["next"] is None
    data = get_ok(srv, "/nocount?category=a&page_size=2&page=1")
    assert link_page(data["next"]) == 2


def test_none_past_the_end(srv):
    data = get_ok(srv, "/nocount?page=99")
    assert data["results"] == [] and data["next"] is None
    assert link_page(data["previous"]) == 98
    data = get_ok(srv, "/nocount?page=9223372036854775807")
    assert data["results"] == [] and data["next"] is None


# ---- count: estimated ----------------------------------------------------------

def test_estimated_filtered_is_exact(srv):
    data = get_ok(srv, "/est?category=b")
    assert data["count"] == outside_count(srv, "est", "category = 'b'")
    assert data["pages"] == (data["count"] + 4) // 5


@pytest.mark.sqlite_only
def test_estimated_on_sqlite_is_exact(srv):
    # SQLite keeps no statistics lightapid can count on.
    outside_delete(srv, "est", "id = 2")
    data = get_ok(srv, "/est")
    assert data["count"] == outside_count(srv, "est")
    assert list(data) == ["count", "pages", "next", "previous", "results"]


def test_estimated_uses_the_statistics(srv, engine):
    if engine == "sqlite":
        pytest.skip("SQLite has no statistics (see the test above)")
    if engine == "postgresql":
        srv.db.execute("ANALYZE est")
        stat = "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE relname = 'est'"
    else:
        srv.db.execute("ANALYZE TABLE est")
        stat = ("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE "
                "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'est'")
    estimate = int(srv.db.scalar(stat))
    assert estimate > 0
    # Rows deleted after the statistics were taken: the count shows the
    # statistics, not the rows (but never fewer rows than the page shows).
    outside_delete(srv, "est", "category = 'a'")
    for _ in range(3):
        data = get_ok(srv, "/est")
        now = int(srv.db.scalar(stat))
        if now == estimate:
            break
        estimate = now  # the engine refreshed its statistics meanwhile
    assert data["count"] == max(estimate, 6)
    assert data["pages"] == (data["count"] + 4) // 5
    assert link_page(data["next"]) == 2


def test_openapi_envelopes_follow_the_count_mode(srv):
    schemas = get_ok(srv, "/openapi.json")["components"]["schemas"]
    lists = {name: s for name, s in schemas.items() if name.endswith(".List")}
    none = [s for n, s in lists.items() if n.lower().startswith("nocount")]
    exact = [s for n, s in lists.items() if n.lower().startswith("items")]
    assert len(none) == 1 and len(exact) == 1, sorted(lists)
    assert none[0]["required"] == ["next", "previous", "results"]
    assert "count" not in none[0]["properties"]
    assert exact[0]["required"] == ["count", "pages", "next", "previous",
                                    "results"]
