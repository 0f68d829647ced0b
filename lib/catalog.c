/*
 * The schema catalog image (see catalog.h). The builder collects endpoints
 * and columns with plain pointers, then lays everything out in one block:
 * header, tables, columns, index lists, strings. Readers only ever add an
 * offset to the image's base, so the block can be copied into a shared
 * mapping and read at any address.
 */
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "buf.h"
#include "catalog.h"
#include "json.h"
#include "xalloc.h"

#define CATB_ALIGN 8

struct catb_table {
	struct la_catb_table t;
	struct la_col_def *cols;
	size_t ncols, capcols;
	struct la_cat_auth auth;
	int has_auth;
};

struct la_catb {
	struct catb_table *tables;
	size_t ntables, captables;
	struct la_buf img; /* the image under construction */
};

/* ---- read side ---------------------------------------------------------- */

static const char *
cat_base(const struct la_catalog *c)
{
	return ((const char *)c);
}

const struct la_cat_table *
la_catalog_table(const struct la_catalog *c, size_t i)
{
	if (i >= c->ntables)
		return (NULL);
	return ((const struct la_cat_table *)(cat_base(c) + c->tables) + i);
}

const struct la_cat_auth *
la_catalog_auth(const struct la_catalog *c, const struct la_cat_table *t)
{
	return (t->auth == 0
	            ? NULL
	            : (const struct la_cat_auth *)(cat_base(c) + t->auth));
}

const struct la_cat_scope *
la_catalog_scope(const struct la_catalog *c, const struct la_cat_table *t,
    size_t *n)
{
	*n = t->nscope;
	return (t->nscope == 0
	            ? NULL
	            : (const struct la_cat_scope *)(cat_base(c) + t->scope));
}

const struct la_cat_table *
la_catalog_find(const struct la_catalog *c, const char *route, size_t len)
{
	const struct la_cat_table *t;
	const char *r;
	size_t i;

	for (i = 0; i < c->ntables; i++) {
		t = la_catalog_table(c, i);
		r = la_catalog_str(c, t->route);
		if (strlen(r) == len && memcmp(r, route, len) == 0)
			return (t);
	}
	return (NULL);
}

int
la_catalog_col_index(const struct la_catalog *c, const struct la_cat_table *t,
    const char *name, size_t len)
{
	const struct la_cat_col *cols = la_catalog_cols(c, t);
	const char *n;
	uint32_t i;

	for (i = 0; i < t->ncols; i++) {
		n = la_catalog_str(c, cols[i].name);
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return ((int)i);
	}
	return (-1);
}

static int
cat_check_str(const char *base, size_t size, uint32_t off)
{
	if (off == 0)
		return (0);
	if (off >= size)
		return (-1);
	return (memchr(base + off, '\0', size - off) == NULL ? -1 : 0);
}

static int
cat_check_scope(const char *base, size_t size, const struct la_cat_table *t)
{
	const struct la_cat_scope *sc;
	uint32_t i;

	if (t->nscope == 0)
		return (0);
	if (t->scope > size || t->nscope > (size - t->scope) / sizeof(*sc))
		return (-1);
	sc = (const struct la_cat_scope *)(base + t->scope);
	for (i = 0; i < t->nscope; i++)
		if (sc[i].col >= t->ncols || sc[i].kind > LA_SCOPE_SET ||
		    sc[i].src > LA_SCOPE_NULL ||
		    cat_check_str(base, size, sc[i].value) ||
		    (sc[i].src != LA_SCOPE_NULL && sc[i].value == 0))
			return (-1);
	return (0);
}

static int
cat_check_table(const char *base, size_t size, const struct la_cat_table *t)
{
	const struct la_cat_col *col;
	uint32_t i;

	if (cat_check_str(base, size, t->name) || t->name == 0 ||
	    cat_check_str(base, size, t->route) || t->route == 0 ||
	    cat_check_str(base, size, t->expand))
		return (-1);
	if (t->cols > size || t->ncols > (size - t->cols) / sizeof(*col))
		return (-1);
	col = (const struct la_cat_col *)(base + t->cols);
	for (i = 0; i < t->ncols; i++)
		if (cat_check_str(base, size, col[i].name) || col[i].name == 0)
			return (-1);
	return (cat_check_scope(base, size, t));
}

int
la_catalog_check(const void *img, size_t size)
{
	const struct la_catalog *c = img;
	const struct la_cat_table *t;
	uint32_t i;

	if (size < sizeof(*c) || c->magic != LA_CATALOG_MAGIC ||
	    c->version != LA_CATALOG_VERSION || c->size != size)
		return (-1);
	if (c->tables > size || c->ntables > (size - c->tables) / sizeof(*t))
		return (-1);
	t = (const struct la_cat_table *)((const char *)img + c->tables);
	for (i = 0; i < c->ntables; i++)
		if (cat_check_table(img, size, &t[i]) != 0)
			return (-1);
	return (0);
}

