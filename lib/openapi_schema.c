/*
 * OpenAPI schemas (see openapi_int.h): a column as a JSON Schema with its
 * type, format, nullability and constraints; what a client reads and what
 * it sends per verb, following validate.c; the list envelopes of
 * handler_list.c; and the {"detail"} error components.
 */
#include "openapi_int.h"

/* Decimals go out in plain notation; in, Python's Decimal() syntax. */
static const char oa_dec_out[] = "^-?[0-9]+(\\.[0-9]+)?$";
static const char oa_dec_in[] =
    "^\\s*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*$";
static const char oa_time[] = "^[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?$";

void
la_openapi_schema_ref(struct oa *x, const char *k, const char *name,
    const char *suffix)
{
	struct la_buf n;

	la_buf_init(&n);
	la_buf_printf(&n, "%s%s", name, suffix);
	oa_ref(x->b, k, "schemas", n.data);
	la_buf_free(&n);
}

/* ---- column schemas ----------------------------------------------------- */

static const char *
oa_json_type(enum la_type t)
{
	switch (t) {
	case LA_T_INT:
		return ("integer");
	case LA_T_FLOAT:
		return ("number");
	case LA_T_BOOL:
		return ("boolean");
	case LA_T_JSON:
		return (NULL); /* any JSON value */
	default:
		return ("string");
	}
}

static const char *
oa_format(enum la_type t)
{
	switch (t) {
	case LA_T_INT:
		return ("int64");
	case LA_T_FLOAT:
		return ("double");
	case LA_T_DATETIME:
		return ("date-time");
	case LA_T_DATE:
		return ("date");
	case LA_T_UUID:
		return ("uuid");
	default:
		return (NULL);
	}
}

static int
oa_is_text(enum la_type t)
{
	return (t == LA_T_STR || t == LA_T_TEXT || t == LA_T_ANY);
}

static void
oa_type(struct la_buf *b, enum la_type t, int nullable)
{
	const char *jt = oa_json_type(t);

	if (jt == NULL)
		return;
	if (!nullable) {
		oa_str(b, "type", jt);
		return;
	}
	oa_arr(b, "type");
	oa_elem(b, jt);
	oa_elem(b, "null");
	oa_end(b, ']');
}

static void
oa_description(struct oa *x, const struct la_cat_col *col, enum la_type t)
{
	const char *d = la_catalog_str(x->c, col->description);
	const char *fkt = la_catalog_str(x->c, col->fk_table);
	const char *fkc = la_catalog_str(x->c, col->fk_col);
	struct la_buf s;

	la_buf_init(&s);
	if (d != NULL)
		la_buf_puts(&s, d);
	if (fkt != NULL)
		la_buf_printf(&s, "%sReferences %s.%s.", s.len ? " " : "", fkt,
		    fkc != NULL ? fkc : "id");
	if (t == LA_T_DATETIME)
		la_buf_printf(&s, "%sUTC; written without an offset.",
		    s.len ? " " : "");
	if (s.len > 0)
		oa_str(x->b, "description", s.data);
	la_buf_free(&s);
}

static void
oa_constraints(struct oa *x, const struct la_cat_col *col, enum la_type t,
    enum oa_mode mode)
{
	struct la_buf *b = x->b;
	const char *pat = la_catalog_str(x->c, col->pattern);

	if (t == LA_T_DECIMAL)
		oa_str(b, "pattern", mode == OA_READ ? oa_dec_out : oa_dec_in);
	else if (t == LA_T_TIME)
		oa_str(b, "pattern", oa_time);
	if (oa_is_text(t)) {
		if (col->min_length >= 0)
			oa_int(b, "minLength", col->min_length);
		if (col->max_length >= 0)
			oa_int(b, "maxLength", col->max_length);
		if (pat != NULL)
			oa_str(b, "pattern", pat);
	}
	/* Decimal bounds are on the number the string holds: JSON Schema
	 * ignores them on a string, readers do not. */
	if (col->flags & LA_COL_GT)
		oa_num(b, "exclusiveMinimum", col->gt);
	if (col->flags & LA_COL_GE)
		oa_num(b, "minimum", col->ge);
	if (col->flags & LA_COL_LT)
		oa_num(b, "exclusiveMaximum", col->lt);
	if (col->flags & LA_COL_LE)
		oa_num(b, "maximum", col->le);
}

