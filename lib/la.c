/*
 * Verb names and the assertion handler shared by the whole library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "la.h"

static const char *const verb_names[] = {"GET", "POST", "PUT", "PATCH",
    "DELETE", "HEAD", "OPTIONS"};

int
la_verb_index(unsigned m)
{
	int i;

	for (i = 0; i < (int)LA_NELEM(verb_names); i++)
		if (m == (1u << i))
			return (i);
	return (-1);
}

const char *
la_verb_name(unsigned m)
{
	int i = la_verb_index(m);

	return (i < 0 ? "?" : verb_names[i]);
}

unsigned
la_verb_parse(const char *s, size_t len)
{
	size_t i;

	/* GET first, without the loop: nearly every request is one. */
	if (len == 3 && s[0] == 'G' && s[1] == 'E' && s[2] == 'T')
		return (1u << 0);
	for (i = 1; i < LA_NELEM(verb_names); i++)
		if (strlen(verb_names[i]) == len &&
		    memcmp(verb_names[i], s, len) == 0)
			return (1u << i);
	return (0);
}

void
la_assert_fail(const char *expr, const char *file, int line)
{
	fprintf(stderr, "assertion failed: %s at %s:%d\n", expr, file, line);
	abort();
}

int64_t
la_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
