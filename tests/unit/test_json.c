/*
 * Unit tests for lib/json.c: the bounded parser (depth, UTF-8, trailing
 * garbage, NUL bytes) and the writers, whose output must match Python's
 * json.dumps and float repr byte for byte.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "la.h"
#include "tap.h"

static struct la_arena *arena;

static yajl_val
parse(const char *s)
{
	return (la_json_parse(s, strlen(s), LA_JSON_MAX_DEPTH, arena));
}

/* Parses s and prints it back compactly; "(null)" when it is refused. */
static const char *
roundtrip(const char *s, size_t len, int depth)
{
	static struct la_buf b;
	yajl_val v;

	la_buf_reset(&b);
	v = la_json_parse(s, len, depth, arena);
	if (v == NULL)
		return ("(null)");
	la_json_value(&b, v);
	return (b.data);
}

static const char *
dbl(double d)
{
	static struct la_buf b;

	la_buf_reset(&b);
	la_json_double(&b, d);
	return (b.data);
}

static const char *
str(const char *s, size_t len)
{
	static struct la_buf b;

	la_buf_reset(&b);
	la_json_str(&b, s, len);
	return (b.data);
}

/* Literal input, embedded NUL bytes included. */
#define RT(lit, depth) roundtrip((lit), sizeof(lit) - 1, (depth))

static char *
nested(int depth)
{
	static char buf[512];
	int i;

	for (i = 0; i < depth; i++)
		buf[i] = '[';
	for (i = 0; i < depth; i++)
		buf[depth + i] = ']';
	buf[2 * depth] = '\0';
	return (buf);
}

static void
test_parse(void)
{
	const char *s;

	is_str(RT("{\"a\" : [1, 2.50, -0, 1E5, true, false, null]}", 64),
	    "{\"a\":[1,2.50,-0,1E5,true,false,null]}",
	    "numbers are kept as written");
	is_str(RT("  {}  ", 64), "{}", "surrounding space");
	is_str(RT("\"x\"", 64), "\"x\"", "top-level scalar");
	is_str(RT("{\"a\":1} x", 64), "(null)", "trailing garbage");
	is_str(RT("{\"a\":1}{}", 64), "(null)", "two values");
	is_str(RT("{\"a\":1", 64), "(null)", "truncated");
	is_str(RT("", 64), "(null)", "empty input");
	is_str(RT("{\"a\":1}\0garbage", 64), "(null)",
	    "NUL byte after the value");
	is_str(RT("\"\xff\"", 64), "(null)", "invalid UTF-8");
	is_str(RT("\"\xc3\x28\"", 64), "(null)", "bad continuation byte");
	is_str(RT("\"\xe2\x82\xac\"", 64), "\"\xe2\x82\xac\"",
	    "valid UTF-8 passes through");
	is_str(RT("\"a\\u0000b\"", 64), "(null)",
	    "\\u0000 refused rather than truncated");
	is_str(RT("\"\\ud83d\\ude00\"", 64), "\"\xf0\x9f\x98\x80\"",
	    "surrogate pair decoded");
	is_str(RT("\"\\ud800\"", 64), "(null)", "lone high surrogate");
	is_str(RT("\"\\udc00x\"", 64), "(null)", "lone low surrogate");
	is_str(RT("\"\\ud83dx\\ude00\"", 64), "(null)", "split surrogate pair");
	is_str(RT("\"\\\\u0000\"", 64), "\"\\\\u0000\"",
	    "escaped backslash before u0000 text");
	is_str(RT("\"\\u00e9\\n\"", 64), "\"\xc3\xa9\\n\"",
	    "escapes decoded, re-encoded");
	is_str(RT("{'a':1}", 64), "(null)", "single quotes");
	is_str(RT("[1,]", 64), "(null)", "trailing comma");
	is_str(RT("NaN", 64), "(null)", "NaN is not JSON");
	is_str(RT("{\"a\":1 /* c */}", 64), "(null)", "block comment");
	is_str(RT("// c\n{}", 64), "(null)", "line comment");
	is_str(RT("{\"a/b\":\"/*\"}", 64), "{\"a/b\":\"/*\"}",
	    "slashes inside strings");

	s = nested(64);
	ok(la_json_parse(s, strlen(s), 64, arena) != NULL, "depth 64 ok");
	s = nested(65);
	ok(la_json_parse(s, strlen(s), 64, arena) == NULL, "depth 65 refused");
	s = nested(200);
	ok(la_json_parse(s, strlen(s), 64, arena) == NULL, "depth 200 refused");
	is_str(RT("[\"[[[[\",\"\\\"[[[\"]", 2), "[\"[[[[\",\"\\\"[[[\"]",
	    "brackets inside strings do not count");
	is_str(RT("[[[]]]", 2), "(null)", "depth limit honoured");
}

