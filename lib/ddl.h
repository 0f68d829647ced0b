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
 * semicolon, then for each INDEX column a separate statement in idx
 * (one per line, "\n"-separated). Columns with LA_COL_AUTO are the
 * server-managed id/created_at/updated_at/version.
 */
void la_ddl_create_table(struct la_buf *b, struct la_buf *idx,
    enum la_dialect dialect, const char *table, const struct la_col_def *cols,
    size_t ncols);
/* "ALTER TABLE t ADD COLUMN ..." for reflect: partial. */
void la_ddl_add_column(struct la_buf *b, enum la_dialect dialect,
    const char *table, const struct la_col_def *col);

#endif
