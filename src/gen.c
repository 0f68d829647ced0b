/*
 * Building a generation (see gen.h): configuration → database → catalog.
 * This is the only place where the configuration meets the database, so
 * the checks that need both (a reflected table that is missing, a foreign
 * key to an unknown table) are made here, and reported against the line
 * and column the loader kept.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "db.h"
#include "ddl.h"
#include "gen.h"
#include "jwt.h"
#include "validate.h"
#include "xalloc.h"

/* Everything one build needs to carry around. */
struct gen_ctx {
	struct la_gen *g;
	struct la_db_conn db;
	struct la_buf *errs;
	struct la_catb *catb;
	int nerr;
};

static void gen_err(struct gen_ctx *x, struct la_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
gen_err(struct gen_ctx *x, struct la_pos pos, const char *fmt, ...)
{
	va_list ap;

	la_buf_printf(x->errs, "%s:%d:%d: ", x->g->conf->path,
	    pos.line ? pos.line : 1, pos.col ? pos.col : 1);
	va_start(ap, fmt);
	la_buf_vprintf(x->errs, fmt, ap);
	va_end(ap);
	la_buf_putc(x->errs, '\n');
	x->nerr++;
}

static struct la_pos
gen_field_pos(const struct la_col_def *d)
{
	struct la_pos p = {d->line, d->col};

	return (p);
}

static const char *
gen_getenv(const char *name)
{
	return (getenv(name));
}

static void
gen_apply_overrides(struct la_conf *c, const struct la_overrides *ov,
    struct la_arena *a)
{
	if (ov == NULL)
		return;
	if (ov->workers >= 0)
		c->server.workers = ov->workers;
	if (ov->pid_file != NULL)
		c->server.pid_file = ov->pid_file;
	if (ov->listen != NULL) {
		c->server.listen.v = la_arena_alloc(a, sizeof(char *));
		c->server.listen.v[0] = ov->listen;
		c->server.listen.n = 1;
	}
}

/* ---- foreign keys ------------------------------------------------------- */

static const struct la_conf_endpoint *
gen_declared_table(const struct la_conf *c, const char *table)
{
	size_t i;

	for (i = 0; i < c->nendpoints; i++)
		if (c->endpoints[i].reflect != LA_REFLECT_YES &&
		    strcmp(c->endpoints[i].table, table) == 0)
			return (&c->endpoints[i]);
	return (NULL);
}

static int
gen_declared_has(const struct la_conf_endpoint *e, const char *col)
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
gen_db_has(struct gen_ctx *x, const char *table, const char *col)
{
	struct la_col_def *cols;
	size_t n, i;

	if (la_db_table_exists(&x->db, table) != 1)
		return (0);
	if (la_db_reflect(&x->db, table, x->g->arena, &cols, &n) < 0)
		return (0);
	for (i = 0; i < n; i++)
		if (strcmp(cols[i].name, col) == 0)
			return (1);
	return (0);
}

static void
gen_check_fk(struct gen_ctx *x, const struct la_col_def *d)
{
	const struct la_conf_endpoint *target;
	const char *col = d->fk_col ? d->fk_col : "id";

	target = gen_declared_table(x->g->conf, d->fk_table);
	if (target != NULL ? gen_declared_has(target, col)
	                   : gen_db_has(x, d->fk_table, col))
		return;
	gen_err(x, gen_field_pos(d),
	    "foreign key of field '%s' references unknown %s '%s.%s'", d->name,
	    target != NULL || la_db_table_exists(&x->db, d->fk_table) == 1
	        ? "column"
	        : "table",
	    d->fk_table, col);
}

/* ---- declared tables ---------------------------------------------------- */

/* Declared fields (minus excluded ones) then the four auto columns. */
static struct la_col_def *
gen_declared_cols(struct gen_ctx *x, const struct la_conf_endpoint *e,
    size_t *n)
{
	struct la_col_def *cols;
	size_t i, k = 0;

	cols = la_arena_calloc(x->g->arena, e->nfields + 4, sizeof(*cols));
	for (i = 0; i < e->nfields; i++) {
		if (e->fields[i].flags & LA_COL_EXCLUDE)
			continue;
		cols[k] = e->fields[i];
		if (cols[k].fk_table != NULL)
			gen_check_fk(x, &cols[k]);
		k++;
	}
	la_catalog_auto_columns(&cols[k]);
	*n = k + 4;
	return (cols);
}

static int
gen_exec(struct gen_ctx *x, const struct la_conf_endpoint *e, const char *sql)
{
	if (la_db_exec(&x->db, sql) >= 0)
		return (0);
	gen_err(x, e->pos, "cannot create table '%s': %s", e->table,
	    la_db_errmsg(&x->db));
	return (-1);
}

static void
gen_create_indexes(struct gen_ctx *x, const struct la_conf_endpoint *e,
    char *idx)
{
	char *line, *save = NULL;

	for (line = strtok_r(idx, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (gen_exec(x, e, line) != 0)
			return;
}

/* An existing table must already have every declared column. */
static void
gen_check_existing(struct gen_ctx *x, const struct la_conf_endpoint *e,
    const struct la_col_def *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!gen_db_has(x, e->table, cols[i].name))
			gen_err(x, e->pos,
			    "table '%s' exists without column '%s' (use "
			    "reflect: partial to add it)",
			    e->table, cols[i].name);
}

static struct la_col_def *
gen_declared(struct gen_ctx *x, const struct la_conf_endpoint *e, size_t *n)
{
	struct la_buf sql, idx;
	struct la_col_def *cols;
	int existed;

	cols = gen_declared_cols(x, e, n);
	existed = la_db_table_exists(&x->db, e->table) == 1;
	if (existed) {
		gen_check_existing(x, e, cols, *n);
		return (cols);
	}
	la_buf_init(&sql);
	la_buf_init(&idx);
	la_ddl_create_table(&sql, &idx, la_db_dialect(&x->db), e->table, cols,
	    *n);
	if (gen_exec(x, e, sql.data) == 0 && idx.len > 0)
		gen_create_indexes(x, e, idx.data);
	la_buf_free(&sql);
	la_buf_free(&idx);
	return (cols);
}

/* ---- reflected tables --------------------------------------------------- */

/* Reflected id/created_at/updated_at/version are managed as in declared
 * tables, so clients cannot forge them. */
static void
gen_mark_managed(struct la_col_def *cols, size_t n)
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
gen_reflect_cols(struct gen_ctx *x, const struct la_conf_endpoint *e, size_t *n)
{
	struct la_col_def *cols = NULL;

	if (la_db_reflect(&x->db, e->table, x->g->arena, &cols, n) < 0) {
		gen_err(x, e->pos, "cannot reflect table '%s': %s", e->table,
		    la_db_errmsg(&x->db));
		return (NULL);
	}
	gen_mark_managed(cols, *n);
	return (cols);
}

static int
gen_find_def(const struct la_col_def *cols, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cols[i].name, name) == 0)
			return ((int)i);
	return (-1);
}

