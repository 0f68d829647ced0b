/*
 * CRUD statement builder (see sqlb.h). Statements depend only on the
 * endpoint and on which columns a body set, so their text is stable and
 * the drivers' prepared-statement caches hit.
 */
#include <stdio.h>

#include "ddl.h"
#include "sqlb.h"

void
la_sqlb_init(struct la_sqlb *q, struct la_buf *b, int dialect)
{
	q->b = b;
	q->dialect = dialect;
	q->nparams = 0;
	la_buf_reset(b);
}

void
la_sqlb_param(struct la_sqlb *q)
{
	q->nparams++;
	if (q->dialect == LA_DDL_PGSQL)
		la_buf_printf(q->b, "$%d", q->nparams);
	else
		la_buf_putc(q->b, '?');
}

static void
sqlb_ident(struct la_sqlb *q, const struct la_catalog *c, uint32_t name)
{
	la_ddl_ident(q->b, q->dialect, la_catalog_str(c, name));
}

static void
sqlb_col(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int i)
{
	sqlb_ident(q, c, la_catalog_cols(c, t)[i].name);
}

static void
sqlb_where_pk(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	la_buf_puts(q->b, " WHERE ");
	sqlb_col(q, c, t, t->pk);
	la_buf_puts(q->b, " = ");
	la_sqlb_param(q);
}

void
la_sqlb_select(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	uint32_t i;

	la_buf_puts(q->b, "SELECT ");
	for (i = 0; i < t->ncols; i++) {
		if (i > 0)
			la_buf_puts(q->b, ", ");
		sqlb_col(q, c, t, (int)i);
	}
	la_buf_puts(q->b, " FROM ");
	sqlb_ident(q, c, t->name);
}

void
la_sqlb_select_pk(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	la_sqlb_select(q, c, t);
	sqlb_where_pk(q, c, t);
}

void
la_sqlb_list(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int limit)
{
	la_sqlb_select(q, c, t);
	if (t->pk >= 0) {
		la_buf_puts(q->b, " ORDER BY ");
		sqlb_col(q, c, t, t->pk);
	}
	if (limit > 0)
		la_buf_printf(q->b, " LIMIT %d", limit);
}

void
la_sqlb_exists(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	la_buf_puts(q->b, "SELECT 1 FROM ");
	sqlb_ident(q, c, t->name);
	sqlb_where_pk(q, c, t);
}

void
la_sqlb_insert(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const unsigned char *set)
{
	uint32_t i;
	int n = 0;

	la_buf_puts(q->b, "INSERT INTO ");
	sqlb_ident(q, c, t->name);
	for (i = 0; i < t->ncols; i++) {
		if (!set[i])
			continue;
		la_buf_puts(q->b, n++ ? ", " : " (");
		sqlb_col(q, c, t, (int)i);
	}
	if (n == 0) {
		la_buf_puts(q->b, q->dialect == LA_DDL_MYSQL
		                      ? " () VALUES ()"
		                      : " DEFAULT VALUES");
		return;
	}
	la_buf_puts(q->b, ") VALUES (");
	for (i = 0, n = 0; i < t->ncols; i++) {
		if (!set[i])
			continue;
		if (n++)
			la_buf_puts(q->b, ", ");
		la_sqlb_param(q);
	}
	la_buf_putc(q->b, ')');
}

void
la_sqlb_update(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const unsigned char *set, int versioned)
{
	uint32_t i;
	int n = 0;

	la_buf_puts(q->b, "UPDATE ");
	sqlb_ident(q, c, t->name);
	la_buf_puts(q->b, " SET ");
	for (i = 0; i < t->ncols; i++) {
		if (!set[i] || (int)i == t->pk ||
		    (versioned && (int)i == t->version))
			continue;
		if (n++)
			la_buf_puts(q->b, ", ");
		sqlb_col(q, c, t, (int)i);
		la_buf_puts(q->b, " = ");
		la_sqlb_param(q);
	}
	if (versioned) {
		if (n++)
			la_buf_puts(q->b, ", ");
		sqlb_col(q, c, t, t->version);
		la_buf_puts(q->b, " = ");
		sqlb_col(q, c, t, t->version);
		la_buf_puts(q->b, " + 1");
	}
	if (n == 0) {
		/* Nothing to change: a no-op assignment keeps the SQL valid. */
		sqlb_col(q, c, t, t->pk);
		la_buf_puts(q->b, " = ");
		sqlb_col(q, c, t, t->pk);
	}
	sqlb_where_pk(q, c, t);
	if (versioned) {
		la_buf_puts(q->b, " AND ");
		sqlb_col(q, c, t, t->version);
		la_buf_puts(q->b, " = ");
		la_sqlb_param(q);
	}
}

void
la_sqlb_delete(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	la_buf_puts(q->b, "DELETE FROM ");
	sqlb_ident(q, c, t->name);
	sqlb_where_pk(q, c, t);
}
