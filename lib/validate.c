/*
 * Body validation and coercion (see validate.h), following Pydantic v2 in
 * lax mode: the type codes, messages and fallbacks ("a datetime may be a
 * bare date") are the ones LightAPI clients already parse. Date and time
 * texts follow the speedate grammar Pydantic uses, with its error texts.
 *
 * Everything that can be done once is done in la_validator_new: patterns
 * are compiled and defaults are parsed and coerced there, so a request
 * only allocates from its arena.
 */
#include <sys/types.h>

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "datetime.h"
#include "decimal.h"
#include "json.h"
#include "lax.h"
#include "la.h"
#include "str.h"
#include "uuid.h"
#include "validate.h"
#include "xalloc.h"

struct validate_col {
	regex_t re;
	int has_re;
	int has_dflt;
	struct la_value dflt; /* text lives in la_validator.mem */
};

struct la_validator {
	struct la_arena *mem; /* parsed defaults and their coerced values */
	size_t ntables;
	size_t *first; /* ntables + 1 offsets into cols */
	struct validate_col *cols;
};

/* One value being coerced. */
struct validate_ctx {
	const struct la_catalog *cat;
	const struct la_cat_col *col;
	const struct validate_col *vc; /* NULL: type only, no constraints */
	const char *name;
	const char *param; /* query parameter, or NULL for a body field */
	int query;         /* every field is a query parameter */
	yajl_val in;
	const char *s; /* in's text when it is a string */
	size_t slen;
	struct la_buf *errs;
	struct la_buf *scratch; /* tail used for temporary rendering */
	struct la_arena *a;
	const char *msg; /* the last message, for start-up errors */
};

/* ---- error items ------------------------------------------------------ */

static void
validate_loc(struct validate_ctx *c)
{
	la_buf_puts(c->errs, ",\"loc\":[");
	if (c->param != NULL) {
		la_buf_puts(c->errs, "\"query\",");
		la_json_cstr(c->errs, c->param);
	} else
		la_json_cstr(c->errs, c->name);
	la_buf_putc(c->errs, ']');
}

/*
 * Appends {"type","loc","msg","input"[,"ctx"]} and returns -1. A comma
 * goes first when errs already ends with an item, so callers can wrap the
 * list or append several batches without tracking separators.
 */
static int
validate_fail_ctx(struct validate_ctx *c, const char *type, const char *msg,
    const char *ctx)
{
	struct la_buf *b = c->errs;

	if (b->len > 0 && b->data[b->len - 1] == '}')
		la_buf_putc(b, ',');
	la_buf_puts(b, "{\"type\":");
	la_json_cstr(b, type);
	validate_loc(c);
	la_buf_puts(b, ",\"msg\":");
	la_json_cstr(b, msg);
	la_buf_puts(b, ",\"input\":");
	la_json_value(b, c->in);
	if (ctx != NULL) {
		la_buf_puts(b, ",\"ctx\":");
		la_buf_puts(b, ctx);
	}
	la_buf_putc(b, '}');
	c->msg = msg;
	return (-1);
}

static int
validate_fail(struct validate_ctx *c, const char *type, const char *msg)
{
	return (validate_fail_ctx(c, type, msg, NULL));
}

/* Renders into the scratch tail and keeps a copy in the arena. */
static const char *
validate_keep(struct validate_ctx *c, size_t mark)
{
	const char *p;

	p = la_arena_strndup(c->a, c->scratch->data + mark,
	    c->scratch->len - mark);
	la_buf_truncate(c->scratch, mark);
	return (p);
}

static const char *
validate_jstr(struct validate_ctx *c, const char *s)
{
	size_t mark = c->scratch->len;

	la_json_cstr(c->scratch, s);
	return (validate_keep(c, mark));
}

/* A bound as Python prints it: 0 for an integral bound, else 0.5. */
static const char *
validate_num(struct validate_ctx *c, double x)
{
	size_t mark = c->scratch->len;

	if (x == trunc(x) && fabs(x) < 1e15)
		return (la_arena_printf(c->a, "%lld", (long long)x));
	la_json_double(c->scratch, x);
	return (validate_keep(c, mark));
}

