/*
 * OpenAPI 3.1 from the catalog (see openapi.h). The document states what
 * the handlers really do, so each rule here mirrors one elsewhere: which
 * body fields are required follows validate.c, the list parameters and
 * their lookups follow query.c, the list envelopes handler_list.c, and
 * the security of an operation the per-verb resolution of gen_auth.c as
 * auth.c applies it.
 *
 * The JSON is written by hand into one buffer: a comma goes before a
 * member or element unless it opens its object or array, which is read
 * off the last byte written.
 */
#include "openapi_int.h"
#include "xalloc.h"

/* ---- names -------------------------------------------------------------- */

/*
 * "/api/books" → "api_books": component names allow [A-Za-z0-9._-] only.
 * Two routes that come out alike ("/a/b", "/a_b") are told apart by the
 * catalog index, so names stay unique and stable for one configuration.
 */
static char *
oa_name(struct oa *x, size_t ti, const char *route)
{
	struct la_buf n;
	const char *p = route[0] == '/' ? route + 1 : route;
	size_t i;

	la_buf_init(&n);
	for (; *p != '\0'; p++)
		la_buf_putc(&n,
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'
		        ? *p
		        : '_');
	if (n.len == 0)
		la_buf_puts(&n, "root");
	for (i = 0; i < ti; i++)
		if (x->names[i] != NULL && strcmp(x->names[i], n.data) == 0) {
			la_buf_printf(&n, "_%zu", ti);
			break;
		}
	return (n.data);
}


/* ---- operations --------------------------------------------------------- */

static const char *
oa_scheme_name(uint32_t backend)
{
	return (backend == LA_AUTH_BASIC ? "basicAuth" : "bearerAuth");
}

/* ---- row scoping -------------------------------------------------------- */

/* 1 when verb's scope reads a claim, which the caller's credentials may
 * lack (403). */
static int
oa_scope_claims(struct oa *x, const struct la_cat_table *t, unsigned verb)
{
	const struct la_cat_scope *sc;
	size_t n, i;

	sc = la_catalog_scope(x->c, t, &n);
	for (i = 0; i < n; i++)
		if ((sc[i].verbs & verb) && sc[i].src == LA_SCOPE_CLAIM)
			return (1);
	return (0);
}

static void
oa_scope_list(struct oa *x, const struct la_cat_table *t, unsigned verb,
    int kind, const char *head, struct la_buf *d)
{
	const struct la_cat_col *cols = la_catalog_cols(x->c, t);
	const struct la_cat_scope *sc;
	size_t n, i;
	int k = 0;

	sc = la_catalog_scope(x->c, t, &n);
	for (i = 0; i < n; i++) {
		if (!(sc[i].verbs & verb) || sc[i].kind != kind)
			continue;
		la_buf_puts(d, k++ ? ", " : head);
		la_buf_printf(d,
		    "%s = ", la_catalog_str(x->c, cols[sc[i].col].name));
		if (sc[i].src == LA_SCOPE_NULL)
			la_buf_puts(d, "null");
		else {
			la_buf_puts(d, sc[i].src == LA_SCOPE_CLAIM
			                   ? "the caller's claim '"
			                   : "'");
			la_buf_puts(d, la_catalog_str(x->c, sc[i].value));
			la_buf_putc(d, '\'');
		}
	}
	if (k > 0)
		la_buf_puts(d, ". ");
}

/* meta.where and meta.set of the operation, in words. */
static void
oa_scope(struct oa *x, const struct la_cat_table *t, unsigned verb)
{
	struct la_buf d;

	la_buf_init(&d);
	oa_scope_list(x, t, verb, LA_SCOPE_WHERE, "Only the rows where ", &d);
	oa_scope_list(x, t, verb, LA_SCOPE_SET,
	    "Set by the server, whatever the body says: ", &d);
	if (d.len > 0) {
		d.data[--d.len] = '\0';
		oa_str(x->b, "description", d.data);
	}
	la_buf_free(&d);
}

/*
 * As auth.c applies it: with a backend, AllowAny still checks credentials
 * that are sent (optional security, "{}" first), any other permission
 * needs them; IsAdminUser can also refuse valid ones.
 */
