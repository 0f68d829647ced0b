/*
 * Tests for the PostgreSQL driver through the database layer, against a
 * throw-away server this test starts itself (initdb in a temporary
 * directory, a Unix socket only; as root the server runs as "nobody",
 * since PostgreSQL refuses root). Skipped, as a pass, only when the
 * server programs are not installed.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "arena.h"
#include "la.h"
#include "tap.h"

static char dir[] = "/tmp/test_db_pgsql.XXXXXX";
static char bindir[256];
static char url[512];

/* ---- the server ---------------------------------------------------- */

static int
find_bindir(void)
{
	glob_t g;
	int rc = -1;
	char *slash;

	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0 &&
	    g.gl_pathc > 0) {
		snprintf(bindir, sizeof(bindir), "%s",
		    g.gl_pathv[g.gl_pathc - 1]);
		if ((slash = strrchr(bindir, '/')) != NULL)
			*slash = '\0';
		rc = 0;
	}
	globfree(&g);
	return (rc);
}

/* Runs a server program, as nobody when root; its exit status. */
static int
pg_cmd(const char *prog)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s%s >>%s/log 2>&1",
	    geteuid() == 0 ? "runuser -u nobody -- " : "", prog, dir);
	return (system(cmd));
}

static int
server_start(void)
{
	struct passwd *pw;
	char prog[900];

	if (mkdtemp(dir) == NULL)
		return (-1);
	if (geteuid() == 0 && (pw = getpwnam("nobody")) != NULL &&
	    chown(dir, pw->pw_uid, pw->pw_gid) != 0)
		return (-1);
	snprintf(prog, sizeof(prog),
	    "%s/initdb -D %s/data -U postgres --auth=trust --no-sync -E UTF8 "
	    "--locale=C.UTF-8",
	    bindir, dir);
	if (pg_cmd(prog) != 0)
		return (-1);
	snprintf(prog, sizeof(prog),
	    "%s/pg_ctl -D %s/data -w -o \"-k %s -c listen_addresses= "
	    "-c fsync=off\" start",
	    bindir, dir, dir);
	if (pg_cmd(prog) != 0)
		return (-1);
	snprintf(url, sizeof(url), "postgresql://postgres@/postgres?host=%s",
	    dir);
	return (0);
}

static void
server_stop(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "%s/pg_ctl -D %s/data -m fast -w stop",
	    bindir, dir);
	pg_cmd(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("cannot remove %s", dir);
}

/* ---- helpers ------------------------------------------------------- */

static int
exec(struct la_db_conn *c, const char *sql)
{
	int rc = la_db_exec(c, sql);

	if (rc != LA_DB_DONE)
		diag("exec %s: %s", sql, la_db_rawmsg(c));
	return (rc);
}

/* Column 0 of the first row of sql, copied into out. */
static int
one(struct la_db_conn *c, const char *sql, const struct la_value *p, size_t n,
    struct la_value *v, char *out, size_t outlen)
{
	struct la_db_stmt *st;
	int rc = la_db_query(c, NULL, sql, p, n, &st);

	*v = LA_VALUE_NULL;
	if (rc == LA_DB_ROW) {
		la_db_column(st, 0, v);
		if (v->kind == LA_V_TEXT) {
			snprintf(out, outlen, "%.*s", (int)v->len, v->s);
			v->s = out;
		}
	}
	la_db_finish(st);
	return (rc);
}

/* ---- tests ----------------------------------------------------------- */

static const struct {
	const char *sql;
	enum la_type type;
	const char *text; /* the text form, for LA_V_TEXT */
	int64_t i;
} kinds[] = {
    {"SELECT 42::bigint", LA_T_INT, NULL, 42},
    {"SELECT (-7)::int2", LA_T_INT, NULL, -7},
    {"SELECT 0.25::float8", LA_T_FLOAT, NULL, 0},
    {"SELECT true", LA_T_BOOL, NULL, 1},
    {"SELECT false", LA_T_BOOL, NULL, 0},
    {"SELECT 'x y'::text", LA_T_STR, "x y", 0},
    {"SELECT 'v'::varchar(3)", LA_T_STR, "v", 0},
    {"SELECT '2026-11-21 08:51:13.7647'::timestamp", LA_T_DATETIME,
        "2026-11-21T08:51:13.764700", 0},
    {"SELECT '2026-11-21 08:51:13'::timestamp", LA_T_DATETIME,
        "2026-11-21T08:51:13", 0},
    {"SELECT '2026-11-21 10:51:13.5+02'::timestamptz", LA_T_DATETIME,
        "2026-11-21T08:51:13.500000", 0},
    {"SELECT '2026-11-21'::date", LA_T_DATE, "2026-11-21", 0},
    {"SELECT '08:51:13'::time", LA_T_TIME, "08:51:13", 0},
    {"SELECT 10::numeric(10,2)", LA_T_DECIMAL, "10.00", 0},
    {"SELECT '6F1C2F57-3A4B-4C1E-9A3E-0A1B2C3D4E5F'::uuid", LA_T_UUID,
        "6f1c2f57-3a4b-4c1e-9a3e-0a1b2c3d4e5f", 0},
    {"SELECT '{\"b\": [1, 2], \"a\": \"x y\"}'::jsonb", LA_T_JSON,
        "{\"a\":\"x y\",\"b\":[1,2]}", 0},
};

