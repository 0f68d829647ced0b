/*
 * Tests for lib/conf_endpoint.c: the tables: format and table names
 * derived from routes.
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
test_tables(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a,
	    "database_url: \"sqlite:///my_app.db\"\n"
	    "swagger_title: \"My API\"\n"
	    "enable_swagger: true\n"
	    "tables:\n"
	    "  - name: users\n"
	    "    crud: [get, post, put, patch, delete]\n"
	    "  - name: audit_log\n"
	    "    crud: [get]\n"
	    "  - name: notes\n",
	    &errs);
	ok(c != NULL, "tables format loads");
	if (c == NULL) {
		diag("%s", errs.data);
		la_buf_free(&errs);
		return;
	}
	is_int(c->tables_format, 1, "tables_format");
	is_str(c->db.path, "my_app.db", "relative sqlite path");
	is_int(c->nendpoints, 3, "three tables");
	is_str(c->endpoints[0].route, "/users", "route /users");
	is_str(c->endpoints[0].table, "users", "table users");
	is_int(c->endpoints[0].reflect, LA_REFLECT_YES, "reflected");
	is_int(c->endpoints[0].methods, LA_M_CRUD, "all five verbs");
	is_int(c->endpoints[0].route_pos.line, 5, "route_pos line");
	is_int(c->endpoints[0].route_pos.col, 11, "route_pos col");
	is_int(c->endpoints[1].methods, LA_M_GET, "get gives GET");
	is_str(c->endpoints[1].route, "/audit_log", "route /audit_log");
	is_int(c->endpoints[2].methods, LA_M_CRUD, "no crud: all five");
	la_buf_free(&errs);
}

static void
test_table_from_route(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;
	static const char text[] =
	    DB "endpoints:\n  - route: /api/v1/order-items\n";

	la_buf_init(&errs);
	c = la_conf_load_mem("t.yaml", text, sizeof(text) - 1, a, &errs,
	    fake_getenv);
	ok(c != NULL && strcmp(c->endpoints[0].table, "order_items") == 0,
	    "a hyphenated route is served from an underscored table");
	la_buf_free(&errs);
}

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_tables(a);
	test_table_from_route(a);
	la_arena_free(a);
	return (done_testing());
}
