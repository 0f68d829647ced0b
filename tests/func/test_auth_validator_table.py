"""Login validator tables: declared types, claims without the password,
and permissions that need a backend."""

import base64
import crypt
import json

from conftest import run_cli, write_config


def sha512(pw):
    return crypt.crypt(pw, crypt.mksalt(crypt.METHOD_SHA512))


USERS_DECLARED = """
database: {{url: "sqlite:///{{TMP}}/t.db"}}
auth:
  jwt_secret: "k"
  login_validator: {{table: users, password_field: password_hash{claims}}}
endpoints:
  - route: /users
    fields:
      username: {{type: str, unique: true}}
      password_hash: {{type: str}}
      is_admin: {{type: bool, default: false}}
    meta: {{methods: [POST]}}
  - route: /admin_only
    fields: {{note: {{type: str}}}}
    meta:
      authentication: {{backend: JWTAuthentication, permission: IsAdminUser}}
"""


def login(srv, user, pw):
    return srv.post("/auth/login", {"username": user, "password": pw})


def test_declared_bool_claim_is_json_true(server):
    srv = server(USERS_DECLARED.format(
        claims=", claims: [id, username, is_admin]"))
    assert srv.post("/users", {"username": "root", "is_admin": True,
                               "password_hash": sha512("pw")})[0] == 201
    status, _, body, raw = login(srv, "root", "pw")
    assert status == 200, raw
    assert body["user"]["is_admin"] is True
    token = body["token"]
    status = srv.request("POST", "/admin_only", {"note": "x"},
                         headers={"Authorization": f"Bearer {token}"})[0]
    assert status == 201


def test_claims_default_to_every_column_but_the_password(server):
    srv = server(USERS_DECLARED.format(claims=""))
    srv.post("/users", {"username": "ann", "password_hash": sha512("pw")})
    status, _, body, raw = login(srv, "ann", "pw")
    assert status == 200, raw
    assert "password_hash" not in body["user"]
    assert body["user"]["username"] == "ann"
    payload = body["token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert "password_hash" not in claims


def test_permission_without_backend_is_an_error(tmp_path):
    text = """database: {url: "sqlite:///{TMP}/t.db"}
endpoints:
  - route: /notes
    fields: {text: {type: str}}
    meta:
      authentication: {permission: IsAuthenticated}
"""
    path = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", str(path)])
    assert rc == 1
    assert f"{path}:" in err and "needs an authentication backend" in err
