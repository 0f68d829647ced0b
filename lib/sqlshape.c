/*
 * Statement text per query shape (see sqlshape.h): a fixed table of
 * entries, chained from buckets by the key's hash, replaced oldest first.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlshape.h"
#include "stmtcache.h"
#include "xalloc.h"

_Static_assert(LA_SQLSHAPE_KEY_MAX % 8 == 0, "whole words");

struct ss_ent {
	struct la_sqlshape_ent pub;
	uint64_t khash;
	unsigned char *key;
	size_t klen;
	long hnext; /* next in the bucket's chain, -1: none */
};

struct la_sqlshape {
	size_t max, n, oldest, nbuckets; /* nbuckets: a power of two */
	struct ss_ent *ent;
	long *bucket;
};

/* ---- keys --------------------------------------------------------------- */

static void
ss_put(struct la_sqlshape_key *k, const void *p, size_t n)
{
	if (!k->ok || k->len + n > sizeof(k->b)) {
		k->ok = 0;
		return;
	}
	memcpy(k->b + k->len, p, n);
	k->len += n;
}

static void
ss_u8(struct la_sqlshape_key *k, unsigned v)
{
	unsigned char c = (unsigned char)v;

	ss_put(k, &c, 1);
}

/* Columns, operators and counts up to 65535; beyond, no key. */
static void
ss_u16(struct la_sqlshape_key *k, size_t v)
{
	unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)};

	if (v > 0xffff)
		k->ok = 0;
	ss_put(k, c, 2);
}

void
la_sqlshape_key_init(struct la_sqlshape_key *k, const void *owner,
    const struct la_catalog *c, const struct la_cat_table *t, enum la_dialect d,
    enum la_sqlshape_kind kind)
{
	k->len = 0;
	k->ok = 1;
	ss_put(k, &owner, sizeof(owner));
	ss_put(k, &c, sizeof(c));
	ss_put(k, &t, sizeof(t));
	ss_u8(k, (unsigned)d);
	ss_u8(k, (unsigned)kind);
}

/*
 * Per filter: column, operator and what else its text shows: how many
 * values an IN lists, and for isnull whether it is IS NULL or IS NOT.
 */
void
la_sqlshape_key_filters(struct la_sqlshape_key *k, const struct la_qfilter *f,
    size_t n)
{
	size_t i, extra;

	ss_u16(k, n);
	for (i = 0; i < n; i++) {
		extra = 0;
		if (f[i].op == LA_Q_IN)
			extra = f[i].nvals;
		else if (f[i].op == LA_Q_ISNULL)
			extra = f[i].vals[0].i != 0;
		ss_u16(k, (size_t)f[i].col);
		ss_u8(k, (unsigned)f[i].op);
		ss_u16(k, extra);
	}
}

static void
ss_search(struct la_sqlshape_key *k, const struct la_cat_table *t,
    const struct la_query *qq)
{
	ss_u8(k, qq->search != NULL && t->search.n > 0);
}

void
la_sqlshape_key_count(struct la_sqlshape_key *k, const struct la_cat_table *t,
    const struct la_query *qq)
{
	ss_search(k, t, qq);
}

/*
 * Per sort key: column, direction and, with a cursor, whether its value
 * is NULL (IS NULL rather than a comparison, or no term at all).
 */
void
la_sqlshape_key_query(struct la_sqlshape_key *k, const struct la_cat_table *t,
    const struct la_query *qq, const struct la_value *keys, int reverse,
    int64_t limit, int64_t offset)
{
	size_t i;
	unsigned bits;

	ss_search(k, t, qq);
	ss_u8(k, (unsigned)((reverse != 0) | (keys != NULL) << 1 |
	                    (limit > 0) << 2 | (limit > 0 && offset > 0) << 3));
	ss_u16(k, qq->norder);
	for (i = 0; i < qq->norder; i++) {
		bits = !!qq->order[i].desc;
		if (keys != NULL && keys[i].kind == LA_V_NULL)
			bits |= 2;
		ss_u16(k, (size_t)qq->order[i].col);
		ss_u8(k, bits);
	}
}

