/*
 * List-route query strings (see query.h). A repeated parameter uses its
 * last value, so parameters are visited from the last to the first and a
 * name already seen is skipped.
 */
#include <string.h>

#include "la.h"
#include "arena.h"
#include "json.h"
#include "query.h"
#include "str.h"
#include "validate.h"

static const struct {
	const char *suffix;
	enum la_qop op;
} query_lookups[] = {
    {"gt", LA_Q_GT},
    {"gte", LA_Q_GTE},
    {"lt", LA_Q_LT},
    {"lte", LA_Q_LTE},
    {"ne", LA_Q_NE},
    {"in", LA_Q_IN},
    {"isnull", LA_Q_ISNULL},
    {"contains", LA_Q_CONTAINS},
    {"icontains", LA_Q_ICONTAINS},
    {"startswith", LA_Q_STARTSWITH},
};

/* Parameters with a meaning of their own are never filters. */
static const char *const query_reserved[] = {"page", "page_size", "cursor",
    "ordering", "search", "expand"};

struct query_ctx {
	const struct la_catalog *c;
	const struct la_cat_table *t;
	const struct la_cat_col *cols;
	struct la_arena *a;
	struct la_query *q;
	struct la_buf *errs;
	int nerr;
};

static void
query_item(struct query_ctx *x, const char *type, const char *param,
    const char *msg, const char *input, int ge)
{
	struct la_buf *b = x->errs;

	if (b->len > 0 && b->data[b->len - 1] == '}')
		la_buf_putc(b, ',');
	la_buf_puts(b, "{\"type\":");
	la_json_cstr(b, type);
	la_buf_puts(b, ",\"loc\":[\"query\",");
	la_json_cstr(b, param);
	la_buf_puts(b, "],\"msg\":");
	la_json_cstr(b, msg);
	la_buf_puts(b, ",\"input\":");
	la_json_cstr(b, input);
	if (ge > 0)
		la_buf_printf(b, ",\"ctx\":{\"ge\":%d}", ge);
	la_buf_putc(b, '}');
	x->nerr++;
}

/* In list l of the table, the index of the column named name[0..len). */
static int
query_allowed(const struct query_ctx *x, struct la_cat_list l, const char *name,
    size_t len)
{
	const uint16_t *idx = la_catalog_list(x->c, l);
	const char *n;
	uint32_t i;

	for (i = 0; i < l.n; i++) {
		n = la_catalog_str(x->c, x->cols[idx[i]].name);
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return (idx[i]);
	}
	return (-1);
}

static int
query_is_reserved(const char *key)
{
	size_t i;

	for (i = 0; i < LA_NELEM(query_reserved); i++)
		if (strcmp(key, query_reserved[i]) == 0)
			return (1);
	return (0);
}

/* Splits "field__lookup"; -1 for an unknown lookup (ignored). */
static int
query_split(const char *key, size_t *flen, enum la_qop *op)
{
	const char *sep = strstr(key, "__");
	size_t i;

	*op = LA_Q_EQ;
	*flen = strlen(key);
	if (sep == NULL)
		return (0);
	for (i = 0; i < LA_NELEM(query_lookups); i++)
		if (strcmp(sep + 2, query_lookups[i].suffix) == 0) {
			*flen = (size_t)(sep - key);
			*op = query_lookups[i].op;
			return (0);
		}
	return (-1);
}

static int
query_coerce(struct query_ctx *x, int col, const char *param, const char *s,
    size_t len, struct la_value *out)
{
	if (la_validate_text(&x->cols[col], param, s, len, out, x->errs,
	        x->a) == 0)
		return (0);
	x->nerr++;
	return (-1);
}

static int
query_isnull(struct query_ctx *x, const struct la_qparam *p,
    struct la_value *out)
{
	int64_t v;

	if (la_validate_bool_text(p->value, p->vlen, &v) == 0) {
		*out = la_value_int(v);
		return (0);
	}
	query_item(x, "bool_parsing", p->key,
	    "Input should be a valid boolean, unable to interpret input",
	    p->value, 0);
	return (-1);
}

/* "a,b,c" → three coerced values. */
static int
query_in(struct query_ctx *x, int col, const struct la_qparam *p,
    struct la_qfilter *f)
{
	const char *s = p->value, *end = p->value + p->vlen, *comma;
	size_t n = 1;
	int rc = 0;

