/* fuzz-sentiment.c -- libFuzzer target for sentiment_score and
 * sentiment_asks_escalation (rules/sentiment.c), whose tokenizer reads
 * eight bytes at a time: the input is copied to an allocation of exactly
 * its size, so a read past the end is one AddressSanitizer sees.  The
 * real lexicon is loaded once from $ESCALATOR_LEXICON (or PKGDATADIR).
 * Not built by default; from a configured tree built with clang (see
 * fuzz-mime.c):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. \
 *       -o fuzz-sentiment fuzz/fuzz-sentiment.c libescalator.a
 *   ESCALATOR_LEXICON=data/lexicon.tsv ./fuzz-sentiment -max_len=65536 \
 *       -timeout=5 -dict=fuzz/sentiment.dict CORPUS
 *
 * fuzz/replay.c in place of -fsanitize=fuzzer replays a crash without
 * libFuzzer. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "rules/sentiment.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sentiment *lex;
	struct sentiment_result r;
	struct err e = ERR_INIT;
	const char *label;
	char *s;

	if (lex == NULL && sentiment_load_default(&lex, &e) == -1) {
		fprintf(stderr, "fuzz-sentiment: %s\n", e.msg);
		abort();
	}
	/* malloc(0) may return NULL: score an empty text from a 1-byte copy. */
	if ((s = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(s, data, size);
	sentiment_score(lex, s, size, &r);
	(void)sentiment_asks_escalation(s, size, &label);
	free(s);
	return 0;
}
