/* notify.c -- recipients and contents of SLA notifications; see notify.h.
 * Every string from outside goes through common/text.c before it is
 * written, and through text_html_escape before it reaches the HTML part. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "common/text.h"
#include "common/tz.h"
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

/* |s| in days, hours and minutes; returns |s|. */
static long
split(long s, long *d, long *h, long *m)
{
	if (s < 0)
		s = -s;
	*d = s / 86400;
	*h = s % 86400 / 3600;
	*m = s % 3600 / 60;
	return s;
}

/* Days, hours and minutes in words: units short ("2 h 15 min"), or
 * spelled out ("2 hours 15 minutes") for readers who know no jargon. */
static char *
duration_words(long s, int spelled, char *buf, size_t len)
{
	long d, h, m;
	const char *hu, *mu;

	s = split(s, &d, &h, &m);
	hu = !spelled ? "h" : h == 1 ? "hour" : "hours";
	mu = !spelled ? "min" : m == 1 ? "minute" : "minutes";
	if (s < 60)
		(void)snprintf(buf, len, "under a minute");
	else if (d > 0 && h > 0)
		(void)snprintf(buf, len, "%ld %s %ld %s", d, d == 1 ? "day" : "days", h, hu);
	else if (d > 0)
		(void)snprintf(buf, len, "%ld %s", d, d == 1 ? "day" : "days");
	else if (h > 0 && m > 0)
		(void)snprintf(buf, len, "%ld %s %ld %s", h, hu, m, mu);
	else if (h > 0)
		(void)snprintf(buf, len, "%ld %s", h, hu);
	else
		(void)snprintf(buf, len, "%ld %s", m, mu);
	return buf;
}

char *
notify_duration_words(long s, char *buf, size_t len)
{
	return duration_words(s, 0, buf, len);
}

char *
notify_duration_spelled(long s, char *buf, size_t len)
{
	return duration_words(s, 1, buf, len);
}

/* "First response", "Resolution": the clock at the start of a sentence. */
static const char *
clock_title(int clock, char *buf, size_t len)
{
	(void)esc_strlcpy(buf, sla_kind_label(clock), len);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return buf;
}

/* How late, or how long left: "2 h 15 min late", "due in 20 min". */
static char *
lateness(const struct notice *n, char *buf, size_t len)
{
	char dur[48];

	if (n->level == SLA_BREACH)
		(void)snprintf(buf, len, "%s late", notify_duration_words((long)(n->now -
		    n->deadline), dur, sizeof(dur)));
	else if (n->deadline > n->now)
		(void)snprintf(buf, len, "due in %s", notify_duration_words((long)(n->deadline -
		    n->now), dur, sizeof(dur)));
	else
		(void)snprintf(buf, len, "due now");
	return buf;
}

/* Who the customer is, in few words: the name, else the address. */
static const char *
customer_short(const struct ticket *t)
{
	if (t->customer_name != NULL && *t->customer_name != '\0')
		return t->customer_name;
	return t->customer != NULL && *t->customer != '\0' ? t->customer : "unknown customer";
}

#define NOTIFY_SUBJECT_NAME	40	/* bytes of the customer's name in a Subject */
#define NOTIFY_SUBJECT_SHORT	60	/* bytes of the customer's subject there */

