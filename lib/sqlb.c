/*
 * CRUD statement builder (see sqlb.h). Statements depend only on the
 * endpoint and on which columns a body set, so their text is stable and
 * the drivers' prepared-statement caches hit.
 */
#include <stdio.h>

#include "la.h"
#include "dialect.h"
#include "sqlb.h"

void
la_sqlb_init(struct la_sqlb *q, struct la_buf *b, enum la_dialect dialect)
{
	q->b = b;
	q->dialect = dialect;
	q->nparams = 0;
	q->params = NULL;
	q->cap = 0;
	q->select_t = NULL;
	q->select = NULL;
	q->select_len = 0;
	la_buf_reset(b);
}

void
la_sqlb_reuse_select(struct la_sqlb *q, const struct la_cat_table *t,
    const char *text, size_t len)
{
	q->select_t = t;
	q->select = text;
	q->select_len = len;
}

void
la_sqlb_params(struct la_sqlb *q, struct la_value *params, size_t cap)
{
	q->params = params;
	q->cap = cap;
}

void
la_sqlb_bind(struct la_sqlb *q, struct la_value v)
{
	LA_ASSERT((size_t)q->nparams < q->cap);
	q->params[q->nparams] = v;
	la_sqlb_param(q);
}

void
la_sqlb_param(struct la_sqlb *q)
{
	q->nparams++;
	la_dialect_param(q->b, q->dialect, q->nparams);
}

static void
sqlb_ident(struct la_sqlb *q, const struct la_catalog *c, uint32_t name)
{
	la_dialect_ident(q->b, q->dialect, la_catalog_str(c, name));
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
	const char *cast = la_dialect(q->dialect)->int_key_cast;

	if (la_catalog_cols(c, t)[t->pk].type != LA_T_INT)
		cast = NULL;
	la_buf_puts(q->b, " WHERE ");
	sqlb_col(q, c, t, t->pk);
	la_buf_puts(q->b, cast != NULL ? " = CAST(" : " = ");
	la_sqlb_param(q);
	if (cast != NULL) {
		la_buf_puts(q->b, cast);
		la_buf_putc(q->b, ')');
	}
}

static void
sqlb_all_cols(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	uint32_t i;

	for (i = 0; i < t->ncols; i++) {
		if (i > 0)
			la_buf_puts(q->b, ", ");
		sqlb_col(q, c, t, (int)i);
	}
}

void
la_sqlb_select(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	if (q->select != NULL && q->select_t == t) {
		la_buf_append(q->b, q->select, q->select_len);
		return;
	}
	la_buf_puts(q->b, "SELECT ");
	sqlb_all_cols(q, c, t);
	la_buf_puts(q->b, " FROM ");
	sqlb_ident(q, c, t->name);
}

void
la_sqlb_returning(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	la_buf_puts(q->b, " RETURNING ");
	sqlb_all_cols(q, c, t);
}

void
la_sqlb_select_pk(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	la_sqlb_select(q, c, t);
	sqlb_where_pk(q, c, t);
}

void
la_sqlb_select_by(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col)
{
	enum la_type ty = (enum la_type)la_catalog_cols(c, t)[col].type;

	la_sqlb_select(q, c, t);
	la_buf_puts(q->b, " WHERE ");
	sqlb_col(q, c, t, col);
	la_buf_puts(q->b, " = ");
	la_sqlb_param(q);
	if (ty == LA_T_STR || ty == LA_T_TEXT)
		la_buf_puts(q->b, la_dialect(q->dialect)->text_eq);
}

void
la_sqlb_select_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, size_t n)
{
	size_t i;

	la_sqlb_select(q, c, t);
	la_buf_puts(q->b, " WHERE ");
	sqlb_col(q, c, t, col);
	la_buf_puts(q->b, " IN (");
	for (i = 0; i < n; i++) {
		if (i > 0)
			la_buf_puts(q->b, ", ");
		la_sqlb_param(q);
	}
	la_buf_puts(q->b, ")");
}

