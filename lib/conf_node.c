/*
 * The YAML walker's ground floor: node access, positions, error reporting
 * as "FILE:LINE:COL: message", the visit budget that bounds alias bombs,
 * key paths for messages, UTF-8 checks and quoting, and ${VAR} expansion.
 * Everything here knows libyaml nodes and the walk context but nothing of
 * what the keys mean, so every other conf_ file may build on it.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "buf.h"
#include "la.h"
#include "yaml_conf.h"
#include "conf_int.h"

/* Aliases can make a small file expand into a huge tree: cap the walk. */
#define CONF_MAX_VISITS 200000
#define CONF_MAX_VAR    256

/* ---- errors -------------------------------------------------------- */

static void __attribute__((format(printf, 4, 0)))
conf_verrat(struct conf_ctx *x, int line, int col, const char *fmt, va_list ap)
{
	x->nerrs++;
	if (x->nerrs > CONF_MAX_ERRORS)
		return;
	la_buf_printf(x->errs, "%s:%d:%d: ", x->name, line, col);
	if (x->nerrs == CONF_MAX_ERRORS)
		la_buf_puts(x->errs, "too many errors, giving up");
	else
		la_buf_vprintf(x->errs, fmt, ap);
	la_buf_putc(x->errs, '\n');
}

void
la_conf_node_errat(struct conf_ctx *x, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verrat(x, line, col, fmt, ap);
	va_end(ap);
}

void
la_conf_node_err(struct conf_ctx *x, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int line = 1, col = 1;

	if (n != NULL) {
		line = (int)n->start_mark.line + 1;
		col = (int)n->start_mark.column + 1;
	}
	va_start(ap, fmt);
	conf_verrat(x, line, col, fmt, ap);
	va_end(ap);
}

struct la_pos
la_conf_node_pos(const yaml_node_t *n)
{
	struct la_pos p;

	p.line = (int)n->start_mark.line + 1;
	p.col = (int)n->start_mark.column + 1;
	return (p);
}

/* Where a defaulted value would be reported: the start of the file. */
struct la_pos
la_conf_node_pos_or_top(struct la_pos p)
{
	if (p.line == 0) {
		p.line = 1;
		p.col = 1;
	}
	return (p);
}

/* ---- nodes and paths ---------------------------------------------- */

yaml_node_t *
la_conf_node_get(struct conf_ctx *x, yaml_node_item_t id)
{
	return (yaml_document_get_node(x->doc, id));
}

/*
 * Counts one visited node; -1 once the walk is over budget. The error is
 * made once, and always: a walk cut short must never yield a config.
 */
int
la_conf_node_visit(struct conf_ctx *x, const yaml_node_t *n)
{
	if (x->over)
		return (-1);
	if (++x->visits < CONF_MAX_VISITS)
		return (0);
	x->over = 1;
	la_conf_node_err(x, n, "document too large (too many aliases?)");
	return (-1);
}

int
la_conf_node_is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	size_t i;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return (0);
	for (i = 0; i < LA_NELEM(nulls); i++)
		if (strcmp((const char *)n->data.scalar.value, nulls[i]) == 0)
			return (1);
	return (0);
}

const char *
la_conf_node_path(struct conf_ctx *x, const char *path, const char *name)
{
	if (path[0] == '\0')
		return (la_arena_strdup(x->a, name));
	return (la_arena_printf(x->a, "%s.%s", path, name));
}

const char *
la_conf_node_ipath(struct conf_ctx *x, const char *path, size_t i)
{
	return (la_arena_printf(x->a, "%s[%zu]", path, i));
}

int
la_conf_node_ident_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return (0);
	for (i = 0; i < len; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9')))
			return (0);
	return (1);
}

int
la_conf_node_find(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return ((int)i);
	return (-1);
}

/* "A, B, C" for messages that list the valid choices. */
const char *
la_conf_node_choices(struct conf_ctx *x, const char *const *names, size_t n)
{
	struct la_buf b;
	const char *r;
	size_t i;

	la_buf_init(&b);
	for (i = 0; i < n; i++)
		la_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	r = la_arena_strdup(x->a, b.data ? b.data : "");
	la_buf_free(&b);
	return (r);
}

/*
 * LightAPI resolves a class by its registry name or by a dotted import
 * path. A path into LightAPI's own package ("lightapi.auth.JWTAuthentication")
 * is the built-in it ends with; any other path ("myapp.auth.Custom") names
 * Python code, which nothing here can run, so it gets an error that says what
 * to use instead rather than "unknown". The name to look up, or NULL.
 */
const char *
la_conf_node_class(struct conf_ctx *x, yaml_node_t *v, const char *s,
    const char *path, const char *instead)
{
	const char *last = strrchr(s, '.');

	if (last == NULL)
		return (s);
	if (strncmp(s, "lightapi.", 9) == 0 && last[1] != '\0')
		return (last + 1);
	la_conf_node_err(x, v,
	    "'%s' in %s is a Python import path: lightapid runs no Python "
	    "code; %s",
	    s, path, instead);
	return (NULL);
}

/* ---- UTF-8 and quoting -------------------------------------------- */

