/* policy.c -- default ticket decisions; see policy.h.  The rule language
 * (issue 6) runs after these defaults and may override any of them. */
#include "config.h"

#include "common/model.h"
#include "intake/message.h"
#include "rules/policy.h"

void
policy_ticket_open(struct ticket *t, const struct message *m)
{
	t->tier = 1;			/* tier 0 self-service is opt-in */
	t->priority = PRIO_NORMAL;
	t->public = m->public;
	t->created = t->updated = m->date;
	if (m->direction == DIR_OUT) {
		/* The team wrote first: nothing is owed until the customer answers. */
		t->status = STATUS_PENDING;
	} else {
		t->status = STATUS_NEW;
		t->last_inbound = m->date;
	}
}

int
policy_ticket_message(struct ticket *t, const struct message *m)
{
	/* A message older than the ticket's last activity arrived late (an
	 * import out of order, a delayed relay): it is counted but must not
	 * undo what newer messages decided. */
	int newest = m->date >= t->updated, reopened = 0;

	t->messages++;
	if (m->date > t->updated)
		t->updated = m->date;
	if (m->date < t->created)
		t->created = m->date;
	if (m->auto_reason != NULL)
		return 0;		/* an auto-reply never moves a ticket */
	if (m->direction == DIR_OUT) {
		if (!newest)
			return 0;
		/* A team answer: the ticket is being worked on.  Resolution is an
		 * explicit act (done folder, keyword or command), never implied. */
		if (t->status == STATUS_NEW)
			t->status = STATUS_OPEN;
		return 0;
	}
	t->exchanges++;
	if (m->date > t->last_inbound)
		t->last_inbound = m->date;
	if (!newest)
		return 0;
	if (t->status == STATUS_RESOLVED || t->status == STATUS_CLOSED) {
		t->status = STATUS_OPEN;
		reopened = 1;
	} else if (t->status == STATUS_PENDING)
		t->status = STATUS_OPEN;	/* the customer answered */
	return reopened;
}
