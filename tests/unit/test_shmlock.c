/*
 * Unit tests for lib/shmlock.c. Threads stand in for processes: a robust
 * mutex reports a thread that exits holding it just as it reports a
 * killed process. alarm() turns a hang into a failure within seconds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "la.h"
#include "shmlock.h"
#include "tap.h"

#define COUNT_THREADS 4
#define COUNT_LOOPS   20000

static struct la_shmlock lock;
static long counter;
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

/* Takes the lock and exits without releasing it. */
static void *
die_holding(void *arg)
{
	(void)arg;
	la_shmlock_lock(&lock);
	return (NULL);
}

/* Holds the lock until the main thread opens the gate. */
static void *
hold_until_gate(void *arg)
{
	int *held = arg;

	la_shmlock_lock(&lock);
	__atomic_store_n(held, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&gate);
	pthread_mutex_unlock(&gate);
	la_shmlock_unlock(&lock);
	return (NULL);
}

static void *
count(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < COUNT_LOOPS; i++) {
		la_shmlock_lock(&lock);
		counter++;
		la_shmlock_unlock(&lock);
	}
	return (NULL);
}

static void
kill_holder(void)
{
	pthread_t t;

	pthread_create(&t, NULL, die_holding, NULL);
	pthread_join(t, NULL);
}

int
main(void)
{
	pthread_t t[COUNT_THREADS];
	int64_t start, took;
	int held = 0, rc, i;

	alarm(10); /* a lock that never comes back fails the test */
	ok(la_shmlock_init(&lock) == 0, "init");
	is_int(la_shmlock_lock(&lock), 0, "lock");
	la_shmlock_unlock(&lock);
	is_int(la_shmlock_lock(&lock), 0, "lock again after unlock");
	la_shmlock_unlock(&lock);
	is_int(la_shmlock_recoveries(&lock), 0, "no recovery so far");

	/* Dead owner: reported once, then the lock is an ordinary lock. */
	kill_holder();
	is_int(la_shmlock_lock(&lock), LA_SHMLOCK_OWNER_DIED,
	    "a lock whose owner died is reported as such");
	is_int(la_shmlock_recoveries(&lock), 1, "and counted");
	la_shmlock_consistent(&lock);
	la_shmlock_unlock(&lock);
	is_int(la_shmlock_lock(&lock), 0,
	    "after consistent it is a plain lock again");
	la_shmlock_unlock(&lock);
	is_int(la_shmlock_recoveries(&lock), 1, "counted once");

	kill_holder();
	is_int(la_shmlock_timedlock(&lock, 1000), LA_SHMLOCK_OWNER_DIED,
	    "timedlock reports a dead owner too");
	la_shmlock_consistent(&lock);
	la_shmlock_unlock(&lock);

	/* A busy lock: timedlock gives up in about the time asked for. */
	pthread_mutex_lock(&gate);
	pthread_create(&t[0], NULL, hold_until_gate, &held);
	while (!__atomic_load_n(&held, __ATOMIC_SEQ_CST))
		usleep(1000);
	start = la_monotonic_ms();
	errno = 0;
	rc = la_shmlock_timedlock(&lock, 100);
	took = la_monotonic_ms() - start;
	ok(rc == -1 && errno == ETIMEDOUT,
	    "timedlock on a held lock times out");
	ok(took >= 90 && took < 2000, "after about 100 ms (%lld)",
	    (long long)took);
	pthread_mutex_unlock(&gate);
	is_int(la_shmlock_timedlock(&lock, 2000), 0,
	    "and succeeds once the holder lets go");
	la_shmlock_unlock(&lock);
	pthread_join(t[0], NULL);

	/* Mutual exclusion. */
	for (i = 0; i < COUNT_THREADS; i++)
		pthread_create(&t[i], NULL, count, NULL);
	for (i = 0; i < COUNT_THREADS; i++)
		pthread_join(t[i], NULL);
	is_int(counter, (long)COUNT_THREADS * COUNT_LOOPS,
	    "no increment lost under contention");

	/* The contract: unlocking a dead owner's lock without consistent
	 * makes it unusable, which is why the caller must repair first. */
	kill_holder();
	is_int(la_shmlock_lock(&lock), LA_SHMLOCK_OWNER_DIED, "dead owner");
	la_shmlock_unlock(&lock);
	errno = 0;
	rc = la_shmlock_lock(&lock);
	ok(rc == -1 && errno == ENOTRECOVERABLE,
	    "unlocked without consistent: not recoverable, reported as -1");
	return (done_testing());
}
