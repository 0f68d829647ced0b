/*
 * Master process (see master.h). Signals are blocked and collected with
 * sigtimedwait(), so all the work happens in the loop and nothing runs in
 * a handler. A dying worker is replaced at once the first time; a slot
 * that keeps dying young is restarted with a doubling back-off.
 */
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "la.h"
#include "balance.h"
#include "db.h"
#include "listen.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "notify.h"
#include "shm.h"
#include "worker.h"
#include "xalloc.h"

#define MASTER_MAX_WORKERS 256
#define MASTER_STABLE_MS   5000  /* a worker that lived this long was fine */
#define MASTER_BACKOFF_MAX 10000 /* ms */

struct master_slot {
	pid_t pid;
	int fails;          /* consecutive early deaths */
	int fatal;          /* exited with code 2: do not respawn */
	int64_t started;    /* ms */
	int64_t respawn_at; /* ms, when pid == 0 */
};

struct master {
	struct la_gen *g; /* the generation new workers are forked from */
	const struct la_catalog *cat;
	struct la_listeners ls;
	struct master_slot *slots;
	int nslots;
	pid_t *retired; /* workers of older generations, draining */
	int nretired;
	struct la_balance *bal; /* the current generation's workers */
	int generation;         /* 1 at start, one more per reload */
	int ready_due;          /* READY=1 once the new workers are up */
	int64_t watchdog_at;    /* ms of the next WATCHDOG=1 */
	sigset_t sigs;
	const char *pid_file;
	const char *path;
	const struct la_overrides *ov;
};

static void
master_noop(int sig)
{
	(void)sig;
}

static void
master_signals(struct master *m)
{
	static const int list[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1,
	    SIGCHLD};
	struct sigaction sa;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&m->sigs);
	memset(&sa, 0, sizeof(sa));
	/* A handler (never run: the signals stay blocked) makes sure none
	 * of them is discarded as ignored, SIGCHLD included. */
	sa.sa_handler = master_noop;
	for (i = 0; i < LA_NELEM(list); i++) {
		sigaddset(&m->sigs, list[i]);
		sigaction(list[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &m->sigs, NULL);
}

/* The catalog goes into a read-only shared mapping every worker sees. */
static int
master_share_catalog(struct master *m, struct la_gen *g)
{
	void *p;

	p = mmap(NULL, g->cat_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		la_log(LA_LOG_EMERG, "mmap catalog: %s", strerror(errno));
		return (-1);
	}
	memcpy(p, g->cat, g->cat_size);
	mprotect(p, g->cat_size, PROT_READ);
	if (la_catalog_check(p, g->cat_size) != 0) {
		la_log(LA_LOG_EMERG, "catalog image is inconsistent");
		munmap(p, g->cat_size);
		return (-1);
	}
	/* Workers of the old generation keep their own mapping of the old
	 * image; the kernel frees it when the last of them exits. */
	if (m->cat != NULL)
		munmap((void *)m->cat, m->g->cat_size);
	m->cat = p;
	return (0);
}

/* A duplicate of the socket already open for addr, or -1. A duplicate,
 * so that a reload that fails later leaves the running sockets alone. */
static int
master_listen_reuse(struct master *m, const char *addr)
{
	const struct la_strlist *old;
	size_t i;

	if (m->g == NULL)
		return (-1);
	old = &m->g->conf->server.listen;
	for (i = 0; i < old->n && i < m->ls.n; i++)
		if (strcmp(old->v[i], addr) == 0)
			return (fcntl(m->ls.fd[i], F_DUPFD_CLOEXEC, 3));
	return (-1);
}

/*
 * Opens the listeners of g into ls, keeping the sockets of addresses that
 * were already open so a reload never refuses a connection.
 */
static int
master_listen(struct master *m, struct la_gen *g, struct la_listeners *ls)
{
	const struct la_strlist *l = &g->conf->server.listen;
	char err[512];
	size_t i;

	ls->n = 0;
	for (i = 0; i < l->n && i < LA_MAX_LISTEN; i++) {
		ls->fd[ls->n] = master_listen_reuse(m, l->v[i]);
		if (ls->fd[ls->n] < 0 && la_listen_open(l->v[i], &ls->fd[ls->n],
		                             err, sizeof(err)) != 0) {
			la_log(LA_LOG_EMERG, "%s", err);
			la_listen_close(ls);
			return (-1);
		}
		ls->n++;
	}
	return (0);
}

static int
master_nworkers(const struct la_conf *c)
{
	long n = c->server.workers;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return (n > MASTER_MAX_WORKERS ? MASTER_MAX_WORKERS : (int)n);
}

static void
master_spawn(struct master *m, int i)
{
	pid_t pid = fork();

	if (pid < 0) {
		la_log(LA_LOG_ALERT, "fork: %s", strerror(errno));
		m->slots[i].respawn_at = la_monotonic_ms() + 1000;
		return;
	}
	if (pid == 0)
		la_worker_run(i, m->g, m->cat, &m->ls, m->bal);
	m->slots[i].pid = pid;
	m->slots[i].started = la_monotonic_ms();
	la_metrics_worker_start();
}

static int
master_slot_of(struct master *m, pid_t pid)
{
	int i;

	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].pid == pid)
			return (i);
	return (-1);
}

