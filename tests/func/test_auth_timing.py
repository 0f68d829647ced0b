"""F5: the login routes must not tell an existing user from an unknown one
by how long they take. A failed login for an unknown user costs a hash of
the same kind and cost as a real user's (lightapi.yaml(5),
Authentication). Medians of a few tries are compared with a wide margin:
before the fix an unknown user answered some thirty times faster."""

import statistics
import time

import pytest

from conftest import sqlite_db
from test_auth_util import hash_yescrypt, request

HEAD = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: timing-secret
  login_validator: %s
defaults:
  authentication: {backend: JWTAuthentication}
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

TRIES = 4  # failures per user: 8 in all, under the throttle's 10


def median_login(srv, user):
    times = []
    for _ in range(TRIES):
        started = time.monotonic()
        status = request(srv, "POST", "/auth/login",
                         {"username": user, "password": "wrong"})[0]
        times.append(time.monotonic() - started)
        assert status == 401
    return statistics.median(times)


def test_unknown_user_costs_a_hash_like_a_known_one_file(server, tmp_path):
    (tmp_path / "users").write_text(
        "ann:%s:{}\n" % hash_yescrypt("right-pw"))
    srv = server(HEAD % ('{file: "{TMP}/users"}'), workers=1,
                 directory=tmp_path)
    known = median_login(srv, "ann")
    unknown = median_login(srv, "nobody")
    print(f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms")
    assert unknown > known / 3, (known, unknown)


def test_unknown_user_costs_a_hash_like_a_known_one_table(server, tmp_path):
    sqlite_db(tmp_path,
              "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT "
              "UNIQUE, password TEXT)",
              ("INSERT INTO users (username, password) VALUES (?, ?)",
               [("ann", hash_yescrypt("right-pw"))]))
    srv = server(HEAD % "{table: users}", workers=1, directory=tmp_path)
    # No real hash seen yet: the unknown user is hashed with yescrypt's
    # default cost, which is also what --hash-password makes.
    unknown = median_login(srv, "nobody")
    known = median_login(srv, "ann")
    print(f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms")
    assert unknown > known / 3, (known, unknown)
