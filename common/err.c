/* err.c -- filling and printing struct err; see err.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "common/err.h"

static void
err_vset(struct err *e, int code, const char *fmt, va_list ap)
{
	e->code = code;
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);	/* truncation is fine for a message */
}

int
err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->file[0] = '\0';
	e->line = e->col = 0;
	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_setpos(struct err *e, int code, const char *file, int line, int col,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	(void)snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->line = line;
	e->col = col;
	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	memset(e, 0, sizeof(*e));
}

int
err_exit_code(const struct err *e)
{
	switch (e->code) {
	case ERR_NONE:		return 0;
	case ERR_USAGE:		return EX_USAGE;
	case ERR_DATA:		return EX_DATAERR;
	case ERR_NOINPUT:	return EX_NOINPUT;
	case ERR_IO:		return EX_IOERR;
	case ERR_CONFIG:	return EX_CONFIG;
	case ERR_STORE:		return EX_IOERR;
	case ERR_NET:		return EX_TEMPFAIL;
	case ERR_NOMEM:		return EX_OSERR;
	default:		return EX_SOFTWARE;
	}
}

const char *
err_str(const struct err *e, char *buf, size_t len)
{
	if (e->file[0] != '\0' && e->line > 0 && e->col > 0)
		(void)snprintf(buf, len, "%s:%d:%d: %s", e->file, e->line, e->col, e->msg);
	else if (e->file[0] != '\0' && e->line > 0)
		(void)snprintf(buf, len, "%s:%d: %s", e->file, e->line, e->msg);
	else if (e->file[0] != '\0')
		(void)snprintf(buf, len, "%s: %s", e->file, e->msg);
	else
		(void)snprintf(buf, len, "%s", e->msg);
	return buf;
}
