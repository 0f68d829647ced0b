"""Indexes for what lists filter and order on.

A declared endpoint gets an index on (column, id) for each column named in
meta.filtering.fields (a lookup such as price__gte names its column) and
meta.filtering.ordering: made with the table, on a table that exists
already, and on reload. A reflected table gets none; -t (and the start-up
log) warns, at the entry's line, about each filtered or ordered column no
index starts with.
"""

import re
import signal

from conftest import (ENGINE, database_for, run_cli, wait_until,
                      write_config)

import pytest

DECLARED = """\
database_url: "sqlite:///{TMP}/ix.db"
endpoints:
  - route: /books
    fields:
      title: {type: str, max_length: 200}
      category: {type: str}
      price: {type: float}
      isbn: {type: str, max_length: 20, unique: true}
      notes: {type: str, optional: true}
      body: {type: text, optional: true}
    meta:
      filtering:
        fields: [category, price__gte, isbn, id, body]
        ordering: [title, -created_at, id]
"""


def indexes(db, table):
    """{index name: (column, ...)} of table, in each index's order."""
    if ENGINE == "postgresql":
        sql = ("SELECT ic.relname, a.attname FROM pg_index x "
               "JOIN pg_class ic ON ic.oid = x.indexrelid "
               "JOIN pg_class t ON t.oid = x.indrelid "
               "JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(att, n) "
               "ON true JOIN pg_attribute a ON a.attrelid = t.oid AND "
               "a.attnum = k.att WHERE t.relname = ? ORDER BY 1, k.n")
    elif ENGINE == "mysql":
        sql = ("SELECT INDEX_NAME, COLUMN_NAME FROM "
               "information_schema.STATISTICS WHERE TABLE_SCHEMA = "
               "DATABASE() AND TABLE_NAME = ? ORDER BY 1, SEQ_IN_INDEX")
    else:
        sql = ("SELECT il.name, ii.name FROM pragma_index_list(?) AS il, "
               "pragma_index_info(il.name) AS ii ORDER BY 1, ii.seqno")
    out = {}
    for name, col in db.query(sql, (table,)):
        out[name] = out.get(name, ()) + (col,)
    return out


def by_columns(ix):
    return sorted(ix.values())


def test_declared_indexes_made_with_the_table(server):
    srv = server(DECLARED)
    ix = indexes(srv.db, "books")
    assert ix["ix_books_category"] == ("category", "id")
    assert ix["ix_books_price"] == ("price", "id")
    assert ix["ix_books_title"] == ("title", "id")
    assert ix["ix_books_created_at"] == ("created_at", "id")
    # The unique column and the key are indexed already.
    assert not [n for n in ix if n.startswith("ix_") and
                ix[n][0] in ("isbn", "id")], ix
    assert not [n for n in ix if ix[n][0] == "notes"], ix
    # A PostgreSQL B-tree entry cannot hold a long text value.
    if ENGINE == "postgresql":
        assert not [n for n in ix if ix[n][0] == "body"], ix
    else:
        assert ix["ix_books_body"] == ("body", "id")
    status, _, body, _ = srv.get("/books?category=x&ordering=title")
    assert status == 200, body


def test_indexes_added_to_an_existing_table_at_start(server, tmp_path):
    plain = re.sub(r"(?s)    meta:.*", "", DECLARED)
    srv = server(plain)
    before = indexes(srv.db, "books")
    assert not [n for n in before if n.startswith("ix_")], before
    assert srv.stop() == []
    again = server(DECLARED, directory=tmp_path)
    ix = indexes(again.db, "books")
    assert ix["ix_books_category"] == ("category", "id")
    assert ix["ix_books_title"] == ("title", "id")
    # A second start finds them by name and makes no other.
    assert again.stop() == []
    third = server(DECLARED, directory=tmp_path)
    assert indexes(third.db, "books") == ix


def test_reload_makes_the_index_of_a_new_filtering_field(server):
    srv = server(DECLARED)
    assert "ix_books_notes" not in indexes(srv.db, "books")
    text = srv.config.read_text().replace("id, body]", "id, body, notes]")
    assert "body, notes]" in text
    srv.config.write_text(text)
    srv.signal(signal.SIGHUP)
    assert wait_until(
        lambda: "ix_books_notes" in indexes(srv.db, "books"), timeout=10)
    assert indexes(srv.db, "books")["ix_books_notes"] == ("notes", "id")
    assert wait_until(
        lambda: srv.get("/books?notes=n")[0] == 200, timeout=10)


LONG = """\
database_url: "sqlite:///{TMP}/ix.db"
endpoints:
  - route: /shelves
    fields:
      the_column_that_is_filtered_on_here: {type: int}
      the_column_that_is_filtered_on_also: {type: int}
    meta:
      table: a_table_with_a_rather_long_name_for_its_rows_x
      filtering:
        fields: [the_column_that_is_filtered_on_here,
                 the_column_that_is_filtered_on_also]
"""


def test_long_index_names_fit_and_stay(server, tmp_path):
    table = "a_table_with_a_rather_long_name_for_its_rows_x"
    srv = server(LONG)
    ix = {n: c for n, c in indexes(srv.db, table).items()
          if n.startswith("ix_")}
    assert len(ix) == 2, ix
    assert all(len(n) <= 63 for n in ix), ix
    assert sorted(c[0] for c in ix.values()) == [
        "the_column_that_is_filtered_on_also",
        "the_column_that_is_filtered_on_here"]
    assert srv.stop() == []
    again = server(LONG, directory=tmp_path)
    assert {n: c for n, c in indexes(again.db, table).items()
            if n.startswith("ix_")} == ix


