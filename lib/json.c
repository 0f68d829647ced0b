/*
 * JSON in and out (see json.h). Parsing drives yajl's event parser and
 * builds the tree itself, in the arena: yajl's own tree builder grows each
 * array and object one element at a time (quadratic in width) and cannot
 * bound width. A linear pre-scan first bounds the nesting depth (yajl's
 * parser recurses) and rules out NUL bytes (yajl keeps strings
 * NUL-terminated). Every string and key must be strict UTF-8. Writing
 * follows Python's json.dumps(ensure_ascii=False) with compact separators,
 * which is what LightAPI clients receive today.
 */
#include <float.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "arena.h"
#include "json.h"
#include "str.h"

#include <yajl/yajl_parse.h>

static const char json_hex[] = "0123456789abcdef";

/* The code unit of a "\uXXXX" escape at p (6 bytes available), or -1. */
static long
json_unit(const char *p)
{
	char hex[5];
	char *end;
	long u;

	if (p[0] != '\\' || p[1] != 'u')
		return (-1);
	memcpy(hex, p + 2, 4);
	hex[4] = '\0';
	u = strtol(hex, &end, 16);
	return (end == hex + 4 ? u : -1);
}

/*
 * Checks the escape at p[i] ('\\'); returns its length, or 0 for one the
 * tree would mangle: "\u0000" cuts the string short, and a surrogate
 * that is not half of a pair comes out as '?' or as invalid UTF-8.
 */
static size_t
json_escape_len(const char *p, size_t i, size_t len)
{
	long u, lo;

	if (i + 6 > len || (u = json_unit(p + i)) < 0)
		return (2); /* not \uXXXX: yajl judges it */
	if (u == 0 || (u >= 0xdc00 && u <= 0xdfff))
		return (0);
	if (u < 0xd800 || u > 0xdbff)
		return (6);
	if (i + 12 > len || (lo = json_unit(p + i + 6)) < 0xdc00 || lo > 0xdfff)
		return (0);
	return (12);
}

/* Skips a string body from just after its opening quote; returns the
 * index after the closing quote, or len when it is unterminated. */
static size_t
json_skip_string(const char *p, size_t i, size_t len, int *bad)
{
	size_t n;

	while (i < len) {
		if (p[i] == '"')
			return (i + 1);
		if (p[i] == '\\') {
			if ((n = json_escape_len(p, i, len)) == 0) {
				*bad = 1;
				return (len);
			}
			i += n;
			continue;
		}
		i++;
	}
	return (len);
}

static int
json_prescan(const char *p, size_t len, int max_depth)
{
	size_t i = 0;
	int depth = 0, bad = 0;

	while (i < len) {
		switch (p[i]) {
		case '\0':
		case '/': /* yajl_tree_parse turns comments on; JSON has none */
			return (-1);
		case '"':
			i = json_skip_string(p, i + 1, len, &bad);
			if (bad)
				return (-1);
			continue;
		case '[':
		case '{':
			if (++depth > max_depth)
				return (-1);
			break;
		case ']':
		case '}':
			depth--;
			break;
		default:
			break;
		}
		i++;
	}
	return (0);
}

/* A container being filled: its node and room for its children. */
struct json_frame {
	yajl_val v;
	size_t cap;
	const char *key; /* an object's key waiting for its value */
};

struct json_build {
	struct la_arena *a;
	const struct la_json_limits *lim;
	struct json_frame *stack;
	int depth, max;
	yajl_val root;
	enum la_json_err err;
};

static yajl_val
json_node(struct json_build *b, yajl_type type)
{
	yajl_val v = la_arena_calloc(b->a, 1, sizeof(*v));

	v->type = type;
	return (v);
}

/* Doubles a child array in the arena: linear in the final width. */
static void *
json_grow(struct json_build *b, void *old, size_t n, size_t *cap, size_t size)
{
	void *p;

	if (n < *cap)
		return (old);
	*cap = *cap ? *cap * 2 : 8;
	p = la_arena_alloc(b->a, *cap * size);
	if (n > 0)
		memcpy(p, old, n * size);
	return (p);
}

