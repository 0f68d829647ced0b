/*
 * Response cache table (see ctable.h).
 *
 *   offset 0        struct ct_head: geometry, counters, generations
 *   head_size       struct ct_stripe[nstripes]: lock, free list, hand
 *   stripe_off      stripe 0 data: uint32 bucket[nbuckets], then
 *                   chunk[nchunks] of LA_CTABLE_CHUNK bytes
 *   + stripe_bytes  stripe 1 data ...
 *
 * A chunk starts with struct ct_chunk (next chunk of its entry, or of the
 * free list); an entry's first chunk carries struct ct_entry after it,
 * then the key bytes and the value bytes run on through the chain.
 * Chunk numbers are 1-based so that 0 means none and a zeroed stripe is
 * a valid empty one (its free list is built on first use).
 *
 * Everything in a stripe is touched only under its lock; generations and
 * counters are atomics read without it. Every index read from the table
 * is bounds-checked, and a stripe found inconsistent is wiped: this is
 * only a cache, and a wrong answer is worse than a miss.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "ctable.h"

#define CT_MAGIC       0x6c616374u /* "lact" */
#define CT_VERSION     2u
#define CT_ALIGN       64u
#define CT_MAX_STRIPES 64u
#define CT_MIN_CHUNKS  128u /* per stripe, before adding stripes */

/* A new entry gets one lap, a hit two: the hand lowers the count and
 * evicts at zero. A single bit is not enough here: after a lap in which
 * every entry was new, the hand clears them all in one sweep and would
 * then take a hot entry as readily as a cold one. */
#define CT_REF_NEW 1
#define CT_REF_HIT 2

#define CT_FREE 0
#define CT_HEAD 1
#define CT_BODY 2

struct ct_head {
	uint32_t magic;
	uint32_t version;
	uint64_t size;
	uint32_t nstripes, nbuckets, nchunks; /* the last two per stripe */
	uint32_t max_chunks;                  /* of one entry */
	uint64_t stripe_off, stripe_bytes;
	_Atomic uint64_t hits, misses, stores, evictions, invalidations,
	    recoveries;
	_Atomic uint64_t gen[LA_CTABLE_GENS];
	/* Slots written while the second tier was away, one bit each. */
	_Atomic uint64_t pending[LA_CTABLE_GENS / 64];
};

struct ct_stripe {
	struct la_shmlock lock;
	uint32_t ready; /* 0: free list not built yet (zeroed stripe) */
	uint32_t free_head, nfree, hand;
} __attribute__((aligned(CT_ALIGN)));

struct ct_chunk {
	uint32_t next;
	uint8_t kind; /* CT_FREE, CT_HEAD, CT_BODY */
	uint8_t ref;  /* CLOCK usage count, on heads: CT_REF_* */
	uint16_t pad;
};

struct ct_entry {
	uint64_t hash, gen, epoch;
	int64_t expires;
	uint32_t slot, klen, vlen, bnext, nchunks, pad;
};

#define CT_PAYLOAD (LA_CTABLE_CHUNK - sizeof(struct ct_chunk))
#define CT_HEAD_PAYLOAD                                                        \
	(LA_CTABLE_CHUNK - sizeof(struct ct_chunk) - sizeof(struct ct_entry))

/* One locked stripe, as the functions below see it. */
struct ct_s {
	struct ct_head *h;
	struct ct_stripe *st;
	uint32_t *bucket;
	unsigned char *chunks;
};

static size_t
ct_align(size_t n, size_t a)
{
	return ((n + a - 1) / a * a);
}

static size_t
ct_head_size(void)
{
	return (ct_align(sizeof(struct ct_head), CT_ALIGN));
}

size_t
la_ctable_min_size(void)
{
	return (ct_head_size() + sizeof(struct ct_stripe) +
	        ct_align(CT_MIN_CHUNKS / 2 * 4, CT_ALIGN) +
	        CT_MIN_CHUNKS * LA_CTABLE_CHUNK);
}

