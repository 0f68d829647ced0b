/*
 * CRUD statement text from the catalog. Only catalog identifiers (quoted
 * per dialect) and placeholders ever enter the SQL; the values travel
 * separately as bound parameters, in the order the placeholders appear,
 * which each function below documents.
 */
#ifndef LA_SQLB_H
#define LA_SQLB_H

#include "buf.h"
#include "catalog.h"
#include "dialect.h"
#include "query.h"
#include "value.h"

struct la_sqlb {
	struct la_buf *b;
	enum la_dialect dialect;
	int nparams;
	struct la_value *params; /* values bound by la_sqlb_bind, in order */
	size_t cap;
	/* la_sqlb_select's text for select_t, built once by the caller and
	 * copied instead of built again; NULL: build it. */
	const struct la_cat_table *select_t;
	const char *select;
	size_t select_len;
	int values_only; /* la_sqlb_values_only */
};

void la_sqlb_init(struct la_sqlb *q, struct la_buf *b, enum la_dialect dialect);
/* Lets la_sqlb_select copy text (its own earlier output for t, in this
 * dialect, which the caller keeps) rather than build it again. */
void la_sqlb_reuse_select(struct la_sqlb *q, const struct la_cat_table *t,
    const char *text, size_t len);
/*
 * From now on q writes no text at all, only records what la_sqlb_bind
 * binds: the values of a statement whose text (an earlier build of the
 * same shape, see sqlshape.h) the caller has, in the order that build's
 * placeholders took them.
 */
void la_sqlb_values_only(struct la_sqlb *q);
/* Appends the next placeholder: "?" or "$n". */
void la_sqlb_param(struct la_sqlb *q);
/* Where la_sqlb_bind records values: cap of them at params. */
void la_sqlb_params(struct la_sqlb *q, struct la_value *params, size_t cap);
/* Appends a placeholder and records v as its value. */
void la_sqlb_bind(struct la_sqlb *q, struct la_value v);
/*
 * A list query: "SELECT <columns> FROM t WHERE <filters> AND <search>
 * [AND <keyset>] ORDER BY <order> [LIMIT ? [OFFSET ?]]", every value bound
 * through la_sqlb_bind (set params first, la_query_max_params of them).
 * keys, when not NULL, are the sort-key values of the row to continue
 * after; reverse walks the order backwards (the page before a cursor).
 * limit 0: no limit.
 */
void la_sqlb_query(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq,
    const struct la_value *keys, int reverse, int64_t limit, int64_t offset);
/* "SELECT COUNT(*) FROM t WHERE <filters> AND <search>". */
void la_sqlb_count(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_query *qq);
/* "SELECT <every column> FROM <table>"; no parameters. */
void la_sqlb_select(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t);
/* ... " WHERE <pk> = ?": the key. */
void la_sqlb_select_pk(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t);
/* ... " WHERE <col> = ?": the value. */
void la_sqlb_select_by(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col);
/*
 * ... " WHERE <col> IN (?, ...)" with n placeholders, the values the
 * caller binds (n > 0). la_sqlb_order_in then appends " ORDER BY col,
 * <pk>" (after any scope conditions), so the rows of one value come
 * together and in a stable order.
 */
void la_sqlb_select_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, size_t n);
void la_sqlb_order_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col);
/*
 * The same with at most limit rows per value of col, so that a value
 * with a million related rows costs no more than limit of them: "SELECT
 * <cols> FROM (SELECT <cols>, ROW_NUMBER() OVER (PARTITION BY col ORDER
 * BY <pk>) AS lightapid_rn FROM t WHERE col IN (?, ...)", then the
 * caller's scope conditions, then la_sqlb_limit_in's ") AS
 * lightapid_ranked WHERE lightapid_rn <= ? ORDER BY col, <pk>", which
 * binds limit.
 */
void la_sqlb_select_in_ranked(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, size_t n);
void la_sqlb_limit_in(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int col, int64_t limit);
/* "SELECT 1 FROM <table> WHERE <pk> = ?": the key. */
void la_sqlb_exists(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t);
/* "INSERT INTO t (cols with set[i]) VALUES (?, ...)": those values, in
 * column order. With none set, "INSERT INTO t DEFAULT VALUES". */
void la_sqlb_insert(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const unsigned char *set);
/*
 * "UPDATE t SET c = ?, ... [, version = version + 1] WHERE pk = ?
 * [AND version = ?]": the set values in column order, the key, then the
 * expected version when versioned (the table has a version column).
 */
void la_sqlb_update(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const unsigned char *set, int versioned);
/*
 * Appends " RETURNING <every column>" (in la_sqlb_select's order) to an
 * INSERT or UPDATE, where la_dialect_returning() allows it.
 */
void la_sqlb_returning(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t);
/* "DELETE FROM t WHERE pk = ?": the key. */
void la_sqlb_delete(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t);
/*
 * Row scoping: appends " AND <filter>" for each of the n filters to a
 * statement that has a WHERE already (the detail SELECT, UPDATE, DELETE
 * and the exists check), binding their values through la_sqlb_bind after
 * the statement's own. A scope's columns and operators are fixed per
 * endpoint and verb, so the text stays stable; only the values vary.
 */
void la_sqlb_scope(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, const struct la_qfilter *f, size_t n);

#endif
