/* t-date.c -- date_parse over a table of dates as real mailers write them:
 * RFC 5322, its obsolete forms (section 4.3), and the common malformed
 * ones.  Cases are numbered 2400-2499; `make check T=2411` runs one. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "intake/date.h"
#include "tests/tap.h"

static const struct date_case {
	int		 num;
	const char	*in;
	const char	*want;		/* RFC 3339 UTC, or NULL for "no date" */
} cases[] = {
	{ 2400, "Tue, 5 Mar 2024 10:00:00 +0100", "2024-03-05T09:00:00Z" },
	{ 2401, "5 Mar 2024 10:00:00 +0100", "2024-03-05T09:00:00Z" },
	{ 2402, "Tue, 5 Mar 2024 10:00 +0100", "2024-03-05T09:00:00Z" },
	{ 2403, "Tue, 05 Mar 24 10:00:00 GMT", "2024-03-05T10:00:00Z" },
	{ 2404, "Fri, 13 Nov 98 23:59:59 EST", "1998-11-14T04:59:59Z" },
	{ 2405, "Sat, 1 Jan 049 00:00:00 +0000", "1949-01-01T00:00:00Z" },
	{ 2406, "Mon, 4 Mar 2024 10:00:00 PDT", "2024-03-04T17:00:00Z" },
	{ 2407, "Tue, 5 Mar 2024 10:00:00 A", "2024-03-05T10:00:00Z" },
	{ 2408, "Tue (weekday), 5 Mar (month (nested)) 2024 10:00:00 +0100 (CET)",
	    "2024-03-05T09:00:00Z" },
	{ 2409, "  Tue,   5   Mar   2024   10:00:00   +0100  ", "2024-03-05T09:00:00Z" },
	{ 2410, "tue, 5 MAR 2024 10:00:00 gmt", "2024-03-05T10:00:00Z" },
	{ 2411, "Tue, 5 Mar 2024 10:00:00 GMT+0100", "2024-03-05T09:00:00Z" },
	{ 2412, "2024-03-05T10:00:00Z", "2024-03-05T10:00:00Z" },
	{ 2413, "2024-03-05T10:00:00+01:00", "2024-03-05T09:00:00Z" },
	{ 2414, "2024-03-05 10:00:00.123 -0500", "2024-03-05T15:00:00Z" },
	{ 2415, "Tue Mar  5 10:00:00 2024", "2024-03-05T10:00:00Z" },
	{ 2416, "Tue, 32 Mar 2024 10:00:00 +0100", NULL },
	{ 2417, "Fri, 30 Feb 2024 10:00:00 +0100", NULL },
	{ 2418, "Wed, 29 Feb 2023 10:00:00 +0100", NULL },
	{ 2419, "Thu, 29 Feb 2024 10:00:00 +0100", "2024-02-29T09:00:00Z" },
	{ 2420, "Tue, 5 Mar 2024 24:00:00 +0100", NULL },
	{ 2421, "Tue, 5 Mar 2024 10:60:00 +0100", NULL },
	{ 2422, "Tue, 5 Mar 2024 10:00:00 +0175", NULL },
	{ 2423, "", NULL },
	{ 2424, "yesterday", NULL },
	{ 2425, "03/05/2024 10:00", NULL },
	{ 2426, "Tue, 5 2024 10:00:00", NULL },
	{ 2427, "Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z" },
	{ 2428, "Tue, 5 Mar 2024\r\n 10:00:00 +0100", "2024-03-05T09:00:00Z" },
	{ 2429, "Tuesday, March 5, 2024 10:00 PM -0800", "2024-03-06T06:00:00Z" },
	{ 2430, "5-Mar-2024 10:00:00 +0100", "2024-03-05T09:00:00Z" },
	{ 2431, "1 Jan 50 00:00:00 +0000", "1950-01-01T00:00:00Z" },
	{ 2432, "1 Jan 49 00:00:00 +0000", "2049-01-01T00:00:00Z" },
	{ 2433, "Tue, 5 Mar 2024 10:00:00 -0000", "2024-03-05T10:00:00Z" },
	{ 2434, "Tue, 5 Mar 2024 10:00:00 +0530", "2024-03-05T04:30:00Z" },
	{ 2435, "Tue, 5 Mar 2024 10:00:00 UT", "2024-03-05T10:00:00Z" },
	{ 2436, "Sun, 1 Jan 1899 00:00:00 +0000", NULL },
	{ 2437, "Tue, 5 Mar 2024 10:00:00 +0100 (Westeurop\xc3\xa4ische Normalzeit)",
	    "2024-03-05T09:00:00Z" },
	{ 2438, "Wed, 31 Dec 2025 23:59:60 +0000", "2026-01-01T00:00:00Z" },
	{ 2439, "Tue, 5 Mar 2024 10:00:00 XYZ", "2024-03-05T10:00:00Z" },
	{ 2440, "Tue, 5 Mar 2024 10:00:00 CEST", "2024-03-05T08:00:00Z" },
	{ 2441, "Tue, 5 Sept 2023 10:00:00 +0200", "2023-09-05T08:00:00Z" },
	{ 2442, "Tue, 5 Mar 2024 10:00:00 UTC+05:30", "2024-03-05T04:30:00Z" },
	{ 2443, "2024-03-05", "2024-03-05T00:00:00Z" },
	{ 2444, "2024-13-05T10:00:00Z", NULL },
	{ 2445, "Mon, 1 Jan 2024 12:30:00 AM +0000", "2024-01-01T00:30:00Z" },
	{ 2446, "Tue, 5 Mar 2024 10:00:00 +0100 +0100 trailing words",
	    "2024-03-05T09:00:00Z" },
	{ 2447, "Tue, 5 Mar 123456 10:00:00 +0100", NULL },
	{ 2448, "Tue, 5 Mar 2024 10:00:00 0100", "2024-03-05T09:00:00Z" },
	{ 2449, "Sat, 1 Jan 2000 00:00:00 +2500", NULL },
	{ 2450, "March 5th, 2024 at 10:00 AM", "2024-03-05T10:00:00Z" },
	{ 2451, "Tue, 5 Mar 2024 10:00:00 (unterminated comment", "2024-03-05T10:00:00Z" },
	{ 2452, "Thu, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z" },
	{ 2453, "Tue, 5 Mar 2024 10:00:00 -0800 (PST)", "2024-03-05T18:00:00Z" },
	{ 2454, "Wed, 4 Apr 2001 13:19:00 -0700 (PDT),Wed, 4 Apr 2001 13:19:00 -0700  (PDT)",
	    "2001-04-04T20:19:00Z" },
	{ 2455, "Wed, 4 Apr 2001 13:19:00 -0700, 5 Apr 2001 09:00:00 +0000",
	    "2001-04-04T20:19:00Z" },
	/* Forms feeds write: W3C-DTF months (dc:date), year-first slashes. */
	{ 2456, "2024-03", "2024-03-01T00:00:00Z" },
	{ 2457, "2024-13", NULL },
	{ 2458, "2020/1/10 14:33:00", "2020-01-10T14:33:00Z" },
	{ 2459, "Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z" },
	{ 2460, "2020/13/10 14:33:00", NULL },
	{ 2461, "2020/1/", NULL },
	/* A zero-padded 3-digit day (a Google Groups bounce). */
	{ 2462, "Tue, 029 Apr 2019 23:34:45 -0800 (PST)", "2019-04-30T07:34:45Z" },
	{ 2463, "029 Apr 2019 23:34:45 +0000", "2019-04-29T23:34:45Z" },
};

int
main(void)
{
	char name[160], got[32];
	size_t i;
	time_t t;
	int r, ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct date_case *c = &cases[i];

		if (!tap_selected(c->num))
			continue;
		r = date_parse(c->in, &t);
		if (r == 0)
			(void)time_rfc3339(t, got, sizeof(got));
		else
			(void)snprintf(got, sizeof(got), "(none)");
		ok = c->want == NULL ? r == -1 : r == 0 && strcmp(got, c->want) == 0;
		(void)snprintf(name, sizeof(name), "%d date_parse '%s'", c->num, c->in);
		for (char *p = name; *p != '\0'; p++)	/* one TAP line */
			if (*p == '\r' || *p == '\n')
				*p = ' ';
		CHECK(ok, name);
		if (!ok)
			printf("# want %s, got %s\n", c->want ? c->want : "(none)", got);
	}
	return tap_done();
}
