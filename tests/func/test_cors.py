"""CORS (SPEC §9, §13): cors_origins and the CORSMiddleware middleware."""

import pytest

from test_auth_util import assert_401, bearer, make_token

ORIGIN = "https://app.example"
OTHER = "https://other.example"
SECRET = "cors-secret-Gh3"

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
cors_origins: ["%s", "https://second.example"]
auth:
  jwt_secret: "%s"
endpoints:
  - route: /items
    fields:
      name: {type: str, min_length: 1}
    meta:
      methods: [GET, POST, PATCH, DELETE]
  - route: /ro
    fields:
      name: {type: str}
    meta:
      methods: [GET]
  - route: /secure
    fields:
      name: {type: str}
    meta:
      authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
  - route: /adm
    fields:
      name: {type: str}
    meta:
      authentication: {backend: JWTAuthentication, permission: IsAdminUser}
""" % (ORIGIN, SECRET)

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACMA = "access-control-max-age"
EXTRA = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


def vary_tokens(headers):
    return {v.strip().lower() for v in headers.get("vary", "").split(",")}


def assert_cors(headers, origin=ORIGIN):
    assert headers.get(ACAO) == origin, headers
    assert headers.get(ACAC) == "true", headers
    assert "origin" in vary_tokens(headers), headers


def assert_no_cors(headers):
    found = {k: v for k, v in headers.items()
             if k.startswith("access-control-")}
    assert not found, f"unexpected CORS headers: {found}"


def o(origin=ORIGIN, **extra):
    h = {"Origin": origin}
    h.update(extra)
    return h


def preflight(srv, path, method="POST", origin=ORIGIN,
              req_headers="content-type, authorization"):
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if req_headers is not None:
        h["Access-Control-Request-Headers"] = req_headers
    return srv.request("OPTIONS", path, headers=h)


def new_row(srv):
    status, _, row, raw = srv.post("/items", {"name": "c"})
    assert status == 201, raw
    return row


# ---- simple requests from a listed origin ----------------------------------------

def test_get_list_200(srv):
    status, headers, _, _ = srv.get("/items", headers=o())
    assert status == 200
    assert_cors(headers)


def test_second_listed_origin(srv):
    status, headers, _, _ = srv.get("/items", headers=o("https://second.example"))
    assert status == 200
    assert_cors(headers, "https://second.example")


def test_post_201(srv):
    status, headers, _, _ = srv.post("/items", {"name": "x"}, headers=o())
    assert status == 201
    assert_cors(headers)


def test_detail_200_patch_200_delete_204(srv):
    row = new_row(srv)
    status, headers, _, _ = srv.get(f"/items/{row['id']}", headers=o())
    assert status == 200
    assert_cors(headers)
    status, headers, _, _ = srv.patch(f"/items/{row['id']}",
                                      {"name": "y", "version": 1}, headers=o())
    assert status == 200
    assert_cors(headers)
    status, headers, _, _ = srv.delete(f"/items/{row['id']}", headers=o())
    assert status == 204
    assert_cors(headers)


def test_head(srv):
    status, headers, _, _ = srv.request("HEAD", "/items", headers=o())
    assert status == 200
    assert_cors(headers)


def test_404_row(srv):
    status, headers, _, _ = srv.get("/items/999999", headers=o())
    assert status == 404
    assert_cors(headers)


def test_404_unknown_route(srv):
    status, headers, _, _ = srv.get("/nowhere", headers=o())
    assert status == 404
    assert_cors(headers)


def test_405(srv):
    status, headers, _, _ = srv.request("PUT", "/items/1", headers=o(),
                                        body={"name": "x", "version": 1})
    assert status == 405
    assert_cors(headers)


def test_400(srv):
    status, headers, _, _ = srv.request(
        "POST", "/items", raw_body=b"{nope",
        headers=o(**{"Content-Type": "application/json"}))
    assert status == 400
    assert_cors(headers)


def test_422(srv):
    status, headers, _, _ = srv.post("/items", {"name": ""}, headers=o())
    assert status == 422
    assert_cors(headers)


def test_409(srv):
    row = new_row(srv)
    srv.patch(f"/items/{row['id']}", {"name": "a", "version": 1})
    status, headers, _, _ = srv.patch(f"/items/{row['id']}",
                                      {"name": "b", "version": 1}, headers=o())
    assert status == 409
    assert_cors(headers)


def test_401(srv):
    resp = srv.get("/secure", headers=o())
    assert_401(resp)
    assert_cors(resp[1])


def test_401_bad_token(srv):
    resp = srv.get("/secure", headers=o(**bearer("garbage")))
    assert_401(resp)
    assert_cors(resp[1])


def test_403(srv):
    token = make_token({"sub": "u", "is_admin": False}, SECRET)
    status, headers, data, _ = srv.get("/adm", headers=o(**bearer(token)))
    assert status == 403, data
    assert_cors(headers)


def test_authenticated(srv):
    token = make_token({"sub": "u"}, SECRET)
    status, headers, _, _ = srv.get("/secure", headers=o(**bearer(token)))
    assert status == 200
    assert_cors(headers)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_builtin_urls(srv, path):
    status, headers, _, _ = srv.get(path, headers=o())
    assert status == 200
    assert_cors(headers)


def test_plain_options_with_origin(srv):
    status, headers, _, _ = srv.request("OPTIONS", "/items", headers=o())
    assert status == 204
    assert_cors(headers)


# ---- unlisted or absent origin ----------------------------------------------------

@pytest.mark.parametrize("origin", [
    OTHER, "https://app.example.evil", "https://evil.app.example",
    "http://app.example", "https://app.example:8443", "https://app.exampl",
    "https://app.example/", "null", "*", "https://app.example, " + OTHER])
def test_unlisted_origin_gets_no_cors(srv, origin):
    status, headers, _, _ = srv.get("/items", headers=o(origin))
    assert status == 200
    assert_no_cors(headers)


def test_unlisted_origin_on_errors(srv):
    assert_no_cors(srv.get("/items/999999", headers=o(OTHER))[1])
    assert_no_cors(srv.get("/secure", headers=o(OTHER))[1])
    assert_no_cors(srv.post("/items", {"name": ""}, headers=o(OTHER))[1])


def test_no_origin_no_cors(srv):
    status, headers, _, _ = srv.get("/items")
    assert status == 200
    assert_no_cors(headers)


# ---- preflight ----------------------------------------------------------------

def check_preflight(resp, allowed, origin=ORIGIN,
                    req_headers="content-type, authorization"):
    status, headers, _, raw = resp
    assert status == 204, f"{status} {raw!r}"
    assert raw == b""
    assert_cors(headers, origin)
    # "the methods of that URL" (lightapi.yaml(5) CORS): HEAD is served
    # wherever GET is and OPTIONS always, as in the Allow header.
    want = ", ".join(sorted(allowed | EXTRA))
    assert headers.get(ACAM) == want, \
        f"Access-Control-Allow-Methods {headers.get(ACAM)!r}, want {want!r}"
    if req_headers is not None:
        assert headers.get(ACAH) == req_headers, headers
    assert headers.get(ACMA) == "600", headers


def test_preflight_collection(srv):
    check_preflight(preflight(srv, "/items"), {"GET", "POST"})


def test_preflight_collection_trailing_slash(srv):
    check_preflight(preflight(srv, "/items/"), {"GET", "POST"})


def test_preflight_detail(srv):
    check_preflight(preflight(srv, "/items/1", method="PATCH"),
                    {"GET", "PATCH", "DELETE"})


def test_preflight_detail_missing_row(srv):
    # A preflight does not look the row up.
    check_preflight(preflight(srv, "/items/999999", method="DELETE"),
                    {"GET", "PATCH", "DELETE"})


def test_preflight_read_only_route(srv):
    check_preflight(preflight(srv, "/ro", method="GET"), {"GET"})


def test_preflight_full_route(srv):
    check_preflight(preflight(srv, "/secure"), {"GET", "POST"})
    check_preflight(preflight(srv, "/secure/1", method="PUT"),
                    {"GET", "PUT", "PATCH", "DELETE"})


def test_preflight_protected_needs_no_credentials(srv):
    resp = preflight(srv, "/secure", method="GET", req_headers="authorization")
    check_preflight(resp, {"GET", "POST"}, req_headers="authorization")
    assert "www-authenticate" not in resp[1]


def test_preflight_with_bad_token_is_not_401(srv):
    h = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET",
         "Authorization": "Bearer garbage"}
    status, headers, _, raw = srv.request("OPTIONS", "/secure", headers=h)
    assert status == 204, raw
    assert_cors(headers)


@pytest.mark.parametrize("value", ["X-Custom-Header", "content-type",
                                   "Authorization,Content-Type,X-Request-Id"])
def test_preflight_echoes_requested_headers(srv, value):
    resp = preflight(srv, "/items", req_headers=value)
    check_preflight(resp, {"GET", "POST"}, req_headers=value)


def test_preflight_without_requested_headers(srv):
    status, headers, _, _ = preflight(srv, "/items", req_headers=None)
    assert status == 204
    assert_cors(headers)
    assert headers.get(ACMA) == "600"
    assert headers.get(ACAM) == "GET, HEAD, OPTIONS, POST"
    assert ACAH not in headers


def test_preflight_second_origin(srv):
    check_preflight(preflight(srv, "/items", origin="https://second.example"),
                    {"GET", "POST"}, origin="https://second.example")


@pytest.mark.parametrize("origin", [OTHER, "https://app.example.evil"])
def test_preflight_unlisted_origin(srv, origin):
    status, headers, _, raw = preflight(srv, "/items", origin=origin)
    assert status == 204, raw
    assert headers.get("allow") == "GET, HEAD, OPTIONS, POST"
    assert_no_cors(headers)


# ---- "*" and CORSMiddleware: every origin, echoed ---------------------------------

STAR = """\
database:
  url: "sqlite:///{TMP}/test.db"
