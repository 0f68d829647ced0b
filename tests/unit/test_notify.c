/*
 * sd_notify without libsystemd: the datagrams sent to $NOTIFY_SOCKET, on
 * a path and on an abstract name, and nothing without it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "tap.h"

static int
bind_dgram(const char *name, int abstract)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path + abstract, sizeof(sa.sun_path) - 1, "%s", name);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract +
	                  strlen(name));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) != 0)
		return (-1);
	return (fd);
}

/* The next datagram, or "" after ms. */
static const char *
next_within(int fd, int ms)
{
	static char buf[2048];
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return (buf);
}

static const char *
next(int fd)
{
	return (next_within(fd, 1000));
}

static void
test_path(void)
{
	char path[] = "/tmp/test_notify.XXXXXX", sock[64];
	const char *m;
	long long usec;
	struct timespec ts;
	int fd;

	ok(mkdtemp(path) != NULL, "scratch directory");
	snprintf(sock, sizeof(sock), "%s/notify", path);
	fd = bind_dgram(sock, 0);
	ok(fd >= 0, "listening on %s", sock);
	setenv("NOTIFY_SOCKET", sock, 1);
	unsetenv("WATCHDOG_USEC");
	la_notify_init();
	la_notify_ready("serving on x");
	is_str(next(fd), "READY=1\nSTATUS=serving on x", "READY=1 and STATUS");
	la_notify_reloading("reloading");
	m = next(fd);
	ok(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0,
	    "RELOADING=1 then MONOTONIC_USEC");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	usec = atoll(m + 27);
	ok(usec > 0 &&
	        usec <= (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000,
	    "MONOTONIC_USEC is the monotonic clock");
	ok(strstr(m, "\nSTATUS=reloading") != NULL, "with its STATUS");
	la_notify_stopping(NULL);
	is_str(next(fd), "STOPPING=1", "STOPPING=1 alone");
	la_notify_status("just a status");
	is_str(next(fd), "STATUS=just a status", "a STATUS line alone");
	is_int(la_notify_watchdog_ms(), 0, "no watchdog without WATCHDOG_USEC");
	setenv("WATCHDOG_USEC", "3000000", 1);
	la_notify_init();
	is_int(la_notify_watchdog_ms(), 1500, "the watchdog at half");
	la_notify_watchdog();
	is_str(next(fd), "WATCHDOG=1", "WATCHDOG=1");
	setenv("WATCHDOG_PID", "1", 1);
	la_notify_init();
	is_int(la_notify_watchdog_ms(), 0, "not for another pid");
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	close(fd);
	unlink(sock);
	rmdir(path);
}

static void
test_abstract_and_off(void)
{
	char name[64], env[80];
	int fd;

	snprintf(name, sizeof(name), "test_notify.%d", (int)getpid());
	fd = bind_dgram(name, 1);
	ok(fd >= 0, "abstract socket bound");
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	la_notify_init();
	la_notify_ready("abstract");
	is_str(next(fd), "READY=1\nSTATUS=abstract", "sent to @name");
	unsetenv("NOTIFY_SOCKET");
	la_notify_init();
	la_notify_ready("nobody listens");
	is_str(next_within(fd, 200), "", "no NOTIFY_SOCKET: nothing sent");
	setenv("NOTIFY_SOCKET", name, 1);
	la_notify_init();
	la_notify_ready("ignored");
	is_str(next_within(fd, 200), "",
	    "a name neither absolute nor abstract is ignored");
	close(fd);
}

int
main(void)
{
	test_path();
	test_abstract_and_off();
	return (done_testing());
}