static void
test_kinds(struct la_db_conn *c)
{
	struct la_value v;
	char buf[128];
	size_t i;
	int good;

	for (i = 0; i < LA_NELEM(kinds); i++) {
		if (one(c, kinds[i].sql, NULL, 0, &v, buf, sizeof(buf)) !=
		    LA_DB_ROW) {
			ok(0, "%s: %s", kinds[i].sql, la_db_rawmsg(c));
			continue;
		}
		good = v.kind == la_db_kind_of(kinds[i].type);
		if (v.kind == LA_V_TEXT)
			good = good && strcmp(v.s, kinds[i].text) == 0;
		else if (v.kind == LA_V_INT)
			good = good && v.i == kinds[i].i;
		else if (v.kind == LA_V_FLOAT)
			good = good && v.f == 0.25;
		ok(good, "%s comes back as db.h says", kinds[i].sql);
		if (!good && v.kind == LA_V_TEXT)
			diag("got '%s'", v.s);
	}
	ok(one(c, "SELECT NULL::int", NULL, 0, &v, buf, sizeof(buf)) ==
	            LA_DB_ROW &&
	        v.kind == LA_V_NULL,
	    "NULL");
}

static void
test_params(struct la_db_conn *c)
{
	struct la_value p[4], v;
	char buf[128];

	p[0] = la_value_int(INT64_MAX);
	ok(one(c, "SELECT $1::bigint", p, 1, &v, buf, sizeof(buf)) ==
	            LA_DB_ROW &&
	        v.i == INT64_MAX,
	    "int64 parameter");
	p[0] = la_value_float(0.1);
	ok(one(c, "SELECT $1::float8", p, 1, &v, buf, sizeof(buf)) ==
	            LA_DB_ROW &&
	        v.f == 0.1,
	    "double parameter reads back exactly");
	p[0] = la_value_text("a'b\"c", 5);
	ok(one(c, "SELECT $1::text", p, 1, &v, buf, sizeof(buf)) == LA_DB_ROW &&
	        strcmp(v.s, "a'b\"c") == 0,
	    "text parameter, quotes and all");
	p[0] = la_value_int(1);
	ok(one(c, "SELECT NOT $1::boolean", p, 1, &v, buf, sizeof(buf)) ==
	            LA_DB_ROW &&
	        v.i == 0,
	    "1 binds a boolean");
	p[0] = LA_VALUE_NULL;
	ok(one(c, "SELECT $1::text IS NULL", p, 1, &v, buf, sizeof(buf)) ==
	            LA_DB_ROW &&
	        v.i == 1,
	    "NULL parameter");
	p[0] = la_value_text("\xff\xfe", 2);
	ok(one(c, "SELECT $1::text", p, 1, &v, buf, sizeof(buf)) == LA_DB_ROW &&
	        strcmp(v.s, "\xef\xbf\xbd\xef\xbf\xbd") == 0,
	    "bytes that are not UTF-8 become U+FFFD");
	p[0] = la_value_text("a\0b", 3);
	ok(one(c, "SELECT $1::text", p, 1, &v, buf, sizeof(buf)) ==
	        LA_DB_EOTHER,
	    "a NUL byte is refused, not cut short");
}

