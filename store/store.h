/* store.h -- the only code that speaks SQL.
 *
 * struct store is opaque: callers never see sqlite3.  The database runs in
 * WAL mode with foreign keys and a busy timeout; the schema migrates
 * forward by PRAGMA user_version; every statement is prepared once in
 * store_open and reused.  Writes go inside store_begin/store_commit so a
 * batch of messages and the cursor that covers them land together.
 *
 * Strings handed back in structs (tickets, messages, events) are malloc'd
 * copies the caller frees with the matching *_release. */
#ifndef ESC_STORE_H
#define ESC_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/model.h"

struct err;
struct message;
struct store;

#define STORE_SCHEMA_VERSION	9

int	store_open(struct store **out, const char *path, struct err *e);
/* Opens an existing database for reading only (a replay): never creates,
 * migrates or writes it.  A missing file is ERR_NOINPUT. */
int	store_open_readonly(struct store **out, const char *path, struct err *e);
void	store_close(struct store *);			/* NULL-safe */

/* Bulk writing for an import (store.c says why): 1 on, 0 left in WAL
 * mode because another connection has the database open, -1 error.
 * store_bulk_end goes back to WAL mode (store_close does it too). */
int	store_bulk_begin(struct store *, struct err *);
int	store_bulk_end(struct store *, struct err *);

int	store_begin(struct store *, struct err *);
int	store_commit(struct store *, struct err *);
void	store_rollback(struct store *);			/* cannot fail usefully */

/* Channels: looked up by name, created on first use. */
int	store_channel_ensure(struct store *, const char *name, const char *kind,
	    int public, int64_t *id /* OUT */, struct err *);

/* Cursors: one text value per (channel, source), e.g. a mailbox's
 * "UIDVALIDITY:UID".  get returns 1 found, 0 absent, -1 error. */
int	store_cursor_get(struct store *, int64_t channel, const char *source,
	    char *out, size_t outlen, struct err *);
int	store_cursor_set(struct store *, int64_t channel, const char *source,
	    const char *value, time_t now, struct err *);

/* Messages.  exists: 1 if a message with this Message-ID (or this external
 * id on this channel) is stored, 0 if not. */
int	store_message_exists(struct store *, int64_t channel, const char *external_id,
	    const char *message_id, struct err *);
int	store_message_insert(struct store *, const struct message *, int64_t channel,
	    const char *external_id, int64_t ticket /* 0: none */,
	    int64_t *id /* OUT, may be NULL */, struct err *);

/* Threading.  A thread reference maps a Message-ID (of a stored message,
 * or one referenced by it) to its ticket, so a reply arriving before its
 * parent still finds the thread.  Lookups return 1 found, 0 absent.
 * ref_add keeps a known id's ticket. */
int	store_thread_ref_add(struct store *, const char *message_id, int64_t ticket,
	    struct err *);
int	store_thread_find(struct store *, const char *message_id,
	    int64_t *ticket /* OUT */, struct err *);
/* The newest ticket of this customer with this subject key whose last
 * activity is at or after since. */
int	store_thread_find_subject(struct store *, const char *customer,
	    const char *subject_key, time_t since, int64_t *ticket /* OUT */,
	    struct err *);

/* Tickets. */
int	store_ticket_create(struct store *, struct ticket *t /* id set */, struct err *);
int	store_ticket_get(struct store *, int64_t id, struct ticket *out, struct err *);
int	store_ticket_update(struct store *, const struct ticket *, struct err *);
/* Merging (intake/thread.c has the rule): moves every message and
 * thread reference of ticket from to into, and points from (and the
 * tickets it absorbed before) at into.  The callers update both tickets'
 * fields and add the events. */
int	store_ticket_merge(struct store *, int64_t from, int64_t into, struct err *);
/* 1 with what set ("team reply", or the event kind, e.g. "assigned") when
 * the team has worked on ticket, 0 if not, -1 error. */
int	store_ticket_activity(struct store *, int64_t ticket, char *what /* OUT */,
	    size_t len, struct err *);
/* 1 when ticket has a "related" event naming other, 0 if not, -1 error. */
int	store_ticket_related(struct store *, int64_t ticket, int64_t other,
	    struct err *);

/* Events: the append-only history.  detail is a JSON object text or NULL. */
int	store_event_add(struct store *, int64_t ticket, time_t at, const char *kind,
	    const char *actor, const char *detail, struct err *);
/* The same with the detail as a jansson object, which it takes (and
 * frees); NULL, as a failed json_pack gives, is out of memory. */
struct json_t;
int	store_event_json(struct store *, int64_t ticket, time_t at, const char *kind,
	    const char *actor, struct json_t *detail, struct err *);

