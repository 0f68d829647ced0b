"""The configurable middlewares (SPEC §13) and the client address behind
trusted proxies (SPEC §12): RateLimitMiddleware counted across workers
(and across hosts in Redis), RequestIdMiddleware on every response and in
the access log, GzipMiddleware round trips, validators and the cache, and
X-Forwarded-For / Forwarded believed only from trusted proxies."""

import gzip
import http.client
import json
import re
import signal
import time

import pytest

from conftest import WorkerConnections, wait_until, write_config
from test_auth_util import HASHERS
from test_cache import Redis

BASE = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  max_connections: 4
  max_body_size: 2K
  access_log: "{TMP}/access.log"
%(server)s
%(top)s
middleware:
%(middleware)s
endpoints:
  - route: /items
    fields:
      name: {type: str}
    meta:
      methods: [GET, POST]
  - route: /cached
    fields:
      name: {type: str}
    meta:
      methods: [GET, POST]
      cache: {ttl: 60}
"""


def config(middleware, server="", top=""):
    return BASE % {"middleware": middleware, "server": server, "top": top}


def request(srv, method, path, headers=None, body=None, source=None):
    """(status, headers, raw body) on a fresh connection from source."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", srv.port, timeout=10,
        source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw
    finally:
        conn.close()


def access_lines(srv, needle):
    """The access log lines holding needle, waiting for the first."""
    log = srv.dir / "access.log"

    def lines():
        if not log.exists():
            return []
        return [ln for ln in log.read_text().splitlines() if needle in ln]

    assert wait_until(lambda: lines(), 5), f"no access log line with {needle}"
    return lines()


def fill(srv, path, n=40):
    for i in range(n):
        status, _, raw = request(srv, "POST", path,
                                 {"Content-Type": "application/json"},
                                 b'{"name": "item number %d with some text"}'
                                 % i)
        assert status == 201, raw


# ---- RateLimitMiddleware ---------------------------------------------------


def test_rate_limit_counts_across_workers(server):
    srv = server(config("  - RateLimitMiddleware: {requests: 5, per: 2}"),
                 workers=3)
    # /healthz answered by one worker: the others may still be starting.
    assert wait_until(lambda: len(srv.worker_pids()) == 3, 10)
    pins = WorkerConnections(srv)
    pids = sorted(pins.conns)
    assert len(pids) == 3
    # Windows start at multiples of `per` on the monotonic clock the
    # server shares with us: start at the beginning of one.
    time.sleep(2 - time.monotonic() % 2 + 0.05)
    statuses = [pins.request(pids[i % 3], "GET", "/items")[0]
                for i in range(5)]
    assert statuses == [200] * 5
    # The sixth is refused whichever worker serves it.
    for pid in pids:
        status, h, data, raw = pins.request(pid, "GET", "/items")
        assert status == 429, raw
        assert data == {"detail": "rate limit exceeded"}
        assert h["content-type"] == "application/json"
        # The five weigh 4 of 5 at 0.4 s into the next window: about
        # 2.35 s from now, whole seconds rounded up.
        retry = int(h["retry-after"])
        assert retry == 3
    # Health checks are never refused.
    assert pins.request(pids[0], "GET", "/healthz")[0] == 200
    # Retry-After is honest: after it, a request goes through.
    time.sleep(retry)
    assert pins.request(pids[1], "GET", "/items")[0] == 200
    # The three refusals, counted once each, summed over the workers.
    status, _, _, raw = pins.request(pids[2], "GET", "/metrics")
    assert status == 200, raw
    m = re.search(rb"^lightapid_ratelimited_requests_total (\S+)$", raw, re.M)
    assert m is not None and float(m.group(1)) == 3, raw[:300]
    # And after two whole windows everything is forgotten.
    time.sleep(4.1)
    statuses = [pins.request(pids[i % 3], "GET", "/items")[0]
                for i in range(5)]
    assert statuses == [200] * 5
    pins.close()


