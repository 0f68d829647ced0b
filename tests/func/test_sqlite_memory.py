"""sqlite:///:memory: is refused with an error that says why and what to
use instead: each worker process would open an empty database of its own.
A file on a memory file system, the suggested replacement, is one database
that every worker shares."""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import WorkerConnections, free_port, run_cli

pytestmark = pytest.mark.sqlite_only

CONFIG = """\
server: {workers: 3}
database_url: "URL"
endpoints:
  - route: /items
    fields:
      name: {type: str}
"""

WHY = ("database: an in-memory SQLite database (sqlite:///:memory:) cannot "
       "be served: it lives inside one process, and each worker process "
       "would see an empty one of its own; use a file, on a memory file "
       "system for a database in memory that all workers share "
       "(sqlite:////dev/shm/lightapi.db)")


def config(tmp_path, url):
    # Written as is: the harness would replace an SQLite URL it renders.
    path = tmp_path / "lightapi.yaml"
    path.write_text(CONFIG.replace("URL", url))
    return path


def test_t_refuses_memory_at_the_url_line(tmp_path):
    cfg = config(tmp_path, "sqlite:///:memory:")
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1, err
    assert f"{cfg}:2:15: {WHY}\n" in err, err
    assert "test failed" in err
    assert list(tmp_path.iterdir()) == [cfg]


@pytest.mark.parametrize("workers", ["1", "3"])
def test_start_refuses_memory_whatever_the_workers(tmp_path, workers):
    cfg = config(tmp_path, "sqlite:///:memory:")
    port = free_port()
    rc, out, err = run_cli(["-f", "-c", cfg, "-w", workers,
                            "-l", f"127.0.0.1:{port}"], timeout=10)
    assert rc == 1, (rc, err)
    assert f"{cfg}:2:15: {WHY}" in out + err


def test_empty_sqlite_url_from_the_environment_is_refused(tmp_path):
    cfg = tmp_path / "lightapi.yaml"
    cfg.write_text(re.sub(r'database_url: .*\n', "", CONFIG))
    rc, out, err = run_cli(["-t", "-c", cfg],
                           env={"LIGHTAPI_DATABASE_URL": "sqlite://"})
    assert rc == 1, err
    assert WHY in err, err


@pytest.fixture
def shm_dir():
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    path = Path(tempfile.mkdtemp(prefix="lightapi-test-", dir=base))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_file_in_memory_is_shared_by_every_worker(server, shm_dir):
    # A worker holding max_connections stops accepting, so that each
    # worker gets one of the connections WorkerConnections holds.
    text = CONFIG.replace("URL", f"sqlite:///{shm_dir}/api.db").replace(
        "workers: 3}", "workers: 3, max_connections: 2}")
    srv = server(text, workers=3)
    conns = WorkerConnections(srv)
    try:
        pids = sorted(conns.conns)
        assert len(pids) == 3, pids
        status, _, body, _ = conns.request(pids[0], "POST", "/items",
                                           {"name": "one"})
        assert status == 201, body
        for pid in pids:
            status, _, body, _ = conns.request(pid, "GET", "/items")
            assert status == 200, body
            assert [r["name"] for r in body["results"]] == ["one"], pid
    finally:
        conns.close()
