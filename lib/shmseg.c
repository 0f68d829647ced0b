/*
 * Segment layout and zone directory (see shmseg.h). The layout is a pure
 * function of the zone requests, so the master can size the mapping
 * before creating it and tell whether a running segment still fits a
 * reloaded configuration.
 */
#include <errno.h>
#include <string.h>

#include "shmseg.h"

static size_t
shmseg_align(size_t n)
{
	return ((n + LA_SHMSEG_ALIGN - 1) & ~(size_t)(LA_SHMSEG_ALIGN - 1));
}

/* The offset of each zone into off (may be NULL) and the total. */
static int
shmseg_layout(const struct la_shmseg_req *req, size_t n, uint64_t *off,
    size_t *total)
{
	size_t at, len, i, j;

	if (n > LA_SHMSEG_MAXZONES)
		goto invalid;
	at = shmseg_align(sizeof(struct la_shmseg));
	for (i = 0; i < n; i++) {
		len = req[i].name != NULL ? strlen(req[i].name) : 0;
		if (len == 0 || len >= LA_SHMSEG_NAMELEN)
			goto invalid;
		for (j = 0; j < i; j++)
			if (strcmp(req[j].name, req[i].name) == 0)
				goto invalid;
		if (at > SIZE_MAX - LA_SHMSEG_ALIGN ||
		    req[i].size > SIZE_MAX - LA_SHMSEG_ALIGN - at)
			goto invalid;
		if (off != NULL)
			off[i] = at;
		at = shmseg_align(at + req[i].size);
	}
	*total = at;
	return (0);
invalid:
	errno = EINVAL;
	return (-1);
}

int
la_shmseg_size(const struct la_shmseg_req *req, size_t n, size_t *size)
{
	return (shmseg_layout(req, n, NULL, size));
}

struct la_shmseg *
la_shmseg_init(void *base, size_t size, const struct la_shmseg_req *req,
    size_t n)
{
	uint64_t off[LA_SHMSEG_MAXZONES];
	struct la_shmseg *s = base;
	struct la_shmseg_zone *z;
	size_t need, i;

	if (shmseg_layout(req, n, off, &need) != 0)
		return (NULL);
	if (base == NULL || (uintptr_t)base % LA_SHMSEG_ALIGN != 0 ||
	    size < need) {
		errno = EINVAL;
		return (NULL);
	}
	/* Processes share the epoch through the mapping: only a lock-free
	 * atomic is address-free, and so valid across processes. */
	if (!atomic_is_lock_free(&s->epoch)) {
		errno = ENOTSUP;
		return (NULL);
	}
	memset(base, 0, size);
	s->magic = LA_SHMSEG_MAGIC;
	s->version = LA_SHMSEG_VERSION;
	s->size = size;
	atomic_init(&s->epoch, 0);
	for (i = 0; i < n; i++) {
		z = &s->zone[i];
		memcpy(z->name, req[i].name, strlen(req[i].name) + 1);
		z->off = off[i];
		z->size = req[i].size;
		z->flags = req[i].flags;
		if (la_shmlock_init(&z->lock) != 0)
			return (NULL);
	}
	s->nzones = (uint32_t)n;
	return (s);
}

int
la_shmseg_check(const struct la_shmseg *s, size_t size)
{
	const struct la_shmseg_zone *z;
	uint32_t i;

	if (s == NULL || s->magic != LA_SHMSEG_MAGIC ||
	    s->version != LA_SHMSEG_VERSION || s->size != size ||
	    s->nzones > LA_SHMSEG_MAXZONES)
		return (-1);
	for (i = 0; i < s->nzones; i++) {
		z = &s->zone[i];
		if (memchr(z->name, '\0', sizeof(z->name)) == NULL ||
		    z->off < shmseg_align(sizeof(*s)) ||
		    z->off % LA_SHMSEG_ALIGN != 0 || z->size > size ||
		    z->off > size - z->size)
			return (-1);
	}
	return (0);
}

static const struct la_shmseg_zone *
shmseg_find(const struct la_shmseg *s, const char *name)
{
	uint32_t i;

	for (i = 0; i < s->nzones; i++)
		if (strcmp(s->zone[i].name, name) == 0)
			return (&s->zone[i]);
	return (NULL);
}

int
la_shmseg_fits(const struct la_shmseg *s, const struct la_shmseg_req *req,
    size_t n)
{
	const struct la_shmseg_zone *z;
	size_t i;

	if (s->nzones != n)
		return (0);
	for (i = 0; i < n; i++) {
		z = shmseg_find(s, req[i].name);
		if (z == NULL || z->size != req[i].size ||
		    z->flags != req[i].flags)
			return (0);
	}
	return (1);
}

struct la_shmseg_zone *
la_shmseg_zone(struct la_shmseg *s, const char *name)
{
	return ((struct la_shmseg_zone *)shmseg_find(s, name));
}

void *
la_shmseg_data(struct la_shmseg *s, const struct la_shmseg_zone *z)
{
	return ((char *)s + z->off);
}

/* After taking z's lock: a dead owner may have left the zone half
 * written, so it goes back to its empty state before anyone reads it. */
static int
shmseg_locked(struct la_shmseg *s, struct la_shmseg_zone *z, int rc)
{
	if (rc == LA_SHMLOCK_OWNER_DIED) {
		memset(la_shmseg_data(s, z), 0, z->size);
		la_shmlock_consistent(&z->lock);
	}
	return (rc);
}

int
la_shmseg_lock(struct la_shmseg *s, struct la_shmseg_zone *z)
{
	return (shmseg_locked(s, z, la_shmlock_lock(&z->lock)));
}

int
la_shmseg_timedlock(struct la_shmseg *s, struct la_shmseg_zone *z, int ms)
{
	return (shmseg_locked(s, z, la_shmlock_timedlock(&z->lock, ms)));
}

void
la_shmseg_unlock(struct la_shmseg_zone *z)
{
	la_shmlock_unlock(&z->lock);
}

int
la_shmseg_carry(struct la_shmseg *dst, struct la_shmseg *src, int ms)
{
	struct la_shmseg_zone *z, *d;
	uint32_t i;
	int rc = 0;

	for (i = 0; i < src->nzones; i++) {
		z = &src->zone[i];
		if (!(z->flags & LA_SHMSEG_KEEP))
			continue;
		d = la_shmseg_zone(dst, z->name);
		if (d == NULL || d->size != z->size ||
		    !(d->flags & LA_SHMSEG_KEEP))
			continue;
		/* A copy under the lock is whole; dst is nobody's yet. */
		if (la_shmseg_timedlock(src, z, ms) < 0) {
			rc = -1;
			continue;
		}
		memcpy(la_shmseg_data(dst, d), la_shmseg_data(src, z), z->size);
		la_shmseg_unlock(z);
	}
	atomic_store(&dst->epoch, atomic_load(&src->epoch));
	return (rc);
}

uint64_t
la_shmseg_epoch(struct la_shmseg *s)
{
	return (atomic_load(&s->epoch));
}

uint64_t
la_shmseg_bump_epoch(struct la_shmseg *s)
{
	return (atomic_fetch_add(&s->epoch, 1) + 1);
}