static int
validate_bound_fail(struct validate_ctx *c, const char *type, const char *words,
    const char *key, const char *num)
{
	return (validate_fail_ctx(c, type,
	    la_arena_printf(c->a, "Input should be %s %s", words, num),
	    la_arena_printf(c->a, "{\"%s\":%s}", key, num)));
}

static int
validate_bounds(struct validate_ctx *c, double x)
{
	const struct la_cat_col *col = c->col;

	if (c->vc == NULL)
		return (0);
	/* Pydantic's order: le, lt, ge, gt. */
	if ((col->flags & LA_COL_LE) && !(x <= col->le))
		return (validate_bound_fail(c, "less_than_equal",
		    "less than or equal to", "le", validate_num(c, col->le)));
	if ((col->flags & LA_COL_LT) && !(x < col->lt))
		return (validate_bound_fail(c, "less_than", "less than", "lt",
		    validate_num(c, col->lt)));
	if ((col->flags & LA_COL_GE) && !(x >= col->ge))
		return (validate_bound_fail(c, "greater_than_equal",
		    "greater than or equal to", "ge",
		    validate_num(c, col->ge)));
	if ((col->flags & LA_COL_GT) && !(x > col->gt))
		return (validate_bound_fail(c, "greater_than", "greater than",
		    "gt", validate_num(c, col->gt)));
	return (0);
}

/* ---- str ---------------------------------------------------------------- */

static int
validate_len_fail(struct validate_ctx *c, const char *type, const char *cmp,
    const char *key, int64_t n)
{
	return (validate_fail_ctx(c, type,
	    la_arena_printf(c->a, "String should have %s %lld character%s", cmp,
	        (long long)n, n == 1 ? "" : "s"),
	    la_arena_printf(c->a, "{\"%s\":%lld}", key, (long long)n)));
}

static int
validate_pattern_fail(struct validate_ctx *c)
{
	const char *pat = la_catalog_str(c->cat, c->col->pattern);

	return (validate_fail_ctx(c, "string_pattern_mismatch",
	    la_arena_printf(c->a, "String should match pattern '%s'", pat),
	    la_arena_printf(c->a, "{\"pattern\":%s}", validate_jstr(c, pat))));
}

static int
validate_str_constraints(struct validate_ctx *c)
{
	const struct la_cat_col *col = c->col;
	int64_t n;

	if (c->vc == NULL)
		return (0);
	if (col->min_length >= 0 || col->max_length >= 0) {
		n = (int64_t)la_json_utf8_len(c->s, c->slen);
		if (col->min_length >= 0 && n < col->min_length)
			return (validate_len_fail(c, "string_too_short",
			    "at least", "min_length", col->min_length));
		if (col->max_length >= 0 && n > col->max_length)
			return (validate_len_fail(c, "string_too_long",
			    "at most", "max_length", col->max_length));
	}
	/* Search semantics: the pattern anchors itself if it wants to. */
	if (c->vc->has_re && regexec(&c->vc->re, c->s, 0, NULL, 0) != 0)
		return (validate_pattern_fail(c));
	return (0);
}

static int validate_type_fail(struct validate_ctx *c);

static int
validate_str(struct validate_ctx *c, struct la_value *out)
{
	if (!YAJL_IS_STRING(c->in))
		return (validate_type_fail(c));
	if (validate_str_constraints(c) != 0)
		return (-1);
	*out = la_value_text(c->s, c->slen);
	return (0);
}

/* ---- int ---------------------------------------------------------------- */

static enum la_lax_int
validate_int_parse(yajl_val in, const char *s, size_t slen, int64_t *out)
{
	switch (in->type) {
	case yajl_t_true:
		*out = 1;
		return (LA_LAX_OK);
	case yajl_t_false:
		*out = 0;
		return (LA_LAX_OK);
	case yajl_t_number:
		return (la_lax_int_number(in->u.number.r, out));
	case yajl_t_string:
		return (la_lax_int_text(s, slen, out));
	default:
		return (LA_LAX_TYPE);
	}
}

