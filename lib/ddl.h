/*
 * CREATE TABLE and CREATE INDEX text for declared endpoints, per dialect,
 * built only from catalog identifiers (quoted) and literal types.
 */
#ifndef LA_DDL_H
#define LA_DDL_H

#include <stddef.h>

#include "buf.h"
#include "coldef.h"
#include "dialect.h"

/* Older names of the dialects, still used by tests/fuzz/fuzz_query.c. */
#define LA_DDL_SQLITE LA_DIALECT_SQLITE
#define LA_DDL_PGSQL  LA_DIALECT_PGSQL
#define LA_DDL_MYSQL  LA_DIALECT_MYSQL

/* Appends a quoted identifier: "x" (SQLite, PostgreSQL) or `x` (MySQL). */
void la_ddl_ident(struct la_buf *b, enum la_dialect dialect, const char *name);
/*
 * Appends "CREATE TABLE IF NOT EXISTS ..." for table with the given
 * columns (stored ones: EXCLUDE columns are skipped), without a trailing
 * semicolon, then, when idx is not NULL, for each INDEX column a separate
 * statement in idx (la_ddl_indexes() without lists). Columns with LA_COL_AUTO
 * are the server-managed id/created_at/updated_at/version.
 */
void la_ddl_create_table(struct la_buf *b, struct la_buf *idx,
    enum la_dialect dialect, const char *table, const struct la_col_def *cols,
    size_t ncols);
/*
 * The longest index name written: PostgreSQL keeps 63 bytes of a name,
 * MariaDB takes 64. A longer one is cut and ends with a hash of the whole.
 */
#define LA_DDL_NAME_MAX 63
/*
 * Appends the table's indexes to idx, one "CREATE INDEX IF NOT EXISTS" a
 * line, each named "ix_<table>_<column>" (so the same at every start): for
 * each column that lists (the filtering fields and ordering entries) name,
 * one on (column, key), so that a filtered list ordered by the key and a
 * cursor page ordered by (column, key) walk it; for each other INDEX
 * column one on (column). The key, a UNIQUE column, on MariaDB a
 * foreign key (InnoDB indexes it) and on PostgreSQL a text or json column
 * (a B-tree entry holds about 2700 bytes) get none from lists.
 */
void la_ddl_indexes(struct la_buf *idx, enum la_dialect dialect,
    const char *table, const struct la_col_def *cols, size_t ncols,
    const char *const *lists, size_t nlists);
/*
 * The index in cols of the column a filtering or ordering entry names:
 * "price", a lookup "price__gte" or a descending "-price"; -1 if none.
 */
int la_ddl_list_column(const struct la_col_def *cols, size_t ncols,
    const char *entry);
/* "ALTER TABLE t ADD COLUMN ..." for reflect: partial. */
void la_ddl_add_column(struct la_buf *b, enum la_dialect dialect,
    const char *table, const struct la_col_def *col);

#endif
