/*
 * Access log (see accesslog.h).
 */
#include <stdio.h>
#include <time.h>

#include "accesslog.h"
#include "log.h"

int
la_accesslog_phase(struct la_req *r)
{
	char line[2048], when[64];
	const struct la_http_req *h = r->http;
	const struct la_str *ua, *ref;
	time_t now;
	struct tm tm;
	int n;

	if (!la_log_access_enabled())
		return (0);
	ua = la_http_header(h, "User-Agent");
	ref = la_http_header(h, "Referer");
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
	n = snprintf(line, sizeof(line),
	    "%s - - [%s] \"%.*s %.*s HTTP/1.%d\" %d %zu \"%.*s\" \"%.*s\" "
	    "%.3f %s\n",
	    r->peer, when, (int)h->method.len, h->method.p, (int)h->target.len,
	    h->target.p, h->minor, r->resp.status,
	    r->head_only || r->resp.no_body ? 0 : r->resp.body->len,
	    ref ? (int)ref->len : 1, ref ? ref->p : "-", ua ? (int)ua->len : 1,
	    ua ? ua->p : "-", (double)r->elapsed_ms / 1000.0,
	    r->request_id != NULL ? r->request_id : "-");
	if (n > 0)
		la_log_access(line,
		    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	return (0);
}
