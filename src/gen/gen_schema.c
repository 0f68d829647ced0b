/*
 * Schema creation and reflection for a generation (see gen_schema.h). The
 * checks that need both the configuration and the database (a reflected
 * table that is missing, a foreign key to an unknown table) are made
 * here, and reported where the configuration says what is wrong.
 */
#include <string.h>

#include "gen_schema.h"
#include "la.h"
#include "arena.h"
#include "ddl.h"
#include "gen_auth.h"
#include "validate.h"

static int
gen_schema_declared_has(const struct la_conf_endpoint *e, const char *col)
{
	size_t i;

	if (strcmp(col, "id") == 0)
		return (1);
	for (i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, col) == 0)
			return (1);
	return (0);
}

static int
gen_schema_db_has(struct la_gen_ctx *x, const char *table, const char *col)
{
	struct la_col_def *cols;
	size_t n, i;

	if (la_db_table_exists(&x->db, table) != 1)
		return (0);
	if (la_db_reflect(&x->db, table, x->arena, &cols, &n) < 0)
		return (0);
	for (i = 0; i < n; i++)
		if (strcmp(cols[i].name, col) == 0)
			return (1);
	return (0);
}

static void
gen_schema_check_fk(struct la_gen_ctx *x, const struct la_col_def *d)
{
	const struct la_conf_endpoint *target;
	const char *col = d->fk_col ? d->fk_col : "id";

	target = la_gen_ctx_declared(x->conf, d->fk_table);
	if (target != NULL ? gen_schema_declared_has(target, col)
	                   : gen_schema_db_has(x, d->fk_table, col))
		return;
	la_gen_ctx_err(x, la_gen_ctx_pos(d),
	    "foreign key of field '%s' references unknown %s '%s.%s'", d->name,
	    target != NULL || la_db_table_exists(&x->db, d->fk_table) == 1
	        ? "column"
	        : "table",
	    d->fk_table, col);
}

/* Declared fields (minus excluded ones) then the four auto columns. */
static struct la_col_def *
gen_schema_declared_cols(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    size_t *n)
{
	struct la_col_def *cols;
	size_t i, k = 0;

	cols = la_arena_calloc(x->arena, e->nfields + 4, sizeof(*cols));
	for (i = 0; i < e->nfields; i++) {
		if (e->fields[i].flags & LA_COL_EXCLUDE)
			continue;
		cols[k] = e->fields[i];
		if (cols[k].fk_table != NULL)
			gen_schema_check_fk(x, &cols[k]);
		k++;
	}
	la_catalog_auto_columns(&cols[k]);
	*n = k + 4;
	return (cols);
}

/* what: "create table", ... (the message reads "cannot <what> 't'"). */
static int
gen_schema_exec(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    const char *sql, const char *what)
{
	if (x->dry_run) {
		/* -t on a real database: say what the start would do. */
		x->pending_ddl = 1;
		la_buf_printf(x->warnings,
		    "%s:%d:%d: note: at start, endpoint '%s' runs: %s\n",
		    x->conf->path, e->pos.line, e->pos.col, e->route, sql);
		return (0);
	}
	if (la_db_exec(&x->db, sql) >= 0)
		return (0);
	la_gen_ctx_err(x, e->pos, "cannot %s '%s': %s", what, e->table,
	    la_db_errmsg(&x->db));
	return (-1);
}

/*
 * The active filtering fields and ordering entries, as the catalog takes
 * them (a backend that is off lists nothing).
 */
static const char **
gen_schema_lists(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    size_t *n)
{
	const char **v;
	size_t i;

	v = la_arena_calloc(x->arena, e->filter.n + e->ordering.n + 1,
	    sizeof(*v));
	*n = 0;
	for (i = 0; (e->filter_backends & LA_FILTER_FIELDS) && i < e->filter.n;
	     i++)
		v[(*n)++] = e->filter.v[i];
	for (i = 0;
	     (e->filter_backends & LA_FILTER_ORDERING) && i < e->ordering.n;
	     i++)
		v[(*n)++] = e->ordering.v[i];
	return (v);
}

/* meta.expand as the catalog keeps it: "author,books", or NULL. The
 * relations are resolved per request, against the catalog's foreign keys
 * and the caller's permissions (src/http/expand.c). */