/* The schema of a column as member k (a query value: a bare type). */
void
la_openapi_column_as(struct oa *x, const struct la_cat_col *col,
    enum oa_mode mode, const char *k)
{
	struct la_buf *b = x->b;
	enum la_type t = (enum la_type)col->type;
	const char *f = oa_format(t);

	oa_obj(b, k);
	oa_type(b, t, mode != OA_QUERY && (col->flags & LA_COL_NULLABLE));
	if (f != NULL)
		oa_str(b, "format", f);
	if (mode == OA_QUERY) {
		if (t == LA_T_DECIMAL)
			oa_str(b, "pattern", oa_dec_in);
		oa_end(b, '}');
		return;
	}
	oa_constraints(x, col, t, mode);
	/* A default fills an omitted field on POST and PUT, never on PATCH. */
	if ((col->flags & LA_COL_DEFAULT) && col->dflt != 0 &&
	    (mode == OA_CREATE || mode == OA_REPLACE))
		oa_raw(b, "default", la_catalog_str(x->c, col->dflt));
	if (mode == OA_READ && (col->flags & LA_COL_AUTO))
		oa_raw(b, "readOnly", "true");
	oa_description(x, col, t);
	oa_end(b, '}');
}

void
la_openapi_column(struct oa *x, const struct la_cat_col *col, enum oa_mode mode)
{
	la_openapi_column_as(x, col, mode,
	    mode == OA_QUERY ? "schema" : la_catalog_str(x->c, col->name));
}

/* Whether column i is shown by a serializer list (n == 0: all are). */
static int
oa_shown(struct oa *x, struct la_cat_list l, uint32_t i)
{
	const uint16_t *idx = la_catalog_list(x->c, l);
	uint32_t k;

	if (l.n == 0)
		return (1);
	for (k = 0; k < l.n; k++)
		if (idx[k] == i)
			return (1);
	return (0);
}

/* Rows as read: every shown column is always present, null or not. */
static void
oa_read_schema(struct oa *x, const struct la_cat_table *t, const char *name,
    struct la_cat_list proj)
{
	const struct la_cat_col *cols = la_catalog_cols(x->c, t);
	struct la_buf *b = x->b;
	uint32_t i;

	oa_obj(b, name);
	oa_str(b, "type", "object");
	oa_obj(b, "properties");
	for (i = 0; i < t->ncols; i++)
		if (oa_shown(x, proj, i))
			la_openapi_column(x, &cols[i], OA_READ);
	oa_end(b, '}');
	oa_arr(b, "required");
	for (i = 0; i < t->ncols; i++)
		if (oa_shown(x, proj, i))
			oa_elem(b, la_catalog_str(x->c, cols[i].name));
	oa_end(b, ']');
	oa_end(b, '}');
}

/* As validate_absent() decides: a field may be left out when it is
 * nullable or has a default of its own or of the database. */
static int
oa_required(const struct la_cat_col *col, enum oa_mode mode)
{
	if (mode == OA_PATCH)
		return (0);
	return (!(col->flags &
	          (LA_COL_NULLABLE | LA_COL_DEFAULT | LA_COL_DBDEFAULT)));
}

static void
oa_version(struct oa *x)
{
	oa_obj(x->b, "version");
	oa_str(x->b, "type", "integer");
	oa_str(x->b, "format", "int64");
	oa_str(x->b, "description",
	    "The row's current version (optimistic locking): a stale one "
	    "gets 409.");
	oa_end(x->b, '}');
}

static void
oa_write_schema(struct oa *x, const struct la_cat_table *t, const char *name,
    enum oa_mode mode)
{
	const struct la_cat_col *cols = la_catalog_cols(x->c, t);
	struct la_buf *b = x->b;
	int versioned = mode != OA_CREATE && t->version >= 0;
	uint32_t i;
	size_t n = 0;

