/*
 * Exact decimal numbers in Python's Decimal() syntax, for Decimal columns:
 * parsed to digits and an exponent, never through a double, so that
 * "0.1" stays 0.1 and rounding to decimal_places is half-even as Python's.
 */
#ifndef LA_DECIMAL_H
#define LA_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

struct la_arena;

/* The exponent written after 'e' is bounded, so printing stays small. */
#define LA_DECIMAL_MAXEXP 4096

/*
 * value = (-1)^neg * d[0..n) * 10^exp. d holds no leading zero (n is 0
 * for zero) and has room for a carry at d[-1]; it lives in the arena.
 */
struct la_decimal {
	int neg;
	char *d;
	size_t n;
	int64_t exp;
};

/* [sign] digits [. digits] [e|E [sign] digits], at least one digit, no
 * spaces, inf or nan; an exponent beyond ±LA_DECIMAL_MAXEXP is refused.
 * 0, or -1 when s is not such a number. */
int la_decimal_parse(const char *s, size_t len, struct la_decimal *x,
    struct la_arena *a);
/* Rounds half to even to places decimals (exp becomes -places) when x
 * has more; otherwise leaves x alone. */
void la_decimal_round(struct la_decimal *x, int places);
/* Total digits and digits after the point as Pydantic counts them for
 * max_digits: trailing zeros dropped, zero counted as one digit. */
void la_decimal_count(const struct la_decimal *x, int64_t *digits,
    int64_t *decimals);
/* Plain notation, never an exponent, with at least places decimals;
 * zero is never negative ("-0.00" prints as "0.00"). */
const char *la_decimal_text(const struct la_decimal *x, int64_t places,
    struct la_arena *a);

#endif
