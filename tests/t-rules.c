/* t-rules.c -- the rule language (rules/parse.c, rules/eval.c), the default
 * policy (rules/policy.c) and the decisions (rules/decide.c), over data
 * files where a table says it best.
 *
 * tests/data/4NNN-*.conf (4000-4199): compiled as configuration files
 * (conf_load_mem, CONF_NO_FILES); what was printed -- errors with their
 * line and caret, warnings -- then the compiled program (rules_dump) and
 * the outcome must equal 4NNN-*.expect.  REGEN=1 writes missing .expect
 * files: read them before committing.
 *
 * The same for 4850-4859: the amount condition and route-by-authority.
 *
 * tests/data/4NNN-*.eval (4200-4499, 4860-4869): rule evaluation tables.  The text
 * before a line "---" is a configuration; after it each line is a case,
 *     INPUTS => EXPECTED
 * INPUTS are key=value (value in double quotes if it has spaces):
 *   message: text subject from from_name channel kind public reach
 *            sentiment (a number, or "none": no lexicon) asks age (90m, 2h);
 *            "\n" in a value is a newline
 *   ticket:  status priority tier exchanges opened department owner tags
 * EXPECTED is the names of the rules that matched, comma-separated ("-"
 * for none), then each change made, in order: +priority:P +tier:N
 * +department:D +assign:A +tag:T +notify:A +ignore +stop
 * +authority:NAME:AMOUNT:FROM->TO (AMOUNT "none" when the message has
 * none in the authority's currency; FROM and TO the ticket's tier).  A line
 * "!explain" makes the cases after it also print, for every match, the
 * JSON members of rules_explain in braces.
 *
 * Then cases 4700-4719 in C: folding, the urgency table, decide_message
 * and the notification it asks for; 4870-4879 in C: the events
 * route-by-authority leaves. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "intake/message.h"
#include "rules/amount.h"
#include "rules/conf.h"
#include "rules/decide.h"
#include "rules/policy.h"
#include "rules/rules.h"
#include "rules/sentiment.h"
#include "tests/fixture.h"
#include "tests/tap.h"

static char testdata[PATH_MAX];

/* Loads text as configuration `name`; *c NULL on failure.  Returns what
 * was printed (caller frees). */
static char *
load(const char *name, const char *text, size_t len, struct conf **c, int dump)
{
	struct err e = ERR_INIT;
	char *out = NULL;
	size_t outlen = 0;
	FILE *diag = open_memstream(&out, &outlen);

	if (diag == NULL)
		return NULL;
	*c = NULL;
	if (conf_load_mem(name, text, len, CONF_NO_FILES, c, diag, &e) == 0) {
		if (dump)
			rules_dump((*c)->compiled, diag);
		fprintf(diag, "result: ok, %d warning%s\n", (*c)->warnings,
		    (*c)->warnings == 1 ? "" : "s");
	} else
		fprintf(diag, "result: fail: %s\n", e.msg);
	fclose(diag);
	return out;
}

/* ---- 4000-4199: compiling ------------------------------------------- */

static void
compile_cases(void)
{
	char path[PATH_MAX + 300], **names, *text, *got;
	struct conf *c = NULL;
	size_t len;
	int n, i, num;

	if ((n = fixture_cases(testdata, ".conf", 4000, 4999, &names)) < 0) {
		CHECK(0, "scandir of tests/data");
		return;
	}
	for (i = 0; i < n; i++) {
		num = (int)strtol(names[i], NULL, 10);
		if ((num >= 4200 && (num < 4850 || num > 4859)) || !tap_selected(num))
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", testdata, names[i]);
		got = (text = fixture_read(path, &len)) != NULL ?
		    load(names[i], text, len, &c, 1) : NULL;
		conf_free(c);
		c = NULL;
		free(text);
		if (got == NULL) {
			CHECK(0, names[i]);
			continue;
		}
		fixture_check(testdata, names[i], got, strlen(got));
		free(got);
	}
	fixture_names_free(names, n);
}

/* ---- 4200-4499: evaluation tables ----------------------------------- */

struct input {
	struct rules_msg	 m;
	struct rules_ticket	 t;
	char			 store[4096];	/* the values, NUL-separated */
	size_t			 used;
	char			*tags;
};

/* A copy of s[0..n) in in->store, "\n" read as a newline. */
static const char *
keep(struct input *in, const char *s, size_t n)
{
	char *p = in->store + in->used;
	size_t i, o = 0;

	if (in->used + n + 1 > sizeof(in->store))
		return "";
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == 'n') {
			p[o++] = '\n';
			i++;
		} else
			p[o++] = s[i];
	}
	p[o] = '\0';
	in->used += o + 1;
	return p;
}

