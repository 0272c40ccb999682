/* notify.c -- recipients and contents of SLA notifications; see notify.h.
 * Every string from outside goes through common/text.c before it is
 * written, and through html_escape before it reaches the HTML part. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "common/text.h"
#include "common/util.h"
#include "rules/conf.h"
#include "rules/notify.h"
#include "rules/sla.h"

/*
 * Recipients.
 */

static void
cc_add(struct notify_rcpts *r, const char *addr)
{
	size_t i;

	if (addr == NULL || *addr == '\0' || (r->to != NULL && strcasecmp(r->to, addr) == 0))
		return;
	for (i = 0; i < r->cc_count; i++)
		if (strcasecmp(r->cc[i], addr) == 0)
			return;
	if (r->cc_count < NOTIFY_CC_MAX)
		r->cc[r->cc_count++] = addr;
}

void
notify_recipients(const struct conf *conf, const struct ticket *t, int tier,
    int level, long earlier_breaches, struct notify_rcpts *out)
{
	const struct conf_department *dep = NULL;
	const struct conf_tier *ct = conf_tier_find(conf, tier), *up = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (t->department != NULL)
		dep = conf_department_find(conf, t->department);
	if (t->owner != NULL && *t->owner != '\0')
		out->to = t->owner;
	else if (dep != NULL && dep->owner != NULL)
		out->to = dep->owner;
	else if (ct != NULL)
		out->to = ct->owner;
	if (level != SLA_BREACH)
		return;
	if (dep != NULL)
		cc_add(out, dep->head);
	if (earlier_breaches > 0) {
		/* The next level up: the nearest configured tier above. */
		for (i = 0; i < conf->tiers_count; i++)
			if (conf->tiers[i].number > tier &&
			    (up == NULL || conf->tiers[i].number < up->number))
				up = &conf->tiers[i];
		if (up != NULL)
			cc_add(out, up->owner);
	}
	if (out->to == NULL && out->cc_count > 0) {
		out->to = out->cc[0];
		memmove(out->cc, out->cc + 1, --out->cc_count * sizeof(out->cc[0]));
	}
}

/*
 * Words.
 */

char *
notify_duration(long s, char *buf, size_t len)
{
	long d, h, m;

	if (s < 0)
		s = -s;
	d = s / 86400;
	h = s % 86400 / 3600;
	m = s % 3600 / 60;
	if (s < 60)
		(void)snprintf(buf, len, "%lds", s);
	else if (d > 0)
		(void)snprintf(buf, len, h > 0 ? "%ldd %ldh" : "%ldd", d, h);
	else if (h > 0)
		(void)snprintf(buf, len, m > 0 ? "%ldh %ldm" : "%ldh", h, m);
	else
		(void)snprintf(buf, len, "%ldm", m);
	return buf;
}

static const char *
level_words(int level)
{
	return level == SLA_BREACH ? "SLA breached" : "SLA warning";
}

int
notify_subject(const struct notice *n, struct buf *b, struct err *e)
{
	const struct ticket *t = n->ticket;

	if (buf_printf(b, e, "[#%lld] %s: %s (tier %d", (long long)t->id,
	    level_words(n->level), sla_kind_label(n->clock), n->tier) == -1)
		return -1;
	if (t->department != NULL && buf_addstr(b, ", ", e) == -1)
		return -1;
	if (t->department != NULL && text_oneline(b, t->department, 64, e) == -1)
		return -1;
	if (buf_addstr(b, ") - ", e) == -1)
		return -1;
	return text_oneline(b, t->subject != NULL && *t->subject != '\0' ? t->subject :
	    "(no subject)", NOTIFY_SUBJECT_MAX, e);
}

/* The newest customer message that has a score. */
static const struct notice_msg *
latest_scored(const struct notice *n)
{
	size_t i;

	for (i = n->msgs_count; i > 0; i--)
		if (n->msgs[i - 1].direction == DIR_IN && n->msgs[i - 1].scored)
			return &n->msgs[i - 1];
	return NULL;
}

static const char *
latest_url(const struct notice *n)
{
	size_t i;

	for (i = n->msgs_count; i > 0; i--)
		if (n->msgs[i - 1].url != NULL && *n->msgs[i - 1].url != '\0')
			return n->msgs[i - 1].url;
	return NULL;
}

static const char *
mood(double s)
{
	return s <= -0.05 ? "negative" : s >= 0.05 ? "positive" : "neutral";
}

/*
 * The facts, once, as label/value lines; both bodies print them.
 */

