/*
 * HTTP/1.x request head parser and chunked body decoder (see http_parse.h).
 *
 * The head parser keeps no state between calls and re-scans from the
 * start: heads are a few hundred bytes, so a resumable state machine would
 * cost more than it saves. It checks every byte once, in a forward scan
 * driven by a class table, and stops at the first byte it cannot accept,
 * so garbage is refused before the rest of it arrives. Everything that
 * could let two parsers disagree on where a request ends (request
 * smuggling) is an error rather than a guess.
 *
 * The chunked decoder does keep state, since a body can be large and a
 * read may end at any byte.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "http_parse.h"
#include "la.h"

#define HTTP_TOKEN 0x01 /* RFC 9110 tchar */
#define HTTP_VCHAR 0x02 /* VCHAR or obs-text: target and version */
#define HTTP_FIELD 0x04 /* field-value bytes: VCHAR, obs-text, SP, HTAB */
#define HTTP_HOST  0x08 /* Host bytes, see http_parse_host_ok */

#define HTTP_CLS(c) (http_parse_cls[(unsigned char)(c)])

/* Internal result: 0, this, or the HTTP status of the error. */
#define HTTP_INCOMPLETE LA_AGAIN

/* Chunk-size and trailer lines, and all trailers together. */
#define HTTP_CHUNK_LINE_MAX    4096
#define HTTP_CHUNK_TRAILER_MAX 16384

static const unsigned char http_parse_cls[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0,                /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                /* 0x10 */
    4, 15, 6, 7, 15, 15, 15, 15, 14, 14, 15, 15, 14, 15, 15, 6,    /* 0x20 */
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 14, 6, 14, 6, 6,   /* 0x30 */
    6, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, /* 0x40 */
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 6, 14, 7, 15,  /* 0x50 */
    7, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, /* 0x60 */
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 6, 7, 6, 15, 0,    /* 0x70 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,                /* 0x80 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,                /* 0x90 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,                /* 0xa0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,                /* 0xb0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,                /* 0xc0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,                /* 0xd0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,                /* 0xe0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,                /* 0xf0 */
};

struct http_parse_ctx {
	const char *p, *end; /* end is min(len, max_head) */
	struct la_http_req *req;
	int hosts;      /* Host fields seen */
	int te;         /* Transfer-Encoding fields seen */
	int te_chunked; /* "chunked" codings listed */
	int te_other;   /* other codings listed */
	int te_last_ok; /* the last coding listed is "chunked" */
	int conn_close, conn_keep;
	int expect;
};

enum {
	HTTP_CH_SIZE0,    /* start of a chunk-size line, no digit yet */
	HTTP_CH_SIZE,     /* in the hex digits */
	HTTP_CH_BWS,      /* after the digits, before ';' or the line end */
	HTTP_CH_EXT,      /* chunk extensions, ignored */
	HTTP_CH_SIZE_LF,  /* CR seen at the end of the size line */
	HTTP_CH_DATA,     /* chunk data */
	HTTP_CH_DATA_CR,  /* CRLF after the data */
	HTTP_CH_DATA_LF,  /* ... its LF */
	HTTP_CH_TRAILER,  /* start of a trailer line */
	HTTP_CH_TLINE,    /* in a trailer line, ignored */
	HTTP_CH_TLINE_LF, /* CR seen at the end of a trailer line */
	HTTP_CH_END_LF,   /* CR of the final empty line seen */
	HTTP_CH_DONE
};

/* The first byte from p on (before end) outside the class: a local
 * pointer, so the scan stays in registers. */
static inline const char *
http_span(const char *p, const char *end, unsigned char cls)
{
	while (p < end && (HTTP_CLS(*p) & cls))
		p++;
	return (p);
}

#ifdef __SSE2__
/*
 * The same for a target (VCHAR) or a field value (VCHAR, SP, HTAB),
 * sixteen bytes at a time while that many remain: the bytes that end
 * them are controls (at most 0x1f, or SP for a target), DEL, and for a
 * field value never HTAB. Bytes from 0x80 belong to both.
 */