	oa_obj(b, name);
	oa_str(b, "type", "object");
	oa_obj(b, "properties");
	for (i = 0; i < t->ncols; i++)
		if (!(cols[i].flags & LA_COL_AUTO))
			la_openapi_column(x, &cols[i], mode);
	if (versioned)
		oa_version(x);
	oa_end(b, '}');
	for (i = 0; i < t->ncols; i++)
		if (!(cols[i].flags & LA_COL_AUTO) &&
		    oa_required(&cols[i], mode))
			n++;
	if (n > 0 || versioned) {
		oa_arr(b, "required");
		for (i = 0; i < t->ncols; i++)
			if (!(cols[i].flags & LA_COL_AUTO) &&
			    oa_required(&cols[i], mode))
				oa_elem(b, la_catalog_str(x->c, cols[i].name));
		if (versioned)
			oa_elem(b, "version");
		oa_end(b, ']');
	}
	oa_end(b, '}');
}

static void
oa_nullable_string(struct la_buf *b, const char *k, const char *format)
{
	oa_obj(b, k);
	oa_raw(b, "type", "[\"string\",\"null\"]");
	if (format != NULL)
		oa_str(b, "format", format);
	oa_end(b, '}');
}

/* The list envelope of the endpoint's pagination style. */
static void
oa_list_schema(struct oa *x, const struct la_cat_table *t, const char *name)
{
	struct la_buf *b = x->b;
	struct la_buf n;
	int links = t->page_style == LA_PAGE_NUMBER;
	int pages = links && t->count_mode != LA_COUNT_NONE;
	int cursor = t->page_style == LA_PAGE_CURSOR && t->pk >= 0;

	la_buf_init(&n);
	la_buf_printf(&n, "%s.List", name);
	oa_obj(b, n.data);
	oa_str(b, "type", "object");
	oa_obj(b, "properties");
	if (pages) {
		oa_obj(b, "count");
		oa_str(b, "type", "integer");
		oa_end(b, '}');
		oa_obj(b, "pages");
		oa_str(b, "type", "integer");
		oa_end(b, '}');
	}
	if (links || cursor) {
		oa_nullable_string(b, "next", links ? "uri" : NULL);
		oa_nullable_string(b, "previous", links ? "uri" : NULL);
	}
	oa_obj(b, "results");
	oa_str(b, "type", "array");
	la_openapi_schema_ref(x, "items", name, "");
	oa_end(b, '}');
	oa_end(b, '}');
	oa_arr(b, "required");
	if (pages) {
		oa_elem(b, "count");
		oa_elem(b, "pages");
	}
	if (links || cursor) {
		oa_elem(b, "next");
		oa_elem(b, "previous");
	}
	oa_elem(b, "results");
	oa_end(b, ']');
	oa_end(b, '}');
	la_buf_free(&n);
}

int
la_openapi_same_list(struct oa *x, struct la_cat_list a, struct la_cat_list b)
{
	return (a.n == b.n && (a.n == 0 || memcmp(la_catalog_list(x->c, a),
	                                       la_catalog_list(x->c, b),
	                                       a.n * sizeof(uint16_t)) == 0));
}

void
la_openapi_table_schemas(struct oa *x, const struct la_cat_table *t,
    const char *name)
{
	struct la_buf n;

	la_buf_init(&n);
	oa_read_schema(x, t, name, t->ser_read);
	if (t->methods & LA_M_GET)
		oa_list_schema(x, t, name);
	if ((t->methods & (LA_M_POST | LA_M_PUT | LA_M_PATCH)) &&
	    !la_openapi_same_list(x, t->ser_read, t->ser_write)) {
		la_buf_printf(&n, "%s.Written", name);
		oa_read_schema(x, t, n.data, t->ser_write);
	}
	if (t->methods & LA_M_POST) {
		la_buf_reset(&n);
		la_buf_printf(&n, "%s.Create", name);
		oa_write_schema(x, t, n.data, OA_CREATE);
	}
	if ((t->methods & LA_M_PUT) && t->pk >= 0) {
		la_buf_reset(&n);
		la_buf_printf(&n, "%s.Replace", name);
		oa_write_schema(x, t, n.data, OA_REPLACE);
	}
	if ((t->methods & LA_M_PATCH) && t->pk >= 0) {
		la_buf_reset(&n);
		la_buf_printf(&n, "%s.Update", name);
		oa_write_schema(x, t, n.data, OA_PATCH);
	}
	la_buf_free(&n);
}

