/* sweep.c -- `escalator sweep` and sweep_run (sweep.h): SLA clocks from
 * the store through rules/sla.c, warnings and breaches recorded once,
 * the default breach rule, and notifications queued in the outbox.
 *
 * What a fact is, for the clocks (rules/sla.h):
 *   customer message (not automatic)      SLA_FACT_IN at its date
 *   team message, event "answered-flag"   SLA_FACT_OUT
 *   event "pending"                       SLA_FACT_PENDING (resolution pauses)
 *   event "resolved" or "closed"          SLA_FACT_RESOLVED
 *   event "reopened"                      SLA_FACT_REOPENED
 *   event "escalated", hierarchical, up   SLA_FACT_ESCALATED (pickup starts)
 *   event "assigned" or "acknowledged"    SLA_FACT_ACK (pickup stops)
 * A ticket whose status is pending, resolved or closed with no event
 * saying since when is taken to be so since its last activity.
 *
 * Notification Message-IDs are <escalator.T.N.KIND.LEVEL@host>: T the
 * start of the clock's run, N the ticket, host the domain of the smtp
 * sender.  All of ticket N's notifications answer <escalator.N@host>, so
 * mail clients thread them together. */
#include "config.h"

#include <inttypes.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "cli/notice.h"
#include "cli/sweep.h"
#include "cli/ticket.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/model.h"
#include "common/tz.h"
#include "common/util.h"
#include "connectors/smtp_compose.h"
#include "rules/conf.h"
#include "rules/handoff.h"
#include "rules/notify.h"
#include "rules/sla.h"
#include "store/store.h"

#define SWEEP_BATCH	500		/* tickets or clocks per transaction */
#define SWEEP_ROUNDS	4		/* recompute/fire rounds per sweep */
#define SWEEP_FACTS_MAX	100000		/* facts of one ticket */
#define MAIL_MAX	COMPOSE_MAX

struct sweep_cal {
	struct tz		*tz;
	struct sla_calendar	 cal;
	int			 state;		/* 0 not loaded, 1 ready, -1 failed */
};

struct sweep {
	struct cli		*cli;
	const struct conf	*conf;
	struct store		*st;
	time_t			 now;
	struct sweep_stats	*stats;
	struct sweep_cal	*cals;		/* by index in conf->calendars */
	char			 host[256];
	long			 moved;		/* escalations this round */
	struct store_clock	*due;		/* SWEEP_BATCH of them */

	/* one ticket's facts */
	struct sla_fact		*facts;
	size_t			 facts_count, facts_cap;
	int			 has_pending, has_resolved;

	/* one ticket's thread and history, for a notice (cli/notice.c) */
	struct notice_data	 nd;
};

/*
 * Calendars, loaded on first use.
 */

static int
calendar_load(struct sweep *sw, const struct conf_calendar *cal, struct sweep_cal **out,
    struct err *e)
{
	struct sweep_cal *c = &sw->cals[cal - sw->conf->calendars];

	if (c->state == 0) {
		c->state = -1;
		if (tz_load(cal->timezone, &c->tz, e) == -1 ||
		    sla_calendar_init(&c->cal, cal, c->tz, e) == -1)
			return -1;
		c->state = 1;
	}
	if (c->state == -1)
		return err_set(e, ERR_CONFIG, "calendar '%s' cannot be used", cal->name);
	*out = c;
	return 0;
}

static int
calendar_for(struct sweep *sw, const struct conf_tier *tier,
    const struct sla_calendar **out, struct err *e)
{
	struct sweep_cal *c;

	*out = NULL;
	if (tier == NULL || tier->calendar == NULL)
		return 0;	/* round the clock */
	if (calendar_load(sw, tier->calendar, &c, e) == -1)
		return -1;
	*out = &c->cal;
	return 0;
}

/* The zone a notice shows times in: the tier's calendar's, else the
 * first calendar's (as the digest does), else UTC (NULL). */
