"""Shared helpers for the list-query tests (test_query_*.py): seeding,
a Python reference of filters / search / ordering, and walking pages.

No tests live here; the other test_query_*.py modules import it."""

import functools
import http.client
import json
import urllib.parse

def qs(params):
    """params: list of (name, value) pairs, or a dict -> '?a=1&b=2'
    (percent-encoded with urlencode; '' when empty)."""
    if isinstance(params, dict):
        params = list(params.items())
    return "?" + urllib.parse.urlencode(params) if params else ""


def seed(srv, route, rows):
    """POST every row on one keep-alive connection; returns the created
    rows (with their ids) in order."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    out = []
    try:
        for row in rows:
            conn.request("POST", route, body=json.dumps(row),
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            raw = resp.read()
            assert resp.status == 201, (route, row, raw)
            out.append(json.loads(raw))
    finally:
        conn.close()
    return out


def get_ok(srv, path, **kw):
    status, headers, data, raw = srv.get(path, **kw)
    assert status == 200, (path, status, raw[:500])
    assert data is not None, (path, raw[:500])
    return data


def ids(data):
    return [r["id"] for r in data["results"]]


def assert_query_422(srv, path, param, value=None, types=None):
    """GET path must be 422 with one item at loc ['query', param]."""
    status, _, data, raw = srv.get(path)
    assert status == 422, (path, status, raw[:300])
    assert isinstance(data, dict) and list(data) == ["detail"], raw[:300]
    detail = data["detail"]
    assert isinstance(detail, list) and detail, raw[:300]
    items = [d for d in detail if d.get("loc") == ["query", param]]
    assert items, f"{path}: no item with loc ['query', {param!r}] in {raw[:300]!r}"
    item = items[0]
    assert isinstance(item.get("msg"), str) and item["msg"], raw[:300]
    assert isinstance(item.get("type"), str) and item["type"], raw[:300]
    if value is not None:
        assert item.get("input") == value, raw[:300]
    if types is not None:
        assert item["type"] in types, raw[:300]
    return item


# ---- reference semantics ----------------------------------------------------

def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def contains_ci(haystack, needle):
    return haystack is not None and ascii_lower(needle) in ascii_lower(haystack)


def search_ref(rows, fields, term):
    return [r for r in rows if any(contains_ci(r[f], term) for f in fields)]


def _cmp_values(a, b):
    """NULL is the smallest value."""
    if a is None and b is None:
        return 0
    if a is None:
        return -1
    if b is None:
        return 1
    return (a > b) - (a < b)


def order_ref(rows, spec):
    """spec: 'price,-name' (already whitelisted) -> rows sorted by it, ties
    broken by id ascending."""
    keys = []
    for part in [p for p in spec.split(",") if p]:
        keys.append((part.lstrip("-"), part.startswith("-")))

    def cmp(x, y):
        for name, desc in keys:
            c = _cmp_values(x[name], y[name])
            if c:
                return -c if desc else c
        return (x["id"] > y["id"]) - (x["id"] < y["id"])

    return sorted(rows, key=functools.cmp_to_key(cmp))


def rid(rows):
    return [r["id"] for r in rows]


# ---- page links ---------------------------------------------------------------

def link_parts(url):
    """-> (scheme, netloc, path, [(name, value), ...] decoded)."""
    parts = urllib.parse.urlsplit(url)
    return (parts.scheme, parts.netloc, parts.path,
            urllib.parse.parse_qsl(parts.query, keep_blank_values=True,
                                   strict_parsing=bool(parts.query)))


def link_page(url):
    params = dict(link_parts(url)[3])
    return int(params["page"])


def link_path(url):
    """The path and query of an absolute link, to request it again."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def walk_pages(srv, route, params, limit=200):
    """Follow 'next' links of page-number pagination from the first page.
    Returns the list of pages (decoded JSON)."""
    pages = [get_ok(srv, route + qs(params))]
    while pages[-1]["next"] is not None:
        assert len(pages) < limit, "next links do not end"
        pages.append(get_ok(srv, link_path(pages[-1]["next"])))
    return pages


def walk_cursor(srv, route, params, limit=200):
    """Follow 'next' cursors from the first page; returns the pages."""
    params = list(params.items()) if isinstance(params, dict) else list(params)
    pages = [get_ok(srv, route + qs(params))]
    while pages[-1]["next"] is not None:
        assert len(pages) < limit, "next cursors do not end"
        pages.append(get_ok(srv, route + qs(
            params + [("cursor", pages[-1]["next"])])))
    return pages
