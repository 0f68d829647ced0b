/*
 * JSON Web Tokens signed with HMAC (HS256, HS384, HS512) through OpenSSL.
 * Verification accepts only the one algorithm the server is configured
 * with ("none" never), compares signatures in constant time, and enforces
 * exp and nbf when present.
 */
#ifndef LA_JWT_H
#define LA_JWT_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "buf.h"

struct la_arena;

enum la_jwt_alg { LA_JWT_HS256 = 1, LA_JWT_HS384, LA_JWT_HS512 };

enum la_jwt_err {
	LA_JWT_OK = 0,
	LA_JWT_EMALFORMED = -1, /* not three base64url parts of JSON */
	LA_JWT_EALG = -2, /* alg is none, unknown, or not the configured */
	LA_JWT_ESIGNATURE = -3,
	LA_JWT_EEXPIRED = -4, /* exp <= now - leeway */
	LA_JWT_ENOTYET = -5,  /* nbf > now + leeway */
	LA_JWT_EPAYLOAD = -6 /* payload not an object, or exp/nbf not numbers */
};

/* "HS256" → LA_JWT_HS256 ...; 0 when unknown. */
int la_jwt_alg_parse(const char *name);
const char *la_jwt_alg_name(int alg);
/*
 * Appends a token for payload (the text of a JSON object) to out, with
 * the header {"alg":"HSxxx","typ":"JWT"}.
 */
void la_jwt_sign(struct la_buf *out, int alg, const char *secret,
    size_t secret_len, const char *payload, size_t payload_len);
/*
 * Verifies token[0..len) and on success sets *payload to the parsed claims
 * (an object, freed with the arena). now is Unix seconds; leeway seconds
 * of clock skew are tolerated on exp and nbf. Returns LA_JWT_OK or an
 * LA_JWT_E* code; the caller answers every failure with the same 401.
 * The checks run in this order and the first failure is returned: size
 * and shape, the header's alg, base64url of payload and signature, the
 * signature, then the payload's JSON and claims. So "alg":"none" is
 * EALG even with an empty signature, and nothing unsigned reaches the
 * JSON parser but the header.
 */
int la_jwt_verify(const char *token, size_t len, int alg, const char *secret,
    size_t secret_len, int64_t now, int leeway, struct la_arena *a,
    yajl_val *payload);
/* A string for the logs, never for clients. */
const char *la_jwt_strerror(int err);

#endif
