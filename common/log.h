/* log.h -- syslog-levelled logging, one line per event, key=value.
 *
 * The daemon logs to syslog, a command (or `run -f`) to stderr; the calls
 * are the same.  log_warn appends strerror(errno) saved on entry, as
 * OpenSMTPD's log.c does; log_warnx does not.  Text from outside (subjects,
 * addresses, server replies) goes through log_escape first. */
#ifndef ESC_LOG_H
#define ESC_LOG_H

#include <stddef.h>
#include <syslog.h>

void	log_init(int to_stderr, int level);	/* level: LOG_ERR .. LOG_DEBUG */
int	log_level(void);
void	log_msg(int pri, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Copies s into out, replacing control characters, quotes and backslashes
 * by \xNN escapes and cutting at len - 1 bytes; returns out. */
const char *log_escape(const char *s, char *out, size_t len);

#endif
