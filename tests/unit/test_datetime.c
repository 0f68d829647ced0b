/*
 * Unit tests for lib/datetime.c: the speedate grammar (dates, times,
 * separators, fractions, offsets), its error texts, Unix timestamps in
 * seconds and milliseconds, the proleptic calendar (leap days, years 1 and
 * 9999), conversion to UTC and the stored format.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "datetime.h"
#include "tap.h"

static struct la_arena *arena;

/* What a datetime text is stored as, or "E:" and the reason. */
static const char *
dt(const char *s)
{
	struct la_datetime tm;
	const char *why;

	if ((why = la_datetime_parse_lax(s, strlen(s), &tm)) != NULL)
		return (la_arena_printf(arena, "E:%s", why));
	if (la_datetime_to_utc(&tm) != 0)
		return ("E:out of range");
	return (la_datetime_format(&tm, arena));
}

/* The strict datetime parser, fields and zone shown. */
static const char *
strict(const char *s)
{
	struct la_datetime tm;
	const char *why;

	if ((why = la_datetime_parse(s, strlen(s), &tm)) != NULL)
		return (la_arena_printf(arena, "E:%s", why));
	return (la_arena_printf(arena, "%s tz=%d/%d",
	    la_datetime_format(&tm, arena), tm.has_tz, tm.tz));
}

static const char *
date(const char *s)
{
	struct la_datetime tm;
	const char *why;

	if ((why = la_datetime_parse_date(s, strlen(s), &tm)) != NULL)
		return (la_arena_printf(arena, "E:%s", why));
	return (
	    la_arena_printf(arena, "%04d-%02d-%02d", tm.year, tm.mon, tm.day));
}

static const char *
tod(const char *s)
{
	struct la_datetime tm;
	const char *why;

	if ((why = la_datetime_parse_time(s, strlen(s), &tm)) != NULL)
		return (la_arena_printf(arena, "E:%s", why));
	return (la_arena_printf(arena, "%02d:%02d:%02d.%06ld tz=%d/%d", tm.hour,
	    tm.min, tm.sec, tm.usec, tm.has_tz, tm.tz));
}

static const char *
unix_ts(const char *s)
{
	struct la_datetime tm;
	const char *why;

	if ((why = la_datetime_from_unix(s, strlen(s), &tm)) != NULL)
		return (la_arena_printf(arena, "E:%s", why));
	return (la_datetime_format(&tm, arena));
}

static const char *
secs(const char *s)
{
	struct la_datetime tm;
	const char *why;

	if ((why = la_datetime_from_seconds(s, &tm)) != NULL)
		return (la_arena_printf(arena, "E:%s", why));
	return (la_datetime_format(&tm, arena));
}

static void
test_dates(void)
{
	is_str(date("2024-02-29"), "2024-02-29", "leap day in a leap year");
	is_str(date("2000-02-29"), "2000-02-29", "2000 is a leap year");
	is_str(date("2023-02-29"), "E:day value is outside expected range",
	    "no Feb 29 in 2023");
	is_str(date("1900-02-29"), "E:day value is outside expected range",
	    "1900 is not a leap year");
	is_str(date("2024-04-31"), "E:day value is outside expected range",
	    "April has 30 days");
	is_str(date("2024-12-31"), "2024-12-31", "last day of a year");
	is_str(date("2024-00-10"),
	    "E:month value is outside expected range of 1-12", "month 0");
	is_str(date("2024-13-01"),
	    "E:month value is outside expected range of 1-12", "month 13");
	is_str(date("2024-01-00"), "E:day value is outside expected range",
	    "day 0");
	is_str(date("0000-01-01"), "E:year 0 is out of range", "year 0");
	is_str(date("0001-01-01"), "0001-01-01", "year 1");
	is_str(date("9999-12-31"), "9999-12-31", "year 9999");
	is_str(date("2024-1-01"), "E:input is too short",
	    "one-digit month: nine bytes are too short");
	is_str(date("2024-1-011"), "E:invalid character in month",
	    "one-digit month");
	is_str(date("2024/01/01"), "E:invalid date separator, expected `-`",
	    "slashes");
	is_str(date("202a-01-01"), "E:invalid character in year", "year");
	is_str(date("2024-01-0x"), "E:invalid character in day", "day");
	is_str(date("2024-01"), "E:input is too short", "too short");
	is_str(date(""), "E:input is too short", "empty");
	is_str(date("2024-01-01T"),
	    "E:unexpected extra characters at the end of the input",
	    "a date alone has nothing after it");
}

