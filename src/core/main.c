/*
 * lightapid: command line, configuration test, and hand-over to the
 * master. Exit codes: 0 ok, 1 configuration or start-up error, 2 usage.
 */
#include <crypt.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "gen.h"
#include "log.h"
#include "master.h"

#ifndef LA_CONF_PATH
#define LA_CONF_PATH "/etc/lightapi.yaml"
#endif

struct main_opts {
	const char *conf;
	int test, dump, foreground;
	struct la_overrides ov;
};

/* What -V says of the response cache's tiers. */
#ifdef HAVE_REDIS
#define MAIN_CACHE_TIERS "shared memory, redis"
#else
#define MAIN_CACHE_TIERS "shared memory (built without hiredis: no redis)"
#endif

static void
main_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: lightapid [-c file] [-t] [-T] [-f] [-p pidfile] [-w "
	    "workers]\n"
	    "                 [-l addr:port] [-u user] [-V] [-h]\n"
	    "       lightapid --hash-password\n"
	    "\n"
	    "  -c file       configuration file (default %s)\n"
	    "  -t            test the configuration and exit\n"
	    "  -T            test, then print the effective configuration\n"
	    "                and the route table\n"
	    "  -f            stay in the foreground\n"
	    "  -p pidfile    override server.pid_file\n"
	    "  -w workers    override server.workers\n"
	    "  -l addr:port  override server.listen\n"
	    "  -u user       override server.user (-u root: run the workers\n"
	    "                as root, which a start as root refuses without)\n"
	    "  -V            print the version and the compiled drivers\n"
	    "  -h            print this help\n"
	    "  --hash-password  read a password on standard input and print\n"
	    "                its crypt(3) hash\n",
	    LA_CONF_PATH);
}

static int
main_workers(const char *s)
{
	char *end;
	long n;

	if (strcmp(s, "auto") == 0)
		return (0);
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < 1 || n > 256)
		return (-1);
	return ((int)n);
}

static int
main_parse(int argc, char **argv, struct main_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->conf = LA_CONF_PATH;
	o->ov.workers = -1;
	while ((ch = getopt(argc, argv, "c:tTfp:w:l:u:Vh")) != -1) {
		switch (ch) {
		case 'c':
			o->conf = optarg;
			break;
		case 't':
			o->test = o->ov.test = 1;
			break;
		case 'T':
			o->test = o->dump = o->ov.test = 1;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'u':
			o->ov.user = optarg;
			break;
		case 'p':
			o->ov.pid_file = optarg;
			break;
		case 'w':
			if ((o->ov.workers = main_workers(optarg)) < 0) {
				fprintf(stderr, "lightapid: -w takes a number "
				                "from 1 to 256 or 'auto'\n");
				return (-1);
			}
			break;
		case 'l':
			o->ov.listen = optarg;
			break;
		case 'V':
			printf("lightapid %s\ndrivers: %s\ncache: %s\n",
			    PACKAGE_VERSION, la_db_drivers(), MAIN_CACHE_TIERS);
			exit(0);
		case 'h':
			main_usage(stdout);
			exit(0);
		default:
			main_usage(stderr);
			return (-1);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "lightapid: unexpected argument '%s'\n",
		    argv[optind]);
		return (-1);
	}
	return (0);
}

/* Reads one line without echo when stdin is a terminal. */
static int
main_read_password(char *buf, size_t len)
{
	struct termios old, quiet;
	int tty = isatty(0) && tcgetattr(0, &old) == 0;
	size_t n;

	if (tty) {
		fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		buf[0] = '\0';
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (n > 0 ? 0 : -1);
}

static int
main_hash_password(void)
{
	struct crypt_data cd;
	char pw[1024], *salt, *hash;

	if (main_read_password(pw, sizeof(pw)) != 0) {
		fprintf(stderr, "lightapid: empty password\n");
		return (1);
	}
	memset(&cd, 0, sizeof(cd));
	salt =
	    crypt_gensalt_rn("$y$", 0, NULL, 0, cd.setting, sizeof(cd.setting));
	hash = salt ? crypt_r(pw, salt, &cd) : NULL;
	explicit_bzero(pw, sizeof(pw));
	if (hash == NULL || hash[0] == '*') {
		fprintf(stderr, "lightapid: crypt failed\n");
		return (1);
	}
	printf("%s\n", hash);
	return (0);
}

int
main(int argc, char **argv)
{
	struct main_opts o;
	struct la_gen *g;
	struct la_buf errs;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--hash-password") == 0)
		return (main_hash_password());
	if (main_parse(argc, argv, &o) != 0)
		return (2);
	la_buf_init(&errs);
	g = la_gen_build(o.conf, &o.ov, &errs);
	if (g == NULL) {
		fputs(errs.len ? errs.data
		               : "lightapid: configuration failed\n",
		    stderr);
		if (o.test)
			fprintf(stderr,
			    "lightapid: configuration file %s test "
			    "failed\n",
			    o.conf);
		la_buf_free(&errs);
		return (1);
	}
	la_buf_free(&errs);
	if (o.test) {
		fputs(g->warnings.data ? g->warnings.data : "", stderr);
		if (o.dump) {
			la_buf_init(&errs);
			la_conf_dump(g->conf, &errs);
			fputs(errs.len ? errs.data : "", stdout);
			la_buf_free(&errs);
			la_gen_dump_routes(g, stdout);
		}
		fprintf(stderr,
		    "lightapid: configuration file %s test is "
		    "successful\n",
		    o.conf);
		la_gen_free(g);
		return (0);
	}
	la_log_set_owner(g->conf->server.user, g->conf->server.group);
	if (la_log_open(g->conf->server.error_log,
	        g->conf->server.access_log) != 0)
		return (1);
	rc = la_master_run(g, o.foreground, o.conf, &o.ov);
	return (rc);
}
