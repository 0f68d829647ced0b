/*
 * Tests for lib/proxyaddr.c: CIDR parsing and matching (IPv4, IPv6,
 * IPv4-mapped), and the client address from X-Forwarded-For and
 * Forwarded behind trusted and untrusted peers.
 */
#include <stdio.h>
#include <string.h>

#include "la.h"
#include "proxyaddr.h"
#include "tap.h"

static int
in(const char *cidr, const char *addr)
{
	struct la_cidr c;

	if (la_cidr_parse(cidr, &c) != 0)
		return (-1);
	return (la_cidr_match(&c, 1, addr, strlen(addr)));
}

static const char *
fmt(const char *s)
{
	static char out[LA_CIDR_LEN];
	struct la_cidr c;

	if (la_cidr_parse(s, &c) != 0)
		return (NULL);
	la_cidr_format(&c, out);
	return (out);
}

static void
test_cidr(void)
{
	struct la_cidr c;

	is_int(in("10.0.0.0/8", "10.1.2.3"), 1, "10.1.2.3 in 10/8");
	is_int(in("10.0.0.0/8", "11.0.0.1"), 0, "11.0.0.1 not in 10/8");
	is_int(in("10.9.9.9/8", "10.0.0.1"), 1, "host bits are ignored");
	is_int(in("192.168.1.0/23", "192.168.0.255"), 1, "odd prefix, in");
	is_int(in("192.168.1.0/23", "192.168.2.0"), 0, "odd prefix, out");
	is_int(in("0.0.0.0/0", "8.8.8.8"), 1, "/0 takes every IPv4");
	is_int(in("0.0.0.0/0", "2001:db8::1"), 0, "but no IPv6");
	is_int(in("127.0.0.1", "127.0.0.1"), 1, "a bare address");
	is_int(in("127.0.0.1", "127.0.0.2"), 0, "is all its bits");
	is_int(in("fd00::/8", "fd12:3456::1"), 1, "IPv6 prefix, in");
	is_int(in("fd00::/8", "fe80::1"), 0, "IPv6 prefix, out");
	is_int(in("::1", "::1"), 1, "IPv6 loopback");
	is_int(in("10.0.0.0/8", "::ffff:10.0.0.7"), 1,
	    "an IPv4-mapped peer matches its IPv4 network");
	is_int(in("10.0.0.0/8", "garbage"), 0, "garbage matches nothing");
	ok(la_cidr_parse("10.0.0.0/33", &c) == -1, "/33 on IPv4 refused");
	ok(la_cidr_parse("::/129", &c) == -1, "/129 refused");
	ok(la_cidr_parse("10.0.0.0/", &c) == -1, "empty prefix refused");
	ok(la_cidr_parse("10.0.0.0/-1", &c) == -1, "negative prefix refused");
	ok(la_cidr_parse("10.0.0.0/+8", &c) == -1, "signed prefix refused");
	ok(la_cidr_parse("example.com", &c) == -1, "a name refused");
	ok(la_cidr_parse("", &c) == -1, "empty refused");
	is_str(fmt("10.9.9.9/8"), "10.0.0.0/8", "IPv4 network as text");
	is_str(fmt("192.0.2.7"), "192.0.2.7/32", "a bare IPv4 address");
	is_str(fmt("FD00:1::/8"), "fd00::/8", "IPv6 network as text");
	is_str(fmt("::1"), "::1/128", "a bare IPv6 address");
	is_str(fmt("::/0"), "::/0", "every IPv6 address");
}

static const char *
client(const char *peer, const char *xff, const char *fwd)
{
	static char out[LA_PROXYADDR_LEN];
	struct la_cidr t[3];

	la_cidr_loopback(t);
	(void)la_cidr_parse("10.0.0.0/8", &t[2]);
	return (la_proxyaddr_client(peer, xff, xff ? strlen(xff) : 0, fwd,
	    fwd ? strlen(fwd) : 0, t, 3, out));
}

static void
test_client(void)
{
	is_str(client("203.0.113.9", "1.2.3.4", NULL), "203.0.113.9",
	    "an untrusted peer's header is ignored");
	is_str(client("127.0.0.1", NULL, NULL), "127.0.0.1",
	    "no header: the peer");
	is_str(client("127.0.0.1", "198.51.100.7", NULL), "198.51.100.7",
	    "one hop through a trusted proxy");
	is_str(client("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.1.1", NULL),
	    "198.51.100.7", "the rightmost untrusted hop, not the spoofed one");
	is_str(client("127.0.0.1", "10.0.0.2,10.0.0.1", NULL), "10.0.0.2",
	    "all hops trusted: the leftmost");
	is_str(client("127.0.0.1", "6.6.6.6, unknown, 10.0.0.1", NULL),
	    "10.0.0.1", "a hop that is no address ends the walk");
	is_str(client("127.0.0.1", "198.51.100.7:5555", NULL), "198.51.100.7",
	    "an IPv4 port is dropped");
	is_str(client("127.0.0.1", "[2001:db8::7]:80", NULL), "2001:db8::7",
	    "a bracketed IPv6 with port");
	is_str(client("127.0.0.1", "2001:DB8:0::7", NULL), "2001:db8::7",
	    "IPv6 normalised");
	is_str(client("::1", "::ffff:198.51.100.7", NULL), "198.51.100.7",
	    "IPv4-mapped shown as IPv4");
	is_str(client("127.0.0.1", "", NULL), "127.0.0.1",
	    "an empty header: the peer");
	is_str(client("127.0.0.1", NULL,
	           "for=6.6.6.6, for=198.51.100.7;proto=https"),
	    "198.51.100.7", "Forwarded for=, rightmost untrusted");
	is_str(client("127.0.0.1", NULL, "For=\"[2001:db8:cafe::17]:4711\""),
	    "2001:db8:cafe::17", "Forwarded quoted IPv6 with port");
	is_str(client("127.0.0.1", NULL, "proto=https;by=10.0.0.1"),
	    "127.0.0.1", "Forwarded without for=: the peer");
	is_str(client("127.0.0.1", NULL, "for=_hidden"), "127.0.0.1",
	    "an obfuscated node: the peer");
	is_str(client("127.0.0.1", "198.51.100.7", "for=6.6.6.6"),
	    "198.51.100.7", "X-Forwarded-For wins over Forwarded");
	is_str(client("203.0.113.9", NULL, "for=1.2.3.4"), "203.0.113.9",
	    "Forwarded from an untrusted peer is ignored");
}

int
main(void)
{
	test_cidr();
	test_client();
	return (done_testing());
}