static int
validate_int_fail(struct validate_ctx *c, enum la_lax_int r)
{
	switch (r) {
	case LA_LAX_PARSING:
		return (validate_fail(c, "int_parsing",
		    "Input should be a valid integer, unable to parse string "
		    "as an integer"));
	case LA_LAX_FRACTION:
		return (validate_fail(c, "int_from_float",
		    "Input should be a valid integer, got a number with a "
		    "fractional part"));
	case LA_LAX_INF:
		return (validate_fail(c, "finite_number",
		    "Input should be a finite number"));
	case LA_LAX_HIGH:
		/* Stored as a 64-bit integer: report the range as a bound. */
		return (validate_bound_fail(c, "less_than_equal",
		    "less than or equal to", "le", "9223372036854775807"));
	case LA_LAX_LOW:
		return (validate_bound_fail(c, "greater_than_equal",
		    "greater than or equal to", "ge", "-9223372036854775808"));
	default:
		return (validate_type_fail(c));
	}
}

static int
validate_int(struct validate_ctx *c, struct la_value *out)
{
	enum la_lax_int r;
	int64_t i;

	r = validate_int_parse(c->in, c->s, c->slen, &i);
	if (r != LA_LAX_OK)
		return (validate_int_fail(c, r));
	if (validate_bounds(c, (double)i) != 0)
		return (-1);
	*out = la_value_int(i);
	return (0);
}

/* ---- float -------------------------------------------------------------- */

static int
validate_float_text(struct validate_ctx *c, double *d)
{
	struct la_str t = la_lax_trim(c->s, c->slen);

	if (la_str_to_double(t.p, t.len, d) == 0)
		return (0);
	if (la_lax_is_nonfinite(t))
		return (validate_fail(c, "finite_number",
		    "Input should be a finite number"));
	return (validate_fail(c, "float_parsing",
	    "Input should be a valid number, unable to parse string as a "
	    "number"));
}

static int
validate_float(struct validate_ctx *c, struct la_value *out)
{
	double d;

	switch (c->in->type) {
	case yajl_t_true:
	case yajl_t_false:
		d = YAJL_IS_TRUE(c->in) ? 1.0 : 0.0;
		break;
	case yajl_t_number:
		d = strtod(c->in->u.number.r, NULL);
		if (!isfinite(d))
			return (validate_fail(c, "finite_number",
			    "Input should be a finite number"));
		break;
	case yajl_t_string:
		if (validate_float_text(c, &d) != 0)
			return (-1);
		break;
	default:
		return (validate_type_fail(c));
	}
	if (validate_bounds(c, d) != 0)
		return (-1);
	*out = la_value_float(d);
	return (0);
}

/* ---- bool --------------------------------------------------------------- */

int
la_validate_bool_text(const char *s, size_t len, int64_t *out)
{
	static const char *const no[] = {"0", "off", "f", "false", "n", "no"};
	static const char *const yes[] = {"1", "on", "t", "true", "y", "yes"};
	struct la_str t = la_lax_trim(s, len);
	size_t i;

	for (i = 0; i < LA_NELEM(no); i++) {
		if (la_str_caseeq(t, no[i])) {
			*out = 0;
			return (0);
		}
		if (la_str_caseeq(t, yes[i])) {
			*out = 1;
			return (0);
		}
	}
	return (-1);
}

static int
validate_bool_parse(struct validate_ctx *c, int64_t *out)
{
	double d;

	switch (c->in->type) {
	case yajl_t_true:
	case yajl_t_false:
		*out = YAJL_IS_TRUE(c->in);
		return (0);
	case yajl_t_number:
		d = strtod(c->in->u.number.r, NULL);
		if (d != 0.0 && d != 1.0)
			return (-1);
		*out = d == 1.0;
		return (0);
	default:
		return (la_validate_bool_text(c->s, c->slen, out));
	}
}