static int
zone_for(struct sweep *sw, const struct conf_tier *tier, const struct tz **out,
    struct err *e)
{
	const struct conf_calendar *cal = conf_zone_calendar(sw->conf, tier);
	struct sweep_cal *c;

	*out = NULL;
	if (cal == NULL)
		return 0;
	if (calendar_load(sw, cal, &c, e) == -1)
		return -1;
	*out = c->tz;
	return 0;
}

/*
 * Facts.
 */

static int
fact_push(struct sweep *sw, time_t at, int kind, struct err *e)
{
	struct sla_fact *f;
	size_t cap;

	if (sw->facts_count == sw->facts_cap) {
		if (sw->facts_cap >= SWEEP_FACTS_MAX)
			return err_set(e, ERR_DATA, "a ticket has more than %d messages "
			    "and events", SWEEP_FACTS_MAX);
		cap = sw->facts_cap ? sw->facts_cap * 2 : 64;
		if ((f = realloc(sw->facts, cap * sizeof(*f))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory sweeping");
		sw->facts = f;
		sw->facts_cap = cap;
	}
	sw->facts[sw->facts_count].at = at;
	sw->facts[sw->facts_count++].kind = kind;
	return 0;
}

static int
fact_msg(void *arg, const struct store_msg *m, struct err *e)
{
	struct sweep *sw = arg;

	if (m->auto_reason != NULL)
		return 0;	/* an auto-reply never moves a clock */
	return fact_push(sw, m->date != 0 ? m->date : m->received,
	    m->direction == DIR_OUT ? SLA_FACT_OUT : SLA_FACT_IN, e);
}

/* 1 when an "escalated" event moved the ticket up the tiers. */
static int
escalated_up(const char *detail)
{
	json_t *o, *type, *from, *to;
	int up = 0;

	if (detail == NULL || (o = json_loads(detail, 0, NULL)) == NULL)
		return 0;
	type = json_object_get(o, "type");
	from = json_object_get(o, "from");
	to = json_object_get(o, "to");
	if (json_is_string(type) && strcmp(json_string_value(type), "hierarchical") == 0 &&
	    json_is_integer(from) && json_is_integer(to) &&
	    json_integer_value(to) > json_integer_value(from))
		up = 1;
	json_decref(o);
	return up;
}

static int
fact_event(void *arg, const struct store_event *ev, struct err *e)
{
	struct sweep *sw = arg;
	const char *k = ev->kind;

	if (k == NULL)
		return 0;
	if (strcmp(k, "answered-flag") == 0)
		return fact_push(sw, ev->at, SLA_FACT_OUT, e);
	if (strcmp(k, "pending") == 0) {
		sw->has_pending = 1;
		return fact_push(sw, ev->at, SLA_FACT_PENDING, e);
	}
	if (strcmp(k, "resolved") == 0 || strcmp(k, "closed") == 0) {
		sw->has_resolved = 1;
		return fact_push(sw, ev->at, SLA_FACT_RESOLVED, e);
	}
	if (strcmp(k, "reopened") == 0)
		return fact_push(sw, ev->at, SLA_FACT_REOPENED, e);
	if (strcmp(k, "escalated") == 0 && escalated_up(ev->detail))
		return fact_push(sw, ev->at, SLA_FACT_ESCALATED, e);
	if (strcmp(k, "assigned") == 0 || strcmp(k, "acknowledged") == 0)
		return fact_push(sw, ev->at, SLA_FACT_ACK, e);
	return 0;
}

/* By time, equal times in the order given (messages before events):
 * qsort is not stable, and each list comes sorted already, so a stable
 * insertion sort of the two is about linear. */
static void
facts_sort(struct sla_fact *f, size_t n)
{
	size_t i, j;
	struct sla_fact tmp;

	for (i = 1; i < n; i++) {
		tmp = f[i];
		for (j = i; j > 0 && f[j - 1].at > tmp.at; j--)
			f[j] = f[j - 1];
		f[j] = tmp;
	}
}

/*
 * Recomputing one ticket's clocks.
 */

static time_t
no_never(time_t t)
{
	return t == SLA_NEVER ? 0 : t;
}

static int
event_json(struct sweep *sw, int64_t ticket, const char *kind, json_t *o, struct err *e)
{
	return store_event_json(sw->st, ticket, sw->now, kind, "escalator", o, e);
}

static json_t *
sla_detail(const struct store_clock *c, const char *level, time_t due)
{
	char d1[32], d2[32];

	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:I}", "clock", c->kind, "level", level,
	    "tier", c->tier, "deadline", c->deadline ? time_rfc3339(c->deadline, d1,
	    sizeof(d1)) : "none", "due", time_rfc3339(due, d2, sizeof(d2)), "cycle",
	    (json_int_t)c->cycle);
}

