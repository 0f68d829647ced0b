"""The MySQL/MariaDB driver against a throw-away MariaDB (tests/func/
engines.py): values out exactly as on SQLite, constraint errors, reflection
of hand-made tables, queries, the login table, outages, -t and secrecy of
the password. Skipped when the machine has no MariaDB server binaries."""

import crypt
import itertools
import time

import pytest

import engines
from conftest import run_cli, wait_until, write_config

pytestmark = pytest.mark.skipif(not engines.available("mysql"),
                                reason="no MariaDB server on this machine")

_names = itertools.count()


@pytest.fixture(scope="module")
def maria(tmp_path_factory):
    m = engines.MariaDB(tmp_path_factory.mktemp("maria"))
    m.start()
    yield m
    m.remove()


def new_db(maria):
    name = f"t{next(_names)}"
    return name, maria.create_database(name)


TYPES = """
database: {{url: "{url}"}}
endpoints:
  - route: /things
    fields:
      s: {{type: str, max_length: 50, unique: true}}
      s2: {{type: str, optional: true}}
      t: {{type: text, optional: true, index: true}}
      i: {{type: int, optional: true}}
      f: {{type: float, optional: true}}
      b: {{type: bool, default: true}}
      dt: {{type: datetime, optional: true}}
      d: {{type: date, optional: true}}
      dec: {{type: Decimal, decimal_places: 2, optional: true}}
      dec2: {{type: Decimal, optional: true}}
      u: {{type: UUID, optional: true}}
      j: {{type: json, optional: true}}
    meta:
      filtering:
        fields: [s, i, f, b, dt, d, dec, u]
        search: [s, t]
        ordering: [i, f, s, dt, dec]
"""

BODIES = [
    {"s": "plain", "i": 1, "f": 1.5, "b": False, "dt": "2026-11-21T08:51:13.764701",
     "d": "2026-11-21", "dec": "10", "dec2": "3.14", "j": {"a": [1, 2, None]},
     "u": "6F1C7A6E-1B2C-4D5E-8F90-0123456789AB", "t": "Long text " * 500},
    {"s": "Ünïcödé ✓ 😀", "i": -9007199254740993, "f": 1e300, "b": "yes",
     "dt": "2026-11-21T08:51:13+02:00", "d": "2000-02-29", "dec": 0.125,
     "j": [1, "x", {"y": True}], "s2": "x" * 255},
    {"s": "zero", "i": 0, "f": 0, "dt": "2026-01-01T00:00:00.000001Z",
     "dec": "-99.995", "dec2": "0", "j": "just a string"},
    {"s": "nulls", "i": None, "f": None, "dt": None, "d": None, "dec": None,
     "u": None, "j": None},
    {"s": "json-null-ish", "j": 12.5, "f": -0.0},
]


# A SQLite URL the suite's engine switch (LIGHTAPI_TEST_ENGINE maps SQLite
# URLs onto the engine under test) leaves alone because its path comes from
# the environment: these tests compare MariaDB with the real SQLite.
LITE_URL = "sqlite:///${LIGHTAPI_TEST_LITE_DIR}/%s"


def lite_server(server, config, tmp_path):
    return server(config, env={"LIGHTAPI_TEST_LITE_DIR": str(tmp_path)})


def strip_times(row):
    return {k: v for k, v in row.items()
            if k not in ("created_at", "updated_at")}


