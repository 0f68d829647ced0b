/*
 * Unit tests for lib/prom.c: cells claimed per process (reused, free,
 * taken over from a dead process with its gauges zeroed), labelled series
 * merged across cells, cumulative histogram buckets whose +Inf equals
 * the count, database error kinds, the master's counters, label escaping
 * and the exact text of a small zone.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "la.h"
#include "prom.h"
#include "tap.h"

static int32_t dead_pid;

static int
alive(int32_t pid)
{
	return (pid != dead_pid);
}

static struct la_prom_zone *
zone(void)
{
	return (calloc(1, la_prom_size()));
}

static char *
text(struct la_prom_zone *z, const uint64_t *cache)
{
	struct la_prom_info info = {"1.2.3", "sqlite", cache, alive};
	struct la_buf b;

	la_buf_init(&b);
	la_prom_format(z, &info, &b);
	return (b.data);
}

/* The line of the text that starts with prefix, up to its newline. */
static char *
line(const char *t, const char *prefix)
{
	static char out[256];
	const char *p = t;
	size_t n = strlen(prefix), len;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, n) == 0) {
			len = strcspn(p, "\n");
			if (len >= sizeof(out))
				len = sizeof(out) - 1;
			memcpy(out, p, len);
			out[len] = '\0';
			return (out);
		}
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return (NULL);
}

static int
count_lines(const char *t, const char *prefix)
{
	size_t n = strlen(prefix);
	int count = 0;

	for (; t != NULL && *t != '\0'; t = strchr(t, '\n'), t = t ? t + 1 : t)
		count += strncmp(t, prefix, n) == 0;
	return (count);
}

static void
test_claim(void)
{
	struct la_prom_zone *z = zone();
	struct la_prom_cell *a, *b, *c;
	size_t i;

	a = la_prom_claim(z, 100, alive);
	b = la_prom_claim(z, 200, alive);
	ok(a != b, "two processes, two cells");
	ok(la_prom_claim(z, 100, alive) == a, "a process finds its cell");
	la_prom_gauge_add(a, LA_PROM_CONNECTIONS, 3);
	la_prom_add(a, LA_PROM_THROTTLED, 2);
	for (i = 2; i < LA_PROM_CELLS; i++)
		la_prom_claim(z, (int32_t)(1000 + i), alive);
	dead_pid = 100;
	c = la_prom_claim(z, 300, alive);
	ok(c == a, "a dead process's cell is taken over when none is free");
	is_int(atomic_load(&c->gauge[LA_PROM_CONNECTIONS]), 0,
	    "its gauges start at zero");
	is_int(atomic_load(&c->counter[LA_PROM_THROTTLED]), 2,
	    "its counters are kept");
	dead_pid = 0;
	c = la_prom_claim(z, 400, alive);
	ok(c == &z->cell[400 % LA_PROM_CELLS], "a full zone shares a cell");
	free(z);
}