static long
duration(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	switch (*end) {
	case 'm': return n * 60;
	case 'h': return n * 3600;
	case 'd': return n * 86400;
	default: return n;
	}
}

/* Parses INPUTS into in; returns -1 on a key it does not know. */
static int
parse_inputs(const char *s, struct input *in, char *why, size_t whylen)
{
	const char *k, *v;
	size_t kl, vl;

	memset(in, 0, sizeof(*in));
	in->m.from_addr = "customer@example.org";
	in->m.channel = "support";
	in->m.kind = "imap";
	in->m.reach = -1;
	in->m.scored = 1;
	in->t.status = STATUS_OPEN;
	in->t.priority = PRIO_NORMAL;
	in->t.tier = 1;
	in->t.exchanges = 1;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 0;
		k = s;
		kl = strcspn(s, "= \t");
		if (s[kl] != '=') {
			(void)snprintf(why, whylen, "expected key=value at '%s'", s);
			return -1;
		}
		s += kl + 1;
		if (*s == '"') {
			v = ++s;
			vl = strcspn(s, "\"");
			s += vl + (s[vl] == '"');
		} else {
			v = s;
			vl = strcspn(s, " \t");
			s += vl;
		}
		v = keep(in, v, vl);
#define KEY(name)	(kl == strlen(name) && strncmp(k, name, kl) == 0)
		if (KEY("text"))
			in->m.text = v;
		else if (KEY("subject"))
			in->m.subject = v;
		else if (KEY("from"))
			in->m.from_addr = v;
		else if (KEY("from_name"))
			in->m.from_name = v;
		else if (KEY("channel"))
			in->m.channel = v;
		else if (KEY("kind"))
			in->m.kind = v;
		else if (KEY("public"))
			in->m.public = atoi(v);
		else if (KEY("reach"))
			in->m.reach = atol(v);
		else if (KEY("sentiment")) {
			in->m.scored = strcmp(v, "none") != 0;
			in->m.sentiment = strtod(v, NULL);
		} else if (KEY("asks"))
			in->m.asks_escalation = v;
		else if (KEY("age"))
			in->m.age = duration(v);
		else if (KEY("status"))
			in->t.status = status_from_name(v);
		else if (KEY("priority"))
			in->t.priority = priority_from_name(v);
		else if (KEY("tier"))
			in->t.tier = atoi(v);
		else if (KEY("exchanges"))
			in->t.exchanges = atoi(v);
		else if (KEY("opened"))
			in->t.opened = atoi(v);
		else if (KEY("department"))
			in->t.department = v;
		else if (KEY("owner"))
			in->t.owner = v;
		else if (KEY("tags")) {
			char *p = (char *)v, *comma;

			for (; p != NULL && *p != '\0' && in->t.tags_count < RULES_TAGS_MAX; p = comma) {
				if ((comma = strchr(p, ',')) != NULL)
					*comma++ = '\0';
				in->t.tags[in->t.tags_count++] = p;
			}
		} else {
			(void)snprintf(why, whylen, "unknown key '%.*s'", (int)kl, k);
			return -1;
		}
#undef KEY
	}
}

/* What one evaluation did, as EXPECTED is written. */
static void
outcome(const struct rules *p, const struct rules_run *run, int explain, struct buf *out)
{
	const struct rules_effect *ef;
	size_t i;

	buf_reset(out);
	for (i = 0; i < run->hits_count; i++)
		(void)buf_printf(out, NULL, "%s%s", i ? "," : "", rules_name(p, run->hits[i].rule));
	if (run->hits_count == 0)
		(void)buf_addstr(out, "-", NULL);
	for (i = 0; i < run->effects_count; i++) {
		ef = &run->effects[i];
		switch (ef->act) {
		case RULES_PRIORITY:
			(void)buf_printf(out, NULL, " +priority:%s", priority_name(ef->to));
			break;
		case RULES_TIER:
			(void)buf_printf(out, NULL, " +tier:%d", ef->to);
			break;
		case RULES_IGNORE:
		case RULES_STOP:
			(void)buf_printf(out, NULL, " +%s", rules_act_name(ef->act));
			break;
		case RULES_AUTHORITY: {
			char amt[64];

			(void)buf_printf(out, NULL, " +authority:%s:%s:%d->%d", ef->str,
			    ef->amount < 0 ? "none" : amount_format(ef->amount, ef->currency,
			    amt, sizeof(amt)), ef->from, ef->to);
			break;
		}
		default:
			(void)buf_printf(out, NULL, " +%s:%s", rules_act_name(ef->act), ef->str);
			break;
		}
	}
	for (i = 0; explain && i < run->hits_count; i++) {
		(void)buf_addstr(out, " {", NULL);
		(void)rules_explain(p, run, i, out, NULL);
		(void)buf_addch(out, '}', NULL);
	}
}

