/*
 * CORS (see cors.h). An allowed origin is echoed rather than answered
 * with "*", because credentials are allowed and browsers refuse "*" with
 * credentials; Vary: Origin keeps shared caches from mixing origins.
 */
#include <string.h>

#include "la.h"
#include "cors.h"
#include "response.h"
#include "pipeline.h"

static int
cors_allowed(const struct la_req *r, const struct la_str *origin)
{
	const struct la_conf *c = r->ctx->conf;
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
	const struct la_conf *c = r->ctx->conf;
	const struct la_str *o;

	/* No CORS configured: no header to look for. */
	if (c->middleware.n == 0 && c->cors_origins.n == 0)
		return (NULL);
	o = la_http_header(r->http, "Origin");

	return (o != NULL && o->len > 0 && cors_allowed(r, o) ? o : NULL);
}

int
la_cors_filter(struct la_req *r)
{
	const struct la_str *o = cors_origin(r);

	if (o == NULL)
		return (LA_PHASE_NEXT);
	la_resp_header_n(&r->resp, "Access-Control-Allow-Origin", o->p, o->len);
	la_resp_header(&r->resp, "Access-Control-Allow-Credentials", "true");
	la_resp_header(&r->resp, "Vary", "Origin");
	return (LA_PHASE_NEXT);
}

int
la_cors_phase(struct la_req *r)
{
	const struct la_str *h;
	struct la_buf b;

	if (r->http->method_id != LA_M_OPTIONS || cors_origin(r) == NULL ||
	    la_http_header(r->http, "Access-Control-Request-Method") == NULL)
		return (LA_PHASE_NEXT);
	la_buf_init(&b);
	la_resp_allow(&b, r->allowed);
	la_resp_header(&r->resp, "Access-Control-Allow-Methods", b.data);
	la_buf_free(&b);
	h = la_http_header(r->http, "Access-Control-Request-Headers");
	if (h != NULL && h->len > 0)
		la_resp_header_n(&r->resp, "Access-Control-Allow-Headers", h->p,
		    h->len);
	la_resp_header(&r->resp, "Access-Control-Max-Age", "600");
	la_resp_empty(&r->resp, 204);
	return (LA_PHASE_DONE);
}
