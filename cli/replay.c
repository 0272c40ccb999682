/* replay.c -- `escalator replay -c CANDIDATE [--since DUR] [--json]`: the
 * rules and SLA policies of a candidate configuration run over the stored
 * history of the tickets created in [now - since, now), against the
 * deployed configuration (the global -c, else the default file, else
 * none) run over the same history the same way; prints what would have
 * differed.  The store is opened read-only and nothing is written.
 *
 * This file is the glue: the configurations and their calendars, the
 * store's rows (store_replay) handed to rules/replay.c ticket by ticket,
 * and the report as text or JSON (doc/escalator.1 lists the fields). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "common/err.h"
#include "common/model.h"
#include "common/tz.h"
#include "common/util.h"
#include "rules/conf.h"
#include "rules/decide.h"
#include "rules/replay.h"
#include "rules/sla.h"
#include "store/store.h"

#define REPLAY_DEFAULT_SINCE	(30L * 86400)
#define TOP_RULES		10

/* One configuration's calendars, loaded for arithmetic. */
struct cals {
	struct tz		**tz;		/* by index in conf->calendars */
	struct sla_calendar	*cal;
	int			*ready;
	size_t			 count;
};

struct run {
	struct replay		 r;
	struct replay_msg	*msgs;
	size_t			 msgs_cap;
	struct sla_fact		*facts;
	size_t			 facts_cap;
};

static void
cals_release(struct cals *c)
{
	size_t i;

	for (i = 0; i < c->count; i++) {
		if (c->ready != NULL && c->ready[i])
			sla_calendar_release(&c->cal[i]);
		if (c->tz != NULL)
			tz_free(c->tz[i]);
	}
	free(c->tz);
	free(c->cal);
	free(c->ready);
	memset(c, 0, sizeof(*c));
}

/* The calendars of conf's tiers into rc->cal[tier]. */
static int
cals_load(const struct conf *conf, struct cals *c, struct replay_config *rc,
    struct err *e)
{
	const struct conf_tier *t;
	size_t i, n;

