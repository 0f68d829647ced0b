/*
 * The configuration loader. libyaml's document API gives a node tree that
 * keeps every node's position; the tree is walked against one key table per
 * section, so adding a key costs a table row, and every problem is reported
 * as "FILE:LINE:COL: message" at the node that caused it. The walk goes on
 * after an error so that one run of -t shows as many problems as it can.
 * Everything the result points to lives in the caller's arena.
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "coldef.h"
#include "dburl.h"
#include "la.h"
#include "str.h"
#include "yaml_conf.h"

#define CONF_MAX_ERRORS 50
/* Aliases can make a small file expand into a huge tree: cap the walk. */
#define CONF_MAX_VISITS 200000
/* Only default: values are free-form; an alias can even make them cyclic. */
#define CONF_MAX_DEPTH 32
#define CONF_MAX_FILE  (16 * 1024 * 1024)
#define CONF_MAX_VAR   256

#define CONF_PAGE_SIZE     20
#define CONF_MAX_PAGE_SIZE 100
#define CONF_CACHE_TTL     60

struct conf_ctx {
	const char *name;
	const char *data; /* the text, to place reader errors */
	size_t len;
	yaml_document_t *doc;
	struct la_arena *a;
	struct la_buf *errs;
	const char *(*getenv_fn)(const char *);
	struct la_conf *c;
	yaml_node_t *endpoints, *tables; /* to reject both at once */
	yaml_node_t *secret;             /* auth.jwt_secret, when given */
	int nerrs;
	long visits;
	int over; /* the walk ran out of budget */
};

enum conf_kind {
	CONF_STR,   /* const char *; null keeps the default */
	CONF_IDENT, /* const char *, an SQL identifier */
	CONF_INT,   /* int, at least arg */
	CONF_LEN,   /* int64_t, at least 0 */
	CONF_BOOL,  /* int, 0 or 1 */
	CONF_SIZE,  /* size_t: bytes, or a number with K, M or G */
	CONF_LIST,  /* struct la_strlist */
	CONF_FLAG,  /* bit arg of a uint32_t, set by a boolean */
	CONF_BOUND, /* double of a struct la_col_def, with flag bit arg */
	CONF_FN     /* fn(ctx, value, obj, path) */
};

typedef void conf_set_fn(struct conf_ctx *, yaml_node_t *, void *,
    const char *);

struct conf_key {
	const char *name;
	enum conf_kind kind;
	size_t off;
	long arg;
	conf_set_fn *fn;
};

#define K_FN(n, f)                                                             \
	{                                                                      \
		n, CONF_FN, 0, 0, f                                            \
	}
#define K(n, k, s, m, a)                                                       \
	{                                                                      \
		n, k, offsetof(s, m), a, NULL                                  \
	}

static const char *const conf_backends[] = {"JWTAuthentication",
    "BasicAuthentication"};
static const char *const conf_permissions[] = {"AllowAny", "IsAuthenticated",
    "IsAdminUser"};
/* AuthenticationMiddleware and Middleware do nothing when named in YAML,
 * in LightAPI as here; they are accepted so its files load unchanged. */
static const char *const conf_middlewares[] = {"CORSMiddleware",
    "RateLimitMiddleware", "RequestIdMiddleware", "GzipMiddleware",
    "AuthenticationMiddleware", "Middleware"};
/* In the order of the LA_FILTER_* bits. */
static const char *const conf_filter_backends[] = {"FieldFilter",
    "SearchFilter", "OrderingFilter"};
static const char *const conf_algorithms[] = {"HS256", "HS384", "HS512"};
/* Both in the order of the LA_M_* bits. */
static const char *const conf_verb_names[] = {"GET", "POST", "PUT", "PATCH",
    "DELETE"};
static const char *const conf_crud[] = {"get", "post", "put", "patch",
    "delete"};
/* Managed by the server on every declared table. */
static const char *const conf_reserved[] = {"id", "created_at", "updated_at",
    "version"};

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

static void __attribute__((format(printf, 4, 5)))
conf_errat(struct conf_ctx *x, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verrat(x, line, col, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
conf_err(struct conf_ctx *x, const yaml_node_t *n, const char *fmt, ...)
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

static struct la_pos
conf_pos(const yaml_node_t *n)
{
	struct la_pos p;

	p.line = (int)n->start_mark.line + 1;
	p.col = (int)n->start_mark.column + 1;
	return (p);
}

/* Where a defaulted value would be reported: the start of the file. */
static struct la_pos
conf_pos_or_top(struct la_pos p)
{
	if (p.line == 0) {
		p.line = 1;
		p.col = 1;
	}
	return (p);
}

/* ---- nodes and paths ---------------------------------------------- */

static yaml_node_t *
conf_node(struct conf_ctx *x, yaml_node_item_t id)
{
	return (yaml_document_get_node(x->doc, id));
}

/*
 * Counts one visited node; -1 once the walk is over budget. The error is
 * made once, and always: a walk cut short must never yield a config.
 */
static int
conf_visit(struct conf_ctx *x, const yaml_node_t *n)
{
	if (x->over)
		return (-1);
	if (++x->visits < CONF_MAX_VISITS)
		return (0);
	x->over = 1;
	conf_err(x, n, "document too large (too many aliases?)");
	return (-1);
}

static int
conf_is_null(const yaml_node_t *n)
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

static const char *
conf_path(struct conf_ctx *x, const char *path, const char *name)
{
	if (path[0] == '\0')
		return (la_arena_strdup(x->a, name));
	return (la_arena_printf(x->a, "%s.%s", path, name));
}

static const char *
conf_ipath(struct conf_ctx *x, const char *path, size_t i)
{
	return (la_arena_printf(x->a, "%s[%zu]", path, i));
}

static int
conf_ident_ok(const char *s, size_t len)
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

static int
conf_find(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return ((int)i);
	return (-1);
}

/* "A, B, C" for messages that list the valid choices. */
static const char *
conf_choices(struct conf_ctx *x, const char *const *names, size_t n)
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
static const char *
conf_class(struct conf_ctx *x, yaml_node_t *v, const char *s, const char *path,
    const char *instead)
{
	const char *last = strrchr(s, '.');

	if (last == NULL)
		return (s);
	if (strncmp(s, "lightapi.", 9) == 0 && last[1] != '\0')
		return (last + 1);
	conf_err(x, v,
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
static void
conf_quote(struct la_buf *b, const char *s)
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
		conf_err(x, n, "unterminated '${' in a string");
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
	if (!conf_ident_ok(name, nlen) || nlen >= sizeof(var)) {
		conf_err(x, n, "bad variable reference '%.*s'",
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
		conf_err(x, n, "nested '${' in the default of '${%s}'", var);
		return (-1);
	}
	v = x->getenv_fn != NULL ? x->getenv_fn(var) : NULL;
	if (dflt != NULL && (v == NULL || *v == '\0')) {
		la_buf_append(b, dflt + 2, (size_t)(close - dflt - 2));
		return (0);
	}
	if (v == NULL) {
		conf_err(x, n, "environment variable '%s' is not set", var);
		return (-1);
	}
	/* The file is UTF-8 (libyaml checks it); what it pulls in must be. */
	if (!conf_utf8_ok(v)) {
		conf_err(x, n, "environment variable '%s' is not valid UTF-8",
		    var);
		return (-1);
	}
	la_buf_puts(b, v);
	return (0);
}

/* Copies s into the arena with every reference expanded; NULL on error. */
static const char *
conf_subst(struct conf_ctx *x, const yaml_node_t *n, const char *s)
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

/* ---- scalars ------------------------------------------------------- */

/* The expanded text of a scalar; what names the expected kind. */
static const char *
conf_text(struct conf_ctx *x, const yaml_node_t *n, const char *path,
    const char *what)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE) {
		conf_err(x, n, "expected %s for %s", what, path);
		return (NULL);
	}
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		conf_err(x, n, "NUL byte in %s", path);
		return (NULL);
	}
	return (conf_subst(x, n, s));
}

static const char *
conf_str(struct conf_ctx *x, const yaml_node_t *n, const char *path)
{
	return (conf_text(x, n, path, "a string"));
}

static int
conf_int(struct conf_ctx *x, const yaml_node_t *n, const char *path, long min,
    int *out)
{
	const char *s;
	int64_t v;

	if ((s = conf_text(x, n, path, "an integer")) == NULL)
		return (-1);
	if (la_str_to_i64(s, strlen(s), &v) == -1) {
		conf_err(x, n, "expected an integer for %s", path);
		return (-1);
	}
	if (v < min) {
		conf_err(x, n, "%s must be at least %ld", path, min);
		return (-1);
	}
	if (v > INT_MAX) {
		conf_err(x, n, "%s is too large", path);
		return (-1);
	}
	*out = (int)v;
	return (0);
}

/* YAML 1.1 booleans, without the single letters y and n. */
static int
conf_parse_bool(const char *s)
{
	static const char *const t[] = {"true", "yes", "on"};
	static const char *const f[] = {"false", "no", "off"};
	size_t i;

	for (i = 0; i < LA_NELEM(t); i++) {
		if (strcasecmp(s, t[i]) == 0)
			return (1);
		if (strcasecmp(s, f[i]) == 0)
			return (0);
	}
	return (-1);
}

static int
conf_bool(struct conf_ctx *x, const yaml_node_t *n, const char *path, int *out)
{
	const char *s;
	int v;

	if ((s = conf_text(x, n, path, "true or false")) == NULL)
		return (-1);
	if ((v = conf_parse_bool(s)) == -1) {
		conf_err(x, n, "expected true or false for %s", path);
		return (-1);
	}
	*out = v;
	return (0);
}

/* "1048576", "64M", "8k", "1GB": 0, or -1 on junk or overflow. */
static int
conf_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;

	if (*s < '0' || *s > '9')
		return (-1);
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s == 'k' || *s == 'K')
		mul = 1024;
	else if (*s == 'm' || *s == 'M')
		mul = 1024 * 1024;
	else if (*s == 'g' || *s == 'G')
		mul = 1024 * 1024 * 1024;
	if (mul != 1)
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s != '\0' || v > SIZE_MAX / mul)
		return (-1);
	*out = v * mul;
	return (0);
}

static int
conf_size(struct conf_ctx *x, const yaml_node_t *n, const char *path,
    size_t *out)
{
	const char *s;
	uint64_t v;

	if ((s = conf_text(x, n, path, "a size")) == NULL)
		return (-1);
	if (s[0] == '-' || (conf_parse_size(s, &v) == 0 && v == 0)) {
		conf_err(x, n, "%s must be a positive size", path);
		return (-1);
	}
	if (conf_parse_size(s, &v) == -1) {
		conf_err(x, n,
		    "expected a size (bytes, or a number with K, M or G) "
		    "for %s",
		    path);
		return (-1);
	}
	*out = (size_t)v;
	return (0);
}

