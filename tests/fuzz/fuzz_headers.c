/*
 * Fuzz target for the request headers the middlewares read: the
 * X-Forwarded-For and Forwarded walk returns the peer or an address that
 * parses again, NUL-terminated within its buffer; a trusted-proxy network
 * that parses prints as text that parses to the same network; and
 * Accept-Encoding says 0 or 1. The first byte picks which header the rest
 * is.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acceptenc.h"
#include "proxyaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_walk(const char *in, size_t size, int forwarded)
{
	static const char peer[] = "127.0.0.1";
	char out[LA_PROXYADDR_LEN], buf[16];
	struct la_cidr t[3];
	const char *c;

	la_cidr_loopback(t);
	(void)la_cidr_parse("10.0.0.0/8", &t[2]);
	c = la_proxyaddr_client(peer, forwarded ? NULL : in, size,
	    forwarded ? in : NULL, size, t, 3, out);
	if (c == peer)
		return;
	if (c != out || memchr(out, '\0', sizeof(out)) == NULL ||
	    (inet_pton(AF_INET, out, buf) != 1 &&
	        inet_pton(AF_INET6, out, buf) != 1))
		abort();
}

static void
fuzz_cidr(const char *in, size_t size)
{
	char *s = malloc(size + 1), text[LA_CIDR_LEN];
	struct la_cidr c, again;

	memcpy(s, in, size);
	s[size] = '\0';
	if (la_cidr_parse(s, &c) == 0) {
		la_cidr_format(&c, text);
		if (la_cidr_parse(text, &again) != 0 || again.bits != c.bits ||
		    memcmp(again.net, c.net, sizeof(c.net)) != 0)
			abort();
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data + 1;
	int r;

	if (size == 0)
		return (0);
	size--;
	switch (data[0] % 4) {
	case 0:
		fuzz_walk(in, size, 0);
		break;
	case 1:
		fuzz_walk(in, size, 1);
		break;
	case 2:
		fuzz_cidr(in, size);
		break;
	default:
		r = la_acceptenc_gzip(in, size);
		if (r != 0 && r != 1)
			abort();
	}
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
