/*
 * The configuration loader (la_conf_load, declared with the configuration
 * types in yaml_conf.h). libyaml's document API gives a node tree that
 * keeps every node's position; the tree is walked against one key table
 * per section, so adding a key costs a table row, and every problem is
 * reported as "FILE:LINE:COL: message" at the node that caused it. The
 * walk goes on after an error so that one run of -t shows as many problems
 * as it can. Everything the result points to lives in the caller's arena.
 *
 * This file reads the text, runs the walk (conf_section.c and the files
 * under it, see conf_int.h) and then makes the checks that need more than
 * one section; conf_dump.c prints the result for -T. It is the top of the
 * loader: nothing else in lib/ calls into it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "buf.h"
#include "dburl.h"
#include "la.h"
#include "yaml_conf.h"
#include "conf_int.h"

#define CONF_MAX_FILE (16 * 1024 * 1024)

/* ---- checks across sections --------------------------------------- */

static void
conf_init(struct la_conf *c, const char *name, struct la_arena *a)
{
	memset(c, 0, sizeof(*c));
	c->path = name;
	c->swagger_title = "LightAPI";
	c->enable_swagger = 1;
	c->ratelimit.requests = 100;
	c->ratelimit.per = 60;
	c->gzip.min_length = 1024;
	c->auth.auth_path = "/auth";
	c->auth.jwt_expiration = 3600;
	c->auth.jwt_algorithm = "HS256";
	c->auth.login.username_field = "username";
	c->auth.login.password_field = "password";
	c->server.listen.v = la_arena_calloc(a, 2, sizeof(*c->server.listen.v));
	c->server.listen.v[0] = "0.0.0.0:8000";
	c->server.listen.n = 1;
	c->server.max_body_size = 1024 * 1024;
	c->server.max_header_size = 8 * 1024;
	c->server.header_timeout = 10;
	c->server.body_timeout = 30;
	c->server.keepalive_timeout = 75;
	c->server.keepalive_requests = 1000;
	c->server.shutdown_timeout = 30;
	c->db_statement_timeout = 30;
	c->server.max_connections = 1024;
	c->cache.shm_size = 64 * 1024 * 1024;
}

/* The environment stands in for settings the file leaves out. */
static void
conf_env_fallbacks(struct conf_ctx *x)
{
	struct la_conf *c = x->c;
	const char *v;

	if (x->getenv_fn == NULL)
		return;
	if (c->db_url == NULL &&
	    (v = x->getenv_fn("LIGHTAPI_DATABASE_URL")) != NULL && *v != '\0')
		c->db_url = la_arena_strdup(x->a, v);
	if (c->auth.jwt_secret == NULL &&
	    (v = x->getenv_fn("LIGHTAPI_JWT_SECRET")) != NULL)
		c->auth.jwt_secret = la_arena_strdup(x->a, v);
	if (c->cache.redis_url == NULL &&
	    (v = x->getenv_fn("LIGHTAPI_REDIS_URL")) != NULL)
		c->cache.redis_url = la_arena_strdup(x->a, v);
}

static void
conf_check_db(struct conf_ctx *x)
{
	struct la_conf *c = x->c;
	struct la_pos p = la_conf_node_pos_or_top(c->db_pos);
	char err[256];

	if (c->db_url == NULL && c->db_pos.line == 0) {
		la_conf_node_errat(x, 1, 1,
		    "no database configured: set database.url or "
		    "LIGHTAPI_DATABASE_URL");
		return;
	}
	if (c->db_url != NULL &&
	    la_dburl_parse(c->db_url, &c->db, x->a, err, sizeof(err)) == -1)
		la_conf_node_errat(x, p.line, p.col, "bad database URL: %s",
		    err);
}

static int
conf_uses(const struct la_conf_auth *au, const char *backend)
{
	return (au->backend != NULL && strcmp(au->backend, backend) == 0);
}

/* A backend named anywhere needs its secret or its validator. */
static void
conf_check_backend(struct conf_ctx *x, const struct la_conf_auth *au)
{
	struct la_conf *c = x->c;
	struct la_pos p = la_conf_node_pos_or_top(au->pos);

	/* A secret that failed to expand has been reported already. */
	if (conf_uses(au, "JWTAuthentication") &&
	    (x->secret == NULL || c->auth.jwt_secret != NULL) &&
	    (c->auth.jwt_secret == NULL || c->auth.jwt_secret[0] == '\0'))
		la_conf_node_errat(x, p.line, p.col,
		    "JWTAuthentication needs auth.jwt_secret or "
		    "LIGHTAPI_JWT_SECRET");
	if (conf_uses(au, "BasicAuthentication") && !c->auth.has_login)
		la_conf_node_errat(x, p.line, p.col,
		    "BasicAuthentication needs auth.login_validator");
}

static void
conf_check_auth(struct conf_ctx *x)
{
	struct la_conf *c = x->c;
	size_t i;

	conf_check_backend(x, &c->default_auth);
	for (i = 0; i < c->nendpoints && x->nerrs < CONF_MAX_ERRORS; i++) {
		conf_check_backend(x, &c->endpoints[i].auth);
		conf_check_backend(x, &c->endpoints[i].verb_auth);
	}
	for (i = 0; i < c->nqueries && x->nerrs < CONF_MAX_ERRORS; i++)
		conf_check_backend(x, &c->queries[i].ep.auth);
}

static int
conf_route_cmp(const void *a, const void *b)
{
	const struct la_conf_endpoint *const *e = a, *const *f = b;
	int r = strcmp((*e)->route, (*f)->route);

	if (r != 0)
		return (r);
	return (*e < *f ? -1 : *e > *f);
}

