/* replay.h -- what a candidate configuration would have decided over
 * stored history, against what the deployed one decides over the same
 * history: the simulation and the diff behind `escalator replay`.  Pure:
 * no I/O, no clock; the caller reads the store (store_replay) and loads
 * the calendars' zones, then hands tickets over one at a time.
 *
 * Both configurations replay the same messages the same way, so manual
 * actions and quirks of the stored history (messages imported out of
 * order, a configuration changed halfway) never show up as differences:
 *
 *   - each ticket starts fresh (policy_ticket_open on its oldest message)
 *     and takes its messages oldest first through decide_message, with
 *     the sentiment stored for each message (no re-scoring) and without
 *     the events that would explain the decisions;
 *   - its SLA clocks are computed as a sweep at `now` computes them
 *     (rules/sla.c), with the tier and priority the ticket ends with under
 *     each configuration, from its messages (customer in, team out), its
 *     stored events (answered-flag, pending, resolved, closed, reopened,
 *     assigned, acknowledged) and the escalations each configuration
 *     made; every next-response cycle is counted, not only the last;
 *   - a breach is a clock that missed its deadline or still runs past it
 *     at `now`; "gained" breaches are the candidate's that the baseline
 *     does not have, "avoided" the reverse, by clock kind;
 *   - notifications: a decision whose rules say notify is one mail (as
 *     intake queues it); each warning and breach is one mail to the tier
 *     owner when the configuration has an smtp block (as the sweep sends);
 *   - a change of priority, tier or department is put down to the rule
 *     that set the candidate's final value, else to the baseline rule
 *     that set the baseline's (a rule removed or no longer matching),
 *     else to the default policy; "top rules" count the tickets each of
 *     those rules changed.
 *
 * A request to escalate is looked for again only in the tickets where
 * intake found one (tagged DECIDE_ASKED_TAG): the detector is the same
 * under both configurations, so this is a stored fact like the
 * sentiment, and the texts of the other tickets need not be read unless
 * a rule reads them (replay_text).
 *
 * Not simulated: the sweep's escalation after a resolution breach, and
 * manual escalations and assignments (both configurations see the same
 * stored "assigned" events). */
#ifndef ESC_REPLAY_H
#define ESC_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/model.h"
#include "intake/message.h"
#include "rules/decide.h"
#include "rules/sla.h"

struct conf;
struct err;

enum replay_side { REPLAY_BASELINE = 0, REPLAY_CANDIDATE = 1, REPLAY_SIDES = 2 };
enum replay_what { REPLAY_PRIORITY = 0, REPLAY_TIER, REPLAY_DEPARTMENT, REPLAY_WHATS };

/* One configuration: conf NULL is none (no rules, no tiers, no SLA).
 * cal[n] is tier n's calendar ready for arithmetic (NULL: round the clock
 * or no tier n); borrowed, like conf, until replay_release. */
struct replay_config {
	const struct conf		*conf;
	const struct sla_calendar	*cal[TIER_MAX + 1];
};

/* A stored message, as the replay reads it; strings borrowed. */
struct replay_msg {
	time_t		 date;
	int		 direction, public, automatic;
	long		 reach;		/* -1 unknown */
	int		 scored;	/* 0: stored without a sentiment */
	double		 sentiment;
	const char	*channel, *kind;
	const char	*subject, *from_addr, *from_name;
	const char	*text;		/* NULL: not read (see replay_text) */
};

/* A stored ticket: what the store holds now, and its history. */
struct replay_ticket {
	int64_t			 id;
	int			 priority, tier;	/* stored */
	const char		*department;		/* stored; NULL none */
	int			 asked;		/* intake found a request to
						 * escalate (DECIDE_ASKED_TAG):
						 * only then is one looked for */
	const struct replay_msg	*msgs;		/* oldest first */
	size_t			 msgs_count;
	const struct sla_fact	*events;	/* replay_event_fact of each
						 * stored event, in order */
	size_t			 events_count;
};

/* The event kinds the clocks read, NULL-terminated, and the fact each is;
 * replay_event_fact returns -1 for another kind. */
extern const char *const replay_event_kinds[];
int	replay_event_fact(const char *kind);

#define REPLAY_EXAMPLES		5
#define REPLAY_NAME_MAX		64

/* One ticket that changed: from and to are priority names, tier numbers
 * or departments ("" for none). */
struct replay_example {
	int64_t		 ticket;
	char		 from[REPLAY_NAME_MAX], to[REPLAY_NAME_MAX];
	const char	*rule;		/* NULL: the default policy, or the channel */
	int		 side;		/* enum replay_side of the rule */
	int		 channel;	/* set where a channel starts its tickets */
};

/* A rule's effect over the replay. */
struct replay_rule {
	const char	*name;		/* borrowed from its configuration */
	int		 side;		/* whose rule */
	long		 tickets_changed;	/* changes put down to it */
	long		 matches;	/* messages it matched */
	long		 tickets;	/* tickets it matched */
};

struct replay_result {
	long		 tickets, messages;
	long		 decided[REPLAY_SIDES];	/* customer messages decided */
	long		 changed;		/* tickets with any change below */
	long		 changed_by[REPLAY_WHATS];
	struct replay_example examples[REPLAY_WHATS][REPLAY_EXAMPLES];
	size_t		 examples_count[REPLAY_WHATS];
	/* tickets whose replayed value differs from what the store holds:
	 * the baseline's count is history the rules do not explain (manual
	 * changes, another configuration then) */
	long		 stored_differs[REPLAY_SIDES][REPLAY_WHATS];
	long		 escalated[REPLAY_SIDES];	/* tickets moved up a tier */
	long		 breaches[REPLAY_SIDES][SLA_KINDS];
	long		 gained[SLA_KINDS], avoided[SLA_KINDS];
	long		 warnings[REPLAY_SIDES][SLA_KINDS];
	long		 tickets_breached[REPLAY_SIDES];
	long		 notify_rules[REPLAY_SIDES];	/* rule notify mails */
	long		 notify_gained, notify_lost;	/* new, or no longer sent */
	long		 notify_sla[REPLAY_SIDES];	/* warning and breach mails */
	long		 notify_sla_warnings[REPLAY_SIDES];
};

struct replay_side_state;

struct replay {
	struct replay_result	 res;		/* read-only to callers */

	/* private */
	time_t			 now;
	struct replay_side_state *side[REPLAY_SIDES];
	int			 cal_same[TIER_MAX + 1];
	struct message		 m;
	struct sla_fact		*base;		/* one ticket's shared facts */
	size_t			 base_count, base_cap;
};

/* Readies r for baseline and candidate, as of now.  Returns 0, or -1 out
 * of memory. */
int	replay_init(struct replay *r, const struct replay_config *baseline,
	    const struct replay_config *candidate, time_t now, struct err *);
void	replay_release(struct replay *);	/* NULL-safe on a zeroed struct */

/* Whether some rule of either configuration reads the text (a `has` or
 * `~` on text, an amount): then every message's text must be read; else
 * only the texts of the tickets tagged DECIDE_ASKED_TAG (see above). */
int	replay_text(const struct replay_config *baseline,
	    const struct replay_config *candidate);

/* Replays one ticket under both configurations and adds up the
 * differences.  Returns 0, or -1 out of memory. */
int	replay_ticket(struct replay *, const struct replay_ticket *, struct err *);

/* The rules with an effect, most tickets changed first (then most
 * matches, then by name), at most max into out; returns how many. */
size_t	replay_top_rules(const struct replay *, struct replay_rule *out, size_t max);

#endif