/* Reading for the queue and show.  Callbacks return 0 to go on, -1 to stop
 * with their own error in e. */
struct store_msg {
	int64_t		 id;
	char		*message_id, *from_name, *from_addr, *subject, *text;
	char		*auto_reason, *warnings, *attachments /* JSON array */;
	char		*channel;
	char		*lang;		/* NULL: not known */
	int		 direction, public;
	time_t		 date, received;
	int		 scored;	/* sentiment is set */
	double		 sentiment;	/* compound, -1 .. 1 */
};
void	store_msg_release(struct store_msg *);

struct store_event {
	int64_t		 id;
	time_t		 at;
	char		*kind, *actor, *detail;
};
void	store_event_release(struct store_event *);

#define QUEUE_OPEN	0	/* new, open, pending */
#define QUEUE_ALL	1
int	store_queue(struct store *, int which,
	    int (*cb)(void *arg, const struct ticket *, struct err *), void *arg,
	    struct err *);
int	store_ticket_messages(struct store *, int64_t ticket, int include_raw,
	    int (*cb)(void *arg, const struct store_msg *, struct err *), void *arg,
	    struct err *);
int	store_ticket_events(struct store *, int64_t ticket,
	    int (*cb)(void *arg, const struct store_event *, struct err *), void *arg,
	    struct err *);
/* Messages that opened no ticket (auto-replies, bounces), newest first. */
int	store_unticketed(struct store *,
	    int (*cb)(void *arg, const struct store_msg *, struct err *), void *arg,
	    struct err *);

/* Outbox, for the SMTP issue: enqueue is here so the schema is whole. */
int	store_outbox_add(struct store *, int64_t ticket, const char *message_id,
	    const char *recipients, const char *data, size_t len, time_t now,
	    struct err *);

/* Connectors (issue 5): where a stored message came from.  find looks it
 * up by (channel, external_id) when external_id is not NULL, else by
 * Message-ID; 1 found, 0 absent, -1 error. */
#define STORE_ID_MAX	1000
struct store_msg_loc {
	int64_t		 id, channel, ticket;	/* ticket 0: none */
	int		 direction;
	char		 external_id[STORE_ID_MAX];	/* cut if longer */
	char		 message_id[STORE_ID_MAX];
};
int	store_message_find(struct store *, int64_t channel, const char *external_id,
	    const char *message_id, struct store_msg_loc *out /* OUT */, struct err *);
/* Moves message id to another external id (an IMAP mailbox resynced). */
int	store_message_set_external_id(struct store *, int64_t id,
	    const char *external_id, struct err *);
/* The external ids of the channel's customer messages whose ticket is
 * new, open or pending, oldest first; cb returns 0 to go on, -1 to stop. */
int	store_open_messages(struct store *, int64_t channel,
	    int (*cb)(void *arg, const char *external_id, struct err *), void *arg,
	    struct err *);
/* 1 when ticket has an event of kind whose detail names message_id
 * ({"message_id": ...}), 0 if not, -1 error. */
int	store_event_exists(struct store *, int64_t ticket, const char *kind,
	    const char *message_id, struct err *);

/* Social connectors (issue 8): a post edited or deleted at its source.
 * edit replaces what an edit can change of the message (channel,
 * external_id) -- text and text_scored, lang, attachments of m -- marks
 * when, says in *changed which of STORE_EDIT_* differed, and, when the
 * text did and sentiment is not NULL, stores that score; delete marks it
 * deleted (the row and its ticket stay).  Both return 1 changed, with
 * *ticket its ticket (0: none), 0 when there is no such message or
 * nothing changes (all the same, deleted before), -1 error.  text_scored
 * NULL or equal to text stores NULL, as insert does; it is stored with an
 * edit, but a scored text that differs alone is none. */
#define STORE_EDIT_TEXT		0x01	/* the words, with content warning, quote, poll */
#define STORE_EDIT_LANG		0x02
#define STORE_EDIT_MEDIA	0x04	/* attachments */
int	store_message_edit(struct store *, int64_t channel, const char *external_id,
	    const struct message *m, const double *sentiment, time_t at,
	    int64_t *ticket /* OUT */, unsigned *changed /* OUT */, struct err *);
int	store_message_delete(struct store *, int64_t channel, const char *external_id,
	    time_t at, int64_t *ticket /* OUT */, struct err *);


