/*
 * MySQL/MariaDB reflection: a table's columns, key, unique indexes and
 * foreign keys read from information_schema of the connection's database,
 * with the table name bound, never formatted into SQL. Names are compared
 * as bytes: on Linux table names are case-sensitive, and a
 * case-insensitive match would map "Users" onto a table the later
 * statements cannot find. Runs while a generation is built (or for the
 * message of a rare constraint error), so statements are not cached.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_mysql.h"
#include "arena.h"
#include "buf.h"
#include "la.h"

/* Called per row; a non-zero return stops reading. */
typedef void (*reflect_row_fn)(struct la_db_rstmt *s, void *arg);

/* Runs sql with text arguments and calls fn for each row. */
static int
reflect_query(struct la_db *db, const char *sql, const char *const *args,
    size_t nargs, reflect_row_fn fn, void *arg)
{
	struct la_db_rstmt *s;
	struct la_value v[4];
	size_t i;
	int rc;

	LA_ASSERT(nargs <= LA_NELEM(v));
	if ((s = la_db_mysql_prepare(db, sql)) == NULL)
		return (db->err);
	for (i = 0; i < nargs; i++)
		v[i] = la_value_text(args[i], strlen(args[i]));
	for (rc = la_db_mysql_run(s, v, nargs); rc == LA_DB_ROW;
	     rc = la_db_mysql_next(s))
		if (fn != NULL)
			fn(s, arg);
	la_db_mysql_finalize(s);
	return (rc);
}

static void
reflect_found(struct la_db_rstmt *s, void *arg)
{
	(void)s;
	*(int *)arg = 1;
}

int
la_db_mysql_reflect_exists(struct la_db *db, const char *table)
{
	int found = 0, rc;

	rc = reflect_query(db,
	    "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
	    "DATABASE() AND CAST(TABLE_NAME AS BINARY) = CAST(? AS BINARY)",
	    &table, 1, reflect_found, &found);
	return (rc < 0 ? rc : found);
}

/* ---- reading rows -------------------------------------------------- */

static char *
reflect_text(struct la_db_rstmt *s, int i, struct la_arena *a)
{
	struct la_value v;

	la_db_mysql_column(s, i, &v);
	if (v.kind == LA_V_NULL)
		return (NULL);
	if (v.kind == LA_V_INT)
		return (la_arena_printf(a, "%lld", (long long)v.i));
	if (v.kind != LA_V_TEXT)
		return (la_arena_strdup(a, ""));
	return (la_arena_strndup(a, v.s, v.len));
}

static int64_t
reflect_int(struct la_db_rstmt *s, int i)
{
	struct la_value v;

	la_db_mysql_column(s, i, &v);
	return (v.kind == LA_V_INT ? v.i : -1);
}

/* A growable array of definitions on the heap, copied to the arena. */
struct reflect_cols {
	struct la_buf buf;
	size_t n;
	int npk;
	int longtext; /* a LONGTEXT column: maybe MariaDB's JSON */
	struct la_arena *a;
};

static struct la_col_def *
reflect_col_at(struct reflect_cols *c, size_t i)
{
	return ((struct la_col_def *)(void *)c->buf.data + i);
}

static struct la_col_def *
reflect_col_find(struct reflect_cols *c, const struct la_value *name)
{
	struct la_col_def *d;
	size_t i;

	if (name->kind != LA_V_TEXT)
		return (NULL);
	for (i = 0; i < c->n; i++) {
		d = reflect_col_at(c, i);
		/* Column names are case-insensitive in MySQL. */
		if (strlen(d->name) == name->len &&
		    strncasecmp(d->name, name->s, name->len) == 0)
			return (d);
	}
	return (NULL);
}

