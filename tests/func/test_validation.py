"""Body validation and coercion (SPEC §3, §4): 422 with Pydantic-style items."""

import pytest

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /v
    fields:
      name: {type: str, min_length: 1, max_length: 5}
      code: {type: str, optional: true, pattern: "^[A-Z]{3}$"}
      qty: {type: int, ge: 0, default: 0}
      small: {type: int, optional: true, gt: 0, lt: 10}
      top: {type: float, optional: true, le: 100}
      ratio: {type: float, optional: true}
      flag: {type: bool, optional: true}
      at: {type: datetime, optional: true}
      day: {type: date, optional: true}
      amount: {type: Decimal, decimal_places: 2, optional: true}
      uid: {type: UUID, optional: true}
"""


# SPEC §4 and lightapi.yaml(5) list the type codes: a bad datetime string
# is datetime_parsing and a bad date string date_parsing.
DATETIME_PARSING = "datetime_parsing"
DATE_PARSING = "date_parsing"


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


def post(srv, body):
    status, _, data, raw = srv.post("/v", body)
    return status, data, raw


def create(srv, **fields):
    body = {"name": "ok"}
    body.update(fields)
    status, data, raw = post(srv, body)
    assert status == 201, raw
    return data


def errors(srv, body, method="POST", path="/v"):
    status, headers, data, raw = srv.request(method, path, body=body)
    assert status == 422, raw
    assert headers.get("content-type", "").startswith("application/json")
    assert list(data) == ["detail"] and isinstance(data["detail"], list), raw
    for item in data["detail"]:
        assert {"type", "loc", "msg"} <= set(item), item
        assert isinstance(item["msg"], str) and item["msg"]
    return data["detail"]


def one_error(srv, body, **kw):
    items = errors(srv, body, **kw)
    assert len(items) == 1, items
    return items[0]


# ---- 422 items --------------------------------------------------------------

def test_missing_required(srv):
    item = one_error(srv, {})
    assert item["type"] == "missing" and item["loc"] == ["name"]


def test_missing_when_null(srv):
    # A NOT NULL field sent as null on POST: Pydantic v2, whose codes SPEC
    # §4 follows, reports string_type with the null input.
    item = one_error(srv, {"name": None})
    assert item["loc"] == ["name"]
    assert item["type"] == "string_type" and item["input"] is None


@pytest.mark.parametrize("value", [5, True, ["a"], {"a": 1}])
def test_string_type(srv, value):
    item = one_error(srv, {"name": value})
    assert item["type"] == "string_type" and item["loc"] == ["name"]
    assert item["input"] == value


def test_string_too_short(srv):
    item = one_error(srv, {"name": ""})
    assert item["type"] == "string_too_short"
    assert item["loc"] == ["name"]
    assert item["input"] == ""
    assert item["ctx"] == {"min_length": 1}


def test_string_too_long(srv):
    item = one_error(srv, {"name": "abcdef"})
    assert item["type"] == "string_too_long"
    assert item["input"] == "abcdef"
    assert item["ctx"] == {"max_length": 5}


def test_string_length_counts_characters(srv):
    # Five characters, ten bytes in UTF-8: within max_length 5.
    assert create(srv, name="\u00e9\u00e9\u00e9\u00e9\u00e9")["name"] == "\u00e9" * 5


def test_string_pattern_mismatch(srv):
    item = one_error(srv, {"name": "a", "code": "abc"})
    assert item["type"] == "string_pattern_mismatch"
    assert item["loc"] == ["code"]
    assert item["input"] == "abc"
    assert item["ctx"] == {"pattern": "^[A-Z]{3}$"}


def test_pattern_match_accepted(srv):
    assert create(srv, code="ABC")["code"] == "ABC"


@pytest.mark.parametrize("value,code", [
    ("abc", "int_parsing"), (1.5, "int_from_float"), ([1], "int_type"),
    ({"a": 1}, "int_type"), ("1.5", "int_parsing"),
])
def test_int_errors(srv, value, code):
    item = one_error(srv, {"name": "a", "qty": value})
    assert item["type"] == code, item
    assert item["loc"] == ["qty"]
    assert item["input"] == value


def test_int_too_large(srv):
    # An int is 64 bits (lightapi.yaml(5) Fields): beyond it, the bound of
    # the column is reported like a declared le.
    item = one_error(srv, {"name": "a", "qty": 10 ** 30})
    assert item == {"type": "less_than_equal", "loc": ["qty"],
                    "msg": "Input should be less than or equal to 9223372036854775807",
                    "input": 10 ** 30, "ctx": {"le": 2 ** 63 - 1}}


@pytest.mark.parametrize("value,code", [("abc", "float_parsing"),
                                        ({}, "float_type"), ([], "float_type")])
def test_float_errors(srv, value, code):
    item = one_error(srv, {"name": "a", "ratio": value})
    assert item["type"] == code and item["loc"] == ["ratio"]


@pytest.mark.parametrize("value,code", [("maybe", "bool_parsing"),
                                        (2, "bool_parsing"), ([], "bool_type")])
def test_bool_errors(srv, value, code):
    item = one_error(srv, {"name": "a", "flag": value})
    assert item["type"] == code and item["loc"] == ["flag"]


def test_greater_than_equal(srv):
    item = one_error(srv, {"name": "a", "qty": -1})
    assert item["type"] == "greater_than_equal"
    assert item["loc"] == ["qty"]
    assert item["input"] == -1
    assert item["ctx"] == {"ge": 0}


def test_bounds_gt_lt_le(srv):
    assert one_error(srv, {"name": "a", "small": 0})["type"] == "greater_than"
    item = one_error(srv, {"name": "a", "small": 10})
    assert item["type"] == "less_than" and item["ctx"] == {"lt": 10}
    item = one_error(srv, {"name": "a", "top": 100.5})
    assert item["type"] == "less_than_equal" and item["ctx"] == {"le": 100}


def test_bounds_inclusive(srv):
    row = create(srv, qty=0, small=9, top=100)
    assert (row["qty"], row["small"], row["top"]) == (0, 9, 100)


@pytest.mark.parametrize("value", ["nope", "2024-13-01T00:00:00",
                                   "2024-01-01T25:00:00"])
def test_datetime_parsing(srv, value):
    item = one_error(srv, {"name": "a", "at": value})
    assert item["type"] == DATETIME_PARSING, item
    assert item["loc"] == ["at"]


def test_datetime_type(srv):
    # Not a string at all: datetime_type, as in Pydantic v2.
    item = one_error(srv, {"name": "a", "at": [2024]})
    assert item["type"] == "datetime_type" and item["loc"] == ["at"]


@pytest.mark.parametrize("value", ["nope", "2024-02-30", "2024-1-1x"])
def test_date_parsing(srv, value):
    item = one_error(srv, {"name": "a", "day": value})
    assert item["type"] == DATE_PARSING, item
    assert item["loc"] == ["day"]


@pytest.mark.parametrize("value", ["abc", "1.2.3", "NaN-ish"])
def test_decimal_parsing(srv, value):
    item = one_error(srv, {"name": "a", "amount": value})
    assert item["type"] == "decimal_parsing", item
    assert item["loc"] == ["amount"]


@pytest.mark.parametrize("value", ["not-a-uuid", "12345678-1234-5678-1234-56781234567",
                                   "12345678-1234-5678-1234-56781234567g"])
def test_uuid_parsing(srv, value):
    item = one_error(srv, {"name": "a", "uid": value})
    assert item["type"] == "uuid_parsing", item
    assert item["loc"] == ["uid"]


def test_one_item_per_failing_field(srv):
    items = errors(srv, {"name": 5, "qty": "abc", "flag": "maybe", "day": "x"})
    got = {(tuple(i["loc"]), i["type"]) for i in items}
    assert got == {
        (("name",), "string_type"), (("qty",), "int_parsing"),
        (("flag",), "bool_parsing"), (("day",), DATE_PARSING)}
    assert len(items) == 4, items
    assert len(items) == 4


def test_missing_and_invalid_together(srv):
    items = errors(srv, {"qty": -5})
    got = {(tuple(i["loc"]), i["type"]) for i in items}
    assert got == {(("name",), "missing"), (("qty",), "greater_than_equal")}


def test_invalid_post_creates_nothing(srv):
    before = len(srv.get("/v")[2]["results"])
    errors(srv, {"name": "a", "qty": -1})
    assert len(srv.get("/v")[2]["results"]) == before


# ---- lax coercion -----------------------------------------------------------

@pytest.mark.parametrize("value,expected", [("12", 12), (2.0, 2), (12, 12),
                                            (" 7 ", 7), ("-3", None)])
def test_int_coercion(srv, value, expected):
    if expected is None:
        # "-3" parses but violates ge: 0.
        assert one_error(srv, {"name": "a", "qty": value})["type"] == \
            "greater_than_equal"
        return
    # " 7 ": coercion is lax as in Pydantic (SPEC §4), which strips the
    # whitespace around a number.
    row = create(srv, qty=value)
    assert row["qty"] == expected and isinstance(row["qty"], int)


@pytest.mark.parametrize("value,expected", [
    ("yes", True), ("on", True), (1, True), ("true", True), (True, True),
    ("no", False), ("off", False), (0, False), ("false", False), (False, False),
])
def test_bool_coercion(srv, value, expected):
    assert create(srv, flag=value)["flag"] is expected


@pytest.mark.parametrize("value,expected", [("3", 3.0), (3, 3.0), (9.5, 9.5),
                                            ("-0.25", -0.25)])
def test_float_coercion(srv, value, expected):
    assert create(srv, ratio=value)["ratio"] == expected


@pytest.mark.parametrize("value,expected", [
    ("9.999", "10.00"), ("1.5", "1.50"), (2, "2.00"), (1.25, "1.25"),
    ("0", "0.00"), ("-3.14159", "-3.14"),
])
def test_decimal_places(srv, value, expected):
    assert create(srv, amount=value)["amount"] == expected


@pytest.mark.parametrize("value,expected", [
    ("2024-01-01T10:00:00+02:00", "2024-01-01T08:00:00"),
    ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00"),
    ("2024-01-01T01:30:00-03:30", "2024-01-01T05:00:00"),
    ("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00"),
    ("2024-01-01T10:00:00.5+00:00", "2024-01-01T10:00:00.500000"),
    ("2024-06-30T12:34:56.123456", "2024-06-30T12:34:56.123456"),
])
def test_datetime_normalised_to_utc(srv, value, expected):
    assert create(srv, at=value)["at"] == expected


def test_date_round_trip(srv):
    assert create(srv, day="2024-02-29")["day"] == "2024-02-29"


def test_uuid_round_trip(srv):
    uid = "a8098c1a-f86e-11da-bd1a-00112444be1e"
    assert create(srv, uid=uid)["uid"] == uid


def test_unknown_keys_ignored(srv):
    row = create(srv, bogus=1, other={"x": 1})
    assert "bogus" not in row and "other" not in row


def test_auto_columns_ignored_on_post(srv):
    row = create(srv, id=99999, version=7, created_at="2000-01-01T00:00:00",
                 updated_at="2000-01-01T00:00:00")
    assert row["id"] != 99999
    assert row["version"] == 1
    assert not row["created_at"].startswith("2000")
    assert not row["updated_at"].startswith("2000")
    assert srv.get("/v/99999")[0] == 404


# ---- PATCH and PUT validation -----------------------------------------------

def test_patch_enforces_constraints(srv):
    row = create(srv)
    path = f"/v/{row['id']}"
    item = one_error(srv, {"name": "", "version": 1}, method="PATCH", path=path)
    assert item["type"] == "string_too_short" and item["loc"] == ["name"]
    item = one_error(srv, {"qty": -1, "version": 1}, method="PATCH", path=path)
    assert item["type"] == "greater_than_equal" and item["ctx"] == {"ge": 0}
    item = one_error(srv, {"code": "x", "version": 1}, method="PATCH", path=path)
    assert item["type"] == "string_pattern_mismatch"
    item = one_error(srv, {"qty": "abc", "version": 1}, method="PATCH", path=path)
    assert item["type"] == "int_parsing"
    # Nothing changed.
    assert srv.get(path)[2] == row


def test_put_enforces_constraints(srv):
    row = create(srv)
    item = one_error(srv, {"name": "toolongname", "version": 1}, method="PUT",
                     path=f"/v/{row['id']}")
    assert item["type"] == "string_too_long"


def test_patch_null_on_not_null_field_ignored(srv):
    row = create(srv, name="keep", qty=4)
    status, _, new, raw = srv.patch(f"/v/{row['id']}",
                                    {"name": None, "qty": None, "version": 1})
    assert status == 200, raw
    assert new["name"] == "keep" and new["qty"] == 4
    assert new["version"] == 2


def test_patch_null_on_optional_field_sets_null(srv):
    row = create(srv, ratio=1.5, code="ABC")
    status, _, new, raw = srv.patch(f"/v/{row['id']}",
                                    {"ratio": None, "code": None, "version": 1})
    assert status == 200, raw
    assert new["ratio"] is None and new["code"] is None
    assert srv.get(f"/v/{row['id']}")[2]["ratio"] is None


def test_patch_coerces(srv):
    row = create(srv)
    status, _, new, raw = srv.patch(f"/v/{row['id']}",
                                    {"qty": "12", "flag": "yes",
                                     "amount": "9.999", "version": 1})
    assert status == 200, raw
    assert new["qty"] == 12 and new["flag"] is True and new["amount"] == "10.00"


def test_patch_ignores_auto_columns(srv):
    row = create(srv)
    status, _, new, raw = srv.patch(f"/v/{row['id']}",
                                    {"id": 123456, "created_at": "2000-01-01T00:00:00",
                                     "version": 1})
    assert status == 200, raw
    assert new["id"] == row["id"] and new["created_at"] == row["created_at"]