cors_origins: ["*"]
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

MIDDLEWARE = """\
database:
  url: "sqlite:///{TMP}/test.db"
middleware: [CORSMiddleware]
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


@pytest.fixture(scope="module", params=["star", "middleware"])
def open_srv(module_server_factory, request):
    return module_server_factory(STAR if request.param == "star"
                                 else MIDDLEWARE)


@pytest.mark.parametrize("origin", [ORIGIN, OTHER, "http://localhost:3000"])
def test_any_origin_echoed(open_srv, origin):
    status, headers, _, _ = open_srv.get("/items", headers=o(origin))
    assert status == 200
    assert_cors(headers, origin)


def test_any_origin_on_errors(open_srv):
    status, headers, _, _ = open_srv.get("/items/424242", headers=o(OTHER))
    assert status == 404
    assert_cors(headers, OTHER)
    status, headers, _, _ = open_srv.post("/items", {}, headers=o(OTHER))
    assert status == 422
    assert_cors(headers, OTHER)
    status, headers, _, _ = open_srv.get("/healthz", headers=o(OTHER))
    assert status == 200
    assert_cors(headers, OTHER)


def test_any_origin_preflight(open_srv):
    check_preflight(preflight(open_srv, "/items", origin=OTHER),
                    {"GET", "POST"}, origin=OTHER)
    check_preflight(preflight(open_srv, "/items/7", origin=OTHER,
                              method="PUT"),
                    {"GET", "PUT", "PATCH", "DELETE"}, origin=OTHER)


def test_any_origin_no_origin_header(open_srv):
    status, headers, _, _ = open_srv.get("/items")
    assert status == 200
    assert ACAO not in headers


# ---- no CORS configured -------------------------------------------------------------

NONE = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


def test_no_cors_configured(server):
    s = server(NONE)
    status, headers, _, _ = s.get("/items", headers=o())
    assert status == 200
    assert_no_cors(headers)
    status, headers, _, _ = preflight(s, "/items")
    assert status == 204
    assert headers.get("allow") == "GET, HEAD, OPTIONS, POST"
    assert_no_cors(headers)
