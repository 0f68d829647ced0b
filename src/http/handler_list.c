/*
 * GET on a collection route (SPEC §6): the query string becomes a filtered,
 * searched and ordered SELECT, answered as a plain list, a page-number
 * page with absolute links, or a keyset (cursor) page whose cost does not
 * depend on how deep it is.
 */
#include <stdint.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "count.h"
#include "crud.h"
#include "cursor.h"
#include "dialect.h"
#include "expand.h"
#include "json.h"
#include "query.h"
#include "response.h"
#include "url.h"

/* Rows of one fetch, kept when a page must be checked or reversed. */
struct list_page {
	size_t n;           /* rows kept */
	int more;           /* the fetch returned one row beyond the page */
	struct la_buf rows; /* JSON objects, each followed by a NUL */
	size_t *offs;       /* start of each row in rows */
	struct la_value *first, *last; /* sort keys of the first/last row */
};

static struct la_value *
list_keys(struct la_crud *x, const struct la_query *q, struct la_db_stmt *st)
{
	struct la_value *k = la_arena_calloc(x->r->a, q->norder, sizeof(*k));
	size_t i;

	for (i = 0; i < q->norder; i++) {
		la_db_column(st, q->order[i].col, &k[i]);
		/* The driver's text lives until the next row. */
		if (k[i].kind == LA_V_TEXT)
			k[i].s = la_arena_strndup(x->r->a, k[i].s, k[i].len);
	}
	return (k);
}

/* How many rows a page takes, and what its fetch found. */
struct list_out {
	int limit;    /* 0: every row */
	int more;     /* the statement had a row beyond limit */
	int64_t rows; /* written */
};

/* With ?expand=: the page's related rows, one statement per relation
 * once the page's own statement is finished, put into its rows. */
static int
list_expand(struct la_crud *x, int rc, struct la_buf *b)
{
	if (rc != LA_DB_DONE || x->expand == NULL)
		return (rc);
	if ((rc = la_expand_fetch(x->expand)) == LA_DB_DONE)
		la_expand_stitch(x->expand, b);
	return (rc);
}

/* Runs the statement in the SQL buffer and writes its rows as the
 * "results" array and the closing brace (o NULL: every row). LA_DB_DONE
 * or an error. */
static int
list_stream(struct la_crud *x, const struct la_value *params, size_t n,
    struct list_out *o)
{
	const struct la_crud_plan *show = la_crud_projection(x, 0);
	struct la_buf *b = x->r->resp.body;
	struct la_db_stmt *st;
	int rc, rows = 0;

	la_buf_puts(b, "\"results\":[");
	for (rc = la_crud_run(x, params, n, &st); rc == LA_DB_ROW;
	     rc = la_db_next(st)) {
		if (o != NULL && o->limit > 0 && rows == o->limit) {
			o->more = 1;
			rc = LA_DB_DONE;
			break;
		}
		if (rows++)
			la_buf_putc(b, ',');
		la_crud_row_out(x, st, show);
		if (x->expand != NULL)
			la_expand_row(x->expand, st, b->len);
	}
	if (o != NULL)
		o->rows = rows;
	la_db_finish(st);
	la_buf_puts(b, "]}");
	return (list_expand(x, rc, b));
}

static struct la_value *
list_params(struct la_crud *x, const struct la_query *q, struct la_sqlb *s)
{
	size_t cap = la_query_max_params(x->t, q);
	struct la_value *p = la_arena_calloc(x->r->a, cap, sizeof(*p));

	la_sqlb_params(s, p, cap);
	return (p);
}

/*
 * The list statement for q through the worker's memo of texts by shape
 * (built only the first time): its values, *n of them.
 */
static struct la_value *
list_sql(struct la_crud *x, const struct la_query *q,
    const struct la_value *keys, int reverse, int64_t limit, int64_t offset,
    size_t *n)
{
	struct la_sqlshape_key k;
	struct la_sqlb s;
	struct la_value *p;

	la_crud_shape_key(x, &k, LA_SQLSHAPE_QUERY);
	la_sqlshape_key_filters(&k, q->filters, q->nfilters);
	la_sqlshape_key_query(&k, x->t, q, keys, reverse, limit, offset);
	s = la_crud_shaped(x, &k);
	p = list_params(x, q, &s);
	la_sqlb_query(&s, x->cat, x->t, q, keys, reverse, limit, offset);
	la_crud_shaped_end(x, &s, &k);
	*n = (size_t)s.nparams;
	return (p);
}

