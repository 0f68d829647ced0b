/* Unit tests for lib/arena.c. */
#include <stdint.h>

#include "arena.h"
#include "tap.h"

static int hook_calls;

static void
hook(void *arg)
{
	hook_calls += *(int *)arg;
}

int
main(void)
{
	struct la_arena *a = la_arena_new(1024);
	char *p, *big;
	int one = 1, ten = 10, i;

	p = la_arena_alloc(a, 10);
	ok(((uintptr_t)p & 15) == 0, "allocations are 16-byte aligned");
	big = la_arena_alloc(a, 100000);
	big[99999] = 'x';
	ok(big != NULL, "a large allocation gets its own chunk");
	is_str(la_arena_strndup(a, "hello world", 5), "hello",
	    "strndup copies n bytes and terminates");
	is_str(la_arena_printf(a, "%d-%s", 42, "x"), "42-x", "printf");
	for (i = 0; i < 1000; i++)
		la_arena_alloc(a, 100);
	ok(la_arena_used(a) >= 100000, "usage counts every allocation");
	la_arena_cleanup(a, hook, &one);
	la_arena_cleanup(a, hook, &ten);
	la_arena_reset(a);
	is_int(hook_calls, 11, "reset runs every cleanup hook");
	is_int(la_arena_used(a), 0, "reset forgets the allocations");
	p = la_arena_calloc(a, 4, 8);
	ok(p[0] == 0 && p[31] == 0, "calloc zeroes");
	la_arena_cleanup(a, hook, &one);
	la_arena_free(a);
	is_int(hook_calls, 12, "free runs the hooks too");
	return (done_testing());
}
