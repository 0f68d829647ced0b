/*
 * Login throttling (see throttle.h): a fixed window per address, in a
 * small hash table of slots; a colliding address takes the slot over,
 * which can only ever forgive, never block an innocent address.
 *
 * A worker that dies holding the zone lock may leave a slot half
 * written; the next locker finds the zone wiped (all slots free), which
 * forgives every address once rather than trusting a torn slot.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "la.h"
#include "log.h"
#include "metrics.h"
#include "shmseg.h"
#include "throttle.h"

#define THROTTLE_SLOTS 1024

/* Failed logins of one client address in the current window. */
struct throttle_slot {
	uint64_t addr_hash;   /* 0: free */
	int64_t window_start; /* monotonic seconds */
	uint32_t failures;
};

struct throttle_zone {
	struct throttle_slot slot[THROTTLE_SLOTS];
};

static struct la_shmseg *throttle_seg;
static struct la_shmseg_zone *throttle_z;

size_t
la_throttle_size(void)
{
	return (sizeof(struct throttle_zone));
}

void
la_throttle_attach(struct la_shmseg *s, struct la_shmseg_zone *z)
{
	throttle_seg = s;
	throttle_z =
	    z != NULL && z->size >= sizeof(struct throttle_zone) ? z : NULL;
}

static uint64_t
throttle_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h | 1); /* 0 marks a free slot */
}

/* The table, locked; NULL when throttling is off or the lock failed. */
static struct throttle_zone *
throttle_lock(void)
{
	int rc;

	if (throttle_z == NULL)
		return (NULL);
	rc = la_shmseg_lock(throttle_seg, throttle_z);
	if (rc < 0) {
		la_log(LA_LOG_CRIT, "login throttle lock: %s", strerror(errno));
		return (NULL);
	}
	if (rc == LA_SHMLOCK_OWNER_DIED)
		la_log(LA_LOG_ALERT,
		    "a worker died holding the login throttle; "
		    "failed-login counts were reset");
	return (la_shmseg_data(throttle_seg, throttle_z));
}

/* The slot of addr, reset when its window is over. Lock held. */
static struct throttle_slot *
throttle_slot(struct throttle_zone *tz, const char *addr, int64_t now)
{
	uint64_t h = throttle_hash(addr);
	struct throttle_slot *t = &tz->slot[h % THROTTLE_SLOTS];

	if (t->addr_hash != h || now - t->window_start >= LA_THROTTLE_WINDOW) {
		t->addr_hash = h;
		t->window_start = now;
		t->failures = 0;
	}
	return (t);
}

int
la_throttle_wait(const char *addr)
{
	int64_t now = la_monotonic_ms() / 1000;
	struct throttle_zone *tz;
	struct throttle_slot *t;
	int wait = 0;

	if ((tz = throttle_lock()) == NULL)
		return (0);
	t = throttle_slot(tz, addr, now);
	if (t->failures >= LA_THROTTLE_FAILURES)
		wait = (int)(t->window_start + LA_THROTTLE_WINDOW - now);
	la_shmseg_unlock(throttle_z);
	if (wait > 0)
		la_metrics_count_throttled();
	return (wait > 0 ? wait : 0);
}

void
la_throttle_fail(const char *addr)
{
	struct throttle_zone *tz;

	if ((tz = throttle_lock()) == NULL)
		return;
	throttle_slot(tz, addr, la_monotonic_ms() / 1000)->failures++;
	la_shmseg_unlock(throttle_z);
}