static void
test_series(void)
{
	struct la_prom_zone *z = zone();
	struct la_prom_cell *a = la_prom_claim(z, 1, alive);
	struct la_prom_cell *b = la_prom_claim(z, 2, alive);
	char *t;
	int i;

	for (i = 0; i < 4; i++)
		la_prom_request(a, "/books", LA_M_GET, 200, 300000);
	for (i = 0; i < 3; i++)
		la_prom_request(b, "/books", LA_M_GET, 200, 2000000000ull);
	la_prom_request(b, "/books", LA_M_HEAD, 200, 1);
	la_prom_request(b, "/books/{id}", LA_M_DELETE, 404, 1);
	la_prom_request(b, "/x", 0x1234, 200, 1);
	t = text(z, NULL);
	is_str(line(t, "lightapid_http_requests_total{route=\"/books\",method="
	               "\"GET\""),
	    "lightapid_http_requests_total{route=\"/books\",method=\"GET\","
	    "status=\"200\"} 7",
	    "merged over the cells");
	ok(line(t, "lightapid_http_requests_total{route=\"/books\",method="
	           "\"HEAD\",status=\"200\"} 1") != NULL,
	    "HEAD apart from GET");
	ok(line(t, "lightapid_http_requests_total{route=\"/books/{id}\","
	           "method=\"DELETE\",status=\"404\"} 1") != NULL,
	    "detail route template");
	ok(line(t, "lightapid_http_requests_total{route=\"/x\",method="
	           "\"other\"") != NULL,
	    "an unknown method is 'other'");
	is_str(line(t, "lightapid_http_request_duration_seconds_bucket{route="
	               "\"/books\",le=\"0.00025\"}"),
	    "lightapid_http_request_duration_seconds_bucket{route=\"/books\","
	    "le=\"0.00025\"} 1",
	    "a 1 ns HEAD in the first buckets");
	is_str(line(t, "lightapid_http_request_duration_seconds_bucket{route="
	               "\"/books\",le=\"0.0005\"}"),
	    "lightapid_http_request_duration_seconds_bucket{route=\"/books\","
	    "le=\"0.0005\"} 5",
	    "buckets are cumulative");
	is_str(line(t, "lightapid_http_request_duration_seconds_bucket{route="
	               "\"/books\",le=\"2.5\"}"),
	    "lightapid_http_request_duration_seconds_bucket{route=\"/books\","
	    "le=\"2.5\"} 8",
	    "2 s in the 2.5 bucket");
	is_str(line(t, "lightapid_http_request_duration_seconds_bucket{route="
	               "\"/books\",le=\"+Inf\"}"),
	    "lightapid_http_request_duration_seconds_bucket{route=\"/books\","
	    "le=\"+Inf\"} 8",
	    "+Inf holds every request");
	is_str(line(t, "lightapid_http_request_duration_seconds_count{route="
	               "\"/books\"}"),
	    "lightapid_http_request_duration_seconds_count{route=\"/books\"} 8",
	    "count equals +Inf");
	is_str(line(t, "lightapid_http_request_duration_seconds_sum{route="
	               "\"/books\"}"),
	    "lightapid_http_request_duration_seconds_sum{route=\"/books\"} "
	    "6.001200001",
	    "exact sum in seconds");
	free(t);
	free(z);
}

static void
test_overflow_escape(void)
{
	struct la_prom_zone *z = zone();
	struct la_prom_cell *a = la_prom_claim(z, 1, alive);
	char route[32], want[64], *t;
	int i;

	for (i = 0; i < LA_PROM_SERIES + 5; i++) {
		snprintf(route, sizeof(route), "/r%d", i);
		la_prom_request(a, route, LA_M_GET, 200, 1);
	}
	t = text(z, NULL);
	/* Every route has its series; only the first LA_PROM_ROUTES have a
	 * histogram: the others are counted apart. */
	snprintf(want, sizeof(want),
	    "lightapid_http_requests_unlabelled_total %d",
	    LA_PROM_SERIES + 5 - LA_PROM_ROUTES);
	is_str(line(t, "lightapid_http_requests_unlabelled_total "), want,
	    "requests beyond the tables are counted apart");
	is_int(count_lines(t, "lightapid_http_requests_total{"), LA_PROM_SERIES,
	    "as many series as the table holds");
	free(t);
	free(z);
	z = zone();
	a = la_prom_claim(z, 1, alive);
	la_prom_request(a, "/a\"b\\c\nd", LA_M_GET, 200, 1);
	t = text(z, NULL);
	ok(line(t,
	       "lightapid_http_requests_total{route=\"/a\\\"b\\\\c\\nd\"") !=
	        NULL,
	    "label values are escaped");
	free(t);
	free(z);
}

