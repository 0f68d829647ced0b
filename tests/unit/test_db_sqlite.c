/*
 * The SQLite driver and the layer in front of it, against ":memory:" and a
 * file in a temporary directory: tables created from our DDL, value round
 * trips, the value kind of every catalog type (db.h's table), the
 * statement cache, constraint errors and their client messages,
 * reflection of hand-written tables, transactions and the arena hooks,
 * timing, the statement timeout and reconnecting, WAL and busy handling,
 * and driver selection.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "ddl.h"
#include "la.h"
#include "tap.h"

static const struct la_db_driver *drv = &la_db_sqlite_driver;
static char tmpdir[] = "/tmp/test_db_sqlite.XXXXXX";

/* ---- helpers ------------------------------------------------------- */

static int
open_url(const char *url, struct la_db_conn *c)
{
	char err[256];

	if (la_db_connect(c, url, err, sizeof(err)) == -1) {
		diag("connect %s: %s", url, err);
		return (-1);
	}
	return (0);
}

static int
exec(struct la_db_conn *db, const char *sql)
{
	int rc = la_db_exec(db, sql);

	if (rc != LA_DB_DONE)
		diag("exec: %s", la_db_rawmsg(db));
	return (rc);
}

/* Runs sql once with params; the first row's column 0 goes to *out. */
static int
run(struct la_db_conn *db, const char *sql, const struct la_value *p, size_t n,
    struct la_value *out)
{
	struct la_db_stmt *st;
	int rc = la_db_query(db, NULL, sql, p, n, &st);

	if (rc == LA_DB_ROW && out != NULL)
		la_db_column(st, 0, out);
	la_db_finish(st);
	return (rc);
}

/* An integer result of a one-row query. */
static int64_t
query_int(struct la_db_conn *db, const char *sql)
{
	struct la_db_stmt *st;
	struct la_value v = LA_VALUE_NULL;

	if (la_db_query(db, NULL, sql, NULL, 0, &st) == LA_DB_ROW)
		la_db_column(st, 0, &v);
	la_db_finish(st);
	return (v.kind == LA_V_INT ? v.i : -999);
}

static int
text_is(const struct la_value *v, const char *s, size_t len)
{
	if (v->kind != LA_V_TEXT || v->len != len)
		return (0);
	return (memcmp(v->s, s, len) == 0);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* ---- driver selection ---------------------------------------------- */

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#endif

/* After the first open, SQLite's blocks come from db_sqlite_mem.c: small
 * ones rounded to their class, reused in place, large ones exact. */
static void
test_mem(void)
{
#ifndef TEST_SANITIZED
	char *p = sqlite3_malloc(40), *q, *big;

	is_int(sqlite3_msize(p), 64, "small block: its class");
	memcpy(p, "0123456789", 11);
	q = sqlite3_realloc(p, 60);
	ok(q == p, "grown within its class: in place");
	q = sqlite3_realloc(q, 100);
	is_int(sqlite3_msize(q), 128, "grown past it: the next class");
	is_str(q, "0123456789", "content kept");
	sqlite3_free(q);
	p = sqlite3_malloc(65);
	ok(p == q, "a freed block is reused");
	big = sqlite3_malloc(5000);
	is_int(sqlite3_msize(big), 5000, "large block: exact");
	big = sqlite3_realloc(big, 9000);
	is_int(sqlite3_msize(big), 9000, "large block grown");
	sqlite3_free(big);
	sqlite3_free(p);
	is_int(sqlite3_msize(NULL), 0, "NULL has no size");
#else
	ok(1, "sanitized build: SQLite keeps malloc's blocks");
#endif
}

static void
test_drivers(void)
{
	struct la_db_conn c;
	char err[256];

	/* Every driver configure found, in db.c's order. */
	is_str(la_db_drivers(),
	    "sqlite"
#ifdef HAVE_PGSQL
	    " postgresql"
#endif
#ifdef HAVE_MYSQL
	    " mysql"
#endif
	    ,
	    "compiled drivers");
	ok(la_db_driver_for(LA_DB_SQLITE) == drv, "driver for sqlite");
	is_int(drv->dialect, LA_DIALECT_SQLITE, "dialect");
	err[0] = '\0';
#ifndef HAVE_PGSQL
	ok(la_db_driver_for(LA_DB_PGSQL) == NULL, "no pgsql driver");
	is_int(la_db_connect(&c, "postgresql://u:p@localhost/db", err,
	           sizeof(err)),
	    -1, "postgresql URL refused");
	is_str(err, "no driver for postgresql in this build",
	    "missing driver named");
#else
	/* With the driver built, a server that is not there is the error. */
	ok(la_db_driver_for(LA_DB_PGSQL) != NULL, "pgsql driver");
	is_int(la_db_connect(&c, "postgresql://u:p@/db?host=/nonexistent", err,
	           sizeof(err)),
	    -1, "postgresql URL refused");
	ok(strstr(err, "cannot connect") != NULL && strstr(err, ":p@") == NULL,
	    "unreachable server named, password not");
#endif
	ok(c.drv == NULL && c.db == NULL, "connection left empty");
	is_int(la_db_connect(&c, "sqlite:///:memory:", err, sizeof(err)), 0,
	    "connect :memory:");
	ok(c.drv == drv && c.db != NULL, "connection has driver and handle");
	is_int(la_db_ping(&c), LA_DB_DONE, "ping");
	la_db_disconnect(&c);
	ok(c.drv == NULL && c.db == NULL, "disconnect clears");
	la_db_disconnect(&c);
	ok(1, "disconnect twice is harmless");
}

/* ---- tables from our DDL ------------------------------------------- */

#define NTYPES 15

static void
make_all_types(struct la_col_def *c)
{
	static const struct {
		const char *name;
		enum la_type type;
		uint32_t flags;
	} f[NTYPES] = {
	    {"s", LA_T_STR, LA_COL_UNIQUE},
	    {"t", LA_T_TEXT, LA_COL_INDEX},
	    {"i", LA_T_INT, 0},
	    {"f", LA_T_FLOAT, 0},
	    {"b", LA_T_BOOL, 0},
	    {"dt", LA_T_DATETIME, 0},
	    {"d", LA_T_DATE, 0},
	    {"dec", LA_T_DECIMAL, 0},
	    {"u", LA_T_UUID, 0},
	    {"j", LA_T_JSON, 0},
	    {"n", LA_T_STR, LA_COL_NULLABLE},
	    {"id", LA_T_INT, LA_COL_AUTO | LA_COL_PK},
	    {"created_at", LA_T_DATETIME, LA_COL_AUTO},
	    {"updated_at", LA_T_DATETIME, LA_COL_AUTO},
	    {"version", LA_T_INT, LA_COL_AUTO},
	};
	size_t i;

	for (i = 0; i < NTYPES; i++) {
		la_col_def_init(&c[i], f[i].name, f[i].type);
		c[i].flags = f[i].flags;
	}
	c[7].decimal_places = 2;
}

static void
create_all_types(struct la_db_conn *db)
{
	struct la_col_def c[NTYPES];
	struct la_buf b, idx;

	make_all_types(c);
	la_buf_init(&b);
	la_buf_init(&idx);
	la_ddl_create_table(&b, &idx, LA_DIALECT_SQLITE, "all_types", c,
	    NTYPES);
	is_int(exec(db, b.data), LA_DB_DONE, "create table from DDL");
	is_int(exec(db, idx.data), LA_DB_DONE, "create index from DDL");
	is_int(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = "
	                     "'ix_all_types_t'"),
	    1, "index exists");
	la_buf_free(&b);
	la_buf_free(&idx);
}

