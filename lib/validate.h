/*
 * Body validation and coercion, Pydantic v2 style: lax coercion ("12" is an
 * int, "yes" a bool), one 422 item per failing field, with the type codes
 * and messages LightAPI clients already parse.
 *
 * An item is {"type":…,"loc":[field],"msg":…,"input":…,"ctx":{…}}; for a
 * missing field "input" is the whole body (as Pydantic does), and "ctx" is
 * omitted when there is no bound or pattern. An item is preceded by a
 * comma when errs already ends with one, so batches join up.
 */
#ifndef LA_VALIDATE_H
#define LA_VALIDATE_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "catalog.h"
#include "value.h"

struct la_arena;

enum la_validate_mode {
	LA_VALIDATE_CREATE,  /* POST: required fields must be present */
	LA_VALIDATE_REPLACE, /* PUT: as POST; omitted optional fields reset */
	LA_VALIDATE_PATCH,   /* PATCH: only the fields present */
	LA_VALIDATE_QUERY    /* as CREATE, the fields being query parameters
	                        (text, loc ["query", name]) */
};

struct la_validator;

/*
 * Compiles every column pattern and parses every default of the catalog.
 * Returns NULL and appends "table.column: message\n" lines to errs when a
 * pattern does not compile or a default does not validate against its own
 * field (the configuration is then rejected at start-up).
 */
struct la_validator *la_validator_new(const struct la_catalog *cat,
    struct la_buf *errs);
void la_validator_free(struct la_validator *v);

/*
 * Validates body (a JSON object) for table t. For every column i of t,
 * set[i] becomes 1 when vals[i] must be written (auto columns never are).
 * Coerced values, in the storage form the drivers bind:
 *   str/text/uuid/date/datetime/time/decimal/json → LA_V_TEXT (datetime as
 *   "YYYY-MM-DDTHH:MM:SS[.ffffff]" in UTC, uuid lower-case hyphenated,
 *   decimal rounded to decimal_places, json as compact JSON text);
 *   int/bool → LA_V_INT (bool 0/1); float → LA_V_FLOAT; null → LA_V_NULL.
 * Columns with LA_COL_DBDEFAULT may be omitted on CREATE (set[i] = 0).
 * Returns the number of failing fields; their items are appended to errs
 * comma-separated, without the surrounding {"detail":[ ]}.
 */
int la_validate_body(struct la_validator *v, const struct la_catalog *cat,
    const struct la_cat_table *t, yajl_val body, enum la_validate_mode mode,
    struct la_value *vals, unsigned char *set, struct la_buf *errs,
    struct la_arena *a);

/*
 * Coerces one text value (a query parameter) to column type; 0, or -1 with
 * an item (loc ["query", param]) appended to errs. For issue-3 filters.
 * Only the type applies: length, pattern, bounds and decimal rounding are
 * rules for stored values, not for a filter such as price__gte=-5.
 */
int la_validate_text(const struct la_cat_col *col, const char *param,
    const char *s, size_t len, struct la_value *out, struct la_buf *errs,
    struct la_arena *a);

/* A boolean written as text (true/false, 1/0, yes/no, on/off, t/f, y/n,
 * any case, spaces trimmed): 0 with *out 0 or 1, or -1. */
int la_validate_bool_text(const char *s, size_t len, int64_t *out);

/* The optimistic-locking version: int (or lax int); 0 or -1. */
int la_validate_version(yajl_val v, int64_t *out);

/* Current time as stored: "YYYY-MM-DDTHH:MM:SS.ffffff" UTC; buf >= 32. */
void la_validate_now(char *buf, size_t len);

#endif
