"""GET /metrics (SPEC section 12), from outside with several workers: the
text parses as Prometheus text format 0.0.4 under a strict parser written
here, counters move by exactly the requests made wherever they were
served, the duration histogram counts each request once in cumulative
buckets, a worker killed with SIGKILL adds one restart and takes no count
with it, the cache and database counters follow X-Cache and 409s, the
gauges count open connections, reloads are reported, and the access rule
(server.metrics: local by default, all, off) holds."""

import http.client
import math
import os
import re
import signal
import socket
import subprocess

import pytest

from conftest import WorkerConnections, wait_until

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  max_connections: %(maxconn)d
%(extra)s
endpoints:
  - route: /books
    fields:
      title: {type: str, unique: true}
  - route: /cached
    fields:
      name: {type: str}
    meta:
      cache: {ttl: 60}
"""


def config(maxconn=64, extra=""):
    return CONFIG % {"maxconn": maxconn, "extra": extra}


# ---- a strict parser of the text format 0.0.4 ------------------------------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"),
            "summary": ("_sum", "_count", "")}


def parse_labels(text, lineno):
    """{name: value} of '{a="x",b="y"}' (without the braces), unescaping
    exactly \\\\, \\" and \\n; anything else is an error."""
    labels, i = {}, 0
    while i < len(text):
        m = re.compile(LABEL + "=\"").match(text, i)
        assert m, f"line {lineno}: bad label at {text[i:]!r}"
        name = m.group(0)[:-2]
        i = m.end()
        value = []
        while True:
            assert i < len(text), f"line {lineno}: unterminated label value"
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                assert nxt in ("\\", '"', "n"), \
                    f"line {lineno}: bad escape \\{nxt}"
                value.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                assert c != "\n", f"line {lineno}: raw newline in a label"
                value.append(c)
                i += 1
        assert name not in labels, f"line {lineno}: label {name} twice"
        labels[name] = "".join(value)
        if i < len(text):
            assert text[i] == ",", f"line {lineno}: expected ',' in labels"
            i += 1
    return labels


def split_sample(line, lineno):
    """(name, labels, value) of a sample line."""
    m = re.match(NAME, line)
    assert m, f"line {lineno}: bad metric name in {line!r}"
    name, rest = m.group(0), line[m.end():]
    labels = {}
    if rest.startswith("{"):
        # The closing brace is the first '}' outside a quoted value.
        i, quoted = 1, False
        while i < len(rest):
            if rest[i] == "\\" and quoted:
                i += 2
                continue
            if rest[i] == '"':
                quoted = not quoted
            elif rest[i] == "}" and not quoted:
                break
            i += 1
        assert i < len(rest), f"line {lineno}: unterminated labels"
        labels = parse_labels(rest[1:i], lineno)
        rest = rest[i + 1:]
    assert rest.startswith(" "), f"line {lineno}: no space before the value"
    fields = rest[1:].split(" ")
    assert 1 <= len(fields) <= 2, f"line {lineno}: bad value {rest!r}"
    value = float(fields[0])   # raises on anything that is not a float
    if len(fields) == 2:
        int(fields[1])         # a timestamp, in ms
    return name, labels, value


def parse_exposition(text):
    """{family: {"type", "help", "samples": {(name, labels): value}}},
    asserting the format's rules on the way."""
    assert text.endswith("\n"), "the text ends with a newline"
    families, current = {}, None
    for lineno, line in enumerate(text[:-1].split("\n"), 1):
        assert line, f"line {lineno}: empty line"
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                assert re.fullmatch(NAME, parts[2]), f"line {lineno}: name"
                fam = families.setdefault(
                    parts[2], {"type": None, "help": None, "samples": {}})
                assert not fam["samples"], \
                    f"line {lineno}: {parts[1]} after the samples"
                if parts[1] == "TYPE":
                    assert len(parts) == 4 and parts[3] in TYPES, \
                        f"line {lineno}: bad TYPE"
                    assert fam["type"] is None, f"line {lineno}: TYPE twice"
                    fam["type"] = parts[3]
                else:
                    assert fam["help"] is None, f"line {lineno}: HELP twice"
                    assert len(parts) == 4 and "\\" not in parts[3]
                    fam["help"] = parts[3]
                current = parts[2]
            continue
        name, labels, value = split_sample(line, lineno)
        assert current is not None, f"line {lineno}: sample before any TYPE"
        fam = families[current]
        suffix = name[len(current):] if name.startswith(current) else None
        assert suffix in SUFFIXES.get(fam["type"], ("",)), \
            f"line {lineno}: {name} outside its family {current}"
        key = (name, tuple(sorted(labels.items())))
        assert key not in fam["samples"], f"line {lineno}: repeated series"
        fam["samples"][key] = value
    for name, fam in families.items():
        assert fam["type"] is not None, f"{name} has no TYPE"
        assert fam["help"], f"{name} has no HELP"
        assert name.startswith("lightapid_"), f"{name} lacks the prefix"
        if fam["type"] == "counter":
            assert name.endswith("_total"), f"counter {name} lacks _total"
        if fam["type"] == "histogram":
            check_histogram(name, fam["samples"])
    return families


