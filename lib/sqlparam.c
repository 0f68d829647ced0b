/*
 * Named-parameter scanner (see sqlparam.h). The lexer knows only what can
 * hide a ':' from it: quotes of each kind, comments and, on PostgreSQL,
 * dollar quotes and "::" casts. Anything it cannot close is an error
 * rather than a guess, so text inside a literal is never bound.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "sqlparam.h"

struct sqlparam_scan {
	const char *s;
	size_t i, len;
	enum la_dialect d;
	struct la_buf out;
	const char **names;
	size_t n, cap;
	struct la_arena *a;
	char *err;
	size_t errlen;
};

static int
sqlparam_ident_start(int c)
{
	return (isalpha(c) || c == '_');
}

static int
sqlparam_ident(int c)
{
	return (isalnum(c) || c == '_');
}

static int
sqlparam_fail(struct sqlparam_scan *x, const char *what)
{
	snprintf(x->err, x->errlen, "%s (at character %zu)", what, x->i + 1);
	return (-1);
}

/* Copies a quoted run ending at q; doubling q escapes it, and so does a
 * backslash where the engine reads one. */
static int
sqlparam_quoted(struct sqlparam_scan *x, char q, int backslash)
{
	size_t start = x->i++;

	while (x->i < x->len) {
		if (backslash && x->s[x->i] == '\\' && x->i + 1 < x->len) {
			x->i += 2;
			continue;
		}
		if (x->s[x->i++] != q)
			continue;
		if (x->i < x->len && x->s[x->i] == q) {
			x->i++;
			continue;
		}
		la_buf_append(&x->out, x->s + start, x->i - start);
		return (0);
	}
	x->i = start;
	return (sqlparam_fail(x, "unterminated quoted text"));
}

/* PostgreSQL nests block comments; the others end at the first. */
static int
sqlparam_block_comment(struct sqlparam_scan *x)
{
	size_t start = x->i;
	int depth = 1;

	x->i += 2;
	while (x->i + 1 < x->len && depth > 0) {
		if (x->s[x->i] == '*' && x->s[x->i + 1] == '/') {
			depth--;
			x->i += 2;
		} else if (x->d == LA_DIALECT_PGSQL && x->s[x->i] == '/' &&
		           x->s[x->i + 1] == '*') {
			depth++;
			x->i += 2;
		} else
			x->i++;
	}
	if (depth > 0) {
		x->i = start;
		return (sqlparam_fail(x, "unterminated comment"));
	}
	la_buf_append(&x->out, x->s + start, x->i - start);
	return (0);
}

static void
sqlparam_line_comment(struct sqlparam_scan *x)
{
	size_t start = x->i;

	while (x->i < x->len && x->s[x->i] != '\n')
		x->i++;
	la_buf_append(&x->out, x->s + start, x->i - start);
}

/* $tag$ ... $tag$ (PostgreSQL); 0 when s[i] does not open one. */
static int
sqlparam_dollar(struct sqlparam_scan *x)
{
	size_t start = x->i, t = x->i + 1, tlen;
	const char *end;

	if (x->i > 0 && sqlparam_ident((unsigned char)x->s[x->i - 1]))
		return (0);
	if (t < x->len && sqlparam_ident_start((unsigned char)x->s[t]))
		while (t < x->len && sqlparam_ident((unsigned char)x->s[t]))
			t++;
	if (t >= x->len || x->s[t] != '$')
		return (0);
	tlen = t + 1 - start;
	end = x->s + t + 1;
	while ((end = strchr(end, '$')) != NULL &&
	       strncmp(end, x->s + start, tlen) != 0)
		end++;
	if (end == NULL)
		return (sqlparam_fail(x, "unterminated dollar-quoted text"));
	x->i = (size_t)(end - x->s) + tlen;
	la_buf_append(&x->out, x->s + start, x->i - start);
	return (1);
}

static void
sqlparam_add(struct sqlparam_scan *x, const char *name, size_t len)
{
	const char **v;

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 8;
		v = la_arena_calloc(x->a, x->cap + 1, sizeof(*v));
		if (x->n > 0)
			memcpy(v, x->names, x->n * sizeof(*v));
		x->names = v;
	}
	x->names[x->n++] = la_arena_strndup(x->a, name, len);
	la_dialect_param(&x->out, x->d, (int)x->n);
}

/* ':' outside quotes: a parameter, a cast, or an operator left alone. */
static void
sqlparam_colon(struct sqlparam_scan *x)
{
	size_t j = x->i + 1;

	if (j < x->len && (x->s[j] == ':' || x->s[j] == '=')) {
		la_buf_append(&x->out, x->s + x->i, 2);
		x->i += 2;
		return;
	}
	if (j < x->len && sqlparam_ident_start((unsigned char)x->s[j]) &&
	    (x->i == 0 || !sqlparam_ident((unsigned char)x->s[x->i - 1]))) {
		while (j < x->len && sqlparam_ident((unsigned char)x->s[j]))
			j++;
		sqlparam_add(x, x->s + x->i + 1, j - x->i - 1);
		x->i = j;
		return;
	}
	la_buf_putc(&x->out, ':');
	x->i++;
}

