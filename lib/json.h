/*
 * JSON in and out. Request bodies are parsed with yajl's tree API after a
 * cheap pre-scan that bounds nesting depth (yajl's parser recurses).
 * Responses are written straight into a la_buf: compact, UTF-8 passed
 * through unescaped, as LightAPI does.
 */
#ifndef LA_JSON_H
#define LA_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "buf.h"

struct la_arena;

#define LA_JSON_MAX_DEPTH 64
#define LA_JSON_MAX_ARRAY 10000 /* elements of one array */
#define LA_JSON_MAX_KEYS  10000 /* members of one object */

struct la_json_limits {
	int max_depth;    /* nesting */
	size_t max_array; /* elements per array */
	size_t max_keys;  /* members per object */
};

extern const struct la_json_limits la_json_default_limits;

enum la_json_err {
	LA_JSON_OK,
	LA_JSON_INVALID,  /* not JSON, or not strict UTF-8 */
	LA_JSON_TOO_DEEP, /* nests deeper than max_depth */
	LA_JSON_TOO_WIDE  /* an array or object past its limit */
};

/*
 * Parses len bytes (no NUL needed) in time linear in their length. Returns
 * the tree, which lives in the arena, or NULL with the reason in *err.
 * Every string and key is strict UTF-8 (no overlong form, no surrogate,
 * nothing above U+10FFFF).
 */
yajl_val la_json_parse_limited(const char *text, size_t len,
    const struct la_json_limits *lim, struct la_arena *a,
    enum la_json_err *err);
/* The same with the default width limits; NULL for any failure. */
yajl_val la_json_parse(const char *text, size_t len, int max_depth,
    struct la_arena *a);
/* Member of an object by key (len bytes), or NULL. */
yajl_val la_json_get(yajl_val obj, const char *key, size_t len);

/* Writers. */
void la_json_str(struct la_buf *b, const char *s, size_t len);
void la_json_cstr(struct la_buf *b, const char *s);
void la_json_int(struct la_buf *b, int64_t v);
/* Like Python's repr of a float: shortest text that reads back the same,
 * always with a '.' or exponent ("3.0", "0.1", "1e+20"). */
void la_json_double(struct la_buf *b, double v);
/* Re-serialises a parsed value compactly (numbers as written). */
void la_json_value(struct la_buf *b, yajl_val v);
/* Number of UTF-8 code points in s (for min_length/max_length). */
size_t la_json_utf8_len(const char *s, size_t len);

#endif
