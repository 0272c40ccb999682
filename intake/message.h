/* message.h -- the normalized message: what every connector yields and
 * every later stage reads (DESIGN.md, "Domain model").
 *
 * All strings are UTF-8, NUL-terminated, and carved from the message's own
 * arena: message_release frees everything at once.  raw is borrowed from
 * the caller (the mbox buffer, the IMAP response) and must outlive the
 * message.  mime_parse fills a message from raw RFC 5322 bytes; social
 * connectors fill one directly. */
#ifndef ESC_MESSAGE_H
#define ESC_MESSAGE_H

#include <stddef.h>
#include <time.h>

#include "common/arena.h"
#include "common/buf.h"

struct err;

struct attachment {
	const char	*name;		/* file name, "" if none was given */
	const char	*type;		/* "application/pdf", lowercased */
	size_t		 size;		/* decoded bytes */
	int		 size_unknown;	/* a linked file the server gave no size of */
	const char	*url;		/* where a social post's media lives; NULL
					 * for mail (its bytes are in raw) */
};

/* Why a message opens no ticket and starts no clock (loop safety). */
#define AUTO_SUBMITTED	"auto-submitted"	/* Auto-Submitted other than no */
#define AUTO_PRECEDENCE	"precedence"		/* Precedence: bulk, junk or list */
#define AUTO_AUTOREPLY	"x-autoreply"		/* X-Autoreply, X-Autorespond */
#define AUTO_DSN	"delivery-report"	/* multipart/report, delivery-status */
#define AUTO_DAEMON	"mailer-daemon"		/* from MAILER-DAEMON or postmaster */

struct message {
	struct arena	 arena;		/* owns every string below */

	const char	*message_id;	/* without <>; never NULL once parsed */
	int		 synthetic_id;	/* 1 if made up from the content */
	const char	*in_reply_to;	/* first id of In-Reply-To, or NULL */
	const char	**refs;		/* References then In-Reply-To, no duplicates */
	size_t		 refs_count;

	const char	*from_name;	/* display name, "" if none */
	const char	*from_addr;	/* lowercased address or handle, "" if none */
	const char	*to;		/* addresses, ", "-separated, "" if none */
	const char	*cc;
	const char	*subject;	/* decoded, CR/LF/controls folded to spaces */

	time_t		 date;		/* Date:, or received if absent or unreadable */
	int		 date_missing;
	time_t		 received;	/* arrival at our edge */

	int		 direction;	/* enum direction; set by the caller */
	int		 public;	/* 1 for public posts and feeds */
	long		 reach;		/* followers, -1 unknown */
	const char	*url;		/* NULL for mail */
	const char	*lang;		/* "en", "de, fr": what the source says the
					 * text's language is (BCP 47 tags); NULL
					 * when it does not say */

	const char	*text;		/* full body text */
	const char	*text_scored;	/* quotes and signature trimmed */
	int		 html_only;	/* text came from HTML */
	struct attachment *atts;
	size_t		 atts_count;

	int		 scored;	/* sentiment is set (rules/sentiment.c) */
	double		 sentiment;	/* compound score of text_scored, -1 .. 1 */

	const char	*auto_reason;	/* one of AUTO_*, or NULL for a human */
	const char	*auto_detail;	/* e.g. "Auto-Submitted: auto-replied" */

	struct buf	 warnings;	/* one warning per line, what could not be decoded */
	size_t		 warnings_count;

	const char	*raw;		/* borrowed */
	size_t		 raw_len;
};

/* Ceiling for the arena of one message: decoded text and headers, not
 * attachments (those are measured, never kept). */
#define MESSAGE_ARENA_MAX	(64u * 1024 * 1024)

void	message_init(struct message *);		/* cannot fail */
void	message_release(struct message *);	/* NULL-safe; frees the arena */
/* Records a warning; never fails (a warning lost to memory pressure is
 * counted all the same). */
void	message_warn(struct message *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