/* reflect: partial — add the declared fields the table lacks, and let the
 * declared constraints govern validation of the ones it has. */
static struct la_col_def *
gen_partial(struct gen_ctx *x, const struct la_conf_endpoint *e, size_t *n)
{
	struct la_col_def *cols;
	struct la_buf sql;
	size_t i, added = 0;
	int k;

	if ((cols = gen_reflect_cols(x, e, n)) == NULL)
		return (NULL);
	la_buf_init(&sql);
	for (i = 0; i < e->nfields; i++) {
		if (e->fields[i].flags & LA_COL_EXCLUDE)
			continue;
		k = gen_find_def(cols, *n, e->fields[i].name);
		if (k >= 0) {
			cols[k] = e->fields[i];
			continue;
		}
		la_buf_reset(&sql);
		la_ddl_add_column(&sql, la_db_dialect(&x->db), e->table,
		    &e->fields[i]);
		if (gen_exec(x, e, sql.data) != 0)
			break;
		added++;
	}
	la_buf_free(&sql);
	return (added ? gen_reflect_cols(x, e, n) : cols);
}

static struct la_col_def *
gen_reflected(struct gen_ctx *x, const struct la_conf_endpoint *e, size_t *n)
{
	struct la_pos pos = e->table_pos.line ? e->table_pos : e->pos;

	if (la_db_table_exists(&x->db, e->table) != 1) {
		gen_err(x, pos, "table '%s' does not exist in the database",
		    e->table);
		return (NULL);
	}
	if (e->reflect == LA_REFLECT_PARTIAL)
		return (gen_partial(x, e, n));
	return (gen_reflect_cols(x, e, n));
}

