/*
 * Metrics zone and its Prometheus text (see prom.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "prom.h"
#include "xalloc.h"

#define RLX memory_order_relaxed

enum { SERIES_FREE, SERIES_BUSY, SERIES_READY };

static const char *const prom_methods[] = {"GET", "HEAD", "POST", "PUT",
    "PATCH", "DELETE", "OPTIONS", "other"};

/* Prometheus' default buckets with finer ones below 5 ms, where the
 * answers of a cache or a small table fall. */
static const uint64_t prom_bounds[LA_PROM_BUCKETS] = {100000, 250000, 500000,
    1000000, 2500000, 5000000, 10000000, 25000000, 50000000, 100000000,
    250000000, 500000000, 1000000000, 2500000000ull, 5000000000ull,
    10000000000ull};
static const char *const prom_le[LA_PROM_BUCKETS + 1] = {"0.0001", "0.00025",
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};

size_t
la_prom_size(void)
{
	return (sizeof(struct la_prom_zone));
}

void
la_prom_init(struct la_prom_zone *z, int64_t now)
{
	if (atomic_load(&z->m.generation) != 0)
		return;
	atomic_store(&z->m.start_time, now);
	atomic_store(&z->m.reload_time, now);
	atomic_store(&z->m.generation, 1);
}

/* ---- cells ---------------------------------------------------------- */

static int
prom_take(struct la_prom_cell *c, int32_t old, int32_t pid)
{
	size_t i;

	if (!atomic_compare_exchange_strong(&c->pid, &old, pid))
		return (0);
	for (i = 0; i < LA_PROM_NGAUGES; i++)
		atomic_store_explicit(&c->gauge[i], 0, RLX);
	return (1);
}

struct la_prom_cell *
la_prom_claim(struct la_prom_zone *z, int32_t pid, la_prom_alive_fn *alive)
{
	struct la_prom_cell *c;
	int32_t p;
	size_t i;

	for (i = 0; i < LA_PROM_CELLS; i++)
		if (atomic_load(&z->cell[i].pid) == pid)
			return (&z->cell[i]);
	for (i = 0; i < LA_PROM_CELLS; i++) {
		c = &z->cell[i];
		p = atomic_load(&c->pid);
		if ((p == 0 || !alive(p)) && prom_take(c, p, pid))
			return (c);
	}
	return (&z->cell[(uint32_t)pid % LA_PROM_CELLS]);
}

void
la_prom_add(struct la_prom_cell *c, enum la_prom_counter k, uint64_t n)
{
	atomic_fetch_add_explicit(&c->counter[k], n, RLX);
}

void
la_prom_gauge_add(struct la_prom_cell *c, enum la_prom_gauge g, int64_t delta)
{
	atomic_fetch_add_explicit(&c->gauge[g], delta, RLX);
}

static unsigned
prom_method(unsigned m)
{
	static const unsigned bits[] = {LA_M_GET, LA_M_HEAD, LA_M_POST,
	    LA_M_PUT, LA_M_PATCH, LA_M_DELETE, LA_M_OPTIONS};
	unsigned i;

	for (i = 0; i < LA_NELEM(bits); i++)
		if (m == bits[i])
			return (i);
	return (LA_NELEM(bits));
}

static uint64_t
prom_hash(const char *route, unsigned method, unsigned status)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *route != '\0'; route++)
		h = (h ^ (unsigned char)*route) * 0x100000001b3ull;
	h = (h ^ method) * 0x100000001b3ull;
	return ((h ^ status) * 0x100000001b3ull);
}

/*
 * Claims a free entry for labels, or says it is someone else's. Another
 * process sharing the cell may be labelling the same entry at once: the
 * loser moves on, and the reader merges the two entries it may leave.
 */
static int
prom_claim_entry(_Atomic uint32_t *state)
{
	uint32_t free = SERIES_FREE;

	return (atomic_compare_exchange_strong(state, &free, SERIES_BUSY));
}

static void
prom_route(char *dst, const char *route)
{
	size_t n = strlen(route);

	if (n > LA_PROM_ROUTE_LEN - 1)
		n = LA_PROM_ROUTE_LEN - 1;
	memcpy(dst, route, n);
	dst[n] = '\0';
}

