/*
 * Exact decimals (see decimal.h): the digits are kept as text, so
 * parsing, rounding and printing never meet a binary fraction. Rounding
 * may carry into a new leading digit, which is why d has a spare byte in
 * front of it.
 */
#include <string.h>

#include "arena.h"
#include "decimal.h"
#include "str.h"

static int
decimal_exp(const char *p, size_t len, int64_t *e)
{
	int64_t v;

	if (la_str_to_i64(p, len, &v) != 0 || v > LA_DECIMAL_MAXEXP ||
	    v < -LA_DECIMAL_MAXEXP)
		return (-1);
	*e += v;
	return (0);
}

int
la_decimal_parse(const char *s, size_t len, struct la_decimal *x,
    struct la_arena *a)
{
	size_t i = 0, digits = 0;
	int point = 0;

	memset(x, 0, sizeof(*x));
	x->d = (char *)la_arena_alloc(a, len + 2) + 1;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		x->neg = s[i++] == '-';
	for (; i < len; i++) {
		if (s[i] == '.' && !point)
			point = 1;
		else if (s[i] >= '0' && s[i] <= '9') {
			digits++;
			x->exp -= point;
			/* Leading zeros are dropped. */
			if (x->n > 0 || s[i] != '0')
				x->d[x->n++] = s[i];
		} else
			break;
	}
	if (digits == 0)
		return (-1);
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
		return (decimal_exp(s + i + 1, len - i - 1, &x->exp));
	return (i == len ? 0 : -1);
}

/* Whether the digits dropped from keep on make more than half. */
static int
decimal_up(const struct la_decimal *x, size_t keep)
{
	size_t i;

	if (x->d[keep] != '5')
		return (x->d[keep] > '5');
	for (i = keep + 1; i < x->n; i++)
		if (x->d[i] != '0')
			return (1);
	/* A tie: round half to even. */
	return (keep > 0 && (x->d[keep - 1] - '0') % 2 == 1);
}

static void
decimal_carry(struct la_decimal *x)
{
	size_t i = x->n;

	while (i > 0 && x->d[i - 1] == '9')
		x->d[--i] = '0';
	if (i > 0) {
		x->d[i - 1]++;
		return;
	}
	x->d--;
	x->d[0] = '1';
	x->n++;
}

void
la_decimal_round(struct la_decimal *x, int places)
{
	int64_t drop = -(int64_t)places - x->exp;
	size_t keep;
	int up;

	if (drop <= 0)
		return;
	if ((uint64_t)drop > x->n) {
		x->n = 0;
		x->exp = -places;
		return;
	}
	keep = x->n - (size_t)drop;
	up = decimal_up(x, keep);
	x->n = keep;
	x->exp = -places;
	if (up)
		decimal_carry(x);
}

void
la_decimal_count(const struct la_decimal *x, int64_t *digits, int64_t *decimals)
{
	int64_t n = (int64_t)x->n, exp = x->exp;

	while (n > 0 && x->d[n - 1] == '0') {
		n--;
		exp++;
	}
	if (n == 0) {
		n = 1;
		exp = 0;
	}
	*decimals = exp >= 0 ? 0 : -exp;
	*digits = exp >= 0 ? n + exp : (n > *decimals ? n : *decimals);
}

/* The digit standing for 10^p. */
static char
decimal_digit(const struct la_decimal *x, int64_t p)
{
	int64_t k = (int64_t)x->n - 1 - p + x->exp;

	return (k >= 0 && k < (int64_t)x->n ? x->d[k] : '0');
}

const char *
la_decimal_text(const struct la_decimal *x, int64_t places, struct la_arena *a)
{
	int64_t fd = x->exp < 0 ? -x->exp : 0, whole, p;
	char *s, *q;

	if (places > fd)
		fd = places;
	/* Zero has no significant digit: "00e3" prints as "0". */
	whole = x->n > 0 ? (int64_t)x->n + x->exp : 1;
	if (whole < 1)
		whole = 1;
	q = s = la_arena_alloc(a, (size_t)(whole + fd + 3));
	if (x->neg && x->n > 0)
		*q++ = '-';
	for (p = whole - 1; p >= 0; p--)
		*q++ = decimal_digit(x, p);
	if (fd > 0)
		*q++ = '.';
	for (p = -1; p >= -fd; p--)
		*q++ = decimal_digit(x, p);
	*q = '\0';
	return (s);
}
