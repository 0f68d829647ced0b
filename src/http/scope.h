/*
 * Row scoping (meta.where, meta.set): the request's values for its
 * endpoint's scope, from constants and from the claims of the caller's
 * verified credentials. A claim the credentials lack, or one that does
 * not fit its column, refuses the request (403): a scope never falls back
 * to an unscoped query.
 */
#ifndef LA_SCOPE_H
#define LA_SCOPE_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "catalog.h"
#include "query.h"

struct la_req;

struct la_scope {
	struct la_qfilter *where; /* conditions on the rows a verb reaches */
	size_t nwhere;
	const char **set_col; /* columns a write is held to... */
	yajl_val *set_val;    /* ...and their values, as body nodes */
	size_t nset;
};

/*
 * Resolves t's scope for verb into s. 0, or -1 after answering 403 (a
 * claim missing or of the wrong type).
 */
int la_scope_resolve(struct la_req *r, const struct la_catalog *c,
    const struct la_cat_table *t, unsigned verb, struct la_scope *s);
/* body with s's set columns in place of whatever it said about them. */
yajl_val la_scope_body(struct la_req *r, const struct la_scope *s,
    yajl_val body);
/*
 * Appends to a response cache key the values of the claims t's GET scope
 * uses, each length-prefixed ("-" for one missing), so no two callers
 * whose scopes differ share an entry.
 */
void la_scope_key(const struct la_req *r, const struct la_catalog *c,
    const struct la_cat_table *t, struct la_buf *b);

#endif
