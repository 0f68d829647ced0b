/*
 * The SQLite driver: statements, transactions and errors (reflection is in
 * db_sqlite_reflect.c; caching, in the layer, db.c). Constraint errors are
 * recognised from the extended result codes and rewritten for clients; the
 * SQLite text is kept for the log. Writers of all workers queue on one
 * shared lock, held by a statement from its first step to its end, or by
 * a transaction from BEGIN to COMMIT.
 *
 * Connections are opened after fork() by each worker: a sqlite3 handle
 * must never cross a fork.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <sqlite3.h>

#include "db_sqlite.h"
#include "db_sqlite_mem.h"
#include "db.h"
#include "arena.h"
#include "buf.h"
#include "la.h"
#include "log.h"
#include "str.h"
#include "shmlock.h"
#include "xalloc.h"

#define BUSY_TIMEOUT_MS 5000
/* VM instructions between two looks at the statement deadline. */
#define PROGRESS_STEPS 1000

/* Errors that go away by themselves or when an operator fixes the disk. */
static const int sqlite_unavail[] = {SQLITE_BUSY, SQLITE_LOCKED,
    SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_FULL, SQLITE_READONLY, SQLITE_NOMEM,
    SQLITE_PROTOCOL, SQLITE_INTERRUPT};

static const struct {
	int code;
	int kind;
	const char *text;
} sqlite_constraints[] = {
    {SQLITE_CONSTRAINT_UNIQUE, LA_DB_EUNIQUE, "unique constraint violated"},
    {SQLITE_CONSTRAINT_PRIMARYKEY, LA_DB_EUNIQUE, "unique constraint violated"},
    {SQLITE_CONSTRAINT_ROWID, LA_DB_EUNIQUE, "unique constraint violated"},
    {SQLITE_CONSTRAINT_FOREIGNKEY, LA_DB_EFK,
        "foreign key constraint violated"},
    {SQLITE_CONSTRAINT_NOTNULL, LA_DB_ENOTNULL, "not null constraint violated"},
    {SQLITE_CONSTRAINT_CHECK, LA_DB_ECHECK, "check constraint violated"},
    /* RAISE(ABORT, '...') in a trigger is a rule the schema enforces. */
    {SQLITE_CONSTRAINT_TRIGGER, LA_DB_ECHECK, "check constraint violated"},
};

/* ---- errors -------------------------------------------------------- */

static int
sqlite_kind(int rc)
{
	size_t i;

	for (i = 0; i < LA_NELEM(sqlite_unavail); i++)
		if ((rc & 0xff) == sqlite_unavail[i])
			return (LA_DB_EUNAVAIL);
	return (LA_DB_EOTHER);
}

/*
 * "UNIQUE constraint failed: products.name" names what failed after the
 * colon; a foreign key failure names nothing, and a trigger's own message
 * is all there is.
 */
static void
sqlite_constraint_msg(struct la_db *db, size_t i, const char *raw)
{
	const char *what = strstr(raw, "failed: ");

	if (what != NULL)
		what += strlen("failed: ");
	else if (sqlite_constraints[i].code == SQLITE_CONSTRAINT_TRIGGER)
		what = raw;
	if (what == NULL || *what == '\0' ||
	    sqlite_constraints[i].kind == LA_DB_EFK)
		snprintf(db->msg, sizeof(db->msg), "%s",
		    sqlite_constraints[i].text);
	else
		snprintf(db->msg, sizeof(db->msg), "%s: %s",
		    sqlite_constraints[i].text, what);
}

/* Records the connection's last error; returns its LA_DB_E* kind. */
static int
sqlite_error(struct la_db *db, int rc)
{
	const char *raw = sqlite3_errmsg(db->h);
	size_t i;

	snprintf(db->raw, sizeof(db->raw), "%s (sqlite code %d)", raw, rc);
	for (i = 0; i < LA_NELEM(sqlite_constraints); i++) {
		if (sqlite_constraints[i].code == rc) {
			db->err = sqlite_constraints[i].kind;
			sqlite_constraint_msg(db, i, raw);
			return (db->err);
		}
	}
	/* Clients get a fixed text for these; the message is for the log. */
	db->err = sqlite_kind(rc);
	snprintf(db->msg, sizeof(db->msg), "%s", raw);
	return (db->err);
}

