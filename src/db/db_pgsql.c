/*
 * The PostgreSQL driver over libpq: connection, statements, transactions
 * and errors (reflection is in db_pgsql_reflect.c; caching, in the layer,
 * db.c). Errors are classified by SQLSTATE; a constraint error is
 * rewritten for clients from the error's fields and the catalog, never
 * from the server's text, which goes to the log only.
 *
 * Statements are prepared by name once per connection (PQprepare) and run
 * with PQexecPrepared: the layer's cache keeps one per distinct SQL text,
 * so each request saves the server a parse and a plan, at the cost of one
 * extra round trip the first time a text is seen. Parameters travel as
 * text and the server infers their types from the statement, which is
 * what lets one la_value kind (text) feed UUID, JSONB, TIMESTAMP or
 * NUMERIC columns alike. Results come back as text too and are turned
 * into the kinds of db.h's table by the column's type OID.
 *
 * Connections are opened after fork() by each worker: a PGconn must never
 * cross a fork.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_pgsql.h"
#include "arena.h"
#include "la.h"
#include "xalloc.h"

/* Type OIDs (pg_type.dat); fixed since the catalogs were created. */
#define PG_BOOLOID        16
#define PG_INT8OID        20
#define PG_INT2OID        21
#define PG_INT4OID        23
#define PG_OIDOID         26
#define PG_JSONOID        114
#define PG_FLOAT4OID      700
#define PG_FLOAT8OID      701
#define PG_TIMESTAMPOID   1114
#define PG_TIMESTAMPTZOID 1184
#define PG_JSONBOID       3802

/* Seconds; libpq waits forever without one, and a worker blocks meanwhile. */
#define PG_CONNECT_TIMEOUT "5"

/*
 * Session settings the value conversions rely on: timestamps in UTC and
 * in ISO form, and floats printed so they read back exactly.
 */
static const char pg_session_sql[] =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
    "SET extra_float_digits = 3";

static int pg_alive(struct la_db *db);

/* ---- errors --------------------------------------------------------- */

static const struct {
	const char *state; /* a full SQLSTATE, or a two-character class */
	int kind;
	const char *text;
} pg_states[] = {
    {"23505", LA_DB_EUNIQUE, "unique constraint violated"},
    {"23P01", LA_DB_EUNIQUE, "unique constraint violated"},
    {"23503", LA_DB_EFK, "foreign key constraint violated"},
    {"23001", LA_DB_EFK, "foreign key constraint violated"},
    {"23502", LA_DB_ENOTNULL, "not null constraint violated"},
    {"23514", LA_DB_ECHECK, "check constraint violated"},
    /* The connection, the server going away, or out of resources. */
    {"08", LA_DB_EUNAVAIL, NULL},
    {"53", LA_DB_EUNAVAIL, NULL},
    {"57P01", LA_DB_EUNAVAIL, NULL},
    {"57P02", LA_DB_EUNAVAIL, NULL},
    {"57P03", LA_DB_EUNAVAIL, NULL},
    /* statement_timeout: db.h reports a timeout as unavailable. */
    {"57014", LA_DB_EUNAVAIL, NULL},
    /* Transient: a retry may well succeed. */
    {"40001", LA_DB_EUNAVAIL, NULL},
    {"40P01", LA_DB_EUNAVAIL, NULL},
    {"55P03", LA_DB_EUNAVAIL, NULL},
    /* A standby, or a server being promoted. */
    {"25006", LA_DB_EUNAVAIL, NULL},
};

static size_t
pg_state_index(const char *state)
{
	size_t i, n;

	if (state == NULL)
		return (LA_NELEM(pg_states));
	for (i = 0; i < LA_NELEM(pg_states); i++) {
		n = strlen(pg_states[i].state);
		if (strncmp(state, pg_states[i].state, n) == 0)
			return (i);
	}
	return (LA_NELEM(pg_states));
}

