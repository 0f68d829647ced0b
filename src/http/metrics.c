/*
 * GET /metrics and the hooks that count (see metrics.h). A process finds
 * its cell in the zone on its first count and keeps it; a forked child
 * forgets its parent's, so the master's cell (it may count database
 * errors while reflecting) is never a worker's.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "la.h"
#include "ctable.h"
#include "db.h"
#include "handler.h"
#include "metrics.h"
#include "pipeline.h"
#include "prom.h"
#include "shmseg.h"

static struct la_prom_zone *metrics_z;
static struct la_prom_cell *metrics_cellp;
static int64_t metrics_t0; /* ns: one request at a time per process */
static int metrics_busy;   /* between begin and the log phase */

/*
 * The zone's entries of the labels of recent requests, direct-mapped by
 * route, detail or not, method and status: finding them in the zone
 * hashes and compares the route's text, a good part of what counting a
 * request costs. Emptied with the cell (fork, attach).
 */
#define METRICS_SLOTS 64
struct metrics_slot {
	const void *route; /* NULL: empty */
	unsigned method;
	int status;
	int detail;
	struct la_prom_slot slot;
};
static struct metrics_slot metrics_slots[METRICS_SLOTS];

static void
metrics_forked(void)
{
	metrics_cellp = NULL;
	metrics_busy = 0;
	memset(metrics_slots, 0, sizeof(metrics_slots));
}

