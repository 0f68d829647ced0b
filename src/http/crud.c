/*
 * Shared pieces of the endpoint handlers (see crud.h): statements, rows
 * out as JSON by catalog type, and database errors to statuses.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "crud.h"
#include "json.h"
#include "log.h"
#include "response.h"
#include "xalloc.h"

void
la_crud_db_error(struct la_crud *x, int rc)
{
	struct la_db_conn *db = &x->ctx->db;

	switch (rc) {
	case LA_DB_EUNIQUE:
	case LA_DB_EFK:
	case LA_DB_ENOTNULL:
	case LA_DB_ECHECK:
		la_resp_fail(&x->r->resp, LA_ERR_CONFLICT, la_db_errmsg(db));
		return;
	case LA_DB_EUNAVAIL:
		la_ctx_db_lost(x->ctx, x->r->endpoint, la_db_rawmsg(db));
		la_resp_fail(&x->r->resp, LA_ERR_UNAVAILABLE,
		    "database unavailable");
		return;
	default:
		la_log(LA_LOG_ERR, "%s: database error: %s", x->r->endpoint,
		    la_db_rawmsg(db));
		la_resp_fail(&x->r->resp, LA_ERR_INTERNAL,
		    "internal server error");
	}
}

/* Prepares the SQL in the context's SQL buffer and runs it: LA_DB_ROW,
 * LA_DB_DONE or error. */
int
la_crud_run(struct la_crud *x, const struct la_value *params, size_t n,
    struct la_db_stmt **stp)
{
	const struct la_sqlshape_ent *e = x->sql;

	if (e != NULL)
		return (la_db_query_hashed(&x->ctx->db, x->r->a, e->text,
		    e->len, e->hash, params, n, stp));
	return (la_db_query(&x->ctx->db, x->r->a, x->ctx->sql.data, params, n,
	    stp));
}

const char *
la_crud_text(const struct la_crud *x, size_t *len)
{
	if (x->sql != NULL) {
		*len = x->sql->len;
		return (x->sql->text);
	}
	*len = x->ctx->sql.len;
	return (x->ctx->sql.data);
}

/*
 * "SELECT <every column> FROM <table>" per context, table and dialect,
 * built at the table's first statement: every read starts with it, and it
 * is most of the text. A worker keeps its context, catalog and connection
 * dialect for its life, so an entry never goes stale.
 */
struct crud_select {
	const struct la_ctx *ctx;
	const struct la_catalog *cat;
	const struct la_cat_table *t;
	enum la_dialect dialect;
	char *text;
	size_t len;
};

static struct crud_select *crud_selects;
static size_t crud_nselects, crud_capselects;

static const struct crud_select *
crud_select_text(struct la_crud *x, enum la_dialect d)
{
	struct crud_select *e;
	struct la_buf b;
	struct la_sqlb q;
	size_t i;

	for (i = 0; i < crud_nselects; i++) {
		e = &crud_selects[i];
		if (e->t == x->t && e->ctx == x->ctx && e->cat == x->cat &&
		    e->dialect == d)
			return (e);
	}
	if (crud_nselects == crud_capselects) {
		crud_capselects = crud_capselects ? 2 * crud_capselects : 8;
		crud_selects = la_xrealloc(crud_selects,
		    crud_capselects * sizeof(*crud_selects));
	}
	la_buf_init(&b);
	la_sqlb_init(&q, &b, d);
	la_sqlb_select(&q, x->cat, x->t);
	e = &crud_selects[crud_nselects++];
	e->ctx = x->ctx;
	e->cat = x->cat;
	e->t = x->t;
	e->dialect = d;
	e->len = b.len;
	e->text = b.data; /* owned by the entry from now on */
	return (e);
}

struct la_sqlb
la_crud_sql(struct la_crud *x)
{
	enum la_dialect d = la_db_dialect(&x->ctx->db);
	const struct crud_select *e = crud_select_text(x, d);
	struct la_sqlb q;

	x->sql = NULL;
	la_sqlb_init(&q, &x->ctx->sql, d);
	la_sqlb_reuse_select(&q, x->t, e->text, e->len);
	return (q);
}

/*
 * Statement texts by shape, per worker like crud_selects (the key names
 * the context and catalog). Bounded: shapes come from query strings.
 */
#define CRUD_MEMO_MAX 256

static struct la_sqlshape *crud_memo;

void
la_crud_shape_key(struct la_crud *x, struct la_sqlshape_key *k,
    enum la_sqlshape_kind kind)
{
	la_sqlshape_key_init(k, x->ctx, x->cat, x->t,
	    la_db_dialect(&x->ctx->db), kind);
}