/* Attaches v to the open container, or makes it the root. */
static int
json_add(struct json_build *b, yajl_val v)
{
	struct json_frame *f;
	yajl_val c;
	size_t cap;

	if (b->depth == 0) {
		b->root = v;
		return (1);
	}
	f = &b->stack[b->depth - 1];
	c = f->v;
	if (YAJL_IS_ARRAY(c)) {
		if (c->u.array.len >= b->lim->max_array) {
			b->err = LA_JSON_TOO_WIDE;
			return (0);
		}
		c->u.array.values = json_grow(b, c->u.array.values,
		    c->u.array.len, &f->cap, sizeof(yajl_val));
		c->u.array.values[c->u.array.len++] = v;
		return (1);
	}
	cap = f->cap;
	c->u.object.keys = json_grow(b, (void *)c->u.object.keys,
	    c->u.object.len, &cap, sizeof(char *));
	c->u.object.values = json_grow(b, c->u.object.values, c->u.object.len,
	    &f->cap, sizeof(yajl_val));
	c->u.object.keys[c->u.object.len] = f->key;
	c->u.object.values[c->u.object.len++] = v;
	return (1);
}

static int
json_push(struct json_build *b, yajl_type type)
{
	yajl_val v = json_node(b, type);

	if (!json_add(b, v))
		return (0);
	if (b->depth == b->max) {
		b->err = LA_JSON_TOO_DEEP;
		return (0);
	}
	memset(&b->stack[b->depth], 0, sizeof(b->stack[0]));
	b->stack[b->depth++].v = v;
	return (1);
}

static int
json_pop(void *ctx)
{
	((struct json_build *)ctx)->depth--;
	return (1);
}

static int
json_start_map(void *ctx)
{
	return (json_push(ctx, yajl_t_object));
}

static int
json_start_array(void *ctx)
{
	return (json_push(ctx, yajl_t_array));
}

static char *
json_text(struct json_build *b, const unsigned char *s, size_t len)
{
	if (!la_str_utf8_valid((const char *)s, len)) {
		b->err = LA_JSON_INVALID;
		return (NULL);
	}
	return (la_arena_strndup(b->a, (const char *)s, len));
}

static int
json_key(void *ctx, const unsigned char *s, size_t len)
{
	struct json_build *b = ctx;
	struct json_frame *f = &b->stack[b->depth - 1];

	if (f->v->u.object.len >= b->lim->max_keys) {
		b->err = LA_JSON_TOO_WIDE;
		return (0);
	}
	return ((f->key = json_text(b, s, len)) != NULL);
}

static int
json_string(void *ctx, const unsigned char *s, size_t len)
{
	struct json_build *b = ctx;
	yajl_val v = json_node(b, yajl_t_string);

	return ((v->u.string = json_text(b, s, len)) != NULL && json_add(b, v));
}

/* Numbers keep their text; i and d are set as yajl's tree sets them. */
static int
json_number(void *ctx, const char *s, size_t len)
{
	struct json_build *b = ctx;
	yajl_val v = json_node(b, yajl_t_number);
	char *end;

	v->u.number.r = la_arena_strndup(b->a, s, len);
	errno = 0;
	v->u.number.i = strtoll(v->u.number.r, &end, 10);
	if (errno == 0 && *end == '\0')
		v->u.number.flags |= YAJL_NUMBER_INT_VALID;
	errno = 0;
	v->u.number.d = strtod(v->u.number.r, &end);
	if (errno == 0 && *end == '\0')
		v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
	return (json_add(b, v));
}

static int
json_null(void *ctx)
{
	return (json_add(ctx, json_node(ctx, yajl_t_null)));
}

static int
json_bool(void *ctx, int yes)
{
	return (
	    json_add(ctx, json_node(ctx, yes ? yajl_t_true : yajl_t_false)));
}

