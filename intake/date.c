/* date.c -- RFC 5322 dates and the malformed ones real mailers write; see
 * date.h.
 *
 * The string is read as tokens in any order, the way lenient readers such
 * as Thunderbird do: words (weekday, month, zone, AM/PM), numbers (day,
 * year), a clock time "h:mm[:ss]" and a signed zone offset.  Comments in
 * parentheses are skipped.  ISO 8601 ("2024-03-05T10:00:00Z") is tried
 * first because its dashes would otherwise read as zone signs.  No libc
 * time functions: those depend on TZ; days_from_civil does not. */
#include "config.h"

#include <string.h>

#include "common/util.h"
#include "intake/date.h"

#define YEAR_MIN	1900	/* RFC 5322 section 3.3 */
#define YEAR_MAX	9999

struct zone {
	const char	*name;
	int		 minutes;	/* east of UTC */
};

/* RFC 5322 section 4.3, then a few unambiguous names seen in old mail.
 * Anything else alphabetic means "unknown", read as -0000 (4.3 again). */
static const struct zone zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "cet", 60 }, { "cest", 120 }, { "met", 60 }, { "mest", 120 },
	{ "mez", 60 }, { "mesz", 120 }, { "bst", 60 }, { "wet", 0 },
	{ "west", 60 }, { "eet", 120 }, { "eest", 180 }, { "jst", 540 },
	{ "kst", 540 }, { "hkt", 480 }, { "sgt", 480 }, { "aest", 600 },
	{ "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
};

static const char *const months[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};
static const char *const weekdays[7] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
};

struct date_parts {
	int	 year, year_digits, month, day;
	int	 hour, min, sec;
	int	 have_time, nums, pm, am;
	int	 offset;		/* minutes east of UTC */
	int	 offset_set;		/* 2 numeric, 1 named */
};

/* Up to max digits at *s as a number; the count read, 0 if none. */
static int
number(const char **s, int max, int *out)
{
	int n = 0, v = 0;

	while (n < max && ascii_isdigit(**s)) {
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	*out = v;
	return n;
}

/* 1 if word (len letters, lowercased) names a whole or 3+-letter prefix of
 * full, as "mar", "march", "sept", "thurs" do. */
static int
prefix_of(const char *word, size_t len, const char *full)
{
	/* The first letter first: every word of a date is tried against
	 * the months and weekdays, and it rules out all but one or two. */
	return len >= 3 && word[0] == full[0] && len <= strlen(full) &&
	    strncmp(word, full, len) == 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* The checked result: -1 when a field is out of range. */
static int
date_finish(struct date_parts *d, time_t *out)
{
	long days;

	if (d->month < 1 || d->month > 12 || d->year < YEAR_MIN || d->year > YEAR_MAX ||
	    d->day < 1 || d->day > days_in_month(d->year, d->month) ||
	    d->hour > 23 || d->min > 59 || d->sec > 60)
		return -1;
	days = days_from_civil(d->year, (unsigned)d->month, (unsigned)d->day);
	*out = (time_t)(days * 86400L + d->hour * 3600L + d->min * 60L + d->sec -
	    d->offset * 60L);
	return 0;
}

/* "+0100", "-05", "+05:30", "+1" after the sign; -1 if out of range. */
static int
zone_offset(const char **s, int sign, int *out)
{
	int v, h, m = 0, n;

	n = number(s, 4, &v);
	if (n == 0)
		return -1;
	if (n <= 2) {
		h = v;
		if (**s == ':' && ascii_isdigit((*s)[1])) {
			(*s)++;
			if (number(s, 2, &m) != 2)
				return -1;
		}
	} else {
		h = v / 100;
		m = v % 100;
	}
	if (h > 23 || m > 59)
		return -1;
	*out = sign * (h * 60 + m);
	return 0;
}

/* Skips white space, commas and comments (nested, perhaps unterminated). */
static const char *
skip_space(const char *s)
{
	int depth;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == ',')
			s++;
		if (*s != '(')
			return s;
		for (depth = 0; *s != '\0'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '(')
				depth++;
			else if (*s == ')' && --depth == 0) {
				s++;
				break;
			}
		}
	}
}

/* "2024-03-05T10:00:00Z", "2024-03-05 10:00:00+01:00", "2024-03-05", and
 * W3C-DTF's month "2024-03" (feeds' dc:date). */
static int
date_iso(const char *s, time_t *out)
{
	struct date_parts d;

	memset(&d, 0, sizeof(d));
	if (number(&s, 4, &d.year) != 4 || *s++ != '-' || number(&s, 2, &d.month) != 2)
		return -1;
	if (*skip_space(s) == '\0') {
		d.day = 1;
		return date_finish(&d, out);
	}
	if (*s++ != '-' || number(&s, 2, &d.day) != 2)
		return -1;
	if (*s == 'T' || *s == 't' || (*s == ' ' && ascii_isdigit(s[1]))) {
		s++;
		if (number(&s, 2, &d.hour) != 2 || *s++ != ':' || number(&s, 2, &d.min) != 2)
			return -1;
		if (*s == ':') {
			s++;
			if (number(&s, 2, &d.sec) != 2)
				return -1;
			if (*s == '.' || *s == ',')	/* fractions are dropped */
				for (s++; ascii_isdigit(*s); s++)
					;
		}
		s = skip_space(s);
		if (*s == 'Z' || *s == 'z')
			s++;
		else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1;

			if (zone_offset(&s, sign, &d.offset) == -1)
				return -1;
		} else if (strncasecmp(s, "utc", 3) == 0 || strncasecmp(s, "gmt", 3) == 0)
			s += 3;
	}
	if (*skip_space(s) != '\0')
		return -1;
	return date_finish(&d, out);
}