/* ---- shared components -------------------------------------------------- */

/* Written after the paths, so x->errors tells which are referenced. */
void
la_openapi_error_schemas(struct oa *x, unsigned error_schema,
    unsigned validation)
{
	struct la_buf *b = x->b;

	if (!error_schema)
		goto validation;
	oa_obj(b, "Error");
	oa_str(b, "type", "object");
	oa_raw(b, "properties", "{\"detail\":{\"type\":\"string\"}}");
	oa_raw(b, "required", "[\"detail\"]");
	oa_end(b, '}');
validation:
	if (!validation)
		return;
	oa_obj(b, "ValidationErrorItem");
	oa_str(b, "type", "object");
	oa_str(b, "description",
	    "One failing field or query parameter, as Pydantic v2 reports "
	    "it.");
	oa_raw(b, "properties",
	    "{\"type\":{\"type\":\"string\",\"description\":\"missing, "
	    "string_too_short, int_parsing, ...\"},"
	    "\"loc\":{\"type\":\"array\",\"items\":{\"type\":[\"string\","
	    "\"integer\"]}},"
	    "\"msg\":{\"type\":\"string\"},"
	    "\"input\":{\"description\":\"the value sent\"},"
	    "\"ctx\":{\"type\":\"object\",\"description\":\"the bound or "
	    "pattern that failed\"}}");
	oa_raw(b, "required", "[\"type\",\"loc\",\"msg\"]");
	oa_end(b, '}');
	oa_obj(b, "ValidationError");
	oa_str(b, "type", "object");
	oa_raw(b, "properties",
	    "{\"detail\":{\"type\":\"array\",\"items\":{\"$ref\":"
	    "\"#/components/schemas/ValidationErrorItem\"}}}");
	oa_raw(b, "required", "[\"detail\"]");
	oa_end(b, '}');
}

const struct la_openapi_err la_openapi_errors[] = {
    {"BadRequest", "400",
        "The body is not a JSON object, or the query string does not "
        "decode.",
        "Error"},
    {"Unauthorized", "401",
        "Credentials are missing or invalid (WWW-Authenticate names the "
        "scheme).",
        "Error"},
    {"Forbidden", "403", "The credentials do not grant this permission.",
        "Error"},
    {"NotFound", "404", "No such row.", "Error"},
    {"Conflict", "409",
        "A stale version, or a unique, foreign key, not-null or check "
        "constraint of the database.",
        "Error"},
    {"PreconditionFailed", "412",
        "If-Match does not match the row's current ETag.", "Error"},
    {"PayloadTooLarge", "413", "The body is larger than the server takes.",
        "Error"},
    {"ValidationError", "422", "Validation failed; one item per field.",
        "ValidationError"},
    {"TooManyRequests", "429",
        "Rate limited; Retry-After says when to try again.", "Error"},
    {"Unavailable", "503", "The database is unavailable.", "Error"},
};
const size_t la_openapi_nerrors = LA_NELEM(la_openapi_errors);


void
la_openapi_error_responses(struct oa *x)
{
	struct la_buf *b = x->b;
	size_t i;

	/* Only those referenced: an unused component is a lint warning. */
	for (i = 0; i < la_openapi_nerrors; i++) {
		if (!(x->errors & (1u << i)))
			continue;
		oa_obj(b, la_openapi_errors[i].name);
		oa_str(b, "description", la_openapi_errors[i].description);
		oa_obj(b, "content");
		oa_obj(b, "application/json");
		oa_ref(b, "schema", "schemas", la_openapi_errors[i].schema);
		oa_end(b, '}');
		oa_end(b, '}');
		oa_end(b, '}');
	}
}

/* An error response of an operation, by status. */
void
la_openapi_error(struct oa *x, const char *status)
{
	size_t i;

	for (i = 0; i < la_openapi_nerrors; i++)
		if (strcmp(la_openapi_errors[i].status, status) == 0) {
			oa_ref(x->b, status, "responses",
			    la_openapi_errors[i].name);
			x->errors |= 1u << i;
		}
}
