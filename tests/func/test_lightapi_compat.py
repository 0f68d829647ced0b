"""A LightAPI user's YAML file runs unchanged (lightapi.yaml(5), "Coming
from LightAPI"): every key LightAPI's loader accepts is accepted, with its
meaning where it has one here; a name that needs Python is an error at its
line and column that says what to use instead."""

import json

import pytest

from conftest import pos_of, render, run_cli
from test_auth_util import (DETAIL_NOT_OBJECT, assert_401, b64url_decode,
                            bearer, decode_token, hash_sha512, make_token,
                            now, request)

SECRET = "compat-secret-Wq05"
PW = "pw-Hn3"

HEAD = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%s"
  login_validator: {file: "{TMP}/users"}
""" % SECRET

CLAIMS = {"sub": "ann", "role": "editor", "email": "ann@example.com",
          "is_admin": False}


def write_users(directory):
    (directory / "users").write_text(
        f"ann:{hash_sha512(PW)}:{json.dumps(CLAIMS)}\n")


def login(srv):
    status, _, data, raw = request(srv, "POST", "/auth/login",
                                   {"username": "ann", "password": PW})
    assert status == 200, raw
    return data["token"]


def header_of(token):
    return json.loads(b64url_decode(token.split(".")[0]))


# ---- jwt_* in an authentication block --------------------------------------

DEFAULTS_JWT = HEAD + """\
defaults:
  authentication:
    backend: JWTAuthentication
    jwt_expiration: 120
    jwt_extra_claims: [role]
    jwt_algorithm: HS512
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


def test_defaults_jwt_settings_shape_login_tokens(server, tmp_path):
    write_users(tmp_path)
    srv = server(DEFAULTS_JWT, directory=tmp_path)
    before = now()
    token = login(srv)
    assert header_of(token)["alg"] == "HS512"
    _, payload = decode_token(token, SECRET, "HS512")
    assert set(payload) == {"role", "sub", "iat", "exp"}, payload
    assert payload["role"] == "editor" and payload["sub"] == "ann"
    assert before <= payload["iat"] <= now()
    assert payload["exp"] - payload["iat"] == 120
    # Issued and verified with the same algorithm (LightAPI verifies HS256
    # only, so its HS512 tokens were refused).
    assert request(srv, "GET", "/items", headers=bearer(token))[0] == 200
    hs256 = make_token({"sub": "ann", "exp": now() + 60}, SECRET, "HS256")
    assert_401(request(srv, "GET", "/items", headers=bearer(hs256)))


META_JWT = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%s"
  jwt_expiration: 999
  jwt_algorithm: HS384
  login_validator: {file: "{TMP}/users"}
endpoints:
  - route: /open
    fields:
      name: {type: str}
  - route: /a
    fields:
      name: {type: str}
    meta:
      authentication:
        backend: JWTAuthentication
        jwt_expiration: 60
        jwt_extra_claims: [not_a_claim]
  - route: /b
    fields:
      name: {type: str}
    meta:
      authentication: {backend: JWTAuthentication}
""" % SECRET


def test_meta_jwt_settings_and_claims_fallback(server, tmp_path):
    write_users(tmp_path)
    srv = server(META_JWT, directory=tmp_path)
    token = login(srv)
    # The first JWT endpoint's settings, then the auth section's.
    assert header_of(token)["alg"] == "HS384"
    _, payload = decode_token(token, SECRET, "HS384")
    assert payload["exp"] - payload["iat"] == 60
    # None of jwt_extra_claims is a claim: every claim goes in.
    for key, value in CLAIMS.items():
        assert payload[key] == value
    for route in ("/a", "/b"):
        assert request(srv, "GET", route, headers=bearer(token))[0] == 200
        assert_401(request(srv, "GET", route))


def test_t_warns_when_an_endpoint_refuses_login_tokens(tmp_path):
    write_users(tmp_path)
    text = render(HEAD + """\
endpoints:
  - route: /a
    fields:
      name: {type: str}
    meta:
      authentication: {backend: JWTAuthentication}
  - route: /b
    fields:
      name: {type: str}
    meta:
      authentication: {backend: JWTAuthentication, jwt_algorithm: HS512}