void
notify_fact(struct notify_facts *f, const char *label, const char *fmt, ...)
{
	va_list ap;

	if (f->count >= NOTIFY_FACTS_MAX)
		return;
	f->f[f->count].label = label;
	va_start(ap, fmt);
	/* A value cut at its size is fine: facts are one line each. */
	(void)vsnprintf(f->f[f->count].value, sizeof(f->f[f->count].value), fmt, ap);
	va_end(ap);
	f->count++;
}

const char *
notify_clean(const char *s, size_t max, char *out, size_t len)
{
	struct buf b = BUF_INIT(8192);

	out[0] = '\0';
	if (s != NULL && text_oneline(&b, s, max, NULL) == 0 && b.buf != NULL)
		(void)esc_strlcpy(out, b.buf, len);
	buf_release(&b);
	return out;
}

void
notify_fact_who(struct notify_facts *f, const struct ticket *t)
{
	char a[256], b[256];

	if (t->customer_name != NULL && *t->customer_name != '\0')
		notify_fact(f, "Customer", "%s <%s>", notify_clean(t->customer_name, 200, a,
		    sizeof(a)), notify_clean(t->customer, 200, b, sizeof(b)));
	else
		notify_fact(f, "Customer", "%s", t->customer ?
		    notify_clean(t->customer, 200, a, sizeof(a)) : "unknown");
	notify_fact(f, "Channel", "%s, %s", t->channel ?
	    notify_clean(t->channel, 100, a, sizeof(a)) : "unknown",
	    t->public ? "public" : "private");
}

int
notify_facts_text(struct buf *b, const char *subject, const struct notify_facts *f,
    struct err *e)
{
	char colon[16];
	size_t i;

	if (buf_addstr(b, "Subject:   ", e) == -1 ||
	    text_oneline(b, subject ? subject : "(no subject)", 300, e) == -1 ||
	    buf_addch(b, '\n', e) == -1)
		return -1;
	for (i = 0; i < f->count; i++) {
		(void)snprintf(colon, sizeof(colon), "%s:", f->f[i].label);
		if (buf_printf(b, e, "%-10s %s\n", colon, f->f[i].value) == -1)
			return -1;
	}
	return 0;
}

static void
facts(const struct notice *n, struct notify_facts *f)
{
	const struct ticket *t = n->ticket;
	const struct notice_msg *scored = latest_scored(n);
	const char *url = latest_url(n);
	char when[32], dur[32], a[256], b[256];
	int i, in = 0;

	f->count = 0;
	if (n->level == SLA_BREACH)
		notify_fact(f, "Deadline", "%s, %s late",
		    time_rfc3339(n->deadline, when, sizeof(when)),
		    notify_duration((long)(n->now - n->deadline), dur, sizeof(dur)));
	else
		notify_fact(f, "Deadline", "%s, %s left",
		    time_rfc3339(n->deadline, when, sizeof(when)),
		    n->deadline > n->now ? notify_duration((long)(n->deadline - n->now),
		    dur, sizeof(dur)) : "no time");
	notify_fact(f, "Tier", "%d%s%s%s%s%s", n->tier,
	    n->tier_name ? " (" : "", n->tier_name ? notify_clean(n->tier_name, 100, a,
	    sizeof(a)) : "", n->tier_name ? ")" : "", t->department ? ", department " : "",
	    t->department ? notify_clean(t->department, 100, b, sizeof(b)) : "");
	if (n->escalated_to >= 0)
		notify_fact(f, "Escalated", "to tier %d by the default breach rule "
		    "(a resolution breach escalates one tier)", n->escalated_to);
	notify_fact(f, "Priority", "%s, status %s", priority_name(t->priority),
	    status_name(t->status));
	notify_fact_who(f, t);
	if (url != NULL)
		notify_fact(f, "Link", "%s", notify_clean(url, 500, a, sizeof(a)));
	if (scored != NULL)
		notify_fact(f, "Sentiment", "%.2f (%s), latest customer message",
		    scored->sentiment, mood(scored->sentiment));
	else
		notify_fact(f, "Sentiment", "not scored");
	for (i = 0; i < (int)n->msgs_count; i++)
		in += n->msgs[i].direction == DIR_IN;
	notify_fact(f, "Messages", "%d from the customer, %zu in all", in, n->msgs_count);
}

static int
headline(const struct notice *n, struct buf *b, struct err *e)
{
	char dur[32];

	if (n->level == SLA_BREACH)
		return buf_printf(b, e, "%s: %s of ticket #%lld is %s late.", level_words(n->level),
		    sla_kind_label(n->clock), (long long)n->ticket->id,
		    notify_duration((long)(n->now - n->deadline), dur, sizeof(dur)));
	return buf_printf(b, e, "%s: %s of ticket #%lld is due in %s.", level_words(n->level),
	    sla_kind_label(n->clock), (long long)n->ticket->id, n->deadline > n->now ?
	    notify_duration((long)(n->deadline - n->now), dur, sizeof(dur)) : "no time");
}

