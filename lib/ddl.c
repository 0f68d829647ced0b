/*
 * DDL for declared endpoints. Every identifier is quoted, and every type
 * comes from the tables below, so no configuration text reaches SQL
 * unquoted. Defaults are not written into the schema: validation applies
 * them, which keeps one source of truth for POST and PUT.
 */
#include <stdio.h>
#include <string.h>

#include "ddl.h"
#include "la.h"

#define DDL_NAUTO 4

/* The server-managed columns, in the order CREATE TABLE places them. */
static const char *const ddl_auto_names[DDL_NAUTO] = {"id", "created_at",
    "updated_at", "version"};

/* Indexed by [auto column][dialect - 1]. */
static const char *const ddl_auto_sql[DDL_NAUTO][3] = {
    {"INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY",
        "BIGINT AUTO_INCREMENT PRIMARY KEY"},
    {"TEXT NOT NULL", "TIMESTAMP NOT NULL", "DATETIME(6) NOT NULL"},
    {"TEXT NOT NULL", "TIMESTAMP NOT NULL", "DATETIME(6) NOT NULL"},
    {"INTEGER NOT NULL DEFAULT 1", "BIGINT NOT NULL DEFAULT 1",
        "BIGINT NOT NULL DEFAULT 1"},
};

/* str and Decimal depend on their limits: see ddl_put_type(). */
static const struct {
	enum la_type type;
	const char *sql[3];
} ddl_types[] = {
    {LA_T_STR, {"TEXT", "TEXT", "VARCHAR(255)"}},
    {LA_T_TEXT, {"TEXT", "TEXT", "TEXT"}},
    {LA_T_INT, {"INTEGER", "BIGINT", "BIGINT"}},
    {LA_T_FLOAT, {"REAL", "DOUBLE PRECISION", "DOUBLE"}},
    {LA_T_BOOL, {"INTEGER", "BOOLEAN", "TINYINT(1)"}},
    {LA_T_DATETIME, {"TEXT", "TIMESTAMP", "DATETIME(6)"}},
    {LA_T_DATE, {"TEXT", "DATE", "DATE"}},
    {LA_T_DECIMAL, {"TEXT", "NUMERIC", "DECIMAL(65, 30)"}},
    {LA_T_UUID, {"TEXT", "UUID", "CHAR(36)"}},
    {LA_T_JSON, {"TEXT", "JSONB", "JSON"}},
    {LA_T_TIME, {"TEXT", "TIME", "TIME(6)"}},
    {LA_T_ANY, {"TEXT", "TEXT", "TEXT"}},
};

/* Longest VARCHAR: PostgreSQL's limit; 65535 bytes of utf8mb4 in MySQL. */
#define DDL_PG_VARCHAR_MAX    10485760
#define DDL_MYSQL_VARCHAR_MAX 16383
/* Precision when only decimal_places is given: as wide as common use. */
#define DDL_DECIMAL_DIGITS 38

void
la_ddl_ident(struct la_buf *b, int dialect, const char *name)
{
	char q = dialect == LA_DDL_MYSQL ? '`' : '"';

	la_buf_putc(b, q);
	for (; *name != '\0'; name++) {
		if (*name == q)
			la_buf_putc(b, q);
		la_buf_putc(b, *name);
	}
	la_buf_putc(b, q);
}

/* Index into ddl_auto_names, or -1 for a declared column. */
static int
ddl_auto_index(const struct la_col_def *c)
{
	int i;

	if (!(c->flags & LA_COL_AUTO))
		return (-1);
	for (i = 0; i < DDL_NAUTO; i++)
		if (strcmp(c->name, ddl_auto_names[i]) == 0)
			return (i);
	return (-1);
}

static int
ddl_stored(const struct la_col_def *c)
{
	return (!(c->flags & LA_COL_EXCLUDE) && ddl_auto_index(c) == -1);
}

/*
 * A scale alone gets DDL_DECIMAL_DIGITS of precision; without a scale the
 * column must not round, so PostgreSQL gets an unbounded NUMERIC and
 * MySQL (whose bare DECIMAL is DECIMAL(10, 0)) its widest type. Validation
 * enforces max_digits either way.
 */