def check_histogram(name, samples):
    """Buckets ascend in le, are cumulative, end in +Inf == _count."""
    series = {}
    for (sname, labels), value in samples.items():
        d = dict(labels)
        le = d.pop("le", None)
        key = tuple(sorted(d.items()))
        s = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if sname == name + "_bucket":
            assert le is not None, f"{name}: a bucket without le"
            s["buckets"].append((float(le), value))
        elif sname == name + "_sum":
            s["sum"] = value
        else:
            s["count"] = value
    for key, s in series.items():
        bounds = [b for b, _ in s["buckets"]]
        assert bounds == sorted(bounds) and math.isinf(bounds[-1]), \
            f"{name}{key}: buckets out of order or no +Inf"
        counts = [c for _, c in s["buckets"]]
        assert counts == sorted(counts), f"{name}{key}: not cumulative"
        assert counts[-1] == s["count"], f"{name}{key}: +Inf != _count"
        assert s["sum"] is not None and s["sum"] >= 0


# ---- helpers -----------------------------------------------------------


def scrape(get):
    """The parsed exposition from a GET function returning (status,
    headers, json, raw)."""
    status, headers, _, raw = get("/metrics")
    assert status == 200, raw
    assert headers["content-type"] == \
        "text/plain; version=0.0.4; charset=utf-8"
    return parse_exposition(raw.decode("utf-8"))


def value(fams, family, sample=None, **labels):
    """The value of one series; 0 when the family has no such series yet
    (a counter that has not moved)."""
    want = tuple(sorted(labels.items()))
    for (name, lab), v in fams[family]["samples"].items():
        if name == (sample or family) and lab == want:
            return v
    return 0


def requests_total(fams, route, method, status):
    return value(fams, "lightapid_http_requests_total", route=route,
                 method=method, status=str(status))


def duration_count(fams, route):
    return value(fams, "lightapid_http_request_duration_seconds",
                 "lightapid_http_request_duration_seconds_count", route=route)


# ---- the tests -----------------------------------------------------------


def test_format_and_families(server):
    srv = server(config(), workers=3)
    fams = scrape(srv.get)
    for fam, typ in [
            ("lightapid_build_info", "gauge"),
            ("lightapid_http_requests_total", "counter"),
            ("lightapid_http_request_duration_seconds", "histogram"),
            ("lightapid_http_open_connections", "gauge"),
            ("lightapid_http_requests_in_flight", "gauge"),
            ("lightapid_db_query_duration_seconds", "summary"),
            ("lightapid_db_errors_total", "counter"),
            ("lightapid_cache_hits_total", "counter"),
            ("lightapid_cache_misses_total", "counter"),
            ("lightapid_cache_stores_total", "counter"),
            ("lightapid_cache_evictions_total", "counter"),
            ("lightapid_cache_invalidations_total", "counter"),
            ("lightapid_ratelimited_requests_total", "counter"),
            ("lightapid_login_throttled_requests_total", "counter"),
            ("lightapid_worker_starts_total", "counter"),
            ("lightapid_worker_restarts_total", "counter"),
            ("lightapid_config_generation", "gauge"),
            ("lightapid_config_last_reload_timestamp_seconds", "gauge"),
            ("lightapid_config_last_reload_successful", "gauge")]:
        assert fams[fam]["type"] == typ, fam
    (name, labels), v = next(iter(fams["lightapid_build_info"]["samples"]
                                  .items()))
    labels = dict(labels)
    assert v == 1 and re.fullmatch(r"\d+\.\d+\.\d+.*", labels["version"])
    assert "sqlite" in labels["drivers"].split()
    assert value(fams, "lightapid_worker_starts_total") == 3
    assert value(fams, "lightapid_worker_restarts_total") == 0
    assert value(fams, "lightapid_config_generation") == 1
    assert value(fams, "lightapid_config_last_reload_successful") == 1
    assert value(fams, "lightapid_ratelimited_requests_total") == 0
    # The scrape itself is in flight on its own connection.
    assert value(fams, "lightapid_http_requests_in_flight") == 1
    # HEAD is served too, without a body.
    status, headers, _, raw = srv.request("HEAD", "/metrics")
    assert status == 200 and raw == b""


