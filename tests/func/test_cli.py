"""Command line: -V, -h, usage errors, -t, -T (SPEC §1)."""

import os
import re

import pytest

from conftest import database_for, db_url, run_cli, sqlite_db, write_config

GOOD = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /books
    fields:
      title: {type: str, min_length: 1}
      pages: {type: int, optional: true}
  - route: /authors
    fields:
      name: {type: str}
    meta:
      methods: [GET, POST]
"""


def test_version_prints_version_and_exits_0():
    rc, out, err = run_cli(["-V"])
    assert rc == 0, err
    assert re.search(r"\d+\.\d+", out + err), (out, err)
    # The drivers and the cache tiers built in.
    assert re.search(r"^drivers: sqlite( \w+)*$", out, re.M), out
    assert re.search(r"^cache: shared memory(, redis| \(built without "
                     r"hiredis: no redis\))$", out, re.M), out


def test_help_prints_usage_and_exits_0():
    rc, out, err = run_cli(["-h"])
    assert rc == 0, err
    text = out + err
    assert "usage" in text.lower(), text
    assert "-c" in text


def test_unknown_flag_is_usage_error():
    rc, out, err = run_cli(["-Z"])
    assert rc == 2, (out, err)
    assert err.strip(), "a usage error says something on stderr"


def test_missing_option_argument_is_usage_error():
    rc, out, err = run_cli(["-c"])
    assert rc == 2, (out, err)


def test_bad_worker_count_is_usage_error(tmp_path):
    # lightapid(8) EXIT STATUS: 2 is a usage error, "an unknown option or a
    # missing or malformed option argument"; -w takes a number.
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-t", "-c", cfg, "-w", "lots"])
    assert rc == 2, (out, err)
    assert err.strip(), "a usage error says something on stderr"


def test_config_test_success(tmp_path):
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err
    assert f"configuration file {cfg} test is successful" in out + err


def test_config_test_does_not_serve_or_daemonize(tmp_path):
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-t", "-c", cfg], timeout=10)
    assert rc == 0, err


def test_config_dump_prints_config_and_routes(tmp_path):
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-T", "-c", cfg])
    assert rc == 0, err
    text = out + err
    assert "/books" in text and "/authors" in text, text
    # The effective configuration includes the declared fields.
    assert "title" in text and "pages" in text, text
    # The route table, last, ends its last line.
    assert out.endswith("\n") and not out.endswith("\n\n"), repr(out[-80:])


def test_missing_config_file(tmp_path):
    missing = tmp_path / "nope" / "lightapi.yaml"
    rc, out, err = run_cli(["-t", "-c", missing])
    assert rc == 1, (out, err)
    assert str(missing) in err, err


def test_missing_config_file_without_t(tmp_path):
    missing = tmp_path / "absent.yaml"
    rc, out, err = run_cli(["-f", "-c", missing, "-l", "127.0.0.1:1"])
    assert rc == 1, (out, err)
    assert str(missing) in err, err


def test_config_is_a_directory(tmp_path):
    rc, out, err = run_cli(["-t", "-c", tmp_path])
    assert rc == 1, (out, err)
    assert str(tmp_path) in err, err


def test_empty_config_file(tmp_path):
    # An empty file has no database and no endpoints: lightapi.yaml(5)
    # requires a database URL (from the file or LIGHTAPI_DATABASE_URL) and
    # "endpoints", so -t fails with exit 1 and a message naming the file.
    cfg = write_config(tmp_path, "")
    rc, out, err = run_cli(["-t", "-c", cfg],
                           env={"LIGHTAPI_DATABASE_URL": ""})
    assert rc == 1, (out, err)
    assert f"{cfg}:" in err, err
    assert "test is successful" not in out + err


def test_database_url_from_environment(tmp_path):
    # SPEC §2.1: database.url may be omitted when LIGHTAPI_DATABASE_URL is set.
    text = GOOD.replace('database:\n  url: "sqlite:///{TMP}/test.db"\n', "")
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg], env={
        "LIGHTAPI_DATABASE_URL": db_url(tmp_path, "env.db")})
    assert rc == 0, err


def test_tables_format_config_test(tmp_path):
    sqlite_db(tmp_path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
              name="t.db")
    cfg = write_config(tmp_path, """\
