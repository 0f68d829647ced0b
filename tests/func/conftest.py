"""Black-box harness for lightapid: start the real binary on a free loopback
port with a generated lightapi.yaml, talk HTTP to it, and stop it cleanly.

The binary is taken from $LIGHTAPID, else <repo>/src/lightapid, else
<repo>/build/src/lightapid.  A missing binary fails the tests; nothing is
skipped silently.

LIGHTAPI_TEST_ENGINE (sqlite, the default, postgresql or mysql) picks the
database: see "the database engine under test" below.
"""

import atexit
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BAD_LOG_PATTERNS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                    "assertion failed", "Assertion `")


# ---- the database engine under test ------------------------------------------
#
# LIGHTAPI_TEST_ENGINE=sqlite (default) | postgresql | mysql.  On a server
# engine one throw-away server (engines.py) is started for the session, at
# the first database a test needs, and removed when the session ends.  Every
# SQLite file a test names stands for one database of that server: the
# first time render() (or database_for) meets a path, a fresh database is
# created for it, and the same path always maps to the same database, so a
# test that restarts lightapid on its directory finds its data again just
# as with the SQLite file.  Tests prepare tables with sqlite_db() or
# database_for(...).execute(), which run on whatever the engine is.

ENGINES = ("sqlite", "postgresql", "mysql")
ENGINE = os.environ.get("LIGHTAPI_TEST_ENGINE", "") or "sqlite"
# A URL whose path is built from ${...} references is left alone (its
# file is the test's subject); the default of a ${VAR:-...} reference is
# replaced like any other URL.
SQLITE_URL = re.compile(r"sqlite:///([^\"'\s}]+)")


class EngineSession:
    """The session's database server and the SQLite path -> database map."""

    # Databases are made ahead, in batches, by a background thread: a
    # PostgreSQL CREATE DATABASE copies a template and takes ~0.1 s, which
    # would otherwise add up over the suite's hundreds of servers.
    POOL_LOW, POOL_BATCH = 6, 12

    def __init__(self, engine):
        self.engine = engine
        self.server = None
        self.start_error = None
        self.start_seconds = 0.0
        self.databases = {}
        self._pool = []        # (name, url) made and not handed out yet
        self._made = 0
        self._filler = None
        self._fill_error = None
        self._lock = threading.Lock()

    def _make(self, count):
        with self._lock:
            names = [f"t{self._made + i + 1}" for i in range(count)]
            self._made += count
        urls = self.server.create_databases(names)
        with self._lock:
            self._pool.extend(zip(names, urls))

    def _fill(self):
        try:
            self._make(self.POOL_BATCH)
        except Exception as exc:  # noqa: BLE001 - raised again in _take
            self._fill_error = exc

    def _take(self):
        self.get_server()
        if not self._pool and self._filler is not None:
            self._filler.join()
            self._filler = None
        if self._fill_error is not None:
            exc, self._fill_error = self._fill_error, None
            raise RuntimeError(f"creating {self.engine} databases: {exc}")
        if not self._pool:
            self._make(2)
        with self._lock:
            name, url = self._pool.pop(0)
            low = len(self._pool) < self.POOL_LOW
        if low and (self._filler is None or not self._filler.is_alive()):
            self._filler = threading.Thread(target=self._fill, daemon=True)
            self._filler.start()
        return name, url

    def get_server(self):
        if self.server is None:
            if self.start_error:
                pytest.fail(self.start_error, pytrace=False)
            import engines
            cls = engines.Postgres if self.engine == "postgresql" \
                else engines.MariaDB
            t0 = time.monotonic()
            srv = None
            try:
                srv = cls(engine_base_dir())
                srv.start()
            except Exception as exc:  # noqa: BLE001 - reported, not hidden
                if srv is not None:
                    srv.remove()
                self.start_error = (f"cannot start the {self.engine} test "
                                    f"server: {exc}")
                pytest.fail(self.start_error, pytrace=False)
            self.start_seconds = time.monotonic() - t0
            self.server = srv
        return self.server

    def database(self, path):
        """The Database standing for the SQLite file at path."""
        key = os.path.normpath(str(path))
        db = self.databases.get(key)
        if db is None:
            if self.engine == "sqlite":
                db = Database("sqlite", f"sqlite:///{key}", path=key)
            else:
                name, url = self._take()
                db = Database(self.engine, url, name=name, server=self.server)
            self.databases[key] = db
        return db

    def finish(self):
        if self._filler is not None:
            self._filler.join()
            self._filler = None
        if self.server is not None:
            self.server.remove()
            self.server = None


