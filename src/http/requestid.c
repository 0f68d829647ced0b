/*
 * Request ids (see requestid.h). The generator is xorshift128+, seeded
 * from the system's random source in each process (again after a fork):
 * ids need to be unique, not secret, and a request should not pay for a
 * system call or a CSPRNG.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "la.h"
#include "arena.h"
#include "log.h"
#include "pipeline.h"
#include "requestid.h"

static uint64_t requestid_s[2];
static pid_t requestid_pid;

int
la_requestid_sane(const char *v, size_t len)
{
	size_t i;
	char ch;

	if (len == 0 || len > LA_REQUESTID_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		ch = v[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		        (ch >= '0' && ch <= '9') ||
		        strchr("._:+/=@-", ch) != NULL))
			return (0);
	}
	return (1);
}

static uint64_t
requestid_next(void)
{
	uint64_t x = requestid_s[0], y = requestid_s[1];

	requestid_s[0] = y;
	x ^= x << 23;
	requestid_s[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
	return (requestid_s[1] + y);
}

static void
requestid_seed(void)
{
	pid_t pid = getpid();

	if (pid == requestid_pid)
		return;
	requestid_pid = pid;
	if (RAND_bytes((unsigned char *)requestid_s, sizeof(requestid_s)) !=
	    1) {
		/* Unique per process and time is still unique enough. */
		requestid_s[0] =
		    (uint64_t)pid << 32 ^ (uint64_t)la_monotonic_ms();
		requestid_s[1] =
		    (uint64_t)(uintptr_t)&requestid_s ^ 0x9e3779b97f4a7c15ull;
	}
	if (requestid_s[0] == 0 && requestid_s[1] == 0)
		requestid_s[1] = 1; /* the one state xorshift never leaves */
}

void
la_requestid_new(char out[LA_REQUESTID_GEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v;
	int i, j;

	requestid_seed();
	for (i = 0; i < 2; i++) {
		v = requestid_next();
		for (j = 0; j < 16; j++, v >>= 4)
			out[i * 16 + j] = hex[v & 15];
	}
	out[LA_REQUESTID_GEN] = '\0';
}

static const char *
requestid_choose(struct la_req *r)
{
	const struct la_str *in = la_http_header(r->http, "X-Request-Id");
	char id[LA_REQUESTID_GEN + 1];

	if (in != NULL && la_requestid_sane(in->p, in->len))
		return (la_arena_strndup(r->a, in->p, in->len));
	la_requestid_new(id);
	return (la_arena_strdup(r->a, id));
}

int
la_requestid_phase(struct la_req *r)
{
	if (r->request_id == NULL)
		r->request_id = requestid_choose(r);
	la_log_set_request(r->request_id);
	return (LA_PHASE_NEXT);
}

int
la_requestid_filter(struct la_req *r)
{
	if (r->request_id == NULL)
		la_requestid_phase(r);
	la_resp_header_set(&r->resp, "X-Request-Id", r->request_id);
	return (LA_PHASE_NEXT);
}

const char *
la_requestid_raw(const struct la_conf *c, const struct la_http_req *req,
    char out[LA_REQUESTID_MAX + 1])
{
	const struct la_str *in;

	if (!la_conf_has_middleware(c, "RequestIdMiddleware"))
		return (NULL);
	in = req != NULL ? la_http_header(req, "X-Request-Id") : NULL;
	if (in != NULL && la_requestid_sane(in->p, in->len)) {
		memcpy(out, in->p, in->len);
		out[in->len] = '\0';
	} else
		la_requestid_new(out);
	return (out);
}
