/*
 * Fuzz target for lib/datetime.c (libFuzzer, or replayed by make check
 * with -DLA_FUZZ_REPLAY). Beyond crashes it checks what a sanitizer
 * cannot see: every accepted text yields fields in range, a date is
 * accepted only in its one canonical spelling, the stored format parses
 * back to the same instant and prints the same again, and the calendar's
 * day count and its inverse agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "datetime.h"
#include "la.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_mdays(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};
	int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);

	return (m == 2 && leap ? 29 : days[m - 1]);
}

static void
fuzz_time_ok(const struct la_datetime *tm)
{
	LA_ASSERT(tm->hour >= 0 && tm->hour <= 23);
	LA_ASSERT(tm->min >= 0 && tm->min <= 59);
	LA_ASSERT(tm->sec >= 0 && tm->sec <= 59);
	LA_ASSERT(tm->usec >= 0 && tm->usec < 1000000);
	LA_ASSERT(tm->has_tz == 0 || tm->has_tz == 1);
	LA_ASSERT(tm->tz > -86400 && tm->tz < 86400);
	LA_ASSERT(tm->has_tz || tm->tz == 0);
}

static void
fuzz_date_ok(const struct la_datetime *tm)
{
	LA_ASSERT(tm->year >= 1 && tm->year <= 9999);
	LA_ASSERT(tm->mon >= 1 && tm->mon <= 12);
	LA_ASSERT(tm->day >= 1 && tm->day <= fuzz_mdays(tm->year, tm->mon));
}

/* The stored text reads back as the same fields and prints the same. */
static void
fuzz_roundtrip(const struct la_datetime *tm, struct la_arena *a)
{
	struct la_datetime back;
	const char *s = la_datetime_format(tm, a), *again;

	LA_ASSERT(la_datetime_parse(s, strlen(s), &back) == NULL);
	LA_ASSERT(back.year == tm->year && back.mon == tm->mon &&
	          back.day == tm->day && back.hour == tm->hour &&
	          back.min == tm->min && back.sec == tm->sec &&
	          back.usec == tm->usec && !back.has_tz);
	again = la_datetime_format(&back, a);
	LA_ASSERT(strcmp(s, again) == 0);
}

/* s is data as given (no terminator, so over-reads show), z the same
 * bytes terminated, for the lax parser, which may read a timestamp. */
static void
fuzz_texts(const char *s, const char *z, size_t n, struct la_arena *a)
{
	struct la_datetime tm;
	const char *d;

	if (la_datetime_parse(s, n, &tm) == NULL) {
		fuzz_date_ok(&tm);
		fuzz_time_ok(&tm);
		fuzz_roundtrip(&tm, a);
		if (la_datetime_to_utc(&tm) == 0) {
			LA_ASSERT(!tm.has_tz || tm.tz == 0);
			fuzz_date_ok(&tm);
			fuzz_roundtrip(&tm, a);
		}
	}
	if (la_datetime_parse_date(s, n, &tm) == NULL) {
		fuzz_date_ok(&tm);
		d = la_arena_printf(a, "%04d-%02d-%02d", tm.year, tm.mon,
		    tm.day);
		LA_ASSERT(n == 10 && memcmp(d, s, 10) == 0);
	}
	if (la_datetime_parse_time(s, n, &tm) == NULL) {
		fuzz_time_ok(&tm);
		LA_ASSERT(tm.year == 0 && tm.mon == 0 && tm.day == 0);
	}
	if (la_datetime_parse_lax(z, n, &tm) == NULL) {
		fuzz_date_ok(&tm);
		fuzz_time_ok(&tm);
	}
}

/* The numeric forms read with strtod, so they get a terminated copy. */
static void
fuzz_numbers(const char *s, struct la_arena *a)
{
	struct la_datetime tm;
	size_t n = strlen(s);

	if (la_datetime_is_number(s, n) &&
	    la_datetime_from_unix(s, n, &tm) == NULL) {
		LA_ASSERT(tm.year >= 1600 && tm.year <= 9999);
		fuzz_date_ok(&tm);
		fuzz_time_ok(&tm);
		fuzz_roundtrip(&tm, a);
	}
	if (la_datetime_from_seconds(s, &tm) == NULL) {
		LA_ASSERT(tm.year == 1970 && tm.mon == 1 && tm.day == 1);
		fuzz_time_ok(&tm);
	}
}

/* Any second of the years 1-9999 goes to fields and back unchanged. */
static void
fuzz_calendar(const uint8_t *data, size_t size)
{
	const int64_t lo = INT64_C(-62135596800), hi = INT64_C(253402300799);
	struct la_datetime tm;
	uint64_t u = 0;
	int64_t t;
	size_t i;

	for (i = 0; i < size && i < 8; i++)
		u = u << 8 | data[i];
	t = lo + (int64_t)(u % (uint64_t)(hi - lo + 1));
	memset(&tm, 0, sizeof(tm));
	la_datetime_from_epoch(t, &tm);
	fuzz_date_ok(&tm);
	fuzz_time_ok(&tm);
	LA_ASSERT(la_datetime_epoch(&tm) == t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct la_arena *a = la_arena_new(4096);
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_texts((const char *)data, s, size, a);
	fuzz_numbers(s, a);
	fuzz_calendar(data, size);
	free(s);
	la_arena_free(a);
	return (0);
}

#ifdef LA_FUZZ_REPLAY
#include "replay_main.h"
#endif
