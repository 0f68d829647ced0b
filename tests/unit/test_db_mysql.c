/*
 * The MySQL/MariaDB driver and the layer in front of it, against a
 * throw-away MariaDB this test starts itself in a temporary directory
 * (Unix socket only, as tests/func/engines.py does): tables from our DDL,
 * the value kind of every catalog type (db.h's table) on SELECT and on
 * INSERT ... RETURNING, constraint errors and their client messages,
 * reflection, transactions, the statement timeout, reconnecting after a
 * restart, URL options. Skipped (TAP skip) when the machine has no
 * MariaDB server programs.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "ddl.h"
#include "la.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_db_mysql.XXXXXX";
static char sock[256], url[512];
static pid_t server = -1;

/* ---- the throw-away server ------------------------------------------ */

static int
have_program(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return (system(cmd) == 0);
}

static void
server_start(void)
{
	char data[300], pidf[300], log[300];

	snprintf(data, sizeof(data), "--datadir=%s/data", tmpdir);
	snprintf(sock, sizeof(sock), "%s/mysqld.sock", tmpdir);
	snprintf(pidf, sizeof(pidf), "--pid-file=%s/mysqld.pid", tmpdir);
	snprintf(log, sizeof(log), "%s/server.log", tmpdir);
	if ((server = fork()) == 0) {
		char s[300];

		snprintf(s, sizeof(s), "--socket=%s", sock);
		if (freopen(log, "a", stdout) == NULL ||
		    freopen(log, "a", stderr) == NULL)
			_exit(127);
		setsid();
		execlp("mariadbd", "mariadbd", "--no-defaults", data, s,
		    "--skip-networking", pidf, "--innodb-buffer-pool-size=32M",
		    "--innodb-log-file-size=8M",
		    "--innodb-flush-log-at-trx-commit=0",
		    "--character-set-server=utf8mb4",
		    "--collation-server=utf8mb4_unicode_ci",
		    geteuid() == 0 ? "--user=root" : "--console", (char *)NULL);
		_exit(127);
	}
}

static void
server_stop(void)
{
	int status;

	if (server <= 0)
		return;
	kill(server, SIGTERM);
	waitpid(server, &status, 0);
	server = -1;
}

/* Waits for the server; the URL of database "t" on success. */
static int
server_wait(const char *dburl)
{
	struct la_db_conn c;
	char err[256];
	int i;

	for (i = 0; i < 600; i++) {
		if (la_db_connect(&c, dburl, err, sizeof(err)) == 0) {
			la_db_disconnect(&c);
			return (0);
		}
		usleep(50000);
	}
	diag("server did not start: %s", err);
	return (-1);
}

static int
server_init(void)
{
	char cmd[1024], root[512];
	struct la_db_conn c;
	char err[256];

	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	snprintf(cmd, sizeof(cmd),
	    "mariadb-install-db --no-defaults --datadir=%s/data "
	    "--skip-test-db --auth-root-authentication-method=normal %s "
	    ">/dev/null 2>&1",
	    tmpdir, geteuid() == 0 ? "--user=root" : "");
	if (system(cmd) != 0)
		return (-1);
	server_start();
	snprintf(root, sizeof(root),
	    "mysql://root@localhost/mysql?unix_socket=%s", sock);
	if (server_wait(root) != 0)
		return (-1);
	if (la_db_connect(&c, root, err, sizeof(err)) != 0)
		return (-1);
	la_db_exec(&c, "CREATE DATABASE t");
	la_db_disconnect(&c);
	snprintf(url, sizeof(url), "mysql://root@localhost/t?unix_socket=%s",
	    sock);
	return (0);
}

/* ---- helpers -------------------------------------------------------- */

static int
exec(struct la_db_conn *db, const char *sql)
{
	int rc = la_db_exec(db, sql);

	if (rc != LA_DB_DONE)
		diag("exec: %s", la_db_rawmsg(db));
	return (rc);
}

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

