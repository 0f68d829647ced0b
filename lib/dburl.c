/*
 * Database URLs in SQLAlchemy's syntax, so that a LightAPI configuration
 * works unchanged: dialect[+driver]://user:password@host:port/dbname?k=v.
 * The driver part (psycopg2, pymysql, ...) names a Python module and is
 * ignored. Messages never quote the URL, which may hold a password.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "dburl.h"
#include "la.h"
#include "str.h"

static const struct {
	const char *name;
	enum la_dbkind kind;
} dburl_dialects[] = {
    {"sqlite", LA_DB_SQLITE},
    {"postgresql", LA_DB_PGSQL},
    {"postgres", LA_DB_PGSQL},
    {"mysql", LA_DB_MYSQL},
    {"mariadb", LA_DB_MYSQL},
};

struct dburl_ctx {
	struct la_arena *a;
	struct la_dburl *out;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
dburl_fail(struct dburl_ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * Percent-decodes p[0..len) into the arena; plus turns '+' into a space,
 * as in a query string. NULL after an error: a NUL byte would silently cut
 * a C string short, so %00 is one.
 */
static const char *
dburl_decode(struct dburl_ctx *x, const char *p, size_t len, int plus)
{
	char *out = la_arena_alloc(x->a, len + 1), *o = out;
	size_t i;
	int h, l;

	for (i = 0; i < len; i++) {
		if (plus && p[i] == '+') {
			*o++ = ' ';
			continue;
		}
		if (p[i] != '%') {
			*o++ = p[i];
			continue;
		}
		if (i + 2 >= len || (h = la_str_hexval(p[i + 1])) < 0 ||
		    (l = la_str_hexval(p[i + 2])) < 0 || (h | l) == 0) {
			dburl_fail(x, "bad percent-encoding in database URL");
			return (NULL);
		}
		*o++ = (char)(h * 16 + l);
		i += 2;
	}
	*o = '\0';
	return (out);
}

/* The decoded p[0..len), or NULL (not an error) when it is empty. */
static int
dburl_part(struct dburl_ctx *x, const char *p, size_t len, const char **out)
{
	*out = NULL;
	if (len == 0)
		return (0);
	if ((*out = dburl_decode(x, p, len, 0)) == NULL)
		return (-1);
	return (0);
}

/* "dialect[+driver]://"; *rest is what follows the "//". */
static int
dburl_scheme(struct dburl_ctx *x, const char *url, const char **rest)
{
	const char *sep = strstr(url, "://"), *plus;
	size_t n, i;

	if (sep == NULL)
		return (dburl_fail(x,
		    "database URL does not start with 'scheme://' (expected "
		    "e.g. "
		    "sqlite:///file.db or postgresql://host/db)"));
	plus = memchr(url, '+', (size_t)(sep - url));
	n = (size_t)((plus != NULL ? plus : sep) - url);
	for (i = 0; i < LA_NELEM(dburl_dialects); i++)
		if (strlen(dburl_dialects[i].name) == n &&
		    strncmp(dburl_dialects[i].name, url, n) == 0)
			break;
	if (i == LA_NELEM(dburl_dialects) || (plus != NULL && plus + 1 == sep))
		return (dburl_fail(x,
		    "unknown database URL scheme '%.*s' "
		    "(use sqlite, postgresql or mysql)",
		    (int)((sep - url) > 32 ? 32 : sep - url), url));
	x->out->kind = dburl_dialects[i].kind;
	*rest = sep + 3;
	return (0);
}

static int
dburl_opt(struct dburl_ctx *x, const char *p, size_t len)
{
	const char *eq = memchr(p, '=', len);
	struct la_dburl_opt *o = &x->out->opts[x->out->nopts];
	size_t klen = eq != NULL ? (size_t)(eq - p) : len;

	if (klen == 0)
		return (dburl_fail(x, "empty option name in database URL"));
	if ((o->key = dburl_decode(x, p, klen, 1)) == NULL)
		return (-1);
	if (eq == NULL)
		o->value = "";
	else if ((o->value = dburl_decode(x, eq + 1, len - klen - 1, 1)) ==
	         NULL)
		return (-1);
	x->out->nopts++;
	return (0);
}

/* "k=v&k2=v2": options for the driver, in order. */
static int
dburl_query(struct dburl_ctx *x, const char *q)
{
	const char *p, *amp;
	size_t n = 1;

	for (p = q; *p != '\0'; p++)
		n += *p == '&';
	x->out->opts = la_arena_calloc(x->a, n, sizeof(*x->out->opts));
	for (p = q; *p != '\0'; p = amp + (*amp != '\0')) {
		if ((amp = strchr(p, '&')) == NULL)
			amp = p + strlen(p);
		if (amp > p && dburl_opt(x, p, (size_t)(amp - p)) == -1)
			return (-1);
	}
	return (0);
}