int
notify_subject(const struct notice *n, struct buf *b, struct err *e)
{
	const struct ticket *t = n->ticket;
	char title[48], late[80];

	if (buf_printf(b, e, "[#%lld] %s %s - ", (long long)t->id,
	    clock_title(n->clock, title, sizeof(title)), lateness(n, late, sizeof(late))) == -1 ||
	    text_oneline(b, customer_short(t), NOTIFY_SUBJECT_NAME, e) == -1 ||
	    buf_addstr(b, ": ", e) == -1)
		return -1;
	return text_oneline(b, t->subject != NULL && *t->subject != '\0' ? t->subject :
	    "(no subject)", NOTIFY_SUBJECT_SHORT, e);
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

#define NOTIFY_WRAP	72	/* columns of a text part's lines that we write */

/* Width of the label column: the longest label and its colon, then a
 * space, so that the values line up whatever labels a notice uses. */
static int
label_width(const struct notify_facts *f)
{
	size_t i, w = strlen("Subject");

	for (i = 0; i < f->count; i++)
		if (strlen(f->f[i].label) > w)
			w = strlen(f->f[i].label);
	return (int)w + 2;
}

int
notify_facts_text(struct buf *b, const char *subject, const struct notify_facts *f,
    struct err *e)
{
	struct buf line = BUF_INIT(4096);
	char colon[32];
	int w = label_width(f), r;
	size_t i;

	r = text_oneline(&line, subject ? subject : "(no subject)", 300, e) == -1 ||
	    buf_printf(b, e, "%-*s", w, "Subject:") == -1 ||
	    text_wrap(b, line.buf, (size_t)w, NOTIFY_WRAP, (size_t)w, e) == -1 ||
	    buf_addch(b, '\n', e) == -1 ? -1 : 0;
	buf_release(&line);
	if (r == -1)
		return -1;
	for (i = 0; i < f->count; i++) {
		(void)snprintf(colon, sizeof(colon), "%s:", f->f[i].label);
		if (buf_printf(b, e, "%-*s", w, colon) == -1 ||
		    text_wrap(b, f->f[i].value, (size_t)w, NOTIFY_WRAP, (size_t)w, e) == -1 ||
		    buf_addch(b, '\n', e) == -1)
			return -1;
	}
	return 0;
}

/* The newest message from the customer, or NULL. */
static const struct notice_msg *
latest_in(const struct notice_msg *msgs, size_t count)
{
	size_t i;

	for (i = count; i > 0; i--)
		if (msgs[i - 1].direction == DIR_IN)
			return &msgs[i - 1];
	return NULL;
}

#define NOTIFY_EXCERPT	200	/* bytes of the customer's words atop a notice */
#define NOTIFY_LINK	500	/* bytes of a post's link: a cut link leads nowhere */

static void
facts(const struct notice *n, struct notify_facts *f)
{
	const struct ticket *t = n->ticket;
	const struct notice_msg *scored = latest_scored(n), *last;
	const char *url = latest_url(n);
	char when[TZ_FORMAT_MAX], a[256], b[256], c[NOTIFY_EXCERPT * 2], link[NOTIFY_LINK * 2];
	int i, in = 0, out = 0;

	f->count = 0;
	notify_fact_who(f, t);
	last = latest_in(n->msgs, n->msgs_count);
	if (last != NULL && last->text != NULL &&
	    *notify_clean(last->text, NOTIFY_EXCERPT, c, sizeof(c)) != '\0')
		notify_fact(f, "Message", "\"%s\" (%s)", c, tz_format(n->tz, last->date, 0,
		    when, sizeof(when)));
	notify_fact(f, "Deadline", "%s", tz_format(n->tz, n->deadline, 1, when, sizeof(when)));
	notify_fact(f, "Tier", "%d%s%s%s%s%s", n->tier,
	    n->tier_name ? " (" : "", n->tier_name ? notify_clean(n->tier_name, 100, a,
	    sizeof(a)) : "", n->tier_name ? ")" : "", t->department ? ", department " : "",
	    t->department ? notify_clean(t->department, 100, b, sizeof(b)) : "");
	if (n->escalated_to >= 0)
		notify_fact(f, "Escalated", "to tier %d now: a missed resolution moves a "
		    "ticket up one tier", n->escalated_to);
	notify_fact(f, "Priority", "%s; status %s", priority_name(t->priority),
	    status_name(t->status));
	if (url != NULL)
		notify_fact(f, "Link", "%s", notify_clean(url, NOTIFY_LINK, link,
		    sizeof(link)));
	if (scored != NULL)
		notify_fact(f, "Sentiment", "%s (%.2f) in the latest customer message",
		    mood(scored->sentiment), scored->sentiment);
	for (i = 0; i < (int)n->msgs_count; i++) {
		in += n->msgs[i].direction == DIR_IN;
		out += n->msgs[i].direction != DIR_IN;
	}
	if (out == 0)
		notify_fact(f, "Messages", "%d from the customer, no reply yet", in);
	else
		notify_fact(f, "Messages", "%d from the customer, %d from the team", in, out);
}

/* "Ticket #1 is 2 h 20 min late for its first response." */
static int
headline(const struct notice *n, struct buf *b, struct err *e)
{
	char late[80];

	if (n->level == SLA_BREACH)
		return buf_printf(b, e, "Ticket #%lld is %s for its %s.", (long long)n->ticket->id,
		    lateness(n, late, sizeof(late)), sla_kind_label(n->clock));
	return buf_printf(b, e, "Ticket #%lld: its %s is %s.", (long long)n->ticket->id,
	    sla_kind_label(n->clock), lateness(n, late, sizeof(late)));
}

/* What to do about it: the steps, each a line, as text or list items. */
static int
next_steps(const struct notice *n, struct buf *b, int html, struct err *e)
{
	const char *pre = html ? "<li style=\"margin:0 0 4px\">" : "  - ";
	const char *post = html ? "</li>\n" : "\n";
	const char *c0 = html ? "<code>" : "", *c1 = html ? "</code>" : "";
	long long id = (long long)n->ticket->id;

	if (n->clock == SLA_RESOLUTION) {
		if (buf_printf(b, e, "%sResolve the ticket when it is done: %sescalator resolve "
		    "%lld%s%s", pre, c0, id, c1, post) == -1 ||
		    buf_printf(b, e, "%sWaiting on the customer? %sescalator pending %lld%s "
		    "pauses this clock.%s", pre, c0, id, c1, post) == -1)
			return -1;
	} else if (buf_printf(b, e, "%sReply to the customer; escalator sees the reply "
	    "and stops this clock.%s", pre, post) == -1)
		return -1;
	return buf_printf(b, e, "%sThe whole thread and its history: %sescalator show "
	    "%lld%s%s", pre, c0, id, c1, post);
}

/* "SLA breached" rather than "sla-breach": an event kind for people. */
static const char *
event_label(const char *kind)
{
	static const struct { const char *kind, *label; } labels[] = {
		{ "assessed", "Assessed" }, { "assigned", "Assigned" },
		{ "autoreply", "Acknowledgement" }, { "created", "Ticket opened" },
		{ "deescalated", "De-escalated" }, { "escalated", "Escalated" },
		{ "handoff", "Handed on" }, { "ignored", "Ignored" },
		{ "merged", "Merged" }, { "message", "Message" }, { "note", "Note" },
		{ "notification-queued", "Notice queued" }, { "notified", "Notice queued" },
		{ "pending", "Waiting on the customer" }, { "priority", "Priority" },
		{ "related", "Related" }, { "reopened", "Reopened" }, { "resolved", "Resolved" },
		{ "rule-matched", "Rule matched" }, { "sla-breach", "SLA breached" },
		{ "sla-warning", "SLA warning" }, { "tagged", "Tagged" },
		{ "untagged", "Untagged" },
	};
	size_t i;

	for (i = 0; kind != NULL && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].kind, kind) == 0)
			return labels[i].label;
	return kind;
}

