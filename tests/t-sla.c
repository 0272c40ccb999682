/* t-sla.c -- time zones (common/tz.c) and SLA clocks (rules/sla.c).
 *
 * 5001-5002 check our zone reader against glibc's localtime_r and mktime
 * (TZ is set here, in the test, never in the program).  The tables below
 * hold business-time cases with their expected instants in UTC, worked
 * out by hand from the calendar and the zone's offsets: Europe/Berlin
 * goes from CET (+1) to CEST (+2) on 2026-03-29 and back on 2026-10-25,
 * America/New_York from EST (-5) to EDT (-4) on 2026-03-08 and back on
 * 2026-11-01. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/tz.h"
#include "common/util.h"
#include "rules/conf.h"
#include "rules/sla.h"
#include "tests/tap.h"

static const char calendars[] =
	"calendar berlin { timezone \"Europe/Berlin\" hours mon-fri 09:00-17:30\n"
	"    holiday 2026-12-24, 2026-12-25 }\n"
	"calendar berlin247 { timezone \"Europe/Berlin\" hours mon-sun 00:00-24:00 }\n"
	"calendar ny { timezone \"America/New_York\" hours mon-fri 09:00-17:00 }\n"
	"calendar split { timezone \"Europe/Berlin\" hours mon-fri 13:00-17:00, 08:00-12:00\n"
	"    hours sat 10:00-14:00 }\n"
	"calendar night { timezone \"Europe/Berlin\" hours sun 01:00-04:00 }\n"
	"calendar sydney { timezone \"Australia/Sydney\" hours mon-fri 09:00-17:00 }\n"
	"calendar closed { timezone \"UTC\" hours mon 09:00-10:00 holiday 2026-06-01 }\n"
	"calendar odd { timezone \"UTC\" hours mon, wed-thu, sun 09:00-12:00\n"
	"    hours tue 09:00-12:00, 14:00-18:00 }\n";

#define NCAL	7
static const char *const cal_names[NCAL] = {
	"berlin", "berlin247", "ny", "split", "night", "sydney", "closed"
};
static struct sla_calendar cals[NCAL];
static struct tz *zones[NCAL];

static const struct sla_calendar *
cal(const char *name)
{
	int i;

	if (name == NULL)
		return NULL;	/* round the clock */
	for (i = 0; i < NCAL; i++)
		if (strcmp(cal_names[i], name) == 0)
			return &cals[i];
	fprintf(stderr, "no calendar '%s'\n", name);
	exit(1);
}

static time_t
T(const char *s)
{
	time_t t;

	if (s == NULL || strcmp(s, "-") == 0)
		return 0;
	if (time_parse(s, &t) == -1) {
		fprintf(stderr, "bad time '%s'\n", s);
		exit(1);
	}
	return t;
}

static char *
fmt(time_t t, char *buf, size_t len)
{
	if (t == 0)
		(void)snprintf(buf, len, "-");
	else if (t == SLA_NEVER)
		(void)snprintf(buf, len, "never");
	else
		(void)time_rfc3339(t, buf, len);
	return buf;
}

/* "1h30m", "45s", "0" into seconds. */
static long
D(const char *s)
{
	long v = 0, n = 0;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			n = n * 10 + (*s - '0');
		else {
			v += n * (*s == 'd' ? 86400 : *s == 'h' ? 3600 : *s == 'm' ? 60 : 1);
			n = 0;
		}
	}
	return v + n;
}

/*
 * 5001-5002: zones against glibc.
 */

static void
set_tz(const char *name)
{
	if (setenv("TZ", name, 1) == -1)
		exit(1);
	tzset();
}

static const char *const zone_names[] = {
	"Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
	"Asia/Kolkata", "Pacific/Chatham", "America/Sao_Paulo", "UTC", "Europe/Dublin"
};

