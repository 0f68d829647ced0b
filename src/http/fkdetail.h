/*
 * The foreign key behind a constraint error that does not name it. SQLite
 * says only "FOREIGN KEY constraint failed"; the 409's detail should name
 * the column (SPEC §4), as it does on the other engines. After the failed
 * statement, the database is asked: which key of the write has no row to
 * point to, or which row still points to the one being deleted.
 */
#ifndef LA_FKDETAIL_H
#define LA_FKDETAIL_H

#include <stddef.h>

#include "arena.h"
#include "catalog.h"
#include "db.h"
#include "value.h"

/* A write to t setting vals[i] where set[i]: "table.column" of the first
 * foreign key whose value names no row, in out; -1 when none is found. */
int la_fkdetail_write(struct la_db_conn *db, struct la_arena *a,
    const struct la_catalog *cat, const struct la_cat_table *t,
    const struct la_value *vals, const unsigned char *set, char *out, size_t n);
/* A delete of t's row with key: "table.column" of a catalog table's
 * foreign key still pointing at it; -1 when none is found. */
int la_fkdetail_delete(struct la_db_conn *db, struct la_arena *a,
    const struct la_catalog *cat, const struct la_cat_table *t,
    struct la_value key, char *out, size_t n);

#endif
