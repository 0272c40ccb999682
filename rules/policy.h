/* policy.h -- the default decisions made for every ticket before any
 * configured rule runs: the tier and priority a new ticket starts at, and
 * what a new message does to a ticket's status.  Pure functions over the
 * model: no I/O, so they are easy to test and to explain. */
#ifndef ESC_POLICY_H
#define ESC_POLICY_H

struct message;
struct ticket;

/* Fills the starting state of a ticket opened by m. */
void	policy_ticket_open(struct ticket *t, const struct message *m);
/* Applies m (already threaded into t) to t's status and counters; returns
 * 1 when this reopens a resolved or closed ticket, else 0. */
int	policy_ticket_message(struct ticket *t, const struct message *m);

/* The default, channel-aware priority of a customer message, when no rule
 * decides (README.md, "Default policy", has the table):
 *
 *   negativity  n = max(0, -sentiment)           0 .. 1; 0 when not scored
 *   visibility  v = 1.5 public, 1.0 private
 *   reach       r = 0.2 * log10(followers) for a public post with at least
 *                   10 followers, at most 1.6; else 0
 *   urgency     u = n * (v + r)
 *   priority    urgent u >= 1.2, high u >= 0.5, low when sentiment >= 0.5
 *               (thanks, praise), else normal
 *
 * So a public negative post always has a higher urgency than a private
 * message of the same sentiment (1.5n > n), stronger negativity and a
 * larger reach raise it, and the queue, sorted by priority and then
 * urgency, puts the post above the mail. */
#define POLICY_PUBLIC		1.5
#define POLICY_PRIVATE		1.0
#define POLICY_REACH_WEIGHT	0.2
#define POLICY_REACH_MAX	1.6
#define POLICY_URGENT		1.2
#define POLICY_HIGH		0.5
#define POLICY_LOW_SENTIMENT	0.5

struct policy_urgency {
	double	negativity, visibility, reach;	/* the terms above */
	double	urgency;
	int	priority;		/* enum priority */
};

/* scored: 0 when there is no lexicon (sentiment is then ignored); reach:
 * -1 when unknown. */
void	policy_urgency(double sentiment, int scored, int public, long reach,
	    struct policy_urgency *out /* OUT */);

#endif
