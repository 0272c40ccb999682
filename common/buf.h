/* buf.h -- a growable byte buffer with a ceiling fixed at init.
 *
 * Every buffer grown from outside input has a ceiling (curl's "toobig"):
 * buf_add fails with ERR_DATA once len would pass max.  The contents are
 * always NUL-terminated after a successful add, so buf.buf can be used as a
 * C string when the data is text.  Owned by whoever called buf_init. */
#ifndef ESC_BUF_H
#define ESC_BUF_H

#include <stddef.h>
#include <string.h>

struct err;

struct buf {
	char	*buf;
	size_t	 len, cap, max;		/* max: ceiling fixed at init */
};

#define BUF_INIT(max)	{ NULL, 0, 0, (max) }

void	buf_init(struct buf *, size_t max);	/* cannot fail */
/* buf_add when the data does not fit the memory held: grows or fails. */
int	buf_add_grow(struct buf *, const void *, size_t, struct err *);
int	buf_printf(struct buf *, struct err *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	buf_reset(struct buf *);		/* len = 0, memory kept */
void	buf_release(struct buf *);		/* NULL-safe; back to empty */
/* Hands the contents to the caller (caller frees) and empties the buffer;
 * never NULL: an empty buffer yields "". NULL only when out of memory. */
char	*buf_detach(struct buf *, size_t *len /* OUT, may be NULL */);

/* Appends len bytes (NUL-terminated after them).  Inline for the common
 * case, room already held and the ceiling not reached: the importer adds
 * a few bytes at a time millions of times (event JSON, decoded text). */
static inline int
buf_add(struct buf *b, const void *data, size_t len, struct err *e)
{
	if (len < b->cap - b->len && len <= b->max - b->len) {
		if (len > 0)
			memcpy(b->buf + b->len, data, len);
		b->len += len;
		b->buf[b->len] = '\0';
		return 0;
	}
	return buf_add_grow(b, data, len, e);
}

static inline int
buf_addstr(struct buf *b, const char *s, struct err *e)
{
	return buf_add(b, s, strlen(s), e);
}

static inline int
buf_addch(struct buf *b, int c, struct err *e)
{
	char ch = (char)c;

	if (b->len + 1 < b->cap && b->len < b->max) {
		b->buf[b->len++] = ch;
		b->buf[b->len] = '\0';
		return 0;
	}
	return buf_add_grow(b, &ch, 1, e);
}

#endif