static void
list_plain(struct la_crud *x, const struct la_query *q)
{
	struct la_value *p;
	size_t n;
	int rc;

	p = list_sql(x, q, NULL, 0, q->page_size, 0, &n);
	la_buf_reset(x->r->resp.body);
	la_buf_putc(x->r->resp.body, '{');
	if ((rc = list_stream(x, p, n, NULL)) != LA_DB_DONE)
		la_crud_db_error(x, rc);
	else
		la_resp_json(&x->r->resp, 200);
}

/* ---- page numbers ------------------------------------------------------- */

/* Runs the one-value statement in the SQL buffer: its integer, or -1 for
 * NULL (*rc LA_DB_DONE), or an error in *rc. */
static int64_t
list_scalar(struct la_crud *x, const struct la_value *p, size_t n, int *rc)
{
	struct la_db_stmt *st;
	struct la_value v;
	int64_t r = -1;

	*rc = la_crud_run(x, p, n, &st);
	if (*rc == LA_DB_ROW) {
		la_db_column(st, 0, &v);
		r = v.kind == LA_V_INT ? v.i : -1;
		*rc = LA_DB_DONE;
	} else if (*rc == LA_DB_DONE)
		r = 0;
	la_db_finish(st);
	return (r);
}

/* The value of the statement s built, from the count cache if it has
 * it, else from the database (and then cached). */
static int64_t
list_cached_scalar(struct la_crud *x, struct la_sqlb *s,
    const struct la_value *p, int *rc)
{
	struct la_count_entry e;
	int64_t n = 0;
	size_t len;
	const char *sql = la_crud_text(x, &len);
	int cached;

	cached = la_count_lookup(x->r, x->t, la_catalog_str(x->cat, x->t->name),
	    sql, len, p, (size_t)s->nparams, &e, &n);
	if (cached == 1) {
		*rc = LA_DB_DONE;
		return (n);
	}
	n = list_scalar(x, p, (size_t)s->nparams, rc);
	if (cached == 0 && *rc == LA_DB_DONE)
		la_count_store(&e, n);
	return (n);
}

/* The engine's estimate of the table's rows, for an unfiltered list; -1
 * when there is none (a filter, an engine without statistics, a table
 * never analysed). */
static int64_t
list_estimate(struct la_crud *x, const struct la_query *q, int *rc)
{
	const char *sql = la_dialect(la_db_dialect(&x->ctx->db))->row_estimate;
	const char *name = la_catalog_str(x->cat, x->t->name);
	struct la_sqlb s = la_crud_sql(x);
	struct la_value p = la_value_text(name, strlen(name));

	*rc = LA_DB_DONE;
	if (sql == NULL || q->nfilters > 0 || q->search != NULL)
		return (-1);
	la_buf_reset(s.b);
	la_buf_puts(s.b, sql);
	s.nparams = 1;
	return (list_cached_scalar(x, &s, &p, rc));
}

static int64_t
list_count(struct la_crud *x, const struct la_query *q, int *rc)
{
	struct la_sqlshape_key k;
	struct la_sqlb s;
	struct la_value *p;
	int64_t n;

	if (x->t->count_mode == LA_COUNT_ESTIMATED &&
	    ((n = list_estimate(x, q, rc)) >= 0 || *rc != LA_DB_DONE))
		return (n);
	la_crud_shape_key(x, &k, LA_SQLSHAPE_COUNT);
	la_sqlshape_key_filters(&k, q->filters, q->nfilters);
	la_sqlshape_key_count(&k, x->t, q);
	s = la_crud_shaped(x, &k);
	p = list_params(x, q, &s);
	la_sqlb_count(&s, x->cat, x->t, q);
	la_crud_shaped_end(x, &s, &k);
	return (list_cached_scalar(x, &s, p, rc));
}

static const struct la_str *
list_header(const struct la_crud *x, const char *name)
{
	return (la_http_header(x->r->http, name));
}

