/*
 * Routing: the decoded path is matched against the built-in routes and the
 * endpoint routes, "/r" and "/r/" alike; "/r/{id}" is the detail route.
 */
#include <string.h>

#include "la.h"
#include "arena.h"
#include "cors.h"
#include "handler.h"
#include "response.h"
#include "url.h"
#include "worker.h"

static void
router_meta(struct la_req *r, void (*fn)(struct la_req *))
{
	unsigned m = r->http->method_id;

	if (m == LA_M_GET || m == LA_M_HEAD) {
		fn(r);
		return;
	}
	if (la_cors_preflight(r, LA_M_GET))
		return;
	la_buf_reset(r->hdrs);
	la_buf_puts(r->hdrs, "Allow: ");
	la_resp_allow(r->hdrs, LA_M_GET);
	la_buf_puts(r->hdrs, "\r\n");
	if (m == LA_M_OPTIONS)
		la_resp_empty(r, 204);
	else
		la_resp_error(r, 405, "Method Not Allowed. Allowed: GET");
}

static int
router_is(const struct la_req *r, const char *s)
{
	size_t n = strlen(s);

	return (r->path_len == n && memcmp(r->path, s, n) == 0);
}

static int
router_login(struct la_req *r)
{
	const struct la_worker *w = r->w;

	if (w->login_path == NULL ||
	    (!router_is(r, w->login_path) && !router_is(r, w->token_path)))
		return (0);
	r->endpoint = "login";
	if (!la_cors_preflight(r, LA_M_POST))
		la_handler_login(r);
	return (1);
}

/* Endpoint routes: exact first, then "route/{id}". */
static int
router_endpoints(struct la_req *r)
{
	const struct la_worker *w = r->w;
	const struct la_route *rt;
	size_t i;

	for (i = 0; i < w->nroutes; i++) {
		rt = &w->routes[i];
		if (rt->len == r->path_len &&
		    memcmp(rt->path, r->path, rt->len) == 0) {
			r->endpoint = rt->path;
			la_handler_crud(r, rt->t, NULL, 0);
			return (1);
		}
	}
	for (i = 0; i < w->nroutes; i++) {
		rt = &w->routes[i];
		if (r->path_len > rt->len + 1 &&
		    memcmp(rt->path, r->path, rt->len) == 0 &&
		    r->path[rt->len] == '/' &&
		    memchr(r->path + rt->len + 1, '/',
		        r->path_len - rt->len - 1) == NULL) {
			r->endpoint = rt->path;
			la_handler_crud(r, rt->t, r->path + rt->len + 1,
			    r->path_len - rt->len - 1);
			return (1);
		}
	}
	return (0);
}

void
la_router_dispatch(struct la_req *r)
{
	const struct la_str *p = &r->http->path;
	char *dec = la_arena_alloc(r->a, p->len + 1);
	ssize_t n = la_url_decode(p->p, p->len, dec, 0);

	if (n < 0) {
		la_resp_error(r, 400, "bad request");
		return;
	}
	dec[n] = '\0';
	if (n > 1 && dec[n - 1] == '/')
		dec[--n] = '\0';
	r->path = dec;
	r->path_len = (size_t)n;
	if (router_is(r, "/healthz"))
		router_meta(r, la_handler_healthz);
	else if (router_is(r, "/readyz"))
		router_meta(r, la_handler_readyz);
	else if (router_login(r))
		;
	else if (!router_endpoints(r))
		la_resp_error(r, 404, "not found");
	la_cors_headers(r);
}
