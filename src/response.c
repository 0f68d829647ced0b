/*
 * Response serialisation (see response.h).
 */
#include <stdio.h>
#include <string.h>

#include "la.h"
#include "json.h"
#include "response.h"

static const struct {
	int status;
	const char *reason;
} reasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {204, "No Content"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {413, "Content Too Large"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {503, "Service Unavailable"},
    {505, "HTTP Version Not Supported"},
};

const char *
la_resp_reason(int status)
{
	size_t i;

	for (i = 0; i < LA_NELEM(reasons); i++)
		if (reasons[i].status == status)
			return (reasons[i].reason);
	return ("Unknown");
}

void
la_resp_error(struct la_req *r, int status, const char *detail)
{
	la_buf_reset(r->body_out);
	la_buf_puts(r->body_out, "{\"detail\":");
	la_json_cstr(r->body_out, detail);
	la_buf_putc(r->body_out, '}');
	r->status = status;
	r->no_body = 0;
}

void
la_resp_json(struct la_req *r, int status)
{
	r->status = status;
	r->no_body = 0;
}

void
la_resp_empty(struct la_req *r, int status)
{
	la_buf_reset(r->body_out);
	r->status = status;
	r->no_body = 1;
}

void
la_resp_header(struct la_req *r, const char *name, const char *value)
{
	la_buf_printf(r->hdrs, "%s: %s\r\n", name, value);
}

void
la_resp_allow(struct la_buf *b, unsigned m)
{
	/* Alphabetical, as clients comparing header values expect. */
	static const unsigned order[] = {LA_M_DELETE, LA_M_GET, LA_M_HEAD,
	    LA_M_OPTIONS, LA_M_PATCH, LA_M_POST, LA_M_PUT};
	size_t i;
	int n = 0;

	if (m & LA_M_GET)
		m |= LA_M_HEAD;
	m |= LA_M_OPTIONS;
	for (i = 0; i < LA_NELEM(order); i++)
		if (m & order[i])
			la_buf_printf(b, "%s%s", n++ ? ", " : "",
			    la_verb_name(order[i]));
}

static void
resp_head(struct la_buf *out, int status, const char *date)
{
	la_buf_printf(out,
	    "HTTP/1.1 %d %s\r\nServer: lightapid\r\nDate: %s\r\n", status,
	    la_resp_reason(status), date);
}

void
la_resp_write(const struct la_req *r, int keepalive, const char *date,
    struct la_buf *out)
{
	resp_head(out, r->status, date);
	if (r->hdrs->len > 0)
		la_buf_append(out, r->hdrs->data, r->hdrs->len);
	if (!r->no_body)
		la_buf_printf(out,
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n",
		    r->body_out->len);
	if (!keepalive)
		la_buf_puts(out, "Connection: close\r\n");
	la_buf_puts(out, "\r\n");
	if (!r->no_body && !r->head_only)
		la_buf_append(out, r->body_out->data, r->body_out->len);
}

void
la_resp_raw_error(int status, const char *detail, const char *date,
    struct la_buf *out)
{
	struct la_buf body;

	la_buf_init(&body);
	la_buf_puts(&body, "{\"detail\":");
	la_json_cstr(&body, detail);
	la_buf_putc(&body, '}');
	resp_head(out, status, date);
	la_buf_printf(out,
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n",
	    body.len);
	la_buf_append(out, body.data, body.len);
	la_buf_free(&body);
}