static int
recompute(struct sweep *sw, int64_t id, struct err *e)
{
	struct ticket t;
	const struct conf_tier *tier;
	const struct sla_calendar *cal;
	struct sla_clock clocks[SLA_KINDS];
	struct store_clock c;
	long targets[SLA_KINDS];
	int k, r, warned, breached;

	if ((r = store_ticket_get(sw->st, id, &t, e)) != 1)
		return r == 0 ? store_sla_clean(sw->st, id, e) : -1;
	sw->facts_count = 0;
	sw->has_pending = sw->has_resolved = 0;
	if (store_ticket_messages(sw->st, id, 0, fact_msg, sw, e) == -1 ||
	    store_ticket_events(sw->st, id, fact_event, sw, e) == -1)
		goto fail;
	if ((t.status == STATUS_RESOLVED || t.status == STATUS_CLOSED) && !sw->has_resolved &&
	    fact_push(sw, t.updated, SLA_FACT_RESOLVED, e) == -1)
		goto fail;
	if (t.status == STATUS_PENDING && !sw->has_pending &&
	    fact_push(sw, t.updated, SLA_FACT_PENDING, e) == -1)
		goto fail;
	facts_sort(sw->facts, sw->facts_count);

	tier = conf_tier_find(sw->conf, t.tier);
	sla_targets(tier, t.priority, targets);
	if (calendar_for(sw, tier, &cal, e) == -1)
		goto fail;
	sla_clocks(cal, targets, sw->conf->warn_at, sw->facts, sw->facts_count, sw->now,
	    clocks);

	for (k = 0; k < SLA_KINDS; k++) {
		if (clocks[k].state == SLA_NONE) {
			if (store_clock_drop(sw->st, id, sla_kind_name(k), e) == -1)
				goto fail;
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.ticket = id;
		(void)esc_strlcpy(c.kind, sla_kind_name(k), sizeof(c.kind));
		(void)esc_strlcpy(c.state, sla_state_name(clocks[k].state), sizeof(c.state));
		c.tier = t.tier;
		c.cycle = c.started = clocks[k].started;
		c.deadline = no_never(clocks[k].deadline);
		c.warn_at = no_never(clocks[k].warn_at);
		c.stopped = clocks[k].stopped;
		c.target = clocks[k].target;
		c.paused_total = clocks[k].paused_total;
		if (store_sla_event_levels(sw->st, id, c.kind, c.cycle, &warned, &breached,
		    e) == -1)
			goto fail;
		/* What the due index must bring back, and when. */
		if (clocks[k].state == SLA_RUNNING || clocks[k].state == SLA_PAUSED) {
			if (!warned && c.warn_at != 0 && clocks[k].state == SLA_RUNNING)
				c.next_due = c.warn_at;
			else if (!breached && c.deadline != 0)
				c.next_due = c.deadline;
		} else if (clocks[k].state == SLA_MISSED && !breached) {
			/* Lapsed and answered between two sweeps: on the record,
			 * for the digest, but nobody is told after the fact. */
			if ((r = store_sla_event_add(sw->st, id, c.kind, c.cycle, "breach",
			    c.tier, c.deadline, sw->now, 0, e)) == -1)
				goto fail;
			if (r == 1) {
				json_t *o = sla_detail(&c, "breach", c.deadline);

				if (o != NULL)
					(void)json_object_set_new(o, "notified", json_false());
				if (event_json(sw, id, "sla-breach", o, e) == -1)
					goto fail;
				sw->stats->missed++;
			}
		}
		if (store_clock_put(sw->st, &c, e) == -1)
			goto fail;
	}
	if (store_sla_clean(sw->st, id, e) == -1)
		goto fail;
	sw->stats->recomputed++;
	ticket_release(&t);
	return 0;
fail:
	ticket_release(&t);
	return -1;
}

/*
 * Notices.
 */

/* The Message-ID of the notice of clock c's warning or breach (level). */
static void
breach_msgid(const struct sweep *sw, int64_t ticket, const struct store_clock *c, int level,
    char *out, size_t len)
{
	(void)snprintf(out, len, "escalator.%lld.%" PRId64 ".%s.%s@%s",
	    (long long)c->cycle, ticket, c->kind, sla_level_name(level), sw->host);
}

/* Queues the notification of one warning or breach; 1 queued, 0 when
 * there is nobody to tell or no smtp block, -1 error. */
static int
queue_notice(struct sweep *sw, struct ticket *t, const struct store_clock *c,
    int level, int escalated_to, struct err *e)
{
	const struct conf_tier *tier = conf_tier_find(sw->conf, c->tier);
	struct notify_rcpts r;
	struct notice n;
	struct buf subject = BUF_INIT(4096), text = BUF_INIT(MAIL_MAX);
	struct buf html = BUF_INIT(MAIL_MAX);
	struct notice_mail nm;
	char msgid[512];
	long earlier = 0;
	int ret = -1;

	if (sw->conf->smtp == NULL)
		return 0;
	if (level == SLA_BREACH && store_sla_breach_count(sw->st, t->id, &earlier, e) == -1)
		return -1;
	/* This breach is recorded already: the earlier ones are the others. */
	if (earlier > 0 && level == SLA_BREACH)
		earlier--;
	notify_recipients(sw->conf, t, t->tier, level, earlier, &r);
	if (r.to == NULL) {
		log_warnx("ticket=%" PRId64 " event=not-notified reason=\"tier %d has no owner\"",
		    t->id, t->tier);
		return 0;
	}

	if (notice_read(&sw->nd, sw->st, t->id, e) == -1)
		goto out;
	memset(&n, 0, sizeof(n));
	n.ticket = t;
	n.clock = sla_kind_from_name(c->kind);
	n.level = level;
	n.tier = c->tier;
	n.tier_name = tier != NULL ? tier->name : NULL;
	if (zone_for(sw, tier, &n.tz, e) == -1)
		goto out;
	n.deadline = c->deadline;
	n.warn_at = c->warn_at;
	n.now = sw->now;
	n.escalated_to = escalated_to;
	n.msgs = sw->nd.msgs;
	n.msgs_count = sw->nd.msgs_count;
	n.events = sw->nd.events;
	n.events_count = sw->nd.events_count;
	if (notify_subject(&n, &subject, e) == -1 || notify_text(&n, &text, e) == -1 ||
	    notify_html(&n, &html, e) == -1)
		goto out;

	breach_msgid(sw, t->id, c, level, msgid, sizeof(msgid));
	memset(&nm, 0, sizeof(nm));
	nm.ticket = t->id;
	nm.from = sw->conf->smtp->from;
	nm.message_id = msgid;
	nm.host = sw->host;
	nm.rcpts = &r;
	nm.subject = subject.buf;
	nm.text = text.buf;
	nm.html = html.buf;
	nm.now = sw->now;
	if (notice_queue(sw->st, &nm, e) == -1 ||
	    event_json(sw, t->id, "notified", json_pack("{s:s, s:s, s:s, s:s}",
	    "message_id", msgid, "to", r.to, "clock", c->kind, "level",
	    sla_level_name(level)), e) == -1)
		goto out;
	log_info("ticket=%" PRId64 " event=notification-queued clock=%s level=%s to=%s "
	    "message_id=%s", t->id, c->kind, sla_level_name(level), r.to, msgid);
	sw->stats->queued++;
	ret = 1;
out:
	buf_release(&subject);
	buf_release(&text);
	buf_release(&html);
	return ret;
}

/*
 * Firing due clocks.
 */

/* The default breach rule: one tier up, to the nearest configured tier. */
static int
escalate(struct sweep *sw, struct ticket *t, const struct store_clock *c, struct err *e)
{
	const struct conf_tier *next = NULL;
	struct ticket_move mv;
	char reason[128], prev[320], msgid[512], *detail;
	json_t *o;
	size_t i;
	int from = t->tier, r;

	for (i = 0; i < sw->conf->tiers_count; i++)
		if (sw->conf->tiers[i].number > t->tier &&
		    (next == NULL || sw->conf->tiers[i].number < next->number))
			next = &sw->conf->tiers[i];
	if (next == NULL)
		return -2;	/* the top already */
	(void)snprintf(reason, sizeof(reason), "SLA breached: %s",
	    sla_kind_label(sla_kind_from_name(c->kind)));
	prev[0] = '\0';
	if (t->owner != NULL)
		(void)esc_strlcpy(prev, t->owner, sizeof(prev));
	/* A hand-off: the new tier's owner takes it. */
	free(t->owner);
	t->owner = NULL;
	t->tier = next->number;
	o = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s}", "type", "hierarchical", "from", from,
	    "to", next->number, "reason", reason,
	    "rule", "default: a resolution breach escalates one tier", "previous_owner", prev);
	if (o == NULL || (detail = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(o);
		return err_set(e, ERR_NOMEM, "out of memory recording an event");
	}
	json_decref(o);
	/* The hand-off summary (cli/ticket.c), as for any escalation: late
	 * by definition, so the department head hears.  Its mail is the
	 * breach notice queued next, to the same owner and head, whose
	 * history shows the hand-off: one mail, not two.  Without an smtp
	 * block the sweep tells nobody, the hand-off included. */
	memset(&mv, 0, sizeof(mv));
	mv.by = HANDOFF_BREACH;
	mv.actor = "escalator";
	mv.reason = reason;
	mv.from_tier = from;
	mv.from_department = t->department;
	mv.escalated = detail;
	breach_msgid(sw, t->id, c, SLA_BREACH, msgid, sizeof(msgid));
	mv.notice_with = sw->conf->smtp != NULL ? msgid : "";
	r = store_ticket_update(sw->st, t, e) == -1 ||
	    store_event_add(sw->st, t->id, sw->now, "escalated", "escalator", detail, e) == -1 ||
	    ticket_handoff(sw->st, sw->conf, t, &mv, sw->now, NULL, e) == -1 ? -1 : 0;
	free(detail);
	if (r == -1)
		return -1;
	log_info("ticket=%" PRId64 " event=escalated tier=%d->%d reason=\"%s\"", t->id,
	    from, next->number, reason);
	sw->stats->escalated++;
	sw->moved++;
	return next->number;
}

