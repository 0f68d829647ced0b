/*
 * Inside the OpenAPI generator: what openapi.c (operations, paths, the
 * document) and openapi_schema.c (column and body schemas, the error
 * components) share. Nothing else includes this.
 */
#ifndef LA_OPENAPI_INT_H
#define LA_OPENAPI_INT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "json.h"
#include "openapi.h"

#define OA_BEARER 1u
#define OA_BASIC  2u

/* Body schemas: what a client reads, and what it sends per verb. */
enum oa_mode { OA_READ, OA_CREATE, OA_REPLACE, OA_PATCH, OA_QUERY };

struct oa {
	const struct la_catalog *c;
	const struct la_openapi_conf *oc;
	struct la_buf *b;
	char **names; /* per catalog table: its component name, or NULL */
	unsigned schemes;
	unsigned errors; /* bit i: la_openapi_errors[i] is referenced */
};

/* ---- writing JSON ------------------------------------------------------- */

static inline void
oa_sep(struct la_buf *b)
{
	char last = b->len > 0 ? b->data[b->len - 1] : '{';

	if (last != '{' && last != '[' && last != ':')
		la_buf_putc(b, ',');
}

static inline void
oa_key(struct la_buf *b, const char *k)
{
	oa_sep(b);
	la_json_cstr(b, k);
	la_buf_putc(b, ':');
}

/* Opens an object as member k, or as an element when k is NULL. */
static inline void
oa_obj(struct la_buf *b, const char *k)
{
	if (k != NULL)
		oa_key(b, k);
	else
		oa_sep(b);
	la_buf_putc(b, '{');
}

static inline void
oa_arr(struct la_buf *b, const char *k)
{
	oa_key(b, k);
	la_buf_putc(b, '[');
}

static inline void
oa_end(struct la_buf *b, char c)
{
	la_buf_putc(b, c);
}

static inline void
oa_str(struct la_buf *b, const char *k, const char *v)
{
	oa_key(b, k);
	la_json_cstr(b, v);
}

/* A string element of an array. */
static inline void
oa_elem(struct la_buf *b, const char *v)
{
	oa_sep(b);
	la_json_cstr(b, v);
}

static inline void
oa_raw(struct la_buf *b, const char *k, const char *json)
{
	oa_key(b, k);
	la_buf_puts(b, json);
}

static inline void
oa_int(struct la_buf *b, const char *k, int64_t v)
{
	oa_key(b, k);
	la_json_int(b, v);
}

/* Bounds read better as integers when they are whole numbers. */
static inline void
oa_num(struct la_buf *b, const char *k, double v)
{
	if (!isfinite(v))
		return;
	oa_key(b, k);
	if (v == floor(v) && fabs(v) < 1e15)
		la_json_int(b, (int64_t)v);
	else
		la_json_double(b, v);
}

static inline void
oa_ref(struct la_buf *b, const char *k, const char *kind, const char *name)
{
	struct la_buf ref;

	la_buf_init(&ref);
	la_buf_printf(&ref, "#/components/%s/%s", kind, name);
	oa_obj(b, k);
	oa_str(b, "$ref", ref.data);
	oa_end(b, '}');
	la_buf_free(&ref);
}


/* openapi_schema.c: the error components, in the order they are
 * written; struct oa's errors has bit i for la_openapi_errors[i]. */
struct la_openapi_err {
	const char *name, *status, *description, *schema;
};
extern const struct la_openapi_err la_openapi_errors[];
extern const size_t la_openapi_nerrors;

void la_openapi_schema_ref(struct oa *x, const char *k, const char *name,
    const char *suffix);
void la_openapi_column_as(struct oa *x, const struct la_cat_col *col,
    enum oa_mode mode, const char *as);
void la_openapi_column(struct oa *x, const struct la_cat_col *col,
    enum oa_mode mode);
int la_openapi_same_list(struct oa *x, struct la_cat_list a,
    struct la_cat_list b);
void la_openapi_table_schemas(struct oa *x, const struct la_cat_table *t,
    const char *name);
void la_openapi_error_schemas(struct oa *x, unsigned error_schema,
    unsigned validation);
void la_openapi_error_responses(struct oa *x);
void la_openapi_error(struct oa *x, const char *status);

#endif
