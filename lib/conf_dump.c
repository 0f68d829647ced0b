/*
 * The effective configuration for -T: every value after defaults and
 * ${VAR} expansion, in a YAML that the loader reads back to the same
 * configuration. Secrets are never printed.
 */
#include <stdint.h>
#include <string.h>

#include <yaml.h>

#include "buf.h"
#include "catalog.h"
#include "coldef.h"
#include "la.h"
#include "proxyaddr.h"
#include "yaml_conf.h"
#include "conf_int.h"

/* ---- the effective configuration, for -T --------------------------- */

static void
conf_dump_list(struct la_buf *b, const struct la_strlist *l)
{
	size_t i;

	la_buf_putc(b, '[');
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			la_buf_puts(b, ", ");
		la_conf_node_quote(b, l->v[i]);
	}
	la_buf_putc(b, ']');
}

/*
 * -T output ends up in terminals and bug reports: the password of a URL
 * is replaced, like the JWT secret.
 */
static void
conf_dump_url(struct la_buf *b, const char *url)
{
	const char *auth = strstr(url, "://"), *at, *colon;
	struct la_buf t;

	if (auth == NULL || (at = strchr(auth + 3, '@')) == NULL ||
	    (colon = memchr(auth + 3, ':', (size_t)(at - auth - 3))) == NULL) {
		la_conf_node_quote(b, url);
		return;
	}
	la_buf_init(&t);
	la_buf_append(&t, url, (size_t)(colon - url + 1));
	la_buf_puts(&t, "********");
	la_buf_puts(&t, at);
	la_conf_node_quote(b, t.data);
	la_buf_free(&t);
}

static void
conf_dump_top(const struct la_conf *c, struct la_buf *b)
{
	size_t i;

	la_buf_puts(b, "database:\n  url: ");
	conf_dump_url(b, c->db_url ? c->db_url : "");
	la_buf_printf(b, "\n  statement_timeout: %d", c->db_statement_timeout);
	la_buf_puts(b, "\nswagger_title: ");
	la_conf_node_quote(b, c->swagger_title);
	la_buf_printf(b, "\nenable_swagger: %s",
	    c->enable_swagger ? "true" : "false");
	if (c->swagger_ui_path != NULL) {
		la_buf_puts(b, "\nswagger_ui_path: ");
		la_conf_node_quote(b, c->swagger_ui_path);
	}
	la_buf_printf(b, "\nswagger_ui_cdn: %s\ncors_origins: ",
	    c->swagger_ui_cdn ? "true" : "false");
	conf_dump_list(b, &c->cors_origins);
	la_buf_puts(b, "\nmiddleware:");
	if (c->middleware.n == 0)
		la_buf_puts(b, " []");
	for (i = 0; i < c->middleware.n; i++) {
		if (strcmp(c->middleware.v[i], "RateLimitMiddleware") == 0)
			la_buf_printf(b,
			    "\n  - RateLimitMiddleware: "
			    "{requests: %d, per: %d}",
			    c->ratelimit.requests, c->ratelimit.per);
		else if (strcmp(c->middleware.v[i], "GzipMiddleware") == 0)
			la_buf_printf(b,
			    "\n  - GzipMiddleware: {min_length: %d}",
			    c->gzip.min_length);
		else
			la_buf_printf(b, "\n  - %s", c->middleware.v[i]);
	}
	la_buf_putc(b, '\n');
}

static void
conf_dump_login(const struct la_conf_login *l, struct la_buf *b)
{
	la_buf_puts(b, "  login_validator: {");
	if (l->file != NULL) {
		la_buf_puts(b, "file: ");
		la_conf_node_quote(b, l->file);
	} else {
		la_buf_printf(b,
		    "table: %s, username_field: %s, password_field: %s, "
		    "claims: ",
		    l->table, l->username_field, l->password_field);
		conf_dump_list(b, &l->claims);
	}
	la_buf_puts(b, "}\n");
}

static void
conf_dump_auth(const struct la_conf *c, struct la_buf *b)
{
	la_buf_puts(b, "auth:\n  auth_path: ");
	la_conf_node_quote(b, c->auth.auth_path);
	if (c->auth.jwt_secret != NULL)
		la_buf_puts(b, "\n  jwt_secret: \"********\"");
	la_buf_printf(b,
	    "\n  jwt_expiration: %d\n  jwt_algorithm: %s\n"
	    "  jwt_leeway: %d\n",
	    c->auth.jwt_expiration, c->auth.jwt_algorithm, c->auth.jwt_leeway);
	if (c->auth.has_login)
		conf_dump_login(&c->auth.login, b);
}