/* A failure detected here rather than by SQLite. */
int
la_db_sqlite_fail(struct la_db *db, const char *msg)
{
	db->err = LA_DB_EOTHER;
	snprintf(db->msg, sizeof(db->msg), "%s", msg);
	snprintf(db->raw, sizeof(db->raw), "%s", msg);
	return (db->err);
}

static const char *
sqlite_errmsg(struct la_db *db)
{
	return (db->msg);
}

static const char *
sqlite_rawmsg(struct la_db *db)
{
	return (db->raw);
}

static int
sqlite_errcode(struct la_db *db)
{
	return (db->err);
}

/* ---- statements -------------------------------------------------- */

/*
 * SQLite stores an integral REAL as an integer and converts it back when a
 * SELECT reads the column, but not in RETURNING output; db.h promises a
 * double for a float column, so the declared type's affinity (SQLite's
 * rules, datatype3.html 3.1) decides.
 */
static int
sqlite_real_column(sqlite3_stmt *st, int i)
{
	const char *decl = sqlite3_column_decltype(st, i);
	char up[64];
	size_t k;

	if (decl == NULL)
		return (0);
	for (k = 0; decl[k] != '\0' && k < sizeof(up) - 1; k++)
		up[k] = (char)toupper((unsigned char)decl[k]);
	up[k] = '\0';
	if (strstr(up, "INT") != NULL || strstr(up, "CHAR") != NULL ||
	    strstr(up, "CLOB") != NULL || strstr(up, "TEXT") != NULL)
		return (0);
	return (strstr(up, "REAL") != NULL || strstr(up, "FLOA") != NULL ||
	        strstr(up, "DOUB") != NULL);
}

/* Looked up once per statement: column() runs for every value. */
static void
sqlite_real_columns(struct la_db_rstmt *s)
{
	int i, n = sqlite3_column_count(s->st);

	s->ncols = n;
	for (i = 0; i < n; i++) {
		if (!sqlite_real_column(s->st, i))
			continue;
		if (s->real == NULL)
			s->real = la_xcalloc((size_t)n, 1);
		s->real[i] = 1;
	}
}

struct la_db_rstmt *
la_db_sqlite_prepare(struct la_db *db, const char *sql)
{
	struct la_db_rstmt *s;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL);
	if (rc != SQLITE_OK) {
		sqlite_error(db, rc);
		return (NULL);
	}
	if (st == NULL) {
		la_db_sqlite_fail(db, "empty SQL statement");
		return (NULL);
	}
	s = la_xcalloc(1, sizeof(*s));
	s->db = db;
	s->st = st;
	sqlite_real_columns(s);
	return (s);
}

/* ---- execution ----------------------------------------------------- */

/*
 * SQLITE_STATIC: the caller keeps params alive until finish() (db.h), so
 * the text is not copied. A NULL pointer would bind SQL NULL, hence "".
 */
static int
sqlite_bind(sqlite3_stmt *st, int i, const struct la_value *v)
{
	switch (v->kind) {
	case LA_V_INT:
		return (sqlite3_bind_int64(st, i, v->i));
	case LA_V_FLOAT:
		return (sqlite3_bind_double(st, i, v->f));
	case LA_V_TEXT:
		return (sqlite3_bind_text64(st, i, v->s != NULL ? v->s : "",
		    v->len, SQLITE_STATIC, SQLITE_UTF8));
	case LA_V_NULL:
		break;
	}
	return (sqlite3_bind_null(st, i));
}

/*
 * Resetting as soon as the statement ends releases its read snapshot, so
 * a forgotten finish() does not hold back WAL checkpoints.
 */
