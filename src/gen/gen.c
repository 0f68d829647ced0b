/*
 * A generation's life (see gen.h): configuration → database → catalog,
 * then freeing it, and the route listing for -T. The tables are made in
 * gen_schema.c and authentication is resolved in gen_auth.c; this file
 * runs the steps in order and checks the finished catalog.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"
#include "la.h"
#include "arena.h"
#include "db.h"
#include "gen_auth.h"
#include "gen_ctx.h"
#include "gen_schema.h"
#include "listen.h"
#include "openapi.h"
#include "validate.h"
#include "xalloc.h"

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
	if (ov->user != NULL)
		c->server.user = ov->user;
	if (ov->listen != NULL) {
		c->server.listen.v = la_arena_alloc(a, sizeof(char *));
		c->server.listen.v[0] = ov->listen;
		c->server.listen.n = 1;
	}
}

/*
 * server.metrics_listen becomes the last listening address: the master
 * opens it and keeps it over reloads as it does the others, and a worker
 * knows it by that place (see la_conn_set.metrics_fd).
 */
static void
gen_metrics_listen(struct la_gen_ctx *x, struct la_conf *c, struct la_arena *a)
{
	struct la_strlist *l = &c->server.listen;
	struct la_pos pos = {1, 1};
	const char **v;
	size_t i;

	if (c->server.metrics_listen == NULL)
		return;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], c->server.metrics_listen) == 0) {
			la_gen_ctx_err(x, pos,
			    "server.metrics_listen %s is also in server.listen",
			    l->v[i]);
			return;
		}
	if (l->n + 1 > LA_MAX_LISTEN) {
		la_gen_ctx_err(x, pos, "more than %d listening addresses",
		    LA_MAX_LISTEN);
		return;
	}
	v = la_arena_alloc(a, (l->n + 1) * sizeof(*v));
	memcpy(v, l->v, l->n * sizeof(*v));
	v[l->n] = c->server.metrics_listen;
	l->v = v;
	l->n++;
}

/* Pattern or default errors come back as "table.column: message". */
static void
gen_validator_errors(struct la_gen_ctx *x, const char *text)
{
	const struct la_conf *c = x->conf;
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
					pos = la_gen_ctx_pos(d);
			}
		la_gen_ctx_err(x, pos, "%.*s", (int)(end - line), line);
	}
}

static void
gen_check_validator(struct la_gen_ctx *x, const struct la_gen *g)
{
	struct la_validator *v;
	struct la_buf errs;

	la_buf_init(&errs);
	v = la_validator_new(g->cat, &errs);
	if (v == NULL)
		gen_validator_errors(x,
		    errs.len ? errs.data : "invalid schema");
	la_validator_free(v);
	la_buf_free(&errs);
}

/*
 * A configuration test writes nothing. An SQLite file that is not there
 * yet is not created: the schema is built in a scratch database in memory
 * instead, which still runs every statement. Any other database is only
 * read: what it lacks is reported, not created (gen_schema).
 */
static const char *
gen_test_url(struct la_gen_ctx *x, const struct la_overrides *ov)
{
	const struct la_conf *c = x->conf;
	struct stat st;

	if (ov == NULL || !ov->test)
		return (c->db_url);
	/* (sqlite:///:memory: is refused before: gen_check_memory.) */
	if (c->db.kind != LA_DB_SQLITE || stat(c->db.path, &st) == 0 ||
	    errno != ENOENT) {
		x->dry_run = 1;
		return (c->db_url);
	}
	la_buf_printf(x->warnings,
	    "%s:%d:%d: note: database file %s does not exist yet; lightapid "
	    "creates it at start (checked in memory)\n",
	    c->path, c->db_pos.line, c->db_pos.col, c->db.path);
	return ("sqlite:///:memory:");
}

/*
 * Every process that opens sqlite:///:memory: gets an empty database of
 * its own: the tables the master makes would never reach the workers
 * that serve, whatever their number. A file on a memory file system
 * gives what was meant, one database in memory that every worker shares.
 */