static void
oa_security(struct oa *x, const struct la_cat_table *t, unsigned verb)
{
	const struct la_cat_auth *au = la_catalog_auth(x->c, t);
	struct la_buf *b = x->b;
	int vi = la_verb_index(verb);

	oa_scope(x, t, verb);
	/* Open: said explicitly, so that no operation is left unsaid. */
	if (au == NULL || vi < 0 || au->backend[vi] == LA_AUTH_NONE) {
		oa_raw(b, "security", "[]");
		return;
	}
	oa_arr(b, "security");
	if (au->permission[vi] == LA_PERM_ALLOWANY) {
		oa_sep(b);
		la_buf_puts(b, "{}");
	}
	oa_sep(b);
	la_buf_putc(b, '{');
	oa_arr(b, oa_scheme_name(au->backend[vi]));
	oa_end(b, ']');
	oa_end(b, '}');
	oa_end(b, ']');
}

/* Whether some relation ?expand= may name leads to an endpoint whose
 * GET wants credentials: expanding it without them is a 403. */
static int
oa_expand_forbids(struct oa *x, const struct la_cat_table *t)
{
	const char *s = la_catalog_str(x->c, t->expand), *c;
	const struct la_cat_auth *au;
	int vi = la_verb_index(LA_M_GET);
	struct la_cat_rel rel;
	size_t n;

	for (; s != NULL && *s != '\0'; s = *c ? c + 1 : c) {
		c = strchr(s, ',');
		if (c == NULL)
			c = s + strlen(s);
		n = (size_t)(c - s);
		if (la_catalog_relation(x->c, t, s, n, &rel) == 0 &&
		    (au = la_catalog_auth(x->c, rel.tt)) != NULL &&
		    au->backend[vi] != LA_AUTH_NONE)
			return (1);
	}
	return (0);
}

static void
oa_auth_errors(struct oa *x, const struct la_cat_table *t, unsigned verb)
{
	const struct la_cat_auth *au = la_catalog_auth(x->c, t);
	int vi = la_verb_index(verb);
	int own = au != NULL && vi >= 0 && au->backend[vi] != LA_AUTH_NONE;

	if (own)
		la_openapi_error(x, "401");
	if ((own && (au->permission[vi] == LA_PERM_ADMIN ||
	                oa_scope_claims(x, t, verb))) ||
	    (verb == LA_M_GET && oa_expand_forbids(x, t)))
		la_openapi_error(x, "403");
}

static void
oa_json_body(struct oa *x, const char *name, const char *suffix)
{
	struct la_buf *b = x->b;

	oa_obj(b, "content");
	oa_obj(b, "application/json");
	la_openapi_schema_ref(x, "schema", name, suffix);
	oa_end(b, '}');
	oa_end(b, '}');
}

static void
oa_success(struct oa *x, const char *status, const char *desc, const char *name,
    const char *suffix)
{
	struct la_buf *b = x->b;

	oa_obj(b, status);
	oa_str(b, "description", desc);
	if (name != NULL)
		oa_json_body(x, name, suffix);
	oa_end(b, '}');
}

static void
oa_request_body(struct oa *x, const char *name, const char *suffix)
{
	oa_obj(x->b, "requestBody");
	oa_raw(x->b, "required", "true");
	oa_json_body(x, name, suffix);
	oa_end(x->b, '}');
}

static void
oa_op_head(struct oa *x, const char *verb, const char *prefix, const char *name,
    const char *summary, const char *route)
{
	struct la_buf *b = x->b;
	struct la_buf s;

	la_buf_init(&s);
	oa_obj(b, verb);
	la_buf_printf(&s, "%s_%s", prefix, name);
	oa_str(b, "operationId", s.data);
	la_buf_reset(&s);
	la_buf_printf(&s, "%s %s", summary, route);
	oa_str(b, "summary", s.data);
	oa_arr(b, "tags");
	oa_elem(b, route);
	oa_end(b, ']');
	la_buf_free(&s);
}

static void
oa_param(struct la_buf *b, const char *name, const char *in, const char *desc)
{
	oa_obj(b, NULL);
	oa_str(b, "name", name);
	oa_str(b, "in", in);
	if (strcmp(in, "path") == 0)
		oa_raw(b, "required", "true");
	if (desc != NULL)
		oa_str(b, "description", desc);
}

static void
oa_param_simple(struct la_buf *b, const char *name, const char *desc,
    const char *schema)
{
	oa_param(b, name, "query", desc);
	oa_raw(b, "schema", schema);
	oa_end(b, '}');
}

