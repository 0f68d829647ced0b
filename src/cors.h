/*
 * CORS (SPEC §9): cors_origins, or CORSMiddleware for every origin.
 */
#ifndef LA_CORS_H
#define LA_CORS_H

#include "handler.h"

/* Adds the allow-origin headers when the request's Origin is allowed. */
void la_cors_headers(struct la_req *r);
/* Answers an OPTIONS preflight from an allowed origin (1), listing the
 * route's verbs; 0 when the request is not one. */
int la_cors_preflight(struct la_req *r, unsigned methods);

#endif
