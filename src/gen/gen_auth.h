/*
 * Authentication for a generation: each endpoint's backend and per-verb
 * permissions resolved as LightAPI resolves them, the settings the login
 * routes sign tokens with, and the login validator (a users file or a
 * users table joined to the catalog, hidden).
 */
#ifndef LA_GEN_AUTH_H
#define LA_GEN_AUTH_H

#include "gen_ctx.h"

/* How the login routes sign tokens. */
struct la_token {
	int alg;        /* LA_JWT_*; 0 when no endpoint uses JWT */
	int expiration; /* seconds */
	const struct la_strlist *extra_claims; /* NULL: every claim */
	const char *route; /* the endpoint the settings come from */
};

/*
 * e's authentication in au, or NULL when every verb is open; sets
 * *x->login and the token settings when e authenticates.
 */
const struct la_cat_auth *la_gen_auth_endpoint(struct la_gen_ctx *x,
    const struct la_conf_endpoint *e, struct la_cat_auth *au);
/* Loads the login validator's users file or adds its table. */
void la_gen_auth_login(struct la_gen_ctx *x);

#endif
