/*
 * Endpoint meta: methods, authentication, filtering, pagination, cache
 * and serializer blocks, and the authentication and pagination forms that
 * defaults: shares with them. Class names are LightAPI's, so its files
 * load unchanged.
 */
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "catalog.h"
#include "la.h"
#include "yaml_conf.h"
#include "conf_int.h"

#define CONF_PAGE_SIZE     20
#define CONF_MAX_PAGE_SIZE 100

#define CONF_CACHE_TTL 60

static const char *const conf_backends[] = {"JWTAuthentication",
    "BasicAuthentication"};
static const char *const conf_permissions[] = {"AllowAny", "IsAuthenticated",
    "IsAdminUser"};
/* In the order of the LA_FILTER_* bits. */
const char *const la_conf_meta_filter_backends[LA_CONF_NFILTER_BACKENDS] = {
    "FieldFilter", "SearchFilter", "OrderingFilter"};
static const char *const conf_algorithms[] = {"HS256", "HS384", "HS512"};
/* In the order of the LA_M_* bits. */
static const char *const conf_verb_names[] = {"GET", "POST", "PUT", "PATCH",
    "DELETE"};

/* ---- authentication and pagination blocks ------------------------- */

static void
conf_a_backend(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_auth *au = obj;
	const char *s;

	if ((s = la_conf_read_str(x, v, path)) == NULL ||
	    (s = la_conf_node_class(x, v, s, path,
	         "use JWTAuthentication or BasicAuthentication")) == NULL)
		return;
	if (la_conf_node_find(conf_backends, LA_NELEM(conf_backends), s) ==
	    -1) {
		la_conf_node_err(x, v,
		    "unknown authentication backend '%s' in %s (%s)", s, path,
		    la_conf_node_choices(x, conf_backends,
		        LA_NELEM(conf_backends)));
		return;
	}
	au->backend = s;
}

static const char *
conf_permission(struct conf_ctx *x, yaml_node_t *v, const char *path)
{
	const char *s;

	if ((s = la_conf_read_str(x, v, path)) == NULL ||
	    (s = la_conf_node_class(x, v, s, path,
	         "use AllowAny, IsAuthenticated or IsAdminUser, per verb if "
	         "needed")) == NULL)
		return (NULL);
	if (la_conf_node_find(conf_permissions, LA_NELEM(conf_permissions),
	        s) == -1) {
		la_conf_node_err(x, v, "unknown permission '%s' in %s (%s)", s,
		    path,
		    la_conf_node_choices(x, conf_permissions,
		        LA_NELEM(conf_permissions)));
		return (NULL);
	}
	return (s);
}

/* The verb index (0..4) of a key naming a verb, or -1 after an error. */
static int
conf_verb(struct conf_ctx *x, yaml_node_t *k, const char *name,
    const char *path)
{
	int i;

	if ((i = la_conf_node_find(conf_verb_names, LA_NVERBS, name)) == -1)
		la_conf_node_err(x, k, "unknown HTTP method '%s' in %s (%s)",
		    name, path,
		    la_conf_node_choices(x, conf_verb_names, LA_NVERBS));
	return (i);
}

/* Verbs left out of a permission map are public, as in LightAPI. */
static void
conf_a_permmap(struct conf_ctx *x, yaml_node_t *v, struct la_conf_auth *au,
    const char *path)
{
	yaml_node_pair_t *p;
	const char *name;
	int i;

	for (i = 0; i < LA_NVERBS; i++)
		au->permission[i] = conf_permissions[0];
	au->map_open = (1u << LA_NVERBS) - 1;
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		if ((name = la_conf_read_keyname(x, v, p, path)) == NULL ||
		    (i = conf_verb(x, la_conf_node_get(x, p->key), name,
		         path)) == -1)
			continue;
		au->permission[i] =
		    conf_permission(x, la_conf_node_get(x, p->value),
		        la_conf_node_path(x, path, name));
		au->map_open &= ~(1u << i);
	}
}

static void
conf_a_permission(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf_auth *au = obj;
	const char *s;
	int i;

	if (v->type == YAML_MAPPING_NODE) {
		conf_a_permmap(x, v, au, path);
		return;
	}
	if ((s = conf_permission(x, v, path)) == NULL)
		return;
	for (i = 0; i < LA_NVERBS; i++)
		au->permission[i] = s;
}