/* Sorted, so that a file with many endpoints is not checked in n^2. */
static void
conf_check_routes(struct conf_ctx *x)
{
	struct la_conf_endpoint **v, *e = x->c->endpoints;
	const struct la_conf_endpoint **first;
	size_t i, n = 0;

	v = la_arena_calloc(x->a, x->c->nendpoints + 1, sizeof(*v));
	first = la_arena_calloc(x->a, x->c->nendpoints + 1, sizeof(*first));
	for (i = 0; i < x->c->nendpoints; i++)
		if (e[i].route != NULL)
			v[n++] = &e[i];
	qsort(v, n, sizeof(*v), conf_route_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(v[i]->route, v[i - 1]->route) == 0)
			first[v[i] - e] = first[v[i - 1] - e] != NULL
			                      ? first[v[i - 1] - e]
			                      : v[i - 1];
	for (i = 0; i < x->c->nendpoints; i++)
		if (first[i] != NULL)
			la_conf_node_errat(x, e[i].route_pos.line,
			    e[i].route_pos.col,
			    "duplicate route '%s' (first at %d:%d)", e[i].route,
			    first[i]->route_pos.line, first[i]->route_pos.col);
}

/* ---- loading ------------------------------------------------------- */

/* Reader errors (bad UTF-8) carry a byte offset instead of a mark. */
static void
conf_offset_pos(const struct conf_ctx *x, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < x->len; i++) {
		if (x->data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

static void
conf_yaml_error(struct conf_ctx *x, const yaml_parser_t *p)
{
	int line = (int)p->problem_mark.line + 1;
	int col = (int)p->problem_mark.column + 1;
	const char *problem = p->problem ? p->problem : "YAML error";

	if (p->error == YAML_MEMORY_ERROR)
		problem = "out of memory";
	if (p->error == YAML_READER_ERROR)
		conf_offset_pos(x, p->problem_offset, &line, &col);
	if (p->context != NULL)
		la_conf_node_errat(x, line, col, "%s (%s at %d:%d)", problem,
		    p->context, (int)p->context_mark.line + 1,
		    (int)p->context_mark.column + 1);
	else
		la_conf_node_errat(x, line, col, "%s", problem);
}

/* One document per file: a second one is more likely a mistake. */
static void
conf_check_single(struct conf_ctx *x, yaml_parser_t *p)
{
	yaml_document_t next;
	yaml_node_t *root;

	if (!yaml_parser_load(p, &next)) {
		conf_yaml_error(x, p);
		return;
	}
	if ((root = yaml_document_get_root_node(&next)) != NULL)
		la_conf_node_err(x, root, "only one YAML document is allowed");
	yaml_document_delete(&next);
}

static void
conf_walk(struct conf_ctx *x, yaml_node_t *root)
{
	if (root != NULL && !la_conf_node_is_null(root)) {
		/* Nothing else is worth saying about such a file. */
		if (root->type != YAML_MAPPING_NODE) {
			la_conf_node_err(x, root,
			    "expected a mapping at the top level");
			return;
		}
		la_conf_section_read(x, root);
	}
	conf_env_fallbacks(x);
	conf_check_db(x);
	conf_check_auth(x);
	conf_check_routes(x);
	la_conf_query_check_routes(x);
}

struct la_conf *
la_conf_load_mem(const char *name, const char *data, size_t len,
    struct la_arena *arena, struct la_buf *errs,
    const char *(*getenv_fn)(const char *))
{
	struct conf_ctx x;
	yaml_parser_t parser;
	yaml_document_t doc;

	if (data == NULL)
		data = "";
	memset(&x, 0, sizeof(x));
	x.name = la_arena_strdup(arena, name);
	x.data = data;
	x.len = len;
	x.doc = &doc;
	x.a = arena;
	x.errs = errs;
	x.getenv_fn = getenv_fn;
	x.c = la_arena_alloc(arena, sizeof(*x.c));
	conf_init(x.c, x.name, arena);
	if (!yaml_parser_initialize(&parser)) {
		la_conf_node_errat(&x, 1, 1, "out of memory");
		return (NULL);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc))
		conf_yaml_error(&x, &parser);
	else {
		conf_check_single(&x, &parser);
		if (x.nerrs == 0)
			conf_walk(&x, yaml_document_get_root_node(&doc));
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return (x.nerrs == 0 ? x.c : NULL);
}

/* Reads the whole of path into b; -1 with errno set. */
static int
conf_read(const char *path, struct la_buf *b)
{
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	do {
		n = fread(la_buf_reserve(b, 65536), 1, 65536, fp);
		b->len += n;
		b->data[b->len] = '\0';
	} while (n > 0 && b->len <= CONF_MAX_FILE);
	if (ferror(fp) || b->len > CONF_MAX_FILE) {
		if (!ferror(fp))
			errno = EFBIG;
		fclose(fp);
		return (-1);
	}
	fclose(fp);
	return (0);
}

struct la_conf *
la_conf_load(const char *path, struct la_arena *arena, struct la_buf *errs,
    const char *(*getenv_fn)(const char *))
{
	struct la_conf *c;
	struct la_buf b;

	la_buf_init(&b);
	if (conf_read(path, &b) == -1) {
		la_buf_printf(errs, "%s: cannot open: %s\n", path,
		    strerror(errno));
		la_buf_free(&b);
		return (NULL);
	}
	c = la_conf_load_mem(path, b.data ? b.data : "", b.len, arena, errs,
	    getenv_fn);
	la_buf_free(&b);
	return (c);
}

int
la_conf_has_middleware(const struct la_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->middleware.n; i++)
		if (strcmp(c->middleware.v[i], name) == 0)
			return (1);
	return (0);
}