static void
test_offsets(void)
{
	struct err e = ERR_INIT;
	struct tz *z;
	struct tm tm;
	size_t i;
	time_t t;
	long bad, checked;

	if (!tap_selected(5001))
		return;
	for (i = 0; i < sizeof(zone_names) / sizeof(zone_names[0]); i++) {
		if (tz_load(zone_names[i], &z, &e) == -1) {
			tap_ok(0, "5001 load %s", zone_names[i]);
			printf("# %s\n", e.msg);
			continue;
		}
		set_tz(zone_names[i]);
		bad = checked = 0;
		/* 1950 to 2080, a step that walks through every hour of the day. */
		for (t = -631152000; t < 3471292800; t += 3 * 3600 + 17 * 60 + 3) {
			if (localtime_r(&t, &tm) == NULL)
				continue;
			checked++;
			if (tm.tm_gmtoff != tz_offset(z, t) && bad++ < 3)
				printf("# %s at %lld: glibc %ld, ours %ld\n", zone_names[i],
				    (long long)t, (long)tm.tm_gmtoff, tz_offset(z, t));
		}
		tap_ok(bad == 0 && checked > 100000, "5001 UTC offsets of %s agree with glibc",
		    zone_names[i]);
		tz_free(z);
	}
	unsetenv("TZ");
	tzset();
}

/* 5030: times as people read them, in a zone's summer and winter. */
static void
test_format(void)
{
	struct err e = ERR_INIT;
	struct tz *z;
	char buf[64];

	if (!tap_selected(5030))
		return;
	if (tz_load("Europe/Berlin", &z, &e) == -1) {
		tap_ok(0, "5030 load %s", "Europe/Berlin");
		return;
	}
	/* 2026-06-01T08:00:00Z is 10:00 CEST; 2026-12-24T23:30:00Z is Friday 00:30 CET */
	tap_ok(strcmp(tz_format(z, 1780300800, 1, buf, sizeof(buf)),
	    "Mon 1 Jun 2026 10:00 Europe/Berlin") == 0 &&
	    strcmp(tz_format(z, 1798155000, 0, buf, sizeof(buf)), "Fri 25 Dec 2026 00:30") == 0 &&
	    strcmp(tz_format(NULL, 1780300800, 1, buf, sizeof(buf)),
	    "Mon 1 Jun 2026 08:00 UTC") == 0 &&
	    strcmp(tz_format(NULL, -1, 0, buf, sizeof(buf)), "Wed 31 Dec 1969 23:59") == 0,
	    "5030 tz_format: %s", "weekday, date and time in the zone, its name");
	tz_free(z);
}

/* 5032: a wall time the clocks show twice says its offset; the spring
 * gap, other times and zones without a change say none.  Half-hour
 * offsets and changes (Lord Howe, St. John's) as well. */
static void
test_format_repeated(void)
{
	static const struct { const char *zone; time_t t; const char *shown; } c[] = {
		/* 2026-10-25: 02:00-02:59 twice in Berlin */
		{ "Europe/Berlin", 1792885500, "Sun 25 Oct 2026 01:45 Europe/Berlin" },
		{ "Europe/Berlin", 1792888200, "Sun 25 Oct 2026 02:30 (UTC+2) Europe/Berlin" },
		{ "Europe/Berlin", 1792891800, "Sun 25 Oct 2026 02:30 (UTC+1) Europe/Berlin" },
		{ "Europe/Berlin", 1792895400, "Sun 25 Oct 2026 03:30 Europe/Berlin" },
		/* 2026-03-29: 02:00-02:59 never */
		{ "Europe/Berlin", 1774745940, "Sun 29 Mar 2026 01:59 Europe/Berlin" },
		{ "Europe/Berlin", 1774746000, "Sun 29 Mar 2026 03:00 Europe/Berlin" },
		/* 2026-11-01: 01:00-01:59 twice in New York */
		{ "America/New_York", 1793511000, "Sun 1 Nov 2026 01:30 (UTC-4) America/New_York" },
		{ "America/New_York", 1793514600, "Sun 1 Nov 2026 01:30 (UTC-5) America/New_York" },
		{ "America/New_York", 1772953200, "Sun 8 Mar 2026 03:00 America/New_York" },
		/* 2026-11-01: 01:00-01:59 twice in St. John's, at -2:30 and -3:30 */
		{ "America/St_Johns", 1793505600, "Sun 1 Nov 2026 01:30 (UTC-2:30) America/St_Johns" },
		{ "America/St_Johns", 1793509200, "Sun 1 Nov 2026 01:30 (UTC-3:30) America/St_Johns" },
		/* 2026-04-05: 01:30-01:59 twice on Lord Howe, at +11 and +10:30 */
		{ "Australia/Lord_Howe", 1775313900,
		    "Sun 5 Apr 2026 01:45 (UTC+11) Australia/Lord_Howe" },
		{ "Australia/Lord_Howe", 1775315700,
		    "Sun 5 Apr 2026 01:45 (UTC+10:30) Australia/Lord_Howe" },
		{ "Asia/Kolkata", 1775403900, "Sun 5 Apr 2026 21:15 Asia/Kolkata" },
		{ "Asia/Kathmandu", 1775403900, "Sun 5 Apr 2026 21:30 Asia/Kathmandu" },
	};
	struct err e = ERR_INIT;
	struct tz *z;
	char buf[TZ_FORMAT_MAX];
	size_t i;
	int ok = 1;

	if (!tap_selected(5032))
		return;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (tz_load(c[i].zone, &z, &e) == -1) {
			printf("# %s\n", e.msg);
			ok = 0;
			continue;
		}
		if (strcmp(tz_format(z, c[i].t, 1, buf, sizeof(buf)), c[i].shown) != 0) {
			printf("# %lld: '%s', not '%s'\n", (long long)c[i].t, buf, c[i].shown);
			ok = 0;
		}
		tz_free(z);
	}
	tap_ok(ok, "5032 tz_format: %s", "a time shown twice by the clocks says its offset");
}

