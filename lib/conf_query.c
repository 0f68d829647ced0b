/*
 * Canned queries: the queries: list, each entry a route serving one SQL
 * statement with named parameters declared as fields. What needs the
 * database (the statement itself, its parameters against the SQL, the
 * tables it invalidates) is checked when the generation is built.
 */
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "catalog.h"
#include "la.h"
#include "yaml_conf.h"
#include "conf_int.h"

/* In the order of the LA_M_* bits; only the first two are served. */
static const char *const conf_query_verbs[] = {"GET", "POST", "PUT", "PATCH",
    "DELETE"};

static void
conf_q_sql(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_query *q = obj;

	if ((q->sql = la_conf_read_str(x, v, path)) != NULL)
		q->sql_pos = la_conf_node_pos(v);
}

static void
conf_q_methods(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_query *q = obj;

	q->ep.methods =
	    la_conf_read_verbs(x, v, path, conf_query_verbs, "method");
	if (q->ep.methods & ~(LA_M_GET | LA_M_POST))
		la_conf_node_err(x, v,
		    "%s: a query is served by GET and POST only", path);
}

static void
conf_q_auth(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	la_conf_meta_auth(x, v, &((struct la_conf_query *)obj)->ep.auth, path);
}

static void
conf_q_pagination(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf_query *q = obj;

	la_conf_meta_pagination(x, v, &q->ep.pagination, path);
	if (q->ep.pagination.style == LA_PAGE_CURSOR)
		la_conf_node_err(x, v,
		    "%s: a query pages by page number only (a cursor needs "
		    "an ordering the server knows)",
		    path);
}

static const struct conf_key conf_query_keys[] = {
    K_FN("route", la_conf_endpoint_route),
    K_FN("sql", conf_q_sql),
    K_FN("params", la_conf_field_params),
    K_FN("methods", conf_q_methods),
    K_FN("authentication", conf_q_auth),
    K_FN("pagination", conf_q_pagination),
    K("write", CONF_BOOL, struct la_conf_query, write, 0),
    K("invalidates", CONF_LIST, struct la_conf_query, invalidates, 0),
};

static void
conf_query(struct conf_ctx *x, yaml_node_t *v, const char *path,
    struct la_conf_query *q)
{
	static const char *const required[] = {"route", "sql"};
	size_t i;

	q->ep.pos = la_conf_node_pos(v);
	if (la_conf_read_map(x, v, path, conf_query_keys,
	        LA_NELEM(conf_query_keys), q) == -1)
		return;
	for (i = 0; i < LA_NELEM(required); i++)
		if (la_conf_read_get(x, v, required[i]) == NULL)
			la_conf_node_err(x, v,
			    "missing required key '%s' in %s", required[i],
			    path);
	if (q->ep.methods == 0)
		q->ep.methods = LA_M_GET;
	q->ep.table = "";
	for (i = 0; q->ep.pagination.set && i < q->ep.nfields; i++)
		if (strcmp(q->ep.fields[i].name, "page") == 0 ||
		    strcmp(q->ep.fields[i].name, "page_size") == 0)
			la_conf_node_errat(x, q->ep.fields[i].line,
			    q->ep.fields[i].col,
			    "%s: parameter '%s' is the page's own with "
			    "pagination",
			    path, q->ep.fields[i].name);
	if (q->write && q->ep.pagination.set)
		la_conf_node_err(x, la_conf_read_get(x, v, "pagination"),
		    "%s: a query with write: true returns no pages", path);
	if (!q->write && q->invalidates.n > 0)
		la_conf_node_err(x, la_conf_read_get(x, v, "invalidates"),
		    "%s: invalidates needs write: true", path);
}

void
la_conf_query_list(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf *c = obj;
	yaml_node_item_t *it;
	size_t i = 0, n;

	if (la_conf_node_is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		la_conf_node_err(x, v, "expected a list for %s", path);
		return;
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	c->queries = la_arena_calloc(x->a, n + 1, sizeof(*c->queries));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++, i++) {
		if (la_conf_node_visit(x, la_conf_node_get(x, *it)) == -1)
			return;
		conf_query(x, la_conf_node_get(x, *it),
		    la_conf_node_ipath(x, path, i), &c->queries[c->nqueries++]);
	}
}

/* The route of another query or of an endpoint (or under one), or NULL. */
static const struct la_conf_endpoint *
conf_query_taken(const struct la_conf *c, size_t qi)
{
	const char *r = c->queries[qi].ep.route, *e;
	size_t i, n;

	for (i = 0; i < qi; i++)
		if (c->queries[i].ep.route != NULL &&
		    strcmp(c->queries[i].ep.route, r) == 0)
			return (&c->queries[i].ep);
	for (i = 0; i < c->nendpoints; i++) {
		if ((e = c->endpoints[i].route) == NULL)
			continue;
		n = strlen(e);
		/* An endpoint also serves e/{id}. */
		if (strcmp(e, r) == 0 ||
		    (strncmp(e, r, n) == 0 && r[n] == '/' &&
		        strchr(r + n + 1, '/') == NULL))
			return (&c->endpoints[i]);
	}
	return (NULL);
}

void
la_conf_query_check_routes(struct conf_ctx *x)
{
	const struct la_conf *c = x->c;
	const struct la_conf_endpoint *o;
	const struct la_pos *p;
	size_t i;

	for (i = 0; i < c->nqueries && x->nerrs < CONF_MAX_ERRORS; i++) {
		if (c->queries[i].ep.route == NULL ||
		    (o = conf_query_taken(c, i)) == NULL)
			continue;
		p = &c->queries[i].ep.route_pos;
		la_conf_node_errat(x, p->line, p->col,
		    "route '%s' of a query is already served (by the route "
		    "at %d:%d)",
		    c->queries[i].ep.route, o->route_pos.line,
		    o->route_pos.col);
	}
}
