/*
 * Unit tests for lib/sqlshape.c: statement text per query shape. A memo
 * hit must give the very text a fresh build gives, and the builder in
 * values-only mode the very values in the very order.
 */
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "catalog.h"
#include "ddl.h"
#include "sqlb.h"
#include "sqlshape.h"
#include "stmtcache.h"
#include "tap.h"

static struct la_catalog *
build(void)
{
	static const char *search[] = {"name"};
	struct la_catb *b = la_catb_new();
	struct la_catb_table t;
	struct la_col_def d, autos[4];
	struct la_catalog *c;
	size_t size;
	int i;

	memset(&t, 0, sizeof(t));
	t.name = "items";
	t.route = "/items";
	t.search = search;
	t.nsearch = 1;
	la_catb_table(b, &t);
	la_col_def_init(&d, "name", LA_T_STR);
	la_catb_column(b, &d);
	la_col_def_init(&d, "qty", LA_T_INT);
	d.flags |= LA_COL_NULLABLE;
	la_catb_column(b, &d);
	la_col_def_init(&d, "price", LA_T_DECIMAL);
	la_catb_column(b, &d);
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);
	c = la_catb_finish(b, &size);
	la_catb_free(b);
	return (c);
}

static int
same_values(const struct la_value *a, const struct la_value *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i].kind != b[i].kind || a[i].i != b[i].i ||
		    a[i].f != b[i].f || a[i].s != b[i].s ||
		    a[i].len != b[i].len)
			return (0);
	return (1);
}

/* One list query through the memo, against a fresh build of it. */
struct run {
	const struct la_catalog *c;
	const struct la_cat_table *t;
	struct la_sqlshape *m;
	enum la_dialect d;
};

/* 1 on a hit, 0 on a miss (kept), -1 when text or values differ. */
static int
run_query(struct run *r, const struct la_query *qq, const struct la_value *keys,
    int reverse, int64_t limit, int64_t offset)
{
	struct la_value p1[64], p2[64];
	const struct la_sqlshape_ent *e;
	struct la_sqlshape_key k;
	struct la_buf b1, b2;
	struct la_sqlb s1, s2;
	int hit, rc;

	la_sqlshape_key_init(&k, r, r->c, r->t, r->d, LA_SQLSHAPE_QUERY);
	la_sqlshape_key_filters(&k, qq->filters, qq->nfilters);
	la_sqlshape_key_query(&k, r->t, qq, keys, reverse, limit, offset);
	la_buf_init(&b1);
	la_buf_init(&b2);
	la_sqlb_init(&s1, &b1, r->d);
	la_sqlb_params(&s1, p1, 64);
	la_sqlb_query(&s1, r->c, r->t, qq, keys, reverse, limit, offset);
	la_sqlb_init(&s2, &b2, r->d);
	la_sqlb_params(&s2, p2, 64);
	e = la_sqlshape_get(r->m, &k);
	if ((hit = e != NULL))
		la_sqlb_values_only(&s2);
	la_sqlb_query(&s2, r->c, r->t, qq, keys, reverse, limit, offset);
	if (!hit) {
		e = la_sqlshape_put(r->m, &k, b2.data, b2.len);
		ok(e != NULL, "kept");
	} else
		ok(b2.len == 0, "a hit writes no text");
	rc = e != NULL && strcmp(e->text, b1.data) == 0 && e->len == b1.len &&
	             e->hash == la_stmtcache_hash(b1.data, b1.len) &&
	             s1.nparams == s2.nparams && same_values(p1, p2, s1.nparams)
	         ? hit
	         : -1;
	if (rc < 0)
		printf("#   want '%s'\n#    got '%s'\n", b1.data,
		    e != NULL ? e->text : "(none)");
	la_buf_free(&b1);
	la_buf_free(&b2);
	return (rc);
}

/* Shapes that differ in what the text shows each get their own text;
 * the same shape with other values hits and binds the new values. */