/* SLA clocks (issue 7; store_sla.c).  A clock row is what rules/sla.c
 * computed for one ticket and kind ("first-response", "next-response",
 * "resolution", "pickup"); state is "running", "paused", "met" or
 * "missed"; times are 0 for none.  cycle names the run (its start), so a
 * next-response clock restarted by a new customer message is a new run.
 * next_due is the next warning or breach not yet recorded; an index on it
 * lets a sweep read only what is due.  The store itself puts a ticket in
 * the sweep's list whenever the ticket or its events change (except the
 * sweep's own SLA events), so a sweep recomputes only those. */
struct store_clock {
	int64_t		 ticket;
	char		 kind[16];
	char		 state[8];
	int		 tier;
	time_t		 cycle, started, deadline, warn_at, stopped, next_due;
	long		 target, paused_total;	/* business s; wall s */
};
/* Up to max tickets to recompute; clean takes one off the list. */
int	store_sla_dirty(struct store *, int64_t *tickets /* OUT */, size_t max,
	    size_t *count /* OUT */, struct err *);
int	store_sla_clean(struct store *, int64_t ticket, struct err *);
int	store_clock_put(struct store *, const struct store_clock *, struct err *);
int	store_clock_drop(struct store *, int64_t ticket, const char *kind, struct err *);
int	store_clock_set_due(struct store *, int64_t ticket, const char *kind,
	    time_t next_due /* 0: none */, struct err *);
/* Clocks with next_due <= now, soonest first; a ticket's clocks. */
int	store_clocks_due(struct store *, time_t now, struct store_clock *out /* OUT */,
	    size_t max, size_t *count /* OUT */, struct err *);
int	store_clocks_get(struct store *, int64_t ticket, struct store_clock *out /* OUT */,
	    size_t max, size_t *count /* OUT */, struct err *);
/* SLA events: each level ("warning", "breach") once per ticket, kind and
 * cycle, by a UNIQUE constraint.  add returns 1 when recorded now, 0 when
 * it was recorded before, -1 error. */
int	store_sla_event_add(struct store *, int64_t ticket, const char *kind,
	    time_t cycle, const char *level, int tier, time_t due, time_t at,
	    int notified, struct err *);
int	store_sla_event_levels(struct store *, int64_t ticket, const char *kind,
	    time_t cycle, int *warned /* OUT */, int *breached /* OUT */, struct err *);
int	store_sla_breach_count(struct store *, int64_t ticket, long *count /* OUT */,
	    struct err *);

/* Outbox delivery by recipient (issue 7).  store_outbox_add's recipients
 * is a JSON array of addresses, ["a@example.com", "b@example.com"]; a
 * trigger gives each its own delivery state, so a permanent failure for
 * one does not hold up the others and a retry goes only to those still
 * pending.  The notification is sent when none is pending. */
enum { STORE_RCPT_PENDING = 0, STORE_RCPT_SENT, STORE_RCPT_FAILED };
struct store_outmsg {
	int64_t		 id, ticket;
	char		*message_id;
	char		*data;		/* the RFC 5322 message, NUL-terminated */
	size_t		 len;
	char		**rcpts;	/* recipients due now */
	int		*attempts;	/* by recipient, before this one */
	size_t		 rcpts_count;
};
void	store_outmsg_release(struct store_outmsg *);	/* NULL-safe */
/* Notifications with a recipient due at now, oldest first. */
int	store_outbox_due(struct store *, time_t now, int64_t *ids /* OUT */, size_t max,
	    size_t *count /* OUT */, struct err *);
/* Notification id with its recipients due at now: 1, or 0 if none is. */
int	store_outbox_get(struct store *, int64_t id, time_t now,
	    struct store_outmsg *out /* OUT */, struct err *);
/* Claims rcpt for an attempt at now: counts it and sets when the next
 * may be, before the attempt is made, so a crash mid-attempt waits for
 * its back-off.  1 claimed, 0 when it is not due (another sender took
 * it), -1 error. */
int	store_outbox_attempt(struct store *, int64_t id, const char *rcpt, time_t now,
	    time_t next_attempt, struct err *);
/* Records rcpt's outcome (STORE_RCPT_*) with the server's words. */
int	store_outbox_result(struct store *, int64_t id, const char *rcpt, int result,
	    time_t at, const char *error, struct err *);
/* Brings the notification's summary columns up to date. */
int	store_outbox_settle(struct store *, int64_t id, time_t at, const char *error,
	    struct err *);

/* Breach digests (issue 7; store_digest.c).  events calls cb for each
 * warning and breach a sweep recorded in [from, to), by ticket then time;
 * the strings are borrowed until cb returns (NULL: none).  late: seconds
 * the clock ran past its due time, up to its stop or to.  compliance
 * counts the clock runs whose deadline fell in [from, to) and those of
 * them met.  outbox_has: 1 when a mail with this Message-ID was queued
 * (ever), 0 if not, -1 error. */