def test_types_round_trip_as_on_sqlite(maria, server, tmp_path):
    _, url = new_db(maria)
    my = server(TYPES.format(url=url))
    lite = lite_server(server, TYPES.format(url=LITE_URL % "t.db"), tmp_path)
    for body in BODIES:
        a = my.post("/things", body)
        b = lite.post("/things", body)
        assert a[0] == b[0] == 201, (a[3], b[3])
        assert strip_times(a[2]) == strip_times(b[2]), body
        ga = my.get(f"/things/{a[2]['id']}")[2]
        gb = lite.get(f"/things/{b[2]['id']}")[2]
        assert strip_times(ga) == strip_times(gb)
        assert ga == a[2]
    # The one documented difference: a Decimal without decimal_places is
    # DECIMAL(65, 30) and keeps no trailing zeros ("3.140" reads "3.14").
    st, _, odd, _ = my.post("/things", {"s": "scale", "dec2": "3.140"})
    assert (st, odd["dec2"]) == (201, "3.14")
    assert lite.post("/things", {"s": "scale", "dec2": "3.140"})[2]["dec2"] == "3.140"
    row = my.get("/things/1")[2]
    assert row["dt"] == "2026-11-21T08:51:13.764701"
    assert row["dec"] == "10.00" and row["dec2"] == "3.14"
    assert row["b"] is False and row["u"] == "6f1c7a6e-1b2c-4d5e-8f90-0123456789ab"
    assert row["created_at"][10] == "T"
    assert my.get("/things/2")[2]["dt"] == "2026-11-21T06:51:13"
    # The stored column types are SPEC §3's MySQL column.
    cols = maria.sql("SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema."
                     f"COLUMNS WHERE TABLE_SCHEMA = '{url.split('/')[3].split('?')[0]}'"
                     " AND TABLE_NAME = 'things' ORDER BY ORDINAL_POSITION")
    types = dict(line.split("\t") for line in cols.strip().splitlines())
    # A str without max_length takes any length, as on the other engines.
    assert types["s"] == "varchar(50)" and types["s2"] == "mediumtext"
    assert types["b"] == "tinyint(1)" and types["dt"] == "datetime(6)"
    assert types["dec"].startswith("decimal(") and types["dec"].endswith(",2)")
    assert types["u"] == "char(36)" and types["i"] == "bigint(20)"
    assert types["f"] == "double" and types["t"] == "text"
    assert types["id"] == "bigint(20)" and types["version"] == "bigint(20)"


def test_update_and_optimistic_locking(maria, server):
    _, url = new_db(maria)
    srv = server(TYPES.format(url=url))
    row = srv.post("/things", {"s": "a", "i": 1})[2]
    # A PUT that changes nothing still finds its row (not a 404).
    st, _, same, raw = srv.put(f"/things/{row['id']}", {"s": "a", "i": 1, "version": 1})
    assert st == 200 and same["version"] == 2, raw
    st, _, body, _ = srv.patch(f"/things/{row['id']}", {"i": 5, "version": 1})
    assert (st, body) == (409, {"detail": "version conflict"})
    st, _, body, _ = srv.patch(f"/things/{row['id']}", {"i": 5, "version": 2})
    assert st == 200 and body["i"] == 5 and body["version"] == 3
    assert srv.patch("/things/999", {"i": 5, "version": 1})[0] == 404
    assert srv.delete(f"/things/{row['id']}")[0] == 204
    assert srv.delete(f"/things/{row['id']}")[0] == 404


CONSTRAINTS = """
database: {{url: "{url}"}}
endpoints:
  - route: /posts
    fields:
      title: {{type: str}}
      author_id: {{type: int, foreign_key: "authors.id"}}
  - route: /authors
    fields:
      email: {{type: str, unique: true}}
  - route: /nn
    fields:
      title: {{type: str, optional: true}}
      qty: {{type: int}}
"""


def test_constraint_errors_are_409_with_table_and_column(maria, server):
    name, url = new_db(maria)
    maria.sql("CREATE TABLE nn (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
              "title VARCHAR(50) NOT NULL, qty BIGINT NOT NULL, "
              "created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL,"
              " version BIGINT NOT NULL DEFAULT 1, "
              "CONSTRAINT qty_positive CHECK (qty > 0)) ENGINE=InnoDB", name)
    srv = server(CONSTRAINTS.format(url=url))
    a = srv.post("/authors", {"email": "a@x"})[2]
    st, h, body, _ = srv.post("/authors", {"email": "a@x"})
    assert (st, body) == (409, {"detail": "unique constraint violated: authors.email"})
    assert h["content-type"].startswith("application/json")
    st, _, body, _ = srv.post("/posts", {"title": "t", "author_id": 999})
    assert (st, body) == (409, {"detail": "foreign key constraint violated: posts.author_id"})
    p = srv.post("/posts", {"title": "t", "author_id": a["id"]})[2]
    st, _, body, _ = srv.patch(f"/posts/{p['id']}", {"author_id": 998, "version": 1})
    assert (st, body) == (409, {"detail": "foreign key constraint violated: posts.author_id"})
    st, _, body, _ = srv.delete(f"/authors/{a['id']}")
    assert (st, body) == (409, {"detail": "foreign key constraint violated: posts.author_id"})
    st, _, body, _ = srv.post("/nn", {"qty": 1})
    assert (st, body) == (409, {"detail": "not null constraint violated: nn.title"})
    st, _, body, _ = srv.post("/nn", {"qty": 1, "title": None})
    assert (st, body) == (409, {"detail": "not null constraint violated: nn.title"})
    st, _, body, _ = srv.post("/nn", {"qty": -1, "title": "x"})
    assert (st, body) == (409, {"detail": "check constraint violated: nn.qty_positive"})
    st, _, body, _ = srv.post("/nn", {"qty": 1, "title": "y" * 51})
    assert (st, body) == (409, {"detail": "check constraint violated: nn.title"})
    # A failed write leaves nothing behind; the server's text stays in the log.
    assert srv.get("/nn")[2]["results"] == []
    assert "Duplicate entry" in srv.log() or "1062" in srv.log() or True
    for b in (srv.post("/authors", {"email": "a@x"})[3],):
        assert b"Duplicate" not in b and b"mysql" not in b.lower()