static int
text_is(const struct la_value *v, const char *s)
{
	return (v->kind == LA_V_TEXT && v->len == strlen(s) &&
	        memcmp(v->s, s, v->len) == 0);
}

static int64_t
count(struct la_db_conn *db, const char *sql)
{
	struct la_value v = LA_VALUE_NULL;

	run(db, sql, NULL, 0, &v);
	return (v.kind == LA_V_INT ? v.i : -1);
}

/* ---- value kinds ---------------------------------------------------- */

static const struct {
	const char *name;
	enum la_type type;
	const char *in;  /* bound as text, NULL: an integer 1 */
	const char *out; /* text out, NULL: not text */
} kinds[] = {
    {"s", LA_T_STR, "0042", "0042"},
    {"x", LA_T_TEXT, "long text", "long text"},
    {"i", LA_T_INT, NULL, NULL},
    {"f", LA_T_FLOAT, NULL, NULL},
    {"b", LA_T_BOOL, NULL, NULL},
    {"dt", LA_T_DATETIME, "2026-11-21T08:51:13.764701",
        "2026-11-21T08:51:13.764701"},
    {"d", LA_T_DATE, "2026-11-21", "2026-11-21"},
    {"dec", LA_T_DECIMAL, "10.5", "10.50"},
    {"u", LA_T_UUID, "6f1c7a6e-1b2c-4d5e-8f90-0123456789ab",
        "6f1c7a6e-1b2c-4d5e-8f90-0123456789ab"},
    {"j", LA_T_JSON, "{\"a\": [1, 2]}", "{\"a\": [1, 2]}"},
};
#define NKINDS ((int)LA_NELEM(kinds))

static void
check_row(struct la_db_stmt *st, const char *how)
{
	struct la_value v;
	int i, bad = 0;

	for (i = 0; i < NKINDS; i++) {
		la_db_column(st, i, &v);
		if (v.kind != la_db_kind_of(kinds[i].type) ||
		    (kinds[i].out != NULL && !text_is(&v, kinds[i].out))) {
			diag("%s: %s came back as kind %d '%.*s'", how,
			    kinds[i].name, v.kind,
			    v.kind == LA_V_TEXT ? (int)v.len : 0,
			    v.kind == LA_V_TEXT ? v.s : "");
			bad++;
		}
	}
	is_int(bad, 0, "every type comes back as its kind and form (%s)", how);
	la_db_column(st, 3, &v);
	ok(v.kind == LA_V_FLOAT && v.f == 1.0, "float 1 is a double: %s", how);
	la_db_column(st, 4, &v);
	ok(v.kind == LA_V_INT && v.i == 1, "bool is integer 1: %s", how);
	la_db_column(st, NKINDS, &v);
	ok(v.kind == LA_V_INT && v.i == 1, "generated id is an integer: %s",
	    how);
}

