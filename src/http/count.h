/*
 * The count cache (SPEC §6 "Counting"): the totals of page-number lists,
 * kept per table and filter in the "count" zone of the shared segment so
 * that a page does not count the table on every request.
 *
 * A count is filed under the text of its COUNT statement and the values
 * bound to it, so two requests share it exactly when the database would
 * answer both alike. It is dropped when its table's generation moves (a
 * write through lightapid, in any worker: the "count invalidation" phase)
 * and is at most meta.pagination.count_ttl seconds old otherwise, which
 * bounds how long a write made outside lightapid can go unseen.
 *
 * The zone is a lib/ctable of its own (COUNT_ZONE_SIZE), so counts never
 * evict cached responses nor show in the response cache's counters.
 */
#ifndef LA_COUNT_H
#define LA_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "ctable.h"
#include "handler.h"
#include "value.h"

#define LA_COUNT_ZONE "count"

struct la_gen;
struct la_shmseg;
struct la_shmseg_zone;

/* One lookup, kept for the store that follows a miss. */
struct la_count_entry {
	uint64_t hash, gen, epoch;
	unsigned slot;
	const char *key;
	size_t klen;
	int ttl; /* seconds */
};

/* Whether g has a page-number list whose counts are cached. */
int la_count_wanted(const struct la_gen *g);
size_t la_count_size(const struct la_gen *g);
/* Master: uses zone z of s (NULL: counts are not cached). */
void la_count_attach(struct la_shmseg *s, struct la_shmseg_zone *z);

/*
 * Looks up the count of the statement sql (len bytes) with params p[n],
 * over the table named table, for endpoint t: 1 with *count set, 0 on a
 * miss (e is then ready for la_count_store), -1 when nothing is cached
 * (no zone, count_ttl 0, or the lock failed).
 */
int la_count_lookup(struct la_req *r, const struct la_cat_table *t,
    const char *table, const char *sql, size_t len, const struct la_value *p,
    size_t n, struct la_count_entry *e, int64_t *count);
/* Stores count under e, unless the table was written since the lookup. */
void la_count_store(const struct la_count_entry *e, int64_t count);
/* Pipeline phase: a successful write drops its table's counts. */
int la_count_invalidate(struct la_req *r);
/* Drops the cached counts of table (a canned query's invalidates:). */
void la_count_invalidate_table(const char *table);
/* The zone's counters; 0 without the zone. */
int la_count_stats(struct la_ctable_stats *st);

#endif