static inline const char *
http_span16(const char *p, const char *end, int field)
{
	const __m128i low = _mm_set1_epi8(field ? 0x1f : 0x20);
	const __m128i del = _mm_set1_epi8(0x7f), tab = _mm_set1_epi8('\t');
	__m128i x, stop;
	unsigned m;

	for (; end - p >= 16; p += 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)p);
		stop = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, low), x),
		    _mm_cmpeq_epi8(x, del));
		if (field)
			stop = _mm_andnot_si128(_mm_cmpeq_epi8(x, tab), stop);
		if ((m = (unsigned)_mm_movemask_epi8(stop)) != 0)
			return (p + __builtin_ctz(m));
	}
	return (http_span(p, end, field ? HTTP_FIELD : HTTP_VCHAR));
}
#else
static inline const char *
http_span16(const char *p, const char *end, int field)
{
	return (http_span(p, end, field ? HTTP_FIELD : HTTP_VCHAR));
}
#endif

/* A line end, CRLF or bare LF. A CR not followed by LF is an error. */
static int
http_parse_eol(struct http_parse_ctx *c)
{
	if (c->p == c->end)
		return (HTTP_INCOMPLETE);
	if (*c->p == '\n') {
		c->p++;
		return (0);
	}
	if (*c->p != '\r')
		return (400);
	if (c->end - c->p < 2)
		return (HTTP_INCOMPLETE);
	if (c->p[1] != '\n')
		return (400);
	c->p += 2;
	return (0);
}

/* RFC 9112 2.2: empty lines before the request line are ignored, since
 * some clients send a CRLF after a POST body. */
static int
http_parse_skip_empty(struct http_parse_ctx *c)
{
	int rc;

	while (c->p < c->end && (*c->p == '\r' || *c->p == '\n'))
		if ((rc = http_parse_eol(c)) != 0)
			return (rc);
	return (0);
}

static int
http_parse_method(struct http_parse_ctx *c)
{
	const char *s = c->p;
	unsigned id;

	c->p = http_span(c->p, c->end, HTTP_TOKEN);
	if (c->p == c->end)
		return (HTTP_INCOMPLETE);
	if (*c->p != ' ' || c->p == s)
		return (400);
	c->req->method.p = s;
	c->req->method.len = (size_t)(c->p - s);
	id = la_verb_parse(s, c->req->method.len);
	c->req->method_id = id != 0 ? id : LA_M_OTHER;
	c->p++;
	return (0);
}

/* Origin-form only: absolute-form and '*' are refused at the first byte. */
static int
http_parse_target(struct http_parse_ctx *c)
{
	struct la_http_req *req = c->req;
	const char *s = c->p, *q;

	if (c->p < c->end && *c->p != '/')
		return (400);
	c->p = http_span16(c->p, c->end, 0);
	if (c->p == c->end)
		return (HTTP_INCOMPLETE);
	if (*c->p != ' ' || c->p == s)
		return (400);
	req->target.p = s;
	req->target.len = (size_t)(c->p - s);
	req->path = req->target;
	if ((q = memchr(s, '?', req->target.len)) != NULL) {
		req->path.len = (size_t)(q - s);
		req->query.p = q + 1;
		req->query.len = req->target.len - req->path.len - 1;
	}
	c->p++;
	return (0);
}

static int
http_parse_version(struct http_parse_ctx *c)
{
	const char *s = c->p;

	c->p = http_span(c->p, c->end, HTTP_VCHAR);
	if (c->p == c->end)
		return (HTTP_INCOMPLETE);
	if (*c->p != '\r' && *c->p != '\n')
		return (400);
	if (c->p - s != 8 || memcmp(s, "HTTP/", 5) != 0 || s[5] < '0' ||
	    s[5] > '9' || s[6] != '.' || s[7] < '0' || s[7] > '9')
		return (400);
	/* A later 1.x is answered as 1.1, the highest we speak (RFC 9110
	 * 2.5); another major version is not HTTP/1. */
	if (s[5] != '1')
		return (505);
	c->req->minor = s[7] > '1' ? 1 : s[7] - '0';
	return (http_parse_eol(c));
}

/* Digits only: a sign, a list or spaces inside could be read differently
 * by a proxy in front of us. */
static int
http_parse_content_length(struct la_http_req *req, struct la_str v)
{
	int64_t n = 0;
	size_t i;
	int d;

	if (v.len == 0)
		return (400);
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return (400);
		d = v.p[i] - '0';
		/* A well-formed length past 2^63-1 is just too large: it
		 * saturates, and the body limit answers 413 (RFC 9110 8.6). */
		n = n > (INT64_MAX - d) / 10 ? INT64_MAX : n * 10 + d;
	}
	if (req->content_length >= 0 && req->content_length != n)
		return (400);
	req->content_length = n;
	return (0);
}

