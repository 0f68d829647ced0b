/*
 * Fuzz target for percent-decoding and query strings: decoding never
 * grows the text, never yields a NUL, and what decodes
 * survives encoding and decoding again unchanged; every parameter of a query is
 * a NUL-terminated key and value of the lengths reported.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_decode(const char *in, size_t size, int plus)
{
	char *out = malloc(size + 1), *again;
	struct la_buf enc;
	ssize_t n, m;

	n = la_url_decode(in, size, out, plus);
	if (n < 0) {
		free(out);
		return;
	}
	if ((size_t)n > size || (memchr(out, '\0', (size_t)n) != NULL &&
	                            memchr(in, '\0', size) == NULL))
		abort();
	la_buf_init(&enc);
	la_url_encode(&enc, out, (size_t)n);
	again = malloc(enc.len + 1);
	m = la_url_decode(enc.data ? enc.data : "", enc.len, again, plus);
	if (m != n || memcmp(again, out, (size_t)n) != 0)
		abort();
	free(again);
	la_buf_free(&enc);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct la_arena *a = la_arena_new(4096);
	struct la_qparam *ps;
	int i, n;

	fuzz_decode(in, size, 0);
	fuzz_decode(in, size, 1);
	n = la_url_query_parse(in, size, a, &ps);
	for (i = 0; i < n; i++)
		if (strlen(ps[i].key) != ps[i].klen ||
		    strlen(ps[i].value) != ps[i].vlen)
			abort();
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
