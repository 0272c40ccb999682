/* decide.c -- sentiment, default policy and rules over one message, as
 * changes to its ticket and the events that explain them; see decide.h.
 * Pure: no I/O, no clock (the notification's Date is the caller's now).
 *
 * Event details are JSON objects built here by hand: every value is a
 * number, a name of ours, or text escaped by rules_json_str. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "intake/message.h"
#include "rules/amount.h"
#include "rules/decide.h"
#include "rules/policy.h"
#include "rules/rules.h"
#include "rules/sentiment.h"

#define DETAIL_MAX	(256 * 1024)	/* one event's JSON */
#define NOTIFY_LINES	40		/* of the customer's text quoted */
#define NOTIFY_LINE	200		/* bytes of one quoted line */
#define SUBJECT_MAX	150		/* bytes of the customer's subject kept */

void
decide_init(struct decide *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->notify_to, 64 * 1024);
	buf_init(&d->notify_why, 64 * 1024);
	rules_run_init(&d->run);
}

void
decide_release(struct decide *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->events_count; i++) {
		free(d->events[i].detail);
		free(d->events[i].log);
	}
	free(d->events);
	buf_release(&d->notify_to);
	buf_release(&d->notify_why);
	rules_run_release(&d->run);
	free(d->tags);
	decide_init(d);
}

void
decide_reset(struct decide *d)
{
	size_t i;

	for (i = 0; i < d->events_count; i++) {
		free(d->events[i].detail);
		free(d->events[i].log);
	}
	d->events_count = 0;
	buf_reset(&d->notify_to);
	buf_reset(&d->notify_why);
	free(d->tags);
	d->tags = NULL;
	d->customer = d->reopened = d->ignored = d->scored = 0;
	memset(&d->sentiment, 0, sizeof(d->sentiment));
	memset(&d->urgency, 0, sizeof(d->urgency));
	d->asks = NULL;
}

/* ---- building events ------------------------------------------------ */

static int
sep(struct buf *b, struct err *e)
{
	return b->len > 0 && b->buf[b->len - 1] != '{' && b->buf[b->len - 1] != '[' ?
	    buf_addch(b, ',', e) : 0;
}

/* ,"key": -- keys are ours, never escaped; no printf: an assessed
 * event writes some forty of them per customer message.  qkey is the
 * key already quoted, with its colon (the j_str, j_num and j_raw macros
 * below make it from a literal), so it is one copy. */
static int
j_key(struct buf *b, const char *qkey, size_t n, struct err *e)
{
	return sep(b, e) | buf_add(b, qkey, n, e);
}

/* rules_json_num's text ("%.4f", trailing zeros and "-0" dropped) made
 * without printf where that is exact: |v| < 1e6, so v * 1e4 is within
 * 2e-6 of the true product, and not near a tie (a fraction of .5 within
 * 1e-4), where printf's rounding of the exact value decides. */
static int
j_numtext(struct buf *b, double v, struct err *e)
{
	char s[32], *p = s + sizeof(s);
	double a = v < 0 ? -v : v, x, f;
	unsigned long n, frac;
	int i, any = 0;

	if (!(a < 1e6))
		return rules_json_num(b, v, e);
	x = a * 10000.0;
	n = (unsigned long)x;
	f = x - (double)n;
	if (f > 0.4999 && f < 0.5001)
		return rules_json_num(b, v, e);
	n += f > 0.5;
	if (n == 0)
		return buf_addch(b, '0', e);
	frac = n % 10000;
	for (i = 0; i < 4; i++, frac /= 10) {
		if (!any && frac % 10 == 0)
			continue;	/* trailing zero */
		*--p = (char)('0' + frac % 10);
		any = 1;
	}
	if (any)
		*--p = '.';
	n /= 10000;
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	if (v < 0)
		*--p = '-';
	return buf_add(b, p, (size_t)(s + sizeof(s) - p), e);
}

