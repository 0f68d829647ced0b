/*
 * Unit tests for lib/validate.c: every field type, its lax coercions and
 * its Pydantic error item (type, loc, msg, input, ctx), the null, missing
 * and default rules of POST, PUT and PATCH, and start-up checks of
 * patterns and defaults. The catalog is built with the real builder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "json.h"
#include "la.h"
#include "tap.h"
#include "validate.h"

/* Required: name, count, price; everything else has a default, is
 * optional, is filled by the database or is never read. */
#define BASE "\"name\":\"ab\",\"count\":1,\"price\":2.5"

static struct la_catalog *cat;
static struct la_validator *val;
static const struct la_cat_table *items, *other;
static struct la_arena *arena;
static struct la_buf errs;
static struct la_value vals[64];
static unsigned char set[64];
static int nerr;

static void
col(struct la_catb *b, const char *name, enum la_type t, uint32_t flags)
{
	struct la_col_def d;

	la_col_def_init(&d, name, t);
	d.flags = flags;
	la_catb_column(b, &d);
}

static void
col_def(struct la_catb *b, struct la_col_def *d)
{
	la_catb_column(b, d);
}

static void
build_items(struct la_catb *b)
{
	struct la_catb_table t = {.name = "items", .route = "/items"};
	struct la_col_def d, autos[4];
	size_t i;

	la_catb_table(b, &t);
	la_col_def_init(&d, "name", LA_T_STR);
	d.min_length = 1;
	d.max_length = 10;
	col_def(b, &d);
	la_col_def_init(&d, "code", LA_T_STR);
	d.flags = LA_COL_NULLABLE;
	d.pattern = "^[A-Z]{3}$";
	col_def(b, &d);
	col(b, "body", LA_T_TEXT, LA_COL_NULLABLE);
	la_col_def_init(&d, "count", LA_T_INT);
	d.flags = LA_COL_GE;
	d.ge = 0;
	col_def(b, &d);
	la_col_def_init(&d, "qty", LA_T_INT);
	d.flags = LA_COL_DEFAULT | LA_COL_GT | LA_COL_LT;
	d.dflt = "5";
	d.gt = 0;
	d.lt = 100;
	col_def(b, &d);
	la_col_def_init(&d, "price", LA_T_FLOAT);
	d.flags = LA_COL_GT | LA_COL_LE;
	d.gt = 0;
	d.le = 1000.5;
	col_def(b, &d);
	la_col_def_init(&d, "active", LA_T_BOOL);
	d.flags = LA_COL_DEFAULT;
	d.dflt = "\"yes\"";
	col_def(b, &d);
	col(b, "born", LA_T_DATETIME, LA_COL_NULLABLE);
	col(b, "day", LA_T_DATE, LA_COL_NULLABLE);
	la_col_def_init(&d, "amount", LA_T_DECIMAL);
	d.flags = LA_COL_NULLABLE | LA_COL_GE;
	d.ge = 0;
	d.decimal_places = 2;
	d.max_digits = 6;
	col_def(b, &d);
	col(b, "raw", LA_T_DECIMAL, LA_COL_NULLABLE);
	col(b, "uid", LA_T_UUID, LA_COL_NULLABLE);
	col(b, "meta", LA_T_JSON, LA_COL_NULLABLE);
	la_col_def_init(&d, "doc", LA_T_JSON);
	d.flags = LA_COL_DEFAULT;
	d.dflt = "{\"k\": [1, 2]}";
	col_def(b, &d);
	col(b, "at", LA_T_TIME, LA_COL_NULLABLE);
	col(b, "blob", LA_T_ANY, LA_COL_NULLABLE);
	col(b, "serial", LA_T_INT, LA_COL_DBDEFAULT);
	col(b, "secret", LA_T_STR, LA_COL_EXCLUDE);
	la_col_def_init(&d, "note", LA_T_STR);
	d.flags = LA_COL_NULLABLE | LA_COL_DEFAULT;
	d.dflt = "\"n/a\"";
	col_def(b, &d);
	la_col_def_init(&d, "ratio", LA_T_FLOAT);
	d.flags = LA_COL_NULLABLE | LA_COL_GE | LA_COL_LT;
	d.ge = 0.5;
	d.lt = 1e20;
	col_def(b, &d);
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);
}

static void
build(void)
{
	struct la_catb *b = la_catb_new();
	struct la_catb_table t = {.name = "other", .route = "/other"};
	struct la_col_def d;
	size_t size;

	build_items(b);
	la_catb_table(b, &t);
	la_col_def_init(&d, "tag", LA_T_STR);
	d.pattern = "x|y";
	col_def(b, &d);
	cat = la_catb_finish(b, &size);
	la_catb_free(b);
	items = la_catalog_table(cat, 0);
	other = la_catalog_table(cat, 1);
}

static int
idx(const char *name)
{
	return (la_catalog_col_index(cat, items, name, strlen(name)));
}

/* Validates a JSON body against items; returns the error items. */
static const char *
run_t(const struct la_cat_table *t, const char *json,
    enum la_validate_mode mode)
{
	yajl_val body;

