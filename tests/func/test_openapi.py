"""GET /openapi.json and GET /docs (SPEC §11, issue 13).

The documents of several configurations (the shipped example, JWT and
Basic with per-verb permissions, reflected tables, cursor pagination, the
tables format) are checked three ways:

- by two OpenAPI 3.1 validators from npm, installed by tests/js/setup.sh
  from tests/js/package-lock.json: @seriousme/openapi-schema-validator
  (the document against the official 3.1 JSON Schema) and `redocly lint`
  (its recommended rules: operationIds, path parameters, security,
  references...), with no error and no warning;
- against the running server: every documented path answers OPTIONS with
  exactly the documented verbs in Allow, and an undocumented verb gets
  405; every operation whose security needs credentials answers 401
  without them, and no other does;
- against real responses: the rows and list envelopes the server sends
  are instances of the schemas the document gives for them.
"""

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, run_cli, sqlite_db, wait_until
from test_auth_util import basic, hash_sha512

JS = REPO / "tests" / "js"
NODE_MODULES = JS / "node_modules"
SWAGGER_UI = NODE_MODULES / "swagger-ui-dist"
VERBS = ("get", "post", "put", "patch", "delete")
SECRET = "openapi-jwt-secret-Qx7"


def node_tools():
    """tests/js/node_modules, installed by tests/deps.sh. In CI (.ci/run
    runs deps.sh first) a missing install is a failure, never a skip."""
    if shutil.which("node") and (NODE_MODULES / ".bin" / "redocly").exists():
        return NODE_MODULES / ".bin"
    msg = "node or tests/js/node_modules missing: run tests/js/setup.sh"
    if os.environ.get("CI"):
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def tool_env():
    env = dict(os.environ)
    # Nothing may leave the machine: no telemetry, no update check.
    env.update(REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true",
               NO_UPDATE_NOTIFIER="1", SCARF_ANALYTICS="false")
    return env


def validate(doc, tmp_path):
    """Both validators on doc; fails the test with their complaints."""
    bin_dir = node_tools()
    path = Path(tmp_path) / "openapi.json"
    path.write_text(json.dumps(doc))
    res = subprocess.run([str(bin_dir / "validate-api"), str(path)],
                         capture_output=True, text=True, timeout=120,
                         env=tool_env())
    out = json.loads(res.stdout)
    assert res.returncode == 0 and out.get("valid") is True, res.stdout
    res = subprocess.run([str(bin_dir / "redocly"), "lint", "--format=json",
                          "--config", str(JS / "redocly.yaml"), str(path)],
                         capture_output=True, text=True, timeout=120,
                         env=tool_env())
    report = json.loads(res.stdout)
    problems = [(p["severity"], p["ruleId"], p["message"],
                 p["location"][0]["pointer"]) for p in report["problems"]]
    assert problems == [], problems
    assert res.returncode == 0


def get_doc(srv):
    status, headers, body, _ = srv.get("/openapi.json")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert body["openapi"] == "3.1.0"
    return body


def operations(doc):
    for path, item in doc["paths"].items():
        for verb in VERBS:
            if verb in item:
                yield path, verb, item[verb]


def concrete(path, row="1"):
    return path.replace("{id}", row)


def check_verbs(srv, doc):
    """Allow of every documented path is exactly its documented verbs."""
    for path, item in doc["paths"].items():
        verbs = {v.upper() for v in VERBS if v in item}
        status, headers, _, _ = srv.request("OPTIONS", concrete(path))
        assert status == 204, path
        allow = {v.strip() for v in headers["allow"].split(",")}
        assert allow - {"HEAD", "OPTIONS"} == verbs, (path, allow)
        for verb in set(v.upper() for v in VERBS) - verbs:
            status, _, _, _ = srv.request(verb, concrete(path), body={})
            assert status == 405, (verb, path)


def needs_credentials(op):
    sec = op.get("security")
    return bool(sec) and {} not in sec