/* libpq's messages end in a newline, and may span lines. */
static void
pg_copy_line(char *out, size_t len, const char *s)
{
	size_t n;

	if (s == NULL)
		s = "";
	n = strcspn(s, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * "unique constraint violated: products.name". The columns come from the
 * catalog by constraint name; inside a transaction that failed the server
 * answers nothing but ROLLBACK, so there the constraint's name must do.
 */
static void
pg_constraint_msg(struct la_db *db, const PGresult *res, size_t i)
{
	const char *text = pg_states[i].text, *table, *col, *con, *schema;
	char cols[200];

	table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
	col = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
	con = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	schema = PQresultErrorField(res, PG_DIAG_SCHEMA_NAME);
	if (table != NULL && col != NULL)
		snprintf(db->msg, sizeof(db->msg), "%s: %s.%s", text, table,
		    col);
	else if (table != NULL && con != NULL && schema != NULL &&
	         PQtransactionStatus(db->pg) == PQTRANS_IDLE &&
	         la_db_pgsql_constraint_cols(db, schema, table, con, cols,
	             sizeof(cols)) == 0)
		snprintf(db->msg, sizeof(db->msg), "%s: %s", text, cols);
	else if (table != NULL && con != NULL)
		snprintf(db->msg, sizeof(db->msg), "%s: %s.%s", text, table,
		    con);
	else
		snprintf(db->msg, sizeof(db->msg), "%s", text);
}

int
la_db_pgsql_error(struct la_db *db, const PGresult *res)
{
	const char *state = NULL, *prim = NULL;
	char raw[sizeof(db->raw)];
	size_t i;
	int kind;

	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		prim = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	}
	if (prim == NULL)
		prim = PQerrorMessage(db->pg);
	pg_copy_line(raw, sizeof(raw) - 24, prim);
	if (state != NULL)
		snprintf(raw + strlen(raw), 24, " (SQLSTATE %s)", state);
	i = pg_state_index(state);
	kind = i < LA_NELEM(pg_states) ? pg_states[i].kind : LA_DB_EOTHER;
	if (PQstatus(db->pg) == CONNECTION_BAD)
		kind = LA_DB_EUNAVAIL;
	if (kind >= LA_DB_ECHECK && kind <= LA_DB_EUNIQUE)
		pg_constraint_msg(db, res, i);
	else
		snprintf(db->msg, sizeof(db->msg), "%s", raw);
	snprintf(db->raw, sizeof(db->raw), "%s", raw);
	db->err = kind;
	return (kind);
}

int
la_db_pgsql_fail(struct la_db *db, const char *msg)
{
	db->err = LA_DB_EOTHER;
	snprintf(db->msg, sizeof(db->msg), "%s", msg);
	snprintf(db->raw, sizeof(db->raw), "%s", msg);
	return (db->err);
}

const char *
la_db_pgsql_errmsg(struct la_db *db)
{
	return (db->msg);
}

const char *
la_db_pgsql_rawmsg(struct la_db *db)
{
	return (db->raw);
}

int
la_db_pgsql_errcode(struct la_db *db)
{
	return (db->err);
}

/* 1 when res is a success of the kind a statement gives. */
static int
pg_ok(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return (
	    res != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK));
}

PGresult *
la_db_pgsql_query(struct la_db *db, const char *sql, int n,
    const char *const *params)
{
	PGresult *res =
	    PQexecParams(db->pg, sql, n, NULL, params, NULL, NULL, 0);

	if (pg_ok(res))
		return (res);
	la_db_pgsql_error(db, res);
	PQclear(res);
	return (NULL);
}

/* Runs sql without parameters or rows: LA_DB_DONE or an error. */
static int
pg_exec(struct la_db *db, const char *sql)
{
	PGresult *res = PQexec(db->pg, sql);
	int rc = LA_DB_DONE;

	if (!pg_ok(res))
		rc = la_db_pgsql_error(db, res);
	PQclear(res);
	return (rc);
}

/* ---- statements ------------------------------------------------------- */

/*
 * An evicted statement is deallocated on the server with the next
 * prepare rather than at once: evictions happen while preparing anyway,
 * and a closing connection drops them all without a round trip each.
 */
static int
pg_flush_dealloc(struct la_db *db)
{
	int rc;

	if (db->dealloc.len == 0)
		return (LA_DB_DONE);
	rc = pg_exec(db, db->dealloc.data);
	la_buf_reset(&db->dealloc);
	return (rc);
}

