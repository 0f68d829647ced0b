/*
 * The count cache (see count.h).
 *
 * Key: a version tag, then, while the Redis tier serves the endpoint, the
 * table's generation in Redis (a write on another host then drops the
 * count at once, as it drops the cached page that shows it), then the
 * statement text and each bound value, length-prefixed. Value: the count,
 * 8 bytes.
 *
 * Entries outlive a reload when the zone is kept: a count depends on the
 * statement and the data only, and the statement names the table and
 * columns, so a configuration that counts differently files its counts
 * under other keys.
 */
#include <errno.h>
#include <string.h>

#include "la.h"
#include "arena.h"
#include "count.h"
#include "gen.h"
#include "json.h"
#include "log.h"
#include "pipeline.h"
#include "shm.h"
#include "shmseg.h"

#define COUNT_KEY_VERSION "lightapid-count/1"
/* About 16,000 counts: each takes one chunk of the table. */
#define COUNT_ZONE_SIZE (4u << 20)

static void *count_mem;

int
la_count_wanted(const struct la_gen *g)
{
	const struct la_conf *c = g->conf;
	const struct la_conf_pagination *p;
	size_t i;

	for (i = 0; i < c->nendpoints; i++) {
		p = c->endpoints[i].pagination.set ? &c->endpoints[i].pagination
		                                   : &c->default_pagination;
		if (p->style == LA_PAGE_NUMBER && p->count != LA_COUNT_NONE &&
		    p->count_ttl > 0)
			return (1);
	}
	return (0);
}

size_t
la_count_size(const struct la_gen *g)
{
	(void)g;
	return (COUNT_ZONE_SIZE);
}

void
la_count_attach(struct la_shmseg *s, struct la_shmseg_zone *z)
{
	void *mem;

	count_mem = NULL;
	if (z == NULL)
		return;
	mem = la_shmseg_data(s, z);
	/* A zone kept over a reload is in use by the draining workers. */
	if (!la_ctable_valid(mem, z->size) && la_ctable_init(mem, z->size) != 0)
		return;
	count_mem = mem;
}

int
la_count_stats(struct la_ctable_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (count_mem == NULL)
		return (0);
	la_ctable_stats(count_mem, st);
	return (1);
}

static void
count_field(struct la_buf *b, char tag, const void *p, size_t n)
{
	/* "%c%zu:" without printf: keys are built on every counted page. */
	la_buf_putc(b, tag);
	la_json_int(b, (int64_t)n);
	la_buf_putc(b, ':');
	la_buf_append(b, p, n);
}

/* Each value with its kind, so 1, 1.0 and '1' stay apart. */
static void
count_value(struct la_buf *b, const struct la_value *v)
{
	switch (v->kind) {
	case LA_V_INT:
		la_buf_putc(b, 'i');
		la_json_int(b, v->i);
		la_buf_putc(b, ';');
		break;
	case LA_V_FLOAT:
		la_buf_printf(b, "f%a;", v->f);
		break;
	case LA_V_TEXT:
		count_field(b, 't', v->s, v->len);
		break;
	default:
		la_buf_putc(b, 'n');
		break;
	}
}

static void
count_key(struct la_req *r, const char *sql, size_t len,
    const struct la_value *p, size_t n, struct la_count_entry *e)
{
	struct la_buf b;
	size_t i;

	la_buf_init(&b);
	la_buf_puts(&b, COUNT_KEY_VERSION);
	if (r->cache.redis && r->cache.store != 2)
		la_buf_printf(&b, " r%llu", (unsigned long long)r->cache.rgen);
	count_field(&b, 's', sql, len);
	for (i = 0; i < n; i++)
		count_value(&b, &p[i]);
	e->klen = b.len;
	e->key = la_arena_strndup(r->a, b.data, b.len);
	e->hash = la_ctable_hash(b.data, b.len);
	la_buf_free(&b);
}

int
la_count_lookup(struct la_req *r, const struct la_cat_table *t,
    const char *table, const char *sql, size_t len, const struct la_value *p,
    size_t n, struct la_count_entry *e, int64_t *count)
{
	struct la_buf v;
	int rc;

	if (count_mem == NULL || t->count_ttl <= 0)
		return (-1);
	count_key(r, sql, len, p, n, e);
	e->ttl = t->count_ttl;
	/* Read before the database is, as the response cache does: a count
	 * taken while a write lands is then filed under a dead generation. */
	e->slot = la_ctable_gen_slot(table);
	e->gen = la_ctable_gen(count_mem, e->slot);
	e->epoch = la_shm_epoch();
	la_buf_init(&v);
	rc = la_ctable_get(count_mem, e->hash, e->key, e->klen, e->epoch,
	    la_monotonic_ms(), &v);
	if (rc == LA_CTABLE_HIT && v.len == sizeof(*count))
		memcpy(count, v.data, sizeof(*count));
	else if (rc == LA_CTABLE_HIT)
		rc = LA_CTABLE_MISS;
	la_buf_free(&v);
	if (rc < 0) {
		la_log(LA_LOG_ERR, "count cache lock: %s", strerror(errno));
		return (-1);
	}
	return (rc == LA_CTABLE_HIT ? 1 : 0);
}

void
la_count_store(const struct la_count_entry *e, int64_t count)
{
	int64_t now = la_monotonic_ms();

	if (la_ctable_put(count_mem, e->hash, e->key, e->klen, &count,
	        sizeof(count), e->slot, e->gen, e->epoch, now,
	        now + (int64_t)e->ttl * 1000) < 0)
		la_log(LA_LOG_ERR, "count cache lock: %s", strerror(errno));
}

int
la_count_invalidate(struct la_req *r)
{
	if (count_mem == NULL || r->route == NULL ||
	    r->route->kind != LA_ROUTE_ENDPOINT || r->route->t == NULL ||
	    !(r->verb & (LA_M_POST | LA_M_PUT | LA_M_PATCH | LA_M_DELETE)) ||
	    r->resp.status < 200 || r->resp.status > 299)
		return (LA_PHASE_NEXT);
	la_count_invalidate_table(
	    la_catalog_str(r->ctx->cat, r->route->t->name));
	return (LA_PHASE_NEXT);
}

void
la_count_invalidate_table(const char *table)
{
	if (count_mem != NULL)
		la_ctable_bump(count_mem, la_ctable_gen_slot(table));
}
