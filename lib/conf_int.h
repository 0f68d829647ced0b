/*
 * Internals shared by the files of the configuration loader (conf_*.c)
 * and by nothing else: the walk context, the key-table row
 * and the functions one file offers the next. Layered, lowest first:
 * conf_node (nodes, errors, ${VAR}), conf_read (typed readers and key
 * tables), conf_field, conf_meta, conf_endpoint, conf_query, conf_section,
 * then
 * conf_load (loading, checks across sections) and conf_dump (-T). A file
 * calls only into the files before it; the types they fill are the public
 * ones of yaml_conf.h.
 */
#ifndef LA_CONF_INT_H
#define LA_CONF_INT_H

#include <stddef.h>

#include <yaml.h>

#include "yaml_conf.h"

struct la_arena;
struct la_buf;

/* After this many errors the walk stops reporting (conf_node, conf_load). */
#define CONF_MAX_ERRORS 50

struct conf_ctx {
	const char *name;
	const char *data; /* the text, to place reader errors */
	size_t len;
	yaml_document_t *doc;
	struct la_arena *a;
	struct la_buf *errs;
	const char *(*getenv_fn)(const char *);
	struct la_conf *c;
	yaml_node_t *endpoints, *tables; /* to reject both at once */
	yaml_node_t *secret;             /* auth.jwt_secret, when given */
	int nerrs;
	long visits;
	int over; /* the walk ran out of budget */
};

enum conf_kind {
	CONF_STR,   /* const char *; null keeps the default */
	CONF_IDENT, /* const char *, an SQL identifier */
	CONF_INT,   /* int, at least arg */
	CONF_LEN,   /* int64_t, at least 0 */
	CONF_BOOL,  /* int, 0 or 1 */
	CONF_SIZE,  /* size_t: bytes, or a number with K, M or G */
	CONF_LIST,  /* struct la_strlist */
	CONF_FLAG,  /* bit arg of a uint32_t, set by a boolean */
	CONF_BOUND, /* double of a struct la_col_def, with flag bit arg */
	CONF_FN     /* fn(ctx, value, obj, path) */
};

typedef void conf_set_fn(struct conf_ctx *, yaml_node_t *, void *,
    const char *);

struct conf_key {
	const char *name;
	enum conf_kind kind;
	size_t off;
	long arg;
	conf_set_fn *fn;
};

#define K_FN(n, f)                                                             \
	{                                                                      \
		n, CONF_FN, 0, 0, f                                            \
	}
#define K(n, k, s, m, a)                                                       \
	{                                                                      \
		n, k, offsetof(s, m), a, NULL                                  \
	}

typedef int conf_item_fn(struct conf_ctx *, yaml_node_t *, const char *,
    void *);

/* ---- conf_node.c: nodes, positions, errors, paths, quoting, ${VAR} */

void la_conf_node_errat(struct conf_ctx *x, int line, int col, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
void la_conf_node_err(struct conf_ctx *x, const yaml_node_t *n, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
struct la_pos la_conf_node_pos(const yaml_node_t *n);
struct la_pos la_conf_node_pos_or_top(struct la_pos p);
yaml_node_t *la_conf_node_get(struct conf_ctx *x, yaml_node_item_t id);
int la_conf_node_visit(struct conf_ctx *x, const yaml_node_t *n);
int la_conf_node_is_null(const yaml_node_t *n);
const char *la_conf_node_path(struct conf_ctx *x, const char *path,
    const char *name);
const char *la_conf_node_ipath(struct conf_ctx *x, const char *path, size_t i);
int la_conf_node_ident_ok(const char *s, size_t len);
int la_conf_node_find(const char *const *names, size_t n, const char *s);
const char *la_conf_node_choices(struct conf_ctx *x, const char *const *names,
    size_t n);
const char *la_conf_node_class(struct conf_ctx *x, yaml_node_t *v,
    const char *s, const char *path, const char *instead);
void la_conf_node_quote(struct la_buf *b, const char *s);
const char *la_conf_node_subst(struct conf_ctx *x, const yaml_node_t *n,
    const char *s);

/* ---- conf_read.c: typed readers and key tables */

const char *la_conf_read_text(struct conf_ctx *x, const yaml_node_t *n,
    const char *path, const char *what);
const char *la_conf_read_str(struct conf_ctx *x, const yaml_node_t *n,
    const char *path);
int la_conf_read_int(struct conf_ctx *x, const yaml_node_t *n, const char *path,
    long min, int *out);
int la_conf_read_parse_bool(const char *s);
const char *la_conf_read_ident(struct conf_ctx *x, const yaml_node_t *n,
    const char *path);
size_t la_conf_read_nitems(const yaml_node_t *n);
int la_conf_read_items(struct conf_ctx *x, yaml_node_t *n, const char *path,
    conf_item_fn *fn, void *arg);
int la_conf_read_strlist(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_strlist *l);
unsigned la_conf_read_verbs(struct conf_ctx *x, yaml_node_t *n,
    const char *path, const char *const *names, const char *what);
const char *la_conf_read_keyname(struct conf_ctx *x, yaml_node_t *map,
    yaml_node_pair_t *p, const char *path);
int la_conf_read_map(struct conf_ctx *x, yaml_node_t *n, const char *path,
    const struct conf_key *keys, size_t nkeys, void *obj);
yaml_node_t *la_conf_read_get(struct conf_ctx *x, yaml_node_t *n,
    const char *name);
void la_conf_read_put_double(struct la_buf *b, double d);
int la_conf_read_json(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b, int depth);

/* ---- conf_field.c: field specs */

void la_conf_field_specs(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path);
void la_conf_field_params(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path);

/* ---- conf_meta.c: endpoint meta, authentication and pagination blocks */

int la_conf_meta_algorithm(struct conf_ctx *x, yaml_node_t *v, const char *s,
    const char *path);
void la_conf_meta_auth(struct conf_ctx *x, yaml_node_t *v,
    struct la_conf_auth *au, const char *path);
void la_conf_meta_pagination(struct conf_ctx *x, yaml_node_t *v,
    struct la_conf_pagination *pg, const char *path);

/* In the order of the LA_FILTER_* bits. */
#define LA_CONF_NFILTER_BACKENDS 3
extern const char *const la_conf_meta_filter_backends[LA_CONF_NFILTER_BACKENDS];
void la_conf_meta_read(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path);

/* ---- conf_endpoint.c: endpoints and the tables format */

int la_conf_endpoint_route_ok(const char *s);
void la_conf_endpoint_route(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path);
void la_conf_endpoint_list(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path);
void la_conf_endpoint_tables(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path);

/* ---- conf_query.c: canned queries */

void la_conf_query_list(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path);
/* A query's route taken by an endpoint or another query. */
void la_conf_query_check_routes(struct conf_ctx *x);

/* ---- conf_section.c: the top-level sections */

void la_conf_section_read(struct conf_ctx *x, yaml_node_t *root);

#endif
