/*
 * SQLite reflection: a table's columns, key, unique and foreign keys read
 * from the pragma table-valued functions with the table name bound, never
 * formatted into SQL. Runs while a generation is built, so its statements
 * are prepared for one use and not cached.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_sqlite.h"
#include "arena.h"
#include "buf.h"
#include "la.h"

/* Identifiers are case-insensitive (ASCII) in SQLite, hence NOCASE. */
int
la_db_sqlite_reflect_exists(struct la_db *db, const char *table)
{
	int rc = la_db_sqlite_query1(db,
	    "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') "
	    "AND name = ?1 COLLATE NOCASE",
	    table);

	if (rc == LA_DB_ROW)
		return (1);
	return (rc == LA_DB_DONE ? 0 : rc);
}

/* Checked in order: DATETIME before DATE and TIME, names before affinity. */
static const struct {
	const char *word;
	enum la_type type;
} sqlite_typewords[] = {
    {"BOOL", LA_T_BOOL},
    {"DATETIME", LA_T_DATETIME},
    {"TIMESTAMP", LA_T_DATETIME},
    {"DATE", LA_T_DATE},
    {"TIME", LA_T_TIME},
    {"NUMERIC", LA_T_DECIMAL},
    {"DECIMAL", LA_T_DECIMAL},
    {"UUID", LA_T_UUID},
    {"JSON", LA_T_JSON},
    /* SQLite's own affinity rules (datatype3.html, 3.1). */
    {"INT", LA_T_INT},
    {"CHAR", LA_T_STR},
    {"CLOB", LA_T_STR},
    {"TEXT", LA_T_STR},
    {"BLOB", LA_T_ANY},
    {"REAL", LA_T_FLOAT},
    {"FLOA", LA_T_FLOAT},
    {"DOUB", LA_T_FLOAT},
};

/* "NUMERIC(10, 2)" → 10 and 2; "NUMERIC(10)" → 10 and 0. */
static void
reflect_decimal_args(const char *decl, struct la_col_def *d)
{
	const char *p = strchr(decl, '(');
	char *end;
	long v;

	if (p == NULL)
		return;
	v = strtol(p + 1, &end, 10);
	if (end == p + 1 || v <= 0 || v > INT32_MAX)
		return;
	d->max_digits = (int32_t)v;
	d->decimal_places = 0;
	while (*end == ' ')
		end++;
	if (*end != ',')
		return;
	p = end + 1;
	v = strtol(p, &end, 10);
	if (end != p && v >= 0 && v <= INT32_MAX)
		d->decimal_places = (int32_t)v;
}

static void
reflect_map_type(const char *decl, struct la_col_def *d)
{
	char up[128];
	size_t i;

	for (i = 0; decl[i] != '\0' && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)decl[i]);
	up[i] = '\0';
	d->type = LA_T_ANY;
	for (i = 0; i < LA_NELEM(sqlite_typewords); i++) {
		if (strstr(up, sqlite_typewords[i].word) != NULL) {
			d->type = sqlite_typewords[i].type;
			break;
		}
	}
	if (d->type == LA_T_DECIMAL)
		reflect_decimal_args(decl, d);
}

/* A growable array of definitions on the heap, copied to the arena. */
struct reflect_cols {
	struct la_buf buf;
	size_t n;
	int npk;
};

static struct la_col_def *
reflect_col_at(struct reflect_cols *c, size_t i)
{
	return ((struct la_col_def *)(void *)c->buf.data + i);
}

static struct la_col_def *
reflect_col_find(struct reflect_cols *c, const char *name, size_t len)
{
	size_t i;
	struct la_col_def *d;

	for (i = 0; i < c->n; i++) {
		d = reflect_col_at(c, i);
		if (strlen(d->name) == len &&
		    strncasecmp(d->name, name, len) == 0)
			return (d);
	}
	return (NULL);
}

static char *
reflect_text(struct la_db_rstmt *s, int i, struct la_arena *a)
{
	struct la_value v;

	la_db_sqlite_column(s, i, &v);
	if (v.kind == LA_V_NULL)
		return (NULL);
	if (v.kind != LA_V_TEXT)
		return (la_arena_strdup(a, ""));
	return (la_arena_strndup(a, v.s, v.len));
}