	la_arena_reset(arena);
	la_buf_reset(&errs);
	memset(vals, 0, sizeof(vals));
	memset(set, 0xff, sizeof(set));
	body = la_json_parse(json, strlen(json), LA_JSON_MAX_DEPTH, arena);
	if (body == NULL)
		return ("(bad json)");
	nerr =
	    la_validate_body(val, cat, t, body, mode, vals, set, &errs, arena);
	return (errs.len > 0 ? errs.data : "");
}

static const char *
run(const char *json, enum la_validate_mode mode)
{
	return (run_t(items, json, mode));
}

/* POST with the required fields plus one more "field":value. */
static const char *
post1(const char *field, const char *value)
{
	static char json[1024];

	snprintf(json, sizeof(json), "{" BASE ",\"%s\":%s}", field, value);
	return (run(json, LA_VALIDATE_CREATE));
}

/* The stored text of a column after a successful run, or a marker. */
static const char *
text(const char *name)
{
	static char out[512];
	int i = idx(name);

	if (i < 0 || !set[i])
		return ("(unset)");
	if (vals[i].kind == LA_V_NULL)
		return ("(null)");
	if (vals[i].kind != LA_V_TEXT)
		return ("(not text)");
	snprintf(out, sizeof(out), "%.*s", (int)vals[i].len, vals[i].s);
	return (out);
}

static long long
intval(const char *name)
{
	int i = idx(name);

	if (i < 0 || !set[i] || vals[i].kind != LA_V_INT)
		return (-999999);
	return (vals[i].i);
}

static double
fltval(const char *name)
{
	int i = idx(name);

	if (i < 0 || !set[i] || vals[i].kind != LA_V_FLOAT)
		return (-999999);
	return (vals[i].f);
}

/* Expected single item for field f. */
#define ITEM(t, f, msg, in)                                                    \
	"{\"type\":\"" t "\",\"loc\":[\"" f "\"],\"msg\":\"" msg               \
	"\",\"input\":" in "}"
#define ITEMC(t, f, msg, in, ctx)                                              \
	"{\"type\":\"" t "\",\"loc\":[\"" f "\"],\"msg\":\"" msg               \
	"\",\"input\":" in ",\"ctx\":" ctx "}"

#define POST_OK(f, v, want, desc)                                              \
	do {                                                                   \
		is_str(post1(f, v), "", desc " (no error)");                   \
		is_str(text(f), want, desc);                                   \
	} while (0)

static void
test_str(void)
{
	POST_OK("body", "\"h\xc3\xa9llo\"", "h\xc3\xa9llo", "text as is");
	is_str(post1("body", "12"),
	    ITEM("string_type", "body", "Input should be a valid string", "12"),
	    "number is not a string");
	is_str(post1("body", "[\"a\"]"),
	    ITEM("string_type", "body", "Input should be a valid string",
	        "[\"a\"]"),
	    "array is not a string");
	is_str(post1("body", "true"),
	    ITEM("string_type", "body", "Input should be a valid string",
	        "true"),
	    "bool is not a string");
	is_str(post1("name", "\"\""),
	    ITEMC("string_too_short", "name",
	        "String should have at least 1 character", "\"\"",
	        "{\"min_length\":1}"),
	    "min_length 1, singular");
	is_str(post1("name", "\"abcdefghijk\""),
	    ITEMC("string_too_long", "name",
	        "String should have at most 10 characters", "\"abcdefghijk\"",
	        "{\"max_length\":10}"),
	    "max_length 10, plural");
	is_str(post1("name", "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\""),
	    "", "lengths count code points, not bytes");
	POST_OK("code", "\"ABC\"", "ABC", "pattern match");
	is_str(post1("code", "\"ABCD\""),
	    ITEMC("string_pattern_mismatch", "code",
	        "String should match pattern '^[A-Z]{3}$'", "\"ABCD\"",
	        "{\"pattern\":\"^[A-Z]{3}$\"}"),
	    "pattern mismatch");
	is_str(run_t(other, "{\"tag\":\"axe\"}", LA_VALIDATE_CREATE), "",
	    "unanchored pattern searches (second table)");
	is_str(run_t(other, "{\"tag\":\"abc\"}", LA_VALIDATE_CREATE),
	    ITEMC("string_pattern_mismatch", "tag",
	        "String should match pattern 'x|y'", "\"abc\"",
	        "{\"pattern\":\"x|y\"}"),
	    "unanchored pattern mismatch");
}