static void
master_schedule(struct master *m, int i, int status)
{
	struct master_slot *s = &m->slots[i];
	int64_t now = la_monotonic_ms(), delay = 0;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		s->fatal = 1;
		la_log(LA_LOG_ALERT,
		    "worker %d exited with a fatal error; "
		    "not restarting it",
		    i);
		return;
	}
	if (now - s->started >= MASTER_STABLE_MS)
		s->fails = 0;
	if (s->fails > 0) {
		delay = 100ll << (s->fails - 1 < 7 ? s->fails - 1 : 7);
		if (delay > MASTER_BACKOFF_MAX)
			delay = MASTER_BACKOFF_MAX;
		la_log(LA_LOG_ALERT,
		    "worker %d keeps dying; restarting it in "
		    "%lld ms",
		    i, (long long)delay);
	}
	s->fails++;
	s->respawn_at = now + delay;
	la_metrics_worker_restart();
}

static void
master_log_exit(int i, pid_t pid, int status)
{
	if (WIFSIGNALED(status))
		la_log(LA_LOG_ALERT, "worker %d (pid %d) exited on signal %d",
		    i, (int)pid, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		la_log(LA_LOG_ALERT, "worker %d (pid %d) exited with code %d",
		    i, (int)pid, WEXITSTATUS(status));
	else
		la_log(LA_LOG_NOTICE, "worker %d (pid %d) exited", i, (int)pid);
}

static void
master_forget_retired(struct master *m, pid_t pid)
{
	int i;

	for (i = 0; i < m->nretired; i++)
		if (m->retired[i] == pid) {
			m->retired[i] = m->retired[--m->nretired];
			return;
		}
}

/*
 * A worker that did not exit cleanly may have been writing shared memory:
 * a new epoch tells readers not to trust what was stamped before it.
 */
static void
master_bump_epoch(pid_t pid, int status)
{
	if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)
		la_log(LA_LOG_NOTICE,
		    "shared memory epoch %llu after the exit of pid %d",
		    (unsigned long long)la_shm_bump_epoch(), (int)pid);
}

/* Reaps every dead child; returns how many workers are still alive. */
static int
master_reap(struct master *m, int respawn)
{
	pid_t pid;
	int status, i, alive = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		master_bump_epoch(pid, status);
		if ((i = master_slot_of(m, pid)) < 0) {
			master_forget_retired(m, pid);
			continue;
		}
		m->slots[i].pid = 0;
		la_balance_gone(m->bal, i);
		if (respawn) {
			master_log_exit(i, pid, status);
			master_schedule(m, i, status);
		}
	}
	for (i = 0; i < m->nslots; i++)
		alive += m->slots[i].pid != 0;
	return (alive + m->nretired);
}

