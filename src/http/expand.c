/*
 * Related rows (see expand.h): resolving ?expand= against meta.expand and
 * the catalog's foreign keys, collecting a page's keys, one IN-list
 * statement per relation, and the embedded JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "auth.h"
#include "expand.h"
#include "json.h"
#include "response.h"
#include "url.h"
#include "xalloc.h"

/* Keys bound per statement: far below every engine's placeholder limit. */
#define EXPAND_CHUNK 500

struct expand_rel {
	const char *name;
	int reverse;                   /* rows of tt that point here */
	const struct la_cat_table *tt; /* the related endpoint */
	int col;  /* in x->t: the foreign key, or the column pointed to */
	int tcol; /* in tt: the column pointed to, or the foreign key */
	struct la_scope scope; /* tt's GET scope for this caller */
	struct la_value *keys; /* distinct, non-null */
	size_t nkeys, capkeys;
	struct la_buf *found; /* per key: the embedded JSON */
	size_t *nfound;       /* per key: rows embedded */
	int *rowkey;          /* per row: index in keys, -1: null */
	int *slots;           /* hash of keys: indexes, -1 empty */
	size_t nslots;        /* a power of two, over twice nkeys */
};

struct la_expand {
	struct la_crud *x;
	struct expand_rel *rel;
	size_t nrel;
	size_t *ends; /* per row */
	size_t nrows, caprows;
	int limit; /* rows per reverse relation and key */
};

/* ---- the query string --------------------------------------------------- */

int
la_expand_requested(const struct la_req *r)
{
	const struct la_str *q = &r->http->query;
	const char *p = q->p, *end = q->p + q->len;

	/* Any key spelled "expand" (no escapes needed for it). */
	while (p < end) {
		if ((size_t)(end - p) >= 6 && memcmp(p, "expand", 6) == 0 &&
		    (p + 6 == end || p[6] == '=' || p[6] == '&'))
			return (1);
		if ((p = memchr(p, '&', (size_t)(end - p))) == NULL)
			break;
		p++;
	}
	return (0);
}

static void
expand_invalid(struct la_crud *x, const char *name, size_t len, const char *msg)
{
	struct la_buf *b = x->r->resp.body, m;

	la_buf_init(&m);
	la_buf_printf(&m, "Value error, %s '%.*s'", msg, (int)len, name);
	la_buf_reset(b);
	la_buf_puts(b, "{\"detail\":[{\"type\":\"value_error\",\"loc\":"
	               "[\"query\",\"expand\"],\"msg\":");
	la_json_str(b, m.data, m.len);
	la_buf_puts(b, ",\"input\":");
	la_json_str(b, name, len);
	la_buf_puts(b, "}]}");
	la_buf_free(&m);
	la_resp_fail_body(&x->r->resp, LA_ERR_INVALID);
}

/* 1 when name[0..len) is one of meta.expand's relations. */
static int
expand_declared(const struct la_crud *x, const char *name, size_t len)
{
	const char *s = la_catalog_str(x->cat, x->t->expand), *c;
	size_t n;

	while (s != NULL && *s != '\0') {
		c = strchr(s, ',');
		n = c != NULL ? (size_t)(c - s) : strlen(s);
		if (n == len && memcmp(s, name, len) == 0)
			return (1);
		s = c != NULL ? c + 1 : NULL;
	}
	return (0);
}

/* The caller must pass the related endpoint's own GET checks; what
 * they would have answered (401, 403) becomes this request's 403. */
static int
expand_permitted(struct la_crud *x, struct expand_rel *rel)
{
	struct la_req *r = x->r;
	size_t nh = r->resp.nh;
	char msg[160];

	if (la_auth_check(r, rel->tt, LA_M_GET) != 0) {
		if (r->resp.status != 401 && r->resp.status != 403)
			return (-1); /* 503: the user table is unreachable */
		r->resp.nh = nh;     /* no WWW-Authenticate: not a login */
		(void)snprintf(msg, sizeof(msg),
		    "You do not have permission to expand '%s'.", rel->name);
		la_resp_fail(&r->resp, LA_ERR_FORBIDDEN,
		    la_arena_strndup(r->a, msg, strlen(msg)));
		return (-1);
	}
	return (la_scope_resolve(r, x->cat, rel->tt, LA_M_GET, &rel->scope));
}