static int
sqlite_step(struct la_db_rstmt *s)
{
	int rc = sqlite3_step(s->st);

	if (rc == SQLITE_ROW)
		return (LA_DB_ROW);
	s->active = 0;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s->st);
		return (LA_DB_DONE);
	}
	rc = sqlite_error(s->db, rc);
	sqlite3_reset(s->st);
	return (rc);
}

/*
 * A database file deleted, renamed or replaced under a running server
 * would go on taking writes into an unlinked inode, every one of them
 * lost at the next restart. So each write (transaction) first checks that
 * the path still names the file that was opened; if not, it is refused as
 * "unavailable" (503), the connection is dropped, and reconnecting opens
 * the path again only once a file is there (see sqlite_open).
 */
static int
sqlite_same_file(struct la_db *db)
{
	struct stat st;

	if (db->path == NULL)
		return (LA_DB_DONE);
	if (stat(db->path, &st) == 0 && st.st_dev == db->dev &&
	    st.st_ino == db->ino)
		return (LA_DB_DONE);
	if (!db->vanished)
		la_log(LA_LOG_ERR,
		    "sqlite: %s was removed or replaced while open; writes "
		    "are refused until the file is back",
		    db->path);
	db->vanished = 1;
	snprintf(db->raw, sizeof(db->raw), "%s was removed or replaced",
	    db->path);
	snprintf(db->msg, sizeof(db->msg), "database file removed or replaced");
	db->err = LA_DB_EUNAVAIL;
	return (LA_DB_EUNAVAIL);
}

/*
 * Writers queue on the workers' shared lock rather than poll SQLite's.
 * An owner that died mid-write left nothing half done (SQLite rolled its
 * transaction back), so a dead owner needs no repair; and if the lock
 * fails, SQLite's own busy handling still keeps writers apart.
 */
static void
sqlite_lock(struct la_db_rstmt *s)
{
	struct la_shmlock *m = la_db_write_lock();
	int rc;

	/* A transaction took the lock at BEGIN: it is not recursive. */
	if (m != NULL && !s->db->in_tx && !sqlite3_stmt_readonly(s->st)) {
		rc = la_shmlock_lock(m);
		if (rc == LA_SHMLOCK_OWNER_DIED)
			la_shmlock_consistent(m);
		s->locked = rc >= 0;
	}
}

static void
sqlite_unlock(struct la_db_rstmt *s)
{
	if (s->locked) {
		la_shmlock_unlock(la_db_write_lock());
		s->locked = 0;
	}
}

void
la_db_sqlite_finalize(struct la_db_rstmt *s)
{
	sqlite_unlock(s);
	sqlite3_finalize(s->st);
	free(s->real);
	free(s);
}

int
la_db_sqlite_run(struct la_db_rstmt *s, const struct la_value *params,
    size_t nparams)
{
	size_t i;
	int rc;

	/* finish() left it reset and unbound: doing it again costs a few
	 * hundred instructions per query. */
	if (!s->clean) {
		sqlite3_reset(s->st);
		sqlite3_clear_bindings(s->st);
	}
	s->clean = 0;
	s->active = 0;
	if (nparams > (size_t)sqlite3_bind_parameter_count(s->st))
		return (la_db_sqlite_fail(s->db, "too many parameters"));
	for (i = 0; i < nparams; i++) {
		rc = sqlite_bind(s->st, (int)i + 1, &params[i]);
		if (rc != SQLITE_OK)
			return (sqlite_error(s->db, rc));
	}
	if (!s->db->in_tx && !sqlite3_stmt_readonly(s->st) &&
	    (rc = sqlite_same_file(s->db)) != LA_DB_DONE)
		return (rc);
	s->active = 1;
	if (s->db->timeout_ms > 0)
		s->db->deadline = la_monotonic_ms() + s->db->timeout_ms;
	sqlite_lock(s);
	rc = sqlite_step(s);
	if (rc != LA_DB_ROW)
		sqlite_unlock(s);
	return (rc);
}

