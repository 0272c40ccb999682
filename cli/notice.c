/* notice.c -- a ticket's thread and history for a notification, and the
 * notification composed and queued; see notice.h.  Shared by the SLA
 * sweep and the hand-offs of escalations so that both read and write
 * their mail the same way. */
#include "config.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/explain.h"
#include "cli/notice.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "common/util.h"
#include "connectors/smtp_compose.h"
#include "rules/notify.h"
#include "store/store.h"

void
notice_data_init(struct notice_data *d)
{
	memset(d, 0, sizeof(*d));
	arena_init(&d->arena, NOTICE_ARENA);
}

void
notice_data_release(struct notice_data *d)
{
	if (d == NULL)
		return;
	arena_release(&d->arena);
	free(d->msgs);
	free(d->events);
	memset(d, 0, sizeof(*d));
}

static int
read_msg(void *arg, const struct store_msg *m, struct err *e)
{
	struct notice_data *d = arg;
	struct notice_msg *nm;
	size_t cap;

	if (m->auto_reason != NULL)
		return 0;
	if (d->msgs_count == d->msgs_cap) {
		cap = d->msgs_cap ? d->msgs_cap * 2 : 16;
		if ((nm = realloc(d->msgs, cap * sizeof(*nm))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory writing a notification");
		d->msgs = nm;
		d->msgs_cap = cap;
	}
	nm = &d->msgs[d->msgs_count];
	memset(nm, 0, sizeof(*nm));
	nm->date = m->date != 0 ? m->date : m->received;
	nm->direction = m->direction;
	nm->from_name = arena_strdup(&d->arena, m->from_name);
	nm->from_addr = arena_strdup(&d->arena, m->from_addr);
	/* Only the newest messages are shown, each cut: keep what is shown. */
	nm->text = m->text != NULL ? arena_strndup(&d->arena, m->text,
	    strnlen(m->text, NOTIFY_MSG_BYTES * 2)) : NULL;
	nm->scored = m->scored;
	nm->sentiment = m->sentiment;
	if ((m->from_name != NULL && nm->from_name == NULL) ||
	    (m->from_addr != NULL && nm->from_addr == NULL) ||
	    (m->text != NULL && nm->text == NULL))
		return err_set(e, ERR_NOMEM, "out of memory writing a notification");
	d->msgs_count++;
	return 0;
}

static int
read_event(void *arg, const struct store_event *ev, struct err *e)
{
	struct notice_data *d = arg;
	struct notice_event *ne;
	char words[1024];
	size_t cap;

	if (d->events_count == d->events_cap) {
		cap = d->events_cap ? d->events_cap * 2 : 16;
		if ((ne = realloc(d->events, cap * sizeof(*ne))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory writing a notification");
		d->events = ne;
		d->events_cap = cap;
	}
	ne = &d->events[d->events_count];
	ne->at = ev->at;
	ne->kind = arena_strdup(&d->arena, ev->kind);
	ne->actor = arena_strdup(&d->arena, ev->actor);
	ne->detail = arena_strdup(&d->arena, ev->detail);
	ne->text = NULL;
	if (d->words && explain_event_text(ev, words, sizeof(words)) != NULL &&
	    (ne->text = arena_strdup(&d->arena, words)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory writing a notification");
	if ((ev->kind != NULL && ne->kind == NULL) || (ev->actor != NULL && ne->actor == NULL) ||
	    (ev->detail != NULL && ne->detail == NULL))
		return err_set(e, ERR_NOMEM, "out of memory writing a notification");
	d->events_count++;
	return 0;
}

int
notice_read(struct notice_data *d, struct store *st, int64_t ticket, struct err *e)
{
	d->msgs_count = d->events_count = 0;
	arena_release(&d->arena);
	arena_init(&d->arena, NOTICE_ARENA);
	if (store_ticket_messages(st, ticket, 0, read_msg, d, e) == -1 ||
	    store_ticket_events(st, ticket, read_event, d, e) == -1)
		return -1;
	return 0;
}

/* ["to", "cc"...] */
static char *
rcpts_json(const struct notify_rcpts *r)
{
	json_t *a = json_array();
	char *s = NULL;
	size_t i;
	int rc = 0;

	if (a == NULL)
		return NULL;
	rc |= json_array_append_new(a, json_string(r->to));
	for (i = 0; i < r->cc_count; i++)
		rc |= json_array_append_new(a, json_string(r->cc[i]));
	if (rc == 0)
		s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

int
notice_queue(struct store *st, const struct notice_mail *nm, struct err *e)
{
	struct buf mail = BUF_INIT(COMPOSE_MAX);
	struct compose cm;
	const char *extra[3], *to[1];
	char bracketed[600], root[320], xticket[64], *json = NULL;
	int ret = -1;

	(void)snprintf(bracketed, sizeof(bracketed), "<%s>", nm->message_id);
	(void)snprintf(root, sizeof(root), "<escalator.%" PRId64 "@%s>", nm->ticket, nm->host);
	(void)snprintf(xticket, sizeof(xticket), "X-Escalator-Ticket: %" PRId64, nm->ticket);
	extra[0] = "Auto-Submitted: auto-generated";
	extra[1] = "X-Auto-Response-Suppress: All";
	extra[2] = xticket;
	to[0] = nm->rcpts->to;
	memset(&cm, 0, sizeof(cm));
	cm.from = nm->from != NULL ? nm->from : NOTICE_FROM;
	cm.to = to;
	cm.to_count = 1;
	cm.cc = nm->rcpts->cc;
	cm.cc_count = nm->rcpts->cc_count;
	cm.subject = nm->subject;
	cm.message_id = bracketed;
	cm.in_reply_to = root;
	cm.references = root;
	cm.date = nm->now;
	cm.text = nm->text;
	cm.html = nm->html;
	cm.extra = extra;
	cm.extra_count = 3;
	if (smtp_compose(&cm, &mail, e) == -1)
		goto out;
	if ((json = rcpts_json(nm->rcpts)) == NULL) {
		(void)err_set(e, ERR_NOMEM, "out of memory queueing a notification");
		goto out;
	}
	ret = store_outbox_add(st, nm->ticket, nm->message_id, json, mail.buf, mail.len,
	    nm->now, e);
out:
	free(json);
	buf_release(&mail);
	return ret;
}
