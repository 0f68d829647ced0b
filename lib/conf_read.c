/*
 * Typed readers for the YAML walker: scalars (strings, identifiers, ints,
 * booleans, sizes, numbers), sequences, key tables (one row per key,
 * applied to a mapping with duplicate and unknown keys reported) and the
 * free-form default: values turned into JSON text. They report through
 * conf_node and know no section of the file.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "arena.h"
#include "buf.h"
#include "coldef.h"
#include "la.h"
#include "str.h"
#include "yaml_conf.h"
#include "conf_int.h"

/* Only default: values are free-form; an alias can even make them cyclic. */
#define CONF_MAX_DEPTH 32

/* ---- scalars ------------------------------------------------------- */

/* The expanded text of a scalar; what names the expected kind. */
const char *
la_conf_read_text(struct conf_ctx *x, const yaml_node_t *n, const char *path,
    const char *what)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE) {
		la_conf_node_err(x, n, "expected %s for %s", what, path);
		return (NULL);
	}
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		la_conf_node_err(x, n, "NUL byte in %s", path);
		return (NULL);
	}
	return (la_conf_node_subst(x, n, s));
}

const char *
la_conf_read_str(struct conf_ctx *x, const yaml_node_t *n, const char *path)
{
	return (la_conf_read_text(x, n, path, "a string"));
}

int
la_conf_read_int(struct conf_ctx *x, const yaml_node_t *n, const char *path,
    long min, int *out)
{
	const char *s;
	int64_t v;

	if ((s = la_conf_read_text(x, n, path, "an integer")) == NULL)
		return (-1);
	if (la_str_to_i64(s, strlen(s), &v) == -1) {
		la_conf_node_err(x, n, "expected an integer for %s", path);
		return (-1);
	}
	if (v < min) {
		la_conf_node_err(x, n, "%s must be at least %ld", path, min);
		return (-1);
	}
	if (v > INT_MAX) {
		la_conf_node_err(x, n, "%s is too large", path);
		return (-1);
	}
	*out = (int)v;
	return (0);
}

/* YAML 1.1 booleans, without the single letters y and n. */
int
la_conf_read_parse_bool(const char *s)
{
	static const char *const t[] = {"true", "yes", "on"};
	static const char *const f[] = {"false", "no", "off"};
	size_t i;

	for (i = 0; i < LA_NELEM(t); i++) {
		if (strcasecmp(s, t[i]) == 0)
			return (1);
		if (strcasecmp(s, f[i]) == 0)
			return (0);
	}
	return (-1);
}

static int
conf_bool(struct conf_ctx *x, const yaml_node_t *n, const char *path, int *out)
{
	const char *s;
	int v;

	if ((s = la_conf_read_text(x, n, path, "true or false")) == NULL)
		return (-1);
	if ((v = la_conf_read_parse_bool(s)) == -1) {
		la_conf_node_err(x, n, "expected true or false for %s", path);
		return (-1);
	}
	*out = v;
	return (0);
}

/* "1048576", "64M", "8k", "1GB": 0, or -1 on junk or overflow. */
static int
conf_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;

	if (*s < '0' || *s > '9')
		return (-1);
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s == 'k' || *s == 'K')
		mul = 1024;
	else if (*s == 'm' || *s == 'M')
		mul = 1024 * 1024;
	else if (*s == 'g' || *s == 'G')
		mul = 1024 * 1024 * 1024;
	if (mul != 1)
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s != '\0' || v > SIZE_MAX / mul)
		return (-1);
	*out = v * mul;
	return (0);
}

static int
conf_size(struct conf_ctx *x, const yaml_node_t *n, const char *path,
    size_t *out)
{
	const char *s;
	uint64_t v;

	if ((s = la_conf_read_text(x, n, path, "a size")) == NULL)
		return (-1);
	if (s[0] == '-' || (conf_parse_size(s, &v) == 0 && v == 0)) {
		la_conf_node_err(x, n, "%s must be a positive size", path);
		return (-1);
	}
	if (conf_parse_size(s, &v) == -1) {
		la_conf_node_err(x, n,
		    "expected a size (bytes, or a number with K, M or G) "
		    "for %s",
		    path);
		return (-1);
	}
	*out = (size_t)v;
	return (0);
}

