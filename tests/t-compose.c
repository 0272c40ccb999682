/* t-compose.c -- outbound messages (connectors/smtp_compose.c) and what
 * notifications say and to whom (rules/notify.c).  Composed messages are
 * read back with our own MIME parser (intake/mime.c, libetpan): what a
 * mail client would show must be what we meant, and no customer text may
 * turn into a header.  Cases 8101-8121. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "common/text.h"
#include "common/tz.h"
#include "connectors/smtp_compose.h"
#include "intake/message.h"
#include "intake/mime.h"
#include "rules/conf.h"
#include "rules/digest.h"
#include "rules/notify.h"
#include "rules/sla.h"
#include "tests/tap.h"

#define NOW	((time_t)1780301100)	/* 2026-06-01T08:05:00Z */

/* Composes with this subject, from and text; the bytes in out. */
static int
compose(struct buf *out, const char *from, const char *to, const char *subject,
    const char *text, const char *html, struct err *e)
{
	struct compose c;
	const char *tos[1] = { to };
	const char *extra[1] = { "Auto-Submitted: auto-generated" };

	memset(&c, 0, sizeof(c));
	c.from = from;
	c.to = tos;
	c.to_count = 1;
	c.subject = subject;
	c.message_id = "<escalator.1.42.first-response.breach@escalator.example>";
	c.in_reply_to = "<escalator.42@escalator.example>";
	c.references = "<escalator.42@escalator.example>";
	c.date = NOW;
	c.text = text;
	c.html = html;
	c.extra = extra;
	c.extra_count = 1;
	return smtp_compose(&c, out, e);
}

/* Every header line (up to the blank line) ends CRLF, is at most 78
 * characters, and no line starts with one of the names in bad. */
static int
headers_ok(const char *msg, const char *const *bad, size_t nbad)
{
	const char *p = msg, *eol;
	size_t i;

	for (;;) {
		if ((eol = strstr(p, "\r\n")) == NULL)
			return 0;
		if (eol == p)
			return 1;	/* the end of the header */
		if (memchr(p, '\n', (size_t)(eol - p)) != NULL ||
		    memchr(p, '\r', (size_t)(eol - p)) != NULL || eol - p > 78)
			return 0;
		for (i = 0; i < nbad; i++)
			if (strncasecmp(p, bad[i], strlen(bad[i])) == 0)
				return 0;
		p = eol + 2;
	}
}

/* Parses msg; fills m (caller releases). */
static int
parse(struct message *m, const struct buf *msg)
{
	struct err e = ERR_INIT;

	message_init(m);
	return mime_parse(m, msg->buf, msg->len, NOW, &e);
}

static void
t_subjects(void)
{
	static const struct {
		int		 num;
		const char	*subject, *expect, *what;
	} cases[] = {
		{ 8101, "Help\r\nBcc: evil@attacker.example\r\n\r\nbody",
		  "Help Bcc: evil@attacker.example body",
		  "CR LF in a subject never starts a header" },
		{ 8102, "R\xc3\xbc" "ckerstattung f\xc3\xbcr Rechnung \xe2\x84\x96" "1234 "
		  "\xe2\x80\x94 dringend \xf0\x9f\x98\xa1 bitte sofort bearbeiten, es ist "
		  "schon das dritte Mal \xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f",
		  "R\xc3\xbc" "ckerstattung f\xc3\xbcr Rechnung \xe2\x84\x96" "1234 "
		  "\xe2\x80\x94 dringend \xf0\x9f\x98\xa1 bitte sofort bearbeiten, es ist "
		  "schon das dritte Mal \xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f",
		  "non-ASCII becomes RFC 2047 words, folded, and reads back whole" },
		{ 8103, "=?utf-8?q?Bcc=3A_x=40y?=", "=?utf-8?q?Bcc=3A_x=40y?=",
		  "text that looks like an encoded word is encoded, not reinterpreted" },
		{ 8104, "bad \xff\xfe bytes\x01\x7f and \xc2\x85 C1",
		  "bad \xef\xbf\xbd\xef\xbf\xbd bytes and C1",
		  "invalid UTF-8 and control characters are replaced" },
		{ 8105, "a\xe2\x80\xa8" "b\tc", "a b c",
		  "Unicode line separators and tabs become spaces" },
	};
	static const char *const bad[] = { "Bcc:", " Bcc:", "body" };
	struct buf out = BUF_INIT(COMPOSE_MAX);
	struct err e = ERR_INIT;
	struct message m;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!tap_selected(cases[i].num))
			continue;
		buf_reset(&out);
		ok = compose(&out, "Support <escalator@escalator.example>", "t1@example.com",
		    cases[i].subject, "text", NULL, &e) == 0 &&
		    headers_ok(out.buf, bad, 3) && parse(&m, &out) == 0;
		if (ok) {
			ok = m.subject != NULL && strcmp(m.subject, cases[i].expect) == 0 &&
			    strcmp(m.message_id,
			    "escalator.1.42.first-response.breach@escalator.example") == 0;
			if (!ok)
				printf("# subject read back: '%s'\n", m.subject ? m.subject : "(null)");
			message_release(&m);
		} else
			printf("# composed:\n%s\n", out.buf ? out.buf : e.msg);
		{
			char what[256];

			(void)snprintf(what, sizeof(what), "%d %s", cases[i].num, cases[i].what);
			tap_ok(ok, "%s", what);
		}
	}
	buf_release(&out);
}

