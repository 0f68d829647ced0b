/*
 * Sliding-window counters (see ratewin.h).
 */
#include "ratewin.h"

/* 1 when a request at elapsed ms into the window fits. */
static int
ratewin_fits(uint64_t prev, uint64_t cur, int64_t elapsed, int64_t per,
    uint64_t limit)
{
	/* prev * (per - elapsed) / per + cur + 1 <= limit, times per, in
	 * 128 bits: counts up to 2^64 times a per of years do not fit 64. */
	return ((unsigned __int128)prev * (uint64_t)(per - elapsed) +
	            (unsigned __int128)(cur + 1) * (uint64_t)per <=
	        (unsigned __int128)limit * (uint64_t)per);
}

/* a * per / b, at most per (more means "not in this window"). */
static int64_t
ratewin_div(uint64_t a, int64_t per, uint64_t b)
{
	unsigned __int128 q = (unsigned __int128)a * (uint64_t)per / b;

	return (q > (uint64_t)per ? per : (int64_t)q);
}

/* The ms from elapsed until a request fits, no other one coming. */
static int64_t
ratewin_wait(uint64_t prev, uint64_t cur, int64_t elapsed, int64_t per,
    uint64_t limit)
{
	int64_t t;

	/* Within this window, as prev's weight shrinks. */
	if (cur + 1 <= limit && prev > 0) {
		t = per - ratewin_div(limit - cur - 1, per, prev);
		if (t < per)
			return (t > elapsed ? t - elapsed : 0);
	}
	/* In the next one, where cur becomes the weighted count. */
	if (limit >= 1 && cur > 0) {
		t = per - ratewin_div(limit - 1, per, cur);
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

/* Moves w to the window of now. */
static void
ratewin_roll(struct la_ratewin *w, int64_t now, int64_t per)
{
	int64_t start = now - now % per;

	if (w->start != start) {
		w->prev = w->start == start - per ? w->cur : 0;
		w->cur = 0;
		w->start = start;
	}
}

int
la_ratewin_hit(struct la_ratewin *w, int64_t now, int64_t per, uint64_t limit,
    int *retry_s)
{
	ratewin_roll(w, now, per);
	if (!la_ratewin_decide(w->prev, w->cur, now - w->start, per, limit,
	        retry_s))
		return (0);
	w->cur++;
	return (1);
}

void
la_ratewin_count(struct la_ratewin *w, int64_t now, int64_t per)
{
	ratewin_roll(w, now, per);
	if (w->cur < UINT32_MAX)
		w->cur++;
}