static void
test_others(void)
{
	static const uint64_t cache[5] = {10, 11, 12, 13, 14};
	struct la_prom_zone *z = zone();
	struct la_prom_cell *a = la_prom_claim(z, 1, alive);
	struct la_prom_cell *b = la_prom_claim(z, 2, alive);
	char *t;

	la_prom_init(z, 1000);
	la_prom_init(z, 2000);
	la_prom_db_result(a, -1);
	la_prom_db_result(b, -5);
	la_prom_db_result(b, -5);
	la_prom_db_result(b, 0);
	la_prom_db_result(b, 1);
	la_prom_add(a, LA_PROM_DB_CALLS, 3);
	la_prom_add(a, LA_PROM_DB_NS, 1500000000);
	la_prom_gauge_add(a, LA_PROM_CONNECTIONS, 2);
	la_prom_gauge_add(b, LA_PROM_CONNECTIONS, 5);
	la_prom_count_start(z);
	la_prom_count_start(z);
	la_prom_count_restart(z);
	la_prom_count_reload(z, 1, 3000);
	la_prom_count_reload(z, 0, 4000);
	dead_pid = 2;
	t = text(z, cache);
	is_str(line(t, "lightapid_build_info"),
	    "lightapid_build_info{version=\"1.2.3\",drivers=\"sqlite\"} 1",
	    "build info");
	is_str(line(t, "lightapid_start_time_seconds "),
	    "lightapid_start_time_seconds 1000", "init happens once");
	is_str(line(t, "lightapid_config_generation "),
	    "lightapid_config_generation 2", "one good reload: generation 2");
	is_str(line(t, "lightapid_config_last_reload_successful "),
	    "lightapid_config_last_reload_successful 0", "the last one failed");
	is_str(line(t, "lightapid_config_last_reload_timestamp_seconds "),
	    "lightapid_config_last_reload_timestamp_seconds 4000",
	    "at its time");
	is_str(line(t, "lightapid_worker_starts_total "),
	    "lightapid_worker_starts_total 2", "starts");
	is_str(line(t, "lightapid_worker_restarts_total "),
	    "lightapid_worker_restarts_total 1", "restarts");
	is_str(line(t, "lightapid_db_errors_total{kind=\"unique\"}"),
	    "lightapid_db_errors_total{kind=\"unique\"} 1", "unique errors");
	is_str(line(t, "lightapid_db_errors_total{kind=\"unavailable\"}"),
	    "lightapid_db_errors_total{kind=\"unavailable\"} 2",
	    "a dead process's counters still count");
	is_str(line(t, "lightapid_db_errors_total{kind=\"other\"}"),
	    "lightapid_db_errors_total{kind=\"other\"} 0",
	    "rows are no errors");
	is_str(line(t, "lightapid_db_query_duration_seconds_sum "),
	    "lightapid_db_query_duration_seconds_sum 1.500000000", "db time");
	is_str(line(t, "lightapid_db_query_duration_seconds_count "),
	    "lightapid_db_query_duration_seconds_count 3", "statements");
	is_str(line(t, "lightapid_http_open_connections "),
	    "lightapid_http_open_connections 2",
	    "a dead process's gauges do not count");
	is_str(line(t, "lightapid_cache_evictions_total "),
	    "lightapid_cache_evictions_total 13", "cache counters");
	ok(line(t, "# TYPE lightapid_http_request_duration_seconds "
	           "histogram") != NULL,
	    "TYPE lines");
	dead_pid = 0;
	free(t);
	free(z);
}

/* A slot kept by the caller counts as la_prom_request does. */
static void
test_slot(void)
{
	struct la_prom_zone *z = zone();
	struct la_prom_cell *a = la_prom_claim(z, 1, alive);
	struct la_prom_slot slot;
	char *t;

	ok(la_prom_slot(a, "/books/{id}", LA_M_GET, 200, &slot),
	    "a slot for new labels");
	la_prom_observe(a, &slot, 300000);
	la_prom_observe(a, &slot, 2000000000ull);
	la_prom_request(a, "/books/{id}", LA_M_GET, 200, 1);
	t = text(z, NULL);
	is_str(line(t, "lightapid_http_requests_total{route=\"/books/{id}\","),
	    "lightapid_http_requests_total{route=\"/books/{id}\",method="
	    "\"GET\",status=\"200\"} 3",
	    "a slot's requests and looked-up ones share the series");
	is_str(line(t, "lightapid_http_request_duration_seconds_bucket{route="
	               "\"/books/{id}\",le=\"0.0005\"}"),
	    "lightapid_http_request_duration_seconds_bucket{route="
	    "\"/books/{id}\",le=\"0.0005\"} 2",
	    "a slot's durations go into the histogram");
	free(t);
	free(z);
}

int
main(void)
{
	test_claim();
	test_series();
	test_slot();
	test_overflow_escape();
	test_others();
	return (done_testing());
}