int
la_db_sqlite_next(struct la_db_rstmt *s)
{
	/* Stepping a reset statement would silently run it again. */
	int rc;

	if (!s->active)
		return (LA_DB_DONE);
	if ((rc = sqlite_step(s)) != LA_DB_ROW)
		sqlite_unlock(s);
	return (rc);
}

/*
 * One column call, then the value's own accessors: each sqlite3_column_*
 * call repeats the statement's bookkeeping. The connection is opened
 * without mutexes and used by one thread, so the unprotected value that
 * sqlite3_column_value() returns may be read directly.
 */
/* Every field written once: this runs for every value of a page. */
static inline void
sqlite_value(const struct la_db_rstmt *s, int i, sqlite3_value *sv,
    struct la_value *v)
{
	const void *p;

	v->i = 0;
	v->f = 0;
	v->s = NULL;
	v->len = 0;
	v->kind = LA_V_NULL;
	switch (sqlite3_value_type(sv)) {
	case SQLITE_INTEGER:
		if (s->real != NULL && i < s->ncols && s->real[i]) {
			v->kind = LA_V_FLOAT;
			v->f = sqlite3_value_double(sv);
		} else {
			v->kind = LA_V_INT;
			v->i = sqlite3_value_int64(sv);
		}
		break;
	case SQLITE_FLOAT:
		v->kind = LA_V_FLOAT;
		v->f = sqlite3_value_double(sv);
		break;
	case SQLITE_TEXT:
		p = sqlite3_value_text(sv);
		v->kind = LA_V_TEXT;
		v->s = p != NULL ? p : "";
		v->len = (size_t)sqlite3_value_bytes(sv);
		break;
	case SQLITE_BLOB:
		p = sqlite3_value_blob(sv);
		v->kind = LA_V_TEXT;
		v->s = p != NULL ? p : "";
		v->len = (size_t)sqlite3_value_bytes(sv);
		break;
	}
}

static const struct la_value sqlite_null = {.kind = LA_V_NULL};

void
la_db_sqlite_column(struct la_db_rstmt *s, int i, struct la_value *v)
{
	/* The count when prepared saves a library call per value; a
	 * statement prepared again after a schema change may have more. */
	if (!s->active || i < 0 ||
	    (i >= s->ncols && i >= sqlite3_column_count(s->st))) {
		*v = sqlite_null;
		return;
	}
	sqlite_value(s, i, sqlite3_column_value(s->st, i), v);
}

/* The row's column count is asked once, not per value. */
static void
sqlite_row(struct la_db_rstmt *s, int n, struct la_value *v)
{
	int i, have = s->active ? sqlite3_data_count(s->st) : 0;

	for (i = 0; i < n; i++) {
		if (i < have)
			sqlite_value(s, i, sqlite3_column_value(s->st, i),
			    &v[i]);
		else
			v[i] = sqlite_null;
	}
}

static int
sqlite_ncols(struct la_db_rstmt *s)
{
	return (sqlite3_column_count(s->st));
}

static const char *
sqlite_colname(struct la_db_rstmt *s, int i)
{
	const char *n = sqlite3_column_name(s->st, i);

	return (n != NULL ? n : "");
}

static int
sqlite_readonly(struct la_db_rstmt *s)
{
	return (sqlite3_stmt_readonly(s->st) != 0);
}

static int
sqlite_nparams(struct la_db_rstmt *s)
{
	return (sqlite3_bind_parameter_count(s->st));
}

void
la_db_sqlite_finish(struct la_db_rstmt *s)
{
	sqlite_unlock(s);
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->clean = 1;
	s->active = 0;
}

static int
sqlite_exec(struct la_db *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return (sqlite_error(db, rc));
	return (LA_DB_DONE);
}

/* ---- transactions and limits -------------------------------------- */

static void
sqlite_tx_end(struct la_db *db)
{
	if (db->tx_locked)
		la_shmlock_unlock(la_db_write_lock());
	db->tx_locked = 0;
	db->in_tx = 0;
}

