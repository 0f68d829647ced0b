/*
 * Listening sockets (see listen.h). Non-blocking and close-on-exec; the
 * workers put them in epoll with EPOLLEXCLUSIVE so one idle worker wakes
 * per connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"

static int
listen_split(const char *addr, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char *colon;
	size_t n;

	if (addr[0] == '[') {
		colon = strstr(addr, "]:");
		if (colon == NULL)
			return (-1);
		n = (size_t)(colon - addr - 1);
		if (n >= hostlen)
			return (-1);
		memcpy(host, addr + 1, n);
		host[n] = '\0';
		colon++;
	} else {
		colon = strrchr(addr, ':');
		if (colon == NULL) {
			/* A bare port means every address. */
			snprintf(host, hostlen, "0.0.0.0");
			colon = addr - 1;
		} else {
			n = (size_t)(colon - addr);
			if (n >= hostlen)
				return (-1);
			memcpy(host, addr, n);
			host[n] = '\0';
		}
	}
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= portlen)
		return (-1);
	snprintf(port, portlen, "%s", colon + 1);
	return (0);
}

int
la_listen_open(const char *addr, int *fdp, char *err, size_t errlen)
{
	struct addrinfo hints, *ai = NULL;
	char host[256], port[16];
	int fd = -1, one = 1, rc;

	if (listen_split(addr, host, sizeof(host), port, sizeof(port)) != 0) {
		snprintf(err, errlen, "bad listen address '%s'", addr);
		return (-1);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "listen address '%s': %s", addr,
		    gai_strerror(rc));
		return (-1);
	}
	fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 511) != 0)
		goto fail;
	freeaddrinfo(ai);
	*fdp = fd;
	return (0);
fail:
	snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return (-1);
}

int
la_listen_pending(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return (poll(&p, 1, 0) == 1 && (p.revents & POLLIN));
}

void
la_listen_close(struct la_listeners *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->fd[i] >= 0)
			close(l->fd[i]);
	l->n = 0;
}