static int
master_respawn_due(struct master *m)
{
	int64_t now = la_monotonic_ms();
	int i, live = 0;

	for (i = 0; i < m->nslots; i++) {
		if (m->slots[i].pid == 0 && !m->slots[i].fatal &&
		    m->slots[i].respawn_at <= now)
			master_spawn(m, i);
		live += !m->slots[i].fatal;
	}
	return (live);
}

static void
master_kill_all(struct master *m, int sig)
{
	int i;

	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].pid > 0)
			kill(m->slots[i].pid, sig);
	for (i = 0; i < m->nretired; i++)
		kill(m->retired[i], sig);
}

/* Sends sig, waits up to ms for the workers, then kills what is left. */
static void
master_stop(struct master *m, int sig, int64_t ms)
{
	int64_t deadline = la_monotonic_ms() + ms;
	struct timespec ts = {0, 20 * 1000000};
	siginfo_t si;

	master_kill_all(m, sig);
	while (master_reap(m, 0) > 0 && la_monotonic_ms() < deadline)
		sigtimedwait(&m->sigs, &si, &ts);
	if (master_reap(m, 0) > 0) {
		la_log(LA_LOG_WARN, "workers did not stop in time; killing");
		master_kill_all(m, SIGKILL);
		while (master_reap(m, 0) > 0)
			nanosleep(&ts, NULL);
	}
}

static void
master_pidfile(struct master *m)
{
	FILE *fp;

	m->pid_file = m->g->conf->server.pid_file;
	if (m->pid_file == NULL)
		return;
	if ((fp = fopen(m->pid_file, "w")) == NULL) {
		la_log(LA_LOG_WARN, "pid file %s: %s", m->pid_file,
		    strerror(errno));
		m->pid_file = NULL;
		return;
	}
	fprintf(fp, "%d\n", (int)getpid());
	fclose(fp);
}

static int
master_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return (-1);
	if (pid > 0)
		_exit(0);
	setsid();
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return (0);
}

/*
 * Started as root with server.user: the master created the SQLite file,
 * so hand it (and its WAL files, if any) to the user the workers run as.
 * The directory must be writable by that user too, for the WAL files.
 */
static void
master_chown_sqlite(const struct la_conf *c)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char path[4096];
	struct passwd *pw;
	size_t i;

	if (geteuid() != 0 || c->server.user == NULL ||
	    c->db.kind != LA_DB_SQLITE || strcmp(c->db.path, ":memory:") == 0)
		return;
	if ((pw = getpwnam(c->server.user)) == NULL)
		return; /* the worker reports it */
	for (i = 0; i < LA_NELEM(suffix); i++) {
		snprintf(path, sizeof(path), "%s%s", c->db.path, suffix[i]);
		if (chown(path, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT)
			la_log(LA_LOG_WARN, "chown %s to %s: %s", path,
			    c->server.user, strerror(errno));
	}
}

/* A reload may name other log files, or another owner for new ones. */
static void
master_switch_logs(const struct la_conf *c)
{
	la_log_set_owner(c->server.user, c->server.group);
	if (la_log_open(c->server.error_log, c->server.access_log) != 0)
		la_log(LA_LOG_ERR, "cannot open the new log files; "
		                   "the old ones stay in use");
}

/* Moves the running workers to the retired list and asks them to drain. */
static void
master_retire(struct master *m)
{
	int i;

	m->retired = la_xrealloc(m->retired,
	    (size_t)(m->nretired + m->nslots) * sizeof(*m->retired));
	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].pid > 0) {
			kill(m->slots[i].pid, SIGQUIT);
			m->retired[m->nretired++] = m->slots[i].pid;
		}
	free(m->slots);
	m->slots = NULL;
	m->nslots = 0;
}

static void
master_log_lines(int level, const char *text)
{
	const char *line, *end;

	for (line = text; *line != '\0'; line = end + (*end != '\0')) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if (end > line)
			la_log(level, "%.*s", (int)(end - line), line);
	}
}

