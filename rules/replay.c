/* replay.c -- a candidate configuration against the deployed one over
 * stored history: both decide every message of a ticket again, then the
 * SLA clocks of each outcome are computed and the two compared; see
 * replay.h.  Pure: no I/O, no clock.
 *
 * Speed: replay is meant for a month of traffic, millions of messages.
 * Each side keeps one struct decide and one ticket, reset per message or
 * ticket, so deciding allocates nothing after the first tickets (the
 * rules run's scratch is reused); decide_message builds no events here
 * (decisions_only).  The clocks are computed once per ticket when both
 * sides end with the same targets, calendar and facts -- most tickets,
 * for a change that touches a few rules. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/model.h"
#include "intake/message.h"
#include "rules/conf.h"
#include "rules/decide.h"
#include "rules/policy.h"
#include "rules/replay.h"
#include "rules/rules.h"
#include "rules/sla.h"

#define BY_DEFAULT	(-1)	/* set by the default policy (or never set) */
#define BY_ASKED	(-2)	/* the default escalation: the customer asked */
#define BY_CHANNEL	(-3)	/* where the channel starts its tickets */

#define FACTS_MAX	100000	/* facts of one ticket, as the sweep allows */

/* Per rule of one side. */
struct rstat {
	long		 matches, tickets, changed;
	int64_t		 last_matched, last_changed;	/* ticket ids, to count once */
};

struct replay_side_state {
	const struct conf		*conf;
	const struct rules		*rules;
	size_t				 rules_count;
	const struct sla_calendar	*cal[TIER_MAX + 1];
	struct rstat			*rstat;
	struct decide			 dec;
	struct ticket			 t;
	int				 by[REPLAY_WHATS];	/* rule index or BY_* */
	int				 escalated;
	struct sla_fact			*facts;
	size_t				 facts_count, facts_cap;
	time_t				*esc;		/* escalation times */
	size_t				 esc_count, esc_cap;
	struct sla_clock		 clocks[SLA_KINDS];
	long				 breach[SLA_KINDS], warn[SLA_KINDS];
};

const char *const replay_event_kinds[] = {
	"answered-flag", "pending", "resolved", "closed", "reopened", "assigned",
	"acknowledged", NULL
};

int
replay_event_fact(const char *kind)
{
	static const int facts[] = {
		SLA_FACT_OUT, SLA_FACT_PENDING, SLA_FACT_RESOLVED, SLA_FACT_RESOLVED,
		SLA_FACT_REOPENED, SLA_FACT_ACK, SLA_FACT_ACK
	};
	size_t i;

	for (i = 0; replay_event_kinds[i] != NULL; i++)
		if (strcmp(replay_event_kinds[i], kind) == 0)
			return facts[i];
	return -1;
}

/* ---- set-up --------------------------------------------------------- */

/* 1 when the calendars count the same business time. */
static int
calendar_same(const struct conf_calendar *a, const struct conf_calendar *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (strcmp(a->timezone, b->timezone) != 0 || a->hours_count != b->hours_count ||
	    a->holidays_count != b->holidays_count)
		return 0;
	for (i = 0; i < a->hours_count; i++)
		if (a->hours[i].days != b->hours[i].days ||
		    a->hours[i].start != b->hours[i].start || a->hours[i].end != b->hours[i].end)
			return 0;
	for (i = 0; i < a->holidays_count; i++)
		if (a->holidays[i].year != b->holidays[i].year ||
		    a->holidays[i].month != b->holidays[i].month ||
		    a->holidays[i].day != b->holidays[i].day)
			return 0;
	return 1;
}

