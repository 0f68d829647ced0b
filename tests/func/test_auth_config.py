"""Authentication configuration errors and `lightapid --hash-password`
(SPEC §1, §2.1, §8)."""

import re
import subprocess

import pytest

from conftest import free_port, require_binary, run_cli, sqlite_db, write_config
from test_auth_util import crypt_verify, hash_sha512

USERS_TABLE = ("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, "
               "password_hash TEXT, is_admin BOOLEAN)")

HEAD = """\
database:
  url: "sqlite:///{TMP}/test.db"
"""

ITEMS = """\
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

JWT_DEFAULTS = """\
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
"""

BASIC_DEFAULTS = """\
defaults:
  authentication: {backend: BasicAuthentication, permission: IsAuthenticated}
"""

FILE_VALIDATOR = '  login_validator: {file: "{TMP}/users"}\n'
TABLE_VALIDATOR = ("  login_validator: {table: users, username_field: %s, "
                   "password_field: %s, claims: [%s]}\n")


def table_validator(user="username", pw="password_hash",
                    claims="id, username, is_admin", table="users"):
    return (TABLE_VALIDATOR % (user, pw, claims)).replace(
        "table: users", f"table: {table}")


# name -> config text.  All of them must fail with FILE:LINE:COL.
CONFIG_CASES = {
    "jwt_no_secret": HEAD + "auth:\n" + FILE_VALIDATOR + JWT_DEFAULTS + ITEMS,
    "jwt_no_auth_section": HEAD + JWT_DEFAULTS + ITEMS,
    "jwt_empty_secret": HEAD + 'auth:\n  jwt_secret: ""\n' + FILE_VALIDATOR +
    JWT_DEFAULTS + ITEMS,
    "jwt_empty_secret_env_default": HEAD +
    'auth:\n  jwt_secret: "${LIGHTAPID_TEST_UNSET_SECRET:-}"\n' +
    FILE_VALIDATOR + JWT_DEFAULTS + ITEMS,
    "jwt_on_endpoint_only_no_secret": HEAD + "auth:\n" + FILE_VALIDATOR + """\
endpoints:
  - route: /items
    fields:
      name: {type: str}
    meta:
      authentication: {backend: JWTAuthentication}
""",
    "jwt_in_methods_map_no_secret": HEAD + "auth:\n" + FILE_VALIDATOR + """\
endpoints:
  - route: /items
    fields:
      name: {type: str}
    meta:
      methods:
        GET:
        POST: {authentication: {backend: JWTAuthentication, permission: IsAuthenticated}}
""",
    "basic_no_validator": HEAD + 'auth:\n  jwt_secret: "s"\n' +
    BASIC_DEFAULTS + ITEMS,
    "basic_no_auth_section": HEAD + BASIC_DEFAULTS + ITEMS,
    "basic_on_endpoint_no_validator": HEAD + """\
endpoints:
  - route: /items
    fields:
      name: {type: str}
    meta:
      authentication: {backend: BasicAuthentication, permission: IsAdminUser}
