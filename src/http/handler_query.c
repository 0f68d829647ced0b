/*
 * Canned queries (queries:): the parameters from the query string (GET)
 * or the JSON body (POST), validated as fields and bound to the
 * statement checked at start; rows out keyed by the names the statement
 * returns. A read-only query runs in a read-only transaction where the
 * engine has one; a write runs in a transaction and, once committed,
 * ends what the caches hold of the tables it names.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "body.h"
#include "cache.h"
#include "count.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "str.h"
#include "url.h"
#include "validate.h"
#include "handler.h"

struct query_page {
	int64_t page, size;
	struct la_qparam *qs; /* the query string, for the links */
	int nqs;
};

/*
 * PostgreSQL refuses a write in a read-only transaction with the SQLSTATE
 * of a standby, which the driver takes for an outage; here it is the
 * statement's fault (a WITH holding a DELETE), and the server is fine.
 */
static int
query_refused_write(struct la_req *r, int rc)
{
	const char *raw = la_db_rawmsg(&r->ctx->db);

	return (rc == LA_DB_EUNAVAIL && !r->route->q->write && raw != NULL &&
	        strstr(raw, "SQLSTATE 25006") != NULL);
}

static void
query_db_error(struct la_req *r, int rc)
{
	struct la_db_conn *db = &r->ctx->db;

	if (query_refused_write(r, rc)) {
		la_log(LA_LOG_ERR,
		    "%s: the statement writes; set write: true to allow it: %s",
		    r->endpoint, la_db_rawmsg(db));
		la_resp_fail(&r->resp, LA_ERR_INTERNAL,
		    "internal server error");
		return;
	}
	switch (rc) {
	case LA_DB_EUNIQUE:
	case LA_DB_EFK:
	case LA_DB_ENOTNULL:
	case LA_DB_ECHECK:
		la_resp_fail(&r->resp, LA_ERR_CONFLICT, la_db_errmsg(db));
		return;
	case LA_DB_EUNAVAIL:
		la_ctx_db_lost(r->ctx, r->endpoint, la_db_rawmsg(db));
		la_resp_fail(&r->resp, LA_ERR_UNAVAILABLE,
		    "database unavailable");
		return;
	default:
		la_log(LA_LOG_ERR, "%s: database error: %s", r->endpoint,
		    la_db_rawmsg(db));
		la_resp_fail(&r->resp, LA_ERR_INTERNAL,
		    "internal server error");
	}
}

/* The query string as a JSON object of strings, for the validator. */
static yajl_val
query_string_object(struct la_req *r, struct la_qparam *qs, int n)
{
	struct yajl_val_s *o = la_arena_calloc(r->a, 1, sizeof(*o)), *v;
	int i;

	o->type = yajl_t_object;
	o->u.object.keys = la_arena_calloc(r->a, (size_t)n + 1, sizeof(char *));
	o->u.object.values =
	    la_arena_calloc(r->a, (size_t)n + 1, sizeof(yajl_val));
	/* The last of a repeated parameter wins, as in list routes (and
	 * la_json_get takes the last of duplicate keys). */
	for (i = 0; i < n; i++) {
		v = la_arena_calloc(r->a, 1, sizeof(*v));
		v->type = yajl_t_string;
		v->u.string = (char *)qs[i].value;
		o->u.object.keys[o->u.object.len] = qs[i].key;
		o->u.object.values[o->u.object.len++] = v;
	}
	return (o);
}

static void
query_item(struct la_buf *b, const char *type, const char *key, const char *msg,
    const char *input)
{
	la_buf_puts(b, "{\"type\":");
	la_json_cstr(b, type);
	la_buf_puts(b, ",\"loc\":[\"query\",");
	la_json_cstr(b, key);
	la_buf_puts(b, "],\"msg\":");
	la_json_cstr(b, msg);
	la_buf_puts(b, ",\"input\":");
	la_json_cstr(b, input);
	la_buf_putc(b, '}');
}

/* page and page_size as list routes read them; 0 or -1 with an item. */
static int
query_positive(struct la_buf *errs, int *nerr, struct la_qparam *qs, int n,
    const char *key, int64_t *out)
{
	int64_t v;
	int i;

	for (i = n; i-- > 0;)
		if (strcmp(qs[i].key, key) == 0)
			break;
	if (i < 0)
		return (0);
	if (la_str_to_i64(qs[i].value, qs[i].vlen, &v) != 0 || v < 1) {
		if ((*nerr)++ > 0)
			la_buf_putc(errs, ',');
		query_item(errs, v < 1 ? "greater_than_equal" : "int_parsing",
		    key, "Input should be a positive integer", qs[i].value);
		return (-1);
	}
	*out = v;
	return (0);
}

/*
 * Validates the parameters into vals (one per column of q->t); 0, or -1
 * after answering 400, 413 or 422.
 */
