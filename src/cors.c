/*
 * CORS (see cors.h). An allowed origin is echoed rather than answered
 * with "*", because credentials are allowed and browsers refuse "*" with
 * credentials; Vary: Origin keeps shared caches from mixing origins.
 */
#include <string.h>

#include "la.h"
#include "cors.h"
#include "response.h"
#include "worker.h"

static int
cors_allowed(const struct la_req *r, const struct la_str *origin)
{
	const struct la_conf *c = r->w->conf;
	size_t i;

	for (i = 0; i < c->middleware.n; i++)
		if (strcmp(c->middleware.v[i], "CORSMiddleware") == 0)
			return (1);
	for (i = 0; i < c->cors_origins.n; i++)
		if (strcmp(c->cors_origins.v[i], "*") == 0 ||
		    la_str_eq(*origin, c->cors_origins.v[i]))
			return (1);
	return (0);
}

static const struct la_str *
cors_origin(const struct la_req *r)
{
	const struct la_str *o = la_http_header(r->http, "Origin");

	return (o != NULL && o->len > 0 && cors_allowed(r, o) ? o : NULL);
}

void
la_cors_headers(struct la_req *r)
{
	const struct la_str *o = cors_origin(r);

	if (o == NULL)
		return;
	la_buf_puts(r->hdrs, "Access-Control-Allow-Origin: ");
	la_buf_append(r->hdrs, o->p, o->len);
	la_buf_puts(r->hdrs, "\r\nAccess-Control-Allow-Credentials: true\r\n"
	                     "Vary: Origin\r\n");
}

int
la_cors_preflight(struct la_req *r, unsigned methods)
{
	const struct la_str *h;

	if (r->http->method_id != LA_M_OPTIONS || cors_origin(r) == NULL ||
	    la_http_header(r->http, "Access-Control-Request-Method") == NULL)
		return (0);
	la_buf_puts(r->hdrs, "Access-Control-Allow-Methods: ");
	la_resp_allow(r->hdrs, methods);
	la_buf_puts(r->hdrs, "\r\n");
	h = la_http_header(r->http, "Access-Control-Request-Headers");
	if (h != NULL && h->len > 0) {
		la_buf_puts(r->hdrs, "Access-Control-Allow-Headers: ");
		la_buf_append(r->hdrs, h->p, h->len);
		la_buf_puts(r->hdrs, "\r\n");
	}
	la_buf_puts(r->hdrs, "Access-Control-Max-Age: 600\r\n");
	la_resp_empty(r, 204);
	return (1);
}
