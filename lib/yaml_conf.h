/*
 * lightapi.yaml → struct la_conf. The loader checks syntax, keys, value
 * types and everything that needs no database; each problem is reported as
 * "FILE:LINE:COL: message" (1-based). Checks that need the database (a
 * reflected table that does not exist, a foreign key to an unknown table)
 * are made later, by the code that builds the catalog, using the line and
 * column kept here.
 */
#ifndef LA_YAML_CONF_H
#define LA_YAML_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "coldef.h"
#include "dburl.h"

struct la_arena;
struct la_cidr;

/* Position in the file, 1-based; 0 when the value came from a default. */
struct la_pos {
	int line, col;
};

struct la_strlist {
	const char **v;
	size_t n;
	struct la_pos *pos; /* where each item was written, or NULL */
};

/* meta.authentication / defaults.authentication / per-verb map form. */
struct la_conf_auth {
	const char *backend;       /* NULL when not set */
	const char *permission[5]; /* per verb, NULL when not set */
	uint32_t map_open;  /* verb bits a permission map left out: AllowAny */
	int jwt_expiration; /* 0 when not set */
	const char *jwt_algorithm; /* NULL when not set */
	struct la_strlist jwt_extra_claims;
	int has_extra_claims; /* jwt_extra_claims was given */
	struct la_pos pos, jwt_pos;
};

/* Default of meta.pagination.count_ttl, in seconds. */
#define LA_CONF_COUNT_TTL 5

struct la_conf_pagination {
	int set;
	int style; /* LA_PAGE_NUMBER or LA_PAGE_CURSOR (catalog.h) */
	int page_size;
	int max_page_size; /* 0 when unset */
	int count;         /* LA_COUNT_* (catalog.h) */
	int count_ttl;     /* seconds a cached count may lag outside writes */
	struct la_pos pos;
};

/*
 * One entry of meta.where or meta.set: a column and the value it is held
 * to, a constant (NULL: SQL NULL) or a claim of the caller's credentials
 * ("{user.CLAIM}" as written). verbs: the LA_M_* bits it applies to.
 */
struct la_conf_scope_item {
	const char *col;
	const char *claim; /* the claim's name, or NULL for a constant */
	const char
	    *value; /* the constant as text; NULL with claim NULL: null */
	uint32_t verbs;
	struct la_pos pos;
};

struct la_conf_scope {
	struct la_conf_scope_item *v;
	size_t n;
};

struct la_conf_endpoint {
	const char *route; /* as written, trailing '/' removed unless "/" */
	const char *table; /* meta.table, or the route's last segment */
	struct la_pos pos, route_pos, table_pos;
	int reflect;                   /* LA_REFLECT_* */
	uint32_t methods;              /* LA_M_* bits; all five when not set */
	int methods_map;               /* 1 when meta.methods was a map */
	struct la_conf_auth verb_auth; /* from the map form of meta.methods */
	struct la_col_def *fields;     /* declared, YAML order */
	size_t nfields;
	struct la_conf_auth auth;
	struct la_strlist filter, search, ordering;
	uint32_t filter_backends; /* LA_FILTER_* bits in effect */
	struct la_conf_pagination pagination;
	int cache_ttl; /* 0: no cache */
	struct la_strlist ser_fields, ser_read, ser_write;
	struct la_conf_scope where, set; /* meta.where, meta.set */
	struct la_strlist expand; /* meta.expand: relations ?expand= allows */
	int expand_limit;         /* meta.expand_limit: rows per reverse one */
};

/* meta.filtering.backends; without it, each non-empty list is active. */
#define LA_FILTER_FIELDS   1u
#define LA_FILTER_SEARCH   2u
#define LA_FILTER_ORDERING 4u

#define LA_REFLECT_NO      0
#define LA_REFLECT_YES     1
#define LA_REFLECT_PARTIAL 2

/*
 * A canned query (queries:): a route serving one SQL statement written by
 * the administrator. ep holds what it shares with an endpoint: route,
 * positions, methods (GET, POST), authentication, pagination, and the
 * parameters as fields.
 */
struct la_conf_query {
	struct la_conf_endpoint ep;
	const char *sql;
	struct la_pos sql_pos;
	int write;                     /* write: true */
	struct la_strlist invalidates; /* tables whose caches a write ends */
};

