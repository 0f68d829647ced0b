/*
 * The response cache (SPEC §10), shared-memory tier, and the HTTP
 * validators (ETag, If-None-Match) that go with it. Its phases sit in
 * the pipeline's table (pipeline.c), which alone decides their order:
 *
 *   cache lookup   request stage: GET/HEAD on an endpoint with meta.cache
 *                  answers from the cache (X-Cache: HIT) or marks the
 *                  request so that its answer is stored
 *   invalidation   a 2xx POST/PUT/PATCH/DELETE bumps its table's
 *                  generation: every entry of that table is gone at once
 *   etag           a strong ETag on every 200 GET
 *   cache store    the marked request's 200 answer is stored (X-Cache:
 *                  MISS)
 *   conditional    If-None-Match naming the ETag turns the 200 into a 304
 *
 * The table itself is lib/ctable, laid over the "cache" zone of the
 * shared segment (shm.c), which the master maps before forking.
 */
#ifndef LA_CACHE_H
#define LA_CACHE_H

#include <stddef.h>

#include "ctable.h"
#include "handler.h"

#define LA_CACHE_ZONE "cache"

struct la_gen;
struct la_shmseg;
struct la_shmseg_zone;

/* Whether generation g caches anything (some endpoint has meta.cache). */
int la_cache_wanted(const struct la_gen *g);
/* The bytes of the zone: cache.shm_size. */
size_t la_cache_size(const struct la_gen *g);
/* Master: uses zone z of s (NULL: no cache) for the workers forked next. */
void la_cache_attach(struct la_shmseg *s, struct la_shmseg_zone *z);

int la_cache_lookup(struct la_req *r);
int la_cache_invalidate(struct la_req *r);
/* Ends what is cached of table (a canned query's invalidates:). */
void la_cache_invalidate_table(struct la_req *r, const char *table);
/* Between requests, a few times a second: carries to Redis the writes
 * this host made while it was away (see cache_redis.h). */
void la_cache_idle(const struct la_ctx *ctx);
int la_cache_etag(struct la_req *r);
int la_cache_store(struct la_req *r);
int la_cache_conditional(struct la_req *r);

/* The zone's counters; 0 without a cache. */
int la_cache_stats(struct la_ctable_stats *st);

#endif
