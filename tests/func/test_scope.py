"""Row scoping (meta.where, meta.set): each caller reaches only the rows
its token's claims allow, on every verb, in counts and in the response
cache; created and replaced rows carry the claims whatever the body says;
a claim missing from the token is a 403, never an unscoped answer."""

import pytest

from conftest import pos_of, render, run_cli, write_config
from test_auth_util import basic, bearer, hash_sha512, make_token

SECRET = "scope-secret-Vb61qT-do-not-log"

CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%(secret)s"
defaults:
  authentication: {backend: JWTAuthentication, permission: IsAuthenticated}
endpoints:
  - route: /notes
    fields:
      owner_id: {type: str}
      title: {type: str}
    meta:
      where: {owner_id: "{user.sub}"}
      set: {owner_id: "{user.sub}"}
      filtering: {fields: [title]}
      pagination: {style: page_number, page_size: 2}
  - route: /posts
    fields:
      owner_id: {type: str}
      title: {type: str}
      published: {type: bool, default: false}
    meta:
      authentication:
        permission: {GET: AllowAny, POST: IsAuthenticated,
                     PUT: IsAuthenticated, PATCH: IsAuthenticated,
                     DELETE: IsAuthenticated}
      where:
        GET: {published: true}
        PUT: {owner_id: "{user.sub}"}
        PATCH: {owner_id: "{user.sub}"}
        DELETE: {owner_id: "{user.sub}"}
      set: {owner_id: "{user.sub}"}
  - route: /articles
    fields:
      title: {type: str}
      published: {type: bool}
    meta:
      authentication: {permission: AllowAny}
      where: {published: true}
  - route: /teams
    fields:
      team: {type: str}
      title: {type: str}
    meta:
      where: {team: "{user.team}"}
      set: {team: "{user.team}"}
      cache: {ttl: 60}
  - route: /tenants
    fields:
      tenant: {type: int}
      title: {type: str}
    meta:
      where: {tenant: "{user.tenant}"}
  - route: /cnotes
    fields:
      owner_id: {type: str}
      title: {type: str}
    meta:
      where: {owner_id: "{user.sub}"}
      set: {owner_id: "{user.sub}"}
      pagination: {style: cursor, page_size: 2}
  - route: /drafts
    fields:
      owner_id: {type: str}
    meta:
      where: {GET: {owner_id: "{user.sub}"}}
  - route: /open
    fields:
      owner_id: {type: str}
    meta:
      authentication: {permission: AllowAny}
      where: {owner_id: "{user.sub}"}
