/*
 * Keyset pagination cursors: the sort-key values of the row a page ends
 * (or starts) at, the ordering they belong to and the direction, as
 * base64url of a small JSON object. Opaque to clients, but not secret:
 * a forged cursor can only select other rows the client may list anyway.
 */
#ifndef LA_CURSOR_H
#define LA_CURSOR_H

#include <stddef.h>

#include "buf.h"
#include "catalog.h"
#include "query.h"
#include "value.h"

struct la_arena;

#define LA_CURSOR_NEXT 1
#define LA_CURSOR_PREV (-1)

/* Appends the cursor for keys[0..q->norder) to out. */
void la_cursor_encode(struct la_buf *out, const struct la_query *q, int dir,
    const struct la_value *keys);
/*
 * Decodes q->cursor into keys[0..q->norder) (text in the arena) and *dir.
 * -1 when it does not decode, was made for another ordering, or carries
 * values of the wrong kind for the columns.
 */
int la_cursor_decode(const struct la_catalog *c, const struct la_cat_table *t,
    const struct la_query *q, struct la_arena *a, int *dir,
    struct la_value *keys);

#endif
