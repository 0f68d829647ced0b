/*
 * Redis tier of the response cache (see cache_redis.h). Only calls that
 * hiredis 0.14 and 1.x both have.
 *
 * An entry's value is the cache key, a newline, the wall-clock second it
 * expires at, a newline, then what the shared-memory tier stores: the
 * whole key is compared on a hit, as in shared memory, and a host copying
 * the entry into its own cache keeps it no longer than its TTL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "la.h"
#include "cache_redis.h"
#include "log.h"

#define CREDIS_TIMEOUT_MS 100  /* connect and each command */
#define CREDIS_RETRY_MS   1000 /* after a failure, before trying again */

static redisContext *credis_c;
static int64_t credis_retry_at;
static int credis_down; /* warned, not yet back */
static uint64_t credis_failures;

uint64_t
la_credis_failures(void)
{
	return (credis_failures);
}

static int64_t
credis_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
credis_fail(const char *what)
{
	const char *err =
	    credis_c != NULL && credis_c->err ? credis_c->errstr : what;

	if (!credis_down)
		la_log(LA_LOG_WARN,
		    "redis cache unreachable (%s): serving from the database "
		    "until it is back",
		    err);
	credis_down = 1;
	credis_failures++;
	if (credis_c != NULL)
		redisFree(credis_c);
	credis_c = NULL;
	credis_retry_at = credis_now_ms() + CREDIS_RETRY_MS;
}

static redisReply *
credis_cmd(int argc, const char **argv, const size_t *len)
{
	redisReply *rep = redisCommandArgv(credis_c, argc, argv, len);

	if (rep == NULL) {
		credis_fail("no reply");
		return (NULL);
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		la_log(LA_LOG_ERR, "redis cache: %s", rep->str);
		freeReplyObject(rep);
		return (NULL);
	}
	return (rep);
}

/*
 * redis://[:password@]host[:port][/db] or unix:///path[?db=N]; 0 when
 * connected.
 */
static int
credis_connect(const char *url)
{
	struct timeval tv = {0, CREDIS_TIMEOUT_MS * 1000};
	char host[256], pass[256] = "", *p;
	const char *s, *at, *slash;
	int port = 6379, db = 0;
	redisReply *rep;

	if (strncmp(url, "unix://", 7) == 0) {
		snprintf(host, sizeof(host), "%s", url + 7);
		if ((p = strstr(host, "?db=")) != NULL) {
			db = atoi(p + 4);
			*p = '\0';
		}
		credis_c = redisConnectUnixWithTimeout(host, tv);
	} else if (strncmp(url, "redis://", 8) == 0) {
		s = url + 8;
		if ((at = strchr(s, '@')) != NULL) {
			if (*s == ':')
				s++;
			snprintf(pass, sizeof(pass), "%.*s", (int)(at - s), s);
			s = at + 1;
		}
		snprintf(host, sizeof(host), "%s", s);
		if ((slash = strchr(s, '/')) != NULL) {
			db = atoi(slash + 1);
			host[slash - s] = '\0';
		}
		if ((p = strrchr(host, ':')) != NULL) {
			port = atoi(p + 1);
			*p = '\0';
		}
		credis_c = redisConnectWithTimeout(host, port, tv);
	} else {
		credis_fail("redis_url is neither redis:// nor unix://");
		credis_retry_at = INT64_MAX; /* no use trying again */
		return (-1);
	}
	if (credis_c == NULL || credis_c->err) {
		credis_fail("connect");
		return (-1);
	}
	redisSetTimeout(credis_c, tv);
	if (pass[0] != '\0') {
		rep = redisCommand(credis_c, "AUTH %s", pass);
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			if (rep != NULL)
				freeReplyObject(rep);
			credis_fail("AUTH refused");
			return (-1);
		}
		freeReplyObject(rep);
	}
	if (db != 0) {
		rep = redisCommand(credis_c, "SELECT %d", db);
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			if (rep != NULL)
				freeReplyObject(rep);
			credis_fail("SELECT refused");
			return (-1);
		}
		freeReplyObject(rep);
	}
	if (credis_down) {
		la_log(LA_LOG_NOTICE, "redis cache is back");
		credis_down = 0;
	}
	return (0);
}

/* Connected, or -1 while Redis is away (without waiting for it). */
static int
credis_ready(const char *url)
{
	if (credis_c != NULL)
		return (0);
	if (credis_now_ms() < credis_retry_at)
		return (-1);
	return (credis_connect(url));
}

static void
credis_gen_key(char *k, size_t n, const char *table)
{
	snprintf(k, n, "lightapi:%s:gen", table);
}

static int
credis_incr(const char *table)
{
	char k[300];
	const char *argv[2] = {"INCR", k};
	size_t len[2];
	redisReply *rep;

	credis_gen_key(k, sizeof(k), table);
	len[0] = 4;
	len[1] = strlen(k);
	if ((rep = credis_cmd(2, argv, len)) == NULL)
		return (-1);
	freeReplyObject(rep);
	return (0);
}

int
la_credis_up(const char *url)
{
	return (credis_ready(url));
}

int
la_credis_bump(const char *url, const char *table)
{
	if (credis_ready(url) != 0 || credis_incr(table) != 0)
		return (-1);
	return (0);
}

