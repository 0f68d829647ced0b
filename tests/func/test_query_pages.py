"""Page-number pagination (SPEC section 6): envelope, page_size capping,
absolute next/previous links, proxies, stable pages under duplicate sort
values, plus the no-pagination shapes and defaults.pagination."""

import math
import urllib.parse

import pytest

from test_query_helpers import (assert_query_422, get_ok, ids, link_page,
                                link_parts, link_path, order_ref, qs, rid,
                                seed, walk_pages)

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /products
    fields:
      name: {type: str}
      category: {type: str}
      price: {type: float}
    meta:
      filtering: {fields: [category, price], search: [name], ordering: [price, name]}
      pagination: {style: page_number, page_size: 5, max_page_size: 20}
  - route: /dups
    fields:
      grp: {type: int}
      tag: {type: str, optional: true}
      name: {type: str}
    meta:
      filtering: {fields: [grp, tag], search: [name], ordering: [grp, tag]}
      pagination: {style: page_number, page_size: 7}
  - route: /plain
    fields:
      name: {type: str}
    meta:
      filtering: {fields: [name], ordering: [name]}
  - route: /capped
    fields:
      name: {type: str}
    meta:
      filtering: {fields: [name]}
      pagination: {max_page_size: 3}
"""

N_PRODUCTS = 23          # 5 pages of 5 (the last holds 3)
N_DUPS = 126             # 18 pages of 7


def product(i):
    return {"name": f"p{i:02d}", "category": "even" if i % 2 == 0 else "odd",
            "price": float(i % 4)}


def dup(i):
    return {"grp": (i * 7) % 3, "name": f"item-{i}" + ("-x" if i % 4 == 0 else ""),
            "tag": None if i % 5 == 0 else f"t{(i * 11) % 4}"}


@pytest.fixture(scope="module")
def srv(module_server_factory):
    s = module_server_factory(CONFIG)
    s.products = seed(s, "/products", [product(i) for i in range(1, N_PRODUCTS + 1)])
    s.dups = seed(s, "/dups", [dup(i) for i in range(1, N_DUPS + 1)])
    seed(s, "/plain", [{"name": f"n{i}"} for i in range(1, 9)])
    seed(s, "/capped", [{"name": f"c{i}"} for i in range(1, 9)])
    return s


def host(srv):
    return f"127.0.0.1:{srv.port}"


# ---- envelope -----------------------------------------------------------------

def test_envelope_keys_in_order(srv):
    data = get_ok(srv, "/products")
    assert list(data) == ["count", "pages", "next", "previous", "results"]
    assert data["count"] == N_PRODUCTS
    assert data["pages"] == 5
    assert data["previous"] is None
    assert isinstance(data["next"], str)
    assert ids(data) == [1, 2, 3, 4, 5]


def test_envelope_raw_key_order(srv):
    raw = srv.get("/products")[3]
    positions = [raw.index(f'"{k}":'.encode()) for k in
                 ("count", "pages", "next", "previous", "results")]
    assert positions == sorted(positions), raw[:200]


def test_every_page(srv):
    seen = []
    for page in range(1, 6):
        data = get_ok(srv, f"/products?page={page}")
        assert data["count"] == N_PRODUCTS and data["pages"] == 5
        assert (data["next"] is None) == (page == 5)
        assert (data["previous"] is None) == (page == 1)
        if data["next"] is not None:
            assert link_page(data["next"]) == page + 1
        if data["previous"] is not None:
            assert link_page(data["previous"]) == page - 1
        assert len(data["results"]) == (3 if page == 5 else 5)
        seen += ids(data)
    assert seen == list(range(1, N_PRODUCTS + 1))


def test_rows_are_full_rows(srv):
    data = get_ok(srv, "/products?page=2")
    assert data["results"][0] == srv.products[5]


def test_page_past_the_end(srv):
    status, _, data, raw = srv.get("/products?page=99")
    assert status == 200, raw
    assert data["results"] == []
    assert data["count"] == N_PRODUCTS and data["pages"] == 5
    assert data["next"] is None
    assert data["previous"] is not None


def test_empty_result(srv):
    data = get_ok(srv, "/products?category=none")
    assert data == {"count": 0, "pages": 0, "next": None, "previous": None,
                    "results": []}


def test_exact_multiple_has_no_next_on_last_page(srv):
    # 126 dups / 7 = 18 pages exactly.
    data = get_ok(srv, "/dups?page=18")
    assert data["pages"] == 18 and len(data["results"]) == 7
    assert data["next"] is None
    assert get_ok(srv, "/dups?page=19")["results"] == []


@pytest.mark.parametrize("size,expected", [
    ("1", 1), ("3", 3), ("20", 20), ("21", 20), ("1000", 20),
])
def test_page_size_param_capped_at_max_page_size(srv, size, expected):
    data = get_ok(srv, f"/products?page_size={size}")
    assert len(data["results"]) == expected
    assert data["pages"] == math.ceil(N_PRODUCTS / expected)
    assert ids(data) == list(range(1, expected + 1))


def test_page_size_param_with_page(srv):
    data = get_ok(srv, "/products?page_size=4&page=3")
    assert ids(data) == [9, 10, 11, 12]
    assert data["pages"] == 6
    assert dict(link_parts(data["next"])[3])["page_size"] == "4"


def test_max_page_size_defaults_to_100(srv):
    data = get_ok(srv, "/dups?page_size=150")
    assert len(data["results"]) == 100
    assert data["pages"] == 2
    assert data["count"] == N_DUPS
    data = get_ok(srv, "/dups?page_size=150&page=2")
    assert len(data["results"]) == N_DUPS - 100


@pytest.mark.parametrize("param,value", [
    ("page", "abc"), ("page", "0"), ("page", "-1"), ("page", "1.5"),
    ("page_size", "0"), ("page_size", "-5"), ("page_size", "x"),
])
def test_bad_page_params_are_422(srv, param, value):
    assert_query_422(srv, "/products" + qs({param: value}), param)


# ---- links ------------------------------------------------------------------------

def test_links_are_absolute_with_host(srv):
    data = get_ok(srv, "/products?page=2")
    for url, page in ((data["next"], 3), (data["previous"], 1)):
        scheme, netloc, path, params = link_parts(url)
        assert (scheme, netloc, path) == ("http", host(srv), "/products"), url
        assert params == [("page", str(page))], url


def test_links_use_host_header(srv):
    data = get_ok(srv, "/products?page=2",
                  headers={"Host": "api.example.test:8080"})
    assert data["next"] == "http://api.example.test:8080/products?page=3"
    assert data["previous"] == "http://api.example.test:8080/products?page=1"


def test_page_appended_when_absent(srv):
    data = get_ok(srv, "/products?ordering=-price&foo=bar")
    assert link_parts(data["next"])[3] == [
        ("ordering", "-price"), ("foo", "bar"), ("page", "2")]


def test_page_replaced_in_place(srv):
    data = get_ok(srv, "/products?a=1&page=2&ordering=price&z=9")
    assert link_parts(data["next"])[3] == [
        ("a", "1"), ("page", "3"), ("ordering", "price"), ("z", "9")]
    assert link_parts(data["previous"])[3] == [
        ("a", "1"), ("page", "1"), ("ordering", "price"), ("z", "9")]


def test_follow_next_links_reaches_every_row(srv):
    pages = walk_pages(srv, "/products", {"ordering": "-price"})
    assert len(pages) == 5
    got = [i for p in pages for i in ids(p)]
    assert got == rid(order_ref(srv.products, "-price"))


WEIRD = [
    ("q", "a&b"), ("r", "\u00fc"), ("s", "x=y"), ("t", "a+b c"),
    ("u", "100%"), ("v", "#frag"), ("w", "/?;:@,$"), ("x", ""),
    ("y", "\u2603 snow\U0001F600"), ("z", "a%26b"),
]


def test_links_round_trip_reserved_and_non_ascii_values(srv):
    sent = [("search", "p"), ("category", "odd")] + WEIRD + [("page", "2")]
    data = get_ok(srv, "/products" + qs(sent))
    assert data["count"] == 12 and data["pages"] == 3
    for url, page in ((data["next"], "3"), (data["previous"], "1")):
        assert url.isascii() and " " not in url and "#" not in url, url
        scheme, netloc, path, params = link_parts(url)
        assert (scheme, netloc, path) == ("http", host(srv), "/products")
        assert params == sent[:-1] + [("page", page)], url


def test_links_round_trip_with_percent_encoded_request(srv):
    # Sent with %20 instead of + and lower-case hex escapes.
    data = get_ok(srv, "/products?q=a%26b%20c&r=%c3%bc&page=1")
    params = link_parts(data["next"])[3]
    assert params == [("q", "a&b c"), ("r", "\u00fc"), ("page", "2")]


def test_links_keep_filter_values_that_need_encoding(srv):
    data = get_ok(srv, "/products" + qs([("price__in", "0,1"),
                                         ("search", "p0")]))
    # prices 1,0 -> i % 4 in (0, 1), names p0x: i in 1..9
    expected = [i for i in range(1, 10) if i % 4 in (0, 1)]
    assert ids(data) == expected and data["next"] is None
    data = get_ok(srv, "/products" + qs([("price__in", "0,1")]))
    params = link_parts(data["next"])[3]
    assert params == [("price__in", "0,1"), ("page", "2")]
    again = get_ok(srv, link_path(data["next"]))
    assert again["count"] == data["count"]


def test_forwarded_headers_ignored_without_trust_proxy(srv):
    data = get_ok(srv, "/products", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert link_parts(data["next"])[:3] == ("http", host(srv), "/products")


PROXY_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  trust_proxy: true
endpoints:
  - route: /products
    fields:
      name: {type: str}
    meta:
      pagination: {style: page_number, page_size: 2}
"""


