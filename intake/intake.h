/* intake.h -- the pipeline from a connector's bytes to stored tickets:
 * parse (mime.c), classify (direction, loop safety), deduplicate, thread
 * (thread.c), apply the default policy (rules/policy.c) and store, in
 * batched transactions so a cursor lands with the messages it covers.
 *
 * One struct intake per channel being read; it borrows the store. */
#ifndef ESC_INTAKE_H
#define ESC_INTAKE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct err;
struct message;
struct store;

#define INTAKE_BATCH	500	/* messages per transaction */

/* Counts for the summary line; the no-ticket reasons are the AUTO_* names. */
enum intake_reason { REASON_AUTO_SUBMITTED = 0, REASON_PRECEDENCE, REASON_AUTOREPLY,
	REASON_DSN, REASON_DAEMON, REASON_COUNT };

struct intake_stats {
	long	read;		/* messages handed in */
	long	stored;		/* new messages written */
	long	present;	/* already in the store */
	long	tickets;	/* tickets opened */
	long	joined;		/* stored into an existing ticket */
	long	reopened;
	long	no_ticket[REASON_COUNT];
	long	warnings;	/* messages stored with warnings */
	long	rejected;	/* not mail at all */
	double	bytes;
};

struct intake {
	struct store		*store;		/* borrowed */
	int64_t			 channel_id;
	const char		*channel;	/* borrowed name */
	int			 public;
	const char *const	*agents;	/* team addresses or domains, borrowed */
	size_t			 agents_count;
	time_t			 now;
	int			 in_txn;
	size_t			 pending;	/* messages in the open transaction */
	struct intake_stats	 stats;
};

/* Ensures the channel exists in the store; cannot partially fail. */
int	intake_init(struct intake *, struct store *, const char *channel,
	    const char *kind, int public, time_t now, struct err *);
/* One raw RFC 5322 message.  origin ("file:offset") names it in warnings.
 * Bytes that are not mail are counted as rejected, reported through
 * *e with ERR_DATA and return 1; 0 is success; -1 a store failure (the
 * open batch is rolled back and must be fed again). */
int	intake_mail(struct intake *, const char *raw, size_t len, time_t received,
	    const char *origin, struct err *);
/* An already normalized message (social connectors), with its external id. */
int	intake_message(struct intake *, struct message *, const char *external_id,
	    struct err *);
/* Commits the open batch, with the cursor value for source if not NULL. */
int	intake_flush(struct intake *, const char *source, const char *cursor,
	    struct err *);
/* Rolls back an open batch (on error paths); NULL-safe. */
void	intake_release(struct intake *);
/* The reason name for the summary. */
const char *intake_reason_name(int);

/* 1 when addr is one of agents (equal address, or its domain equals an
 * entry that has no '@'), case-insensitively. */
int	intake_is_agent(const char *addr, const char *const *agents, size_t count);

#endif