struct store_digest_event {
	int64_t		 ticket;
	char		 kind[16];
	int		 breach;	/* 0: a warning */
	int		 tier;		/* when it lapsed */
	int		 ticket_tier;	/* now */
	time_t		 due, at;
	long		 late;
	const char	*department, *channel, *subject, *owner;
};
int	store_digest_events(struct store *, time_t from, time_t to,
	    int (*cb)(void *arg, const struct store_digest_event *, struct err *),
	    void *arg, struct err *);
int	store_digest_compliance(struct store *, time_t from, time_t to,
	    long *due /* OUT */, long *met /* OUT */, struct err *);
int	store_outbox_has(struct store *, const char *message_id, struct err *);

/* Reports (issue 9; store_report.c).  tickets calls cb for each ticket
 * created in [from, to), by id; events for each event of the tickets
 * with ids in [first, last], in the order recorded (by event id; a
 * caller filters out tickets of the range it did not ask for); clocks
 * for each decided SLA clock run of those tickets: missed (breached, or
 * running past its deadline at now) or met; runs still open are left
 * out, and of earlier runs only the breached ones are known.  Strings
 * are borrowed until cb returns (NULL: none). */
struct store_report_ticket {
	int64_t		 id;
	time_t		 created, resolved;	/* resolved 0: open */
	int		 status, priority, tier, handoffs;
	const char	*department, *channel, *tags;
};
struct store_report_event {
	int64_t		 ticket;
	time_t		 at;
	const char	*kind, *detail;
};
int	store_report_tickets(struct store *, time_t from, time_t to,
	    int (*cb)(void *arg, const struct store_report_ticket *, struct err *),
	    void *arg, struct err *);
int	store_report_events(struct store *, int64_t first, int64_t last,
	    int (*cb)(void *arg, const struct store_report_event *, struct err *),
	    void *arg, struct err *);
int	store_report_clocks(struct store *, int64_t first, int64_t last, time_t now,
	    int (*cb)(void *arg, int64_t ticket, const char *kind, int tier, int missed,
	    struct err *), void *arg, struct err *);

/* Tier 0 acknowledgements (issue 9; store_autoreply.c): the last one
 * queued for an address (lowercased), for the once-an-hour guard.  get
 * returns 1 with *sent (the arrival time of the mail it answered) and
 * *ticket, 0 when the address never got one, -1 error.  mark records
 * one, replacing the address's earlier record; call it in the
 * transaction that queues the mail. */
int	store_autoreply_get(struct store *, const char *address, time_t *sent /* OUT */,
	    int64_t *ticket /* OUT */, struct err *);
int	store_autoreply_mark(struct store *, const char *address, time_t sent,
	    int64_t ticket, struct err *);

/* Replay (issue 9; store_replay.c): the stored history of the tickets
 * created in [from, to), one ticket at a time in ticket order, for
 * rules/replay.c to decide again.  The tickets, their messages and their
 * events of the kinds asked for are each read in one pass in row order
 * and grouped by ticket in memory (about 250 bytes a message, plus its
 * text when read); no query per ticket.  Messages come oldest first
 * (date, else received; then row id), events in the order they were
 * recorded.  Every pointer is borrowed until cb returns.  The text
 * (text_scored, else text) is read only when asked for: for every message
 * (STORE_REPLAY_TEXT), or for the tickets whose tags include text_tag
 * (NULL: none); else text is NULL.  kinds: the event kinds wanted,
 * NULL-terminated, at most STORE_REPLAY_KINDS. */
#define STORE_REPLAY_TEXT	0x1
#define STORE_REPLAY_KINDS	8
struct store_replay_msg {
	int64_t		 id;
	time_t		 date;
	int		 direction, public;
	int		 automatic;	/* an auto-reply or bounce (auto_reason) */
	long		 reach;		/* -1 unknown */
	int		 scored;	/* sentiment is set */
	double		 sentiment;
	const char	*channel, *kind;	/* the channel's name and kind */
	const char	*subject, *from_addr, *from_name, *text;
};
struct store_replay_event {
	time_t		 at;
	const char	*kind;
};
struct store_replay_ticket {
	int64_t		 id;
	time_t		 created;
	int		 status, priority, tier;	/* as stored now */
	const char	*department, *tags;
	const struct store_replay_msg	*msgs;
	size_t		 msgs_count;
	const struct store_replay_event	*events;
	size_t		 events_count;
};
int	store_replay(struct store *, time_t from, time_t to, int flags,
	    const char *text_tag, const char *const *kinds,
	    int (*cb)(void *arg, const struct store_replay_ticket *, struct err *),
	    void *arg, struct err *);

#endif
