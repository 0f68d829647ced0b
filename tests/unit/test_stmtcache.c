/*
 * The statement cache without a database: statements are counters that
 * record whether they were released, so eviction order, busy pinning and
 * the release on free can be checked exactly.
 */
#include <stdio.h>
#include <string.h>

#include "la.h"
#include "stmtcache.h"
#include "tap.h"

struct fake {
	int busy;
	int released;
};

static int nreleased;

static int
fake_busy(void *s)
{
	return (((struct fake *)s)->busy);
}

static void
fake_release(void *s, void *arg)
{
	((struct fake *)s)->released++;
	(*(int *)arg)++;
}

static const struct la_stmtcache_ops ops = {fake_busy, fake_release};

static void
test_basic(void)
{
	struct fake a = {0, 0}, b = {0, 0};
	struct la_stmtcache *c = la_stmtcache_new(4, &ops, &nreleased);

	ok(la_stmtcache_get(c, "SELECT 1") == NULL, "empty cache misses");
	la_stmtcache_put(c, "SELECT 1", &a);
	la_stmtcache_put(c, "SELECT 2", &b);
	ok(la_stmtcache_get(c, "SELECT 1") == &a, "same text, same statement");
	ok(la_stmtcache_get(c, "SELECT 2") == &b, "other text, other one");
	ok(la_stmtcache_get(c, "SELECT 1 ") == NULL, "text compared exactly");
	is_int(la_stmtcache_count(c), 2, "two cached");
	nreleased = 0;
	la_stmtcache_free(c);
	ok(a.released == 1 && b.released == 1 && nreleased == 2,
	    "free releases each statement once");
	la_stmtcache_free(NULL);
	ok(1, "free(NULL) is harmless");
}

/* With room for 3, the least recently used idle statement goes. */
static void
test_lru(void)
{
	struct fake f[5];
	struct la_stmtcache *c = la_stmtcache_new(3, &ops, &nreleased);
	char sql[16];
	int i;

	memset(f, 0, sizeof(f));
	for (i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql), "S%d", i);
		la_stmtcache_put(c, sql, &f[i]);
	}
	ok(la_stmtcache_get(c, "S0") == &f[0], "S0 used again");
	la_stmtcache_put(c, "S3", &f[3]);
	ok(f[1].released == 1 && f[0].released == 0,
	    "S1, the least recently used, evicted");
	ok(la_stmtcache_get(c, "S1") == NULL, "S1 gone");
	is_int(la_stmtcache_count(c), 3, "still three");
	f[2].busy = 1;
	la_stmtcache_put(c, "S4", &f[4]);
	ok(f[2].released == 0 && f[0].released == 1,
	    "busy S2 kept, next idle one (S0) evicted");
	ok(la_stmtcache_get(c, "S2") == &f[2], "busy statement still found");
	f[2].busy = 0;
	la_stmtcache_free(c);
}

/* When everything is being read the cache grows instead. */
static void
test_all_busy(void)
{
	struct fake f[300];
	struct la_stmtcache *c = la_stmtcache_new(8, &ops, &nreleased);
	char sql[16];
	int i, bad = 0;

	memset(f, 0, sizeof(f));
	for (i = 0; i < 8; i++) {
		f[i].busy = 1;
		snprintf(sql, sizeof(sql), "B%d", i);
		la_stmtcache_put(c, sql, &f[i]);
	}
	la_stmtcache_put(c, "extra", &f[8]);
	is_int(la_stmtcache_count(c), 9, "grew past max");
	for (i = 0; i < 8; i++)
		bad += f[i].released;
	is_int(bad, 0, "no busy statement released");
	for (i = 9; i < 300; i++) {
		snprintf(sql, sizeof(sql), "X%d", i);
		la_stmtcache_put(c, sql, &f[i]);
	}
	for (i = 0, bad = 0; i < 8; i++) {
		snprintf(sql, sizeof(sql), "B%d", i);
		bad += la_stmtcache_get(c, sql) != &f[i];
	}
	is_int(bad, 0, "busy statements survive 300 others");
	ok(la_stmtcache_count(c) <= 10, "idle ones evicted: %zu",
	    la_stmtcache_count(c));
	la_stmtcache_free(c);
}

int
main(void)
{
	test_basic();
	test_lru();
	test_all_busy();
	return (done_testing());
}
