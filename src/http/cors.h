/*
 * CORS (SPEC §9): cors_origins, or CORSMiddleware for every origin. A
 * request phase answers preflights; an output filter adds the allow-origin
 * headers to every response.
 */
#ifndef LA_CORS_H
#define LA_CORS_H

#include "handler.h"

/* Answers an OPTIONS preflight from an allowed origin, listing the
 * route's verbs (LA_PHASE_DONE); LA_PHASE_NEXT for any other request. */
int la_cors_phase(struct la_req *r);
/* Adds the allow-origin headers when the request's Origin is allowed. */
int la_cors_filter(struct la_req *r);

#endif
