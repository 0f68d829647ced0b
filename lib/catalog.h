/*
 * The schema catalog: every endpoint with its table and columns, in one
 * position-independent image (offsets, never pointers) so the master can
 * build it once and place it in a shared mapping that every worker reads.
 *
 * Layout: struct la_catalog header, then the tables, the columns, the
 * column-index lists and a string pool. Offsets are from the start of the
 * image; 0 means "none" for strings and lists.
 */
#ifndef LA_CATALOG_H
#define LA_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "coldef.h"

#define LA_CATALOG_MAGIC   0x6c616361u /* "laca" */
#define LA_CATALOG_VERSION 4u

/* Table flags. */
#define LA_TBL_DECLARED  0x01u /* created from declared fields */
#define LA_TBL_REFLECTED 0x02u
#define LA_TBL_LISTONLY  0x04u /* no primary key: list only */
#define LA_TBL_HIDDEN    0x08u /* not served: the login validator's table */
#define LA_TBL_WRITE     0x10u /* a canned query's parameters: it may write */

/* Pagination styles. */
#define LA_PAGE_NONE   0
#define LA_PAGE_NUMBER 1
#define LA_PAGE_CURSOR 2

/* meta.pagination.count: how a page-number list gets its count. */
#define LA_COUNT_EXACT     0 /* COUNT(*), cached per table and filter */
#define LA_COUNT_ESTIMATED 1 /* the engine's statistics where it has them */
#define LA_COUNT_NONE      2 /* no count; next found by one row more */

struct la_cat_col {
	uint32_t name, dflt, pattern, fk_table, fk_col, description, sqltype;
	uint32_t jkey, jkey_len; /* the name as a JSON key: "\"name\":" */
	uint32_t type;
	uint32_t flags;
	int32_t decimal_places, max_digits;
	int64_t min_length, max_length;
	double gt, ge, lt, le;
};

/* A list of column indexes: count and offset of a uint16_t array. */
struct la_cat_list {
	uint32_t n, off;
};

struct la_cat_table {
	uint32_t name;  /* SQL table name */
	uint32_t route; /* "/products", no trailing slash */
	uint32_t cols;  /* offset of ncols struct la_cat_col, output order */
	uint32_t ncols;
	int32_t pk, version, created_at, updated_at; /* indexes, or -1 */
	uint32_t methods;                            /* LA_M_* allowed */
	uint32_t flags;
	int32_t cache_ttl;                            /* 0: not cached */
	int32_t page_style, page_size, max_page_size; /* 0: unset */
	int32_t count_mode, count_ttl; /* LA_COUNT_*; seconds, 0: no cache */
	struct la_cat_list filter, search, ordering;
	struct la_cat_list ser_read, ser_write; /* n == 0: every column */
	uint32_t auth;          /* offset of a struct la_cat_auth, or 0 */
	uint32_t scope, nscope; /* offset and count of struct la_cat_scope */
	uint32_t expand;        /* "author,books": relations ?expand= allows */
	int32_t expand_limit;   /* rows embedded per reverse relation */
};

/*
 * Row scoping (meta.where, meta.set): a column held to a constant, to
 * NULL or to a claim of the caller's credentials, for some verbs.
 */
#define LA_SCOPE_WHERE 0 /* selects: only rows with col = value */
#define LA_SCOPE_SET   1 /* writes: col = value, whatever the body says */
#define LA_SCOPE_CONST 0 /* value: the constant as text */
#define LA_SCOPE_CLAIM 1 /* value: the claim's name */
#define LA_SCOPE_NULL  2 /* no value */

struct la_cat_scope {
	uint16_t col;
	uint8_t kind, src; /* LA_SCOPE_WHERE/SET, LA_SCOPE_CONST/CLAIM/NULL */
	uint32_t verbs;    /* LA_M_* bits */
	uint32_t value;    /* string offset, 0 for NULL */
};

/* Who may call an endpoint; one permission per verb. */
#define LA_AUTH_NONE          0
#define LA_AUTH_JWT           1
#define LA_AUTH_BASIC         2
#define LA_PERM_ALLOWANY      0
#define LA_PERM_AUTHENTICATED 1
#define LA_PERM_ADMIN         2

