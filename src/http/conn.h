/*
 * One client connection: the state machine READ_HEAD → READ_BODY →
 * (process) → WRITE → READ_HEAD for the next request, or LINGER → closed.
 * Requests already in the input buffer (pipelining) are served in order;
 * reading stops while a response is being written.
 */
#ifndef LA_CONN_H
#define LA_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <time.h>

#include "buf.h"
#include "http_parse.h"

struct la_arena;
struct la_conf;
struct la_ctx;

enum la_conn_state {
	LA_CONN_HEAD,
	LA_CONN_BODY,
	LA_CONN_WRITE,
	LA_CONN_LINGER
};

struct la_conn {
	int fd;
	enum la_conn_state state;
	struct la_conn *prev, *next;
	struct la_buf in, out;
	size_t out_off;
	struct la_http_req req;
	size_t head_len;
	const char *head_base; /* c->in.data when the head was parsed */
	struct la_http_chunked chunk;
	size_t chunk_in; /* input bytes of the body consumed by the decoder */
	struct la_buf chunk_body;
	int close_after; /* 1: close once out is written; 2: linger first */
	int eof;         /* the client closed its side */
	int requests;
	int64_t deadline;   /* monotonic ms */
	int64_t started;    /* first byte of the current request, ms */
	int64_t idle_since; /* last response written (or accepted), ms */
	struct la_conn *ready_next; /* in the set's ready queue */
	int queued;                 /* ... when set */
	int metrics_only;           /* accepted on server.metrics_listen */
	char peer[64];
};

/*
 * What the connections of one process share: their list, the epoll set,
 * the clock, the request arena and the response body buffer (one request
 * is served at a time, so they are reused), and the context requests are
 * served with. The process owns it and refreshes the clock.
 */
struct la_conn_set {
	const struct la_conf *conf;
	struct la_ctx *ctx;
	int epfd;
	int quitting;          /* graceful stop: no new requests */
	struct la_conn *conns; /* every open connection */
	size_t nconns;
	int metrics_fd; /* the server.metrics_listen socket, or -1 */
	/* Connections that just finished a response and may have another
	 * request buffered: served after the others' events (fairness). */
	struct la_conn *ready_head, *ready_tail;
	struct la_arena *req_arena;
	struct la_buf body; /* the response body */
	int64_t now_ms;     /* monotonic, refreshed per loop */
	time_t date_sec;
	char date[40]; /* IMF-fixdate of date_sec */
};

/* Refreshes now_ms and, once a second, the Date header. */
void la_conn_clock(struct la_conn_set *s);
/*
 * At max_connections. The owner then stops listening (another worker
 * with room gets the new clients) until a connection closes.
 */
int la_conn_full(const struct la_conn_set *s);
/* Accepts what the listener has, at most max (none when full); registers
 * each. Returns how many were taken (interrupted tries count). */
size_t la_conn_accept(struct la_conn_set *s, int lfd, size_t max);
/* Handles epoll readiness for c. */
void la_conn_event(struct la_conn_set *s, struct la_conn *c, uint32_t events);
/*
 * Serves the next request of each connection queued as ready since the
 * last call (one each, in order). 1 when some are queued, so the owner
 * polls for events without blocking before calling again.
 */
int la_conn_run_ready(struct la_conn_set *s);
/* Closes connections whose deadline passed. */
void la_conn_expire(struct la_conn_set *s);
/* Graceful stop: closes idle connections; returns how many remain. */
size_t la_conn_drain(struct la_conn_set *s);
void la_conn_close(struct la_conn_set *s, struct la_conn *c);

#endif