static void
test_get(void)
{
	yajl_val v = parse("{\"a\":1,\"ab\":2,\"a\":3}");

	ok(v != NULL, "object parsed");
	ok(la_json_get(v, "a", 1) != NULL &&
	        strcmp(la_json_get(v, "a", 1)->u.number.r, "3") == 0,
	    "last duplicate wins");
	ok(la_json_get(v, "ab", 2) != NULL, "longer key");
	ok(la_json_get(v, "abc", 2) != NULL, "key by length");
	ok(la_json_get(v, "b", 1) == NULL, "absent key");
	ok(la_json_get(parse("[1]"), "a", 1) == NULL, "not an object");
	ok(la_json_get(NULL, "a", 1) == NULL, "NULL object");
}

/* Escapes one byte the way la_json_str must, for the long cases. */
static void
ref_escape(struct la_buf *b, unsigned char c)
{
	if (c == '"' || c == '\\')
		la_buf_printf(b, "\\%c", c);
	else if (c == '\n')
		la_buf_puts(b, "\\n");
	else if (c == '\r')
		la_buf_puts(b, "\\r");
	else if (c == '\t')
		la_buf_puts(b, "\\t");
	else if (c == '\b')
		la_buf_puts(b, "\\b");
	else if (c == '\f')
		la_buf_puts(b, "\\f");
	else if (c < 0x20)
		la_buf_printf(b, "\\u%04x", c);
	else
		la_buf_putc(b, (char)c);
}

/*
 * Strings of every length up to 40 (the writer copies 8 to 32 bytes in
 * two overlapping words) and longer than the sixteen bytes it checks at
 * once, with one byte to escape at every position (and UTF-8 bytes around
 * it), must come out as byte-by-byte escaping gives them.
 */
static void
test_str_long(void)
{
	static const unsigned char special[] = {'"', '\\', '\n', 0x01, 0x1f,
	    0x00, 0x20, 0x7f, 0x80, 0xc3, 0xff};
	struct la_buf want;
	char s[70];
	size_t len, pos, k, i;
	int bad = 0;

	la_buf_init(&want);
	for (len = 1; len <= 66; len += len < 40 ? 1 : 13)
		for (pos = 0; pos < len; pos++)
			for (k = 0; k < sizeof(special); k++) {
				for (i = 0; i < len; i++)
					s[i] = (char)('a' + i % 26);
				s[pos] = (char)special[k];
				if (pos + 1 < len)
					s[pos + 1] = (char)0xa9;
				la_buf_reset(&want);
				la_buf_putc(&want, '"');
				for (i = 0; i < len; i++)
					ref_escape(&want, (unsigned char)s[i]);
				la_buf_putc(&want, '"');
				if (strcmp(str(s, len), want.data) != 0) {
					diag("length %zu, 0x%02x at %zu", len,
					    special[k], pos);
					bad++;
				}
			}
	ok(bad == 0, "long strings: every byte position escapes as alone");
	la_buf_free(&want);
}

static void
test_str(void)
{
	is_str(str("a\"b\\c", 5), "\"a\\\"b\\\\c\"", "quote and backslash");
	is_str(str("\n\r\t\b\f", 5), "\"\\n\\r\\t\\b\\f\"", "short escapes");
	is_str(str("\x01\x1f", 2), "\"\\u0001\\u001f\"", "other controls");
	is_str(str("a\0b", 3), "\"a\\u0000b\"", "embedded NUL");
	is_str(str("\x7f/", 2), "\"\x7f/\"", "DEL and slash as is");
	is_str(str("caf\xc3\xa9 \xe2\x82\xac", 9),
	    "\"caf\xc3\xa9 \xe2\x82\xac\"", "UTF-8 not escaped");
	is_str(str("", 0), "\"\"", "empty string");
	test_str_long();
}

