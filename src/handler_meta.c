/*
 * Built-in routes that are not endpoints: liveness and readiness.
 */
#include "db.h"
#include "handler.h"
#include "response.h"

void
la_handler_healthz(struct la_req *r)
{
	la_buf_reset(r->resp.body);
	la_buf_puts(r->resp.body, "{\"status\":\"ok\"}");
	la_resp_json(&r->resp, 200);
}

/* Ready when this worker's database connection answers. */
void
la_handler_readyz(struct la_req *r)
{
	struct la_ctx *ctx = r->ctx;

	if (la_ctx_db(ctx) != 0 || ctx->db.drv->ping(ctx->db.db) < 0) {
		la_ctx_db_lost(ctx);
		la_resp_fail(&r->resp, LA_ERR_UNAVAILABLE,
		    "database unavailable");
		return;
	}
	la_handler_healthz(r);
}
