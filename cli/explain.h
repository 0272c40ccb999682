/* explain.h -- why a ticket has its priority, tier and department, read
 * back from its events for `escalator show` (cli/explain.c). */
#ifndef ESC_CLI_EXPLAIN_H
#define ESC_CLI_EXPLAIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct err;
struct store_event;
struct ticket;

/* What the events said, the latest of each (owned JSON, or NULL). */
struct explain {
	json_t	*assessed;	/* the newest customer message's assessment */
	json_t	*priority;	/* the last priority change */
	json_t	*department;	/* the last functional escalation */
	json_t	*tiers;		/* every hierarchical move, up (escalated) or down
				 * (deescalated), oldest first, with its actor */
	json_t	*rules;		/* every rule match, oldest first */
	json_t	*routed;	/* where the channel started it, or NULL */
};

void	explain_init(struct explain *);		/* cannot fail */
void	explain_release(struct explain *);	/* NULL-safe */
/* A store_ticket_events callback (arg: struct explain *). */
int	explain_event(void *arg, const struct store_event *, struct err *);
/* {"priority": {"value", "by": "rule"|"default"|"start", ...},
 *  "sentiment": {"score", "words", "asks_escalation", ...} or null,
 *  "tier": {"value", "start": {"tier", "channel"} or null, "moves": [...]},
 *  "department": {...}, "rules": [...]};
 * NULL out of memory. */
json_t	*explain_json(const struct explain *, const struct ticket *);
/* The "Why:" section of show's text. */
void	explain_print(const struct explain *, const struct ticket *, FILE *);
/* One line for an event rules/decide.c wrote, into out; NULL for other
 * kinds (show prints their detail as it is). */
const char *explain_event_text(const struct store_event *, char *out, size_t len);

#endif
