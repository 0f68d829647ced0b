/*
 * The database driver interface. One vtable per database; db.c picks the
 * driver from the URL and wraps the calls. A worker owns one connection and
 * uses it for one request at a time. Statements are prepared once per
 * connection (cached by their SQL text) and reused.
 *
 * Every error is normalised to one of the LA_DB_E* kinds (errcode()). A
 * constraint error has a message fit for a client in errmsg() ("unique
 * constraint violated: products.name"); the database's own text is in
 * rawmsg() for the error log.
 */
#ifndef LA_DB_H
#define LA_DB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "coldef.h"
#include "dburl.h"
#include "dialect.h"
#include "value.h"

struct la_arena;

#define LA_DB_ROW      1
#define LA_DB_DONE     0
#define LA_DB_EUNIQUE  (-1)
#define LA_DB_EFK      (-2)
#define LA_DB_ENOTNULL (-3)
#define LA_DB_ECHECK   (-4)
#define LA_DB_EUNAVAIL (-5) /* connection lost or refused: 503 */
#define LA_DB_EOTHER   (-6) /* anything else: 500 */

struct la_db;
struct la_db_stmt;

struct la_db_driver {
	const char *name; /* "sqlite", "postgresql", "mysql" */
	enum la_dbkind kind;
	enum la_dialect dialect;
	/*
	 * NULL with a message in err on failure. u and its strings live only
	 * until open() returns: the driver copies what it keeps.
	 */
	struct la_db *(
	    *open)(const struct la_dburl *u, char *err, size_t errlen);
	void (*close)(struct la_db *db);
	/* Runs SQL without parameters or results (DDL); LA_DB_DONE or error. */
	int (*exec)(struct la_db *db, const char *sql);
	/* 1 exists, 0 does not, <0 error. */
	int (*table_exists)(struct la_db *db, const char *table);
	/*
	 * Reads the table's columns in table order into an arena array: name,
	 * type (mapped to la_type), sqltype, NULLABLE, PK (+AUTOINC for an
	 * integer key the database generates), UNIQUE (single-column unique
	 * constraints), DBDEFAULT, fk_table/fk_col. LA_DB_DONE or error.
	 */
	int (*reflect)(struct la_db *db, const char *table, struct la_arena *a,
	    struct la_col_def **cols, size_t *ncols);
	/*
	 * Cached per connection by SQL text: the same text gives the same
	 * statement back, so one SQL text must not be run again while an
	 * earlier run of it is still being read. A statement being read is
	 * never evicted; an idle one may be once many others have been
	 * prepared, so prepare right before run. NULL on error (errcode()).
	 */
	struct la_db_stmt *(*prepare)(struct la_db *db, const char *sql);
	/*
	 * Binds params and executes: LA_DB_ROW, LA_DB_DONE or an error.
	 * The params, and the text they point to, are not copied: they must
	 * stay valid and unchanged until finish().
	 */
	int (*run)(struct la_db_stmt *st, const struct la_value *params,
	    size_t nparams);
	/* Next row: LA_DB_ROW, LA_DB_DONE or an error. */
	int (*next)(struct la_db_stmt *st);
	/* Column i of the current row; valid until next()/finish(). */
	void (*column)(struct la_db_stmt *st, int i, struct la_value *v);
	/* Ends the execution; the statement stays cached. */
	void (*finish)(struct la_db_stmt *st);
	/* Rows changed by the last statement; id of the last insert. */
	int64_t (*changes)(struct la_db *db);
	int64_t (*last_id)(struct la_db *db);
	/* LA_DB_DONE when the server answers. */
	int (*ping)(struct la_db *db);
	/*
	 * The last error: for the constraint kinds, the client's 409 message;
	 * for EUNAVAIL and EOTHER (whose client text is fixed), what failed.
	 */
	const char *(*errmsg)(struct la_db *db);
	/* The database's own text and code for the last error, for the log. */
	const char *(*rawmsg)(struct la_db *db);
	/* LA_DB_E* kind of the last error (after prepare() gave NULL). */
	int (*errcode)(struct la_db *db);
};

/* The drivers; each exists only when its client library was found. */
extern const struct la_db_driver la_db_sqlite_driver;
extern const struct la_db_driver la_db_pgsql_driver;
extern const struct la_db_driver la_db_mysql_driver;

/*
 * A lock shared by the workers that a driver may use to queue its writers
 * (SQLite allows one writer at a time; queueing beats polling for its
 * lock). NULL, the default, means no queueing.
 */
void la_db_set_write_lock(pthread_mutex_t *m);
pthread_mutex_t *la_db_write_lock(void);

/* The driver for a URL kind, or NULL when not compiled in. */
const struct la_db_driver *la_db_driver_for(enum la_dbkind kind);
/* Names of the compiled drivers, space separated (for -V). */
const char *la_db_drivers(void);

/* A connection: a driver and its handle. */
struct la_db_conn {
	const struct la_db_driver *drv;
	struct la_db *db;
};

/* Parses url and connects; 0 or -1 with a message in err. */
int la_db_connect(struct la_db_conn *c, const char *url, char *err,
    size_t errlen);
void la_db_disconnect(struct la_db_conn *c);

#endif