/* ---- relations (?expand=) ---------------------------------------------- */

/* An endpoint a relation may lead to: read with GET, not a query's. */
static int
cat_servable(const struct la_cat_table *t)
{
	return ((t->methods & LA_M_GET) != 0 &&
	        (t->flags & (LA_TBL_HIDDEN | LA_TBL_WRITE)) == 0);
}

/* The first endpoint serving the SQL table named name. */
static const struct la_cat_table *
cat_table_named(const struct la_catalog *c, const char *name)
{
	const struct la_cat_table *t;
	uint32_t i;

	for (i = 0; i < c->ntables; i++) {
		t = la_catalog_table(c, i);
		if (strcmp(la_catalog_str(c, t->name), name) == 0 &&
		    cat_servable(t))
			return (t);
	}
	return (NULL);
}

/* Forward: a column "<name>_id" of t with a foreign key. */
static int
cat_rel_forward(const struct la_catalog *c, const struct la_cat_table *t,
    const char *name, size_t len, struct la_cat_rel *r)
{
	const struct la_cat_col *cols = la_catalog_cols(c, t);
	const char *cn, *fk;
	uint32_t i;

	for (i = 0; i < t->ncols; i++) {
		cn = la_catalog_str(c, cols[i].name);
		if (cols[i].fk_table == 0 || strlen(cn) != len + 3 ||
		    memcmp(cn, name, len) != 0 || strcmp(cn + len, "_id") != 0)
			continue;
		fk = la_catalog_str(c, cols[i].fk_table);
		if ((r->tt = cat_table_named(c, fk)) == NULL)
			return (-1);
		r->col = (int)i;
		fk = la_catalog_str(c, cols[i].fk_col);
		r->tcol = la_catalog_col_index(c, r->tt, fk, strlen(fk));
		return (r->tcol >= 0 ? 0 : -1);
	}
	return (-1);
}

/* In tt, a column whose foreign key points to a column of t. */
static int
cat_rel_column(const struct la_catalog *c, const struct la_cat_table *t,
    const struct la_cat_table *tt, struct la_cat_rel *r)
{
	const struct la_cat_col *tc = la_catalog_cols(c, tt);
	const char *me = la_catalog_str(c, t->name), *fc;
	uint32_t j;

	for (j = 0; j < tt->ncols; j++) {
		if (tc[j].fk_table == 0 ||
		    strcmp(la_catalog_str(c, tc[j].fk_table), me) != 0)
			continue;
		fc = la_catalog_str(c, tc[j].fk_col);
		if ((r->col = la_catalog_col_index(c, t, fc, strlen(fc))) < 0)
			continue;
		r->tcol = (int)j;
		return (0);
	}
	return (-1);
}

/* Reverse: the endpoint whose route ends in "/<name>", pointing to t. */
static int
cat_rel_reverse(const struct la_catalog *c, const struct la_cat_table *t,
    const char *name, size_t len, struct la_cat_rel *r)
{
	const struct la_cat_table *tt;
	const char *rn, *s;
	uint32_t i;

	for (i = 0; i < c->ntables; i++) {
		tt = la_catalog_table(c, i);
		rn = la_catalog_str(c, tt->route);
		if ((s = strrchr(rn, '/')) != NULL)
			rn = s + 1;
		if (strlen(rn) != len || memcmp(rn, name, len) != 0 ||
		    !cat_servable(tt) || cat_rel_column(c, t, tt, r) != 0)
			continue;
		r->tt = tt;
		r->reverse = 1;
		return (0);
	}
	return (-1);
}

int
la_catalog_relation(const struct la_catalog *c, const struct la_cat_table *t,
    const char *name, size_t len, struct la_cat_rel *r)
{
	memset(r, 0, sizeof(*r));
	if (cat_rel_forward(c, t, name, len, r) == 0)
		return (0);
	memset(r, 0, sizeof(*r));
	return (cat_rel_reverse(c, t, name, len, r));
}

/* ---- build side --------------------------------------------------------- */

struct la_catb *
la_catb_new(void)
{
	struct la_catb *b = la_xcalloc(1, sizeof(*b));

	la_buf_init(&b->img);
	return (b);
}

void
la_catb_free(struct la_catb *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->ntables; i++)
		free(b->tables[i].cols);
	free(b->tables);
	la_buf_free(&b->img);
	free(b);
}

