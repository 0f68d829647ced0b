/*
 * Date and time parsing (see datetime.h). The grammar and the error texts
 * are speedate's, the Rust crate behind Pydantic v2, because LightAPI
 * clients parse them; the calendar is proleptic Gregorian with day counts
 * from Howard Hinnant's civil-date algorithms, exact for every int64_t
 * day in range, so no libc time zone or time_t limit is involved.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "datetime.h"
#include "str.h"

#define DATETIME_MS_WATERSHED 20000000000LL
#define DATETIME_UNIX_1600    (-11676096000LL)
#define DATETIME_UNIX_9999    253402300799LL

static const char DE_SHORT[] = "input is too short";
static const char DE_EXTRA[] =
    "unexpected extra characters at the end of the input";
static const char DE_DATESEP[] = "invalid date separator, expected `-`";
static const char DE_TS_SMALL[] =
    "dates before 1600 are not supported as unix timestamps";
static const char DE_TS_LARGE[] =
    "dates after 9999 are not supported as unix timestamps";

static int
datetime_isdigit(char ch)
{
	return (ch >= '0' && ch <= '9');
}

/* Reads n digits at s; 0, or -1 when one is not a digit. */
static int
datetime_digits(const char *s, size_t n, int *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (!datetime_isdigit(s[i]))
			return (-1);
		*out = *out * 10 + (s[i] - '0');
	}
	return (0);
}

/* ---- the calendar --------------------------------------------------- */

static int
datetime_leap(int y)
{
	return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static int
datetime_mdays(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};

	return (m == 2 && datetime_leap(y) ? 29 : days[m - 1]);
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static int64_t
datetime_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static void
datetime_civil(int64_t z, struct la_datetime *tm)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (int)(yoe + era * 400 + (tm->mon <= 2));
}

int64_t
la_datetime_epoch(const struct la_datetime *tm)
{
	return (datetime_days(tm->year, tm->mon, tm->day) * 86400 +
	        tm->hour * 3600 + tm->min * 60 + tm->sec);
}

void
la_datetime_from_epoch(int64_t sec, struct la_datetime *tm)
{
	int64_t days = sec / 86400, rem = sec % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	datetime_civil(days, tm);
	tm->hour = (int)(rem / 3600);
	tm->min = (int)(rem / 60 % 60);
	tm->sec = (int)(rem % 60);
}

int
la_datetime_to_utc(struct la_datetime *tm)
{
	if (!tm->has_tz || tm->tz == 0)
		return (0);
	la_datetime_from_epoch(la_datetime_epoch(tm) - tm->tz, tm);
	tm->has_tz = 0;
	return (tm->year < 1 || tm->year > 9999 ? -1 : 0);
}

const char *
la_datetime_format(const struct la_datetime *tm, struct la_arena *a)
{
	if (tm->usec != 0)
		return (la_arena_printf(a,
		    "%04d-%02d-%02dT%02d:%02d:%02d.%06ld", tm->year, tm->mon,
		    tm->day, tm->hour, tm->min, tm->sec, tm->usec));
	return (la_arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d", tm->year,
	    tm->mon, tm->day, tm->hour, tm->min, tm->sec));
}

/* ---- texts ---------------------------------------------------------- */

static const char *
datetime_date(const char *s, size_t len, struct la_datetime *tm)
{
	if (len < 10)
		return (DE_SHORT);
	if (datetime_digits(s, 4, &tm->year) != 0)
		return ("invalid character in year");
	if (s[4] != '-')
		return (DE_DATESEP);
	if (datetime_digits(s + 5, 2, &tm->mon) != 0)
		return ("invalid character in month");
	if (s[7] != '-')
		return (DE_DATESEP);
	if (datetime_digits(s + 8, 2, &tm->day) != 0)
		return ("invalid character in day");
	if (tm->mon < 1 || tm->mon > 12)
		return ("month value is outside expected range of 1-12");
	if (tm->day < 1 || tm->day > datetime_mdays(tm->year, tm->mon))
		return ("day value is outside expected range");
	if (tm->year == 0)
		return ("year 0 is out of range");
	return (NULL);
}

