/*
 * Users file parsing (see users.h). The file is read once per generation
 * by the master, so a malformed line stops start-up or a reload instead of
 * failing a login later.
 */
#include <string.h>

#include "arena.h"
#include "json.h"
#include "users.h"

static int
users_line(const char *name, int lineno, const char *p, size_t len,
    struct la_arena *a, struct la_user *u, struct la_buf *errs)
{
	const char *c1 = memchr(p, ':', len), *c2;
	struct la_arena *tmp;
	yajl_val v;
	int ok;

	/* A NUL would cut the name or hash short where it is used as a C
	 * string: "\0alice" must not become the user "". */
	if (memchr(p, '\0', len) != NULL) {
		la_buf_printf(errs, "%s:%d: NUL byte in the line\n", name,
		    lineno);
		return (-1);
	}
	c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p)) : NULL;
	if (c1 == NULL || c1 == p || (c2 ? c2 : p + len) == c1 + 1) {
		la_buf_printf(errs, "%s:%d: expected username:hash:{claims}\n",
		    name, lineno);
		return (-1);
	}
	u->name = la_arena_strndup(a, p, (size_t)(c1 - p));
	if (c2 == NULL)
		c2 = p + len;
	u->hash = la_arena_strndup(a, c1 + 1, (size_t)(c2 - c1 - 1));
	u->claims = c2 < p + len ? la_arena_strndup(a, c2 + 1,
	                               (size_t)(p + len - c2 - 1))
	                         : "{}";
	tmp = la_arena_new(1024);
	v = la_json_parse(u->claims, strlen(u->claims), LA_JSON_MAX_DEPTH, tmp);
	ok = v != NULL && YAJL_IS_OBJECT(v);
	la_arena_free(tmp);
	if (!ok) {
		la_buf_printf(errs,
		    "%s:%d: the claims of '%s' are not a JSON "
		    "object\n",
		    name, lineno, u->name);
		return (-1);
	}
	return (0);
}

int
la_users_parse(const char *name, const char *text, size_t len,
    struct la_arena *a, struct la_users *out, struct la_buf *errs)
{
	const char *p = text, *end = text + len, *nl;
	size_t cap = 1, n;
	int lineno = 0, rc = 0;

	for (n = 0; n < len; n++)
		cap += text[n] == '\n';
	out->v = la_arena_calloc(a, cap, sizeof(*out->v));
	out->n = 0;
	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0 || p[0] == '#')
			continue;
		if (users_line(name, lineno, p, n, a, &out->v[out->n], errs) ==
		    0)
			out->n++;
		else
			rc = -1;
	}
	return (rc);
}

const struct la_user *
la_users_find(const struct la_users *u, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (strlen(u->v[i].name) == len &&
		    memcmp(u->v[i].name, name, len) == 0)
			return (&u->v[i]);
	return (NULL);
}