static void
test_int(void)
{
	POST_OK("qty", "12", "(not text)", "int stored as int");
	is_int(intval("qty"), 12, "int 12");
	post1("qty", "\"12\"");
	is_int(intval("qty"), 12, "\"12\" is 12");
	post1("qty", "\" +13 \"");
	is_int(intval("qty"), 13, "signed, padded string");
	post1("qty", "\"1_0\"");
	is_int(intval("qty"), 10, "underscores between digits");
	post1("qty", "\"14.00\"");
	is_int(intval("qty"), 14, "string with zero decimals");
	post1("qty", "2.0");
	is_int(intval("qty"), 2, "2.0 is 2");
	post1("qty", "true");
	is_int(intval("qty"), 1, "true is 1");
	is_str(post1("qty", "1.5"),
	    ITEM("int_from_float", "qty",
	        "Input should be a valid integer, got a number with a "
	        "fractional part",
	        "1.5"),
	    "int_from_float");
	is_str(post1("qty", "\"abc\""),
	    ITEM("int_parsing", "qty",
	        "Input should be a valid integer, unable to parse string as "
	        "an integer",
	        "\"abc\""),
	    "int_parsing");
	is_str(post1("qty", "\"1.5\""),
	    ITEM("int_parsing", "qty",
	        "Input should be a valid integer, unable to parse string as "
	        "an integer",
	        "\"1.5\""),
	    "fractional string is int_parsing");
	is_str(post1("qty", "\"1__0\""),
	    ITEM("int_parsing", "qty",
	        "Input should be a valid integer, unable to parse string as "
	        "an integer",
	        "\"1__0\""),
	    "double underscore");
	is_str(post1("qty", "[1]"),
	    ITEM("int_type", "qty", "Input should be a valid integer", "[1]"),
	    "int_type for an array");
	is_str(post1("qty", "{}"),
	    ITEM("int_type", "qty", "Input should be a valid integer", "{}"),
	    "int_type for an object");
	is_str(post1("qty", "0"),
	    ITEMC("greater_than", "qty", "Input should be greater than 0", "0",
	        "{\"gt\":0}"),
	    "gt");
	is_str(post1("qty", "100"),
	    ITEMC("less_than", "qty", "Input should be less than 100", "100",
	        "{\"lt\":100}"),
	    "lt");
	is_str(post1("count", "-1"),
	    ITEMC("greater_than_equal", "count",
	        "Input should be greater than or equal to 0", "-1",
	        "{\"ge\":0}"),
	    "ge");
	post1("count", "9223372036854775807");
	is_int(intval("count"), INT64_MAX, "INT64_MAX");
	post1("count", "\"-0\"");
	is_int(intval("count"), 0, "\"-0\"");
	is_str(post1("count", "9223372036854775808"),
	    ITEMC("less_than_equal", "count",
	        "Input should be less than or equal to 9223372036854775807",
	        "9223372036854775808", "{\"le\":9223372036854775807}"),
	    "above int64 is a bound error");
	is_str(post1("count", "1e400"),
	    ITEM("finite_number", "count", "Input should be a finite number",
	        "1e400"),
	    "infinite number");
}

static void
test_float(void)
{
	post1("price", "3");
	ok(fltval("price") == 3.0, "int is a float");
	post1("price", "\" 9.5 \"");
	ok(fltval("price") == 9.5, "numeric string");
	post1("price", "true");
	ok(fltval("price") == 1.0, "true is 1.0");
	is_str(post1("price", "\"abc\""),
	    ITEM("float_parsing", "price",
	        "Input should be a valid number, unable to parse string as a "
	        "number",
	        "\"abc\""),
	    "float_parsing");
	is_str(post1("price", "{}"),
	    ITEM("float_type", "price", "Input should be a valid number", "{}"),
	    "float_type");
	is_str(post1("price", "\"inf\""),
	    ITEM("finite_number", "price", "Input should be a finite number",
	        "\"inf\""),
	    "inf refused");
	is_str(post1("price", "0"),
	    ITEMC("greater_than", "price", "Input should be greater than 0",
	        "0", "{\"gt\":0}"),
	    "gt 0");
	is_str(post1("price", "1000.6"),
	    ITEMC("less_than_equal", "price",
	        "Input should be less than or equal to 1000.5", "1000.6",
	        "{\"le\":1000.5}"),
	    "le with a fractional bound");
	is_str(post1("ratio", "0.25"),
	    ITEMC("greater_than_equal", "ratio",
	        "Input should be greater than or equal to 0.5", "0.25",
	        "{\"ge\":0.5}"),
	    "ge 0.5");
	is_str(post1("ratio", "1e21"),
	    ITEMC("less_than", "ratio", "Input should be less than 1e+20",
	        "1e21", "{\"lt\":1e+20}"),
	    "large bound printed like Python");
}

static void
test_bool(void)
{
	static const char *const yes[] = {"true", "1", "1.0", "\"yes\"",
	    "\"ON\"", "\" True \"", "\"t\"", "\"Y\"", "\"1\""};
	static const char *const no[] = {"false", "0", "0.0", "\"no\"",
	    "\"off\"", "\"FALSE\"", "\"f\"", "\"n\"", "\"0\""};
	size_t i;

	for (i = 0; i < LA_NELEM(yes); i++) {
		post1("active", yes[i]);
		is_int(intval("active"), 1, "bool %s", yes[i]);
	}
	for (i = 0; i < LA_NELEM(no); i++) {
		post1("active", no[i]);
		is_int(intval("active"), 0, "bool %s", no[i]);
	}
	is_str(post1("active", "2"),
	    ITEM("bool_parsing", "active",
	        "Input should be a valid boolean, unable to interpret input",
	        "2"),
	    "2 is bool_parsing");
	is_str(post1("active", "\"maybe\""),
	    ITEM("bool_parsing", "active",
	        "Input should be a valid boolean, unable to interpret input",
	        "\"maybe\""),
	    "maybe is bool_parsing");
	is_str(post1("active", "[]"),
	    ITEM("bool_type", "active", "Input should be a valid boolean",
	        "[]"),
	    "array is bool_type");
}