def engine_base_dir():
    """Where the session's server keeps its files: $LIGHTAPI_TEST_DB_DIR,
    else /dev/shm when it is a writable directory (a database server on
    tmpfs creates databases ten times faster), else the temp directory."""
    base = os.environ.get("LIGHTAPI_TEST_DB_DIR")
    if base:
        return base
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK | os.X_OK):
        return "/dev/shm"
    return None


SESSION = EngineSession(ENGINE)
atexit.register(SESSION.finish)


def database_for(directory, name="test.db"):
    """The engine database standing for the SQLite file directory/name
    (for SQLite, that file).  directory may also be the file's full path
    when name is None."""
    path = Path(directory) if name is None else Path(directory) / name
    return SESSION.database(path)


def sqlite_paths(text):
    """The SQLite file paths named by URLs in a rendered config text (URLs
    built from ${...} references are left alone)."""
    return [m.group(1) for m in SQLITE_URL.finditer(text)
            if "$" not in m.group(1)]


def substitute_urls(text):
    if ENGINE == "sqlite":
        return text

    def repl(m):
        if "$" in m.group(1):
            return m.group(0)
        return SESSION.database(m.group(1)).url
    return SQLITE_URL.sub(repl, text)


def _sql_literal(engine, value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (bytes, bytearray)):
        if engine == "postgresql":
            return "'\\x%s'" % bytes(value).hex()
        return "X'%s'" % bytes(value).hex()
    if isinstance(value, (int, float)):
        if engine == "postgresql":
            # An untyped literal takes the column's type, as SQLite's
            # affinity would: '1' fits an integer, real or boolean column.
            return "'%r'" % value
        return repr(value)
    text = str(value)
    if engine == "postgresql":
        return "'" + text.replace("'", "''") + "'"
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") \
        .replace("\0", "\\0") + "'"


def _bind(engine, sql, params):
    """sql with each ? outside quotes replaced by the next parameter."""
    out, args, quote = [], iter(params), None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "?":
            out.append(_sql_literal(engine, next(args)))
            continue
        out.append(ch)
    return "".join(out)


_INT_PK = re.compile(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b", re.I)
_TEXT_KEY = re.compile(r"\bTEXT\b(?=(?:\s+NOT\s+NULL)?\s+(?:PRIMARY\s+KEY|UNIQUE)\b)",
                       re.I)


def translate_ddl(engine, sql):
    """SQLite DDL as the engine spells it: an INTEGER PRIMARY KEY (an alias
    of SQLite's rowid, numbered automatically) becomes an identity /
    AUTO_INCREMENT column, REAL an 8-byte float, and on MariaDB a TEXT key
    column a VARCHAR (TEXT cannot be indexed whole there)."""
    if engine == "postgresql":
        sql = _INT_PK.sub("INTEGER GENERATED BY DEFAULT AS IDENTITY "
                          "PRIMARY KEY", sql)
        sql = re.sub(r"\bREAL\b", "DOUBLE PRECISION", sql, flags=re.I)
    elif engine == "mysql":
        sql = _INT_PK.sub("INTEGER PRIMARY KEY AUTO_INCREMENT", sql)
        sql = _TEXT_KEY.sub("VARCHAR(255)", sql)
    return sql


# After explicit ids went into identity columns, move each sequence past
# them, as SQLite numbers a rowid after the largest one (MariaDB's
# AUTO_INCREMENT does this by itself).
_PG_RESYNC = """
DO $$
DECLARE r record; m bigint;
BEGIN
  FOR r IN SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = 'public' AND is_identity = 'YES' LOOP
    EXECUTE format('SELECT max(%I) FROM %I', r.column_name, r.table_name)
      INTO m;
    IF m IS NOT NULL THEN
      PERFORM setval(pg_get_serial_sequence(quote_ident(r.table_name),
                                            r.column_name), m);
    END IF;
  END LOOP;
END $$;
"""


class Database:
    """One database of the engine under test, for preparing and checking
    tables by hand.  execute() takes what sqlite_db takes: SQL strings and
    (sql, rows) pairs with ? placeholders; SQLite DDL is translated (see
    translate_ddl).  query() returns rows of strings (None for NULL) on
    every engine, as the engine prints them: compare integers and text,
    not the spelling of floats (SQLite's 2.0 is PostgreSQL's 2), and on
    MariaDB the text 'NULL' reads as None."""

    def __init__(self, engine, url, path=None, name=None, server=None):
        self.engine, self.url, self.path = engine, url, path
        self.name, self.server = name, server

    def __repr__(self):
        return f"<Database {self.engine} {self.url}>"

    def script(self, *statements):
        parts = []
        for stmt in statements:
            if isinstance(stmt, tuple):
                for row in stmt[1]:
                    parts.append(_bind(self.engine, stmt[0], row))
            else:
                parts.append(translate_ddl(self.engine, stmt))
        return parts

    def execute(self, *statements):
        if self.engine == "sqlite":
            import sqlite3
            con = sqlite3.connect(self.path)
            try:
                for stmt in statements:
                    if isinstance(stmt, tuple):
                        con.executemany(stmt[0], stmt[1])
                    else:
                        con.execute(stmt)
                con.commit()
            finally:
                con.close()
            return self
        parts = self.script(*statements)
        if self.engine == "postgresql":
            parts.append(_PG_RESYNC)
            self._client(["-1"], ";\n".join(parts) + ";\n")
        else:
            self._client([], "START TRANSACTION;\n" + ";\n".join(parts) +
                         ";\nCOMMIT;\n")
        return self

    def query(self, sql, params=()):
        if self.engine == "sqlite":
            import sqlite3
            con = sqlite3.connect(self.path)
            try:
                rows = con.execute(sql, params).fetchall()
            finally:
                con.close()
            return [tuple(None if v is None else
                          v.decode("latin-1") if isinstance(v, bytes) else str(v)
                          for v in row) for row in rows]
        sql = _bind(self.engine, sql, params)
        if self.engine == "postgresql":
            out = self._client(["-At", "-F", "\x1f", "-R", "\x1e",
                                "-P", "null=\x1d"], sql + ";\n")
            out = out[:-1] if out.endswith("\n") else out
            return [tuple(None if v == "\x1d" else v for v in rec.split("\x1f"))
                    for rec in out.split("\x1e") if rec != ""]
        out = self._client(["-N", "-B"], sql + ";\n")
        rows = []
        for line in out.splitlines():
            rows.append(tuple(None if v == "NULL" else _my_unescape(v)
                              for v in line.split("\t")))
        return rows

    def scalar(self, sql, params=()):
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def _client(self, args, stdin):
        if self.engine == "postgresql":
            argv = self.server.client_argv(self.name) + \
                ["-q", "-v", "ON_ERROR_STOP=1", *args, "-f", "-"]
        else:
            argv = self.server.client_argv(self.name) + list(args)
        r = subprocess.run(argv, input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{self.engine} client failed "
                               f"({r.returncode}): {r.stderr}\nSQL:\n{stdin}")
        return r.stdout


def _my_unescape(v):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "0": "\0",
                                       "\\": "\\"}.get(m.group(1), m.group(1)),
                  v)