/* "serving on ADDR[, ADDR...], N workers, config generation G" */
static void
master_status(const struct master *m, const char *what, char *buf, size_t len)
{
	const struct la_strlist *l = &m->g->conf->server.listen;
	size_t i, n;

	n = (size_t)snprintf(buf, len, "%s on ", what);
	for (i = 0; i < l->n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
		    l->v[i]);
	if (n < len)
		snprintf(buf + n, len - n, ", %d workers, config generation %d",
		    m->nslots, m->generation);
}

/* Every live worker of the generation has reached its loop. */
static int
master_workers_up(const struct master *m)
{
	int i, up = 0;

	for (i = 0; i < m->nslots; i++) {
		if (m->slots[i].pid == 0)
			continue;
		if (!la_balance_up(m->bal, i))
			return (0);
		up++;
	}
	return (up > 0);
}

/* systemd: READY=1 once the workers accept, and the watchdog pings. */
static void
master_notify_tick(struct master *m)
{
	int64_t every = la_notify_watchdog_ms(), now;
	char status[512];

	if (m->ready_due && master_workers_up(m)) {
		m->ready_due = 0;
		master_status(m, "serving", status, sizeof(status));
		la_notify_ready(status);
	}
	if (every > 0 && (now = la_monotonic_ms()) >= m->watchdog_at) {
		la_notify_watchdog();
		m->watchdog_at = now + every;
	}
}

/* A new generation gets a new balance table; the old workers keep theirs. */
static void
master_new_balance(struct master *m)
{
	la_balance_free(m->bal);
	if ((m->bal = la_balance_new(m->nslots)) == NULL)
		la_log(LA_LOG_WARN, "no balance table: %s", strerror(errno));
	m->generation++;
	m->ready_due = 1;
}

static void
master_reload_failed(struct master *m)
{
	char status[512];

	la_log(LA_LOG_ERR,
	    "reload of %s failed; keeping the running "
	    "configuration",
	    m->path);
	la_metrics_reloaded(0);
	master_status(m, "reload failed; serving", status, sizeof(status));
	la_notify_ready(status);
}

/*
 * SIGHUP: build a new generation; if that fails keep serving the old one.
 * Otherwise fork its workers first and only then let the old ones drain,
 * so there is never a moment without a worker accepting.
 */
static void
master_reload(struct master *m)
{
	struct la_listeners ls;
	struct la_shmseg *seg;
	struct la_buf errs;
	struct la_gen *g;
	int i;

	la_log(LA_LOG_NOTICE, "reloading %s", m->path);
	la_notify_reloading("reloading the configuration");
	la_buf_init(&errs);
	g = la_gen_build(m->path, m->ov, &errs);
	if (g == NULL) {
		master_log_lines(LA_LOG_ERR, errs.data ? errs.data : "");
		master_reload_failed(m);
		la_buf_free(&errs);
		return;
	}
	la_buf_free(&errs);
	master_log_lines(LA_LOG_WARN, g->warnings.data ? g->warnings.data : "");
	seg = la_shm_prepare(g);
	if (seg == NULL || master_listen(m, g, &ls) != 0 ||
	    master_share_catalog(m, g) != 0) {
		la_shm_discard(seg);
		master_reload_failed(m);
		la_gen_free(g);
		return;
	}
	la_listen_close(&m->ls);
	m->ls = ls;
	master_retire(m);
	la_shm_use(seg);
	la_gen_free(m->g);
	m->g = g;
	master_switch_logs(g->conf);
	master_chown_sqlite(g->conf);
	m->nslots = master_nworkers(g->conf);
	m->slots = la_xcalloc((size_t)m->nslots, sizeof(*m->slots));
	master_new_balance(m);
	for (i = 0; i < m->nslots; i++)
		master_spawn(m, i);
	la_log(LA_LOG_NOTICE, "reloaded %s: %d worker%s", m->path, m->nslots,
	    m->nslots == 1 ? "" : "s");
	la_metrics_reloaded(1);
}

