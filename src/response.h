/*
 * Status lines, headers and JSON error bodies. Every error body is
 * {"detail": ...}; the status is chosen here and nowhere deeper.
 */
#ifndef LA_RESPONSE_H
#define LA_RESPONSE_H

#include <stddef.h>

#include "buf.h"
#include "handler.h"

const char *la_resp_reason(int status);
/* {"detail":"text"} with status. */
void la_resp_error(struct la_req *r, int status, const char *detail);
/* A JSON body already in r->body_out. */
void la_resp_json(struct la_req *r, int status);
/* 204 with no body. */
void la_resp_empty(struct la_req *r, int status);
void la_resp_header(struct la_req *r, const char *name, const char *value);
/* "Allow: GET, HEAD, OPTIONS, POST" for a set of LA_M_* verbs. */
void la_resp_allow(struct la_buf *b, unsigned methods);
/*
 * Appends the status line, the headers (Date, Content-Type, Content-Length,
 * Connection as keepalive says) and the body to out.
 */
void la_resp_write(const struct la_req *r, int keepalive, const char *date,
    struct la_buf *out);
/* A bare error response for a request that never reached a handler. */
void la_resp_raw_error(int status, const char *detail, const char *date,
    struct la_buf *out);

#endif
