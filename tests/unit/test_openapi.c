/*
 * Unit tests for lib/openapi.c: the document of a catalog with a declared
 * endpoint under JWT with per-verb permissions, a reflected list-only
 * table, a cursor-paginated endpoint under Basic and a hidden users
 * table, parsed back with lib/json and checked member by member.
 */
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "catalog.h"
#include "json.h"
#include "openapi.h"
#include "tap.h"

static struct la_catalog *
build(void)
{
	struct la_catb *b = la_catb_new();
	struct la_catb_table t;
	struct la_col_def d, autos[4];
	struct la_cat_auth jwt, basic;
	const char *filter[] = {"year", "title"}, *search[] = {"title"};
	const char *ordering[] = {"year"},
	           *ser_read[] = {"title", "year", "price", "in_stock", "id",
	               "version"};
	size_t size;
	struct la_catalog *c;
	int i;

	memset(&jwt, 0, sizeof(jwt));
	for (i = 0; i < LA_NVERBS; i++) {
		jwt.backend[i] = LA_AUTH_JWT;
		jwt.permission[i] = LA_PERM_AUTHENTICATED;
	}
	jwt.permission[0] = LA_PERM_ALLOWANY; /* GET */
	jwt.permission[4] = LA_PERM_ADMIN;    /* DELETE */
	memset(&t, 0, sizeof(t));
	t.name = "books";
	t.route = "/api/books";
	t.methods = LA_M_CRUD;
	t.flags = LA_TBL_DECLARED;
	t.page_style = LA_PAGE_NUMBER;
	t.page_size = 20;
	t.max_page_size = 50;
	t.filter = filter;
	t.nfilter = 2;
	t.search = search;
	t.nsearch = 1;
	t.ordering = ordering;
	t.nordering = 1;
	t.ser_read = ser_read;
	t.nser_read = LA_NELEM(ser_read);
	t.auth = &jwt;
	la_catb_table(b, &t);
	la_col_def_init(&d, "title", LA_T_STR);
	d.min_length = 1;
	d.max_length = 200;
	d.pattern = "^[A-Z].*$";
	d.description = "The title";
	la_catb_column(b, &d);
	la_col_def_init(&d, "year", LA_T_INT);
	d.flags = LA_COL_NULLABLE | LA_COL_GE | LA_COL_LT;
	d.ge = 0;
	d.lt = 3000;
	la_catb_column(b, &d);
	la_col_def_init(&d, "price", LA_T_DECIMAL);
	d.flags = LA_COL_DEFAULT | LA_COL_GT;
	d.gt = 0.5;
	d.dflt = "\"0.00\"";
	d.decimal_places = 2;
	la_catb_column(b, &d);
	la_col_def_init(&d, "in_stock", LA_T_BOOL);
	d.flags = LA_COL_DEFAULT;
	d.dflt = "true";
	la_catb_column(b, &d);
	la_col_def_init(&d, "published", LA_T_DATETIME);
	la_catb_column(b, &d);
	la_col_def_init(&d, "ref", LA_T_UUID);
	d.flags = LA_COL_NULLABLE;
	d.fk_table = "authors";
	d.fk_col = "uid";
	la_catb_column(b, &d);
	la_col_def_init(&d, "extra", LA_T_JSON);
	d.flags = LA_COL_NULLABLE;
	la_catb_column(b, &d);
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);

	/* A reflected table without a primary key: list only. */
	memset(&t, 0, sizeof(t));
	t.name = "log";
	t.route = "/log";
	t.methods = LA_M_GET;
	t.flags = LA_TBL_REFLECTED;
	la_catb_table(b, &t);
	la_col_def_init(&d, "line", LA_T_ANY);
	d.flags = LA_COL_NULLABLE;
	la_catb_column(b, &d);

	/* Cursor pages under Basic; a route that names like another. */
	memset(&basic, 0, sizeof(basic));
	for (i = 0; i < LA_NVERBS; i++) {
		basic.backend[i] = LA_AUTH_BASIC;
		basic.permission[i] = LA_PERM_AUTHENTICATED;
	}
	memset(&t, 0, sizeof(t));
	t.name = "events";
	t.route = "/api_books";
	t.methods = LA_M_GET | LA_M_POST;
	t.flags = LA_TBL_DECLARED;
	t.page_style = LA_PAGE_CURSOR;
	t.page_size = 10;
	t.auth = &basic;
	la_catb_table(b, &t);
	la_col_def_init(&d, "at", LA_T_DATE);
	la_catb_column(b, &d);
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);

	/* The login validator's table is never described. */
	memset(&t, 0, sizeof(t));
	t.name = "users";
	t.route = "";
	t.flags = LA_TBL_HIDDEN | LA_TBL_REFLECTED;
	la_catb_table(b, &t);
	la_col_def_init(&d, "password_hash", LA_T_TEXT);
	la_catb_column(b, &d);

	c = la_catb_finish(b, &size);
	la_catb_free(b);
	return (c);
}

