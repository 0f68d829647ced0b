/*
 * Fuzz target for the request head parser, the chunked decoder and query
 * splitting. With -fsanitize=fuzzer it is a libFuzzer target; with
 * -DLA_FUZZ_REPLAY it replays the files named on its command line and
 * prints TAP, which is how make check runs the corpus.
 *
 * Besides crashes it checks properties a sanitizer cannot see: views stay
 * inside the buffer, a strict prefix of a complete head is incomplete, and
 * the chunked decoder gives the same result however its input is split.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "http_parse.h"
#include "la.h"
#include "url.h"

#define FUZZ_MAX_HEAD 8192
#define FUZZ_MAX_BODY 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_inside(struct la_str v, const char *buf, size_t n)
{
	return (v.p >= buf && v.len <= n && (size_t)(v.p - buf) <= n - v.len);
}

static void
fuzz_check_req(const struct la_http_req *req, const char *buf, size_t n)
{
	size_t i;

	LA_ASSERT(n <= FUZZ_MAX_HEAD);
	LA_ASSERT(req->minor == 0 || req->minor == 1);
	LA_ASSERT(req->nheaders <= LA_HTTP_MAX_HEADERS);
	LA_ASSERT(req->method.len > 0 && fuzz_inside(req->method, buf, n));
	LA_ASSERT(req->target.len > 0 && req->target.p[0] == '/');
	LA_ASSERT(fuzz_inside(req->target, buf, n));
	LA_ASSERT(req->path.p == req->target.p);
	LA_ASSERT(fuzz_inside(req->query, buf, n));
	LA_ASSERT(fuzz_inside(req->host, buf, n));
	LA_ASSERT(!req->chunked || req->content_length == -1);
	LA_ASSERT(req->content_length >= -1);
	for (i = 0; i < req->nheaders; i++) {
		LA_ASSERT(req->headers[i].name.len > 0);
		LA_ASSERT(fuzz_inside(req->headers[i].name, buf, n));
		LA_ASSERT(fuzz_inside(req->headers[i].value, buf, n));
	}
	if (req->minor == 1)
		LA_ASSERT(la_http_header(req, "host") != NULL);
}

static uint64_t
fuzz_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

/* Feeds the body in pieces of pseudo-random size; *used gets the input
 * consumed. */
static int
fuzz_chunked(const char *in, size_t len, uint64_t seed, struct la_buf *out,
    size_t *used)
{
	struct la_http_chunked st;
	size_t off = 0, n, got;
	int rc = LA_AGAIN;

	memset(&st, 0, sizeof(st));
	while (rc == LA_AGAIN && off < len) {
		n = seed == 0 ? len - off : 1 + fuzz_next(&seed) % 17;
		if (n > len - off)
			n = len - off;
		rc = la_http_chunked_feed(&st, in + off, n, out, FUZZ_MAX_BODY,
		    &got);
		LA_ASSERT(got <= n);
		LA_ASSERT(rc != LA_AGAIN || got == n);
		off += got;
	}
	LA_ASSERT(st.total <= FUZZ_MAX_BODY);
	*used = off;
	return (rc);
}

/* Whole, then split: both must decode the same bytes to the same end. */
static void
fuzz_body(const char *in, size_t len, uint64_t seed)
{
	struct la_buf a, b;
	size_t ua, ub;
	int ra, rb;

	la_buf_init(&a);
	la_buf_init(&b);
	ra = fuzz_chunked(in, len, 0, &a, &ua);
	rb = fuzz_chunked(in, len, seed | 1, &b, &ub);
	LA_ASSERT(ra == rb);
	if (ra == LA_OK || ra == LA_AGAIN) {
		LA_ASSERT(ua == ub);
		LA_ASSERT(a.len == b.len);
		LA_ASSERT(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
	}
	la_buf_free(&a);
	la_buf_free(&b);
}

/* Encoding then decoding gives back the bytes, with either '+' rule. */
static void
fuzz_round_trip(struct la_arena *a, const char *s, size_t n)
{
	struct la_buf b;
	char *d;

	la_buf_init(&b);
	la_url_encode(&b, s, n);
	d = la_arena_alloc(a, b.len + 1);
	LA_ASSERT(la_url_decode(b.data, b.len, d, 1) == (ssize_t)n);
	LA_ASSERT(n == 0 || memcmp(d, s, n) == 0);
	LA_ASSERT(la_url_decode(b.data, b.len, d, 0) == (ssize_t)n);
	LA_ASSERT(n == 0 || memcmp(d, s, n) == 0);
	la_buf_free(&b);
}

static void
fuzz_query(struct la_str q, struct la_str path)
{
	struct la_arena *a = la_arena_new(4096);
	struct la_qparam *p;
	char *d;
	int i, n;

	n = la_url_query_parse(q.p, q.len, a, &p);
	for (i = 0; i < n; i++) {
		LA_ASSERT(strlen(p[i].key) == p[i].klen);
		LA_ASSERT(strlen(p[i].value) == p[i].vlen);
		fuzz_round_trip(a, p[i].key, p[i].klen);
		fuzz_round_trip(a, p[i].value, p[i].vlen);
	}
	d = la_arena_alloc(a, path.len + 1);
	LA_ASSERT(la_url_decode(path.p, path.len, d, 0) <= (ssize_t)path.len);
	la_arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct la_http_req req, again;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int n, status = 0;
	size_t i;

	n = la_http_parse_head(buf, size, FUZZ_MAX_HEAD, &req, &status);
	if (n == LA_ERROR)
		LA_ASSERT(status == 400 || status == 431 || status == 501 ||
		          status == 505);
	if (n <= 0)
		return (0);
	LA_ASSERT((size_t)n <= size);
	fuzz_check_req(&req, buf, (size_t)n);
	fuzz_query(req.query, req.path);
	LA_ASSERT(la_http_parse_head(buf, (size_t)n - 1, FUZZ_MAX_HEAD, &again,
	              &status) == LA_AGAIN);
	if (!req.chunked)
		return (0);
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	fuzz_body(buf + n, size - (size_t)n, seed);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
