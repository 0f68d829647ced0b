/*
 * The segment the master maps shared before forking, for state the
 * workers must share while they run (the catalog has its own read-only
 * mapping). Process-shared locks here are robust: a worker killed while
 * holding one does not wedge the others.
 */
#ifndef LA_SHM_H
#define LA_SHM_H

#include <pthread.h>
#include <stdint.h>

#define LA_SHM_MAGIC 0x6c617368u /* "lash" */

/* Failed logins of one client address in the current window. */
struct la_shm_throttle {
	uint64_t addr_hash;
	int64_t window_start; /* monotonic seconds */
	uint32_t failures;
};

#define LA_SHM_THROTTLE_SLOTS 1024

struct la_shm {
	uint32_t magic;
	pthread_mutex_t db_write; /* SQLite: one writer at a time, queued */
	pthread_mutex_t throttle_lock;
	struct la_shm_throttle throttle[LA_SHM_THROTTLE_SLOTS];
};

/* Maps and initialises the segment; NULL on failure (logged). */
struct la_shm *la_shm_create(void);
/* Robust lock: recovers a lock whose owner died. */
void la_shm_lock(pthread_mutex_t *m);
void la_shm_unlock(pthread_mutex_t *m);

#endif
