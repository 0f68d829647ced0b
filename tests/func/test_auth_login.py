"""Login endpoints, login validators, password hashes and BasicAuthentication
(SPEC §4, §8).

Every request here comes from its own loopback source address (127.0.x.y)
so that login throttling (10 failures per address per minute) never
interferes; throttling itself is tested in test_auth_throttle.py."""

import json

import pytest

from conftest import sqlite_db
from test_auth_util import (BASIC_REALM, DETAIL_BAD_LOGIN, DETAIL_NOT_OBJECT,
                            HASHERS, PREFIX, assert_401, assert_403,
                            assert_secrets_absent, basic, bearer,
                            decode_token, fresh_source, make_token, now,
                            request)

SECRET = "login-jwt-secret-Rt5w"
EXPIRATION = 900

# user -> (hash scheme, password, table claims, file claims)
USERS = {
    "alice": ("yescrypt", "alice-pw-Ya1",
              {"id": 1, "username": "alice", "is_admin": True},
              {"id": 11, "name": "Alice", "is_admin": True}),
    "bob": ("bcrypt", "bob-pw-Bc2",
            {"id": 2, "username": "bob", "is_admin": False},
            {"id": 12, "name": "Bob", "is_admin": False, "roles": ["a", "b"]}),
    "carol": ("sha512", "carol-pw-Sh3",
              {"id": 3, "username": "carol", "is_admin": False},
              {"id": 13, "is_admin": False, "team": {"n": 1.5, "x": None}}),
}
COLON_USER, COLON_PW = "colin", "co:lon:pw-Cc4"
UNI_USER, UNI_PW = "\u00fcn\u00ef", "p\u00e4ssw\u00f6rd \u2603"
WRONG_PWS = ["wrong-pw-Wz%d" % i for i in range(40)]
_wrong = iter(WRONG_PWS)


def wrong_pw():
    return next(_wrong)


def req(srv, method, path, **kw):
    return request(srv, method, path, source=fresh_source(), **kw)


def post(srv, path, body=None, **kw):
    return req(srv, "POST", path, body=body, **kw)


def hashes():
    return {u: HASHERS[scheme](pw) for u, (scheme, pw, _, _) in USERS.items()}


TABLE_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%s"
  jwt_expiration: %d
  login_validator:
    table: users
    username_field: username
    password_field: password_hash
    claims: [id, username, is_admin]
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /items
    fields:
      name: {type: str}
  - route: /admin
    fields:
      name: {type: str}
    meta:
      authentication: {permission: IsAdminUser}
  - route: /basic
    fields:
      name: {type: str}
    meta:
      authentication: {backend: BasicAuthentication}
  - route: /basicadmin
    fields:
      name: {type: str}
    meta:
      authentication: {backend: BasicAuthentication, permission: IsAdminUser}
""" % (SECRET, EXPIRATION)


@pytest.fixture(scope="module")
def tsrv(module_server_factory, tmp_path_factory):
    d = tmp_path_factory.mktemp("login_table")
    h = hashes()
    rows = [(claims["id"], u, h[u], 1 if claims["is_admin"] else 0)
            for u, (_, _, claims, _) in USERS.items()]
    rows.append((4, COLON_USER, HASHERS["sha512"](COLON_PW), 0))
    rows.append((5, UNI_USER, HASHERS["yescrypt"](UNI_PW), 0))
    sqlite_db(d,
              "CREATE TABLE users (id INTEGER PRIMARY KEY, "
              "username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, "
              "is_admin BOOLEAN NOT NULL DEFAULT FALSE, email TEXT)",
              ("INSERT INTO users (id, username, password_hash, is_admin) "
               "VALUES (?, ?, ?, ?)", rows))
    for u, (scheme, _, _, _) in USERS.items():
        assert h[u].startswith(PREFIX[scheme])
    return module_server_factory(TABLE_CONFIG, directory=d)


FILE_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  auth_path: /api/auth
  login_validator: {file: "{TMP}/users"}
defaults:
  authentication: {backend: BasicAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /items
    fields:
      name: {type: str}
  - route: /admin
    fields:
      name: {type: str}
    meta:
      authentication: {permission: IsAdminUser}
"""


