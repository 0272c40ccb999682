/* fuzz-charset.c -- libFuzzer target for intake/charset.c: the input's
 * first line (at most 64 bytes) is the declared charset name, as a
 * sender writes it, the rest the text; it is converted to UTF-8 with the
 * MIME layer's ceiling, and sanitized as UTF-8 too.  Not built by default;
 * from a configured tree built with clang (see fuzz-mime.c):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. \
 *       -o fuzz-charset fuzz/fuzz-charset.c libescalator.a
 *   ./fuzz-charset -max_len=65536 -timeout=5 -dict=fuzz/charset.dict CORPUS
 *
 * fuzz/replay.c in place of -fsanitize=fuzzer replays a crash without
 * libFuzzer. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "intake/charset.h"
#include "intake/mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT(MIME_TEXT_MAX);
	const uint8_t *nl;
	char *name = NULL;
	size_t n = 0;

	if ((nl = memchr(data, '\n', size < 65 ? size : 65)) != NULL) {
		n = (size_t)(nl - data);
		if ((name = strndup((const char *)data, n)) == NULL)
			return 0;
		n++;
	}
	/* Result codes, or -1 at the ceiling: all fine answers here. */
	(void)charset_to_utf8(name, (const char *)data + n, size - n, &out);
	buf_reset(&out);
	(void)utf8_sanitize((const char *)data, size, &out);
	(void)charset_read_as(size > 0 ? data[0] % 8 : 0);
	buf_release(&out);
	free(name);
	return 0;
}
