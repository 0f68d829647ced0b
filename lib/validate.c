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
#include "json.h"
#include "la.h"
#include "str.h"
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
	yajl_val in;
	const char *s; /* in's text when it is a string */
	size_t slen;
	struct la_buf *errs;
	struct la_buf *scratch; /* tail used for temporary rendering */
	struct la_arena *a;
	const char *msg; /* the last message, for start-up errors */
};

/* Broken-down datetime as parsed; tz in seconds east of UTC. */
struct validate_tm {
	int year, mon, day, hour, min, sec;
	long usec;
	int has_tz, tz;
};

/* The result of the integer parsers, mapped to errors in one place. */
enum validate_int_res {
	VI_OK,
	VI_TYPE,
	VI_PARSING,
	VI_FRACTION,
	VI_INF,
	VI_HIGH,
	VI_LOW
};

#define VALIDATE_MS_WATERSHED 20000000000LL
#define VALIDATE_UNIX_1600    (-11676096000LL)
#define VALIDATE_UNIX_9999    253402300799LL
#define VALIDATE_DEC_MAXEXP   4096

static const char VE_SHORT[] = "input is too short";
static const char VE_EXTRA[] =
    "unexpected extra characters at the end of the input";
static const char VE_DATESEP[] = "invalid date separator, expected `-`";
static const char VE_TS_SMALL[] =
    "dates before 1600 are not supported as unix timestamps";
static const char VE_TS_LARGE[] =
    "dates after 9999 are not supported as unix timestamps";

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

/* ---- small parsers ------------------------------------------------------ */

static int
validate_isspace(char ch)
{
	return (ch == ' ' || (ch >= '\t' && ch <= '\r'));
}

static int
validate_isdigit(char ch)
{
	return (ch >= '0' && ch <= '9');
}

/* Python's str.strip(): the lax parsers ignore surrounding whitespace. */
static struct la_str
validate_trim(const char *s, size_t len)
{
	struct la_str v = {s, len};

	while (v.len > 0 && validate_isspace(v.p[0])) {
		v.p++;
		v.len--;
	}
	while (v.len > 0 && validate_isspace(v.p[v.len - 1]))
		v.len--;
	return (v);
}

/* "inf", "-Infinity", "nan": numbers Python reads but JSON cannot hold. */
static int
validate_is_nonfinite(struct la_str t)
{
	if (t.len > 0 && (t.p[0] == '+' || t.p[0] == '-')) {
		t.p++;
		t.len--;
	}
	return (la_str_caseeq(t, "inf") || la_str_caseeq(t, "infinity") ||
	        la_str_caseeq(t, "nan") || la_str_caseeq(t, "snan"));
}

/* Reads n digits at s; 0, or -1 when one is not a digit. */
static int
validate_digits(const char *s, size_t n, int *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (!validate_isdigit(s[i]))
			return (-1);
		*out = *out * 10 + (s[i] - '0');
	}
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

static enum validate_int_res
validate_int_double(double d, int64_t *out)
{
	if (!isfinite(d))
		return (VI_INF);
	if (d != trunc(d))
		return (VI_FRACTION);
	if (d >= 9223372036854775808.0)
		return (VI_HIGH);
	if (d < -9223372036854775808.0)
		return (VI_LOW);
	*out = (int64_t)d;
	return (VI_OK);
}

static enum validate_int_res
validate_int_number(const char *r, int64_t *out)
{
	if (la_str_to_i64(r, strlen(r), out) == 0)
		return (VI_OK);
	return (validate_int_double(strtod(r, NULL), out));
}

/* Python int() syntax: sign, digits, single '_' between digits. */
static int
validate_int_syntax(struct la_str t)
{
	size_t i = 0;

	if (t.len > 0 && (t.p[0] == '+' || t.p[0] == '-'))
		i++;
	if (i == t.len || !validate_isdigit(t.p[i]))
		return (0);
	for (; i < t.len; i++) {
		if (validate_isdigit(t.p[i]))
			continue;
		if (t.p[i] != '_' || i + 1 == t.len ||
		    !validate_isdigit(t.p[i + 1]))
			return (0);
	}
	return (1);
}

