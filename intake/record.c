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

int
intake_record(struct intake *in, const struct ticket *t, int64_t msgrow,
    const struct message *m, const struct decide *d, struct err *e)
{
	struct buf mail = BUF_INIT(NOTIFY_MAX), detail = BUF_INIT(NOTIFY_MAX);
	struct buf rcpts = BUF_INIT(NOTIFY_MAX);
	char msgid[600], chan[128];
	size_t i;
	int ret = 0;

	for (i = 0; i < d->events_count; i++) {
		if (store_event_add(in->store, t->id, m->date, d->events[i].kind,
		    "escalator", d->events[i].detail, e) == -1)
			return -1;
		if (d->events[i].log != NULL)
			log_info("ticket=%" PRId64 " channel=%s %s", t->id,
			    log_escape(in->channel, chan, sizeof(chan)), d->events[i].log);
	}
	if (d->notify_to.len == 0)
		return 0;
	/* The SMTP sender delivers it; the Message-ID is stable, so the same
	 * decision never queues two mails.  Recipients: a JSON array. */
	if (decide_notification(d, t, m, msgrow, in->notify_from, in->now, &mail,
	    msgid, sizeof(msgid), e) == -1 || rcpt_json(&rcpts, d->notify_to.buf, e) == -1 ||
	    store_outbox_add(in->store, t->id, msgid, rcpts.buf, mail.buf,
	    mail.len, in->now, e) == -1)
		ret = -1;
	if (ret == 0 && (buf_addstr(&detail, "{\"message_id\":\"", e) == -1 ||
	    rules_json_str(&detail, msgid, sizeof(msgid), e) == -1 ||
	    buf_addstr(&detail, "\",\"to\":\"", e) == -1 ||
	    rules_json_str(&detail, d->notify_to.buf, NOTIFY_MAX, e) == -1 ||
	    buf_addstr(&detail, "\"}", e) == -1 ||
	    store_event_add(in->store, t->id, m->date, "notification-queued", "escalator",
	    detail.buf, e) == -1))
		ret = -1;
	if (ret == 0)
		log_info("ticket=%" PRId64 " channel=%s event=notification-queued "
		    "message_id=%s", t->id, log_escape(in->channel, chan, sizeof(chan)), msgid);
	buf_release(&mail);
	buf_release(&detail);
	buf_release(&rcpts);
	return ret;
}