/* DATA_TYPE → catalog type; TINYINT(1) is how MySQL spells BOOLEAN. */
static const struct {
	const char *name;
	enum la_type type;
} reflect_types[] = {
    {"tinyint", LA_T_INT},
    {"smallint", LA_T_INT},
    {"mediumint", LA_T_INT},
    {"int", LA_T_INT},
    {"integer", LA_T_INT},
    {"bigint", LA_T_INT},
    {"year", LA_T_INT},
    {"float", LA_T_FLOAT},
    {"double", LA_T_FLOAT},
    {"real", LA_T_FLOAT},
    {"decimal", LA_T_DECIMAL},
    {"numeric", LA_T_DECIMAL},
    {"char", LA_T_STR},
    {"varchar", LA_T_STR},
    {"tinytext", LA_T_STR},
    {"text", LA_T_STR},
    {"mediumtext", LA_T_STR},
    {"longtext", LA_T_STR},
    {"enum", LA_T_STR},
    {"set", LA_T_STR},
    {"inet4", LA_T_STR},
    {"inet6", LA_T_STR},
    {"uuid", LA_T_UUID},
    {"json", LA_T_JSON},
    {"date", LA_T_DATE},
    {"datetime", LA_T_DATETIME},
    {"timestamp", LA_T_DATETIME},
    {"time", LA_T_TIME},
};

static void
reflect_map_type(const char *dtype, const char *ctype, struct la_col_def *d)
{
	size_t i;

	d->type = LA_T_ANY;
	for (i = 0; i < LA_NELEM(reflect_types); i++)
		if (strcasecmp(dtype, reflect_types[i].name) == 0)
			d->type = reflect_types[i].type;
	if (strncasecmp(ctype, "tinyint(1)", 10) == 0)
		d->type = LA_T_BOOL;
}

/*
 * COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT,
 * COLUMN_KEY, EXTRA, NUMERIC_PRECISION, NUMERIC_SCALE,
 * CHARACTER_MAXIMUM_LENGTH.
 */
static void
reflect_col_row(struct la_db_rstmt *s, void *arg)
{
	struct reflect_cols *c = arg;
	struct la_arena *a = c->a;
	const char *dtype, *extra, *key, *dflt, *nullable;
	struct la_col_def d;

	la_col_def_init(&d, reflect_text(s, 0, a), LA_T_ANY);
	dtype = reflect_text(s, 1, a);
	d.sqltype = reflect_text(s, 2, a);
	if (dtype == NULL || d.sqltype == NULL || d.name == NULL)
		return;
	reflect_map_type(dtype, d.sqltype, &d);
	c->longtext |= strcasecmp(dtype, "longtext") == 0;
	nullable = reflect_text(s, 3, a);
	d.flags = nullable != NULL && strcmp(nullable, "YES") == 0
	              ? LA_COL_NULLABLE
	              : 0;
	/* MariaDB writes a nullable column's implicit default as "NULL". */
	dflt = reflect_text(s, 4, a);
	if (dflt != NULL && strcmp(dflt, "NULL") != 0)
		d.flags |= LA_COL_DBDEFAULT;
	extra = reflect_text(s, 6, a);
	if (extra != NULL && strstr(extra, "GENERATED") != NULL &&
	    strstr(extra, "DEFAULT_GENERATED") == NULL)
		d.flags |= LA_COL_DBDEFAULT;
	key = reflect_text(s, 5, a);
	if (key != NULL && strcmp(key, "PRI") == 0) {
		d.flags |= LA_COL_PK;
		c->npk++;
		if (extra != NULL && strstr(extra, "auto_increment") != NULL)
			d.flags |= LA_COL_AUTOINC;
	}
	if (d.type == LA_T_DECIMAL) {
		d.max_digits = (int32_t)reflect_int(s, 7);
		d.decimal_places = (int32_t)reflect_int(s, 8);
	}
	/* Longer values would only fail in the server (strict mode). */
	if (d.type == LA_T_STR && (strcasecmp(dtype, "char") == 0 ||
	                              strcasecmp(dtype, "varchar") == 0))
		d.max_length = reflect_int(s, 9);
	la_buf_append(&c->buf, &d, sizeof(d));
	c->n++;
}