static int
gen_check_memory(struct la_gen_ctx *x)
{
	const struct la_conf *c = x->conf;

	if (c->db.kind != LA_DB_SQLITE || strcmp(c->db.path, ":memory:") != 0)
		return (0);
	la_gen_ctx_err(x, c->db_pos,
	    "database: an in-memory SQLite database (sqlite:///:memory:) "
	    "cannot be served: it lives inside one process, and each worker "
	    "process would see an empty one of its own; use a file, on a "
	    "memory file system for a database in memory that all workers "
	    "share (sqlite:////dev/shm/lightapi.db)");
	return (-1);
}

/*
 * Started as root, lightapid runs its workers as server.user (or -u), and
 * with neither refuses to start rather than serve requests as root; a
 * reload that drops the user is refused the same way. -t, run as root by
 * package scripts and administrators, warns of it instead.
 */
static void
gen_check_user(struct la_gen_ctx *x, const struct la_overrides *ov)
{
	static const char msg[] =
	    "started as root without server.user, lightapid will not run its "
	    "workers as root: set server.user (the packaged service runs as "
	    "lightapi), or start with -u USER (-u root runs them as root "
	    "anyway)";
	const struct la_conf *c = x->conf;
	struct la_pos top = {1, 1};

	if (geteuid() != 0 || c->server.user != NULL)
		return;
	if (ov != NULL && ov->test)
		la_buf_printf(x->warnings, "%s:1:1: warning: %s\n", c->path,
		    msg);
	else
		la_gen_ctx_err(x, top, "%s", msg);
}

static int
gen_connect(struct la_gen_ctx *x, const struct la_overrides *ov)
{
	char err[512];

	if (gen_check_memory(x) != 0)
		return (-1);
	if (la_db_connect(&x->db, gen_test_url(x, ov), err, sizeof(err)) == 0)
		return (0);
	la_gen_ctx_err(x, x->conf->db_pos, "database: %s", err);
	return (-1);
}

/* Whether every table that endpoint e's foreign keys name, among the
 * declared endpoints, is placed already (or is e's own). */
static int
gen_targets_placed(const struct la_conf *c, const struct la_conf_endpoint *e,
    const unsigned char *placed)
{
	const struct la_conf_endpoint *t;
	size_t j;

	for (j = 0; j < e->nfields; j++) {
		if (e->fields[j].fk_table == NULL ||
		    (t = la_gen_ctx_declared(c, e->fields[j].fk_table)) ==
		        NULL ||
		    t == e)
			continue;
		if (!placed[t - c->endpoints])
			return (0);
	}
	return (1);
}

/*
 * The order tables are made in: each after the declared tables its
 * foreign keys name (PostgreSQL refuses a REFERENCES to a table that is
 * not there yet), else in file order, which a cycle keeps for the rest.
 */
static size_t *
gen_order(const struct la_conf *c)
{
	size_t *order = la_xcalloc(c->nendpoints + 1, sizeof(*order));
	unsigned char *placed = la_xcalloc(c->nendpoints + 1, 1);
	size_t i, n = 0, before;

	do {
		before = n;
		for (i = 0; i < c->nendpoints; i++)
			if (!placed[i] &&
			    gen_targets_placed(c, &c->endpoints[i], placed)) {
				placed[i] = 1;
				order[n++] = i;
			}
	} while (n > before && n < c->nendpoints);
	for (i = 0; i < c->nendpoints; i++)
		if (!placed[i])
			order[n++] = i;
	free(placed);
	return (order);
}

static void
gen_schema(struct la_gen_ctx *x, struct la_gen *g)
{
	const struct la_conf *c = x->conf;
	size_t i, *order = gen_order(c);

	la_gen_schema_check_tables(x);
	x->catb = la_catb_new();
	for (i = 0; i < c->nendpoints; i++)
		la_gen_schema_endpoint(x, &c->endpoints[order[i]]);
	free(order);
	la_gen_auth_login(x);
	if (x->nerr == 0) {
		g->cat = la_catb_finish(x->catb, &g->cat_size);
		la_gen_schema_check_expand(x, g->cat);
		gen_check_validator(x, g);
	}
	la_catb_free(x->catb);
}

/*
 * info.version is lightapid's own version: the configuration has no key
 * for an API version, and the document changes with the server's. Login
 * routes return a token when some endpoint verifies JWTs.
 */