int
la_conf_meta_algorithm(struct conf_ctx *x, yaml_node_t *v, const char *s,
    const char *path)
{
	if (la_conf_node_find(conf_algorithms, LA_NELEM(conf_algorithms), s) !=
	    -1)
		return (0);
	la_conf_node_err(x, v, "unknown algorithm '%s' in %s (%s)", s, path,
	    la_conf_node_choices(x, conf_algorithms,
	        LA_NELEM(conf_algorithms)));
	return (-1);
}

static void
conf_a_alg(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_auth *au = obj;
	const char *s;

	if ((s = la_conf_read_str(x, v, path)) == NULL ||
	    la_conf_meta_algorithm(x, v, s, path) != 0)
		return;
	au->jwt_algorithm = s;
	au->jwt_pos = la_conf_node_pos(v);
}

static void
conf_a_extra(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_auth *au = obj;

	if (la_conf_node_is_null(v))
		return;
	au->has_extra_claims = 1;
	la_conf_read_strlist(x, v, path, &au->jwt_extra_claims);
}

/* The jwt_* keys are LightAPI's per-endpoint token settings (SPEC 8). */
static const struct conf_key conf_auth_keys[] = {
    K_FN("backend", conf_a_backend),
    K_FN("permission", conf_a_permission),
    K("jwt_expiration", CONF_INT, struct la_conf_auth, jwt_expiration, 1),
    K_FN("jwt_extra_claims", conf_a_extra),
    K_FN("jwt_algorithm", conf_a_alg),
};

void
la_conf_meta_auth(struct conf_ctx *x, yaml_node_t *v, struct la_conf_auth *au,
    const char *path)
{
	au->pos = la_conf_node_pos(v);
	la_conf_read_map(x, v, path, conf_auth_keys, LA_NELEM(conf_auth_keys),
	    au);
}

static void
conf_p_style(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_pagination *pg = obj;
	const char *s;

	if ((s = la_conf_read_str(x, v, path)) == NULL)
		return;
	if (strcmp(s, "page_number") == 0)
		pg->style = LA_PAGE_NUMBER;
	else if (strcmp(s, "cursor") == 0)
		pg->style = LA_PAGE_CURSOR;
	else
		la_conf_node_err(x, v,
		    "unknown pagination style '%s' in %s "
		    "(page_number, cursor)",
		    s, path);
}

static void
conf_p_count(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	static const char *const modes[] = {"exact", "estimated", "none"};
	struct la_conf_pagination *pg = obj;
	const char *s;
	size_t i;

	if ((s = la_conf_read_str(x, v, path)) == NULL)
		return;
	for (i = 0; i < LA_NELEM(modes); i++)
		if (strcmp(s, modes[i]) == 0) {
			pg->count = (int)i;
			return;
		}
	la_conf_node_err(x, v,
	    "unknown count mode '%s' in %s (exact, estimated, none)", s, path);
}

static const struct conf_key conf_page_keys[] = {
    K_FN("style", conf_p_style),
    K_FN("count", conf_p_count),
    K("count_ttl", CONF_INT, struct la_conf_pagination, count_ttl, 0),
    K("page_size", CONF_INT, struct la_conf_pagination, page_size, 1),
    K("max_page_size", CONF_INT, struct la_conf_pagination, max_page_size, 1),
};

/*
 * A block with only max_page_size caps unpaginated lists (SPEC 6); any
 * other block paginates, page_number of 20 unless told otherwise.
 */
void
la_conf_meta_pagination(struct conf_ctx *x, yaml_node_t *v,
    struct la_conf_pagination *pg, const char *path)
{
	memset(pg, 0, sizeof(*pg));
	pg->set = 1;
	pg->count_ttl = LA_CONF_COUNT_TTL;
	pg->pos = la_conf_node_pos(v);
	if (la_conf_read_map(x, v, path, conf_page_keys,
	        LA_NELEM(conf_page_keys), pg) == -1)
		return;
	if (la_conf_read_get(x, v, "style") == NULL &&
	    la_conf_read_get(x, v, "page_size") == NULL &&
	    la_conf_read_get(x, v, "max_page_size") != NULL)
		return;
	if (pg->style == LA_PAGE_NONE)
		pg->style = LA_PAGE_NUMBER;
	if (pg->page_size == 0)
		pg->page_size = CONF_PAGE_SIZE;
	if (pg->max_page_size == 0)
		pg->max_page_size = pg->page_size > CONF_MAX_PAGE_SIZE
		                        ? pg->page_size
		                        : CONF_MAX_PAGE_SIZE;
	else if (pg->page_size > pg->max_page_size)
		la_conf_node_err(x, v,
		    "page_size is greater than max_page_size in %s", path);
}