static void
test_local(void)
{
	static const char *const local_zones[] = { "Europe/Berlin", "America/New_York",
		"Australia/Sydney" };
	struct err e = ERR_INIT;
	struct tz *z;
	struct tm tm;
	size_t i;
	long day, secs, bad, other;
	time_t ours, theirs;

	if (!tap_selected(5002))
		return;
	for (i = 0; i < sizeof(local_zones) / sizeof(local_zones[0]); i++) {
		if (tz_load(local_zones[i], &z, &e) == -1) {
			tap_ok(0, "5002 load %s", local_zones[i]);
			continue;
		}
		set_tz(local_zones[i]);
		bad = 0;
		/* Every local quarter hour of 2025 to 2027. */
		for (day = days_from_civil(2025, 1, 1); day < days_from_civil(2028, 1, 1); day++)
			for (secs = 0; secs < 86400; secs += 900) {
				int y, m, d;

				tz_civil(day, &y, &m, &d);
				memset(&tm, 0, sizeof(tm));
				tm.tm_year = y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = d;
				tm.tm_hour = (int)(secs / 3600);
				tm.tm_min = (int)(secs % 3600 / 60);
				tm.tm_isdst = -1;
				theirs = mktime(&tm);
				ours = tz_utc(z, day, secs);
				if (ours == theirs)
					continue;
				/* A repeated hour: glibc may pick either; ours is the
				 * first, and both must name this wall time. */
				other = (long)(ours - theirs);
				if ((other == -3600 || other == -1800) &&
				    tz_local_day(z, theirs, NULL) == day)
					continue;
				if (bad++ < 3)
					printf("# %s day %ld +%lds: mktime %lld, ours %lld\n",
					    local_zones[i], day, secs, (long long)theirs,
					    (long long)ours);
			}
		tap_ok(bad == 0, "5002 local times of %s agree with mktime", local_zones[i]);
		tz_free(z);
	}
	unsetenv("TZ");
	tzset();
}

/* 5003: a slim zone file (transitions end early, the footer rule does the
 * rest) gives the same offsets as the full one. */
static void
test_slim(void)
{
	/* TZif2: an empty v1 block, a v2 block with one type and no
	 * transitions, then the footer. */
	static const char footer[] = "\nCET-1CEST,M3.5.0,M10.5.0/3\n";
	unsigned char buf[256];
	struct err e = ERR_INIT;
	struct tz *slim = NULL, *full = NULL;
	size_t n = 0;
	time_t t;
	long bad = 0;
	int pass;

	if (!tap_selected(5003))
		return;
	memset(buf, 0, sizeof(buf));
	for (pass = 0; pass < 2; pass++) {
		memcpy(buf + n, "TZif2", 5);
		buf[n + 39] = 1;		/* typecnt */
		buf[n + 43] = 4;		/* charcnt */
		n += 44;
		buf[n + 2] = 0x0e;		/* utoff 3600 */
		buf[n + 3] = 0x10;
		n += 6;
		memcpy(buf + n, "CET", 4);
		n += 4;
	}
	memcpy(buf + n, footer, sizeof(footer) - 1);
	n += sizeof(footer) - 1;
	if (tz_load_mem("slim", buf, n, &slim, &e) == -1 ||
	    tz_load("Europe/Berlin", &full, &e) == -1) {
		tap_ok(0, "%s", "5003 a slim zone file loads");
		printf("# %s\n", e.msg);
	} else {
		for (t = 946684800; t < 4102444800; t += 3593)	/* 2000 to 2100 */
			if (tz_offset(slim, t) != tz_offset(full, t) && bad++ < 3)
				printf("# at %lld: slim %ld, full %ld\n", (long long)t,
				    tz_offset(slim, t), tz_offset(full, t));
		tap_ok(bad == 0, "%s", "5003 a footer rule alone gives Berlin's offsets to 2100");
	}
	tz_free(slim);
	tz_free(full);

	/* Garbage is refused, never read past. */
	buf[4] = '2';
	tap_ok(tz_load_mem("cut", buf, 50, &slim, &e) == -1 && slim == NULL,
	    "%s", "5003 a truncated zone file is refused");
	tap_ok(tz_load("../../etc/passwd", &slim, &e) == -1 && slim == NULL,
	    "%s", "5003 a zone name may not leave the zone directory");
}

