/*
 * UUID texts as Pydantic v2 (the Rust uuid crate) reads them: simple (32
 * hex digits), hyphenated (8-4-4-4-12), braced "{…}" or "urn:uuid:…", in
 * any case; stored lower-case hyphenated.
 */
#ifndef LA_UUID_H
#define LA_UUID_H

#include <stddef.h>

struct la_arena;

#define LA_UUID_LEN 36

/* 0 with out[0..36] the canonical form and out[36] = '\0', or -1. */
int la_uuid_parse(const char *s, size_t len, char out[LA_UUID_LEN + 1]);
/* Why s did not parse, in the uuid crate's words (positions 1-based from
 * the start of s); only meaningful when la_uuid_parse refused s. */
const char *la_uuid_why(const char *s, size_t len, struct la_arena *a);

#endif
