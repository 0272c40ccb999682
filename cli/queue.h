/* queue.h -- the ticket as scripts see it (cli/queue.c), shared by every
 * command that prints a ticket with --json: the field names are
 * documented in escalator(1) and renaming one is an incompatible change. */
#ifndef ESC_CLI_QUEUE_H
#define ESC_CLI_QUEUE_H

#include <jansson.h>

struct ticket;

/* {"id", "status", "priority", "tier", "department", "owner", "channel",
 *  "public", "customer", "customer_name", "subject", "created", "updated",
 *  "messages", "exchanges", "urgency", "handoffs", "resolved", "tags"};
 * NULL out of memory. */
json_t	*queue_ticket_json(const struct ticket *);

#endif