int
la_ctable_init(void *mem, size_t size)
{
	struct ct_head *h = mem;
	struct ct_stripe *st;
	size_t avail, per, nchunks, nb, n = 1;
	uint32_t i;

	if (size < la_ctable_min_size()) {
		errno = EINVAL;
		return (-1);
	}
	/* Stripes as long as each keeps CT_MIN_CHUNKS chunks: more stripes
	 * mean less contention, but a smaller largest entry. */
	while (
	    n < CT_MAX_STRIPES && (size - ct_head_size()) / (n * 2) >=
	                              sizeof(struct ct_stripe) +
	                                  CT_MIN_CHUNKS * (LA_CTABLE_CHUNK + 2))
		n *= 2;
	memset(mem, 0, ct_head_size() + n * sizeof(struct ct_stripe));
	avail = size - ct_head_size() - n * sizeof(struct ct_stripe);
	per = avail / n / CT_ALIGN * CT_ALIGN;
	/* Half as many buckets as chunks: chains stay short. */
	nchunks = (per - CT_ALIGN) / (LA_CTABLE_CHUNK + 2);
	nb = nchunks / 2 > 0 ? nchunks / 2 : 1;
	h->size = size;
	h->nstripes = (uint32_t)n;
	h->nbuckets = (uint32_t)nb;
	h->nchunks = (uint32_t)nchunks;
	h->max_chunks = (uint32_t)(nchunks / 2);
	h->stripe_off = ct_head_size() + n * sizeof(struct ct_stripe);
	h->stripe_bytes = per;
	st = (struct ct_stripe *)((char *)mem + ct_head_size());
	for (i = 0; i < n; i++)
		if (la_shmlock_init(&st[i].lock) != 0)
			return (-1);
	/* The stripes' data is left as it is: each stripe is cleared when
	 * it is first locked (ready == 0), so a large zone is not touched
	 * all at once at start-up. */
	h->version = CT_VERSION;
	h->magic = CT_MAGIC; /* last: the table is whole */
	return (0);
}

int
la_ctable_valid(const void *mem, size_t size)
{
	const struct ct_head *h = mem;

	return (h->magic == CT_MAGIC && h->version == CT_VERSION &&
	        h->size == size);
}

uint64_t
la_ctable_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t x = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		x = (x ^ s[i]) * 0x100000001b3ull;
	/* FNV's low bits mix poorly; the stripe and bucket use them. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (x);
}

unsigned
la_ctable_gen_slot(const char *table)
{
	return (
	    (unsigned)(la_ctable_hash(table, strlen(table)) % LA_CTABLE_GENS));
}

uint64_t
la_ctable_gen(void *mem, unsigned slot)
{
	struct ct_head *h = mem;

	return (atomic_load(&h->gen[slot % LA_CTABLE_GENS]));
}

uint64_t
la_ctable_bump(void *mem, unsigned slot)
{
	struct ct_head *h = mem;

	atomic_fetch_add(&h->invalidations, 1);
	return (atomic_fetch_add(&h->gen[slot % LA_CTABLE_GENS], 1) + 1);
}

void
la_ctable_pending_set(void *mem, unsigned slot)
{
	struct ct_head *h = mem;

	slot %= LA_CTABLE_GENS;
	atomic_fetch_or(&h->pending[slot / 64], (uint64_t)1 << (slot % 64));
}

int
la_ctable_pending_take(void *mem, unsigned slot)
{
	struct ct_head *h = mem;
	uint64_t bit;

	slot %= LA_CTABLE_GENS;
	bit = (uint64_t)1 << (slot % 64);
	return ((atomic_fetch_and(&h->pending[slot / 64], ~bit) & bit) != 0);
}

int
la_ctable_pending_any(void *mem)
{
	struct ct_head *h = mem;
	size_t i;

	for (i = 0; i < LA_CTABLE_GENS / 64; i++)
		if (atomic_load_explicit(&h->pending[i], memory_order_relaxed))
			return (1);
	return (0);
}

void
la_ctable_stats(void *mem, struct la_ctable_stats *s)
{
	struct ct_head *h = mem;

	s->hits = atomic_load(&h->hits);
	s->misses = atomic_load(&h->misses);
	s->stores = atomic_load(&h->stores);
	s->evictions = atomic_load(&h->evictions);
	s->invalidations = atomic_load(&h->invalidations);
	s->recoveries = atomic_load(&h->recoveries);
}

static unsigned
ct_stripe_of(const struct ct_head *h, uint64_t hash)
{
	return ((unsigned)(hash & (h->nstripes - 1)));
}

static void
ct_view(void *mem, uint64_t hash, struct ct_s *s)
{
	struct ct_head *h = mem;
	unsigned i = ct_stripe_of(h, hash);
	unsigned char *d =
	    (unsigned char *)mem + h->stripe_off + (size_t)i * h->stripe_bytes;

	s->h = h;
	s->st = (struct ct_stripe *)((char *)mem + ct_head_size()) + i;
	s->bucket = (uint32_t *)d;
	s->chunks = d + ct_align((size_t)h->nbuckets * 4, CT_ALIGN);
}

struct la_shmlock *
la_ctable_stripe_lock(void *mem, uint64_t hash)
{
	struct ct_s s;

	ct_view(mem, hash, &s);
	return (&s.st->lock);
}

void *
la_ctable_stripe_data(void *mem, uint64_t hash, size_t *len)
{
	struct ct_s s;

	ct_view(mem, hash, &s);
	*len = s.h->stripe_bytes;
	return (s.bucket);
}

static struct ct_chunk *
ct_chunk(struct ct_s *s, uint32_t c)
{
	return (
	    (struct ct_chunk *)(s->chunks + (size_t)(c - 1) * LA_CTABLE_CHUNK));
}

static struct ct_entry *
ct_entry(struct ct_s *s, uint32_t c)
{
	return ((struct ct_entry *)(ct_chunk(s, c) + 1));
}

static int
ct_index_ok(const struct ct_s *s, uint32_t c)
{
	return (c >= 1 && c <= s->h->nchunks);
}

/* Back to the empty state: what a dead owner or a torn chain leaves. */
static void
ct_wipe(struct ct_s *s)
{
	memset(s->bucket, 0, s->h->stripe_bytes);
	s->st->ready = 0;
	s->st->free_head = s->st->nfree = s->st->hand = 0;
}

