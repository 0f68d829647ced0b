/*
 * The dialect table: quoting, placeholders, the column type of every
 * catalog type, the substring and NULL-ordering pieces, and which server
 * versions accept RETURNING.
 */
#include <string.h>

#include "la.h"
#include "buf.h"
#include "dialect.h"
#include "tap.h"

static void
test_ident(void)
{
	struct la_buf b;

	la_buf_init(&b);
	la_dialect_ident(&b, LA_DIALECT_SQLITE, "a\"b`c");
	is_str(b.data, "\"a\"\"b`c\"", "sqlite doubles a double quote");
	la_buf_reset(&b);
	la_dialect_ident(&b, LA_DIALECT_PGSQL, "a\"b`c");
	is_str(b.data, "\"a\"\"b`c\"", "postgresql doubles a double quote");
	la_buf_reset(&b);
	la_dialect_ident(&b, LA_DIALECT_MYSQL, "a\"b`c");
	is_str(b.data, "`a\"b``c`", "mysql doubles a backquote");
	la_buf_reset(&b);
	la_dialect_ident(&b, LA_DIALECT_MYSQL, "");
	is_str(b.data, "``", "empty name still quoted");
	la_buf_free(&b);
}

static void
test_params(void)
{
	struct la_buf b;
	int d, n;

	la_buf_init(&b);
	for (d = LA_DIALECT_FIRST; d <= LA_DIALECT_LAST; d++) {
		la_buf_reset(&b);
		for (n = 1; n <= 11; n++) {
			la_dialect_param(&b, d, n);
			la_buf_putc(&b, ' ');
		}
		is_str(b.data,
		    d == LA_DIALECT_PGSQL
		        ? "$1 $2 $3 $4 $5 $6 $7 $8 $9 $10 $11 "
		        : "? ? ? ? ? ? ? ? ? ? ? ",
		    "placeholders of %s", la_dialect(d)->name);
	}
	la_buf_free(&b);
}

/* Every catalog type has a column type in every dialect. */
static void
test_types(void)
{
	static const struct {
		enum la_type t;
		const char *want[3];
	} types[] = {
	    {LA_T_INT, {"INTEGER", "BIGINT", "BIGINT"}},
	    {LA_T_FLOAT, {"REAL", "DOUBLE PRECISION", "DOUBLE"}},
	    {LA_T_BOOL, {"INTEGER", "BOOLEAN", "TINYINT(1)"}},
	    {LA_T_DATETIME, {"TEXT", "TIMESTAMP", "DATETIME(6)"}},
	    {LA_T_DECIMAL, {"TEXT", "NUMERIC", "DECIMAL(65, 30)"}},
	    {LA_T_UUID, {"TEXT", "UUID", "CHAR(36)"}},
	    {LA_T_JSON, {"TEXT", "JSONB", "JSON"}},
	    {LA_T_STR, {"TEXT", "TEXT", "MEDIUMTEXT"}},
	};
	size_t i;
	int d, t, missing = 0;

	for (d = LA_DIALECT_FIRST; d <= LA_DIALECT_LAST; d++)
		for (t = 0; t < LA_DIALECT_NTYPES; t++)
			if (la_dialect(d)->types[t] == NULL)
				missing++;
	is_int(missing, 0, "no catalog type without a column type");
	for (i = 0; i < LA_NELEM(types); i++)
		for (d = LA_DIALECT_FIRST; d <= LA_DIALECT_LAST; d++)
			is_str(la_dialect(d)->types[types[i].t],
			    types[i].want[d - 1], "%s type %d",
			    la_dialect(d)->name, types[i].t);
}

static void
test_functions(void)
{
	const struct la_dialect_info *s = la_dialect(LA_DIALECT_SQLITE);
	const struct la_dialect_info *p = la_dialect(LA_DIALECT_PGSQL);
	const struct la_dialect_info *m = la_dialect(LA_DIALECT_MYSQL);

	is_str(s->position_fn, "instr", "sqlite substring position");
	is_str(p->position_fn, "strpos", "postgresql substring position");
	is_str(m->position_fn, "instr", "mysql substring position");
	ok(s->text_cast == NULL, "sqlite compares any column as text");
	is_str(p->text_cast, " AS TEXT", "postgresql casts to TEXT");
	is_str(m->text_cast, " AS CHAR", "mysql casts to CHAR");
	is_str(p->nulls_asc, " NULLS FIRST", "postgresql NULLs first up");
	is_str(p->nulls_desc, " NULLS LAST", "postgresql NULLs last down");
	ok(*s->nulls_asc == '\0' && *m->nulls_desc == '\0',
	    "NULL is already smallest in sqlite and mysql");
	is_str(m->insert_defaults, " () VALUES ()", "mysql empty insert");
	is_str(s->insert_defaults, " DEFAULT VALUES", "sqlite empty insert");
	ok(s->decimal_sized == NULL && s->decimal_cmp_cast != NULL,
	    "sqlite keeps decimals as text and compares them as numbers");
	ok(p->decimal_cmp_cast == NULL && m->decimal_cmp_cast == NULL,
	    "exact decimals compare as they are");
	ok(!m->inline_fk && s->inline_fk && p->inline_fk,
	    "mysql needs foreign keys as table constraints");
	ok(!s->add_unique && p->add_unique && m->add_unique,
	    "sqlite cannot add a UNIQUE column");
	ok(s->varchar_max == 0 && p->varchar_max == 10485760 &&
	        m->varchar_max == 1024,
	    "VARCHAR limits");
	is_str(m->varchar_over, "MEDIUMTEXT",
	    "mysql: longer str is MEDIUMTEXT");
	ok(m->index_prefix == 768 && s->index_prefix == 0 &&
	        p->index_prefix == 0,
	    "only mysql indexes a prefix of long text");
	ok(m->quote == '`', "mysql quotes with backticks (no ANSI_QUOTES)");
}

static void
test_returning(void)
{
	ok(!la_dialect_returning(LA_DIALECT_SQLITE, LA_DIALECT_INSERT, 3034001),
	    "sqlite 3.34.1: no RETURNING");
	ok(la_dialect_returning(LA_DIALECT_SQLITE, LA_DIALECT_INSERT, 3035000),
	    "sqlite 3.35.0: INSERT RETURNING");
	ok(la_dialect_returning(LA_DIALECT_SQLITE, LA_DIALECT_UPDATE, 3040001),
	    "sqlite 3.40.1: UPDATE RETURNING");
	ok(la_dialect_returning(LA_DIALECT_PGSQL, LA_DIALECT_UPDATE, 150004),
	    "postgresql 15: UPDATE RETURNING");
	ok(!la_dialect_returning(LA_DIALECT_MYSQL, LA_DIALECT_INSERT, 80036),
	    "mysql 8.0: no RETURNING");
	ok(!la_dialect_returning(LA_DIALECT_MYSQL, LA_DIALECT_INSERT, 100499),
	    "mariadb 10.4: no INSERT RETURNING");
	ok(la_dialect_returning(LA_DIALECT_MYSQL, LA_DIALECT_INSERT, 100500),
	    "mariadb 10.5: INSERT RETURNING");
	ok(la_dialect_returning(LA_DIALECT_MYSQL, LA_DIALECT_DELETE, 100005),
	    "mariadb 10.0.5: DELETE RETURNING");
	ok(!la_dialect_returning(LA_DIALECT_MYSQL, LA_DIALECT_UPDATE, 110402),
	    "mariadb: no UPDATE RETURNING");
}

int
main(void)
{
	test_ident();
	test_params();
	test_types();
	test_functions();
	test_returning();
	return (done_testing());
}
