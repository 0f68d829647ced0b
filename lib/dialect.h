/*
 * What differs between the SQL of SQLite, PostgreSQL and MySQL/MariaDB, in
 * one table: the DDL and statement builders look things up here instead of
 * testing which database they write for, so a difference is written down
 * once and a new dialect is one more row.
 */
#ifndef LA_DIALECT_H
#define LA_DIALECT_H

#include <stdint.h>

#include "buf.h"
#include "coldef.h"

enum la_dialect { LA_DIALECT_SQLITE = 1, LA_DIALECT_PGSQL, LA_DIALECT_MYSQL };

#define LA_DIALECT_FIRST LA_DIALECT_SQLITE
#define LA_DIALECT_LAST  LA_DIALECT_MYSQL

/* The server-managed columns, in the order CREATE TABLE places them. */
enum la_dialect_auto {
	LA_DIALECT_AUTO_ID = 0,
	LA_DIALECT_AUTO_CREATED,
	LA_DIALECT_AUTO_UPDATED,
	LA_DIALECT_AUTO_VERSION,
	LA_DIALECT_NAUTO
};

/* Statements that may end in RETURNING, for la_dialect_returning(). */
enum la_dialect_verb {
	LA_DIALECT_INSERT = 0,
	LA_DIALECT_UPDATE,
	LA_DIALECT_DELETE,
	LA_DIALECT_NVERBS
};

#define LA_DIALECT_NTYPES (LA_T_ANY + 1)

struct la_dialect_info {
	const char *name;
	char quote; /* identifier quote, doubled inside a name */
	int dollar; /* placeholders are $1, $2 ... rather than ? */
	/* Column type per catalog type (index: enum la_type). */
	const char *types[LA_DIALECT_NTYPES];
	/* Type and constraints of id, created_at, updated_at, version. */
	const char *auto_sql[LA_DIALECT_NAUTO];
	/*
	 * A decimal with a scale: "NUMERIC" → NUMERIC(p, s). NULL where the
	 * engine has no exact decimal and decimals are stored as text.
	 */
	const char *decimal_sized;
	/*
	 * Decimals kept as text compare as text ("10.00" < "9.00"): such a
	 * dialect compares and orders them through decimal_cmp_cast.
	 */
	const char *decimal_cmp_cast; /* " AS REAL", or NULL */
	/* str with max_length: VARCHAR(n) up to varchar_max, else
	 * varchar_over; varchar_max 0: the engine has no length limit. */
	int64_t varchar_max;
	const char *varchar_over;
	/* Substring tests: the function giving a 1-based position (0 when
	 * absent), and the cast that turns a non-text column into text
	 * (NULL: the engine compares any column as text already). */
	const char *position_fn;
	const char *text_cast;
	/* Appended to ORDER BY terms so NULL sorts as the smallest value,
	 * as in SQLite and MySQL ("" where that is the default). */
	const char *nulls_asc, *nulls_desc;
	/* An INSERT that sets no column. */
	const char *insert_defaults;
	/* After the closing parenthesis of CREATE TABLE. */
	const char *table_options;
	/* An inline REFERENCES is enforced (MySQL parses and ignores it:
	 * foreign keys must be table constraints). */
	int inline_fk;
	/* ALTER TABLE ... ADD COLUMN may carry UNIQUE (not on SQLite). */
	int add_unique;
	/*
	 * Lowest server version (the driver's numbering) that accepts
	 * RETURNING on each verb; 0: never.
	 */
	int64_t returning[LA_DIALECT_NVERBS];
	/*
	 * Characters of a text column a plain index covers, where an index
	 * on a whole TEXT value is refused (MySQL); 0: the whole value.
	 */
	int64_t index_prefix;
	/*
	 * After the placeholder a text column is looked up by (the login's
	 * username): a byte-exact match, as on SQLite and PostgreSQL, even
	 * in a hand-made table whose collation ignores case ("" if exact).
	 */
	const char *text_eq;
	/*
	 * The cast of an integer key from a URL ("/t/3000000000") where an
	 * engine refuses to compare a value out of the column's range
	 * (PostgreSQL, against INTEGER): the row is then simply not found.
	 * NULL: compare as is.
	 */
	const char *int_key_cast;
	/*
	 * One row, one integer: the engine's statistics of how many rows
	 * the table named by the one parameter holds (negative or NULL when
	 * it has no figure). NULL: the engine keeps none (SQLite, unless
	 * ANALYZE was run, which lightapid cannot count on).
	 */
	const char *row_estimate;
};

/* The row of a dialect; d must be one of enum la_dialect. */
const struct la_dialect_info *la_dialect(enum la_dialect d);
/* Appends name quoted for d. */
void la_dialect_ident(struct la_buf *b, enum la_dialect d, const char *name);
/* Appends the n-th (1-based) placeholder. */
void la_dialect_param(struct la_buf *b, enum la_dialect d, int n);
/* 1 when a server of that version accepts RETURNING on verb. */
int la_dialect_returning(enum la_dialect d, enum la_dialect_verb verb,
    int64_t version);

#endif