static void
test_numbers(void)
{
	struct la_buf b;

	is_str(dbl(3.0), "3.0", "3.0");
	is_str(dbl(0.1), "0.1", "0.1");
	is_str(dbl(0.1 + 0.2), "0.30000000000000004", "0.1+0.2");
	is_str(dbl(1e20), "1e+20", "1e+20");
	is_str(dbl(158708.36), "158708.36",
	    "no trailing zero from a late integral scale");
	is_str(dbl(-8911615503039.29), "-8911615503039.29",
	    "sixteen digits: the shortest text");
	is_str(dbl(19.99), "19.99", "two decimals");
	is_str(dbl(0.0001), "0.0001", "1e-4 keeps its decimals");
	is_str(dbl(0.00001), "1e-05", "below 1e-4 an exponent, as repr");
	is_str(dbl(1e16), "1e+16", "1e16 switches to exponent");
	is_str(dbl(1e15), "1000000000000000.0", "1e15 positional");
	is_str(dbl(123456789012345678.0), "1.2345678901234568e+17",
	    "17 digits");
	is_str(dbl(-0.0), "-0.0", "negative zero");
	is_str(dbl(0.0), "0.0", "zero");
	is_str(dbl(0.0001), "0.0001", "1e-4 positional");
	is_str(dbl(0.00001), "1e-05", "1e-5 exponent");
	is_str(dbl(1.5e-7), "1.5e-07", "1.5e-07");
	is_str(dbl(-2.5), "-2.5", "-2.5");
	is_str(dbl(9.5), "9.5", "9.5");
	is_str(dbl(1.0 / 3), "0.3333333333333333", "1/3");
	is_str(dbl(5e-324), "5e-324", "smallest subnormal");
	is_str(dbl(1.7976931348623157e308), "1.7976931348623157e+308",
	    "largest double");
	is_str(dbl(123.456), "123.456", "123.456");
	is_str(dbl(100.0), "100.0", "100.0");
	is_str(dbl(INFINITY), "null", "infinity as null");
	is_str(dbl(NAN), "null", "NaN as null");

	la_buf_init(&b);
	la_json_int(&b, INT64_MAX);
	la_buf_putc(&b, ' ');
	la_json_int(&b, INT64_MIN);
	is_str(b.data, "9223372036854775807 -9223372036854775808",
	    "int64 extremes");
	la_buf_reset(&b);
	la_json_int(&b, 0);
	la_buf_putc(&b, ' ');
	la_json_int(&b, 7);
	la_buf_putc(&b, ' ');
	la_json_int(&b, -10);
	la_buf_putc(&b, ' ');
	la_json_int(&b, 99);
	la_buf_putc(&b, ' ');
	la_json_int(&b, 100);
	la_buf_putc(&b, ' ');
	la_json_int(&b, -1000001);
	is_str(b.data, "0 7 -10 99 100 -1000001", "ints by two digits");
	la_buf_reset(&b);
	la_json_int(&b, 9999);
	la_buf_putc(&b, ' ');
	la_json_int(&b, 10000);
	la_buf_putc(&b, ' ');
	la_json_int(&b, -99999999);
	la_buf_putc(&b, ' ');
	la_json_int(&b, 100000000);
	is_str(b.data, "9999 10000 -99999999 100000000",
	    "ints at digit-count boundaries");
	is_str(dbl(9999.5), "9999.5", "9999.5");
	is_str(dbl(10000.25), "10000.25", "10000.25");
	is_str(dbl(13.25), "13.25", "13.25");
	is_str(dbl(-0.5), "-0.5", "-0.5");
	is_str(dbl(250.0), "250.0", "250.0");
	is_str(dbl(0.000123), "0.000123", "0.000123");
	is_str(dbl(123456.789012), "123456.789012", "six decimals");
	la_buf_reset(&b);
	la_json_cstr(&b, "x");
	is_str(b.data, "\"x\"", "la_json_cstr");
	la_buf_free(&b);
}

static void
test_utf8_len(void)
{
	is_int(la_json_utf8_len("abc", 3), 3, "ASCII");
	is_int(la_json_utf8_len("caf\xc3\xa9", 5), 4, "two-byte char");
	is_int(la_json_utf8_len("\xe2\x82\xac\xf0\x9f\x98\x80", 7), 2,
	    "three- and four-byte chars");
	is_int(la_json_utf8_len("", 0), 0, "empty");
}

static void
test_strict_utf8(void)
{
	static const struct {
		const char *s;
		int ok;
	} c[] = {
	    {"\"caf\xc3\xa9\"", 1}, {"\"\xe2\x82\xac\"", 1},
	    {"\"\xf0\x9d\x84\x9e\"", 1},
	    {"\"\xf4\x8f\xbf\xbf\"", 1}, /* U+10FFFF */
	    {"\"\xed\x9f\xbf\"", 1},     /* U+D7FF */
	    {"\"\xee\x80\x80\"", 1},     /* U+E000 */
	    {"\"\xc0\xaf\"", 0},         /* overlong '/' */
	    {"\"\xc1\xbf\"", 0},         /* overlong */
	    {"\"\xe0\x80\xaf\"", 0},     /* overlong 3-byte */
	    {"\"\xf0\x80\x80\xaf\"", 0}, /* overlong 4-byte */
	    {"\"\xed\xa0\x80\"", 0},     /* U+D800 encoded */
	    {"\"\xed\xbf\xbf\"", 0},     /* U+DFFF encoded */
	    {"\"\xf4\x90\x80\x80\"", 0}, /* above U+10FFFF */
	    {"\"\xf5\x80\x80\x80\"", 0}, {"\"\xff\"", 0},
	    {"\"\x80\"", 0},         /* lone continuation */
	    {"\"\xe2\x82\"", 0},     /* cut short */
	    {"{\"\xc0\x80\":1}", 0}, /* in a key */
	};
	size_t i;

	for (i = 0; i < LA_NELEM(c); i++)
		is_int(parse(c[i].s) != NULL, c[i].ok, "strict UTF-8 case %zu",
		    i);
}

