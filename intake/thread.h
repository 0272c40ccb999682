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
struct ticket;

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
 * a store error.  *looked: how many of m's ids it looked up, its own
 * Message-ID first, then its references newest first; all were absent
 * but the last when how is THREAD_CHILD or THREAD_REFS (for thread_link). */
int	thread_find(struct store *, const struct message *m, const char *customer,
	    int64_t *ticket /* OUT */, int *how /* OUT */, size_t *looked /* OUT */,
	    struct err *);

/* Records that every id of m (its Message-ID, References, In-Reply-To)
 * belongs to ticket t, as stored.  When some already belong to other
 * tickets, m links them: they are merged into the oldest or marked
 * related (the rule is atop thread.c), and t is then the ticket m joins
 * (the survivor, if t was merged).  looked and hit: what thread_find
 * looked up (hit: 1 when it found t by the last of them), so that no id
 * is looked up twice.  Inside the caller's transaction. */
#define THREAD_LINKS_MAX	16	/* other tickets one message links */
int	thread_link(struct store *, const struct message *m, struct ticket *t,
	    size_t looked, int hit, struct err *);

#endif
