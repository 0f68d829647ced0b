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

/*
 * Ready when this worker's database would take a write now (see each
 * driver's writable(): for SQLite the file is still the one opened, its
 * disk has room and the write lock can be taken), not merely answer.
 */
void
la_handler_readyz(struct la_req *r)
{
	struct la_ctx *ctx = r->ctx;
	if (la_ctx_db(ctx) != 0 || la_db_writable(&ctx->db) < 0) {
		la_ctx_db_lost(ctx, "readyz", la_db_rawmsg(&ctx->db));
		la_resp_fail(&r->resp, LA_ERR_UNAVAILABLE,
		    "database unavailable");
		return;
	}
	la_handler_healthz(r);
}