static void
reflect_col_row(struct la_db_rstmt *s, struct reflect_cols *c,
    struct la_arena *a)
{
	struct la_col_def d;
	const char *decl;

	la_col_def_init(&d, reflect_text(s, 0, a), LA_T_ANY);
	decl = reflect_text(s, 1, a);
	d.sqltype = decl != NULL ? decl : "";
	reflect_map_type(d.sqltype, &d);
	d.flags = LA_COL_NULLABLE;
	if (sqlite3_column_int(s->st, 2))
		d.flags &= ~LA_COL_NULLABLE;
	if (sqlite3_column_type(s->st, 3) != SQLITE_NULL)
		d.flags |= LA_COL_DBDEFAULT;
	if (sqlite3_column_int(s->st, 4) > 0) {
		d.flags |= LA_COL_PK;
		c->npk++;
	}
	la_buf_append(&c->buf, &d, sizeof(d));
	c->n++;
}

/*
 * table_info, not table_xinfo: generated and hidden columns cannot be
 * written, and nothing in a column definition could say so.
 */
static int
reflect_cols(struct la_db *db, const char *table, struct reflect_cols *c,
    struct la_arena *a)
{
	struct la_db_rstmt *s;
	struct la_value v = la_value_text(table, strlen(table));
	char msg[200];
	int rc;

	s = la_db_sqlite_prepare(db,
	    "SELECT name, type, \"notnull\", dflt_value, pk "
	    "FROM pragma_table_info(?1) ORDER BY cid");
	if (s == NULL)
		return (db->err);
	for (rc = la_db_sqlite_run(s, &v, 1); rc == LA_DB_ROW;
	     rc = la_db_sqlite_next(s))
		reflect_col_row(s, c, a);
	la_db_sqlite_finalize(s);
	if (rc == LA_DB_DONE && c->n == 0) {
		snprintf(msg, sizeof(msg), "no such table: %s", table);
		return (la_db_sqlite_fail(db, msg));
	}
	return (rc);
}

/*
 * A composite key cannot address a row by one id: such a table is served
 * as if it had none. A lone INTEGER key of a rowid table is the rowid,
 * which SQLite generates and which is never NULL; a WITHOUT ROWID table
 * (or the INTEGER PRIMARY KEY DESC quirk) has a 'pk' index instead.
 */
static int
reflect_pk(struct la_db *db, const char *table, struct reflect_cols *c)
{
	struct la_col_def *d = NULL;
	size_t i;
	int rc;

	for (i = 0; i < c->n; i++) {
		if (c->npk != 1)
			reflect_col_at(c, i)->flags &= ~LA_COL_PK;
		else if (reflect_col_at(c, i)->flags & LA_COL_PK)
			d = reflect_col_at(c, i);
	}
	if (d == NULL || strcasecmp(d->sqltype, "INTEGER") != 0)
		return (LA_DB_DONE);
	rc = la_db_sqlite_query1(db,
	    "SELECT 1 FROM pragma_index_list(?1) WHERE origin = 'pk'", table);
	if (rc == LA_DB_DONE) {
		d->flags |= LA_COL_AUTOINC;
		d->flags &= ~LA_COL_NULLABLE;
	}
	return (rc == LA_DB_ROW ? LA_DB_DONE : rc);
}

/*
 * Single-column, non-partial unique indexes, whatever created them: a
 * UNIQUE constraint ('u'), the key ('pk') or CREATE UNIQUE INDEX ('c'),
 * which is how SQLAlchemy emits unique=True, index=True.
 */
static int
reflect_unique(struct la_db *db, const char *table, struct reflect_cols *c)
{
	struct la_db_rstmt *s;
	struct la_value v = la_value_text(table, strlen(table)), col;
	struct la_col_def *d;
	int rc;

	s = la_db_sqlite_prepare(db,
	    "SELECT (SELECT name FROM pragma_index_info("
	    "il.name)) FROM pragma_index_list(?1) AS il "
	    "WHERE il.\"unique\" AND NOT il.partial AND "
	    "(SELECT count(*) FROM pragma_index_info("
	    "il.name)) = 1");
	if (s == NULL)
		return (db->err);
	for (rc = la_db_sqlite_run(s, &v, 1); rc == LA_DB_ROW;
	     rc = la_db_sqlite_next(s)) {
		la_db_sqlite_column(s, 0, &col);
		if (col.kind != LA_V_TEXT)
			continue; /* an expression index */
		if ((d = reflect_col_find(c, col.s, col.len)) != NULL)
			d->flags |= LA_COL_UNIQUE;
	}
	la_db_sqlite_finalize(s);
	return (rc);
}

