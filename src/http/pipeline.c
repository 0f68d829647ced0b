/*
 * Request pipeline (see pipeline.h): the phase table, the route phase and
 * the handler phase.
 */
#include <string.h>

#include "la.h"
#include "accesslog.h"
#include "arena.h"
#include "auth.h"
#include "cache.h"
#include "clientaddr.h"
#include "cors.h"
#include "count.h"
#include "metrics.h"
#include "gzip.h"
#include "log.h"
#include "pipeline.h"
#include "ratelimit.h"
#include "requestid.h"
#include "str.h"
#include "url.h"
#include "uuid.h"

enum pipeline_stage {
	STAGE_REQUEST,  /* may finish the request */
	STAGE_RESPONSE, /* always, before the response is written */
	STAGE_LOG       /* always, after it was written */
};

struct pipeline_phase {
	const char *name;
	enum pipeline_stage stage;
	int (*run)(struct la_req *r); /* NULL: an empty slot */
};

static int pipeline_route(struct la_req *r);
static int pipeline_handler(struct la_req *r);
static int pipeline_mw_request(struct la_req *r);
static int pipeline_mw_response(struct la_req *r);

static const struct pipeline_phase pipeline_phases[] = {
    {"client address", STAGE_REQUEST, la_clientaddr_phase},
    {"route", STAGE_REQUEST, pipeline_route},
    {"middlewares", STAGE_REQUEST, pipeline_mw_request},
    {"authentication", STAGE_REQUEST, la_auth_phase},
    {"cache lookup", STAGE_REQUEST, la_cache_lookup},
    {"handler", STAGE_REQUEST, pipeline_handler},
    {"invalidation", STAGE_RESPONSE, la_cache_invalidate},
    {"count invalidation", STAGE_RESPONSE, la_count_invalidate},
    {"etag", STAGE_RESPONSE, la_cache_etag},
    {"middlewares, reversed", STAGE_RESPONSE, pipeline_mw_response},
    {"cache store", STAGE_RESPONSE, la_cache_store},
    {"conditional", STAGE_RESPONSE, la_cache_conditional},
    {"gzip 304", STAGE_RESPONSE, la_gzip_not_modified},
    {"access log", STAGE_LOG, la_accesslog_phase},
    {"metrics", STAGE_LOG, la_metrics_phase},
};

/* A middleware's two parts (NULL: none). */
struct pipeline_mw {
	const char *name; /* as the middleware: list names it */
	int (*request)(struct la_req *r);
	int (*response)(struct la_req *r);
};

/*
 * The configurable middlewares. CORS also answers for cors_origins
 * without CORSMiddleware being named: then it is the outermost.
 */
static const struct pipeline_mw pipeline_mws[] = {
    {"CORSMiddleware", la_cors_phase, la_cors_filter},
    {"RateLimitMiddleware", la_ratelimit_phase, NULL},
    {"RequestIdMiddleware", la_requestid_phase, la_requestid_filter},
    {"GzipMiddleware", NULL, la_gzip_filter},
};


static const struct pipeline_mw *
pipeline_mw(const char *name)
{
	size_t i;

	for (i = 0; i < LA_NELEM(pipeline_mws); i++)
		if (strcmp(pipeline_mws[i].name, name) == 0)
			return (&pipeline_mws[i]);
	return (NULL);
}

/* The request parts in the middleware: order; the first to answer ends
 * the request stage. */
static int
pipeline_mw_request(struct la_req *r)
{
	const struct la_strlist *l = &r->ctx->conf->middleware;
	const struct pipeline_mw *m;
	size_t i;

	if (!la_conf_has_middleware(r->ctx->conf, "CORSMiddleware") &&
	    la_cors_phase(r) == LA_PHASE_DONE)
		return (LA_PHASE_DONE);
	for (i = 0; i < l->n; i++)
		if ((m = pipeline_mw(l->v[i])) != NULL && m->request != NULL &&
		    m->request(r) == LA_PHASE_DONE)
			return (LA_PHASE_DONE);
	return (LA_PHASE_NEXT);
}

/* The response parts in reverse order, every one of them whether or not
 * the request got this far (a 404 has its request id too). */
static int
pipeline_mw_response(struct la_req *r)
{
	const struct la_strlist *l = &r->ctx->conf->middleware;
	const struct pipeline_mw *m;
	size_t i;

	for (i = l->n; i-- > 0;)
		if ((m = pipeline_mw(l->v[i])) != NULL && m->response != NULL)
			m->response(r);
	if (!la_conf_has_middleware(r->ctx->conf, "CORSMiddleware"))
		la_cors_filter(r);
	return (LA_PHASE_NEXT);
}

/* 405 naming the allowed verbs in a fixed order, with Allow. */
static void
pipeline_not_allowed(struct la_req *r)
{
	static const unsigned order[] = {LA_M_GET, LA_M_POST, LA_M_PUT,
	    LA_M_PATCH, LA_M_DELETE};
	struct la_buf *b = r->resp.body;
	size_t i;
	int n = 0;

	la_resp_allow_header(&r->resp, r->allowed);
	la_buf_reset(b);
	la_buf_puts(b, "{\"detail\":\"Method Not Allowed. Allowed: ");
	for (i = 0; i < LA_NELEM(order); i++)
		if (r->allowed & order[i])
			la_buf_printf(b, "%s%s", n++ ? ", " : "",
			    la_verb_name(order[i]));
	la_buf_puts(b, "\"}");
	la_resp_fail_body(&r->resp, LA_ERR_METHOD);
}

/* Whether the id of a detail route can name a row of t: an integer key
 * takes digits only ("-1" and "+1" name no row) within 64 bits. */
