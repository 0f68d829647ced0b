/*
 * Tests for lib/conf_section.c, the top-level sections: listen addresses,
 * workers, middleware with and without options (LightAPI's class paths
 * included), mode, and the auth section's login validator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "la.h"
#include "proxyaddr.h"
#include "tap.h"
#include "yaml_conf.h"

#include "conf_fixture.h"

static void
test_server(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a,
	    DB "server:\n"
	       "  listen: [8080, \"127.0.0.1:80\", \"[::1]:443\", \"*:81\"]\n"
	       "  workers: 3\n"
	       "  keepalive_timeout: 0\n",
	    &errs);
	ok(c != NULL, "server section loads");
	if (c != NULL) {
		is_int(c->server.listen.n, 4, "four addresses");
		is_str(c->server.listen.v[0], "0.0.0.0:8080",
		    "a bare port listens everywhere");
		is_str(c->server.listen.v[1], "127.0.0.1:80", "IPv4 kept");
		is_str(c->server.listen.v[2], "[::1]:443", "bracketed IPv6");
		is_str(c->server.listen.v[3], "*:81", "a host name is kept");
		is_int(c->server.workers, 3, "workers: 3");
		is_int(c->server.keepalive_timeout, 0, "keep-alive off");
	}
	c = load(a, DB "server: {listen: 9000}\n", &errs);
	ok(c != NULL && c->server.listen.n == 1 &&
	        strcmp(c->server.listen.v[0], "0.0.0.0:9000") == 0,
	    "a single scalar is a list of one");
	la_buf_free(&errs);

	is_str(errs_of(a, DB "server: {listen: \"::1:80\"}\n"),
	    "t.yaml:2:18: bad listen address '::1:80' (expected ADDR:PORT)\n",
	    "IPv6 needs brackets");
	is_str(errs_of(a, DB "server: {listen: \"h:0\"}\n"),
	    "t.yaml:2:18: bad listen address 'h:0' (expected ADDR:PORT)\n",
	    "port 0");
	is_str(errs_of(a, DB "server: {listen: \"h:65536\"}\n"),
	    "t.yaml:2:18: bad listen address 'h:65536' (expected ADDR:PORT)\n",
	    "port 65536");
	is_str(errs_of(a, DB "server: {listen: \"h:+80\"}\n"),
	    "t.yaml:2:18: bad listen address 'h:+80' (expected ADDR:PORT)\n",
	    "signed port");
	is_str(errs_of(a, DB "server: {listen: \":80\"}\n"),
	    "t.yaml:2:18: bad listen address ':80' (expected ADDR:PORT)\n",
	    "no host before the colon");
	is_str(errs_of(a, DB "server: {workers: 0}\n"),
	    "t.yaml:2:19: server.workers must be at least 1\n",
	    "workers 0: use auto");
}

/* server.metrics: who may read /metrics; local unless said. */
static void
test_metrics(struct la_arena *a)
{
	static const struct {
		const char *v;
		int want;
	} ok_v[] = {{"local", LA_CONF_METRICS_LOCAL},
	    {"all", LA_CONF_METRICS_ALL}, {"off", LA_CONF_METRICS_OFF}};
	struct la_conf *c;
	struct la_buf errs;
	char yaml[128];
	size_t i;

	la_buf_init(&errs);
	c = load(a, DB "server: {workers: 2}\n", &errs);
	ok(c != NULL && c->server.metrics == LA_CONF_METRICS_LOCAL,
	    "metrics: local by default");
	for (i = 0; i < LA_NELEM(ok_v); i++) {
		snprintf(yaml, sizeof(yaml), DB "server: {metrics: %s}\n",
		    ok_v[i].v);
		c = load(a, yaml, &errs);
		ok(c != NULL && c->server.metrics == ok_v[i].want,
		    "metrics: %s", ok_v[i].v);
	}
	c = load(a, DB "server: {metrics_listen: \"127.0.0.1:9100\"}\n", &errs);
	ok(c != NULL && c->server.metrics_listen != NULL &&
	        strcmp(c->server.metrics_listen, "127.0.0.1:9100") == 0,
	    "metrics_listen");
	ok(c != NULL && c->server.listen.n == 1, "not in listen");
	c = load(a, DB "server: {metrics_listen: 9100}\n", &errs);
	ok(c != NULL && c->server.metrics_listen != NULL &&
	        strcmp(c->server.metrics_listen, "0.0.0.0:9100") == 0,
	    "metrics_listen: a bare port listens everywhere");
	c = load(a, DB "server: {workers: 2}\n", &errs);
	ok(c != NULL && c->server.metrics_listen == NULL,
	    "no metrics_listen by default");
	is_str(errs_of(a, DB "server: {metrics_listen: \"h:0\"}\n"),
	    "t.yaml:2:26: bad listen address 'h:0' (expected ADDR:PORT)\n",
	    "metrics_listen is checked as listen is");
	is_str(errs_of(a, DB "server: {metrics: public}\n"),
	    "t.yaml:2:19: server.metrics must be 'local', 'all' or 'off', "
	    "got 'public'\n",
	    "another value is refused");
	la_buf_free(&errs);
}