static const char *
gen_schema_expand(struct la_gen_ctx *x, const struct la_conf_endpoint *e)
{
	size_t i, len = 0;
	char *s;

	if (e->expand.n == 0)
		return (NULL);
	for (i = 0; i < e->expand.n; i++)
		len += strlen(e->expand.v[i]) + 1;
	s = la_arena_calloc(x->arena, len + 1, 1);
	for (i = 0; i < e->expand.n; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, e->expand.v[i]);
	}
	return (s);
}

/*
 * On a table that was there already, a refused index (a database user who
 * does not own the table, a read-only database) is a warning: the API
 * works without it, as it did before the entry was added.
 */
static void
gen_schema_index_failed(struct la_gen_ctx *x, const struct la_conf_endpoint *e)
{
	la_buf_printf(x->warnings,
	    "%s:%d:%d: warning: endpoint '%s': cannot create an index on "
	    "table '%s': %s; the lists it would serve read the whole table\n",
	    x->conf->path, e->pos.line ? e->pos.line : 1,
	    e->pos.col ? e->pos.col : 1, e->route, e->table,
	    la_db_errmsg(&x->db));
}

/*
 * IF NOT EXISTS makes this cheap when the indexes are there, and creates
 * the ones a filtering or ordering entry added since the table was made.
 */
static void
gen_schema_create_indexes(struct la_gen_ctx *x,
    const struct la_conf_endpoint *e, const struct la_col_def *cols, size_t n,
    int existed)
{
	struct la_buf idx;
	const char **lists;
	char *line, *save = NULL;
	size_t nlists;

	lists = gen_schema_lists(x, e, &nlists);
	la_buf_init(&idx);
	la_ddl_indexes(&idx, la_db_dialect(&x->db), e->table, cols, n, lists,
	    nlists);
	for (line = idx.len > 0 ? strtok_r(idx.data, "\n", &save) : NULL;
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (!existed) {
			if (gen_schema_exec(x, e, line,
			        "create an index on table") != 0)
				break;
		} else if (!x->dry_run && la_db_exec(&x->db, line) < 0)
			/* (-t: IF NOT EXISTS finds them there, mostly; not
			 * worth a note per index on every test.) */
			gen_schema_index_failed(x, e);
	}
	la_buf_free(&idx);
}

/* An existing table must already have every declared column. */
static void
gen_schema_check_existing(struct la_gen_ctx *x,
    const struct la_conf_endpoint *e, const struct la_col_def *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!gen_schema_db_has(x, e->table, cols[i].name))
			la_gen_ctx_err(x, e->pos,
			    "table '%s' exists without column '%s' (use "
			    "reflect: partial to add it)",
			    e->table, cols[i].name);
}

static struct la_col_def *
gen_schema_declared(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    size_t *n)
{
	struct la_buf sql;
	struct la_col_def *cols;
	int nerr = x->nerr, rc = 0, existed;

	cols = gen_schema_declared_cols(x, e, n);
	existed = la_db_table_exists(&x->db, e->table) == 1;
	if (existed) {
		gen_schema_check_existing(x, e, cols, *n);
	} else {
		la_buf_init(&sql);
		la_ddl_create_table(&sql, NULL, la_db_dialect(&x->db), e->table,
		    cols, *n);
		rc = gen_schema_exec(x, e, sql.data, "create table");
		la_buf_free(&sql);
	}
	if (rc == 0 && x->nerr == nerr)
		gen_schema_create_indexes(x, e, cols, *n, existed);
	return (cols);
}

/* Reflected id/created_at/updated_at/version are managed as in declared
 * tables, so clients cannot forge them. */
static void
gen_schema_mark_managed(struct la_col_def *cols, size_t n)
{
	static const char *const managed[] = {"created_at", "updated_at",
	    "version"};
	size_t i, k;

	for (i = 0; i < n; i++) {
		if ((cols[i].flags & LA_COL_PK) &&
		    (cols[i].flags & LA_COL_AUTOINC))
			cols[i].flags |= LA_COL_AUTO;
		for (k = 0; k < LA_NELEM(managed); k++)
			if (strcmp(cols[i].name, managed[k]) == 0)
				cols[i].flags |= LA_COL_AUTO;
	}
}

static struct la_col_def *
gen_schema_reflect_cols(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    size_t *n)
{
	struct la_col_def *cols = NULL;

	if (la_db_reflect(&x->db, e->table, x->arena, &cols, n) < 0) {
		la_gen_ctx_err(x, e->pos, "cannot reflect table '%s': %s",
		    e->table, la_db_errmsg(&x->db));
		return (NULL);
	}
	gen_schema_mark_managed(cols, *n);
	return (cols);
}