def check_security(srv, doc):
    """401 without credentials exactly where the document says so (on a
    row that does not exist: credentials are checked first)."""
    for path, verb, op in operations(doc):
        if path.endswith(("/login", "/token")):
            continue
        status, headers, _, _ = srv.request(verb.upper(),
                                            concrete(path, "987654"),
                                            body={})
        if needs_credentials(op):
            assert status == 401, (verb, path, status)
            scheme = list(op["security"][0])[0]
            want = "Bearer" if scheme == "bearerAuth" else "Basic"
            assert headers["www-authenticate"].startswith(want)
            assert "401" in op["responses"]
        else:
            assert status != 401, (verb, path, status)


def resolve(doc, schema):
    while "$ref" in schema:
        node = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


JSON_TYPES = {"string": str, "integer": int, "number": (int, float),
              "boolean": bool, "object": dict, "array": list,
              "null": type(None)}


def conforms(doc, schema, value, where="$"):
    """The parts of JSON Schema the documents use: type (arrays for
    nullability), required, properties, items, enum, $ref."""
    schema = resolve(doc, schema)
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        ok = any(isinstance(value, JSON_TYPES[t]) and
                 not (t in ("integer", "number") and isinstance(value, bool))
                 for t in types)
        assert ok, f"{where}: {value!r} is not {types}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: {key} missing"
        props = schema.get("properties", {})
        if props:
            assert set(value) <= set(props), f"{where}: extra {set(value) - set(props)}"
        for key, sub in props.items():
            if key in value:
                conforms(doc, sub, value[key], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            conforms(doc, schema["items"], item, f"{where}[{i}]")
    if "enum" in schema:
        assert value in schema["enum"], where


def response_schema(doc, path, verb, status):
    op = doc["paths"][path][verb]
    return op["responses"][str(status)]["content"]["application/json"]["schema"]


# ---- the shipped example --------------------------------------------------

def example_server(server, tmp_path, extra=""):
    text = (REPO / "etc" / "lightapi.yaml").read_text()
    text += f"\nswagger_ui_path: \"{SWAGGER_UI}\"\n" + extra
    return server(text, env={"LIGHTAPI_DB": str(tmp_path / "books.db")})


def test_example_document(server, tmp_path):
    srv = example_server(server, tmp_path)
    doc = get_doc(srv)
    validate(doc, tmp_path)
    assert doc["info"]["title"] == "LightAPI"
    version = run_cli(["-V"])[1] + run_cli(["-V"])[2]
    assert doc["info"]["version"] in version
    assert set(doc["paths"]) == {"/books", "/books/{id}"}
    assert set(doc["paths"]["/books"]) == {"get", "post"}
    assert set(doc["paths"]["/books/{id}"]) - {"parameters"} == {
        "get", "put", "patch", "delete"}
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert sorted(ids) == sorted(["list_books", "create_books",
                                  "retrieve_books", "replace_books",
                                  "update_books", "delete_books"])
    check_verbs(srv, doc)
    check_security(srv, doc)

    schemas = doc["components"]["schemas"]
    create = schemas["books.Create"]
    assert set(create["required"]) == {"title", "author"}
    assert create["properties"]["title"]["minLength"] == 1
    assert create["properties"]["title"]["maxLength"] == 200
    assert create["properties"]["year"]["type"] == ["integer", "null"]
    assert create["properties"]["year"]["minimum"] == 0
    assert create["properties"]["isbn"]["pattern"].startswith("^(97[89]")
    assert create["properties"]["price"]["type"] == "string"
    assert create["properties"]["price"]["default"] == "0.00"
    assert create["properties"]["in_stock"]["default"] is True
    assert create["properties"]["published"]["format"] == "date"
    assert not set(create["properties"]) & {"id", "created_at",
                                             "updated_at", "version"}
    assert "version" in schemas["books.Replace"]["required"]
    assert schemas["books.Update"]["required"] == ["version"]
    read = schemas["books"]
    for col in ("id", "created_at", "updated_at", "version"):
        assert read["properties"][col]["readOnly"] is True
    assert read["properties"]["created_at"]["format"] == "date-time"

    # Every query parameter the list reads, typed.
    params = {p["name"]: p for p in doc["paths"]["/books"]["get"]["parameters"]}
    for field, typ in (("author", "string"), ("year", "integer"),
                       ("in_stock", "boolean")):
        assert params[field]["schema"]["type"] == typ
        for lookup in ("gt", "gte", "lt", "lte", "ne"):
            assert params[f"{field}__{lookup}"]["schema"]["type"] == typ
        assert params[f"{field}__in"]["schema"]["items"]["type"] == typ
        assert params[f"{field}__isnull"]["schema"]["type"] == "boolean"
        for lookup in ("contains", "icontains", "startswith"):
            assert f"{field}__{lookup}" in params
    assert "title" not in params and "search" in params
    assert set(params["ordering"]["schema"]["items"]["enum"]) == {
        "year", "-year", "price", "-price", "title", "-title"}
    assert params["page_size"]["schema"]["default"] == 20
    assert "page" in params and "cursor" not in params

    # Real responses are instances of the documented schemas.
    status, _, row, _ = srv.post("/books", {"title": "Dune",
                                            "author": "Frank Herbert",
                                            "year": 1965, "price": "9.5"})
    assert status == 201
    conforms(doc, response_schema(doc, "/books", "post", 201), row)
    status, _, page, _ = srv.get("/books?year__gte=1960&ordering=-year")
    assert status == 200 and page["count"] == 1
    conforms(doc, response_schema(doc, "/books", "get", 200), page)
    status, _, one, _ = srv.get(f"/books/{row['id']}")
    conforms(doc, response_schema(doc, "/books/{id}", "get", 200), one)
    status, _, err, _ = srv.put(f"/books/{row['id']}", {"title": ""})
    assert status == 422
    conforms(doc, doc["components"]["schemas"]["ValidationError"], err)
    status, _, err, _ = srv.get("/books/999")
    assert status == 404
    conforms(doc, doc["components"]["schemas"]["Error"], err)
    assert "404" in doc["paths"]["/books/{id}"]["get"]["responses"]


# ---- JWT and Basic, per-verb permissions, login ---------------------------

AUTH_CONFIG = """\
database:
  url: "sqlite:///{TMP}/auth.db"
swagger_title: "Auth <API>"
auth:
  jwt_secret: "%s"
  login_validator:
    file: {TMP}/users
endpoints:
  - route: /notes
    fields:
      body: {type: text, description: "What was noted"}
      due: {type: datetime, optional: true}
    meta:
      methods: [GET, POST, PUT, PATCH, DELETE]
      authentication:
        backend: JWTAuthentication
        permission: {GET: AllowAny, POST: IsAuthenticated,
                     PUT: IsAuthenticated, PATCH: IsAuthenticated,
                     DELETE: IsAdminUser}
      serializer: {read: [id, body], write: [id, body, version]}
  - route: /api/v1/audit
    fields:
      what: {type: str, max_length: 50}
      amount: {type: Decimal, decimal_places: 2, gt: 0}
      ref: {type: UUID, optional: true}
      extra: {type: json, optional: true}
    meta:
      methods:
        GET: {authentication: {permission: IsAuthenticated}}
        POST: {authentication: {permission: IsAdminUser}}
      authentication: {backend: BasicAuthentication}
  - route: /open
    fields:
      n: {type: int, gt: 0, le: 10}
    meta:
      methods: [GET]
"""


def auth_server(server, tmp_path, **extra):
    (tmp_path / "users").write_text(
        "alice:%s:{\"is_admin\":true}\nbob:%s:{\"is_admin\":false}\n"
        % (hash_sha512("alice-pw"), hash_sha512("bob-pw")))
    text = AUTH_CONFIG % SECRET + f"swagger_ui_path: \"{SWAGGER_UI}\"\n"
    for key, value in extra.items():
        text += f"{key}: {value}\n"
    return server(text)


def test_auth_document(server, tmp_path):
    srv = auth_server(server, tmp_path)
    doc = get_doc(srv)
    validate(doc, tmp_path)
    assert doc["info"]["title"] == "Auth <API>"
    assert set(doc["paths"]) == {"/notes", "/notes/{id}", "/api/v1/audit",
                                 "/api/v1/audit/{id}", "/auth/login",
                                 "/auth/token", "/open", "/open/{id}"}
    check_verbs(srv, doc)
    check_security(srv, doc)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer",
                                     "bearerFormat": "JWT"}
    assert schemes["basicAuth"] == {"type": "http", "scheme": "basic"}
    paths = doc["paths"]
    assert paths["/notes"]["get"]["security"] == [{}, {"bearerAuth": []}]
    assert paths["/notes"]["post"]["security"] == [{"bearerAuth": []}]
    assert "403" not in paths["/notes"]["post"]["responses"]
    assert paths["/notes/{id}"]["delete"]["security"] == [{"bearerAuth": []}]
    assert "403" in paths["/notes/{id}"]["delete"]["responses"]
    assert paths["/api/v1/audit"]["get"]["security"] == [{"basicAuth": []}]
    assert "403" in paths["/api/v1/audit"]["post"]["responses"]
    assert paths["/open"]["get"]["security"] == []
    assert paths["/api/v1/audit"]["get"]["operationId"] == "list_api_v1_audit"

    schemas = doc["components"]["schemas"]
    assert set(schemas["notes"]["properties"]) == {"id", "body"}
    assert set(schemas["notes.Written"]["properties"]) == {"id", "body",
                                                           "version"}
    assert schemas["notes.Create"]["properties"]["body"]["description"] == \
        "What was noted"
    assert schemas["notes.Create"]["properties"]["due"]["type"] == [
        "string", "null"]
    audit = schemas["api_v1_audit.Create"]["properties"]
    assert audit["amount"]["type"] == "string" and audit["amount"]["pattern"]
    assert audit["amount"]["exclusiveMinimum"] == 0
    assert audit["ref"]["format"] == "uuid"
    assert "type" not in audit["extra"]
    assert audit["what"]["maxLength"] == 50
    op = schemas["open"]["properties"]["n"]
    assert op["exclusiveMinimum"] == 0 and op["maximum"] == 10

    login = paths["/auth/login"]["post"]
    assert login["operationId"] == "login"
    assert paths["/auth/token"]["post"]["operationId"] == "token"
    assert {"401", "422", "429"} <= set(login["responses"])
    body = schemas["Login"]
    assert set(body["required"]) == {"username", "password"}
    assert set(schemas["LoginResult"]["required"]) == {"token", "user"}

    # The document matches what the routes do with credentials.
    status, _, res, _ = srv.post("/auth/login", {"username": "bob",
                                                 "password": "bob-pw"})
    assert status == 200
    conforms(doc, response_schema(doc, "/auth/login", "post", 200), res)
    auth = {"Authorization": "Bearer " + res["token"]}
    status, _, row, _ = srv.post("/notes", {"body": "x"}, headers=auth)
    assert status == 201
    conforms(doc, response_schema(doc, "/notes", "post", 201), row)
    status, _, _, _ = srv.delete(f"/notes/{row['id']}", headers=auth)
    assert status == 403
    status, _, res, _ = srv.get("/api/v1/audit",
                                headers=basic("bob", "bob-pw"))
    assert status == 200
    conforms(doc, response_schema(doc, "/api/v1/audit", "get", 200), res)


