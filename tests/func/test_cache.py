"""The response cache (SPEC section 10), seen from outside with two
workers: a hit is served by a worker other than the one that stored it,
a successful write invalidates and a failed one does not, keys are per
caller and per normalised query, entries expire, a tiny zone evicts, a
killed worker costs nothing but its own connections, and the validators
(ETag, If-None-Match, If-Match) behave.  Then the Redis tier, with two
lightapid "hosts" sharing a redis-server on a Unix socket: entries and
invalidations cross hosts, and an outage fails nothing and serves
nothing stale."""

import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

from conftest import wait_until
from test_auth_util import make_token

SECRET = "cache-test-secret-0123456789abcdef"

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  trust_proxy: true
cache:
  shm_size: %(shm)s
endpoints:
  - route: /items
    fields:
      name: {type: str, min_length: 1}
    meta:
      cache: {ttl: %(ttl)d}
  - route: /plain
    fields:
      name: {type: str}
"""

AUTH_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%s"
endpoints:
  - route: /notes
    fields:
      name: {type: str}
    meta:
      authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
      cache: {ttl: 60}
""" % SECRET


def config(ttl=60, shm="64M"):
    return CONFIG % {"ttl": ttl, "shm": shm}


class Conn:
    """One keep-alive connection, so that every request on it is served by
    the same worker."""

    def __init__(self, srv):
        self.srv = srv
        self.c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        self.c.connect()

    def req(self, method, path, body=None, headers=None):
        hdrs = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        self.c.request(method, path, body=data, headers=hdrs)
        r = self.c.getresponse()
        raw = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, raw

    def worker(self):
        """The pid of the worker holding the server side of this
        connection: the socket inode from /proc/net/tcp, then the worker
        whose descriptors include it."""
        local = self.c.sock.getsockname()[1]
        inode = None
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                p = line.split()
                lport = int(p[1].split(":")[1], 16)
                rport = int(p[2].split(":")[1], 16)
                if lport == self.srv.port and rport == local:
                    inode = p[9]
        assert inode is not None
        for pid in self.srv.worker_pids():
            try:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == \
                            f"socket:[{inode}]":
                        return pid
            except OSError:
                continue
        return None

    def close(self):
        self.c.close()


def get(srv, path, headers=None):
    status, h, _, raw = srv.request("GET", path, headers=headers)
    return status, h, raw


def xcache(srv, path, headers=None):
    status, h, raw = get(srv, path, headers)
    assert status == 200, raw
    return h.get("x-cache")


@pytest.fixture
def items(server):
    srv = server(config(), workers=2)
    for n in ("a", "b", "c"):
        assert srv.post("/items", {"name": n})[0] == 201
    return srv


def test_hit_is_served_by_another_worker(items):
    first = Conn(items)
    try:
        for attempt in range(20):
            path = f"/items?probe={attempt}"
            status, h, body = first.req("GET", path)
            assert status == 200 and h["x-cache"] == "MISS"
            storer = first.worker()
            assert storer is not None
            # New connections until one lands on the other worker.
            for _ in range(200):
                other = Conn(items)
                try:
                    if other.worker() not in (storer, None):
                        s2, h2, body2 = other.req("GET", path)
                        assert s2 == 200
                        assert h2["x-cache"] == "HIT"
                        assert body2 == body
                        assert h2["etag"] == h["etag"]
                        return
                finally:
                    other.close()
    finally:
        first.close()
    pytest.fail("no connection ever reached the second worker")


def test_head_shares_the_get_entry(items):
    status, h, body = get(items, "/items/1")
    assert h["x-cache"] == "MISS"
    st, hh, _, raw = items.request("HEAD", "/items/1")
    assert st == 200 and raw == b""
    assert hh["x-cache"] == "HIT"
    assert hh["content-length"] == str(len(body))
    assert hh["etag"] == h["etag"]
    # And a HEAD miss stores what a GET then finds.
    st, hh, _, _ = items.request("HEAD", "/items/2")
    assert hh["x-cache"] == "MISS"
    st, h, _, raw = items.request("GET", "/items/2")
    assert h["x-cache"] == "HIT" and json.loads(raw)["name"] == "b"


