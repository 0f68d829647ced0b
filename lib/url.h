/*
 * Percent-decoding and query strings.
 */
#ifndef LA_URL_H
#define LA_URL_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

struct la_arena;

/*
 * Decodes in[0..len) into out (room for len bytes). plus_space turns '+'
 * into ' ' (query components). Returns the decoded length, or -1 on a bad
 * escape or a NUL, encoded (%00) or raw.
 */
ssize_t la_url_decode(const char *in, size_t len, char *out, int plus_space);

struct la_qparam {
	const char *key, *value; /* decoded, NUL-terminated, in the arena */
	size_t klen, vlen;
};

/*
 * Splits a query string on '&' (';' is not a separator) and decodes each
 * key and value. Empty pieces are skipped; "k" alone has value "". Returns
 * the number of parameters (*out in the arena), or -1 on a bad escape.
 */
int la_url_query_parse(const char *q, size_t len, struct la_arena *a,
    struct la_qparam **out);
/* Appends s percent-encoded for a query component (unreserved kept). */
void la_url_encode(struct la_buf *b, const char *s, size_t len);

#endif
