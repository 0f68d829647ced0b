/*
 * Client address behind trusted proxies (see proxyaddr.h).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proxyaddr.h"
#include "str.h"

/* s[0..len) as 16 bytes, IPv4 as IPv4-mapped IPv6; 0 or -1. */
static int
proxyaddr_parse(const char *s, size_t len, unsigned char a[16], int *v4)
{
	char buf[LA_PROXYADDR_LEN];

	if (len == 0 || len >= sizeof(buf))
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	*v4 = 0;
	if (inet_pton(AF_INET, buf, a + 12) == 1) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		*v4 = 1;
		return (0);
	}
	return (inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1);
}

static void
proxyaddr_mask(unsigned char a[16], int bits)
{
	int i;

	for (i = 0; i < 16; i++, bits -= 8)
		if (bits <= 0)
			a[i] = 0;
		else if (bits < 8)
			a[i] &= (unsigned char)(0xff00u >> bits);
}

int
la_cidr_parse(const char *s, struct la_cidr *c)
{
	const char *slash = strchr(s, '/');
	size_t len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int64_t bits;
	int v4;

	if (proxyaddr_parse(s, len, c->net, &v4) != 0)
		return (-1);
	c->bits = 128;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9' ||
		    la_str_to_i64(slash + 1, strlen(slash + 1), &bits) != 0 ||
		    bits > (v4 ? 32 : 128))
			return (-1);
		c->bits = (int)bits + (v4 ? 96 : 0);
	}
	proxyaddr_mask(c->net, c->bits);
	return (0);
}

int
la_cidr_match(const struct la_cidr *v, size_t n, const char *s, size_t len)
{
	unsigned char a[16], m[16];
	size_t i;
	int v4;

	if (proxyaddr_parse(s, len, a, &v4) != 0)
		return (0);
	for (i = 0; i < n; i++) {
		memcpy(m, a, sizeof(m));
		proxyaddr_mask(m, v[i].bits);
		if (memcmp(m, v[i].net, sizeof(m)) == 0)
			return (1);
	}
	return (0);
}

void
la_cidr_format(const struct la_cidr *c, char out[LA_CIDR_LEN])
{
	int v4 = c->bits >= 96 &&
	         memcmp(c->net, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;

	if (v4)
		inet_ntop(AF_INET, c->net + 12, out, LA_CIDR_LEN);
	else
		inet_ntop(AF_INET6, c->net, out, LA_CIDR_LEN);
	snprintf(out + strlen(out), LA_CIDR_LEN - strlen(out), "/%d",
	    v4 ? c->bits - 96 : c->bits);
}

size_t
la_cidr_loopback(struct la_cidr v[2])
{
	(void)la_cidr_parse("127.0.0.0/8", &v[0]);
	(void)la_cidr_parse("::1", &v[1]);
	return (2);
}

/* Trims blanks around s[0..*n). */
static const char *
proxyaddr_trim(const char *s, size_t *n)
{
	const char *e = s + *n;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*n = (size_t)(e - s);
	return (s);
}

/* A node ("1.2.3.4", "1.2.3.4:80", "[::1]:80", "::1", quoted or not)
 * reduced to its address. */
static const char *
proxyaddr_node(const char *s, size_t *n)
{
	const char *e, *c;

	s = proxyaddr_trim(s, n);
	e = s + *n;
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		s++;
		e--;
	}
	if (s < e && *s == '[') {
		if ((c = memchr(s, ']', (size_t)(e - s))) != NULL) {
			s++;
			e = c;
		}
	} else if ((c = memchr(s, ':', (size_t)(e - s))) != NULL &&
	           memchr(c + 1, ':', (size_t)(e - c - 1)) == NULL)
		e = c; /* one colon: IPv4 with a port */
	*n = (size_t)(e - s);
	return (s);
}

/* The for= value of one Forwarded element, or NULL. */
static const char *
proxyaddr_for(const char *s, size_t *n)
{
	const char *e = s + *n, *p, *semi;
	size_t len;

	for (p = s; p < e; p = semi + 1) {
		if ((semi = memchr(p, ';', (size_t)(e - p))) == NULL)
			semi = e;
		len = (size_t)(semi - p);
		p = proxyaddr_trim(p, &len);
		if (len > 4 && strncasecmp(p, "for=", 4) == 0) {
			*n = len - 4;
			return (p + 4);
		}
	}
	return (NULL);
}

static const char *
proxyaddr_out(const char *s, size_t len, char out[LA_PROXYADDR_LEN])
{
	unsigned char a[16];
	int v4;

	if (proxyaddr_parse(s, len, a, &v4) != 0) {
		snprintf(out, LA_PROXYADDR_LEN, "%.*s", (int)len, s);
		return (out);
	}
	if (v4 || (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0))
		inet_ntop(AF_INET, a + 12, out, LA_PROXYADDR_LEN);
	else
		inet_ntop(AF_INET6, a, out, LA_PROXYADDR_LEN);
	return (out);
}

const char *
la_proxyaddr_client(const char *peer, const char *xff, size_t xff_len,
    const char *fwd, size_t fwd_len, const struct la_cidr *trusted,
    size_t ntrusted, char out[LA_PROXYADDR_LEN])
{
	const char *list = xff != NULL ? xff : fwd, *end, *p, *h;
	const char *cur = peer;
	size_t curlen = strlen(peer), hn;
	unsigned char a[16];
	int v4;

	if (list == NULL)
		return (peer);
	end = list + (xff != NULL ? xff_len : fwd_len);
	while (end > list && la_cidr_match(trusted, ntrusted, cur, curlen)) {
		for (p = end; p > list && p[-1] != ','; p--)
			;
		hn = (size_t)(end - p);
		end = p > list ? p - 1 : list;
		h = p;
		if (xff == NULL && (h = proxyaddr_for(h, &hn)) == NULL)
			break;
		h = proxyaddr_node(h, &hn);
		if (proxyaddr_parse(h, hn, a, &v4) != 0)
			break;
		cur = h;
		curlen = hn;
	}
	if (cur == peer)
		return (peer);
	return (proxyaddr_out(cur, curlen, out));
}
