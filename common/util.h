/* util.h -- small helpers with no better home: time stamps in and out,
 * bounded string copies, ASCII case folding. */
#ifndef ESC_UTIL_H
#define ESC_UTIL_H

#include <stddef.h>
#include <time.h>

/* Parses "2026-11-20T12:00:00Z", "2026-11-20T13:00:00+01:00",
 * "2026-11-20 12:00[:00]" (UTC) or "2026-11-20" (midnight UTC), or "@SECONDS".
 * Returns 0, or -1 if s is none of those. */
int	 time_parse(const char *s, time_t *out);
/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
long	 days_from_civil(long y, unsigned m, unsigned d);
/* RFC 3339 in UTC, "2026-11-20T12:00:00Z"; buf needs 21 bytes; returns buf. */
char	*time_rfc3339(time_t t, char *buf, size_t len);
/* Seconds on the monotonic clock, for rates and timeouts. */
double	 time_mono(void);
/* A short age, "45s", "12m", "3h", "2d". */
char	*time_age(time_t seconds, char *buf, size_t len);

/* The process-wide stop request: set from a signal handler (it only
 * stores a sig_atomic_t) and read by blocking network code, so that
 * SIGTERM ends a stalled read at once instead of after its timeout. */
void	 stop_request(void);
int	 stop_requested(void);

/* Copies with truncation, always NUL-terminated; returns strlen(src) so
 * truncation is `ret >= size`, as BSD strlcpy does. */
size_t	 esc_strlcpy(char *dst, const char *src, size_t size);
/* Lowercases ASCII in place; returns s. */
char	*ascii_lower(char *s);
/* The decimal digits of v at w (up to 20, no NUL); returns their end.
 * For numbers on hot paths, where snprintf's format parsing costs more
 * than the rest of the work. */
char	*dec_put(char *w, unsigned long long v);
/* The first line of the secret file at path, without its newline, into
 * buf (the caller wipes it): a password, a token.  ERR_CONFIG naming the
 * file when it cannot be read or is empty; the secret is never in e. */
struct err;
int	 secret_read(const char *path, char *buf, size_t len, struct err *e);
/* ASCII classes and case, whatever the locale: mail headers, dates,
 * amounts and the configuration are read byte by byte. */
static inline int
ascii_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int
ascii_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
ascii_tolower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

#endif