/* The entry of these labels, added when missing; NULL when full. */
static struct la_prom_series *
prom_series(struct la_prom_cell *c, const char *route, unsigned method,
    unsigned status)
{
	uint64_t h = prom_hash(route, method, status);
	struct la_prom_series *s;
	size_t i;

	for (i = 0; i < LA_PROM_SERIES; i++) {
		s = &c->series[(h + i) % LA_PROM_SERIES];
		if (atomic_load_explicit(&s->state, memory_order_acquire) ==
		    SERIES_READY) {
			if (s->method == method && s->status == status &&
			    strncmp(s->route, route, LA_PROM_ROUTE_LEN - 1) ==
			        0)
				return (s);
			continue;
		}
		if (!prom_claim_entry(&s->state))
			continue;
		s->method = (uint8_t)method;
		s->status = (uint16_t)status;
		prom_route(s->route, route);
		atomic_store_explicit(&s->state, SERIES_READY,
		    memory_order_release);
		return (s);
	}
	return (NULL);
}

static struct la_prom_hist *
prom_hist(struct la_prom_cell *c, const char *route)
{
	uint64_t h = prom_hash(route, 0, 0);
	struct la_prom_hist *e;
	size_t i;

	for (i = 0; i < LA_PROM_ROUTES; i++) {
		e = &c->hist[(h + i) % LA_PROM_ROUTES];
		if (atomic_load_explicit(&e->state, memory_order_acquire) ==
		    SERIES_READY) {
			if (strncmp(e->route, route, LA_PROM_ROUTE_LEN - 1) ==
			    0)
				return (e);
			continue;
		}
		if (!prom_claim_entry(&e->state))
			continue;
		prom_route(e->route, route);
		atomic_store_explicit(&e->state, SERIES_READY,
		    memory_order_release);
		return (e);
	}
	return (NULL);
}

int
la_prom_slot(struct la_prom_cell *c, const char *route, unsigned method,
    int status, struct la_prom_slot *slot)
{
	if (status < 0 || status > 999)
		status = 0;
	slot->s = prom_series(c, route, prom_method(method), (unsigned)status);
	slot->e = slot->s != NULL ? prom_hist(c, route) : NULL;
	return (slot->e != NULL);
}

void
la_prom_observe(struct la_prom_cell *c, const struct la_prom_slot *slot,
    uint64_t ns)
{
	unsigned b = 0;

	(void)c;
	atomic_fetch_add_explicit(&slot->s->count, 1, RLX);
	while (b < LA_PROM_BUCKETS && ns > prom_bounds[b])
		b++;
	atomic_fetch_add_explicit(&slot->e->bucket[b], 1, RLX);
	atomic_fetch_add_explicit(&slot->e->sum_ns, ns, RLX);
}

void
la_prom_request(struct la_prom_cell *c, const char *route, unsigned method,
    int status, uint64_t ns)
{
	struct la_prom_slot slot;

	if (la_prom_slot(c, route, method, status, &slot)) {
		la_prom_observe(c, &slot, ns);
		return;
	}
	la_prom_add(c, LA_PROM_OVERFLOW, 1);
	if (slot.s != NULL)
		atomic_fetch_add_explicit(&slot.s->count, 1, RLX);
}

void
la_prom_db_result(struct la_prom_cell *c, int rc)
{
	/* LA_DB_EUNIQUE (-1) … LA_DB_EOTHER (-6), in the enum's order. */
	if (rc <= -1 && rc >= -6)
		la_prom_add(c,
		    (enum la_prom_counter)(LA_PROM_DB_EUNIQUE + (-rc - 1)), 1);
}

/* ---- the master's part ---------------------------------------------- */

void
la_prom_count_start(struct la_prom_zone *z)
{
	atomic_fetch_add_explicit(&z->m.worker_starts, 1, RLX);
}

void
la_prom_count_restart(struct la_prom_zone *z)
{
	atomic_fetch_add_explicit(&z->m.worker_restarts, 1, RLX);
}