database_url: "sqlite:///{TMP}/t.db"
tables:
  - name: notes
    crud: [get, post]
""")
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err
    assert f"configuration file {cfg} test is successful" in out + err


def test_config_dump_shows_command_line_overrides(tmp_path):
    # -w and -l override server.workers and server.listen (SPEC §1), so the
    # effective configuration printed by -T carries them.
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-T", "-c", cfg, "-w", "3", "-l", "127.0.0.1:9999"])
    assert rc == 0, err
    text = out + err
    assert "127.0.0.1:9999" in text, text
    assert re.search(r"workers:\s*3\b", text), text


def test_config_dump_route_table_lists_verbs(tmp_path):
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-T", "-c", cfg])
    assert rc == 0, err
    lines = (out + err).splitlines()
    authors = [l for l in lines if "/authors" in l and "GET" in l]
    assert authors, "route table has no /authors line with its verbs"
    assert "DELETE" not in authors[-1]


# ---- -t writes nothing ------------------------------------------------------

def _has_table(tmp_path, table, engine):
    db = database_for(tmp_path)
    if engine == "sqlite":
        sql = "SELECT COUNT(*) FROM sqlite_master WHERE name = ?"
    elif engine == "postgresql":
        sql = "SELECT COUNT(*) FROM pg_class WHERE relname = ?"
    else:
        sql = ("SELECT COUNT(*) FROM information_schema.TABLES WHERE "
               "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")
    return int(db.scalar(sql, (table,))) > 0


@pytest.mark.sqlite_only
def test_config_test_creates_no_database_file(tmp_path):
    cfg = write_config(tmp_path, GOOD)
    for flag in ("-t", "-T"):
        rc, out, err = run_cli([flag, "-c", cfg])
        assert rc == 0, err
        assert not (tmp_path / "test.db").exists(), flag
        # It says why, at the URL's line, and still checks the schema.
        assert re.search(r":2:8: note: database file .*test\.db does not "
                         r"exist yet; lightapid creates it at start", err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lightapi.yaml"]


def test_config_test_changes_no_database(tmp_path, engine):
    sqlite_db(tmp_path, "CREATE TABLE other (id INTEGER PRIMARY KEY)")
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err
    # What the start would do is said, at the endpoint's line, not done.
    assert re.search(r":4:5: note: at start, endpoint '/books' runs: "
                     r"CREATE TABLE IF NOT EXISTS", err), err
    assert not _has_table(tmp_path, "books", engine)
    assert not _has_table(tmp_path, "authors", engine)
    if engine == "sqlite":
        assert sorted(p.name for p in tmp_path.iterdir()) == \
            ["lightapi.yaml", "test.db"]


# ---- root without server.user -----------------------------------------------

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")


@ROOT_ONLY
def test_root_without_user_refuses_to_start(tmp_path):
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-f", "-c", cfg, "-l", "127.0.0.1:1"],
                           root_args=False)
    assert rc == 1, (out, err)
    assert f"{cfg}:1:1: started as root without server.user, lightapid " \
        "will not run its workers as root" in err, err
    assert "-u USER" in err and "-u root" in err


@ROOT_ONLY
def test_root_without_user_is_a_warning_for_t(tmp_path):
    cfg = write_config(tmp_path, GOOD)
    rc, out, err = run_cli(["-t", "-c", cfg], root_args=False)
    assert rc == 0, err
    assert f"{cfg}:1:1: warning: started as root without server.user" in err


@ROOT_ONLY
def test_u_root_runs_workers_as_root_and_says_so(server):
    srv = server(GOOD, workers=1)  # the suite passes -u root as root
    assert srv.get("/books")[0] == 200
    for pid in srv.worker_pids():
        with open(f"/proc/{pid}/status") as f:
            uid = [l for l in f if l.startswith("Uid:")][0].split()[1]
        assert uid == "0"
    log = srv.log()
    assert "started: 1 worker on" in log and ", as root" in log, log
    assert "the workers run as root, as server.user or -u asks" in log
