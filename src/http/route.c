/*
 * Route table (see route.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "gen.h"
#include "route.h"
#include "xalloc.h"

#define ROUTE_COLLECTION (LA_M_GET | LA_M_POST)
#define ROUTE_DETAIL     (LA_M_GET | LA_M_PUT | LA_M_PATCH | LA_M_DELETE)

static struct la_route *
route_add(struct la_routes *rs, enum la_route_kind kind, const char *path,
    const char *name, unsigned methods)
{
	struct la_route *r = &rs->v[rs->n++];

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->path = path;
	r->len = strlen(path);
	r->name = name;
	r->methods = methods;
	return (r);
}

static char *
route_join(const char *base, const char *tail)
{
	size_t n = strlen(base) + strlen(tail) + 1;
	char *s = la_xmalloc(n);

	snprintf(s, n, "%s%s", base, tail);
	return (s);
}

/* Whether an endpoint serves path or paths under it. */
static int
route_endpoint_has(const struct la_catalog *cat, const char *path)
{
	const struct la_cat_table *t;
	const char *r;
	size_t i, n = strlen(path);

	for (i = 0; i < cat->ntables; i++) {
		t = la_catalog_table(cat, i);
		r = la_catalog_str(cat, t->route);
		if (!(t->flags & LA_TBL_HIDDEN) && strncmp(r, path, n) == 0 &&
		    (r[n] == '\0' || r[n] == '/'))
			return (1);
	}
	return (0);
}

/*
 * An endpoint declared at /docs or /openapi.json keeps its route (it was
 * there before these built-ins were): the built-in is then not served.
 */
static void
route_add_swagger(struct la_routes *rs, const struct la_catalog *cat)
{
	static const char *const files[] = {"/docs/init.js",
	    "/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js"};
	size_t i;

	if (!route_endpoint_has(cat, "/openapi.json"))
		route_add(rs, LA_ROUTE_OPENAPI, "/openapi.json",
		    "/openapi.json", LA_M_GET);
	if (route_endpoint_has(cat, "/docs"))
		return;
	route_add(rs, LA_ROUTE_DOCS, "/docs", "/docs", LA_M_GET);
	for (i = 0; i < LA_NELEM(files); i++)
		route_add(rs, LA_ROUTE_DOCS, files[i], "/docs", LA_M_GET);
}

void
la_routes_build(struct la_routes *rs, const struct la_gen *g,
    const struct la_catalog *cat, const struct la_cat_table **users)
{
	const struct la_cat_table *t;
	struct la_route *r;
	const char *base = g->conf->auth.auth_path;
	size_t i;

	*users = NULL;
	rs->n = 0;
	rs->v = la_xcalloc(cat->ntables + 10 +
	                       (g->queries != NULL ? g->queries->n : 0),
	    sizeof(*rs->v));
	route_add(rs, LA_ROUTE_HEALTHZ, "/healthz", "/healthz", LA_M_GET);
	route_add(rs, LA_ROUTE_READYZ, "/readyz", "/readyz", LA_M_GET);
	/* As /docs: an endpoint declared at /metrics keeps its route. */
	if (g->conf->server.metrics != LA_CONF_METRICS_OFF &&
	    !route_endpoint_has(cat, "/metrics"))
		route_add(rs, LA_ROUTE_METRICS, "/metrics", "/metrics",
		    LA_M_GET);
	if (g->login) {
		route_add(rs, LA_ROUTE_LOGIN, route_join(base, "/login"),
		    "login", LA_M_POST);
		route_add(rs, LA_ROUTE_LOGIN, route_join(base, "/token"),
		    "login", LA_M_POST);
	}
	if (g->conf->enable_swagger)
		route_add_swagger(rs, cat);
	for (i = 0; i < cat->ntables; i++) {
		t = la_catalog_table(cat, i);
		if (t->flags & LA_TBL_HIDDEN) {
			*users = t;
			continue;
		}
		r = route_add(rs, LA_ROUTE_ENDPOINT,
		    la_catalog_str(cat, t->route), NULL,
		    t->methods & ROUTE_COLLECTION);
		r->name = r->path;
		r->detail_methods = t->methods & ROUTE_DETAIL;
		r->t = t;
	}
	for (i = 0; g->queries != NULL && i < g->queries->n; i++) {
		r = route_add(rs, LA_ROUTE_QUERY, g->queries->v[i].route,
		    g->queries->v[i].route, g->queries->v[i].methods);
		r->q = &g->queries->v[i];
	}
}

void
la_routes_free(struct la_routes *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].kind == LA_ROUTE_LOGIN)
			free((char *)rs->v[i].path);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

const struct la_route *
la_routes_match(const struct la_routes *rs, const char *path, size_t len,
    const char **id, size_t *id_len)
{
	const struct la_route *r;
	size_t i;

	*id = NULL;
	*id_len = 0;
	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		if (r->len == len && memcmp(r->path, path, len) == 0)
			return (r);
	}
	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		if (r->kind != LA_ROUTE_ENDPOINT || len <= r->len + 1 ||
		    memcmp(r->path, path, r->len) != 0 || path[r->len] != '/' ||
		    memchr(path + r->len + 1, '/', len - r->len - 1) != NULL)
			continue;
		*id = path + r->len + 1;
		*id_len = len - r->len - 1;
		return (r);
	}
	return (NULL);
}