""", tmp_path)
    cfg = tmp_path / "lightapi.yaml"
    cfg.write_text(text)
    rc, _, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err
    line, col = pos_of(text, "HS512")
    assert f"{cfg}:{line}:{col}: warning: endpoint '/b' accepts only HS512 " \
        "tokens but the login routes sign HS256 tokens" in err, err


# ---- filtering.backends ----------------------------------------------------

FILTERS = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /books
    fields:
      title: {type: str}
      year: {type: int}
    meta:
      filtering:
        backends: %s
        fields: [year]
        search: [title]
        ordering: [year]
"""


def seed(srv):
    for title, year in (("Dune", 1965), ("Emma", 1815), ("Ubik", 1969)):
        assert srv.post("/books", {"title": title, "year": year})[0] == 201


def titles(srv, query):
    status, _, data, raw = srv.get("/books?" + query)
    assert status == 200, raw
    return [r["title"] for r in data["results"]]


def test_filter_backends_select_what_is_active(server):
    srv = server(FILTERS % "[SearchFilter]")
    seed(srv)
    assert titles(srv, "search=u") == ["Dune", "Ubik"]
    # FieldFilter and OrderingFilter are off: their parameters are ignored.
    assert titles(srv, "year=1965") == ["Dune", "Emma", "Ubik"]
    assert titles(srv, "ordering=year") == ["Dune", "Emma", "Ubik"]


def test_filter_backends_all_three(server):
    srv = server(FILTERS % "[FieldFilter, SearchFilter, OrderingFilter]")
    seed(srv)
    assert titles(srv, "year=1965") == ["Dune"]
    assert titles(srv, "ordering=year") == ["Emma", "Dune", "Ubik"]
    assert titles(srv, "search=u&ordering=-year") == ["Ubik", "Dune"]


def test_empty_filter_backends_turn_on_each_listed_kind(server):
    srv = server(FILTERS % "[]")
    seed(srv)
    assert titles(srv, "year=1969") == ["Ubik"]
    assert titles(srv, "ordering=-year") == ["Ubik", "Dune", "Emma"]


# ---- keys accepted, names refused ------------------------------------------

ITEMS = """\
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_mode_is_accepted(server, mode):
    srv = server("mode: %s\ndatabase:\n  url: \"sqlite:///{TMP}/t.db\"\n"
                 % mode + ITEMS)
    assert srv.post("/items", {"name": "x"})[0] == 201


@pytest.mark.parametrize("names", [
    "[AuthenticationMiddleware]", "[Middleware, CORSMiddleware]"])
def test_lightapi_middleware_names_are_accepted(tmp_path, names):
    cfg = tmp_path / "lightapi.yaml"
    cfg.write_text(render("middleware: %s\ndatabase:\n  url: "
                          "\"sqlite:///{TMP}/t.db\"\n" % names + ITEMS,
                          tmp_path))
    rc, _, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err


BASE = 'database:\n  url: "sqlite:///{TMP}/t.db"\n'


def test_lightapi_import_paths_name_the_builtins(server):
    # LightAPI accepts a dotted path into its own package; it is the
    # built-in it ends with, so the backend below still guards the route.
    srv = server("middleware: [lightapi.core.CORSMiddleware]\n" + BASE +
                 "auth: {jwt_secret: s}\n" + ITEMS + """\
    meta:
      authentication: {backend: lightapi.auth.JWTAuthentication}
      filtering:
        backends: [lightapi.filters.FieldFilter]
        fields: [name]