static const char *
datetime_seconds(const char *s, size_t len, size_t *pos, struct la_datetime *tm)
{
	size_t p = *pos + 1, i;

	if (p + 2 > len || datetime_digits(s + p, 2, &tm->sec) != 0)
		return ("invalid character in second");
	if (tm->sec > 59)
		return ("second value is outside expected range of 0-59");
	p += 2;
	if (p < len && (s[p] == '.' || s[p] == ',')) {
		p++;
		/* Beyond microseconds Pydantic truncates. */
		for (i = 0; p + i < len && datetime_isdigit(s[p + i]); i++)
			if (i < 6)
				tm->usec = tm->usec * 10 + (s[p + i] - '0');
		if (i == 0)
			return ("second fraction digits missing after `.`");
		for (; i < 6; i++)
			tm->usec *= 10;
		while (p < len && datetime_isdigit(s[p]))
			p++;
	}
	*pos = p;
	return (NULL);
}

static const char *
datetime_offset(const char *s, size_t len, size_t pos, struct la_datetime *tm)
{
	int sign, h, m = 0;

	if (s[pos] == '+' || s[pos] == '-')
		sign = s[pos++] == '-' ? -1 : 1;
	else if (len - pos >= 3 && memcmp(s + pos, "\xe2\x88\x92", 3) == 0) {
		sign = -1; /* U+2212, allowed by ISO 8601 */
		pos += 3;
	} else
		return ("invalid timezone sign");
	if (pos + 2 > len || datetime_digits(s + pos, 2, &h) != 0)
		return ("invalid timezone hour");
	pos += 2;
	if (pos < len && s[pos] == ':' && ++pos == len)
		return ("invalid timezone minute");
	if (pos < len) {
		if (pos + 2 > len || datetime_digits(s + pos, 2, &m) != 0)
			return ("invalid timezone minute");
		pos += 2;
	}
	if (m > 59)
		return ("timezone minute value is outside expected range of "
		        "0-59");
	if (h * 3600 + m * 60 >= 86400)
		return ("timezone offset must be less than 24 hours");
	if (pos < len)
		return (DE_EXTRA);
	tm->has_tz = 1;
	tm->tz = sign * (h * 3600 + m * 60);
	return (NULL);
}

static const char *
datetime_tz(const char *s, size_t len, size_t pos, struct la_datetime *tm)
{
	tm->has_tz = 0;
	tm->tz = 0;
	if (pos == len)
		return (NULL);
	if (s[pos] == 'Z' || s[pos] == 'z') {
		tm->has_tz = 1;
		return (pos + 1 == len ? NULL : DE_EXTRA);
	}
	return (datetime_offset(s, len, pos, tm));
}

/* "HH:MM[:SS[.ffffff]][Z|±HH[:]MM]" starting at off. */
static const char *
datetime_time(const char *s, size_t len, size_t off, struct la_datetime *tm)
{
	size_t pos = off + 5;
	const char *why;

	tm->sec = 0;
	tm->usec = 0;
	if (len - off < 5)
		return (DE_SHORT);
	if (datetime_digits(s + off, 2, &tm->hour) != 0)
		return ("invalid character in hour");
	if (s[off + 2] != ':')
		return ("invalid time separator, expected `:`");
	if (datetime_digits(s + off + 3, 2, &tm->min) != 0)
		return ("invalid character in minute");
	if (tm->hour > 23)
		return ("hour value is outside expected range of 0-23");
	if (tm->min > 59)
		return ("minute value is outside expected range of 0-59");
	if (pos < len && s[pos] == ':' &&
	    (why = datetime_seconds(s, len, &pos, tm)) != NULL)
		return (why);
	return (datetime_tz(s, len, pos, tm));
}

const char *
la_datetime_parse_date(const char *s, size_t len, struct la_datetime *tm)
{
	const char *why;

	memset(tm, 0, sizeof(*tm));
	if ((why = datetime_date(s, len, tm)) != NULL)
		return (why);
	return (len > 10 ? DE_EXTRA : NULL);
}

const char *
la_datetime_parse_time(const char *s, size_t len, struct la_datetime *tm)
{
	memset(tm, 0, sizeof(*tm));
	return (datetime_time(s, len, 0, tm));
}

