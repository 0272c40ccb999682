/* tz.c -- TZif zone files and POSIX TZ rules; see tz.h.
 *
 * Format: RFC 8536.  A version 2+ file holds a 32-bit block (skipped),
 * a 64-bit block (transition times, the type of each, the types: offset,
 * isdst, abbreviation index) and a footer "\nRULE\n" giving the rule for
 * times after the last transition (POSIX.1 TZ syntax with the RFC's
 * extension of hours up to 167 and negative rule times).  Debian ships
 * "fat" files with transitions to 2037, other systems "slim" ones that
 * stop at the last rule change (1996 for Europe/Berlin): both work.
 * Every count and offset is checked against the buffer: the input is a
 * file, not trusted memory. */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/tz.h"
#include "common/util.h"

#define TZDIR_DEFAULT	"/usr/share/zoneinfo"
#define TZ_TYPES_MAX	256
#define TZ_TIMES_MAX	(TZ_FILE_MAX / 9)

/* A rule date: Jn (1-365, no Feb 29), n (0-365), or Mm.w.d. */
enum { RD_JULIAN1 = 0, RD_ZERO, RD_MONTH };
struct rule_date {
	int	 kind;
	int	 n, m, w, d;
	long	 secs;		/* local time of day of the change, may be < 0 */
};

struct tz_rule {
	long		 std_off, dst_off;	/* seconds east of UTC */
	int		 has_dst;
	struct rule_date start, end;
};

struct tz {
	char		*name;
	int64_t		*times;		/* transitions, ascending */
	unsigned char	*types;		/* type index of each transition */
	size_t		 times_count;
	long		*offs;		/* type -> seconds east of UTC */
	size_t		 offs_count;
	int		 has_rule;
	struct tz_rule	 rule;
};

/*
 * Calendar helpers.
 */

void
tz_civil(long day, int *y, int *m, int *d)
{
	/* Howard Hinnant's civil_from_days, the inverse of days_from_civil. */
	long z = day + 719468, era, yy;
	unsigned doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static long
floor_div(int64_t a, long b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return (long)q;
}

/* The day number of a rule date in year y. */
static long
rule_day(const struct rule_date *r, long y)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long jan1 = days_from_civil(y, 1, 1), first, day;
	int len, wday;

	switch (r->kind) {
	case RD_JULIAN1:
		return jan1 + r->n - 1 + (is_leap(y) && r->n >= 60);
	case RD_ZERO:
		return jan1 + r->n;
	default:
		first = days_from_civil(y, (unsigned)r->m, 1);
		wday = (int)(((first + 4) % 7 + 7) % 7);	/* 1970-01-01: thursday */
		len = mdays[r->m - 1] + (r->m == 2 && is_leap(y));
		day = (r->d - wday + 7) % 7 + 7L * (r->w - 1);
		while (day >= len)
			day -= 7;
		return first + day;
	}
}

static long
rule_offset(const struct tz_rule *r, time_t t)
{
	int64_t s, e;
	int y, m, d;

	if (!r->has_dst)
		return r->std_off;
	tz_civil(floor_div((int64_t)t + r->std_off, 86400), &y, &m, &d);
	/* The start is given in standard time, the end in daylight time. */
	s = (int64_t)rule_day(&r->start, y) * 86400 + r->start.secs - r->std_off;
	e = (int64_t)rule_day(&r->end, y) * 86400 + r->end.secs - r->dst_off;
	if (s < e)
		return (t >= s && t < e) ? r->dst_off : r->std_off;
	return (t >= e && t < s) ? r->std_off : r->dst_off;	/* southern */
}

long
tz_offset(const struct tz *z, time_t t)
{
	size_t lo, hi, mid;

	if (z->times_count == 0)
		return z->has_rule ? rule_offset(&z->rule, t) : z->offs[0];
	if ((int64_t)t < z->times[0])
		return z->offs[0];
	if ((int64_t)t >= z->times[z->times_count - 1] && z->has_rule)
		return rule_offset(&z->rule, t);
	lo = 0;			/* times[lo] <= t < times[hi] */
	hi = z->times_count;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->times[mid] <= (int64_t)t)
			lo = mid;
		else
			hi = mid;
	}
	return z->offs[z->types[lo]];
}