	for (comma = s; (comma = memchr(comma, ',', (size_t)(end - comma)));
	     comma++)
		n++;
	f->vals = la_arena_calloc(x->a, n, sizeof(*f->vals));
	for (f->nvals = 0; f->nvals < n; s = comma + 1) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (comma == NULL)
			comma = end;
		rc |= query_coerce(x, col, p->key, s, (size_t)(comma - s),
		    &f->vals[f->nvals++]);
	}
	return (rc);
}

static int
query_filter_value(struct query_ctx *x, int col, const struct la_qparam *p,
    struct la_qfilter *f)
{
	switch (f->op) {
	case LA_Q_IN:
		return (query_in(x, col, p, f));
	case LA_Q_ISNULL:
		f->vals = la_arena_calloc(x->a, 1, sizeof(*f->vals));
		f->nvals = 1;
		return (query_isnull(x, p, f->vals));
	case LA_Q_CONTAINS:
	case LA_Q_ICONTAINS:
	case LA_Q_STARTSWITH:
		/* Substrings are matched as text, whatever the type. */
		f->vals = la_arena_calloc(x->a, 1, sizeof(*f->vals));
		f->nvals = 1;
		f->vals[0] = la_value_text(p->value, p->vlen);
		return (0);
	default:
		f->vals = la_arena_calloc(x->a, 1, sizeof(*f->vals));
		f->nvals = 1;
		return (
		    query_coerce(x, col, p->key, p->value, p->vlen, f->vals));
	}
}

static void
query_filter(struct query_ctx *x, const struct la_qparam *p)
{
	struct la_qfilter *f;
	enum la_qop op;
	size_t flen;
	int col;

	if (query_split(p->key, &flen, &op) != 0 ||
	    (col = query_allowed(x, x->t->filter, p->key, flen)) < 0)
		return;
	f = &x->q->filters[x->q->nfilters];
	f->col = col;
	f->op = op;
	if (query_filter_value(x, col, p, f) == 0)
		x->q->nfilters++;
}

static void
query_add_order(struct query_ctx *x, int col, int desc, struct la_buf *key)
{
	size_t i;

	for (i = 0; i < x->q->norder; i++)
		if (x->q->order[i].col == col)
			return; /* the first mention wins */
	x->q->order[x->q->norder].col = col;
	x->q->order[x->q->norder++].desc = desc;
	if (key == NULL)
		return;
	if (key->len > 0)
		la_buf_putc(key, ',');
	la_buf_printf(key, "%s%s", desc ? "-" : "",
	    la_catalog_str(x->c, x->cols[col].name));
}

/* "price,-name": whitelisted fields only, then the key as tie-breaker. */
static void
query_ordering(struct query_ctx *x, const char *v, size_t vlen)
{
	const char *end, *comma;
	struct la_buf key;
	struct la_str f;
	int col, desc;

	la_buf_init(&key);
	x->q->order =
	    la_arena_calloc(x->a, x->t->ncols + 1, sizeof(*x->q->order));
	/* Without ?ordering there is no text: NULL + 0 is undefined. */
	end = v != NULL ? v + vlen : NULL;
	for (; v != NULL && v <= end; v = comma + 1) {
		if ((comma = memchr(v, ',', (size_t)(end - v))) == NULL)
			comma = end;
		f = la_str_trim((struct la_str){v, (size_t)(comma - v)});
		for (desc = 0; f.len > 0 && f.p[0] == '-'; desc = 1)
			f.p++, f.len--;
		col = query_allowed(x, x->t->ordering, f.p, f.len);
		if (col >= 0)
			query_add_order(x, col, desc, &key);
		if (comma == end)
			break;
	}
	x->q->ordering = la_arena_strdup(x->a, key.data ? key.data : "");
	la_buf_free(&key);
	if (x->t->pk >= 0)
		query_add_order(x, x->t->pk, 0, NULL);
}

