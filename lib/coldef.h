/*
 * A column as declared in the YAML file or read back from the database by
 * reflection, with plain pointers. The catalog turns these into its
 * offset-based image; the SQL builder turns them into DDL.
 */
#ifndef LA_COLDEF_H
#define LA_COLDEF_H

#include <stdint.h>

enum la_type {
	LA_T_NONE = 0,
	LA_T_STR,
	LA_T_TEXT,
	LA_T_INT,
	LA_T_FLOAT,
	LA_T_BOOL,
	LA_T_DATETIME,
	LA_T_DATE,
	LA_T_DECIMAL,
	LA_T_UUID,
	LA_T_JSON,
	LA_T_TIME, /* reflected only: "HH:MM:SS[.ffffff]" */
	LA_T_ANY   /* reflected, unknown type: served as text */
};

#define LA_COL_NULLABLE  0x0001u /* optional: true, or a nullable column */
#define LA_COL_PK        0x0002u
#define LA_COL_UNIQUE    0x0004u
#define LA_COL_INDEX     0x0008u
#define LA_COL_AUTO      0x0010u /* id/created_at/updated_at/version */
#define LA_COL_DEFAULT   0x0020u /* dflt holds a JSON default (declared) */
#define LA_COL_DBDEFAULT 0x0040u /* the database fills it when omitted */
#define LA_COL_EXCLUDE   0x0080u /* declared but neither stored nor shown */
#define LA_COL_AUTOINC   0x0100u /* the database generates the key */
#define LA_COL_GT        0x0200u
#define LA_COL_GE        0x0400u
#define LA_COL_LT        0x0800u
#define LA_COL_LE        0x1000u

struct la_col_def {
	const char *name;
	enum la_type type;
	uint32_t flags;
	const char *dflt;     /* JSON text of the default, or NULL */
	const char *pattern;  /* POSIX ERE, or NULL */
	const char *fk_table; /* foreign key target, or NULL */
	const char *fk_col;
	const char *description; /* for OpenAPI */
	const char *sqltype;     /* reflected: the database's type name */
	int64_t min_length;      /* -1 when unset */
	int64_t max_length;
	double gt, ge, lt, le;  /* valid under LA_COL_GT etc. */
	int32_t decimal_places; /* -1 when unset */
	int32_t max_digits;     /* -1 when unset */
	int line, col;          /* where declared (1-based), 0 if reflected */
};

/* Initialises a definition with no constraints. */
void la_col_def_init(struct la_col_def *d, const char *name, enum la_type t);
/* "str", "int", ... as written in YAML; LA_T_NONE when unknown. */
enum la_type la_type_parse(const char *s);
const char *la_type_name(enum la_type t);

#endif