static int
conf_num(struct conf_ctx *x, const yaml_node_t *n, const char *path,
    double *out)
{
	const char *s;

	if ((s = conf_text(x, n, path, "a number")) == NULL)
		return (-1);
	if (la_str_to_double(s, strlen(s), out) == -1) {
		conf_err(x, n, "expected a number for %s", path);
		return (-1);
	}
	return (0);
}

static const char *
conf_ident(struct conf_ctx *x, const yaml_node_t *n, const char *path)
{
	const char *s;

	if ((s = conf_str(x, n, path)) == NULL)
		return (NULL);
	if (!conf_ident_ok(s, strlen(s))) {
		conf_err(x, n,
		    "'%s' is not a valid identifier for %s "
		    "(letters, digits and '_', not starting with a digit)",
		    s, path);
		return (NULL);
	}
	return (s);
}

typedef int conf_item_fn(struct conf_ctx *, yaml_node_t *, const char *,
    void *);

/* How many items conf_items will see: a lone scalar is a list of one. */
static size_t
conf_nitems(const yaml_node_t *n)
{
	if (conf_is_null(n))
		return (0);
	if (n->type == YAML_SEQUENCE_NODE)
		return ((size_t)(n->data.sequence.items.top -
		                 n->data.sequence.items.start));
	return (1);
}

/*
 * Calls fn on the expanded text of each string of a list (or of a lone
 * string), with the item's node so that errors point at the item itself.
 */
static int
conf_items(struct conf_ctx *x, yaml_node_t *n, const char *path,
    conf_item_fn *fn, void *arg)
{
	yaml_node_item_t *it;
	yaml_node_t *e;
	const char *s;
	size_t i = 0;

	if (conf_is_null(n))
		return (0);
	if (n->type == YAML_SCALAR_NODE) {
		if ((s = conf_str(x, n, path)) != NULL)
			fn(x, n, s, arg);
		return (0);
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		conf_err(x, n, "expected a list of strings for %s", path);
		return (-1);
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++, i++) {
		e = conf_node(x, *it);
		if (conf_visit(x, e) == -1)
			return (-1);
		if ((s = conf_str(x, e, conf_ipath(x, path, i))) != NULL)
			fn(x, e, s, arg);
	}
	return (0);
}

static int
conf_strlist_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct la_strlist *l = arg;

	l->v[l->n++] = s;
	return (0);
}

static int
conf_strlist(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_strlist *l)
{
	l->n = 0;
	l->v = la_arena_calloc(x->a, conf_nitems(n) + 1, sizeof(*l->v));
	return (conf_items(x, n, path, conf_strlist_add, l));
}

/* A list of verbs, by name; names[i] stands for verb bit 1 << i. */
struct conf_verbs {
	const char *const *names;
	const char *what, *path;
	unsigned bits;
};

static int
conf_verbs_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct conf_verbs *v = arg;
	int i;

	if ((i = conf_find(v->names, LA_NVERBS, s)) == -1) {
		conf_err(x, n, "unknown %s '%s' in %s (%s)", v->what, s,
		    v->path, conf_choices(x, v->names, LA_NVERBS));
		return (-1);
	}
	v->bits |= 1u << i;
	return (0);
}

static unsigned
conf_verbs(struct conf_ctx *x, yaml_node_t *n, const char *path,
    const char *const *names, const char *what)
{
	struct conf_verbs v;

	v.names = names;
	v.what = what;
	v.path = path;
	v.bits = 0;
	if (conf_items(x, n, path, conf_verbs_add, &v) == 0 &&
	    conf_nitems(n) == 0)
		conf_err(x, n, "%s is empty", path);
	return (v.bits);
}

/* ---- the key dispatcher ------------------------------------------- */

/* The name of the key of pair p, or NULL if it is not a new string. */
static const char *
conf_keyname(struct conf_ctx *x, yaml_node_t *map, yaml_node_pair_t *p,
    const char *path)
{
	yaml_node_t *k = conf_node(x, p->key), *o;
	yaml_node_pair_t *q;
	const char *name;

	if (k->type != YAML_SCALAR_NODE) {
		conf_err(x, k, "expected a string key in %s",
		    path[0] ? path : "the top level");
		return (NULL);
	}
	name = (const char *)k->data.scalar.value;
	/* An aliased large mapping must not make this quadratic unbounded. */
	x->visits += (p - map->data.mapping.pairs.start) / 256;
	for (q = map->data.mapping.pairs.start; q < p; q++) {
		o = conf_node(x, q->key);
		if (o->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)o->data.scalar.value, name) == 0) {
			conf_err(x, k,
			    "duplicate key '%s' in %s (first at %d:%d)", name,
			    path[0] ? path : "the top level",
			    (int)o->start_mark.line + 1,
			    (int)o->start_mark.column + 1);
			return (NULL);
		}
	}
	return (name);
}

static void
conf_set(struct conf_ctx *x, const struct conf_key *k, yaml_node_t *v,
    void *obj, const char *path)
{
	char *p = (char *)obj + k->off;
	const char *s;
	int b;

	switch (k->kind) {
	case CONF_STR:
		if (!conf_is_null(v) && (s = conf_str(x, v, path)) != NULL)
			*(const char **)(void *)p = s;
		break;
	case CONF_IDENT:
		if ((s = conf_ident(x, v, path)) != NULL)
			*(const char **)(void *)p = s;
		break;
	case CONF_INT:
		conf_int(x, v, path, k->arg, (int *)(void *)p);
		break;
	case CONF_LEN:
		if (conf_int(x, v, path, 0, &b) == 0)
			*(int64_t *)(void *)p = b;
		break;
	case CONF_BOOL:
		conf_bool(x, v, path, (int *)(void *)p);
		break;
	case CONF_SIZE:
		conf_size(x, v, path, (size_t *)(void *)p);
		break;
	case CONF_LIST:
		conf_strlist(x, v, path, (struct la_strlist *)(void *)p);
		break;
	case CONF_FLAG:
		if (conf_bool(x, v, path, &b) == 0) {
			if (b)
				*(uint32_t *)(void *)p |= (uint32_t)k->arg;
			else
				*(uint32_t *)(void *)p &= ~(uint32_t)k->arg;
		}
		break;
	case CONF_BOUND:
		if (conf_num(x, v, path, (double *)(void *)p) == 0)
			((struct la_col_def *)obj)->flags |= (uint32_t)k->arg;
		break;
	case CONF_FN:
		k->fn(x, v, obj, path);
		break;
	}
}

static void
conf_pair(struct conf_ctx *x, yaml_node_t *map, yaml_node_pair_t *p,
    const char *path, const struct conf_key *keys, size_t nkeys, void *obj)
{
	const char *name;
	size_t i;

	if ((name = conf_keyname(x, map, p, path)) == NULL)
		return;
	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (i == nkeys) {
		if (path[0] == '\0')
			conf_err(x, conf_node(x, p->key),
			    "unknown key '%s' at the top level", name);
		else
			conf_err(x, conf_node(x, p->key),
			    "unknown key '%s' in %s", name, path);
		return;
	}
	conf_set(x, &keys[i], conf_node(x, p->value), obj,
	    conf_path(x, path, name));
}

/* Applies the key table to mapping n; -1 if n is not a mapping. */
static int
conf_map(struct conf_ctx *x, yaml_node_t *n, const char *path,
    const struct conf_key *keys, size_t nkeys, void *obj)
{
	yaml_node_pair_t *p;

	if (n->type != YAML_MAPPING_NODE) {
		conf_err(x, n, "expected a mapping for %s", path);
		return (-1);
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		if (conf_visit(x, conf_node(x, p->value)) == -1)
			return (-1);
		conf_pair(x, n, p, path, keys, nkeys, obj);
	}
	return (0);
}

/* The value of key name in mapping n, or NULL. */
static yaml_node_t *
conf_get(struct conf_ctx *x, yaml_node_t *n, const char *name)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (n->type != YAML_MAPPING_NODE)
		return (NULL);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		k = conf_node(x, p->key);
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, name) == 0)
			return (conf_node(x, p->value));
	}
	return (NULL);
}

/* ---- default: values as JSON text ---------------------------------- */

/* 1 when s is already a number in JSON's syntax. */
static int
conf_json_number_ok(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return (0);
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return (0);
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return (0);
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return (*s == '\0');
}

/* The shortest text that reads back as d. */
static void
conf_put_double(struct la_buf *b, double d)
{
	char tmp[64];
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
	la_buf_puts(b, tmp);
}

/* A plain scalar is typed the YAML 1.1 way; anything else is a string. */
static void
conf_json_plain(struct la_buf *b, const char *s)
{
	int64_t i;
	double d;
	int v;

	if (s[0] == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0)
		la_buf_puts(b, "null");
	else if ((v = conf_parse_bool(s)) != -1)
		la_buf_puts(b, v ? "true" : "false");
	else if (la_str_to_i64(s, strlen(s), &i) == 0)
		la_buf_printf(b, "%lld", (long long)i);
	else if (la_str_to_double(s, strlen(s), &d) == 0) {
		if (conf_json_number_ok(s))
			la_buf_puts(b, s);
		else
			conf_put_double(b, d);
	} else
		conf_quote(b, s);
}

static int conf_json(struct conf_ctx *, yaml_node_t *, const char *,
    struct la_buf *, int);

static int
conf_json_scalar(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b)
{
	const char *s;

	if ((s = conf_str(x, n, path)) == NULL)
		return (-1);
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		conf_json_plain(b, s);
	else
		conf_quote(b, s);
	return (0);
}

static int
conf_json_seq(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b, int depth)
{
	yaml_node_item_t *it;
	int rc;

	la_buf_putc(b, '[');
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		if (it != n->data.sequence.items.start)
			la_buf_putc(b, ',');
		if ((rc = conf_json(x, conf_node(x, *it), path, b, depth + 1)))
			return (rc);
	}
	la_buf_putc(b, ']');
	return (0);
}

static int
conf_json_map(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b, int depth)
{
	yaml_node_pair_t *p;
	const char *k;
	int rc;

	la_buf_putc(b, '{');
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		if ((k = conf_keyname(x, n, p, path)) == NULL)
			return (-1);
		if (p != n->data.mapping.pairs.start)
			la_buf_putc(b, ',');
		conf_quote(b, k);
		la_buf_putc(b, ':');
		if ((rc = conf_json(x, conf_node(x, p->value), path, b,
		         depth + 1)) != 0)
			return (rc);
	}
	la_buf_putc(b, '}');
	return (0);
}