static void
test_times(void)
{
	is_str(tod("07:08"), "07:08:00.000000 tz=0/0", "HH:MM");
	is_str(tod("23:59:59"), "23:59:59.000000 tz=0/0", "last second");
	is_str(tod("07:08:09.5"), "07:08:09.500000 tz=0/0",
	    "fraction padded to microseconds");
	is_str(tod("07:08:09,25"), "07:08:09.250000 tz=0/0", "comma fraction");
	is_str(tod("07:08:09.1234567890"), "07:08:09.123456 tz=0/0",
	    "digits past microseconds truncated, not rounded");
	is_str(tod("07:08:09.999999999"), "07:08:09.999999 tz=0/0",
	    "nines never round up into the next second");
	is_str(tod("07:08:09."), "E:second fraction digits missing after `.`",
	    "point without digits");
	is_str(tod("24:00"), "E:hour value is outside expected range of 0-23",
	    "hour 24");
	is_str(tod("23:60"), "E:minute value is outside expected range of 0-59",
	    "minute 60");
	is_str(tod("23:59:60"),
	    "E:second value is outside expected range of 0-59",
	    "no leap second");
	is_str(tod("7:08"), "E:input is too short", "four bytes are too short");
	is_str(tod("7:08:00"), "E:invalid character in hour", "one-digit hour");
	is_str(tod("07-08"), "E:invalid time separator, expected `:`",
	    "separator");
	is_str(tod("07:0"), "E:input is too short", "short");
	is_str(tod("07:08:"), "E:invalid character in second", "no seconds");
	is_str(tod("07:08Z"), "07:08:00.000000 tz=1/0", "Z");
	is_str(tod("07:08z"), "07:08:00.000000 tz=1/0", "lower-case z");
	is_str(tod("07:08+05:30"), "07:08:00.000000 tz=1/19800", "+05:30");
	is_str(tod("07:08+0530"), "07:08:00.000000 tz=1/19800",
	    "+0530 without a colon");
	is_str(tod("07:08-02"), "07:08:00.000000 tz=1/-7200", "hours only");
	is_str(tod("07:08\xe2\x88\x92"
	           "01:00"),
	    "07:08:00.000000 tz=1/-3600", "U+2212 minus sign");
	is_str(tod("07:08+23:59"), "07:08:00.000000 tz=1/86340",
	    "largest offset");
	is_str(tod("07:08+24:00"),
	    "E:timezone offset must be less than 24 hours", "offset 24h");
	is_str(tod("07:08+01:60"),
	    "E:timezone minute value is outside expected range of 0-59",
	    "offset minute 60");
	is_str(tod("07:08+01:"), "E:invalid timezone minute",
	    "colon without minutes");
	is_str(tod("07:08+1"), "E:invalid timezone hour", "one-digit offset");
	is_str(tod("07:08 +01:00"), "E:invalid timezone sign",
	    "space before the offset");
	is_str(tod("07:08Zx"),
	    "E:unexpected extra characters at the end of the input",
	    "junk after Z");
	is_str(tod("07:08+01:00x"),
	    "E:unexpected extra characters at the end of the input",
	    "junk after the offset");
}