void
la_sqlshape_key_set(struct la_sqlshape_key *k, const struct la_cat_table *t,
    const unsigned char *set, int flags)
{
	uint32_t i;
	unsigned byte = 0;

	ss_u8(k, (unsigned)flags);
	for (i = 0; i < t->ncols; i++) {
		byte |= (unsigned)(set[i] != 0) << (i % 8);
		if (i % 8 == 7 || i + 1 == t->ncols) {
			ss_u8(k, byte);
			byte = 0;
		}
	}
}

/* ---- the memo ----------------------------------------------------------- */

/*
 * FNV-1a, eight bytes a step: keys are short and ours. The last step
 * reads a whole word of the key's buffer (LA_SQLSHAPE_KEY_MAX is a
 * multiple of eight, so it is there) and keeps the key's bytes of it:
 * no call for a copy of a few bytes on every lookup.
 */
static uint64_t
ss_hash(const struct la_sqlshape_key *k)
{
	const uint64_t m = 0x100000001b3ULL;
	const unsigned char *p = k->b;
	size_t n = k->len;
	uint64_t h = 0xcbf29ce484222325ULL ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * m;
		h ^= h >> 29;
	}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n > 0) {
		memcpy(&w, p, 8);
		w &= ~(uint64_t)0 >> (64 - 8 * n);
		h = (h ^ w) * m;
	}
#else
	for (; n > 0; p++, n--)
		h = (h ^ *p) * m;
#endif
	return (h ^ h >> 32);
}

struct la_sqlshape *
la_sqlshape_new(size_t max)
{
	struct la_sqlshape *m = la_xcalloc(1, sizeof(*m));
	size_t i;

	m->max = max > 0 ? max : 1;
	for (m->nbuckets = 16; m->nbuckets < 2 * m->max; m->nbuckets *= 2)
		;
	m->ent = la_xcalloc(m->max, sizeof(*m->ent));
	m->bucket = la_xcalloc(m->nbuckets, sizeof(*m->bucket));
	for (i = 0; i < m->nbuckets; i++)
		m->bucket[i] = -1;
	return (m);
}

void
la_sqlshape_free(struct la_sqlshape *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->ent[i].key);
		free((char *)m->ent[i].pub.text);
	}
	free(m->ent);
	free(m->bucket);
	free(m);
}

const struct la_sqlshape_ent *
la_sqlshape_get(struct la_sqlshape *m, const struct la_sqlshape_key *k)
{
	uint64_t h;
	long i;
	struct ss_ent *e;

	if (!k->ok)
		return (NULL);
	h = ss_hash(k);
	for (i = m->bucket[h & (m->nbuckets - 1)]; i >= 0; i = e->hnext) {
		e = &m->ent[i];
		if (e->khash == h && e->klen == k->len &&
		    memcmp(e->key, k->b, k->len) == 0)
			return (&e->pub);
	}
	return (NULL);
}

/* Takes entry i out of its bucket's chain and frees what it holds. */
static void
ss_drop(struct la_sqlshape *m, long i)
{
	struct ss_ent *e = &m->ent[i];
	long *pp = &m->bucket[e->khash & (m->nbuckets - 1)];

	while (*pp != i)
		pp = &m->ent[*pp].hnext;
	*pp = e->hnext;
	free(e->key);
	free((char *)e->pub.text);
}

const struct la_sqlshape_ent *
la_sqlshape_put(struct la_sqlshape *m, const struct la_sqlshape_key *k,
    const char *text, size_t len)
{
	struct ss_ent *e;
	char *copy;
	long i, *b;

	if (!k->ok)
		return (NULL);
	if (m->n < m->max)
		i = (long)m->n++;
	else {
		i = (long)m->oldest;
		m->oldest = (m->oldest + 1) % m->max;
		ss_drop(m, i);
	}
	e = &m->ent[i];
	copy = la_xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	e->pub.text = copy;
	e->pub.len = len;
	e->pub.hash = la_stmtcache_hash(copy, len);
	e->key = la_xmalloc(k->len);
	memcpy(e->key, k->b, k->len);
	e->klen = k->len;
	e->khash = ss_hash(k);
	b = &m->bucket[e->khash & (m->nbuckets - 1)];
	e->hnext = *b;
	*b = i;
	return (&e->pub);
}

size_t
la_sqlshape_count(const struct la_sqlshape *m)
{
	return (m->n);
}
