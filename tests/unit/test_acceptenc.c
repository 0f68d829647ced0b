/*
 * Tests for lib/acceptenc.c: which Accept-Encoding values allow gzip.
 */
#include <string.h>

#include "acceptenc.h"
#include "la.h"
#include "tap.h"

static const struct {
	const char *v;
	int want;
} cases[] = {
    {"gzip", 1},
    {"GZIP", 1},
    {"x-gzip", 1},
    {"deflate, gzip;q=1.0, *;q=0.5", 1},
    {"gzip;q=0", 0},
    {"gzip; q=0.000", 0},
    {"gzip;q=0.001", 1},
    {"gzip;q=1.001", 0},
    {"gzip;q=0.5x", 0},
    {"gzip;q=", 0},
    {"gzip;q=0, *", 0},
    {"*", 1},
    {"*;q=0", 0},
    {"identity", 0},
    {"br, deflate", 0},
    {"", 0},
    {"gzipx", 0},
    {" gzip ; q=0.8 ", 1},
    {"br;q=1, gzip;q=0.2", 1},
    {"gzip;level=1", 1},
};

int
main(void)
{
	size_t i;

	for (i = 0; i < LA_NELEM(cases); i++)
		is_int(la_acceptenc_gzip(cases[i].v, strlen(cases[i].v)),
		    cases[i].want, "'%s'", cases[i].v);
	return (done_testing());
}
