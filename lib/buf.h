/*
 * Growable byte buffer on the heap: request input, response output, SQL
 * text. The data is always followed by a NUL that len does not count.
 */
#ifndef LA_BUF_H
#define LA_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct la_buf {
	char *data;
	size_t len;
	size_t cap;
};

void la_buf_init(struct la_buf *b);
void la_buf_free(struct la_buf *b);
void la_buf_reset(struct la_buf *b);
/* Makes room for n more bytes; returns a pointer to where they go. */
char *la_buf_reserve(struct la_buf *b, size_t n);
/* Inline like la_buf_putc: the JSON writers append many short pieces. */
static inline void
la_buf_append(struct la_buf *b, const void *p, size_t n)
{
	if (b->data == NULL || b->cap - b->len <= n)
		la_buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}
/* Inline so that a literal's length is known when compiling. */
static inline void
la_buf_puts(struct la_buf *b, const char *s)
{
	la_buf_append(b, s, strlen(s));
}
/* Inline: the JSON writer calls it for every comma and colon. */
static inline void
la_buf_putc(struct la_buf *b, char c)
{
	if (b->data == NULL || b->cap - b->len <= 1)
		la_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
void la_buf_printf(struct la_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void la_buf_vprintf(struct la_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Drops the first n bytes (a consumed request, a sent response). */
void la_buf_consume(struct la_buf *b, size_t n);
/* Shrinks back to len bytes, e.g. to undo a partly written element. */
void la_buf_truncate(struct la_buf *b, size_t len);

#endif
