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

struct conf;
struct conf_autoreply;
struct err;
struct message;
struct rules;
struct sentiment;
struct store;
struct ticket;

#define INTAKE_BATCH	2000	/* messages per transaction */
/* ... when the store writes in bulk (store_bulk_begin): with a rollback
 * journal each commit journals and rewrites the index pages it touched,
 * so fewer, larger transactions write less (2,000: 967 MB for the
 * 50,000-message benchmark, 10,000: 586 MB).  A crash loses at most the
 * open batch, which an import simply reads again. */
#define INTAKE_BULK_BATCH	10000

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
	long	edited;		/* stored messages whose text changed at the source */
	long	deleted;	/* stored messages deleted at the source */
	long	unsaved;	/* stored, then rolled back when a write or
				 * commit failed (a full disk): not in the
				 * store, so the next import or poll brings
				 * them again */
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
	size_t			 batch;		/* messages per transaction; 0:
						 * INTAKE_BATCH */
	struct intake_stats	 stats;
	struct intake_stats	 kept;		/* stats at the last commit */
	/* Progress (optional): called for each message handed in, before
	 * it is stored; expect is how many the connector said this read
	 * will bring (0: it cannot tell; an estimate, it may be off). */
	void			(*progress)(void *arg, const struct intake *);
	void			*progress_arg;
	long			 expect;
	/* Decisions (issue 6), all borrowed; set after intake_init.  NULL
	 * lexicon: sentiment is off; NULL rules: the defaults alone. */
	const char		*kind;		/* the channel's, set by intake_init */
	const struct sentiment	*lexicon;
	const struct rules	*rules;
	const char		*notify_from;	/* From of notifications; NULL default */
	/* The channel's tier 0 acknowledgement (rules/conf.h), borrowed;
	 * NULL: off, and intake_autoreply is never called. */
	const struct conf_autoreply *autoreply;
	/* The tiers whose first-response target and calendar the
	 * acknowledgement states (the loaded configuration, borrowed);
	 * NULL: it states none. */
	const struct conf	*conf;
	/* Where the channel's tickets start (its `tier` and `department`,
	 * else the department's entry tier): entry_tier -1 and
	 * entry_department NULL leave the defaults (tier 1, none).  Set
	 * after intake_init; the department name is borrowed. */
	int			 entry_tier;
	const char		*entry_department;
	/* Hand-offs (issue 9): called in the open transaction for each
	 * "escalated" event the decisions on a message recorded -- on the
	 * message that opened the ticket only for moves up the tiers (a
	 * department chosen then is where the ticket starts) -- with the
	 * ticket as stored and the event's detail; it may store the ticket
	 * again.  NULL: none (cli/ticket.c sets it). */
	int			(*escalated)(void *arg, struct store *, struct ticket *,
				    const char *detail, time_t at, struct err *);
	void			*escalated_arg;
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
/* Rolls back an open batch (on error paths); NULL-safe.  The counts of
 * what the batch stored go back to those of the last commit, and its
 * stored messages are counted as unsaved instead. */
void	intake_release(struct intake *);
/* The reason name for the summary. */
const char *intake_reason_name(int);

/* 1 when addr is one of agents (equal address, or its domain equals an
 * entry that has no '@'), case-insensitively. */
int	intake_is_agent(const char *addr, const char *const *agents, size_t count);

/* For connectors that know more about a message than its bytes (IMAP):
 * intake_mail_at is intake_mail with this in and out. */
#define INTAKE_ID_MAX	1000	/* RFC 5322's line limit bounds a Message-ID */
struct intake_mail_info {
	const char	*external_id;	/* IN: the source's id; NULL: the Message-ID */
	int		 direction;	/* IN: DIR_OUT is from the team whoever sent
					 * it (a sent folder); DIR_IN: agents decide */
	int		 present;	/* OUT: 1 when it was stored before */
	char		 message_id[INTAKE_ID_MAX];	/* OUT: "" unless 0 returned */
};
int	intake_mail_at(struct intake *, const char *raw, size_t len, time_t received,
	    const char *origin, struct intake_mail_info *info /* may be NULL */,
	    struct err *);

/* What a source says about a stored message besides its bytes. */
enum intake_signal {
	INTAKE_ANSWERED = 0,	/* \Answered on a customer message: a team response */
	INTAKE_RESOLVED		/* in the done folder, or has the done keyword */
};
/* Applies a signal to the ticket of the message with this Message-ID, once
 * per message and signal: an event ("answered-flag" or "resolved", detail
 * {"message_id", "via"}; via is e.g. "\\Answered" or "folder Done"), and
 * ANSWERED moves a new ticket to open, RESOLVED resolves one that is not
 * resolved or closed.  Joins the open batch, so it commits with the
 * cursor.  Returns 1 applied, 0 nothing to do (unknown message, no ticket,
 * not from the customer for ANSWERED, seen before), -1 a store failure
 * (the open batch is rolled back). */
int	intake_signal(struct intake *, const char *message_id, int signal,
	    const char *via, struct err *);

/* intake/autoreply.c: a customer message m has just opened ticket t on a
 * channel with an autoreply block.  Inside the open transaction: either
 * queues the acknowledgement in the outbox (Message-ID
 * <escalator.ack.N@host>, N the ticket), records the address for the
 * hourly guard and adds an "autoreply" event {"to", "message_id",
 * "links"}, or, when a guard of rules/autoreply.h stops it, only an
 * "autoreply" event {"skipped", "detail"}, so `show` says why the
 * customer got nothing.  0, or -1 on a store or memory failure. */
struct ticket;
int	intake_autoreply(struct intake *, const struct ticket *t,
	    const struct message *m, struct err *);

/* Social sources (intake/change.c): a stored post changed at its source.
 * intake_edit takes from m (the post as its source shows it now) what an
 * edit can change -- text (content warning, quote, poll and media
 * descriptions are in it), lang, attachments -- for the message (this
 * channel, external_id), keeps its ticket, rescores the sentiment (in
 * m->lang, as a new post is) when the text changed, and adds a
 * "message-edited" event (detail {"message_id", "channel", "changed":
 * ["text", "lang", "attachments"]}, those that differ).  m->text_scored
 * is not read: the text is trimmed here.  intake_delete marks it deleted, with a "message-deleted" event
 * (detail {"message_id", "channel"}); the message stays.  Both join the
 * open batch, so they commit with the cursor.  1 changed, 0 nothing to do
 * (unknown message, nothing differs, deleted before), -1 a store failure
 * (batch rolled back). */
int	intake_edit(struct intake *, const char *external_id, const struct message *m,
	    time_t at, struct err *);
int	intake_delete(struct intake *, const char *external_id, time_t at,
	    struct err *);

#endif
