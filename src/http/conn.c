/*
 * Connection state machine (see conn.h). Sockets are registered once,
 * edge-triggered for both directions, so no epoll_ctl call is made per
 * request; every transition therefore reads or writes until EAGAIN.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "la.h"
#include "arena.h"
#include "conn.h"
#include "pipeline.h"
#include "log.h"
#include "metrics.h"
#include "requestid.h"
#include "response.h"
#include "xalloc.h"

#define CONN_READ_CHUNK    16384
#define CONN_LINGER_MS     2000
#define CONN_DRAIN_IDLE_MS 1000
#define CONN_KEEP_BUF      65536 /* larger buffers are freed once used */


void
la_conn_clock(struct la_conn_set *s)
{
	struct timespec ts;
	struct tm tm;

	s->now_ms = la_monotonic_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec == s->date_sec)
		return;
	s->date_sec = ts.tv_sec;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(s->date, sizeof(s->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int64_t
conn_ms(int seconds)
{
	return ((int64_t)seconds * 1000);
}

static void
conn_peer(struct la_conn *c, const struct sockaddr_storage *ss)
{
	const void *addr = NULL;

	if (ss->ss_family == AF_INET)
		addr = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (addr == NULL ||
	    inet_ntop(ss->ss_family, addr, c->peer, sizeof(c->peer)) == NULL)
		snprintf(c->peer, sizeof(c->peer), "-");
}

static struct la_conn *
conn_new(struct la_conn_set *s, int fd, const struct sockaddr_storage *ss)
{
	struct la_conn *c = la_xcalloc(1, sizeof(*c));
	struct epoll_event ev;
	int one = 1;

	c->fd = fd;
	c->state = LA_CONN_HEAD;
	la_buf_init(&c->in);
	la_buf_init(&c->out);
	la_buf_init(&c->chunk_body);
	conn_peer(c, ss);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->deadline = s->now_ms + conn_ms(s->conf->server.header_timeout);
	c->idle_since = s->now_ms;
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	la_metrics_connection(1);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = c;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		la_log(LA_LOG_ERR, "epoll_ctl: %s", strerror(errno));
		la_conn_close(s, c);
		return (NULL);
	}
	return (c);
}

static void
conn_ready(struct la_conn_set *s, struct la_conn *c)
{
	if (c->queued)
		return;
	c->queued = 1;
	c->ready_next = NULL;
	if (s->ready_tail != NULL)
		s->ready_tail->ready_next = c;
	else
		s->ready_head = c;
	s->ready_tail = c;
}

/* A closed connection leaves the ready queue (rare: a scan is fine). */
static void
conn_unready(struct la_conn_set *s, struct la_conn *c)
{
	struct la_conn **pp, *prev = NULL;

	for (pp = &s->ready_head; *pp != NULL; pp = &(*pp)->ready_next) {
		if (*pp == c) {
			*pp = c->ready_next;
			if (s->ready_tail == c)
				s->ready_tail = prev;
			return;
		}
		prev = *pp;
	}
}

void
la_conn_close(struct la_conn_set *s, struct la_conn *c)
{
	if (c->queued)
		conn_unready(s, c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	la_metrics_connection(-1);
	close(c->fd);
	la_buf_free(&c->in);
	la_buf_free(&c->out);
	la_buf_free(&c->chunk_body);
	free(c);
}

int
la_conn_full(const struct la_conn_set *s)
{
	return (s->nconns >= (size_t)s->conf->server.max_connections);
}

size_t
la_conn_accept(struct la_conn_set *s, int lfd, size_t max)
{
	struct sockaddr_storage ss;
	struct la_conn *c;
	socklen_t sl;
	size_t i;
	int fd;

	/* A bounded batch keeps one busy listener from starving the rest. */
	/* A full worker leaves new clients in the backlog, where a worker
	 * with room takes them (see la_conn_full), rather than accepting and
	 * closing them. */
	for (i = 0; i < 64 && i < max && !s->quitting && !la_conn_full(s);
	     i++) {
		sl = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				la_log(LA_LOG_ERR, "accept: %s",
				    strerror(errno));
			return (i);
		}
		if ((c = conn_new(s, fd, &ss)) != NULL)
			c->metrics_only = lfd == s->metrics_fd;
	}
	return (i);
}

/* Reads until EAGAIN or the buffer limit; returns the bytes read, or -1
 * on EOF or error. */
static ssize_t
conn_read(struct la_conn_set *s, struct la_conn *c)
{
	size_t limit = s->conf->server.max_header_size +
	               s->conf->server.max_body_size + CONN_READ_CHUNK;
	size_t before = c->in.len;
	ssize_t n;

	while (c->in.len < limit) {
		la_buf_reserve(&c->in, CONN_READ_CHUNK);
		n = read(c->fd, c->in.data + c->in.len,
		    c->in.cap - c->in.len - 1);
		if (n > 0) {
			c->in.len += (size_t)n;
			c->in.data[c->in.len] = '\0';
			continue;
		}
		if (n == 0)
			return (-1);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return (-1);
		break;
	}
	return ((ssize_t)(c->in.len - before));
}

/* Writes until done (1), EAGAIN (0) or error (-1). */
static int
conn_flush(struct la_conn *c)
{
	ssize_t n;

	while (c->out_off < c->out.len) {
		n = send(c->fd, c->out.data + c->out_off,
		    c->out.len - c->out_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (0);
		return (-1);
	}
	/* One huge response must not pin its memory for the connection's
	 * life: keep only ordinary-sized buffers. */
	if (c->out.cap > CONN_KEEP_BUF)
		la_buf_free(&c->out);
	la_buf_reset(&c->out);
	c->out_off = 0;
	return (1);
}

/* An error before a handler ran: answer and close, draining first. */
static void
conn_fail(struct la_conn_set *s, struct la_conn *c, int status,
    const char *detail)
{
	/* A 413 and whatever fails in the body come after a parsed head. */
	const struct la_http_req *req =
	    c->state == LA_CONN_BODY || status == 413 ? &c->req : NULL;
	char id[LA_REQUESTID_MAX + 1];

	la_resp_raw_error_id(status, detail, la_requestid_raw(s->conf, req, id),
	    s->date, &c->out);
	c->close_after = 2;
	c->state = LA_CONN_WRITE;
	c->deadline = s->now_ms + conn_ms(s->conf->server.body_timeout);
}

static const char *
conn_status_detail(int status)
{
	switch (status) {
	case 413:
		return ("request body too large");
	case 431:
		return ("request header fields too large");
	case 501:
		return ("transfer encoding not implemented");
	case 505:
		return ("HTTP version not supported");
	case 408:
		return ("request timeout");
	default:
		return ("bad request");
	}
}

static void
conn_process(struct la_conn_set *s, struct la_conn *c, const char *body,
    size_t body_len)
{
	struct la_req r;
	int keepalive;

	la_metrics_begin();
	memset(&r, 0, sizeof(r));
	r.ctx = s->ctx;
	r.http = &c->req;
	r.body = body;
	r.body_len = body_len;
	r.a = s->req_arena;
	la_resp_init(&r.resp, &s->body, s->req_arena);
	r.head_only = c->req.method_id == LA_M_HEAD;
	r.peer = c->peer;
	r.metrics_only = c->metrics_only;
	la_pipeline_run(&r);
	keepalive = c->req.keepalive && !s->quitting &&
	            c->requests + 1 < s->conf->server.keepalive_requests;
	la_resp_write(&r.resp, r.head_only,
	    !keepalive          ? LA_PERSIST_CLOSE
	    : c->req.minor == 0 ? LA_PERSIST_SAY
	                        : LA_PERSIST_DEFAULT,
	    s->date, &c->out);
	/* now_ms is the loop's clock, taken before this request was served. */
	r.elapsed_ms = la_monotonic_ms() - c->started;
	la_pipeline_log(&r);
	la_arena_reset(s->req_arena);
	if (s->body.cap > CONN_KEEP_BUF)
		la_buf_free(&s->body);
	if (!keepalive)
		c->close_after = 1;
}

/* The response is out: close, linger, or wait for the next request.
 * Returns 1 when the connection stays open for another request. */
static int
conn_after_write(struct la_conn_set *s, struct la_conn *c)
{
	if (c->close_after == 2) {
		/* Let the client read the error before the RST of a close
		 * with unread input would destroy it. */
		shutdown(c->fd, SHUT_WR);
		c->state = LA_CONN_LINGER;
		c->deadline = s->now_ms + CONN_LINGER_MS;
		return (0);
	}
	/* After the client's EOF, requests it sent before closing its side
	 * are still answered: close only once none is left. */
	if (c->close_after || (c->eof && c->in.len == 0)) {
		la_conn_close(s, c);
		return (0);
	}
	c->state = LA_CONN_HEAD;
	c->requests++;
	c->started = 0;
	c->idle_since = s->now_ms;
	c->deadline = s->now_ms + conn_ms(s->conf->server.keepalive_timeout);
	return (1);
}

/* The head is complete: decide how the body is framed. */
static int
conn_start_body(struct la_conn_set *s, struct la_conn *c)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (!c->req.chunked &&
	    c->req.content_length > (int64_t)s->conf->server.max_body_size) {
		conn_fail(s, c, 413, conn_status_detail(413));
		return (-1);
	}
	memset(&c->chunk, 0, sizeof(c->chunk));
	c->chunk_in = 0;
	la_buf_reset(&c->chunk_body);
	if (c->req.expect_continue &&
	    (c->req.chunked || c->req.content_length > 0) &&
	    c->in.len == c->head_len)
		(void)!send(c->fd, cont, sizeof(cont) - 1, MSG_NOSIGNAL);
	c->state = LA_CONN_BODY;
	c->deadline = s->now_ms + conn_ms(s->conf->server.body_timeout);
	return (0);
}

static int
conn_head(struct la_conn_set *s, struct la_conn *c, int eof)
{
	int rc, status = 400;

	if (c->in.len == 0)
		return (eof ? -1 : 0);
	if (c->started == 0) {
		c->started = s->now_ms;
		/* Slow clients get header_timeout from their first byte,
		 * however slowly they drip the rest. */
		c->deadline =
		    s->now_ms + conn_ms(s->conf->server.header_timeout);
	}
	rc = la_http_parse_head(c->in.data, c->in.len,
	    s->conf->server.max_header_size, &c->req, &status);
	if (rc == LA_AGAIN)
		return (eof ? -1 : 0);
	if (rc < 0) {
		conn_fail(s, c, status, conn_status_detail(status));
		return (1);
	}
	c->head_len = (size_t)rc;
	c->head_base = c->in.data;
	if (conn_start_body(s, c) != 0)
		return (1);
	return (2);
}

/*
 * Chunk framing already decoded is dropped from the input, so that the
 * input cap bounds only what is still to decode: a body within
 * max_body_size sent in tiny chunks carries many times its size in
 * framing. The head before it stays where it is (the parsed head points
 * into it).
 */
static void
conn_compact_chunks(struct la_conn *c)
{
	char *from = c->in.data + c->head_len + c->chunk_in;
	size_t rest = c->in.len - c->head_len - c->chunk_in;

	if (c->chunk_in == 0)
		return;
	memmove(c->in.data + c->head_len, from, rest);
	c->in.len = c->head_len + rest;
	c->in.data[c->in.len] = '\0';
	c->chunk_in = 0;
}

/* Returns the bytes of the request when the body is complete, 0 when more
 * input is needed, -1 when the connection failed. */
static size_t
conn_body(struct la_conn_set *s, struct la_conn *c, const char **body,
    size_t *blen)
{
	size_t used = 0, need;
	int rc;

	if (!c->req.chunked) {
		need = c->head_len + (size_t)(c->req.content_length > 0
		                                  ? c->req.content_length
		                                  : 0);
		if (c->in.len < need)
			return (0);
		*body = c->in.data + c->head_len;
		*blen = need - c->head_len;
		return (need);
	}
	rc = la_http_chunked_feed(&c->chunk,
	    c->in.data + c->head_len + c->chunk_in,
	    c->in.len - c->head_len - c->chunk_in, &c->chunk_body,
	    s->conf->server.max_body_size, &used);
	c->chunk_in += used;
	conn_compact_chunks(c);
	if (rc == LA_AGAIN)
		return (0);
	if (rc != LA_OK) {
		conn_fail(s, c, rc == LA_HTTP_TOO_LARGE ? 413 : 400,
		    conn_status_detail(rc == LA_HTTP_TOO_LARGE ? 413 : 400));
		return ((size_t)-1);
	}
	*body = c->chunk_body.data ? c->chunk_body.data : "";
	*blen = c->chunk_body.len;
	return (c->head_len + c->chunk_in);
}

/*
 * The parsed head is a set of views into c->in, which reading the body may
 * have moved (realloc). Parsing again is cheaper than keeping offsets.
 */
static void
conn_reparse(struct la_conn_set *s, struct la_conn *c)
{
	int status;

	if (c->in.data == c->head_base)
		return;
	(void)la_http_parse_head(c->in.data, c->in.len,
	    s->conf->server.max_header_size, &c->req, &status);
	c->head_base = c->in.data;
}

/* Reads and parses until a request is complete; 1 when one was served
 * (state WRITE), 0 when more input is needed, -1 when c was closed. */
static int
conn_step(struct la_conn_set *s, struct la_conn *c)
{
	const char *body;
	size_t blen, total;
	ssize_t n;
	int rc;

	if (c->in.len == 0 && !c->eof && conn_read(s, c) < 0)
		c->eof = 1;
	while (c->state == LA_CONN_HEAD || c->state == LA_CONN_BODY) {
		if (c->state == LA_CONN_HEAD)
			rc = conn_head(s, c, c->eof);
		else {
			total = conn_body(s, c, &body, &blen);
			if (total == (size_t)-1)
				return (1);
			rc = total == 0 ? 0 : 3;
			if (rc == 3) {
				conn_reparse(s, c);
				conn_process(s, c, body, blen);
				la_buf_consume(&c->in, total);
				if (c->in.len == 0 && c->in.cap > CONN_KEEP_BUF)
					la_buf_free(&c->in);
				if (c->chunk_body.cap > CONN_KEEP_BUF)
					la_buf_free(&c->chunk_body);
				c->state = LA_CONN_WRITE;
				return (1);
			}
		}
		if (rc < 0 || (rc == 0 && c->eof)) {
			la_conn_close(s, c);
			return (-1);
		}
		if (rc == 0) {
			/* Edge-triggered: only stop once read says EAGAIN. */
			n = conn_read(s, c);
			if (n < 0)
				c->eof = 1;
			else if (n == 0)
				return (0);
		}
	}
	return (1);
}

static void
conn_advance(struct la_conn_set *s, struct la_conn *c)
{
	int rc;

	if (c->state != LA_CONN_WRITE && conn_step(s, c) <= 0)
		return;
	rc = conn_flush(c);
	if (rc < 0) {
		la_conn_close(s, c);
		return;
	}
	/* A response is out and the connection waits for its next request,
	 * which may already be buffered (pipelining) or arriving: it goes to
	 * the back of the ready queue rather than being served at once, so
	 * one busy connection cannot hold the worker while others wait. */
	if (rc > 0 && conn_after_write(s, c))
		conn_ready(s, c);
}

int
la_conn_run_ready(struct la_conn_set *s)
{
	struct la_conn *c = s->ready_head;

	s->ready_head = s->ready_tail = NULL;
	while (c != NULL) {
		struct la_conn *next = c->ready_next;

		c->ready_next = NULL;
		c->queued = 0;
		conn_advance(s, c);
		c = next;
	}
	return (s->ready_head != NULL);
}

static void
conn_linger(struct la_conn_set *s, struct la_conn *c)
{
	char sink[4096];
	ssize_t n;

	while ((n = read(c->fd, sink, sizeof(sink))) > 0)
		;
	if (n == 0 ||
	    (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		la_conn_close(s, c);
}

void
la_conn_event(struct la_conn_set *s, struct la_conn *c, uint32_t events)
{
	if (events & EPOLLERR) {
		la_conn_close(s, c);
		return;
	}
	/* A connection in the ready queue is served in its turn (its next
	 * read drains the socket), not twice in a row. */
	if (c->queued)
		return;
	if (c->state == LA_CONN_LINGER)
		conn_linger(s, c);
	else
		conn_advance(s, c);
}

void
la_conn_expire(struct la_conn_set *s)
{
	struct la_conn *c, *next;

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->deadline > s->now_ms)
			continue;
		if ((c->state == LA_CONN_HEAD && c->in.len > 0) ||
		    c->state == LA_CONN_BODY) {
			conn_fail(s, c, 408, conn_status_detail(408));
			conn_advance(s, c);
		} else
			la_conn_close(s, c);
	}
}

size_t
la_conn_drain(struct la_conn_set *s)
{
	struct la_conn *c, *next;

	/*
	 * A client may be sending its next request on a keep-alive
	 * connection right now; closing it then would reset that request.
	 * So only connections quiet for a while are closed; busy ones get
	 * "Connection: close" on their next response instead.
	 */
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == LA_CONN_HEAD && c->in.len == 0 &&
		    s->now_ms - c->idle_since >= CONN_DRAIN_IDLE_MS)
			la_conn_close(s, c);
	}
	return (s->nconns);
}
