/* charset.h -- text in any declared charset to UTF-8 with iconv.
 *
 * Charset names are cleaned and aliased the way mailers misuse them
 * (unknown-8bit, x-user-defined, "utf8", koi8_r, win-1251, latin-2,
 * x-mac-cyrillic, windows-1252 for latin1 mail carrying 0x80-0x9f).
 * Invalid sequences become U+FFFD, never a failure. */
#ifndef ESC_CHARSET_H
#define ESC_CHARSET_H

#include <stddef.h>

struct buf;

enum charset_result {
	CHARSET_OK = 0,
	CHARSET_LOSSY,		/* some bytes replaced by U+FFFD */
	CHARSET_UNKNOWN,	/* charset unknown: decoded as UTF-8 or cp1252 guess */
	CHARSET_AS_UTF8,	/* a 7-bit charset's text with 8-bit bytes that
				 * validate as UTF-8: read as UTF-8 */
	CHARSET_AS_EUC_JP,	/* "ISO-2022-JP" in 8 bits: read as EUC-JP */
	CHARSET_AS_SJIS		/* "ISO-2022-JP" in 8 bits: read as Shift_JIS */
};

/* Appends in (len bytes in charset, NULL meaning us-ascii/utf-8) to out as
 * UTF-8.  Returns an enum charset_result, or -1 when out's ceiling is hit. */
int	charset_to_utf8(const char *charset, const char *in, size_t len,
	    struct buf *out);
/* What a CHARSET_AS_* result read the text as ("UTF-8", "EUC-JP",
 * "Shift_JIS"), for the warning; NULL for the other results. */
const char	*charset_read_as(int result);
/* Appends the valid UTF-8 of s, invalid bytes replaced by U+FFFD; returns
 * the number of replacements, or -1 at the ceiling. */
long	utf8_sanitize(const char *s, size_t len, struct buf *out);

#endif
