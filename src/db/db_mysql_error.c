/*
 * The MySQL/MariaDB driver's errors: the server's error numbers sorted
 * into the kinds of db.h (constraint errors rewritten into a message fit
 * for a client, naming the table and column; connection losses as
 * unavailable), the server's own text kept for the log only.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "db_mysql.h"
#include "db.h"
#include "la.h"
#include "str.h"

/* The connection is gone or the server cannot serve now: 503, reconnect. */
static const unsigned int my_unavail[] = {CR_CONNECTION_ERROR,
    CR_CONN_HOST_ERROR, CR_UNKNOWN_HOST, CR_SERVER_GONE_ERROR, CR_SERVER_LOST,
    CR_COMMANDS_OUT_OF_SYNC, CR_SERVER_HANDSHAKE_ERR, CR_SSL_CONNECTION_ERROR,
    CR_SERVER_LOST_EXTENDED, ER_SERVER_SHUTDOWN, ER_CON_COUNT_ERROR,
    ER_TOO_MANY_USER_CONNECTIONS, ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK,
    ER_QUERY_INTERRUPTED, 1927 /* ER_CONNECTION_KILLED */,
    1969 /* ER_STATEMENT_TIMEOUT */, 3024 /* MySQL: ER_QUERY_TIMEOUT */,
    4031 /* MySQL: idle disconnect */,
    ER_OPTION_PREVENTS_STATEMENT /* read-only server (fail-over) */};


/* ---- errors -------------------------------------------------------- */

/* The text between the first open and the next close after s, or NULL. */
static const char *
my_between(const char *s, const char *open, char close, char *out,
    size_t outlen)
{
	const char *p = s != NULL ? strstr(s, open) : NULL, *e;
	size_t n;

	if (p == NULL)
		return (NULL);
	p += strlen(open);
	if ((e = strchr(p, close)) == NULL)
		return (NULL);
	n = (size_t)(e - p) < outlen - 1 ? (size_t)(e - p) : outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return (e + 1);
}

/*
 * "Duplicate entry 'v' for key 'k'": the value may hold quotes, so the
 * key is what follows the last " for key '". MySQL 8 writes "t.k".
 */
static void
my_unique_msg(struct la_db *db, const char *raw, const char *table)
{
	const char *p = NULL, *q, *k;
	char key[128], cols[200];
	size_t n;

	for (q = raw; (q = strstr(q, " for key '")) != NULL; q++)
		p = q;
	if (p == NULL || table == NULL) {
		snprintf(db->msg, sizeof(db->msg),
		    "unique constraint violated");
		return;
	}
	p += strlen(" for key '");
	n = strlen(p);
	if (n > 0 && p[n - 1] == '\'')
		n--;
	if (n >= sizeof(key))
		n = sizeof(key) - 1;
	memcpy(key, p, n);
	key[n] = '\0';
	k = key;
	if (strncmp(key, table, strlen(table)) == 0 &&
	    key[strlen(table)] == '.')
		k = key + strlen(table) + 1;
	if (db->key_columns != NULL &&
	    db->key_columns(db, table, k, cols, sizeof(cols)) == 0)
		snprintf(db->msg, sizeof(db->msg),
		    "unique constraint violated: %s", cols);
	else
		snprintf(db->msg, sizeof(db->msg),
		    "unique constraint violated: %s.%s", table, k);
}

/* "... fails (`db`.`child`, CONSTRAINT `c` FOREIGN KEY (`col`) ...". */
static void
my_fk_msg(struct la_db *db, const char *raw)
{
	char table[128], col[128];
	const char *p;

	if ((p = my_between(raw, "fails (`", '`', table, sizeof(table))) !=
	        NULL &&
	    (p = my_between(p, ".`", '`', table, sizeof(table))) != NULL &&
	    my_between(p, "FOREIGN KEY (`", '`', col, sizeof(col)) != NULL)
		snprintf(db->msg, sizeof(db->msg),
		    "foreign key constraint violated: %s.%s", table, col);
	else
		snprintf(db->msg, sizeof(db->msg),
		    "foreign key constraint violated");
}

