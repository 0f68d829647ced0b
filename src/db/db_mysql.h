/*
 * Inside the MySQL/MariaDB driver: what db_mysql.c (connection,
 * statements, errors) and db_mysql_reflect.c (reading a table's
 * definition from information_schema) share. Nothing else includes this.
 */
#ifndef LA_DB_MYSQL_H
#define LA_DB_MYSQL_H

#include <stddef.h>
#include <stdint.h>

#include <mysql.h>

#include "db.h"

/* A result column: its bind buffer and what came back for this row. */
struct la_db_mycol {
	enum enum_field_types type;
	unsigned int flags;    /* field flags (UNSIGNED_FLAG ...) */
	unsigned int decimals; /* scale of a DECIMAL, precision of a time */
	char *buf;             /* text columns: grown to the longest value */
	char *name;            /* as the result names it */
	unsigned long cap;
	unsigned long len;
	my_bool is_null, error;
	long long i;
	double f;
	MYSQL_TIME tm;
	char fmt[64]; /* a time value or a big unsigned, as text */
};

struct la_db_rstmt {
	struct la_db *db;
	MYSQL_STMT *st;
	char *table; /* the table an INSERT/UPDATE/DELETE writes, or NULL */
	unsigned int nparams, ncols;
	MYSQL_BIND *pbind;
	unsigned long *plen;
	MYSQL_BIND *rbind;
	struct la_db_mycol *cols;
	int active;   /* a result is stored and being read */
	char *sql;    /* to prepare it again on a new connection */
	unsigned gen; /* the connection it was prepared on (la_db.gen) */
};

struct la_db {
	MYSQL *h;
	/*
	 * What the connection was opened with (heap copies; the password is
	 * wiped on close), to open it again when the server closed it while
	 * it sat idle; gen counts the connections opened.
	 */
	struct la_dburl url;
	unsigned gen;
	int in_tx;       /* between START TRANSACTION and its end */
	int timeout_ms;  /* the statement timeout, set again on a new one */
	int mariadb;     /* MariaDB server (max_statement_time, CHECK) */
	int64_t changes; /* of the last statement */
	int64_t last_id;
	int err;
	unsigned int code; /* the server's error number */
	char msg[512];
	char raw[1024];
	/*
	 * The columns of a unique key, for the 409 message: a query, so the
	 * error code reaches it through this hook (set by the driver table,
	 * db_mysql_driver.c) rather than calling the reflection it sits
	 * below. NULL: the key is named as the server names it.
	 */
	int (*key_columns)(struct la_db *db, const char *table, const char *key,
	    char *out, size_t outlen);
};

/* db_mysql.c */
struct la_db_rstmt *la_db_mysql_prepare(struct la_db *db, const char *sql);
void la_db_mysql_finalize(struct la_db_rstmt *s);
int la_db_mysql_run(struct la_db_rstmt *s, const struct la_value *params,
    size_t nparams);
int la_db_mysql_next(struct la_db_rstmt *s);
void la_db_mysql_column(struct la_db_rstmt *s, int i, struct la_value *v);
int la_db_mysql_ncols(struct la_db_rstmt *s);
const char *la_db_mysql_colname(struct la_db_rstmt *s, int i);
int la_db_mysql_nparams(struct la_db_rstmt *s);
void la_db_mysql_finish(struct la_db_rstmt *s);
/* Records a failure found by the driver itself; returns LA_DB_EOTHER. */
int la_db_mysql_fail(struct la_db *db, const char *msg);

/* db_mysql_error.c: the last error of the connection or a statement,
 * recorded and sorted into a LA_DB_E* kind (returned). */
int la_db_mysql_error(struct la_db *db);
int la_db_mysql_stmt_error(struct la_db_rstmt *s);
int la_db_mysql_record(struct la_db *db, unsigned int code, const char *raw,
    const char *table);
const char *la_db_mysql_errmsg(struct la_db *db);
const char *la_db_mysql_rawmsg(struct la_db *db);
int la_db_mysql_errcode(struct la_db *db);

/* db_mysql_reflect.c */
int la_db_mysql_reflect_exists(struct la_db *db, const char *table);
int la_db_mysql_reflect(struct la_db *db, const char *table, struct la_arena *a,
    struct la_col_def **cols, size_t *ncols);
/*
 * The columns of index key of table, as "t.a" or "t.a, t.b", into out;
 * 0, or -1 when the catalog does not know it.
 */
int la_db_mysql_key_columns(struct la_db *db, const char *table,
    const char *key, char *out, size_t outlen);

/* The driver table's entries (db_mysql_driver.c). */
struct la_db *la_db_mysql_open(const struct la_dburl *u, char *err,
    size_t errlen);
void la_db_mysql_close(struct la_db *db);
int64_t la_db_mysql_version(struct la_db *db);
int la_db_mysql_exec(struct la_db *db, const char *sql);
int la_db_mysql_begin(struct la_db *db);
int la_db_mysql_commit(struct la_db *db);
int la_db_mysql_rollback(struct la_db *db);
void la_db_mysql_set_timeout(struct la_db *db, int ms);
int64_t la_db_mysql_changes(struct la_db *db);
int64_t la_db_mysql_last_id(struct la_db *db);
int la_db_mysql_ping(struct la_db *db);

#endif
