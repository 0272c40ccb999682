/* t-handoff.c -- the hand-off summary (rules/handoff.c) over plain data:
 * the customer's first words, what was tried and how much of it, the
 * sentiment trend, when an escalation is late and who hears of it, and
 * that the detail is one JSON object whatever the customer wrote.  The
 * commands that write hand-offs are tested end to end by t-workflow.sh.
 * Cases 0350-0369. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "rules/conf.h"
#include "rules/handoff.h"
#include "rules/notify.h"
#include "tests/tap.h"

#define NOW	((time_t)1780315200)	/* 2026-06-01T12:00:00Z */

static const char conf_text[] =
    "tier 1 { owner \"t1@example.com\" first-response 1h }\n"
    "tier 2 { owner \"t2@example.com\" first-response 4h }\n"
    "department billing { head \"head@example.com\" owner \"billing@example.com\" }\n"
    "department technical { head \"cto@example.com\" }\n";

static struct ticket t;
static struct notice_msg msgs[40];
static struct notice_event events[40];
static struct handoff h;

static void
reset(void)
{
	ticket_init(&t);
	t.id = 7;
	t.tier = 2;
	t.handoffs = 1;
	t.customer = "ann@customer.example";
	t.channel = "support";
	t.subject = "Invoice";
	memset(msgs, 0, sizeof(msgs));
	memset(events, 0, sizeof(events));
	memset(&h, 0, sizeof(h));
	h.ticket = &t;
	h.by = HANDOFF_HAND;
	h.actor = "alice";
	h.reason = "needs a specialist";
	h.from_tier = 1;
	h.to_tier = 2;
	h.now = NOW;
	h.msgs = msgs;
	h.events = events;
}

static void
msg(int dir, time_t at, const char *text, int scored, double s)
{
	struct notice_msg *m = &msgs[h.msgs_count++];

	m->direction = dir;
	m->date = at;
	m->from_addr = dir == DIR_IN ? "ann@customer.example" : "agent@example.com";
	m->text = text;
	m->scored = scored;
	m->sentiment = s;
}

static void
event(time_t at, const char *kind, const char *actor, const char *detail)
{
	struct notice_event *ev = &events[h.events_count++];

	ev->at = at;
	ev->kind = kind;
	ev->actor = actor;
	ev->detail = detail;
}

