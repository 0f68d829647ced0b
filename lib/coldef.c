/*
 * Column definitions and the YAML names of the field types.
 */
#include <string.h>

#include "coldef.h"

static const struct {
	const char *name;
	enum la_type type;
} type_names[] = {
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
    {"time", LA_T_TIME},
    {"any", LA_T_ANY},
};

void
la_col_def_init(struct la_col_def *d, const char *name, enum la_type t)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->type = t;
	d->min_length = -1;
	d->max_length = -1;
	d->decimal_places = -1;
	d->max_digits = -1;
}

enum la_type
la_type_parse(const char *s)
{
	size_t i;

	/* "time" and "any" are what reflection yields, not YAML types. */
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]) - 2; i++)
		if (strcmp(type_names[i].name, s) == 0)
			return (type_names[i].type);
	return (LA_T_NONE);
}

const char *
la_type_name(enum la_type t)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == t)
			return (type_names[i].name);
	return ("none");
}