/* A positive integer parameter (page, page_size); 0 when invalid. */
static int64_t
query_positive(struct query_ctx *x, const struct la_qparam *p)
{
	int64_t v;
	size_t i;

	/* A whole number past 2^63-1 is past the end of any list. */
	for (i = 0; i < p->vlen && p->value[i] >= '0' && p->value[i] <= '9';
	     i++)
		;
	if (i == p->vlen && i > 18 && la_str_to_i64(p->value, p->vlen, &v) != 0)
		return (INT64_MAX);
	if (la_str_to_i64(p->value, p->vlen, &v) != 0) {
		query_item(x, "int_parsing", p->key,
		    "Input should be a valid integer, unable to parse string "
		    "as an integer",
		    p->value, 0);
		return (0);
	}
	if (v < 1) {
		query_item(x, "greater_than_equal", p->key,
		    "Input should be greater than or equal to 1", p->value, 1);
		return (0);
	}
	return (v);
}

static void
query_pagination(struct query_ctx *x, const struct la_qparam *page,
    const struct la_qparam *size, const struct la_qparam *cursor)
{
	const struct la_cat_table *t = x->t;
	int max = t->max_page_size > 0 ? t->max_page_size : 100;
	int64_t v;

	x->q->page = 1;
	x->q->page_size =
	    t->page_style == LA_PAGE_NONE ? t->max_page_size : t->page_size;
	if (t->page_style == LA_PAGE_NONE)
		return;
	if (size != NULL && (v = query_positive(x, size)) > 0)
		x->q->page_size = v > max ? max : (int)v;
	if (t->page_style == LA_PAGE_NUMBER && page != NULL &&
	    (v = query_positive(x, page)) > 0)
		x->q->page = v;
	if (t->page_style == LA_PAGE_CURSOR && cursor != NULL &&
	    cursor->vlen > 0) {
		x->q->cursor = cursor->value;
		x->q->cursor_len = cursor->vlen;
	}
}

static int
query_seen(const struct la_qparam *ps, size_t n, size_t i)
{
	size_t k;

	for (k = i + 1; k < n; k++)
		if (strcmp(ps[k].key, ps[i].key) == 0)
			return (1);
	return (0);
}

static const struct la_qparam *
query_last(const struct la_qparam *ps, size_t n, const char *key)
{
	size_t i;

	for (i = n; i-- > 0;)
		if (strcmp(ps[i].key, key) == 0)
			return (&ps[i]);
	return (NULL);
}

static void
query_params(struct query_ctx *x)
{
	const struct la_qparam *ps = x->q->params, *p;
	size_t n = x->q->nparams, i;

	x->q->filters = la_arena_calloc(x->a, n + 1, sizeof(*x->q->filters));
	for (i = 0; i < n; i++)
		if (!query_seen(ps, n, i) && !query_is_reserved(ps[i].key))
			query_filter(x, &ps[i]);
	p = query_last(ps, n, "search");
	if (x->t->search.n > 0 && p != NULL && p->vlen > 0) {
		x->q->search = p->value;
		x->q->search_len = p->vlen;
	}
	p = x->t->ordering.n > 0 ? query_last(ps, n, "ordering") : NULL;
	query_ordering(x, p ? p->value : NULL, p ? p->vlen : 0);
	query_pagination(x, query_last(ps, n, "page"),
	    query_last(ps, n, "page_size"), query_last(ps, n, "cursor"));
}

int
la_query_parse(const struct la_catalog *c, const struct la_cat_table *t,
    const char *qs, size_t len, struct la_arena *a, struct la_query *q,
    struct la_buf *errs)
{
	struct query_ctx x;
	int n;

	memset(q, 0, sizeof(*q));
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.t = t;
	x.cols = la_catalog_cols(c, t);
	x.a = a;
	x.q = q;
	x.errs = errs;
	if ((n = la_url_query_parse(qs, len, a, &q->params)) < 0)
		return (LA_QUERY_BAD_ESCAPE);
	q->nparams = (size_t)n;
	query_params(&x);
	return (x.nerr > 0 ? -1 : 0);
}

size_t
la_query_max_params(const struct la_cat_table *t, const struct la_query *q)
{
	size_t n = 2, i; /* limit and offset */

	for (i = 0; i < q->nfilters; i++)
		n += q->filters[i].nvals;
	n += t->search.n;
	/* Keyset: term k binds k equalities and one comparison. */
	n += q->norder * (q->norder + 1) / 2 + q->norder;
	return (n);
}
