/*
 * Tests of the HTTP/1.x head parser and the chunked decoder. Every input
 * is copied into a heap block of its exact size first, so that the
 * address sanitizer catches any read past len.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http_parse.h"
#include "la.h"
#include "tap.h"

#define MAXH 8192

/* want: 0 for a complete head spanning the whole input, LA_AGAIN, or the
 * HTTP status of the error. */
struct head_case {
	const char *desc;
	const char *in;
	size_t len;
	int want;
};

#define HC(d, s, w)                                                            \
	{                                                                      \
		d, s, sizeof(s) - 1, w                                         \
	}

static const struct head_case head_cases[] = {
    /* accepted */
    HC("simple GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0),
    HC("bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n", 0),
    HC("mixed line ends", "GET / HTTP/1.1\r\nHost: a\n\r\n", 0),
    HC("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", 0),
    HC("IPv6 Host with port", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 0),
    HC("Host with a quote", "GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n", 400),
    HC("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    HC("Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
    HC("leading empty lines", "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 0),
    HC("POST with Content-Length",
        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n", 0),
    HC("chunked",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 0),
    HC("TE is case-insensitive",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n", 0),
    HC("HTAB and obs-text in a value",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\xc3\xa9\r\n\r\n", 0),
    HC("obs-text in the target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
        0),
    HC("empty value", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", 0),
    HC("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 0),
    HC("other method token", "M-SEARCH / HTTP/1.1\r\nHost: a\r\n\r\n", 0),
    HC("same Content-Length twice",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
        "Content-Length: 5\r\n\r\n",
        0),
    HC("largest Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\n"
        "Content-Length: 9223372036854775807\r\n\r\n",
        0),
    HC("query with '?' inside", "GET /a?b?c=d HTTP/1.1\r\nHost: a\r\n\r\n", 0),

    /* request line */
    HC("absolute-form target",
        "GET http://example.com/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("asterisk-form target", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("absolute-form refused early", "GET http:", 400),
    HC("empty target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("two spaces after the target", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
        400),
    HC("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("non-token method", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("HTAB after the method", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("no version (HTTP/0.9)", "GET /\r\n\r\n", 400),
    HC("control byte in the target", "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
        400),
    HC("DEL in the target", "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("HTAB in the target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("NUL in the target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    HC("lower-case http", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
    HC("version HTTP/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
    HC("version HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
    HC("version HTTP/11.1", "GET / HTTP/11.1\r\nHost: a\r\n\r\n", 400),
    HC("version HTTX/1.1", "GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400),
    HC("space after the version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
    HC("junk after the version", "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", 400),
    HC("bare CR in the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
    HC("bare CR before the request line", "\rGET / HTTP/1.1\r\n\r\n", 400),
    HC("NUL in the method", "G\0T / HTTP/1.1\r\n\r\n", 400),

    /* versions */
    HC("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
    HC("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505),
    HC("HTTP/3.1", "GET / HTTP/3.1\r\n\r\n", 505),

    /* header syntax */
    HC("space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
    HC("no colon", "GET / HTTP/1.1\r\nHost: a\r\nX-No-Colon\r\n\r\n", 400),
    HC("empty name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400),
    HC("non-token name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): z\r\n\r\n", 400),
    HC("obs-fold with SP", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
        400),
    HC("obs-fold with HTAB", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n",
        400),
    HC("whitespace line after the request line",
        "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
    HC("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 400),
    HC("control byte in a value",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n", 400),
    HC("DEL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", 400),
    HC("bare CR inside a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
        400),
    HC("bare CR ending a header", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
        400),
    HC("bare CR in the final line", "GET / HTTP/1.1\r\nHost: a\r\n\rX", 400),
    HC("CR CR LF", "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", 400),

    /* Host */
    HC("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX: a\r\n\r\n", 400),
    HC("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400),
    HC("duplicate Host on 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
        400),

    /* framing */
    HC("CL then TE",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n",
        400),
    HC("TE then CL",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        "Content-Length: 5\r\n\r\n",
        400),
    HC("unknown TE with CL",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
        "Content-Length: 5\r\n\r\n",
        400),
    HC("chunked on HTTP/1.0",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    HC("conflicting Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
        "Content-Length: 6\r\n\r\n",
        400),
    HC("Content-Length list",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400),
    HC("Content-Length with a sign",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400),
    HC("negative Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
    HC("hex Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400),
    HC("space inside Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400),
    HC("empty Content-Length",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400),
    HC("TE gzip: chunked is not last",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
    HC("TE chunked, identity: chunked is not last",
        "POST / HTTP/1.1\r\nHost: a\r\n"
        "Transfer-Encoding: chunked, identity\r\n\r\n",
        400),
    HC("TE chunked then gzip in a second field",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        "Transfer-Encoding: gzip\r\n\r\n",
        400),
    HC("TE gzip, chunked",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, "
        "chunked\r\n\r\n",
        501),
    HC("TE chunked twice in one field",
        "POST / HTTP/1.1\r\nHost: a\r\n"
        "Transfer-Encoding: chunked, chunked\r\n\r\n",
        400),
    HC("two TE fields",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        "Transfer-Encoding: chunked\r\n\r\n",
        400),
    HC("empty TE", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n",
        400),

    /* incomplete */
    HC("empty input", "", LA_AGAIN),
    HC("only CRLF", "\r\n", LA_AGAIN),
    HC("only CR", "\r", LA_AGAIN),
    HC("method only", "GET", LA_AGAIN),
    HC("no blank line", "GET / HTTP/1.1\r\nHost: a\r\n", LA_AGAIN),
    HC("final CR without LF", "GET / HTTP/1.1\r\nHost: a\r\n\r", LA_AGAIN),
};

static char *
dup_exact(const char *s, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	memcpy(p, s, len);
	return (p);
}

/* A NUL-terminated copy of a view, for is_str (a few live at once). */
static const char *
S(struct la_str v)
{
	static char bufs[4][256];
	static int next;
	char *b = bufs[next++ % 4];

	if (v.len >= sizeof(bufs[0]))
		v.len = sizeof(bufs[0]) - 1;
	memcpy(b, v.p, v.len);
	b[v.len] = '\0';
	return (b);
}

/* Parses a copy of in; returns the head length, LA_AGAIN or a status. */
static int
run(const char *in, size_t len, size_t max)
{
	struct la_http_req req;
	char *p = dup_exact(in, len);
	int rc, status = 0;

	rc = la_http_parse_head(p, len, max, &req, &status);
	free(p);
	return (rc == LA_ERROR ? status : rc);
}

static void
test_table(void)
{
	const struct head_case *c;
	size_t i;
	int want;

	for (i = 0; i < LA_NELEM(head_cases); i++) {
		c = &head_cases[i];
		want = c->want == 0 ? (int)c->len : c->want;
		is_int(run(c->in, c->len, MAXH), want, "%s", c->desc);
	}
}

static void
test_fields(void)
{
	static const char in[] = "\r\nPOST /api/x%20y?a=1&b=%2F HTTP/1.1\r\n"
	                         "hOsT:   example.com:8080  \r\n"
	                         "X-Tab:\t v \t\r\n"
	                         "Content-Length: 12\r\n"
	                         "\r\n";
	char *p = dup_exact(in, sizeof(in) - 1);
	struct la_http_req req;
	const struct la_str *v;
	int status = 0;

	is_int(la_http_parse_head(p, sizeof(in) - 1, MAXH, &req, &status),
	    sizeof(in) - 1, "fields: parsed");
	is_str(S(req.method), "POST", "fields: method");
	is_int(req.method_id, LA_M_POST, "fields: method_id");
	is_str(S(req.target), "/api/x%20y?a=1&b=%2F", "fields: target");
	is_str(S(req.path), "/api/x%20y", "fields: path still encoded");
	is_str(S(req.query), "a=1&b=%2F", "fields: query");
	is_int(req.minor, 1, "fields: minor");
	is_int(req.nheaders, 3, "fields: nheaders");
	is_str(S(req.headers[0].name), "hOsT", "fields: name as sent");
	is_str(S(req.headers[0].value), "example.com:8080",
	    "fields: OWS trimmed");
	is_str(S(req.headers[1].value), "v", "fields: HTAB trimmed");
	is_str(S(req.host), "example.com:8080", "fields: host");
	is_int(req.content_length, 12, "fields: content_length");
	is_int(req.chunked, 0, "fields: not chunked");
	is_int(req.keepalive, 1, "fields: keepalive");
	is_int(req.expect_continue, 0, "fields: no expect");
	v = la_http_header(&req, "x-TAB");
	ok(v != NULL && la_str_eq(*v, "v"), "la_http_header ignores case");
	ok(la_http_header(&req, "X-Missing") == NULL, "la_http_header: absent");
	ok(la_http_header(&req, "X-Ta") == NULL, "la_http_header: no prefix");
	free(p);
}

static void
test_target_split(void)
{
	static const struct {
		const char *target, *path, *query;
	} t[] = {
	    {"/", "/", ""},
	    {"/a/b", "/a/b", ""},
	    {"/a?", "/a", ""},
	    {"/a?b?c", "/a", "b?c"},
	    {"/?x=1", "/", "x=1"},
	};
	struct la_http_req req;
	char line[256];
	size_t i, n;
	int status;

	for (i = 0; i < LA_NELEM(t); i++) {
		n = (size_t)snprintf(line, sizeof(line),
		    "GET %s HTTP/1.0\r\n\r\n", t[i].target);
		is_int(la_http_parse_head(line, n, MAXH, &req, &status), n,
		    "split %s: parsed", t[i].target);
		ok(strcmp(S(req.path), t[i].path) == 0 &&
		        strcmp(S(req.query), t[i].query) == 0,
		    "split %s: path '%s' query '%s'", t[i].target, t[i].path,
		    t[i].query);
	}
}

static void
test_methods(void)
{
	static const struct {
		const char *m;
		unsigned id;
	} t[] = {
	    {"GET", LA_M_GET},
	    {"POST", LA_M_POST},
	    {"PUT", LA_M_PUT},
	    {"PATCH", LA_M_PATCH},
	    {"DELETE", LA_M_DELETE},
	    {"HEAD", LA_M_HEAD},
	    {"OPTIONS", LA_M_OPTIONS},
	    {"PURGE", LA_M_OTHER},
	    {"get", LA_M_OTHER},
	    {"GETX", LA_M_OTHER},
	    {"!#$%&'*+-.^_`|~", LA_M_OTHER},
	};
	struct la_http_req req;
	char line[256];
	size_t i, n;
	int status, rc;

	for (i = 0; i < LA_NELEM(t); i++) {
		n = (size_t)snprintf(line, sizeof(line),
		    "%s / HTTP/1.1\r\nHost: h\r\n\r\n", t[i].m);
		rc = la_http_parse_head(line, n, MAXH, &req, &status);
		ok(rc == (int)n && req.method_id == t[i].id &&
		        la_str_eq(req.method, t[i].m),
		    "method %s", t[i].m);
	}
}

/* A well-formed length past 2^63-1 saturates (then 413), not 400. */
static void
test_huge_length(void)
{
	static const char *in[] = {
	    "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 9223372036854775808\r\n\r\n",
	    "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 99999999999999999999999\r\n\r\n",
	};
	struct la_http_req req;
	size_t i;
	int status = 0;

	for (i = 0; i < LA_NELEM(in); i++) {
		is_int(la_http_parse_head(in[i], strlen(in[i]), MAXH, &req,
		           &status),
		    strlen(in[i]), "huge length %zu parses", i);
		ok(req.content_length == INT64_MAX, "and saturates");
	}
}

/* A later HTTP/1.x is served as HTTP/1.1 (RFC 9110 2.5). */
static void
test_later_minor(void)
{
	static const char in[] = "GET / HTTP/1.2\r\nHost: a\r\n\r\n";
	struct la_http_req req;
	int status = 0;

	is_int(la_http_parse_head(in, sizeof(in) - 1, MAXH, &req, &status),
	    sizeof(in) - 1, "HTTP/1.2 parses");
	is_int(req.minor, 1, "HTTP/1.2 is answered as 1.1");
	is_int(req.keepalive, 1, "with 1.1's persistence");
}

static void
test_keepalive(void)
{
	static const struct {
		const char *head;
		int keepalive;
	} t[] = {
	    {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1},
	    {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nHost: a\r\nConnection: CLOSE\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", 1},
	    {"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n", 0},
	    {"GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", 1},
	    {"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
	     "Connection: close\r\n\r\n",
	        0},
	    {"GET / HTTP/1.0\r\n\r\n", 0},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nConnection: x ,\tkeep-alive , y\r\n\r\n", 1},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0},
	    {"GET / HTTP/1.0\r\nConnection: keep-alive-x\r\n\r\n", 0},
	    {"GET / HTTP/1.0\r\nConnection: ,,\r\n\r\n", 0},
	};
	struct la_http_req req;
	size_t i, n;
	int status, rc;

	for (i = 0; i < LA_NELEM(t); i++) {
		n = strlen(t[i].head);
		rc = la_http_parse_head(t[i].head, n, MAXH, &req, &status);
		ok(rc == (int)n && req.keepalive == t[i].keepalive,
		    "keepalive %d: case %zu", t[i].keepalive, i);
	}
}

static void
test_flags(void)
{
	static const struct {
		const char *head;
		int expect, chunked;
		int64_t cl;
	} t[] = {
	    {"GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", 1, 0,
	        -1},
	    {"GET / HTTP/1.1\r\nHost: a\r\nexpect:  100-Continue \r\n\r\n", 1,
	        0, -1},
	    {"GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", 0, 0, -1},
	    {"GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 0, 0, -1},
	    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
	        0, 1, -1},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 0, 0,
	        0},
	    {"POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 007\r\n\r\n", 0, 0,
	        7},
	};
	struct la_http_req req;
	size_t i, n;
	int status, rc;

	for (i = 0; i < LA_NELEM(t); i++) {
		n = strlen(t[i].head);
		rc = la_http_parse_head(t[i].head, n, MAXH, &req, &status);
		ok(rc == (int)n && req.expect_continue == t[i].expect &&
		        req.chunked == t[i].chunked &&
		        req.content_length == t[i].cl,
		    "flags: case %zu", i);
	}
}

static void
test_max_head(void)
{
	static const char in[] = "GET /limit HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t n = sizeof(in) - 1;
	char big[64];

	is_int(run(in, n, n - 1), 431, "max_head N-1: 431");
	is_int(run(in, n, n), n, "max_head N: accepted");
	is_int(run(in, n, n + 1), n, "max_head N+1: accepted");
	is_int(run(in, n - 1, n), LA_AGAIN, "N-1 bytes, max_head N: again");
	is_int(run(in, n - 1, n - 1), 431, "N-1 bytes, max_head N-1: 431");
	is_int(run(in, n - 2, n - 1), LA_AGAIN,
	    "N-2 bytes, max_head N-1: again");
	memcpy(big, in, n);
	memset(big + n, 'x', sizeof(big) - n);
	is_int(run(big, sizeof(big), n), n, "body bytes past max_head ignored");
	is_int(run(big, sizeof(big), n - 1), 431, "longer input, head too big");
	is_int(run("GET /a\x01", 7, 4), 431, "error past max_head unseen");
	is_int(run("GET /a\x01", 7, 7), 400, "error inside max_head seen");
}

static void
test_header_count(void)
{
	struct la_buf b;
	int i;

	la_buf_init(&b);
	la_buf_puts(&b, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < LA_HTTP_MAX_HEADERS; i++)
		la_buf_printf(&b, "X-H%d: %d\r\n", i, i);
	la_buf_puts(&b, "\r\n");
	is_int(run(b.data, b.len, 1 << 20), b.len, "64 headers accepted");
	la_buf_truncate(&b, b.len - 2);
	la_buf_puts(&b, "X-One-Too-Many: 1\r\n\r\n");
	is_int(run(b.data, b.len, 1 << 20), 431, "65 headers: 431");
	la_buf_truncate(&b, b.len - 2);
	is_int(run(b.data, b.len, 1 << 20), 431, "65 headers, incomplete: 431");
	la_buf_free(&b);
}

static void
test_pipelined(void)
{
#define PIPE1 "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
#define PIPE2 "POST /two HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\n\r\n"
	static const char in[] =
	    PIPE1 PIPE2 "hi"
	                "GET /three HTTP/1.1\r\nHost: c\r\n\r\n";
	size_t len = sizeof(in) - 1, off = 0;
	char *p = dup_exact(in, len);
	struct la_http_req req;
	int rc, status;

	rc = la_http_parse_head(p, len, MAXH, &req, &status);
	is_int(rc, sizeof(PIPE1) - 1, "pipelined: first head length");
	is_str(S(req.path), "/one", "pipelined: first path");
	off += (size_t)rc;
	rc = la_http_parse_head(p + off, len - off, MAXH, &req, &status);
	is_int(rc, sizeof(PIPE2) - 1, "pipelined: second head length");
	ok(la_str_eq(req.path, "/two") && req.content_length == 2,
	    "pipelined: second request");
	off += (size_t)rc + 2;
	rc = la_http_parse_head(p + off, len - off, MAXH, &req, &status);
	is_int(rc, (int)(len - off), "pipelined: third head");
	is_str(S(req.host), "c", "pipelined: third host");
	free(p);
}

/* Every strict prefix of a valid head must ask for more. */
static void
test_prefixes(void)
{
	size_t i, n, bad;
	int rc;

	for (i = 0; i < LA_NELEM(head_cases); i++) {
		if (head_cases[i].want != 0)
			continue;
		bad = 0;
		for (n = 0; n < head_cases[i].len; n++) {
			rc = run(head_cases[i].in, n, MAXH);
			if (rc != LA_AGAIN && bad++ == 0)
				diag("prefix %zu gave %d", n, rc);
		}
		ok(bad == 0, "every prefix is incomplete: %s",
		    head_cases[i].desc);
	}
}

/* Chunked bodies. want: LA_OK, LA_ERROR or LA_HTTP_TOO_LARGE. */
struct chunk_case {
	const char *desc;
	const char *in;
	size_t len;
	size_t max_body;
	int want;
	const char *body; /* when want is LA_OK */
	size_t tail;      /* bytes left after the end */
};

#define CC(d, s, m, w, b, t)                                                   \
	{                                                                      \
		d, s, sizeof(s) - 1, m, w, b, t                                \
	}

static const struct chunk_case chunk_cases[] = {
    CC("one chunk", "5\r\nhello\r\n0\r\n\r\n", 100, LA_OK, "hello", 0),
    CC("bare LF", "5\nhello\n0\n\n", 100, LA_OK, "hello", 0),
    CC("two chunks", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 100, LA_OK, "abcde",
        0),
    CC("upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", 100, LA_OK,
        "0123456789", 0),
    CC("lower-case hex", "a\r\n0123456789\r\n0\r\n\r\n", 100, LA_OK,
        "0123456789", 0),
    CC("leading zeros", "0005\r\nhello\r\n000\r\n\r\n", 100, LA_OK, "hello", 0),
    CC("extensions", "5;name=\"v\";x\r\nhello\r\n0;last\r\n\r\n", 100, LA_OK,
        "hello", 0),
    CC("BWS before an extension", "5 \t; x\r\nhello\r\n0\r\n\r\n", 100, LA_OK,
        "hello", 0),
    CC("trailers", "2\r\nhi\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n", 100, LA_OK, "hi",
        0),
    CC("trailers, bare LF", "2\nhi\n0\nX-T: 1\n\n", 100, LA_OK, "hi", 0),
    CC("empty body", "0\r\n\r\n", 100, LA_OK, "", 0),
    CC("CRLF inside data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", 100, LA_OK, "\r\n\r\n",
        0),
    CC("pipelined request after", "2\r\nhi\r\n0\r\n\r\nGET / HTTP/1.1", 100,
        LA_OK, "hi", 14),
    CC("exactly max_body", "5\r\nhello\r\n0\r\n\r\n", 5, LA_OK, "hello", 0),
    CC("max_body 0, empty body", "0\r\n\r\n", 0, LA_OK, "", 0),

    CC("one over max_body", "5\r\nhello\r\n0\r\n\r\n", 4, LA_HTTP_TOO_LARGE,
        NULL, 0),
    CC("over max_body in total", "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 5,
        LA_HTTP_TOO_LARGE, NULL, 0),
    CC("largest size", "FFFFFFFFFFFFFFFF\r\n", 1 << 20, LA_HTTP_TOO_LARGE, NULL,
        0),
    CC("size overflow", "10000000000000000\r\n", 1 << 20, LA_ERROR, NULL, 0),
    CC("bad hex", "g\r\nhello\r\n", 100, LA_ERROR, NULL, 0),
    CC("junk after the size", "5x\r\nhello\r\n", 100, LA_ERROR, NULL, 0),
    CC("0x prefix", "0x5\r\nhello\r\n", 100, LA_ERROR, NULL, 0),
    CC("negative size", "-1\r\n", 100, LA_ERROR, NULL, 0),
    CC("empty size", "\r\nhello\r\n", 100, LA_ERROR, NULL, 0),
    CC("extension without a size", ";x\r\n", 100, LA_ERROR, NULL, 0),
    CC("space before the size", " 5\r\nhello\r\n", 100, LA_ERROR, NULL, 0),
    CC("bare CR after the size", "5\rhello\r\n", 100, LA_ERROR, NULL, 0),
    CC("control byte in an extension", "5;\x01\r\nhello\r\n", 100, LA_ERROR,
        NULL, 0),
    CC("data longer than the size", "5\r\nhelloX\r\n0\r\n\r\n", 100, LA_ERROR,
        NULL, 0),
    CC("bare CR after the data", "5\r\nhello\rX", 100, LA_ERROR, NULL, 0),
    CC("control byte in a trailer", "0\r\nX: \x01\r\n\r\n", 100, LA_ERROR, NULL,
        0),
    CC("bare CR in a trailer", "0\r\nX: 1\rY\r\n\r\n", 100, LA_ERROR, NULL, 0),
    CC("bare CR at the end", "0\r\n\rX", 100, LA_ERROR, NULL, 0),
};

/*
 * Feeds in[0..len) in pieces: the first cut bytes, then step bytes at a
 * time (0: the rest at once). Stops at the first result other than
 * LA_AGAIN; *used gets the input consumed.
 */
static int
chunk_feed(const char *in, size_t len, size_t cut, size_t step, size_t max_body,
    struct la_buf *out, size_t *used)
{
	struct la_http_chunked st;
	size_t off = 0, n, got;
	char *piece;
	int rc = LA_AGAIN;

	memset(&st, 0, sizeof(st));
	la_buf_reset(out);
	while (rc == LA_AGAIN && off < len) {
		n = off == 0 && cut > 0 ? cut : step > 0 ? step : len - off;
		if (n > len - off)
			n = len - off;
		piece = dup_exact(in + off, n);
		rc = la_http_chunked_feed(&st, piece, n, out, max_body, &got);
		free(piece);
		if (got > n || (rc == LA_AGAIN && got != n))
			return (-100);
		off += got;
	}
	*used = off;
	return (rc);
}

static int
chunk_check(const struct chunk_case *c, size_t cut, size_t step,
    struct la_buf *out)
{
	size_t used = 0;
	int rc;

	rc = chunk_feed(c->in, c->len, cut, step, c->max_body, out, &used);
	if (rc != c->want)
		return (0);
	if (rc != LA_OK)
		return (1);
	return (used == c->len - c->tail && out->len == strlen(c->body) &&
	        memcmp(out->data, c->body, out->len) == 0);
}

static void
test_chunked(void)
{
	const struct chunk_case *c;
	struct la_buf out;
	size_t i, cut, bad;

	la_buf_init(&out);
	for (i = 0; i < LA_NELEM(chunk_cases); i++) {
		c = &chunk_cases[i];
		ok(chunk_check(c, 0, 0, &out), "chunked, whole: %s", c->desc);
		ok(chunk_check(c, 0, 1, &out), "chunked, byte by byte: %s",
		    c->desc);
		for (bad = 0, cut = 1; cut < c->len; cut++)
			bad += !chunk_check(c, cut, 0, &out);
		ok(bad == 0, "chunked, split at every byte: %s", c->desc);
	}
	la_buf_free(&out);
}

static void
test_chunked_limits(void)
{
	struct la_http_chunked st;
	struct la_buf in, out;
	size_t used;
	int rc;

	la_buf_init(&in);
	la_buf_init(&out);
	la_buf_puts(&in, "1;");
	while (in.len < 4094)
		la_buf_putc(&in, 'x');
	la_buf_puts(&in, "\r\nA\r\n0\r\n\r\n");
	rc = chunk_feed(in.data, in.len, 0, 0, 100, &out, &used);
	ok(rc == LA_OK && out.len == 1, "size line of 4096 bytes accepted");
	la_buf_reset(&in);
	la_buf_puts(&in, "1;");
	while (in.len < 4095)
		la_buf_putc(&in, 'x');
	la_buf_puts(&in, "\r\nA\r\n0\r\n\r\n");
	rc = chunk_feed(in.data, in.len, 0, 0, 100, &out, &used);
	is_int(rc, LA_ERROR, "size line of 4097 bytes refused");
	la_buf_reset(&in);
	while (in.len < 10000)
		la_buf_putc(&in, '0');
	rc = chunk_feed(in.data, in.len, 0, 0, 100, &out, &used);
	is_int(rc, LA_ERROR, "endless leading zeros refused");
	la_buf_reset(&in);
	la_buf_puts(&in, "0\r\nX: ");
	while (in.len < 10000)
		la_buf_putc(&in, 'y');
	rc = chunk_feed(in.data, in.len, 0, 0, 100, &out, &used);
	is_int(rc, LA_ERROR, "long trailer line refused");
	la_buf_reset(&in);
	la_buf_puts(&in, "0\r\n");
	while (in.len < 40000)
		la_buf_puts(&in, "X: y\r\n");
	rc = chunk_feed(in.data, in.len, 0, 0, 100, &out, &used);
	is_int(rc, LA_ERROR, "endless trailers refused");

	memset(&st, 0, sizeof(st));
	la_buf_reset(&out);
	rc = la_http_chunked_feed(&st, "0\r\n\r\n", 5, &out, 10, &used);
	ok(rc == LA_OK && used == 5, "chunked: done");
	rc = la_http_chunked_feed(&st, "5\r\n", 3, &out, 10, &used);
	ok(rc == LA_OK && used == 0, "chunked: nothing consumed once done");
	memset(&st, 0, sizeof(st));
	rc = la_http_chunked_feed(&st, "", 0, &out, 10, &used);
	ok(rc == LA_AGAIN && used == 0, "chunked: empty input");
	la_buf_free(&in);
	la_buf_free(&out);
}

/* Every byte value in a Host: RFC 3986's host and port bytes pass,
 * anything else is refused. */
/*
 * Long targets and field values are scanned sixteen bytes at a time:
 * every byte at every position of a 40-byte one must be accepted exactly
 * when the byte-by-byte rules accept it (the head is refused otherwise).
 */
static void
test_span_bytes(void)
{
	char in[160];
	size_t len;
	int c, pos, want_t, want_f, bad = 0;

	for (c = 0; c < 256; c++) {
		want_t = (c > 0x20 && c != 0x7f);
		want_f = want_t || c == ' ' || c == '\t';
		for (pos = 0; pos < 40; pos++) {
			len = (size_t)snprintf(in, sizeof(in),
			    "GET /%040d HTTP/1.1\r\nHost: h\r\nX-A: "
			    "%040d\r\n\r\n",
			    0, 0);
			in[5 + pos] = (char)c;
			if ((run(in, len, MAXH) == (int)len) != want_t) {
				diag("target: 0x%02x at %d", c, pos);
				bad++;
			}
			len = (size_t)snprintf(in, sizeof(in),
			    "GET /%040d HTTP/1.1\r\nHost: h\r\nX-A: "
			    "%040d\r\n\r\n",
			    0, 0);
			/* Not the value's first byte: whitespace there is
			 * the separator's. */
			in[len - 4 - 40 + (pos > 0 ? pos : 1)] = (char)c;
			if ((run(in, len, MAXH) == (int)len) != want_f) {
				diag("field value: 0x%02x at %d", c, pos);
				bad++;
			}
		}
	}
	is_int(bad, 0, "targets and field values: each byte anywhere");
}

static void
test_host_bytes(void)
{
	static const char ok_bytes[] = "-._~!$&'()*+,;=%:[]";
	char in[64];
	int c, want, bad = 0;

	for (c = 0; c < 256; c++) {
		want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		       (c >= '0' && c <= '9') ||
		       (c != 0 && strchr(ok_bytes, c) != NULL);
		snprintf(in, sizeof(in), "GET / HTTP/1.1\r\nHost: a%cb\r\n\r\n",
		    c != 0 ? c : '?');
		in[23] = (char)c;
		if ((run(in, 29, MAXH) == 29) != want)
			bad++;
	}
	is_int(bad, 0, "Host: each byte accepted exactly when RFC 3986 has it");
}

int
main(void)
{
	test_table();
	test_host_bytes();
	test_span_bytes();
	test_fields();
	test_target_split();
	test_methods();
	test_keepalive();
	test_later_minor();
	test_huge_length();
	test_flags();
	test_max_head();
	test_header_count();
	test_pipelined();
	test_prefixes();
	test_chunked();
	test_chunked_limits();
	return (done_testing());
}