static void
eval_file(const char *name, int num)
{
	char path[PATH_MAX + 300], why[256], label[600];
	char *text, *cases, *line, *next, *arrow, *diag;
	struct rules_run run;
	struct buf got = BUF_INIT(1 << 20);
	struct input in;
	struct conf *c = NULL;
	int lineno, explain = 0;
	size_t len, head;

	(void)snprintf(path, sizeof(path), "%s/%s", testdata, name);
	if ((text = fixture_read(path, &len)) == NULL || (cases = strstr(text, "\n---\n")) == NULL) {
		tap_ok(0, "%s: unreadable, or no line ---", name);
		free(text);
		return;
	}
	head = (size_t)(cases - text) + 1;
	diag = load(name, text, head, &c, 0);
	if (c == NULL) {
		fixture_show("configuration", diag ? diag : "");
		tap_ok(0, "%s: the configuration does not load", name);
		free(diag);
		free(text);
		return;
	}
	free(diag);
	rules_run_init(&run);
	lineno = 1;
	for (line = text; line < cases + 1; line++)
		lineno += *line == '\n';
	for (line = cases + 5, lineno++; *line != '\0'; line = next, lineno++) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '#' || *line == '\0')
			continue;
		if (strcmp(line, "!explain") == 0) {
			explain = 1;
			continue;
		}
		/* line is never NULL; gcc -O1 with the sanitizers cannot tell. */
		(void)snprintf(label, sizeof(label), "%d line %d: %s", num, lineno,
		    line != NULL ? line : "");
		if ((arrow = strstr(line, " => ")) == NULL) {
			tap_ok(0, "%s (no ' => ')", label);
			continue;
		}
		*arrow = '\0';
		if (parse_inputs(line, &in, why, sizeof(why)) == -1) {
			printf("# %s\n", why);
			tap_ok(0, "%s", label);
			continue;
		}
		if (rules_eval(c->compiled, &in.m, &in.t, &run, NULL) == -1) {
			tap_ok(0, "%s (rules_eval failed)", label);
			continue;
		}
		outcome(c->compiled, &run, explain, &got);
		if (strcmp(got.buf, arrow + 4) != 0)
			printf("# expected: %s\n#      got: %s\n", arrow + 4, got.buf);
		tap_ok(strcmp(got.buf, arrow + 4) == 0, "%s", label);
	}
	rules_run_release(&run);
	buf_release(&got);
	conf_free(c);
	free(text);
}

static void
eval_cases(void)
{
	char **names;
	int n, i, num;

	if ((n = fixture_cases(testdata, ".eval", 4000, 4999, &names)) < 0) {
		CHECK(0, "scandir of tests/data");
		return;
	}
	for (i = 0; i < n; i++) {
		num = (int)strtol(names[i], NULL, 10);
		if (tap_selected(num))
			eval_file(names[i], num);
	}
	fixture_names_free(names, n);
}

/* ---- 4700-4719: in C ------------------------------------------------ */

static void
t4700(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "", " " },
		{ "Refund!", " refund " },
		{ "Don't  CHARGE me twice...", " dont charge me twice " },
		{ "Café crème, Straße, ŒUVRE, Ĳssel", " cafe creme strasse oeuvre ijssel " },
		{ "e-mail: a_b@x.org", " e mail a b x org " },
		{ "re\xcc\x81sume\xcc\x81 \xe2\x80\x94 ok", " resume ok " },
		{ "ПРИВЕТ Ωμέγα", " привет ωμέγα " },
		{ "bad \xff\xfe bytes \xe2\x82", " bad bytes " },
		{ "I\xe2\x80\x99m angry \xf0\x9f\x98\xa1!!", " im angry " },
	};
	char out[256];
	size_t i, n;
	int ok = 1;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = rules_fold(cases[i].in, strlen(cases[i].in), out);
		if (strcmp(out, cases[i].out) != 0 || n != strlen(out) ||
		    n > strlen(cases[i].in) + 2) {
			printf("# fold('%s') = '%s', expected '%s'\n", cases[i].in, out,
			    cases[i].out);
			ok = 0;
		}
	}
	CHECK(ok, "4700 folding: case, Latin accents, apostrophes, punctuation, bad UTF-8");
}