static int
validate_bool(struct validate_ctx *c, struct la_value *out)
{
	int64_t b;

	if (YAJL_IS_ARRAY(c->in) || YAJL_IS_OBJECT(c->in) ||
	    YAJL_IS_NULL(c->in))
		return (validate_type_fail(c));
	if (validate_bool_parse(c, &b) != 0)
		return (validate_fail(c, "bool_parsing",
		    "Input should be a valid boolean, unable to interpret "
		    "input"));
	*out = la_value_int(b);
	return (0);
}

/* ---- dates and times ---------------------------------------------------- */

static int
validate_datetime(struct validate_ctx *c, struct la_value *out)
{
	struct la_datetime tm;
	const char *why, *s;

	if (YAJL_IS_NUMBER(c->in))
		why = la_datetime_from_unix(c->in->u.number.r,
		    strlen(c->in->u.number.r), &tm);
	else if (YAJL_IS_STRING(c->in))
		why = la_datetime_parse_lax(c->s, c->slen, &tm);
	else
		return (validate_type_fail(c));
	if (why != NULL)
		return (validate_fail(c, "datetime_parsing",
		    la_arena_printf(c->a,
		        "Input should be a valid datetime, %s", why)));
	if (la_datetime_to_utc(&tm) != 0)
		return (validate_fail(c, "datetime_parsing",
		    "Input should be a valid datetime, date value out of "
		    "range"));
	s = la_datetime_format(&tm, c->a);
	*out = la_value_text(s, strlen(s));
	return (0);
}

/*
 * A date or, in lax mode, a datetime at exactly midnight in its own zone;
 * when neither parses, Pydantic reports what the datetime parser said.
 */
static const char *
validate_date_parse(struct validate_ctx *c, struct la_datetime *tm)
{
	if (YAJL_IS_NUMBER(c->in))
		return (la_datetime_from_unix(c->in->u.number.r,
		    strlen(c->in->u.number.r), tm));
	if (la_datetime_parse_date(c->s, c->slen, tm) == NULL)
		return (NULL);
	if (la_datetime_is_number(c->s, c->slen))
		return (la_datetime_from_unix(c->s, c->slen, tm));
	return (la_datetime_parse(c->s, c->slen, tm));
}

static int
validate_date(struct validate_ctx *c, struct la_value *out)
{
	struct la_datetime tm;
	const char *why, *s;

	if (!YAJL_IS_NUMBER(c->in) && !YAJL_IS_STRING(c->in))
		return (validate_type_fail(c));
	if ((why = validate_date_parse(c, &tm)) != NULL)
		return (validate_fail(c, "date_parsing",
		    la_arena_printf(c->a,
		        "Input should be a valid date in the format "
		        "YYYY-MM-DD, %s",
		        why)));
	if (tm.hour != 0 || tm.min != 0 || tm.sec != 0 || tm.usec != 0)
		return (validate_fail(c, "date_from_datetime_inexact",
		    "Datetimes provided to dates should have zero time - e.g. "
		    "be exact dates"));
	s = la_arena_printf(c->a, "%04d-%02d-%02d", tm.year, tm.mon, tm.day);
	*out = la_value_text(s, strlen(s));
	return (0);
}

static int
validate_time(struct validate_ctx *c, struct la_value *out)
{
	struct la_datetime tm;
	const char *why, *s;

	if (YAJL_IS_NUMBER(c->in))
		why = la_datetime_from_seconds(c->in->u.number.r, &tm);
	else if (YAJL_IS_STRING(c->in))
		why = la_datetime_parse_time(c->s, c->slen, &tm);
	else
		return (validate_type_fail(c));
	if (why != NULL)
		return (validate_fail(c, "time_parsing",
		    la_arena_printf(c->a,
		        "Input should be in a valid time format, %s", why)));
	/* Stored in UTC like datetimes; the day wraps around. */
	la_datetime_from_epoch(tm.hour * 3600 + tm.min * 60 + tm.sec - tm.tz,
	    &tm);
	/* The time part of a datetime on the epoch's first day. */
	s = la_datetime_format(&tm, c->a) + 11;
	*out = la_value_text(s, strlen(s));
	return (0);
}

