/* sla.c -- business-time arithmetic and SLA clocks; see sla.h.
 *
 * Every question is answered by walking local days: for each day that is
 * not a holiday, its spans (09:00-17:30) become instants through the
 * zone (tz_utc), so a daylight-saving change moves the instants and never
 * the wall-clock hours.  A day's spans end by its local midnight, so the
 * day of an instant and the day before cover it.  Cost: a few zone
 * lookups per day walked; a 2-day target in a 5-day week walks ~4 days. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "common/tz.h"
#include "common/util.h"
#include "rules/conf.h"
#include "rules/sla.h"

/*
 * Calendars.
 */

static int
span_cmp(const void *a, const void *b)
{
	const struct sla_span *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static int
long_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int
sla_calendar_init(struct sla_calendar *cal, const struct conf_calendar *conf,
    const struct tz *tz, struct err *e)
{
	struct sla_span *all = NULL;
	size_t i, n;
	int w;

	memset(cal, 0, sizeof(*cal));
	cal->tz = tz;
	if (conf->hours_count > 0 &&
	    (all = calloc(7 * conf->hours_count, sizeof(*all))) == NULL)
		goto nomem;
	if (conf->holidays_count > 0 && (cal->holidays =
	    calloc(conf->holidays_count, sizeof(*cal->holidays))) == NULL) {
		free(all);
		goto nomem;
	}
	for (w = 0; w < 7; w++) {
		cal->week[w] = all + (size_t)w * conf->hours_count;
		for (i = 0; i < conf->hours_count; i++)
			if (conf->hours[i].days & (1u << w)) {
				cal->week[w][cal->week_count[w]].start = conf->hours[i].start;
				cal->week[w][cal->week_count[w]++].end = conf->hours[i].end;
			}
		if (cal->week_count[w] > 1)
			qsort(cal->week[w], cal->week_count[w], sizeof(*all), span_cmp);
	}
	for (i = n = 0; i < conf->holidays_count; i++)
		if (conf->holidays[i].year != 0)
			cal->holidays[n++] = days_from_civil(conf->holidays[i].year,
			    (unsigned)conf->holidays[i].month, (unsigned)conf->holidays[i].day);
	if (n > 1)
		qsort(cal->holidays, n, sizeof(*cal->holidays), long_cmp);
	cal->holidays_count = n;
	return 0;
nomem:
	return err_set(e, ERR_NOMEM, "out of memory preparing calendar '%s'", conf->name);
}

void
sla_calendar_release(struct sla_calendar *cal)
{
	if (cal == NULL)
		return;
	free(cal->week[0]);	/* the one allocation behind every weekday */
	free(cal->holidays);
	memset(cal, 0, sizeof(*cal));
}

/* The spans of local day `day`: none on a holiday. */
static size_t
day_spans(const struct sla_calendar *cal, long day, const struct sla_span **spans)
{
	int wday = (int)(((day + 4) % 7 + 7) % 7);	/* 1970-01-01 was a thursday */

	if (cal->holidays_count > 0 && bsearch(&day, cal->holidays,
	    cal->holidays_count, sizeof(long), long_cmp) != NULL)
		return 0;
	*spans = cal->week[wday];
	return cal->week_count[wday];
}

/* Span i of day as instants [*a, *b). */
static void
span_instants(const struct sla_calendar *cal, long day, const struct sla_span *s,
    time_t *a, time_t *b)
{
	*a = tz_utc(cal->tz, day, s->start * 60L);
	*b = tz_utc(cal->tz, day, s->end * 60L);
}

static time_t
add_sat(time_t t, long s)
{
	if (t == SLA_NEVER || (int64_t)t > INT64_MAX - s)
		return SLA_NEVER;
	return (time_t)(t + s);
}

time_t
sla_add(const struct sla_calendar *cal, time_t start, long seconds)
{
	const struct sla_span *spans = NULL;
	time_t a, b;
	long day, d;
	size_t i, n;

	if (seconds < 0)
		seconds = 0;
	if (cal == NULL || start == SLA_NEVER)
		return add_sat(start, seconds);
	day = tz_local_day(cal->tz, start, NULL);
	for (d = day - 1; d <= day + SLA_SEARCH_DAYS; d++) {
		n = day_spans(cal, d, &spans);
		for (i = 0; i < n; i++) {
			span_instants(cal, d, &spans[i], &a, &b);
			if (b <= start)
				continue;
			if (a < start)
				a = start;
			if (b <= a)
				continue;
			if (seconds <= (long)(b - a))
				return (time_t)(a + seconds);
			seconds -= (long)(b - a);
		}
	}
	return SLA_NEVER;
}

time_t
sla_next_open(const struct sla_calendar *cal, time_t t)
{
	return sla_add(cal, t, 0);
}

int
sla_is_open(const struct sla_calendar *cal, time_t t)
{
	const struct sla_span *spans = NULL;
	time_t a, b;
	long day, d;
	size_t i, n;

	if (cal == NULL)
		return 1;
	day = tz_local_day(cal->tz, t, NULL);
	for (d = day - 1; d <= day; d++) {
		n = day_spans(cal, d, &spans);
		for (i = 0; i < n; i++) {
			span_instants(cal, d, &spans[i], &a, &b);
			if (a <= t && t < b)
				return 1;
		}
	}
	return 0;
}

long
sla_between(const struct sla_calendar *cal, time_t from, time_t to)
{
	const struct sla_span *spans = NULL;
	time_t a, b;
	long day, last, d, sum = 0;
	size_t i, n;

	if (to <= from)
		return 0;
	if (cal == NULL)
		return (long)(to - from);
	day = tz_local_day(cal->tz, from, NULL);
	last = tz_local_day(cal->tz, to, NULL);
	for (d = day - 1; d <= last; d++) {
		n = day_spans(cal, d, &spans);
		for (i = 0; i < n; i++) {
			span_instants(cal, d, &spans[i], &a, &b);
			if (a < from)
				a = from;
			if (b > to)
				b = to;
			if (b > a)
				sum += (long)(b - a);
		}
	}
	return sum;
}

/*
 * One clock run.
 */

/* The instant when `need` business seconds have run since start, skipping
 * the pauses; 0 when an open pause comes first (no deadline yet). */
static time_t
run_until(const struct sla_calendar *cal, time_t start, const struct sla_pause *pauses,
    size_t count, long need)
{
	time_t cur = start, ps, d;
	size_t i;

	for (i = 0; i < count; i++) {
		if (pauses[i].end != 0 && pauses[i].end <= cur)
			continue;
		ps = pauses[i].start > cur ? pauses[i].start : cur;
		d = sla_add(cal, cur, need);
		if (d <= ps)
			return d;
		need -= sla_between(cal, cur, ps);
		if (need < 0)
			need = 0;
		if (pauses[i].end == 0)
			return 0;
		cur = pauses[i].end;
	}
	return sla_add(cal, cur, need);
}

void
sla_clock_run(const struct sla_calendar *cal, long target, int warn_pct,
    time_t start, const struct sla_pause *pauses, size_t pauses_count,
    time_t stopped, time_t now, struct sla_clock *out)
{
	struct sla_pause clipped[SLA_PAUSES_MAX] = { { 0, 0 } };	/* 4 KB: cheap */
	time_t limit = stopped != 0 ? stopped : now, a, b;
	size_t i, n = 0;
	int open = 0;

	if (warn_pct < 1 || warn_pct > 99)
		warn_pct = 80;
	out->state = SLA_RUNNING;
	out->target = target;
	out->started = start;
	out->stopped = stopped;
	out->paused_total = 0;
	/* Only what happened between start and the limit counts; a pause
	 * still open at a stop ends there. */
	for (i = 0; i < pauses_count && n < SLA_PAUSES_MAX; i++) {
		a = pauses[i].start > start ? pauses[i].start : start;
		b = pauses[i].end;
		if (a >= limit || (b != 0 && b <= a))
			continue;
		if (b == 0 || b > limit) {
			b = stopped != 0 ? stopped : 0;
			open = b == 0;
		}
		clipped[n].start = a;
		clipped[n++].end = b;
		out->paused_total += (long)((b != 0 ? b : now) - a);
		if (open)
			break;
	}
	out->deadline = run_until(cal, start, clipped, n, target);
	out->warn_at = run_until(cal, start, clipped, n,
	    (long)((int64_t)target * warn_pct / 100));
	if (stopped != 0)
		out->state = stopped <= out->deadline ? SLA_MET : SLA_MISSED;
	else if (open)
		out->state = SLA_PAUSED;
}

/*
 * Every clock of a ticket.
 */

struct walk {
	time_t		 first_in, first_stop;	/* the first cycle's start, end */
	int		 waiting, cycles;
	time_t		 cycle_start, cycle_stop;
	int		 resolved;
	time_t		 resolved_at, pending_since, res_start;
	time_t		 esc_at, ack_at;
	struct sla_pause pauses[SLA_PAUSES_MAX];
	size_t		 pauses_count;
};

/* Pauses past the last slot are not counted: the clock runs through
 * them, so a deadline can come early but never late. */
static void
walk_pause(struct walk *w, time_t start, time_t end)
{
	if (end > start && w->pauses_count < SLA_PAUSES_MAX) {
		w->pauses[w->pauses_count].start = start;
		w->pauses[w->pauses_count++].end = end;
	}
}

static void
walk_stop_cycle(struct walk *w, time_t at)
{
	if (!w->waiting)
		return;
	w->waiting = 0;
	w->cycle_stop = at;
	if (w->cycles == 1)
		w->first_stop = at;
}

static void
walk_fact(struct walk *w, const struct sla_fact *f)
{
	switch (f->kind) {
	case SLA_FACT_IN:
		if (w->first_in == 0)
			w->first_in = w->res_start = f->at;
		if (w->pending_since != 0) {
			walk_pause(w, w->pending_since, f->at);
			w->pending_since = 0;
		}
		if (w->resolved) {	/* writing again reopens */
			walk_pause(w, w->resolved_at, f->at);
			w->resolved = 0;
		}
		if (!w->waiting) {
			w->waiting = 1;
			w->cycles++;
			w->cycle_start = f->at;
			w->cycle_stop = 0;
		}
		break;
	case SLA_FACT_OUT:
		walk_stop_cycle(w, f->at);
		if (w->esc_at != 0 && w->ack_at == 0)
			w->ack_at = f->at;
		break;
	case SLA_FACT_PENDING:
		if (w->pending_since == 0 && !w->resolved)
			w->pending_since = f->at;
		break;
	case SLA_FACT_RESOLVED:
		if (w->resolved)
			break;
		w->resolved = 1;
		w->resolved_at = f->at;
		if (w->pending_since != 0) {
			walk_pause(w, w->pending_since, f->at);
			w->pending_since = 0;
		}
		walk_stop_cycle(w, f->at);	/* nothing is owed once resolved */
		if (w->esc_at != 0 && w->ack_at == 0)
			w->ack_at = f->at;
		break;
	case SLA_FACT_REOPENED:
		if (w->resolved) {
			walk_pause(w, w->resolved_at, f->at);
			w->resolved = 0;
		}
		break;
	case SLA_FACT_ESCALATED:
		/* The new tier gets its own resolution time and must pick up. */
		w->esc_at = f->at;
		w->ack_at = 0;
		if (w->first_in != 0)
			w->res_start = f->at;
		break;
	case SLA_FACT_ACK:
		if (w->esc_at != 0 && w->ack_at == 0)
			w->ack_at = f->at;
		break;
	default:
		break;
	}
}

void
sla_clocks(const struct sla_calendar *cal, const long targets[SLA_KINDS],
    int warn_pct, const struct sla_fact *facts, size_t facts_count,
    time_t now, struct sla_clock out[SLA_KINDS])
{
	struct walk *w, wbuf;
	struct sla_pause open;
	size_t i, k;

	w = &wbuf;
	memset(w, 0, sizeof(*w));
	memset(out, 0, sizeof(*out) * SLA_KINDS);
	for (k = 0; k < SLA_KINDS; k++)
		out[k].kind = (int)k;
	/* Facts after now have not happened yet (a replay with --now). */
	for (i = 0; i < facts_count; i++)
		if (facts[i].at <= now)
			walk_fact(w, &facts[i]);

	if (w->first_in != 0 && targets[SLA_FIRST_RESPONSE] > 0)
		sla_clock_run(cal, targets[SLA_FIRST_RESPONSE], warn_pct, w->first_in,
		    NULL, 0, w->first_stop, now, &out[SLA_FIRST_RESPONSE]);
	if (w->cycles >= 2 && targets[SLA_NEXT_RESPONSE] > 0)
		sla_clock_run(cal, targets[SLA_NEXT_RESPONSE], warn_pct, w->cycle_start,
		    NULL, 0, w->waiting ? 0 : w->cycle_stop, now, &out[SLA_NEXT_RESPONSE]);
	if (w->first_in != 0 && targets[SLA_RESOLUTION] > 0) {
		if (w->pending_since != 0 && w->pauses_count < SLA_PAUSES_MAX) {
			open.start = w->pending_since;
			open.end = 0;
			w->pauses[w->pauses_count++] = open;
		}
		sla_clock_run(cal, targets[SLA_RESOLUTION], warn_pct, w->res_start,
		    w->pauses, w->pauses_count, w->resolved ? w->resolved_at : 0, now,
		    &out[SLA_RESOLUTION]);
	}
	if (w->esc_at != 0 && targets[SLA_PICKUP] > 0)
		sla_clock_run(cal, targets[SLA_PICKUP], warn_pct, w->esc_at, NULL, 0,
		    w->ack_at, now, &out[SLA_PICKUP]);
}

void
sla_targets(const struct conf_tier *tier, int priority, long out[SLA_KINDS])
{
	memset(out, 0, sizeof(long) * SLA_KINDS);
	if (tier == NULL || priority < 0 || priority >= CONF_PRIORITIES)
		return;
	out[SLA_FIRST_RESPONSE] = tier->target[CONF_SLA_FIRST_RESPONSE][priority];
	out[SLA_NEXT_RESPONSE] = tier->target[CONF_SLA_NEXT_RESPONSE][priority];
	out[SLA_RESOLUTION] = tier->target[CONF_SLA_RESOLUTION][priority];
	out[SLA_PICKUP] = tier->pickup > 0 ? tier->pickup : out[SLA_FIRST_RESPONSE];
}

/*
 * Words.
 */

static int
same_hours(const struct sla_calendar *cal, int a, int b)
{
	return cal->week_count[a] == cal->week_count[b] && (cal->week_count[a] == 0 ||
	    memcmp(cal->week[a], cal->week[b], cal->week_count[a] * sizeof(struct sla_span)) == 0);
}

int
sla_hours_words(const struct conf_calendar *c, struct buf *b, struct err *e)
{
	/* Monday first, as opening hours are written. */
	static const int order[7] = { 1, 2, 3, 4, 5, 6, 0 };
	static const char *const names[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	struct sla_calendar cal;
	const struct sla_span *sp;
	size_t k;
	int done[7] = { 0 }, i, j, run, groups = 0, first, ret = 0;

	if (sla_calendar_init(&cal, c, NULL, e) == -1)
		return -1;
	/* Days with the same hours form a group ("Mon-Fri 09:00-17:30"),
	 * runs of consecutive days in it joined by a dash. */
	for (i = 0; i < 7 && ret == 0; i++) {
		if (done[i] || cal.week_count[order[i]] == 0)
			continue;
		if (groups++ > 0 && (ret = buf_addstr(b, "; ", e)) == -1)
			break;
		first = 1;
		for (j = i; j < 7 && ret == 0; j++) {
			if (done[j] || !same_hours(&cal, order[i], order[j]))
				continue;
			for (run = j; run + 1 < 7 && !done[run + 1] &&
			    same_hours(&cal, order[i], order[run + 1]); run++)
				done[run] = 1;
			done[run] = 1;
			ret = buf_printf(b, e, "%s%s", first ? "" : ", ", names[order[j]]) == -1 ||
			    (run > j && buf_printf(b, e, "-%s", names[order[run]]) == -1) ? -1 : 0;
			first = 0;
			j = run;
		}
		sp = cal.week[order[i]];
		for (k = 0; k < cal.week_count[order[i]] && ret == 0; k++)
			ret = buf_printf(b, e, "%s%02d:%02d-%02d:%02d", k == 0 ? " " : " and ",
			    sp[k].start / 60, sp[k].start % 60, sp[k].end / 60, sp[k].end % 60);
	}
	sla_calendar_release(&cal);
	return ret == -1 ? -1 : groups;
}

/*
 * Names.
 */

static const char *const kind_names[SLA_KINDS] = {
	"first-response", "next-response", "resolution", "pickup"
};
static const char *const kind_labels[SLA_KINDS] = {
	"first response", "next response", "resolution", "pick-up"
};

const char *
sla_kind_name(int kind)
{
	return kind >= 0 && kind < SLA_KINDS ? kind_names[kind] : "unknown";
}

const char *
sla_kind_label(int kind)
{
	return kind >= 0 && kind < SLA_KINDS ? kind_labels[kind] : "unknown";
}

int
sla_kind_from_name(const char *s)
{
	int k;

	for (k = 0; k < SLA_KINDS; k++)
		if (strcmp(kind_names[k], s) == 0)
			return k;
	return -1;
}

const char *
sla_state_name(int state)
{
	static const char *const names[] = { "none", "running", "paused", "met", "missed" };

	return state >= 0 && state <= SLA_MISSED ? names[state] : "unknown";
}

const char *
sla_level_name(int level)
{
	return level == SLA_BREACH ? "breach" : "warning";
}