/* 0, -1 after an error, or -2 when too deep (the caller reports it). */
static int
conf_json(struct conf_ctx *x, yaml_node_t *n, const char *path,
    struct la_buf *b, int depth)
{
	if (conf_visit(x, n) == -1)
		return (-1);
	if (depth > CONF_MAX_DEPTH)
		return (-2);
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return (conf_json_scalar(x, n, path, b));
	case YAML_SEQUENCE_NODE:
		return (conf_json_seq(x, n, path, b, depth));
	case YAML_MAPPING_NODE:
		return (conf_json_map(x, n, path, b, depth));
	default:
		conf_err(x, n, "unexpected node in %s", path);
		return (-1);
	}
}

/* ---- field specs (SPEC 3) ------------------------------------------ */

static void
conf_f_type(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	static const char *const names[] = {"str", "text", "int", "float",
	    "bool", "datetime", "date", "Decimal", "decimal", "UUID", "uuid",
	    "json"};
	struct la_col_def *d = obj;
	const char *s;

	if ((s = conf_str(x, v, path)) == NULL)
		return;
	if ((d->type = la_type_parse(s)) == LA_T_NONE)
		conf_err(x, v, "unknown field type '%s' in %s (valid: %s)", s,
		    path, conf_choices(x, names, LA_NELEM(names)));
}

static void
conf_f_default(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_col_def *d = obj;
	struct la_buf b;
	int rc;

	la_buf_init(&b);
	if ((rc = conf_json(x, v, path, &b, 0)) == 0) {
		d->dflt = la_arena_strndup(x->a, b.data, b.len);
		d->flags |= LA_COL_DEFAULT;
	} else if (rc == -2)
		conf_err(x, v, "%s is nested too deeply", path);
	la_buf_free(&b);
}

static void
conf_f_pattern(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_col_def *d = obj;
	char msg[128];
	regex_t re;
	const char *s;
	int rc;

	if ((s = conf_str(x, v, path)) == NULL)
		return;
	/* Reject it now rather than on the first request that uses it. */
	if ((rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		conf_err(x, v, "bad regular expression for %s: %s", path, msg);
		return;
	}
	regfree(&re);
	d->pattern = s;
}

static void
conf_f_fk(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_col_def *d = obj;
	const char *s, *dot;

	if ((s = conf_str(x, v, path)) == NULL)
		return;
	if ((dot = strchr(s, '.')) == NULL ||
	    !conf_ident_ok(s, (size_t)(dot - s)) ||
	    !conf_ident_ok(dot + 1, strlen(dot + 1))) {
		conf_err(x, v, "expected 'table.column' for %s", path);
		return;
	}
	d->fk_table = la_arena_strndup(x->a, s, (size_t)(dot - s));
	d->fk_col = dot + 1;
}

static const struct conf_key conf_field_keys[] = {
    K_FN("type", conf_f_type),
    K("optional", CONF_FLAG, struct la_col_def, flags, LA_COL_NULLABLE),
    K_FN("default", conf_f_default),
    K("min_length", CONF_LEN, struct la_col_def, min_length, 0),
    K("max_length", CONF_LEN, struct la_col_def, max_length, 0),
    K_FN("pattern", conf_f_pattern),
    K("gt", CONF_BOUND, struct la_col_def, gt, LA_COL_GT),
    K("ge", CONF_BOUND, struct la_col_def, ge, LA_COL_GE),
    K("lt", CONF_BOUND, struct la_col_def, lt, LA_COL_LT),
    K("le", CONF_BOUND, struct la_col_def, le, LA_COL_LE),
    K("decimal_places", CONF_INT, struct la_col_def, decimal_places, 0),
    K("max_digits", CONF_INT, struct la_col_def, max_digits, 1),
    K("unique", CONF_FLAG, struct la_col_def, flags, LA_COL_UNIQUE),
    K("index", CONF_FLAG, struct la_col_def, flags, LA_COL_INDEX),
    K_FN("foreign_key", conf_f_fk),
    K("exclude", CONF_FLAG, struct la_col_def, flags, LA_COL_EXCLUDE),
    K("description", CONF_STR, struct la_col_def, description, 0),
};

static int
conf_field_name(struct conf_ctx *x, yaml_node_t *k, const char *name,
    const char *path)
{
	if (conf_find(conf_reserved, LA_NELEM(conf_reserved), name) != -1) {
		conf_err(x, k,
		    "field '%s' is managed by the server and cannot be "
		    "declared",
		    name);
		return (-1);
	}
	if (!conf_ident_ok(name, strlen(name))) {
		conf_err(x, k,
		    "field name '%s' in %s is not a valid identifier "
		    "(letters, digits and '_', not starting with a digit)",
		    name, path);
		return (-1);
	}
	return (0);
}

static void
conf_field(struct conf_ctx *x, yaml_node_t *k, yaml_node_t *v, const char *path,
    struct la_col_def *d)
{
	la_col_def_init(d,
	    la_arena_strdup(x->a, (const char *)k->data.scalar.value),
	    LA_T_NONE);
	d->line = (int)k->start_mark.line + 1;
	d->col = (int)k->start_mark.column + 1;
	if (conf_map(x, v, path, conf_field_keys, LA_NELEM(conf_field_keys),
	        d) == -1)
		return;
	if (conf_get(x, v, "type") == NULL)
		conf_err(x, v, "missing required key 'type' in %s", path);
	if (d->min_length >= 0 && d->max_length >= 0 &&
	    d->min_length > d->max_length)
		conf_err(x, v, "min_length is greater than max_length in %s",
		    path);
}

static void
conf_e_fields(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;
	yaml_node_pair_t *p;
	const char *name;

	if (conf_is_null(v))
		return;
	if (v->type != YAML_MAPPING_NODE) {
		conf_err(x, v, "expected a mapping for %s", path);
		return;
	}
	ep->fields = la_arena_calloc(x->a,
	    (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start) +
	        1,
	    sizeof(*ep->fields));
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		if (conf_visit(x, conf_node(x, p->value)) == -1)
			return;
		if ((name = conf_keyname(x, v, p, path)) == NULL ||
		    conf_field_name(x, conf_node(x, p->key), name, path) == -1)
			continue;
		conf_field(x, conf_node(x, p->key), conf_node(x, p->value),
		    conf_path(x, path, name), &ep->fields[ep->nfields++]);
	}
}

/* ---- authentication and pagination blocks ------------------------- */

static void
conf_a_backend(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_auth *au = obj;
	const char *s;

	if ((s = conf_str(x, v, path)) == NULL ||
	    (s = conf_class(x, v, s, path,
	         "use JWTAuthentication or BasicAuthentication")) == NULL)
		return;
	if (conf_find(conf_backends, LA_NELEM(conf_backends), s) == -1) {
		conf_err(x, v, "unknown authentication backend '%s' in %s (%s)",
		    s, path,
		    conf_choices(x, conf_backends, LA_NELEM(conf_backends)));
		return;
	}
	au->backend = s;
}

static const char *
conf_permission(struct conf_ctx *x, yaml_node_t *v, const char *path)
{
	const char *s;

	if ((s = conf_str(x, v, path)) == NULL ||
	    (s = conf_class(x, v, s, path,
	         "use AllowAny, IsAuthenticated or IsAdminUser, per verb if "
	         "needed")) == NULL)
		return (NULL);
	if (conf_find(conf_permissions, LA_NELEM(conf_permissions), s) == -1) {
		conf_err(x, v, "unknown permission '%s' in %s (%s)", s, path,
		    conf_choices(x, conf_permissions,
		        LA_NELEM(conf_permissions)));
		return (NULL);
	}
	return (s);
}

/* The verb index (0..4) of a key naming a verb, or -1 after an error. */
static int
conf_verb(struct conf_ctx *x, yaml_node_t *k, const char *name,
    const char *path)
{
	int i;

	if ((i = conf_find(conf_verb_names, LA_NVERBS, name)) == -1)
		conf_err(x, k, "unknown HTTP method '%s' in %s (%s)", name,
		    path, conf_choices(x, conf_verb_names, LA_NVERBS));
	return (i);
}

/* Verbs left out of a permission map are public, as in LightAPI. */
static void
conf_a_permmap(struct conf_ctx *x, yaml_node_t *v, struct la_conf_auth *au,
    const char *path)
{
	yaml_node_pair_t *p;
	const char *name;
	int i;

	for (i = 0; i < LA_NVERBS; i++)
		au->permission[i] = conf_permissions[0];
	au->map_open = (1u << LA_NVERBS) - 1;
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		if ((name = conf_keyname(x, v, p, path)) == NULL ||
		    (i = conf_verb(x, conf_node(x, p->key), name, path)) == -1)
			continue;
		au->permission[i] = conf_permission(x, conf_node(x, p->value),
		    conf_path(x, path, name));
		au->map_open &= ~(1u << i);
	}
}

static void
conf_a_permission(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf_auth *au = obj;
	const char *s;
	int i;

	if (v->type == YAML_MAPPING_NODE) {
		conf_a_permmap(x, v, au, path);
		return;
	}
	if ((s = conf_permission(x, v, path)) == NULL)
		return;
	for (i = 0; i < LA_NVERBS; i++)
		au->permission[i] = s;
}

static int
conf_algorithm(struct conf_ctx *x, yaml_node_t *v, const char *s,
    const char *path)
{
	if (conf_find(conf_algorithms, LA_NELEM(conf_algorithms), s) != -1)
		return (0);
	conf_err(x, v, "unknown algorithm '%s' in %s (%s)", s, path,
	    conf_choices(x, conf_algorithms, LA_NELEM(conf_algorithms)));
	return (-1);
}

static void
conf_a_alg(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_auth *au = obj;
	const char *s;

	if ((s = conf_str(x, v, path)) == NULL ||
	    conf_algorithm(x, v, s, path) != 0)
		return;
	au->jwt_algorithm = s;
	au->jwt_pos = conf_pos(v);
}

static void
conf_a_extra(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_auth *au = obj;

	if (conf_is_null(v))
		return;
	au->has_extra_claims = 1;
	conf_strlist(x, v, path, &au->jwt_extra_claims);
}

/* The jwt_* keys are LightAPI's per-endpoint token settings (SPEC 8). */
static const struct conf_key conf_auth_keys[] = {
    K_FN("backend", conf_a_backend),
    K_FN("permission", conf_a_permission),
    K("jwt_expiration", CONF_INT, struct la_conf_auth, jwt_expiration, 1),
    K_FN("jwt_extra_claims", conf_a_extra),
    K_FN("jwt_algorithm", conf_a_alg),
};

