/* tz.h -- IANA time zones read from the zone database, without TZ.
 *
 * localtime_r and mktime answer for the one zone named by the process-wide
 * TZ variable; switching it per call (setenv + tzset) is slow, re-reads the
 * zone file at every switch and is not safe once the daemon has threads.
 * This module reads a zone's TZif file once (RFC 8536: transitions, then
 * the POSIX TZ rule in its footer for times past the last transition) into
 * a struct tz that answers both directions with no global state: UTC ->
 * offset, and local wall time -> UTC.
 *
 * tz_load does I/O (one file under TZDIR, default /usr/share/zoneinfo);
 * every other function is pure, so rules/sla.c can borrow a loaded zone.
 * Leap-second tables ("right/" zones) are ignored: escalator counts POSIX
 * seconds, as time() does.  A struct tz is owned by whoever loaded it. */
#ifndef ESC_TZ_H
#define ESC_TZ_H

#include <stddef.h>
#include <time.h>

struct err;
struct tz;

#define TZ_FILE_MAX	(256 * 1024)	/* the largest zone file is ~4 KB */

/* Loads zone name ("Europe/Berlin", "UTC") from $TZDIR or
 * /usr/share/zoneinfo.  Returns 0, or -1 with e set (ERR_CONFIG for a bad
 * name or file, ERR_NOINPUT when it is missing). */
int	tz_load(const char *name, struct tz **out /* OUT */, struct err *e);
/* The same from the bytes of a TZif file (tests, fuzzing). */
int	tz_load_mem(const char *name, const unsigned char *buf, size_t len,
	    struct tz **out /* OUT */, struct err *e);
void	tz_free(struct tz *);			/* NULL-safe */
const char *tz_name(const struct tz *);

/* Seconds east of UTC in effect at t (3600 for CET, 7200 for CEST). */
long	tz_offset(const struct tz *, time_t t);
/* The instant of local wall time `secs` seconds after midnight (0 to
 * 86400) of local day `day` (days since 1970-01-01 of the civil date).
 * A time that occurs twice (the autumn hour) gives its first instant; a
 * time that does not exist (the spring gap) is read with the offset in
 * force before the gap, so 02:30 on the spring-forward day is 03:30 of
 * the new offset, as glibc's mktime does with tm_isdst = -1. */
time_t	tz_utc(const struct tz *, long day, long secs);
/* The local civil day (days since 1970-01-01) and seconds into it of t. */
long	tz_local_day(const struct tz *, time_t t, long *secs /* OUT, may be NULL */);

/* "Mon 1 Jun 2026 10:00", then " Europe/Berlin" when with_zone: t as
 * people read it in zone z (NULL: UTC), English names whatever the
 * locale.  A wall time that occurs twice (the autumn hour) says its
 * offset: "Sun 25 Oct 2026 02:30 (UTC+1) Europe/Berlin".  buf holds
 * TZ_FORMAT_MAX bytes for any zone name.  Returns buf. */
#define TZ_FORMAT_MAX	96
char	*tz_format(const struct tz *z, time_t t, int with_zone, char *buf, size_t len);

/* Civil date of a day number (the inverse of days_from_civil). */
void	tz_civil(long day, int *y, int *m, int *d);

#endif
