/*
 * Date and time texts as Pydantic v2 reads them: the speedate grammar
 * ("YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][Z|±HH[:]MM]"), Unix timestamps in
 * seconds or, past 2e10, milliseconds, and speedate's error texts, which
 * LightAPI clients see in 422 items.
 *
 * A parser returns NULL on success or the reason as a static string
 * ("month value is outside expected range of 1-12"), to be put after
 * "Input should be a valid datetime, ". Texts are len bytes long; the
 * numeric forms also need s[len] == '\0', as strtod reads them.
 */
#ifndef LA_DATETIME_H
#define LA_DATETIME_H

#include <stddef.h>
#include <stdint.h>

struct la_arena;

/* Broken-down, proleptic Gregorian; tz in seconds east of UTC. */
struct la_datetime {
	int year, mon, day, hour, min, sec;
	long usec;
	int has_tz, tz;
};

/* "YYYY-MM-DD", nothing after it; the time is midnight. */
const char *la_datetime_parse_date(const char *s, size_t len,
    struct la_datetime *tm);
/* "HH:MM[:SS[.f…]][Z|±HH[:]MM]"; fractions beyond microseconds are
 * truncated. The date is left zero. */
const char *la_datetime_parse_time(const char *s, size_t len,
    struct la_datetime *tm);
/* A date, a separator (T, t, _ or space) and a time as above. */
const char *la_datetime_parse(const char *s, size_t len,
    struct la_datetime *tm);
/* Pydantic's lax datetime: a datetime, a timestamp written as a number
 * ("-12", "12.5") or a bare date; the error is the date parser's. */
const char *la_datetime_parse_lax(const char *s, size_t len,
    struct la_datetime *tm);

/* 1 when s is "-12" or "12.5" (digits, optional '-' and '.'), as speedate
 * decides whether to read a timestamp. */
int la_datetime_is_number(const char *s, size_t len);
/* A Unix timestamp, integer or not, between the years 1600 and 9999. */
const char *la_datetime_from_unix(const char *s, size_t len,
    struct la_datetime *tm);
/* Seconds since midnight (0 <= s < 86400, NUL-terminated), as a time. */
const char *la_datetime_from_seconds(const char *s, struct la_datetime *tm);

/* Seconds since the epoch of the fields (tz ignored), and back; the
 * date and the time of day are set, usec and tz are left alone. */
int64_t la_datetime_epoch(const struct la_datetime *tm);
void la_datetime_from_epoch(int64_t sec, struct la_datetime *tm);
/* Moves an aware time to UTC (has_tz becomes 0); -1 when the date leaves
 * the years 1-9999. */
int la_datetime_to_utc(struct la_datetime *tm);

/* "YYYY-MM-DDTHH:MM:SS", with ".ffffff" only when usec is not 0. */
const char *la_datetime_format(const struct la_datetime *tm,
    struct la_arena *a);

#endif