static const yajl_callbacks json_callbacks = {
    .yajl_null = json_null,
    .yajl_boolean = json_bool,
    .yajl_number = json_number,
    .yajl_string = json_string,
    .yajl_start_map = json_start_map,
    .yajl_map_key = json_key,
    .yajl_end_map = json_pop,
    .yajl_start_array = json_start_array,
    .yajl_end_array = json_pop,
};

const struct la_json_limits la_json_default_limits = {LA_JSON_MAX_DEPTH,
    LA_JSON_MAX_ARRAY, LA_JSON_MAX_KEYS};

yajl_val
la_json_parse_limited(const char *text, size_t len,
    const struct la_json_limits *lim, struct la_arena *a, enum la_json_err *err)
{
	struct json_build b;
	yajl_handle h;
	int ok;

	memset(&b, 0, sizeof(b));
	b.a = a;
	b.lim = lim;
	b.max = lim->max_depth;
	b.err = LA_JSON_INVALID;
	if (json_prescan(text, len, lim->max_depth) != 0) {
		*err = LA_JSON_INVALID;
		return (NULL);
	}
	b.stack =
	    la_arena_alloc(a, (size_t)(lim->max_depth + 1) * sizeof(*b.stack));
	if ((h = yajl_alloc(&json_callbacks, NULL, &b)) == NULL) {
		*err = LA_JSON_INVALID;
		return (NULL);
	}
	ok =
	    yajl_parse(h, (const unsigned char *)text, len) == yajl_status_ok &&
	    yajl_complete_parse(h) == yajl_status_ok && b.root != NULL;
	yajl_free(h);
	*err = ok ? LA_JSON_OK : b.err;
	return (ok ? b.root : NULL);
}

yajl_val
la_json_parse(const char *text, size_t len, int max_depth, struct la_arena *a)
{
	struct la_json_limits lim = la_json_default_limits;
	enum la_json_err err;

	lim.max_depth = max_depth;
	return (la_json_parse_limited(text, len, &lim, a, &err));
}

yajl_val
la_json_get(yajl_val obj, const char *key, size_t len)
{
	yajl_val found = NULL;
	size_t i;
	const char *k;

	if (obj == NULL || !YAJL_IS_OBJECT(obj))
		return (NULL);
	/* The last duplicate wins, as with Python's json module. */
	for (i = 0; i < obj->u.object.len; i++) {
		k = obj->u.object.keys[i];
		if (strncmp(k, key, len) == 0 && k[len] == '\0')
			found = obj->u.object.values[i];
	}
	return (found);
}

static void
json_escape(struct la_buf *b, unsigned char c)
{
	char u[6] = {'\\', 'u', '0', '0', 0, 0};

	switch (c) {
	case '"':
		la_buf_append(b, "\\\"", 2);
		break;
	case '\\':
		la_buf_append(b, "\\\\", 2);
		break;
	case '\n':
		la_buf_append(b, "\\n", 2);
		break;
	case '\r':
		la_buf_append(b, "\\r", 2);
		break;
	case '\t':
		la_buf_append(b, "\\t", 2);
		break;
	case '\b':
		la_buf_append(b, "\\b", 2);
		break;
	case '\f':
		la_buf_append(b, "\\f", 2);
		break;
	default:
		u[4] = json_hex[c >> 4];
		u[5] = json_hex[c & 0xf];
		la_buf_append(b, u, sizeof(u));
		break;
	}
}

/* 1 for the bytes a JSON string cannot hold as they are: one load per
 * byte instead of three comparisons. */
#define JSON_ESC4(n) [(n)] = 1, [(n) + 1] = 1, [(n) + 2] = 1, [(n) + 3] = 1
static const unsigned char json_esc[256] = {JSON_ESC4(0x00), JSON_ESC4(0x04),
    JSON_ESC4(0x08), JSON_ESC4(0x0c), JSON_ESC4(0x10), JSON_ESC4(0x14),
    JSON_ESC4(0x18), JSON_ESC4(0x1c), ['"'] = 1, ['\\'] = 1};

