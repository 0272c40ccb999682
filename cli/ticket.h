/* ticket.h -- what the ticket workflow (cli/ticket.c: assign, escalate,
 * deescalate, pending, resolve, reopen, note, tag, untag) shares with the
 * escalations it does not do itself: the hand-off that every escalation
 * writes, whether by hand, by a rule (intake, through struct intake's
 * escalated hook) or by an SLA breach (cli/sweep.c). */
#ifndef ESC_CLI_TICKET_H
#define ESC_CLI_TICKET_H

#include <stdint.h>
#include <time.h>

struct conf;
struct err;
struct store;
struct ticket;

/* One escalation, as its hand-off needs it. */
struct ticket_move {
	int		 by;		/* enum handoff_by (rules/handoff.h) */
	const char	*actor;		/* of the "handoff" event */
	const char	*reason;
	int		 functional;	/* sideways, to a department */
	int		 from_tier;
	const char	*from_department;	/* NULL: none */
	const char	*escalated;	/* the "escalated" event's detail, as stored */
	/* The Message-ID of a notice that goes to the same people anyway
	 * and carries this hand-off in its history (a breach's, which the
	 * sweep queues next): no second mail; "": nobody is told; NULL:
	 * the hand-off's own notice. */
	const char	*notice_with;
};

/* What became of a hand-off, for the command's answer. */
struct ticket_handoff_out {
	int		 late;
	char		 to[320];	/* "": nobody was told */
	char		 cc[320];	/* "": nobody in Cc */
};

/* The hand-off of t, just moved (tier, department) and its "escalated"
 * event stored: counts it in t->handoffs and stores t, queues the notice
 * to the receiving owner when the configuration names one (conf may be
 * NULL: nobody to tell), and adds the "handoff" event, at now in the
 * caller's transaction.  0, or -1 with e set. */
int	ticket_handoff(struct store *, const struct conf *, struct ticket *t,
	    const struct ticket_move *, time_t now,
	    struct ticket_handoff_out *out /* OUT, may be NULL */, struct err *);

/* struct intake's escalated hook (set by cli_intake_decisions; arg the
 * struct cli): the hand-off of an escalation rules/decide.c recorded,
 * detail the "escalated" event's detail, at the message's date. */
int	ticket_rule_handoff(void *arg, struct store *, struct ticket *t,
	    const char *detail, time_t at, struct err *);

#endif