static int
fire(struct sweep *sw, const struct store_clock *c, struct err *e)
{
	struct ticket t;
	int r, new_warn = 0, new_breach = 0, warned, breached, to = -1, k;
	time_t next = 0;

	if ((r = store_ticket_get(sw->st, c->ticket, &t, e)) != 1) {
		if (r == 0)	/* cannot happen: tickets are never deleted */
			r = store_clock_set_due(sw->st, c->ticket, c->kind, 0, e);
		return r;
	}
	k = sla_kind_from_name(c->kind);
	if (t.status == STATUS_RESOLVED || t.status == STATUS_CLOSED || k < 0) {
		/* Out of date: the ticket is queued for recomputation. */
		r = store_clock_set_due(sw->st, c->ticket, c->kind, 0, e);
		ticket_release(&t);
		return r;
	}
	if (c->warn_at != 0 && c->warn_at <= sw->now && strcmp(c->state, "running") == 0) {
		if ((new_warn = store_sla_event_add(sw->st, t.id, c->kind, c->cycle, "warning",
		    c->tier, c->warn_at, sw->now, sw->conf->smtp != NULL, e)) == -1)
			goto fail;
	}
	if (c->deadline != 0 && c->deadline <= sw->now) {
		if ((new_breach = store_sla_event_add(sw->st, t.id, c->kind, c->cycle, "breach",
		    c->tier, c->deadline, sw->now, sw->conf->smtp != NULL, e)) == -1)
			goto fail;
	}
	if (new_warn == 1) {
		sw->stats->warnings++;
		log_info("ticket=%" PRId64 " event=sla-warning clock=%s tier=%d", t.id,
		    c->kind, c->tier);
		if (event_json(sw, t.id, "sla-warning", sla_detail(c, "warning", c->warn_at),
		    e) == -1)
			goto fail;
	}
	if (new_breach == 1) {
		sw->stats->breaches++;
		log_info("ticket=%" PRId64 " event=sla-breach clock=%s tier=%d", t.id,
		    c->kind, c->tier);
		if (event_json(sw, t.id, "sla-breach", sla_detail(c, "breach", c->deadline),
		    e) == -1)
			goto fail;
		if (k == SLA_RESOLUTION && (to = escalate(sw, &t, c, e)) == -1)
			goto fail;
	}
	/* One mail per sweep and clock: the breach says all a warning would. */
	if (new_breach == 1) {
		if (queue_notice(sw, &t, c, SLA_BREACH, to >= 0 ? to : -1, e) == -1)
			goto fail;
	} else if (new_warn == 1 && queue_notice(sw, &t, c, SLA_WARNING, -1, e) == -1)
		goto fail;

	if (store_sla_event_levels(sw->st, t.id, c->kind, c->cycle, &warned, &breached,
	    e) == -1)
		goto fail;
	if (!breached && c->deadline > sw->now)
		next = c->deadline;
	if (store_clock_set_due(sw->st, t.id, c->kind, next, e) == -1)
		goto fail;
	ticket_release(&t);
	return 0;
fail:
	ticket_release(&t);
	return -1;
}

