/*
 * Login throttling (see throttle.h): a fixed window per address, in a
 * small hash table of slots; a colliding address takes the slot over,
 * which can only ever forgive, never block an innocent address.
 */
#include <string.h>

#include "la.h"
#include "shm.h"
#include "throttle.h"

static struct la_shm *throttle_shm;

void
la_throttle_init(struct la_shm *s)
{
	throttle_shm = s;
}

static uint64_t
throttle_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h | 1); /* 0 marks a free slot */
}

/* The slot of addr, reset when its window is over. Lock held. */
static struct la_shm_throttle *
throttle_slot(const char *addr, int64_t now)
{
	uint64_t h = throttle_hash(addr);
	struct la_shm_throttle *t =
	    &throttle_shm->throttle[h % LA_SHM_THROTTLE_SLOTS];

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
	struct la_shm_throttle *t;
	int wait = 0;

	if (throttle_shm == NULL)
		return (0);
	la_shm_lock(&throttle_shm->throttle_lock);
	t = throttle_slot(addr, now);
	if (t->failures >= LA_THROTTLE_FAILURES)
		wait = (int)(t->window_start + LA_THROTTLE_WINDOW - now);
	la_shm_unlock(&throttle_shm->throttle_lock);
	return (wait > 0 ? wait : 0);
}

void
la_throttle_fail(const char *addr)
{
	if (throttle_shm == NULL)
		return;
	la_shm_lock(&throttle_shm->throttle_lock);
	throttle_slot(addr, la_monotonic_ms() / 1000)->failures++;
	la_shm_unlock(&throttle_shm->throttle_lock);
}
