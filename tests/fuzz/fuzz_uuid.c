/*
 * Fuzz target for lib/uuid.c (libFuzzer, or replayed by make check with
 * -DLA_FUZZ_REPLAY). Beyond crashes it checks: an accepted text yields
 * the canonical lower-case hyphenated form, which every other accepted
 * spelling of the same UUID (upper case, simple, braced, URN) yields too;
 * a refused text always gets a diagnosis.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "la.h"
#include "uuid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_same(const char *s, size_t n, const char *canon)
{
	char out[LA_UUID_LEN + 1];

	LA_ASSERT(la_uuid_parse(s, n, out) == 0);
	LA_ASSERT(memcmp(out, canon, LA_UUID_LEN + 1) == 0);
}

static void
fuzz_canonical(const char *u)
{
	char buf[64];
	size_t i, n = 0;

	LA_ASSERT(strlen(u) == LA_UUID_LEN);
	for (i = 0; i < LA_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			LA_ASSERT(u[i] == '-');
		else
			LA_ASSERT((u[i] >= '0' && u[i] <= '9') ||
			          (u[i] >= 'a' && u[i] <= 'f'));
	}
	fuzz_same(u, LA_UUID_LEN, u);
	for (i = 0; i < LA_UUID_LEN; i++)
		buf[i] = u[i] >= 'a' && u[i] <= 'f' ? (char)(u[i] - 32) : u[i];
	fuzz_same(buf, LA_UUID_LEN, u);
	for (i = 0; i < LA_UUID_LEN; i++)
		if (u[i] != '-')
			buf[n++] = u[i];
	fuzz_same(buf, n, u);
	buf[0] = '{';
	memcpy(buf + 1, u, LA_UUID_LEN);
	buf[LA_UUID_LEN + 1] = '}';
	fuzz_same(buf, LA_UUID_LEN + 2, u);
	memcpy(buf, "urn:uuid:", 9);
	memcpy(buf + 9, u, LA_UUID_LEN);
	fuzz_same(buf, LA_UUID_LEN + 9, u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_arena *a = la_arena_new(1024);
	const char *s = (const char *)data;
	char out[LA_UUID_LEN + 1];
	const char *why;

	if (la_uuid_parse(s, size, out) == 0)
		fuzz_canonical(out);
	else {
		why = la_uuid_why(s, size, a);
		LA_ASSERT(why != NULL && strncmp(why, "invalid ", 8) == 0);
	}
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
