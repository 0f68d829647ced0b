/*
 * Numbers written as text, read as Pydantic v2 does in lax mode: Python's
 * int() syntax (sign, digits, single underscores between digits) with
 * surrounding whitespace ignored and an all-zero fraction allowed.
 */
#ifndef LA_LAX_H
#define LA_LAX_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

/* How reading an integer went; each failure has its own 422 item. */
enum la_lax_int {
	LA_LAX_OK,
	LA_LAX_TYPE,     /* not a kind of value an int comes from (callers) */
	LA_LAX_PARSING,  /* not Python int() syntax */
	LA_LAX_FRACTION, /* a number with a fractional part */
	LA_LAX_INF,      /* inf or nan */
	LA_LAX_HIGH,     /* above INT64_MAX */
	LA_LAX_LOW       /* below INT64_MIN */
};

/* Python's str.strip(): ASCII space and \t..\r at both ends. */
struct la_str la_lax_trim(const char *s, size_t len);
/* 1 for "inf", "-Infinity", "nan", "sNaN"…: numbers Python reads but JSON
 * cannot hold, which get "finite_number" rather than a parsing error. */
int la_lax_is_nonfinite(struct la_str t);
/* A JSON number's text (NUL-terminated): exact when it is an integer,
 * else through a double, which must be integral and in range. */
enum la_lax_int la_lax_int_number(const char *r, int64_t *out);
/* Pydantic's str_as_int: trimmed, "12.000" allowed, "12.5" is not. */
enum la_lax_int la_lax_int_text(const char *s, size_t len, int64_t *out);

#endif
