/* record.h -- between intake and rules: hands a threaded message to
 * rules/decide.c (sentiment, default policy, rules) and records what was
 * decided -- events, log lines, the notification in the outbox -- in the
 * open transaction.  Used by intake.c only. */
#ifndef ESC_INTAKE_RECORD_H
#define ESC_INTAKE_RECORD_H

#include <stdint.h>

struct decide;
struct err;
struct intake;
struct message;
struct ticket;

/* Applies m to t (status, counters; for a customer message sentiment,
 * priority, rules, escalation) and fills d; sets m->sentiment.  Replaces
 * policy_ticket_message: d->reopened says what it returned.  0 or -1. */
int	intake_decide(struct intake *, struct ticket *t, struct message *m,
	    struct decide *d, struct err *);
/* Stores d's events on ticket t (at m's date) and queues its notification;
 * msgrow is m's row in the store (the notification's Message-ID). */
int	intake_record(struct intake *, const struct ticket *t, int64_t msgrow,
	    const struct message *m, const struct decide *d, struct err *);

#endif