	memset(rc, 0, sizeof(*rc));
	rc->conf = conf;
	if (conf == NULL || conf->calendars_count == 0)
		return 0;
	n = conf->calendars_count;
	if ((c->tz = calloc(n, sizeof(*c->tz))) == NULL ||
	    (c->cal = calloc(n, sizeof(*c->cal))) == NULL ||
	    (c->ready = calloc(n, sizeof(*c->ready))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory loading calendars");
	c->count = n;
	for (i = 0; i < conf->tiers_count; i++) {
		t = &conf->tiers[i];
		if (t->calendar == NULL || t->number < TIER_MIN || t->number > TIER_MAX)
			continue;
		n = (size_t)(t->calendar - conf->calendars);
		if (!c->ready[n]) {
			if (tz_load(t->calendar->timezone, &c->tz[n], e) == -1 ||
			    sla_calendar_init(&c->cal[n], t->calendar, c->tz[n], e) == -1)
				return -1;
			c->ready[n] = 1;
		}
		rc->cal[t->number] = &c->cal[n];
	}
	return 0;
}

/* One stored ticket into rules/replay.c. */
static int
replay_cb(void *arg, const struct store_replay_ticket *st, struct err *e)
{
	struct run *run = arg;
	struct replay_ticket rt;
	struct replay_msg *m;
	const struct store_replay_msg *s;
	size_t i, n, cap;
	int k;

	if (st->msgs_count > run->msgs_cap) {
		for (cap = run->msgs_cap ? run->msgs_cap : 64; cap < st->msgs_count; cap *= 2)
			;
		if ((m = realloc(run->msgs, cap * sizeof(*m))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory replaying");
		run->msgs = m;
		run->msgs_cap = cap;
	}
	if (st->events_count > run->facts_cap) {
		struct sla_fact *f;

		for (cap = run->facts_cap ? run->facts_cap : 64; cap < st->events_count; cap *= 2)
			;
		if ((f = realloc(run->facts, cap * sizeof(*f))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory replaying");
		run->facts = f;
		run->facts_cap = cap;
	}
	for (i = 0; i < st->msgs_count; i++) {
		s = &st->msgs[i];
		m = &run->msgs[i];
		m->date = s->date;
		m->direction = s->direction;
		m->public = s->public;
		m->automatic = s->automatic;
		m->reach = s->reach;
		m->scored = s->scored;
		m->sentiment = s->sentiment;
		m->channel = s->channel;
		m->kind = s->kind;
		m->subject = s->subject;
		m->from_addr = s->from_addr;
		m->from_name = s->from_name;
		m->text = s->text;
	}
	for (i = n = 0; i < st->events_count; i++)
		if ((k = replay_event_fact(st->events[i].kind)) >= 0) {
			run->facts[n].at = st->events[i].at;
			run->facts[n++].kind = k;
		}
	memset(&rt, 0, sizeof(rt));
	rt.id = st->id;
	rt.asked = ticket_tags_have(st->tags, DECIDE_ASKED_TAG);
	rt.priority = st->priority;
	rt.tier = st->tier;
	rt.department = st->department;
	rt.msgs = run->msgs;
	rt.msgs_count = st->msgs_count;
	rt.events = run->facts;
	rt.events_count = n;
	return replay_ticket(&run->r, &rt, e);
}

/*
 * The report.
 */

static const char *const what_names[REPLAY_WHATS] = { "priority", "tier", "department" };
static const char *const side_names[REPLAY_SIDES] = { "baseline", "candidate" };

static long
sum(const long *v, size_t n)
{
	long s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

static json_t *
counts_json(const long *v)
{
	json_t *o = json_object();
	int k;

	for (k = 0; o != NULL && k < SLA_KINDS; k++)
		(void)json_object_set_new(o, sla_kind_name(k), json_integer(v[k]));
	if (o != NULL)
		(void)json_object_set_new(o, "total", json_integer(sum(v, SLA_KINDS)));
	return o;
}

static json_t *
example_json(int what, const struct replay_example *ex)
{
	json_t *from, *to;

	if (what == REPLAY_TIER) {
		from = json_integer(strtol(ex->from, NULL, 10));
		to = json_integer(strtol(ex->to, NULL, 10));
	} else if (what == REPLAY_DEPARTMENT) {
		from = ex->from[0] != '\0' ? json_string(ex->from) : json_null();
		to = ex->to[0] != '\0' ? json_string(ex->to) : json_null();
	} else {
		from = json_string(ex->from);
		to = json_string(ex->to);
	}
	return json_pack("{s:I, s:o, s:o, s:s?, s:s}", "ticket", (json_int_t)ex->ticket,
	    "from", from, "to", to, "rule", ex->rule, "by",
	    ex->rule != NULL ? side_names[ex->side] : ex->channel ? "channel" : "default");
}

static int
print_json(const struct run *run, const char *base, const char *cand, time_t from,
    time_t to, double ms)
{
	const struct replay_result *res = &run->r.res;
	struct replay_rule top[TOP_RULES];
	json_t *o, *changed, *examples, *stored, *breaches, *notify, *rules, *a;
	char t1[32], t2[32];
	size_t i, n;
	int w, k, rc = 0;
	char *s;

	changed = json_pack("{s:I, s:I, s:I, s:I}", "tickets", (json_int_t)res->changed,
	    "priority", (json_int_t)res->changed_by[REPLAY_PRIORITY],
	    "tier", (json_int_t)res->changed_by[REPLAY_TIER],
	    "department", (json_int_t)res->changed_by[REPLAY_DEPARTMENT]);
	examples = json_object();
	for (w = 0; examples != NULL && w < REPLAY_WHATS; w++) {
		a = json_array();
		for (i = 0; a != NULL && i < res->examples_count[w]; i++)
			rc |= json_array_append_new(a, example_json(w, &res->examples[w][i]));
		rc |= json_object_set_new(examples, what_names[w], a);
	}
	stored = json_object();
	for (k = 0; stored != NULL && k < REPLAY_SIDES; k++)
		rc |= json_object_set_new(stored, side_names[k], json_pack("{s:I, s:I, s:I}",
		    "priority", (json_int_t)res->stored_differs[k][REPLAY_PRIORITY],
		    "tier", (json_int_t)res->stored_differs[k][REPLAY_TIER],
		    "department", (json_int_t)res->stored_differs[k][REPLAY_DEPARTMENT]));
	breaches = json_pack("{s:o, s:o, s:o, s:o, s:I, s:I}",
	    "baseline", counts_json(res->breaches[REPLAY_BASELINE]),
	    "candidate", counts_json(res->breaches[REPLAY_CANDIDATE]),
	    "gained", counts_json(res->gained), "avoided", counts_json(res->avoided),
	    "tickets_baseline", (json_int_t)res->tickets_breached[REPLAY_BASELINE],
	    "tickets_candidate", (json_int_t)res->tickets_breached[REPLAY_CANDIDATE]);
	notify = json_pack("{s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I}}",
	    "rules", "baseline", (json_int_t)res->notify_rules[REPLAY_BASELINE],
	    "candidate", (json_int_t)res->notify_rules[REPLAY_CANDIDATE],
	    "new", (json_int_t)res->notify_gained, "gone", (json_int_t)res->notify_lost,
	    "sla", "baseline", (json_int_t)res->notify_sla[REPLAY_BASELINE],
	    "candidate", (json_int_t)res->notify_sla[REPLAY_CANDIDATE],
	    "warnings_baseline", (json_int_t)res->notify_sla_warnings[REPLAY_BASELINE],
	    "warnings_candidate", (json_int_t)res->notify_sla_warnings[REPLAY_CANDIDATE]);
	rules = json_array();
	n = replay_top_rules(&run->r, top, TOP_RULES);
	for (i = 0; rules != NULL && i < n; i++)
		rc |= json_array_append_new(rules, json_pack("{s:s, s:s, s:I, s:I, s:I}",
		    "rule", top[i].name, "config", side_names[top[i].side],
		    "tickets_changed", (json_int_t)top[i].tickets_changed,
		    "matches", (json_int_t)top[i].matches,
		    "tickets_matched", (json_int_t)top[i].tickets));
	o = json_pack("{s:s?, s:s, s:s, s:s, s:I, s:I, s:I, s:{s:I, s:I}, s:o, s:o, s:o,"
	    " s:{s:I, s:I}, s:o, s:o, s:o, s:f}",
	    "baseline", base, "candidate", cand,
	    "from", time_rfc3339(from, t1, sizeof(t1)), "to", time_rfc3339(to, t2, sizeof(t2)),
	    "since", (json_int_t)(to - from),
	    "tickets", (json_int_t)res->tickets, "messages", (json_int_t)res->messages,
	    "decided", "baseline", (json_int_t)res->decided[REPLAY_BASELINE],
	    "candidate", (json_int_t)res->decided[REPLAY_CANDIDATE],
	    "changed", changed, "examples", examples, "stored_differs", stored,
	    "escalated", "baseline", (json_int_t)res->escalated[REPLAY_BASELINE],
	    "candidate", (json_int_t)res->escalated[REPLAY_CANDIDATE],
	    "breaches", breaches, "notifications", notify, "rules", rules, "ms", ms);
	if (rc != 0 || o == NULL || (s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(o);
		fprintf(stderr, "escalator: out of memory writing the replay\n");
		return EX_OSERR;
	}
	printf("%s\n", s);
	free(s);
	json_decref(o);
	return 0;
}

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
print_example(int what, const struct replay_example *ex)
{
	const char *from = ex->from[0] != '\0' ? ex->from : "(none)";
	const char *to = ex->to[0] != '\0' ? ex->to : "(none)";

	printf("    #%" PRId64 " %s %s -> %s", ex->ticket, what_names[what], from, to);
	if (ex->rule == NULL && ex->channel)
		printf(" (where the channel starts its tickets)\n");
	else if (ex->rule == NULL)
		printf(" (default policy)\n");
	else if (ex->side == REPLAY_CANDIDATE)
		printf(" (rule \"%s\")\n", ex->rule);
	else
		printf(" (was rule \"%s\")\n", ex->rule);
}

static void
print_text(const struct run *run, const char *base, const char *cand, time_t from,
    time_t to, double ms)
{
	const struct replay_result *res = &run->r.res;
	struct replay_rule top[TOP_RULES];
	char t1[32], t2[32];
	size_t i, n;
	int w, k;

	printf("replay of %ld %s (%ld %s) created %s .. %s\n", res->tickets,
	    plural(res->tickets, "ticket", "tickets"), res->messages,
	    plural(res->messages, "message", "messages"), time_rfc3339(from, t1, sizeof(t1)),
	    time_rfc3339(to, t2, sizeof(t2)));
	printf("baseline %s, candidate %s\n\n", base != NULL ? base : "(no configuration)",
	    cand);

	printf("changed: %ld %s\n", res->changed, plural(res->changed, "ticket", "tickets"));
	for (w = 0; w < REPLAY_WHATS; w++) {
		printf("  %-11s %ld\n", what_names[w], res->changed_by[w]);
		for (i = 0; i < res->examples_count[w]; i++)
			print_example(w, &res->examples[w][i]);
	}
	printf("  escalated   %ld in the baseline, %ld in the candidate\n",
	    res->escalated[REPLAY_BASELINE], res->escalated[REPLAY_CANDIDATE]);
	printf("\nagainst the store (tickets whose replayed priority, tier, department "
	    "differ from what is stored):\n");
	for (k = 0; k < REPLAY_SIDES; k++)
		printf("  %-10s %ld, %ld, %ld\n", side_names[k],
		    res->stored_differs[k][REPLAY_PRIORITY], res->stored_differs[k][REPLAY_TIER],
		    res->stored_differs[k][REPLAY_DEPARTMENT]);

	printf("\nSLA breaches      baseline  candidate  gained  avoided\n");
	for (k = 0; k < SLA_KINDS; k++)
		printf("  %-15s %8ld  %9ld  %6ld  %7ld\n", sla_kind_label(k),
		    res->breaches[REPLAY_BASELINE][k], res->breaches[REPLAY_CANDIDATE][k],
		    res->gained[k], res->avoided[k]);
	printf("  %-15s %8ld  %9ld  %6ld  %7ld\n", "total",
	    sum(res->breaches[REPLAY_BASELINE], SLA_KINDS),
	    sum(res->breaches[REPLAY_CANDIDATE], SLA_KINDS), sum(res->gained, SLA_KINDS),
	    sum(res->avoided, SLA_KINDS));

	printf("\nnotifications     baseline  candidate\n");
	printf("  %-15s %8ld  %9ld  (%ld new, %ld no longer sent)\n", "rule notify",
	    res->notify_rules[REPLAY_BASELINE], res->notify_rules[REPLAY_CANDIDATE],
	    res->notify_gained, res->notify_lost);
	printf("  %-15s %8ld  %9ld  (of them warnings: %ld, %ld)\n", "SLA",
	    res->notify_sla[REPLAY_BASELINE], res->notify_sla[REPLAY_CANDIDATE],
	    res->notify_sla_warnings[REPLAY_BASELINE], res->notify_sla_warnings[REPLAY_CANDIDATE]);

	n = replay_top_rules(&run->r, top, TOP_RULES);
	printf("\ntop rules by effect (tickets changed):\n");
	if (n == 0)
		printf("  none\n");
	for (i = 0; i < n; i++)
		printf("  %6ld  \"%s\" (%s; %ld %s in %ld %s)\n", top[i].tickets_changed,
		    top[i].name, top[i].side == REPLAY_CANDIDATE ? "candidate" :
		    "baseline's, undone by the candidate", top[i].matches,
		    plural(top[i].matches, "match", "matches"), top[i].tickets,
		    plural(top[i].tickets, "ticket", "tickets"));
	printf("\n%ld messages in %.2f s", res->messages, ms / 1000.0);
	if (ms > 0)
		printf(" (%.0f messages/s)", (double)res->messages * 1000.0 / ms);
	printf("\n");
}

int
cmd_replay(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "since",	required_argument,	NULL, 's' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find("replay");
	struct err e = ERR_INIT;
	struct conf *cand = NULL;
	const struct conf *base;
	struct cals cals[REPLAY_SIDES];
	struct replay_config rc[REPLAY_SIDES];
	struct run run;
	const char *cand_path = NULL, *path;
	long since = REPLAY_DEFAULT_SINCE;
	double t0, ms;
	int ch, code = 0, ret = 0, flags, k;

	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cand_path = optarg;
			break;
		case 's':
			if (cli_since(optarg, 3660 /* ten years */, &since) == -1)
				return EX_USAGE;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'h':
			(void)cli_usage(self, stdout);
			printf("  -c, --config FILE  the candidate configuration (required); the\n"
			    "                     deployed one is the global -c, else the default\n"
			    "  --since DUR        tickets created in the window before now: 90m,\n"
			    "                     24h, 30d (default 30d)\n"
			    "  --json             the differences as one JSON object\n");
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	if (optind < argc || cand_path == NULL) {
		if (cand_path == NULL)
			fprintf(stderr, "escalator: replay needs a candidate configuration "
			    "(-c FILE)\n");
		return cli_usage(self, stderr);
	}
	/* The deployed configuration first: its errors are its own. */
	base = cli_conf(cli, &code);
	if (base == NULL && code != 0)
		return code;
	if (conf_load(cand_path, &cand, stderr, &e) == -1) {
		fprintf(stderr, "escalator: %s\n", e.msg);
		return EX_CONFIG;
	}

	memset(cals, 0, sizeof(cals));
	memset(&run, 0, sizeof(run));
	if (cals_load(base, &cals[REPLAY_BASELINE], &rc[REPLAY_BASELINE], &e) == -1 ||
	    cals_load(cand, &cals[REPLAY_CANDIDATE], &rc[REPLAY_CANDIDATE], &e) == -1) {
		ret = cli_fail(&e);
		goto out;
	}
	if ((path = cli_db_path(cli, &code)) == NULL) {
		ret = code;
		goto out;
	}
	if (store_open_readonly(&cli->store, path, &e) == -1) {
		ret = cli_fail(&e);
		goto out;
	}
	if (replay_init(&run.r, &rc[REPLAY_BASELINE], &rc[REPLAY_CANDIDATE], cli->now,
	    &e) == -1) {
		ret = cli_fail(&e);
		goto out;
	}
	/* Requests to escalate are looked for again only in the tickets where
	 * intake found one, unless a rule reads the text anyway. */
	flags = replay_text(&rc[REPLAY_BASELINE], &rc[REPLAY_CANDIDATE]) ? STORE_REPLAY_TEXT : 0;
	t0 = time_mono();
	if (store_replay(cli->store, cli->now - since, cli->now, flags, DECIDE_ASKED_TAG,
	    replay_event_kinds, replay_cb, &run, &e) == -1) {
		ret = cli_fail(&e);
		goto out;
	}
	ms = (time_mono() - t0) * 1000.0;
	if (cli->json)
		ret = print_json(&run, base != NULL ? base->path : NULL, cand->path,
		    cli->now - since, cli->now, ms);
	else
		print_text(&run, base != NULL ? base->path : NULL, cand->path, cli->now - since,
		    cli->now, ms);
out:
	replay_release(&run.r);
	free(run.msgs);
	free(run.facts);
	for (k = 0; k < REPLAY_SIDES; k++)
		cals_release(&cals[k]);
	conf_free(cand);
	return ret;
}
