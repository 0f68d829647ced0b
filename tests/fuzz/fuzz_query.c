/*
 * Fuzz target for list-route query strings: the parser, the cursor
 * decoder and the SQL builder on whatever the parser accepts. Checks that
 * the builder binds no more values than la_query_max_params promised.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "catalog.h"
#include "cursor.h"
#include "ddl.h"
#include "query.h"
#include "sqlb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct la_catalog *
fuzz_catalog(void)
{
	static const char *all[] = {"name", "price", "stock", "active", "day"};
	struct la_catb *b = la_catb_new();
	struct la_catb_table t;
	struct la_col_def d, autos[4];
	static const enum la_type types[] = {LA_T_STR, LA_T_DECIMAL, LA_T_INT,
	    LA_T_BOOL, LA_T_DATETIME};
	struct la_catalog *c;
	size_t size;
	int i;

	memset(&t, 0, sizeof(t));
	t.name = "t";
	t.route = "/t";
	t.filter = t.search = t.ordering = all;
	t.nfilter = t.nsearch = t.nordering = 5;
	t.page_style = LA_PAGE_CURSOR;
	t.page_size = 10;
	t.max_page_size = 50;
	la_catb_table(b, &t);
	for (i = 0; i < 5; i++) {
		la_col_def_init(&d, all[i], types[i]);
		d.flags = LA_COL_NULLABLE;
		la_catb_column(b, &d);
	}
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);
	c = la_catb_finish(b, &size);
	la_catb_free(b);
	return (c);
}

static void
fuzz_build(const struct la_catalog *c, const struct la_cat_table *t,
    const struct la_query *q, const struct la_value *keys, int dir,
    struct la_arena *a)
{
	size_t cap = la_query_max_params(t, q);
	struct la_value *p = la_arena_calloc(a, cap, sizeof(*p));
	struct la_buf sql;
	struct la_sqlb s;
	int d;

	la_buf_init(&sql);
	for (d = LA_DDL_SQLITE; d <= LA_DDL_MYSQL; d++) {
		la_sqlb_init(&s, &sql, d);
		la_sqlb_params(&s, p, cap);
		la_sqlb_query(&s, c, t, q, keys, dir == LA_CURSOR_PREV,
		    q->page_size + 1, 0);
		LA_ASSERT((size_t)s.nparams <= cap);
		la_sqlb_init(&s, &sql, d);
		la_sqlb_params(&s, p, cap);
		la_sqlb_count(&s, c, t, q);
	}
	la_buf_free(&sql);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct la_catalog *c;
	const struct la_cat_table *t;
	struct la_arena *a = la_arena_new(4096);
	struct la_value *keys = NULL;
	struct la_query q;
	struct la_buf errs;
	int dir = LA_CURSOR_NEXT;

	if (c == NULL)
		c = fuzz_catalog();
	t = la_catalog_table(c, 0);
	la_buf_init(&errs);
	if (la_query_parse(c, t, (const char *)data, size, a, &q, &errs) == 0) {
		if (q.cursor != NULL) {
			keys = la_arena_calloc(a, q.norder, sizeof(*keys));
			if (la_cursor_decode(c, t, &q, a, &dir, keys) != 0)
				keys = NULL;
		}
		fuzz_build(c, t, &q, keys, dir, a);
	}
	la_buf_free(&errs);
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