static void
ct_ready(struct ct_s *s)
{
	uint32_t i, n = s->h->nchunks;

	if (s->st->ready)
		return;
	memset(s->bucket, 0, s->h->stripe_bytes);
	for (i = 1; i <= n; i++)
		ct_chunk(s, i)->next = i < n ? i + 1 : 0;
	s->st->free_head = 1;
	s->st->nfree = n;
	s->st->hand = 1;
	s->st->ready = 1;
}

static int
ct_lock(void *mem, uint64_t hash, struct ct_s *s)
{
	int rc;

	ct_view(mem, hash, s);
	rc = la_shmlock_lock(&s->st->lock);
	if (rc < 0)
		return (-1);
	if (rc == LA_SHMLOCK_OWNER_DIED) {
		/* Whatever the dead owner was writing may be torn. */
		ct_wipe(s);
		atomic_fetch_add(&s->h->recoveries, 1);
		la_shmlock_consistent(&s->st->lock);
	}
	ct_ready(s);
	return (0);
}

static uint32_t
ct_bucket_of(const struct ct_s *s, uint64_t hash)
{
	return ((uint32_t)((hash >> 32) % s->h->nbuckets));
}

/*
 * Unlinks the entry at head chunk c from its bucket and frees its chunks.
 * -1 when the chains are not what they should be (the caller wipes).
 */
static int
ct_evict(struct ct_s *s, uint32_t c)
{
	struct ct_entry *e = ct_entry(s, c);
	uint32_t *link = &s->bucket[ct_bucket_of(s, e->hash)];
	uint32_t n, next, guard = 0;

	while (*link != c) {
		if (!ct_index_ok(s, *link) || ++guard > s->h->nchunks)
			return (-1);
		link = &ct_entry(s, *link)->bnext;
	}
	*link = e->bnext;
	for (n = c, guard = 0; n != 0; n = next) {
		if (!ct_index_ok(s, n) || ++guard > e->nchunks)
			return (-1);
		next = ct_chunk(s, n)->next;
		ct_chunk(s, n)->kind = CT_FREE;
		ct_chunk(s, n)->ref = 0;
		ct_chunk(s, n)->next = s->st->free_head;
		s->st->free_head = n;
		s->st->nfree++;
	}
	return (0);
}