static const char *const oa_typed_lookups[] = {"gt", "gte", "lt", "lte", "ne"};
static const char *const oa_text_lookups[] = {"contains", "icontains",
    "startswith"};

/* A filter field: exact match, then each lookup query.c reads. */
static void
oa_filter_params(struct oa *x, const struct la_cat_col *col)
{
	struct la_buf *b = x->b;
	const char *n = la_catalog_str(x->c, col->name);
	struct la_buf p, d;
	size_t i;

	la_buf_init(&p);
	la_buf_init(&d);
	la_buf_printf(&d, "%s equals the value", n);
	oa_param(b, n, "query", d.data);
	la_openapi_column(x, col, OA_QUERY);
	oa_end(b, '}');
	for (i = 0; i < LA_NELEM(oa_typed_lookups); i++) {
		la_buf_reset(&p);
		la_buf_reset(&d);
		la_buf_printf(&p, "%s__%s", n, oa_typed_lookups[i]);
		la_buf_printf(&d, "%s %s the value", n,
		    (const char *[]){"is greater than",
		        "is greater than or equal to", "is less than",
		        "is less than or equal to", "differs from"}[i]);
		oa_param(b, p.data, "query", d.data);
		la_openapi_column(x, col, OA_QUERY);
		oa_end(b, '}');
	}
	la_buf_reset(&p);
	la_buf_reset(&d);
	la_buf_printf(&p, "%s__in", n);
	la_buf_printf(&d, "%s is one of the values, comma-separated", n);
	oa_param(b, p.data, "query", d.data);
	oa_str(b, "style", "form");
	oa_raw(b, "explode", "false");
	oa_obj(b, "schema");
	oa_str(b, "type", "array");
	la_openapi_column_as(x, col, OA_QUERY, "items");
	oa_end(b, '}');
	oa_end(b, '}');
	la_buf_reset(&p);
	la_buf_printf(&p, "%s__isnull", n);
	oa_param_simple(b, p.data, "true: the value is null; false: it is not",
	    "{\"type\":\"boolean\"}");
	for (i = 0; i < LA_NELEM(oa_text_lookups); i++) {
		la_buf_reset(&p);
		la_buf_reset(&d);
		la_buf_printf(&p, "%s__%s", n, oa_text_lookups[i]);
		la_buf_printf(&d, "%s as text %s", n,
		    (const char *[]){"contains the value",
		        "contains the value, ignoring case",
		        "starts with the value"}[i]);
		oa_param_simple(b, p.data, d.data, "{\"type\":\"string\"}");
	}
	la_buf_free(&p);
	la_buf_free(&d);
}

/* ?expand=: the relations meta.expand allows, comma-separated. */
static void
oa_expand_param(struct oa *x, const struct la_cat_table *t)
{
	const char *s = la_catalog_str(x->c, t->expand), *c;
	struct la_buf *b = x->b, n;

	if (s == NULL || *s == '\0')
		return;
	la_buf_init(&n);
	oa_param(b, "expand", "query",
	    "Related rows to embed, comma-separated: a foreign key's row "
	    "(NAME for NAME_id) or the rows of endpoint NAME that point here");
	oa_str(b, "style", "form");
	oa_raw(b, "explode", "false");
	oa_obj(b, "schema");
	oa_str(b, "type", "array");
	oa_obj(b, "items");
	oa_str(b, "type", "string");
	oa_arr(b, "enum");
	for (; s != NULL; s = c != NULL ? c + 1 : NULL) {
		c = strchr(s, ',');
		la_buf_reset(&n);
		la_buf_append(&n, s, c != NULL ? (size_t)(c - s) : strlen(s));
		oa_elem(b, n.data);
	}
	oa_end(b, ']');
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
	la_buf_free(&n);
}

