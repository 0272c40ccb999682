/* record.c -- hands threaded messages to rules/decide.c and records its
 * decisions; see record.h.  The decisions are pure data; this file is
 * where they meet the store and the log. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/model.h"
#include "connectors/smtp_compose.h"
#include "intake/intake.h"
#include "intake/message.h"
#include "intake/record.h"
#include "rules/decide.h"
#include "store/store.h"

#define NOTIFY_MAX	(256 * 1024)

int
intake_decide(struct intake *in, struct ticket *t, struct message *m,
    struct decide *d, struct err *e)
{
	struct decide_in din;

	memset(&din, 0, sizeof(din));
	din.m = m;
	din.channel = in->channel;
	din.kind = in->kind != NULL ? in->kind : "mbox";
	din.lexicon = in->lexicon;
	din.rules = in->rules;
	return decide_message(d, &din, t, m, e);
}

/* "a@x, b@y" (addresses checked by rules/parse.c) as ["a@x","b@y"]. */
static int
rcpt_json(struct buf *out, const char *list, struct err *e)
{
	const char *p = list;
	size_t n;
	int rc = buf_addch(out, '[', e);

	while (rc == 0 && *p != '\0') {
		n = strcspn(p, ", ");
		if (n > 0) {
			rc |= buf_addstr(out, out->len > 1 ? ",\"" : "\"", e);
			rc |= buf_add(out, p, n, e);
			rc |= buf_addch(out, '"', e);
		}
		p += n;
		p += strspn(p, ", ");
	}
	return rc | buf_addch(out, ']', e);
}

/* Queues the notification d asks for: composed as the SLA notices are
 * (connectors/smtp_compose.c: headers cleaned and encoded, quoted-
 * printable), answering the ticket's thread <escalator.T@domain>. */
static int
notify(struct intake *in, const struct ticket *t, int64_t msgrow,
    const struct message *m, const struct decide *d, struct err *e)
{
	struct buf subject = BUF_INIT(4096), text = BUF_INIT(NOTIFY_MAX);
	struct buf mail = BUF_INIT(COMPOSE_MAX), rcpts = BUF_INIT(NOTIFY_MAX);
	struct buf detail = BUF_INIT(NOTIFY_MAX);
	const char *to[64], *extra[3], *p;
	char domain[256], msgid[600], bracketed[610], root[320], xticket[64], chan[128];
	char list[4096];
	struct compose cm;
	size_t n = 0, len;
	int ret = -1;

	compose_domain(in->notify_from, domain, sizeof(domain));
	if (decide_notification(d, t, m, msgrow, domain, &subject, &text, msgid,
	    sizeof(msgid), e) == -1 || rcpt_json(&rcpts, d->notify_to.buf, e) == -1)
		goto out;
	/* "a@x, b@y" (checked by rules/parse.c) into to[] */
	(void)snprintf(list, sizeof(list), "%s", d->notify_to.buf);
	for (p = list; *p != '\0' && n < sizeof(to) / sizeof(to[0]); p += len) {
		p += strspn(p, ", ");
		if ((len = strcspn(p, ", ")) == 0)
			break;
		to[n++] = p;
		if (p[len] != '\0')
			list[p - list + len++] = '\0';
	}
	(void)snprintf(bracketed, sizeof(bracketed), "<%s>", msgid);
	(void)snprintf(root, sizeof(root), "<escalator.%" PRId64 "@%s>", t->id, domain);
	(void)snprintf(xticket, sizeof(xticket), "X-Escalator-Ticket: %" PRId64, t->id);
	extra[0] = "Auto-Submitted: auto-generated";
	extra[1] = "X-Auto-Response-Suppress: All";
	extra[2] = xticket;
	memset(&cm, 0, sizeof(cm));
	cm.from = in->notify_from != NULL ? in->notify_from : "escalator@localhost";
	cm.to = to;
	cm.to_count = n;
	cm.subject = subject.buf;
	cm.message_id = bracketed;
	cm.in_reply_to = root;
	cm.references = root;
	cm.date = in->now;
	cm.text = text.buf;
	cm.extra = extra;
	cm.extra_count = 3;
	if (smtp_compose(&cm, &mail, e) == -1 ||
	    store_outbox_add(in->store, t->id, msgid, rcpts.buf, mail.buf, mail.len,
	    in->now, e) == -1)
		goto out;
	if (buf_addstr(&detail, "{\"message_id\":\"", e) == -1 ||
	    rules_json_str(&detail, msgid, sizeof(msgid), e) == -1 ||
	    buf_addstr(&detail, "\",\"to\":\"", e) == -1 ||
	    rules_json_str(&detail, d->notify_to.buf, NOTIFY_MAX, e) == -1 ||
	    buf_addstr(&detail, "\"}", e) == -1 ||
	    store_event_add(in->store, t->id, m->date, "notification-queued", "escalator",
	    detail.buf, e) == -1)
		goto out;
	log_info("ticket=%" PRId64 " channel=%s event=notification-queued message_id=%s",
	    t->id, log_escape(in->channel, chan, sizeof(chan)), msgid);
	ret = 0;
out:
	buf_release(&subject);
	buf_release(&text);
	buf_release(&mail);
	buf_release(&rcpts);
	buf_release(&detail);
	return ret;
}

int
intake_record(struct intake *in, const struct ticket *t, int64_t msgrow,
    const struct message *m, const struct decide *d, struct err *e)
{
	char chan[128];
	size_t i;

	for (i = 0; i < d->events_count; i++) {
		if (store_event_add(in->store, t->id, m->date, d->events[i].kind,
		    "escalator", d->events[i].detail, e) == -1)
			return -1;
		if (d->events[i].log != NULL)
			log_info("ticket=%" PRId64 " channel=%s %s", t->id,
			    log_escape(in->channel, chan, sizeof(chan)), d->events[i].log);
	}
	return d->notify_to.len > 0 ? notify(in, t, msgrow, m, d, e) : 0;
}
