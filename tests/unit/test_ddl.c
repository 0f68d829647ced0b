/*
 * DDL text per dialect: identifier quoting, the type table of SPEC §3, the
 * server-managed columns and their order, indexes and added columns.
 */
#include <stdio.h>
#include <string.h>

#include "ddl.h"
#include "la.h"
#include "tap.h"

#define NCOLS 10

static const char *const ddl_want_sqlite =
    "CREATE TABLE IF NOT EXISTS \"products\" ("
    "\"id\" INTEGER PRIMARY KEY AUTOINCREMENT, "
    "\"name\" TEXT NOT NULL UNIQUE, "
    "\"price\" REAL NOT NULL, "
    "\"in_stock\" INTEGER, "
    "\"category_id\" INTEGER NOT NULL REFERENCES \"categories\"(\"id\"), "
    "\"amount\" TEXT NOT NULL, "
    "\"created_at\" TEXT NOT NULL, "
    "\"updated_at\" TEXT NOT NULL, "
    "\"version\" INTEGER NOT NULL DEFAULT 1)";

static const char *const ddl_want_pgsql =
    "CREATE TABLE IF NOT EXISTS \"products\" ("
    "\"id\" BIGSERIAL PRIMARY KEY, "
    "\"name\" VARCHAR(200) NOT NULL UNIQUE, "
    "\"price\" DOUBLE PRECISION NOT NULL, "
    "\"in_stock\" BOOLEAN, "
    "\"category_id\" BIGINT NOT NULL REFERENCES \"categories\"(\"id\"), "
    "\"amount\" NUMERIC(10, 2) NOT NULL, "
    "\"created_at\" TIMESTAMP NOT NULL, "
    "\"updated_at\" TIMESTAMP NOT NULL, "
    "\"version\" BIGINT NOT NULL DEFAULT 1)";

static const char *const ddl_want_mysql =
    "CREATE TABLE IF NOT EXISTS `products` ("
    "`id` BIGINT AUTO_INCREMENT PRIMARY KEY, "
    "`name` VARCHAR(200) NOT NULL UNIQUE, "
    "`price` DOUBLE NOT NULL, "
    "`in_stock` TINYINT(1), "
    "`category_id` BIGINT NOT NULL, "
    "`amount` DECIMAL(10, 2) NOT NULL, "
    "`created_at` DATETIME(6) NOT NULL, "
    "`updated_at` DATETIME(6) NOT NULL, "
    "`version` BIGINT NOT NULL DEFAULT 1, "
    "FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

static const char *const ddl_want_idx_sqlite =
    "CREATE INDEX IF NOT EXISTS \"ix_products_price\" ON \"products\" "
    "(\"price\")\n"
    "CREATE INDEX IF NOT EXISTS \"ix_products_category_id\" ON "
    "\"products\" (\"category_id\")";

static const char *const ddl_want_idx_mysql =
    "CREATE INDEX IF NOT EXISTS `ix_products_price` ON `products` "
    "(`price`)\n"
    "CREATE INDEX IF NOT EXISTS `ix_products_category_id` ON "
    "`products` (`category_id`)";

/* Declared fields first, the auto columns last, as the catalog has them. */
static void
make_products(struct la_col_def *c)
{
	la_col_def_init(&c[0], "name", LA_T_STR);
	c[0].max_length = 200;
	c[0].flags = LA_COL_UNIQUE | LA_COL_INDEX;
	la_col_def_init(&c[1], "price", LA_T_FLOAT);
	c[1].flags = LA_COL_INDEX | LA_COL_GE;
	la_col_def_init(&c[2], "in_stock", LA_T_BOOL);
	c[2].flags = LA_COL_NULLABLE | LA_COL_DEFAULT;
	c[2].dflt = "true";
	la_col_def_init(&c[3], "category_id", LA_T_INT);
	c[3].flags = LA_COL_INDEX;
	c[3].fk_table = "categories";
	c[3].fk_col = "id";
	la_col_def_init(&c[4], "amount", LA_T_DECIMAL);
	c[4].max_digits = 10;
	c[4].decimal_places = 2;
	la_col_def_init(&c[5], "secret", LA_T_STR);
	c[5].flags = LA_COL_EXCLUDE;
	la_col_def_init(&c[6], "id", LA_T_INT);
	c[6].flags = LA_COL_AUTO | LA_COL_PK | LA_COL_AUTOINC;
	la_col_def_init(&c[7], "created_at", LA_T_DATETIME);
	c[7].flags = LA_COL_AUTO;
	la_col_def_init(&c[8], "updated_at", LA_T_DATETIME);
	c[8].flags = LA_COL_AUTO;
	la_col_def_init(&c[9], "version", LA_T_INT);
	c[9].flags = LA_COL_AUTO;
}

