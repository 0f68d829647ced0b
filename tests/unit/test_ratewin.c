/*
 * Tests for lib/ratewin.c: the sliding-window decision, its Retry-After
 * and the window roll-over.
 */
#include <string.h>

#include "la.h"
#include "ratewin.h"
#include "tap.h"

static void
test_hit(void)
{
	struct la_ratewin w;
	int i, n = 0, retry = 0;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < 5; i++)
		n += la_ratewin_hit(&w, 10000 + i, 2000, 5, &retry);
	is_int(n, 5, "five of five allowed");
	is_int(la_ratewin_hit(&w, 10100, 2000, 5, &retry), 0,
	    "the sixth is refused");
	is_int(retry, 3,
	    "until the old five weigh 4, 0.4 s into the next window: 2.3 s");
	is_int(w.cur, 5, "the refused one is not counted");
	is_int(la_ratewin_hit(&w, 12000, 2000, 5, &retry), 0,
	    "at the next window's start the old five still weigh 5");
	is_int(la_ratewin_hit(&w, 12401, 2000, 5, &retry), 1,
	    "a fifth of the way in, one fits");
	is_int(la_ratewin_hit(&w, 12402, 2000, 5, &retry), 0, "but not two");
	is_int(la_ratewin_hit(&w, 16000, 2000, 5, &retry), 1,
	    "two windows later all is forgotten");
	is_int(w.prev, 0, "prev reset after a gap");
	is_int(w.cur, 1, "cur counts the new one");
}

static void
test_decide(void)
{
	int retry = 0;

	is_int(la_ratewin_decide(0, 0, 0, 60000, 1, &retry), 1,
	    "a first request fits a limit of 1");
	is_int(la_ratewin_decide(0, 1, 0, 60000, 1, &retry), 0,
	    "a second does not");
	is_int(retry, 120, "limit 1: it waits out two windows");
	is_int(la_ratewin_decide(10, 0, 30000, 60000, 10, &retry), 1,
	    "half of prev weighs 5 of 10");
	is_int(la_ratewin_decide(10, 5, 30000, 60000, 10, &retry), 0,
	    "plus 5 in this window is full");
	is_int(retry, 6, "until prev weighs 4: at 36 s, 6 s from now");
	is_int(la_ratewin_decide(0, 100, 59999, 60000, 100, &retry), 0,
	    "full at the window's end");
	ok(retry >= 1, "Retry-After is at least 1");
}

static void
test_count(void)
{
	struct la_ratewin w;
	int retry = 0;

	memset(&w, 0, sizeof(w));
	la_ratewin_count(&w, 1000, 1000);
	la_ratewin_count(&w, 1500, 1000);
	is_int(w.cur, 2, "counted without a decision");
	is_int(la_ratewin_hit(&w, 1600, 1000, 2, &retry), 0,
	    "and those counts decide the next hit");
	is_int(la_ratewin_decide(UINT32_MAX, UINT32_MAX, 1,
	           (int64_t)1000 * 86400 * 3650, UINT64_MAX / 2, &retry),
	    1, "no overflow with huge counts and a per of ten years");
}

int
main(void)
{
	test_count();
	test_hit();
	test_decide();
	return (done_testing());
}