static void
test_datetime(void)
{
	POST_OK("born", "\"2024-05-06T07:08:09\"", "2024-05-06T07:08:09",
	    "plain datetime");
	POST_OK("born", "\"2024-05-06 07:08\"", "2024-05-06T07:08:00",
	    "space, no seconds");
	POST_OK("born", "\"2024-05-06T07:08:09.5\"",
	    "2024-05-06T07:08:09.500000", "fraction padded to microseconds");
	POST_OK("born", "\"2024-05-06T07:08:09.1234567\"",
	    "2024-05-06T07:08:09.123456", "fraction truncated");
	POST_OK("born", "\"2024-05-06T07:08:09.000000\"", "2024-05-06T07:08:09",
	    "zero microseconds omitted");
	POST_OK("born", "\"2024-05-06T07:08:09Z\"", "2024-05-06T07:08:09", "Z");
	POST_OK("born", "\"2024-05-06T10:20:30+02:00\"", "2024-05-06T08:20:30",
	    "offset converted to UTC");
	POST_OK("born", "\"2024-01-01T01:00:00+0530\"", "2023-12-31T19:30:00",
	    "offset without colon, crossing a year");
	POST_OK("born", "\"2024-02-28T23:30:00-01:00\"", "2024-02-29T00:30:00",
	    "negative offset into a leap day");
	POST_OK("born", "\"2024-05-06\"", "2024-05-06T00:00:00",
	    "date alone is midnight");
	POST_OK("born", "1700000000", "2023-11-14T22:13:20", "Unix seconds");
	POST_OK("born", "1700000000.25", "2023-11-14T22:13:20.250000",
	    "fractional Unix seconds");
	POST_OK("born", "1700000000000", "2023-11-14T22:13:20",
	    "milliseconds past 2e10");
	POST_OK("born", "\"1700000000\"", "2023-11-14T22:13:20",
	    "timestamp in a string");
	POST_OK("born", "-1", "1969-12-31T23:59:59", "negative timestamp");
	is_str(post1("born", "\"nope\""),
	    ITEM("datetime_parsing", "born",
	        "Input should be a valid datetime, input is too short",
	        "\"nope\""),
	    "too short");
	is_str(post1("born", "\"2024-13-01\""),
	    ITEM("datetime_parsing", "born",
	        "Input should be a valid datetime, month value is "
	        "outside expected range of 1-12",
	        "\"2024-13-01\""),
	    "month 13");
	is_str(post1("born", "\"2023-02-29\""),
	    ITEM("datetime_parsing", "born",
	        "Input should be a valid datetime, day value is "
	        "outside expected range",
	        "\"2023-02-29\""),
	    "Feb 29 outside a leap year");
	POST_OK("born", "\"2000-02-29T00:00:00\"", "2000-02-29T00:00:00",
	    "Feb 29 in 2000");
	is_str(post1("born", "\"1900-02-29\""),
	    ITEM("datetime_parsing", "born",
	        "Input should be a valid datetime, day value is "
	        "outside expected range",
	        "\"1900-02-29\""),
	    "1900 is not a leap year");
	is_str(post1("born", "\"2024-04-31T10:00\""),
	    ITEM("datetime_parsing", "born",
	        "Input should be a valid datetime, day value is "
	        "outside expected range",
	        "\"2024-04-31T10:00\""),
	    "April 31");
	is_str(post1("born", "\"2024-01-01T25:00:00\""),
	    ITEM("datetime_parsing", "born",
	        "Input should be a valid datetime, unexpected extra "
	        "characters at the end of the input",
	        "\"2024-01-01T25:00:00\""),
	    "hour 25: the date parser's complaint, as in Pydantic");
	is_str(post1("born", "\"2024/01/01\""),
	    ITEM("datetime_parsing", "born",
	        "Input should be a valid datetime, invalid date "
	        "separator, expected `-`",
	        "\"2024/01/01\""),
	    "slashes");
	is_str(post1("born", "true"),
	    ITEM("datetime_type", "born", "Input should be a valid datetime",
	        "true"),
	    "datetime_type");
	is_str(post1("born", "1e20"),
	    ITEM("datetime_parsing", "born",
	        "Input should be a valid datetime, dates after 9999 "
	        "are not supported as unix timestamps",
	        "1e20"),
	    "timestamp too large");
}