# ---- reflected tables, cursor pages, the tables format ---------------------

def reflected_db(tmp_path):
    sqlite_db(tmp_path,
              "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, "
              "customer TEXT NOT NULL, total REAL, placed TEXT DEFAULT "
              "'2026-01-01', version INTEGER NOT NULL DEFAULT 1)",
              "CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT)",
              "CREATE TABLE events (at TEXT, what TEXT)",
              ("INSERT INTO orders (customer, total) VALUES (?, ?)",
               [("ann", 10.5), ("bo", None), ("cy", 3.0)]),
              "INSERT INTO codes VALUES ('a', 'A')",
              "INSERT INTO events VALUES ('now', 'boot')")


REFLECT_CONFIG = """\
database_url: "sqlite:///{TMP}/test.db"
endpoints:
  - route: /orders
    reflect: true
    meta:
      filtering: {fields: [customer], ordering: [total]}
      pagination: {style: cursor, page_size: 2}
  - route: /codes
    reflect: true
    meta: {methods: [GET, POST, PUT, DELETE]}
  - route: /events
    reflect: true
"""


def test_reflected_cursor_document(server, tmp_path):
    reflected_db(tmp_path)
    srv = server(REFLECT_CONFIG + f"swagger_ui_path: \"{SWAGGER_UI}\"\n")
    doc = get_doc(srv)
    validate(doc, tmp_path)
    check_verbs(srv, doc)
    check_security(srv, doc)
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    # No primary key: list only, no detail path.
    assert set(paths["/events"]) == {"get"} and "/events/{id}" not in paths
    assert set(schemas["events"]["properties"]) == {"at", "what"}
    # A text key: the path parameter is a string.
    assert set(paths["/codes/{id}"]) == {"parameters", "get", "put", "delete"}
    assert paths["/codes/{id}"]["parameters"][0]["schema"]["type"] == "string"
    assert "version" not in schemas["codes.Replace"]["properties"]
    # Reflected columns, their nullability and defaults.
    orders = schemas["orders.Create"]
    assert orders["required"] == ["customer"]
    assert orders["properties"]["total"]["type"] == ["number", "null"]
    assert "version" in schemas["orders.Update"]["required"]
    assert schemas["orders"]["properties"]["id"]["readOnly"] is True
    # Cursor envelope and parameters.
    envelope = schemas["orders.List"]
    assert set(envelope["required"]) == {"next", "previous", "results"}
    params = {p["name"] for p in paths["/orders"]["get"]["parameters"]}
    assert {"cursor", "page_size", "customer", "customer__in",
            "ordering"} <= params and "page" not in params
    status, _, page, _ = srv.get("/orders?ordering=-total")
    assert status == 200 and page["next"], page
    conforms(doc, response_schema(doc, "/orders", "get", 200), page)
    status, _, page, _ = srv.get("/orders?ordering=-total&cursor=" +
                                 page["next"])
    assert status == 200 and page["previous"], page
    conforms(doc, response_schema(doc, "/orders", "get", 200), page)
    status, _, page, _ = srv.get("/events")
    conforms(doc, response_schema(doc, "/events", "get", 200), page)


