/* fuzz-mime.c -- libFuzzer target for mime_parse: any bytes in, a parsed
 * message or an ERR_DATA error out, everything freed.  Not built by
 * default; from a configured tree built with clang:
 *
 *   ./configure CC=clang CFLAGS='-g -O1 -fsanitize=fuzzer-no-link,address,undefined'
 *   make libescalator.a
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -o fuzz-mime \
 *       fuzz/fuzz-mime.c libescalator.a -letpan -lxml2 -lgnutls
 *   ./fuzz-mime -max_len=65536 -timeout=5 CORPUS tests/data
 *
 * (CORPUS is an empty directory for new inputs; tests/data seeds it.)
 * Each crash it finds becomes a tests/data/2NNN-*.eml case; fuzz/replay.c
 * in place of -fsanitize=fuzzer replays one without libFuzzer. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "intake/message.h"
#include "intake/mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message m;
	struct err e = ERR_INIT;

	message_init(&m);
	/* -1 only for "not mail", which is a fine answer to random bytes. */
	(void)mime_parse(&m, (const char *)data, size, 1700000000, &e);
	message_release(&m);
	return 0;
}
