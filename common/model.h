/* model.h -- the domain model shared by every layer: ticket status,
 * priority, message direction and the ticket record (DESIGN.md, "Domain
 * model").  Plain data: no I/O here, the store fills and saves these. */
#ifndef ESC_MODEL_H
#define ESC_MODEL_H

#include <stdint.h>
#include <time.h>

enum status { STATUS_NEW = 0, STATUS_OPEN, STATUS_PENDING, STATUS_RESOLVED,
	STATUS_CLOSED };
/* Higher is more urgent, so the queue can sort on the number. */
enum priority { PRIO_LOW = 0, PRIO_NORMAL, PRIO_HIGH, PRIO_URGENT };
enum direction { DIR_IN = 0, DIR_OUT = 1 };	/* from the customer, from the team */

#define TIER_MIN	0
#define TIER_MAX	4

struct ticket {
	int64_t		 id;
	int		 status;	/* enum status */
	int		 priority;	/* enum priority */
	int		 tier;
	char		*department;	/* NULL: none yet */
	char		*owner;		/* NULL: the tier owner */
	char		*channel;	/* name of the channel that opened it */
	int		 public;
	char		*customer;	/* address or handle, lowercased */
	char		*customer_name;
	char		*subject;
	char		*subject_key;	/* normalized for the subject fallback */
	time_t		 created, updated;
	time_t		 last_inbound;	/* last customer message */
	int		 messages;	/* count, all directions */
	int		 exchanges;	/* customer messages */
	char		*tags;		/* "vip,legal": comma-separated; NULL none */
	double		 urgency;	/* of the default policy (rules/policy.h):
					 * orders the queue within a priority */
	int		 handoffs;	/* escalations that handed it on */
	time_t		 resolved;	/* when last resolved or closed, 0 while
					 * open; kept by the store, read only */
	int64_t		 merged_into;	/* the ticket that absorbed this one, 0
					 * none; kept by the store, read only */
};

const char	*status_name(int);
int		 status_from_name(const char *);	/* -1 if unknown */
const char	*priority_name(int);
int		 priority_from_name(const char *);	/* -1 if unknown */
const char	*direction_name(int);

void	ticket_init(struct ticket *);	/* zeroes; cannot fail */
void	ticket_release(struct ticket *);	/* frees the strings; NULL-safe */
/* 1 when tags ("vip,legal", as struct ticket holds them; NULL: none)
 * has tag as one of its elements, 0 if not. */
int	ticket_tags_have(const char *tags, const char *tag);

#endif
