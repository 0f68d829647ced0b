"""List queries (SPEC section 6): filters with lookups, search, ordering.

/catalog has no pagination, so every matching row comes back in one
{"results": [...]} body; /products is the same table shape with page-number
pagination, used for the combined request."""

import pytest

from test_query_helpers import (assert_query_422, ascii_lower,
                                get_ok, ids, order_ref, qs, rid, search_ref,
                                seed)

FIELDS = """\
    fields:
      name: {type: str}
      category: {type: str}
      price: {type: float}
      stock: {type: int, optional: true}
      active: {type: bool, default: true}
      released: {type: date, optional: true}
      note: {type: str, optional: true}
"""
FILTERING = ("      filtering: {fields: [category, price, stock, active, name, "
             "released], search: [name, category], ordering: [price, name, "
             "stock]}\n")

CONFIG = f"""\
database:
  url: "sqlite:///{{TMP}}/test.db"
endpoints:
  - route: /catalog
{FIELDS}    meta:
{FILTERING}  - route: /products
{FIELDS}    meta:
{FILTERING}      pagination: {{style: page_number, page_size: 5, max_page_size: 20}}
"""

# name, category, price, stock, active, released, note
DATA = [
    ("Pro Widget", "tools", 19.99, 5, True, "2024-01-15", None),
    ("pro gadget", "tools", 9.5, None, True, None, "x"),
    ("Gadget Pro", "toys", 9.5, 12, False, "2023-06-01", None),
    ("PROFESSIONAL kit", "tools", 120.0, 0, True, "2024-03-01", None),
    ("100% juice", "food", 3.25, 40, True, "2024-01-15", None),
    ("1000 nails", "tools", 4.0, 1000, True, None, None),
    ("a_b connector", "parts", 2.5, 7, False, "2022-12-31", "x"),
    ("axb connector", "parts", 2.5, 8, True, None, None),
    ("back\\slash tool", "tools", 15.0, None, True, "2024-02-29", None),
    ("backslash tool", "tools", 15.0, 3, False, None, None),
    ("\u00dcber gadget", "toys", 49.0, 2, True, "2024-05-05", None),
    ("news digest", "news", 0.0, None, True, "2024-01-01", None),
    ("daily news", "news", 1.0, 10, False, "2023-01-01", None),
    ("Promo pack", "Promo", 5.0, 5, True, None, None),
    ("toy car", "toys", 9.5, 5, True, "2024-01-15", None),
    ("50%off sign", "signs", 3.25, None, False, None, None),
    ("tools & more", "a&b", 7.0, 9, True, None, None),
    ("plain", "misc", 100.0, 1, True, "2025-01-01", None),
]
KEYS = ["name", "category", "price", "stock", "active", "released", "note"]


@pytest.fixture(scope="module")
def srv(module_server_factory):
    s = module_server_factory(CONFIG)
    bodies = [dict(zip(KEYS, row)) for row in DATA]
    s.rows = seed(s, "/catalog", bodies)
    s.prows = seed(s, "/products", bodies)
    assert rid(s.rows) == rid(s.prows) == list(range(1, len(DATA) + 1))
    return s


def where(srv, pred):
    return sorted(r["id"] for r in srv.rows if pred(r))


def got(srv, params):
    return sorted(ids(get_ok(srv, "/catalog" + qs(params))))


def test_unfiltered_list_is_every_row_in_id_order(srv):
    data = get_ok(srv, "/catalog")
    assert list(data) == ["results"]
    assert ids(data) == rid(srv.rows)


# ---- exact filters -----------------------------------------------------------

def test_filter_exact_string(srv):
    assert got(srv, {"category": "tools"}) == where(
        srv, lambda r: r["category"] == "tools")


def test_filter_exact_string_is_case_sensitive(srv):
    assert got(srv, {"category": "TOOLS"}) == []
    assert got(srv, {"category": "promo"}) == []
    assert got(srv, {"category": "Promo"}) == [14]


