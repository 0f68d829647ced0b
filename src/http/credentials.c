/*
 * Login validators (see credentials.h). Hashes are crypt(3) strings
 * (yescrypt, bcrypt, SHA-512 ...), verified by libcrypt and compared in
 * constant time. Neither the password nor the hash is ever logged.
 */
#include <crypt.h>
#include <string.h>

#include <openssl/crypto.h>

#include "la.h"
#include "arena.h"
#include "credentials.h"
#include "crud.h"
#include "json.h"
#include "log.h"
#include "sqlb.h"

/*
 * An unknown user costs a hash too, or the answer's time would tell users
 * apart (yescrypt takes tens of milliseconds, a missing row microseconds).
 * The hash must cost what a real one costs: it is made with the settings
 * of a real hash (the users file's first, or the last one a table gave),
 * or with yescrypt's defaults, which --hash-password uses.
 */
static char credentials_dummy[CRYPT_OUTPUT_SIZE];

static void
credentials_dummy_like(const char *hash)
{
	size_t n = strlen(hash);

	if (n < sizeof(credentials_dummy) && hash[0] == '$' &&
	    strcmp(hash, credentials_dummy) != 0)
		memcpy(credentials_dummy, hash, n + 1);
}

static const char *
credentials_dummy_hash(void)
{
	if (credentials_dummy[0] == '\0' &&
	    crypt_gensalt_rn("$y$", 0, NULL, 0, credentials_dummy,
	        (int)sizeof(credentials_dummy)) == NULL)
		strcpy(credentials_dummy, "$6$lightapidummy$");
	return (credentials_dummy);
}

static int
credentials_hash_ok(const char *password, const char *hash)
{
	static struct crypt_data cd; /* 32 KiB: not on the stack */
	const char *out;
	size_t n = strlen(hash);

	memset(&cd, 0, sizeof(cd));
	out = crypt_rn(password, hash, &cd, (int)sizeof(cd));
	if (out == NULL || out[0] == '*' || strlen(out) != n)
		return (0);
	return (CRYPTO_memcmp(out, hash, n) == 0);
}

static int
credentials_file(struct la_ctx *ctx, const char *user, const char *password,
    const char **claims)
{
	const struct la_user *u =
	    la_users_find(&ctx->gen->users, user, strlen(user));

	if (u == NULL) {
		if (ctx->gen->users.n > 0)
			credentials_dummy_like(ctx->gen->users.v[0].hash);
		(void)credentials_hash_ok(password, credentials_dummy_hash());
		return (LA_CRED_BAD);
	}
	if (!credentials_hash_ok(password, u->hash))
		return (LA_CRED_BAD);
	*claims = u->claims;
	return (LA_CRED_OK);
}

/* The user's row; LA_DB_ROW with *stp positioned on it. */
static int
credentials_row(struct la_crud *x, const char *user, struct la_db_stmt **stp)
{
	const char *field = x->ctx->conf->auth.login.username_field;
	struct la_sqlb q = la_crud_sql(x);
	struct la_value key = la_value_text(user, strlen(user));

	la_sqlb_select_by(&q, x->cat, x->t,
	    la_catalog_col_index(x->cat, x->t, field, strlen(field)));
	return (la_crud_run(x, &key, 1, stp));
}

static int
credentials_table(struct la_ctx *ctx, struct la_arena *a, const char *user,
    const char *password, const char **claims)
{
	const struct la_conf_login *l = &ctx->conf->auth.login;
	struct la_req r;
	struct la_crud x;
	struct la_buf out;
	struct la_db_stmt *st;
	struct la_value hash;
	int rc, pw, ok = LA_CRED_BAD;

	memset(&r, 0, sizeof(r));
	memset(&x, 0, sizeof(x));
	la_buf_init(&out);
	r.ctx = ctx;
	r.a = a;
	la_resp_init(&r.resp, &out, a);
	r.endpoint = "login";
	x.r = &r;
	x.ctx = ctx;
	x.cat = ctx->cat;
	x.t = ctx->users_table;
	x.cols = la_catalog_cols(x.cat, x.t);
	pw = la_catalog_col_index(x.cat, x.t, l->password_field,
	    strlen(l->password_field));
	rc = credentials_row(&x, user, &st);
	if (rc == LA_DB_ROW) {
		la_db_column(st, pw, &hash);
		if (hash.kind == LA_V_TEXT)
			credentials_dummy_like(
			    la_arena_strndup(a, hash.s, hash.len));
		if (hash.kind == LA_V_TEXT &&
		    credentials_hash_ok(password,
		        la_arena_strndup(a, hash.s, hash.len))) {
			la_crud_row_out(&x, st, la_crud_projection(&x, 0));
			*claims = la_arena_strndup(a, out.data, out.len);
			ok = LA_CRED_OK;
		}
	} else if (rc == LA_DB_DONE)
		(void)credentials_hash_ok(password, credentials_dummy_hash());
	la_db_finish(st);
	la_buf_free(&out);
	if (rc < 0) {
		la_ctx_db_lost(ctx, "login validator", la_db_rawmsg(&ctx->db));
		return (LA_CRED_ERROR);
	}
	return (ok);
}

int
la_credentials_check(struct la_ctx *ctx, struct la_arena *a, const char *user,
    const char *password, const char **claims)
{
	if (ctx->users_table != NULL) {
		if (la_ctx_db(ctx) != 0)
			return (LA_CRED_ERROR);
		return (credentials_table(ctx, a, user, password, claims));
	}
	return (credentials_file(ctx, user, password, claims));
}
