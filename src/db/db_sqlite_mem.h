/*
 * SQLite's small blocks from per-size free lists instead of malloc: the
 * library as Debian builds it has no lookaside memory of its own.
 */
#ifndef LA_DB_SQLITE_MEM_H
#define LA_DB_SQLITE_MEM_H

/* Before SQLite initialises (the first open), once per process. Does
 * nothing in a build with AddressSanitizer. */
void la_db_sqlite_mem_install(void);

#endif