static void
test_shapes(struct run *r)
{
	struct la_value a = la_value_int(5), b = la_value_int(6);
	struct la_value in2[2] = {la_value_int(1), la_value_int(2)};
	struct la_value in3[3] = {la_value_int(3), la_value_int(4),
	    la_value_int(5)};
	struct la_value yes = la_value_int(1), no = la_value_int(0);
	struct la_value dec = la_value_text("9.50", 4);
	struct la_value keys[3] = {LA_VALUE_NULL, la_value_text("x", 1),
	    la_value_int(9)};
	struct la_value keys2[3] = {la_value_int(4), la_value_text("y", 1),
	    la_value_int(10)};
	struct la_qfilter f[3] = {{1, LA_Q_GTE, &a, 1}, {1, LA_Q_IN, in2, 2},
	    {0, LA_Q_ICONTAINS, &dec, 1}};
	struct la_qorder order[3] = {{1, 1}, {0, 0}, {3, 0}};
	struct la_query q;

	memset(&q, 0, sizeof(q));
	q.filters = f;
	q.nfilters = 3;
	q.order = order;
	q.norder = 3;
	is_int(run_query(r, &q, NULL, 0, 20, 40), 0, "first: built");
	f[0].vals = &b;
	f[2].vals = &dec;
	is_int(run_query(r, &q, NULL, 0, 21, 60), 1,
	    "same shape, other values: hit, values in order");
	is_int(run_query(r, &q, NULL, 0, 21, 0), 0, "no offset: a new shape");
	f[1].vals = in3;
	f[1].nvals = 3;
	is_int(run_query(r, &q, NULL, 0, 20, 40), 0, "three IN values");
	f[1].vals = in2;
	f[1].nvals = 2;
	is_int(run_query(r, &q, NULL, 0, 20, 40), 1, "two again: hit");
	f[0].op = LA_Q_ISNULL;
	f[0].vals = &yes;
	is_int(run_query(r, &q, NULL, 0, 20, 40), 0, "IS NULL");
	f[0].vals = &no;
	is_int(run_query(r, &q, NULL, 0, 20, 40), 0, "IS NOT NULL differs");
	f[2].col = 2;
	f[2].op = LA_Q_LT;
	is_int(run_query(r, &q, NULL, 0, 20, 40), 0, "decimal compare");
	q.search = "ab";
	q.search_len = 2;
	is_int(run_query(r, &q, NULL, 0, 20, 40), 0, "with a search");
	q.search = "cd";
	is_int(run_query(r, &q, NULL, 0, 20, 40), 1, "other search: hit");
	is_int(run_query(r, &q, keys, 0, 21, 0), 0, "a cursor, NULL first");
	is_int(run_query(r, &q, keys2, 0, 21, 0), 0, "no NULL: differs");
	keys[0] = la_value_int(77);
	is_int(run_query(r, &q, keys, 0, 21, 0), 1, "keys' values: hit");
	is_int(run_query(r, &q, keys, 1, 21, 0), 0, "reverse differs");
	order[1].desc = 1;
	is_int(run_query(r, &q, keys, 1, 21, 0), 0, "direction differs");
	q.nfilters = 0;
	q.search = NULL;
	is_int(run_query(r, &q, NULL, 0, 0, 0), 0, "no filter, no limit");
	is_int(run_query(r, &q, NULL, 0, 0, 0), 1, "hit");
}

static void
test_dialects(const struct la_catalog *c, const struct la_cat_table *t)
{
	static const enum la_dialect d[] = {LA_DIALECT_SQLITE, LA_DIALECT_PGSQL,
	    LA_DIALECT_MYSQL};
	struct la_sqlshape *m = la_sqlshape_new(256);
	struct run r;
	size_t i;

	for (i = 0; i < 3; i++) {
		r.c = c;
		r.t = t;
		r.m = m;
		r.d = d[i];
		printf("# dialect %d\n", (int)d[i]);
		test_shapes(&r);
	}
	ok(la_sqlshape_count(m) == 3 * 12, "one text per shape and dialect");
	la_sqlshape_free(m);
}

