/*
 * Error log and access log. Each line is written with one write(2) to an
 * O_APPEND descriptor, so lines from several workers never interleave.
 */
#ifndef LA_LOG_H
#define LA_LOG_H

#include <stddef.h>

enum la_log_level {
	LA_LOG_EMERG,
	LA_LOG_ALERT,
	LA_LOG_CRIT,
	LA_LOG_ERR,
	LA_LOG_WARN,
	LA_LOG_NOTICE,
	LA_LOG_INFO,
	LA_LOG_DEBUG
};

/*
 * Opens the logs (NULL or "stderr": standard error; access NULL: off).
 * Called again after a reload, it opens only what changed; a log that
 * cannot be opened stays where it was and -1 is returned.
 */
int la_log_open(const char *error_log, const char *access_log);
/* As root, files created from now on are given to user (and group). */
void la_log_set_owner(const char *user, const char *group);
/* Reopens both files after rotation; keeps the old ones on failure. */
int la_log_reopen(void);
/* Which process writes: -1 master, else the worker slot. */
void la_log_set_slot(int slot);
/*
 * The id of the request being served, named in every error line until
 * it is set again (NULL: none).
 */
void la_log_set_request(const char *id);
void la_log(enum la_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int la_log_access_enabled(void);
void la_log_access(const char *line, size_t len);

#endif
