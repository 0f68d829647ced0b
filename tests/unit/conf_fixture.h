/*
 * What the configuration tests share: a fixed environment for ${VAR}
 * expansion, one with the LIGHTAPI_* fallbacks, and loaders that return
 * the configuration or the exact error text. Included by test_conf_load.c
 * and the test_conf_*.c files, once per program.
 */
#ifndef LA_CONF_FIXTURE_H
#define LA_CONF_FIXTURE_H

#include <string.h>

#include "arena.h"
#include "buf.h"
#include "la.h"
#include "yaml_conf.h"

/* Not every test program uses every helper. */
static const char *fake_getenv(const char *) __attribute__((unused));
static const char *db_getenv(const char *) __attribute__((unused));
static struct la_conf *load(struct la_arena *, const char *, struct la_buf *)
    __attribute__((unused));
static const char *errs_of(struct la_arena *, const char *)
    __attribute__((unused));

static const char *
fake_getenv(const char *name)
{
	static const struct {
		const char *k, *v;
	} env[] = {
	    {"DB", "sqlite:///test.db"},
	    {"EMPTY", ""},
	    {"HOST", "db.example"},
	    {"PORT", "5432"},
	    {"SECRET", "s3cret"},
	    {"WORKERS", "4"},
	    {"SIZE", "2M"},
	    {"LATIN1", "caf\xe9"},
	};
	size_t i;

	for (i = 0; i < LA_NELEM(env); i++)
		if (strcmp(env[i].k, name) == 0)
			return (env[i].v);
	return (NULL);
}

static const char *
db_getenv(const char *name)
{
	if (strcmp(name, "LIGHTAPI_DATABASE_URL") == 0)
		return ("postgresql://u:p@h:5433/d");
	if (strcmp(name, "LIGHTAPI_JWT_SECRET") == 0)
		return ("from-env");
	if (strcmp(name, "LIGHTAPI_REDIS_URL") == 0)
		return ("redis://r:6379/0");
	return (NULL);
}

static struct la_conf *
load(struct la_arena *a, const char *text, struct la_buf *errs)
{
	la_buf_reset(errs);
	return (la_conf_load_mem("t.yaml", text, strlen(text), a, errs,
	    fake_getenv));
}

/* The error text for a file that must fail, or "(loaded)". */
static const char *
errs_of(struct la_arena *a, const char *text)
{
	struct la_buf errs;
	struct la_conf *c;
	const char *r;

	la_buf_init(&errs);
	c = load(a, text, &errs);
	r = c != NULL ? "(loaded)"
	              : la_arena_strdup(a, errs.data ? errs.data : "");
	la_buf_free(&errs);
	return (r);
}

#define DB "database_url: sqlite://\n"

/* A file with every section, in both the YAML forms LightAPI takes. */
static const char full[] __attribute__((unused)) =
    "database:\n"
    "  url: \"${DB}\"\n"
    "cors_origins: [\"https://myapp.com\", \"https://b.example\"]\n"
    "swagger_title: \"My API\"\n"
    "enable_swagger: no\n"
    "auth:\n"
    "  auth_path: /api/auth/\n"
    "  jwt_secret: \"${SECRET}\"\n"
    "  jwt_expiration: 7200\n"
    "  jwt_algorithm: HS512\n"
    "  jwt_leeway: 5\n"
    "  login_validator: { table: users, username_field: login,\n"
    "                     password_field: password_hash,\n"
    "                     claims: [id, login, is_admin] }\n"
    "defaults:\n"
    "  authentication: { backend: JWTAuthentication, permission: "
    "IsAuthenticated }\n"
    "  pagination: { style: page_number, page_size: 20 }\n"
    "middleware:\n"
    "  - CORSMiddleware\n"
    "  - RateLimitMiddleware: {requests: 10, per: 1}\n"
    "  - RequestIdMiddleware\n"
    "server:\n"
    "  listen: [\"127.0.0.1:8080\", \"[::1]:8081\", 9000]\n"
    "  workers: ${WORKERS}\n"
    "  user: lightapi\n"
    "  group: lightapi\n"
    "  pid_file: /run/lightapid.pid\n"
    "  error_log: /var/log/lightapi/error.log\n"
    "  access_log: /var/log/lightapi/access.log\n"
    "  max_body_size: 4M\n"
    "  max_header_size: 16k\n"
    "  header_timeout: 5\n"
    "  body_timeout: 6\n"
    "  keepalive_timeout: 0\n"
    "  keepalive_requests: 50\n"
    "  shutdown_timeout: 3\n"
    "  max_connections: 99\n"
    "  trust_proxy: true\n"
    "cache: { shm_size: 128M, redis_url: \"${LIGHTAPI_REDIS_URL:-}\" }\n"
    "endpoints:\n"
    "  - route: /api/v1/products/\n"
    "    fields:\n"
    "      name:     { type: str, min_length: 1, max_length: 200 }\n"
    "      price:    { type: float, ge: 0, lt: 1e6 }\n"
    "      in_stock: { type: bool, default: true }\n"
    "      note:     { type: text, optional: true }\n"
    "    meta:\n"
    "      methods: [GET, POST, PUT, DELETE]\n"
    "      filtering: { fields: [in_stock], search: [name], ordering: "
    "[price, name] }\n"
    "      pagination: { style: cursor, page_size: 50 }\n"
    "      cache: { ttl: 30 }\n"
    "      serializer: { read: [id, name, price], write: [id, name] }\n"
    "  - route: \" /legacy_users \"\n"
    "    reflect: true\n"
    "    meta: { table: legacy, methods: [GET], authentication: "
    "{ permission: AllowAny } }\n"
    "  - route: /order-items\n"
    "    reflect: partial\n"
    "    fields: { qty: { type: int, gt: 0 } }\n"
    "    meta: { table: order_items, serializer: { fields: [id, qty] } }\n";

#endif