#ifdef __SSE2__
/* Bytes of p[0..15] that need escaping, as a bit mask: control
 * characters (min(c, 0x1f) == c), '"' and '\\'. */
static unsigned
json_esc16(const unsigned char *p)
{
	const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i e = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);

	e = _mm_or_si128(e, _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
	e = _mm_or_si128(e, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
	return ((unsigned)_mm_movemask_epi8(e));
}
#endif

#ifdef __SSE2__
/* 1 when none of len >= 16 bytes needs escaping: sixteen at a time, the
 * last sixteen overlapping what was checked, so nothing is read past s. */
static int
json_clean(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 16 <= len; i += 16)
		if (json_esc16(s + i) != 0)
			return (0);
	return (i == len || json_esc16(s + len - 16) == 0);
}
#endif

/* 1 when none of the 8 bytes in w needs escaping: no byte below 0x20,
 * no '"', no '\\' (word-at-a-time zero and less-than byte tests). */
static inline int
json_clean8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');

	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
	            ((bs - ones) & ~bs)) &
	           high) == 0;
}

/*
 * Copies a string of 4 to 32 bytes that needs no escape to d in two
 * overlapping loads and stores (4-byte words below 8 bytes, 8-byte ones
 * up to 16, 16-byte ones up to 32), instead of a scan and a library call;
 * 0 when some byte needs escaping or the length is outside that range.
 */
static inline int
json_copy_short(char *d, const unsigned char *p, size_t len)
{
	uint64_t a, z;
	uint32_t a4, z4;

	if (len >= 4 && len < 8) {
		/* The same in 4-byte halves, tested as one word. */
		memcpy(&a4, p, 4);
		memcpy(&z4, p + len - 4, 4);
		if (!json_clean8((uint64_t)a4 << 32 | z4))
			return (0);
		memcpy(d, &a4, 4);
		memcpy(d + len - 4, &z4, 4);
		return (1);
	}
	if (len >= 8 && len <= 16) {
		memcpy(&a, p, 8);
		memcpy(&z, p + len - 8, 8);
		if (!json_clean8(a) || !json_clean8(z))
			return (0);
		memcpy(d, &a, 8);
		memcpy(d + len - 8, &z, 8);
		return (1);
	}
#ifdef __SSE2__
	if (len > 16 && len <= 32) {
		if (json_esc16(p) != 0 || json_esc16(p + len - 16) != 0)
			return (0);
		_mm_storeu_si128((__m128i *)(void *)d,
		    _mm_loadu_si128((const __m128i *)(const void *)p));
		_mm_storeu_si128((__m128i *)(void *)(d + len - 16),
		    _mm_loadu_si128(
		        (const __m128i *)(const void *)(p + len - 16)));
		return (1);
	}
#endif
	return (0);
}

void
la_json_str(struct la_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char *d;

	/* Room for the common case, no escapes: copy while scanning and only
	 * fall back to the buffer calls at an escape. */
	if (b->data != NULL && b->cap - b->len > len + 2)
		d = b->data + b->len;
	else
		d = la_buf_reserve(b, len + 2);
	*d++ = '"';
	if (json_copy_short(d, p, len)) {
		d += len;
		p = end;
	}
#ifdef __SSE2__
	else if (len > 32 && json_clean(p, len)) {
		memcpy(d, p, len);
		d += len;
		p = end;
	}
#endif
	while (p < end) {
		if (!json_esc[*p]) {
			*d++ = (char)*p++;
			continue;
		}
		b->len = (size_t)(d - b->data);
		json_escape(b, *p++);
		d = la_buf_reserve(b, (size_t)(end - p) + 1);
	}
	*d++ = '"';
	*d = '\0';
	b->len = (size_t)(d - b->data);
}

void
la_json_cstr(struct la_buf *b, const char *s)
{
	la_json_str(b, s, strlen(s));
}