/* ---- Decimal ------------------------------------------------------------ */

static int
validate_dec_digits_fail(struct validate_ctx *c, const char *type,
    const char *what, const char *key, int64_t n)
{
	return (validate_fail_ctx(c, type,
	    la_arena_printf(c->a,
	        "Decimal input should have no more than %lld digit%s %s",
	        (long long)n, n == 1 ? "" : "s", what),
	    la_arena_printf(c->a, "{\"%s\":%lld}", key, (long long)n)));
}

/* max_digits as Pydantic counts it, on the normalised value. */
static int
validate_dec_max_digits(struct validate_ctx *c, const struct la_decimal *x)
{
	int32_t max = c->col->max_digits, places = c->col->decimal_places;
	int64_t digits, decimals;

	la_decimal_count(x, &digits, &decimals);
	if (digits > max)
		return (validate_dec_digits_fail(c, "decimal_max_digits",
		    "in total", "max_digits", max));
	if (places >= 0 && digits - decimals > max - places)
		return (validate_dec_digits_fail(c, "decimal_whole_digits",
		    "before the decimal point", "whole_digits", max - places));
	return (0);
}

static int
validate_dec_parse_in(struct validate_ctx *c, struct la_decimal *x)
{
	struct la_str t;

	if (YAJL_IS_NUMBER(c->in)) {
		t.p = c->in->u.number.r;
		t.len = strlen(t.p);
	} else if (YAJL_IS_STRING(c->in))
		t = la_lax_trim(c->s, c->slen);
	else
		return (validate_type_fail(c));
	if (la_decimal_parse(t.p, t.len, x, c->a) == 0)
		return (0);
	if (la_lax_is_nonfinite(t))
		return (validate_fail(c, "finite_number",
		    "Input should be a finite number"));
	return (validate_fail(c, "decimal_parsing",
	    "Input should be a valid decimal"));
}

static int
validate_decimal(struct validate_ctx *c, struct la_value *out)
{
	struct la_decimal x;
	int32_t places = c->col->decimal_places;
	const char *s;

	if (validate_dec_parse_in(c, &x) != 0)
		return (-1);
	if (c->vc != NULL && places >= 0)
		la_decimal_round(&x, places);
	if (c->vc != NULL && c->col->max_digits >= 0 &&
	    validate_dec_max_digits(c, &x) != 0)
		return (-1);
	s = la_decimal_text(&x, c->vc != NULL && places >= 0 ? places : 0,
	    c->a);
	if (validate_bounds(c, strtod(s, NULL)) != 0)
		return (-1);
	*out = la_value_text(s, strlen(s));
	return (0);
}

/* ---- UUID --------------------------------------------------------------- */

static int
validate_uuid(struct validate_ctx *c, struct la_value *out)
{
	char *u;

	if (!YAJL_IS_STRING(c->in))
		return (validate_type_fail(c));
	u = la_arena_alloc(c->a, LA_UUID_LEN + 1);
	if (la_uuid_parse(c->s, c->slen, u) != 0)
		return (validate_fail(c, "uuid_parsing",
		    la_arena_printf(c->a, "Input should be a valid UUID, %s",
		        la_uuid_why(c->s, c->slen, c->a))));
	*out = la_value_text(u, LA_UUID_LEN);
	return (0);
}

/* ---- json and any ------------------------------------------------------- */

static int
validate_json(struct validate_ctx *c, struct la_value *out)
{
	size_t mark = c->scratch->len;
	const char *s;

	if (c->param != NULL) {
		/* A query value is compared as written. */
		*out = la_value_text(c->s, c->slen);
		return (0);
	}
	la_json_value(c->scratch, c->in);
	s = validate_keep(c, mark);
	*out = la_value_text(s, strlen(s));
	return (0);
}