/* A word of letters: month, weekday (ignored), AM/PM, or a zone name once
 * the time is read; other words before the time are noise ("at"). */
static void
date_word(struct date_parts *d, const char *w, size_t len)
{
	char lw[16];
	size_t i;

	if (len >= sizeof(lw))
		return;
	for (i = 0; i < len; i++)
		lw[i] = (char)ascii_tolower((unsigned char)w[i]);
	lw[len] = '\0';
	for (i = 0; i < 12; i++)
		if (prefix_of(lw, len, months[i])) {
			d->month = (int)i + 1;
			return;
		}
	for (i = 0; i < 7; i++)
		if (prefix_of(lw, len, weekdays[i]))
			return;
	if (strcmp(lw, "am") == 0 || strcmp(lw, "pm") == 0) {
		*(lw[0] == 'a' ? &d->am : &d->pm) = 1;
		return;
	}
	if (!d->have_time || d->offset_set == 2)
		return;		/* "at", "the", noise before the time */
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strcmp(lw, zones[i].name) == 0) {
			d->offset = zones[i].minutes;
			d->offset_set = 1;
			return;
		}
	/* Military zones and unknown names: -0000, "time unknown" (4.3). */
	d->offset = 0;
	d->offset_set = 1;
}

/* A number not part of the time: day, year, or a zone without its sign. */
static int
date_number(struct date_parts *d, int v, int n)
{
	if (d->nums == 0) {
		/* "2024 Mar 5"; "029 Apr 2019" is a day with a zero too many,
		 * as a mailing-list bounce writes it, since 3-digit years are
		 * the 1900s (049) and not written first. */
		if (n == 4 || v > 31) {
			d->year = v;
			d->year_digits = n;
		} else
			d->day = v;
	} else if (d->nums == 1) {
		if (d->year_digits > 0)
			d->day = v;
		else {
			d->year = v;
			d->year_digits = n;
		}
	} else if (d->nums == 2 && d->have_time && n == 4 && d->offset_set != 2) {
		if (v / 100 > 23 || v % 100 > 59)	/* "10:00:00 0100" */
			return -1;
		d->offset = v / 100 * 60 + v % 100;
		d->offset_set = 2;
		return 0;
	} else
		return -1;
	d->nums++;
	return 0;
}

int
date_parse(const char *s, time_t *out)
{
	struct date_parts d;
	const char *w;
	int v, n, sign;

	s = skip_space(s);
	if (ascii_isdigit(s[0]) && ascii_isdigit(s[1]) && ascii_isdigit(s[2]) &&
	    ascii_isdigit(s[3]) && s[4] == '-')
		return date_iso(s, out);
	memset(&d, 0, sizeof(d));
	for (s = skip_space(s); *s != '\0'; s = skip_space(s)) {
		if (ascii_isalpha(*s)) {
			for (w = s; ascii_isalpha(*s); s++)
				;
			date_word(&d, w, (size_t)(s - w));
			if (*s == '.')		/* "Mar." */
				s++;
		} else if (ascii_isdigit(*s)) {
			/* Numbers after a whole date with its zone are a second
			 * date, where a tool joined two Date fields with a comma
			 * (Enron's export): the first is read, as words after
			 * it are passed over. */
			if (d.month != 0 && d.nums >= 2 && d.have_time && d.offset_set == 2)
				break;
			if ((n = number(&s, 9, &v)) > 4)
				return -1;
			/* "2020/1/10": the year first, so not ambiguous the
			 * way "03/05/2024" is. */
			if (n == 4 && *s == '/' && d.nums == 0 && ascii_isdigit(s[1])) {
				s++;
				d.year = v;
				d.year_digits = 4;
				if (number(&s, 2, &d.month) == 0 || *s++ != '/' ||
				    number(&s, 2, &d.day) == 0)
					return -1;
				d.nums = 2;
				continue;
			}
			if (*s == ':' && !d.have_time) {
				d.hour = v;
				s++;
				if (number(&s, 2, &d.min) != 2)
					return -1;
				if (*s == ':') {
					s++;
					if (number(&s, 2, &d.sec) != 2)
						return -1;
				}
				if (*s == '.' && ascii_isdigit(s[1]))	/* fractions */
					for (s++; ascii_isdigit(*s); s++)
						;
				d.have_time = 1;
				continue;
			}
			if (date_number(&d, v, n) == -1)
				return -1;
			if (ascii_isalpha(s[0]) && ascii_isalpha(s[1]) && !ascii_isalpha(s[2]) &&
			    (strncasecmp(s, "st", 2) == 0 || strncasecmp(s, "nd", 2) == 0 ||
			    strncasecmp(s, "rd", 2) == 0 || strncasecmp(s, "th", 2) == 0))
				s += 2;		/* "5th" */
		} else if ((*s == '+' || *s == '-') && d.have_time && ascii_isdigit(s[1])) {
			sign = *s++ == '-' ? -1 : 1;
			if (zone_offset(&s, sign, &d.offset) == -1)
				return -1;
			d.offset_set = 2;
		} else
			s++;		/* "-" in "5-Mar-2024", stray punctuation */
	}
	if (d.month == 0 || d.nums < 2)
		return -1;
	if (d.year_digits <= 2)		/* RFC 5322 4.3: 00-49 is 20xx */
		d.year += d.year < 50 ? 2000 : 1900;
	else if (d.year_digits == 3)
		d.year += 1900;
	if (d.pm && d.hour >= 1 && d.hour < 12)
		d.hour += 12;
	else if (d.am && d.hour == 12)
		d.hour = 0;
	return date_finish(&d, out);
}