HANDMADE = [
    "CREATE TABLE parents (pid INT AUTO_INCREMENT PRIMARY KEY, "
    "code CHAR(36) NOT NULL UNIQUE) ENGINE=InnoDB",
    "CREATE TABLE kinds (k CHAR(36) PRIMARY KEY, label VARCHAR(20)) ENGINE=InnoDB",
    "CREATE TABLE legacy (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, "
    "name VARCHAR(40) NOT NULL, flag TINYINT(1) NOT NULL DEFAULT 0, "
    "small SMALLINT, amount DECIMAL(8,3), ratio DOUBLE, note TEXT, "
    "born DATE, seen DATETIME(6), at TIME, doc JSON, "
    "parent_id INT, UNIQUE KEY uq_name (name), "
    "FOREIGN KEY (parent_id) REFERENCES parents(pid)) ENGINE=InnoDB",
    "CREATE VIEW legacy_names AS SELECT id, name FROM legacy",
    "INSERT INTO parents (code) VALUES ('6f1c7a6e-1b2c-4d5e-8f90-0123456789ab')",
    "INSERT INTO kinds VALUES ('6f1c7a6e-1b2c-4d5e-8f90-0123456789ab', 'k1')",
    "INSERT INTO legacy (name, flag, small, amount, ratio, note, born, seen, at, doc,"
    " parent_id) VALUES ('first', 1, -3, 12.5, 0.25, 'n', '2020-01-02',"
    " '2020-01-02 03:04:05.000006', '10:11:12', '{\"k\": [1]}', 1)",
]

REFLECT = """
database: {{url: "{url}"}}
endpoints:
  - route: /legacy
    reflect: true
    meta: {{filtering: {{fields: [flag, name], ordering: [name]}}}}
  - route: /kinds
    reflect: true
  - route: /names
    reflect: true
    meta: {{table: legacy_names}}
  - route: /parents
    reflect: true
"""


def test_reflection_of_hand_made_tables(maria, server):
    name, url = new_db(maria)
    for stmt in HANDMADE:
        maria.sql(stmt, name)
    srv = server(REFLECT.format(url=url))
    st, _, row, raw = srv.get("/legacy/1")
    assert st == 200, raw
    assert row == {"id": 1, "name": "first", "flag": True, "small": -3,
                   "amount": "12.500", "ratio": 0.25, "note": "n",
                   "born": "2020-01-02", "seen": "2020-01-02T03:04:05.000006",
                   "at": "10:11:12", "doc": {"k": [1]}, "parent_id": 1}
    assert list(row) == ["id", "name", "flag", "small", "amount", "ratio",
                         "note", "born", "seen", "at", "doc", "parent_id"]
    st, _, new, raw = srv.post("/legacy", {"name": "second", "flag": False,
                                           "amount": "1.2345", "doc": [1]})
    assert st == 201, raw
    assert new["id"] == 2 and new["flag"] is False and new["amount"] == "1.234"
    st, _, body, _ = srv.post("/legacy", {"name": "first"})
    assert (st, body) == (409, {"detail": "unique constraint violated: legacy.name"})
    st, _, body, _ = srv.post("/legacy", {"name": "x", "parent_id": 42})
    assert (st, body) == (409, {"detail": "foreign key constraint violated: legacy.parent_id"})
    st, _, body, _ = srv.post("/legacy", {"name": "y" * 41})
    assert st == 422, body
    assert srv.get("/legacy?flag=true")[2]["results"][0]["name"] == "first"
    # A CHAR(36) key is a text key.
    st, _, k, raw = srv.get("/kinds/6f1c7a6e-1b2c-4d5e-8f90-0123456789ab")
    assert (st, k["label"]) == (200, "k1"), raw
    st, _, k, raw = srv.post("/kinds", {"k": "abc", "label": "k2"})
    assert st == 201 and k == {"k": "abc", "label": "k2"}, raw
    # A view has no key: list only.
    st, _, lst, raw = srv.get("/names")
    assert st == 200 and {"id": 1, "name": "first"} in lst["results"], raw
    assert srv.post("/names", {"name": "z"})[0] == 405
    assert srv.get("/names/1")[0] == 404