def test_filter_value_with_reserved_characters(srv):
    assert got(srv, {"category": "a&b"}) == [17]
    assert got(srv, {"name": "tools & more"}) == [17]
    assert got(srv, {"name": "100% juice"}) == [5]


def test_filter_plus_and_percent20_are_spaces(srv):
    assert sorted(ids(get_ok(srv, "/catalog?name=toy+car"))) == [15]
    assert sorted(ids(get_ok(srv, "/catalog?name=toy%20car"))) == [15]


def test_filter_non_ascii_value(srv):
    assert got(srv, {"name": "\u00dcber gadget"}) == [11]


def test_filter_exact_float(srv):
    expected = where(srv, lambda r: r["price"] == 9.5)
    assert expected == [2, 3, 15]
    assert got(srv, {"price": "9.5"}) == expected
    assert got(srv, {"price": "9.50"}) == expected
    assert got(srv, {"price": "100"}) == [18]


def test_filter_exact_int(srv):
    assert got(srv, {"stock": "5"}) == [1, 14, 15]
    assert got(srv, {"stock": "0"}) == [4]


@pytest.mark.parametrize("value,expected", [
    ("true", True), ("false", False), ("1", True), ("0", False),
    ("yes", True), ("no", False), ("on", True), ("off", False),
    ("TRUE", True), ("False", False), ("YES", True), ("Off", False),
])
def test_filter_bool_spellings(srv, value, expected):
    assert got(srv, {"active": value}) == where(
        srv, lambda r: r["active"] is expected)


def test_filter_exact_date(srv):
    assert got(srv, {"released": "2024-01-15"}) == [1, 5, 15]


def test_filters_combine_with_and(srv):
    assert got(srv, {"category": "tools", "active": "false"}) == [10]
    assert got(srv, [("category", "tools"), ("stock__isnull", "false"),
                     ("price__lt", "20")]) == [1, 6, 10]


def test_repeated_parameter_uses_last_value(srv):
    assert got(srv, [("category", "news"), ("category", "toys")]) == where(
        srv, lambda r: r["category"] == "toys")
    assert got(srv, [("price__gte", "1000"), ("price__gte", "50")]) == [4, 18]


# ---- lookups -----------------------------------------------------------------

@pytest.mark.parametrize("param,value,pred", [
    ("price__gt", "9.5", lambda r: r["price"] > 9.5),
    ("price__gte", "9.5", lambda r: r["price"] >= 9.5),
    ("price__lt", "3.25", lambda r: r["price"] < 3.25),
    ("price__lte", "3.25", lambda r: r["price"] <= 3.25),
    ("price__ne", "9.5", lambda r: r["price"] != 9.5),
    ("price__gte", "10", lambda r: r["price"] >= 10),
    ("stock__gt", "8", lambda r: r["stock"] is not None and r["stock"] > 8),
    ("stock__lte", "2", lambda r: r["stock"] is not None and r["stock"] <= 2),
    ("category__ne", "tools", lambda r: r["category"] != "tools"),
    ("released__gte", "2024-02-01",
     lambda r: r["released"] is not None and r["released"] >= "2024-02-01"),
    ("released__lt", "2024-01-01",
     lambda r: r["released"] is not None and r["released"] < "2024-01-01"),
])
def test_comparison_lookups(srv, param, value, pred):
    expected = where(srv, pred)
    assert expected, "bad test data"
    assert got(srv, {param: value}) == expected


def test_in_lookup(srv):
    assert got(srv, {"category__in": "news,toys"}) == where(
        srv, lambda r: r["category"] in ("news", "toys"))
    assert got(srv, {"price__in": "2.5,100"}) == [7, 8, 18]
    assert got(srv, {"stock__in": "5,0,1000"}) == [1, 4, 6, 14, 15]
    assert got(srv, {"category__in": "nothing,food"}) == [5]
    assert got(srv, {"active__in": "false"}) == where(
        srv, lambda r: not r["active"])


