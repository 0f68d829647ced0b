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

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_auth_forms(a);
	la_arena_free(a);
	return (done_testing());
}