static int
expand_add(struct la_crud *x, struct la_expand *e, const char *name, size_t len)
{
	struct expand_rel *rel;
	struct la_cat_rel cr;
	size_t i;

	for (i = 0; i < e->nrel; i++)
		if (strlen(e->rel[i].name) == len &&
		    memcmp(e->rel[i].name, name, len) == 0)
			return (0);
	if (!expand_declared(x, name, len)) {
		expand_invalid(x, name, len, "relation not allowed");
		return (-1);
	}
	e->rel = la_xrealloc(e->rel, (e->nrel + 1) * sizeof(*e->rel));
	rel = memset(&e->rel[e->nrel], 0, sizeof(*rel));
	rel->name = la_arena_strndup(x->r->a, name, len);
	if (la_catalog_relation(x->cat, x->t, name, len, &cr) != 0) {
		expand_invalid(x, name, len, "unknown relation");
		return (-1);
	}
	rel->tt = cr.tt;
	rel->col = cr.col;
	rel->tcol = cr.tcol;
	rel->reverse = cr.reverse;
	e->nrel++;
	return (expand_permitted(x, rel));
}

/* Each comma-separated name of one expand= value. */
static int
expand_value(struct la_crud *x, struct la_expand *e, const char *v, size_t n)
{
	const char *end = v + n, *c;

	while (v < end) {
		c = memchr(v, ',', (size_t)(end - v));
		if (c == NULL)
			c = end;
		if (c > v && expand_add(x, e, v, (size_t)(c - v)) != 0)
			return (-1);
		v = c + 1;
	}
	return (0);
}

struct la_expand *
la_expand_parse(struct la_crud *x, int *err)
{
	const struct la_str *qs = &x->r->http->query;
	struct la_qparam *p;
	struct la_expand *e;
	int n, i;

	*err = 0;
	if (!la_expand_requested(x->r) ||
	    (n = la_url_query_parse(qs->p, qs->len, x->r->a, &p)) <= 0)
		return (NULL);
	e = la_xcalloc(1, sizeof(*e));
	e->x = x;
	e->limit = x->t->expand_limit > 0 ? x->t->expand_limit : 100;
	for (i = 0; i < n; i++)
		if (strcmp(p[i].key, "expand") == 0 &&
		    expand_value(x, e, p[i].value, p[i].vlen) != 0) {
			*err = -1;
			la_expand_free(e);
			return (NULL);
		}
	if (e->nrel == 0) {
		la_expand_free(e);
		return (NULL);
	}
	return (e);
}

void
la_expand_free(struct la_expand *e)
{
	size_t i, k;

	if (e == NULL)
		return;
	for (i = 0; i < e->nrel; i++) {
		for (k = 0; e->rel[i].found != NULL && k < e->rel[i].nkeys; k++)
			la_buf_free(&e->rel[i].found[k]);
		free(e->rel[i].found);
		free(e->rel[i].nfound);
		free(e->rel[i].keys);
		free(e->rel[i].rowkey);
		free(e->rel[i].slots);
	}
	free(e->rel);
	free(e->ends);
	free(e);
}

/* ---- keys --------------------------------------------------------------- */

/* Values of one key column: the engines may hand back an integer as
 * text on one side, so a mixed pair compares as text. */
static int
expand_eq(const struct la_value *a, const struct la_value *b)
{
	char n[24];
	const struct la_value *t;

	if (a->kind == LA_V_INT && b->kind == LA_V_INT)
		return (a->i == b->i);
	if (a->kind == LA_V_TEXT && b->kind == LA_V_TEXT)
		return (a->len == b->len && memcmp(a->s, b->s, a->len) == 0);
	if (a->kind == LA_V_INT && b->kind == LA_V_TEXT) {
		t = a;
		a = b;
		b = t;
	}
	if (a->kind != LA_V_TEXT || b->kind != LA_V_INT)
		return (0);
	(void)snprintf(n, sizeof(n), "%lld", (long long)b->i);
	return (a->len == strlen(n) && memcmp(a->s, n, a->len) == 0);
}

/* FNV-1a of the value as text, so that 5 and "5" meet (expand_eq). */
static size_t
expand_hash(const struct la_value *v)
{
	char n[24];
	const char *s = v->s;
	size_t len = v->len, i;
	uint64_t h = 14695981039346656037ull;

	if (v->kind == LA_V_INT) {
		len = (size_t)snprintf(n, sizeof(n), "%lld", (long long)v->i);
		s = n;
	}
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return ((size_t)h);
}

/* The slot holding v, or the empty one where it would go. */
static size_t
expand_slot(const struct expand_rel *rel, const struct la_value *v)
{
	size_t m = rel->nslots - 1, i = expand_hash(v) & m;

	while (rel->slots[i] >= 0 && !expand_eq(&rel->keys[rel->slots[i]], v))
		i = (i + 1) & m;
	return (i);
}

