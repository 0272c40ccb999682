/* bench-rules.c -- the driver of bench/rules: compiles N rules (default
 * 100) of the kinds a team writes -- phrases, lists of phrases, regular
 * expressions, numbers, names, and/or/not -- and runs them over M
 * generated messages (default 100,000), timing rules_eval alone (the
 * messages are made first), and prints rule evaluations per second.
 * Deterministic: the same rules and messages every run.  Built by make
 * (noinst), run by bench/rules. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "rules/conf.h"
#include "rules/rules.h"

static unsigned long seed = 42;

static unsigned long
rnd(unsigned long n)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (seed >> 33) % n;
}

static const char *words[] = {
	"the", "a", "my", "your", "account", "invoice", "refund", "charged", "twice",
	"login", "password", "reset", "broken", "error", "500", "outage", "down",
	"still", "waiting", "please", "help", "thanks", "great", "terrible", "slow",
	"export", "csv", "dashboard", "api", "webhook", "billing", "cancel",
	"subscription", "manager", "supervisor", "speak", "to", "urgent", "asap",
	"again", "not", "working", "since", "yesterday", "customer", "order",
	"delivery", "late", "missing", "damaged", "Rückerstattung", "Rechnung",
	"facture", "remboursement", "love", "awesome", "scam", "lawyer",
	"complaint", "formal", "unacceptable", "disappointed", "today", "now",
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))

static const char *
word(void)
{
	return words[rnd(NWORDS)];
}

/* The i-th rule, of ten kinds. */
static void
rule(struct buf *b, int i)
{
	(void)buf_printf(b, NULL, "rule \"r%d\" { when ", i);
	switch (i % 10) {
	case 0:
	case 1:
	case 2:
		(void)buf_printf(b, NULL, "text has any (\"%s\", \"%s\", \"%s %s\")", word(),
		    word(), word(), word());
		break;
	case 3:
		(void)buf_printf(b, NULL, "text has \"%s %s\" and not resolved", word(), word());
		break;
	case 4:
		(void)buf_printf(b, NULL, "public and sentiment <= -0.%lu and reach >= %lu",
		    rnd(9) + 1, rnd(100000));
		break;
	case 5:
		(void)buf_printf(b, NULL, "text ~ \"(%s|%s) (%s|%s)\"", word(), word(), word(),
		    word());
		break;
	case 6:
		(void)buf_printf(b, NULL, "subject has \"%s\" or from has \"%s\"", word(), word());
		break;
	case 7:
		(void)buf_printf(b, NULL, "exchanges >= %lu and tier < 3 and (priority >= high "
		    "or age > 4h)", rnd(5) + 1);
		break;
	case 8:
		(void)buf_printf(b, NULL, "channel %s and not kind mastodon and private",
		    rnd(2) ? "support" : "billing");
		break;
	default:
		(void)buf_printf(b, NULL, "asks-escalation or tag \"vip\" or (text has all "
		    "(\"%s\", \"%s\") and sentiment < 0)", word(), word());
		break;
	}
	(void)buf_printf(b, NULL, " then tag \"t%d\"%s }\n", i % 20,
	    i % 10 == 4 ? ", priority urgent" : i % 10 == 7 ? ", tier +1" : "");
}

struct msg {
	char	*text, *subject, *from;
	int	 public;
	long	 reach;
	double	 sentiment;
};

static char *
sentence(int n)
{
	struct buf b = BUF_INIT(1 << 20);
	int i;

	for (i = 0; i < n; i++)
		(void)buf_printf(&b, NULL, "%s%s%s", i ? " " : "", word(),
		    rnd(8) == 0 ? "," : rnd(12) == 0 ? "." : "");
	return buf_detach(&b, NULL);
}

int
main(int argc, char **argv)
{
	long nrules = argc > 1 ? atol(argv[1]) : 100, nmsgs = argc > 2 ? atol(argv[2]) : 100000;
	struct buf text = BUF_INIT(16 << 20);
	struct err e = ERR_INIT;
	struct conf *conf;
	struct rules_run run;
	struct rules_msg m;
	struct rules_ticket t;
	struct msg *msgs;
	struct timespec a, b;
	char from[64];
	double secs;
	long i, evals = 0, hits = 0;

	if (nrules <= 0 || nmsgs <= 0) {
		fprintf(stderr, "usage: bench-rules [RULES [MESSAGES]]\n");
		return 64;
	}
	for (i = 0; i < nrules; i++)
		rule(&text, (int)i);
	if (conf_load_mem("bench.conf", text.buf, text.len, CONF_NO_FILES, &conf, stderr, &e) == -1) {
		fprintf(stderr, "bench-rules: %s\n", e.msg);
		return 70;
	}
	if ((msgs = calloc((size_t)nmsgs, sizeof(*msgs))) == NULL)
		return 71;
	for (i = 0; i < nmsgs; i++) {
		msgs[i].text = sentence(15 + (int)rnd(40));
		msgs[i].subject = sentence(2 + (int)rnd(5));
		(void)snprintf(from, sizeof(from), "%s@%s.example", word(), word());
		msgs[i].from = strdup(from);
		msgs[i].public = rnd(4) == 0;
		msgs[i].reach = msgs[i].public ? (long)rnd(200000) : -1;
		msgs[i].sentiment = (double)rnd(2001) / 1000 - 1;
	}

	rules_run_init(&run);
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < nmsgs; i++) {
		memset(&m, 0, sizeof(m));
		m.text = msgs[i].text;
		m.subject = msgs[i].subject;
		m.from_addr = msgs[i].from;
		m.from_name = "";
		m.channel = i % 3 ? "support" : "billing";
		m.kind = i % 5 ? "imap" : "mastodon";
		m.public = msgs[i].public;
		m.reach = msgs[i].reach;
		m.scored = 1;
		m.sentiment = msgs[i].sentiment;
		m.asks_escalation = i % 50 == 0 ? "speak to a manager" : NULL;
		m.age = (time_t)(i % 86400);
		memset(&t, 0, sizeof(t));
		t.status = STATUS_OPEN;
		t.priority = i % 4;
		t.tier = 1;
		t.exchanges = (int)(i % 6);
		if (rules_eval(conf->compiled, &m, &t, &run, &e) == -1) {
			fprintf(stderr, "bench-rules: %s\n", e.msg);
			return 70;
		}
		evals += (long)run.evaluated;
		hits += (long)run.hits_count;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%ld rules x %ld messages: %ld rule evaluations (%ld matched) in %.3f s\n",
	    nrules, nmsgs, evals, hits, secs);
	printf("%.0f rule evaluations/s, %.0f messages/s\n", (double)evals / secs,
	    (double)nmsgs / secs);

	rules_run_release(&run);
	for (i = 0; i < nmsgs; i++) {
		free(msgs[i].text);
		free(msgs[i].subject);
		free(msgs[i].from);
	}
	free(msgs);
	conf_free(conf);
	buf_release(&text);
	return 0;
}
