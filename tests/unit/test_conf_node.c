/*
 * Tests for lib/conf_node.c, the walker's ground floor: error lines with
 * FILE:LINE:COL and the cap on their number, key paths, identifiers,
 * choice lists, quoting for JSON and YAML, ${VAR} expansion and the visit
 * budget that stops alias bombs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "la.h"
#include "tap.h"
#include "yaml_conf.h"
#include "conf_int.h"

#include "conf_fixture.h"

static void
test_errors_format(struct la_arena *a)
{
	struct conf_ctx x;
	struct la_buf errs;
	int i;

	memset(&x, 0, sizeof(x));
	la_buf_init(&errs);
	x.name = "f.yaml";
	x.a = a;
	x.errs = &errs;
	la_conf_node_errat(&x, 3, 14, "bad %s", "thing");
	is_str(errs.data, "f.yaml:3:14: bad thing\n", "FILE:LINE:COL: message");
	la_conf_node_err(&x, NULL, "no node");
	is_str(errs.data + strlen("f.yaml:3:14: bad thing\n"),
	    "f.yaml:1:1: no node\n", "no node: the start of the file");
	for (i = 2; i < 60; i++)
		la_conf_node_errat(&x, i, 1, "e%d", i);
	is_int(x.nerrs, 60, "every error counted");
	ok(strstr(errs.data, "f.yaml:48:1: e48\n") != NULL, "49th printed");
	ok(strstr(errs.data, "f.yaml:49:1: too many errors, giving up\n") !=
	        NULL,
	    "the 50th says it gives up instead");
	ok(strstr(errs.data, "e49") == NULL && strstr(errs.data, "e59") == NULL,
	    "nothing after it");
	la_buf_free(&errs);
}

static void
test_helpers(struct la_arena *a)
{
	static const char *const names[] = {"GET", "POST", "PUT"};
	struct conf_ctx x;
	struct la_buf b;

	memset(&x, 0, sizeof(x));
	x.a = a;
	is_str(la_conf_node_path(&x, "", "server"), "server", "top-level path");
	is_str(la_conf_node_path(&x, "server", "workers"), "server.workers",
	    "nested path");
	is_str(la_conf_node_ipath(&x, "endpoints", 3), "endpoints[3]",
	    "item path");
	is_str(la_conf_node_choices(&x, names, 3), "GET, POST, PUT", "choices");
	is_str(la_conf_node_choices(&x, names, 0), "", "no choices");
	is_int(la_conf_node_find(names, 3, "PUT"), 2, "find");
	is_int(la_conf_node_find(names, 3, "put"), -1, "find is exact");

	ok(la_conf_node_ident_ok("a_1", 3), "a_1 is an identifier");
	ok(la_conf_node_ident_ok("_X", 2), "_X is an identifier");
	ok(!la_conf_node_ident_ok("1a", 2), "no leading digit");
	ok(!la_conf_node_ident_ok("a-b", 3), "no hyphen");
	ok(!la_conf_node_ident_ok("", 0), "not empty");
	ok(la_conf_node_ident_ok("ab-", 2), "the length bounds it");

	la_buf_init(&b);
	la_conf_node_quote(&b, "a\"b\\c");
	is_str(b.data, "\"a\\\"b\\\\c\"", "quotes and backslashes escaped");
	la_buf_reset(&b);
	la_conf_node_quote(&b, "t\tn\n\x7f");
	is_str(b.data, "\"t\\u0009n\\u000a\\u007f\"",
	    "controls as \\u escapes");
	la_buf_reset(&b);
	la_conf_node_quote(&b, "caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80");
	is_str(b.data, "\"caf\xc3\xa9 \\u2028 \xf0\x9f\x98\x80\"",
	    "UTF-8 kept, U+2028 escaped");
	la_buf_reset(&b);
	la_conf_node_quote(&b, "\xff");
	is_str(b.data, "\"\xff\"", "a stray byte is kept visible");
	la_buf_reset(&b);
	la_conf_node_quote(&b, "");
	is_str(b.data, "\"\"", "empty");
	la_buf_free(&b);
}

static void
test_env(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a,
	    DB "swagger_title: \"${HOST}:${PORT}/x ${UNSET:-dflt} "
	       "[${EMPTY:-e}] [${EMPTY}] [${UNSET:-}] $HOME a$b $ {X}\"\n",
	    &errs);
	ok(c != NULL, "substitutions load");
	if (c != NULL)
		is_str(c->swagger_title,
		    "db.example:5432/x dflt [e] [] [] $HOME a$b $ {X}",
		    "several substitutions in one string");
	c = load(a,
	    "database: {url: \"postgresql://${HOST}:${PORT}/app\"}\n"
	    "server: {max_body_size: \"${SIZE}\", listen: \"${HOST}:80\"}\n",
	    &errs);
	ok(c != NULL, "substitution in URLs, sizes and lists");
	if (c != NULL) {
		is_str(c->db.host, "db.example", "host from ${HOST}");
		is_int(c->db.port, 5432, "port from ${PORT}");
		is_int(c->server.max_body_size, 2 * 1024 * 1024, "${SIZE}");
		is_str(c->server.listen.v[0], "db.example:80", "listen");
	}
	is_str(errs_of(a, DB "swagger_title: \"a ${NOPE} b ${NOPE2}\"\n"),
	    "t.yaml:2:16: environment variable 'NOPE' is not set\n"
	    "t.yaml:2:16: environment variable 'NOPE2' is not set\n",
	    "unset variables are named, each one");
	is_str(errs_of(a, DB "swagger_title: x${HOST\n"),
	    "t.yaml:2:16: unterminated '${' in a string\n", "unterminated");
	is_str(errs_of(a, DB "swagger_title: \"${1X}\"\n"),
	    "t.yaml:2:16: bad variable reference '${1X}'\n", "bad name");
	is_str(errs_of(a, DB "swagger_title: \"${A:-${HOST}}\"\n"),
	    "t.yaml:2:16: nested '${' in the default of '${A}'\n",
	    "nested default refused");
	is_str(errs_of(a, DB "swagger_title: \"${}\"\n"),
	    "t.yaml:2:16: bad variable reference '${}'\n", "empty name");
	la_buf_free(&errs);
}

/* An alias-built tree far larger than the file must stop the walk. */
static void
test_bomb(struct la_arena *a)
{
	struct la_buf b;
	const char *e;
	int i;

	la_buf_init(&b);
	la_buf_puts(&b, DB "endpoints:\n  - route: /x\n    fields:\n"
	                   "      a:\n        type: json\n        default:\n");
	la_buf_puts(&b, "          - &l0 [1, 2, 3, 4, 5, 6, 7, 8]\n");
	for (i = 1; i < 10; i++)
		la_buf_printf(&b,
		    "          - &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, "
		    "*l%d, "
		    "*l%d]\n",
		    i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	e = errs_of(a, b.data);
	ok(strstr(e, "document too large (too many aliases?)") != NULL,
	    "alias bomb stops with an error");
	la_buf_free(&b);
}

static void
test_bomb_keys(struct la_arena *a)
{
	struct la_buf b;
	int i;

	la_buf_init(&b);
	la_buf_puts(&b, DB "endpoints:\n  - route: /r\n    fields: &f\n");
	for (i = 0; i < 2990; i++)
		la_buf_printf(&b, "      f%d: {type: int}\n", i);
	for (i = 0; i < 40; i++)
		la_buf_printf(&b, "  - {route: /r%d, fields: *f}\n", i);
	ok(strstr(errs_of(a, b.data),
	       "document too large (too many aliases?)") != NULL,
	    "aliased large mapping stops with an error");
	la_buf_free(&b);
}

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_errors_format(a);
	test_helpers(a);
	test_env(a);
	test_bomb(a);
	test_bomb_keys(a);
	la_arena_free(a);
	return (done_testing());
}