int
main(void)
{
	struct handoff_summary s;
	struct handoff_clock c;
	struct notify_rcpts r;
	struct conf *conf = NULL;
	struct err e = ERR_INIT;
	struct buf b = BUF_INIT(1 << 20);
	char longtext[1200], *p;
	json_t *j;
	size_t i;
	int ok;

	if (conf_load_mem("handoff.conf", conf_text, sizeof(conf_text) - 1, CONF_NO_FILES,
	    &conf, NULL, &e) == -1) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}

	if (tap_selected(350)) {
		reset();
		msg(DIR_OUT, NOW - 9000, "We wrote first.", 0, 0);
		msg(DIR_IN, NOW - 8000, "Hi. Hello there, I was charged twice for invoice 12! "
		    "Please help.", 1, -0.2);
		ok = handoff_summarize(&h, &s, &e) == 0 &&
		    strcmp(s.problem, "Hi. Hello there, I was charged twice for invoice 12!") == 0;
		CHECK(ok, "0350 the problem: the first customer message to a sentence end past a greeting");
	}
	if (tap_selected(351)) {
		reset();
		for (i = 0; i < 60; i++)
			memcpy(longtext + i * 5, "word ", 5);
		memcpy(longtext + 300, "\xc3\xa9\xc3\xa9", 4);
		longtext[304] = '\0';
		msg(DIR_IN, NOW - 8000, longtext, 0, 0);
		ok = handoff_summarize(&h, &s, &e) == 0 && strlen(s.problem) <= HANDOFF_PROBLEM_MAX + 3 &&
		    (p = strstr(s.problem, "...")) != NULL && p[3] == '\0' && p[-1] == 'd';
		CHECK(ok, "0351 a problem without a sentence end is cut at a word, with ...");
	}
	if (tap_selected(352)) {
		reset();
		msg(DIR_IN, NOW - 8000, "   \n ", 0, 0);
		ok = handoff_summarize(&h, &s, &e) == 0 && strcmp(s.problem, "Invoice") == 0;
		CHECK(ok, "0352 no customer text: the subject is the problem");
	}
	if (tap_selected(353)) {
		reset();
		msg(DIR_IN, NOW - 8000, "First line\r\nBcc: evil@example.com", 1, -0.1);
		ok = handoff_summarize(&h, &s, &e) == 0 && strchr(s.problem, '\n') == NULL &&
		    strchr(s.problem, '\r') == NULL;
		CHECK(ok, "0353 the problem is one line");
	}
	if (tap_selected(354)) {
		reset();
		msg(DIR_IN, NOW - 9000, "a", 1, 0.1);
		msg(DIR_IN, NOW - 8000, "b", 1, -0.15);
		ok = handoff_summarize(&h, &s, &e) == 0 && strcmp(s.trend, "worsening") == 0 &&
		    s.scored == 2;
		msg(DIR_IN, NOW - 7000, "c", 1, 0.05);
		ok = ok && handoff_summarize(&h, &s, &e) == 0 && strcmp(s.trend, "steady") == 0;
		msg(DIR_IN, NOW - 6000, "d", 1, 0.6);
		ok = ok && handoff_summarize(&h, &s, &e) == 0 && strcmp(s.trend, "improving") == 0;
		reset();
		msg(DIR_IN, NOW - 6000, "d", 0, 0);
		ok = ok && handoff_summarize(&h, &s, &e) == 0 && strcmp(s.trend, "unknown") == 0;
		CHECK(ok, "0354 the sentiment trend: first against last scored customer message");
	}
	if (tap_selected(355)) {
		static const char cur[] = "{\"type\":\"hierarchical\",\"from\":1,\"to\":2,\"reason\":\"x\"}";

		reset();
		msg(DIR_IN, NOW - 20000, "help", 0, 0);
		for (i = 0; i < 12; i++)
			msg(DIR_OUT, NOW - 19000 + (time_t)i * 100, "try this", 0, 0);
		event(NOW - 10000, "note", "bob", "{\"text\":\"called them\"}");
		event(NOW - 9000, "escalated", "rules", "{\"type\":\"functional\",\"from\":null,"
		    "\"to\":\"billing\",\"reason\":\"billing\",\"rule\":\"billing\"}");
		event(NOW - 8000, "assessed", "escalator", "{}");
		event(NOW, "escalated", "alice", cur);
		h.current = cur;
		ok = handoff_summarize(&h, &s, &e) == 0 && s.tried_total == 14 &&
		    s.tried_count == HANDOFF_TRIED_MAX &&
		    strstr(s.tried[HANDOFF_TRIED_MAX - 2], "note by bob: called them") != NULL &&
		    strstr(s.tried[HANDOFF_TRIED_MAX - 1],
		    "escalated to department billing by rule \"billing\"") != NULL &&
		    strstr(s.tried[0], "reply by agent@example.com: try this") != NULL;
		CHECK(ok, "0355 tried: replies, notes, earlier escalations, newest ten, not the move itself");
	}
	if (tap_selected(356)) {
		reset();
		ok = handoff_late(&h) == 0;
		memset(&c, 0, sizeof(c));
		c.kind = "resolution";
		c.state = "running";
		c.deadline = NOW + 3600;
		c.warn_at = NOW + 60;
		h.clocks = &c;
		h.clocks_count = 1;
		ok = ok && handoff_late(&h) == 0;
		c.warn_at = NOW;
		ok = ok && handoff_late(&h) == 1;
		c.state = "met";
		ok = ok && handoff_late(&h) == 0;
		h.breaches = 1;
		ok = ok && handoff_late(&h) == 1;
		CHECK(ok, "0356 late: a breach recorded, or a running clock past its warning");
	}
	if (tap_selected(357)) {
		reset();
		handoff_recipients(conf, &h, 0, &r);
		ok = r.to != NULL && strcmp(r.to, "t2@example.com") == 0 && r.cc_count == 0;
		t.department = "billing";
		handoff_recipients(conf, &h, 1, &r);
		ok = ok && strcmp(r.to, "billing@example.com") == 0 && r.cc_count == 1 &&
		    strcmp(r.cc[0], "head@example.com") == 0;
		t.department = "technical";
		h.functional = 1;
		h.to_department = "technical";
		handoff_recipients(conf, &h, 1, &r);
		ok = ok && strcmp(r.to, "t2@example.com") == 0 && r.cc_count == 1 &&
		    strcmp(r.cc[0], "cto@example.com") == 0;
		h.to_tier = 3;
		t.department = NULL;
		h.functional = 0;
		handoff_recipients(conf, &h, 1, &r);
		ok = ok && r.to == NULL;
		handoff_recipients(NULL, &h, 1, &r);
		ok = ok && r.to == NULL;
		CHECK(ok, "0357 recipients: the department's owner, else the tier's; the head in Cc when late");
	}
	if (tap_selected(358)) {
		reset();
		t.subject = "Bad \xff bytes\r\nBcc: x@y";
		t.customer_name = "Quote \" and \\ backslash";
		msg(DIR_IN, NOW - 8000, "Invalid \xc3 UTF-8 and \"quotes\".", 1, -0.5);
		buf_release(&b);
		ok = handoff_summarize(&h, &s, &e) == 0 &&
		    handoff_detail(&h, &s, NULL, NULL, &b, &e) == 0 &&
		    (j = json_loads(b.buf, 0, NULL)) != NULL;
		if (ok) {
			ok = json_is_null(json_object_get(j, "notification")) &&
			    strcmp(json_string_value(json_object_get(j, "by")), "hand") == 0 &&
			    json_integer_value(json_object_get(j, "handoffs")) == 1 &&
			    strchr(json_string_value(json_object_get(j, "subject")), '\n') == NULL;
			json_decref(j);
		}
		CHECK(ok, "0358 the detail is valid JSON whatever the customer wrote");
	}
	if (tap_selected(359)) {
		reset();
		t.department = "billing";
		t.subject = "Help\r\nBcc: evil@example.com";
		buf_release(&b);
		ok = handoff_subject(&h, &b, &e) == 0 &&
		    strcmp(b.buf, "[#7] Escalated to tier 2 (billing) - Help Bcc: evil@example.com") == 0;
		h.functional = 1;
		h.to_department = "billing";
		buf_release(&b);
		ok = ok && handoff_subject(&h, &b, &e) == 0 &&
		    strncmp(b.buf, "[#7] Escalated to billing (tier 2) - ", 37) == 0;
		CHECK(ok, "0359 the subject: where it went, the customer's subject on one line");
	}
	buf_release(&b);
	conf_free(conf);
	return tap_done();
}