int
replay_init(struct replay *r, const struct replay_config *baseline,
    const struct replay_config *candidate, time_t now, struct err *e)
{
	const struct replay_config *cfg[REPLAY_SIDES] = { baseline, candidate };
	const struct conf_tier *ta, *tb;
	struct replay_side_state *s;
	int k, n;

	memset(r, 0, sizeof(*r));
	r->now = now;
	for (k = 0; k < REPLAY_SIDES; k++) {
		if ((s = r->side[k] = calloc(1, sizeof(*s))) == NULL)
			goto nomem;
		decide_init(&s->dec);
		ticket_init(&s->t);
		s->conf = cfg[k]->conf;
		s->rules = s->conf != NULL ? s->conf->compiled : NULL;
		s->rules_count = rules_count(s->rules);
		memcpy(s->cal, cfg[k]->cal, sizeof(s->cal));
		if (s->rules_count > 0 &&
		    (s->rstat = calloc(s->rules_count, sizeof(*s->rstat))) == NULL)
			goto nomem;
	}
	for (n = TIER_MIN; n <= TIER_MAX; n++) {
		ta = baseline->conf != NULL ? conf_tier_find(baseline->conf, n) : NULL;
		tb = candidate->conf != NULL ? conf_tier_find(candidate->conf, n) : NULL;
		r->cal_same[n] = calendar_same(ta != NULL ? ta->calendar : NULL,
		    tb != NULL ? tb->calendar : NULL);
	}
	return 0;
nomem:
	replay_release(r);
	return err_set(e, ERR_NOMEM, "out of memory replaying");
}

void
replay_release(struct replay *r)
{
	struct replay_side_state *s;
	int k;

	if (r == NULL)
		return;
	for (k = 0; k < REPLAY_SIDES; k++) {
		if ((s = r->side[k]) == NULL)
			continue;
		decide_release(&s->dec);
		ticket_release(&s->t);
		free(s->rstat);
		free(s->facts);
		free(s->esc);
		free(s);
		r->side[k] = NULL;
	}
	free(r->base);
	r->base = NULL;
	r->base_count = r->base_cap = 0;
}

/* 1 when the rule source reads the customer's text: the word `text` or
 * `amount` outside quoted strings.  rules.h does not say which fields a
 * compiled program reads, so this reads the source; a false positive only
 * costs reading text that is not needed. */
static int
source_reads_text(const char *s)
{
	size_t n;

	while (s != NULL && *s != '\0') {
		if (*s == '"') {
			for (s++; *s != '\0' && *s != '"'; s++)
				if (*s == '\\' && s[1] != '\0')
					s++;
			if (*s == '"')
				s++;
			continue;
		}
		n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");
		if (n == 0) {
			s++;
			continue;
		}
		if ((n == 4 && strncmp(s, "text", 4) == 0) ||
		    (n == 6 && strncmp(s, "amount", 6) == 0))
			return 1;
		s += n;
	}
	return 0;
}

int
replay_text(const struct replay_config *baseline, const struct replay_config *candidate)
{
	const struct replay_config *cfg[REPLAY_SIDES] = { baseline, candidate };
	const struct conf *c;
	size_t i;
	int k;

	for (k = 0; k < REPLAY_SIDES; k++) {
		if ((c = cfg[k]->conf) == NULL)
			continue;
		for (i = 0; i < c->rules_count; i++)
			if (source_reads_text(c->rules[i].when) ||
			    source_reads_text(c->rules[i].then))
				return 1;
	}
	return 0;
}

/* ---- deciding ------------------------------------------------------- */

