/*
 * CRUD on an endpoint: list, create, retrieve, replace (PUT), update
 * (PATCH) and destroy. The order of checks is part of the contract: the
 * method, then the body shape, then the version (before validation and
 * before any row lookup), then validation, then the database.
 */
#include <stdio.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "response.h"
#include "sqlb.h"
#include "str.h"
#include "validate.h"
#include "worker.h"

#define CRUD_COLLECTION (LA_M_GET | LA_M_POST)
#define CRUD_DETAIL     (LA_M_GET | LA_M_PUT | LA_M_PATCH | LA_M_DELETE)

static const char version_missing[] =
    "{\"detail\":[{\"loc\":[\"version\"],\"msg\":\"Field required\","
    "\"type\":\"missing\"}]}";

struct crud {
	struct la_req *r;
	struct la_worker *w;
	const struct la_catalog *cat;
	const struct la_cat_table *t;
	const struct la_cat_col *cols;
	struct la_value key;
};

/* ---- errors ------------------------------------------------------------- */

static void
crud_db_error(struct crud *x, int rc)
{
	const struct la_db_driver *drv = x->w->db.drv;

	switch (rc) {
	case LA_DB_EUNIQUE:
	case LA_DB_EFK:
	case LA_DB_ENOTNULL:
	case LA_DB_ECHECK:
		la_resp_error(x->r, 409, drv->errmsg(x->w->db.db));
		return;
	case LA_DB_EUNAVAIL:
		la_log(LA_LOG_ERR, "%s: database unavailable: %s",
		    x->r->endpoint, drv->rawmsg(x->w->db.db));
		x->w->db_ok = 0;
		la_resp_error(x->r, 503, "database unavailable");
		return;
	default:
		la_log(LA_LOG_ERR, "%s: database error: %s", x->r->endpoint,
		    drv->rawmsg(x->w->db.db));
		la_resp_error(x->r, 500, "internal server error");
	}
}

static void
crud_method_not_allowed(struct crud *x, unsigned allowed)
{
	static const unsigned order[] = {LA_M_GET, LA_M_POST, LA_M_PUT,
	    LA_M_PATCH, LA_M_DELETE};
	struct la_buf *b = x->r->body_out;
	size_t i;
	int n = 0;

	la_resp_error(x->r, 405, "");
	la_buf_reset(b);
	la_buf_puts(b, "{\"detail\":\"Method Not Allowed. Allowed: ");
	for (i = 0; i < LA_NELEM(order); i++)
		if (allowed & order[i])
			la_buf_printf(b, "%s%s", n++ ? ", " : "",
			    la_verb_name(order[i]));
	la_buf_puts(b, "\"}");
}

/* ---- statements --------------------------------------------------------- */

/* Prepares the SQL in w->sql and runs it: LA_DB_ROW, LA_DB_DONE or error. */
static int
crud_run(struct crud *x, const struct la_value *params, size_t n,
    struct la_db_stmt **stp)
{
	const struct la_db_driver *drv = x->w->db.drv;

	*stp = drv->prepare(x->w->db.db, x->w->sql.data);
	if (*stp == NULL)
		return (drv->errcode(x->w->db.db));
	return (drv->run(*stp, params, n));
}

static struct la_sqlb
crud_sql(struct crud *x)
{
	struct la_sqlb q;

	la_sqlb_init(&q, &x->w->sql, (int)x->w->db.drv->dialect);
	return (q);
}