/* The actor worth naming: not escalator itself. */
static const char *
event_actor(const struct notice_event *ev)
{
	if (ev->actor == NULL || *ev->actor == '\0' || strcmp(ev->actor, "escalator") == 0)
		return NULL;
	return ev->actor;
}

/* " (times in Europe/Berlin)", or "" for UTC: said once per section. */
static const char *
zone_note(const struct tz *tz, char *buf, size_t len)
{
	(void)snprintf(buf, len, " (times in %s)", tz != NULL ? tz_name(tz) : "UTC");
	return buf;
}

/*
 * Plain text.
 */

int
notify_thread_text(struct buf *b, const struct notice_msg *msgs, size_t count,
    const struct tz *tz, struct err *e)
{
	char when[TZ_FORMAT_MAX], zone[128];
	size_t i, shown = count < NOTIFY_MSGS_MAX ? count : NOTIFY_MSGS_MAX;

	if (buf_addstr(b, "\nThe conversation, newest first", e) == -1 ||
	    (shown < count && buf_printf(b, e, ", the last %zu of %zu messages", shown,
	    count) == -1) ||
	    buf_printf(b, e, "%s:\n", zone_note(tz, zone, sizeof(zone))) == -1)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct notice_msg *m = &msgs[count - 1 - i];

		if (buf_printf(b, e, "\n--- %s, ", tz_format(tz, m->date, 0, when,
		    sizeof(when))) == -1 ||
		    (m->from_name != NULL && *m->from_name != '\0' &&
		    (text_oneline(b, m->from_name, 100, e) == -1 || buf_addstr(b, " <", e) == -1)) ||
		    text_oneline(b, m->from_addr ? m->from_addr : "unknown", 200, e) == -1 ||
		    (m->from_name != NULL && *m->from_name != '\0' && buf_addch(b, '>', e) == -1) ||
		    buf_printf(b, e, " (%s)\n", m->direction == DIR_IN ? "customer" : "team") == -1 ||
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
	char when[TZ_FORMAT_MAX], zone[128];
	size_t i, shown;

	facts(n, &f);
	if (headline(n, b, e) == -1 || buf_addstr(b, "\n\n", e) == -1 ||
	    notify_facts_text(b, n->ticket->subject, &f, e) == -1 ||
	    buf_addstr(b, "\nWhat to do now:\n", e) == -1 || next_steps(n, b, 0, e) == -1)
		return -1;

	if (notify_thread_text(b, n->msgs, n->msgs_count, n->tz, e) == -1)
		return -1;
	shown = n->events_count < NOTIFY_EVENTS_MAX ? n->events_count : NOTIFY_EVENTS_MAX;
	if (buf_addstr(b, "\nHistory, newest first", e) == -1 ||
	    (shown < n->events_count && buf_printf(b, e, ", the last %zu of %zu events",
	    shown, n->events_count) == -1) ||
	    buf_printf(b, e, "%s:\n", zone_note(n->tz, zone, sizeof(zone))) == -1)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct notice_event *ev = &n->events[n->events_count - 1 - i];

		if (buf_printf(b, e, "  %s  ", tz_format(n->tz, ev->at, 0, when,
		    sizeof(when))) == -1 ||
		    text_oneline(b, event_label(ev->kind), 40, e) == -1 ||
		    (event_actor(ev) != NULL && (buf_addstr(b, " by ", e) == -1 ||
		    text_oneline(b, event_actor(ev), 100, e) == -1)) ||
		    (ev->text != NULL && (buf_addstr(b, ": ", e) == -1 ||
		    text_oneline(b, ev->text, 300, e) == -1)) ||
		    buf_addch(b, '\n', e) == -1)
			return -1;
	}
	return buf_addstr(b, "\n-- \nescalator sends this notice once. Reply to the "
	    "customer, not to this mail.\n", e);
}