static int
reflect_cols(struct la_db *db, const char *table, struct reflect_cols *c)
{
	char msg[200];
	int rc;

	rc = reflect_query(db,
	    "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, "
	    "COLUMN_DEFAULT, COLUMN_KEY, EXTRA, NUMERIC_PRECISION, "
	    "NUMERIC_SCALE, CHARACTER_MAXIMUM_LENGTH FROM "
	    "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
	    "CAST(TABLE_NAME AS BINARY) = CAST(? AS BINARY) "
	    "ORDER BY ORDINAL_POSITION",
	    &table, 1, reflect_col_row, c);
	if (rc == LA_DB_DONE && c->n == 0) {
		snprintf(msg, sizeof(msg), "no such table: %s", table);
		return (la_db_mysql_fail(db, msg));
	}
	return (rc);
}

/* A composite key cannot address a row by one id: served as keyless. */
static void
reflect_pk(struct reflect_cols *c)
{
	size_t i;

	if (c->npk == 1)
		return;
	for (i = 0; i < c->n; i++)
		reflect_col_at(c, i)->flags &= ~(LA_COL_PK | LA_COL_AUTOINC);
}

static void
reflect_unique_row(struct la_db_rstmt *s, void *arg)
{
	struct la_value v;
	struct la_col_def *d;

	la_db_mysql_column(s, 0, &v);
	if ((d = reflect_col_find(arg, &v)) != NULL)
		d->flags |= LA_COL_UNIQUE;
}

/* Single-column unique indexes over the whole value (no prefix). */
static int
reflect_unique(struct la_db *db, const char *table, struct reflect_cols *c)
{
	return (reflect_query(db,
	    "SELECT MIN(COLUMN_NAME) FROM information_schema.STATISTICS "
	    "WHERE TABLE_SCHEMA = DATABASE() AND CAST(TABLE_NAME AS BINARY) "
	    "= CAST(? AS BINARY) AND NON_UNIQUE = 0 GROUP BY INDEX_NAME "
	    "HAVING COUNT(*) = 1 AND MAX(SUB_PART) IS NULL",
	    &table, 1, reflect_unique_row, c));
}

static void
reflect_indexed_row(struct la_db_rstmt *s, void *arg)
{
	struct la_value v;
	struct la_col_def *d;

	la_db_mysql_column(s, 0, &v);
	if ((d = reflect_col_find(arg, &v)) != NULL)
		d->flags |= LA_COL_INDEX;
}

/*
 * The first column of each index (a prefix index too: it narrows an
 * equality): a list filtered on it need not read the whole table.
 */
static int
reflect_indexed(struct la_db *db, const char *table, struct reflect_cols *c)
{
	return (reflect_query(db,
	    "SELECT COLUMN_NAME FROM information_schema.STATISTICS "
	    "WHERE TABLE_SCHEMA = DATABASE() AND CAST(TABLE_NAME AS BINARY) "
	    "= CAST(? AS BINARY) AND SEQ_IN_INDEX = 1",
	    &table, 1, reflect_indexed_row, c));
}

static void
reflect_fk_row(struct la_db_rstmt *s, void *arg)
{
	struct reflect_cols *c = arg;
	struct la_value v;
	struct la_col_def *d;

	la_db_mysql_column(s, 0, &v);
	if ((d = reflect_col_find(c, &v)) == NULL)
		return;
	d->fk_table = reflect_text(s, 1, c->a);
	d->fk_col = reflect_text(s, 2, c->a);
}

/* Single-column foreign keys into the same database. */
static int
reflect_fks(struct la_db *db, const char *table, struct reflect_cols *c)
{
	return (reflect_query(db,
	    "SELECT k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, "
	    "k.REFERENCED_COLUMN_NAME FROM "
	    "information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = "
	    "DATABASE() AND CAST(k.TABLE_NAME AS BINARY) = CAST(? AS BINARY) "
	    "AND k.REFERENCED_TABLE_NAME IS NOT NULL AND "
	    "k.REFERENCED_TABLE_SCHEMA = DATABASE() AND (SELECT COUNT(*) "
	    "FROM information_schema.KEY_COLUMN_USAGE o WHERE "
	    "o.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND o.TABLE_NAME = "
	    "k.TABLE_NAME AND o.CONSTRAINT_NAME = k.CONSTRAINT_NAME) = 1",
	    &table, 1, reflect_fk_row, c));
}

