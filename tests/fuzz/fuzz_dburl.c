/*
 * Fuzz target for database URLs: any text either parses into a URL of a
 * known kind, with a port in range and named options, or fails with a
 * message; nothing crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dburl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_arena *a = la_arena_new(4096);
	char *url = malloc(size + 1), err[256];
	struct la_dburl u;
	size_t i;

	memcpy(url, data, size);
	url[size] = '\0';
	err[0] = '\0';
	if (la_dburl_parse(url, &u, a, err, sizeof(err)) == 0) {
		if (u.kind != LA_DB_SQLITE && u.kind != LA_DB_PGSQL &&
		    u.kind != LA_DB_MYSQL)
			abort();
		if (u.port < 0 || u.port > 65535)
			abort();
		if (u.kind == LA_DB_SQLITE && u.path == NULL)
			abort();
		for (i = 0; i < u.nopts; i++)
			if (u.opts[i].key == NULL || u.opts[i].value == NULL)
				abort();
	} else if (err[0] == '\0')
		abort();
	free(url);
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
