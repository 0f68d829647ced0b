/*
 * Allocation that never returns NULL. Out of memory is not a request error
 * we could answer sensibly, so, like Redis, we abort and let the master
 * respawn the worker.
 */
#ifndef LA_XALLOC_H
#define LA_XALLOC_H

#include <stddef.h>

void *la_xmalloc(size_t n);
void *la_xcalloc(size_t n, size_t size);
void *la_xrealloc(void *p, size_t n);
char *la_xstrdup(const char *s);
char *la_xstrndup(const char *s, size_t n);

#endif