def test_parser_is_strict():
    good = ('# HELP lightapid_x_total X.\n# TYPE lightapid_x_total counter\n'
            'lightapid_x_total{a="q\\"\\\\\\n"} 3\n')
    fams = parse_exposition(good)
    assert value(fams, "lightapid_x_total", a='q"\\\n') == 3
    for bad in [good.replace("counter", "countr"),
                good.replace('\\"', '\\t'),
                good.replace("} 3", "} three"),
                good.replace("# HELP lightapid_x_total X.\n", ""),
                good + "lightapid_x_total{a=\"q\\\"\\\\\\n\"} 4\n",
                good.replace("_total", "")]:
        with pytest.raises((AssertionError, ValueError)):
            parse_exposition(bad)


def test_counts_summed_over_workers(server):
    # One held connection per worker (WorkerConnections): a small
    # max_connections makes a full worker leave the next client to another.
    srv = server(config(maxconn=4), workers=3)
    wc = WorkerConnections(srv)
    try:
        pids = sorted(wc.conns)
        assert len(pids) == 3

        def get(path):
            return wc.request(pids[0], "GET", path)

        before = scrape(get)
        plan = [pids[0]] * 3 + [pids[1]] * 2 + [pids[2]] * 2
        for pid in plan:
            assert wc.request(pid, "GET", "/books")[0] == 200
        assert wc.request(pids[1], "GET", "/books/999")[0] == 404
        assert wc.request(pids[2], "GET", "/nowhere")[0] == 404
        assert wc.request(pids[2], "PUT", "/books")[0] == 405
        after = scrape(get)
        d = (requests_total(after, "/books", "GET", 200) -
             requests_total(before, "/books", "GET", 200))
        assert d == 7
        assert (duration_count(after, "/books") -
                duration_count(before, "/books")) == 8  # 7 GETs and the PUT
        assert (requests_total(after, "/books/{id}", "GET", 404) -
                requests_total(before, "/books/{id}", "GET", 404)) == 1
        assert (requests_total(after, "unmatched", "GET", 404) -
                requests_total(before, "unmatched", "GET", 404)) == 1
        assert (requests_total(after, "/books", "PUT", 405) -
                requests_total(before, "/books", "PUT", 405)) == 1
        # The first scrape is counted by the second.
        assert requests_total(after, "/metrics", "GET", 200) == \
            requests_total(before, "/metrics", "GET", 200) + 1
        assert wait_until(lambda: value(
            scrape(get), "lightapid_http_open_connections") == 3, 3)
        # Every statement run was timed.
        assert (value(after, "lightapid_db_query_duration_seconds",
                      "lightapid_db_query_duration_seconds_count") -
                value(before, "lightapid_db_query_duration_seconds",
                      "lightapid_db_query_duration_seconds_count")) >= 8
    finally:
        wc.close()


def test_kill_9_adds_one_restart(server):
    srv = server(config(), workers=3)
    for _ in range(5):
        assert srv.get("/books")[0] == 200
    before = scrape(srv.get)
    assert value(before, "lightapid_worker_restarts_total") == 0
    victim = sorted(srv.worker_pids())[0]
    os.kill(victim, signal.SIGKILL)

    def restarted():
        fams = scrape(srv.get)
        return fams if value(fams, "lightapid_worker_starts_total") == 4 \
            else None
    after = wait_until(restarted, timeout=5)
    assert after, "no worker was started again"
    assert value(after, "lightapid_worker_restarts_total") == 1
    assert len(srv.worker_pids()) == 3
    # What the dead worker counted stays counted.
    assert requests_total(after, "/books", "GET", 200) == 5
    assert duration_count(after, "/books") == 5


