"""JWTAuthentication and permissions (SPEC §4, §8).

Tokens are built here with hmac; nothing but the standard library."""

import pytest

from test_auth_util import (BEARER, assert_401, assert_403,
                            assert_secrets_absent, b64url, bearer, basic,
                            decode_token, hash_sha512, make_token, now,
                            sign)

SECRET = "jwt-secret-Zq81xK-do-not-log"
WRONG_SECRET = "jwt-wrong-secret-Pw44"
DAVE_PW = "dave-password-Hx7"
DAVE_WRONG_PW = "dave-wrong-password-Qm3"

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%(secret)s"
  jwt_expiration: 3600
  jwt_algorithm: HS256
  jwt_leeway: 0
  auth_path: /auth
  login_validator: {file: "{TMP}/users"}
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /items
    fields:
      name: {type: str, min_length: 1}
  - route: /public
    fields:
      name: {type: str}
    meta:
      authentication: {permission: AllowAny}
  - route: /admin
    fields:
      name: {type: str}
    meta:
      authentication: {permission: IsAdminUser}
  - route: /keyed
    fields:
      name: {type: str}
    meta:
      authentication: {backend: JWTAuthentication}
  - route: /mixed
    fields:
      name: {type: str}
    meta:
      methods:
        GET: {authentication: {permission: AllowAny}}
        POST:
        DELETE: {authentication: {permission: IsAdminUser}}
  - route: /layered
    fields:
      name: {type: str}
    meta:
      authentication: {permission: IsAdminUser}
      methods:
        GET: {authentication: {permission: AllowAny}}
        POST:
  - route: /cached
    fields:
      name: {type: str}
    meta:
      authentication: {permission: IsAdminUser}
      cache: {ttl: 60}
  - route: /permmap
    fields:
      name: {type: str}
    meta:
      authentication:
        permission: {GET: AllowAny, POST: IsAdminUser, PUT: IsAuthenticated,
                     PATCH: IsAuthenticated, DELETE: IsAdminUser}