static void
test_middleware(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a,
	    DB "middleware:\n"
	       "  - lightapi.middleware.CORSMiddleware\n"
	       "  - RateLimitMiddleware: {requests: 5, per: 2}\n"
	       "  - GzipMiddleware:\n",
	    &errs);
	ok(c != NULL, "middleware loads");
	if (c != NULL) {
		is_int(c->middleware.n, 3, "three middlewares");
		is_str(c->middleware.v[0], "CORSMiddleware",
		    "a lightapi.* class path is the built-in");
		is_str(c->middleware.v[1], "RateLimitMiddleware", "rate limit");
		is_int(c->ratelimit.requests, 5, "requests");
		is_int(c->ratelimit.per, 2, "per");
		is_str(c->middleware.v[2], "GzipMiddleware",
		    "null options are no options");
	}
	la_buf_free(&errs);
	is_str(errs_of(a, DB "middleware: [{RequestIdMiddleware: {len: 9}}]\n"),
	    "t.yaml:2:36: middleware 'RequestIdMiddleware' takes no options\n",
	    "options for a middleware without any");
	c = load(a, DB "middleware: [GzipMiddleware]\n", &errs);
	ok(c != NULL && c->gzip.min_length == 1024,
	    "gzip's threshold defaults to 1024 bytes");
	c = load(a, DB "middleware: [{GzipMiddleware: {min_length: 0}}]\n",
	    &errs);
	ok(c != NULL && c->gzip.min_length == 0, "min_length: 0");
	is_str(errs_of(a, DB "middleware: [{GzipMiddleware: {level: 9}}]\n"),
	    "t.yaml:2:32: unknown key 'level' in "
	    "middleware[0].GzipMiddleware\n",
	    "gzip takes min_length only");
	is_str(errs_of(a, DB "middleware: [{A: 1, B: 2}]\n"),
	    "t.yaml:2:14: expected one middleware name in middleware[0]\n",
	    "two names in one item");
}

static void
test_proxies(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a, DB "server: {trust_proxy: true}\n", &errs);
	ok(c != NULL && c->server.trusted_proxies == NULL &&
	        c->server.ntrusted_proxies == 0,
	    "trusted_proxies not given: NULL (loopback at run time)");
	c = load(a,
	    DB "server:\n"
	       "  trust_proxy: true\n"
	       "  trusted_proxies: [10.0.0.0/8, \"fd00::/8\", 192.0.2.1]\n",
	    &errs);
	ok(c != NULL, "trusted_proxies loads");
	if (c != NULL) {
		is_int(c->server.ntrusted_proxies, 3, "three networks");
		ok(la_cidr_match(c->server.trusted_proxies, 3, "10.2.3.4", 8),
		    "10.2.3.4 is trusted");
		ok(la_cidr_match(c->server.trusted_proxies, 3, "fd00::5", 7),
		    "fd00::5 is trusted");
		ok(la_cidr_match(c->server.trusted_proxies, 3, "192.0.2.1", 9),
		    "a bare address is trusted");
		ok(!la_cidr_match(c->server.trusted_proxies, 3, "192.0.2.2", 9),
		    "its neighbour is not");
	}
	c = load(a, DB "server: {trusted_proxies: 127.0.0.1}\n", &errs);
	ok(c != NULL && c->server.ntrusted_proxies == 1,
	    "a lone address is a list of one");
	la_buf_free(&errs);
	is_str(errs_of(a, DB "server: {trusted_proxies: [10.0.0.0/40]}\n"),
	    "t.yaml:2:28: bad trusted proxy '10.0.0.0/40' (expected an IPv4 "
	    "or IPv6 address or ADDR/BITS)\n",
	    "a prefix too long is refused");
	is_str(errs_of(a, DB "server: {trusted_proxies: [proxy.local]}\n"),
	    "t.yaml:2:28: bad trusted proxy 'proxy.local' (expected an IPv4 "
	    "or IPv6 address or ADDR/BITS)\n",
	    "a host name is refused");
	is_str(errs_of(a, DB "server: {trusted_proxies: []}\n"),
	    "t.yaml:2:27: server.trusted_proxies is empty (leave it out to "
	    "trust loopback only)\n",
	    "an empty list is refused");
}

static void
test_mode_auth(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a,
	    DB "mode: async\n"
	       "auth:\n"
	       "  jwt_secret: k\n"
	       "  login_validator: {table: users, claims: [id, role]}\n",
	    &errs);
	ok(c != NULL, "mode and login validator load");
	if (c != NULL) {
		is_int(c->auth.has_login, 1, "login validator set");
		is_str(c->auth.login.table, "users", "login table");
		is_str(c->auth.login.username_field, "username",
		    "default username field");
		is_str(c->auth.login.password_field, "password",
		    "default password field");
		is_int(c->auth.login.claims.n, 2, "two claims");
	}
	c = load(a, DB "mode: sync\n", &errs);
	ok(c != NULL, "mode: sync");
	c = load(a, DB "mode:\n", &errs);
	ok(c != NULL, "mode: null");
	la_buf_free(&errs);
	is_str(errs_of(a, DB "mode: threads\n"),
	    "t.yaml:2:7: mode must be 'sync' or 'async', got 'threads'\n",
	    "bad mode");
}

static void
test_database(struct la_arena *a)
{
	struct la_buf errs;
	struct la_conf *c;

	la_buf_init(&errs);
	c = load(a, "database: {url: \"sqlite:///x.db\"}\n", &errs);
	ok(c != NULL && c->db_statement_timeout == 30,
	    "statement_timeout defaults to 30 s");
	c = load(a,
	    "database: {url: \"sqlite:///x.db\", statement_timeout: 0}\n",
	    &errs);
	ok(c != NULL && c->db_statement_timeout == 0, "0 turns it off");
	la_buf_free(&errs);
	is_str(errs_of(a, "database: {url: \"sqlite:///x.db\", "
	                  "statement_timeout: -1}\n"),
	    "t.yaml:1:54: database.statement_timeout must be at least 0\n",
	    "a negative timeout is refused");
}

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_server(a);
	test_metrics(a);
	test_middleware(a);
	test_proxies(a);
	test_mode_auth(a);
	test_database(a);
	la_arena_free(a);
	return (done_testing());
}
