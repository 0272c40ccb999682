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
		/* A team answer: the ticket is being worked on.  Resolution is an
		 * explicit act (done folder, keyword or command), never implied.
		 * NEW -> OPEN holds however late the answer arrives (a social
		 * connector reads the brand's replies after the mentions). */
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

/* log10 of x >= 1 without libm (configure links none): halve into [1, 2),
 * then ln x = 2 atanh((x - 1) / (x + 1)), a series that converges fast
 * there (|y| <= 1/3). */
static double
log10_ge1(double x)
{
	double r = 0, y, y2, term, sum = 0;
	int k;

	while (x >= 2) {
		x /= 2;
		r += 0.301029995663981195;	/* log10 2 */
	}
	y = (x - 1) / (x + 1);
	y2 = y * y;
	for (k = 1, term = y; k < 40; k += 2, term *= y2)
		sum += term / k;
	return r + 2 * sum / 2.302585092994045684;	/* ln 10 */
}

void
policy_urgency(double sentiment, int scored, int public, long reach,
    struct policy_urgency *out)
{
	out->negativity = scored && sentiment < 0 ? -sentiment : 0;
	if (out->negativity > 1)
		out->negativity = 1;
	out->visibility = public ? POLICY_PUBLIC : POLICY_PRIVATE;
	out->reach = 0;
	if (public && reach >= 10) {
		out->reach = POLICY_REACH_WEIGHT * log10_ge1((double)reach);
		if (out->reach > POLICY_REACH_MAX)
			out->reach = POLICY_REACH_MAX;
	}
	out->urgency = out->negativity * (out->visibility + out->reach);
	if (out->urgency >= POLICY_URGENT)
		out->priority = PRIO_URGENT;
	else if (out->urgency >= POLICY_HIGH)
		out->priority = PRIO_HIGH;
	else if (scored && sentiment >= POLICY_LOW_SENTIMENT)
		out->priority = PRIO_LOW;
	else
		out->priority = PRIO_NORMAL;
}
