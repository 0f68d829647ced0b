/*
 * Prepared statements of one database connection, keyed by their SQL text,
 * for every driver. A worker runs the same few statements for every
 * request and preparing costs more than running them; the text is stable
 * because it depends only on the endpoint and the columns a body sets.
 *
 * The cache does not know what a statement is: the owner says whether one
 * is busy (being read, so it must not be evicted) and how to release it.
 * Beyond max entries the least recently used idle statement goes; when
 * every one is busy the cache grows rather than break a reader.
 */
#ifndef LA_STMTCACHE_H
#define LA_STMTCACHE_H

#include <stddef.h>
#include <stdint.h>

struct la_stmtcache;

struct la_stmtcache_ops {
	int (*busy)(void *stmt);
	void (*release)(void *stmt, void *arg);
};

struct la_stmtcache *la_stmtcache_new(size_t max,
    const struct la_stmtcache_ops *ops, void *arg);
/* Releases every statement, busy or not. NULL is allowed. */
void la_stmtcache_free(struct la_stmtcache *c);
/* The statement for sql, made the most recently used; NULL if absent. */
void *la_stmtcache_get(struct la_stmtcache *c, const char *sql);
/* The same, for sql[0..len) whose la_stmtcache_hash the caller kept:
 * a text run often need not be hashed again on every run. */
void *la_stmtcache_find(struct la_stmtcache *c, const char *sql, size_t len,
    uint64_t hash);
/* The hash the cache files sql[0..n) under. */
uint64_t la_stmtcache_hash(const char *sql, size_t n);
/* Adds stmt under sql (copied), which must not be cached yet. */
void la_stmtcache_put(struct la_stmtcache *c, const char *sql, void *stmt);
size_t la_stmtcache_count(const struct la_stmtcache *c);

#endif