/*
 * sqlite:///rel.db, sqlite:////abs.db, sqlite:///:memory:; nothing (or an
 * empty path) is an in-memory database, as in SQLAlchemy.
 */
static int
dburl_sqlite(struct dburl_ctx *x, const char *p, size_t len)
{
	if (len > 0 && p[0] != '/')
		return (dburl_fail(x,
		    "a sqlite URL has no host: use sqlite:///relative.db or "
		    "sqlite:////absolute/path.db"));
	if (len <= 1) {
		x->out->path = ":memory:";
		return (0);
	}
	if ((x->out->path = dburl_decode(x, p + 1, len - 1, 0)) == NULL)
		return (-1);
	return (0);
}

/*
 * The user information ends at the first '@', as in SQLAlchemy, so a
 * password may hold ':' or '/' but must percent-encode '@'. Returns the
 * length consumed, or -1.
 */
static long
dburl_userinfo(struct dburl_ctx *x, const char *p)
{
	const char *at = strchr(p, '@'), *colon;
	size_t ulen;

	if (at == NULL)
		return (0);
	colon = memchr(p, ':', (size_t)(at - p));
	ulen = (size_t)((colon != NULL ? colon : at) - p);
	if (memchr(p, '/', ulen) != NULL || memchr(p, '?', ulen) != NULL)
		return (0);
	if (dburl_part(x, p, ulen, &x->out->user) == -1)
		return (-1);
	if (colon != NULL && (x->out->password = dburl_decode(x, colon + 1,
	                          (size_t)(at - colon - 1), 0)) == NULL)
		return (-1);
	return ((long)(at - p + 1));
}

static int
dburl_port(struct dburl_ctx *x, const char *p, size_t len)
{
	int64_t v;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			break;
	if (len == 0 || i < len || la_str_to_i64(p, len, &v) == -1 || v < 1 ||
	    v > 65535)
		return (dburl_fail(x, "bad port '%.*s' in database URL",
		    (int)(len > 16 ? 16 : len), p));
	x->out->port = (int)v;
	return (0);
}

/* "host", "host:port", "[v6]:port", or nothing (a Unix socket). */
static int
dburl_hostport(struct dburl_ctx *x, const char *p, size_t len)
{
	const char *end = p + len, *hend, *colon;

	if (len > 0 && p[0] == '[') {
		if ((hend = memchr(p, ']', len)) == NULL)
			return (dburl_fail(x, "unterminated '[' in database "
			                      "URL host"));
		if (dburl_part(x, p + 1, (size_t)(hend - p - 1),
		        &x->out->host) == -1)
			return (-1);
		colon = hend + 1 < end ? hend + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return (dburl_fail(x, "junk after ']' in database "
			                      "URL host"));
	} else {
		colon = memchr(p, ':', len);
		hend = colon != NULL ? colon : end;
		if (dburl_part(x, p, (size_t)(hend - p), &x->out->host) == -1)
			return (-1);
	}
	if (colon == NULL)
		return (0);
	return (dburl_port(x, colon + 1, (size_t)(end - colon - 1)));
}

/* host:port/dbname, after the user information; every part optional. */
static int
dburl_net(struct dburl_ctx *x, const char *p, size_t len)
{
	const char *slash;

	slash = memchr(p, '/', len);
	if (dburl_hostport(x, p, slash != NULL ? (size_t)(slash - p) : len) ==
	    -1)
		return (-1);
	if (slash == NULL)
		return (0);
	return (dburl_part(x, slash + 1, (size_t)(p + len - slash - 1),
	    &x->out->dbname));
}

int
la_dburl_parse(const char *url, struct la_dburl *out, struct la_arena *a,
    char *err, size_t errlen)
{
	struct dburl_ctx x;
	const char *rest = url, *q;
	size_t len;
	long n;

	memset(out, 0, sizeof(*out));
	x.a = a;
	x.out = out;
	x.err = err;
	x.errlen = errlen;
	if (dburl_scheme(&x, url, &rest) == -1)
		return (-1);
	/* A password may hold '?': look for the query after it. */
	if (out->kind != LA_DB_SQLITE) {
		if ((n = dburl_userinfo(&x, rest)) == -1)
			return (-1);
		rest += n;
	}
	q = strchr(rest, '?');
	len = q != NULL ? (size_t)(q - rest) : strlen(rest);
	if (q != NULL && dburl_query(&x, q + 1) == -1)
		return (-1);
	if (out->kind == LA_DB_SQLITE)
		return (dburl_sqlite(&x, rest, len));
	return (dburl_net(&x, rest, len));
}