/* A permission set for all five verbs alike is written as one name. */
static void
conf_dump_perm(const struct la_conf_auth *au, struct la_buf *b)
{
	int i, same = 1, first = 1;

	for (i = 1; i < LA_NVERBS; i++)
		if (au->permission[i] == NULL || au->permission[0] == NULL ||
		    strcmp(au->permission[i], au->permission[0]) != 0)
			same = 0;
	if (same) {
		la_buf_printf(b, "permission: %s", au->permission[0]);
		return;
	}
	la_buf_puts(b, "permission: {");
	for (i = 0; i < LA_NVERBS; i++) {
		if (au->permission[i] == NULL)
			continue;
		la_buf_printf(b, "%s%s: %s", first ? "" : ", ",
		    la_verb_name(1u << i), au->permission[i]);
		first = 0;
	}
	la_buf_putc(b, '}');
}

static void
conf_dump_authcfg(const struct la_conf_auth *au, struct la_buf *b)
{
	const char *sep = "";
	int i, perm = 0;

	for (i = 0; i < LA_NVERBS; i++)
		perm |= au->permission[i] != NULL;
	la_buf_putc(b, '{');
	if (au->backend != NULL) {
		la_buf_printf(b, "backend: %s", au->backend);
		sep = ", ";
	}
	if (perm) {
		la_buf_puts(b, sep);
		conf_dump_perm(au, b);
		sep = ", ";
	}
	if (au->jwt_expiration > 0) {
		la_buf_printf(b, "%sjwt_expiration: %d", sep,
		    au->jwt_expiration);
		sep = ", ";
	}
	if (au->jwt_algorithm != NULL) {
		la_buf_printf(b, "%sjwt_algorithm: %s", sep, au->jwt_algorithm);
		sep = ", ";
	}
	if (au->has_extra_claims) {
		la_buf_printf(b, "%sjwt_extra_claims: ", sep);
		conf_dump_list(b, &au->jwt_extra_claims);
	}
	la_buf_putc(b, '}');
}

static int
conf_auth_set(const struct la_conf_auth *au)
{
	int i;

	for (i = 0; i < LA_NVERBS; i++)
		if (au->permission[i] != NULL)
			return (1);
	return (au->backend != NULL || au->jwt_expiration > 0 ||
	        au->jwt_algorithm != NULL || au->has_extra_claims);
}

static void
conf_dump_page(const struct la_conf_pagination *pg, struct la_buf *b)
{
	if (pg->style == LA_PAGE_NONE) {
		la_buf_printf(b, "{max_page_size: %d}", pg->max_page_size);
		return;
	}
	static const char *const modes[] = {"exact", "estimated", "none"};

	la_buf_printf(b, "{style: %s, page_size: %d, max_page_size: %d",
	    pg->style == LA_PAGE_CURSOR ? "cursor" : "page_number",
	    pg->page_size, pg->max_page_size);
	/* The counting keys only where they leave their defaults. */
	if (pg->count != LA_COUNT_EXACT)
		la_buf_printf(b, ", count: %s", modes[pg->count]);
	if (pg->count_ttl != LA_CONF_COUNT_TTL)
		la_buf_printf(b, ", count_ttl: %d", pg->count_ttl);
	la_buf_putc(b, '}');
}

static void
conf_dump_defaults(const struct la_conf *c, struct la_buf *b)
{
	if (!conf_auth_set(&c->default_auth) && !c->default_pagination.set)
		return;
	la_buf_puts(b, "defaults:\n");
	if (conf_auth_set(&c->default_auth)) {
		la_buf_puts(b, "  authentication: ");
		conf_dump_authcfg(&c->default_auth, b);
		la_buf_putc(b, '\n');
	}
	if (c->default_pagination.set) {
		la_buf_puts(b, "  pagination: ");
		conf_dump_page(&c->default_pagination, b);
		la_buf_putc(b, '\n');
	}
}

static void
conf_dump_opt(struct la_buf *b, const char *key, const char *v)
{
	if (v == NULL)
		return;
	la_buf_printf(b, "  %s: ", key);
	la_conf_node_quote(b, v);
	la_buf_putc(b, '\n');
}

