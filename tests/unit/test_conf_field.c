/*
 * Tests for lib/conf_field.c: every key of a field spec, positions of
 * block fields, and patterns that do not compile.
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
test_field_keys(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;
	struct la_col_def *f;

	la_buf_init(&errs);
	c = load(a,
	    DB
	    "endpoints:\n"
	    "  - route: /things\n"
	    "    fields:\n"
	    "      code:\n"
	    "        type: str\n"
	    "        pattern: \"^[A-Z]{3}$\"\n"
	    "        unique: true\n"
	    "        index: yes\n"
	    "        description: \"Three letters\"\n"
	    "      owner_id: {type: int, foreign_key: users.id, "
	    "optional: true, default: 0}\n"
	    "      amount: {type: Decimal, decimal_places: 2, max_digits: 10,"
	    " gt: -1.5, le: 100}\n"
	    "      secret: {type: str, exclude: true, optional: false}\n"
	    "      uid: {type: UUID}\n"
	    "      day: {type: date}\n"
	    "      at: {type: datetime}\n"
	    "      body: {type: json}\n",
	    &errs);
	ok(c != NULL, "every field key loads");
	if (c == NULL) {
		diag("%s", errs.data);
		la_buf_free(&errs);
		return;
	}
	f = c->endpoints[0].fields;
	is_int(c->endpoints[0].nfields, 8, "eight fields");
	is_str(f[0].pattern, "^[A-Z]{3}$", "pattern");
	is_int(f[0].flags, LA_COL_UNIQUE | LA_COL_INDEX, "unique, index");
	is_str(f[0].description, "Three letters", "description");
	is_int(f[0].line, 5, "block field line");
	is_int(f[0].col, 7, "block field col");
	is_str(f[1].fk_table, "users", "fk table");
	is_str(f[1].fk_col, "id", "fk column");
	is_int(f[1].flags, LA_COL_NULLABLE | LA_COL_DEFAULT,
	    "optional with default");
	is_str(f[1].dflt, "0", "default 0");
	is_int(f[2].type, LA_T_DECIMAL, "Decimal");
	is_int(f[2].decimal_places, 2, "decimal_places");
	is_int(f[2].max_digits, 10, "max_digits");
	is_int(f[2].flags, LA_COL_GT | LA_COL_LE, "gt and le flags");
	ok(f[2].gt == -1.5 && f[2].le == 100, "gt and le values");
	is_int(f[3].flags, LA_COL_EXCLUDE, "exclude, optional: false");
	is_int(f[4].type, LA_T_UUID, "UUID");
	is_int(f[5].type, LA_T_DATE, "date");
	is_int(f[6].type, LA_T_DATETIME, "datetime");
	is_int(f[7].type, LA_T_JSON, "json");
	ok(f[4].pattern == NULL && f[4].fk_table == NULL &&
	        f[4].decimal_places == -1 && f[4].max_digits == -1,
	    "unset constraints");
	la_buf_free(&errs);
}

/* regerror's wording belongs to the C library: match up to it. */
static void
test_bad_pattern(struct la_arena *a)
{
	static const char want[] = "t.yaml:5:31: bad regular expression for "
	                           "endpoints[0].fields.a.pattern: ";

	ok(strncmp(errs_of(a, DB "endpoints:\n  - route: /x\n    fields:\n"
	                         "      a: {type: str, pattern: \"(a\"}\n"),
	       want, sizeof(want) - 1) == 0,
	    "error: bad pattern");
}

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_field_keys(a);
	test_bad_pattern(a);
	la_arena_free(a);
	return (done_testing());
}