def test_rate_limit_counts_survive_a_reload(server):
    srv = server(config("  - RateLimitMiddleware: {requests: 2, per: 60}"))
    assert [request(srv, "GET", "/items")[0] for _ in range(2)] == [200, 200]
    # Another cache size: the zones no longer fit, a new segment is
    # mapped and the counts are carried into it.
    write_config(srv.dir, config(
        "  - RateLimitMiddleware: {requests: 2, per: 60}",
        top="cache:\n  shm_size: 32M"), port=srv.port)
    before = set(srv.worker_pids())
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: (lambda p: len(p) == 2 and not p & before)(
        set(srv.worker_pids())), 10)
    assert request(srv, "GET", "/items")[0] == 429
    assert "new segment" in srv.log()


def test_rate_limit_is_per_client_address(server):
    srv = server(config("  - RateLimitMiddleware: {requests: 2, per: 60}"))
    assert [request(srv, "GET", "/items", source="127.0.0.2")[0]
            for _ in range(3)] == [200, 200, 429]
    assert [request(srv, "GET", "/items", source="127.0.0.3")[0]
            for _ in range(2)] == [200, 200]


def test_rate_limit_across_hosts_in_redis_and_without_it(server, tmp_path):
    redis = Redis(tmp_path).start()
    try:
        cfg = config("  - RateLimitMiddleware: {requests: 3, per: 60}",
                     top='cache:\n  redis_url: "unix://{TMP}/redis.sock"')
        a = server(cfg, workers=1)
        b = server(cfg, workers=1)
        assert request(a, "GET", "/items")[0] == 200
        assert request(b, "GET", "/items")[0] == 200
        assert request(a, "GET", "/items")[0] == 200
        status, h, raw = request(b, "GET", "/items")
        assert status == 429, raw
        assert int(h["retry-after"]) >= 1
        redis.stop()
        # Redis gone: nothing fails, and each host's own count of what it
        # let through (two on a, one on b) takes over.
        assert [request(a, "GET", "/items")[0] for _ in range(2)] == \
            [200, 429]
        assert [request(b, "GET", "/items")[0] for _ in range(3)] == \
            [200, 200, 429]
    finally:
        redis.stop()


# ---- RequestIdMiddleware ---------------------------------------------------

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_request_id_on_every_response(server):
    srv = server(config("  - RequestIdMiddleware"))
    ids = set()
    for method, path, body, want in (("GET", "/items", None, 200),
                                     ("GET", "/nope", None, 404),
                                     ("DELETE", "/items", None, 405),
                                     ("POST", "/items", b"{bad", 400)):
        status, h, raw = request(srv, method, path,
                                 {"Content-Type": "application/json"}, body)
        assert status == want, raw
        assert HEX32.match(h["x-request-id"]), h
        ids.add(h["x-request-id"])
    assert len(ids) == 4
    # Refused by its length before any handler: still an id, and the
    # client's own when sane.
    status, h, raw = request(srv, "POST", "/items",
                             {"Content-Type": "application/json",
                              "X-Request-Id": "big-1"}, b"x" * 5000)
    assert status == 413, raw
    assert h["x-request-id"] == "big-1"
    # A head that does not parse gets a new one.
    with srv.connect() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
        data = sock.recv(65536).decode()
    assert data.startswith("HTTP/1.1 400")
    assert re.search(r"\r\nX-Request-Id: [0-9a-f]{32}\r\n", data), data


@pytest.mark.parametrize("incoming,kept", [
    ("req-42", True),
    ("3f2c9a1e-1b7d-4c55-9a0e-0f6f8c1d2e3b", True),
    ("a.b:c_d+e/f=g@h", True),
    ("x" * 200, True),
    ("x" * 201, False),
    ("has space", False),
    ("<script>", False),
    ("semi;colon", False),
    ('quote"d', False),
])
def test_request_id_kept_when_sane(server, incoming, kept):
    srv = server(config("  - RequestIdMiddleware"))
    status, h, raw = request(srv, "GET", "/nope", {"X-Request-Id": incoming})
    assert status == 404
    if kept:
        assert h["x-request-id"] == incoming
    else:
        assert HEX32.match(h["x-request-id"]), h["x-request-id"]


