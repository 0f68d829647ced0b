/*
 * The layout of the shared segment: a header (magic, version, size, an
 * epoch) with a directory of named zones, each an aligned range of bytes
 * with its own robust lock. The segment is sized once from the list of
 * zones the configuration asks for; it holds offsets, never pointers, so
 * it means the same at any address (and a test can lay it out on memory
 * it allocated). Mapping it and deciding which zones exist is the
 * daemon's business (src/core/shm.c).
 *
 * Convention for every zone: all bytes zero is its valid, empty state.
 * A new zone starts that way, and a zone whose lock owner died is wiped
 * back to it, so no zone needs its own repair code.
 *
 *   offset 0      struct la_shmseg: header + directory (la_shmseg_zone[])
 *   zone[0].off   zone 0 data, LA_SHMSEG_ALIGN-aligned
 *   zone[1].off   zone 1 data ...
 *   size          end (every zone fits before it)
 */
#ifndef LA_SHMSEG_H
#define LA_SHMSEG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "shmlock.h"

#define LA_SHMSEG_MAGIC    0x6c617368u /* "lash" */
#define LA_SHMSEG_VERSION  1u
#define LA_SHMSEG_ALIGN    64u /* a cache line: zones share none */
#define LA_SHMSEG_MAXZONES 16
#define LA_SHMSEG_NAMELEN  24 /* including the NUL */

/* Reload rule: carry the zone's contents into a new segment. */
#define LA_SHMSEG_KEEP 0x1u

/* What a feature asks for. */
struct la_shmseg_req {
	const char *name;
	size_t size;    /* bytes; 0 for a zone that is only a lock */
	unsigned flags; /* LA_SHMSEG_KEEP */
};

/* A directory entry; lives in the segment. */
struct la_shmseg_zone {
	char name[LA_SHMSEG_NAMELEN];
	uint64_t off; /* from the segment start */
	uint64_t size;
	uint32_t flags;
	struct la_shmlock lock;
};

/* The header, at offset 0. */
struct la_shmseg {
	uint32_t magic;
	uint32_t version;
	uint64_t size;
	_Atomic uint64_t epoch; /* the master bumps it after a crash */
	uint32_t nzones;
	struct la_shmseg_zone zone[LA_SHMSEG_MAXZONES];
};

/*
 * The bytes a segment needs for these zones, into *size; -1 (errno
 * EINVAL) for more than LA_SHMSEG_MAXZONES zones, an empty, too long or
 * repeated name, or a total that overflows.
 */
int la_shmseg_size(const struct la_shmseg_req *req, size_t n, size_t *size);
/*
 * Lays the segment out on base (size bytes, at least la_shmseg_size(),
 * aligned to LA_SHMSEG_ALIGN): zeroes it, writes the header and directory
 * and initialises the zone locks. Before any other process uses it.
 */
struct la_shmseg *la_shmseg_init(void *base, size_t size,
    const struct la_shmseg_req *req, size_t n);
/* 0 when s looks like a segment of size bytes this code laid out. */
int la_shmseg_check(const struct la_shmseg *s, size_t size);
/* 1 when s has exactly these zones with these sizes and rules. */
int la_shmseg_fits(const struct la_shmseg *s, const struct la_shmseg_req *req,
    size_t n);

/* The zone called name, or NULL. */
struct la_shmseg_zone *la_shmseg_zone(struct la_shmseg *s, const char *name);
/* The first byte of zone z of s. */
void *la_shmseg_data(struct la_shmseg *s, const struct la_shmseg_zone *z);
/*
 * Locks zone z: 0, or LA_SHMLOCK_OWNER_DIED when its last owner died
 * holding it, in which case the zone was wiped to zeros (its empty state)
 * and the lock made consistent; the caller only has to say so. -1 with
 * errno on failure (not held).
 */
int la_shmseg_lock(struct la_shmseg *s, struct la_shmseg_zone *z);
/* As la_shmseg_lock(), giving up after ms with errno ETIMEDOUT. */
int la_shmseg_timedlock(struct la_shmseg *s, struct la_shmseg_zone *z, int ms);
void la_shmseg_unlock(struct la_shmseg_zone *z);

/*
 * Copies the contents of every zone of src marked LA_SHMSEG_KEEP into the
 * zone of dst with the same name and size, and the epoch, waiting at
 * most ms for each zone lock of src. dst must not be in use yet. -1 if a
 * zone could not be carried (its lock stayed busy); the others were.
 */
int la_shmseg_carry(struct la_shmseg *dst, struct la_shmseg *src, int ms);

uint64_t la_shmseg_epoch(struct la_shmseg *s);
/* Returns the new epoch. */
uint64_t la_shmseg_bump_epoch(struct la_shmseg *s);

#endif