static int
query_params(struct la_req *r, const struct la_canned *q, struct la_value *vals,
    struct query_page *pg)
{
	struct la_buf *errs = r->resp.body;
	const struct la_http_req *h = r->http;
	unsigned char *set = la_arena_calloc(r->a, q->t->ncols + 1, 1);
	yajl_val in;
	int nerr;

	pg->nqs = la_url_query_parse(h->query.p, h->query.len, r->a, &pg->qs);
	if (pg->nqs < 0) {
		la_resp_fail(&r->resp, LA_ERR_BAD_REQUEST, "bad query string");
		return (-1);
	}
	/* No body is no parameters: a query that takes none needs no {}. */
	if (r->verb == LA_M_POST && r->body_len == 0)
		in = query_string_object(r, NULL, 0);
	else if (r->verb == LA_M_POST)
		in = la_body_object(r);
	else
		in = query_string_object(r, pg->qs, pg->nqs);
	if (in == NULL)
		return (-1);
	la_buf_reset(errs);
	la_buf_puts(errs, "{\"detail\":[");
	nerr = la_validate_body(r->ctx->gen->queries->val,
	    r->ctx->gen->queries->cat, q->t, in,
	    r->verb == LA_M_POST ? LA_VALIDATE_CREATE : LA_VALIDATE_QUERY, vals,
	    set, errs, r->a);
	pg->page = 1;
	pg->size = q->page_size;
	if (q->page_sql != NULL) {
		query_positive(errs, &nerr, pg->qs, pg->nqs, "page", &pg->page);
		query_positive(errs, &nerr, pg->qs, pg->nqs, "page_size",
		    &pg->size);
		if (pg->size > q->max_page_size)
			pg->size = q->max_page_size;
	}
	if (nerr == 0)
		return (0);
	la_buf_puts(errs, "]}");
	la_resp_fail_body(&r->resp, LA_ERR_INVALID);
	return (-1);
}

static void
query_value(struct la_buf *b, const struct la_value *v)
{
	switch (v->kind) {
	case LA_V_INT:
		la_json_int(b, v->i);
		break;
	case LA_V_FLOAT:
		if (isfinite(v->f))
			la_json_double(b, v->f);
		else
			la_buf_puts(b, "null");
		break;
	case LA_V_TEXT:
		la_json_str(b, v->s != NULL ? v->s : "", v->len);
		break;
	default:
		la_buf_puts(b, "null");
	}
}

/* Up to max rows (-1: all) as JSON objects; the row count, or an error. */
static int64_t
query_rows(struct la_req *r, struct la_db_stmt *st, int rc, int64_t max)
{
	struct la_buf *b = r->resp.body;
	struct la_value v;
	int64_t n = 0;
	int i, ncols = la_db_ncols(st);

	for (; rc == LA_DB_ROW && (max < 0 || n < max);
	     rc = la_db_next(st), n++) {
		la_buf_puts(b, n > 0 ? ",{" : "{");
		for (i = 0; i < ncols; i++) {
			if (i > 0)
				la_buf_putc(b, ',');
			la_json_cstr(b, la_db_colname(st, i));
			la_buf_putc(b, ':');
			la_db_column(st, i, &v);
			query_value(b, &v);
		}
		la_buf_putc(b, '}');
	}
	if (rc < 0)
		return (rc);
	if (rc == LA_DB_ROW)
		n++; /* one more than asked: there is a next page */
	la_db_finish(st);
	return (n);
}

/* scheme://host/path?...&page=N, as list routes link their pages. */
static void
query_page_url(struct la_req *r, const struct query_page *pg, int64_t page)
{
	const struct la_http_req *h = r->http;
	struct la_buf url;
	int i, n = 0;

	la_buf_init(&url);
	la_buf_puts(&url, "http://");
	if (h->host.len > 0)
		la_buf_append(&url, h->host.p, h->host.len);
	else
		la_buf_puts(&url, "localhost");
	la_buf_append(&url, h->path.p, h->path.len);
	for (i = 0; i < pg->nqs; i++) {
		if (strcmp(pg->qs[i].key, "page") == 0)
			continue;
		la_buf_putc(&url, n++ ? '&' : '?');
		la_url_encode(&url, pg->qs[i].key, pg->qs[i].klen);
		la_buf_putc(&url, '=');
		la_url_encode(&url, pg->qs[i].value, pg->qs[i].vlen);
	}
	la_buf_printf(&url, "%cpage=%lld", n ? '&' : '?', (long long)page);
	la_json_str(r->resp.body, url.data, url.len);
	la_buf_free(&url);
}

/* A read-only transaction where the engine has one; SQLite's statement
 * was found read-only at start. */
static int
query_begin_read(struct la_req *r)
{
	struct la_db_conn *db = &r->ctx->db;
	int rc = LA_DB_DONE;

	switch (la_db_dialect(db)) {
	case LA_DIALECT_PGSQL:
		if ((rc = la_db_begin(db, r->a)) == LA_DB_DONE)
			rc = la_db_exec(db, "SET TRANSACTION READ ONLY");
		break;
	case LA_DIALECT_MYSQL:
		/* Applies to the next transaction only. */
		if ((rc = la_db_exec(db, "SET TRANSACTION READ ONLY")) ==
		    LA_DB_DONE)
			rc = la_db_begin(db, r->a);
		break;
	default:
		break;
	}
	return (rc < 0 ? rc : LA_DB_DONE);
}