/*
 * A reflected table is the administrator's: lightapid creates no index in
 * it, but says where a list would read the whole table. A column is
 * indexed when some index starts with it (the key and a unique column
 * count).
 */
static void
gen_schema_warn_list(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    const struct la_col_def *cols, size_t n, const struct la_strlist *l,
    const char *what)
{
	const struct la_col_def *key = NULL;
	struct la_pos pos;
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		if (cols[i].flags & LA_COL_PK)
			key = &cols[i];
	for (i = 0; i < l->n; i++) {
		k = la_ddl_list_column(cols, n, l->v[i]);
		if (k < 0 || (cols[k].flags &
		                 (LA_COL_PK | LA_COL_UNIQUE | LA_COL_INDEX)))
			continue;
		pos = l->pos != NULL ? l->pos[i] : e->pos;
		la_buf_printf(x->warnings,
		    "%s:%d:%d: warning: endpoint '%s' %s column '%s' of "
		    "reflected table '%s', which no index starts with: each "
		    "such list reads the whole table (an index on (%s%s%s) "
		    "would serve it)\n",
		    x->conf->path, pos.line ? pos.line : 1,
		    pos.col ? pos.col : 1, e->route, what, cols[k].name,
		    e->table, cols[k].name, key ? ", " : "",
		    key ? key->name : "");
	}
}

static void
gen_schema_warn_unindexed(struct la_gen_ctx *x,
    const struct la_conf_endpoint *e, const struct la_col_def *cols, size_t n)
{
	if (e->filter_backends & LA_FILTER_FIELDS)
		gen_schema_warn_list(x, e, cols, n, &e->filter, "filters on");
	if (e->filter_backends & LA_FILTER_ORDERING)
		gen_schema_warn_list(x, e, cols, n, &e->ordering, "orders by");
}

/* Adds the declared fields the table lacks; how many, or -1. */
static int
gen_schema_add_missing(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    const struct la_col_def *cols, size_t n)
{
	struct la_buf sql;
	size_t i;
	int added = 0;

	la_buf_init(&sql);
	for (i = 0; i < e->nfields; i++) {
		if ((e->fields[i].flags & LA_COL_EXCLUDE) ||
		    la_gen_ctx_find_def(cols, n, e->fields[i].name) >= 0)
			continue;
		la_buf_reset(&sql);
		la_ddl_add_column(&sql, la_db_dialect(&x->db), e->table,
		    &e->fields[i]);
		if (gen_schema_exec(x, e, sql.data, "add a column to table") !=
		    0) {
			added = -1;
			break;
		}
		added++;
	}
	la_buf_free(&sql);
	return (added);
}

/*
 * reflect: partial — add the declared fields the table lacks, warn about
 * lists on unindexed columns as for any reflected table (its indexes are
 * the administrator's), and let the declared constraints govern the
 * validation of the columns the fields declare.
 */
static struct la_col_def *
gen_schema_partial(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    size_t *n)
{
	struct la_col_def *cols;
	size_t i;
	int k, added;

	if ((cols = gen_schema_reflect_cols(x, e, n)) == NULL)
		return (NULL);
	added = gen_schema_add_missing(x, e, cols, *n);
	if (added < 0)
		return (cols);
	if (added > 0 && (cols = gen_schema_reflect_cols(x, e, n)) == NULL)
		return (NULL);
	gen_schema_warn_unindexed(x, e, cols, *n);
	for (i = 0; i < e->nfields; i++) {
		if (e->fields[i].flags & LA_COL_EXCLUDE)
			continue;
		if ((k = la_gen_ctx_find_def(cols, *n, e->fields[i].name)) >= 0)
			cols[k] = e->fields[i];
	}
	return (cols);
}

static struct la_col_def *
gen_schema_reflected(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    size_t *n)
{
	struct la_pos pos = e->table_pos.line ? e->table_pos : e->pos;
	struct la_col_def *cols;

	if (la_db_table_exists(&x->db, e->table) != 1) {
		la_gen_ctx_err(x, pos,
		    "table '%s' does not exist in the database", e->table);
		return (NULL);
	}
	if (e->reflect == LA_REFLECT_PARTIAL)
		return (gen_schema_partial(x, e, n));
	if ((cols = gen_schema_reflect_cols(x, e, n)) != NULL)
		gen_schema_warn_unindexed(x, e, cols, *n);
	return (cols);
}


/* ---- row scoping -------------------------------------------------------- */

