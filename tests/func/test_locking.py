"""Optimistic locking (SPEC §4, §5)."""

import pytest

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /docs
    fields:
      title: {type: str, min_length: 1}
      note: {type: str, optional: true}
"""

VERSION_REQUIRED = {"detail": [{"loc": ["version"], "msg": "Field required",
                                "type": "missing"}]}
CONFLICT = {"detail": "version conflict"}
NOT_FOUND = {"detail": "not found"}


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


def create(srv, title="t"):
    status, _, row, raw = srv.post("/docs", {"title": title})
    assert status == 201, raw
    return row


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("body", [{"title": "x"}, {"title": "x", "version": None},
                                  {}])
def test_version_required(srv, method, body):
    row = create(srv)
    status, _, data, raw = srv.request(method, f"/docs/{row['id']}", body=body)
    assert status == 422
    assert data == VERSION_REQUIRED, raw
    assert srv.get(f"/docs/{row['id']}")[2] == row


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_version_required_before_validation(srv, method):
    row = create(srv)
    status, _, data, _ = srv.request(method, f"/docs/{row['id']}",
                                     body={"title": ""})
    assert (status, data) == (422, VERSION_REQUIRED)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_version_required_before_lookup(srv, method):
    status, _, data, _ = srv.request(method, "/docs/987654", body={"title": "x"})
    assert (status, data) == (422, VERSION_REQUIRED)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_stale_version_conflict(srv, method):
    row = create(srv)
    path = f"/docs/{row['id']}"
    assert srv.patch(path, {"note": "a", "version": 1})[0] == 200
    status, headers, data, raw = srv.request(method, path,
                                             body={"title": "late", "version": 1})
    assert status == 409, raw
    assert headers.get("content-type", "").startswith("application/json")
    assert data == CONFLICT
    current = srv.get(path)[2]
    assert current["title"] == "t" and current["version"] == 2


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_future_version_conflict(srv, method):
    row = create(srv)
    status, _, data, _ = srv.request(method, f"/docs/{row['id']}",
                                     body={"title": "x", "version": 5})
    assert (status, data) == (409, CONFLICT)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_unknown_id_with_version(srv, method):
    status, _, data, _ = srv.request(method, "/docs/987654",
                                     body={"title": "x", "version": 1})
    assert (status, data) == (404, NOT_FOUND)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_version_string_coerced(srv, method):
    row = create(srv)
    status, _, new, raw = srv.request(method, f"/docs/{row['id']}",
                                      body={"title": "s", "version": "1"})
    assert status == 200, raw
    assert new["version"] == 2 and new["title"] == "s"


def test_version_float_integral_coerced(srv):
    row = create(srv)
    status, _, new, raw = srv.patch(f"/docs/{row['id']}",
                                    {"title": "f", "version": 1.0})
    assert status == 200, raw
    assert new["version"] == 2


INT_PARSING = ("int_parsing", "Input should be a valid integer, unable to "
               "parse string as an integer")
INT_TYPE = ("int_type", "Input should be a valid integer")
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("bad,code", [
    ("x", INT_PARSING), ("1.5", INT_PARSING),
    ([1], INT_TYPE), ({"v": 1}, INT_TYPE),
])
def test_version_not_integer(srv, method, bad, code):
    # SPEC §5: version is coerced "like any int" (test_validation.py
    # test_int_errors gives an int field's codes: a list or an object is
    # int_type, a string that does not parse int_parsing).
    row = create(srv)
    status, _, data, raw = srv.request(method, f"/docs/{row['id']}",
                                       body={"title": "x", "version": bad})
    assert status == 422, raw
    assert data == {"detail": [{"type": code[0], "loc": ["version"],
                                "msg": code[1], "input": bad}]}, raw
    assert srv.get(f"/docs/{row['id']}")[2] == row


def test_patch_only_version_bumps(srv):
    row = create(srv)
    status, _, new, raw = srv.patch(f"/docs/{row['id']}", {"version": 1})
    assert status == 200, raw
    assert new["version"] == 2
    assert new["updated_at"] > row["updated_at"]
    assert new["created_at"] == row["created_at"]
    assert new["title"] == row["title"]


def test_versions_increase_by_one(srv):
    row = create(srv)
    path = f"/docs/{row['id']}"
    for v in range(1, 6):
        status, _, new, _ = srv.put(path, {"title": f"v{v}", "version": v})
        assert status == 200 and new["version"] == v + 1


def test_concurrent_writers_one_wins(srv):
    # Several clients send PATCH with the same version: exactly one succeeds.
    import threading
    row = create(srv)
    path = f"/docs/{row['id']}"
    results = []

    def writer(i):
        results.append(srv.patch(path, {"note": f"w{i}", "version": 1})[0])

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == [200] + [409] * 7
    assert srv.get(path)[2]["version"] == 2


def test_delete_needs_no_version(srv):
    row = create(srv)
    assert srv.delete(f"/docs/{row['id']}")[0] == 204


def test_put_after_delete_is_404(srv):
    row = create(srv)
    srv.delete(f"/docs/{row['id']}")
    status, _, data, _ = srv.put(f"/docs/{row['id']}", {"title": "x", "version": 1})
    assert (status, data) == (404, NOT_FOUND)
