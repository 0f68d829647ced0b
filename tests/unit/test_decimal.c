/*
 * Unit tests for lib/decimal.c: Python Decimal() syntax, the exponent
 * bound, half-even rounding with carries, digit counting for max_digits
 * and plain-notation printing.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "decimal.h"
#include "tap.h"

static struct la_arena *arena;

/* The text of s rounded to places (-1: not rounded), or "E". */
static const char *
dec(const char *s, int places)
{
	struct la_decimal x;

	if (la_decimal_parse(s, strlen(s), &x, arena) != 0)
		return ("E");
	if (places >= 0)
		la_decimal_round(&x, places);
	return (la_decimal_text(&x, places >= 0 ? places : 0, arena));
}

/* "digits/decimals" as counted for max_digits. */
static const char *
count(const char *s)
{
	struct la_decimal x;
	int64_t digits, decimals;

	if (la_decimal_parse(s, strlen(s), &x, arena) != 0)
		return ("E");
	la_decimal_count(&x, &digits, &decimals);
	return (la_arena_printf(arena, "%lld/%lld", (long long)digits,
	    (long long)decimals));
}

static void
test_parse(void)
{
	is_str(dec("12.50", -1), "12.50", "as written");
	is_str(dec("+7", -1), "7", "plus sign");
	is_str(dec("-7", -1), "-7", "minus sign");
	is_str(dec(".5", -1), "0.5", "leading point");
	is_str(dec("5.", -1), "5", "trailing point");
	is_str(dec("007.10", -1), "7.10", "leading zeros dropped");
	is_str(dec("1e3", -1), "1000", "exponent: plain notation");
	is_str(dec("1E-3", -1), "0.001", "negative exponent");
	is_str(dec("1.5e+2", -1), "150", "signed exponent");
	is_str(dec("0", -1), "0", "zero");
	is_str(dec("-0", -1), "0", "negative zero prints as zero");
	is_str(dec("-0.000", -1), "0.000", "negative zero keeps its places");
	is_str(dec("00e3", -1), "0", "zero with an exponent");
	is_str(dec("0e-2", -1), "0.00", "zero with a negative exponent");
	is_str(dec("123456789012345678901234567890.123456789", -1),
	    "123456789012345678901234567890.123456789",
	    "more digits than a double holds, exactly");
	is_int(strlen(dec("1e4096", -1)), 4097, "exponent 4096: 4097 digits");
	is_str(dec("1e4097", -1), "E", "exponent above the bound");
	is_str(dec("1e-4097", -1), "E", "exponent below the bound");
	is_str(dec("1e99999999999999999999", -1), "E", "overlong exponent");
	is_str(dec("", -1), "E", "empty");
	is_str(dec(".", -1), "E", "point alone");
	is_str(dec("-", -1), "E", "sign alone");
	is_str(dec("1e", -1), "E", "e without digits");
	is_str(dec("1.2.3", -1), "E", "two points");
	is_str(dec(" 1", -1), "E", "no spaces (callers trim)");
	is_str(dec("1 ", -1), "E", "no trailing space");
	is_str(dec("inf", -1), "E", "inf");
	is_str(dec("NaN", -1), "E", "NaN");
	is_str(dec("0x10", -1), "E", "hex");
	is_str(dec("1_000", -1), "E", "no underscores");
	is_str(dec("--1", -1), "E", "two signs");
}

static void
test_round(void)
{
	is_str(dec("9.999", 2), "10.00", "carry through nines");
	is_str(dec("999.995", 2), "1000.00", "carry into a new digit");
	is_str(dec("1.5", 2), "1.50", "padded");
	is_str(dec("0.125", 2), "0.12", "tie to even, down");
	is_str(dec("0.135", 2), "0.14", "tie to even, up");
	is_str(dec("0.1251", 2), "0.13", "above half");
	is_str(dec("0.005", 2), "0.00", "tie to zero");
	is_str(dec("0.007", 2), "0.01", "carry from nothing");
	is_str(dec("0.0001", 2), "0.00", "all digits dropped");
	is_str(dec("-0.001", 2), "0.00", "negative zero after rounding");
	is_str(dec("-0.006", 2), "-0.01", "negative rounds away too");
	is_str(dec("2.5", 0), "2", "half-even to an integer, down");
	is_str(dec("3.5", 0), "4", "half-even to an integer, up");
	is_str(dec("0.5", 0), "0", "half of one to zero");
	is_str(dec("1e2", 2), "100.00", "exponent then places");
	is_str(dec("12345678901234567890.5", 0), "12345678901234567890",
	    "long tie to even");
	is_str(dec("0.000000000000000000015", 20), "0.00000000000000000002",
	    "twenty places");
}

static void
test_count(void)
{
	is_str(count("123.45"), "5/2", "123.45");
	is_str(count("123.450"), "5/2", "trailing zeros do not count");
	is_str(count("0.001"), "3/3", "leading zeros after the point count");
	is_str(count("1000"), "4/0", "1000");
	is_str(count("1e3"), "4/0", "1e3 as 1000");
	is_str(count("0"), "1/0", "zero is one digit");
	is_str(count("0.00"), "1/0", "zero with places too");
	is_str(count("-12"), "2/0", "the sign does not count");
}

int
main(void)
{
	arena = la_arena_new(4096);
	test_parse();
	test_round();
	test_count();
	la_arena_free(arena);
	return (done_testing());
}
