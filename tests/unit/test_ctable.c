/*
 * Unit tests for lib/ctable.c over malloc'd memory. Threads stand in for
 * worker processes (a robust mutex reports a thread that exits holding
 * it as a dead owner); alarm() turns a hang into a failure.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "la.h"
#include "ctable.h"
#include "tap.h"

static void *
table(size_t size)
{
	void *m = aligned_alloc(64, size);

	if (m == NULL || la_ctable_init(m, size) != 0)
		abort();
	return (m);
}

static int
put(void *t, const char *k, const char *v, unsigned slot, int64_t now,
    int64_t exp)
{
	return (la_ctable_put(t, la_ctable_hash(k, strlen(k)), k, strlen(k), v,
	    strlen(v), slot, la_ctable_gen(t, slot), 0, now, exp));
}

/* LA_CTABLE_HIT with the value in out, as a string. */
static int
get(void *t, const char *k, uint64_t epoch, int64_t now, struct la_buf *out)
{
	la_buf_reset(out);
	return (la_ctable_get(t, la_ctable_hash(k, strlen(k)), k, strlen(k),
	    epoch, now, out));
}

static void
test_hit_miss_ttl(void)
{
	void *t = table(1 << 20);
	struct la_buf b;
	struct la_ctable_stats st;

	la_buf_init(&b);
	is_int(get(t, "GET /a", 0, 10, &b), LA_CTABLE_MISS, "empty: miss");
	is_int(put(t, "GET /a", "alpha", 1, 10, 20), 0, "stored");
	is_int(get(t, "GET /a", 0, 19, &b), LA_CTABLE_HIT, "hit before TTL");
	ok(b.len == 5 && memcmp(b.data, "alpha", 5) == 0, "value copied out");
	is_int(get(t, "GET /b", 0, 19, &b), LA_CTABLE_MISS, "other key miss");
	is_int(get(t, "GET /a", 0, 20, &b), LA_CTABLE_MISS,
	    "expired at its deadline");
	is_int(put(t, "GET /a", "one", 1, 30, 100), 0, "stored again");
	is_int(put(t, "GET /a", "two", 1, 31, 100), 0, "replaced");
	is_int(get(t, "GET /a", 0, 32, &b), LA_CTABLE_HIT, "hit");
	ok(b.len == 3 && memcmp(b.data, "two", 3) == 0, "the newer value");
	is_int(get(t, "GET /a", 1, 32, &b), LA_CTABLE_MISS,
	    "another crash epoch: miss");
	is_int(get(t, "GET /a", 0, 32, &b), LA_CTABLE_MISS,
	    "and the entry is gone");
	is_int(put(t, "GET /x", "x", 1, 30, 30), 1,
	    "already expired: no store");
	la_ctable_stats(t, &st);
	is_int(st.hits, 2, "hits counted");
	is_int(st.misses, 5, "misses counted");
	is_int(st.stores, 3, "stores counted");
	la_buf_free(&b);
	free(t);
}

static void
test_generations(void)
{
	void *t = table(1 << 20);
	unsigned a = la_ctable_gen_slot("items"), o = la_ctable_gen_slot("o");
	uint64_t g;
	struct la_buf b;
	struct la_ctable_stats st;

	la_buf_init(&b);
	ok(a != o, "two tables, two slots");
	put(t, "GET /items", "[1]", a, 0, 100);
	put(t, "GET /items/1", "1", a, 0, 100);
	put(t, "GET /o", "[o]", o, 0, 100);
	g = la_ctable_gen(t, a);
	is_int(la_ctable_bump(t, a), g + 1, "bump returns the new generation");
	is_int(get(t, "GET /items", 0, 1, &b), LA_CTABLE_MISS,
	    "list invalidated");
	is_int(get(t, "GET /items/1", 0, 1, &b), LA_CTABLE_MISS,
	    "detail invalidated");
	is_int(get(t, "GET /o", 0, 1, &b), LA_CTABLE_HIT,
	    "another table's entry survives");
	/* Read under g, written meanwhile: the value may be stale. */
	is_int(la_ctable_put(t, 7, "k", 1, "v", 1, a, g, 0, 0, 100), 1,
	    "a value produced under an old generation is not stored");
	la_ctable_stats(t, &st);
	is_int(st.invalidations, 1, "invalidations counted");
	la_buf_free(&b);
	free(t);
}