def test_request_id_in_the_access_log(server):
    srv = server(config("  - RequestIdMiddleware"))
    status, h, _ = request(srv, "GET", "/items?probe=1",
                           {"X-Request-Id": "trace-77"})
    assert status == 200 and h["x-request-id"] == "trace-77"
    (line,) = access_lines(srv, "/items?probe=1")
    assert line.endswith(" trace-77"), line
    status, h, _ = request(srv, "GET", "/nope?probe=2")
    (line,) = access_lines(srv, "/nope?probe=2")
    assert line.endswith(" " + h["x-request-id"]), line


def test_no_request_id_without_the_middleware(server):
    srv = server(config("  - GzipMiddleware"))
    status, h, _ = request(srv, "GET", "/items?probe=3",
                           {"X-Request-Id": "trace-78"})
    assert status == 200 and "x-request-id" not in h
    (line,) = access_lines(srv, "/items?probe=3")
    assert line.endswith(" -"), line


# ---- GzipMiddleware --------------------------------------------------------

GZ = {"Accept-Encoding": "gzip"}


@pytest.fixture
def gz(server):
    srv = server(config("  - GzipMiddleware\n  - RequestIdMiddleware",
                        top="cors_origins: [\"https://app.example\"]"))
    fill(srv, "/items")
    fill(srv, "/cached")
    return srv


def test_gzip_round_trip(gz):
    status, plain_h, plain = request(gz, "GET", "/items?page_size=100")
    assert status == 200 and len(plain) > 1024
    assert "content-encoding" not in plain_h
    assert plain_h["vary"] == "Accept-Encoding"
    status, h, raw = request(gz, "GET", "/items?page_size=100", GZ)
    assert status == 200
    assert h["content-encoding"] == "gzip"
    assert int(h["content-length"]) == len(raw) < len(plain)
    assert gzip.decompress(raw) == plain
    assert h["vary"] == "Accept-Encoding"
    # The validators differ, and each one works for its own encoding.
    assert h["etag"] == plain_h["etag"][:-1] + '-gz"'
    status, h304, raw304 = request(gz, "GET", "/items?page_size=100",
                                   {**GZ, "If-None-Match": h["etag"]})
    assert status == 304 and raw304 == b""
    assert "content-encoding" not in h304
    assert h304["etag"] == h["etag"]
    status, _, _ = request(gz, "GET", "/items?page_size=100",
                           {"If-None-Match": h["etag"]})
    assert status == 200
    status, _, _ = request(gz, "GET", "/items?page_size=100",
                           {"If-None-Match": plain_h["etag"]})
    assert status == 304


@pytest.mark.parametrize("ae", ["gzip;q=0", "gzip;q=0, *", "identity",
                                "br", "*;q=0", "gzip;q=0.0"])
def test_gzip_refused(gz, ae):
    status, h, raw = request(gz, "GET", "/items?page_size=100",
                             {"Accept-Encoding": ae})
    assert status == 200 and "content-encoding" not in h
    assert raw.startswith(b"{")
    assert h["vary"] == "Accept-Encoding"


@pytest.mark.parametrize("ae", ["gzip;q=0.5", "deflate, GZIP", "*",
                                "br;q=1, gzip;q=0.1", "x-gzip"])
def test_gzip_accepted(gz, ae):
    status, h, raw = request(gz, "GET", "/items?page_size=100",
                             {"Accept-Encoding": ae})
    assert status == 200 and h["content-encoding"] == "gzip"
    assert gzip.decompress(raw).startswith(b"{")


def test_gzip_never_on_head_or_small_bodies(gz):
    status, h, raw = request(gz, "HEAD", "/items?page_size=100", GZ)
    assert status == 200 and raw == b""
    assert "content-encoding" not in h
    status, h, raw = request(gz, "GET", "/items/1", GZ)
    assert status == 200 and len(raw) < 1024
    assert "content-encoding" not in h and "vary" not in h
    status, h, raw = request(gz, "GET", "/nope", GZ)
    assert status == 404 and "content-encoding" not in h