static void
oa_list_params(struct oa *x, const struct la_cat_table *t)
{
	const struct la_cat_col *cols = la_catalog_cols(x->c, t);
	const uint16_t *idx;
	struct la_buf *b = x->b;
	struct la_buf d;
	uint32_t i;
	int max = t->max_page_size > 0 ? t->max_page_size : 100;

	la_buf_init(&d);
	oa_arr(b, "parameters");
	idx = la_catalog_list(x->c, t->filter);
	for (i = 0; i < t->filter.n; i++)
		oa_filter_params(x, &cols[idx[i]]);
	if (t->search.n > 0) {
		idx = la_catalog_list(x->c, t->search);
		la_buf_puts(&d, "Rows where any of ");
		for (i = 0; i < t->search.n; i++)
			la_buf_printf(&d, "%s%s", i ? ", " : "",
			    la_catalog_str(x->c, cols[idx[i]].name));
		la_buf_puts(&d, " contains the term, ignoring case");
		oa_param_simple(b, "search", d.data, "{\"type\":\"string\"}");
	}
	if (t->ordering.n > 0) {
		idx = la_catalog_list(x->c, t->ordering);
		oa_param(b, "ordering", "query",
		    "Fields to sort by, comma-separated; '-' sorts "
		    "descending. Ties are broken by the primary key.");
		oa_str(b, "style", "form");
		oa_raw(b, "explode", "false");
		oa_obj(b, "schema");
		oa_str(b, "type", "array");
		oa_obj(b, "items");
		oa_str(b, "type", "string");
		oa_arr(b, "enum");
		for (i = 0; i < t->ordering.n; i++) {
			la_buf_reset(&d);
			la_buf_printf(&d, "%s",
			    la_catalog_str(x->c, cols[idx[i]].name));
			oa_elem(b, d.data);
			la_buf_reset(&d);
			la_buf_printf(&d, "-%s",
			    la_catalog_str(x->c, cols[idx[i]].name));
			oa_elem(b, d.data);
		}
		oa_end(b, ']');
		oa_end(b, '}');
		oa_end(b, '}');
		oa_end(b, '}');
	}
	oa_expand_param(x, t);
	if (t->page_style == LA_PAGE_NUMBER)
		oa_param_simple(b, "page", "1-based page number",
		    "{\"type\":\"integer\",\"minimum\":1,\"default\":1}");
	if (t->page_style == LA_PAGE_CURSOR && t->pk >= 0)
		oa_param_simple(b, "cursor",
		    "The next or previous cursor of a page",
		    "{\"type\":\"string\"}");
	if (t->page_style == LA_PAGE_NUMBER ||
	    (t->page_style == LA_PAGE_CURSOR && t->pk >= 0)) {
		oa_param(b, "page_size", "query", NULL);
		la_buf_reset(&d);
		la_buf_printf(&d, "Rows per page; more than %d is taken as %d",
		    max, max);
		oa_str(b, "description", d.data);
		oa_obj(b, "schema");
		oa_str(b, "type", "integer");
		oa_int(b, "minimum", 1);
		if (t->page_size > 0)
			oa_int(b, "default", t->page_size);
		oa_end(b, '}');
		oa_end(b, '}');
	}
	oa_end(b, ']');
	la_buf_free(&d);
}

static void
oa_common_errors(struct oa *x, const struct la_cat_table *t, unsigned verb)
{
	oa_auth_errors(x, t, verb);
	if (x->oc->rate_limited)
		la_openapi_error(x, "429");
	la_openapi_error(x, "503");
}

static void
oa_write_errors(struct oa *x)
{
	la_openapi_error(x, "400");
	la_openapi_error(x, "409");
	la_openapi_error(x, "413");
	la_openapi_error(x, "422");
}

static void
oa_collection(struct oa *x, const struct la_cat_table *t, const char *name,
    const char *route)
{
	struct la_buf *b = x->b;
	int written = !la_openapi_same_list(x, t->ser_read, t->ser_write);

	oa_obj(b, route);
	if (t->methods & LA_M_GET) {
		oa_op_head(x, "get", "list", name, "List", route);
		oa_security(x, t, LA_M_GET);
		oa_list_params(x, t);
		oa_obj(b, "responses");
		oa_success(x, "200", "The rows, in the endpoint's envelope",
		    name, ".List");
		la_openapi_error(x, "400");
		/* Only a parameter read can fail validation. */
		if (t->filter.n || t->search.n || t->ordering.n ||
		    t->page_style != LA_PAGE_NONE || t->expand != 0)
			la_openapi_error(x, "422");
		oa_common_errors(x, t, LA_M_GET);
		oa_end(b, '}');
		oa_end(b, '}');
	}
	if (t->methods & LA_M_POST) {
		oa_op_head(x, "post", "create", name, "Create a row of", route);
		oa_security(x, t, LA_M_POST);
		oa_request_body(x, name, ".Create");
		oa_obj(b, "responses");
		oa_success(x, "201", "The row as stored", name,
		    written ? ".Written" : "");
		oa_write_errors(x);
		oa_common_errors(x, t, LA_M_POST);
		oa_end(b, '}');
		oa_end(b, '}');
	}
	oa_end(b, '}');
}

