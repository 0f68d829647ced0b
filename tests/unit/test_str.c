/* Unit tests for lib/str.c: strict number parsing. */
#include <string.h>

#include "la.h"
#include "str.h"
#include "tap.h"

static int
i64(const char *s, int64_t *v)
{
	return (la_str_to_i64(s, strlen(s), v));
}

static int
dbl(const char *s, double *v)
{
	return (la_str_to_double(s, strlen(s), v));
}

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		size_t n; /* the first sequence's length, 0: invalid */
	} c[] = {
	    {"a", 1},
	    {"\xc3\xa9", 2},
	    {"\xe2\x82\xac", 3},
	    {"\xf0\x9d\x84\x9e", 4},
	    {"\xf4\x8f\xbf\xbf", 4},
	    {"\xed\x9f\xbf", 3},
	    {"\xc0\xaf", 0},
	    {"\xc1\xbf", 0},
	    {"\xe0\x80\xaf", 0},
	    {"\xf0\x80\x80\xaf", 0},
	    {"\xed\xa0\x80", 0},
	    {"\xf4\x90\x80\x80", 0},
	    {"\xf5\x80\x80\x80", 0},
	    {"\x80", 0},
	    {"\xe2\x82", 0},
	    {"\xe2\x28\xa1", 0},
	};
	size_t i;

	for (i = 0; i < LA_NELEM(c); i++)
		is_int(la_str_utf8_seq((const unsigned char *)c[i].s,
		           strlen(c[i].s)),
		    c[i].n, "UTF-8 sequence %zu", i);
	ok(la_str_utf8_valid("caf\xc3\xa9 \xe2\x82\xac", 9), "valid text");
	ok(!la_str_utf8_valid("ok\xff", 3), "a bad byte at the end");
	ok(la_str_utf8_valid("", 0), "empty is valid");
}

int
main(void)
{
	struct la_str v = {"Content-Length", 14};
	int64_t i;
	double d;

	test_utf8();
	ok(la_str_eq(v, "Content-Length"), "eq");
	ok(!la_str_eq(v, "content-length"), "eq is case-sensitive");
	ok(la_str_caseeq(v, "content-length"), "caseeq");
	ok(i64("12", &i) == 0 && i == 12, "12");
	ok(i64("-9223372036854775808", &i) == 0 && i == INT64_MIN, "INT64_MIN");
	ok(i64("9223372036854775807", &i) == 0 && i == INT64_MAX, "INT64_MAX");
	ok(i64("9223372036854775808", &i) != 0, "overflow rejected");
	ok(i64("999999999999999999", &i) == 0 && i == 999999999999999999LL,
	    "18 digits, the unchecked path");
	ok(i64("-000000000000000000012", &i) == 0 && i == -12,
	    "leading zeros past 18 digits");
	ok(i64("99999999999999999999", &i) != 0, "20 digits rejected");
	ok(i64("12345678901234567x", &i) != 0, "junk within 18 digits");
	ok(i64(" 1", &i) != 0, "leading space rejected");
	ok(i64("1a", &i) != 0, "trailing junk rejected");
	ok(i64("", &i) != 0 && i64("-", &i) != 0, "empty rejected");
	ok(i64("0x10", &i) != 0, "hex rejected");
	ok(dbl("1.5", &d) == 0 && d == 1.5, "1.5");
	ok(dbl("-2e3", &d) == 0 && d == -2000, "exponent");
	ok(dbl(".5", &d) == 0 && d == 0.5, ".5");
	ok(dbl("inf", &d) != 0 && dbl("nan", &d) != 0, "inf and nan rejected");
	ok(dbl("1e999", &d) != 0, "overflow to infinity rejected");
	ok(dbl("0x1p3", &d) != 0, "hex float rejected");
	ok(dbl("1e", &d) != 0 && dbl("e1", &d) != 0, "bad exponent rejected");
	v = la_str_trim((struct la_str){"  a b\t", 6});
	ok(v.len == 3 && memcmp(v.p, "a b", 3) == 0, "trim");
	return (done_testing());
}