/*
 * 5004-5019: business time.
 */

static const struct add_case {
	int		 num;
	const char	*cal, *start, *dur, *expect, *what;
} add_cases[] = {
	{ 5004, "berlin", "2026-03-27T15:30:00Z", "2h", "2026-03-30T08:00:00Z",
	  "Friday 16:30 CET + 2h is Monday 10:00 CEST (March change)" },
	{ 5005, "berlin", "2026-10-23T15:00:00Z", "1h", "2026-10-26T08:30:00Z",
	  "Friday 17:00 CEST + 1h is Monday 09:30 CET (October change)" },
	{ 5006, "berlin", "2026-03-28T10:00:00Z", "0", "2026-03-30T07:00:00Z",
	  "a Saturday arrival starts Monday 09:00 CEST" },
	{ 5006, "berlin", "2026-03-30T05:00:00Z", "30m", "2026-03-30T07:30:00Z",
	  "an arrival before opening counts from 09:00" },
	{ 5007, "berlin", "2026-12-23T15:30:00Z", "2h", "2026-12-28T09:00:00Z",
	  "holidays and a weekend are skipped (Wed 16:30 + 2h is Mon 10:00)" },
	{ 5008, "ny", "2026-03-06T21:30:00Z", "1h", "2026-03-09T13:30:00Z",
	  "New York: Friday 16:30 EST + 1h is Monday 09:30 EDT" },
	{ 5008, "ny", "2026-10-30T20:30:00Z", "1h", "2026-11-02T14:30:00Z",
	  "New York: Friday 16:30 EDT + 1h is Monday 09:30 EST" },
	{ 5009, "berlin", "2026-03-30T07:00:00Z", "8h30m", "2026-03-30T15:30:00Z",
	  "a whole day's target ends at closing time" },
	{ 5009, "berlin", "2026-03-30T07:00:00Z", "8h30m1s", "2026-03-31T07:00:01Z",
	  "one second more is the next morning" },
	{ 5010, "split", "2026-06-05T09:30:00Z", "5h", "2026-06-06T08:30:00Z",
	  "two spans a day (given out of order) and a Saturday" },
	{ 5011, "night", "2026-03-28T12:00:00Z", "2h", "2026-03-29T02:00:00Z",
	  "Sunday 01:00-04:00 lasts 2h on the spring-forward night" },
	{ 5011, "night", "2026-03-28T12:00:00Z", "2h1s", "2026-04-04T23:00:01Z",
	  "and the next Sunday opens at 01:00 CEST" },
	{ 5011, "night", "2026-10-24T12:00:00Z", "4h", "2026-10-25T03:00:00Z",
	  "Sunday 01:00-04:00 lasts 4h on the fall-back night" },
	{ 5012, "berlin247", "2026-03-28T23:00:00Z", "23h", "2026-03-29T22:00:00Z",
	  "round-the-clock hours: 23h from Berlin midnight is the next midnight" },
	{ 5012, NULL, "2026-03-29T00:30:00Z", "1h", "2026-03-29T01:30:00Z",
	  "no calendar: every second counts" },
	{ 5013, "sydney", "2026-04-03T05:30:00Z", "1h", "2026-04-05T23:30:00Z",
	  "Sydney (southern): Friday 16:30 AEDT + 1h is Monday 09:30 AEST" },
	{ 5014, "closed", "2026-06-01T00:00:00Z", "1h", "2026-06-08T10:00:00Z",
	  "a one-hour week with that hour on holiday moves a week" },
};