/* A page or a whole list may hold many keys: lookups stay O(1). */
static void
expand_rehash(struct expand_rel *rel)
{
	size_t k;

	rel->nslots = rel->nslots ? 2 * rel->nslots : 64;
	rel->slots = la_xrealloc(rel->slots, rel->nslots * sizeof(int));
	memset(rel->slots, 0xff, rel->nslots * sizeof(int)); /* all -1 */
	for (k = 0; k < rel->nkeys; k++)
		rel->slots[expand_slot(rel, &rel->keys[k])] = (int)k;
}

static int
expand_key_index(const struct expand_rel *rel, const struct la_value *v)
{
	if (rel->nslots == 0 || (v->kind != LA_V_INT && v->kind != LA_V_TEXT))
		return (-1);
	return (rel->slots[expand_slot(rel, v)]);
}

static int
expand_key_add(struct la_expand *e, struct expand_rel *rel, struct la_value v)
{
	int k;

	/* Keys are integers or text; null (and anything else) has no row. */
	if (v.kind != LA_V_INT && v.kind != LA_V_TEXT)
		return (-1);
	if ((k = expand_key_index(rel, &v)) >= 0)
		return (k);
	if (v.kind == LA_V_TEXT) /* the driver's text lives until next row */
		v.s = la_arena_strndup(e->x->r->a, v.s, v.len);
	if (rel->nkeys == rel->capkeys) {
		rel->capkeys = rel->capkeys ? 2 * rel->capkeys : 16;
		rel->keys =
		    la_xrealloc(rel->keys, rel->capkeys * sizeof(*rel->keys));
	}
	rel->keys[rel->nkeys++] = v;
	if (2 * rel->nkeys > rel->nslots)
		expand_rehash(rel);
	else
		rel->slots[expand_slot(rel, &v)] = (int)rel->nkeys - 1;
	return ((int)rel->nkeys - 1);
}

void
la_expand_row(struct la_expand *e, struct la_db_stmt *st, size_t end)
{
	struct expand_rel *rel;
	struct la_value v;
	size_t i;

	if (e->nrows == e->caprows) {
		e->caprows = e->caprows ? 2 * e->caprows : 16;
		e->ends = la_xrealloc(e->ends, e->caprows * sizeof(*e->ends));
		for (i = 0; i < e->nrel; i++)
			e->rel[i].rowkey = la_xrealloc(e->rel[i].rowkey,
			    e->caprows * sizeof(*e->rel[i].rowkey));
	}
	for (i = 0; i < e->nrel; i++) {
		rel = &e->rel[i];
		la_db_column(st, rel->col, &v);
		rel->rowkey[e->nrows] = expand_key_add(e, rel, v);
	}
	e->ends[e->nrows++] = end;
}

/* ---- fetching ----------------------------------------------------------- */

/* The related endpoint's view for running statements and writing rows. */
static struct la_crud
expand_view(const struct la_expand *e, const struct expand_rel *rel)
{
	struct la_crud y = *e->x;

	y.t = rel->tt;
	y.cols = la_catalog_cols(y.cat, y.t);
	y.scope = rel->scope;
	return (y);
}

/* Files the row st is on under its key (written with the related
 * endpoint's serializer). */
static void
expand_take(struct la_expand *e, struct expand_rel *rel, struct la_crud *y,
    struct la_db_stmt *st, const struct la_crud_plan *show)
{
	struct la_buf *body = y->r->resp.body, *dst;
	struct la_value v;
	int k;

	la_db_column(st, rel->tcol, &v);
	if (v.kind == LA_V_NULL || (k = expand_key_index(rel, &v)) < 0)
		return;
	dst = &rel->found[k];
	if (rel->nfound[k] >= (rel->reverse ? (size_t)e->limit : 1))
		return;
	if (rel->nfound[k]++ > 0)
		la_buf_putc(dst, ',');
	y->r->resp.body = dst;
	la_crud_row_out(y, st, show);
	y->r->resp.body = body;
}