static void
reflect_json_row(struct la_db_rstmt *s, void *arg)
{
	struct la_value v;
	struct la_col_def *d;

	la_db_mysql_column(s, 0, &v);
	if ((d = reflect_col_find(arg, &v)) != NULL)
		d->type = LA_T_JSON;
}

/*
 * MariaDB's JSON is LONGTEXT with a CHECK (json_valid(`col`)) named after
 * the column; MySQL reports DATA_TYPE "json" itself.
 */
static int
reflect_json(struct la_db *db, const char *table, struct reflect_cols *c)
{
	if (!db->mariadb || !c->longtext)
		return (LA_DB_DONE);
	return (reflect_query(db,
	    "SELECT CONSTRAINT_NAME FROM information_schema.CHECK_CONSTRAINTS "
	    "WHERE CONSTRAINT_SCHEMA = DATABASE() AND CAST(TABLE_NAME AS "
	    "BINARY) = CAST(? AS BINARY) AND CHECK_CLAUSE = "
	    "CONCAT('json_valid(`', CONSTRAINT_NAME, '`)')",
	    &table, 1, reflect_json_row, c));
}

int
la_db_mysql_reflect(struct la_db *db, const char *table, struct la_arena *a,
    struct la_col_def **cols, size_t *ncols)
{
	struct reflect_cols c;
	int rc;

	memset(&c, 0, sizeof(c));
	la_buf_init(&c.buf);
	c.a = a;
	*cols = NULL;
	*ncols = 0;
	if ((rc = reflect_cols(db, table, &c)) != LA_DB_DONE ||
	    (rc = reflect_unique(db, table, &c)) != LA_DB_DONE ||
	    (rc = reflect_indexed(db, table, &c)) != LA_DB_DONE ||
	    (rc = reflect_fks(db, table, &c)) != LA_DB_DONE ||
	    (rc = reflect_json(db, table, &c)) != LA_DB_DONE)
		goto done;
	reflect_pk(&c);
	*cols = la_arena_alloc(a, c.n * sizeof(**cols));
	memcpy(*cols, c.buf.data, c.n * sizeof(**cols));
	*ncols = c.n;
done:
	la_buf_free(&c.buf);
	return (rc);
}

/* ---- a unique key's columns, for a constraint error's message ------- */

struct reflect_key {
	struct la_buf *b;
	const char *table;
	int n;
};

static void
reflect_key_row(struct la_db_rstmt *s, void *arg)
{
	struct reflect_key *k = arg;
	struct la_value v;

	la_db_mysql_column(s, 0, &v);
	if (v.kind != LA_V_TEXT)
		return;
	la_buf_printf(k->b, "%s%s.%.*s", k->n++ ? ", " : "", k->table,
	    (int)v.len, v.s);
}

/*
 * Runs in the middle of reporting an error: the error being reported is
 * kept whatever happens here.
 */
int
la_db_mysql_key_columns(struct la_db *db, const char *table, const char *key,
    char *out, size_t outlen)
{
	const char *args[2] = {table, key};
	struct reflect_key k;
	struct la_db saved = *db;
	struct la_buf b;
	int rc;

	la_buf_init(&b);
	k.b = &b;
	k.table = table;
	k.n = 0;
	rc = reflect_query(db,
	    "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE "
	    "TABLE_SCHEMA = DATABASE() AND CAST(TABLE_NAME AS BINARY) = "
	    "CAST(? AS BINARY) AND CAST(INDEX_NAME AS BINARY) = CAST(? AS "
	    "BINARY) ORDER BY SEQ_IN_INDEX",
	    args, 2, reflect_key_row, &k);
	*db = saved;
	if (rc == LA_DB_DONE && k.n > 0)
		snprintf(out, outlen, "%s", b.data);
	la_buf_free(&b);
	return (rc == LA_DB_DONE && k.n > 0 ? 0 : -1);
}