static int
conf_num(struct conf_ctx *x, const yaml_node_t *n, const char *path,
    double *out)
{
	const char *s;

	if ((s = la_conf_read_text(x, n, path, "a number")) == NULL)
		return (-1);
	if (la_str_to_double(s, strlen(s), out) == -1) {
		la_conf_node_err(x, n, "expected a number for %s", path);
		return (-1);
	}
	return (0);
}

const char *
la_conf_read_ident(struct conf_ctx *x, const yaml_node_t *n, const char *path)
{
	const char *s;

	if ((s = la_conf_read_str(x, n, path)) == NULL)
		return (NULL);
	if (!la_conf_node_ident_ok(s, strlen(s))) {
		la_conf_node_err(x, n,
		    "'%s' is not a valid identifier for %s "
		    "(letters, digits and '_', not starting with a digit)",
		    s, path);
		return (NULL);
	}
	return (s);
}

/* How many items la_conf_read_items will see: a lone scalar is a list of one.
 */
size_t
la_conf_read_nitems(const yaml_node_t *n)
{
	if (la_conf_node_is_null(n))
		return (0);
	if (n->type == YAML_SEQUENCE_NODE)
		return ((size_t)(n->data.sequence.items.top -
		                 n->data.sequence.items.start));
	return (1);
}

/*
 * Calls fn on the expanded text of each string of a list (or of a lone
 * string), with the item's node so that errors point at the item itself.
 */
int
la_conf_read_items(struct conf_ctx *x, yaml_node_t *n, const char *path,
    conf_item_fn *fn, void *arg)
{
	yaml_node_item_t *it;
	yaml_node_t *e;
	const char *s;
	size_t i = 0;

	if (la_conf_node_is_null(n))
		return (0);
	if (n->type == YAML_SCALAR_NODE) {
		if ((s = la_conf_read_str(x, n, path)) != NULL)
			fn(x, n, s, arg);
		return (0);
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		la_conf_node_err(x, n, "expected a list of strings for %s",
		    path);
		return (-1);
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++, i++) {
		e = la_conf_node_get(x, *it);
		if (la_conf_node_visit(x, e) == -1)
			return (-1);
		if ((s = la_conf_read_str(x, e,
		         la_conf_node_ipath(x, path, i))) != NULL)
			fn(x, e, s, arg);
	}
	return (0);
}

static int
conf_strlist_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct la_strlist *l = arg;

	l->pos[l->n] = la_conf_node_pos(n);
	l->v[l->n++] = s;
	return (0);
}

int
la_conf_read_strlist(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_strlist *l)
{
	l->n = 0;
	l->v = la_arena_calloc(x->a, la_conf_read_nitems(n) + 1, sizeof(*l->v));
	l->pos =
	    la_arena_calloc(x->a, la_conf_read_nitems(n) + 1, sizeof(*l->pos));
	return (la_conf_read_items(x, n, path, conf_strlist_add, l));
}

/* A list of verbs, by name; names[i] stands for verb bit 1 << i. */
struct conf_verbs {
	const char *const *names;
	const char *what, *path;
	unsigned bits;
};

static int
conf_verbs_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct conf_verbs *v = arg;
	int i;

	if ((i = la_conf_node_find(v->names, LA_NVERBS, s)) == -1) {
		la_conf_node_err(x, n, "unknown %s '%s' in %s (%s)", v->what, s,
		    v->path, la_conf_node_choices(x, v->names, LA_NVERBS));
		return (-1);
	}
	v->bits |= 1u << i;
	return (0);
}

unsigned
la_conf_read_verbs(struct conf_ctx *x, yaml_node_t *n, const char *path,
    const char *const *names, const char *what)
{
	struct conf_verbs v;

	v.names = names;
	v.what = what;
	v.path = path;
	v.bits = 0;
	if (la_conf_read_items(x, n, path, conf_verbs_add, &v) == 0 &&
	    la_conf_read_nitems(n) == 0)
		la_conf_node_err(x, n, "%s is empty", path);
	return (v.bits);
}

