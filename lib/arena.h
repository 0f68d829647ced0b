/*
 * Region allocator. Everything a request, a connection or a configuration
 * generation allocates lives in one arena and is released at once; objects
 * owned by libraries (yajl trees, statements) register a cleanup hook.
 */
#ifndef LA_ARENA_H
#define LA_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct la_arena;

struct la_arena *la_arena_new(size_t chunk_size);
/* Runs the cleanup hooks (last registered first) and frees everything. */
void la_arena_free(struct la_arena *a);
/* Runs the hooks and forgets all allocations but keeps the first chunk. */
void la_arena_reset(struct la_arena *a);

void *la_arena_alloc(struct la_arena *a, size_t n);
void *la_arena_calloc(struct la_arena *a, size_t n, size_t size);
char *la_arena_strndup(struct la_arena *a, const char *s, size_t n);
char *la_arena_strdup(struct la_arena *a, const char *s);
char *la_arena_printf(struct la_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *la_arena_vprintf(struct la_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void la_arena_cleanup(struct la_arena *a, void (*fn)(void *), void *arg);
/* Bytes handed out since the last reset; for tests and statistics. */
size_t la_arena_used(const struct la_arena *a);

#endif
