/*
 * The database layer in front of the drivers (see db.h): driver selection
 * and connection set-up, the shared statement cache, transactions,
 * timing, and the cleanup hooks that tie statements and transactions to
 * the request arena. Which drivers exist is decided at build time
 * (configure finds the client libraries); a URL naming a database whose
 * driver was left out gets a clear error, not a crash.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "arena.h"
#include "la.h"
#include "stmtcache.h"
#include "xalloc.h"

/* Distinct statements kept per connection: a worker's endpoints use a few
 * dozen; lists with many filter combinations cycle through the rest. */
#define DB_CACHE_MAX 128

static const struct la_db_driver *const db_drivers[] = {
#ifdef HAVE_SQLITE
    &la_db_sqlite_driver,
#endif
#ifdef HAVE_PGSQL
    &la_db_pgsql_driver,
#endif
#ifdef HAVE_MYSQL
    &la_db_mysql_driver,
#endif
    NULL};

/* Built by the preprocessor so -V needs no buffer; the first byte is ' '. */
static const char db_names[] = ""
#ifdef HAVE_SQLITE
                               " sqlite"
#endif
#ifdef HAVE_PGSQL
                               " postgresql"
#endif
#ifdef HAVE_MYSQL
                               " mysql"
#endif
    ;

const struct la_db_driver *
la_db_driver_for(enum la_dbkind kind)
{
	size_t i;

	for (i = 0; db_drivers[i] != NULL; i++)
		if (db_drivers[i]->kind == kind)
			return (db_drivers[i]);
	return (NULL);
}

const char *
la_db_drivers(void)
{
	return (db_names[0] == '\0' ? db_names : db_names + 1);
}

static const char *
db_kind_name(enum la_dbkind kind)
{
	switch (kind) {
	case LA_DB_SQLITE:
		return ("sqlite");
	case LA_DB_PGSQL:
		return ("postgresql");
	case LA_DB_MYSQL:
		return ("mysql");
	}
	return ("unknown database");
}

/* The parsed URL holds the password: do not leave it in freed memory. */
static void
db_wipe(const char *s)
{
	volatile char *p = (volatile char *)s;

	if (p == NULL)
		return;
	while (*p != '\0')
		*p++ = '\0';
}

/* The value-kind table of db.h; every driver must keep to it. */
static const enum la_vkind db_kinds[] = {
    [LA_T_NONE] = LA_V_NULL,
    [LA_T_STR] = LA_V_TEXT,
    [LA_T_TEXT] = LA_V_TEXT,
    [LA_T_INT] = LA_V_INT,
    [LA_T_FLOAT] = LA_V_FLOAT,
    [LA_T_BOOL] = LA_V_INT,
    [LA_T_DATETIME] = LA_V_TEXT,
    [LA_T_DATE] = LA_V_TEXT,
    [LA_T_DECIMAL] = LA_V_TEXT,
    [LA_T_UUID] = LA_V_TEXT,
    [LA_T_JSON] = LA_V_TEXT,
    [LA_T_TIME] = LA_V_TEXT,
    [LA_T_ANY] = LA_V_NULL,
};

enum la_vkind
la_db_kind_of(enum la_type t)
{
	if ((unsigned)t >= LA_NELEM(db_kinds))
		return (LA_V_NULL);
	return (db_kinds[t]);
}

/* ---- statements ----------------------------------------------------- */

struct la_db_stmt {
	struct la_db_conn *c;
	struct la_db_rstmt *rs;
	int active;             /* between a run that gave a row and its end */
	struct db_guard *guard; /* in the arena of the current run, or NULL */
};

/* An arena's hold on a running statement; st is NULL once it ended. */
struct db_guard {
	struct la_db_stmt *st;
};

/* Ties an open transaction to an arena; c is NULL once it ended. */
struct la_db_txguard {
	struct la_db_conn *c;
};

static int64_t
db_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

static void
db_timed(struct la_db_conn *c, int64_t t0)
{
	int64_t d = db_now_ns() - t0;

	c->timing.ns += d;
	if (d > c->timing.max_ns)
		c->timing.max_ns = d;
}

/* Who is told of every result (metrics): a hook, so that the database
 * layer depends on nothing above it. */
static void (*db_observer)(int rc);

void
la_db_observe(void (*fn)(int rc))
{
	db_observer = fn;
}

/* Every result passes here: a lost server is remembered for reconnect. */
static int
db_result(struct la_db_conn *c, int rc)
{
	if (rc == LA_DB_EUNAVAIL)
		c->lost = 1;
	if (db_observer != NULL)
		db_observer(rc);
	return (rc);
}

static int
db_stmt_busy(void *p)
{
	return (((struct la_db_stmt *)p)->active);
}

static void
db_stmt_release(void *p, void *arg)
{
	struct la_db_stmt *st = p;

	(void)arg;
	if (st->active)
		st->c->drv->finish(st->rs);
	if (st->guard != NULL)
		st->guard->st = NULL;
	st->c->drv->finalize(st->rs);
	free(st);
}