static void
oa_id_param(struct oa *x, const struct la_cat_table *t)
{
	const struct la_cat_col *pk = &la_catalog_cols(x->c, t)[t->pk];
	struct la_buf d;

	la_buf_init(&d);
	la_buf_printf(&d, "The row's %s", la_catalog_str(x->c, pk->name));
	oa_arr(x->b, "parameters");
	oa_param(x->b, "id", "path", d.data);
	la_openapi_column(x, pk, OA_QUERY);
	oa_end(x->b, '}');
	oa_end(x->b, ']');
	la_buf_free(&d);
}

static void
oa_if_match(struct oa *x)
{
	if (!x->oc->etags)
		return;
	oa_arr(x->b, "parameters");
	oa_param(x->b, "If-Match", "header",
	    "The row's ETag, instead of the body's version");
	oa_raw(x->b, "schema", "{\"type\":\"string\"}");
	oa_end(x->b, '}');
	oa_end(x->b, ']');
}

static void
oa_update(struct oa *x, const struct la_cat_table *t, const char *name,
    unsigned verb)
{
	struct la_buf *b = x->b;
	int put = verb == LA_M_PUT;
	int written = !la_openapi_same_list(x, t->ser_read, t->ser_write);

	oa_op_head(x, put ? "put" : "patch", put ? "replace" : "update", name,
	    put ? "Replace a row of" : "Update fields of a row of",
	    la_catalog_str(x->c, t->route));
	oa_security(x, t, verb);
	oa_if_match(x);
	oa_request_body(x, name, put ? ".Replace" : ".Update");
	oa_obj(b, "responses");
	oa_success(x, "200", "The row as stored", name,
	    written ? ".Written" : "");
	la_openapi_error(x, "404");
	oa_write_errors(x);
	if (x->oc->etags)
		la_openapi_error(x, "412");
	oa_common_errors(x, t, verb);
	oa_end(b, '}');
	oa_end(b, '}');
}

static void
oa_detail(struct oa *x, const struct la_cat_table *t, const char *name,
    const char *route)
{
	struct la_buf *b = x->b;
	struct la_buf p;

	la_buf_init(&p);
	la_buf_printf(&p, "%s/{id}", route);
	oa_obj(b, p.data);
	oa_id_param(x, t);
	if (t->methods & LA_M_GET) {
		oa_op_head(x, "get", "retrieve", name, "Read a row of", route);
		oa_security(x, t, LA_M_GET);
		if (t->expand != 0) {
			oa_arr(b, "parameters");
			oa_expand_param(x, t);
			oa_end(b, ']');
		}
		oa_obj(b, "responses");
		oa_success(x, "200", "The row", name, "");
		la_openapi_error(x, "404");
		if (t->expand != 0)
			la_openapi_error(x, "422");
		oa_common_errors(x, t, LA_M_GET);
		oa_end(b, '}');
		oa_end(b, '}');
	}
	if (t->methods & LA_M_PUT)
		oa_update(x, t, name, LA_M_PUT);
	if (t->methods & LA_M_PATCH)
		oa_update(x, t, name, LA_M_PATCH);
	if (t->methods & LA_M_DELETE) {
		oa_op_head(x, "delete", "delete", name, "Delete a row of",
		    route);
		oa_security(x, t, LA_M_DELETE);
		oa_if_match(x);
		oa_obj(b, "responses");
		oa_success(x, "204", "Deleted", NULL, NULL);
		la_openapi_error(x, "404");
		la_openapi_error(x, "409");
		if (x->oc->etags)
			la_openapi_error(x, "412");
		oa_common_errors(x, t, LA_M_DELETE);
		oa_end(b, '}');
		oa_end(b, '}');
	}
	oa_end(b, '}');
	la_buf_free(&p);
}

/* ---- login -------------------------------------------------------------- */

