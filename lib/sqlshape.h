/*
 * Statement text per query shape. A statement's text depends only on who
 * builds it (context, catalog, table, dialect, statement kind) and on the
 * shape of the request: which filters with which column, operator and
 * number of values, whether there is a search, the order and its
 * directions, which cursor keys are NULL, whether there is a limit and an
 * offset, the scope's filters. Two requests of one shape differ only in
 * their bound values, so the text is built once and kept here, with the
 * hash the statement cache finds it by.
 *
 * Shapes come from query strings a client controls: the memo holds at
 * most max entries (the oldest goes first) and a key longer than
 * LA_SQLSHAPE_KEY_MAX is not kept at all (that statement is built every
 * time, as before).
 */
#ifndef LA_SQLSHAPE_H
#define LA_SQLSHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "dialect.h"
#include "query.h"
#include "value.h"

#define LA_SQLSHAPE_KEY_MAX 192

enum la_sqlshape_kind {
	LA_SQLSHAPE_QUERY,     /* la_sqlb_query */
	LA_SQLSHAPE_COUNT,     /* la_sqlb_count */
	LA_SQLSHAPE_SELECT_PK, /* la_sqlb_select_pk + scope */
	LA_SQLSHAPE_EXISTS,    /* la_sqlb_exists + scope */
	LA_SQLSHAPE_DELETE,    /* la_sqlb_delete + scope */
	LA_SQLSHAPE_UPDATE,    /* la_sqlb_update + scope [+ returning] */
	LA_SQLSHAPE_INSERT     /* la_sqlb_insert [+ returning] */
};

/* The bytes that decide a statement's text; ok 0: too long to keep. */
struct la_sqlshape_key {
	size_t len;
	int ok;
	unsigned char b[LA_SQLSHAPE_KEY_MAX];
};

/* A kept text, NUL-terminated, and its statement-cache hash. */
struct la_sqlshape_ent {
	const char *text;
	size_t len;
	uint64_t hash;
};

struct la_sqlshape;

/* Starts a key: the builder (owner, e.g. the worker's context), the
 * catalog, the table, the dialect and the statement kind. */
void la_sqlshape_key_init(struct la_sqlshape_key *k, const void *owner,
    const struct la_catalog *c, const struct la_cat_table *t, enum la_dialect d,
    enum la_sqlshape_kind kind);
/* Appends the shape of n filters (list filters or a scope's). */
void la_sqlshape_key_filters(struct la_sqlshape_key *k,
    const struct la_qfilter *f, size_t n);
/* Appends what la_sqlb_query's text depends on beyond the filters. */
void la_sqlshape_key_query(struct la_sqlshape_key *k,
    const struct la_cat_table *t, const struct la_query *qq,
    const struct la_value *keys, int reverse, int64_t limit, int64_t offset);
/* Appends what la_sqlb_count's text depends on beyond the filters. */
void la_sqlshape_key_count(struct la_sqlshape_key *k,
    const struct la_cat_table *t, const struct la_query *qq);
/* Appends the columns a body sets (insert, update) and flags. */
void la_sqlshape_key_set(struct la_sqlshape_key *k,
    const struct la_cat_table *t, const unsigned char *set, int flags);

struct la_sqlshape *la_sqlshape_new(size_t max);
/* NULL is allowed. */
void la_sqlshape_free(struct la_sqlshape *m);
/* The text kept for k, or NULL. */
const struct la_sqlshape_ent *la_sqlshape_get(struct la_sqlshape *m,
    const struct la_sqlshape_key *k);
/* Keeps text[0..len) for k (absent so far), evicting the oldest entry
 * when full; NULL when k is not ok. Valid until the next put. */
const struct la_sqlshape_ent *la_sqlshape_put(struct la_sqlshape *m,
    const struct la_sqlshape_key *k, const char *text, size_t len);
size_t la_sqlshape_count(const struct la_sqlshape *m);

#endif
