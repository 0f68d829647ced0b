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
	q->values_only = 0;
	la_buf_reset(b);
}

void
la_sqlb_values_only(struct la_sqlb *q)
{
	q->values_only = 1;
}

/* Every piece of text goes through these three, so that values-only
 * mode skips exactly the text and nothing else. */
static void
sqlb_puts(struct la_sqlb *q, const char *s)
{
	if (!q->values_only)
		la_buf_puts(q->b, s);
}

static void
sqlb_putc(struct la_sqlb *q, char c)
{
	if (!q->values_only)
		la_buf_putc(q->b, c);
}

static void
sqlb_append(struct la_sqlb *q, const char *s, size_t n)
{
	if (!q->values_only)
		la_buf_append(q->b, s, n);
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
	if (!q->values_only)
		la_dialect_param(q->b, q->dialect, q->nparams);
}

static void
sqlb_ident(struct la_sqlb *q, const struct la_catalog *c, uint32_t name)
{
	if (!q->values_only)
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

	if (q->values_only) {
		la_sqlb_param(q); /* the text around it binds nothing */
		return;
	}
	if (la_catalog_cols(c, t)[t->pk].type != LA_T_INT)
		cast = NULL;
	sqlb_puts(q, " WHERE ");
	sqlb_col(q, c, t, t->pk);
	sqlb_puts(q, cast != NULL ? " = CAST(" : " = ");
	la_sqlb_param(q);
	if (cast != NULL) {
		sqlb_puts(q, cast);
		sqlb_putc(q, ')');
	}
}

static void
sqlb_all_cols(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	uint32_t i;

	for (i = 0; i < t->ncols; i++) {
		if (i > 0)
			sqlb_puts(q, ", ");
		sqlb_col(q, c, t, (int)i);
	}
}

void
la_sqlb_select(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	if (q->values_only)
		return; /* binds nothing */
	if (q->select != NULL && q->select_t == t) {
		sqlb_append(q, q->select, q->select_len);
		return;
	}
	sqlb_puts(q, "SELECT ");
	sqlb_all_cols(q, c, t);
	sqlb_puts(q, " FROM ");
	sqlb_ident(q, c, t->name);
}

void
la_sqlb_returning(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	sqlb_puts(q, " RETURNING ");
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
	sqlb_puts(q, " WHERE ");
	sqlb_col(q, c, t, col);
	sqlb_puts(q, " = ");
	la_sqlb_param(q);
	if (ty == LA_T_STR || ty == LA_T_TEXT)
		sqlb_puts(q, la_dialect(q->dialect)->text_eq);
}

/* The IN list of select_in: n placeholders for the caller's values. */
static void
sqlb_in_list(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, size_t n)
{
	size_t i;

	sqlb_puts(q, " WHERE ");
	sqlb_col(q, c, t, col);
	sqlb_puts(q, " IN (");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sqlb_puts(q, ", ");
		la_sqlb_param(q);
	}
	sqlb_puts(q, ")");
}

void
la_sqlb_select_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, size_t n)
{
	la_sqlb_select(q, c, t);
	sqlb_in_list(q, c, t, col, n);
}

/* The ORDER BY of la_sqlb_select_in, after any scope conditions. */
void
la_sqlb_select_in_ranked(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, size_t n)
{
	sqlb_puts(q, "SELECT ");
	sqlb_all_cols(q, c, t);
	sqlb_puts(q, " FROM (SELECT ");
	sqlb_all_cols(q, c, t);
	sqlb_puts(q, ", ROW_NUMBER() OVER (PARTITION BY ");
	sqlb_col(q, c, t, col);
	if (t->pk >= 0 && t->pk != col) {
		sqlb_puts(q, " ORDER BY ");
		sqlb_col(q, c, t, t->pk);
	}
	sqlb_puts(q, ") AS lightapid_rn FROM ");
	sqlb_ident(q, c, t->name);
	sqlb_in_list(q, c, t, col, n);
}

void
la_sqlb_limit_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, int64_t limit)
{
	sqlb_puts(q, ") AS lightapid_ranked WHERE lightapid_rn <= ");
	la_sqlb_bind(q, la_value_int(limit));
	la_sqlb_order_in(q, c, t, col);
}

void
la_sqlb_order_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col)
{
	sqlb_puts(q, " ORDER BY ");
	sqlb_col(q, c, t, col);
	if (t->pk >= 0 && t->pk != col) {
		sqlb_puts(q, ", ");
		sqlb_col(q, c, t, t->pk);
	}
}