def test_in_lookup_single_value(srv):
    assert got(srv, {"category__in": "misc"}) == [18]


@pytest.mark.parametrize("value,isnull", [
    ("true", True), ("false", False), ("1", True), ("0", False),
    ("TRUE", True), ("no", False),
])
def test_isnull_lookup(srv, value, isnull):
    assert got(srv, {"stock__isnull": value}) == where(
        srv, lambda r: (r["stock"] is None) == isnull)
    assert got(srv, {"released__isnull": value}) == where(
        srv, lambda r: (r["released"] is None) == isnull)


def test_contains_is_case_sensitive(srv):
    assert got(srv, {"name__contains": "Pro"}) == [1, 3, 14]
    assert got(srv, {"name__contains": "gadget"}) == [2, 11]


def test_icontains_is_case_insensitive(srv):
    expected = where(srv, lambda r: "pro" in ascii_lower(r["name"]))
    assert expected == [1, 2, 3, 4, 14]
    assert got(srv, {"name__icontains": "pro"}) == expected
    assert got(srv, {"name__icontains": "PRO"}) == expected
    assert got(srv, {"category__icontains": "OOL"}) == where(
        srv, lambda r: r["category"] == "tools")


def test_startswith(srv):
    assert got(srv, {"name__startswith": "Pro"}) == [1, 14]
    assert got(srv, {"category__startswith": "to"}) == where(
        srv, lambda r: r["category"] in ("tools", "toys"))
    assert got(srv, {"name__startswith": "gadget"}) == []


def test_startswith_is_case_sensitive(srv):
    # "pro gadget" and "PROFESSIONAL kit" do not start with "Pro".
    assert got(srv, {"name__startswith": "Pro"}) == [1, 14]
    assert got(srv, {"name__startswith": "pro"}) == [2]


@pytest.mark.parametrize("param", ["name__contains", "name__icontains",
                                   "name__startswith"])
@pytest.mark.parametrize("value", ["%", "_", "\\", "100%", "a_b", "k\\s",
                                   "%off"])
def test_like_wildcards_are_literal(srv, param, value):
    lookup = param.split("__")[1]
    if lookup == "contains":
        pred = lambda r: value in r["name"]
    elif lookup == "icontains":
        pred = lambda r: ascii_lower(value) in ascii_lower(r["name"])
    else:
        pred = lambda r: r["name"].startswith(value)
    assert got(srv, {param: value}) == where(srv, pred)


def test_like_wildcards_spot_checks(srv):
    assert got(srv, {"name__contains": "%"}) == [5, 16]
    assert got(srv, {"name__contains": "_"}) == [7]
    assert got(srv, {"name__contains": "\\"}) == [9]
    assert got(srv, {"name__startswith": "100%"}) == [5]
    assert got(srv, {"name__icontains": "A_B"}) == [7]
    assert got(srv, {"name__icontains": "K\\S"}) == [9]


# ---- ignored parameters --------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"note": "x"}, {"id": "1"}, {"created_at": "2000-01-01"},
    {"version": "7"}, {"bogus": "1"}, {"price__foo": "1"},
    {"category__regex": ".*"}, {"note__isnull": "true"},
    {"id__gt": "5"}, {"page": "abc"}, {"page_size": "0"}, {"cursor": "!!!"},
    {"search": ""},
])
def test_unlisted_params_are_ignored(srv, params):
    data = get_ok(srv, "/catalog" + qs(params))
    assert list(data) == ["results"]
    assert ids(data) == rid(srv.rows)


def test_unknown_lookup_ignored_next_to_real_filter(srv):
    assert got(srv, {"price__foo": "1", "category": "news"}) == [12, 13]


# ---- values that do not coerce ---------------------------------------------------

