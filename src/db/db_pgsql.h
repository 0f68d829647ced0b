/*
 * Inside the PostgreSQL driver: what db_pgsql.c (connection, statements,
 * transactions, errors) and db_pgsql_reflect.c (reading a table's
 * definition from pg_catalog) share. Nothing else includes this; the rest
 * of the daemon sees db.h only, and <libpq-fe.h> stays in the driver.
 */
#ifndef LA_DB_PGSQL_H
#define LA_DB_PGSQL_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "buf.h"
#include "db.h"

struct la_db_rstmt {
	struct la_db *db;
	char name[24];         /* the server-side prepared statement */
	char *sql;             /* to prepare it again after a reset */
	unsigned gen;          /* the connection's gen it was prepared in */
	PGresult *res;         /* the current run's rows, or NULL */
	int row, nrows;        /* position in res */
	struct la_arena *conv; /* values rewritten for db.h, per row */
};

struct la_db {
	PGconn *pg;
	unsigned seq;          /* names the next prepared statement */
	struct la_buf dealloc; /* DEALLOCATEs to send with the next prepare */
	unsigned gen;          /* bumped when a reset drops the statements */
	int in_tx;             /* BEGIN sent, no COMMIT/ROLLBACK yet */
	char *schema;          /* ?schema=, applied again after a reset */
	int64_t changes;
	int timeout_ms;
	int err;
	char msg[256];
	char raw[512];
};

/* db_pgsql.c */
/*
 * Runs sql once (unnamed statement) with text parameters: the result, or
 * NULL with the error recorded. The caller PQclear()s it.
 */
PGresult *la_db_pgsql_query(struct la_db *db, const char *sql, int n,
    const char *const *params);
/* Records a failure of res (or of the connection when res is NULL);
 * returns its LA_DB_E* kind. */
int la_db_pgsql_error(struct la_db *db, const PGresult *res);
/* A failure found by the driver itself; returns LA_DB_EOTHER. */
int la_db_pgsql_fail(struct la_db *db, const char *msg);

/* db_pgsql_reflect.c */
int la_db_pgsql_exists(struct la_db *db, const char *table);
int la_db_pgsql_reflect(struct la_db *db, const char *table, struct la_arena *a,
    struct la_col_def **cols, size_t *ncols);
/*
 * The columns a constraint or unique index covers, as "t.a" or
 * "t.a, t.b", into out; 0, or -1 when not found.
 */
int la_db_pgsql_constraint_cols(struct la_db *db, const char *schema,
    const char *table, const char *constraint, char *out, size_t outlen);

/* The driver table's entries (db_pgsql_driver.c). */
struct la_db *la_db_pgsql_open(const struct la_dburl *u, char *err,
    size_t errlen);
void la_db_pgsql_close(struct la_db *db);
int64_t la_db_pgsql_version(struct la_db *db);
int la_db_pgsql_exec(struct la_db *db, const char *sql);
int la_db_pgsql_begin(struct la_db *db);
int la_db_pgsql_commit(struct la_db *db);
int la_db_pgsql_rollback(struct la_db *db);
void la_db_pgsql_set_timeout(struct la_db *db, int ms);
struct la_db_rstmt *la_db_pgsql_prepare(struct la_db *db, const char *sql);
void la_db_pgsql_finalize(struct la_db_rstmt *s);
int la_db_pgsql_run(struct la_db_rstmt *s, const struct la_value *params,
    size_t nparams);
int la_db_pgsql_next(struct la_db_rstmt *s);
void la_db_pgsql_column(struct la_db_rstmt *s, int i, struct la_value *v);
int la_db_pgsql_ncols(struct la_db_rstmt *s);
const char *la_db_pgsql_colname(struct la_db_rstmt *s, int i);
void la_db_pgsql_finish(struct la_db_rstmt *s);
int64_t la_db_pgsql_changes(struct la_db *db);
int64_t la_db_pgsql_last_id(struct la_db *db);
int la_db_pgsql_ping(struct la_db *db);
int la_db_pgsql_writable(struct la_db *db);
const char *la_db_pgsql_errmsg(struct la_db *db);
const char *la_db_pgsql_rawmsg(struct la_db *db);
int la_db_pgsql_errcode(struct la_db *db);

#endif