/* ---- authentication ----------------------------------------------------- */

static uint32_t
gen_backend(const char *name)
{
	if (name == NULL)
		return (LA_AUTH_NONE);
	return (strcmp(name, "BasicAuthentication") == 0 ? LA_AUTH_BASIC
	                                                 : LA_AUTH_JWT);
}

static uint32_t
gen_permission(const char *name)
{
	if (name == NULL || strcmp(name, "AllowAny") == 0)
		return (LA_PERM_ALLOWANY);
	return (strcmp(name, "IsAdminUser") == 0 ? LA_PERM_ADMIN
	                                         : LA_PERM_AUTHENTICATED);
}

/* Where an endpoint's authentication is written, for messages. */
static struct la_pos
gen_auth_pos(struct gen_ctx *x, const struct la_conf_endpoint *e)
{
	if (e->auth.pos.line)
		return (e->auth.pos);
	if (e->verb_auth.pos.line)
		return (e->verb_auth.pos);
	if (x->g->conf->default_auth.pos.line)
		return (x->g->conf->default_auth.pos);
	return (e->pos);
}

/*
 * The login routes sign tokens with the settings of the first endpoint
 * that uses JWTAuthentication (as LightAPI does), each key taken from its
 * authentication block, then the defaults, then the auth section. An
 * endpoint that verifies with another algorithm gets a warning: tokens
 * from the login routes will not pass there.
 */
static void
gen_token_settings(struct gen_ctx *x, const struct la_conf_endpoint *e,
    uint32_t alg)
{
	const struct la_conf *c = x->g->conf;
	const struct la_conf_auth *d = &c->default_auth;
	struct la_token *t = &x->g->token;
	struct la_pos pos;

	if (t->alg != 0) {
		if ((uint32_t)t->alg == alg)
			return;
		pos =
		    e->auth.jwt_pos.line ? e->auth.jwt_pos : gen_auth_pos(x, e);
		la_buf_printf(&x->g->warnings,
		    "%s:%d:%d: warning: endpoint '%s' accepts only %s tokens "
		    "but the login routes sign %s tokens (the settings of "
		    "'%s')\n",
		    c->path, pos.line ? pos.line : 1, pos.col ? pos.col : 1,
		    e->route, la_jwt_alg_name((int)alg),
		    la_jwt_alg_name(t->alg), t->route);
		return;
	}
	t->alg = (int)alg;
	t->route = e->route;
	t->expiration = e->auth.jwt_expiration ? e->auth.jwt_expiration
	                : d->jwt_expiration    ? d->jwt_expiration
	                                       : c->auth.jwt_expiration;
	t->extra_claims = e->auth.has_extra_claims ? &e->auth.jwt_extra_claims
	                  : d->has_extra_claims    ? &d->jwt_extra_claims
	                                           : NULL;
}

/* A permission other than AllowAny cannot be checked without a backend. */
static void
gen_check_open(struct gen_ctx *x, const struct la_conf_endpoint *e,
    const struct la_cat_auth *au)
{
	int v;

	for (v = 0; v < LA_NVERBS; v++)
		if (au->permission[v] != LA_PERM_ALLOWANY) {
			gen_err(x, gen_auth_pos(x, e),
			    "endpoint '%s': a permission other "
			    "than AllowAny needs an authentication backend",
			    e->route);
			return;
		}
}

/*
 * The permission a verb resolves to, as in LightAPI: the verb's own (map
 * form of meta.methods), then the endpoint's, then the defaults'. NULL
 * when none is set. *open is set when a permission map left it out.
 */
static const char *
gen_verb_permission(const struct la_conf_endpoint *e,
    const struct la_conf_auth *d, int v, int *open)
{
	const struct la_conf_auth *src[3] = {&e->verb_auth, &e->auth, d};
	int i;

	for (i = 0; i < 3; i++)
		if (src[i]->permission[v] != NULL) {
			*open = (src[i]->map_open & (1u << v)) != 0;
			return (src[i]->permission[v]);
		}
	*open = 0;
	return (NULL);
}