static const struct la_stmtcache_ops db_cache_ops = {db_stmt_busy,
    db_stmt_release};

static struct la_db_stmt *
db_prepare(struct la_db_conn *c, const char *sql, size_t len, uint64_t hash)
{
	struct la_db_stmt *st = la_stmtcache_find(c->cache, sql, len, hash);
	struct la_db_rstmt *rs;

	if (st != NULL)
		return (st);
	if ((rs = c->drv->prepare(c->db, sql)) == NULL) {
		db_result(c, c->drv->errcode(c->db));
		return (NULL);
	}
	st = la_xcalloc(1, sizeof(*st));
	st->c = c;
	st->rs = rs;
	la_stmtcache_put(c->cache, sql, st);
	return (st);
}

static void
db_guard_fire(void *arg)
{
	struct db_guard *g = arg;

	if (g->st != NULL)
		la_db_finish(g->st);
}

static void
db_guard(struct la_db_stmt *st, struct la_arena *a)
{
	if (a == NULL)
		return;
	st->guard = la_arena_alloc(a, sizeof(*st->guard));
	st->guard->st = st;
	la_arena_cleanup(a, db_guard_fire, st->guard);
}

static void
db_end(struct la_db_stmt *st)
{
	st->active = 0;
	if (st->guard != NULL) {
		st->guard->st = NULL;
		st->guard = NULL;
	}
}

int
la_db_query(struct la_db_conn *c, struct la_arena *a, const char *sql,
    const struct la_value *params, size_t nparams, struct la_db_stmt **stp)
{
	size_t len = strlen(sql);

	return (la_db_query_hashed(c, a, sql, len, la_stmtcache_hash(sql, len),
	    params, nparams, stp));
}

int
la_db_query_hashed(struct la_db_conn *c, struct la_arena *a, const char *sql,
    size_t len, uint64_t hash, const struct la_value *params, size_t nparams,
    struct la_db_stmt **stp)
{
	struct la_db_stmt *st;
	int64_t t0;
	int rc;

	if ((*stp = st = db_prepare(c, sql, len, hash)) == NULL)
		return (c->drv->errcode(c->db));
	if (st->active)
		la_db_finish(st);
	t0 = db_now_ns();
	rc = c->drv->run(st->rs, params, nparams);
	db_timed(c, t0);
	c->timing.calls++;
	if (rc == LA_DB_ROW) {
		st->active = 1;
		db_guard(st, a);
	}
	return (db_result(c, rc));
}

int
la_db_next(struct la_db_stmt *st)
{
	int64_t t0;
	int rc;

	if (!st->active)
		return (LA_DB_DONE);
	t0 = db_now_ns();
	rc = st->c->drv->next(st->rs);
	db_timed(st->c, t0);
	if (rc != LA_DB_ROW)
		db_end(st);
	return (db_result(st->c, rc));
}

void
la_db_column(struct la_db_stmt *st, int i, struct la_value *v)
{
	st->c->drv->column(st->rs, i, v);
}

void
la_db_row(struct la_db_stmt *st, int n, struct la_value *v)
{
	int i;

	if (st->c->drv->row != NULL) {
		st->c->drv->row(st->rs, n, v);
		return;
	}
	for (i = 0; i < n; i++)
		st->c->drv->column(st->rs, i, &v[i]);
}

int
la_db_ncols(struct la_db_stmt *st)
{
	return (st->c->drv->ncols(st->rs));
}

const char *
la_db_colname(struct la_db_stmt *st, int i)
{
	return (st->c->drv->colname(st->rs, i));
}

int
la_db_check(struct la_db_conn *c, const char *sql, int *readonly, int *nparams)
{
	const struct la_db_driver *d = c->drv;
	struct la_db_rstmt *rs;

	*readonly = *nparams = -1;
	if ((rs = d->prepare(c->db, sql)) == NULL)
		return (db_result(c, d->errcode(c->db)));
	if (d->readonly != NULL)
		*readonly = d->readonly(rs);
	if (d->nparams != NULL)
		*nparams = d->nparams(rs);
	d->finalize(rs);
	return (LA_DB_DONE);
}

void
la_db_finish(struct la_db_stmt *st)
{
	if (st == NULL)
		return;
	st->c->drv->finish(st->rs);
	db_end(st);
}

int64_t
la_db_changes(struct la_db_conn *c)
{
	return (c->drv->changes(c->db));
}

int64_t
la_db_last_id(struct la_db_conn *c)
{
	return (c->drv->last_id(c->db));
}

/* ---- transactions --------------------------------------------------- */

static void
db_tx_fire(void *arg)
{
	struct la_db_txguard *g = arg;

	if (g->c != NULL)
		(void)la_db_rollback(g->c);
}

static int
db_tx_call(struct la_db_conn *c, int (*fn)(struct la_db *))
{
	int64_t t0 = db_now_ns();
	int rc = fn(c->db);

	db_timed(c, t0);
	c->timing.calls++;
	return (db_result(c, rc));
}

