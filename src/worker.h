/*
 * A worker process: inherits the generation and the listening sockets from
 * the master, opens its own database connection, and serves connections
 * from one epoll loop, one request at a time.
 */
#ifndef LA_WORKER_H
#define LA_WORKER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "catalog.h"
#include "db.h"
#include "gen.h"
#include "listen.h"

struct la_arena;
struct la_conn;
struct la_validator;

/* A route prepared once per worker, so matching is memcmp only. */
struct la_route {
	const char *path;
	size_t len;
	const struct la_cat_table *t;
};

struct la_worker {
	int slot;
	const struct la_gen *gen;
	const struct la_conf *conf;
	const struct la_catalog *cat; /* in the shared mapping */
	struct la_listeners *ls;
	struct la_db_conn db;
	int db_ok;
	struct la_validator *val;
	struct la_route *routes;
	size_t nroutes;
	const struct la_cat_table *users_table; /* login validator's, or NULL */
	char *login_path, *token_path;          /* NULL when no login */
	int epfd, sigfd;
	int quitting;          /* graceful stop: no new requests */
	struct la_conn *conns; /* every open connection */
	size_t nconns;
	struct la_arena *req_arena;
	struct la_buf body, hdrs, sql; /* per-request scratch */
	int64_t now_ms;                /* monotonic, refreshed per loop */
	time_t date_sec;
	char date[40]; /* IMF-fixdate of date_sec */
};

/* Runs a worker; never returns. */
void la_worker_run(int slot, const struct la_gen *g,
    const struct la_catalog *cat, struct la_listeners *ls)
    __attribute__((noreturn));
/* Reconnects after the database went away; 0 when connected. */
int la_worker_db(struct la_worker *w);
/* Refreshes now_ms and, once a second, the Date header. */
void la_worker_clock(struct la_worker *w);

#endif
