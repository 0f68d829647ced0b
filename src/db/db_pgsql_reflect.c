/*
 * PostgreSQL reflection: a table's columns, key, unique and foreign keys
 * read from pg_catalog with the table name bound, never formatted into
 * SQL. The name is resolved as the statements that use it will resolve
 * it, through the search_path (set from ?schema= at connect), quoted so
 * that its case is kept, as la_dialect_ident() quotes it in every
 * statement. Runs while a generation is built, so its statements are
 * unnamed and not cached.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pgsql.h"
#include "arena.h"
#include "buf.h"
#include "la.h"

/* The relation the unqualified, quoted name means; NULL when none. */
#define PG_REL "pg_catalog.to_regclass(pg_catalog.quote_ident($1))"

/* Tables, views, materialized views, foreign and partitioned tables. */
int
la_db_pgsql_exists(struct la_db *db, const char *table)
{
	PGresult *res;
	int n;

	res = la_db_pgsql_query(db,
	    "SELECT 1 FROM pg_catalog.pg_class WHERE oid = " PG_REL
	    " AND relkind IN ('r', 'v', 'm', 'f', 'p')",
	    1, &table);
	if (res == NULL)
		return (db->err);
	n = PQntuples(res);
	PQclear(res);
	return (n > 0);
}

/* By the base type's name (a domain is its base type). */
static const struct {
	const char *name;
	enum la_type type;
} pg_types[] = {
    {"int2", LA_T_INT},
    {"int4", LA_T_INT},
    {"int8", LA_T_INT},
    {"float4", LA_T_FLOAT},
    {"float8", LA_T_FLOAT},
    {"numeric", LA_T_DECIMAL},
    {"bool", LA_T_BOOL},
    {"text", LA_T_STR},
    {"varchar", LA_T_STR},
    {"bpchar", LA_T_STR},
    {"name", LA_T_STR},
    {"citext", LA_T_STR},
    {"timestamp", LA_T_DATETIME},
    {"timestamptz", LA_T_DATETIME},
    {"date", LA_T_DATE},
    {"time", LA_T_TIME},
    {"uuid", LA_T_UUID},
    {"json", LA_T_JSON},
    {"jsonb", LA_T_JSON},
};

/* Ranges that validation can check before the server refuses a value. */
static void
pg_int_range(const char *base, struct la_col_def *d)
{
	double lim;

	if (strcmp(base, "int2") == 0)
		lim = 32767;
	else if (strcmp(base, "int4") == 0)
		lim = 2147483647;
	else
		return;
	d->flags |= LA_COL_GE | LA_COL_LE;
	d->ge = -lim - 1;
	d->le = lim;
}

/*
 * The type modifier: a VARCHAR's length limit (validation then answers
 * 422 rather than the server a 500); a NUMERIC's precision and scale,
 * packed as ((p << 16) | s) + 4.
 */
static void
pg_map_type(const char *base, long typmod, struct la_col_def *d)
{
	size_t i;

	d->type = LA_T_ANY;
	for (i = 0; i < LA_NELEM(pg_types); i++) {
		if (strcmp(base, pg_types[i].name) == 0) {
			d->type = pg_types[i].type;
			break;
		}
	}
	if (typmod < 0)
		typmod = -1;
	if (strcmp(base, "varchar") == 0 && typmod > 0)
		d->max_length = typmod;
	if (d->type == LA_T_DECIMAL && typmod >= 0) {
		d->max_digits = (int32_t)((typmod >> 16) & 0xffff);
		d->decimal_places = (int32_t)(typmod & 0xffff);
	}
	pg_int_range(base, d);
}

struct pg_cols {
	struct la_col_def *v;
	size_t n;
};

static struct la_col_def *
pg_col_find(struct pg_cols *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return (&c->v[i]);
	return (NULL);
}

/*
 * name, type as written, base type, NOT NULL, has a default, identity
 * ('a', 'd' or ''), generated ('s' or ''), default is nextval() (serial),
 * type modifier less its header.
 */
static const char pg_cols_sql[] =
    "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
    "coalesce(bt.typname, t.typname), a.attnotnull, a.atthasdef, "
    "a.attidentity, a.attgenerated, "
    "coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', "
    "false), CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod "
    "END - 4 FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
    "LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND "
    "bt.oid = t.typbasetype "
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND "
    "d.adnum = a.attnum "
    "WHERE a.attrelid = " PG_REL " AND a.attnum > 0 AND NOT a.attisdropped "
    "ORDER BY a.attnum";

/*
 * A stored generated column cannot be written: it is managed like the
 * auto columns. An identity or serial column is a generated key when it
 * turns out to be the primary key (pg_key()).
 */
static void
pg_col_row(PGresult *res, int r, struct la_arena *a, struct la_col_def *d)
{
	const char *ident = PQgetvalue(res, r, 5), *gen = PQgetvalue(res, r, 6);

	la_col_def_init(d, la_arena_strdup(a, PQgetvalue(res, r, 0)), LA_T_ANY);
	d->sqltype = la_arena_strdup(a, PQgetvalue(res, r, 1));
	d->flags = LA_COL_NULLABLE;
	pg_map_type(PQgetvalue(res, r, 2),
	    strtol(PQgetvalue(res, r, 8), NULL, 10), d);
	if (PQgetvalue(res, r, 3)[0] == 't')
		d->flags &= ~LA_COL_NULLABLE;
	if (PQgetvalue(res, r, 4)[0] == 't' || ident[0] != '\0')
		d->flags |= LA_COL_DBDEFAULT;
	if (gen[0] != '\0')
		d->flags |= LA_COL_AUTO;
	/* Remembered until the key is known: AUTOINC stands for "generated". */
	if ((ident[0] != '\0' || PQgetvalue(res, r, 7)[0] == 't') &&
	    d->type == LA_T_INT)
		d->flags |= LA_COL_AUTOINC;
}