static void
t4701(void)
{
	static const struct {
		double	 sentiment;
		int	 scored, public;
		long	 reach;
		int	 priority;
		double	 urgency;
	} cases[] = {
		{ 0.7, 1, 0, -1, PRIO_LOW, 0 },		/* thanks */
		{ 0.0, 1, 0, -1, PRIO_NORMAL, 0 },
		{ -0.4, 1, 0, -1, PRIO_NORMAL, 0.4 },
		{ -0.4, 1, 1, -1, PRIO_HIGH, 0.6 },	/* the same words, in public */
		{ -0.6, 1, 0, -1, PRIO_HIGH, 0.6 },
		{ -0.6, 1, 1, 50000, PRIO_URGENT, 1.4639 },
		{ -0.9, 1, 0, -1, PRIO_HIGH, 0.9 },	/* private mail tops at high */
		{ -0.8, 1, 1, -1, PRIO_URGENT, 1.2 },
		{ -0.2, 1, 1, 1000000, PRIO_HIGH, 0.54 },	/* mild, but far */
		{ -0.2, 1, 1, 100, PRIO_NORMAL, 0.38 },
		{ -0.9, 0, 1, 1000000, PRIO_NORMAL, 0 },	/* no lexicon: no opinion */
		{ 0.9, 1, 1, 1000000, PRIO_LOW, 0 },
	};
	struct policy_urgency u;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		policy_urgency(cases[i].sentiment, cases[i].scored, cases[i].public,
		    cases[i].reach, &u);
		if (u.priority != cases[i].priority || u.urgency < cases[i].urgency - 0.001 ||
		    u.urgency > cases[i].urgency + 0.001) {
			printf("# case %zu: priority %s urgency %.4f, expected %s %.4f\n", i,
			    priority_name(u.priority), u.urgency,
			    priority_name(cases[i].priority), cases[i].urgency);
			ok = 0;
		}
	}
	CHECK(ok, "4701 the default priority table (README.md)");

	/* Public above private for every sentiment, more reach above less. */
	ok = 1;
	for (i = 1; i <= 100; i++) {
		struct policy_urgency pub, priv, far;

		policy_urgency(-(double)i / 100, 1, 1, -1, &pub);
		policy_urgency(-(double)i / 100, 1, 0, -1, &priv);
		policy_urgency(-(double)i / 100, 1, 1, 100000, &far);
		if (!(pub.urgency > priv.urgency) || pub.priority < priv.priority ||
		    !(far.urgency > pub.urgency) || far.priority < pub.priority)
			ok = 0;
	}
	CHECK(ok, "4701 a public negative post outranks any private message of the "
	    "same sentiment; reach ranks higher");
}

/* decide_message over a message and ticket made here. */
struct scene {
	struct message	 m;
	struct ticket	 t;
	struct decide	 d;
	struct conf	*c;
};

static const struct sentiment *lexicon;

static int
scene(struct scene *s, const char *conf, const char *text, int public, long reach,
    int first)
{
	struct decide_in in;
	struct err e = ERR_INIT;
	char *diag;

	message_init(&s->m);
	ticket_init(&s->t);
	decide_init(&s->d);
	s->c = NULL;
	if (conf != NULL) {
		diag = load("scene.conf", conf, strlen(conf), &s->c, 0);
		if (s->c == NULL)
			fixture_show("scene.conf", diag ? diag : "");
		free(diag);
	}
	s->m.message_id = "m1@example.org";
	s->m.from_addr = "ann@example.org";
	s->m.from_name = "Ann";
	s->m.subject = "Help";
	s->m.text = s->m.text_scored = text;
	s->m.public = public;
	s->m.reach = reach;
	s->m.date = 1000;
	s->t.id = 7;
	s->t.channel = strdup("support");
	if (first) {
		policy_ticket_open(&s->t, &s->m);
	} else {
		s->t.messages = 2;
		s->t.exchanges = 1;
		s->t.status = STATUS_OPEN;
		s->t.created = s->t.updated = s->t.last_inbound = 500;
	}
	memset(&in, 0, sizeof(in));
	in.m = &s->m;
	in.channel = "support";
	in.kind = "imap";
	in.lexicon = lexicon;
	in.rules = s->c != NULL ? s->c->compiled : NULL;
	return decide_message(&s->d, &in, &s->t, &s->m, &e);
}

static void
scene_free(struct scene *s)
{
	decide_release(&s->d);
	ticket_release(&s->t);
	message_release(&s->m);
	conf_free(s->c);
}

