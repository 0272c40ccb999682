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

#endif