/* A ';' may end the statement, followed by nothing but blanks and
 * comments; it is dropped, so the statement can be wrapped. */
static int
sqlparam_semicolon(struct sqlparam_scan *x)
{
	size_t j = x->i + 1;

	for (;;) {
		while (j < x->len && isspace((unsigned char)x->s[j]))
			j++;
		if (j + 1 < x->len && x->s[j] == '-' && x->s[j + 1] == '-') {
			while (j < x->len && x->s[j] != '\n')
				j++;
			continue;
		}
		break;
	}
	if (j < x->len)
		return (sqlparam_fail(x, "only one statement is allowed"));
	x->i = x->len;
	return (0);
}

/* The engine's own placeholders would take values we never bind. */
static int
sqlparam_native(struct sqlparam_scan *x)
{
	char c = x->s[x->i];

	if (c == '?' && x->d != LA_DIALECT_PGSQL)
		return (sqlparam_fail(x, "use :name parameters, not '?'"));
	if (c == '$' && x->i + 1 < x->len &&
	    isdigit((unsigned char)x->s[x->i + 1]))
		return (sqlparam_fail(x, "use :name parameters, not '$n'"));
	return (0);
}

static int
sqlparam_step(struct sqlparam_scan *x)
{
	char c = x->s[x->i], n = x->i + 1 < x->len ? x->s[x->i + 1] : '\0';
	int bs = x->d == LA_DIALECT_MYSQL;

	if (c == '\'')
		return (sqlparam_quoted(x, '\'',
		    bs ||
		        (x->d == LA_DIALECT_PGSQL && x->i > 0 &&
		            (x->s[x->i - 1] == 'E' || x->s[x->i - 1] == 'e'))));
	if (c == '"')
		return (sqlparam_quoted(x, '"', bs));
	if (c == '`' && x->d != LA_DIALECT_PGSQL)
		return (sqlparam_quoted(x, '`', 0));
	if (c == '[' && x->d == LA_DIALECT_SQLITE)
		return (sqlparam_quoted(x, ']', 0));
	if ((c == '-' && n == '-') || (c == '#' && x->d == LA_DIALECT_MYSQL)) {
		sqlparam_line_comment(x);
		return (0);
	}
	if (c == '/' && n == '*')
		return (sqlparam_block_comment(x));
	if (c == '$' && x->d == LA_DIALECT_PGSQL && sqlparam_dollar(x) != 0)
		return (x->err[0] != '\0' ? -1 : 0);
	if (c == ':') {
		sqlparam_colon(x);
		return (0);
	}
	if (c == ';')
		return (sqlparam_semicolon(x));
	if (sqlparam_native(x) == -1)
		return (-1);
	la_buf_putc(&x->out, c);
	x->i++;
	return (0);
}

int
la_sqlparam_rewrite(const char *sql, enum la_dialect d, struct la_arena *a,
    struct la_sqlparam *out, char *err, size_t errlen)
{
	struct sqlparam_scan x;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	x.s = sql;
	x.len = strlen(sql);
	x.d = d;
	x.a = a;
	x.err = err;
	x.errlen = errlen;
	err[0] = '\0';
	la_buf_init(&x.out);
	la_buf_reserve(&x.out, x.len + 16);
	while (x.i < x.len && rc == 0)
		rc = sqlparam_step(&x);
	while (rc == 0 && x.out.len > 0 &&
	       isspace((unsigned char)x.out.data[x.out.len - 1]))
		x.out.len--;
	if (rc == 0 && x.out.len == 0)
		rc = sqlparam_fail(&x, "empty statement");
	if (rc == 0) {
		out->sql = la_arena_strndup(a, x.out.data, x.out.len);
		out->names = x.names;
		out->nplace = x.n;
	}
	la_buf_free(&x.out);
	return (rc);
}

int
la_sqlparam_reads(const char *sql)
{
	static const char *const words[] = {"select", "with", "values",
	    "table"};
	const char *p = sql, *e;
	size_t i;

	for (;;) {
		while (isspace((unsigned char)*p) || *p == '(')
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			continue;
		}
		if (p[0] == '/' && p[1] == '*' && (e = strstr(p + 2, "*/"))) {
			p = e + 2;
			continue;
		}
		break;
	}
	for (e = p; sqlparam_ident((unsigned char)*e); e++)
		;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((size_t)(e - p) == strlen(words[i]) &&
		    strncasecmp(p, words[i], (size_t)(e - p)) == 0)
			return (1);
	return (0);
}
