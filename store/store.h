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

#define STORE_SCHEMA_VERSION	1

int	store_open(struct store **out, const char *path, struct err *e);
void	store_close(struct store *);			/* NULL-safe */

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
 * parent still finds the thread.  Lookups return 1 found, 0 absent. */
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

/* Events: the append-only history.  detail is a JSON object text or NULL. */
int	store_event_add(struct store *, int64_t ticket, time_t at, const char *kind,
	    const char *actor, const char *detail, struct err *);

/* Reading for the queue and show.  Callbacks return 0 to go on, -1 to stop
 * with their own error in e. */
struct store_msg {
	int64_t		 id;
	char		*message_id, *from_name, *from_addr, *subject, *text;
	char		*auto_reason, *warnings, *attachments /* JSON array */;
	char		*channel;
	int		 direction, public;
	time_t		 date, received;
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

#endif