static void
test_ident(void)
{
	struct la_buf b;

	la_buf_init(&b);
	la_ddl_ident(&b, LA_DIALECT_SQLITE, "plain");
	is_str(b.data, "\"plain\"", "sqlite ident");
	la_buf_reset(&b);
	la_ddl_ident(&b, LA_DIALECT_PGSQL, "we\"ird`");
	is_str(b.data, "\"we\"\"ird`\"", "pgsql ident doubles only \"");
	la_buf_reset(&b);
	la_ddl_ident(&b, LA_DIALECT_MYSQL, "we`ird\"");
	is_str(b.data, "`we``ird\"`", "mysql ident doubles only `");
	la_buf_reset(&b);
	la_ddl_ident(&b, LA_DIALECT_SQLITE, "");
	is_str(b.data, "\"\"", "empty ident");
	la_buf_free(&b);
}

static void
check_table(int dialect, const char *want, const char *want_idx,
    const char *what)
{
	struct la_col_def c[NCOLS];
	struct la_buf b, idx;

	make_products(c);
	la_buf_init(&b);
	la_buf_init(&idx);
	la_ddl_create_table(&b, &idx, dialect, "products", c, NCOLS);
	is_str(b.data, want, "%s create table", what);
	is_str(idx.data, want_idx, "%s indexes", what);
	la_buf_free(&b);
	la_buf_free(&idx);
}

static void
test_create_table(void)
{
	struct la_col_def c[NCOLS];
	struct la_buf b, idx;

	check_table(LA_DIALECT_SQLITE, ddl_want_sqlite, ddl_want_idx_sqlite,
	    "sqlite");
	check_table(LA_DIALECT_PGSQL, ddl_want_pgsql, ddl_want_idx_sqlite,
	    "pgsql");
	check_table(LA_DIALECT_MYSQL, ddl_want_mysql, ddl_want_idx_mysql,
	    "mysql");

	/* idx is appended to, one statement a line; NULL means no indexes. */
	make_products(c);
	la_buf_init(&b);
	la_buf_init(&idx);
	la_buf_puts(&idx, "X");
	la_ddl_create_table(&b, &idx, LA_DIALECT_SQLITE, "products", c, NCOLS);
	ok(strncmp(idx.data, "X\nCREATE INDEX", 14) == 0, "idx appended");
	la_buf_reset(&b);
	la_ddl_create_table(&b, NULL, LA_DIALECT_SQLITE, "products", c, 2);
	is_str(b.data,
	    "CREATE TABLE IF NOT EXISTS \"products\" (\"name\" TEXT NOT NULL "
	    "UNIQUE, \"price\" REAL NOT NULL)",
	    "no auto columns, NULL idx");
	la_buf_free(&b);
	la_buf_free(&idx);
}

