/*
 * A lock for memory shared between processes that cannot be wedged by a
 * holder that dies: a robust, process-shared pthread mutex. The next
 * locker is told the owner died, so it can repair or wipe what the lock
 * guards before anyone else sees it. Works on any memory (a shared
 * mapping, or a malloc'd block in a test with threads: a thread that
 * exits holding the lock is reported as a dead owner too).
 */
#ifndef LA_SHMLOCK_H
#define LA_SHMLOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* la_shmlock_lock(): the lock is held, but its last owner died in it. */
#define LA_SHMLOCK_OWNER_DIED 1

struct la_shmlock {
	pthread_mutex_t mtx;
	_Atomic uint64_t recoveries; /* dead owners reported so far */
};

/* Initialises l in place (once, before any other process uses it). */
int la_shmlock_init(struct la_shmlock *l);
/*
 * Takes l: 0, or LA_SHMLOCK_OWNER_DIED when its last owner died holding
 * it. In that case the caller holds the lock, repairs what it guards and
 * then calls la_shmlock_consistent(); unlocking without doing so makes
 * the lock unusable for good. -1 with errno on failure (not held).
 */
int la_shmlock_lock(struct la_shmlock *l);
/* As la_shmlock_lock(), giving up after ms with errno ETIMEDOUT. */
int la_shmlock_timedlock(struct la_shmlock *l, int ms);
/* After LA_SHMLOCK_OWNER_DIED: what the lock guards is whole again. */
void la_shmlock_consistent(struct la_shmlock *l);
void la_shmlock_unlock(struct la_shmlock *l);
/* How many times a dead owner was reported. */
uint64_t la_shmlock_recoveries(struct la_shmlock *l);

#endif