/*
 * The sweep.
 */

static int
batch_recompute(struct sweep *sw, int *more, struct err *e)
{
	int64_t ids[SWEEP_BATCH];
	size_t count, i;

	if (store_sla_dirty(sw->st, ids, SWEEP_BATCH, &count, e) == -1)
		return -1;
	*more = count == SWEEP_BATCH;
	if (count == 0)
		return 0;
	if (store_begin(sw->st, e) == -1)
		return -1;
	for (i = 0; i < count; i++)
		if (recompute(sw, ids[i], e) == -1)
			goto fail;
	return store_commit(sw->st, e) == -1 ? (store_rollback(sw->st), -1) : 1;
fail:
	store_rollback(sw->st);
	return -1;
}

static int
batch_fire(struct sweep *sw, int *more, struct err *e)
{
	struct store_clock *clocks = sw->due;
	size_t count, i;

	if (store_clocks_due(sw->st, sw->now, clocks, SWEEP_BATCH, &count, e) == -1)
		return -1;
	*more = count == SWEEP_BATCH;
	if (count == 0)
		return 0;
	if (store_begin(sw->st, e) == -1)
		return -1;
	for (i = 0; i < count; i++)
		if (fire(sw, &clocks[i], e) == -1)
			goto fail;
	return store_commit(sw->st, e) == -1 ? (store_rollback(sw->st), -1) : 1;
fail:
	store_rollback(sw->st);
	return -1;
}