static void
conf_dump_proxies(const struct la_conf_server *s, struct la_buf *b)
{
	char net[LA_CIDR_LEN];
	size_t i;

	if (s->trusted_proxies == NULL)
		return;
	la_buf_puts(b, "  trusted_proxies: [");
	for (i = 0; i < s->ntrusted_proxies; i++) {
		la_cidr_format(&s->trusted_proxies[i], net);
		la_buf_printf(b, "%s\"%s\"", i > 0 ? ", " : "", net);
	}
	la_buf_puts(b, "]\n");
}

static void
conf_dump_server(const struct la_conf_server *s, struct la_buf *b)
{
	struct la_strlist l = s->listen;

	/* The daemon appends metrics_listen to listen: print it once. */
	if (s->metrics_listen != NULL && l.n > 1 &&
	    strcmp(l.v[l.n - 1], s->metrics_listen) == 0)
		l.n--;
	la_buf_puts(b, "server:\n  listen: ");
	conf_dump_list(b, &l);
	if (s->workers == 0)
		la_buf_puts(b, "\n  workers: auto\n");
	else
		la_buf_printf(b, "\n  workers: %d\n", s->workers);
	conf_dump_opt(b, "user", s->user);
	conf_dump_opt(b, "group", s->group);
	conf_dump_opt(b, "pid_file", s->pid_file);
	conf_dump_opt(b, "error_log", s->error_log);
	conf_dump_opt(b, "access_log", s->access_log);
	la_buf_printf(b,
	    "  max_body_size: %zu\n  max_header_size: %zu\n"
	    "  header_timeout: %d\n  body_timeout: %d\n"
	    "  keepalive_timeout: %d\n  keepalive_requests: %d\n"
	    "  shutdown_timeout: %d\n  max_connections: %d\n"
	    "  trust_proxy: %s\n",
	    s->max_body_size, s->max_header_size, s->header_timeout,
	    s->body_timeout, s->keepalive_timeout, s->keepalive_requests,
	    s->shutdown_timeout, s->max_connections,
	    s->trust_proxy ? "true" : "false");
	la_buf_printf(b, "  metrics: %s\n",
	    s->metrics == LA_CONF_METRICS_ALL   ? "all"
	    : s->metrics == LA_CONF_METRICS_OFF ? "off"
	                                        : "local");
	conf_dump_opt(b, "metrics_listen", s->metrics_listen);
	conf_dump_proxies(s, b);
}

static void
conf_dump_cache(const struct la_conf *c, struct la_buf *b)
{
	la_buf_printf(b, "cache:\n  shm_size: %zu\n", c->cache.shm_size);
	if (c->cache.redis_url != NULL) {
		la_buf_puts(b, "  redis_url: ");
		conf_dump_url(b, c->cache.redis_url);
		la_buf_putc(b, '\n');
	}
}

static void
conf_dump_bound(struct la_buf *b, const struct la_col_def *d, uint32_t f,
    const char *name, double v)
{
	if ((d->flags & f) == 0)
		return;
	la_buf_printf(b, ", %s: ", name);
	la_conf_read_put_double(b, v);
}

static void
conf_dump_flags(struct la_buf *b, const struct la_col_def *d)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} flags[] = {{LA_COL_NULLABLE, "optional"}, {LA_COL_UNIQUE, "unique"},
	    {LA_COL_INDEX, "index"}, {LA_COL_EXCLUDE, "exclude"}};
	size_t i;

	for (i = 0; i < LA_NELEM(flags); i++)
		if (d->flags & flags[i].flag)
			la_buf_printf(b, ", %s: true", flags[i].name);
}

