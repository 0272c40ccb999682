/* fuzz-html.c -- libFuzzer target for html_to_text (intake/html.c): any
 * bytes in as an HTML mail body, text out into a buffer with the MIME
 * layer's ceiling, everything freed.  Not built by default; from a
 * configured tree built with clang (see fuzz-mime.c):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. -o fuzz-html \
 *       fuzz/fuzz-html.c libescalator.a -lxml2
 *   ./fuzz-html -max_len=65536 -timeout=5 -dict=fuzz/html.dict CORPUS \
 *       tests/data
 *
 * (tests/data seeds it with its *.html files and HTML mail; -max_len=8388608
 * -rss_limit_mb=512 checks what very long bodies cost.)  fuzz/replay.c in
 * place of -fsanitize=fuzzer replays a crash without libFuzzer. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "intake/html.h"
#include "intake/mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT(MIME_TEXT_MAX);
	struct err e = ERR_INIT;

	/* -1 only at the ceiling, with what fit kept: a fine answer. */
	(void)html_to_text((const char *)data, size, &out, &e);
	buf_release(&out);
	return 0;
}