static int
ddl_put_decimal(struct la_buf *b, int dialect, const struct la_col_def *c)
{
	int32_t p = c->max_digits, d = c->decimal_places;

	if (dialect == LA_DDL_SQLITE || d < 0)
		return (0);
	if (p <= 0)
		p = d + 1 > DDL_DECIMAL_DIGITS ? d + 1 : DDL_DECIMAL_DIGITS;
	la_buf_printf(b, "%s(%ld, %ld)",
	    dialect == LA_DDL_PGSQL ? "NUMERIC" : "DECIMAL", (long)p, (long)d);
	return (1);
}

static int
ddl_put_varchar(struct la_buf *b, int dialect, const struct la_col_def *c)
{
	int64_t n = c->max_length;

	if (dialect == LA_DDL_SQLITE || n <= 0)
		return (0);
	if (dialect == LA_DDL_PGSQL && n > DDL_PG_VARCHAR_MAX)
		la_buf_puts(b, "TEXT");
	else if (dialect == LA_DDL_MYSQL && n > DDL_MYSQL_VARCHAR_MAX)
		la_buf_puts(b, "MEDIUMTEXT");
	else
		la_buf_printf(b, "VARCHAR(%lld)", (long long)n);
	return (1);
}

static void
ddl_put_type(struct la_buf *b, int dialect, const struct la_col_def *c)
{
	size_t i;

	if (c->type == LA_T_STR && ddl_put_varchar(b, dialect, c))
		return;
	if (c->type == LA_T_DECIMAL && ddl_put_decimal(b, dialect, c))
		return;
	for (i = 0; i < LA_NELEM(ddl_types); i++) {
		if (ddl_types[i].type == c->type) {
			la_buf_puts(b, ddl_types[i].sql[dialect - 1]);
			return;
		}
	}
	la_buf_puts(b, "TEXT");
}

/* ("c") REFERENCES "t"("k"), or without ("k") to mean the target's key. */
static void
ddl_put_references(struct la_buf *b, int dialect, const struct la_col_def *c)
{
	la_buf_puts(b, "REFERENCES ");
	la_ddl_ident(b, dialect, c->fk_table);
	if (c->fk_col != NULL) {
		la_buf_putc(b, '(');
		la_ddl_ident(b, dialect, c->fk_col);
		la_buf_putc(b, ')');
	}
}

/*
 * MySQL parses an inline REFERENCES and then ignores it, so its foreign
 * keys are table constraints (ddl_put_fk()). An added column gets no NOT
 * NULL: the rows already there hold NULL in it.
 */
static void
ddl_put_column(struct la_buf *b, int dialect, const struct la_col_def *c,
    int adding)
{
	la_ddl_ident(b, dialect, c->name);
	la_buf_putc(b, ' ');
	ddl_put_type(b, dialect, c);
	if (!(c->flags & LA_COL_NULLABLE) && !adding)
		la_buf_puts(b, " NOT NULL");
	if ((c->flags & LA_COL_UNIQUE) && !(adding && dialect == LA_DDL_SQLITE))
		la_buf_puts(b, " UNIQUE");
	if (c->fk_table != NULL && dialect != LA_DDL_MYSQL) {
		la_buf_putc(b, ' ');
		ddl_put_references(b, dialect, c);
	}
}

static void
ddl_put_fk(struct la_buf *b, int dialect, const struct la_col_def *c)
{
	la_buf_puts(b, "FOREIGN KEY (");
	la_ddl_ident(b, dialect, c->name);
	la_buf_puts(b, ") ");
	ddl_put_references(b, dialect, c);
}

static void
ddl_put_auto(struct la_buf *b, int dialect, const struct la_col_def *cols,
    size_t ncols, int which, int *first)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (ddl_auto_index(&cols[i]) != which)
			continue;
		la_buf_puts(b, *first ? "" : ", ");
		*first = 0;
		la_ddl_ident(b, dialect, cols[i].name);
		la_buf_putc(b, ' ');
		la_buf_puts(b, ddl_auto_sql[which][dialect - 1]);
		return;
	}
}

