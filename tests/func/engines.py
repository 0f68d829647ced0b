"""Throw-away PostgreSQL and MariaDB servers for the tests: each lives in a
temporary directory, listens on a Unix socket only (no TCP port to clash
with anything) and is stopped and removed at the end. Nothing is mocked.

PostgreSQL refuses to run as root, so as root its files belong to, and its
server runs as, the unprivileged user "nobody". MariaDB runs as the
current user (as root with --user=root).

    pg = Postgres(tmpdir); pg.start(); url = pg.create_database("t1")
    my = MariaDB(tmpdir);  my.start(); url = my.create_database("t1")
    ...; pg.stop(); my.stop()

stop() followed by start() restarts the same server with its data, for
outage tests.
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


def _wait(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up in {timeout} s")
        time.sleep(0.05)


def available(engine):
    """Whether this machine can run a throw-away server of the engine."""
    if engine == "postgresql":
        return os.path.exists(_pg_bin("initdb"))
    if engine == "mysql":
        return shutil.which("mariadbd") is not None or \
            os.path.exists("/usr/sbin/mariadbd")
    return True


class Postgres:
    def __init__(self, base=None):
        self.dir = Path(tempfile.mkdtemp(prefix="pg.", dir=base))
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
                       "-c", "max_connections=200"]),
            stdout=logf, stderr=logf, cwd=self.dir, start_new_session=True)
        _wait(self.ready, 30, "PostgreSQL")
        return self

    def ready(self):
        r = subprocess.run([_pg_bin("pg_isready"), "-h", str(self.sock),
                            "-U", "postgres", "-q"])
        return r.returncode == 0

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

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class MariaDB:
    def __init__(self, base=None):
        self.dir = Path(tempfile.mkdtemp(prefix="my.", dir=base))
        self.data = self.dir / "data"
        self.sock = self.dir / "mysqld.sock"
        self.log = self.dir / "server.log"
        self.proc = None
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
        r = subprocess.run(["mariadb", "--no-defaults", "-uroot",
                            f"--socket={self.sock}", "-e", "SELECT 1"],
                           capture_output=True)
        return r.returncode == 0

    def sql(self, sql, db=None):
        argv = ["mariadb", "--no-defaults", "-uroot", f"--socket={self.sock}",
                "-N", "-B", "-e", sql]
        if db:
            argv.append(db)
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        return r.stdout

    def create_database(self, name):
        self.sql(f"CREATE DATABASE `{name}`")
        return self.url(name)

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

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
