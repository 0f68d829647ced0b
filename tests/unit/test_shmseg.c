/*
 * Unit tests for lib/shmseg.c: sizing, alignment, the zone directory,
 * lookups, reload fitting and carrying, dead owners (a thread that exits
 * holding a zone lock) and the epoch. The segment lives on allocated
 * memory; no process is forked. alarm() turns a hang into a failure.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "la.h"
#include "shmseg.h"
#include "tap.h"

#define HDR ((sizeof(struct la_shmseg) + 63) / 64 * 64)

static const struct la_shmseg_req reqs[] = {
    {"throttle", 1000, LA_SHMSEG_KEEP},
    {"db_write", 0, 0},
    {"cache", 4096, 0},
};

struct zone_ref {
	struct la_shmseg *s;
	struct la_shmseg_zone *z;
	int held;
};

static void *
new_block(size_t size, int fill)
{
	void *p = aligned_alloc(LA_SHMSEG_ALIGN, (size + 63) / 64 * 64);

	memset(p, fill, size);
	return (p);
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return (0);
	return (1);
}

static struct la_shmseg *
new_seg(const struct la_shmseg_req *r, size_t n, size_t *size)
{
	if (la_shmseg_size(r, n, size) != 0)
		return (NULL);
	return (la_shmseg_init(new_block(*size, 0xa5), *size, r, n));
}

static void
test_sizing(void)
{
	struct la_shmseg_req r[LA_SHMSEG_MAXZONES + 1];
	char names[LA_SHMSEG_MAXZONES + 1][8];
	size_t size = 0;
	int i;

	ok(la_shmseg_size(NULL, 0, &size) == 0 && size == HDR,
	    "no zones: the header alone, rounded to the alignment");
	ok(la_shmseg_size(reqs, 1, &size) == 0 && size == HDR + 1024,
	    "a zone's size is rounded up to the alignment (%zu)", size);
	ok(la_shmseg_size(reqs, 3, &size) == 0 && size == HDR + 1024 + 4096,
	    "a lock-only zone takes no room (%zu)", size);
	for (i = 0; i <= LA_SHMSEG_MAXZONES; i++) {
		snprintf(names[i], sizeof(names[i]), "z%d", i);
		r[i].name = names[i];
		r[i].size = 1;
		r[i].flags = 0;
	}
	ok(la_shmseg_size(r, LA_SHMSEG_MAXZONES, &size) == 0 &&
	        size == HDR + 64 * LA_SHMSEG_MAXZONES,
	    "a full directory");
	errno = 0;
	ok(la_shmseg_size(r, LA_SHMSEG_MAXZONES + 1, &size) == -1 &&
	        errno == EINVAL,
	    "one zone too many is refused");
	r[1].name = "z0";
	ok(la_shmseg_size(r, 2, &size) == -1, "a repeated name is refused");
	r[1].name = "";
	ok(la_shmseg_size(r, 2, &size) == -1, "an empty name is refused");
	r[1].name = NULL;
	ok(la_shmseg_size(r, 2, &size) == -1, "a missing name is refused");
	r[1].name = "abcdefghijklmnopqrstuvwx"; /* 24: no room for the NUL */
	ok(la_shmseg_size(r, 2, &size) == -1, "a too long name is refused");
	r[1].name = "abcdefghijklmnopqrstuvw";
	ok(la_shmseg_size(r, 2, &size) == 0, "23 characters fit");
	r[1].size = SIZE_MAX - 10;
	ok(la_shmseg_size(r, 2, &size) == -1, "an overflowing size is refused");
	r[1].size = SIZE_MAX / 2;
	r[2].size = SIZE_MAX / 2;
	ok(la_shmseg_size(r, 3, &size) == -1,
	    "a total that overflows is refused");
}

