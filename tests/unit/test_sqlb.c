/* Unit tests for lib/sqlb.c: statement text per dialect. */
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "catalog.h"
#include "ddl.h"
#include "sqlb.h"
#include "tap.h"

static struct la_catalog *
build(void)
{
	struct la_catb *b = la_catb_new();
	struct la_catb_table t;
	struct la_col_def d, autos[4];
	struct la_catalog *c;
	size_t size;
	int i;

	memset(&t, 0, sizeof(t));
	t.name = "items";
	t.route = "/items";
	la_catb_table(b, &t);
	la_col_def_init(&d, "name", LA_T_STR);
	la_catb_column(b, &d);
	la_col_def_init(&d, "qty", LA_T_INT);
	d.flags |= LA_COL_NULLABLE; /* optional: NULL sorts first */
	la_catb_column(b, &d);
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);
	c = la_catb_finish(b, &size);
	la_catb_free(b);
	return (c);
}

/* A query as the parser would produce it: filters, search, order. */
static void
test_queries(const struct la_catalog *c, const struct la_cat_table *t,
    struct la_buf *b)
{
	struct la_value in[2] = {la_value_int(1), la_value_int(2)};
	struct la_value ge = la_value_int(5), nul = la_value_int(1);
	struct la_value word = la_value_text("a%", 2), params[32];
	struct la_value keys[2] = {LA_VALUE_NULL, la_value_int(9)};
	struct la_qfilter f[3] = {{1, LA_Q_GTE, &ge, 1}, {1, LA_Q_IN, in, 2},
	    {0, LA_Q_ICONTAINS, &word, 1}};
	struct la_qorder order[2] = {{1, 1}, {2, 0}};
	struct la_query q;
	struct la_sqlb s;

	memset(&q, 0, sizeof(q));
	q.filters = f;
	q.nfilters = 3;
	q.order = order;
	q.norder = 2;
	la_sqlb_init(&s, b, LA_DIALECT_SQLITE);
	la_sqlb_params(&s, params, 32);
	la_sqlb_query(&s, c, t, &q, NULL, 0, 20, 40);
	ok(strstr(b->data, " WHERE \"qty\" >= ? AND \"qty\" IN (?, ?) AND "
	                   "instr(lower(\"name\"), lower(?)) > 0 ORDER BY "
	                   "\"qty\" DESC, \"id\" ASC LIMIT ? OFFSET ?") != NULL,
	    "filters, lookups, order, limit and offset");
	ok(s.nparams == 6 && params[4].i == 20 && params[5].i == 40,
	    "every value is bound, limit and offset included");
	la_sqlb_init(&s, b, LA_DIALECT_PGSQL);
	la_sqlb_params(&s, params, 32);
	q.nfilters = 0;
	la_sqlb_query(&s, c, t, &q, keys, 0, 3, 0);
	ok(strstr(b->data, " WHERE ((\"qty\" IS NULL AND \"id\" > $1)) "
	                   "ORDER BY \"qty\" DESC NULLS LAST, \"id\" ASC "
	                   "LIMIT $2") != NULL,
	    "keyset after a NULL in descending order; the key, which cannot "
	    "be NULL, gets no NULLS clause, so its index can serve the order");
	la_sqlb_init(&s, b, LA_DIALECT_SQLITE);
	la_sqlb_params(&s, params, 32);
	la_sqlb_query(&s, c, t, &q, keys, 1, 3, 0);
	ok(strstr(b->data, "((\"qty\" IS NOT NULL) OR (\"qty\" IS NULL AND "
	                   "(\"id\" < ? OR \"id\" IS NULL))) ORDER BY "
	                   "\"qty\" ASC, \"id\" DESC") != NULL,
	    "walking backwards flips every direction");
	la_sqlb_init(&s, b, LA_DIALECT_SQLITE);
	la_sqlb_params(&s, params, 32);
	f[0].op = LA_Q_ISNULL;
	f[0].vals = &nul;
	q.filters = f;
	q.nfilters = 1;
	la_sqlb_count(&s, c, t, &q);
	is_str(b->data, "SELECT COUNT(*) FROM \"items\" WHERE \"qty\" IS NULL",
	    "count with a filter");
}

/* A row scope after the key (and the version), values bound after theirs. */
static void
test_scope(const struct la_catalog *c, const struct la_cat_table *t,
    struct la_buf *b)
{
	struct la_value owner = la_value_text("ann", 3), one = la_value_int(1);
	struct la_qfilter f[2] = {{0, LA_Q_EQ, &owner, 1},
	    {1, LA_Q_ISNULL, &one, 1}};
	unsigned char upd[6] = {0, 1, 0, 0, 0, 0};
	struct la_value params[8];
	struct la_sqlb s;

