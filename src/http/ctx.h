/*
 * A request's context: what serving a request may use of the process that
 * serves it — the generation's configuration and catalog, the validator,
 * the route table, the database connection and a scratch SQL buffer. A
 * worker builds one after the fork; handlers, authentication and CORS see
 * only this, never the worker, so a test can build one without processes
 * or sockets.
 */
#ifndef LA_CTX_H
#define LA_CTX_H

#include "buf.h"
#include "catalog.h"
#include "db.h"
#include "gen.h"
#include "route.h"

struct la_validator;

struct la_ctx {
	const struct la_gen *gen;
	const struct la_conf *conf;
	const struct la_catalog *cat;
	struct la_validator *val;
	struct la_routes routes;
	const struct la_cat_table *users_table; /* login validator's, or NULL */
	struct la_db_conn db;
	int db_ok;         /* db is connected and was working */
	int db_down;       /* connecting failed since the last success */
	struct la_buf sql; /* the statement being built */
};

/*
 * Builds the validator and the route table; does not connect. 0, or -1
 * with the reason in errs.
 */
int la_ctx_init(struct la_ctx *x, const struct la_gen *g,
    const struct la_catalog *cat, struct la_buf *errs);
void la_ctx_free(struct la_ctx *x);
/*
 * The database connection, reconnected when it was lost: 0 when it is
 * there (the caller may still find it gone), -1 (logged) when not.
 */
int la_ctx_db(struct la_ctx *x);
/*
 * Marks the connection lost, so the next request reconnects first. Logs
 * why (once: the requests that follow during an outage say nothing more)
 * when reason is not NULL.
 */
void la_ctx_db_lost(struct la_ctx *x, const char *where, const char *reason);

#endif
