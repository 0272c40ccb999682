/* fuzz-conf.c -- libFuzzer target for the configuration parser: parse the
 * input as a configuration file, then free it.  CONF_NO_FILES keeps the
 * parser off the file system (no include, no secret or time zone checks),
 * so a run depends on the input alone.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. \
 *       fuzz/fuzz-conf.c rules/conf.c rules/parse.c rules/eval.c \
 *       rules/amount.c common/arena.c common/buf.c common/err.c common/model.c -o fuzz-conf
 *   ./fuzz-conf -max_total_time=60 -dict=fuzz/conf.dict tests/data
 *
 * (-I. for config.h from a configured build directory.)  With
 * fuzz/replay.c in place of -fsanitize=fuzzer it builds without libFuzzer
 * and runs the files named on the command line, to replay a crash under a
 * debugger. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/err.h"
#include "rules/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *diag;	/* the messages, quoted lines and carets too */
	struct err e = ERR_INIT;
	struct conf *c = NULL;

	if (diag == NULL && (diag = fopen("/dev/null", "w")) == NULL)
		abort();
	if (conf_load_mem("fuzz.conf", (const char *)data, size, CONF_NO_FILES,
	    &c, diag, &e) == 0)
		conf_free(c);
	return 0;
}
