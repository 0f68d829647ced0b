/*
 * Tests for lib/conf_dump.c: the -T dump hides secrets, shows defaults and
 * sizes, and loads back to the same dump, odd strings included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "la.h"
#include "tap.h"
#include "yaml_conf.h"

#include "conf_fixture.h"

/* trusted_proxies and GzipMiddleware's options survive the dump. */
static void
test_dump_middleware(struct la_arena *a)
{
	struct la_buf errs, d1, d2;
	struct la_conf *c;

	la_buf_init(&errs);
	la_buf_init(&d1);
	la_buf_init(&d2);
	c = load(a,
	    DB "server:\n"
	       "  trust_proxy: true\n"
	       "  trusted_proxies: [10.1.2.3/8, \"FD00::/8\", \"::1\"]\n"
	       "middleware: [{GzipMiddleware: {min_length: 99}}]\n",
	    &errs);
	if (c != NULL)
		la_conf_dump(c, &d1);
	ok(c != NULL && strstr(d1.data, "  trusted_proxies: [\"10.0.0.0/8\", "
	                                "\"fd00::/8\", \"::1/128\"]\n") != NULL,
	    "dump has the trusted proxies as networks");
	ok(c != NULL &&
	        strstr(d1.data, "  - GzipMiddleware: {min_length: 99}") != NULL,
	    "dump has gzip's threshold");
	c = c != NULL ? la_conf_load_mem("dump.yaml", d1.data, d1.len, a, &errs,
	                    fake_getenv)
	              : NULL;
	if (c != NULL)
		la_conf_dump(c, &d2);
	ok(c != NULL &&
	        strcmp(strchr(d1.data, '\n'), strchr(d2.data, '\n')) == 0,
	    "and they load back the same");
	c = load(a, DB "server: {trust_proxy: true}\n", &errs);
	la_buf_reset(&d1);
	if (c != NULL)
		la_conf_dump(c, &d1);
	ok(c != NULL && strstr(d1.data, "trusted_proxies") == NULL,
	    "without the list, none is dumped (loopback stays the default)");
	la_buf_free(&errs);
	la_buf_free(&d1);
	la_buf_free(&d2);
}

/* meta.where and meta.set come out in the per-verb form and load back. */
static void
test_dump_scope(struct la_arena *a)
{
	struct la_buf errs, d1, d2;
	struct la_conf *c;

	la_buf_init(&errs);
	la_buf_init(&d1);
	la_buf_init(&d2);
	c = load(a,
	    DB "endpoints:\n"
	       "  - route: /a\n"
	       "    meta:\n"
	       "      where: {GET: {owner: \"{user.sub}\", gone: null}}\n"
	       "      set: {owner: \"{user.sub}\", live: true}\n",
	    &errs);
	if (c != NULL)
		la_conf_dump(c, &d1);
	ok(c != NULL &&
	        strstr(d1.data, "      where:\n        GET: {owner: "
	                        "\"{user.sub}\", gone: null}\n") != NULL,
	    "dump has the where scope, null plain");
	ok(c != NULL &&
	        strstr(d1.data, "        PATCH: {owner: \"{user.sub}\", "
	                        "live: \"true\"}\n") != NULL,
	    "dump has the set scope for each of its verbs");
	c = c != NULL ? la_conf_load_mem("dump.yaml", d1.data, d1.len, a, &errs,
	                    fake_getenv)
	              : NULL;
	if (c != NULL)
		la_conf_dump(c, &d2);
	ok(c != NULL &&
	        strcmp(strchr(d1.data, '\n'), strchr(d2.data, '\n')) == 0,
	    "and they load back the same");
	la_buf_free(&errs);
	la_buf_free(&d1);
	la_buf_free(&d2);
}

