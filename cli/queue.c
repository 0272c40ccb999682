/* queue.c -- the triage views: `escalator queue` (open tickets, most
 * urgent first) and `escalator show N` (one ticket's thread and history),
 * as text for people and, with --json, in the field names scripts rely on
 * (documented in escalator(1); renaming one is an incompatible change). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "cli/explain.h"
#include "cli/queue.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "common/text.h"
#include "common/util.h"
#include "store/store.h"

/* Terminal columns of code point c: 2 for the East Asian wide and
 * emoji blocks, else 1 (combining marks are rare in names and subjects). */
static int
cp_width(unsigned long c)
{
	return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) ||
	    (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
}

/* Copies UTF-8 s into out, cut to width terminal columns with "..." (U+2026)
 * and padded with spaces to exactly width when pad is set; made one line
 * by text_oneline first, so a hostile subject cannot move the cursor or
 * turn the rest of the row around. */
static const char *
clip(const char *s, size_t width, int pad, char *out, size_t len)
{
	struct buf line = BUF_INIT(4096);
	const unsigned char *p;
	size_t o = 0, cols = 0, total = 0, n, i, end;
	uint32_t c;

	p = (const unsigned char *)(s != NULL && text_oneline(&line, s, 1024, NULL) == 0 &&
	    line.buf != NULL ? line.buf : "");
	/* text_oneline's output is valid UTF-8 without controls: each
	 * character decodes (the 0 of utf8_decode cannot come). */
	end = strlen((const char *)p);
	for (i = 0; i < end; i += n) {
		if ((n = utf8_decode(p + i, end - i, &c)) == 0) {
			n = 1;
			c = 0xfffd;
		}
		total += (size_t)cp_width(c);
	}
	for (i = 0; i < end; i += n) {
		if ((n = utf8_decode(p + i, end - i, &c)) == 0) {
			n = 1;
			c = 0xfffd;
		}
		if (o + n + 4 + width > len ||
		    (total > width && cols + (size_t)cp_width(c) + 1 > width)) {
			memcpy(out + o, "\xe2\x80\xa6", 3);
			o += 3;
			cols++;
			break;
		}
		memcpy(out + o, p + i, n);
		o += n;
		cols += (size_t)cp_width(c);
	}
	while (pad && cols < width && o + 1 < len) {
		out[o++] = ' ';
		cols++;
	}
	out[o] = '\0';
	buf_release(&line);
	return out;
}

static json_t *
json_str(const char *s)
{
	/* Stored text is UTF-8 by construction; a NULL becomes JSON null. */
	json_t *j;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	return j != NULL ? j : json_stringn_nocheck(s, strlen(s));
}

static json_t *
json_time(time_t t)
{
	char buf[32];

	return json_string(time_rfc3339(t, buf, sizeof(buf)));
}

json_t *
queue_ticket_json(const struct ticket *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "status", json_string(status_name(t->status)));
	json_object_set_new(o, "priority", json_string(priority_name(t->priority)));
	json_object_set_new(o, "tier", json_integer(t->tier));
	json_object_set_new(o, "department", json_str(t->department));
	json_object_set_new(o, "owner", json_str(t->owner));
	json_object_set_new(o, "channel", json_str(t->channel));
	json_object_set_new(o, "public", json_boolean(t->public));
	json_object_set_new(o, "customer", json_str(t->customer));
	json_object_set_new(o, "customer_name", json_str(t->customer_name));
	json_object_set_new(o, "subject", json_str(t->subject));
	json_object_set_new(o, "created", json_time(t->created));
	json_object_set_new(o, "updated", json_time(t->updated));
	json_object_set_new(o, "messages", json_integer(t->messages));
	json_object_set_new(o, "exchanges", json_integer(t->exchanges));
	json_object_set_new(o, "urgency", json_real(t->urgency));
	json_object_set_new(o, "handoffs", json_integer(t->handoffs));
	json_object_set_new(o, "resolved", t->resolved != 0 ? json_time(t->resolved) : json_null());
	json_object_set_new(o, "merged_into", t->merged_into != 0 ?
	    json_integer(t->merged_into) : json_null());
	{
		json_t *tags = json_array();
		const char *p = t->tags, *comma;

		while (tags != NULL && p != NULL && *p != '\0') {
			comma = strchr(p, ',');
			json_array_append_new(tags, json_stringn(p, comma ? (size_t)(comma - p) :
			    strlen(p)));
			p = comma ? comma + 1 : NULL;
		}
		json_object_set_new(o, "tags", tags != NULL ? tags : json_array());
	}
	return o;
}

