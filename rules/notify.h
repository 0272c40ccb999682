/* notify.h -- who hears about an SLA warning or breach, and what they read.
 *
 * Pure functions over plain data (no I/O, no store): the sweep gathers a
 * ticket, its thread and its history into a struct notice, and gets back
 * the recipients, the subject and the two bodies (plain text and HTML)
 * that connectors/smtp_compose.c turns into a message.  The body carries
 * what a new owner needs so the customer never repeats themselves: who,
 * where (channel, public or private, link), mood (sentiment), the thread
 * newest first, the history with the rules that moved the ticket, the
 * deadline and how late it is. */
#ifndef ESC_NOTIFY_H
#define ESC_NOTIFY_H

#include <stddef.h>
#include <time.h>

struct buf;
struct conf;
struct err;
struct ticket;
struct tz;

#define NOTIFY_MSGS_MAX		10	/* newest messages in a body */
#define NOTIFY_MSG_BYTES	2000	/* of each message's text */
#define NOTIFY_MSG_LINES	40
#define NOTIFY_EVENTS_MAX	30	/* newest events */
#define NOTIFY_SUBJECT_MAX	120	/* bytes of the customer's subject */

struct notice_msg {
	time_t		 date;
	int		 direction;	/* enum direction */
	const char	*from_name, *from_addr, *text, *url;
	int		 scored;
	double		 sentiment;
};

struct notice_event {
	time_t		 at;
	const char	*kind, *actor, *detail;	/* detail: JSON text or NULL */
	const char	*text;		/* the detail in words ("tier 1 -> 2: ..."),
					 * shown instead when not NULL */
};

struct notice {
	const struct ticket	*ticket;
	int			 clock;		/* enum sla_kind */
	int			 level;		/* enum sla_level */
	int			 tier;		/* when it lapsed */
	const char		*tier_name;	/* NULL: none */
	const struct tz		*tz;		/* times shown in it; NULL: UTC */
	time_t			 deadline, warn_at, now;
	int			 escalated_to;	/* -1: not escalated by this breach */
	const struct notice_msg	*msgs;		/* oldest first, as stored */
	size_t			 msgs_count;
	const struct notice_event *events;	/* oldest first */
	size_t			 events_count;
};

/* Recipients: To the assignee, else the department's owner, else the
 * tier's owner; Cc the department head on a breach, and the owner of the
 * next tier up as well when this ticket breached before.  Pointers are
 * borrowed from conf and t; an address listed twice is kept once. */
#define NOTIFY_CC_MAX	2
struct notify_rcpts {
	const char	*to;		/* NULL: nobody to tell (no tier owner) */
	const char	*cc[NOTIFY_CC_MAX];
	size_t		 cc_count;
};
void	notify_recipients(const struct conf *, const struct ticket *t, int tier,
	    int level, long earlier_breaches, struct notify_rcpts *out /* OUT */);

/* "[#42] First response 2 h 15 min late - Anna Schmidt: Invoice wrong":
 * what happened and to whom first, short enough for an inbox list. */
int	notify_subject(const struct notice *, struct buf *, struct err *);
int	notify_text(const struct notice *, struct buf *, struct err *);
int	notify_html(const struct notice *, struct buf *, struct err *);

/* "2 h 15 min", "1 day 4 h", "3 days", "under a minute": a duration in a
 * sentence ("... is 2 h 15 min late").  Returns buf. */
char	*notify_duration_words(long seconds, char *buf, size_t len);
/* The same with hours and minutes spelled out ("1 hour 30 minutes"), for
 * customers.  Returns buf. */
char	*notify_duration_spelled(long seconds, char *buf, size_t len);

/* Pieces the hand-off notice (rules/handoff.c) shares with these: the
 * thread, newest first, at most NOTIFY_MSGS_MAX messages, as a text or
 * an HTML section; text from outside escaped for HTML (as one line, or
 * keeping lines, cleaned by common/text.c and cut at max bytes). */
int	notify_thread_text(struct buf *, const struct notice_msg *msgs, size_t count,
	    const struct tz *, struct err *);
int	notify_thread_html(struct buf *, const struct notice_msg *msgs, size_t count,
	    const struct tz *, struct err *);
/* The frame of an HTML notice, as mail clients render it: a table for
 * layout, inline styles, nothing fetched.  open leaves a headline
 * paragraph in color open for the caller to fill and close with </p>;
 * close prints footer (NULL: none) and ends the document. */
int	notify_html_open(struct buf *, const char *title, const char *color, struct err *);
int	notify_html_close(struct buf *, const char *footer, struct err *);
int	notify_html_text(struct buf *, const char *s, int lines, size_t max, struct err *);
/* s on one line (common/text.c), cut at max bytes (at most 4096), into out;
 * "" for NULL.  Returns out. */
const char *notify_clean(const char *s, size_t max, char *out, size_t len);

/* The label/value facts atop both bodies of a notice (an SLA notice's,
 * a hand-off's): added once, then printed under the subject as text
 * lines ("Customer:  ...") or as an HTML table.  Facts past
 * NOTIFY_FACTS_MAX are dropped; a value is cut at its size. */
#define NOTIFY_FACTS_MAX	10
struct notify_facts {
	struct {
		const char	*label;
		char		 value[1200];
	}		 f[NOTIFY_FACTS_MAX];
	size_t		 count;
};
void	notify_fact(struct notify_facts *, const char *label, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* "Customer" (name <address>) and "Channel" (name, public or private). */
void	notify_fact_who(struct notify_facts *, const struct ticket *);
int	notify_facts_text(struct buf *, const char *subject, const struct notify_facts *,
	    struct err *);
int	notify_facts_html(struct buf *, const char *subject, const struct notify_facts *,
	    struct err *);

#endif
