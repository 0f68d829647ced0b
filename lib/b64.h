/*
 * base64url (RFC 4648 §5) without padding, as JWTs and our pagination
 * cursors use it. Decoding is strict: no whitespace, no padding, no bits
 * left over in the last character.
 */
#ifndef LA_B64_H
#define LA_B64_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Appends the encoding of p[0..n) to out. */
void la_b64url_encode(struct la_buf *out, const void *p, size_t n);
/* Room la_b64url_decode needs for n input characters. */
#define LA_B64URL_DECODED_MAX(n) (((n) / 4 + 1) * 3)
/* Decodes in[0..n) into out; the decoded length, or -1 when malformed. */
ssize_t la_b64url_decode(const char *in, size_t n, unsigned char *out);

#endif