struct la_cat_auth {
	uint32_t backend[5];    /* per verb index, LA_AUTH_* */
	uint32_t permission[5]; /* per verb index, LA_PERM_* */
	uint32_t jwt_alg;       /* LA_JWT_* that tokens must be signed with */
};

struct la_catalog {
	uint32_t magic, version;
	uint32_t size; /* of the whole image */
	uint32_t ntables;
	uint32_t tables; /* offset of the struct la_cat_table array */
};

/* Read side. */
const struct la_cat_table *la_catalog_table(const struct la_catalog *c,
    size_t i);
/* Inline, as offsets into the image: every value of a page looks up its
 * column, and its key through these. */
static inline const struct la_cat_col *
la_catalog_cols(const struct la_catalog *c, const struct la_cat_table *t)
{
	return ((const struct la_cat_col *)((const char *)c + t->cols));
}
static inline const char *
la_catalog_str(const struct la_catalog *c, uint32_t off)
{
	return (off == 0 ? NULL : (const char *)c + off);
}
static inline const uint16_t *
la_catalog_list(const struct la_catalog *c, struct la_cat_list l)
{
	return (
	    l.off == 0 ? NULL : (const uint16_t *)((const char *)c + l.off));
}
const struct la_cat_auth *la_catalog_auth(const struct la_catalog *c,
    const struct la_cat_table *t);
/* The endpoint served at route (exact, no trailing slash), or NULL. */
const struct la_cat_table *la_catalog_find(const struct la_catalog *c,
    const char *route, size_t len);
/* Index of the named column, or -1. */
int la_catalog_col_index(const struct la_catalog *c,
    const struct la_cat_table *t, const char *name, size_t len);
/* The scope entries of t (*n of them), or NULL. */
const struct la_cat_scope *la_catalog_scope(const struct la_catalog *c,
    const struct la_cat_table *t, size_t *n);
/*
 * A relation of ?expand= on t (SPEC §6): forward, a column "<name>_id"
 * of t with a foreign key, to the first endpoint serving its table; or
 * reverse, the endpoint whose route ends in "/<name>" with a column whose
 * foreign key points to t. Only endpoints that serve GET.
 */
struct la_cat_rel {
	const struct la_cat_table *tt; /* the related endpoint */
	int col;     /* in t: the foreign key, or the column pointed to */
	int tcol;    /* in tt: the column pointed to, or the foreign key */
	int reverse; /* the rows of tt that point to t */
};

/* 0 and *r set, or -1 when name[0..len) is no relation of t. */
int la_catalog_relation(const struct la_catalog *c,
    const struct la_cat_table *t, const char *name, size_t len,
    struct la_cat_rel *r);
/* 0 when img looks like a catalog whose offsets stay inside size. */
int la_catalog_check(const void *img, size_t size);

/* Build side (master only). */
struct la_catb;

struct la_catb_table {
	const char *name, *route;
	uint32_t methods, flags;
	int32_t cache_ttl, page_style, page_size, max_page_size;
	int32_t count_mode, count_ttl;
	const char **filter, **search, **ordering, **ser_read, **ser_write;
	size_t nfilter, nsearch, nordering, nser_read, nser_write;
	const struct la_cat_auth *auth; /* NULL: open */
	const struct la_catb_scope *scope;
	size_t nscope;
	const char *expand; /* comma-separated relation names, or NULL */
	int32_t expand_limit;
};

struct la_catb_scope {
	const char *col; /* must name a column of the table */
	int kind, src;   /* LA_SCOPE_* */
	uint32_t verbs;
	const char *value;
};

struct la_catb *la_catb_new(void);
void la_catb_free(struct la_catb *b);
/* Starts an endpoint; columns added next belong to it. */
void la_catb_table(struct la_catb *b, const struct la_catb_table *t);
void la_catb_column(struct la_catb *b, const struct la_col_def *d);
/*
 * Lays out the image in one malloc'd block (caller frees) and sets *size.
 * Resolves pk/version/created_at/updated_at by flags and names and the
 * name lists to column indexes (names that match no column are dropped).
 */
struct la_catalog *la_catb_finish(struct la_catb *b, size_t *size);

/* The four server-managed columns every declared endpoint gets. */
void la_catalog_auto_columns(struct la_col_def out[4]);

#endif
