/*
 * Pydantic's lax readings of numbers (see lax.h): what Python's int() and
 * str.strip() accept, so that "  12_000 " and "12.000" are integers as
 * they are for LightAPI, while "12.5" and "1e3" are not.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lax.h"
#include "str.h"

static int
lax_isspace(char ch)
{
	return (ch == ' ' || (ch >= '\t' && ch <= '\r'));
}

static int
lax_isdigit(char ch)
{
	return (ch >= '0' && ch <= '9');
}

/* Python's str.strip(): the lax parsers ignore surrounding whitespace. */
struct la_str
la_lax_trim(const char *s, size_t len)
{
	struct la_str v = {s, len};

	while (v.len > 0 && lax_isspace(v.p[0])) {
		v.p++;
		v.len--;
	}
	while (v.len > 0 && lax_isspace(v.p[v.len - 1]))
		v.len--;
	return (v);
}

/* "inf", "-Infinity", "nan": numbers Python reads but JSON cannot hold. */
int
la_lax_is_nonfinite(struct la_str t)
{
	if (t.len > 0 && (t.p[0] == '+' || t.p[0] == '-')) {
		t.p++;
		t.len--;
	}
	return (la_str_caseeq(t, "inf") || la_str_caseeq(t, "infinity") ||
	        la_str_caseeq(t, "nan") || la_str_caseeq(t, "snan"));
}

static enum la_lax_int
lax_int_double(double d, int64_t *out)
{
	if (!isfinite(d))
		return (LA_LAX_INF);
	if (d != trunc(d))
		return (LA_LAX_FRACTION);
	if (d >= 9223372036854775808.0)
		return (LA_LAX_HIGH);
	if (d < -9223372036854775808.0)
		return (LA_LAX_LOW);
	*out = (int64_t)d;
	return (LA_LAX_OK);
}

enum la_lax_int
la_lax_int_number(const char *r, int64_t *out)
{
	if (la_str_to_i64(r, strlen(r), out) == 0)
		return (LA_LAX_OK);
	return (lax_int_double(strtod(r, NULL), out));
}

/* Python int() syntax: sign, digits, single '_' between digits. */
static int
lax_int_syntax(struct la_str t)
{
	size_t i = 0;

	if (t.len > 0 && (t.p[0] == '+' || t.p[0] == '-'))
		i++;
	if (i == t.len || !lax_isdigit(t.p[i]))
		return (0);
	for (; i < t.len; i++) {
		if (lax_isdigit(t.p[i]))
			continue;
		if (t.p[i] != '_' || i + 1 == t.len || !lax_isdigit(t.p[i + 1]))
			return (0);
	}
	return (1);
}

/* Copies the significant digits of a checked integer text. */
static enum la_lax_int
lax_int_digits(struct la_str t, int64_t *out)
{
	char buf[24];
	size_t i = 0, n = 0;
	int neg = t.p[0] == '-';

	if (t.p[0] == '+' || t.p[0] == '-')
		buf[n++] = t.p[i++];
	while (i < t.len && (t.p[i] == '0' || t.p[i] == '_'))
		i++;
	for (; i < t.len; i++) {
		if (t.p[i] == '_')
			continue;
		if (n == sizeof(buf))
			return (neg ? LA_LAX_LOW : LA_LAX_HIGH);
		buf[n++] = t.p[i];
	}
	if (n == 0 || (n == 1 && (buf[0] == '+' || buf[0] == '-')))
		buf[n++] = '0';
	if (la_str_to_i64(buf, n, out) != 0)
		return (neg ? LA_LAX_LOW : LA_LAX_HIGH);
	return (LA_LAX_OK);
}

/* Pydantic's str_as_int: trimmed, "12.000" allowed, "12.5" is not. */
enum la_lax_int
la_lax_int_text(const char *s, size_t len, int64_t *out)
{
	struct la_str t = la_lax_trim(s, len);
	const char *dot = memchr(t.p, '.', t.len);
	size_t i;

	if (dot != NULL) {
		for (i = (size_t)(dot - t.p) + 1; i < t.len; i++)
			if (t.p[i] != '0')
				return (LA_LAX_PARSING);
		t.len = (size_t)(dot - t.p);
	}
	if (!lax_int_syntax(t))
		return (LA_LAX_PARSING);
	return (lax_int_digits(t, out));
}