static int
pg_prepare_named(struct la_db_rstmt *s, const char *sql)
{
	PGresult *res = PQprepare(s->db->pg, s->name, sql, 0, NULL);
	int rc = LA_DB_DONE;

	if (!pg_ok(res))
		rc = la_db_pgsql_error(s->db, res);
	PQclear(res);
	s->gen = s->db->gen;
	return (rc);
}

struct la_db_rstmt *
la_db_pgsql_prepare(struct la_db *db, const char *sql)
{
	struct la_db_rstmt *s;

	if (pg_alive(db) != LA_DB_DONE ||
	    pg_flush_dealloc(db) == LA_DB_EUNAVAIL)
		return (NULL);
	s = la_xcalloc(1, sizeof(*s));
	s->db = db;
	snprintf(s->name, sizeof(s->name), "la_%u", ++db->seq);
	if (pg_prepare_named(s, sql) != LA_DB_DONE) {
		free(s);
		return (NULL);
	}
	s->sql = la_xstrdup(sql);
	s->conv = la_arena_new(512);
	return (s);
}

void
la_db_pgsql_finish(struct la_db_rstmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = s->nrows = 0;
	la_arena_reset(s->conv);
}

void
la_db_pgsql_finalize(struct la_db_rstmt *s)
{
	la_db_pgsql_finish(s);
	if (s->gen == s->db->gen)
		la_buf_printf(&s->db->dealloc, "DEALLOCATE \"%s\";", s->name);
	la_arena_free(s->conv);
	free(s->sql);
	free(s);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t
pg_utf8_seq(const unsigned char *s, size_t len)
{
	size_t n, k;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return (0);
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* beyond U+10FFFF */
	if (len < n || s[1] < lo || s[1] > hi)
		return (0);
	for (k = 2; k < n; k++)
		if (s[k] < 0x80 || s[k] > 0xbf)
			return (0);
	return (n);
}

/*
 * The server refuses text that is not UTF-8 (22021) where SQLite would
 * compare the bytes and find nothing: such bytes (only a query string can
 * carry them; bodies are checked) become U+FFFD, which matches nothing
 * either, instead of failing the request.
 */
static void
pg_utf8(struct la_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((n = pg_utf8_seq(p + i, len - i)) > 0) {
			la_buf_append(b, s + i, n);
			i += n;
		} else {
			la_buf_append(b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
}

/*
 * Parameters in text form, NUL-terminated in one buffer: integers and
 * floats are printed (%.17g reads back as the same double), text copied.
 * PostgreSQL text cannot hold a NUL byte at all.
 */
static int
pg_params(struct la_db *db, const struct la_value *p, size_t n,
    struct la_buf *b, const char **vals)
{
	size_t *off = la_xcalloc(n + 1, sizeof(*off)), i;

	for (i = 0; i < n; i++) {
		off[i] = b->len;
		switch (p[i].kind) {
		case LA_V_INT:
			la_buf_printf(b, "%lld", (long long)p[i].i);
			break;
		case LA_V_FLOAT:
			la_buf_printf(b, "%.17g", p[i].f);
			break;
		case LA_V_TEXT:
			if (p[i].len > 0 && memchr(p[i].s, '\0', p[i].len)) {
				free(off);
				return (la_db_pgsql_fail(db,
				    "text with a NUL byte cannot be stored"));
			}
			pg_utf8(b, p[i].s != NULL ? p[i].s : "", p[i].len);
			break;
		case LA_V_NULL:
			off[i] = (size_t)-1;
			continue;
		}
		la_buf_putc(b, '\0');
	}
	for (i = 0; i < n; i++)
		vals[i] = off[i] == (size_t)-1 ? NULL : b->data + off[i];
	free(off);
	return (LA_DB_DONE);
}

int
la_db_pgsql_run(struct la_db_rstmt *s, const struct la_value *params,
    size_t nparams)
{
	struct la_db *db = s->db;
	const char **vals;
	struct la_buf b;
	int rc;

	la_db_pgsql_finish(s);
	if (nparams > 65535)
		return (la_db_pgsql_fail(db, "too many parameters"));
	if ((rc = pg_alive(db)) != LA_DB_DONE ||
	    (s->gen != db->gen &&
	        (rc = pg_prepare_named(s, s->sql)) != LA_DB_DONE))
		return (rc);
	vals = la_xcalloc(nparams + 1, sizeof(*vals));
	la_buf_init(&b);
	la_buf_reserve(&b, 64);
	rc = pg_params(db, params, nparams, &b, vals);
	if (rc == LA_DB_DONE)
		s->res = PQexecPrepared(db->pg, s->name, (int)nparams, vals,
		    NULL, NULL, 0);
	free(vals);
	la_buf_free(&b);
	if (rc != LA_DB_DONE)
		return (rc);
	if (!pg_ok(s->res)) {
		rc = la_db_pgsql_error(db, s->res);
		la_db_pgsql_finish(s);
		return (rc);
	}
	db->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
	s->nrows = PQntuples(s->res);
	if (s->nrows > 0)
		return (LA_DB_ROW);
	la_db_pgsql_finish(s);
	return (LA_DB_DONE);
}

int
la_db_pgsql_next(struct la_db_rstmt *s)
{
	if (s->res == NULL)
		return (LA_DB_DONE);
	la_arena_reset(s->conv);
	if (++s->row < s->nrows)
		return (LA_DB_ROW);
	la_db_pgsql_finish(s);
	return (LA_DB_DONE);
}

/* ---- values ------------------------------------------------------------ */

/*
 * "2026-11-21 08:51:13.7647" (or "...+00" from a timestamptz in a UTC
 * session) → "2026-11-21T08:51:13.764700": what validation writes, so a
 * value reads back as it was sent. A non-zero fraction has six digits;
 * the server drops trailing zeros. Infinity and BC dates pass as they are.
 */
static void
pg_timestamp(struct la_arena *a, const char *s, size_t len, struct la_value *v)
{
	char *out;
	size_t i, o, frac;

	if (len < 19 || s[10] != ' ') {
		*v = la_value_text(s, len);
		return;
	}
	out = la_arena_alloc(a, len + 8);
	memcpy(out, s, 19);
	out[10] = 'T';
	o = i = 19;
	if (i < len && s[i] == '.') {
		out[o++] = s[i++];
		for (frac = 0; i < len && s[i] >= '0' && s[i] <= '9'; frac++)
			out[o++] = s[i++];
		for (; frac < 6; frac++)
			out[o++] = '0';
	}
	if (len - i == 3 && strncmp(s + i, "+00", 3) == 0)
		i = len;
	else if (len - i == 6 && strncmp(s + i, "+00:00", 6) == 0)
		i = len;
	memcpy(out + o, s + i, len - i);
	o += len - i;
	out[o] = '\0';
	*v = la_value_text(out, o);
}

/* JSONB prints ", " and ": "; responses are compact JSON. */
static void
pg_json(struct la_arena *a, const char *s, size_t len, struct la_value *v)
{
	char *out = la_arena_alloc(a, len + 1);
	size_t i, o = 0;
	int str = 0, esc = 0;

	for (i = 0; i < len; i++) {
		if (str) {
			if (esc)
				esc = 0;
			else if (s[i] == '\\')
				esc = 1;
			else if (s[i] == '"')
				str = 0;
		} else if (s[i] == '"')
			str = 1;
		else if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' ||
		         s[i] == '\r')
			continue;
		out[o++] = s[i];
	}
	out[o] = '\0';
	*v = la_value_text(out, o);
}

void
la_db_pgsql_column(struct la_db_rstmt *s, int i, struct la_value *v)
{
	const char *p;
	size_t len;

	*v = LA_VALUE_NULL;
	if (s->res == NULL || s->row >= s->nrows || i < 0 ||
	    i >= PQnfields(s->res) || PQgetisnull(s->res, s->row, i))
		return;
	p = PQgetvalue(s->res, s->row, i);
	len = (size_t)PQgetlength(s->res, s->row, i);
	switch (PQftype(s->res, i)) {
	case PG_BOOLOID:
		*v = la_value_int(p[0] == 't');
		break;
	case PG_INT2OID:
	case PG_INT4OID:
	case PG_INT8OID:
	case PG_OIDOID:
		*v = la_value_int(strtoll(p, NULL, 10));
		break;
	case PG_FLOAT4OID:
	case PG_FLOAT8OID:
		*v = la_value_float(strtod(p, NULL));
		break;
	case PG_TIMESTAMPOID:
	case PG_TIMESTAMPTZOID:
		pg_timestamp(s->conv, p, len, v);
		break;
	case PG_JSONOID:
	case PG_JSONBOID:
		pg_json(s->conv, p, len, v);
		break;
	default:
		/* NUMERIC prints its scale; UUID, DATE, TEXT are as wanted. */
		*v = la_value_text(p, len);
		break;
	}
}

int
la_db_pgsql_ncols(struct la_db_rstmt *s)
{
	return (s->res != NULL ? PQnfields(s->res) : 0);
}

const char *
la_db_pgsql_colname(struct la_db_rstmt *s, int i)
{
	const char *n = s->res != NULL ? PQfname(s->res, i) : NULL;

	return (n != NULL ? n : "");
}

/* ---- transactions and limits ------------------------------------------ */

int
la_db_pgsql_exec(struct la_db *db, const char *sql)
{
	return (pg_exec(db, sql));
}

int
la_db_pgsql_begin(struct la_db *db)
{
	int rc;

	if ((rc = pg_alive(db)) != LA_DB_DONE ||
	    (rc = pg_exec(db, "BEGIN")) != LA_DB_DONE)
		return (rc);
	db->in_tx = 1;
	return (rc);
}

/* COMMIT of a transaction that failed answers ROLLBACK, not an error. */
int
la_db_pgsql_commit(struct la_db *db)
{
	PGresult *res = PQexec(db->pg, "COMMIT");
	int rc = LA_DB_DONE;

	db->in_tx = 0;
	if (!pg_ok(res))
		rc = la_db_pgsql_error(db, res);
	else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		rc = la_db_pgsql_fail(db, "transaction rolled back");
	PQclear(res);
	return (rc);
}

int
la_db_pgsql_rollback(struct la_db *db)
{
	db->in_tx = 0;
	if (PQtransactionStatus(db->pg) == PQTRANS_IDLE)
		return (LA_DB_DONE);
	return (pg_exec(db, "ROLLBACK"));
}

/*
 * The server cancels a statement that runs longer (57014, reported as
 * unavailable). A failure here is left for the next statement to find.
 */
static int
pg_apply_timeout(struct la_db *db)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "SET statement_timeout = %d",
	    db->timeout_ms);
	return (pg_exec(db, sql));
}