/* ---- endpoint meta ------------------------------------------------- */

static void
conf_m_authentication(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	la_conf_meta_auth(x, v, &((struct la_conf_endpoint *)obj)->auth, path);
}

static void
conf_v_authentication(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	la_conf_meta_auth(x, v, obj, path);
}

static const struct conf_key conf_verb_keys[] = {
    K_FN("authentication", conf_v_authentication),
};

/* One verb of the map form: { authentication: {...} } or null. */
static void
conf_m_verb(struct conf_ctx *x, yaml_node_t *v, int vi,
    struct la_conf_endpoint *ep, const char *path)
{
	struct la_conf_auth au;

	ep->methods |= 1u << vi;
	if (la_conf_node_is_null(v))
		return;
	memset(&au, 0, sizeof(au));
	if (la_conf_read_map(x, v, path, conf_verb_keys,
	        LA_NELEM(conf_verb_keys), &au) == -1)
		return;
	if (au.permission[vi] != NULL)
		ep->verb_auth.permission[vi] = au.permission[vi];
	/* Token settings per verb mean nothing to LightAPI either. */
	if (au.jwt_expiration || au.jwt_algorithm || au.has_extra_claims)
		ep->verb_auth.jwt_pos = la_conf_node_pos(v);
	if (au.backend == NULL)
		return;
	/* The catalog keeps one backend per endpoint. */
	if (ep->verb_auth.backend != NULL &&
	    strcmp(ep->verb_auth.backend, au.backend) != 0)
		la_conf_node_err(x, v,
		    "all methods of %s must use the same backend", path);
	ep->verb_auth.backend = au.backend;
}

static void
conf_m_methodmap(struct conf_ctx *x, yaml_node_t *v,
    struct la_conf_endpoint *ep, const char *path)
{
	yaml_node_pair_t *p;
	const char *name;
	int vi;

	ep->methods_map = 1;
	ep->verb_auth.pos = la_conf_node_pos(v);
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		if (la_conf_node_visit(x, la_conf_node_get(x, p->value)) == -1)
			return;
		if ((name = la_conf_read_keyname(x, v, p, path)) == NULL ||
		    (vi = conf_verb(x, la_conf_node_get(x, p->key), name,
		         path)) == -1)
			continue;
		conf_m_verb(x, la_conf_node_get(x, p->value), vi, ep,
		    la_conf_node_path(x, path, name));
	}
}

static void
conf_m_methods(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;

	if (v->type == YAML_MAPPING_NODE)
		conf_m_methodmap(x, v, ep, path);
	else if (!la_conf_node_is_null(v))
		ep->methods = la_conf_read_verbs(x, v, path, conf_verb_names,
		    "HTTP method");
}

struct conf_fb {
	struct la_conf_endpoint *ep;
	const char *path;
};

static int
conf_fb_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct conf_fb *fb = arg;
	struct la_conf_endpoint *ep = fb->ep;
	int i;

	if ((s = la_conf_node_class(x, n, s, fb->path,
	         "use FieldFilter, SearchFilter or OrderingFilter")) == NULL)
		return (-1);
	if ((i = la_conf_node_find(la_conf_meta_filter_backends,
	         LA_NELEM(la_conf_meta_filter_backends), s)) == -1) {
		la_conf_node_err(x, n, "unknown filter backend '%s' in %s (%s)",
		    s, fb->path,
		    la_conf_node_choices(x, la_conf_meta_filter_backends,
		        LA_NELEM(la_conf_meta_filter_backends)));
		return (-1);
	}
	ep->filter_backends |= 1u << i;
	return (0);
}

static void
conf_f_backends(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct conf_fb fb = {obj, path};

	la_conf_read_items(x, v, path, conf_fb_add, &fb);
}

static const struct conf_key conf_filter_keys[] = {
    K_FN("backends", conf_f_backends),
    K("fields", CONF_LIST, struct la_conf_endpoint, filter, 0),
    K("search", CONF_LIST, struct la_conf_endpoint, search, 0),
    K("ordering", CONF_LIST, struct la_conf_endpoint, ordering, 0),
};

/* Without backends (or with an empty list), as in LightAPI, each list
 * that is not empty turns its backend on. */
static void
conf_m_filtering(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf_endpoint *ep = obj;

	if (la_conf_read_map(x, v, path, conf_filter_keys,
	        LA_NELEM(conf_filter_keys), obj) == -1 ||
	    ep->filter_backends != 0)
		return;
	ep->filter_backends = (ep->filter.n ? LA_FILTER_FIELDS : 0) |
	                      (ep->search.n ? LA_FILTER_SEARCH : 0) |
	                      (ep->ordering.n ? LA_FILTER_ORDERING : 0);
}

