/* sweep.h -- one SLA sweep, for `escalator sweep` and the daemon.
 *
 * A sweep (1) recomputes the clocks of the tickets the store marked as
 * changed, from their messages and events (rules/sla.c), (2) takes the
 * clocks whose warning or deadline has passed, from the index on their
 * next due time, records each warning and breach once, applies the
 * default breach rule (a resolution breach escalates one tier) and queues
 * the notifications in the outbox, and (3) repeats while a breach moved
 * a ticket, so the escalated ticket's new clocks exist when it returns.
 * Nothing else is read: a sweep with nothing changed and nothing due
 * costs two index probes. */
#ifndef ESC_SWEEP_H
#define ESC_SWEEP_H

#include <time.h>

struct cli;
struct err;

struct sweep_stats {
	long	 recomputed;	/* tickets whose clocks were recomputed */
	long	 warnings;	/* recorded now */
	long	 breaches;	/* recorded now, on running clocks */
	long	 missed;	/* clocks found stopped after their deadline */
	long	 escalated;
	long	 queued;	/* notifications put in the outbox */
};

/* Sweeps at cli->now with cli's configuration and store. */
int	sweep_run(struct cli *, struct sweep_stats *out /* OUT */, struct err *);

#endif