static void
test_dump(struct la_arena *a)
{
	struct la_buf errs, d1, d2;
	struct la_conf *c;
	char *nl;

	la_buf_init(&errs);
	la_buf_init(&d1);
	la_buf_init(&d2);
	c = load(a, full, &errs);
	if (c == NULL) {
		ok(0, "full file loads for the dump");
		return;
	}
	la_conf_dump(c, &d1);
	ok(strstr(d1.data, "jwt_secret: \"********\"") != NULL,
	    "dump hides the JWT secret");
	ok(strstr(d1.data, "s3cret") == NULL, "secret not in the dump");
	ok(strstr(d1.data, "  workers: 4\n") != NULL, "dump has workers");
	ok(strstr(d1.data, "  max_body_size: 4194304\n") != NULL,
	    "dump has sizes in bytes");
	ok(strstr(d1.data, "      in_stock: {type: bool, default: true}\n") !=
	        NULL,
	    "dump has field defaults");
	ok(strstr(d1.data, "  - RateLimitMiddleware: {requests: 10, per: 1}") !=
	        NULL,
	    "dump has rate limit options");
	/* The dump is a configuration file in its own right. */
	c = la_conf_load_mem("dump.yaml", d1.data, d1.len, a, &errs,
	    fake_getenv);
	ok(c != NULL, "the dump loads again");
	if (c == NULL)
		diag("%s", errs.data);
	else {
		la_conf_dump(c, &d2);
		nl = strchr(d1.data, '\n');
		ok(nl != NULL && strcmp(nl, strchr(d2.data, '\n')) == 0,
		    "dump of the dump is the same");
		is_str(c->auth.jwt_secret, "********", "masked secret reloads");
	}
	c = load(a,
	    "database: {url: \"postgresql://bob:hunter2@db:5432/app\"}\n",
	    &errs);
	la_buf_reset(&d1);
	if (c != NULL)
		la_conf_dump(c, &d1);
	ok(c != NULL && strstr(d1.data, "hunter2") == NULL &&
	        strstr(d1.data, "postgresql://bob:********@db:5432/app") !=
	            NULL,
	    "dump hides the URL password");
	c = load(a,
	    DB "endpoints:\n  - route: /x\n    meta: {pagination: "
	       "{count: none, count_ttl: 9}}\n  - route: /y\n    meta: "
	       "{pagination: {}}\n",
	    &errs);
	la_buf_reset(&d1);
	if (c != NULL)
		la_conf_dump(c, &d1);
	ok(c != NULL && strstr(d1.data, "max_page_size: 100, count: none, "
	                                "count_ttl: 9}\n") != NULL,
	    "dump has the count mode and TTL");
	ok(c != NULL && strstr(d1.data, "count_ttl: 5") == NULL &&
	        strstr(d1.data, "count: exact") == NULL,
	    "dump leaves the count defaults out");
	la_buf_free(&errs);
	la_buf_free(&d1);
	la_buf_free(&d2);
}

/* Strings libyaml would refuse or fold must come back from the dump. */
static void
test_dump_escapes(struct la_arena *a)
{
	static const char text[] =
	    DB "swagger_title: \"a\\x80b\\x7fc\\u2028d\\N\\te\\\"f\\\\g "
	       "\\uFEFF\\U0001F600 \\u00e9\"\n"
	       "endpoints:\n  - route: /x\n    fields:\n"
	       "      f: {type: json, default: [\"\\x85\\x7f\", {\"k\\x80\": "
	       "1}]}\n";
	struct la_buf errs, d;
	struct la_conf *c, *c2;

	la_buf_init(&errs);
	la_buf_init(&d);
	c = load(a, text, &errs);
	if (!ok(c != NULL, "strings with odd characters load")) {
		diag("%s", errs.data);
		la_buf_free(&errs);
		la_buf_free(&d);
		return;
	}
	is_str(c->endpoints[0].fields[0].dflt,
	    "[\"\\u0085\\u007f\",{\"k\\u0080\":1}]",
	    "JSON escapes what YAML cannot hold raw");
	la_conf_dump(c, &d);
	c2 = la_conf_load_mem("d.yaml", d.data, d.len, a, &errs, fake_getenv);
	ok(c2 != NULL, "their dump loads");
	if (c2 != NULL) {
		is_str(c2->swagger_title, c->swagger_title,
		    "title survives the dump");
		is_str(c2->endpoints[0].fields[0].dflt,
		    c->endpoints[0].fields[0].dflt,
		    "default survives the dump");
	}
	is_str(errs_of(a, DB "swagger_title: \"${LATIN1}\"\n"),
	    "t.yaml:2:16: environment variable 'LATIN1' is not valid UTF-8\n",
	    "non-UTF-8 environment value");
	la_buf_free(&errs);
	la_buf_free(&d);
}

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_dump(a);
	test_dump_middleware(a);
	test_dump_scope(a);
	test_dump_escapes(a);
	la_arena_free(a);
	return (done_testing());
}
