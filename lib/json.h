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

/*
 * Parses len bytes (no NUL needed). Returns the tree, freed when the arena
 * is freed or reset, or NULL when the text is not JSON, is not valid UTF-8,
 * or nests deeper than max_depth.
 */
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
