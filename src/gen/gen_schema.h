/*
 * The tables of a generation: declared tables created (or checked when
 * they exist), reflected ones read, reflect: partial ones completed, and
 * each added to the catalog being built with its endpoint's settings.
 */
#ifndef LA_GEN_SCHEMA_H
#define LA_GEN_SCHEMA_H

#include "gen_ctx.h"

/* Two declared endpoints cannot both own one table. */
void la_gen_schema_check_tables(struct la_gen_ctx *x);
/* Creates or reflects e's table and adds it to x->catb. */
void la_gen_schema_endpoint(struct la_gen_ctx *x,
    const struct la_conf_endpoint *e);
/* Each meta.expand name must be a relation of its endpoint in c (an
 * error at the name's line otherwise). */
void la_gen_schema_check_expand(struct la_gen_ctx *x,
    const struct la_catalog *c);

#endif