static yajl_val
get(yajl_val v, const char *path)
{
	char key[128];
	const char *slash;
	size_t n;

	while (v != NULL && *path != '\0') {
		slash = strchr(path, '|');
		n = slash ? (size_t)(slash - path) : strlen(path);
		memcpy(key, path, n);
		key[n] = '\0';
		v = la_json_get(v, key, n);
		path += n + (slash != NULL);
	}
	return (v);
}

static const char *
str(yajl_val v, const char *path)
{
	v = get(v, path);
	return (v != NULL && YAJL_IS_STRING(v) ? v->u.string : NULL);
}

/* Whether array v holds the string s. */
static int
has(yajl_val v, const char *s)
{
	size_t i;

	if (v == NULL || !YAJL_IS_ARRAY(v))
		return (0);
	for (i = 0; i < v->u.array.len; i++)
		if (YAJL_IS_STRING(v->u.array.values[i]) &&
		    strcmp(v->u.array.values[i]->u.string, s) == 0)
			return (1);
	return (0);
}

static size_t
count(yajl_val v)
{
	if (v == NULL)
		return (0);
	if (YAJL_IS_ARRAY(v))
		return (v->u.array.len);
	if (YAJL_IS_OBJECT(v))
		return (v->u.object.len);
	return (0);
}

/* The parameter of an operation by name. */
static yajl_val
param(yajl_val op, const char *name)
{
	yajl_val ps = get(op, "parameters");
	size_t i;

	for (i = 0; i < count(ps); i++)
		if (strcmp(str(ps->u.array.values[i], "name"), name) == 0)
			return (ps->u.array.values[i]);
	return (NULL);
}

static void
check_operation_ids(yajl_val paths)
{
	static const char *const verbs[] = {"get", "post", "put", "patch",
	    "delete"};
	const char *ids[64];
	size_t n = 0, i, k, v;
	int dup = 0;
	yajl_val p;

	for (i = 0; i < count(paths); i++) {
		p = paths->u.object.values[i];
		for (k = 0; k < p->u.object.len; k++) {
			for (v = 0; v < LA_NELEM(verbs); v++)
				if (strcmp(p->u.object.keys[k], verbs[v]) == 0)
					break;
			if (v == LA_NELEM(verbs))
				continue;
			ids[n] = str(p->u.object.values[k], "operationId");
			ok(ids[n] != NULL, "%s %s has an operationId", verbs[v],
			    paths->u.object.keys[i]);
			n++;
		}
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++)
			dup |= ids[i] && ids[k] && strcmp(ids[i], ids[k]) == 0;
	ok(!dup, "the %zu operationIds are unique", n);
	is_int(n, 12, "12 operations: 6 books, 1 log, 3 events, 2 login");
}

/* Two canned queries' catalog, as gen_queries.c builds it. */
static struct la_catalog *
build_queries(void)
{
	static struct la_cat_auth au;
	struct la_catb *b = la_catb_new();
	struct la_catb_table t;
	struct la_col_def d;
	struct la_catalog *c;
	size_t size;
	int v;

	memset(&t, 0, sizeof(t));
	t.name = t.route = "/reports/r";
	t.methods = LA_M_GET;
	t.page_style = LA_PAGE_NUMBER;
	t.page_size = 10;
	t.max_page_size = 100;
	la_catb_table(b, &t);
	la_col_def_init(&d, "min_price", LA_T_FLOAT);
	d.flags |= LA_COL_GE | LA_COL_DEFAULT;
	d.ge = 0;
	d.dflt = "0";
	la_catb_column(b, &d);
	for (v = 0; v < LA_NVERBS; v++) {
		au.backend[v] = LA_AUTH_JWT;
		au.permission[v] = LA_PERM_AUTHENTICATED;
	}
	memset(&t, 0, sizeof(t));
	t.name = t.route = "/ops/w";
	t.methods = LA_M_POST;
	t.flags = LA_TBL_WRITE;
	t.auth = &au;
	la_catb_table(b, &t);
	la_col_def_init(&d, "year", LA_T_INT);
	la_catb_column(b, &d);
	c = la_catb_finish(b, &size);
	la_catb_free(b);
	return (c);
}