def prime(srv, *paths):
    for p in paths:
        xcache(srv, p)
        assert xcache(srv, p) == "HIT", p


@pytest.mark.parametrize("verb", ["POST", "PUT", "PATCH", "DELETE"])
def test_successful_write_invalidates_list_and_detail(items, verb):
    prime(items, "/items", "/items/1", "/items/2")
    if verb == "POST":
        st = items.post("/items", {"name": "d"})[0]
    elif verb == "PUT":
        st = items.put("/items/1", {"name": "A", "version": 1})[0]
    elif verb == "PATCH":
        st = items.patch("/items/1", {"name": "A", "version": 1})[0]
    else:
        st = items.delete("/items/1")[0]
    assert 200 <= st < 300
    # Every entry of the table is gone, in every worker at once.
    status, h, raw = get(items, "/items")
    assert h["x-cache"] == "MISS"
    names = [r["name"] for r in json.loads(raw)["results"]]
    expected = {"POST": ["a", "b", "c", "d"], "PUT": ["A", "b", "c"],
                "PATCH": ["A", "b", "c"], "DELETE": ["b", "c"]}[verb]
    assert names == expected
    assert xcache(items, "/items/2") == "MISS"
    status, h, raw = get(items, "/items/1")
    assert h["x-cache"] == "MISS"
    assert status == (404 if verb == "DELETE" else 200)


def test_failed_writes_invalidate_nothing(items):
    prime(items, "/items", "/items/1")
    assert items.put("/items/1", {"name": "x", "version": 7})[0] == 409
    assert items.post("/items", {"name": ""})[0] == 422
    assert items.patch("/items/99", {"name": "x", "version": 1})[0] == 404
    assert items.delete("/items/99")[0] == 404
    assert items.patch("/items/1", {"name": "x"},
                       headers={"If-Match": '"nope"'})[0] == 412
    assert xcache(items, "/items") == "HIT"
    assert xcache(items, "/items/1") == "HIT"


def test_errors_are_not_cached(items):
    assert get(items, "/items/42")[0] == 404
    status, h, _ = get(items, "/items/42")
    assert status == 404 and h["x-cache"] == "MISS"


def test_query_is_normalised(items):
    assert xcache(items, "/items?b=2&a=1") == "MISS"
    assert xcache(items, "/items?a=1&b=2") == "HIT"
    assert xcache(items, "/items?a=%31&b=%32") == "HIT"
    assert xcache(items, "/items?b=2&&a=1") == "HIT"
    # Different values are different entries.
    assert xcache(items, "/items?a=1&b=3") == "MISS"
    assert xcache(items, "/items?a=1&b=2&a=0") == "MISS"
    assert xcache(items, "/items?a=0&a=1&b=2") == "HIT"


def test_host_and_forwarded_headers_split_entries(items):
    h = {"Host": "one.example"}
    assert xcache(items, "/items", h) == "MISS"
    assert xcache(items, "/items", h) == "HIT"
    assert xcache(items, "/items", {"Host": "two.example"}) == "MISS"
    fw = {"Host": "one.example", "X-Forwarded-Proto": "https"}
    assert xcache(items, "/items", fw) == "MISS"


def test_ttl_expiry(server):
    srv = server(config(ttl=1), workers=2)
    assert srv.post("/items", {"name": "a"})[0] == 201
    assert xcache(srv, "/items/1") == "MISS"
    assert xcache(srv, "/items/1") == "HIT"
    time.sleep(1.3)
    assert xcache(srv, "/items/1") == "MISS"


def test_endpoint_without_cache_has_no_x_cache(items):
    assert items.post("/plain", {"name": "p"})[0] == 201
    for _ in range(2):
        status, h, _ = get(items, "/plain/1")
        assert status == 200
        assert "x-cache" not in h
        assert h["etag"].startswith('"')