static void
gen_warn_open(struct gen_ctx *x, const struct la_conf_endpoint *e, int v)
{
	struct la_pos pos = gen_auth_pos(x, e);

	la_buf_printf(&x->g->warnings,
	    "%s:%d:%d: warning: endpoint '%s': %s is not in the permission "
	    "map, so anyone may call it (AllowAny, as in LightAPI); list it "
	    "to require credentials\n",
	    x->g->conf->path, pos.line ? pos.line : 1, pos.col ? pos.col : 1,
	    e->route, la_verb_name(1u << v));
}

static int
gen_jwt_alg(const struct la_conf *c, const struct la_conf_endpoint *e)
{
	const char *name = e->auth.jwt_algorithm ? e->auth.jwt_algorithm
	                   : c->default_auth.jwt_algorithm
	                       ? c->default_auth.jwt_algorithm
	                       : c->auth.jwt_algorithm;

	return (la_jwt_alg_parse(name));
}

/*
 * Per verb: the permission above, and the backend from the endpoint, the
 * defaults, then the methods map. A backend with no permission requires
 * valid credentials, as in LightAPI; so does a verb of a methods map that
 * resolves no permission (LightAPI would open it). NULL when every verb
 * is open.
 */
static const struct la_cat_auth *
gen_auth(struct gen_ctx *x, const struct la_conf_endpoint *e,
    struct la_cat_auth *au)
{
	const struct la_conf_auth *d = &x->g->conf->default_auth;
	const char *backend, *perm;
	int v, open, any = 0;

	backend = e->auth.backend ? e->auth.backend
	          : d->backend    ? d->backend
	                          : e->verb_auth.backend;
	memset(au, 0, sizeof(*au));
	for (v = 0; v < LA_NVERBS; v++) {
		perm = gen_verb_permission(e, d, v, &open);
		au->backend[v] = gen_backend(backend);
		if (perm == NULL && backend != NULL)
			au->permission[v] = LA_PERM_AUTHENTICATED;
		else
			au->permission[v] = gen_permission(perm);
		if (open && backend != NULL && (e->methods & (1u << v)))
			gen_warn_open(x, e, v);
		any |= au->backend[v] != LA_AUTH_NONE;
	}
	if (backend == NULL) {
		gen_check_open(x, e, au);
		return (NULL);
	}
	au->jwt_alg = (uint32_t)gen_jwt_alg(x->g->conf, e);
	x->g->login = 1;
	if (au->backend[0] == LA_AUTH_JWT)
		gen_token_settings(x, e, au->jwt_alg);
	return (any ? au : NULL);
}

/* ---- the login validator ---------------------------------------------- */

static void
gen_users_file(struct gen_ctx *x, const struct la_conf_login *l)
{
	struct la_buf text;
	FILE *fp;
	size_t n;

	if ((fp = fopen(l->file, "r")) == NULL) {
		gen_err(x, l->pos, "login_validator file %s: %s", l->file,
		    strerror(errno));
		return;
	}
	la_buf_init(&text);
	while ((n = fread(la_buf_reserve(&text, 4096), 1, 4096, fp)) > 0)
		text.len += n;
	if (ferror(fp)) {
		/* A directory opens, then fails on read (EISDIR). */
		gen_err(x, l->pos, "login_validator file %s: %s", l->file,
		    strerror(errno));
		fclose(fp);
		la_buf_free(&text);
		return;
	}
	fclose(fp);
	if (la_users_parse(l->file, text.data ? text.data : "", text.len,
	        x->g->arena, &x->g->users, x->errs) != 0)
		x->nerr++;
	la_buf_free(&text);
}

static int
gen_has_col(const struct la_col_def *cols, size_t n, const char *name)
{
	return (gen_find_def(cols, n, name) >= 0);
}

/* The claims a login returns: the listed columns, or every column but
 * the password hash, which never leaves the server. */
static const char **
gen_claims(struct gen_ctx *x, const struct la_conf_login *l,
    const struct la_col_def *cols, size_t n, size_t *count)
{
	const char **v;
	size_t i;

	if (l->claims.n > 0) {
		*count = l->claims.n;
		return (l->claims.v);
	}
	v = la_arena_calloc(x->g->arena, n, sizeof(*v));
	for (*count = 0, i = 0; i < n; i++)
		if (strcmp(cols[i].name, l->password_field) != 0)
			v[(*count)++] = cols[i].name;
	return (v);
}

/* A users table that is also a declared endpoint keeps the declared
 * types: SQLite would report a bool as an integer, and is_admin must
 * come out as JSON true. */