static void
oa_login_path(struct oa *x, const char *tail)
{
	struct la_buf *b = x->b;
	struct la_buf p;

	la_buf_init(&p);
	la_buf_printf(&p, "%s/%s", x->oc->auth_path, tail);
	oa_obj(b, p.data);
	oa_obj(b, "post");
	oa_str(b, "operationId", tail);
	oa_str(b, "summary",
	    x->oc->login_token ? "Log in: a token and the user's claims"
	                       : "Log in: the user's claims");
	oa_str(b, "description",
	    "Credentials in the body, or in a Basic Authorization header "
	    "instead. Ten failures from one address within a minute lock it "
	    "out for the rest of that minute (429).");
	oa_raw(b, "tags", "[\"auth\"]");
	/* A Basic header replaces the body, so neither is required. */
	oa_raw(b, "security", "[{},{\"basicAuth\":[]}]");
	oa_obj(b, "requestBody");
	oa_raw(b, "required", "false");
	oa_obj(b, "content");
	oa_obj(b, "application/json");
	oa_ref(b, "schema", "schemas", "Login");
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
	oa_obj(b, "responses");
	oa_obj(b, "200");
	oa_str(b, "description", "Logged in");
	oa_obj(b, "content");
	oa_obj(b, "application/json");
	oa_ref(b, "schema", "schemas", "LoginResult");
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
	la_openapi_error(x, "400");
	oa_obj(b, "401");
	oa_str(b, "description", "Invalid credentials");
	oa_raw(b, "content",
	    "{\"application/json\":{\"schema\":{\"$ref\":"
	    "\"#/components/schemas/Error\"}}}");
	oa_end(b, '}');
	la_openapi_error(x, "422");
	la_openapi_error(x, "429");
	la_openapi_error(x, "503");
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
	la_buf_free(&p);
}

static void
oa_login_schemas(struct oa *x)
{
	struct la_buf *b = x->b;

	oa_obj(b, "Login");
	oa_str(b, "type", "object");
	oa_raw(b, "properties",
	    "{\"username\":{\"type\":\"string\",\"minLength\":1},"
	    "\"password\":{\"type\":\"string\",\"minLength\":1,"
	    "\"format\":\"password\"}}");
	oa_raw(b, "required", "[\"username\",\"password\"]");
	oa_end(b, '}');
	oa_obj(b, "LoginResult");
	oa_str(b, "type", "object");
	oa_obj(b, "properties");
	if (x->oc->login_token)
		oa_raw(b, "token",
		    "{\"type\":\"string\",\"description\":\"A JWT to send "
		    "as Authorization: Bearer\"}");
	oa_raw(b, "user",
	    "{\"type\":\"object\",\"description\":\"The user's "
	    "claims\"}");
	oa_end(b, '}');
	oa_raw(b, "required",
	    x->oc->login_token ? "[\"token\",\"user\"]" : "[\"user\"]");
	oa_end(b, '}');
}

/* ---- canned queries ----------------------------------------------------- */

/* What a query answers: rows as the statement names their columns, which
 * the server learns only when it runs, hence any object. */
static void
oa_query_answer(struct oa *x, const struct la_cat_table *t)
{
	struct la_buf *b = x->b;

	oa_obj(b, "200");
	oa_str(b, "description",
	    t->flags & LA_TBL_WRITE
	        ? "The rows the statement returns, or how many it changed"
	        : "The rows, keyed by the statement's column names");
	oa_obj(b, "content");
	oa_obj(b, "application/json");
	oa_obj(b, "schema");
	oa_str(b, "type", "object");
	oa_obj(b, "properties");
	oa_raw(b, "results",
	    "{\"type\":\"array\",\"items\":{\"type\":\"object\"}}");
	if (t->page_style == LA_PAGE_NUMBER) {
		oa_raw(b, "next", "{\"type\":[\"string\",\"null\"]}");
		oa_raw(b, "previous", "{\"type\":[\"string\",\"null\"]}");
	}
	if (t->flags & LA_TBL_WRITE)
		oa_raw(b, "rows_affected", "{\"type\":\"integer\"}");
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
}

static int
oa_query_required(const struct la_cat_col *c)
{
	return (!(c->flags & (LA_COL_NULLABLE | LA_COL_DEFAULT)));
}