static void
test_queries(struct la_catalog *c, struct la_arena *a)
{
	struct la_catalog *q = build_queries();
	struct la_openapi_conf oc = {"Q", "1", NULL, 0, 0, 0, q};
	struct la_buf out;
	yajl_val doc, paths, op, p;

	la_buf_init(&out);
	la_openapi_write(c, &oc, &out);
	doc = la_json_parse(out.data, out.len, LA_JSON_MAX_DEPTH, a);
	ok(doc != NULL, "a document with queries is JSON");
	paths = get(doc, "paths");
	ok(get(paths, "/api/books") != NULL, "the endpoints are still there");
	op = get(paths, "/reports/r|get");
	ok(op != NULL, "a read query: GET");
	ok(get(paths, "/reports/r|post") == NULL, "and no POST");
	p = param(op, "min_price");
	ok(p != NULL && get(p, "required") == NULL,
	    "its parameter, optional with a default");
	ok(get(p, "schema|minimum") != NULL, "with its bound");
	ok(param(op, "page") != NULL && param(op, "page_size") != NULL,
	    "and the page parameters");
	ok(get(op, "responses|200|content|application/json|schema|"
	           "properties|next") != NULL,
	    "a paged answer");
	is_int(count(get(op, "security")), 0, "open");
	op = get(paths, "/ops/w|post");
	ok(op != NULL, "a write query: POST");
	ok(has(get(op, "requestBody|content|application/json|schema|"
	               "required"),
	       "year"),
	    "its body requires year");
	ok(get(op, "responses|200|content|application/json|schema|"
	           "properties|rows_affected") != NULL,
	    "rows_affected in the answer");
	ok(get(op, "responses|401") != NULL, "401 with a backend");
	ok(get(doc, "components|securitySchemes|bearerAuth") != NULL,
	    "the bearer scheme, from a query alone");
	la_buf_free(&out);
	free(q);
}

