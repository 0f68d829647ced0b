/*
 * POST {auth_path}/login and {auth_path}/token (SPEC §8): credentials as
 * JSON or a Basic header, checked by the login validator, answered with
 * the user's claims and, when an endpoint uses JWTAuthentication, a signed
 * token. Failed attempts are throttled per client address.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "la.h"
#include "arena.h"
#include "auth.h"
#include "body.h"
#include "credentials.h"
#include "json.h"
#include "jwt.h"
#include "response.h"
#include "throttle.h"

/* One Pydantic-style item; ctx is JSON text or NULL. */
static void
login_item(struct la_buf *b, const char *type, const char *field,
    const char *msg, yajl_val input, const char *ctx)
{
	if (b->len > 0 && b->data[b->len - 1] == '}')
		la_buf_putc(b, ',');
	la_buf_printf(b,
	    "{\"type\":\"%s\",\"loc\":[\"%s\"],\"msg\":\"%s\","
	    "\"input\":",
	    type, field, msg);
	la_json_value(b, input);
	if (ctx != NULL)
		la_buf_printf(b, ",\"ctx\":%s", ctx);
	la_buf_putc(b, '}');
}

/* username or password from the body: 0, or -1 with an item in b. An
 * empty one is a validation error, as in LightAPI (min_length 1). */
static int
login_field(struct la_buf *b, yajl_val body, const char *name, const char **out)
{
	yajl_val v = la_json_get(body, name, strlen(name));

	if (v == NULL) {
		login_item(b, "missing", name, "Field required", body, NULL);
		return (-1);
	}
	if (!YAJL_IS_STRING(v)) {
		login_item(b, "string_type", name,
		    "Input should be a valid string", v, NULL);
		return (-1);
	}
	if (v->u.string[0] == '\0') {
		login_item(b, "string_too_short", name,
		    "String should have at least 1 character", v,
		    "{\"min_length\":1}");
		return (-1);
	}
	*out = v->u.string;
	return (0);
}

/*
 * The credentials: a Basic header, else the JSON body. 0 with them; 1
 * when a Basic header was sent but is malformed (bad credentials); -1
 * after answering 400 or 422.
 */
static int
login_credentials(struct la_req *r, const char **user, const char **pw)
{
	const struct la_str *h = la_http_header(r->http, "Authorization");
	struct la_buf *b = r->resp.body;
	yajl_val body;
	int bad;

	if (h != NULL && h->len >= 5 && strncasecmp(h->p, "Basic", 5) == 0)
		return (la_auth_basic(r, h, user, pw) == 0 ? 0 : 1);
	if ((body = la_body_object(r)) == NULL)
		return (-1);
	la_buf_reset(b);
	la_buf_puts(b, "{\"detail\":[");
	bad = login_field(b, body, "username", user);
	bad |= login_field(b, body, "password", pw);
	if (!bad)
		return (0);
	la_buf_puts(b, "]}");
	la_resp_fail_body(&r->resp, LA_ERR_INVALID);
	return (-1);
}

static void
login_claim(struct la_buf *out, yajl_val claims, size_t i, int *n, int *sub)
{
	la_buf_puts(out, (*n)++ ? "," : "");
	la_json_cstr(out, claims->u.object.keys[i]);
	la_buf_putc(out, ':');
	la_json_value(out, claims->u.object.values[i]);
	*sub |= strcmp(claims->u.object.keys[i], "sub") == 0;
}

/*
 * The claims a token carries: with jwt_extra_claims only those keys, or
 * every claim when none of them is there (LightAPI's fallback). Writes
 * "k":v pairs; returns how many, and whether "sub" was one.
 */
static int
login_claims(struct la_buf *out, yajl_val claims, const struct la_strlist *keep,
    int *sub)
{
	size_t i, k;
	int n = 0;

	*sub = 0;
	for (k = 0; keep != NULL && k < keep->n; k++)
		for (i = 0; i < claims->u.object.len; i++)
			if (strcmp(claims->u.object.keys[i], keep->v[k]) == 0)
				login_claim(out, claims, i, &n, sub);
	if (n > 0)
		return (n);
	for (i = 0; i < claims->u.object.len; i++)
		login_claim(out, claims, i, &n, sub);
	return (n);
}

/* The claims + sub (unless they have one) + iat + exp, signed with the
 * settings the generation chose (gen_token_settings). */
static void
login_token(struct la_req *r, const char *user, const char *claims)
{
	const struct la_token *t = &r->ctx->gen->token;
	const struct la_conf *c = r->ctx->conf;
	struct la_buf payload;
	yajl_val parsed;
	time_t now = time(NULL);
	int n = 0, sub = 0;

	parsed = la_json_parse(claims, strlen(claims), LA_JSON_MAX_DEPTH, r->a);
	la_buf_init(&payload);
	la_buf_putc(&payload, '{');
	if (parsed != NULL && YAJL_IS_OBJECT(parsed))
		n = login_claims(&payload, parsed, t->extra_claims, &sub);
	if (!sub) {
		la_buf_puts(&payload, n++ ? ",\"sub\":" : "\"sub\":");
		la_json_cstr(&payload, user);
	}
	la_buf_printf(&payload, ",\"iat\":%lld,\"exp\":%lld}", (long long)now,
	    (long long)now + t->expiration);
	la_buf_puts(r->resp.body, "\"token\":\"");
	la_jwt_sign(r->resp.body, t->alg, c->auth.jwt_secret,
	    strlen(c->auth.jwt_secret), payload.data, payload.len);
	la_buf_puts(r->resp.body, "\",");
	la_buf_free(&payload);
}

static int
login_throttled(struct la_req *r)
{
	char secs[16];
	int wait = la_throttle_wait(r->peer);

	if (wait == 0)
		return (0);
	snprintf(secs, sizeof(secs), "%d", wait);
	la_resp_header(&r->resp, "Retry-After", secs);
	la_resp_fail(&r->resp, LA_ERR_THROTTLED, "rate limit exceeded");
	return (1);
}

void
la_handler_login(struct la_req *r)
{
	const char *user, *pw, *claims;
	int rc;

	if (login_throttled(r) || (rc = login_credentials(r, &user, &pw)) < 0)
		return;
	if (rc == 0)
		rc = la_credentials_check(r->ctx, r->a, user, pw, &claims);
	else
		rc = LA_CRED_BAD;
	if (rc == LA_CRED_ERROR) {
		la_resp_fail(&r->resp, LA_ERR_UNAVAILABLE,
		    "database unavailable");
		return;
	}
	if (rc != LA_CRED_OK) {
		la_throttle_fail(r->peer);
		la_resp_fail(&r->resp, LA_ERR_UNAUTHORIZED,
		    "Invalid credentials");
		return;
	}
	la_buf_reset(r->resp.body);
	la_buf_putc(r->resp.body, '{');
	if (r->ctx->gen->token.alg != 0)
		login_token(r, user, claims);
	la_buf_puts(r->resp.body, "\"user\":");
	la_buf_puts(r->resp.body, claims);
	la_buf_putc(r->resp.body, '}');
	la_resp_json(&r->resp, 200);
}