static int
ct_dead(struct ct_s *s, const struct ct_entry *e, uint64_t epoch, int64_t now)
{
	return (e->expires <= now || e->epoch != epoch ||
	        e->gen != atomic_load(&s->h->gen[e->slot % LA_CTABLE_GENS]));
}

/* CLOCK until n chunks are free: dead entries go at once, live ones when
 * the hand finds their usage count at zero. */
static int
ct_make_room(struct ct_s *s, uint32_t n, uint64_t epoch, int64_t now)
{
	uint32_t steps = 0, c;
	struct ct_chunk *k;

	while (s->st->nfree < n) {
		if (++steps > (CT_REF_HIT + 1) * s->h->nchunks + 1)
			return (-1);
		c = s->st->hand;
		if (!ct_index_ok(s, c))
			c = 1;
		s->st->hand = c % s->h->nchunks + 1;
		k = ct_chunk(s, c);
		if (k->kind != CT_HEAD)
			continue;
		if (k->ref > 0 && !ct_dead(s, ct_entry(s, c), epoch, now)) {
			k->ref--;
			continue;
		}
		if (ct_evict(s, c) != 0)
			return (-1);
		atomic_fetch_add(&s->h->evictions, 1);
	}
	return (0);
}

enum ct_op { CT_READ, CT_WRITE, CT_CMP };

/*
 * Reads, writes or compares n bytes at pos of the data of the entry
 * starting at chunk c (key first, then value). CT_CMP returns 0 when
 * equal; every op returns -1 on a broken chain.
 */
static int
ct_span(struct ct_s *s, uint32_t c, size_t pos, void *p, size_t n,
    enum ct_op op, struct la_buf *out)
{
	unsigned char *q = p, *d;
	size_t room, take, guard = 0;

	room = CT_HEAD_PAYLOAD;
	d = (unsigned char *)(ct_entry(s, c) + 1);
	while (pos >= room) {
		pos -= room;
		c = ct_chunk(s, c)->next;
		if (!ct_index_ok(s, c) || ++guard > s->h->nchunks)
			return (-1);
		room = CT_PAYLOAD;
		d = (unsigned char *)(ct_chunk(s, c) + 1);
	}
	while (n > 0) {
		take = room - pos < n ? room - pos : n;
		if (op == CT_WRITE)
			memcpy(d + pos, q, take);
		else if (op == CT_CMP) {
			if (memcmp(d + pos, q, take) != 0)
				return (1);
		} else
			la_buf_append(out, d + pos, take);
		if (q != NULL) /* a read has no source: no arithmetic on NULL */
			q += take;
		n -= take;
		pos = 0;
		if (n == 0)
			break;
		c = ct_chunk(s, c)->next;
		if (!ct_index_ok(s, c) || ++guard > s->h->nchunks)
			return (-1);
		room = CT_PAYLOAD;
		d = (unsigned char *)(ct_chunk(s, c) + 1);
	}
	return (0);
}

/* The head chunk of key in its bucket, 0 when absent, -1 when broken. */
static int64_t
ct_find(struct ct_s *s, uint64_t hash, const void *key, size_t klen)
{
	uint32_t c = s->bucket[ct_bucket_of(s, hash)], guard = 0;
	struct ct_entry *e;
	int rc;

	for (; c != 0; c = e->bnext) {
		if (!ct_index_ok(s, c) || ++guard > s->h->nchunks ||
		    ct_chunk(s, c)->kind != CT_HEAD)
			return (-1);
		e = ct_entry(s, c);
		if (e->hash != hash || e->klen != klen)
			continue;
		/* Same hash is not the same key: compare every byte. */
		rc = ct_span(s, c, 0, (void *)(uintptr_t)key, klen, CT_CMP,
		    NULL);
		if (rc < 0)
			return (-1);
		if (rc == 0)
			return (c);
	}
	return (0);
}