/* CREATE [UNIQUE] INDEX IF NOT EXISTS "<prefix>_<table>_<col>" ... */
static void
ddl_put_index(struct la_buf *b, int dialect, const char *table, const char *col,
    int unique)
{
	struct la_buf name;

	la_buf_init(&name);
	la_buf_printf(&name, "%s_%s_%s", unique ? "ux" : "ix", table, col);
	if (b->len > 0)
		la_buf_putc(b, '\n');
	la_buf_puts(b, unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX");
	la_buf_puts(b, " IF NOT EXISTS ");
	la_ddl_ident(b, dialect, name.data);
	la_buf_puts(b, " ON ");
	la_ddl_ident(b, dialect, table);
	la_buf_puts(b, " (");
	la_ddl_ident(b, dialect, col);
	la_buf_putc(b, ')');
	la_buf_free(&name);
}

/* A UNIQUE column is indexed already. */
static int
ddl_wants_index(const struct la_col_def *c)
{
	return ((c->flags & LA_COL_INDEX) && !(c->flags & LA_COL_UNIQUE));
}

/*
 * utf8mb4 stores all of Unicode, and the binary collation makes equality,
 * UNIQUE and ordering case-sensitive as on SQLite and PostgreSQL.
 */
static void
ddl_put_mysql_tail(struct la_buf *b, const struct la_col_def *cols,
    size_t ncols)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (ddl_stored(&cols[i]) && cols[i].fk_table != NULL) {
			la_buf_puts(b, ", ");
			ddl_put_fk(b, LA_DDL_MYSQL, &cols[i]);
		}
	}
	la_buf_puts(b, ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
	               "COLLATE=utf8mb4_bin");
}

void
la_ddl_create_table(struct la_buf *b, struct la_buf *idx, int dialect,
    const char *table, const struct la_col_def *cols, size_t ncols)
{
	size_t i;
	int first = 1, k;

	LA_ASSERT(dialect >= LA_DDL_SQLITE && dialect <= LA_DDL_MYSQL);
	la_buf_puts(b, "CREATE TABLE IF NOT EXISTS ");
	la_ddl_ident(b, dialect, table);
	la_buf_puts(b, " (");
	ddl_put_auto(b, dialect, cols, ncols, 0, &first);
	for (i = 0; i < ncols; i++) {
		if (!ddl_stored(&cols[i]))
			continue;
		la_buf_puts(b, first ? "" : ", ");
		first = 0;
		ddl_put_column(b, dialect, &cols[i], 0);
	}
	for (k = 1; k < DDL_NAUTO; k++)
		ddl_put_auto(b, dialect, cols, ncols, k, &first);
	if (dialect == LA_DDL_MYSQL)
		ddl_put_mysql_tail(b, cols, ncols);
	else
		la_buf_putc(b, ')');
	for (i = 0; idx != NULL && i < ncols; i++)
		if (ddl_stored(&cols[i]) && ddl_wants_index(&cols[i]))
			ddl_put_index(idx, dialect, table, cols[i].name, 0);
}

/*
 * SQLite cannot add a UNIQUE column, so that one becomes a unique index:
 * the extra statements follow on their own lines, as in la_ddl_create_table.
 */
void
la_ddl_add_column(struct la_buf *b, int dialect, const char *table,
    const struct la_col_def *col)
{
	LA_ASSERT(dialect >= LA_DDL_SQLITE && dialect <= LA_DDL_MYSQL);
	la_buf_puts(b, "ALTER TABLE ");
	la_ddl_ident(b, dialect, table);
	la_buf_puts(b, " ADD COLUMN ");
	ddl_put_column(b, dialect, col, 1);
	if (dialect == LA_DDL_MYSQL && col->fk_table != NULL) {
		la_buf_puts(b, ", ADD ");
		ddl_put_fk(b, dialect, col);
	}
	if (dialect == LA_DDL_SQLITE && (col->flags & LA_COL_UNIQUE))
		ddl_put_index(b, dialect, table, col->name, 1);
	if (ddl_wants_index(col))
		ddl_put_index(b, dialect, table, col->name, 0);
}