static void
test_kinds(struct la_db_conn *db)
{
	struct la_col_def c[NKINDS + 4];
	struct la_value p[NKINDS + 3];
	struct la_db_stmt *st;
	struct la_buf b, sql;
	int i, rc;

	la_buf_init(&b);
	la_buf_init(&sql);
	for (i = 0; i < NKINDS; i++) {
		la_col_def_init(&c[i], kinds[i].name, kinds[i].type);
		c[i].flags = LA_COL_NULLABLE;
		if (kinds[i].type == LA_T_DECIMAL)
			c[i].decimal_places = 2;
		p[i] = kinds[i].in != NULL
		           ? la_value_text(kinds[i].in, strlen(kinds[i].in))
		           : la_value_int(1);
	}
	p[3] = la_value_float(1.0);
	la_catalog_auto_columns(&c[NKINDS]);
	la_ddl_create_table(&b, NULL, LA_DIALECT_MYSQL, "kinds", c, NKINDS + 4);
	is_int(exec(db, b.data), LA_DB_DONE, "table with every type");
	p[NKINDS] = la_value_text("2026-01-01T00:00:00", 19);
	p[NKINDS + 1] = p[NKINDS];
	p[NKINDS + 2] = la_value_int(1);
	la_buf_puts(&sql, "INSERT INTO `kinds` (");
	for (i = 0; i < NKINDS; i++)
		la_buf_printf(&sql, "`%s`, ", kinds[i].name);
	la_buf_puts(&sql, "`created_at`, `updated_at`, `version`) VALUES (");
	for (i = 0; i < NKINDS + 3; i++)
		la_buf_puts(&sql, i ? ", ?" : "?");
	la_buf_puts(&sql, ") RETURNING ");
	for (i = 0; i < NKINDS; i++)
		la_buf_printf(&sql, "`%s`, ", kinds[i].name);
	la_buf_puts(&sql, "`id`, `created_at`");
	ok(la_db_returning(db, LA_DIALECT_INSERT) &&
	        !la_db_returning(db, LA_DIALECT_UPDATE),
	    "MariaDB %lld: INSERT RETURNING, no UPDATE RETURNING",
	    (long long)db->version);
	rc = la_db_query(db, NULL, sql.data, p, NKINDS + 3, &st);
	is_int(rc, LA_DB_ROW, "insert returning gives the row");
	if (rc == LA_DB_ROW)
		check_row(st, "RETURNING");
	la_db_finish(st);
	la_buf_reset(&sql);
	la_buf_puts(&sql, "SELECT ");
	for (i = 0; i < NKINDS; i++)
		la_buf_printf(&sql, "`%s`, ", kinds[i].name);
	la_buf_puts(&sql, "`id`, `created_at` FROM `kinds`");
	rc = la_db_query(db, NULL, sql.data, NULL, 0, &st);
	is_int(rc, LA_DB_ROW, "select gives the row");
	if (rc == LA_DB_ROW) {
		struct la_value v;

		check_row(st, "SELECT");
		la_db_column(st, NKINDS + 1, &v);
		ok(text_is(&v, "2026-01-01T00:00:00"),
		    "no microseconds: none written");
	}
	is_int(la_db_next(st), LA_DB_DONE, "one row only");
	la_db_finish(st);
	la_buf_free(&b);
	la_buf_free(&sql);
}

/* ---- statements, errors --------------------------------------------- */

static void
check_err(struct la_db_conn *db, const char *sql, const struct la_value *p,
    size_t n, int kind, const char *msg)
{
	int rc = run(db, sql, p, n, NULL);

	is_int(rc, kind, "%s", msg);
	is_str(la_db_errmsg(db), msg, "message: %s", msg);
	ok(strstr(la_db_rawmsg(db), "mysql error") != NULL, "raw: %s",
	    la_db_rawmsg(db));
}

