/*
 * Unit tests for lib/cursor.c: keys of every kind round-trip exactly
 * (int64 limits, subnormal and negative-zero doubles, text with quotes,
 * null), the cursor is URL-safe, and anything not made by la_cursor_encode
 * for this ordering and these column types is refused: garbage, tampered
 * JSON, another ordering, a bad direction, the wrong number or kind of
 * keys, oversized input.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "b64.h"
#include "catalog.h"
#include "cursor.h"
#include "la.h"
#include "query.h"
#include "tap.h"

static struct la_catalog *cat;
static const struct la_cat_table *tbl;
static struct la_arena *arena;
static struct la_query q;

/* products(name str, price float, stock int, active bool) + auto columns;
 * cursor pagination, orderable by price and name. */
static void
build(void)
{
	static const char *ordering[] = {"price", "name"};
	struct la_catb *b = la_catb_new();
	struct la_catb_table t;
	struct la_col_def d, autos[4];
	size_t size;
	int i;

	memset(&t, 0, sizeof(t));
	t.name = "products";
	t.route = "/products";
	t.ordering = ordering;
	t.nordering = 2;
	t.page_style = LA_PAGE_CURSOR;
	t.page_size = 5;
	la_catb_table(b, &t);
	la_col_def_init(&d, "name", LA_T_STR);
	la_catb_column(b, &d);
	la_col_def_init(&d, "price", LA_T_FLOAT);
	la_catb_column(b, &d);
	la_col_def_init(&d, "stock", LA_T_INT);
	la_catb_column(b, &d);
	la_col_def_init(&d, "active", LA_T_BOOL);
	la_catb_column(b, &d);
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);
	cat = la_catb_finish(b, &size);
	la_catb_free(b);
	tbl = la_catalog_table(cat, 0);
}

/* Parses a query string: ordering= and cursor= set up q. */
static void
parse(const char *qs)
{
	struct la_buf errs;

	la_buf_init(&errs);
	if (la_query_parse(cat, tbl, qs, strlen(qs), arena, &q, &errs) != 0)
		diag("query '%s' did not parse: %s", qs,
		    errs.data ? errs.data : "");
	la_buf_free(&errs);
}

/* Decodes cursor text c for the current q; 0 or -1. */
static int
decode(const char *c, size_t len, int *dir, struct la_value *keys)
{
	q.cursor = c;
	q.cursor_len = len;
	return (la_cursor_decode(cat, tbl, &q, arena, dir, keys));
}

/* Decodes the cursor that carries this JSON text. */
static int
decode_json(const char *json)
{
	struct la_value keys[8];
	struct la_buf b;
	int dir, rc;

	la_buf_init(&b);
	la_b64url_encode(&b, json, strlen(json));
	rc = decode(b.data, b.len, &dir, keys);
	la_buf_free(&b);
	return (rc);
}

static void
test_roundtrip(void)
{
	struct la_value keys[3], back[3];
	struct la_buf c;
	int dir = 0;

	la_buf_init(&c);
	parse("ordering=-price,name");
	is_int(q.norder, 3, "price, name, then the primary key");
	is_str(q.ordering, "-price,name", "canonical ordering");
	keys[0] = la_value_float(9.5);
	keys[1] = la_value_text("x\"y", 3);
	keys[2] = la_value_int(42);
	la_cursor_encode(&c, &q, LA_CURSOR_PREV, keys);
	ok(strspn(c.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                  "0123456789-_") == c.len,
	    "the cursor is URL-safe");
	ok(decode(c.data, c.len, &dir, back) == 0,
	    "a cursor decodes under its ordering");
	ok(dir == LA_CURSOR_PREV && back[0].kind == LA_V_FLOAT &&
	        back[0].f == 9.5 && back[1].kind == LA_V_TEXT &&
	        back[1].len == 3 && memcmp(back[1].s, "x\"y", 3) == 0 &&
	        back[2].kind == LA_V_INT && back[2].i == 42,
	    "keys and direction round-trip");

	/* Limits: every int64 and double must come back bit for bit. */
	la_buf_reset(&c);
	keys[0] = la_value_float(4.9406564584124654e-324);
	keys[1] = la_value_text("", 0);
	keys[2] = la_value_int(INT64_MIN);
	la_cursor_encode(&c, &q, LA_CURSOR_NEXT, keys);
	ok(decode(c.data, c.len, &dir, back) == 0, "limits decode");
	ok(dir == LA_CURSOR_NEXT, "next");
	ok(back[0].kind == LA_V_FLOAT && back[0].f == 4.9406564584124654e-324,
	    "smallest subnormal exact");
	ok(back[1].kind == LA_V_TEXT && back[1].len == 0, "empty text");
	ok(back[2].kind == LA_V_INT && back[2].i == INT64_MIN, "INT64_MIN");

	la_buf_reset(&c);
	keys[0] = la_value_float(-0.0);
	keys[1] = LA_VALUE_NULL;
	keys[2] = la_value_int(INT64_MAX);
	la_cursor_encode(&c, &q, LA_CURSOR_NEXT, keys);
	ok(decode(c.data, c.len, &dir, back) == 0, "null key decodes");
	ok(back[0].kind == LA_V_FLOAT && back[0].f == 0 && signbit(back[0].f),
	    "negative zero keeps its sign");
	ok(back[1].kind == LA_V_NULL, "null stays null");
	ok(back[2].kind == LA_V_INT && back[2].i == INT64_MAX, "INT64_MAX");

	/* The same keys under another ordering are refused. */
	parse("ordering=price");
	ok(decode(c.data, c.len, &dir, back) != 0,
	    "another ordering is refused");
	la_buf_free(&c);
}