# A session hook rather than pytest_configure, which a merge has already
# defined twice in this file (the later definition silently replaces the
# earlier one).
def pytest_sessionstart(session):
    config = session.config
    if ENGINE not in ENGINES:
        pytest.exit(f"LIGHTAPI_TEST_ENGINE={ENGINE!r}: expected one of "
                    f"{', '.join(ENGINES)}", returncode=4)
    config.addinivalue_line(
        "markers", "sqlite_only: the test is about SQLite itself (files, "
        "PRAGMAs, type affinity); skipped on the other engines")
    config.addinivalue_line(
        "markers", "server_engine_only: needs a database server "
        "(postgresql, mysql); skipped on SQLite")


def pytest_report_header(config):
    return f"lightapid database engine: {ENGINE} (LIGHTAPI_TEST_ENGINE)"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if ENGINE != "sqlite" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(
                reason=f"SQLite-specific, not run on {ENGINE}"))
        if ENGINE == "sqlite" and item.get_closest_marker("server_engine_only"):
            item.add_marker(pytest.mark.skip(
                reason="needs a database server, not run on sqlite"))


def pytest_sessionfinish(session, exitstatus):
    SESSION.finish()


def pytest_terminal_summary(terminalreporter):
    if ENGINE != "sqlite":
        terminalreporter.write_line(
            f"engine {ENGINE}: server start {SESSION.start_seconds:.2f} s, "
            f"{len(SESSION.databases)} databases")


@pytest.fixture(scope="session")
def engine():
    """The name of the engine under test."""
    return ENGINE


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


def render_sqlite(text, tmp, port=0):
    """{TMP} and {PORT} substituted, SQLite URLs left as written."""
    return text.replace("{TMP}", str(tmp)).replace("{PORT}", str(port))


def render(text, tmp, port=0):
    """The config text as lightapid gets it: {TMP} and {PORT} substituted
    and, on a server engine, every SQLite URL replaced by the URL of the
    engine database that stands for that file (see database_for)."""
    return substitute_urls(render_sqlite(text, tmp, port))


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


# Started as root without server.user, lightapid refuses to run its
# workers (lightapid(8)): the suite, which CI runs as root, says -u root.
ROOT_ARGS = ["-u", "root"] if os.geteuid() == 0 else []


def server_sets_user(config_text):
    """Whether the config's server section names a user (then -u root
    would override it)."""
    m = re.search(r"^server:(.*(?:\n[ \t].*)*)", config_text, re.M)
    return bool(m and re.search(r"\buser:", m.group(1)))