/* ---- the key dispatcher ------------------------------------------- */

/* The name of the key of pair p, or NULL if it is not a new string. */
const char *
la_conf_read_keyname(struct conf_ctx *x, yaml_node_t *map, yaml_node_pair_t *p,
    const char *path)
{
	yaml_node_t *k = la_conf_node_get(x, p->key), *o;
	yaml_node_pair_t *q;
	const char *name;

	if (k->type != YAML_SCALAR_NODE) {
		la_conf_node_err(x, k, "expected a string key in %s",
		    path[0] ? path : "the top level");
		return (NULL);
	}
	name = (const char *)k->data.scalar.value;
	/* An aliased large mapping must not make this quadratic unbounded. */
	x->visits += (p - map->data.mapping.pairs.start) / 256;
	for (q = map->data.mapping.pairs.start; q < p; q++) {
		o = la_conf_node_get(x, q->key);
		if (o->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)o->data.scalar.value, name) == 0) {
			la_conf_node_err(x, k,
			    "duplicate key '%s' in %s (first at %d:%d)", name,
			    path[0] ? path : "the top level",
			    (int)o->start_mark.line + 1,
			    (int)o->start_mark.column + 1);
			return (NULL);
		}
	}
	return (name);
}

static void
conf_set(struct conf_ctx *x, const struct conf_key *k, yaml_node_t *v,
    void *obj, const char *path)
{
	char *p = (char *)obj + k->off;
	const char *s;
	int b;

	switch (k->kind) {
	case CONF_STR:
		if (!la_conf_node_is_null(v) &&
		    (s = la_conf_read_str(x, v, path)) != NULL)
			*(const char **)(void *)p = s;
		break;
	case CONF_IDENT:
		if ((s = la_conf_read_ident(x, v, path)) != NULL)
			*(const char **)(void *)p = s;
		break;
	case CONF_INT:
		la_conf_read_int(x, v, path, k->arg, (int *)(void *)p);
		break;
	case CONF_LEN:
		if (la_conf_read_int(x, v, path, 0, &b) == 0)
			*(int64_t *)(void *)p = b;
		break;
	case CONF_BOOL:
		conf_bool(x, v, path, (int *)(void *)p);
		break;
	case CONF_SIZE:
		conf_size(x, v, path, (size_t *)(void *)p);
		break;
	case CONF_LIST:
		la_conf_read_strlist(x, v, path,
		    (struct la_strlist *)(void *)p);
		break;
	case CONF_FLAG:
		if (conf_bool(x, v, path, &b) == 0) {
			if (b)
				*(uint32_t *)(void *)p |= (uint32_t)k->arg;
			else
				*(uint32_t *)(void *)p &= ~(uint32_t)k->arg;
		}
		break;
	case CONF_BOUND:
		if (conf_num(x, v, path, (double *)(void *)p) == 0)
			((struct la_col_def *)obj)->flags |= (uint32_t)k->arg;
		break;
	case CONF_FN:
		k->fn(x, v, obj, path);
		break;
	}
}

static void
conf_pair(struct conf_ctx *x, yaml_node_t *map, yaml_node_pair_t *p,
    const char *path, const struct conf_key *keys, size_t nkeys, void *obj)
{
	const char *name;
	size_t i;

	if ((name = la_conf_read_keyname(x, map, p, path)) == NULL)
		return;
	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (i == nkeys) {
		if (path[0] == '\0')
			la_conf_node_err(x, la_conf_node_get(x, p->key),
			    "unknown key '%s' at the top level", name);
		else
			la_conf_node_err(x, la_conf_node_get(x, p->key),
			    "unknown key '%s' in %s", name, path);
		return;
	}
	conf_set(x, &keys[i], la_conf_node_get(x, p->value), obj,
	    la_conf_node_path(x, path, name));
}