static void
test_datetimes(void)
{
	is_str(strict("2024-05-06T07:08:09"), "2024-05-06T07:08:09 tz=0/0",
	    "T");
	is_str(strict("2024-05-06t07:08"), "2024-05-06T07:08:00 tz=0/0", "t");
	is_str(strict("2024-05-06_07:08"), "2024-05-06T07:08:00 tz=0/0", "_");
	is_str(strict("2024-05-06 07:08"), "2024-05-06T07:08:00 tz=0/0",
	    "space");
	is_str(strict("2024-05-06X07:08"),
	    "E:invalid datetime separator, expected `T`, `t`, `_` or space",
	    "bad separator");
	is_str(strict("2024-05-06"),
	    "E:invalid datetime separator, expected `T`, `t`, `_` or space",
	    "strict: a date alone is not a datetime");
	is_str(strict("2024-05-06T07:08:09.000001-00:30"),
	    "2024-05-06T07:08:09.000001 tz=1/-1800", "fields kept, zone aside");

	is_str(dt("2024-05-06"), "2024-05-06T00:00:00", "lax: a bare date");
	is_str(dt("2024-05-06T10:20:30+02:00"), "2024-05-06T08:20:30",
	    "to UTC");
	is_str(dt("2024-01-01T01:00:00+0530"), "2023-12-31T19:30:00",
	    "back across a year");
	is_str(dt("2024-02-28T23:30:00-01:00"), "2024-02-29T00:30:00",
	    "forward into a leap day");
	is_str(dt("2023-02-28T23:30:00-01:00"), "2023-03-01T00:30:00",
	    "forward past Feb 28 in a common year");
	is_str(dt("2024-03-01T00:30:00+01:00"), "2024-02-29T23:30:00",
	    "back into a leap day");
	is_str(dt("2024-05-06T07:08:09.120000Z"), "2024-05-06T07:08:09.120000",
	    "microseconds kept, six digits");
	is_str(dt("2024-05-06T07:08:09.000000"), "2024-05-06T07:08:09",
	    "zero microseconds not printed");
	is_str(dt("0001-01-01T00:30:00+01:00"), "E:out of range",
	    "before year 1 in UTC");
	is_str(dt("9999-12-31T23:30:00-01:00"), "E:out of range",
	    "after year 9999 in UTC");
	is_str(dt("2024-05-06T25:00"),
	    "E:unexpected extra characters at the end of the input",
	    "a bad time: the date parser's complaint, as Pydantic's");
	is_str(dt("2024-13-06T07:00"),
	    "E:month value is outside expected range of 1-12",
	    "a bad date is reported as such");
	is_str(dt("1700000000"), "2023-11-14T22:13:20", "digits: a timestamp");
	is_str(dt("-1.5"), "1969-12-31T23:59:58.500000",
	    "negative fractional timestamp");
	is_str(dt("1e9"), "E:input is too short",
	    "an exponent is not a timestamp");
}