static void
conf_m_pagination(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	la_conf_meta_pagination(x, v,
	    &((struct la_conf_endpoint *)obj)->pagination, path);
}

static const struct conf_key conf_cache_ep_keys[] = {
    K("ttl", CONF_INT, struct la_conf_endpoint, cache_ttl, 1),
};

static void
conf_m_cache(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;

	ep->cache_ttl = CONF_CACHE_TTL;
	if (la_conf_read_map(x, v, path, conf_cache_ep_keys,
	        LA_NELEM(conf_cache_ep_keys), ep) == -1)
		ep->cache_ttl = 0;
}

static const struct conf_key conf_ser_keys[] = {
    K("fields", CONF_LIST, struct la_conf_endpoint, ser_fields, 0),
    K("read", CONF_LIST, struct la_conf_endpoint, ser_read, 0),
    K("write", CONF_LIST, struct la_conf_endpoint, ser_write, 0),
};

static void
conf_m_serializer(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	if (la_conf_read_map(x, v, path, conf_ser_keys, LA_NELEM(conf_ser_keys),
	        obj) == -1)
		return;
	if (la_conf_read_get(x, v, "fields") != NULL &&
	    (la_conf_read_get(x, v, "read") != NULL ||
	        la_conf_read_get(x, v, "write") != NULL))
		la_conf_node_err(x, v,
		    "'fields' and 'read'/'write' cannot be used together in "
		    "%s",
		    path);
}

static void
conf_m_table(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;
	const char *s;

	if ((s = la_conf_read_ident(x, v, path)) == NULL)
		return;
	ep->table = s;
	ep->table_pos = la_conf_node_pos(v);
}

/* ---- row scoping: where and set ------------------------------------ */

/* Which verbs each key can serve: where selects rows, set writes them. */
#define CONF_WHERE_VERBS (LA_M_GET | LA_M_PUT | LA_M_PATCH | LA_M_DELETE)
#define CONF_SET_VERBS   (LA_M_POST | LA_M_PUT | LA_M_PATCH)

struct conf_scope {
	struct la_conf_scope *sc;
	const char *key; /* "where" or "set" */
	uint32_t allowed;
};

/* "{user.CLAIM}": the claim's name, else NULL. */
static const char *
conf_scope_claim(struct conf_ctx *x, const char *s)
{
	size_t n = strlen(s);

	if (n < 7 || strncmp(s, "{user.", 6) != 0 || s[n - 1] != '}')
		return (NULL);
	return (la_arena_strndup(x->a, s + 6, n - 7));
}

static void
conf_scope_item(struct conf_ctx *x, struct conf_scope *cs, yaml_node_pair_t *p,
    yaml_node_t *map, uint32_t verbs, const char *path)
{
	yaml_node_t *v = la_conf_node_get(x, p->value);
	struct la_conf_scope_item *it;
	const char *name, *s;

	if ((name = la_conf_read_keyname(x, map, p, path)) == NULL)
		return;
	path = la_conf_node_path(x, path, name);
	if (v->type != YAML_SCALAR_NODE) {
		/* An unquoted {user.sub} is a YAML mapping. */
		la_conf_node_err(x, v,
		    "%s must be a constant or \"{user.CLAIM}\" (in quotes)",
		    path);
		return;
	}
	if (!la_conf_node_ident_ok(name, strlen(name))) {
		la_conf_node_err(x, la_conf_node_get(x, p->key),
		    "'%s' in %s is not a column name", name, path);
		return;
	}
	it = &cs->sc->v[cs->sc->n++];
	memset(it, 0, sizeof(*it));
	it->col = la_arena_strdup(x->a, name); /* outlives the document */
	it->verbs = verbs;
	it->pos = la_conf_node_pos(la_conf_node_get(x, p->key));
	if (la_conf_node_is_null(v) ||
	    (s = la_conf_read_str(x, v, path)) == NULL)
		return;
	if ((it->claim = conf_scope_claim(x, s)) != NULL &&
	    it->claim[0] == '\0')
		la_conf_node_err(x, v, "no claim named in %s", path);
	if (it->claim == NULL)
		it->value = s;
}

static void
conf_scope_map(struct conf_ctx *x, struct conf_scope *cs, yaml_node_t *v,
    uint32_t verbs, const char *path)
{
	yaml_node_pair_t *p;

	if (v->type != YAML_MAPPING_NODE) {
		la_conf_node_err(x, v, "expected a mapping of columns for %s",
		    path);
		return;
	}
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++)
		conf_scope_item(x, cs, p, v, verbs, path);
}