/* ---- rows out ----------------------------------------------------------- */

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
crud_json_out(struct crud *x, struct la_buf *b, const struct la_value *v)
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
crud_value_out(struct crud *x, struct la_buf *b, const struct la_value *v,
    const struct la_cat_col *col)
{
	enum la_type ty = (enum la_type)col->type;

	if (v->kind == LA_V_NULL)
		la_buf_puts(b, "null");
	else if (ty == LA_T_BOOL && v->kind == LA_V_INT)
		la_buf_puts(b, v->i ? "true" : "false");
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
static const unsigned char *
crud_projection(struct crud *x, int write)
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

static void
crud_row_out(struct crud *x, struct la_db_stmt *st, const unsigned char *show)
{
	const struct la_db_driver *drv = x->w->db.drv;
	struct la_buf *b = x->r->body_out;
	struct la_value v;
	uint32_t i;
	int n = 0;

	la_buf_putc(b, '{');
	for (i = 0; i < x->t->ncols; i++) {
		if (show != NULL && !show[i])
			continue;
		if (n++)
			la_buf_putc(b, ',');
		la_json_cstr(b, la_catalog_str(x->cat, x->cols[i].name));
		la_buf_putc(b, ':');
		drv->column(st, (int)i, &v);
		crud_value_out(x, b, &v, &x->cols[i]);
	}
	la_buf_putc(b, '}');
}

/* Reads the row with x->key and answers status with it, or 404. */
static void
crud_send_row(struct crud *x, int status, int write)
{
	struct la_sqlb q = crud_sql(x);
	struct la_db_stmt *st;
	int rc;

	la_sqlb_select_pk(&q, x->cat, x->t);
	rc = crud_run(x, &x->key, 1, &st);
	if (rc == LA_DB_ROW) {
		la_buf_reset(x->r->body_out);
		crud_row_out(x, st, crud_projection(x, write));
		la_resp_json(x->r, status);
	} else if (rc == LA_DB_DONE)
		la_resp_error(x->r, 404, "not found");
	else
		crud_db_error(x, rc);
	if (st != NULL)
		x->w->db.drv->finish(st);
}

/* ---- list and retrieve -------------------------------------------------- */

static void
crud_list(struct crud *x)
{
	const struct la_db_driver *drv = x->w->db.drv;
	const unsigned char *show = crud_projection(x, 0);
	struct la_sqlb q = crud_sql(x);
	struct la_db_stmt *st;
	struct la_buf *b = x->r->body_out;
	int rc, n = 0;

	la_sqlb_list(&q, x->cat, x->t,
	    x->t->page_style == LA_PAGE_NONE ? x->t->max_page_size : 0);
	la_buf_reset(b);
	la_buf_puts(b, "{\"results\":[");
	for (rc = crud_run(x, NULL, 0, &st); rc == LA_DB_ROW;
	     rc = drv->next(st)) {
		if (n++)
			la_buf_putc(b, ',');
		crud_row_out(x, st, show);
	}
	if (st != NULL)
		drv->finish(st);
	if (rc != LA_DB_DONE) {
		crud_db_error(x, rc);
		return;
	}
	la_buf_puts(b, "]}");
	la_resp_json(x->r, 200);
}

/* ---- writes ------------------------------------------------------------- */

/* The body must be a JSON object; NULL (400 answered) otherwise. */
static yajl_val
crud_body(struct crud *x)
{
	yajl_val v = NULL;

	if (x->r->body_len > 0)
		v = la_json_parse(x->r->body, x->r->body_len, LA_JSON_MAX_DEPTH,
		    x->r->a);
	if (v == NULL || !YAJL_IS_OBJECT(v)) {
		la_resp_error(x->r, 400, "request body must be a JSON object");
		return (NULL);
	}
	return (v);
}

/* Validates; on failure answers 422 and returns -1. */
static int
crud_validate(struct crud *x, yajl_val body, enum la_validate_mode mode,
    struct la_value **vals, unsigned char **set)
{
	struct la_buf *errs = x->r->body_out;

	*vals = la_arena_calloc(x->r->a, x->t->ncols, sizeof(**vals));
	*set = la_arena_calloc(x->r->a, x->t->ncols, 1);
	la_buf_reset(errs);
	la_buf_puts(errs, "{\"detail\":[");
	if (la_validate_body(x->w->val, x->cat, x->t, body, mode, *vals, *set,
	        errs, x->r->a) == 0)
		return (0);
	la_buf_puts(errs, "]}");
	la_resp_json(x->r, 422);
	return (-1);
}

/* Server-managed timestamps (and version on insert). */
static void
crud_stamp(struct crud *x, struct la_value *vals, unsigned char *set,
    int insert)
{
	char *now = la_arena_alloc(x->r->a, 32);

	la_validate_now(now, 32);
	if (x->t->updated_at >= 0) {
		vals[x->t->updated_at] = la_value_text(now, strlen(now));
		set[x->t->updated_at] = 1;
	}
	if (!insert)
		return;
	if (x->t->created_at >= 0) {
		vals[x->t->created_at] = la_value_text(now, strlen(now));
		set[x->t->created_at] = 1;
	}
	if (x->t->version >= 0) {
		vals[x->t->version] = la_value_int(1);
		set[x->t->version] = 1;
	}
}

/* The bound values in the order la_sqlb_insert/update expects them. */
static size_t
crud_params(struct crud *x, const struct la_value *vals,
    const unsigned char *set, int update, struct la_value *out)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < x->t->ncols; i++) {
		if (!set[i])
			continue;
		if (update && ((int)i == x->t->pk || (int)i == x->t->version))
			continue;
		out[n++] = vals[i];
	}
	return (n);
}