/* The events' kinds, space-separated. */
static const char *
kinds(const struct decide *d, char *out, size_t len)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < d->events_count && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? " " : "",
		    d->events[i].kind);
	return out;
}

static const char *
detail(const struct decide *d, const char *kind, int nth)
{
	size_t i;

	for (i = 0; i < d->events_count; i++)
		if (strcmp(d->events[i].kind, kind) == 0 && nth-- == 0)
			return d->events[i].detail;
	return "";
}

static void
t4702(void)
{
	struct scene a, b;
	const char *angry = "Your service is broken again. This is unacceptable and I am furious.";
	char k[512];

	if (lexicon == NULL) {
		tap_skip("4702 needs the lexicon (ESCALATOR_LEXICON)");
		return;
	}
	(void)scene(&a, NULL, angry, 1, 20000, 1);
	(void)scene(&b, NULL, angry, 0, -1, 1);
	CHECK(a.d.scored && a.d.sentiment.compound < -0.5 &&
	    a.t.priority == PRIO_URGENT && b.t.priority == PRIO_HIGH &&
	    a.t.urgency > b.t.urgency && a.m.scored && a.m.sentiment == a.d.sentiment.compound,
	    "4702 the same angry words: public post urgent, private mail high");
	CHECK(strcmp(kinds(&a.d, k, sizeof(k)), "assessed") == 0 &&
	    strstr(detail(&a.d, "assessed", 0), "\"words\":[{\"word\":\"broken\"") != NULL &&
	    strstr(detail(&a.d, "assessed", 0), "\"priority\":\"urgent\"") != NULL,
	    "4702 the assessment names the words and the default priority of a new ticket");
	scene_free(&a);
	scene_free(&b);
	(void)scene(&a, NULL, angry, 1, 20000, 0);
	CHECK(strcmp(kinds(&a.d, k, sizeof(k)), "assessed priority") == 0 &&
	    strstr(detail(&a.d, "priority", 0), "\"from\":\"normal\",\"to\":\"urgent\","
	    "\"by\":\"default\"") != NULL,
	    "4702 a later message that changes the priority: an event says by what");
	scene_free(&a);
}

static void
t4703(void)
{
	struct scene s;
	char k[512];

	(void)scene(&s, NULL, "This is the third time. I want to speak to a manager.", 0, -1, 0);
	CHECK(s.t.tier == 2 && s.t.tags != NULL && strcmp(s.t.tags, DECIDE_ASKED_TAG) == 0 &&
	    strstr(detail(&s.d, "escalated", 0), "\"from\":1,\"to\":2,\"reason\":"
	    "\"customer asked to escalate\"") != NULL,
	    "4703 a request to escalate: one tier up by default, tagged");
	scene_free(&s);

	/* Asked before (the tag): not again. */
	{
		struct decide_in in;
		struct err e = ERR_INIT;

		message_init(&s.m);
		ticket_init(&s.t);
		decide_init(&s.d);
		s.c = NULL;
		s.m.message_id = "m2@example.org";
		s.m.text = s.m.text_scored = "Again: let me speak to your supervisor!";
		s.m.date = 2000;
		s.t.messages = 3;
		s.t.status = STATUS_OPEN;
		s.t.tier = 2;
		s.t.tags = strdup("vip," DECIDE_ASKED_TAG);
		s.t.created = s.t.updated = s.t.last_inbound = 500;
		memset(&in, 0, sizeof(in));
		in.m = &s.m;
		in.channel = "support";
		in.kind = "imap";
		(void)decide_message(&s.d, &in, &s.t, &s.m, &e);
		CHECK(s.t.tier == 2 && s.d.asks != NULL &&
		    strcmp(kinds(&s.d, k, sizeof(k)), "assessed") == 0,
		    "4703 asking again on the same ticket escalates no further");
		scene_free(&s);
	}

	/* A rule that escalates wins over the default: one step, not two. */
	(void)scene(&s, "rule \"manager\" { when text ~ \"speak to a (manager|supervisor)\" "
	    "then escalate }\n", "I want to speak to a manager now", 0, -1, 0);
	CHECK(s.t.tier == 2 && strstr(detail(&s.d, "escalated", 0), "\"rule\":\"manager\"") &&
	    detail(&s.d, "escalated", 1)[0] == '\0' &&
	    strcmp(kinds(&s.d, k, sizeof(k)), "assessed rule-matched escalated tagged") == 0,
	    "4703 a rule that escalates replaces the default escalation");
	scene_free(&s);

	(void)scene(&s, NULL, "Our manager approved the order yesterday, thanks.", 0, -1, 0);
	CHECK(s.t.tier == 1 && s.d.asks == NULL, "4703 'our manager approved' is no request");
	scene_free(&s);
}

