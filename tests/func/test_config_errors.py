"""Configuration errors (SPEC §1, §2): `-t` and a normal start both exit 1
and print FILE:LINE:COL: message with the position of the offending node."""

import re
from pathlib import Path

import pytest

from conftest import (ENGINE, database_for, db_url, free_port, pos_of, render,
                      run_cli, write_config)

HEAD = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
"""


def books(extra_fields="", meta=""):
    text = HEAD + """\
  - route: /books
    fields:
      title: {type: str}
"""
    text += extra_fields
    if meta:
        text += "    meta:\n" + meta
    return text


# Each case: config text, the needles whose positions are acceptable
# ((needle, occurrence) pairs; the first is the natural one, others are
# tolerated where the SPEC does not say which node an error points at),
# and substrings the message must contain.
CASES = {
    "unknown_key_meta": (
        books(meta="      colour: red\n"),
        [("colour", 1)], ["unknown key 'colour'", "endpoints[0].meta"]),
    "unknown_key_top": (
        HEAD.replace("endpoints:\n", "colour: red\nendpoints:\n") +
        "  - route: /books\n    fields:\n      title: {type: str}\n",
        [("colour", 1)], ["unknown key 'colour'"]),
    "unknown_key_field": (
        books(extra_fields="      pages: {type: int, colour: red}\n"),
        [("colour", 1)], ["unknown key 'colour'"]),
    "unknown_key_endpoint": (
        books().replace("    fields:\n", "    colour: red\n    fields:\n"),
        [("colour", 1)], ["unknown key 'colour'"]),
    "wrong_value_type_int": (
        books(extra_fields="      pages: {type: int, min_length: abc}\n"),
        [("abc", 1)], []),
    "wrong_value_type_list": (
        books(meta="      cache: {ttl: [60]}\n"),
        [("[60]", 1), ("ttl", 1)], []),
    "wrong_value_type_bool": (
        HEAD.replace("endpoints:\n", "enable_swagger: maybe\nendpoints:\n") +
        "  - route: /books\n    fields:\n      title: {type: str}\n",
        [("maybe", 1)], []),
    "unknown_field_type": (
        books(extra_fields="      pages: {type: strng}\n"),
        [("strng", 1)], ["strng"]),
    "unknown_verb": (
        books(meta="      methods: [GET, FETCH]\n"),
        [("FETCH", 1)], ["FETCH"]),
    "route_without_slash": (
        HEAD + "  - route: books\n    fields:\n      title: {type: str}\n",
        [("books", 1), ("route", 1)], []),
    "bad_pagination_style": (
        books(meta="      pagination: {style: sideways, page_size: 5}\n"),
        [("sideways", 1)], ["sideways"]),
    "env_var_unset": (
        HEAD.replace('"sqlite:///{TMP}/test.db"',
                     '"${LIGHTAPID_TEST_SURELY_UNSET}"') +
        "  - route: /books\n    fields:\n      title: {type: str}\n",
        [('"${LIGHTAPID', 1), ("${LIGHTAPID", 1)],
        ["LIGHTAPID_TEST_SURELY_UNSET"]),
    "env_var_unset_inside_string": (
        HEAD.replace("test.db", "${LIGHTAPID_TEST_SURELY_UNSET}.db") +
        "  - route: /books\n    fields:\n      title: {type: str}\n",
        [('"sqlite', 1), ("sqlite", 1)], ["LIGHTAPID_TEST_SURELY_UNSET"]),
    "duplicate_route": (
        books() + "  - route: /books\n    fields:\n      name: {type: str}\n",
        [("/books", 2), ("route", 2)], []),
    "field_named_id": (
        books(extra_fields="      id: {type: int}\n"),
        [("id:", 1)], ["id"]),
    "field_named_version": (
        books(extra_fields="      version: {type: int}\n"),
        [("version:", 1)], ["version"]),
    "field_named_created_at": (
        books(extra_fields="      created_at: {type: datetime}\n"),
        [("created_at:", 1)], ["created_at"]),
    "field_named_updated_at": (
        books(extra_fields="      updated_at: {type: datetime}\n"),
        [("updated_at:", 1)], ["updated_at"]),
    "missing_reflected_table": (
        HEAD + "  - route: /ghosts\n    reflect: true\n",
        [("/ghosts", 1), ("route", 1), ("true", 1), ("reflect", 1)],
        ["ghosts"]),
    "missing_reflected_table_meta": (
        HEAD + "  - route: /ghosts\n    reflect: true\n"
        "    meta: {table: phantom}\n",
        [("phantom", 1), ("/ghosts", 1), ("route", 1), ("true", 1),
         ("reflect", 1)],
        ["phantom"]),
    "foreign_key_unknown_table": (
        books(extra_fields='      author_id: {type: int, foreign_key: "nowhere.id"}\n'),
        # The value is the natural position; the field's key is tolerated.
        [('"nowhere.id"', 1), ("nowhere.id", 1), ("author_id", 1)],
        ["nowhere"]),
    "tables_missing_table": (
        'database_url: "sqlite:///{TMP}/test.db"\ntables:\n'
        '  - name: ghosts\n    crud: [get]\n',
        [("ghosts", 1), ("name", 1)], ["ghosts"]),
    "tables_unknown_key": (
        'database_url: "sqlite:///{TMP}/test.db"\ntables:\n'
        '  - name: ghosts\n    crud: [get]\n    colour: red\n',
        [("colour", 1)], ["unknown key 'colour'"]),
    "tables_bad_verb": (
        'database_url: "sqlite:///{TMP}/test.db"\ntables:\n'
        '  - name: ghosts\n    crud: [get, fetch]\n',
        [("fetch", 1)], ["fetch"]),
    "yaml_syntax_error": (
        # libyaml: "mapping values are not allowed in this context", reported
        # at the second ':' of the line.
        books(meta="      methods: [GET]\n").replace(
            "    meta:\n      methods: [GET]\n", "    meta: methods: [GET]\n"),
        [("s: [GET]", 1)], []),
}

# For the syntax error the position is that of the ':' after "methods".
SHIFT = {"yaml_syntax_error": 1}


def expected_positions(name, rendered):
    _, needles, _ = CASES[name]
    out = []
    for needle, occ in needles:
        line, col = pos_of(rendered, needle, occ)
        out.append((line, col + SHIFT.get(name, 0)))
    return out


def error_lines(cfg, err):
    pat = re.compile(re.escape(str(cfg)) + r":(\d+):(\d+): (.+)")
    return [(int(m.group(1)), int(m.group(2)), m.group(3))
            for m in pat.finditer(err)]


def check_error(name, cfg, rendered, rc, out, err):
    assert rc == 1, f"exit {rc}; stdout={out!r} stderr={err!r}"
    found = error_lines(cfg, err)
    assert found, f"no '{cfg}:LINE:COL: message' line on stderr: {err!r}"
    want = expected_positions(name, rendered)
    _, _, substrings = CASES[name]
    for line, col, msg in found:
        if (line, col) in want and all(s in msg for s in substrings):
            return
    pytest.fail(f"expected an error at one of {want} containing {substrings}; "
                f"got {found}", pytrace=False)


def make(tmp_path, name):
    text = CASES[name][0]
    cfg = write_config(tmp_path, text)
    return cfg, render(text, tmp_path)


def clean_env():
    return {"LIGHTAPID_TEST_SURELY_UNSET": None, "LIGHTAPI_DATABASE_URL": None}


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_test_reports_error(tmp_path, name):
    cfg, rendered = make(tmp_path, name)
    rc, out, err = run_cli(["-t", "-c", cfg], env=clean_env())
    check_error(name, cfg, rendered, rc, out, err)
    assert "test is successful" not in out + err


@pytest.mark.parametrize("name", sorted(CASES))
def test_start_with_bad_config_exits_1(tmp_path, name):
    cfg, rendered = make(tmp_path, name)
    rc, out, err = run_cli(["-f", "-w", "1", "-l", f"127.0.0.1:{free_port()}",
                            "-c", cfg], env=clean_env(), timeout=10)
    assert rc is not None, "lightapid started with a bad configuration"
    check_error(name, cfg, rendered, rc, out, err)


def test_several_errors_are_all_reported(tmp_path):
    # SPEC §1: -t prints "each error".
    text = books(extra_fields="      pages: {type: strng}\n",
                 meta="      colour: red\n")
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg], env=clean_env())
    assert rc == 1
    rendered = render(text, tmp_path)
    found = {(line, col) for line, col, _ in error_lines(cfg, err)}
    assert pos_of(rendered, "strng") in found, err
    assert pos_of(rendered, "colour") in found, err


def test_env_default_used_when_unset(tmp_path):
    text = HEAD.replace('"sqlite:///{TMP}/test.db"',
                        '"${LIGHTAPID_TEST_SURELY_UNSET:-sqlite:///{TMP}/dflt.db}"')
    text += "  - route: /books\n    fields:\n      title: {type: str}\n"
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg], env=clean_env())
    assert rc == 0, err
    assert "test is successful" in out + err


@pytest.mark.sqlite_only  # asserts the database file
def test_env_default_used_by_daemon(tmp_path, server):
    srv = server(HEAD.replace(
        '"sqlite:///{TMP}/test.db"',
        '"${LIGHTAPID_TEST_SURELY_UNSET:-sqlite:///{TMP}/dflt.db}"') +
        "  - route: /books\n    fields:\n      title: {type: str}\n",
        workers=1)
    assert srv.post("/books", {"title": "a"})[0] == 201
    assert Path(tmp_path, "dflt.db").exists()


@pytest.mark.sqlite_only  # asserts the database file
def test_env_var_substituted_in_string(tmp_path, server):
    srv = server(HEAD.replace("test.db", "${LIGHTAPID_TEST_DBNAME}.db") +
                 "  - route: /books\n    fields:\n      title: {type: str}\n",
                 workers=1, env={"LIGHTAPID_TEST_DBNAME": "fromenv"})
    assert srv.post("/books", {"title": "a"})[0] == 201
    assert Path(tmp_path, "fromenv.db").exists()


@pytest.mark.sqlite_only  # asserts the database files
def test_env_var_set_overrides_default(tmp_path, server):
    srv = server(HEAD.replace(
        '"sqlite:///{TMP}/test.db"',
        '"${LIGHTAPID_TEST_DBURL:-sqlite:///{TMP}/dflt.db}"') +
        "  - route: /books\n    fields:\n      title: {type: str}\n",
        workers=1, env={"LIGHTAPID_TEST_DBURL": f"sqlite:///{tmp_path}/set.db"})
    assert srv.post("/books", {"title": "a"})[0] == 201
    assert Path(tmp_path, "set.db").exists()
    assert not Path(tmp_path, "dflt.db").exists()


# The same three on a database server, where the database is no file: the
# row must land in the database the expanded URL names, and only there.

def books_in(db):
    return db.scalar("SELECT COUNT(*) FROM information_schema.tables "
                     "WHERE table_name = 'books' AND table_schema = " +
                     ("'public'" if ENGINE == "postgresql" else "DATABASE()"))


@pytest.mark.server_engine_only
def test_env_default_used_by_daemon_server(tmp_path, server):
    srv = server(HEAD.replace(
        '"sqlite:///{TMP}/test.db"',
        '"${LIGHTAPID_TEST_SURELY_UNSET:-sqlite:///{TMP}/dflt.db}"') +
        "  - route: /books\n    fields:\n      title: {type: str}\n",
        workers=1)
    assert srv.post("/books", {"title": "a"})[0] == 201
    dflt = database_for(tmp_path, "dflt.db")
    assert dflt.query("SELECT title FROM books") == [("a",)]


@pytest.mark.server_engine_only
def test_env_var_substituted_in_string_server(tmp_path, server):
    db = database_for(tmp_path, "fromenv.db")
    url = db.url.replace(f"/{db.name}?", "/${LIGHTAPID_TEST_DBNAME}?")
    assert url != db.url
    srv = server(HEAD.replace('"sqlite:///{TMP}/test.db"', f'"{url}"') +
                 "  - route: /books\n    fields:\n      title: {type: str}\n",
                 workers=1, env={"LIGHTAPID_TEST_DBNAME": db.name})
    assert srv.post("/books", {"title": "a"})[0] == 201
    assert db.query("SELECT title FROM books") == [("a",)]


@pytest.mark.server_engine_only
def test_env_var_set_overrides_default_server(tmp_path, server):
    srv = server(HEAD.replace(
        '"sqlite:///{TMP}/test.db"',
        '"${LIGHTAPID_TEST_DBURL:-sqlite:///{TMP}/dflt.db}"') +
        "  - route: /books\n    fields:\n      title: {type: str}\n",
        workers=1, env={"LIGHTAPID_TEST_DBURL": db_url(tmp_path, "set.db")})
    assert srv.post("/books", {"title": "a"})[0] == 201
    assert database_for(tmp_path, "set.db").query(
        "SELECT title FROM books") == [("a",)]
    assert books_in(database_for(tmp_path, "dflt.db")) == "0"
