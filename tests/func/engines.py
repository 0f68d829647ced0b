"""Throw-away PostgreSQL and MariaDB servers for the tests: each lives in a
temporary directory, listens on a Unix socket only (no TCP port to clash
with anything) and is stopped and removed at the end. Nothing is mocked.

PostgreSQL refuses to run as root, so as root its files belong to, and its
server runs as, the unprivileged user "nobody". MariaDB runs as the
current user (as root with --user=root).

    pg = Postgres(tmpdir); pg.start(); url = pg.create_database("t1")
    my = MariaDB(tmpdir);  my.start(); url = my.create_database("t1")
    ...; pg.stop(); my.stop()

stop() (a clean shutdown) or kill() (a crash) followed by start() restarts
the same server with its data, for outage tests.
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

AS_ROOT = os.geteuid() == 0


def _pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    return shutil.which(name) or name


def _kill_group(proc):
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def _wait(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up in {timeout} s")
        time.sleep(0.05)


def available(engine):
    """Whether this machine can run a throw-away server of the engine."""
    return not missing(engine)


def missing(engine):
    """The programs a throw-away server of the engine needs that this
    machine lacks (empty when it has them all)."""
    if engine == "postgresql":
        need = [_pg_bin(n) for n in ("initdb", "postgres", "pg_isready",
                                     "psql")]
        gone = [n for n in need if not (os.path.isfile(n) or shutil.which(n))]
        if AS_ROOT and not shutil.which("runuser"):
            gone.append("runuser")
        return gone
    if engine == "mysql":
        return [n for n in ("mariadbd", "mariadb-install-db", "mariadb")
                if not shutil.which(n, path=os.environ.get("PATH", "") +
                                    ":/usr/sbin:/sbin")]
    return []


_WATCHDOG = r"""
import os, shutil, signal, sys, time
owner, path = int(sys.argv[1]), sys.argv[2]
def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
while alive(owner) and os.path.isdir(path):
    time.sleep(0.5)
if os.path.isdir(path):
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if path.encode() in cmd and int(pid) != os.getpid():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
    time.sleep(0.5)
    shutil.rmtree(path, ignore_errors=True)