/* scheme://host, from the request (or the proxy's headers if trusted). */
static void
list_origin(struct la_crud *x, struct la_buf *b)
{
	const struct la_str *proto = NULL, *host = NULL;
	size_t n;

	if (x->r->via_proxy) {
		proto = list_header(x, "X-Forwarded-Proto");
		host = list_header(x, "X-Forwarded-Host");
	}
	if (host == NULL)
		host = &x->r->http->host;
	if (proto != NULL && proto->len > 0) {
		/* A proxy chain lists several; the first is the client's. */
		n = (const char *)memchr(proto->p, ',', proto->len) != NULL
		        ? (size_t)((const char *)memchr(proto->p, ',',
		                       proto->len) -
		                   proto->p)
		        : proto->len;
		la_buf_append(b, proto->p, n);
	} else
		la_buf_puts(b, "http");
	la_buf_puts(b, "://");
	if (host->len > 0)
		la_buf_append(b, host->p, host->len);
	else
		la_buf_puts(b, "localhost");
}

/* The absolute URL of another page: every parameter kept, page replaced. */
static void
list_page_url(struct la_crud *x, const struct la_query *q, int64_t page)
{
	struct la_buf *b = x->r->resp.body, url;
	const struct la_qparam *p;
	size_t i;
	int n = 0, placed = 0;

	la_buf_init(&url);
	list_origin(x, &url);
	la_buf_append(&url, x->r->http->path.p, x->r->http->path.len);
	for (i = 0; i < q->nparams; i++) {
		p = &q->params[i];
		if (strcmp(p->key, "page") == 0 && placed++)
			continue;
		la_buf_putc(&url, n++ ? '&' : '?');
		la_url_encode(&url, p->key, p->klen);
		la_buf_putc(&url, '=');
		if (strcmp(p->key, "page") == 0)
			la_json_int(&url, page);
		else
			la_url_encode(&url, p->value, p->vlen);
	}
	if (!placed) {
		la_buf_puts(&url, n ? "&page=" : "?page=");
		la_json_int(&url, page);
	}
	la_json_str(b, url.data, url.len);
	la_buf_free(&url);
}

static void
list_page_links(struct la_crud *x, const struct la_query *q, int next)
{
	struct la_buf *b = x->r->resp.body;

	la_buf_puts(b, "\"next\":");
	if (next)
		list_page_url(x, q, q->page + 1);
	else
		la_buf_puts(b, "null");
	la_buf_puts(b, ",\"previous\":");
	if (q->page > 1)
		list_page_url(x, q, q->page - 1);
	else
		la_buf_puts(b, "null");
	la_buf_putc(b, ',');
}

/* The page's SELECT in the SQL buffer, with room for one row more. */
static struct la_value *
list_page_sql(struct la_crud *x, const struct la_query *q, int extra, size_t *n)
{
	return (list_sql(x, q, NULL, 0, q->page_size + extra,
	    (q->page - 1) * q->page_size, n));
}

/* count: exact. The count decides the links, and a page past the end
 * needs no query. */
static void
list_pages_counted(struct la_crud *x, const struct la_query *q)
{
	struct la_buf *b = x->r->resp.body;
	struct la_value *p;
	int64_t count, pages;
	size_t n;
	int rc;

	count = list_count(x, q, &rc);
	if (rc != LA_DB_DONE) {
		la_crud_db_error(x, rc);
		return;
	}
	pages = (count + q->page_size - 1) / q->page_size;
	la_buf_reset(b);
	la_buf_puts(b, "{\"count\":");
	la_json_int(b, count);
	la_buf_puts(b, ",\"pages\":");
	la_json_int(b, pages);
	la_buf_putc(b, ',');
	list_page_links(x, q, q->page < pages);
	if (q->page > pages) {
		/* Past the end: nothing to fetch (and no offset to overflow).
		 */
		la_buf_puts(b, "\"results\":[]}");
		la_resp_json(&x->r->resp, 200);
		return;
	}
	p = list_page_sql(x, q, 0, &n);
	if ((rc = list_stream(x, p, n, NULL)) != LA_DB_DONE)
		la_crud_db_error(x, rc);
	else
		la_resp_json(&x->r->resp, 200);
}

/* The head of a fetched page: an estimate is never shown below what
 * this page proves (offset + its rows + one more if there is one). */
static void
list_fetched_head(struct la_crud *x, const struct la_query *q, int64_t count,
    const struct list_out *o)
{
	struct la_buf *b = x->r->resp.body;
	int64_t seen;

	la_buf_reset(b);
	la_buf_putc(b, '{');
	if (count >= 0) {
		seen = o->rows > 0
		           ? (q->page - 1) * q->page_size + o->rows + o->more
		           : 0;
		count = count > seen ? count : seen;
		la_buf_printf(b, "\"count\":%lld,\"pages\":%lld,",
		    (long long)count,
		    (long long)((count + q->page_size - 1) / q->page_size));
	}
	list_page_links(x, q, o->more);
}