#define INSERT_ALL                                                             \
	"INSERT INTO all_types (s, t, i, f, b, dt, d, dec, u, j, n, "          \
	"created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " \
	"?)"

static void
fill_row(struct la_value *p, const char *s, int64_t i)
{
	p[0] = la_value_text(s, strlen(s));
	p[1] = la_value_text("a\0b", 3); /* a NUL inside text survives */
	p[2] = la_value_int(i);
	p[3] = la_value_float(2.5);
	p[4] = la_value_int(1);
	p[5] = la_value_text("2026-11-21T08:51:13.764701", 26);
	p[6] = la_value_text("2026-11-21", 10);
	p[7] = la_value_text("10.50", 5);
	p[8] = la_value_text("0b7c4a1e-3f2d-4a8b-9c1d-2e3f4a5b6c7d", 36);
	p[9] = la_value_text("{\"k\":[1,2]}", 11);
	p[10] = LA_VALUE_NULL;
	p[11] = la_value_text("2026-11-21T08:00:00", 19);
	p[12] = p[11];
}

static void
check_row(struct la_db_stmt *st)
{
	struct la_value v[14];
	int i;

	for (i = 0; i < 14; i++)
		la_db_column(st, i, &v[i]);
	ok(v[0].kind == LA_V_INT && v[0].i == 1, "id read back as int");
	ok(text_is(&v[1], "alpha", 5), "str read back");
	ok(text_is(&v[2], "a\0b", 3), "text with a NUL read back");
	ok(v[3].kind == LA_V_INT && v[3].i == INT64_MIN, "int64 min read back");
	ok(v[4].kind == LA_V_FLOAT && v[4].f == 2.5, "float read back");
	ok(v[5].kind == LA_V_INT && v[5].i == 1, "bool read back as 1");
	ok(text_is(&v[6], "2026-11-21T08:51:13.764701", 26), "datetime text");
	ok(text_is(&v[8], "10.50", 5), "decimal stays text");
	ok(text_is(&v[10], "{\"k\":[1,2]}", 11), "json text");
	ok(v[11].kind == LA_V_NULL, "NULL read back");
	ok(v[13].kind == LA_V_INT && v[13].i == 1, "version defaults to 1");
	la_db_column(st, 14, &v[0]);
	ok(v[0].kind == LA_V_NULL, "column out of range is NULL");
	la_db_column(st, -1, &v[0]);
	ok(v[0].kind == LA_V_NULL, "negative column is NULL");
}

