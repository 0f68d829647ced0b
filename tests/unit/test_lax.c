/*
 * Unit tests for lib/lax.c: Python's int() text syntax as Pydantic's lax
 * mode reads it, JSON numbers that must be integral, the int64 range,
 * str.strip() and the non-finite names.
 */
#include <string.h>

#include "lax.h"
#include "tap.h"

static int64_t got;

static enum la_lax_int
text(const char *s)
{
	got = -424242;
	return (la_lax_int_text(s, strlen(s), &got));
}

static enum la_lax_int
number(const char *s)
{
	got = -424242;
	return (la_lax_int_number(s, &got));
}

static void
test_text(void)
{
	is_int(text("12"), LA_LAX_OK, "12");
	is_int(got, 12, "is 12");
	is_int(text("  -12 \t\n"), LA_LAX_OK, "whitespace trimmed");
	is_int(got, -12, "is -12");
	is_int(text("+7"), LA_LAX_OK, "plus sign");
	is_int(got, 7, "is 7");
	is_int(text("1_000_000"), LA_LAX_OK, "underscores between digits");
	is_int(got, 1000000, "is 1000000");
	is_int(text("12.000"), LA_LAX_OK, "all-zero fraction");
	is_int(got, 12, "is 12 again");
	is_int(text("12."), LA_LAX_OK, "bare point");
	is_int(got, 12, "12. is 12");
	is_int(text("0000000000000000000000000000042"), LA_LAX_OK,
	    "leading zeros past 19 digits");
	is_int(got, 42, "is 42");
	is_int(text("-0"), LA_LAX_OK, "-0");
	is_int(got, 0, "is 0");
	is_int(text("9223372036854775807"), LA_LAX_OK, "INT64_MAX");
	is_int(got, INT64_MAX, "is INT64_MAX");
	is_int(text("-9223372036854775808"), LA_LAX_OK, "INT64_MIN");
	ok(got == INT64_MIN, "is INT64_MIN");
	is_int(text("9223372036854775808"), LA_LAX_HIGH, "INT64_MAX + 1");
	is_int(text("-9223372036854775809"), LA_LAX_LOW, "INT64_MIN - 1");
	is_int(text("99999999999999999999999999"), LA_LAX_HIGH,
	    "many digits: high, not a parse error");
	is_int(text("-99999999999999999999999999"), LA_LAX_LOW,
	    "many digits, negative: low");
	is_int(text("12.5"), LA_LAX_PARSING, "fraction");
	is_int(text("1e3"), LA_LAX_PARSING, "exponent");
	is_int(text("1__0"), LA_LAX_PARSING, "double underscore");
	is_int(text("_1"), LA_LAX_PARSING, "leading underscore");
	is_int(text("1_"), LA_LAX_PARSING, "trailing underscore");
	is_int(text("0x10"), LA_LAX_PARSING, "hex");
	is_int(text(""), LA_LAX_PARSING, "empty");
	is_int(text("   "), LA_LAX_PARSING, "blank");
	is_int(text("-"), LA_LAX_PARSING, "sign alone");
	is_int(text("1 2"), LA_LAX_PARSING, "inner space");
	is_int(got, -424242, "untouched on failure");
}

static void
test_number(void)
{
	is_int(number("42"), LA_LAX_OK, "integer");
	is_int(got, 42, "is 42");
	is_int(number("2.0"), LA_LAX_OK, "integral double");
	is_int(got, 2, "is 2");
	is_int(number("1e3"), LA_LAX_OK, "exponent");
	is_int(got, 1000, "is 1000");
	is_int(number("-9223372036854775808"), LA_LAX_OK, "INT64_MIN exact");
	ok(got == INT64_MIN, "is INT64_MIN");
	is_int(number("2.5"), LA_LAX_FRACTION, "fraction");
	is_int(number("9223372036854775808"), LA_LAX_HIGH, "2^63 is high");
	is_int(number("-9223372036854775809"), LA_LAX_OK,
	    "INT64_MIN - 1 rounds to INT64_MIN as a double");
	is_int(number("-1e19"), LA_LAX_LOW, "-1e19 is low");
	is_int(number("1e400"), LA_LAX_INF, "overflow is infinite");
}

static void
test_helpers(void)
{
	struct la_str t;

	t = la_lax_trim(" \t\r\n\v\fab c\f", 11);
	ok(t.len == 4 && memcmp(t.p, "ab c", 4) == 0, "strip both ends");
	t = la_lax_trim("   ", 3);
	is_int(t.len, 0, "all blank");
	t = la_lax_trim("\xc2\xa0x", 3);
	is_int(t.len, 3, "no-break space is not ASCII whitespace");

	ok(la_lax_is_nonfinite(la_lax_trim("inf", 3)), "inf");
	ok(la_lax_is_nonfinite(la_lax_trim("-Infinity", 9)), "-Infinity");
	ok(la_lax_is_nonfinite(la_lax_trim("+NaN", 4)), "+NaN");
	ok(la_lax_is_nonfinite(la_lax_trim("sNaN", 4)), "sNaN");
	ok(!la_lax_is_nonfinite(la_lax_trim("infinit", 7)), "not infinit");
	ok(!la_lax_is_nonfinite(la_lax_trim("--inf", 5)), "not --inf");
	ok(!la_lax_is_nonfinite(la_lax_trim("1", 1)), "not 1");
}

int
main(void)
{
	test_text();
	test_number();
	test_helpers();
	return (done_testing());
}
