/*
 * Growable byte buffer (see buf.h). Capacity doubles, so appends are
 * amortised O(1); the trailing NUL lets callers hand data to C APIs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

void
la_buf_init(struct la_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
la_buf_free(struct la_buf *b)
{
	free(b->data);
	la_buf_init(b);
}

void
la_buf_reset(struct la_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

char *
la_buf_reserve(struct la_buf *b, size_t n)
{
	size_t cap;

	if (b->cap - b->len <= n || b->data == NULL) {
		cap = b->cap ? b->cap : 64;
		while (cap - b->len <= n)
			cap *= 2;
		b->data = la_xrealloc(b->data, cap);
		b->cap = cap;
	}
	return (b->data + b->len);
}

void
la_buf_vprintf(struct la_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(b->data ? b->data + b->len : NULL,
	    b->data ? b->cap - b->len : 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if (b->data == NULL || (size_t)n >= b->cap - b->len) {
		la_buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
la_buf_printf(struct la_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	la_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
la_buf_consume(struct la_buf *b, size_t n)
{
	if (n >= b->len) {
		la_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

void
la_buf_truncate(struct la_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}
