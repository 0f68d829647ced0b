/*
 * Row scoping (see scope.h). A scope entry's column and operator come
 * from the catalog; its value is a constant checked at start or a claim
 * read here, coerced to the column's type exactly as a filter value is,
 * and only ever bound.
 */
#include <string.h>

#include "la.h"
#include "arena.h"
#include "handler.h"
#include "json.h"
#include "response.h"
#include "scope.h"
#include "validate.h"

/* A scalar claim as text, or NULL when absent (or not a scalar). */
static const char *
scope_claim(const struct la_req *r, const char *name)
{
	yajl_val v;

	if (r->user == NULL ||
	    (v = la_json_get(r->user, name, strlen(name))) == NULL)
		return (NULL);
	if (YAJL_IS_STRING(v))
		return (v->u.string);
	if (YAJL_IS_NUMBER(v))
		return (YAJL_GET_NUMBER(v));
	if (YAJL_IS_TRUE(v))
		return ("true");
	if (YAJL_IS_FALSE(v))
		return ("false");
	return (NULL);
}

/* 403 "<before>'<claim>'<after>". */
static int
scope_refuse(struct la_req *r, const char *before, const char *claim,
    const char *after)
{
	struct la_buf m;

	la_buf_init(&m);
	la_buf_printf(&m, "%s'%s'%s", before, claim, after);
	la_resp_fail(&r->resp, LA_ERR_FORBIDDEN,
	    la_arena_strndup(r->a, m.data, m.len));
	la_buf_free(&m);
	return (-1);
}

/*
 * The entry's value coerced to its column: 0, or -1 after answering 403.
 * *text is what it was written as (NULL for SQL NULL).
 */
static int
scope_value(struct la_req *r, const struct la_catalog *c,
    const struct la_cat_col *col, const struct la_cat_scope *e,
    const char **text, struct la_value *out)
{
	const char *name = la_catalog_str(c, e->value);
	struct la_buf errs;
	int rc;

	*out = LA_VALUE_NULL;
	*text = NULL;
	if (e->src == LA_SCOPE_NULL)
		return (0);
	*text = e->src == LA_SCOPE_CONST ? name : scope_claim(r, name);
	if (*text == NULL)
		return (scope_refuse(r, "the credentials lack the claim ", name,
		    ""));
	la_buf_init(&errs);
	rc = la_validate_text(col, la_catalog_str(c, col->name), *text,
	    strlen(*text), out, &errs, r->a);
	la_buf_free(&errs);
	if (rc != 0)
		return (scope_refuse(r, "the claim ", name,
		    " does not fit the endpoint's scope"));
	return (0);
}

static void
scope_where(struct la_req *r, const struct la_cat_scope *e, struct la_value v,
    struct la_scope *s)
{
	struct la_qfilter *f = &s->where[s->nwhere++];

	f->col = e->col;
	f->nvals = 1;
	f->vals = la_arena_calloc(r->a, 1, sizeof(*f->vals));
	if (e->src == LA_SCOPE_NULL) {
		f->op = LA_Q_ISNULL;
		f->vals[0] = la_value_int(1);
	} else {
		f->op = LA_Q_EQ;
		f->vals[0] = v;
	}
}

/* The body node a set column is given: the text, which the validator
 * coerces as it would the client's, or null. */
static void
scope_set(struct la_req *r, const struct la_catalog *c,
    const struct la_cat_col *col, const char *text, struct la_scope *s)
{
	struct yajl_val_s *n = la_arena_calloc(r->a, 1, sizeof(*n));

	n->type = yajl_t_null;
	if (text != NULL) {
		n->type = yajl_t_string;
		n->u.string = (char *)text;
	}
	s->set_col[s->nset] = la_catalog_str(c, col->name);
	s->set_val[s->nset++] = n;
}

int
la_scope_resolve(struct la_req *r, const struct la_catalog *c,
    const struct la_cat_table *t, unsigned verb, struct la_scope *s)
{
	const struct la_cat_col *cols = la_catalog_cols(c, t);
	const struct la_cat_scope *sc;
	struct la_value v;
	const char *text;
	size_t n, i;

	memset(s, 0, sizeof(*s));
	if ((sc = la_catalog_scope(c, t, &n)) == NULL)
		return (0);
	s->where = la_arena_calloc(r->a, n, sizeof(*s->where));
	s->set_col = la_arena_calloc(r->a, n, sizeof(*s->set_col));
	s->set_val = la_arena_calloc(r->a, n, sizeof(*s->set_val));
	for (i = 0; i < n; i++) {
		if (!(sc[i].verbs & verb))
			continue;
		if (scope_value(r, c, &cols[sc[i].col], &sc[i], &text, &v) != 0)
			return (-1);
		if (sc[i].kind == LA_SCOPE_WHERE)
			scope_where(r, &sc[i], v, s);
		else
			scope_set(r, c, &cols[sc[i].col], text, s);
	}
	return (0);
}

static int
scope_is_set(const struct la_scope *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nset; i++)
		if (strcmp(s->set_col[i], key) == 0)
			return (1);
	return (0);
}

/* A new object over the same nodes: the parsed tree stays as its parser
 * made it, and is freed as such. */
yajl_val
la_scope_body(struct la_req *r, const struct la_scope *s, yajl_val body)
{
	struct yajl_val_s *o;
	size_t i, n = 0, len = body->u.object.len;

	if (s->nset == 0)
		return (body);
	o = la_arena_calloc(r->a, 1, sizeof(*o));
	o->type = yajl_t_object;
	o->u.object.keys =
	    la_arena_calloc(r->a, len + s->nset, sizeof(*o->u.object.keys));
	o->u.object.values =
	    la_arena_calloc(r->a, len + s->nset, sizeof(*o->u.object.values));
	for (i = 0; i < len; i++) {
		if (scope_is_set(s, body->u.object.keys[i]))
			continue;
		o->u.object.keys[n] = body->u.object.keys[i];
		o->u.object.values[n++] = body->u.object.values[i];
	}
	for (i = 0; i < s->nset; i++) {
		o->u.object.keys[n] = s->set_col[i];
		o->u.object.values[n++] = s->set_val[i];
	}
	o->u.object.len = n;
	return (o);
}

void
la_scope_key(const struct la_req *r, const struct la_catalog *c,
    const struct la_cat_table *t, struct la_buf *b)
{
	const struct la_cat_scope *sc;
	const char *v;
	size_t n, i;

	if ((sc = la_catalog_scope(c, t, &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (sc[i].kind != LA_SCOPE_WHERE || !(sc[i].verbs & LA_M_GET) ||
		    sc[i].src != LA_SCOPE_CLAIM)
			continue;
		if ((v = scope_claim(r, la_catalog_str(c, sc[i].value))) ==
		    NULL) {
			la_buf_puts(b, "-");
			continue;
		}
		la_buf_printf(b, "%zu:", strlen(v));
		la_buf_puts(b, v);
	}
}
