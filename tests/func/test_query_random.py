"""Randomised list queries (seeded, so reproducible) checked against a
Python reference: random combinations of filters, lookups, search, ordering
and page / cursor pagination over the same rows."""

import random

import pytest

from test_query_filters import DATA, KEYS
from test_query_helpers import (ascii_lower, get_ok, ids, order_ref, qs,
                                rid, seed, walk_cursor)

def config_text():
    # Plain YAML (no anchors), so the test does not depend on alias support.
    fields = """\
    fields:
      name: {type: str}
      category: {type: str}
      price: {type: float}
      stock: {type: int, optional: true}
      active: {type: bool, default: true}
      released: {type: date, optional: true}
      note: {type: str, optional: true}
"""
    filt = ("      filtering: {fields: [category, price, stock, active, name, "
            "released], search: [name, category], ordering: [price, stock, "
            "released, active]}\n")
    return ("database:\n  url: \"sqlite:///{TMP}/test.db\"\nendpoints:\n"
            "  - route: /pages\n" + fields + "    meta:\n" + filt +
            "      pagination: {style: page_number, page_size: 4, "
            "max_page_size: 50}\n"
            "  - route: /cursors\n" + fields + "    meta:\n" + filt +
            "      pagination: {style: cursor, page_size: 3}\n")


@pytest.fixture(scope="module")
def srv(module_server_factory):
    s = module_server_factory(config_text())
    bodies = [dict(zip(KEYS, row)) for row in DATA]
    s.rows = seed(s, "/pages", bodies)
    seed(s, "/cursors", bodies)
    return s


def values_of(rows, field):
    return sorted({r[field] for r in rows if r[field] is not None},
                  key=lambda v: (str(type(v)), v))


def fmt(v, rng):
    if isinstance(v, bool):
        return random_bool_text(v, rng)
    if isinstance(v, float):
        return repr(v)
    return str(v)


def random_bool_text(v, rng):
    return rng.choice(["true", "1", "yes", "on", "TRUE", "On"] if v else
                       ["false", "0", "no", "off", "False", "NO"])


def substrings(rows, field, rng):
    """A random non-blank substring without surrounding spaces."""
    while True:
        s = rng.choice([r[field] for r in rows])
        i = rng.randrange(len(s))
        j = rng.randrange(i + 1, len(s) + 1)
        if s[i:j].strip() == s[i:j]:
            return s[i:j]


def random_query(rows, rng):
    """-> (list of (param, value), predicate list, ordering spec)."""
    params, preds = [], []
    for _ in range(rng.randrange(0, 4)):
        kind = rng.choice(["exact", "cmp", "ne", "in", "isnull", "text",
                           "search"])
        if kind == "exact":
            f = rng.choice(["category", "price", "stock", "active",
                            "released", "name"])
            v = rng.choice(values_of(rows, f))
            params.append((f, fmt(v, rng)))
            preds.append(lambda r, f=f, v=v: r[f] == v)
        elif kind == "cmp":
            f = rng.choice(["price", "stock", "released"])
            op = rng.choice(["gt", "gte", "lt", "lte"])
            v = rng.choice(values_of(rows, f))
            params.append((f"{f}__{op}", fmt(v, rng)))
            fn = {"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
                  "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}[op]
            preds.append(lambda r, f=f, v=v, fn=fn:
                         r[f] is not None and fn(r[f], v))
        elif kind == "ne":
            f = rng.choice(["category", "price", "active", "name"])
            v = rng.choice(values_of(rows, f))
            params.append((f"{f}__ne", fmt(v, rng)))
            preds.append(lambda r, f=f, v=v: r[f] != v)
        elif kind == "in":
            f = rng.choice(["category", "price", "stock", "released"])
            vs = rng.sample(values_of(rows, f), rng.randrange(1, 4))
            params.append((f"{f}__in", ",".join(fmt(v, rng) for v in vs)))
            preds.append(lambda r, f=f, vs=vs: r[f] in vs)
        elif kind == "isnull":
            f = rng.choice(["stock", "released"])
            v = rng.choice([True, False])
            params.append((f"{f}__isnull", random_bool_text(v, rng)))
            preds.append(lambda r, f=f, v=v: (r[f] is None) == v)
        elif kind == "text":
            f = rng.choice(["name", "category"])
            op = rng.choice(["contains", "icontains", "startswith"])
            if op == "startswith":
                s = rng.choice([r[f] for r in rows])[:rng.randrange(1, 5)]
                s = s.rstrip() or s[0]
            else:
                s = substrings(rows, f, rng)
            if op == "icontains" and rng.random() < 0.5:
                s = s.upper()
            params.append((f"{f}__{op}", s))
            if op == "contains":
                preds.append(lambda r, f=f, s=s: s in r[f])
            elif op == "icontains":
                preds.append(lambda r, f=f, s=s:
                             ascii_lower(s) in ascii_lower(r[f]))
            else:
                preds.append(lambda r, f=f, s=s: r[f].startswith(s))
        else:
            s = substrings(rows, rng.choice(["name", "category"]), rng)
            if rng.random() < 0.5:
                s = s.swapcase() if s.isascii() else s
            params.append(("search", s))
            preds.append(lambda r, s=s: contains_any(r, s))
    # A repeated parameter uses its last value: only keep distinct names.
    seen = {}
    for i, (k, _) in enumerate(params):
        seen[k] = i
    keep = sorted(seen.values())
    params = [params[i] for i in keep]
    preds = [preds[i] for i in keep]
    spec = ",".join(rng.choice(["", "-"]) + f for f in
                    rng.sample(["price", "stock", "released", "active"],
                               rng.randrange(0, 3)))
    if spec:
        params.append(("ordering", spec))
    rng.shuffle(params)
    return params, preds, spec


def contains_any(r, s):
    return any(ascii_lower(s) in ascii_lower(r[f]) for f in ("name", "category"))


def reference(rows, preds, spec):
    return rid(order_ref([r for r in rows if all(p(r) for p in preds)], spec))


@pytest.mark.parametrize("seed_", range(12))
def test_random_page_number_queries(srv, seed_):
    rng = random.Random(1000 + seed_)
    for _ in range(25):
        params, preds, spec = random_query(srv.rows, rng)
        expected = reference(srv.rows, preds, spec)
        size = rng.choice([None, 1, 2, 3, 7, 50])
        base = list(params) + ([("page_size", str(size))] if size else [])
        size = size or 4
        pages = max(1, -(-len(expected) // size))
        page = rng.randrange(1, pages + 2)
        data = get_ok(srv, "/pages" + qs(base + [("page", str(page))]))
        where = (params, page, size)
        assert data["count"] == len(expected), where
        assert data["pages"] == -(-len(expected) // size), where
        assert ids(data) == expected[(page - 1) * size:page * size], where


@pytest.mark.parametrize("seed_", range(8))
def test_random_cursor_queries(srv, seed_):
    rng = random.Random(2000 + seed_)
    for _ in range(10):
        params, preds, spec = random_query(srv.rows, rng)
        expected = reference(srv.rows, preds, spec)
        pages = walk_cursor(srv, "/cursors", params)
        assert [i for p in pages for i in ids(p)] == expected, params
        for k in range(1, len(pages)):
            back = get_ok(srv, "/cursors" + qs(
                list(params) + [("cursor", pages[k]["previous"])]))
            assert ids(back) == ids(pages[k - 1]), (params, k)
