/*
 * Shared pieces of the endpoint handlers (see crud.h): statements, rows
 * out as JSON by catalog type, and database errors to statuses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "crud.h"
#include "fkdetail.h"
#include "json.h"
#include "log.h"
#include "response.h"
#include "xalloc.h"

/*
 * A foreign key error as the engine words it, with the key it broke when
 * the engine does not name it (SQLite): asked of the database for the
 * write's values, or for the row a delete left referenced.
 */
static const char *
crud_fk_msg(struct la_crud *x)
{
	struct la_db_conn *db = &x->ctx->db;
	const char *msg = la_db_errmsg(db);
	char key[256];
	int rc = -1;

	if (strchr(msg, ':') != NULL)
		return (msg);
	msg = la_arena_strdup(x->r->a, msg);
	if (x->vals != NULL && x->set != NULL)
		rc = la_fkdetail_write(db, x->r->a, x->cat, x->t, x->vals,
		    x->set, key, sizeof(key));
	else if (x->r->verb == LA_M_DELETE && x->key.kind != LA_V_NULL)
		rc = la_fkdetail_delete(db, x->r->a, x->cat, x->t, x->key, key,
		    sizeof(key));
	if (rc != 0)
		return (msg);
	return (la_arena_printf(x->r->a, "%s: %s", msg, key));
}

