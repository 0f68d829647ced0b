/*
 * The login validator: a username and password checked against the
 * configured table or users file, giving the user's claims. Used by the
 * login endpoints and by BasicAuthentication.
 */
#ifndef LA_CREDENTIALS_H
#define LA_CREDENTIALS_H

#include <stddef.h>

struct la_arena;
struct la_ctx;

#define LA_CRED_OK    1
#define LA_CRED_BAD   0
#define LA_CRED_ERROR (-1) /* the database failed: 503 */

/*
 * Checks user/password (NUL-terminated); on LA_CRED_OK *claims is the
 * user's claims as JSON object text in the arena. The password hash is
 * computed even for an unknown user, so timing does not tell users apart.
 */
int la_credentials_check(struct la_ctx *ctx, struct la_arena *a,
    const char *user, const char *password, const char **claims);

#endif