/*
 * HTML: tables and inline styles only, as mail clients (Outlook, Gmail)
 * drop <style> blocks and fetch nothing for us.
 */

/* Sanitized text (one line, or lines), escaped for HTML. */
static int
html_text(struct buf *b, const char *s, int lines, size_t max, struct err *e)
{
	struct buf tmp = BUF_INIT(max * 4 + 64);
	int ret;

	if (!lines)
		return text_html(b, s, max, e);
	ret = text_lines(&tmp, s, max, NOTIFY_MSG_LINES, e);
	if (ret == 0 && tmp.buf != NULL)
		ret = text_html_escape(b, tmp.buf, e);
	buf_release(&tmp);
	return ret;
}

int
notify_html_text(struct buf *b, const char *s, int lines, size_t max, struct err *e)
{
	return html_text(b, s, lines, max, e);
}

#define TH_STYLE	"text-align:left;vertical-align:top;padding:2px 16px 2px 0;" \
			"color:#555555;font-weight:normal;white-space:nowrap"
/* A long link or address breaks rather than widening a phone's page. */
#define TD_STYLE	"vertical-align:top;padding:2px 0;overflow-wrap:anywhere;" \
			"word-break:break-word"
/* The same said in attributes, for readers that show no CSS. */
#define TH_OPEN		"<th align=\"left\" valign=\"top\" nowrap=\"nowrap\" style="
#define H3_STYLE	"margin:20px 0 6px;font-size:15px"