void
la_db_pgsql_set_timeout(struct la_db *db, int ms)
{
	db->timeout_ms = ms > 0 ? ms : 0;
	(void)pg_apply_timeout(db);
}

int64_t
la_db_pgsql_version(struct la_db *db)
{
	return ((int64_t)PQserverVersion(db->pg));
}

int64_t
la_db_pgsql_changes(struct la_db *db)
{
	return (db->changes);
}

/* Only without RETURNING, which every supported server has. */
int64_t
la_db_pgsql_last_id(struct la_db *db)
{
	PGresult *res = la_db_pgsql_query(db, "SELECT lastval()", 0, NULL);
	int64_t id = 0;

	if (res != NULL && PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return (id);
}

int
la_db_pgsql_ping(struct la_db *db)
{
	int rc;

	if ((rc = pg_alive(db)) != LA_DB_DONE)
		return (rc);
	return (pg_exec(db, "SELECT 1"));
}

/*
 * A standby (or a session forced read-only) answers reads and refuses
 * every write: /readyz should say so before a client finds out.
 */
int
la_db_pgsql_writable(struct la_db *db)
{
	PGresult *res;
	int rc;

	if ((rc = pg_alive(db)) != LA_DB_DONE)
		return (rc);
	res = la_db_pgsql_query(db,
	    "SELECT NOT pg_catalog.pg_is_in_recovery() AND "
	    "pg_catalog.current_setting('transaction_read_only') = 'off'",
	    0, NULL);
	if (res == NULL)
		return (db->err);
	rc = PQgetvalue(res, 0, 0)[0] == 't' ? LA_DB_DONE : LA_DB_EUNAVAIL;
	PQclear(res);
	if (rc != LA_DB_DONE) {
		db->err = rc;
		snprintf(db->msg, sizeof(db->msg), "server is read-only");
		snprintf(db->raw, sizeof(db->raw), "server is read-only");
	}
	return (rc);
}

/* ---- connection -------------------------------------------------------- */

/* Server notices ("relation already exists, skipping") are not errors,
 * and libpq would print them on stderr. */
static void
pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* The connection keywords: defaults, then the URL, then its options. */
struct pg_conninfo {
	const char *keys[40];
	const char *vals[40];
	int n;
	const char *schema;
};

static void
pg_kw(struct pg_conninfo *ci, const char *key, const char *val)
{
	int i;

	if (val == NULL)
		return;
	for (i = 0; i < ci->n; i++) {
		if (strcmp(ci->keys[i], key) == 0) {
			ci->vals[i] = val;
			return;
		}
	}
	if (ci->n < (int)LA_NELEM(ci->keys) - 1) {
		ci->keys[ci->n] = key;
		ci->vals[ci->n++] = val;
	}
}

/*
 * ?schema= is ours (the search_path); every other option is a libpq
 * keyword and libpq judges it. A password in the query string would be
 * printed by -T with the URL, so it must come in the user information
 * (masked there) or from PGPASSWORD or ~/.pgpass.
 */
static int
pg_conninfo(const struct la_dburl *u, struct pg_conninfo *ci, char *port,
    size_t portlen, char *err, size_t errlen)
{
	size_t i;

	memset(ci, 0, sizeof(*ci));
	pg_kw(ci, "fallback_application_name", "lightapid");
	pg_kw(ci, "client_encoding", "UTF8");
	pg_kw(ci, "connect_timeout", PG_CONNECT_TIMEOUT);
	pg_kw(ci, "host", u->host);
	if (u->port > 0) {
		snprintf(port, portlen, "%d", u->port);
		pg_kw(ci, "port", port);
	}
	pg_kw(ci, "user", u->user);
	pg_kw(ci, "password", u->password);
	pg_kw(ci, "dbname", u->dbname);
	for (i = 0; i < u->nopts; i++) {
		if (strcmp(u->opts[i].key, "schema") == 0) {
			ci->schema = u->opts[i].value;
			continue;
		}
		if (strcmp(u->opts[i].key, "password") == 0 ||
		    strcmp(u->opts[i].key, "dbname") == 0 ||
		    strcmp(u->opts[i].key, "service") == 0) {
			snprintf(err, errlen,
			    "postgresql: option '%s' is not accepted in the "
			    "URL query%s",
			    u->opts[i].key,
			    strcmp(u->opts[i].key, "password") == 0
			        ? " (put the password before the '@', or in "
			          "PGPASSWORD or ~/.pgpass)"
			        : "");
			return (-1);
		}
		pg_kw(ci, u->opts[i].key, u->opts[i].value);
	}
	return (0);
}

/*
 * ?schema=sales,public: the search_path, each name quoted so that its case
 * is kept; bound, never formatted into SQL.
 */
static int
pg_schema(struct la_db *db, const char *schema)
{
	PGresult *res;

	res = la_db_pgsql_query(db,
	    "SELECT pg_catalog.set_config('search_path', (SELECT "
	    "pg_catalog.string_agg(pg_catalog.quote_ident(pg_catalog.btrim(s)),"
	    " ', ' ORDER BY o) FROM pg_catalog.unnest(pg_catalog."
	    "string_to_array($1, ',')) WITH ORDINALITY AS u(s, o)), false)",
	    1, &schema);
	if (res == NULL)
		return (db->err);
	PQclear(res);
	return (LA_DB_DONE);
}

static int
pg_session(struct la_db *db)
{
	int rc = pg_exec(db, pg_session_sql);

	if (rc == LA_DB_DONE && db->schema != NULL)
		rc = pg_schema(db, db->schema);
	/* A reset opens a new session: the layer's timeout goes with it. */
	if (rc == LA_DB_DONE && db->timeout_ms > 0)
		rc = pg_apply_timeout(db);
	return (rc);
}

/*
 * A connection the server closed while it sat idle (a restart, an
 * administrator, a failover) is found before a statement is sent: the
 * server's goodbye and the end of the stream are already waiting on the
 * socket, and reading them never blocks. Reconnecting then is safe, as
 * nothing was sent; a connection that fails under a running statement is
 * not retried, since the statement may have taken effect. Inside a
 * transaction nothing can be saved.
 */
static int
pg_alive(struct la_db *db)
{
	if (db->in_tx)
		return (LA_DB_DONE);
	if (PQstatus(db->pg) == CONNECTION_OK && PQconsumeInput(db->pg) &&
	    (PQisBusy(db->pg), PQconsumeInput(db->pg)) &&
	    PQstatus(db->pg) == CONNECTION_OK)
		return (LA_DB_DONE);
	PQreset(db->pg);
	if (PQstatus(db->pg) != CONNECTION_OK)
		return (la_db_pgsql_error(db, NULL));
	PQsetNoticeProcessor(db->pg, pg_notice, NULL);
	db->gen++;
	la_buf_reset(&db->dealloc);
	return (pg_session(db));
}

void
la_db_pgsql_close(struct la_db *db)
{
	PQfinish(db->pg);
	la_buf_free(&db->dealloc);
	free(db->schema);
	free(db);
}

/* libpq's message names the server, never the password. */
struct la_db *
la_db_pgsql_open(const struct la_dburl *u, char *err, size_t errlen)
{
	struct pg_conninfo ci;
	struct la_db *db;
	char port[16], msg[400];

	if (pg_conninfo(u, &ci, port, sizeof(port), err, errlen) == -1)
		return (NULL);
	db = la_xcalloc(1, sizeof(*db));
	la_buf_init(&db->dealloc);
	db->pg = PQconnectdbParams(ci.keys, ci.vals, 0);
	if (db->pg == NULL || PQstatus(db->pg) != CONNECTION_OK) {
		pg_copy_line(msg, sizeof(msg),
		    db->pg != NULL ? PQerrorMessage(db->pg) : "out of memory");
		snprintf(err, errlen, "postgresql: cannot connect: %s", msg);
		la_db_pgsql_close(db);
		return (NULL);
	}
	PQsetNoticeProcessor(db->pg, pg_notice, NULL);
	if (ci.schema != NULL)
		db->schema = la_xstrdup(ci.schema);
	if (pg_session(db) != LA_DB_DONE) {
		snprintf(err, errlen, "postgresql: %s", db->raw);
		la_db_pgsql_close(db);
		return (NULL);
	}
	return (db);
}

/*
 * A unique violation names the index, others the constraint; either way
 * the columns it covers, in its order.
 */
int
la_db_pgsql_constraint_cols(struct la_db *db, const char *schema,
    const char *table, const char *constraint, char *out, size_t outlen)
{
	const char *params[3] = {schema, table, constraint};
	PGresult *res;
	int rc = -1;

	res = la_db_pgsql_query(db,
	    "SELECT pg_catalog.string_agg(t.relname || '.' || a.attname, ', ' "
	    "ORDER BY k.o) FROM pg_catalog.pg_class t "
	    "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
	    "CROSS JOIN LATERAL (SELECT c.conkey FROM pg_catalog.pg_constraint "
	    "c WHERE c.conrelid = t.oid AND c.conname = $3 UNION ALL SELECT "
	    "x.indkey::pg_catalog.int2[] FROM pg_catalog.pg_index x JOIN "
	    "pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = "
	    "t.oid AND i.relname = $3 LIMIT 1) AS c(k) CROSS JOIN LATERAL "
	    "pg_catalog.unnest(c.k) WITH ORDINALITY AS k(num, o) "
	    "JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND "
	    "a.attnum = k.num WHERE n.nspname = $1 AND t.relname = $2",
	    3, params);
	if (res == NULL)
		return (-1);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
		rc = 0;
	}
	PQclear(res);
	return (rc);
}
