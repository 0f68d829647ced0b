"""GET /docs in a real browser (issue 13): Debian's chromium, driven by
playwright-core from tests/js (tests/js/docs-browser.mjs), opens the page
of a running lightapid, finds every documented operation, runs "Try it
out" on a list route and sees a 200 with the rows, and on a JWT endpoint
sees 401, authorizes with a token from /auth/login and then sees 200.
The page must load under its Content-Security-Policy without a single
violation. The screenshot is kept in the test's tmp directory.

chromium and node come from tests/deps.sh, which .ci/run runs: in CI
their absence fails the test; on a developer machine without them it is
skipped, saying what to install.
"""

import json
import os
import shutil
import subprocess

import pytest

from conftest import REPO
from test_auth_util import hash_sha512

JS = REPO / "tests" / "js"
SWAGGER_UI = JS / "node_modules" / "swagger-ui-dist"
SECRET = "docs-browser-secret-Kp4"

CONFIG = """\
database:
  url: "sqlite:///{TMP}/docs.db"
swagger_title: "Browser test"
swagger_ui_path: "%s"
auth:
  jwt_secret: "%s"
  login_validator:
    file: {TMP}/users
endpoints:
  - route: /books
    fields:
      title: {type: str}
      year: {type: int, optional: true}
    meta:
      methods: [GET, POST]
      filtering: {fields: [year], ordering: [year]}
      pagination: {style: page_number, page_size: 10}
  - route: /secrets
    fields:
      text: {type: str}
    meta:
      methods: [GET]
      authentication: {backend: JWTAuthentication,
                       permission: IsAuthenticated}
"""


def tools():
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    node = shutil.which("node")
    have = chromium and node and (JS / "node_modules" /
                                  "playwright-core").exists()
    if not have:
        msg = ("chromium, node or tests/js/node_modules missing: run "
               "tests/deps.sh as root")
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return node, chromium


def test_docs_in_chromium(server, tmp_path):
    node, chromium = tools()
    (tmp_path / "users").write_text(
        "reader:%s:{\"is_admin\":false}\n" % hash_sha512("reader-pw"))
    srv = server(CONFIG % (SWAGGER_UI, SECRET))
    for title, year in (("Dune", 1965), ("Solaris", 1961)):
        assert srv.post("/books", {"title": title, "year": year})[0] == 201
    doc = srv.get("/openapi.json")[2]
    env = dict(os.environ, CHROMIUM=chromium)
    res = subprocess.run(
        [node, str(JS / "docs-browser.mjs"), f"http://127.0.0.1:{srv.port}",
         str(tmp_path), "reader", "reader-pw", "GET /books",
         "GET /secrets"],
        capture_output=True, text=True, timeout=240, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])

    documented = {f"{verb.upper()} {path}"
                  for path, item in doc["paths"].items()
                  for verb in ("get", "post", "put", "patch", "delete")
                  if verb in item}
    assert set(out["operations"]) == documented
    assert len(out["operations"]) == len(documented)

    assert out["list"]["status"] == 200
    page = json.loads(out["list"]["body"])
    assert page["count"] == 2
    assert {r["title"] for r in page["results"]} == {"Dune", "Solaris"}

    assert out["jwtBefore"]["status"] == 401
    assert out["jwtAfter"]["status"] == 200
    assert json.loads(out["jwtAfter"]["body"]) == {"results": []}

    assert out["csp"] == [], out["csp"]
    assert not [m for m in out["console"] if "Content Security" in m], \
        out["console"]
    shot = tmp_path / "docs.png"
    assert out["screenshot"] == str(shot)
    assert shot.stat().st_size > 10000
