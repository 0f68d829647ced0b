/*
 * Shared segment and robust process-shared mutexes (see shm.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "shm.h"

struct la_shm *
la_shm_create(void)
{
	pthread_mutexattr_t attr;
	struct la_shm *s;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		la_log(LA_LOG_EMERG, "mmap shared segment: %s",
		    strerror(errno));
		return (NULL);
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&s->db_write, &attr);
	pthread_mutex_init(&s->throttle_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	s->magic = LA_SHM_MAGIC;
	return (s);
}

void
la_shm_lock(pthread_mutex_t *m)
{
	/* The owner died mid-write: SQLite rolled its transaction back,
	 * so the lock protects nothing half-done; take it over. */
	if (pthread_mutex_lock(m) == EOWNERDEAD)
		pthread_mutex_consistent(m);
}

void
la_shm_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
}