static void
t_addresses(void)
{
	struct buf out = BUF_INIT(COMPOSE_MAX);
	struct err e = ERR_INIT;
	struct message m;
	int ok;

	if (tap_selected(8106)) {
		ok = compose(&out, "J\xc3\xbcrgen \"JM\" M\xc3\xbcller <escalator@escalator.example>",
		    "t1@example.com", "s", "t", NULL, &e) == 0 && parse(&m, &out) == 0;
		if (ok) {
			ok = strcmp(m.from_addr, "escalator@escalator.example") == 0 &&
			    strcmp(m.from_name, "J\xc3\xbcrgen \"JM\" M\xc3\xbcller") == 0;
			if (!ok)
				printf("# from '%s' <%s>\n", m.from_name, m.from_addr);
			message_release(&m);
		}
		CHECK(ok, "8106 a non-ASCII display name with quotes reads back");

		buf_reset(&out);
		ok = compose(&out, "\"Evil\r\nBcc: x@y\" <escalator@escalator.example>",
		    "t1@example.com", "s", "t", NULL, &e) == 0;
		CHECK(ok && strstr(out.buf, "\r\nBcc:") == NULL,
		    "8106 CR LF in a display name is folded away");
	}
	if (tap_selected(8107)) {
		buf_reset(&out);
		CHECK(compose(&out, "escalator@escalator.example",
		    "t1@example.com\r\nBcc: evil@attacker.example", "s", "t", NULL, &e) == -1 &&
		    e.code == ERR_DATA, "8107 an address with CR LF is refused");
		buf_reset(&out);
		CHECK(compose(&out, "escalator@escalator.example", "a@b@c", "s", "t", NULL,
		    &e) == -1, "8107 an address with two '@' is refused");
		CHECK(compose_addr_ok("finance-lead@example.com") &&
		    !compose_addr_ok("x y@example.com") && !compose_addr_ok("<x@y>") &&
		    !compose_addr_ok("x@y,z@w") && !compose_addr_ok("@y"),
		    "8107 addr-spec check");
	}
	if (tap_selected(8121)) {
		char d[16];

		compose_domain("Support Desk <help@desk.example.com>", d, sizeof(d));
		CHECK(strcmp(d, "desk.example.co") == 0, "8121 domain of a display-name address, cut to fit");
		compose_domain("a@b.example", d, sizeof(d));
		CHECK(strcmp(d, "b.example") == 0, "8121 domain of a bare address");
		compose_domain("Name <x@>", d, sizeof(d));
		CHECK(strcmp(d, "localhost") == 0, "8121 no domain: localhost");
		compose_domain(NULL, d, sizeof(d));
		CHECK(strcmp(d, "localhost") == 0, "8121 no From at all: localhost");
	}
	buf_release(&out);
}