	la_sqlb_init(&s, b, LA_DIALECT_PGSQL);
	la_sqlb_select_pk(&s, c, t);
	params[0] = la_value_int(7);
	la_sqlb_params(&s, params, 8);
	la_sqlb_scope(&s, c, t, f, 2);
	ok(strstr(b->data,
	       " WHERE \"id\" = CAST($1 AS BIGINT) AND \"name\" = $2 AND "
	       "\"qty\" IS NULL") != NULL,
	    "detail select scoped");
	ok(s.nparams == 2 && params[0].i == 7 && params[1].s == owner.s,
	    "the scope's value follows the key");
	la_sqlb_init(&s, b, LA_DIALECT_MYSQL);
	la_sqlb_update(&s, c, t, upd, 1);
	la_sqlb_params(&s, params, 8);
	la_sqlb_scope(&s, c, t, f, 1);
	is_str(b->data,
	    "UPDATE `items` SET `qty` = ?, `version` = `version` + 1 WHERE "
	    "`id` = ? AND `version` = ? AND `name` = ?",
	    "versioned update scoped");
	is_int(s.nparams, 4, "set value, key, version, scope");
	la_sqlb_init(&s, b, LA_DIALECT_SQLITE);
	la_sqlb_delete(&s, c, t);
	la_sqlb_params(&s, params, 8);
	la_sqlb_scope(&s, c, t, f, 0);
	is_str(b->data, "DELETE FROM \"items\" WHERE \"id\" = ?",
	    "no scope, no change");
}

