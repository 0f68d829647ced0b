/*
 * Unit tests for lib/xalloc.c: zero-size requests still return memory,
 * calloc zeroes, realloc keeps the contents, strndup stops at n, and a
 * request that cannot be met (including n * size overflowing) aborts
 * instead of returning NULL. The aborting calls run in a child process.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xalloc.h"

static void
test_basic(void)
{
	unsigned char *p;
	char *s;
	size_t i, nz = 0;

	p = la_xmalloc(0);
	ok(p != NULL, "xmalloc(0) is not NULL");
	free(p);
	p = la_xcalloc(0, 0);
	ok(p != NULL, "xcalloc(0, 0) is not NULL");
	free(p);
	p = la_xcalloc(1000, 4);
	for (i = 0; i < 4000; i++)
		nz += p[i] != 0;
	is_int(nz, 0, "xcalloc zeroes");
	memset(p, 'x', 4000);
	p = la_xrealloc(p, 100000);
	for (i = 0, nz = 0; i < 4000; i++)
		nz += p[i] != 'x';
	is_int(nz, 0, "xrealloc keeps the contents");
	p = la_xrealloc(p, 0);
	ok(p != NULL, "xrealloc to 0 still returns memory");
	free(p);
	p = la_xrealloc(NULL, 16);
	ok(p != NULL, "xrealloc(NULL) allocates");
	free(p);

	s = la_xstrdup("hello");
	is_str(s, "hello", "xstrdup");
	free(s);
	s = la_xstrndup("hello", 3);
	is_str(s, "hel", "xstrndup stops at n");
	free(s);
	s = la_xstrndup("a\0b", 3);
	ok(s[0] == 'a' && s[1] == '\0' && s[2] == 'b' && s[3] == '\0',
	    "xstrndup copies n bytes, NULs included, and terminates");
	free(s);
	s = la_xstrndup("", 0);
	is_str(s, "", "empty");
	free(s);
}

/*
 * Runs fn in a child with stderr captured; returns how it ended. Under
 * AddressSanitizer the allocator reports the bad request itself, so only
 * an abnormal end is checked there.
 */
static int
child(void (*fn)(void), char *msg, size_t msglen)
{
	char path[] = "/tmp/test_xalloc.XXXXXX";
	int fd, status;
	ssize_t n;
	pid_t pid;

	fd = mkstemp(path);
	if (fd == -1)
		return (-1);
	unlink(path);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(fd, 2);
		signal(SIGABRT, SIG_DFL);
		fn();
		_exit(0); /* not reached when fn aborts as it must */
	}
	waitpid(pid, &status, 0);
	n = pread(fd, msg, msglen - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	close(fd);
	return (status);
}

static void
big_malloc(void)
{
	free(la_xmalloc(SIZE_MAX - 16));
}

static void
big_calloc(void)
{
	/* n * size overflows: calloc must refuse, never wrap around. */
	free(la_xcalloc(SIZE_MAX / 2 + 2, 2));
}

static void
big_realloc(void)
{
	free(la_xrealloc(NULL, SIZE_MAX - 16));
}

/* gcc says ASan is on with a macro, clang through __has_feature. */
#if !defined(LA_TEST_ASAN) && defined(__SANITIZE_ADDRESS__)
#define LA_TEST_ASAN 1
#endif
#if !defined(LA_TEST_ASAN) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LA_TEST_ASAN 1
#endif
#endif

static void
check_abort(void (*fn)(void), const char *what)
{
	char msg[4096];
	int status = child(fn, msg, sizeof(msg));

#ifdef LA_TEST_ASAN
	ok(status != -1 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0),
	    "%s: does not return", what);
#else
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "%s: aborts",
	    what);
	ok(strstr(msg, "out of memory allocating") != NULL,
	    "%s: says why on stderr", what);
#endif
}

int
main(void)
{
	test_basic();
	check_abort(big_malloc, "xmalloc(SIZE_MAX - 16)");
	check_abort(big_calloc, "xcalloc overflowing n * size");
	check_abort(big_realloc, "xrealloc(SIZE_MAX - 16)");
	return (done_testing());
}