static void
http_parse_connection(struct http_parse_ctx *c, struct la_str v)
{
	const char *p = v.p, *end = v.p + v.len, *comma;
	struct la_str t;

	for (;;) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		t.p = p;
		t.len = (size_t)(comma - p);
		t = la_str_trim(t);
		if (la_str_caseeq(t, "close"))
			c->conn_close = 1;
		else if (la_str_caseeq(t, "keep-alive"))
			c->conn_keep = 1;
		if (comma == end)
			break;
		p = comma + 1;
	}
}

/*
 * A Host value is uri-host [":" port] (RFC 9112 3.2): anything else gets
 * 400, so that no quote, bracket or space of it can reach the links of a
 * paginated list. Empty is allowed (an empty authority).
 */
/*
 * Host bytes: letters, digits and "-._~!$&'()*+,;=%:[]" (RFC 3986
 * reg-name, IP literals, port), a bit of the class table.
 */
static int
http_parse_host_ok(struct la_str v)
{
	size_t i;

	for (i = 0; i < v.len; i++)
		if (!(HTTP_CLS(v.p[i]) & HTTP_HOST))
			return (0);
	return (1);
}

static void
http_parse_te(struct http_parse_ctx *c, struct la_str v)
{
	const char *p = v.p, *end = v.p + v.len, *comma;
	struct la_str t;

	c->te++;
	for (; p <= end; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		t = la_str_trim((struct la_str){p, (size_t)(comma - p)});
		if (t.len > 0) {
			c->te_last_ok = la_str_caseeq(t, "chunked");
			if (c->te_last_ok)
				c->te_chunked++;
			else
				c->te_other++;
		}
		if (comma == end)
			break;
	}
}

/* Names are told apart by length first: most fields match none. */
static int
http_parse_field(struct http_parse_ctx *c, const struct la_http_header *h)
{
	const char *n = h->name.p;

	switch (h->name.len) {
	case 4:
		if ((n[0] | 0x20) == 'h' && (n[1] | 0x20) == 'o' &&
		    (n[2] | 0x20) == 's' && (n[3] | 0x20) == 't') {
			c->hosts++;
			c->req->host = h->value;
			if (!http_parse_host_ok(h->value))
				return (400);
		}
		break;
	case 6:
		if (strncasecmp(n, "expect", 6) == 0 &&
		    la_str_caseeq(h->value, "100-continue"))
			c->expect = 1;
		break;
	case 10:
		if (strncasecmp(n, "connection", 10) == 0)
			http_parse_connection(c, h->value);
		break;
	case 14:
		if (strncasecmp(n, "content-length", 14) == 0)
			return (http_parse_content_length(c->req, h->value));
		break;
	case 17:
		if (strncasecmp(n, "transfer-encoding", 17) == 0)
			http_parse_te(c, h->value);
		break;
	}
	return (0);
}

/*
 * One header line, or the empty line that ends the head (*done set).
 * No whitespace is allowed before the colon (RFC 9112 5.1) and a line
 * starting with whitespace is obs-fold: both are smuggling vectors.
 */
static int
http_parse_header(struct http_parse_ctx *c, int *done)
{
	struct la_http_req *req = c->req;
	struct la_http_header *h;
	const char *s = c->p, *v, *e;
	int rc;

	if (c->p == c->end)
		return (HTTP_INCOMPLETE);
	if (*c->p == '\r' || *c->p == '\n') {
		rc = http_parse_eol(c);
		*done = rc == 0;
		return (rc);
	}
	if (req->nheaders == LA_HTTP_MAX_HEADERS)
		return (431);
	c->p = http_span(c->p, c->end, HTTP_TOKEN);
	if (c->p == c->end)
		return (HTTP_INCOMPLETE);
	if (*c->p != ':' || c->p == s)
		return (400);
	h = &req->headers[req->nheaders];
	h->name.p = s;
	h->name.len = (size_t)(c->p - s);
	for (c->p++; c->p < c->end && (*c->p == ' ' || *c->p == '\t');)
		c->p++;
	v = c->p;
	c->p = http_span16(c->p, c->end, 1);
	/* Leading whitespace was skipped above: only trailing is left. */
	for (e = c->p; e > v && (e[-1] == ' ' || e[-1] == '\t');)
		e--;
	h->value.p = v;
	h->value.len = (size_t)(e - v);
	if ((rc = http_parse_eol(c)) != 0)
		return (rc);
	req->nheaders++;
	return (http_parse_field(c, h));
}

