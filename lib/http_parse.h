/*
 * Incremental HTTP/1.x request parser, our own. The head parser is
 * restartable: call it again with more bytes until it stops returning
 * LA_AGAIN (it keeps no state, so "again" means re-scanning a few hundred
 * bytes, cheaper than a state machine for heads this small). Everything
 * it returns is a view into the caller's buffer.
 */
#ifndef LA_HTTP_PARSE_H
#define LA_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "str.h"

#define LA_HTTP_MAX_HEADERS 64

struct la_http_header {
	struct la_str name, value;
};

struct la_http_req {
	struct la_str method;
	unsigned method_id;   /* LA_M_*, LA_M_OTHER for another token */
	struct la_str target; /* as sent: path and query, origin-form */
	struct la_str path;   /* target up to '?', still percent-encoded */
	struct la_str query;  /* after '?', without it; len 0 if none */
	int minor;            /* HTTP/1.<minor>: 0 or 1 */
	struct la_http_header headers[LA_HTTP_MAX_HEADERS];
	size_t nheaders;
	int64_t content_length; /* -1 when absent */
	int chunked;            /* Transfer-Encoding: chunked */
	int keepalive;          /* per version and Connection */
	int expect_continue;    /* Expect: 100-continue */
	struct la_str host;
};

/*
 * Parses the head at buf[0..len). Returns the head length (> 0, including
 * the blank line) when complete; LA_AGAIN when incomplete and still under
 * max_head bytes; LA_ERROR with *status set otherwise:
 *   400 malformed (bad request line, bad header syntax, obs-fold, CTLs,
 *       bare CR, absolute-form target, missing Host on 1.1, both
 *       Content-Length and Transfer-Encoding, bad or conflicting
 *       Content-Length)
 *   431 head larger than max_head, or more than LA_HTTP_MAX_HEADERS
 *   501 Transfer-Encoding other than "chunked"
 *   505 a version other than HTTP/1.0 and HTTP/1.1
 * Bare LF line ends are accepted (RFC 9112 allows it); bare CR is not.
 */
int la_http_parse_head(const char *buf, size_t len, size_t max_head,
    struct la_http_req *req, int *status);

/* Value of the first header with this name (ASCII case-insensitive). */
const struct la_str *la_http_header_n(const struct la_http_req *req,
    const char *name, size_t n);
/* Inline, so that a literal name's length is known when compiling. */
static inline const struct la_str *
la_http_header(const struct la_http_req *req, const char *name)
{
	return (la_http_header_n(req, name, strlen(name)));
}

/* Chunked body decoder state; zero it before the first call. */
struct la_http_chunked {
	int state;
	uint64_t remaining; /* bytes left in the current chunk */
	size_t total;       /* decoded so far */
	size_t line;        /* bytes of the current size/trailer line */
};

/*
 * Feeds in[0..len): decoded data is appended to out; *consumed gets the
 * number of input bytes used. Returns LA_OK once the last chunk and the
 * trailers are consumed (bytes after that belong to the next request),
 * LA_AGAIN for more input, LA_ERROR on bad syntax (400), or -3 when the
 * decoded size would pass max_body (413).
 */
#define LA_HTTP_TOO_LARGE (-3)
int la_http_chunked_feed(struct la_http_chunked *st, const char *in, size_t len,
    struct la_buf *out, size_t max_body, size_t *consumed);

#endif