time_t
tz_utc(const struct tz *z, long day, long secs)
{
	int64_t local = (int64_t)day * 86400 + secs;
	long before, after;
	time_t t1, t2;
	int ok1, ok2;

	/* The offsets a day either side: no zone changes twice in two days. */
	before = tz_offset(z, (time_t)(local - 86400));
	after = tz_offset(z, (time_t)(local + 86400));
	t1 = (time_t)(local - before);
	t2 = (time_t)(local - after);
	ok1 = tz_offset(z, t1) == before;
	ok2 = tz_offset(z, t2) == after;
	if (ok1 && ok2)
		return t1 < t2 ? t1 : t2;
	if (ok2)
		return t2;
	return t1;		/* valid, or the gap read with the old offset */
}

long
tz_local_day(const struct tz *z, time_t t, long *secs)
{
	int64_t local = (int64_t)t + tz_offset(z, t);
	long day = floor_div(local, 86400);

	if (secs != NULL)
		*secs = (long)(local - (int64_t)day * 86400);
	return day;
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

/* " (UTC+2)", " (UTC-3:30)" after a wall time that the clocks show twice
 * (02:30 in Berlin on the last Sunday of October, once at each offset):
 * the name of the zone alone cannot tell a deadline from the one an hour
 * later.  "" for every other time. */
static const char *
repeated_offset(const struct tz *z, time_t t, char *buf, size_t len)
{
	long off = tz_offset(z, t), other[2], a;
	int64_t local = (int64_t)t + off;
	int i;

	buf[0] = '\0';
	/* The offsets a day either side, as tz_utc reads a wall time. */
	other[0] = tz_offset(z, (time_t)(local - 86400));
	other[1] = tz_offset(z, (time_t)(local + 86400));
	for (i = 0; i < 2; i++)
		if (other[i] != off && tz_offset(z, (time_t)(local - other[i])) == other[i])
			break;
	if (i == 2)
		return buf;
	a = off < 0 ? -off : off;
	if (a % 3600 == 0)
		(void)snprintf(buf, len, " (UTC%c%ld)", off < 0 ? '-' : '+', a / 3600);
	else
		(void)snprintf(buf, len, " (UTC%c%ld:%02ld)", off < 0 ? '-' : '+', a / 3600,
		    a % 3600 / 60);
	return buf;
}

char *
tz_format(const struct tz *z, time_t t, int with_zone, char *buf, size_t len)
{
	/* Our own names: strftime's %a and %b follow the locale, and a
	 * notice must not change language with the daemon's environment. */
	static const char *const days[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	long secs, day = z != NULL ? tz_local_day(z, t, &secs) :
	    (long)floor_div((int64_t)t, 86400);
	char offset[32] = "";
	int y, m, d;

	if (z == NULL)
		secs = (long)((int64_t)t - (int64_t)day * 86400);
	else
		(void)repeated_offset(z, t, offset, sizeof(offset));
	tz_civil(day, &y, &m, &d);
	(void)snprintf(buf, len, "%s %d %s %d %02ld:%02ld%s%s%s",
	    days[((day % 7) + 7) % 7], d, months[m - 1], y, secs / 3600, secs % 3600 / 60,
	    offset, with_zone ? " " : "", with_zone ? (z != NULL ? z->name : "UTC") : "");
	return buf;
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->times);
	free(z->types);
	free(z->offs);
	free(z);
}

/*
 * The POSIX TZ rule of the footer: std offset [dst [offset] ,start[/time],end[/time]]
 */

static int
tzs_name(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '<') {
		for (p++; *p != '\0' && *p != '>'; p++)
			n++;
		if (*p != '>' || n < 3)
			return -1;
		*pp = p + 1;
		return 0;
	}
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		p++;
		n++;
	}
	if (n < 3)
		return -1;
	*pp = p;
	return 0;
}

