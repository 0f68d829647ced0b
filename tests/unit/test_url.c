/*
 * Tests of percent-decoding, query splitting and encoding. Inputs are
 * copied into heap blocks of their exact size so that the address
 * sanitizer catches reads past len.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "la.h"
#include "tap.h"
#include "url.h"

static char *
dup_exact(const char *s, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	memcpy(p, s, len);
	return (p);
}

/* want NULL: the input is refused. */
static const struct {
	const char *in;
	int plus;
	const char *want;
} decode_cases[] = {
    {"", 0, ""},
    {"abc", 0, "abc"},
    {"a%20b", 0, "a b"},
    {"%41%42", 0, "AB"},
    {"%4a%4A", 0, "JJ"},
    {"%C3%A9", 0, "\xc3\xa9"},
    {"%ff", 0, "\xff"},
    {"%0a%01", 0, "\n\x01"},
    {"%25", 0, "%"},
    {"a+b", 1, "a b"},
    {"a+b", 0, "a+b"},
    {"%2B", 1, "+"},
    {"/p/x%2Fy", 0, "/p/x/y"},
    {"%00", 0, NULL},
    {"a%00b", 1, NULL},
    {"%", 0, NULL},
    {"a%", 0, NULL},
    {"%4", 0, NULL},
    {"a%4", 0, NULL},
    {"%G0", 0, NULL},
    {"%0G", 0, NULL},
    {"%%", 0, NULL},
    {"%-1", 0, NULL},
    {"% 1", 0, NULL},
};

static void
test_decode(void)
{
	char *in, out[64];
	size_t i, n;
	ssize_t r;

	is_int(la_url_decode("a\0b", 3, out, 0), -1, "a raw NUL is refused");
	for (i = 0; i < LA_NELEM(decode_cases); i++) {
		n = strlen(decode_cases[i].in);
		in = dup_exact(decode_cases[i].in, n);
		memset(out, '#', sizeof(out));
		r = la_url_decode(in, n, out, decode_cases[i].plus);
		free(in);
		if (decode_cases[i].want == NULL) {
			is_int(r, -1, "decode '%s' refused",
			    decode_cases[i].in);
			continue;
		}
		ok(r == (ssize_t)strlen(decode_cases[i].want) &&
		        memcmp(out, decode_cases[i].want, (size_t)r) == 0,
		    "decode '%s' plus=%d", decode_cases[i].in,
		    decode_cases[i].plus);
	}
}

/* Renders the parameters as k=v joined by '&'; NULL when refused. */
static const char *
query_render(const char *q, struct la_arena *a, struct la_buf *b)
{
	struct la_qparam *p;
	char *in = dup_exact(q, strlen(q));
	int i, n;

	n = la_url_query_parse(in, strlen(q), a, &p);
	free(in);
	if (n < 0)
		return (NULL);
	la_buf_reset(b);
	la_buf_puts(b, "");
	for (i = 0; i < n; i++) {
		if (strlen(p[i].key) != p[i].klen ||
		    strlen(p[i].value) != p[i].vlen)
			return ("length mismatch");
		la_buf_printf(b, "%s%s=%s", i > 0 ? "&" : "", p[i].key,
		    p[i].value);
	}
	la_buf_printf(b, "#%d", n);
	return (b->data);
}

static const struct {
	const char *q, *want;
} query_cases[] = {
    {"", "#0"},
    {"a=1", "a=1#1"},
    {"a=1&b=2", "a=1&b=2#2"},
    {"a", "a=#1"},
    {"a=", "a=#1"},
    {"=v", "=v#1"},
    {"&", "#0"},
    {"&&&", "#0"},
    {"&&a=1&&b&", "a=1&b=#2"},
    {"a=1;b=2", "a=1;b=2#1"},
    {"a=1&a=2&a=3", "a=1&a=2&a=3#3"},
    {"q=a+b%20c", "q=a b c#1"},
    {"k%3D=v%26", "k==v&#1"},
    {"a=b=c", "a=b=c#1"},
    {"name=caf%C3%A9", "name=caf\xc3\xa9#1"},
    {"x+y=1", "x y=1#1"},
    {"x=%00", NULL},
    {"%00=x", NULL},
    {"ok=1&x=%zz", NULL},
    {"x=%2", NULL},
    {"%", NULL},
};

