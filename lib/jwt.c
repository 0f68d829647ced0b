/*
 * HMAC JSON Web Tokens (see jwt.h). Every byte of a token comes from an
 * unauthenticated client, so verification goes from the cheapest check to
 * the costliest and trusts nothing before the signature: the length is
 * bounded before anything is allocated, the header is read only for its
 * algorithm, and the payload reaches the JSON parser only once the
 * signature over it has been checked.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "arena.h"
#include "b64.h"
#include "buf.h"
#include "json.h"
#include "jwt.h"
#include "la.h"

/*
 * Far above any token we issue or a sane issuer would (a few hundred
 * bytes), far below what would make decoding and hashing a cost.
 */
#define JWT_MAX_TOKEN 8192

struct jwt_part {
	const char *p;
	size_t len;
};

/* Indexed by enum la_jwt_alg - 1. */
static const struct {
	const char *name;
	const EVP_MD *(*md)(void);
	const char *header; /* {"alg":"HSxxx","typ":"JWT"} */
} jwt_algs[] = {
    {"HS256", EVP_sha256, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"},
    {"HS384", EVP_sha384, "{\"alg\":\"HS384\",\"typ\":\"JWT\"}"},
    {"HS512", EVP_sha512, "{\"alg\":\"HS512\",\"typ\":\"JWT\"}"},
};

static int
jwt_valid_alg(int alg)
{
	return (alg >= LA_JWT_HS256 && alg <= LA_JWT_HS512);
}

int
la_jwt_alg_parse(const char *name)
{
	size_t i;

	/* Case matters: RFC 7518 names are case-sensitive. */
	for (i = 0; i < LA_NELEM(jwt_algs); i++)
		if (strcmp(name, jwt_algs[i].name) == 0)
			return ((int)i + 1);
	return (0);
}

const char *
la_jwt_alg_name(int alg)
{
	return (jwt_valid_alg(alg) ? jwt_algs[alg - 1].name : NULL);
}

/* The MAC of data[0..n) into md (EVP_MAX_MD_SIZE bytes); its length or 0. */
static unsigned int
jwt_hmac(int alg, const char *secret, size_t secret_len, const char *data,
    size_t n, unsigned char *md)
{
	unsigned int mdlen = 0;

	if (secret_len > INT_MAX)
		return (0);
	/* OpenSSL may read a NULL key as "no key", not as the empty one. */
	if (secret == NULL)
		secret = "";
	if (HMAC(jwt_algs[alg - 1].md(), secret, (int)secret_len,
	        (const unsigned char *)data, n, md, &mdlen) == NULL)
		return (0);
	return (mdlen);
}

void
la_jwt_sign(struct la_buf *out, int alg, const char *secret, size_t secret_len,
    const char *payload, size_t payload_len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	const char *h;
	size_t start = out->len;
	unsigned int mdlen;

	LA_ASSERT(jwt_valid_alg(alg));
	h = jwt_algs[alg - 1].header;
	la_b64url_encode(out, h, strlen(h));
	la_buf_putc(out, '.');
	la_b64url_encode(out, payload, payload_len);
	mdlen = jwt_hmac(alg, secret, secret_len, out->data + start,
	    out->len - start, md);
	LA_ASSERT(mdlen > 0);
	la_buf_putc(out, '.');
	la_b64url_encode(out, md, mdlen);
	OPENSSL_cleanse(md, sizeof(md));
}

/* Splits at exactly two dots; the parts may still be empty. */
static int
jwt_split(const char *token, size_t len, struct jwt_part part[3])
{
	const char *p = token, *end = token + len, *dot;
	int i;

	for (i = 0; i < 2; i++) {
		if ((dot = memchr(p, '.', (size_t)(end - p))) == NULL)
			return (-1);
		part[i].p = p;
		part[i].len = (size_t)(dot - p);
		p = dot + 1;
	}
	part[2].p = p;
	part[2].len = (size_t)(end - p);
	return (memchr(p, '.', part[2].len) == NULL ? 0 : -1);
}

/* Decodes a non-empty part into the arena. */
static int
jwt_decode(struct la_arena *a, struct jwt_part in, unsigned char **out,
    size_t *outlen)
{
	ssize_t n;

	if (in.len == 0)
		return (-1);
	*out = la_arena_alloc(a, LA_B64URL_DECODED_MAX(in.len));
	if ((n = la_b64url_decode(in.p, in.len, *out)) < 0)
		return (-1);
	*outlen = (size_t)n;
	return (0);
}

/*
 * The header only names the algorithm, and the one we accept is fixed by
 * configuration: honouring another one ("none", or HS256 keyed with an
 * RSA public key) is the classic way JWT libraries have been fooled.
 */
static int
jwt_header(struct la_arena *a, struct jwt_part in, int alg)
{
	unsigned char *text;
	size_t n;
	yajl_val h, v;

	if (jwt_decode(a, in, &text, &n) != 0)
		return (LA_JWT_EMALFORMED);
	h = la_json_parse((const char *)text, n, LA_JSON_MAX_DEPTH, a);
	if (h == NULL || !YAJL_IS_OBJECT(h))
		return (LA_JWT_EMALFORMED);
	v = la_json_get(h, "alg", 3);
	if (v == NULL || !YAJL_IS_STRING(v) ||
	    strcmp(v->u.string, jwt_algs[alg - 1].name) != 0)
		return (LA_JWT_EALG);
	return (LA_JWT_OK);
}

/*
 * Checks the signature over "header.payload". The decoded MAC is compared
 * in constant time so that response timing says nothing about how many
 * leading bytes of a forged signature were right.
 */
static int
jwt_signature(struct la_arena *a, const char *token, struct jwt_part sig,
    int alg, const char *secret, size_t secret_len)
{
	unsigned char md[EVP_MAX_MD_SIZE], *got;
	size_t n;
	unsigned int mdlen;
	int rc = LA_JWT_OK;

	if (jwt_decode(a, sig, &got, &n) != 0)
		return (LA_JWT_EMALFORMED);
	/* The signed text runs up to the second dot, just before sig. */
	mdlen = jwt_hmac(alg, secret, secret_len, token,
	    (size_t)(sig.p - 1 - token), md);
	if (mdlen == 0 || n != mdlen || CRYPTO_memcmp(got, md, mdlen) != 0)
		rc = LA_JWT_ESIGNATURE;
	OPENSSL_cleanse(md, sizeof(md));
	return (rc);
}

/*
 * Compares a numeric claim with t into *cmp (-1, 0, 1). Integers are
 * compared exactly; fractions ("exp": 1700000000.5, which some issuers
 * write) as doubles. A number yajl could not hold (1e999) is refused
 * rather than read as infinity.
 */
static int
jwt_cmp(yajl_val v, int64_t t, int *cmp)
{
	long long i;
	double d;

	if (!YAJL_IS_NUMBER(v))
		return (-1);
	if (v->u.number.flags & YAJL_NUMBER_INT_VALID) {
		i = v->u.number.i;
		*cmp = (i > t) - (i < t);
		return (0);
	}
	if (!(v->u.number.flags & YAJL_NUMBER_DOUBLE_VALID))
		return (-1);
	d = v->u.number.d;
	*cmp = (d > (double)t) - (d < (double)t);
	return (0);
}

/* now + delta, saturated, so that a far-off clock cannot wrap around. */
static int64_t
jwt_add(int64_t now, int64_t delta)
{
	if (delta > 0 && now > INT64_MAX - delta)
		return (INT64_MAX);
	if (delta < 0 && now < INT64_MIN - delta)
		return (INT64_MIN);
	return (now + delta);
}

/*
 * RFC 7519 §4.1.4: the token must not be accepted on or after exp, so it
 * is expired when exp <= now - leeway; §4.1.5: not before nbf, so it is
 * early when nbf > now + leeway. Both types are checked before either
 * time, so a bad claim is reported as such whatever the clock says.
 */
static int
jwt_claims(yajl_val p, int64_t now, int leeway)
{
	yajl_val exp, nbf;
	int ce = 0, cn = 0;

	if (leeway < 0)
		leeway = 0;
	exp = la_json_get(p, "exp", 3);
	nbf = la_json_get(p, "nbf", 3);
	if (exp != NULL && jwt_cmp(exp, jwt_add(now, -leeway), &ce) != 0)
		return (LA_JWT_EPAYLOAD);
	if (nbf != NULL && jwt_cmp(nbf, jwt_add(now, leeway), &cn) != 0)
		return (LA_JWT_EPAYLOAD);
	if (exp != NULL && ce <= 0)
		return (LA_JWT_EEXPIRED);
	if (nbf != NULL && cn > 0)
		return (LA_JWT_ENOTYET);
	return (LA_JWT_OK);
}

/* Parses the payload text, whose signature has been checked. */
static int
jwt_payload(struct la_arena *a, const unsigned char *text, size_t n,
    int64_t now, int leeway, yajl_val *out)
{
	yajl_val p;
	int rc;

	p = la_json_parse((const char *)text, n, LA_JSON_MAX_DEPTH, a);
	if (p == NULL)
		return (LA_JWT_EMALFORMED);
	if (!YAJL_IS_OBJECT(p))
		return (LA_JWT_EPAYLOAD);
	if ((rc = jwt_claims(p, now, leeway)) != LA_JWT_OK)
		return (rc);
	*out = p;
	return (LA_JWT_OK);
}

int
la_jwt_verify(const char *token, size_t len, int alg, const char *secret,
    size_t secret_len, int64_t now, int leeway, struct la_arena *a,
    yajl_val *payload)
{
	struct jwt_part part[3];
	unsigned char *text;
	size_t n;
	int rc;

	*payload = NULL;
	if (!jwt_valid_alg(alg))
		return (LA_JWT_EALG);
	if (len == 0 || len > JWT_MAX_TOKEN || jwt_split(token, len, part) != 0)
		return (LA_JWT_EMALFORMED);
	if ((rc = jwt_header(a, part[0], alg)) != LA_JWT_OK)
		return (rc);
	/* A payload that is not base64url is malformed, signed or not. */
	if (jwt_decode(a, part[1], &text, &n) != 0)
		return (LA_JWT_EMALFORMED);
	rc = jwt_signature(a, token, part[2], alg, secret, secret_len);
	if (rc != LA_JWT_OK)
		return (rc);
	return (jwt_payload(a, text, n, now, leeway, payload));
}

const char *
la_jwt_strerror(int err)
{
	switch (err) {
	case LA_JWT_OK:
		return ("valid token");
	case LA_JWT_EMALFORMED:
		return ("malformed token");
	case LA_JWT_EALG:
		return ("algorithm not accepted");
	case LA_JWT_ESIGNATURE:
		return ("bad signature");
	case LA_JWT_EEXPIRED:
		return ("token expired");
	case LA_JWT_ENOTYET:
		return ("token not yet valid");
	case LA_JWT_EPAYLOAD:
		return ("bad claims");
	}
	return ("unknown error");
}