static void
test_round_trip(struct la_db_conn *db)
{
	struct la_value p[13], id = la_value_int(1);
	struct la_db_stmt *st;

	fill_row(p, "alpha", INT64_MIN);
	is_int(run(db, INSERT_ALL, p, 13, NULL), LA_DB_DONE, "insert row");
	is_int(la_db_changes(db), 1, "changes after insert");
	is_int(la_db_last_id(db), 1, "last_id after insert");
	is_int(la_db_query(db, NULL,
	           "SELECT id, s, t, i, f, b, dt, d, dec, u, j, n, "
	           "created_at, version FROM all_types WHERE id = ?",
	           &id, 1, &st),
	    LA_DB_ROW, "select gives a row");
	check_row(st);
	is_int(la_db_next(st), LA_DB_DONE, "one row only");
	is_int(la_db_next(st), LA_DB_DONE, "next after DONE stays DONE");
	la_db_finish(st);
	fill_row(p, "beta", 7);
	is_int(run(db, INSERT_ALL, p, 13, NULL), LA_DB_DONE, "second insert");
	is_int(la_db_last_id(db), 2, "last_id 2");
	is_int(run(db, "UPDATE all_types SET version = version + 1", NULL, 0,
	           NULL),
	    LA_DB_DONE, "update all");
	is_int(la_db_changes(db), 2, "changes after update");
	p[0] = la_value_text("gamma", 5);
	p[1] = la_value_text(NULL, 0);
	is_int(run(db, INSERT_ALL, p, 13, NULL), LA_DB_DONE,
	    "empty text from a NULL pointer");
	is_int(query_int(db, "SELECT count(*) FROM all_types WHERE t = ''"), 1,
	    "stored as '' not NULL");
}

/* ---- result columns and statement checks (canned queries) ---------- */

static void
test_columns(struct la_db_conn *db)
{
	struct la_db_stmt *st;
	int ro, np;

	is_int(la_db_query(db, NULL, "SELECT 1 AS one, 'x' AS \"two words\"",
	           NULL, 0, &st),
	    LA_DB_ROW, "a row with named columns");
	is_int(la_db_ncols(st), 2, "two columns");
	is_str(la_db_colname(st, 0), "one", "the first one's name");
	is_str(la_db_colname(st, 1), "two words", "the second, as quoted");
	la_db_finish(st);
	is_int(la_db_check(db, "SELECT s FROM all_types WHERE id > ? AND s = ?",
	           &ro, &np),
	    LA_DB_DONE, "check a read");
	is_int(ro, 1, "read-only");
	is_int(np, 2, "two placeholders");
	is_int(la_db_check(db, "DELETE FROM all_types WHERE id = ?", &ro, &np),
	    LA_DB_DONE, "check a write");
	is_int(ro, 0, "not read-only");
	ok(la_db_check(db, "SELECT * FROM no_such_table", &ro, &np) < 0,
	    "an unknown table fails the check");
	ok(strstr(la_db_rawmsg(db), "no_such_table") != NULL,
	    "and says which: %s", la_db_rawmsg(db));
}

/* ---- statement cache ----------------------------------------------- */

static void
test_cache(struct la_db_conn *db)
{
	struct la_db_stmt *a, *b;
	struct la_value v;
	char sql[64];
	int i, rc, bad = 0;

	is_int(la_db_query(db, NULL, "SELECT s FROM all_types ORDER BY id",
	           NULL, 0, &a),
	    LA_DB_ROW, "reader started");
	la_db_finish(a);
	is_int(la_db_query(db, NULL, "SELECT s FROM all_types ORDER BY id",
	           NULL, 0, &b),
	    LA_DB_ROW, "run again");
	ok(a != NULL && a == b, "same SQL, same statement");
	la_db_finish(b);
	is_int(la_db_query(db, NULL, "SELECT s FROM all_types ORDER BY id DESC",
	           NULL, 0, &b),
	    LA_DB_ROW, "other SQL");
	ok(b != NULL && b != a, "other SQL, other statement");
	la_db_finish(b);
	is_int(la_db_query(db, NULL, "SELECT s FROM all_types ORDER BY id",
	           NULL, 0, &a),
	    LA_DB_ROW, "reader started");
	/* Far more statements than the cache holds: a is being read. */
	for (i = 0; i < 300; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d + 1", i);
		rc = run(db, sql, NULL, 0, &v);
		if (rc != LA_DB_ROW || v.kind != LA_V_INT || v.i != i + 1)
			bad++;
	}
	is_int(bad, 0, "300 distinct statements through the cache");
	la_db_column(a, 0, &v);
	ok(text_is(&v, "alpha", 5), "active statement survived eviction");
	is_int(la_db_next(a), LA_DB_ROW, "reader continues");
	la_db_finish(a);
	is_int(la_db_query(db, NULL, "SELECT s FROM all_types ORDER BY id",
	           NULL, 0, &b),
	    LA_DB_ROW, "run once more");
	ok(b == a, "active statement still cached");
	la_db_finish(b);
	is_int(query_int(db, "SELECT 0 + 1"), 1, "evicted SQL prepared again");
	ok(la_db_query(db, NULL, "", NULL, 0, &b) == LA_DB_EOTHER && b == NULL,
	    "empty SQL refused");
	ok(la_db_query(db, NULL, "SELEC 1", NULL, 0, &b) < 0 && b == NULL,
	    "syntax error");
	is_int(la_db_errcode(db), LA_DB_EOTHER, "syntax error is EOTHER");
	ok(strstr(la_db_errmsg(db), "syntax error") != NULL,
	    "message says what failed: %s", la_db_errmsg(db));
	ok(strstr(la_db_rawmsg(db), "syntax error") != NULL,
	    "raw message kept: %s", la_db_rawmsg(db));
	v = la_value_int(1);
	is_int(run(db, "SELECT 1", &v, 1, NULL), LA_DB_EOTHER,
	    "too many parameters");
}