static void
crud_create(struct crud *x)
{
	struct la_value *vals, *params;
	unsigned char *set;
	struct la_sqlb q = crud_sql(x);
	struct la_db_stmt *st;
	yajl_val body;
	size_t n;
	int rc;

	if ((body = crud_body(x)) == NULL ||
	    crud_validate(x, body, LA_VALIDATE_CREATE, &vals, &set) != 0)
		return;
	crud_stamp(x, vals, set, 1);
	params = la_arena_calloc(x->r->a, x->t->ncols + 2, sizeof(*params));
	n = crud_params(x, vals, set, 0, params);
	q = crud_sql(x);
	la_sqlb_insert(&q, x->cat, x->t, set);
	rc = crud_run(x, params, n, &st);
	if (st != NULL)
		x->w->db.drv->finish(st);
	if (rc < 0) {
		crud_db_error(x, rc);
		return;
	}
	if (x->cols[x->t->pk].flags & LA_COL_AUTOINC)
		x->key = la_value_int(x->w->db.drv->last_id(x->w->db.db));
	else
		x->key = vals[x->t->pk];
	crud_send_row(x, 201, 1);
}

/* The optimistic-locking version, checked before anything else. */
static int
crud_version(struct crud *x, yajl_val body, int64_t *version)
{
	yajl_val v = la_json_get(body, "version", 7);
	struct la_buf *b = x->r->body_out;

	if (v == NULL || YAJL_IS_NULL(v)) {
		la_buf_reset(b);
		la_buf_puts(b, version_missing);
		la_resp_json(x->r, 422);
		return (-1);
	}
	if (la_validate_version(v, version) == 0)
		return (0);
	la_buf_reset(b);
	la_buf_puts(b,
	    "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":"
	    "[\"version\"],\"msg\":\"Input should be a valid integer, "
	    "unable to parse string as an integer\",\"input\":");
	la_json_value(b, v);
	la_buf_puts(b, "}]}");
	la_resp_json(x->r, 422);
	return (-1);
}

/* Zero rows updated: the row is gone (404) or was changed (409). */
static void
crud_update_missed(struct crud *x, int versioned)
{
	struct la_sqlb q = crud_sql(x);
	struct la_db_stmt *st;
	int rc;

	if (!versioned) {
		la_resp_error(x->r, 404, "not found");
		return;
	}
	la_sqlb_exists(&q, x->cat, x->t);
	rc = crud_run(x, &x->key, 1, &st);
	if (st != NULL)
		x->w->db.drv->finish(st);
	if (rc == LA_DB_ROW)
		la_resp_error(x->r, 409, "version conflict");
	else if (rc == LA_DB_DONE)
		la_resp_error(x->r, 404, "not found");
	else
		crud_db_error(x, rc);
}

