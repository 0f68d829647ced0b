/*
 * The SQLite driver. A connection keeps its prepared statements in a small
 * cache keyed by SQL text (chained hash plus LRU list), because a worker
 * runs the same few statements for every request and preparing costs more
 * than running them. Constraint errors are recognised from the extended
 * result codes and rewritten for clients; the SQLite text is kept for the
 * log. Reflection reads the pragma table-valued functions with the table
 * name bound, never formatted into SQL.
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

#include <sqlite3.h>

#include "db.h"
#include "arena.h"
#include "buf.h"
#include "la.h"
#include "str.h"
#include "shmlock.h"
#include "xalloc.h"

#define STMT_CACHE_MAX     128
#define STMT_CACHE_BUCKETS 256 /* power of two, twice the entries */
#define BUSY_TIMEOUT_MS    5000

struct la_db_stmt {
	struct la_db *db;
	sqlite3_stmt *st;
	char *sql;
	uint64_t hash;
	struct la_db_stmt *hnext;       /* bucket chain */
	struct la_db_stmt *prev, *next; /* LRU list, most recent first */
	int active;                     /* between run() and DONE/finish() */
	int locked;                     /* holds the workers' write lock */
};

struct la_db {
	sqlite3 *h;
	int busy_ms;        /* how long a write waits for the lock */
	int64_t busy_since; /* when the current wait began, ms */
	struct la_db_stmt *bucket[STMT_CACHE_BUCKETS];
	struct la_db_stmt *mru, *lru;
	size_t nstmt;
	int err;
	char msg[256];
	char raw[512];
};

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
static int
sqlite_fail(struct la_db *db, const char *msg)
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

/* ---- statement cache ----------------------------------------------- */

/* FNV-1a: short SQL strings, no adversary (the text is ours). */
static uint64_t
sqlite_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h);
}

static void
sqlite_lru_unlink(struct la_db *db, struct la_db_stmt *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		db->mru = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		db->lru = s->prev;
	s->prev = s->next = NULL;
}

static void
sqlite_lru_push(struct la_db *db, struct la_db_stmt *s)
{
	s->prev = NULL;
	s->next = db->mru;
	if (db->mru != NULL)
		db->mru->prev = s;
	db->mru = s;
	if (db->lru == NULL)
		db->lru = s;
}

static void
sqlite_stmt_free(struct la_db_stmt *s)
{
	sqlite3_finalize(s->st);
	free(s->sql);
	free(s);
}

static void
sqlite_cache_remove(struct la_db *db, struct la_db_stmt *s)
{
	struct la_db_stmt **pp;

	pp = &db->bucket[s->hash & (STMT_CACHE_BUCKETS - 1)];
	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	sqlite_lru_unlink(db, s);
	db->nstmt--;
	sqlite_stmt_free(s);
}

/* Drops the least recently used statement that nobody is reading. */
static void
sqlite_cache_evict(struct la_db *db)
{
	struct la_db_stmt *s;

	for (s = db->lru; s != NULL; s = s->prev) {
		if (!s->active) {
			sqlite_cache_remove(db, s);
			return;
		}
	}
}

static struct la_db_stmt *
sqlite_cache_find(struct la_db *db, const char *sql, uint64_t h)
{
	struct la_db_stmt *s;

	for (s = db->bucket[h & (STMT_CACHE_BUCKETS - 1)]; s != NULL;
	     s = s->hnext)
		if (s->hash == h && strcmp(s->sql, sql) == 0)
			return (s);
	return (NULL);
}

static void
sqlite_cache_add(struct la_db *db, struct la_db_stmt *s)
{
	struct la_db_stmt **b = &db->bucket[s->hash & (STMT_CACHE_BUCKETS - 1)];

	if (db->nstmt >= STMT_CACHE_MAX)
		sqlite_cache_evict(db);
	s->hnext = *b;
	*b = s;
	sqlite_lru_push(db, s);
	db->nstmt++;
}

