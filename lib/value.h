/*
 * A scalar crossing the boundary between validation, the SQL builder and a
 * database driver: the coerced input bound to a statement, or a column
 * read back from a row. Text is a view; its owner is whoever produced it
 * (the request arena, or the driver until the next row).
 */
#ifndef LA_VALUE_H
#define LA_VALUE_H

#include <stddef.h>
#include <stdint.h>

enum la_vkind { LA_V_NULL = 0, LA_V_INT, LA_V_FLOAT, LA_V_TEXT };

struct la_value {
	enum la_vkind kind;
	int64_t i;
	double f;
	const char *s;
	size_t len;
};

#define LA_VALUE_NULL ((struct la_value){LA_V_NULL, 0, 0, NULL, 0})

static inline struct la_value
la_value_int(int64_t i)
{
	struct la_value v = {LA_V_INT, i, 0, NULL, 0};

	return (v);
}

static inline struct la_value
la_value_text(const char *s, size_t len)
{
	struct la_value v = {LA_V_TEXT, 0, 0, s, len};

	return (v);
}

static inline struct la_value
la_value_float(double f)
{
	struct la_value v = {LA_V_FLOAT, 0, f, NULL, 0};

	return (v);
}

#endif