static void
conf_authcfg(struct conf_ctx *x, yaml_node_t *v, struct la_conf_auth *au,
    const char *path)
{
	au->pos = conf_pos(v);
	conf_map(x, v, path, conf_auth_keys, LA_NELEM(conf_auth_keys), au);
}

static void
conf_p_style(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_pagination *pg = obj;
	const char *s;

	if ((s = conf_str(x, v, path)) == NULL)
		return;
	if (strcmp(s, "page_number") == 0)
		pg->style = LA_PAGE_NUMBER;
	else if (strcmp(s, "cursor") == 0)
		pg->style = LA_PAGE_CURSOR;
	else
		conf_err(x, v,
		    "unknown pagination style '%s' in %s "
		    "(page_number, cursor)",
		    s, path);
}

static const struct conf_key conf_page_keys[] = {
    K_FN("style", conf_p_style),
    K("page_size", CONF_INT, struct la_conf_pagination, page_size, 1),
    K("max_page_size", CONF_INT, struct la_conf_pagination, max_page_size, 1),
};

/*
 * A block with only max_page_size caps unpaginated lists (SPEC 6); any
 * other block paginates, page_number of 20 unless told otherwise.
 */
static void
conf_pagination(struct conf_ctx *x, yaml_node_t *v,
    struct la_conf_pagination *pg, const char *path)
{
	memset(pg, 0, sizeof(*pg));
	pg->set = 1;
	pg->pos = conf_pos(v);
	if (conf_map(x, v, path, conf_page_keys, LA_NELEM(conf_page_keys),
	        pg) == -1)
		return;
	if (conf_get(x, v, "style") == NULL &&
	    conf_get(x, v, "page_size") == NULL &&
	    conf_get(x, v, "max_page_size") != NULL)
		return;
	if (pg->style == LA_PAGE_NONE)
		pg->style = LA_PAGE_NUMBER;
	if (pg->page_size == 0)
		pg->page_size = CONF_PAGE_SIZE;
	if (pg->max_page_size == 0)
		pg->max_page_size = pg->page_size > CONF_MAX_PAGE_SIZE
		                        ? pg->page_size
		                        : CONF_MAX_PAGE_SIZE;
	else if (pg->page_size > pg->max_page_size)
		conf_err(x, v, "page_size is greater than max_page_size in %s",
		    path);
}

/* ---- endpoint meta ------------------------------------------------- */

static void
conf_m_authentication(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	conf_authcfg(x, v, &((struct la_conf_endpoint *)obj)->auth, path);
}

static void
conf_v_authentication(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	conf_authcfg(x, v, obj, path);
}

static const struct conf_key conf_verb_keys[] = {
    K_FN("authentication", conf_v_authentication),
};

/* One verb of the map form: { authentication: {...} } or null. */
static void
conf_m_verb(struct conf_ctx *x, yaml_node_t *v, int vi,
    struct la_conf_endpoint *ep, const char *path)
{
	struct la_conf_auth au;

	ep->methods |= 1u << vi;
	if (conf_is_null(v))
		return;
	memset(&au, 0, sizeof(au));
	if (conf_map(x, v, path, conf_verb_keys, LA_NELEM(conf_verb_keys),
	        &au) == -1)
		return;
	if (au.permission[vi] != NULL)
		ep->verb_auth.permission[vi] = au.permission[vi];
	/* Token settings per verb mean nothing to LightAPI either. */
	if (au.jwt_expiration || au.jwt_algorithm || au.has_extra_claims)
		ep->verb_auth.jwt_pos = conf_pos(v);
	if (au.backend == NULL)
		return;
	/* The catalog keeps one backend per endpoint. */
	if (ep->verb_auth.backend != NULL &&
	    strcmp(ep->verb_auth.backend, au.backend) != 0)
		conf_err(x, v, "all methods of %s must use the same backend",
		    path);
	ep->verb_auth.backend = au.backend;
}

static void
conf_m_methodmap(struct conf_ctx *x, yaml_node_t *v,
    struct la_conf_endpoint *ep, const char *path)
{
	yaml_node_pair_t *p;
	const char *name;
	int vi;

	ep->methods_map = 1;
	ep->verb_auth.pos = conf_pos(v);
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		if (conf_visit(x, conf_node(x, p->value)) == -1)
			return;
		if ((name = conf_keyname(x, v, p, path)) == NULL ||
		    (vi = conf_verb(x, conf_node(x, p->key), name, path)) == -1)
			continue;
		conf_m_verb(x, conf_node(x, p->value), vi, ep,
		    conf_path(x, path, name));
	}
}

static void
conf_m_methods(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;

	if (v->type == YAML_MAPPING_NODE)
		conf_m_methodmap(x, v, ep, path);
	else if (!conf_is_null(v))
		ep->methods =
		    conf_verbs(x, v, path, conf_verb_names, "HTTP method");
}

struct conf_fb {
	struct la_conf_endpoint *ep;
	const char *path;
};

static int
conf_fb_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct conf_fb *fb = arg;
	struct la_conf_endpoint *ep = fb->ep;
	int i;

	if ((s = conf_class(x, n, s, fb->path,
	         "use FieldFilter, SearchFilter or OrderingFilter")) == NULL)
		return (-1);
	if ((i = conf_find(conf_filter_backends, LA_NELEM(conf_filter_backends),
	         s)) == -1) {
		conf_err(x, n, "unknown filter backend '%s' in %s (%s)", s,
		    fb->path,
		    conf_choices(x, conf_filter_backends,
		        LA_NELEM(conf_filter_backends)));
		return (-1);
	}
	ep->filter_backends |= 1u << i;
	return (0);
}

static void
conf_f_backends(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct conf_fb fb = {obj, path};

	conf_items(x, v, path, conf_fb_add, &fb);
}

static const struct conf_key conf_filter_keys[] = {
    K_FN("backends", conf_f_backends),
    K("fields", CONF_LIST, struct la_conf_endpoint, filter, 0),
    K("search", CONF_LIST, struct la_conf_endpoint, search, 0),
    K("ordering", CONF_LIST, struct la_conf_endpoint, ordering, 0),
};

/* Without backends (or with an empty list), as in LightAPI, each list
 * that is not empty turns its backend on. */
static void
conf_m_filtering(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	struct la_conf_endpoint *ep = obj;

	if (conf_map(x, v, path, conf_filter_keys, LA_NELEM(conf_filter_keys),
	        obj) == -1 ||
	    ep->filter_backends != 0)
		return;
	ep->filter_backends = (ep->filter.n ? LA_FILTER_FIELDS : 0) |
	                      (ep->search.n ? LA_FILTER_SEARCH : 0) |
	                      (ep->ordering.n ? LA_FILTER_ORDERING : 0);
}

static void
conf_m_pagination(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	conf_pagination(x, v, &((struct la_conf_endpoint *)obj)->pagination,
	    path);
}

static const struct conf_key conf_cache_ep_keys[] = {
    K("ttl", CONF_INT, struct la_conf_endpoint, cache_ttl, 1),
};

static void
conf_m_cache(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;

	ep->cache_ttl = CONF_CACHE_TTL;
	if (conf_map(x, v, path, conf_cache_ep_keys,
	        LA_NELEM(conf_cache_ep_keys), ep) == -1)
		ep->cache_ttl = 0;
}

static const struct conf_key conf_ser_keys[] = {
    K("fields", CONF_LIST, struct la_conf_endpoint, ser_fields, 0),
    K("read", CONF_LIST, struct la_conf_endpoint, ser_read, 0),
    K("write", CONF_LIST, struct la_conf_endpoint, ser_write, 0),
};

static void
conf_m_serializer(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	if (conf_map(x, v, path, conf_ser_keys, LA_NELEM(conf_ser_keys), obj) ==
	    -1)
		return;
	if (conf_get(x, v, "fields") != NULL &&
	    (conf_get(x, v, "read") != NULL || conf_get(x, v, "write") != NULL))
		conf_err(x, v,
		    "'fields' and 'read'/'write' cannot be used together in "
		    "%s",
		    path);
}

static void
conf_m_table(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;
	const char *s;

	if ((s = conf_ident(x, v, path)) == NULL)
		return;
	ep->table = s;
	ep->table_pos = conf_pos(v);
}

static const struct conf_key conf_meta_keys[] = {
    K_FN("methods", conf_m_methods),
    K_FN("authentication", conf_m_authentication),
    K_FN("filtering", conf_m_filtering),
    K_FN("pagination", conf_m_pagination),
    K_FN("cache", conf_m_cache),
    K_FN("serializer", conf_m_serializer),
    K_FN("table", conf_m_table),
};

/* ---- endpoints (SPEC 2.1) ------------------------------------------ */

/* Routes are matched literally, so keep them to safe characters. */
static int
conf_route_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if (s[0] == '/' && s[1] == '/')
			return (0);
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || strchr("-._~/", *s)))
			return (0);
	}
	return (1);
}

static void
conf_e_route(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;
	struct la_str r;
	const char *s;

	if ((s = conf_str(x, v, path)) == NULL)
		return;
	r.p = s;
	r.len = strlen(s);
	r = la_str_trim(r);
	if (r.len == 0 || r.p[0] != '/') {
		conf_err(x, v, "%s must start with '/'", path);
		return;
	}
	s = la_arena_strndup(x->a, r.p, r.len);
	/* Checked before the trailing '/' goes, so "/x//" is refused. */
	if (!conf_route_ok(s)) {
		conf_err(x, v,
		    "route '%s' may contain only letters, digits, '-', '.', "
		    "'_', '~' and single '/'",
		    s);
		return;
	}
	if (r.len > 1 && s[r.len - 1] == '/')
		((char *)s)[r.len - 1] = '\0';
	ep->route = s;
	ep->route_pos = conf_pos(v);
}

static void
conf_e_reflect(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;
	const char *s;
	int b;

	if ((s = conf_text(x, v, path, "true, false or 'partial'")) == NULL)
		return;
	if (strcmp(s, "partial") == 0)
		ep->reflect = LA_REFLECT_PARTIAL;
	else if ((b = conf_parse_bool(s)) != -1)
		ep->reflect = b ? LA_REFLECT_YES : LA_REFLECT_NO;
	else
		conf_err(x, v, "expected true, false or 'partial' for %s",
		    path);
}

static void
conf_e_meta(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	if (!conf_is_null(v))
		conf_map(x, v, path, conf_meta_keys, LA_NELEM(conf_meta_keys),
		    obj);
}

static const struct conf_key conf_endpoint_keys[] = {
    K_FN("route", conf_e_route),
    K_FN("fields", conf_e_fields),
    K_FN("reflect", conf_e_reflect),
    K_FN("meta", conf_e_meta),
};

