/*
 * RateLimitMiddleware (SPEC §13): at most `requests` per `per` seconds
 * per client address, counted by a sliding window (lib/ratewin.h) in a
 * shared-memory zone, so all workers count together; with
 * cache.redis_url, in Redis, so all hosts count together, falling back
 * to the shared-memory count whenever Redis does not answer. A refused
 * request gets 429 {"detail":"rate limit exceeded"} with Retry-After.
 */
#ifndef LA_RATELIMIT_H
#define LA_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "handler.h"

struct la_gen;
struct la_shmseg;
struct la_shmseg_zone;

#define LA_RATELIMIT_ZONE "ratelimit"

/* Whether generation g limits rates (the zone is wanted). */
int la_ratelimit_wanted(const struct la_gen *g);
size_t la_ratelimit_size(const struct la_gen *g);
void la_ratelimit_attach(struct la_shmseg *s, struct la_shmseg_zone *z);
/* Request part: counts the request, or answers 429 (LA_PHASE_DONE). */
int la_ratelimit_phase(struct la_req *r);

#endif