/* 0 when the constant coerces to d's type, as a filter value would. */
static int
gen_schema_const_ok(struct la_gen_ctx *x, const struct la_col_def *d,
    const char *text)
{
	struct la_cat_col col;
	struct la_value v;
	struct la_buf errs;
	int rc;

	memset(&col, 0, sizeof(col));
	col.type = (uint32_t)d->type;
	col.flags = d->flags;
	col.decimal_places = d->decimal_places;
	col.max_digits = d->max_digits;
	col.min_length = col.max_length = -1;
	la_buf_init(&errs);
	rc = la_validate_text(&col, d->name, text, strlen(text), &v, &errs,
	    x->arena);
	la_buf_free(&errs);
	return (rc);
}

/* A claim is read from credentials: every verb it serves must have them. */
static void
gen_schema_scope_auth(struct la_gen_ctx *x, const struct la_conf_scope_item *it,
    const char *key, const struct la_cat_auth *au, uint32_t methods)
{
	int vi;

	for (vi = 0; vi < LA_NVERBS; vi++)
		if ((it->verbs & methods & (1u << vi)) &&
		    (au == NULL || au->backend[vi] == LA_AUTH_NONE)) {
			la_gen_ctx_err(x, it->pos,
			    "meta.%s: column '%s' takes claim '%s', but %s has "
			    "no authentication to read it from",
			    key, it->col, it->claim, la_verb_name(1u << vi));
			return;
		}
}

static int
gen_schema_scope_item(struct la_gen_ctx *x, const struct la_conf_scope_item *it,
    int kind, const struct la_col_def *cols, size_t n,
    struct la_catb_scope *out)
{
	const char *key = kind == LA_SCOPE_WHERE ? "where" : "set";
	int k = la_gen_ctx_find_def(cols, n, it->col);

	if (k < 0) {
		la_gen_ctx_err(x, it->pos, "meta.%s: unknown column '%s'", key,
		    it->col);
		return (-1);
	}
	if (kind == LA_SCOPE_SET && (cols[k].flags & LA_COL_AUTO)) {
		la_gen_ctx_err(x, it->pos,
		    "meta.set: column '%s' is managed by the server", it->col);
		return (-1);
	}
	if (it->claim == NULL && it->value == NULL && kind == LA_SCOPE_SET &&
	    !(cols[k].flags & LA_COL_NULLABLE)) {
		la_gen_ctx_err(x, it->pos,
		    "meta.set: column '%s' cannot be null", it->col);
		return (-1);
	}
	if (it->value != NULL && gen_schema_const_ok(x, &cols[k], it->value)) {
		la_gen_ctx_err(x, it->pos,
		    "meta.%s: '%s' is not a valid %s for column '%s'", key,
		    it->value, la_type_name(cols[k].type), it->col);
		return (-1);
	}
	out->col = it->col;
	out->kind = kind;
	out->verbs = it->verbs;
	out->src = it->claim != NULL   ? LA_SCOPE_CLAIM
	           : it->value != NULL ? LA_SCOPE_CONST
	                               : LA_SCOPE_NULL;
	out->value = it->claim != NULL ? it->claim : it->value;
	return (0);
}

/* meta.where then meta.set, checked against the table's columns. */
static const struct la_catb_scope *
gen_schema_scope(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    const struct la_col_def *cols, size_t n, const struct la_catb_table *t,
    size_t *nscope)
{
	const struct la_conf_scope *sc[2] = {&e->where, &e->set};
	struct la_catb_scope *v;
	size_t i, k;

	*nscope = 0;
	v = la_arena_calloc(x->arena, e->where.n + e->set.n + 1, sizeof(*v));
	for (k = 0; k < 2; k++)
		for (i = 0; i < sc[k]->n; i++) {
			if (gen_schema_scope_item(x, &sc[k]->v[i], (int)k, cols,
			        n, &v[*nscope]) != 0)
				continue;
			if (sc[k]->v[i].claim != NULL)
				gen_schema_scope_auth(x, &sc[k]->v[i],
				    k ? "set" : "where", t->auth, t->methods);
			(*nscope)++;
		}
	return (v);
}

