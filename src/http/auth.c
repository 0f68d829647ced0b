/*
 * Request authentication (see auth.h). Every failure gets the same 401
 * body: which check failed goes to the debug log at most, never to the
 * client, and secrets never go anywhere.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "la.h"
#include "arena.h"
#include "auth.h"
#include "credentials.h"
#include "json.h"
#include "jwt.h"
#include "response.h"
#include "pipeline.h"

static void
auth_unauthorized(struct la_req *r, uint32_t backend)
{
	la_resp_header(&r->resp, "WWW-Authenticate",
	    backend == LA_AUTH_BASIC ? "Basic realm=\"lightapi\"" : "Bearer");
	la_resp_fail(&r->resp, LA_ERR_UNAUTHORIZED,
	    "Authentication credentials invalid.");
}

/* The credentials after "Scheme " when the header uses that scheme. */
static int
auth_scheme(const struct la_str *h, const char *scheme, struct la_str *cred)
{
	size_t n = strlen(scheme);

	if (h->len <= n || strncasecmp(h->p, scheme, n) != 0 || h->p[n] != ' ')
		return (-1);
	*cred = la_str_trim((struct la_str){h->p + n + 1, h->len - n - 1});
	return (cred->len > 0 ? 0 : -1);
}

/* sub as text (string or number), for cache keys and logs. */
static const char *
auth_subject(struct la_req *r, yajl_val payload)
{
	yajl_val sub = la_json_get(payload, "sub", 3);

	if (sub == NULL)
		return (NULL);
	if (YAJL_IS_STRING(sub))
		return (sub->u.string);
	if (YAJL_IS_NUMBER(sub))
		return (la_arena_strdup(r->a, YAJL_GET_NUMBER(sub)));
	return (NULL);
}

static int
auth_jwt(struct la_req *r, const struct la_str *h, int alg)
{
	const struct la_conf *c = r->ctx->conf;
	struct la_str tok;
	yajl_val payload;

	if (auth_scheme(h, "Bearer", &tok) != 0)
		return (-1);
	if (la_jwt_verify(tok.p, tok.len, alg, c->auth.jwt_secret,
	        strlen(c->auth.jwt_secret), (int64_t)time(NULL),
	        c->auth.jwt_leeway, r->a, &payload) != LA_JWT_OK)
		return (-1);
	r->user = payload;
	r->user_id = auth_subject(r, payload);
	return (0);
}

int
la_auth_basic(struct la_req *r, const struct la_str *h, const char **user,
    const char **password)
{
	struct la_str cred;
	unsigned char *raw;
	char *colon;
	int n;

	if (auth_scheme(h, "Basic", &cred) != 0 || cred.len % 4 != 0 ||
	    cred.len > 4096)
		return (-1);
	raw = la_arena_alloc(r->a, cred.len / 4 * 3 + 1);
	n = EVP_DecodeBlock(raw, (const unsigned char *)cred.p, (int)cred.len);
	if (n < 0)
		return (-1);
	/* EVP_DecodeBlock counts the bytes the padding stands for. */
	n -= (cred.p[cred.len - 1] == '=') + (cred.p[cred.len - 2] == '=');
	raw[n] = '\0';
	if (memchr(raw, '\0', (size_t)n) != NULL ||
	    (colon = strchr((char *)raw, ':')) == NULL)
		return (-1);
	*colon = '\0';
	*user = (const char *)raw;
	*password = colon + 1;
	return (0);
}

/* -1 invalid, -2 the validator's database failed (503 answered). */
static int
auth_basic_user(struct la_req *r, const struct la_str *h)
{
	const char *user, *password, *claims;
	int rc;

	if (la_auth_basic(r, h, &user, &password) != 0)
		return (-1);
	rc = la_credentials_check(r->ctx, r->a, user, password, &claims);
	if (rc == LA_CRED_ERROR) {
		la_resp_fail(&r->resp, LA_ERR_UNAVAILABLE,
		    "database unavailable");
		return (-2);
	}
	if (rc != LA_CRED_OK)
		return (-1);
	r->user =
	    la_json_parse(claims, strlen(claims), LA_JSON_MAX_DEPTH, r->a);
	r->user_id = user;
	return (r->user != NULL ? 0 : -1);
}

static int
auth_is_admin(const struct la_req *r)
{
	yajl_val v = la_json_get(r->user, "is_admin", 8);

	return (v != NULL && YAJL_IS_TRUE(v));
}

int
la_auth_check(struct la_req *r, const struct la_cat_table *t, unsigned verb)
{
	return (la_auth_check_with(r, la_catalog_auth(r->ctx->cat, t), verb));
}

int
la_auth_check_with(struct la_req *r, const struct la_cat_auth *au,
    unsigned verb)
{
	const struct la_str *h;
	int vi = la_verb_index(verb), rc;

	if (au == NULL || vi < 0 || au->backend[vi] == LA_AUTH_NONE)
		return (0);
	h = la_http_header(r->http, "Authorization");
	if (h == NULL) {
		if (au->permission[vi] == LA_PERM_ALLOWANY)
			return (0);
		auth_unauthorized(r, au->backend[vi]);
		return (-1);
	}
	rc = au->backend[vi] == LA_AUTH_BASIC
	         ? auth_basic_user(r, h)
	         : auth_jwt(r, h, (int)au->jwt_alg);
	if (rc == -2)
		return (-1);
	if (rc != 0) {
		auth_unauthorized(r, au->backend[vi]);
		return (-1);
	}
	if (au->permission[vi] == LA_PERM_ADMIN && !auth_is_admin(r)) {
		la_resp_fail(&r->resp, LA_ERR_FORBIDDEN,
		    "You do not have permission to perform this action.");
		return (-1);
	}
	return (0);
}

int
la_auth_phase(struct la_req *r)
{
	/* OPTIONS never needs credentials: browsers send preflights
	 * without them. */
	if (r->verb == LA_M_OPTIONS)
		return (LA_PHASE_NEXT);
	if (r->route->kind == LA_ROUTE_QUERY)
		return (la_auth_check_with(r, r->route->q->auth, r->verb) == 0
		            ? LA_PHASE_NEXT
		            : LA_PHASE_DONE);
	if (r->route->kind != LA_ROUTE_ENDPOINT)
		return (LA_PHASE_NEXT);
	return (la_auth_check(r, r->route->t, r->verb) == 0 ? LA_PHASE_NEXT
	                                                    : LA_PHASE_DONE);
}