/* Returns the exit status once a stop signal was handled. */
static int
master_on_signal(struct master *m, int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		la_log(LA_LOG_NOTICE, "fast shutdown");
		la_notify_stopping("fast shutdown");
		master_stop(m, SIGTERM, 1000);
		return (0);
	case SIGQUIT:
		la_log(LA_LOG_NOTICE, "graceful shutdown");
		la_notify_stopping("graceful shutdown: finishing requests");
		master_stop(m, SIGQUIT,
		    (int64_t)m->g->conf->server.shutdown_timeout * 1000 + 1000);
		return (0);
	case SIGHUP:
		master_reload(m);
		return (-1);
	case SIGUSR1:
		la_log_reopen();
		master_kill_all(m, SIGUSR1);
		return (-1);
	case SIGCHLD:
		master_reap(m, 1);
		return (-1);
	default:
		return (-1);
	}
}

static int
master_loop(struct master *m)
{
	struct timespec ts = {0, 100 * 1000000};
	siginfo_t si;
	int sig, rc;

	for (;;) {
		if (master_respawn_due(m) == 0) {
			la_log(LA_LOG_EMERG, "every worker failed fatally");
			la_notify_stopping("every worker failed fatally");
			return (1);
		}
		master_notify_tick(m);
		sig = sigtimedwait(&m->sigs, &si, &ts);
		if (sig > 0 && (rc = master_on_signal(m, sig)) >= 0)
			return (rc);
	}
}

/*
 * After the workers are gone, an SQLite database is opened and closed
 * once more: the last connection to close checkpoints the WAL and removes
 * the -wal and -shm files, but workers closing at the same moment can
 * each see the other still open and leave them. The master is then the
 * only one left.
 */
static void
master_sqlite_tidy(const struct la_conf *c)
{
	struct la_db_conn db;
	char err[256];

	if (c->db.kind != LA_DB_SQLITE)
		return;
	if (la_db_connect(&db, c->db_url, err, sizeof(err)) == 0)
		la_db_disconnect(&db);
}

/* Who the workers run as (worker.c drops to server.user from root). */
static const char *
master_worker_user(const struct la_conf *c)
{
	struct passwd *pw;

	if (geteuid() == 0 && c->server.user != NULL) {
		if ((pw = getpwnam(c->server.user)) != NULL && pw->pw_uid == 0)
			la_log(LA_LOG_WARN,
			    "the workers run as root, as server.user or -u "
			    "asks: a flaw in lightapid or a library it uses "
			    "would give a client the whole machine");
		return (c->server.user);
	}
	pw = getpwuid(geteuid());
	return (pw != NULL ? pw->pw_name : "an unnamed user");
}

int
la_master_run(struct la_gen *g, int foreground, const char *path,
    const struct la_overrides *ov)
{
	struct la_shmseg *seg;
	struct master m;
	int i, rc;

	memset(&m, 0, sizeof(m));
	m.path = path;
	m.ov = ov;
	if ((seg = la_shm_prepare(g)) == NULL)
		return (1);
	la_shm_use(seg);
	if (master_share_catalog(&m, g) != 0 ||
	    master_listen(&m, g, &m.ls) != 0)
		return (1);
	m.g = g;
	master_log_lines(LA_LOG_WARN, g->warnings.data ? g->warnings.data : "");
	if (!foreground && master_daemonize() != 0)
		return (1);
	master_signals(&m);
	master_pidfile(&m);
	master_chown_sqlite(g->conf);
	la_notify_init();
	m.nslots = master_nworkers(g->conf);
	m.slots = la_xcalloc((size_t)m.nslots, sizeof(*m.slots));
	master_new_balance(&m);
	la_log(LA_LOG_NOTICE, "lightapid %s started: %d worker%s on %s, as %s",
	    PACKAGE_VERSION, m.nslots, m.nslots == 1 ? "" : "s",
	    g->conf->server.listen.v[0], master_worker_user(g->conf));
	for (i = 0; i < m.nslots; i++)
		master_spawn(&m, i);
	rc = master_loop(&m);
	if (rc != 0)
		master_stop(&m, SIGTERM, 1000);
	master_sqlite_tidy(m.g->conf);
	if (m.pid_file != NULL)
		unlink(m.pid_file);
	la_listen_close(&m.ls);
	free(m.slots);
	free(m.retired);
	la_balance_free(m.bal);
	la_gen_free(m.g);
	return (rc);
}