/*
 * The default table name: the route's last segment, with the characters a
 * route may hold but an identifier may not ('-', '.', '~') turned into
 * '_', so /order-items is served from table order_items.
 */
static void
conf_e_table(struct conf_ctx *x, struct la_conf_endpoint *ep)
{
	char *seg = la_arena_strdup(x->a, strrchr(ep->route, '/') + 1);
	char *p;

	if (ep->table != NULL)
		return;
	ep->table_pos = ep->route_pos;
	if (*seg == '\0') {
		conf_errat(x, ep->route_pos.line, ep->route_pos.col,
		    "route '/' names no table; set meta.table");
		return;
	}
	for (p = seg; *p != '\0'; p++)
		if (*p == '-' || *p == '.' || *p == '~')
			*p = '_';
	if (!conf_ident_ok(seg, strlen(seg))) {
		conf_errat(x, ep->route_pos.line, ep->route_pos.col,
		    "cannot use '%s' as a table name: it is not a valid "
		    "identifier; set meta.table",
		    seg);
		return;
	}
	ep->table = seg;
}

static void
conf_endpoint(struct conf_ctx *x, yaml_node_t *v, const char *path,
    struct la_conf_endpoint *ep)
{
	ep->pos = conf_pos(v);
	if (conf_map(x, v, path, conf_endpoint_keys,
	        LA_NELEM(conf_endpoint_keys), ep) == -1)
		return;
	if (ep->methods == 0)
		ep->methods = LA_M_CRUD;
	if (conf_get(x, v, "route") == NULL)
		conf_err(x, v, "missing required key 'route' in %s", path);
	if (ep->route != NULL)
		conf_e_table(x, ep);
	if (ep->reflect == LA_REFLECT_YES && ep->nfields > 0)
		conf_err(x, conf_get(x, v, "fields"),
		    "%s: 'fields' needs 'reflect: partial' on a reflected "
		    "table",
		    path);
}

/* Allocates the endpoint array for a sequence node; NULL if not one. */
static struct la_conf_endpoint *
conf_eparray(struct conf_ctx *x, yaml_node_t *v, const char *path)
{
	size_t n;

	if (v->type != YAML_SEQUENCE_NODE) {
		conf_err(x, v, "expected a list for %s", path);
		return (NULL);
	}
	if (x->endpoints != NULL && x->tables != NULL) {
		conf_err(x, v,
		    "'tables' and 'endpoints' cannot be used "
		    "together");
		return (NULL);
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	x->c->endpoints =
	    la_arena_calloc(x->a, n + 1, sizeof(*x->c->endpoints));
	x->c->nendpoints = 0;
	return (x->c->endpoints);
}

static void
conf_endpoints(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	yaml_node_item_t *it;
	size_t i = 0;

	x->endpoints = v;
	if (conf_is_null(v) || conf_eparray(x, v, path) == NULL)
		return;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++, i++) {
		if (conf_visit(x, conf_node(x, *it)) == -1)
			return;
		conf_endpoint(x, conf_node(x, *it), conf_ipath(x, path, i),
		    &c->endpoints[c->nendpoints++]);
	}
}

/* ---- the tables format (SPEC 2.2) ---------------------------------- */

static void
conf_t_name(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_endpoint *ep = obj;
	const char *s;

	if ((s = conf_ident(x, v, path)) == NULL)
		return;
	ep->table = s;
	ep->route = la_arena_printf(x->a, "/%s", s);
	ep->route_pos = ep->table_pos = conf_pos(v);
}

static void
conf_t_crud(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	((struct la_conf_endpoint *)obj)->methods =
	    conf_verbs(x, v, path, conf_crud, "operation");
}

static const struct conf_key conf_table_keys[] = {
    K_FN("name", conf_t_name),
    K_FN("crud", conf_t_crud),
};

static void
conf_tables(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	struct la_conf_endpoint *ep;
	yaml_node_item_t *it;
	yaml_node_t *e;
	size_t i = 0;

	x->tables = v;
	c->tables_format = 1;
	if (conf_is_null(v) || conf_eparray(x, v, path) == NULL)
		return;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++, i++) {
		e = conf_node(x, *it);
		if (conf_visit(x, e) == -1)
			return;
		ep = &c->endpoints[c->nendpoints++];
		ep->pos = conf_pos(e);
		ep->reflect = LA_REFLECT_YES;
		if (conf_map(x, e, conf_ipath(x, path, i), conf_table_keys,
		        LA_NELEM(conf_table_keys), ep) == -1)
			continue;
		if (conf_get(x, e, "name") == NULL)
			conf_err(x, e, "missing required key 'name' in %s",
			    conf_ipath(x, path, i));
		if (ep->methods == 0)
			ep->methods = LA_M_CRUD;
	}
}

/* ---- top-level sections ------------------------------------------- */

static void
conf_db_url(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	const char *s;

	if (c->db_pos.line != 0) {
		conf_err(x, v, "the database URL is already set at %d:%d",
		    c->db_pos.line, c->db_pos.col);
		return;
	}
	if (conf_is_null(v))
		return;
	/* Set even on error: it also says the failure is reported. */
	c->db_pos = conf_pos(v);
	if ((s = conf_str(x, v, path)) != NULL)
		c->db_url = s;
}

static const struct conf_key conf_database_keys[] = {
    K_FN("url", conf_db_url),
};

static void
conf_database(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	conf_map(x, v, path, conf_database_keys, LA_NELEM(conf_database_keys),
	    obj);
}

static void
conf_au_path(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	const char *s;
	size_t n;

	if ((s = conf_str(x, v, path)) == NULL)
		return;
	n = strlen(s);
	if (n > 0 && (s[0] != '/' || !conf_route_ok(s))) {
		conf_err(x, v, "%s must be a path starting with '/'", path);
		return;
	}
	/* "/" puts the login routes at /login and /token. */
	if (n > 0 && s[n - 1] == '/')
		n--;
	c->auth.auth_path = la_arena_strndup(x->a, s, n);
}

static void
conf_au_secret(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;

	if (conf_is_null(v))
		return;
	x->secret = v;
	c->auth.jwt_secret = conf_str(x, v, path);
}

static void
conf_au_alg(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	const char *s;

	if ((s = conf_str(x, v, path)) == NULL ||
	    conf_algorithm(x, v, s, path) != 0)
		return;
	c->auth.jwt_algorithm = s;
}

static const struct conf_key conf_login_keys[] = {
    K("table", CONF_IDENT, struct la_conf_login, table, 0),
    K("username_field", CONF_IDENT, struct la_conf_login, username_field, 0),
    K("password_field", CONF_IDENT, struct la_conf_login, password_field, 0),
    K("claims", CONF_LIST, struct la_conf_login, claims, 0),
    K("file", CONF_STR, struct la_conf_login, file, 0),
};

static void
conf_au_login(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;
	struct la_conf_login *l = &c->auth.login;
	const char *s;
	int t, f;

	l->pos = conf_pos(v);
	if (v->type == YAML_SCALAR_NODE && (s = conf_str(x, v, path)) != NULL) {
		if (strchr(s, '.') != NULL)
			conf_err(x, v,
			    "'%s' in %s is a Python import path: lightapid "
			    "runs "
			    "no Python code; use {table: …, username_field: …, "
			    "password_field: …} or {file: PATH}",
			    s, path);
		else
			conf_err(x, v, "expected a mapping for %s", path);
		return;
	}
	if (conf_map(x, v, path, conf_login_keys, LA_NELEM(conf_login_keys),
	        l) == -1)
		return;
	c->auth.has_login = 1;
	t = conf_get(x, v, "table") != NULL;
	f = conf_get(x, v, "file") != NULL;
	if (t == f)
		conf_err(x, v, "%s needs exactly one of 'table' and 'file'",
		    path);
	if (f && (conf_get(x, v, "username_field") != NULL ||
	             conf_get(x, v, "password_field") != NULL ||
	             conf_get(x, v, "claims") != NULL))
		conf_err(x, v, "%s: a 'file' validator takes no column names",
		    path);
}

static const struct conf_key conf_auth_section_keys[] = {
    K_FN("auth_path", conf_au_path),
    K_FN("jwt_secret", conf_au_secret),
    K("jwt_expiration", CONF_INT, struct la_conf, auth.jwt_expiration, 1),
    K_FN("jwt_algorithm", conf_au_alg),
    K("jwt_leeway", CONF_INT, struct la_conf, auth.jwt_leeway, 0),
    K_FN("login_validator", conf_au_login),
};

static void
conf_auth(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf *c = obj;

	c->auth.pos = conf_pos(v);
	conf_map(x, v, path, conf_auth_section_keys,
	    LA_NELEM(conf_auth_section_keys), c);
}

static void
conf_d_authentication(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	conf_authcfg(x, v, &((struct la_conf *)obj)->default_auth, path);
}

static void
conf_d_pagination(struct conf_ctx *x, yaml_node_t *v, void *obj,
    const char *path)
{
	conf_pagination(x, v, &((struct la_conf *)obj)->default_pagination,
	    path);
}

static const struct conf_key conf_defaults_keys[] = {
    K_FN("authentication", conf_d_authentication),
    K_FN("pagination", conf_d_pagination),
};

static void
conf_defaults(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	conf_map(x, v, path, conf_defaults_keys, LA_NELEM(conf_defaults_keys),
	    obj);
}

static const struct conf_key conf_ratelimit_keys[] = {
    K("requests", CONF_INT, struct la_conf_ratelimit, requests, 1),
    K("per", CONF_INT, struct la_conf_ratelimit, per, 1),
};

/* One middleware item: a name, or { Name: options }. */
static const char *
conf_mw_item(struct conf_ctx *x, yaml_node_t *e, const char *path)
{
	yaml_node_t *k = e, *opts = NULL;
	const char *name;

	if (e->type == YAML_MAPPING_NODE) {
		if (e->data.mapping.pairs.top - e->data.mapping.pairs.start !=
		    1) {
			conf_err(x, e, "expected one middleware name in %s",
			    path);
			return (NULL);
		}
		k = conf_node(x, e->data.mapping.pairs.start->key);
		opts = conf_node(x, e->data.mapping.pairs.start->value);
	}
	if ((name = conf_str(x, k, path)) == NULL ||
	    (name = conf_class(x, k, name, path,
	         "the built-in middlewares are CORSMiddleware, "
	         "RateLimitMiddleware, RequestIdMiddleware and "
	         "GzipMiddleware")) == NULL)
		return (NULL);
	if (conf_find(conf_middlewares, LA_NELEM(conf_middlewares), name) ==
	    -1) {
		conf_err(x, k, "unknown middleware '%s' in %s (%s)", name, path,
		    conf_choices(x, conf_middlewares,
		        LA_NELEM(conf_middlewares)));
		return (NULL);
	}
	if (opts == NULL || conf_is_null(opts))
		return (name);
	if (strcmp(name, "RateLimitMiddleware") == 0)
		conf_map(x, opts, conf_path(x, path, name), conf_ratelimit_keys,
		    LA_NELEM(conf_ratelimit_keys), &x->c->ratelimit);
	else
		conf_err(x, opts, "middleware '%s' takes no options", name);
	return (name);
}