@pytest.fixture(scope="module")
def fsrv(module_server_factory, tmp_path_factory):
    d = tmp_path_factory.mktemp("login_file")
    h = hashes()
    lines = ["# lightapid users: username:hash:claims", ""]
    for u, (_, _, _, claims) in USERS.items():
        lines.append(f"{u}:{h[u]}:{json.dumps(claims)}")
        lines.append("")
        lines.append("# another comment")
    lines.append(f"{COLON_USER}:{HASHERS['bcrypt'](COLON_PW)}:"
                 '{"id": 14, "is_admin": false}')
    (d / "users").write_text("\n".join(lines) + "\n")
    return module_server_factory(FILE_CONFIG, directory=d)


# ---- table validator, JWT login -----------------------------------------------

@pytest.mark.parametrize("url", ["/auth/login", "/auth/token"])
@pytest.mark.parametrize("user", sorted(USERS))
def test_table_login_returns_token_and_user(tsrv, user, url):
    scheme, pw, claims, _ = USERS[user]
    before = now()
    status, headers, data, raw = post(tsrv, url, {"username": user,
                                                  "password": pw})
    assert status == 200, f"{scheme}: {status} {raw!r}"
    assert headers.get("content-type", "").startswith("application/json")
    assert set(data) == {"token", "user"}, data
    assert data["user"] == claims
    _, payload = decode_token(data["token"], SECRET, "HS256")
    for key, value in claims.items():
        assert payload[key] == value, (key, payload)
    assert payload["is_admin"] is claims["is_admin"]
    assert payload["sub"] == user
    assert isinstance(payload["iat"], int) and isinstance(payload["exp"], int)
    assert before - 2 <= payload["iat"] <= now() + 2
    assert payload["exp"] == payload["iat"] + EXPIRATION


@pytest.mark.parametrize("user", sorted(USERS))
def test_table_login_with_basic_header(tsrv, user):
    _, pw, claims, _ = USERS[user]
    status, _, data, raw = post(tsrv, "/auth/login", headers=basic(user, pw))
    assert status == 200, raw
    assert data["user"] == claims
    decode_token(data["token"], SECRET, "HS256")


def test_table_login_extra_keys_ignored(tsrv):
    _, pw, claims, _ = USERS["carol"]
    status, _, data, raw = post(tsrv, "/auth/login",
                                {"username": "carol", "password": pw,
                                 "remember": True, "x": [1]})
    assert status == 200, raw
    assert data["user"] == claims


def test_login_password_with_colons(tsrv):
    status, _, data, raw = post(tsrv, "/auth/login",
                                {"username": COLON_USER, "password": COLON_PW})
    assert status == 200, raw
    assert data["user"]["username"] == COLON_USER
    status, _, data, raw = post(tsrv, "/auth/login",
                                headers=basic(COLON_USER, COLON_PW))
    assert status == 200, raw


def test_login_unicode_credentials(tsrv):
    status, _, data, raw = post(tsrv, "/auth/login",
                                {"username": UNI_USER, "password": UNI_PW})
    assert status == 200, raw
    assert data["user"] == {"id": 5, "username": UNI_USER, "is_admin": False}


@pytest.mark.parametrize("user", sorted(USERS))
def test_table_token_works_as_bearer(tsrv, user):
    _, pw, claims, _ = USERS[user]
    data = post(tsrv, "/auth/login", {"username": user, "password": pw})[2]
    token = bearer(data["token"])
    status, _, _, raw = req(tsrv, "GET", "/items", headers=token)
    assert status == 200, raw
    resp = req(tsrv, "GET", "/admin", headers=token)
    if claims["is_admin"]:
        assert resp[0] == 200, resp[3]
    else:
        assert_403(resp)


@pytest.mark.parametrize("user", sorted(USERS))
def test_table_wrong_password_is_401(tsrv, user):
    bad = wrong_pw()
    status, _, data, raw = post(tsrv, "/auth/login", {"username": user,
                                                      "password": bad})
    assert status == 401, raw
    assert data == DETAIL_BAD_LOGIN
    assert bad.encode() not in raw


def test_table_wrong_password_via_token_url(tsrv):
    status, _, data, raw = post(tsrv, "/auth/token",
                                {"username": "alice", "password": wrong_pw()})
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


