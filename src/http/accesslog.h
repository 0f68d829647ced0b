/*
 * The access log phase: one line per request in the combined format plus
 * the request time in seconds and the request id (RequestIdMiddleware;
 * "-" without it), when server.access_log names a file.
 */
#ifndef LA_ACCESSLOG_H
#define LA_ACCESSLOG_H

#include "handler.h"

/* Writes r's line (after the response was written); LA_PHASE_NEXT. */
int la_accesslog_phase(struct la_req *r);

#endif