def test_etag_and_if_none_match(items):
    status, h, body = get(items, "/items/1")
    tag = h["etag"]
    assert len(tag) == 34 and tag[0] == tag[-1] == '"'
    for inm in (tag, f'"other", {tag}', f"W/{tag}", "*"):
        st, h2, _, raw = items.request("GET", "/items/1",
                                       headers={"If-None-Match": inm})
        assert st == 304 and raw == b""
        assert h2["etag"] == tag
        assert "content-length" not in h2
    st, _, _, raw = items.request("GET", "/items/1",
                                  headers={"If-None-Match": '"other"'})
    assert st == 200 and raw == body
    # The tag is a function of the body: a change changes it.
    assert items.patch("/items/1", {"name": "z", "version": 1})[0] == 200
    st, h3, _, _ = items.request("GET", "/items/1",
                                 headers={"If-None-Match": tag})
    assert st == 200 and h3["etag"] != tag


def test_if_match(items):
    tag = get(items, "/items/1")[1]["etag"]
    st, _, data, _ = items.request("PATCH", "/items/1", body={"name": "q"},
                                   headers={"If-Match": '"stale"'})
    assert st == 412 and data == {"detail": "precondition failed"}
    # If-Match stands for the version: none needed in the body.
    st, _, data, _ = items.request("PATCH", "/items/1", body={"name": "q"},
                                   headers={"If-Match": tag})
    assert st == 200 and data["version"] == 2 and data["name"] == "q"
    # The old tag no longer matches.
    st = items.request("PUT", "/items/1", body={"name": "r"},
                       headers={"If-Match": tag})[0]
    assert st == 412
    tag = get(items, "/items/1")[1]["etag"]
    # Both given: both must hold; the body's version still gives 409.
    st = items.request("PUT", "/items/1", body={"name": "r", "version": 1},
                       headers={"If-Match": tag})[0]
    assert st == 409
    st, _, data, _ = items.request("PUT", "/items/1",
                                   body={"name": "r", "version": 2},
                                   headers={"If-Match": tag})
    assert st == 200 and data["version"] == 3
    # Without If-Match, a missing version is still a 422.
    assert items.request("PUT", "/items/1", body={"name": "s"})[0] == 422
    assert items.request("PATCH", "/items/9", body={"name": "s"},
                         headers={"If-Match": "*"})[0] == 404
    assert items.request("DELETE", "/items/2",
                         headers={"If-Match": tag})[0] == 412
    tag2 = get(items, "/items/2")[1]["etag"]
    assert items.request("DELETE", "/items/2",
                         headers={"If-Match": tag2})[0] == 204
    assert items.request("DELETE", "/items/3",
                         headers={"If-Match": "*"})[0] == 204


def test_per_identity_keys(server):
    srv = server(AUTH_CONFIG, workers=2)
    alice = {"Authorization": "Bearer " + make_token({"sub": "alice"},
                                                      SECRET)}
    bob = {"Authorization": "Bearer " + make_token({"sub": "bob"}, SECRET)}
    assert srv.post("/notes", {"name": "n"}, headers=alice)[0] == 201
    assert xcache(srv, "/notes", alice) == "MISS"
    assert xcache(srv, "/notes", alice) == "HIT"
    assert xcache(srv, "/notes", bob) == "MISS"
    assert xcache(srv, "/notes", bob) == "HIT"
    # A second token of the same subject is the same caller.
    alice2 = {"Authorization": "Bearer " + make_token(
        {"sub": "alice", "x": 1}, SECRET)}
    assert xcache(srv, "/notes", alice2) == "HIT"
    # No sub: the payload is the identity.
    p1 = {"Authorization": "Bearer " + make_token({"n": 1}, SECRET)}
    p2 = {"Authorization": "Bearer " + make_token({"n": 2}, SECRET)}
    assert xcache(srv, "/notes", p1) == "MISS"
    assert xcache(srv, "/notes", p2) == "MISS"
    assert xcache(srv, "/notes", p1) == "HIT"
    # Refused callers are answered before the cache, never from it.
    assert get(srv, "/notes")[0] == 401
    bad = {"Authorization": "Bearer " + make_token({"sub": "alice"}, "x")}
    assert get(srv, "/notes", bad)[0] == 401


