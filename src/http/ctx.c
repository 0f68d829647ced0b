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

/*
 * An outage is logged when it starts and when it ends, not once per
 * request in between.
 */
int
la_ctx_db(struct la_ctx *x)
{
	char err[512];

	/* The layer also marks what a statement found lost. */
	if (!x->db_ok)
		la_db_mark_lost(&x->db);
	if (la_db_ensure(&x->db, x->conf->db_url, err, sizeof(err)) != 0) {
		if (!x->db_down)
			la_log(LA_LOG_ERR, "database: %s", err);
		x->db_ok = 0;
		x->db_down = 1;
		return (-1);
	}
	/* Each statement is cut off after database.statement_timeout; the
	 * client then gets a 503 like any lost connection. */
	if (x->db.timeout_ms != x->conf->db_statement_timeout * 1000)
		la_db_set_timeout(&x->db, x->conf->db_statement_timeout * 1000);
	if (x->db_down)
		la_log(LA_LOG_NOTICE, "database: connected again");
	x->db_ok = 1;
	x->db_down = 0;
	return (0);
}

void
la_ctx_db_lost(struct la_ctx *x, const char *where, const char *reason)
{
	if (x->db_ok && reason != NULL)
		la_log(LA_LOG_ERR, "%s: database unavailable: %s",
		    where != NULL ? where : "-", reason);
	x->db_ok = 0;
}
