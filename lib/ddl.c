/*
 * DDL for declared endpoints. Every identifier is quoted, and every type
 * comes from the dialect table, so no configuration text reaches SQL
 * unquoted. Defaults are not written into the schema: validation applies
 * them, which keeps one source of truth for POST and PUT.
 */
#include <stdio.h>
#include <string.h>

#include "ddl.h"
#include "dialect.h"
#include "la.h"

/* The server-managed columns, in the order CREATE TABLE places them. */
static const char *const ddl_auto_names[LA_DIALECT_NAUTO] = {"id", "created_at",
    "updated_at", "version"};

/* Precision when only decimal_places is given: as wide as common use. */
#define DDL_DECIMAL_DIGITS 38

void
la_ddl_ident(struct la_buf *b, enum la_dialect dialect, const char *name)
{
	la_dialect_ident(b, dialect, name);
}

static const struct la_dialect_info *
ddl_dialect(enum la_dialect dialect)
{
	return (la_dialect(dialect));
}

/* Index into ddl_auto_names, or -1 for a declared column. */
static int
ddl_auto_index(const struct la_col_def *c)
{
	int i;

	if (!(c->flags & LA_COL_AUTO))
		return (-1);
	for (i = 0; i < LA_DIALECT_NAUTO; i++)
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
ddl_put_decimal(struct la_buf *b, enum la_dialect dialect,
    const struct la_col_def *c)
{
	const char *name = ddl_dialect(dialect)->decimal_sized;
	int32_t p = c->max_digits, d = c->decimal_places;

	if (name == NULL || d < 0)
		return (0);
	if (p <= 0)
		p = d + 1 > DDL_DECIMAL_DIGITS ? d + 1 : DDL_DECIMAL_DIGITS;
	la_buf_printf(b, "%s(%ld, %ld)", name, (long)p, (long)d);
	return (1);
}

static int
ddl_put_varchar(struct la_buf *b, enum la_dialect dialect,
    const struct la_col_def *c)
{
	const struct la_dialect_info *di = ddl_dialect(dialect);
	int64_t n = c->max_length;

	if (di->varchar_max == 0 || n <= 0)
		return (0);
	if (n > di->varchar_max)
		la_buf_puts(b, di->varchar_over);
	else
		la_buf_printf(b, "VARCHAR(%lld)", (long long)n);
	return (1);
}

static void
ddl_put_type(struct la_buf *b, enum la_dialect dialect,
    const struct la_col_def *c)
{
	if (c->type == LA_T_STR && ddl_put_varchar(b, dialect, c))
		return;
	if (c->type == LA_T_DECIMAL && ddl_put_decimal(b, dialect, c))
		return;
	if ((unsigned)c->type < LA_DIALECT_NTYPES)
		la_buf_puts(b, ddl_dialect(dialect)->types[c->type]);
	else
		la_buf_puts(b, "TEXT");
}

/* ("c") REFERENCES "t"("k"), or without ("k") to mean the target's key. */
static void
ddl_put_references(struct la_buf *b, enum la_dialect dialect,
    const struct la_col_def *c)
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
ddl_put_column(struct la_buf *b, enum la_dialect dialect,
    const struct la_col_def *c, int adding)
{
	const struct la_dialect_info *di = ddl_dialect(dialect);

	la_ddl_ident(b, dialect, c->name);
	la_buf_putc(b, ' ');
	ddl_put_type(b, dialect, c);
	if (!(c->flags & LA_COL_NULLABLE) && !adding)
		la_buf_puts(b, " NOT NULL");
	if ((c->flags & LA_COL_UNIQUE) && !(adding && !di->add_unique))
		la_buf_puts(b, " UNIQUE");
	if (c->fk_table != NULL && di->inline_fk) {
		la_buf_putc(b, ' ');
		ddl_put_references(b, dialect, c);
	}
}

static void
ddl_put_fk(struct la_buf *b, enum la_dialect dialect,
    const struct la_col_def *c)
{
	la_buf_puts(b, "FOREIGN KEY (");
	la_ddl_ident(b, dialect, c->name);
	la_buf_puts(b, ") ");
	ddl_put_references(b, dialect, c);
}

static void
ddl_put_auto(struct la_buf *b, enum la_dialect dialect,
    const struct la_col_def *cols, size_t ncols, int which, int *first)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (ddl_auto_index(&cols[i]) != which)
			continue;
		la_buf_puts(b, *first ? "" : ", ");
		*first = 0;
		la_ddl_ident(b, dialect, cols[i].name);
		la_buf_putc(b, ' ');
		la_buf_puts(b, ddl_dialect(dialect)->auto_sql[which]);
		return;
	}
}