static void
t4704(void)
{
	struct scene s;
	struct decide_in in;
	struct err e = ERR_INIT;
	char k[256];

	message_init(&s.m);
	ticket_init(&s.t);
	decide_init(&s.d);
	s.c = NULL;
	s.m.message_id = "late@example.org";
	s.m.text = s.m.text_scored = "I want to speak to a manager, this is a disgrace";
	s.m.date = 100;		/* older than what the ticket has seen */
	s.t.messages = 3;
	s.t.exchanges = 2;
	s.t.status = STATUS_OPEN;
	s.t.priority = PRIO_LOW;
	s.t.created = 50;
	s.t.updated = s.t.last_inbound = 500;
	memset(&in, 0, sizeof(in));
	in.m = &s.m;
	in.lexicon = lexicon;
	(void)decide_message(&s.d, &in, &s.t, &s.m, &e);
	CHECK(s.t.priority == PRIO_LOW && s.t.tier == 1 && s.t.exchanges == 3 &&
	    strcmp(kinds(&s.d, k, sizeof(k)), "assessed") == 0 &&
	    strstr(detail(&s.d, "assessed", 0), "\"late\":true") != NULL,
	    "4704 a late message is assessed and counted but decides nothing");
	scene_free(&s);

	/* The team's reply: no assessment, no priority change. */
	message_init(&s.m);
	ticket_init(&s.t);
	decide_init(&s.d);
	s.m.direction = DIR_OUT;
	s.m.text = s.m.text_scored = "We are very sorry, this is terrible";
	s.m.date = 900;
	s.t.messages = 1;
	s.t.priority = PRIO_URGENT;
	s.t.status = STATUS_NEW;
	s.t.created = s.t.updated = s.t.last_inbound = 500;
	memset(&in, 0, sizeof(in));
	in.m = &s.m;
	in.lexicon = lexicon;
	(void)decide_message(&s.d, &in, &s.t, &s.m, &e);
	CHECK(s.t.priority == PRIO_URGENT && s.d.events_count == 0 && !s.d.customer &&
	    s.t.status == STATUS_OPEN, "4704 a team reply never lowers the priority");
	scene_free(&s);
}

static void
t4705(void)
{
	static const char conf[] =
	    "rule \"thanks\" { when text has any (\"thanks\", \"thank you\") and "
	    "exchanges >= 1 then ignore, stop }\n"
	    "rule \"never\" { when public or private then tag \"seen\" }\n";
	struct scene s;

	(void)scene(&s, conf, "Thank you, all good now", 0, -1, 1);
	CHECK(s.t.status == STATUS_CLOSED && s.d.ignored && (s.t.tags == NULL) &&
	    strstr(detail(&s.d, "ignored", 0), "\"status\":\"closed\"") != NULL,
	    "4705 ignore: a ticket the message opened is closed; stop: no later rule runs");
	scene_free(&s);

	(void)scene(&s, conf, "thanks!", 0, -1, 0);
	CHECK(s.t.status == STATUS_OPEN && s.d.ignored, "4705 ignore keeps an open ticket open");
	scene_free(&s);
}

