/*
 * A minimal TAP emitter for the unit tests: automake's tap-driver.sh reads
 * the output. Include once per test program.
 */
#ifndef LA_TAP_H
#define LA_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int __attribute__((unused, format(printf, 4, 5)))
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return (cond);
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                 \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		if (!ok(g_ == w_, __VA_ARGS__))                                \
			printf("#   got %lld, want %lld\n", g_, w_);           \
	} while (0)
#define is_str(got, want, ...)                                                 \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		int c_ = (g_ == NULL || w_ == NULL) ? g_ == w_                 \
		                                    : strcmp(g_, w_) == 0;     \
		if (!ok(c_, __VA_ARGS__))                                      \
			printf("#   got '%s'\n#  want '%s'\n",                 \
			    g_ ? g_ : "(null)", w_ ? w_ : "(null)");           \
	} while (0)

static void __attribute__((unused, format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Prints the plan at the end; returns the exit status. */
static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return (tap_failed ? 1 : 0);
}

#endif