/* The length of the UTF-8 sequence at s and its code point; 0 if bad. */
static size_t
conf_utf8(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if ((c & 0xe0) == 0xc0)
		n = 2, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		n = 3, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		n = 4, c &= 0x07;
	else
		return (0);
	/* A NUL ends the string before a continuation byte is missed. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}

static int
conf_utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	for (; *p != '\0'; p += n)
		if ((n = conf_utf8(p, &cp)) == 0)
			return (0);
	return (1);
}

/*
 * What libyaml reads back verbatim inside a double-quoted scalar: its
 * reader rejects C0, DEL, C1 and non-characters, and NEL, U+2028 and
 * U+2029 are line breaks that quoted scalars fold.
 */
static int
conf_printable(uint32_t c)
{
	return ((c >= 0x20 && c <= 0x7e) ||
	        (c >= 0xa0 && c <= 0xfffd && c != 0x2028 && c != 0x2029 &&
	            c != 0xfeff && (c < 0xd800 || c > 0xdfff)) ||
	        c >= 0x10000);
}

/*
 * Writes s quoted so that the text is at once a JSON string and a YAML
 * double-quoted scalar: default: values are JSON, and the -T dump must
 * load again.
 */
void
la_conf_node_quote(struct la_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	la_buf_putc(b, '"');
	for (; *p != '\0'; p += n) {
		/* Strings are checked UTF-8; a stray byte is kept visible. */
		if ((n = conf_utf8(p, &cp)) == 0) {
			cp = *p;
			n = 1;
		}
		if (cp == '"' || cp == '\\')
			la_buf_printf(b, "\\%c", (char)cp);
		else if (conf_printable(cp))
			la_buf_append(b, p, n);
		else
			la_buf_printf(b, "\\u%04x", (unsigned)cp);
	}
	la_buf_putc(b, '"');
}

/* ---- ${VAR} and ${VAR:-default} ------------------------------------- */

static int
conf_has_ref(const char *p, const char *end)
{
	for (; p + 1 < end; p++)
		if (p[0] == '$' && p[1] == '{')
			return (1);
	return (0);
}

/*
 * Expands the reference at p ("${..."), appending its value to b; *next is
 * where the scan resumes. -1 after an error (already reported).
 */
static int
conf_subst_var(struct conf_ctx *x, const yaml_node_t *n, const char *p,
    struct la_buf *b, const char **next)
{
	const char *name = p + 2, *close, *dflt, *v;
	char var[CONF_MAX_VAR];
	size_t nlen;

	if ((close = strchr(name, '}')) == NULL) {
		la_conf_node_err(x, n, "unterminated '${' in a string");
		*next = p + strlen(p);
		return (-1);
	}
	*next = close + 1;
	for (dflt = name; dflt + 1 < close; dflt++)
		if (dflt[0] == ':' && dflt[1] == '-')
			break;
	if (dflt + 1 >= close)
		dflt = NULL;
	nlen = (size_t)((dflt != NULL ? dflt : close) - name);
	if (!la_conf_node_ident_ok(name, nlen) || nlen >= sizeof(var)) {
		la_conf_node_err(x, n, "bad variable reference '%.*s'",
		    (int)(close - p + 1), p);
		return (-1);
	}
	memcpy(var, name, nlen);
	var[nlen] = '\0';
	/*
	 * The shell's ${A:-${B}} would end at the first '}' and leave a
	 * literal "${B}" behind: refuse it rather than surprise.
	 */
	if (dflt != NULL && conf_has_ref(dflt + 2, close)) {
		la_conf_node_err(x, n, "nested '${' in the default of '${%s}'",
		    var);
		return (-1);
	}
	v = x->getenv_fn != NULL ? x->getenv_fn(var) : NULL;
	if (dflt != NULL && (v == NULL || *v == '\0')) {
		la_buf_append(b, dflt + 2, (size_t)(close - dflt - 2));
		return (0);
	}
	if (v == NULL) {
		la_conf_node_err(x, n, "environment variable '%s' is not set",
		    var);
		return (-1);
	}
	/* The file is UTF-8 (libyaml checks it); what it pulls in must be. */
	if (!conf_utf8_ok(v)) {
		la_conf_node_err(x, n,
		    "environment variable '%s' is not valid UTF-8", var);
		return (-1);
	}
	la_buf_puts(b, v);
	return (0);
}

/* Copies s into the arena with every reference expanded; NULL on error. */
const char *
la_conf_node_subst(struct conf_ctx *x, const yaml_node_t *n, const char *s)
{
	struct la_buf b;
	const char *p, *r;
	int bad = 0;

	if (strstr(s, "${") == NULL)
		return (la_arena_strdup(x->a, s));
	la_buf_init(&b);
	la_buf_reserve(&b, 1);
	while ((p = strstr(s, "${")) != NULL) {
		la_buf_append(&b, s, (size_t)(p - s));
		if (conf_subst_var(x, n, p, &b, &s) == -1)
			bad = 1;
	}
	la_buf_puts(&b, s);
	r = bad ? NULL : la_arena_strndup(x->a, b.data, b.len);
	la_buf_free(&b);
	return (r);
}
