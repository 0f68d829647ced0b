/*
 * Unit tests for src/core/shm.c: which zones a configuration gets, the shared
 * mapping seen from another process (a lock whose owner was killed, the
 * epoch) and a reload that keeps or replaces the segment. alarm() turns
 * a lock that never comes back into a failure within seconds.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gen.h"
#include "metrics.h"
#include "shm.h"
#include "throttle.h"
#include "tap.h"

static const struct la_shmseg_req *
find(const struct la_shmseg_req *req, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(req[i].name, name) == 0)
			return (&req[i]);
	return (NULL);
}

static void
test_zones(void)
{
	struct la_shmseg_req req[LA_SHMSEG_MAXZONES];
	const struct la_shmseg_req *r;
	struct la_conf c;
	struct la_gen g;
	size_t n;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	g.conf = &c;
	c.db.kind = LA_DB_PGSQL;
	n = la_shm_zones(&g, req);
	is_int(n, 1, "PostgreSQL without login routes: the metrics zone only");
	r = find(req, n, LA_METRICS_ZONE);
	ok(r != NULL && r->size == la_metrics_zone_size() &&
	        r->flags == LA_SHMSEG_KEEP,
	    "metrics: a fixed size, kept over a reload");
	c.db.kind = LA_DB_SQLITE;
	n = la_shm_zones(&g, req);
	is_int(n, 2, "SQLite: one zone more");
	r = find(req, n, LA_SHM_DB_WRITE);
	ok(r != NULL && r->size == 0 && r->flags == 0,
	    "the writer lock, without data, not kept over a reload");
	g.login = 1;
	n = la_shm_zones(&g, req);
	is_int(n, 3, "login routes add a zone");
	r = find(req, n, LA_THROTTLE_ZONE);
	ok(r != NULL && r->size == la_throttle_size() && r->size > 0 &&
	        r->flags == LA_SHMSEG_KEEP,
	    "the throttle, kept over a reload");
}

/* Forks a child that runs fn on s and exits with its result. */
static int
in_child(int (*fn)(struct la_shmseg *), struct la_shmseg *s)
{
	int status;
	pid_t pid;

	if ((pid = fork()) == 0)
		_exit(fn(s));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return (-1);
	return (
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* Dies holding the writer lock, as a crashing worker would. */
static int
child_die_locked(struct la_shmseg *s)
{
	la_shmseg_lock(s, la_shmseg_zone(s, LA_SHM_DB_WRITE));
	kill(getpid(), SIGKILL);
	return (0);
}

static int
child_bump(struct la_shmseg *s)
{
	return ((int)la_shmseg_bump_epoch(s));
}

static int
child_epoch(struct la_shmseg *s)
{
	(void)s;
	return ((int)la_shm_epoch());
}

static void
test_processes(void)
{
	static const struct la_shmseg_req req[] = {{LA_SHM_DB_WRITE, 0, 0}};
	struct la_shmseg *s = la_shm_map(req, 1);
	struct la_shmseg_zone *z;

	ok(s != NULL && la_shmseg_check(s, s->size) == 0,
	    "a segment is mapped");
	z = la_shmseg_zone(s, LA_SHM_DB_WRITE);
	is_int(la_shmseg_lock(s, z), 0, "lock");
	la_shmseg_unlock(z);
	is_int(in_child(child_die_locked, s), 128 + SIGKILL,
	    "a child is killed holding the lock");
	is_int(la_shmseg_lock(s, z), LA_SHMLOCK_OWNER_DIED,
	    "the parent is told the owner died");
	la_shmseg_unlock(z);
	is_int(la_shmseg_lock(s, z), 0, "and then locks it normally");
	la_shmseg_unlock(z);
	is_int(in_child(child_bump, s), 1, "a child bumps the epoch");
	is_int(la_shmseg_epoch(s), 1, "the parent sees it");
	la_shm_unmap(s);
}

static void
test_reload(void)
{
	struct la_shmseg *s1, *s2;
	struct la_conf c;
	struct la_gen g;
	int i;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	g.conf = &c;
	c.db.kind = LA_DB_SQLITE;
	g.login = 1;
	is_int(la_shm_epoch(), 0, "no segment: epoch 0");
	is_int(la_shm_bump_epoch(), 0, "and nothing to bump");
	s1 = la_shm_prepare(&g);
	ok(s1 != NULL, "prepare");
	la_shm_use(s1);
	is_int(la_throttle_wait("192.0.2.1"), 0, "an address may log in");
	for (i = 0; i < LA_THROTTLE_FAILURES; i++)
		la_throttle_fail("192.0.2.1");
	ok(la_throttle_wait("192.0.2.1") > 0, "until it failed too often");
	is_int(la_shm_bump_epoch(), 1, "bump");
	is_int(in_child(child_epoch, NULL), 1,
	    "a forked worker reads the epoch");

	ok(la_shm_prepare(&g) == s1, "the same zones keep the segment");
	la_shm_use(s1);
	ok(la_throttle_wait("192.0.2.1") > 0, "with its counts");

	c.db.kind = LA_DB_PGSQL;
	s2 = la_shm_prepare(&g);
	ok(s2 != NULL && s2 != s1, "other zones: a new segment");
	ok(la_shmseg_zone(s2, LA_SHM_DB_WRITE) == NULL,
	    "without the writer lock");
	la_shm_discard(s2);
	ok(la_throttle_wait("192.0.2.1") > 0,
	    "a discarded one changes nothing");
	s2 = la_shm_prepare(&g);
	la_shm_use(s2);
	ok(la_throttle_wait("192.0.2.1") > 0,
	    "throttle counts are carried into the new segment");
	is_int(la_shm_epoch(), 1, "and the epoch");

	g.login = 0;
	s1 = la_shm_prepare(&g);
	la_shm_use(s1);
	is_int(la_throttle_wait("192.0.2.1"), 0,
	    "without login routes there is no throttle");
}

/* Dies holding the login throttle, as a worker killed mid-update. */
static int
child_die_in_throttle(struct la_shmseg *s)
{
	la_shmseg_lock(s, la_shmseg_zone(s, LA_THROTTLE_ZONE));
	kill(getpid(), SIGKILL);
	return (0);
}

static void
test_throttle_dead_owner(void)
{
	struct la_shmseg_zone *z;
	struct la_shmseg *s;
	struct la_conf c;
	struct la_gen g;
	int i;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	g.conf = &c;
	g.login = 1;
	s = la_shm_prepare(&g);
	la_shm_use(s);
	z = la_shmseg_zone(s, LA_THROTTLE_ZONE);
	for (i = 0; i < LA_THROTTLE_FAILURES; i++)
		la_throttle_fail("198.51.100.7");
	ok(la_throttle_wait("198.51.100.7") > 0, "an address is throttled");
	is_int(in_child(child_die_in_throttle, s), 128 + SIGKILL,
	    "a worker is killed holding the throttle");
	is_int(la_throttle_wait("198.51.100.7"), 0,
	    "the next worker finds the zone wiped: counts start over");
	is_int(la_shmlock_recoveries(&z->lock), 1, "one recovery");
	for (i = 0; i < LA_THROTTLE_FAILURES; i++)
		la_throttle_fail("198.51.100.7");
	ok(la_throttle_wait("198.51.100.7") > 0, "and it throttles again");
	is_int(la_shmlock_recoveries(&z->lock), 1, "without another recovery");
}

int
main(void)
{
	alarm(10); /* a lock that never comes back fails the test */
	test_zones();
	test_processes();
	test_reload();
	test_throttle_dead_owner();
	return (done_testing());
}