struct queue_out {
	struct cli	*cli;
	json_t		*array;
	long		 count;
};

static int
queue_row(void *arg, const struct ticket *t, struct err *e)
{
	struct queue_out *q = arg;
	char age[16], cust[160], subj[320], chan[64];

	(void)e;
	q->count++;
	if (q->array != NULL)
		return json_array_append_new(q->array, queue_ticket_json(t)) == 0 ? 0 :
		    err_set(e, ERR_NOMEM, "out of memory building JSON");
	if (q->count == 1)
		printf("%6s  %-7s %-4s %-8s %-12s %-4s %5s  %-28s %s\n", "ID", "PRIO", "TIER",
		    "STATUS", "CHANNEL", "VIS", "AGE", "CUSTOMER", "SUBJECT");
	printf("%6" PRId64 "  %-7s T%-3d %-8s %s %-4s %5s  %s %s\n", t->id,
	    priority_name(t->priority), t->tier, status_name(t->status),
	    clip(t->channel, 12, 1, chan, sizeof(chan)),
	    t->public ? "pub" : "priv",
	    time_age(q->cli->now - t->created, age, sizeof(age)),
	    clip(t->customer_name && *t->customer_name ? t->customer_name : t->customer,
	    28, 1, cust, sizeof(cust)),
	    clip(t->subject, 60, 0, subj, sizeof(subj)));
	return 0;
}

