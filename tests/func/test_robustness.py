"""Odd but possible input: the daemon answers with a 4xx that says what is
wrong, never stores something other than what was sent, and keeps serving."""

import json

import pytest

from conftest import parse_response

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str}
      extra: {type: json, optional: true}
      f: {type: float, optional: true}
"""


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG, workers=1)


def post_raw(srv, body):
    return srv.request("POST", "/items", raw_body=body,
                       headers={"Content-Type": "application/json"})


NOT_OBJECT = {"detail": "request body must be a JSON object"}


def raw_status(srv, data):
    parsed = parse_response(srv.raw(data))
    assert parsed is not None
    return parsed[0]


def raw_answer(srv, data):
    """(status, JSON body) of the response to raw request bytes."""
    parsed = parse_response(srv.raw(data))
    assert parsed is not None
    return parsed[0], json.loads(parsed[2])


def test_nul_in_string_is_rejected(srv):
    # A string cut short at the NUL must never be stored: the README makes
    # a string holding "\u0000" a 400, like unparseable JSON.
    before = srv.get("/items")[2]["results"]
    status, _, data, raw = srv.post("/items", {"name": "a\u0000b"})
    assert status == 400, raw
    assert data == NOT_OBJECT
    assert srv.get("/items")[2]["results"] == before


def test_lone_surrogate_not_stored_as_something_else(srv):
    # "\ud800" cannot be represented in UTF-8: reject it rather than store a
    # replacement character.
    status, _, data, raw = post_raw(srv, b'{"name":"\\ud800"}')
    assert status == 400, raw
    assert data == NOT_OBJECT


def test_escaped_surrogate_pair(srv):
    status, _, data, raw = post_raw(srv, b'{"name":"\\ud83d\\ude00 \\u00e9"}')
    assert status == 201, raw
    assert data["name"] == "\U0001F600 \u00e9"


def test_invalid_utf8(srv):
    status, _, data, _ = post_raw(srv, b'{"name":"\xff\xfe"}')
    assert status == 400
    assert data == {"detail": "request body must be a JSON object"}


def test_deeply_nested_json(srv):
    body = b'{"name":"a","extra":' + b"[" * 20000 + b"]" * 20000 + b"}"
    status, _, data, raw = post_raw(srv, body)
    assert status == 400, raw
    assert data == NOT_OBJECT
    assert srv.get("/healthz")[0] == 200


def test_moderately_nested_json_accepted(srv):
    value = 1
    for _ in range(20):
        value = [value]
    status, _, data, raw = srv.post("/items", {"name": "nest", "extra": value})
    assert status == 201, raw
    assert data["extra"] == value


def test_float_overflow(srv):
    status, _, data, raw = post_raw(srv, b'{"name":"a","f":1e400}')
    assert status == 422, raw
    assert data["detail"][0]["loc"] == ["f"]


def test_big_json_numbers_kept(srv):
    # The numbers keep their values exactly (PostgreSQL's JSONB may write
    # 1.5e300 with all its digits: the same number, compared as decimals).
    from decimal import Decimal
    status, _, data, raw = post_raw(
        srv, b'{"name":"n","extra":[123456789012345678901234567890,1.5e300,-0.0]}')
    assert status == 201, raw
    exact = json.loads(raw, parse_float=Decimal, parse_int=Decimal)
    assert exact["extra"][:2] == [Decimal("123456789012345678901234567890"),
                                  Decimal("1.5e300")]


def test_many_keys(srv):
    body = {"name": "k"}
    body.update({f"k{i}": i for i in range(5000)})
    status, _, data, raw = srv.post("/items", body)
    assert status == 201, raw
    assert data["name"] == "k" and "k1" not in data


@pytest.mark.parametrize("size", [15000, 17000, 65536, 500000])
def test_long_string(srv, size):
    # Bodies larger than the first read buffer (16 KB and up) go through the
    # same path as small ones; max_body_size is the default 1M.
    name = "x" * size
    status, _, data, raw = srv.post("/items", {"name": name})
    assert status == 201, raw[:200]
    assert srv.get(f"/items/{data['id']}")[2]["name"] == name


def test_obs_fold_rejected(srv):
    assert raw_status(srv, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n"
                           b" folded\r\nConnection: close\r\n\r\n") == 400


def test_conflicting_content_lengths(srv):
    assert raw_status(srv, b"POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 12\r\n"
                           b"Content-Length: 13\r\n\r\n{\"name\":\"a\"}") == 400


def test_unknown_transfer_coding(srv):
    # RFC 9112 §6.1: a transfer coding the server does not understand
    # SHOULD get 501.
    assert raw_answer(srv, b"POST /items HTTP/1.1\r\nHost: t\r\n"
                           b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") \
        == (501, {"detail": "transfer encoding not implemented"})


def test_chunk_extensions_and_trailers(srv):
    status = raw_status(srv, b"POST /items HTTP/1.1\r\nHost: t\r\n"
                             b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                             b"5;ext=1\r\n{\"nam\r\n7\r\ne\":\"a\"}\r\n0\r\nX-Trailer: x\r\n\r\n")
    assert status == 201


def test_missing_host_http11(srv):
    # RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request
    # without Host.
    assert raw_status(srv, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n") == 400


@pytest.mark.parametrize("path,want", [
    # A NUL decoded from the target is refused like one in a body (README).
    ("/items/%00", (400, {"detail": "bad request"})),
    ("/%00", (400, {"detail": "bad request"})),
    ("/items/1%00", (400, {"detail": "bad request"})),
    # Otherwise an unknown path or a non-numeric id: 404 (SPEC §4).
    ("/items/..%2f..%2fetc", (404, {"detail": "not found"})),
    ("/../../etc/passwd", (404, {"detail": "not found"})),
])
def test_odd_paths(srv, path, want):
    assert raw_answer(srv, f"GET {path} HTTP/1.1\r\nHost: t\r\n"
                           "Connection: close\r\n\r\n".encode()) == want
    assert srv.get("/healthz")[0] == 200


def test_large_body_after_small_requests(module_server_factory):
    # A fresh single-worker server: two small POSTs on their own connections,
    # then one body above 16 KB.
    srv = module_server_factory(CONFIG, workers=1)
    for i in range(2):
        assert srv.post("/items", {"name": f"small{i}"})[0] == 201
    status, _, data, raw = srv.post("/items", {"name": "x" * 20000})
    assert status == 201, raw[:200]
    assert len(data["name"]) == 20000
