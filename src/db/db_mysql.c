/*
 * The MySQL/MariaDB driver over MariaDB Connector/C: connection and
 * session set-up, server-side prepared statements, transactions and
 * errors (reflection is in db_mysql_reflect.c; caching, in the layer).
 * Results are stored client-side (mysql_stmt_store_result), so a handler
 * may run another statement while it still reads one, as on SQLite.
 * Constraint errors are recognised by the server's error numbers and
 * rewritten for clients; the server's text is kept for the log.
 *
 * Each worker connects after fork(): a MYSQL handle never crosses one.
 * The connector's own reconnect stays off, since it would silently end an
 * open transaction; the layer reconnects (la_db_ensure()).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
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
#include "xalloc.h"

/* Seconds; the URL's connect_timeout/read_timeout/write_timeout change
 * them. A server that stops answering must not hold a worker forever. */
#define MY_CONNECT_TIMEOUT 5
#define MY_RW_TIMEOUT      30

/*
 * Strict: a value that does not fit is an error, never silently cut. No
 * ANSI_QUOTES: the dialect table quotes identifiers with backticks.
 */
#define MY_SESSION_SQL                                                         \
	"SET SESSION time_zone = '+00:00', sql_mode = "                        \
	"'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"                     \
	"ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "                 \
	"autocommit = 1"
/* READ COMMITTED (PostgreSQL's default): fewer gap locks, fewer deadlocks
 * between workers inserting at once. A statement both servers accept. */
#define MY_ISOLATION_SQL                                                       \
	"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"

static int my_alive(struct la_db *db);

/* ---- statements -------------------------------------------------- */

/*
 * The table an INSERT, UPDATE or DELETE writes, for the client's message
 * of a constraint error (MariaDB's names a key but not its table). The
 * text is ours (lib/sqlb.c): a backtick-quoted catalog name.
 */
static char *
my_stmt_table(const char *sql)
{
	static const char *const heads[] = {"INSERT INTO `", "UPDATE `",
	    "DELETE FROM `"};
	const char *p = NULL;
	char *out, *o;
	size_t i;

	for (i = 0; i < LA_NELEM(heads) && p == NULL; i++)
		if (strncmp(sql, heads[i], strlen(heads[i])) == 0)
			p = sql + strlen(heads[i]);
	if (p == NULL)
		return (NULL);
	o = out = la_xmalloc(strlen(p) + 1);
	for (; *p != '\0'; p++) {
		if (*p == '`' && p[1] != '`')
			break;
		if (*p == '`')
			p++;
		*o++ = *p;
	}
	*o = '\0';
	return (out);
}

/*
 * Integers and floats come back native, times as MYSQL_TIME (formatted
 * by my_time_text), everything else (DECIMAL, strings, JSON, blobs) as
 * text in a buffer sized from the stored result's longest value.
 */
static enum enum_field_types
my_bind_type(enum enum_field_types t)
{
	switch (t) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_YEAR:
		return (MYSQL_TYPE_LONGLONG);
	case MYSQL_TYPE_FLOAT:
	case MYSQL_TYPE_DOUBLE:
		return (MYSQL_TYPE_DOUBLE);
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_NEWDATE:
		return (MYSQL_TYPE_DATE);
	case MYSQL_TYPE_TIME:
		return (MYSQL_TYPE_TIME);
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
		return (MYSQL_TYPE_DATETIME);
	case MYSQL_TYPE_NULL:
		return (MYSQL_TYPE_NULL);
	default:
		return (MYSQL_TYPE_STRING);
	}
}

/* (Re)reads the result's shape: after prepare, and whenever an execution
 * finds another column count (the table was altered). */