/* ---- value kinds (the table in db.h) -------------------------------- */

#define NKINDS 11
/* The columns in kind_cols order, then the key (DDL puts the key first). */
#define KIND_COLS                                                              \
	"k_str, k_text, k_int, k_float, k_bool, k_dt, k_date, k_dec, k_uuid, " \
	"k_json, k_time, id"

static const struct {
	const char *name;
	enum la_type type;
} kind_cols[NKINDS] = {
    {"k_str", LA_T_STR},
    {"k_text", LA_T_TEXT},
    {"k_int", LA_T_INT},
    {"k_float", LA_T_FLOAT},
    {"k_bool", LA_T_BOOL},
    {"k_dt", LA_T_DATETIME},
    {"k_date", LA_T_DATE},
    {"k_dec", LA_T_DECIMAL},
    {"k_uuid", LA_T_UUID},
    {"k_json", LA_T_JSON},
    {"k_time", LA_T_TIME},
};

/* Values as validation binds them; the float is integral on purpose. */
static void
kind_params(struct la_value *p)
{
	p[0] = la_value_text("0042", 4);
	p[1] = la_value_text("12", 2);
	p[2] = la_value_int(-7);
	p[3] = la_value_int(3);
	p[4] = la_value_int(1);
	p[5] = la_value_text("2026-11-21T08:51:13.764701", 26);
	p[6] = la_value_text("2026-11-21", 10);
	p[7] = la_value_text("10.50", 5);
	p[8] = la_value_text("0b7c4a1e-3f2d-4a8b-9c1d-2e3f4a5b6c7d", 36);
	p[9] = la_value_text("[1]", 3);
	p[10] = la_value_text("08:51:13", 8);
}

/* Each column of the current row has the kind db.h promises. */
static void
check_kinds(struct la_db_stmt *st, const char *how)
{
	struct la_value v;
	int i, bad = 0;

	for (i = 0; i < NKINDS; i++) {
		la_db_column(st, i, &v);
		if (v.kind != la_db_kind_of(kind_cols[i].type)) {
			diag("%s: %s came back as kind %d", how,
			    kind_cols[i].name, v.kind);
			bad++;
		}
	}
	is_int(bad, 0, "every type comes back as its kind (%s)", how);
	la_db_column(st, 3, &v);
	ok(v.kind == LA_V_FLOAT && v.f == 3.0, "float 3 is a double: %s", how);
	la_db_column(st, 4, &v);
	ok(v.kind == LA_V_INT && v.i == 1, "bool is integer 1: %s", how);
	la_db_column(st, 0, &v);
	ok(text_is(&v, "0042", 4), "str of digits stays text: %s", how);
	la_db_column(st, 7, &v);
	ok(text_is(&v, "10.50", 5), "decimal keeps its digits: %s", how);
	la_db_column(st, 5, &v);
	ok(text_is(&v, "2026-11-21T08:51:13.764701", 26),
	    "datetime ISO text: %s", how);
	la_db_column(st, 11, &v);
	ok(v.kind == la_db_kind_of(LA_T_INT) && v.i == 1,
	    "generated id is an integer: %s", how);
}

static void
test_kinds(struct la_db_conn *db)
{
	struct la_col_def c[NKINDS + 4];
	struct la_value p[NKINDS];
	struct la_db_stmt *st;
	struct la_buf b;
	int i;

	ok(la_db_kind_of(LA_T_ANY) == LA_V_NULL &&
	        la_db_kind_of((enum la_type)99) == LA_V_NULL,
	    "any type: no promise");
	for (i = 0; i < NKINDS; i++)
		la_col_def_init(&c[i], kind_cols[i].name, kind_cols[i].type);
	la_catalog_auto_columns(&c[NKINDS]);
	la_buf_init(&b);
	la_ddl_create_table(&b, NULL, LA_DIALECT_SQLITE, "kinds", c,
	    NKINDS + 4);
	is_int(exec(db, b.data), LA_DB_DONE, "table with every type");
	la_buf_free(&b);
	kind_params(p);
	ok(la_db_returning(db, LA_DIALECT_INSERT), "SQLite %lld: RETURNING",
	    (long long)db->version);
	is_int(la_db_query(db, NULL,
	           "INSERT INTO kinds (k_str, k_text, k_int, k_float, k_bool, "
	           "k_dt, k_date, k_dec, k_uuid, k_json, k_time, created_at, "
	           "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', "
	           "'x') RETURNING " KIND_COLS,
	           p, NKINDS, &st),
	    LA_DB_ROW, "insert returning");
	check_kinds(st, "RETURNING");
	is_int(la_db_next(st), LA_DB_DONE, "one row returned");
	la_db_finish(st);
	is_int(la_db_query(db, NULL, "SELECT " KIND_COLS " FROM kinds", NULL, 0,
	           &st),
	    LA_DB_ROW, "select");
	check_kinds(st, "SELECT");
	la_db_finish(st);
}