"""


def watchdog(directory):
    """A detached process that, should this one die without remove() (a
    SIGKILL, a timeout), kills the server running from directory and
    deletes it; it ends by itself once the directory is gone."""
    import sys
    subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid()),
                      str(directory)], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


class Postgres:
    def __init__(self, base=None):
        self.dir = Path(tempfile.mkdtemp(prefix="pg.", dir=base))
        watchdog(self.dir)
        self.data = self.dir / "data"
        self.sock = self.dir  # the socket is .s.PGSQL.5432 in here
        self.log = self.dir / "server.log"
        self.proc = None
        self.user = "nobody" if AS_ROOT else None
        if AS_ROOT:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._run([_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres",
                   "--auth=trust", "--no-sync", "-E", "UTF8",
                   "--locale=C.UTF-8"])

    def _cmd(self, argv):
        if self.user:
            return ["runuser", "-u", self.user, "--"] + argv
        return argv

    def _run(self, argv, **kw):
        subprocess.run(self._cmd(argv), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, cwd=self.dir, **kw)

    def start(self):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            self._cmd([_pg_bin("postgres"), "-D", str(self.data),
                       "-k", str(self.sock), "-c", "listen_addresses=",
                       "-c", "fsync=off", "-c", "synchronous_commit=off",
                       "-c", "full_page_writes=off",
                       # in the data directory, so removed with it
                       "-c", "dynamic_shared_memory_type=mmap",
                       "-c", "max_connections=200"]),
            stdout=logf, stderr=logf, cwd=self.dir, start_new_session=True)
        _wait(self.ready, 30, "PostgreSQL")
        return self

    def ready(self):
        r = subprocess.run([_pg_bin("pg_isready"), "-h", str(self.sock),
                            "-U", "postgres", "-q"])
        return r.returncode == 0

    def client_argv(self, db="postgres"):
        """psql on this server, without ~/.psqlrc."""
        return [_pg_bin("psql"), "-X", "-h", str(self.sock), "-U", "postgres",
                "-d", db]

    def psql(self, sql, db="postgres"):
        r = subprocess.run([_pg_bin("psql"), "-h", str(self.sock), "-U",
                            "postgres", "-d", db, "-v", "ON_ERROR_STOP=1",
                            "-qAt", "-c", sql],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        return r.stdout

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_databases(self, names):
        """Several databases with one client run (CREATE DATABASE cannot
        share a transaction, so each is its own -c); returns their URLs."""
        argv = [_pg_bin("psql"), "-X", "-q", "-h", str(self.sock), "-U",
                "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1"]
        for name in names:
            argv += ["-c", f'CREATE DATABASE "{name}"']
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        return [self.url(name) for name in names]

    def url(self, name):
        return f"postgresql://postgres@/{name}?host={self.sock}"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def kill(self):
        """Crash: SIGKILL to the server and every process it started."""
        _kill_group(self.proc)
        self.proc = None
        # The postmaster ran under runuser, so nobody here reaps it: a
        # zombie whose pid would make the next start refuse the lock file.
        for stale in (self.data / "postmaster.pid",
                      self.sock / ".s.PGSQL.5432.lock",
                      self.sock / ".s.PGSQL.5432"):
            stale.unlink(missing_ok=True)

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class MariaDB:
    def __init__(self, base=None):
        self.dir = Path(tempfile.mkdtemp(prefix="my.", dir=base))
        watchdog(self.dir)
        self.data = self.dir / "data"
        self.sock = self.dir / "mysqld.sock"
        self.log = self.dir / "server.log"
        self.proc = None
        # Workers that dropped to an unprivileged user reach the socket too.
        self.dir.chmod(0o711)
        user = ["--user=root"] if AS_ROOT else []
        subprocess.run(["mariadb-install-db", "--no-defaults",
                        f"--datadir={self.data}", "--skip-test-db",
                        "--auth-root-authentication-method=normal"] + user,
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def start(self):
        user = ["--user=root"] if AS_ROOT else []
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={self.data}",
             f"--socket={self.sock}", "--skip-networking",
             f"--pid-file={self.dir / 'mysqld.pid'}",
             "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M",
             "--innodb-flush-log-at-trx-commit=0",
             "--character-set-server=utf8mb4",
             "--collation-server=utf8mb4_unicode_ci",
             "--max-connections=200"] + user,
            stdout=logf, stderr=logf, start_new_session=True)
        _wait(self.ready, 60, "MariaDB")
        return self

    def ready(self):
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError("MariaDB exited: " + self.log.read_text()[-2000:])
        r = subprocess.run(self.client_argv() + ["-e", "SELECT 1"],
                           capture_output=True)
        return r.returncode == 0

    def client_argv(self, db=None):
        """The mariadb client on this server (UTF-8 with 4-byte characters)."""
        argv = ["mariadb", "--no-defaults", "--default-character-set=utf8mb4",
                "-uroot", f"--socket={self.sock}"]
        return argv + (["-D", db] if db else [])

    def sql(self, sql, db=None):
        argv = self.client_argv(db) + ["-N", "-B", "-e", sql]
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        return r.stdout

    def create_database(self, name):
        self.sql(f"CREATE DATABASE `{name}`")
        return self.url(name)

    def create_databases(self, names):
        self.sql("".join(f"CREATE DATABASE `{name}`;" for name in names))
        return [self.url(name) for name in names]

    def url(self, name):
        return f"mysql://root@localhost/{name}?unix_socket={self.sock}"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self):
        """Crash: SIGKILL to the server and every process it started."""
        _kill_group(self.proc)
        self.proc = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