/* "00" to "99": two digits per division. */
static const char json_dig2[] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";

/* u in decimal, written backwards from end; the first digit. */
static inline char *
json_udec(uint64_t u, char *end)
{
	char *p = end;

	while (u >= 100) {
		p -= 2;
		memcpy(p, json_dig2 + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, json_dig2 + 2 * u, 2);
	} else
		*--p = (char)('0' + u);
	return (p);
}

/* Decimal digits of u. */
static inline int
json_ndigits(uint64_t u)
{
	int n = 1;

	for (; u >= 10000; u /= 10000)
		n += 4;
	return (n + (u >= 10) + (u >= 100) + (u >= 1000));
}

/* Room for n more bytes and their NUL, without the call when there is. */
static inline char *
json_room(struct la_buf *b, size_t n)
{
	if (b->data != NULL && b->cap - b->len > n)
		return (b->data + b->len);
	return (la_buf_reserve(b, n));
}

/* The text is written straight into the buffer, from its last digit
 * back: its length is counted first, so there is nothing to copy. */
void
la_json_int(struct la_buf *b, int64_t v)
{
	/* Through uint64_t, so INT64_MIN negates without overflow. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = (size_t)json_ndigits(u) + (v < 0);
	char *d = json_room(b, n);

	(void)json_udec(u, d + n);
	if (v < 0)
		d[0] = '-';
	b->len += n;
	b->data[b->len] = '\0';
}

/*
 * m / 10^k as "<int>.<frac>" (k > 0) or "<int>.0", written backwards
 * straight into the buffer once its length is known.
 */
static void
json_put_decimal(struct la_buf *b, uint64_t m, int k)
{
	uint64_t ip = m;
	size_t n;
	char *d, *p;
	int i;

	for (i = 0; i < k; i++)
		ip /= 10;
	n = (size_t)json_ndigits(ip) + 1 + (size_t)(k > 0 ? k : 1);
	d = json_room(b, n);
	p = d + n;
	if (k == 0)
		*--p = '0';
	for (; k > 0; k--) {
		*--p = (char)('0' + m % 10);
		m /= 10;
	}
	*--p = '.';
	(void)json_udec(m, p);
	b->len += n;
	b->data[b->len] = '\0';
}

/*
 * The common case without printf: a value with at most six decimals and
 * at most 15 digits ("3.5", "19.99", "42.0"). m / 10^k
 * is correctly rounded, so when it gives v back, the text reads back as v.
 * Below 1e-4 repr uses an exponent, so those take the general path.
 */
static int
json_short_decimal(struct la_buf *b, double v)
{
	static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
	uint64_t m;
	double scaled;
	int k;

	if (v != 0 && v < 1e-4)
		return (0);
	for (k = 0; k < (int)(sizeof(p10) / sizeof(p10[0])); k++) {
		scaled = v * p10[k];
		/* Up to 15 digits no other decimal that short maps to the
		 * same double, so the text is also the shortest. */
		if (!(scaled < 1e15)) /* NaN too */
			return (0);
		/* Below 1e15 the cast is exact for an integral value and
		 * cheaper than floor(). */
		if (scaled != (double)(int64_t)scaled || scaled / p10[k] != v)
			continue;
		/* v * 10^k may be integral a digit later than the text
		 * needs: the same number, written without its zeros. */
		for (m = (uint64_t)scaled; k > 0 && m % 10 == 0; k--)
			m /= 10;
		json_put_decimal(b, m, k);
		return (1);
	}
	return (0);
}

/*
 * Shortest "%.*e" text that reads back as v. For a normal double the
 * correctly rounded 15-digit form is exact for anything that has a
 * shorter representation, so only 15, 16 and 17 significant digits need
 * trying; subnormals are too coarse for that and try every length.
 */
static void
json_shortest(double v, char *tmp, size_t size)
{
	int prec;

	for (prec = v < DBL_MIN ? 0 : 14; prec < 17; prec++) {
		snprintf(tmp, size, "%.*e", prec, v);
		if (strtod(tmp, NULL) == v)
			return;
	}
}

/* Splits "-d.ddde+XX" into digits without trailing zeros and exponent. */
static size_t
json_digits(const char *e, char *digits, int *exp10)
{
	size_t n = 0;

	for (; *e != 'e'; e++)
		if (*e >= '0' && *e <= '9')
			digits[n++] = *e;
	*exp10 = atoi(e + 1);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	return (n);
}

/* Python repr layout: positional for 1e-4 <= |v| < 1e16, else exponent. */
static void
json_layout(struct la_buf *b, const char *d, size_t n, int e)
{
	int i;

	if (e < -4 || e >= 16) {
		la_buf_putc(b, d[0]);
		if (n > 1) {
			la_buf_putc(b, '.');
			la_buf_append(b, d + 1, n - 1);
		}
		la_buf_printf(b, "e%c%02d", e < 0 ? '-' : '+', abs(e));
	} else if (e < 0) {
		la_buf_append(b, "0.", 2);
		for (i = -1; i > e; i--)
			la_buf_putc(b, '0');
		la_buf_append(b, d, n);
	} else if ((size_t)e + 1 >= n) {
		la_buf_append(b, d, n);
		for (i = (int)n; i <= e; i++)
			la_buf_putc(b, '0');
		la_buf_append(b, ".0", 2);
	} else {
		la_buf_append(b, d, (size_t)e + 1);
		la_buf_putc(b, '.');
		la_buf_append(b, d + e + 1, n - (size_t)e - 1);
	}
}

void
la_json_double(struct la_buf *b, double v)
{
	char tmp[40], digits[24];
	size_t n;
	int e;

	/* JSON has no Infinity or NaN; null is the honest answer. */
	if (!isfinite(v)) {
		la_buf_append(b, "null", 4);
		return;
	}
	if (signbit(v))
		la_buf_putc(b, '-');
	if (json_short_decimal(b, fabs(v)))
		return;
	json_shortest(fabs(v), tmp, sizeof(tmp));
	n = json_digits(tmp, digits, &e);
	json_layout(b, digits, n, e);
}

static void json_value(struct la_buf *b, yajl_val v);

static void
json_object(struct la_buf *b, yajl_val v)
{
	size_t i;

	la_buf_putc(b, '{');
	for (i = 0; i < v->u.object.len; i++) {
		if (i > 0)
			la_buf_putc(b, ',');
		la_json_cstr(b, v->u.object.keys[i]);
		la_buf_putc(b, ':');
		json_value(b, v->u.object.values[i]);
	}
	la_buf_putc(b, '}');
}

static void
json_array(struct la_buf *b, yajl_val v)
{
	size_t i;

	la_buf_putc(b, '[');
	for (i = 0; i < v->u.array.len; i++) {
		if (i > 0)
			la_buf_putc(b, ',');
		json_value(b, v->u.array.values[i]);
	}
	la_buf_putc(b, ']');
}

static void
json_value(struct la_buf *b, yajl_val v)
{
	if (v == NULL) {
		la_buf_append(b, "null", 4);
		return;
	}
	switch (v->type) {
	case yajl_t_string:
		la_json_cstr(b, v->u.string);
		break;
	case yajl_t_number:
		la_buf_puts(b, v->u.number.r);
		break;
	case yajl_t_object:
		json_object(b, v);
		break;
	case yajl_t_array:
		json_array(b, v);
		break;
	case yajl_t_true:
		la_buf_append(b, "true", 4);
		break;
	case yajl_t_false:
		la_buf_append(b, "false", 5);
		break;
	default:
		la_buf_append(b, "null", 4);
		break;
	}
}

void
la_json_value(struct la_buf *b, yajl_val v)
{
	json_value(b, v);
}

size_t
la_json_utf8_len(const char *s, size_t len)
{
	size_t i, n = 0;

	/* Every byte that is not a continuation byte starts a code point. */
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return (n);
}