TABLES_CONFIG = """\
database_url: "sqlite:///{TMP}/test.db"
swagger_title: "Tables"
tables:
  - name: orders
    crud: [get, post, patch]
  - name: events
    crud: [get]
"""


def test_tables_format_document(server, tmp_path):
    reflected_db(tmp_path)
    srv = server(TABLES_CONFIG + f"swagger_ui_path: \"{SWAGGER_UI}\"\n")
    doc = get_doc(srv)
    validate(doc, tmp_path)
    check_verbs(srv, doc)
    assert doc["info"]["title"] == "Tables"
    assert set(doc["paths"]["/orders"]) == {"get", "post"}
    assert set(doc["paths"]["/orders/{id}"]) == {"parameters", "get", "patch"}
    status, _, page, _ = srv.get("/orders")
    conforms(doc, response_schema(doc, "/orders", "get", 200), page)


# ---- switches, CORS, reload, -T --------------------------------------------

def test_enable_swagger_false(server, tmp_path):
    srv = example_server(server, tmp_path, "enable_swagger: false\n")
    for path in ("/openapi.json", "/docs", "/docs/init.js",
                 "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"):
        status, _, body, _ = srv.get(path)
        assert status == 404 and body == {"detail": "not found"}, path
    assert srv.get("/books")[0] == 200


