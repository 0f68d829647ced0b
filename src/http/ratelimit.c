/*
 * Rate limiting per client address (see ratelimit.h). The zone is a hash
 * table of sliding-window counters, one slot per address; a colliding
 * address takes the slot over, which can only forgive, never refuse an
 * innocent address. The table is kept over a reload (so a reload does
 * not reset everyone's count); a change of `per` starts the counts anew
 * since windows no longer line up.
 *
 * Shared memory uses the monotonic clock all workers share; Redis uses
 * the wall clock, which is what several hosts share.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "la.h"
#include "gen.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "ratelimit.h"
#include "ratewin.h"
#include "shmseg.h"
#ifdef HAVE_REDIS
#include "cache_redis.h"
#endif

#define RATELIMIT_SLOTS 8192

struct ratelimit_slot {
	uint64_t addr_hash; /* 0: free */
	struct la_ratewin w;
};

/* Refused requests are counted by metrics (la_metrics_count_ratelimited). */
struct ratelimit_zone {
	struct ratelimit_slot slot[RATELIMIT_SLOTS];
};

static struct la_shmseg *ratelimit_seg;
static struct la_shmseg_zone *ratelimit_z;

int
la_ratelimit_wanted(const struct la_gen *g)
{
	return (la_conf_has_middleware(g->conf, "RateLimitMiddleware"));
}

size_t
la_ratelimit_size(const struct la_gen *g)
{
	(void)g;
	return (sizeof(struct ratelimit_zone));
}

void
la_ratelimit_attach(struct la_shmseg *s, struct la_shmseg_zone *z)
{
	ratelimit_seg = s;
	ratelimit_z =
	    z != NULL && z->size >= sizeof(struct ratelimit_zone) ? z : NULL;
}

static uint64_t
ratelimit_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h | 1); /* 0 marks a free slot */
}

/* The table, locked; NULL when there is none or the lock failed. */
static struct ratelimit_zone *
ratelimit_lock(void)
{
	int rc;

	if (ratelimit_z == NULL)
		return (NULL);
	rc = la_shmseg_lock(ratelimit_seg, ratelimit_z);
	if (rc < 0) {
		la_log(LA_LOG_CRIT, "rate limit lock: %s", strerror(errno));
		return (NULL);
	}
	if (rc == LA_SHMLOCK_OWNER_DIED)
		la_log(LA_LOG_ALERT, "a worker died holding the rate limit "
		                     "table; request counts were reset");
	return (la_shmseg_data(ratelimit_seg, ratelimit_z));
}

/*
 * 1 allowed (counted), 0 refused, -1 no table: the shared-memory count.
 * retry NULL: count only, as Redis allowed it.
 */
static int
ratelimit_shm(const char *addr, int64_t per_ms, uint64_t limit, int *retry)
{
	uint64_t h = ratelimit_hash(addr);
	struct ratelimit_zone *rz;
	struct ratelimit_slot *t;
	int ok;

	if ((rz = ratelimit_lock()) == NULL)
		return (-1);
	t = &rz->slot[h % RATELIMIT_SLOTS];
	if (t->addr_hash != h) {
		memset(t, 0, sizeof(*t));
		t->addr_hash = h;
	}
	ok = 1;
	if (retry == NULL)
		la_ratewin_count(&t->w, la_monotonic_ms(), per_ms);
	else
		ok = la_ratewin_hit(&t->w, la_monotonic_ms(), per_ms, limit,
		    retry);
	la_shmseg_unlock(ratelimit_z);
	return (ok);
}

/* The same in Redis: -1 when Redis did not answer. */
static int
ratelimit_redis(const struct la_req *r, int64_t per_ms, uint64_t limit,
    int *retry)
{
#ifdef HAVE_REDIS
	const char *url = r->ctx->conf->cache.redis_url;
	struct timespec ts;
	uint64_t prev, cur;
	int64_t now, start;

	if (url == NULL || url[0] == '\0')
		return (-1);
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	start = now - now % per_ms;
	if (la_credis_rate(url, r->peer, start / per_ms, (int)(per_ms / 1000),
	        &prev, &cur) != 0)
		return (-1);
	/* cur counts this request already: decide as if it did not. */
	if (la_ratewin_decide(prev, cur - 1, now - start, per_ms, limit, retry))
		return (1);
	la_credis_rate_undo(url, r->peer, start / per_ms, (int)(per_ms / 1000));
	return (0);
#else
	(void)r;
	(void)per_ms;
	(void)limit;
	(void)retry;
	return (-1);
#endif
}

int
la_ratelimit_phase(struct la_req *r)
{
	const struct la_conf_ratelimit *c = &r->ctx->conf->ratelimit;
	int64_t per_ms = (int64_t)c->per * 1000;
	uint64_t limit = (uint64_t)c->requests;
	int ok, retry = 1;
	char v[24];

	/* Health checks are the monitor's, which must not be refused. */
	if (r->route->kind == LA_ROUTE_HEALTHZ ||
	    r->route->kind == LA_ROUTE_READYZ)
		return (LA_PHASE_NEXT);
	/* What Redis lets through is counted here too, so that the count
	 * is there to fall back on the moment Redis stops answering. */
	if ((ok = ratelimit_redis(r, per_ms, limit, &retry)) == 1)
		(void)ratelimit_shm(r->peer, per_ms, limit, NULL);
	else if (ok == -1)
		ok = ratelimit_shm(r->peer, per_ms, limit, &retry);
	if (ok != 0)
		return (LA_PHASE_NEXT);
	la_metrics_count_ratelimited();
	snprintf(v, sizeof(v), "%d", retry);
	la_resp_fail(&r->resp, LA_ERR_THROTTLED, "rate limit exceeded");
	la_resp_header(&r->resp, "Retry-After", v);
	return (LA_PHASE_DONE);
}
