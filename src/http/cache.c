/*
 * Response cache, shared-memory tier, and validators (see cache.h).
 *
 * Key: a version tag, the reload stamp, "GET" (HEAD shares it), the
 * decoded path, the query string normalised (parameters decoded, sorted
 * by key then value and re-encoded canonically), the Host header, the
 * X-Forwarded-Proto/Host headers when a trusted proxy sent them (page links are
 * built from them) and the caller's identity when credentials were
 * verified, and whether the answer is gzip-compressed for the client
 * (GzipMiddleware: the stored variant is the compressed one, served to a
 * client that takes gzip without compressing again). Each field is
 * length-prefixed, so no field can run into the
 * next. The table keeps the whole key and compares it on every hit.
 *
 * Value: content type, the answer's own headers (not Date, which the
 * writer adds, nor CORS headers or X-Request-Id, which are per request),
 * then the body. Status 200 only.
 *
 * Reload: the zone may be kept over a SIGHUP (shm.c keeps a segment whose
 * zones still fit), so entries are not wiped; instead every key carries
 * the stamp of the configuration its worker was forked with. The master
 * takes a new stamp each time it hands out the zone, so the new workers
 * never see what the old configuration stored, while draining workers
 * still serve their own. Generations are per table name, not per
 * endpoint index, so a write through either configuration invalidates
 * the table for both.
 *
 * Crash: the entries carry the crash epoch they were stored under; the
 * master bumps it after a worker dies abnormally, and nothing older is
 * served.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "la.h"
#include "arena.h"
#include "cache.h"
#include "expand.h"
#include "gen.h"
#include "gzip.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "scope.h"
#include "shm.h"
#include "shmseg.h"
#include "url.h"
#ifdef HAVE_REDIS
#include "cache_redis.h"
#endif

#define CACHE_KEY_VERSION "lightapid-cache/1"

static void *cache_mem;
/* A generation slot no table name can take: moved on whenever a worker
 * loses Redis, and part of every key while Redis is in use. Redis may
 * have restarted and lost the tables' generations, or missed writes; the
 * shared-memory entries stored before can no longer be known fresh. */
#define CACHE_REDIS_SLOT " redis"
#ifdef HAVE_REDIS
static uint64_t cache_redis_seen;
/*
 * After this worker lost Redis, it reads no entry from there for this
 * long: another host that wrote while Redis was away bumps the table
 * there within about a second of reaching it again (its retry and its
 * idle tick, la_cache_idle), and until then Redis still holds entries
 * that write made stale. Answers come from the database meanwhile.
 */
#define CACHE_REDIS_QUIET_MS 2000
static int64_t cache_redis_quiet_until;
#endif
/* The configuration stamp the master hands the workers (see above). */
static uint64_t cache_stamp;

int
la_cache_wanted(const struct la_gen *g)
{
	size_t i;

	for (i = 0; i < g->conf->nendpoints; i++)
		if (g->conf->endpoints[i].cache_ttl > 0)
			return (1);
	return (0);
}

size_t
la_cache_size(const struct la_gen *g)
{
	return (g->conf->cache.shm_size);
}

void
la_cache_attach(struct la_shmseg *s, struct la_shmseg_zone *z)
{
	void *mem;

	cache_mem = NULL;
	if (z == NULL)
		return;
	mem = la_shmseg_data(s, z);
	/* A zone kept over a reload is in use by the draining workers:
	 * laid out once, never again. */
	if (!la_ctable_valid(mem, z->size) &&
	    la_ctable_init(mem, z->size) != 0) {
		la_log(LA_LOG_WARN,
		    "cache.shm_size of %llu bytes is below the %zu the "
		    "response cache needs; responses are not cached",
		    (unsigned long long)z->size, la_ctable_min_size());
		return;
	}
	cache_mem = mem;
	cache_stamp++;
	la_metrics_cache_source(la_cache_stats);
}

int
la_cache_stats(struct la_ctable_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (cache_mem == NULL)
		return (0);
	la_ctable_stats(cache_mem, st);
	return (1);
}

/* Milliseconds on the system-wide monotonic clock all workers share. */
static int64_t
cache_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
cache_field(struct la_buf *b, const char *p, size_t n)
{
	la_buf_printf(b, "%zu:", n);
	la_buf_append(b, p, n);
}