""" % {"secret": SECRET}


def users_file(directory):
    text = ("# test users\n\n"
            f'dave:{hash_sha512(DAVE_PW)}:{{"id": 42, "username": "dave", '
            '"is_admin": false}\n')
    (directory / "users").write_text(text)


@pytest.fixture(scope="module")
def srv(module_server_factory, tmp_path_factory):
    d = tmp_path_factory.mktemp("jwt")
    users_file(d)
    return module_server_factory(CONFIG, directory=d)


def tok(secret=SECRET, alg="HS256", **claims):
    payload = {"sub": "tester", "id": 1, "is_admin": False}
    payload.update(claims)
    return make_token(payload, secret, alg)


USER = bearer(tok())
ADMIN = bearer(tok(is_admin=True))


def item(srv, route="/items", headers=ADMIN):
    status, _, row, raw = srv.post(route, {"name": "n"}, headers=headers)
    assert status == 201, raw
    return row


# ---- missing / malformed credentials ---------------------------------------

def test_no_header_is_401(srv):
    resp = srv.get("/items")
    assert_401(resp)
    assert resp[1].get("content-type", "").startswith("application/json")


def test_valid_token_gets_200(srv):
    status, _, data, raw = srv.get("/items", headers=USER)
    assert status == 200, raw
    assert list(data) == ["results"], raw


def test_valid_token_can_post(srv):
    status, _, row, raw = srv.post("/items", {"name": "a"}, headers=USER)
    assert status == 201, raw
    assert row["name"] == "a"


@pytest.mark.parametrize("value", ["Bearer", "Bearer ", "Bearer  ",
                                   "Token abc", "Basic " + "Zm9vOmJhcg==",
                                   "abc", ""])
def test_bad_authorization_values_are_401(srv, value):
    assert_401(srv.get("/items", headers={"Authorization": value}))


def test_basic_credentials_on_jwt_endpoint_are_401(srv):
    # Even correct Basic credentials do not authenticate a JWT endpoint.
    assert_401(srv.get("/items", headers=basic("dave", DAVE_PW)))


def test_scheme_is_case_insensitive(srv):
    # RFC 7235 §2.1: the auth-scheme is case-insensitive (LightAPI agrees).
    status, _, _, raw = srv.get("/items",
                                headers={"Authorization": "bearer " + tok()})
    assert status == 200, raw


def _parts(token):
    return token.split(".")


@pytest.mark.parametrize("kind", ["two_parts", "four_parts", "bad_base64",
                                  "non_json", "empty_parts", "garbage"])
def test_malformed_token_is_401(srv, kind):
    good = tok()
    h, p, s = _parts(good)
    token = {
        "two_parts": f"{h}.{p}",
        "four_parts": f"{h}.{p}.{s}.{s}",
        "bad_base64": f"{h}.!!!*~.{sign(h + '.!!!*~', SECRET)}",
        "non_json": make_token(None, SECRET, raw_payload=b"not json {"),
        "empty_parts": "..",
        "garbage": "not-a-token",
    }[kind]
    assert_401(srv.get("/items", headers=bearer(token)))


def test_bad_base64_header_segment_is_401(srv):
    p = _parts(tok())[1]
    token = f"%%%.{p}.{sign('%%%.' + p, SECRET)}"
    assert_401(srv.get("/items", headers=bearer(token)))


@pytest.mark.parametrize("payload", [b"[1,2,3]", b'"a string"', b"42",
                                     b"null", b"true"])
def test_payload_not_an_object_is_401(srv, payload):
    token = make_token(None, SECRET, raw_payload=payload)
    assert_401(srv.get("/items", headers=bearer(token)))


def test_header_not_an_object_is_401(srv):
    token = make_token({"sub": "x"}, SECRET, header=["HS256"])
    assert_401(srv.get("/items", headers=bearer(token)))


# ---- signature and algorithm -------------------------------------------------

def test_tampered_signature_is_401(srv):
    h, p, s = _parts(tok())
    flipped = ("A" if s[0] != "A" else "B") + s[1:]
    assert_401(srv.get("/items", headers=bearer(f"{h}.{p}.{flipped}")))


def test_tampered_payload_is_401(srv):
    h, _, s = _parts(tok())
    other = b64url('{"sub":"tester","id":1,"is_admin":true}')
    assert_401(srv.get("/admin", headers=bearer(f"{h}.{other}.{s}")))


def test_wrong_secret_is_401(srv):
    assert_401(srv.get("/items", headers=bearer(tok(secret=WRONG_SECRET))))


def test_empty_signature_is_401(srv):
    h, p, _ = _parts(tok())
    assert_401(srv.get("/items", headers=bearer(f"{h}.{p}.")))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_401(srv, alg):
    token = make_token({"sub": "tester", "is_admin": True}, SECRET,
                       header={"alg": alg, "typ": "JWT"}, signature="")
    assert_401(srv.get("/items", headers=bearer(token)))
    assert_401(srv.get("/public", headers=bearer(token)))


def test_alg_none_with_hs256_signature_is_401(srv):
    # The signature is right for HS256, but the header claims "none".
    token = make_token({"sub": "tester"}, SECRET, alg="HS256",
                       header={"alg": "none", "typ": "JWT"})
    assert_401(srv.get("/items", headers=bearer(token)))


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_algorithm_is_401(srv, alg):
    assert_401(srv.get("/items", headers=bearer(tok(alg=alg))))


def test_missing_alg_is_401(srv):
    token = make_token({"sub": "tester"}, SECRET, header={"typ": "JWT"})
    assert_401(srv.get("/items", headers=bearer(token)))


# ---- exp / nbf ---------------------------------------------------------------

def test_expired_token_is_401(srv):
    assert_401(srv.get("/items", headers=bearer(tok(exp=now() - 100))))


def test_token_expiring_now_is_401(srv):
    # now >= exp is expired.
    assert_401(srv.get("/items", headers=bearer(tok(exp=now()))))


def test_future_exp_is_accepted(srv):
    status, _, _, raw = srv.get("/items", headers=bearer(tok(exp=now() + 100)))
    assert status == 200, raw


def test_fractional_exp_is_a_number(srv):
    status, _, _, raw = srv.get("/items",
                                headers=bearer(tok(exp=now() + 100.5)))
    assert status == 200, raw


@pytest.mark.parametrize("exp", ["9999999999", None, [9999999999],
                                 {"t": 9999999999}, True])
def test_exp_not_a_number_is_401(srv, exp):
    assert_401(srv.get("/items", headers=bearer(tok(exp=exp))))


def test_nbf_in_future_is_401(srv):
    assert_401(srv.get("/items", headers=bearer(tok(nbf=now() + 100))))


def test_nbf_in_past_is_accepted(srv):
    status, _, _, raw = srv.get("/items",
                                headers=bearer(tok(nbf=now() - 100,
                                                   exp=now() + 100)))
    assert status == 200, raw


def test_no_exp_no_nbf_is_accepted(srv):
    token = make_token({"sub": "x"}, SECRET)
    status, _, _, raw = srv.get("/items", headers=bearer(token))
    assert status == 200, raw


def test_empty_payload_object_is_authenticated(srv):
    # {} is a JSON object: authenticated, no claims, not an admin.
    token = make_token({}, SECRET)
    status, _, _, raw = srv.get("/items", headers=bearer(token))
    assert status == 200, raw
    assert_403(srv.get("/admin", headers=bearer(token)))


# ---- permissions -------------------------------------------------------------

def test_admin_endpoint_admin_token(srv):
    status, _, _, raw = srv.get("/admin", headers=ADMIN)
    assert status == 200, raw


@pytest.mark.parametrize("value", [False, "true", 1, "1", None, [True],
                                   {"x": True}])
def test_admin_endpoint_non_admin_is_403(srv, value):
    assert_403(srv.get("/admin", headers=bearer(tok(is_admin=value))))


def test_admin_endpoint_no_is_admin_claim_is_403(srv):
    token = make_token({"sub": "x"}, SECRET)
    assert_403(srv.get("/admin", headers=bearer(token)))


def test_admin_endpoint_anonymous_is_401(srv):
    assert_401(srv.get("/admin"))


def test_admin_endpoint_bad_token_is_401_not_403(srv):
    assert_401(srv.get("/admin", headers=bearer(tok(secret=WRONG_SECRET,
                                                     is_admin=True))))


def test_403_is_json(srv):
    resp = srv.post("/admin", {"name": "x"}, headers=USER)
    assert_403(resp)
    assert resp[1].get("content-type", "").startswith("application/json")


def test_allow_any_anonymous(srv):
    status, _, _, raw = srv.get("/public")
    assert status == 200, raw
    status, _, _, raw = srv.post("/public", {"name": "p"})
    assert status == 201, raw


def test_allow_any_with_valid_token(srv):
    status, _, _, raw = srv.get("/public", headers=USER)
    assert status == 200, raw


def test_allow_any_with_invalid_token_is_401(srv):
    assert_401(srv.get("/public", headers=bearer(tok(secret=WRONG_SECRET))))
    assert_401(srv.get("/public", headers=bearer("garbage")))
    assert_401(srv.get("/public", headers=bearer(tok(exp=now() - 10))))


def test_backend_only_override_keeps_default_permission(srv):
    assert_401(srv.get("/keyed"))
    status, _, _, raw = srv.get("/keyed", headers=USER)
    assert status == 200, raw


def test_methods_map_per_verb(srv):
    # GET AllowAny (own), POST null -> defaults IsAuthenticated,
    # DELETE IsAdminUser, PUT/PATCH not allowed.
    status, _, _, raw = srv.get("/mixed")
    assert status == 200, raw
    assert_401(srv.post("/mixed", {"name": "m"}))
    status, _, row, raw = srv.post("/mixed", {"name": "m"}, headers=USER)
    assert status == 201, raw
    assert_401(srv.delete(f"/mixed/{row['id']}"))
    assert_403(srv.delete(f"/mixed/{row['id']}", headers=USER))
    status, _, _, raw = srv.delete(f"/mixed/{row['id']}", headers=ADMIN)
    assert status == 204, raw


def test_methods_map_verb_not_allowed_is_405_before_auth(srv):
    for method in ("PUT", "PATCH"):
        status, headers, _, raw = srv.request(method, "/mixed/1",
                                              raw_body=b"garbage{")
        assert status == 405, (method, status, raw)
        assert "www-authenticate" not in headers


def test_verb_permission_overrides_endpoint_permission(srv):
    # /layered: endpoint IsAdminUser, GET AllowAny via the methods map.
    status, _, _, raw = srv.get("/layered")
    assert status == 200, raw
    assert_401(srv.post("/layered", {"name": "l"}))
    assert_403(srv.post("/layered", {"name": "l"}, headers=USER))
    status, _, _, raw = srv.post("/layered", {"name": "l"}, headers=ADMIN)
    assert status == 201, raw


def test_permission_map(srv):
    status, _, _, raw = srv.get("/permmap")
    assert status == 200, raw
    assert_401(srv.post("/permmap", {"name": "x"}))
    assert_403(srv.post("/permmap", {"name": "x"}, headers=USER))
    status, _, row, raw = srv.post("/permmap", {"name": "x"}, headers=ADMIN)
    assert status == 201, raw
    rid = row["id"]
    status, _, _, raw = srv.get(f"/permmap/{rid}")
    assert status == 200, raw
    assert_401(srv.patch(f"/permmap/{rid}", {"name": "y", "version": 1}))
    status, _, _, raw = srv.patch(f"/permmap/{rid}", {"name": "y",
                                                      "version": 1},
                                  headers=USER)
    assert status == 200, raw
    assert_403(srv.delete(f"/permmap/{rid}", headers=USER))
    assert srv.delete(f"/permmap/{rid}", headers=ADMIN)[0] == 204


def test_bearer_with_trailing_garbage_is_401(srv):
    assert_401(srv.get("/items", headers={"Authorization":
                                          f"Bearer {tok()} extra"}))
    assert_401(srv.get("/items", headers={"Authorization":
                                          f"Bearer {tok()}.x"}))


def test_huge_exp_is_a_future_number(srv):
    status, _, _, raw = srv.get("/items", headers=bearer(tok(exp=1e300)))
    assert status == 200, raw


@pytest.mark.parametrize("exp", [-1, -1e300, 0])
def test_negative_or_zero_exp_is_expired(srv, exp):
    assert_401(srv.get("/items", headers=bearer(tok(exp=exp))))


def test_large_token_is_401_not_crash(srv):
    token = tok(pad="x" * 3000)  # stays under the 8K header limit
    h, p, s = _parts(token)
    assert_401(srv.get("/items", headers=bearer(f"{h}.{p}.{s[::-1]}")))
    assert srv.get("/healthz")[0] == 200


# ---- caching never bypasses authentication ----------------------------------

def test_cached_responses_still_authenticated(srv):
    row = item(srv, "/cached")
    for path in ("/cached", f"/cached/{row['id']}"):
        for _ in range(3):  # MISS, then HIT on some worker
            status, _, _, raw = srv.get(path, headers=ADMIN)
            assert status == 200, raw
        assert_401(srv.get(path))
        assert_401(srv.get(path, headers=bearer(tok(secret=WRONG_SECRET,
                                                     is_admin=True))))
        assert_403(srv.get(path, headers=USER))


# ---- order of checks ---------------------------------------------------------

def test_unknown_route_is_404_without_credentials(srv):
    status, _, data, raw = srv.get("/nowhere")
    assert status == 404, raw
    assert data == {"detail": "not found"}


def test_missing_id_anonymous_is_401(srv):
    assert_401(srv.get("/items/999999"))


def test_missing_id_authenticated_is_404(srv):
    status, _, data, _ = srv.get("/items/999999", headers=USER)
    assert status == 404 and data == {"detail": "not found"}


def test_existing_row_anonymous_is_401(srv):
    row = item(srv)
    assert_401(srv.get(f"/items/{row['id']}"))


def test_head_anonymous_is_401(srv):
    status, headers, _, _ = srv.request("HEAD", "/items")
    assert status == 401
    assert headers.get("www-authenticate") == BEARER


def test_put_garbage_body_anonymous_is_401(srv):
    row = item(srv)
    assert_401(srv.request("PUT", f"/items/{row['id']}",
                           raw_body=b"{not json",
                           headers={"Content-Type": "application/json"}))


def test_put_garbage_body_authenticated_is_400(srv):
    row = item(srv)
    status, _, data, raw = srv.request(
        "PUT", f"/items/{row['id']}", raw_body=b"{not json",
        headers=dict(USER, **{"Content-Type": "application/json"}))
    assert status == 400, raw
    assert data == {"detail": "request body must be a JSON object"}


def test_put_without_version_anonymous_is_401(srv):
    row = item(srv)
    assert_401(srv.put(f"/items/{row['id']}", {"name": "x"}))


def test_post_invalid_body_anonymous_is_401(srv):
    assert_401(srv.post("/items", {"name": ""}))
    assert_401(srv.post("/items", {}))
    assert_401(srv.request("POST", "/items", raw_body=b"[1]",
                           headers={"Content-Type": "application/json"}))


def test_post_invalid_body_authenticated_is_422(srv):
    status, _, _, raw = srv.post("/items", {"name": ""}, headers=USER)
    assert status == 422, raw


def test_patch_wrong_version_anonymous_is_401(srv):
    row = item(srv)
    assert_401(srv.patch(f"/items/{row['id']}", {"name": "z", "version": 99}))


def test_delete_anonymous_is_401_and_row_survives(srv):
    row = item(srv)
    assert_401(srv.delete(f"/items/{row['id']}"))
    status, _, got, _ = srv.get(f"/items/{row['id']}", headers=USER)
    assert status == 200 and got["id"] == row["id"]


def test_admin_403_before_validation(srv):
    # Authenticated but not allowed: 403 wins over a 422 body.
    assert_403(srv.post("/admin", {"name": 5, "bogus": []}, headers=USER))
    assert_403(srv.request("POST", "/admin", raw_body=b"{{{",
                           headers=dict(USER, **{
                               "Content-Type": "application/json"})))


def test_options_needs_no_credentials(srv):
    for path in ("/items", "/items/1", "/admin", "/admin/1", "/mixed"):
        status, headers, _, raw = srv.request("OPTIONS", path)
        assert status == 204, (path, status, raw)
        assert "allow" in headers, (path, headers)


def test_options_with_invalid_token_is_not_401(srv):
    status, _, _, raw = srv.request("OPTIONS", "/items",
                                    headers=bearer("garbage"))
    assert status == 204, raw


def test_healthz_needs_no_credentials(srv):
    assert srv.get("/healthz")[0] == 200


# ---- login with the file validator issues working tokens ----------------------

def test_login_token_works_as_bearer(srv):
    status, _, data, raw = srv.post("/auth/login", {"username": "dave",
                                                    "password": DAVE_PW})
    assert status == 200, raw
    assert data["user"] == {"id": 42, "username": "dave", "is_admin": False}
    header, payload = decode_token(data["token"], SECRET, "HS256")
    assert payload["sub"] == "dave"
    assert payload["exp"] - payload["iat"] == 3600
    status, _, _, raw = srv.get("/items", headers=bearer(data["token"]))
    assert status == 200, raw
    assert_403(srv.get("/admin", headers=bearer(data["token"])))


def test_login_wrong_password(srv):
    status, _, data, raw = srv.post("/auth/login", {"username": "dave",
                                                    "password": DAVE_WRONG_PW})
    assert status == 401, raw
    assert data == {"detail": "Invalid credentials"}
    assert DAVE_WRONG_PW.encode() not in raw


# ---- no secret leaks -------------------------------------------------------------

def test_zz_secrets_not_in_log(srv):
    srv.get("/items", headers=bearer(tok(secret=WRONG_SECRET)))
    assert_secrets_absent(srv.log(), [SECRET, WRONG_SECRET, DAVE_PW,
                                      DAVE_WRONG_PW])


# ---- other algorithms, leeway, secret from the environment ---------------------

HS512_SECRET = "hs512-secret-Lq0p"
HS512_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%s"
  jwt_expiration: 120
  jwt_algorithm: HS512
  jwt_leeway: 30
  login_validator: {file: "{TMP}/users"}
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /items
    fields:
      name: {type: str}
""" % HS512_SECRET


