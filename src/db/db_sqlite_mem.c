/*
 * Small blocks for SQLite (see db_sqlite_mem.h).
 *
 * Debian's library is built without lookaside memory, so every run of a
 * statement allocates and frees the registers its text columns are copied
 * into: five malloc/free pairs for a GET by id, more for a page. Kept on
 * a free list per size class, refilled from slabs, they cost a few
 * instructions each instead of a trip through malloc. Blocks above the
 * largest class (the page cache's pages, big parser tables) go to malloc.
 *
 * A process runs SQLite in one thread (SQLITE_CONFIG_SINGLETHREAD), so the
 * lists need no lock; a worker inherits the master's lists at fork and
 * keeps its own from then on. Slabs are never given back: what SQLite's
 * small blocks held at their peak stays reserved for the next peak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db_sqlite_mem.h"

/* Sizes 32, 64, 128, 256 and 512: SQLite's registers, cursors and parse
 * nodes; anything larger is rare per request. */
#define MEM_MIN_SHIFT 5
#define MEM_CLASSES   5
#define MEM_MAX_SMALL (1 << (MEM_MIN_SHIFT + MEM_CLASSES - 1))
#define MEM_SLAB      (64 * 1024)
/* Before each block: its usable size, which tells a small block (at most
 * MEM_MAX_SMALL) from a malloc'ed one. 8 bytes keep SQLite's alignment. */
#define MEM_HDR 8

struct mem_free {
	struct mem_free *next;
};

static struct mem_free *mem_lists[MEM_CLASSES];
static char *mem_slab; /* the slab being carved, and what is left of it */
static size_t mem_slab_left;

/* The class of a small size: 32 -> 0, 33..64 -> 1, ... 512 -> 4. */
static inline int
mem_class(int n)
{
	return (n <= 32 ? 0 : 32 - __builtin_clz((unsigned)n - 1) - 5);
}

static void *
mem_carve(int c)
{
	size_t need = MEM_HDR + ((size_t)1 << (MEM_MIN_SHIFT + c));
	char *p;

	if (mem_slab_left < need) {
		/* What is left of the old slab, smaller than this block,
		 * stays unused. */
		if ((mem_slab = malloc(MEM_SLAB)) == NULL)
			return (NULL);
		mem_slab_left = MEM_SLAB;
	}
	p = mem_slab;
	mem_slab += need;
	mem_slab_left -= need;
	*(uint64_t *)(void *)p = (uint64_t)1 << (MEM_MIN_SHIFT + c);
	return (p + MEM_HDR);
}

static void *
mem_malloc(int n)
{
	struct mem_free *f;
	char *p;
	int c;

	if (n <= 0)
		return (NULL);
	if (n > MEM_MAX_SMALL) {
		if ((p = malloc((size_t)n + MEM_HDR)) == NULL)
			return (NULL);
		*(uint64_t *)(void *)p = (uint64_t)n;
		return (p + MEM_HDR);
	}
	c = mem_class(n);
	if ((f = mem_lists[c]) == NULL)
		return (mem_carve(c));
	mem_lists[c] = f->next;
	return (f);
}

static int
mem_size(void *p)
{
	return (
	    p == NULL ? 0 : (int)*(uint64_t *)(void *)((char *)p - MEM_HDR));
}

static void
mem_free(void *p)
{
	struct mem_free *f = p;
	int n;

	if (p == NULL)
		return;
	if ((n = mem_size(p)) > MEM_MAX_SMALL) {
		free((char *)p - MEM_HDR);
		return;
	}
	/* A small block's size is its class's: a power of two. */
	n = __builtin_ctz((unsigned)n) - MEM_MIN_SHIFT;
	f->next = mem_lists[n];
	mem_lists[n] = f;
}

static void *
mem_realloc(void *p, int n)
{
	int old = mem_size(p);
	void *q;

	if (p != NULL && n > 0 && old <= MEM_MAX_SMALL && n <= old &&
	    mem_class(n) == mem_class(old))
		return (p);
	if ((q = mem_malloc(n)) == NULL)
		return (NULL);
	if (p != NULL) {
		memcpy(q, p, (size_t)(old < n ? old : n));
		mem_free(p);
	}
	return (q);
}

static int
mem_roundup(int n)
{
	if (n <= 0)
		return (0);
	if (n > MEM_MAX_SMALL)
		return ((n + 7) & ~7);
	return (1 << (MEM_MIN_SHIFT + mem_class(n)));
}

static int
mem_init(void *arg)
{
	(void)arg;
	return (SQLITE_OK);
}

static void
mem_shutdown(void *arg)
{
	(void)arg;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MEM_SANITIZED 1
#endif

void
la_db_sqlite_mem_install(void)
{
	static const sqlite3_mem_methods m = {mem_malloc, mem_free, mem_realloc,
	    mem_size, mem_roundup, mem_init, mem_shutdown, NULL};

	/* Under AddressSanitizer SQLite's blocks stay malloc's, so that a
	 * read of column text after its statement moved on is caught. */
#ifndef MEM_SANITIZED
	(void)sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
#else
	(void)m;
#endif
}
