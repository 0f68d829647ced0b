/*
 * The OpenAPI 3.1 document of a generation, written from the schema
 * catalog alone (plus the few settings below): every route with exactly
 * the verbs it serves, request and response schemas per endpoint, the
 * query parameters each list route reads, the error responses and the
 * security each operation resolves to. The master writes it once per
 * generation; workers serve the text as it is.
 */
#ifndef LA_OPENAPI_H
#define LA_OPENAPI_H

#include "buf.h"
#include "catalog.h"

struct la_openapi_conf {
	const char *title;   /* info.title (swagger_title) */
	const char *version; /* info.version */
	/* The login routes, "{auth_path}/login" and "/token"; NULL: none. */
	const char *auth_path;
	int login_token;  /* the login routes return a JWT */
	int rate_limited; /* every operation may answer 429 */
	int etags;        /* writes take If-Match (412 on a mismatch) */
	/* Canned queries, one table each (route, methods, authentication,
	 * parameters as columns, LA_TBL_WRITE, page_style); NULL: none. */
	const struct la_catalog *queries;
};

/*
 * Appends the document for catalog c, compact JSON, to out. Endpoints are
 * named after their routes ("/api/books" → "api_books"): operationIds are
 * list_, create_, retrieve_, replace_ (PUT), update_ (PATCH) and delete_
 * followed by that name, and login and token for the login routes.
 */
void la_openapi_write(const struct la_catalog *c,
    const struct la_openapi_conf *oc, struct la_buf *out);

#endif
