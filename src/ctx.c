/*
 * Request context (see ctx.h).
 */
#include <string.h>

#include "ctx.h"
#include "log.h"
#include "validate.h"

int
la_ctx_init(struct la_ctx *x, const struct la_gen *g,
    const struct la_catalog *cat, struct la_buf *errs)
{
	memset(x, 0, sizeof(*x));
	x->gen = g;
	x->conf = g->conf;
	x->cat = cat;
	la_buf_init(&x->sql);
	if ((x->val = la_validator_new(cat, errs)) == NULL)
		return (-1);
	la_routes_build(&x->routes, g, cat, &x->users_table);
	return (0);
}

void
la_ctx_free(struct la_ctx *x)
{
	la_db_disconnect(&x->db);
	la_routes_free(&x->routes);
	la_validator_free(x->val);
	la_buf_free(&x->sql);
	memset(x, 0, sizeof(*x));
}

int
la_ctx_db(struct la_ctx *x)
{
	char err[512];

	/* The layer also marks what a statement found lost. */
	if (!x->db_ok)
		la_db_mark_lost(&x->db);
	if (la_db_ensure(&x->db, x->conf->db_url, err, sizeof(err)) != 0) {
		x->db_ok = 0;
		la_log(LA_LOG_ERR, "database: %s", err);
		return (-1);
	}
	x->db_ok = 1;
	return (0);
}

void
la_ctx_db_lost(struct la_ctx *x)
{
	x->db_ok = 0;
}
