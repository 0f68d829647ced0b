/*
 * GzipMiddleware (SPEC §13): a response body of at least
 * middleware GzipMiddleware.min_length bytes (1024 by default) is sent
 * gzip-compressed to a client whose Accept-Encoding takes gzip
 * (lib/acceptenc.h), with Content-Encoding: gzip, and every response that
 * could have been compressed says Vary: Accept-Encoding. Never for HEAD,
 * 204 or 304, nor a body that would not shrink. The entity tag of a
 * compressed body is the identity one with "-gz" inside the quotes, so
 * that the two are never taken for each other.
 *
 * It runs before the response cache stores the answer, and the cache key
 * says whether the client takes gzip (la_gzip_wanted), so a hit is served
 * compressed as stored, never compressed again.
 */
#ifndef LA_GZIP_H
#define LA_GZIP_H

#include "handler.h"

/* 1 when r's answer will be compressed if it is large enough. */
int la_gzip_wanted(const struct la_req *r);
/* Response part: compresses r->resp's body when it should. */
int la_gzip_filter(struct la_req *r);
/* After the conditional phase: a 304 carries no Content-Encoding. */
int la_gzip_not_modified(struct la_req *r);

#endif
