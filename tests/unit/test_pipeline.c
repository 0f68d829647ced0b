/*
 * The request pipeline and the handlers driven without a process or a
 * socket: a context is built in the test from a generated configuration
 * (SQLite in a temporary directory), requests are parsed from raw text
 * and the response model is checked, then serialised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "ctx.h"
#include "gen.h"
#include "jwt.h"
#include "la.h"
#include "pipeline.h"
#include "tap.h"

#define SECRET "pipeline-secret"

static char tmpdir[] = "/tmp/test_pipeline.XXXXXX";
static struct la_ctx ctx;
static struct la_arena *arena;
static struct la_buf body;
static struct la_http_req http;
static struct la_req req;

static const char config[] =
    "database: {url: \"sqlite:///%s/t.db\"}\n"
    "cors_origins: [\"https://app.example\"]\n"
    "auth: {jwt_secret: " SECRET "}\n"
    "endpoints:\n"
    "  - route: /items\n"
    "    fields:\n"
    "      name: {type: str, max_length: 5}\n"
    "    meta: {methods: [GET, POST, DELETE]}\n"
    "  - route: /private\n"
    "    fields:\n"
    "      name: {type: str}\n"
    "    meta:\n"
    "      authentication: {backend: JWTAuthentication}\n";

/* Parses "METHOD target" plus extra header lines and runs the pipeline. */
static const struct la_resp *
serve(const char *method, const char *target, const char *headers,
    const char *json)
{
	static char raw[4096];
	int status, n;

	la_arena_reset(arena);
	n = snprintf(raw, sizeof(raw), "%s %s HTTP/1.1\r\nHost: t\r\n%s\r\n",
	    method, target, headers ? headers : "");
	memset(&http, 0, sizeof(http));
	if (la_http_parse_head(raw, (size_t)n, sizeof(raw), &http, &status) <=
	    0)
		return (NULL);
	memset(&req, 0, sizeof(req));
	req.ctx = &ctx;
	req.http = &http;
	req.body = json;
	req.body_len = json ? strlen(json) : 0;
	req.a = arena;
	req.peer = "127.0.0.1";
	req.head_only = http.method_id == LA_M_HEAD;
	la_resp_init(&req.resp, &body, arena);
	la_pipeline_run(&req);
	return (&req.resp);
}

/* The body as a C string. */
static const char *
text(const struct la_resp *p)
{
	static char s[4096];
	size_t n = p->body->len < sizeof(s) - 1 ? p->body->len : sizeof(s) - 1;

	memcpy(s, p->body->data ? p->body->data : "", n);
	s[n] = '\0';
	return (s);
}

static void
test_routes(void)
{
	const struct la_resp *p;

	p = serve("GET", "/healthz", NULL, NULL);
	is_int(p->status, 200, "/healthz is 200");
	is_str(text(p), "{\"status\":\"ok\"}", "/healthz body");
	is_int(p->ctype, LA_CT_JSON, "/healthz is JSON");
	p = serve("GET", "/readyz", NULL, NULL);
	is_int(p->status, 200, "/readyz is 200 with the database there");
	p = serve("GET", "/nowhere", NULL, NULL);
	is_int(p->status, 404, "unknown path is 404");
	is_str(text(p), "{\"detail\":\"not found\"}", "404 body");
	p = serve("GET", "/items/abc", NULL, NULL);
	is_int(p->status, 404, "a non-integer id names no row");
	p = serve("GET", "/items/-1", NULL, NULL);
	is_int(p->status, 404, "a signed id names no row");
	p = serve("GET", "/%zz", NULL, NULL);
	is_int(p->status, 400, "a path that does not decode is 400");
	p = serve("POST", "/healthz", NULL, NULL);
	is_int(p->status, 405, "POST /healthz is 405");
	is_str(la_resp_header_get(p, "Allow"), "GET, HEAD, OPTIONS",
	    "405 on /healthz lists its verbs");
	is_str(text(p), "{\"detail\":\"Method Not Allowed. Allowed: GET\"}",
	    "405 body");
}