static void
t_bodies(void)
{
	static const char text[] =
	    "Line one with trailing spaces   \n"
	    "= signs = and a very long line that must be wrapped by quoted-printable "
	    "soft breaks because it is longer than seventy-six characters, \xc3\xa4\xc3\xb6\xc3\xbc\n"
	    ".\n"
	    "From the start of a line\n"
	    "Gr\xc3\xbc\xc3\x9f" "e, \xf0\x9f\x98\x80";
	struct buf out = BUF_INIT(COMPOSE_MAX);
	struct err e = ERR_INIT;
	struct message m;
	const char *p, *eol;
	int ok, long_line = 0;

	if (!tap_selected(8108))
		return;
	ok = compose(&out, "escalator@escalator.example", "t1@example.com", "s", text,
	    "<p>html</p>", &e) == 0 && parse(&m, &out) == 0;
	for (p = out.buf; ok && (eol = strstr(p, "\r\n")) != NULL; p = eol + 2)
		if (eol - p > 78)
			long_line = 1;
	CHECK(ok && !long_line, "8108 every line of the message is short");
	if (ok) {
		ok = strstr(m.text, "trailing spaces   \n") != NULL &&
		    strstr(m.text, "seventy-six characters, \xc3\xa4\xc3\xb6\xc3\xbc\n.\nFrom the") != NULL &&
		    strstr(m.text, "\xf0\x9f\x98\x80") != NULL && !m.html_only;
		if (!ok)
			printf("# text read back: '%s'\n", m.text);
		message_release(&m);
	}
	CHECK(ok, "8108 quoted-printable text reads back, text/plain preferred");
	CHECK(strstr(out.buf, "Content-Type: multipart/alternative;") != NULL &&
	    strstr(out.buf, "Content-Type: text/html; charset=utf-8") != NULL,
	    "8108 a text part and an HTML alternative");
	buf_release(&out);
}

/*
 * rules/notify.c
 */

static const char notify_conf[] =
	"tier 1 { owner \"t1@example.com\" name \"front line\" first-response 1h calendar office }\n"
	"tier 2 { owner \"t2@example.com\" first-response 4h }\n"
	"tier 4 { owner \"eng@example.com\" first-response 1d }\n"
	"calendar office { timezone \"UTC\" hours mon-fri 09:00-17:00 }\n"
	"department billing { head \"finance-lead@example.com\" }\n"
	"department legal { head \"t2@example.com\" owner \"counsel@example.com\" }\n";

/* A notice on t at tier 2, as a sweep at NOW writes it, not escalated. */
static void
notice_init(struct notice *n, const struct ticket *t, int clock, int level, time_t deadline)
{
	memset(n, 0, sizeof(*n));
	n->ticket = t;
	n->clock = clock;
	n->level = level;
	n->tier = 2;
	n->deadline = deadline;
	n->now = NOW;
	n->escalated_to = -1;
}