static void
oa_query_params(struct oa *x, const struct la_cat_table *t)
{
	const struct la_cat_col *cols = la_catalog_cols(x->c, t);
	struct la_buf *b = x->b;
	uint32_t i;

	oa_arr(b, "parameters");
	for (i = 0; i < t->ncols; i++) {
		oa_param(b, la_catalog_str(x->c, cols[i].name), "query", NULL);
		if (oa_query_required(&cols[i]))
			oa_raw(b, "required", "true");
		la_openapi_column_as(x, &cols[i], OA_CREATE, "schema");
		oa_end(b, '}');
	}
	if (t->page_style == LA_PAGE_NUMBER) {
		oa_param_simple(b, "page", "Page number, from 1",
		    "{\"type\":\"integer\",\"minimum\":1}");
		oa_param_simple(b, "page_size", "Rows per page",
		    "{\"type\":\"integer\",\"minimum\":1}");
	}
	oa_end(b, ']');
}

static void
oa_query_body(struct oa *x, const struct la_cat_table *t)
{
	const struct la_cat_col *cols = la_catalog_cols(x->c, t);
	struct la_buf *b = x->b;
	uint32_t i;

	oa_obj(b, "requestBody");
	oa_raw(b, "required", "true");
	oa_obj(b, "content");
	oa_obj(b, "application/json");
	oa_obj(b, "schema");
	oa_str(b, "type", "object");
	oa_obj(b, "properties");
	for (i = 0; i < t->ncols; i++)
		la_openapi_column(x, &cols[i], OA_CREATE);
	oa_end(b, '}');
	oa_arr(b, "required");
	for (i = 0; i < t->ncols; i++)
		if (oa_query_required(&cols[i]))
			oa_elem(b, la_catalog_str(x->c, cols[i].name));
	oa_end(b, ']');
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
	oa_end(b, '}');
}

static void
oa_query_op(struct oa *x, const struct la_cat_table *t, unsigned verb,
    const char *name, const char *route)
{
	struct la_buf *b = x->b;

	oa_op_head(x, verb == LA_M_GET ? "get" : "post",
	    verb == LA_M_GET ? "query_get" : "query_post", name, "Run", route);
	oa_security(x, t, verb);
	if (verb == LA_M_GET)
		oa_query_params(x, t);
	else
		oa_query_body(x, t);
	oa_obj(b, "responses");
	oa_query_answer(x, t);
	oa_auth_errors(x, t, verb);
	la_openapi_error(x, "422");
	oa_end(b, '}');
	oa_end(b, '}');
}

/* The queries' paths; x->c is their catalog meanwhile, since the
 * helpers read columns, strings and authentication from it. */
static void
oa_queries(struct oa *x)
{
	const struct la_catalog *cat = x->c, *q = x->oc->queries;
	const struct la_cat_table *t;
	const char *route;
	char *name;
	size_t i;

	if (q == NULL)
		return;
	x->c = q;
	for (i = 0; i < q->ntables; i++) {
		t = la_catalog_table(q, i);
		route = la_catalog_str(q, t->route);
		name = oa_name(x, 0, route);
		oa_obj(x->b, route);
		if (t->methods & LA_M_GET)
			oa_query_op(x, t, LA_M_GET, name, route);
		if (t->methods & LA_M_POST)
			oa_query_op(x, t, LA_M_POST, name, route);
		oa_end(x->b, '}');
		free(name);
	}
	x->c = cat;
}

/* ---- the document ------------------------------------------------------- */

static int
oa_served(const struct la_cat_table *t)
{
	return (!(t->flags & LA_TBL_HIDDEN));
}

static int
oa_has_detail(const struct la_cat_table *t)
{
	return (t->pk >= 0 && (t->methods & (LA_M_GET | LA_M_PUT | LA_M_PATCH |
	                                        LA_M_DELETE)));
}

static void
oa_find_schemes_in(struct oa *x, const struct la_catalog *c)
{
	const struct la_cat_table *t;
	const struct la_cat_auth *au;
	size_t i;
	int v;

	for (i = 0; i < c->ntables; i++) {
		t = la_catalog_table(c, i);
		if (!oa_served(t) || (au = la_catalog_auth(c, t)) == NULL)
			continue;
		for (v = 0; v < LA_NVERBS; v++)
			if (t->methods & (1u << v))
				x->schemes |=
				    au->backend[v] == LA_AUTH_BASIC ? OA_BASIC
				    : au->backend[v] == LA_AUTH_JWT ? OA_BEARER
				                                    : 0;
	}
}