static int
j_str_q(struct buf *b, const char *qkey, size_t qlen, const char *v, struct err *e)
{
	int rc = j_key(b, qkey, qlen, e);
	size_t n;

	if (v == NULL)
		return rc | buf_addstr(b, "null", e);
	rc |= buf_addch(b, '"', e);
	/* Printable ASCII without '"' and '\\' is its own JSON text: one
	 * copy instead of rules_json_str's byte at a time (same text). */
	for (n = 0; n <= 4096 && (unsigned char)v[n] >= 0x20 &&
	    (unsigned char)v[n] < 0x80 && v[n] != '"' && v[n] != '\\'; n++)
		;
	if (v[n] == '\0' && n <= 4096)
		rc |= buf_add(b, v, n, e);
	else
		rc |= rules_json_str(b, v, 4096, e);
	return rc | buf_addch(b, '"', e);
}

static int
j_num_q(struct buf *b, const char *qkey, size_t n, double v, struct err *e)
{
	int rc = j_key(b, qkey, n, e);

	return rc | j_numtext(b, v, e);
}

static int
j_raw_q(struct buf *b, const char *qkey, size_t n, const char *raw, struct err *e)
{
	int rc = j_key(b, qkey, n, e);

	return rc | buf_addstr(b, raw, e);
}

/* "key": from a string literal, its length known at compile time */
#define J_QKEY(key)		"\"" key "\":", sizeof(key) + 2
#define j_str(b, key, v, e)	j_str_q(b, J_QKEY(key), v, e)
#define j_num(b, key, v, e)	j_num_q(b, J_QKEY(key), v, e)
#define j_raw(b, key, raw, e)	j_raw_q(b, J_QKEY(key), raw, e)

/* A value for a log line: quotes, backslashes and controls made '?'. */
static void
log_value(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; s != NULL && *s != '\0' && o + 1 < len; s++)
		out[o++] = (unsigned char)*s < 0x20 || *s == '"' || *s == '\\' ? '?' : *s;
	out[o] = '\0';
}

/* Takes b's contents as the detail of a new event. */
static int
event_add(struct decide *d, const char *kind, struct buf *b, const char *log,
    struct err *e)
{
	if (d->decisions_only)
		return 0;
	struct decide_event *ev;
	char *detail, *l = NULL;