static void
test_errors(struct la_db_conn *db)
{
	struct la_value p[3], v;
	char big[300];

	is_int(exec(db,
	           "CREATE TABLE pa (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
	           "email VARCHAR(40) NOT NULL UNIQUE, n INT, "
	           "CONSTRAINT n_small CHECK (n < 10), a INT, b INT, "
	           "UNIQUE KEY ab (a, b))"),
	    LA_DB_DONE, "parent table");
	is_int(exec(db,
	           "CREATE TABLE ch (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
	           "pa_id BIGINT NOT NULL, FOREIGN KEY (pa_id) REFERENCES "
	           "pa(id))"),
	    LA_DB_DONE, "child table");
	p[0] = la_value_text("a@x", 3);
	p[1] = la_value_int(1);
	is_int(run(db, "INSERT INTO `pa` (`email`, `n`) VALUES (?, ?)", p, 2,
	           NULL),
	    LA_DB_DONE, "insert");
	is_int(la_db_last_id(db), 1, "last id");
	is_int(la_db_changes(db), 1, "changes");
	check_err(db, "INSERT INTO `pa` (`email`, `n`) VALUES (?, ?)", p, 2,
	    LA_DB_EUNIQUE, "unique constraint violated: pa.email");
	p[0] = la_value_text("b@x", 3);
	p[1] = la_value_int(11);
	check_err(db, "INSERT INTO `pa` (`email`, `n`) VALUES (?, ?)", p, 2,
	    LA_DB_ECHECK, "check constraint violated: pa.n_small");
	p[1] = la_value_int(1);
	p[2] = la_value_int(1);
	is_int(run(db, "INSERT INTO `pa` (`email`, `a`, `b`) VALUES (?, ?, ?)",
	           p, 3, NULL),
	    LA_DB_DONE, "pair");
	p[0] = la_value_text("c@x", 3);
	check_err(db, "INSERT INTO `pa` (`email`, `a`, `b`) VALUES (?, ?, ?)",
	    p, 3, LA_DB_EUNIQUE, "unique constraint violated: pa.a, pa.b");
	p[0] = LA_VALUE_NULL;
	check_err(db, "INSERT INTO `pa` (`email`) VALUES (?)", p, 1,
	    LA_DB_ENOTNULL, "not null constraint violated: pa.email");
	check_err(db, "INSERT INTO `pa` (`n`) VALUES (?)", &p[1], 1,
	    LA_DB_ENOTNULL, "not null constraint violated: pa.email");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p[0] = la_value_text(big, strlen(big));
	check_err(db, "INSERT INTO `pa` (`email`) VALUES (?)", p, 1,
	    LA_DB_ECHECK, "check constraint violated: pa.email");
	p[0] = la_value_int(99);
	check_err(db, "INSERT INTO `ch` (`pa_id`) VALUES (?)", p, 1, LA_DB_EFK,
	    "foreign key constraint violated: ch.pa_id");
	p[0] = la_value_int(1);
	is_int(run(db, "INSERT INTO `ch` (`pa_id`) VALUES (?)", p, 1, NULL),
	    LA_DB_DONE, "child row");
	check_err(db, "DELETE FROM `pa` WHERE `id` = ?", p, 1, LA_DB_EFK,
	    "foreign key constraint violated: ch.pa_id");
	is_int(run(db, "SELEC 1", NULL, 0, NULL), LA_DB_EOTHER,
	    "syntax error is EOTHER");
	is_int(run(db, "SELECT ?", NULL, 0, NULL), LA_DB_EOTHER,
	    "missing parameter");
	/* An UPDATE that changes nothing still counts the row it found. */
	p[0] = la_value_int(1);
	p[1] = la_value_int(1);
	is_int(run(db, "UPDATE `pa` SET `n` = ? WHERE `id` = ?", p, 2, NULL),
	    LA_DB_DONE, "same-value update");
	is_int(la_db_changes(db), 1, "found rows, not changed rows");
	/* Two statements read at once (results are stored client-side). */
	{
		struct la_db_stmt *a, *b;

		is_int(
		    la_db_query(db, NULL, "SELECT `id` FROM `pa`", NULL, 0, &a),
		    LA_DB_ROW, "outer reader");
		is_int(la_db_query(db, NULL, "SELECT COUNT(*) FROM `ch`", NULL,
		           0, &b),
		    LA_DB_ROW, "inner query while the outer is open");
		la_db_finish(b);
		is_int(la_db_next(a), LA_DB_ROW, "outer goes on");
		la_db_finish(a);
	}
	/* A value longer than any before it in the result (refetch). */
	{
		char *huge = malloc(200001);

		memset(huge, 'y', 200000);
		huge[200000] = '\0';
		p[0] = la_value_text(huge, 200000);
		is_int(run(db, "SELECT CONCAT(?, 'z')", p, 1, &v), LA_DB_ROW,
		    "long text");
		ok(v.kind == LA_V_TEXT && v.len == 200001 && v.s[200000] == 'z',
		    "long text read whole");
		free(huge);
	}
}