static const struct between_case {
	int		 num;
	const char	*cal, *from, *to, *expect, *what;
} between_cases[] = {
	{ 5015, "berlin247", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", "23h",
	  "Berlin's spring-forward day is 23 hours long" },
	{ 5015, "berlin247", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", "25h",
	  "Berlin's fall-back day is 25 hours long" },
	{ 5016, "berlin", "2026-03-27T07:00:00Z", "2026-03-30T16:00:00Z", "17h",
	  "Friday (CET) and Monday (CEST) are 8.5h each" },
	{ 5016, "berlin", "2026-12-24T00:00:00Z", "2026-12-26T00:00:00Z", "0",
	  "holidays count nothing" },
	{ 5016, "night", "2026-10-24T22:00:00Z", "2026-10-25T06:00:00Z", "4h",
	  "the fall-back night's 01:00-04:00" },
	{ 5016, "ny", "2026-03-09T14:00:00Z", "2026-03-09T13:00:00Z", "0",
	  "a backwards interval is empty" },
};

static void
test_business(void)
{
	char got[32], want[32];
	size_t i;
	time_t r;
	long n;

	for (i = 0; i < sizeof(add_cases) / sizeof(add_cases[0]); i++) {
		const struct add_case *c = &add_cases[i];

		if (!tap_selected(c->num))
			continue;
		r = sla_add(cal(c->cal), T(c->start), D(c->dur));
		(void)fmt(r, got, sizeof(got));
		(void)fmt(T(c->expect), want, sizeof(want));
		tap_count++;
		if (strcmp(got, want) != 0)
			tap_failed++;
		printf("%s %d - %d %s\n", strcmp(got, want) == 0 ? "ok" : "not ok",
		    tap_count, c->num, c->what);
		if (strcmp(got, want) != 0)
			printf("# %s + %s: got %s, expected %s\n", c->start, c->dur, got, want);
	}
	for (i = 0; i < sizeof(between_cases) / sizeof(between_cases[0]); i++) {
		const struct between_case *c = &between_cases[i];

		if (!tap_selected(c->num))
			continue;
		n = sla_between(cal(c->cal), T(c->from), T(c->to));
		tap_count++;
		if (n != D(c->expect))
			tap_failed++;
		printf("%s %d - %d %s\n", n == D(c->expect) ? "ok" : "not ok",
		    tap_count, c->num, c->what);
		if (n != D(c->expect))
			printf("# got %ld s, expected %ld s\n", n, D(c->expect));
	}
	if (tap_selected(5017)) {
		const struct sla_calendar *b = cal("berlin");

		CHECK(sla_is_open(b, T("2026-03-30T07:00:00Z")) &&
		    !sla_is_open(b, T("2026-03-30T06:59:59Z")) &&
		    sla_is_open(b, T("2026-03-27T08:00:00Z")) &&
		    !sla_is_open(b, T("2026-03-27T07:59:59Z")) &&
		    !sla_is_open(b, T("2026-12-24T10:00:00Z")),
		    "5017 opening instants follow the offset of the day");
		CHECK(sla_next_open(b, T("2026-12-23T17:00:00Z")) == T("2026-12-28T08:00:00Z"),
		    "5017 the next opening after Christmas holidays");
	}
}

/*
 * 5018-5019: one clock run, with pauses and the warning.
 */

