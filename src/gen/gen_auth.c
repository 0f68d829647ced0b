/*
 * Authentication for a generation (see gen_auth.h): permissions, token
 * settings, and the login validator.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gen_auth.h"
#include "la.h"
#include "arena.h"
#include "jwt.h"
#include "users.h"

static uint32_t
gen_auth_backend(const char *name)
{
	if (name == NULL)
		return (LA_AUTH_NONE);
	return (strcmp(name, "BasicAuthentication") == 0 ? LA_AUTH_BASIC
	                                                 : LA_AUTH_JWT);
}

static uint32_t
gen_auth_permission(const char *name)
{
	if (name == NULL || strcmp(name, "AllowAny") == 0)
		return (LA_PERM_ALLOWANY);
	return (strcmp(name, "IsAdminUser") == 0 ? LA_PERM_ADMIN
	                                         : LA_PERM_AUTHENTICATED);
}

/* Where an endpoint's authentication is written, for messages. */
static struct la_pos
gen_auth_pos(struct la_gen_ctx *x, const struct la_conf_endpoint *e)
{
	if (e->auth.pos.line)
		return (e->auth.pos);
	if (e->verb_auth.pos.line)
		return (e->verb_auth.pos);
	if (x->conf->default_auth.pos.line)
		return (x->conf->default_auth.pos);
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
gen_auth_token_settings(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    uint32_t alg)
{
	const struct la_conf *c = x->conf;
	const struct la_conf_auth *d = &c->default_auth;
	struct la_token *t = x->token;
	struct la_pos pos;

	if (t->alg != 0) {
		if ((uint32_t)t->alg == alg)
			return;
		pos =
		    e->auth.jwt_pos.line ? e->auth.jwt_pos : gen_auth_pos(x, e);
		la_buf_printf(x->warnings,
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
gen_auth_check_open(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    const struct la_cat_auth *au)
{
	int v;

	for (v = 0; v < LA_NVERBS; v++)
		if (au->permission[v] != LA_PERM_ALLOWANY) {
			la_gen_ctx_err(x, gen_auth_pos(x, e),
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
gen_auth_verb_permission(const struct la_conf_endpoint *e,
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
gen_auth_warn_open(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    int v)
{
	struct la_pos pos = gen_auth_pos(x, e);

	la_buf_printf(x->warnings,
	    "%s:%d:%d: warning: endpoint '%s': %s is not in the permission "
	    "map, so anyone may call it (AllowAny, as in LightAPI); list it "
	    "to require credentials\n",
	    x->conf->path, pos.line ? pos.line : 1, pos.col ? pos.col : 1,
	    e->route, la_verb_name(1u << v));
}

static int
gen_auth_jwt_alg(const struct la_conf *c, const struct la_conf_endpoint *e)
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
const struct la_cat_auth *
la_gen_auth_endpoint(struct la_gen_ctx *x, const struct la_conf_endpoint *e,
    struct la_cat_auth *au)
{
	const struct la_conf_auth *d = &x->conf->default_auth;
	const char *backend, *perm;
	int v, open, any = 0;

	backend = e->auth.backend ? e->auth.backend
	          : d->backend    ? d->backend
	                          : e->verb_auth.backend;
	memset(au, 0, sizeof(*au));
	for (v = 0; v < LA_NVERBS; v++) {
		perm = gen_auth_verb_permission(e, d, v, &open);
		au->backend[v] = gen_auth_backend(backend);
		if (perm == NULL && backend != NULL)
			au->permission[v] = LA_PERM_AUTHENTICATED;
		else
			au->permission[v] = gen_auth_permission(perm);
		if (open && backend != NULL && (e->methods & (1u << v)))
			gen_auth_warn_open(x, e, v);
		any |= au->backend[v] != LA_AUTH_NONE;
	}
	if (backend == NULL) {
		gen_auth_check_open(x, e, au);
		return (NULL);
	}
	au->jwt_alg = (uint32_t)gen_auth_jwt_alg(x->conf, e);
	*x->login = 1;
	if (au->backend[0] == LA_AUTH_JWT)
		gen_auth_token_settings(x, e, au->jwt_alg);
	return (any ? au : NULL);
}

static void
gen_auth_users_file(struct la_gen_ctx *x, const struct la_conf_login *l)
{
	struct la_buf text;
	FILE *fp;
	size_t n;

	if ((fp = fopen(l->file, "r")) == NULL) {
		la_gen_ctx_err(x, l->pos, "login_validator file %s: %s",
		    l->file, strerror(errno));
		return;
	}
	la_buf_init(&text);
	while ((n = fread(la_buf_reserve(&text, 4096), 1, 4096, fp)) > 0)
		text.len += n;
	if (ferror(fp)) {
		/* A directory opens, then fails on read (EISDIR). */
		la_gen_ctx_err(x, l->pos, "login_validator file %s: %s",
		    l->file, strerror(errno));
		fclose(fp);
		la_buf_free(&text);
		return;
	}
	fclose(fp);
	if (la_users_parse(l->file, text.data ? text.data : "", text.len,
	        x->arena, x->users, x->errs) != 0)
		x->nerr++;
	la_buf_free(&text);
}

static int
gen_auth_has_col(const struct la_col_def *cols, size_t n, const char *name)
{
	return (la_gen_ctx_find_def(cols, n, name) >= 0);
}

/* The claims a login returns: the listed columns, or every column but
 * the password hash, which never leaves the server. */
static const char **
gen_auth_claims(struct la_gen_ctx *x, const struct la_conf_login *l,
    const struct la_col_def *cols, size_t n, size_t *count)
{
	const char **v;
	size_t i;

	if (l->claims.n > 0) {
		*count = l->claims.n;
		return (l->claims.v);
	}
	v = la_arena_calloc(x->arena, n, sizeof(*v));
	for (*count = 0, i = 0; i < n; i++)
		if (strcmp(cols[i].name, l->password_field) != 0)
			v[(*count)++] = cols[i].name;
	return (v);
}

/* A users table that is also a declared endpoint keeps the declared
 * types: SQLite would report a bool as an integer, and is_admin must
 * come out as JSON true. */
static void
gen_auth_declared_types(struct la_gen_ctx *x, const char *table,
    struct la_col_def *cols, size_t n)
{
	const struct la_conf_endpoint *e = la_gen_ctx_declared(x->conf, table);
	size_t i, k;

	for (i = 0; e != NULL && i < n; i++)
		for (k = 0; k < e->nfields; k++)
			if (strcmp(e->fields[k].name, cols[i].name) == 0)
				cols[i].type = e->fields[k].type;
}

/* The validator's table joins the catalog, hidden, so that the login SQL
 * is built from catalog identifiers like every other statement. */
static void
gen_auth_users_table(struct la_gen_ctx *x, const struct la_conf_login *l)
{
	struct la_catb_table t;
	struct la_col_def *cols;
	size_t n, i;

	if (la_db_table_exists(&x->db, l->table) != 1) {
		la_gen_ctx_err(x, l->pos,
		    "login_validator table '%s' does not exist", l->table);
		return;
	}
	if (la_db_reflect(&x->db, l->table, x->arena, &cols, &n) < 0)
		return;
	if (!gen_auth_has_col(cols, n, l->username_field) ||
	    !gen_auth_has_col(cols, n, l->password_field))
		la_gen_ctx_err(x, l->pos,
		    "login_validator table '%s' has no column "
		    "'%s' or '%s'",
		    l->table, l->username_field, l->password_field);
	for (i = 0; i < l->claims.n; i++)
		if (!gen_auth_has_col(cols, n, l->claims.v[i]))
			la_gen_ctx_err(x, l->pos,
			    "login_validator table '%s' has no "
			    "claim column '%s'",
			    l->table, l->claims.v[i]);
	memset(&t, 0, sizeof(t));
	t.name = l->table;
	t.route = "";
	t.flags = LA_TBL_HIDDEN | LA_TBL_REFLECTED;
	t.ser_read = gen_auth_claims(x, l, cols, n, &t.nser_read);
	la_catb_table(x->catb, &t);
	gen_auth_declared_types(x, l->table, cols, n);
	for (i = 0; i < n; i++)
		la_catb_column(x->catb, &cols[i]);
}

void
la_gen_auth_login(struct la_gen_ctx *x)
{
	const struct la_conf_login *l = &x->conf->auth.login;

	if (!x->conf->auth.has_login)
		return;
	if (l->file != NULL)
		gen_auth_users_file(x, l);
	else if (l->table != NULL)
		gen_auth_users_table(x, l);
}