static int
pipeline_id_ok(struct la_req *r)
{
	const struct la_cat_table *t = r->route->t;
	const struct la_cat_col *pk;
	char *uuid;

	if (t->pk < 0)
		return (0);
	pk = &la_catalog_cols(r->ctx->cat, t)[t->pk];
	/* A UUID key must be a UUID: an engine with a uuid type would
	 * refuse the comparison itself (500) rather than find no row. */
	if (pk->type == LA_T_UUID) {
		uuid = la_arena_alloc(r->a, LA_UUID_LEN + 1);
		r->id_uuid = uuid;
		return (la_uuid_parse(r->id, r->id_len, uuid) == 0);
	}
	if (pk->type != LA_T_INT)
		return (1);
	/* Digits only: la_str_to_i64 refuses anything else but a sign. */
	if (r->id_len == 0 || r->id[0] == '-' || r->id[0] == '+')
		return (0);
	return (la_str_to_i64(r->id, r->id_len, &r->id_int) == 0);
}

/* The decoded path to a route, an id and the verbs it serves. */
static int
pipeline_route(struct la_req *r)
{
	const struct la_str *p = &r->http->path;
	char *dec = la_arena_alloc(r->a, p->len + 1);
	ssize_t n;

	/* Most paths have no escape: copied as they are (the parser let no
	 * NUL into the target). */
	if (memchr(p->p, '%', p->len) == NULL) {
		memcpy(dec, p->p, p->len);
		n = (ssize_t)p->len;
	} else
		n = la_url_decode(p->p, p->len, dec, 0);
	if (n < 0) {
		la_resp_fail(&r->resp, LA_ERR_BAD_REQUEST, "bad request");
		return (LA_PHASE_DONE);
	}
	dec[n] = '\0';
	if (n > 1 && dec[n - 1] == '/')
		dec[--n] = '\0';
	r->path = dec;
	r->path_len = (size_t)n;
	r->route = la_routes_match(&r->ctx->routes, dec, (size_t)n, &r->id,
	    &r->id_len);
	if (r->route != NULL && !la_metrics_route_ok(r))
		r->route = NULL; /* not on this listener */
	if (r->route == NULL || (r->id != NULL && !pipeline_id_ok(r))) {
		la_resp_fail(&r->resp, LA_ERR_NOT_FOUND, "not found");
		return (LA_PHASE_DONE);
	}
	r->endpoint = r->route->name;
	r->allowed =
	    r->id != NULL ? r->route->detail_methods : r->route->methods;
	if (r->verb != LA_M_OPTIONS && !(r->allowed & r->verb)) {
		pipeline_not_allowed(r);
		return (LA_PHASE_DONE);
	}
	return (LA_PHASE_NEXT);
}

static int
pipeline_handler(struct la_req *r)
{
	if (r->verb == LA_M_OPTIONS) {
		la_resp_allow_header(&r->resp, r->allowed);
		la_resp_empty(&r->resp, 204);
		return (LA_PHASE_DONE);
	}
	switch (r->route->kind) {
	case LA_ROUTE_HEALTHZ:
		la_handler_healthz(r);
		break;
	case LA_ROUTE_READYZ:
		la_handler_readyz(r);
		break;
	case LA_ROUTE_LOGIN:
		la_handler_login(r);
		break;
	case LA_ROUTE_ENDPOINT:
		la_handler_crud(r);
		break;
	case LA_ROUTE_OPENAPI:
		la_handler_openapi(r);
		break;
	case LA_ROUTE_DOCS:
		la_handler_docs(r);
		break;
	case LA_ROUTE_METRICS:
		la_handler_metrics(r);
		break;
	case LA_ROUTE_QUERY:
		la_handler_query(r);
		break;
	}
	return (LA_PHASE_DONE);
}

/* Where each stage's phases start and end in the table, which lists
 * them stage by stage: found once, not by a pass over the whole table
 * per stage of every request. */
static size_t pipeline_from[STAGE_LOG + 1], pipeline_to[STAGE_LOG + 1];

static void
pipeline_bounds(void)
{
	size_t i;

	for (i = LA_NELEM(pipeline_phases); i-- > 0;) {
		LA_ASSERT(i == 0 || pipeline_phases[i - 1].stage <=
		                        pipeline_phases[i].stage);
		pipeline_from[pipeline_phases[i].stage] = i;
		if (pipeline_to[pipeline_phases[i].stage] == 0)
			pipeline_to[pipeline_phases[i].stage] = i + 1;
	}
}

static void
pipeline_stage(struct la_req *r, enum pipeline_stage stage)
{
	const struct pipeline_phase *ph;
	size_t i;

	if (pipeline_to[STAGE_REQUEST] == 0)
		pipeline_bounds();
	for (i = pipeline_from[stage]; i < pipeline_to[stage]; i++) {
		ph = &pipeline_phases[i];
		if (ph->run == NULL)
			continue;
		if (ph->run(r) == LA_PHASE_DONE && stage == STAGE_REQUEST)
			return;
	}
}

void
la_pipeline_run(struct la_req *r)
{
	r->verb =
	    r->http->method_id == LA_M_HEAD ? LA_M_GET : r->http->method_id;
	/* Nothing of a request that never reached its log phases. */
	la_log_set_request(NULL);
	pipeline_stage(r, STAGE_REQUEST);
	pipeline_stage(r, STAGE_RESPONSE);
}

void
la_pipeline_log(struct la_req *r)
{
	pipeline_stage(r, STAGE_LOG);
	la_log_set_request(NULL);
}