static void
test_date(void)
{
	POST_OK("day", "\"2024-02-29\"", "2024-02-29", "leap day");
	POST_OK("day", "\"2024-02-29T00:00:00Z\"", "2024-02-29",
	    "datetime at midnight");
	POST_OK("day", "1704067200", "2024-01-01", "exact timestamp");
	is_str(post1("day", "\"2024-02-29T10:00:00\""),
	    ITEM("date_from_datetime_inexact", "day",
	        "Datetimes provided to dates should have zero time - e.g. be "
	        "exact dates",
	        "\"2024-02-29T10:00:00\""),
	    "datetime with a time");
	is_str(post1("day", "\"2024-02-30\""),
	    ITEM("date_parsing", "day",
	        "Input should be a valid date in the format YYYY-MM-DD, day "
	        "value is "
	        "outside expected range",
	        "\"2024-02-30\""),
	    "Feb 30");
	is_str(post1("day", "\"2024-1-01\""),
	    ITEM("date_parsing", "day",
	        "Input should be a valid date in the format YYYY-MM-DD, input "
	        "is too short",
	        "\"2024-1-01\""),
	    "one-digit month refused");
	is_str(post1("day", "\"20240101\""),
	    ITEM("date_from_datetime_inexact", "day",
	        "Datetimes provided to dates should have zero time - e.g. be "
	        "exact dates",
	        "\"20240101\""),
	    "digits alone are a timestamp, as in Pydantic");
	is_str(post1("day", "\"2024-01-01x\""),
	    ITEM("date_parsing", "day",
	        "Input should be a valid date in the format YYYY-MM-DD, "
	        "invalid datetime "
	        "separator, expected `T`, `t`, `_` or space",
	        "\"2024-01-01x\""),
	    "junk after the date");
	is_str(post1("day", "false"),
	    ITEM("date_type", "day", "Input should be a valid date", "false"),
	    "date_type");
}

static void
test_time(void)
{
	POST_OK("at", "\"07:08\"", "07:08:00", "HH:MM");
	POST_OK("at", "\"07:08:09.25\"", "07:08:09.250000", "fraction");
	POST_OK("at", "\"01:00:00+02:00\"", "23:00:00", "offset wraps to UTC");
	POST_OK("at", "3661", "01:01:01", "seconds since midnight");
	is_str(post1("at", "\"24:00\""),
	    ITEM("time_parsing", "at",
	        "Input should be in a valid time format, hour value is outside "
	        "expected range of 0-23",
	        "\"24:00\""),
	    "hour 24");
	is_str(post1("at", "86400"),
	    ITEM("time_parsing", "at",
	        "Input should be in a valid time format, numeric times may not "
	        "exceed 86,399 seconds",
	        "86400"),
	    "numeric time too large");
	is_str(post1("at", "[]"),
	    ITEM("time_type", "at", "Input should be a valid time", "[]"),
	    "time_type");
}

static void
test_decimal(void)
{
	POST_OK("amount", "\"9.999\"", "10.00", "rounded to 2 places");
	POST_OK("amount", "1.5", "1.50", "padded to 2 places");
	POST_OK("amount", "\"0.125\"", "0.12", "half-even down");
	POST_OK("amount", "\"0.135\"", "0.14", "half-even up");
	POST_OK("amount", "\"0.1251\"", "0.13", "above half");
	POST_OK("amount", "\"0.005\"", "0.00", "tie to zero");
	POST_OK("amount", "\"0.007\"", "0.01", "carry from nothing");
	POST_OK("amount", "\"999.995\"", "1000.00", "carry into a new digit");
	POST_OK("amount", "10", "10.00", "integer");
	POST_OK("amount", "\"1e2\"", "100.00", "exponent");
	POST_OK("amount", "\" 007.1 \"", "7.10", "trimmed, leading zeros");
	POST_OK("amount", "\"-0.001\"", "0.00",
	    "negative zero after rounding is zero");
	is_str(post1("amount", "\"-1\""),
	    ITEMC("greater_than_equal", "amount",
	        "Input should be greater than or equal to 0", "\"-1\"",
	        "{\"ge\":0}"),
	    "decimal bound");
	is_str(post1("amount", "\"12345.678\""),
	    ITEMC("decimal_max_digits", "amount",
	        "Decimal input should have no more than 6 digits in total",
	        "\"12345.678\"", "{\"max_digits\":6}"),
	    "max_digits, counted after rounding");
	is_str(post1("amount", "\"10000\""),
	    ITEMC("decimal_whole_digits", "amount",
	        "Decimal input should have no more than 4 digits before the "
	        "decimal point",
	        "\"10000\"", "{\"whole_digits\":4}"),
	    "whole digits");
	POST_OK("amount", "\"1000\"", "1000.00", "four whole digits fit");
	POST_OK("amount", "\"9999.99\"", "9999.99", "exactly max_digits");
	is_str(post1("amount", "\"abc\""),
	    ITEM("decimal_parsing", "amount", "Input should be a valid decimal",
	        "\"abc\""),
	    "decimal_parsing");
	is_str(post1("amount", "\"1.2.3\""),
	    ITEM("decimal_parsing", "amount", "Input should be a valid decimal",
	        "\"1.2.3\""),
	    "two points");
	is_str(post1("amount", "\"NaN\""),
	    ITEM("finite_number", "amount", "Input should be a finite number",
	        "\"NaN\""),
	    "NaN");
	is_str(post1("amount", "true"),
	    ITEM("decimal_type", "amount",
	        "Decimal input should be an integer, float, string or Decimal "
	        "object",
	        "true"),
	    "decimal_type");
	POST_OK("raw", "1.50", "1.50", "no places: as written");
	POST_OK("raw", "\"-00.0100\"", "-0.0100", "no places: normalised");
	POST_OK("raw", "1.5E+3", "1500", "no places: plain notation");
	POST_OK("raw", "\"2.5e-3\"", "0.0025", "negative exponent");
	POST_OK("raw", "\"0\"", "0", "zero");
	POST_OK("raw", "\".5\"", "0.5", "leading point");
}

