/*
 * Fuzz target for JWT verification and base64url decoding. With
 * -fsanitize=fuzzer it is a libFuzzer target; with -DLA_FUZZ_REPLAY it
 * replays the files named on its command line and prints TAP, which is
 * how make check runs the corpus.
 *
 * Besides crashes it checks properties a sanitizer cannot see: the
 * payload is set exactly on success, tokens over the size bound are
 * refused, decoding accepts only canonical text, and a token we sign
 * ourselves never fails on its algorithm or signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "b64.h"
#include "buf.h"
#include "jwt.h"
#include "la.h"

#define FUZZ_SECRET  "fuzz-secret"
#define FUZZ_NOW     INT64_C(1700000000)
#define FUZZ_LEEWAY  30
#define FUZZ_MAX_TOK 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_verify(const char *tok, size_t len, int alg)
{
	struct la_arena *a = la_arena_new(4096);
	yajl_val p;
	int rc;

	rc = la_jwt_verify(tok, len, alg, FUZZ_SECRET, strlen(FUZZ_SECRET),
	    FUZZ_NOW, FUZZ_LEEWAY, a, &p);
	LA_ASSERT(rc <= LA_JWT_OK && rc >= LA_JWT_EPAYLOAD);
	LA_ASSERT((rc == LA_JWT_OK) == (p != NULL));
	if (len > FUZZ_MAX_TOK)
		LA_ASSERT(rc == LA_JWT_EMALFORMED);
	if (rc == LA_JWT_OK)
		LA_ASSERT(YAJL_IS_OBJECT(p));
	LA_ASSERT(la_jwt_strerror(rc) != NULL);
	la_arena_free(a);
	return (rc);
}

/* What decodes must be the one encoding of what it decodes to. */
static void
fuzz_b64(const char *in, size_t n)
{
	unsigned char *out = malloc(LA_B64URL_DECODED_MAX(n));
	struct la_buf b;
	ssize_t r;

	r = la_b64url_decode(in, n, out);
	LA_ASSERT(r >= -1);
	if (r >= 0) {
		LA_ASSERT((size_t)r == n * 3 / 4);
		la_buf_init(&b);
		la_b64url_encode(&b, out, (size_t)r);
		LA_ASSERT(b.len == n);
		LA_ASSERT(n == 0 || memcmp(b.data, in, n) == 0);
		la_buf_free(&b);
	}
	free(out);
}

/* The input as the payload of a token we sign: only its claims may fail. */
static void
fuzz_signed(const char *in, size_t n, int alg)
{
	struct la_buf b;
	int rc;

	la_buf_init(&b);
	la_jwt_sign(&b, alg, FUZZ_SECRET, strlen(FUZZ_SECRET), in, n);
	rc = fuzz_verify(b.data, b.len, alg);
	LA_ASSERT(rc != LA_JWT_EALG && rc != LA_JWT_ESIGNATURE);
	la_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	int alg;

	for (alg = LA_JWT_HS256; alg <= LA_JWT_HS512; alg++)
		fuzz_verify(in, size, alg);
	fuzz_b64(in, size);
	fuzz_signed(in, size, LA_JWT_HS256);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
