/* thread.h -- which ticket a message belongs to.
 *
 * In order of trust: the [#N] tag escalator puts in its own subjects; the
 * message's own Message-ID already referenced by a stored message (its
 * reply arrived first); its In-Reply-To and References; and last a
 * conservative subject fallback (same customer, same subject without
 * reply prefixes, within THREAD_SUBJECT_WINDOW). */
#ifndef ESC_THREAD_H
#define ESC_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct err;
struct message;
struct store;

#define THREAD_SUBJECT_WINDOW	(7 * 86400)

/* The ticket number in a "[#1234]" tag of subject, or 0 if none. */
int64_t	thread_subject_tag(const char *subject);
/* The subject with reply/forward prefixes (Re:, Fwd:, AW:, SV:, Antw:, ...,
 * also "Re[2]:"), [list] tags and our [#N] tag removed, whitespace
 * collapsed, lowercased ASCII, into out.  *replyish is set when a prefix was
 * stripped.  Returns out. */
char	*thread_subject_key(const char *subject, char *out, size_t len,
	    int *replyish /* OUT, may be NULL */);

/* How a thread was found, for the event log. */
enum thread_how { THREAD_NEW = 0, THREAD_TAG, THREAD_CHILD, THREAD_REFS, THREAD_SUBJECT };
const char *thread_how_name(int);

/* Finds the ticket of m, whose customer (the other party) is customer.
 * Returns 1 with *ticket and *how set, 0 when m starts a new thread, -1 on
 * a store error. */
int	thread_find(struct store *, const struct message *m, const char *customer,
	    int64_t *ticket /* OUT */, int *how /* OUT */, struct err *);

#endif