static void
gen_schema_catalog_table(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    const struct la_col_def *cols, size_t n)
{
	const struct la_conf *c = x->conf;
	const struct la_conf_pagination *p =
	    e->pagination.set ? &e->pagination : &c->default_pagination;
	struct la_catb_table t;
	struct la_cat_auth au;
	size_t i;
	int has_pk = 0;

	for (i = 0; i < n; i++)
		has_pk |= (cols[i].flags & LA_COL_PK) != 0;
	memset(&t, 0, sizeof(t));
	t.name = e->table;
	t.route = e->route;
	/* Without a primary key there is no detail route: list only. */
	t.methods = has_pk ? e->methods : (e->methods & LA_M_GET);
	t.flags =
	    e->reflect == LA_REFLECT_NO ? LA_TBL_DECLARED : LA_TBL_REFLECTED;
	t.cache_ttl = e->cache_ttl;
	if (p->set) {
		t.page_style = p->style;
		t.page_size = p->page_size;
		t.max_page_size = p->max_page_size;
		t.count_mode = p->count;
		t.count_ttl = p->count_ttl;
	}
	/* filtering.backends turns lists off without forgetting them. */
	t.filter = e->filter.v;
	t.nfilter = (e->filter_backends & LA_FILTER_FIELDS) ? e->filter.n : 0;
	t.search = e->search.v;
	t.nsearch = (e->filter_backends & LA_FILTER_SEARCH) ? e->search.n : 0;
	t.ordering = e->ordering.v;
	t.nordering =
	    (e->filter_backends & LA_FILTER_ORDERING) ? e->ordering.n : 0;
	t.ser_read = e->ser_fields.n ? e->ser_fields.v : e->ser_read.v;
	t.nser_read = e->ser_fields.n ? e->ser_fields.n : e->ser_read.n;
	t.ser_write = e->ser_fields.n ? e->ser_fields.v : e->ser_write.v;
	t.nser_write = e->ser_fields.n ? e->ser_fields.n : e->ser_write.n;
	t.auth = la_gen_auth_endpoint(x, e, &au);
	t.scope = gen_schema_scope(x, e, cols, n, &t, &t.nscope);
	t.expand = gen_schema_expand(x, e);
	t.expand_limit = e->expand_limit > 0 ? e->expand_limit : 100;
	la_catb_table(x->catb, &t);
	for (i = 0; i < n; i++)
		la_catb_column(x->catb, &cols[i]);
}

void
la_gen_schema_endpoint(struct la_gen_ctx *x, const struct la_conf_endpoint *e)
{
	struct la_col_def *cols;
	size_t n = 0;

	if (e->reflect == LA_REFLECT_NO)
		cols = gen_schema_declared(x, e, &n);
	else
		cols = gen_schema_reflected(x, e, &n);
	if (cols != NULL)
		gen_schema_catalog_table(x, e, cols, n);
}

/* Two declared endpoints cannot both own one table. */
void
la_gen_schema_check_tables(struct la_gen_ctx *x)
{
	const struct la_conf *c = x->conf;
	size_t i, j;

	for (i = 0; i < c->nendpoints; i++)
		for (j = 0; j < i; j++)
			if (c->endpoints[i].reflect == LA_REFLECT_NO &&
			    c->endpoints[j].reflect == LA_REFLECT_NO &&
			    strcmp(c->endpoints[i].table,
			        c->endpoints[j].table) == 0)
				la_gen_ctx_err(x, c->endpoints[i].pos,
				    "table '%s' is already declared by the "
				    "endpoint at line %d",
				    c->endpoints[i].table,
				    c->endpoints[j].pos.line);
}

static void
gen_schema_expand_one(struct la_gen_ctx *x, const struct la_catalog *c,
    const struct la_conf_endpoint *e, const struct la_cat_table *t)
{
	const struct la_strlist *l = &e->expand;
	struct la_pos pos;
	struct la_cat_rel r;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (la_catalog_relation(c, t, l->v[i], strlen(l->v[i]), &r) ==
		    0)
			continue;
		pos = l->pos != NULL ? l->pos[i] : e->pos;
		la_gen_ctx_err(x, pos,
		    "meta.expand: '%s' is neither a column %s_id with a "
		    "foreign_key nor an endpoint /%s whose foreign key points "
		    "to '%s', served with GET",
		    l->v[i], l->v[i], l->v[i], e->table);
	}
}

void
la_gen_schema_check_expand(struct la_gen_ctx *x, const struct la_catalog *c)
{
	const struct la_conf_endpoint *e;
	const struct la_cat_table *t;
	size_t i;

	for (i = 0; i < x->conf->nendpoints; i++) {
		e = &x->conf->endpoints[i];
		t = la_catalog_find(c, e->route, strlen(e->route));
		if (e->expand.n > 0 && t != NULL)
			gen_schema_expand_one(x, c, e, t);
	}
}