int
main(void)
{
	struct la_catalog *c = build();
	const struct la_cat_table *t = la_catalog_table(c, 0);
	unsigned char set[6] = {1, 0, 0, 1, 1, 1}, upd[6] = {1, 1, 0, 0, 1, 0};
	unsigned char none[6] = {0};
	struct la_buf b;
	struct la_sqlb q;

	la_buf_init(&b);
	la_sqlb_init(&q, &b, LA_DIALECT_SQLITE);
	la_sqlb_select_pk(&q, c, t);
	is_str(b.data,
	    "SELECT \"name\", \"qty\", \"id\", \"created_at\", \"updated_at\", "
	    "\"version\" FROM \"items\" WHERE \"id\" = ?",
	    "select by key");
	la_sqlb_init(&q, &b, LA_DIALECT_PGSQL);
	la_sqlb_insert(&q, c, t, set);
	is_str(b.data,
	    "INSERT INTO \"items\" (\"name\", \"created_at\", \"updated_at\", "
	    "\"version\") VALUES ($1, $2, $3, $4)",
	    "insert with PostgreSQL placeholders");
	is_int(q.nparams, 4, "parameter count");
	la_sqlb_init(&q, &b, LA_DIALECT_MYSQL);
	la_sqlb_update(&q, c, t, upd, 1);
	is_str(b.data,
	    "UPDATE `items` SET `name` = ?, `qty` = ?, `updated_at` = ?, "
	    "`version` = `version` + 1 WHERE `id` = ? AND `version` = ?",
	    "versioned update, MySQL quoting");
	la_sqlb_init(&q, &b, LA_DIALECT_SQLITE);
	la_sqlb_update(&q, c, t, none, 0);
	is_str(b.data, "UPDATE \"items\" SET \"id\" = \"id\" WHERE \"id\" = ?",
	    "an update with nothing to set stays valid SQL");
	test_scope(c, t, &b);
	la_sqlb_init(&q, &b, LA_DIALECT_SQLITE);
	la_sqlb_insert(&q, c, t, none);
	is_str(b.data, "INSERT INTO \"items\" DEFAULT VALUES", "empty insert");
	la_sqlb_init(&q, &b, LA_DIALECT_SQLITE);
	la_sqlb_delete(&q, c, t);
	is_str(b.data, "DELETE FROM \"items\" WHERE \"id\" = ?", "delete");
	la_sqlb_init(&q, &b, LA_DIALECT_SQLITE);
	la_sqlb_exists(&q, c, t);
	is_str(b.data, "SELECT 1 FROM \"items\" WHERE \"id\" = ?", "exists");
	la_sqlb_init(&q, &b, LA_DIALECT_PGSQL);
	la_sqlb_delete(&q, c, t);
	is_str(b.data,
	    "DELETE FROM \"items\" WHERE \"id\" = CAST($1 AS BIGINT)",
	    "an integer key from a URL is compared as BIGINT on PostgreSQL");
	la_sqlb_init(&q, &b, LA_DIALECT_PGSQL);
	la_sqlb_update(&q, c, t, upd, 1);
	la_sqlb_returning(&q, c, t);
	is_str(b.data,
	    "UPDATE \"items\" SET \"name\" = $1, \"qty\" = $2, "
	    "\"updated_at\" = $3, \"version\" = \"version\" + 1 WHERE "
	    "\"id\" = CAST($4 AS BIGINT) AND \"version\" = $5 RETURNING "
	    "\"name\", \"qty\", "
	    "\"id\", \"created_at\", \"updated_at\", \"version\"",
	    "update returning every column in select order");
	la_sqlb_init(&q, &b, LA_DIALECT_MYSQL);
	la_sqlb_insert(&q, c, t, none);
	la_sqlb_returning(&q, c, t);
	is_str(b.data,
	    "INSERT INTO `items` () VALUES () RETURNING `name`, `qty`, `id`, "
	    "`created_at`, `updated_at`, `version`",
	    "empty insert returning, MySQL");
	la_sqlb_init(&q, &b, LA_DIALECT_MYSQL);
	la_sqlb_select_by(&q, c, t, 0);
	is_str(b.data,
	    "SELECT `name`, `qty`, `id`, `created_at`, `updated_at`, "
	    "`version` FROM `items` WHERE `name` = ? COLLATE utf8mb4_bin",
	    "MySQL: a text lookup matches bytes, whatever the collation");
	la_sqlb_init(&q, &b, LA_DIALECT_MYSQL);
	la_sqlb_select_by(&q, c, t, 1);
	is_str(b.data,
	    "SELECT `name`, `qty`, `id`, `created_at`, `updated_at`, "
	    "`version` FROM `items` WHERE `qty` = ?",
	    "MySQL: a number lookup as it is");
	la_sqlb_init(&q, &b, LA_DIALECT_PGSQL);
	la_sqlb_select_by(&q, c, t, 0);
	is_str(b.data,
	    "SELECT \"name\", \"qty\", \"id\", \"created_at\", "
	    "\"updated_at\", \"version\" FROM \"items\" WHERE \"name\" = $1",
	    "PostgreSQL: text lookups are exact already");
	la_sqlb_init(&q, &b, LA_DIALECT_PGSQL);
	la_sqlb_select_in(&q, c, t, 1, 3);
	la_sqlb_order_in(&q, c, t, 1);
	is_str(b.data,
	    "SELECT \"name\", \"qty\", \"id\", \"created_at\", "
	    "\"updated_at\", \"version\" FROM \"items\" WHERE \"qty\" IN "
	    "($1, $2, $3) ORDER BY \"qty\", \"id\"",
	    "IN list: one placeholder per key, grouped by the key");
	is_int(q.nparams, 3, "IN list parameter count");
	la_sqlb_init(&q, &b, LA_DIALECT_SQLITE);
	la_sqlb_select_in(&q, c, t, 2, 1);
	la_sqlb_order_in(&q, c, t, 2);
	is_str(b.data,
	    "SELECT \"name\", \"qty\", \"id\", \"created_at\", "
	    "\"updated_at\", \"version\" FROM \"items\" WHERE \"id\" IN "
	    "(?) ORDER BY \"id\"",
	    "IN list on the key: ordered by it once");
	{
		struct la_value p[3];

		la_sqlb_init(&q, &b, LA_DIALECT_PGSQL);
		la_sqlb_select_in_ranked(&q, c, t, 1, 2);
		la_sqlb_params(&q, p, 3);
		la_sqlb_limit_in(&q, c, t, 1, 5);
		is_str(b.data,
		    "SELECT \"name\", \"qty\", \"id\", \"created_at\", "
		    "\"updated_at\", \"version\" FROM (SELECT \"name\", "
		    "\"qty\", \"id\", \"created_at\", \"updated_at\", "
		    "\"version\", ROW_NUMBER() OVER (PARTITION BY \"qty\" "
		    "ORDER BY \"id\") AS lightapid_rn FROM \"items\" WHERE "
		    "\"qty\" IN ($1, $2)) AS lightapid_ranked WHERE "
		    "lightapid_rn <= $3 ORDER BY \"qty\", \"id\"",
		    "IN list ranked: at most the limit per key");
		is_int(q.nparams, 3, "ranked: the keys, then the limit");
		ok(p[2].kind == LA_V_INT && p[2].i == 5, "the limit bound");
	}
	test_queries(c, t, &b);
	la_buf_free(&b);
	free(c);
	return (done_testing());
}