/*
 * count: estimated or none. The page is fetched with one row more, which
 * says whether there is a next page. A page whose offset would not fit
 * in 64 bits is past the end of any table: nothing is fetched.
 */
static void
list_pages_fetched(struct la_crud *x, const struct la_query *q)
{
	struct la_buf *body = x->r->resp.body, rows;
	struct list_out o = {q->page_size, 0, 0};
	struct la_value *p;
	int64_t count = -1;
	size_t n;
	int rc = LA_DB_DONE;

	if (x->t->count_mode == LA_COUNT_ESTIMATED &&
	    (count = list_count(x, q, &rc), rc != LA_DB_DONE)) {
		la_crud_db_error(x, rc);
		return;
	}
	la_buf_init(&rows);
	if (q->page - 1 > (INT64_MAX - 1) / q->page_size - 1)
		la_buf_puts(&rows, "\"results\":[]}");
	else {
		x->r->resp.body = &rows;
		p = list_page_sql(x, q, 1, &n);
		rc = list_stream(x, p, n, &o);
		x->r->resp.body = body;
	}
	if (rc == LA_DB_DONE) {
		list_fetched_head(x, q, count, &o);
		la_buf_append(body, rows.data, rows.len);
		la_resp_json(&x->r->resp, 200);
	} else
		la_crud_db_error(x, rc);
	la_buf_free(&rows);
}

static void
list_pages(struct la_crud *x, const struct la_query *q)
{
	if (x->t->count_mode == LA_COUNT_EXACT)
		list_pages_counted(x, q);
	else
		list_pages_fetched(x, q);
}

/* ---- cursors ------------------------------------------------------------ */

/* Fetches up to page_size + 1 rows after keys (or from the start). */
static int
list_fetch(struct la_crud *x, const struct la_query *q,
    const struct la_value *keys, int reverse, struct list_page *pg)
{
	const struct la_crud_plan *show = la_crud_projection(x, 0);
	struct la_buf *out = x->r->resp.body;
	struct la_value *p;
	struct la_db_stmt *st;
	size_t n;
	int rc;

	pg->offs =
	    la_arena_calloc(x->r->a, (size_t)q->page_size, sizeof(*pg->offs));
	p = list_sql(x, q, keys, reverse, q->page_size + 1, 0, &n);
	for (rc = la_crud_run(x, p, n, &st); rc == LA_DB_ROW;
	     rc = la_db_next(st)) {
		if (pg->n == (size_t)q->page_size) {
			pg->more = 1;
			break;
		}
		/* Rows go through the body buffer, then into the page. */
		la_buf_reset(out);
		la_crud_row_out(x, st, show);
		if (x->expand != NULL)
			la_expand_row(x->expand, st, out->len);
		pg->offs[pg->n] = pg->rows.len;
		la_buf_append(&pg->rows, out->data, out->len + 1);
		pg->last = list_keys(x, q, st);
		if (pg->n == 0)
			pg->first = pg->last;
		pg->n++;
	}
	la_db_finish(st);
	rc = rc == LA_DB_ROW ? LA_DB_DONE : rc;
	if (rc == LA_DB_DONE && x->expand != NULL)
		rc = la_expand_fetch(x->expand);
	return (rc);
}

static void
list_cursor_link(struct la_crud *x, const struct la_query *q, int dir,
    const struct la_value *keys)
{
	struct la_buf c;

	if (keys == NULL) {
		la_buf_puts(x->r->resp.body, "null");
		return;
	}
	la_buf_init(&c);
	la_cursor_encode(&c, q, dir, keys);
	la_json_str(x->r->resp.body, c.data, c.len);
	la_buf_free(&c);
}

/* Row k of the page, with its related rows if any were asked for. */
static void
list_cursor_row(struct la_crud *x, struct la_buf *b, const struct list_page *pg,
    size_t k)
{
	const char *row = pg->rows.data + pg->offs[k];

	if (x->expand == NULL) {
		la_buf_puts(b, row);
		return;
	}
	la_buf_append(b, row, strlen(row) - 1);
	la_expand_put(x->expand, k, b);
	la_buf_putc(b, '}');
}

static void
list_cursor_body(struct la_crud *x, const struct la_query *q,
    struct list_page *pg, int reverse, int had_cursor)
{
	struct la_buf *b = x->r->resp.body;
	const struct la_value *next, *prev;
	size_t i, k;