static void
cache_header_field(struct la_buf *b, const struct la_req *r, const char *name)
{
	const struct la_str *h = la_http_header(r->http, name);

	if (h != NULL)
		cache_field(b, h->p, h->len);
	else
		la_buf_puts(b, "-");
}

static int
cache_param_cmp(const void *a, const void *b)
{
	const struct la_qparam *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0 || x->klen != y->klen)
		return (c != 0 ? c : x->klen < y->klen ? -1 : 1);
	n = x->vlen < y->vlen ? x->vlen : y->vlen;
	c = memcmp(x->value, y->value, n);
	if (c != 0 || x->vlen == y->vlen)
		return (c);
	return (x->vlen < y->vlen ? -1 : 1);
}

/* The query string in canonical form; -1 when it does not decode (the
 * handler answers that, uncached). */
static int
cache_query(struct la_req *r, struct la_buf *b)
{
	const struct la_str *q = &r->http->query;
	struct la_qparam *v;
	struct la_buf tmp;
	int i, n;

	if ((n = la_url_query_parse(q->p, q->len, r->a, &v)) < 0)
		return (-1);
	if (n > 1) /* v is NULL without parameters */
		qsort(v, (size_t)n, sizeof(*v), cache_param_cmp);
	la_buf_init(&tmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			la_buf_putc(&tmp, '&');
		la_url_encode(&tmp, v[i].key, v[i].klen);
		la_buf_putc(&tmp, '=');
		la_url_encode(&tmp, v[i].value, v[i].vlen);
	}
	cache_field(b, tmp.data != NULL ? tmp.data : "", tmp.len);
	la_buf_free(&tmp);
	return (0);
}

/* Who the answer is for: the scheme (so a Basic user and a JWT subject
 * of the same name stay apart) and the subject, or a digest of the JWT
 * payload when it has no sub. */
static void
cache_identity(struct la_req *r, struct la_buf *b)
{
	const struct la_str *h = la_http_header(r->http, "Authorization");
	const char *sp, *d1, *d2;
	char tag[LA_ETAG_LEN];

	if (h == NULL || (r->user == NULL && r->user_id == NULL)) {
		la_buf_puts(b, "-");
		return;
	}
	sp = memchr(h->p, ' ', h->len);
	cache_field(b, h->p, sp != NULL ? (size_t)(sp - h->p) : h->len);
	if (r->user_id != NULL) {
		cache_field(b, r->user_id, strlen(r->user_id));
		return;
	}
	/* The verified token's payload: header.payload.signature. */
	d1 = memchr(h->p, '.', h->len);
	d2 = d1 != NULL ? memchr(d1 + 1, '.', h->len - (size_t)(d1 + 1 - h->p))
	                : NULL;
	if (d1 != NULL && d2 != NULL)
		la_resp_etag(d1 + 1, (size_t)(d2 - d1 - 1), tag);
	else
		la_resp_etag(h->p, h->len, tag);
	cache_field(b, tag, strlen(tag));
}

static int
cache_key(struct la_req *r)
{
	struct la_buf b;
	int rc = 0;

	la_buf_init(&b);
	/* The reload stamp means nothing to other hosts: Redis gets the
	 * key from kskip on. The Redis generation is in both, so a shared
	 * memory entry dies with a write on any host. */
	la_buf_printf(&b, "%llu ", (unsigned long long)cache_stamp);
	if (r->cache.redis)
		la_buf_printf(&b, "%llu ",
		    (unsigned long long)la_ctable_gen(cache_mem,
		        la_ctable_gen_slot(CACHE_REDIS_SLOT)));
	r->cache.kskip = b.len;
	la_buf_printf(&b, "%s %llu ", CACHE_KEY_VERSION,
	    (unsigned long long)r->cache.rgen);
	cache_field(&b, "GET", 3);
	cache_field(&b, r->path, r->path_len);
	if (cache_query(r, &b) != 0)
		rc = -1;
	cache_field(&b, r->http->host.p, r->http->host.len);
	/* The same request from a client and through a trusted proxy may
	 * differ in its links: P and D keep them apart. */
	la_buf_putc(&b, r->via_proxy ? 'P' : 'D');
	if (r->via_proxy) {
		cache_header_field(&b, r, "X-Forwarded-Proto");
		cache_header_field(&b, r, "X-Forwarded-Host");
	}
	cache_identity(r, &b);
	la_scope_key(r, r->ctx->cat, r->route->t, &b);
	la_buf_puts(&b, la_gzip_wanted(r) ? "gzip" : "-");
	if (rc == 0) {
		r->cache.klen = b.len;
		r->cache.key = la_arena_strndup(r->a, b.data, b.len);
		r->cache.hash = la_ctable_hash(b.data, b.len);
		r->cache.rhash = la_ctable_hash(b.data + r->cache.kskip,
		    b.len - r->cache.kskip);
	}
	la_buf_free(&b);
	return (rc);
}