@pytest.mark.parametrize("param,value,code", [
    ("price", "abc", "float_parsing"),
    ("price__gte", "abc", "float_parsing"),
    ("stock", "x", "int_parsing"),
    ("stock__gt", "1.5", "int_parsing"),
    ("stock__lte", "ten", "int_parsing"),
    ("active", "maybe", "bool_parsing"),
    ("active", "2", "bool_parsing"),
    ("stock__isnull", "perhaps", "bool_parsing"),
    ("released", "notadate", "date_parsing"),
    ("released__gt", "2024-13-45", "date_parsing"),
])
def test_uncoercible_value_is_422(srv, param, value, code):
    item = assert_query_422(srv, "/catalog" + qs({param: value}), param,
                            value=value, types={code})
    assert item["type"] == code, item


@pytest.mark.parametrize("param,value", [
    ("stock__in", "5,x"), ("price__in", "1,abc"), ("active__in", "true,maybe"),
])
def test_uncoercible_in_list_is_422(srv, param, value):
    assert_query_422(srv, "/catalog" + qs({param: value}), param)


def test_422_on_paginated_route_too(srv):
    assert_query_422(srv, "/products?price=abc", "price", value="abc",
                     types={"float_parsing"})


def test_422_body_is_json(srv):
    status, headers, data, raw = srv.get("/catalog?price=abc")
    assert status == 422
    assert headers.get("content-type", "").startswith("application/json")
    # SPEC §4: a validation item with loc ["query", param]; type and msg
    # as Pydantic v2 words them.
    assert data == {"detail": [{
        "type": "float_parsing", "loc": ["query", "price"],
        "msg": "Input should be a valid number, unable to parse string as a number",
        "input": "abc"}]}


# ---- search ----------------------------------------------------------------

@pytest.mark.parametrize("term", [
    "pro", "PRO", "gadget", "tool", "news", "%", "_", "\\", "a_b", "k\\s",
    "100%", "zzz", "&", "ber",
])
def test_search(srv, term):
    expected = sorted(rid(search_ref(srv.rows, ["name", "category"], term)))
    assert got(srv, {"search": term}) == expected


def test_search_spot_checks(srv):
    # "Promo pack" matches by name, category "Promo" too; OR across fields.
    assert got(srv, {"search": "pro"}) == [1, 2, 3, 4, 14]
    assert got(srv, {"search": "%"}) == [5, 16]
    assert got(srv, {"search": "_"}) == [7]
    assert got(srv, {"search": "a_b"}) == [7]
    assert got(srv, {"search": "\\"}) == [9]
    assert got(srv, {"search": "OOL"}) == where(
        srv, lambda r: "ool" in r["name"] or r["category"] == "tools")


def test_search_only_listed_fields(srv):
    # "2024" is only in `released`, and "x" only in `note`: neither searched.
    assert got(srv, {"search": "2024"}) == []
    assert got(srv, {"search": "19.99"}) == []


def test_search_and_filters(srv):
    assert got(srv, {"category": "toys", "search": "gadget"}) == [3, 11]
    assert got(srv, {"search": "pro", "active": "true",
                     "price__lt": "100"}) == [1, 2, 14]


def test_empty_search_ignored(srv):
    assert got(srv, {"search": ""}) == rid(srv.rows)
    assert got(srv, {"search": "", "category": "news"}) == [12, 13]


# ---- ordering ---------------------------------------------------------------

def ordered(srv, params):
    return ids(get_ok(srv, "/catalog" + qs(params)))


@pytest.mark.parametrize("spec", [
    "price", "-price", "stock", "-stock", "price,-name", "-price,name",
    "stock,price", "-stock,-price", "price,stock",
])
def test_ordering(srv, spec):
    assert ordered(srv, {"ordering": spec}) == rid(order_ref(srv.rows, spec))


def test_ordering_ties_broken_by_id_ascending(srv):
    asc = ordered(srv, {"ordering": "price"})
    desc = ordered(srv, {"ordering": "-price"})
    assert asc[asc.index(2):asc.index(2) + 3] == [2, 3, 15]
    assert desc[desc.index(2):desc.index(2) + 3] == [2, 3, 15]


