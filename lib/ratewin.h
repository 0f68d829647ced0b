/*
 * Sliding-window rate limiting, as a counter per fixed window plus the
 * previous window's count weighted by how much of it still overlaps the
 * last `per` milliseconds: the estimate is
 *
 *	prev * (per - elapsed) / per + cur
 *
 * which smooths the burst a fixed window allows at its boundary (twice
 * the limit in a moment) with two counters per address. Windows are
 * aligned on multiples of per, so counters kept on several hosts (Redis)
 * agree on which window a request belongs to. Refused requests are not
 * counted: a client that keeps knocking is let in again as soon as its
 * counted requests age out.
 */
#ifndef LA_RATEWIN_H
#define LA_RATEWIN_H

#include <stdint.h>

struct la_ratewin {
	int64_t start; /* ms, start of the window cur counts */
	uint32_t prev, cur;
};

/*
 * Decides a request at now (ms) for counters prev (previous window) and
 * cur (current window, this request not included), elapsed ms into the
 * current window: 1 when it is allowed, else 0 with *retry_s the whole
 * seconds (at least 1) until one would be.
 */
int la_ratewin_decide(uint64_t prev, uint64_t cur, int64_t elapsed, int64_t per,
    uint64_t limit, int *retry_s);
/*
 * Counts a request at now against limit per `per` ms in w: 1 allowed
 * (counted), 0 refused (*retry_s set, nothing counted).
 */
int la_ratewin_hit(struct la_ratewin *w, int64_t now, int64_t per,
    uint64_t limit, int *retry_s);

/* Counts a request at now without deciding (another count decided). */
void la_ratewin_count(struct la_ratewin *w, int64_t now, int64_t per);

#endif