void
la_prom_count_reload(struct la_prom_zone *z, int ok, int64_t now)
{
	if (ok) {
		atomic_fetch_add(&z->m.generation, 1);
		atomic_fetch_add(&z->m.reloads_ok, 1);
	} else
		atomic_fetch_add(&z->m.reloads_failed, 1);
	atomic_store(&z->m.reload_failed, ok ? 0 : 1);
	atomic_store(&z->m.reload_time, now);
}

const char *
la_prom_method_name(unsigned i)
{
	return (prom_methods[i < LA_NELEM(prom_methods)
	                         ? i
	                         : LA_NELEM(prom_methods) - 1]);
}

uint64_t
la_prom_bucket_ns(unsigned i)
{
	return (i < LA_PROM_BUCKETS ? prom_bounds[i] : UINT64_MAX);
}

const char *
la_prom_bucket_le(unsigned i)
{
	return (prom_le[i < LA_PROM_BUCKETS ? i : LA_PROM_BUCKETS]);
}

/* ---- the text --------------------------------------------------------- */

/* One family's HELP and TYPE lines. */
static void
prom_family(struct la_buf *b, const char *name, const char *type,
    const char *help)
{
	la_buf_printf(b, "# HELP lightapid_%s %s\n# TYPE lightapid_%s %s\n",
	    name, help, name, type);
}

/* A label value, escaped as the format wants: \\, \" and \n. */
static void
prom_label(struct la_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			la_buf_putc(b, '\\');
		if (*s == '\n') {
			la_buf_puts(b, "\\n");
			continue;
		}
		la_buf_putc(b, *s);
	}
}

/* Nanoseconds as exact decimal seconds. */
static void
prom_seconds(struct la_buf *b, uint64_t ns)
{
	la_buf_printf(b, "%llu.%09llu", (unsigned long long)(ns / 1000000000),
	    (unsigned long long)(ns % 1000000000));
}

static void
prom_value(struct la_buf *b, const char *name, uint64_t v)
{
	la_buf_printf(b, "lightapid_%s %llu\n", name, (unsigned long long)v);
}

static uint64_t
prom_sum(struct la_prom_zone *z, enum la_prom_counter k)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < LA_PROM_CELLS; i++)
		n += atomic_load_explicit(&z->cell[i].counter[k], RLX);
	return (n);
}

static int64_t
prom_gauge(struct la_prom_zone *z, enum la_prom_gauge g,
    la_prom_alive_fn *alive)
{
	int64_t n = 0;
	int32_t pid;
	size_t i;

	for (i = 0; i < LA_PROM_CELLS; i++) {
		pid = atomic_load(&z->cell[i].pid);
		if (pid != 0 && alive(pid))
			n += atomic_load_explicit(&z->cell[i].gauge[g], RLX);
	}
	return (n < 0 ? 0 : n);
}

static int
prom_series_cmp(const void *a, const void *b)
{
	const struct la_prom_series *x = *(const void *const *)a;
	const struct la_prom_series *y = *(const void *const *)b;
	int c = strcmp(x->route, y->route);

	if (c != 0)
		return (c);
	if (x->method != y->method)
		return (x->method < y->method ? -1 : 1);
	return (x->status < y->status ? -1 : x->status > y->status);
}

static int
prom_hist_cmp(const void *a, const void *b)
{
	const struct la_prom_hist *x = *(const void *const *)a;
	const struct la_prom_hist *y = *(const void *const *)b;

	return (strcmp(x->route, y->route));
}

static void
prom_requests(struct la_prom_zone *z, struct la_buf *b)
{
	struct la_prom_series **v, *s;
	size_t i, j, n = 0;
	uint64_t count;

	v = la_xcalloc(LA_PROM_CELLS * LA_PROM_SERIES, sizeof(*v));
	for (i = 0; i < LA_PROM_CELLS; i++)
		for (j = 0; j < LA_PROM_SERIES; j++) {
			s = &z->cell[i].series[j];
			if (atomic_load_explicit(&s->state,
			        memory_order_acquire) == SERIES_READY)
				v[n++] = s;
		}
	qsort(v, n, sizeof(*v), prom_series_cmp);
	prom_family(b, "http_requests_total", "counter",
	    "Requests served, by route template, method and status code.");
	for (i = 0; i < n; i = j) {
		count = 0;
		for (j = i; j < n && prom_series_cmp(&v[i], &v[j]) == 0; j++)
			count += atomic_load_explicit(&v[j]->count, RLX);
		la_buf_puts(b, "lightapid_http_requests_total{route=\"");
		prom_label(b, v[i]->route);
		la_buf_printf(b, "\",method=\"%s\",status=\"%u\"} %llu\n",
		    la_prom_method_name(v[i]->method), v[i]->status,
		    (unsigned long long)count);
	}
	free(v);
}