""",
    "table_missing": HEAD + "auth:\n" + table_validator(table="nosuch") +
    BASIC_DEFAULTS + ITEMS,
    "table_no_username_column": HEAD + "auth:\n" +
    table_validator(user="login") + BASIC_DEFAULTS + ITEMS,
    "table_no_password_column": HEAD + "auth:\n" +
    table_validator(pw="pw_hash") + BASIC_DEFAULTS + ITEMS,
    "table_no_claim_column": HEAD + "auth:\n" +
    table_validator(claims="id, username, email") + BASIC_DEFAULTS + ITEMS,
    "table_missing_jwt": HEAD + 'auth:\n  jwt_secret: "s"\n' +
    table_validator(table="nosuch") + JWT_DEFAULTS + ITEMS,
}


def make(tmp_path, text):
    sqlite_db(tmp_path, USERS_TABLE)
    (tmp_path / "users").write_text(f"bob:{hash_sha512('pw')}:{{}}\n")
    return write_config(tmp_path, text)


def clean_env():
    return {"LIGHTAPI_JWT_SECRET": None, "LIGHTAPID_TEST_UNSET_SECRET": None,
            "LIGHTAPI_DATABASE_URL": None}


def positioned_errors(cfg, err):
    pat = re.compile(re.escape(str(cfg)) + r":(\d+):(\d+): (.+)")
    return [(int(m.group(1)), int(m.group(2)), m.group(3))
            for m in pat.finditer(err)]


def check_positioned(cfg, rc, out, err):
    assert rc == 1, f"exit {rc}; stdout={out!r} stderr={err!r}"
    found = positioned_errors(cfg, err)
    assert found, f"no '{cfg}:LINE:COL: message' on stderr: {err!r}"
    nlines = cfg.read_text().count("\n") + 1
    assert all(1 <= line <= nlines and col >= 1 for line, col, _ in found), found


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_auth_config_error_at_t(tmp_path, name):
    cfg = make(tmp_path, CONFIG_CASES[name])
    rc, out, err = run_cli(["-t", "-c", cfg], env=clean_env())
    check_positioned(cfg, rc, out, err)
    assert "test is successful" not in out + err


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_auth_config_error_at_start(tmp_path, name):
    cfg = make(tmp_path, CONFIG_CASES[name])
    rc, out, err = run_cli(["-f", "-w", "1", "-l", f"127.0.0.1:{free_port()}",
                            "-c", cfg], env=clean_env(), timeout=10)
    assert rc is not None, "lightapid started with a bad configuration"
    check_positioned(cfg, rc, out, err)


# ---- validator file problems: the message names the file (and the line) -------

FILE_CONFIG = HEAD + "auth:\n" + '  login_validator: {file: "%s"}\n' + \
    BASIC_DEFAULTS + ITEMS


def file_case(tmp_path, users_path):
    sqlite_db(tmp_path, USERS_TABLE)
    return write_config(tmp_path, FILE_CONFIG % users_path)


def run_both(cfg):
    yield run_cli(["-t", "-c", cfg], env=clean_env())
    yield run_cli(["-f", "-w", "1", "-l", f"127.0.0.1:{free_port()}",
                   "-c", cfg], env=clean_env(), timeout=10)


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_validator_file(tmp_path, kind):
    users = tmp_path / "users"
    if kind == "directory":
        users.mkdir()
    cfg = file_case(tmp_path, users)
    for rc, out, err in run_both(cfg):
        assert rc == 1, f"exit {rc}; stderr={err!r}"
        assert str(users) in err, err
        assert "test is successful" not in out + err


MALFORMED = {
    "no_colons": "justaname",
    "bad_json": 'bob:{hash}:{"id": 1,',
    "claims_not_object": "bob:{hash}:[1, 2]",
    "claims_string": 'bob:{hash}:"admin"',
    "empty_username": ':{hash}:{"id": 1}',
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_validator_line(tmp_path, kind):
    h = hash_sha512("pw")
    lines = ["# users", "",
             f'alice:{h}:{{"id": 1}}',
             MALFORMED[kind].replace("{hash}", h),
             f'carol:{h}:{{"id": 3}}']
    users = tmp_path / "users"
    users.write_text("\n".join(lines) + "\n")
    cfg = file_case(tmp_path, users)
    for rc, out, err in run_both(cfg):
        assert rc == 1, f"exit {rc}; stderr={err!r}"
        hits = [ln for ln in err.splitlines()
                if str(users) in ln and re.search(r"(?<!\d)4(?!\d)",
                                                  ln.replace(str(users), ""))]
        assert hits, f"no stderr line naming {users} and line 4: {err!r}"
        assert "test is successful" not in out + err


# ---- valid configurations pass -t ---------------------------------------------------

VALID = {
    "jwt_secret_in_file": HEAD + 'auth:\n  jwt_secret: "s3"\n' +
    FILE_VALIDATOR + JWT_DEFAULTS + ITEMS,
    "jwt_secret_from_env": HEAD + "auth:\n" + FILE_VALIDATOR + JWT_DEFAULTS +
    ITEMS,
    "basic_table_validator": HEAD + "auth:\n" + table_validator() +
    BASIC_DEFAULTS + ITEMS,
    "jwt_full": HEAD + """\
auth:
  jwt_secret: "s3"
  jwt_expiration: 60
  jwt_algorithm: HS512
  jwt_leeway: 5
  auth_path: /login-here
""" + table_validator() + JWT_DEFAULTS + """\
endpoints:
  - route: /items
    fields:
      name: {type: str}
    meta:
      authentication:
        backend: BasicAuthentication
        permission: {GET: AllowAny, POST: IsAdminUser}
  - route: /other
    fields:
      name: {type: str}
    meta:
      methods:
        GET:
        POST: {authentication: {permission: IsAdminUser}}
        DELETE: {authentication: {permission: AllowAny}}
""",
    "no_backend_no_secret": HEAD + ITEMS,
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_auth_config_passes_t(tmp_path, name):
    cfg = make(tmp_path, VALID[name])
    env = clean_env()
    if name == "jwt_secret_from_env":
        env["LIGHTAPI_JWT_SECRET"] = "from-env"
    rc, out, err = run_cli(["-t", "-c", cfg], env=env)
    assert rc == 0, f"exit {rc}; stdout={out!r} stderr={err!r}"
    assert "test is successful" in out + err


# ---- --hash-password -----------------------------------------------------------------

def hash_password(stdin):
    proc = subprocess.run([require_binary(), "--hash-password"], input=stdin,
                          capture_output=True, text=True, timeout=15)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("stdin,password", [
    ("s3cret\n", "s3cret"),
    ("s3cret", "s3cret"),
    ("a b c \u2603 :colon\n", "a b c \u2603 :colon"),
])
def test_hash_password(stdin, password):
    rc, out, err = hash_password(stdin)
    assert rc == 0, err
    lines = out.splitlines()
    assert len(lines) == 1 and out.endswith("\n"), out
    assert lines[0].startswith("$y$"), out
    assert crypt_verify(password, lines[0])
    assert not crypt_verify(password + "x", lines[0])
    assert password not in out + err


def test_hash_password_salted():
    a = hash_password("same\n")[1].strip()
    b = hash_password("same\n")[1].strip()
    assert a != b
    assert crypt_verify("same", a) and crypt_verify("same", b)


@pytest.mark.parametrize("stdin", ["", "\n"], ids=["empty", "newline"])
def test_hash_password_empty_input(stdin):
    rc, out, err = hash_password(stdin)
    assert rc == 1, (rc, out, err)
    assert "$y$" not in out