int
cmd_queue(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all",	no_argument,	NULL, 'a' },
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find("queue");
	struct queue_out q;
	struct err e = ERR_INIT;
	struct store *st;
	int ch, all = 0, code = 0, ret;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'h':
			cli_usage(self, stdout);
			printf("\n  --all   include resolved and closed tickets\n"
			    "  --json  one JSON array of ticket objects\n");
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	if (optind != argc)
		return cli_usage(self, stderr);
	if ((st = cli_store_existing(cli, &code)) == NULL)
		return code;
	memset(&q, 0, sizeof(q));
	q.cli = cli;
	if (cli->json && (q.array = json_array()) == NULL)
		return EX_OSERR;
	ret = store_queue(st, all ? QUEUE_ALL : QUEUE_OPEN, queue_row, &q, &e);
	if (ret == 0 && q.array != NULL) {
		(void)json_dumpf(q.array, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (ret == 0 && q.count == 0)
		printf("no %stickets\n", all ? "" : "open ");
	json_decref(q.array);
	return ret == -1 ? cli_fail(&e) : 0;
}

struct show_out {
	json_t	*messages, *events;
	long	 count;
};

/* s as one line for a terminal, in b: what customers wrote may hold
 * escape sequences (a window title, the clipboard, the screen cleared)
 * and bidirectional overrides, which text_oneline drops. */
static const char *
line_shown(struct buf *b, const char *s)
{
	buf_reset(b);
	return s != NULL && text_oneline(b, s, 4096, NULL) == 0 && b->buf != NULL ? b->buf : "";
}

static int
show_message(void *arg, const struct store_msg *m, struct err *e)
{
	struct show_out *s = arg;
	struct buf name = BUF_INIT(8192), subj = BUF_INIT(8192), addr = BUF_INIT(8192);
	struct buf text = BUF_INIT(SIZE_MAX);
	char date[32];
	int ret = 0;

	s->count++;
	if (s->messages != NULL) {
		json_t *o = json_object(), *att = NULL;

		json_object_set_new(o, "message_id", json_str(m->message_id));
		json_object_set_new(o, "direction", json_string(direction_name(m->direction)));
		json_object_set_new(o, "from", json_str(m->from_addr));
		json_object_set_new(o, "from_name", json_str(m->from_name));
		json_object_set_new(o, "subject", json_str(m->subject));
		json_object_set_new(o, "date", json_time(m->date));
		json_object_set_new(o, "received", json_time(m->received));
		json_object_set_new(o, "channel", json_str(m->channel));
		json_object_set_new(o, "public", json_boolean(m->public));
		json_object_set_new(o, "auto", json_str(m->auto_reason));
		if (m->attachments != NULL)
			att = json_loads(m->attachments, 0, NULL);
		json_object_set_new(o, "attachments", att ? att : json_array());
		json_object_set_new(o, "warnings", json_str(m->warnings));
		json_object_set_new(o, "sentiment", m->scored ? json_real(m->sentiment) :
		    json_null());
		json_object_set_new(o, "language", m->lang != NULL ? json_str(m->lang) :
		    json_null());
		json_object_set_new(o, "text", json_str(m->text));
		return json_array_append_new(s->messages, o) == 0 ? 0 :
		    err_set(e, ERR_NOMEM, "out of memory building JSON");
	}
	printf("\n--- %s  %s  %s%s%s <%s>\n", time_rfc3339(m->date, date, sizeof(date)),
	    m->direction == DIR_OUT ? "team" : "customer",
	    m->from_name && *m->from_name ? "\"" : "", line_shown(&name, m->from_name),
	    m->from_name && *m->from_name ? "\"" : "", line_shown(&addr, m->from_addr));
	printf("Subject: %s\n", line_shown(&subj, m->subject));
	if (m->auto_reason != NULL)
		printf("Automatic: %s (opens no ticket, starts no clock)\n", m->auto_reason);
	if (m->attachments != NULL && strcmp(m->attachments, "[]") != 0)
		printf("Attachments: %s\n", m->attachments);
	if (m->lang != NULL)
		printf("Language: %s\n", line_shown(&subj, m->lang));
	if (m->scored)
		printf("Sentiment: %.4f\n", m->sentiment);
	if (m->warnings != NULL)
		printf("Warnings: %s\n", m->warnings);
	/* Its lines kept, the controls but tab dropped (text_lines). */
	if ((ret = text_lines(&text, m->text, SIZE_MAX, SIZE_MAX, e)) == 0)
		printf("\n%s\n", text.buf != NULL ? text.buf : "");
	buf_release(&name);
	buf_release(&subj);
	buf_release(&addr);
	buf_release(&text);
	return ret;
}

static int
show_event(void *arg, const struct store_event *ev, struct err *e)
{
	struct show_out *s = arg;
	char at[32], line[1024];

	if (s->events != NULL) {
		json_t *o = json_object(), *d = NULL;

		json_object_set_new(o, "at", json_time(ev->at));
		json_object_set_new(o, "kind", json_str(ev->kind));
		json_object_set_new(o, "actor", json_str(ev->actor));
		if (ev->detail != NULL)
			d = json_loads(ev->detail, 0, NULL);
		json_object_set_new(o, "detail", d ? d : json_str(ev->detail));
		return json_array_append_new(s->events, o) == 0 ? 0 :
		    err_set(e, ERR_NOMEM, "out of memory building JSON");
	}
	if (explain_event_text(ev, line, sizeof(line)) != NULL) {
		printf("  %s  %-10s %-24s %s\n", time_rfc3339(ev->at, at, sizeof(at)),
		    ev->kind ? ev->kind : "", ev->actor ? ev->actor : "", line);
		return 0;
	}
	printf("  %s  %-10s %-24s %s\n", time_rfc3339(ev->at, at, sizeof(at)),
	    ev->kind ? ev->kind : "", ev->actor ? ev->actor : "", ev->detail ? ev->detail : "");
	return 0;
}

int
cmd_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find("show");
	struct show_out s;
	struct explain why;
	struct ticket t;
	struct err e = ERR_INIT;
	struct store *st;
	struct buf name = BUF_INIT(8192), cust = BUF_INIT(8192), subj = BUF_INIT(8192);
	char created[32];
	int64_t id;
	int ch, code = 0, r;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			cli->json = 1;
			break;
		case 'h':
			cli_usage(self, stdout);
			printf("\n  TICKET  the ticket number, as in the queue (a leading # is fine)\n"
			    "  --json  one JSON object: the ticket's fields, messages and events\n");
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(self, stderr);
	if (cli_ticket_id(argv[optind], &id) == -1) {
		fprintf(stderr, "escalator: invalid ticket number '%s' (expected a number as "
		    "the queue shows it, such as 42 or #42)\n", argv[optind]);
		return EX_USAGE;
	}
	if ((st = cli_store_existing(cli, &code)) == NULL)
		return code;
	ticket_init(&t);
	if ((r = store_ticket_get(st, id, &t, &e)) != 1) {
		if (r == 0) {
			fprintf(stderr, "escalator: no ticket %" PRId64 "\n", id);
			return EX_DATAERR;
		}
		return cli_fail(&e);
	}
	memset(&s, 0, sizeof(s));
	if (cli->json) {
		s.messages = json_array();
		s.events = json_array();
	} else {
		printf("Ticket #%" PRId64 "  %s  priority %s  tier %d%s%s  %s (%s)\n", t.id,
		    status_name(t.status), priority_name(t.priority), t.tier,
		    t.department ? "  department " : "", t.department ? t.department : "",
		    t.channel ? t.channel : "", t.public ? "public" : "private");
		printf("Customer: %s%s%s%s\nSubject: %s\nOpened: %s, %d messages, %d from the customer",
		    line_shown(&name, t.customer_name),
		    t.customer_name && *t.customer_name ? " <" : "", line_shown(&cust, t.customer),
		    t.customer_name && *t.customer_name ? ">" : "", line_shown(&subj, t.subject),
		    time_rfc3339(t.created, created, sizeof(created)), t.messages, t.exchanges);
		/* The workflow (cli/ticket.c): who has it, how often it was
		 * handed on, when it was resolved. */
		printf(", %d hand-off%s\n", t.handoffs, t.handoffs == 1 ? "" : "s");
		if (t.owner != NULL)
			printf("Owner: %s\n", t.owner);
		if (t.resolved != 0)
			printf("Resolved: %s\n", time_rfc3339(t.resolved, created, sizeof(created)));
		/* Absorbed by an older ticket of the same conversation
		 * (intake/thread.c): its messages are there now. */
		if (t.merged_into != 0)
			printf("merged into #%" PRId64 "\n", t.merged_into);
	}
	/* Why it is where it is, from the events (cli/explain.c). */
	explain_init(&why);
	r = store_ticket_events(st, id, explain_event, &why, &e);
	if (r == 0 && !cli->json) {
		if (t.tags != NULL)
			printf("Tags: %s\n", t.tags);
		explain_print(&why, &t, stdout);
	}
	if (r == 0)
		r = store_ticket_messages(st, id, 0, show_message, &s, &e);
	if (r == 0 && !cli->json)
		printf("\nEvents:\n");
	if (r == 0)
		r = store_ticket_events(st, id, show_event, &s, &e);
	if (r == 0 && cli->json) {
		json_t *o = queue_ticket_json(&t);

		json_object_set_new(o, "messages", s.messages);
		json_object_set_new(o, "events", s.events);
		json_object_set_new(o, "explanation", explain_json(&why, &t));
		(void)json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		json_decref(s.messages);
		json_decref(s.events);
	}
	explain_release(&why);
	ticket_release(&t);
	buf_release(&name);
	buf_release(&cust);
	buf_release(&subj);
	return r == -1 ? cli_fail(&e) : 0;
}