/* The ORDER BY of la_sqlb_select_in, after any scope conditions. */
void
la_sqlb_order_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col)
{
	la_buf_puts(q->b, " ORDER BY ");
	sqlb_col(q, c, t, col);
	if (t->pk >= 0 && t->pk != col) {
		la_buf_puts(q->b, ", ");
		sqlb_col(q, c, t, t->pk);
	}
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
		la_buf_puts(q->b, la_dialect(q->dialect)->insert_defaults);
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

/* ---- list queries ------------------------------------------------------- */

static enum la_type
sqlb_type(const struct la_catalog *c, const struct la_cat_table *t, int i)
{
	return ((enum la_type)la_catalog_cols(c, t)[i].type);
}

/* Where decimals are kept as text to keep their digits, compare them as
 * numbers, or "10.00" would sort before "9.00". NULL: compare as stored. */
static const char *
sqlb_numeric_cast(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int i)
{
	if (sqlb_type(c, t, i) != LA_T_DECIMAL)
		return (NULL);
	return (la_dialect(q->dialect)->decimal_cmp_cast);
}

static void
sqlb_cmp_col(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int i)
{
	const char *cast = sqlb_numeric_cast(q, c, t, i);

	if (cast != NULL) {
		la_buf_puts(q->b, "CAST(");
		sqlb_col(q, c, t, i);
		la_buf_puts(q->b, cast);
		la_buf_putc(q->b, ')');
	} else
		sqlb_col(q, c, t, i);
}

static void
sqlb_cmp_bind(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int i, struct la_value v)
{
	const char *cast = sqlb_numeric_cast(q, c, t, i);

	if (cast != NULL) {
		la_buf_puts(q->b, "CAST(");
		la_sqlb_bind(q, v);
		la_buf_puts(q->b, cast);
		la_buf_putc(q->b, ')');
	} else
		la_sqlb_bind(q, v);
}

/* The column as text, for substring matching. */
static void
sqlb_text_col(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int i, int lower)
{
	enum la_type ty = sqlb_type(c, t, i);
	const char *cast = la_dialect(q->dialect)->text_cast;

	if (ty == LA_T_STR || ty == LA_T_TEXT)
		cast = NULL;
	la_buf_puts(q->b, lower ? "lower(" : "");
	if (cast != NULL)
		la_buf_puts(q->b, "CAST(");
	sqlb_col(q, c, t, i);
	if (cast != NULL) {
		la_buf_puts(q->b, cast);
		la_buf_putc(q->b, ')');
	}
	la_buf_puts(q->b, lower ? ")" : "");
}

/*
 * Position of the needle in the column as text: instr() and its
 * equivalents match literally, so '%', '_' and '\' need no escaping.
 */
static void
sqlb_position(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int i, struct la_value needle, int fold)
{
	la_buf_puts(q->b, la_dialect(q->dialect)->position_fn);
	la_buf_putc(q->b, '(');
	sqlb_text_col(q, c, t, i, fold);
	la_buf_puts(q->b, ", ");
	la_buf_puts(q->b, fold ? "lower(" : "");
	la_sqlb_bind(q, needle);
	la_buf_puts(q->b, fold ? "))" : ")");
}

static void
sqlb_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_qfilter *f)
{
	size_t i;

	sqlb_cmp_col(q, c, t, f->col);
	la_buf_puts(q->b, " IN (");
	for (i = 0; i < f->nvals; i++) {
		if (i > 0)
			la_buf_puts(q->b, ", ");
		sqlb_cmp_bind(q, c, t, f->col, f->vals[i]);
	}
	la_buf_putc(q->b, ')');
}

static void
sqlb_compare(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, const char *op, struct la_value v)
{
	sqlb_cmp_col(q, c, t, col);
	la_buf_printf(q->b, " %s ", op);
	sqlb_cmp_bind(q, c, t, col, v);
}

static void
sqlb_filter(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_qfilter *f)
{
	static const char *const ops[] = {"=", "<>", ">", ">=", "<", "<="};

	switch (f->op) {
	case LA_Q_NE:
		/* Rows where the column is NULL differ from the value too. */
		la_buf_putc(q->b, '(');
		sqlb_compare(q, c, t, f->col, "<>", f->vals[0]);
		la_buf_puts(q->b, " OR ");
		sqlb_col(q, c, t, f->col);
		la_buf_puts(q->b, " IS NULL)");
		break;
	case LA_Q_IN:
		sqlb_in(q, c, t, f);
		break;
	case LA_Q_ISNULL:
		sqlb_col(q, c, t, f->col);
		la_buf_puts(q->b, f->vals[0].i ? " IS NULL" : " IS NOT NULL");
		break;
	case LA_Q_CONTAINS:
	case LA_Q_ICONTAINS:
		sqlb_position(q, c, t, f->col, f->vals[0],
		    f->op == LA_Q_ICONTAINS);
		la_buf_puts(q->b, " > 0");
		break;
	case LA_Q_STARTSWITH:
		sqlb_position(q, c, t, f->col, f->vals[0], 0);
		la_buf_puts(q->b, " = 1");
		break;
	default:
		sqlb_compare(q, c, t, f->col, ops[f->op], f->vals[0]);
		break;
	}
}

static void
sqlb_search(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq)
{
	const uint16_t *idx = la_catalog_list(c, t->search);
	struct la_value v = la_value_text(qq->search, qq->search_len);
	uint32_t i;

	la_buf_putc(q->b, '(');
	for (i = 0; i < t->search.n; i++) {
		if (i > 0)
			la_buf_puts(q->b, " OR ");
		sqlb_position(q, c, t, idx[i], v, 1);
		la_buf_puts(q->b, " > 0");
	}
	la_buf_putc(q->b, ')');
}