static void
conf_middleware(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_strlist *l = &((struct la_conf *)obj)->middleware;
	yaml_node_item_t *it;
	const char *name;
	size_t i = 0;

	if (conf_is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		conf_err(x, v, "expected a list for %s", path);
		return;
	}
	it = v->data.sequence.items.start;
	l->v = la_arena_calloc(x->a,
	    (size_t)(v->data.sequence.items.top - it) + 1, sizeof(*l->v));
	for (; it < v->data.sequence.items.top; it++, i++) {
		if (conf_visit(x, conf_node(x, *it)) == -1 ||
		    (name = conf_mw_item(x, conf_node(x, *it),
		         conf_ipath(x, path, i))) == NULL)
			continue;
		if (conf_find(l->v, l->n, name) != -1)
			conf_err(x, conf_node(x, *it),
			    "middleware '%s' is listed twice", name);
		else
			l->v[l->n++] = name;
	}
}

/* "ADDR:PORT", "[V6]:PORT" or a bare port; NULL if none of those. */
static const char *
conf_listen_addr(struct conf_ctx *x, const char *s)
{
	const char *colon = strrchr(s, ':'), *port = colon ? colon + 1 : s;
	int64_t p;

	if (la_str_to_i64(port, strlen(port), &p) == -1 || p < 1 || p > 65535 ||
	    port[0] == '+' || port[0] == '-')
		return (NULL);
	if (colon == NULL)
		return (la_arena_printf(x->a, "0.0.0.0:%s", s));
	if (colon == s || (s[0] == '[' && colon[-1] != ']') ||
	    (s[0] != '[' && memchr(s, ':', (size_t)(colon - s)) != NULL))
		return (NULL);
	return (s);
}

static int
conf_listen_add(struct conf_ctx *x, yaml_node_t *n, const char *s, void *arg)
{
	struct la_strlist *l = arg;
	const char *a;

	if ((a = conf_listen_addr(x, s)) == NULL) {
		conf_err(x, n, "bad listen address '%s' (expected ADDR:PORT)",
		    s);
		return (-1);
	}
	l->v[l->n++] = a;
	return (0);
}

static void
conf_s_listen(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_strlist *l = &((struct la_conf_server *)obj)->listen, in;

	in.n = 0;
	in.v = la_arena_calloc(x->a, conf_nitems(v) + 1, sizeof(*in.v));
	if (conf_items(x, v, path, conf_listen_add, &in) == -1)
		return;
	if (conf_nitems(v) == 0)
		conf_err(x, v, "%s is empty", path);
	else if (in.n == conf_nitems(v))
		*l = in;
}

static void
conf_s_workers(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	struct la_conf_server *s = obj;

	if (v->type == YAML_SCALAR_NODE &&
	    strcmp((const char *)v->data.scalar.value, "auto") == 0) {
		s->workers = 0;
		return;
	}
	conf_int(x, v, path, 1, &s->workers);
}

static const struct conf_key conf_server_keys[] = {
    K_FN("listen", conf_s_listen),
    K_FN("workers", conf_s_workers),
    K("user", CONF_STR, struct la_conf_server, user, 0),
    K("group", CONF_STR, struct la_conf_server, group, 0),
    K("pid_file", CONF_STR, struct la_conf_server, pid_file, 0),
    K("error_log", CONF_STR, struct la_conf_server, error_log, 0),
    K("access_log", CONF_STR, struct la_conf_server, access_log, 0),
    K("max_body_size", CONF_SIZE, struct la_conf_server, max_body_size, 0),
    K("max_header_size", CONF_SIZE, struct la_conf_server, max_header_size, 0),
    K("header_timeout", CONF_INT, struct la_conf_server, header_timeout, 1),
    K("body_timeout", CONF_INT, struct la_conf_server, body_timeout, 1),
    K("keepalive_timeout", CONF_INT, struct la_conf_server, keepalive_timeout,
        0),
    K("keepalive_requests", CONF_INT, struct la_conf_server, keepalive_requests,
        1),
    K("shutdown_timeout", CONF_INT, struct la_conf_server, shutdown_timeout, 0),
    K("max_connections", CONF_INT, struct la_conf_server, max_connections, 1),
    K("trust_proxy", CONF_BOOL, struct la_conf_server, trust_proxy, 0),
};

static void
conf_server(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	conf_map(x, v, path, conf_server_keys, LA_NELEM(conf_server_keys),
	    &((struct la_conf *)obj)->server);
}

static const struct conf_key conf_cache_keys[] = {
    K("shm_size", CONF_SIZE, struct la_conf, cache.shm_size, 0),
    K("redis_url", CONF_STR, struct la_conf, cache.redis_url, 0),
};

static void
conf_cache(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	conf_map(x, v, path, conf_cache_keys, LA_NELEM(conf_cache_keys), obj);
}

/* LightAPI picks sync or async Python code; a worker here serves one
 * request at a time either way, so the key is checked and ignored. */
static void
conf_mode(struct conf_ctx *x, yaml_node_t *v, void *obj, const char *path)
{
	const char *s;

	(void)obj;
	if (conf_is_null(v) || (s = conf_str(x, v, path)) == NULL)
		return;
	if (strcmp(s, "sync") != 0 && strcmp(s, "async") != 0)
		conf_err(x, v, "mode must be 'sync' or 'async', got '%s'", s);
}

static const struct conf_key conf_top_keys[] = {
    K_FN("database", conf_database),
    K_FN("database_url", conf_db_url),
    K("cors_origins", CONF_LIST, struct la_conf, cors_origins, 0),
    K("swagger_title", CONF_STR, struct la_conf, swagger_title, 0),
    K("enable_swagger", CONF_BOOL, struct la_conf, enable_swagger, 0),
    K_FN("auth", conf_auth),
    K_FN("defaults", conf_defaults),
    K_FN("middleware", conf_middleware),
    K_FN("server", conf_server),
    K_FN("cache", conf_cache),
    K_FN("endpoints", conf_endpoints),
    K_FN("tables", conf_tables),
    K_FN("mode", conf_mode),
};

/* ---- checks across sections --------------------------------------- */

static void
conf_init(struct la_conf *c, const char *name, struct la_arena *a)
{
	memset(c, 0, sizeof(*c));
	c->path = name;
	c->swagger_title = "LightAPI";
	c->enable_swagger = 1;
	c->ratelimit.requests = 100;
	c->ratelimit.per = 60;
	c->auth.auth_path = "/auth";
	c->auth.jwt_expiration = 3600;
	c->auth.jwt_algorithm = "HS256";
	c->auth.login.username_field = "username";
	c->auth.login.password_field = "password";
	c->server.listen.v = la_arena_calloc(a, 2, sizeof(*c->server.listen.v));
	c->server.listen.v[0] = "0.0.0.0:8000";
	c->server.listen.n = 1;
	c->server.max_body_size = 1024 * 1024;
	c->server.max_header_size = 8 * 1024;
	c->server.header_timeout = 10;
	c->server.body_timeout = 30;
	c->server.keepalive_timeout = 75;
	c->server.keepalive_requests = 1000;
	c->server.shutdown_timeout = 30;
	c->server.max_connections = 1024;
	c->cache.shm_size = 64 * 1024 * 1024;
}

/* The environment stands in for settings the file leaves out. */
static void
conf_env_fallbacks(struct conf_ctx *x)
{
	struct la_conf *c = x->c;
	const char *v;

	if (x->getenv_fn == NULL)
		return;
	if (c->db_url == NULL &&
	    (v = x->getenv_fn("LIGHTAPI_DATABASE_URL")) != NULL && *v != '\0')
		c->db_url = la_arena_strdup(x->a, v);
	if (c->auth.jwt_secret == NULL &&
	    (v = x->getenv_fn("LIGHTAPI_JWT_SECRET")) != NULL)
		c->auth.jwt_secret = la_arena_strdup(x->a, v);
	if (c->cache.redis_url == NULL &&
	    (v = x->getenv_fn("LIGHTAPI_REDIS_URL")) != NULL)
		c->cache.redis_url = la_arena_strdup(x->a, v);
}

static void
conf_check_db(struct conf_ctx *x)
{
	struct la_conf *c = x->c;
	struct la_pos p = conf_pos_or_top(c->db_pos);
	char err[256];

	if (c->db_url == NULL && c->db_pos.line == 0) {
		conf_errat(x, 1, 1,
		    "no database configured: set database.url or "
		    "LIGHTAPI_DATABASE_URL");
		return;
	}
	if (c->db_url != NULL &&
	    la_dburl_parse(c->db_url, &c->db, x->a, err, sizeof(err)) == -1)
		conf_errat(x, p.line, p.col, "bad database URL: %s", err);
}

static int
conf_uses(const struct la_conf_auth *au, const char *backend)
{
	return (au->backend != NULL && strcmp(au->backend, backend) == 0);
}

/* A backend named anywhere needs its secret or its validator. */
static void
conf_check_backend(struct conf_ctx *x, const struct la_conf_auth *au)
{
	struct la_conf *c = x->c;
	struct la_pos p = conf_pos_or_top(au->pos);

	/* A secret that failed to expand has been reported already. */
	if (conf_uses(au, "JWTAuthentication") &&
	    (x->secret == NULL || c->auth.jwt_secret != NULL) &&
	    (c->auth.jwt_secret == NULL || c->auth.jwt_secret[0] == '\0'))
		conf_errat(x, p.line, p.col,
		    "JWTAuthentication needs auth.jwt_secret or "
		    "LIGHTAPI_JWT_SECRET");
	if (conf_uses(au, "BasicAuthentication") && !c->auth.has_login)
		conf_errat(x, p.line, p.col,
		    "BasicAuthentication needs auth.login_validator");
}

static void
conf_check_auth(struct conf_ctx *x)
{
	struct la_conf *c = x->c;
	size_t i;

	conf_check_backend(x, &c->default_auth);
	for (i = 0; i < c->nendpoints && x->nerrs < CONF_MAX_ERRORS; i++) {
		conf_check_backend(x, &c->endpoints[i].auth);
		conf_check_backend(x, &c->endpoints[i].verb_auth);
	}
}