static int
pg_reflect_cols(struct la_db *db, const char *table, struct pg_cols *c,
    struct la_arena *a)
{
	PGresult *res;
	char msg[200];
	int r;

	if ((res = la_db_pgsql_query(db, pg_cols_sql, 1, &table)) == NULL)
		return (db->err);
	c->n = (size_t)PQntuples(res);
	c->v = la_arena_calloc(a, c->n + 1, sizeof(*c->v));
	for (r = 0; r < PQntuples(res); r++)
		pg_col_row(res, r, a, &c->v[r]);
	PQclear(res);
	if (c->n == 0) {
		snprintf(msg, sizeof(msg), "no such table: %s", table);
		return (la_db_pgsql_fail(db, msg));
	}
	return (LA_DB_DONE);
}

/*
 * Single-column, non-partial unique indexes, whatever created them (the
 * key, a UNIQUE constraint, CREATE UNIQUE INDEX). A composite primary key
 * has no row here: such a table is served as if it had no key.
 */
static int
pg_reflect_keys(struct la_db *db, const char *table, struct pg_cols *c)
{
	struct la_col_def *d;
	PGresult *res;
	size_t i;
	int r, pk = 0;

	res = la_db_pgsql_query(db,
	    "SELECT a.attname, x.indisprimary FROM pg_catalog.pg_index x "
	    "JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND "
	    "a.attnum = x.indkey[0] WHERE x.indrelid = " PG_REL
	    " AND x.indisunique AND x.indnatts = 1 AND x.indpred IS NULL AND "
	    "x.indexprs IS NULL",
	    1, &table);
	if (res == NULL)
		return (db->err);
	for (r = 0; r < PQntuples(res); r++) {
		if ((d = pg_col_find(c, PQgetvalue(res, r, 0))) == NULL)
			continue;
		d->flags |= LA_COL_UNIQUE;
		if (PQgetvalue(res, r, 1)[0] == 't') {
			d->flags |= LA_COL_PK;
			d->flags &= ~LA_COL_NULLABLE;
			pk = 1;
		}
	}
	PQclear(res);
	/* Only the key's generator makes a generated key. */
	for (i = 0; i < c->n; i++)
		if (!pk || !(c->v[i].flags & LA_COL_PK))
			c->v[i].flags &= ~LA_COL_AUTOINC;
	return (LA_DB_DONE);
}

/*
 * The first column of each valid, non-partial index: a list filtered on
 * it or ordered by it need not read the whole table.
 */
static int
pg_reflect_indexed(struct la_db *db, const char *table, struct pg_cols *c)
{
	struct la_col_def *d;
	PGresult *res;
	int r;

	res = la_db_pgsql_query(db,
	    "SELECT a.attname FROM pg_catalog.pg_index x "
	    "JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND "
	    "a.attnum = x.indkey[0] WHERE x.indrelid = " PG_REL
	    " AND x.indisvalid AND x.indpred IS NULL",
	    1, &table);
	if (res == NULL)
		return (db->err);
	for (r = 0; r < PQntuples(res); r++)
		if ((d = pg_col_find(c, PQgetvalue(res, r, 0))) != NULL)
			d->flags |= LA_COL_INDEX;
	PQclear(res);
	return (LA_DB_DONE);
}

/* Single-column foreign keys; the target table by its name alone. */
static int
pg_reflect_fks(struct la_db *db, const char *table, struct pg_cols *c,
    struct la_arena *a)
{
	struct la_col_def *d;
	PGresult *res;
	int r;

	res = la_db_pgsql_query(db,
	    "SELECT a.attname, t.relname, fa.attname FROM "
	    "pg_catalog.pg_constraint c JOIN pg_catalog.pg_attribute a ON "
	    "a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
	    "JOIN pg_catalog.pg_class t ON t.oid = c.confrelid "
	    "JOIN pg_catalog.pg_attribute fa ON fa.attrelid = c.confrelid AND "
	    "fa.attnum = c.confkey[1] WHERE c.conrelid = " PG_REL
	    " AND c.contype = 'f' AND pg_catalog.array_length(c.conkey, 1) = 1",
	    1, &table);
	if (res == NULL)
		return (db->err);
	for (r = 0; r < PQntuples(res); r++) {
		if ((d = pg_col_find(c, PQgetvalue(res, r, 0))) == NULL)
			continue;
		d->fk_table = la_arena_strdup(a, PQgetvalue(res, r, 1));
		d->fk_col = la_arena_strdup(a, PQgetvalue(res, r, 2));
	}
	PQclear(res);
	return (LA_DB_DONE);
}

int
la_db_pgsql_reflect(struct la_db *db, const char *table, struct la_arena *a,
    struct la_col_def **cols, size_t *ncols)
{
	struct pg_cols c;
	int rc;

	memset(&c, 0, sizeof(c));
	*cols = NULL;
	*ncols = 0;
	if ((rc = pg_reflect_cols(db, table, &c, a)) != LA_DB_DONE ||
	    (rc = pg_reflect_keys(db, table, &c)) != LA_DB_DONE ||
	    (rc = pg_reflect_indexed(db, table, &c)) != LA_DB_DONE ||
	    (rc = pg_reflect_fks(db, table, &c, a)) != LA_DB_DONE)
		return (rc);
	*cols = c.v;
	*ncols = c.n;
	return (LA_DB_DONE);
}