static struct la_db_stmt *
sqlite_prepare(struct la_db *db, const char *sql)
{
	struct la_db_stmt *s;
	sqlite3_stmt *st;
	uint64_t h = sqlite_hash(sql);
	int rc;

	if ((s = sqlite_cache_find(db, sql, h)) != NULL) {
		sqlite_lru_unlink(db, s);
		sqlite_lru_push(db, s);
		return (s);
	}
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL);
	if (rc != SQLITE_OK) {
		sqlite_error(db, rc);
		return (NULL);
	}
	if (st == NULL) {
		sqlite_fail(db, "empty SQL statement");
		return (NULL);
	}
	s = la_xcalloc(1, sizeof(*s));
	s->db = db;
	s->st = st;
	s->sql = la_xstrdup(sql);
	s->hash = h;
	sqlite_cache_add(db, s);
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
sqlite_step(struct la_db_stmt *s)
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
 * Writers queue on the workers' shared lock rather than poll SQLite's.
 * An owner that died mid-write left nothing half done (SQLite rolled its
 * transaction back), so a dead owner needs no repair; and if the lock
 * fails, SQLite's own busy handling still keeps writers apart.
 */
static void
sqlite_lock(struct la_db_stmt *s)
{
	struct la_shmlock *m = la_db_write_lock();
	int rc;

	if (m != NULL && !sqlite3_stmt_readonly(s->st)) {
		rc = la_shmlock_lock(m);
		if (rc == LA_SHMLOCK_OWNER_DIED)
			la_shmlock_consistent(m);
		s->locked = rc >= 0;
	}
}

static void
sqlite_unlock(struct la_db_stmt *s)
{
	if (s->locked) {
		la_shmlock_unlock(la_db_write_lock());
		s->locked = 0;
	}
}

static int
sqlite_run(struct la_db_stmt *s, const struct la_value *params, size_t nparams)
{
	size_t i;
	int rc;

	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->active = 0;
	if (nparams > (size_t)sqlite3_bind_parameter_count(s->st))
		return (sqlite_fail(s->db, "too many parameters"));
	for (i = 0; i < nparams; i++) {
		rc = sqlite_bind(s->st, (int)i + 1, &params[i]);
		if (rc != SQLITE_OK)
			return (sqlite_error(s->db, rc));
	}
	s->active = 1;
	sqlite_lock(s);
	rc = sqlite_step(s);
	if (rc != LA_DB_ROW)
		sqlite_unlock(s);
	return (rc);
}

static int
sqlite_next(struct la_db_stmt *s)
{
	/* Stepping a reset statement would silently run it again. */
	int rc;

	if (!s->active)
		return (LA_DB_DONE);
	if ((rc = sqlite_step(s)) != LA_DB_ROW)
		sqlite_unlock(s);
	return (rc);
}

static void
sqlite_column(struct la_db_stmt *s, int i, struct la_value *v)
{
	const void *p;

	*v = LA_VALUE_NULL;
	if (!s->active || i < 0 || i >= sqlite3_column_count(s->st))
		return;
	switch (sqlite3_column_type(s->st, i)) {
	case SQLITE_INTEGER:
		*v = la_value_int(sqlite3_column_int64(s->st, i));
		break;
	case SQLITE_FLOAT:
		*v = la_value_float(sqlite3_column_double(s->st, i));
		break;
	case SQLITE_TEXT:
		p = sqlite3_column_text(s->st, i);
		*v = la_value_text(p != NULL ? p : "",
		    (size_t)sqlite3_column_bytes(s->st, i));
		break;
	case SQLITE_BLOB:
		p = sqlite3_column_blob(s->st, i);
		*v = la_value_text(p != NULL ? p : "",
		    (size_t)sqlite3_column_bytes(s->st, i));
		break;
	}
}

static void
sqlite_finish(struct la_db_stmt *s)
{
	sqlite_unlock(s);
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
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
static int
sqlite_query1(struct la_db *db, const char *sql, const char *arg)
{
	struct la_db_stmt *s;
	struct la_value v;
	int rc;

	if ((s = sqlite_prepare(db, sql)) == NULL)
		return (db->err);
	v = la_value_text(arg, arg != NULL ? strlen(arg) : 0);
	rc = sqlite_run(s, &v, arg != NULL ? 1 : 0);
	sqlite_finish(s);
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
	int rc = sqlite_query1(db, "SELECT count(*) FROM sqlite_master", NULL);

	return (rc == LA_DB_ROW ? LA_DB_DONE : rc);
}

/* Identifiers are case-insensitive (ASCII) in SQLite, hence NOCASE. */
static int
sqlite_table_exists(struct la_db *db, const char *table)
{
	int rc = sqlite_query1(db,
	    "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') "
	    "AND name = ?1 COLLATE NOCASE",
	    table);

	if (rc == LA_DB_ROW)
		return (1);
	return (rc == LA_DB_DONE ? 0 : rc);
}

/* ---- reflection ---------------------------------------------------- */

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
sqlite_decimal_args(const char *decl, struct la_col_def *d)
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
sqlite_map_type(const char *decl, struct la_col_def *d)
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
		sqlite_decimal_args(decl, d);
}