static int
conf_route_cmp(const void *a, const void *b)
{
	const struct la_conf_endpoint *const *e = a, *const *f = b;
	int r = strcmp((*e)->route, (*f)->route);

	if (r != 0)
		return (r);
	return (*e < *f ? -1 : *e > *f);
}

/* Sorted, so that a file with many endpoints is not checked in n^2. */
static void
conf_check_routes(struct conf_ctx *x)
{
	struct la_conf_endpoint **v, *e = x->c->endpoints;
	const struct la_conf_endpoint **first;
	size_t i, n = 0;

	v = la_arena_calloc(x->a, x->c->nendpoints + 1, sizeof(*v));
	first = la_arena_calloc(x->a, x->c->nendpoints + 1, sizeof(*first));
	for (i = 0; i < x->c->nendpoints; i++)
		if (e[i].route != NULL)
			v[n++] = &e[i];
	qsort(v, n, sizeof(*v), conf_route_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(v[i]->route, v[i - 1]->route) == 0)
			first[v[i] - e] = first[v[i - 1] - e] != NULL
			                      ? first[v[i - 1] - e]
			                      : v[i - 1];
	for (i = 0; i < x->c->nendpoints; i++)
		if (first[i] != NULL)
			conf_errat(x, e[i].route_pos.line, e[i].route_pos.col,
			    "duplicate route '%s' (first at %d:%d)", e[i].route,
			    first[i]->route_pos.line, first[i]->route_pos.col);
}

/* ---- loading ------------------------------------------------------- */

/* Reader errors (bad UTF-8) carry a byte offset instead of a mark. */
static void
conf_offset_pos(const struct conf_ctx *x, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < x->len; i++) {
		if (x->data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

static void
conf_yaml_error(struct conf_ctx *x, const yaml_parser_t *p)
{
	int line = (int)p->problem_mark.line + 1;
	int col = (int)p->problem_mark.column + 1;
	const char *problem = p->problem ? p->problem : "YAML error";

	if (p->error == YAML_MEMORY_ERROR)
		problem = "out of memory";
	if (p->error == YAML_READER_ERROR)
		conf_offset_pos(x, p->problem_offset, &line, &col);
	if (p->context != NULL)
		conf_errat(x, line, col, "%s (%s at %d:%d)", problem,
		    p->context, (int)p->context_mark.line + 1,
		    (int)p->context_mark.column + 1);
	else
		conf_errat(x, line, col, "%s", problem);
}

/* One document per file: a second one is more likely a mistake. */
static void
conf_check_single(struct conf_ctx *x, yaml_parser_t *p)
{
	yaml_document_t next;
	yaml_node_t *root;

	if (!yaml_parser_load(p, &next)) {
		conf_yaml_error(x, p);
		return;
	}
	if ((root = yaml_document_get_root_node(&next)) != NULL)
		conf_err(x, root, "only one YAML document is allowed");
	yaml_document_delete(&next);
}

static void
conf_walk(struct conf_ctx *x, yaml_node_t *root)
{
	if (root != NULL && !conf_is_null(root)) {
		/* Nothing else is worth saying about such a file. */
		if (root->type != YAML_MAPPING_NODE) {
			conf_err(x, root,
			    "expected a mapping at the top level");
			return;
		}
		conf_map(x, root, "", conf_top_keys, LA_NELEM(conf_top_keys),
		    x->c);
	}
	conf_env_fallbacks(x);
	conf_check_db(x);
	conf_check_auth(x);
	conf_check_routes(x);
}

struct la_conf *
la_conf_load_mem(const char *name, const char *data, size_t len,
    struct la_arena *arena, struct la_buf *errs,
    const char *(*getenv_fn)(const char *))
{
	struct conf_ctx x;
	yaml_parser_t parser;
	yaml_document_t doc;

	if (data == NULL)
		data = "";
	memset(&x, 0, sizeof(x));
	x.name = la_arena_strdup(arena, name);
	x.data = data;
	x.len = len;
	x.doc = &doc;
	x.a = arena;
	x.errs = errs;
	x.getenv_fn = getenv_fn;
	x.c = la_arena_alloc(arena, sizeof(*x.c));
	conf_init(x.c, x.name, arena);
	if (!yaml_parser_initialize(&parser)) {
		conf_errat(&x, 1, 1, "out of memory");
		return (NULL);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc))
		conf_yaml_error(&x, &parser);
	else {
		conf_check_single(&x, &parser);
		if (x.nerrs == 0)
			conf_walk(&x, yaml_document_get_root_node(&doc));
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return (x.nerrs == 0 ? x.c : NULL);
}

/* Reads the whole of path into b; -1 with errno set. */
static int
conf_read(const char *path, struct la_buf *b)
{
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	do {
		n = fread(la_buf_reserve(b, 65536), 1, 65536, fp);
		b->len += n;
		b->data[b->len] = '\0';
	} while (n > 0 && b->len <= CONF_MAX_FILE);
	if (ferror(fp) || b->len > CONF_MAX_FILE) {
		if (!ferror(fp))
			errno = EFBIG;
		fclose(fp);
		return (-1);
	}
	fclose(fp);
	return (0);
}

struct la_conf *
la_conf_load(const char *path, struct la_arena *arena, struct la_buf *errs,
    const char *(*getenv_fn)(const char *))
{
	struct la_conf *c;
	struct la_buf b;

	la_buf_init(&b);
	if (conf_read(path, &b) == -1) {
		la_buf_printf(errs, "%s: cannot open: %s\n", path,
		    strerror(errno));
		la_buf_free(&b);
		return (NULL);
	}
	c = la_conf_load_mem(path, b.data ? b.data : "", b.len, arena, errs,
	    getenv_fn);
	la_buf_free(&b);
	return (c);
}

/* ---- the effective configuration, for -T --------------------------- */

static void
conf_dump_list(struct la_buf *b, const struct la_strlist *l)
{
	size_t i;

	la_buf_putc(b, '[');
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			la_buf_puts(b, ", ");
		conf_quote(b, l->v[i]);
	}
	la_buf_putc(b, ']');
}

/*
 * -T output ends up in terminals and bug reports: the password of a URL
 * is replaced, like the JWT secret.
 */
static void
conf_dump_url(struct la_buf *b, const char *url)
{
	const char *auth = strstr(url, "://"), *at, *colon;
	struct la_buf t;

	if (auth == NULL || (at = strchr(auth + 3, '@')) == NULL ||
	    (colon = memchr(auth + 3, ':', (size_t)(at - auth - 3))) == NULL) {
		conf_quote(b, url);
		return;
	}
	la_buf_init(&t);
	la_buf_append(&t, url, (size_t)(colon - url + 1));
	la_buf_puts(&t, "********");
	la_buf_puts(&t, at);
	conf_quote(b, t.data);
	la_buf_free(&t);
}

static void
conf_dump_top(const struct la_conf *c, struct la_buf *b)
{
	size_t i;

	la_buf_puts(b, "database:\n  url: ");
	conf_dump_url(b, c->db_url ? c->db_url : "");
	la_buf_puts(b, "\nswagger_title: ");
	conf_quote(b, c->swagger_title);
	la_buf_printf(b, "\nenable_swagger: %s\ncors_origins: ",
	    c->enable_swagger ? "true" : "false");
	conf_dump_list(b, &c->cors_origins);
	la_buf_puts(b, "\nmiddleware:");
	if (c->middleware.n == 0)
		la_buf_puts(b, " []");
	for (i = 0; i < c->middleware.n; i++) {
		if (strcmp(c->middleware.v[i], "RateLimitMiddleware") == 0)
			la_buf_printf(b,
			    "\n  - RateLimitMiddleware: "
			    "{requests: %d, per: %d}",
			    c->ratelimit.requests, c->ratelimit.per);
		else
			la_buf_printf(b, "\n  - %s", c->middleware.v[i]);
	}
	la_buf_putc(b, '\n');
}

static void
conf_dump_login(const struct la_conf_login *l, struct la_buf *b)
{
	la_buf_puts(b, "  login_validator: {");
	if (l->file != NULL) {
		la_buf_puts(b, "file: ");
		conf_quote(b, l->file);
	} else {
		la_buf_printf(b,
		    "table: %s, username_field: %s, password_field: %s, "
		    "claims: ",
		    l->table, l->username_field, l->password_field);
		conf_dump_list(b, &l->claims);
	}
	la_buf_puts(b, "}\n");
}

static void
conf_dump_auth(const struct la_conf *c, struct la_buf *b)
{
	la_buf_puts(b, "auth:\n  auth_path: ");
	conf_quote(b, c->auth.auth_path);
	if (c->auth.jwt_secret != NULL)
		la_buf_puts(b, "\n  jwt_secret: \"********\"");
	la_buf_printf(b,
	    "\n  jwt_expiration: %d\n  jwt_algorithm: %s\n"
	    "  jwt_leeway: %d\n",
	    c->auth.jwt_expiration, c->auth.jwt_algorithm, c->auth.jwt_leeway);
	if (c->auth.has_login)
		conf_dump_login(&c->auth.login, b);
}

/* A permission set for all five verbs alike is written as one name. */
static void
conf_dump_perm(const struct la_conf_auth *au, struct la_buf *b)
{
	int i, same = 1, first = 1;

	for (i = 1; i < LA_NVERBS; i++)
		if (au->permission[i] == NULL || au->permission[0] == NULL ||
		    strcmp(au->permission[i], au->permission[0]) != 0)
			same = 0;
	if (same) {
		la_buf_printf(b, "permission: %s", au->permission[0]);
		return;
	}
	la_buf_puts(b, "permission: {");
	for (i = 0; i < LA_NVERBS; i++) {
		if (au->permission[i] == NULL)
			continue;
		la_buf_printf(b, "%s%s: %s", first ? "" : ", ",
		    la_verb_name(1u << i), au->permission[i]);
		first = 0;
	}
	la_buf_putc(b, '}');
}

static void
conf_dump_authcfg(const struct la_conf_auth *au, struct la_buf *b)
{
	const char *sep = "";
	int i, perm = 0;

	for (i = 0; i < LA_NVERBS; i++)
		perm |= au->permission[i] != NULL;
	la_buf_putc(b, '{');
	if (au->backend != NULL) {
		la_buf_printf(b, "backend: %s", au->backend);
		sep = ", ";
	}
	if (perm) {
		la_buf_puts(b, sep);
		conf_dump_perm(au, b);
		sep = ", ";
	}
	if (au->jwt_expiration > 0) {
		la_buf_printf(b, "%sjwt_expiration: %d", sep,
		    au->jwt_expiration);
		sep = ", ";
	}
	if (au->jwt_algorithm != NULL) {
		la_buf_printf(b, "%sjwt_algorithm: %s", sep, au->jwt_algorithm);
		sep = ", ";
	}
	if (au->has_extra_claims) {
		la_buf_printf(b, "%sjwt_extra_claims: ", sep);
		conf_dump_list(b, &au->jwt_extra_claims);
	}
	la_buf_putc(b, '}');
}

static int
conf_auth_set(const struct la_conf_auth *au)
{
	int i;

	for (i = 0; i < LA_NVERBS; i++)
		if (au->permission[i] != NULL)
			return (1);
	return (au->backend != NULL || au->jwt_expiration > 0 ||
	        au->jwt_algorithm != NULL || au->has_extra_claims);
}

static void
conf_dump_page(const struct la_conf_pagination *pg, struct la_buf *b)
{
	if (pg->style == LA_PAGE_NONE) {
		la_buf_printf(b, "{max_page_size: %d}", pg->max_page_size);
		return;
	}
	la_buf_printf(b, "{style: %s, page_size: %d, max_page_size: %d}",
	    pg->style == LA_PAGE_CURSOR ? "cursor" : "page_number",
	    pg->page_size, pg->max_page_size);
}

static void
conf_dump_defaults(const struct la_conf *c, struct la_buf *b)
{
	if (!conf_auth_set(&c->default_auth) && !c->default_pagination.set)
		return;
	la_buf_puts(b, "defaults:\n");
	if (conf_auth_set(&c->default_auth)) {
		la_buf_puts(b, "  authentication: ");
		conf_dump_authcfg(&c->default_auth, b);
		la_buf_putc(b, '\n');
	}
	if (c->default_pagination.set) {
		la_buf_puts(b, "  pagination: ");
		conf_dump_page(&c->default_pagination, b);
		la_buf_putc(b, '\n');
	}
}

static void
conf_dump_opt(struct la_buf *b, const char *key, const char *v)
{
	if (v == NULL)
		return;
	la_buf_printf(b, "  %s: ", key);
	conf_quote(b, v);
	la_buf_putc(b, '\n');
}

static void
conf_dump_server(const struct la_conf_server *s, struct la_buf *b)
{
	la_buf_puts(b, "server:\n  listen: ");
	conf_dump_list(b, &s->listen);
	if (s->workers == 0)
		la_buf_puts(b, "\n  workers: auto\n");
	else
		la_buf_printf(b, "\n  workers: %d\n", s->workers);
	conf_dump_opt(b, "user", s->user);
	conf_dump_opt(b, "group", s->group);
	conf_dump_opt(b, "pid_file", s->pid_file);
	conf_dump_opt(b, "error_log", s->error_log);
	conf_dump_opt(b, "access_log", s->access_log);
	la_buf_printf(b,
	    "  max_body_size: %zu\n  max_header_size: %zu\n"
	    "  header_timeout: %d\n  body_timeout: %d\n"
	    "  keepalive_timeout: %d\n  keepalive_requests: %d\n"
	    "  shutdown_timeout: %d\n  max_connections: %d\n"
	    "  trust_proxy: %s\n",
	    s->max_body_size, s->max_header_size, s->header_timeout,
	    s->body_timeout, s->keepalive_timeout, s->keepalive_requests,
	    s->shutdown_timeout, s->max_connections,
	    s->trust_proxy ? "true" : "false");
}

static void
conf_dump_cache(const struct la_conf *c, struct la_buf *b)
{
	la_buf_printf(b, "cache:\n  shm_size: %zu\n", c->cache.shm_size);
	if (c->cache.redis_url != NULL) {
		la_buf_puts(b, "  redis_url: ");
		conf_dump_url(b, c->cache.redis_url);
		la_buf_putc(b, '\n');
	}
}

static void
conf_dump_bound(struct la_buf *b, const struct la_col_def *d, uint32_t f,
    const char *name, double v)
{
	if ((d->flags & f) == 0)
		return;
	la_buf_printf(b, ", %s: ", name);
	conf_put_double(b, v);
}

static void
conf_dump_flags(struct la_buf *b, const struct la_col_def *d)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} flags[] = {{LA_COL_NULLABLE, "optional"}, {LA_COL_UNIQUE, "unique"},
	    {LA_COL_INDEX, "index"}, {LA_COL_EXCLUDE, "exclude"}};
	size_t i;

	for (i = 0; i < LA_NELEM(flags); i++)
		if (d->flags & flags[i].flag)
			la_buf_printf(b, ", %s: true", flags[i].name);
}