static const struct run_case {
	int		 num;
	const char	*start, *target, *pauses /* "a/b a/- ..." */, *stopped, *now;
	const char	*state, *deadline, *warn, *what;
} run_cases[] = {
	{ 5018, "2026-06-01T07:00:00Z", "4h", "2026-06-01T08:00:00Z/2026-06-01T10:00:00Z",
	  "-", "2026-06-01T11:00:00Z", "running", "2026-06-01T13:00:00Z",
	  "2026-06-01T12:12:00Z", "a 2h pause moves the deadline and the 80% warning" },
	{ 5018, "2026-06-01T15:00:00Z", "1h", "2026-06-01T15:15:00Z/2026-06-02T08:00:00Z",
	  "-", "2026-06-02T08:10:00Z", "running", "2026-06-02T08:45:00Z",
	  "2026-06-02T08:33:00Z", "a pause over the night: 45m left after it" },
	{ 5018, "2026-06-01T07:00:00Z", "4h", "2026-06-01T08:00:00Z/-",
	  "-", "2026-06-01T11:00:00Z", "paused", "-", "-",
	  "an open pause: no deadline until the customer answers" },
	{ 5018, "2026-06-01T07:00:00Z", "1h", "2026-06-01T08:30:00Z/-",
	  "-", "2026-06-01T11:00:00Z", "paused", "2026-06-01T08:00:00Z",
	  "2026-06-01T07:48:00Z", "a pause after the deadline keeps the breach" },
	{ 5019, "2026-06-01T07:00:00Z", "1h", "", "2026-06-01T07:59:00Z",
	  "2026-06-01T11:00:00Z", "met", "2026-06-01T08:00:00Z", "2026-06-01T07:48:00Z",
	  "stopped in time: met" },
	{ 5019, "2026-06-01T07:00:00Z", "1h", "", "2026-06-01T08:00:01Z",
	  "2026-06-01T11:00:00Z", "missed", "2026-06-01T08:00:00Z", "2026-06-01T07:48:00Z",
	  "stopped a second late: missed" },
};

static void
parse_pauses(const char *s, struct sla_pause *out, size_t *count)
{
	char a[32], b[32];
	int used;

	*count = 0;
	while (*s != '\0' && sscanf(s, " %31[^/]/%31s%n", a, b, &used) == 2) {
		out[*count].start = T(a);
		out[(*count)++].end = T(b);
		s += used;
	}
}

static void
test_runs(void)
{
	struct sla_pause pauses[8];
	struct sla_clock c;
	char got[128], want[128], d[32], w[32];
	size_t i, n;

	for (i = 0; i < sizeof(run_cases) / sizeof(run_cases[0]); i++) {
		const struct run_case *r = &run_cases[i];

		if (!tap_selected(r->num))
			continue;
		parse_pauses(r->pauses, pauses, &n);
		memset(&c, 0, sizeof(c));
		sla_clock_run(cal("berlin"), D(r->target), 80, T(r->start), pauses, n,
		    T(r->stopped), T(r->now), &c);
		(void)snprintf(got, sizeof(got), "%s %s %s", sla_state_name(c.state),
		    fmt(c.deadline, d, sizeof(d)), fmt(c.warn_at, w, sizeof(w)));
		(void)snprintf(want, sizeof(want), "%s %s %s", r->state, r->deadline, r->warn);
		tap_count++;
		if (strcmp(got, want) != 0)
			tap_failed++;
		printf("%s %d - %d %s\n", strcmp(got, want) == 0 ? "ok" : "not ok",
		    tap_count, r->num, r->what);
		if (strcmp(got, want) != 0)
			printf("# got '%s'\n# expected '%s'\n", got, want);
	}
}

/*
 * 5020-5029: every clock of a ticket from its facts.  Targets: first
 * response 1h, next response 4h, resolution 8h, pickup 30m, Berlin hours;
 * 2026-06-01 is a Monday in CEST (09:00 local is 07:00Z).
 */

