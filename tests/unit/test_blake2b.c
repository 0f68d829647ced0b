/*
 * BLAKE2b against RFC 7693's example and against the crypto library's
 * BLAKE2B-512, for every length around the block boundaries and a few
 * long inputs, on both the dispatched (vector) and the portable path.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "blake2b.h"
#include "tap.h"

static void
hex(char *out, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static int
library(unsigned char md[64], const unsigned char *in, size_t len)
{
	unsigned int n = 0;

	return (EVP_Digest(in, len, md, &n, EVP_blake2b512(), NULL) == 1 &&
	        n == 64);
}

static void
test_rfc(void)
{
	unsigned char md[64];
	char h[129];

	la_blake2b(md, sizeof(md), "abc", 3);
	hex(h, md, sizeof(md));
	is_str(h,
	    "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
	    "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
	    "RFC 7693 appendix A: BLAKE2b-512(\"abc\")");
	la_blake2b_portable(md, sizeof(md), "abc", 3);
	hex(h, md, sizeof(md));
	is_str(h,
	    "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
	    "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
	    "the portable path agrees");
}

static void
test_lengths(void)
{
	static unsigned char in[5000];
	static const size_t longs[] = {1023, 1024, 1025, 3200, 5000};
	unsigned char want[64], fast[64], port[64];
	size_t len, i;
	int bad = 0, nolib = 0;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
	for (len = 0; len <= 520 + sizeof(longs) / sizeof(longs[0]); len++) {
		size_t n = len <= 520 ? len : longs[len - 521];

		if (!library(want, in, n)) {
			nolib++;
			continue;
		}
		la_blake2b(fast, sizeof(fast), in, n);
		la_blake2b_portable(port, sizeof(port), in, n);
		if (memcmp(want, fast, 64) != 0 ||
		    memcmp(want, port, 64) != 0) {
			diag("length %zu differs", n);
			bad++;
		}
	}
	ok(nolib == 0, "the library has BLAKE2B-512");
	ok(bad == 0, "lengths 0 to 520 and five long ones match the library");
}

static void
test_truncated(void)
{
	unsigned char full[64], part[16], over[64 + 8];

	memset(over, 0xee, sizeof(over));
	la_blake2b(full, sizeof(full), "lightapid", 9);
	la_blake2b(part, sizeof(part), "lightapid", 9);
	ok(memcmp(full, part, sizeof(part)) == 0,
	    "a shorter digest is the full one's first bytes");
	la_blake2b(over, sizeof(over), "lightapid", 9);
	ok(memcmp(full, over, 64) == 0 && over[64] == 0xee,
	    "more than 64 bytes asked: 64 written, nothing beyond");
}

int
main(void)
{
	test_rfc();
	test_lengths();
	test_truncated();
	return (done_testing());
}