	if (d->events_count == d->events_cap) {
		size_t cap = d->events_cap ? d->events_cap * 2 : 8;

		if ((ev = realloc(d->events, cap * sizeof(*ev))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory deciding");
		d->events = ev;
		d->events_cap = cap;
	}
	if (buf_addch(b, '}', e) == -1)
		return -1;
	if ((detail = buf_detach(b, NULL)) == NULL ||
	    (log != NULL && (l = strdup(log)) == NULL)) {
		free(detail);
		return err_set(e, ERR_NOMEM, "out of memory deciding");
	}
	ev = &d->events[d->events_count++];
	ev->kind = kind;
	ev->detail = detail;
	ev->log = l;
	return 0;
}

/* ---- the steps ------------------------------------------------------ */

static int
assessed(struct decide *d, const struct message *m, int newest, struct err *e)
{
	struct buf b = BUF_INIT(DETAIL_MAX);
	size_t i;
	int rc = 0;

	rc |= buf_addch(&b, '{', e);
	rc |= j_str(&b, "message_id", m->message_id, e);
	if (d->scored)
		rc |= j_num(&b, "sentiment", d->sentiment.compound, e);
	else
		rc |= j_raw(&b, "sentiment", "null", e);
	rc |= j_raw(&b, "words", "[", e);
	for (i = 0; d->scored && i < d->sentiment.words_count; i++) {
		rc |= sep(&b, e);
		rc |= buf_addch(&b, '{', e);
		rc |= j_str(&b, "word", d->sentiment.words[i].word, e);
		rc |= j_num(&b, "valence", d->sentiment.words[i].valence, e);
		rc |= buf_addch(&b, '}', e);
	}
	rc |= buf_addch(&b, ']', e);
	if (d->scored && d->sentiment.lang[0] != '\0') {
		/* prescored: the language was not looked at again */
		rc |= j_str(&b, "language", d->sentiment.lang, e);
		rc |= j_raw(&b, "scored", d->sentiment.lang_scored ? "true" :
		    "false", e);
	}
	rc |= j_str(&b, "asks_escalation", d->asks, e);
	rc |= j_raw(&b, "public", m->public ? "true" : "false", e);
	if (m->reach >= 0)
		rc |= j_num(&b, "reach", (double)m->reach, e);
	else
		rc |= j_raw(&b, "reach", "null", e);
	rc |= j_num(&b, "negativity", d->urgency.negativity, e);
	rc |= j_num(&b, "visibility", d->urgency.visibility, e);
	rc |= j_num(&b, "reach_term", d->urgency.reach, e);
	rc |= j_num(&b, "urgency", d->urgency.urgency, e);
	rc |= j_str(&b, "priority", priority_name(d->urgency.priority), e);
	if (!newest)
		rc |= j_raw(&b, "late", "true", e);
	if (rc != 0 || event_add(d, "assessed", &b, NULL, e) == -1) {
		buf_release(&b);
		return -1;
	}
	buf_release(&b);
	return 0;
}

/* amount, authority: what route-by-authority saw ("120.00 EUR",
 * "refund"), or NULL. */
static int
escalated_tier_by(struct decide *d, int from, int to, const char *reason,
    const char *rule, const char *asks, const char *amount, const char *authority,
    struct err *e)
{
	if (d->decisions_only)
		return 0;
	struct buf b = BUF_INIT(DETAIL_MAX);
	char log[1024], r[256];
	int rc = 0;

	rc |= buf_addch(&b, '{', e);
	rc |= j_str(&b, "type", "hierarchical", e);
	rc |= j_num(&b, "from", from, e);
	rc |= j_num(&b, "to", to, e);
	rc |= j_str(&b, "reason", reason, e);
	if (rule != NULL)
		rc |= j_str(&b, "rule", rule, e);
	if (asks != NULL)
		rc |= j_str(&b, "asks_escalation", asks, e);
	if (amount != NULL)
		rc |= j_str(&b, "amount", amount, e);
	if (authority != NULL)
		rc |= j_str(&b, "authority", authority, e);
	log_value(reason, r, sizeof(r));
	(void)snprintf(log, sizeof(log), "event=escalated tier=%d->%d %s=\"%s\"", from, to,
	    rule != NULL ? "rule" : "reason", r);
	if (rc != 0 || event_add(d, "escalated", &b, log, e) == -1) {
		buf_release(&b);
		return -1;
	}
	buf_release(&b);
	return 0;
}

static int
escalated_tier(struct decide *d, int from, int to, const char *reason,
    const char *rule, const char *asks, struct err *e)
{
	return escalated_tier_by(d, from, to, reason, rule, asks, NULL, NULL, e);
}

/* What each route-by-authority of hit h found, for its rule-matched
 * event -- most of all why nothing changed, when nothing did:
 * "route_by_authority":[{"authority":"refund","amount":"120.00 EUR",
 * "tier":2,"changed":true}] */
static int
authority_notes(struct buf *b, const struct rules_run *run,
    const struct rules_hit *h, struct err *e)
{
	const struct rules_effect *ef;
	char amt[64], why[200];
	size_t k;
	int rc = 0, n = 0;

	for (k = 0; k < run->effects_count; k++) {
		ef = &run->effects[k];
		if (ef->rule != h->rule || ef->act != RULES_AUTHORITY)
			continue;
		rc |= n++ ? buf_addch(b, ',', e) : j_raw(b, "route_by_authority", "[", e);
		rc |= buf_addch(b, '{', e);
		rc |= j_str(b, "authority", ef->str, e);
		if (ef->amount < 0) {
			rc |= j_raw(b, "amount", "null", e);
			(void)snprintf(why, sizeof(why), "no amount in %s in the message",
			    amount_currency_code(ef->currency));
		} else {
			rc |= j_str(b, "amount", amount_format(ef->amount, ef->currency, amt,
			    sizeof(amt)), e);
			rc |= j_num(b, "tier", ef->tier, e);
			(void)snprintf(why, sizeof(why), "tier %d may decide it already",
			    ef->from);
		}
		rc |= j_raw(b, "changed", ef->to != ef->from ? "true" : "false", e);
		if (ef->to == ef->from)
			rc |= j_str(b, "why", why, e);
		rc |= buf_addch(b, '}', e);
	}
	if (n > 0)
		rc |= buf_addch(b, ']', e);
	return rc;
}

/* 1 when addr is in the ", "-separated list. */
static int
list_has(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p = strchr(p, ',') ? strchr(p, ',') + 2 : NULL)
		if (strncmp(p, addr, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The events of rule hit h's effects. */
static int
effects(struct decide *d, const struct rules *p, const struct rules_hit *h,
    const char **priority_rule, struct err *e)
{
	const struct rules_run *run = &d->run;
	const struct rules_effect *ef;
	const char *rule = rules_name(p, h->rule);
	struct buf b = BUF_INIT(DETAIL_MAX);
	char log[1024], v1[256], v2[256], reason[300];
	size_t k;
	int rc = 0;

	for (k = 0; k < run->effects_count && rc == 0; k++) {
		ef = &run->effects[k];
		if (ef->rule != h->rule)
			continue;
		if (d->decisions_only && ef->act != RULES_PRIORITY && ef->act != RULES_NOTIFY)
			continue;	/* the rest only explains */
		buf_reset(&b);
		rc |= buf_addch(&b, '{', e);
		switch (ef->act) {
		case RULES_PRIORITY:
			*priority_rule = rule;
			break;
		case RULES_TIER:
			if (ef->by_department)
				(void)snprintf(reason, sizeof(reason), "department %s starts "
				    "at tier %d", ef->str, ef->to);
			else
				(void)snprintf(reason, sizeof(reason), "%s", rule);
			rc |= escalated_tier(d, ef->from, ef->to, reason, rule, NULL, e);
			break;
		case RULES_AUTHORITY:
			if (ef->to == ef->from)
				break;		/* rule-matched says why */
			(void)amount_format(ef->amount, ef->currency, v1, sizeof(v1));
			if (ef->limit >= 0)
				(void)snprintf(reason, sizeof(reason), "authority %s: %s needs "
				    "tier %d (up to %s)", ef->str, v1, ef->to,
				    amount_format(ef->limit, ef->currency, v2, sizeof(v2)));
			else
				(void)snprintf(reason, sizeof(reason), "authority %s: %s needs "
				    "tier %d (any amount)", ef->str, v1, ef->to);
			rc |= escalated_tier_by(d, ef->from, ef->to, reason, rule, NULL, v1,
			    ef->str, e);
			break;
		case RULES_DEPARTMENT:
			rc |= j_str(&b, "type", "functional", e);
			rc |= j_str(&b, "from", ef->prev, e);
			rc |= j_str(&b, "to", ef->str, e);
			rc |= j_str(&b, "reason", rule, e);
			rc |= j_str(&b, "rule", rule, e);
			log_value(ef->str, v1, sizeof(v1));
			log_value(rule, v2, sizeof(v2));
			(void)snprintf(log, sizeof(log), "event=escalated department=%s "
			    "rule=\"%s\"", v1, v2);
			rc |= event_add(d, "escalated", &b, log, e);
			break;
		case RULES_ASSIGN:
			rc |= j_str(&b, "from", ef->prev, e);
			rc |= j_str(&b, "to", ef->str, e);
			rc |= j_str(&b, "rule", rule, e);
			log_value(ef->str, v1, sizeof(v1));
			log_value(rule, v2, sizeof(v2));
			(void)snprintf(log, sizeof(log), "event=assigned owner=%s rule=\"%s\"",
			    v1, v2);
			rc |= event_add(d, "assigned", &b, log, e);
			break;
		case RULES_TAG:
			rc |= j_str(&b, "tag", ef->str, e);
			rc |= j_str(&b, "rule", rule, e);
			rc |= event_add(d, "tagged", &b, NULL, e);
			break;
		case RULES_NOTIFY:
			if (list_has(d->notify_to.buf, ef->str))
				break;
			if (d->notify_to.len > 0)
				rc |= buf_addstr(&d->notify_to, ", ", e);
			rc |= buf_addstr(&d->notify_to, ef->str, e);
			break;
		default:
			break;
		}
	}
	buf_release(&b);
	return rc == 0 ? 0 : -1;
}

/* Splits the ticket's tags into rt (pointers into d->tags). */
static int
tags_split(struct decide *d, const char *tags, struct rules_ticket *rt, struct err *e)
{
	char *p, *comma;

	rt->tags_count = 0;
	if (tags == NULL || *tags == '\0')
		return 0;
	if ((d->tags = strdup(tags)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory deciding");
	for (p = d->tags; p != NULL && rt->tags_count < RULES_TAGS_MAX; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (*p != '\0')
			rt->tags[rt->tags_count++] = p;
	}
	return 0;
}

static char *
tags_join(const struct rules_ticket *rt)
{
	size_t i, len = 0;
	char *s;

	if (rt->tags_count == 0)
		return NULL;
	for (i = 0; i < rt->tags_count; i++)
		len += strlen(rt->tags[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0, len = 0; i < rt->tags_count; i++) {
		size_t n = strlen(rt->tags[i]);

		if (i > 0)
			s[len++] = ',';
		memcpy(s + len, rt->tags[i], n);
		len += n;
	}
	s[len] = '\0';
	return s;
}

/* Replaces *field by a copy of v unless it is the same string. */
static int
set_str(char **field, const char *v)
{
	char *copy = NULL;

	if (v == *field || (v != NULL && *field != NULL && strcmp(v, *field) == 0))
		return 0;
	if (v != NULL && (copy = strdup(v)) == NULL)
		return -1;
	free(*field);
	*field = copy;
	return 0;
}

static int
priority_event(struct decide *d, int from, int to, const char *rule, struct err *e)
{
	if (d->decisions_only)
		return 0;
	struct buf b = BUF_INIT(DETAIL_MAX);
	char log[1024], r[256];
	int rc = 0;

	rc |= buf_addch(&b, '{', e);
	rc |= j_str(&b, "from", priority_name(from), e);
	rc |= j_str(&b, "to", priority_name(to), e);
	rc |= j_str(&b, "by", rule != NULL ? "rule" : "default", e);
	if (rule != NULL)
		rc |= j_str(&b, "rule", rule, e);
	else
		rc |= j_num(&b, "urgency", d->urgency.urgency, e);
	log_value(rule, r, sizeof(r));
	if (rule != NULL)
		(void)snprintf(log, sizeof(log), "event=priority priority=%s->%s rule=\"%s\"",
		    priority_name(from), priority_name(to), r);
	else
		(void)snprintf(log, sizeof(log), "event=priority priority=%s->%s by=default",
		    priority_name(from), priority_name(to));
	if (rc != 0 || event_add(d, "priority", &b, log, e) == -1) {
		buf_release(&b);
		return -1;
	}
	buf_release(&b);
	return 0;
}

int
decide_message(struct decide *d, const struct decide_in *in, struct ticket *t,
    struct message *m, struct err *e)
{
	const struct rules *p = in->rules;
	struct rules_msg rm;
	struct rules_ticket rt;
	struct buf b = BUF_INIT(DETAIL_MAX);
	const char *text, *priority_rule = NULL, *label = NULL;
	char actions[1024], *tags;
	int opened = t->messages == 0, status_before = t->status;
	int priority_before = t->priority, tier_ruled = 0, asked_before, rc = 0;
	int newest = m->date >= t->last_inbound;
	size_t i, k;

	d->decisions_only = in->decisions_only;
	d->reopened = policy_ticket_message(t, m);
	if (m->direction != DIR_IN || m->auto_reason != NULL)
		return 0;
	d->customer = 1;

	/* 2. what the customer wrote now: its sentiment, a request to escalate */
	text = m->text_scored != NULL ? m->text_scored : m->text != NULL ? m->text : "";
	if (in->prescored) {
		/* scored before: the words are not known, so the detector
		 * below must read the text itself */
		d->sentiment.compound = m->sentiment;
		d->sentiment.escalation_words = 1;
		d->scored = 1;
	} else if (in->lexicon != NULL) {
		sentiment_score_lang(in->lexicon, text, strlen(text), m->lang,
		    &d->sentiment);
		d->scored = 1;
		m->scored = 1;
		m->sentiment = d->sentiment.compound;
	}
	/* The scorer has read every word already: without one of the words
	 * an escalation request needs, the detector need not read them again. */
	if (!in->no_asks && (((!d->scored || d->sentiment.escalation_words) &&
	    sentiment_asks_escalation(text, strlen(text), &label)) ||
	    (m->subject != NULL &&
	    sentiment_asks_escalation(m->subject, strlen(m->subject), &label))))
		d->asks = label != NULL ? label : "asks to escalate";
	policy_urgency(d->sentiment.compound, d->scored, m->public, m->reach, &d->urgency);
	if (!in->decisions_only && assessed(d, m, newest, e) == -1)
		return -1;
	if (!newest)
		return 0;

	/* 3. the default priority of the newest customer message */
	t->priority = d->urgency.priority;
	t->urgency = d->urgency.urgency;

	/* 4. the rules */
	memset(&rt, 0, sizeof(rt));
	rt.status = t->status;
	rt.priority = t->priority;
	rt.tier = t->tier;
	rt.exchanges = t->exchanges;
	rt.opened = opened;
	rt.department = t->department;
	rt.owner = t->owner;
	if (tags_split(d, t->tags, &rt, e) == -1)
		return -1;
	asked_before = ticket_tags_have(t->tags, DECIDE_ASKED_TAG);
	if (rules_count(p) > 0) {
		memset(&rm, 0, sizeof(rm));
		rm.text = text;
		rm.subject = m->subject;
		rm.from_addr = m->from_addr;
		rm.from_name = m->from_name;
		rm.channel = in->channel;
		rm.kind = in->kind;
		rm.public = m->public;
		rm.reach = m->reach;
		rm.scored = d->scored;
		rm.sentiment = d->sentiment.compound;
		rm.asks_escalation = d->asks;
		rm.age = m->date > t->created ? m->date - t->created : 0;
		if (rules_eval(p, &rm, &rt, &d->run, e) == -1)
			return -1;
		for (i = 0; i < d->run.hits_count; i++) {
			const struct rules_hit *h = &d->run.hits[i];

			buf_reset(&b);
			if (!in->decisions_only) {
				rc |= buf_addch(&b, '{', e);
				rc |= rules_explain(p, &d->run, i, &b, e);
				rc |= j_str(&b, "actions", rules_actions_text(p, h->rule,
				    actions, sizeof(actions)), e);
				rc |= authority_notes(&b, &d->run, h, e);
				if (rc == 0)
					rc |= event_add(d, "rule-matched", &b, NULL, e);
			}
			if (rc != 0 || effects(d, p, h, &priority_rule, e) == -1) {
				buf_release(&b);
				return -1;
			}
			if (d->notify_why.len < 60000) {
				for (k = 0; k < d->run.effects_count; k++)
					if (d->run.effects[k].rule == h->rule &&
					    d->run.effects[k].act == RULES_NOTIFY)
						break;
				if (k < d->run.effects_count)
					rc |= buf_printf(&d->notify_why, e, "%s\n",
					    rules_name(p, h->rule));
			}
		}
		for (k = 0; k < d->run.effects_count; k++)
			tier_ruled |= d->run.effects[k].act == RULES_TIER ||
			    (d->run.effects[k].act == RULES_AUTHORITY &&
			    d->run.effects[k].to != d->run.effects[k].from);
		d->ignored = d->run.ignored;
	}

	/* 5. the default escalation */
	if (d->asks != NULL && !asked_before) {
		if (!tier_ruled && !d->ignored && rt.tier < TIER_MAX) {
			if (escalated_tier(d, rt.tier, rt.tier + 1, DECIDE_ASKED_REASON, NULL,
			    d->asks, e) == -1) {
				buf_release(&b);
				return -1;
			}
			rt.tier++;
		}
		if (rt.tags_count < RULES_TAGS_MAX) {
			rt.tags[rt.tags_count++] = DECIDE_ASKED_TAG;
			buf_reset(&b);
			rc |= buf_addch(&b, '{', e);
			rc |= j_str(&b, "tag", DECIDE_ASKED_TAG, e);
			rc |= j_str(&b, "reason", DECIDE_ASKED_REASON, e);
			rc |= j_str(&b, "asks_escalation", d->asks, e);
			if (rc != 0 || event_add(d, "tagged", &b, NULL, e) == -1) {
				buf_release(&b);
				return -1;
			}
		}
	}

	/* what the rules did, into the ticket */
	if (d->ignored) {
		rt.status = opened ? STATUS_CLOSED : status_before;
		if (rt.status == status_before || opened)
			d->reopened = 0;
		buf_reset(&b);
		rc |= buf_addch(&b, '{', e);
		for (k = 0; k < d->run.effects_count; k++)
			if (d->run.effects[k].act == RULES_IGNORE)
				break;
		rc |= j_str(&b, "rule", rules_name(p, k < d->run.effects_count ?
		    d->run.effects[k].rule : 0), e);
		rc |= j_str(&b, "status", status_name(rt.status), e);
		if (rc != 0 || event_add(d, "ignored", &b, "event=ignored", e) == -1) {
			buf_release(&b);
			return -1;
		}
	}
	buf_release(&b);
	t->status = rt.status;
	t->tier = rt.tier;
	if (rt.priority == t->priority)
		priority_rule = NULL;	/* the default stands */
	t->priority = rt.priority;
	if (set_str(&t->department, rt.department) == -1 ||
	    set_str(&t->owner, rt.owner) == -1)
		return err_set(e, ERR_NOMEM, "out of memory deciding");
	tags = tags_join(&rt);
	if (rt.tags_count > 0 && tags == NULL)
		return err_set(e, ERR_NOMEM, "out of memory deciding");
	free(t->tags);
	t->tags = tags;

	/* 6. the priority, and what set it; a ticket this message opened at
	 * its default priority needs no event: "assessed" says it already
	 * (one insert fewer for most new tickets) */
	if (t->priority != priority_before && (priority_rule != NULL || !opened) &&
	    priority_event(d, priority_before, t->priority, priority_rule, e) == -1)
		return -1;
	return rc == 0 ? 0 : -1;
}

/* ---- the notification ----------------------------------------------- */

/* Appends s on one line: controls, CR and LF made spaces, cut at max
 * bytes on a character boundary. */
static int
one_line(struct buf *out, const char *s, size_t max, struct err *e)
{
	size_t n, start = out->len;
	int rc = 0;

	for (n = 0; s != NULL && s[n] != '\0' && n < max; n++) {
		unsigned char c = (unsigned char)s[n];

		rc |= buf_addch(out, c < 0x20 || c == 0x7f ? ' ' : c, e);
	}
	/* a cut never leaves half a character */
	if (rc == 0 && s != NULL && s[n] != '\0') {
		size_t i = out->len;

		while (i > start && ((unsigned char)out->buf[i - 1] & 0xC0) == 0x80)
			i--;
		if (i > start && (unsigned char)out->buf[i - 1] >= 0xC0)
			out->len = i - 1;
		out->buf[out->len] = '\0';
	}
	return rc;
}

/* The customer's text, quoted: a few lines, each cut. */
static int
quote_text(struct buf *out, const char *s, struct err *e)
{
	int lines = 0, rc = 0;
	size_t n;

	while (s != NULL && *s != '\0' && lines < NOTIFY_LINES) {
		n = strcspn(s, "\n");
		rc |= buf_addstr(out, "> ", e);
		{
			char *line = strndup(s, n);

			if (line == NULL)
				return err_set(e, ERR_NOMEM, "out of memory");
			rc |= one_line(out, line, NOTIFY_LINE, e);
			free(line);
		}
		rc |= buf_addch(out, '\n', e);
		lines++;
		s += n;
		if (*s == '\n')
			s++;
	}
	if (s != NULL && *s != '\0')
		rc |= buf_addstr(out, "> [...]\n", e);
	return rc;
}

int
decide_notification(const struct decide *d, const struct ticket *t,
    const struct message *m, int64_t msgrow, const char *domain,
    struct buf *subject, struct buf *text, char *msgid, size_t msgid_len,
    struct err *e)
{
	const char *why, *nl;
	size_t i;
	int rc = 0;

	if (d->notify_to.len == 0)
		return 0;
	(void)snprintf(msgid, msgid_len, "escalator-notify-%lld-%lld@%s",
	    (long long)t->id, (long long)msgrow,
	    domain != NULL && *domain != '\0' ? domain : "localhost");

	rc |= buf_printf(subject, e, "[#%lld] %s: ", (long long)t->id,
	    priority_name(t->priority));
	rc |= one_line(subject, m->subject != NULL && *m->subject != '\0' ? m->subject :
	    "(no subject)", SUBJECT_MAX, e);

	rc |= buf_printf(text, e, "Ticket #%lld needs attention; the rules that asked:\n",
	    (long long)t->id);
	for (why = d->notify_why.buf; why != NULL && *why != '\0'; why = nl + 1) {
		if ((nl = strchr(why, '\n')) == NULL)
			break;
		rc |= buf_printf(text, e, "  - \"%.*s\"\n", (int)(nl - why), why);
	}
	rc |= buf_printf(text, e, "\nPriority %s, tier %d%s%s, %s.\n",
	    priority_name(t->priority), t->tier, t->department ? ", department " : "",
	    t->department ? t->department : "", status_name(t->status));
	rc |= buf_addstr(text, "Customer: ", e);
	rc |= one_line(text, m->from_name, 200, e);
	rc |= buf_addstr(text, " <", e);
	rc |= one_line(text, m->from_addr, 320, e);
	rc |= buf_printf(text, e, ">, on %s (%s)\n", t->channel ? t->channel : "?",
	    m->public ? "public" : "private");
	if (m->url != NULL)
		rc |= buf_printf(text, e, "Link: %s\n", m->url);
	if (d->scored) {
		rc |= buf_printf(text, e, "Sentiment: %.4f", d->sentiment.compound);
		for (i = 0; i < d->sentiment.words_count && i < 8; i++)
			rc |= buf_printf(text, e, "%s%s", i ? ", " : " (", d->sentiment.words[i].word);
		rc |= buf_addstr(text, d->sentiment.words_count > 0 ? ")\n" : "\n", e);
	}
	if (d->asks != NULL)
		rc |= buf_printf(text, e, "Asks to escalate: \"%s\"\n", d->asks);
	rc |= buf_addstr(text, "Subject: ", e);
	rc |= one_line(text, m->subject, 998, e);
	rc |= buf_addstr(text, "\n\n", e);
	rc |= quote_text(text, m->text_scored != NULL ? m->text_scored : m->text, e);
	rc |= buf_printf(text, e, "\n-- \n`escalator show %lld` says why.\n",
	    (long long)t->id);
	return rc == 0 ? 0 : -1;
}
