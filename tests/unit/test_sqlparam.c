/*
 * Unit tests for lib/sqlparam.c: named parameters become the dialect's
 * placeholders; text inside literals, quoted names, comments, casts and
 * dollar quotes is left alone; what cannot be scanned safely is refused.
 */
#include <string.h>

#include "arena.h"
#include "sqlparam.h"
#include "tap.h"

static struct la_arena *a;
static struct la_sqlparam p;
static char err[128];

static int
rw(const char *sql, enum la_dialect d)
{
	memset(&p, 0, sizeof(p));
	return (la_sqlparam_rewrite(sql, d, a, &p, err, sizeof(err)));
}

static void
test_placeholders(void)
{
	is_int(rw("SELECT * FROM b WHERE x >= :min AND y = :min",
	           LA_DIALECT_SQLITE),
	    0, "two uses");
	is_str(p.sql, "SELECT * FROM b WHERE x >= ? AND y = ?", "sqlite ?");
	is_int(p.nplace, 2, "a name used twice binds twice");
	is_str(p.names[0], "min", "first name");
	is_str(p.names[1], "min", "second name");
	is_int(rw("SELECT :a, :b_2", LA_DIALECT_PGSQL), 0, "pg");
	is_str(p.sql, "SELECT $1, $2", "pg numbers");
	is_str(p.names[1], "b_2", "name with digit");
	is_int(rw("UPDATE t SET x = :v;  \n", LA_DIALECT_MYSQL), 0, "mysql");
	is_str(p.sql, "UPDATE t SET x = ?", "trailing ';' dropped");
	is_int(rw("SELECT 1", LA_DIALECT_SQLITE), 0, "no parameter");
	is_int(p.nplace, 0, "none");
}

static void
test_hidden(void)
{
	is_int(rw("SELECT ':no', 'it''s :no', \":no\" FROM t WHERE a = :yes",
	           LA_DIALECT_SQLITE),
	    0, "literals");
	is_str(p.sql, "SELECT ':no', 'it''s :no', \":no\" FROM t WHERE a = ?",
	    "literals kept");
	is_int(p.nplace, 1, "one parameter");
	is_int(rw("SELECT x::text, :v::int FROM t", LA_DIALECT_PGSQL), 0,
	    "casts");
	is_str(p.sql, "SELECT x::text, $1::int FROM t", "cast kept");
	is_int(rw("SELECT 1 -- :no\n, 2 /* :no /* :no */ :no */ , :y",
	           LA_DIALECT_PGSQL),
	    0, "comments");
	is_int(p.nplace, 1, "nested comment on pg");
	is_int(rw("SELECT $$ :no $$, $t$ :no $$ $t$, :y", LA_DIALECT_PGSQL), 0,
	    "dollar quotes");
	is_int(p.nplace, 1, "dollar quotes hide names");
	is_int(rw("SELECT 'a\\' :no ', :y # :no\n", LA_DIALECT_MYSQL), 0,
	    "mysql backslash and #");
	is_int(p.nplace, 1, "one on mysql");
	is_int(rw("SELECT E'\\' :no', :y", LA_DIALECT_PGSQL), 0, "E string");
	is_int(p.nplace, 1, "one in E string");
	is_int(rw("SELECT `:no`, [:no], :y", LA_DIALECT_SQLITE), 0,
	    "sqlite quoted names");
	is_int(p.nplace, 1, "one on sqlite");
	is_int(rw("SELECT a:b, :1, @x := 2", LA_DIALECT_MYSQL), 0, "not names");
	is_int(p.nplace, 0, "none of them");
	is_str(p.sql, "SELECT a:b, :1, @x := 2", "kept as written");
}

static void
test_refused(void)
{
	is_int(rw("SELECT 'open", LA_DIALECT_SQLITE), -1, "open literal");
	ok(strstr(err, "unterminated") != NULL, "says unterminated: %s", err);
	is_int(rw("SELECT \"open", LA_DIALECT_PGSQL), -1, "open name");
	is_int(rw("SELECT 1 /* open", LA_DIALECT_MYSQL), -1, "open comment");
	is_int(rw("SELECT $x$ open", LA_DIALECT_PGSQL), -1, "open dollar");
	is_int(rw("SELECT 1; DROP TABLE t", LA_DIALECT_SQLITE), -1,
	    "two statements");
	ok(strstr(err, "one statement") != NULL, "says one statement");
	is_int(rw("SELECT * FROM t WHERE a = ?", LA_DIALECT_SQLITE), -1, "?");
	is_int(rw("SELECT * FROM t WHERE a = $1", LA_DIALECT_PGSQL), -1, "$1");
	is_int(rw("  ; ", LA_DIALECT_PGSQL), -1, "empty");
	is_int(rw("SELECT 1; -- done", LA_DIALECT_PGSQL), 0, "comment after ;");
}

static void
test_reads(void)
{
	ok(la_sqlparam_reads("SELECT 1"), "select");
	ok(la_sqlparam_reads("  -- c\n /* c */ (with x as (select 1) "
	                     "select * from x)"),
	    "with after comments");
	ok(la_sqlparam_reads("values (1)"), "values");
	ok(!la_sqlparam_reads("UPDATE t SET a = 1"), "update");
	ok(!la_sqlparam_reads("selected"), "not a prefix match");
	ok(!la_sqlparam_reads("DELETE FROM t"), "delete");
}

int
main(void)
{
	a = la_arena_new(4096);
	test_placeholders();
	test_hidden();
	test_refused();
	test_reads();
	la_arena_free(a);
	return (done_testing());
}
