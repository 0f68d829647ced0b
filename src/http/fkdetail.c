/*
 * Which foreign key a write broke, for an engine whose error does not say
 * (see fkdetail.h). The database is asked after the failed statement, with
 * statements built from catalog identifiers and bound values only.
 */
#include <stdio.h>
#include <string.h>

#include "la.h"
#include "buf.h"
#include "dialect.h"
#include "fkdetail.h"

/* 1 when "SELECT 1 FROM table WHERE col = v" finds a row, 0 when not,
 * -1 on an error. */
static int
fkdetail_exists(struct la_db_conn *db, struct la_arena *a, const char *table,
    const char *col, struct la_value v)
{
	enum la_dialect d = la_db_dialect(db);
	struct la_db_stmt *st;
	struct la_buf sql;
	int rc;

	la_buf_init(&sql);
	la_buf_puts(&sql, "SELECT 1 FROM ");
	la_dialect_ident(&sql, d, table);
	la_buf_puts(&sql, " WHERE ");
	la_dialect_ident(&sql, d, col);
	la_buf_puts(&sql, " = ");
	la_dialect_param(&sql, d, 1);
	la_buf_puts(&sql, " LIMIT 1");
	rc = la_db_query(db, a, sql.data, &v, 1, &st);
	la_db_finish(st);
	la_buf_free(&sql);
	if (rc < 0)
		return (-1);
	return (rc == LA_DB_ROW);
}

static void
fkdetail_put(char *out, size_t n, const char *table, const char *col)
{
	snprintf(out, n, "%s.%s", table, col);
}

int
la_fkdetail_write(struct la_db_conn *db, struct la_arena *a,
    const struct la_catalog *cat, const struct la_cat_table *t,
    const struct la_value *vals, const unsigned char *set, char *out, size_t n)
{
	const struct la_cat_col *cols = la_catalog_cols(cat, t);
	uint32_t i;

	for (i = 0; i < t->ncols; i++) {
		if (!set[i] || cols[i].fk_table == 0 ||
		    vals[i].kind == LA_V_NULL)
			continue;
		if (fkdetail_exists(db, a,
		        la_catalog_str(cat, cols[i].fk_table),
		        la_catalog_str(cat, cols[i].fk_col), vals[i]) == 0) {
			fkdetail_put(out, n, la_catalog_str(cat, t->name),
			    la_catalog_str(cat, cols[i].name));
			return (0);
		}
	}
	return (-1);
}

/* The value of column col of t's row with key, or NULL kind. */
static struct la_value
fkdetail_referenced(struct la_db_conn *db, struct la_arena *a,
    const struct la_catalog *cat, const struct la_cat_table *t, const char *col,
    struct la_value key)
{
	enum la_dialect d = la_db_dialect(db);
	const struct la_cat_col *cols = la_catalog_cols(cat, t);
	struct la_value v = LA_VALUE_NULL;
	struct la_db_stmt *st;
	struct la_buf sql;

	if (strcmp(col, la_catalog_str(cat, cols[t->pk].name)) == 0)
		return (key);
	la_buf_init(&sql);
	la_buf_puts(&sql, "SELECT ");
	la_dialect_ident(&sql, d, col);
	la_buf_puts(&sql, " FROM ");
	la_dialect_ident(&sql, d, la_catalog_str(cat, t->name));
	la_buf_puts(&sql, " WHERE ");
	la_dialect_ident(&sql, d, la_catalog_str(cat, cols[t->pk].name));
	la_buf_puts(&sql, " = ");
	la_dialect_param(&sql, d, 1);
	if (la_db_query(db, a, sql.data, &key, 1, &st) == LA_DB_ROW) {
		la_db_column(st, 0, &v);
		/* The driver's text lives until the statement moves on. */
		if (v.kind == LA_V_TEXT)
			v.s = la_arena_strndup(a, v.s, v.len);
	}
	la_db_finish(st);
	la_buf_free(&sql);
	return (v);
}

int
la_fkdetail_delete(struct la_db_conn *db, struct la_arena *a,
    const struct la_catalog *cat, const struct la_cat_table *t,
    struct la_value key, char *out, size_t n)
{
	const char *name = la_catalog_str(cat, t->name);
	const struct la_cat_table *c;
	const struct la_cat_col *cols;
	struct la_value v;
	size_t k;
	uint32_t j;

	if (t->pk < 0)
		return (-1);
	for (k = 0; (c = la_catalog_table(cat, k)) != NULL; k++) {
		cols = la_catalog_cols(cat, c);
		for (j = 0; j < c->ncols; j++) {
			if (cols[j].fk_table == 0 ||
			    strcmp(la_catalog_str(cat, cols[j].fk_table),
			        name) != 0)
				continue;
			v = fkdetail_referenced(db, a, cat, t,
			    la_catalog_str(cat, cols[j].fk_col), key);
			if (v.kind != LA_V_NULL &&
			    fkdetail_exists(db, a, la_catalog_str(cat, c->name),
			        la_catalog_str(cat, cols[j].name), v) == 1) {
				fkdetail_put(out, n,
				    la_catalog_str(cat, c->name),
				    la_catalog_str(cat, cols[j].name));
				return (0);
			}
		}
	}
	return (-1);
}
