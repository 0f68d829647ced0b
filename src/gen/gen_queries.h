/*
 * Canned queries as a generation serves them (the queries: section): each
 * statement rewritten to bound placeholders, checked against the database
 * when the generation is built, with its parameters as the columns of a
 * table in a catalog of their own, so the endpoints' validator checks them.
 */
#ifndef LA_GEN_QUERIES_H
#define LA_GEN_QUERIES_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "yaml_conf.h"

struct la_gen;
struct la_gen_ctx;
struct la_validator;

struct la_canned {
	const struct la_conf_query *conf;
	const char *route;
	const char *sql;      /* placeholders in the dialect's form */
	const char *page_sql; /* sql wrapped with LIMIT and OFFSET, or NULL */
	const char **names;   /* per placeholder: the parameter's name */
	const int *place;     /* and its column in t */
	size_t nplace;
	const struct la_cat_table *t;   /* the parameters, in the set's cat */
	const struct la_cat_auth *auth; /* NULL: open to anyone */
	uint32_t methods;               /* LA_M_GET and/or LA_M_POST */
	int write;
	int page_size, max_page_size; /* with page_sql */
};

struct la_canned_set {
	struct la_canned *v;
	size_t n;
	struct la_catalog *cat; /* malloc'd: one table per query */
	struct la_validator *val;
};

/*
 * Builds g->queries from the configuration, on x's open connection:
 * every problem is reported at its line in the file. Call after the
 * schema catalog is built.
 */
void la_gen_queries_build(struct la_gen_ctx *x, struct la_gen *g);
void la_gen_queries_free(struct la_canned_set *s);

#endif
