/*
 * Fuzz target for the named-parameter scanner: on every dialect, any text
 * either rewrites or fails with a message; a rewrite names only
 * identifiers, never grows the text by more than its placeholders, and
 * rewrites again (SQLite and MariaDB) to the same text with no names.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "sqlparam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check(const char *sql, size_t size, enum la_dialect d, struct la_arena *a)
{
	struct la_sqlparam p, again;
	char err[256];
	size_t i, k;

	err[0] = '\0';
	if (la_sqlparam_rewrite(sql, d, a, &p, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (strlen(p.sql) > size + p.nplace * 6)
		abort();
	for (i = 0; i < p.nplace; i++) {
		if (p.names[i] == NULL || p.names[i][0] == '\0' ||
		    isdigit((unsigned char)p.names[i][0]))
			abort();
		for (k = 0; p.names[i][k] != '\0'; k++)
			if (!isalnum((unsigned char)p.names[i][k]) &&
			    p.names[i][k] != '_')
				abort();
	}
	/* "?" is refused as the engine's own, so only a text without
	 * placeholders can go round again. */
	if (d != LA_DIALECT_PGSQL && p.nplace == 0 &&
	    (la_sqlparam_rewrite(p.sql, d, a, &again, err, sizeof(err)) != 0 ||
	        strcmp(again.sql, p.sql) != 0 || again.nplace != 0))
		abort();
	(void)la_sqlparam_reads(sql);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_arena *a = la_arena_new(4096);
	char *sql = malloc(size + 1);

	memcpy(sql, data, size);
	sql[size] = '\0';
	fuzz_check(sql, strlen(sql), LA_DIALECT_SQLITE, a);
	fuzz_check(sql, strlen(sql), LA_DIALECT_PGSQL, a);
	fuzz_check(sql, strlen(sql), LA_DIALECT_MYSQL, a);
	free(sql);
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
