/*
 * The MySQL/MariaDB driver's table: what the database layer calls. It
 * sits above the statements (db_mysql.c), their errors (db_mysql_error.c)
 * and the reflection (db_mysql_reflect.c), which use each other one way
 * only; the hook from errors to reflection is set here.
 */
#include "config.h"

#include "db_mysql.h"

static struct la_db *
mysql_driver_open(const struct la_dburl *u, char *err, size_t errlen)
{
	struct la_db *db = la_db_mysql_open(u, err, errlen);

	if (db != NULL)
		db->key_columns = la_db_mysql_key_columns;
	return (db);
}

const struct la_db_driver la_db_mysql_driver = {
    .name = "mysql",
    .kind = LA_DB_MYSQL,
    .dialect = LA_DIALECT_MYSQL,
    .open = mysql_driver_open,
    .close = la_db_mysql_close,
    .version = la_db_mysql_version,
    .exec = la_db_mysql_exec,
    .begin = la_db_mysql_begin,
    .commit = la_db_mysql_commit,
    .rollback = la_db_mysql_rollback,
    .set_timeout = la_db_mysql_set_timeout,
    .table_exists = la_db_mysql_reflect_exists,
    .reflect = la_db_mysql_reflect,
    .prepare = la_db_mysql_prepare,
    .finalize = la_db_mysql_finalize,
    .run = la_db_mysql_run,
    .next = la_db_mysql_next,
    .column = la_db_mysql_column,
    .finish = la_db_mysql_finish,
    .ncols = la_db_mysql_ncols,
    .colname = la_db_mysql_colname,
    .nparams = la_db_mysql_nparams,
    .changes = la_db_mysql_changes,
    .last_id = la_db_mysql_last_id,
    .ping = la_db_mysql_ping,
    .errmsg = la_db_mysql_errmsg,
    .rawmsg = la_db_mysql_rawmsg,
    .errcode = la_db_mysql_errcode,
};
