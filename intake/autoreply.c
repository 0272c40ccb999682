/* autoreply.c -- intake_autoreply (intake.h): the tier 0 acknowledgement
 * of a new ticket, queued in the outbox inside the transaction that
 * stores the ticket, so a crash never sends one for a ticket that was
 * rolled back, and a re-import (the message is present: intake stops
 * before threading) never queues a second.
 *
 * rules/autoreply.c decides and writes the words; this file asks the
 * store for the hourly guard, composes the mail (connectors/
 * smtp_compose.c) and records what happened as an event.  `escalator
 * send` delivers it like a notification, with an empty envelope sender
 * (RFC 3834 section 3.3: a bounce of an automatic answer goes nowhere).
 * Called only for channels with an autoreply block, once per new ticket:
 * the rest of intake pays one pointer test. */
#include "config.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/model.h"
#include "common/tz.h"
#include "common/util.h"
#include "connectors/smtp_compose.h"
#include "intake/intake.h"
#include "intake/message.h"
#include "rules/autoreply.h"
#include "rules/conf.h"
#include "rules/sla.h"
#include "store/store.h"

#define ACK_MAX		(1024 * 1024)	/* the composed mail; the text is <= 64 KiB */
#define REFS_HEADER_MAX	800		/* References stays one sane header */

/* A Message-ID we may copy into a header of ours: printable ASCII, no
 * blanks, brackets or "=?", of a sane length. */