/* Second-tier marks: set, taken once, per slot, the last of a word. */
static void
test_pending(void)
{
	void *t = table(1 << 20);

	ok(!la_ctable_pending_any(t), "no slot marked at first");
	la_ctable_pending_set(t, 5);
	la_ctable_pending_set(t, LA_CTABLE_GENS - 1);
	ok(la_ctable_pending_any(t), "a mark is seen");
	ok(!la_ctable_pending_take(t, 6), "an unmarked slot is not taken");
	ok(la_ctable_pending_take(t, 5), "a marked slot is taken");
	ok(!la_ctable_pending_take(t, 5), "once");
	ok(la_ctable_pending_any(t), "the other mark stays");
	ok(la_ctable_pending_take(t, LA_CTABLE_GENS - 1), "the last slot");
	ok(!la_ctable_pending_any(t), "none left");
	free(t);
}

static void
test_eviction(void)
{
	size_t size = la_ctable_min_size();
	void *t = table(size);
	char k[32], v[1000];
	struct la_buf b;
	struct la_ctable_stats st;
	int i, hits = 0, hot_hits = 0;

	la_buf_init(&b);
	memset(v, 'v', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	is_int(la_ctable_put(t, 1, "big", 3, v, size, 0, 0, 0, 0, 10), 1,
	    "a value larger than a stripe is refused");
	for (i = 0; i < 500; i++) {
		snprintf(k, sizeof(k), "key %d", i);
		if (put(t, k, v, 0, 0, 1000) != 0)
			break;
		/* Once the hand has gone round, a hot key referenced
		 * between stores keeps getting second chances. */
		if (i == 200)
			put(t, "hot", "h", 0, 0, 1000);
		if (i >= 200)
			hot_hits += get(t, "hot", 0, 1, &b) == LA_CTABLE_HIT;
	}
	is_int(i, 500, "every store found room");
	snprintf(k, sizeof(k), "key %d", 499);
	is_int(get(t, k, 0, 1, &b), LA_CTABLE_HIT,
	    "the newest entry is kept (born referenced)");
	la_ctable_stats(t, &st);
	ok(st.evictions > 0, "older entries were evicted (%llu)",
	    (unsigned long long)st.evictions);
	for (i = 0; i < 500; i++) {
		snprintf(k, sizeof(k), "key %d", i);
		if (get(t, k, 0, 1, &b) == LA_CTABLE_HIT) {
			hits++;
			if (b.len != sizeof(v) - 1 || memcmp(b.data, v, b.len))
				break;
		}
	}
	ok(hits > 0 && hits < 50, "the table kept what fits (%d)", hits);
	is_int(i, 500, "every entry kept reads back whole");
	is_int(hot_hits, 300, "a referenced entry survives the sweeps");
	la_buf_free(&b);
	free(t);
}

/* Keys chosen with the same hash: a bucket (and a hash) shared by two
 * keys must still tell them apart. */
static void
test_collisions(void)
{
	void *t = table(1 << 20);
	struct la_buf b;

	la_buf_init(&b);
	la_ctable_put(t, 42, "key-one", 7, "1", 1, 0, 0, 0, 0, 100);
	la_ctable_put(t, 42, "key-two", 7, "2", 1, 0, 0, 0, 0, 100);
	la_ctable_put(t, 42, "key-three", 9, "3", 1, 0, 0, 0, 0, 100);
	la_buf_reset(&b);
	is_int(la_ctable_get(t, 42, "key-one", 7, 0, 1, &b), LA_CTABLE_HIT,
	    "first of three in one bucket");
	ok(b.len == 1 && b.data[0] == '1', "its own value");
	la_buf_reset(&b);
	is_int(la_ctable_get(t, 42, "key-two", 7, 0, 1, &b), LA_CTABLE_HIT,
	    "second");
	ok(b.len == 1 && b.data[0] == '2', "its own value");
	la_buf_reset(&b);
	is_int(la_ctable_get(t, 42, "key-four", 8, 0, 1, &b), LA_CTABLE_MISS,
	    "same hash, unknown key: miss");
	la_buf_free(&b);
	free(t);
}

struct dier {
	void *t;
	uint64_t hash;
};

/* Takes a stripe lock, scribbles over the stripe as a torn write would,
 * and exits holding the lock. */
static void *
die_in_stripe(void *arg)
{
	struct dier *d = arg;
	size_t len;
	unsigned char *p;

	la_shmlock_lock(la_ctable_stripe_lock(d->t, d->hash));
	p = la_ctable_stripe_data(d->t, d->hash, &len);
	memset(p, 0x5a, len);
	return (NULL);
}

static void
test_dead_owner(void)
{
	void *t = table(1 << 20);
	const char *k = "GET /items/7";
	struct dier d = {t, la_ctable_hash(k, strlen(k))};
	struct la_ctable_stats st;
	struct la_buf b;
	pthread_t th;

	la_buf_init(&b);
	put(t, k, "seven", 0, 0, 100);
	pthread_create(&th, NULL, die_in_stripe, &d);
	pthread_join(th, NULL);
	is_int(get(t, k, 0, 1, &b), LA_CTABLE_MISS,
	    "the stripe of a dead owner is wiped: no torn entry served");
	is_int(b.len, 0, "nothing copied out");
	la_ctable_stats(t, &st);
	is_int(st.recoveries, 1, "the recovery is counted");
	is_int(put(t, k, "again", 0, 0, 100), 0, "the stripe works again");
	is_int(get(t, k, 0, 1, &b), LA_CTABLE_HIT, "and serves");
	la_buf_free(&b);
	free(t);
}

struct worker {
	void *t;
	int id, bad;
};

/* Stores and reads its own keys and shared ones: a value read must be
 * one that was stored under that key. */
static void *
hammer(void *arg)
{
	struct worker *w = arg;
	char k[32], v[600];
	struct la_buf b;
	int i, n;

	la_buf_init(&b);
	for (i = 0; i < 20000; i++) {
		n = i % 97;
		snprintf(k, sizeof(k), "shared %d", n);
		memset(v, 'a' + n % 26, sizeof(v));
		snprintf(v, 16, "%d:", n);
		if (i % 3 == 0)
			la_ctable_put(w->t, la_ctable_hash(k, strlen(k)), k,
			    strlen(k), v, 100 + n * 5, 0,
			    la_ctable_gen(w->t, 0), 0, 0, 100);
		else if (get(w->t, k, 0, 1, &b) == LA_CTABLE_HIT &&
		         (b.len != (size_t)(100 + n * 5) ||
		             memcmp(b.data, v, b.len) != 0))
			w->bad++;
		if (i % 1000 == 0)
			la_ctable_bump(w->t, 0);
	}
	la_buf_free(&b);
	return (NULL);
}

static void
test_threads(void)
{
	void *t = table(256 * 1024);
	struct worker w[4];
	pthread_t th[4];
	int i, bad = 0;

	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){t, i, 0};
		pthread_create(&th[i], NULL, hammer, &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += w[i].bad;
	}
	is_int(bad, 0, "4 threads: every hit returned its own key's value");
	free(t);
}

int
main(void)
{
	static char small[64] __attribute__((aligned(64)));

	alarm(60);
	ok(la_ctable_init(small, sizeof(small)) == -1,
	    "too small a block refused");
	test_hit_miss_ttl();
	test_generations();
	test_pending();
	test_eviction();
	test_collisions();
	test_dead_owner();
	test_threads();
	return (done_testing());
}
