/*
 * Checked allocation wrappers: abort on exhaustion (see xalloc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void
xalloc_die(size_t n)
{
	fprintf(stderr, "out of memory allocating %zu bytes\n", n);
	abort();
}

void *
la_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		xalloc_die(n);
	return (p);
}

void *
la_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		xalloc_die(n * size);
	return (p);
}

void *
la_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		xalloc_die(n);
	return (q);
}

char *
la_xstrndup(const char *s, size_t n)
{
	char *p = la_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}

char *
la_xstrdup(const char *s)
{
	return (la_xstrndup(s, strlen(s)));
}
