/* Unit tests for lib/la.c, lib/coldef.c and lib/xalloc.c. */
#include <stdlib.h>
#include <string.h>

#include "la.h"
#include "coldef.h"
#include "xalloc.h"
#include "tap.h"

int
main(void)
{
	struct la_col_def d;
	char *p;

	is_int(la_verb_parse("GET", 3), LA_M_GET, "GET");
	is_int(la_verb_parse("PATCH", 5), LA_M_PATCH, "PATCH");
	is_int(la_verb_parse("OPTIONS", 7), LA_M_OPTIONS, "OPTIONS");
	is_int(la_verb_parse("get", 3), 0, "verbs are case-sensitive");
	is_int(la_verb_parse("GETX", 3), LA_M_GET, "only len bytes are read");
	is_int(la_verb_parse("TRACE", 5), 0, "unknown verb");
	is_str(la_verb_name(LA_M_DELETE), "DELETE", "name of a verb");
	is_int(la_verb_index(LA_M_PUT), 2, "index of PUT");
	is_int(la_verb_index(LA_M_GET | LA_M_PUT), -1, "index of a set is -1");
	is_int(la_type_parse("Decimal"), LA_T_DECIMAL, "Decimal");
	is_int(la_type_parse("decimal"), LA_T_DECIMAL, "decimal");
	is_int(la_type_parse("UUID"), LA_T_UUID, "UUID");
	is_int(la_type_parse("json"), LA_T_JSON, "json");
	is_int(la_type_parse("time"), LA_T_NONE, "time is reflection only");
	is_int(la_type_parse("varchar"), LA_T_NONE, "unknown type");
	is_str(la_type_name(LA_T_DATETIME), "datetime", "type name");
	la_col_def_init(&d, "x", LA_T_INT);
	ok(d.min_length == -1 && d.max_length == -1 && d.decimal_places == -1 &&
	        d.flags == 0,
	    "a new definition has no constraints");
	{
		int64_t t0 = la_monotonic_ms(), t1 = la_monotonic_ms();

		ok(t0 > 0 && t1 >= t0, "the monotonic clock never goes back");
	}
	p = la_xstrndup("abcdef", 3);
	is_str(p, "abc", "xstrndup");
	p = la_xrealloc(p, 100);
	ok(p != NULL && memcmp(p, "abc", 4) == 0, "xrealloc keeps the data");
	free(p);
	return (done_testing());
}