def test_cors_reads_the_document(server, tmp_path):
    srv = example_server(server, tmp_path,
                         'cors_origins: ["https://editor.example"]\n')
    origin = {"Origin": "https://editor.example"}
    status, headers, doc, _ = srv.get("/openapi.json", headers=origin)
    assert status == 200 and doc["openapi"] == "3.1.0"
    assert headers["access-control-allow-origin"] == "https://editor.example"
    status, headers, _, _ = srv.request(
        "OPTIONS", "/openapi.json",
        headers={**origin, "Access-Control-Request-Method": "GET"})
    assert status == 204
    assert "GET" in headers["access-control-allow-methods"]
    status, headers, _, _ = srv.get("/openapi.json",
                                    headers={"Origin": "https://evil.example"})
    assert status == 200 and "access-control-allow-origin" not in headers


def test_document_follows_reload(server, tmp_path):
    srv = example_server(server, tmp_path)
    assert get_doc(srv)["info"]["title"] == "LightAPI"
    text = srv.config.read_text() + 'swagger_title: "Reloaded"\n'
    srv.config.write_text(text)
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: get_doc(srv)["info"]["title"] == "Reloaded",
                      timeout=10)


def test_dump_lists_the_routes(tmp_path):
    cfg = tmp_path / "l.yaml"
    cfg.write_text((REPO / "etc" / "lightapi.yaml").read_text() +
                   f"swagger_ui_path: \"{tmp_path}/none\"\n")
    rc, out, err = run_cli(["-T", "-c", cfg],
                           env={"LIGHTAPI_DB": str(tmp_path / "b.db")})
    assert rc == 0, err
    assert f"/openapi.json /docs (Swagger UI not found in {tmp_path}/none)" \
        in out + err
    assert f'swagger_ui_path: "{tmp_path}/none"' in out + err


