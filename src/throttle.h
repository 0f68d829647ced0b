/*
 * Failed-login throttling per client address, counted in shared memory so
 * that spreading attempts over the workers does not help an attacker.
 */
#ifndef LA_THROTTLE_H
#define LA_THROTTLE_H

#include <stdint.h>

struct la_shm;

#define LA_THROTTLE_FAILURES 10 /* allowed per window */
#define LA_THROTTLE_WINDOW   60 /* seconds */

/* Uses this segment (set by the master before forking). */
void la_throttle_init(struct la_shm *s);
/* Seconds until addr may try again, or 0 when it may now. */
int la_throttle_wait(const char *addr);
/* Counts a failed attempt from addr. */
void la_throttle_fail(const char *addr);

#endif