int
notify_html_open(struct buf *b, const char *title, const char *color, struct err *e)
{
	/* Dark text wants a light ground said as plainly: a client in dark
	 * mode that keeps our #222222 but paints its own dark background
	 * (or inverts one and not the other) leaves text nobody can read.
	 * color-scheme "light" asks clients that honour it to leave the
	 * page alone; bgcolor and background carry the white to the rest. */
	if (buf_addstr(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<meta name=\"color-scheme\" content=\"light\">"
	    "<meta name=\"supported-color-schemes\" content=\"light\"><title>", e) == -1 ||
	    html_text(b, title, 0, 200, e) == -1 ||
	    buf_addstr(b, "</title></head>\n<body bgcolor=\"#ffffff\" style=\"margin:0;"
	    "padding:0;background:#ffffff;font-family:Arial,Helvetica,sans-serif;"
	    "font-size:14px;line-height:1.4;color:#222222\">\n<table role=\"presentation\" "
	    "width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "bgcolor=\"#ffffff\" style=\"background:#ffffff;color:#222222\"><tr><td "
	    "style=\"padding:16px\">\n", e) == -1)
		return -1;
	return buf_printf(b, e, "<p style=\"margin:0 0 12px;font-size:16px;font-weight:bold;"
	    "color:%s\">", color);
}

int
notify_html_close(struct buf *b, const char *footer, struct err *e)
{
	if (footer != NULL && (buf_addstr(b, "<p style=\"margin:24px 0 0;font-size:12px;"
	    "color:#777777\">", e) == -1 || text_html_escape(b, footer, e) == -1 ||
	    buf_addstr(b, "</p>\n", e) == -1))
		return -1;
	return buf_addstr(b, "</td></tr></table>\n</body></html>\n", e);
}

int
notify_facts_html(struct buf *b, const char *subject, const struct notify_facts *f,
    struct err *e)
{
	size_t i;

	if (buf_addstr(b, "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
	    "border=\"0\" style=\"border-collapse:collapse\">\n<tr>" TH_OPEN "\"" TH_STYLE
	    "\">Subject</th><td style=\"" TD_STYLE "\">", e) == -1 ||
	    html_text(b, subject ? subject : "(no subject)", 0, 300, e) == -1 ||
	    buf_addstr(b, "</td></tr>\n", e) == -1)
		return -1;
	for (i = 0; i < f->count; i++)
		if (buf_printf(b, e, "<tr>" TH_OPEN "\"" TH_STYLE "\">%s</th><td style=\""
		    TD_STYLE "\" valign=\"top\">", f->f[i].label) == -1 ||
		    text_html_escape(b, f->f[i].value, e) == -1 || buf_addstr(b, "</td></tr>\n", e) == -1)
			return -1;
	return buf_addstr(b, "</table>\n", e);
}

