/*
 * Error and access logs (see log.h). The format follows nginx, which every
 * operator's tooling already parses: "YYYY/MM/DD HH:MM:SS [level] pid#slot:".
 *
 * An error that repeats on every request (a database refusing every write)
 * must not flood the log: each call site, told apart by its format string,
 * may write LOG_BURST lines a second; the rest are counted and reported in
 * one line when that site next writes in a later second.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int error_fd = 2, access_fd = -1;
/* Copies: the configuration that named them is freed on reload. */
static char *error_path, *access_path;
static int log_slot = -1;
static uid_t log_uid = (uid_t)-1; /* owner of the files this process */
static gid_t log_gid = (gid_t)-1; /* creates, when it runs as root */
static const char *log_request;   /* the request being served, or NULL */

#define LOG_BURST 10 /* lines per call site per second */
#define LOG_SITES 32

struct log_site {
	const char *fmt;
	time_t sec;
	int n;       /* lines written in sec */
	int dropped; /* lines not written since the last report */
};

static struct log_site log_sites[LOG_SITES];

static const char *const level_names[] = {"emerg", "alert", "crit", "error",
    "warn", "notice", "info", "debug"};

void
la_log_set_owner(const char *user, const char *group)
{
	struct passwd *pw;
	struct group *gr;

	log_uid = (uid_t)-1;
	log_gid = (gid_t)-1;
	if (geteuid() != 0 || user == NULL || (pw = getpwnam(user)) == NULL)
		return; /* an unknown user is the worker's error to report */
	log_uid = pw->pw_uid;
	log_gid = pw->pw_gid;
	if (group != NULL && (gr = getgrnam(group)) != NULL)
		log_gid = gr->gr_gid;
}

/*
 * A file this process creates goes to the user the workers run as, so
 * that they can open it again after a rotation (SIGUSR1) with no help from
 * logrotate's "create".
 */
static int
log_open_file(const char *path)
{
	int fd, flags = O_WRONLY | O_APPEND | O_CLOEXEC;

	if (path == NULL || strcmp(path, "stderr") == 0)
		return (dup(2));
	fd = open(path, flags | O_CREAT | O_EXCL, 0640);
	if (fd >= 0 && log_uid != (uid_t)-1 &&
	    fchown(fd, log_uid, log_gid) != 0)
		fprintf(stderr, "lightapid: cannot chown log %s: %s\n", path,
		    strerror(errno));
	if (fd < 0 && errno == EEXIST)
		fd = open(path, flags | O_CREAT, 0640);
	if (fd < 0)
		fprintf(stderr, "lightapid: cannot open log %s: %s\n", path,
		    strerror(errno));
	return (fd);
}

static int
log_same(const char *a, const char *b)
{
	return (a == b || (a != NULL && b != NULL && strcmp(a, b) == 0));
}

/*
 * Points *fdp at path (NULL: none_fd) unless it is already there; on
 * failure nothing changes.
 */
static int
log_switch_one(int *fdp, char **pathp, const char *path, int none_fd)
{
	int fd = none_fd;

	if (log_same(*pathp, path))
		return (0);
	if (path != NULL && (fd = log_open_file(path)) < 0)
		return (-1);
	if (*fdp > 2)
		close(*fdp);
	*fdp = fd;
	free(*pathp);
	*pathp = path != NULL ? strdup(path) : NULL;
	return (0);
}

int
la_log_open(const char *error_log, const char *access_log)
{
	int rc = 0;

	/* The error log on stderr is fd 2 itself, not a copy of it. */
	if (error_log != NULL && strcmp(error_log, "stderr") == 0)
		error_log = NULL;
	if (log_switch_one(&error_fd, &error_path, error_log, 2) != 0)
		rc = -1;
	if (log_switch_one(&access_fd, &access_path, access_log, -1) != 0)
		rc = -1;
	return (rc);
}

static void
log_reopen_one(int *fdp, const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "stderr") == 0 || *fdp < 0)
		return;
	if ((fd = log_open_file(path)) < 0)
		return;
	/* dup2 so a write racing the rotation never sees a closed fd. */
	dup2(fd, *fdp);
	close(fd);
}

int
la_log_reopen(void)
{
	log_reopen_one(&error_fd, error_path);
	log_reopen_one(&access_fd, access_path);
	return (0);
}

void
la_log_set_slot(int slot)
{
	log_slot = slot;
}

void
la_log_set_request(const char *id)
{
	log_request = id;
}

/* The site of fmt, reusing the least recently used slot for a new one. */
static struct log_site *
log_site(const char *fmt)
{
	struct log_site *old = &log_sites[0];
	size_t i;

	for (i = 0; i < LOG_SITES; i++) {
		if (log_sites[i].fmt == fmt)
			return (&log_sites[i]);
		if (log_sites[i].sec < old->sec)
			old = &log_sites[i];
	}
	memset(old, 0, sizeof(*old));
	old->fmt = fmt;
	return (old);
}

/* 1 when the line may be written; *dropped gets the lines to report. */
static int
log_allowed(enum la_log_level level, const char *fmt, time_t now, int *dropped)
{
	struct log_site *st;

	*dropped = 0;
	if (level <= LA_LOG_CRIT)
		return (1);
	st = log_site(fmt);
	if (st->sec != now) {
		st->sec = now;
		st->n = 0;
	}
	if (st->n >= LOG_BURST) {
		st->dropped++;
		return (0);
	}
	st->n++;
	*dropped = st->dropped;
	st->dropped = 0;
	return (1);
}

void
la_log(enum la_log_level level, const char *fmt, ...)
{
	char line[2048];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	size_t n;
	int r, dropped;

	if (!log_allowed(level, fmt, now, &dropped))
		return;
	if (dropped > 0)
		la_log(LA_LOG_WARN,
		    "%d more lines like the next one were not logged", dropped);
	localtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%Y/%m/%d %H:%M:%S", &tm);
	if (log_slot < 0)
		r = snprintf(line + n, sizeof(line) - n,
		    " [%s] %d#master: ", level_names[level], (int)getpid());
	else
		r = snprintf(line + n, sizeof(line) - n,
		    " [%s] %d#%d: ", level_names[level], (int)getpid(),
		    log_slot);
	n += (size_t)r;
	if (log_request != NULL && n < sizeof(line) / 2) {
		r = snprintf(line + n, sizeof(line) - n,
		    "request %.200s: ", log_request);
		n += (size_t)r;
	}
	va_start(ap, fmt);
	r = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (r < 0)
		r = 0;
	n +=
	    (size_t)r < sizeof(line) - n - 1 ? (size_t)r : sizeof(line) - n - 2;
	line[n++] = '\n';
	(void)!write(error_fd, line, n);
}

int
la_log_access_enabled(void)
{
	return (access_fd >= 0);
}

void
la_log_access(const char *line, size_t len)
{
	if (access_fd >= 0)
		(void)!write(access_fd, line, len);
}
