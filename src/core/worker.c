/*
 * Worker process (see worker.h). Start-up order matters: signals first,
 * then the privilege drop, then the parent-death signal (a credential
 * change clears it), and only then the database connection, so that no
 * handle is ever opened with the master's privileges.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "la.h"
#include "arena.h"
#include "balance.h"
#include "cache.h"
#include "conn.h"
#include "log.h"
#include "worker.h"
#include "xalloc.h"

#define TAG_LISTEN        (1ull << 63)
#define TAG_SIGNAL        (1ull << 62)
#define TAG_KICK          (1ull << 61)
#define WORKER_EXIT_FATAL 2 /* the master must not respawn */

static void
worker_drop_privileges(const struct la_conf *c)
{
	struct passwd *pw;
	struct group *gr;
	gid_t gid;

	if (geteuid() != 0 || c->server.user == NULL)
		return;
	if ((pw = getpwnam(c->server.user)) == NULL) {
		la_log(LA_LOG_EMERG, "unknown user '%s'", c->server.user);
		exit(WORKER_EXIT_FATAL);
	}
	/* server.user: root (or -u root) is the explicit choice to stay. */
	if (pw->pw_uid == 0)
		return;
	gid = pw->pw_gid;
	if (c->server.group != NULL) {
		if ((gr = getgrnam(c->server.group)) == NULL) {
			la_log(LA_LOG_EMERG, "unknown group '%s'",
			    c->server.group);
			exit(WORKER_EXIT_FATAL);
		}
		gid = gr->gr_gid;
	}
	if (initgroups(pw->pw_name, gid) != 0 ||
	    setresgid(gid, gid, gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0 ||
	    setuid(0) == 0) {
		la_log(LA_LOG_EMERG, "cannot drop privileges to %s: %s",
		    c->server.user, strerror(errno));
		exit(WORKER_EXIT_FATAL);
	}
}

static int
worker_signals(pid_t master)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		la_log(LA_LOG_EMERG, "signalfd: %s", strerror(errno));
		exit(WORKER_EXIT_FATAL);
	}
	(void)master;
	return (fd);
}

