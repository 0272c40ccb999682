/* buf.h -- a growable byte buffer with a ceiling fixed at init.
 *
 * Every buffer grown from outside input has a ceiling (curl's "toobig"):
 * buf_add fails with ERR_DATA once len would pass max.  The contents are
 * always NUL-terminated after a successful add, so buf.buf can be used as a
 * C string when the data is text.  Owned by whoever called buf_init. */
#ifndef ESC_BUF_H
#define ESC_BUF_H

#include <stddef.h>

struct err;

struct buf {
	char	*buf;
	size_t	 len, cap, max;		/* max: ceiling fixed at init */
};

#define BUF_INIT(max)	{ NULL, 0, 0, (max) }

void	buf_init(struct buf *, size_t max);	/* cannot fail */
int	buf_add(struct buf *, const void *, size_t, struct err *);
int	buf_addstr(struct buf *, const char *, struct err *);
int	buf_addch(struct buf *, int, struct err *);
int	buf_printf(struct buf *, struct err *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	buf_reset(struct buf *);		/* len = 0, memory kept */
void	buf_release(struct buf *);		/* NULL-safe; back to empty */
/* Hands the contents to the caller (caller frees) and empties the buffer;
 * never NULL: an empty buffer yields "". NULL only when out of memory. */
char	*buf_detach(struct buf *, size_t *len /* OUT, may be NULL */);

#endif