/* One route's histogram, summed over the entries v[0..n). */
static void
prom_hist_route(struct la_buf *b, struct la_prom_hist **v, size_t n)
{
	const char *name = "lightapid_http_request_duration_seconds";
	uint64_t cum = 0, sum = 0;
	size_t i, k;

	for (k = 0; k <= LA_PROM_BUCKETS; k++) {
		for (i = 0; i < n; i++)
			cum += atomic_load_explicit(&v[i]->bucket[k], RLX);
		la_buf_printf(b, "%s_bucket{route=\"", name);
		prom_label(b, v[0]->route);
		la_buf_printf(b, "\",le=\"%s\"} %llu\n", prom_le[k],
		    (unsigned long long)cum);
	}
	for (i = 0; i < n; i++)
		sum += atomic_load_explicit(&v[i]->sum_ns, RLX);
	/* The count is the +Inf bucket, so that the two agree even while
	 * requests go on during the reading. */
	la_buf_printf(b, "%s_sum{route=\"", name);
	prom_label(b, v[0]->route);
	la_buf_puts(b, "\"} ");
	prom_seconds(b, sum);
	la_buf_printf(b, "\n%s_count{route=\"", name);
	prom_label(b, v[0]->route);
	la_buf_printf(b, "\"} %llu\n", (unsigned long long)cum);
}

static void
prom_durations(struct la_prom_zone *z, struct la_buf *b)
{
	struct la_prom_hist **v, *e;
	size_t i, j, n = 0;

	v = la_xcalloc(LA_PROM_CELLS * LA_PROM_ROUTES, sizeof(*v));
	for (i = 0; i < LA_PROM_CELLS; i++)
		for (j = 0; j < LA_PROM_ROUTES; j++) {
			e = &z->cell[i].hist[j];
			if (atomic_load_explicit(&e->state,
			        memory_order_acquire) == SERIES_READY)
				v[n++] = e;
		}
	qsort(v, n, sizeof(*v), prom_hist_cmp);
	prom_family(b, "http_request_duration_seconds", "histogram",
	    "Time from the start of processing to the response written, "
	    "by route template.");
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && prom_hist_cmp(&v[i], &v[j]) == 0; j++)
			;
		prom_hist_route(b, v + i, j - i);
	}
	free(v);
}

static void
prom_database(struct la_prom_zone *z, struct la_buf *b)
{
	static const char *const kinds[] = {"unique", "foreign_key", "not_null",
	    "check", "unavailable", "other"};
	size_t i;

	prom_family(b, "db_query_duration_seconds", "summary",
	    "Time spent in database calls, and statements run.");
	la_buf_puts(b, "lightapid_db_query_duration_seconds_sum ");
	prom_seconds(b, prom_sum(z, LA_PROM_DB_NS));
	la_buf_putc(b, '\n');
	prom_value(b, "db_query_duration_seconds_count",
	    prom_sum(z, LA_PROM_DB_CALLS));
	prom_family(b, "db_errors_total", "counter",
	    "Database errors by kind.");
	for (i = 0; i < LA_NELEM(kinds); i++)
		la_buf_printf(b,
		    "lightapid_db_errors_total{kind=\"%s\"} %llu\n", kinds[i],
		    (unsigned long long)prom_sum(z,
		        (enum la_prom_counter)(LA_PROM_DB_EUNIQUE + i)));
}