/* ---- reflection ------------------------------------------------------ */

static const struct la_col_def *
find(const struct la_col_def *c, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return (&c[i]);
	return (NULL);
}

static void
test_reflect(struct la_db_conn *db)
{
	struct la_arena *a = la_arena_new(4096);
	struct la_col_def *c;
	const struct la_col_def *d;
	size_t n;

	is_int(exec(db,
	           "CREATE TABLE r (k CHAR(36) PRIMARY KEY, flag TINYINT(1) "
	           "NOT NULL DEFAULT 0, amount DECIMAL(8,3), doc JSON, "
	           "seen DATETIME(6), v VARCHAR(20) UNIQUE, pa_id BIGINT, "
	           "FOREIGN KEY (pa_id) REFERENCES pa(id))"),
	    LA_DB_DONE, "table to reflect");
	is_int(la_db_table_exists(db, "r"), 1, "exists");
	is_int(la_db_table_exists(db, "R"), 0, "names are case-sensitive");
	is_int(la_db_table_exists(db, "x' OR '1'='1"), 0, "name is bound");
	is_int(la_db_reflect(db, "r", a, &c, &n), LA_DB_DONE, "reflect");
	is_int(n, 7, "seven columns");
	ok(n == 7 && strcmp(c[0].name, "k") == 0 &&
	        strcmp(c[6].name, "pa_id") == 0,
	    "in table order");
	d = find(c, n, "k");
	ok(d && d->type == LA_T_STR && (d->flags & LA_COL_PK) &&
	        !(d->flags & LA_COL_AUTOINC),
	    "CHAR(36) key is a str key");
	d = find(c, n, "flag");
	ok(d && d->type == LA_T_BOOL && !(d->flags & LA_COL_NULLABLE) &&
	        (d->flags & LA_COL_DBDEFAULT),
	    "TINYINT(1) is bool, NOT NULL, with a default");
	d = find(c, n, "amount");
	ok(d && d->type == LA_T_DECIMAL && d->max_digits == 8 &&
	        d->decimal_places == 3,
	    "DECIMAL(8,3)");
	d = find(c, n, "doc");
	ok(d && d->type == LA_T_JSON, "MariaDB JSON is json");
	d = find(c, n, "seen");
	ok(d && d->type == LA_T_DATETIME && (d->flags & LA_COL_NULLABLE) &&
	        !(d->flags & LA_COL_DBDEFAULT),
	    "nullable datetime without a default");
	d = find(c, n, "v");
	ok(d && (d->flags & LA_COL_UNIQUE) && d->max_length == 20,
	    "unique VARCHAR(20)");
	d = find(c, n, "pa_id");
	ok(d && d->fk_table && strcmp(d->fk_table, "pa") == 0 && d->fk_col &&
	        strcmp(d->fk_col, "id") == 0,
	    "foreign key to pa.id");
	is_int(la_db_reflect(db, "pa", a, &c, &n), LA_DB_DONE, "reflect pa");
	d = find(c, n, "id");
	ok(d && (d->flags & LA_COL_PK) && (d->flags & LA_COL_AUTOINC) &&
	        d->type == LA_T_INT,
	    "auto_increment key");
	d = find(c, n, "a");
	ok(d && !(d->flags & LA_COL_UNIQUE), "composite unique is no column's");
	ok(la_db_reflect(db, "nowhere", a, &c, &n) < 0, "missing table");
	is_str(la_db_errmsg(db), "no such table: nowhere", "named");
	la_arena_free(a);
}

/* ---- transactions, timeout, reconnect -------------------------------- */