static void
test_layout(void)
{
	struct la_shmseg *s;
	struct la_shmseg_zone *z[3];
	size_t size, i, j;
	char *p;

	s = new_seg(reqs, 3, &size);
	ok(s != NULL, "init");
	is_int(s->magic, LA_SHMSEG_MAGIC, "magic");
	is_int(s->version, LA_SHMSEG_VERSION, "version");
	is_int(s->size, size, "size");
	is_int(la_shmseg_check(s, size), 0, "check accepts what init wrote");
	is_int(la_shmseg_check(s, size + 64), -1, "check compares the size");
	for (i = 0; i < 3; i++) {
		z[i] = la_shmseg_zone(s, reqs[i].name);
		ok(z[i] != NULL, "zone %s found", reqs[i].name);
		is_int(z[i]->size, reqs[i].size, "with its size");
		is_int(z[i]->flags, reqs[i].flags, "and its reload rule");
		ok(z[i]->off % LA_SHMSEG_ALIGN == 0 && z[i]->off >= HDR,
		    "aligned, after the header");
		ok(z[i]->off + z[i]->size <= size, "inside the segment");
		p = la_shmseg_data(s, z[i]);
		ok(p == (char *)s + z[i]->off, "data at its offset");
		ok(all_zero(p, z[i]->size), "zeroed (the block was not)");
	}
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			ok(z[i]->off + z[i]->size <= z[j]->off ||
			        z[j]->off + z[j]->size <= z[i]->off,
			    "zones %s and %s do not overlap", z[i]->name,
			    z[j]->name);
	ok(la_shmseg_zone(s, "metrics") == NULL, "a missing zone: NULL");
	ok(la_shmseg_zone(s, "throttl") == NULL, "a prefix is no match");
	ok(la_shmseg_zone(s, "throttlex") == NULL, "nor a longer name");

	z[2]->off = size; /* past the end */
	is_int(la_shmseg_check(s, size), -1, "check sees a zone out of bounds");
	z[2]->off = HDR + 1024 + 1;
	is_int(la_shmseg_check(s, size), -1, "and a misaligned zone");
	z[2]->off = HDR + 1024;
	s->magic = 0;
	is_int(la_shmseg_check(s, size), -1, "and a bad magic");
	free(s);

	p = new_block(size + 64, 0);
	errno = 0;
	ok(la_shmseg_init(p + 8, size, reqs, 3) == NULL && errno == EINVAL,
	    "a misaligned base is refused");
	ok(la_shmseg_init(p, size - 1, reqs, 3) == NULL,
	    "a block that is too small is refused");
	s = la_shmseg_init(p, size + 64, reqs, 3);
	ok(s != NULL && la_shmseg_check(s, size + 64) == 0,
	    "a larger block is fine (a mapping is rounded to pages)");
	free(p);
}

static void
test_fits(void)
{
	struct la_shmseg_req r[4];
	struct la_shmseg *s;
	size_t size;

	s = new_seg(reqs, 3, &size);
	memcpy(r, reqs, sizeof(reqs));
	ok(la_shmseg_fits(s, r, 3), "the same zones fit");
	r[0] = reqs[2];
	r[2] = reqs[0];
	ok(la_shmseg_fits(s, r, 3), "in any order");
	ok(!la_shmseg_fits(s, r, 2), "fewer zones do not");
	r[3] = (struct la_shmseg_req){"metrics", 64, 0};
	ok(!la_shmseg_fits(s, r, 4), "more zones do not");
	memcpy(r, reqs, sizeof(reqs));
	r[2].size = 8192;
	ok(!la_shmseg_fits(s, r, 3), "a zone of another size does not");
	memcpy(r, reqs, sizeof(reqs));
	r[1].flags = LA_SHMSEG_KEEP;
	ok(!la_shmseg_fits(s, r, 3), "nor a zone with another reload rule");
	free(s);
}

/* Locks a zone, scribbles over it and exits without unlocking. */
static void *
die_in_zone(void *arg)
{
	struct zone_ref *r = arg;

	la_shmseg_lock(r->s, r->z);
	memset(la_shmseg_data(r->s, r->z), 0x5a, r->z->size);
	return (NULL);
}

static void *
hold_zone(void *arg)
{
	struct zone_ref *r = arg;

	la_shmseg_lock(r->s, r->z);
	__atomic_store_n(&r->held, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&r->held, __ATOMIC_SEQ_CST) == 1)
		usleep(1000);
	la_shmseg_unlock(r->z);
	return (NULL);
}