/* A growable array of definitions on the heap, copied to the arena. */
struct sqlite_cols {
	struct la_buf buf;
	size_t n;
	int npk;
};

static struct la_col_def *
sqlite_col_at(struct sqlite_cols *c, size_t i)
{
	return ((struct la_col_def *)(void *)c->buf.data + i);
}

static struct la_col_def *
sqlite_col_find(struct sqlite_cols *c, const char *name, size_t len)
{
	size_t i;
	struct la_col_def *d;

	for (i = 0; i < c->n; i++) {
		d = sqlite_col_at(c, i);
		if (strlen(d->name) == len &&
		    strncasecmp(d->name, name, len) == 0)
			return (d);
	}
	return (NULL);
}

static char *
sqlite_text(struct la_db_stmt *s, int i, struct la_arena *a)
{
	struct la_value v;

	sqlite_column(s, i, &v);
	if (v.kind == LA_V_NULL)
		return (NULL);
	if (v.kind != LA_V_TEXT)
		return (la_arena_strdup(a, ""));
	return (la_arena_strndup(a, v.s, v.len));
}

static void
sqlite_col_row(struct la_db_stmt *s, struct sqlite_cols *c, struct la_arena *a)
{
	struct la_col_def d;
	const char *decl;

	la_col_def_init(&d, sqlite_text(s, 0, a), LA_T_ANY);
	decl = sqlite_text(s, 1, a);
	d.sqltype = decl != NULL ? decl : "";
	sqlite_map_type(d.sqltype, &d);
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
sqlite_reflect_cols(struct la_db *db, const char *table, struct sqlite_cols *c,
    struct la_arena *a)
{
	struct la_db_stmt *s;
	struct la_value v = la_value_text(table, strlen(table));
	char msg[200];
	int rc;

	s = sqlite_prepare(db, "SELECT name, type, \"notnull\", dflt_value, pk "
	                       "FROM pragma_table_info(?1) ORDER BY cid");
	if (s == NULL)
		return (db->err);
	for (rc = sqlite_run(s, &v, 1); rc == LA_DB_ROW; rc = sqlite_next(s))
		sqlite_col_row(s, c, a);
	sqlite_finish(s);
	if (rc == LA_DB_DONE && c->n == 0) {
		snprintf(msg, sizeof(msg), "no such table: %s", table);
		return (sqlite_fail(db, msg));
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
sqlite_reflect_pk(struct la_db *db, const char *table, struct sqlite_cols *c)
{
	struct la_col_def *d = NULL;
	size_t i;
	int rc;

	for (i = 0; i < c->n; i++) {
		if (c->npk != 1)
			sqlite_col_at(c, i)->flags &= ~LA_COL_PK;
		else if (sqlite_col_at(c, i)->flags & LA_COL_PK)
			d = sqlite_col_at(c, i);
	}
	if (d == NULL || strcasecmp(d->sqltype, "INTEGER") != 0)
		return (LA_DB_DONE);
	rc = sqlite_query1(db,
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
sqlite_reflect_unique(struct la_db *db, const char *table,
    struct sqlite_cols *c)
{
	struct la_db_stmt *s;
	struct la_value v = la_value_text(table, strlen(table)), col;
	struct la_col_def *d;
	int rc;

	s = sqlite_prepare(db, "SELECT (SELECT name FROM pragma_index_info("
	                       "il.name)) FROM pragma_index_list(?1) AS il "
	                       "WHERE il.\"unique\" AND NOT il.partial AND "
	                       "(SELECT count(*) FROM pragma_index_info("
	                       "il.name)) = 1");
	if (s == NULL)
		return (db->err);
	for (rc = sqlite_run(s, &v, 1); rc == LA_DB_ROW; rc = sqlite_next(s)) {
		sqlite_column(s, 0, &col);
		if (col.kind != LA_V_TEXT)
			continue; /* an expression index */
		if ((d = sqlite_col_find(c, col.s, col.len)) != NULL)
			d->flags |= LA_COL_UNIQUE;
	}
	sqlite_finish(s);
	return (rc);
}

/*
 * Single-column foreign keys; a reference without a column ("to" is NULL)
 * means the target's primary key. Composite keys fit no column definition.
 */
static int
sqlite_reflect_fks(struct la_db *db, const char *table, struct sqlite_cols *c,
    struct la_arena *a)
{
	struct la_db_stmt *s;
	struct la_value v = la_value_text(table, strlen(table)), col;
	struct la_col_def *d;
	int rc;

	s = sqlite_prepare(db,
	    "SELECT fk.\"from\", fk.\"table\", coalesce(fk.\"to\", (SELECT "
	    "name FROM pragma_table_info(fk.\"table\") WHERE pk = 1)) FROM "
	    "pragma_foreign_key_list(?1) AS fk WHERE (SELECT count(*) FROM "
	    "pragma_foreign_key_list(?1) AS o WHERE o.id = fk.id) = 1");
	if (s == NULL)
		return (db->err);
	for (rc = sqlite_run(s, &v, 1); rc == LA_DB_ROW; rc = sqlite_next(s)) {
		sqlite_column(s, 0, &col);
		if (col.kind != LA_V_TEXT ||
		    sqlite3_column_type(s->st, 2) == SQLITE_NULL ||
		    (d = sqlite_col_find(c, col.s, col.len)) == NULL)
			continue;
		d->fk_table = sqlite_text(s, 1, a);
		d->fk_col = sqlite_text(s, 2, a);
	}
	sqlite_finish(s);
	return (rc);
}

static int
sqlite_reflect(struct la_db *db, const char *table, struct la_arena *a,
    struct la_col_def **cols, size_t *ncols)
{
	struct sqlite_cols c;
	int rc;

	memset(&c, 0, sizeof(c));
	la_buf_init(&c.buf);
	*cols = NULL;
	*ncols = 0;
	if ((rc = sqlite_reflect_cols(db, table, &c, a)) != LA_DB_DONE ||
	    (rc = sqlite_reflect_pk(db, table, &c)) != LA_DB_DONE ||
	    (rc = sqlite_reflect_unique(db, table, &c)) != LA_DB_DONE ||
	    (rc = sqlite_reflect_fks(db, table, &c, a)) != LA_DB_DONE)
		goto done;
	*cols = la_arena_alloc(a, c.n * sizeof(**cols));
	memcpy(*cols, c.buf.data, c.n * sizeof(**cols));
	*ncols = c.n;
done:
	la_buf_free(&c.buf);
	return (rc);
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
	while (db->mru != NULL)
		sqlite_cache_remove(db, db->mru);
	sqlite3_close(db->h);
	free(db);
}

/*
 * URI filenames are on in Debian's build; a relative file literally named
 * "file:..." must stay a file name, so it is opened as "./file:...".
 */
static int
sqlite_open_file(struct la_db *db, const char *path)
{
	char *p = NULL;
	int rc;

	if (strncmp(path, "file:", 5) == 0) {
		p = la_xmalloc(strlen(path) + 3);
		snprintf(p, strlen(path) + 3, "./%s", path);
	}
	rc = sqlite3_open_v2(p != NULL ? p : path, &db->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	free(p);
	if (db->h != NULL)
		sqlite3_extended_result_codes(db->h, 1);
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
    .exec = sqlite_exec,
    .table_exists = sqlite_table_exists,
    .reflect = sqlite_reflect,
    .prepare = sqlite_prepare,
    .run = sqlite_run,
    .next = sqlite_next,
    .column = sqlite_column,
    .finish = sqlite_finish,
    .changes = sqlite_changes,
    .last_id = sqlite_last_id,
    .ping = sqlite_ping,
    .errmsg = sqlite_errmsg,
    .rawmsg = sqlite_rawmsg,
    .errcode = sqlite_errcode,
};
