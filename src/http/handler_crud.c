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
#include "body.h"
#include "crud.h"
#include "db.h"
#include "expand.h"
#include "json.h"
#include "log.h"
#include "response.h"
#include "sqlb.h"
#include "str.h"
#include "uuid.h"
#include "validate.h"

static const char version_missing[] =
    "{\"detail\":[{\"loc\":[\"version\"],\"msg\":\"Field required\","
    "\"type\":\"missing\"}]}";


/* ---- statements --------------------------------------------------------- */


/* ---- rows out ----------------------------------------------------------- */


/* ---- list and retrieve -------------------------------------------------- */


/* ---- writes ------------------------------------------------------------- */

/* The body as a JSON object; NULL (400 or 413 answered) otherwise. */
static yajl_val
crud_body(struct la_crud *x)
{
	yajl_val body = la_body_object(x->r);

	/* meta.set: the body's word on those columns is replaced. */
	return (body != NULL ? la_scope_body(x->r, &x->scope, body) : NULL);
}

/* Validates; on failure answers 422 and returns -1. */
static int
crud_validate(struct la_crud *x, yajl_val body, enum la_validate_mode mode,
    struct la_value **vals, unsigned char **set)
{
	struct la_buf *errs = x->r->resp.body;

	*vals = la_arena_calloc(x->r->a, x->t->ncols, sizeof(**vals));
	*set = la_arena_calloc(x->r->a, x->t->ncols, 1);
	la_buf_reset(errs);
	la_buf_puts(errs, "{\"detail\":[");
	if (la_validate_body(x->ctx->val, x->cat, x->t, body, mode, *vals, *set,
	        errs, x->r->a) == 0)
		return (0);
	la_buf_puts(errs, "]}");
	la_resp_fail_body(&x->r->resp, LA_ERR_INVALID);
	return (-1);
}