def test_eviction_under_a_tiny_zone(server):
    srv = server(config(shm="256K"), workers=2)
    for i in range(5):
        assert srv.post("/items", {"name": f"{i}" * 200})[0] == 201
    n = 400
    for i in range(n):
        assert xcache(srv, f"/items?k={i}") == "MISS"
    # The first keys were evicted to make room; the last are still there.
    assert xcache(srv, "/items?k=0") == "MISS"
    assert xcache(srv, f"/items?k={n - 1}") == "HIT"
    hits = sum(xcache(srv, f"/items?k={i}") == "HIT" for i in range(n))
    assert 0 < hits < n // 2, hits


def test_reload_never_serves_old_entries(server, tmp_path):
    srv = server(config(), workers=2)
    assert srv.post("/items", {"name": "a"})[0] == 201
    prime(srv, "/items/1")
    before = set(srv.worker_pids())
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: (lambda p: len(p) == 2 and not p & before)(
        set(srv.worker_pids())), 10)
    assert xcache(srv, "/items/1") == "MISS"
    assert xcache(srv, "/items/1") == "HIT"


def test_worker_killed_under_cached_load(server):
    srv = server(config(), workers=2)
    expect = {}
    for i in range(1, 6):
        assert srv.post("/items", {"name": f"n{i}"})[0] == 201
    for i in range(1, 6):
        expect[f"/items/{i}"] = json.loads(get(srv, f"/items/{i}")[2])
    stop = threading.Event()
    wrong, fivexx, errors, ok = [], [], [], [0]

    def load(k):
        while not stop.is_set():
            path = f"/items/{k % 5 + 1}"
            k += 1
            try:
                status, h, raw = get(srv, path)
            except OSError as e:
                errors.append(e)
                continue
            if status >= 500:
                fivexx.append((status, raw))
            elif status != 200 or json.loads(raw) != expect[path]:
                wrong.append((path, status, raw))
            else:
                ok[0] += 1

    threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    victim = min(srv.worker_pids())
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: (lambda p: len(p) == 2 and victim not in p)(
        set(srv.worker_pids())), 5)
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    assert not wrong and not fivexx
    # Only connections the dead worker held may have failed.
    assert len(errors) <= 4, errors
    assert ok[0] > 100
    # Still caching after the crash epoch moved on.
    xcache(srv, "/items/1")
    assert xcache(srv, "/items/1") == "HIT"


# ---- the Redis tier ------------------------------------------------------

REDIS_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
cache:
  redis_url: "unix://{TMP}/redis.sock"
endpoints:
  - route: /items
    fields:
      name: {type: str}
    meta:
      cache: {ttl: 60}
"""

HOST = {"Host": "api.example"}


class Redis:
    """redis-server on a Unix socket in the test's directory, no disk."""

    def __init__(self, directory):
        self.sock = str(directory / "redis.sock")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.sock,
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(lambda: os.path.exists(self.sock), 5)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.proc = None
        assert wait_until(lambda: not os.path.exists(self.sock), 5)


@pytest.fixture
def redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for the Redis tier tests")
    r = Redis(tmp_path).start()
    yield r
    r.stop()


def two_hosts(server, tmp_path):
    a = server(REDIS_CONFIG, workers=2)
    b = server(REDIS_CONFIG, workers=2)
    return a, b


def redis_body(srv, path):
    status, h, raw = get(srv, path, HOST)
    assert status == 200, raw
    return h.get("x-cache"), json.loads(raw)


def test_redis_shares_entries_and_invalidations_between_hosts(server,
                                                              tmp_path,
                                                              redis):
    a, b = two_hosts(server, tmp_path)
    assert a.post("/items", {"name": "one"})[0] == 201
    assert redis_body(a, "/items/1")[0] == "MISS"
    # Host b never stored it: the hit comes from Redis.
    xc, data = redis_body(b, "/items/1")
    assert xc == "HIT" and data["name"] == "one"
    assert redis_body(a, "/items/1")[0] == "HIT"
    # A write on b reaches a's own shared memory too.
    assert b.patch("/items/1", {"name": "two", "version": 1})[0] == 200
    xc, data = redis_body(a, "/items/1")
    assert xc == "MISS" and data["name"] == "two"


