/* util.c -- time stamps, bounded copies; see util.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"

/* Days since 1970-01-01 of a proleptic Gregorian date, without timegm's
 * dependence on TZ (Howard Hinnant's days_from_civil, a published formula). */
long
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
time_parse(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	long off = 0;
	const char *p;
	char *end;

	if (s[0] == '@') {
		long long v;

		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno != 0 || end == s + 1 || *end != '\0')
			return -1;
		*out = (time_t)v;
		return 0;
	}
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
			return -1;
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &sec))
				return -1;
			p += 3;
			if (*p == '.')		/* fractions are dropped */
				for (p++; isdigit((unsigned char)*p); p++)
					;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
			return -1;
		off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
		p += 6;
	}
	if (*p != '\0')
		return -1;
	*out = (time_t)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400L +
	    h * 3600L + mi * 60L + sec - off);
	return 0;
}

char *
time_rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, len, "@%lld", (long long)t);
	return buf;
}

double
time_mono(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);	/* cannot fail for MONOTONIC */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *
time_age(time_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		(void)snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		(void)snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 86400 * 2)
		(void)snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		(void)snprintf(buf, len, "%lldd", (long long)(s / 86400));
	return buf;
}

static volatile sig_atomic_t stop_flag;

void
stop_request(void)
{
	stop_flag = 1;
}

int
stop_requested(void)
{
	return stop_flag != 0;
}

char *
dec_put(char *w, unsigned long long v)
{
	char d[20];
	size_t n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		*w++ = d[--n];
	return w;
}

size_t
esc_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

char *
ascii_lower(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

int
secret_read(const char *path, char *buf, size_t len, struct err *e)
{
	ssize_t n;
	size_t got = 0;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, ERR_CONFIG, "cannot open '%s': %s", path, strerror(errno));
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			(void)close(fd);	/* read-only: nothing to lose */
			return err_set(e, ERR_CONFIG, "cannot read '%s': %s", path,
			    strerror(saved));
		}
		got += (size_t)n;
	}
	(void)close(fd);
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0')
		return err_set(e, ERR_CONFIG, "secret file '%s' is empty", path);
	return 0;
}