static const char *
cache_table(const struct la_req *r)
{
	return (la_catalog_str(r->ctx->cat, r->route->t->name));
}

/*
 * r->resp.body holds a stored value: ctype, header count, then
 * name\0value\0 pairs, then the body. Sets the response from it and
 * leaves only the body in the buffer; -1 when it does not parse.
 */
static int
cache_decode(struct la_req *r)
{
	struct la_buf *b = r->resp.body;
	const char *p = b->data, *end = b->data + b->len, *name, *value;
	unsigned ctype, nh, i;

	if (b->len < 2)
		return (-1);
	ctype = (unsigned char)p[0];
	nh = (unsigned char)p[1];
	p += 2;
	if (ctype > LA_CT_TEXT)
		return (-1);
	for (i = 0; i < nh; i++) {
		name = p;
		if ((p = memchr(p, '\0', (size_t)(end - p))) == NULL)
			return (-1);
		value = ++p;
		if ((p = memchr(p, '\0', (size_t)(end - p))) == NULL)
			return (-1);
		p++;
		la_resp_header(&r->resp, la_arena_strdup(r->a, name), value);
	}
	la_buf_consume(b, (size_t)(p - b->data));
	la_resp_body(&r->resp, 200, (enum la_ctype)ctype);
	return (0);
}

#ifdef HAVE_REDIS
/* After every Redis call: a lost connection retires this host's entries
 * (see CACHE_REDIS_SLOT). */
static void
cache_redis_check(void)
{
	uint64_t f = la_credis_failures();

	if (f != cache_redis_seen) {
		cache_redis_seen = f;
		la_ctable_bump(cache_mem, la_ctable_gen_slot(CACHE_REDIS_SLOT));
		cache_redis_quiet_until = cache_now() + CACHE_REDIS_QUIET_MS;
	}
}
#endif

#ifdef HAVE_REDIS
/* The Redis URL when the second tier is configured. */
static const char *
cache_redis_url(const struct la_req *r)
{
	const char *u = r->ctx->conf->cache.redis_url;

	return (u != NULL && u[0] != '\0' ? u : NULL);
}
#endif

#ifdef HAVE_REDIS
/* The tables a write can name: the endpoints' and those canned queries
 * list under invalidates; the i-th, or NULL past the last. */
static const char *
cache_table_at(const struct la_ctx *ctx, size_t i)
{
	const struct la_conf *c = ctx->conf;
	const struct la_cat_table *t;
	size_t q;

	if ((t = la_catalog_table(ctx->cat, i)) != NULL)
		return (la_catalog_str(ctx->cat, t->name));
	i -= ctx->cat->ntables;
	for (q = 0; q < c->nqueries; q++) {
		if (i < c->queries[q].invalidates.n)
			return (c->queries[q].invalidates.v[i]);
		i -= c->queries[q].invalidates.n;
	}
	return (NULL);
}

/* Bumps in Redis every table whose name falls on slot; -1 when it fails
 * (the slot is marked again). */
static int
cache_redis_bump_slot(const struct la_ctx *ctx, const char *url, unsigned slot)
{
	const char *name;
	size_t i;

	for (i = 0; (name = cache_table_at(ctx, i)) != NULL; i++)
		if (la_ctable_gen_slot(name) == slot &&
		    la_credis_bump(url, name) != 0) {
			la_ctable_pending_set(cache_mem, slot);
			return (-1);
		}
	return (0);
}

/*
 * Tables written while Redis was away (marked in shared memory, so by
 * any worker, even one gone since), bumped there once it is back and
 * before an entry is read from it: 0 when none is left, -1 while Redis is
 * away. A mark is taken before its bump, so one set meanwhile stays.
 */
static int
cache_redis_flush(const struct la_ctx *ctx, const char *url)
{
	const char *name;
	unsigned slot;
	size_t i;

	if (!la_ctable_pending_any(cache_mem))
		return (0);
	if (la_credis_up(url) != 0)
		return (-1);
	for (i = 0; (name = cache_table_at(ctx, i)) != NULL; i++) {
		slot = la_ctable_gen_slot(name);
		if (la_ctable_pending_take(cache_mem, slot) &&
		    cache_redis_bump_slot(ctx, url, slot) != 0)
			return (-1);
	}
	return (0);
}
#endif

