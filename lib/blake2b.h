/*
 * BLAKE2b (RFC 7693), unkeyed, as one call: the digest behind the strong
 * ETag of every response. It is written here rather than taken from the
 * crypto library because a response body is digested on every request:
 * the library's generic entry point costs more than a small body does,
 * and its BLAKE2b has no vector code. With AVX2 the four columns (then the
 * four diagonals) of a round run at once.
 */
#ifndef LA_BLAKE2B_H
#define LA_BLAKE2B_H

#include <stddef.h>

#define LA_BLAKE2B_MAX 64

/* The first outlen (1 to 64) bytes of BLAKE2b-512 of in: the same bytes
 * as the library's "BLAKE2B-512", truncated. */
void la_blake2b(void *out, size_t outlen, const void *in, size_t len);
/* The same with the portable code only (tests compare the two). */
void la_blake2b_portable(void *out, size_t outlen, const void *in, size_t len);

#endif
