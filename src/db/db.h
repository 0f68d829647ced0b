/*
 * The database: one driver vtable per engine, and in front of the drivers
 * the layer every other file calls (la_db_*). The layer owns what all
 * drivers share: the statement cache, transactions, RETURNING support by
 * server version, timing, the statement timeout, statements released by
 * the request arena, and the one reconnect path. A worker owns one
 * connection and uses it for one request at a time.
 *
 * Every error is normalised to one of the LA_DB_E* kinds (la_db_errcode()).
 * A constraint error has a message fit for a client in la_db_errmsg()
 * ("unique constraint violated: products.name"); the database's own text
 * is in la_db_rawmsg() for the error log.
 *
 * What a column comes back as, by catalog type, from every driver (the
 * response writer in crud.c relies on it; tests/unit/test_db_sqlite.c
 * checks the SQLite driver against it):
 *
 *	catalog type	value kind	form
 *	int		LA_V_INT
 *	float		LA_V_FLOAT
 *	bool		LA_V_INT	0 or 1
 *	str, text	LA_V_TEXT
 *	datetime	LA_V_TEXT	ISO 8601, "T" or " " between date
 *					and time (the writer turns " " into "T")
 *	date		LA_V_TEXT	YYYY-MM-DD
 *	time		LA_V_TEXT	HH:MM:SS[.ffffff]
 *	Decimal		LA_V_TEXT	the digits as stored, never a double
 *	uuid		LA_V_TEXT	36 characters
 *	json		LA_V_TEXT	the JSON text
 *	any		whatever the engine holds; a blob as LA_V_TEXT
 *	(any type)	LA_V_NULL	for SQL NULL
 *
 * A reflected table may hold other kinds than its declared type (SQLite
 * keeps what it was given); the writer copes with each kind for each type.
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
struct la_stmtcache;
struct la_shmlock;

#define LA_DB_ROW      1
#define LA_DB_DONE     0
#define LA_DB_EUNIQUE  (-1)
#define LA_DB_EFK      (-2)
#define LA_DB_ENOTNULL (-3)
#define LA_DB_ECHECK   (-4)
#define LA_DB_EUNAVAIL (-5) /* connection lost or refused: 503 */
#define LA_DB_EOTHER   (-6) /* anything else: 500 */

/* ---- drivers ------------------------------------------------------------ */

struct la_db;       /* a driver's connection */
struct la_db_rstmt; /* a driver's prepared statement */

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
	/* The server's version, for la_dialect_returning(). */
	int64_t (*version)(struct la_db *db);
	/* Runs SQL without parameters or results (DDL); LA_DB_DONE or error. */
	int (*exec)(struct la_db *db, const char *sql);
	/* Transactions; LA_DB_DONE or error. */
	int (*begin)(struct la_db *db);
	int (*commit)(struct la_db *db);
	int (*rollback)(struct la_db *db);
	/*
	 * Statements from now on stop after ms milliseconds (0: never) with
	 * LA_DB_EUNAVAIL. A server-side setting where the engine has one.
	 */
	void (*set_timeout)(struct la_db *db, int ms);
	/* 1 exists, 0 does not, <0 error. */
	int (*table_exists)(struct la_db *db, const char *table);
	/*
	 * Reads the table's columns in table order into an arena array: name,
	 * type (mapped to la_type), sqltype, NULLABLE, PK (+AUTOINC for an
	 * integer key the database generates), UNIQUE (single-column unique
	 * constraints), INDEX (the first column of some index that is not
	 * partial), DBDEFAULT, fk_table/fk_col. LA_DB_DONE or error.
	 */
	int (*reflect)(struct la_db *db, const char *table, struct la_arena *a,
	    struct la_col_def **cols, size_t *ncols);
	/* A new statement, no caching (the layer caches); NULL on error. */
	struct la_db_rstmt *(*prepare)(struct la_db *db, const char *sql);
	void (*finalize)(struct la_db_rstmt *st);
	/*
	 * Binds params and executes: LA_DB_ROW, LA_DB_DONE or an error.
	 * The params, and the text they point to, are not copied: they must
	 * stay valid and unchanged until finish().
	 */
	int (*run)(struct la_db_rstmt *st, const struct la_value *params,
	    size_t nparams);
	/* Next row: LA_DB_ROW, LA_DB_DONE or an error. */
	int (*next)(struct la_db_rstmt *st);
	/* Column i of the current row (kinds: the table above); valid until
	 * next()/finish(). */
	void (*column)(struct la_db_rstmt *st, int i, struct la_value *v);
	/* Columns 0 to n-1 at once, as column() reads them: a page reads
	 * every value of every row. NULL: the layer calls column(). */
	void (*row)(struct la_db_rstmt *st, int n, struct la_value *v);
	/* Ends the execution; the statement can be run again. */
	void (*finish)(struct la_db_rstmt *st);
	/*
	 * The result's columns and their names as the statement returns them
	 * (for statements whose columns are not the catalog's); valid while
	 * run() or next() has given a row.
	 */
	int (*ncols)(struct la_db_rstmt *st);
	const char *(*colname)(struct la_db_rstmt *st, int i);
	/* After prepare(): 1 when the statement cannot write, 0 when it may;
	 * NULL: the engine does not say. */
	int (*readonly)(struct la_db_rstmt *st);
	/* After prepare(): the placeholders it takes; NULL: not known. */
	int (*nparams)(struct la_db_rstmt *st);
	/* Rows changed by the last statement; id of the last insert. */
	int64_t (*changes)(struct la_db *db);
	int64_t (*last_id)(struct la_db *db);
	/* LA_DB_DONE when the server answers. */
	int (*ping)(struct la_db *db);
	/*
	 * LA_DB_DONE when a write would succeed now, found at a bounded cost
	 * (for /readyz); NULL: the driver knows no more than ping().
	 */
	int (*writable)(struct la_db *db);
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
void la_db_set_write_lock(struct la_shmlock *m);
struct la_shmlock *la_db_write_lock(void);

