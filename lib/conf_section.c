/*
 * The top-level sections: database, auth (with login), defaults,
 * middleware, server, cache, mode and the LightAPI spellings of them. Each
 * is a key table over the walker; endpoints are left to conf_endpoint.
 */
#include <stdint.h>
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "la.h"
#include "proxyaddr.h"
#include "str.h"
#include "yaml_conf.h"
#include "conf_int.h"

/* AuthenticationMiddleware and Middleware do nothing when named in YAML,
 * in LightAPI as here; they are accepted so its files load unchanged. */
static const char *const conf_middlewares[] = {"CORSMiddleware",
    "RateLimitMiddleware", "RequestIdMiddleware", "GzipMiddleware",
    "AuthenticationMiddleware", "Middleware"};

/* ---- top-level sections ------------------------------------------- */

static void
conf_db_url(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	const char *s;

	if (c->db_pos.line != 0) {
		la_conf_node_err(x, v,
		    "the database URL is already set at %d:%d", c->db_pos.line,
		    c->db_pos.col);
		return;
	}
	if (la_conf_node_is_null(v))
		return;
	/* Set even on error: it also says the failure is reported. */
	c->db_pos = la_conf_node_pos(v);
	if ((s = la_conf_read_str(x, v, path)) != NULL)
		c->db_url = s;
}

static const struct conf_key conf_database_keys[] = {
    K_FN("url", conf_db_url),
    K("statement_timeout", CONF_INT, struct la_conf, db_statement_timeout, 0),
};

static void
conf_database(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	la_conf_read_map(x, v, path, conf_database_keys,
	    LA_NELEM(conf_database_keys), obj);
}

static void
conf_au_path(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	const char *s;
	size_t n;

	if ((s = la_conf_read_str(x, v, path)) == NULL)
		return;
	n = strlen(s);
	if (n > 0 && (s[0] != '/' || !la_conf_endpoint_route_ok(s))) {
		la_conf_node_err(x, v, "%s must be a path starting with '/'",
		    path);
		return;
	}
	/* "/" puts the login routes at /login and /token. */
	if (n > 0 && s[n - 1] == '/')
		n--;
	c->auth.auth_path = la_arena_strndup(x->a, s, n);
}

static void
conf_au_secret(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;

	if (la_conf_node_is_null(v))
		return;
	x->secret = v;
	c->auth.jwt_secret = la_conf_read_str(x, v, path);
}

static void
conf_au_alg(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	const char *s;

	if ((s = la_conf_read_str(x, v, path)) == NULL ||
	    la_conf_meta_algorithm(x, v, s, path) != 0)
		return;
	c->auth.jwt_algorithm = s;
}

static const struct conf_key conf_login_keys[] = {
    K("table", CONF_IDENT, struct la_conf_login, table, 0),
    K("username_field", CONF_IDENT, struct la_conf_login, username_field, 0),
    K("password_field", CONF_IDENT, struct la_conf_login, password_field, 0),
    K("claims", CONF_LIST, struct la_conf_login, claims, 0),
    K("file", CONF_STR, struct la_conf_login, file, 0),
};

static void
conf_au_login(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	struct la_conf_login *l = &c->auth.login;
	const char *s;
	int t, f;

	l->pos = la_conf_node_pos(v);
	if (v->type == YAML_SCALAR_NODE &&
	    (s = la_conf_read_str(x, v, path)) != NULL) {
		if (strchr(s, '.') != NULL)
			la_conf_node_err(x, v,
			    "'%s' in %s is a Python import path: lightapid "
			    "runs "
			    "no Python code; use {table: …, username_field: …, "
			    "password_field: …} or {file: PATH}",
			    s, path);
		else
			la_conf_node_err(x, v, "expected a mapping for %s",
			    path);
		return;
	}
	if (la_conf_read_map(x, v, path, conf_login_keys,
	        LA_NELEM(conf_login_keys), l) == -1)
		return;
	c->auth.has_login = 1;
	t = la_conf_read_get(x, v, "table") != NULL;
	f = la_conf_read_get(x, v, "file") != NULL;
	if (t == f)
		la_conf_node_err(x, v,
		    "%s needs exactly one of 'table' and 'file'", path);
	if (f && (la_conf_read_get(x, v, "username_field") != NULL ||
	             la_conf_read_get(x, v, "password_field") != NULL ||
	             la_conf_read_get(x, v, "claims") != NULL))
		la_conf_node_err(x, v,
		    "%s: a 'file' validator takes no column names", path);
}

