/*
 * Sliding-window counters (see ratewin.h).
 */
#include "ratewin.h"

/* 1 when a request at elapsed ms into the window fits. */
static int
ratewin_fits(uint64_t prev, uint64_t cur, int64_t elapsed, int64_t per,
    uint64_t limit)
{
	/* prev * (per - elapsed) / per + cur + 1 <= limit, times per. */
	return (prev * (uint64_t)(per - elapsed) + (cur + 1) * (uint64_t)per <=
	        limit * (uint64_t)per);
}

/* The ms from elapsed until a request fits, no other one coming. */
static int64_t
ratewin_wait(uint64_t prev, uint64_t cur, int64_t elapsed, int64_t per,
    uint64_t limit)
{
	int64_t t;

	/* Within this window, as prev's weight shrinks. */
	if (cur + 1 <= limit && prev > 0) {
		t = per - (int64_t)((limit - cur - 1) * (uint64_t)per / prev);
		if (t < per)
			return (t > elapsed ? t - elapsed : 0);
	}
	/* In the next one, where cur becomes the weighted count. */
	if (limit >= 1 && cur > 0) {
		t = per - (int64_t)((limit - 1) * (uint64_t)per / cur);
		if (t < per)
			return (per - elapsed + (t > 0 ? t : 0));
	}
	return (2 * per - elapsed);
}

int
la_ratewin_decide(uint64_t prev, uint64_t cur, int64_t elapsed, int64_t per,
    uint64_t limit, int *retry_s)
{
	int64_t ms;

	if (ratewin_fits(prev, cur, elapsed, per, limit))
		return (1);
	/* The divisions in ratewin_wait() round the wait up: it fits. */
	ms = ratewin_wait(prev, cur, elapsed, per, limit);
	*retry_s = (int)((ms + 999) / 1000);
	if (*retry_s < 1)
		*retry_s = 1;
	return (0);
}

int
la_ratewin_hit(struct la_ratewin *w, int64_t now, int64_t per, uint64_t limit,
    int *retry_s)
{
	int64_t start = now - now % per;

	if (w->start != start) {
		w->prev = w->start == start - per ? w->cur : 0;
		w->cur = 0;
		w->start = start;
	}
	if (!la_ratewin_decide(w->prev, w->cur, now - start, per, limit,
	        retry_s))
		return (0);
	w->cur++;
	return (1);
}