/*
 * Plain text.
 */

int
notify_thread_text(struct buf *b, const struct notice_msg *msgs, size_t count,
    struct err *e)
{
	char when[32];
	size_t i, shown = count < NOTIFY_MSGS_MAX ? count : NOTIFY_MSGS_MAX;

	if (buf_printf(b, e, "\nThe thread, newest first (%zu of %zu):\n", shown, count) == -1)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct notice_msg *m = &msgs[count - 1 - i];

		if (buf_printf(b, e, "\n--- %s  ", time_rfc3339(m->date, when, sizeof(when))) == -1 ||
		    (m->from_name != NULL && *m->from_name != '\0' &&
		    (text_oneline(b, m->from_name, 100, e) == -1 || buf_addstr(b, " <", e) == -1)) ||
		    text_oneline(b, m->from_addr ? m->from_addr : "unknown", 200, e) == -1 ||
		    (m->from_name != NULL && *m->from_name != '\0' && buf_addch(b, '>', e) == -1) ||
		    buf_printf(b, e, ", %s\n", m->direction == DIR_IN ? "customer" : "team") == -1 ||
		    text_lines(b, m->text, NOTIFY_MSG_BYTES, NOTIFY_MSG_LINES, e) == -1 ||
		    buf_addch(b, '\n', e) == -1)
			return -1;
	}
	return 0;
}

int
notify_text(const struct notice *n, struct buf *b, struct err *e)
{
	struct notify_facts f;
	char when[32];
	size_t i, shown;

	facts(n, &f);
	if (headline(n, b, e) == -1 || buf_addstr(b, "\n\n", e) == -1 ||
	    notify_facts_text(b, n->ticket->subject, &f, e) == -1)
		return -1;

	if (notify_thread_text(b, n->msgs, n->msgs_count, e) == -1)
		return -1;
	shown = n->events_count < NOTIFY_EVENTS_MAX ? n->events_count : NOTIFY_EVENTS_MAX;
	if (buf_printf(b, e, "\nHistory, newest first (%zu of %zu):\n", shown,
	    n->events_count) == -1)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct notice_event *ev = &n->events[n->events_count - 1 - i];

		if (buf_printf(b, e, "  %s  ", time_rfc3339(ev->at, when, sizeof(when))) == -1 ||
		    text_oneline(b, ev->kind, 40, e) == -1 ||
		    (ev->actor != NULL && (buf_addstr(b, " by ", e) == -1 ||
		    text_oneline(b, ev->actor, 100, e) == -1)) ||
		    (ev->text != NULL ? buf_addstr(b, "  ", e) == -1 ||
		    text_oneline(b, ev->text, 300, e) == -1 :
		    ev->detail != NULL && (buf_addstr(b, "  ", e) == -1 ||
		    text_oneline(b, ev->detail, 300, e) == -1)) ||
		    buf_addch(b, '\n', e) == -1)
			return -1;
	}
	return buf_addstr(b, "\n-- \nescalator: this notification is sent once; "
	    "reply to the customer, not to it.\n", e);
}

/*
 * HTML.
 */

static int
html_escape(struct buf *b, const char *s, struct err *e)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': if (buf_addstr(b, "&amp;", e) == -1) return -1; break;
		case '<': if (buf_addstr(b, "&lt;", e) == -1) return -1; break;
		case '>': if (buf_addstr(b, "&gt;", e) == -1) return -1; break;
		case '"': if (buf_addstr(b, "&quot;", e) == -1) return -1; break;
		case '\'': if (buf_addstr(b, "&#39;", e) == -1) return -1; break;
		default: if (buf_addch(b, *s, e) == -1) return -1; break;
		}
	}
	return 0;
}

/* Sanitized text (one line, or lines), escaped for HTML. */
static int
html_text(struct buf *b, const char *s, int lines, size_t max, struct err *e)
{
	struct buf tmp = BUF_INIT(max * 4 + 64);
	int ret;

	ret = lines ? text_lines(&tmp, s, max, NOTIFY_MSG_LINES, e) :
	    text_oneline(&tmp, s, max, e);
	if (ret == 0 && tmp.buf != NULL)
		ret = html_escape(b, tmp.buf, e);
	buf_release(&tmp);
	return ret;
}

int
notify_html_escape(struct buf *b, const char *s, struct err *e)
{
	return html_escape(b, s, e);
}

