/* text.c -- UTF-8 text made safe to show; see text.h. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/text.h"

#define FFFD	"\xef\xbf\xbd"

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    cp == 0x2028 || cp == 0x2029;
}

/* The explicit bidirectional embeddings, overrides and isolates (LRE ..
 * RLO, LRI .. PDI; Unicode UAX #9).  Text in any script shows right
 * without them, and one left unclosed in a customer's name or subject
 * reverses what follows it on the line: "[#4] ... - <RLO>gpj.exe" reads
 * backwards in a mail client's list.  They are dropped, as nothing. */
static int
is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void
trim_spaces(struct buf *b, size_t start)
{
	while (b->len > start && b->buf[b->len - 1] == ' ')
		b->len--;
	if (b->buf != NULL)
		b->buf[b->len] = '\0';
}

int
text_oneline(struct buf *b, const char *s, size_t max, struct err *e)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p), len, start = b->len, i;
	int space = 1;		/* drops leading spaces */
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		if ((len = utf8_decode(p + i, n - i, &cp)) == 0) {
			len = 1;
			cp = 0xfffd;
		}
		if (is_bidi_control(cp))
			continue;
		if (cp == ' ' || is_control(cp)) {
			if (!space && buf_addch(b, ' ', e) == -1)
				return -1;
			space = 1;
			continue;
		}
		if (b->len - start + (cp == 0xfffd ? 3 : len) > max) {
			trim_spaces(b, start);
			return buf_add(b, "...", 3, e);
		}
		if ((cp == 0xfffd && len == 1) ? buf_add(b, FFFD, 3, e) == -1 :
		    buf_add(b, p + i, len, e) == -1)
			return -1;
		space = 0;
	}
	trim_spaces(b, start);
	return 0;
}

int
text_lines(struct buf *b, const char *s, size_t max, size_t max_lines, struct err *e)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p), len, start = b->len, lines = 1, i;
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		if ((len = utf8_decode(p + i, n - i, &cp)) == 0) {
			len = 1;
			cp = 0xfffd;
		}
		if (cp == '\r' || cp == '\n') {
			if (cp == '\r' && i + 1 < n && p[i + 1] == '\n')
				len = 2;
			/* Trailing blanks of the line go with it. */
			while (b->len > start && (b->buf[b->len - 1] == ' ' ||
			    b->buf[b->len - 1] == '\t'))
				b->len--;
			if (++lines > max_lines)
				goto cut;
			if (buf_addch(b, '\n', e) == -1)
				return -1;
			continue;
		}
		if ((cp != '\t' && is_control(cp)) || is_bidi_control(cp))
			continue;
		if (b->len - start + len > max)
			goto cut;
		if ((cp == 0xfffd && len == 1) ? buf_add(b, FFFD, 3, e) == -1 :
		    buf_add(b, p + i, len, e) == -1)
			return -1;
	}
	while (b->len > start && (b->buf[b->len - 1] == '\n' || b->buf[b->len - 1] == ' ' ||
	    b->buf[b->len - 1] == '\t'))
		b->len--;
	if (b->buf != NULL)
		b->buf[b->len] = '\0';
	return 0;
cut:
	while (b->len > start && b->buf[b->len - 1] == '\n')
		b->len--;
	return buf_addstr(b, b->len > start ? "\n[...]" : "[...]", e);
}

/* Appends c escaped for HTML text and attribute values. */
static int
html_char(struct buf *b, char c, struct err *e)
{
	switch (c) {
	case '<': return buf_addstr(b, "&lt;", e);
	case '>': return buf_addstr(b, "&gt;", e);
	case '&': return buf_addstr(b, "&amp;", e);
	case '"': return buf_addstr(b, "&quot;", e);
	case '\'': return buf_addstr(b, "&#39;", e);
	default: return buf_addch(b, (unsigned char)c, e);
	}
}

/* 1 if the n bytes at w are a number. */
static int
is_number(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] < '0' || w[i] > '9')
			return 0;
	return n > 0;
}

/* 1 if the n bytes at w are a unit of time as durations are written
 * (notify_duration_words, the digest's window), a comma or full stop
 * after it allowed. */
static int
is_time_unit(const char *w, size_t n)
{
	static const char *const units[] = { "d", "day", "days", "h", "hour", "hours",
		"min", "minute", "minutes", "s" };
	size_t i;

	while (n > 0 && strchr(",.;:)", w[n - 1]) != NULL)
		n--;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i]) == n && memcmp(w, units[i], n) == 0)
			return 1;
	return 0;
}

/* Bytes of the duration that starts at w ("24 h", "3 days 4 h", "2 h 5
 * min": numbers each with its unit, one space apart), 0 if none starts
 * there.  A reader takes "24" at a line's end and "h" on the next for
 * two things, so neither wrapping nor a browser may split one. */
static size_t
duration_len(const char *w)
{
	const char *p = w;
	size_t k, u, len = 0;

	for (;;) {
		k = strcspn(p, " ");
		if (!is_number(p, k) || p[k] != ' ')
			break;
		u = strcspn(p + k + 1, " ");
		if (!is_time_unit(p + k + 1, u))
			break;
		p += k + 1 + u;
		len = (size_t)(p - w);
		if (*p != ' ')
			break;
		p++;
	}
	return len;
}

int
text_html_escape(struct buf *b, const char *s, struct err *e)
{
	int ret = 0;

	for (; s != NULL && *s != '\0' && ret == 0; s++) {
		ret = html_char(b, *s, e);
	}
	return ret;
}

int
text_html_words(struct buf *b, const char *s, struct err *e)
{
	size_t d;
	int ret = 0, start = 1;

	for (; s != NULL && *s != '\0' && ret == 0; s++) {
		if (start && (d = duration_len(s)) > 0) {
			for (; d > 0 && ret == 0; d--, s++)
				ret = *s == ' ' ? buf_addstr(b, "&nbsp;", e) : buf_addch(b, *s, e);
			if (*s == '\0' || ret != 0)
				break;
		}
		start = *s == ' ';
		ret = html_char(b, *s, e);
	}
	return ret;
}

int
text_html(struct buf *b, const char *s, size_t max, struct err *e)
{
	struct buf tmp = BUF_INIT(max * 4 + 16);
	int ret;

	if ((ret = text_oneline(&tmp, s, max, e)) == 0 && tmp.len > 0)
		ret = text_html_escape(b, tmp.buf, e);
	buf_release(&tmp);
	return ret;
}

/* Columns of a span of valid UTF-8: one per character (East Asian wide
 * characters count one too; close enough for a wrap column). */
static size_t
columns(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

int
text_wrap(struct buf *b, const char *s, size_t col, size_t width, size_t indent,
    struct err *e)
{
	const char *w;
	size_t n, wc;
	int first = 1;

	if (s == NULL)
		return 0;
	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		w = s;
		if ((n = duration_len(w)) == 0)
			n = strcspn(w, " ");
		wc = columns(w, n);
		if (!first && col + 1 + wc > width) {
			if (buf_printf(b, e, "\n%*s", (int)indent, "") == -1)
				return -1;
			col = indent;
		} else if (!first) {
			if (buf_addch(b, ' ', e) == -1)
				return -1;
			col++;
		}
		if (buf_add(b, w, n, e) == -1)
			return -1;
		col += wc;
		first = 0;
		s = w + n;
	}
	return 0;
}