static void
test_uuid(void)
{
	const char *want = "67e55044-10b1-426f-9247-bb680e5fe0c8";

	POST_OK("uid", "\"67e55044-10b1-426f-9247-bb680e5fe0c8\"", want,
	    "hyphenated");
	POST_OK("uid", "\"67E5504410B1426F9247BB680E5FE0C8\"", want,
	    "simple, upper case");
	POST_OK("uid", "\"{67e55044-10b1-426f-9247-bb680e5fe0c8}\"", want,
	    "braced");
	POST_OK("uid", "\"urn:uuid:67e55044-10b1-426f-9247-bb680e5fe0c8\"",
	    want, "URN");
	is_str(post1("uid", "\"67e5504410b1426f9247bb680e5fe0c\""),
	    ITEM("uuid_parsing", "uid",
	        "Input should be a valid UUID, invalid length: expected length "
	        "32 for simple format, found 31",
	        "\"67e5504410b1426f9247bb680e5fe0c\""),
	    "short simple form");
	is_str(post1("uid", "\"67e550X410b1426f9247bb680e5fe0cd\""),
	    ITEM("uuid_parsing", "uid",
	        "Input should be a valid UUID, invalid character: expected an "
	        "optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], "
	        "found `X` at 7",
	        "\"67e550X410b1426f9247bb680e5fe0cd\""),
	    "bad character");
	is_str(post1("uid", "\"F9168C5E-CEB2-4faa-B6BFF329BF39FA1E4\""),
	    ITEM("uuid_parsing", "uid",
	        "Input should be a valid UUID, invalid group count: expected "
	        "5, found 4",
	        "\"F9168C5E-CEB2-4faa-B6BFF329BF39FA1E4\""),
	    "group count");
	is_str(post1("uid", "\"F9168C5E-CEB2-4faa-B6BF1-02BF39FA1E4\""),
	    ITEM("uuid_parsing", "uid",
	        "Input should be a valid UUID, invalid group length in group "
	        "3: expected 4, found 5",
	        "\"F9168C5E-CEB2-4faa-B6BF1-02BF39FA1E4\""),
	    "group length");
	is_str(post1("uid", "\"{67e5504410b1426f9247bb680e5fe0c8}\""),
	    ITEM("uuid_parsing", "uid",
	        "Input should be a valid UUID, invalid group count: expected "
	        "5, found 1",
	        "\"{67e5504410b1426f9247bb680e5fe0c8}\""),
	    "braces need hyphens");
	is_str(post1("uid", "12"),
	    ITEM("uuid_type", "uid",
	        "UUID input should be a string, bytes or UUID object", "12"),
	    "uuid_type");
}

static void
test_json_any(void)
{
	POST_OK("meta", "{ \"a\" : [1, 2.0, \"x\"] }", "{\"a\":[1,2.0,\"x\"]}",
	    "json stored compact");
	POST_OK("meta", "\"s\"", "\"s\"", "json string stays JSON");
	POST_OK("meta", "3", "3", "json number");
	POST_OK("blob", "\"raw\"", "raw", "any: string as is");
	POST_OK("blob", "1.50", "1.50", "any: number text");
	POST_OK("blob", "true", "true", "any: bool text");
	POST_OK("blob", "[1, 2]", "[1,2]", "any: array as JSON");
}