/* Unknown reflected types: the text of the value, for the database. */
static int
validate_any(struct validate_ctx *c, struct la_value *out)
{
	if (YAJL_IS_STRING(c->in)) {
		*out = la_value_text(c->s, c->slen);
		return (0);
	}
	return (validate_json(c, out));
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct validate_type {
	int (*fn)(struct validate_ctx *, struct la_value *);
	const char *type, *msg; /* the error for a wrong kind of value */
} validate_types[] = {
    [LA_T_NONE] = {validate_any, NULL, NULL},
    [LA_T_STR] = {validate_str, "string_type",
        "Input should be a valid string"},
    [LA_T_TEXT] = {validate_str, "string_type",
        "Input should be a valid string"},
    [LA_T_INT] = {validate_int, "int_type", "Input should be a valid integer"},
    [LA_T_FLOAT] = {validate_float, "float_type",
        "Input should be a valid number"},
    [LA_T_BOOL] = {validate_bool, "bool_type",
        "Input should be a valid boolean"},
    [LA_T_DATETIME] = {validate_datetime, "datetime_type",
        "Input should be a valid datetime"},
    [LA_T_DATE] = {validate_date, "date_type", "Input should be a valid date"},
    [LA_T_DECIMAL] = {validate_decimal, "decimal_type",
        "Decimal input should be an integer, float, string or Decimal object"},
    [LA_T_UUID] = {validate_uuid, "uuid_type",
        "UUID input should be a string, bytes or UUID object"},
    [LA_T_JSON] = {validate_json, NULL, NULL},
    [LA_T_TIME] = {validate_time, "time_type", "Input should be a valid time"},
    [LA_T_ANY] = {validate_any, NULL, NULL},
};

static const struct validate_type *
validate_type_of(const struct la_cat_col *col)
{
	if (col->type >= LA_NELEM(validate_types))
		return (&validate_types[LA_T_ANY]);
	return (&validate_types[col->type]);
}

static int
validate_type_fail(struct validate_ctx *c)
{
	const struct validate_type *vt = validate_type_of(c->col);

	return (validate_fail(c, vt->type, vt->msg));
}

static int
validate_value(struct validate_ctx *c, struct la_value *out)
{
	return (validate_type_of(c->col)->fn(c, out));
}

static void
validate_input(struct validate_ctx *c, yajl_val in)
{
	c->in = in;
	if (YAJL_IS_STRING(in)) {
		c->s = in->u.string;
		c->slen = strlen(in->u.string);
	} else {
		c->s = "";
		c->slen = 0;
	}
}

/* ---- body --------------------------------------------------------------- */

static int
validate_absent(struct validate_ctx *c, yajl_val body,
    enum la_validate_mode mode, struct la_value *out, unsigned char *set)
{
	uint32_t flags = c->col->flags;

	if (mode == LA_VALIDATE_PATCH)
		return (0);
	if (c->vc->has_dflt) {
		*out = c->vc->dflt;
		*set = 1;
		return (0);
	}
	/* On insert the database's own default beats a plain NULL. */
	if ((flags & LA_COL_DBDEFAULT) &&
	    (mode == LA_VALIDATE_CREATE || !(flags & LA_COL_NULLABLE)))
		return (0);
	if (flags & LA_COL_NULLABLE) {
		*out = LA_VALUE_NULL;
		*set = 1;
		return (0);
	}
	c->in = body; /* Pydantic shows the whole object */
	return (validate_fail(c, "missing", "Field required"));
}

static int
validate_null(struct validate_ctx *c, enum la_validate_mode mode,
    struct la_value *out, unsigned char *set)
{
	enum la_type t = (enum la_type)c->col->type;

	if (c->col->flags & LA_COL_NULLABLE) {
		*out = LA_VALUE_NULL;
		*set = 1;
		return (0);
	}
	if (mode == LA_VALIDATE_PATCH)
		return (0); /* LightAPI ignores it */
	if (validate_type_of(c->col)->type != NULL)
		return (validate_type_fail(c));
	/* json holds any value, null included; other types: the database
	 * decides. */
	*out = t == LA_T_JSON ? la_value_text("null", 4) : LA_VALUE_NULL;
	*set = 1;
	return (0);
}

static int
validate_field(struct validate_ctx *c, yajl_val body,
    enum la_validate_mode mode, struct la_value *out, unsigned char *set)
{
	yajl_val in;

	*set = 0;
	*out = LA_VALUE_NULL;
	if (c->col->flags & (LA_COL_AUTO | LA_COL_EXCLUDE))
		return (0);
	c->name = la_catalog_str(c->cat, c->col->name);
	if (c->query)
		c->param = c->name;
	in = la_json_get(body, c->name, strlen(c->name));
	if (in == NULL)
		return (validate_absent(c, body, mode, out, set));
	validate_input(c, in);
	if (YAJL_IS_NULL(in))
		return (validate_null(c, mode, out, set));
	if (validate_value(c, out) != 0)
		return (-1);
	*set = 1;
	return (0);
}

static const struct validate_col *
validate_table_cols(const struct la_validator *v, const struct la_catalog *cat,
    const struct la_cat_table *t)
{
	size_t i = (size_t)(t - la_catalog_table(cat, 0));

	LA_ASSERT(i < v->ntables);
	LA_ASSERT(v->first[i + 1] - v->first[i] == t->ncols);
	return (&v->cols[v->first[i]]);
}

int
la_validate_body(struct la_validator *v, const struct la_catalog *cat,
    const struct la_cat_table *t, yajl_val body, enum la_validate_mode mode,
    struct la_value *vals, unsigned char *set, struct la_buf *errs,
    struct la_arena *a)
{
	const struct la_cat_col *cols = la_catalog_cols(cat, t);
	const struct validate_col *vcols = validate_table_cols(v, cat, t);
	struct validate_ctx c;
	size_t i;
	int nerr = 0;

	memset(&c, 0, sizeof(c));
	c.cat = cat;
	c.errs = errs;
	c.scratch = errs;
	c.a = a;
	c.query = mode == LA_VALIDATE_QUERY;
	if (c.query)
		mode = LA_VALIDATE_CREATE;
	for (i = 0; i < t->ncols; i++) {
		c.col = &cols[i];
		c.vc = &vcols[i];
		if (validate_field(&c, body, mode, &vals[i], &set[i]) != 0)
			nerr++;
	}
	return (nerr);
}

/*
 * Query values are coerced to the column type only: a filter such as
 * price__gte=-5 or name__contains=ab is not a stored value, so length,
 * pattern, bound and rounding constraints do not apply.
 */
int
la_validate_text(const struct la_cat_col *col, const char *param, const char *s,
    size_t len, struct la_value *out, struct la_buf *errs, struct la_arena *a)
{
	struct yajl_val_s *node;
	struct validate_ctx c;

	node = la_arena_calloc(a, 1, sizeof(*node));
	node->type = yajl_t_string;
	node->u.string = la_arena_strndup(a, s, len);
	memset(&c, 0, sizeof(c));
	c.col = col;
	c.param = param;
	c.errs = errs;
	c.scratch = errs;
	c.a = a;
	c.in = node;
	c.s = node->u.string;
	c.slen = len;
	return (validate_value(&c, out) == 0 ? 0 : -1);
}

int
la_validate_version(yajl_val v, int64_t *out)
{
	const char *s = "";

	if (v == NULL)
		return (-1);
	if (YAJL_IS_STRING(v))
		s = v->u.string;
	return (validate_int_parse(v, s, strlen(s), out) == LA_LAX_OK ? 0 : -1);
}

void
la_validate_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000);
}

