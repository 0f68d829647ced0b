/*
 * The response cache table, as pure code over a block of memory: the
 * daemon lays it over its shared "cache" zone, a test over malloc'd
 * memory. It holds offsets, never pointers, so every process sees the
 * same table at whatever address it maps it.
 *
 * The block is cut into stripes, each with its own robust lock, hash
 * buckets and chunks of LA_CTABLE_CHUNK bytes; an entry is a chain of
 * chunks in one stripe (its key hash picks the stripe). A full stripe
 * frees room by CLOCK: a store gives an entry a usage count of one, a
 * hit of two; the hand lowers it and evicts entries it finds at zero.
 * Dead entries (expired, invalidated, of another epoch) go at once.
 *
 * An entry is served only when all of these still hold: its TTL has not
 * run out, the generation of its table is the one it was stored under
 * (invalidation is one atomic increment, no scan), and the crash epoch
 * is the one it was stored under. A lock whose owner died wipes its
 * stripe, so a half-written entry is never read.
 */
#ifndef LA_CTABLE_H
#define LA_CTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "shmlock.h"

#define LA_CTABLE_CHUNK 256u  /* bytes per chunk, header included */
#define LA_CTABLE_GENS  1024u /* table generation slots */

#define LA_CTABLE_MISS 0
#define LA_CTABLE_HIT  1

/* Counters kept in the table, for /metrics. */
struct la_ctable_stats {
	uint64_t hits, misses, stores, evictions, invalidations, recoveries;
};

/* The smallest block a table can be laid over. */
size_t la_ctable_min_size(void);
/* Lays an empty table over mem (size bytes, 64-aligned); -1 (EINVAL)
 * when size is below la_ctable_min_size(). Before anyone else uses it. */
int la_ctable_init(void *mem, size_t size);
/* 1 when mem holds a table laid out by la_ctable_init() for size bytes. */
int la_ctable_valid(const void *mem, size_t size);

/* The 64-bit hash the table files keys under. */
uint64_t la_ctable_hash(const void *p, size_t n);
/* The generation slot of a table name (colliding names share one: a
 * write to either invalidates both, which costs hits, never freshness). */
unsigned la_ctable_gen_slot(const char *table);
/* The current generation of a slot. */
uint64_t la_ctable_gen(void *mem, unsigned slot);
/* Invalidates every entry stored under slot; returns the new generation. */
uint64_t la_ctable_bump(void *mem, unsigned slot);
/*
 * Marks for the second tier (Redis): a slot written while that tier was
 * away, so that whichever process reaches it first carries the write
 * there, even when the process that made it is gone. take unmarks the
 * slot and says whether it was marked; any says whether some slot is.
 */
void la_ctable_pending_set(void *mem, unsigned slot);
int la_ctable_pending_take(void *mem, unsigned slot);
int la_ctable_pending_any(void *mem);

/*
 * Looks key (hashed to hash) up: LA_CTABLE_HIT with its value appended to
 * out, LA_CTABLE_MISS, or -1 when the stripe lock failed (errno). An
 * entry that is expired at now, of an older generation or of another
 * epoch is a miss (and is dropped).
 */
int la_ctable_get(void *mem, uint64_t hash, const void *key, size_t klen,
    uint64_t epoch, int64_t now, struct la_buf *out);
/*
 * Stores value under key, replacing an entry with the same key, until
 * expires (same clock as now). gen is the generation of slot as the
 * caller read it BEFORE producing value: when it moved on meanwhile the
 * value may already be stale and is not stored. 0 stored, 1 not stored
 * (too large for a stripe, or stale), -1 when the lock failed.
 */
int la_ctable_put(void *mem, uint64_t hash, const void *key, size_t klen,
    const void *value, size_t vlen, unsigned slot, uint64_t gen, uint64_t epoch,
    int64_t now, int64_t expires);
void la_ctable_stats(void *mem, struct la_ctable_stats *st);

/* For tests: the lock and data of the stripe hash falls in. */
struct la_shmlock *la_ctable_stripe_lock(void *mem, uint64_t hash);
void *la_ctable_stripe_data(void *mem, uint64_t hash, size_t *len);

#endif
