/*
 * Tests of base64url: the RFC 4648 vectors in the url alphabet without
 * padding, round trips of random bytes, every rule strict decoding
 * enforces, and that each accepted text is the one canonical encoding.
 * Inputs and outputs are heap blocks of their exact size so that the
 * address sanitizer catches reads or writes past them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "tap.h"

static const struct {
	const char *raw;
	size_t len;
	const char *enc;
} vectors[] = {
    /* RFC 4648 §10. */
    {"", 0, ""},
    {"f", 1, "Zg"},
    {"fo", 2, "Zm8"},
    {"foo", 3, "Zm9v"},
    {"foob", 4, "Zm9vYg"},
    {"fooba", 5, "Zm9vYmE"},
    {"foobar", 6, "Zm9vYmFy"},
    /* The two characters where the url alphabet differs. */
    {"\xfb\xff", 2, "-_8"},
    {"\xfb\xff\xbf", 3, "-_-_"},
    {"\x00", 1, "AA"},
    {"\x00\x00\x00", 3, "AAAA"},
    {"\xff\xff\xff", 3, "____"},
    {"\xff", 1, "_w"},
    {"\xff\xff", 2, "__8"},
};

/* Texts every strict decoder must refuse. */
static const struct {
	const char *enc;
	size_t len;
	const char *why;
} rejects[] = {
    {"Zg==", 4, "padding"},
    {"Zm8=", 4, "one padding character"},
    {"Zg=", 3, "padding at a length of 3"},
    {"=", 1, "padding alone"},
    {"Zm9v\n", 5, "trailing newline"},
    {"Zm9v Yg", 7, "inner space"},
    {" Zm9v", 5, "leading space"},
    {"Zm9v\r\nYg", 8, "CRLF"},
    {"Zm9v\tYg", 7, "tab"},
    {"+_8", 3, "'+' of the standard alphabet"},
    {"-/8", 3, "'/' of the standard alphabet"},
    {"ab+/", 4, "'+' and '/' in a full group"},
    {"Z", 1, "length 1"},
    {"Zm9vY", 5, "length 5"},
    {"Zm9vYmFyZ", 9, "length 9"},
    {"Zh", 2, "unused bits set after one byte"},
    {"Zm9", 3, "unused bits set after two bytes"},
    {"_x", 2, "unused bits set in the last character"},
    {"Zm.v", 4, "a dot"},
    {"Zm\0v", 4, "a NUL byte"},
    {"Zm\xc3\xa9", 4, "non-ASCII bytes"},
    {"Zm9v*A", 6, "punctuation"},
};

static char *
dup_exact(const char *s, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	memcpy(p, s, len);
	return (p);
}

/* Decodes s[0..n) from an exact-size copy; -1 or the length in *out. */
static ssize_t
decode(const char *s, size_t n, unsigned char **out)
{
	char *in = dup_exact(s, n);
	ssize_t r;

	*out = malloc(LA_B64URL_DECODED_MAX(n));
	r = la_b64url_decode(in, n, *out);
	free(in);
	return (r);
}

static void
test_vectors(void)
{
	struct la_buf b;
	unsigned char *out;
	ssize_t r;
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		la_buf_init(&b);
		la_b64url_encode(&b, vectors[i].raw, vectors[i].len);
		is_str(b.len > 0 ? b.data : "", vectors[i].enc,
		    "encode vector %zu", i);
		la_buf_free(&b);
		r = decode(vectors[i].enc, strlen(vectors[i].enc), &out);
		ok(r == (ssize_t)vectors[i].len &&
		        memcmp(out, vectors[i].raw, vectors[i].len) == 0,
		    "decode %s", vectors[i].enc);
		free(out);
	}
}

static void
test_rejects(void)
{
	unsigned char *out;
	size_t i;

	for (i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		is_int(decode(rejects[i].enc, rejects[i].len, &out), -1,
		    "refuses %s", rejects[i].why);
		free(out);
	}
}

static uint32_t
next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* Only the url alphabet, and the unpadded length ceil(4n / 3). */
static int
well_formed(const struct la_buf *b, size_t n)
{
	size_t i;

	if (b->len != (n * 4 + 2) / 3)
		return (0);
	for (i = 0; i < b->len; i++)
		if (strchr(
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		        "0123456789-_",
		        b->data[i]) == NULL)
			return (0);
	return (1);
}

static void
test_round_trips(void)
{
	unsigned char raw[64], *out;
	struct la_buf b;
	uint32_t seed = 0x2545f491;
	size_t n, i;
	ssize_t r;

	for (n = 0; n <= 64; n++) {
		for (i = 0; i < n; i++)
			raw[i] = (unsigned char)next(&seed);
		la_buf_init(&b);
		/* Appending keeps what the buffer already holds. */
		la_buf_puts(&b, "x");
		la_b64url_encode(&b, raw, n);
		ok(b.data[0] == 'x' && b.data[b.len] == '\0',
		    "encode appends and terminates, %zu bytes", n);
		la_buf_consume(&b, 1);
		ok(well_formed(&b, n), "encoding of %zu bytes is well formed",
		    n);
		r = decode(b.data != NULL ? b.data : "", b.len, &out);
		ok(r == (ssize_t)n && (n == 0 || memcmp(out, raw, n) == 0),
		    "round trip of %zu random bytes", n);
		free(out);
		la_buf_free(&b);
	}
}

/*
 * Every text of 2 and 3 characters that decodes must be the encoding of
 * what it decodes to: no two spellings of one value get through.
 */
static void
test_canonical(void)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char out[LA_B64URL_DECODED_MAX(3)];
	char in[3];
	struct la_buf b;
	size_t i, j, k, len, accepted = 0, bad = 0;
	ssize_t r;

	la_buf_init(&b);
	for (i = 0; i < 64; i++)
		for (j = 0; j < 64; j++)
			for (k = 0; k <= 64; k++) {
				in[0] = al[i];
				in[1] = al[j];
				len = k < 64 ? 3 : 2;
				if (k < 64)
					in[2] = al[k];
				if ((r = la_b64url_decode(in, len, out)) < 0)
					continue;
				accepted++;
				la_buf_reset(&b);
				la_b64url_encode(&b, out, (size_t)r);
				bad += b.len != len || memcmp(b.data, in, len);
			}
	la_buf_free(&b);
	is_int(bad, 0, "every accepted short text is canonical");
	/* 256 one-byte values and 65536 two-byte values, nothing else. */
	is_int(accepted, 256 + 65536, "one spelling per value");
}

int
main(void)
{
	test_vectors();
	test_rejects();
	test_round_trips();
	test_canonical();
	return (done_testing());
}
