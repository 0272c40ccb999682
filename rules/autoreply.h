/* autoreply.h -- the tier 0 acknowledgement (issue 9): whether a new
 * ticket's first customer message may get one, and what it says.
 *
 * Pure: plain data in, a verdict or text out; no store, no clock, no
 * network.  intake/autoreply.c asks the store when the address was last
 * acknowledged, composes the mail (connectors/smtp_compose.c) and queues
 * it.  The guards, in the order they are tried (RFC 3834 section 2 and
 * loops we have seen):
 *   automatic     intake's loop safety marked the message (auto-replies,
 *                 bounces, Precedence bulk/junk/list, mailer-daemon)
 *   mailing-list  a List-Id or other RFC 2369 List-* field
 *   suppressed    X-Auto-Response-Suppress: All or AutoReply
 *   no-address    the sender has no usable address
 *   own-address   one of ours (the sender, the smtp sender, the mailbox)
 *   no-reply      noreply@ and friends, owner-*, *-request, *-bounces
 *   too-old       arrived longer than max-age before the import or poll
 *   rate-limited  the address got one less than an hour before
 * and, from intake/autoreply.c, cannot-compose: the mail could not be
 * written (an error in the detail), which never stops the intake.
 * Outbound messages never get one: the caller does not ask. */
#ifndef ESC_AUTOREPLY_H
#define ESC_AUTOREPLY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct conf_autoreply;
struct conf_calendar;
struct err;

#define AUTOREPLY_INTERVAL	3600	/* seconds: one per address per hour */
#define AUTOREPLY_LINKS_MAX	16	/* help links in one acknowledgement */

/* What the guards look at; every string may be NULL or "" for none. */
struct autoreply_msg {
	const char		*to;		/* the customer's address */
	const char		*subject;
	const char		*text;
	const char		*auto_reason;	/* message.h AUTO_*, NULL: human */
	const char		*auto_detail;
	const char		*raw;		/* the mail as received, for header */
	size_t			 raw_len;	/* fields intake does not keep */
	time_t			 received;	/* arrival at our edge */
	time_t			 now;		/* of the import or poll */
	const char *const	*own;		/* addresses never answered: "addr"
						 * or "Name <addr>" */
	size_t			 own_count;
};

/* NULL when the message may be acknowledged (the hourly limit aside),
 * else the guard that stops it (the names above), with a few words in
 * detail ("List-Id", "noreply@example.com"). */
const char	*autoreply_check(const struct conf_autoreply *,
		    const struct autoreply_msg *, char *detail /* OUT */, size_t len);
/* 1 when an acknowledgement sent to the address at last (0: never) is
 * too recent for another for a message that arrived at received.  A
 * later one recorded already (mail read out of order) counts as recent. */
int		 autoreply_recent(time_t last, time_t received);

/* The help entries whose keywords occur in subject or text, as indexes
 * into ar->help in file order, each URL once; returns how many (at most
 * max).  A keyword matches whole words, case-insensitively (ASCII), its
 * blanks matching any run of white space; a trailing '*' matches any
 * word that starts with the rest ("refund*": refunds, refunded). */
size_t		 autoreply_links(const struct conf_autoreply *, const char *subject,
		    const char *text, size_t *idx /* OUT */, size_t max);
/* "[#N] " and the configured subject, or "Re: " and the customer's
 * (without a second "Re:"), appended to out. */
int		 autoreply_subject(const struct conf_autoreply *, int64_t ticket,
		    const char *customer_subject, struct buf *out, struct err *);
/* What an acknowledgement may promise: the first-response target of the
 * ticket's tier and priority, as the sweep will run that clock, and the
 * calendar it counts in.  Nothing is promised the configuration does
 * not say: no target, no sentence. */
struct autoreply_promise {
	long				 target;	/* seconds; 0: none */
	const struct conf_calendar	*calendar;	/* NULL: round the clock */
	/* When the first-response clock comes due, business hours and
	 * holidays counted (sla_add from the message's arrival, from), and
	 * the calendar's zone to say it in; due 0 or SLA_NEVER, or tz NULL:
	 * not said. */
	time_t				 from, due;
	const struct tz			*tz;
};

/* The configured text; then, with a target, when we aim to answer ("We
 * aim to answer within 1 hour during our business hours (Mon-Fri
 * 09:00-17:30, Europe/Berlin time).", and when closed time -- a night, a
 * weekend, a holiday -- lies before the due time, that time: "Counting
 * only our business hours, expect our answer by Tue 29 Dec 2026 10:00
 * (Europe/Berlin time)."); the ticket's number ("[#N]"); then
 * the help intro and one link a line.  promise may be NULL. */
int		 autoreply_body(const struct conf_autoreply *, int64_t ticket,
		    const struct autoreply_promise *, const size_t *idx, size_t count,
		    struct buf *out, struct err *);

#endif