/*
 * The first column of each non-partial index: a list filtered on it need
 * not read the whole table. A rowid key has no index here; the key's own
 * flag says it is indexed.
 */
static int
reflect_indexed(struct la_db *db, const char *table, struct reflect_cols *c)
{
	struct la_db_rstmt *s;
	struct la_value v = la_value_text(table, strlen(table)), col;
	struct la_col_def *d;
	int rc;

	s = la_db_sqlite_prepare(db,
	    "SELECT (SELECT name FROM pragma_index_info(il.name) WHERE "
	    "seqno = 0) FROM pragma_index_list(?1) AS il WHERE NOT il.partial");
	if (s == NULL)
		return (db->err);
	for (rc = la_db_sqlite_run(s, &v, 1); rc == LA_DB_ROW;
	     rc = la_db_sqlite_next(s)) {
		la_db_sqlite_column(s, 0, &col);
		if (col.kind == LA_V_TEXT &&
		    (d = reflect_col_find(c, col.s, col.len)) != NULL)
			d->flags |= LA_COL_INDEX;
	}
	la_db_sqlite_finalize(s);
	return (rc);
}

/*
 * Single-column foreign keys; a reference without a column ("to" is NULL)
 * means the target's primary key. Composite keys fit no column definition.
 */
static int
reflect_fks(struct la_db *db, const char *table, struct reflect_cols *c,
    struct la_arena *a)
{
	struct la_db_rstmt *s;
	struct la_value v = la_value_text(table, strlen(table)), col;
	struct la_col_def *d;
	int rc;

	s = la_db_sqlite_prepare(db,
	    "SELECT fk.\"from\", fk.\"table\", coalesce(fk.\"to\", (SELECT "
	    "name FROM pragma_table_info(fk.\"table\") WHERE pk = 1)) FROM "
	    "pragma_foreign_key_list(?1) AS fk WHERE (SELECT count(*) FROM "
	    "pragma_foreign_key_list(?1) AS o WHERE o.id = fk.id) = 1");
	if (s == NULL)
		return (db->err);
	for (rc = la_db_sqlite_run(s, &v, 1); rc == LA_DB_ROW;
	     rc = la_db_sqlite_next(s)) {
		la_db_sqlite_column(s, 0, &col);
		if (col.kind != LA_V_TEXT ||
		    sqlite3_column_type(s->st, 2) == SQLITE_NULL ||
		    (d = reflect_col_find(c, col.s, col.len)) == NULL)
			continue;
		d->fk_table = reflect_text(s, 1, a);
		d->fk_col = reflect_text(s, 2, a);
	}
	la_db_sqlite_finalize(s);
	return (rc);
}

int
la_db_sqlite_reflect(struct la_db *db, const char *table, struct la_arena *a,
    struct la_col_def **cols, size_t *ncols)
{
	struct reflect_cols c;
	int rc;

	memset(&c, 0, sizeof(c));
	la_buf_init(&c.buf);
	*cols = NULL;
	*ncols = 0;
	if ((rc = reflect_cols(db, table, &c, a)) != LA_DB_DONE ||
	    (rc = reflect_pk(db, table, &c)) != LA_DB_DONE ||
	    (rc = reflect_unique(db, table, &c)) != LA_DB_DONE ||
	    (rc = reflect_indexed(db, table, &c)) != LA_DB_DONE ||
	    (rc = reflect_fks(db, table, &c, a)) != LA_DB_DONE)
		goto done;
	*cols = la_arena_alloc(a, c.n * sizeof(**cols));
	memcpy(*cols, c.buf.data, c.n * sizeof(**cols));
	*ncols = c.n;
done:
	la_buf_free(&c.buf);
	return (rc);
}