static int
my_stmt_shape(struct la_db_rstmt *s)
{
	MYSQL_RES *md;
	MYSQL_FIELD *f;
	unsigned int i, n = mysql_stmt_field_count(s->st);

	for (i = 0; i < s->ncols; i++) {
		free(s->cols[i].buf);
		free(s->cols[i].name);
	}
	free(s->cols);
	free(s->rbind);
	s->cols = NULL;
	s->rbind = NULL;
	s->ncols = 0;
	if (n == 0)
		return (0);
	if ((md = mysql_stmt_result_metadata(s->st)) == NULL)
		return (la_db_mysql_stmt_error(s));
	f = mysql_fetch_fields(md);
	s->cols = la_xcalloc(n, sizeof(*s->cols));
	s->rbind = la_xcalloc(n, sizeof(*s->rbind));
	s->ncols = n;
	for (i = 0; i < n; i++) {
		s->cols[i].type = f[i].type;
		s->cols[i].flags = f[i].flags;
		s->cols[i].decimals = f[i].decimals;
		s->cols[i].name = la_xstrdup(f[i].name ? f[i].name : "");
	}
	mysql_free_result(md);
	return (0);
}

/* Prepares s->sql on the current connection; 0 or an error. */
static int
my_stmt_prepare(struct la_db_rstmt *s)
{
	struct la_db *db = s->db;
	my_bool on = 1;

	if (s->st != NULL)
		mysql_stmt_close(s->st);
	s->gen = db->gen;
	if ((s->st = mysql_stmt_init(db->h)) == NULL)
		return (la_db_mysql_error(db));
	/* max_length of each column after store_result sizes the buffers. */
	mysql_stmt_attr_set(s->st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	if (mysql_stmt_prepare(s->st, s->sql, (unsigned long)strlen(s->sql)) !=
	    0)
		return (la_db_mysql_stmt_error(s));
	free(s->pbind);
	free(s->plen);
	s->pbind = NULL;
	s->plen = NULL;
	s->nparams = mysql_stmt_param_count(s->st);
	if (s->nparams > 0) {
		s->pbind = la_xcalloc(s->nparams, sizeof(*s->pbind));
		s->plen = la_xcalloc(s->nparams, sizeof(*s->plen));
	}
	return (my_stmt_shape(s));
}

struct la_db_rstmt *
la_db_mysql_prepare(struct la_db *db, const char *sql)
{
	struct la_db_rstmt *s;

	if (my_alive(db) != LA_DB_DONE)
		return (NULL);
	s = la_xcalloc(1, sizeof(*s));
	s->db = db;
	s->table = my_stmt_table(sql);
	s->sql = la_xstrdup(sql);
	if (my_stmt_prepare(s) != 0) {
		la_db_mysql_finalize(s);
		return (NULL);
	}
	return (s);
}

void
la_db_mysql_finalize(struct la_db_rstmt *s)
{
	unsigned int i;

	if (s == NULL)
		return;
	if (s->st != NULL)
		mysql_stmt_close(s->st);
	for (i = 0; i < s->ncols; i++) {
		free(s->cols[i].buf);
		free(s->cols[i].name);
	}
	free(s->cols);
	free(s->rbind);
	free(s->pbind);
	free(s->plen);
	free(s->table);
	free(s->sql);
	free(s);
}

/* The values are pointed at, not copied: they live until finish(). */
static void
my_bind_param(struct la_db_rstmt *s, unsigned int i, const struct la_value *v)
{
	MYSQL_BIND *b = &s->pbind[i];

	memset(b, 0, sizeof(*b));
	switch (v->kind) {
	case LA_V_INT:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = (void *)(uintptr_t)&v->i;
		break;
	case LA_V_FLOAT:
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = (void *)(uintptr_t)&v->f;
		break;
	case LA_V_TEXT:
		s->plen[i] = (unsigned long)v->len;
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = (void *)(uintptr_t)(v->s != NULL ? v->s : "");
		b->buffer_length = s->plen[i];
		b->length = &s->plen[i];
		break;
	case LA_V_NULL:
		b->buffer_type = MYSQL_TYPE_NULL;
		break;
	}
}

static void
my_bind_result(struct la_db_rstmt *s)
{
	MYSQL_RES *md = mysql_stmt_result_metadata(s->st);
	MYSQL_FIELD *f = md != NULL ? mysql_fetch_fields(md) : NULL;
	struct la_db_mycol *c;
	MYSQL_BIND *b;
	unsigned long need;
	unsigned int i;

	for (i = 0; i < s->ncols; i++) {
		c = &s->cols[i];
		b = &s->rbind[i];
		memset(b, 0, sizeof(*b));
		b->buffer_type = my_bind_type(c->type);
		b->is_null = &c->is_null;
		b->error = &c->error;
		b->length = &c->len;
		b->is_unsigned = (c->flags & UNSIGNED_FLAG) != 0;
		switch (b->buffer_type) {
		case MYSQL_TYPE_LONGLONG:
			b->buffer = &c->i;
			break;
		case MYSQL_TYPE_DOUBLE:
			b->buffer = &c->f;
			break;
		case MYSQL_TYPE_DATE:
		case MYSQL_TYPE_TIME:
		case MYSQL_TYPE_DATETIME:
			b->buffer = &c->tm;
			break;
		case MYSQL_TYPE_NULL:
			break;
		default:
			need = (f != NULL ? f[i].max_length : 0) + 1;
			if (need > c->cap) {
				free(c->buf);
				c->buf = la_xmalloc(need);
				c->cap = need;
			}
			b->buffer = c->buf;
			b->buffer_length = c->cap;
			break;
		}
	}
	if (md != NULL)
		mysql_free_result(md);
	mysql_stmt_bind_result(s->st, s->rbind);
}

/* A value longer than its buffer (max_length was not known): grow it and
 * fetch that column again. */
static int
my_refetch(struct la_db_rstmt *s)
{
	struct la_db_mycol *c;
	unsigned int i;

	for (i = 0; i < s->ncols; i++) {
		c = &s->cols[i];
		if (!c->error || s->rbind[i].buffer_type != MYSQL_TYPE_STRING)
			continue;
		free(c->buf);
		c->cap = c->len + 1;
		c->buf = la_xmalloc(c->cap);
		s->rbind[i].buffer = c->buf;
		s->rbind[i].buffer_length = c->cap;
		if (mysql_stmt_fetch_column(s->st, &s->rbind[i], i, 0) != 0)
			return (la_db_mysql_stmt_error(s));
		c->error = 0;
	}
	return (LA_DB_ROW);
}

static int
my_fetch(struct la_db_rstmt *s)
{
	int rc = mysql_stmt_fetch(s->st);

	if (rc == 0)
		return (LA_DB_ROW);
	if (rc == MYSQL_DATA_TRUNCATED)
		rc = my_refetch(s);
	else if (rc == MYSQL_NO_DATA)
		rc = LA_DB_DONE;
	else
		rc = la_db_mysql_stmt_error(s);
	if (rc != LA_DB_ROW)
		la_db_mysql_finish(s);
	return (rc);
}

int
la_db_mysql_run(struct la_db_rstmt *s, const struct la_value *params,
    size_t nparams)
{
	unsigned int i;
	int rc;

	la_db_mysql_finish(s);
	if ((rc = my_alive(s->db)) != LA_DB_DONE)
		return (rc);
	if (s->gen != s->db->gen && (rc = my_stmt_prepare(s)) != 0)
		return (rc);
	if (nparams != s->nparams)
		return (la_db_mysql_fail(s->db, "wrong number of parameters"));
	for (i = 0; i < s->nparams; i++)
		my_bind_param(s, i, &params[i]);
	if (s->nparams > 0 && mysql_stmt_bind_param(s->st, s->pbind) != 0)
		return (la_db_mysql_stmt_error(s));
	if (mysql_stmt_execute(s->st) != 0)
		return (la_db_mysql_stmt_error(s));
	if (mysql_stmt_field_count(s->st) == 0) {
		s->db->changes = (int64_t)mysql_stmt_affected_rows(s->st);
		s->db->last_id = (int64_t)mysql_stmt_insert_id(s->st);
		return (LA_DB_DONE);
	}
	if (mysql_stmt_field_count(s->st) != s->ncols &&
	    (rc = my_stmt_shape(s)) != 0)
		return (rc);
	if (mysql_stmt_store_result(s->st) != 0)
		return (la_db_mysql_stmt_error(s));
	s->active = 1;
	/* RETURNING: the rows it gave are the rows it changed. */
	s->db->changes = (int64_t)mysql_stmt_num_rows(s->st);
	s->db->last_id = (int64_t)mysql_stmt_insert_id(s->st);
	my_bind_result(s);
	return (my_fetch(s));
}

int
la_db_mysql_next(struct la_db_rstmt *s)
{
	if (!s->active)
		return (LA_DB_DONE);
	return (my_fetch(s));
}

/*
 * ISO 8601 as lightapid writes it on every engine: microseconds only when
 * there are any (validation writes "…:13", not "…:13.000000").
 */
static size_t
my_time_text(const MYSQL_TIME *t, enum enum_field_types bt, char *out,
    size_t outlen)
{
	int n = 0;

	if (bt == MYSQL_TYPE_TIME) {
		n = snprintf(out, outlen, "%s%02u:%02u:%02u", t->neg ? "-" : "",
		    t->hour + t->day * 24, t->minute, t->second);
	} else {
		n = snprintf(out, outlen, "%04u-%02u-%02u", t->year, t->month,
		    t->day);
		if (bt == MYSQL_TYPE_DATETIME)
			n += snprintf(out + n, outlen - (size_t)n,
			    "T%02u:%02u:%02u", t->hour, t->minute, t->second);
	}
	if (bt != MYSQL_TYPE_DATE && t->second_part != 0)
		n += snprintf(out + n, outlen - (size_t)n, ".%06lu",
		    t->second_part);
	return ((size_t)n);
}

/*
 * A Decimal declared without decimal_places is DECIMAL(65, 30) (the
 * widest MySQL has, see lib/dialect.c): its 30 stored decimals are
 * padding, and the value goes out without the trailing zeros.
 */
static size_t
my_decimal_len(const struct la_db_mycol *c)
{
	size_t n = c->len;

	if (c->decimals != 30 || memchr(c->buf, '.', n) == NULL)
		return (n);
	while (n > 0 && c->buf[n - 1] == '0')
		n--;
	if (n > 0 && c->buf[n - 1] == '.')
		n--;
	return (n);
}

int
la_db_mysql_ncols(struct la_db_rstmt *s)
{
	return ((int)s->ncols);
}

const char *
la_db_mysql_colname(struct la_db_rstmt *s, int i)
{
	return (i >= 0 && (unsigned int)i < s->ncols ? s->cols[i].name : "");
}

int
la_db_mysql_nparams(struct la_db_rstmt *s)
{
	return ((int)s->nparams);
}

void
la_db_mysql_column(struct la_db_rstmt *s, int i, struct la_value *v)
{
	struct la_db_mycol *c;
	enum enum_field_types bt;
	size_t n;

	*v = LA_VALUE_NULL;
	if (!s->active || i < 0 || (unsigned int)i >= s->ncols)
		return;
	c = &s->cols[i];
	bt = s->rbind[i].buffer_type;
	if (c->is_null || bt == MYSQL_TYPE_NULL)
		return;
	switch (bt) {
	case MYSQL_TYPE_LONGLONG:
		if ((c->flags & UNSIGNED_FLAG) &&
		    (unsigned long long)c->i > (unsigned long long)INT64_MAX) {
			n = (size_t)snprintf(c->fmt, sizeof(c->fmt), "%llu",
			    (unsigned long long)c->i);
			*v = la_value_text(c->fmt, n);
		} else
			*v = la_value_int((int64_t)c->i);
		break;
	case MYSQL_TYPE_DOUBLE:
		*v = la_value_float(c->f);
		break;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_TIME:
	case MYSQL_TYPE_DATETIME:
		n = my_time_text(&c->tm, bt, c->fmt, sizeof(c->fmt));
		*v = la_value_text(c->fmt, n);
		break;
	default:
		n = c->type == MYSQL_TYPE_NEWDECIMAL ||
		            c->type == MYSQL_TYPE_DECIMAL
		        ? my_decimal_len(c)
		        : c->len;
		*v = la_value_text(c->buf != NULL ? c->buf : "", n);
		break;
	}
}

void
la_db_mysql_finish(struct la_db_rstmt *s)
{
	if (s->active)
		mysql_stmt_free_result(s->st);
	s->active = 0;
}

/* ---- plain statements, transactions, limits ------------------------ */

static int
my_query(struct la_db *db, const char *sql)
{
	MYSQL_RES *r;

	if (db->h == NULL)
		return (la_db_mysql_record(db, CR_SERVER_GONE_ERROR,
		    "no connection", NULL));
	if (mysql_real_query(db->h, sql, (unsigned long)strlen(sql)) != 0)
		return (la_db_mysql_error(db));
	if ((r = mysql_store_result(db->h)) != NULL)
		mysql_free_result(r);
	else if (mysql_field_count(db->h) != 0)
		return (la_db_mysql_error(db));
	db->changes = (int64_t)mysql_affected_rows(db->h);
	return (LA_DB_DONE);
}

/*
 * Endpoints are created in the order of the file, so a table may name a
 * foreign key to one created after it (SQLite allows that; InnoDB does
 * not unless foreign_key_checks is off for that statement). The target's
 * existence is checked by the generation (gen_schema.c) anyway.
 */
int
la_db_mysql_exec(struct la_db *db, const char *sql)
{
	int rc;

	if ((rc = my_alive(db)) != LA_DB_DONE)
		return (rc);
	if (strncmp(sql, "CREATE TABLE ", 13) != 0 &&
	    strncmp(sql, "ALTER TABLE ", 12) != 0)
		return (my_query(db, sql));
	if ((rc = my_query(db, "SET SESSION foreign_key_checks = 0")) !=
	    LA_DB_DONE)
		return (rc);
	rc = my_query(db, sql);
	(void)my_query(db, "SET SESSION foreign_key_checks = 1");
	return (rc);
}

int
la_db_mysql_begin(struct la_db *db)
{
	int rc;

	if ((rc = my_alive(db)) != LA_DB_DONE ||
	    (rc = my_query(db, "START TRANSACTION")) != LA_DB_DONE)
		return (rc);
	db->in_tx = 1;
	return (rc);
}

/* Whatever the outcome, the transaction is over (a failed COMMIT rolls
 * back in InnoDB; a lost connection took it along). */
int
la_db_mysql_commit(struct la_db *db)
{
	db->in_tx = 0;
	return (my_query(db, "COMMIT"));
}

int
la_db_mysql_rollback(struct la_db *db)
{
	db->in_tx = 0;
	return (my_query(db, "ROLLBACK"));
}

/*
 * A server-side limit: MariaDB's max_statement_time (seconds, any
 * statement), MySQL's max_execution_time (milliseconds, SELECT only).
 * Either way the server stops the statement, and its error number is one
 * of my_unavail. The number is ours, never request data.
 */
void
la_db_mysql_set_timeout(struct la_db *db, int ms)
{
	char sql[96];

	if (ms < 0)
		ms = 0;
	db->timeout_ms = ms;
	if (db->mariadb)
		snprintf(sql, sizeof(sql),
		    "SET SESSION max_statement_time = %d.%03d", ms / 1000,
		    ms % 1000);
	else
		snprintf(sql, sizeof(sql),
		    "SET SESSION max_execution_time = %d", ms);
	(void)my_query(db, sql);
}

/* 10.11.19 → 101119; what lib/dialect.c's returning[] expects. */
int64_t
la_db_mysql_version(struct la_db *db)
{
	return ((int64_t)mysql_get_server_version(db->h));
}

int64_t
la_db_mysql_changes(struct la_db *db)
{
	return (db->changes);
}

int64_t
la_db_mysql_last_id(struct la_db *db)
{
	return (db->last_id);
}

/* mysql_ping() would reconnect if the option were on; it is off. */
int
la_db_mysql_ping(struct la_db *db)
{
	int rc;

	if ((rc = my_alive(db)) != LA_DB_DONE)
		return (rc);
	if (mysql_ping(db->h) != 0)
		return (la_db_mysql_error(db));
	return (LA_DB_DONE);
}

/* ---- connection ---------------------------------------------------- */

struct my_conn {
	const char *socket;
	unsigned int connect_timeout, read_timeout, write_timeout;
};

static int
my_opt_uint(const struct la_dburl_opt *o, unsigned int *out, char *err,
    size_t errlen)
{
	int64_t v;

	if (la_str_to_i64(o->value, strlen(o->value), &v) == -1 || v < 0 ||
	    v > 86400) {
		snprintf(err, errlen, "mysql: %s must be seconds, not \"%s\"",
		    o->key, o->value);
		return (-1);
	}
	*out = (unsigned int)v;
	return (0);
}

/* DISABLED, PREFERRED (the connector's default), REQUIRED, VERIFY_CA,
 * VERIFY_IDENTITY (the connector checks the name whenever it verifies). */
static int
my_opt_ssl_mode(MYSQL *h, const char *v, char *err, size_t errlen)
{
	my_bool on = 1;

	if (strcasecmp(v, "DISABLED") == 0 || strcasecmp(v, "PREFERRED") == 0)
		return (0);
	if (strcasecmp(v, "REQUIRED") == 0)
		return (mysql_optionsv(h, MYSQL_OPT_SSL_ENFORCE, &on) != 0 ? -1
		                                                           : 0);
	if (strcasecmp(v, "VERIFY_CA") == 0 ||
	    strcasecmp(v, "VERIFY_IDENTITY") == 0) {
		if (mysql_optionsv(h, MYSQL_OPT_SSL_ENFORCE, &on) != 0 ||
		    mysql_optionsv(h, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on) !=
		        0)
			return (-1);
		return (0);
	}
	snprintf(err, errlen,
	    "mysql: ssl_mode must be DISABLED, PREFERRED, REQUIRED, "
	    "VERIFY_CA or VERIFY_IDENTITY");
	return (-2);
}

static const struct {
	const char *key;
	enum mysql_option opt;
} my_file_opts[] = {
    {"ssl_ca", MYSQL_OPT_SSL_CA},
    {"ssl_capath", MYSQL_OPT_SSL_CAPATH},
    {"ssl_cert", MYSQL_OPT_SSL_CERT},
    {"ssl_key", MYSQL_OPT_SSL_KEY},
    {"ssl_cipher", MYSQL_OPT_SSL_CIPHER},
    {"ssl_crl", MYSQL_OPT_SSL_CRL},
    {"ssl_crlpath", MYSQL_OPT_SSL_CRLPATH},
};

/*
 * The URL's options. An unknown one is an error: a misspelt ssl_mode
 * silently ignored would connect without the protection asked for.
 */
static int
my_options(MYSQL *h, const struct la_dburl *u, struct my_conn *mc, char *err,
    size_t errlen)
{
	const struct la_dburl_opt *o;
	size_t i, k;
	int rc;

	for (i = 0; i < u->nopts; i++) {
		o = &u->opts[i];
		if (strcmp(o->key, "unix_socket") == 0)
			mc->socket = o->value;
		else if (strcmp(o->key, "connect_timeout") == 0) {
			if (my_opt_uint(o, &mc->connect_timeout, err, errlen))
				return (-1);
		} else if (strcmp(o->key, "read_timeout") == 0) {
			if (my_opt_uint(o, &mc->read_timeout, err, errlen))
				return (-1);
		} else if (strcmp(o->key, "write_timeout") == 0) {
			if (my_opt_uint(o, &mc->write_timeout, err, errlen))
				return (-1);
		} else if (strcmp(o->key, "charset") == 0) {
			/* Always utf8mb4: all of Unicode, what JSON holds. */
			if (strcasecmp(o->value, "utf8mb4") != 0 &&
			    strcasecmp(o->value, "utf8") != 0) {
				snprintf(err, errlen,
				    "mysql: charset must be utf8mb4");
				return (-1);
			}
		} else if (strcmp(o->key, "ssl_mode") == 0) {
			if ((rc = my_opt_ssl_mode(h, o->value, err, errlen)) ==
			    -2)
				return (-1);
			if (rc != 0)
				goto unsupported;
		} else {
			for (k = 0; k < LA_NELEM(my_file_opts); k++)
				if (strcmp(o->key, my_file_opts[k].key) == 0)
					break;
			if (k == LA_NELEM(my_file_opts)) {
				snprintf(err, errlen,
				    "mysql: unknown URL option '%.40s' (known: "
				    "unix_socket, connect_timeout, "
				    "read_timeout, write_timeout, charset, "
				    "ssl_mode, ssl_ca, ssl_capath, ssl_cert, "
				    "ssl_key, ssl_cipher, ssl_crl, "
				    "ssl_crlpath)",
				    o->key);
				return (-1);
			}
			if (mysql_optionsv(h, my_file_opts[k].opt, o->value) !=
			    0)
				goto unsupported;
		}
	}
	return (0);
unsupported:
	snprintf(err, errlen,
	    "mysql: option '%.40s' is not supported by this "
	    "client library",
	    o->key);
	return (-1);
}

static char *
my_dup(const char *p)
{
	return (p != NULL ? la_xstrdup(p) : NULL);
}

/* The parts of the URL kept for reconnecting, on the heap. */
static void
my_keep_url(struct la_db *db, const struct la_dburl *u)
{
	size_t i;

	db->url = *u;
	db->url.path = NULL;
	db->url.user = my_dup(u->user);
	db->url.password = my_dup(u->password);
	db->url.host = my_dup(u->host);
	db->url.dbname = my_dup(u->dbname);
	db->url.opts = la_xcalloc(u->nopts + 1, sizeof(*u->opts));
	for (i = 0; i < u->nopts; i++) {
		db->url.opts[i].key = la_xstrdup(u->opts[i].key);
		db->url.opts[i].value = la_xstrdup(u->opts[i].value);
	}
}

static void
my_free_url(struct la_db *db)
{
	volatile char *p = (volatile char *)(uintptr_t)db->url.password;
	size_t i;

	while (p != NULL && *p != '\0')
		*p++ = '\0';
	free((void *)(uintptr_t)db->url.user);
	free((void *)(uintptr_t)db->url.password);
	free((void *)(uintptr_t)db->url.host);
	free((void *)(uintptr_t)db->url.dbname);
	for (i = 0; i < db->url.nopts; i++) {
		free((void *)(uintptr_t)db->url.opts[i].key);
		free((void *)(uintptr_t)db->url.opts[i].value);
	}
	free(db->url.opts);
}

void
la_db_mysql_close(struct la_db *db)
{
	if (db->h != NULL)
		mysql_close(db->h);
	my_free_url(db);
	free(db);
}

static int
my_set_options(MYSQL *h, const struct my_conn *mc)
{
	my_bool off = 0;
	unsigned int local = 0;

	return (
	    mysql_optionsv(h, MYSQL_OPT_CONNECT_TIMEOUT, &mc->connect_timeout) |
	    mysql_optionsv(h, MYSQL_OPT_READ_TIMEOUT, &mc->read_timeout) |
	    mysql_optionsv(h, MYSQL_OPT_WRITE_TIMEOUT, &mc->write_timeout) |
	    mysql_optionsv(h, MYSQL_OPT_RECONNECT, &off) |
	    mysql_optionsv(h, MYSQL_OPT_LOCAL_INFILE, &local) |
	    mysql_optionsv(h, MYSQL_SET_CHARSET_NAME, "utf8mb4"));
}

/*
 * Opens db->h from db->url. The error text names the server as the
 * operator wrote it, never the password. CLIENT_FOUND_ROWS: an UPDATE
 * reports the rows it matched, not only those it changed, so a PUT that
 * changes nothing is not a 404.
 */
static int
my_connect(struct la_db *db, char *err, size_t errlen)
{
	struct my_conn mc = {NULL, MY_CONNECT_TIMEOUT, MY_RW_TIMEOUT,
	    MY_RW_TIMEOUT};
	const struct la_dburl *u = &db->url;
	const char *pw = u->password;

	if ((db->h = mysql_init(NULL)) == NULL) {
		snprintf(err, errlen, "mysql: out of memory");
		return (-1);
	}
	if (my_options(db->h, u, &mc, err, errlen) != 0)
		return (-1);
	if (my_set_options(db->h, &mc) != 0) {
		snprintf(err, errlen, "mysql: cannot set connection options");
		return (-1);
	}
	if (pw == NULL)
		pw = getenv("MYSQL_PWD");
	if (mysql_real_connect(db->h, u->host != NULL ? u->host : "localhost",
	        u->user, pw, u->dbname, (unsigned int)u->port, mc.socket,
	        CLIENT_FOUND_ROWS) == NULL) {
		snprintf(err, errlen, "mysql: cannot connect to %s: %s (%u)",
		    mc.socket != NULL ? mc.socket
		    : u->host != NULL ? u->host
		                      : "localhost",
		    mysql_error(db->h), mysql_errno(db->h));
		return (-1);
	}
	db->gen++;
	db->in_tx = 0;
	db->mariadb = mariadb_connection(db->h) != 0;
	if (my_query(db, MY_SESSION_SQL) != LA_DB_DONE ||
	    my_query(db, MY_ISOLATION_SQL) != LA_DB_DONE) {
		snprintf(err, errlen, "mysql: session set-up failed: %s",
		    db->raw);
		return (-1);
	}
	if (db->timeout_ms > 0)
		la_db_mysql_set_timeout(db, db->timeout_ms);
	return (0);
}

/*
 * A connection the server closed while it sat idle (a restart, its
 * wait_timeout, a kill) has end-of-file, or the server's last error
 * packet, waiting on its socket; a live idle one has nothing. Seeing that
 * costs one non-blocking peek, and since nothing was sent yet, opening a
 * new connection and preparing the statements again on it (by gen) is
 * safe: no statement can run twice. Inside a transaction a lost
 * connection is an error, as the transaction is gone with it.
 */
static int
my_alive(struct la_db *db)
{
	char c, err[512];
	ssize_t n;
	int fd;

	if (db->in_tx && db->h != NULL)
		return (LA_DB_DONE);
	fd = db->h != NULL ? (int)mysql_get_socket(db->h) : -1;
	if (fd >= 0) {
		n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n < 0 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return (LA_DB_DONE);
	}
	if (db->h != NULL)
		mysql_close(db->h);
	db->h = NULL;
	if (my_connect(db, err, sizeof(err)) == 0)
		return (LA_DB_DONE);
	if (db->h != NULL)
		mysql_close(db->h);
	db->h = NULL;
	db->err = LA_DB_EUNAVAIL;
	db->code = 0;
	snprintf(db->msg, sizeof(db->msg), "%s", err);
	snprintf(db->raw, sizeof(db->raw),
	    "connection closed by the server; "
	    "%s",
	    err);
	return (db->err);
}

struct la_db *
la_db_mysql_open(const struct la_dburl *u, char *err, size_t errlen)
{
	struct la_db *db = la_xcalloc(1, sizeof(*db));

	my_keep_url(db, u);
	if (my_connect(db, err, errlen) != 0) {
		la_db_mysql_close(db);
		return (NULL);
	}
	return (db);
}
