"""Connections spread evenly over the workers and served in turn within
one (issue 12, fairness)."""

import collections
import itertools
import os
from pathlib import Path
import signal
import socket
import time

from conftest import wait_until

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""


def served(srv, sock):
    """Sends a keep-alive request on sock and waits for the answer, so
    that some worker has accepted the connection."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data or not data.endswith(b"}"):
        chunk = sock.recv(4096)
        assert chunk, data
        data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data


def owners(srv, socks):
    """Worker pid -> how many of socks it holds (one pass over /proc, as
    a scan per socket is slow on a busy machine)."""
    want = {f"0100007F:{s.getsockname()[1]:04X}" for s in socks}
    server_side = f"0100007F:{srv.port:04X}"
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if f[1] == server_side and f[2] in want:
            inodes.add(f"socket:[{f[9]}]")
    found = collections.Counter()
    for pid in srv.worker_pids():
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    found[pid] += 1
            except OSError:
                pass
    assert sum(found.values()) == len(socks), (found, len(socks))
    return found


def epoll_ready(pid):
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") ==
                   "anon_inode:[eventpoll]"
                   for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def started(srv, count):
    """Waits until count workers run their loops: a worker still starting
    takes no connection, and the others rightly take them all."""
    ok = wait_until(lambda: len(srv.worker_pids()) == count and
                    all(epoll_ready(p) for p in srv.worker_pids()), 5)
    assert ok, srv.worker_pids()
    time.sleep(0.05)  # from its epoll set to its loop: a few system calls
    return srv.worker_pids()


def open_held(srv, n, burst):
    socks = [socket.create_connection(("127.0.0.1", srv.port), timeout=5)
             for _ in range(n)] if burst else []
    if burst:
        for s in socks:
            served(srv, s)
    else:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            served(srv, s)
            socks.append(s)
    return socks


def test_a_burst_is_split_evenly(server):
    srv = server(CONFIG, workers=2)
    workers = started(srv, 2)
    socks = open_held(srv, 32, burst=True)
    try:
        split = owners(srv, socks)
        assert set(split) == workers, (split, workers)
        # One more than the other plus one, at most, each time it accepts.
        assert max(split.values()) - min(split.values()) <= 3, split
    finally:
        for s in socks:
            s.close()


def test_one_client_after_another_alternate(server):
    # An idle worker would otherwise win every time: it is the one asleep
    # in epoll_wait when the next client arrives.
    srv = server(CONFIG, workers=3)
    started(srv, 3)
    socks = open_held(srv, 12, burst=False)
    try:
        split = owners(srv, socks)
        assert set(split) == srv.worker_pids(), split
        assert max(split.values()) - min(split.values()) <= 3, split
    finally:
        for s in socks:
            s.close()


def test_a_new_worker_takes_the_next_clients(server):
    srv = server(CONFIG, workers=2)
    started(srv, 2)
    socks = open_held(srv, 8, burst=False)
    try:
        split = owners(srv, socks)
        victim = min(srv.worker_pids())
        survivor = max(srv.worker_pids())
        os.kill(victim, signal.SIGKILL)
        fresh = wait_until(lambda: (lambda p: len(p) == 2 and victim not in p
                                    and p - {survivor})(srv.worker_pids()), 3)
        assert fresh, srv.worker_pids()
        (fresh,) = fresh
        # Until it has its database connection and its epoll set, the new
        # worker takes nobody (the survivor does): wait for the latter.
        started(srv, 2)
        more = open_held(srv, 4, burst=False)
        socks += more
        got = owners(srv, more)
        # The survivor holds its connections from before; the new worker,
        # with none, takes (nearly) all of the next ones.
        assert got[fresh] >= 3, (got, fresh, split)
    finally:
        for s in socks:
            s.close()


def test_pipelined_connections_take_turns(server, tmp_path):
    # Within a worker, connections with a request ready are served one
    # request each in turn: two clients that pipeline 20 requests each
    # while the worker is stopped get them answered alternately, not one
    # client's 20 first.
    srv = server(CONFIG.replace("endpoints:", "server:\n  access_log: "
                                "{TMP}/access.log\nendpoints:"), workers=1)
    (worker,) = started(srv, 1)
    a = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    b = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    served(srv, a)
    served(srv, b)
    os.kill(worker, signal.SIGSTOP)
    try:
        for name, sock in (("a", a), ("b", b)):
            sock.sendall(b"".join(
                b"GET /healthz?c=%s&i=%d HTTP/1.1\r\nHost: t\r\n\r\n"
                % (name.encode(), i) for i in range(20)))
    finally:
        os.kill(worker, signal.SIGCONT)
    log = tmp_path / "access.log"
    assert wait_until(lambda: log.exists() and
                      log.read_text().count("/healthz?c=") == 40, 5)
    order = [line.split("?c=")[1][0] for line in log.read_text().splitlines()
             if "/healthz?c=" in line]
    longest = max(len(list(run)) for _, run in itertools.groupby(order))
    assert longest == 1, "".join(order)
    a.close()
    b.close()
