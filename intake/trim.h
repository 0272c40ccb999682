/* trim.h -- the text used for scoring: the full body without quoted
 * replies ("> " lines, "On ... wrote:" and "-----Original Message-----"
 * blocks, Outlook "From: ... Sent: ..." headers in many languages) and
 * without the signature ("-- " and common sign-off blocks).  The full text
 * is kept elsewhere; this only decides what the customer wrote now, or,
 * in a bare forward, what they want us to read. */
#ifndef ESC_TRIM_H
#define ESC_TRIM_H

#include <stddef.h>

struct arena;

/* Returns the trimmed copy of text, allocated in a; "" if nothing is left
 * of it, NULL only when the arena is exhausted.  With forwards set, a
 * text with no words of its own above a forwarded or original message
 * has that message scored; the caller clears it for a reply (one with
 * In-Reply-To), whose original message is most likely our own. */
char	*trim_for_scoring(struct arena *a, const char *text, int forwards);

#endif
