/* smtp_compose.c -- RFC 5322 / MIME message composition; see
 * smtp_compose.h.  References: RFC 5322 (headers, folding at 78, 998 at
 * most), RFC 2045 (quoted-printable, 76-character lines), RFC 2046
 * (multipart/alternative: the preferred part last), RFC 2047 (encoded
 * words of at most 75 characters, never inside a quoted string). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/text.h"
#include "common/util.h"
#include "connectors/smtp_compose.h"

#define LINE_SOFT	78	/* fold headers before this */
#define HEADER_MAX	900	/* characters of text in one header */
#define ENCODED_CHUNK	39	/* bytes per encoded word: 52 base64, 64 in all */

/*
 * Headers.
 */

static int
all_plain(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	return strstr(s, "=?") == NULL;
}

/* Length of the current (last) line of b. */
static size_t
line_len(const struct buf *b)
{
	size_t i = b->len;

	while (i > 0 && b->buf[i - 1] != '\n')
		i--;
	return b->len - i;
}

/* Plain ASCII words, folded before LINE_SOFT where a space allows. */
static int
fold_words(struct buf *b, const char *s, struct err *e)
{
	const char *w = s, *end;
	size_t wl;
	int first = 1;

	while (*w != '\0') {
		end = strchr(w, ' ');
		wl = end != NULL ? (size_t)(end - w) : strlen(w);
		if (!first) {
			if (line_len(b) + 1 + wl > LINE_SOFT) {
				if (buf_add(b, "\r\n ", 3, e) == -1)
					return -1;
			} else if (buf_addch(b, ' ', e) == -1)
				return -1;
		}
		if (buf_add(b, w, wl, e) == -1)
			return -1;
		first = 0;
		w += wl;
		while (*w == ' ')
			w++;
	}
	return 0;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
base64(struct buf *b, const unsigned char *p, size_t n, struct err *e)
{
	char out[4];
	uint32_t v;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[0] = b64[v >> 18];
		out[1] = b64[(v >> 12) & 63];
		out[2] = b64[(v >> 6) & 63];
		out[3] = b64[v & 63];
		if (buf_add(b, out, 4, e) == -1)
			return -1;
	}
	if (i < n) {
		v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		out[0] = b64[v >> 18];
		out[1] = b64[(v >> 12) & 63];
		out[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[3] = '=';
		if (buf_add(b, out, 4, e) == -1)
			return -1;
	}
	return 0;
}

/* Valid UTF-8 as RFC 2047 B-encoded words, split between characters and
 * folded; adjacent encoded words join without the space between them. */
static int
encoded_words(struct buf *b, const char *s, struct err *e)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, chunk, len;
	uint32_t cp;

	while (i < n) {
		chunk = 0;
		while (i + chunk < n) {
			len = utf8_decode(p + i + chunk, n - i - chunk, &cp);
			if (len == 0)
				len = 1;	/* cannot happen after text_oneline */
			if (chunk + len > ENCODED_CHUNK)
				break;
			chunk += len;
		}
		if (i > 0 && buf_add(b, "\r\n ", 3, e) == -1)
			return -1;
		else if (i == 0 && line_len(b) + 64 > LINE_SOFT &&
		    buf_add(b, "\r\n ", 3, e) == -1)
			return -1;
		if (buf_addstr(b, "=?UTF-8?B?", e) == -1 || base64(b, p + i, chunk, e) == -1 ||
		    buf_addstr(b, "?=", e) == -1)
			return -1;
		i += chunk;
	}
	return 0;
}

int
compose_header_text(struct buf *b, const char *name, const char *value,
    struct err *e)
{
	struct buf clean = BUF_INIT(HEADER_MAX * 2);
	int ret;

	if (text_oneline(&clean, value, HEADER_MAX, e) == -1) {
		buf_release(&clean);
		return -1;
	}
	if (buf_printf(b, e, "%s: ", name) == -1)
		ret = -1;
	else if (clean.len == 0)
		ret = 0;
	else if (all_plain(clean.buf))
		ret = fold_words(b, clean.buf, e);
	else
		ret = encoded_words(b, clean.buf, e);
	if (ret == 0)
		ret = buf_add(b, "\r\n", 2, e);
	buf_release(&clean);
	return ret;
}

