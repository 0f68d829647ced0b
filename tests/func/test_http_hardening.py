"""Faults found by the adversarial campaign (issue "hardening"), each
pinned by a test that failed before its fix: pipelined requests at a
half-close (F2), a chunked body in tiny chunks (F3), connection limits
under slow clients (F7), and the smaller HTTP/1 points."""

import socket
import statistics
import threading
import time

import pytest

from conftest import parse_response, read_responses, read_until_close

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  max_body_size: 1M
  body_timeout: 30
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


def get(path, extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode()


def test_pipelined_requests_are_all_answered_after_half_close(srv):
    # F2: the client sends three requests and closes its side at once.
    # TCP_CORK holds the data until the FIN, so both reach the server in
    # one segment: it reads the requests and the end of input together.
    with srv.connect() as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        s.sendall(get("/healthz") + get("/items") + get("/healthz"))
        s.shutdown(socket.SHUT_WR)
        data, closed = read_until_close(s, 5)
    statuses = []
    while data:
        parsed = parse_response(data)
        assert parsed is not None, data
        statuses.append(parsed[0])
        data = parsed[3]
    assert statuses == [200, 200, 200]
    assert closed


def test_half_close_after_an_incomplete_request_closes(srv):
    with srv.connect() as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        s.sendall(get("/healthz") + b"GET /items HTTP/1.1\r\nHo")
        s.shutdown(socket.SHUT_WR)
        data, closed = read_until_close(s, 5)
    parsed = parse_response(data)
    assert parsed[0] == 200 and parsed[3] == b""
    assert closed


def test_tiny_chunks_within_the_body_limit_are_accepted(srv):
    # F3: ~300 KB of body in 1-byte chunks is ~1.5 MB of framing, more
    # than max_header_size + max_body_size of raw input.
    name = "x" * 300_000
    body = ('{"name":"%s"}' % name).encode()
    framed = b"".join(b"1\r\n" + body[i:i + 1] + b"\r\n"
                      for i in range(len(body))) + b"0\r\n\r\n"
    head = (b"POST /items HTTP/1.1\r\nHost: t\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    started = time.monotonic()
    with srv.connect(timeout=30) as s:
        s.sendall(head + framed)
        data, _ = read_until_close(s, 30)
    parsed = parse_response(data)
    assert parsed is not None and parsed[0] == 201, data[:200]
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("te,status", [
    (b"chunked, identity", 400),
    (b"gzip", 400),
    (b"chunked, chunked", 400),
    (b"gzip, chunked", 501),
])
def test_transfer_codings(srv, te, status):
    # RFC 9112 6.3: chunked must be the final coding, once; a coding we
    # cannot decode before it is 501.
    data = srv.raw(b"POST /items HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
                   + te + b"\r\n\r\n0\r\n\r\n")
    assert parse_response(data)[0] == status


def test_a_later_http1_minor_is_served_as_1_1(srv):
    data = srv.raw(b"GET /healthz HTTP/1.2\r\nHost: t\r\n"
                   b"Connection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")


def test_http10_keep_alive_is_said(srv):
    with srv.connect() as s:
        s.sendall(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        first = read_responses(s, 1)
        assert first[0][0] == 200
        assert first[0][1]["connection"] == "keep-alive"
        # ...and the connection really stays open for a second request.
        s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        data, closed = read_until_close(s, 5)
    parsed = parse_response(data)
    assert parsed[0] == 200 and parsed[1]["connection"] == "close"
    assert closed


# ---- F7: a full worker leaves new clients to a worker with room ---------

SLOW = 60      # slow clients, more than one worker's max_connections
LIMIT = 40     # per worker: two workers hold 80
NORMAL = 100   # normal requests made while the slow clients hold on

SLOW_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  max_connections: %d
  header_timeout: 30
endpoints:
  - route: /items
    fields:
      name: {type: str}
""" % LIMIT


def test_slow_clients_do_not_starve_normal_ones(server):
    srv = server(SLOW_CONFIG, workers=2)
    slow = []
    stop = threading.Event()
    try:
        for _ in range(SLOW):
            s = srv.connect()
            s.sendall(b"GET /items HTTP/1.1\r\nHost: t\r\nX-Drip: ")
            slow.append(s)

        def drip():
            while not stop.wait(1):
                for s in slow:
                    try:
                        s.sendall(b"a")
                    except OSError:
                        pass

        t = threading.Thread(target=drip, daemon=True)
        t.start()
        time.sleep(0.3)  # let both workers take their share
        times, failures = [], []
        for _ in range(NORMAL):
            started = time.monotonic()
            try:
                status = srv.request("GET", "/healthz")[0]
            except OSError as e:
                failures.append(repr(e))
                continue
            times.append(time.monotonic() - started)
            if status != 200:
                failures.append(status)
        assert failures == []
        p99 = statistics.quantiles(times, n=100)[98]
        print(f"normal requests: {len(times)}, p99 {p99 * 1000:.1f} ms")
        assert p99 < 0.1, p99
    finally:
        stop.set()
        for s in slow:
            s.close()


# ---- F4: strings are strict UTF-8; width limits ---------------------------

BAD_UTF8 = {
    "overlong slash": b"\xc0\xaf",
    "overlong NUL": b"\xc0\x80",
    "overlong 3-byte": b"\xe0\x80\xaf",
    "encoded surrogate": b"\xed\xa0\x80",
    "above U+10FFFF": b"\xf4\x90\x80\x80",
    "F5 lead": b"\xf5\x80\x80\x80",
    "lone continuation": b"\x80",
    "cut short": b"\xe2\x82",
}


@pytest.mark.parametrize("name", sorted(BAD_UTF8))
@pytest.mark.parametrize("where", ["value", "key"])
def test_invalid_utf8_is_refused_and_not_stored(srv, name, where):
    bad = BAD_UTF8[name]
    if where == "value":
        body = b'{"name":"a' + bad + b'b"}'
    else:
        body = b'{"name":"ok","k' + bad + b'":1}'
    before = srv.get("/items")[2]
    status, _, data, raw = srv.request("POST", "/items", raw_body=body)
    assert status == 400, raw
    assert data == {"detail": "request body must be a JSON object"}
    assert srv.get("/items")[2] == before


@pytest.mark.parametrize("text", ["é", "€", "𝄞", "\U0010ffff", "\ud7ff",
                                  "\ue000"])
def test_valid_utf8_round_trips(srv, text):
    status, _, data, raw = srv.post("/items", {"name": text})
    assert status == 201, raw
    assert data["name"] == text
    assert srv.get(f"/items/{data['id']}")[2]["name"] == text


WIDE = {"detail": "request body too wide: at most 10000 elements per array "
        "and 10000 members per object"}


def test_array_width_limit(server):
    srv = server(CONFIG.replace("name: {type: str}",
                                "name: {type: str}\n      tags: {type: json, "
                                "optional: true}"), workers=1)
    ok = srv.post("/items", {"name": "a", "tags": list(range(10000))})
    assert ok[0] == 201, ok[3]
    status, _, data, _ = srv.post("/items",
                                  {"name": "a", "tags": list(range(10001))})
    assert status == 413 and data == WIDE


def test_object_width_limit(srv):
    body = {"name": "k"}
    body.update({f"k{i}": i for i in range(10000)})
    status, _, data, _ = srv.post("/items", body)
    assert status == 413 and data == WIDE
    body.pop("k0")
    assert srv.post("/items", body)[0] == 201
