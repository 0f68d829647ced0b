/*
 * Inside the SQLite driver: what db_sqlite.c (statements, transactions,
 * errors) and db_sqlite_reflect.c (reading a table's definition) share.
 * Nothing else includes this; the rest of the daemon sees db.h only.
 */
#ifndef LA_DB_SQLITE_H
#define LA_DB_SQLITE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include "db.h"

struct la_db_rstmt {
	struct la_db *db;
	sqlite3_stmt *st;
	int active;          /* between run() and DONE/finish() */
	int locked;          /* holds the workers' write lock */
	int clean;           /* reset, bindings cleared, by finish() */
	unsigned char *real; /* per result column: REAL affinity */
	int ncols;           /* result columns when prepared (real's size) */
};

struct la_db {
	sqlite3 *h;
	char *path;         /* the file as opened; NULL for :memory: */
	dev_t dev;          /* its identity when opened: a write first checks */
	ino_t ino;          /* that the path still names this file */
	int vanished;       /* the path no longer names it (logged once) */
	int busy_ms;        /* how long a write waits for the lock */
	int64_t busy_since; /* when the current wait began, ms */
	int timeout_ms;     /* statement timeout, 0: none */
	int64_t deadline;   /* of the running statement, ms */
	int in_tx;          /* a transaction is open */
	int tx_locked;      /* and holds the workers' write lock */
	int err;
	char msg[256];
	char raw[512];
};

/* db_sqlite.c: the driver's statement calls (see struct la_db_driver). */
struct la_db_rstmt *la_db_sqlite_prepare(struct la_db *db, const char *sql);
void la_db_sqlite_finalize(struct la_db_rstmt *s);
int la_db_sqlite_run(struct la_db_rstmt *s, const struct la_value *params,
    size_t nparams);
int la_db_sqlite_next(struct la_db_rstmt *s);
void la_db_sqlite_column(struct la_db_rstmt *s, int i, struct la_value *v);
void la_db_sqlite_finish(struct la_db_rstmt *s);
/* Records a failure found by the driver itself; returns LA_DB_EOTHER. */
int la_db_sqlite_fail(struct la_db *db, const char *msg);
/* Runs sql once with one text parameter (or none when arg is NULL):
 * LA_DB_ROW when it gave a row, LA_DB_DONE when not, or an error. */
int la_db_sqlite_query1(struct la_db *db, const char *sql, const char *arg);

/* db_sqlite_reflect.c */
int la_db_sqlite_reflect_exists(struct la_db *db, const char *table);
int la_db_sqlite_reflect(struct la_db *db, const char *table,
    struct la_arena *a, struct la_col_def **cols, size_t *ncols);

#endif