int
sweep_run(struct cli *cli, struct sweep_stats *stats, struct err *e)
{
	struct sweep sw;
	int code, more, round, ret = -1;
	size_t i;

	memset(stats, 0, sizeof(*stats));
	memset(&sw, 0, sizeof(sw));
	sw.cli = cli;
	sw.now = cli->now;
	sw.stats = stats;
	notice_data_init(&sw.nd);
	sw.nd.words = 1;	/* the history of a notice in words */
	if ((sw.conf = cli_conf(cli, &code)) == NULL)
		return err_set(e, ERR_CONFIG, code != 0 ? "invalid configuration" :
		    "sweep needs a configuration with tiers (-c FILE)");
	if ((sw.st = cli_store(cli, &code)) == NULL)
		return err_set(e, ERR_STORE, "cannot open the database");
	if ((sw.conf->calendars_count > 0 &&
	    (sw.cals = calloc(sw.conf->calendars_count, sizeof(*sw.cals))) == NULL) ||
	    (sw.due = calloc(SWEEP_BATCH, sizeof(*sw.due))) == NULL) {
		free(sw.cals);
		return err_set(e, ERR_NOMEM, "out of memory sweeping");
	}
	compose_domain(sw.conf->smtp != NULL ? sw.conf->smtp->from : NULL, sw.host, sizeof(sw.host));

	for (round = 0; round < SWEEP_ROUNDS; round++) {
		sw.moved = 0;
		do {
			if (batch_recompute(&sw, &more, e) == -1)
				goto out;
		} while (more);
		do {
			if (batch_fire(&sw, &more, e) == -1)
				goto out;
		} while (more);
		if (sw.moved == 0)
			break;
	}
	/* A breach in the last round leaves its ticket marked: the next
	 * sweep recomputes it. */
	ret = 0;
out:
	for (i = 0; i < sw.conf->calendars_count && sw.cals != NULL; i++) {
		sla_calendar_release(&sw.cals[i].cal);
		tz_free(sw.cals[i].tz);
	}
	free(sw.cals);
	free(sw.due);
	free(sw.facts);
	notice_data_release(&sw.nd);
	return ret;
}

