/* Unit tests for lib/catalog.c: build, read back, copy, check. */
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "catalog.h"
#include "tap.h"

static struct la_catalog *
build(size_t *size)
{
	struct la_catb *b = la_catb_new();
	struct la_catb_table t;
	struct la_col_def d, autos[4];
	const char *filter[] = {"price", "nope"};
	const char *ser[] = {"price", "name"};
	struct la_catb_scope scope[3] = {
	    {"name", LA_SCOPE_WHERE, LA_SCOPE_CLAIM, LA_M_GET, "sub"},
	    {"gone", LA_SCOPE_WHERE, LA_SCOPE_CONST, LA_M_GET, "x"},
	    {"price", LA_SCOPE_SET, LA_SCOPE_NULL, LA_M_POST, NULL}};
	struct la_catalog *c;
	int i;

	memset(&t, 0, sizeof(t));
	t.name = "products";
	t.route = "/api/products";
	t.methods = LA_M_GET | LA_M_POST;
	t.flags = LA_TBL_DECLARED;
	t.filter = filter;
	t.nfilter = 2;
	t.ser_read = ser;
	t.nser_read = 2;
	t.scope = scope;
	t.nscope = 3;
	t.expand = "log";
	t.expand_limit = 7;
	la_catb_table(b, &t);
	la_col_def_init(&d, "name", LA_T_STR);
	d.min_length = 1;
	d.pattern = "^[a-z]+$";
	la_catb_column(b, &d);
	la_col_def_init(&d, "price", LA_T_FLOAT);
	d.flags = LA_COL_GE;
	d.ge = 0;
	la_catb_column(b, &d);
	la_catalog_auto_columns(autos);
	for (i = 0; i < 4; i++)
		la_catb_column(b, &autos[i]);
	memset(&t, 0, sizeof(t));
	t.name = "log";
	t.route = "/log";
	t.flags = LA_TBL_REFLECTED;
	t.methods = LA_M_GET;
	la_catb_table(b, &t);
	la_col_def_init(&d, "line", LA_T_TEXT);
	la_catb_column(b, &d);
	la_col_def_init(&d, "product_id", LA_T_INT);
	d.fk_table = "products";
	d.fk_col = "id";
	la_catb_column(b, &d);
	c = la_catb_finish(b, size);
	la_catb_free(b);
	return (c);
}

static void
test_relations(const struct la_catalog *c, const struct la_cat_table *t,
    const struct la_cat_table *log)
{
	struct la_cat_rel r;

	is_str(la_catalog_str(c, t->expand), "log", "expand list kept");
	is_int(t->expand_limit, 7, "expand limit kept");
	ok(la_catalog_relation(c, log, "product", 7, &r) == 0 && r.tt == t &&
	        !r.reverse && r.col == 1 && r.tcol == 2,
	    "forward: product_id to the products key");
	ok(la_catalog_relation(c, t, "log", 3, &r) == 0 && r.tt == log &&
	        r.reverse && r.col == 2 && r.tcol == 1,
	    "reverse: the rows of /log pointing to products");
	ok(la_catalog_relation(c, log, "line", 4, &r) == -1,
	    "a column without a foreign key is no relation");
	ok(la_catalog_relation(c, t, "products", 8, &r) == -1,
	    "an endpoint not pointing here is no relation");
	ok(la_catalog_relation(c, log, "produc", 6, &r) == -1,
	    "names match whole");
}

int
main(void)
{
	size_t size;
	struct la_catalog *c = build(&size), *copy;
	const struct la_cat_table *t, *log;
	const struct la_cat_col *cols;
	const uint16_t *l;
	const struct la_cat_scope *sc;
	size_t nsc;

	ok(la_catalog_check(c, size) == 0, "a built image checks");
	/* The image is position independent: read it at another address. */
	copy = malloc(size);
	memcpy(copy, c, size);
	free(c);
	c = copy;
	is_int(c->ntables, 2, "two tables");
	t = la_catalog_find(c, "/api/products", 13);
	ok(t != NULL, "find by route");
	ok(la_catalog_find(c, "/api", 4) == NULL, "no prefix match");
	is_str(la_catalog_str(c, t->name), "products", "table name");
	is_int(t->ncols, 6, "declared + auto columns");
	cols = la_catalog_cols(c, t);
	is_str(la_catalog_str(c, cols[0].name), "name", "column order kept");
	is_str(la_catalog_str(c, cols[0].pattern), "^[a-z]+$", "pattern");
	is_int(cols[0].min_length, 1, "min_length");
	ok(cols[1].flags & LA_COL_GE, "bound flag");
	is_int(t->pk, 2, "pk is id");
	is_int(t->created_at, 3, "created_at");
	is_int(t->updated_at, 4, "updated_at");
	is_int(t->version, 5, "version");
	is_int(la_catalog_col_index(c, t, "price", 5), 1, "col_index");
	is_int(la_catalog_col_index(c, t, "pric", 4), -1, "col_index miss");
	is_int(t->filter.n, 1, "unknown filter names dropped");
	l = la_catalog_list(c, t->filter);
	is_int(l[0], 1, "filter resolves to price");
	l = la_catalog_list(c, t->ser_read);
	ok(t->ser_read.n == 2 && l[0] == 1 && l[1] == 0, "serializer list");
	log = la_catalog_find(c, "/log", 4);
	ok(log->pk == -1 && (log->flags & LA_TBL_LISTONLY),
	    "no primary key: list only");
	ok(la_catalog_auth(c, t) == NULL, "no auth block");
	sc = la_catalog_scope(c, t, &nsc);
	is_int(nsc, 2, "scope entries on unknown columns are dropped");
	ok(sc[0].col == 0 && sc[0].kind == LA_SCOPE_WHERE &&
	        sc[0].src == LA_SCOPE_CLAIM && sc[0].verbs == LA_M_GET,
	    "where entry");
	is_str(la_catalog_str(c, sc[0].value), "sub", "the claim's name");
	ok(sc[1].col == 1 && sc[1].kind == LA_SCOPE_SET &&
	        sc[1].src == LA_SCOPE_NULL && sc[1].value == 0,
	    "set entry to null");
	ok(la_catalog_scope(c, log, &nsc) == NULL && nsc == 0,
	    "no scope on the other table");
	test_relations(c, t, log);
	ok(la_catalog_check(c, size - 1) != 0, "wrong size fails the check");
	c->magic ^= 1;
	ok(la_catalog_check(c, size) != 0, "bad magic fails the check");
	c->magic ^= 1;
	((struct la_cat_table *)((char *)c + c->tables))->nscope = 1u << 30;
	ok(la_catalog_check(c, size) != 0, "a scope past the end fails");
	((struct la_cat_table *)((char *)c + c->tables))->nscope = 2;
	ok(la_catalog_check(c, size) == 0, "and checks again when restored");
	((struct la_cat_table *)((char *)c + c->tables))->name = (uint32_t)size;
	ok(la_catalog_check(c, size) != 0, "an offset past the end fails");
	free(c);
	return (done_testing());
}
