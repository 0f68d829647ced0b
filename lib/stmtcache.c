/*
 * Statement cache (see stmtcache.h): a chained hash on the SQL text for
 * lookups and a doubly linked list in recency order for eviction.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stmtcache.h"
#include "xalloc.h"

struct sc_ent {
	char *sql;
	size_t len;
	uint64_t hash;
	void *stmt;
	struct sc_ent *hnext;       /* bucket chain */
	struct sc_ent *prev, *next; /* most recent first */
};

struct la_stmtcache {
	const struct la_stmtcache_ops *ops;
	void *arg;
	size_t max, n, nbuckets; /* nbuckets: a power of two */
	struct sc_ent **bucket;
	struct sc_ent *mru, *lru;
};

/*
 * Eight bytes a step, then a final mix so the bucket bits (the low ones)
 * depend on every byte: the texts are long. The text is ours, not an
 * adversary's.
 */
uint64_t
la_stmtcache_hash(const char *s, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = 0xcbf29ce484222325ULL, w;

	h ^= n;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * k;
	h ^= h >> 32;
	h *= k;
	h ^= h >> 29;
	return (h);
}

struct la_stmtcache *
la_stmtcache_new(size_t max, const struct la_stmtcache_ops *ops, void *arg)
{
	struct la_stmtcache *c = la_xcalloc(1, sizeof(*c));

	c->ops = ops;
	c->arg = arg;
	c->max = max > 0 ? max : 1;
	/* Twice the entries keeps the chains short. */
	for (c->nbuckets = 16; c->nbuckets < 2 * c->max; c->nbuckets *= 2)
		;
	c->bucket = la_xcalloc(c->nbuckets, sizeof(*c->bucket));
	return (c);
}

static void
sc_unlink(struct la_stmtcache *c, struct sc_ent *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->mru = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->lru = e->prev;
	e->prev = e->next = NULL;
}

static void
sc_push(struct la_stmtcache *c, struct sc_ent *e)
{
	e->prev = NULL;
	e->next = c->mru;
	if (c->mru != NULL)
		c->mru->prev = e;
	c->mru = e;
	if (c->lru == NULL)
		c->lru = e;
}

static void
sc_remove(struct la_stmtcache *c, struct sc_ent *e)
{
	struct sc_ent **pp = &c->bucket[e->hash & (c->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	sc_unlink(c, e);
	c->n--;
	c->ops->release(e->stmt, c->arg);
	free(e->sql);
	free(e);
}

void
la_stmtcache_free(struct la_stmtcache *c)
{
	if (c == NULL)
		return;
	while (c->mru != NULL)
		sc_remove(c, c->mru);
	free(c->bucket);
	free(c);
}

void *
la_stmtcache_get(struct la_stmtcache *c, const char *sql)
{
	size_t n = strlen(sql);

	return (la_stmtcache_find(c, sql, n, la_stmtcache_hash(sql, n)));
}

void *
la_stmtcache_find(struct la_stmtcache *c, const char *sql, size_t len,
    uint64_t h)
{
	struct sc_ent *e;

	for (e = c->bucket[h & (c->nbuckets - 1)]; e != NULL; e = e->hnext) {
		if (e->hash == h && e->len == len &&
		    memcmp(e->sql, sql, len) == 0) {
			sc_unlink(c, e);
			sc_push(c, e);
			return (e->stmt);
		}
	}
	return (NULL);
}

/* Drops the least recently used statement that nobody is reading. */
static void
sc_evict(struct la_stmtcache *c)
{
	struct sc_ent *e;

	for (e = c->lru; e != NULL; e = e->prev) {
		if (!c->ops->busy(e->stmt)) {
			sc_remove(c, e);
			return;
		}
	}
}

void
la_stmtcache_put(struct la_stmtcache *c, const char *sql, void *stmt)
{
	struct sc_ent *e = la_xcalloc(1, sizeof(*e)), **b;

	if (c->n >= c->max)
		sc_evict(c);
	e->sql = la_xstrdup(sql);
	e->len = strlen(sql);
	e->hash = la_stmtcache_hash(sql, e->len);
	e->stmt = stmt;
	b = &c->bucket[e->hash & (c->nbuckets - 1)];
	e->hnext = *b;
	*b = e;
	sc_push(c, e);
	c->n++;
}

size_t
la_stmtcache_count(const struct la_stmtcache *c)
{
	return (c->n);
}
