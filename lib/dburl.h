/*
 * SQLAlchemy-style database URLs: sqlite:///rel.db, sqlite:////abs.db,
 * sqlite:///:memory:, postgresql://u:p@h:5432/db, mysql://..., with
 * ?key=value options kept for the driver.
 */
#ifndef LA_DBURL_H
#define LA_DBURL_H

#include <stddef.h>

struct la_arena;

enum la_dbkind { LA_DB_SQLITE = 1, LA_DB_PGSQL, LA_DB_MYSQL };

struct la_dburl_opt {
	const char *key, *value;
};

struct la_dburl {
	enum la_dbkind kind;
	const char *path; /* sqlite: file path or ":memory:" */
	const char *user, *password, *host, *dbname;
	int port; /* 0 when not given */
	struct la_dburl_opt *opts;
	size_t nopts;
};

/* 0, or -1 with a message in err. Strings are percent-decoded. */
int la_dburl_parse(const char *url, struct la_dburl *out, struct la_arena *a,
    char *err, size_t errlen);

#endif
