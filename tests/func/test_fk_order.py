"""A foreign key may name a table declared later in the file: tables are
created after the ones they reference, on every engine (PostgreSQL would
refuse a REFERENCES to a table not there yet)."""

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /posts
    fields:
      title: {type: str}
      author_id: {type: int, foreign_key: authors.id}
  - route: /authors
    fields:
      name: {type: str}
"""


def test_forward_foreign_key(server):
    srv = server(CONFIG, workers=1)
    author = srv.post("/authors", {"name": "ann"})
    assert author[0] == 201, author[3]
    post = srv.post("/posts", {"title": "t", "author_id": author[2]["id"]})
    assert post[0] == 201, post[3]
    bad = srv.post("/posts", {"title": "t", "author_id": 999999})
    assert bad[0] == 409, bad[3]
    # The routes keep the order of the file where nothing forces another.
    assert srv.get("/posts")[0] == 200 and srv.get("/authors")[0] == 200
