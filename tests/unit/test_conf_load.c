/*
 * Tests for lib/conf_load.c, the loader as a whole: a file with every
 * section, the defaults, the LIGHTAPI_* environment fallbacks, reading a
 * file, and every class of error with its exact position. The parts have
 * their own tests: test_conf_node.c (${VAR}, budgets), test_conf_read.c
 * (sizes, default: values), test_conf_field.c, test_conf_meta.c,
 * test_conf_endpoint.c, test_conf_section.c and test_conf_dump.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "la.h"
#include "tap.h"
#include "yaml_conf.h"

#include "conf_fixture.h"

static void
test_full(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;
	struct la_conf_endpoint *e;

	la_buf_init(&errs);
	c = load(a, full, &errs);
	ok(c != NULL, "full endpoints-format file loads");
	if (c == NULL) {
		diag("%s", errs.data);
		la_buf_free(&errs);
		return;
	}
	is_str(c->db_url, "sqlite:///test.db", "database.url expanded");
	is_int(c->db_pos.line, 2, "db_pos line");
	is_int(c->db_pos.col, 8, "db_pos col");
	is_int(c->db.kind, LA_DB_SQLITE, "db URL parsed");
	is_str(c->db.path, "test.db", "db path");
	is_int(c->cors_origins.n, 2, "two cors origins");
	is_str(c->cors_origins.v[1], "https://b.example", "cors origin 2");
	is_str(c->swagger_title, "My API", "swagger_title");
	is_int(c->enable_swagger, 0, "enable_swagger: no");
	is_str(c->auth.auth_path, "/api/auth", "auth_path, trailing / cut");
	is_str(c->auth.jwt_secret, "s3cret", "jwt_secret expanded");
	is_int(c->auth.jwt_expiration, 7200, "jwt_expiration");
	is_str(c->auth.jwt_algorithm, "HS512", "jwt_algorithm");
	is_int(c->auth.jwt_leeway, 5, "jwt_leeway");
	is_int(c->auth.has_login, 1, "login validator set");
	is_str(c->auth.login.table, "users", "login table");
	is_str(c->auth.login.username_field, "login", "username_field");
	is_str(c->auth.login.password_field, "password_hash", "password_field");
	is_int(c->auth.login.claims.n, 3, "three claims");
	is_str(c->auth.login.claims.v[2], "is_admin", "claim 3");
	ok(c->auth.login.file == NULL, "no login file");
	is_str(c->default_auth.backend, "JWTAuthentication", "default backend");
	is_str(c->default_auth.permission[0], "IsAuthenticated",
	    "default permission GET");
	is_str(c->default_auth.permission[4], "IsAuthenticated",
	    "default permission DELETE");
	is_int(c->default_pagination.set, 1, "default pagination set");
	is_int(c->default_pagination.style, LA_PAGE_NUMBER, "page_number");
	is_int(c->default_pagination.page_size, 20, "page_size 20");
	is_int(c->default_pagination.max_page_size, 100, "max_page_size 100");
	is_int(c->middleware.n, 3, "three middlewares");
	is_str(c->middleware.v[1], "RateLimitMiddleware", "middleware order");
	is_int(c->ratelimit.requests, 10, "ratelimit requests");
	is_int(c->ratelimit.per, 1, "ratelimit per");
	is_int(c->server.listen.n, 3, "three listen addresses");
	is_str(c->server.listen.v[1], "[::1]:8081", "IPv6 listen");
	is_str(c->server.listen.v[2], "0.0.0.0:9000", "bare port listen");
	is_int(c->server.workers, 4, "workers from ${WORKERS}");
	is_str(c->server.user, "lightapi", "user");
	is_str(c->server.group, "lightapi", "group");
	is_str(c->server.pid_file, "/run/lightapid.pid", "pid_file");
	is_str(c->server.error_log, "/var/log/lightapi/error.log", "error_log");
	is_str(c->server.access_log, "/var/log/lightapi/access.log",
	    "access_log");
	is_int(c->server.max_body_size, 4 * 1024 * 1024, "max_body_size 4M");
	is_int(c->server.max_header_size, 16 * 1024, "max_header_size 16k");
	is_int(c->server.header_timeout, 5, "header_timeout");
	is_int(c->server.body_timeout, 6, "body_timeout");
	is_int(c->server.keepalive_timeout, 0, "keepalive_timeout 0");
	is_int(c->server.keepalive_requests, 50, "keepalive_requests");
	is_int(c->server.shutdown_timeout, 3, "shutdown_timeout");
	is_int(c->server.max_connections, 99, "max_connections");
	is_int(c->server.trust_proxy, 1, "trust_proxy");
	is_int(c->cache.shm_size, 128 * 1024 * 1024, "shm_size 128M");
	is_str(c->cache.redis_url, "", "redis_url ${X:-} is empty");
	is_int(c->tables_format, 0, "endpoints format");
	is_int(c->nendpoints, 3, "three endpoints");

	e = &c->endpoints[0];
	is_str(e->route, "/api/v1/products", "route, trailing / cut");
	is_str(e->table, "products", "table from the last segment");
	is_int(e->route_pos.line, 41, "route line");
	is_int(e->route_pos.col, 12, "route col");
	is_int(e->table_pos.line, 41, "derived table_pos is the route's");
	is_int(e->pos.line, 41, "endpoint line");
	is_int(e->pos.col, 5, "endpoint col");
	is_int(e->reflect, LA_REFLECT_NO, "not reflected");
	is_int(e->methods, LA_M_GET | LA_M_POST | LA_M_PUT | LA_M_DELETE,
	    "methods list");
	is_int(e->methods_map, 0, "methods not a map");
	is_int(e->nfields, 4, "four fields");
	is_str(e->fields[0].name, "name", "fields in YAML order (1)");
	is_str(e->fields[3].name, "note", "fields in YAML order (4)");
	is_int(e->fields[0].type, LA_T_STR, "str type");
	is_int(e->fields[0].min_length, 1, "min_length");
	is_int(e->fields[0].max_length, 200, "max_length");
	is_int(e->fields[0].line, 43, "field line");
	is_int(e->fields[0].col, 7, "field col");
	is_int(e->fields[1].type, LA_T_FLOAT, "float type");
	is_int(e->fields[1].flags & (LA_COL_GE | LA_COL_LT | LA_COL_GT),
	    LA_COL_GE | LA_COL_LT, "ge and lt flags");
	ok(e->fields[1].ge == 0 && e->fields[1].lt == 1e6, "ge and lt values");
	is_int(e->fields[1].min_length, -1, "min_length unset");
	is_int(e->fields[2].flags, LA_COL_DEFAULT, "bool default flag only");
	is_str(e->fields[2].dflt, "true", "bool default as JSON");
	is_int(e->fields[3].flags, LA_COL_NULLABLE, "optional: nullable");
	ok(e->fields[3].dflt == NULL, "optional without default: dflt NULL");
	is_int(e->filter.n, 1, "filter fields");
	is_str(e->search.v[0], "name", "search fields");
	is_int(e->ordering.n, 2, "ordering fields");
	is_int(e->pagination.style, LA_PAGE_CURSOR, "cursor pagination");
	is_int(e->pagination.page_size, 50, "page_size 50");
	is_int(e->pagination.max_page_size, 100, "max_page_size default");
	is_int(e->cache_ttl, 30, "cache ttl");
	is_int(e->ser_read.n, 3, "serializer read");
	is_int(e->ser_write.n, 2, "serializer write");
	is_int(e->ser_fields.n, 0, "serializer fields unset");
	ok(e->auth.backend == NULL && e->auth.permission[0] == NULL,
	    "no endpoint auth");

	e = &c->endpoints[1];
	is_str(e->route, "/legacy_users", "route whitespace stripped");
	is_str(e->table, "legacy", "meta.table");
	is_int(e->table_pos.line, 55, "meta.table line");
	is_int(e->table_pos.col, 20, "meta.table col");
	is_int(e->reflect, LA_REFLECT_YES, "reflect: true");
	is_int(e->methods, LA_M_GET, "GET only");
	is_str(e->auth.permission[2], "AllowAny", "endpoint permission");
	ok(e->auth.backend == NULL, "endpoint backend unset");
	is_int(e->pagination.set, 0, "pagination unset");
	is_int(e->cache_ttl, 0, "not cached");

	e = &c->endpoints[2];
	is_int(e->reflect, LA_REFLECT_PARTIAL, "reflect: partial");
	is_str(e->table, "order_items", "meta.table for a '-' route");
	is_int(e->methods, LA_M_CRUD, "all five methods by default");
	is_int(e->fields[0].type, LA_T_INT, "int type");
	ok((e->fields[0].flags & LA_COL_GT) && e->fields[0].gt == 0, "gt 0");
	is_int(e->ser_fields.n, 2, "serializer fields");
	la_buf_free(&errs);
}

static void
test_defaults(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a, DB, &errs);
	ok(c != NULL, "minimal file loads");
	if (c == NULL) {
		la_buf_free(&errs);
		return;
	}
	is_str(c->db.path, ":memory:", "sqlite:// is in memory");
	is_int(c->db_pos.line, 1, "database_url position");
	is_str(c->swagger_title, "LightAPI", "default swagger_title");
	is_int(c->enable_swagger, 1, "default enable_swagger");
	is_int(c->cors_origins.n, 0, "no cors origins");
	is_int(c->middleware.n, 0, "no middleware");
	is_int(c->ratelimit.requests, 100, "default ratelimit requests");
	is_int(c->ratelimit.per, 60, "default ratelimit per");
	is_str(c->auth.auth_path, "/auth", "default auth_path");
	ok(c->auth.jwt_secret == NULL, "no jwt secret");
	is_int(c->auth.jwt_expiration, 3600, "default jwt_expiration");
	is_str(c->auth.jwt_algorithm, "HS256", "default jwt_algorithm");
	is_int(c->auth.jwt_leeway, 0, "default jwt_leeway");
	is_int(c->auth.has_login, 0, "no login validator");
	is_int(c->default_pagination.set, 0, "no default pagination");
	ok(c->default_auth.backend == NULL, "no default backend");
	is_int(c->server.listen.n, 1, "one default listen address");
	is_str(c->server.listen.v[0], "0.0.0.0:8000", "default listen");
	is_int(c->server.workers, 0, "workers auto");
	ok(c->server.user == NULL && c->server.pid_file == NULL,
	    "no user, no pid file");
	is_int(c->server.max_body_size, 1048576, "default max_body_size");
	is_int(c->server.max_header_size, 8192, "default max_header_size");
	is_int(c->server.header_timeout, 10, "default header_timeout");
	is_int(c->server.body_timeout, 30, "default body_timeout");
	is_int(c->server.keepalive_timeout, 75, "default keepalive_timeout");
	is_int(c->server.keepalive_requests, 1000,
	    "default keepalive_requests");
	is_int(c->server.shutdown_timeout, 30, "default shutdown_timeout");
	is_int(c->server.max_connections, 1024, "default max_connections");
	is_int(c->server.trust_proxy, 0, "default trust_proxy");
	is_int(c->cache.shm_size, 64 * 1024 * 1024, "default shm_size");
	ok(c->cache.redis_url == NULL, "no redis");
	is_int(c->nendpoints, 0, "no endpoints");

	c = load(a,
	    DB "server: {workers: auto}\n"
	       "endpoints:\n"
	       "  - route: /a\n"
	       "    meta: {pagination: {page_size: 500}}\n"
	       "  - route: /b\n"
	       "    meta: {pagination: {max_page_size: 1000}}\n"
	       "  - route: /c\n"
	       "    meta: {pagination: {}, cache: {}, methods: }\n"
	       "  - route: /d\n"
	       "    meta: {pagination: {count: none}}\n"
	       "  - route: /e\n"
	       "    meta: {pagination: {count: estimated, count_ttl: 0}}\n",
	    &errs);
	ok(c != NULL, "pagination variants load");
	if (c != NULL) {
		is_int(c->server.workers, 0, "workers: auto");
		is_int(c->endpoints[0].pagination.style, LA_PAGE_NUMBER,
		    "page_size alone: page_number");
		is_int(c->endpoints[0].pagination.max_page_size, 500,
		    "max_page_size raised to page_size");
		is_int(c->endpoints[1].pagination.style, LA_PAGE_NONE,
		    "max_page_size alone only caps");
		is_int(c->endpoints[1].pagination.max_page_size, 1000,
		    "max_page_size alone");
		is_int(c->endpoints[2].pagination.page_size, 20,
		    "empty pagination: 20");
		is_int(c->endpoints[2].pagination.count, LA_COUNT_EXACT,
		    "count: exact by default");
		is_int(c->endpoints[2].pagination.count_ttl, LA_CONF_COUNT_TTL,
		    "count_ttl by default");
		is_int(c->endpoints[3].pagination.count, LA_COUNT_NONE,
		    "count: none");
		is_int(c->endpoints[4].pagination.count, LA_COUNT_ESTIMATED,
		    "count: estimated");
		is_int(c->endpoints[4].pagination.count_ttl, 0, "count_ttl: 0");
		is_int(c->endpoints[2].cache_ttl, 60, "empty cache: ttl 60");
		is_int(c->endpoints[2].methods, LA_M_CRUD,
		    "methods: null means all five");
	}
	la_buf_free(&errs);
}

static void
test_env_fallbacks(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = la_conf_load_mem("t.yaml", "", 0, a, &errs, db_getenv);
	ok(c != NULL, "empty file with LIGHTAPI_DATABASE_URL loads");
	if (c != NULL) {
		is_str(c->db_url, "postgresql://u:p@h:5433/d",
		    "LIGHTAPI_DATABASE_URL");
		is_int(c->db_pos.line, 0, "no position for an env URL");
		is_int(c->db.kind, LA_DB_PGSQL, "postgres parsed");
		is_int(c->db.port, 5433, "port parsed");
		is_str(c->auth.jwt_secret, "from-env", "LIGHTAPI_JWT_SECRET");
		is_str(c->cache.redis_url, "redis://r:6379/0",
		    "LIGHTAPI_REDIS_URL");
	}
	la_buf_reset(&errs);
	c = la_conf_load_mem("t.yaml", "server: {}\n", 11, a, &errs, NULL);
	ok(c == NULL, "no database at all fails");
	is_str(errs.data,
	    "t.yaml:1:1: no database configured: set database.url or "
	    "LIGHTAPI_DATABASE_URL\n",
	    "no database message");
	la_buf_free(&errs);
}

/* Each class of error, with its exact position. */
static const struct {
	const char *name, *text, *want;
} error_cases[] = {
    {"YAML syntax", DB "server:\n  workers: 2\n bad: 1\n",
        "t.yaml:4:2: did not find expected key (while parsing a block "
        "mapping at 1:1)\n"},
    {"YAML syntax in a flow", DB "cors_origins: [a, b\n",
        "t.yaml:3:1: did not find expected ',' or ']' (while parsing a flow "
        "sequence at 2:15)\n"},
    {"unknown key in meta",
        DB "endpoints:\n  - route: /x\n    meta:\n      tabel: y\n",
        "t.yaml:5:7: unknown key 'tabel' in endpoints[0].meta\n"},
    {"unknown top-level key", DB "modes: async\n",
        "t.yaml:2:1: unknown key 'modes' at the top level\n"},
    {"mode not sync or async", DB "mode: fast\n",
        "t.yaml:2:7: mode must be 'sync' or 'async', got 'fast'\n"},
    {"unknown key in server", DB "server:\n  wokers: 2\n",
        "t.yaml:3:3: unknown key 'wokers' in server\n"},
    {"unknown field key",
        DB "endpoints:\n  - route: /x\n    fields:\n"
           "      a: {type: int, minimum: 1}\n",
        "t.yaml:5:22: unknown key 'minimum' in endpoints[0].fields.a\n"},
    {"workers not an integer", DB "server:\n  workers: many\n",
        "t.yaml:3:12: expected an integer for server.workers\n"},
    {"workers zero", DB "server: {workers: 0}\n",
        "t.yaml:2:19: server.workers must be at least 1\n"},
    {"bool expected", DB "enable_swagger: maybe\n",
        "t.yaml:2:17: expected true or false for enable_swagger\n"},
    {"mapping expected", DB "server: [1]\n",
        "t.yaml:2:9: expected a mapping for server\n"},
    {"top level not a mapping", "- a\n",
        "t.yaml:1:1: expected a mapping at the top level\n"},
    {"unknown field type",
        DB "endpoints:\n  - route: /x\n    fields:\n      a: {type: string}\n",
        "t.yaml:5:17: unknown field type 'string' in endpoints[0].fields.a.type"
        " (valid: str, text, int, float, bool, datetime, date, Decimal, "
        "decimal, UUID, uuid, json)\n"},
    {"field without type",
        DB
        "endpoints:\n  - route: /x\n    fields:\n      a: {optional: true}\n",
        "t.yaml:5:10: missing required key 'type' in endpoints[0].fields.a\n"},
    {"unknown method",
        DB "endpoints:\n  - route: /x\n    meta: {methods: [GET, get, HEAD]}\n",
        "t.yaml:4:27: unknown HTTP method 'get' in endpoints[0].meta.methods "
        "(GET, POST, PUT, PATCH, DELETE)\n"
        "t.yaml:4:32: unknown HTTP method 'HEAD' in endpoints[0].meta.methods "
        "(GET, POST, PUT, PATCH, DELETE)\n"},
    {"unknown method in map",
        DB "endpoints:\n  - route: /x\n    meta:\n      methods: {OPTIONS: }\n",
        "t.yaml:5:17: unknown HTTP method 'OPTIONS' in "
        "endpoints[0].meta.methods (GET, POST, PUT, PATCH, DELETE)\n"},
    {"empty methods", DB "endpoints:\n  - route: /x\n    meta: {methods: []}\n",
        "t.yaml:4:21: endpoints[0].meta.methods is empty\n"},
    {"unknown backend",
        DB "defaults: {authentication: {backend: TokenAuthentication}}\n",
        "t.yaml:2:38: unknown authentication backend 'TokenAuthentication' in "
        "defaults.authentication.backend (JWTAuthentication, "
        "BasicAuthentication)\n"},
    {"unknown permission",
        DB "defaults: {authentication: {permission: IsOwner}}\n",
        "t.yaml:2:41: unknown permission 'IsOwner' in "
        "defaults.authentication.permission (AllowAny, IsAuthenticated, "
        "IsAdminUser)\n"},
    {"unknown permission in a map",
        DB "defaults: {authentication: {permission: {GET: Nobody}}}\n",
        "t.yaml:2:47: unknown permission 'Nobody' in "
        "defaults.authentication.permission.GET (AllowAny, IsAuthenticated, "
        "IsAdminUser)\n"},
    {"unknown middleware", DB "middleware: [CORSMiddleware, Foo]\n",
        "t.yaml:2:30: unknown middleware 'Foo' in middleware[1] "
        "(CORSMiddleware, RateLimitMiddleware, RequestIdMiddleware, "
        "GzipMiddleware, AuthenticationMiddleware, Middleware)\n"},
    {"a Python backend class",
        DB "defaults: {authentication: {backend: myapp.auth.Token}}\n",
        "t.yaml:2:38: 'myapp.auth.Token' in defaults.authentication.backend "
        "is a Python import path: lightapid runs no Python code; use "
        "JWTAuthentication or BasicAuthentication\n"},
    {"a Python permission class",
        DB "defaults: {authentication: {permission: {GET: app.IsOwner}}}\n",
        "t.yaml:2:47: 'app.IsOwner' in defaults.authentication.permission.GET "
        "is a Python import path: lightapid runs no Python code; use "
        "AllowAny, IsAuthenticated or IsAdminUser, per verb if needed\n"},
    {"a Python middleware class", DB "middleware: [app.mw.Timing]\n",
        "t.yaml:2:14: 'app.mw.Timing' in middleware[0] is a Python import "
        "path: lightapid runs no Python code; the built-in middlewares are "
        "CORSMiddleware, RateLimitMiddleware, RequestIdMiddleware and "
        "GzipMiddleware\n"},
    {"a Python login validator", DB "auth: {login_validator: app.check}\n",
        "t.yaml:2:25: 'app.check' in auth.login_validator is a Python import "
        "path: lightapid runs no Python code; use {table: …, username_field: "
        "…, password_field: …} or {file: PATH}\n"},
    {"a Python filter backend",
        DB "endpoints:\n  - route: /x\n    fields: {a: {type: str}}\n"
           "    meta: {filtering: {backends: [app.Geo]}}\n",
        "t.yaml:5:35: 'app.Geo' in endpoints[0].meta.filtering.backends is a "
        "Python import path: lightapid runs no Python code; use FieldFilter, "
        "SearchFilter or OrderingFilter\n"},
    {"unknown filter backend",
        DB "endpoints:\n  - route: /x\n    fields: {a: {type: str}}\n"
           "    meta: {filtering: {backends: [lightapi.filters.Geo]}}\n",
        "t.yaml:5:35: unknown filter backend 'Geo' in "
        "endpoints[0].meta.filtering.backends (FieldFilter, SearchFilter, "
        "OrderingFilter)\n"},
    {"middleware twice", DB "middleware: [GzipMiddleware, GzipMiddleware]\n",
        "t.yaml:2:30: middleware 'GzipMiddleware' is listed twice\n"},
    {"middleware options", DB "middleware:\n  - CORSMiddleware: {origins: x}\n",
        "t.yaml:3:21: middleware 'CORSMiddleware' takes no options\n"},
    {"rate limit options",
        DB "middleware:\n  - RateLimitMiddleware: {requests: 0, burst: 1}\n",
        "t.yaml:3:37: middleware[0].RateLimitMiddleware.requests must be at "
        "least 1\n"
        "t.yaml:3:40: unknown key 'burst' in "
        "middleware[0].RateLimitMiddleware\n"},
    {"unset variable", "database_url: \"${DATABASE_URL}\"\n",
        "t.yaml:1:15: environment variable 'DATABASE_URL' is not set\n"},
    {"duplicate route",
        DB "endpoints:\n  - route: /x\n  - route: /y\n  - route: /x/\n"
           "  - route: \"/x \"\n",
        "t.yaml:5:12: duplicate route '/x' (first at 3:12)\n"
        "t.yaml:6:12: duplicate route '/x' (first at 3:12)\n"},
    {"duplicate route, tables format",
        "database_url: sqlite://\ntables:\n  - name: a\n  - name: a\n",
        "t.yaml:4:11: duplicate route '/a' (first at 3:11)\n"},
    {"negative size", DB "server: {max_header_size: -8K}\n",
        "t.yaml:2:27: server.max_header_size must be a positive size\n"},
    {"serializer both forms",
        DB "endpoints:\n  - route: /x\n    meta:\n      serializer: "
           "{fields: [a], read: [a]}\n",
        "t.yaml:5:19: 'fields' and 'read'/'write' cannot be used together in "
        "endpoints[0].meta.serializer\n"},
    {"bad pagination style", DB "defaults: {pagination: {style: offset}}\n",
        "t.yaml:2:32: unknown pagination style 'offset' in "
        "defaults.pagination.style (page_number, cursor)\n"},
    {"page_size zero", DB "defaults: {pagination: {page_size: 0}}\n",
        "t.yaml:2:36: defaults.pagination.page_size must be at least 1\n"},
    {"page_size above max",
        DB "defaults: {pagination: {page_size: 50, max_page_size: 10}}\n",
        "t.yaml:2:24: page_size is greater than max_page_size in "
        "defaults.pagination\n"},
    {"cache ttl zero",
        DB "endpoints:\n  - route: /x\n    meta: {cache: {ttl: 0}}\n",
        "t.yaml:4:25: endpoints[0].meta.cache.ttl must be at least 1\n"},
    {"managed field",
        DB "endpoints:\n  - route: /x\n    fields:\n      id: {type: int}\n"
           "      version: {type: int}\n",
        "t.yaml:5:7: field 'id' is managed by the server and cannot be "
        "declared\n"
        "t.yaml:6:7: field 'version' is managed by the server and cannot be "
        "declared\n"},
    {"bad field name",
        DB "endpoints:\n  - route: /x\n    fields:\n      1st: {type: int}\n",
        "t.yaml:5:7: field name '1st' in endpoints[0].fields is not a valid "
        "identifier (letters, digits and '_', not starting with a digit)\n"},
    {"derived table name not an identifier",
        DB "endpoints:\n  - route: /2024-items\n",
        "t.yaml:3:12: cannot use '2024_items' as a table name: it is not a "
        "valid identifier; set meta.table\n"},
    {"bad meta.table",
        DB "endpoints:\n  - route: /x\n    meta: {table: \"a;b\"}\n",
        "t.yaml:4:19: 'a;b' is not a valid identifier for "
        "endpoints[0].meta.table (letters, digits and '_', not starting with "
        "a digit)\n"},
    {"missing route", DB "endpoints:\n  - meta: {table: x}\n",
        "t.yaml:3:5: missing required key 'route' in endpoints[0]\n"},
    {"route without /", DB "endpoints:\n  - route: items\n",
        "t.yaml:3:12: endpoints[0].route must start with '/'\n"},
    {"route with a bad character", DB "endpoints:\n  - route: /a?b\n",
        "t.yaml:3:12: route '/a?b' may contain only letters, digits, '-', "
        "'.', '_', '~' and single '/'\n"},
    {"route with a double slash", DB "endpoints:\n  - route: /x//\n",
        "t.yaml:3:12: route '/x//' may contain only letters, digits, '-', "
        "'.', '_', '~' and single '/'\n"},
    {"route / without a table", DB "endpoints:\n  - route: /\n",
        "t.yaml:3:12: route '/' names no table; set meta.table\n"},
    {"duplicate key", DB "server:\n  workers: 2\n  workers: 3\n",
        "t.yaml:4:3: duplicate key 'workers' in server (first at 3:3)\n"},
    {"duplicate field",
        DB "endpoints:\n  - route: /x\n    fields:\n      a: {type: int}\n"
           "      a: {type: str}\n",
        "t.yaml:6:7: duplicate key 'a' in endpoints[0].fields (first at "
        "5:7)\n"},
    {"reflect with fields",
        DB "endpoints:\n  - route: /x\n    reflect: true\n"
           "    fields: {a: {type: int}}\n",
        "t.yaml:5:13: endpoints[0]: 'fields' needs 'reflect: partial' on a "
        "reflected table\n"},
    {"bad reflect", DB "endpoints:\n  - route: /x\n    reflect: full\n",
        "t.yaml:4:14: expected true, false or 'partial' for "
        "endpoints[0].reflect\n"},
    {"tables and endpoints",
        DB "endpoints: [{route: /a}]\ntables: [{name: b}]\n",
        "t.yaml:3:9: 'tables' and 'endpoints' cannot be used together\n"},
    {"unknown crud",
        "database_url: sqlite://\ntables:\n  - name: a\n    crud: [get, "
        "list]\n",
        "t.yaml:4:17: unknown operation 'list' in tables[0].crud (get, post, "
        "put, patch, delete)\n"},
    {"database URL twice",
        "database_url: sqlite://\ndatabase: {url: sqlite://}\n",
        "t.yaml:2:17: the database URL is already set at 1:15\n"},
    {"bad database URL", "database: {url: \"oracle://x/y\"}\n",
        "t.yaml:1:17: bad database URL: unknown database URL scheme 'oracle' "
        "(use sqlite, postgresql or mysql)\n"},
    {"two documents", DB "---\nswagger_title: x\n",
        "t.yaml:3:1: only one YAML document is allowed\n"},
    {"invalid UTF-8", DB "swagger_title: \"a\xff\"\n",
        "t.yaml:2:18: invalid leading UTF-8 octet\n"},
    {"bad foreign key",
        DB "endpoints:\n  - route: /x\n    fields:\n"
           "      a: {type: int, foreign_key: users}\n",
        "t.yaml:5:35: expected 'table.column' for "
        "endpoints[0].fields.a.foreign_key\n"},
    {"min above max",
        DB "endpoints:\n  - route: /x\n    fields:\n"
           "      a: {type: str, min_length: 5, max_length: 2}\n",
        "t.yaml:5:10: min_length is greater than max_length in "
        "endpoints[0].fields.a\n"},
    {"JWT without a secret",
        DB "defaults: {authentication: {backend: JWTAuthentication}}\n",
        "t.yaml:2:28: JWTAuthentication needs auth.jwt_secret or "
        "LIGHTAPI_JWT_SECRET\n"},
    {"Basic without a validator",
        DB "endpoints:\n  - route: /x\n    meta: {authentication: {backend: "
           "BasicAuthentication}}\n",
        "t.yaml:4:28: BasicAuthentication needs auth.login_validator\n"},
    {"validator with table and file",
        DB "auth: {login_validator: {table: u, file: /f}}\n",
        "t.yaml:2:25: auth.login_validator needs exactly one of 'table' and "
        "'file'\n"},
    {"bad jwt algorithm", DB "auth: {jwt_algorithm: none}\n",
        "t.yaml:2:23: unknown algorithm 'none' in auth.jwt_algorithm (HS256, "
        "HS384, HS512)\n"},
    {"bad listen address", DB "server: {listen: [\"a:1\", \"b:x\", \"c\"]}\n",
        "t.yaml:2:26: bad listen address 'b:x' (expected ADDR:PORT)\n"
        "t.yaml:2:33: bad listen address 'c' (expected ADDR:PORT)\n"},
    {"NUL in a string", DB "swagger_title: \"a\\0b\"\n",
        "t.yaml:2:16: NUL byte in swagger_title\n"},
    {"several errors at once",
        DB "server: {workers: x, body_timeout: 0}\nendpoints:\n"
           "  - route: /x\n    meta: {methods: [FETCH]}\n",
        "t.yaml:2:19: expected an integer for server.workers\n"
        "t.yaml:2:36: server.body_timeout must be at least 1\n"
        "t.yaml:5:22: unknown HTTP method 'FETCH' in "
        "endpoints[0].meta.methods (GET, POST, PUT, PATCH, DELETE)\n"},
    {"unknown count mode",
        DB "endpoints:\n  - route: /x\n"
           "    meta: {pagination: {count: planned, count_ttl: -1}}\n",
        "t.yaml:4:32: unknown count mode 'planned' in "
        "endpoints[0].meta.pagination.count (exact, estimated, none)\n"
        "t.yaml:4:52: endpoints[0].meta.pagination.count_ttl must be at "
        "least 0\n"},
    {"alias cycle in a default",
        DB "endpoints:\n  - route: /x\n    fields:\n"
           "      a: {type: json, default: &d [1, *d]}\n",
        "t.yaml:5:32: endpoints[0].fields.a.default is nested too deeply\n"},
};

