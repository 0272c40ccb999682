/* autoreply.c -- the tier 0 acknowledgement: guards, help links, subject
 * and body; see autoreply.h.  Pure string work over the configuration
 * (rules/conf.h) and a message's plain fields.
 *
 * Two guards read header fields that intake does not keep (List-*,
 * X-Auto-Response-Suppress): they scan the raw header here, once, only
 * for a message that would be acknowledged, so mail on channels without
 * an autoreply block pays nothing for them.  They are not loop-safety
 * signals for intake (mime.c says why: web forms put List-Id on human
 * mail), but RFC 3834 asks automatic responders to honour them. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/text.h"
#include "common/tz.h"
#include "rules/autoreply.h"
#include "rules/conf.h"
#include "rules/notify.h"
#include "rules/sla.h"

#define HEADER_SCAN_MAX	(256 * 1024)	/* a header longer than this is not mail */

/* A byte of a word: ASCII letters and digits, and any byte of a UTF-8
 * sequence, so that "café" is one word. */
static int
word_byte(unsigned char c)
{
	return c >= 0x80 || ascii_isdigit(c) || ascii_isalpha(c);
}

static int
blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- header fields intake does not keep ------------------------------ */

/* Calls back for each field of the header of raw (an mbox From_ line
 * skipped) with its name and unfolded-enough value: the value runs to
 * the end of the field, continuation lines included, CR/LF left in.
 * Stops when cb returns nonzero and returns that. */
static int
header_each(const char *raw, size_t len,
    int (*cb)(const char *name, size_t nlen, const char *val, size_t vlen, void *),
    void *arg)
{
	const char *p = raw, *end, *eol, *colon, *vend;
	int r;

	if (raw == NULL)
		return 0;
	if (len > HEADER_SCAN_MAX)
		len = HEADER_SCAN_MAX;
	end = raw + len;
	if (len >= 5 && memcmp(raw, "From ", 5) == 0)
		p = (eol = memchr(p, '\n', len)) != NULL ? eol + 1 : end;
	while (p < end && *p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n')) {
		eol = memchr(p, '\n', (size_t)(end - p));
		vend = eol != NULL ? eol : end;
		/* The field goes on while the next line starts with a blank. */
		while (eol != NULL && eol + 1 < end && (eol[1] == ' ' || eol[1] == '\t')) {
			eol = memchr(eol + 1, '\n', (size_t)(end - eol - 1));
			vend = eol != NULL ? eol : end;
		}
		colon = memchr(p, ':', (size_t)(vend - p));
		if (colon != NULL && colon > p &&
		    (r = cb(p, (size_t)(colon - p), colon + 1, (size_t)(vend - colon - 1), arg)) != 0)
			return r;
		p = eol != NULL ? eol + 1 : end;
	}
	return 0;
}

struct header_verdict {
	const char	*why;		/* AUTOREPLY guard name, NULL: none */
	char		 field[40];
};

static int
header_field(const char *name, size_t nlen, const char *val, size_t vlen, void *arg)
{
	static const char *const lists[] = { "list-id", "list-help", "list-subscribe",
		"list-unsubscribe", "list-post", "list-owner", "list-archive" };
	struct header_verdict *v = arg;
	const char *w, *end = val + vlen;
	size_t i, wl;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (nlen == strlen(lists[i]) && strncasecmp(name, lists[i], nlen) == 0) {
			v->why = "mailing-list";
			(void)snprintf(v->field, sizeof(v->field), "%.*s", (int)nlen, name);
			return 1;
		}
	if (nlen != 24 || strncasecmp(name, "x-auto-response-suppress", 24) != 0)
		return 0;
	/* A comma-separated list: DR, NDR, RN, NRN, OOF, AutoReply, All. */
	for (w = val; w < end; w += wl) {
		while (w < end && (blank((unsigned char)*w) || *w == ','))
			w++;
		for (wl = 0; w + wl < end && !blank((unsigned char)w[wl]) && w[wl] != ','; wl++)
			continue;
		if ((wl == 3 && strncasecmp(w, "all", 3) == 0) ||
		    (wl == 9 && strncasecmp(w, "autoreply", 9) == 0)) {
			v->why = "suppressed";
			(void)snprintf(v->field, sizeof(v->field),
			    "X-Auto-Response-Suppress: %.*s", (int)wl, w);
			return 1;
		}
	}
	return 0;
}

/* ---- addresses -------------------------------------------------------- */

/* The addr-spec of "Name <addr>" or "addr", as a span. */
static const char *
addr_part(const char *s, size_t *len)
{
	const char *lt = strrchr(s, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL) {
		*len = (size_t)(gt - lt - 1);
		return lt + 1;
	}
	*len = strlen(s);
	return s;
}