int
cmd_sweep(struct cli *cli, int argc, char **argv)
{
	struct sweep_stats s;
	struct err e = ERR_INIT;
	double t0, ms;
	int code;

	if ((code = cli_json_only(cli, argc, argv,
	    "  --json  the counts as one JSON object\n")) != -1)
		return code;
	if ((cli_conf(cli, &code) == NULL && code != 0) ||
	    (cli_conf(cli, &code) != NULL && cli_store(cli, &code) == NULL))
		return code;
	t0 = time_mono();
	if (sweep_run(cli, &s, &e) == -1)
		return cli_fail(&e);
	/* The sweep's own time, without process start-up: what the daemon
	 * pays every 30 s. */
	ms = (time_mono() - t0) * 1000.0;
	if (cli->json)
		printf("{\"recomputed\":%ld,\"warnings\":%ld,\"breaches\":%ld,\"missed\":%ld,"
		    "\"escalated\":%ld,\"queued\":%ld,\"ms\":%.3f}\n", s.recomputed, s.warnings,
		    s.breaches, s.missed, s.escalated, s.queued, ms);
	else if (!cli->quiet)
		printf("sweep: %ld tickets recomputed, %ld warnings, %ld breaches, "
		    "%ld missed, %ld escalated, %ld notifications queued\n", s.recomputed,
		    s.warnings, s.breaches, s.missed, s.escalated, s.queued);
	return 0;
}