def test_cache_counters_follow_x_cache(server):
    srv = server(config(), workers=2)
    assert srv.post("/cached", {"name": "a"})[0] == 201
    before = scrape(srv.get)

    def delta(after, what):
        name = f"lightapid_cache_{what}_total"
        return value(after, name) - value(before, name)

    status, headers, _, _ = srv.get("/cached")
    assert status == 200 and headers["x-cache"] == "MISS"
    after = scrape(srv.get)
    assert delta(after, "misses") == 1 and delta(after, "stores") == 1
    assert delta(after, "hits") == 0
    hits = 0
    for _ in range(3):
        status, headers, _, _ = srv.get("/cached")
        assert status == 200
        hits += headers["x-cache"] == "HIT"
    assert hits == 3
    after = scrape(srv.get)
    assert delta(after, "hits") == 3 and delta(after, "misses") == 1
    assert srv.post("/cached", {"name": "b"})[0] == 201
    after = scrape(srv.get)
    assert delta(after, "invalidations") == 1
    assert srv.get("/cached")[1]["x-cache"] == "MISS"
    after = scrape(srv.get)
    assert delta(after, "misses") == 2


def test_database_errors_by_kind(server):
    srv = server(config(), workers=2)
    assert srv.post("/books", {"title": "once"})[0] == 201
    before = scrape(srv.get)
    for _ in range(2):
        assert srv.post("/books", {"title": "once"})[0] == 409
    after = scrape(srv.get)
    for kind, want in [("unique", 2), ("foreign_key", 0), ("not_null", 0),
                       ("check", 0), ("unavailable", 0), ("other", 0)]:
        assert (value(after, "lightapid_db_errors_total", kind=kind) -
                value(before, "lightapid_db_errors_total", kind=kind)) == \
            want, kind
    assert (requests_total(after, "/books", "POST", 409) -
            requests_total(before, "/books", "POST", 409)) == 2


def test_open_connections_gauge(server):
    srv = server(config(), workers=2)
    socks = [srv.connect() for _ in range(4)]
    try:
        got = wait_until(lambda: value(scrape(srv.get),
                                       "lightapid_http_open_connections") == 5,
                         timeout=3)
        assert got, "4 idle connections and the scrape's"
    finally:
        for s in socks:
            s.close()
    assert wait_until(lambda: value(scrape(srv.get),
                                    "lightapid_http_open_connections") == 1,
                      timeout=3)


def test_reload_reported(server, tmp_path):
    srv = server(config(), workers=2)
    first = scrape(srv.get)
    srv.signal(signal.SIGHUP)
    ok = wait_until(lambda: value(scrape(srv.get),
                                  "lightapid_config_generation") == 2, 5)
    assert ok
    fams = scrape(srv.get)
    assert value(fams, "lightapid_config_last_reload_successful") == 1
    assert value(fams, "lightapid_config_reloads_total",
                 result="success") == 1
    assert value(fams, "lightapid_config_last_reload_timestamp_seconds") >= \
        value(first, "lightapid_config_last_reload_timestamp_seconds")
    srv.config.write_text("endpoints: [\n")
    srv.signal(signal.SIGHUP)
    failed = wait_until(lambda: value(
        scrape(srv.get), "lightapid_config_reloads_total",
        result="failure") == 1, 5)
    assert failed
    fams = scrape(srv.get)
    assert value(fams, "lightapid_config_last_reload_successful") == 0
    assert value(fams, "lightapid_config_generation") == 2


def local_address():
    """A non-loopback address of this host, or None."""
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True)
    for addr in out.stdout.split():
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", addr) and \
                not addr.startswith("127."):
            return addr
    return None


def get_from(addr, port, path):
    conn = http.client.HTTPConnection(addr, port, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("setting,remote", [("", 404), ("metrics: local", 404),
                                            ("metrics: all", 200)])
def test_access_from_another_address(server, setting, remote):
    addr = local_address()
    if addr is None:
        pytest.skip("this host has no non-loopback IPv4 address")
    srv = server(config(extra="  " + setting), workers=1, start=False)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("0.0.0.0", 0))
        port = s.getsockname()[1]
    srv.args = [f"0.0.0.0:{port}" if a == f"127.0.0.1:{srv.port}" else a
                for a in srv.args]
    srv.port = port
    srv.start()
    assert get_from(addr, srv.port, "/metrics")[0] == remote
    assert get_from(addr, srv.port, "/healthz")[0] == 200
    assert srv.get("/metrics")[0] == 200


def test_metrics_off(server):
    srv = server(config(extra="  metrics: off"), workers=1)
    status, _, body, _ = srv.get("/metrics")
    assert status == 404 and body == {"detail": "not found"}


