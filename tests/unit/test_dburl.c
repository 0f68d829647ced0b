/*
 * Tests for SQLAlchemy-style database URLs: every dialect spelling, the
 * SQLite path forms, user information with percent-encoding, ports, Unix
 * sockets, driver options, and the errors.
 */
#include <string.h>

#include "arena.h"
#include "dburl.h"
#include "la.h"
#include "tap.h"

struct want {
	const char *url;
	enum la_dbkind kind;
	const char *path, *user, *password, *host, *dbname;
	int port;
	size_t nopts;
};

static const struct want good[] = {
    {"sqlite:///relative.db", LA_DB_SQLITE, "relative.db", NULL, NULL, NULL,
        NULL, 0, 0},
    {"sqlite:////abs/path.db", LA_DB_SQLITE, "/abs/path.db", NULL, NULL, NULL,
        NULL, 0, 0},
    {"sqlite:///:memory:", LA_DB_SQLITE, ":memory:", NULL, NULL, NULL, NULL, 0,
        0},
    {"sqlite://", LA_DB_SQLITE, ":memory:", NULL, NULL, NULL, NULL, 0, 0},
    {"sqlite:///", LA_DB_SQLITE, ":memory:", NULL, NULL, NULL, NULL, 0, 0},
    {"sqlite:///data/my%20app.db", LA_DB_SQLITE, "data/my app.db", NULL, NULL,
        NULL, NULL, 0, 0},
    {"sqlite+pysqlite:///x.db?mode=ro", LA_DB_SQLITE, "x.db", NULL, NULL, NULL,
        NULL, 0, 1},
    {"postgresql://user:pass@host:5432/db", LA_DB_PGSQL, NULL, "user", "pass",
        "host", "db", 5432, 0},
    {"postgres://u@h/d", LA_DB_PGSQL, NULL, "u", NULL, "h", "d", 0, 0},
    {"postgresql+psycopg2://u:p@h/d", LA_DB_PGSQL, NULL, "u", "p", "h", "d", 0,
        0},
    {"postgresql://localhost", LA_DB_PGSQL, NULL, NULL, NULL, "localhost", NULL,
        0, 0},
    {"postgresql:///app?host=/run/postgresql", LA_DB_PGSQL, NULL, NULL, NULL,
        NULL, "app", 0, 1},
    {"postgresql://u:p%40ss%3Aw%2Fd@h:1/d", LA_DB_PGSQL, NULL, "u", "p@ss:w/d",
        "h", "d", 1, 0},
    {"postgresql://u:a:b/c?d@h/db", LA_DB_PGSQL, NULL, "u", "a:b/c?d", "h",
        "db", 0, 0},
    {"postgresql://u:@h/d", LA_DB_PGSQL, NULL, "u", "", "h", "d", 0, 0},
    {"postgresql://[::1]:5433/d", LA_DB_PGSQL, NULL, NULL, NULL, "::1", "d",
        5433, 0},
    {"postgresql://%2Frun%2Fpostgresql/d", LA_DB_PGSQL, NULL, NULL, NULL,
        "/run/postgresql", "d", 0, 0},
    {"mysql://user:pass@host:3306/db", LA_DB_MYSQL, NULL, "user", "pass",
        "host", "db", 3306, 0},
    {"mariadb://root@localhost/test", LA_DB_MYSQL, NULL, "root", NULL,
        "localhost", "test", 0, 0},
    {"mysql+pymysql://u:p@/db?unix_socket=/tmp/m.sock&charset=utf8mb4",
        LA_DB_MYSQL, NULL, "u", "p", NULL, "db", 0, 2},
    {"mysql://h/db?a=1&&b&c=x+y%26z", LA_DB_MYSQL, NULL, NULL, NULL, "h", "db",
        0, 3},
    /* What the MySQL driver reads: a password with reserved characters,
     * IPv6, a port, TLS options with paths. */
    {"mariadb://app:p%40ss%3Aw%2Fd@[::1]:3307/shop?ssl_mode=VERIFY_CA&"
     "ssl_ca=%2Fetc%2Fssl%2Fca.pem",
        LA_DB_MYSQL, NULL, "app", "p@ss:w/d", "::1", "shop", 3307, 2},
    {"mysql+pymysql://app@localhost/shop?unix_socket=%2Frun%2Fmysqld%2F"
     "mysqld.sock&connect_timeout=3&read_timeout=10",
        LA_DB_MYSQL, NULL, "app", NULL, "localhost", "shop", 0, 3},
};

static void
check(struct la_arena *a, const struct want *w)
{
	struct la_dburl u;
	char err[256] = "";
	int rc;

	rc = la_dburl_parse(w->url, &u, a, err, sizeof(err));
	if (!ok(rc == 0, "%s parses", w->url)) {
		diag("%s", err);
		return;
	}
	is_int(u.kind, w->kind, "%s: kind", w->url);
	is_str(u.path, w->path, "%s: path", w->url);
	is_str(u.user, w->user, "%s: user", w->url);
	is_str(u.password, w->password, "%s: password", w->url);
	is_str(u.host, w->host, "%s: host", w->url);
	is_str(u.dbname, w->dbname, "%s: dbname", w->url);
	is_int(u.port, w->port, "%s: port", w->url);
	is_int(u.nopts, w->nopts, "%s: options", w->url);
}