struct la_conf_login {
	const char *table, *username_field, *password_field;
	struct la_strlist claims;
	const char *file;
	struct la_pos pos;
};

struct la_conf_server {
	struct la_strlist listen; /* "ADDR:PORT"; default "0.0.0.0:8000" */
	int workers;              /* 0 = auto (number of CPUs) */
	const char *user, *group, *pid_file, *error_log, *access_log;
	size_t max_body_size;   /* default 1M */
	size_t max_header_size; /* default 8K */
	int header_timeout;     /* seconds, default 10 */
	int body_timeout;       /* default 30 */
	int keepalive_timeout;  /* default 75 */
	int keepalive_requests; /* default 1000 */
	int shutdown_timeout;   /* default 30 */
	int max_connections;    /* per worker, default 1024 */
	int trust_proxy;        /* default 0 */
	int metrics;            /* who may GET /metrics: LA_CONF_METRICS_* */
	const char *metrics_listen; /* "ADDR:PORT" serving /metrics, or NULL */
	/* With trust_proxy: the proxies whose forwarding headers are
	 * believed; not given (NULL): loopback only. */
	struct la_cidr *trusted_proxies;
	size_t ntrusted_proxies;
};

#define LA_CONF_METRICS_LOCAL 0 /* default: loopback and Unix sockets */
#define LA_CONF_METRICS_ALL   1
#define LA_CONF_METRICS_OFF   2 /* no /metrics route */

struct la_conf_ratelimit {
	int requests, per; /* default 100 per 60 s */
};

struct la_conf_gzip {
	int min_length; /* bytes of body below which none is compressed,
	                   default 1024 */
};

struct la_conf {
	const char *path;
	const char *db_url; /* database.url, database_url, or
	                       LIGHTAPI_DATABASE_URL */
	struct la_pos db_pos;
	int db_statement_timeout;  /* database.statement_timeout, s; 0: none */
	struct la_dburl db;        /* db_url parsed (la_dburl_parse) */
	const char *swagger_title; /* default "LightAPI" */
	int enable_swagger;        /* default 1 */
	const char *swagger_ui_path; /* Swagger UI's files; NULL: built-in */
	int swagger_ui_cdn; /* without them, load a pinned public copy */
	struct la_strlist cors_origins;
	struct la_strlist middleware; /* names, in order */
	struct la_conf_ratelimit ratelimit;
	struct la_conf_gzip gzip;
	struct {
		const char *auth_path; /* default "/auth" */
		const char *jwt_secret;
		int jwt_expiration;        /* default 3600 */
		const char *jwt_algorithm; /* default "HS256" */
		int jwt_leeway;            /* default 0 */
		struct la_conf_login login;
		int has_login;
		struct la_pos pos;
	} auth;
	struct la_conf_auth default_auth;
	struct la_conf_pagination default_pagination;
	struct la_conf_server server;
	struct {
		size_t shm_size;       /* default 64M */
		const char *redis_url; /* NULL or "" when unset */
	} cache;
	int tables_format; /* 1 when the file used "tables:" */
	struct la_conf_endpoint *endpoints;
	size_t nendpoints;
	struct la_conf_query *queries;
	size_t nqueries;
};

/*
 * Loads path into a struct la_conf allocated in arena. On failure returns
 * NULL and appends one "FILE:LINE:COL: message\n" line per problem to errs
 * (it keeps going after an error where it sensibly can). getenv is passed
 * in so tests and the fuzzer control the environment.
 */
struct la_conf *la_conf_load(const char *path, struct la_arena *arena,
    struct la_buf *errs, const char *(*getenv_fn)(const char *));
/* The same over a buffer; name is used in messages. */
struct la_conf *la_conf_load_mem(const char *name, const char *data, size_t len,
    struct la_arena *arena, struct la_buf *errs,
    const char *(*getenv_fn)(const char *));
/* 1 when the middleware: list names name (a built-in's short name). */
int la_conf_has_middleware(const struct la_conf *c, const char *name);
/* Writes the effective configuration as YAML (for -T). */
void la_conf_dump(const struct la_conf *c, struct la_buf *out);

#endif
