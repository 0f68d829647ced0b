"""Related rows (?expand=): the row a foreign key points to and the rows
that point here, embedded in list and detail answers; only relations
meta.expand allows, only into endpoints the caller may read under their
own authentication and row scope, and one statement per relation per
page (no N+1)."""

import pytest

from conftest import pos_of, render, run_cli, write_config
from test_auth_util import bearer, make_token
from test_metrics import scrape, value

SECRET = "expand-secret-Qx71mP-do-not-log"

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%(secret)s"
endpoints:
  - route: /authors
    fields:
      name: {type: str}
    meta:
      expand: [books, pubbooks, secrets]
      expand_limit: 2
      pagination: {style: page_number, page_size: 10}
  - route: /books
    fields:
      title: {type: str}
      author_id: {type: int, foreign_key: authors.id, optional: true}
    meta:
      expand: [author]
      pagination: {style: cursor, page_size: 5}
  - route: /pubbooks
    fields:
      title: {type: str}
      published: {type: bool}
      author_id: {type: int, foreign_key: authors.id}
    meta:
      where: {published: true}
      serializer: {read: [id, title]}
      expand: [author]
  - route: /secrets
    fields:
      note: {type: str}
      author_id: {type: int, foreign_key: authors.id}
    meta:
      authentication: {backend: JWTAuthentication,
                       permission: IsAuthenticated}
""" % {"secret": SECRET}

TOKEN = bearer(make_token({"sub": "alice"}, SECRET))


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG, workers=1)


def post(srv, route, body, headers=None):
    status, _, row, raw = srv.post(route, body, headers=headers)
    assert status == 201, raw
    return row


@pytest.fixture(scope="module")
def data(srv):
    ann = post(srv, "/authors", {"name": "Ann"})
    bob = post(srv, "/authors", {"name": "Bob"})
    cid = post(srv, "/authors", {"name": "Cid"})
    books = [post(srv, "/books", {"title": f"A{i}", "author_id": ann["id"]})
             for i in range(3)]
    books.append(post(srv, "/books", {"title": "B0",
                                      "author_id": bob["id"]}))
    books.append(post(srv, "/books", {"title": "X", "author_id": None}))
    books += [post(srv, "/books", {"title": f"C{i}", "author_id": cid["id"]})
              for i in range(2)]
    pub = [post(srv, "/pubbooks", {"title": f"P{i}", "published": i % 2 == 0,
                                   "author_id": ann["id"]})
           for i in range(3)]
    post(srv, "/secrets", {"note": "s", "author_id": ann["id"]},
         headers=TOKEN)
    return {"ann": ann, "bob": bob, "cid": cid, "books": books, "pub": pub}


def get_ok(srv, path, headers=None):
    status, _, body, raw = srv.get(path, headers=headers)
    assert status == 200, raw
    return body


def test_forward_on_detail(srv, data):
    b = data["books"][0]
    body = get_ok(srv, f"/books/{b['id']}?expand=author")
    assert body == dict(b, author=data["ann"])


def test_forward_null_key(srv, data):
    x = data["books"][4]
    body = get_ok(srv, f"/books/{x['id']}?expand=author")
    assert body == dict(x, author=None)


def test_without_expand_unchanged(srv, data):
    b = data["books"][0]
    assert get_ok(srv, f"/books/{b['id']}") == b


def test_forward_on_list_pages(srv, data):
    by_id = {a["id"]: a for a in (data["ann"], data["bob"], data["cid"])}
    page = get_ok(srv, "/books?expand=author")
    assert len(page["results"]) == 5 and page["next"] is not None
    rows = list(page["results"])
    page2 = get_ok(srv, "/books?expand=author&cursor=" + page["next"])
    rows += page2["results"]
    assert [r["id"] for r in rows] == [b["id"] for b in data["books"]]
    for r, b in zip(rows, data["books"]):
        assert r == dict(b, author=by_id.get(b["author_id"]))


def test_reverse_with_cap(srv, data):
    body = get_ok(srv, "/authors?expand=books")
    assert body["count"] == 3
    got = {a["name"]: a["books"] for a in body["results"]}
    ann = [b for b in data["books"] if b["author_id"] == data["ann"]["id"]]
    # expand_limit: 2 -- Ann's third book is left out, in key order.
    assert got["Ann"] == ann[:2]
    assert got["Bob"] == [data["books"][3]]
    assert got["Cid"] == data["books"][5:7]


def test_reverse_on_detail_and_empty(srv, data):
    d = post(srv, "/authors", {"name": "Dee"})
    try:
        body = get_ok(srv, f"/authors/{d['id']}?expand=books")
        assert body == dict(d, books=[])
    finally:
        assert srv.delete(f"/authors/{d['id']}")[0] == 204


def test_forward_on_plain_list(srv, data):
    # No pagination: the whole (scoped) list, each row with its author.
    body = get_ok(srv, "/pubbooks?expand=author")
    assert body["results"] == [
        {"id": p["id"], "title": p["title"], "author": data["ann"]}
        for p in data["pub"] if p["published"]]


def test_several_relations(srv, data):
    a = data["ann"]
    for q in ("books,pubbooks", "books&expand=pubbooks",
              "pubbooks,books,books"):
        body = get_ok(srv, f"/authors/{a['id']}?expand={q}")
        assert set(body) == set(a) | {"books", "pubbooks"}
        assert len(body["books"]) == 2


def test_scoped_target_and_projection(srv, data):
    a = data["ann"]
    body = get_ok(srv, f"/authors/{a['id']}?expand=pubbooks")
    # Only the published rows, written with the target's serializer.
    want = [{"id": p["id"], "title": p["title"]} for p in data["pub"]
            if p["published"]]
    assert body["pubbooks"] == want and len(want) == 2


@pytest.mark.parametrize("path,name,msg", [
    ("/books?expand=title", "title", "relation not allowed"),
    ("/books?expand=author,authors", "authors", "relation not allowed"),
    ("/authors?expand=author", "author", "relation not allowed"),
])
def test_bad_relation_is_422(srv, data, path, name, msg):
    for p in (path, path.replace("?", f"/{data['books'][0]['id']}?")
              if path.startswith("/books") else path):
        status, _, body, raw = srv.get(p)
        assert status == 422, raw
        assert body == {"detail": [{
            "type": "value_error", "loc": ["query", "expand"],
            "msg": f"Value error, {msg} '{name}'", "input": name}]}


def test_protected_target(srv, data):
    a = data["ann"]
    status, headers, body, raw = srv.get(f"/authors?expand=secrets")
    assert status == 403, raw
    assert body == {"detail": "You do not have permission to expand "
                              "'secrets'."}
    assert "www-authenticate" not in headers
    status, _, body, raw = srv.get(f"/authors/{a['id']}?expand=secrets")
    assert status == 403, raw
    body = get_ok(srv, f"/authors/{a['id']}?expand=secrets", headers=TOKEN)
    assert [s["note"] for s in body["secrets"]] == ["s"]


def db_calls(srv):
    fams = scrape(srv.get)
    return value(fams, "lightapid_db_query_duration_seconds",
                 "lightapid_db_query_duration_seconds_count")


def calls_for(srv, path):
    before = db_calls(srv)
    get_ok(srv, path)
    return db_calls(srv) - before


def test_one_statement_per_relation(srv, data):
    # A cursor page needs no count: its own statement, then one per
    # relation, however many rows the page holds.
    plain = calls_for(srv, "/books")
    assert plain >= 1
    assert calls_for(srv, "/books?expand=author") == plain + 1
    # Page-number list with a cached count, two reverse relations.
    get_ok(srv, "/authors")
    plain = calls_for(srv, "/authors")
    assert calls_for(srv, "/authors?expand=books,pubbooks") == plain + 2


def test_openapi_parameter(srv):
    doc = get_ok(srv, "/openapi.json")

    def expand_param(op):
        ps = [p for p in op.get("parameters", []) if p["name"] == "expand"]
        assert len(ps) == 1
        assert ps[0]["in"] == "query" and ps[0]["explode"] is False
        return ps[0]["schema"]["items"]["enum"]

    paths = doc["paths"]
    assert expand_param(paths["/authors"]["get"]) == \
        ["books", "pubbooks", "secrets"]
    assert expand_param(paths["/books/{id}"]["get"]) == ["author"]
    assert "422" in paths["/books/{id}"]["get"]["responses"]
    assert not any(p["name"] == "expand"
                   for p in paths["/secrets"]["get"].get("parameters", []))


@pytest.mark.parametrize("name", ["ghost", "title", "secretz"])
def test_unknown_declared_relation_is_a_config_error(tmp_path, name):
    text = CONFIG.replace("expand: [author]", f"expand: [author, {name}]")
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1, (out, err)
    line, col = pos_of(render(text, tmp_path), f"{name}]")
    assert f"{cfg}:{line}:{col}: meta.expand: '{name}' is neither" in err, \
        err


def test_dump_shows_expand(tmp_path):
    cfg = write_config(tmp_path, CONFIG)
    rc, out, err = run_cli(["-T", "-c", cfg])
    assert rc == 0, err
    assert "      expand: [\"books\", \"pubbooks\", \"secrets\"]\n" \
           "      expand_limit: 2\n" in out, out
    assert "      expand: [\"author\"]\n      expand_limit: 100\n" in out, out


MANY = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /authors
    fields:
      name: {type: str}
    meta:
      expand: [books]
  - route: /books
    fields:
      title: {type: str}
      author_id: {type: int, foreign_key: authors.id}
    meta:
      expand: [author]
"""


