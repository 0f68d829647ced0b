/*
 * The response model. A handler sets a status and a body with its content
 * type, and adds headers by name; an error is given as a kind, and the
 * status of each kind is chosen here and nowhere else. Every error body is
 * {"detail": ...}. Headers are kept as name/value pairs so that a second
 * value of a list header such as Vary merges into the first instead of
 * repeating it.
 */
#ifndef LA_RESPONSE_H
#define LA_RESPONSE_H

#include <stddef.h>

#include "buf.h"

struct la_arena;

/* What went wrong, as the client is told. */
enum la_err {
	LA_ERR_BAD_REQUEST,  /* 400: not JSON, bad query string */
	LA_ERR_UNAUTHORIZED, /* 401: credentials missing or invalid */
	LA_ERR_FORBIDDEN,    /* 403: permission refused */
	LA_ERR_NOT_FOUND,    /* 404 */
	LA_ERR_METHOD,       /* 405 */
	LA_ERR_CONFLICT,     /* 409: version or constraint */
	LA_ERR_PRECONDITION, /* 412: If-Match did not match */
	LA_ERR_TOO_LARGE,    /* 413: a body past a limit */
	LA_ERR_INVALID,      /* 422: validation items */
	LA_ERR_THROTTLED,    /* 429 */
	LA_ERR_INTERNAL,     /* 500 */
	LA_ERR_UNAVAILABLE   /* 503: the database is gone */
};

enum la_ctype {
	LA_CT_JSON,
	LA_CT_HTML,
	LA_CT_TEXT,
	LA_CT_JS,
	LA_CT_CSS,
	LA_CT_PROM /* Prometheus text format 0.0.4 */
};

#define LA_RESP_MAX_HEADERS 16

struct la_header {
	const char *name;
	const char *value;
};

struct la_resp {
	int status;
	enum la_ctype ctype;
	int no_body;         /* 204/304: neither body nor Content-Length */
	struct la_buf *body; /* reused between requests */
	struct la_arena *a;  /* header values live here */
	struct la_header h[LA_RESP_MAX_HEADERS];
	size_t nh;
};

/* A fresh response writing its body to body (reset) and values in a. */
void la_resp_init(struct la_resp *p, struct la_buf *body, struct la_arena *a);
const char *la_resp_reason(int status);
int la_resp_status(enum la_err kind);
/* {"detail":"text"} with the kind's status. */
void la_resp_fail(struct la_resp *p, enum la_err kind, const char *detail);
/* An error whose JSON body is already in p->body (422 items). */
void la_resp_fail_body(struct la_resp *p, enum la_err kind);
/* A JSON body already in p->body, with a success status. */
void la_resp_json(struct la_resp *p, int status);
/* A body of another type already in p->body. */
void la_resp_body(struct la_resp *p, int status, enum la_ctype ctype);
/* A status with no body (204, 304): the headers set so far stay. */
void la_resp_empty(struct la_resp *p, int status);
/*
 * Adds a header. Vary merges into an existing Vary (a value already there
 * is not repeated); a header of another name is added once more. The
 * value is copied. Beyond LA_RESP_MAX_HEADERS headers are dropped.
 */
void la_resp_header(struct la_resp *p, const char *name, const char *value);
/* The same for value[0..len), which needs no NUL (one copy, not two). */
void la_resp_header_n(struct la_resp *p, const char *name, const char *value,
    size_t len);
/* Replaces every header of that name by one with this value. */
void la_resp_header_set(struct la_resp *p, const char *name, const char *value);
/* The value of a header, or NULL. */
const char *la_resp_header_get(const struct la_resp *p, const char *name);
/* "GET, HEAD, OPTIONS, POST" for a set of LA_M_* verbs (HEAD with GET,
 * OPTIONS always), in alphabetical order. */
void la_resp_allow(struct la_buf *b, unsigned methods);
/* Sets the Allow header for a set of verbs. */
void la_resp_allow_header(struct la_resp *p, unsigned methods);
/* How the connection goes on after the response. */
enum la_persist {
	LA_PERSIST_CLOSE,   /* "Connection: close" */
	LA_PERSIST_DEFAULT, /* HTTP/1.1 keeps the connection: nothing said */
	LA_PERSIST_SAY      /* HTTP/1.0 keep-alive: "Connection: keep-alive" */
};

/*
 * Appends the status line, the headers (Server, Date, the response's own,
 * Content-Type and Content-Length unless no_body, Connection as persist
 * says) and, unless head_only, the body to out.
 */
void la_resp_write(const struct la_resp *p, int head_only,
    enum la_persist persist, const char *date, struct la_buf *out);
/* A bare error response for a request that never reached a handler. */
void la_resp_raw_error(int status, const char *detail, const char *date,
    struct la_buf *out);
/* The same with an X-Request-Id header (request_id NULL: none). */
void la_resp_raw_error_id(int status, const char *detail,
    const char *request_id, const char *date, struct la_buf *out);

/* A strong entity tag for a body: a quoted digest, NUL-terminated. */
#define LA_ETAG_LEN 35
void la_resp_etag(const char *body, size_t len, char tag[LA_ETAG_LEN]);
/*
 * 1 when the If-Match/If-None-Match value list[0..len) names tag, or is
 * "*". weak: weak comparison (If-None-Match: W/"x" matches "x"); strong
 * comparison (If-Match) never matches a weak tag.
 */
int la_etag_match(const char *list, size_t len, const char *tag, int weak);

#endif