int
la_db_begin(struct la_db_conn *c, struct la_arena *a)
{
	int rc;

	if ((rc = db_tx_call(c, c->drv->begin)) != LA_DB_DONE)
		return (rc);
	if (a != NULL) {
		c->tx = la_arena_alloc(a, sizeof(*c->tx));
		c->tx->c = c;
		la_arena_cleanup(a, db_tx_fire, c->tx);
	}
	return (rc);
}

static void
db_tx_end(struct la_db_conn *c)
{
	if (c->tx != NULL) {
		c->tx->c = NULL;
		c->tx = NULL;
	}
}

int
la_db_commit(struct la_db_conn *c)
{
	db_tx_end(c);
	return (db_tx_call(c, c->drv->commit));
}

int
la_db_rollback(struct la_db_conn *c)
{
	db_tx_end(c);
	return (db_tx_call(c, c->drv->rollback));
}

/* ---- the rest of the driver, timed and error-tracked ----------------- */

int
la_db_exec(struct la_db_conn *c, const char *sql)
{
	int64_t t0 = db_now_ns();
	int rc = c->drv->exec(c->db, sql);

	db_timed(c, t0);
	c->timing.calls++;
	return (db_result(c, rc));
}

int
la_db_table_exists(struct la_db_conn *c, const char *table)
{
	return (db_result(c, c->drv->table_exists(c->db, table)));
}

int
la_db_reflect(struct la_db_conn *c, const char *table, struct la_arena *a,
    struct la_col_def **cols, size_t *ncols)
{
	return (db_result(c, c->drv->reflect(c->db, table, a, cols, ncols)));
}

int
la_db_ping(struct la_db_conn *c)
{
	return (db_result(c, c->drv->ping(c->db)));
}

int
la_db_writable(struct la_db_conn *c)
{
	if (c->drv->writable == NULL)
		return (la_db_ping(c));
	return (db_result(c, c->drv->writable(c->db)));
}

/* Without a connection (connecting failed) there is no driver error. */
const char *
la_db_errmsg(const struct la_db_conn *c)
{
	if (c->drv == NULL || c->db == NULL)
		return ("not connected");
	return (c->drv->errmsg(c->db));
}

const char *
la_db_rawmsg(const struct la_db_conn *c)
{
	if (c->drv == NULL || c->db == NULL)
		return ("not connected");
	return (c->drv->rawmsg(c->db));
}

int
la_db_errcode(const struct la_db_conn *c)
{
	return (c->drv->errcode(c->db));
}

enum la_dialect
la_db_dialect(const struct la_db_conn *c)
{
	return (c->drv->dialect);
}

int
la_db_returning(const struct la_db_conn *c, enum la_dialect_verb verb)
{
	return (la_dialect_returning(c->drv->dialect, verb, c->version));
}

void
la_db_set_timeout(struct la_db_conn *c, int ms)
{
	c->timeout_ms = ms;
	if (c->drv != NULL)
		c->drv->set_timeout(c->db, ms);
}

void
la_db_timing_reset(struct la_db_conn *c)
{
	memset(&c->timing, 0, sizeof(c->timing));
}

/* ---- connections ---------------------------------------------------- */

int
la_db_connect(struct la_db_conn *c, const char *url, char *err, size_t errlen)
{
	struct la_arena *a = la_arena_new(1024);
	struct la_dburl u;
	const struct la_db_driver *drv;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&u, 0, sizeof(u));
	if (la_dburl_parse(url, &u, a, err, errlen) == -1)
		goto done;
	if ((drv = la_db_driver_for(u.kind)) == NULL) {
		snprintf(err, errlen, "no driver for %s in this build",
		    db_kind_name(u.kind));
		goto done;
	}
	if ((c->db = drv->open(&u, err, errlen)) == NULL)
		goto done;
	c->drv = drv;
	c->cache = la_stmtcache_new(DB_CACHE_MAX, &db_cache_ops, NULL);
	c->version = drv->version(c->db);
	rc = 0;
done:
	db_wipe(u.password);
	la_arena_free(a);
	return (rc);
}

/* Statements first: a driver cannot close a handle with live ones. */
void
la_db_disconnect(struct la_db_conn *c)
{
	db_tx_end(c);
	la_stmtcache_free(c->cache);
	c->cache = NULL;
	if (c->drv != NULL && c->db != NULL)
		c->drv->close(c->db);
	c->drv = NULL;
	c->db = NULL;
}

int
la_db_ensure(struct la_db_conn *c, const char *url, char *err, size_t errlen)
{
	int ms = c->timeout_ms;

	if (c->drv != NULL && !c->lost)
		return (0);
	la_db_disconnect(c);
	if (la_db_connect(c, url, err, errlen) != 0) {
		c->timeout_ms = ms;
		return (-1);
	}
	if (ms > 0)
		la_db_set_timeout(c, ms);
	return (0);
}

void
la_db_mark_lost(struct la_db_conn *c)
{
	c->lost = 1;
}

static struct la_shmlock *db_write_lock;

void
la_db_set_write_lock(struct la_shmlock *m)
{
	db_write_lock = m;
}

struct la_shmlock *
la_db_write_lock(void)
{
	return (db_write_lock);
}