@pytest.mark.sqlite_only
def test_filtered_list_walks_the_index(server, tmp_path):
    import sqlite3
    srv = server(DECLARED)
    con = sqlite3.connect(tmp_path / "ix.db")
    try:
        plan = " ".join(str(r[-1]) for r in con.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM books WHERE category = ? "
            "ORDER BY id ASC LIMIT 21", ("x",)))
    finally:
        con.close()
    assert "USING INDEX ix_books_category (category=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    assert srv.get("/books?category=x")[0] == 200


# ---- reflected tables: no index made, a warning instead ---------------------

SHELF = ("CREATE TABLE shelf (id INTEGER PRIMARY KEY, "
         "name VARCHAR(100) UNIQUE, category VARCHAR(100), pos INTEGER, "
         "label VARCHAR(100))")
SHELF_INDEX = "CREATE INDEX shelf_pos ON shelf (pos, label)"

REFLECTED = """\
database_url: "sqlite:///{TMP}/ix.db"
endpoints:
  - route: /shelf
    reflect: REFLECT
    fields: FIELDS
    meta:
      filtering:
        fields: [name, category, pos,
                 label, id]
        ordering: [pos, -label]
"""


def reflected_config(tmp_path, reflect="true"):
    database_for(tmp_path, "ix.db").execute(SHELF, SHELF_INDEX)
    text = REFLECTED.replace("REFLECT", reflect)
    if reflect == "partial":
        text = text.replace("FIELDS", "{extra: {type: int, optional: true}}")
    else:
        text = text.replace("    fields: FIELDS\n", "")
    return write_config(tmp_path, text)


def warnings(cfg, text):
    pat = re.compile(re.escape(str(cfg)) + r":(\d+):(\d+): warning: "
                     r"endpoint '/shelf' (filters on|orders by) column "
                     r"'(\w+)' of reflected table 'shelf', which no index "
                     r"starts with: each such list reads the whole table "
                     r"\(an index on \((\w+), id\) would serve it\)")
    return sorted((int(m.group(1)), int(m.group(2)), m.group(3), m.group(4))
                  for m in pat.finditer(text))


def expected(cfg):
    lines = cfg.read_text().splitlines()
    fields = next(i for i, s in enumerate(lines) if "fields: [name" in s)
    order = next(i for i, s in enumerate(lines) if "ordering: [pos" in s)
    return sorted([
        (fields + 1, lines[fields].index("category") + 1, "filters on",
         "category"),
        (fields + 2, lines[fields + 1].index("label") + 1, "filters on",
         "label"),
        (order + 1, lines[order].index("-label") + 1, "orders by", "label"),
    ])


@pytest.mark.parametrize("reflect", ["true", "partial"])
def test_t_warns_about_unindexed_reflected_columns(tmp_path, reflect):
    cfg = reflected_config(tmp_path, reflect)
    db = database_for(tmp_path, "ix.db")
    before = by_columns(indexes(db, "shelf"))
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err
    assert "test is successful" in err
    assert warnings(cfg, err) == expected(cfg), err
    # The administrator's table keeps its indexes as they were.
    assert by_columns(indexes(db, "shelf")) == before
    rc, out, err = run_cli(["-T", "-c", cfg])
    assert rc == 0, err
    assert warnings(cfg, err) == expected(cfg), err


def test_start_up_log_has_the_warning(server, tmp_path):
    reflected_config(tmp_path)
    srv = server(REFLECTED.replace("REFLECT", "true")
                 .replace("    fields: FIELDS\n", ""), directory=tmp_path)
    assert len(warnings(srv.config, srv.log())) == 3, srv.log()


def test_no_warning_once_indexed(tmp_path):
    cfg = reflected_config(tmp_path)
    database_for(tmp_path, "ix.db").execute(
        "CREATE INDEX shelf_category ON shelf (category)",
        "CREATE INDEX shelf_label ON shelf (label, pos)")
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 0, err
    assert ": warning:" not in err, err


@pytest.mark.skipif(ENGINE != "postgresql",
                    reason="needs PostgreSQL roles")
def test_index_refused_on_an_existing_table_is_a_warning(server, tmp_path):
    plain = re.sub(r"(?s)    meta:.*", "", DECLARED)
    srv = server(plain)
    assert srv.stop() == []
    db = srv.db
    db.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE "
               "rolname = 'ixuser') THEN CREATE ROLE ixuser LOGIN; END IF; "
               "END $$",
               "GRANT ALL ON ALL TABLES IN SCHEMA public TO ixuser",
               "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ixuser")
    again = server(DECLARED, directory=tmp_path, start=False)
    text = again.config.read_text()
    assert "postgresql://postgres@" in text
    again.config.write_text(text.replace("postgresql://postgres@",
                                         "postgresql://ixuser@"))
    again.start()
    assert again.post("/books", {"title": "t", "category": "c",
                                 "price": 1, "isbn": "1"})[0] == 201
    assert again.get("/books?category=c")[0] == 200
    assert re.search(r":\d+:\d+: warning: endpoint '/books': cannot create "
                     r"an index on table 'books': .*; the lists it would "
                     r"serve read the whole table", again.log()), again.log()
    assert not [n for n in indexes(db, "books") if n.startswith("ix_")]