static int
id_ok(const char *id)
{
	const unsigned char *p;

	if (id == NULL || *id == '\0' || strlen(id) > 250 || strstr(id, "=?") != NULL)
		return 0;
	for (p = (const unsigned char *)id; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>')
			return 0;
	return 1;
}

/* References of the answer: the customer's (the newest that fit) and the
 * customer's Message-ID last, as RFC 5322 section 3.6.4 builds them. */
static int
references(const struct message *m, struct buf *out, struct err *e)
{
	size_t i, first, room = REFS_HEADER_MAX - strlen(m->message_id) - 3;
	size_t used = 0;

	/* Count back from the newest while they fit. */
	for (first = m->refs_count; first > 0; first--) {
		const char *r = m->refs[first - 1];

		if (!id_ok(r))
			break;
		if (used + strlen(r) + 3 > room)
			break;
		used += strlen(r) + 3;
	}
	for (i = first; i < m->refs_count; i++)
		if (strcmp(m->refs[i], m->message_id) != 0 &&
		    buf_printf(out, e, "<%s> ", m->refs[i]) == -1)
			return -1;
	return buf_printf(out, e, "<%s>", m->message_id);
}

static int
event_add(struct intake *in, const struct ticket *t, const struct message *m,
    json_t *o, struct err *e)
{
	char *detail;
	int ret;

	if (o == NULL)
		return err_set(e, ERR_NOMEM, "out of memory recording an acknowledgement");
	detail = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (detail == NULL)
		return err_set(e, ERR_NOMEM, "out of memory recording an acknowledgement");
	ret = store_event_add(in->store, t->id, m->date, "autoreply", "escalator", detail, e);
	free(detail);
	return ret;
}

static int
skipped(struct intake *in, const struct ticket *t, const struct message *m,
    const char *why, const char *detail, struct err *e)
{
	char esc[300], ascii[300];
	size_t i;

	/* The detail may quote the customer's bytes; JSON wants UTF-8, and
	 * a diagnostic reads fine in ASCII. */
	for (i = 0; detail[i] != '\0' && i + 1 < sizeof(ascii); i++)
		ascii[i] = (unsigned char)detail[i] < 0x20 || (unsigned char)detail[i] >= 0x7f ?
		    '?' : detail[i];
	ascii[i] = '\0';
	detail = ascii;
	log_info("ticket=%" PRId64 " channel=%s event=autoreply-skipped reason=%s "
	    "detail=\"%s\"", t->id, in->channel, why, log_escape(detail, esc, sizeof(esc)));
	return event_add(in, t, m, json_pack("{s:s, s:s}", "skipped", why, "detail", detail), e);
}

#define DUE_SKEW_MAX	86400	/* seconds between a Date and the arrival */

/* When the first-response clock of a message of time `from` (its date,
 * else its arrival: what cli/sweep.c starts the clock at) comes due,
 * counted as the sweep counts it (rules/sla.c: business hours,
 * holidays), and the zone to say it in, owned by the caller.  A zone that
 * cannot be loaded leaves the time unsaid, with a log line: the
 * acknowledgement goes out anyway. */
static void
promise_due(struct autoreply_promise *p, time_t from, struct tz **tz)
{
	struct sla_calendar cal;
	struct err e = ERR_INIT;
	char esc[600];

	if (tz_load(p->calendar->timezone, tz, &e) == -1 ||
	    sla_calendar_init(&cal, p->calendar, *tz, &e) == -1) {
		log_warnx("event=autoreply-due-unknown calendar=%s error=\"%s\"",
		    p->calendar->name, log_escape(e.msg, esc, sizeof(esc)));
		tz_free(*tz);
		*tz = NULL;
		return;
	}
	p->from = from;
	p->due = sla_add(&cal, from, p->target);
	p->tz = *tz;
	sla_calendar_release(&cal);
}

int
intake_autoreply(struct intake *in, const struct ticket *t, const struct message *m,
    struct err *e)
{
	const struct conf_autoreply *ar = in->autoreply;
	struct autoreply_msg am;
	struct buf subject = BUF_INIT(4096), text = BUF_INIT(ACK_MAX);
	struct buf refs = BUF_INIT(REFS_HEADER_MAX + 300), mail = BUF_INIT(ACK_MAX);
	struct compose cm;
	struct autoreply_promise promise;
	const struct conf_tier *tier;
	long targets[SLA_KINDS];
	const char *own[3], *why, *to[1], *extra[3], *host;
	char detail[300], from_spec[256], msgid[400], bracketed[410], irt[260];
	char xticket[64], rcpts[300], esc[300];
	size_t links[AUTOREPLY_LINKS_MAX], nlinks, i, nown = 0;
	time_t last;
	int64_t last_ticket;
	json_t *urls, *ev;
	struct tz *tz = NULL;
	int r, ret = -1;

	if (ar == NULL || m->direction != DIR_IN || t->customer == NULL)
		return 0;
	own[nown++] = ar->from;
	if (in->notify_from != NULL)
		own[nown++] = in->notify_from;
	if (ar->account != NULL)
		own[nown++] = ar->account;
	memset(&am, 0, sizeof(am));
	am.to = t->customer;
	am.subject = m->subject;
	am.text = m->text;
	am.auto_reason = m->auto_reason;
	am.auto_detail = m->auto_detail;
	am.raw = m->raw;
	am.raw_len = m->raw_len;
	am.received = m->received;
	am.now = in->now;
	am.own = own;
	am.own_count = nown;
	why = autoreply_check(ar, &am, detail, sizeof(detail));
	if (why == NULL && !compose_addr_ok(t->customer)) {
		why = "no-address";
		(void)snprintf(detail, sizeof(detail), "'%s' is not a plain address", t->customer);
	}
	if (why == NULL) {
		if ((r = store_autoreply_get(in->store, t->customer, &last, &last_ticket, e)) == -1)
			return -1;
		if (r == 1 && autoreply_recent(last, m->received)) {
			why = "rate-limited";
			if (m->received >= last)
				(void)snprintf(detail, sizeof(detail), "ticket %" PRId64 " was "
				    "acknowledged %lld s before; at most one an hour",
				    last_ticket, (long long)(m->received - last));
			else
				(void)snprintf(detail, sizeof(detail), "ticket %" PRId64 " was "
				    "acknowledged for mail that arrived later (read out "
				    "of order)", last_ticket);
		}
	}
	if (why != NULL)
		return skipped(in, t, m, why, detail, e);

	/* The Message-ID names the ticket, so the outbox's UNIQUE column
	 * refuses a second acknowledgement of it whatever happens. */
	if (compose_addr_spec(ar->from, from_spec, sizeof(from_spec)) == -1)
		return err_set(e, ERR_CONFIG, "invalid autoreply sender '%s'", ar->from);
	host = strrchr(from_spec, '@') + 1;	/* compose_addr_spec: there is one */
	(void)snprintf(msgid, sizeof(msgid), "escalator.ack.%" PRId64 "@%s", t->id, host);
	(void)snprintf(bracketed, sizeof(bracketed), "<%s>", msgid);
	(void)snprintf(xticket, sizeof(xticket), "X-Escalator-Ticket: %" PRId64, t->id);
	nlinks = autoreply_links(ar, m->subject, m->text, links, AUTOREPLY_LINKS_MAX);
	/* The first-response clock the sweep will run for the ticket as the
	 * decisions left it: its tier's target for its priority. */
	memset(&promise, 0, sizeof(promise));
	if (ar->response_time &&
	    (tier = in->conf != NULL ? conf_tier_find(in->conf, t->tier) : NULL) != NULL) {
		sla_targets(tier, t->priority, targets);
		promise.target = targets[SLA_FIRST_RESPONSE];
		promise.calendar = tier->calendar;
		/* The clock starts at the message's Date; one a day or more
		 * from its arrival (a wrong clock, a forged header) would
		 * name a day in the past or in years: say none then. */
		if (promise.target > 0 && promise.calendar != NULL &&
		    (m->date == 0 || (m->date > m->received - DUE_SKEW_MAX &&
		    m->date < m->received + DUE_SKEW_MAX)))
			promise_due(&promise, m->date != 0 ? m->date : m->received, &tz);
		if (promise.due != 0 && promise.due <= in->now)
			promise.due = 0;	/* due already: a day to come says nothing true */
	}
	if (autoreply_subject(ar, t->id, m->subject, &subject, e) == -1 ||
	    autoreply_body(ar, t->id, &promise, links, nlinks, &text, e) == -1)
		goto out;
	extra[0] = "Auto-Submitted: auto-replied";
	extra[1] = "X-Auto-Response-Suppress: All";
	extra[2] = xticket;
	to[0] = t->customer;
	memset(&cm, 0, sizeof(cm));
	cm.from = ar->from;
	cm.to = to;
	cm.to_count = 1;
	cm.subject = subject.buf;
	cm.message_id = bracketed;
	/* A made-up id (synthetic) answers nothing the customer has. */
	if (!m->synthetic_id && id_ok(m->message_id)) {
		(void)snprintf(irt, sizeof(irt), "<%s>", m->message_id);
		cm.in_reply_to = irt;
		if (references(m, &refs, e) == -1)
			goto out;
		cm.references = refs.buf;
	}
	cm.date = in->now;
	cm.text = text.buf;
	cm.extra = extra;
	cm.extra_count = 3;
	if (smtp_compose(&cm, &mail, e) == -1) {
		/* Something in the customer's mail we cannot answer: that
		 * must not stop the intake; the event says what it was. */
		if (e->code != ERR_NOMEM) {
			(void)esc_strlcpy(detail, e->msg, sizeof(detail));	/* cut is fine */
			err_clear(e);
			ret = skipped(in, t, m, "cannot-compose", detail, e);
		}
		goto out;
	}
	/* A JSON array of one plain address (compose_addr_ok: no quotes). */
	(void)snprintf(rcpts, sizeof(rcpts), "[\"%s\"]", t->customer);
	if ((urls = json_array()) != NULL)
		for (i = 0; i < nlinks; i++)
			(void)json_array_append_new(urls, json_string(ar->help[links[i]].url));
	/* json_pack takes urls, even when it fails (NULL: out of memory,
	 * reported by event_add). */
	ev = json_pack("{s:s, s:s, s:o}", "to", t->customer, "message_id", msgid,
	    "links", urls);
	if (store_outbox_add(in->store, t->id, msgid, rcpts, mail.buf, mail.len, in->now, e) == -1 ||
	    store_thread_ref_add(in->store, msgid, t->id, e) == -1 ||
	    store_autoreply_mark(in->store, t->customer, m->received, t->id, e) == -1) {
		json_decref(ev);
		goto out;
	}
	if (event_add(in, t, m, ev, e) == -1)
		goto out;
	log_info("ticket=%" PRId64 " channel=%s event=autoreply-queued to=%s links=%zu "
	    "message_id=%s", t->id, in->channel, log_escape(t->customer, esc, sizeof(esc)),
	    nlinks, msgid);
	ret = 0;
out:
	buf_release(&subject);
	buf_release(&text);
	buf_release(&refs);
	buf_release(&mail);
	tz_free(tz);
	return ret;
}
