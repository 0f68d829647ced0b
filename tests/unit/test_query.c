/* Unit tests for lib/query.c (cursors: test_cursor.c). */
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "catalog.h"
#include "query.h"
#include "tap.h"

static struct la_catalog *
build(int style, int page_size, int max_page_size)
{
	static const char *filter[] = {"name", "price", "stock", "active"};
	static const char *search[] = {"name"};
	static const char *ordering[] = {"price", "name"};
	struct la_catb *b = la_catb_new();
	struct la_catb_table t;
	struct la_col_def d, autos[4];
	struct la_catalog *c;
	size_t size;
	int i;

	memset(&t, 0, sizeof(t));
	t.name = "products";
	t.route = "/products";
	t.filter = filter;
	t.nfilter = 4;
	t.search = search;
	t.nsearch = 1;
	t.ordering = ordering;
	t.nordering = 2;
	t.page_style = style;
	t.page_size = page_size;
	t.max_page_size = max_page_size;
	la_catb_table(b, &t);
	la_col_def_init(&d, "name", LA_T_STR);
	la_catb_column(b, &d);
	la_col_def_init(&d, "price", LA_T_FLOAT);
	la_catb_column(b, &d);
	la_col_def_init(&d, "stock", LA_T_INT);
	d.flags = LA_COL_NULLABLE;
	la_catb_column(b, &d);
	la_col_def_init(&d, "active", LA_T_BOOL);
	la_catb_column(b, &d);
	la_col_def_init(&d, "secret", LA_T_STR);
	la_catb_column(b, &d);
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);
	c = la_catb_finish(b, &size);
	la_catb_free(b);
	return (c);
}

struct fixture {
	struct la_catalog *c;
	const struct la_cat_table *t;
	struct la_arena *a;
	struct la_buf errs;
	struct la_query q;
};

static int
parse(struct fixture *f, const char *qs)
{
	la_buf_reset(&f->errs);
	return (
	    la_query_parse(f->c, f->t, qs, strlen(qs), f->a, &f->q, &f->errs));
}

static void
test_filters(struct fixture *f)
{
	ok(parse(f, "price__gte=10&stock__in=1,2,3&active=yes") == 0,
	    "lookups parse");
	is_int(f->q.nfilters, 3, "three filters");
	is_int(f->q.filters[0].op, LA_Q_GTE, "__gte");
	ok(f->q.filters[0].vals[0].kind == LA_V_FLOAT &&
	        f->q.filters[0].vals[0].f == 10,
	    "coerced to the column's type");
	ok(f->q.filters[1].op == LA_Q_IN && f->q.filters[1].nvals == 3 &&
	        f->q.filters[1].vals[2].i == 3,
	    "__in splits on commas");
	ok(f->q.filters[2].vals[0].kind == LA_V_INT &&
	        f->q.filters[2].vals[0].i == 1,
	    "bool filter accepts yes");
	ok(parse(f, "secret=x&price__foo=1&page=2") == 0 && f->q.nfilters == 0,
	    "unlisted fields, unknown lookups and pagination keys ignored");
	ok(parse(f, "name=a&name=b") == 0 && f->q.nfilters == 1 &&
	        memcmp(f->q.filters[0].vals[0].s, "b", 1) == 0,
	    "a repeated parameter uses its last value");
	ok(parse(f, "name__contains=100%25_x") == 0 &&
	        f->q.filters[0].op == LA_Q_CONTAINS &&
	        f->q.filters[0].vals[0].len == 6,
	    "__contains keeps the text as sent");
	ok(parse(f, "stock__isnull=true") == 0 &&
	        f->q.filters[0].vals[0].i == 1,
	    "__isnull=true");
	ok(parse(f, "stock__isnull=perhaps") == -1 &&
	        strstr(f->errs.data, "\"loc\":[\"query\",\"stock__isnull\"]"),
	    "__isnull needs a boolean");
	ok(parse(f, "price=abc") == -1 &&
	        strstr(f->errs.data, "\"loc\":[\"query\",\"price\"]") &&
	        strstr(f->errs.data, "float_parsing"),
	    "a value that does not coerce is a 422 item naming the parameter");
	ok(parse(f, "stock__gt=1.5") == -1, "1.5 is not an int");
	is_int(parse(f, "name=%zz"), LA_QUERY_BAD_ESCAPE, "bad escape");
}

static void
test_search_order(struct fixture *f)
{
	ok(parse(f, "search=Pro") == 0 && f->q.search_len == 3, "search");
	ok(parse(f, "search=") == 0 && f->q.search == NULL,
	    "empty search ignored");
	ok(parse(f, "ordering=-price,%20name,secret,--stock") == 0,
	    "ordering parses");
	is_str(f->q.ordering, "-price,name", "unlisted fields dropped");
	is_int(f->q.norder, 3, "then the primary key");
	ok(f->q.order[0].desc && !f->q.order[1].desc && f->q.order[2].col == 5,
	    "directions and the id tie-breaker");
	ok(parse(f, "") == 0 && f->q.norder == 1 && f->q.ordering[0] == '\0',
	    "no ordering: the key alone");
	ok(parse(f, "ordering=price,-price") == 0 && f->q.norder == 2,
	    "a field mentioned twice counts once");
}

static void
test_pages(struct fixture *f)
{
	ok(parse(f, "page=3&page_size=500") == 0 && f->q.page == 3 &&
	        f->q.page_size == 20,
	    "page_size is capped at max_page_size");
	ok(parse(f, "page=0") == -1 &&
	        strstr(f->errs.data, "greater_than_equal"),
	    "page=0 is a 422");
	ok(parse(f, "page=abc") == -1 && strstr(f->errs.data, "int_parsing"),
	    "page=abc is a 422");
	ok(parse(f, "page_size=-5") == -1 &&
	        strstr(f->errs.data, "[\"query\",\"page_size\"]"),
	    "negative page_size is a 422");
	ok(parse(f, "page=1&page=2") == 0 && f->q.page == 2, "last page wins");
}

int
main(void)
{
	struct fixture f;

	memset(&f, 0, sizeof(f));
	f.c = build(LA_PAGE_NUMBER, 5, 20);
	f.t = la_catalog_table(f.c, 0);
	f.a = la_arena_new(4096);
	la_buf_init(&f.errs);
	test_filters(&f);
	test_search_order(&f);
	test_pages(&f);
	la_buf_free(&f.errs);
	la_arena_free(f.a);
	free(f.c);
	return (done_testing());
}