def test_gzip_vary_merges_with_origin(gz):
    status, h, raw = request(gz, "GET", "/items?page_size=100",
                             {**GZ, "Origin": "https://app.example"})
    assert status == 200 and h["content-encoding"] == "gzip"
    assert sorted(v.strip() for v in h["vary"].split(",")) == \
        ["Accept-Encoding", "Origin"]
    assert h["access-control-allow-origin"] == "https://app.example"


def test_gzip_cached_hit_is_the_stored_compressed_answer(gz):
    s1, h1, r1 = request(gz, "GET", "/cached?page_size=100", GZ)
    s2, h2, r2 = request(gz, "GET", "/cached?page_size=100", GZ)
    assert (s1, s2) == (200, 200)
    assert (h1["x-cache"], h2["x-cache"]) == ("MISS", "HIT")
    assert h2["content-encoding"] == "gzip" and h2["vary"] == \
        "Accept-Encoding"
    assert h2["etag"] == h1["etag"] and h1["etag"].endswith('-gz"')
    # The stored answer is what the hit sends (that it is not compressed
    # again cannot be seen from outside: zlib would give the same bytes).
    assert r2 == r1
    # Each request has its own id, never the stored one.
    assert h1["x-request-id"] != h2["x-request-id"]
    # The identity variant is its own entry.
    s3, h3, r3 = request(gz, "GET", "/cached?page_size=100")
    assert h3["x-cache"] == "MISS" and "content-encoding" not in h3
    assert gzip.decompress(r2) == r3
    s4, h4, r4 = request(gz, "GET", "/cached?page_size=100")
    assert h4["x-cache"] == "HIT" and r4 == r3 and h4["etag"] == h3["etag"]
    status, h, _ = request(gz, "GET", "/cached?page_size=100",
                           {**GZ, "If-None-Match": h1["etag"]})
    assert status == 304 and "content-encoding" not in h