static void
test_errors(struct la_db_conn *c)
{
	struct la_value p[2], v;
	char buf[128];

	exec(c, "CREATE TABLE a (id bigint GENERATED BY DEFAULT AS IDENTITY "
	        "PRIMARY KEY, e text UNIQUE, n int NOT NULL DEFAULT 0 "
	        "CHECK (n >= 0))");
	exec(c, "CREATE TABLE b (id serial PRIMARY KEY, a_id bigint "
	        "REFERENCES a(id))");
	p[0] = la_value_text("x", 1);
	is_int(one(c, "INSERT INTO a (e) VALUES ($1) RETURNING id", p, 1, &v,
	           buf, sizeof(buf)),
	    LA_DB_ROW, "insert returning");
	is_int(la_db_changes(c), 1, "one row changed");
	is_int(
	    one(c, "INSERT INTO a (e) VALUES ($1)", p, 1, &v, buf, sizeof(buf)),
	    LA_DB_EUNIQUE, "unique");
	is_str(la_db_errmsg(c), "unique constraint violated: a.e",
	    "unique names the column");
	ok(strstr(la_db_rawmsg(c), "23505") != NULL, "raw has the SQLSTATE");
	p[0] = la_value_int(99);
	is_int(one(c, "INSERT INTO b (a_id) VALUES ($1)", p, 1, &v, buf,
	           sizeof(buf)),
	    LA_DB_EFK, "foreign key");
	is_str(la_db_errmsg(c), "foreign key constraint violated: b.a_id",
	    "foreign key names the column");
	p[0] = la_value_int(-1);
	is_int(one(c, "UPDATE a SET n = $1", p, 1, &v, buf, sizeof(buf)),
	    LA_DB_ECHECK, "check");
	is_str(la_db_errmsg(c), "check constraint violated: a.n",
	    "check names the column");
	p[0] = LA_VALUE_NULL;
	is_int(one(c, "UPDATE a SET n = $1", p, 1, &v, buf, sizeof(buf)),
	    LA_DB_ENOTNULL, "not null");
	is_str(la_db_errmsg(c), "not null constraint violated: a.n",
	    "not null names the column");
	/* Inside a failed transaction the catalog cannot be asked. */
	is_int(la_db_begin(c, NULL), LA_DB_DONE, "begin");
	p[0] = la_value_text("x", 1);
	is_int(
	    one(c, "INSERT INTO a (e) VALUES ($1)", p, 1, &v, buf, sizeof(buf)),
	    LA_DB_EUNIQUE, "unique in a transaction");
	is_str(la_db_errmsg(c), "unique constraint violated: a.a_e_key",
	    "the constraint's name there");
	ok(la_db_commit(c) < 0, "commit of a failed transaction fails");
	is_int(one(c, "SELECT count(*) FROM a", NULL, 0, &v, buf, sizeof(buf)),
	    LA_DB_ROW, "usable after it");
	is_int(v.i, 1, "nothing of it kept");
	is_int(la_db_begin(c, NULL), LA_DB_DONE, "begin again");
	p[0] = la_value_text("y", 1);
	one(c, "INSERT INTO a (e) VALUES ($1)", p, 1, &v, buf, sizeof(buf));
	is_int(la_db_rollback(c), LA_DB_DONE, "rollback");
	one(c, "SELECT count(*) FROM a", NULL, 0, &v, buf, sizeof(buf));
	is_int(v.i, 1, "rolled back");
	is_int(one(c, "SELEC 1", NULL, 0, &v, buf, sizeof(buf)), LA_DB_EOTHER,
	    "syntax error is EOTHER");
}

static void
test_timeout(struct la_db_conn *c)
{
	struct la_value v;
	char buf[64];

	la_db_set_timeout(c, 100);
	is_int(one(c, "SELECT pg_sleep(2)", NULL, 0, &v, buf, sizeof(buf)),
	    LA_DB_EUNAVAIL, "statement timeout is unavailable");
	ok(strstr(la_db_rawmsg(c), "57014") != NULL, "canceled by the server");
	ok(c->lost, "layer reconnects after it");
	la_db_set_timeout(c, 0);
}

/*
 * A connection the server ended while idle is replaced before the next
 * statement: the statement, prepared on the old session, runs, and the
 * timeout set through the layer still holds.
 */
