/*
 * Accept-Encoding parsing (see acceptenc.h).
 */
#include <string.h>
#include <strings.h>

#include "acceptenc.h"

static const char *
acceptenc_trim(const char *s, const char *e, const char **end)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*end = e;
	return (s);
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ): 1 when
 * above zero, 0 when zero or malformed. */
static int
acceptenc_q(const char *s, const char *e)
{
	int nonzero;
	size_t nd = 0;

	if (s == e || (*s != '0' && *s != '1'))
		return (0);
	nonzero = *s++ == '1';
	if (s == e)
		return (nonzero);
	if (*s++ != '.')
		return (0);
	for (; s < e; s++, nd++) {
		if (*s < '0' || *s > '9' || nd == 3 || (nonzero && *s != '0'))
			return (0);
		if (*s != '0')
			nonzero = 1;
	}
	return (nonzero);
}

/* The q of one item's parameters p[0..e): 1 without a q. */
static int
acceptenc_params(const char *p, const char *e)
{
	const char *semi, *s, *se;

	for (; p < e; p = semi + 1) {
		if ((semi = memchr(p, ';', (size_t)(e - p))) == NULL)
			semi = e;
		s = acceptenc_trim(p, semi, &se);
		if (se - s >= 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=')
			return (acceptenc_q(s + 2, se));
		if (semi == e)
			break;
	}
	return (1);
}

int
la_acceptenc_gzip(const char *v, size_t len)
{
	const char *p = v, *e = v + len, *comma, *s, *se, *semi;
	int gzip = -1, star = -1;
	size_t n;

	for (; p < e; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(e - p))) == NULL)
			comma = e;
		if ((semi = memchr(p, ';', (size_t)(comma - p))) == NULL)
			semi = comma;
		s = acceptenc_trim(p, semi, &se);
		n = (size_t)(se - s);
		if ((n == 4 && strncasecmp(s, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(s, "x-gzip", 6) == 0))
			gzip = acceptenc_params(semi + (semi < comma), comma);
		else if (n == 1 && *s == '*')
			star = acceptenc_params(semi + (semi < comma), comma);
		if (comma == e)
			break;
	}
	return (gzip != -1 ? gzip : star == 1);
}