/* Server-managed timestamps (and version on insert). */
static void
crud_stamp(struct la_crud *x, struct la_value *vals, unsigned char *set,
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
crud_params(struct la_crud *x, const struct la_value *vals,
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

/* Without RETURNING: the insert, its key and the row read back, as one
 * transaction. The INSERT is in the SQL buffer. */
static void
crud_create_tx(struct la_crud *x, const struct la_value *vals,
    const struct la_value *params, size_t n)
{
	struct la_db_stmt *st;
	int rc;

	if (la_crud_begin(x) != 0)
		return;
	rc = la_crud_run(x, params, n, &st);
	la_db_finish(st);
	if (rc < 0) {
		la_crud_db_error(x, rc);
		la_crud_end(x, 201);
		return;
	}
	if (x->cols[x->t->pk].flags & LA_COL_AUTOINC)
		x->key = la_value_int(la_db_last_id(&x->ctx->db));
	else
		x->key = vals[x->t->pk];
	la_crud_send_row(x, 201, 1);
	la_crud_end(x, 201);
}

static void
crud_create(struct la_crud *x)
{
	struct la_value *vals, *params;
	unsigned char *set;
	struct la_sqlshape_key k;
	struct la_sqlb q;
	struct la_db_stmt *st;
	yajl_val body;
	size_t n;
	int rc, returning;

	if ((body = crud_body(x)) == NULL ||
	    crud_validate(x, body, LA_VALIDATE_CREATE, &vals, &set) != 0)
		return;
	crud_stamp(x, vals, set, 1);
	x->vals = vals;
	x->set = set;
	params = la_arena_calloc(x->r->a, x->t->ncols + 2, sizeof(*params));
	n = crud_params(x, vals, set, 0, params);
	returning = la_db_returning(&x->ctx->db, LA_DIALECT_INSERT);
	la_crud_shape_key(x, &k, LA_SQLSHAPE_INSERT);
	la_sqlshape_key_set(&k, x->t, set, returning);
	q = la_crud_shaped(x, &k);
	la_sqlb_insert(&q, x->cat, x->t, set);
	if (returning)
		la_sqlb_returning(&q, x->cat, x->t);
	la_crud_shaped_end(x, &q, &k);
	if (!returning) {
		crud_create_tx(x, vals, params, n);
		return;
	}
	rc = la_crud_run(x, params, n, &st);
	la_crud_answer_row(x, 201, 1, rc, st);
}

/* The optimistic-locking version, checked before anything else. */
static int
crud_version(struct la_crud *x, yajl_val body, int64_t *version)
{
	yajl_val v = la_json_get(body, "version", 7);
	struct la_buf *b = x->r->resp.body;

	if (v == NULL || YAJL_IS_NULL(v)) {
		la_buf_reset(b);
		la_buf_puts(b, version_missing);
		la_resp_fail_body(&x->r->resp, LA_ERR_INVALID);
		return (-1);
	}
	if (la_validate_version(v, version) == 0)
		return (0);
	la_buf_reset(b);
	/* As for any int field: a list or an object is the wrong type, a
	 * string or number that does not parse is int_parsing. */
	if (YAJL_IS_ARRAY(v) || YAJL_IS_OBJECT(v)) {
		la_buf_puts(b,
		    "{\"detail\":[{\"type\":\"int_type\",\"loc\":"
		    "[\"version\"],\"msg\":\"Input should be a valid "
		    "integer\",\"input\":");
		la_json_value(b, v);
		la_buf_puts(b, "}]}");
		la_resp_fail_body(&x->r->resp, LA_ERR_INVALID);
		return (-1);
	}
	la_buf_puts(b,
	    "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":"
	    "[\"version\"],\"msg\":\"Input should be a valid integer, "
	    "unable to parse string as an integer\",\"input\":");
	la_json_value(b, v);
	la_buf_puts(b, "}]}");
	la_resp_fail_body(&x->r->resp, LA_ERR_INVALID);
	return (-1);
}

/*
 * If-Match (RFC 9110 13.1.1): the row, as a GET of it shows it, must
 * carry a tag the header names ("*": any row). 0 when it does, with
 * *version the row's version on a versioned table; -1 when answered
 * (412, 404 or a database error).
 */
static int
crud_if_match(struct la_crud *x, const struct la_str *im, int64_t *version)
{
	struct la_buf *b = x->r->resp.body;
	struct la_db_stmt *st;
	struct la_value v;
	struct la_value *p;
	char tag[LA_ETAG_LEN];
	size_t n;
	int rc;

	p = la_crud_key_stmt(x, LA_SQLSHAPE_SELECT_PK, &n);
	rc = la_crud_run(x, p, n, &st);
	if (rc != LA_DB_ROW) {
		la_crud_answer_row(x, 200, 0, rc, st);
		return (-1);
	}
	if (x->t->version >= 0) {
		la_db_column(st, x->t->version, &v);
		*version = v.i;
	}
	/* The very bytes a GET answers, so the tag is the GET's ETag. */
	la_buf_reset(b);
	la_crud_row_out(x, st, la_crud_projection(x, 0));
	la_db_finish(st);
	la_resp_etag(b->data, b->len, tag);
	la_buf_reset(b);
	if (!la_etag_match(im->p, im->len, tag, 0)) {
		la_resp_fail(&x->r->resp, LA_ERR_PRECONDITION,
		    "precondition failed");
		return (-1);
	}
	return (0);
}

/* Zero rows updated: the row is gone (404) or was changed: 409 against
 * the body's version, 412 against the version If-Match stood for. */
static void
crud_update_missed(struct la_crud *x, int versioned, int by_tag)
{
	struct la_db_stmt *st;
	struct la_value *p;
	size_t n;
	int rc;

	if (!versioned) {
		la_resp_fail(&x->r->resp, LA_ERR_NOT_FOUND, "not found");
		return;
	}
	p = la_crud_key_stmt(x, LA_SQLSHAPE_EXISTS, &n);
	rc = la_crud_run(x, p, n, &st);
	la_db_finish(st);
	if (rc == LA_DB_ROW && by_tag)
		la_resp_fail(&x->r->resp, LA_ERR_PRECONDITION,
		    "precondition failed");
	else if (rc == LA_DB_ROW)
		la_resp_fail(&x->r->resp, LA_ERR_CONFLICT, "version conflict");
	else if (rc == LA_DB_DONE)
		la_resp_fail(&x->r->resp, LA_ERR_NOT_FOUND, "not found");
	else
		la_crud_db_error(x, rc);
}

/* Without RETURNING: the update and the row read back, as one
 * transaction. The UPDATE is in the SQL buffer. */
static void
crud_update_tx(struct la_crud *x, const struct la_value *params, size_t n,
    int versioned, int by_tag)
{
	struct la_db_stmt *st;
	int rc;

	if (la_crud_begin(x) != 0)
		return;
	rc = la_crud_run(x, params, n, &st);
	la_db_finish(st);
	if (rc < 0)
		la_crud_db_error(x, rc);
	else if (la_db_changes(&x->ctx->db) == 0)
		crud_update_missed(x, versioned, by_tag);
	else {
		/* The UPDATE was scoped; the row is read back as written,
		 * as RETURNING shows it, even if it left the scope. */
		x->scope.nwhere = 0;
		la_crud_send_row(x, 200, 1);
	}
	la_crud_end(x, 200);
}

static void
crud_update(struct la_crud *x, enum la_validate_mode mode)
{
	const struct la_str *im = la_http_header(x->r->http, "If-Match");
	int versioned = x->t->version >= 0, by_tag = 0, rc, returning;
	struct la_value *vals, *params;
	struct la_sqlshape_key k;
	struct la_sqlb q;
	struct la_db_stmt *st;
	unsigned char *set;
	int64_t version = 0;
	yajl_val body;
	size_t n;

	if ((body = crud_body(x)) == NULL ||
	    (im != NULL && crud_if_match(x, im, &version) != 0))
		return;
	/* If-Match stands for the version when the body has none; with
	 * both, both must hold and the body's version rules as ever. */
	if (versioned && im != NULL && la_json_get(body, "version", 7) == NULL)
		by_tag = 1;
	else if (versioned && crud_version(x, body, &version) != 0)
		return;
	if (crud_validate(x, body, mode, &vals, &set) != 0)
		return;
	crud_stamp(x, vals, set, 0);
	x->vals = vals;
	x->set = set;
	params = la_arena_calloc(x->r->a, x->t->ncols + 2 + x->scope.nwhere,
	    sizeof(*params));
	n = crud_params(x, vals, set, 1, params);
	params[n++] = x->key;
	if (versioned)
		params[n++] = la_value_int(version);
	returning = la_db_returning(&x->ctx->db, LA_DIALECT_UPDATE);
	la_crud_shape_key(x, &k, LA_SQLSHAPE_UPDATE);
	la_sqlshape_key_set(&k, x->t, set, versioned | returning << 1);
	la_sqlshape_key_filters(&k, x->scope.where, x->scope.nwhere);
	q = la_crud_shaped(x, &k);
	la_sqlb_update(&q, x->cat, x->t, set, versioned);
	n = la_crud_scope(x, &q, params, n);
	if (returning)
		la_sqlb_returning(&q, x->cat, x->t);
	la_crud_shaped_end(x, &q, &k);
	if (!returning) {
		crud_update_tx(x, params, n, versioned, by_tag);
		return;
	}
	rc = la_crud_run(x, params, n, &st);
	if (rc != LA_DB_DONE) {
		la_crud_answer_row(x, 200, 1, rc, st);
		return;
	}
	la_db_finish(st);
	crud_update_missed(x, versioned, by_tag);
}

static void
crud_destroy(struct la_crud *x)
{
	const struct la_str *im = la_http_header(x->r->http, "If-Match");
	struct la_db_stmt *st;
	struct la_value *p;
	int64_t version;
	size_t n;
	int rc;

	if (im != NULL && crud_if_match(x, im, &version) != 0)
		return;
	p = la_crud_key_stmt(x, LA_SQLSHAPE_DELETE, &n);
	rc = la_crud_run(x, p, n, &st);
	la_db_finish(st);
	if (rc < 0)
		la_crud_db_error(x, rc);
	else if (la_db_changes(&x->ctx->db) == 0)
		la_resp_fail(&x->r->resp, LA_ERR_NOT_FOUND, "not found");
	else
		la_resp_empty(&x->r->resp, 204);
}

/* ---- dispatch ----------------------------------------------------------- */

/* The id in the URL as a key value (the route phase checked that it can
 * name a row). */
static void
crud_key(struct la_crud *x, const char *id, size_t len)
{
	/* The route checked an integer or UUID id and kept its value, a
	 * UUID in the canonical spelling it is stored in. */
	if (x->cols[x->t->pk].type == LA_T_INT)
		x->key = la_value_int(x->r->id_int);
	else if (x->cols[x->t->pk].type == LA_T_UUID)
		x->key = la_value_text(x->r->id_uuid, LA_UUID_LEN);
	else
		x->key = la_value_text(id, len);
}

/* GET on a detail route, with ?expand='s related rows if asked for. */
static void
crud_get(struct la_crud *x)
{
	int err;

	if ((x->expand = la_expand_parse(x, &err)) != NULL) {
		la_expand_detail(x, x->expand);
		la_expand_free(x->expand);
		x->expand = NULL;
	} else if (err == 0)
		la_crud_send_row(x, 200, 0);
}

static void
crud_detail(struct la_crud *x, unsigned m)
{
	switch (m) {
	case LA_M_GET:
		crud_get(x);
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
la_handler_crud(struct la_req *r)
{
	struct la_crud x;

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.ctx = r->ctx;
	x.cat = r->ctx->cat;
	x.t = r->route->t;
	x.cols = la_catalog_cols(x.cat, x.t);
	if (la_ctx_db(r->ctx) != 0) {
		la_resp_fail(&r->resp, LA_ERR_UNAVAILABLE,
		    "database unavailable");
		return;
	}
	/* Before the body or any row: a scope that cannot be resolved
	 * refuses the request rather than run it unscoped. */
	if (la_scope_resolve(r, x.cat, x.t, r->verb, &x.scope) != 0)
		return;
	if (r->id != NULL) {
		crud_key(&x, r->id, r->id_len);
		crud_detail(&x, r->verb);
	} else if (r->verb == LA_M_GET)
		la_handler_list(&x);
	else
		crud_create(&x);
}
