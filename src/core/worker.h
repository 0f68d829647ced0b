/*
 * A worker process: inherits the generation and the listening sockets from
 * the master, builds its request context, opens its own database
 * connection, and serves connections from one epoll loop, one request at a
 * time.
 */
#ifndef LA_WORKER_H
#define LA_WORKER_H

#include "balance.h"
#include "catalog.h"
#include "conn.h"
#include "ctx.h"
#include "gen.h"
#include "listen.h"

struct la_worker {
	int slot;
	const struct la_gen *gen;
	struct la_listeners *ls;
	struct la_balance *bal; /* shares the connections with the others */
	int sigfd;
	int paused;        /* full: the listeners are out of the epoll set */
	struct la_ctx ctx; /* what requests are served with */
	struct la_conn_set cs; /* the connections and their clock */
};

/* Runs a worker; never returns. */
void la_worker_run(int slot, const struct la_gen *g,
    const struct la_catalog *cat, struct la_listeners *ls,
    struct la_balance *bal) __attribute__((noreturn));

#endif