static int
push_time(struct replay_side_state *s, time_t at, struct err *e)
{
	time_t *p;
	size_t cap;

	if (s->esc_count == s->esc_cap) {
		cap = s->esc_cap ? s->esc_cap * 2 : 16;
		if ((p = realloc(s->esc, cap * sizeof(*p))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory replaying");
		s->esc = p;
		s->esc_cap = cap;
	}
	s->esc[s->esc_count++] = at;
	return 0;
}

/* Decides message m of ticket rt under side s, and notes who set what. */
static int
decide_one(struct replay *r, struct replay_side_state *s, const struct replay_ticket *rt,
    const struct replay_msg *rm, int first, struct err *e)
{
	struct decide_in din;
	const struct rules_effect *ef;
	const struct rules_run *run = &s->dec.run;
	struct ticket *t = &s->t;
	int tier_before, newest, tier_rule = 0;
	size_t i;

	if (first) {
		const char *dep;
		int entry;

		policy_ticket_open(t, &r->m);
		t->id = rt->id;
		/* Where this side's configuration starts the channel's tickets,
		 * as intake does. */
		if ((entry = conf_channel_entry(s->conf, rm->channel, &dep)) >= 0) {
			t->tier = entry;
			s->by[REPLAY_TIER] = BY_CHANNEL;
		}
		free(t->department);
		t->department = NULL;
		if (dep != NULL && (t->department = strdup(dep)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory replaying a ticket");
		if (dep != NULL)
			s->by[REPLAY_DEPARTMENT] = BY_CHANNEL;
	}
	tier_before = t->tier;
	newest = r->m.date >= t->last_inbound;
	memset(&din, 0, sizeof(din));
	din.m = &r->m;
	din.channel = rm->channel != NULL ? rm->channel : "";
	din.kind = rm->kind != NULL ? rm->kind : "mbox";
	din.rules = s->rules;
	din.prescored = rm->scored;
	din.decisions_only = 1;
	din.no_asks = !rt->asked;
	decide_reset(&s->dec);
	if (decide_message(&s->dec, &din, t, &r->m, e) == -1)
		return -1;

	if (s->dec.customer && newest) {
		s->by[REPLAY_PRIORITY] = BY_DEFAULT;	/* the default, unless a rule */
		if (s->rules_count > 0) {
			for (i = 0; i < run->hits_count; i++) {
				struct rstat *st = &s->rstat[run->hits[i].rule];

				st->matches++;
				if (st->last_matched != rt->id) {
					st->last_matched = rt->id;
					st->tickets++;
				}
			}
			for (i = 0; i < run->effects_count; i++) {
				ef = &run->effects[i];
				switch (ef->act) {
				case RULES_PRIORITY:
					s->by[REPLAY_PRIORITY] = (int)ef->rule;
					break;
				case RULES_TIER:
				case RULES_ESCALATE:
					s->by[REPLAY_TIER] = (int)ef->rule;
					tier_rule = 1;
					break;
				case RULES_AUTHORITY:
					if (ef->to != ef->from) {
						s->by[REPLAY_TIER] = (int)ef->rule;
						tier_rule = 1;
					}
					break;
				case RULES_DEPARTMENT:
					s->by[REPLAY_DEPARTMENT] = (int)ef->rule;
					break;
				default:
					break;
				}
			}
		}
		if (t->tier > tier_before && !tier_rule)
			s->by[REPLAY_TIER] = BY_ASKED;
	}
	/* A move up the tiers hands the ticket on: pick-up starts, resolution
	 * restarts (the "escalated" event a sweep reads). */
	if (t->tier > tier_before) {
		s->escalated = 1;
		if (push_time(s, r->m.date, e) == -1)
			return -1;
	}
	return 0;
}

/* ---- the clocks ----------------------------------------------------- */

static int
facts_push(struct sla_fact **f, size_t *count, size_t *cap, time_t at, int kind,
    struct err *e)
{
	struct sla_fact *p;
	size_t n;

	if (*count == *cap) {
		if (*cap >= FACTS_MAX)
			return err_set(e, ERR_DATA, "a ticket has more than %d messages "
			    "and events", FACTS_MAX);
		n = *cap ? *cap * 2 : 64;
		if ((p = realloc(*f, n * sizeof(*p))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory replaying");
		*f = p;
		*cap = n;
	}
	(*f)[*count].at = at;
	(*f)[(*count)++].kind = kind;
	return 0;
}

/* By time, equal times in the order given: a stable insertion sort, about
 * linear on facts that come nearly sorted (as the sweep sorts them). */
static void
facts_sort(struct sla_fact *f, size_t n)
{
	struct sla_fact tmp;
	size_t i, j;

	for (i = 1; i < n; i++) {
		tmp = f[i];
		for (j = i; j > 0 && f[j - 1].at > tmp.at; j--)
			f[j] = f[j - 1];
		f[j] = tmp;
	}
}

/* The facts shared by both sides: messages, then stored events. */
static int
base_facts(struct replay *r, const struct replay_ticket *rt, struct err *e)
{
	const struct replay_msg *m;
	size_t i;

	r->base_count = 0;
	for (i = 0; i < rt->msgs_count; i++) {
		m = &rt->msgs[i];
		if (!m->automatic && facts_push(&r->base, &r->base_count, &r->base_cap,
		    m->date, m->direction == DIR_OUT ? SLA_FACT_OUT : SLA_FACT_IN, e) == -1)
			return -1;
	}
	for (i = 0; i < rt->events_count; i++)
		if (facts_push(&r->base, &r->base_count, &r->base_cap, rt->events[i].at,
		    rt->events[i].kind, e) == -1)
			return -1;
	facts_sort(r->base, r->base_count);
	return 0;
}

/* Side s's facts: the shared ones, its escalations, and its status where
 * no event says since when (as the sweep takes it). */
static int
side_facts(struct replay *r, struct replay_side_state *s, struct err *e)
{
	size_t i;
	int pending = 0, resolved = 0;

	s->facts_count = 0;
	for (i = 0; i < r->base_count; i++) {
		pending |= r->base[i].kind == SLA_FACT_PENDING;
		resolved |= r->base[i].kind == SLA_FACT_RESOLVED;
		if (facts_push(&s->facts, &s->facts_count, &s->facts_cap, r->base[i].at,
		    r->base[i].kind, e) == -1)
			return -1;
	}
	for (i = 0; i < s->esc_count; i++)
		if (facts_push(&s->facts, &s->facts_count, &s->facts_cap, s->esc[i],
		    SLA_FACT_ESCALATED, e) == -1)
			return -1;
	if ((s->t.status == STATUS_RESOLVED || s->t.status == STATUS_CLOSED) && !resolved &&
	    facts_push(&s->facts, &s->facts_count, &s->facts_cap, s->t.updated,
	    SLA_FACT_RESOLVED, e) == -1)
		return -1;
	if (s->t.status == STATUS_PENDING && !pending &&
	    facts_push(&s->facts, &s->facts_count, &s->facts_cap, s->t.updated,
	    SLA_FACT_PENDING, e) == -1)
		return -1;
	if (s->esc_count > 0 || s->facts_count > r->base_count)
		facts_sort(s->facts, s->facts_count);
	return 0;
}

/* Did clock c breach, and did its warning fall, by now? */
static void
clock_count(const struct sla_clock *c, time_t now, long *breach, long *warn)
{
	time_t until = c->stopped != 0 ? c->stopped : now;

	if (c->state == SLA_MISSED ||
	    (c->state == SLA_RUNNING && c->deadline != SLA_NEVER && c->deadline <= now))
		(*breach)++;
	if ((c->state == SLA_RUNNING || c->state == SLA_MET || c->state == SLA_MISSED) &&
	    c->warn_at != 0 && c->warn_at != SLA_NEVER && c->warn_at <= until)
		(*warn)++;
}

/* Every next-response run, not only the last one sla_clocks reports: a
 * cycle starts at a customer message while nothing is owed and stops at
 * the team's answer or the resolution (rules/sla.c's walk). */
static void
next_responses(const struct sla_calendar *cal, long target, int warn_pct,
    const struct sla_fact *f, size_t n, time_t now, long *breach, long *warn)
{
	struct sla_clock c;
	time_t start = 0;
	int waiting = 0, resolved = 0, cycles = 0;
	size_t i;

	for (i = 0; i < n && f[i].at <= now; i++) {
		switch (f[i].kind) {
		case SLA_FACT_IN:
			resolved = 0;
			if (!waiting) {
				waiting = 1;
				start = f[i].at;
				cycles++;
			}
			break;
		case SLA_FACT_OUT:
		case SLA_FACT_RESOLVED:
			if (f[i].kind == SLA_FACT_RESOLVED) {
				if (resolved)
					break;
				resolved = 1;
			}
			if (waiting) {
				waiting = 0;
				if (cycles >= 2) {
					sla_clock_run(cal, target, warn_pct, start, NULL, 0,
					    f[i].at, now, &c);
					clock_count(&c, now, breach, warn);
				}
			}
			break;
		case SLA_FACT_REOPENED:
			resolved = 0;
			break;
		default:
			break;
		}
	}
	if (waiting && cycles >= 2) {
		sla_clock_run(cal, target, warn_pct, start, NULL, 0, 0, now, &c);
		clock_count(&c, now, breach, warn);
	}
}

static void
side_clocks(struct replay *r, struct replay_side_state *s, const struct conf_tier *tier,
    const long targets[SLA_KINDS])
{
	const struct sla_calendar *cal = s->cal[s->t.tier];
	int warn_pct, k;

	memset(s->breach, 0, sizeof(s->breach));
	memset(s->warn, 0, sizeof(s->warn));
	if (tier == NULL)
		return;		/* no configuration, or no such tier: no clocks */
	warn_pct = s->conf->warn_at;
	sla_clocks(cal, targets, warn_pct, s->facts, s->facts_count, r->now, s->clocks);
	for (k = 0; k < SLA_KINDS; k++)
		if (k != SLA_NEXT_RESPONSE && s->clocks[k].state != SLA_NONE)
			clock_count(&s->clocks[k], r->now, &s->breach[k], &s->warn[k]);
	if (targets[SLA_NEXT_RESPONSE] > 0)
		next_responses(cal, targets[SLA_NEXT_RESPONSE], warn_pct, s->facts,
		    s->facts_count, r->now, &s->breach[SLA_NEXT_RESPONSE],
		    &s->warn[SLA_NEXT_RESPONSE]);
}

static int
ticket_clocks(struct replay *r, struct err *e)
{
	struct replay_side_state *a = r->side[REPLAY_BASELINE], *b = r->side[REPLAY_CANDIDATE];
	const struct conf_tier *tier[REPLAY_SIDES];
	long targets[REPLAY_SIDES][SLA_KINDS];
	struct replay_side_state *s;
	int k;

	for (k = 0; k < REPLAY_SIDES; k++) {
		s = r->side[k];
		tier[k] = s->conf != NULL ? conf_tier_find(s->conf, s->t.tier) : NULL;
		sla_targets(tier[k], s->t.priority, targets[k]);
		if (tier[k] != NULL && side_facts(r, s, e) == -1)
			return -1;
	}
	side_clocks(r, a, tier[0], targets[0]);
	/* The same inputs give the same clocks: most tickets, most changes. */
	if (tier[0] != NULL && tier[1] != NULL && a->t.tier == b->t.tier &&
	    r->cal_same[a->t.tier] && a->conf->warn_at == b->conf->warn_at &&
	    memcmp(targets[0], targets[1], sizeof(targets[0])) == 0 &&
	    a->facts_count == b->facts_count &&
	    memcmp(a->facts, b->facts, a->facts_count * sizeof(*a->facts)) == 0) {
		memcpy(b->breach, a->breach, sizeof(b->breach));
		memcpy(b->warn, a->warn, sizeof(b->warn));
	} else
		side_clocks(r, b, tier[1], targets[1]);

	for (k = 0; k < REPLAY_SIDES; k++) {
		long any = 0, n;
		int c;

		s = r->side[k];
		for (c = 0; c < SLA_KINDS; c++) {
			r->res.breaches[k][c] += s->breach[c];
			r->res.warnings[k][c] += s->warn[c];
			any += s->breach[c];
			/* one mail per warning and per breach, to the tier owner */
			if (s->conf != NULL && s->conf->smtp != NULL && tier[k] != NULL) {
				n = s->breach[c] + s->warn[c];
				r->res.notify_sla[k] += n;
				r->res.notify_sla_warnings[k] += s->warn[c];
			}
		}
		r->res.tickets_breached[k] += any > 0;
	}
	for (k = 0; k < SLA_KINDS; k++) {
		if (b->breach[k] > a->breach[k])
			r->res.gained[k] += b->breach[k] - a->breach[k];
		else
			r->res.avoided[k] += a->breach[k] - b->breach[k];
	}
	return 0;
}

/* ---- the differences ------------------------------------------------ */

static void
value_text(int what, const struct ticket *t, char *out, size_t len)
{
	switch (what) {
	case REPLAY_PRIORITY:
		(void)snprintf(out, len, "%s", priority_name(t->priority));
		break;
	case REPLAY_TIER:
		(void)snprintf(out, len, "%d", t->tier);
		break;
	default:
		(void)snprintf(out, len, "%s", t->department != NULL ? t->department : "");
		break;
	}
}

static int
differs(int what, const struct ticket *a, const struct ticket *b)
{
	switch (what) {
	case REPLAY_PRIORITY:
		return a->priority != b->priority;
	case REPLAY_TIER:
		return a->tier != b->tier;
	default:
		if (a->department == NULL || b->department == NULL)
			return a->department != b->department;
		return strcmp(a->department, b->department) != 0;
	}
}

static int
stored_differs(int what, const struct ticket *t, const struct replay_ticket *rt)
{
	switch (what) {
	case REPLAY_PRIORITY:
		return t->priority != rt->priority;
	case REPLAY_TIER:
		return t->tier != rt->tier;
	default:
		if (t->department == NULL || rt->department == NULL)
			return t->department != rt->department;
		return strcmp(t->department, rt->department) != 0;
	}
}

static void
ticket_diff(struct replay *r, const struct replay_ticket *rt)
{
	struct replay_side_state *a = r->side[REPLAY_BASELINE], *b = r->side[REPLAY_CANDIDATE];
	struct replay_example *ex;
	struct rstat *st;
	int w, k, any = 0, side, rule;

	for (k = 0; k < REPLAY_SIDES; k++) {
		r->res.escalated[k] += r->side[k]->escalated;
		for (w = 0; w < REPLAY_WHATS; w++)
			r->res.stored_differs[k][w] += stored_differs(w, &r->side[k]->t, rt);
	}
	for (w = 0; w < REPLAY_WHATS; w++) {
		if (!differs(w, &a->t, &b->t))
			continue;
		any = 1;
		r->res.changed_by[w]++;
		/* whose doing: the rule behind the candidate's value, else the
		 * one behind the baseline's, else the default policy */
		if (b->by[w] >= 0) {
			side = REPLAY_CANDIDATE;
			rule = b->by[w];
		} else if (a->by[w] >= 0) {
			side = REPLAY_BASELINE;
			rule = a->by[w];
		} else {
			side = REPLAY_CANDIDATE;
			rule = -1;
		}
		if (rule >= 0) {
			st = &r->side[side]->rstat[rule];
			if (st->last_changed != rt->id) {
				st->last_changed = rt->id;
				st->changed++;
			}
		}
		if (r->res.examples_count[w] < REPLAY_EXAMPLES) {
			ex = &r->res.examples[w][r->res.examples_count[w]++];
			ex->ticket = rt->id;
			value_text(w, &a->t, ex->from, sizeof(ex->from));
			value_text(w, &b->t, ex->to, sizeof(ex->to));
			ex->rule = rule >= 0 ? rules_name(r->side[side]->rules, (size_t)rule) : NULL;
			ex->side = side;
			ex->channel = rule < 0 && (b->by[w] == BY_CHANNEL || a->by[w] == BY_CHANNEL);
		}
	}
	r->res.changed += any;
}

int
replay_ticket(struct replay *r, const struct replay_ticket *rt, struct err *e)
{
	struct replay_side_state *s;
	const struct replay_msg *rm;
	const char *n0, *n1;
	size_t i;
	int k, w;

	if (rt->msgs_count == 0)
		return 0;
	for (k = 0; k < REPLAY_SIDES; k++) {
		s = r->side[k];
		ticket_release(&s->t);
		ticket_init(&s->t);
		for (w = 0; w < REPLAY_WHATS; w++)
			s->by[w] = BY_DEFAULT;
		s->escalated = 0;
		s->esc_count = 0;
	}
	for (i = 0; i < rt->msgs_count; i++) {
		rm = &rt->msgs[i];
		memset(&r->m, 0, sizeof(r->m));
		r->m.message_id = "";
		r->m.from_name = rm->from_name != NULL ? rm->from_name : "";
		r->m.from_addr = rm->from_addr != NULL ? rm->from_addr : "";
		r->m.to = r->m.cc = "";
		r->m.subject = rm->subject != NULL ? rm->subject : "";
		r->m.date = r->m.received = rm->date;
		r->m.direction = rm->direction;
		r->m.public = rm->public;
		r->m.reach = rm->reach;
		r->m.text = r->m.text_scored = rm->text;
		r->m.scored = rm->scored;
		r->m.sentiment = rm->sentiment;
		r->m.auto_reason = rm->automatic ? AUTO_SUBMITTED : NULL;
		for (k = 0; k < REPLAY_SIDES; k++) {
			s = r->side[k];
			if (decide_one(r, s, rt, rm, i == 0, e) == -1)
				return -1;
			r->res.decided[k] += s->dec.customer;
			r->res.notify_rules[k] += s->dec.notify_to.len > 0;
		}
		n0 = r->side[REPLAY_BASELINE]->dec.notify_to.buf;
		n1 = r->side[REPLAY_CANDIDATE]->dec.notify_to.buf;
		n0 = n0 != NULL ? n0 : "";
		n1 = n1 != NULL ? n1 : "";
		if (strcmp(n0, n1) != 0) {
			r->res.notify_gained += *n1 != '\0';
			r->res.notify_lost += *n0 != '\0';
		}
	}
	r->res.tickets++;
	r->res.messages += (long)rt->msgs_count;
	ticket_diff(r, rt);
	if (base_facts(r, rt, e) == -1)
		return -1;
	return ticket_clocks(r, e);
}

/* ---- top rules ------------------------------------------------------ */

static int
rule_cmp(const void *x, const void *y)
{
	const struct replay_rule *a = x, *b = y;
	int c;

	if (a->tickets_changed != b->tickets_changed)
		return a->tickets_changed > b->tickets_changed ? -1 : 1;
	if (a->matches != b->matches)
		return a->matches > b->matches ? -1 : 1;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return b->side - a->side;	/* the candidate's first */
}

size_t
replay_top_rules(const struct replay *r, struct replay_rule *out, size_t max)
{
	const struct replay_side_state *s;
	struct replay_rule *all;
	size_t i, n = 0, total = 0;
	int k;

	for (k = 0; k < REPLAY_SIDES; k++)
		total += r->side[k] != NULL ? r->side[k]->rules_count : 0;
	if (total == 0 || max == 0 || (all = calloc(total, sizeof(*all))) == NULL)
		return 0;	/* out of memory: no ranking, the counts stand */
	for (k = 0; k < REPLAY_SIDES; k++) {
		if ((s = r->side[k]) == NULL)
			continue;
		for (i = 0; i < s->rules_count; i++) {
			if (s->rstat[i].changed == 0)
				continue;
			all[n].name = rules_name(s->rules, i);
			all[n].side = k;
			all[n].tickets_changed = s->rstat[i].changed;
			all[n].matches = s->rstat[i].matches;
			all[n].tickets = s->rstat[i].tickets;
			n++;
		}
	}
	qsort(all, n, sizeof(*all), rule_cmp);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*all));
	free(all);
	return n;
}
