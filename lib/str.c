/*
 * String views and strict number parsing (see str.h). strtoll and strtod
 * accept leading space, hex and "inf"; request data must not, so the
 * syntax is checked here before they are called.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "str.h"

int
la_str_eq(struct la_str v, const char *s)
{
	size_t n = strlen(s);

	return (v.len == n && memcmp(v.p, s, n) == 0);
}

int
la_str_caseeq(struct la_str v, const char *s)
{
	size_t n = strlen(s);

	return (v.len == n && strncasecmp(v.p, s, n) == 0);
}

int
la_str_to_i64(const char *p, size_t len, int64_t *out)
{
	uint64_t v = 0, limit;
	size_t i = 0;
	int neg = 0;

	if (len > 0 && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		i++;
	}
	if (i == len)
		return (-1);
	/* Up to 18 digits cannot overflow: no check per digit. */
	if (len - i <= 18) {
		for (; i < len; i++) {
			if (p[i] < '0' || p[i] > '9')
				return (-1);
			v = v * 10 + (uint64_t)(p[i] - '0');
		}
		*out = neg ? (int64_t)(0 - v) : (int64_t)v;
		return (0);
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return (-1);
		if (v > (limit - (uint64_t)(p[i] - '0')) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return (0);
}

static int
str_number_syntax(const char *p, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (p[i] == '-' || p[i] == '+'))
		i++;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (i < len && p[i] == '.')
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++)
			digits++;
	if (digits == 0)
		return (-1);
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < len && (p[i] == '-' || p[i] == '+'))
			i++;
		if (i == len || p[i] < '0' || p[i] > '9')
			return (-1);
		while (i < len && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	return (i == len ? 0 : -1);
}

int
la_str_to_double(const char *p, size_t len, double *out)
{
	char tmp[128], *end;
	double d;

	if (len == 0 || len >= sizeof(tmp) || str_number_syntax(p, len) != 0)
		return (-1);
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	errno = 0;
	d = strtod(tmp, &end);
	if (*end != '\0' || !isfinite(d))
		return (-1);
	*out = d;
	return (0);
}

struct la_str
la_str_trim(struct la_str v)
{
	while (v.len > 0 && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.len--;
	}
	while (v.len > 0 && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
		v.len--;
	return (v);
}

int
la_str_hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	if (ch >= 'a' && ch <= 'f')
		return (ch - 'a' + 10);
	if (ch >= 'A' && ch <= 'F')
		return (ch - 'A' + 10);
	return (-1);
}

size_t
la_str_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n, k;

	if (c < 0x80)
		return (1);
	if (c >= 0xc2 && c <= 0xdf)
		n = 1;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3;
	else
		return (0); /* continuation, C0/C1 overlong, F5 and up */
	if (len <= n)
		return (0);
	for (k = 1; k <= n; k++)
		if ((s[k] & 0xc0) != 0x80)
			return (0);
	/* The second byte's range rules out overlong forms, surrogates and
	 * code points past U+10FFFF. */
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return (0);
	return (n + 1);
}

int
la_str_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((n = la_str_utf8_seq(p + i, len - i)) == 0)
			return (0);
		i += n;
	}
	return (1);
}