/* Applies the key table to mapping n; -1 if n is not a mapping. */
int
la_conf_read_map(struct conf_ctx *x, yaml_node_t *n, const char *path,
    const struct conf_key *keys, size_t nkeys, void *obj)
{
	yaml_node_pair_t *p;

	if (n->type != YAML_MAPPING_NODE) {
		la_conf_node_err(x, n, "expected a mapping for %s", path);
		return (-1);
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		if (la_conf_node_visit(x, la_conf_node_get(x, p->value)) == -1)
			return (-1);
		conf_pair(x, n, p, path, keys, nkeys, obj);
	}
	return (0);
}

/* The value of key name in mapping n, or NULL. */
yaml_node_t *
la_conf_read_get(struct conf_ctx *x, yaml_node_t *n, const char *name)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (n->type != YAML_MAPPING_NODE)
		return (NULL);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		k = la_conf_node_get(x, p->key);
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, name) == 0)
			return (la_conf_node_get(x, p->value));
	}
	return (NULL);
}

/* ---- default: values as JSON text ---------------------------------- */

/* 1 when s is already a number in JSON's syntax. */
static int
conf_json_number_ok(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return (0);
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return (0);
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return (0);
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return (*s == '\0');
}

/* The shortest text that reads back as d. */
void
la_conf_read_put_double(struct la_buf *b, double d)
{
	char tmp[64];
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
	la_buf_puts(b, tmp);
}

/* A plain scalar is typed the YAML 1.1 way; anything else is a string. */
static void
conf_json_plain(struct la_buf *b, const char *s)
{
	int64_t i;
	double d;
	int v;

	if (s[0] == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0)
		la_buf_puts(b, "null");
	else if ((v = la_conf_read_parse_bool(s)) != -1)
		la_buf_puts(b, v ? "true" : "false");
	else if (la_str_to_i64(s, strlen(s), &i) == 0)
		la_buf_printf(b, "%lld", (long long)i);
	else if (la_str_to_double(s, strlen(s), &d) == 0) {
		if (conf_json_number_ok(s))
			la_buf_puts(b, s);
		else
			la_conf_read_put_double(b, d);
	} else
		la_conf_node_quote(b, s);
}

static int
conf_json_scalar(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b)
{
	const char *s;

	if ((s = la_conf_read_str(x, n, path)) == NULL)
		return (-1);
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		conf_json_plain(b, s);
	else
		la_conf_node_quote(b, s);
	return (0);
}

static int
conf_json_seq(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b, int depth)
{
	yaml_node_item_t *it;
	int rc;

	la_buf_putc(b, '[');
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		if (it != n->data.sequence.items.start)
			la_buf_putc(b, ',');
		if ((rc = la_conf_read_json(x, la_conf_node_get(x, *it), path,
		         b, depth + 1)))
			return (rc);
	}
	la_buf_putc(b, ']');
	return (0);
}

static int
conf_json_map(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b, int depth)
{
	yaml_node_pair_t *p;
	const char *k;
	int rc;

	la_buf_putc(b, '{');
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		if ((k = la_conf_read_keyname(x, n, p, path)) == NULL)
			return (-1);
		if (p != n->data.mapping.pairs.start)
			la_buf_putc(b, ',');
		la_conf_node_quote(b, k);
		la_buf_putc(b, ':');
		if ((rc = la_conf_read_json(x, la_conf_node_get(x, p->value),
		         path, b, depth + 1)) != 0)
			return (rc);
	}
	la_buf_putc(b, '}');
	return (0);
}

/* 0, -1 after an error, or -2 when too deep (the caller reports it). */
int
la_conf_read_json(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b, int depth)
{
	if (la_conf_node_visit(x, n) == -1)
		return (-1);
	if (depth > CONF_MAX_DEPTH)
		return (-2);
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return (conf_json_scalar(x, n, path, b));
	case YAML_SEQUENCE_NODE:
		return (conf_json_seq(x, n, path, b, depth));
	case YAML_MAPPING_NODE:
		return (conf_json_map(x, n, path, b, depth));
	default:
		la_conf_node_err(x, n, "unexpected node in %s", path);
		return (-1);
	}
}