static void
test_options(struct la_arena *a)
{
	struct la_dburl u;
	char err[256];

	if (la_dburl_parse("mysql://h/db?a=1&&b&c=x+y%26z", &u, a, err,
	        sizeof(err)) != 0 ||
	    u.nopts != 3) {
		ok(0, "options parse");
		return;
	}
	is_str(u.opts[0].key, "a", "option 1 key");
	is_str(u.opts[0].value, "1", "option 1 value");
	is_str(u.opts[1].key, "b", "option without '='");
	is_str(u.opts[1].value, "", "option without '=' is empty");
	is_str(u.opts[2].value, "x y&z", "'+' and %%26 decoded in options");
	if (la_dburl_parse("mysql://app@/db?unix_socket=%2Frun%2Fm.sock&"
	                   "ssl_ca=%2Fa+b%2Fca.pem",
	        &u, a, err, sizeof(err)) == 0 &&
	    u.nopts == 2) {
		is_str(u.opts[0].value, "/run/m.sock", "socket path decoded");
		is_str(u.opts[1].key, "ssl_ca",
		    "TLS option kept for the driver");
		is_str(u.opts[1].value, "/a b/ca.pem", "TLS file path decoded");
		ok(u.host == NULL, "no host: the driver uses the socket");
	} else
		ok(0, "mysql socket options parse");
	la_dburl_parse("postgresql:///app?host=/run/postgresql&sslmode=require",
	    &u, a, err, sizeof(err));
	is_str(u.opts[0].key, "host", "unix socket via ?host=");
	is_str(u.opts[0].value, "/run/postgresql", "socket directory");
	is_str(u.opts[1].value, "require", "sslmode");
}

/*
 * What the PostgreSQL driver hands libpq: every option decoded, in order,
 * so that a later one overrides an earlier one as libpq expects, and the
 * libpq option syntax inside a value (options=-c...) left alone.
 */
static void
test_pgsql_options(struct la_arena *a)
{
	static const char *const want[][2] = {
	    {"sslmode", "verify-full"},
	    {"sslrootcert", "/etc/ssl/certs/ca.pem"},
	    {"connect_timeout", "3"},
	    {"application_name", "my app"},
	    {"options", "-c search_path=sales"},
	    {"schema", "sales,public"},
	    {"host", "/run/postgresql"},
	};
	struct la_dburl u;
	char err[256];
	size_t i;

	if (la_dburl_parse(
	        "postgres://app:pw@db.example:6432/shop?"
	        "sslmode=verify-full&sslrootcert=/etc/ssl/certs/"
	        "ca.pem&connect_timeout=3&application_name=my%20app&"
	        "options=-c%20search_path%3Dsales&schema=sales,public&"
	        "host=%2Frun%2Fpostgresql",
	        &u, a, err, sizeof(err)) != 0 ||
	    u.nopts != LA_NELEM(want)) {
		ok(0, "pgsql options parse");
		return;
	}
	for (i = 0; i < LA_NELEM(want); i++) {
		is_str(u.opts[i].key, want[i][0], "pgsql option key");
		is_str(u.opts[i].value, want[i][1], "pgsql option value");
	}
	is_str(u.host, "db.example", "host before the options");
	is_int(u.port, 6432, "pgbouncer port");
	is_str(u.password, "pw", "password from the user information");
}

static const struct {
	const char *url, *err;
} bad[] = {
    {"oracle://x/y",
        "unknown database URL scheme 'oracle' (use sqlite, postgresql or "
        "mysql)"},
    {"postgresql+://h/d",
        "unknown database URL scheme 'postgresql+' (use sqlite, postgresql or "
        "mysql)"},
    {"my_app.db", "database URL does not start with 'scheme://' (expected e.g. "
                  "sqlite:///file.db or postgresql://host/db)"},
    {"sqlite:relative.db",
        "database URL does not start with 'scheme://' (expected e.g. "
        "sqlite:///file.db or postgresql://host/db)"},
    {"sqlite://host/x.db",
        "a sqlite URL has no host: use sqlite:///relative.db or "
        "sqlite:////absolute/path.db"},
    {"postgresql://h:abc/d", "bad port 'abc' in database URL"},
    {"postgresql://h:0/d", "bad port '0' in database URL"},
    {"postgresql://h:65536/d", "bad port '65536' in database URL"},
    {"postgresql://h:/d", "bad port '' in database URL"},
    {"postgresql://h:-1/d", "bad port '-1' in database URL"},
    {"postgresql://[::1/d", "unterminated '[' in database URL host"},
    {"postgresql://[::1]x/d", "junk after ']' in database URL host"},
    {"postgresql://u:p%zz@h/d", "bad percent-encoding in database URL"},
    {"postgresql://h/d%00x", "bad percent-encoding in database URL"},
    {"sqlite:///x%2", "bad percent-encoding in database URL"},
    {"mysql://h/d?=x", "empty option name in database URL"},
};

static void
test_bad(struct la_arena *a)
{
	struct la_dburl u;
	char err[256];
	size_t i;

	for (i = 0; i < LA_NELEM(bad); i++) {
		err[0] = '\0';
		ok(la_dburl_parse(bad[i].url, &u, a, err, sizeof(err)) == -1,
		    "%s fails", bad[i].url);
		is_str(err, bad[i].err, "%s: message", bad[i].url);
	}
	/* The password must never reach a message. */
	la_dburl_parse("postgresql://u:hunter2@h:x/d", &u, a, err, sizeof(err));
	ok(strstr(err, "hunter2") == NULL, "message hides the password");
	la_dburl_parse("bogus+hunter2", &u, a, err, sizeof(err));
	ok(strstr(err, "hunter2") == NULL, "no-scheme message quotes nothing");
}

int
main(void)
{
	struct la_arena *a = la_arena_new(4096);
	size_t i;

	for (i = 0; i < LA_NELEM(good); i++)
		check(a, &good[i]);
	test_options(a);
	test_pgsql_options(a);
	test_bad(a);
	la_arena_free(a);
	return (done_testing());
}
