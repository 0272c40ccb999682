/* html.h -- HTML to readable plain text with libxml2's HTML parser:
 * paragraphs and line breaks kept, lists as "- item", links as
 * "text <url>", script, style and head dropped, entities decoded,
 * whitespace collapsed.  No network access, no external entities. */
#ifndef ESC_HTML_H
#define ESC_HTML_H

#include <stddef.h>

struct buf;
struct err;

/* Appends the text of html (UTF-8 or with a declared charset) to out.
 * Returns 0, or -1 when out's ceiling is reached (what fit is kept). */
int	html_to_text(const char *html, size_t len, struct buf *out, struct err *e);

#endif