int
notify_html_text(struct buf *b, const char *s, int lines, size_t max, struct err *e)
{
	return html_text(b, s, lines, max, e);
}

int
notify_facts_html(struct buf *b, const char *subject, const struct notify_facts *f,
    struct err *e)
{
	size_t i;

	if (buf_addstr(b, "<table>\n<tr><th align=\"left\">Subject</th><td>", e) == -1 ||
	    html_text(b, subject ? subject : "(no subject)", 0, 300, e) == -1 ||
	    buf_addstr(b, "</td></tr>\n", e) == -1)
		return -1;
	for (i = 0; i < f->count; i++)
		if (buf_printf(b, e, "<tr><th align=\"left\">%s</th><td>", f->f[i].label) == -1 ||
		    html_escape(b, f->f[i].value, e) == -1 || buf_addstr(b, "</td></tr>\n", e) == -1)
			return -1;
	return buf_addstr(b, "</table>\n", e);
}

int
notify_thread_html(struct buf *b, const struct notice_msg *msgs, size_t count,
    struct err *e)
{
	char when[32];
	size_t i, shown = count < NOTIFY_MSGS_MAX ? count : NOTIFY_MSGS_MAX;

	if (buf_printf(b, e, "<h3>The thread, newest first (%zu of %zu)</h3>\n", shown,
	    count) == -1)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct notice_msg *m = &msgs[count - 1 - i];

		if (buf_printf(b, e, "<p><b>%s</b> ", time_rfc3339(m->date, when,
		    sizeof(when))) == -1 ||
		    (m->from_name != NULL && *m->from_name != '\0' &&
		    (html_text(b, m->from_name, 0, 100, e) == -1 || buf_addstr(b, " &lt;", e) == -1)) ||
		    html_text(b, m->from_addr ? m->from_addr : "unknown", 0, 200, e) == -1 ||
		    (m->from_name != NULL && *m->from_name != '\0' && buf_addstr(b, "&gt;", e) == -1) ||
		    buf_printf(b, e, ", %s</p>\n<pre style=\"white-space: pre-wrap\">",
		    m->direction == DIR_IN ? "customer" : "team") == -1 ||
		    html_text(b, m->text, 1, NOTIFY_MSG_BYTES, e) == -1 ||
		    buf_addstr(b, "</pre>\n", e) == -1)
			return -1;
	}
	return 0;
}

int
notify_html(const struct notice *n, struct buf *b, struct err *e)
{
	struct notify_facts f;
	char when[32];
	size_t i, shown;
	const char *color = n->level == SLA_BREACH ? "#b00020" : "#a05a00";

	if (buf_printf(b, e, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Ticket #%lld</title></head>\n<body style=\"font-family: sans-serif\">\n"
	    "<p style=\"color: %s; font-weight: bold\">", (long long)n->ticket->id, color) == -1)
		return -1;
	{
		struct buf h = BUF_INIT(1024);
		int r = headline(n, &h, e) == -1 || html_escape(b, h.buf, e) == -1 ? -1 : 0;

		buf_release(&h);
		if (r == -1)
			return -1;
	}
	facts(n, &f);
	if (buf_addstr(b, "</p>\n", e) == -1 ||
	    notify_facts_html(b, n->ticket->subject, &f, e) == -1 ||
	    notify_thread_html(b, n->msgs, n->msgs_count, e) == -1)
		return -1;
	shown = n->events_count < NOTIFY_EVENTS_MAX ? n->events_count : NOTIFY_EVENTS_MAX;
	if (buf_printf(b, e, "<h3>History, newest first (%zu of %zu)</h3>\n<ul>\n", shown,
	    n->events_count) == -1)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct notice_event *ev = &n->events[n->events_count - 1 - i];

		if (buf_printf(b, e, "<li>%s ", time_rfc3339(ev->at, when, sizeof(when))) == -1 ||
		    html_text(b, ev->kind, 0, 40, e) == -1 ||
		    (ev->actor != NULL && (buf_addstr(b, " by ", e) == -1 ||
		    html_text(b, ev->actor, 0, 100, e) == -1)) ||
		    (ev->text != NULL ? buf_addstr(b, ": ", e) == -1 ||
		    html_text(b, ev->text, 0, 300, e) == -1 :
		    ev->detail != NULL && (buf_addstr(b, " <code>", e) == -1 ||
		    html_text(b, ev->detail, 0, 300, e) == -1 || buf_addstr(b, "</code>", e) == -1)) ||
		    buf_addstr(b, "</li>\n", e) == -1)
			return -1;
	}
	return buf_addstr(b, "</ul>\n</body></html>\n", e);
}