/*
 * A plain index on a long text column covers its first n characters where
 * the engine wants it so. A unique index never does: it would make values
 * unique by their beginning only (MariaDB enforces a UNIQUE on a whole
 * TEXT value through a hash of it).
 */
static void
ddl_put_prefix(struct la_buf *b, const struct la_col_def *c, int64_t n,
    int unique)
{
	int text = c->type == LA_T_TEXT || c->type == LA_T_JSON ||
	           c->type == LA_T_ANY || c->type == LA_T_NONE;

	if (n <= 0 || unique || (!text && c->type != LA_T_STR))
		return;
	/* A str without max_length is a TEXT type there too. */
	if (text || c->max_length <= 0 || c->max_length > n)
		la_buf_printf(b, "(%lld)", (long long)n);
}

/* 32-bit FNV-1a: small, and the same on every host and run. */
static uint32_t
ddl_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h);
}

/*
 * "<kind>_<table>_<col>". PostgreSQL keeps 63 bytes of a name and MariaDB
 * refuses more than 64, so a longer name keeps its beginning (cut on a
 * character boundary) and ends with a hash of the whole: still distinct,
 * and the same at every start, so IF NOT EXISTS finds it again.
 */
static void
ddl_index_name(struct la_buf *name, const char *kind, const char *table,
    const char *col)
{
	uint32_t h;
	size_t cut = LA_DDL_NAME_MAX - 9;

	la_buf_printf(name, "%s_%s_%s", kind, table, col);
	if (name->len <= LA_DDL_NAME_MAX)
		return;
	h = ddl_hash(name->data);
	while (cut > 0 && ((unsigned char)name->data[cut] & 0xc0) == 0x80)
		cut--;
	name->len = cut;
	name->data[cut] = '\0';
	la_buf_printf(name, "_%08x", (unsigned)h);
}

/*
 * Where a text column gets a prefix, a composite index leaves this many
 * characters of the engine's limit to the key that follows it.
 */
#define DDL_KEY_ROOM 16