@pytest.fixture(scope="module")
def srv512(module_server_factory, tmp_path_factory):
    d = tmp_path_factory.mktemp("jwt512")
    users_file(d)
    return module_server_factory(HS512_CONFIG, directory=d)


def t512(**claims):
    return bearer(tok(secret=HS512_SECRET, alg="HS512", **claims))


def test_hs512_token_accepted(srv512):
    status, _, _, raw = srv512.get("/items", headers=t512())
    assert status == 200, raw


@pytest.mark.parametrize("alg", ["HS256", "HS384"])
def test_hs512_server_rejects_other_algorithms(srv512, alg):
    assert_401(srv512.get("/items",
                          headers=bearer(tok(secret=HS512_SECRET, alg=alg))))


def test_hs512_wrong_secret(srv512):
    assert_401(srv512.get("/items", headers=bearer(tok(secret=SECRET,
                                                        alg="HS512"))))


def test_leeway_tolerates_recent_expiry(srv512):
    status, _, _, raw = srv512.get("/items", headers=t512(exp=now() - 10))
    assert status == 200, raw


def test_leeway_exceeded_is_401(srv512):
    assert_401(srv512.get("/items", headers=t512(exp=now() - 60)))


def test_leeway_tolerates_near_nbf(srv512):
    status, _, _, raw = srv512.get("/items", headers=t512(nbf=now() + 10))
    assert status == 200, raw