static const struct conf_key conf_auth_section_keys[] = {
    K_FN("auth_path", conf_au_path),
    K_FN("jwt_secret", conf_au_secret),
    K("jwt_expiration", CONF_INT, struct la_conf, auth.jwt_expiration, 1),
    K_FN("jwt_algorithm", conf_au_alg),
    K("jwt_leeway", CONF_INT, struct la_conf, auth.jwt_leeway, 0),
    K_FN("login_validator", conf_au_login),
};

static void
conf_auth(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;

	c->auth.pos = la_conf_node_pos(v);
	la_conf_read_map(x, v, path, conf_auth_section_keys,
	    LA_NELEM(conf_auth_section_keys), c);
}

static void
conf_d_authentication(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	la_conf_meta_auth(x, v, &((struct la_conf *)obj)->default_auth, path);
}

static void
conf_d_pagination(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	la_conf_meta_pagination(x, v,
	    &((struct la_conf *)obj)->default_pagination, path);
}

static const struct conf_key conf_defaults_keys[] = {
    K_FN("authentication", conf_d_authentication),
    K_FN("pagination", conf_d_pagination),
};

static void
conf_defaults(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	la_conf_read_map(x, v, path, conf_defaults_keys,
	    LA_NELEM(conf_defaults_keys), obj);
}

static const struct conf_key conf_ratelimit_keys[] = {
    K("requests", CONF_INT, struct la_conf_ratelimit, requests, 1),
    K("per", CONF_INT, struct la_conf_ratelimit, per, 1),
};

static const struct conf_key conf_gzip_keys[] = {
    K("min_length", CONF_INT, struct la_conf_gzip, min_length, 0),
};

/* One middleware item: a name, or { Name: options }. */
static const char *
conf_mw_item(struct conf_ctx *x, yaml_node_t *e, const char *path)
{
	yaml_node_t *k = e, *opts = NULL;
	const char *name;

	if (e->type == YAML_MAPPING_NODE) {
		if (e->data.mapping.pairs.top - e->data.mapping.pairs.start !=
		    1) {
			la_conf_node_err(x, e,
			    "expected one middleware name in %s", path);
			return (NULL);
		}
		k = la_conf_node_get(x, e->data.mapping.pairs.start->key);
		opts = la_conf_node_get(x, e->data.mapping.pairs.start->value);
	}
	if ((name = la_conf_read_str(x, k, path)) == NULL ||
	    (name = la_conf_node_class(x, k, name, path,
	         "the built-in middlewares are CORSMiddleware, "
	         "RateLimitMiddleware, RequestIdMiddleware and "
	         "GzipMiddleware")) == NULL)
		return (NULL);
	if (la_conf_node_find(conf_middlewares, LA_NELEM(conf_middlewares),
	        name) == -1) {
		la_conf_node_err(x, k, "unknown middleware '%s' in %s (%s)",
		    name, path,
		    la_conf_node_choices(x, conf_middlewares,
		        LA_NELEM(conf_middlewares)));
		return (NULL);
	}
	if (opts == NULL || la_conf_node_is_null(opts))
		return (name);
	if (strcmp(name, "RateLimitMiddleware") == 0)
		la_conf_read_map(x, opts, la_conf_node_path(x, path, name),
		    conf_ratelimit_keys, LA_NELEM(conf_ratelimit_keys),
		    &x->c->ratelimit);
	else if (strcmp(name, "GzipMiddleware") == 0)
		la_conf_read_map(x, opts, la_conf_node_path(x, path, name),
		    conf_gzip_keys, LA_NELEM(conf_gzip_keys), &x->c->gzip);
	else
		la_conf_node_err(x, opts, "middleware '%s' takes no options",
		    name);
	return (name);
}