static int
sqlb_and(struct la_sqlb *q, int n)
{
	la_buf_puts(q->b, n == 0 ? " WHERE " : " AND ");
	return (n + 1);
}

/* NULL sorts as the smallest value in every dialect. Equality first. */
static void
sqlb_key_eq(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, struct la_value v)
{
	if (v.kind == LA_V_NULL) {
		sqlb_col(q, c, t, col);
		la_buf_puts(q->b, " IS NULL");
	} else
		sqlb_compare(q, c, t, col, "=", v);
}

/* "Comes after v" in the effective direction (never called for a NULL
 * in descending order: nothing comes after the smallest value). */
static void
sqlb_key_after(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, int desc, struct la_value v)
{
	if (!desc && v.kind == LA_V_NULL) {
		sqlb_col(q, c, t, col);
		la_buf_puts(q->b, " IS NOT NULL");
	} else if (!desc)
		sqlb_compare(q, c, t, col, ">", v);
	else {
		la_buf_putc(q->b, '(');
		sqlb_compare(q, c, t, col, "<", v);
		la_buf_puts(q->b, " OR ");
		sqlb_col(q, c, t, col);
		la_buf_puts(q->b, " IS NULL)");
	}
}

/*
 * Keyset condition for (k0, k1, ..., pk): rows after the cursor are those
 * after it on k0, or equal on k0 and after it on k1, and so on. Written
 * out term by term so any mix of directions and NULLs works everywhere.
 */
static void
sqlb_keyset(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq,
    const struct la_value *keys, int reverse)
{
	size_t k, j;
	int terms = 0, desc;

	la_buf_putc(q->b, '(');
	for (k = 0; k < qq->norder; k++) {
		desc = qq->order[k].desc ^ reverse;
		if (desc && keys[k].kind == LA_V_NULL)
			continue;
		la_buf_puts(q->b, terms++ ? " OR (" : "(");
		for (j = 0; j < k; j++) {
			sqlb_key_eq(q, c, t, qq->order[j].col, keys[j]);
			la_buf_puts(q->b, " AND ");
		}
		sqlb_key_after(q, c, t, qq->order[k].col, desc, keys[k]);
		la_buf_putc(q->b, ')');
	}
	la_buf_puts(q->b, terms ? ")" : "1 = 0)");
}

static void
sqlb_order(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq, int reverse)
{
	const struct la_dialect_info *di = la_dialect(q->dialect);
	size_t i;
	int desc;

	for (i = 0; i < qq->norder; i++) {
		desc = qq->order[i].desc ^ reverse;
		la_buf_puts(q->b, i == 0 ? " ORDER BY " : ", ");
		sqlb_cmp_col(q, c, t, qq->order[i].col);
		la_buf_puts(q->b, desc ? " DESC" : " ASC");
		/* NULL is the smallest value everywhere, so that a cursor
		 * means the same on every database. A column that cannot be
		 * NULL needs no such clause, and without it PostgreSQL can
		 * walk the column's index (the primary key's, for instance)
		 * instead of sorting the whole table. */
		if (la_catalog_cols(c, t)[qq->order[i].col].flags &
		    LA_COL_NULLABLE)
			la_buf_puts(q->b,
			    desc ? di->nulls_desc : di->nulls_asc);
	}
}

static int
sqlb_where(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq)
{
	size_t i;
	int n = 0;

	for (i = 0; i < qq->nfilters; i++) {
		n = sqlb_and(q, n);
		sqlb_filter(q, c, t, &qq->filters[i]);
	}
	if (qq->search != NULL && t->search.n > 0) {
		n = sqlb_and(q, n);
		sqlb_search(q, c, t, qq);
	}
	return (n);
}

void
la_sqlb_query(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq,
    const struct la_value *keys, int reverse, int64_t limit, int64_t offset)
{
	int n;

	la_sqlb_select(q, c, t);
	n = sqlb_where(q, c, t, qq);
	if (keys != NULL) {
		sqlb_and(q, n);
		sqlb_keyset(q, c, t, qq, keys, reverse);
	}
	sqlb_order(q, c, t, qq, reverse);
	if (limit > 0) {
		la_buf_puts(q->b, " LIMIT ");
		la_sqlb_bind(q, la_value_int(limit));
	}
	if (limit > 0 && offset > 0) {
		la_buf_puts(q->b, " OFFSET ");
		la_sqlb_bind(q, la_value_int(offset));
	}
}

void
la_sqlb_count(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq)
{
	la_buf_puts(q->b, "SELECT COUNT(*) FROM ");
	sqlb_ident(q, c, t->name);
	sqlb_where(q, c, t, qq);
}

/* ---- row scoping -------------------------------------------------------- */

void
la_sqlb_scope(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_qfilter *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		la_buf_puts(q->b, " AND ");
		sqlb_filter(q, c, t, &f[i]);
	}
}
