"""Cursor pagination (SPEC section 6): keyset pages that never skip or repeat
a row, previous links, ordering, filters, and malformed cursors."""

import base64
import json
import re

import pytest

from test_query_helpers import (assert_query_422, get_ok, ids, order_ref, qs,
                                rid, search_ref, seed, walk_cursor)

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /feed
    fields:
      grp: {type: int}
      tag: {type: str, optional: true}
      price: {type: float, optional: true}
      name: {type: str}
    meta:
      filtering: {fields: [grp, tag, price], search: [name, tag], ordering: [grp, tag, price, name]}
      pagination: {style: cursor, page_size: 7}
  - route: /small
    fields:
      name: {type: str}
    meta:
      pagination: {style: cursor, page_size: 4}
"""

N = 126                 # 18 pages of 7 exactly
SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def row(i):
    return {"grp": (i * 7) % 3,
            "tag": None if i % 5 == 0 else f"t{(i * 11) % 4}",
            "price": None if i % 9 == 0 else float((i * 13) % 10) / 2,
            "name": f"item-{i}" + ("-x" if i % 4 == 0 else "")}


@pytest.fixture(scope="module")
def srv(module_server_factory):
    s = module_server_factory(CONFIG)
    s.rows = seed(s, "/feed", [row(i) for i in range(1, N + 1)])
    seed(s, "/small", [{"name": f"s{i}"} for i in range(1, 11)])
    return s


def flat(pages):
    return [i for p in pages for i in ids(p)]


def test_envelope_keys_in_order(srv):
    data = get_ok(srv, "/feed")
    assert list(data) == ["next", "previous", "results"]
    assert data["previous"] is None
    assert isinstance(data["next"], str) and data["next"]
    assert ids(data) == [1, 2, 3, 4, 5, 6, 7]


def test_envelope_raw_key_order(srv):
    raw = srv.get("/feed")[3]
    positions = [raw.index(f'"{k}":'.encode()) for k in
                 ("next", "previous", "results")]
    assert positions == sorted(positions), raw[:200]


def test_cursor_is_url_safe(srv):
    pages = walk_cursor(srv, "/feed", {"ordering": "-tag,price"})
    cursors = [p["next"] for p in pages if p["next"]] + \
              [p["previous"] for p in pages if p["previous"]]
    assert cursors
    for c in cursors:
        assert SAFE.match(c), c


def test_walk_forward_every_row_once_in_id_order(srv):
    pages = walk_cursor(srv, "/feed", {})
    assert flat(pages) == rid(srv.rows)
    assert all(len(p["results"]) == 7 for p in pages)
    assert len(pages) == 18
    assert pages[-1]["next"] is None
    assert pages[0]["previous"] is None
    assert all(p["previous"] is not None for p in pages[1:])


def test_last_page_not_full(srv):
    pages = walk_cursor(srv, "/small", {})
    assert [ids(p) for p in pages] == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]
    assert pages[-1]["next"] is None


def test_previous_gives_previous_page(srv):
    pages = walk_cursor(srv, "/feed", {})
    for k in range(1, len(pages)):
        back = get_ok(srv, "/feed" + qs({"cursor": pages[k]["previous"]}))
        assert ids(back) == ids(pages[k - 1]), f"previous of page {k + 1}"


def test_previous_then_next_again(srv):
    pages = walk_cursor(srv, "/small", {})
    back = get_ok(srv, "/small" + qs({"cursor": pages[2]["previous"]}))
    assert ids(back) == [5, 6, 7, 8]
    assert back["next"] is not None and back["previous"] is not None
    fwd = get_ok(srv, "/small" + qs({"cursor": back["next"]}))
    assert ids(fwd) == [9, 10]
    back1 = get_ok(srv, "/small" + qs({"cursor": back["previous"]}))
    assert ids(back1) == [1, 2, 3, 4]
    fwd1 = get_ok(srv, "/small" + qs({"cursor": back1["next"]}))
    assert ids(fwd1) == [5, 6, 7, 8]


@pytest.mark.parametrize("spec", [
    "grp", "-grp", "tag", "-tag", "price", "-price", "grp,-tag",
    "-grp,tag,-price", "tag,price", "-price,-tag", "name", "-name",
])
def test_walk_with_ordering(srv, spec):
    pages = walk_cursor(srv, "/feed", {"ordering": spec})
    got = flat(pages)
    assert sorted(got) == rid(srv.rows), "rows repeated or skipped"
    assert got == rid(order_ref(srv.rows, spec))
    assert pages[-1]["next"] is None


@pytest.mark.parametrize("spec", ["", "-grp", "tag", "-tag,price", "-price"])
def test_previous_with_ordering(srv, spec):
    params = {"ordering": spec} if spec else {}
    pages = walk_cursor(srv, "/feed", params)
    for k in range(1, len(pages)):
        back = get_ok(srv, "/feed" + qs(dict(params,
                                              cursor=pages[k]["previous"])))
        assert ids(back) == ids(pages[k - 1]), f"previous of page {k + 1}"


def test_walk_with_filters_and_search(srv):
    params = {"grp": "1", "search": "X", "ordering": "-price"}
    rows = [r for r in search_ref(srv.rows, ["name", "tag"], "X")
            if r["grp"] == 1]
    pages = walk_cursor(srv, "/feed", params)
    assert flat(pages) == rid(order_ref(rows, "-price"))
    assert pages[-1]["next"] is None


def test_walk_with_lookup_filters(srv):
    params = {"price__gte": "1.5", "tag__isnull": "false", "ordering": "tag"}
    rows = [r for r in srv.rows if r["price"] is not None
            and r["price"] >= 1.5 and r["tag"] is not None]
    pages = walk_cursor(srv, "/feed", params)
    assert flat(pages) == rid(order_ref(rows, "tag"))


def test_filters_count_multiple_of_page_size(srv):
    # grp 0 has exactly 42 rows = 6 pages of 7: no empty 7th page.
    rows = [r for r in srv.rows if r["grp"] == 0]
    assert len(rows) == 42
    pages = walk_cursor(srv, "/feed", {"grp": "0"})
    assert len(pages) == 6 and flat(pages) == rid(rows)


def test_empty_result(srv):
    data = get_ok(srv, "/feed?grp=9")
    assert data == {"next": None, "previous": None, "results": []}


def test_cursor_from_ordering_works_with_same_ordering(srv):
    first = get_ok(srv, "/feed?ordering=-price")
    second = get_ok(srv, "/feed" + qs({"ordering": "-price",
                                       "cursor": first["next"]}))
    assert ids(second) == rid(order_ref(srv.rows, "-price"))[7:14]


@pytest.mark.parametrize("made,used", [
    ("price", "-price"), ("price", None), (None, "price"),
    ("grp,tag", "grp"), ("-grp", "grp"),
])
def test_cursor_from_other_ordering_is_422(srv, made, used):
    first = get_ok(srv, "/feed" + qs({"ordering": made} if made else {}))
    params = {"ordering": used} if used else {}
    assert_query_422(srv, "/feed" + qs(dict(params, cursor=first["next"])),
                     "cursor")


def b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "!!!", "abc", "%%%", "a", "====",
    b64(b"not json at all"),
    b64(b'{"id": '),
    b64(b"[1, 2, 3]"),
    b64(b'"just a string"'),
    b64(b"\xff\xfe\x00garbage"),
    b64(json.dumps({"k": [1], "id": "x"}).encode()),
])
def test_bad_cursor_is_422(srv, cursor):
    assert_query_422(srv, "/feed" + qs({"cursor": cursor}), "cursor")


def test_tampered_cursor_is_422_or_consistent(srv):
    # Flipping characters must never crash the daemon nor return garbage:
    # either 422 or a well-formed page.
    good = get_ok(srv, "/feed")["next"]
    for pos in range(0, len(good), max(1, len(good) // 8)):
        c = good[:pos] + ("A" if good[pos] != "A" else "B") + good[pos + 1:]
        status, _, data, raw = srv.get("/feed" + qs({"cursor": c}))
        assert status in (200, 422), raw[:200]
        if status == 200:
            assert list(data) == ["next", "previous", "results"]
        else:
            assert data["detail"][0]["loc"] == ["query", "cursor"]


def test_page_params_do_not_break_cursor_paging(srv):
    data = get_ok(srv, "/feed?page=3")
    assert list(data) == ["next", "previous", "results"]


def _decode(cursor):
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return None


def _mutations(value):
    """Every variant of a JSON value with one leaf replaced by a wrong one."""
    bad = [None, "x", -1, 1e308, 2 ** 70, [], {}, True, "\u0000", "' OR 1=1 --"]
    if isinstance(value, dict):
        for k in value:
            for v in _mutations(value[k]):
                yield dict(value, **{k: v})
            yield {kk: vv for kk, vv in value.items() if kk != k}
    elif isinstance(value, list):
        for i in range(len(value)):
            for v in _mutations(value[i]):
                yield value[:i] + [v] + value[i + 1:]
        yield value + [1]
        yield value[:-1]
    else:
        for v in bad:
            if v != value or type(v) is not type(value):
                yield v


@pytest.mark.parametrize("spec", ["", "-price,tag", "name"])
def test_forged_cursor_never_500(srv, spec):
    # Whatever the cursor's inside, a forged one is either refused with a
    # 422 on ["query","cursor"] or answered with a well-formed page.
    params = {"ordering": spec} if spec else {}
    first = get_ok(srv, "/feed" + qs(params))
    second = get_ok(srv, "/feed" + qs(dict(params, cursor=first["next"])))
    for real in (first["next"], second["previous"]):
        decoded = _decode(real)
        variants = list(_mutations(decoded)) if decoded is not None else []
        for forged in variants:
            c = b64(json.dumps(forged).encode())
            status, _, data, raw = srv.get("/feed" + qs(dict(params, cursor=c)))
            assert status in (200, 422), (forged, raw[:200])
            if status == 200:
                assert list(data) == ["next", "previous", "results"], raw[:200]
            else:
                assert data["detail"][0]["loc"] == ["query", "cursor"], raw[:200]
    assert srv.get("/healthz")[0] == 200