/* [+-]hh[:mm[:ss]], hours up to max; seconds into *out. */
static int
tzs_time(const char **pp, int max_hours, long *out)
{
	const char *p = *pp;
	long v[3] = { 0, 0, 0 };
	int sign = 1, i, digits;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (*p != ':')
				break;
			p++;
		}
		for (digits = 0; *p >= '0' && *p <= '9' && digits < 3; digits++)
			v[i] = v[i] * 10 + (*p++ - '0');
		if (digits == 0 || (i > 0 && (digits != 2 || v[i] > 59)))
			return -1;
	}
	if (v[0] > max_hours)
		return -1;
	*out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	*pp = p;
	return 0;
}

static int
tzs_num(const char **pp, int min, int max, int *out)
{
	const char *p = *pp;
	int v = 0, digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 4) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || v < min || v > max)
		return -1;
	*out = v;
	*pp = p;
	return 0;
}

static int
tzs_date(const char **pp, struct rule_date *r)
{
	const char *p = *pp;

	memset(r, 0, sizeof(*r));
	r->secs = 7200;		/* 02:00 unless said */
	if (*p == 'J') {
		p++;
		r->kind = RD_JULIAN1;
		if (tzs_num(&p, 1, 365, &r->n) == -1)
			return -1;
	} else if (*p == 'M') {
		p++;
		r->kind = RD_MONTH;
		if (tzs_num(&p, 1, 12, &r->m) == -1 || *p++ != '.' ||
		    tzs_num(&p, 1, 5, &r->w) == -1 || *p++ != '.' ||
		    tzs_num(&p, 0, 6, &r->d) == -1)
			return -1;
	} else {
		r->kind = RD_ZERO;
		if (tzs_num(&p, 0, 365, &r->n) == -1)
			return -1;
	}
	if (*p == '/') {
		p++;
		if (tzs_time(&p, 167, &r->secs) == -1)
			return -1;
	}
	*pp = p;
	return 0;
}

static int
tzs_parse(const char *s, struct tz_rule *r)
{
	const char *p = s;
	long off;

	memset(r, 0, sizeof(*r));
	if (tzs_name(&p) == -1 || tzs_time(&p, 24, &off) == -1)
		return -1;
	r->std_off = -off;	/* POSIX counts west */
	if (*p == '\0')
		return 0;
	if (tzs_name(&p) == -1)
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if (tzs_time(&p, 24, &off) == -1)
			return -1;
		r->dst_off = -off;
	}
	/* A footer always states its rule; no implementation default. */
	if (*p++ != ',' || tzs_date(&p, &r->start) == -1 || *p++ != ',' ||
	    tzs_date(&p, &r->end) == -1 || *p != '\0')
		return -1;
	return 0;
}

/*
 * TZif.
 */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	size_t	 isut, isstd, leap, time, type, chars;
};

/* Reads a header at buf[off]; returns the size of the data block that
 * follows, for times of tsize bytes, or 0 when the header is bad. */
static size_t
tzif_header(const unsigned char *buf, size_t len, size_t off, size_t tsize,
    struct tzif_counts *c)
{
	const unsigned char *h = buf + off;

	if (len < off || len - off < 44 || memcmp(h, "TZif", 4) != 0)
		return 0;
	c->isut = be32(h + 20);
	c->isstd = be32(h + 24);
	c->leap = be32(h + 28);
	c->time = be32(h + 32);
	c->type = be32(h + 36);
	c->chars = be32(h + 40);
	if (c->type == 0 || c->type > TZ_TYPES_MAX || c->time > TZ_TIMES_MAX ||
	    c->leap > TZ_TIMES_MAX || c->chars > TZ_FILE_MAX ||
	    (c->isut != 0 && c->isut != c->type) ||
	    (c->isstd != 0 && c->isstd != c->type))
		return 0;
	return c->time * tsize + c->time + c->type * 6 + c->chars +
	    c->leap * (tsize + 4) + c->isstd + c->isut;
}