static void
conf_middleware(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_strlist *l = &((struct la_conf *)obj)->middleware;
	yaml_node_item_t *it;
	const char *name;
	size_t i = 0;

	if (la_conf_node_is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		la_conf_node_err(x, v, "expected a list for %s", path);
		return;
	}
	it = v->data.sequence.items.start;
	l->v = la_arena_calloc(x->a,
	    (size_t)(v->data.sequence.items.top - it) + 1, sizeof(*l->v));
	for (; it < v->data.sequence.items.top; it++, i++) {
		if (la_conf_node_visit(x, la_conf_node_get(x, *it)) == -1 ||
		    (name = conf_mw_item(x, la_conf_node_get(x, *it),
		         la_conf_node_ipath(x, path, i))) == NULL)
			continue;
		if (la_conf_node_find(l->v, l->n, name) != -1)
			la_conf_node_err(x, la_conf_node_get(x, *it),
			    "middleware '%s' is listed twice", name);
		else
			l->v[l->n++] = name;
	}
}

/* "ADDR:PORT", "[V6]:PORT" or a bare port; NULL if none of those. */
static const char *
conf_listen_addr(struct conf_ctx *x, const char *s)
{
	const char *colon = strrchr(s, ':'), *port = colon ? colon + 1 : s;
	int64_t p;

	if (la_str_to_i64(port, strlen(port), &p) == -1 || p < 1 || p > 65535 ||
	    port[0] == '+' || port[0] == '-')
		return (NULL);
	if (colon == NULL)
		return (la_arena_printf(x->a, "0.0.0.0:%s", s));
	if (colon == s || (s[0] == '[' && colon[-1] != ']') ||
	    (s[0] != '[' && memchr(s, ':', (size_t)(colon - s)) != NULL))
		return (NULL);
	return (s);
}

static int
conf_listen_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct la_strlist *l = arg;
	const char *a;

	if ((a = conf_listen_addr(x, s)) == NULL) {
		la_conf_node_err(x, n,
		    "bad listen address '%s' (expected ADDR:PORT)", s);
		return (-1);
	}
	l->v[l->n++] = a;
	return (0);
}

static void
conf_s_listen(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_strlist *l = &((struct la_conf_server *)obj)->listen, in;

	in.n = 0;
	in.pos = NULL;
	in.v = la_arena_calloc(x->a, la_conf_read_nitems(v) + 1, sizeof(*in.v));
	if (la_conf_read_items(x, v, path, conf_listen_add, &in) == -1)
		return;
	if (la_conf_read_nitems(v) == 0)
		la_conf_node_err(x, v, "%s is empty", path);
	else if (in.n == la_conf_read_nitems(v))
		*l = in;
}

static void
conf_s_workers(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_server *s = obj;

	if (v->type == YAML_SCALAR_NODE &&
	    strcmp((const char *)v->data.scalar.value, "auto") == 0) {
		s->workers = 0;
		return;
	}
	la_conf_read_int(x, v, path, 1, &s->workers);
}

/* Who may read /metrics: "local" (the default), "all" or "off". */
static void
conf_s_metrics(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	static const char *const names[] = {"local", "all", "off"};
	struct la_conf_server *s = obj;
	const char *str;
	size_t i;

	if ((str = la_conf_read_str(x, v, path)) == NULL)
		return;
	for (i = 0; i < LA_NELEM(names); i++)
		if (strcmp(str, names[i]) == 0) {
			s->metrics = (int)i;
			return;
		}
	la_conf_node_err(x, v, "%s must be 'local', 'all' or 'off', got '%s'",
	    path, str);
}

static void
conf_s_metrics_listen(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	const char *one[1], *s;
	struct la_strlist l = {one, 0, NULL};

	if ((s = la_conf_read_str(x, v, path)) != NULL &&
	    conf_listen_add(x, v, s, &l) == 0)
		((struct la_conf_server *)obj)->metrics_listen = one[0];
}

static int
conf_proxy_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct la_conf_server *sv = arg;

	if (la_cidr_parse(s, &sv->trusted_proxies[sv->ntrusted_proxies]) != 0) {
		la_conf_node_err(x, n,
		    "bad trusted proxy '%s' (expected an IPv4 or IPv6 address "
		    "or ADDR/BITS)",
		    s);
		return (-1);
	}
	sv->ntrusted_proxies++;
	return (0);
}