static void
t4706(void)
{
	static const char conf[] =
	    "rule \"tell\" { when private then notify \"lead@corp.example\", "
	    "notify \"boss@corp.example\", notify \"lead@corp.example\" }\n"
	    "rule \"quiet\" { when public then tag \"x\" }\n";
	struct scene s;
	struct buf subj = BUF_INIT(4096), text = BUF_INIT(1 << 20);
	char id[600];
	int ok;

	(void)scene(&s, conf, "Line one\nLine two\r\nBcc: evil@x.example", 0, -1, 1);
	s.m.subject = "Urgent\r\nBcc: evil@x.example\r\n\tX-Injected: 1 \xc3\x9c";
	ok = decide_notification(&s.d, &s.t, &s.m, 42, "corp.example", &subj, &text, id,
	    sizeof(id), NULL) == 0;
	CHECK(ok && strcmp(id, "escalator-notify-7-42@corp.example") == 0 &&
	    strcmp(s.d.notify_to.buf, "lead@corp.example, boss@corp.example") == 0,
	    "4706 the notification: stable Message-ID, each recipient once");
	if (getenv("VERBOSE") != NULL)
		printf("# subject: %s\n", subj.buf ? subj.buf : "(null)");
	CHECK(subj.buf != NULL && strchr(subj.buf, '\r') == NULL && strchr(subj.buf, '\n') == NULL &&
	    strncmp(subj.buf, "[#7] ", 5) == 0 &&
	    strstr(subj.buf, ": Urgent  Bcc: evil@x.example   X-Injected: 1 \xc3\x9c") != NULL,
	    "4706 the customer's subject reaches the subject on one line, CR and LF made spaces");
	CHECK(text.buf != NULL && strstr(text.buf, "  - \"tell\"\n") != NULL &&
	    strstr(text.buf, "\n> Line two \n> Bcc: evil@x.example\n") != NULL &&
	    strstr(text.buf, "Customer: Ann <ann@example.org>, on support (private)\n") != NULL,
	    "4706 the body names the rules and quotes what the customer wrote");
	buf_release(&subj);
	buf_release(&text);
	scene_free(&s);

	(void)scene(&s, conf, "hello", 1, -1, 1);
	buf_init(&subj, 4096);
	CHECK(decide_notification(&s.d, &s.t, &s.m, 1, NULL, &subj, &subj, id, sizeof(id),
	    NULL) == 0 && subj.len == 0 && s.d.notify_to.len == 0,
	    "4706 no notify action, no notification");
	buf_release(&subj);
	scene_free(&s);
}

static void
t4707(void)
{
	struct rules *p = NULL;
	struct rules_run run;
	struct rules_msg m;
	struct rules_ticket t;
	struct err e = ERR_INIT;

	CHECK(rules_compile(NULL, NULL, &p, &e) == 0 && p != NULL && rules_count(p) == 0,
	    "4707 no configuration: an empty program");
	rules_run_init(&run);
	memset(&m, 0, sizeof(m));
	memset(&t, 0, sizeof(t));
	CHECK(rules_eval(p, &m, &t, &run, &e) == 0 && run.hits_count == 0 &&
	    rules_eval(NULL, &m, &t, &run, &e) == 0, "4707 evaluating no rules matches nothing");
	rules_run_release(&run);
	rules_run_release(NULL);
	rules_free(p);
	rules_free(NULL);
	CHECK(rules_count(NULL) == 0 && strcmp(rules_name(NULL, 0), "") == 0,
	    "4707 NULL-safe");
}

static void
t4708(void)
{
	struct scene s;
	const struct sentiment *keep = lexicon;

	lexicon = NULL;
	(void)scene(&s, "rule \"neg\" { when sentiment < 0 then tag \"neg\" }\n",
	    "This is broken and terrible", 1, 100000, 1);
	CHECK(!s.d.scored && !s.m.scored && s.t.priority == PRIO_NORMAL && s.t.tags == NULL &&
	    strstr(detail(&s.d, "assessed", 0), "\"sentiment\":null") != NULL,
	    "4708 without a lexicon: no score, normal priority, sentiment tests false");
	scene_free(&s);
	lexicon = keep;
}

static void
t4709(void)
{
	static const char conf[] =
	    "department billing { head \"f@example.com\" entry-tier 2 }\n"
	    "tier 1 { owner \"t1@example.com\" first-response 1h }\n"
	    "tier 2 { owner \"t2@example.com\" first-response 1h }\n"
	    "rule \"refunds\" { when text has \"refund\" then department billing, "
	    "priority high, assign \"ann@example.com\" }\n"
	    "rule \"calm down\" { when priority is high then priority normal }\n";
	struct scene s;
	char k[512];

	(void)scene(&s, conf, "Where is my refund?", 0, -1, 1);
	CHECK(s.t.department != NULL && strcmp(s.t.department, "billing") == 0 &&
	    s.t.tier == 2 && s.t.owner != NULL && strcmp(s.t.owner, "ann@example.com") == 0 &&
	    s.t.priority == PRIO_NORMAL &&
	    strcmp(kinds(&s.d, k, sizeof(k)), "assessed rule-matched escalated escalated "
	    "assigned rule-matched") == 0 &&
	    strstr(detail(&s.d, "escalated", 1), "\"reason\":\"department billing starts "
	    "at tier 2\"") != NULL,
	    "4709 department raises to its entry tier; later rules see earlier changes");
	scene_free(&s);
}

/* route-by-authority in decide_message: the same "escalated" event as any
 * rule's tier change, with the amount and the authority; when nothing
 * changes, the rule-matched event says why. */