int
notify_thread_html(struct buf *b, const struct notice_msg *msgs, size_t count,
    const struct tz *tz, struct err *e)
{
	char when[TZ_FORMAT_MAX], zone[128];
	size_t i, shown = count < NOTIFY_MSGS_MAX ? count : NOTIFY_MSGS_MAX;

	if (buf_addstr(b, "<h3 style=\"" H3_STYLE "\">The conversation, newest first", e) == -1 ||
	    (shown < count && buf_printf(b, e, ", the last %zu of %zu messages", shown,
	    count) == -1) ||
	    text_html_escape(b, zone_note(tz, zone, sizeof(zone)), e) == -1 ||
	    buf_addstr(b, "</h3>\n", e) == -1)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct notice_msg *m = &msgs[count - 1 - i];

		if (buf_printf(b, e, "<p style=\"margin:12px 0 4px\"><b>%s</b>, ",
		    tz_format(tz, m->date, 0, when, sizeof(when))) == -1 ||
		    (m->from_name != NULL && *m->from_name != '\0' &&
		    (html_text(b, m->from_name, 0, 100, e) == -1 || buf_addstr(b, " &lt;", e) == -1)) ||
		    html_text(b, m->from_addr ? m->from_addr : "unknown", 0, 200, e) == -1 ||
		    (m->from_name != NULL && *m->from_name != '\0' && buf_addstr(b, "&gt;", e) == -1) ||
		    buf_printf(b, e, " (%s)</p>\n<div style=\"margin:0;padding:4px 0 4px 10px;"
		    "border-left:3px solid %s;white-space:pre-wrap\">",
		    m->direction == DIR_IN ? "customer" : "team",
		    m->direction == DIR_IN ? "#c0392b" : "#999999") == -1 ||
		    html_text(b, m->text, 1, NOTIFY_MSG_BYTES, e) == -1 ||
		    buf_addstr(b, "</div>\n", e) == -1)
			return -1;
	}
	return 0;
}

int
notify_html(const struct notice *n, struct buf *b, struct err *e)
{
	struct notify_facts f;
	struct buf h = BUF_INIT(1024);
	char when[TZ_FORMAT_MAX], zone[128];
	size_t i, shown;
	int r;

	r = headline(n, &h, e);
	if (r == 0)
		r = notify_html_open(b, h.buf, n->level == SLA_BREACH ? "#b00020" : "#a05a00", e);
	if (r == 0)
		r = text_html_escape(b, h.buf, e);
	buf_release(&h);
	if (r == -1)
		return -1;
	facts(n, &f);
	if (buf_addstr(b, "</p>\n", e) == -1 ||
	    notify_facts_html(b, n->ticket->subject, &f, e) == -1 ||
	    buf_addstr(b, "<h3 style=\"" H3_STYLE "\">What to do now</h3>\n"
	    "<ul style=\"margin:0;padding-left:20px\">\n", e) == -1 ||
	    next_steps(n, b, 1, e) == -1 || buf_addstr(b, "</ul>\n", e) == -1 ||
	    notify_thread_html(b, n->msgs, n->msgs_count, n->tz, e) == -1)
		return -1;
	shown = n->events_count < NOTIFY_EVENTS_MAX ? n->events_count : NOTIFY_EVENTS_MAX;
	if (buf_addstr(b, "<h3 style=\"" H3_STYLE "\">History, newest first", e) == -1 ||
	    (shown < n->events_count && buf_printf(b, e, ", the last %zu of %zu events",
	    shown, n->events_count) == -1) ||
	    text_html_escape(b, zone_note(n->tz, zone, sizeof(zone)), e) == -1 ||
	    buf_addstr(b, "</h3>\n<table role=\"presentation\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse\">\n", e) == -1)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct notice_event *ev = &n->events[n->events_count - 1 - i];

		if (buf_printf(b, e, "<tr><td valign=\"top\" nowrap=\"nowrap\" style=\"" TH_STYLE
		    "\">%s</td><td valign=\"top\" style=\""
		    TD_STYLE "\">", tz_format(n->tz, ev->at, 0, when, sizeof(when))) == -1 ||
		    html_text(b, event_label(ev->kind), 0, 40, e) == -1 ||
		    (event_actor(ev) != NULL && (buf_addstr(b, " by ", e) == -1 ||
		    html_text(b, event_actor(ev), 0, 100, e) == -1)) ||
		    (ev->text != NULL && (buf_addstr(b, ": ", e) == -1 ||
		    html_text(b, ev->text, 0, 300, e) == -1)) ||
		    buf_addstr(b, "</td></tr>\n", e) == -1)
			return -1;
	}
	return buf_addstr(b, "</table>\n", e) == -1 ? -1 : notify_html_close(b,
	    "escalator sends this notice once. Reply to the customer, not to this mail.", e);
}