static void
test_create(void)
{
	is_str(run("{" BASE "}", LA_VALIDATE_CREATE), "", "minimal POST");
	is_int(nerr, 0, "no errors");
	is_int(intval("qty"), 5, "default int applied");
	is_int(intval("active"), 1, "default \"yes\" coerced to 1");
	is_str(text("doc"), "{\"k\":[1,2]}", "default json compact");
	is_str(text("note"), "n/a", "nullable default applied");
	is_str(text("code"), "(null)", "nullable without default is null");
	is_str(text("serial"), "(unset)", "database default left to it");
	is_str(text("secret"), "(unset)", "excluded column never set");
	is_str(text("id"), "(unset)", "auto id never set");
	is_str(text("version"), "(unset)", "auto version never set");
	is_str(run("{" BASE ",\"id\":7,\"version\":9,\"secret\":\"s\","
	           "\"extra\":1}",
	           LA_VALIDATE_CREATE),
	    "", "auto, excluded and unknown keys ignored");
	is_str(text("id"), "(unset)", "id sent but ignored");
	is_str(run("{\"count\":1,\"price\":1}", LA_VALIDATE_CREATE),
	    ITEM("missing", "name", "Field required",
	        "{\"count\":1,\"price\":1}"),
	    "missing carries the whole body");
	is_str(run("{}", LA_VALIDATE_CREATE),
	    ITEM("missing", "name", "Field required", "{}") "," ITEM("missing",
	        "count", "Field required",
	        "{}") "," ITEM("missing", "price", "Field required", "{}"),
	    "every missing field, in column order");
	is_int(nerr, 3, "three failing fields");
	is_str(run("{\"name\":\"\",\"count\":\"x\",\"price\":1}",
	           LA_VALIDATE_CREATE),
	    ITEMC("string_too_short", "name",
	        "String should have at least 1 character", "\"\"",
	        "{\"min_length\":1}") "," ITEM("int_parsing", "count",
	        "Input should be a valid integer, unable to parse string as "
	        "an integer",
	        "\"x\""),
	    "items comma-separated");
	is_str(run("{\"name\":null,\"count\":null,\"price\":null}",
	           LA_VALIDATE_CREATE),
	    ITEM("string_type", "name", "Input should be a valid string",
	        "null") "," ITEM("int_type", "count",
	        "Input should be a valid integer",
	        "null") "," ITEM("float_type", "price",
	        "Input should be a valid number", "null"),
	    "null for NOT NULL is the type error");
	is_str(post1("active", "null"),
	    ITEM("bool_type", "active", "Input should be a valid boolean",
	        "null"),
	    "null for NOT NULL with a default");
	is_str(post1("code", "null"), "", "null for nullable");
	is_str(text("code"), "(null)", "stored as NULL");
	is_str(post1("doc", "null"), "", "json NOT NULL holds null");
	is_str(text("doc"), "null", "as JSON text");
	is_str(post1("serial", "7"), "", "database-default column given");
	is_int(intval("serial"), 7, "and used");
}

static void
test_replace_patch(void)
{
	is_str(run("{" BASE "}", LA_VALIDATE_REPLACE), "", "PUT minimal");
	is_int(intval("qty"), 5, "PUT resets qty to its default");
	is_str(text("note"), "n/a", "PUT resets note to its default");
	is_str(text("born"), "(null)", "PUT resets optional to null");
	is_str(text("serial"), "(unset)", "PUT leaves database default alone");
	is_str(run("{\"count\":1,\"price\":1}", LA_VALIDATE_REPLACE),
	    ITEM("missing", "name", "Field required",
	        "{\"count\":1,\"price\":1}"),
	    "PUT needs required fields");

	is_str(run("{}", LA_VALIDATE_PATCH), "", "empty PATCH");
	is_str(text("qty"), "(unset)", "PATCH leaves absent fields");
	is_str(text("name"), "(unset)", "PATCH does not require");
	is_str(run("{\"name\":null,\"qty\":null,\"code\":null}",
	           LA_VALIDATE_PATCH),
	    "", "PATCH null");
	is_str(text("name"), "(unset)", "null for NOT NULL ignored");
	is_str(text("qty"), "(unset)", "null for NOT NULL default ignored");
	is_str(text("code"), "(null)", "null for nullable sets NULL");
	is_str(run("{\"name\":\"\",\"qty\":500,\"amount\":\"1.239\"}",
	           LA_VALIDATE_PATCH),
	    ITEMC("string_too_short", "name",
	        "String should have at least 1 character", "\"\"",
	        "{\"min_length\":1}") "," ITEMC("less_than", "qty",
	        "Input should be less than 100", "500", "{\"lt\":100}"),
	    "PATCH enforces constraints");
	is_str(text("amount"), "1.24", "PATCH rounds decimals too");
}

static void
test_text(void)
{
	const struct la_cat_col *cols = la_catalog_cols(cat, items);
	struct la_value v;

	la_buf_reset(&errs);
	la_arena_reset(arena);
	is_int(la_validate_text(&cols[idx("qty")], "qty", "42x", 2, &v, &errs,
	           arena),
	    0, "text int");
	is_int(v.i, 42, "42 from the first two bytes");
	is_int(la_validate_text(&cols[idx("qty")], "qty", "0", 1, &v, &errs,
	           arena),
	    0, "bounds do not apply to query values");
	is_int(la_validate_text(&cols[idx("active")], "active", "on", 2, &v,
	           &errs, arena),
	    0, "text bool on");
	is_int(v.i, 1, "on is 1");
	is_int(la_validate_text(&cols[idx("amount")], "amount", "9.999", 5, &v,
	           &errs, arena),
	    0, "text decimal");
	is_str(v.s, "9.999", "query decimals are not rounded");
	is_int(la_validate_text(&cols[idx("born")], "born",
	           "2024-01-01T00:00:00+01:00", 25, &v, &errs, arena),
	    0, "text datetime");
	is_str(v.s, "2023-12-31T23:00:00", "converted to UTC");
	is_int(la_validate_text(&cols[idx("name")], "name", "", 0, &v, &errs,
	           arena),
	    0, "empty string for str");
	is_int(errs.len, 0, "no errors so far");
	is_int(la_validate_text(&cols[idx("count")], "count__gte", "abc", 3, &v,
	           &errs, arena),
	    -1, "bad int");
	is_int(la_validate_text(&cols[idx("active")], "active", "maybe", 5, &v,
	           &errs, arena),
	    -1, "bad bool");
	is_str(errs.data,
	    "{\"type\":\"int_parsing\",\"loc\":[\"query\",\"count__gte\"],"
	    "\"msg\":\"Input should be a valid integer, unable to parse string "
	    "as an integer\",\"input\":\"abc\"},"
	    "{\"type\":\"bool_parsing\",\"loc\":[\"query\",\"active\"],"
	    "\"msg\":\"Input should be a valid boolean, unable to interpret "
	    "input\",\"input\":\"maybe\"}",
	    "query items, joined with a comma");
}