static void
t4870(void)
{
	static const char conf[] =
	    "tier 1 { owner \"t1@example.com\" first-response 1h }\n"
	    "tier 2 { owner \"t2@example.com\" first-response 4h }\n"
	    "tier 3 { owner \"t3@example.com\" first-response 1d }\n"
	    "authority refund { tier 1 up-to 50 EUR  tier 2 up-to 500 EUR  tier 3 any }\n"
	    "rule \"refunds\" { when text has \"refund\" and amount > 0 EUR "
	    "then route-by-authority refund }\n"
	    "rule \"no amount\" { when text has \"money back\" then "
	    "route-by-authority refund }\n";
	struct scene s;
	char k[512];

	(void)scene(&s, conf, "Please refund the \xe2\x82\xac" "120 you charged twice.", 0, -1, 1);
	CHECK(s.t.tier == 2 &&
	    strcmp(kinds(&s.d, k, sizeof(k)), "assessed rule-matched escalated") == 0 &&
	    strcmp(detail(&s.d, "escalated", 0), "{\"type\":\"hierarchical\",\"from\":1,"
	    "\"to\":2,\"reason\":\"authority refund: 120.00 EUR needs tier 2 (up to 500.00 "
	    "EUR)\",\"rule\":\"refunds\",\"amount\":\"120.00 EUR\",\"authority\":"
	    "\"refund\"}") == 0 &&
	    strstr(detail(&s.d, "rule-matched", 0), "\"amount\":\"120.00 EUR\"") != NULL &&
	    strstr(detail(&s.d, "rule-matched", 0), "\"route_by_authority\":[{\"authority\":"
	    "\"refund\",\"amount\":\"120.00 EUR\",\"tier\":2,\"changed\":true}]") != NULL,
	    "4870 route-by-authority: an escalated event of the usual shape, with the "
	    "amount and the authority");
	if (getenv("VERBOSE") != NULL)
		printf("# %s\n# %s\n", detail(&s.d, "rule-matched", 0),
		    detail(&s.d, "escalated", 0));
	scene_free(&s);

	(void)scene(&s, conf, "I want my money back, order 4711, USD 80", 0, -1, 1);
	CHECK(s.t.tier == 1 &&
	    strcmp(kinds(&s.d, k, sizeof(k)), "assessed rule-matched") == 0 &&
	    strstr(detail(&s.d, "rule-matched", 0), "\"route_by_authority\":[{\"authority\":"
	    "\"refund\",\"amount\":null,\"changed\":false,\"why\":\"no amount in EUR in "
	    "the message\"}]") != NULL,
	    "4870 no amount in the authority's currency: nothing changes, and the match "
	    "says why");
	scene_free(&s);

	(void)scene(&s, conf, "A refund of 20 EUR, please", 0, -1, 0);
	CHECK(s.t.tier == 1 && detail(&s.d, "escalated", 0)[0] == '\0' &&
	    strstr(detail(&s.d, "rule-matched", 0), "\"tier\":1,\"changed\":false,"
	    "\"why\":\"tier 1 may decide it already\"") != NULL,
	    "4870 an amount the ticket's tier may decide: nothing changes");
	scene_free(&s);

	/* It moved the tier: the customer's request to escalate adds no step. */
	(void)scene(&s, conf, "Refund my 2000 EUR or I want to speak to a manager!", 0, -1, 0);
	CHECK(s.t.tier == 3 && s.d.asks != NULL && detail(&s.d, "escalated", 1)[0] == '\0' &&
	    strstr(detail(&s.d, "escalated", 0), "\"to\":3,\"reason\":\"authority refund: "
	    "2000.00 EUR needs tier 3 (any amount)\"") != NULL,
	    "4870 route-by-authority moved the tier: no default escalation on top");
	scene_free(&s);
}

int
main(void)
{
	struct sentiment *lex = NULL;
	struct err e = ERR_INIT;

	if (fixture_testdata(testdata) == -1)
		return tap_done();
	if (sentiment_load_default(&lex, &e) == 0)
		lexicon = lex;
	else
		printf("# no lexicon: %s\n", e.msg);
	compile_cases();
	eval_cases();
	if (tap_selected(4700)) t4700();
	if (tap_selected(4701)) t4701();
	if (tap_selected(4702)) t4702();
	if (tap_selected(4703)) t4703();
	if (tap_selected(4704)) t4704();
	if (tap_selected(4705)) t4705();
	if (tap_selected(4706)) t4706();
	if (tap_selected(4707)) t4707();
	if (tap_selected(4708)) t4708();
	if (tap_selected(4709)) t4709();
	if (tap_selected(4870)) t4870();
	sentiment_free(lex);
	return tap_done();
}