static int
metrics_alive(int32_t pid)
{
	return (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static int64_t
metrics_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

static struct la_prom_cell *
metrics_cell(void)
{
	if (metrics_z == NULL)
		return (NULL);
	if (metrics_cellp == NULL)
		metrics_cellp =
		    la_prom_claim(metrics_z, (int32_t)getpid(), metrics_alive);
	return (metrics_cellp);
}

size_t
la_metrics_zone_size(void)
{
	return (la_prom_size());
}

/* The response cache's counters, registered by the cache (cache.c
 * depends on metrics, not the other way round). */
static int (*metrics_cache_stats)(struct la_ctable_stats *st);

void
la_metrics_cache_source(int (*fn)(struct la_ctable_stats *st))
{
	metrics_cache_stats = fn;
}

void
la_metrics_attach(struct la_shmseg *s, struct la_shmseg_zone *z)
{
	static int registered;

	metrics_cellp = NULL;
	memset(metrics_slots, 0, sizeof(metrics_slots));
	metrics_z = z != NULL && z->size >= la_prom_size()
	                ? la_shmseg_data(s, z)
	                : NULL;
	if (metrics_z != NULL)
		la_prom_init(metrics_z, (int64_t)time(NULL));
	la_db_observe(metrics_z != NULL ? la_metrics_db : NULL);
	if (!registered++)
		pthread_atfork(NULL, NULL, metrics_forked);
}

static void
metrics_add(enum la_prom_counter k, uint64_t n)
{
	struct la_prom_cell *c = metrics_cell();

	if (c != NULL)
		la_prom_add(c, k, n);
}

void
la_metrics_count_ratelimited(void)
{
	metrics_add(LA_PROM_RATELIMITED, 1);
}

void
la_metrics_count_throttled(void)
{
	metrics_add(LA_PROM_THROTTLED, 1);
}

void
la_metrics_db(int rc)
{
	struct la_prom_cell *c;

	if (rc < 0 && (c = metrics_cell()) != NULL)
		la_prom_db_result(c, rc);
}

void
la_metrics_connection(int delta)
{
	struct la_prom_cell *c = metrics_cell();

	if (c != NULL)
		la_prom_gauge_add(c, LA_PROM_CONNECTIONS, delta);
}

void
la_metrics_begin(void)
{
	struct la_prom_cell *c = metrics_cell();

	if (c == NULL)
		return;
	metrics_t0 = metrics_now_ns();
	metrics_busy = 1;
	la_prom_gauge_add(c, LA_PROM_INFLIGHT, 1);
}

void
la_metrics_worker_start(void)
{
	if (metrics_z != NULL)
		la_prom_count_start(metrics_z);
}

void
la_metrics_worker_restart(void)
{
	if (metrics_z != NULL)
		la_prom_count_restart(metrics_z);
}

void
la_metrics_reloaded(int ok)
{
	if (metrics_z != NULL)
		la_prom_count_reload(metrics_z, ok, (int64_t)time(NULL));
}

/* The route template: an endpoint's detail route is "R/{id}". */
static const char *
metrics_route(const struct la_req *r, char *buf, size_t len)
{
	size_t n, k;

	if (r->route == NULL)
		return ("unmatched");
	if (r->id == NULL)
		return (r->route->name);
	/* snprintf(buf, len, "%s/{id}", name) without printf. */
	n = strlen(r->route->name);
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, r->route->name, n);
	k = len - 1 - n < sizeof("/{id}") - 1 ? len - 1 - n
	                                      : sizeof("/{id}") - 1;
	memcpy(buf + n, "/{id}", k);
	buf[n + k] = '\0';
	return (buf);
}

/* Counts the request in its labels' entries, found in metrics_slots
 * when a request with the same labels came before. */
static void
metrics_request(struct la_prom_cell *c, const struct la_req *r, uint64_t ns)
{
	const void *route = r->route != NULL ? (const void *)r->route
	                                     : (const void *)metrics_slots;
	unsigned method = r->http->method_id;
	int status = r->resp.status, detail = r->id != NULL;
	struct metrics_slot *m;
	char buf[LA_PROM_ROUTE_LEN];
	const char *name;
	uintptr_t h;

	h = ((uintptr_t)route >> 4) ^ (method * 7u) ^ ((unsigned)status * 13u) ^
	    (unsigned)detail;
	m = &metrics_slots[h % METRICS_SLOTS];
	if (m->route == route && m->method == method && m->status == status &&
	    m->detail == detail) {
		la_prom_observe(c, &m->slot, ns);
		return;
	}
	name = metrics_route(r, buf, sizeof(buf));
	if (!la_prom_slot(c, name, method, status, &m->slot)) {
		m->route = NULL;
		la_prom_request(c, name, method, status, ns);
		return;
	}
	m->route = route;
	m->method = method;
	m->status = status;
	m->detail = detail;
	la_prom_observe(c, &m->slot, ns);
}

int
la_metrics_phase(struct la_req *r)
{
	struct la_prom_cell *c = metrics_cell();
	struct la_db_timing *t = &r->ctx->db.timing;

	if (c == NULL || !metrics_busy)
		return (LA_PHASE_NEXT);
	metrics_busy = 0;
	la_prom_gauge_add(c, LA_PROM_INFLIGHT, -1);
	metrics_request(c, r, (uint64_t)(metrics_now_ns() - metrics_t0));
	if (t->calls > 0 || t->ns > 0) {
		la_prom_add(c, LA_PROM_DB_CALLS, t->calls);
		la_prom_add(c, LA_PROM_DB_NS, (uint64_t)t->ns);
		la_db_timing_reset(&r->ctx->db);
	}
	return (LA_PHASE_NEXT);
}

/* Loopback or a Unix socket (no address): this host only. */
static int
metrics_local(const char *peer)
{
	return (peer == NULL || strcmp(peer, "-") == 0 ||
	        strncmp(peer, "127.", 4) == 0 || strcmp(peer, "::1") == 0 ||
	        strncmp(peer, "::ffff:127.", 11) == 0);
}

int
la_metrics_route_ok(const struct la_req *r)
{
	enum la_route_kind k = r->route->kind;

	if (r->metrics_only)
		return (k == LA_ROUTE_METRICS || k == LA_ROUTE_HEALTHZ ||
		        k == LA_ROUTE_READYZ);
	return (k != LA_ROUTE_METRICS ||
	        r->ctx->conf->server.metrics_listen == NULL);
}

void
la_handler_metrics(struct la_req *r)
{
	struct la_ctable_stats st;
	struct la_prom_info info;
	uint64_t cache[5];

	/* On its own listener, whoever reaches the address may read. */
	if (metrics_z == NULL ||
	    (!r->metrics_only &&
	        r->ctx->conf->server.metrics == LA_CONF_METRICS_LOCAL &&
	        !metrics_local(r->peer))) {
		la_resp_fail(&r->resp, LA_ERR_NOT_FOUND, "not found");
		return;
	}
	memset(&info, 0, sizeof(info));
	info.version = PACKAGE_VERSION;
	info.drivers = la_db_drivers();
	info.alive = metrics_alive;
	if (metrics_cache_stats != NULL && metrics_cache_stats(&st)) {
		cache[0] = st.hits;
		cache[1] = st.misses;
		cache[2] = st.stores;
		cache[3] = st.evictions;
		cache[4] = st.invalidations;
		info.cache = cache;
	}
	la_buf_reset(r->resp.body);
	la_prom_format(metrics_z, &info, r->resp.body);
	la_resp_body(&r->resp, 200, LA_CT_PROM);
}
