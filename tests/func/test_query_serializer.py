"""meta.serializer (SPEC section 7): output projection in schema order; input
is not affected; error bodies are not projected."""

import pytest

from test_query_helpers import get_ok, seed

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /both
    fields:
      a: {type: str}
      b: {type: int, default: 0}
      c: {type: str, optional: true}
      d: {type: bool, default: true}
    meta:
      serializer: {fields: [version, c, id, a]}
  - route: /rw
    fields:
      name: {type: str, min_length: 1}
      price: {type: float}
      secret: {type: str, optional: true}
    meta:
      serializer: {read: [updated_at, secret, name, id], write: [version, id, price]}
  - route: /paged
    fields:
      name: {type: str}
      price: {type: float}
    meta:
      filtering: {fields: [price], ordering: [price]}
      pagination: {style: page_number, page_size: 2}
      serializer: {fields: [price, name]}
  - route: /cursored
    fields:
      name: {type: str}
      price: {type: float}
    meta:
      pagination: {style: cursor, page_size: 2}
      serializer: {read: [name], write: [id, version]}
  - route: /nameonly
    fields:
      name: {type: str}
      price: {type: float}
    meta:
      serializer: {fields: [name]}
"""

BOTH = ["a", "c", "id", "version"]
READ = ["name", "secret", "id", "updated_at"]
WRITE = ["price", "id", "version"]


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


def ok(result, status=200):
    assert result[0] == status, result[3][:300]
    return result[2]


# ---- fields: every response ------------------------------------------------------

def test_fields_post(srv):
    row = ok(srv.post("/both", {"a": "x", "b": 5, "c": "cc"}), 201)
    assert list(row) == BOTH
    assert row["a"] == "x" and row["c"] == "cc" and row["version"] == 1


def test_fields_detail_list_put_patch(srv):
    row = ok(srv.post("/both", {"a": "y", "b": 6}), 201)
    rid = row["id"]
    assert list(ok(srv.get(f"/both/{rid}"))) == BOTH
    data = ok(srv.get("/both"))
    assert list(data) == ["results"]
    assert data["results"] and all(list(r) == BOTH for r in data["results"])
    put = ok(srv.put(f"/both/{rid}", {"a": "z", "version": 1}))
    assert list(put) == BOTH and put["a"] == "z" and put["version"] == 2
    patch = ok(srv.patch(f"/both/{rid}", {"c": "p", "version": 2}))
    assert list(patch) == BOTH and patch["c"] == "p" and patch["version"] == 3


def test_fields_hidden_input_still_stored(srv):
    row = ok(srv.post("/both", {"a": "h", "b": 42, "d": False}), 201)
    assert "b" not in row and "d" not in row
    rid = row["id"]
    # b and d are not shown, but a PATCH on them is accepted and bumps version.
    patch = ok(srv.patch(f"/both/{rid}", {"b": 43, "version": 1}))
    assert patch["version"] == 2 and list(patch) == BOTH


def test_fields_error_bodies_not_projected(srv):
    status, _, data, raw = srv.post("/both", {"b": 1})
    assert status == 422, raw
    assert list(data) == ["detail"] and data["detail"][0]["loc"] == ["a"]
    status, _, data, _ = srv.get("/both/999999")
    assert (status, data) == (404, {"detail": "not found"})
    status, _, data, _ = srv.patch("/both/1", {"a": "q"})
    assert status == 422 and data["detail"][0]["loc"] == ["version"]


# ---- read / write ---------------------------------------------------------------

def test_write_projection_on_post(srv):
    row = ok(srv.post("/rw", {"name": "n1", "price": 2.5, "secret": "s"}), 201)
    assert list(row) == WRITE
    assert row["price"] == 2.5 and row["version"] == 1


def test_read_projection_on_get(srv):
    rid = ok(srv.post("/rw", {"name": "n2", "price": 3.0, "secret": "s2"}),
             201)["id"]
    got = ok(srv.get(f"/rw/{rid}"))
    assert list(got) == READ
    # name and secret are outside `write` but were stored all the same.
    assert got["name"] == "n2" and got["secret"] == "s2" and got["id"] == rid
    data = ok(srv.get("/rw"))
    assert data["results"] and all(list(r) == READ for r in data["results"])


def test_write_projection_on_put_and_patch(srv):
    rid = ok(srv.post("/rw", {"name": "n3", "price": 1.0}), 201)["id"]
    put = ok(srv.put(f"/rw/{rid}", {"name": "n3b", "price": 4.0,
                                    "secret": "t", "version": 1}))
    assert list(put) == WRITE and put["price"] == 4.0 and put["version"] == 2
    patch = ok(srv.patch(f"/rw/{rid}", {"name": "n3c", "version": 2}))
    assert list(patch) == WRITE and patch["version"] == 3
    got = ok(srv.get(f"/rw/{rid}"))
    assert (got["name"], got["secret"]) == ("n3c", "t")


def test_write_validation_still_applies(srv):
    # `name` is outside `write` but is still validated on input.
    status, _, data, raw = srv.post("/rw", {"name": "", "price": 1})
    assert status == 422, raw
    assert data["detail"][0]["loc"] == ["name"]


def test_head_matches_get_projection(srv):
    rid = ok(srv.post("/rw", {"name": "h", "price": 1.0}), 201)["id"]
    status, headers, _, raw = srv.request("HEAD", f"/rw/{rid}")
    assert status == 200 and raw == b""
    _, gheaders, _, graw = srv.get(f"/rw/{rid}")
    assert headers.get("content-length") == gheaders.get("content-length") \
        == str(len(graw))


# ---- with pagination ------------------------------------------------------------

def test_page_envelope_not_projected(srv):
    seed(srv, "/paged", [{"name": f"n{i}", "price": float(5 - i)}
                         for i in range(5)])
    data = get_ok(srv, "/paged?ordering=price")
    assert list(data) == ["count", "pages", "next", "previous", "results"]
    assert data["count"] == 5 and data["pages"] == 3
    assert data["results"] == [{"name": "n4", "price": 1.0},
                               {"name": "n3", "price": 2.0}]


def test_filter_on_field_then_projected(srv):
    data = get_ok(srv, "/paged?price=3")
    assert data["results"] == [{"name": "n2", "price": 3.0}]


def test_cursor_envelope_with_projection(srv):
    rows = seed(srv, "/cursored", [{"name": f"c{i}", "price": 1.0}
                                   for i in range(5)])
    assert all(list(r) == ["id", "version"] for r in rows)
    first = get_ok(srv, "/cursored")
    assert list(first) == ["next", "previous", "results"]
    assert first["results"] == [{"name": "c0"}, {"name": "c1"}]
    second = get_ok(srv, "/cursored?cursor=" + first["next"])
    assert second["results"] == [{"name": "c2"}, {"name": "c3"}]


def test_projection_without_id(srv):
    rows = seed(srv, "/nameonly", [{"name": "only", "price": 9.0}])
    assert rows == [{"name": "only"}]
    assert get_ok(srv, "/nameonly") == {"results": [{"name": "only"}]}
    assert ok(srv.get("/nameonly/1")) == {"name": "only"}
