/* handoff.c -- the hand-off summary and its notice; see handoff.h.
 * jansson reads the history's event details; the summary's JSON is
 * written by hand (handoff_detail says why).  Every string from outside
 * goes through common/text.c first, so the JSON, the headers and the
 * bodies hold one line of clean UTF-8 where one line is meant. */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/tz.h"
#include "common/err.h"
#include "common/model.h"
#include "common/text.h"
#include "common/util.h"
#include "rules/conf.h"
#include "rules/handoff.h"
#include "rules/notify.h"

#define CLEAN_MAX	4096	/* bytes of one cleaned value */
/* How much of the customer's text problem() puts on one line: what it
 * reads (up to HANDOFF_PROBLEM_MAX + 2 bytes) and a margin for a cut
 * UTF-8 character and a trailing blank.  Not the whole text: a long
 * mail would be cleaned to 4 KB for 200 bytes of summary (hand-offs are
 * built at import, for every escalation). */
#define PROBLEM_SCAN	(HANDOFF_PROBLEM_MAX + 64)

const char *
handoff_by_name(int by)
{
	return by == HANDOFF_RULE ? "rule" : by == HANDOFF_BREACH ? "breach" : "hand";
}

/* The longest prefix of s (len bytes) that ends on a character boundary. */
static size_t
utf8_cut(const char *s, size_t len)
{
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

/* Drops a character that snprintf cut in the middle from the end of s. */
static void
utf8_trim(char *s)
{
	size_t n = strlen(s), p = n, need;
	unsigned char c;

	while (p > 0 && ((unsigned char)s[p - 1] & 0xc0) == 0x80)
		p--;
	if (p == 0 || (c = (unsigned char)s[p - 1]) < 0xc0)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (p - 1 + need > n)
		s[p - 1] = '\0';
}

/*
 * When the escalation comes, and to whom.
 */

int
handoff_late(const struct handoff *h)
{
	size_t i;

	if (h->breaches > 0)
		return 1;
	for (i = 0; i < h->clocks_count; i++) {
		const struct handoff_clock *c = &h->clocks[i];

		if (c->breached)
			return 1;
		if (c->state == NULL || strcmp(c->state, "running") != 0)
			continue;
		if ((c->warn_at != 0 && c->warn_at <= h->now) ||
		    (c->deadline != 0 && c->deadline <= h->now))
			return 1;
	}
	return 0;
}

void
handoff_recipients(const struct conf *conf, const struct handoff *h, int late,
    struct notify_rcpts *out)
{
	const struct conf_department *dep = NULL;
	const struct conf_tier *tier;
	const char *name;

	memset(out, 0, sizeof(*out));
	if (conf == NULL)
		return;
	name = h->functional ? h->to_department : h->ticket->department;
	if (name != NULL)
		dep = conf_department_find(conf, name);
	if (dep != NULL && dep->owner != NULL && *dep->owner != '\0')
		out->to = dep->owner;
	else if ((tier = conf_tier_find(conf, h->to_tier)) != NULL)
		out->to = tier->owner;
	if (late && dep != NULL && dep->head != NULL && *dep->head != '\0' &&
	    (out->to == NULL || strcasecmp(out->to, dep->head) != 0))
		out->cc[out->cc_count++] = dep->head;
	if (out->to == NULL && out->cc_count > 0) {
		out->to = out->cc[0];
		out->cc_count = 0;
	}
}

/*
 * The summary.
 */

/* The problem in the customer's first words: the first customer message
 * on one line, to the end of its first sentence (past a short greeting),
 * at most HANDOFF_PROBLEM_MAX bytes cut at a word; the subject when the
 * customer wrote no text. */
static int
problem(const struct handoff *h, char *out, size_t len, struct err *e)
{
	struct buf b = BUF_INIT(PROBLEM_SCAN * 2);
	const char *text = NULL;
	size_t i, n, end = 0;

	out[0] = '\0';
	for (i = 0; i < h->msgs_count && text == NULL; i++)
		if (h->msgs[i].direction == DIR_IN && h->msgs[i].text != NULL &&
		    h->msgs[i].text[strspn(h->msgs[i].text, " \t\r\n")] != '\0')
			text = h->msgs[i].text;
	if (text == NULL)
		text = h->ticket->subject;
	if (text == NULL)
		return 0;
	if (text_oneline(&b, text, PROBLEM_SCAN, e) == -1) {
		buf_release(&b);
		return -1;
	}
	if (b.buf == NULL)
		return 0;
	n = b.len;
	/* The first sentence that is more than a greeting ("Hi. ") */
	for (i = 0; i < n && i <= HANDOFF_PROBLEM_MAX; i++)
		if ((b.buf[i] == '.' || b.buf[i] == '!' || b.buf[i] == '?') &&
		    (i + 1 == n || b.buf[i + 1] == ' ') && i >= 20) {
			end = i + 1;
			break;
		}
	if (end == 0 && n <= HANDOFF_PROBLEM_MAX)
		end = n;
	if (end == 0) {
		/* No sentence end in reach: cut at the last word that fits. */
		end = utf8_cut(b.buf, HANDOFF_PROBLEM_MAX);
		for (i = end; i > HANDOFF_PROBLEM_MAX / 2; i--)
			if (b.buf[i] == ' ') {
				end = i;
				break;
			}
		(void)snprintf(out, len, "%.*s...", (int)end, b.buf);
	} else
		(void)snprintf(out, len, "%.*s", (int)end, b.buf);
	buf_release(&b);
	return 0;
}

static void
tried_add(struct handoff_summary *s, time_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keeps the newest HANDOFF_TRIED_MAX steps: the list shifts when full. */
static void
tried_add(struct handoff_summary *s, time_t at, const char *fmt, ...)
{
	char when[32];
	va_list ap;
	size_t n;
	char *slot;

	if (s->tried_count == HANDOFF_TRIED_MAX) {
		memmove(s->tried[0], s->tried[1], sizeof(s->tried[0]) * (HANDOFF_TRIED_MAX - 1));
		s->tried_count--;
	}
	slot = s->tried[s->tried_count++];
	s->tried_total++;
	(void)snprintf(slot, HANDOFF_TRIED_LEN, "%s ", time_rfc3339(at, when, sizeof(when)));
	n = strlen(slot);
	va_start(ap, fmt);
	(void)vsnprintf(slot + n, HANDOFF_TRIED_LEN - n, fmt, ap);	/* cut is fine */
	va_end(ap);
	utf8_trim(slot);
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void
tried_msg(struct handoff_summary *s, const struct notice_msg *m)
{
	char who[256], text[300];

	if (m->direction != DIR_OUT)
		return;
	tried_add(s, m->date, "reply by %s: %s",
	    notify_clean(m->from_addr ? m->from_addr : "the team", 100, who, sizeof(who)),
	    notify_clean(m->text, 120, text, sizeof(text)));
}

static void
tried_event(struct handoff_summary *s, const struct notice_event *ev)
{
	char who[200], a[300], b[128];
	json_t *d;
	const char *k = ev->kind;

	if (k == NULL || (strcmp(k, "note") != 0 && strcmp(k, "escalated") != 0 &&
	    strcmp(k, "deescalated") != 0 && strcmp(k, "pending") != 0 &&
	    strcmp(k, "resolved") != 0 && strcmp(k, "reopened") != 0))
		return;
	d = ev->detail != NULL ? json_loads(ev->detail, 0, NULL) : NULL;
	if (d == NULL)
		d = json_object();
	if (d == NULL)
		return;
	/* A rule's decision says which rule; its reason is often the name. */
	if (json_is_string(json_object_get(d, "rule"))) {
		(void)snprintf(who, sizeof(who), "rule \"%s\"",
		    notify_clean(jstr(d, "rule"), 80, b, sizeof(b)));
		if (strcmp(jstr(d, "rule"), jstr(d, "reason")) == 0)
			(void)json_object_set_new(d, "reason", json_string("its condition held"));
	} else
		(void)notify_clean(ev->actor ? ev->actor : "unknown", 100, who, sizeof(who));
	if (strcmp(k, "note") == 0)
		tried_add(s, ev->at, "note by %s: %s", who,
		    notify_clean(jstr(d, "text"), 150, a, sizeof(a)));
	else if (strcmp(k, "escalated") == 0 && strcmp(jstr(d, "type"), "functional") == 0)
		tried_add(s, ev->at, "escalated to department %s by %s: %s",
		    notify_clean(jstr(d, "to"), 60, b, sizeof(b)), who,
		    notify_clean(jstr(d, "reason"), 120, a, sizeof(a)));
	else if (strcmp(k, "escalated") == 0 || strcmp(k, "deescalated") == 0)
		tried_add(s, ev->at, "%s tier %lld -> %lld by %s: %s",
		    k[0] == 'd' ? "de-escalated" : "escalated",
		    (long long)json_integer_value(json_object_get(d, "from")),
		    (long long)json_integer_value(json_object_get(d, "to")), who,
		    notify_clean(jstr(d, "reason"), 120, a, sizeof(a)));
	else if (strcmp(k, "pending") == 0)
		tried_add(s, ev->at, "waiting on the customer, set by %s", who);
	else if (strcmp(k, "resolved") == 0)
		tried_add(s, ev->at, "resolved by %s", who);
	else
		tried_add(s, ev->at, "reopened by %s", who);
	json_decref(d);
}

int
handoff_summarize(const struct handoff *h, struct handoff_summary *s, struct err *e)
{
	size_t i = 0, j = 0, skip = (size_t)-1;
	int first = 1;

	memset(s, 0, sizeof(*s));
	if (problem(h, s->problem, sizeof(s->problem), e) == -1)
		return -1;

	/* The move itself is not something tried before it: the newest
	 * "escalated" event with this detail. */
	for (j = h->events_count; h->current != NULL && j > 0; j--)
		if (h->events[j - 1].kind != NULL && strcmp(h->events[j - 1].kind, "escalated") == 0 &&
		    h->events[j - 1].detail != NULL && strcmp(h->events[j - 1].detail, h->current) == 0) {
			skip = j - 1;
			break;
		}
	/* Messages and events, merged by time (messages first on a tie). */
	for (i = 0, j = 0; i < h->msgs_count || j < h->events_count; ) {
		if (j == h->events_count || (i < h->msgs_count &&
		    h->msgs[i].date <= h->events[j].at)) {
			tried_msg(s, &h->msgs[i++]);
			continue;
		}
		if (j != skip)
			tried_event(s, &h->events[j]);
		j++;
	}

	for (i = 0; i < h->msgs_count; i++) {
		const struct notice_msg *m = &h->msgs[i];

		if (m->direction != DIR_IN)
			continue;
		s->customer_msgs++;
		if (!m->scored)
			continue;
		s->scored++;
		if (first)
			s->first = m->sentiment;
		s->last = m->sentiment;
		first = 0;
	}
	if (s->scored == 0)
		s->trend = "unknown";
	else if (s->last - s->first <= -HANDOFF_TREND_DELTA)
		s->trend = "worsening";
	else if (s->last - s->first >= HANDOFF_TREND_DELTA)
		s->trend = "improving";
	else
		s->trend = "steady";
	s->late = handoff_late(h);
	return 0;
}

/*
 * The event's detail.
 */

/*
 * The detail is written by hand, not through jansson: a hand-off is made
 * for every escalation an import meets, and building and dumping a json_t
 * tree cost ~100,000 instructions a hand-off.  The text is what
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4))
 * wrote: keys in this order, strings escaped as jansson escapes them, a
 * real as "%.4g" with ".0" added to an integral one and the exponent
 * without '+' or leading zeros.
 */

/* ,"key": -- keys are ours, never escaped */
static int
jw_key(struct buf *b, const char *key, struct err *e)
{
	int rc = 0;

	if (b->len > 0 && b->buf[b->len - 1] != '{' && b->buf[b->len - 1] != '[')
		rc = buf_addch(b, ',', e);
	rc |= buf_addch(b, '"', e);
	rc |= buf_addstr(b, key, e);
	return rc | buf_add(b, "\":", 2, e);
}

/* s as a JSON string, NULL as null.  Every string here is clean UTF-8
 * (common/text.c) or ours; a byte that is not is written as U+FFFD. */
static int
jw_str(struct buf *b, const char *s, struct err *e)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	char esc[8];
	uint32_t cp;
	size_t n;
	int rc;

	if (s == NULL)
		return buf_add(b, "null", 4, e);
	end = p + strlen(s);
	rc = buf_addch(b, '"', e);
	while (p < end && rc == 0) {
		for (n = 0; p + n < end && p[n] >= 0x20 && p[n] < 0x80 && p[n] != '"' &&
		    p[n] != '\\'; n++)
			;
		rc |= buf_add(b, p, n, e);
		p += n;
		if (p == end)
			break;
		switch (*p) {
		case '"': rc |= buf_add(b, "\\\"", 2, e); break;
		case '\\': rc |= buf_add(b, "\\\\", 2, e); break;
		case '\b': rc |= buf_add(b, "\\b", 2, e); break;
		case '\f': rc |= buf_add(b, "\\f", 2, e); break;
		case '\n': rc |= buf_add(b, "\\n", 2, e); break;
		case '\r': rc |= buf_add(b, "\\r", 2, e); break;
		case '\t': rc |= buf_add(b, "\\t", 2, e); break;
		default:
			if (*p < 0x20) {
				(void)snprintf(esc, sizeof(esc), "\\u%04X", *p);
				rc |= buf_add(b, esc, 6, e);
			} else if ((n = utf8_decode(p, (size_t)(end - p), &cp)) > 0) {
				rc |= buf_add(b, p, n, e);
				p += n;
				continue;
			} else
				rc |= buf_add(b, "\xef\xbf\xbd", 3, e);
		}
		p++;
	}
	return rc | buf_addch(b, '"', e);
}

static int
jw_int(struct buf *b, long long v, struct err *e)
{
	char s[32];

	return buf_add(b, s, (size_t)snprintf(s, sizeof(s), "%lld", v), e);
}

/* jansson's real at precision 4 */
static int
jw_real(struct buf *b, double v, struct err *e)
{
	char s[48], *x;
	size_t n = (size_t)snprintf(s, sizeof(s) - 3, "%.4g", v), lead;

	if (strchr(s, '.') == NULL && strchr(s, 'e') == NULL) {
		memcpy(s + n, ".0", 3);
		n += 2;
	}
	if ((x = strchr(s, 'e')) != NULL) {
		x++;
		if (*x == '+')
			memmove(x, x + 1, strlen(x));	/* with the NUL */
		else if (*x == '-')
			x++;
		for (lead = 0; x[lead] == '0' && x[lead + 1] != '\0'; lead++)
			;
		memmove(x, x + lead, strlen(x + lead) + 1);
		n = strlen(s);
	}
	return buf_add(b, s, n, e);
}

/* Text from outside on one line (notify_clean), NULL as null. */
static int
jw_text(struct buf *b, const char *s, size_t max, struct err *e)
{
	char out[CLEAN_MAX + 8];

	return jw_str(b, s != NULL ? notify_clean(s, max, out, sizeof(out)) : NULL, e);
}

static int
jw_time(struct buf *b, time_t t, struct err *e)
{
	char s[32];

	return jw_str(b, t != 0 ? time_rfc3339(t, s, sizeof(s)) : NULL, e);
}

int
handoff_detail(const struct handoff *h, const struct handoff_summary *s,
    const struct notify_rcpts *r, const char *message_id, struct buf *out,
    struct err *e)
{
	const struct ticket *t = h->ticket;
	size_t i;
	int rc = 0;

	rc |= buf_addch(out, '{', e);
	rc |= jw_key(out, "by", e) | jw_str(out, handoff_by_name(h->by), e);
	rc |= jw_key(out, "type", e) | jw_str(out, h->functional ? "functional" :
	    "hierarchical", e);
	rc |= jw_key(out, "from_tier", e) | jw_int(out, h->from_tier, e);
	rc |= jw_key(out, "to_tier", e) | jw_int(out, h->to_tier, e);
	rc |= jw_key(out, "from_department", e) | jw_text(out, h->from_department, 200, e);
	rc |= jw_key(out, "to_department", e) | jw_text(out, h->to_department, 200, e);
	rc |= jw_key(out, "reason", e) | jw_text(out, h->reason ? h->reason : "", 500, e);
	rc |= jw_key(out, "late", e) | buf_addstr(out, s->late ? "true" : "false", e);
	rc |= jw_key(out, "handoffs", e) | jw_int(out, t->handoffs, e);
	rc |= jw_key(out, "customer", e) | jw_text(out, t->customer, 320, e);
	rc |= jw_key(out, "customer_name", e) | jw_text(out, t->customer_name, 200, e);
	rc |= jw_key(out, "channel", e) | jw_text(out, t->channel, 200, e);
	rc |= jw_key(out, "public", e) | buf_addstr(out, t->public ? "true" : "false", e);
	rc |= jw_key(out, "subject", e) | jw_text(out, t->subject, NOTIFY_SUBJECT_MAX * 2, e);
	rc |= jw_key(out, "problem", e) | jw_str(out, s->problem, e);
	rc |= jw_key(out, "tried", e) | buf_addch(out, '[', e);
	for (i = 0; i < s->tried_count; i++)
		rc |= (i > 0 ? buf_addch(out, ',', e) : 0) | jw_str(out, s->tried[i], e);
	rc |= buf_addch(out, ']', e);
	rc |= jw_key(out, "tried_total", e) | jw_int(out, (long long)s->tried_total, e);
	rc |= jw_key(out, "sentiment", e) | buf_addch(out, '{', e);
	rc |= jw_key(out, "first", e) | (s->scored ? jw_real(out, s->first, e) :
	    buf_addstr(out, "null", e));
	rc |= jw_key(out, "last", e) | (s->scored ? jw_real(out, s->last, e) :
	    buf_addstr(out, "null", e));
	rc |= jw_key(out, "trend", e) | jw_str(out, s->trend, e);
	rc |= jw_key(out, "scored", e) | jw_int(out, s->scored, e);
	rc |= buf_addch(out, '}', e);
	rc |= jw_key(out, "sla", e) | buf_addch(out, '{', e);
	rc |= jw_key(out, "breaches", e) | jw_int(out, h->breaches, e);
	rc |= jw_key(out, "clocks", e) | buf_addch(out, '[', e);
	for (i = 0; i < h->clocks_count; i++) {
		const struct handoff_clock *c = &h->clocks[i];

		rc |= (i > 0 ? buf_addch(out, ',', e) : 0) | buf_addch(out, '{', e);
		rc |= jw_key(out, "kind", e) | jw_str(out, c->kind ? c->kind : "", e);
		rc |= jw_key(out, "state", e) | jw_str(out, c->state ? c->state : "", e);
		rc |= jw_key(out, "tier", e) | jw_int(out, c->tier, e);
		rc |= jw_key(out, "deadline", e) | jw_time(out, c->deadline, e);
		rc |= jw_key(out, "warn_at", e) | jw_time(out, c->warn_at, e);
		rc |= jw_key(out, "breached", e) | buf_addstr(out, c->breached ? "true" :
		    "false", e);
		rc |= buf_addch(out, '}', e);
	}
	rc |= buf_add(out, "]}", 2, e);
	rc |= jw_key(out, "notification", e);
	if (r != NULL && r->to != NULL && message_id != NULL) {
		rc |= buf_addch(out, '{', e);
		rc |= jw_key(out, "message_id", e) | jw_str(out, message_id, e);
		rc |= jw_key(out, "to", e) | jw_str(out, r->to, e);
		rc |= jw_key(out, "cc", e) | buf_addch(out, '[', e);
		for (i = 0; i < r->cc_count; i++)
			rc |= (i > 0 ? buf_addch(out, ',', e) : 0) | jw_str(out, r->cc[i], e);
		rc |= buf_add(out, "]}", 2, e);
	} else
		rc |= buf_addstr(out, "null", e);
	rc |= buf_addch(out, '}', e);
	return rc != 0 ? -1 : 0;
}

/*
 * The notice.
 */

int
handoff_subject(const struct handoff *h, struct buf *b, struct err *e)
{
	const struct ticket *t = h->ticket;
	int rc;

	if (h->functional)
		rc = buf_printf(b, e, "[#%lld] Escalated to ", (long long)t->id) == -1 ||
		    text_oneline(b, h->to_department ? h->to_department : "?", 64, e) == -1 ||
		    buf_printf(b, e, " (tier %d) - ", h->to_tier) == -1;
	else
		rc = buf_printf(b, e, "[#%lld] Escalated to tier %d", (long long)t->id,
		    h->to_tier) == -1 ||
		    (t->department != NULL && (buf_addstr(b, " (", e) == -1 ||
		    text_oneline(b, t->department, 64, e) == -1 || buf_addch(b, ')', e) == -1)) ||
		    buf_addstr(b, " - ", e) == -1;
	if (rc)
		return -1;
	return text_oneline(b, t->subject != NULL && *t->subject != '\0' ? t->subject :
	    "(no subject)", NOTIFY_SUBJECT_MAX, e);
}

/* "resolution running, due Mon 1 Jun 2026 19:00 Europe/Berlin (1 h 20 min
 * left); ..." */
static void
sla_words(const struct handoff *h, char *out, size_t len)
{
	char when[TZ_FORMAT_MAX], dur[64];
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	if (h->clocks_count == 0) {
		(void)snprintf(out, len, "no clock recorded%s", h->breaches > 0 ?
		    ", breached before" : "");
		return;
	}
	for (i = 0; i < h->clocks_count && used < len; i++) {
		const struct handoff_clock *c = &h->clocks[i];
		int live = c->state != NULL && (strcmp(c->state, "running") == 0 ||
		    strcmp(c->state, "paused") == 0);

		n = snprintf(out + used, len - used, "%s%s %s", i ? "; " : "", c->kind, c->state);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
		if (live && c->deadline != 0) {
			n = snprintf(out + used, len - used, ", due %s (%s %s)",
			    tz_format(h->tz, c->deadline, 1, when, sizeof(when)),
			    notify_duration_words((long)(c->deadline - h->now), dur, sizeof(dur)),
			    c->deadline > h->now ? "left" : "late");
			if (n < 0 || (size_t)n >= len - used)
				break;
			used += (size_t)n;
		}
		if (c->breached) {
			n = snprintf(out + used, len - used, ", breached");
			if (n < 0 || (size_t)n >= len - used)
				break;
			used += (size_t)n;
		}
	}
}

/* The facts, once; both bodies print them. */
static void
facts(const struct handoff *h, const struct handoff_summary *s, struct notify_facts *f)
{
	const struct ticket *t = h->ticket;
	char c[1000];

	f->count = 0;
	notify_fact_who(f, t);
	notify_fact(f, "Problem", "%s%s%s", *s->problem ? "\"" : "",
	    *s->problem ? s->problem : "(the customer wrote no text)", *s->problem ? "\"" : "");
	if (s->scored >= 2)
		notify_fact(f, "Sentiment", "%.2f -> %.2f, %s (%d customer messages, "
		    "%d scored)", s->first, s->last, s->trend, s->customer_msgs, s->scored);
	else if (s->scored == 1)
		notify_fact(f, "Sentiment", "%.2f, one scored message (%d from the customer)",
		    s->last, s->customer_msgs);
	else
		notify_fact(f, "Sentiment", "not scored (%d customer messages)",
		    s->customer_msgs);
	notify_fact(f, "Hand-offs", "%d, this one included", t->handoffs);
	sla_words(h, c, sizeof(c));
	notify_fact(f, "SLA", "%s", c);
	if (h->breaches > 0)
		notify_fact(f, "Breaches", "%ld recorded on this ticket", h->breaches);
	notify_fact(f, "Priority", "%s, status %s", priority_name(t->priority),
	    status_name(t->status));
}

static int
headline(const struct handoff *h, struct buf *b, struct err *e)
{
	const struct ticket *t = h->ticket;
	char a[200], c[300], d[600];

	if (buf_printf(b, e, "Ticket #%lld is handed to ", (long long)t->id) == -1)
		return -1;
	if (h->functional) {
		if (buf_printf(b, e, "department %s (tier %d)", notify_clean(h->to_department, 64, a,
		    sizeof(a)), h->to_tier) == -1)
			return -1;
	} else if (buf_printf(b, e, "tier %d%s%s%s%s%s", h->to_tier,
	    h->tier_name ? " (" : "",
	    h->tier_name ? notify_clean(h->tier_name, 100, a, sizeof(a)) : "",
	    h->tier_name ? ")" : "", t->department ? ", department " : "",
	    t->department ? notify_clean(t->department, 64, c, sizeof(c)) : "") == -1)
		return -1;
	return buf_printf(b, e, ": escalated %s%s%s: %s.",
	    h->by == HANDOFF_BREACH ? "by the default breach rule" :
	    h->by == HANDOFF_RULE ? "by rule " : "by ",
	    h->by == HANDOFF_BREACH ? "" : notify_clean(h->actor ? h->actor : "unknown", 100, c,
	    sizeof(c)), h->by == HANDOFF_HAND ? " (by hand)" : "",
	    notify_clean(h->reason ? h->reason : "no reason given", 300, d, sizeof(d)));
}

static const char *
late_words(const struct handoff *h)
{
	return h->breaches > 0 ? "This hand-off comes late: an SLA was breached before it." :
	    "This hand-off comes late: an SLA clock is past its warning.";
}

int
handoff_text(const struct handoff *h, const struct handoff_summary *s, struct buf *b,
    struct err *e)
{
	struct notify_facts f;
	size_t i;

	facts(h, s, &f);
	if (headline(h, b, e) == -1 || buf_addch(b, '\n', e) == -1 ||
	    (s->late && buf_printf(b, e, "%s\n", late_words(h)) == -1) ||
	    buf_addch(b, '\n', e) == -1 ||
	    notify_facts_text(b, h->ticket->subject, &f, e) == -1)
		return -1;
	if (s->tried_count == 0 && buf_addstr(b, "\nWhat was tried: nothing yet.\n", e) == -1)
		return -1;
	if (s->tried_count > 0 && buf_printf(b, e, "\nWhat was tried, oldest first (%zu of "
	    "%zu):\n", s->tried_count, s->tried_total) == -1)
		return -1;
	for (i = 0; i < s->tried_count; i++)
		if (buf_printf(b, e, "  - %s\n", s->tried[i]) == -1)
			return -1;
	if (notify_thread_text(b, h->msgs, h->msgs_count, h->tz, e) == -1)
		return -1;
	return buf_addstr(b, "\n-- \nescalator sends this hand-off once. Reply to the "
	    "customer, not to this mail.\n", e);
}

int
handoff_html(const struct handoff *h, const struct handoff_summary *s, struct buf *b,
    struct err *e)
{
	struct notify_facts f;
	struct buf line = BUF_INIT(8192);
	size_t i;
	int r;

	facts(h, s, &f);
	r = headline(h, &line, e) == -1 ||
	    notify_html_open(b, line.buf, "#222222", e) == -1 ||
	    text_html_escape(b, line.buf, e) == -1 ? -1 : 0;
	buf_release(&line);
	if (r == -1 || buf_addstr(b, "</p>\n", e) == -1 ||
	    (s->late && (buf_addstr(b, "<p style=\"color: #b00020; font-weight: bold\">", e) == -1 ||
	    text_html_escape(b, late_words(h), e) == -1 || buf_addstr(b, "</p>\n", e) == -1)) ||
	    notify_facts_html(b, h->ticket->subject, &f, e) == -1)
		return -1;
	if (s->tried_count == 0 && buf_addstr(b, "<h3>What was tried</h3>\n<p>Nothing yet.</p>\n",
	    e) == -1)
		return -1;
	if (s->tried_count > 0 && buf_printf(b, e, "<h3>What was tried, oldest first (%zu of "
	    "%zu)</h3>\n<ul>\n", s->tried_count, s->tried_total) == -1)
		return -1;
	for (i = 0; i < s->tried_count; i++)
		if (buf_addstr(b, "<li>", e) == -1 || text_html_escape(b, s->tried[i], e) == -1 ||
		    buf_addstr(b, "</li>\n", e) == -1)
			return -1;
	if ((s->tried_count > 0 && buf_addstr(b, "</ul>\n", e) == -1) ||
	    notify_thread_html(b, h->msgs, h->msgs_count, h->tz, e) == -1)
		return -1;
	return notify_html_close(b, "escalator sends this hand-off once. Reply to the "
	    "customer, not to this mail.", e);
}
