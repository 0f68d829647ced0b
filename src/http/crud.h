/*
 * What the CRUD and list handlers share: the request's view of one
 * endpoint, running a statement, writing rows as JSON, and turning a
 * database error into the status the SPEC gives.
 */
#ifndef LA_CRUD_H
#define LA_CRUD_H

#include <stdint.h>

#include "catalog.h"
#include "db.h"
#include "handler.h"
#include "scope.h"
#include "sqlb.h"
#include "sqlshape.h"
#include "value.h"

struct la_expand;

struct la_crud {
	struct la_req *r;
	struct la_ctx *ctx; /* the request's context */
	const struct la_catalog *cat;
	const struct la_cat_table *t;
	const struct la_cat_col *cols;
	struct la_value key;
	struct la_scope scope; /* the verb's row scope (scope.h) */
	/* A write's values and which it sets, to name a broken foreign key
	 * (fkdetail.h); NULL for other statements. */
	const struct la_value *vals;
	const unsigned char *set;
	struct la_expand *expand; /* ?expand='s relations (expand.h) */
	/* The statement la_crud_run runs: a memo's text (la_crud_shaped),
	 * or NULL for the one in the worker's SQL buffer. */
	const struct la_sqlshape_ent *sql;
};

/* 409 for constraint errors, 503 when the database is gone, else 500. */
void la_crud_db_error(struct la_crud *x, int rc);
/* Prepares the statement la_crud_text names (the last one built) and
 * runs it: LA_DB_ROW, LA_DB_DONE or an error; *stp is set (maybe NULL)
 * either way. */
int la_crud_run(struct la_crud *x, const struct la_value *params, size_t n,
    struct la_db_stmt **stp);
/* A builder over the worker's SQL buffer in the driver's dialect; what
 * it builds is what la_crud_run runs next. */
struct la_sqlb la_crud_sql(struct la_crud *x);
/* The statement la_crud_run would run, and its length. */
const char *la_crud_text(const struct la_crud *x, size_t *len);
/* Starts the shape key of a statement of kind on x's table and dialect. */
void la_crud_shape_key(struct la_crud *x, struct la_sqlshape_key *k,
    enum la_sqlshape_kind kind);
/*
 * A builder for the statement of shape k. When the worker's memo has
 * its text the builder only collects the values (la_sqlb_values_only);
 * either way build as usual, then call la_crud_shaped_end, which keeps a
 * text just built. la_crud_run then runs the memo's text.
 */
struct la_sqlb la_crud_shaped(struct la_crud *x,
    const struct la_sqlshape_key *k);
void la_crud_shaped_end(struct la_crud *x, const struct la_sqlb *q,
    const struct la_sqlshape_key *k);
/* The key's statement of kind (LA_SQLSHAPE_SELECT_PK, _EXISTS or
 * _DELETE) scoped, through the memo: its values, *n of them. */
struct la_value *la_crud_key_stmt(struct la_crud *x, enum la_sqlshape_kind kind,
    size_t *n);
/* How rows are written for reads or writes: the serializer's columns in
 * schema order, planned once per table (see crud.c). */
struct la_crud_plan;
const struct la_crud_plan *la_crud_projection(struct la_crud *x, int write);
/* The current row of st as a JSON object appended to the body. */
void la_crud_row_out(struct la_crud *x, struct la_db_stmt *st,
    const struct la_crud_plan *plan);
/* Answers status with the row st is on (rc LA_DB_ROW), 404 (rc
 * LA_DB_DONE) or the error rc, and finishes st. */
void la_crud_answer_row(struct la_crud *x, int status, int write, int rc,
    struct la_db_stmt *st);
/*
 * The key's statement in q scoped: the scope's conditions appended and
 * the key's value then theirs in a new array (*n of them).
 */
struct la_value *la_crud_keyed(struct la_crud *x, struct la_sqlb *q, size_t *n);
/* Appends the scope's conditions to the statement in q, which binds the
 * n values at params; the count with theirs (params has room). */
size_t la_crud_scope(struct la_crud *x, struct la_sqlb *q,
    struct la_value *params, size_t n);
/* Reads the row with x->key and answers status with it, or 404. */
void la_crud_send_row(struct la_crud *x, int status, int write);
/* A transaction for a write the engine cannot answer with RETURNING:
 * begin (-1: answered with the error), then end, which commits when the
 * answer is status and rolls back otherwise. */
int la_crud_begin(struct la_crud *x);
void la_crud_end(struct la_crud *x, int status);

#endif
