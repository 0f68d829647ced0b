/*
 * Fuzz target for the JSON reader and writer and for body validation.
 * Built with -fsanitize=fuzzer it is a libFuzzer target; built with
 * -DLA_FUZZ_REPLAY it replays the files named on its command line and
 * prints TAP, which is how make check runs the corpus.
 *
 * Besides crashes it checks properties a sanitizer cannot see: what the
 * writer prints parses back to the same text, strings survive escaping,
 * every coerced value is complete, and a stored value coerces to itself
 * (so a row written once reads back and filters the same way).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "json.h"
#include "la.h"
#include "validate.h"

#define FUZZ_MAX_INPUT 65536
#define FUZZ_MAX_COLS  32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Built on the first call and kept: libFuzzer has no set-up hook we use. */
static struct la_catalog *fuzz_cat;
static struct la_validator *fuzz_val;

static void
fuzz_col(struct la_catb *b, const char *name, enum la_type t, uint32_t flags,
    const char *dflt)
{
	struct la_col_def d;

	la_col_def_init(&d, name, t);
	d.flags = flags | (dflt != NULL ? LA_COL_DEFAULT : 0);
	d.dflt = dflt;
	if (t == LA_T_STR) {
		d.min_length = 1;
		d.max_length = 20;
		d.pattern = "^[a-z]+[0-9]*$";
	}
	if (t == LA_T_INT || t == LA_T_FLOAT || t == LA_T_DECIMAL) {
		d.flags |= LA_COL_GE | LA_COL_LT;
		d.ge = -1000;
		d.lt = 1e9;
	}
	if (t == LA_T_DECIMAL && flags == 0) {
		d.decimal_places = 2;
		d.max_digits = 10;
	}
	la_catb_column(b, &d);
}

static void
fuzz_setup(void)
{
	struct la_catb_table t = {.name = "f", .route = "/f"};
	struct la_buf errs;
	struct la_catb *b;
	size_t size;

	b = la_catb_new();
	la_catb_table(b, &t);
	fuzz_col(b, "s", LA_T_STR, 0, NULL);
	fuzz_col(b, "x", LA_T_TEXT, LA_COL_NULLABLE, NULL);
	fuzz_col(b, "i", LA_T_INT, 0, "1");
	fuzz_col(b, "f", LA_T_FLOAT, LA_COL_NULLABLE, NULL);
	fuzz_col(b, "b", LA_T_BOOL, 0, "false");
	fuzz_col(b, "dt", LA_T_DATETIME, LA_COL_NULLABLE, NULL);
	fuzz_col(b, "d", LA_T_DATE, LA_COL_NULLABLE, NULL);
	fuzz_col(b, "m", LA_T_DECIMAL, 0, "\"0\"");
	fuzz_col(b, "r", LA_T_DECIMAL, LA_COL_NULLABLE, NULL);
	fuzz_col(b, "u", LA_T_UUID, LA_COL_NULLABLE, NULL);
	fuzz_col(b, "j", LA_T_JSON, 0, "[]");
	fuzz_col(b, "t", LA_T_TIME, LA_COL_NULLABLE, NULL);
	fuzz_col(b, "a", LA_T_ANY, LA_COL_NULLABLE, NULL);
	fuzz_col(b, "db", LA_T_INT, LA_COL_DBDEFAULT, NULL);
	fuzz_col(b, "id", LA_T_INT, LA_COL_AUTO | LA_COL_PK, NULL);
	fuzz_col(b, "version", LA_T_INT, LA_COL_AUTO, NULL);
	fuzz_cat = la_catb_finish(b, &size);
	la_catb_free(b);
	la_buf_init(&errs);
	fuzz_val = la_validator_new(fuzz_cat, &errs);
	if (fuzz_val == NULL)
		fprintf(stderr, "%s", errs.data);
	LA_ASSERT(fuzz_val != NULL);
	la_buf_free(&errs);
}

