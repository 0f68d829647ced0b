/*
 * The request pipeline: one fixed table of phases that every request goes
 * through, as nginx's phase handlers do. Each phase is a small module;
 * a request phase may finish the request, after which the remaining
 * request phases are skipped but the response phases still run; the log
 * phases run once the response has been serialised.
 *
 *   client address → route → middlewares → authentication and
 *   permission → cache lookup → handler | invalidation → etag →
 *   middlewares reversed → cache store → conditional (304) → gzip 304 |
 *   access log, metrics
 *
 * The middlewares (CORS, rate limit, request id, gzip) are one slot in
 * each stage: their request parts run in the order the middleware: list
 * names them, the first that answers (a preflight, a 429) ending the
 * request stage; their response parts run in the reverse order, all of
 * them, whatever answered. CORS also serves cors_origins without being
 * named, as the outermost. The ETag is set before the middlewares so that
 * gzip can derive its own from it, and the store follows them so that a
 * hit is what they made of the answer (compressed, never again); the
 * store leaves out what is per request (CORS headers, the request id).
 * The 304 is decided after the store so that the full answer is what
 * gets stored. An empty slot (metrics) is where that feature attaches.
 */
#ifndef LA_PIPELINE_H
#define LA_PIPELINE_H

#include "handler.h"

#define LA_PHASE_NEXT 0 /* go on with the next phase */
#define LA_PHASE_DONE 1 /* the response is set: skip to the response phases */

/* Runs the request and response phases: r->resp is set on return. */
void la_pipeline_run(struct la_req *r);
/* Runs the log phases, after the response was written (elapsed_ms set). */
void la_pipeline_log(struct la_req *r);

#endif