int
tz_load_mem(const char *name, const unsigned char *buf, size_t len,
    struct tz **out, struct err *e)
{
	struct tzif_counts c;
	struct tz *z;
	const unsigned char *p;
	size_t off = 0, size, tsize = 4, i;
	char footer[256];
	const unsigned char *nl;

	*out = NULL;
	if ((size = tzif_header(buf, len, 0, 4, &c)) == 0)
		goto bad;
	if (buf[4] >= '2') {
		/* Skip the 32-bit block for the 64-bit one. */
		off = 44 + size;
		tsize = 8;
		if ((size = tzif_header(buf, len, off, 8, &c)) == 0)
			goto bad;
	}
	if (len - off - 44 < size)
		goto bad;
	if ((z = calloc(1, sizeof(*z))) == NULL ||
	    (z->name = strdup(name)) == NULL ||
	    (c.time > 0 && ((z->times = calloc(c.time, sizeof(*z->times))) == NULL ||
	    (z->types = malloc(c.time)) == NULL)) ||
	    (z->offs = calloc(c.type, sizeof(*z->offs))) == NULL) {
		tz_free(z);
		return err_set(e, ERR_NOMEM, "out of memory loading time zone '%s'", name);
	}
	p = buf + off + 44;
	z->times_count = c.time;
	z->offs_count = c.type;
	for (i = 0; i < c.time; i++, p += tsize)
		z->times[i] = tsize == 8 ? be64(p) : (int32_t)be32(p);
	for (i = 0; i < c.time; i++, p++) {
		if (*p >= c.type || (i > 0 && z->times[i] <= z->times[i - 1]))
			goto bad_free;
		z->types[i] = *p;
	}
	for (i = 0; i < c.type; i++, p += 6) {
		z->offs[i] = (int32_t)be32(p);
		if (z->offs[i] < -25 * 3600 || z->offs[i] > 26 * 3600)
			goto bad_free;
	}
	/* Abbreviations, leap seconds and the std/ut indicators: unused. */
	off += 44 + size;
	if (tsize == 8 && off < len && buf[off] == '\n') {
		nl = memchr(buf + off + 1, '\n', len - off - 1);
		if (nl == NULL || (size_t)(nl - (buf + off + 1)) >= sizeof(footer))
			goto bad_free;
		memcpy(footer, buf + off + 1, (size_t)(nl - (buf + off + 1)));
		footer[nl - (buf + off + 1)] = '\0';
		if (footer[0] != '\0') {
			if (tzs_parse(footer, &z->rule) == -1)
				goto bad_free;
			z->has_rule = 1;
		}
	}
	*out = z;
	return 0;

bad_free:
	tz_free(z);
bad:
	return err_set(e, ERR_CONFIG, "time zone '%s' is not a valid TZif file", name);
}

int
tz_load(const char *name, struct tz **out, struct err *e)
{
	const char *dir = getenv("TZDIR");
	unsigned char *buf = NULL;
	char path[1024];
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, w, saved, ret;

	*out = NULL;
	if (dir == NULL || *dir == '\0')
		dir = TZDIR_DEFAULT;
	/* The name is a path below dir: no absolute paths, no "..". */
	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL)
		return err_set(e, ERR_CONFIG, "invalid time zone '%s'", name);
	w = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (w < 0 || (size_t)w >= sizeof(path))
		return err_set(e, ERR_CONFIG, "invalid time zone '%s'", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		saved = errno;
		return err_set(e, saved == ENOENT ? ERR_NOINPUT : ERR_IO,
		    "cannot open time zone '%s': %s", path, strerror(saved));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		(void)close(fd);	/* read-only: nothing to flush */
		return err_set(e, ERR_CONFIG, "time zone '%s' is not a zone file", path);
	}
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			(void)close(fd);
			free(buf);
			return err_set(e, ERR_IO, "cannot read time zone '%s': %s",
			    path, strerror(saved));
		}
		len += (size_t)n;
	}
	(void)close(fd);
	ret = tz_load_mem(name, buf, len, out, e);
	free(buf);
	return ret;
}