static void
worker_epoll(struct la_worker *w)
{
	struct epoll_event ev;
	size_t i;

	if ((w->cs.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		la_log(LA_LOG_EMERG, "epoll_create1: %s", strerror(errno));
		exit(WORKER_EXIT_FATAL);
	}
	for (i = 0; i < w->ls->n; i++) {
		memset(&ev, 0, sizeof(ev));
		/* One idle worker woken per connection, not all of them. */
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = TAG_LISTEN | i;
		epoll_ctl(w->cs.epfd, EPOLL_CTL_ADD, w->ls->fd[i], &ev);
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_SIGNAL;
	epoll_ctl(w->cs.epfd, EPOLL_CTL_ADD, w->sigfd, &ev);
	if (la_balance_fd(w->bal) >= 0) {
		/* Edge-triggered and never read: every kick is one event in
		 * every worker. */
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLET;
		ev.data.u64 = TAG_KICK;
		epoll_ctl(w->cs.epfd, EPOLL_CTL_ADD, la_balance_fd(w->bal),
		    &ev);
	}
}

static void
worker_init(struct la_worker *w, int slot, const struct la_gen *g,
    const struct la_catalog *cat, struct la_listeners *ls,
    struct la_balance *bal)
{
	pid_t master = getppid();
	struct la_buf errs;

	memset(w, 0, sizeof(*w));
	w->slot = slot;
	w->gen = g;
	w->ls = ls;
	w->bal = bal;
	la_log_set_slot(slot);
	w->sigfd = worker_signals(master);
	worker_drop_privileges(g->conf);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != master)
		exit(0);
	la_buf_init(&errs);
	if (la_ctx_init(&w->ctx, g, cat, &errs) != 0) {
		la_log(LA_LOG_EMERG, "schema: %s", errs.data);
		exit(WORKER_EXIT_FATAL);
	}
	la_buf_free(&errs);
	w->cs.conf = g->conf;
	w->cs.ctx = &w->ctx;
	/* gen.c put server.metrics_listen last. */
	w->cs.metrics_fd =
	    g->conf->server.metrics_listen != NULL ? ls->fd[ls->n - 1] : -1;
	w->cs.req_arena = la_arena_new(16384);
	la_buf_init(&w->cs.body);
	la_conn_clock(&w->cs);
	(void)la_ctx_db(&w->ctx);
	worker_epoll(w);
	la_balance_listen(w->bal, w->slot, 1);
}

/* How many connections this worker may accept now (see balance.h). */
static size_t
worker_budget(struct la_worker *w)
{
	if (w->cs.quitting || la_conn_full(&w->cs))
		return (0);
	return (la_balance_budget(w->bal, w->slot, w->cs.now_ms, w->cs.nconns));
}

static void
worker_report(struct la_worker *w, int asleep)
{
	la_balance_report(w->bal, w->slot, w->cs.now_ms, w->cs.nconns,
	    !w->cs.quitting && !la_conn_full(&w->cs), asleep);
}

/*
 * Stopping short of what the listener has may leave a client whose arrival
 * woke this worker, and no other, in the backlog: the others are kicked
 * to look.
 */
static void
worker_accept(struct la_worker *w, size_t i)
{
	size_t budget, n;

	if (i >= w->ls->n || w->paused)
		return;
	budget = worker_budget(w);
	n = la_conn_accept(&w->cs, w->ls->fd[i], budget);
	/* The others must see the new count before they are kicked. */
	worker_report(w, 0);
	if (n == budget && la_listen_pending(w->ls->fd[i]))
		la_balance_kick(w->bal);
}

/*
 * Listening follows room and share: a worker at max_connections, or with
 * more connections than its share, takes its listeners out of its epoll
 * set, so that the kernel wakes another worker for the next client
 * (EPOLLEXCLUSIVE wakes one waiter), and puts them back once a connection
 * has closed or the others have caught up.
 */
static void
worker_listen_if_room(struct la_worker *w)
{
	struct epoll_event ev;
	int full = worker_budget(w) == 0, kick = 0;
	size_t i;

	if (full == w->paused || w->cs.quitting)
		return;
	for (i = 0; i < w->ls->n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = TAG_LISTEN | i;
		epoll_ctl(w->cs.epfd, full ? EPOLL_CTL_DEL : EPOLL_CTL_ADD,
		    w->ls->fd[i], &ev);
		/* A client that arrived while this worker was busy may have
		 * been left to it alone: it is not taking it. */
		if (full && la_listen_pending(w->ls->fd[i]))
			kick = 1;
	}
	w->paused = full;
	/* The others, standing back, look again if none of them listens. */
	if (la_balance_listen(w->bal, w->slot, !full) || kick)
		la_balance_kick(w->bal);
}

static void
worker_stop_accepting(struct la_worker *w)
{
	size_t i;

	for (i = 0; i < w->ls->n; i++) {
		if (!w->paused)
			epoll_ctl(w->cs.epfd, EPOLL_CTL_DEL, w->ls->fd[i],
			    NULL);
		close(w->ls->fd[i]);
	}
	w->ls->n = 0;
	if (la_balance_listen(w->bal, w->slot, 0))
		la_balance_kick(w->bal);
}

/* A stop: the database connection is closed first, so that the last
 * SQLite connection checkpoints the WAL and removes its -wal and -shm
 * files. */
__attribute__((noreturn)) static void
worker_exit(struct la_worker *w)
{
	la_ctx_free(&w->ctx);
	exit(0);
}

static void
worker_signal(struct la_worker *w, int64_t *quit_at)
{
	struct signalfd_siginfo si;

	while (read(w->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			worker_exit(w);
		case SIGQUIT:
			if (!w->cs.quitting) {
				w->cs.quitting = 1;
				worker_stop_accepting(w);
				*quit_at =
				    w->cs.now_ms + (int64_t)w->gen->conf->server
				                           .shutdown_timeout *
				                       1000;
			}
			break;
		case SIGUSR1:
			la_log_reopen();
			break;
		default:
			break;
		}
	}
}

static void
worker_dispatch(struct la_worker *w, struct epoll_event *ev, int64_t *quit_at)
{
	uint64_t tag = ev->data.u64;

	size_t i;

	if (tag & TAG_LISTEN)
		worker_accept(w, (size_t)(tag & ~TAG_LISTEN));
	else if (tag == TAG_KICK) {
		for (i = 0; i < w->ls->n; i++)
			worker_accept(w, i);
	} else if (tag == TAG_SIGNAL)
		worker_signal(w, quit_at);
	else
		la_conn_event(&w->cs, ev->data.ptr, ev->events);
}

void
la_worker_run(int slot, const struct la_gen *g, const struct la_catalog *cat,
    struct la_listeners *ls, struct la_balance *bal)
{
	struct epoll_event evs[64];
	struct la_worker w;
	int64_t last_expire = 0, quit_at = 0;
	int i, n, ready = 0, timeout;

	worker_init(&w, slot, g, cat, ls, bal);
	for (;;) {
		/* With connections ready for their next request, only look
		 * for new events before serving them. A worker standing back
		 * for the others looks again soon: one of them may be stuck
		 * in a long request. */
		timeout = ready ? 0 : w.paused ? 100 : 500;
		worker_report(&w, timeout > 0);
		n = epoll_wait(w.cs.epfd, evs, (int)LA_NELEM(evs), timeout);
		la_conn_clock(&w.cs);
		worker_report(&w, 0);
		for (i = 0; i < n; i++)
			worker_dispatch(&w, &evs[i], &quit_at);
		ready = la_conn_run_ready(&w.cs);
		if (w.cs.now_ms - last_expire >= 250) {
			la_conn_expire(&w.cs);
			la_cache_idle(w.cs.ctx);
			last_expire = w.cs.now_ms;
		}
		worker_listen_if_room(&w);
		if (w.cs.quitting &&
		    (la_conn_drain(&w.cs) == 0 || w.cs.now_ms >= quit_at))
			worker_exit(&w);
	}
}