struct la_sqlb
la_crud_shaped(struct la_crud *x, const struct la_sqlshape_key *k)
{
	const struct la_sqlshape_ent *e;
	struct la_sqlb q;

	if (crud_memo == NULL)
		crud_memo = la_sqlshape_new(CRUD_MEMO_MAX);
	if ((e = la_sqlshape_get(crud_memo, k)) == NULL)
		return (la_crud_sql(x));
	/* A hit needs no SELECT prefix: no text is written at all. */
	la_sqlb_init(&q, &x->ctx->sql, la_db_dialect(&x->ctx->db));
	la_sqlb_values_only(&q);
	x->sql = e;
	return (q);
}

void
la_crud_shaped_end(struct la_crud *x, const struct la_sqlb *q,
    const struct la_sqlshape_key *k)
{
	if (x->sql == NULL)
		x->sql = la_sqlshape_put(crud_memo, k, q->b->data, q->b->len);
}

static void
crud_text_out(struct la_buf *b, const struct la_value *v, enum la_type ty)
{
	/* Reflected timestamps may use a space; clients get ISO 8601. */
	if ((ty == LA_T_DATETIME) && v->len > 10 && v->s[10] == ' ') {
		la_buf_putc(b, '"');
		la_buf_append(b, v->s, 10);
		la_buf_putc(b, 'T');
		la_buf_append(b, v->s + 11, v->len - 11);
		la_buf_putc(b, '"');
		return;
	}
	la_json_str(b, v->s, v->len);
}

static void
crud_json_out(struct la_crud *x, struct la_buf *b, const struct la_value *v)
{
	/* A value we did not write ourselves may not be JSON at all. */
	if ((x->t->flags & LA_TBL_DECLARED) ||
	    la_json_parse(v->s, v->len, LA_JSON_MAX_DEPTH, x->r->a) != NULL)
		la_buf_append(b, v->s, v->len);
	else
		la_json_str(b, v->s, v->len);
}

static void
crud_number_as_decimal(struct la_buf *b, const struct la_value *v,
    const struct la_cat_col *col)
{
	double d = v->kind == LA_V_INT ? (double)v->i : v->f;

	if (col->decimal_places >= 0)
		la_buf_printf(b, "\"%.*f\"", (int)col->decimal_places, d);
	else if (v->kind == LA_V_INT)
		la_buf_printf(b, "\"%lld\"", (long long)v->i);
	else {
		la_buf_putc(b, '"');
		la_json_double(b, d);
		la_buf_putc(b, '"');
	}
}

static void
crud_value_out(struct la_crud *x, struct la_buf *b, const struct la_value *v,
    const struct la_cat_col *col)
{
	enum la_type ty = (enum la_type)col->type;

	if (v->kind == LA_V_NULL)
		la_buf_append(b, "null", 4);
	else if (ty == LA_T_BOOL && v->kind == LA_V_INT)
		la_buf_append(b, v->i ? "true" : "false", v->i ? 4 : 5);
	else if (ty == LA_T_JSON && v->kind == LA_V_TEXT)
		crud_json_out(x, b, v);
	else if (ty == LA_T_DECIMAL && v->kind != LA_V_TEXT)
		crud_number_as_decimal(b, v, col);
	else if (v->kind == LA_V_TEXT)
		crud_text_out(b, v, ty);
	else if (v->kind == LA_V_FLOAT || ty == LA_T_FLOAT)
		la_json_double(b, v->kind == LA_V_FLOAT ? v->f : (double)v->i);
	else
		la_json_int(b, v->i);
}

/* Which columns a response shows: the serializer's, in schema order. */
const unsigned char *
la_crud_projection(struct la_crud *x, int write)
{
	struct la_cat_list l = write ? x->t->ser_write : x->t->ser_read;
	const uint16_t *idx = la_catalog_list(x->cat, l);
	unsigned char *show;
	uint32_t i;

	if (l.n == 0)
		return (NULL);
	show = la_arena_calloc(x->r->a, x->t->ncols, 1);
	for (i = 0; i < l.n; i++)
		show[idx[i]] = 1;
	return (show);
}

/*
 * A key with the separator before it, in one step: short keys (4 to 16
 * bytes, most of them) as two overlapping word copies rather than a
 * library call, since a page writes one per value.
 */
static inline void
crud_key_out(struct la_buf *b, char sep, const char *key, size_t len)
{
	uint64_t head, tail;
	uint32_t head4, tail4;
	char *d;

	if (b->data == NULL || b->cap - b->len <= len + 1)
		la_buf_reserve(b, len + 1);
	d = b->data + b->len;
	*d++ = sep;
	if (len >= 8 && len <= 16) {
		memcpy(&head, key, 8);
		memcpy(&tail, key + len - 8, 8);
		memcpy(d, &head, 8);
		memcpy(d + len - 8, &tail, 8);
	} else if (len >= 4 && len < 8) {
		memcpy(&head4, key, 4);
		memcpy(&tail4, key + len - 4, 4);
		memcpy(d, &head4, 4);
		memcpy(d + len - 4, &tail4, 4);
	} else
		memcpy(d, key, len);
	b->len += len + 1;
	b->data[b->len] = '\0';
}