/*
 * Checks that need the whole head. HTTP/1.0 has no chunked coding, so a
 * Transfer-Encoding there means broken framing (RFC 9112 6.1). The body's
 * length is known only when "chunked" is the last coding and appears once
 * (6.3: 400 otherwise); a coding before it that we do not decode, such as
 * gzip, is 501.
 */
static int
http_parse_finish(struct http_parse_ctx *c)
{
	struct la_http_req *req = c->req;

	if (c->hosts > 1 || (req->minor == 1 && c->hosts == 0))
		return (400);
	if (c->te > 0 && (req->content_length >= 0 || req->minor == 0))
		return (400);
	if (c->te > 0 && (!c->te_last_ok || c->te_chunked != 1))
		return (400);
	if (c->te_other > 0)
		return (501);
	req->chunked = c->te > 0;
	if (req->minor == 1)
		req->keepalive = !c->conn_close;
	else
		req->keepalive = c->conn_keep && !c->conn_close;
	/* An HTTP/1.0 client would not understand 100 (RFC 9110 10.1.1). */
	req->expect_continue = c->expect && req->minor == 1;
	return (0);
}

static int
http_parse_run(struct http_parse_ctx *c)
{
	int done = 0, rc;

	if ((rc = http_parse_skip_empty(c)) != 0 ||
	    (rc = http_parse_method(c)) != 0 ||
	    (rc = http_parse_target(c)) != 0 ||
	    (rc = http_parse_version(c)) != 0)
		return (rc);
	while (!done)
		if ((rc = http_parse_header(c, &done)) != 0)
			return (rc);
	return (http_parse_finish(c));
}

static void
http_parse_init(struct http_parse_ctx *c, const char *buf, size_t n,
    struct la_http_req *req)
{
	memset(c, 0, sizeof(*c));
	c->p = buf;
	c->end = buf + n;
	c->req = req;
	req->method.p = req->target.p = req->path.p = req->query.p = buf;
	req->method.len = req->target.len = req->path.len = 0;
	req->query.len = 0;
	req->host = req->query;
	req->method_id = 0;
	req->minor = 0;
	req->nheaders = 0;
	req->content_length = -1;
	req->chunked = req->keepalive = req->expect_continue = 0;
}

/*
 * Only the first max_head bytes are looked at: a head that has not ended
 * by then is too large, complete or not, and bytes past it may be a body
 * or a pipelined request.
 */
int
la_http_parse_head(const char *buf, size_t len, size_t max_head,
    struct la_http_req *req, int *status)
{
	struct http_parse_ctx c;
	size_t n;
	int rc;

	if (max_head > INT32_MAX)
		max_head = INT32_MAX;
	n = len < max_head ? len : max_head;
	http_parse_init(&c, buf, n, req);
	rc = http_parse_run(&c);
	if (rc == 0)
		return ((int)(c.p - buf));
	if (rc == HTTP_INCOMPLETE && len < max_head)
		return (LA_AGAIN);
	*status = rc == HTTP_INCOMPLETE ? 431 : rc;
	return (LA_ERROR);
}

const struct la_str *
la_http_header_n(const struct la_http_req *req, const char *name, size_t n)
{
	/* Several lookups per request, most of them for absent fields: the
	 * length is compared before any bytes are. */
	const struct la_str *h;
	size_t i;

	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i].name;
		if (h->len == n && (h->p[0] | 0x20) == (name[0] | 0x20) &&
		    strncasecmp(h->p, name, n) == 0)
			return (&req->headers[i].value);
	}
	return (NULL);
}

/* End of a size line: the size is checked against max_body before any of
 * the data is read. */
static int
http_parse_chunk_start(struct la_http_chunked *st, size_t max_body)
{
	st->line = 0;
	if (st->remaining == 0) {
		st->state = HTTP_CH_TRAILER;
		return (LA_AGAIN);
	}
	if (st->total > max_body || st->remaining > max_body - st->total)
		return (LA_HTTP_TOO_LARGE);
	st->state = HTTP_CH_DATA;
	return (LA_AGAIN);
}

/* After the digits: BWS, then extensions after ';', then the line end. */
static int
http_parse_chunk_ext(struct la_http_chunked *st, char ch, size_t max_body)
{
	if (ch == '\r') {
		st->state = HTTP_CH_SIZE_LF;
		return (LA_AGAIN);
	}
	if (ch == '\n')
		return (http_parse_chunk_start(st, max_body));
	if (st->state == HTTP_CH_EXT && (HTTP_CLS(ch) & HTTP_FIELD))
		return (LA_AGAIN);
	if (ch == ';')
		st->state = HTTP_CH_EXT;
	else if (ch != ' ' && ch != '\t')
		return (LA_ERROR);
	return (LA_AGAIN);
}

