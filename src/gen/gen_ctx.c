/*
 * The shared part of a generation build (see gen_ctx.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gen_ctx.h"

void
la_gen_ctx_err(struct la_gen_ctx *x, struct la_pos pos, const char *fmt, ...)
{
	va_list ap;

	la_buf_printf(x->errs, "%s:%d:%d: ", x->conf->path,
	    pos.line ? pos.line : 1, pos.col ? pos.col : 1);
	va_start(ap, fmt);
	la_buf_vprintf(x->errs, fmt, ap);
	va_end(ap);
	la_buf_putc(x->errs, '\n');
	x->nerr++;
}

struct la_pos
la_gen_ctx_pos(const struct la_col_def *d)
{
	struct la_pos p = {d->line, d->col};

	return (p);
}

const struct la_conf_endpoint *
la_gen_ctx_declared(const struct la_conf *c, const char *table)
{
	size_t i;

	for (i = 0; i < c->nendpoints; i++)
		if (c->endpoints[i].reflect != LA_REFLECT_YES &&
		    strcmp(c->endpoints[i].table, table) == 0)
			return (&c->endpoints[i]);
	return (NULL);
}

int
la_gen_ctx_find_def(const struct la_col_def *cols, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cols[i].name, name) == 0)
			return ((int)i);
	return (-1);
}
