/*
 * GET /metrics and the calls that feed it (the zone and its text are
 * lib/prom). Every call is cheap and lock-free and does nothing
 * before the master attached the zone, so the database layer, the
 * throttle, the connections and the master can call it unconditionally,
 * and a unit test without a segment links it unchanged.
 */
#ifndef LA_HTTP_METRICS_H
#define LA_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct la_req;
struct la_shmseg;
struct la_shmseg_zone;

#define LA_METRICS_ZONE "metrics"

/* The zone's size, and its attach (shm.c); NULL z: no metrics. */
size_t la_metrics_zone_size(void);
void la_metrics_attach(struct la_shmseg *s, struct la_shmseg_zone *z);

/* Counters other modules move. */
void la_metrics_count_ratelimited(void);
void la_metrics_count_throttled(void);
/* A result code of the database layer (db.h): counts the error kinds. */
void la_metrics_db(int rc);
/* An open connection more (1) or less (-1). */
void la_metrics_connection(int delta);
/* A request starts being processed (ends in la_metrics_phase). */
void la_metrics_begin(void);

/* The master: a worker forked, a dead one to restart, a reload's end. */
void la_metrics_worker_start(void);
void la_metrics_worker_restart(void);
void la_metrics_reloaded(int ok);

/*
 * Whether r's route may be served on the listener r came on: only
 * /metrics and the health checks on server.metrics_listen, and /metrics
 * only there when it is set.
 */
int la_metrics_route_ok(const struct la_req *r);
/* The "metrics" log phase: counts r. */
int la_metrics_phase(struct la_req *r);
/* GET /metrics. */
void la_handler_metrics(struct la_req *r);

struct la_ctable_stats;
/* Where the response cache's counters come from (cache.c registers). */
void la_metrics_cache_source(int (*fn)(struct la_ctable_stats *st));

#endif
