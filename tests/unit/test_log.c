/*
 * The error log's format and its rate limit per call site: a message
 * repeated on every request writes at most ten lines a second, and the
 * lines not written are counted in one line when that site writes again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static char path[] = "/tmp/test_log.XXXXXX";

static int
count_in(const char *file, const char *needle)
{
	char line[4096];
	FILE *fp = fopen(file, "r");
	int n = 0;

	if (fp == NULL)
		return (-1);
	while (fgets(line, sizeof(line), fp) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(fp);
	return (n);
}

static int
count_lines(const char *needle)
{
	return (count_in(path, needle));
}

/* Waits for the start of a new second, so a burst fits in one. */
static void
next_second(void)
{
	time_t t = time(NULL);

	while (time(NULL) == t)
		usleep(10000);
}

/* A reload that names other files: only what changed is opened again. */
static void
test_switch(void)
{
	char dir[] = "/tmp/test_log_dir.XXXXXX", err2[64], acc[64];
	struct stat st;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(err2, sizeof(err2), "%s/error2.log", dir);
	snprintf(acc, sizeof(acc), "%s/access.log", dir);
	la_log_set_owner("nobody", NULL);
	ok(la_log_open(err2, acc) == 0, "switched to new files");
	la_log(LA_LOG_ERR, "after the switch");
	is_int(count_lines("after the switch"), 0, "not in the old file");
	ok(la_log_access_enabled(), "access log on");
	la_log_access("GET /x\n", 7);
	ok(stat(acc, &st) == 0 && st.st_size == 7, "access line written");
	if (geteuid() == 0)
		is_int(st.st_uid, 65534,
		    "a file created as root is the user's");
	else
		ok(1, "not root: files stay the caller's # SKIP");
	ok(la_log_open(err2, NULL) == 0, "access log off");
	ok(!la_log_access_enabled(), "no access log");
	ok(la_log_open("/nonexistent/dir/e.log", NULL) != 0,
	    "an unopenable file is refused");
	la_log(LA_LOG_ERR, "still here");
	is_int(count_in(err2, "still here"), 1, "the old file stays in use");
	la_log_set_owner(NULL, NULL);
	unlink(err2);
	unlink(acc);
	rmdir(dir);
}

int
main(void)
{
	int fd, i;

	alarm(20);
	if ((fd = mkstemp(path)) < 0)
		return (1);
	close(fd);
	ok(la_log_open(path, NULL) == 0, "log opened");
	la_log_set_slot(3);
	la_log(LA_LOG_ERR, "hello %d", 42);
	is_int(count_lines("[error] "), 1, "one error line");
	is_int(count_lines("#3: hello 42"), 1, "pid#slot: message");
	next_second();
	for (i = 0; i < 100; i++)
		la_log(LA_LOG_ERR, "write failed: %d", i);
	is_int(count_lines("write failed"), 10, "a burst writes ten lines");
	la_log(LA_LOG_WARN, "another site");
	is_int(count_lines("another site"), 1, "other sites are not held back");
	for (i = 0; i < 20; i++)
		la_log(LA_LOG_CRIT, "critical %d", i);
	is_int(count_lines("critical"), 20, "crit and above are never held");
	next_second();
	la_log(LA_LOG_ERR, "write failed: %d", 100);
	is_int(count_lines("90 more lines like the next one were not logged"),
	    1, "the dropped lines are counted once");
	is_int(count_lines("write failed: 100"), 1, "then the line itself");
	la_log(LA_LOG_ERR, "write failed: %d", 101);
	is_int(count_lines("more lines like"), 1, "and counted only once");
	la_log_set_request("req-7");
	la_log(LA_LOG_WARN, "during %s", "a request");
	is_int(count_lines("#3: request req-7: during a request"), 1,
	    "a line written while serving a request names its id");
	la_log_set_request(NULL);
	la_log(LA_LOG_WARN, "between %s", "requests");
	is_int(count_lines("#3: between requests"), 1,
	    "and one written after it does not");
	test_switch();
	unlink(path);
	return (done_testing());
}