static void
gen_declared_types(struct gen_ctx *x, const char *table,
    struct la_col_def *cols, size_t n)
{
	const struct la_conf_endpoint *e =
	    gen_declared_table(x->g->conf, table);
	size_t i, k;

	for (i = 0; e != NULL && i < n; i++)
		for (k = 0; k < e->nfields; k++)
			if (strcmp(e->fields[k].name, cols[i].name) == 0)
				cols[i].type = e->fields[k].type;
}

/* The validator's table joins the catalog, hidden, so that the login SQL
 * is built from catalog identifiers like every other statement. */
static void
gen_users_table(struct gen_ctx *x, const struct la_conf_login *l)
{
	struct la_catb_table t;
	struct la_col_def *cols;
	size_t n, i;

	if (la_db_table_exists(&x->db, l->table) != 1) {
		gen_err(x, l->pos, "login_validator table '%s' does not exist",
		    l->table);
		return;
	}
	if (la_db_reflect(&x->db, l->table, x->g->arena, &cols, &n) < 0)
		return;
	if (!gen_has_col(cols, n, l->username_field) ||
	    !gen_has_col(cols, n, l->password_field))
		gen_err(x, l->pos,
		    "login_validator table '%s' has no column "
		    "'%s' or '%s'",
		    l->table, l->username_field, l->password_field);
	for (i = 0; i < l->claims.n; i++)
		if (!gen_has_col(cols, n, l->claims.v[i]))
			gen_err(x, l->pos,
			    "login_validator table '%s' has no "
			    "claim column '%s'",
			    l->table, l->claims.v[i]);
	memset(&t, 0, sizeof(t));
	t.name = l->table;
	t.route = "";
	t.flags = LA_TBL_HIDDEN | LA_TBL_REFLECTED;
	t.ser_read = gen_claims(x, l, cols, n, &t.nser_read);
	la_catb_table(x->catb, &t);
	gen_declared_types(x, l->table, cols, n);
	for (i = 0; i < n; i++)
		la_catb_column(x->catb, &cols[i]);
}

static void
gen_login(struct gen_ctx *x)
{
	const struct la_conf_login *l = &x->g->conf->auth.login;

	if (!x->g->conf->auth.has_login)
		return;
	if (l->file != NULL)
		gen_users_file(x, l);
	else if (l->table != NULL)
		gen_users_table(x, l);
}

/* ---- catalog ------------------------------------------------------------ */

static void
gen_catalog_table(struct gen_ctx *x, const struct la_conf_endpoint *e,
    const struct la_col_def *cols, size_t n)
{
	const struct la_conf *c = x->g->conf;
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
	t.auth = gen_auth(x, e, &au);
	la_catb_table(x->catb, &t);
	for (i = 0; i < n; i++)
		la_catb_column(x->catb, &cols[i]);
}

static void
gen_endpoint(struct gen_ctx *x, const struct la_conf_endpoint *e)
{
	struct la_col_def *cols;
	size_t n = 0;

	if (e->reflect == LA_REFLECT_NO)
		cols = gen_declared(x, e, &n);
	else
		cols = gen_reflected(x, e, &n);
	if (cols != NULL)
		gen_catalog_table(x, e, cols, n);
}

/* Two declared endpoints cannot both own one table. */
static void
gen_check_tables(struct gen_ctx *x)
{
	const struct la_conf *c = x->g->conf;
	size_t i, j;

	for (i = 0; i < c->nendpoints; i++)
		for (j = 0; j < i; j++)
			if (c->endpoints[i].reflect == LA_REFLECT_NO &&
			    c->endpoints[j].reflect == LA_REFLECT_NO &&
			    strcmp(c->endpoints[i].table,
			        c->endpoints[j].table) == 0)
				gen_err(x, c->endpoints[i].pos,
				    "table '%s' is already declared by the "
				    "endpoint at line %d",
				    c->endpoints[i].table,
				    c->endpoints[j].pos.line);
}

