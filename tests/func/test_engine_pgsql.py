"""The PostgreSQL driver against a real, throw-away server (engines.Postgres):
types in and out as on SQLite, constraint errors, reflection of hand-made
tables (serial and UUID keys, a view, a non-public schema), list queries,
the login table, an outage, and passwords kept out of every output.
Skipped when the PostgreSQL server binaries are not installed."""

import crypt
import itertools
import os
import signal
import time
from urllib.parse import quote, urlsplit

import pytest

import engines
from conftest import run_cli, wait_until, write_config

pytestmark = pytest.mark.skipif(not engines.available("postgresql"),
                                reason="PostgreSQL server binaries absent")

_names = itertools.count(1)


@pytest.fixture(scope="module")
def pg():
    # In /tmp: as root the server runs as nobody, who cannot enter
    # pytest's private directories.
    server = engines.Postgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def db(pg):
    """A fresh database; returns (name, url)."""
    name = f"t{os.getpid()}_{next(_names)}"
    return name, pg.create_database(name)


TYPES = """
database: {{url: "{url}"}}
endpoints:
  # Before /items: PostgreSQL checks that a referenced table exists.
  - route: /owners
    fields:
      label: {{type: str}}
  - route: /items
    fields:
      name: {{type: str, max_length: 50, unique: true}}
      body: {{type: text, optional: true}}
      qty: {{type: int, index: true}}
      price: {{type: float}}
      ok: {{type: bool, default: true}}
      at: {{type: datetime, optional: true}}
      day: {{type: date, optional: true}}
      amount: {{type: Decimal, decimal_places: 2, optional: true}}
      uid: {{type: UUID, optional: true}}
      meta: {{type: json, optional: true}}
      owner_id: {{type: int, optional: true, foreign_key: owners.id}}
    meta:
      filtering: {{fields: [qty, ok, price, day], search: [name, body],
                   ordering: [price, name, at]}}
  - route: /paged
    fields:
      n: {{type: int}}
      tag: {{type: str, optional: true}}
    meta:
      filtering: {{fields: [n], ordering: [n, tag]}}
      pagination: {{style: page_number, page_size: 3}}
  - route: /cursored
    fields:
      n: {{type: int}}
      tag: {{type: str, optional: true}}
    meta:
      filtering: {{ordering: [n, tag]}}
      pagination: {{style: cursor, page_size: 3}}
"""

ROWS = [
    {"name": "plain", "qty": 1, "price": 2.5},
    {"name": "all", "body": "b\u00e9 \u2603", "qty": -7, "price": 0.1,
     "ok": False, "at": "2026-11-21T08:51:13.764701", "day": "2026-11-21",
     "amount": "10", "uid": "6F1C2F57-3A4B-4C1E-9A3E-0A1B2C3D4E5F",
     "meta": {"a": [1, 2.5, None, True, "x y"], "b": {"c": "d"}}},
    {"name": "offset", "qty": 2 ** 62, "price": 1e300, "ok": "yes",
     "at": "2026-01-02T03:04:05+02:00", "amount": "-0.5", "meta": "just text"},
    {"name": "whole", "qty": 0, "price": 3, "at": "2026-01-02T03:04:05",
     "amount": "12345.67", "meta": [1, {"k": []}], "day": "1999-12-31"},
    {"name": "nulls", "qty": 5, "price": -1.25, "meta": None, "at": None},
    {"name": "tiny", "qty": 6, "price": 5e-324, "at": "2026-01-02T03:04:05.5"},
]

AUTO = ("id", "created_at", "updated_at")


def strip(row):
    return {k: v for k, v in row.items() if k not in AUTO}


def test_types_round_trip_as_on_sqlite(server, tmp_path, db):
    _, url = db
    pgsrv = server(TYPES.format(url=url))
    lite = server(TYPES.format(url=f"sqlite:///{tmp_path}/t.db"))
    for body in ROWS:
        got = []
        for srv in (pgsrv, lite):
            status, _, row, raw = srv.post("/items", body)
            assert status == 201, raw
            status, _, again, raw = srv.get(f"/items/{row['id']}")
            assert status == 200, raw
            assert again == row
            got.append(strip(row))
        assert got[0] == got[1], body
    # Lists, filters and ordering read the same values back.
    for query in ("", "?ordering=price", "?ordering=-at,name", "?ok=false",
                  "?qty__gte=1&ordering=-price", "?day__isnull=false",
                  "?search=%E2%98%83", "?price__in=2.5,3"):
        lists = [[strip(r) for r in srv.get("/items" + query)[2]["results"]]
                 for srv in (pgsrv, lite)]
        assert lists[0] == lists[1], query