def test_ordering_nulls_smallest(srv):
    nulls = where(srv, lambda r: r["stock"] is None)
    asc = ordered(srv, {"ordering": "stock"})
    desc = ordered(srv, {"ordering": "-stock"})
    assert asc[:len(nulls)] == nulls
    assert desc[-len(nulls):] == nulls
    assert desc[0] == 6


def test_ordering_by_name(srv):
    # Lower-case names only, so byte order and case-folded order agree.
    params = {"category__in": "news,parts,signs,a&b,misc"}
    rows = [r for r in srv.rows
            if r["category"] in ("news", "parts", "signs", "a&b", "misc")]
    assert ordered(srv, dict(params, ordering="name")) == rid(
        order_ref(rows, "name"))
    assert ordered(srv, dict(params, ordering="-name")) == rid(
        order_ref(rows, "-name"))


@pytest.mark.parametrize("spec,effective", [
    ("category", ""), ("-id", ""), ("note", ""), ("created_at", ""),
    ("category,-price", "-price"), ("bogus,price,nope", "price"),
    ("", ""), (",", ""),
])
def test_ordering_unlisted_fields_ignored(srv, spec, effective):
    assert ordered(srv, {"ordering": spec}) == rid(
        order_ref(srv.rows, effective))


def test_ordering_with_filter_and_search(srv):
    params = {"search": "o", "price__gte": "3", "ordering": "-price,name"}
    rows = [r for r in search_ref(srv.rows, ["name", "category"], "o")
            if r["price"] >= 3]
    assert ordered(srv, params) == rid(order_ref(rows, "-price,name"))


# ---- everything at once, with page-number pagination ------------------------------

def test_combined_filters_search_ordering_pagination(srv):
    rows = [r for r in search_ref(srv.prows, ["name", "category"], "o")
            if r["price"] >= 3 and r["active"]]
    expected = rid(order_ref(rows, "-price,name"))
    assert len(expected) == 10, expected
    base = [("active", "on"), ("search", "o"), ("price__gte", "3"),
            ("ordering", "-price,name"), ("page_size", "2")]
    seen = []
    for page in range(1, 6):
        data = get_ok(srv, "/products" + qs(base + [("page", str(page))]))
        assert list(data) == ["count", "pages", "next", "previous", "results"]
        assert data["count"] == 10
        assert data["pages"] == 5
        assert (data["next"] is None) == (page == 5)
        assert (data["previous"] is None) == (page == 1)
        seen += ids(data)
    assert seen == expected


def test_combined_count_reflects_filters(srv):
    data = get_ok(srv, "/products?category=tools&stock__isnull=false")
    assert data["count"] == len(where(
        srv, lambda r: r["category"] == "tools" and r["stock"] is not None))
    assert data["count"] == 4
    assert data["pages"] == 1
    assert ids(data) == [1, 4, 6, 10]


# ---- parameter names and repeats ------------------------------------------------

def test_percent_encoded_parameter_names(srv):
    assert sorted(ids(get_ok(srv, "/catalog?categ%6Fry=news"))) == [12, 13]
    assert sorted(ids(get_ok(srv, "/catalog?price%5F%5Fgte=100"))) == [4, 18]
    assert sorted(ids(get_ok(srv, "/catalog?%73earch=digest"))) == [12]


def test_repeated_search_and_ordering_use_last_value(srv):
    assert got(srv, [("search", "pro"), ("search", "news")]) == where(
        srv, lambda r: "news" in r["name"] or r["category"] == "news")
    assert ordered(srv, [("ordering", "price"), ("ordering", "-price")]) == \
        rid(order_ref(srv.rows, "-price"))


def test_repeated_bad_value_then_good_uses_last(srv):
    assert got(srv, [("price", "abc"), ("price", "100")]) == [18]
    assert_query_422(srv, "/catalog?price=100&price=abc", "price", value="abc")
