/* digest.h -- what a breach digest says, for managers (issue 7, item 5).
 *
 * Pure data and words, no I/O and no store: cli/digest.c feeds each SLA
 * warning and breach of a window to digest_add, sets the compliance
 * counts of the window and of the one before it, and gets back the
 * subject and the two bodies (plain text, and HTML with a bar chart drawn
 * in HTML/CSS, no images) that connectors/smtp_compose.c turns into a
 * message, in the wording of rules/notify.c.  A struct digest owns every
 * string in it; digest_release frees them. */
#ifndef ESC_DIGEST_H
#define ESC_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/model.h"

struct buf;
struct conf;
struct err;
struct tz;

#define DIGEST_WORST		10	/* tickets listed */
#define DIGEST_GROUPS_MAX	1000	/* departments or channels; then "other" */

struct digest_count {
	char		*name;		/* department or channel; NULL: none */
	long		 breaches, warnings;
};

struct digest_ticket {
	int64_t		 id;
	char		*subject, *owner;	/* owner resolved; NULL: none */
	int		 tier;
	long		 late;		/* the worst of its clocks, seconds */
	long		 breaches, warnings;
};

struct digest {
	time_t			 from, to;	/* the window [from, to) */
	const char		*zone;		/* for times shown; borrowed */
	const struct tz		*tz;		/* times shown in it; NULL: UTC */
	long			 breaches, warnings;
	struct digest_count	 tiers[TIER_MAX + 1];
	struct digest_count	*departments, *channels;
	size_t			 departments_count, channels_count;
	struct digest_ticket	*tickets;	/* worst first after digest_finish */
	size_t			 tickets_count;
	long			 due, met;		/* clocks due in the window */
	long			 prev_due, prev_met;	/* in the window before */
};

void	digest_init(struct digest *, time_t from, time_t to);	/* cannot fail */
void	digest_release(struct digest *);			/* NULL-safe */
/* One SLA event; events of one ticket come together (the store orders
 * them by ticket).  owner: the ticket's assignee, NULL for the tier's
 * or department's owner, which is looked up in conf. */
int	digest_add(struct digest *, const struct conf *, int64_t ticket, int breach,
	    int tier, int ticket_tier, const char *department, const char *channel,
	    const char *subject, const char *owner, long late, struct err *);
/* Sorts the tickets worst first: most late, then most breaches. */
void	digest_finish(struct digest *);

/* Percent of due clocks met, -1 when none was due. */
int	digest_percent(long due, long met);
/* "SLA digest: 3 breaches and 5 warnings in the last 24 h; 17% of deadlines
 * met (was 92%)" */
int	digest_subject(const struct digest *, struct buf *, struct err *);
int	digest_text(const struct digest *, struct buf *, struct err *);
int	digest_html(const struct digest *, struct buf *, struct err *);

#endif