static void
conf_dump_field(struct la_buf *b, const struct la_col_def *d)
{
	la_buf_printf(b, "      %s: {type: %s", d->name, la_type_name(d->type));
	conf_dump_flags(b, d);
	if (d->flags & LA_COL_DEFAULT)
		la_buf_printf(b, ", default: %s", d->dflt);
	if (d->min_length >= 0)
		la_buf_printf(b, ", min_length: %lld",
		    (long long)d->min_length);
	if (d->max_length >= 0)
		la_buf_printf(b, ", max_length: %lld",
		    (long long)d->max_length);
	conf_dump_bound(b, d, LA_COL_GT, "gt", d->gt);
	conf_dump_bound(b, d, LA_COL_GE, "ge", d->ge);
	conf_dump_bound(b, d, LA_COL_LT, "lt", d->lt);
	conf_dump_bound(b, d, LA_COL_LE, "le", d->le);
	if (d->decimal_places >= 0)
		la_buf_printf(b, ", decimal_places: %d",
		    (int)d->decimal_places);
	if (d->max_digits >= 0)
		la_buf_printf(b, ", max_digits: %d", (int)d->max_digits);
	if (d->pattern != NULL) {
		la_buf_puts(b, ", pattern: ");
		conf_quote(b, d->pattern);
	}
	if (d->fk_table != NULL)
		la_buf_printf(b, ", foreign_key: %s.%s", d->fk_table,
		    d->fk_col);
	if (d->description != NULL) {
		la_buf_puts(b, ", description: ");
		conf_quote(b, d->description);
	}
	la_buf_puts(b, "}\n");
}

static void
conf_dump_methods(const struct la_conf_endpoint *e, struct la_buf *b)
{
	const char *p;
	int i, first = 1;

	la_buf_puts(b,
	    e->methods_map ? "      methods: {" : "      methods: [");
	for (i = 0; i < LA_NVERBS; i++) {
		if ((e->methods & (1u << i)) == 0)
			continue;
		la_buf_printf(b, "%s%s", first ? "" : ", ",
		    la_verb_name(1u << i));
		first = 0;
		if (!e->methods_map)
			continue;
		if ((p = e->verb_auth.permission[i]) == NULL)
			la_buf_puts(b, ": null");
		else if (e->verb_auth.backend != NULL)
			la_buf_printf(b,
			    ": {authentication: {backend: %s, permission: %s}}",
			    e->verb_auth.backend, p);
		else
			la_buf_printf(b, ": {authentication: {permission: %s}}",
			    p);
	}
	la_buf_puts(b, e->methods_map ? "}\n" : "]\n");
}

static void
conf_dump_named(struct la_buf *b, const char *indent, const char *name,
    const struct la_strlist *l)
{
	if (l->n == 0)
		return;
	la_buf_printf(b, "%s%s: ", indent, name);
	conf_dump_list(b, l);
	la_buf_putc(b, '\n');
}

static void
conf_dump_meta(const struct la_conf_endpoint *e, struct la_buf *b)
{
	size_t i;
	int first = 0;

	la_buf_printf(b, "    meta:\n      table: %s\n", e->table);
	conf_dump_methods(e, b);
	if (conf_auth_set(&e->auth)) {
		la_buf_puts(b, "      authentication: ");
		conf_dump_authcfg(&e->auth, b);
		la_buf_putc(b, '\n');
	}
	if (e->filter.n + e->search.n + e->ordering.n > 0) {
		la_buf_puts(b, "      filtering:\n        backends: [");
		for (i = 0; i < LA_NELEM(conf_filter_backends); i++)
			if (e->filter_backends & (1u << i))
				la_buf_printf(b, "%s%s", first++ ? ", " : "",
				    conf_filter_backends[i]);
		la_buf_puts(b, "]\n");
		conf_dump_named(b, "        ", "fields", &e->filter);
		conf_dump_named(b, "        ", "search", &e->search);
		conf_dump_named(b, "        ", "ordering", &e->ordering);
	}
	if (e->pagination.set) {
		la_buf_puts(b, "      pagination: ");
		conf_dump_page(&e->pagination, b);
		la_buf_putc(b, '\n');
	}
	if (e->cache_ttl > 0)
		la_buf_printf(b, "      cache: {ttl: %d}\n", e->cache_ttl);
	if (e->ser_fields.n + e->ser_read.n + e->ser_write.n > 0) {
		la_buf_puts(b, "      serializer:\n");
		conf_dump_named(b, "        ", "fields", &e->ser_fields);
		conf_dump_named(b, "        ", "read", &e->ser_read);
		conf_dump_named(b, "        ", "write", &e->ser_write);
	}
}

static void
conf_dump_endpoint(const struct la_conf_endpoint *e, struct la_buf *b)
{
	static const char *const reflect[] = {"false", "true", "partial"};
	size_t i;

	la_buf_puts(b, "  - route: ");
	conf_quote(b, e->route);
	la_buf_printf(b, "\n    reflect: %s\n", reflect[e->reflect]);
	if (e->nfields > 0)
		la_buf_puts(b, "    fields:\n");
	for (i = 0; i < e->nfields; i++)
		conf_dump_field(b, &e->fields[i]);
	conf_dump_meta(e, b);
}

/* A newline in a file name would end the comment and start YAML. */
static void
conf_dump_comment(struct la_buf *b, const char *path)
{
	la_buf_puts(b, "# effective configuration of ");
	for (; *path != '\0'; path++)
		la_buf_putc(b,
		    (unsigned char)*path < 0x20 || (unsigned char)*path >= 0x7f
		        ? '?'
		        : *path);
	la_buf_putc(b, '\n');
}

void
la_conf_dump(const struct la_conf *c, struct la_buf *out)
{
	size_t i;

	conf_dump_comment(out, c->path ? c->path : "(none)");
	conf_dump_top(c, out);
	conf_dump_auth(c, out);
	conf_dump_defaults(c, out);
	conf_dump_server(&c->server, out);
	conf_dump_cache(c, out);
	la_buf_puts(out, c->nendpoints ? "endpoints:\n" : "endpoints: []\n");
	for (i = 0; i < c->nendpoints; i++)
		conf_dump_endpoint(&c->endpoints[i], out);
}