def test_table_wrong_password_basic_header(tsrv):
    status, _, data, raw = post(tsrv, "/auth/login",
                                headers=basic("alice", wrong_pw()))
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


def test_unknown_user_is_401(tsrv):
    status, _, data, raw = post(tsrv, "/auth/login",
                                {"username": "mallory", "password": wrong_pw()})
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


def test_password_of_another_user_is_401(tsrv):
    status, _, data, raw = post(tsrv, "/auth/login",
                                {"username": "alice",
                                 "password": USERS["bob"][1]})
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


def test_hash_as_password_is_401(tsrv):
    # The stored hash string itself must not work as a password.
    h = HASHERS["sha512"]("whatever")
    status, _, data, raw = post(tsrv, "/auth/login",
                                {"username": "carol", "password": h})
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


@pytest.mark.parametrize("username,password", [
    ("alice' OR '1'='1", "x' OR '1'='1"),
    ("alice", USERS["alice"][1] + "x"),
    ("alice", USERS["alice"][1][:-1]),
    ("ALICE", USERS["alice"][1]),
    (" alice", USERS["alice"][1]),
    ("bob", USERS["bob"][1] + "y" * 100),
    ("carol", "x" * 100000),
    ("%", "%"),
    ("_", "_"),
])
def test_near_miss_credentials_are_401(tsrv, username, password):
    status, _, data, raw = post(tsrv, "/auth/login", {"username": username,
                                                      "password": password})
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


@pytest.mark.parametrize("username,password", [
    ("alice\u0000zzz", USERS["alice"][1]),
    ("alice", USERS["alice"][1] + "\u0000junk"),
])
def test_nul_in_json_credentials_never_logs_in(tsrv, username, password):
    # The README makes a string holding \u0000 in a POST body a 400, like
    # unparseable JSON.
    status, _, data, raw = post(tsrv, "/auth/login", {"username": username,
                                                      "password": password})
    assert (status, data) == (400, DETAIL_NOT_OBJECT), raw


@pytest.mark.parametrize("value", ["Basic !!!notbase64",
                                   "Basic " + "bm9jb2xvbg==",  # "nocolon"
                                   "Basic "])
def test_login_malformed_basic_header_is_401(tsrv, value):
    # A Basic header was sent, so this is bad credentials, not a 400.
    status, _, data, raw = post(tsrv, "/auth/login",
                                headers={"Authorization": value})
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


def test_nul_in_basic_password_is_401(tsrv):
    assert_401(req(tsrv, "GET", "/basic",
                   headers=basic("alice", USERS["alice"][1] + "\x00junk")),
               BASIC_REALM)
    status, _, data, raw = post(tsrv, "/auth/login",
                                headers=basic("alice",
                                              USERS["alice"][1] + "\x00j"))
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


def items_of(data):
    assert isinstance(data, dict) and isinstance(data.get("detail"), list), data
    return {(item["type"], tuple(item["loc"])) for item in data["detail"]}


@pytest.mark.parametrize("body,expected", [
    ({}, {("missing", ("username",)), ("missing", ("password",))}),
    ({"username": "alice"}, {("missing", ("password",))}),
    ({"password": "x-pw"}, {("missing", ("username",))}),
    ({"username": 5, "password": "x-pw"}, {("string_type", ("username",))}),
    ({"username": "alice", "password": ["x"]},
     {("string_type", ("password",))}),
    ({"username": {"a": 1}, "password": 7},
     {("string_type", ("username",)), ("string_type", ("password",))}),
    ({"username": True}, {("string_type", ("username",)),
                          ("missing", ("password",))}),
])
def test_login_422(tsrv, body, expected):
    status, _, data, raw = post(tsrv, "/auth/login", body)
    assert status == 422, raw
    assert items_of(data) == expected, data


def test_login_422_does_not_echo_password(tsrv):
    secret_pw = "echo-me-not-Pq9"
    status, _, data, raw = post(tsrv, "/auth/login",
                                {"username": 5, "password": secret_pw})
    assert status == 422, raw
    assert secret_pw.encode() not in raw


@pytest.mark.parametrize("raw_body", [b"garbage", b"{not json", b"[1, 2]",
                                      b'"alice"', b"42", b"null", b""])