""" % {"secret": SECRET}


def token(**claims):
    return bearer(make_token(claims, SECRET))


ALICE = token(sub="alice", team="red", tenant=1)
BOB = token(sub="bob", team="blue", tenant=2)
NOSUB = token(name="nobody", team="red")
NO_DETAIL = {"detail": "the credentials lack the claim 'sub'"}


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(CONFIG)


def create(srv, route, body, who):
    status, _, row, raw = srv.post(route, body, headers=who)
    assert status == 201, raw
    return row


@pytest.fixture(scope="module")
def notes(srv):
    mine = [create(srv, "/notes", {"title": f"a{i}", "owner_id": "bob"},
                   ALICE) for i in range(3)]
    theirs = [create(srv, "/notes", {"title": f"b{i}"}, BOB)
              for i in range(2)]
    return mine, theirs


def all_pages(srv, route, who):
    rows, page = [], 1
    while True:
        status, _, data, raw = srv.get(f"{route}?page={page}", headers=who)
        assert status == 200, raw
        rows += data["results"]
        if data["next"] is None:
            return data["count"], rows
        page += 1


# ---- the list and its count --------------------------------------------

def test_post_sets_owner_from_token_whatever_the_body_says(notes):
    mine, theirs = notes
    assert {r["owner_id"] for r in mine} == {"alice"}
    assert {r["owner_id"] for r in theirs} == {"bob"}


def test_each_caller_lists_only_their_rows_with_their_count(srv, notes):
    mine, theirs = notes
    count, rows = all_pages(srv, "/notes", ALICE)
    assert count == 3
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in mine)
    count, rows = all_pages(srv, "/notes", BOB)
    assert count == 2
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in theirs)


def test_cursor_pages_walk_only_the_callers_rows(srv):
    for who, n in ((ALICE, 3), (BOB, 2)):
        for i in range(n):
            create(srv, "/cnotes", {"title": f"c{i}"}, who)
    for who, want in ((ALICE, "alice"), (BOB, "bob")):
        seen, url = [], "/cnotes"
        while url:
            status, _, data, raw = srv.get(url, headers=who)
            assert status == 200, raw
            seen += data["results"]
            nxt = data["next"]
            url = None if nxt is None else "/cnotes?cursor=" + nxt
        assert len(seen) == (3 if want == "alice" else 2)
        assert {r["owner_id"] for r in seen} == {want}


def test_filters_combine_with_the_scope(srv, notes):
    status, _, data, raw = srv.get("/notes?title=b0", headers=ALICE)
    assert status == 200, raw
    assert data["count"] == 0 and data["results"] == []
    status, _, data, raw = srv.get("/notes?title=a1", headers=ALICE)
    assert status == 200, raw
    assert [r["title"] for r in data["results"]] == ["a1"]


# ---- detail verbs on another caller's row: 404 ---------------------------

def test_get_of_another_callers_row_is_404(srv, notes):
    mine, theirs = notes
    status, _, _, raw = srv.get(f"/notes/{theirs[0]['id']}", headers=ALICE)
    assert status == 404, raw
    status, _, row, raw = srv.get(f"/notes/{mine[0]['id']}", headers=ALICE)
    assert status == 200 and row["title"] == "a0", raw


@pytest.mark.parametrize("verb", ["put", "patch"])
def test_writes_to_another_callers_row_are_404(srv, notes, verb):
    _, theirs = notes
    row = theirs[1]
    body = {"title": "stolen", "version": row["version"]}
    status, _, _, raw = getattr(srv, verb)(f"/notes/{row['id']}", body,
                                           headers=ALICE)
    # Not 409 either: the version matches, the row is out of scope.
    assert status == 404, raw
    status, _, now, raw = srv.get(f"/notes/{row['id']}", headers=BOB)
    assert status == 200 and now["title"] == row["title"], raw
    assert now["version"] == row["version"]


def test_delete_of_another_callers_row_is_404(srv, notes):
    _, theirs = notes
    status, _, _, raw = srv.delete(f"/notes/{theirs[0]['id']}", headers=ALICE)
    assert status == 404, raw
    status, _, _, raw = srv.get(f"/notes/{theirs[0]['id']}", headers=BOB)
    assert status == 200, raw


def test_if_match_on_another_callers_row_is_404(srv, notes):
    _, theirs = notes
    status, _, _, raw = srv.delete(f"/notes/{theirs[0]['id']}",
                                   headers={**ALICE, "If-Match": "*"})
    assert status == 404, raw


@pytest.mark.parametrize("verb", ["put", "patch"])
def test_writes_keep_the_owner_whatever_the_body_says(srv, verb):
    row = create(srv, "/notes", {"title": "x"}, ALICE)
    body = {"title": "y", "owner_id": "bob", "version": row["version"]}
    status, _, out, raw = getattr(srv, verb)(f"/notes/{row['id']}", body,
                                             headers=ALICE)
    assert status == 200, raw
    assert out["owner_id"] == "alice" and out["title"] == "y"
    status, _, _, raw = srv.get(f"/notes/{row['id']}", headers=BOB)
    assert status == 404, raw


def test_own_delete_works(srv):
    row = create(srv, "/notes", {"title": "gone"}, BOB)
    status, _, _, raw = srv.delete(f"/notes/{row['id']}", headers=BOB)
    assert status == 204, raw
    status, _, _, raw = srv.get(f"/notes/{row['id']}", headers=BOB)
    assert status == 404, raw


# ---- claims missing or of the wrong type: 403 ----------------------------

@pytest.mark.parametrize("verb,path,body", [
    ("GET", "/notes", None),
    ("GET", "/notes/1", None),
    ("POST", "/notes", {"title": "t"}),
    ("PUT", "/notes/1", {"title": "t", "version": 1}),
    ("PATCH", "/notes/1", {"title": "t", "version": 1}),
    ("DELETE", "/notes/1", None),
])
def test_token_without_the_claim_is_403(srv, notes, verb, path, body):
    before = all_pages(srv, "/notes", ALICE)[0]
    status, _, data, raw = srv.request(verb, path, body=body, headers=NOSUB)
    assert status == 403, raw
    assert data == NO_DETAIL, raw
    assert all_pages(srv, "/notes", ALICE)[0] == before


def test_post_without_the_claim_is_403_before_the_body(srv):
    status, _, data, raw = srv.request("POST", "/notes", raw_body=b"{",
                                       headers={**NOSUB,
                                                "Content-Type":
                                                "application/json"})
    assert status == 403, raw


def test_anonymous_caller_on_a_claim_scope_is_403(srv):
    create(srv, "/open", {"owner_id": "alice"}, ALICE)
    create(srv, "/open", {"owner_id": "bob"}, ALICE)
    status, _, data, raw = srv.get("/open")
    assert status == 403, raw
    assert data == NO_DETAIL
    status, _, data, raw = srv.get("/open", headers=ALICE)
    assert status == 200 and len(data["results"]) == 1, raw
    assert data["results"][0]["owner_id"] == "alice"


def test_claim_of_the_wrong_type_is_403(srv):
    create(srv, "/tenants", {"tenant": 1, "title": "one"}, ALICE)
    create(srv, "/tenants", {"tenant": 2, "title": "two"}, ALICE)
    status, _, data, raw = srv.get("/tenants", headers=ALICE)
    assert status == 200, raw
    assert [r["title"] for r in data["results"]] == ["one"]
    # A number written as a string coerces, as in a filter.
    status, _, data, raw = srv.get("/tenants", headers=token(sub="x",
                                                             tenant="2"))
    assert status == 200, raw
    assert [r["title"] for r in data["results"]] == ["two"]
    for bad in ("abc", [2], {"id": 2}, None):
        status, _, data, raw = srv.get("/tenants",
                                       headers=token(sub="x", tenant=bad))
        assert status == 403, (bad, raw)


# ---- constant and per-verb scopes ----------------------------------------

def test_constant_scope_hides_unpublished_rows(srv):
    pub = create(srv, "/articles", {"title": "p", "published": True}, ALICE)
    hid = create(srv, "/articles", {"title": "h", "published": False}, ALICE)
    status, _, data, raw = srv.get("/articles")
    assert status == 200, raw
    ids = [r["id"] for r in data["results"]]
    assert pub["id"] in ids and hid["id"] not in ids
    assert srv.get(f"/articles/{hid['id']}")[0] == 404
    assert srv.get(f"/articles/{pub['id']}")[0] == 200
    assert srv.patch(f"/articles/{hid['id']}",
                     {"title": "z", "version": 1})[0] == 404
    assert srv.delete(f"/articles/{hid['id']}")[0] == 404
    # A row the body moves out of the scope leaves it.
    status, _, _, raw = srv.patch(f"/articles/{pub['id']}",
                                  {"published": False, "version": 1})
    assert status == 200, raw
    assert srv.get(f"/articles/{pub['id']}")[0] == 404


def test_per_verb_scope_reads_published_writes_owned(srv):
    a_pub = create(srv, "/posts", {"title": "ap", "published": True}, ALICE)
    a_draft = create(srv, "/posts", {"title": "ad"}, ALICE)
    b_pub = create(srv, "/posts", {"title": "bp", "published": True,
                                   "owner_id": "alice"}, BOB)
    assert b_pub["owner_id"] == "bob"
    # Reads: published rows, anyone's, even anonymously.
    status, _, data, raw = srv.get("/posts")
    assert status == 200, raw
    ids = {r["id"] for r in data["results"]}
    assert {a_pub["id"], b_pub["id"]} <= ids and a_draft["id"] not in ids
    assert srv.get(f"/posts/{b_pub['id']}", headers=ALICE)[0] == 200
    assert srv.get(f"/posts/{a_draft['id']}", headers=ALICE)[0] == 404
    # Writes: the owner's rows, published or not.
    status, _, row, raw = srv.patch(f"/posts/{a_draft['id']}",
                                    {"published": True, "version": 1},
                                    headers=ALICE)
    assert status == 200 and row["published"] is True, raw
    status, _, _, raw = srv.patch(f"/posts/{b_pub['id']}",
                                  {"title": "x", "version": 1}, headers=ALICE)
    assert status == 404, raw
    assert srv.delete(f"/posts/{b_pub['id']}", headers=ALICE)[0] == 404
    assert srv.delete(f"/posts/{b_pub['id']}", headers=BOB)[0] == 204


def test_a_verb_left_out_of_the_per_verb_form_is_not_scoped(srv):
    row = create(srv, "/drafts", {"owner_id": "alice"}, ALICE)
    assert srv.get(f"/drafts/{row['id']}", headers=BOB)[0] == 404
    # DELETE is not in the map: as a verb left out of a permission map is
    # public, it reaches every row.
    assert srv.delete(f"/drafts/{row['id']}", headers=BOB)[0] == 204
    assert srv.get(f"/drafts/{row['id']}", headers=ALICE)[0] == 404


# ---- the response cache ----------------------------------------------------

def test_cached_scoped_list_never_serves_one_callers_page_to_another(srv):
    # Same subject, other team: only the scope's claim tells them apart.
    red = token(sub="carol", team="red")
    blue = token(sub="carol", team="blue")
    create(srv, "/teams", {"title": "r"}, red)
    create(srv, "/teams", {"title": "b"}, blue)
    for _ in range(2):
        status, _, data, raw = srv.get("/teams", headers=red)
        assert status == 200, raw
        assert [r["title"] for r in data["results"]] == ["r"]
        status, _, data, raw = srv.get("/teams", headers=blue)
        assert status == 200, raw
        assert [r["title"] for r in data["results"]] == ["b"]
    status, _, _, raw = srv.get("/teams", headers=token(sub="carol"))
    assert status == 403, raw


# ---- Basic authentication: the login validator's claims ------------------

BASIC_CONFIG = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "%(secret)s"
  login_validator: {file: "{TMP}/users"}
endpoints:
  - route: /desks
    fields:
      owner: {type: str}
      label: {type: str}
    meta:
      authentication: {backend: BasicAuthentication}
      where: {owner: "{user.username}"}
      set: {owner: "{user.username}"}
""" % {"secret": SECRET}