def test_forwarded_headers_with_trust_proxy(server):
    srv = server(PROXY_CONFIG)
    seed(srv, "/products", [{"name": f"n{i}"} for i in range(5)])
    data = get_ok(srv, "/products?page=2&x=a%26b", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.com"})
    for url, page in ((data["next"], "3"), (data["previous"], "1")):
        scheme, netloc, path, params = link_parts(url)
        assert (scheme, netloc, path) == ("https", "api.example.com",
                                          "/products"), url
        assert params == [("page", page), ("x", "a&b")], url
    # Without the headers, the Host header is used as usual.
    data = get_ok(srv, "/products")
    assert link_parts(data["next"])[:3] == ("http", f"127.0.0.1:{srv.port}",
                                            "/products")


# ---- stable pages with duplicate sort values ------------------------------------

@pytest.mark.parametrize("spec", ["", "grp", "-grp", "tag", "-tag", "grp,tag",
                                  "-grp,-tag", "tag,-grp"])
def test_walk_pages_with_duplicates_every_row_once(srv, spec):
    params = {"ordering": spec} if spec else {}
    pages = walk_pages(srv, "/dups", params)
    got = [i for p in pages for i in ids(p)]
    assert len(pages) == 18
    assert sorted(got) == rid(srv.dups), "rows repeated or skipped"
    assert got == rid(order_ref(srv.dups, spec))


def test_walk_pages_by_number_with_page_size(srv):
    got = []
    for page in range(1, 14):
        got += ids(get_ok(srv, f"/dups?ordering=-grp&page_size=10&page={page}"))
    assert got == rid(order_ref(srv.dups, "-grp"))


def test_filter_and_search_on_pages(srv):
    rows = [r for r in srv.dups if r["grp"] == 1 and "-x" in r["name"]]
    pages = walk_pages(srv, "/dups", {"grp": "1", "search": "X",
                                      "ordering": "tag"})
    assert pages[0]["count"] == len(rows)
    assert pages[0]["pages"] == math.ceil(len(rows) / 7)
    assert [i for p in pages for i in ids(p)] == rid(order_ref(rows, "tag"))


# ---- without pagination ----------------------------------------------------------

def test_no_pagination_plain_results(srv):
    data = get_ok(srv, "/plain")
    assert list(data) == ["results"]
    assert len(data["results"]) == 8


def test_no_pagination_ignores_page_params(srv):
    data = get_ok(srv, "/plain?page=2&page_size=1")
    assert list(data) == ["results"] and len(data["results"]) == 8
    data = get_ok(srv, "/plain?page=abc&page_size=x")
    assert list(data) == ["results"] and len(data["results"]) == 8


def test_no_pagination_with_ordering_and_filter(srv):
    assert [r["name"] for r in get_ok(srv, "/plain?ordering=-name")[
        "results"]] == [f"n{i}" for i in range(8, 0, -1)]
    assert ids(get_ok(srv, "/plain?name=n3")) == [3]


def test_max_page_size_alone_caps_plain_list(srv):
    data = get_ok(srv, "/capped")
    assert list(data) == ["results"]
    assert len(data["results"]) == 3


def test_max_page_size_alone_with_filter(srv):
    data = get_ok(srv, "/capped?name=c7")
    assert list(data) == ["results"] and ids(data) == [7]


# ---- defaults.pagination ------------------------------------------------------------

DEFAULTS_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
defaults:
  pagination: {style: page_number, page_size: 2}
endpoints:
  - route: /inherit
    fields:
      name: {type: str}
  - route: /own
    fields:
      name: {type: str}
    meta:
      pagination: {style: cursor, page_size: 3}
  - route: /ownpages
    fields:
      name: {type: str}
    meta:
      pagination: {style: page_number, page_size: 4}
  - route: /owncap
    fields:
      name: {type: str}
    meta:
      pagination: {max_page_size: 3}
"""


@pytest.fixture(scope="module")
def dsrv(module_server_factory):
    s = module_server_factory(DEFAULTS_CONFIG)
    for route in ("/inherit", "/own", "/ownpages", "/owncap"):
        seed(s, route, [{"name": f"n{i}"} for i in range(1, 8)])
    return s


def test_defaults_pagination_applies(dsrv):
    data = get_ok(dsrv, "/inherit")
    assert list(data) == ["count", "pages", "next", "previous", "results"]
    assert data["count"] == 7 and data["pages"] == 4
    assert ids(data) == [1, 2]
    assert ids(get_ok(dsrv, "/inherit?page=4")) == [7]


def test_own_cursor_pagination_replaces_default(dsrv):
    data = get_ok(dsrv, "/own")
    assert list(data) == ["next", "previous", "results"]
    assert ids(data) == [1, 2, 3]


def test_own_page_size_replaces_default(dsrv):
    data = get_ok(dsrv, "/ownpages")
    assert data["count"] == 7 and data["pages"] == 2
    assert ids(data) == [1, 2, 3, 4]


def test_own_max_page_size_block_replaces_default(dsrv):
    data = get_ok(dsrv, "/owncap")
    assert list(data) == ["results"]
    assert ids(data) == [1, 2, 3]


def test_repeated_page_uses_last_value(srv):
    assert ids(get_ok(srv, "/products?page=abc&page=2")) == [6, 7, 8, 9, 10]
    assert_query_422(srv, "/products?page=2&page=0", "page")
    assert ids(get_ok(srv, "/products?page_size=1&page_size=2")) == [1, 2]