void
la_cache_idle(const struct la_ctx *ctx)
{
#ifdef HAVE_REDIS
	const char *url = ctx->conf->cache.redis_url;

	/* Without traffic too: a host that wrote during an outage must not
	 * leave the others serving stale entries until it gets a request. */
	if (cache_mem != NULL && url != NULL && url[0] != '\0')
		(void)cache_redis_flush(ctx, url);
#else
	(void)ctx;
#endif
}

/*
 * After a shared-memory miss: LA_CTABLE_HIT when Redis had the entry (it
 * is in r->resp.body and copied into shared memory for no longer than
 * Redis keeps it), LA_CTABLE_MISS, or -1 when Redis went away.
 */
static int
cache_redis_get(struct la_req *r)
{
#ifdef HAVE_REDIS
	struct la_buf *b = r->resp.body;
	int64_t now;
	int rc, left = 0;

	if (cache_now() < cache_redis_quiet_until)
		return (LA_CTABLE_MISS);
	rc = la_credis_get(cache_redis_url(r), cache_table(r), r->cache.rgen,
	    r->cache.rhash, r->cache.key + r->cache.kskip,
	    r->cache.klen - r->cache.kskip, b, &left);
	cache_redis_check();
	if (rc == 1 && left > 0) {
		now = cache_now();
		(void)la_ctable_put(cache_mem, r->cache.hash, r->cache.key,
		    r->cache.klen, b->data, b->len, r->cache.slot, r->cache.gen,
		    r->cache.epoch, now, now + (int64_t)left * 1000);
		return (LA_CTABLE_HIT);
	}
	return (rc < 0 ? -1 : LA_CTABLE_MISS);
#else
	(void)r;
	return (LA_CTABLE_MISS);
#endif
}

int
la_cache_lookup(struct la_req *r)
{
	const struct la_cat_table *t;
	size_t nh = r->resp.nh;
	int rc;

	if (cache_mem == NULL || r->route->kind != LA_ROUTE_ENDPOINT ||
	    r->verb != LA_M_GET || (t = r->route->t) == NULL ||
	    t->cache_ttl <= 0 || la_expand_requested(r))
		return (LA_PHASE_NEXT);
#ifdef HAVE_REDIS
	if (cache_redis_url(r) != NULL) {
		r->cache.redis = 1;
		/* Without the generation other hosts see, no entry can be
		 * known fresh: go to the database. */
		if (cache_redis_flush(r->ctx, cache_redis_url(r)) != 0 ||
		    la_credis_gen(cache_redis_url(r),
		        la_catalog_str(r->ctx->cat, t->name),
		        &r->cache.rgen) != 0) {
			cache_redis_check();
			r->cache.store = 2;
			return (LA_PHASE_NEXT);
		}
	}
#endif
	if (cache_key(r) != 0)
		return (LA_PHASE_NEXT);
	/* Read before the database is: an answer built from rows a write
	 * changed meanwhile is then stored under a generation that is
	 * already gone (la_ctable_put() refuses it). */
	r->cache.slot = la_ctable_gen_slot(cache_table(r));
	r->cache.gen = la_ctable_gen(cache_mem, r->cache.slot);
	r->cache.epoch = la_shm_epoch();
	la_buf_reset(r->resp.body);
	rc = la_ctable_get(cache_mem, r->cache.hash, r->cache.key,
	    r->cache.klen, r->cache.epoch, cache_now(), r->resp.body);
	if (rc == LA_CTABLE_MISS && r->cache.redis &&
	    (rc = cache_redis_get(r)) < 0) {
		r->resp.nh = nh;
		la_buf_reset(r->resp.body);
		r->cache.store = 2;
		return (LA_PHASE_NEXT);
	}
	if (rc == LA_CTABLE_HIT && cache_decode(r) == 0) {
		la_resp_header(&r->resp, "X-Cache", "HIT");
		return (LA_PHASE_DONE);
	}
	if (rc < 0)
		la_log(LA_LOG_ERR, "response cache lock: %s", strerror(errno));
	/* Nothing of a miss, or of a value that did not parse, stays. */
	r->resp.nh = nh;
	la_buf_reset(r->resp.body);
	r->cache.store = 1;
	return (LA_PHASE_NEXT);
}