static void
test_tx(struct la_db_conn *db)
{
	struct la_arena *a = la_arena_new(1024);
	struct la_value p = la_value_text("tx@x", 4);

	is_int(la_db_begin(db, NULL), LA_DB_DONE, "begin");
	run(db, "INSERT INTO `pa` (`email`) VALUES (?)", &p, 1, NULL);
	is_int(la_db_rollback(db), LA_DB_DONE, "rollback");
	is_int(count(db, "SELECT COUNT(*) FROM pa WHERE email = 'tx@x'"), 0,
	    "rolled back");
	is_int(la_db_begin(db, a), LA_DB_DONE, "begin with an arena");
	run(db, "INSERT INTO `pa` (`email`) VALUES (?)", &p, 1, NULL);
	la_arena_reset(a);
	is_int(count(db, "SELECT COUNT(*) FROM pa WHERE email = 'tx@x'"), 0,
	    "the arena rolled it back");
	is_int(la_db_begin(db, a), LA_DB_DONE, "begin");
	run(db, "INSERT INTO `pa` (`email`) VALUES (?)", &p, 1, NULL);
	is_int(la_db_commit(db), LA_DB_DONE, "commit");
	is_int(count(db, "SELECT COUNT(*) FROM pa WHERE email = 'tx@x'"), 1,
	    "committed");
	la_arena_free(a);
}

/*
 * A connection idle while the server restarted is found closed before the
 * next statement is sent, and opened again with its statements prepared
 * anew: the first request after the restart succeeds. One inside a
 * transaction fails instead, since the transaction died with it.
 */
static void
test_idle_through_restart(struct la_db_conn *db)
{
	struct la_db_conn tx;
	struct la_value p = la_value_text("tx@x", 4), v;
	char err[256];

	is_int(
	    run(db, "SELECT COUNT(*) FROM `pa` WHERE `email` = ?", &p, 1, &v),
	    LA_DB_ROW, "a cached statement");
	if (la_db_connect(&tx, url, err, sizeof(err)) != 0) {
		ok(0, "second connection: %s", err);
		return;
	}
	la_db_set_timeout(db, 1500);
	is_int(la_db_begin(&tx, NULL), LA_DB_DONE, "a transaction left open");
	server_stop();
	server_start();
	is_int(server_wait(url), 0, "server restarted");
	v = LA_VALUE_NULL;
	is_int(
	    run(db, "SELECT COUNT(*) FROM `pa` WHERE `email` = ?", &p, 1, &v),
	    LA_DB_ROW, "first statement after the restart runs");
	ok(v.kind == LA_V_INT && v.i == 1, "with the right answer");
	ok(!db->lost, "without the layer reconnecting");
	is_int(count(db, "SELECT CAST(@@max_statement_time * 1000 AS SIGNED)"),
	    1500, "the statement timeout set again");
	la_db_set_timeout(db, 0);
	is_int(run(&tx, "SELECT 1", NULL, 0, NULL), LA_DB_EUNAVAIL,
	    "in a transaction the lost connection is an error");
	(void)la_db_rollback(&tx);
	is_int(run(&tx, "SELECT 1", NULL, 0, NULL), LA_DB_ROW,
	    "after it ended, the connection is opened again");
	la_db_disconnect(&tx);
}

static void
test_timeout_and_reconnect(struct la_db_conn *db)
{
	struct timespec t0, t1;
	char err[256];
	long ms;

	la_db_set_timeout(db, 200);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(run(db, "SELECT SLEEP(5)", NULL, 0, NULL), LA_DB_EUNAVAIL,
	    "a long statement is stopped by the server");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ok(ms < 2000, "after the timeout: %ld ms", ms);
	ok(db->lost, "marked for reconnecting");
	is_int(la_db_ensure(db, url, err, sizeof(err)), 0, "reconnect");
	is_int(count(db, "SELECT CAST(@@max_statement_time * 1000 AS SIGNED)"),
	    200, "timeout kept across the reconnect");
	la_db_set_timeout(db, 0);
	server_stop();
	is_int(la_db_ping(db), LA_DB_EUNAVAIL, "server gone: unavailable");
	ok(la_db_ensure(db, url, err, sizeof(err)) == -1, "cannot reconnect");
	ok(strstr(err, "cannot connect") != NULL, "says why: %s", err);
	server_start();
	is_int(server_wait(url), 0, "server back");
	is_int(la_db_ensure(db, url, err, sizeof(err)), 0, "reconnected");
	is_int(count(db, "SELECT COUNT(*) FROM pa WHERE email = 'tx@x'"), 1,
	    "data still there");
	test_idle_through_restart(db);
}

