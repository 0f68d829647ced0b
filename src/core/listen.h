/*
 * Listening sockets, created by the master before it forks so that every
 * worker accepts on the same socket.
 */
#ifndef LA_LISTEN_H
#define LA_LISTEN_H

#include <stddef.h>

#define LA_MAX_LISTEN 16

struct la_listeners {
	int fd[LA_MAX_LISTEN];
	size_t n;
};

/* Binds "ADDR:PORT" or "[V6]:PORT"; 0, or -1 with a message in err. */
int la_listen_open(const char *addr, int *fd, char *err, size_t errlen);
/* 1 when a client waits in fd's backlog. */
int la_listen_pending(int fd);
void la_listen_close(struct la_listeners *l);

#endif
