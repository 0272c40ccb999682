/* fuzz-rules.c -- libFuzzer target for the rule compiler and evaluator:
 * the input becomes the body of one rule (`rule "f" { when INPUT }`, so
 * the input holds the condition, 'then' and the actions), is compiled by
 * conf_load_mem, and when it compiles it runs over the input itself as the
 * message's text, subject and sender, and every match is explained.
 * An authority (`route-by-authority refund`) is defined, so the input's
 * money amounts (rules/amount.c) are read when a rule asks for them.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. \
 *       fuzz/fuzz-rules.c rules/conf.c rules/parse.c rules/eval.c \
 *       rules/amount.c common/arena.c common/buf.c common/err.c common/model.c -o fuzz-rules
 *   ./fuzz-rules -max_total_time=60 -dict=fuzz/rules.dict
 *
 * (-I. for config.h from a configured build directory.)  With
 * fuzz/replay.c in place of -fsanitize=fuzzer it runs the files named on
 * the command line instead. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "rules/conf.h"
#include "rules/rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *diag;
	struct err e = ERR_INIT;
	struct conf *c = NULL;
	struct buf text = BUF_INIT(1 << 20), why = BUF_INIT(1 << 20);
	struct rules_run run;
	struct rules_msg m;
	struct rules_ticket t;
	char *s;
	size_t i;

	if (diag == NULL && (diag = fopen("/dev/null", "w")) == NULL)
		abort();
	if (size > 64 * 1024)
		return 0;
	if (buf_addstr(&text, "department billing { head \"f@example.com\" }\n"
	    "tier 1 { owner \"t1@example.com\" first-response 1h }\n"
	    "tier 2 { owner \"t2@example.com\" first-response 1h }\n"
	    "authority refund { tier 1 up-to 50 EUR  tier 2 any }\n"
	    "rule \"f\" { when ", NULL) == -1 || buf_add(&text, data, size, NULL) == -1 ||
	    buf_addstr(&text, "\n}\n", NULL) == -1)
		goto out;
	if (conf_load_mem("fuzz.conf", text.buf, text.len, CONF_NO_FILES, &c, diag, &e) == -1)
		goto out;
	if ((s = strndup((const char *)data, size)) == NULL)
		goto out;
	memset(&m, 0, sizeof(m));
	memset(&t, 0, sizeof(t));
	m.text = m.subject = m.from_addr = m.from_name = s;
	m.channel = "support";
	m.kind = "imap";
	m.reach = (long)size;
	m.scored = 1;
	m.sentiment = size % 2 ? -0.5 : 0.5;
	t.status = STATUS_OPEN;
	t.priority = PRIO_NORMAL;
	t.tier = 1;
	rules_run_init(&run);
	if (rules_eval(c->compiled, &m, &t, &run, &e) == 0)
		for (i = 0; i < run.hits_count; i++)
			(void)rules_explain(c->compiled, &run, i, &why, &e);
	rules_run_release(&run);
	free(s);
out:
	conf_free(c);
	buf_release(&text);
	buf_release(&why);
	return 0;
}
