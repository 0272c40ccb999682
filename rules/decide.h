/* decide.h -- everything rules/ decides about one message threaded into a
 * ticket, in one pure function: the ticket's status and counters
 * (policy.c), and for a customer message its sentiment and any request to
 * escalate (sentiment.c), the default channel-aware priority (policy.c),
 * the configured rules (eval.c) and the default escalation.  The result is
 * applied to the ticket and listed as the events that explain it; intake/
 * records them and queues the notification.  No I/O, no clock.
 *
 * Order, and who wins:
 *   1. status and counters (policy_ticket_message);
 *   2. the message is scored; an "assessed" event records the score, the
 *      words that drove it, the request to escalate, the urgency;
 *   3. only for the newest customer message of the thread (a late one
 *      never undoes what newer ones decided): the priority becomes the
 *      default of this message -- recomputed from the latest customer
 *      message, so a team reply never lowers it;
 *   4. the rules, in file order; each match is a "rule-matched" event with
 *      the values that made it true, each change an event of its own;
 *   5. the default escalation: a customer asking to escalate moves the
 *      ticket one tier up -- unless a rule moved the tier already, or the
 *      customer asked before on this ticket (tag "escalation-requested");
 *   6. a "priority" event when the priority changed, saying by what
 *      (not for the default of the message that opened the ticket: its
 *      "assessed" event says that). */
#ifndef ESC_DECIDE_H
#define ESC_DECIDE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/buf.h"
#include "rules/policy.h"
#include "rules/rules.h"
#include "rules/sentiment.h"

struct err;
struct message;
struct ticket;

#define DECIDE_ASKED_TAG	"escalation-requested"
#define DECIDE_ASKED_REASON	"customer asked to escalate"

struct decide_in {
	const struct message	*m;
	const char		*channel;	/* name */
	const char		*kind;		/* imap, mastodon, ..., mbox */
	const struct sentiment	*lexicon;	/* NULL: sentiment is off */
	const struct rules	*rules;		/* NULL: no rules */
	/* A replay (rules/replay.c) decides again over stored messages:
	 * prescored takes m->sentiment as the score instead of scoring with
	 * lexicon (message.sentiment; the detector of requests to escalate
	 * still reads the text given), and decisions_only builds none of
	 * the events that explain the decisions (d->events stays empty:
	 * nobody records them); the decisions and notify_to are the same. */
	int			 prescored;
	int			 decisions_only;
	/* The customer is known not to ask to escalate on this ticket (a
	 * replay: intake found no request): the detector is not run. */
	int			 no_asks;
};

/* One event to record: kind and a JSON object; log is a key=value
 * fragment ("event=escalated tier=1->2 reason=\"...\"") for the events a
 * user may ask about, else NULL. */
struct decide_event {
	const char	*kind;		/* static */
	char		*detail;	/* malloc'd */
	char		*log;		/* malloc'd or NULL */
};

struct decide {
	/* OUT, after decide_message */
	int			 customer;	/* a customer message: scored, decided */
	int			 reopened;	/* reopened a resolved or closed ticket */
	int			 ignored;	/* a rule said ignore */
	int			 scored;
	struct sentiment_result	 sentiment;
	const char		*asks;		/* the phrasing, or NULL */
	struct policy_urgency	 urgency;
	struct decide_event	*events;
	size_t			 events_count;
	struct buf		 notify_to;	/* "a@x, b@y"; empty: none */
	struct buf		 notify_why;	/* the rules that asked, one a line */

	/* private */
	size_t			 events_cap;
	int			 decisions_only;	/* from decide_in */
	struct rules_run	 run;
	char			*tags;		/* scratch: the ticket's tags split */
};

void	decide_init(struct decide *);		/* cannot fail */
void	decide_release(struct decide *);	/* NULL-safe */
/* Ready for the next message: the results emptied, the scratch (rules
 * run, buffers) kept, so deciding message after message allocates little. */
void	decide_reset(struct decide *);

/* Applies m to t (m already threaded into t; t->messages counts the
 * messages before m, so 0 means m opens t) and fills d.  Sets m's scored
 * and sentiment for the store.  Returns 0, or -1 out of memory. */
int	decide_message(struct decide *d, const struct decide_in *in,
	    struct ticket *t, struct message *m, struct err *);

/* What the notification d asks for says: its subject ("[#12] urgent: "
 * and the customer's subject on one line; connectors/smtp_compose.c
 * cleans and encodes it) and its plain-text body, appended to subject and
 * text; its Message-ID without <>, "escalator-notify-TICKET-MSGROW@domain"
 * (domain NULL: localhost), into msgid -- stable, so a decision never
 * queues two mails.  Appends nothing when d asks for no notification.
 * Returns 0, or -1 out of memory. */
int	decide_notification(const struct decide *d, const struct ticket *t,
	    const struct message *m, int64_t msgrow, const char *domain,
	    struct buf *subject, struct buf *text, char *msgid, size_t msgid_len,
	    struct err *);

#endif