def run_cli(args, env=None, timeout=15, root_args=True):
    """Run lightapid with args; returns (exit code, stdout, stderr).

    The exit code is None when the process had to be killed after timeout
    (its whole process group is killed, so no worker is left behind).
    root_args=False leaves out the -u root the suite adds as root."""
    full_env = merged_env(env)
    extra = ROOT_ARGS if root_args else []
    proc = subprocess.Popen([require_binary()] + extra +
                            [str(a) for a in args],
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
        self.db_paths = sqlite_paths(render_sqlite(config_text, self.dir,
                                                   self.port))
        self.log_path = self.dir / f"{name}.log"
        self.workers = workers
        self.env = merged_env(env)
        root = [] if server_sets_user(config_text) else ROOT_ARGS
        self.args = [require_binary(), *root, "-f", "-c", str(self.config),
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
                    # One worker answers while the master may still be
                    # forking the others (slow under ASan): tests count
                    # them, so wait for all (a worker that cannot start
                    # is some test's point: then just go on).
                    wait_until(lambda: len(self.worker_pids()) >=
                               self.workers,
                               max(0.1, deadline - time.monotonic()))
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"lightapid did not answer /healthz within {timeout}s; "
                    f"log:\n{self.log()}", pytrace=False)

    @property
    def db(self):
        """The engine database of the config's (first) database URL."""
        if not self.db_paths:
            raise AssertionError("the config names no SQLite URL")
        return database_for(self.db_paths[0], name=None)

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


def _tcp_inode(local_port, remote_port):
    """Inode of the IPv4 loopback socket local_port <- remote_port."""
    want_l, want_r = f"0100007F:{local_port:04X}", f"0100007F:{remote_port:04X}"
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        f = line.split()
        if f[1] == want_l and f[2] == want_r:
            return f[9]
    return None


def connection_owner(srv, client_port):
    """The worker pid holding the server side of the client connection
    whose local port is client_port, or None."""
    inode = _tcp_inode(srv.port, client_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in srv.worker_pids():
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                pass
    return None


class WorkerConnections:
    """One keep-alive connection to each worker of srv, so a test can send
    a request to a worker of its choice.  Which worker accepts a new
    connection is the kernel's choice, and an idle worker tends to win
    again and again: connections are opened and held until each worker has
    one, which needs a small server.max_connections (a full worker stops
    accepting and leaves the next client to another)."""

    def __init__(self, srv, tries=200):
        self.srv = srv
        self.conns = {}
        self._tries = tries
        for pid in srv.worker_pids():
            self._connect(pid)

    def _connect(self, pid):
        spare = []
        try:
            for _ in range(self._tries):
                conn = http.client.HTTPConnection("127.0.0.1", self.srv.port,
                                                  timeout=10)
                conn.request("GET", "/healthz")
                resp = conn.getresponse()
                resp.read()
                assert resp.status == 200, resp.status
                owner = connection_owner(self.srv, conn.sock.getsockname()[1])
                if owner == pid:
                    self.conns[pid] = conn
                    return conn
                if owner in self.srv.worker_pids() and owner not in self.conns:
                    self.conns[owner] = conn
                else:
                    spare.append(conn)
        finally:
            for conn in spare:
                conn.close()
        raise AssertionError(f"no connection reached worker {pid}")

    def request(self, pid, method, path, body=None):
        """(status, headers, JSON, raw) from worker pid."""
        conn = self.conns.get(pid) or self._connect(pid)
        data, hdrs = None, {}
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
        except (http.client.HTTPException, OSError):
            # The worker closed the idle connection: reach it again.
            conn.close()
            self.conns.pop(pid, None)
            conn = self._connect(pid)
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
        raw = resp.read()
        rh = {k.lower(): v for k, v in resp.getheaders()}
        if resp.will_close:
            conn.close()
            self.conns.pop(pid, None)
        return resp.status, rh, decode_json(raw), raw

    def close(self):
        for conn in self.conns.values():
            conn.close()
        self.conns = {}


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
    """Create/extend the database that {TMP}/name (directory/name) stands
    for with the given SQL statements, on the engine under test; SQLite
    DDL is translated (translate_ddl).  Returns the SQLite path."""
    database_for(directory, name).execute(*statements)
    return Path(directory) / name


def db_url(directory, name="test.db"):
    """The URL of the database that directory/name stands for."""
    return database_for(directory, name).url


def pos_of(text, needle, occurrence=1):
    """1-based (line, column) of the start of the n-th occurrence of needle."""
    idx = -1
    for _ in range(occurrence):
        idx = text.index(needle, idx + 1)
    line = text.count("\n", 0, idx) + 1
    col = idx - (text.rfind("\n", 0, idx) + 1) + 1
    return line, col

