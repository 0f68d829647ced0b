"""Login throttling: after 10 failed logins from one client address within
60 s, further login attempts from it get 429 (SPEC §4, §8), counted across
workers.  One server per test."""

import http.client

import pytest

from test_auth_util import (DETAIL_429, DETAIL_BAD_LOGIN, HASHERS,
                            assert_secrets_absent, basic, fresh_source,
                            request)

SECRET = "throttle-secret-Mn7"
PW = "throttle-right-pw-Tt1"
WRONG = "throttle-wrong-pw-Ww%d"
LIMIT = 10

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%s"
  login_validator: {file: "{TMP}/users"}
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /items
    fields:
      name: {type: str}
""" % SECRET


@pytest.fixture
def tsrv(server, tmp_path):
    (tmp_path / "users").write_text(
        f'tina:{HASHERS["sha512"](PW)}:{{"id": 1, "is_admin": false}}\n')
    return server(CONFIG, workers=2)


def fail_logins(srv, source, count, url="/auth/login", start=0):
    """count failed logins from source over several keep-alive connections
    (spread over the workers); returns the statuses."""
    conns = [http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10,
                                        source_address=(source, 0))
             for _ in range(4)]
    statuses = []
    try:
        for i in range(count):
            status, _, data, raw = request(
                srv, "POST", url, conn=conns[i % len(conns)],
                body={"username": "tina", "password": WRONG % (start + i)})
            statuses.append((status, data))
    finally:
        for c in conns:
            c.close()
    return statuses


def login(srv, source, url="/auth/login", password=PW, headers=None):
    body = None if headers else {"username": "tina", "password": password}
    return request(srv, "POST", url, body=body, headers=headers,
                   source=source)


def assert_429(resp):
    status, headers, data, raw = resp
    assert status == 429, f"expected 429, got {status} {raw!r}"
    assert data == DETAIL_429, raw
    retry = headers.get("retry-after")
    assert retry is not None and retry.isdigit() and int(retry) > 0, headers


def test_eleventh_attempt_is_429_even_with_right_password(tsrv):
    src = fresh_source()
    statuses = fail_logins(tsrv, src, LIMIT)
    assert statuses == [(401, DETAIL_BAD_LOGIN)] * LIMIT, statuses
    assert_429(login(tsrv, src))
    assert_429(login(tsrv, src, password=WRONG % 99))


def test_throttle_covers_token_url_and_basic_header(tsrv):
    src = fresh_source()
    # Failures spread over both login URLs count together.
    statuses = fail_logins(tsrv, src, LIMIT // 2, url="/auth/login")
    statuses += fail_logins(tsrv, src, LIMIT - LIMIT // 2, url="/auth/token",
                            start=50)
    assert statuses == [(401, DETAIL_BAD_LOGIN)] * LIMIT, statuses
    assert_429(login(tsrv, src, url="/auth/token"))
    assert_429(login(tsrv, src, url="/auth/login"))
    assert_429(login(tsrv, src, headers=basic("tina", PW)))


def test_throttle_is_per_client_address(tsrv):
    src = fresh_source()
    fail_logins(tsrv, src, LIMIT)
    assert_429(login(tsrv, src))
    other = fresh_source()
    status, _, data, raw = login(tsrv, other)
    assert status == 200, raw
    assert data["user"] == {"id": 1, "is_admin": False}


def test_below_limit_not_throttled(tsrv):
    src = fresh_source()
    statuses = fail_logins(tsrv, src, LIMIT - 1)
    assert statuses == [(401, DETAIL_BAD_LOGIN)] * (LIMIT - 1), statuses
    status, _, data, raw = login(tsrv, src)
    assert status == 200, raw
    assert list(data) == ["token", "user"], raw
    assert data["user"] == {"id": 1, "is_admin": False}


def test_throttle_counted_across_workers_on_new_connections(tsrv):
    # Each attempt on its own connection, from the default address.
    src = "127.0.0.1"
    for i in range(LIMIT):
        status, _, data, raw = login(tsrv, src, password=WRONG % (200 + i))
        assert (status, data) == (401, DETAIL_BAD_LOGIN), (i, raw)
    assert_429(login(tsrv, src))


def test_throttled_client_can_still_use_endpoints_with_token(tsrv):
    # Throttling is about logins; a valid token keeps working.
    src = fresh_source()
    status, _, data, raw = login(tsrv, src)
    assert status == 200, raw
    token = data["token"]
    fail_logins(tsrv, src, LIMIT)
    assert_429(login(tsrv, src))
    status, _, _, raw = request(tsrv, "GET", "/items", source=src,
                                headers={"Authorization": f"Bearer {token}"})
    assert status == 200, raw


def test_throttle_secrets_not_logged(tsrv):
    src = fresh_source()
    fail_logins(tsrv, src, LIMIT + 2)
    login(tsrv, src)
    assert_secrets_absent(tsrv.log(), [SECRET, PW] +
                          [WRONG % i for i in range(LIMIT + 2)])