static void
test_version(void)
{
	static const struct {
		const char *json;
		int rc;
		int64_t v;
	} cases[] = {
	    {"3", 0, 3},
	    {"9.0", 0, 9},
	    {"\"4\"", 0, 4},
	    {"true", 0, 1},
	    {"1.5", -1, 0},
	    {"\"x\"", -1, 0},
	    {"null", -1, 0},
	    {"[1]", -1, 0},
	};
	size_t i;
	int64_t v;
	yajl_val j;

	for (i = 0; i < LA_NELEM(cases); i++) {
		v = 0;
		j = la_json_parse(cases[i].json, strlen(cases[i].json), 8,
		    arena);
		is_int(la_validate_version(j, &v), cases[i].rc, "version %s",
		    cases[i].json);
		is_int(v, cases[i].v, "version %s value", cases[i].json);
	}
	is_int(la_validate_version(NULL, &v), -1, "absent version");
}

static void
test_now(void)
{
	char buf[32];
	size_t i;
	int shape = 1;

	la_validate_now(buf, sizeof(buf));
	is_int(strlen(buf), 26, "now has 26 characters");
	for (i = 0; i < 26; i++)
		if ((i == 4 || i == 7)     ? buf[i] != '-'
		    : i == 10              ? buf[i] != 'T'
		    : (i == 13 || i == 16) ? buf[i] != ':'
		    : i == 19              ? buf[i] != '.'
		                           : (buf[i] < '0' || buf[i] > '9'))
			shape = 0;
	ok(shape, "now looks like YYYY-MM-DDTHH:MM:SS.ffffff (%s)", buf);
}

/* Builds a one-column catalog and returns la_validator_new's errors. */
static const char *
startup(struct la_col_def *d)
{
	static struct la_buf out;
	struct la_catb *b = la_catb_new();
	struct la_catb_table t = {.name = "t", .route = "/t"};
	struct la_catalog *c;
	struct la_validator *v;
	size_t size;

	la_catb_table(b, &t);
	la_catb_column(b, d);
	c = la_catb_finish(b, &size);
	la_catb_free(b);
	la_buf_reset(&out);
	v = la_validator_new(c, &out);
	ok((v == NULL) == (out.len > 0), "NULL exactly when errors");
	la_validator_free(v);
	free(c);
	return (out.len > 0 ? out.data : "");
}

static void
test_startup(void)
{
	struct la_col_def d;

	la_col_def_init(&d, "c", LA_T_STR);
	d.pattern = "a(b";
	ok(strncmp(startup(&d), "t.c: pattern 'a(b': ", 20) == 0,
	    "bad pattern rejected");
	la_col_def_init(&d, "c", LA_T_INT);
	d.flags = LA_COL_DEFAULT;
	d.dflt = "\"abc\"";
	is_str(startup(&d),
	    "t.c: default \"abc\": Input should be a valid integer, unable to "
	    "parse string as an integer\n",
	    "default of the wrong type");
	d.flags = LA_COL_DEFAULT | LA_COL_GE;
	d.dflt = "-1";
	is_str(startup(&d),
	    "t.c: default -1: Input should be greater than or equal to 0\n",
	    "default violating a bound");
	d.dflt = "{";
	is_str(startup(&d), "t.c: default is not JSON: {\n",
	    "default not JSON");
	d.dflt = "null";
	is_str(startup(&d),
	    "t.c: default null: null for a field that is not optional\n",
	    "null default for NOT NULL");
	d.flags |= LA_COL_NULLABLE;
	is_str(startup(&d), "", "null default for a nullable field");
	la_col_def_init(&d, "c", LA_T_STR);
	d.flags = LA_COL_DEFAULT;
	d.pattern = "^x";
	d.dflt = "\"y\"";
	is_str(startup(&d),
	    "t.c: default \"y\": String should match pattern '^x'\n",
	    "default checked against the pattern");
	d.dflt = "\"xy\"";
	is_str(startup(&d), "", "default matching the pattern");
}

int
main(void)
{
	struct la_buf e;

	arena = la_arena_new(4096);
	la_buf_init(&errs);
	la_buf_init(&e);
	build();
	val = la_validator_new(cat, &e);
	ok(val != NULL, "validator built");
	is_str(e.len > 0 ? e.data : "", "", "no start-up errors");
	test_str();
	test_int();
	test_float();
	test_bool();
	test_datetime();
	test_date();
	test_time();
	test_decimal();
	test_uuid();
	test_json_any();
	test_create();
	test_replace_patch();
	test_text();
	test_version();
	test_now();
	test_startup();
	la_validator_free(val);
	free(cat);
	la_buf_free(&e);
	la_buf_free(&errs);
	la_arena_free(arena);
	return (done_testing());
}
