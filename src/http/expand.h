/*
 * Related rows (?expand=, SPEC §6): along the catalog's foreign keys, the
 * row a column of this table points to ("author" for author_id) or the
 * rows of another endpoint that point here ("books"), one level, only the
 * relations meta.expand allows and only into endpoints the caller may
 * read under their own authentication and row scope.
 *
 * No N+1: the handler hands over each row it writes (la_expand_row), then
 * la_expand_fetch runs one "WHERE key IN (...)" statement per relation for
 * the whole page and la_expand_put/la_expand_stitch add the embedded rows.
 */
#ifndef LA_EXPAND_H
#define LA_EXPAND_H

#include <stddef.h>

#include "buf.h"
#include "crud.h"

struct la_expand;

/*
 * The relations ?expand= asks for on x's endpoint: NULL with *err 0 when
 * it asks for none, NULL with *err -1 after answering 422 (a relation
 * not allowed or unknown) or 403 (one the caller may not read).
 */
struct la_expand *la_expand_parse(struct la_crud *x, int *err);
/* 1 when the request's query string has an expand parameter. */
int la_expand_requested(const struct la_req *r);
/* Records the keys of the row st is on; end: where the row's JSON object
 * ends in the buffer it was written to (just past its '}'). */
void la_expand_row(struct la_expand *e, struct la_db_stmt *st, size_t end);
/* Runs each relation's statement: LA_DB_DONE or an error. */
int la_expand_fetch(struct la_expand *e);
/* Appends ",\"author\":{...}" etc. for the i-th row recorded. */
void la_expand_put(const struct la_expand *e, size_t i, struct la_buf *b);
/* Inserts the embedded rows into b, before each recorded row's '}'. */
void la_expand_stitch(const struct la_expand *e, struct la_buf *b);
/* GET on a detail route with the relations in e: answers it. */
void la_expand_detail(struct la_crud *x, struct la_expand *e);
void la_expand_free(struct la_expand *e);

#endif