	/* In the output's order: first is the top row, last the bottom. */
	const struct la_value *top = reverse ? pg->last : pg->first;
	const struct la_value *bottom = reverse ? pg->first : pg->last;

	next = (reverse || pg->more) ? bottom : NULL;
	prev = reverse ? (pg->more ? top : NULL) : (had_cursor ? top : NULL);
	la_buf_reset(b);
	la_buf_puts(b, "{\"next\":");
	list_cursor_link(x, q, LA_CURSOR_NEXT, next);
	la_buf_puts(b, ",\"previous\":");
	list_cursor_link(x, q, LA_CURSOR_PREV, prev);
	la_buf_puts(b, ",\"results\":[");
	for (i = 0; i < pg->n; i++) {
		k = reverse ? pg->n - 1 - i : i;
		if (i > 0)
			la_buf_putc(b, ',');
		list_cursor_row(x, b, pg, k);
	}
	la_buf_puts(b, "]}");
}

static void
list_bad_cursor(struct la_crud *x, const struct la_query *q)
{
	struct la_buf *b = x->r->resp.body;

	la_buf_reset(b);
	la_buf_puts(b, "{\"detail\":[{\"type\":\"value_error\",\"loc\":"
	               "[\"query\",\"cursor\"],\"msg\":\"Value error, invalid "
	               "cursor\",\"input\":");
	la_json_str(b, q->cursor, q->cursor_len);
	la_buf_puts(b, "}]}");
	la_resp_fail_body(&x->r->resp, LA_ERR_INVALID);
}

static void
list_cursor(struct la_crud *x, const struct la_query *q)
{
	struct la_value *keys = NULL;
	struct list_page pg;
	int dir = LA_CURSOR_NEXT, rc;

	if (q->cursor != NULL) {
		keys = la_arena_calloc(x->r->a, q->norder, sizeof(*keys));
		if (la_cursor_decode(x->cat, x->t, q, x->r->a, &dir, keys) !=
		    0) {
			list_bad_cursor(x, q);
			return;
		}
	}
	memset(&pg, 0, sizeof(pg));
	la_buf_init(&pg.rows);
	rc = list_fetch(x, q, keys, dir == LA_CURSOR_PREV, &pg);
	if (rc != LA_DB_DONE)
		la_crud_db_error(x, rc);
	else {
		list_cursor_body(x, q, &pg, dir == LA_CURSOR_PREV,
		    q->cursor != NULL);
		la_resp_json(&x->r->resp, 200);
	}
	la_buf_free(&pg.rows);
}

/* The verb's row scope goes first among the filters: counted, cached
 * and paged with them, its values bound like theirs. */
static void
list_scope(struct la_crud *x, struct la_query *q)
{
	struct la_qfilter *f;

	if (x->scope.nwhere == 0)
		return;
	f = la_arena_calloc(x->r->a, x->scope.nwhere + q->nfilters, sizeof(*f));
	memcpy(f, x->scope.where, x->scope.nwhere * sizeof(*f));
	if (q->nfilters > 0)
		memcpy(f + x->scope.nwhere, q->filters,
		    q->nfilters * sizeof(*f));
	q->filters = f;
	q->nfilters += x->scope.nwhere;
}

void
la_handler_list(struct la_crud *x)
{
	struct la_buf *b = x->r->resp.body;
	const struct la_str *qs = &x->r->http->query;
	struct la_query q;
	int rc;

	la_buf_reset(b);
	la_buf_puts(b, "{\"detail\":[");
	rc = la_query_parse(x->cat, x->t, qs->p, qs->len, x->r->a, &q, b);
	if (rc == LA_QUERY_BAD_ESCAPE) {
		la_resp_fail(&x->r->resp, LA_ERR_BAD_REQUEST,
		    "malformed query string");
		return;
	}
	if (rc != 0) {
		la_buf_puts(b, "]}");
		la_resp_fail_body(&x->r->resp, LA_ERR_INVALID);
		return;
	}
	list_scope(x, &q);
	if ((x->expand = la_expand_parse(x, &rc)) == NULL && rc != 0)
		return;
	if (x->t->page_style == LA_PAGE_NUMBER)
		list_pages(x, &q);
	else if (x->t->page_style == LA_PAGE_CURSOR && x->t->pk >= 0)
		list_cursor(x, &q);
	else
		list_plain(x, &q);
	la_expand_free(x->expand);
	x->expand = NULL;
}
