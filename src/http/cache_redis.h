/*
 * The second tier of the response cache: Redis, shared by several
 * lightapid hosts. Each worker keeps its own connection, opened on first
 * use (never in the master, so none crosses fork()), with short timeouts.
 *
 * Keys: lightapi:<table>:gen holds a table's generation (INCR after a
 * committed write); an entry is lightapi:<table>:<gen>:<hash>, so an
 * invalidation is one INCR on any host and old entries expire by TTL.
 *
 * Redis unreachable: one warning per worker, then the worker does not try
 * again for a second. Meanwhile the cache is bypassed (a shared-memory
 * entry cannot be known fresh when another host may have written), no
 * request fails, and a table written meanwhile is bumped once Redis is
 * back, so no host serves what that write made stale: the table is
 * marked in the shared-memory cache table (la_ctable_pending_set), so
 * the bump is made by whichever worker reaches Redis first, even when the
 * worker that wrote has died since.
 */
#ifndef LA_CACHE_REDIS_H
#define LA_CACHE_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The table's generation in Redis: 0, or -1 when Redis is unreachable. */
int la_credis_gen(const char *url, const char *table, uint64_t *gen);
/* 1 with the stored value appended to out, 0 on a miss, -1 when down.
 * *ttl_left is the seconds the entry still has. */
int la_credis_get(const char *url, const char *table, uint64_t gen,
    uint64_t hash, const char *key, size_t klen, struct la_buf *out,
    int *ttl_left);
void la_credis_put(const char *url, const char *table, uint64_t gen,
    uint64_t hash, const char *key, size_t klen, const char *value, size_t vlen,
    int ttl);
/* How many times this process lost Redis so far. */
uint64_t la_credis_failures(void);
/* After a committed write: INCR; -1 when Redis is away (the caller keeps
 * the table marked until it is back, see cache.c). */
int la_credis_bump(const char *url, const char *table);
/* 0 when Redis is reachable (connecting if its retry time has come). */
int la_credis_up(const char *url);

/*
 * Rate limiting across hosts (ratelimit.c): lightapi:rl:<per>:<window>:
 * <addr> counts addr's requests in that window. INCRs this window's
 * counter (which expires after two windows) and reads the previous one:
 * 0 with *prev and *cur (this request included), -1 when Redis is away.
 */
int la_credis_rate(const char *url, const char *addr, int64_t window, int per,
    uint64_t *prev, uint64_t *cur);
/* Takes back the count of a refused request. */
void la_credis_rate_undo(const char *url, const char *addr, int64_t window,
    int per);

#endif
