/*
 * What the parts of a generation build (gen.c, gen_schema.c, gen_auth.c)
 * share: one context, errors reported against the line and column the
 * loader kept, and lookups in the configuration. Only those files
 * include this.
 */
#ifndef LA_GEN_CTX_H
#define LA_GEN_CTX_H

#include <stddef.h>

#include "buf.h"
#include "catalog.h"
#include "db.h"
#include "yaml_conf.h"

struct la_arena;
struct la_token;
struct la_users;

struct la_gen_ctx {
	struct la_arena *arena; /* the generation's */
	const struct la_conf *conf;
	struct la_db_conn db;
	struct la_buf *errs;     /* "FILE:LINE:COL: message" lines */
	struct la_buf *warnings; /* the generation's warnings */
	struct la_catb *catb;
	int nerr;
	/* A configuration test on a database that is not a scratch one:
	 * the statements that would change it are not run. */
	int dry_run;
	int pending_ddl; /* and some table the start would create is not
	                    there yet */
	/* What the login routes need, in the generation being built. */
	struct la_users *users;
	int *login;
	struct la_token *token;
};

/* Appends "FILE:LINE:COL: message" to errs and counts it. */
void la_gen_ctx_err(struct la_gen_ctx *x, struct la_pos pos, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* Where a field was declared. */
struct la_pos la_gen_ctx_pos(const struct la_col_def *d);
/* The endpoint that declares table (reflect: no or partial), or NULL. */
const struct la_conf_endpoint *la_gen_ctx_declared(const struct la_conf *c,
    const char *table);
/* Index of the definition named name, or -1. */
int la_gen_ctx_find_def(const struct la_col_def *cols, size_t n,
    const char *name);

#endif