static const struct clocks_case {
	int		 num;
	const char	*facts, *now, *expect, *what;
} clocks_cases[] = {
	{ 5020, "in@2026-06-01T07:00:00Z", "2026-06-01T07:30:00Z",
	  "fr=running@2026-06-01T08:00:00Z nr=none res=running@2026-06-01T15:00:00Z pickup=none",
	  "a new ticket runs first response and resolution" },
	{ 5021, "in@2026-06-01T07:00:00Z out@2026-06-01T07:40:00Z in@2026-06-01T09:00:00Z",
	  "2026-06-01T10:00:00Z",
	  "fr=met@2026-06-01T08:00:00Z nr=running@2026-06-01T13:00:00Z"
	  " res=running@2026-06-01T15:00:00Z pickup=none",
	  "a customer message after a response starts next response" },
	{ 5021, "in@2026-06-01T07:00:00Z out@2026-06-01T07:40:00Z in@2026-06-01T09:00:00Z"
	  " in@2026-06-01T10:00:00Z", "2026-06-01T10:30:00Z",
	  "fr=met@2026-06-01T08:00:00Z nr=running@2026-06-01T13:00:00Z"
	  " res=running@2026-06-01T15:00:00Z pickup=none",
	  "a second customer message does not restart it" },
	{ 5022, "in@2026-06-01T07:00:00Z out@2026-06-01T07:40:00Z pending@2026-06-01T07:40:00Z",
	  "2026-06-02T10:00:00Z",
	  "fr=met@2026-06-01T08:00:00Z nr=none res=paused@- pickup=none",
	  "pending on the customer pauses resolution" },
	{ 5023, "in@2026-06-01T07:00:00Z out@2026-06-01T07:40:00Z pending@2026-06-01T07:40:00Z"
	  " in@2026-06-02T08:00:00Z", "2026-06-02T09:00:00Z",
	  "fr=met@2026-06-01T08:00:00Z nr=running@2026-06-02T12:00:00Z"
	  " res=running@2026-06-02T15:20:00Z pickup=none",
	  "the customer's answer resumes it with 7h20m left" },
	{ 5024, "in@2026-06-05T14:00:00Z", "2026-06-08T08:00:00Z",
	  "fr=running@2026-06-05T15:00:00Z nr=none res=running@2026-06-08T13:30:00Z pickup=none",
	  "a Friday afternoon ticket: resolution continues Monday" },
	{ 5025, "in@2026-06-01T07:00:00Z escalated@2026-06-01T16:00:00Z", "2026-06-01T16:10:00Z",
	  "fr=running@2026-06-01T08:00:00Z nr=none res=running@2026-06-02T15:00:00Z"
	  " pickup=running@2026-06-02T07:30:00Z",
	  "an escalation starts pickup and gives the new tier its resolution time" },
	{ 5025, "in@2026-06-01T07:00:00Z escalated@2026-06-01T16:00:00Z ack@2026-06-02T07:10:00Z",
	  "2026-06-02T08:00:00Z",
	  "fr=running@2026-06-01T08:00:00Z nr=none res=running@2026-06-02T15:00:00Z"
	  " pickup=met@2026-06-02T07:30:00Z",
	  "acknowledging stops pickup" },
	{ 5026, "in@2026-06-01T07:00:00Z out@2026-06-01T07:30:00Z resolved@2026-06-01T10:00:00Z",
	  "2026-06-01T12:00:00Z",
	  "fr=met@2026-06-01T08:00:00Z nr=none res=met@2026-06-01T15:00:00Z pickup=none",
	  "resolving stops resolution" },
	{ 5027, "in@2026-06-01T07:00:00Z out@2026-06-01T07:30:00Z resolved@2026-06-01T10:00:00Z"
	  " in@2026-06-02T07:00:00Z reopened@2026-06-02T07:00:00Z", "2026-06-02T08:00:00Z",
	  "fr=met@2026-06-01T08:00:00Z nr=running@2026-06-02T11:00:00Z"
	  " res=running@2026-06-02T12:00:00Z pickup=none",
	  "a reopened ticket continues with the time it had left" },
	{ 5028, "in@2026-06-01T07:00:00Z out@2026-06-01T09:00:00Z", "2026-06-01T08:30:00Z",
	  "fr=running@2026-06-01T08:00:00Z nr=none res=running@2026-06-01T15:00:00Z pickup=none",
	  "facts after now have not happened (replay)" },
	{ 5029, "in@2026-06-01T07:00:00Z out@2026-06-01T09:00:00Z", "2026-06-01T10:00:00Z",
	  "fr=missed@2026-06-01T08:00:00Z nr=none res=running@2026-06-01T15:00:00Z pickup=none",
	  "a late first response is missed" },
	{ 5029, "out@2026-06-01T07:00:00Z", "2026-06-01T10:00:00Z",
	  "fr=none nr=none res=none pickup=none",
	  "a thread the team started owes nothing yet" },
};

static const char *const fact_names[] = {
	"in", "out", "pending", "resolved", "reopened", "escalated", "ack"
};

static size_t
parse_facts(const char *s, struct sla_fact *out, size_t max)
{
	char name[16], at[32];
	size_t n = 0, k;
	int used;

	while (n < max && sscanf(s, " %15[a-z]@%31s%n", name, at, &used) == 2) {
		for (k = 0; k < sizeof(fact_names) / sizeof(fact_names[0]); k++)
			if (strcmp(fact_names[k], name) == 0)
				break;
		if (k == sizeof(fact_names) / sizeof(fact_names[0])) {
			fprintf(stderr, "bad fact '%s'\n", name);
			exit(1);
		}
		out[n].kind = (int)k;
		out[n++].at = T(at);
		s += used;
	}
	return n;
}

