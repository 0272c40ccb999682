/* log.c -- logging to syslog or stderr; see log.h.  The level and the
 * destination are the only process-wide state, kept static here. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

static int	log_stderr = 1;
static int	log_max = LOG_INFO;

void
log_init(int to_stderr, int level)
{
	log_stderr = to_stderr;
	log_max = level;
	if (!to_stderr)
		openlog("escalator", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

int
log_level(void)
{
	return log_max;
}

static void
log_vmsg(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char line[2048];

	if (pri > log_max)
		return;
	(void)vsnprintf(line, sizeof(line), fmt, ap);	/* long lines are cut */
	if (log_stderr)
		fprintf(stderr, "escalator: %s%s%s\n", line,
		    suffix ? ": " : "", suffix ? suffix : "");
	else
		syslog(pri, "%s%s%s", line, suffix ? ": " : "", suffix ? suffix : "");
}

void
log_msg(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(pri, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap, strerror(saved_errno));
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

const char *
log_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (len == 0)
		return out;
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			if (o + 4 >= len)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			if (o + 1 >= len)
				break;
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}