/* Local parts that belong to machines or lists (RFC 3834 section 2 names
 * owner- and -request; the rest are what senders write when they will
 * not read an answer). */
static int
no_reply_local(const char *local, size_t n)
{
	static const char *const exact[] = { "mailer-daemon", "postmaster", "listserv",
		"majordomo", "bounce", "bounces", "daemon" };
	static const char *const prefix[] = { "noreply", "no-reply", "no_reply",
		"donotreply", "do-not-reply", "do_not_reply", "owner-" };
	static const char *const suffix[] = { "-request", "-bounces", "-noreply",
		"-no-reply" };
	const char *plus = memchr(local, '+', n);
	size_t i, l;

	if (plus != NULL)		/* noreply+tag@ */
		n = (size_t)(plus - local);
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (n == strlen(exact[i]) && strncasecmp(local, exact[i], n) == 0)
			return 1;
	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (n >= (l = strlen(prefix[i])) && strncasecmp(local, prefix[i], l) == 0)
			return 1;
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		if (n >= (l = strlen(suffix[i])) &&
		    strncasecmp(local + n - l, suffix[i], l) == 0)
			return 1;
	return 0;
}

/* ---- the guards ------------------------------------------------------- */

const char *
autoreply_check(const struct conf_autoreply *ar, const struct autoreply_msg *m,
    char *detail, size_t len)
{
	struct header_verdict hv;
	const char *to = m->to != NULL ? m->to : "", *at, *own;
	size_t i, olen;

	detail[0] = '\0';
	if (m->auto_reason != NULL) {
		(void)snprintf(detail, len, "%s", m->auto_detail != NULL ? m->auto_detail :
		    m->auto_reason);
		return "automatic";
	}
	memset(&hv, 0, sizeof(hv));
	if (header_each(m->raw, m->raw_len, header_field, &hv) != 0) {
		(void)snprintf(detail, len, "%s", hv.field);
		return hv.why;
	}
	at = strrchr(to, '@');
	if (at == NULL || at == to || at[1] == '\0' || strchr(to, '@') != at) {
		(void)snprintf(detail, len, "'%s'", to);
		return "no-address";
	}
	for (i = 0; i < m->own_count; i++) {
		own = addr_part(m->own[i], &olen);
		if (olen == strlen(to) && strncasecmp(own, to, olen) == 0) {
			(void)snprintf(detail, len, "%s", to);
			return "own-address";
		}
	}
	if (no_reply_local(to, (size_t)(at - to))) {
		(void)snprintf(detail, len, "%s", to);
		return "no-reply";
	}
	if (m->now - m->received > ar->max_age) {
		(void)snprintf(detail, len, "arrived %lld s before, max-age %ld s",
		    (long long)(m->now - m->received), ar->max_age);
		return "too-old";
	}
	return NULL;
}

int
autoreply_recent(time_t last, time_t received)
{
	return last != 0 && received - last < AUTOREPLY_INTERVAL;
}

/* ---- help links ------------------------------------------------------- */

/* Does kw match at s (s at a word start)?  Blanks match runs of white
 * space; a final '*' any rest of a word. */
static int
match_at(const char *s, const char *kw)
{
	const unsigned char *t = (const unsigned char *)s, *k = (const unsigned char *)kw;

	while (*k != '\0') {
		if (*k == '*' && k[1] == '\0')
			return 1;
		if (*k == ' ') {
			if (!blank(*t))
				return 0;
			while (blank(*t))
				t++;
			k++;
			continue;
		}
		if (ascii_tolower(*t) != ascii_tolower(*k))
			return 0;
		t++;
		k++;
	}
	return !word_byte(*t);
}

static int
occurs(const char *text, const char *kw)
{
	const unsigned char *t = (const unsigned char *)text;
	int first = ascii_tolower((unsigned char)kw[0]);

	if (text == NULL)
		return 0;
	for (; *t != '\0'; t++)
		if (ascii_tolower(*t) == first &&
		    (t == (const unsigned char *)text || !word_byte(t[-1])) &&
		    match_at((const char *)t, kw))
			return 1;
	return 0;
}

size_t
autoreply_links(const struct conf_autoreply *ar, const char *subject,
    const char *text, size_t *idx, size_t max)
{
	const struct conf_help *h;
	size_t i, j, n = 0;
	int dup;

	for (i = 0; i < ar->help_count && n < max; i++) {
		h = &ar->help[i];
		for (dup = 0, j = 0; j < n && !dup; j++)
			dup = strcmp(ar->help[idx[j]].url, h->url) == 0;
		if (dup)
			continue;
		for (j = 0; j < h->keywords_count; j++)
			if (occurs(subject, h->keywords[j]) || occurs(text, h->keywords[j])) {
				idx[n++] = i;
				break;
			}
	}
	return n;
}