int
main(void)
{
	struct la_catalog *c = build();
	struct la_openapi_conf oc = {"My API", "1.2.3", "/auth", 1, 0, 0, NULL};
	struct la_arena *a = la_arena_new(65536);
	struct la_buf out;
	yajl_val doc, paths, s, op, p;

	la_buf_init(&out);
	la_openapi_write(c, &oc, &out);
	doc = la_json_parse(out.data, out.len, LA_JSON_MAX_DEPTH, a);
	if (!ok(doc != NULL, "the document is JSON"))
		diag("%s", out.data);
	is_str(str(doc, "openapi"), "3.1.0", "openapi 3.1.0");
	is_str(str(doc, "info|title"), "My API", "info.title");
	is_str(str(doc, "info|version"), "1.2.3", "info.version");

	paths = get(doc, "paths");
	is_int(count(paths), 7, "seven paths");
	is_int(count(get(paths, "/api/books")), 2, "collection: GET POST");
	ok(get(paths, "/api/books|get") && get(paths, "/api/books|post"),
	    "collection verbs");
	ok(get(paths, "/api/books/{id}|get") &&
	        get(paths, "/api/books/{id}|put") &&
	        get(paths, "/api/books/{id}|patch") &&
	        get(paths, "/api/books/{id}|delete"),
	    "detail verbs");
	ok(get(paths, "/log|get") && !get(paths, "/log|post"), "log: GET");
	ok(get(paths, "/log/{id}") == NULL, "no detail without a key");
	ok(count(get(paths, "/api_books/{id}")) == 2 &&
	        get(paths, "/api_books/{id}|get"),
	    "events: parameters and GET on the detail route");
	ok(get(paths, "/auth/login|post") && get(paths, "/auth/token|post"),
	    "login routes");
	check_operation_ids(paths);
	is_str(str(paths, "/api/books|get|operationId"), "list_api_books",
	    "list operationId");
	is_str(str(paths, "/api/books/{id}|put|operationId"),
	    "replace_api_books", "PUT operationId");
	is_str(str(paths, "/api/books/{id}|patch|operationId"),
	    "update_api_books", "PATCH operationId");
	is_str(str(paths, "/api_books|get|operationId"), "list_api_books_2",
	    "a clashing name is told apart by its index");
	is_str(str(paths, "/auth/token|post|operationId"), "token", "token");

	/* Read schema: the serializer's read projection, auto read-only. */
	s = get(doc, "components|schemas|api_books");
	is_int(count(get(s, "properties")), 6, "read projection: 6 fields");
	ok(get(s, "properties|created_at") == NULL, "created_at not read");
	ok(get(s, "properties|id|readOnly") &&
	        YAJL_IS_TRUE(get(s, "properties|id|readOnly")),
	    "id read-only");
	ok(get(s, "properties|title|readOnly") == NULL, "title writable");
	ok(has(get(s, "required"), "year"), "a nullable column is present");
	p = get(s, "properties|year|type");
	ok(has(p, "integer") && has(p, "null"), "nullable: a type array");
	is_str(str(s, "properties|title|type"), "string", "str: string");
	is_int(YAJL_GET_INTEGER(get(s, "properties|title|minLength")), 1,
	    "minLength");
	is_int(YAJL_GET_INTEGER(get(s, "properties|title|maxLength")), 200,
	    "maxLength");
	is_str(str(s, "properties|title|pattern"), "^[A-Z].*$", "pattern");
	is_str(str(s, "properties|title|description"), "The title",
	    "description");
	is_int(YAJL_GET_INTEGER(get(s, "properties|year|minimum")), 0,
	    "ge: minimum");
	is_int(YAJL_GET_INTEGER(get(s, "properties|year|exclusiveMaximum")),
	    3000, "lt: exclusiveMaximum");
	is_str(str(s, "properties|price|type"), "string", "Decimal: string");
	ok(str(s, "properties|price|pattern") != NULL, "Decimal: pattern");
	ok(YAJL_GET_DOUBLE(get(s, "properties|price|exclusiveMinimum")) == 0.5,
	    "gt: exclusiveMinimum");

	/* What was written shows every column: no write projection. */
	s = get(doc, "components|schemas|api_books.Written");
	is_int(count(get(s, "properties")), 11, "written: every column");
	is_str(str(s, "properties|published|format"), "date-time",
	    "datetime: date-time");
	is_str(str(s, "properties|ref|format"), "uuid", "UUID: uuid");
	ok(strstr(str(s, "properties|ref|description"), "authors.uid") != NULL,
	    "foreign key in the description");
	ok(get(s, "properties|extra|type") == NULL, "json: any value");
	is_str(str(paths, "/api/books|post|responses|201|content|"
	                  "application/json|schema|$ref"),
	    "#/components/schemas/api_books.Written", "POST answers Written");

	s = get(doc, "components|schemas|api_books.Create");
	ok(get(s, "properties|id") == NULL &&
	        get(s, "properties|version") == NULL,
	    "create: no auto columns");
	ok(has(get(s, "required"), "title") &&
	        has(get(s, "required"), "published"),
	    "create: NOT NULL fields without a default are required");
	ok(!has(get(s, "required"), "year") &&
	        !has(get(s, "required"), "price"),
	    "create: nullable or defaulted fields are not");
	is_str(str(s, "properties|price|default"), "0.00", "default");
	ok(YAJL_IS_TRUE(get(s, "properties|in_stock|default")), "bool default");
	s = get(doc, "components|schemas|api_books.Replace");
	ok(has(get(s, "required"), "version") &&
	        has(get(s, "required"), "title"),
	    "PUT requires version and the fields");
	s = get(doc, "components|schemas|api_books.Update");
	is_int(count(get(s, "required")), 1, "PATCH requires one field");
	ok(has(get(s, "required"), "version"), "PATCH requires version");
	ok(get(s, "properties|price|default") == NULL, "no default on PATCH");

	/* The list envelope and parameters. */
	s = get(doc, "components|schemas|api_books.List");
	ok(has(get(s, "required"), "count") &&
	        has(get(s, "required"), "pages") &&
	        has(get(s, "required"), "results"),
	    "page_number envelope");
	is_str(str(s, "properties|results|items|$ref"),
	    "#/components/schemas/api_books", "results are read rows");
	op = get(paths, "/api/books|get");
	is_str(str(param(op, "year"), "schema|type"), "integer", "filter");
	is_str(str(param(op, "year__gte"), "schema|type"), "integer",
	    "lookup typed");
	is_str(str(param(op, "year__in"), "schema|items|type"), "integer",
	    "__in items typed");
	ok(YAJL_IS_FALSE(get(param(op, "year__in"), "explode")),
	    "__in comma-separated");
	is_str(str(param(op, "year__isnull"), "schema|type"), "boolean",
	    "__isnull boolean");
	is_str(str(param(op, "title__icontains"), "schema|type"), "string",
	    "__icontains");
	ok(param(op, "search") != NULL, "search");
	p = get(param(op, "ordering"), "schema|items|enum");
	ok(count(p) == 2 && has(p, "year") && has(p, "-year"), "ordering enum");
	ok(param(op, "page") && param(op, "page_size") && !param(op, "cursor"),
	    "page and page_size");
	ok(param(op, "price") == NULL, "no filter on other fields");
	ok(param(get(paths, "/log|get"), "page") == NULL,
	    "no pagination, no page");
	s = get(doc, "components|schemas|api_books_2.List");
	ok(!has(get(s, "required"), "count") && has(get(s, "required"), "next"),
	    "cursor envelope");
	op = get(paths, "/api_books|get");
	ok(param(op, "cursor") && param(op, "page_size") && !param(op, "page"),
	    "cursor and page_size");
	s = get(doc, "components|schemas|log.List");
	ok(count(get(s, "properties")) == 1, "unpaginated: results only");

	/* Errors. */
	op = get(paths, "/api/books/{id}|put");
	ok(get(op, "responses|404") && get(op, "responses|409") &&
	        get(op, "responses|422") && get(op, "responses|503"),
	    "PUT errors");
	ok(get(op, "responses|412") == NULL, "no 412 without ETags");
	is_str(str(doc, "components|responses|ValidationError|content|"
	                "application/json|schema|$ref"),
	    "#/components/schemas/ValidationError", "422 schema");
	is_str(str(doc, "components|schemas|ValidationError|properties|"
	                "detail|items|$ref"),
	    "#/components/schemas/ValidationErrorItem", "422 item schema");
	is_str(str(doc, "components|schemas|Error|properties|detail|type"),
	    "string", "{detail} schema");
	is_str(str(get(paths, "/api/books/{id}"), "parameters"), NULL,
	    "path parameters are a list");
	is_str(str(param(get(paths, "/api/books/{id}"), "id"), "in"), "path",
	    "{id} in path");

	/* Security as the permissions resolve per verb. */
	p = get(paths, "/api/books|get|security");
	ok(count(p) == 2 && count(p->u.array.values[0]) == 0 &&
	        get(p->u.array.values[1], "bearerAuth"),
	    "AllowAny with a backend: optional bearer");
	ok(get(paths, "/api/books|get|responses|401") != NULL,
	    "AllowAny: a bad token is 401");
	p = get(paths, "/api/books|post|security");
	ok(count(p) == 1 && get(p->u.array.values[0], "bearerAuth"),
	    "IsAuthenticated: bearer");
	ok(get(paths, "/api/books|post|responses|403") == NULL,
	    "no 403 without IsAdminUser");
	ok(get(paths, "/api/books/{id}|delete|responses|403") != NULL,
	    "IsAdminUser: 403");
	p = get(paths, "/api_books|post|security");
	ok(count(p) == 1 && get(p->u.array.values[0], "basicAuth"),
	    "Basic endpoint");
	p = get(paths, "/log|get|security");
	ok(p != NULL && count(p) == 0, "open endpoint: security []");
	is_str(str(doc, "components|securitySchemes|bearerAuth|scheme"),
	    "bearer", "bearer scheme");
	is_str(str(doc, "components|securitySchemes|basicAuth|scheme"), "basic",
	    "basic scheme");
	ok(has(get(doc, "components|schemas|LoginResult|required"), "token"),
	    "login returns a token");
	ok(get(doc, "components|schemas|users") == NULL, "hidden table");
	ok(strstr(out.data, "password_hash") == NULL, "no users column");

	/* Without login, ETags and with a rate limit. */
	la_buf_reset(&out);
	oc.auth_path = NULL;
	oc.etags = 1;
	oc.rate_limited = 1;
	la_openapi_write(c, &oc, &out);
	doc = la_json_parse(out.data, out.len, LA_JSON_MAX_DEPTH, a);
	ok(doc != NULL, "second document");
	paths = get(doc, "paths");
	ok(get(paths, "/auth/login") == NULL, "no login routes");
	ok(get(paths, "/api/books/{id}|patch|responses|412") != NULL,
	    "412 with ETags");
	ok(param(get(paths, "/api/books/{id}|patch"), "If-Match") != NULL,
	    "If-Match");
	ok(get(paths, "/log|get|responses|429") != NULL, "429 when limited");

	test_queries(c, a);
	la_buf_free(&out);
	la_arena_free(a);
	free(c);
	return (done_testing());
}