static void
test_refused(void)
{
	struct la_value keys[3];
	char big[4200];
	int dir;

	parse("ordering=-price,name");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"f1.5\",\"sab\",\"i7\"]}") == 0,
	    "a hand-made cursor of the right shape is accepted");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"i2\",\"sab\",\"i7\"]}") == 0,
	    "an int key for a float column is accepted");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":2,"
	               "\"k\":[\"f1.5\",\"sab\",\"i7\"]}") != 0,
	    "direction 2");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":\"1\","
	               "\"k\":[\"f1.5\",\"sab\",\"i7\"]}") != 0,
	    "direction as a string");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1.0,"
	               "\"k\":[\"f1.5\",\"sab\",\"i7\"]}") != 0,
	    "direction as a double");
	ok(decode_json("{\"d\":1,\"k\":[\"f1.5\",\"sab\",\"i7\"]}") != 0,
	    "no ordering");
	ok(decode_json("{\"o\":\"price,name\",\"d\":1,"
	               "\"k\":[\"f1.5\",\"sab\",\"i7\"]}") != 0,
	    "tampered ordering");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1}") != 0, "no keys");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"f1.5\",\"sab\"]}") != 0,
	    "one key short");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"f1.5\",\"sab\",\"i7\",\"i8\"]}") != 0,
	    "one key too many");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"sx\",\"sab\",\"i7\"]}") != 0,
	    "text for a float column");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"f1.5\",\"i1\",\"i7\"]}") != 0,
	    "int for a text column");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"f1.5\",\"sab\",\"f7\"]}") != 0,
	    "float for the integer key");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"fnan\",\"sab\",\"i7\"]}") != 0,
	    "nan");
	ok(decode_json(
	       "{\"o\":\"-price,name\",\"d\":1,"
	       "\"k\":[\"f1.5\",\"sab\",\"i9223372036854775808\"]}") != 0,
	    "int64 overflow");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[\"f1.5\",\"sab\",\"\"]}") != 0,
	    "empty key");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[1.5,\"sab\",7]}") != 0,
	    "bare numbers are not keys");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,"
	               "\"k\":[[[[[1]]]],\"sab\",\"i7\"]}") != 0,
	    "too deep");
	ok(decode_json("[\"-price,name\",1]") != 0, "not an object");
	ok(decode_json("{\"o\":\"-price,name\",\"d\":1,\"k\":[") != 0,
	    "truncated JSON");
	ok(decode("!!!", 3, &dir, keys) != 0, "not base64url");
	ok(decode("", 0, &dir, keys) != 0, "empty");
	/* "e30" is "{}"; "e31" has stray bits and is not canonical. */
	ok(decode("e31", 3, &dir, keys) != 0, "non-canonical base64url");
	memset(big, 'A', sizeof(big));
	ok(decode(big, sizeof(big), &dir, keys) != 0, "over 4096 bytes");
}

int
main(void)
{
	arena = la_arena_new(4096);
	build();
	test_roundtrip();
	test_refused();
	free(cat);
	la_arena_free(arena);
	return (done_testing());
}