static void
conf_dump_field(struct la_buf *b, const struct la_col_def *d)
{
	la_buf_printf(b, "      %s: {type: %s", d->name, la_type_name(d->type));
	conf_dump_flags(b, d);
	if (d->flags & LA_COL_DEFAULT)
		la_buf_printf(b, ", default: %s", d->dflt);
	if (d->min_length >= 0)
		la_buf_printf(b, ", min_length: %lld",
		    (long long)d->min_length);
	if (d->max_length >= 0)
		la_buf_printf(b, ", max_length: %lld",
		    (long long)d->max_length);
	conf_dump_bound(b, d, LA_COL_GT, "gt", d->gt);
	conf_dump_bound(b, d, LA_COL_GE, "ge", d->ge);
	conf_dump_bound(b, d, LA_COL_LT, "lt", d->lt);
	conf_dump_bound(b, d, LA_COL_LE, "le", d->le);
	if (d->decimal_places >= 0)
		la_buf_printf(b, ", decimal_places: %d",
		    (int)d->decimal_places);
	if (d->max_digits >= 0)
		la_buf_printf(b, ", max_digits: %d", (int)d->max_digits);
	if (d->pattern != NULL) {
		la_buf_puts(b, ", pattern: ");
		la_conf_node_quote(b, d->pattern);
	}
	if (d->fk_table != NULL)
		la_buf_printf(b, ", foreign_key: %s.%s", d->fk_table,
		    d->fk_col);
	if (d->description != NULL) {
		la_buf_puts(b, ", description: ");
		la_conf_node_quote(b, d->description);
	}
	la_buf_puts(b, "}\n");
}

static void
conf_dump_methods(const struct la_conf_endpoint *e, struct la_buf *b)
{
	const char *p;
	int i, first = 1;

	la_buf_puts(b,
	    e->methods_map ? "      methods: {" : "      methods: [");
	for (i = 0; i < LA_NVERBS; i++) {
		if ((e->methods & (1u << i)) == 0)
			continue;
		la_buf_printf(b, "%s%s", first ? "" : ", ",
		    la_verb_name(1u << i));
		first = 0;
		if (!e->methods_map)
			continue;
		if ((p = e->verb_auth.permission[i]) == NULL)
			la_buf_puts(b, ": null");
		else if (e->verb_auth.backend != NULL)
			la_buf_printf(b,
			    ": {authentication: {backend: %s, permission: %s}}",
			    e->verb_auth.backend, p);
		else
			la_buf_printf(b, ": {authentication: {permission: %s}}",
			    p);
	}
	la_buf_puts(b, e->methods_map ? "}\n" : "]\n");
}

static void
conf_dump_named(struct la_buf *b, const char *indent, const char *name,
    const struct la_strlist *l)
{
	if (l->n == 0)
		return;
	la_buf_printf(b, "%s%s: ", indent, name);
	conf_dump_list(b, l);
	la_buf_putc(b, '\n');
}

/* meta.where and meta.set in the per-verb form, which says everything. */
static void
conf_dump_scope(struct la_buf *b, const char *key,
    const struct la_conf_scope *sc)
{
	const struct la_conf_scope_item *it;
	size_t i, n;
	int vi;

	if (sc->n == 0)
		return;
	la_buf_printf(b, "      %s:\n", key);
	for (vi = 0; vi < LA_NVERBS; vi++) {
		for (i = 0, n = 0; i < sc->n; i++) {
			it = &sc->v[i];
			if (!(it->verbs & (1u << vi)))
				continue;
			if (n++ == 0)
				la_buf_printf(b, "        %s: {",
				    la_verb_name(1u << vi));
			else
				la_buf_puts(b, ", ");
			la_buf_printf(b, "%s: ", it->col);
			if (it->claim != NULL)
				la_buf_printf(b, "\"{user.%s}\"", it->claim);
			else if (it->value != NULL)
				la_conf_node_quote(b, it->value);
			else
				la_buf_puts(b, "null");
		}
		if (n > 0)
			la_buf_puts(b, "}\n");
	}
}

