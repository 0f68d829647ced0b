"""Who may call what (SPEC §8, lightapi.yaml(5) "Authentication"): the
permission each verb resolves to, for a backend set in `defaults` or in
`meta`, JWT or Basic, with every form of `permission` and of `methods`.

A backend with no permission requires valid credentials, as in LightAPI;
a permission map leaves the verbs it does not list open, and `-t` warns
about each of them."""

import pytest

from conftest import render, run_cli
from test_auth_util import (BASIC_REALM, BEARER, assert_401, assert_403,
                            basic, bearer, hash_sha512, make_token, request)

SECRET = "matrix-secret-Vb61"
USER_PW = "user-pw-Lk2"
ADMIN_PW = "admin-pw-Rt9"

HEAD = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%s"
  login_validator: {file: "{TMP}/users"}
""" % SECRET

# route -> the meta.authentication permission (None: no permission key).
PERMS = {
    "/bare": None,
    "/open": "AllowAny",
    "/authn": "IsAuthenticated",
    "/admin": "IsAdminUser",
    "/pmap": "{GET: AllowAny, POST: IsAdminUser}",
}

ALL = ("GET", "POST", "PUT", "PATCH", "DELETE")
OK, NEED_USER, NEED_ADMIN = "ok", "user", "admin"

# route -> verb -> who may call it.
EXPECT = {
    "/bare": {v: NEED_USER for v in ALL},
    "/open": {v: OK for v in ALL},
    "/authn": {v: NEED_USER for v in ALL},
    "/admin": {v: NEED_ADMIN for v in ALL},
    "/pmap": {"GET": OK, "POST": NEED_ADMIN, "PUT": OK, "PATCH": OK,
              "DELETE": OK},
    # methods map: GET AllowAny, POST resolves no permission, DELETE admin.
    "/vmap": {"GET": OK, "POST": NEED_USER, "DELETE": NEED_ADMIN},
}


def config(where, backend):
    """The backend in defaults.authentication, or in each endpoint's
    meta.authentication."""
    text = HEAD
    if where == "defaults":
        text += "defaults:\n  authentication: {backend: %s}\n" % backend
    text += "endpoints:\n"
    for route, perm in PERMS.items():
        keys = []
        if where == "meta":
            keys.append("backend: %s" % backend)
        if perm is not None:
            keys.append("permission: %s" % perm)
        text += "  - route: %s\n    fields:\n      name: {type: str}\n" % route
        if keys:
            text += "    meta:\n      authentication: {%s}\n" % ", ".join(keys)
    text += """\
  - route: /vmap
    fields:
      name: {type: str}
    meta:
"""
    if where == "meta":
        text += "      authentication: {backend: %s}\n" % backend
    text += """\
      methods:
        GET: {authentication: {permission: AllowAny}}
        POST:
        DELETE: {authentication: {permission: IsAdminUser}}
"""
    return text


def write_users(directory):
    (directory / "users").write_text(
        f'dave:{hash_sha512(USER_PW)}:{{"sub": "dave", "is_admin": false}}\n'
        f'root:{hash_sha512(ADMIN_PW)}:{{"sub": "root", "is_admin": true}}\n')


VARIANTS = [(w, b) for w in ("defaults", "meta")
            for b in ("JWTAuthentication", "BasicAuthentication")]


@pytest.fixture(scope="module", params=VARIANTS,
                ids=["-".join(v) for v in VARIANTS])
def msrv(request, module_server_factory, tmp_path_factory):
    where, backend = request.param
    d = tmp_path_factory.mktemp("matrix")
    write_users(d)
    srv = module_server_factory(config(where, backend), directory=d)
    srv.backend = backend
    return srv


def creds(srv, who):
    if who == "anon":
        return {}
    admin = who == "admin"
    if srv.backend == "BasicAuthentication":
        return basic("root" if admin else "dave",
                     ADMIN_PW if admin else USER_PW)
    return bearer(make_token({"sub": who, "is_admin": admin}, SECRET))


def call(srv, route, verb, who):
    """The verb on the route; a detail verb targets a row that does not
    exist, so passing the permission check shows as 404."""
    h = creds(srv, who)
    if verb == "GET":
        return request(srv, "GET", route, headers=h)
    if verb == "POST":
        return request(srv, "POST", route, {"name": "n"}, headers=h)
    body = {"version": 1, "name": "n"} if verb in ("PUT", "PATCH") else None
    return request(srv, verb, route + "/999999", body, headers=h)


SUCCESS = {"GET": 200, "POST": 201, "PUT": 404, "PATCH": 404, "DELETE": 404}


def challenge(srv):
    return BASIC_REALM if srv.backend == "BasicAuthentication" else BEARER


CASES = [(route, verb) for route, verbs in EXPECT.items() for verb in verbs]


@pytest.mark.parametrize("route,verb", CASES,
                         ids=[f"{r[1:]}-{v}" for r, v in CASES])
def test_matrix(msrv, route, verb):
    need = EXPECT[route][verb]
    for who in ("anon", "user", "admin"):
        resp = call(msrv, route, verb, who)
        if need == OK or (need == NEED_USER and who != "anon") or \
                who == "admin":
            assert resp[0] == SUCCESS[verb], (who, resp[3])
        elif who == "anon":
            assert_401(resp, challenge(msrv))
        else:
            assert_403(resp)


def test_vmap_has_only_its_verbs(msrv):
    status, headers, _, _ = call(msrv, "/vmap", "PUT", "admin")
    assert status == 405
    assert headers["allow"] == "DELETE, GET, HEAD, OPTIONS"


@pytest.mark.parametrize("route", ["/open", "/pmap"])
def test_bad_credentials_on_open_verb_are_401(msrv, route):
    # Documented difference: a wrong Authorization header is reported even
    # where the verb needs none.
    if msrv.backend == "BasicAuthentication":
        h = basic("dave", "wrong")
    else:
        h = bearer(make_token({"sub": "x"}, "not-it"))
    assert_401(request(msrv, "GET", route, headers=h), challenge(msrv))


@pytest.mark.parametrize("where", ["defaults", "meta"])
def test_t_warns_about_each_verb_a_map_opens(tmp_path, where):
    text = render(config(where, "JWTAuthentication"), tmp_path)
    write_users(tmp_path)
    cfg = tmp_path / "lightapi.yaml"
    cfg.write_text(text)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err
    warnings = [l for l in err.splitlines() if ": warning: " in l]
    line = text[:text.index("{GET: AllowAny, POST")].count("\n") + 1
    opened = sorted(l.split("endpoint '/pmap': ")[1].split()[0]
                    for l in warnings)
    assert opened == ["DELETE", "PATCH", "PUT"], err
    for w in warnings:
        assert w.startswith(f"{cfg}:{line}:"), w
        assert "AllowAny" in w


def test_no_backend_anywhere_is_open(server, tmp_path):
    srv = server("""\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str}
