"""Database constraint violations map to 409 (SPEC §4)."""

import pytest


CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /authors
    fields:
      email: {type: str, unique: true}
      name: {type: str}
  - route: /posts
    fields:
      title: {type: str}
      author_id: {type: int, foreign_key: "authors.id"}
  - route: /tags
    fields:
      label: {type: str, unique: true}
    meta:
      table: labels
"""


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


FK_KIND = "foreign key constraint violated"


def create(srv, path, body):
    status, _, row, raw = srv.post(path, body)
    assert status == 201, raw
    return row


def test_unique_violation_on_post(srv):
    create(srv, "/authors", {"email": "a@x", "name": "A"})
    status, headers, data, raw = srv.post("/authors", {"email": "a@x", "name": "B"})
    assert status == 409, raw
    assert headers.get("content-type", "").startswith("application/json")
    assert data == {"detail": "unique constraint violated: authors.email"}


def test_unique_violation_uses_table_name(srv):
    create(srv, "/tags", {"label": "red"})
    status, _, data, raw = srv.post("/tags", {"label": "red"})
    assert status == 409, raw
    assert data == {"detail": "unique constraint violated: labels.label"}


def test_unique_violation_on_patch(srv):
    create(srv, "/authors", {"email": "p1@x", "name": "P1"})
    other = create(srv, "/authors", {"email": "p2@x", "name": "P2"})
    status, _, data, raw = srv.patch(f"/authors/{other['id']}",
                                     {"email": "p1@x", "version": 1})
    assert status == 409, raw
    assert data == {"detail": "unique constraint violated: authors.email"}
    assert srv.get(f"/authors/{other['id']}")[2] == other


def test_unique_violation_on_put(srv):
    create(srv, "/authors", {"email": "u1@x", "name": "U1"})
    other = create(srv, "/authors", {"email": "u2@x", "name": "U2"})
    status, _, data, _ = srv.put(f"/authors/{other['id']}",
                                 {"email": "u1@x", "name": "U2", "version": 1})
    assert status == 409
    assert data == {"detail": "unique constraint violated: authors.email"}


def test_failed_insert_leaves_no_row(srv):
    create(srv, "/authors", {"email": "once@x", "name": "O"})
    status, _, data, raw = srv.post("/authors", {"email": "once@x", "name": "O2"})
    assert (status, data) == (409, {"detail": "unique constraint violated: authors.email"}), raw
    rows = [r for r in srv.get("/authors")[2]["results"] if r["email"] == "once@x"]
    assert len(rows) == 1


def test_foreign_key_missing_row(srv):
    status, headers, data, raw = srv.post("/posts", {"title": "t", "author_id": 999999})
    assert status == 409, raw
    assert headers.get("content-type", "").startswith("application/json")
    assert data["detail"].startswith(FK_KIND), data


def test_foreign_key_existing_row(srv):
    author = create(srv, "/authors", {"email": "fk@x", "name": "F"})
    post = create(srv, "/posts", {"title": "t", "author_id": author["id"]})
    assert post["author_id"] == author["id"]


def test_foreign_key_on_patch(srv):
    author = create(srv, "/authors", {"email": "fk2@x", "name": "F"})
    post = create(srv, "/posts", {"title": "t", "author_id": author["id"]})
    status, _, data, raw = srv.patch(f"/posts/{post['id']}",
                                     {"author_id": 888888, "version": 1})
    assert status == 409, raw
    assert data["detail"].startswith(FK_KIND), data


def test_delete_referenced_row(srv):
    # Deleting a row that is still referenced violates the foreign key.
    author = create(srv, "/authors", {"email": "ref@x", "name": "R"})
    create(srv, "/posts", {"title": "t", "author_id": author["id"]})
    status, _, data, raw = srv.delete(f"/authors/{author['id']}")
    assert status == 409, raw
    assert data["detail"].startswith(FK_KIND), data
    assert srv.get(f"/authors/{author['id']}")[0] == 200


# SQLite reports a foreign key failure without naming the key: lightapid
# asks the database which one it was (src/http/fkdetail.c).
@pytest.mark.parametrize("case", ["insert", "update", "delete"])
def test_foreign_key_detail_names_the_column(srv, case):
    # SPEC §4 and lightapi.yaml(5) HTTP STATUS CODES: the 409 names "the
    # kind of constraint ... and the column or constraint", like
    # "unique constraint violated: authors.email".
    author = create(srv, "/authors", {"email": f"fkd-{case}@x", "name": "D"})
    post = create(srv, "/posts", {"title": "t", "author_id": author["id"]})
    if case == "insert":
        resp = srv.post("/posts", {"title": "t", "author_id": 777777})
    elif case == "update":
        resp = srv.patch(f"/posts/{post['id']}", {"author_id": 777777, "version": 1})
    else:
        resp = srv.delete(f"/authors/{author['id']}")
    status, _, data, raw = resp
    assert status == 409, raw
    assert data == {"detail": "foreign key constraint violated: posts.author_id"}
