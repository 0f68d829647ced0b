/*
 * String views and strict number parsing. Request data is never NUL
 * terminated, so everything that reads it takes a pointer and a length.
 */
#ifndef LA_STR_H
#define LA_STR_H

#include <stddef.h>
#include <stdint.h>

struct la_str {
	const char *p;
	size_t len;
};

/* 1 when v equals the C string s, byte for byte / ASCII case-insensitive. */
int la_str_eq(struct la_str v, const char *s);
int la_str_caseeq(struct la_str v, const char *s);
/* Decimal integer: optional sign then digits only; 0, or -1 on junk or
 * overflow. */
int la_str_to_i64(const char *p, size_t len, int64_t *out);
/* A finite decimal number (strtod syntax, no leading or trailing space, no
 * hex, inf or nan); 0 or -1. */
int la_str_to_double(const char *p, size_t len, double *out);
/* Value of a hexadecimal digit, or -1. */
int la_str_hexval(char ch);
/* Trims ASCII spaces and tabs at both ends. */
struct la_str la_str_trim(struct la_str v);
/*
 * Length of the strict UTF-8 sequence starting s[0] (1 to 4), or 0 when
 * it is not one: an overlong form, an encoded surrogate, a code point
 * past U+10FFFF, a stray continuation byte or a sequence cut short.
 */
size_t la_str_utf8_seq(const unsigned char *s, size_t len);
/* 1 when s[0..len) is all strict UTF-8. */
int la_str_utf8_valid(const char *s, size_t len);

#endif