int
compose_addr_ok(const char *s)
{
	const char *at = strchr(s, '@');
	const unsigned char *p;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    strlen(s) > 254)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("<>()[],;:\"\\", *p) != NULL)
			return 0;
	return 1;
}

int
compose_addr_spec(const char *s, char *out, size_t len)
{
	const char *lt = strrchr(s, '<'), *gt;
	size_t n;

	if (lt != NULL) {
		if ((gt = strchr(lt, '>')) == NULL || gt[1] != '\0')
			return -1;
		n = (size_t)(gt - lt - 1);
		if (n >= len)
			return -1;
		memcpy(out, lt + 1, n);
		out[n] = '\0';
	} else if (esc_strlcpy(out, s, len) >= len)
		return -1;
	return compose_addr_ok(out) ? 0 : -1;
}

void
compose_domain(const char *from, char *out, size_t len)
{
	const char *at = from != NULL ? strrchr(from, '@') : NULL;

	if (at == NULL || at[1] == '\0' || at[1] == '>')
		(void)esc_strlcpy(out, "localhost", len);
	else
		(void)snprintf(out, len, "%.*s", (int)strcspn(at + 1, ">"), at + 1);
}

/* One address, with its display name quoted or encoded as it needs. */
static int
one_addr(struct buf *b, const char *s, struct err *e)
{
	struct buf name = BUF_INIT(HEADER_MAX * 2);
	char addr[256], *raw = NULL;
	const char *lt = strrchr(s, '<'), *p;
	int ret = -1, plain = 1;

	if (compose_addr_spec(s, addr, sizeof(addr)) == -1)
		return err_set(e, ERR_DATA, "invalid address '%s'", s);
	if (lt != NULL && lt > s) {
		if ((raw = strndup(s, (size_t)(lt - s))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory composing a message");
		if (text_oneline(&name, raw, 200, e) == -1)
			goto out;
	}
	if (name.len > 0) {
		/* A quoted string stays readable; encoded words may not go in
		 * one (RFC 2047 section 5), so non-ASCII names are all encoded. */
		for (p = name.buf; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				plain = 0;
		if (plain && strstr(name.buf, "=?") == NULL) {
			if (buf_addch(b, '"', e) == -1)
				goto out;
			for (p = name.buf; *p != '\0'; p++)
				if (((*p == '"' || *p == '\\') && buf_addch(b, '\\', e) == -1) ||
				    buf_addch(b, *p, e) == -1)
					goto out;
			if (buf_addch(b, '"', e) == -1)
				goto out;
		} else if (encoded_words(b, name.buf, e) == -1)
			goto out;
		if (buf_printf(b, e, " <%s>", addr) == -1)
			goto out;
	} else if (buf_addstr(b, addr, e) == -1)
		goto out;
	ret = 0;
out:
	free(raw);
	buf_release(&name);
	return ret;
}

int
compose_header_addrs(struct buf *b, const char *name, const char *const *addrs,
    size_t count, struct err *e)
{
	size_t i, before;

	if (buf_printf(b, e, "%s: ", name) == -1)
		return -1;
	for (i = 0; i < count; i++) {
		if (i > 0 && buf_addch(b, ',', e) == -1)
			return -1;
		before = b->len;
		if (i > 0 && buf_addch(b, ' ', e) == -1)
			return -1;
		if (one_addr(b, addrs[i], e) == -1)
			return -1;
		/* Too long for the line: put it on a line of its own. */
		if (i > 0 && line_len(b) > LINE_SOFT && strchr(b->buf + before, '\n') == NULL) {
			char *copy = strndup(b->buf + before + 1, b->len - before - 1);

			if (copy == NULL)
				return err_set(e, ERR_NOMEM, "out of memory composing a message");
			b->len = before;
			if (buf_add(b, "\r\n ", 3, e) == -1 || buf_addstr(b, copy, e) == -1) {
				free(copy);
				return -1;
			}
			free(copy);
		}
	}
	return buf_add(b, "\r\n", 2, e);
}

/* A header of ours (Message-ID, References): printable ASCII only, folded
 * at spaces. */
static int
header_ours(struct buf *b, const char *name, const char *value, struct err *e)
{
	if (!all_plain(value) || strlen(value) > 900)
		return err_set(e, ERR_SOFTWARE, "invalid %s '%s'", name, value);
	if (buf_printf(b, e, "%s: ", name) == -1 || fold_words(b, value, e) == -1)
		return -1;
	return buf_add(b, "\r\n", 2, e);
}

/*
 * Bodies.
 */

int
compose_qp(struct buf *b, const char *text, struct err *e)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(text != NULL ? text : "");
	size_t col = 0, tl;
	char tok[3];
	unsigned char c;

	for (; *p != '\0'; p++) {
		c = *p;
		if (c == '\r' && p[1] == '\n')
			continue;
		if (c == '\n') {
			if (buf_add(b, "\r\n", 2, e) == -1)
				return -1;
			col = 0;
			continue;
		}
		/* Literal: printable ASCII but '=', and blanks not at a line end. */
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && p[1] != '\n' && p[1] != '\r' && p[1] != '\0')) {
			tok[0] = (char)c;
			tl = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			tl = 3;
		}
		if (col + tl > 75) {
			if (buf_add(b, "=\r\n", 3, e) == -1)
				return -1;
			col = 0;
		}
		if (buf_add(b, tok, tl, e) == -1)
			return -1;
		col += tl;
	}
	if (col > 0)
		return buf_add(b, "\r\n", 2, e);
	return 0;
}

