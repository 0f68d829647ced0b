/*
 * base64url without padding (see b64.h). Tokens and cursors arrive from
 * clients, so decoding accepts exactly one spelling of each byte string:
 * a second spelling (padding, stray bits in the last character) would let
 * a tampered token or cursor look different yet decode the same.
 */
#include <sys/types.h>

#include "b64.h"
#include "buf.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of c, or -1 for anything outside the url alphabet. */
static int
b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '-')
		return (62);
	if (c == '_')
		return (63);
	return (-1);
}

void
la_b64url_encode(struct la_buf *out, const void *p, size_t n)
{
	const unsigned char *s = p;
	char *d;
	size_t i, o = 0;
	unsigned long v;

	if (n == 0)
		return;
	d = la_buf_reserve(out, (n + 2) / 3 * 4);
	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned long)s[i] << 16 | s[i + 1] << 8 | s[i + 2];
		d[o++] = b64_alphabet[v >> 18];
		d[o++] = b64_alphabet[v >> 12 & 0x3f];
		d[o++] = b64_alphabet[v >> 6 & 0x3f];
		d[o++] = b64_alphabet[v & 0x3f];
	}
	/* One or two bytes left: two or three characters, no padding. */
	if (i < n) {
		v = (unsigned long)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		d[o++] = b64_alphabet[v >> 18];
		d[o++] = b64_alphabet[v >> 12 & 0x3f];
		if (i + 1 < n)
			d[o++] = b64_alphabet[v >> 6 & 0x3f];
	}
	out->len += o;
	out->data[out->len] = '\0';
}

/*
 * Decodes the 2 or 3 characters of a final partial group. The bits
 * that fall past the last whole byte must be zero, or "QQ" and "QR"
 * would both decode to "A".
 */
static ssize_t
b64_tail(const char *in, size_t n, unsigned char *out)
{
	int c[3] = {0, 0, 0}, i;

	for (i = 0; i < (int)n; i++)
		if ((c[i] = b64_val((unsigned char)in[i])) < 0)
			return (-1);
	out[0] = (unsigned char)(c[0] << 2 | c[1] >> 4);
	if (n == 2)
		return ((c[1] & 0x0f) != 0 ? -1 : 1);
	out[1] = (unsigned char)((c[1] & 0x0f) << 4 | c[2] >> 2);
	return ((c[2] & 0x03) != 0 ? -1 : 2);
}

ssize_t
la_b64url_decode(const char *in, size_t n, unsigned char *out)
{
	size_t i, o = 0;
	ssize_t t;
	int a, b, c, d;

	/* A lone character carries 6 bits: not even one byte. */
	if (n % 4 == 1)
		return (-1);
	for (i = 0; i + 4 <= n; i += 4) {
		a = b64_val((unsigned char)in[i]);
		b = b64_val((unsigned char)in[i + 1]);
		c = b64_val((unsigned char)in[i + 2]);
		d = b64_val((unsigned char)in[i + 3]);
		if ((a | b | c | d) < 0)
			return (-1);
		out[o++] = (unsigned char)(a << 2 | b >> 4);
		out[o++] = (unsigned char)((b & 0x0f) << 4 | c >> 2);
		out[o++] = (unsigned char)((c & 0x03) << 6 | d);
	}
	if (i < n) {
		if ((t = b64_tail(in + i, n - i, out + o)) < 0)
			return (-1);
		o += (size_t)t;
	}
	return ((ssize_t)o);
}
