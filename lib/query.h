/*
 * The query string of a list route, read against the endpoint's catalog
 * entry: filters and lookups, search, ordering, and the pagination
 * parameters. Only what meta.filtering and meta.pagination enable is
 * read; everything else is ignored. Values are coerced to the column's
 * type here, so the SQL builder only ever binds typed values.
 */
#ifndef LA_QUERY_H
#define LA_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "catalog.h"
#include "url.h"
#include "value.h"

struct la_arena;

enum la_qop {
	LA_Q_EQ,
	LA_Q_NE,
	LA_Q_GT,
	LA_Q_GTE,
	LA_Q_LT,
	LA_Q_LTE,
	LA_Q_IN,
	LA_Q_ISNULL, /* vals[0].i: 1 IS NULL, 0 IS NOT NULL */
	LA_Q_CONTAINS,
	LA_Q_ICONTAINS,
	LA_Q_STARTSWITH
};

struct la_qfilter {
	int col;
	enum la_qop op;
	struct la_value *vals;
	size_t nvals;
};

struct la_qorder {
	int col;
	int desc;
};

struct la_query {
	struct la_qfilter *filters;
	size_t nfilters;
	const char *search; /* NULL when absent or empty */
	size_t search_len;
	struct la_qorder *order; /* requested fields, then the primary key */
	size_t norder;
	const char *ordering; /* canonical requested ordering, "" for none */
	int64_t page;         /* page_number: 1-based */
	int page_size;        /* effective size (0: unpaginated, uncapped) */
	const char *cursor;   /* raw cursor parameter, or NULL */
	size_t cursor_len;
	struct la_qparam *params; /* every parameter as sent, decoded */
	size_t nparams;
};

#define LA_QUERY_BAD_ESCAPE (-2)

/*
 * Parses qs[0..len) for table t. Returns 0; -1 with Pydantic-style items
 * (loc ["query", name]) appended comma-separated to errs; or
 * LA_QUERY_BAD_ESCAPE when the string does not percent-decode.
 */
int la_query_parse(const struct la_catalog *c, const struct la_cat_table *t,
    const char *qs, size_t len, struct la_arena *a, struct la_query *q,
    struct la_buf *errs);
/* How many values the SQL for q can bind at most (filters, search,
 * keyset, limit and offset). */
size_t la_query_max_params(const struct la_cat_table *t,
    const struct la_query *q);

#endif