static void
test_urls(void)
{
	static const struct {
		const char *opts;
		const char *err; /* NULL: connects */
	} cases[] = {
	    {"&charset=utf8mb4&connect_timeout=3", NULL},
	    {"&read_timeout=5&write_timeout=5&ssl_mode=DISABLED", NULL},
	    {"&charset=latin1", "mysql: charset must be utf8mb4"},
	    {"&sslmode=require", "mysql: unknown URL option 'sslmode'"},
	    {"&connect_timeout=soon",
	        "mysql: connect_timeout must be seconds, not \"soon\""},
	    {"&ssl_mode=maybe", "mysql: ssl_mode must be"},
	};
	struct la_db_conn c;
	char u[700], err[512];
	size_t i;
	int rc;

	for (i = 0; i < LA_NELEM(cases); i++) {
		snprintf(u, sizeof(u), "%s%s", url, cases[i].opts);
		err[0] = '\0';
		rc = la_db_connect(&c, u, err, sizeof(err));
		if (cases[i].err == NULL)
			ok(rc == 0, "%s connects (%s)", cases[i].opts, err);
		else
			ok(rc == -1 && strncmp(err, cases[i].err,
			                   strlen(cases[i].err)) == 0,
			    "%s: %s", cases[i].opts, err);
		if (rc == 0)
			la_db_disconnect(&c);
	}
	snprintf(u, sizeof(u),
	    "mariadb://root:Top%%40Secret@localhost/t?unix_socket=%s", sock);
	ok(la_db_connect(&c, u, err, sizeof(err)) == -1 &&
	        strstr(err, "Access denied") != NULL &&
	        strstr(err, "Secret") == NULL,
	    "wrong password refused, not echoed: %s", err);
	ok(la_db_connect(&c, "mysql://u:pw@127.0.0.1:1/x?connect_timeout=2",
	       err, sizeof(err)) == -1 &&
	        strstr(err, "127.0.0.1") != NULL && strstr(err, "pw") == NULL,
	    "unreachable: %s", err);
}

int
main(void)
{
	struct la_db_conn db;
	char err[256], cmd[300];

	if (!have_program("mariadbd") || !have_program("mariadb-install-db")) {
		printf("1..0 # SKIP no MariaDB server programs\n");
		return (0);
	}
	if (server_init() != 0) {
		ok(0, "throw-away MariaDB started");
		server_stop();
		return (done_testing());
	}
	ok(strstr(la_db_drivers(), "mysql") != NULL, "mysql driver compiled");
	if (la_db_connect(&db, url, err, sizeof(err)) != 0) {
		ok(0, "connect: %s", err);
	} else {
		ok(1, "connect");
		is_int(la_db_ping(&db), LA_DB_DONE, "ping");
		ok(db.version >= 100500, "server version %lld",
		    (long long)db.version);
		is_int(count(&db, "SELECT @@session.time_zone = '+00:00'"), 1,
		    "session in UTC");
		is_int(count(&db, "SELECT FIND_IN_SET('STRICT_ALL_TABLES', "
		                  "@@session.sql_mode) > 0"),
		    1, "strict");
		test_kinds(&db);
		test_errors(&db);
		test_reflect(&db);
		test_tx(&db);
		test_urls();
		test_timeout_and_reconnect(&db);
		la_db_disconnect(&db);
	}
	server_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpdir);
	return (done_testing());
}
