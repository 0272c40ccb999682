/* send.h -- delivering the outbox, for `escalator send` and the daemon.
 *
 * Every recipient due at cli->now is tried over one SMTP session.  Before
 * a recipient is tried its attempt is counted and its next attempt set
 * (exponential back-off with jitter), in a committed transaction: a crash
 * during the attempt leaves it waiting for its back-off, not lost.  Right
 * after the server's answer the outcome is committed: sent, failed for
 * good (5xx), or pending again.  Claiming a recipient is conditional on
 * its next attempt being due, so two senders never take the same one.
 * What remains is SMTP's own window: a crash between the server's "250"
 * and our commit sends that message again after its back-off, with the
 * same Message-ID, which lets the receiving side drop the copy. */
#ifndef ESC_SEND_H
#define ESC_SEND_H

#include <time.h>

struct cli;
struct err;

#define SEND_ATTEMPTS_MAX	12	/* then a recipient fails for good (~2 days) */
#define SEND_BACKOFF_BASE	60	/* seconds before the second attempt */
#define SEND_BACKOFF_MAX	(6 * 3600)

struct send_stats {
	long	 messages;	/* notifications tried */
	long	 sent;		/* recipients that got one */
	long	 failed;	/* recipients refused for good */
	long	 deferred;	/* recipients left for a later attempt */
	long	 connections;	/* SMTP connections opened */
	int	 server_away;	/* the session failed: EX_TEMPFAIL */
};

int	send_run(struct cli *, struct send_stats *out /* OUT */, struct err *);
/* When attempt number `attempts` (1 after the first) may be followed by
 * the next: base * 2^(attempts-1), capped, times 0.75-1.25 from a hash of
 * the Message-ID, so retries of many messages spread out. */
time_t	send_next_attempt(time_t now, int attempts, const char *message_id);

#endif