static int
date_header(struct buf *b, time_t t, struct err *e)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return err_set(e, ERR_SOFTWARE, "invalid date %lld", (long long)t);
	return buf_printf(b, e, "Date: %s, %d %s %d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int
smtp_compose(const struct compose *c, struct buf *b, struct err *e)
{
	const char *from = c->from;
	char boundary[40];
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a of the Message-ID */
	const unsigned char *p;
	size_t i;

	if (c->message_id == NULL || c->message_id[0] != '<' ||
	    c->message_id[strlen(c->message_id) - 1] != '>')
		return err_set(e, ERR_SOFTWARE, "invalid Message-ID '%s'",
		    c->message_id ? c->message_id : "");
	for (p = (const unsigned char *)c->message_id; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	/* "=_" cannot occur in quoted-printable text, so neither can this. */
	(void)snprintf(boundary, sizeof(boundary), "=_escalator_%016llx",
	    (unsigned long long)h);

	if (date_header(b, c->date, e) == -1 ||
	    compose_header_addrs(b, "From", &from, 1, e) == -1 ||
	    (c->to_count > 0 && compose_header_addrs(b, "To", c->to, c->to_count, e) == -1) ||
	    (c->cc_count > 0 && compose_header_addrs(b, "Cc", c->cc, c->cc_count, e) == -1) ||
	    compose_header_text(b, "Subject", c->subject, e) == -1 ||
	    header_ours(b, "Message-ID", c->message_id, e) == -1 ||
	    (c->in_reply_to != NULL &&
	    header_ours(b, "In-Reply-To", c->in_reply_to, e) == -1) ||
	    (c->references != NULL &&
	    header_ours(b, "References", c->references, e) == -1))
		return -1;
	for (i = 0; i < c->extra_count; i++) {
		if (!all_plain(c->extra[i]) || strstr(c->extra[i], ": ") == NULL)
			return err_set(e, ERR_SOFTWARE, "invalid header '%s'", c->extra[i]);
		if (buf_printf(b, e, "%s\r\n", c->extra[i]) == -1)
			return -1;
	}
	if (buf_addstr(b, "MIME-Version: 1.0\r\n", e) == -1)
		return -1;
	if (c->html == NULL)
		return buf_addstr(b, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", e) == -1 ||
		    compose_qp(b, c->text, e) == -1 ? -1 : 0;
	if (buf_printf(b, e, "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"%s\"\r\n\r\n"
	    "This is a message in MIME format: plain text, then HTML.\r\n\r\n"
	    "--%s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	    boundary, boundary) == -1 || compose_qp(b, c->text, e) == -1 ||
	    buf_printf(b, e, "\r\n--%s\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary) == -1 ||
	    compose_qp(b, c->html, e) == -1 ||
	    buf_printf(b, e, "\r\n--%s--\r\n", boundary) == -1)
		return -1;
	return 0;
}