static void
conf_dump_meta(const struct la_conf_endpoint *e, struct la_buf *b)
{
	size_t i;
	int first = 0;

	la_buf_printf(b, "    meta:\n      table: %s\n", e->table);
	conf_dump_methods(e, b);
	if (conf_auth_set(&e->auth)) {
		la_buf_puts(b, "      authentication: ");
		conf_dump_authcfg(&e->auth, b);
		la_buf_putc(b, '\n');
	}
	if (e->filter.n + e->search.n + e->ordering.n > 0) {
		la_buf_puts(b, "      filtering:\n        backends: [");
		for (i = 0; i < LA_NELEM(la_conf_meta_filter_backends); i++)
			if (e->filter_backends & (1u << i))
				la_buf_printf(b, "%s%s", first++ ? ", " : "",
				    la_conf_meta_filter_backends[i]);
		la_buf_puts(b, "]\n");
		conf_dump_named(b, "        ", "fields", &e->filter);
		conf_dump_named(b, "        ", "search", &e->search);
		conf_dump_named(b, "        ", "ordering", &e->ordering);
	}
	if (e->pagination.set) {
		la_buf_puts(b, "      pagination: ");
		conf_dump_page(&e->pagination, b);
		la_buf_putc(b, '\n');
	}
	if (e->cache_ttl > 0)
		la_buf_printf(b, "      cache: {ttl: %d}\n", e->cache_ttl);
	if (e->ser_fields.n + e->ser_read.n + e->ser_write.n > 0) {
		la_buf_puts(b, "      serializer:\n");
		conf_dump_named(b, "        ", "fields", &e->ser_fields);
		conf_dump_named(b, "        ", "read", &e->ser_read);
		conf_dump_named(b, "        ", "write", &e->ser_write);
	}
	conf_dump_scope(b, "where", &e->where);
	conf_dump_scope(b, "set", &e->set);
	conf_dump_named(b, "      ", "expand", &e->expand);
	if (e->expand.n > 0)
		la_buf_printf(b, "      expand_limit: %d\n",
		    e->expand_limit > 0 ? e->expand_limit : 100);
}

static void
conf_dump_endpoint(const struct la_conf_endpoint *e, struct la_buf *b)
{
	static const char *const reflect[] = {"false", "true", "partial"};
	size_t i;

	la_buf_puts(b, "  - route: ");
	la_conf_node_quote(b, e->route);
	la_buf_printf(b, "\n    reflect: %s\n", reflect[e->reflect]);
	if (e->nfields > 0)
		la_buf_puts(b, "    fields:\n");
	for (i = 0; i < e->nfields; i++)
		conf_dump_field(b, &e->fields[i]);
	conf_dump_meta(e, b);
}

static void
conf_dump_query(const struct la_conf_query *q, struct la_buf *b)
{
	const struct la_conf_endpoint *e = &q->ep;
	size_t i;

	la_buf_puts(b, "  - route: ");
	la_conf_node_quote(b, e->route);
	la_buf_puts(b, "\n    sql: ");
	la_conf_node_quote(b, q->sql);
	la_buf_putc(b, '\n');
	if (e->nfields > 0)
		la_buf_puts(b, "    params:\n");
	for (i = 0; i < e->nfields; i++)
		conf_dump_field(b, &e->fields[i]);
	la_buf_printf(b, "    methods: [%s%s%s]\n",
	    e->methods & LA_M_GET ? "GET" : "",
	    e->methods == (LA_M_GET | LA_M_POST) ? ", " : "",
	    e->methods & LA_M_POST ? "POST" : "");
	if (conf_auth_set(&e->auth)) {
		la_buf_puts(b, "    authentication: ");
		conf_dump_authcfg(&e->auth, b);
		la_buf_putc(b, '\n');
	}
	if (e->pagination.set) {
		la_buf_puts(b, "    pagination: ");
		conf_dump_page(&e->pagination, b);
		la_buf_putc(b, '\n');
	}
	la_buf_printf(b, "    write: %s\n", q->write ? "true" : "false");
	conf_dump_named(b, "    ", "invalidates", &q->invalidates);
}

/* A newline in a file name would end the comment and start YAML. */
static void
conf_dump_comment(struct la_buf *b, const char *path)
{
	la_buf_puts(b, "# effective configuration of ");
	for (; *path != '\0'; path++)
		la_buf_putc(b,
		    (unsigned char)*path < 0x20 || (unsigned char)*path >= 0x7f
		        ? '?'
		        : *path);
	la_buf_putc(b, '\n');
}

void
la_conf_dump(const struct la_conf *c, struct la_buf *out)
{
	size_t i;

	conf_dump_comment(out, c->path ? c->path : "(none)");
	conf_dump_top(c, out);
	conf_dump_auth(c, out);
	conf_dump_defaults(c, out);
	conf_dump_server(&c->server, out);
	conf_dump_cache(c, out);
	la_buf_puts(out, c->nendpoints ? "endpoints:\n" : "endpoints: []\n");
	for (i = 0; i < c->nendpoints; i++)
		conf_dump_endpoint(&c->endpoints[i], out);
	if (c->nqueries > 0)
		la_buf_puts(out, "queries:\n");
	for (i = 0; i < c->nqueries; i++)
		conf_dump_query(&c->queries[i], out);
}