def test_redis_outage_fails_nothing_and_serves_nothing_stale(server,
                                                             tmp_path,
                                                             redis):
    a, b = two_hosts(server, tmp_path)
    assert a.post("/items", {"name": "one"})[0] == 201
    redis_body(a, "/items/1")
    assert redis_body(a, "/items/1")[0] == "HIT"
    redis.stop()
    # Every request still succeeds, from the database.
    for _ in range(6):
        xc, data = redis_body(a, "/items/1")
        assert xc == "MISS" and data["name"] == "one"
    # A write on another host while Redis is away: a must not serve
    # its (shared-memory) entry.
    assert b.patch("/items/1", {"name": "two", "version": 1})[0] == 200
    for _ in range(6):
        xc, data = redis_body(a, "/items/1")
        assert data["name"] == "two"
    warnings = a.log().count("redis cache unreachable")
    assert 1 <= warnings <= 2, a.log()  # once per worker at most
    redis.start()
    time.sleep(1.2)  # the workers wait a second before trying again
    for _ in range(4):
        redis_body(a, "/items/1")
    assert wait_until(lambda: redis_body(a, "/items/1")[0] == "HIT", 5)
    xc, data = redis_body(a, "/items/1")
    assert data["name"] == "two"
    assert "redis cache is back" in a.log()
    # A worker that served nothing during the outage finds its broken
    # connection only now, and says so once too: still once per worker.
    assert warnings <= a.log().count("redis cache unreachable") <= 2


def redis_command(sock_path, *args):
    """One command over Redis's socket, its reply's first line."""
    import socket
    msg = b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args)
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(sock_path)
        s.sendall(msg)
        return s.recv(4096).split(b"\r\n")[0].decode()


def test_redis_bump_outlives_the_worker_that_wrote(server, tmp_path, redis):
    """A table written while Redis cannot be reached is bumped there once
    it can, by whichever worker of that host gets there first, even when
    the worker that wrote has died meanwhile: the mark is in shared
    memory. Redis keeps running (its socket moved away, its clients cut
    off), so the entry stored before the outage is still there to be
    served stale."""
    a, b = two_hosts(server, tmp_path)
    assert a.post("/items", {"name": "one"})[0] == 201
    redis_body(a, "/items/1")
    xc, data = redis_body(b, "/items/1")
    assert xc == "HIT" and data["name"] == "one"  # the entry is in Redis
    hidden = redis.sock + ".away"
    os.rename(redis.sock, hidden)
    try:
        assert redis_command(hidden, "CLIENT", "KILL", "TYPE",
                             "normal").startswith(":")
        # b's worker loses its connection and cannot make a new one.
        assert b.patch("/items/1", {"name": "two", "version": 1})[0] == 200
        old = set(b.worker_pids())
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        assert wait_until(lambda: (lambda p: len(p) == 2 and not p & old)(
            set(b.worker_pids())), timeout=5), b.worker_pids()
    finally:
        os.rename(hidden, redis.sock)
    # b gets no request: a new worker of b finds the mark between
    # requests, once its second of waiting for Redis is over, and bumps
    # the table there. Meanwhile a, which lost Redis too, reads nothing
    # from there: never the entry that write made stale.
    seen = []

    def a_fresh_hit():
        xc, data = redis_body(a, "/items/1")
        seen.append(data["name"])
        return xc == "HIT"
    assert wait_until(a_fresh_hit, 6), seen
    assert set(seen) == {"two"}, seen
    for _ in range(4):
        xc, data = redis_body(a, "/items/1")
        assert data["name"] == "two", xc
        xc, data = redis_body(b, "/items/1")
        assert data["name"] == "two", xc