PW = "desk-password-Rt5"


@pytest.fixture(scope="module")
def basic_srv(module_server_factory, tmp_path_factory):
    d = tmp_path_factory.mktemp("scope-basic")
    (d / "users").write_text(
        f'dave:{hash_sha512(PW)}:{{"username": "dave"}}\n'
        f'erin:{hash_sha512(PW)}:{{"username": "erin"}}\n'
        f'nemo:{hash_sha512(PW)}:{{"id": 7}}\n')
    return module_server_factory(BASIC_CONFIG, directory=d)


def test_basic_users_are_scoped_by_their_validator_claims(basic_srv):
    dave, erin = basic("dave", PW), basic("erin", PW)
    d = create(basic_srv, "/desks", {"label": "d", "owner": "erin"}, dave)
    assert d["owner"] == "dave"
    create(basic_srv, "/desks", {"label": "e"}, erin)
    status, _, data, raw = basic_srv.get("/desks", headers=dave)
    assert status == 200, raw
    assert [r["label"] for r in data["results"]] == ["d"]
    assert basic_srv.get(f"/desks/{d['id']}", headers=erin)[0] == 404
    status, _, data, raw = basic_srv.get("/desks",
                                         headers=basic("nemo", PW))
    assert status == 403, raw
    assert data == {"detail": "the credentials lack the claim 'username'"}