/* ---- subject and body ------------------------------------------------- */

int
autoreply_subject(const struct conf_autoreply *ar, int64_t ticket,
    const char *customer_subject, struct buf *out, struct err *e)
{
	const char *s = customer_subject != NULL ? customer_subject : "";

	while (blank((unsigned char)*s))
		s++;
	if (buf_printf(out, e, "[#%lld] ", (long long)ticket) == -1)
		return -1;
	if (ar->subject != NULL)
		return buf_addstr(out, ar->subject, e);
	if (*s == '\0')
		return buf_addstr(out, "We received your message", e);
	if (strncasecmp(s, "re:", 3) != 0 && buf_addstr(out, "Re: ", e) == -1)
		return -1;
	return buf_addstr(out, s, e);
}

#define AUTOREPLY_WRAP	72	/* columns of the lines we add */

/* "We aim to answer within 1 hour during our business hours (Mon-Fri
 * 09:00-17:30, Europe/Berlin time)."  A target counted in business time
 * is business time: a 2-day target of a 09:00-17:30 calendar takes most
 * of a working week, so a day or more is said in business hours rather
 * than in days a customer would count on the wall calendar. */
static int
promise_words(const struct autoreply_promise *p, struct buf *out, struct err *e)
{
	struct buf hours = BUF_INIT(1024), line = BUF_INIT(2048);
	char dur[64];
	int r, groups = 0;

	if (p == NULL || p->target <= 0)
		return 0;
	if (p->calendar != NULL &&
	    (groups = sla_hours_words(p->calendar, &hours, e)) <= 0) {
		buf_release(&hours);
		return groups;		/* -1, or a calendar that never opens */
	}
	if (p->calendar == NULL)
		r = buf_printf(&line, e, "We aim to answer within %s.",
		    notify_duration_spelled(p->target, dur, sizeof(dur)));
	else if (p->target < 86400)
		r = buf_printf(&line, e, "We aim to answer within %s during our business "
		    "hours (%s, %s time).", notify_duration_spelled(p->target, dur,
		    sizeof(dur)), hours.buf, p->calendar->timezone);
	else
		r = buf_printf(&line, e, "We aim to answer within %ld business hours (%s, "
		    "%s time).", (p->target + 3599) / 3600, hours.buf, p->calendar->timezone);
	/* "Within 1 hour" read on a Friday evening or before a holiday
	 * promises what the clock does not: say the day.  A clock that never
	 * comes due (SLA_NEVER: a target the calendar's hours do not reach
	 * within the sweep's search) has no day to say. */
	if (r == 0 && p->calendar != NULL && p->tz != NULL && p->due > 0 &&
	    p->due != SLA_NEVER && p->due > p->from + p->target) {
		char when[TZ_FORMAT_MAX];

		r = buf_printf(&line, e, " Counting only our business hours, expect our "
		    "answer by %s (%s time).", tz_format(p->tz, p->due, 0, when, sizeof(when)),
		    p->calendar->timezone);
	}
	if (r == 0)
		r = text_wrap(out, line.buf, 0, AUTOREPLY_WRAP, 0, e) == -1 ||
		    buf_addch(out, '\n', e) == -1 ? -1 : 0;
	buf_release(&hours);
	buf_release(&line);
	return r;
}

int
autoreply_body(const struct conf_autoreply *ar, int64_t ticket,
    const struct autoreply_promise *promise, const size_t *idx, size_t count,
    struct buf *out, struct err *e)
{
	size_t i, start = out->len;

	/* The number is the one thing the configured text cannot know; the
	 * tag is written as the subject carries it, so it can be quoted. */
	if (buf_addstr(out, ar->text != NULL ? ar->text : "", e) == -1)
		return -1;
	while (out->len > start && out->buf[out->len - 1] == '\n')
		out->len--;	/* a text file's last line ends in one */
	if (out->len > start && buf_addstr(out, "\n\n", e) == -1)
		return -1;
	if (promise_words(promise, out, e) == -1 ||
	    buf_printf(out, e, "Your ticket number: [#%lld]\n", (long long)ticket) == -1)
		return -1;
	if (count == 0)
		return 0;
	if (buf_printf(out, e, "\n%s\n", ar->help_intro != NULL ? ar->help_intro :
	    "These pages may help:") == -1)
		return -1;
	for (i = 0; i < count; i++)
		if (buf_printf(out, e, "- %s\n", ar->help[idx[i]].url) == -1)
			return -1;
	return 0;
}