/* kind: "not null" ...; the column is the first quoted name in raw. */
static void
my_column_msg(struct la_db *db, const char *kind, const char *raw,
    const char *table)
{
	char col[128];

	if (table != NULL && my_between(raw, "'", '\'', col, sizeof(col)))
		snprintf(db->msg, sizeof(db->msg),
		    "%s constraint violated: %s.%s", kind, table, col);
	else
		snprintf(db->msg, sizeof(db->msg), "%s constraint violated",
		    kind);
}

/* MariaDB: "CONSTRAINT `t.c` failed for `db`.`t`"; MySQL: "Check
 * constraint 'c' is violated." A column's own CHECK is named "t.c". */
static void
my_check_msg(struct la_db *db, const char *raw, const char *table)
{
	char name[128];

	if (my_between(raw, "CONSTRAINT `", '`', name, sizeof(name)) == NULL &&
	    my_between(raw, "constraint '", '\'', name, sizeof(name)) == NULL) {
		snprintf(db->msg, sizeof(db->msg), "check constraint violated");
		return;
	}
	if (strchr(name, '.') != NULL || table == NULL)
		snprintf(db->msg, sizeof(db->msg),
		    "check constraint violated: %s", name);
	else
		snprintf(db->msg, sizeof(db->msg),
		    "check constraint violated: %s.%s", table, name);
}

/* Records an error with its number and text; returns its LA_DB_E* kind. */
int
la_db_mysql_record(struct la_db *db, unsigned int code, const char *raw,
    const char *table)
{
	size_t i;

	db->code = code;
	snprintf(db->raw, sizeof(db->raw), "%s (mysql error %u)", raw, code);
	db->err = LA_DB_EOTHER;
	switch (code) {
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
		db->err = LA_DB_EUNIQUE;
		my_unique_msg(db, raw, table);
		return (db->err);
	case ER_NO_REFERENCED_ROW_2:
	case ER_ROW_IS_REFERENCED_2:
	case ER_NO_REFERENCED_ROW:
	case ER_ROW_IS_REFERENCED:
		db->err = LA_DB_EFK;
		my_fk_msg(db, raw);
		return (db->err);
	case ER_BAD_NULL_ERROR:
	case ER_NO_DEFAULT_FOR_FIELD:
		db->err = LA_DB_ENOTNULL;
		my_column_msg(db, "not null", raw, table);
		return (db->err);
	case 4025: /* MariaDB: ER_CONSTRAINT_FAILED */
	case 3819: /* MySQL: ER_CHECK_CONSTRAINT_VIOLATED */
		db->err = LA_DB_ECHECK;
		my_check_msg(db, raw, table);
		return (db->err);
	case ER_DATA_TOO_LONG:
	case ER_WARN_DATA_OUT_OF_RANGE:
		/* The column's type refused the value (VARCHAR(255) for a
		 * str without max_length): a rule of the schema, not a fault.
		 */
		db->err = LA_DB_ECHECK;
		my_column_msg(db, "check", raw, table);
		return (db->err);
	}
	for (i = 0; i < LA_NELEM(my_unavail); i++)
		if (code == my_unavail[i])
			db->err = LA_DB_EUNAVAIL;
	/* Clients get a fixed text for these; the message is for the log. */
	snprintf(db->msg, sizeof(db->msg), "%s", raw);
	return (db->err);
}

int
la_db_mysql_error(struct la_db *db)
{
	return (la_db_mysql_record(db, mysql_errno(db->h), mysql_error(db->h),
	    NULL));
}

int
la_db_mysql_stmt_error(struct la_db_rstmt *s)
{
	return (la_db_mysql_record(s->db, mysql_stmt_errno(s->st),
	    mysql_stmt_error(s->st), s->table));
}

int
la_db_mysql_fail(struct la_db *db, const char *msg)
{
	db->err = LA_DB_EOTHER;
	db->code = 0;
	snprintf(db->msg, sizeof(db->msg), "%s", msg);
	snprintf(db->raw, sizeof(db->raw), "%s", msg);
	return (db->err);
}

const char *
la_db_mysql_errmsg(struct la_db *db)
{
	return (db->msg);
}

const char *
la_db_mysql_rawmsg(struct la_db *db)
{
	return (db->raw);
}

int
la_db_mysql_errcode(struct la_db *db)
{
	return (db->err);
}
