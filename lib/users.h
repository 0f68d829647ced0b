/*
 * The file login validator: one user per line, "username:hash:{claims}",
 * where hash is a crypt(3) hash and claims a JSON object copied into the
 * user's tokens. Blank lines and lines starting with '#' are skipped.
 */
#ifndef LA_USERS_H
#define LA_USERS_H

#include <stddef.h>

#include "buf.h"

struct la_arena;

struct la_user {
	const char *name, *hash;
	const char *claims; /* JSON object text; "{}" when the line has none */
};

struct la_users {
	struct la_user *v;
	size_t n;
};

/* Parses text; on failure -1 with "NAME:LINE: message" lines in errs. */
int la_users_parse(const char *name, const char *text, size_t len,
    struct la_arena *a, struct la_users *out, struct la_buf *errs);
const struct la_user *la_users_find(const struct la_users *u, const char *name,
    size_t len);

#endif