int
la_cache_invalidate(struct la_req *r)
{
	if (cache_mem == NULL || r->route == NULL ||
	    r->route->kind != LA_ROUTE_ENDPOINT || r->route->t == NULL ||
	    !(r->verb & (LA_M_POST | LA_M_PUT | LA_M_PATCH | LA_M_DELETE)) ||
	    r->resp.status < 200 || r->resp.status > 299)
		return (LA_PHASE_NEXT);
	/* Every table is bumped on a write, cached or not: another
	 * endpoint may cache the same table. */
	la_cache_invalidate_table(r, cache_table(r));
	return (LA_PHASE_NEXT);
}

void
la_cache_invalidate_table(struct la_req *r, const char *table)
{
	if (cache_mem == NULL)
		return;
	la_ctable_bump(cache_mem, la_ctable_gen_slot(table));
#ifdef HAVE_REDIS
	if (cache_redis_url(r) != NULL) {
		if (la_credis_bump(cache_redis_url(r), table) != 0)
			la_ctable_pending_set(cache_mem,
			    la_ctable_gen_slot(table));
		else
			(void)cache_redis_flush(r->ctx, cache_redis_url(r));
		cache_redis_check();
	}
#else
	(void)r;
#endif
}

int
la_cache_etag(struct la_req *r)
{
	char tag[LA_ETAG_LEN];

	if (r->verb != LA_M_GET || r->resp.status != 200 || r->resp.no_body ||
	    la_resp_header_get(&r->resp, "ETag") != NULL)
		return (LA_PHASE_NEXT);
	la_resp_etag(r->resp.body->data, r->resp.body->len, tag);
	la_resp_header(&r->resp, "ETag", tag);
	return (LA_PHASE_NEXT);
}

int
la_cache_store(struct la_req *r)
{
	const struct la_resp *p = &r->resp;
	struct la_buf v;
	int64_t now;
	size_t i, nh = 0;

	if (!r->cache.store)
		return (LA_PHASE_NEXT);
	if (r->cache.store == 1 && p->status == 200 && !p->no_body) {
		la_buf_init(&v);
		la_buf_putc(&v, (char)p->ctype);
		la_buf_putc(&v, 0);
		for (i = 0; i < p->nh; i++) {
			if (strncasecmp(p->h[i].name, "Access-Control-", 15) ==
			        0 ||
			    strcasecmp(p->h[i].name, "X-Request-Id") == 0)
				continue;
			la_buf_append(&v, p->h[i].name,
			    strlen(p->h[i].name) + 1);
			la_buf_append(&v, p->h[i].value,
			    strlen(p->h[i].value) + 1);
			nh++;
		}
		v.data[1] = (char)nh;
		la_buf_append(&v, p->body->data, p->body->len);
		now = cache_now();
		if (la_ctable_put(cache_mem, r->cache.hash, r->cache.key,
		        r->cache.klen, v.data, v.len, r->cache.slot,
		        r->cache.gen, r->cache.epoch, now,
		        now + (int64_t)r->route->t->cache_ttl * 1000) < 0)
			la_log(LA_LOG_ERR, "response cache lock: %s",
			    strerror(errno));
#ifdef HAVE_REDIS
		if (r->cache.redis)
			la_credis_put(cache_redis_url(r), cache_table(r),
			    r->cache.rgen, r->cache.rhash,
			    r->cache.key + r->cache.kskip,
			    r->cache.klen - r->cache.kskip, v.data, v.len,
			    r->route->t->cache_ttl);
		if (r->cache.redis)
			cache_redis_check();
#endif
		la_buf_free(&v);
	}
	la_resp_header(&r->resp, "X-Cache", "MISS");
	return (LA_PHASE_NEXT);
}

int
la_cache_conditional(struct la_req *r)
{
	const struct la_str *inm;
	const char *tag;

	/* Most requests have no If-None-Match: that is looked for first. */
	if (r->verb != LA_M_GET || r->resp.status != 200 ||
	    (inm = la_http_header(r->http, "If-None-Match")) == NULL ||
	    (tag = la_resp_header_get(&r->resp, "ETag")) == NULL)
		return (LA_PHASE_NEXT);
	/* RFC 9110 13.1.2: weak comparison. */
	if (la_etag_match(inm->p, inm->len, tag, 1))
		la_resp_empty(&r->resp, 304);
	return (LA_PHASE_NEXT);
}
