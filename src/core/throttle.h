/*
 * Failed-login throttling per client address, counted in a shared memory
 * zone so that spreading attempts over the workers does not help an
 * attacker.
 */
#ifndef LA_THROTTLE_H
#define LA_THROTTLE_H

#include <stddef.h>

struct la_shmseg;
struct la_shmseg_zone;

#define LA_THROTTLE_FAILURES 10 /* allowed per window */
#define LA_THROTTLE_WINDOW   60 /* seconds */
#define LA_THROTTLE_ZONE     "throttle"

/* The bytes the zone needs. */
size_t la_throttle_size(void);
/* Uses zone z of s (set by the master before forking); NULL: off. */
void la_throttle_attach(struct la_shmseg *s, struct la_shmseg_zone *z);
/*
 * addr is the client's address as the request sees it (r->peer): behind
 * trusted proxies, the forwarded one (clientaddr.h).
 * Seconds until addr may try again, or 0 when it may now.
 */
int la_throttle_wait(const char *addr);
/* Counts a failed attempt from addr. */
void la_throttle_fail(const char *addr);

#endif