static void
oa_find_schemes(struct oa *x)
{
	if (x->oc->auth_path != NULL)
		x->schemes |= OA_BASIC;
	oa_find_schemes_in(x, x->c);
	if (x->oc->queries != NULL)
		oa_find_schemes_in(x, x->oc->queries);
}

static void
oa_paths(struct oa *x)
{
	const struct la_cat_table *t;
	const char *route;
	size_t i;

	oa_obj(x->b, "paths");
	for (i = 0; i < x->c->ntables; i++) {
		t = la_catalog_table(x->c, i);
		if (!oa_served(t))
			continue;
		route = la_catalog_str(x->c, t->route);
		if (t->methods & (LA_M_GET | LA_M_POST))
			oa_collection(x, t, x->names[i], route);
		if (oa_has_detail(t))
			oa_detail(x, t, x->names[i], route);
	}
	if (x->oc->auth_path != NULL) {
		oa_login_path(x, "login");
		oa_login_path(x, "token");
	}
	oa_queries(x);
	oa_end(x->b, '}');
}

static int
oa_uses_status(struct oa *x, const char *status)
{
	size_t i;

	for (i = 0; i < la_openapi_nerrors; i++)
		if (strcmp(la_openapi_errors[i].status, status) == 0)
			return ((x->errors & (1u << i)) != 0);
	return (0);
}

/* {"detail": text}: any error but 422, and login's own 401. */
static int
oa_uses_error(struct oa *x)
{
	size_t i;

	if (x->oc->auth_path != NULL)
		return (1);
	for (i = 0; i < la_openapi_nerrors; i++)
		if ((x->errors & (1u << i)) &&
		    strcmp(la_openapi_errors[i].status, "422") != 0)
			return (1);
	return (0);
}

static void
oa_components(struct oa *x)
{
	struct la_buf *b = x->b;
	size_t i;

	oa_obj(b, "components");
	oa_obj(b, "schemas");
	for (i = 0; i < x->c->ntables; i++)
		if (x->names[i] != NULL)
			la_openapi_table_schemas(x, la_catalog_table(x->c, i),
			    x->names[i]);
	la_openapi_error_schemas(x, oa_uses_error(x), oa_uses_status(x, "422"));
	if (x->oc->auth_path != NULL)
		oa_login_schemas(x);
	oa_end(b, '}');
	oa_obj(b, "responses");
	la_openapi_error_responses(x);
	oa_end(b, '}');
	if (x->schemes) {
		oa_obj(b, "securitySchemes");
		if (x->schemes & OA_BEARER)
			oa_raw(b, "bearerAuth",
			    "{\"type\":\"http\",\"scheme\":\"bearer\","
			    "\"bearerFormat\":\"JWT\"}");
		if (x->schemes & OA_BASIC)
			oa_raw(b, "basicAuth",
			    "{\"type\":\"http\",\"scheme\":\"basic\"}");
		oa_end(b, '}');
	}
	oa_end(b, '}');
}

void
la_openapi_write(const struct la_catalog *c, const struct la_openapi_conf *oc,
    struct la_buf *out)
{
	struct oa x;
	size_t i;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.oc = oc;
	x.b = out;
	x.names = la_xcalloc(c->ntables + 1, sizeof(*x.names));
	for (i = 0; i < c->ntables; i++)
		if (oa_served(la_catalog_table(c, i)))
			x.names[i] = oa_name(&x, i,
			    la_catalog_str(c, la_catalog_table(c, i)->route));
	oa_find_schemes(&x);
	oa_obj(out, NULL);
	oa_str(out, "openapi", "3.1.0");
	oa_obj(out, "info");
	oa_str(out, "title", oc->title != NULL ? oc->title : "LightAPI");
	oa_str(out, "version", oc->version != NULL ? oc->version : "0");
	oa_str(out, "description",
	    "Generated by lightapid from its configuration and the database "
	    "schema.");
	oa_end(out, '}');
	/* Relative: the document describes the server that serves it. */
	oa_raw(out, "servers", "[{\"url\":\"/\"}]");
	oa_paths(&x);
	oa_components(&x);
	oa_end(out, '}');
	for (i = 0; i < c->ntables; i++)
		free(x.names[i]);
	free(x.names);
}