/* ---- start-up ----------------------------------------------------------- */

static int
validate_compile(struct validate_col *vc, const char *pat, const char *where,
    struct la_buf *errs)
{
	char msg[256];
	int rc;

	rc = regcomp(&vc->re, pat, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &vc->re, msg, sizeof(msg));
		la_buf_printf(errs, "%s: pattern '%s': %s\n", where, pat, msg);
		return (-1);
	}
	vc->has_re = 1;
	return (0);
}

/* Coerces a parsed default as if it had been sent on create. */
static int
validate_default_value(struct validate_ctx *c, yajl_val in,
    struct validate_col *vc)
{
	validate_input(c, in);
	if (!YAJL_IS_NULL(in))
		return (validate_value(c, &vc->dflt));
	if (c->col->flags & LA_COL_NULLABLE) {
		vc->dflt = LA_VALUE_NULL;
		return (0);
	}
	c->msg = "null for a field that is not optional";
	if (validate_type_of(c->col)->type != NULL)
		return (-1);
	vc->dflt = c->col->type == LA_T_JSON ? la_value_text("null", 4)
	                                     : LA_VALUE_NULL;
	return (0);
}

static int
validate_default(struct la_validator *v, const struct la_catalog *cat,
    const struct la_cat_col *col, struct validate_col *vc, const char *where,
    struct la_buf *errs)
{
	const char *text = la_catalog_str(cat, col->dflt);
	struct validate_ctx c;
	struct la_buf tmp;
	yajl_val in;
	int rc;