/* The per-verb form: every key a verb, each with its own mapping. */
static void
conf_scope_verbs(struct conf_ctx *x, struct conf_scope *cs, yaml_node_t *v,
    const char *path)
{
	yaml_node_pair_t *p;
	const char *name;
	int vi;

	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		if ((name = la_conf_read_keyname(x, v, p, path)) == NULL ||
		    (vi = conf_verb(x, la_conf_node_get(x, p->key), name,
		         path)) == -1)
			continue;
		if (!(cs->allowed & (1u << vi))) {
			la_conf_node_err(x, la_conf_node_get(x, p->key),
			    "%s has no meaning for %s in %s (%s)", cs->key,
			    name, path,
			    cs->allowed == CONF_SET_VERBS
			        ? "use POST, PUT or PATCH"
			        : "use GET, PUT, PATCH or DELETE; meta.set "
			          "fills the rows a POST creates");
			continue;
		}
		if (la_conf_node_is_null(la_conf_node_get(x, p->value)))
			continue;
		conf_scope_map(x, cs, la_conf_node_get(x, p->value), 1u << vi,
		    la_conf_node_path(x, path, name));
	}
}

/* Room for every item of a mapping, or of each verb's mapping. */
static size_t
conf_scope_room(struct conf_ctx *x, yaml_node_t *v)
{
	yaml_node_pair_t *p;
	yaml_node_t *m;
	size_t n = 0;

	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		n++;
		m = la_conf_node_get(x, p->value);
		if (m->type == YAML_MAPPING_NODE)
			n += (size_t)(m->data.mapping.pairs.top -
			              m->data.mapping.pairs.start);
	}
	return (n);
}

/* A mapping whose first key names an HTTP verb is the per-verb form. */
static int
conf_scope_is_verbmap(struct conf_ctx *x, yaml_node_t *v)
{
	yaml_node_t *k;

	if (v->data.mapping.pairs.start == v->data.mapping.pairs.top)
		return (0);
	k = la_conf_node_get(x, v->data.mapping.pairs.start->key);
	return (k->type == YAML_SCALAR_NODE &&
	        la_conf_node_find(conf_verb_names, LA_NVERBS,
	            (const char *)k->data.scalar.value) != -1);
}

static void
conf_scope_read(struct conf_ctx *x, yaml_node_t *v, struct conf_scope *cs,
    const char *path)
{
	if (la_conf_node_is_null(v))
		return;
	if (v->type != YAML_MAPPING_NODE) {
		la_conf_node_err(x, v,
		    "expected a mapping of columns (or of HTTP methods) for %s",
		    path);
		return;
	}
	cs->sc->v = la_arena_calloc(x->a, conf_scope_room(x, v) + 1,
	    sizeof(*cs->sc->v));
	cs->sc->n = 0;
	if (conf_scope_is_verbmap(x, v))
		conf_scope_verbs(x, cs, v, path);
	else
		conf_scope_map(x, cs, v, cs->allowed, path);
}

static void
conf_m_where(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct conf_scope cs = {&((struct la_conf_endpoint *)obj)->where,
	    "where", CONF_WHERE_VERBS};

	conf_scope_read(x, v, &cs, path);
}

static void
conf_m_set(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct conf_scope cs = {&((struct la_conf_endpoint *)obj)->set, "set",
	    CONF_SET_VERBS};

	conf_scope_read(x, v, &cs, path);
}

static const struct conf_key conf_meta_keys[] = {
    K_FN("methods", conf_m_methods),
    K_FN("authentication", conf_m_authentication),
    K_FN("filtering", conf_m_filtering),
    K_FN("pagination", conf_m_pagination),
    K_FN("cache", conf_m_cache),
    K_FN("serializer", conf_m_serializer),
    K_FN("table", conf_m_table),
    K_FN("where", conf_m_where),
    K_FN("set", conf_m_set),
    K("expand", CONF_LIST, struct la_conf_endpoint, expand, 0),
    K("expand_limit", CONF_INT, struct la_conf_endpoint, expand_limit, 1),
};

/* The meta: block of one endpoint (obj is its struct la_conf_endpoint). */
void
la_conf_meta_read(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	if (!la_conf_node_is_null(v))
		la_conf_read_map(x, v, path, conf_meta_keys,
		    LA_NELEM(conf_meta_keys), obj);
}