static void
prom_cache(const struct la_prom_info *info, struct la_buf *b)
{
	static const char *const names[] = {"hits", "misses", "stores",
	    "evictions", "invalidations"};
	static const char *const help[] = {"Responses served from the cache.",
	    "Cacheable requests not found in the cache.",
	    "Responses stored in the cache.", "Entries evicted to make room.",
	    "Invalidations of a table's entries after a write."};
	char name[64];
	size_t i;

	for (i = 0; i < LA_NELEM(names); i++) {
		snprintf(name, sizeof(name), "cache_%s_total", names[i]);
		prom_family(b, name, "counter", help[i]);
		prom_value(b, name, info->cache != NULL ? info->cache[i] : 0);
	}
}

static void
prom_master(struct la_prom_zone *z, struct la_buf *b)
{
	struct la_prom_master *m = &z->m;

	prom_family(b, "start_time_seconds", "gauge",
	    "Start time of the master, in Unix seconds.");
	prom_value(b, "start_time_seconds",
	    (uint64_t)atomic_load(&m->start_time));
	prom_family(b, "config_generation", "gauge",
	    "Configurations loaded: 1 at the start, one more per reload.");
	prom_value(b, "config_generation", atomic_load(&m->generation));
	prom_family(b, "config_last_reload_timestamp_seconds", "gauge",
	    "Time of the last reload, or of the start, in Unix seconds.");
	prom_value(b, "config_last_reload_timestamp_seconds",
	    (uint64_t)atomic_load(&m->reload_time));
	prom_family(b, "config_last_reload_successful", "gauge",
	    "0 when the last reload failed, else 1.");
	prom_value(b, "config_last_reload_successful",
	    atomic_load(&m->reload_failed) ? 0 : 1);
	prom_family(b, "config_reloads_total", "counter",
	    "Reloads (SIGHUP) by result.");
	la_buf_printf(b,
	    "lightapid_config_reloads_total{result=\"success\"} %llu\n"
	    "lightapid_config_reloads_total{result=\"failure\"} %llu\n",
	    (unsigned long long)atomic_load(&m->reloads_ok),
	    (unsigned long long)atomic_load(&m->reloads_failed));
	prom_family(b, "worker_starts_total", "counter",
	    "Worker processes started.");
	prom_value(b, "worker_starts_total", atomic_load(&m->worker_starts));
	prom_family(b, "worker_restarts_total", "counter",
	    "Workers that died and were restarted.");
	prom_value(b, "worker_restarts_total",
	    atomic_load(&m->worker_restarts));
}

static void
prom_http(struct la_prom_zone *z, const struct la_prom_info *info,
    struct la_buf *b)
{
	prom_family(b, "http_open_connections", "gauge",
	    "Open client connections.");
	prom_value(b, "http_open_connections",
	    (uint64_t)prom_gauge(z, LA_PROM_CONNECTIONS, info->alive));
	prom_family(b, "http_requests_in_flight", "gauge",
	    "Requests being served.");
	prom_value(b, "http_requests_in_flight",
	    (uint64_t)prom_gauge(z, LA_PROM_INFLIGHT, info->alive));
	prom_requests(z, b);
	prom_family(b, "http_requests_unlabelled_total", "counter",
	    "Requests whose labels found no room in the metrics zone.");
	prom_value(b, "http_requests_unlabelled_total",
	    prom_sum(z, LA_PROM_OVERFLOW));
	prom_durations(z, b);
	prom_family(b, "ratelimited_requests_total", "counter",
	    "Requests refused by the rate limit (429).");
	prom_value(b, "ratelimited_requests_total",
	    prom_sum(z, LA_PROM_RATELIMITED));
	prom_family(b, "login_throttled_requests_total", "counter",
	    "Logins refused after too many failures from the address.");
	prom_value(b, "login_throttled_requests_total",
	    prom_sum(z, LA_PROM_THROTTLED));
}

void
la_prom_format(struct la_prom_zone *z, const struct la_prom_info *info,
    struct la_buf *b)
{
	prom_family(b, "build_info", "gauge",
	    "Always 1; the labels name the version and database drivers.");
	la_buf_puts(b, "lightapid_build_info{version=\"");
	prom_label(b, info->version);
	la_buf_puts(b, "\",drivers=\"");
	prom_label(b, info->drivers);
	la_buf_puts(b, "\"} 1\n");
	prom_master(z, b);
	prom_http(z, info, b);
	prom_database(z, b);
	prom_cache(info, b);
}