	in = la_json_parse(text, strlen(text), LA_JSON_MAX_DEPTH, v->mem);
	if (in == NULL) {
		la_buf_printf(errs, "%s: default is not JSON: %s\n", where,
		    text);
		return (-1);
	}
	la_buf_init(&tmp);
	memset(&c, 0, sizeof(c));
	c.cat = cat;
	c.col = col;
	c.vc = vc;
	c.name = la_catalog_str(cat, col->name);
	c.errs = c.scratch = &tmp;
	c.a = v->mem;
	rc = validate_default_value(&c, in, vc);
	if (rc != 0)
		la_buf_printf(errs, "%s: default %s: %s\n", where, text, c.msg);
	else
		vc->has_dflt = 1;
	la_buf_free(&tmp);
	return (rc);
}

static int
validate_col_init(struct la_validator *v, const struct la_catalog *cat,
    const struct la_cat_table *t, const struct la_cat_col *col,
    struct validate_col *vc, struct la_buf *errs)
{
	const char *where;
	int rc = 0;

	where = la_arena_printf(v->mem, "%s.%s", la_catalog_str(cat, t->name),
	    la_catalog_str(cat, col->name));
	if (col->pattern != 0 &&
	    validate_compile(vc, la_catalog_str(cat, col->pattern), where,
	        errs) != 0)
		rc = -1;
	if (rc == 0 && (col->flags & LA_COL_DEFAULT) && col->dflt != 0)
		rc = validate_default(v, cat, col, vc, where, errs);
	return (rc);
}

struct la_validator *
la_validator_new(const struct la_catalog *cat, struct la_buf *errs)
{
	struct la_validator *v = la_xcalloc(1, sizeof(*v));
	const struct la_cat_table *t;
	size_t i, j, n = 0;
	int rc = 0;

	v->mem = la_arena_new(4096);
	v->ntables = cat->ntables;
	v->first = la_xcalloc(v->ntables + 1, sizeof(*v->first));
	for (i = 0; i < v->ntables; i++) {
		v->first[i] = n;
		n += la_catalog_table(cat, i)->ncols;
	}
	v->first[v->ntables] = n;
	v->cols = la_xcalloc(n > 0 ? n : 1, sizeof(*v->cols));
	for (i = 0; i < v->ntables; i++) {
		t = la_catalog_table(cat, i);
		for (j = 0; j < t->ncols; j++)
			if (validate_col_init(v, cat, t,
			        &la_catalog_cols(cat, t)[j],
			        &v->cols[v->first[i] + j], errs) != 0)
				rc = -1;
	}
	if (rc != 0) {
		la_validator_free(v);
		return (NULL);
	}
	return (v);
}

void
la_validator_free(struct la_validator *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->first[v->ntables]; i++)
		if (v->cols[i].has_re)
			regfree(&v->cols[i].re);
	free(v->cols);
	free(v->first);
	la_arena_free(v->mem);
	free(v);
}