/* CREATE [UNIQUE] INDEX IF NOT EXISTS "<kind>_<table>_<col>" (col[, key]) */
static void
ddl_put_index_on(struct la_buf *b, enum la_dialect dialect, const char *table,
    const struct la_col_def *c, const struct la_col_def *key, int unique)
{
	int64_t n = ddl_dialect(dialect)->index_prefix;
	struct la_buf name;

	la_buf_init(&name);
	ddl_index_name(&name, unique ? "ux" : "ix", table, c->name);
	if (b->len > 0)
		la_buf_putc(b, '\n');
	la_buf_puts(b, unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX");
	la_buf_puts(b, " IF NOT EXISTS ");
	la_ddl_ident(b, dialect, name.data);
	la_buf_puts(b, " ON ");
	la_ddl_ident(b, dialect, table);
	la_buf_puts(b, " (");
	la_ddl_ident(b, dialect, c->name);
	ddl_put_prefix(b, c, key != NULL && n > 0 ? n - DDL_KEY_ROOM : n,
	    unique);
	if (key != NULL) {
		la_buf_puts(b, ", ");
		la_ddl_ident(b, dialect, key->name);
	}
	la_buf_putc(b, ')');
	la_buf_free(&name);
}

static void
ddl_put_index(struct la_buf *b, enum la_dialect dialect, const char *table,
    const struct la_col_def *c, int unique)
{
	ddl_put_index_on(b, dialect, table, c, NULL, unique);
}

/* A UNIQUE column is indexed already. */
static int
ddl_wants_index(const struct la_col_def *c)
{
	return ((c->flags & LA_COL_INDEX) && !(c->flags & LA_COL_UNIQUE));
}

/*
 * Where an inline REFERENCES would be ignored, the foreign keys become
 * table constraints; then the table options.
 */
static void
ddl_put_tail(struct la_buf *b, enum la_dialect dialect,
    const struct la_col_def *cols, size_t ncols)
{
	const struct la_dialect_info *di = ddl_dialect(dialect);
	size_t i;

	for (i = 0; !di->inline_fk && i < ncols; i++) {
		if (ddl_stored(&cols[i]) && cols[i].fk_table != NULL) {
			la_buf_puts(b, ", ");
			ddl_put_fk(b, dialect, &cols[i]);
		}
	}
	la_buf_putc(b, ')');
	la_buf_puts(b, di->table_options);
}

void
la_ddl_create_table(struct la_buf *b, struct la_buf *idx,
    enum la_dialect dialect, const char *table, const struct la_col_def *cols,
    size_t ncols)
{
	size_t i;
	int first = 1, k;

	la_buf_puts(b, "CREATE TABLE IF NOT EXISTS ");
	la_ddl_ident(b, dialect, table);
	la_buf_puts(b, " (");
	ddl_put_auto(b, dialect, cols, ncols, LA_DIALECT_AUTO_ID, &first);
	for (i = 0; i < ncols; i++) {
		if (!ddl_stored(&cols[i]))
			continue;
		la_buf_puts(b, first ? "" : ", ");
		first = 0;
		ddl_put_column(b, dialect, &cols[i], 0);
	}
	for (k = 1; k < LA_DIALECT_NAUTO; k++)
		ddl_put_auto(b, dialect, cols, ncols, k, &first);
	ddl_put_tail(b, dialect, cols, ncols);
	if (idx != NULL)
		la_ddl_indexes(idx, dialect, table, cols, ncols, NULL, 0);
}

/*
 * SQLite cannot add a UNIQUE column, so that one becomes a unique index:
 * the extra statements follow on their own lines, as in la_ddl_create_table.
 */
void
la_ddl_add_column(struct la_buf *b, enum la_dialect dialect, const char *table,
    const struct la_col_def *col)
{
	const struct la_dialect_info *di = ddl_dialect(dialect);

	la_buf_puts(b, "ALTER TABLE ");
	la_ddl_ident(b, dialect, table);
	la_buf_puts(b, " ADD COLUMN ");
	ddl_put_column(b, dialect, col, 1);
	if (!di->inline_fk && col->fk_table != NULL) {
		la_buf_puts(b, ", ADD ");
		ddl_put_fk(b, dialect, col);
	}
	if (!di->add_unique && (col->flags & LA_COL_UNIQUE))
		ddl_put_index(b, dialect, table, col, 1);
	if (ddl_wants_index(col))
		ddl_put_index(b, dialect, table, col, 0);
}

int
la_ddl_list_column(const struct la_col_def *cols, size_t ncols,
    const char *entry)
{
	const char *sep;
	size_t i, len;

	if (*entry == '-')
		entry++;
	len = strlen(entry);
	for (i = 0; i < ncols; i++)
		if (strcmp(cols[i].name, entry) == 0)
			return ((int)i);
	if ((sep = strstr(entry, "__")) == NULL)
		return (-1);
	len = (size_t)(sep - entry);
	for (i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == len &&
		    memcmp(cols[i].name, entry, len) == 0)
			return ((int)i);
	return (-1);
}

/* The single-column primary key, or NULL. */
static const struct la_col_def *
ddl_key(const struct la_col_def *cols, size_t ncols)
{
	size_t i;

	for (i = 0; i < ncols; i++)
		if (cols[i].flags & LA_COL_PK)
			return (&cols[i]);
	return (NULL);
}

static int
ddl_listed(const struct la_col_def *cols, size_t ncols, size_t col,
    const char *const *lists, size_t nlists)
{
	size_t j;

	for (j = 0; j < nlists; j++)
		if (la_ddl_list_column(cols, ncols, lists[j]) == (int)col)
			return (1);
	return (0);
}

/*
 * The key and a UNIQUE column have their index already. InnoDB gives
 * each foreign key an index of its own, and every InnoDB index ends with
 * the primary key, so there (col) is (col, id) already. A PostgreSQL
 * B-tree entry holds about 2700 bytes and a longer value would then be
 * refused, so long text (text, json) is left unindexed there.
 */
static int
ddl_wants_list_index(enum la_dialect dialect, const struct la_col_def *c)
{
	if (c->flags & (LA_COL_PK | LA_COL_UNIQUE | LA_COL_EXCLUDE))
		return (0);
	if (dialect == LA_DIALECT_PGSQL)
		return (c->type != LA_T_TEXT && c->type != LA_T_JSON);
	return (!(dialect == LA_DIALECT_MYSQL && c->fk_table != NULL));
}

void
la_ddl_indexes(struct la_buf *idx, enum la_dialect dialect, const char *table,
    const struct la_col_def *cols, size_t ncols, const char *const *lists,
    size_t nlists)
{
	const struct la_col_def *key = ddl_key(cols, ncols);
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (ddl_wants_list_index(dialect, &cols[i]) &&
		    ddl_listed(cols, ncols, i, lists, nlists))
			ddl_put_index_on(idx, dialect, table, &cols[i], key, 0);
		else if (ddl_stored(&cols[i]) && ddl_wants_index(&cols[i]))
			ddl_put_index(idx, dialect, table, &cols[i], 0);
	}
}
