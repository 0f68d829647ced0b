/*
 * sd_notify without libsystemd (see notify.h). One datagram per state
 * change; a name starting with '@' is an abstract socket. Failures are
 * ignored, as sd_notify's callers do: a missing listener must never stop
 * the server.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

static struct sockaddr_un notify_addr;
static socklen_t notify_len; /* 0: notifications are off */
static int notify_fd = -1;
static int64_t notify_watchdog; /* ms between pings, 0 off */

static void
notify_watchdog_init(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	long long v;

	notify_watchdog = 0;
	if (usec == NULL || notify_len == 0)
		return;
	/* The watchdog is meant for the process systemd started. */
	if (pid != NULL && atoll(pid) != (long long)getpid())
		return;
	v = atoll(usec);
	if (v > 0)
		notify_watchdog = v / 2000 > 0 ? v / 2000 : 1;
}

void
la_notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t n;

	notify_len = 0;
	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n < 2 || n >= sizeof(notify_addr.sun_path))
		return;
	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, n);
	if (path[0] == '@')
		notify_addr.sun_path[0] = '\0';
	/* An abstract name has no terminating NUL; a path may keep one. */
	notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	                         (path[0] == '/'));
	if (notify_fd < 0)
		notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify_fd < 0)
		notify_len = 0;
	notify_watchdog_init();
}

static void
notify_send(const char *state, const char *status)
{
	char msg[1024];
	int n;

	if (notify_len == 0)
		return;
	n = snprintf(msg, sizeof(msg), "%s%s%s%s", state,
	    status != NULL ? (state[0] != '\0' ? "\n" : "") : "",
	    status != NULL ? "STATUS=" : "", status != NULL ? status : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	while (sendto(notify_fd, msg, (size_t)n, MSG_NOSIGNAL,
	           (const struct sockaddr *)&notify_addr, notify_len) < 0 &&
	       errno == EINTR)
		;
}

void
la_notify_ready(const char *status)
{
	notify_send("READY=1", status);
}

void
la_notify_reloading(const char *status)
{
	struct timespec ts;
	char state[96];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ull +
	        (unsigned long long)ts.tv_nsec / 1000ull);
	notify_send(state, status);
}

void
la_notify_stopping(const char *status)
{
	notify_send("STOPPING=1", status);
}

void
la_notify_status(const char *status)
{
	notify_send("", status);
}

int64_t
la_notify_watchdog_ms(void)
{
	return (notify_watchdog);
}

void
la_notify_watchdog(void)
{
	notify_send("WATCHDOG=1", NULL);
}