/* The writer's output is JSON, and writing it again changes nothing. */
static void
fuzz_roundtrip(yajl_val v, struct la_arena *a)
{
	struct la_buf one, two;
	yajl_val again;

	la_buf_init(&one);
	la_buf_init(&two);
	la_json_value(&one, v);
	again = la_json_parse(one.data, one.len, LA_JSON_MAX_DEPTH, a);
	LA_ASSERT(again != NULL);
	la_json_value(&two, again);
	LA_ASSERT(
	    one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
	la_buf_free(&one);
	la_buf_free(&two);
}

/* A stored value, coerced again as text, is itself. */
static void
fuzz_stable(const struct la_cat_col *col, const struct la_value *v,
    struct la_arena *a)
{
	struct la_value again;
	struct la_buf errs;

	switch (col->type) {
	case LA_T_DATETIME:
	case LA_T_DATE:
	case LA_T_DECIMAL:
	case LA_T_UUID:
	case LA_T_TIME:
		break;
	default:
		return;
	}
	la_buf_init(&errs);
	LA_ASSERT(
	    la_validate_text(col, "q", v->s, v->len, &again, &errs, a) == 0);
	LA_ASSERT(again.kind == LA_V_TEXT && again.len == v->len);
	LA_ASSERT(memcmp(again.s, v->s, v->len) == 0);
	la_buf_free(&errs);
}

static void
fuzz_values(const struct la_cat_col *cols, size_t n,
    const struct la_value *vals, const unsigned char *set, struct la_arena *a)
{
	size_t i, k, sum = 0;

	for (i = 0; i < n; i++) {
		if (!set[i])
			continue;
		LA_ASSERT(!(cols[i].flags & LA_COL_AUTO));
		if (vals[i].kind != LA_V_TEXT)
			continue;
		LA_ASSERT(vals[i].s != NULL || vals[i].len == 0);
		for (k = 0; k < vals[i].len; k++)
			sum += (unsigned char)vals[i].s[k];
		fuzz_stable(&cols[i], &vals[i], a);
	}
	(void)sum;
}

static void
fuzz_validate(yajl_val body, enum la_validate_mode mode, struct la_arena *a)
{
	const struct la_cat_table *t = la_catalog_table(fuzz_cat, 0);
	const struct la_cat_col *cols = la_catalog_cols(fuzz_cat, t);
	struct la_value vals[FUZZ_MAX_COLS];
	unsigned char set[FUZZ_MAX_COLS];
	struct la_buf errs;
	yajl_val items;
	int n;

	LA_ASSERT(t->ncols <= FUZZ_MAX_COLS);
	la_buf_init(&errs);
	la_buf_puts(&errs, "[");
	n = la_validate_body(fuzz_val, fuzz_cat, t, body, mode, vals, set,
	    &errs, a);
	la_buf_puts(&errs, "]");
	/* The error list is JSON with one item per failing field. */
	items = la_json_parse(errs.data, errs.len, LA_JSON_MAX_DEPTH, a);
	LA_ASSERT(items != NULL && YAJL_IS_ARRAY(items));
	LA_ASSERT(items->u.array.len == (size_t)n);
	if (n == 0)
		fuzz_values(cols, t->ncols, vals, set, a);
	la_buf_free(&errs);
}

/* Every string in the tree survives la_json_str and a parse. */
static void
fuzz_strings(yajl_val v, struct la_arena *a)
{
	struct la_buf b;
	yajl_val back;
	size_t i;

	if (YAJL_IS_STRING(v)) {
		la_buf_init(&b);
		la_json_cstr(&b, v->u.string);
		back = la_json_parse(b.data, b.len, 1, a);
		LA_ASSERT(back != NULL && YAJL_IS_STRING(back));
		LA_ASSERT(strcmp(back->u.string, v->u.string) == 0);
		LA_ASSERT(la_json_utf8_len(v->u.string, strlen(v->u.string)) <=
		          strlen(v->u.string));
		la_buf_free(&b);
	} else if (YAJL_IS_ARRAY(v)) {
		for (i = 0; i < v->u.array.len && i < 64; i++)
			fuzz_strings(v->u.array.values[i], a);
	} else if (YAJL_IS_OBJECT(v)) {
		for (i = 0; i < v->u.object.len && i < 64; i++)
			fuzz_strings(v->u.object.values[i], a);
	}
}

/* The raw input as a query value, for every column type. */
static void
fuzz_text(const uint8_t *data, size_t size, struct la_arena *a)
{
	const struct la_cat_table *t = la_catalog_table(fuzz_cat, 0);
	const struct la_cat_col *cols = la_catalog_cols(fuzz_cat, t);
	struct la_value v;
	struct la_buf errs;
	size_t i;
	int rc;

	la_buf_init(&errs);
	for (i = 0; i < t->ncols; i++) {
		rc = la_validate_text(&cols[i], "q", (const char *)data, size,
		    &v, &errs, a);
		LA_ASSERT(rc == 0 || errs.len > 0);
		if (rc == 0 && v.kind == LA_V_TEXT)
			fuzz_stable(&cols[i], &v, a);
	}
	la_buf_free(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_arena *a;
	yajl_val v;
	int64_t version;

	if (size > FUZZ_MAX_INPUT)
		return (0);
	if (fuzz_cat == NULL)
		fuzz_setup();
	a = la_arena_new(8192);
	if (size <= 256)
		fuzz_text(data, size, a);
	v = la_json_parse((const char *)data, size, LA_JSON_MAX_DEPTH, a);
	if (v != NULL) {
		fuzz_roundtrip(v, a);
		fuzz_strings(v, a);
		(void)la_validate_version(la_json_get(v, "version", 7),
		    &version);
		if (YAJL_IS_OBJECT(v)) {
			fuzz_validate(v, LA_VALIDATE_CREATE, a);
			fuzz_validate(v, LA_VALIDATE_REPLACE, a);
			fuzz_validate(v, LA_VALIDATE_PATCH, a);
		}
	}
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