/* Copies the significant digits of a checked integer text. */
static enum validate_int_res
validate_int_digits(struct la_str t, int64_t *out)
{
	char buf[24];
	size_t i = 0, n = 0;
	int neg = t.p[0] == '-';

	if (t.p[0] == '+' || t.p[0] == '-')
		buf[n++] = t.p[i++];
	while (i < t.len && (t.p[i] == '0' || t.p[i] == '_'))
		i++;
	for (; i < t.len; i++) {
		if (t.p[i] == '_')
			continue;
		if (n == sizeof(buf))
			return (neg ? VI_LOW : VI_HIGH);
		buf[n++] = t.p[i];
	}
	if (n == 0 || (n == 1 && (buf[0] == '+' || buf[0] == '-')))
		buf[n++] = '0';
	if (la_str_to_i64(buf, n, out) != 0)
		return (neg ? VI_LOW : VI_HIGH);
	return (VI_OK);
}

/* Pydantic's str_as_int: trimmed, "12.000" allowed, "12.5" is not. */
static enum validate_int_res
validate_int_text(const char *s, size_t len, int64_t *out)
{
	struct la_str t = validate_trim(s, len);
	const char *dot = memchr(t.p, '.', t.len);
	size_t i;

	if (dot != NULL) {
		for (i = (size_t)(dot - t.p) + 1; i < t.len; i++)
			if (t.p[i] != '0')
				return (VI_PARSING);
		t.len = (size_t)(dot - t.p);
	}
	if (!validate_int_syntax(t))
		return (VI_PARSING);
	return (validate_int_digits(t, out));
}

static enum validate_int_res
validate_int_parse(yajl_val in, const char *s, size_t slen, int64_t *out)
{
	switch (in->type) {
	case yajl_t_true:
		*out = 1;
		return (VI_OK);
	case yajl_t_false:
		*out = 0;
		return (VI_OK);
	case yajl_t_number:
		return (validate_int_number(in->u.number.r, out));
	case yajl_t_string:
		return (validate_int_text(s, slen, out));
	default:
		return (VI_TYPE);
	}
}

static int
validate_int_fail(struct validate_ctx *c, enum validate_int_res r)
{
	switch (r) {
	case VI_PARSING:
		return (validate_fail(c, "int_parsing",
		    "Input should be a valid integer, unable to parse string "
		    "as an integer"));
	case VI_FRACTION:
		return (validate_fail(c, "int_from_float",
		    "Input should be a valid integer, got a number with a "
		    "fractional part"));
	case VI_INF:
		return (validate_fail(c, "finite_number",
		    "Input should be a finite number"));
	case VI_HIGH:
		/* Stored as a 64-bit integer: report the range as a bound. */
		return (validate_bound_fail(c, "less_than_equal",
		    "less than or equal to", "le", "9223372036854775807"));
	case VI_LOW:
		return (validate_bound_fail(c, "greater_than_equal",
		    "greater than or equal to", "ge", "-9223372036854775808"));
	default:
		return (validate_type_fail(c));
	}
}

