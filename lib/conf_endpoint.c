/*
 * Endpoints: the endpoints: list (SPEC 2.1) and the tables: format (SPEC
 * 2.2), each entry a route, its fields or a reflected table, and its meta.
 */
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "la.h"
#include "str.h"
#include "yaml_conf.h"
#include "conf_int.h"

/* In the order of the LA_M_* bits. */
static const char *const conf_crud[] = {"get", "post", "put", "patch",
    "delete"};

/* ---- endpoints (SPEC 2.1) ------------------------------------------ */

/* Routes are matched literally, so keep them to safe characters. */
int
la_conf_endpoint_route_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if (s[0] == '/' && s[1] == '/')
			return (0);
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || strchr("-._~/", *s)))
			return (0);
	}
	return (1);
}

void
la_conf_endpoint_route(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf_endpoint *ep = obj;
	struct la_str r;
	const char *s;

	if ((s = la_conf_read_str(x, v, path)) == NULL)
		return;
	r.p = s;
	r.len = strlen(s);
	r = la_str_trim(r);
	if (r.len == 0 || r.p[0] != '/') {
		la_conf_node_err(x, v, "%s must start with '/'", path);
		return;
	}
	s = la_arena_strndup(x->a, r.p, r.len);
	/* Checked before the trailing '/' goes, so "/x//" is refused. */
	if (!la_conf_endpoint_route_ok(s)) {
		la_conf_node_err(x, v,
		    "route '%s' may contain only letters, digits, '-', '.', "
		    "'_', '~' and single '/'",
		    s);
		return;
	}
	if (r.len > 1 && s[r.len - 1] == '/')
		((char *)s)[r.len - 1] = '\0';
	ep->route = s;
	ep->route_pos = la_conf_node_pos(v);
}

static void
conf_e_reflect(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;
	const char *s;
	int b;

	if ((s = la_conf_read_text(x, v, path, "true, false or 'partial'")) ==
	    NULL)
		return;
	if (strcmp(s, "partial") == 0)
		ep->reflect = LA_REFLECT_PARTIAL;
	else if ((b = la_conf_read_parse_bool(s)) != -1)
		ep->reflect = b ? LA_REFLECT_YES : LA_REFLECT_NO;
	else
		la_conf_node_err(x, v,
		    "expected true, false or 'partial' for %s", path);
}

static const struct conf_key conf_endpoint_keys[] = {
    K_FN("route", la_conf_endpoint_route),
    K_FN("fields", la_conf_field_specs),
    K_FN("reflect", conf_e_reflect),
    K_FN("meta", la_conf_meta_read),
};

/*
 * The default table name: the route's last segment, with the characters a
 * route may hold but an identifier may not ('-', '.', '~') turned into
 * '_', so /order-items is served from table order_items.
 */
static void
conf_e_table(struct conf_ctx *x, struct la_conf_endpoint *ep)
{
	char *seg = la_arena_strdup(x->a, strrchr(ep->route, '/') + 1);
	char *p;

	if (ep->table != NULL)
		return;
	ep->table_pos = ep->route_pos;
	if (*seg == '\0') {
		la_conf_node_errat(x, ep->route_pos.line, ep->route_pos.col,
		    "route '/' names no table; set meta.table");
		return;
	}
	for (p = seg; *p != '\0'; p++)
		if (*p == '-' || *p == '.' || *p == '~')
			*p = '_';
	if (!la_conf_node_ident_ok(seg, strlen(seg))) {
		la_conf_node_errat(x, ep->route_pos.line, ep->route_pos.col,
		    "cannot use '%s' as a table name: it is not a valid "
		    "identifier; set meta.table",
		    seg);
		return;
	}
	ep->table = seg;
}

static void
conf_endpoint(struct conf_ctx *x, yaml_node_t *v, const char *path,
    struct la_conf_endpoint *ep)
{
	ep->pos = la_conf_node_pos(v);
	if (la_conf_read_map(x, v, path, conf_endpoint_keys,
	        LA_NELEM(conf_endpoint_keys), ep) == -1)
		return;
	if (ep->methods == 0)
		ep->methods = LA_M_CRUD;
	if (la_conf_read_get(x, v, "route") == NULL)
		la_conf_node_err(x, v, "missing required key 'route' in %s",
		    path);
	if (ep->route != NULL)
		conf_e_table(x, ep);
	if (ep->reflect == LA_REFLECT_YES && ep->nfields > 0)
		la_conf_node_err(x, la_conf_read_get(x, v, "fields"),
		    "%s: 'fields' needs 'reflect: partial' on a reflected "
		    "table",
		    path);
}

/* Allocates the endpoint array for a sequence node; NULL if not one. */
static struct la_conf_endpoint *
conf_eparray(struct conf_ctx *x, yaml_node_t *v, const char *path)
{
	size_t n;

	if (v->type != YAML_SEQUENCE_NODE) {
		la_conf_node_err(x, v, "expected a list for %s", path);
		return (NULL);
	}
	if (x->endpoints != NULL && x->tables != NULL) {
		la_conf_node_err(x, v,
		    "'tables' and 'endpoints' cannot be used "
		    "together");
		return (NULL);
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	x->c->endpoints =
	    la_arena_calloc(x->a, n + 1, sizeof(*x->c->endpoints));
	x->c->nendpoints = 0;
	return (x->c->endpoints);
}

void
la_conf_endpoint_list(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf *c = obj;
	yaml_node_item_t *it;
	size_t i = 0;

	x->endpoints = v;
	if (la_conf_node_is_null(v) || conf_eparray(x, v, path) == NULL)
		return;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++, i++) {
		if (la_conf_node_visit(x, la_conf_node_get(x, *it)) == -1)
			return;
		conf_endpoint(x, la_conf_node_get(x, *it),
		    la_conf_node_ipath(x, path, i),
		    &c->endpoints[c->nendpoints++]);
	}
}

/* ---- the tables format (SPEC 2.2) ---------------------------------- */

static void
conf_t_name(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;
	const char *s;

	if ((s = la_conf_read_ident(x, v, path)) == NULL)
		return;
	ep->table = s;
	ep->route = la_arena_printf(x->a, "/%s", s);
	ep->route_pos = ep->table_pos = la_conf_node_pos(v);
}

static void
conf_t_crud(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	((struct la_conf_endpoint *)obj)->methods =
	    la_conf_read_verbs(x, v, path, conf_crud, "operation");
}

static const struct conf_key conf_table_keys[] = {
    K_FN("name", conf_t_name),
    K_FN("crud", conf_t_crud),
};

void
la_conf_endpoint_tables(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf *c = obj;
	struct la_conf_endpoint *ep;
	yaml_node_item_t *it;
	yaml_node_t *e;
	size_t i = 0;

	x->tables = v;
	c->tables_format = 1;
	if (la_conf_node_is_null(v) || conf_eparray(x, v, path) == NULL)
		return;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++, i++) {
		e = la_conf_node_get(x, *it);
		if (la_conf_node_visit(x, e) == -1)
			return;
		ep = &c->endpoints[c->nendpoints++];
		ep->pos = la_conf_node_pos(e);
		ep->reflect = LA_REFLECT_YES;
		if (la_conf_read_map(x, e, la_conf_node_ipath(x, path, i),
		        conf_table_keys, LA_NELEM(conf_table_keys), ep) == -1)
			continue;
		if (la_conf_read_get(x, e, "name") == NULL)
			la_conf_node_err(x, e,
			    "missing required key 'name' in %s",
			    la_conf_node_ipath(x, path, i));
		if (ep->methods == 0)
			ep->methods = LA_M_CRUD;
	}
}
