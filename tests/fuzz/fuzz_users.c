/*
 * Fuzz target for the users file: any text either parses, every user
 * with a name, a hash and claims that are a JSON object, each found again
 * by its name, or fails with at least one message; nothing crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_arena *a = la_arena_new(4096);
	const struct la_user *found;
	struct la_users us;
	struct la_buf errs;
	yajl_val v;
	size_t i;

	la_buf_init(&errs);
	if (la_users_parse("users", (const char *)data, size, a, &us, &errs) ==
	    0) {
		for (i = 0; i < us.n; i++) {
			if (us.v[i].name[0] == '\0' || us.v[i].hash == NULL ||
			    strchr(us.v[i].name, ':') != NULL)
				abort();
			v = la_json_parse(us.v[i].claims,
			    strlen(us.v[i].claims), LA_JSON_MAX_DEPTH, a);
			if (v == NULL || !YAJL_IS_OBJECT(v))
				abort();
			found = la_users_find(&us, us.v[i].name,
			    strlen(us.v[i].name));
			if (found == NULL ||
			    strcmp(found->name, us.v[i].name) != 0)
				abort();
		}
	} else if (errs.len == 0)
		abort();
	la_buf_free(&errs);
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
