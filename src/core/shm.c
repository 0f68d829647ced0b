/*
 * Shared segment (see shm.h): maps it, decides which zones it holds and
 * hands each zone to the module that uses it. The master calls this
 * before forking, so every worker inherits the mapping at the same
 * address and the module pointers along with it.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "cache.h"
#include "count.h"
#include "db.h"
#include "gen.h"
#include "la.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "shm.h"
#include "throttle.h"

/* How long the master waits for a worker to leave a zone it copies. */
#define SHM_CARRY_MS 200

struct shm_zone {
	const char *name;
	unsigned flags; /* reload rule: LA_SHMSEG_KEEP or 0 */
	int (*wanted)(const struct la_gen *g);
	size_t (*size)(const struct la_gen *g); /* bytes of data */
	/* Called with z NULL when the generation has no such zone. */
	void (*attach)(struct la_shmseg *s, struct la_shmseg_zone *z);
};

static int
shm_want_login(const struct la_gen *g)
{
	return (g->login);
}

static int
shm_want_sqlite(const struct la_gen *g)
{
	return (g->conf->db.kind == LA_DB_SQLITE);
}

static size_t
shm_no_data(const struct la_gen *g)
{
	(void)g;
	return (0);
}

static size_t
shm_throttle_size(const struct la_gen *g)
{
	(void)g;
	return (la_throttle_size());
}

static int
shm_want_always(const struct la_gen *g)
{
	(void)g;
	return (1);
}

static size_t
shm_metrics_size(const struct la_gen *g)
{
	(void)g;
	return (la_metrics_zone_size());
}

static void
shm_attach_db_write(struct la_shmseg *s, struct la_shmseg_zone *z)
{
	(void)s;
	la_db_set_write_lock(z != NULL ? &z->lock : NULL);
}

/*
 * Every zone, one line each. The throttle is kept over a reload so that
 * a reload does not forgive attackers; the SQLite writer lock guards no
 * data. The response cache starts empty in a new segment and is kept
 * as it is in a kept one (its keys carry the configuration's stamp, see
 * cache.c). The metrics counters have a fixed size, so they never make a
 * reload change the segment, and are carried when something else does:
 * counters must not go down. The rate limit counts are kept like the
 * throttle's. The count cache starts empty in a new segment.
 */
static const struct shm_zone shm_zones[] = {
    {LA_THROTTLE_ZONE, LA_SHMSEG_KEEP, shm_want_login, shm_throttle_size,
        la_throttle_attach},
    {LA_SHM_DB_WRITE, 0, shm_want_sqlite, shm_no_data, shm_attach_db_write},
    {LA_CACHE_ZONE, 0, la_cache_wanted, la_cache_size, la_cache_attach},
    {LA_COUNT_ZONE, 0, la_count_wanted, la_count_size, la_count_attach},
    {LA_METRICS_ZONE, LA_SHMSEG_KEEP, shm_want_always, shm_metrics_size,
        la_metrics_attach},
    {LA_RATELIMIT_ZONE, LA_SHMSEG_KEEP, la_ratelimit_wanted, la_ratelimit_size,
        la_ratelimit_attach},
};

/* The segment of this process; workers inherit it. */
static struct la_shmseg *shm_current;

size_t
la_shm_zones(const struct la_gen *g, struct la_shmseg_req *req)
{
	size_t i, n = 0;

	for (i = 0; i < LA_NELEM(shm_zones); i++) {
		if (!shm_zones[i].wanted(g))
			continue;
		req[n].name = shm_zones[i].name;
		req[n].size = shm_zones[i].size(g);
		req[n].flags = shm_zones[i].flags;
		n++;
	}
	return (n);
}

struct la_shmseg *
la_shm_map(const struct la_shmseg_req *req, size_t n)
{
	struct la_shmseg *s;
	size_t size;
	void *p;

	if (la_shmseg_size(req, n, &size) != 0) {
		la_log(LA_LOG_EMERG, "shared memory zones: %s",
		    strerror(errno));
		return (NULL);
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		la_log(LA_LOG_EMERG, "mmap shared segment of %zu bytes: %s",
		    size, strerror(errno));
		return (NULL);
	}
	if ((s = la_shmseg_init(p, size, req, n)) == NULL) {
		la_log(LA_LOG_EMERG, "shared segment: %s", strerror(errno));
		munmap(p, size);
	}
	return (s);
}

void
la_shm_unmap(struct la_shmseg *s)
{
	if (s != NULL)
		munmap(s, s->size);
}

struct la_shmseg *
la_shm_prepare(const struct la_gen *g)
{
	struct la_shmseg_req req[LA_SHMSEG_MAXZONES];
	size_t n = la_shm_zones(g, req);

	if (shm_current != NULL && la_shmseg_fits(shm_current, req, n))
		return (shm_current);
	return (la_shm_map(req, n));
}

void
la_shm_use(struct la_shmseg *s)
{
	struct la_shmseg *prev = NULL;
	size_t i;

	if (s != shm_current && shm_current != NULL) {
		prev = shm_current;
		la_log(LA_LOG_NOTICE,
		    "shared memory zones changed: new segment of %llu bytes",
		    (unsigned long long)s->size);
		if (la_shmseg_carry(s, prev, SHM_CARRY_MS) != 0)
			la_log(LA_LOG_WARN,
			    "a shared memory zone stayed busy "
			    "and was not carried over; it starts "
			    "empty");
	}
	shm_current = s;
	for (i = 0; i < LA_NELEM(shm_zones); i++)
		shm_zones[i].attach(s, la_shmseg_zone(s, shm_zones[i].name));
	/* Our mapping only: draining workers keep theirs. */
	la_shm_unmap(prev);
}

void
la_shm_discard(struct la_shmseg *s)
{
	if (s != shm_current)
		la_shm_unmap(s);
}

uint64_t
la_shm_epoch(void)
{
	return (shm_current != NULL ? la_shmseg_epoch(shm_current) : 0);
}

uint64_t
la_shm_bump_epoch(void)
{
	return (shm_current != NULL ? la_shmseg_bump_epoch(shm_current) : 0);
}
