/*
 * Authentication and permissions of an endpoint call (SPEC §8). Runs after
 * the route and verb are known and before the body is read or any row is
 * looked up, so an anonymous client learns nothing about the data.
 */
#ifndef LA_AUTH_H
#define LA_AUTH_H

#include "catalog.h"
#include "handler.h"

/*
 * Sets r->user and r->user_id when credentials are presented and valid.
 * Returns 0 to go on, or -1 after answering 401 (missing or invalid
 * credentials, with WWW-Authenticate) or 403 (permission denied).
 */
int la_auth_check(struct la_req *r, const struct la_cat_table *t,
    unsigned verb);
/* The same for a route that is no endpoint (a canned query): au is its
 * authentication, NULL when it is open. */
int la_auth_check_with(struct la_req *r, const struct la_cat_auth *au,
    unsigned verb);
/* The pipeline's authentication phase: la_auth_check on an endpoint's or
 * a query's route; LA_PHASE_DONE after answering 401, 403 or 503. */
int la_auth_phase(struct la_req *r);
/* "user:password" from a Basic header value, decoded into the arena; -1
 * when it is not one. */
int la_auth_basic(struct la_req *r, const struct la_str *value,
    const char **user, const char **password);

#endif