# ---- configuration errors ------------------------------------------------

HEAD = """\
database:
  url: "sqlite:///{TMP}/test.db"
auth:
  jwt_secret: "s"
endpoints:
  - route: /things
    fields:
      owner_id: {type: str}
      count: {type: int}
    meta:
      authentication: {backend: JWTAuthentication}
"""

ERRORS = {
    "unknown_column": ("      where: {ownr: \"{user.sub}\"}\n", "ownr",
                       "unknown column 'ownr'"),
    "unquoted_claim": ("      where: {owner_id: {user.sub}}\n",
                       "{user.sub}", "in quotes"),
    "where_post": ("      where: {POST: {owner_id: x}}\n", "POST",
                   "meta.set fills"),
    "set_get": ("      set: {GET: {owner_id: x}}\n", "GET",
                "use POST, PUT or PATCH"),
    "bad_constant": ("      where: {count: many}\n", "count: many",
                     "not a valid int"),
    "set_managed": ("      set: {version: 3}\n", "version",
                    "managed by the server"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_configuration_errors_at_the_yaml_line(tmp_path, name):
    meta, needle, msg = ERRORS[name]
    text = HEAD + meta
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1, (out, err)
    line, col = pos_of(render(text, tmp_path), needle)
    assert f"{cfg}:{line}:" in err and msg in err, err


def test_claim_on_an_endpoint_without_authentication_is_an_error(tmp_path):
    text = HEAD.replace(
        "      authentication: {backend: JWTAuthentication}\n", "") + \
        "      where: {owner_id: \"{user.sub}\"}\n"
    cfg = write_config(tmp_path, text)
    rc, out, err = run_cli(["-t", "-c", cfg])
    assert rc == 1, (out, err)
    assert "no authentication to read it from" in err, err


# ---- OpenAPI -------------------------------------------------------------

def test_openapi_describes_the_scope_and_its_403(srv):
    status, _, doc, raw = srv.get("/openapi.json")
    assert status == 200, raw
    listing = doc["paths"]["/notes"]["get"]
    assert listing["description"] == \
        "Only the rows where owner_id = the caller's claim 'sub'."
    assert "403" in listing["responses"]
    create_op = doc["paths"]["/notes"]["post"]
    assert create_op["description"] == (
        "Set by the server, whatever the body says: owner_id = the "
        "caller's claim 'sub'.")
    read = doc["paths"]["/posts/{id}"]["get"]
    assert read["description"] == "Only the rows where published = 'true'."
    assert "403" not in read["responses"]
    assert "description" not in doc["paths"]["/articles"]["post"]
