/* utf8.h -- the one UTF-8 encoder: a code point to its bytes.  Used by
 * charset conversion, rule text folding and the sentiment tokenizer. */
#ifndef ESC_UTF8_H
#define ESC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes the UTF-8 bytes of code point c (at most 0x10FFFF) to out, which
 * has room for 4; returns how many were written. */
static inline size_t
utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

#endif
