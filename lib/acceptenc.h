/*
 * Accept-Encoding (RFC 9110 12.5.3): whether a client takes gzip.
 */
#ifndef LA_ACCEPTENC_H
#define LA_ACCEPTENC_H

#include <stddef.h>

/*
 * 1 when the Accept-Encoding value v[0..len) allows gzip: "gzip" (or its
 * old alias "x-gzip") with a q-value above 0, or, gzip not named, "*"
 * with one. "gzip;q=0" refuses it whatever "*" says. A q-value that does
 * not parse counts as 0 (refused): a client is never sent an encoding
 * it did not clearly accept.
 */
int la_acceptenc_gzip(const char *v, size_t len);

#endif