/* The key's statements with a scope, values-only against fresh. */
static void
test_keyed(const struct la_catalog *c, const struct la_cat_table *t)
{
	struct la_value owner = la_value_text("ann", 3), one = la_value_int(1);
	struct la_qfilter f[2] = {{0, LA_Q_EQ, &owner, 1},
	    {1, LA_Q_ISNULL, &one, 1}};
	struct la_sqlshape *m = la_sqlshape_new(8);
	const struct la_sqlshape_ent *e;
	struct la_sqlshape_key k;
	struct la_value p1[4], p2[4];
	struct la_buf b1, b2;
	struct la_sqlb s1, s2;

	la_buf_init(&b1);
	la_buf_init(&b2);
	la_sqlshape_key_init(&k, m, c, t, LA_DIALECT_PGSQL,
	    LA_SQLSHAPE_SELECT_PK);
	la_sqlshape_key_filters(&k, f, 2);
	ok(la_sqlshape_get(m, &k) == NULL, "miss");
	la_sqlb_init(&s1, &b1, LA_DIALECT_PGSQL);
	la_sqlb_select_pk(&s1, c, t);
	p1[0] = la_value_int(7);
	la_sqlb_params(&s1, p1, 4);
	la_sqlb_scope(&s1, c, t, f, 2);
	e = la_sqlshape_put(m, &k, b1.data, b1.len);
	ok(la_sqlshape_get(m, &k) == e, "hit");
	la_sqlb_init(&s2, &b2, LA_DIALECT_PGSQL);
	la_sqlb_values_only(&s2);
	la_sqlb_select_pk(&s2, c, t);
	p2[0] = la_value_int(7);
	la_sqlb_params(&s2, p2, 4);
	la_sqlb_scope(&s2, c, t, f, 2);
	ok(b2.len == 0 && s2.nparams == s1.nparams &&
	        same_values(p1, p2, s1.nparams),
	    "values only: no text, the same values");
	is_str(e->text, b1.data, "the text kept");
	la_sqlshape_key_init(&k, m, c, t, LA_DIALECT_MYSQL,
	    LA_SQLSHAPE_SELECT_PK);
	la_sqlshape_key_filters(&k, f, 2);
	ok(la_sqlshape_get(m, &k) == NULL, "another dialect: miss");
	la_sqlshape_key_init(&k, m, c, t, LA_DIALECT_PGSQL,
	    LA_SQLSHAPE_SELECT_PK);
	la_sqlshape_key_filters(&k, f, 1);
	ok(la_sqlshape_get(m, &k) == NULL, "another scope: miss");
	la_buf_free(&b1);
	la_buf_free(&b2);
	la_sqlshape_free(m);
}

/* Writes: the columns a body sets and the flags decide the text; values
 * only counts the same placeholders, and the scope binds after them. */
