/*
 * One request as the phases and handlers see it, and the handlers. A
 * request reaches what it needs through its context, never through the
 * process serving it; whatever a handler allocates goes in the request
 * arena.
 */
#ifndef LA_HANDLER_H
#define LA_HANDLER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "catalog.h"
#include <yajl/yajl_tree.h>

#include "ctx.h"
#include "http_parse.h"
#include "response.h"
#include "route.h"

struct la_arena;

struct la_req {
	struct la_ctx *ctx;
	const struct la_http_req *http;
	const char *path; /* decoded, trailing '/' removed */
	size_t path_len;
	const char *body;
	size_t body_len;
	struct la_arena *a;
	struct la_resp resp;
	int head_only;                /* HEAD: headers of the GET, no body */
	unsigned verb;                /* the method as served: HEAD is GET */
	const struct la_route *route; /* set by the route phase */
	const char *request_id;       /* RequestIdMiddleware's, or NULL */
	const char *id;               /* detail route: the id, else NULL */
	size_t id_len;
	int64_t id_int;       /* the id as a number, for an integer key */
	const char *id_uuid;  /* the id canonical, for a UUID key */
	unsigned allowed;     /* verbs of the matched route */
	const char *endpoint; /* route for logs and metrics, or NULL */
	const char *peer;     /* the client's (clientaddr.h) */
	int metrics_only;     /* came on server.metrics_listen */
	int via_proxy; /* the socket's peer is a trusted proxy (clientaddr.c):
	                  its X-Forwarded-* headers are believed */
	yajl_val user; /* the authenticated caller's claims, or NULL */
	const char *user_id; /* JWT sub or Basic user name, or NULL */
	int64_t elapsed_ms;  /* set before the log phases */
	struct {             /* the response cache's view (cache.c) */
		int store;   /* 1: a miss, store the answer; 2: bypassed */
		uint64_t hash, gen, epoch;
		unsigned slot; /* the table's generation slot */
		const char *key;
		size_t klen;
		size_t kskip;   /* key + kskip: the part hosts share */
		uint64_t rhash; /* of that part */
		uint64_t rgen;  /* the table's generation in Redis */
		int redis;      /* the Redis tier is in use */
	} cache;
};

/* An endpoint's collection or detail route (r->route, r->id). */
void la_handler_crud(struct la_req *r);
void la_handler_healthz(struct la_req *r);
struct la_crud;
/* GET on a collection route: filters, search, ordering, pagination. */
void la_handler_list(struct la_crud *x);
void la_handler_readyz(struct la_req *r);
/* POST {auth_path}/login and /token. */
void la_handler_login(struct la_req *r);
/* GET /openapi.json; GET /docs and the files its page loads. */
void la_handler_openapi(struct la_req *r);
void la_handler_docs(struct la_req *r);
void la_handler_query(struct la_req *r);

#endif