/*
 * IMMEDIATE takes SQLite's write lock at BEGIN, after the workers' lock:
 * a deferred BEGIN would upgrade at the first write and could find
 * another worker's lock in its way half-way through.
 */
static int
sqlite_begin(struct la_db *db)
{
	struct la_shmlock *m = la_db_write_lock();
	int rc = -1;

	if ((rc = sqlite_same_file(db)) != LA_DB_DONE)
		return (rc);
	if (m != NULL && (rc = la_shmlock_lock(m)) == LA_SHMLOCK_OWNER_DIED)
		la_shmlock_consistent(m);
	db->tx_locked = m != NULL && rc >= 0;
	if ((rc = sqlite_exec(db, "BEGIN IMMEDIATE")) != LA_DB_DONE) {
		sqlite_tx_end(db);
		return (rc);
	}
	db->in_tx = 1;
	return (rc);
}

/* A COMMIT that fails leaves the transaction open: end it for good. */
static int
sqlite_commit(struct la_db *db)
{
	int rc = sqlite_exec(db, "COMMIT");

	if (rc != LA_DB_DONE && !sqlite3_get_autocommit(db->h))
		(void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	sqlite_tx_end(db);
	return (rc);
}

/* After an error SQLite may have rolled back already; that is no error. */
static int
sqlite_rollback(struct la_db *db)
{
	int rc = LA_DB_DONE;

	if (!sqlite3_get_autocommit(db->h))
		rc = sqlite_exec(db, "ROLLBACK");
	sqlite_tx_end(db);
	return (rc);
}

/* Called every PROGRESS_STEPS instructions: non-zero interrupts. */
static int
sqlite_progress(void *arg)
{
	struct la_db *db = arg;

	return (db->timeout_ms > 0 && la_monotonic_ms() > db->deadline);
}

/*
 * SQLite has no server to cancel a statement: the progress handler
 * interrupts it (SQLITE_INTERRUPT, reported as unavailable).
 */
static void
sqlite_set_timeout(struct la_db *db, int ms)
{
	db->timeout_ms = ms > 0 ? ms : 0;
	sqlite3_progress_handler(db->h, ms > 0 ? PROGRESS_STEPS : 0,
	    ms > 0 ? sqlite_progress : NULL, db);
}

/* The library's version: RETURNING depends on it, not on the file. */
static int64_t
sqlite_version(struct la_db *db)
{
	(void)db;
	return ((int64_t)sqlite3_libversion_number());
}

static int64_t
sqlite_changes(struct la_db *db)
{
	return ((int64_t)sqlite3_changes64(db->h));
}

static int64_t
sqlite_last_id(struct la_db *db)
{
	return ((int64_t)sqlite3_last_insert_rowid(db->h));
}

/* Runs sql with one text parameter and reports whether it gave a row. */
int
la_db_sqlite_query1(struct la_db *db, const char *sql, const char *arg)
{
	struct la_db_rstmt *s;
	struct la_value v;
	int rc;

	if ((s = la_db_sqlite_prepare(db, sql)) == NULL)
		return (db->err);
	v = la_value_text(arg, arg != NULL ? strlen(arg) : 0);
	rc = la_db_sqlite_run(s, &v, arg != NULL ? 1 : 0);
	la_db_sqlite_finalize(s);
	return (rc);
}

/*
 * "SELECT 1" alone never touches the file; reading the schema takes a
 * shared lock and reads page 1, so a locked, vanished or unreadable
 * database shows up here.
 */
static int
sqlite_ping(struct la_db *db)
{
	int rc =
	    la_db_sqlite_query1(db, "SELECT count(*) FROM sqlite_master", NULL);

	return (rc == LA_DB_ROW ? LA_DB_DONE : rc);
}

/*
 * For /readyz: the file is still the one opened, its file system has room
 * (a full disk fails every write; SQLite needs a little for the WAL), and
 * the write lock can be taken (a read-only file refuses it). The lock is
 * the workers' queue and SQLite's RESERVED lock, held for no statement.
 */
#define SQLITE_MIN_FREE (1024 * 1024)

static int
sqlite_writable(struct la_db *db)
{
	struct statvfs vfs;
	char *dir, *slash;
	int rc;

	if ((rc = sqlite_same_file(db)) != LA_DB_DONE)
		return (rc);
	if (db->path != NULL) {
		dir = la_xstrdup(db->path);
		slash = strrchr(dir, '/');
		if (slash == NULL)
			strcpy(dir, ".");
		else
			slash[slash == dir] = '\0';
		rc = statvfs(dir, &vfs);
		free(dir);
		if (rc == 0 &&
		    (uint64_t)vfs.f_bavail * vfs.f_frsize < SQLITE_MIN_FREE)
			return (la_db_sqlite_fail(db, "no space left"));
	}
	if ((rc = sqlite_begin(db)) != LA_DB_DONE)
		return (rc);
	return (sqlite_rollback(db));
}

/* ---- connection ---------------------------------------------------- */

static int
sqlite_busy_ms(const struct la_dburl *u, int *ms, char *err, size_t errlen)
{
	size_t i;
	int64_t v;

	*ms = BUSY_TIMEOUT_MS;
	for (i = 0; i < u->nopts; i++) {
		if (strcmp(u->opts[i].key, "busy_timeout") != 0)
			continue;
		if (la_str_to_i64(u->opts[i].value, strlen(u->opts[i].value),
		        &v) == -1 ||
		    v < 0 || v > INT_MAX) {
			snprintf(err, errlen,
			    "sqlite: busy_timeout must be milliseconds, "
			    "not \"%s\"",
			    u->opts[i].value);
			return (-1);
		}
		*ms = (int)v;
	}
	return (0);
}

static int
sqlite_wal_cb(void *arg, int n, char **vals, char **names)
{
	*(int *)arg = n > 0 && vals[0] != NULL && strcmp(vals[0], "wal") == 0;
	return (0);
}

/*
 * Waiting for a lock held by another process (workers queue on their
 * shared lock; this is for anything else writing the file). SQLite's own
 * handler sleeps in steps of up to 100 ms, which turns a lock held for a
 * fraction of a millisecond into a long tail; short, growing naps up to
 * 2 ms keep the wait close to the time the lock is really held.
 */
static int
sqlite_busy(void *arg, int n)
{
	struct la_db *db = arg;
	long us = n < 10 ? 50L << (n / 2) : 2000;
	struct timespec ts = {0, us * 1000};

	if (n == 0)
		db->busy_since = la_monotonic_ms();
	else if (la_monotonic_ms() - db->busy_since >= db->busy_ms)
		return (0);
	nanosleep(&ts, NULL);
	return (1);
}

/*
 * WAL lets readers in other workers run while one writes; NORMAL is safe
 * with WAL (a power loss may lose the last commits, never corrupt). A
 * read-only file cannot switch modes, and is still worth serving.
 */
static int
sqlite_pragmas(struct la_db *db, const char *path, int busy_ms)
{
	int rc, wal = 0;

	db->busy_ms = busy_ms;
	sqlite3_busy_handler(db->h, sqlite_busy, db);
	rc = sqlite3_exec(db->h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc != SQLITE_OK || strcmp(path, ":memory:") == 0)
		return (rc);
	rc = sqlite3_exec(db->h, "PRAGMA journal_mode = WAL", sqlite_wal_cb,
	    &wal, NULL);
	if ((rc & 0xff) == SQLITE_READONLY)
		return (SQLITE_OK);
	if (rc == SQLITE_OK && wal)
		rc = sqlite3_exec(db->h, "PRAGMA synchronous = NORMAL", NULL,
		    NULL, NULL);
	return (rc);
}

static void
sqlite_close(struct la_db *db)
{
	sqlite_tx_end(db);
	sqlite3_close(db->h);
	free(db->path);
	free(db);
}

/*
 * URI filenames are on in Debian's build; a relative file literally named
 * "file:..." must stay a file name, so it is opened as "./file:...".
 */
/*
 * A path is created by its first open in a process only: the master's,
 * which builds the schema (workers inherit the list through fork). A
 * worker, or a reconnect after the file vanished, must not create an
 * empty database in its place: it fails until the file is back (restored
 * or renamed back).
 */
#define SQLITE_SEEN_MAX 16
static char *sqlite_seen[SQLITE_SEEN_MAX];

static int
sqlite_was_opened(const char *path)
{
	size_t i;

	for (i = 0; i < SQLITE_SEEN_MAX && sqlite_seen[i] != NULL; i++)
		if (strcmp(sqlite_seen[i], path) == 0)
			return (1);
	if (i < SQLITE_SEEN_MAX)
		sqlite_seen[i] = la_xstrdup(path);
	return (0);
}

static int
sqlite_open_file(struct la_db *db, const char *path)
{
	static int configured;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	struct stat st;
	char *p;
	int rc;

	/* No memory statistics (nothing reads them): keeping them takes a
	 * global mutex on every allocation the library makes. No mutexes at
	 * all: a process (master or worker) runs one thread, so the page
	 * cache's and the library's global mutexes only cost a lock and an
	 * unlock each time they are taken. Only possible before the library
	 * initialises, so at the first open. */
	if (!configured) {
		configured = 1;
		la_db_sqlite_mem_install();
		(void)sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
		(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	}

	if (strncmp(path, "file:", 5) == 0) {
		p = la_xmalloc(strlen(path) + 3);
		snprintf(p, strlen(path) + 3, "./%s", path);
	} else
		p = la_xstrdup(path);
	if (strcmp(path, ":memory:") == 0 || !sqlite_was_opened(path))
		flags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(p, &db->h, flags, NULL);
	if (db->h != NULL)
		sqlite3_extended_result_codes(db->h, 1);
	if (rc == SQLITE_OK && strcmp(path, ":memory:") != 0 &&
	    stat(p, &st) == 0) {
		db->path = p;
		db->dev = st.st_dev;
		db->ino = st.st_ino;
		p = NULL;
	}
	free(p);
	return (rc);
}

static struct la_db *
sqlite_open(const struct la_dburl *u, char *err, size_t errlen)
{
	struct la_db *db;
	int busy_ms, rc;

	if (u->path == NULL || *u->path == '\0') {
		snprintf(err, errlen, "sqlite: no database file in the URL");
		return (NULL);
	}
	if (sqlite_busy_ms(u, &busy_ms, err, errlen) == -1)
		return (NULL);
	db = la_xcalloc(1, sizeof(*db));
	if ((rc = sqlite_open_file(db, u->path)) == SQLITE_OK)
		rc = sqlite_pragmas(db, u->path, busy_ms);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "sqlite: cannot open %s: %s", u->path,
		    db->h != NULL ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		sqlite_close(db);
		return (NULL);
	}
	return (db);
}

const struct la_db_driver la_db_sqlite_driver = {
    .name = "sqlite",
    .kind = LA_DB_SQLITE,
    .dialect = LA_DIALECT_SQLITE,
    .open = sqlite_open,
    .close = sqlite_close,
    .version = sqlite_version,
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .set_timeout = sqlite_set_timeout,
    .table_exists = la_db_sqlite_reflect_exists,
    .reflect = la_db_sqlite_reflect,
    .prepare = la_db_sqlite_prepare,
    .finalize = la_db_sqlite_finalize,
    .run = la_db_sqlite_run,
    .next = la_db_sqlite_next,
    .column = la_db_sqlite_column,
    .row = sqlite_row,
    .finish = la_db_sqlite_finish,
    .ncols = sqlite_ncols,
    .colname = sqlite_colname,
    .readonly = sqlite_readonly,
    .nparams = sqlite_nparams,
    .changes = sqlite_changes,
    .last_id = sqlite_last_id,
    .ping = sqlite_ping,
    .writable = sqlite_writable,
    .errmsg = sqlite_errmsg,
    .rawmsg = sqlite_rawmsg,
    .errcode = sqlite_errcode,
};
