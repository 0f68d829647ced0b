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

#include "buf.h"
#include "http_parse.h"

struct la_worker;

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
	char peer[64];
};

/* Accepts what the listener has; registers each connection. */
void la_conn_accept(struct la_worker *w, int lfd);
/* Handles epoll readiness for c. */
void la_conn_event(struct la_worker *w, struct la_conn *c, uint32_t events);
/* Closes connections whose deadline passed. */
void la_conn_expire(struct la_worker *w);
/* Graceful stop: closes idle connections; returns how many remain. */
size_t la_conn_drain(struct la_worker *w);
void la_conn_close(struct la_worker *w, struct la_conn *c);

#endif