/* ---- the layer: transactions, arena, timing, timeout, reconnect ----- */

static void
test_transactions(struct la_db_conn *db)
{
	struct la_arena *a = la_arena_new(1024);

	is_int(exec(db, "CREATE TABLE tx (x INTEGER)"), LA_DB_DONE, "tx table");
	is_int(la_db_begin(db, NULL), LA_DB_DONE, "begin");
	is_int(run(db, "INSERT INTO tx VALUES (1)", NULL, 0, NULL), LA_DB_DONE,
	    "insert in a transaction");
	is_int(la_db_rollback(db), LA_DB_DONE, "rollback");
	is_int(query_int(db, "SELECT count(*) FROM tx"), 0, "rolled back");
	is_int(la_db_begin(db, a), LA_DB_DONE, "begin with an arena");
	is_int(run(db, "INSERT INTO tx VALUES (2)", NULL, 0, NULL), LA_DB_DONE,
	    "insert");
	is_int(la_db_commit(db), LA_DB_DONE, "commit");
	la_arena_reset(a);
	is_int(query_int(db, "SELECT count(*) FROM tx"), 1,
	    "committed, and the arena reset did not undo it");
	is_int(la_db_begin(db, a), LA_DB_DONE, "begin, then return early");
	is_int(run(db, "INSERT INTO tx VALUES (3)", NULL, 0, NULL), LA_DB_DONE,
	    "insert");
	la_arena_reset(a);
	ok(db->tx == NULL, "the arena ended the transaction");
	is_int(query_int(db, "SELECT count(*) FROM tx"), 1,
	    "an open transaction is rolled back by the arena");
	is_int(la_db_begin(db, NULL), LA_DB_DONE, "a new one can begin");
	is_int(la_db_rollback(db), LA_DB_DONE, "and end");
	la_arena_free(a);
}

static void
test_arena_finish(struct la_db_conn *db)
{
	struct la_arena *a = la_arena_new(1024);
	struct la_db_stmt *st, *again;
	struct la_value v;

	is_int(la_db_query(db, a, "SELECT x FROM tx UNION ALL SELECT 9", NULL,
	           0, &st),
	    LA_DB_ROW, "a statement left running");
	la_arena_reset(a);
	is_int(la_db_next(st), LA_DB_DONE, "finished by the arena reset");
	is_int(la_db_query(db, a, "SELECT x FROM tx UNION ALL SELECT 9", NULL,
	           0, &again),
	    LA_DB_ROW, "runs again from the start");
	la_db_column(again, 0, &v);
	ok(again == st && v.kind == LA_V_INT && v.i == 2, "first row again");
	la_db_finish(again);
	la_arena_free(a);
	ok(1, "freeing the arena after finish is harmless");
}

static void
test_timing(struct la_db_conn *db)
{
	la_db_timing_reset(db);
	ok(db->timing.calls == 0 && db->timing.ns == 0, "timing reset");
	is_int(query_int(db, "SELECT count(*) FROM all_types"), 3, "a query");
	is_int(exec(db, "CREATE TABLE timing_t (x)"), LA_DB_DONE, "an exec");
	ok(db->timing.calls == 2, "two calls counted: %llu",
	    (unsigned long long)db->timing.calls);
	ok(db->timing.ns > 0 && db->timing.max_ns > 0 &&
	        db->timing.max_ns <= db->timing.ns,
	    "time accumulated");
}

/* A separate connection: a timeout counts as a lost connection. */
static void
test_timeout(void)
{
	struct la_db_conn c;
	char err[256];
	long long t0, took;
	int rc;

	memset(&c, 0, sizeof(c));
	if (la_db_ensure(&c, "sqlite:///:memory:", err, sizeof(err)) != 0) {
		ok(0, "connect: %s", err);
		return;
	}
	la_db_set_timeout(&c, 50);
	t0 = now_ms();
	rc = run(&c,
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < 1000000000) SELECT count(*) FROM n",
	    NULL, 0, NULL);
	took = now_ms() - t0;
	is_int(rc, LA_DB_EUNAVAIL, "a long statement is interrupted");
	ok(took >= 45 && took < 2000, "after the timeout: %lld ms", took);
	ok(c.lost, "the connection is marked for reconnecting");
	is_int(la_db_ensure(&c, "sqlite:///:memory:", err, sizeof(err)), 0,
	    "the one reconnect path");
	ok(!c.lost && c.timeout_ms == 50, "reconnected, timeout kept");
	is_int(query_int(&c, "SELECT 6 * 7"), 42, "short statements still run");
	la_db_set_timeout(&c, 0);
	la_db_mark_lost(&c);
	is_int(la_db_ensure(&c, "sqlite:///:memory:", err, sizeof(err)), 0,
	    "a failed health check reconnects too");
	is_int(
	    la_db_ensure(&c, "sqlite:////nonexistent/x.db", err, sizeof(err)),
	    0, "a live connection is kept, whatever the URL");
	la_db_disconnect(&c);
}

/* ---- constraint errors --------------------------------------------- */