static const struct {
	enum la_type type;
	int64_t max_length;
	int32_t max_digits, places;
	const char *want[3];
} types[] = {
    {LA_T_STR, -1, -1, -1, {"TEXT", "TEXT", "MEDIUMTEXT"}},
    {LA_T_STR, 50, -1, -1, {"TEXT", "VARCHAR(50)", "VARCHAR(50)"}},
    {LA_T_STR, 1024, -1, -1, {"TEXT", "VARCHAR(1024)", "VARCHAR(1024)"}},
    {LA_T_STR, 1025, -1, -1, {"TEXT", "VARCHAR(1025)", "MEDIUMTEXT"}},
    {LA_T_STR, 20000, -1, -1, {"TEXT", "VARCHAR(20000)", "MEDIUMTEXT"}},
    {LA_T_STR, 20000000, -1, -1, {"TEXT", "TEXT", "MEDIUMTEXT"}},
    {LA_T_TEXT, -1, -1, -1, {"TEXT", "TEXT", "TEXT"}},
    {LA_T_INT, -1, -1, -1, {"INTEGER", "BIGINT", "BIGINT"}},
    {LA_T_FLOAT, -1, -1, -1, {"REAL", "DOUBLE PRECISION", "DOUBLE"}},
    {LA_T_BOOL, -1, -1, -1, {"INTEGER", "BOOLEAN", "TINYINT(1)"}},
    {LA_T_DATETIME, -1, -1, -1, {"TEXT", "TIMESTAMP", "DATETIME(6)"}},
    {LA_T_DATE, -1, -1, -1, {"TEXT", "DATE", "DATE"}},
    {LA_T_DECIMAL, -1, -1, -1, {"TEXT", "NUMERIC", "DECIMAL(65, 30)"}},
    {LA_T_DECIMAL, -1, -1, 2, {"TEXT", "NUMERIC(38, 2)", "DECIMAL(38, 2)"}},
    {LA_T_DECIMAL, -1, 10, 2, {"TEXT", "NUMERIC(10, 2)", "DECIMAL(10, 2)"}},
    {LA_T_DECIMAL, -1, 5, -1, {"TEXT", "NUMERIC", "DECIMAL(65, 30)"}},
    {LA_T_DECIMAL, -1, -1, 40, {"TEXT", "NUMERIC(41, 40)", "DECIMAL(41, 40)"}},
    {LA_T_UUID, -1, -1, -1, {"TEXT", "UUID", "CHAR(36)"}},
    {LA_T_JSON, -1, -1, -1, {"TEXT", "JSONB", "JSON"}},
};

static void
test_types(void)
{
	struct la_col_def c;
	struct la_buf b, want;
	size_t i;
	int d;

	la_buf_init(&b);
	la_buf_init(&want);
	for (i = 0; i < LA_NELEM(types); i++) {
		for (d = LA_DIALECT_SQLITE; d <= LA_DIALECT_MYSQL; d++) {
			la_col_def_init(&c, "c", types[i].type);
			c.flags = LA_COL_NULLABLE;
			c.max_length = types[i].max_length;
			c.max_digits = types[i].max_digits;
			c.decimal_places = types[i].places;
			la_buf_reset(&b);
			la_buf_reset(&want);
			la_ddl_create_table(&b, NULL, d, "t", &c, 1);
			la_buf_printf(&want,
			    d == LA_DIALECT_MYSQL ? "%s`c` %s" : "%s\"c\" %s",
			    d == LA_DIALECT_MYSQL
			        ? "CREATE TABLE IF NOT EXISTS "
			          "`t` ("
			        : "CREATE TABLE IF NOT EXISTS "
			          "\"t\" (",
			    types[i].want[d - 1]);
			if (!ok(strncmp(b.data, want.data, want.len) == 0 &&
			            b.data[want.len] == ')',
			        "%s in dialect %d: %s",
			        la_type_name(types[i].type), d,
			        types[i].want[d - 1]))
				diag("got %s", b.data);
		}
	}
	la_buf_free(&b);
	la_buf_free(&want);
}

/*
 * MySQL indexes the first 768 characters of a long text column (a key
 * holds 3072 bytes); a unique index covers the whole value (MariaDB
 * hashes it), or it would only make the beginnings unique.
 */
