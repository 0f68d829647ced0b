/*
 * Percent-decoding and query strings (see url.h). Decoded strings go to
 * the request arena, so callers get NUL-terminated copies that live as
 * long as the request. An encoded NUL is refused rather than passed on:
 * it would cut the string short in every C API it later reaches.
 */
#include <string.h>

#include "arena.h"
#include "la.h"
#include "str.h"
#include "url.h"

ssize_t
la_url_decode(const char *in, size_t len, char *out, int plus_space)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (in[i] == '%') {
			if (len - i < 3 ||
			    (hi = la_str_hexval(in[i + 1])) < 0 ||
			    (lo = la_str_hexval(in[i + 2])) < 0 ||
			    (hi | lo) == 0)
				return (-1);
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (in[i] == '+' && plus_space)
			out[o++] = ' ';
		else if (in[i] == '\0')
			return (-1); /* raw or escaped, a NUL cuts C strings */
		else
			out[o++] = in[i];
	}
	return ((ssize_t)o);
}

/*
 * Bytes that are not UTF-8 become U+FFFD, as a browser would show them:
 * a filter or search term then means the same on every engine (one would
 * refuse the bytes, another drop them and match everything).
 */
static char *
url_utf8(struct la_arena *a, const char *d, size_t *n)
{
	const unsigned char *p = (const unsigned char *)d;
	char *o, *q;
	size_t i = 0, k;

	if (la_str_utf8_valid(d, *n))
		return ((char *)d);
	o = q = la_arena_alloc(a, *n * 3 + 1);
	while (i < *n) {
		if ((k = la_str_utf8_seq(p + i, *n - i)) == 0) {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
			i++;
			continue;
		}
		memcpy(q, d + i, k);
		q += k;
		i += k;
	}
	*q = '\0';
	*n = (size_t)(q - o);
	return (o);
}

/* Decodes s[0..n) into a NUL-terminated arena copy. */
static int
url_dup(struct la_arena *a, const char *s, size_t n, const char **out,
    size_t *outlen)
{
	char *d = la_arena_alloc(a, n + 1);
	ssize_t r;

	if ((r = la_url_decode(s, n, d, 1)) < 0)
		return (-1);
	d[r] = '\0';
	*outlen = (size_t)r;
	*out = url_utf8(a, d, outlen);
	return (0);
}

/* One "key=value" or "key" piece, not empty. */
static int
url_param(struct la_arena *a, const char *s, size_t n, struct la_qparam *qp)
{
	const char *eq = memchr(s, '=', n);
	size_t klen = eq != NULL ? (size_t)(eq - s) : n;

	if (url_dup(a, s, klen, &qp->key, &qp->klen) != 0)
		return (-1);
	if (eq == NULL)
		return (url_dup(a, s, 0, &qp->value, &qp->vlen));
	return (url_dup(a, eq + 1, n - klen - 1, &qp->value, &qp->vlen));
}

int
la_url_query_parse(const char *q, size_t len, struct la_arena *a,
    struct la_qparam **out)
{
	const char *p = q, *end = q + len, *amp;
	struct la_qparam *v;
	size_t i, n = 1;
	int k = 0;

	*out = NULL;
	if (len == 0)
		return (0);
	for (i = 0; i < len; i++)
		n += q[i] == '&';
	v = la_arena_alloc(a, n * sizeof(*v));
	for (;;) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p && url_param(a, p, (size_t)(amp - p), &v[k++]) != 0)
			return (-1);
		if (amp == end)
			break;
		p = amp + 1;
	}
	*out = v;
	return (k);
}

/* RFC 3986 unreserved characters pass; everything else is escaped, '+'
 * and space included, so the result reads the same with or without
 * plus-as-space decoding. */
void
la_url_encode(struct la_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;
	size_t i, o = 0;
	char *d;

	LA_ASSERT(len <= (SIZE_MAX - 1) / 3);
	d = la_buf_reserve(b, len * 3);
	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			d[o++] = (char)ch;
			continue;
		}
		d[o++] = '%';
		d[o++] = hex[ch >> 4];
		d[o++] = hex[ch & 15];
	}
	b->len += o;
	b->data[b->len] = '\0';
}