def test_many_keys_on_a_plain_list(server):
    # 70 distinct keys: past the first sizes of the key table, and every
    # row still meets its own related rows, in one statement each way.
    srv = server(MANY, workers=1)
    authors = [post(srv, "/authors", {"name": f"a{i}"}) for i in range(70)]
    books = [post(srv, "/books", {"title": f"{a['name']}-{j}",
                                  "author_id": a["id"]})
             for j in range(2) for a in authors]
    by_id = {a["id"]: a for a in authors}
    plain = calls_for(srv, "/books")
    before = db_calls(srv)
    rows = get_ok(srv, "/books?expand=author")["results"]
    assert db_calls(srv) - before == plain + 1
    assert rows == [dict(b, author=by_id[b["author_id"]]) for b in books]
    rows = get_ok(srv, "/authors?expand=books")["results"]
    assert rows == [dict(a, books=[b for b in books
                                   if b["author_id"] == a["id"]])
                    for a in authors]


def test_openapi_lists_the_403_of_a_protected_expansion(srv):
    # /authors may expand /secrets, whose GET wants a token: without one
    # the expansion is a 403, which its GET operations must list.
    # /books expands only /authors, which is open: no 403 there.
    status, _, doc, raw = srv.get("/openapi.json")
    assert status == 200, raw
    paths = doc["paths"]
    assert "403" in paths["/authors"]["get"]["responses"]
    assert "403" in paths["/authors/{id}"]["get"]["responses"]
    assert "401" not in paths["/authors"]["get"]["responses"]
    assert "403" not in paths["/books"]["get"]["responses"]
    assert "403" not in paths["/books/{id}"]["get"]["responses"]
    assert "403" not in paths["/authors"]["post"]["responses"]
