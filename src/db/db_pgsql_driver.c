/*
 * The PostgreSQL driver's table: what the database layer calls. It sits
 * above the statements (db_pgsql.c) and the reflection
 * (db_pgsql_reflect.c), which use each other only one way.
 */
#include "config.h"

#include "db_pgsql.h"

const struct la_db_driver la_db_pgsql_driver = {
    .name = "postgresql",
    .kind = LA_DB_PGSQL,
    .dialect = LA_DIALECT_PGSQL,
    .open = la_db_pgsql_open,
    .close = la_db_pgsql_close,
    .version = la_db_pgsql_version,
    .exec = la_db_pgsql_exec,
    .begin = la_db_pgsql_begin,
    .commit = la_db_pgsql_commit,
    .rollback = la_db_pgsql_rollback,
    .set_timeout = la_db_pgsql_set_timeout,
    .table_exists = la_db_pgsql_exists,
    .reflect = la_db_pgsql_reflect,
    .prepare = la_db_pgsql_prepare,
    .finalize = la_db_pgsql_finalize,
    .run = la_db_pgsql_run,
    .next = la_db_pgsql_next,
    .column = la_db_pgsql_column,
    .finish = la_db_pgsql_finish,
    .ncols = la_db_pgsql_ncols,
    .colname = la_db_pgsql_colname,
    .changes = la_db_pgsql_changes,
    .last_id = la_db_pgsql_last_id,
    .ping = la_db_pgsql_ping,
    .writable = la_db_pgsql_writable,
    .errmsg = la_db_pgsql_errmsg,
    .rawmsg = la_db_pgsql_rawmsg,
    .errcode = la_db_pgsql_errcode,
};
