/*
 * The route table: the built-in routes (/healthz, /readyz, /metrics, the
 * login routes, /openapi.json and /docs) and the endpoints'
 * collection and detail routes, in one table matched the same way. A
 * route names what serves it by kind; the pipeline maps kinds to
 * handlers, so this table depends on no handler.
 */
#ifndef LA_ROUTE_H
#define LA_ROUTE_H

#include <stddef.h>

#include "catalog.h"

struct la_canned;
struct la_gen;

enum la_route_kind {
	LA_ROUTE_ENDPOINT,
	LA_ROUTE_HEALTHZ,
	LA_ROUTE_READYZ,
	LA_ROUTE_LOGIN,
	LA_ROUTE_OPENAPI,
	LA_ROUTE_DOCS, /* the page and the files it loads */
	LA_ROUTE_METRICS,
	LA_ROUTE_QUERY /* a canned query (queries:) */
};

struct la_route {
	enum la_route_kind kind;
	const char *path; /* "/books", no trailing '/' */
	size_t len;
	const char *name;             /* for logs and metrics */
	unsigned methods;             /* LA_M_* served on path */
	unsigned detail_methods;      /* on path/{id}; 0: no detail route */
	const struct la_cat_table *t; /* an endpoint's table, or NULL */
	const struct la_canned *q;    /* a canned query, or NULL */
};

struct la_routes {
	struct la_route *v;
	size_t n;
};

/*
 * Builds the table from the generation: built-in routes first, so an
 * endpoint cannot shadow them, then the endpoints in catalog order. The
 * login validator's hidden table is not routed; *users gets it (or NULL).
 */
void la_routes_build(struct la_routes *rs, const struct la_gen *g,
    const struct la_catalog *cat, const struct la_cat_table **users);
void la_routes_free(struct la_routes *rs);
/*
 * The route serving a decoded path: an exact match first, then a detail
 * route "path/{id}" (*id and *id_len set; NULL otherwise). NULL: none.
 */
const struct la_route *la_routes_match(const struct la_routes *rs,
    const char *path, size_t len, const char **id, size_t *id_len);

#endif
