/*
 * BLAKE2b-512 (RFC 7693, section 3), see blake2b.h.
 */
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define B2_AVX2 1
#endif

#include "blake2b.h"

static const uint64_t b2_iv[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL,
    0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL,
    0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

/* The message schedule; rounds 10 and 11 reuse rows 0 and 1. */
static const uint8_t b2_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

typedef void b2_compress_fn(uint64_t h[8], const uint64_t m[16], uint64_t t,
    int last);

static uint64_t
b2_rotr(uint64_t x, int n)
{
	return ((x >> n) | (x << (64 - n)));
}

#define B2_G(a, b, c, d, x, y)                                                 \
	do {                                                                   \
		v[a] = v[a] + v[b] + (x);                                      \
		v[d] = b2_rotr(v[d] ^ v[a], 32);                               \
		v[c] = v[c] + v[d];                                            \
		v[b] = b2_rotr(v[b] ^ v[c], 24);                               \
		v[a] = v[a] + v[b] + (y);                                      \
		v[d] = b2_rotr(v[d] ^ v[a], 16);                               \
		v[c] = v[c] + v[d];                                            \
		v[b] = b2_rotr(v[b] ^ v[c], 63);                               \
	} while (0)

/* t: the bytes so far (a body never reaches 2^64, so the high word of
 * the 128-bit counter stays 0). */
static void
b2_compress_portable(uint64_t h[8], const uint64_t m[16], uint64_t t, int last)
{
	uint64_t v[16];
	const uint8_t *s;
	int r, i;

	for (i = 0; i < 8; i++) {
		v[i] = h[i];
		v[i + 8] = b2_iv[i];
	}
	v[12] ^= t;
	if (last)
		v[14] = ~v[14];
	for (r = 0; r < 12; r++) {
		s = b2_sigma[r];
		B2_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
		B2_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
		B2_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
		B2_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
		B2_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
		B2_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
		B2_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
		B2_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
	}
	for (i = 0; i < 8; i++)
		h[i] ^= v[i] ^ v[i + 8];
}

#ifdef B2_AVX2
/*
 * Rows of the 4x4 state as vectors: G on the four columns at once, then
 * the rows rotated so that the diagonals are columns, G again, and back.
 */
#define B2_ROTR32(x) _mm256_shuffle_epi32((x), _MM_SHUFFLE(2, 3, 0, 1))
#define B2_ROTR24(x) _mm256_shuffle_epi8((x), r24)
#define B2_ROTR16(x) _mm256_shuffle_epi8((x), r16)
#define B2_ROTR63(x)                                                           \
	_mm256_or_si256(_mm256_srli_epi64((x), 63), _mm256_add_epi64((x), (x)))
#define B2_VG(x, y)                                                            \
	do {                                                                   \
		a = _mm256_add_epi64(_mm256_add_epi64(a, b), (x));             \
		d = B2_ROTR32(_mm256_xor_si256(d, a));                         \
		c = _mm256_add_epi64(c, d);                                    \
		b = B2_ROTR24(_mm256_xor_si256(b, c));                         \
		a = _mm256_add_epi64(_mm256_add_epi64(a, b), (y));             \
		d = B2_ROTR16(_mm256_xor_si256(d, a));                         \
		c = _mm256_add_epi64(c, d);                                    \
		b = B2_ROTR63(_mm256_xor_si256(b, c));                         \
	} while (0)
/* b2_sigma regrouped as each round's four message vectors: one gather
 * fetches a vector's words. */
static int32_t b2_gidx[12][16];

static void
b2_gather_init(void)
{
	static const int order[16] = {0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9,
	    11, 13, 15};
	int r, i;

	for (r = 0; r < 12; r++)
		for (i = 0; i < 16; i++)
			b2_gidx[r][i] = b2_sigma[r][order[i]];
}

#define B2_M(k)                                                                \
	_mm256_i32gather_epi64((const long long *)(const void *)m,             \
	    _mm_loadu_si128((const __m128i *)(const void *)(g + 4 * (k))), 8)

__attribute__((target("avx2"))) static void
b2_compress_avx2(uint64_t h[8], const uint64_t m[16], uint64_t t, int last)
{
	const __m256i r24 =
	    _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9,
	        10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
	const __m256i r16 =
	    _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8,
	        9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
	const __m256i h0 = _mm256_loadu_si256((const __m256i *)(const void *)h);
	const __m256i h1 =
	    _mm256_loadu_si256((const __m256i *)(const void *)(h + 4));
	__m256i a = h0, b = h1, c, d;
	const int32_t *g;
	int r;

	c = _mm256_loadu_si256((const __m256i *)(const void *)b2_iv);
	d = _mm256_xor_si256(
	    _mm256_loadu_si256((const __m256i *)(const void *)(b2_iv + 4)),
	    _mm256_set_epi64x(0, last ? -1LL : 0, 0, (long long)t));
	for (r = 0; r < 12; r++) {
		g = b2_gidx[r];
		B2_VG(B2_M(0), B2_M(1));
		b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
		c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
		d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
		B2_VG(B2_M(2), B2_M(3));
		b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
		c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
		d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
	}
	_mm256_storeu_si256((__m256i *)(void *)h,
	    _mm256_xor_si256(h0, _mm256_xor_si256(a, c)));
	_mm256_storeu_si256((__m256i *)(void *)(h + 4),
	    _mm256_xor_si256(h1, _mm256_xor_si256(b, d)));
}
#endif

/* Little-endian words of a block; a short last block is zero-padded. */
static void
b2_words(uint64_t m[16], const unsigned char *p, size_t n)
{
	unsigned char blk[128];
	int i, j;

	if (n < 128) {
		memset(blk, 0, sizeof(blk));
		if (n > 0)
			memcpy(blk, p, n);
		p = blk;
	}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	(void)i;
	(void)j;
	memcpy(m, p, 128);
#else
	for (i = 0; i < 16; i++) {
		m[i] = 0;
		for (j = 7; j >= 0; j--)
			m[i] = (m[i] << 8) | p[8 * i + j];
	}
#endif
}

static void
b2_run(b2_compress_fn *compress, void *out, size_t outlen, const void *in,
    size_t len)
{
	const unsigned char *p = in;
	unsigned char md[LA_BLAKE2B_MAX];
	uint64_t h[8], m[16], t = 0;
	int i;

	if (outlen > LA_BLAKE2B_MAX)
		outlen = LA_BLAKE2B_MAX;
	memcpy(h, b2_iv, sizeof(h));
	/* Parameter block: no key, a 64-byte digest, fanout and depth 1. */
	h[0] ^= 0x01010000ULL ^ LA_BLAKE2B_MAX;
	/* Every full block but the last; the last (or an empty input's
	 * only block) is marked final. */
	while (len > 128) {
		b2_words(m, p, 128);
		t += 128;
		compress(h, m, t, 0);
		p += 128;
		len -= 128;
	}
	b2_words(m, p, len);
	t += len;
	compress(h, m, t, 1);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	(void)i;
	(void)md;
	memcpy(out, h, outlen);
#else
	for (i = 0; i < 64; i++)
		md[i] = (unsigned char)(h[i / 8] >> (8 * (i % 8)));
	memcpy(out, md, outlen);
#endif
}

void
la_blake2b_portable(void *out, size_t outlen, const void *in, size_t len)
{
	b2_run(b2_compress_portable, out, outlen, in, len);
}

void
la_blake2b(void *out, size_t outlen, const void *in, size_t len)
{
#ifdef B2_AVX2
	static int avx2 = -1;

	if (avx2 < 0) {
		b2_gather_init();
		avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	if (avx2) {
		b2_run(b2_compress_avx2, out, outlen, in, len);
		return;
	}
#endif
	b2_run(b2_compress_portable, out, outlen, in, len);
}