def test_datetime_and_decimal_forms(server, db):
    _, url = db
    srv = server(TYPES.format(url=url))
    row = srv.post("/items", {"name": "d", "qty": 1, "price": 1,
                              "at": "2026-11-21T08:51:13.7647+00:00",
                              "amount": "3.1"})[2]
    assert row["at"] == "2026-11-21T08:51:13.764700"
    assert row["amount"] == "3.10"
    assert row["created_at"][10] == "T" and "+" not in row["created_at"]
    assert row["price"] == 1.0 and isinstance(row["price"], float)


def test_column_types_in_the_database(server, pg, db):
    name, url = db
    server(TYPES.format(url=url))
    rows = pg.psql("SELECT column_name || '|' || data_type || '|' || "
                   "is_nullable || '|' || is_identity FROM "
                   "information_schema.columns WHERE table_name = 'items' "
                   "ORDER BY ordinal_position", name).splitlines()
    assert rows == [
        "id|bigint|NO|YES", "name|character varying|NO|NO", "body|text|YES|NO",
        "qty|bigint|NO|NO", "price|double precision|NO|NO",
        "ok|boolean|NO|NO", "at|timestamp without time zone|YES|NO",
        "day|date|YES|NO", "amount|numeric|YES|NO", "uid|uuid|YES|NO",
        "meta|jsonb|YES|NO", "owner_id|bigint|YES|NO",
        "created_at|timestamp without time zone|NO|NO",
        "updated_at|timestamp without time zone|NO|NO",
        "version|bigint|NO|NO"]
    idx = pg.psql("SELECT indexname FROM pg_indexes WHERE tablename = "
                  "'items' ORDER BY 1", name).split()
    assert "ix_items_qty" in idx and "items_name_key" in idx
    fk = pg.psql("SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                 "AND conrelid = 'items'::regclass", name).strip()
    assert fk == "1"


# ---- constraint errors -------------------------------------------------------

CONSTRAINED = """
database: {{url: "{url}"}}
endpoints:
  - route: /authors
    fields:
      email: {{type: str, unique: true}}
  - route: /posts
    fields:
      title: {{type: str}}
      author_id: {{type: int, foreign_key: authors.id}}
  - route: /stock
    reflect: true
"""


def test_conflicts(server, pg, db):
    name, url = db
    pg.psql("CREATE TABLE stock (id serial PRIMARY KEY, qty int NOT NULL "
            "CHECK (qty > 0), note text NOT NULL DEFAULT 'n', "
            "a int, b int, CONSTRAINT ab UNIQUE (a, b));"
            "CREATE FUNCTION null_note() RETURNS trigger AS $$ BEGIN "
            "IF NEW.note = 'drop' THEN NEW.note := NULL; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql;"
            "CREATE TRIGGER n BEFORE INSERT ON stock FOR EACH ROW "
            "EXECUTE FUNCTION null_note()", name)
    srv = server(CONSTRAINED.format(url=url))
    author = srv.post("/authors", {"email": "a@x"})[2]
    cases = [
        (srv.post("/authors", {"email": "a@x"}),
         "unique constraint violated: authors.email"),
        (srv.post("/posts", {"title": "t", "author_id": 999}),
         "foreign key constraint violated: posts.author_id"),
        (srv.post("/stock", {"qty": 0}),
         "check constraint violated: stock.qty"),
        (srv.post("/stock", {"qty": 1, "note": "drop"}),
         "not null constraint violated: stock.note"),
    ]
    srv.post("/stock", {"qty": 1, "a": 1, "b": 2})
    cases.append((srv.post("/stock", {"qty": 1, "a": 1, "b": 2}),
                  "unique constraint violated: stock.a, stock.b"))
    post = srv.post("/posts", {"title": "t", "author_id": author["id"]})[2]
    cases.append((srv.delete(f"/authors/{author['id']}"),
                  "foreign key constraint violated: posts.author_id"))
    cases.append((srv.patch(f"/posts/{post['id']}",
                            {"author_id": 12345, "version": 1}),
                  "foreign key constraint violated: posts.author_id"))
    for (status, headers, body, raw), want in cases:
        assert (status, body) == (409, {"detail": want}), raw
        assert headers["content-type"].startswith("application/json")
    # The engine's own words stay in the log.
    assert "violates" not in srv.log() or "SQLSTATE" in srv.log()


# ---- reflection ---------------------------------------------------------------

HAND_MADE = """
CREATE SCHEMA sales;
CREATE TABLE parent (id serial PRIMARY KEY, code text UNIQUE);
CREATE TABLE allt (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  s varchar(5) NOT NULL, t text, i int, sm smallint, b boolean DEFAULT true,
  n numeric(10,2), f double precision, r real, ts timestamp,
  tz timestamptz DEFAULT now(), d date, tm time, u uuid UNIQUE, j jsonb,
  js json, by bytea, p int REFERENCES parent(id),
  g int GENERATED ALWAYS AS (i * 2) STORED);
CREATE TABLE ukey (uid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL);
CREATE TABLE "MixedCase" ("Id" serial PRIMARY KEY, "Name" text);
CREATE TABLE nokey (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE sales.orders (id serial PRIMARY KEY, total numeric(12,2) NOT NULL);
CREATE VIEW allt_view AS SELECT id, s FROM allt;
INSERT INTO parent (code) VALUES ('p1');
INSERT INTO ukey (uid, name) VALUES ('00000000-0000-0000-0000-000000000001', 'one');
INSERT INTO nokey VALUES (1, 2);
INSERT INTO sales.orders (total) VALUES (5);
"""

REFLECTED = """
database: {{url: "{url}"}}
tables:
  - {{name: parent, crud: [get, post, put, patch, delete]}}
  - {{name: allt, crud: [get, post, put, patch, delete]}}
  - {{name: ukey, crud: [get, post, put, patch, delete]}}
  - {{name: MixedCase, crud: [get, post]}}
  - {{name: nokey, crud: [get, post]}}
  - {{name: allt_view, crud: [get, post]}}
"""


def test_reflection(server, pg, db):
    name, url = db
    pg.psql(HAND_MADE, name)
    srv = server(REFLECTED.format(url=url))
    status, _, row, raw = srv.post("/allt", {
        "id": 77, "s": "hello", "t": "x", "i": 4, "sm": 3, "n": "1.5",
        "f": 0.25, "r": 1.5, "ts": "2026-01-02T03:04:05.25",
        "d": "2026-01-02", "tm": "10:11:12", "u": "6f1c2f57-3a4b-4c1e-9a3e-"
        "0a1b2c3d4e5f", "j": {"k": [1, 2]}, "js": {"x": 1}, "p": 1, "g": 100})
    assert status == 201, raw
    assert list(row) == ["id", "s", "t", "i", "sm", "b", "n", "f", "r", "ts",
                         "tz", "d", "tm", "u", "j", "js", "by", "p", "g"]
    assert row["id"] != 77 and isinstance(row["id"], int)
    assert row["b"] is True and row["n"] == "1.50" and row["g"] == 8
    assert row["ts"] == "2026-01-02T03:04:05.250000"
    assert row["tz"][10] == "T" and "+" not in row["tz"]
    assert row["j"] == {"k": [1, 2]} and row["js"] == {"x": 1}
    assert row["tm"] == "10:11:12" and row["d"] == "2026-01-02"
    # varchar(5) and smallint limits are validated before the server.
    status, _, body, raw = srv.post("/allt", {"s": "toolong"})
    assert status == 422 and body["detail"][0]["loc"] == ["s"], raw
    status, _, body, raw = srv.post("/allt", {"s": "x", "sm": 40000})
    assert status == 422, raw
    status, _, body, _ = srv.post("/allt", {"s": "x", "u": row["u"]})
    assert (status, body) == (409, {"detail": "unique constraint violated: "
                                    "allt.u"})
    status, _, body, _ = srv.post("/allt", {"s": "x", "p": 42})
    assert (status, body) == (409, {"detail": "foreign key constraint "
                                    "violated: allt.p"})
    status, _, upd, raw = srv.patch(f"/allt/{row['id']}", {"i": 10})
    assert status == 200 and upd["g"] == 20, raw
    # A serial (INTEGER) key beyond its range from the URL: not found.
    assert srv.get("/parent/3000000000")[:3:2] == (404, {"detail": "not found"})
    assert srv.delete("/parent/3000000000")[0] == 404
    assert srv.patch("/parent/3000000000", {"code": "x"})[0] == 404
    assert srv.get("/parent/1")[2] == {"id": 1, "code": "p1"}
    # A UUID key, given or generated by the database.
    status, _, got, _ = srv.get("/ukey/00000000-0000-0000-0000-000000000001")
    assert (status, got) == (200, {"uid": "00000000-0000-0000-0000-"
                                   "000000000001", "name": "one"})
    status, _, made, raw = srv.post("/ukey", {"name": "two"})
    assert status == 201 and len(made["uid"]) == 36, raw
    assert srv.get(f"/ukey/{made['uid']}")[2] == made
    assert srv.delete(f"/ukey/{made['uid']}")[0] == 204
    # Case kept in names.
    status, _, mc, raw = srv.post("/MixedCase", {"Name": "N"})
    assert status == 201 and mc == {"Id": 1, "Name": "N"}, raw
    # No single-column key, and a view: list only.
    assert srv.get("/nokey")[2]["results"] == [{"a": 1, "b": 2}]
    assert srv.post("/nokey", {"a": 3, "b": 4})[0] == 405
    assert srv.get("/allt_view")[2]["results"][0]["s"] == "hello"
    assert srv.post("/allt_view", {"s": "v"})[0] == 405


def test_reflection_of_another_schema(server, pg, db):
    name, url = db
    pg.psql(HAND_MADE, name)
    cfg = REFLECTED.format(url=url + "&schema=sales,public").replace(
        "  - {name: parent", "  - {name: orders, crud: [get, post]}\n"
        "  - {name: parent")
    srv = server(cfg)
    assert srv.get("/orders")[2]["results"] == [{"id": 1, "total": "5.00"}]
    assert srv.post("/orders", {"total": "7.5"})[2] == {"id": 2,
                                                         "total": "7.50"}
    # Declared tables are created in the first schema of the list.
    decl = ('database: {url: "%s&schema=sales"}\nendpoints:\n'
            '  - route: /notes\n    fields: {text: {type: str}}\n'
            % url)
    srv2 = server(decl)
    assert srv2.post("/notes", {"text": "x"})[0] == 201
    assert pg.psql("SELECT table_schema FROM information_schema.tables "
                   "WHERE table_name = 'notes'", name).strip() == "sales"


def test_missing_reflected_table(pg, db, tmp_path):
    _, url = db
    cfg = write_config(tmp_path, 'database: {url: "%s"}\n'
                       'tables:\n  - {name: ghost, crud: [get]}\n' % url)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1 and "ghost" in err, err


# ---- list queries -----------------------------------------------------------


def test_filters_search_ordering_pages(server, db):
    _, url = db
    srv = server(TYPES.format(url=url))
    for i, name in enumerate(["50%off", "under_score", "back\\slash",
                              "MiXeD", "mixed two", "plain"]):
        srv.post("/items", {"name": name, "qty": i, "price": 10 - i,
                            "ok": i % 2 == 0,
                            "at": None if i == 2 else f"2026-01-0{i+1}T00:00:00"})
    names = lambda q: [r["name"] for r in srv.get("/items" + q)[2]["results"]]
    assert names("?search=%25") == ["50%off"]
    assert names("?search=_") == ["under_score"]
    assert names("?search=%5C") == ["back\\slash"]
    assert names("?search=mixed&ordering=name") == ["MiXeD", "mixed two"]
    assert names("?qty__in=1,3&ordering=price") == ["MiXeD", "under_score"]
    assert names("?ok=true&ordering=price") == ["mixed two", "back\\slash",
                                                "50%off"]
    # NULL is the smallest value in both directions.
    assert names("?ordering=at")[0] == "back\\slash"
    assert names("?ordering=-at")[-1] == "back\\slash"
    for i in range(8):
        srv.post("/paged", {"n": i % 3, "tag": None if i % 4 == 0 else f"t{i}"})
        srv.post("/cursored", {"n": i % 3,
                               "tag": None if i % 4 == 0 else f"t{i}"})
    page = srv.get("/paged?ordering=-n,tag&page=2")[2]
    assert page["count"] == 8 and page["pages"] == 3
    first = srv.get("/paged?ordering=-n,tag&page_size=100")[2]["results"]
    assert [r["id"] for r in page["results"]] == [r["id"] for r in first[3:6]]
    seen, path = [], "/cursored?ordering=-tag,n"
    while path:
        status, _, body, raw = srv.get(path)
        assert status == 200, raw
        seen += body["results"]
        path = None
        if body["next"]:
            path = "/cursored?ordering=-tag,n&cursor=" + body["next"] \
                if "cursor=" not in body["next"] else \
                "/cursored?" + urlsplit(body["next"]).query
    full = srv.get("/cursored?ordering=-tag,n&page_size=100")[2]["results"]
    assert [r["id"] for r in seen] == [r["id"] for r in full]
    assert len(seen) == 8


# ---- login validator ------------------------------------------------------


def test_login_table(server, db):
    _, url = db
    srv = server("""
database: {url: "%s"}
auth:
  jwt_secret: "k"
  login_validator: {table: users, password_field: password_hash,
                    claims: [id, username, is_admin]}
endpoints:
  - route: /users
    fields:
      username: {type: str, unique: true}
      password_hash: {type: str}
      is_admin: {type: bool, default: false}
    meta: {methods: [POST]}
  - route: /secret
    fields: {note: {type: str}}
    meta:
      authentication: {backend: JWTAuthentication, permission: IsAdminUser}
""" % url)
    pw = crypt.crypt("pw", crypt.mksalt(crypt.METHOD_SHA512))
    assert srv.post("/users", {"username": "root", "password_hash": pw,
                               "is_admin": True})[0] == 201
    status, _, body, raw = srv.post("/auth/login", {"username": "root",
                                                    "password": "pw"})
    assert status == 200 and body["user"]["is_admin"] is True, raw
    assert srv.post("/auth/login", {"username": "root",
                                    "password": "no"})[0] == 401
    assert srv.post("/auth/login", {"username": "nobody",
                                    "password": "pw"})[0] == 401
    status = srv.request("POST", "/secret", {"note": "x"}, headers={
        "Authorization": "Bearer " + body["token"]})[0]
    assert status == 201


# ---- outages and unreachable servers ----------------------------------------


def test_outage_and_recovery(server, tmp_path):
    own = engines.Postgres()
    own.start()
    try:
        url = own.create_database("o")
        srv = server(TYPES.format(url=url), workers=2)
        assert srv.post("/owners", {"label": "x"})[0] == 201
        workers = sorted(srv.worker_pids())
        own.stop()
        for _ in range(4):
            status, _, body, raw = srv.get("/owners")
            assert (status, body) == (503, {"detail": "database unavailable"}), raw
            status, _, body, _ = srv.post("/owners", {"label": "y"})
            assert (status, body) == (503, {"detail": "database unavailable"})
        assert srv.get("/readyz")[0] == 503
        assert srv.get("/healthz")[0] == 200
        assert sorted(srv.worker_pids()) == workers
        own.start()
        t0 = time.monotonic()
        ok = wait_until(lambda: srv.get("/owners")[0] == 200 and
                        srv.get("/readyz")[0] == 200, timeout=2)
        assert ok, srv.log()
        assert time.monotonic() - t0 < 2
        for _ in range(4):
            status, _, _, raw = srv.get("/owners")
            assert status == 200, (raw, srv.log())
        assert sorted(srv.worker_pids()) == workers
        assert "database unavailable" in srv.log()
        # A restart between two requests: the workers' idle connections
        # are dead, found so before a statement is sent, and replaced.
        own.stop()
        own.start()
        for _ in range(6):
            status, _, _, raw = srv.get("/owners")
            assert status == 200, (raw, srv.log())
            assert srv.post("/owners", {"label": "z"})[0] == 201
        assert srv.get("/readyz")[0] == 200
    finally:
        own.remove()


def test_check_against_unreachable_server(tmp_path):
    cfg = write_config(tmp_path, 'database: {url: "postgresql://u@/d?host=%s'
                       '/nowhere"}\nendpoints:\n  - route: /a\n'
                       '    fields: {x: {type: int}}\n' % tmp_path)
    t0 = time.monotonic()
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1, (out, err)
    assert "cannot connect" in err and "lightapi.yaml:1:" in err, err
    assert time.monotonic() - t0 < 10


# ---- passwords ----------------------------------------------------------------

SECRET = "S3cr3t-pa55:word/?&"


def test_password_never_shown(tmp_path, pg, db):
    name, _ = db
    pg.psql("CREATE ROLE app LOGIN PASSWORD 'right-one'; "
            f'GRANT ALL ON DATABASE "{name}" TO app; '
            f'ALTER DATABASE "{name}" OWNER TO app')
    hba = pg.data / "pg_hba.conf"
    text = hba.read_text()
    if "local all app scram-sha-256" not in text:
        hba.write_text("local all app scram-sha-256\n" + text)
        os.killpg(pg.proc.pid, signal.SIGHUP)
        time.sleep(0.5)
    bad = (f"postgresql://app:{quote(SECRET, safe='')}@/{name}"
           f"?host={pg.sock}")
    cfg = write_config(tmp_path, 'database: {url: "%s"}\nendpoints:\n'
                       '  - route: /a\n    fields: {x: {type: int}}\n' % bad)
    for flag in ("-t", "-T"):
        rc, out, err = run_cli([flag, "-c", cfg])
        assert rc == 1, (out, err)
        assert "password authentication failed" in err, err
        for secret in (SECRET, quote(SECRET, safe=""), "pa55"):
            assert secret not in out + err
    # ?password= is refused: -T would print it with the URL.
    cfg2 = write_config(tmp_path, 'database: {url: "postgresql://app@/%s?'
                        'host=%s&password=%s"}\nendpoints:\n  - route: /a\n'
                        '    fields: {x: {type: int}}\n'
                        % (name, pg.sock, "pa55word"), name="q.yaml")
    rc, out, err = run_cli(["-T", "-c", cfg2])
    assert rc == 1 and "pa55word" not in out + err, (out, err)
    # The right password from PGPASSWORD: -T works and shows none.
    good = f"postgresql://app@/{name}?host={pg.sock}"
    cfg3 = write_config(tmp_path, 'database: {url: "%s"}\nendpoints:\n'
                        '  - route: /a\n    fields: {x: {type: int}}\n' % good,
                        name="g.yaml")
    rc, out, err = run_cli(["-T", "-c", cfg3], env={"PGPASSWORD": "right-one"})
    assert rc == 0, err
    assert "right-one" not in out + err
    # In the URL, masked by -T.
    good2 = f"postgresql://app:right-one@/{name}?host={pg.sock}"
    cfg4 = write_config(tmp_path, 'database: {url: "%s"}\nendpoints:\n'
                        '  - route: /a\n    fields: {x: {type: int}}\n' % good2,
                        name="g2.yaml")
    rc, out, err = run_cli(["-T", "-c", cfg4], env={"PGPASSWORD": None})
    assert rc == 0, err
    assert "right-one" not in out + err


# ---- URL options ---------------------------------------------------------------


def test_url_options_reach_libpq(server, pg, db, tmp_path):
    name, url = db
    srv = server('database: {url: "%s&application_name=lightapi-t%%20x&'
                 'connect_timeout=3"}\nendpoints:\n  - route: /a\n'
                 '    fields: {x: {type: int}}\n' % url)
    assert srv.get("/a")[0] == 200
    got = pg.psql("SELECT DISTINCT application_name FROM pg_stat_activity "
                  f"WHERE datname = '{name}'", name).split("\n")
    assert "lightapi-t x" in got, got
    cfg = write_config(tmp_path, 'database: {url: "%s&bogus=1"}\n'
                       'endpoints:\n  - route: /b\n'
                       '    fields: {x: {type: int}}\n' % url, name="b.yaml")
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1 and 'invalid connection option "bogus"' in err, err