/* server.trusted_proxies: addresses and networks (CIDR). */
static void
conf_s_proxies(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_server *sv = obj;

	if (la_conf_node_is_null(v))
		return;
	sv->ntrusted_proxies = 0;
	sv->trusted_proxies = la_arena_calloc(x->a, la_conf_read_nitems(v) + 1,
	    sizeof(*sv->trusted_proxies));
	if (la_conf_read_items(x, v, path, conf_proxy_add, sv) == -1)
		return;
	if (la_conf_read_nitems(v) == 0)
		la_conf_node_err(x, v,
		    "%s is empty (leave it out to trust loopback only)", path);
}

static const struct conf_key conf_server_keys[] = {
    K_FN("listen", conf_s_listen),
    K_FN("workers", conf_s_workers),
    K("user", CONF_STR, struct la_conf_server, user, 0),
    K("group", CONF_STR, struct la_conf_server, group, 0),
    K("pid_file", CONF_STR, struct la_conf_server, pid_file, 0),
    K("error_log", CONF_STR, struct la_conf_server, error_log, 0),
    K("access_log", CONF_STR, struct la_conf_server, access_log, 0),
    K("max_body_size", CONF_SIZE, struct la_conf_server, max_body_size, 0),
    K("max_header_size", CONF_SIZE, struct la_conf_server, max_header_size, 0),
    K("header_timeout", CONF_INT, struct la_conf_server, header_timeout, 1),
    K("body_timeout", CONF_INT, struct la_conf_server, body_timeout, 1),
    K("keepalive_timeout", CONF_INT, struct la_conf_server, keepalive_timeout,
        0),
    K("keepalive_requests", CONF_INT, struct la_conf_server, keepalive_requests,
        1),
    K("shutdown_timeout", CONF_INT, struct la_conf_server, shutdown_timeout, 0),
    K("max_connections", CONF_INT, struct la_conf_server, max_connections, 1),
    K("trust_proxy", CONF_BOOL, struct la_conf_server, trust_proxy, 0),
    K_FN("metrics", conf_s_metrics),
    K_FN("metrics_listen", conf_s_metrics_listen),
    K_FN("trusted_proxies", conf_s_proxies),
};

static void
conf_server(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	la_conf_read_map(x, v, path, conf_server_keys,
	    LA_NELEM(conf_server_keys), &((struct la_conf *)obj)->server);
}

static const struct conf_key conf_cache_keys[] = {
    K("shm_size", CONF_SIZE, struct la_conf, cache.shm_size, 0),
    K("redis_url", CONF_STR, struct la_conf, cache.redis_url, 0),
};

static void
conf_cache(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	la_conf_read_map(x, v, path, conf_cache_keys, LA_NELEM(conf_cache_keys),
	    obj);
}

/* LightAPI picks sync or async Python code; a worker here serves one
 * request at a time either way, so the key is checked and ignored. */
static void
conf_mode(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	const char *s;

	(void)obj;
	if (la_conf_node_is_null(v) ||
	    (s = la_conf_read_str(x, v, path)) == NULL)
		return;
	if (strcmp(s, "sync") != 0 && strcmp(s, "async") != 0)
		la_conf_node_err(x, v,
		    "mode must be 'sync' or 'async', got '%s'", s);
}

static const struct conf_key conf_top_keys[] = {
    K_FN("database", conf_database),
    K_FN("database_url", conf_db_url),
    K("cors_origins", CONF_LIST, struct la_conf, cors_origins, 0),
    K("swagger_title", CONF_STR, struct la_conf, swagger_title, 0),
    K("enable_swagger", CONF_BOOL, struct la_conf, enable_swagger, 0),
    K("swagger_ui_path", CONF_STR, struct la_conf, swagger_ui_path, 0),
    K("swagger_ui_cdn", CONF_BOOL, struct la_conf, swagger_ui_cdn, 0),
    K_FN("auth", conf_auth),
    K_FN("defaults", conf_defaults),
    K_FN("middleware", conf_middleware),
    K_FN("server", conf_server),
    K_FN("cache", conf_cache),
    K_FN("endpoints", la_conf_endpoint_list),
    K_FN("tables", la_conf_endpoint_tables),
    K_FN("queries", la_conf_query_list),
    K_FN("mode", conf_mode),
};

/* Walks the top-level mapping root into x->c. */
void
la_conf_section_read(struct conf_ctx *x, yaml_node_t *root)
{
	la_conf_read_map(x, root, "", conf_top_keys, LA_NELEM(conf_top_keys),
	    x->c);
}
