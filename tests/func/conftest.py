"""Black-box harness for lightapid: start the real binary on a free loopback
port with a generated lightapi.yaml, talk HTTP to it, and stop it cleanly.

The binary is taken from $LIGHTAPID, else <repo>/src/lightapid, else
<repo>/build/src/lightapid.  A missing binary fails the tests; nothing is
skipped silently.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BAD_LOG_PATTERNS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                    "assertion failed", "Assertion `")


def lightapid_path():
    env = os.environ.get("LIGHTAPID")
    if env:
        return env
    for cand in (REPO / "src" / "lightapid", REPO / "build" / "src" / "lightapid"):
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return str(REPO / "build" / "src" / "lightapid")


def require_binary():
    path = lightapid_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"lightapid binary not found or not executable: {path} "
                    "(set LIGHTAPID)", pytrace=False)
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render(text, tmp, port=0):
    return text.replace("{TMP}", str(tmp)).replace("{PORT}", str(port))


def write_config(directory, text, name="lightapi.yaml", port=0):
    path = Path(directory) / name
    path.write_text(render(text, directory, port))
    return path


def merged_env(env):
    """os.environ updated with env; a None value removes the variable."""
    full = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    return full


def run_cli(args, env=None, timeout=15):
    """Run lightapid with args; returns (exit code, stdout, stderr).

    The exit code is None when the process had to be killed after timeout
    (its whole process group is killed, so no worker is left behind)."""
    full_env = merged_env(env)
    proc = subprocess.Popen([require_binary()] + [str(a) for a in args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=full_env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err


def bad_log_lines(text):
    return [line for line in text.splitlines()
            if any(p in line for p in BAD_LOG_PATTERNS)]


def children_of(pid):
    """Direct children of pid, from /proc/PID/task/*/children."""
    kids = set()
    task_dir = Path(f"/proc/{pid}/task")
    try:
        tasks = list(task_dir.iterdir())
    except FileNotFoundError:
        return kids
    for task in tasks:
        try:
            kids.update(int(x) for x in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return kids


def pid_alive(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # A zombie has state Z after the closing parenthesis of comm.
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(pred, timeout, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def parse_response(data, head=False):
    """Split one HTTP/1.x response off the front of data.

    Returns (status, headers, body, rest) or None when data does not hold a
    complete response.  Bodies are framed by Content-Length only (the
    daemon's responses are never chunked); no Content-Length means no body,
    and so does head=True (the answer to a HEAD request).
    """
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        raise AssertionError(f"bad status line: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers.get("content-length", "0"))
    start = end + 4
    if len(data) < start + length:
        return None
    return (int(m.group(1)), headers, data[start:start + length],
            data[start + length:])


def parse_responses(data):
    out = []
    while data:
        parsed = parse_response(data)
        if parsed is None:
            break
        status, headers, body, data = parsed
        out.append((status, headers, body))
    return out


class Server:
    def __init__(self, directory, config_text, workers=2, env=None,
                 extra_args=(), name="lightapid"):
        self.dir = Path(directory)
        self.port = free_port()
        self.config_text = config_text
        self.config = write_config(self.dir, config_text, port=self.port)
        self.log_path = self.dir / f"{name}.log"
        self.workers = workers
        self.env = merged_env(env)
        self.args = [require_binary(), "-f", "-c", str(self.config),
                     "-w", str(workers), "-l", f"127.0.0.1:{self.port}",
                     *[str(a) for a in extra_args]]
        self.proc = None
        self._logf = None

    # -- lifecycle ----------------------------------------------------
    def start(self, timeout=10):
        self._logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=self._logf,
                                     stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._close_log()
                pytest.fail(f"lightapid exited with {self.proc.returncode} "
                            f"during start-up; log:\n{self.log()}",
                            pytrace=False)
            try:
                if self.request("GET", "/healthz", timeout=1)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"lightapid did not answer /healthz within {timeout}s; "
                    f"log:\n{self.log()}", pytrace=False)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def worker_pids(self):
        return children_of(self.proc.pid)

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.alive():
            for pid in self.worker_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.kill()
            self.proc.wait()
        self._close_log()

    def _close_log(self):
        if self._logf:
            self._logf.close()
            self._logf = None

    def stop(self):
        """SIGTERM, wait up to 5 s; returns a list of problems found."""
        problems = []
        if self.proc is None:
            return problems
        if self.alive():
            workers = self.worker_pids()
            self.proc.send_signal(signal.SIGTERM)
            if self.wait_exit(5) is None:
                problems.append("master did not exit within 5 s of SIGTERM")
                self.kill()
            left = wait_until(
                lambda: not [p for p in workers if pid_alive(p)], timeout=2)
            left = [] if left else [p for p in workers if pid_alive(p)]
            for pid in left:
                problems.append(f"worker {pid} still alive after master exit")
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._close_log()
        bad = bad_log_lines(self.log())
        if bad:
            problems.append("sanitizer/assertion output in log:\n" +
                            "\n".join(bad[:20]))
        return problems

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # -- HTTP ------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, raw_body=None,
                timeout=10):
        """Returns (status, headers with lower-case names, JSON or None, raw body)."""
        hdrs = dict(headers or {})
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            rh = {k.lower(): v for k, v in resp.getheaders()}
            return resp.status, rh, decode_json(raw), raw
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body=body, **kw)

    def patch(self, path, body, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def connect(self, timeout=5):
        return socket.create_connection(("127.0.0.1", self.port),
                                        timeout=timeout)

    def raw(self, data, read_timeout=3):
        """Send raw bytes on a new connection; return what comes back
        until the server closes or read_timeout passes."""
        with self.connect() as sock:
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return read_until_close(sock, read_timeout)[0]


def decode_json(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def read_until_close(sock, timeout):
    """Read until EOF, reset or timeout; returns (data, closed)."""
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk


def read_responses(sock, count, timeout=5):
    """Read until count complete responses arrived (or EOF/timeout)."""
    data = b""
    deadline = time.monotonic() + timeout
    while len(parse_responses(data)) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return parse_responses(data)


class ServerFactory:
    def __init__(self, directory_fn):
        self._directory_fn = directory_fn
        self.servers = []

    def __call__(self, config_text, workers=2, env=None, extra_args=(),
                 start=True, directory=None):
        directory = directory or self._directory_fn()
        srv = Server(directory, config_text, workers=workers, env=env,
                     extra_args=extra_args,
                     name=f"lightapid-{len(self.servers)}")
        self.servers.append(srv)
        return srv.start() if start else srv

    def finish(self):
        problems = []
        for srv in self.servers:
            problems += srv.stop()
        if problems:
            pytest.fail("lightapid shutdown problems:\n" + "\n".join(problems),
                        pytrace=False)


@pytest.fixture
def server(tmp_path):
    """Factory: server(config_yaml_text, workers=2, env=None) -> Server.

    {TMP} in the config is the test's tmp_path, {PORT} the chosen port.
    Every server started is stopped at teardown and its log checked."""
    factory = ServerFactory(lambda: tmp_path)
    yield factory
    factory.finish()


@pytest.fixture(scope="module")
def module_server_factory(tmp_path_factory):
    """Like server, for servers shared by every test of a module."""
    factory = ServerFactory(lambda: tmp_path_factory.mktemp("srv"))
    yield factory
    factory.finish()


def sqlite_db(directory, *statements, name="test.db"):
    """Create/extend a SQLite database with the given SQL statements."""
    import sqlite3
    path = Path(directory) / name
    con = sqlite3.connect(path)
    try:
        for stmt in statements:
            if isinstance(stmt, tuple):
                con.executemany(stmt[0], stmt[1])
            else:
                con.execute(stmt)
        con.commit()
    finally:
        con.close()
    return path


def db_url(directory, name="test.db"):
    return f"sqlite:///{Path(directory) / name}"


def pos_of(text, needle, occurrence=1):
    """1-based (line, column) of the start of the n-th occurrence of needle."""
    idx = -1
    for _ in range(occurrence):
        idx = text.index(needle, idx + 1)
    line = text.count("\n", 0, idx) + 1
    col = idx - (text.rfind("\n", 0, idx) + 1) + 1
    return line, col


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only: the test is about SQLite itself (its file, "
        "its pragmas) and runs on that engine only")
