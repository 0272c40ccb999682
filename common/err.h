/* err.h -- the one error struct every fallible function fills.
 *
 * Functions return 0 on success and -1 on failure with a caller-owned
 * struct err filled in; lookups return 1 found, 0 absent, -1 error.
 * Messages follow git's wording: lowercase, no full stop, subject quoted. */
#ifndef ESC_ERR_H
#define ESC_ERR_H

enum err_code {
	ERR_NONE = 0,
	ERR_USAGE,	/* bad arguments */
	ERR_DATA,	/* bad input data */
	ERR_NOINPUT,	/* a named file is missing */
	ERR_IO,		/* read or write failed */
	ERR_CONFIG,	/* configuration */
	ERR_STORE,	/* the database */
	ERR_NET,	/* a server away or refusing */
	ERR_NOMEM,
	ERR_SOFTWARE	/* our bug */
};

struct err {
	int	 code;
	char	 file[256];	/* with line, col: 1-based; "" if not a file */
	int	 line, col;
	char	 msg[512];
};

#define ERR_INIT	{ 0, "", 0, 0, "" }

/* Fills e (which may be NULL) and returns -1, so callers can write
 * `return err_set(e, ERR_IO, "cannot open '%s': %s", path, strerror(errno));` */
int	err_set(struct err *e, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Like err_set, with a file position for messages of the form file:line:col. */
int	err_setpos(struct err *e, int code, const char *file, int line, int col,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void	err_clear(struct err *e);
/* The sysexits.h code for an error code, for the command line. */
int	err_exit_code(const struct err *e);
/* "file:line:col: msg", or just msg; returns buf. */
const char *err_str(const struct err *e, char *buf, size_t len);

#endif