static void
check_error(struct la_db_conn *db, const char *sql, int kind, const char *msg)
{
	is_int(run(db, sql, NULL, 0, NULL), kind, "%s", msg);
	is_str(la_db_errmsg(db), msg, "message: %s", msg);
	is_int(la_db_errcode(db), kind, "errcode: %s", msg);
}

static void
test_constraints(struct la_db_conn *db)
{
	is_int(exec(db,
	           "CREATE TABLE pairs (a INTEGER, b INTEGER, UNIQUE (a, b));"
	           "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
	           "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER "
	           "REFERENCES parent(id));"
	           "CREATE TABLE prices (p REAL CONSTRAINT positive CHECK "
	           "(p >= 0), q INTEGER CHECK (q < 10));"
	           "CREATE TABLE locked (x INTEGER);"
	           "CREATE TRIGGER no_del BEFORE DELETE ON locked BEGIN "
	           "SELECT RAISE(ABORT, 'rows are kept'); END;"
	           "INSERT INTO pairs VALUES (1, 2); INSERT INTO locked "
	           "VALUES (1)"),
	    LA_DB_DONE, "hand-written tables");
	check_error(db, "UPDATE all_types SET s = 'alpha' WHERE id = 2",
	    LA_DB_EUNIQUE, "unique constraint violated: all_types.s");
	ok(strstr(la_db_rawmsg(db), "UNIQUE constraint failed: all_types.s") !=
	        NULL,
	    "raw message: %s", la_db_rawmsg(db));
	check_error(db, "INSERT INTO pairs VALUES (1, 2)", LA_DB_EUNIQUE,
	    "unique constraint violated: pairs.a, pairs.b");
	check_error(db, "UPDATE all_types SET id = 1 WHERE id = 2",
	    LA_DB_EUNIQUE, "unique constraint violated: all_types.id");
	check_error(db, "INSERT INTO child (p) VALUES (42)", LA_DB_EFK,
	    "foreign key constraint violated");
	check_error(db, "UPDATE all_types SET s = NULL", LA_DB_ENOTNULL,
	    "not null constraint violated: all_types.s");
	check_error(db, "INSERT INTO prices VALUES (-1, 1)", LA_DB_ECHECK,
	    "check constraint violated: positive");
	check_error(db, "INSERT INTO prices VALUES (1, 11)", LA_DB_ECHECK,
	    "check constraint violated: q < 10");
	check_error(db, "DELETE FROM locked", LA_DB_ECHECK,
	    "check constraint violated: rows are kept");
	check_error(db, "INSERT INTO nowhere VALUES (1)", LA_DB_EOTHER,
	    "no such table: nowhere");
	is_int(la_db_exec(db, "CREATE TABLE pairs (x)"), LA_DB_EOTHER,
	    "exec error kind");
	ok(strstr(la_db_rawmsg(db), "already exists") != NULL,
	    "exec raw message: %s", la_db_rawmsg(db));
}

/* ---- reflection ---------------------------------------------------- */

static const char books_sql[] =
    "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE books ("
    " id INTEGER PRIMARY KEY,"
    " title VARCHAR(200) NOT NULL,"
    " isbn CHAR(13) UNIQUE,"
    " price NUMERIC(10, 2) DEFAULT 0,"
    " rating double precision,"
    " pages INT NOT NULL,"
    " in_print BOOLEAN NOT NULL DEFAULT 1,"
    " published TIMESTAMP,"
    " released DATE,"
    " starts TIME,"
    " uid UUID,"
    " meta JSON,"
    " cover BLOB,"
    " misc,"
    " author_id INTEGER REFERENCES authors(id),"
    " editor_id INTEGER REFERENCES authors,"
    " slug TEXT,"
    " amount DECIMAL(8),"
    " FOREIGN KEY (pages, rating) REFERENCES authors(id, name));"
    "CREATE UNIQUE INDEX ux_books_slug ON books (slug);"
    "CREATE UNIQUE INDEX ux_books_part ON books (pages) WHERE pages > 0;"
    "CREATE UNIQUE INDEX ux_books_two ON books (released, starts);"
    "CREATE UNIQUE INDEX ux_books_expr ON books (lower(title));";

/* INDEX: some non-partial index starts with the column (ux_books_two
 * starts with released; ux_books_part is partial, ux_books_expr is on an
 * expression). */
static const struct {
	const char *name;
	enum la_type type;
	uint32_t flags;
} books_want[] = {
    {"id", LA_T_INT, LA_COL_PK | LA_COL_AUTOINC},
    {"title", LA_T_STR, 0},
    {"isbn", LA_T_STR, LA_COL_NULLABLE | LA_COL_UNIQUE | LA_COL_INDEX},
    {"price", LA_T_DECIMAL, LA_COL_NULLABLE | LA_COL_DBDEFAULT},
    {"rating", LA_T_FLOAT, LA_COL_NULLABLE},
    {"pages", LA_T_INT, 0},
    {"in_print", LA_T_BOOL, LA_COL_DBDEFAULT},
    {"published", LA_T_DATETIME, LA_COL_NULLABLE},
    {"released", LA_T_DATE, LA_COL_NULLABLE | LA_COL_INDEX},
    {"starts", LA_T_TIME, LA_COL_NULLABLE},
    {"uid", LA_T_UUID, LA_COL_NULLABLE},
    {"meta", LA_T_JSON, LA_COL_NULLABLE},
    {"cover", LA_T_ANY, LA_COL_NULLABLE},
    {"misc", LA_T_ANY, LA_COL_NULLABLE},
    {"author_id", LA_T_INT, LA_COL_NULLABLE},
    {"editor_id", LA_T_INT, LA_COL_NULLABLE},
    {"slug", LA_T_STR, LA_COL_NULLABLE | LA_COL_UNIQUE | LA_COL_INDEX},
    {"amount", LA_T_DECIMAL, LA_COL_NULLABLE},
};