void
la_sqlb_exists(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	sqlb_puts(q, "SELECT 1 FROM ");
	sqlb_ident(q, c, t->name);
	sqlb_where_pk(q, c, t);
}

void
la_sqlb_insert(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const unsigned char *set)
{
	uint32_t i;
	int n = 0;

	sqlb_puts(q, "INSERT INTO ");
	sqlb_ident(q, c, t->name);
	for (i = 0; i < t->ncols; i++) {
		if (!set[i])
			continue;
		sqlb_puts(q, n++ ? ", " : " (");
		sqlb_col(q, c, t, (int)i);
	}
	if (n == 0) {
		sqlb_puts(q, la_dialect(q->dialect)->insert_defaults);
		return;
	}
	sqlb_puts(q, ") VALUES (");
	for (i = 0, n = 0; i < t->ncols; i++) {
		if (!set[i])
			continue;
		if (n++)
			sqlb_puts(q, ", ");
		la_sqlb_param(q);
	}
	sqlb_putc(q, ')');
}

void
la_sqlb_update(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const unsigned char *set, int versioned)
{
	uint32_t i;
	int n = 0;

	sqlb_puts(q, "UPDATE ");
	sqlb_ident(q, c, t->name);
	sqlb_puts(q, " SET ");
	for (i = 0; i < t->ncols; i++) {
		if (!set[i] || (int)i == t->pk ||
		    (versioned && (int)i == t->version))
			continue;
		if (n++)
			sqlb_puts(q, ", ");
		sqlb_col(q, c, t, (int)i);
		sqlb_puts(q, " = ");
		la_sqlb_param(q);
	}
	if (versioned) {
		if (n++)
			sqlb_puts(q, ", ");
		sqlb_col(q, c, t, t->version);
		sqlb_puts(q, " = ");
		sqlb_col(q, c, t, t->version);
		sqlb_puts(q, " + 1");
	}
	if (n == 0) {
		/* Nothing to change: a no-op assignment keeps the SQL valid. */
		sqlb_col(q, c, t, t->pk);
		sqlb_puts(q, " = ");
		sqlb_col(q, c, t, t->pk);
	}
	sqlb_where_pk(q, c, t);
	if (versioned) {
		sqlb_puts(q, " AND ");
		sqlb_col(q, c, t, t->version);
		sqlb_puts(q, " = ");
		la_sqlb_param(q);
	}
}

void
la_sqlb_delete(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t)
{
	sqlb_puts(q, "DELETE FROM ");
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
	const char *cast;

	if (q->values_only)
		return; /* binds nothing */
	if ((cast = sqlb_numeric_cast(q, c, t, i)) != NULL) {
		sqlb_puts(q, "CAST(");
		sqlb_col(q, c, t, i);
		sqlb_puts(q, cast);
		sqlb_putc(q, ')');
	} else
		sqlb_col(q, c, t, i);
}

static void
sqlb_cmp_bind(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int i, struct la_value v)
{
	const char *cast = sqlb_numeric_cast(q, c, t, i);

	if (cast != NULL) {
		sqlb_puts(q, "CAST(");
		la_sqlb_bind(q, v);
		sqlb_puts(q, cast);
		sqlb_putc(q, ')');
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
	sqlb_puts(q, lower ? "lower(" : "");
	if (cast != NULL)
		sqlb_puts(q, "CAST(");
	sqlb_col(q, c, t, i);
	if (cast != NULL) {
		sqlb_puts(q, cast);
		sqlb_putc(q, ')');
	}
	sqlb_puts(q, lower ? ")" : "");
}

/*
 * Position of the needle in the column as text: instr() and its
 * equivalents match literally, so '%', '_' and '\' need no escaping.
 */
static void
sqlb_position(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int i, struct la_value needle, int fold)
{
	sqlb_puts(q, la_dialect(q->dialect)->position_fn);
	sqlb_putc(q, '(');
	sqlb_text_col(q, c, t, i, fold);
	sqlb_puts(q, ", ");
	sqlb_puts(q, fold ? "lower(" : "");
	la_sqlb_bind(q, needle);
	sqlb_puts(q, fold ? "))" : ")");
}

static void
sqlb_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_qfilter *f)
{
	size_t i;

	sqlb_cmp_col(q, c, t, f->col);
	sqlb_puts(q, " IN (");
	for (i = 0; i < f->nvals; i++) {
		if (i > 0)
			sqlb_puts(q, ", ");
		sqlb_cmp_bind(q, c, t, f->col, f->vals[i]);
	}
	sqlb_putc(q, ')');
}

