/*
 * Fuzz target for lib/decimal.c (libFuzzer, or replayed by make check
 * with -DLA_FUZZ_REPLAY). Beyond crashes it checks: the printed text is
 * canonical (it parses back and prints the same), it is the same number
 * as the input (strtod of both agrees, since strtod rounds correctly and
 * accepts the same syntax), rounding to p places prints exactly p
 * decimals and is idempotent, and the max_digits count is consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "decimal.h"
#include "la.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_places(const char *s, size_t n, int places, struct la_arena *a)
{
	struct la_decimal x, y;
	const char *t, *u, *dot;

	LA_ASSERT(la_decimal_parse(s, n, &x, a) == 0);
	la_decimal_round(&x, places);
	t = la_decimal_text(&x, places, a);
	dot = strchr(t, '.');
	if (places == 0)
		LA_ASSERT(dot == NULL);
	else
		LA_ASSERT(dot != NULL && strlen(dot + 1) == (size_t)places);
	/* Rounding what is already rounded changes nothing. */
	LA_ASSERT(la_decimal_parse(t, strlen(t), &y, a) == 0);
	la_decimal_round(&y, places);
	u = la_decimal_text(&y, places, a);
	LA_ASSERT(strcmp(t, u) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_arena *a = la_arena_new(4096);
	struct la_decimal x, y;
	int64_t digits, decimals;
	const char *t, *u;
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	if (la_decimal_parse(s, size, &x, a) == 0) {
		LA_ASSERT(x.n == 0 || x.d[0] != '0');
		la_decimal_count(&x, &digits, &decimals);
		LA_ASSERT(digits >= 1 && decimals >= 0 && digits >= decimals);
		t = la_decimal_text(&x, 0, a);
		LA_ASSERT(strchr(t, 'e') == NULL && strchr(t, '+') == NULL);
		LA_ASSERT(la_decimal_parse(t, strlen(t), &y, a) == 0);
		LA_ASSERT(y.neg == (x.neg && x.n > 0));
		u = la_decimal_text(&y, 0, a);
		LA_ASSERT(strcmp(t, u) == 0);
		LA_ASSERT(strtod(s, NULL) == strtod(t, NULL));
		fuzz_places(s, size, 0, a);
		fuzz_places(s, size, 2, a);
		fuzz_places(s, size, 6, a);
	}
	free(s);
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