void
la_catb_table(struct la_catb *b, const struct la_catb_table *t)
{
	struct catb_table *bt;

	if (b->ntables == b->captables) {
		b->captables = b->captables ? b->captables * 2 : 8;
		b->tables =
		    la_xrealloc(b->tables, b->captables * sizeof(*b->tables));
	}
	bt = &b->tables[b->ntables++];
	memset(bt, 0, sizeof(*bt));
	bt->t = *t;
	if (t->auth != NULL) {
		bt->auth = *t->auth;
		bt->has_auth = 1;
	}
}

void
la_catb_column(struct la_catb *b, const struct la_col_def *d)
{
	struct catb_table *bt;

	LA_ASSERT(b->ntables > 0);
	bt = &b->tables[b->ntables - 1];
	if (bt->ncols == bt->capcols) {
		bt->capcols = bt->capcols ? bt->capcols * 2 : 16;
		bt->cols =
		    la_xrealloc(bt->cols, bt->capcols * sizeof(*bt->cols));
	}
	bt->cols[bt->ncols++] = *d;
}

/* Reserves n zeroed, aligned bytes in the image; returns their offset. */
static uint32_t
catb_reserve(struct la_catb *b, size_t n)
{
	size_t off = (b->img.len + CATB_ALIGN - 1) & ~(size_t)(CATB_ALIGN - 1);
	char *p;

	p = la_buf_reserve(&b->img, off - b->img.len + n);
	memset(p, 0, off - b->img.len + n);
	b->img.len = off + n;
	return ((uint32_t)off);
}

static void *
catb_at(struct la_catb *b, uint32_t off)
{
	return (b->img.data + off);
}

static uint32_t
catb_str(struct la_catb *b, const char *s)
{
	uint32_t off;

	if (s == NULL)
		return (0);
	off = (uint32_t)b->img.len;
	la_buf_append(&b->img, s, strlen(s) + 1);
	return (off);
}

/* The column name rendered once as a JSON key, for every row written. */
static uint32_t
catb_jkey(struct la_catb *b, const char *name, uint32_t *len)
{
	struct la_buf k;
	uint32_t off;

	la_buf_init(&k);
	la_json_cstr(&k, name);
	la_buf_putc(&k, ':');
	off = catb_str(b, k.data);
	*len = (uint32_t)k.len;
	la_buf_free(&k);
	return (off);
}

static int
catb_find_col(const struct catb_table *bt, const char *name)
{
	size_t i;

	for (i = 0; i < bt->ncols; i++)
		if (strcmp(bt->cols[i].name, name) == 0)
			return ((int)i);
	return (-1);
}

/* A name list resolved to column indexes; unknown names are dropped. */
static struct la_cat_list
catb_list(struct la_catb *b, const struct catb_table *bt, const char **names,
    size_t n)
{
	struct la_cat_list l = {0, 0};
	uint16_t *idx;
	size_t i;
	int c;

	if (n == 0)
		return (l);
	l.off = catb_reserve(b, n * sizeof(uint16_t));
	for (i = 0; i < n; i++) {
		c = catb_find_col(bt, names[i]);
		if (c < 0)
			continue;
		idx = catb_at(b, l.off);
		idx[l.n++] = (uint16_t)c;
	}
	return (l);
}

static void
catb_col(struct la_catb *b, uint32_t off, const struct la_col_def *d)
{
	struct la_cat_col c;

	memset(&c, 0, sizeof(c));
	c.name = catb_str(b, d->name);
	c.dflt = catb_str(b, d->dflt);
	c.pattern = catb_str(b, d->pattern);
	c.fk_table = catb_str(b, d->fk_table);
	c.fk_col = catb_str(b, d->fk_col);
	c.description = catb_str(b, d->description);
	c.sqltype = catb_str(b, d->sqltype);
	c.jkey = catb_jkey(b, d->name, &c.jkey_len);
	c.type = (uint32_t)d->type;
	c.flags = d->flags;
	c.decimal_places = d->decimal_places;
	c.max_digits = d->max_digits;
	c.min_length = d->min_length;
	c.max_length = d->max_length;
	c.gt = d->gt;
	c.ge = d->ge;
	c.lt = d->lt;
	c.le = d->le;
	memcpy(catb_at(b, off), &c, sizeof(c));
}

static int32_t
catb_special(const struct catb_table *bt, const char *name, enum la_type ty)
{
	int i = catb_find_col(bt, name);

	if (i < 0 || bt->cols[i].type != ty)
		return (-1);
	return (i);
}

static int32_t
catb_pk(const struct catb_table *bt)
{
	size_t i;

	for (i = 0; i < bt->ncols; i++)
		if (bt->cols[i].flags & LA_COL_PK)
			return ((int32_t)i);
	return (-1);
}

/* Scope entries whose column is not in the table are dropped. */
static void
catb_scope(struct la_catb *b, const struct catb_table *bt,
    struct la_cat_table *t)
{
	const struct la_catb_table *s = &bt->t;
	struct la_cat_scope e;
	size_t i;
	int c;

