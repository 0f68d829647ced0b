/*
 * The response model: the status of each error kind, content types,
 * structured headers (Vary merging, replacing, the limit) and the bytes
 * la_resp_write puts on the wire.
 */
#include <string.h>

#include "arena.h"
#include "la.h"
#include "response.h"
#include "tap.h"

static struct la_arena *a;
static struct la_buf body, out;

static const char *
wire(const struct la_resp *p, int head_only, int keepalive)
{
	la_buf_reset(&out);
	la_resp_write(p, head_only,
	    keepalive ? LA_PERSIST_DEFAULT : LA_PERSIST_CLOSE, "D", &out);
	return (out.data);
}

static void
test_kinds(void)
{
	static const struct {
		enum la_err kind;
		int status;
	} k[] = {{LA_ERR_BAD_REQUEST, 400}, {LA_ERR_UNAUTHORIZED, 401},
	    {LA_ERR_FORBIDDEN, 403}, {LA_ERR_NOT_FOUND, 404},
	    {LA_ERR_METHOD, 405}, {LA_ERR_CONFLICT, 409}, {LA_ERR_INVALID, 422},
	    {LA_ERR_THROTTLED, 429}, {LA_ERR_INTERNAL, 500},
	    {LA_ERR_UNAVAILABLE, 503}};
	struct la_resp p;
	size_t i;

	for (i = 0; i < LA_NELEM(k); i++)
		is_int(la_resp_status(k[i].kind), k[i].status, "kind %zu is %d",
		    i, k[i].status);
	is_int(la_resp_status((enum la_err)99), 500, "unknown kind is 500");
	la_resp_init(&p, &body, a);
	la_resp_fail(&p, LA_ERR_CONFLICT, "version \"conflict\"");
	is_int(p.status, 409, "fail sets the status");
	is_str(body.data, "{\"detail\":\"version \\\"conflict\\\"\"}",
	    "the detail is JSON-escaped");
	is_str(wire(&p, 0, 1),
	    "HTTP/1.1 409 Conflict\r\nServer: lightapid\r\nDate: D\r\n"
	    "Content-Type: application/json\r\nContent-Length: 33\r\n\r\n"
	    "{\"detail\":\"version \\\"conflict\\\"\"}",
	    "an error on the wire");
}

static void
test_types(void)
{
	struct la_resp p;

	la_resp_init(&p, &body, a);
	la_buf_puts(&body, "<p>hi</p>");
	la_resp_body(&p, 200, LA_CT_HTML);
	ok(strstr(wire(&p, 0, 1),
	       "Content-Type: text/html; charset=utf-8\r\n") != NULL,
	    "HTML has its type");
	la_resp_body(&p, 200, LA_CT_TEXT);
	ok(strstr(wire(&p, 0, 0), "Content-Type: text/plain; charset=utf-8\r\n"
	                          "Content-Length: 9\r\nConnection: close\r\n"
	                          "\r\n<p>hi</p>") != NULL,
	    "text, and Connection: close without keep-alive");
	ok(strstr(wire(&p, 1, 1), "<p>") == NULL, "HEAD writes no body");
	la_buf_reset(&out);
	la_resp_write(&p, 0, LA_PERSIST_SAY, "D", &out);
	ok(strstr(out.data, "\r\nConnection: keep-alive\r\n") != NULL,
	    "an HTTP/1.0 keep-alive is said");
	ok(strstr(wire(&p, 1, 1), "Content-Length: 9") != NULL,
	    "but the GET's length");
	la_resp_empty(&p, 204);
	is_str(wire(&p, 0, 1),
	    "HTTP/1.1 204 No Content\r\nServer: lightapid\r\nDate: D\r\n\r\n",
	    "204 has neither type nor length");
}

static void
test_headers(void)
{
	struct la_resp p;
	char name[16];
	int i;

	la_resp_init(&p, &body, a);
	la_resp_header(&p, "Vary", "Origin");
	la_resp_header(&p, "vary", "Authorization");
	la_resp_header(&p, "Vary", "origin");
	is_str(la_resp_header_get(&p, "Vary"), "Origin, Authorization",
	    "a second Vary merges, a repeated value does not");
	is_int(p.nh, 1, "one Vary header");
	la_resp_header(&p, "Link", "<a>");
	la_resp_header(&p, "Link", "<b>");
	is_int(p.nh, 3, "other headers repeat");
	la_resp_header_set(&p, "Link", "<c>");
	is_int(p.nh, 2, "set replaces every header of the name");
	is_str(la_resp_header_get(&p, "LINK"), "<c>", "lookup ignores case");
	la_resp_allow_header(&p, LA_M_GET | LA_M_DELETE);
	is_str(la_resp_header_get(&p, "Allow"), "DELETE, GET, HEAD, OPTIONS",
	    "Allow adds HEAD and OPTIONS, alphabetical");
	la_resp_allow_header(&p, LA_M_POST);
	is_str(la_resp_header_get(&p, "Allow"), "OPTIONS, POST",
	    "a second Allow replaces the first");
	la_resp_empty(&p, 204);
	is_str(wire(&p, 0, 1),
	    "HTTP/1.1 204 No Content\r\nServer: lightapid\r\nDate: D\r\n"
	    "Vary: Origin, Authorization\r\nLink: <c>\r\n"
	    "Allow: OPTIONS, POST\r\n\r\n",
	    "headers in the order they were added");
	for (i = 0; i < 2 * LA_RESP_MAX_HEADERS; i++) {
		snprintf(name, sizeof(name), "X-%d", i);
		la_resp_header(&p, la_arena_strdup(a, name), "v");
	}
	is_int(p.nh, LA_RESP_MAX_HEADERS, "headers beyond the limit drop");
}

int
main(void)
{
	a = la_arena_new(1024);
	la_buf_init(&body);
	la_buf_init(&out);
	test_kinds();
	test_types();
	test_headers();
	la_buf_reset(&out);
	la_resp_raw_error(431, "too big", "D", &out);
	ok(strncmp(out.data, "HTTP/1.1 431 Request Header Fields Too Large",
	       44) == 0 &&
	        strstr(out.data, "Connection: close\r\n\r\n{\"detail\":\"too "
	                         "big\"}") != NULL,
	    "a raw error closes the connection");
	la_buf_reset(&out);
	la_resp_raw_error_id(413, "too large", "abc-1", "D", &out);
	ok(strstr(out.data, "\r\nX-Request-Id: abc-1\r\n") != NULL &&
	        strstr(out.data, "\r\n\r\n{\"detail\":\"too large\"}") != NULL,
	    "a raw error may carry a request id");
	la_buf_reset(&out);
	la_resp_raw_error_id(400, "bad", NULL, "D", &out);
	ok(strstr(out.data, "X-Request-Id") == NULL, "or none");
	la_buf_free(&body);
	la_buf_free(&out);
	la_arena_free(a);
	return (done_testing());
}