static int
http_parse_chunk_size(struct la_http_chunked *st, char ch, size_t max_body)
{
	int d;

	if (++st->line > HTTP_CHUNK_LINE_MAX)
		return (LA_ERROR);
	if (st->state == HTTP_CH_SIZE_LF)
		return (ch == '\n' ? http_parse_chunk_start(st, max_body)
		                   : LA_ERROR);
	if (st->state == HTTP_CH_SIZE0 || st->state == HTTP_CH_SIZE) {
		if ((d = la_str_hexval(ch)) >= 0) {
			if (st->remaining > (UINT64_MAX >> 4))
				return (LA_ERROR);
			st->remaining = st->remaining << 4 | (uint64_t)d;
			st->state = HTTP_CH_SIZE;
			return (LA_AGAIN);
		}
		if (st->state == HTTP_CH_SIZE0)
			return (LA_ERROR);
		st->state = HTTP_CH_BWS;
	}
	return (http_parse_chunk_ext(st, ch, max_body));
}

/*
 * Trailer fields are read and dropped. While they are read, remaining
 * (otherwise zero at this point) counts their total size.
 */
static int
http_parse_chunk_trailer(struct la_http_chunked *st, char ch)
{
	if (++st->line > HTTP_CHUNK_LINE_MAX ||
	    ++st->remaining > HTTP_CHUNK_TRAILER_MAX)
		return (LA_ERROR);
	if (st->state == HTTP_CH_TLINE_LF || st->state == HTTP_CH_END_LF) {
		if (ch != '\n')
			return (LA_ERROR);
		st->state = st->state == HTTP_CH_END_LF ? HTTP_CH_DONE
		                                        : HTTP_CH_TRAILER;
	} else if (ch == '\r') {
		st->state = st->state == HTTP_CH_TRAILER ? HTTP_CH_END_LF
		                                         : HTTP_CH_TLINE_LF;
	} else if (ch == '\n') {
		st->state = st->state == HTTP_CH_TRAILER ? HTTP_CH_DONE
		                                         : HTTP_CH_TRAILER;
	} else if (HTTP_CLS(ch) & HTTP_FIELD) {
		st->state = HTTP_CH_TLINE;
		return (LA_AGAIN);
	} else
		return (LA_ERROR);
	if (st->state == HTTP_CH_TRAILER)
		st->line = 0;
	return (st->state == HTTP_CH_DONE ? LA_OK : LA_AGAIN);
}

static int
http_parse_chunk_byte(struct la_http_chunked *st, char ch, size_t max_body)
{
	switch (st->state) {
	case HTTP_CH_DATA_CR:
		if (ch == '\r') {
			st->state = HTTP_CH_DATA_LF;
			return (LA_AGAIN);
		}
		/* FALLTHROUGH */
	case HTTP_CH_DATA_LF:
		if (ch != '\n')
			return (LA_ERROR);
		st->state = HTTP_CH_SIZE0;
		return (LA_AGAIN);
	case HTTP_CH_TRAILER:
	case HTTP_CH_TLINE:
	case HTTP_CH_TLINE_LF:
	case HTTP_CH_END_LF:
		return (http_parse_chunk_trailer(st, ch));
	case HTTP_CH_DONE:
		return (LA_OK);
	default:
		return (http_parse_chunk_size(st, ch, max_body));
	}
}

static size_t
http_parse_chunk_data(struct la_http_chunked *st, const char *in, size_t len,
    struct la_buf *out)
{
	size_t n = len;

	if (n > st->remaining)
		n = (size_t)st->remaining;
	la_buf_append(out, in, n);
	st->remaining -= n;
	st->total += n;
	if (st->remaining == 0)
		st->state = HTTP_CH_DATA_CR;
	return (n);
}

int
la_http_chunked_feed(struct la_http_chunked *st, const char *in, size_t len,
    struct la_buf *out, size_t max_body, size_t *consumed)
{
	size_t i = 0;
	int rc = st->state == HTTP_CH_DONE ? LA_OK : LA_AGAIN;

	while (i < len && rc == LA_AGAIN) {
		if (st->state == HTTP_CH_DATA)
			i += http_parse_chunk_data(st, in + i, len - i, out);
		else
			rc = http_parse_chunk_byte(st, in[i++], max_body);
	}
	*consumed = i;
	return (rc);
}