def test_login_body_not_an_object_is_400(tsrv, raw_body):
    status, _, data, raw = post(tsrv, "/auth/login", raw_body=raw_body,
                                headers={"Content-Type": "application/json"})
    assert status == 400, raw
    assert data == DETAIL_NOT_OBJECT


@pytest.mark.parametrize("url", ["/auth/login", "/auth/token"])
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_login_other_verbs_405(tsrv, method, url):
    status, headers, _, raw = req(tsrv, method, url)
    assert status == 405, raw
    assert headers.get("allow") == "OPTIONS, POST", headers


def test_login_options(tsrv):
    status, headers, _, raw = req(tsrv, "OPTIONS", "/auth/login")
    assert status == 204, raw
    assert headers.get("allow") == "OPTIONS, POST", headers


def test_login_needs_no_credentials_even_with_bad_bearer(tsrv):
    # The login URL is not a protected endpoint: a stale token does not 401 it.
    _, pw, claims, _ = USERS["carol"]
    status, _, data, raw = post(tsrv, "/auth/login",
                                {"username": "carol", "password": pw},
                                headers=bearer("stale.garbage.token"))
    assert status == 200, raw
    assert data["user"] == claims


# ---- BasicAuthentication on endpoints (table validator) ---------------------------

@pytest.mark.parametrize("user", sorted(USERS))
def test_basic_endpoint_each_hash(tsrv, user):
    _, pw, claims, _ = USERS[user]
    status, _, _, raw = req(tsrv, "GET", "/basic", headers=basic(user, pw))
    assert status == 200, raw
    resp = req(tsrv, "GET", "/basicadmin", headers=basic(user, pw))
    if claims["is_admin"]:
        assert resp[0] == 200, resp[3]
    else:
        assert_403(resp)


def test_basic_endpoint_password_with_colons(tsrv):
    status, _, _, raw = req(tsrv, "GET", "/basic",
                            headers=basic(COLON_USER, COLON_PW))
    assert status == 200, raw


def test_basic_endpoint_post(tsrv):
    status, _, row, raw = req(tsrv, "POST", "/basic", body={"name": "b"},
                              headers=basic("bob", USERS["bob"][1]))
    assert status == 201, raw
    assert row["name"] == "b"


def test_basic_endpoint_no_credentials(tsrv):
    assert_401(req(tsrv, "GET", "/basic"), BASIC_REALM)


@pytest.mark.parametrize("user", ["alice", "mallory"])
def test_basic_endpoint_bad_credentials(tsrv, user):
    assert_401(req(tsrv, "GET", "/basic", headers=basic(user, wrong_pw())),
               BASIC_REALM)


@pytest.mark.parametrize("value", ["Basic", "Basic ", "Basic !!!notbase64",
                                   "Basic " + "bm9jb2xvbg==",  # "nocolon"
                                   "Basic " + "Og==",           # ":"
                                   "Digest abc", "garbage"])
def test_basic_endpoint_malformed_header(tsrv, value):
    assert_401(req(tsrv, "GET", "/basic", headers={"Authorization": value}),
               BASIC_REALM)


def test_basic_endpoint_rejects_bearer(tsrv):
    token = make_token({"sub": "alice", "is_admin": True, "exp": now() + 60},
                       SECRET)
    assert_401(req(tsrv, "GET", "/basic", headers=bearer(token)), BASIC_REALM)


def test_jwt_endpoint_rejects_basic(tsrv):
    assert_401(req(tsrv, "GET", "/items",
                   headers=basic("alice", USERS["alice"][1])))


def test_zz_table_secrets_not_logged(tsrv):
    secrets = [SECRET, COLON_PW, UNI_PW, "echo-me-not-Pq9"] + WRONG_PWS
    secrets += [pw for _, pw, _, _ in USERS.values()]
    assert_secrets_absent(tsrv.log(), secrets)


# ---- file validator, Basic only ---------------------------------------------------

@pytest.mark.parametrize("url", ["/api/auth/login", "/api/auth/token"])
@pytest.mark.parametrize("user", sorted(USERS))
def test_file_login_basic_only_returns_user(fsrv, user, url):
    scheme, pw, _, claims = USERS[user]
    status, _, data, raw = post(fsrv, url, {"username": user, "password": pw})
    assert status == 200, f"{scheme}: {status} {raw!r}"
    assert data == {"user": claims}


