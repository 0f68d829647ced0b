/*
 * Canned queries (see gen_queries.h). The administrator's SQL is trusted
 * text, but only as written in the file: request values reach it through
 * placeholders alone, and whatever the database would refuse is found
 * here, at start or under -t, not on the first request.
 */
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "buf.h"
#include "db.h"
#include "gen.h"
#include "gen_auth.h"
#include "gen_ctx.h"
#include "gen_queries.h"
#include "sqlparam.h"
#include "validate.h"
#include "xalloc.h"

static int
gen_queries_find(const struct la_conf_query *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->ep.nfields; i++)
		if (strcmp(q->ep.fields[i].name, name) == 0)
			return ((int)i);
	return (-1);
}

/* Every name in the SQL declared, every declared name used. */
static void
gen_queries_names(struct la_gen_ctx *x, const struct la_conf_query *q,
    const struct la_sqlparam *sp)
{
	size_t i, k;

	for (i = 0; i < sp->nplace; i++) {
		for (k = 0; k < i && strcmp(sp->names[k], sp->names[i]); k++)
			;
		if (k == i && gen_queries_find(q, sp->names[i]) < 0)
			la_gen_ctx_err(x, q->sql_pos,
			    "query '%s': parameter ':%s' is not declared in "
			    "params",
			    q->ep.route, sp->names[i]);
	}
	for (i = 0; i < q->ep.nfields; i++) {
		for (k = 0; k < sp->nplace; k++)
			if (strcmp(sp->names[k], q->ep.fields[i].name) == 0)
				break;
		if (k == sp->nplace)
			la_gen_ctx_err(x, la_gen_ctx_pos(&q->ep.fields[i]),
			    "query '%s': parameter '%s' is declared but the "
			    "statement does not use it",
			    q->ep.route, q->ep.fields[i].name);
	}
}

/* Prepares sql on the database: its own message on failure. */
static int
gen_queries_prepare(struct la_gen_ctx *x, const struct la_conf_query *q,
    struct la_pos pos, const char *sql, size_t nplace)
{
	int ro, np;

	if (la_db_check(&x->db, sql, &ro, &np) != LA_DB_DONE) {
		if (x->pending_ddl) {
			/* -t: the tables it reads may be among those the
			 * start creates; it says then. */
			la_buf_printf(x->warnings,
			    "%s:%d:%d: note: query '%s' is checked at start, "
			    "once the tables above exist: %s\n",
			    x->conf->path, pos.line, pos.col, q->ep.route,
			    la_db_rawmsg(&x->db));
			return (-1);
		}
		la_gen_ctx_err(x, pos, "query '%s': %s", q->ep.route,
		    la_db_rawmsg(&x->db));
		return (-1);
	}
	if (np >= 0 && (size_t)np != nplace) {
		la_gen_ctx_err(x, pos,
		    "query '%s': the statement takes %d parameters but names "
		    "%zu; write each as :name",
		    q->ep.route, np, nplace);
		return (-1);
	}
	if (!q->write && ro == 0) {
		la_gen_ctx_err(x, pos,
		    "query '%s': the statement can change the database; set "
		    "write: true to allow it",
		    q->ep.route);
		return (-1);
	}
	return (0);
}

/* SELECT * FROM (sql) AS q LIMIT ? OFFSET ?: one row more than a page
 * says whether there is a next one, and no count is needed. */
static void
gen_queries_page(struct la_gen_ctx *x, const struct la_conf_query *q,
    struct la_canned *c, enum la_dialect d)
{
	struct la_buf b;

	la_buf_init(&b);
	la_buf_printf(&b, "SELECT * FROM (%s) AS q LIMIT ", c->sql);
	la_dialect_param(&b, d, (int)c->nplace + 1);
	la_buf_puts(&b, " OFFSET ");
	la_dialect_param(&b, d, (int)c->nplace + 2);
	c->page_sql = la_arena_strndup(x->arena, b.data, b.len);
	la_buf_free(&b);
	c->page_size = q->ep.pagination.page_size;
	c->max_page_size = q->ep.pagination.max_page_size;
	gen_queries_prepare(x, q, q->ep.pagination.pos, c->page_sql,
	    c->nplace + 2);
}

/* The tables a write invalidates must be some endpoint's. */
static void
gen_queries_invalidates(struct la_gen_ctx *x, const struct la_conf_query *q,
    const struct la_catalog *cat)
{
	const struct la_strlist *l = &q->invalidates;
	struct la_pos pos;
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		for (k = 0; k < cat->ntables; k++)
			if (strcmp(la_catalog_str(cat,
			               la_catalog_table(cat, k)->name),
			        l->v[i]) == 0)
				break;
		if (k < cat->ntables)
			continue;
		pos = l->pos != NULL ? l->pos[i] : q->ep.pos;
		la_gen_ctx_err(x, pos,
		    "query '%s': invalidates '%s', which is no endpoint's "
		    "table",
		    q->ep.route, l->v[i]);
	}
}

