/*
 * A generation: the parsed configuration plus the schema catalog built from
 * it and from the database. The master builds one at start (and `-t` builds
 * one and stops there); workers inherit it through fork() and never change
 * it. The database connection used to build it is closed before any fork.
 */
#ifndef LA_GEN_H
#define LA_GEN_H

#include <stdio.h>

#include "buf.h"
#include "catalog.h"
#include "gen_auth.h"
#include "gen_queries.h"
#include "users.h"
#include "yaml_conf.h"

struct la_arena;

struct la_overrides {
	int workers;          /* -w, or -1 */
	const char *listen;   /* -l, or NULL */
	const char *pid_file; /* -p, or NULL */
	const char *user;     /* -u, or NULL */
	int test;             /* -t, -T: check, and write nothing */
};

struct la_gen {
	struct la_arena *arena;
	struct la_conf *conf;
	struct la_catalog *cat; /* malloc'd image */
	size_t cat_size;
	struct la_users users; /* the login validator's file, if any */
	int login;             /* some endpoint authenticates: serve login */
	struct la_token token;
	struct la_buf warnings;        /* "FILE:LINE:COL: warning: …" lines */
	struct la_canned_set *queries; /* the queries: section, or NULL */
	/*
	 * With enable_swagger: the OpenAPI document, and Swagger UI's files
	 * for /docs read from docs_dir (empty when they are not there).
	 * Read once here so that workers serve them from memory, whatever
	 * user they run as, and a reload picks up new ones.
	 */
	struct la_buf openapi;
	struct la_buf docs_js, docs_css;
	const char *docs_dir;
};

/*
 * Loads path, applies the overrides, connects to the database, creates or
 * reflects every table and builds the catalog. On failure returns NULL with
 * one "FILE:LINE:COL: message" line per problem in errs.
 */
struct la_gen *la_gen_build(const char *path, const struct la_overrides *ov,
    struct la_buf *errs);
void la_gen_free(struct la_gen *g);
/* The route table, for -T. */
void la_gen_dump_routes(const struct la_gen *g, FILE *fp);

#endif