static void
test_dead_owner(void)
{
	struct zone_ref r;
	struct la_shmseg *s;
	char *cache;
	pthread_t t;
	size_t size;

	s = new_seg(reqs, 3, &size);
	r.s = s;
	r.z = la_shmseg_zone(s, "throttle");
	cache = la_shmseg_data(s, la_shmseg_zone(s, "cache"));
	memset(cache, 7, 4096);
	pthread_create(&t, NULL, die_in_zone, &r);
	pthread_join(t, NULL);
	ok(!all_zero(la_shmseg_data(s, r.z), r.z->size),
	    "the dead thread wrote into its zone");
	is_int(la_shmseg_lock(s, r.z), LA_SHMLOCK_OWNER_DIED,
	    "the next locker is told the owner died");
	ok(all_zero(la_shmseg_data(s, r.z), r.z->size),
	    "and finds the zone wiped to its empty state");
	ok(cache[0] == 7 && cache[4095] == 7, "other zones are untouched");
	is_int(la_shmlock_recoveries(&r.z->lock), 1, "the recovery is counted");
	la_shmseg_unlock(r.z);
	is_int(la_shmseg_lock(s, r.z), 0, "the next lock is plain");
	la_shmseg_unlock(r.z);

	r.z = la_shmseg_zone(s, "db_write");
	pthread_create(&t, NULL, die_in_zone, &r);
	pthread_join(t, NULL);
	is_int(la_shmseg_timedlock(s, r.z, 1000), LA_SHMLOCK_OWNER_DIED,
	    "a lock-only zone reports its dead owner, through timedlock too");
	la_shmseg_unlock(r.z);
	is_int(la_shmseg_lock(s, r.z), 0, "and is usable afterwards");
	la_shmseg_unlock(r.z);
	free(s);
}

static void
test_carry(void)
{
	static const struct la_shmseg_req next[] = {
	    {"cache", 4096, 0},
	    {"metrics", 128, LA_SHMSEG_KEEP},
	    {"throttle", 1000, LA_SHMSEG_KEEP},
	};
	struct la_shmseg *a, *b, *c;
	struct zone_ref r;
	size_t size, bsize;
	pthread_t t;
	char *p;

	a = new_seg(reqs, 3, &size);
	memset(la_shmseg_data(a, la_shmseg_zone(a, "throttle")), 1, 1000);
	memset(la_shmseg_data(a, la_shmseg_zone(a, "cache")), 2, 4096);
	la_shmseg_bump_epoch(a);
	la_shmseg_bump_epoch(a);
	b = new_seg(next, 3, &bsize);
	is_int(la_shmseg_carry(b, a, 100), 0, "carry");
	p = la_shmseg_data(b, la_shmseg_zone(b, "throttle"));
	ok(p[0] == 1 && p[999] == 1, "a kept zone's contents are carried");
	ok(all_zero(la_shmseg_data(b, la_shmseg_zone(b, "cache")), 4096),
	    "a zone without the keep rule starts empty");
	ok(all_zero(la_shmseg_data(b, la_shmseg_zone(b, "metrics")), 128),
	    "a new zone starts empty");
	is_int(la_shmseg_epoch(b), 2, "the epoch carries over");

	/* A kept zone whose size changed cannot be copied: fresh. */
	c = new_seg(
	    (struct la_shmseg_req[]){{"throttle", 2000, LA_SHMSEG_KEEP}}, 1,
	    &size);
	is_int(la_shmseg_carry(c, a, 100), 0, "carry to another size");
	ok(all_zero(la_shmseg_data(c, la_shmseg_zone(c, "throttle")), 2000),
	    "starts the zone afresh");
	free(c);

	/* A source zone held by someone that does not let go. */
	b = la_shmseg_init(b, bsize, next, 3);
	r.s = a;
	r.z = la_shmseg_zone(a, "throttle");
	r.held = 0;
	pthread_create(&t, NULL, hold_zone, &r);
	while (__atomic_load_n(&r.held, __ATOMIC_SEQ_CST) == 0)
		usleep(1000);
	is_int(la_shmseg_carry(b, a, 50), -1,
	    "a busy zone is reported, not waited for");
	ok(all_zero(la_shmseg_data(b, la_shmseg_zone(b, "throttle")), 1000),
	    "and left empty");
	__atomic_store_n(&r.held, 2, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	free(a);
	free(b);
}

static void *
bump_many(void *arg)
{
	int i;

	for (i = 0; i < 1000; i++)
		la_shmseg_bump_epoch(arg);
	return (NULL);
}

static void
test_epoch(void)
{
	struct la_shmseg *s;
	pthread_t t[4];
	size_t size;
	int i;

	s = new_seg(NULL, 0, &size);
	ok(s != NULL && s->nzones == 0, "a segment without zones");
	is_int(la_shmseg_epoch(s), 0, "the epoch starts at 0");
	is_int(la_shmseg_bump_epoch(s), 1, "a bump returns the new epoch");
	is_int(la_shmseg_epoch(s), 1, "which readers see");
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, bump_many, s);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	is_int(la_shmseg_epoch(s), 4001, "concurrent bumps are never lost");
	free(s);
}

int
main(void)
{
	alarm(10); /* a lock that never comes back fails the test */
	test_sizing();
	test_layout();
	test_fits();
	test_dead_owner();
	test_carry();
	test_epoch();
	return (done_testing());
}