static void
test_errors(struct la_arena *a)
{
	size_t i;

	for (i = 0; i < LA_NELEM(error_cases); i++)
		is_str(errs_of(a, error_cases[i].text), error_cases[i].want,
		    "error: %s", error_cases[i].name);
}

/*
 * A large mapping aliased many times: the duplicate-key checks, not the
 * nodes, exhaust the budget, and a walk cut short there must not yield a
 * configuration (2990 keys once did, silently).
 */
static void
test_file(struct la_arena *a)
{
	char path[] = "/tmp/test_conf_load.XXXXXX";
	struct la_buf errs;
	struct la_conf *c;
	FILE *fp;
	int fd;

	la_buf_init(&errs);
	fd = mkstemp(path);
	if (!ok(fd >= 0 && (fp = fdopen(fd, "w")) != NULL, "temp file")) {
		la_buf_free(&errs);
		return;
	}
	fputs(DB "swagger_title: from a file\n", fp);
	fclose(fp);
	c = la_conf_load(path, a, &errs, fake_getenv);
	ok(c != NULL && strcmp(c->swagger_title, "from a file") == 0,
	    "la_conf_load reads a file");
	is_str(c ? c->path : NULL, path, "path kept");
	unlink(path);
	la_buf_reset(&errs);
	c = la_conf_load(path, a, &errs, fake_getenv);
	ok(c == NULL, "missing file fails");
	ok(errs.data != NULL && strncmp(errs.data, path, strlen(path)) == 0 &&
	        strcmp(errs.data + strlen(path),
	            ": cannot open: No such file or directory\n") == 0,
	    "missing file message");
	la_buf_free(&errs);
}

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_full(a);
	test_defaults(a);
	test_env_fallbacks(a);
	test_errors(a);
	test_file(a);
	la_arena_free(a);
	return (done_testing());
}
