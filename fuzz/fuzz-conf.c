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
 * -DFUZZ_MAIN it builds without libFuzzer and runs the files named on the
 * command line, to replay a crash under a debugger. */
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

#ifdef FUZZ_MAIN
int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		char *buf;
		long n;

		if (f == NULL || fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) == -1 || (buf = malloc((size_t)n + 1)) == NULL) {
			perror(argv[i]);
			return 1;
		}
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		(void)LLVMFuzzerTestOneInput((const uint8_t *)buf, (size_t)n);
		free(buf);
	}
	return 0;
}
#endif
