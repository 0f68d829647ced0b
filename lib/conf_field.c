/*
 * Field specs (SPEC 3): the fields: mapping of an endpoint, one struct
 * la_col_def per field, with its type, constraints, default and foreign
 * key. Names the server manages itself are refused here.
 */
#include <regex.h>
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "buf.h"
#include "coldef.h"
#include "la.h"
#include "yaml_conf.h"
#include "conf_int.h"

/* Managed by the server on every declared table. */
static const char *const conf_reserved[] = {"id", "created_at", "updated_at",
    "version"};

/* ---- field specs (SPEC 3) ------------------------------------------ */

static void
conf_f_type(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	static const char *const names[] = {"str", "text", "int", "float",
	    "bool", "datetime", "date", "Decimal", "decimal", "UUID", "uuid",
	    "json"};
	struct la_col_def *d = obj;
	const char *s;

	if ((s = la_conf_read_str(x, v, path)) == NULL)
		return;
	if ((d->type = la_type_parse(s)) == LA_T_NONE)
		la_conf_node_err(x, v,
		    "unknown field type '%s' in %s (valid: %s)", s, path,
		    la_conf_node_choices(x, names, LA_NELEM(names)));
}

static void
conf_f_default(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_col_def *d = obj;
	struct la_buf b;
	int rc;

	la_buf_init(&b);
	if ((rc = la_conf_read_json(x, v, path, &b, 0)) == 0) {
		d->dflt = la_arena_strndup(x->a, b.data, b.len);
		d->flags |= LA_COL_DEFAULT;
	} else if (rc == -2)
		la_conf_node_err(x, v, "%s is nested too deeply", path);
	la_buf_free(&b);
}

static void
conf_f_pattern(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_col_def *d = obj;
	char msg[128];
	regex_t re;
	const char *s;
	int rc;

	if ((s = la_conf_read_str(x, v, path)) == NULL)
		return;
	/* Reject it now rather than on the first request that uses it. */
	if ((rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		la_conf_node_err(x, v, "bad regular expression for %s: %s",
		    path, msg);
		return;
	}
	regfree(&re);
	d->pattern = s;
}

static void
conf_f_fk(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_col_def *d = obj;
	const char *s, *dot;

	if ((s = la_conf_read_str(x, v, path)) == NULL)
		return;
	if ((dot = strchr(s, '.')) == NULL ||
	    !la_conf_node_ident_ok(s, (size_t)(dot - s)) ||
	    !la_conf_node_ident_ok(dot + 1, strlen(dot + 1))) {
		la_conf_node_err(x, v, "expected 'table.column' for %s", path);
		return;
	}
	d->fk_table = la_arena_strndup(x->a, s, (size_t)(dot - s));
	d->fk_col = dot + 1;
}

static const struct conf_key conf_field_keys[] = {
    K_FN("type", conf_f_type),
    K("optional", CONF_FLAG, struct la_col_def, flags, LA_COL_NULLABLE),
    K_FN("default", conf_f_default),
    K("min_length", CONF_LEN, struct la_col_def, min_length, 0),
    K("max_length", CONF_LEN, struct la_col_def, max_length, 0),
    K_FN("pattern", conf_f_pattern),
    K("gt", CONF_BOUND, struct la_col_def, gt, LA_COL_GT),
    K("ge", CONF_BOUND, struct la_col_def, ge, LA_COL_GE),
    K("lt", CONF_BOUND, struct la_col_def, lt, LA_COL_LT),
    K("le", CONF_BOUND, struct la_col_def, le, LA_COL_LE),
    K("decimal_places", CONF_INT, struct la_col_def, decimal_places, 0),
    K("max_digits", CONF_INT, struct la_col_def, max_digits, 1),
    K("unique", CONF_FLAG, struct la_col_def, flags, LA_COL_UNIQUE),
    K("index", CONF_FLAG, struct la_col_def, flags, LA_COL_INDEX),
    K_FN("foreign_key", conf_f_fk),
    K("exclude", CONF_FLAG, struct la_col_def, flags, LA_COL_EXCLUDE),
    K("description", CONF_STR, struct la_col_def, description, 0),
};

static int
conf_field_name(struct conf_ctx *x, yaml_node_t *k, const char *name,
    const char *path, int reserved)
{
	if (reserved && la_conf_node_find(conf_reserved,
	                    LA_NELEM(conf_reserved), name) != -1) {
		la_conf_node_err(x, k,
		    "field '%s' is managed by the server and cannot be "
		    "declared",
		    name);
		return (-1);
	}
	if (!la_conf_node_ident_ok(name, strlen(name))) {
		la_conf_node_err(x, k,
		    "field name '%s' in %s is not a valid identifier "
		    "(letters, digits and '_', not starting with a digit)",
		    name, path);
		return (-1);
	}
	return (0);
}

static void
conf_field(struct conf_ctx *x, yaml_node_t *k, yaml_node_t *v, const char *path,
    struct la_col_def *d)
{
	la_col_def_init(d,
	    la_arena_strdup(x->a, (const char *)k->data.scalar.value),
	    LA_T_NONE);
	d->line = (int)k->start_mark.line + 1;
	d->col = (int)k->start_mark.column + 1;
	if (la_conf_read_map(x, v, path, conf_field_keys,
	        LA_NELEM(conf_field_keys), d) == -1)
		return;
	if (la_conf_read_get(x, v, "type") == NULL)
		la_conf_node_err(x, v, "missing required key 'type' in %s",
		    path);
	if (d->min_length >= 0 && d->max_length >= 0 &&
	    d->min_length > d->max_length)
		la_conf_node_err(x, v,
		    "min_length is greater than max_length in %s", path);
}

static void
conf_fields(struct conf_ctx *x, yaml_node_t *v, struct la_conf_endpoint *ep,
    const char *path, int reserved)
{
	yaml_node_pair_t *p;
	const char *name;

	if (la_conf_node_is_null(v))
		return;
	if (v->type != YAML_MAPPING_NODE) {
		la_conf_node_err(x, v, "expected a mapping for %s", path);
		return;
	}
	ep->fields = la_arena_calloc(x->a,
	    (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start) +
	        1,
	    sizeof(*ep->fields));
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		if (la_conf_node_visit(x, la_conf_node_get(x, p->value)) == -1)
			return;
		if ((name = la_conf_read_keyname(x, v, p, path)) == NULL ||
		    conf_field_name(x, la_conf_node_get(x, p->key), name, path,
		        reserved) == -1)
			continue;
		conf_field(x, la_conf_node_get(x, p->key),
		    la_conf_node_get(x, p->value),
		    la_conf_node_path(x, path, name),
		    &ep->fields[ep->nfields++]);
	}
}

void
la_conf_field_specs(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	conf_fields(x, v, obj, path, 1);
}

/* A canned query's params: fields of no table, so no name is reserved. */
void
la_conf_field_params(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	conf_fields(x, v, obj, path, 0);
}