def test_gzip_min_length(server):
    srv = server(config("  - GzipMiddleware: {min_length: 10}"))
    fill(srv, "/items", 1)
    status, h, raw = request(srv, "GET", "/items/1", GZ)
    assert status == 200 and h["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(raw))["id"] == 1


# ---- client address --------------------------------------------------------

PROXIES = """\
  trust_proxy: true
  trusted_proxies: [127.0.0.2, "10.0.0.0/8"]"""


def peer_of(srv, probe, headers, source):
    status, _, raw = request(srv, "GET", f"/items?probe={probe}", headers,
                             source=source)
    assert status == 200, raw
    (line,) = access_lines(srv, f"/items?probe={probe}")
    return line.split(" ", 1)[0]


def test_spoofed_forwarding_from_an_untrusted_peer_is_ignored(server):
    srv = server(config("  - RequestIdMiddleware", server=PROXIES))
    assert peer_of(srv, 1, {"X-Forwarded-For": "9.9.9.9"},
                   "127.0.0.3") == "127.0.0.3"
    assert peer_of(srv, 2, {"Forwarded": "for=9.9.9.9"},
                   "127.0.0.3") == "127.0.0.3"


def test_trusted_chain_gives_the_rightmost_untrusted_hop(server):
    srv = server(config("  - RequestIdMiddleware", server=PROXIES))
    assert peer_of(srv, 1,
                   {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.1.1.1"},
                   "127.0.0.2") == "198.51.100.7"
    assert peer_of(srv, 2, {"Forwarded":
                            'for=6.6.6.6, for="[2001:db8::5]:4711"'},
                   "127.0.0.2") == "2001:db8::5"
    assert peer_of(srv, 3, {}, "127.0.0.2") == "127.0.0.2"


def test_trust_proxy_defaults_to_loopback(server):
    srv = server(config("  - RequestIdMiddleware",
                        server="  trust_proxy: true"))
    assert peer_of(srv, 1, {"X-Forwarded-For": "198.51.100.8"},
                   "127.0.0.5") == "198.51.100.8"


def test_without_trust_proxy_headers_are_ignored(server):
    srv = server(config("  - RequestIdMiddleware"))
    assert peer_of(srv, 1, {"X-Forwarded-For": "198.51.100.8"},
                   "127.0.0.5") == "127.0.0.5"


def test_rate_limit_counts_the_forwarded_client(server):
    srv = server(config("  - RateLimitMiddleware: {requests: 2, per: 60}",
                        server=PROXIES))
    via = "127.0.0.2"
    a = {"X-Forwarded-For": "198.51.100.1"}
    b = {"X-Forwarded-For": "198.51.100.2"}
    assert [request(srv, "GET", "/items", a, source=via)[0]
            for _ in range(3)] == [200, 200, 429]
    assert request(srv, "GET", "/items", b, source=via)[0] == 200
    # An untrusted client changing its header is still one client.
    spoof = [request(srv, "GET", "/items",
                     {"X-Forwarded-For": f"203.0.113.{i}"},
                     source="127.0.0.9")[0] for i in range(3)]
    assert spoof == [200, 200, 429]


# ---- order -----------------------------------------------------------------

PREFLIGHT = {"Origin": "https://app.example",
             "Access-Control-Request-Method": "POST"}


@pytest.mark.parametrize("order,statuses", [
    # CORS first: preflights are answered before the rate limit counts.
    ("  - CORSMiddleware\n  - RateLimitMiddleware: {requests: 1, per: 60}",
     [204, 204, 204]),
    # Rate limit first: preflights are counted like any request.
    ("  - RateLimitMiddleware: {requests: 1, per: 60}\n  - CORSMiddleware",
     [204, 429, 429]),
])
def test_middlewares_apply_in_their_order(server, order, statuses):
    srv = server(config(order + "\n  - RequestIdMiddleware"))
    got = []
    for _ in range(3):
        status, h, _ = request(srv, "OPTIONS", "/items", PREFLIGHT)
        got.append(status)
        # Whatever answered, every response part ran.
        assert HEX32.match(h["x-request-id"])
        assert h["access-control-allow-origin"] == "https://app.example"
    assert got == statuses


def test_request_id_in_error_log_lines(server):
    # Redis is named but not there: the warning it causes is written
    # while the request is served, and names its id.
    srv = server(config("  - RequestIdMiddleware",
                        top='cache:\n  redis_url: "unix://{TMP}/none.sock"'))
    status, h, _ = request(srv, "GET", "/cached", {"X-Request-Id": "rid-err-1"})
    assert status == 200 and h["x-request-id"] == "rid-err-1"
    assert wait_until(lambda: "request rid-err-1: redis cache unreachable"
                      in srv.log(), 5), srv.log()
    # The master's lines (written outside any request) name none.
    master = [ln for ln in srv.log().splitlines() if "#master:" in ln]
    assert master and not [ln for ln in master if ": request " in ln]


LOGIN = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
%s
auth:
  jwt_secret: "mw-throttle-secret"
  login_validator: {file: "{TMP}/users"}
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


def test_login_throttle_counts_the_forwarded_client(server, tmp_path):
    (tmp_path / "users").write_text(
        f'tina:{HASHERS["sha512"]("right-pw")}:{{"id": 1}}\n')
    srv = server(LOGIN % PROXIES)

    def login(xff, source, password="wrong-pw"):
        body = json.dumps({"username": "tina", "password": password})
        return request(srv, "POST", "/auth/login",
                       {"Content-Type": "application/json",
                        "X-Forwarded-For": xff}, body.encode(),
                       source=source)[0]

    # Ten failures of one client through the proxy throttle that client...
    assert [login("198.51.100.1", "127.0.0.2") for _ in range(10)] == \
        [401] * 10
    assert login("198.51.100.1", "127.0.0.2", "right-pw") == 429
    # ...not the proxy's other clients.
    assert login("198.51.100.2", "127.0.0.2", "right-pw") == 200
    # From an untrusted peer a changing header does not help.
    assert [login(f"203.0.113.{i}", "127.0.0.9") for i in range(10)] == \
        [401] * 10
    assert login("203.0.113.99", "127.0.0.9", "right-pw") == 429
