/*
 * Region allocator: a list of chunks bumped forward, plus a list of cleanup
 * hooks. Large requests get a chunk of their own so a big body does not
 * waste the tail of the current chunk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xalloc.h"

#define ARENA_ALIGN 16

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	/* data follows, aligned */
};

struct arena_hook {
	struct arena_hook *next;
	void (*fn)(void *);
	void *arg;
};

struct la_arena {
	struct arena_chunk *chunks; /* current first */
	struct arena_chunk *base;   /* the first one, kept by reset */
	struct arena_hook *hooks;
	size_t chunk_size;
	size_t total;
};

#define CHUNK_HDR                                                              \
	((sizeof(struct arena_chunk) + ARENA_ALIGN - 1) &                      \
	    ~(size_t)(ARENA_ALIGN - 1))

static struct arena_chunk *
arena_chunk_new(size_t size)
{
	struct arena_chunk *c = la_xmalloc(CHUNK_HDR + size);

	c->next = NULL;
	c->size = size;
	c->used = 0;
	return (c);
}

struct la_arena *
la_arena_new(size_t chunk_size)
{
	struct la_arena *a = la_xcalloc(1, sizeof(*a));

	a->chunk_size = chunk_size < 256 ? 256 : chunk_size;
	a->chunks = arena_chunk_new(a->chunk_size);
	a->base = a->chunks;
	return (a);
}

static void
arena_run_hooks(struct la_arena *a)
{
	struct arena_hook *h;

	/* Hooks live inside the arena's own chunks, so read next first. */
	while ((h = a->hooks) != NULL) {
		a->hooks = h->next;
		h->fn(h->arg);
	}
}

void
la_arena_reset(struct la_arena *a)
{
	struct arena_chunk *c, *next;

	arena_run_hooks(a);
	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		if (c != a->base)
			free(c);
	}
	a->base->used = 0;
	a->base->next = NULL;
	a->chunks = a->base;
	a->total = 0;
}

void
la_arena_free(struct la_arena *a)
{
	struct arena_chunk *c, *next;

	if (a == NULL)
		return;
	arena_run_hooks(a);
	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *
la_arena_alloc(struct la_arena *a, size_t n)
{
	struct arena_chunk *c = a->chunks, *big;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (need == 0)
		need = ARENA_ALIGN;
	a->total += need;
	if (c->size - c->used >= need) {
		c->used += need;
		return ((char *)c + CHUNK_HDR + c->used - need);
	}
	if (need > a->chunk_size / 4) {
		/* Large: own chunk, linked behind the current one. */
		big = arena_chunk_new(need);
		big->used = need;
		big->next = c->next;
		c->next = big;
		return ((char *)big + CHUNK_HDR);
	}
	c = arena_chunk_new(a->chunk_size);
	c->next = a->chunks;
	a->chunks = c;
	c->used = need;
	return ((char *)c + CHUNK_HDR);
}

void *
la_arena_calloc(struct la_arena *a, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > (size_t)-1 / size)
		abort();
	p = la_arena_alloc(a, n * size);
	memset(p, 0, n * size);
	return (p);
}

char *
la_arena_strndup(struct la_arena *a, const char *s, size_t n)
{
	char *p = la_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}

char *
la_arena_strdup(struct la_arena *a, const char *s)
{
	return (la_arena_strndup(a, s, strlen(s)));
}

char *
la_arena_vprintf(struct la_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	p = la_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return (p);
}

char *
la_arena_printf(struct la_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = la_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return (p);
}

void
la_arena_cleanup(struct la_arena *a, void (*fn)(void *), void *arg)
{
	struct arena_hook *h = la_arena_alloc(a, sizeof(*h));

	h->fn = fn;
	h->arg = arg;
	h->next = a->hooks;
	a->hooks = h;
}

size_t
la_arena_used(const struct la_arena *a)
{
	return (a->total);
}