int
la_ctable_get(void *mem, uint64_t hash, const void *key, size_t klen,
    uint64_t epoch, int64_t now, struct la_buf *out)
{
	struct ct_s s;
	struct ct_entry *e;
	int64_t c;
	int rc = LA_CTABLE_MISS;

	if (ct_lock(mem, hash, &s) != 0)
		return (-1);
	c = ct_find(&s, hash, key, klen);
	if (c > 0) {
		e = ct_entry(&s, (uint32_t)c);
		if (ct_dead(&s, e, epoch, now)) {
			if (ct_evict(&s, (uint32_t)c) != 0)
				c = -1;
		} else {
			ct_chunk(&s, (uint32_t)c)->ref = CT_REF_HIT;
			if (ct_span(&s, (uint32_t)c, e->klen, NULL, e->vlen,
			        CT_READ, out) == 0)
				rc = LA_CTABLE_HIT;
			else
				c = -1;
		}
	}
	if (c < 0)
		ct_wipe(&s);
	la_shmlock_unlock(&s.st->lock);
	atomic_fetch_add(rc == LA_CTABLE_HIT ? &s.h->hits : &s.h->misses, 1);
	return (rc);
}

/* Takes n chunks off the free list, chained, the first marked as head. */
static uint32_t
ct_alloc(struct ct_s *s, uint32_t n)
{
	uint32_t first = s->st->free_head, c = first, i;

	for (i = 0; i < n; i++) {
		if (!ct_index_ok(s, c))
			return (0);
		ct_chunk(s, c)->kind = i == 0 ? CT_HEAD : CT_BODY;
		ct_chunk(s, c)->ref = 0;
		if (i + 1 == n) {
			s->st->free_head = ct_chunk(s, c)->next;
			ct_chunk(s, c)->next = 0;
		} else
			c = ct_chunk(s, c)->next;
	}
	s->st->nfree -= n;
	return (first);
}

int
la_ctable_put(void *mem, uint64_t hash, const void *key, size_t klen,
    const void *value, size_t vlen, unsigned slot, uint64_t gen, uint64_t epoch,
    int64_t now, int64_t expires)
{
	struct ct_head *h = mem;
	struct ct_s s;
	struct ct_entry *e;
	size_t total = klen + vlen, n;
	uint32_t c, b;
	int64_t old;
	int rc = 1;

	n = total <= CT_HEAD_PAYLOAD
	        ? 1
	        : 1 + (total - CT_HEAD_PAYLOAD + CT_PAYLOAD - 1) / CT_PAYLOAD;
	if (n > h->max_chunks || klen > UINT32_MAX || vlen > UINT32_MAX ||
	    gen != la_ctable_gen(mem, slot) || expires <= now)
		return (1);
	if (ct_lock(mem, hash, &s) != 0)
		return (-1);
	if ((old = ct_find(&s, hash, key, klen)) > 0)
		old = ct_evict(&s, (uint32_t)old);
	if (old < 0 || ct_make_room(&s, (uint32_t)n, epoch, now) != 0 ||
	    (c = ct_alloc(&s, (uint32_t)n)) == 0) {
		ct_wipe(&s);
		goto out;
	}
	/* Built whole before it is linked: a reader never meets half an
	 * entry even if the lock's wipe-on-death were not there. */
	e = ct_entry(&s, c);
	e->hash = hash;
	e->gen = gen;
	e->epoch = epoch;
	e->expires = expires;
	e->slot = slot % LA_CTABLE_GENS;
	e->klen = (uint32_t)klen;
	e->vlen = (uint32_t)vlen;
	e->nchunks = (uint32_t)n;
	if (ct_span(&s, c, 0, (void *)(uintptr_t)key, klen, CT_WRITE, NULL) !=
	        0 ||
	    ct_span(&s, c, klen, (void *)(uintptr_t)value, vlen, CT_WRITE,
	        NULL) != 0) {
		ct_wipe(&s);
		goto out;
	}
	/* Born referenced: its head may lie just ahead of the hand, and a
	 * new entry must outlive at least one sweep. */
	ct_chunk(&s, c)->ref = CT_REF_NEW;
	b = ct_bucket_of(&s, hash);
	e->bnext = s.bucket[b];
	s.bucket[b] = c;
	atomic_fetch_add(&h->stores, 1);
	rc = 0;
out:
	la_shmlock_unlock(&s.st->lock);
	return (rc);
}
