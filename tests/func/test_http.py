"""HTTP/1.1 on raw sockets (SPEC §4, §12): framing, keep-alive, limits."""

import json
import socket
import time

import pytest

from conftest import parse_response, read_responses, read_until_close

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  max_body_size: 1K
  header_timeout: 1
  body_timeout: 2
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

HEADER_TIMEOUT = 1
BODY_TIMEOUT = 2


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


def get_req(path="/healthz", extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode()


def post_req(body, extra=""):
    return (f"POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body


def first(data, head=False):
    parsed = parse_response(data, head=head)
    assert parsed is not None, f"no complete response in {data[:300]!r}"
    return parsed


def one_response(sock, timeout=5):
    responses = read_responses(sock, 1, timeout)
    assert responses, "no complete response"
    return responses[0]


def assert_serving(srv):
    assert srv.get("/healthz")[0] == 200


def test_keep_alive(srv):
    with srv.connect() as sock:
        sock.sendall(get_req())
        r1 = one_response(sock)
        sock.sendall(get_req("/items"))
        r2 = one_response(sock)
    assert r1[0] == 200 and json.loads(r1[2]) == {"status": "ok"}
    assert r2[0] == 200 and "results" in json.loads(r2[2])


def test_keep_alive_many_requests(srv):
    with srv.connect() as sock:
        for _ in range(20):
            sock.sendall(get_req())
            resp = one_response(sock)
            assert resp[0] == 200


def test_pipelining(srv):
    body = b'{"name":"piped"}'
    with srv.connect() as sock:
        sock.sendall(post_req(body) + get_req("/nope") + get_req())
        responses = read_responses(sock, 3)
    assert [r[0] for r in responses] == [201, 404, 200]
    assert json.loads(responses[0][2])["name"] == "piped"
    assert json.loads(responses[1][2]) == {"detail": "not found"}


def test_http10_closes(srv):
    with srv.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        data, closed = read_until_close(sock, 3)
    assert closed, "HTTP/1.0 connection left open"
    status, _, body, rest = first(data)
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert rest == b""


def test_connection_close_honoured(srv):
    with srv.connect() as sock:
        sock.sendall(get_req(extra="Connection: close\r\n"))
        data, closed = read_until_close(sock, 3)
    assert closed
    assert first(data)[0] == 200


def test_chunked_post(srv):
    body = b'{"name":"chunky"}'
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 5]), body[i:i + 5])
                      for i in range(0, len(body), 5))
    req = (b"POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
    with srv.connect() as sock:
        sock.sendall(req)
        resp = one_response(sock)
        # The connection stays usable after a chunked body.
        sock.sendall(get_req())
        after = one_response(sock)
    assert resp[0] == 201, resp
    assert json.loads(resp[2])["name"] == "chunky"
    assert after[0] == 200


def test_chunked_post_sent_slowly(srv):
    body = b'{"name":"slowchunk"}'
    with srv.connect() as sock:
        sock.sendall(b"POST /items HTTP/1.1\r\nHost: t\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        for i in range(0, len(body), 7):
            part = body[i:i + 7]
            sock.sendall(b"%x\r\n" % len(part))
            time.sleep(0.02)
            sock.sendall(part + b"\r\n")
        sock.sendall(b"0\r\n\r\n")
        resp = one_response(sock)
    assert resp[0] == 201 and json.loads(resp[2])["name"] == "slowchunk"


def test_content_length_and_transfer_encoding(srv):
    body = b'{"name":"x"}'
    req = (b"POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" % len(body) +
           b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    data = srv.raw(req)
    assert first(data)[0] == 400
    assert_serving(srv)


@pytest.mark.parametrize("value", ["abc", "-1", "1, 2", "+5"])
def test_bad_content_length(srv, value):
    # Not 1*DIGIT: the framing is invalid, a 400 (RFC 9112 §6.3).
    data = srv.raw(f"POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: {value}"
                   "\r\n\r\n".encode())
    status, _, body, _ = first(data)
    assert status == 400, body
    assert json.loads(body) == {"detail": "bad request"}
    assert_serving(srv)


@pytest.mark.parametrize("value", [
    str(2 ** 63 - 1),
    str(2 ** 63),
    "99999999999999999999999",
])
def test_huge_content_length_is_413(srv, value):
    # A well-formed length above server.max_body_size is a 413 answered
    # before the body is read (SPEC §4, README); RFC 9110 §8.6 asks
    # recipients to expect large numerals rather than fail to parse them.
    data = srv.raw(f"POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: {value}"
                   "\r\n\r\n".encode())
    status, _, body, _ = first(data)
    assert status == 413, body
    assert json.loads(body) == {"detail": "request body too large"}
    assert_serving(srv)


def test_bad_chunk_size(srv):
    data = srv.raw(b"POST /items HTTP/1.1\r\nHost: t\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
    assert first(data)[0] == 400
    assert_serving(srv)


def test_header_too_large(srv):
    data = srv.raw(get_req(extra="X-Big: " + "a" * 9000 + "\r\n"))
    assert first(data)[0] == 431
    assert_serving(srv)


def test_many_headers_too_large(srv):
    extra = "".join(f"X-H{i}: {'b' * 90}\r\n" for i in range(100))
    data = srv.raw(get_req(extra=extra))
    assert first(data)[0] == 431
    assert_serving(srv)


def test_header_just_under_limit(srv):
    data = srv.raw(get_req(extra="X-Big: " + "a" * 6000 + "\r\nConnection: close\r\n"))
    assert first(data)[0] == 200


def test_body_too_large(srv):
    body = json.dumps({"name": "x" * 2000}).encode()
    data = srv.raw(post_req(body))
    status, headers, resp_body, _ = first(data)
    assert status == 413
    assert headers.get("content-type", "").startswith("application/json")
    assert json.loads(resp_body) == {"detail": "request body too large"}
    assert_serving(srv)


def test_body_too_large_announced_only(srv):
    # The 413 comes from Content-Length alone, before the body is sent.
    with srv.connect() as sock:
        sock.sendall(b"POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n\r\n")
        resp = one_response(sock)
    assert resp[0] == 413


def test_chunked_body_too_large(srv):
    chunk = b"x" * 600
    req = (b"POST /items HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
           (b"%x\r\n%s\r\n" % (len(chunk), chunk)) * 3 + b"0\r\n\r\n")
    data = srv.raw(req)
    status, _, body, _ = first(data)
    assert status == 413
    assert json.loads(body) == {"detail": "request body too large"}


def test_body_at_limit_accepted(srv):
    body = b'{"name":"' + b"y" * (1024 - 11) + b'"}'
    assert len(body) == 1024
    with srv.connect() as sock:
        sock.sendall(post_req(body))
        resp = one_response(sock)
    assert resp[0] == 201, resp[:2]


@pytest.mark.parametrize("line", [b"HELLO\r\n\r\n", b"GET\r\n\r\n",
                                  b"GET / HTTP/1.1 extra\r\n\r\n",
                                  b"\x00\x01\x02\x03\r\n\r\n",
                                  b"GET /healthz FOO/1.1\r\n\r\n"])
def test_garbage_request_line(srv, line):
    data = srv.raw(line)
    assert first(data)[0] == 400
    assert_serving(srv)


def test_garbage_header_line(srv):
    data = srv.raw(b"GET /healthz HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n")
    assert first(data)[0] == 400
    assert_serving(srv)


def test_truncated_request_then_close(srv):
    for partial in (b"GET /heal", b"POST /items HTTP/1.1\r\nHost: t\r\n"
                    b"Content-Length: 50\r\n\r\n{\"na"):
        with srv.connect() as sock:
            sock.sendall(partial)
    assert_serving(srv)


def test_connect_and_close_without_sending(srv):
    for _ in range(10):
        srv.connect().close()
    assert_serving(srv)


def test_slow_headers(srv):
    with srv.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        started = time.monotonic()
        data, closed = read_until_close(sock, HEADER_TIMEOUT + 4)
        waited = time.monotonic() - started
    assert closed, f"connection still open {waited:.1f}s after a partial head"
    # README: a client slower than server.header_timeout gets a 408.
    status, _, body, _ = first(data)
    assert (status, json.loads(body)) == (408, {"detail": "request timeout"})
    assert_serving(srv)


def test_slow_body(srv):
    with srv.connect() as sock:
        sock.sendall(b"POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 20\r\n\r\n{\"n")
        data, closed = read_until_close(sock, BODY_TIMEOUT + 4)
    assert closed, "connection still open after a partial body"
    # SPEC §12: header and body timeouts drop slow clients with a 408.
    status, _, body, _ = first(data)
    assert (status, json.loads(body)) == (408, {"detail": "request timeout"})
    assert_serving(srv)


def test_slow_client_does_not_block_others(srv):
    with srv.connect() as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        started = time.monotonic()
        assert_serving(srv)
        assert time.monotonic() - started < 0.5


def test_idle_connections_do_not_block(srv):
    socks = [srv.connect() for _ in range(40)]
    try:
        for _ in range(4):
            assert_serving(srv)
    finally:
        for s in socks:
            s.close()


@pytest.mark.parametrize("version", [b"HTTP/2.0", b"HTTP/3.0"])
def test_http_version_not_supported(srv, version):
    data = srv.raw(b"GET /healthz " + version + b"\r\nHost: t\r\n\r\n")
    assert first(data)[0] == 505
    assert_serving(srv)


def test_unknown_method(srv):
    # A verb outside meta.methods is a 405 with a JSON body and an Allow
    # header on every route (README); an unknown path stays a 404.
    data = srv.raw(b"BREW /items HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    status, headers, body, _ = first(data)
    assert status == 405, body
    assert headers.get("allow") == "GET, HEAD, OPTIONS, POST"
    assert json.loads(body) == {"detail": "Method Not Allowed. Allowed: GET, POST"}
    data = srv.raw(b"BREW /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    status, _, body, _ = first(data)
    assert (status, json.loads(body)) == (404, {"detail": "not found"})


def test_expect_100_continue(srv):
    body = b'{"name":"expect"}'
    with srv.connect() as sock:
        sock.sendall(post_req(body, extra="Expect: 100-continue\r\n")[:-len(body)])
        sock.settimeout(1)
        interim = b""
        try:
            interim = sock.recv(4096)
        except socket.timeout:
            pass
        # RFC 9110 §10.1.1: a server that will read the content MUST send
        # an immediate 100 (Continue).
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n", interim
        sock.sendall(body)
        responses = read_responses(sock, 1)
    assert responses and responses[0][0] == 201


def test_head_healthz(srv):
    data = srv.raw(b"HEAD /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    status, _, body, rest = first(data, head=True)
    assert status == 200 and body == b"" and rest == b""


def test_query_string_with_bad_escape(srv):
    # "%zz" is not a percent-encoding (RFC 3986 §2.1): the request-target
    # is invalid, a 400 (RFC 9112 §3.2), whatever parameter it is in.
    data = srv.raw(get_req("/items?name=%zz&x", extra="Connection: close\r\n"))
    status, _, body, _ = first(data)
    assert status == 400, body
    assert json.loads(body) == {"detail": "malformed query string"}
    assert_serving(srv)


def test_percent_encoded_path(srv):
    # /it%65ms is /items once decoded: an encoded unreserved character is
    # the character (RFC 3986 §6.2.2.2).
    data = srv.raw(get_req("/it%65ms", extra="Connection: close\r\n"))
    status, _, body, _ = first(data)
    assert status == 200, body
    assert json.loads(body) == json.loads(srv.get("/items")[3])


LIMITS_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  max_header_size: 1K
  keepalive_timeout: 1
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


@pytest.fixture(scope="module")
def limits(module_server_factory):
    return module_server_factory(LIMITS_CONFIG, workers=1)


def test_max_header_size_configurable(limits):
    data = limits.raw(get_req(extra="X-Big: " + "a" * 2000 + "\r\n"))
    assert first(data)[0] == 431
    data = limits.raw(get_req(extra="X-Small: " + "a" * 500 + "\r\nConnection: close\r\n"))
    assert first(data)[0] == 200


def test_keepalive_timeout(limits):
    with limits.connect() as sock:
        sock.sendall(get_req())
        assert one_response(sock)[0] == 200
        started = time.monotonic()
        data, closed = read_until_close(sock, 5)
        waited = time.monotonic() - started
    assert closed, "idle keep-alive connection not closed"
    assert data == b"", "an idle keep-alive close sends nothing"
    assert waited < 4, f"closed after {waited:.1f}s with keepalive_timeout 1"
