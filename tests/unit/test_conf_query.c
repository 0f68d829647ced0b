/*
 * Tests for lib/conf_query.c: the queries: list, its keys, and the routes
 * a query may not take.
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
test_load(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a,
	    DB "queries:\n"
	       "  - route: /reports/by_cat\n"
	       "    sql: \"SELECT 1 WHERE 2 >= :min\"\n"
	       "    params:\n"
	       "      min: {type: float, ge: 0, default: 0}\n"
	       "      id: {type: int, optional: true}\n"
	       "    pagination: {page_size: 5}\n"
	       "  - route: /ops/archive/\n"
	       "    sql: UPDATE t SET a = 1\n"
	       "    methods: [POST]\n"
	       "    write: true\n"
	       "    invalidates: [t]\n"
	       "    authentication: {backend: BasicAuthentication}\n",
	    &errs);
	ok(c == NULL, "BasicAuthentication without a validator is refused");
	ok(errs.data != NULL && strstr(errs.data, "t.yaml:14:21:") != NULL,
	    "at the authentication block: %s", errs.data ? errs.data : "");
	c = load(a,
	    DB "queries:\n"
	       "  - route: /reports/by_cat\n"
	       "    sql: \"SELECT 1 WHERE 2 >= :min\"\n"
	       "    params:\n"
	       "      min: {type: float, ge: 0, default: 0}\n"
	       "      id: {type: int, optional: true}\n"
	       "    pagination: {page_size: 5}\n"
	       "  - route: /ops/archive/\n"
	       "    sql: UPDATE t SET a = 1\n"
	       "    methods: [POST]\n"
	       "    write: true\n"
	       "    invalidates: [t]\n",
	    &errs);
	ok(c != NULL, "queries load: %s", errs.data ? errs.data : "");
	if (c == NULL)
		goto out;
	is_int(c->nqueries, 2, "two queries");
	is_str(c->queries[0].ep.route, "/reports/by_cat", "route");
	is_int(c->queries[0].ep.methods, LA_M_GET, "GET by default");
	is_int(c->queries[0].ep.nfields, 2, "two params, 'id' allowed");
	is_int(c->queries[0].ep.pagination.page_size, 5, "page size");
	is_int(c->queries[0].sql_pos.line, 4, "sql line");
	is_str(c->queries[1].ep.route, "/ops/archive", "trailing '/' dropped");
	is_int(c->queries[1].ep.methods, LA_M_POST, "POST");
	is_int(c->queries[1].write, 1, "write");
	is_int(c->queries[1].invalidates.n, 1, "invalidates");
out:
	la_buf_free(&errs);
}

static void
test_errors(struct la_arena *a)
{
	const char *e;

	e = errs_of(a, DB "queries:\n  - route: /q\n");
	ok(strstr(e, "t.yaml:3:5: missing required key 'sql'") != NULL,
	    "sql required: %s", e);
	e = errs_of(a,
	    DB "queries:\n  - {route: /q, sql: x, methods: [PUT]}\n");
	ok(strstr(e, "GET and POST only") != NULL, "PUT refused: %s", e);
	e = errs_of(a, DB "queries:\n  - {route: /q, sql: x, write: true, "
	                  "pagination: {page_size: 2}}\n");
	ok(strstr(e, "returns no pages") != NULL, "write with pages: %s", e);
	e = errs_of(a, DB "queries:\n  - {route: /q, sql: x, invalidates: "
	                  "[t]}\n");
	ok(strstr(e, "needs write: true") != NULL, "invalidates: %s", e);
	e = errs_of(a, DB "queries:\n  - {route: /q, sql: x, params: {page: "
	                  "{type: int}}, pagination: {page_size: 2}}\n");
	ok(strstr(e, "t.yaml:3:34: ") != NULL &&
	        strstr(e, "'page' is the page's own") != NULL,
	    "page as a parameter with pagination: %s", e);
	e = errs_of(a, DB "queries:\n  - {route: /q, sql: x, colour: red}\n");
	ok(strstr(e, "colour") != NULL, "unknown key: %s", e);
	e = errs_of(a, DB "endpoints:\n  - route: /books\n    fields: {a: "
	                  "{type: str}}\n"
	                  "queries:\n  - {route: /books/top, sql: x}\n"
	                  "  - {route: /books, sql: x}\n");
	ok(strstr(e, "t.yaml:6:13: route '/books/top' of a query is already "
	             "served (by the route at 3:12)") != NULL,
	    "a detail route: %s", e);
	ok(strstr(e, "t.yaml:7:13: route '/books'") != NULL,
	    "a collection route: %s", e);
}

/* -T prints the queries so that the output loads to the same. */
static void
test_dump(struct la_arena *a)
{
	struct la_buf errs, out;
	struct la_conf *c, *d;

	la_buf_init(&errs);
	la_buf_init(&out);
	c = load(a,
	    DB "queries:\n"
	       "  - route: /r\n"
	       "    sql: \"SELECT ':x' WHERE 1 = :n\"\n"
	       "    params: {n: {type: int, ge: 1, default: 2}}\n"
	       "    methods: [GET, POST]\n"
	       "    pagination: {page_size: 3}\n"
	       "  - {route: /w, sql: UPDATE t SET a = 1, write: true, "
	       "invalidates: [t, u]}\n",
	    &errs);
	ok(c != NULL, "loads");
	if (c == NULL)
		goto out;
	la_conf_dump(c, &out);
	d = load(a, out.data, &errs);
	ok(d != NULL, "the dump loads: %s", errs.data ? errs.data : "");
	if (d == NULL)
		goto out;
	is_int(d->nqueries, 2, "two queries again");
	is_str(d->queries[0].sql, "SELECT ':x' WHERE 1 = :n", "sql kept");
	is_int(d->queries[0].ep.methods, LA_M_GET | LA_M_POST, "methods");
	is_int(d->queries[0].ep.nfields, 1, "param kept");
	is_str(d->queries[0].ep.fields[0].dflt, "2", "its default");
	is_int(d->queries[0].ep.pagination.page_size, 3, "page size kept");
	is_int(d->queries[1].write, 1, "write kept");
	is_int(d->queries[1].invalidates.n, 2, "invalidates kept");
out:
	la_buf_free(&errs);
	la_buf_free(&out);
}

int
main(void)
{
	struct la_arena *a = la_arena_new(4096);

	test_load(a);
	test_errors(a);
	test_dump(a);
	la_arena_free(a);
	return (done_testing());
}