static void
test_reset(struct la_db_conn *c)
{
	struct la_db_conn c2;
	struct la_value v, p;
	char buf[64], err[256];
	int64_t pid;

	if (la_db_connect(&c2, url, err, sizeof(err)) != 0) {
		ok(0, "second connection: %s", err);
		return;
	}
	la_db_set_timeout(&c2, 250);
	one(&c2, "SELECT pg_backend_pid()", NULL, 0, &v, buf, sizeof(buf));
	pid = v.i;
	p = la_value_int(pid);
	one(c, "SELECT pg_terminate_backend($1::int)", &p, 1, &v, buf,
	    sizeof(buf));
	ok(v.i == 1, "backend terminated");
	usleep(200000);
	is_int(
	    one(&c2, "SELECT pg_backend_pid()", NULL, 0, &v, buf, sizeof(buf)),
	    LA_DB_ROW, "the same statement runs on a new session");
	ok(v.i != pid, "new backend");
	is_int(
	    one(&c2, "SHOW statement_timeout", NULL, 0, &v, buf, sizeof(buf)),
	    LA_DB_ROW, "show timeout");
	is_str(v.s, "250ms", "timeout set again");
	ok(!c2.lost, "the layer saw no failure");
	la_db_disconnect(&c2);
}

static void
test_reflect(struct la_db_conn *c)
{
	struct la_col_def *cols;
	struct la_arena *a = la_arena_new(4096);
	size_t n = 0;

	exec(c, "CREATE SCHEMA s; CREATE TABLE s.\"T\" (k uuid PRIMARY KEY, "
	        "v varchar(9), m numeric(8,3), g int GENERATED ALWAYS AS (1) "
	        "STORED)");
	is_int(la_db_table_exists(c, "T"), 0, "not on the search_path");
	is_int(la_db_table_exists(c, "b_id_seq"), 0, "a sequence is no table");
	is_int(la_db_table_exists(c, "a"), 1, "a table is");
	la_db_disconnect(c);
	snprintf(url + strlen(url), sizeof(url) - strlen(url), "&schema=s");
	if (la_db_connect(c, url, (char[128]){0}, 128) != 0) {
		ok(0, "connect with schema");
		return;
	}
	is_int(la_db_table_exists(c, "T"), 1, "found through ?schema=");
	is_int(la_db_table_exists(c, "t"), 0, "case kept");
	if (la_db_reflect(c, "T", a, &cols, &n) != LA_DB_DONE || n != 4) {
		ok(0, "reflect: %s", la_db_rawmsg(c));
		la_arena_free(a);
		return;
	}
	ok(cols[0].type == LA_T_UUID && (cols[0].flags & LA_COL_PK) &&
	        !(cols[0].flags & LA_COL_AUTOINC),
	    "uuid key, not generated");
	ok(cols[1].type == LA_T_STR && cols[1].max_length == 9 &&
	        (cols[1].flags & LA_COL_NULLABLE),
	    "varchar length");
	ok(cols[2].type == LA_T_DECIMAL && cols[2].max_digits == 8 &&
	        cols[2].decimal_places == 3,
	    "numeric precision and scale");
	ok(cols[3].flags & LA_COL_AUTO, "generated column is not writable");
	la_arena_free(a);
}

int
main(void)
{
	struct la_db_conn c;
	char err[256];

	if (find_bindir() != 0) {
		/* TAP's skip: counted as a pass. */
		printf(
		    "1..0 # SKIP PostgreSQL server programs not installed\n");
		return (0);
	}
	if (server_start() != 0) {
		ok(0, "start a throw-away server (see %s/log)", dir);
		server_stop();
		return (done_testing());
	}
	if (la_db_connect(&c, url, err, sizeof(err)) != 0) {
		ok(0, "connect: %s", err);
		server_stop();
		return (done_testing());
	}
	ok(c.version >= 100000, "server version %lld", (long long)c.version);
	is_int(la_db_ping(&c), LA_DB_DONE, "ping");
	is_int(la_db_writable(&c), LA_DB_DONE, "writable");
	exec(&c, "SET default_transaction_read_only = on");
	is_int(la_db_writable(&c), LA_DB_EUNAVAIL,
	    "a read-only session is not writable");
	is_str(la_db_rawmsg(&c), "server is read-only", "and says why");
	exec(&c, "SET default_transaction_read_only = off");
	c.lost = 0;
	ok(la_db_returning(&c, LA_DIALECT_UPDATE), "RETURNING");
	test_kinds(&c);
	test_params(&c);
	test_errors(&c);
	test_timeout(&c);
	la_db_ensure(&c, url, err, sizeof(err));
	test_reset(&c);
	test_reflect(&c);
	la_db_disconnect(&c);
	server_stop();
	return (done_testing());
}
