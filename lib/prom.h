/*
 * The counters behind GET /metrics, as a shared-memory zone, and their
 * Prometheus text (format 0.0.4). Pure code: the daemon (src/http/metrics)
 * maps the zone, picks the cell of each process and says which process
 * is alive.
 *
 * No lock anywhere: each process counts in a cell of its own (claimed
 * once by compare-and-swap on its pid) with relaxed atomic adds, and the
 * reader sums every cell. Counters of a process that died stay in its
 * cell, so no total ever goes down; the next process to claim that cell
 * adds to them. Gauges (open connections, requests in flight) are summed
 * only over cells whose process is alive, and zeroed when a new process
 * takes a dead one's cell.
 *
 * Labelled series live in small open-addressed tables in each cell, the
 * labels stored with the count, so the zone needs no directory of route
 * names and a process may add a series at any time: an entry is claimed
 * by CAS (0 → 1), its labels written, then published (→ 2); a reader
 * skips unpublished entries, and merges equal labels across cells. An
 * entry left half-labelled by a process killed in between is skipped by
 * everyone from then on: it costs one place, never a wrong count.
 *
 * All bytes zero is the empty zone (see shmseg.h); the master fills its
 * own part on attach (la_prom_init()).
 */
#ifndef LA_PROM_H
#define LA_PROM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define LA_PROM_CELLS     32  /* processes counting at once */
#define LA_PROM_SERIES    512 /* route × method × status, per cell */
#define LA_PROM_ROUTES    64  /* routes with a histogram, per cell */
#define LA_PROM_ROUTE_LEN 64  /* route label bytes, with the NUL */
#define LA_PROM_BUCKETS   16  /* finite histogram buckets */

/* Plain counters of a cell. */
enum la_prom_counter {
	LA_PROM_RATELIMITED, /* 429 from the rate-limit middleware */
	LA_PROM_THROTTLED,   /* login refused by the throttle */
	LA_PROM_DB_CALLS,    /* statements run */
	LA_PROM_DB_NS,       /* nanoseconds inside the database */
	LA_PROM_DB_EUNIQUE,  /* database errors by kind (db.h order) */
	LA_PROM_DB_EFK,
	LA_PROM_DB_ENOTNULL,
	LA_PROM_DB_ECHECK,
	LA_PROM_DB_EUNAVAIL,
	LA_PROM_DB_EOTHER,
	LA_PROM_OVERFLOW, /* requests whose labels found no room */
	LA_PROM_NCOUNTERS
};

enum la_prom_gauge {
	LA_PROM_CONNECTIONS, /* open client connections */
	LA_PROM_INFLIGHT,    /* requests being served */
	LA_PROM_NGAUGES
};

/* Requests of one route, method and status. state: 0 free, 1 being
 * labelled, 2 published. */
struct la_prom_series {
	_Atomic uint32_t state;
	uint16_t status;
	uint8_t method; /* index into la_prom_method_name() */
	uint8_t pad;
	_Atomic uint64_t count;
	char route[LA_PROM_ROUTE_LEN];
};

/* The duration histogram of one route; bucket[i] is not cumulative (the
 * text makes it so), bucket[LA_PROM_BUCKETS] is +Inf's own. */
struct la_prom_hist {
	_Atomic uint32_t state;
	uint32_t pad;
	_Atomic uint64_t bucket[LA_PROM_BUCKETS + 1];
	_Atomic uint64_t sum_ns; /* the count is the sum of the buckets */
	char route[LA_PROM_ROUTE_LEN];
};

struct la_prom_cell {
	_Atomic int32_t pid; /* 0: never claimed */
	_Atomic int64_t gauge[LA_PROM_NGAUGES];
	_Atomic uint64_t counter[LA_PROM_NCOUNTERS];
	struct la_prom_series series[LA_PROM_SERIES];
	struct la_prom_hist hist[LA_PROM_ROUTES];
};

/* Written by the master only. */
struct la_prom_master {
	_Atomic uint64_t worker_starts;
	_Atomic uint64_t worker_restarts;
	_Atomic uint64_t generation; /* 0: not initialised yet */
	_Atomic uint64_t reloads_ok, reloads_failed;
	_Atomic int64_t start_time;  /* Unix seconds */
	_Atomic int64_t reload_time; /* of the last reload, or the start */
	_Atomic uint32_t reload_failed;
};

struct la_prom_zone {
	struct la_prom_master m;
	struct la_prom_cell cell[LA_PROM_CELLS];
};

/* Whether process pid is still running (the daemon's answer). */
typedef int la_prom_alive_fn(int32_t pid);

/* What the text needs beyond the zone. */
struct la_prom_info {
	const char *version;
	const char *drivers; /* "sqlite postgresql mysql" */
	/* the response cache's totals; NULL without a cache */
	const uint64_t
	    *cache; /* hits, misses, stores, evictions, invalidations */
	la_prom_alive_fn *alive;
};

size_t la_prom_size(void);
/* Master, on attach: the start, once per zone (now: Unix seconds). */
void la_prom_init(struct la_prom_zone *z, int64_t now);
/*
 * The cell process pid counts in: its own, else a free one, else one of
 * a dead process (gauges zeroed), else one shared by pid modulo the
 * number of cells (counts stay right; its gauges are then approximate).
 */
struct la_prom_cell *la_prom_claim(struct la_prom_zone *z, int32_t pid,
    la_prom_alive_fn *alive);

void la_prom_add(struct la_prom_cell *c, enum la_prom_counter k, uint64_t n);
void la_prom_gauge_add(struct la_prom_cell *c, enum la_prom_gauge g,
    int64_t delta);
/*
 * One served request: route (truncated to LA_PROM_ROUTE_LEN - 1
 * bytes), method (LA_M_*), status and duration in nanoseconds.
 */
void la_prom_request(struct la_prom_cell *c, const char *route, unsigned method,
    int status, uint64_t ns);
/*
 * The entries of one set of labels (route, method, status), found once so
 * that a caller can keep them and count later requests with the same
 * labels without looking them up again. Entries stay where they are for
 * the cell's life. Returns 0 when the table is full (then count with
 * la_prom_request, which counts the overflow).
 */
struct la_prom_slot {
	struct la_prom_series *s;
	struct la_prom_hist *e;
};
int la_prom_slot(struct la_prom_cell *c, const char *route, unsigned method,
    int status, struct la_prom_slot *slot);
/* One request of duration ns, for a slot la_prom_slot filled. */
void la_prom_observe(struct la_prom_cell *c, const struct la_prom_slot *slot,
    uint64_t ns);
/* A database result code of db.h: counts the error kinds, ignores the rest. */
void la_prom_db_result(struct la_prom_cell *c, int rc);

/* Master: a worker forked; a dead worker to be restarted; a reload. */
void la_prom_count_start(struct la_prom_zone *z);
void la_prom_count_restart(struct la_prom_zone *z);
void la_prom_count_reload(struct la_prom_zone *z, int ok, int64_t now);

/* "GET" … "OPTIONS", "other" for index i. */
const char *la_prom_method_name(unsigned i);
/* The upper bound of bucket i in nanoseconds, and as the le label. */
uint64_t la_prom_bucket_ns(unsigned i);
const char *la_prom_bucket_le(unsigned i);

/* Appends the whole exposition, summed over the cells, to b. */
void la_prom_format(struct la_prom_zone *z, const struct la_prom_info *info,
    struct la_buf *b);

#endif