static int
validate_int(struct validate_ctx *c, struct la_value *out)
{
	enum validate_int_res r;
	int64_t i;

	r = validate_int_parse(c->in, c->s, c->slen, &i);
	if (r != VI_OK)
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
	struct la_str t = validate_trim(c->s, c->slen);

	if (la_str_to_double(t.p, t.len, d) == 0)
		return (0);
	if (validate_is_nonfinite(t))
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
	struct la_str t = validate_trim(s, len);
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
validate_leap(int y)
{
	return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static int
validate_mdays(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};

	return (m == 2 && validate_leap(y) ? 29 : days[m - 1]);
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static int64_t
validate_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static void
validate_civil(int64_t z, struct validate_tm *tm)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (int)(yoe + era * 400 + (tm->mon <= 2));
}

/* Sets date and time from seconds since the epoch. */
static void
validate_from_epoch(int64_t sec, struct validate_tm *tm)
{
	int64_t days = sec / 86400, rem = sec % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	validate_civil(days, tm);
	tm->hour = (int)(rem / 3600);
	tm->min = (int)(rem / 60 % 60);
	tm->sec = (int)(rem % 60);
}

static const char *
validate_parse_date(const char *s, size_t len, struct validate_tm *tm)
{
	if (len < 10)
		return (VE_SHORT);
	if (validate_digits(s, 4, &tm->year) != 0)
		return ("invalid character in year");
	if (s[4] != '-')
		return (VE_DATESEP);
	if (validate_digits(s + 5, 2, &tm->mon) != 0)
		return ("invalid character in month");
	if (s[7] != '-')
		return (VE_DATESEP);
	if (validate_digits(s + 8, 2, &tm->day) != 0)
		return ("invalid character in day");
	if (tm->mon < 1 || tm->mon > 12)
		return ("month value is outside expected range of 1-12");
	if (tm->day < 1 || tm->day > validate_mdays(tm->year, tm->mon))
		return ("day value is outside expected range");
	if (tm->year == 0)
		return ("year 0 is out of range");
	return (NULL);
}

static const char *
validate_parse_seconds(const char *s, size_t len, size_t *pos,
    struct validate_tm *tm)
{
	size_t p = *pos + 1, i;

	if (p + 2 > len || validate_digits(s + p, 2, &tm->sec) != 0)
		return ("invalid character in second");
	if (tm->sec > 59)
		return ("second value is outside expected range of 0-59");
	p += 2;
	if (p < len && (s[p] == '.' || s[p] == ',')) {
		p++;
		/* Beyond microseconds Pydantic truncates. */
		for (i = 0; p + i < len && validate_isdigit(s[p + i]); i++)
			if (i < 6)
				tm->usec = tm->usec * 10 + (s[p + i] - '0');
		if (i == 0)
			return ("second fraction digits missing after `.`");
		for (; i < 6; i++)
			tm->usec *= 10;
		while (p < len && validate_isdigit(s[p]))
			p++;
	}
	*pos = p;
	return (NULL);
}

static const char *
validate_parse_offset(const char *s, size_t len, size_t pos,
    struct validate_tm *tm)
{
	int sign, h, m = 0;

	if (s[pos] == '+' || s[pos] == '-')
		sign = s[pos++] == '-' ? -1 : 1;
	else if (len - pos >= 3 && memcmp(s + pos, "\xe2\x88\x92", 3) == 0) {
		sign = -1; /* U+2212, allowed by ISO 8601 */
		pos += 3;
	} else
		return ("invalid timezone sign");
	if (pos + 2 > len || validate_digits(s + pos, 2, &h) != 0)
		return ("invalid timezone hour");
	pos += 2;
	if (pos < len && s[pos] == ':' && ++pos == len)
		return ("invalid timezone minute");
	if (pos < len) {
		if (pos + 2 > len || validate_digits(s + pos, 2, &m) != 0)
			return ("invalid timezone minute");
		pos += 2;
	}
	if (m > 59)
		return ("timezone minute value is outside expected range of "
		        "0-59");
	if (h * 3600 + m * 60 >= 86400)
		return ("timezone offset must be less than 24 hours");
	if (pos < len)
		return (VE_EXTRA);
	tm->has_tz = 1;
	tm->tz = sign * (h * 3600 + m * 60);
	return (NULL);
}

static const char *
validate_parse_tz(const char *s, size_t len, size_t pos, struct validate_tm *tm)
{
	tm->has_tz = 0;
	tm->tz = 0;
	if (pos == len)
		return (NULL);
	if (s[pos] == 'Z' || s[pos] == 'z') {
		tm->has_tz = 1;
		return (pos + 1 == len ? NULL : VE_EXTRA);
	}
	return (validate_parse_offset(s, len, pos, tm));
}

/* "HH:MM[:SS[.ffffff]][Z|±HH[:]MM]" starting at off. */
static const char *
validate_parse_time(const char *s, size_t len, size_t off,
    struct validate_tm *tm)
{
	size_t pos = off + 5;
	const char *why;

	tm->sec = 0;
	tm->usec = 0;
	if (len - off < 5)
		return (VE_SHORT);
	if (validate_digits(s + off, 2, &tm->hour) != 0)
		return ("invalid character in hour");
	if (s[off + 2] != ':')
		return ("invalid time separator, expected `:`");
	if (validate_digits(s + off + 3, 2, &tm->min) != 0)
		return ("invalid character in minute");
	if (tm->hour > 23)
		return ("hour value is outside expected range of 0-23");
	if (tm->min > 59)
		return ("minute value is outside expected range of 0-59");
	if (pos < len && s[pos] == ':' &&
	    (why = validate_parse_seconds(s, len, &pos, tm)) != NULL)
		return (why);
	return (validate_parse_tz(s, len, pos, tm));
}

static const char *
validate_parse_datetime(const char *s, size_t len, struct validate_tm *tm)
{
	const char *why;

	if ((why = validate_parse_date(s, len, tm)) != NULL)
		return (why);
	if (len < 11 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ' && s[10] != '_'))
		return ("invalid datetime separator, expected `T`, `t`, `_` "
		        "or space");
	return (validate_parse_time(s, len, 11, tm));
}

/* A date alone, read as midnight. */
static const char *
validate_parse_date_only(const char *s, size_t len, struct validate_tm *tm)
{
	const char *why;

	memset(tm, 0, sizeof(*tm));
	if ((why = validate_parse_date(s, len, tm)) != NULL)
		return (why);
	return (len > 10 ? VE_EXTRA : NULL);
}

static const char *
validate_ts_set(int64_t sec, long usec, struct validate_tm *tm)
{
	if (sec < VALIDATE_UNIX_1600)
		return (VE_TS_SMALL);
	if (sec > VALIDATE_UNIX_9999)
		return (VE_TS_LARGE);
	memset(tm, 0, sizeof(*tm));
	validate_from_epoch(sec, tm);
	tm->usec = usec;
	return (NULL);
}

/* Unix time; past 2e10 in absolute value it is in milliseconds. */
static const char *
validate_ts_int(int64_t ts, struct validate_tm *tm)
{
	int64_t sec = ts;
	long usec = 0;

	if (ts > VALIDATE_MS_WATERSHED || ts < -VALIDATE_MS_WATERSHED) {
		sec = ts / 1000;
		usec = (long)(ts % 1000) * 1000;
		if (usec < 0) {
			sec--;
			usec += 1000000;
		}
	}
	return (validate_ts_set(sec, usec, tm));
}

static const char *
validate_ts_float(double f, struct validate_tm *tm)
{
	double sec;
	long usec;

	if (fabs(f) > (double)VALIDATE_MS_WATERSHED)
		f /= 1000;
	sec = floor(f);
	/* Range first: the cast below must not overflow. */
	if (!(sec >= (double)VALIDATE_UNIX_1600))
		return (VE_TS_SMALL);
	if (sec > (double)VALIDATE_UNIX_9999)
		return (VE_TS_LARGE);
	usec = lround((f - sec) * 1e6);
	if (usec >= 1000000) {
		sec += 1;
		usec -= 1000000;
	}
	return (validate_ts_set((int64_t)sec, usec, tm));
}

static const char *
validate_ts_text(const char *r, size_t len, struct validate_tm *tm)
{
	int64_t i;

	if (la_str_to_i64(r, len, &i) == 0)
		return (validate_ts_int(i, tm));
	return (validate_ts_float(strtod(r, NULL), tm));
}

/* Speedate's numeric fallback: "-12" or "12.5", nothing else. */
static int
validate_is_number(const char *s, size_t len)
{
	size_t i = 0, d = 0;

	if (i < len && s[i] == '-')
		i++;
	for (; i < len && validate_isdigit(s[i]); i++)
		d++;
	if (i < len && s[i] == '.')
		for (i++; i < len && validate_isdigit(s[i]); i++)
			d++;
	return (d > 0 && i == len);
}

/* Datetime text, a timestamp in a string, or a bare date. */
static const char *
validate_datetime_text(const char *s, size_t len, struct validate_tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (validate_parse_datetime(s, len, tm) == NULL)
		return (NULL);
	if (validate_is_number(s, len))
		return (validate_ts_text(s, len, tm));
	/* Like Pydantic, report what the date parser disliked. */
	return (validate_parse_date_only(s, len, tm));
}

static int
validate_to_utc(struct validate_tm *tm)
{
	int64_t t;

	if (!tm->has_tz || tm->tz == 0)
		return (0);
	t = validate_days(tm->year, tm->mon, tm->day) * 86400 +
	    tm->hour * 3600 + tm->min * 60 + tm->sec - tm->tz;
	validate_from_epoch(t, tm);
	tm->has_tz = 0;
	return (tm->year < 1 || tm->year > 9999 ? -1 : 0);
}

static const char *
validate_fmt_datetime(struct la_arena *a, const struct validate_tm *tm)
{
	if (tm->usec != 0)
		return (la_arena_printf(a,
		    "%04d-%02d-%02dT%02d:%02d:%02d.%06ld", tm->year, tm->mon,
		    tm->day, tm->hour, tm->min, tm->sec, tm->usec));
	return (la_arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d", tm->year,
	    tm->mon, tm->day, tm->hour, tm->min, tm->sec));
}

static int
validate_datetime(struct validate_ctx *c, struct la_value *out)
{
	struct validate_tm tm;
	const char *why, *s;

	if (YAJL_IS_NUMBER(c->in))
		why = validate_ts_text(c->in->u.number.r,
		    strlen(c->in->u.number.r), &tm);
	else if (YAJL_IS_STRING(c->in))
		why = validate_datetime_text(c->s, c->slen, &tm);
	else
		return (validate_type_fail(c));
	if (why != NULL)
		return (validate_fail(c, "datetime_parsing",
		    la_arena_printf(c->a,
		        "Input should be a valid datetime, %s", why)));
	if (validate_to_utc(&tm) != 0)
		return (validate_fail(c, "datetime_parsing",
		    "Input should be a valid datetime, date value out of "
		    "range"));
	s = validate_fmt_datetime(c->a, &tm);
	*out = la_value_text(s, strlen(s));
	return (0);
}

/*
 * A date or, in lax mode, a datetime at exactly midnight in its own zone;
 * when neither parses, Pydantic reports what the datetime parser said.
 */
static const char *
validate_date_parse(struct validate_ctx *c, struct validate_tm *tm)
{
	if (YAJL_IS_NUMBER(c->in))
		return (validate_ts_text(c->in->u.number.r,
		    strlen(c->in->u.number.r), tm));
	if (validate_parse_date_only(c->s, c->slen, tm) == NULL)
		return (NULL);
	memset(tm, 0, sizeof(*tm));
	if (validate_is_number(c->s, c->slen))
		return (validate_ts_text(c->s, c->slen, tm));
	return (validate_parse_datetime(c->s, c->slen, tm));
}

static int
validate_date(struct validate_ctx *c, struct la_value *out)
{
	struct validate_tm tm;
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

/* Seconds since midnight, as speedate reads a numeric time. */
static const char *
validate_time_number(const char *r, struct validate_tm *tm)
{
	double f = strtod(r, NULL), sec;

	if (!(f >= 0 && f < 86400))
		return ("numeric times may not exceed 86,399 seconds");
	sec = floor(f);
	tm->usec = lround((f - sec) * 1e6);
	if (tm->usec >= 1000000) {
		if (sec + 1 >= 86400)
			return ("numeric times may not exceed 86,399 seconds");
		sec += 1;
		tm->usec -= 1000000;
	}
	validate_from_epoch((int64_t)sec, tm);
	tm->has_tz = 0;
	return (NULL);
}

static int
validate_time(struct validate_ctx *c, struct la_value *out)
{
	struct validate_tm tm;
	const char *why, *s;
	int64_t t;

	memset(&tm, 0, sizeof(tm));
	if (YAJL_IS_NUMBER(c->in))
		why = validate_time_number(c->in->u.number.r, &tm);
	else if (YAJL_IS_STRING(c->in))
		why = validate_parse_time(c->s, c->slen, 0, &tm);
	else
		return (validate_type_fail(c));
	if (why != NULL)
		return (validate_fail(c, "time_parsing",
		    la_arena_printf(c->a,
		        "Input should be in a valid time format, %s", why)));
	/* Stored in UTC like datetimes; the day wraps around. */
	t = tm.hour * 3600 + tm.min * 60 + tm.sec - tm.tz;
	validate_from_epoch(t, &tm);
	/* The time part of a datetime on the epoch's first day. */
	s = validate_fmt_datetime(c->a, &tm) + 11;
	*out = la_value_text(s, strlen(s));
	return (0);
}

/* ---- Decimal ------------------------------------------------------------ */

/* value = (-1)^neg * d[0..n) * 10^exp; d has room for a carry at d[-1]. */
struct validate_dec {
	int neg;
	char *d;
	size_t n;
	int64_t exp;
};

static int
validate_dec_exp(const char *p, size_t len, int64_t *e)
{
	int64_t v;

	if (la_str_to_i64(p, len, &v) != 0 || v > VALIDATE_DEC_MAXEXP ||
	    v < -VALIDATE_DEC_MAXEXP)
		return (-1);
	*e += v;
	return (0);
}

/* Python Decimal() syntax, exponent bounded; leading zeros dropped. */
static int
validate_dec_parse(struct la_str t, struct validate_dec *x, struct la_arena *a)
{
	size_t i = 0, digits = 0;
	int point = 0;

	memset(x, 0, sizeof(*x));
	x->d = (char *)la_arena_alloc(a, t.len + 2) + 1;
	if (i < t.len && (t.p[i] == '+' || t.p[i] == '-'))
		x->neg = t.p[i++] == '-';
	for (; i < t.len; i++) {
		if (t.p[i] == '.' && !point)
			point = 1;
		else if (validate_isdigit(t.p[i])) {
			digits++;
			x->exp -= point;
			if (x->n > 0 || t.p[i] != '0')
				x->d[x->n++] = t.p[i];
		} else
			break;
	}
	if (digits == 0)
		return (-1);
	if (i < t.len && (t.p[i] == 'e' || t.p[i] == 'E'))
		return (validate_dec_exp(t.p + i + 1, t.len - i - 1, &x->exp));
	return (i == t.len ? 0 : -1);
}

/* Whether the digits dropped from keep on make more than half. */
static int
validate_dec_up(const struct validate_dec *x, size_t keep)
{
	size_t i;

	if (x->d[keep] != '5')
		return (x->d[keep] > '5');
	for (i = keep + 1; i < x->n; i++)
		if (x->d[i] != '0')
			return (1);
	/* A tie: round half to even. */
	return (keep > 0 && (x->d[keep - 1] - '0') % 2 == 1);
}

static void
validate_dec_carry(struct validate_dec *x)
{
	size_t i = x->n;

	while (i > 0 && x->d[i - 1] == '9')
		x->d[--i] = '0';
	if (i > 0) {
		x->d[i - 1]++;
		return;
	}
	x->d--;
	x->d[0] = '1';
	x->n++;
}

/* Rounds half-even to places decimals, so that exp == -places. */
static void
validate_dec_round(struct validate_dec *x, int places)
{
	int64_t drop = -(int64_t)places - x->exp;
	size_t keep;
	int up;

	if (drop <= 0)
		return;
	if ((uint64_t)drop > x->n) {
		x->n = 0;
		x->exp = -places;
		return;
	}
	keep = x->n - (size_t)drop;
	up = validate_dec_up(x, keep);
	x->n = keep;
	x->exp = -places;
	if (up)
		validate_dec_carry(x);
}

/* The digit standing for 10^p. */
static char
validate_dec_digit(const struct validate_dec *x, int64_t p)
{
	int64_t k = (int64_t)x->n - 1 - p + x->exp;

	return (k >= 0 && k < (int64_t)x->n ? x->d[k] : '0');
}

/* Plain notation (never an exponent) with at least places decimals. */
static const char *
validate_dec_text(const struct validate_dec *x, int64_t places,
    struct la_arena *a)
{
	int64_t fd = x->exp < 0 ? -x->exp : 0, whole, p;
	char *s, *q;

	if (places > fd)
		fd = places;
	/* Zero has no significant digit: "00e3" prints as "0". */
	whole = x->n > 0 ? (int64_t)x->n + x->exp : 1;
	if (whole < 1)
		whole = 1;
	q = s = la_arena_alloc(a, (size_t)(whole + fd + 3));
	if (x->neg && x->n > 0)
		*q++ = '-';
	for (p = whole - 1; p >= 0; p--)
		*q++ = validate_dec_digit(x, p);
	if (fd > 0)
		*q++ = '.';
	for (p = -1; p >= -fd; p--)
		*q++ = validate_dec_digit(x, p);
	*q = '\0';
	return (s);
}

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
validate_dec_max_digits(struct validate_ctx *c, const struct validate_dec *x)
{
	int64_t n = (int64_t)x->n, exp = x->exp, digits, decimals;
	int32_t max = c->col->max_digits, places = c->col->decimal_places;

	while (n > 0 && x->d[n - 1] == '0') {
		n--;
		exp++;
	}
	if (n == 0) {
		n = 1;
		exp = 0;
	}
	decimals = exp >= 0 ? 0 : -exp;
	digits = exp >= 0 ? n + exp : (n > decimals ? n : decimals);
	if (digits > max)
		return (validate_dec_digits_fail(c, "decimal_max_digits",
		    "in total", "max_digits", max));
	if (places >= 0 && digits - decimals > max - places)
		return (validate_dec_digits_fail(c, "decimal_whole_digits",
		    "before the decimal point", "whole_digits", max - places));
	return (0);
}

static int
validate_dec_parse_in(struct validate_ctx *c, struct validate_dec *x)
{
	struct la_str t;

	if (YAJL_IS_NUMBER(c->in)) {
		t.p = c->in->u.number.r;
		t.len = strlen(t.p);
	} else if (YAJL_IS_STRING(c->in))
		t = validate_trim(c->s, c->slen);
	else
		return (validate_type_fail(c));
	if (validate_dec_parse(t, x, c->a) == 0)
		return (0);
	if (validate_is_nonfinite(t))
		return (validate_fail(c, "finite_number",
		    "Input should be a finite number"));
	return (validate_fail(c, "decimal_parsing",
	    "Input should be a valid decimal"));
}

static int
validate_decimal(struct validate_ctx *c, struct la_value *out)
{
	struct validate_dec x;
	int32_t places = c->col->decimal_places;
	const char *s;

	if (validate_dec_parse_in(c, &x) != 0)
		return (-1);
	if (c->vc != NULL && places >= 0)
		validate_dec_round(&x, places);
	if (c->vc != NULL && c->col->max_digits >= 0 &&
	    validate_dec_max_digits(c, &x) != 0)
		return (-1);
	s = validate_dec_text(&x, c->vc != NULL && places >= 0 ? places : 0,
	    c->a);
	if (validate_bounds(c, strtod(s, NULL)) != 0)
		return (-1);
	*out = la_value_text(s, strlen(s));
	return (0);
}

/* ---- UUID --------------------------------------------------------------- */

static int
validate_hex(char ch)
{
	return (validate_isdigit(ch) || (ch >= 'a' && ch <= 'f') ||
	        (ch >= 'A' && ch <= 'F'));
}

/* Fast path of the uuid crate: simple, hyphenated, braced or URN. */
static int
validate_uuid_fast(const char *s, size_t len, char *out)
{
	size_t i, n = 0;

	if (len == 38 && s[0] == '{' && s[37] == '}')
		s++, len = 36;
	else if (len == 45 && memcmp(s, "urn:uuid:", 9) == 0)
		s += 9, len = 36;
	if (len != 32 && len != 36)
		return (-1);
	for (i = 0; i < len; i++) {
		if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return (-1);
			continue;
		}
		if (!validate_hex(s[i]))
			return (-1);
		out[n++] = (char)(s[i] | 0x20);
		if (n == 8 || n == 13 || n == 18 || n == 23)
			out[n++] = '-';
	}
	out[36] = '\0';
	return (0);
}

/* Bytes of the character at s, as the uuid crate names it in errors. */
static size_t
validate_char_len(const char *s, size_t left)
{
	unsigned char ch = (unsigned char)s[0];
	size_t n = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 1;

	return (n < left ? n : left);
}

/* With five groups, the first one of the wrong length. */
static const char *
validate_uuid_groups(struct la_arena *a, const size_t bounds[4], size_t inlen)
{
	static const size_t starts[] = {0, 9, 14, 19, 24};
	static const int expect[] = {8, 4, 4, 4, 12};
	size_t i;

	/* Group lengths are measured from fixed starts, as the crate does. */
	for (i = 0; i < 4; i++)
		if (bounds[i] != starts[i + 1] - 1)
			return (la_arena_printf(a,
			    "invalid group length in group %zu: expected %d, "
			    "found %zu",
			    i, expect[i], bounds[i] - starts[i]));
	return (la_arena_printf(a,
	    "invalid group length in group 4: expected 12, found %zu",
	    inlen - starts[4]));
}

/* The uuid crate's diagnosis of a string that did not parse. */
static const char *
validate_uuid_why(struct la_arena *a, const char *in, size_t inlen)
{
	const char *s = in;
	size_t len = inlen, off = 0, i, hy = 0, bounds[4] = {0};

	if (len >= 2 && s[0] == '{' && s[len - 1] == '}')
		off = 1;
	else if (len >= 9 && memcmp(s, "urn:uuid:", 9) == 0)
		off = 9;
	s += off;
	len -= off == 1 ? 2 : off;
	for (i = 0; i < len; i++) {
		if (s[i] == '-' && hy < 4)
			bounds[hy] = i;
		if (s[i] == '-')
			hy++;
		else if (!validate_hex(s[i]))
			return (la_arena_printf(a,
			    "invalid character: expected an optional prefix of "
			    "`urn:uuid:` followed by [0-9a-fA-F-], found "
			    "`%.*s` "
			    "at %zu",
			    (int)validate_char_len(s + i, len - i), s + i,
			    i + off + 1));
	}
	if (hy == 0 && off == 0)
		return (la_arena_printf(a,
		    "invalid length: expected length 32 for simple format, "
		    "found %zu",
		    inlen));
	if (hy != 4)
		return (la_arena_printf(a,
		    "invalid group count: expected 5, found %zu", hy + 1));
	return (validate_uuid_groups(a, bounds, inlen));
}

static int
validate_uuid(struct validate_ctx *c, struct la_value *out)
{
	char *u;

	if (!YAJL_IS_STRING(c->in))
		return (validate_type_fail(c));
	u = la_arena_alloc(c->a, 37);
	if (validate_uuid_fast(c->s, c->slen, u) != 0)
		return (validate_fail(c, "uuid_parsing",
		    la_arena_printf(c->a, "Input should be a valid UUID, %s",
		        validate_uuid_why(c->a, c->s, c->slen))));
	*out = la_value_text(u, 36);
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
	return (validate_int_parse(v, s, strlen(s), out) == VI_OK ? 0 : -1);
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