static void
test_query(void)
{
	struct la_arena *a = la_arena_new(4096);
	struct la_qparam *p = (struct la_qparam *)&p;
	struct la_buf b;
	const char *got;
	size_t i;

	la_buf_init(&b);
	for (i = 0; i < LA_NELEM(query_cases); i++) {
		got = query_render(query_cases[i].q, a, &b);
		is_str(got, query_cases[i].want, "query '%s'",
		    query_cases[i].q);
	}
	is_int(la_url_query_parse("", 0, a, &p), 0, "empty query: 0");
	ok(p == NULL, "empty query: no array");
	la_buf_free(&b);
	la_arena_free(a);
}

static void
test_encode(void)
{
	struct la_buf b;

	la_buf_init(&b);
	la_url_encode(&b, "azAZ09-._~", 10);
	is_str(b.data, "azAZ09-._~", "encode: unreserved kept");
	la_buf_reset(&b);
	la_url_encode(&b, "a b+&=/?#%", 10);
	is_str(b.data, "a%20b%2B%26%3D%2F%3F%23%25", "encode: reserved");
	la_buf_reset(&b);
	la_url_encode(&b, "\xff\x00\n", 3);
	is_str(b.data, "%FF%00%0A", "encode: binary");
	la_buf_reset(&b);
	la_url_encode(&b, "", 0);
	ok(b.data != NULL && b.len == 0 && b.data[0] == '\0', "encode: empty");
	la_buf_puts(&b, "x=");
	la_url_encode(&b, "1 2", 3);
	is_str(b.data, "x=1%202", "encode: appends");
	la_buf_free(&b);
}

/* Every byte but NUL survives encode then decode, with either '+' rule. */
static void
test_round_trip(void)
{
	char all[255], out[255];
	struct la_buf b;
	ssize_t r1, r0;
	int i;

	for (i = 0; i < 255; i++)
		all[i] = (char)(i + 1);
	la_buf_init(&b);
	la_url_encode(&b, all, sizeof(all));
	r1 = la_url_decode(b.data, b.len, out, 1);
	ok(r1 == 255 && memcmp(out, all, 255) == 0, "round trip, plus=1");
	r0 = la_url_decode(b.data, b.len, out, 0);
	ok(r0 == 255 && memcmp(out, all, 255) == 0, "round trip, plus=0");
	la_buf_free(&b);
}

/* Encoded keys and values come back unchanged from la_url_query_parse. */
static void
test_query_round_trip(void)
{
	static const char *const kv[][2] = {
	    {"a&b", "c=d"},
	    {"sp ace", "plus+"},
	    {"pct%", "\xc3\xa9;"},
	    {"k", ""},
	};
	struct la_arena *a = la_arena_new(4096);
	struct la_qparam *p;
	struct la_buf b;
	size_t i;
	int n, good = 1;

	la_buf_init(&b);
	for (i = 0; i < LA_NELEM(kv); i++) {
		if (i > 0)
			la_buf_putc(&b, '&');
		la_url_encode(&b, kv[i][0], strlen(kv[i][0]));
		la_buf_putc(&b, '=');
		la_url_encode(&b, kv[i][1], strlen(kv[i][1]));
	}
	diag("encoded query: %s", b.data);
	n = la_url_query_parse(b.data, b.len, a, &p);
	is_int(n, LA_NELEM(kv), "query round trip: count");
	for (i = 0; n == (int)LA_NELEM(kv) && i < LA_NELEM(kv); i++)
		good &= strcmp(p[i].key, kv[i][0]) == 0 &&
		        strcmp(p[i].value, kv[i][1]) == 0;
	ok(good, "query round trip: keys and values");
	la_buf_free(&b);
	la_arena_free(a);
}

/* Query values that are not UTF-8 read as U+FFFD per bad byte. */
static void
test_query_utf8(void)
{
	struct la_arena *a = la_arena_new(1024);
	struct la_qparam *ps;

	is_int(
	    la_url_query_parse("search=%ff%fe&q=caf%C3%A9&k%80=1", 32, a, &ps),
	    3, "three parameters");
	is_str(ps[0].value, "\xef\xbf\xbd\xef\xbf\xbd", "two bad bytes");
	is_int(ps[0].vlen, 6, "their length");
	is_str(ps[1].value, "caf\xc3\xa9", "valid UTF-8 is kept");
	is_str(ps[2].key, "k\xef\xbf\xbd", "keys too");
	la_arena_free(a);
}

int
main(void)
{
	test_query_utf8();
	test_decode();
	test_query();
	test_encode();
	test_round_trip();
	test_query_round_trip();
	return (done_testing());
}
