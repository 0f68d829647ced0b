/*
 * Named parameters in an administrator's SQL statement (the queries:
 * section): finds each ":name" outside string literals, quoted
 * identifiers, comments, PostgreSQL "::type" casts and dollar quotes, and
 * rewrites it to the dialect's placeholder ("?" or "$n"), so that values
 * are always bound and never spliced into the text.
 */
#ifndef LA_SQLPARAM_H
#define LA_SQLPARAM_H

#include <stddef.h>

#include "buf.h"
#include "dialect.h"

struct la_arena;

/* The rewritten statement: one name per placeholder, in order. */
struct la_sqlparam {
	const char *sql;    /* in the arena, no trailing ';' */
	const char **names; /* nplace names, repeated when a name is reused */
	size_t nplace;
};

/*
 * Rewrites sql for dialect d. 0, or -1 with a message in err: an
 * unterminated literal or comment, more than one statement, or a
 * placeholder written in the engine's own syntax ("?", "$1").
 */
int la_sqlparam_rewrite(const char *sql, enum la_dialect d, struct la_arena *a,
    struct la_sqlparam *out, char *err, size_t errlen);
/* 1 when the statement's first keyword is one that only reads (SELECT,
 * WITH, VALUES, TABLE), skipping blanks, comments and '('. */
int la_sqlparam_reads(const char *sql);

#endif
