"""A reflected table keyed by a UUID: an id that is not a UUID names no row
(404 on every engine, never the engine's own refusal as a 500), and any
spelling of the UUID that validation accepts finds the row."""

from conftest import sqlite_db

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /tokens
    reflect: true
"""

U = "6f1c7a6e-1b2c-4d5e-8f90-0123456789ab"


def test_uuid_key(server, tmp_path):
    sqlite_db(tmp_path, "CREATE TABLE tokens (id UUID PRIMARY KEY, "
                        "label TEXT)",
              f"INSERT INTO tokens (id, label) VALUES ('{U}', 'one')")
    srv = server(CONFIG, workers=1)
    assert srv.get(f"/tokens/{U}")[2]["label"] == "one"
    assert srv.get(f"/tokens/{U.upper()}")[2]["label"] == "one"
    assert srv.get("/tokens/" + U.replace("-", ""))[0] == 200
    for bad in ["zzz", "1", U[:-1], U + "0"]:
        status, _, data, _ = srv.request("GET", f"/tokens/{bad}")
        assert (status, data) == (404, {"detail": "not found"}), bad
        assert srv.request("DELETE", f"/tokens/{bad}")[0] == 404