/* Pattern or default errors come back as "table.column: message". */
static void
gen_validator_errors(struct gen_ctx *x, const char *text)
{
	const struct la_conf *c = x->g->conf;
	struct la_pos pos = {1, 1};
	const char *line, *end, *colon;
	size_t i, k;

	for (line = text; *line != '\0'; line = end + (*end != '\0')) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		colon = memchr(line, ':', (size_t)(end - line));
		for (i = 0; colon != NULL && i < c->nendpoints; i++)
			for (k = 0; k < c->endpoints[i].nfields; k++) {
				const struct la_col_def *d =
				    &c->endpoints[i].fields[k];
				char name[512];

				snprintf(name, sizeof(name), "%s.%s",
				    c->endpoints[i].table, d->name);
				if (strlen(name) == (size_t)(colon - line) &&
				    memcmp(name, line, strlen(name)) == 0)
					pos = gen_field_pos(d);
			}
		gen_err(x, pos, "%.*s", (int)(end - line), line);
	}
}

static void
gen_check_validator(struct gen_ctx *x)
{
	struct la_validator *v;
	struct la_buf errs;

	la_buf_init(&errs);
	v = la_validator_new(x->g->cat, &errs);
	if (v == NULL)
		gen_validator_errors(x,
		    errs.len ? errs.data : "invalid schema");
	la_validator_free(v);
	la_buf_free(&errs);
}

static int
gen_connect(struct gen_ctx *x)
{
	char err[512];

	if (la_db_connect(&x->db, x->g->conf->db_url, err, sizeof(err)) == 0)
		return (0);
	gen_err(x, x->g->conf->db_pos, "database: %s", err);
	return (-1);
}

static void
gen_schema(struct gen_ctx *x)
{
	const struct la_conf *c = x->g->conf;
	size_t i;

	gen_check_tables(x);
	x->catb = la_catb_new();
	for (i = 0; i < c->nendpoints; i++)
		gen_endpoint(x, &c->endpoints[i]);
	gen_login(x);
	if (x->nerr == 0) {
		x->g->cat = la_catb_finish(x->catb, &x->g->cat_size);
		gen_check_validator(x);
	}
	la_catb_free(x->catb);
}

struct la_gen *
la_gen_build(const char *path, const struct la_overrides *ov,
    struct la_buf *errs)
{
	struct gen_ctx x;
	struct la_gen *g = la_xcalloc(1, sizeof(*g));

	memset(&x, 0, sizeof(x));
	x.g = g;
	x.errs = errs;
	la_buf_init(&g->warnings);
	g->arena = la_arena_new(16384);
	g->conf = la_conf_load(path, g->arena, errs, gen_getenv);
	if (g->conf == NULL)
		goto fail;
	gen_apply_overrides(g->conf, ov, g->arena);
	if (gen_connect(&x) != 0)
		goto fail;
	gen_schema(&x);
	/* No database handle may cross fork(): close it now. */
	la_db_disconnect(&x.db);
	if (x.nerr > 0)
		goto fail;
	return (g);
fail:
	la_gen_free(g);
	return (NULL);
}

void
la_gen_free(struct la_gen *g)
{
	if (g == NULL)
		return;
	free(g->cat);
	la_buf_free(&g->warnings);
	la_arena_free(g->arena);
	free(g);
}

static void
gen_dump_verbs(uint32_t m, FILE *fp)
{
	static const unsigned order[] = {LA_M_GET, LA_M_POST, LA_M_PUT,
	    LA_M_PATCH, LA_M_DELETE};
	size_t i;
	int n = 0;

	for (i = 0; i < LA_NELEM(order); i++)
		if (m & order[i])
			fprintf(fp, "%s%s", n++ ? "," : "",
			    la_verb_name(order[i]));
	if (n == 0)
		fprintf(fp, "-");
}

void
la_gen_dump_routes(const struct la_gen *g, FILE *fp)
{
	const struct la_cat_table *t;
	size_t i;

	fprintf(fp, "# routes\n");
	for (i = 0; i < g->cat->ntables; i++) {
		t = la_catalog_table(g->cat, i);
		fprintf(fp, "#   %-24s table %s (%s, %u columns) ",
		    la_catalog_str(g->cat, t->route),
		    la_catalog_str(g->cat, t->name),
		    (t->flags & LA_TBL_DECLARED) ? "declared" : "reflected",
		    t->ncols);
		gen_dump_verbs(t->methods, fp);
		fprintf(fp, "\n");
	}
	if (g->login)
		fprintf(fp, "#   %s/login %s/token (login)\n",
		    g->conf->auth.auth_path, g->conf->auth.auth_path);
	fprintf(fp, "#   /healthz /readyz\n");
}