/* A row's values are read in one call; most tables have fewer columns. */
#define CRUD_ROW_STACK 32

void
la_crud_row_out(struct la_crud *x, struct la_db_stmt *st,
    const unsigned char *show)
{
	struct la_buf *b = x->r->resp.body;
	struct la_value stack[CRUD_ROW_STACK], *v = stack;
	uint32_t i, n = x->t->ncols;
	char sep = '{';

	if (n > CRUD_ROW_STACK)
		v = la_arena_alloc(x->r->a, n * sizeof(*v));
	la_db_row(st, (int)n, v);
	for (i = 0; i < n; i++) {
		if (show != NULL && !show[i])
			continue;
		crud_key_out(b, sep, la_catalog_str(x->cat, x->cols[i].jkey),
		    x->cols[i].jkey_len);
		sep = ',';
		crud_value_out(x, b, &v[i], &x->cols[i]);
	}
	if (sep == '{')
		la_buf_putc(b, '{');
	la_buf_putc(b, '}');
}

/*
 * Answers status with the row st is on, 404 when there was none, or the
 * error; finishes st. A write's statement is stepped to its end first,
 * because that is where the engine may still fail the write.
 */
void
la_crud_answer_row(struct la_crud *x, int status, int write, int rc,
    struct la_db_stmt *st)
{
	if (rc == LA_DB_ROW) {
		la_buf_reset(x->r->resp.body);
		la_crud_row_out(x, st, la_crud_projection(x, write));
		la_resp_json(&x->r->resp, status);
		if (write && (rc = la_db_next(st)) < 0)
			la_crud_db_error(x, rc);
	} else if (rc == LA_DB_DONE)
		la_resp_fail(&x->r->resp, LA_ERR_NOT_FOUND, "not found");
	else
		la_crud_db_error(x, rc);
	la_db_finish(st);
}

/* ---- row scoping -------------------------------------------------------- */

size_t
la_crud_scope(struct la_crud *x, struct la_sqlb *q, struct la_value *params,
    size_t n)
{
	if (x->scope.nwhere == 0)
		return (n);
	LA_ASSERT(q->nparams == (int)n);
	la_sqlb_params(q, params, n + x->scope.nwhere);
	la_sqlb_scope(q, x->cat, x->t, x->scope.where, x->scope.nwhere);
	return ((size_t)q->nparams);
}

struct la_value *
la_crud_keyed(struct la_crud *x, struct la_sqlb *q, size_t *n)
{
	struct la_value *p =
	    la_arena_calloc(x->r->a, 1 + x->scope.nwhere, sizeof(*p));

	p[0] = x->key;
	*n = la_crud_scope(x, q, p, 1);
	return (p);
}

struct la_value *
la_crud_key_stmt(struct la_crud *x, enum la_sqlshape_kind kind, size_t *n)
{
	struct la_sqlshape_key k;
	struct la_sqlb q;
	struct la_value *p;

	la_crud_shape_key(x, &k, kind);
	la_sqlshape_key_filters(&k, x->scope.where, x->scope.nwhere);
	q = la_crud_shaped(x, &k);
	if (kind == LA_SQLSHAPE_SELECT_PK)
		la_sqlb_select_pk(&q, x->cat, x->t);
	else if (kind == LA_SQLSHAPE_EXISTS)
		la_sqlb_exists(&q, x->cat, x->t);
	else {
		LA_ASSERT(kind == LA_SQLSHAPE_DELETE);
		la_sqlb_delete(&q, x->cat, x->t);
	}
	p = la_crud_keyed(x, &q, n);
	la_crud_shaped_end(x, &q, &k);
	return (p);
}

/* Reads the row with x->key and answers status with it, or 404. */
void
la_crud_send_row(struct la_crud *x, int status, int write)
{
	struct la_db_stmt *st;
	struct la_value *p;
	size_t n;
	int rc;

	p = la_crud_key_stmt(x, LA_SQLSHAPE_SELECT_PK, &n);
	rc = la_crud_run(x, p, n, &st);
	la_crud_answer_row(x, status, write, rc, st);
}

int
la_crud_begin(struct la_crud *x)
{
	int rc = la_db_begin(&x->ctx->db, x->r->a);

	if (rc < 0)
		la_crud_db_error(x, rc);
	return (rc < 0 ? -1 : 0);
}

/* Keeps the write only when the answer is the one a success gives. */
void
la_crud_end(struct la_crud *x, int status)
{
	int rc;

	if (x->r->resp.status != status) {
		(void)la_db_rollback(&x->ctx->db);
		return;
	}
	if ((rc = la_db_commit(&x->ctx->db)) < 0)
		la_crud_db_error(x, rc);
}
