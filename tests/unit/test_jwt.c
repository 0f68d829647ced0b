/*
 * Tests of JWT signing and verification. Tokens with arbitrary headers
 * are built here with OpenSSL's HMAC directly, not with la_jwt_sign, and
 * a few were computed with Python's hmac module, so that a mistake shared
 * by signing and verifying cannot hide. Every error code is reached.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "arena.h"
#include "b64.h"
#include "buf.h"
#include "json.h"
#include "jwt.h"
#include "tap.h"

#define NOW    INT64_C(1700000000)
#define SECRET "s3cr3t-for-tests"

/* jwt.io's classic example, secret "your-256-bit-secret". */
static const char jwtio[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0Ijox"
    "NTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
static const char jwtio_payload[] =
    "{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}";

/* Python: spaced header in another key order, HS512, same secret. */
static const char py512[] =
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzUxMiJ9."
    "eyJzdWIiOiAiNDIiLCAiaXNfYWRtaW4iOiB0cnVlLCAiZXhwIjogNDEwMjQ0NDgwMH0."
    "R3ykAmEdZ9_UNbbU9JIy_TGRJgYunPm0zZgt2C-5FEvBlmMVP8yogptZ1_-CNzHs1XiyQhm"
    "dRB3of2nf-0HTUA";

/* Python: header {"alg":"HS384"} only, a UTF-8 claim, secret "k". */
static const char py384[] = "eyJhbGciOiJIUzM4NCJ9.eyJ1c2VyIjoiw6kifQ."
                            "LBFiBN1PC6vCdEvDmI4WkDy2TxK4g3EjW6ayWqzMrkD0-"
                            "aWWVisg7GFaiGEl09rD";

/* Python: {"sub":"x"} signed with the empty secret. */
static const char py_empty[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0."
    "lnKozbYel_W0K_YkTzYJGH_FMceEDonnOIjzwjVWQLg";

static const EVP_MD *
md_of(int alg)
{
	if (alg == LA_JWT_HS384)
		return (EVP_sha384());
	if (alg == LA_JWT_HS512)
		return (EVP_sha512());
	return (EVP_sha256());
}

/*
 * Builds header.payload.signature from raw JSON texts, signed with the
 * digest of alg whatever the header says.
 */
static void
mk(struct la_buf *out, const char *hdr, const char *payload, int alg,
    const char *secret)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	la_buf_reset(out);
	la_b64url_encode(out, hdr, strlen(hdr));
	la_buf_putc(out, '.');
	la_b64url_encode(out, payload, strlen(payload));
	HMAC(md_of(alg), secret, (int)strlen(secret),
	    (const unsigned char *)out->data, out->len, md, &mdlen);
	la_buf_putc(out, '.');
	la_b64url_encode(out, md, mdlen);
}

/* Verifies an exact-size heap copy of tok[0..len) in a fresh arena. */
static int
verify_n(const char *tok, size_t len, int alg, const char *secret, int64_t now,
    int leeway)
{
	struct la_arena *a = la_arena_new(4096);
	char *copy = malloc(len > 0 ? len : 1);
	yajl_val p = (yajl_val)1;
	int rc;

	memcpy(copy, tok, len);
	rc = la_jwt_verify(copy, len, alg, secret,
	    secret != NULL ? strlen(secret) : 0, now, leeway, a, &p);
	if ((rc == LA_JWT_OK) != (p != NULL))
		rc = 99; /* the payload must be set exactly on success */
	free(copy);
	la_arena_free(a);
	return (rc);
}

static int
verify(const char *tok, int alg, const char *secret, int64_t now, int leeway)
{
	return (verify_n(tok, strlen(tok), alg, secret, now, leeway));
}

/* Verifies with HS256 and SECRET, payload built and signed here. */
static int
claims(const char *payload, int64_t now, int leeway)
{
	struct la_buf b;
	int rc;

	la_buf_init(&b);
	mk(&b, "{\"alg\":\"HS256\"}", payload, LA_JWT_HS256, SECRET);
	rc = verify(b.data, LA_JWT_HS256, SECRET, now, leeway);
	la_buf_free(&b);
	return (rc);
}

static void
test_alg_names(void)
{
	is_int(la_jwt_alg_parse("HS256"), LA_JWT_HS256, "HS256 parses");
	is_int(la_jwt_alg_parse("HS384"), LA_JWT_HS384, "HS384 parses");
	is_int(la_jwt_alg_parse("HS512"), LA_JWT_HS512, "HS512 parses");
	is_int(la_jwt_alg_parse("hs256"), 0, "names are case-sensitive");
	is_int(la_jwt_alg_parse("none"), 0, "none is no algorithm");
	is_int(la_jwt_alg_parse("RS256"), 0, "RS256 is not supported");
	is_int(la_jwt_alg_parse(""), 0, "empty name");
	is_str(la_jwt_alg_name(LA_JWT_HS384), "HS384", "name of HS384");
	ok(la_jwt_alg_name(0) == NULL && la_jwt_alg_name(4) == NULL,
	    "no name for unknown algorithms");
}

/* A claim of the verified payload, read back through a fresh arena. */
static void
test_round_trip(int alg)
{
	static const char payload[] =
	    "{\"sub\":\"alice\",\"is_admin\":true,\"exp\":1700000100}";
	struct la_arena *a = la_arena_new(4096);
	struct la_buf b;
	yajl_val p, v;
	const char *name = la_jwt_alg_name(alg);

	la_buf_init(&b);
	la_jwt_sign(&b, alg, SECRET, strlen(SECRET), payload, strlen(payload));
	is_int(la_jwt_verify(b.data, b.len, alg, SECRET, strlen(SECRET), NOW, 0,
	           a, &p),
	    LA_JWT_OK, "%s: round trip verifies", name);
	v = la_json_get(p, "sub", 3);
	is_str(v != NULL && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL,
	    "alice", "%s: payload comes back", name);
	v = la_json_get(p, "is_admin", 8);
	ok(v != NULL && YAJL_IS_TRUE(v), "%s: is_admin is true", name);
	is_int(verify(b.data, alg == LA_JWT_HS256 ? LA_JWT_HS512 : LA_JWT_HS256,
	           SECRET, NOW, 0),
	    LA_JWT_EALG, "%s: refused when another alg is configured", name);
	is_int(verify(b.data, alg, "other", NOW, 0), LA_JWT_ESIGNATURE,
	    "%s: wrong secret", name);
	la_buf_free(&b);
	la_arena_free(a);
}

static void
test_external(void)
{
	struct la_arena *a = la_arena_new(4096);
	struct la_buf b;
	yajl_val p, v;

	is_int(verify(jwtio, LA_JWT_HS256, "your-256-bit-secret", NOW, 0),
	    LA_JWT_OK, "jwt.io example verifies");
	is_int(verify(jwtio, LA_JWT_HS256, "your-256-bit-secreT", NOW, 0),
	    LA_JWT_ESIGNATURE, "jwt.io example, secret off by one letter");
	is_int(verify(jwtio, LA_JWT_HS256, "your-256-bit-secre", NOW, 0),
	    LA_JWT_ESIGNATURE, "jwt.io example, secret a prefix");
	la_buf_init(&b);
	la_jwt_sign(&b, LA_JWT_HS256, "your-256-bit-secret", 19, jwtio_payload,
	    strlen(jwtio_payload));
	is_str(b.data, jwtio, "signing gives the jwt.io token byte for byte");
	la_buf_free(&b);

	is_int(la_jwt_verify(py512, strlen(py512), LA_JWT_HS512,
	           "your-256-bit-secret", 19, NOW, 0, a, &p),
	    LA_JWT_OK, "spaced, reordered HS512 header from Python verifies");
	v = la_json_get(p, "is_admin", 8);
	ok(v != NULL && YAJL_IS_TRUE(v), "its claims are read");
	is_int(verify(py384, LA_JWT_HS384, "k", NOW, 0), LA_JWT_OK,
	    "HS384 token without typ from Python verifies");
	la_arena_free(a);
}

static void
test_tampering(void)
{
	struct la_buf b, t;
	char *dot;

	la_buf_init(&b);
	la_buf_init(&t);
	mk(&b, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"bob\"}",
	    LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_OK,
	    "untouched token verifies");

	/* Another payload under the first token's signature. */
	mk(&t, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"eve\"}",
	    LA_JWT_HS256, SECRET);
	dot = strrchr(t.data, '.');
	la_buf_truncate(&t, (size_t)(dot - t.data));
	la_buf_puts(&t, strrchr(b.data, '.'));
	is_int(verify(t.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_ESIGNATURE,
	    "tampered payload");

	/* The first character carries no unused bits: still base64url. */
	la_buf_reset(&t);
	la_buf_puts(&t, b.data);
	dot = strrchr(t.data, '.');
	dot[1] = dot[1] == 'A' ? 'B' : 'A';
	is_int(verify(t.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_ESIGNATURE,
	    "tampered signature");

	la_buf_reset(&t);
	la_buf_puts(&t, b.data);
	la_buf_truncate(&t, t.len - 3); /* 40 characters, 30 bytes */
	is_int(verify(t.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_ESIGNATURE,
	    "signature too short");
	la_buf_reset(&t);
	la_buf_puts(&t, b.data);
	la_buf_puts(&t, "AAAA");
	is_int(verify(t.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_ESIGNATURE,
	    "signature too long");

	is_int(verify(b.data, LA_JWT_HS256, "s3cr3t-for-test", NOW, 0),
	    LA_JWT_ESIGNATURE, "wrong secret");
	la_buf_free(&b);
	la_buf_free(&t);
}

static void
test_algorithms(void)
{
	struct la_buf b;

	la_buf_init(&b);
	la_b64url_encode(&b, "{\"alg\":\"none\"}", 14);
	la_buf_putc(&b, '.');
	la_b64url_encode(&b, "{\"sub\":\"root\"}", 14);
	la_buf_putc(&b, '.');
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "alg none with an empty signature");

	mk(&b, "{\"alg\":\"none\",\"typ\":\"JWT\"}", "{}", LA_JWT_HS256,
	    SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "alg none even with a valid HS256 signature");
	mk(&b, "{\"alg\":\"None\"}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "alg None");
	mk(&b, "{\"alg\":\"NONE\"}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "alg NONE");
	mk(&b, "{\"alg\":\"nOnE\"}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "alg nOnE");
	mk(&b, "{\"alg\":\"HS512\"}", "{}", LA_JWT_HS512, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "valid HS512 token when HS256 is configured");
	is_int(verify(b.data, LA_JWT_HS512, SECRET, NOW, 0), LA_JWT_OK,
	    "the same token when HS512 is configured");
	mk(&b, "{\"alg\":\"hs256\"}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "lowercase hs256");
	mk(&b, "{\"alg\":\"RS256\"}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "RS256");
	mk(&b, "{\"alg\":\"HS256 \"}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "alg with a trailing space");
	mk(&b, "{\"typ\":\"JWT\"}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "no alg");
	mk(&b, "{\"alg\":256}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "alg a number");
	mk(&b, "{\"alg\":null}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EALG,
	    "alg null");
	mk(&b, "{\"alg\":\"HS256\",\"typ\":42}", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_OK,
	    "typ may be anything");
	mk(&b, "[\"HS256\"]", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EMALFORMED,
	    "header an array");
	mk(&b, "{\"alg\":\"HS256\"", "{}", LA_JWT_HS256, SECRET);
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EMALFORMED,
	    "header not JSON");
	is_int(verify(jwtio, 0, "your-256-bit-secret", NOW, 0), LA_JWT_EALG,
	    "no algorithm configured");
	is_int(verify(jwtio, 7, "your-256-bit-secret", NOW, 0), LA_JWT_EALG,
	    "unknown algorithm configured");
	la_buf_free(&b);
}

static void
test_claims(void)
{
	char p[128];

	is_int(claims("{}", NOW, 0), LA_JWT_OK, "no exp, no nbf");
	snprintf(p, sizeof(p), "{\"exp\":%lld}", (long long)NOW - 1);
	is_int(claims(p, NOW, 0), LA_JWT_EEXPIRED, "exp in the past");
	snprintf(p, sizeof(p), "{\"exp\":%lld}", (long long)NOW);
	is_int(claims(p, NOW, 0), LA_JWT_EEXPIRED, "exp == now is expired");
	snprintf(p, sizeof(p), "{\"exp\":%lld}", (long long)NOW + 1);
	is_int(claims(p, NOW, 0), LA_JWT_OK, "exp one second ahead");
	snprintf(p, sizeof(p), "{\"exp\":%lld}", (long long)NOW - 30);
	is_int(claims(p, NOW, 60), LA_JWT_OK, "exp 30 s ago, leeway 60");
	snprintf(p, sizeof(p), "{\"exp\":%lld}", (long long)NOW - 59);
	is_int(claims(p, NOW, 60), LA_JWT_OK, "exp 59 s ago, leeway 60");
	snprintf(p, sizeof(p), "{\"exp\":%lld}", (long long)NOW - 60);
	is_int(claims(p, NOW, 60), LA_JWT_EEXPIRED,
	    "exp 60 s ago, leeway 60: at the boundary");
	snprintf(p, sizeof(p), "{\"exp\":%lld.5}", (long long)NOW);
	is_int(claims(p, NOW, 0), LA_JWT_OK, "fractional exp half a second on");
	snprintf(p, sizeof(p), "{\"exp\":%lld.5}", (long long)NOW - 1);
	is_int(claims(p, NOW, 0), LA_JWT_EEXPIRED, "fractional exp passed");
	snprintf(p, sizeof(p), "{\"exp\":%lld}", (long long)NOW - 1);
	is_int(claims(p, NOW, -5), LA_JWT_EEXPIRED, "negative leeway is none");
	is_int(claims("{\"exp\":9223372036854775807}", INT64_MAX, 0),
	    LA_JWT_EEXPIRED, "exp at the end of time, reached");
	is_int(claims("{\"exp\":9223372036854775807}", INT64_MAX, 60),
	    LA_JWT_OK, "exp at the end of time, within the leeway");
	is_int(claims("{\"exp\":-9223372036854775807}", INT64_MIN, 60),
	    LA_JWT_OK, "now - leeway does not wrap around");
	is_int(claims("{\"exp\":1e999}", NOW, 0), LA_JWT_EPAYLOAD,
	    "exp beyond a double");

	snprintf(p, sizeof(p), "{\"nbf\":%lld}", (long long)NOW + 1);
	is_int(claims(p, NOW, 0), LA_JWT_ENOTYET, "nbf in the future");
	snprintf(p, sizeof(p), "{\"nbf\":%lld}", (long long)NOW);
	is_int(claims(p, NOW, 0), LA_JWT_OK, "nbf == now is valid");
	snprintf(p, sizeof(p), "{\"nbf\":%lld}", (long long)NOW + 30);
	is_int(claims(p, NOW, 60), LA_JWT_OK, "nbf 30 s ahead, leeway 60");
	snprintf(p, sizeof(p), "{\"nbf\":%lld}", (long long)NOW + 60);
	is_int(claims(p, NOW, 60), LA_JWT_OK, "nbf 60 s ahead, leeway 60");
	snprintf(p, sizeof(p), "{\"nbf\":%lld}", (long long)NOW + 61);
	is_int(claims(p, NOW, 60), LA_JWT_ENOTYET, "nbf 61 s ahead, leeway 60");
	snprintf(p, sizeof(p), "{\"nbf\":%lld.5}", (long long)NOW);
	is_int(claims(p, NOW, 0), LA_JWT_ENOTYET, "fractional nbf ahead");
	is_int(claims("{\"nbf\":9223372036854775807}", INT64_MAX, 60),
	    LA_JWT_OK, "now + leeway does not wrap around");
	snprintf(p, sizeof(p), "{\"nbf\":%lld,\"exp\":%lld}",
	    (long long)NOW - 10, (long long)NOW + 10);
	is_int(claims(p, NOW, 0), LA_JWT_OK, "inside the nbf..exp window");

	is_int(claims("{\"exp\":\"1700000100\"}", NOW, 0), LA_JWT_EPAYLOAD,
	    "exp a string");
	is_int(claims("{\"nbf\":\"0\"}", NOW, 0), LA_JWT_EPAYLOAD,
	    "nbf a string");
	is_int(claims("{\"exp\":null}", NOW, 0), LA_JWT_EPAYLOAD, "exp null");
	is_int(claims("{\"exp\":true}", NOW, 0), LA_JWT_EPAYLOAD, "exp true");
	is_int(claims("{\"exp\":[1]}", NOW, 0), LA_JWT_EPAYLOAD, "exp a list");
	is_int(claims("{\"exp\":1,\"nbf\":\"x\"}", NOW, 0), LA_JWT_EPAYLOAD,
	    "bad nbf reported before the expiry");
	is_int(claims("[]", NOW, 0), LA_JWT_EPAYLOAD, "payload an array");
	is_int(claims("\"sub\"", NOW, 0), LA_JWT_EPAYLOAD, "payload a string");
	is_int(claims("42", NOW, 0), LA_JWT_EPAYLOAD, "payload a number");
	is_int(claims("{\"sub\":", NOW, 0), LA_JWT_EMALFORMED,
	    "signed payload not JSON");
	is_int(claims("{\"a\":\"\\u0000\"}", NOW, 0), LA_JWT_EMALFORMED,
	    "payload with an escaped NUL");
}

/* Claims and payload JSON are looked at only after the signature. */
static void
test_order(void)
{
	struct la_buf b;
	char p[64];

	la_buf_init(&b);
	snprintf(p, sizeof(p), "{\"exp\":%lld}", (long long)NOW - 1);
	mk(&b, "{\"alg\":\"HS256\"}", p, LA_JWT_HS256, "other");
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_ESIGNATURE,
	    "expired and badly signed: the signature fails first");
	mk(&b, "{\"alg\":\"HS256\"}", "[1", LA_JWT_HS256, "other");
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_ESIGNATURE,
	    "unsigned garbage payload never reaches the JSON parser");
	mk(&b, "{\"alg\":\"HS256\"}", "{\"exp\":\"x\"}", LA_JWT_HS256, "other");
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_ESIGNATURE,
	    "bad claim types under a bad signature");
	la_buf_free(&b);
}

/* Replaces part i (0..2) of tok with s. */
static void
with_part(struct la_buf *out, const char *tok, int i, const char *s)
{
	const char *d1 = strchr(tok, '.'), *d2 = strchr(d1 + 1, '.');

	la_buf_reset(out);
	if (i == 0)
		la_buf_puts(out, s);
	else
		la_buf_append(out, tok, (size_t)(d1 - tok));
	la_buf_putc(out, '.');
	if (i == 1)
		la_buf_puts(out, s);
	else
		la_buf_append(out, d1 + 1, (size_t)(d2 - d1 - 1));
	la_buf_putc(out, '.');
	la_buf_puts(out, i == 2 ? s : d2 + 1);
}

static void
test_malformed(void)
{
	static const char *bad[] = {"eyJ+bGciOiJIUzI1NiJ9",
	    "eyJhbGci=", "eyJhbGciOiJIUzI1NiJ9 ", "eyJhb",
	    "eyJhbGciOiJIUzI1NiJ9/"};
	static const char *names[] = {"header", "payload", "signature"};
	struct la_buf b;
	size_t i;
	int part;
	const char *sig;

	la_buf_init(&b);
	is_int(verify("", LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EMALFORMED,
	    "empty token");
	is_int(verify("..", LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EMALFORMED,
	    "only dots");
	is_int(verify("abc", LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EMALFORMED,
	    "one part");
	sig = strrchr(jwtio, '.');
	la_buf_append(&b, jwtio, (size_t)(sig - jwtio));
	is_int(verify(b.data, LA_JWT_HS256, "your-256-bit-secret", NOW, 0),
	    LA_JWT_EMALFORMED, "two parts");
	la_buf_reset(&b);
	la_buf_puts(&b, jwtio);
	la_buf_puts(&b, ".e30");
	is_int(verify(b.data, LA_JWT_HS256, "your-256-bit-secret", NOW, 0),
	    LA_JWT_EMALFORMED, "four parts");
	la_buf_reset(&b);
	la_buf_puts(&b, jwtio);
	la_buf_putc(&b, '.');
	is_int(verify(b.data, LA_JWT_HS256, "your-256-bit-secret", NOW, 0),
	    LA_JWT_EMALFORMED, "trailing dot");
	is_int(verify_n(jwtio, sizeof(jwtio), LA_JWT_HS256,
	           "your-256-bit-secret", NOW, 0),
	    LA_JWT_EMALFORMED, "trailing NUL byte");
	for (part = 0; part < 3; part++) {
		with_part(&b, jwtio, part, "");
		is_int(
		    verify(b.data, LA_JWT_HS256, "your-256-bit-secret", NOW, 0),
		    LA_JWT_EMALFORMED, "empty %s", names[part]);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			with_part(&b, jwtio, part, bad[i]);
			is_int(verify(b.data, LA_JWT_HS256,
			           "your-256-bit-secret", NOW, 0),
			    LA_JWT_EMALFORMED, "bad base64url in the %s: %s",
			    names[part], bad[i]);
		}
	}
	/* A payload with stray bits must not pass as its canonical twin. */
	with_part(&b, jwtio, 1,
	    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0Ijox"
	    "NTE2MjM5MDIyfR");
	is_int(verify(b.data, LA_JWT_HS256, "your-256-bit-secret", NOW, 0),
	    LA_JWT_EMALFORMED, "non-canonical payload encoding");
	la_buf_free(&b);
}

static void
test_empty_secret(void)
{
	struct la_buf b, c;

	la_buf_init(&b);
	la_buf_init(&c);
	la_jwt_sign(&b, LA_JWT_HS256, "", 0, "{\"sub\":\"x\"}", 11);
	la_jwt_sign(&c, LA_JWT_HS256, NULL, 0, "{\"sub\":\"x\"}", 11);
	is_str(b.data, py_empty, "empty secret: the token Python computes");
	is_str(c.data, py_empty, "NULL secret is the empty secret");
	is_int(verify(py_empty, LA_JWT_HS256, "", NOW, 0), LA_JWT_OK,
	    "empty secret verifies");
	is_int(verify(py_empty, LA_JWT_HS256, NULL, NOW, 0), LA_JWT_OK,
	    "NULL secret verifies");
	is_int(verify(py_empty, LA_JWT_HS256, "x", NOW, 0), LA_JWT_ESIGNATURE,
	    "a non-empty secret does not");
	la_buf_free(&b);
	la_buf_free(&c);
}

/* A payload whose token is exactly len bytes with an HS256 header. */
static void
sized_token(struct la_buf *b, size_t len)
{
	/* header 36 + '.' + payload + '.' + signature 43 */
	size_t enc = len - 36 - 1 - 1 - 43, raw = enc * 3 / 4;
	char *p = malloc(raw + 1);

	memset(p, 'x', raw);
	memcpy(p, "{\"pad\":\"", 8);
	memcpy(p + raw - 2, "\"}", 2);
	la_buf_reset(b);
	la_jwt_sign(b, LA_JWT_HS256, SECRET, strlen(SECRET), p, raw);
	free(p);
}

static void
test_long(void)
{
	struct la_arena *a;
	struct la_buf b;
	yajl_val p;
	char *huge;

	la_buf_init(&b);
	sized_token(&b, 8192);
	is_int(b.len, 8192, "a token of 8192 bytes is built");
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_OK,
	    "8192 bytes are accepted");
	sized_token(&b, 8193);
	is_int(b.len, 8193, "a token of 8193 bytes is built");
	is_int(verify(b.data, LA_JWT_HS256, SECRET, NOW, 0), LA_JWT_EMALFORMED,
	    "8193 bytes are refused");
	la_buf_free(&b);

	huge = malloc(1 << 20);
	memset(huge, 'A', 1 << 20);
	huge[100] = huge[200] = '.';
	a = la_arena_new(4096);
	is_int(la_jwt_verify(huge, 1 << 20, LA_JWT_HS256, SECRET,
	           strlen(SECRET), NOW, 0, a, &p),
	    LA_JWT_EMALFORMED, "a 1 MiB token is refused");
	is_int(la_arena_used(a), 0, "before anything is allocated");
	la_arena_free(a);
	free(huge);
}

static void
test_strerror(void)
{
	int e, distinct = 1, f;

	for (e = LA_JWT_EPAYLOAD; e <= LA_JWT_OK; e++)
		for (f = e + 1; f <= LA_JWT_OK; f++)
			if (strcmp(la_jwt_strerror(e), la_jwt_strerror(f)) == 0)
				distinct = 0;
	ok(distinct, "one message per error");
	ok(la_jwt_strerror(-42) != NULL, "a message for unknown codes");
}

int
main(void)
{
	test_alg_names();
	test_round_trip(LA_JWT_HS256);
	test_round_trip(LA_JWT_HS384);
	test_round_trip(LA_JWT_HS512);
	test_external();
	test_tampering();
	test_algorithms();
	test_claims();
	test_order();
	test_malformed();
	test_empty_secret();
	test_long();
	test_strerror();
	return (done_testing());
}
