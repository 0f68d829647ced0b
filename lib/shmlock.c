/*
 * Robust process-shared locks (see shmlock.h). A plain process-shared
 * mutex stays locked forever when its holder is killed, and every worker
 * would hang on it; a robust one hands the lock to the next locker with
 * EOWNERDEAD instead.
 */
#include <errno.h>
#include <time.h>

#include "shmlock.h"

int
la_shmlock_init(struct la_shmlock *l)
{
	pthread_mutexattr_t attr;
	int rc;

	if ((rc = pthread_mutexattr_init(&attr)) != 0) {
		errno = rc;
		return (-1);
	}
	if ((rc = pthread_mutexattr_setpshared(&attr,
	         PTHREAD_PROCESS_SHARED)) == 0 &&
	    (rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) ==
	        0)
		rc = pthread_mutex_init(&l->mtx, &attr);
	pthread_mutexattr_destroy(&attr);
	atomic_init(&l->recoveries, 0);
	if (rc != 0) {
		errno = rc;
		return (-1);
	}
	return (0);
}

/* Maps a pthread result to our convention. */
static int
shmlock_result(struct la_shmlock *l, int rc)
{
	if (rc == 0)
		return (0);
	if (rc == EOWNERDEAD) {
		/* Held now; consistent is left to the caller, after its
		 * repair, so that a caller who dies while repairing makes
		 * the next one repair again. */
		atomic_fetch_add(&l->recoveries, 1);
		return (LA_SHMLOCK_OWNER_DIED);
	}
	errno = rc;
	return (-1);
}

int
la_shmlock_lock(struct la_shmlock *l)
{
	return (shmlock_result(l, pthread_mutex_lock(&l->mtx)));
}

int
la_shmlock_timedlock(struct la_shmlock *l, int ms)
{
	struct timespec ts;

	/* pthread_mutex_timedlock() takes a CLOCK_REALTIME deadline. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return (shmlock_result(l, pthread_mutex_timedlock(&l->mtx, &ts)));
}

void
la_shmlock_consistent(struct la_shmlock *l)
{
	pthread_mutex_consistent(&l->mtx);
}

void
la_shmlock_unlock(struct la_shmlock *l)
{
	pthread_mutex_unlock(&l->mtx);
}

uint64_t
la_shmlock_recoveries(struct la_shmlock *l)
{
	return (atomic_load(&l->recoveries));
}
