/*
 * Definitions shared by every module of liblightapi: return codes, the HTTP
 * verbs as bits, and the always-on assertion.
 */
#ifndef LA_H
#define LA_H

#include <stddef.h>
#include <stdint.h>

#define LA_OK    0
#define LA_ERROR (-1)
#define LA_AGAIN (-2)

/* HTTP verbs as bits; the first five are the ones a route can allow. */
#define LA_M_GET     0x01u
#define LA_M_POST    0x02u
#define LA_M_PUT     0x04u
#define LA_M_PATCH   0x08u
#define LA_M_DELETE  0x10u
#define LA_M_HEAD    0x20u
#define LA_M_OPTIONS 0x40u
#define LA_M_OTHER   0x80u
#define LA_M_CRUD    0x1fu
#define LA_NVERBS    5 /* GET POST PUT PATCH DELETE */

/* Index 0..LA_NVERBS-1 of a verb bit, for per-verb tables. */
int la_verb_index(unsigned m);
/* "GET" for LA_M_GET, etc. */
const char *la_verb_name(unsigned m);
/* LA_M_* of an upper-case verb name, 0 if not one of the seven. */
unsigned la_verb_parse(const char *s, size_t len);

/* Milliseconds on the monotonic clock: for timeouts and intervals. */
int64_t la_monotonic_ms(void);

void la_assert_fail(const char *expr, const char *file, int line)
    __attribute__((noreturn));

#define LA_ASSERT(e)                                                           \
	do {                                                                   \
		if (!(e))                                                      \
			la_assert_fail(#e, __FILE__, __LINE__);                \
	} while (0)

#define LA_NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
