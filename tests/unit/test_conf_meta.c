/*
 * Tests for lib/conf_meta.c: the authentication forms (backend, per-verb
 * permission maps, defaults: and meta:, methods as a map).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "la.h"
#include "tap.h"
#include "yaml_conf.h"

#include "conf_fixture.h"

static void
test_auth_forms(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;
	struct la_conf_endpoint *e;

	la_buf_init(&errs);
	c = load(a,
	    DB "auth: {jwt_secret: k, login_validator: {file: /etc/users}}\n"
	       "defaults:\n"
	       "  authentication:\n"
	       "    backend: JWTAuthentication\n"
	       "    permission: {GET: AllowAny, DELETE: IsAdminUser}\n"
	       "endpoints:\n"
	       "  - route: /a\n"
	       "    meta:\n"
	       "      methods:\n"
	       "        GET: { authentication: { permission: AllowAny } }\n"
	       "        POST:\n"
	       "        DELETE: { authentication: { permission: IsAdminUser,"
	       " backend: BasicAuthentication } }\n"
	       "  - route: /b\n"
	       "    meta:\n"
	       "      authentication:\n"
	       "        backend: BasicAuthentication\n"
	       "        permission: {POST: IsAuthenticated, PUT: "
	       "IsAuthenticated}\n",
	    &errs);
	ok(c != NULL, "auth forms load");
	if (c == NULL) {
		diag("%s", errs.data);
		la_buf_free(&errs);
		return;
	}
	is_str(c->auth.login.file, "/etc/users", "login file");
	is_str(c->default_auth.permission[0], "AllowAny", "default map: GET");
	is_str(c->default_auth.permission[4], "IsAdminUser",
	    "default map: DELETE");
	is_str(c->default_auth.permission[1], "AllowAny",
	    "default map: left-out verbs are public");
	is_int(c->default_auth.pos.line, 5, "default auth position");
	e = &c->endpoints[0];
	is_int(e->methods_map, 1, "methods map form");
	is_int(e->methods, LA_M_GET | LA_M_POST | LA_M_DELETE,
	    "map keys are the verbs");
	is_str(e->verb_auth.permission[0], "AllowAny", "GET permission");
	ok(e->verb_auth.permission[1] == NULL, "POST: null inherits");
	is_str(e->verb_auth.permission[4], "IsAdminUser", "DELETE permission");
	is_str(e->verb_auth.backend, "BasicAuthentication", "verb backend");
	is_int(e->verb_auth.pos.line, 11, "verb_auth position");
	e = &c->endpoints[1];
	is_str(e->auth.backend, "BasicAuthentication", "endpoint backend");
	is_str(e->auth.permission[1], "IsAuthenticated", "POST");
	is_str(e->auth.permission[2], "IsAuthenticated", "PUT");
	is_str(e->auth.permission[0], "AllowAny", "GET left out: public");
	la_buf_free(&errs);
}

static void
test_scope_forms(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;
	struct la_conf_scope *w, *s;

	la_buf_init(&errs);
	c = load(a,
	    DB "endpoints:\n"
	       "  - route: /a\n"
	       "    meta:\n"
	       "      where: {owner: \"{user.sub}\", live: true, gone: null}\n"
	       "      set: {owner: \"{user.sub}\"}\n"
	       "  - route: /b\n"
	       "    meta:\n"
	       "      where:\n"
	       "        GET: {live: true}\n"
	       "        DELETE: {owner: \"{user.https://x/id}\"}\n"
	       "        PUT:\n"
	       "      set: {PATCH: {owner: x}}\n",
	    &errs);
	ok(c != NULL, "scope forms load");
	if (c == NULL) {
		diag("%s", errs.data);
		la_buf_free(&errs);
		return;
	}
	w = &c->endpoints[0].where;
	s = &c->endpoints[0].set;
	ok(w->n == 3 && s->n == 1, "flat forms: one entry per column");
	ok(strcmp(w->v[0].col, "owner") == 0 &&
	        strcmp(w->v[0].claim, "sub") == 0 && w->v[0].value == NULL,
	    "a claim");
	ok(w->v[1].claim == NULL && strcmp(w->v[1].value, "true") == 0,
	    "a constant");
	ok(w->v[2].claim == NULL && w->v[2].value == NULL, "null");
	is_int((int)w->v[0].verbs,
	    (int)(LA_M_GET | LA_M_PUT | LA_M_PATCH | LA_M_DELETE),
	    "where: every verb that reaches rows");
	is_int((int)s->v[0].verbs, (int)(LA_M_POST | LA_M_PUT | LA_M_PATCH),
	    "set: every verb that writes a body");
	is_int(w->v[0].pos.line, 5, "position of the column");
	w = &c->endpoints[1].where;
	s = &c->endpoints[1].set;
	ok(w->n == 2 && w->v[0].verbs == LA_M_GET &&
	        w->v[1].verbs == LA_M_DELETE,
	    "per-verb form; a null verb scopes nothing");
	is_str(w->v[1].claim, "https://x/id", "any claim name");
	ok(s->n == 1 && s->v[0].verbs == LA_M_PATCH, "per-verb set");
	la_buf_free(&errs);
	ok(strstr(errs_of(a, DB "endpoints:\n  - route: /a\n    meta:\n"
	                        "      where: {owner: {user.sub}}\n"),
	       ":5:22: endpoints[0].meta.where.owner must be a constant or "
	       "\"{user.CLAIM}\" (in quotes)") != NULL,
	    "an unquoted claim is a YAML mapping: an error at its line");
	ok(strstr(errs_of(a, DB "endpoints:\n  - route: /a\n    meta:\n"
	                        "      where: {POST: {owner: x}}\n"),
	       ":5:15: where has no meaning for POST") != NULL,
	    "where on POST");
	ok(strstr(errs_of(a, DB "endpoints:\n  - route: /a\n    meta:\n"
	                        "      set: [owner]\n"),
	       "expected a mapping of columns") != NULL,
	    "set must be a mapping");
	ok(strstr(errs_of(a, DB "endpoints:\n  - route: /a\n    meta:\n"
	                        "      where: {owner: \"{user.}\"}\n"),
	       "no claim named") != NULL,
	    "an empty claim name");
}

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_auth_forms(a);
	test_scope_forms(a);
	la_arena_free(a);
	return (done_testing());
}
