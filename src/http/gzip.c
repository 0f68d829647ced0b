/*
 * Response compression (see gzip.h). One deflate stream per process,
 * reset between responses, so a response pays for compressing and not
 * for setting zlib up. Level 1: JSON shrinks most of what it will at the
 * fastest level, and uncached answers are compressed on every request.
 */
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "la.h"
#include "acceptenc.h"
#include "arena.h"
#include "gzip.h"
#include "log.h"
#include "pipeline.h"

#define GZIP_LEVEL 1

static z_stream gzip_zs;
static int gzip_ready;

int
la_gzip_wanted(const struct la_req *r)
{
	const struct la_str *ae;

	if (r->head_only ||
	    !la_conf_has_middleware(r->ctx->conf, "GzipMiddleware") ||
	    (ae = la_http_header(r->http, "Accept-Encoding")) == NULL)
		return (0);
	return (la_acceptenc_gzip(ae->p, ae->len));
}

static int
gzip_stream(void)
{
	if (gzip_ready)
		return (deflateReset(&gzip_zs) == Z_OK ? 0 : -1);
	memset(&gzip_zs, 0, sizeof(gzip_zs));
	/* 15 + 16: a gzip wrapper around a 32K window. */
	if (deflateInit2(&gzip_zs, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8,
	        Z_DEFAULT_STRATEGY) != Z_OK) {
		la_log(LA_LOG_ERR, "zlib: deflateInit2 failed");
		return (-1);
	}
	gzip_ready = 1;
	return (0);
}

/* body[0..len) compressed into arena memory; NULL when it would not
 * shrink or zlib failed. */
static unsigned char *
gzip_compress(struct la_arena *a, const char *body, size_t len, size_t *out)
{
	unsigned char *dst;
	uLong cap;

	if (gzip_stream() != 0)
		return (NULL);
	cap = deflateBound(&gzip_zs, (uLong)len);
	dst = la_arena_alloc(a, cap);
	gzip_zs.next_in = (Bytef *)(uintptr_t)body;
	gzip_zs.avail_in = (uInt)len;
	gzip_zs.next_out = dst;
	gzip_zs.avail_out = (uInt)cap;
	if (deflate(&gzip_zs, Z_FINISH) != Z_STREAM_END)
		return (NULL);
	*out = (size_t)gzip_zs.total_out;
	return (*out < len ? dst : NULL);
}

/* "tag" → "tag-gz", W/"tag" → W/"tag-gz". */
static void
gzip_etag(struct la_req *r)
{
	const char *tag = la_resp_header_get(&r->resp, "ETag");
	size_t n;
	char *v;

	if (tag == NULL || (n = strlen(tag)) < 2 || tag[n - 1] != '"')
		return;
	v = la_arena_alloc(r->a, n + 4);
	memcpy(v, tag, n - 1);
	memcpy(v + n - 1, "-gz\"", 5);
	la_resp_header_set(&r->resp, "ETag", v);
}

int
la_gzip_filter(struct la_req *r)
{
	struct la_resp *p = &r->resp;
	unsigned char *z;
	size_t zlen;

	if (p->no_body || p->status < 200 || p->status == 204 ||
	    p->status == 304 ||
	    la_resp_header_get(p, "Content-Encoding") != NULL ||
	    p->body->len < (size_t)r->ctx->conf->gzip.min_length ||
	    p->body->len == 0)
		return (LA_PHASE_NEXT);
	/* What a client that does not take gzip is sent is still chosen
	 * by Accept-Encoding: shared caches must know. */
	la_resp_header(p, "Vary", "Accept-Encoding");
	if (!la_gzip_wanted(r) || (z = gzip_compress(r->a, p->body->data,
	                               p->body->len, &zlen)) == NULL)
		return (LA_PHASE_NEXT);
	la_buf_reset(p->body);
	la_buf_append(p->body, (const char *)z, zlen);
	la_resp_header(p, "Content-Encoding", "gzip");
	gzip_etag(r);
	return (LA_PHASE_NEXT);
}

int
la_gzip_not_modified(struct la_req *r)
{
	struct la_resp *p = &r->resp;
	size_t i, j = 0;

	if (p->status != 304)
		return (LA_PHASE_NEXT);
	for (i = 0; i < p->nh; i++)
		if (strcasecmp(p->h[i].name, "Content-Encoding") != 0)
			p->h[j++] = p->h[i];
	p->nh = j;
	return (LA_PHASE_NEXT);
}