static void
test_timestamps(void)
{
	is_str(unix_ts("0"), "1970-01-01T00:00:00", "the epoch");
	is_str(unix_ts("-1"), "1969-12-31T23:59:59", "a second before");
	is_str(unix_ts("951782400"), "2000-02-29T00:00:00", "a leap day");
	is_str(unix_ts("20000000000"), "2603-10-11T11:33:20",
	    "2e10 is still seconds");
	is_str(unix_ts("20000000001"), "1970-08-20T11:33:20.001000",
	    "past 2e10: milliseconds");
	is_str(unix_ts("-20000000001"), "1969-05-14T12:26:39.999000",
	    "negative milliseconds borrow a second");
	is_str(unix_ts("1700000000.25"), "2023-11-14T22:13:20.250000",
	    "fractional seconds");
	is_str(unix_ts("0.0000004"), "1970-01-01T00:00:00",
	    "below half a microsecond rounds down");
	is_str(unix_ts("0.9999996"), "1970-01-01T00:00:01",
	    "rounding carries into the next second");
	is_str(unix_ts("-11676096000"), "1600-01-01T00:00:00", "year 1600");
	is_str(unix_ts("-11676096001"),
	    "E:dates before 1600 are not supported as unix timestamps",
	    "before 1600");
	is_str(unix_ts("253402300799"), "1978-01-11T21:31:40.799000",
	    "12 digits are past 2e10: milliseconds");
	is_str(unix_ts("253402300799000"), "9999-12-31T23:59:59",
	    "the last second of 9999, in milliseconds");
	is_str(unix_ts("253402300800000"),
	    "E:dates after 9999 are not supported as unix timestamps",
	    "after 9999 in milliseconds");
	is_str(unix_ts("1e300"),
	    "E:dates after 9999 are not supported as unix timestamps",
	    "huge double");
	is_str(unix_ts("-1e300"),
	    "E:dates before 1600 are not supported as unix timestamps",
	    "huge negative double");

	is_str(secs("0"), "1970-01-01T00:00:00", "midnight");
	is_str(secs("3661.5"), "1970-01-01T01:01:01.500000", "01:01:01.5");
	is_str(secs("86399.9999994"), "1970-01-01T23:59:59.999999",
	    "last microsecond");
	is_str(secs("86399.9999996"),
	    "E:numeric times may not exceed 86,399 seconds",
	    "rounding past the day");
	is_str(secs("86400"), "E:numeric times may not exceed 86,399 seconds",
	    "a whole day");
	is_str(secs("-1"), "E:numeric times may not exceed 86,399 seconds",
	    "negative");

	ok(la_datetime_is_number("12", 2), "12 is a number");
	ok(la_datetime_is_number("-12.5", 5), "-12.5 is a number");
	ok(la_datetime_is_number(".5", 2), ".5 is a number");
	ok(!la_datetime_is_number("-", 1), "- alone is not");
	ok(!la_datetime_is_number("+1", 2), "a plus sign is not");
	ok(!la_datetime_is_number("1.2.3", 5), "two points are not");
	ok(!la_datetime_is_number("", 0), "empty is not");
}

static void
test_calendar(void)
{
	struct la_datetime tm;
	int64_t t, bad = 0;

	memset(&tm, 0, sizeof(tm));
	tm.year = 1970;
	tm.mon = 1;
	tm.day = 1;
	is_int(la_datetime_epoch(&tm), 0, "epoch is 0");
	tm.year = 1;
	is_int(la_datetime_epoch(&tm), -62135596800LL, "0001-01-01");
	tm.year = 9999;
	tm.mon = 12;
	tm.day = 31;
	tm.hour = 23;
	tm.min = 59;
	tm.sec = 59;
	is_int(la_datetime_epoch(&tm), 253402300799LL, "9999-12-31T23:59:59");
	/* Every day of 400 years (one whole cycle) goes there and back. */
	for (t = -62135596800LL; t < -62135596800LL + 146097LL * 86400;
	     t += 86400 - 1) {
		la_datetime_from_epoch(t, &tm);
		if (la_datetime_epoch(&tm) != t)
			bad++;
	}
	is_int(bad, 0, "from_epoch and epoch are inverse");

	memset(&tm, 0, sizeof(tm));
	tm.year = 2024;
	tm.mon = 3;
	tm.day = 1;
	tm.has_tz = 1;
	ok(la_datetime_to_utc(&tm) == 0 && tm.has_tz == 1 && tm.day == 1,
	    "Z: nothing to convert");
	tm.tz = 60;
	ok(la_datetime_to_utc(&tm) == 0 && tm.has_tz == 0 && tm.mon == 2 &&
	        tm.day == 29 && tm.hour == 23 && tm.min == 59,
	    "a minute east of UTC, back into Feb 29");
}

int
main(void)
{
	arena = la_arena_new(4096);
	test_dates();
	test_times();
	test_datetimes();
	test_timestamps();
	test_calendar();
	la_arena_free(arena);
	return (done_testing());
}