# ---- /docs ------------------------------------------------------------------

def test_docs_page_and_files(server, tmp_path):
    node_tools()
    srv = example_server(server, tmp_path)
    status, headers, _, raw = srv.get("/docs")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp and "http" not in csp
    html = raw.decode()
    assert "<script>" not in html  # no inline script: init.js
    for src in ("/docs/swagger-ui-bundle.js", "/docs/init.js"):
        assert f'<script src="{src}"></script>' in html
    assert 'href="/docs/swagger-ui.css"' in html
    want = {"/docs/swagger-ui-bundle.js": ("text/javascript",
                                           SWAGGER_UI / "swagger-ui-bundle.js"),
            "/docs/swagger-ui.css": ("text/css", SWAGGER_UI / "swagger-ui.css")}
    for path, (ctype, src) in want.items():
        status, headers, _, raw = srv.get(path)
        assert status == 200
        assert headers["content-type"].startswith(ctype)
        assert headers["x-content-type-options"] == "nosniff"
        assert raw == src.read_bytes()
    status, headers, _, raw = srv.get("/docs/init.js")
    assert status == 200 and b'url: "/openapi.json"' in raw
    assert b"validatorUrl: null" in raw
    # Only the listed files: nothing else under the directory is served.
    assert srv.get("/docs/package.json")[0] == 404
    assert srv.get("/docs/../openapi.json")[0] in (200, 404)


def test_docs_title_is_escaped(server, tmp_path):
    srv = auth_server(server, tmp_path)
    raw = srv.get("/docs")[3].decode()
    assert "<title>Auth &lt;API&gt;</title>" in raw


def test_docs_without_files(server, tmp_path):
    text = (REPO / "etc" / "lightapi.yaml").read_text()
    srv = server(text + f"swagger_ui_path: \"{tmp_path}/nowhere\"\n",
                 env={"LIGHTAPI_DB": str(tmp_path / "b2.db")})
    status, headers, _, raw = srv.get("/docs")
    assert status == 503
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert f"{tmp_path}/nowhere".encode() in raw
    assert headers["content-security-policy"] == "default-src 'none'"
    assert srv.get("/docs/swagger-ui-bundle.js")[0] == 404
    assert get_doc(srv)["openapi"] == "3.1.0"


def test_docs_public_copy_when_configured(server, tmp_path):
    text = (REPO / "etc" / "lightapi.yaml").read_text()
    srv = server(text + f"swagger_ui_path: \"{tmp_path}/nowhere\"\n"
                 "swagger_ui_cdn: true\n",
                 env={"LIGHTAPI_DB": str(tmp_path / "b3.db")})
    status, headers, _, raw = srv.get("/docs")
    assert status == 200
    html = raw.decode()
    pkg = json.loads((JS / "package.json").read_text())
    pinned = pkg["dependencies"]["swagger-ui-dist"]
    base = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{pinned}/"
    assert f'src="{base}swagger-ui-bundle.js" integrity="sha384-' in html
    assert f'href="{base}swagger-ui.css" integrity="sha384-' in html
    csp = headers["content-security-policy"]
    assert "script-src 'self' https://cdn.jsdelivr.net;" in csp
    if SWAGGER_UI.exists():
        # The integrity hashes are those of the pinned files.
        import base64
        import hashlib
        for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
            digest = base64.b64encode(hashlib.sha384(
                (SWAGGER_UI / name).read_bytes()).digest()).decode()
            assert f'{name}" integrity="sha384-{digest}"' in html
