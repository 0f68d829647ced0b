/*
 * The dialect table (see dialect.h). The versions in returning[] use each
 * driver's numbering: sqlite3_libversion_number() (3.35.0 → 3035000),
 * PQserverVersion() (8.2 → 80200) and mysql_get_server_version()
 * (10.5.0 → 100500). MySQL itself has no RETURNING and reports versions
 * below 100000, so one threshold serves MySQL and MariaDB.
 */
#include "dialect.h"
#include "la.h"

static const struct la_dialect_info dialects[] = {
    [LA_DIALECT_SQLITE] =
        {
            .name = "sqlite",
            .quote = '"',
            .dollar = 0,
            .types =
                {
                    [LA_T_NONE] = "TEXT",
                    [LA_T_STR] = "TEXT",
                    [LA_T_TEXT] = "TEXT",
                    [LA_T_INT] = "INTEGER",
                    [LA_T_FLOAT] = "REAL",
                    [LA_T_BOOL] = "INTEGER",
                    [LA_T_DATETIME] = "TEXT",
                    [LA_T_DATE] = "TEXT",
                    [LA_T_DECIMAL] = "TEXT",
                    [LA_T_UUID] = "TEXT",
                    [LA_T_JSON] = "TEXT",
                    [LA_T_TIME] = "TEXT",
                    [LA_T_ANY] = "TEXT",
                },
            .auto_sql =
                {
                    "INTEGER PRIMARY KEY AUTOINCREMENT",
                    "TEXT NOT NULL",
                    "TEXT NOT NULL",
                    "INTEGER NOT NULL DEFAULT 1",
                },
            .decimal_sized = NULL,
            .decimal_cmp_cast = " AS REAL",
            .varchar_max = 0,
            .varchar_over = NULL,
            .position_fn = "instr",
            .text_cast = NULL,
            .nulls_asc = "",
            .nulls_desc = "",
            .insert_defaults = " DEFAULT VALUES",
            .table_options = "",
            .inline_fk = 1,
            .add_unique = 0,
            /* 3.35.0 added RETURNING to all three. */
            .returning = {3035000, 3035000, 3035000},
            .text_eq = "",
        },
    [LA_DIALECT_PGSQL] =
        {
            .name = "postgresql",
            .quote = '"',
            .dollar = 1,
            .types =
                {
                    [LA_T_NONE] = "TEXT",
                    [LA_T_STR] = "TEXT",
                    [LA_T_TEXT] = "TEXT",
                    [LA_T_INT] = "BIGINT",
                    [LA_T_FLOAT] = "DOUBLE PRECISION",
                    [LA_T_BOOL] = "BOOLEAN",
                    [LA_T_DATETIME] = "TIMESTAMP",
                    [LA_T_DATE] = "DATE",
                    [LA_T_DECIMAL] = "NUMERIC",
                    [LA_T_UUID] = "UUID",
                    [LA_T_JSON] = "JSONB",
                    [LA_T_TIME] = "TIME",
                    [LA_T_ANY] = "TEXT",
                },
            .auto_sql =
                {
                    "BIGSERIAL PRIMARY KEY",
                    "TIMESTAMP NOT NULL",
                    "TIMESTAMP NOT NULL",
                    "BIGINT NOT NULL DEFAULT 1",
                },
            .decimal_sized = "NUMERIC",
            .decimal_cmp_cast = NULL,
            /* PostgreSQL's own VARCHAR limit. */
            .varchar_max = 10485760,
            .varchar_over = "TEXT",
            .position_fn = "strpos",
            .text_cast = " AS TEXT",
            /* PostgreSQL puts NULLs last in ascending order. */
            .nulls_asc = " NULLS FIRST",
            .nulls_desc = " NULLS LAST",
            .insert_defaults = " DEFAULT VALUES",
            .table_options = "",
            .inline_fk = 1,
            .add_unique = 1,
            .returning = {80200, 80200, 80200},
            .text_eq = "",
        },
    [LA_DIALECT_MYSQL] =
        {
            .name = "mysql",
            .quote = '`',
            .dollar = 0,
            .types =
                {
                    [LA_T_NONE] = "TEXT",
                    /*
                     * Without max_length a str takes any length on the
                     * other engines; VARCHAR(255) (the SPEC's column)
                     * would refuse what they accept. A unique one is
                     * still enforced whole (MariaDB hashes long keys).
                     */
                    [LA_T_STR] = "MEDIUMTEXT",
                    [LA_T_TEXT] = "TEXT",
                    [LA_T_INT] = "BIGINT",
                    [LA_T_FLOAT] = "DOUBLE",
                    [LA_T_BOOL] = "TINYINT(1)",
                    [LA_T_DATETIME] = "DATETIME(6)",
                    [LA_T_DATE] = "DATE",
                    /* A bare DECIMAL is DECIMAL(10, 0): take the widest. */
                    [LA_T_DECIMAL] = "DECIMAL(65, 30)",
                    [LA_T_UUID] = "CHAR(36)",
                    [LA_T_JSON] = "JSON",
                    [LA_T_TIME] = "TIME(6)",
                    [LA_T_ANY] = "TEXT",
                },
            .auto_sql =
                {
                    "BIGINT AUTO_INCREMENT PRIMARY KEY",
                    "DATETIME(6) NOT NULL",
                    "DATETIME(6) NOT NULL",
                    "BIGINT NOT NULL DEFAULT 1",
                },
            .decimal_sized = "DECIMAL",
            .decimal_cmp_cast = NULL,
            /*
             * A row holds 65535 bytes of VARCHAR, 4 per utf8mb4
             * character: 1024 keeps room for many such columns; longer
             * ones are MEDIUMTEXT, stored outside the row.
             */
            .varchar_max = 1024,
            .varchar_over = "MEDIUMTEXT",
            .position_fn = "instr",
            .text_cast = " AS CHAR",
            .nulls_asc = "",
            .nulls_desc = "",
            .insert_defaults = " () VALUES ()",
            /*
             * utf8mb4 stores all of Unicode, and the binary collation
             * makes equality, UNIQUE and ordering case-sensitive as on
             * SQLite and PostgreSQL.
             */
            .table_options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
                             "COLLATE=utf8mb4_bin",
            .inline_fk = 0,
            .add_unique = 1,
            /* MariaDB: INSERT 10.5, DELETE 10.0.5, UPDATE not at all. */
            .returning = {100500, 0, 100005},
            /* InnoDB keys hold 3072 bytes: 768 utf8mb4 characters. */
            .index_prefix = 768,
            .text_eq = " COLLATE utf8mb4_bin",
        },
};

const struct la_dialect_info *
la_dialect(enum la_dialect d)
{
	LA_ASSERT(d >= LA_DIALECT_FIRST && d <= LA_DIALECT_LAST);
	return (&dialects[d]);
}

void
la_dialect_ident(struct la_buf *b, enum la_dialect d, const char *name)
{
	char q = la_dialect(d)->quote;

	la_buf_putc(b, q);
	for (; *name != '\0'; name++) {
		if (*name == q)
			la_buf_putc(b, q);
		la_buf_putc(b, *name);
	}
	la_buf_putc(b, q);
}

void
la_dialect_param(struct la_buf *b, enum la_dialect d, int n)
{
	if (la_dialect(d)->dollar)
		la_buf_printf(b, "$%d", n);
	else
		la_buf_putc(b, '?');
}

int
la_dialect_returning(enum la_dialect d, enum la_dialect_verb verb,
    int64_t version)
{
	int64_t min;

	LA_ASSERT(verb >= LA_DIALECT_INSERT && verb < LA_DIALECT_NVERBS);
	min = la_dialect(d)->returning[verb];
	return (min > 0 && version >= min);
}
