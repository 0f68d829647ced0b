/*
 * The request pipeline: one fixed table of phases that every request goes
 * through, as nginx's phase handlers do. Each phase is a small module;
 * a request phase may finish the request, after which the remaining
 * request phases are skipped but the response phases still run; the log
 * phases run once the response has been serialised.
 *
 *   route → CORS → rate limit → authentication and permission → cache
 *   lookup → handler | invalidation → etag → cache store → conditional
 *   (304) → CORS headers → output filters | access log, metrics
 *
 * The ETag is set before the store so that a hit carries it, and the 304
 * is decided after it so that the full answer is what gets stored; CORS
 * headers come last so that no stored answer holds another origin's.
 * Empty slots (rate limit, gzip, metrics) are where those features
 * attach.
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