def test_endpoint_at_metrics_keeps_its_route(server):
    srv = server("""\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /metrics
    fields:
      name: {type: str}
""", workers=1)
    assert srv.post("/metrics", {"name": "cpu"})[0] == 201
    status, _, body, _ = srv.get("/metrics")
    assert status == 200
    assert [r["name"] for r in body["results"]] == ["cpu"]


def test_login_throttle_counted(server, tmp_path):
    from test_auth_throttle import CONFIG as AUTH_CONFIG, PW, fail_logins
    from test_auth_util import HASHERS, fresh_source
    (tmp_path / "users").write_text(
        f'tina:{HASHERS["sha512"](PW)}:{{"id": 1, "is_admin": false}}\n')
    srv = server(AUTH_CONFIG, workers=2)
    src = fresh_source()
    before = scrape(srv.get)
    statuses = [s for s, _ in fail_logins(srv, src, 13)]
    assert statuses == [401] * 10 + [429] * 3
    after = scrape(srv.get)
    assert (value(after, "lightapid_login_throttled_requests_total") -
            value(before, "lightapid_login_throttled_requests_total")) == 3
    assert (requests_total(after, "login", "POST", 429) -
            requests_total(before, "login", "POST", 429)) == 3
    assert (requests_total(after, "login", "POST", 401) -
            requests_total(before, "login", "POST", 401)) == 10


def test_metrics_listen(server):
    """server.metrics_listen: /metrics there only, to any client that
    reaches it, with the health checks and nothing else; kept over a
    reload."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("0.0.0.0", 0))
        mport = s.getsockname()[1]
    srv = server(config(extra=f'  metrics_listen: "0.0.0.0:{mport}"'),
                 workers=2)

    def mget(path, addr="127.0.0.1"):
        return get_from(addr, mport, path)

    assert srv.get("/metrics")[0] == 404
    for _ in range(3):
        assert srv.get("/books")[0] == 200
    status, raw = mget("/metrics")
    assert status == 200
    fams = parse_exposition(raw.decode())
    assert requests_total(fams, "/books", "GET", 200) == 3
    assert requests_total(fams, "/metrics", "GET", 404) == 0
    assert requests_total(fams, "unmatched", "GET", 404) == 1
    assert mget("/healthz")[0] == 200
    assert mget("/readyz")[0] == 200
    assert mget("/books")[0] == 404
    assert mget("/openapi.json")[0] == 404
    addr = local_address()
    if addr is not None:
        assert mget("/metrics", addr)[0] == 200
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: value(parse_exposition(
        mget("/metrics")[1].decode()), "lightapid_config_generation") == 2, 5)
    assert srv.get("/books")[0] == 200
    assert srv.get("/metrics")[0] == 404


def test_metrics_listen_dump_and_clash(server, tmp_path):
    from conftest import run_cli, write_config
    path = write_config(tmp_path, config(
        extra='  listen: "127.0.0.1:18123"\n'
              '  metrics_listen: "127.0.0.1:18124"'))
    rc, out, err = run_cli(["-T", "-c", str(path)])
    assert rc == 0, err
    assert '  listen: ["127.0.0.1:18123"]\n' in out
    assert '  metrics_listen: "127.0.0.1:18124"\n' in out
    path = write_config(tmp_path, config(
        extra='  listen: "127.0.0.1:18123"\n'
              '  metrics_listen: "127.0.0.1:18123"'))
    rc, out, err = run_cli(["-t", "-c", str(path)])
    assert rc == 1
    assert "server.metrics_listen 127.0.0.1:18123 is also in " \
        "server.listen" in err


def test_exact_under_concurrent_load(server):
    """Clients in parallel on every worker: no count is lost or doubled."""
    import threading
    srv = server(config(), workers=3)
    before = scrape(srv.get)
    errors = []

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        try:
            for _ in range(60):
                conn.request("GET", "/books/1")
                resp = conn.getresponse()
                resp.read()
                if resp.status != 404:
                    errors.append(resp.status)
        finally:
            conn.close()
    threads = [threading.Thread(target=client) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    after = scrape(srv.get)
    assert (requests_total(after, "/books/{id}", "GET", 404) -
            requests_total(before, "/books/{id}", "GET", 404)) == 360
    assert (duration_count(after, "/books/{id}") -
            duration_count(before, "/books/{id}")) == 360