static void
check_books(const struct la_col_def *c, size_t n)
{
	size_t i;
	int bad = 0;

	is_int(n, LA_NELEM(books_want), "books has its columns");
	for (i = 0; i < n && i < LA_NELEM(books_want); i++) {
		if (strcmp(c[i].name, books_want[i].name) != 0 ||
		    c[i].type != books_want[i].type ||
		    c[i].flags != books_want[i].flags) {
			diag("%s: type %d flags %#x", c[i].name, c[i].type,
			    c[i].flags);
			bad++;
		}
	}
	is_int(bad, 0, "names, types and flags in table order");
	is_str(c[1].sqltype, "VARCHAR(200)", "declared type kept");
	is_str(c[13].sqltype, "", "no declared type");
	ok(c[3].max_digits == 10 && c[3].decimal_places == 2,
	    "NUMERIC(10, 2) precision and scale");
	ok(c[17].max_digits == 8 && c[17].decimal_places == 0,
	    "DECIMAL(8) has scale 0");
	ok(c[14].fk_table != NULL && strcmp(c[14].fk_table, "authors") == 0 &&
	        c[14].fk_col != NULL && strcmp(c[14].fk_col, "id") == 0,
	    "foreign key to authors.id");
	ok(c[15].fk_col != NULL && strcmp(c[15].fk_col, "id") == 0,
	    "reference without a column is the target's key");
	ok(c[5].fk_table == NULL && c[4].fk_table == NULL,
	    "composite foreign key ignored");
	ok(c[0].line == 0 && c[0].min_length == -1, "defaults of a definition");
}

static void
check_reflect(struct la_db_conn *db, const char *table, struct la_arena *a,
    const char *name, uint32_t flags)
{
	struct la_col_def *c = NULL;
	size_t n = 0;

	is_int(la_db_reflect(db, table, a, &c, &n), LA_DB_DONE, "reflect %s",
	    table);
	ok(n > 0 && strcmp(c[0].name, name) == 0 && c[0].flags == flags,
	    "%s.%s flags %#x", table, name, n > 0 ? c[0].flags : 0);
}

static void
test_reflect(struct la_db_conn *db)
{
	struct la_arena *a = la_arena_new(4096);
	struct la_col_def *c = NULL;
	size_t n = 0;

	is_int(exec(db, books_sql), LA_DB_DONE, "books schema");
	is_int(la_db_reflect(db, "books", a, &c, &n), LA_DB_DONE,
	    "reflect books");
	check_books(c, n);
	/* In a rowid table only an INTEGER key is implicitly NOT NULL. */
	check_reflect(db, "links", a, "a", LA_COL_NULLABLE | LA_COL_INDEX);
	check_reflect(db, "codes", a, "code",
	    LA_COL_PK | LA_COL_UNIQUE | LA_COL_NULLABLE | LA_COL_INDEX);
	check_reflect(db, "norowid", a, "id",
	    LA_COL_PK | LA_COL_UNIQUE | LA_COL_INDEX);
	check_reflect(db, "desc_pk", a, "id",
	    LA_COL_PK | LA_COL_UNIQUE | LA_COL_NULLABLE | LA_COL_INDEX);
	check_reflect(db, "we\"ird", a, "x", LA_COL_NULLABLE);
	check_reflect(db, "all_types", a, "id", LA_COL_PK | LA_COL_AUTOINC);
	check_reflect(db, "BOOKS", a, "id", LA_COL_PK | LA_COL_AUTOINC);
	is_int(la_db_reflect(db, "nope", a, &c, &n), LA_DB_EOTHER,
	    "reflect a missing table");
	is_str(la_db_errmsg(db), "no such table: nope", "missing table named");
	ok(c == NULL && n == 0, "nothing returned on error");
	la_arena_free(a);
}

static void
test_table_exists(struct la_db_conn *db)
{
	is_int(la_db_table_exists(db, "all_types"), 1, "table exists");
	is_int(la_db_table_exists(db, "ALL_TYPES"), 1, "any case, as SQLite");
	is_int(la_db_table_exists(db, "book_titles"), 1, "view exists");
	is_int(la_db_table_exists(db, "nope"), 0, "missing table");
	is_int(la_db_table_exists(db, "all_types' OR '1'='1"), 0,
	    "name is bound, not spliced");
	is_int(la_db_table_exists(db, "ix_all_types_t"), 0,
	    "index is no table");
}

/* ---- file databases ------------------------------------------------ */