static void
crud_update(struct crud *x, enum la_validate_mode mode)
{
	int versioned = x->t->version >= 0, rc;
	struct la_value *vals, *params;
	struct la_sqlb q;
	struct la_db_stmt *st;
	unsigned char *set;
	int64_t version = 0;
	yajl_val body;
	size_t n;

	if ((body = crud_body(x)) == NULL ||
	    (versioned && crud_version(x, body, &version) != 0) ||
	    crud_validate(x, body, mode, &vals, &set) != 0)
		return;
	crud_stamp(x, vals, set, 0);
	params = la_arena_calloc(x->r->a, x->t->ncols + 2, sizeof(*params));
	n = crud_params(x, vals, set, 1, params);
	params[n++] = x->key;
	if (versioned)
		params[n++] = la_value_int(version);
	q = crud_sql(x);
	la_sqlb_update(&q, x->cat, x->t, set, versioned);
	rc = crud_run(x, params, n, &st);
	if (st != NULL)
		x->w->db.drv->finish(st);
	if (rc < 0)
		crud_db_error(x, rc);
	else if (x->w->db.drv->changes(x->w->db.db) == 0)
		crud_update_missed(x, versioned);
	else
		crud_send_row(x, 200, 1);
}

static void
crud_destroy(struct crud *x)
{
	struct la_sqlb q = crud_sql(x);
	struct la_db_stmt *st;
	int rc;

	la_sqlb_delete(&q, x->cat, x->t);
	rc = crud_run(x, &x->key, 1, &st);
	if (st != NULL)
		x->w->db.drv->finish(st);
	if (rc < 0)
		crud_db_error(x, rc);
	else if (x->w->db.drv->changes(x->w->db.db) == 0)
		la_resp_error(x->r, 404, "not found");
	else
		la_resp_empty(x->r, 204);
}

/* ---- dispatch ----------------------------------------------------------- */

/* The id in the URL as a key value; -1 when it cannot name a row. */
static int
crud_key(struct crud *x, const char *id, size_t len)
{
	const struct la_cat_col *pk = &x->cols[x->t->pk];
	int64_t v;
	size_t i;

	if (pk->type == LA_T_INT) {
		/* Digits only: "-1" and "+1" name no row. */
		for (i = 0; i < len; i++)
			if (id[i] < '0' || id[i] > '9')
				return (-1);
		if (la_str_to_i64(id, len, &v) != 0)
			return (-1);
		x->key = la_value_int(v);
		return (0);
	}
	x->key = la_value_text(id, len);
	return (0);
}

static void
crud_options(struct crud *x, unsigned allowed)
{
	la_buf_puts(x->r->hdrs, "Allow: ");
	la_resp_allow(x->r->hdrs, allowed);
	la_buf_puts(x->r->hdrs, "\r\n");
	la_resp_empty(x->r, 204);
}

static void
crud_detail(struct crud *x, unsigned m)
{
	switch (m) {
	case LA_M_GET:
		crud_send_row(x, 200, 0);
		break;
	case LA_M_PUT:
		crud_update(x, LA_VALIDATE_REPLACE);
		break;
	case LA_M_PATCH:
		crud_update(x, LA_VALIDATE_PATCH);
		break;
	default:
		crud_destroy(x);
		break;
	}
}

void
la_handler_crud(struct la_req *r, const struct la_cat_table *t, const char *id,
    size_t id_len)
{
	struct crud x;
	unsigned m =
	    r->http->method_id == LA_M_HEAD ? LA_M_GET : r->http->method_id;
	unsigned allowed = t->methods & (id ? CRUD_DETAIL : CRUD_COLLECTION);

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.w = r->w;
	x.cat = r->w->cat;
	x.t = t;
	x.cols = la_catalog_cols(x.cat, t);
	if (id != NULL && (t->pk < 0 || crud_key(&x, id, id_len) != 0)) {
		la_resp_error(r, 404, "not found");
		return;
	}
	if (m == LA_M_OPTIONS) {
		crud_options(&x, allowed);
		return;
	}
	if (!(allowed & m)) {
		la_buf_puts(r->hdrs, "Allow: ");
		la_resp_allow(r->hdrs, allowed);
		la_buf_puts(r->hdrs, "\r\n");
		crud_method_not_allowed(&x, allowed);
		return;
	}
	if (la_worker_db(r->w) != 0) {
		la_resp_error(r, 503, "database unavailable");
		return;
	}
	if (id != NULL)
		crud_detail(&x, m);
	else if (m == LA_M_GET)
		crud_list(&x);
	else
		crud_create(&x);
}
