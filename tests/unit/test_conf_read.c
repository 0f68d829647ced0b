/*
 * Tests for lib/conf_read.c, the typed readers: booleans, sizes with
 * K/M/G suffixes, numbers printed back exactly, and free-form default:
 * values turned into JSON text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "la.h"
#include "tap.h"
#include "yaml_conf.h"
#include "conf_int.h"

#include "conf_fixture.h"

static void
test_scalars(struct la_arena *a)
{
	static const double ds[] = {0.1, 1.0 / 3, 0.1 + 0.2, 1e300, -2.5e-300,
	    4.9406564584124654e-324, 123456789012345680.0};
	struct la_buf b;
	size_t i;

	(void)a;
	is_int(la_conf_read_parse_bool("true"), 1, "true");
	is_int(la_conf_read_parse_bool("Yes"), 1, "Yes");
	is_int(la_conf_read_parse_bool("ON"), 1, "ON");
	is_int(la_conf_read_parse_bool("false"), 0, "false");
	is_int(la_conf_read_parse_bool("No"), 0, "No");
	is_int(la_conf_read_parse_bool("off"), 0, "off");
	is_int(la_conf_read_parse_bool("y"), -1, "y is not YAML 1.1 here");
	is_int(la_conf_read_parse_bool("1"), -1, "1 is a number");
	is_int(la_conf_read_parse_bool(""), -1, "empty");

	la_buf_init(&b);
	la_conf_read_put_double(&b, 0.1);
	is_str(b.data, "0.1", "0.1 in 15 digits");
	la_buf_reset(&b);
	la_conf_read_put_double(&b, 2.5);
	is_str(b.data, "2.5", "2.5");
	la_buf_reset(&b);
	la_conf_read_put_double(&b, 1e300);
	is_str(b.data, "1e+300", "exponent form");
	la_buf_reset(&b);
	la_conf_read_put_double(&b, 0.1 + 0.2);
	is_str(b.data, "0.30000000000000004", "17 digits when needed");
	for (i = 0; i < LA_NELEM(ds); i++) {
		la_buf_reset(&b);
		la_conf_read_put_double(&b, ds[i]);
		ok(strtod(b.data, NULL) == ds[i], "%s reads back exactly",
		    b.data);
	}
	la_buf_free(&b);
}

static void
test_sizes(struct la_arena *a)
{
	static const struct {
		const char *in;
		size_t want;
	} good[] = {
	    {"1M", 1048576},
	    {"8K", 8192},
	    {"64M", 67108864},
	    {"1G", 1073741824},
	    {"512", 512},
	    {"16k", 16384},
	    {"2MB", 2097152},
	    {"\"3m\"", 3145728},
	};
	static const struct {
		const char *in, *err;
	} bad[] = {
	    {"0",
	        "t.yaml:2:25: server.max_body_size must be a positive size\n"},
	    {"-1M",
	        "t.yaml:2:25: server.max_body_size must be a positive size\n"},
	    {"1X", "t.yaml:2:25: expected a size (bytes, or a number with K, "
	           "M or G) for server.max_body_size\n"},
	    {"1.5M", "t.yaml:2:25: expected a size (bytes, or a number with "
	             "K, M or G) for server.max_body_size\n"},
	    {"99999999999999999999",
	        "t.yaml:2:25: expected a size (bytes, or a number with K, M "
	        "or G) for server.max_body_size\n"},
	    {"[1]", "t.yaml:2:25: expected a size for server.max_body_size\n"},
	};
	struct la_buf errs;
	struct la_conf *c;
	char text[256];
	size_t i;

	la_buf_init(&errs);
	for (i = 0; i < LA_NELEM(good); i++) {
		snprintf(text, sizeof(text), DB "server: {max_body_size: %s}\n",
		    good[i].in);
		c = load(a, text, &errs);
		ok(c != NULL && c->server.max_body_size == good[i].want,
		    "size %s", good[i].in);
	}
	for (i = 0; i < LA_NELEM(bad); i++) {
		snprintf(text, sizeof(text), DB "server: {max_body_size: %s}\n",
		    bad[i].in);
		is_str(errs_of(a, text), bad[i].err, "bad size %s", bad[i].in);
	}
	is_str(errs_of(a, DB "cache: {shm_size: 0}\n"),
	    "t.yaml:2:19: cache.shm_size must be a positive size\n",
	    "zero shm_size");
	la_buf_free(&errs);
}

static void
test_json_defaults(struct la_arena *a)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"true", "true"},
	    {"yes", "true"},
	    {"Off", "false"},
	    {"FALSE", "false"},
	    {"5", "5"},
	    {"-3", "-3"},
	    {"+7", "7"},
	    {"2.5", "2.5"},
	    {"1e3", "1e3"},
	    {"1.", "1"},
	    {".5", "0.5"},
	    {"null", "null"},
	    {"~", "null"},
	    {"\"true\"", "\"true\""},
	    {"'5'", "\"5\""},
	    {"hello world", "\"hello world\""},
	    {"\"a\\\"b\\\\c\\n\"", "\"a\\\"b\\\\c\\u000a\""},
	    {".inf", "\".inf\""},
	    {"0x10", "\"0x10\""},
	    {"${PORT}", "5432"},
	    {"\"${PORT}\"", "\"5432\""},
	    {"[1, \"a\", yes, null]", "[1,\"a\",true,null]"},
	    {"{a: 1, b: [x, 2.0], c: {}}",
	        "{\"a\":1,\"b\":[\"x\",2.0],\"c\":{}}"},
	    {"[]", "[]"},
	};
	struct la_buf errs;
	struct la_conf *c;
	char text[256];
	size_t i;

	la_buf_init(&errs);
	for (i = 0; i < LA_NELEM(cases); i++) {
		snprintf(text, sizeof(text),
		    DB "endpoints:\n  - route: /x\n    fields:\n"
		       "      f:\n        type: json\n        default: %s\n",
		    cases[i].in);
		c = load(a, text, &errs);
		if (!ok(c != NULL, "default %s loads", cases[i].in)) {
			diag("%s", errs.data);
			continue;
		}
		is_str(c->endpoints[0].fields[0].dflt, cases[i].want,
		    "default %s as JSON", cases[i].in);
		ok(c->endpoints[0].fields[0].flags & LA_COL_DEFAULT,
		    "default %s sets LA_COL_DEFAULT", cases[i].in);
	}
	la_buf_free(&errs);
}

int
main(void)
{
	struct la_arena *a = la_arena_new(65536);

	test_scalars(a);
	test_sizes(a);
	test_json_defaults(a);
	la_arena_free(a);
	return (done_testing());
}
