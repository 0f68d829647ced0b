/*
 * Built-in routes that are not endpoints: liveness and readiness.
 */
#include "db.h"
#include "handler.h"
#include "response.h"
#include "worker.h"

void
la_handler_healthz(struct la_req *r)
{
	la_buf_reset(r->body_out);
	la_buf_puts(r->body_out, "{\"status\":\"ok\"}");
	la_resp_json(r, 200);
}

/* Ready when this worker's database connection answers. */
void
la_handler_readyz(struct la_req *r)
{
	struct la_worker *w = r->w;

	if (la_worker_db(w) != 0 || w->db.drv->ping(w->db.db) < 0) {
		w->db_ok = 0;
		la_resp_error(r, 503, "database unavailable");
		return;
	}
	la_handler_healthz(r);
}