static int
query_end_read(struct la_req *r)
{
	struct la_db_conn *db = &r->ctx->db;

	if (la_db_dialect(db) == LA_DIALECT_SQLITE)
		return (LA_DB_DONE);
	return (la_db_commit(db));
}

static void
query_read(struct la_req *r, const struct la_canned *q, struct la_value *p,
    const struct query_page *pg)
{
	struct la_buf *b = r->resp.body;
	struct la_db_stmt *st;
	int64_t n, max = -1;
	int rc;

	if ((rc = query_begin_read(r)) != LA_DB_DONE) {
		query_db_error(r, rc);
		return;
	}
	la_buf_reset(b);
	if (q->page_sql != NULL) {
		/* Past the last page the offset cannot grow without end. */
		if (pg->page > INT64_MAX / (pg->size + 1)) {
			la_resp_fail(&r->resp, LA_ERR_NOT_FOUND,
			    "Invalid page.");
			return;
		}
		max = pg->size;
		p[q->nplace] = la_value_int(pg->size + 1);
		p[q->nplace + 1] = la_value_int((pg->page - 1) * pg->size);
		rc = la_db_query(&r->ctx->db, r->a, q->page_sql, p,
		    q->nplace + 2, &st);
		la_buf_puts(b, "{\"results\":[");
	} else {
		rc = la_db_query(&r->ctx->db, r->a, q->sql, p, q->nplace, &st);
		la_buf_puts(b, "{\"results\":[");
	}
	if ((rc < 0 || (n = query_rows(r, st, rc, max)) < 0 ||
	        (rc = query_end_read(r)) != LA_DB_DONE)) {
		query_db_error(r, rc < 0 ? rc : (int)n);
		return;
	}
	la_buf_putc(b, ']');
	if (q->page_sql != NULL) {
		la_buf_puts(b, ",\"next\":");
		if (n > max)
			query_page_url(r, pg, pg->page + 1);
		else
			la_buf_puts(b, "null");
		la_buf_puts(b, ",\"previous\":");
		if (pg->page > 1)
			query_page_url(r, pg, pg->page - 1);
		else
			la_buf_puts(b, "null");
	}
	la_buf_putc(b, '}');
	la_resp_json(&r->resp, 200);
}

static void
query_invalidate(struct la_req *r, const struct la_canned *q)
{
	const struct la_strlist *l = &q->conf->invalidates;
	size_t i;

	for (i = 0; i < l->n; i++) {
		la_cache_invalidate_table(r, l->v[i]);
		la_count_invalidate_table(l->v[i]);
	}
}

static void
query_write(struct la_req *r, const struct la_canned *q, struct la_value *p)
{
	struct la_db_conn *db = &r->ctx->db;
	struct la_buf *b = r->resp.body;
	struct la_db_stmt *st;
	int64_t n = 0, changes;
	int rc;

	if ((rc = la_db_begin(db, r->a)) != LA_DB_DONE) {
		query_db_error(r, rc);
		return;
	}
	la_buf_reset(b);
	la_buf_puts(b, "{\"results\":[");
	rc = la_db_query(db, r->a, q->sql, p, q->nplace, &st);
	changes = rc == LA_DB_DONE ? la_db_changes(db) : 0;
	if (rc == LA_DB_ROW && (n = query_rows(r, st, rc, -1)) < 0)
		rc = (int)n;
	if (rc < 0 || (rc = la_db_commit(db)) != LA_DB_DONE) {
		query_db_error(r, rc);
		return;
	}
	query_invalidate(r, q);
	if (n > 0)
		la_buf_puts(b, "]}");
	else {
		la_buf_reset(b);
		la_buf_printf(b, "{\"rows_affected\":%lld}",
		    (long long)changes);
	}
	la_resp_json(&r->resp, 200);
}

void
la_handler_query(struct la_req *r)
{
	const struct la_canned *q = r->route->q;
	struct query_page pg;
	struct la_value *vals, *p;
	size_t i;

	if (la_ctx_db(r->ctx) != 0) {
		la_resp_fail(&r->resp, LA_ERR_UNAVAILABLE,
		    "database unavailable");
		return;
	}
	vals = la_arena_calloc(r->a, q->t->ncols + 1, sizeof(*vals));
	if (query_params(r, q, vals, &pg) != 0)
		return;
	p = la_arena_calloc(r->a, q->nplace + 3, sizeof(*p));
	for (i = 0; i < q->nplace; i++)
		p[i] = vals[q->place[i]];
	if (q->write)
		query_write(r, q, p);
	else
		query_read(r, q, p, &pg);
}
