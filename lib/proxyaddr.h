/*
 * The client's address behind trusted reverse proxies: CIDR lists and the
 * X-Forwarded-For and Forwarded (RFC 7239) headers. Pure parsing: the
 * caller passes the socket's peer address and the header values.
 *
 * The walk starts at the socket's peer and goes right to left through the
 * hops the proxies appended: while the address at hand is a trusted proxy
 * the next hop to the left is believed, and the first untrusted address
 * is the client. Whatever is left of it was written by the client itself
 * and is never looked at, so a spoofed header gains nothing. A hop that is
 * not an IP address ("unknown", an obfuscated Forwarded node, garbage)
 * ends the walk at the last address checked.
 */
#ifndef LA_PROXYADDR_H
#define LA_PROXYADDR_H

#include <stddef.h>

/* An IPv4 network is kept as its IPv4-mapped IPv6 form (::ffff:a.b.c.d). */
struct la_cidr {
	unsigned char net[16];
	int bits; /* prefix length over the 128 bits */
};

/* The longest address text kept (an IPv6 address, NUL included). */
#define LA_PROXYADDR_LEN 46

/*
 * "10.0.0.0/8", "fd00::/8", or a bare address (all its bits). Host bits
 * past the prefix are ignored. 0, or -1 when it is none of those.
 */
int la_cidr_parse(const char *s, struct la_cidr *c);
/* 1 when the address text s[0..len) lies in one of the n networks. */
int la_cidr_match(const struct la_cidr *v, size_t n, const char *s, size_t len);
/* c as text ("10.0.0.0/8", "fd00::/8") into out, for the -T dump. */
#define LA_CIDR_LEN (LA_PROXYADDR_LEN + 4)
void la_cidr_format(const struct la_cidr *c, char out[LA_CIDR_LEN]);
/* The loopback networks (127.0.0.0/8 and ::1), the default list. */
size_t la_cidr_loopback(struct la_cidr v[2]);

/*
 * The client address for a request from peer, given the
 * X-Forwarded-For list (xff, NULL when absent) and the Forwarded value
 * (fwd, NULL when absent); X-Forwarded-For is used when both are there.
 * Writes it, normalised (no port, brackets or quotes; an IPv4-mapped
 * IPv6 address as IPv4), to out; returns peer when no header applies.
 */
const char *la_proxyaddr_client(const char *peer, const char *xff,
    size_t xff_len, const char *fwd, size_t fwd_len,
    const struct la_cidr *trusted, size_t ntrusted, char out[LA_PROXYADDR_LEN]);

#endif