""")
    assert srv.post("/items", {"name": "a"})[0] == 201
    assert srv.get("/items")[0] == 200
    assert srv.get("/auth/login")[0] == 404


def test_permission_without_backend_is_an_error(tmp_path):
    text = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str}
    meta:
      authentication: {permission: IsAuthenticated}
"""
    text = render(text, tmp_path)
    cfg = tmp_path / "lightapi.yaml"
    cfg.write_text(text)
    rc, _, err = run_cli(["-t", "-c", cfg])
    assert rc == 1
    assert f"{cfg}:8:23: endpoint '/items': a permission other than " \
        "AllowAny needs an authentication backend" in err, err


# ---- LightAPI's own per-method example (behaviour reference §6.3) --------

LIGHTAPI_6_3 = HEAD + """\
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /things
    fields:
      name: {type: str}
    meta:
      methods:
        GET:    { authentication: { permission: AllowAny } }
        POST:
        DELETE: { authentication: { permission: IsAdminUser } }
  - route: /defmap
    fields:
      name: {type: str}
"""


def test_lightapi_per_method_example(server, tmp_path):
    write_users(tmp_path)
    srv = server(LIGHTAPI_6_3, directory=tmp_path)
    srv.backend = "JWTAuthentication"
    assert call(srv, "/things", "GET", "anon")[0] == 200
    assert_401(call(srv, "/things", "POST", "anon"))
    assert_401(call(srv, "/things", "DELETE", "anon"))
    assert_403(call(srv, "/things", "DELETE", "user"))
    assert call(srv, "/things", "DELETE", "admin")[0] == 404
    assert call(srv, "/things", "POST", "user")[0] == 201
    assert call(srv, "/things", "PUT", "admin")[0] == 405
    # An endpoint without meta takes the defaults whole.
    for verb in ALL:
        assert_401(call(srv, "/defmap", verb, "anon"))
        assert call(srv, "/defmap", verb, "user")[0] == SUCCESS[verb]


def test_defaults_permission_map_opens_unlisted_verbs(server, tmp_path):
    write_users(tmp_path)
    srv = server(HEAD + """\
defaults:
  authentication:
    backend: BasicAuthentication
    permission: {GET: AllowAny, POST: IsAuthenticated}
endpoints:
  - route: /items
    fields:
      name: {type: str}
  - route: /strict
    fields:
      name: {type: str}
    meta:
      authentication: {permission: IsAdminUser}
""", directory=tmp_path)
    srv.backend = "BasicAuthentication"
    assert call(srv, "/items", "GET", "anon")[0] == 200
    assert_401(call(srv, "/items", "POST", "anon"), BASIC_REALM)
    assert call(srv, "/items", "POST", "user")[0] == 201
    assert call(srv, "/items", "DELETE", "anon")[0] == 404
    # meta's permission replaces the defaults' map whole.
    for verb in ALL:
        assert_401(call(srv, "/strict", verb, "anon"), BASIC_REALM)
        assert_403(call(srv, "/strict", verb, "user"))