/* "[0,0,...]" with n elements, or an object with n members. */
static char *
wide(size_t n, int object)
{
	struct la_buf b;
	size_t i;

	la_buf_init(&b);
	la_buf_putc(&b, object ? '{' : '[');
	for (i = 0; i < n; i++) {
		if (i)
			la_buf_putc(&b, ',');
		if (object)
			la_buf_printf(&b, "\"k%zu\":%zu", i, i);
		else
			la_buf_putc(&b, '0');
	}
	la_buf_putc(&b, object ? '}' : ']');
	return (b.data);
}

static yajl_val
parse_lim(const char *s, const struct la_json_limits *lim,
    enum la_json_err *err)
{
	return (la_json_parse_limited(s, strlen(s), lim, arena, err));
}

static void
test_width(void)
{
	struct la_json_limits lim = {8, 3, 2};
	enum la_json_err err;
	yajl_val v;
	char *s;

	v = parse_lim("[1,[2,3,4],{\"a\":1,\"b\":2}]", &lim, &err);
	if (!ok(v != NULL && err == LA_JSON_OK, "within the limits"))
		return;
	is_int(v->u.array.len, 3, "three elements");
	is_int(v->u.array.values[2]->u.object.len, 2, "two members");
	v = parse_lim("[1,2,3,4]", &lim, &err);
	ok(v == NULL && err == LA_JSON_TOO_WIDE,
	    "a fourth element is too wide");
	v = parse_lim("{\"a\":1,\"b\":2,\"c\":3}", &lim, &err);
	ok(v == NULL && err == LA_JSON_TOO_WIDE, "a third member is too wide");
	v = parse_lim("[[[[[[[[[1]]]]]]]]]", &lim, &err);
	ok(v == NULL && err == LA_JSON_INVALID, "too deep fails the pre-scan");
	v = parse_lim("[1,", &lim, &err);
	ok(v == NULL && err == LA_JSON_INVALID, "truncated is invalid");
	v = parse_lim("\"\xc0\x80\"", &lim, &err);
	ok(v == NULL && err == LA_JSON_INVALID, "bad UTF-8 is invalid");
	s = wide(LA_JSON_MAX_ARRAY, 0);
	ok(parse(s) != NULL, "the default array limit is allowed");
	free(s);
	s = wide(LA_JSON_MAX_ARRAY + 1, 0);
	ok(parse(s) == NULL, "one more element is not");
	free(s);
	s = wide(LA_JSON_MAX_KEYS, 1);
	v = parse(s);
	ok(v != NULL && v->u.object.len == LA_JSON_MAX_KEYS,
	    "the default member limit is allowed");
	is_str(v->u.object.keys[LA_JSON_MAX_KEYS - 1], "k9999",
	    "members keep their order");
	free(s);
	s = wide(LA_JSON_MAX_KEYS + 1, 1);
	ok(parse(s) == NULL, "one more member is not");
	free(s);
}

static void
test_number_flags(void)
{
	yajl_val v =
	    parse("[12,-0,1.5,1e3,99999999999999999999,-9223372036854775808]");
	unsigned both = YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;

	is_int(v->u.array.values[0]->u.number.flags, both,
	    "12: int and double");
	is_int(v->u.array.values[0]->u.number.i, 12, "12 as int");
	is_int(v->u.array.values[1]->u.number.flags, both,
	    "-0: int and double");
	is_int(v->u.array.values[2]->u.number.flags, YAJL_NUMBER_DOUBLE_VALID,
	    "1.5: double only");
	is_int(v->u.array.values[3]->u.number.flags, YAJL_NUMBER_DOUBLE_VALID,
	    "1e3: double only");
	is_int(v->u.array.values[4]->u.number.flags, YAJL_NUMBER_DOUBLE_VALID,
	    "past 2^63: double only");
	is_int(v->u.array.values[5]->u.number.i, INT64_MIN, "-2^63 as int");
	is_str(v->u.array.values[4]->u.number.r, "99999999999999999999",
	    "the text is kept");
}

int
main(void)
{
	arena = la_arena_new(4096);
	test_strict_utf8();
	test_width();
	test_number_flags();
	test_parse();
	test_get();
	test_str();
	test_numbers();
	test_utf8_len();
	la_arena_free(arena);
	return (done_testing());
}