static void
test_crud(void)
{
	const struct la_resp *p;

	p = serve("POST", "/items", NULL, "{\"name\":\"pen\"}");
	is_int(p->status, 201, "POST creates");
	ok(strstr(text(p), "\"name\":\"pen\"") != NULL, "the row comes back");
	p = serve("GET", "/items/1", NULL, NULL);
	is_int(p->status, 200, "GET the row");
	ok(strstr(text(p), "\"id\":1") != NULL, "with its id");
	p = serve("POST", "/items", NULL, "{\"name\":\"toolong\"}");
	is_int(p->status, 422, "validation failure is 422");
	ok(strstr(text(p), "string_too_long") != NULL, "with the item");
	p = serve("POST", "/items", NULL, "[1]");
	is_int(p->status, 400, "an array body is 400");
	p = serve("PUT", "/items/1", NULL, "{\"name\":\"x\",\"version\":1}");
	is_int(p->status, 405, "PUT is not served");
	is_str(la_resp_header_get(p, "Allow"), "DELETE, GET, HEAD, OPTIONS",
	    "Allow of the detail route");
	p = serve("DELETE", "/items/1", NULL, NULL);
	is_int(p->status, 204, "DELETE");
	ok(p->no_body, "204 has no body");
	p = serve("DELETE", "/items/1", NULL, NULL);
	is_int(p->status, 404, "DELETE again is 404");
	p = serve("OPTIONS", "/items", NULL, NULL);
	is_int(p->status, 204, "OPTIONS is 204");
	is_str(la_resp_header_get(p, "Allow"), "GET, HEAD, OPTIONS, POST",
	    "OPTIONS lists the collection's verbs");
}

static void
test_cors(void)
{
	const struct la_resp *p;

	p = serve("OPTIONS", "/items",
	    "Origin: https://app.example\r\n"
	    "Access-Control-Request-Method: POST\r\n",
	    NULL);
	is_int(p->status, 204, "preflight is 204");
	is_str(la_resp_header_get(p, "Access-Control-Allow-Methods"),
	    "GET, HEAD, OPTIONS, POST", "preflight lists the verbs");
	is_str(la_resp_header_get(p, "Access-Control-Allow-Origin"),
	    "https://app.example", "the origin is echoed");
	p = serve("GET", "/nowhere", "Origin: https://app.example\r\n", NULL);
	is_int(p->status, 404, "404 from an allowed origin");
	is_str(la_resp_header_get(p, "Vary"), "Origin",
	    "CORS headers on errors too");
	p = serve("GET", "/healthz", "Origin: https://evil.example\r\n", NULL);
	is_str(la_resp_header_get(p, "Access-Control-Allow-Origin"), NULL,
	    "an unlisted origin gets no CORS header");
}

static void
test_auth(void)
{
	const struct la_resp *p;
	struct la_buf tok, hdr;

	p = serve("GET", "/private", NULL, NULL);
	is_int(p->status, 401, "a backend alone requires credentials");
	is_str(la_resp_header_get(p, "WWW-Authenticate"), "Bearer",
	    "with the challenge");
	p = serve("OPTIONS", "/private", "Authorization: Bearer junk\r\n",
	    NULL);
	is_int(p->status, 204, "OPTIONS needs no credentials");
	la_buf_init(&tok);
	la_buf_init(&hdr);
	la_jwt_sign(&tok, LA_JWT_HS256, SECRET, strlen(SECRET),
	    "{\"sub\":\"ann\"}", 13);
	la_buf_printf(&hdr, "Authorization: Bearer %s\r\n", tok.data);
	p = serve("GET", "/private", hdr.data, NULL);
	is_int(p->status, 200, "a valid token passes");
	is_str(req.user_id, "ann", "the caller is known to the handler");
	la_buf_free(&tok);
	la_buf_free(&hdr);
}

int
main(void)
{
	/* As root (CI), the workers this configuration would fork must be
	 * allowed to stay root: none is forked here. */
	struct la_overrides ov = {-1, NULL, NULL, "root", 0};
	struct la_buf errs;
	struct la_gen *g;
	char path[256];
	FILE *fp;

	if (mkdtemp(tmpdir) == NULL)
		return (1);
	snprintf(path, sizeof(path), "%s/lightapi.yaml", tmpdir);
	if ((fp = fopen(path, "w")) == NULL)
		return (1);
	fprintf(fp, config, tmpdir);
	fclose(fp);
	la_buf_init(&errs);
	if ((g = la_gen_build(path, &ov, &errs)) == NULL) {
		diag("%s", errs.data);
		return (1);
	}
	if (!ok(la_ctx_init(&ctx, g, g->cat, &errs) == 0,
	        "a context is built without a worker"))
		return (done_testing());
	arena = la_arena_new(4096);
	la_buf_init(&body);
	test_routes();
	test_crud();
	test_cors();
	test_auth();
	la_ctx_free(&ctx);
	la_gen_free(g);
	la_arena_free(arena);
	la_buf_free(&body);
	la_buf_free(&errs);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmpdir);
	if (system(path) != 0)
		diag("could not remove %s", tmpdir);
	return (done_testing());
}