	if (s->nscope == 0)
		return;
	t->scope = catb_reserve(b, s->nscope * sizeof(e));
	for (i = 0; i < s->nscope; i++) {
		if ((c = catb_find_col(bt, s->scope[i].col)) < 0)
			continue;
		memset(&e, 0, sizeof(e));
		e.col = (uint16_t)c;
		e.kind = (uint8_t)s->scope[i].kind;
		e.src = (uint8_t)s->scope[i].src;
		e.verbs = s->scope[i].verbs;
		e.value = s->scope[i].src == LA_SCOPE_NULL
		              ? 0
		              : catb_str(b, s->scope[i].value);
		memcpy(catb_at(b, t->scope + t->nscope * (uint32_t)sizeof(e)),
		    &e, sizeof(e));
		t->nscope++;
	}
}

static void
catb_lay_table(struct la_catb *b, uint32_t toff, const struct catb_table *bt)
{
	const struct la_catb_table *s = &bt->t;
	struct la_cat_table t;
	size_t i;

	memset(&t, 0, sizeof(t));
	t.ncols = (uint32_t)bt->ncols;
	t.cols = catb_reserve(b, bt->ncols * sizeof(struct la_cat_col));
	for (i = 0; i < bt->ncols; i++)
		catb_col(b, t.cols + (uint32_t)(i * sizeof(struct la_cat_col)),
		    &bt->cols[i]);
	t.name = catb_str(b, s->name);
	t.route = catb_str(b, s->route);
	t.pk = catb_pk(bt);
	t.version = catb_special(bt, "version", LA_T_INT);
	t.created_at = catb_special(bt, "created_at", LA_T_DATETIME);
	t.updated_at = catb_special(bt, "updated_at", LA_T_DATETIME);
	t.methods = s->methods;
	t.flags = s->flags | (t.pk < 0 ? LA_TBL_LISTONLY : 0);
	t.cache_ttl = s->cache_ttl;
	t.page_style = s->page_style;
	t.page_size = s->page_size;
	t.max_page_size = s->max_page_size;
	t.count_mode = s->count_mode;
	t.count_ttl = s->count_ttl;
	t.filter = catb_list(b, bt, s->filter, s->nfilter);
	t.search = catb_list(b, bt, s->search, s->nsearch);
	t.ordering = catb_list(b, bt, s->ordering, s->nordering);
	t.ser_read = catb_list(b, bt, s->ser_read, s->nser_read);
	t.ser_write = catb_list(b, bt, s->ser_write, s->nser_write);
	catb_scope(b, bt, &t);
	t.expand = catb_str(b, s->expand);
	t.expand_limit = s->expand_limit;
	if (bt->has_auth) {
		t.auth = catb_reserve(b, sizeof(struct la_cat_auth));
		memcpy(catb_at(b, t.auth), &bt->auth, sizeof(bt->auth));
	}
	memcpy(catb_at(b, toff), &t, sizeof(t));
}

struct la_catalog *
la_catb_finish(struct la_catb *b, size_t *size)
{
	struct la_catalog h;
	struct la_catalog *img;
	uint32_t tables;
	size_t i;

	la_buf_reset(&b->img);
	catb_reserve(b, sizeof(h));
	tables = catb_reserve(b, b->ntables * sizeof(struct la_cat_table));
	for (i = 0; i < b->ntables; i++)
		catb_lay_table(b,
		    tables + (uint32_t)(i * sizeof(struct la_cat_table)),
		    &b->tables[i]);
	catb_reserve(b, 0);
	memset(&h, 0, sizeof(h));
	h.magic = LA_CATALOG_MAGIC;
	h.version = LA_CATALOG_VERSION;
	h.size = (uint32_t)b->img.len;
	h.ntables = (uint32_t)b->ntables;
	h.tables = tables;
	memcpy(b->img.data, &h, sizeof(h));
	img = la_xmalloc(b->img.len);
	memcpy(img, b->img.data, b->img.len);
	*size = b->img.len;
	return (img);
}

void
la_catalog_auto_columns(struct la_col_def out[4])
{
	la_col_def_init(&out[0], "id", LA_T_INT);
	out[0].flags = LA_COL_AUTO | LA_COL_PK | LA_COL_AUTOINC;
	la_col_def_init(&out[1], "created_at", LA_T_DATETIME);
	out[1].flags = LA_COL_AUTO;
	la_col_def_init(&out[2], "updated_at", LA_T_DATETIME);
	out[2].flags = LA_COL_AUTO;
	la_col_def_init(&out[3], "version", LA_T_INT);
	out[3].flags = LA_COL_AUTO;
}
