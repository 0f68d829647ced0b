/*
 * The segment the master maps shared before forking, for the state the
 * workers share while they run (the catalog has its own read-only
 * mapping). Its zones are the ones the configuration needs (shm.c keeps
 * the list, one line per zone); the layout itself is lib/shmseg.
 *
 * Reload: a segment whose zones still fit the new configuration is kept,
 * so old and new workers share it and nothing is lost (login throttle
 * counts survive). Otherwise a new segment is mapped for the new workers
 * and the zones marked LA_SHMSEG_KEEP are copied into it; the draining
 * workers keep the old mapping, which the kernel frees when they exit.
 */
#ifndef LA_SHM_H
#define LA_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "shmseg.h"

struct la_gen;

/* Zone names not owned by another module. */
#define LA_SHM_DB_WRITE "db_write" /* SQLite: one writer at a time */

/* The zones generation g needs, into req (LA_SHMSEG_MAXZONES entries). */
size_t la_shm_zones(const struct la_gen *g, struct la_shmseg_req *req);
/* Maps a zeroed shared segment laid out for these zones; NULL (logged). */
struct la_shmseg *la_shm_map(const struct la_shmseg_req *req, size_t n);
void la_shm_unmap(struct la_shmseg *s);

/*
 * Master, before forking the workers of g: the segment they will use,
 * the current one when its zones fit g, or a new mapping; NULL on
 * failure (logged), when the current segment stays in use.
 */
struct la_shmseg *la_shm_prepare(const struct la_gen *g);
/*
 * Makes s the segment of this process (and of the workers forked from
 * now on): carries the kept zones over from the previous segment, hands
 * every zone to the module that uses it and unmaps the previous one.
 */
void la_shm_use(struct la_shmseg *s);
/* Undoes la_shm_prepare() after a failed reload (s may be NULL). */
void la_shm_discard(struct la_shmseg *s);

/* The crash epoch of this process's segment (0 without one). */
uint64_t la_shm_epoch(void);
/*
 * Master, after reaping a worker that died abnormally: whatever it was
 * writing in shared memory may be half done, so readers of data stamped
 * with an older epoch must not trust it. Returns the new epoch.
 */
uint64_t la_shm_bump_epoch(void);

#endif
