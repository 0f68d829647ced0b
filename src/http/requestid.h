/*
 * RequestIdMiddleware (SPEC §13): every response carries X-Request-Id,
 * errors included, and the error and access log lines of the request
 * name it. A client's (or a proxy's) id is kept when it is sane: 1 to
 * LA_REQUESTID_MAX bytes of [A-Za-z0-9._:+/=@-] (what UUIDs, hex, base64
 * and the usual tracing formats use, and nothing that could break a log
 * line or a header); otherwise a new one is made, 32 hex digits from a
 * generator seeded per process.
 */
#ifndef LA_REQUESTID_H
#define LA_REQUESTID_H

#include <stddef.h>

#include "handler.h"

#define LA_REQUESTID_MAX 200
#define LA_REQUESTID_GEN 32 /* length of a made id */

/* 1 when v[0..len) is kept as it is. */
int la_requestid_sane(const char *v, size_t len);
/* A new id into out (NUL-terminated). */
void la_requestid_new(char out[LA_REQUESTID_GEN + 1]);
/* Request part: chooses the id and names it in the error log. */
int la_requestid_phase(struct la_req *r);
/* Response part: the header (choosing the id if the request part did not
 * run, as for a 404 found before the middlewares). */
int la_requestid_filter(struct la_req *r);
/*
 * For an error answered before the pipeline (the head did not parse, or
 * a body is refused by its length): the id to send, req's own when sane
 * (req NULL: none), into out; NULL when the middleware is off.
 */
const char *la_requestid_raw(const struct la_conf *c,
    const struct la_http_req *req, char out[LA_REQUESTID_MAX + 1]);

#endif