static void
t_notify(void)
{
	struct conf *conf = NULL;
	struct err e = ERR_INIT;
	struct ticket t;
	struct notify_rcpts r;
	struct notice n;
	struct notice_msg msgs[2];
	struct notice_event ev[1];
	struct buf b = BUF_INIT(1 << 20);

	if (conf_load_mem("notify.conf", notify_conf, sizeof(notify_conf) - 1,
	    CONF_NO_FILES, &conf, NULL, &e) == -1) {
		printf("Bail out! %s\n", e.msg);
		exit(1);
	}
	ticket_init(&t);
	t.id = 42;
	t.tier = 2;
	t.priority = PRIO_HIGH;
	t.status = STATUS_OPEN;
	t.department = (char *)"billing";
	t.subject = (char *)"Refund\r\nBcc: x@y";
	t.customer = (char *)"anna@customer.example";
	t.customer_name = (char *)"Anna <Schmidt>";
	t.channel = (char *)"support";

	if (tap_selected(8110)) {
		notify_recipients(conf, &t, 2, SLA_BREACH, 0, &r);
		CHECK(r.to && strcmp(r.to, "t2@example.com") == 0 && r.cc_count == 1 &&
		    strcmp(r.cc[0], "finance-lead@example.com") == 0,
		    "8110 a breach goes to the tier owner, Cc the department head");
		notify_recipients(conf, &t, 2, SLA_BREACH, 1, &r);
		CHECK(r.cc_count == 2 && strcmp(r.cc[1], "eng@example.com") == 0,
		    "8110 a second breach copies the next tier up too");
		notify_recipients(conf, &t, 2, SLA_WARNING, 1, &r);
		CHECK(r.to && strcmp(r.to, "t2@example.com") == 0 && r.cc_count == 0,
		    "8110 a warning goes to the owner only");
		t.owner = (char *)"agent@example.com";
		notify_recipients(conf, &t, 2, SLA_BREACH, 0, &r);
		CHECK(r.to && strcmp(r.to, "agent@example.com") == 0,
		    "8110 the assignee before the tier owner");
		t.owner = NULL;
		t.department = (char *)"legal";
		notify_recipients(conf, &t, 2, SLA_BREACH, 0, &r);
		CHECK(r.to && strcmp(r.to, "counsel@example.com") == 0 && r.cc_count == 1 &&
		    strcmp(r.cc[0], "t2@example.com") == 0,
		    "8110 the department's owner, its head in Cc");
		t.department = (char *)"billing";
	}
	if (tap_selected(8111)) {
		notice_init(&n, &t, SLA_FIRST_RESPONSE, SLA_BREACH, NOW - 5400);
		CHECK(notify_subject(&n, &b, &e) == 0 && strcmp(b.buf,
		    "[#42] First response 1 h 30 min late - Anna <Schmidt>: Refund Bcc: x@y") == 0,
		    "8111 the subject names ticket, what lapsed, how late, customer, subject");
		memset(msgs, 0, sizeof(msgs));
		msgs[0].date = NOW - 9000;
		msgs[0].direction = DIR_IN;
		msgs[0].from_addr = "anna@customer.example";
		msgs[0].text = "first <b>message</b>";
		msgs[1].date = NOW - 600;
		msgs[1].direction = DIR_IN;
		msgs[1].from_addr = "anna@customer.example";
		msgs[1].text = "second message";
		msgs[1].scored = 1;
		msgs[1].sentiment = -0.61;
		memset(ev, 0, sizeof(ev));
		ev[0].at = NOW;
		ev[0].kind = "sla-breach";
		ev[0].actor = "escalator";
		ev[0].detail = "{\"clock\":\"first-response\"}";
		n.msgs = msgs;
		n.msgs_count = 2;
		n.events = ev;
		n.events_count = 1;
		buf_reset(&b);
		CHECK(notify_text(&n, &b, &e) == 0 && strstr(b.buf,
		    "Ticket #42 is 1 h 30 min late for its first response.\n") == b.buf &&
		    strstr(b.buf, "Sentiment: negative (-0.61) in the latest customer") != NULL &&
		    strstr(b.buf, "Customer:  Anna <Schmidt> <anna@customer.example>") != NULL &&
		    strstr(b.buf, "Message:   \"second message\"") != NULL &&
		    strstr(b.buf, "Deadline:  Mon 1 Jun 2026 06:35 UTC\n") != NULL &&
		    strstr(b.buf, "  - Reply to the customer") != NULL &&
		    strstr(b.buf, "escalator show 42") != NULL &&
		    strstr(b.buf, "  SLA breached\n") != NULL && strstr(b.buf, "sla-breach") == NULL &&
		    strstr(b.buf, "\"clock\"") == NULL &&
		    strstr(strstr(b.buf, "conversation"), "second message") <
		    strstr(b.buf, "first <b>message</b>"),
		    "8111 the text body: lateness, mood, customer, words, steps, thread newest first");
		buf_reset(&b);
		CHECK(notify_html(&n, &b, &e) == 0 &&
		    strstr(b.buf, "first &lt;b&gt;message&lt;/b&gt;") != NULL &&
		    strstr(b.buf, "Anna &lt;Schmidt&gt;") != NULL && strstr(b.buf, "<b>message") == NULL,
		    "8111 the HTML body escapes customer text");
		CHECK(strstr(b.buf, "<style") == NULL && strstr(b.buf, "src=") == NULL &&
		    strstr(b.buf, "<table role=\"presentation\"") != NULL &&
		    strstr(b.buf, "<code>escalator show 42</code>") != NULL,
		    "8111 the HTML body: tables and inline styles, nothing fetched");
	}
	if (tap_selected(8112)) {
		static const struct { long s; const char *words; } d[] = {
			{ 0, "under a minute" }, { 59, "under a minute" }, { 60, "1 min" },
			{ 3600, "1 h" }, { 8100, "2 h 15 min" }, { 86400, "1 day" },
			{ 90000, "1 day 1 h" }, { 3 * 86400 + 59, "3 days" },
			{ -7200, "2 h" },
		};
		char w[64];
		size_t i;
		int ok = 1;

		for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
			if (strcmp(notify_duration_words(d[i].s, w, sizeof(w)), d[i].words) != 0) {
				printf("# %ld: '%s', not '%s'\n", d[i].s, w, d[i].words);
				ok = 0;
			}
		CHECK(ok, "8112 durations in words: units spelt out, one and many");
	}
	if (tap_selected(8113)) {
		const char *p, *nl;
		size_t cols;
		int ok = 1;

		notice_init(&n, &t, SLA_RESOLUTION, SLA_WARNING, NOW + 1200);
		t.customer_name = (char *)"Zoë Ångström-Þórðardóttir von und zu "
		    "Hohenzollern-Sigmaringen";
		t.subject = (char *)"A very long subject about an invoice that was charged "
		    "twice in May and again in June";
		buf_reset(&b);
		CHECK(notify_subject(&n, &b, &e) == 0 && strncmp(b.buf,
		    "[#42] Resolution due in 20 min - Zoë Ångström-Þórðardóttir von", 66) == 0 &&
		    strstr(b.buf, "...: A very long subject") != NULL && strlen(b.buf) < 150,
		    "8113 a warning's subject; a long name and subject are cut, whole characters");
		msgs[1].text = "word word word word word word word word word word word word "
		    "word word word word word word word word word word word word word word";
		n.msgs = msgs;
		n.msgs_count = 2;
		n.events_count = 0;
		buf_reset(&b);
		CHECK(notify_text(&n, &b, &e) == 0 &&
		    strstr(b.buf, "Ticket #42: its resolution is due in 20 min.") != NULL &&
		    strstr(b.buf, "escalator resolve 42") != NULL &&
		    strstr(b.buf, "escalator pending 42") != NULL &&
		    strstr(b.buf, "2 from the customer, no reply yet") != NULL,
		    "8113 a resolution warning says how to resolve or pause it");
		/* the lines before the conversation are wrapped at 72 columns */
		for (p = b.buf; ok && p < strstr(b.buf, "\nThe conversation"); p = nl + 1) {
			nl = strchr(p, '\n');
			for (cols = 0; p < nl; p++)
				cols += ((unsigned char)*p & 0xc0) != 0x80;
			ok = cols <= 72;
		}
		CHECK(ok, "8113 the facts are wrapped at 72 columns");
		t.customer_name = (char *)"Anna <Schmidt>";
		t.subject = (char *)"Refund\r\nBcc: x@y";
	}
	if (tap_selected(8117)) {
		/* One escaper for HTML (common/text.c): markup and quotes
		 * in a customer's lines become text, the lines stay lines. */
		buf_reset(&b);
		CHECK(text_html_escape(&b, "a <b>&\"x\"</b>\n'y'", &e) == 0 && strcmp(b.buf,
		    "a &lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;\n&#39;y&#39;") == 0 &&
		    text_html_escape(&b, NULL, &e) == 0 && (buf_reset(&b), 1) &&
		    notify_html_text(&b, "one <i>\r\ntwo\x1b[31m", 1, 100, &e) == 0 &&
		    strcmp(b.buf, "one &lt;i&gt;\ntwo[31m") == 0 && (buf_reset(&b), 1) &&
		    notify_html_text(&b, "one <i>\r\ntwo", 0, 100, &e) == 0 &&
		    strcmp(b.buf, "one &lt;i&gt; two") == 0,
		    "8117 HTML escaping: one escaper, lines kept or joined, controls dropped");
	}
	if (tap_selected(8116)) {
		/* RLO unclosed in the name, RLI and PDF in the subject: a
		 * mail client would show the rest of the line reversed. */
		notice_init(&n, &t, SLA_FIRST_RESPONSE, SLA_BREACH, NOW - 600);
		t.customer_name = (char *)"Mallory \xe2\x80\xae";
		t.subject = (char *)"\xe2\x81\xa7\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"
		    "\xe2\x80\xac exe.pdf";
		buf_reset(&b);
		CHECK(notify_subject(&n, &b, &e) == 0 && strcmp(b.buf,
		    "[#42] First response 10 min late - Mallory: \xd7\xa9\xd7\x9c\xd7\x95"
		    "\xd7\x9d exe.pdf") == 0,
		    "8116 bidi overrides and isolates from a customer are dropped, RTL text kept");
		t.customer_name = (char *)"Anna <Schmidt>";
		t.subject = (char *)"Refund\r\nBcc: x@y";
	}
	if (tap_selected(8119)) {
		/* A review's link with its tracking parameters: longer than
		 * a name, and useless when cut. */
		char url[400];

		notice_init(&n, &t, SLA_FIRST_RESPONSE, SLA_BREACH, NOW - 600);
		memset(msgs, 0, sizeof(msgs));
		msgs[0].date = NOW - 900;
		msgs[0].direction = DIR_IN;
		msgs[0].from_addr = "anna@customer.example";
		msgs[0].text = "two stars";
		(void)snprintf(url, sizeof(url), "https://reviews.example/r/12345?%0*d", 300, 7);
		msgs[0].url = url;
		n.msgs = msgs;
		n.msgs_count = 1;
		buf_reset(&b);
		CHECK(notify_text(&n, &b, &e) == 0 && strstr(b.buf, url) != NULL,
		    "8119 a post's link of 332 bytes is in the text whole");
		buf_reset(&b);
		CHECK(notify_html(&n, &b, &e) == 0 && strstr(b.buf, url) != NULL,
		    "8119 and in the HTML");
	}
	if (tap_selected(8120)) {
		/* A deadline in Berlin's autumn hour, an hour after the
		 * message: both read 02:30 on the wall. */
		struct tz *berlin;

		if (tz_load("Europe/Berlin", &berlin, &e) == -1) {
			CHECK(0, "8120 load Europe/Berlin");
		} else {
			/* deadline 2026-10-25T01:30:00Z */
			notice_init(&n, &t, SLA_FIRST_RESPONSE, SLA_BREACH, 1792891800);
			n.tz = berlin;
			n.now = n.deadline + 600;
			memset(msgs, 0, sizeof(msgs));
			msgs[0].date = 1792888200;	/* 00:30Z */
			msgs[0].direction = DIR_IN;
			msgs[0].from_addr = "anna@customer.example";
			msgs[0].text = "still waiting";
			n.msgs = msgs;
			n.msgs_count = 1;
			buf_reset(&b);
			CHECK(notify_text(&n, &b, &e) == 0 && strstr(b.buf,
			    "\"still waiting\" (Sun 25 Oct 2026 02:30 (UTC+2))") != NULL &&
			    strstr(b.buf, "Deadline: Sun 25 Oct 2026 02:30 (UTC+1) Europe/Berlin\n") !=
			    NULL, "8120 a notice in the autumn hour tells its two 02:30s apart");
			tz_free(berlin);
		}
	}
	buf_release(&b);
	conf_free(conf);
}