static void
gen_openapi(struct la_gen *g)
{
	struct la_openapi_conf oc;

	memset(&oc, 0, sizeof(oc));
	oc.title = g->conf->swagger_title;
	oc.version = VERSION;
	oc.auth_path = g->login ? g->conf->auth.auth_path : NULL;
	oc.login_token = g->token.alg != 0;
	/* 429 from the rate limit, besides login's throttle. */
	oc.rate_limited =
	    la_conf_has_middleware(g->conf, "RateLimitMiddleware");
	/* Every write takes If-Match with a row's ETag (412 on a mismatch). */
	oc.etags = 1;
	oc.queries = g->queries != NULL ? g->queries->cat : NULL;
	la_openapi_write(g->cat, &oc, &g->openapi);
}

static int
gen_read_file(const char *dir, const char *name, struct la_buf *out)
{
	char path[4096];
	FILE *fp;
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	while ((n = fread(la_buf_reserve(out, 65536), 1, 65536, fp)) > 0)
		out->len += n;
	rc = ferror(fp) ? -1 : 0;
	fclose(fp);
	if (rc != 0 || out->len == 0)
		la_buf_reset(out);
	return (out->len > 0 ? 0 : -1);
}

/*
 * Swagger UI's two files, from swagger_ui_path or the built-in place.
 * Their absence is no configuration error (the API works without its
 * page): /docs says where it looked, and so does -T.
 */
static void
gen_docs(struct la_gen *g)
{
	const struct la_conf *c = g->conf;

	g->docs_dir =
	    c->swagger_ui_path ? c->swagger_ui_path : LA_SWAGGER_UI_DIR;
	if (gen_read_file(g->docs_dir, "swagger-ui-bundle.js", &g->docs_js) !=
	        0 ||
	    gen_read_file(g->docs_dir, "swagger-ui.css", &g->docs_css) != 0) {
		la_buf_reset(&g->docs_js);
		la_buf_reset(&g->docs_css);
	}
}

struct la_gen *
la_gen_build(const char *path, const struct la_overrides *ov,
    struct la_buf *errs)
{
	struct la_gen_ctx x;
	struct la_gen *g = la_xcalloc(1, sizeof(*g));

	memset(&x, 0, sizeof(x));
	x.errs = errs;
	la_buf_init(&g->warnings);
	la_buf_init(&g->openapi);
	la_buf_init(&g->docs_js);
	la_buf_init(&g->docs_css);
	g->arena = la_arena_new(16384);
	g->conf = la_conf_load(path, g->arena, errs, gen_getenv);
	if (g->conf == NULL)
		goto fail;
	gen_apply_overrides(g->conf, ov, g->arena);
	x.arena = g->arena;
	x.conf = g->conf;
	x.warnings = &g->warnings;
	x.users = &g->users;
	x.login = &g->login;
	x.token = &g->token;
	gen_metrics_listen(&x, g->conf, g->arena);
	gen_check_user(&x, ov);
	if (x.nerr > 0 || gen_connect(&x, ov) != 0)
		goto fail;
	gen_schema(&x, g);
	if (x.nerr == 0)
		la_gen_queries_build(&x, g);
	/* No database handle may cross fork(): close it now. */
	la_db_disconnect(&x.db);
	if (x.nerr > 0)
		goto fail;
	if (g->conf->enable_swagger) {
		gen_openapi(g);
		gen_docs(g);
	}
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
	la_gen_queries_free(g->queries);
	la_buf_free(&g->warnings);
	la_buf_free(&g->openapi);
	la_buf_free(&g->docs_js);
	la_buf_free(&g->docs_css);
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
	for (i = 0; g->queries != NULL && i < g->queries->n; i++) {
		fprintf(fp, "#   %-24s query%s ", g->queries->v[i].route,
		    g->queries->v[i].write ? " (write)" : "");
		gen_dump_verbs(g->queries->v[i].methods, fp);
		fprintf(fp, "\n");
	}
	if (g->login)
		fprintf(fp, "#   %s/login %s/token (login)\n",
		    g->conf->auth.auth_path, g->conf->auth.auth_path);
	fprintf(fp, "#   /healthz /readyz%s\n",
	    g->conf->server.metrics != LA_CONF_METRICS_OFF ? " /metrics" : "");
	if (g->conf->enable_swagger)
		fprintf(fp, "#   /openapi.json /docs (Swagger UI %s %s)\n",
		    g->docs_js.len ? "from" : "not found in", g->docs_dir);
}
