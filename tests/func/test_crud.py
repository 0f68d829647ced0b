"""CRUD over a declared endpoint (SPEC §3, §4)."""

import re

import pytest

from conftest import parse_response

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /things
    fields:
      name: {type: str, min_length: 1, max_length: 50}
      body: {type: text, optional: true}
      count: {type: int, default: 0}
      ratio: {type: float, optional: true}
      active: {type: bool, default: true}
      seen_at: {type: datetime, optional: true}
      day: {type: date, optional: true}
      price: {type: Decimal, decimal_places: 2, optional: true}
      uid: {type: UUID, optional: true}
      extra: {type: json, optional: true}
  - route: /limited
    fields:
      name: {type: str}
    meta:
      methods: [GET, POST]
  - route: /postonly
    fields:
      name: {type: str}
    meta:
      methods: [POST]
  - route: /api/v1/order_items
    fields:
      sku: {type: str}
"""

DECLARED = ["name", "body", "count", "ratio", "active", "seen_at", "day",
            "price", "uid", "extra"]
AUTO = ["id", "created_at", "updated_at", "version"]
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")

FULL = {
    "name": "widget",
    "body": "long text\nwith \"quotes\" and \\ backslash",
    "count": 7,
    "ratio": 0.25,
    "active": False,
    "seen_at": "2024-05-06T07:08:09.123456",
    "day": "2024-02-29",
    "price": "12.5",
    "uid": "12345678-1234-5678-1234-567812345678",
    "extra": {"a": [1, 2, {"b": None}], "s": "x"},
}


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


def create(srv, path="/things", **fields):
    body = {"name": "thing"}
    body.update(fields)
    status, _, data, raw = srv.post(path, body)
    assert status == 201, raw
    return data


def is_json(headers):
    return headers.get("content-type", "").split(";")[0].strip() == "application/json"


# ---- POST -------------------------------------------------------------------

def test_post_returns_row_with_every_type(srv):
    status, headers, row, raw = srv.post("/things", FULL)
    assert status == 201, raw
    assert is_json(headers)
    expected = dict(FULL, price="12.50")
    assert {k: row[k] for k in DECLARED} == expected


def test_post_key_order(srv):
    row = create(srv, **{k: FULL[k] for k in DECLARED if k != "name"})
    assert list(row) == DECLARED + AUTO


def test_post_auto_columns(srv):
    row = create(srv)
    assert isinstance(row["id"], int) and row["id"] > 0
    assert row["version"] == 1
    assert TS.match(row["created_at"]), row["created_at"]
    assert row["created_at"] == row["updated_at"]


def test_post_defaults_and_nulls(srv):
    row = create(srv, name="minimal")
    assert row["count"] == 0
    assert row["active"] is True
    for key in ("body", "ratio", "seen_at", "day", "price", "uid", "extra"):
        assert row[key] is None, key


def test_post_json_field_any_value(srv):
    for value in ("text", 5, [1, "two"], True, {"nested": {"deep": [None]}}):
        assert create(srv, extra=value)["extra"] == value


def test_post_unicode_round_trip(srv):
    name = "h\u00e9llo \u2603 \U0001F600"
    row = create(srv, name=name)
    assert row["name"] == name
    assert srv.get(f"/things/{row['id']}")[2]["name"] == name


def test_post_decimal_number_input(srv):
    assert create(srv, price=3)["price"] == "3.00"


def test_post_to_trailing_slash(srv):
    status, _, row, raw = srv.post("/things/", {"name": "slash"})
    assert status == 201, raw
    assert row["name"] == "slash"


def test_ids_are_never_reused(srv):
    row = create(srv, name="last")
    assert srv.delete(f"/things/{row['id']}")[0] == 204
    assert create(srv, name="after")["id"] > row["id"]


def test_nested_route(srv):
    status, _, row, raw = srv.post("/api/v1/order_items", {"sku": "A-1"})
    assert status == 201, raw
    assert list(row) == ["sku"] + AUTO
    status, _, got, _ = srv.get(f"/api/v1/order_items/{row['id']}")
    assert status == 200 and got == row


# ---- GET --------------------------------------------------------------------

def test_list(srv):
    a = create(srv, name="list-a")
    b = create(srv, name="list-b")
    status, headers, data, _ = srv.get("/things")
    assert status == 200 and is_json(headers)
    assert list(data) == ["results"]
    rows = {r["id"]: r for r in data["results"]}
    assert rows[a["id"]] == a and rows[b["id"]] == b


def test_list_ordered_by_id(srv):
    create(srv)
    ids = [r["id"] for r in srv.get("/things")[2]["results"]]
    assert ids == sorted(ids)


def test_list_rows_have_key_order(srv):
    create(srv)
    for row in srv.get("/things")[2]["results"]:
        assert list(row) == DECLARED + AUTO


def test_list_trailing_slash(srv):
    create(srv)
    plain = srv.get("/things")
    slash = srv.get("/things/")
    assert slash[0] == 200
    assert slash[2] == plain[2]


def test_get_by_id(srv):
    row = create(srv, **FULL)
    status, headers, got, _ = srv.get(f"/things/{row['id']}")
    assert status == 200 and is_json(headers)
    assert got == row
    assert list(got) == list(row)


def test_get_by_id_trailing_slash(srv):
    row = create(srv)
    status, _, got, _ = srv.get(f"/things/{row['id']}/")
    assert status == 200 and got == row


def test_get_by_id_ignores_query_string(srv):
    row = create(srv)
    status, _, got, _ = srv.get(f"/things/{row['id']}?x=1&y")
    assert status == 200 and got == row


def test_get_by_id_leading_zeros(srv):
    # SPEC §4 gives 404 only to a non-numeric or out-of-range id; "007" is
    # numeric and in range, and LightAPI reads it as 7 (lightapi-behaviour
    # §4): the row.
    row = create(srv)
    status, _, got, raw = srv.get(f"/things/00{row['id']}")
    assert status == 200, raw
    assert got == row


@pytest.mark.parametrize("path", [
    "/things/999999", "/things/abc", "/things/-1", "/things/1.5",
    "/things/99999999999999999999999", "/things/1x",
])
def test_get_missing_or_bad_id_404(srv, path):
    status, headers, data, _ = srv.get(path)
    assert status == 404
    assert is_json(headers)
    assert data == {"detail": "not found"}


def test_get_by_percent_encoded_id(srv):
    # A percent-encoded digit is the digit (RFC 3986 §6.2.2.2: encoded
    # unreserved characters are equivalent to the characters): the row.
    row = create(srv)
    encoded = "".join(f"%{ord(c):02X}" for c in str(row["id"]))
    status, _, got, raw = srv.get(f"/things/{encoded}")
    assert status == 200, raw
    assert got == row


@pytest.mark.parametrize("path", [
    "/", "/nothing", "/thingsx", "/things/1/extra", "/api", "/api/v1",
    "/healthz/x",
])
def test_unknown_path_404(srv, path):
    status, headers, data, _ = srv.get(path)
    assert status == 404, path
    assert is_json(headers)
    assert data == {"detail": "not found"}


# ---- PUT / PATCH ------------------------------------------------------------

def test_put_full_update(srv):
    row = create(srv, name="orig", body="b", count=5, ratio=1.5, active=False,
                 extra=[1])
    status, _, new, raw = srv.put(f"/things/{row['id']}",
                                  {"name": "replaced", "version": 1})
    assert status == 200, raw
    assert new["name"] == "replaced"
    # Omitted fields are reset to their default or to null.
    assert new["count"] == 0 and new["active"] is True
    assert new["body"] is None and new["ratio"] is None and new["extra"] is None
    assert new["version"] == 2
    assert new["id"] == row["id"]
    assert new["created_at"] == row["created_at"]
    assert TS.match(new["updated_at"]) and new["updated_at"] > row["updated_at"]
    assert list(new) == DECLARED + AUTO
    assert srv.get(f"/things/{row['id']}")[2] == new


def test_put_requires_required_fields(srv):
    row = create(srv)
    status, _, data, _ = srv.put(f"/things/{row['id']}", {"version": 1})
    assert status == 422
    assert [i["loc"] for i in data["detail"]] == [["name"]]
    assert data["detail"][0]["type"] == "missing"
    assert srv.get(f"/things/{row['id']}")[2] == row


def test_patch_partial_update(srv):
    row = create(srv, name="orig", body="keep", count=3)
    status, _, new, raw = srv.patch(f"/things/{row['id']}",
                                    {"count": 4, "version": 1})
    assert status == 200, raw
    assert new["count"] == 4
    assert new["name"] == "orig" and new["body"] == "keep"
    assert new["version"] == 2
    assert new["created_at"] == row["created_at"]
    assert new["updated_at"] > row["updated_at"]
    assert list(new) == DECLARED + AUTO
    assert srv.get(f"/things/{row['id']}")[2] == new


def test_patch_twice(srv):
    row = create(srv)
    path = f"/things/{row['id']}"
    assert srv.patch(path, {"count": 1, "version": 1})[2]["version"] == 2
    assert srv.patch(path, {"count": 2, "version": 2})[2]["version"] == 3


def test_put_trailing_slash(srv):
    row = create(srv)
    status, _, new, raw = srv.put(f"/things/{row['id']}/",
                                  {"name": "slash", "version": 1})
    assert status == 200, raw
    assert new["name"] == "slash"


# ---- DELETE -----------------------------------------------------------------

def test_delete(srv):
    row = create(srv)
    status, _, _, raw = srv.delete(f"/things/{row['id']}")
    assert status == 204
    assert raw == b""
    assert srv.get(f"/things/{row['id']}")[:3:2] == (404, {"detail": "not found"})
    assert srv.delete(f"/things/{row['id']}")[:3:2] == (404, {"detail": "not found"})


def test_delete_missing_404(srv):
    assert srv.delete("/things/987654")[:3:2] == (404, {"detail": "not found"})


def test_deleted_row_not_listed(srv):
    row = create(srv)
    srv.delete(f"/things/{row['id']}")
    ids = [r["id"] for r in srv.get("/things")[2]["results"]]
    assert row["id"] not in ids


# ---- HEAD / OPTIONS ---------------------------------------------------------

def raw_request(srv, method, path):
    data = srv.raw(f"{method} {path} HTTP/1.1\r\nHost: t\r\n"
                   "Connection: close\r\n\r\n".encode())
    parsed = parse_response(data, head=(method == "HEAD"))
    assert parsed is not None, data
    return parsed, data


@pytest.mark.parametrize("kind", ["list", "detail"])
def test_head(srv, kind):
    row = create(srv)
    path = "/things" if kind == "list" else f"/things/{row['id']}"
    get_status, get_headers, _, get_raw = srv.get(path)
    (status, headers, body, rest), data = raw_request(srv, "HEAD", path)
    assert status == 200
    assert body == b"" and rest == b"", "HEAD response carries a body"
    assert headers.get("content-type") == get_headers.get("content-type")
    # HEAD sends the Content-Length GET would (RFC 9110 §9.3.2).  A detail
    # row does not change between the two requests; a list may grow because
    # other tests run against the same server.
    assert "content-length" in headers, headers
    if kind == "detail":
        assert int(headers["content-length"]) == len(get_raw)


def test_head_missing_row(srv):
    (status, _, body, rest), _ = raw_request(srv, "HEAD", "/things/999999")
    assert status == 404 and body == b"" and rest == b""


def test_options_list(srv):
    status, headers, _, raw = srv.request("OPTIONS", "/things")
    assert status == 204, raw
    assert raw == b""
    assert headers.get("allow") == "GET, HEAD, OPTIONS, POST"


def test_options_detail(srv):
    row = create(srv)
    status, headers, _, raw = srv.request("OPTIONS", f"/things/{row['id']}")
    assert status == 204, raw
    assert raw == b""
    assert headers.get("allow") == "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"


def test_options_limited(srv):
    status, headers, _, _ = srv.request("OPTIONS", "/limited")
    assert status == 204
    assert headers.get("allow") == "GET, HEAD, OPTIONS, POST"


# ---- 405 --------------------------------------------------------------------

METHOD_NOT_ALLOWED = {"detail": "Method Not Allowed. Allowed: GET, POST"}


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH"])
def test_405_collection(srv, method):
    body = {"name": "x", "version": 1} if method != "DELETE" else None
    status, headers, data, raw = srv.request(method, "/limited", body=body)
    assert status == 405, raw
    assert is_json(headers)
    assert data == METHOD_NOT_ALLOWED
    assert headers.get("allow") == "GET, HEAD, OPTIONS, POST"


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH"])
def test_405_detail(srv, method):
    # SPEC §4 gives the body and Allow for the route of methods [GET, POST];
    # a detail URL is its own resource, whose only verb here is GET (RFC
    # 9110 §10.2.1: Allow lists the target resource's methods; POST on a
    # detail URL is a 405 too, see test_405_on_all_verbs_endpoint).
    row = create(srv, path="/limited")
    body = {"name": "x", "version": 1} if method != "DELETE" else None
    status, headers, data, raw = srv.request(method, f"/limited/{row['id']}",
                                             body=body)
    assert status == 405, raw
    assert is_json(headers)
    assert data == {"detail": "Method Not Allowed. Allowed: GET"}
    assert headers.get("allow") == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE", "PUT", "HEAD"])
def test_405_post_only_detail(srv, method):
    # LightAPI opens every verb on a route left with no verb (behaviour
    # notes §4.7); lightapid answers 405.
    row = create(srv, path="/postonly")
    body = {"name": "y", "version": 1} if method in ("PUT", "PATCH") else None
    status, headers, data, raw = srv.request(method, f"/postonly/{row['id']}",
                                             body=body)
    assert status == 405, raw
    # POST is served on the collection only: the detail URL has no verb
    # but OPTIONS (README: a 405 with a JSON body and an Allow header on
    # every route).
    assert headers.get("allow") == "OPTIONS"
    if method == "HEAD":
        assert raw == b""
    else:
        assert data == {"detail": "Method Not Allowed. Allowed: "}


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_405_post_only_list(srv, method):
    status, headers, data, _ = srv.request(method, "/postonly")
    assert status == 405
    if method == "GET":
        assert data == {"detail": "Method Not Allowed. Allowed: POST"}
    assert headers.get("allow") == "OPTIONS, POST"


def test_405_on_all_verbs_endpoint(srv):
    # POST on a detail URL of an endpoint that allows every verb.
    row = create(srv)
    status, headers, data, raw = srv.request("POST", f"/things/{row['id']}",
                                             body={"name": "x"})
    assert status == 405, raw
    assert headers.get("allow") == "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"
    assert data == {"detail": "Method Not Allowed. Allowed: GET, PUT, PATCH, DELETE"}


def test_405_leaves_row_alone(srv):
    row = create(srv, path="/limited")
    srv.delete(f"/limited/{row['id']}")
    assert srv.get(f"/limited/{row['id']}")[2] == row


def test_allowed_verbs_still_work_on_limited(srv):
    row = create(srv, path="/limited")
    assert srv.get(f"/limited/{row['id']}")[0] == 200
    assert srv.get("/limited")[0] == 200


# ---- bad bodies -------------------------------------------------------------

NOT_OBJECT = {"detail": "request body must be a JSON object"}


@pytest.mark.parametrize("raw_body", [
    b"not json", b"{\"name\": ", b"[{\"name\": \"a\"}]", b"\"a string\"",
    b"42", b"null", b"{\"name\": \"a\"} trailing", b"\xff\xfe{}",
])
def test_post_body_not_json_object(srv, raw_body):
    status, headers, data, raw = srv.request(
        "POST", "/things", raw_body=raw_body,
        headers={"Content-Type": "application/json"})
    assert status == 400, raw
    assert is_json(headers)
    assert data == NOT_OBJECT


def test_patch_body_array(srv):
    # A body that is not a JSON object is a 400 on every route (SPEC §4,
    # lightapi.yaml(5) "What lightapid does differently": "a body that is
    # an array ... (see HTTP STATUS CODES)"); the missing-version 422 is
    # for an object without "version".
    row = create(srv)
    status, headers, data, raw = srv.request(
        "PATCH", f"/things/{row['id']}", raw_body=b"[1]",
        headers={"Content-Type": "application/json"})
    assert status == 400, raw
    assert is_json(headers)
    assert data == NOT_OBJECT


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_empty_body_is_400(srv, method):
    # README, "Behaviour where the contract is silent": an empty body on
    # POST, PUT or PATCH is a 400 (LightAPI reads it as {}).
    path = "/things" if method == "POST" else f"/things/{create(srv)['id']}"
    status, headers, data, raw = srv.request(
        method, path, raw_body=b"",
        headers={"Content-Type": "application/json"})
    assert status == 400, raw
    assert is_json(headers)
    assert data == NOT_OBJECT


def test_post_without_content_type(srv):
    # LightAPI reads the body as JSON whatever the Content-Type.
    status, _, row, raw = srv.request("POST", "/things",
                                      raw_body=b'{"name":"noctype"}')
    assert status == 201, raw
    assert row["name"] == "noctype"


# ---- representation ---------------------------------------------------------

def test_responses_are_compact_json(srv):
    row = create(srv, name="compact", extra={"a": [1, 2]})
    _, headers, _, raw = srv.get(f"/things/{row['id']}")
    assert b'": ' not in raw and b", " not in raw, raw
    assert int(headers["content-length"]) == len(raw)


def test_error_bodies_are_json(srv):
    missing_name = {"detail": [{"type": "missing", "loc": ["name"],
                                "msg": "Field required", "input": {}}]}
    for method, path, body, want in [
            ("GET", "/nope", None, (404, {"detail": "not found"})),
            ("DELETE", "/limited/1", None,
             (405, {"detail": "Method Not Allowed. Allowed: GET"})),
            ("POST", "/things", {}, (422, missing_name)),
            ("GET", "/things/424242", None, (404, {"detail": "not found"}))]:
        status, headers, data, raw = srv.request(method, path, body=body)
        assert (status, data) == want, (method, path, raw)
        assert is_json(headers), (method, path, headers)


def test_healthz(srv):
    status, headers, data, _ = srv.get("/healthz")
    assert status == 200 and is_json(headers)
    assert data == {"status": "ok"}


def test_readyz(srv):
    status, headers, _, _ = srv.get("/readyz")
    assert status == 200
