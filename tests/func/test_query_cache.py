"""List queries on a cached endpoint (SPEC sections 6 and 10): the cache key
must tell apart query strings that decode differently, page links must
follow the request's Host (and, with trust_proxy, X-Forwarded-*), and writes
must show up in counts and cursor pages."""

import pytest

from test_query_helpers import get_ok, ids, link_parts, qs, seed

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  trust_proxy: true
endpoints:
  - route: /cached
    fields:
      name: {type: str}
      category: {type: str}
    meta:
      filtering: {fields: [category, name], search: [name], ordering: [name]}
      pagination: {style: page_number, page_size: 2}
      cache: {ttl: 60}
  - route: /ccursor
    fields:
      name: {type: str}
    meta:
      filtering: {ordering: [name]}
      pagination: {style: cursor, page_size: 2}
      cache: {ttl: 60}
"""

ROWS = [("n1", "a&b"), ("n2", "a"), ("n3", "a"), ("n4", "a b"),
        ("n5", "a+b"), ("n6", "x"), ("n7", "a&b")]


@pytest.fixture(scope="module")
def srv(module_server_factory):
    s = module_server_factory(CONFIG, workers=1)
    seed(s, "/cached", [{"name": n, "category": c} for n, c in ROWS])
    seed(s, "/ccursor", [{"name": f"c{i}"} for i in range(1, 6)])
    return s


def cats(srv, query):
    data = get_ok(srv, "/cached" + query + ("&" if "?" in query else "?")
                  + "page_size=20")
    return ids(data)


@pytest.mark.parametrize("query,expected", [
    ("?category=a%26b", [1, 7]),
    ("?category=a&b=", [2, 3]),
    ("?category=a+b", [4]),
    ("?category=a%20b", [4]),
    ("?category=a%2Bb", [5]),
    ("?category=a", [2, 3]),
])
def test_cache_key_distinguishes_encodings(srv, query, expected):
    # Each twice, so the second may come from the cache.
    assert cats(srv, query) == expected
    assert cats(srv, query) == expected


def test_cache_key_distinguishes_all_encodings_in_sequence(srv):
    queries = [("?category=a%26b", [1, 7]), ("?category=a&b=", [2, 3]),
               ("?category=a%2Bb", [5]), ("?category=a+b", [4])]
    for _ in range(2):
        for query, expected in queries:
            assert cats(srv, query) == expected, query


def test_links_follow_host_header_through_cache(srv):
    for host in ("one.example", "two.example:8080", "one.example"):
        data = get_ok(srv, "/cached?ordering=name", headers={"Host": host})
        assert link_parts(data["next"])[1] == host, data["next"]


def test_links_follow_forwarded_headers_through_cache(srv):
    for proto, fhost in (("https", "p1.example"), ("http", "p2.example"),
                         ("https", "p1.example")):
        data = get_ok(srv, "/cached?search=n", headers={
            "X-Forwarded-Proto": proto, "X-Forwarded-Host": fhost})
        scheme, netloc = link_parts(data["next"])[:2]
        assert (scheme, netloc) == (proto, fhost), data["next"]


def test_post_updates_count_and_pages(srv):
    before = get_ok(srv, "/cached?category=x")
    assert before["count"] == 1
    seed(srv, "/cached", [{"name": "n8", "category": "x"}])
    after = get_ok(srv, "/cached?category=x")
    assert after["count"] == 2 and after["pages"] == 1


def test_cursor_pages_after_delete(srv):
    first = get_ok(srv, "/ccursor?ordering=name")
    second = get_ok(srv, "/ccursor" + qs({"ordering": "name",
                                          "cursor": first["next"]}))
    assert ids(first) == [1, 2] and ids(second) == [3, 4]
    assert srv.delete("/ccursor/3")[0] == 204
    again = get_ok(srv, "/ccursor" + qs({"ordering": "name",
                                         "cursor": first["next"]}))
    assert ids(again) == [4, 5]