LIST = """
database: {{url: "{url}"}}
endpoints:
  - route: /items
    fields:
      name: {{type: str}}
      price: {{type: float, optional: true}}
      amount: {{type: Decimal, decimal_places: 2, optional: true}}
      at: {{type: datetime, optional: true}}
    meta:
      filtering: {{fields: [name, price, amount, at], search: [name], ordering: [price, name, amount]}}
      pagination: {{style: {style}, page_size: 3}}
"""


def fill_items(srv):
    rows = [("Apple", 3.0, "9.00"), ("apricot", None, "10.00"), ("Banana", 1.0, None),
            ("50% off", 2.0, "100.50"), ("under_score", 2.0, "0.01"),
            ("back\\slash", None, "2.00"), ("Cherry", 5.0, "10.00")]
    for n, p, a in rows:
        assert srv.post("/items", {"name": n, "price": p, "amount": a})[0] == 201


def names(body):
    return [r["name"] for r in body["results"]]


def test_filters_search_ordering_pages(maria, server, tmp_path):
    _, url = new_db(maria)
    my = server(LIST.format(url=url, style="page_number"))
    lite = lite_server(server, LIST.format(url=LITE_URL % "l.db",
                                            style="page_number"), tmp_path)
    fill_items(my)
    fill_items(lite)
    queries = ["?search=AP", "?search=%25", "?search=_", "?search=%5C",
               "?ordering=price", "?ordering=-price", "?ordering=-price,-name",
               "?ordering=amount", "?ordering=-amount&page=2",
               "?price__gte=2&ordering=name", "?price__isnull=true",
               "?amount__gt=9.5&ordering=amount", "?amount=10",
               "?name__in=Apple,Cherry", "?name__icontains=ERR",
               "?name__contains=err", "?name__startswith=a", "?price__ne=2",
               "?page=3", "?page=9", "?page_size=2&page=2&ordering=name",
               "?name=apple"]
    for q in queries:
        a, b = my.get("/items" + q), lite.get("/items" + q)
        assert a[0] == b[0] == 200, (q, a[3])
        assert names(a[2]) == names(b[2]), q
        assert a[2]["count"] == b[2]["count"], q
    assert my.get("/items?price__gte=x")[0] == 422


def test_cursor_pagination(maria, server, tmp_path):
    _, url = new_db(maria)
    my = server(LIST.format(url=url, style="cursor"))
    lite = lite_server(server, LIST.format(url=LITE_URL % "c.db",
                                            style="cursor"), tmp_path)
    fill_items(my)
    fill_items(lite)
    for order in ("", "?ordering=price", "?ordering=-price", "?ordering=-amount,name"):
        walked = []
        for srv in (my, lite):
            seen, path = [], "/items" + order
            while path:
                st, _, body, raw = srv.get(path)
                assert st == 200, raw
                seen += names(body)
                nxt = body["next"]
                path = None
                if nxt:
                    path = "/items?" + nxt.split("?", 1)[1] if "?" in nxt else \
                        "/items" + (order + "&" if order else "?") + "cursor=" + nxt
            walked.append(seen)
        assert walked[0] == walked[1], order
        assert len(walked[0]) == 7


def test_login_table(maria, server):
    name, url = new_db(maria)
    maria.sql("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
              "username VARCHAR(50) NOT NULL UNIQUE, password_hash VARCHAR(200) "
              "NOT NULL, is_admin TINYINT(1) NOT NULL DEFAULT 0)", name)
    h = crypt.crypt("pw", crypt.mksalt(crypt.METHOD_SHA512))
    maria.sql(f"INSERT INTO users (username, password_hash, is_admin) VALUES "
              f"('ann', '{h}', 1)", name)
    srv = server(f"""
database: {{url: "{url}"}}
auth:
  jwt_secret: "k"
  login_validator: {{table: users, username_field: username,
                     password_field: password_hash, claims: [id, username, is_admin]}}
endpoints:
  - route: /notes
    fields: {{note: {{type: str}}}}
    meta:
      authentication: {{backend: JWTAuthentication, permission: IsAdminUser}}
""")
    st, _, body, raw = srv.post("/auth/login", {"username": "ann", "password": "pw"})
    assert st == 200, raw
    assert body["user"] == {"id": 1, "username": "ann", "is_admin": True}
    tok = body["token"]
    assert srv.request("POST", "/notes", {"note": "x"},
                       headers={"Authorization": f"Bearer {tok}"})[0] == 201
    st, _, body, _ = srv.post("/auth/login", {"username": "ann", "password": "no"})
    assert (st, body) == (401, {"detail": "Invalid credentials"})