def test_leeway_nbf_exceeded_is_401(srv512):
    assert_401(srv512.get("/items", headers=t512(nbf=now() + 60)))


def test_hs512_login_issues_hs512_token(srv512):
    status, _, data, raw = srv512.post("/auth/login", {"username": "dave",
                                                       "password": DAVE_PW})
    assert status == 200, raw
    header, payload = decode_token(data["token"], HS512_SECRET, "HS512")
    assert payload["exp"] - payload["iat"] == 120
    status, _, _, raw = srv512.get("/items", headers=bearer(data["token"]))
    assert status == 200, raw


ENV_SECRET = "env-secret-Vb52n"
ENV_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_algorithm: HS384
  login_validator: {file: "{TMP}/users"}
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


def test_secret_from_environment(server, tmp_path):
    users_file(tmp_path)
    s = server(ENV_CONFIG, env={"LIGHTAPI_JWT_SECRET": ENV_SECRET})
    status, _, _, raw = s.get("/items",
                              headers=bearer(tok(secret=ENV_SECRET,
                                                 alg="HS384")))
    assert status == 200, raw
    assert_401(s.get("/items", headers=bearer(tok(secret=SECRET,
                                                  alg="HS384"))))
    assert_401(s.get("/items", headers=bearer(tok(secret=ENV_SECRET))))
    status, _, data, raw = s.post("/auth/token", {"username": "dave",
                                                  "password": DAVE_PW})
    assert status == 200, raw
    decode_token(data["token"], ENV_SECRET, "HS384")
    assert_secrets_absent(s.log(), [ENV_SECRET, DAVE_PW])
