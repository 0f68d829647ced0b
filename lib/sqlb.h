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

struct la_sqlb {
	struct la_buf *b;
	int dialect; /* LA_DDL_SQLITE, LA_DDL_PGSQL, LA_DDL_MYSQL */
	int nparams;
};

void la_sqlb_init(struct la_sqlb *q, struct la_buf *b, int dialect);
/* Appends the next placeholder: "?" or "$n". */
void la_sqlb_param(struct la_sqlb *q);
/* "SELECT <every column> FROM <table>"; no parameters. */
void la_sqlb_select(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t);
/* ... " WHERE <pk> = ?": the key. */
void la_sqlb_select_pk(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t);
/* "SELECT ... FROM t [ORDER BY pk] [LIMIT n]": no parameters; the limit
 * (0: none) is a catalog number, not request data. */
void la_sqlb_list(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t, int limit);
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
/* "DELETE FROM t WHERE pk = ?": the key. */
void la_sqlb_delete(struct la_sqlb *q, const struct la_catalog *c,
    const struct la_cat_table *t);

#endif