static void
sqlb_compare(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, const char *op, struct la_value v)
{
	sqlb_cmp_col(q, c, t, col);
	sqlb_putc(q, ' ');
	sqlb_puts(q, op);
	sqlb_putc(q, ' ');
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
		sqlb_putc(q, '(');
		sqlb_compare(q, c, t, f->col, "<>", f->vals[0]);
		sqlb_puts(q, " OR ");
		sqlb_col(q, c, t, f->col);
		sqlb_puts(q, " IS NULL)");
		break;
	case LA_Q_IN:
		sqlb_in(q, c, t, f);
		break;
	case LA_Q_ISNULL:
		sqlb_col(q, c, t, f->col);
		sqlb_puts(q, f->vals[0].i ? " IS NULL" : " IS NOT NULL");
		break;
	case LA_Q_CONTAINS:
	case LA_Q_ICONTAINS:
		sqlb_position(q, c, t, f->col, f->vals[0],
		    f->op == LA_Q_ICONTAINS);
		sqlb_puts(q, " > 0");
		break;
	case LA_Q_STARTSWITH:
		sqlb_position(q, c, t, f->col, f->vals[0], 0);
		sqlb_puts(q, " = 1");
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

	sqlb_putc(q, '(');
	for (i = 0; i < t->search.n; i++) {
		if (i > 0)
			sqlb_puts(q, " OR ");
		sqlb_position(q, c, t, idx[i], v, 1);
		sqlb_puts(q, " > 0");
	}
	sqlb_putc(q, ')');
}

static int
sqlb_and(struct la_sqlb *q, int n)
{
	sqlb_puts(q, n == 0 ? " WHERE " : " AND ");
	return (n + 1);
}

/* NULL sorts as the smallest value in every dialect. Equality first. */
static void
sqlb_key_eq(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, struct la_value v)
{
	if (v.kind == LA_V_NULL) {
		sqlb_col(q, c, t, col);
		sqlb_puts(q, " IS NULL");
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
		sqlb_puts(q, " IS NOT NULL");
	} else if (!desc)
		sqlb_compare(q, c, t, col, ">", v);
	else {
		sqlb_putc(q, '(');
		sqlb_compare(q, c, t, col, "<", v);
		sqlb_puts(q, " OR ");
		sqlb_col(q, c, t, col);
		sqlb_puts(q, " IS NULL)");
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

	sqlb_putc(q, '(');
	for (k = 0; k < qq->norder; k++) {
		desc = qq->order[k].desc ^ reverse;
		if (desc && keys[k].kind == LA_V_NULL)
			continue;
		sqlb_puts(q, terms++ ? " OR (" : "(");
		for (j = 0; j < k; j++) {
			sqlb_key_eq(q, c, t, qq->order[j].col, keys[j]);
			sqlb_puts(q, " AND ");
		}
		sqlb_key_after(q, c, t, qq->order[k].col, desc, keys[k]);
		sqlb_putc(q, ')');
	}
	sqlb_puts(q, terms ? ")" : "1 = 0)");
}

static void
sqlb_order(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq, int reverse)
{
	const struct la_dialect_info *di = la_dialect(q->dialect);
	size_t i;
	int desc;

	if (q->values_only)
		return; /* binds nothing */
	for (i = 0; i < qq->norder; i++) {
		desc = qq->order[i].desc ^ reverse;
		sqlb_puts(q, i == 0 ? " ORDER BY " : ", ");
		sqlb_cmp_col(q, c, t, qq->order[i].col);
		sqlb_puts(q, desc ? " DESC" : " ASC");
		/* NULL is the smallest value everywhere, so that a cursor
		 * means the same on every database. A column that cannot be
		 * NULL needs no such clause, and without it PostgreSQL can
		 * walk the column's index (the primary key's, for instance)
		 * instead of sorting the whole table. */
		if (la_catalog_cols(c, t)[qq->order[i].col].flags &
		    LA_COL_NULLABLE)
			sqlb_puts(q, desc ? di->nulls_desc : di->nulls_asc);
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
		sqlb_puts(q, " LIMIT ");
		la_sqlb_bind(q, la_value_int(limit));
	}
	if (limit > 0 && offset > 0) {
		sqlb_puts(q, " OFFSET ");
		la_sqlb_bind(q, la_value_int(offset));
	}
}

void
la_sqlb_count(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq)
{
	sqlb_puts(q, "SELECT COUNT(*) FROM ");
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
		sqlb_puts(q, " AND ");
		sqlb_filter(q, c, t, &f[i]);
	}
}