static void
test_file(void)
{
	char url[300], path[256], err[256];
	struct la_db_conn dbc, dbc2, *db = &dbc, *db2 = &dbc2;
	struct la_db_conn c;
	long long t0, waited;

	snprintf(path, sizeof(path), "%s/test.db", tmpdir);
	snprintf(url, sizeof(url), "sqlite:///%s", path);
	if (open_url(url, db) != 0) {
		ok(0, "open file database");
		return;
	}
	ok(1, "open file database");
	is_int(query_int(db, "SELECT journal_mode = 'wal' FROM "
	                     "pragma_journal_mode"),
	    1, "WAL mode");
	is_int(query_int(db, "PRAGMA synchronous"), 1, "synchronous NORMAL");
	is_int(query_int(db, "PRAGMA foreign_keys"), 1, "foreign keys on");
	is_int(exec(db, "CREATE TABLE t (x INTEGER)"), LA_DB_DONE,
	    "create in file");
	snprintf(url, sizeof(url), "sqlite:///%s?busy_timeout=50", path);
	if (open_url(url, db2) != 0) {
		ok(0, "second connection");
		la_db_disconnect(db);
		return;
	}
	is_int(exec(db, "BEGIN IMMEDIATE"), LA_DB_DONE,
	    "writer holds the lock");
	t0 = now_ms();
	is_int(run(db2, "INSERT INTO t VALUES (1)", NULL, 0, NULL),
	    LA_DB_EUNAVAIL, "locked database is unavailable");
	waited = now_ms() - t0;
	ok(waited >= 45 && waited < 2000,
	    "busy_timeout option: gave up after %lld ms", (long long)waited);
	is_str(la_db_errmsg(db2), "database is locked", "message for the log");
	is_str(la_db_rawmsg(db2), "database is locked (sqlite code 5)",
	    "raw message with the code");
	is_int(query_int(db2, "SELECT count(*) FROM t"), 0,
	    "readers are not blocked under WAL");
	is_int(exec(db, "COMMIT"), LA_DB_DONE, "writer commits");
	is_int(run(db2, "INSERT INTO t VALUES (1)", NULL, 0, NULL), LA_DB_DONE,
	    "insert after the lock is gone");
	la_db_disconnect(db2);
	la_db_disconnect(db);

	snprintf(url, sizeof(url), "sqlite:///%s?busy_timeout=soon", path);
	ok(la_db_connect(&c, url, err, sizeof(err)) == -1 &&
	        strstr(err, "busy_timeout") != NULL,
	    "bad busy_timeout: %s", err);
}

static void
test_open_errors(void)
{
	char url[300], path[256], err[256];
	struct la_db_conn c;
	FILE *fp;
	int rc;

	ok(la_db_connect(&c, "sqlite:////nonexistent/dir/x.db", err,
	       sizeof(err)) == -1,
	    "missing directory");
	is_str(err,
	    "sqlite: cannot open /nonexistent/dir/x.db: unable to open "
	    "database file",
	    "error names the path and the cause");
	snprintf(path, sizeof(path), "%s/junk.db", tmpdir);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("this is not a database, but it is long enough to be "
		      "read as a header by sqlite3 when it opens the file. "
		      "this is not a database, and this line is only padding.",
		    fp);
		fclose(fp);
	}
	snprintf(url, sizeof(url), "sqlite:///%s", path);
	ok(la_db_connect(&c, url, err, sizeof(err)) == -1 &&
	        strstr(err, path) != NULL &&
	        strstr(err, "not a database") != NULL,
	    "junk file: %s", err);
	ok(chdir(tmpdir) == 0, "chdir to the temp dir");
	rc = la_db_connect(&c, "sqlite:///file:x.db?mode=ro", err, sizeof(err));
	is_int(rc, 0, "a file named file:... is a file, not a URI");
	la_db_disconnect(&c);
	ok(access("file:x.db", F_OK) == 0 && access("x.db", F_OK) == -1,
	    "created under that name");
}

static void
cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
}

int
main(void)
{
	struct la_db_conn conn, *db = &conn;

	test_drivers();
	if (open_url("sqlite:///:memory:", db) != 0)
		return (1);
	test_mem();
	create_all_types(db);
	test_round_trip(db);
	test_cache(db);
	test_columns(db);
	test_constraints(db);
	is_int(exec(db,
	           "CREATE TABLE links (a INTEGER, b INTEGER, PRIMARY KEY "
	           "(a, b));"
	           "CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT);"
	           "CREATE TABLE norowid (id INTEGER PRIMARY KEY, v TEXT) "
	           "WITHOUT ROWID;"
	           "CREATE TABLE desc_pk (id INTEGER PRIMARY KEY DESC);"
	           "CREATE TABLE \"we\"\"ird\" (x INTEGER);"
	           "CREATE VIEW book_titles AS SELECT 1 AS title"),
	    LA_DB_DONE, "more hand-written tables");
	test_reflect(db);
	test_table_exists(db);
	test_kinds(db);
	test_transactions(db);
	test_arena_finish(db);
	test_timing(db);
	is_int(la_db_ping(db), LA_DB_DONE, "ping");
	la_db_disconnect(db);
	if (mkdtemp(tmpdir) == NULL)
		return (1);
	test_timeout();
	test_file();
	test_open_errors();
	cleanup();
	return (done_testing());
}
