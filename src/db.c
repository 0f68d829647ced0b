/*
 * Driver selection and connection set-up. Which drivers exist is decided at
 * build time (configure finds the client libraries); a URL naming a
 * database whose driver was left out gets a clear error, not a crash.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "arena.h"

static const struct la_db_driver *const db_drivers[] = {
#ifdef HAVE_SQLITE
    &la_db_sqlite_driver,
#endif
#ifdef HAVE_PGSQL
    &la_db_pgsql_driver,
#endif
#ifdef HAVE_MYSQL
    &la_db_mysql_driver,
#endif
    NULL};

/* Built by the preprocessor so -V needs no buffer; the first byte is ' '. */
static const char db_names[] = ""
#ifdef HAVE_SQLITE
                               " sqlite"
#endif
#ifdef HAVE_PGSQL
                               " postgresql"
#endif
#ifdef HAVE_MYSQL
                               " mysql"
#endif
    ;

const struct la_db_driver *
la_db_driver_for(enum la_dbkind kind)
{
	size_t i;

	for (i = 0; db_drivers[i] != NULL; i++)
		if (db_drivers[i]->kind == kind)
			return (db_drivers[i]);
	return (NULL);
}

const char *
la_db_drivers(void)
{
	return (db_names[0] == '\0' ? db_names : db_names + 1);
}

static const char *
db_kind_name(enum la_dbkind kind)
{
	switch (kind) {
	case LA_DB_SQLITE:
		return ("sqlite");
	case LA_DB_PGSQL:
		return ("postgresql");
	case LA_DB_MYSQL:
		return ("mysql");
	}
	return ("unknown database");
}

/* The parsed URL holds the password: do not leave it in freed memory. */
static void
db_wipe(const char *s)
{
	volatile char *p = (volatile char *)s;

	if (p == NULL)
		return;
	while (*p != '\0')
		*p++ = '\0';
}

int
la_db_connect(struct la_db_conn *c, const char *url, char *err, size_t errlen)
{
	struct la_arena *a = la_arena_new(1024);
	struct la_dburl u;
	const struct la_db_driver *drv;
	int rc = -1;

	c->drv = NULL;
	c->db = NULL;
	memset(&u, 0, sizeof(u));
	if (la_dburl_parse(url, &u, a, err, errlen) == -1)
		goto done;
	if ((drv = la_db_driver_for(u.kind)) == NULL) {
		snprintf(err, errlen, "no driver for %s in this build",
		    db_kind_name(u.kind));
		goto done;
	}
	if ((c->db = drv->open(&u, err, errlen)) == NULL)
		goto done;
	c->drv = drv;
	rc = 0;
done:
	db_wipe(u.password);
	la_arena_free(a);
	return (rc);
}

void
la_db_disconnect(struct la_db_conn *c)
{
	if (c->drv != NULL && c->db != NULL)
		c->drv->close(c->db);
	c->drv = NULL;
	c->db = NULL;
}

static struct la_shmlock *db_write_lock;

void
la_db_set_write_lock(struct la_shmlock *m)
{
	db_write_lock = m;
}

struct la_shmlock *
la_db_write_lock(void)
{
	return (db_write_lock);
}