static void
test_mysql_index_prefix(void)
{
	static const struct {
		enum la_type type;
		int64_t max_length;
		const char *want;
	} cases[] = {
	    {LA_T_TEXT, -1, "(`c`(768))"},
	    {LA_T_JSON, -1, "(`c`(768))"},
	    {LA_T_STR, -1, "(`c`)"},
	    {LA_T_STR, 768, "(`c`)"},
	    {LA_T_STR, 769, "(`c`(768))"},
	    {LA_T_STR, 100000, "(`c`(768))"},
	    {LA_T_INT, -1, "(`c`)"},
	    {LA_T_UUID, -1, "(`c`)"},
	};
	struct la_col_def c;
	struct la_buf b, idx;
	size_t i;

	la_buf_init(&b);
	la_buf_init(&idx);
	for (i = 0; i < LA_NELEM(cases); i++) {
		la_col_def_init(&c, "c", cases[i].type);
		c.max_length = cases[i].max_length;
		c.flags = LA_COL_INDEX;
		la_buf_reset(&b);
		la_buf_reset(&idx);
		la_ddl_create_table(&b, &idx, LA_DIALECT_MYSQL, "t", &c, 1);
		ok(idx.len > strlen(cases[i].want) &&
		        strcmp(idx.data + idx.len - strlen(cases[i].want),
		            cases[i].want) == 0,
		    "mysql index on %s(%lld) ends %s",
		    la_type_name(cases[i].type), (long long)cases[i].max_length,
		    cases[i].want);
		la_buf_reset(&idx);
		la_ddl_create_table(&b, &idx, LA_DIALECT_PGSQL, "t", &c, 1);
		ok(strstr(idx.data, "(768)") == NULL, "no prefix on pgsql");
	}
	la_col_def_init(&c, "c", LA_T_TEXT);
	c.flags = LA_COL_UNIQUE | LA_COL_INDEX;
	la_buf_reset(&b);
	la_ddl_add_column(&b, LA_DIALECT_MYSQL, "t", &c);
	is_str(b.data, "ALTER TABLE `t` ADD COLUMN `c` TEXT UNIQUE",
	    "mysql: a unique TEXT column is unique on its whole value");
	la_buf_free(&b);
	la_buf_free(&idx);
}

static void
check_add(int dialect, struct la_col_def *c, const char *want, const char *what)
{
	struct la_buf b;

	la_buf_init(&b);
	la_ddl_add_column(&b, dialect, "t", c);
	is_str(b.data, want, "%s", what);
	la_buf_free(&b);
}

static void
test_add_column(void)
{
	struct la_col_def c;

	la_col_def_init(&c, "c", LA_T_STR);
	check_add(LA_DIALECT_SQLITE, &c,
	    "ALTER TABLE \"t\" ADD COLUMN \"c\" TEXT",
	    "added column is never NOT NULL");
	c.flags = LA_COL_UNIQUE | LA_COL_INDEX;
	check_add(LA_DIALECT_SQLITE, &c,
	    "ALTER TABLE \"t\" ADD COLUMN \"c\" TEXT\n"
	    "CREATE UNIQUE INDEX IF NOT EXISTS \"ux_t_c\" ON \"t\" (\"c\")",
	    "sqlite: unique column becomes a unique index");
	check_add(LA_DIALECT_PGSQL, &c,
	    "ALTER TABLE \"t\" ADD COLUMN \"c\" TEXT UNIQUE",
	    "pgsql: unique inline");
	la_col_def_init(&c, "u_id", LA_T_INT);
	c.flags = LA_COL_INDEX;
	c.fk_table = "u";
	c.fk_col = "id";
	check_add(LA_DIALECT_MYSQL, &c,
	    "ALTER TABLE `t` ADD COLUMN `u_id` BIGINT, ADD FOREIGN KEY "
	    "(`u_id`) REFERENCES `u`(`id`)\n"
	    "CREATE INDEX IF NOT EXISTS `ix_t_u_id` ON `t` (`u_id`)",
	    "mysql: foreign key as a table constraint, then the index");
	check_add(LA_DIALECT_PGSQL, &c,
	    "ALTER TABLE \"t\" ADD COLUMN \"u_id\" BIGINT REFERENCES "
	    "\"u\"(\"id\")\n"
	    "CREATE INDEX IF NOT EXISTS \"ix_t_u_id\" ON \"t\" (\"u_id\")",
	    "pgsql: inline reference, then the index");
	c.fk_col = NULL;
	c.flags = 0;
	check_add(LA_DIALECT_SQLITE, &c,
	    "ALTER TABLE \"t\" ADD COLUMN \"u_id\" INTEGER REFERENCES \"u\"",
	    "reference without a column");
}

int
main(void)
{
	test_ident();
	test_create_table();
	test_types();
	test_add_column();
	test_mysql_index_prefix();
	return (done_testing());
}
