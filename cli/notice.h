/* notice.h -- what the commands that tell people share (cli/sweep.c for
 * SLA warnings and breaches, cli/ticket.c for hand-offs): a ticket's
 * thread and history read from the store into the plain data of
 * rules/notify.h, and a notification composed by connectors/smtp_compose.c
 * and queued in the outbox, threaded under the ticket.
 *
 * Message-IDs are <escalator.T.N.KIND@host>: T a time that names the
 * occasion, N the ticket, host the domain of the sender.  Every
 * notification of ticket N answers <escalator.N@host>, so mail clients
 * thread them together. */
#ifndef ESC_CLI_NOTICE_H
#define ESC_CLI_NOTICE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/arena.h"

struct err;
struct notice_event;
struct notice_msg;
struct notify_rcpts;
struct store;

#define NOTICE_ARENA	(8 * 1024 * 1024)	/* ceiling of one ticket's texts */
#define NOTICE_FROM	"escalator@localhost"	/* sender without smtp "from" */

/* One ticket's thread (no auto-replies) and history, oldest first; the
 * strings live in the arena until the next notice_read or the release. */
struct notice_data {
	struct arena		 arena;
	struct notice_msg	*msgs;
	size_t			 msgs_count, msgs_cap;
	struct notice_event	*events;
	size_t			 events_count, events_cap;
	int			 words;		/* set: events also in words, as
						 * show has them (cli/explain.c) */
};

void	notice_data_init(struct notice_data *);		/* cannot fail */
void	notice_data_release(struct notice_data *);	/* NULL-safe */
int	notice_read(struct notice_data *, struct store *, int64_t ticket, struct err *);


struct notice_mail {
	int64_t			 ticket;
	const char		*from;		/* NULL: NOTICE_FROM */
	const char		*message_id;	/* without <>, unique */
	const char		*host;		/* of the thread root */
	const struct notify_rcpts *rcpts;	/* to set */
	const char		*subject;	/* UTF-8, unsanitized */
	const char		*text, *html;	/* html NULL: text only */
	time_t			 now;
};
/* Composes the mail and puts it in the outbox, in the caller's
 * transaction. */
int	notice_queue(struct store *, const struct notice_mail *, struct err *);

#endif