/* 1 if no line of s is wider than cols columns (UTF-8 characters). */
static int
fits(const char *s, size_t cols)
{
	size_t c = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			c = 0;
		else if (((unsigned char)*s & 0xc0) != 0x80 && ++c > cols)
			return 0;
	}
	return 1;
}

static void
t_digest(void)
{
	struct err e = ERR_INIT;
	struct digest d;
	struct buf b = BUF_INIT(1 << 20);

	if (tap_selected(8114)) {
		digest_init(&d, NOW - 86400, NOW);
		buf_reset(&b);
		CHECK(digest_subject(&d, &b, &e) == 0 && strcmp(b.buf,
		    "SLA digest: no breach or warning in the last 24 h") == 0,
		    "8114 an empty digest's subject says so");
		buf_reset(&b);
		CHECK(digest_text(&d, &b, &e) == 0 &&
		    strstr(b.buf, "No SLA breach or warning in the last 24 h. No SLA deadline was "
		    "due.") != NULL && strstr(b.buf, "Nothing needs action.") != NULL &&
		    strstr(b.buf, "By tier") == NULL, "8114 an empty digest's text: one summary");
		buf_reset(&b);
		CHECK(digest_html(&d, &b, &e) == 0 && strstr(b.buf, "Nothing needs action.") &&
		    strstr(b.buf, "</html>") != NULL, "8114 an empty digest's HTML");
		digest_release(&d);
	}
	if (tap_selected(8115)) {
		digest_init(&d, NOW - 86400, NOW);
		CHECK(digest_add(&d, NULL, 7, 1, 2, 2, "Rechnungsprüfung", "support",
		    "Überweisung doppelt abgebucht, bitte dringend zurückbuchen, sonst gehe "
		    "ich zum Anwalt und zur Verbraucherzentrale", "zoë@example.com", 9000, &e) == 0 &&
		    digest_add(&d, NULL, 9, 0, 1, 1, NULL, "support", "Question", NULL, 0,
		    &e) == 0, "8115 two tickets added");
		digest_finish(&d);
		d.due = 4;
		d.met = 3;
		d.prev_due = 5;
		d.prev_met = 5;
		buf_reset(&b);
		CHECK(digest_subject(&d, &b, &e) == 0 && strcmp(b.buf,
		    "SLA digest: 1 breach and 1 warning in the last 24 h; 75% of deadlines met "
		    "(was 100%)") == 0,
		    "8115 the subject: one breach, one warning, the trend");
		buf_reset(&b);
		CHECK(digest_text(&d, &b, &e) == 0 &&
		    strstr(b.buf, "1 breach and 1 warning in the last 24 h; the most in tier 2 "
		    "(1 breach).") != NULL &&
		    strstr(b.buf, "3 of 4 SLA deadlines due were met (75%), down from 100% in the "
		    "previous\n24 h.") != NULL &&
		    strstr(b.buf, "(1 ticket)\n  #7     Überweisung") != NULL &&
		    strstr(b.buf, "2 h 30 min late, 1 breach; tier 2, owner zoë@example.com") &&
		    strstr(b.buf, "1 warning, not late; tier 1, no owner") != NULL &&
		    strstr(b.buf, "Rechnungsprüfung") != NULL && fits(b.buf, 72),
		    "8115 the text: summary, breached then warned, non-ASCII, wrapped at 72");
		buf_reset(&b);
		CHECK(digest_html(&d, &b, &e) == 0 && strstr(b.buf, "<style") == NULL &&
		    strstr(b.buf, "bgcolor=\"#c0392b\"") != NULL &&
		    strstr(b.buf, "Überweisung doppelt") != NULL,
		    "8115 the HTML: table bars with bgcolor, no style block");
		digest_release(&d);
	}
	if (tap_selected(8118)) {
		/* The compliance sentence with none, one, some and all met,
		 * and a percent rounding would make 100 or 0. */
		static const struct {
			long due, met, prev_due, prev_met;
			const char *text, *subject;
		} c[] = {
			{ 0, 0, 4, 2, "No SLA deadline was due.", "" },
			{ 1, 1, 0, 0, "The one SLA deadline due was met; none was due in the "
			    "previous 24 h.", "; 100% of deadlines met" },
			{ 1, 0, 2, 1, "The one SLA deadline due was missed, down from 50% in the "
			    "previous 24 h.", "; 0% of deadlines met (was 50%)" },
			{ 6, 1, 5, 5, "1 of 6 SLA deadlines due was met (17%), down from 100% in "
			    "the previous 24 h.", "; 17% of deadlines met (was 100%)" },
			{ 6, 6, 3, 3, "All 6 SLA deadlines due were met, as in the previous 24 h.",
			    "; 100% of deadlines met (was 100%)" },
			{ 6, 0, 4, 1, "None of the 6 SLA deadlines due was met, down from 25% in "
			    "the previous 24 h.", "; 0% of deadlines met (was 25%)" },
			{ 200, 199, 300, 1, "199 of 200 SLA deadlines due were met (99%), up from "
			    "1% in the previous 24 h.", "; 99% of deadlines met (was 1%)" },
		};
		struct buf want = BUF_INIT(4096), flat = BUF_INIT(1 << 20);
		size_t i;
		int ok = 1;

		for (i = 0; i < sizeof(c) / sizeof(c[0]) && ok; i++) {
			digest_init(&d, NOW - 86400, NOW);
			d.due = c[i].due;
			d.met = c[i].met;
			d.prev_due = c[i].prev_due;
			d.prev_met = c[i].prev_met;
			buf_reset(&b);
			buf_reset(&flat);
			buf_reset(&want);
			ok = digest_text(&d, &b, &e) == 0 &&
			    text_oneline(&flat, b.buf, 1 << 19, &e) == 0 &&
			    strstr(flat.buf, c[i].text) != NULL &&
			    (buf_reset(&b), digest_subject(&d, &b, &e)) == 0 &&
			    buf_printf(&want, &e, "SLA digest: no breach or warning in the last "
			    "24 h%s", c[i].subject) == 0 && strcmp(b.buf, want.buf) == 0;
			if (!ok)
				printf("# case %zu: %s\n", i, flat.buf != NULL ? flat.buf : "");
			digest_release(&d);
		}
		buf_release(&want);
		buf_release(&flat);
		CHECK(ok, "8118 compliance: none, one, some, all met; no 100% with one missed");
	}
	buf_release(&b);
}

int
main(void)
{
	t_subjects();
	t_addresses();
	t_bodies();
	t_notify();
	t_digest();
	return tap_done();
}
