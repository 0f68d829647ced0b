/*
 * Unit tests for lib/coldef.c: a fresh definition has no constraints, the
 * YAML type names map both ways, and the names only reflection produces
 * (time, any) are not accepted from YAML.
 */
#include <string.h>

#include "coldef.h"
#include "la.h"
#include "tap.h"

static void
test_init(void)
{
	struct la_col_def d;

	memset(&d, 0xa5, sizeof(d));
	la_col_def_init(&d, "price", LA_T_DECIMAL);
	is_str(d.name, "price", "name");
	is_int(d.type, LA_T_DECIMAL, "type");
	is_int(d.flags, 0, "no flags: required, no default, no bound");
	is_int(d.min_length, -1, "min_length unset");
	is_int(d.max_length, -1, "max_length unset");
	is_int(d.decimal_places, -1, "decimal_places unset");
	is_int(d.max_digits, -1, "max_digits unset");
	ok(d.dflt == NULL && d.pattern == NULL && d.fk_table == NULL &&
	        d.fk_col == NULL && d.description == NULL && d.sqltype == NULL,
	    "no default, pattern, foreign key, description or SQL type");
	ok(d.gt == 0 && d.ge == 0 && d.lt == 0 && d.le == 0, "bounds zeroed");
	is_int(d.line, 0, "no position");
	is_int(d.col, 0, "no column");
}

static void
test_names(void)
{
	static const struct {
		const char *name;
		enum la_type t;
	} yaml[] = {
	    {"str", LA_T_STR},
	    {"text", LA_T_TEXT},
	    {"int", LA_T_INT},
	    {"float", LA_T_FLOAT},
	    {"bool", LA_T_BOOL},
	    {"datetime", LA_T_DATETIME},
	    {"date", LA_T_DATE},
	    {"Decimal", LA_T_DECIMAL},
	    {"decimal", LA_T_DECIMAL},
	    {"UUID", LA_T_UUID},
	    {"uuid", LA_T_UUID},
	    {"json", LA_T_JSON},
	};
	size_t i;

	for (i = 0; i < LA_NELEM(yaml); i++)
		is_int(la_type_parse(yaml[i].name), yaml[i].t, "parse %s",
		    yaml[i].name);
	is_int(la_type_parse("time"), LA_T_NONE, "time is reflected only");
	is_int(la_type_parse("any"), LA_T_NONE, "any is reflected only");
	is_int(la_type_parse("Str"), LA_T_NONE, "case matters");
	is_int(la_type_parse("DECIMAL"), LA_T_NONE, "DECIMAL is not a name");
	is_int(la_type_parse("integer"), LA_T_NONE, "integer is not a name");
	is_int(la_type_parse(""), LA_T_NONE, "empty");

	is_str(la_type_name(LA_T_STR), "str", "name of str");
	is_str(la_type_name(LA_T_DECIMAL), "Decimal",
	    "Decimal's first spelling");
	is_str(la_type_name(LA_T_UUID), "UUID", "UUID's first spelling");
	is_str(la_type_name(LA_T_TIME), "time", "time has a name");
	is_str(la_type_name(LA_T_ANY), "any", "any has a name");
	is_str(la_type_name(LA_T_NONE), "none", "none");
	is_str(la_type_name((enum la_type)99), "none", "out of range");
	for (i = 0; i < LA_NELEM(yaml); i++)
		is_int(la_type_parse(la_type_name(yaml[i].t)), yaml[i].t,
		    "%s: name parses back", yaml[i].name);
}

int
main(void)
{
	test_init();
	test_names();
	return (done_testing());
}
