/*
 * Client address behind trusted proxies (see clientaddr.h).
 *
 * Without server.trusted_proxies only loopback peers are trusted: a proxy
 * on the same host is the common case, and trusting more than that by
 * default would let any client choose the address it is counted under.
 */
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "clientaddr.h"
#include "pipeline.h"
#include "proxyaddr.h"

/*
 * Every field of that name joined with ", ", as one list (RFC 9110 5.3):
 * a proxy may append its own field rather than extend the client's, and
 * the rightmost hop must be the last one written. NULL when absent.
 */
static const char *
clientaddr_joined(struct la_req *r, const char *name, size_t *len)
{
	const struct la_http_req *h = r->http;
	struct la_buf b;
	const char *v = NULL;
	size_t i, n = 0;

	la_buf_init(&b);
	for (i = 0; i < h->nheaders; i++) {
		if (!la_str_caseeq(h->headers[i].name, name))
			continue;
		if (n++ > 0)
			la_buf_puts(&b, ", ");
		la_buf_append(&b, h->headers[i].value.p,
		    h->headers[i].value.len);
	}
	if (n > 0) {
		*len = b.len;
		v = la_arena_strndup(r->a, b.data != NULL ? b.data : "", b.len);
	}
	la_buf_free(&b);
	return (v);
}

int
la_clientaddr_phase(struct la_req *r)
{
	const struct la_conf_server *s = &r->ctx->conf->server;
	struct la_cidr loop[2];
	const struct la_cidr *t = s->trusted_proxies;
	size_t nt = s->ntrusted_proxies, xlen = 0, flen = 0;
	const char *xff, *fwd, *addr;
	char out[LA_PROXYADDR_LEN];

	if (!s->trust_proxy)
		return (LA_PHASE_NEXT);
	if (t == NULL) {
		nt = la_cidr_loopback(loop);
		t = loop;
	}
	/* Cheap refusal first: an untrusted peer's headers are not read. */
	if (!la_cidr_match(t, nt, r->peer, strlen(r->peer)))
		return (LA_PHASE_NEXT);
	r->via_proxy = 1;
	xff = clientaddr_joined(r, "X-Forwarded-For", &xlen);
	fwd = clientaddr_joined(r, "Forwarded", &flen);
	addr = la_proxyaddr_client(r->peer, xff, xlen, fwd, flen, t, nt, out);
	if (addr != r->peer)
		r->peer = la_arena_strdup(r->a, addr);
	return (LA_PHASE_NEXT);
}