static void
gen_queries_one(struct la_gen_ctx *x, const struct la_conf_query *q,
    struct la_canned *c, const struct la_catalog *cat)
{
	enum la_dialect d = la_db_dialect(&x->db);
	struct la_sqlparam sp;
	struct la_cat_auth *au;
	char err[256];
	int before = x->nerr;

	c->conf = q;
	c->route = q->ep.route;
	c->methods = q->ep.methods;
	c->write = q->write;
	au = la_arena_calloc(x->arena, 1, sizeof(*au));
	c->auth = la_gen_auth_endpoint(x, &q->ep, au);
	gen_queries_invalidates(x, q, cat);
	if (la_sqlparam_rewrite(q->sql, d, x->arena, &sp, err, sizeof(err)) !=
	    0) {
		la_gen_ctx_err(x, q->sql_pos, "query '%s': %s", q->ep.route,
		    err);
		return;
	}
	c->sql = sp.sql;
	c->nplace = sp.nplace;
	c->names = sp.names;
	gen_queries_names(x, q, &sp);
	if (!q->write && !la_sqlparam_reads(sp.sql))
		la_gen_ctx_err(x, q->sql_pos,
		    "query '%s': only SELECT, WITH, VALUES or TABLE may run "
		    "without write: true",
		    q->ep.route);
	if (x->nerr > before ||
	    gen_queries_prepare(x, q, q->sql_pos, c->sql, c->nplace) != 0)
		return;
	if (q->ep.pagination.set)
		gen_queries_page(x, q, c, d);
}

/* Columns for the parameters, and each placeholder's column. */
static void
gen_queries_catalog(struct la_gen_ctx *x, struct la_canned_set *s)
{
	struct la_catb *b = la_catb_new();
	struct la_catb_table tt;
	int *place;
	size_t i, k;

	for (i = 0; i < s->n; i++) {
		memset(&tt, 0, sizeof(tt));
		tt.name = tt.route = s->v[i].route;
		tt.methods = s->v[i].methods;
		tt.auth = s->v[i].auth;
		tt.flags = s->v[i].write ? LA_TBL_WRITE : 0;
		if (s->v[i].page_sql != NULL) {
			tt.page_style = LA_PAGE_NUMBER;
			tt.page_size = s->v[i].page_size;
			tt.max_page_size = s->v[i].max_page_size;
		}
		la_catb_table(b, &tt);
		for (k = 0; k < s->v[i].conf->ep.nfields; k++)
			la_catb_column(b, &s->v[i].conf->ep.fields[k]);
	}
	s->cat = la_catb_finish(b, &i);
	la_catb_free(b);
	for (i = 0; i < s->n; i++) {
		s->v[i].t = la_catalog_table(s->cat, i);
		place = la_arena_calloc(x->arena, s->v[i].nplace + 1,
		    sizeof(*place));
		for (k = 0; k < s->v[i].nplace; k++)
			place[k] = la_catalog_col_index(s->cat, s->v[i].t,
			    s->v[i].names[k], strlen(s->v[i].names[k]));
		s->v[i].place = place;
	}
}

/* Bad patterns or defaults come back as "route.param: message". */
static void
gen_queries_validator(struct la_gen_ctx *x, struct la_canned_set *s)
{
	struct la_buf errs;

	la_buf_init(&errs);
	if ((s->val = la_validator_new(s->cat, &errs)) == NULL)
		la_gen_ctx_err(x, (struct la_pos){1, 1}, "query parameters: %s",
		    errs.len ? errs.data : "invalid");
	la_buf_free(&errs);
}

void
la_gen_queries_build(struct la_gen_ctx *x, struct la_gen *g)
{
	const struct la_conf *c = x->conf;
	struct la_canned_set *s;
	size_t i;

	if (c->nqueries == 0)
		return;
	s = la_xcalloc(1, sizeof(*s));
	g->queries = s;
	s->v = la_arena_calloc(x->arena, c->nqueries, sizeof(*s->v));
	s->n = c->nqueries;
	for (i = 0; i < c->nqueries; i++)
		gen_queries_one(x, &c->queries[i], &s->v[i], g->cat);
	if (x->nerr > 0)
		return;
	gen_queries_catalog(x, s);
	gen_queries_validator(x, s);
}

void
la_gen_queries_free(struct la_canned_set *s)
{
	if (s == NULL)
		return;
	la_validator_free(s->val);
	free(s->cat);
	free(s);
}