void
la_crud_db_error(struct la_crud *x, int rc)
{
	struct la_db_conn *db = &x->ctx->db;

	switch (rc) {
	case LA_DB_EFK:
		la_resp_fail(&x->r->resp, LA_ERR_CONFLICT, crud_fk_msg(x));
		return;
	case LA_DB_EUNIQUE:
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

/* How a column's values are written, from its catalog type. */
enum crud_op {
	CRUD_OP_PLAIN,    /* as the value comes */
	CRUD_OP_BOOL,     /* an integer as true/false */
	CRUD_OP_JSON,     /* text that is JSON already */
	CRUD_OP_DECIMAL,  /* a number as a string of its digits */
	CRUD_OP_DATETIME, /* text, with ISO 8601's 'T' */
	CRUD_OP_FLOAT     /* an integer as a float */
};

/* One shown column: its key with the separator before it ('{' for the
 * first, ',' after), and how its values are written. */
struct crud_pcol {
	uint32_t col;      /* index in the row */
	uint32_t off, len; /* the key in the plan's keys */
	const struct la_cat_col *c;
	enum crud_op op;
};

/*
 * A table's rows as JSON, planned once per catalog, table and serializer
 * (read or write): what each value would otherwise decide per row from
 * the catalog. A worker keeps its catalog for its life, as la_crud_sql's
 * entries assume, so a plan never goes stale.
 */
struct la_crud_plan {
	const struct la_catalog *cat;
	const struct la_cat_table *t;
	int write;
	uint32_t n;
	struct crud_pcol *cols;
	char *keys;
};

static struct la_crud_plan **crud_plans;
static size_t crud_nplans, crud_capplans;

static enum crud_op
crud_op_of(enum la_type ty)
{
	switch (ty) {
	case LA_T_BOOL:
		return (CRUD_OP_BOOL);
	case LA_T_JSON:
		return (CRUD_OP_JSON);
	case LA_T_DECIMAL:
		return (CRUD_OP_DECIMAL);
	case LA_T_DATETIME:
		return (CRUD_OP_DATETIME);
	case LA_T_FLOAT:
		return (CRUD_OP_FLOAT);
	default:
		return (CRUD_OP_PLAIN);
	}
}

/* Adds column i to the plan, its key after its separator. */
static void
crud_plan_col(struct la_crud_plan *p, struct la_buf *keys,
    const struct la_cat_col *cols, uint32_t i)
{
	struct crud_pcol *pc = &p->cols[p->n];

	pc->col = i;
	pc->off = (uint32_t)keys->len;
	la_buf_putc(keys, p->n == 0 ? '{' : ',');
	la_buf_append(keys, la_catalog_str(p->cat, cols[i].jkey),
	    cols[i].jkey_len);
	pc->len = (uint32_t)keys->len - pc->off;
	pc->c = &cols[i];
	pc->op = crud_op_of((enum la_type)cols[i].type);
	p->n++;
}

static struct la_crud_plan *
crud_plan_new(struct la_crud *x, int write)
{
	struct la_cat_list l = write ? x->t->ser_write : x->t->ser_read;
	const uint16_t *idx = la_catalog_list(x->cat, l);
	struct la_crud_plan *p = la_xcalloc(1, sizeof(*p));
	unsigned char *show = NULL;
	struct la_buf keys;
	uint32_t i;

	p->cat = x->cat;
	p->t = x->t;
	p->write = write;
	p->cols = la_xcalloc(x->t->ncols + 1, sizeof(*p->cols));
	/* The serializer's columns, in schema order. */
	if (l.n > 0) {
		show = la_xcalloc(x->t->ncols, 1);
		for (i = 0; i < l.n; i++)
			show[idx[i]] = 1;
	}
	la_buf_init(&keys);
	for (i = 0; i < x->t->ncols; i++)
		if (show == NULL || show[i])
			crud_plan_col(p, &keys, x->cols, i);
	free(show);
	p->keys = keys.data; /* owned by the plan from now on */
	return (p);
}

const struct la_crud_plan *
la_crud_projection(struct la_crud *x, int write)
{
	struct la_crud_plan *p;
	size_t i;

	for (i = 0; i < crud_nplans; i++) {
		p = crud_plans[i];
		if (p->t == x->t && p->cat == x->cat && p->write == write)
			return (p);
	}
	if (crud_nplans == crud_capplans) {
		crud_capplans = crud_capplans ? 2 * crud_capplans : 8;
		crud_plans = la_xrealloc(crud_plans,
		    crud_capplans * sizeof(*crud_plans));
	}
	crud_plans[crud_nplans] = crud_plan_new(x, write);
	return (crud_plans[crud_nplans++]);
}

static void
crud_datetime_out(struct la_buf *b, const struct la_value *v)
{
	/* Reflected timestamps may use a space; clients get ISO 8601. */
	if (v->len > 10 && v->s[10] == ' ') {
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

/* By the value's kind first, then by what the column's type adds. */
static void
crud_value_out(struct la_crud *x, struct la_buf *b, const struct la_value *v,
    const struct crud_pcol *pc)
{
	switch (v->kind) {
	case LA_V_TEXT:
		if (pc->op == CRUD_OP_JSON)
			crud_json_out(x, b, v);
		else if (pc->op == CRUD_OP_DATETIME)
			crud_datetime_out(b, v);
		else
			la_json_str(b, v->s, v->len);
		return;
	case LA_V_INT:
		if (pc->op == CRUD_OP_BOOL)
			la_buf_append(b, v->i ? "true" : "false", v->i ? 4 : 5);
		else if (pc->op == CRUD_OP_DECIMAL)
			crud_number_as_decimal(b, v, pc->c);
		else if (pc->op == CRUD_OP_FLOAT)
			la_json_double(b, (double)v->i);
		else
			la_json_int(b, v->i);
		return;
	case LA_V_FLOAT:
		if (pc->op == CRUD_OP_DECIMAL)
			crud_number_as_decimal(b, v, pc->c);
		else
			la_json_double(b, v->f);
		return;
	default:
		la_buf_append(b, "null", 4);
	}
}

/*
 * A key with its separator, in one step: short ones (4 to 16 bytes, most
 * of them) as two overlapping word copies rather than a library call,
 * since a page writes one per value.
 */
static inline void
crud_key_out(struct la_buf *b, const char *key, size_t len)
{
	uint64_t head, tail;
	uint32_t head4, tail4;
	char *d;

	if (b->data == NULL || b->cap - b->len <= len)
		la_buf_reserve(b, len);
	d = b->data + b->len;
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
	b->len += len;
	b->data[b->len] = '\0';
}

/* A row's values are read in one call; most tables have fewer columns. */
#define CRUD_ROW_STACK 32

void
la_crud_row_out(struct la_crud *x, struct la_db_stmt *st,
    const struct la_crud_plan *p)
{
	struct la_buf *b = x->r->resp.body;
	struct la_value stack[CRUD_ROW_STACK], *v = stack;
	const struct crud_pcol *pc, *end = p->cols + p->n;
	uint32_t n = x->t->ncols;

	if (n > CRUD_ROW_STACK)
		v = la_arena_alloc(x->r->a, n * sizeof(*v));
	la_db_row(st, (int)n, v);
	if (p->n == 0)
		la_buf_putc(b, '{');
	for (pc = p->cols; pc < end; pc++) {
		crud_key_out(b, p->keys + pc->off, pc->len);
		crud_value_out(x, b, &v[pc->col], pc);
	}
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
