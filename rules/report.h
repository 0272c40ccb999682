/* report.h -- what `escalator report` says about a window of tickets
 * (issue 9, item 5): volumes by tier, department, channel and tag, the
 * escalation rate per tier, where tickets were resolved against the
 * 70/25/5 pyramid, over-escalation, late escalation, hand-offs, SLA
 * compliance per tier and priority, and resolution times per tier next
 * to the configured targets.
 *
 * Pure aggregation and words, no I/O and no store: cli/report.c feeds
 * report_ticket with every ticket created in the window (in id order),
 * then report_event with their events in the order recorded (events of
 * other tickets are ignored), then report_clock with their decided SLA
 * clock runs; report_finish settles the figures, and report_text,
 * report_json and report_html render them.  Per-ticket state lives only
 * until report_finish.  A struct report owns every string in it;
 * report_release frees it all.
 *
 * Definitions (doc/escalator.1 says the same for users):
 * - an escalation is a hierarchical "escalated" event to a higher tier,
 *   counted for the tier it left; functional ones (to a department) are
 *   counted apart, for the department they went to;
 * - tickets at a tier: tickets whose history visited it (the tier they
 *   started at, every tier an escalation or de-escalation took them to,
 *   the tier they are at now); escalation rate: the share of those that
 *   were escalated out of it at least once;
 * - over-escalation: an escalation undone by a later de-escalation to
 *   its tier or below, or one followed by a resolution with no reply from
 *   the team dated after it (an outbound message, or the \Answered flag);
 * - late escalation: one that came after an SLA breach recorded since
 *   the ticket reached its tier, or whose hand-off is marked late;
 * - resolved at a tier: a resolved or closed ticket's tier;
 * - resolution time: resolved - created, wall clock, nearest-rank
 *   percentiles. */
#ifndef ESC_REPORT_H
#define ESC_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/model.h"

struct buf;
struct conf;
struct err;
struct report_state;

#define REPORT_GROUPS_MAX	1000	/* departments, channels, tags; then the last
					 * one stands for the rest */
#define REPORT_PRIORITIES	4	/* PRIO_LOW .. PRIO_URGENT */
#define REPORT_SLA_KINDS	4	/* enum sla_kind, rules/sla.h */
#define REPORT_BANDS		3	/* tiers 0-1, 2, 3-4 */

struct report_group {
	char		*name;		/* NULL: none */
	long		 tickets, resolved;
	long		 escalated;	/* tickets with an escalation */
	long		 escalations, functional, over, late;
};

struct report_times {
	long		 resolved;	/* tickets with a resolution time */
	long		 p50, p90;	/* seconds; -1 when none */
	long		 target;	/* the tier's resolution target; 0: none */
};

struct report_tier {
	long		 tickets;	/* at this tier now */
	long		 visited;	/* were at it */
	long		 escalated;	/* tickets escalated out of it */
	long		 escalations;	/* escalations out of it */
	long		 deescalations;	/* de-escalations down from it */
	long		 over, undone, unreplied, late;	/* of its escalations */
	long		 resolved;	/* resolved or closed at it */
	long		 sla_due[REPORT_PRIORITIES], sla_met[REPORT_PRIORITIES];
	struct report_times times;	/* all priorities; target 0 */
	struct report_times by_priority[REPORT_PRIORITIES];
	int		 configured;	/* a tier of the configuration */
};

struct report_band {
	const char	*tiers;		/* "0-1", "2", "3-4" */
	int		 target;	/* percent of resolutions: 70, 25, 5 */
	long		 resolved;
};

struct report {
	time_t			 from, to;	/* tickets created in [from, to) */
	long			 tickets, resolved;
	long			 escalations, escalated, functional, deescalations;
	long			 over, undone, unreplied, late;
	long			 handoffs;	/* sum of ticket.handoffs */
	long			 handoff_tickets[4];	/* with 0, 1, 2, 3 or more */
	struct report_tier	 tiers[TIER_MAX + 1];
	struct report_band	 bands[REPORT_BANDS];
	long			 sla_due, sla_met;
	long			 kind_due[REPORT_SLA_KINDS], kind_met[REPORT_SLA_KINDS];
	struct report_group	*departments, *channels, *tags;	/* after finish: */
	size_t			 departments_count, channels_count, tags_count; /* most
							 * tickets first */
	struct report_state	*state;		/* until report_finish */
};

void	report_init(struct report *, time_t from, time_t to);	/* cannot fail */
void	report_release(struct report *);			/* NULL-safe */

/* A ticket of the window, in ascending id order; strings are copied
 * (once per distinct value).  tags: "vip,legal" or NULL. */
int	report_ticket(struct report *, int64_t id, time_t created, time_t resolved,
	    int status, int priority, int tier, int handoffs, const char *department,
	    const char *channel, const char *tags, struct err *);
/* One event, in the order recorded; detail is its JSON object text or
 * NULL.  Only the details of a few kinds are read, and only their
 * top-level members. */
int	report_event(struct report *, int64_t ticket, time_t at, const char *kind,
	    const char *detail, struct err *);
/* One decided SLA clock run of a ticket: kind ("first-response", ...),
 * the tier it ran for, missed or met.  Counted at the ticket's priority. */
int	report_clock(struct report *, int64_t ticket, const char *kind, int tier,
	    int missed, struct err *);
/* Settles the figures: per-tier counts, percentiles, the resolution
 * targets of conf (NULL: none), groups sorted.  Frees the per-ticket
 * state; nothing may be added after. */
int	report_finish(struct report *, const struct conf *, struct err *);

/* The lowest and highest ticket id seen; 0, 0 when none. */
void	report_ids(const struct report *, int64_t *first, int64_t *last);

/* Percent with one decimal, -1 when the whole is 0. */
double	report_percent(long part, long whole);

int	report_text(const struct report *, struct buf *, struct err *);
/* The figures as one JSON object (doc/escalator.1 lists the fields). */
int	report_json(const struct report *, struct buf *, struct err *);
/* One self-contained HTML page (well-formed XML too): inline CSS and SVG
 * charts, nothing fetched, every outside string escaped. */
int	report_html(const struct report *, struct buf *, struct err *);

#endif