""")
    assert srv.get("/items")[0] == 401

# config text, the node the error points at, what the message says.
REFUSED = {
    "mode": ("mode: fast\n" + BASE + ITEMS, "fast",
             "mode must be 'sync' or 'async', got 'fast'"),
    "backend": (BASE + ITEMS + "    meta:\n      authentication: "
                "{backend: myapp.auth.TokenAuth}\n", "myapp.auth.TokenAuth",
                "'myapp.auth.TokenAuth' in endpoints[0].meta.authentication."
                "backend is a Python import path: lightapid runs no Python "
                "code; use JWTAuthentication or BasicAuthentication"),
    "permission": (BASE + "auth:\n  jwt_secret: s\n  login_validator: "
                   "{file: /dev/null}\n" + ITEMS +
                   "    meta:\n      authentication: {backend: "
                   "JWTAuthentication, permission: {GET: app.perms.IsOwner}}\n",
                   "app.perms.IsOwner",
                   "is a Python import path: lightapid runs no Python code; "
                   "use AllowAny, IsAuthenticated or IsAdminUser"),
    "login_validator": (BASE + "auth:\n  login_validator: "
                        "myapp.validators.check\n" + ITEMS,
                        "myapp.validators.check",
                        "'myapp.validators.check' in auth.login_validator is "
                        "a Python import path: lightapid runs no Python code;"
                        " use {table: "),
    "middleware": ("middleware: [CORSMiddleware, app.mw.Timing]\n" + BASE +
                   ITEMS, "app.mw.Timing",
                   "is a Python import path: lightapid runs no Python code; "
                   "the built-in middlewares are"),
    "filter_backend": (BASE + ITEMS + "    meta:\n      filtering:\n"
                       "        backends: [FieldFilter, app.f.Geo]\n"
                       "        fields: [name]\n", "app.f.Geo",
                       "use FieldFilter, SearchFilter or OrderingFilter"),
    "filter_backend_unknown": (BASE + ITEMS + "    meta:\n      filtering:\n"
                               "        backends: [FieldFiltr]\n",
                               "FieldFiltr",
                               "unknown filter backend 'FieldFiltr' in "
                               "endpoints[0].meta.filtering.backends "
                               "(FieldFilter, SearchFilter, OrderingFilter)"),
    "jwt_algorithm": (BASE + "auth:\n  jwt_secret: s\n  login_validator: "
                      "{file: /dev/null}\n" + ITEMS + "    meta:\n      "
                      "authentication: {backend: JWTAuthentication, "
                      "jwt_algorithm: RS256}\n", "RS256",
                      "unknown algorithm 'RS256'"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_at_its_position(tmp_path, name):
    text, needle, message = REFUSED[name]
    text = render(text, tmp_path)
    cfg = tmp_path / "lightapi.yaml"
    cfg.write_text(text)
    rc, _, err = run_cli(["-t", "-c", cfg])
    assert rc == 1, err
    line, col = pos_of(text, needle)
    assert f"{cfg}:{line}:{col}: " in err, err
    assert message in err, err


# ---- the login routes ------------------------------------------------------

LOGIN = HEAD + """\
defaults:
  authentication: {backend: JWTAuthentication}
""" + ITEMS


@pytest.fixture(scope="module")
def lsrv(module_server_factory, tmp_path_factory):
    d = tmp_path_factory.mktemp("compat_login")
    write_users(d)
    return module_server_factory(LOGIN, directory=d)


def short(field, value=""):
    return {"type": "string_too_short", "loc": [field],
            "msg": "String should have at least 1 character",
            "input": value, "ctx": {"min_length": 1}}


@pytest.mark.parametrize("url", ["/auth/login", "/auth/token"])
@pytest.mark.parametrize("body,items", [
    ({"username": "", "password": PW}, [short("username")]),
    ({"username": "ann", "password": ""}, [short("password")]),
    ({"username": "", "password": ""}, [short("username"), short("password")]),
])
def test_empty_login_fields_are_422(lsrv, url, body, items):
    status, _, data, raw = request(lsrv, "POST", url, body)
    assert status == 422, raw
    assert data == {"detail": items}


@pytest.mark.parametrize("raw", [b"not json", b"{\"username\":", b"[1]"])
@pytest.mark.parametrize("url", ["/auth/login", "/items"])
def test_non_json_body_is_400_on_every_route(lsrv, url, raw):
    token = login(lsrv)
    status, _, data, text = request(lsrv, "POST", url, raw_body=raw,
                                    headers=bearer(token))
    assert status == 400, text
    assert data == DETAIL_NOT_OBJECT