static void
test_clocks(void)
{
	static const char *const short_names[SLA_KINDS] = { "fr", "nr", "res", "pickup" };
	const long targets[SLA_KINDS] = { 3600, 4 * 3600, 8 * 3600, 1800 };
	struct sla_fact facts[16];
	struct sla_clock c[SLA_KINDS];
	char got[512], d[32];
	size_t i, n, o;
	int k;

	for (i = 0; i < sizeof(clocks_cases) / sizeof(clocks_cases[0]); i++) {
		const struct clocks_case *cc = &clocks_cases[i];

		if (!tap_selected(cc->num))
			continue;
		n = parse_facts(cc->facts, facts, 16);
		sla_clocks(cal("berlin"), targets, 80, facts, n, T(cc->now), c);
		for (k = 0, o = 0; k < SLA_KINDS; k++) {
			if (c[k].state == SLA_NONE)
				o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s=none",
				    k ? " " : "", short_names[k]);
			else
				o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s=%s@%s",
				    k ? " " : "", short_names[k], sla_state_name(c[k].state),
				    fmt(c[k].deadline, d, sizeof(d)));
		}
		tap_count++;
		if (strcmp(got, cc->expect) != 0)
			tap_failed++;
		printf("%s %d - %d %s\n", strcmp(got, cc->expect) == 0 ? "ok" : "not ok",
		    tap_count, cc->num, cc->what);
		if (strcmp(got, cc->expect) != 0)
			printf("# got      '%s'\n# expected '%s'\n", got, cc->expect);
	}
}

/*
 * 5031: a calendar's hours in words, as an acknowledgement states them.
 */

static void
test_hours_words(const struct conf *conf)
{
	static const struct { const char *cal, *words; } c[] = {
		{ "berlin", "Mon-Fri 09:00-17:30" },
		{ "berlin247", "Mon-Sun 00:00-24:00" },
		{ "split", "Mon-Fri 08:00-12:00 and 13:00-17:00; Sat 10:00-14:00" },
		{ "night", "Sun 01:00-04:00" },
		{ "odd", "Mon, Wed-Thu, Sun 09:00-12:00; Tue 09:00-12:00 and 14:00-18:00" },
	};
	struct err e = ERR_INIT;
	struct buf b = BUF_INIT(4096);
	size_t i;
	int ok = 1;

	if (!tap_selected(5031))
		return;
	for (i = 0; i < sizeof(c) / sizeof(c[0]) && ok; i++) {
		buf_reset(&b);
		ok = sla_hours_words(conf_calendar_find(conf, c[i].cal), &b, &e) > 0 &&
		    strcmp(b.buf, c[i].words) == 0;
		if (!ok)
			printf("# %s: '%s'\n", c[i].cal, b.buf != NULL ? b.buf : "");
	}
	buf_release(&b);
	CHECK(ok, "5031 weekly hours in words: Monday first, like days together, spans sorted");
}

int
main(void)
{
	struct err e = ERR_INIT;
	struct conf *conf = NULL;
	const struct conf_calendar *cc;
	int i;

	/* The zone file reader against glibc first: TZ is ours to set here. */
	test_offsets();
	test_local();
	test_format();
	test_format_repeated();
	test_slim();

	if (conf_load_mem("t-sla.conf", calendars, sizeof(calendars) - 1, 0, &conf,
	    NULL, &e) == -1) {
		printf("Bail out! calendars do not load: %s\n", e.msg);
		return 1;
	}
	for (i = 0; i < NCAL; i++) {
		if ((cc = conf_calendar_find(conf, cal_names[i])) == NULL ||
		    tz_load(cc->timezone, &zones[i], &e) == -1 ||
		    sla_calendar_init(&cals[i], cc, zones[i], &e) == -1) {
			printf("Bail out! calendar %s: %s\n", cal_names[i], e.msg);
			return 1;
		}
	}
	test_hours_words(conf);
	test_business();
	test_runs();
	test_clocks();
	for (i = 0; i < NCAL; i++) {
		sla_calendar_release(&cals[i]);
		tz_free(zones[i]);
	}
	conf_free(conf);
	return tap_done();
}