/* One statement for keys [from, from + n). */
static int
expand_chunk(struct la_expand *e, struct expand_rel *rel, size_t from, size_t n)
{
	struct la_crud y = expand_view(e, rel);
	struct la_sqlb s = la_crud_sql(&y);
	const struct la_crud_plan *show = la_crud_projection(&y, 0);
	struct la_value *p;
	struct la_db_stmt *st;
	int rc;

	p = la_arena_calloc(y.r->a, n + rel->scope.nwhere + 1, sizeof(*p));
	memcpy(p, rel->keys + from, n * sizeof(*p));
	/* A reverse relation takes at most the limit per key from the
	 * database, not every related row to cut them here. */
	if (rel->reverse)
		la_sqlb_select_in_ranked(&s, y.cat, y.t, rel->tcol, n);
	else
		la_sqlb_select_in(&s, y.cat, y.t, rel->tcol, n);
	la_sqlb_params(&s, p, n + rel->scope.nwhere + 1);
	la_sqlb_scope(&s, y.cat, y.t, rel->scope.where, rel->scope.nwhere);
	if (rel->reverse)
		la_sqlb_limit_in(&s, y.cat, y.t, rel->tcol, e->limit);
	else
		la_sqlb_order_in(&s, y.cat, y.t, rel->tcol);
	for (rc = la_crud_run(&y, p, (size_t)s.nparams, &st); rc == LA_DB_ROW;
	     rc = la_db_next(st))
		expand_take(e, rel, &y, st, show);
	la_db_finish(st);
	return (rc);
}

int
la_expand_fetch(struct la_expand *e)
{
	struct expand_rel *rel;
	size_t i, k, n;
	int rc;

	for (i = 0; i < e->nrel; i++) {
		rel = &e->rel[i];
		rel->found = la_xcalloc(rel->nkeys + 1, sizeof(*rel->found));
		rel->nfound = la_xcalloc(rel->nkeys + 1, sizeof(*rel->nfound));
		for (k = 0; k < rel->nkeys; k++)
			la_buf_init(&rel->found[k]);
		for (k = 0; k < rel->nkeys; k += n) {
			n = rel->nkeys - k;
			if (n > EXPAND_CHUNK)
				n = EXPAND_CHUNK;
			if ((rc = expand_chunk(e, rel, k, n)) != LA_DB_DONE)
				return (rc);
		}
	}
	return (LA_DB_DONE);
}

/* ---- output ------------------------------------------------------------- */

void
la_expand_put(const struct la_expand *e, size_t i, struct la_buf *b)
{
	const struct expand_rel *rel;
	const struct la_buf *f;
	size_t r;
	int k;

	for (r = 0; r < e->nrel; r++) {
		rel = &e->rel[r];
		k = rel->rowkey[i];
		f = k >= 0 ? &rel->found[k] : NULL;
		la_buf_putc(b, ',');
		la_json_cstr(b, rel->name);
		la_buf_putc(b, ':');
		if (rel->reverse)
			la_buf_putc(b, '[');
		if (f != NULL && f->len > 0)
			la_buf_append(b, f->data, f->len);
		else if (!rel->reverse)
			la_buf_puts(b, "null");
		if (rel->reverse)
			la_buf_putc(b, ']');
	}
}

void
la_expand_stitch(const struct la_expand *e, struct la_buf *b)
{
	struct la_buf out;
	size_t i, at = 0;

	if (e->nrows == 0)
		return;
	la_buf_init(&out);
	for (i = 0; i < e->nrows; i++) {
		/* Everything up to the row's closing brace, then ours. */
		la_buf_append(&out, b->data + at, e->ends[i] - 1 - at);
		la_expand_put(e, i, &out);
		la_buf_putc(&out, '}');
		at = e->ends[i];
	}
	la_buf_append(&out, b->data + at, b->len - at);
	la_buf_reset(b);
	la_buf_append(b, out.data, out.len);
	la_buf_free(&out);
}

void
la_expand_detail(struct la_crud *x, struct la_expand *e)
{
	struct la_buf *b = x->r->resp.body;
	struct la_db_stmt *st;
	struct la_value *p;
	size_t n;
	int rc;

	p = la_crud_key_stmt(x, LA_SQLSHAPE_SELECT_PK, &n);
	rc = la_crud_run(x, p, n, &st);
	if (rc == LA_DB_ROW) {
		la_buf_reset(b);
		la_crud_row_out(x, st, la_crud_projection(x, 0));
		la_expand_row(e, st, b->len);
	}
	la_db_finish(st);
	if (rc == LA_DB_DONE)
		la_resp_fail(&x->r->resp, LA_ERR_NOT_FOUND, "not found");
	else if (rc != LA_DB_ROW)
		la_crud_db_error(x, rc);
	else if ((rc = la_expand_fetch(e)) != LA_DB_DONE)
		la_crud_db_error(x, rc);
	else {
		la_expand_stitch(e, b);
		la_resp_json(&x->r->resp, 200);
	}
}
