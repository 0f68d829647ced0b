/*
 * One request as the handlers see it, and the handlers. A worker serves
 * one request at a time, so the scratch buffers live in the worker and are
 * reused; whatever a handler allocates goes in the request arena.
 */
#ifndef LA_HANDLER_H
#define LA_HANDLER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "catalog.h"
#include <yajl/yajl_tree.h>

#include "http_parse.h"

struct la_arena;
struct la_worker;

struct la_req {
	struct la_worker *w;
	const struct la_http_req *http;
	const char *path; /* decoded, trailing '/' removed */
	size_t path_len;
	const char *body;
	size_t body_len;
	struct la_arena *a;
	struct la_buf *body_out; /* response body */
	struct la_buf *hdrs;     /* extra header lines, each ending CRLF */
	int status;
	int head_only;        /* HEAD: headers of the GET, no body */
	int no_body;          /* 204/304: neither body nor Content-Length */
	const char *endpoint; /* route for logs and metrics, or NULL */
	const char *peer;     /* the client's address */
	yajl_val user;        /* the authenticated caller's claims, or NULL */
	const char *user_id;  /* JWT sub or Basic user name, or NULL */
};

/* Routing: sets status, headers and body for every request. */
void la_router_dispatch(struct la_req *r);

/* Collection (id == NULL) or detail route of table t. */
void la_handler_crud(struct la_req *r, const struct la_cat_table *t,
    const char *id, size_t id_len);
void la_handler_healthz(struct la_req *r);
struct la_crud;
/* GET on a collection route: filters, search, ordering, pagination. */
void la_handler_list(struct la_crud *x);
void la_handler_readyz(struct la_req *r);
/* POST {auth_path}/login and /token. */
void la_handler_login(struct la_req *r);

#endif
