/* replay.c -- main() for any fuzz target built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once over each file named on the command line,
 * to replay a crash under a debugger or a plain sanitizer build.  Linked
 * in place of libFuzzer's main, e.g.
 *
 *   cc -g -fsanitize=address,undefined -I. -I.. fuzz/fuzz-conf.c \
 *       fuzz/replay.c rules/conf.c ... -o replay-conf
 *   ./replay-conf crash-0123abcd */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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
		(void)fclose(f);	/* read-only: nothing to lose */
		(void)LLVMFuzzerTestOneInput((const uint8_t *)buf, (size_t)n);
		free(buf);
	}
	return 0;
}