@pytest.mark.parametrize("user", sorted(USERS))
def test_file_login_with_basic_header(fsrv, user):
    _, pw, _, claims = USERS[user]
    status, _, data, raw = post(fsrv, "/api/auth/login",
                                headers=basic(user, pw))
    assert status == 200, raw
    assert data == {"user": claims}


def test_file_login_default_path_is_404(fsrv):
    _, pw, _, _ = USERS["alice"]
    status, _, _, raw = post(fsrv, "/auth/login", {"username": "alice",
                                                   "password": pw})
    assert status == 404, raw


@pytest.mark.parametrize("user", sorted(USERS))
def test_file_wrong_password(fsrv, user):
    status, _, data, raw = post(fsrv, "/api/auth/login",
                                {"username": user, "password": wrong_pw()})
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


def test_file_comment_is_not_a_user(fsrv):
    status, _, data, raw = post(fsrv, "/api/auth/login",
                                {"username": "# lightapid users",
                                 "password": wrong_pw()})
    assert (status, data) == (401, DETAIL_BAD_LOGIN), raw


def test_file_password_with_colons(fsrv):
    status, _, data, raw = post(fsrv, "/api/auth/login",
                                {"username": COLON_USER, "password": COLON_PW})
    assert status == 200, raw
    assert data == {"user": {"id": 14, "is_admin": False}}


@pytest.mark.parametrize("user", sorted(USERS))
def test_file_basic_endpoint_each_hash(fsrv, user):
    _, pw, _, claims = USERS[user]
    status, _, _, raw = req(fsrv, "GET", "/items", headers=basic(user, pw))
    assert status == 200, raw
    resp = req(fsrv, "GET", "/admin", headers=basic(user, pw))
    if claims["is_admin"]:
        assert resp[0] == 200, resp[3]
    else:
        assert_403(resp)


def test_file_basic_endpoint_wrong_password(fsrv):
    assert_401(req(fsrv, "GET", "/items", headers=basic("bob", wrong_pw())),
               BASIC_REALM)


def test_file_basic_endpoint_no_credentials(fsrv):
    assert_401(req(fsrv, "GET", "/items"), BASIC_REALM)
    assert_401(req(fsrv, "GET", "/admin"), BASIC_REALM)


def test_file_basic_endpoint_rejects_bearer(fsrv):
    token = make_token({"sub": "alice", "is_admin": True}, "any-secret")
    assert_401(req(fsrv, "GET", "/items", headers=bearer(token)), BASIC_REALM)


def test_file_login_422_and_400(fsrv):
    status, _, data, raw = post(fsrv, "/api/auth/login", {"username": "bob"})
    assert status == 422, raw
    assert items_of(data) == {("missing", ("password",))}
    status, _, data, raw = post(fsrv, "/api/auth/login", raw_body=b"[]",
                                headers={"Content-Type": "application/json"})
    assert (status, data) == (400, DETAIL_NOT_OBJECT), raw


def test_file_login_405(fsrv):
    status, headers, _, raw = req(fsrv, "GET", "/api/auth/token")
    assert status == 405, raw
    assert headers.get("allow") == "OPTIONS, POST"


def test_zz_file_secrets_not_logged(fsrv):
    secrets = [COLON_PW] + WRONG_PWS + [pw for _, pw, _, _ in USERS.values()]
    assert_secrets_absent(fsrv.log(), secrets)


# ---- no backend anywhere: no login URLs ---------------------------------------------

NO_AUTH = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

AUTH_BUT_UNUSED = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "unused-secret"
  login_validator: {file: "{TMP}/users"}
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


@pytest.mark.parametrize("config", [NO_AUTH, AUTH_BUT_UNUSED],
                         ids=["no_auth", "auth_unused"])
def test_no_backend_no_login(server, tmp_path, config):
    (tmp_path / "users").write_text(
        f"bob:{HASHERS['sha512']('pw-x')}:{{}}\n")
    s = server(config)
    for url in ("/auth/login", "/auth/token"):
        status, _, data, raw = post(s, url, {"username": "bob",
                                             "password": "pw-x"})
        assert status == 404, (url, raw)
        assert data == {"detail": "not found"}
    status, _, _, raw = req(s, "GET", "/items")
    assert status == 200, raw
