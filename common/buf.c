/* buf.c -- growable, capped byte buffer; see buf.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"

void
buf_init(struct buf *b, size_t max)
{
	b->buf = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

static int
buf_grow(struct buf *b, size_t add, struct err *e)
{
	size_t need, cap;
	char *p;

	if (add > b->max || b->len > b->max - add)
		return err_set(e, ERR_DATA, "data larger than the limit of %zu bytes", b->max);
	need = b->len + add + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	if ((p = realloc(b->buf, cap)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
	b->buf = p;
	b->cap = cap;
	return 0;
}

int
buf_add_grow(struct buf *b, const void *data, size_t len, struct err *e)
{
	if (buf_grow(b, len, e) == -1)
		return -1;
	if (len > 0)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int
buf_printf(struct buf *b, struct err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(e, ERR_SOFTWARE, "bad format '%s'", fmt);
	if (buf_grow(b, (size_t)n, e) == -1)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);	/* sized above */
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->buf != NULL)
		b->buf[0] = '\0';
}

void
buf_release(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p = b->buf;

	if (p == NULL)
		p = strdup("");
	if (len != NULL)
		*len = b->len;
	b->buf = NULL;
	b->len = b->cap = 0;
	return p;
}
