/* fuzz-date.c -- libFuzzer target for date_parse (intake/date.c): the
 * input, cut at its first NUL, as a Date: header value or a feed's date.
 * Not built by default; from a configured tree built with clang (see
 * fuzz-mime.c):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. -o fuzz-date \
 *       fuzz/fuzz-date.c libescalator.a
 *   ./fuzz-date -max_len=256 -timeout=5 -dict=fuzz/date.dict CORPUS
 *
 * fuzz/replay.c in place of -fsanitize=fuzzer replays a crash without
 * libFuzzer. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intake/date.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	time_t t;

	/* A copy of exactly size bytes, so a read past the terminator is
	 * one past the allocation and AddressSanitizer sees it. */
	if ((s = strndup((const char *)data, size)) == NULL)
		return 0;
	(void)date_parse(s, &t);
	free(s);
	return 0;
}