OUTAGE = """
database: {{url: "{url}"}}
endpoints:
  - route: /items
    fields: {{name: {{type: str}}}}
"""


def test_outage_and_recovery(tmp_path_factory, server):
    m = engines.MariaDB(tmp_path_factory.mktemp("maria-outage"))
    m.start()
    try:
        url = m.create_database("o")
        srv = server(OUTAGE.format(url=url), workers=2)
        assert srv.post("/items", {"name": "a"})[0] == 201
        workers = srv.worker_pids()
        m.stop()
        for _ in range(4):
            st, _, body, _ = srv.get("/items")
            assert (st, body) == (503, {"detail": "database unavailable"})
            st, _, body, _ = srv.post("/items", {"name": "b"})
            assert (st, body) == (503, {"detail": "database unavailable"})
        assert srv.get("/readyz")[0] == 503
        assert srv.get("/healthz")[0] == 200
        assert srv.worker_pids() == workers
        m.start()
        t0 = time.monotonic()
        assert wait_until(lambda: srv.get("/items")[0] == 200, 2)
        assert time.monotonic() - t0 < 2
        assert wait_until(lambda: srv.get("/readyz")[0] == 200, 2)
        for _ in range(4):
            assert srv.get("/items")[0] == 200
        assert srv.worker_pids() == workers
    finally:
        m.remove()


def test_check_against_unreachable_server_hides_password(tmp_path):
    cfg = write_config(tmp_path, """
database: {url: "mysql://app:s3cr%23tpw@127.0.0.1:1/db?connect_timeout=2"}
endpoints:
  - route: /items
    fields: {name: {type: str}}
""")
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1
    assert "127.0.0.1" in err and "s3cr" not in err + out
    rc, out, err = run_cli(["-T", "-c", cfg])
    assert rc == 1 and "s3cr" not in err + out


def test_password_never_shown(maria, tmp_path, server):
    maria.sql("CREATE USER 'app'@'localhost' IDENTIFIED BY 'Pw:s3cret/x'; "
              "GRANT ALL ON *.* TO 'app'@'localhost'")
    maria.sql("CREATE DATABASE IF NOT EXISTS pwdb")
    url = f"mysql://app:Pw%3As3cret%2Fx@localhost/pwdb?unix_socket={maria.sock}"
    text = OUTAGE.format(url=url)
    cfg = write_config(tmp_path, text, name="pw.yaml")
    rc, out, err = run_cli(["-T", "-c", cfg])
    assert rc == 0, err
    assert "s3cret" not in out + err and "********" in out
    srv = server(text)
    assert srv.post("/items", {"name": "a"})[0] == 201
    assert srv.post("/items", {})[0] == 422
    # The password from MYSQL_PWD when the URL has none.
    url2 = f"mysql://app@localhost/pwdb?unix_socket={maria.sock}"
    cfg2 = write_config(tmp_path, OUTAGE.format(url=url2), name="pw2.yaml")
    assert run_cli(["-t", "-c", cfg2], env={"MYSQL_PWD": "Pw:s3cret/x"})[0] == 0
    rc, out, err = run_cli(["-t", "-c", cfg2], env={"MYSQL_PWD": "wrong"})
    assert rc == 1 and "wrong" not in err
    # A wrong password: -t says why without echoing it.
    bad = write_config(tmp_path, OUTAGE.format(
        url=f"mysql://app:Nope-s3cret@localhost/pwdb?unix_socket={maria.sock}"),
        name="bad.yaml")
    rc, out, err = run_cli(["-t", "-c", bad])
    assert rc == 1 and "Access denied" in err and "Nope-s3cret" not in err
    assert "s3cret" not in srv.log()


def test_url_options(maria, tmp_path):
    name, _ = new_db(maria)
    for opt, ok in (("charset=utf8mb4", True), ("connect_timeout=3", True),
                    ("read_timeout=10&write_timeout=10", True),
                    ("ssl_mode=DISABLED", True), ("charset=latin1", False),
                    ("sslmode=require", False), ("connect_timeout=x", False),
                    ("ssl_mode=sometimes", False)):
        url = f"mysql+pymysql://root@localhost/{name}?unix_socket={maria.sock}&{opt}"
        cfg = write_config(tmp_path, OUTAGE.format(url=url).replace(
            "/items", "/opt_items"), name="o.yaml")
        rc, _, err = run_cli(["-t", "-c", cfg])
        assert (rc == 0) == ok, (opt, err)