/* The driver for a URL kind, or NULL when not compiled in. */
const struct la_db_driver *la_db_driver_for(enum la_dbkind kind);
/* Names of the compiled drivers, space separated (for -V). */
const char *la_db_drivers(void);

/* ---- the layer ---------------------------------------------------------- */

/*
 * The table at the top as data: the kind a non-NULL value of catalog type
 * t comes back as; LA_V_NULL for LA_T_ANY and LA_T_NONE (whatever the
 * engine holds).
 */
enum la_vkind la_db_kind_of(enum la_type t);

/*
 * Time spent in the database since la_db_timing_reset(): whoever reports
 * per request (metrics, a slow-query log) resets it when a request starts
 * and reads it when it ends.
 */
struct la_db_timing {
	int64_t ns;     /* inside driver calls */
	uint64_t calls; /* statements run, including BEGIN/COMMIT */
	int64_t max_ns; /* the slowest single call */
};

/* A connection: a driver, its handle and what the layer keeps for it. */
struct la_db_conn {
	const struct la_db_driver *drv;
	struct la_db *db;
	struct la_stmtcache *cache;
	int64_t version; /* the server's, read at connect */
	int lost;        /* a call found the server gone: reconnect first */
	int timeout_ms;  /* statement timeout, kept across reconnects */
	struct la_db_txguard *tx; /* the open transaction, or NULL */
	struct la_db_timing timing;
};

/* A cached statement as the layer hands it out. */
struct la_db_stmt;

/* Parses url and connects c, which must not be connected; 0 or -1 with a
 * message in err. */
int la_db_connect(struct la_db_conn *c, const char *url, char *err,
    size_t errlen);
void la_db_disconnect(struct la_db_conn *c);
/*
 * The one reconnect path: connects when there is no connection or a call
 * found the server gone; 0 when connected, -1 with a message in err.
 */
int la_db_ensure(struct la_db_conn *c, const char *url, char *err,
    size_t errlen);
/* Marks the connection lost (a failed health check), so la_db_ensure()
 * reconnects. */
void la_db_mark_lost(struct la_db_conn *c);

enum la_dialect la_db_dialect(const struct la_db_conn *c);
/* 1 when this server accepts RETURNING on verb. */
int la_db_returning(const struct la_db_conn *c, enum la_dialect_verb verb);
/* Statement timeout in ms (0: none), applied now and after reconnects. */
void la_db_set_timeout(struct la_db_conn *c, int ms);
void la_db_timing_reset(struct la_db_conn *c);

/*
 * Prepares sql (through the cache) and runs it with params: LA_DB_ROW,
 * LA_DB_DONE or an error; *stp is set (maybe NULL) either way. The same
 * SQL text must not be run again while a run of it is still being read.
 * With an arena, the statement is finished when the arena is reset or
 * freed at the latest, so an early return cannot leave it running.
 */
int la_db_query(struct la_db_conn *c, struct la_arena *a, const char *sql,
    const struct la_value *params, size_t nparams, struct la_db_stmt **stp);
/* The same for sql[0..len) (NUL-terminated) whose la_stmtcache_hash
 * the caller kept with it, so a run need not hash the text again. */
int la_db_query_hashed(struct la_db_conn *c, struct la_arena *a,
    const char *sql, size_t len, uint64_t hash, const struct la_value *params,
    size_t nparams, struct la_db_stmt **stp);
int la_db_next(struct la_db_stmt *st);
/* Column i of the current row; valid until la_db_next()/la_db_finish(). */
void la_db_column(struct la_db_stmt *st, int i, struct la_value *v);
/* Columns 0 to n-1 of the current row into v[0..n-1]; as la_db_column. */
void la_db_row(struct la_db_stmt *st, int n, struct la_value *v);
/* Ends a run; NULL and an already finished statement are allowed. */
void la_db_finish(struct la_db_stmt *st);
/* The result's columns (see the driver's ncols and colname). */
int la_db_ncols(struct la_db_stmt *st);
const char *la_db_colname(struct la_db_stmt *st, int i);
/*
 * Prepares sql outside the cache to check it, and releases it: LA_DB_DONE
 * or an error (la_db_rawmsg() says what the database found). *readonly and
 * *nparams are set as the driver knows them, else to -1.
 */
int la_db_check(struct la_db_conn *c, const char *sql, int *readonly,
    int *nparams);
int64_t la_db_changes(struct la_db_conn *c);
int64_t la_db_last_id(struct la_db_conn *c);

/*
 * A transaction. With an arena, one still open when the arena is reset
 * is rolled back. LA_DB_DONE or an error.
 */
int la_db_begin(struct la_db_conn *c, struct la_arena *a);
int la_db_commit(struct la_db_conn *c);
int la_db_rollback(struct la_db_conn *c);

/* The driver's calls of the same names, timed and error-tracked. */
int la_db_exec(struct la_db_conn *c, const char *sql);
int la_db_table_exists(struct la_db_conn *c, const char *table);
int la_db_reflect(struct la_db_conn *c, const char *table, struct la_arena *a,
    struct la_col_def **cols, size_t *ncols);
int la_db_ping(struct la_db_conn *c);
/* The driver's writable(), else ping(): for /readyz. */
int la_db_writable(struct la_db_conn *c);
const char *la_db_errmsg(const struct la_db_conn *c);
const char *la_db_rawmsg(const struct la_db_conn *c);
int la_db_errcode(const struct la_db_conn *c);

/* fn is called with the result of every statement (metrics.c). */
void la_db_observe(void (*fn)(int rc));

#endif