int
la_credis_gen(const char *url, const char *table, uint64_t *gen)
{
	char k[300];
	const char *argv[2] = {"GET", k};
	size_t len[2];
	redisReply *rep;

	if (credis_ready(url) != 0)
		return (-1);
	credis_gen_key(k, sizeof(k), table);
	len[0] = 3;
	len[1] = strlen(k);
	if ((rep = credis_cmd(2, argv, len)) == NULL)
		return (-1);
	*gen =
	    rep->type == REDIS_REPLY_STRING ? strtoull(rep->str, NULL, 10) : 0;
	freeReplyObject(rep);
	return (0);
}

static void
credis_entry_key(char *k, size_t n, const char *table, uint64_t gen,
    uint64_t hash)
{
	snprintf(k, n, "lightapi:%s:%llu:%016llx", table,
	    (unsigned long long)gen, (unsigned long long)hash);
}

int
la_credis_get(const char *url, const char *table, uint64_t gen, uint64_t hash,
    const char *key, size_t klen, struct la_buf *out, int *ttl_left)
{
	char k[340], *end;
	const char *argv[2] = {"GET", k};
	size_t len[2];
	redisReply *rep;
	const char *p, *q;
	long long exp;
	int rc = 0;

	if (credis_ready(url) != 0)
		return (-1);
	credis_entry_key(k, sizeof(k), table, gen, hash);
	len[0] = 3;
	len[1] = strlen(k);
	if ((rep = credis_cmd(2, argv, len)) == NULL)
		return (-1);
	if (rep->type == REDIS_REPLY_STRING && rep->len > klen + 1 &&
	    memcmp(rep->str, key, klen) == 0 && rep->str[klen] == '\n') {
		p = rep->str + klen + 1;
		q = memchr(p, '\n', rep->len - klen - 1);
		exp = strtoll(p, &end, 10);
		if (q != NULL && end == q && exp > (long long)time(NULL)) {
			*ttl_left = (int)(exp - (long long)time(NULL));
			q++;
			la_buf_append(out, q,
			    (size_t)(rep->str + rep->len - q));
			rc = 1;
		}
	}
	freeReplyObject(rep);
	return (rc);
}

void
la_credis_put(const char *url, const char *table, uint64_t gen, uint64_t hash,
    const char *key, size_t klen, const char *value, size_t vlen, int ttl)
{
	char k[340], ex[24];
	const char *argv[5] = {"SET", k, NULL, "EX", ex};
	size_t len[5];
	struct la_buf v;
	redisReply *rep;

	if (credis_ready(url) != 0)
		return;
	credis_entry_key(k, sizeof(k), table, gen, hash);
	snprintf(ex, sizeof(ex), "%d", ttl);
	la_buf_init(&v);
	la_buf_append(&v, key, klen);
	la_buf_printf(&v, "\n%lld\n", (long long)time(NULL) + ttl);
	la_buf_append(&v, value, vlen);
	argv[2] = v.data;
	len[0] = 3;
	len[1] = strlen(k);
	len[2] = v.len;
	len[3] = 2;
	len[4] = strlen(ex);
	if ((rep = credis_cmd(5, argv, len)) != NULL)
		freeReplyObject(rep);
	la_buf_free(&v);
}

static void
credis_rate_key(char *k, size_t n, const char *addr, int64_t window, int per)
{
	snprintf(k, n, "lightapi:rl:%d:%lld:%s", per, (long long)window, addr);
}

/* The reply to a pipelined command, or NULL (Redis is then lost). */
static redisReply *
credis_reply(void)
{
	void *rep = NULL;

	if (redisGetReply(credis_c, &rep) != REDIS_OK || rep == NULL) {
		credis_fail("no reply");
		return (NULL);
	}
	return (rep);
}

int
la_credis_rate(const char *url, const char *addr, int64_t window, int per,
    uint64_t *prev, uint64_t *cur)
{
	char k[200], kp[200], ex[24];
	const char *incr[2] = {"INCR", k}, *expire[3] = {"EXPIRE", k, ex};
	const char *get[2] = {"GET", kp};
	redisReply *rep[3];
	int i, rc = 0;

	if (credis_ready(url) != 0)
		return (-1);
	credis_rate_key(k, sizeof(k), addr, window, per);
	credis_rate_key(kp, sizeof(kp), addr, window - 1, per);
	snprintf(ex, sizeof(ex), "%d", 2 * per + 1);
	/* One round trip for the three. */
	redisAppendCommandArgv(credis_c, 2, incr, NULL);
	redisAppendCommandArgv(credis_c, 3, expire, NULL);
	redisAppendCommandArgv(credis_c, 2, get, NULL);
	for (i = 0; i < 3; i++)
		if ((rep[i] = credis_reply()) == NULL) {
			while (i-- > 0)
				freeReplyObject(rep[i]);
			return (-1);
		}
	if (rep[0]->type != REDIS_REPLY_INTEGER || rep[0]->integer < 1) {
		la_log(LA_LOG_ERR, "redis rate limit: unexpected INCR reply");
		rc = -1;
	} else {
		*cur = (uint64_t)rep[0]->integer;
		*prev = rep[2]->type == REDIS_REPLY_STRING
		            ? strtoull(rep[2]->str, NULL, 10)
		            : 0;
	}
	for (i = 0; i < 3; i++)
		freeReplyObject(rep[i]);
	return (rc);
}

void
la_credis_rate_undo(const char *url, const char *addr, int64_t window, int per)
{
	char k[200];
	const char *argv[2] = {"DECR", k};
	size_t len[2];
	redisReply *rep;

	if (credis_ready(url) != 0)
		return;
	credis_rate_key(k, sizeof(k), addr, window, per);
	len[0] = 4;
	len[1] = strlen(k);
	if ((rep = credis_cmd(2, argv, len)) != NULL)
		freeReplyObject(rep);
}
