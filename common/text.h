/* text.h -- UTF-8 text made safe to show: one-line values for headers and
 * summaries, and multi-line bodies, from bytes that came from outside.
 * Used by the notification writer (rules/notify.c) and the MIME composer
 * (connectors/smtp_compose.c); pure, no I/O. */
#ifndef ESC_TEXT_H
#define ESC_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;

/* Decodes the character at s (n bytes left, n > 0): its length and *cp,
 * or 0 for an invalid sequence (overlong, surrogate, past U+10FFFF, cut). */
size_t	utf8_decode(const unsigned char *s, size_t n, uint32_t *cp /* OUT */);

/* Appends s on one line: controls (C0, DEL, C1, U+2028/9, and CR, LF,
 * tab) become spaces, runs of spaces one, leading and trailing spaces
 * go, bidirectional embeddings, overrides and isolates (U+202A-E,
 * U+2066-9) go, invalid bytes become U+FFFD; cut at max bytes on a character
 * boundary with "..." appended.  NULL appends nothing. */
int	text_oneline(struct buf *, const char *s, size_t max, struct err *);
/* Appends s keeping its lines (LF; CR LF and lone CR become LF): other
 * controls but tab and the bidirectional ones removed, invalid bytes U+FFFD, at most max_lines lines
 * and max bytes, then a line "[...]".  Trailing blank lines go. */
int	text_lines(struct buf *, const char *s, size_t max, size_t max_lines,
	    struct err *);

/* Appends s as text_oneline does, then escaped for HTML and XML text and
 * attribute values (< > & " ').  NULL appends nothing. */
int	text_html(struct buf *, const char *s, size_t max, struct err *);
/* Appends s escaped as text_html does, and nothing else: for text that is
 * ours, or cleaned by the functions above already (lines kept). */
int	text_html_escape(struct buf *, const char *s, struct err *);

/* Appends s escaped as text_html_escape does, with the spaces inside a
 * duration ("24 h", "3 days 4 h", "2 h 5 min") as &nbsp;, so a browser
 * does not split it across lines either. */
int	text_html_words(struct buf *, const char *s, struct err *);

/* Appends s, one line of words (as text_oneline makes), wrapped at width
 * columns: the first line starts at column col, the others after indent
 * spaces.  A word longer than a line is kept whole, and so is a duration
 * ("24 h", "3 days 4 h", "2 h 5 min"): it moves to the next line whole.
 * NULL appends nothing. */
int	text_wrap(struct buf *, const char *s, size_t col, size_t width, size_t indent,
	    struct err *);

#endif