const char *
la_datetime_parse(const char *s, size_t len, struct la_datetime *tm)
{
	const char *why;

	memset(tm, 0, sizeof(*tm));
	if ((why = datetime_date(s, len, tm)) != NULL)
		return (why);
	if (len < 11 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ' && s[10] != '_'))
		return ("invalid datetime separator, expected `T`, `t`, `_` "
		        "or space");
	return (datetime_time(s, len, 11, tm));
}

const char *
la_datetime_parse_lax(const char *s, size_t len, struct la_datetime *tm)
{
	if (la_datetime_parse(s, len, tm) == NULL)
		return (NULL);
	if (la_datetime_is_number(s, len))
		return (la_datetime_from_unix(s, len, tm));
	/* Like Pydantic, report what the date parser disliked. */
	return (la_datetime_parse_date(s, len, tm));
}

/* ---- numbers -------------------------------------------------------- */

int
la_datetime_is_number(const char *s, size_t len)
{
	size_t i = 0, d = 0;

	if (i < len && s[i] == '-')
		i++;
	for (; i < len && datetime_isdigit(s[i]); i++)
		d++;
	if (i < len && s[i] == '.')
		for (i++; i < len && datetime_isdigit(s[i]); i++)
			d++;
	return (d > 0 && i == len);
}

static const char *
datetime_ts_set(int64_t sec, long usec, struct la_datetime *tm)
{
	if (sec < DATETIME_UNIX_1600)
		return (DE_TS_SMALL);
	if (sec > DATETIME_UNIX_9999)
		return (DE_TS_LARGE);
	memset(tm, 0, sizeof(*tm));
	la_datetime_from_epoch(sec, tm);
	tm->usec = usec;
	return (NULL);
}

/* Unix time; past 2e10 in absolute value it is in milliseconds. */
static const char *
datetime_ts_int(int64_t ts, struct la_datetime *tm)
{
	int64_t sec = ts;
	long usec = 0;

	if (ts > DATETIME_MS_WATERSHED || ts < -DATETIME_MS_WATERSHED) {
		sec = ts / 1000;
		usec = (long)(ts % 1000) * 1000;
		if (usec < 0) {
			sec--;
			usec += 1000000;
		}
	}
	return (datetime_ts_set(sec, usec, tm));
}

static const char *
datetime_ts_float(double f, struct la_datetime *tm)
{
	double sec;
	long usec;

	if (fabs(f) > (double)DATETIME_MS_WATERSHED)
		f /= 1000;
	sec = floor(f);
	/* Range first: the cast below must not overflow. */
	if (!(sec >= (double)DATETIME_UNIX_1600))
		return (DE_TS_SMALL);
	if (sec > (double)DATETIME_UNIX_9999)
		return (DE_TS_LARGE);
	usec = lround((f - sec) * 1e6);
	if (usec >= 1000000) {
		sec += 1;
		usec -= 1000000;
	}
	return (datetime_ts_set((int64_t)sec, usec, tm));
}

const char *
la_datetime_from_unix(const char *s, size_t len, struct la_datetime *tm)
{
	int64_t i;

	if (la_str_to_i64(s, len, &i) == 0)
		return (datetime_ts_int(i, tm));
	return (datetime_ts_float(strtod(s, NULL), tm));
}

/* Seconds since midnight, as speedate reads a numeric time. */
const char *
la_datetime_from_seconds(const char *s, struct la_datetime *tm)
{
	double f = strtod(s, NULL), sec;

	memset(tm, 0, sizeof(*tm));
	if (!(f >= 0 && f < 86400))
		return ("numeric times may not exceed 86,399 seconds");
	sec = floor(f);
	tm->usec = lround((f - sec) * 1e6);
	if (tm->usec >= 1000000) {
		if (sec + 1 >= 86400)
			return ("numeric times may not exceed 86,399 seconds");
		sec += 1;
		tm->usec -= 1000000;
	}
	la_datetime_from_epoch((int64_t)sec, tm);
	tm->has_tz = 0;
	return (NULL);
}
