"""systemd readiness: the sd_notify datagrams of the master (issue 14)."""

import os
import signal
import socket
import subprocess
import time

import pytest

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
server:
  shutdown_timeout: 3
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

STATES = ("READY", "RELOADING", "STOPPING")


def parse(datagram):
    fields = {}
    for line in datagram.decode().split("\n"):
        if line:
            name, _, value = line.partition("=")
            fields[name] = value
    return fields


class Listener:
    """The socket systemd would listen on; NOTIFY_SOCKET names it."""

    def __init__(self, address, env_name):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.env_name = env_name
        self.seen = []

    def next_state(self, timeout=10):
        """The next datagram that carries a state (READY, RELOADING,
        STOPPING); STATUS= and WATCHDOG= alone are kept in seen."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no state datagram within {timeout} s; "
                            f"seen: {self.seen}", pytrace=False)
            self.sock.settimeout(left)
            try:
                fields = parse(self.sock.recv(4096))
            except socket.timeout:
                continue
            self.seen.append(fields)
            if any(s in fields for s in STATES):
                return fields

    def close(self):
        self.sock.close()


@pytest.fixture
def listener(tmp_path):
    path = str(tmp_path / "notify.sock")
    lst = Listener(path, path)
    yield lst
    lst.close()


def launch(server, listener, config=CONFIG, env=None):
    """Starts lightapid without waiting for it: READY=1 is what tells."""
    srv = server(config, workers=2,
                 env=dict({"NOTIFY_SOCKET": listener.env_name}, **(env or {})),
                 start=False)
    srv._logf = open(srv.log_path, "ab")
    srv.proc = subprocess.Popen(srv.args, stdin=subprocess.DEVNULL,
                                stdout=srv._logf, stderr=subprocess.STDOUT,
                                env=srv.env)
    return srv


def assert_serving(srv):
    # Everything READY=1 promises is true the moment it arrives.
    assert len(srv.worker_pids()) == 2, srv.worker_pids()
    assert srv.get("/healthz", timeout=2)[0] == 200
    assert srv.post("/items", {"name": "x"}, timeout=2)[0] == 201


def test_ready_after_the_workers_accept(server, listener):
    srv = launch(server, listener)
    msg = listener.next_state()
    assert msg.get("READY") == "1", msg
    assert_serving(srv)
    status = msg.get("STATUS", "")
    assert f"127.0.0.1:{srv.port}" in status, status
    assert "2 workers" in status and "generation 1" in status, status


def test_reload_and_stop(server, listener):
    srv = launch(server, listener)
    assert listener.next_state().get("READY") == "1"
    old = srv.worker_pids()
    srv.signal(signal.SIGHUP)
    before = time.monotonic()
    msg = listener.next_state()
    assert msg.get("RELOADING") == "1", msg
    # CLOCK_MONOTONIC, as systemd compares it with its own clock.
    usec = int(msg["MONOTONIC_USEC"])
    assert abs(usec / 1e6 - before) < 5, (usec, before)
    msg = listener.next_state()
    assert msg.get("READY") == "1", msg
    assert "generation 2" in msg.get("STATUS", ""), msg
    new = srv.worker_pids() - old
    assert len(new) == 2, (old, srv.worker_pids())
    assert srv.get("/healthz", timeout=2)[0] == 200
    srv.signal(signal.SIGTERM)
    msg = listener.next_state()
    assert msg.get("STOPPING") == "1", msg
    assert srv.wait_exit(5) == 0


def test_failed_reload_is_ready_again(server, listener):
    srv = launch(server, listener)
    assert listener.next_state().get("READY") == "1"
    srv.config.write_text("endpoints: [\n")
    srv.signal(signal.SIGHUP)
    assert listener.next_state().get("RELOADING") == "1"
    msg = listener.next_state()
    assert msg.get("READY") == "1", msg
    status = msg.get("STATUS", "")
    assert "reload failed" in status and "generation 1" in status, status
    assert srv.get("/healthz", timeout=2)[0] == 200


def test_graceful_stop_says_stopping(server, listener):
    srv = launch(server, listener)
    assert listener.next_state().get("READY") == "1"
    srv.signal(signal.SIGQUIT)
    assert listener.next_state().get("STOPPING") == "1"
    assert srv.wait_exit(6) == 0


def test_abstract_socket(server, tmp_path):
    name = f"lightapid-test-{os.getpid()}-{time.monotonic_ns()}"
    lst = Listener("\0" + name, "@" + name)
    try:
        srv = launch(server, lst)
        assert lst.next_state().get("READY") == "1"
        assert_serving(srv)
    finally:
        lst.close()


def test_watchdog_pings_at_half_the_interval(server, listener):
    srv = launch(server, listener, env={"WATCHDOG_USEC": "600000"})
    assert listener.next_state().get("READY") == "1"
    listener.sock.settimeout(0.2)
    start = time.monotonic()
    pings = 0
    while time.monotonic() - start < 1.6:
        try:
            if parse(listener.sock.recv(4096)).get("WATCHDOG") == "1":
                pings += 1
        except socket.timeout:
            pass
    # Every 300 ms: five in 1.6 s, more or less on a loaded machine, and far
    # from the sixteen of a ping per 100 ms loop.
    assert 3 <= pings <= 8, pings
    assert srv.alive()


def test_watchdog_for_another_pid_is_ignored(server, listener):
    srv = launch(server, listener,
                 env={"WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"})
    assert listener.next_state().get("READY") == "1"
    listener.sock.settimeout(0.8)
    try:
        extra = parse(listener.sock.recv(4096))
    except socket.timeout:
        extra = {}
    assert "WATCHDOG" not in extra, extra
    assert srv.alive()
