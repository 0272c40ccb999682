/* handoff.h -- the hand-off summary: what the receiving tier or department
 * needs when a ticket is escalated to it, so that the customer never has
 * to repeat themselves (issue 9).
 *
 * Pure functions over plain data (no I/O, no store, no clock): the caller
 * gathers the ticket as it is after the move, its thread, its history and
 * its SLA clocks into a struct handoff, and gets back the summary (the
 * problem in the customer's first words, what was tried, the sentiment
 * trend, whether the escalation comes late), the "handoff" event's JSON
 * detail, who hears of it, and the subject and bodies of the notice that
 * connectors/smtp_compose.c turns into a mail.  Text from outside is
 * cleaned by common/text.c before it reaches any output. */
#ifndef ESC_HANDOFF_H
#define ESC_HANDOFF_H

#include <stddef.h>
#include <time.h>

struct buf;
struct conf;
struct err;
struct notice_event;
struct notice_msg;
struct notify_rcpts;
struct ticket;
struct tz;

enum handoff_by { HANDOFF_HAND = 0, HANDOFF_RULE, HANDOFF_BREACH };

#define HANDOFF_PROBLEM_MAX	200	/* bytes of the customer's first words */
#define HANDOFF_TRIED_MAX	10	/* newest steps listed in "tried" */
#define HANDOFF_TRIED_LEN	240	/* bytes of one step */
/* Sentiment moving by at least this much, first to last customer
 * message, is a trend; less is "steady". */
#define HANDOFF_TREND_DELTA	0.2

/* One SLA clock as the store keeps it (struct store_clock), borrowed. */
struct handoff_clock {
	const char	*kind;		/* "first-response", ... */
	const char	*state;		/* "running", "paused", "met", "missed" */
	int		 tier;
	time_t		 deadline, warn_at;	/* 0: none */
	int		 breached;	/* a breach is recorded for this run */
};

struct handoff {
	const struct ticket	*ticket;	/* after the move; handoffs counts
						 * this hand-off */
	int			 by;		/* enum handoff_by */
	const char		*actor;
	const char		*reason;
	int			 functional;	/* sideways, to a department */
	int			 from_tier, to_tier;
	const char		*from_department;	/* NULL: none */
	const char		*to_department;		/* likewise */
	const char		*tier_name;	/* of to_tier; NULL: none */
	const struct tz		*tz;		/* times shown in it; NULL: UTC */
	time_t			 now;
	long			 breaches;	/* recorded on the ticket so far */
	const struct handoff_clock *clocks;
	size_t			 clocks_count;
	const struct notice_msg	*msgs;		/* oldest first, no auto-replies */
	size_t			 msgs_count;
	const struct notice_event *events;	/* oldest first */
	size_t			 events_count;
	/* The detail of the "escalated" event this hand-off is for: that
	 * event is the move itself, not something tried before. */
	const char		*current;
};

struct handoff_summary {
	char		 problem[HANDOFF_PROBLEM_MAX + 8];	/* "" if no customer text */
	char		 tried[HANDOFF_TRIED_MAX][HANDOFF_TRIED_LEN];	/* oldest first */
	size_t		 tried_count;
	size_t		 tried_total;	/* before keeping only the newest */
	int		 customer_msgs;
	int		 scored;	/* customer messages with a score */
	double		 first, last;	/* their first and last score */
	const char	*trend;		/* "worsening", "improving", "steady",
					 * "unknown" (nothing scored) */
	int		 late;		/* see handoff_late */
};

/* 1 when the escalation comes late: a breach was recorded on the ticket,
 * or a running clock is past its warning (or its deadline) at now. */
int	handoff_late(const struct handoff *);
/* Fills s; 0, or -1 out of memory. */
int	handoff_summarize(const struct handoff *, struct handoff_summary *s /* OUT */,
	    struct err *);

/* To the department's owner (the department it moved to, or the ticket's),
 * else the owner of the tier it moved to; Cc the department's head when
 * late.  Pointers are borrowed from conf; to is NULL when there is nobody
 * to tell (no configuration, no owner for the tier). */
void	handoff_recipients(const struct conf *, const struct handoff *, int late,
	    struct notify_rcpts *out /* OUT */);

/* The "handoff" event's detail, a JSON object:
 *   {"by", "type", "from_tier", "to_tier", "from_department",
 *    "to_department", "reason", "late", "handoffs", "customer",
 *    "customer_name", "channel", "public", "subject", "problem",
 *    "tried": [...], "tried_total", "sentiment": {"first", "last",
 *    "trend", "scored"}, "sla": {"breaches", "clocks": [{"kind",
 *    "state", "tier", "deadline", "warn_at", "breached"}]},
 *    "notification": {"message_id", "to", "cc": [...]} or null}
 * r and message_id NULL: no notification was queued. */
int	handoff_detail(const struct handoff *, const struct handoff_summary *,
	    const struct notify_rcpts *r, const char *message_id, struct buf *out,
	    struct err *);

/* "[#42] Escalated to tier 2 (billing) - Invoice wrong", or "[#42]
 * Escalated to billing (tier 1) - ..." for a functional move. */
int	handoff_subject(const struct handoff *, struct buf *, struct err *);
int	handoff_text(const struct handoff *, const struct handoff_summary *, struct buf *,
	    struct err *);
int	handoff_html(const struct handoff *, const struct handoff_summary *, struct buf *,
	    struct err *);

const char	*handoff_by_name(int by);	/* "hand", "rule", "breach" */

#endif
