/* fuzz-trim.c -- libFuzzer target for trim_for_scoring (intake/trim.c):
 * the input, cut at its first NUL, as a message body whose quoted reply
 * and signature are cut off, in an arena with a message's ceiling.  Not
 * built by default; from a configured tree built with clang (see
 * fuzz-mime.c):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. -o fuzz-trim \
 *       fuzz/fuzz-trim.c libescalator.a
 *   ./fuzz-trim -max_len=65536 -timeout=5 -dict=fuzz/trim.dict CORPUS
 *
 * fuzz/replay.c in place of -fsanitize=fuzzer replays a crash without
 * libFuzzer. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "intake/message.h"
#include "intake/trim.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT(MESSAGE_ARENA_MAX);
	char *s;

	if ((s = strndup((const char *)data, size)) == NULL)
		return 0;
	/* NULL only when the arena is exhausted.  Both ways: a reply's and
	 * a fresh mail's (which looks into a bare forward). */
	(void)trim_for_scoring(&a, s, 0);
	(void)trim_for_scoring(&a, s, 1);
	arena_release(&a);
	free(s);
	return 0;
}