static void
test_writes(const struct la_catalog *c, const struct la_cat_table *t)
{
	unsigned char a[7] = {1, 1, 0, 0, 0, 0, 0},
	              b[7] = {1, 0, 1, 0, 0, 0, 0};
	struct la_value owner = la_value_text("ann", 3);
	struct la_qfilter f = {0, LA_Q_EQ, &owner, 1};
	struct la_sqlshape_key k1, k2;
	struct la_value p1[8], p2[8];
	struct la_buf b1, b2;
	struct la_sqlb s1, s2;

	la_sqlshape_key_init(&k1, NULL, c, t, LA_DIALECT_SQLITE,
	    LA_SQLSHAPE_UPDATE);
	k2 = k1;
	la_sqlshape_key_set(&k1, t, a, 1);
	la_sqlshape_key_set(&k2, t, b, 1);
	ok(k1.ok && (k1.len != k2.len || memcmp(k1.b, k2.b, k1.len) != 0),
	    "other columns set: another key");
	la_sqlshape_key_init(&k2, NULL, c, t, LA_DIALECT_SQLITE,
	    LA_SQLSHAPE_UPDATE);
	la_sqlshape_key_set(&k2, t, a, 3);
	ok(memcmp(k1.b, k2.b, k1.len) != 0, "RETURNING: another key");
	la_buf_init(&b1);
	la_buf_init(&b2);
	la_sqlb_init(&s1, &b1, LA_DIALECT_PGSQL);
	la_sqlb_update(&s1, c, t, a, 1);
	memset(p1, 0, sizeof(p1));
	la_sqlb_params(&s1, p1, 8);
	la_sqlb_scope(&s1, c, t, &f, 1);
	la_sqlb_init(&s2, &b2, LA_DIALECT_PGSQL);
	la_sqlb_values_only(&s2);
	la_sqlb_update(&s2, c, t, a, 1);
	memset(p2, 0, sizeof(p2));
	la_sqlb_params(&s2, p2, 8);
	la_sqlb_scope(&s2, c, t, &f, 1);
	ok(b2.len == 0 && s1.nparams == s2.nparams &&
	        same_values(p1, p2, s1.nparams),
	    "update scoped: same placeholders, the scope's value after");
	la_sqlb_init(&s1, &b1, LA_DIALECT_MYSQL);
	la_sqlb_insert(&s1, c, t, b);
	la_sqlb_init(&s2, &b2, LA_DIALECT_MYSQL);
	la_sqlb_values_only(&s2);
	la_sqlb_insert(&s2, c, t, b);
	ok(b2.len == 0 && s1.nparams == 2 && s2.nparams == 2,
	    "insert: same placeholders");
	la_buf_free(&b1);
	la_buf_free(&b2);
}

/* Full: the oldest goes; a key too long is never kept. */
static void
test_bounds(const struct la_catalog *c, const struct la_cat_table *t)
{
	struct la_sqlshape *m = la_sqlshape_new(4);
	struct la_sqlshape_key k[6];
	struct la_qfilter f[64];
	struct la_value v = la_value_int(1);
	char text[16];
	int i;

	for (i = 0; i < 6; i++) {
		la_sqlshape_key_init(&k[i], m, c, t, LA_DIALECT_SQLITE,
		    LA_SQLSHAPE_COUNT);
		f[0].col = i;
		f[0].op = LA_Q_EQ;
		f[0].vals = &v;
		f[0].nvals = 1;
		la_sqlshape_key_filters(&k[i], f, 1);
		snprintf(text, sizeof(text), "SELECT %d", i);
		la_sqlshape_put(m, &k[i], text, strlen(text));
	}
	is_int(la_sqlshape_count(m), 4, "never beyond max");
	ok(la_sqlshape_get(m, &k[0]) == NULL &&
	        la_sqlshape_get(m, &k[1]) == NULL,
	    "the two oldest evicted");
	for (i = 2; i < 6; i++) {
		snprintf(text, sizeof(text), "SELECT %d", i);
		is_str(la_sqlshape_get(m, &k[i])->text, text, "kept %d", i);
	}
	for (i = 0; i < 64; i++)
		f[i] = f[0];
	la_sqlshape_key_init(&k[0], m, c, t, LA_DIALECT_SQLITE,
	    LA_SQLSHAPE_COUNT);
	la_sqlshape_key_filters(&k[0], f, 64);
	ok(!k[0].ok, "64 filters: too long a key");
	ok(la_sqlshape_put(m, &k[0], "x", 1) == NULL &&
	        la_sqlshape_get(m, &k[0]) == NULL,
	    "not kept");
	is_str(la_sqlshape_get(m, &k[5])->text, "SELECT 5", "others intact");
	la_sqlshape_free(m);
}

int
main(void)
{
	struct la_catalog *c = build();
	const struct la_cat_table *t = la_catalog_table(c, 0);

	test_dialects(c, t);
	test_keyed(c, t);
	test_writes(c, t);
	test_bounds(c, t);
	free(c);
	return (done_testing());
}
