/*
 * Fuzz target for the configuration loader: any bytes must either load or
 * fail with messages, never crash, and a configuration that loads must
 * survive the -T dump and load again from it. Built with LA_FUZZ_REPLAY,
 * main() replays the files named on the command line, printing TAP, so
 * that make check runs the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "yaml_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed environment, so that every run of an input is the same. */
static const char *
fuzz_getenv(const char *name)
{
	static const struct {
		const char *k, *v;
	} env[] = {
	    {"SET", "value"},
	    {"EMPTY", ""},
	    {"PORT", "5432"},
	    {"DATABASE_URL", "sqlite:///fuzz.db"},
	    {"LIGHTAPI_JWT_SECRET", "secret"},
	};
	size_t i;

	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		if (strcmp(env[i].k, name) == 0)
			return (env[i].v);
	return (NULL);
}

static void
fuzz_fail(const char *why, const struct la_buf *a, const struct la_buf *b)
{
	fprintf(stderr, "%s:\n%s---\n%s", why, a->data ? a->data : "",
	    b->data ? b->data : "");
	abort();
}

/*
 * The -T dump is a configuration in its own right: it must load, and
 * dumping that must give the same text. That holds because no value can
 * hold "${" here: the loader refuses one in a default, and this
 * environment has none.
 */
static void
fuzz_reload(const struct la_conf *c)
{
	struct la_arena *a = la_arena_new(16384);
	struct la_buf d1, d2, errs;
	struct la_conf *c2;

	la_buf_init(&d1);
	la_buf_init(&d2);
	la_buf_init(&errs);
	la_conf_dump(c, &d1);
	c2 = la_conf_load_mem(c->path, d1.data, d1.len, a, &errs, fuzz_getenv);
	if (c2 == NULL)
		fuzz_fail("the dump does not load", &d1, &errs);
	la_conf_dump(c2, &d2);
	if (strcmp(d1.data, d2.data) != 0)
		fuzz_fail("the dump changes on reload", &d1, &d2);
	la_buf_free(&d1);
	la_buf_free(&d2);
	la_buf_free(&errs);
	la_arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_arena *a = la_arena_new(16384);
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = la_conf_load_mem("fuzz.yaml", (const char *)data, size, a, &errs,
	    fuzz_getenv);
	if (c != NULL)
		fuzz_reload(c);
	else if (errs.len == 0) {
		fprintf(stderr, "failed without a message\n");
		abort();
	}
	la_buf_free(&errs);
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
