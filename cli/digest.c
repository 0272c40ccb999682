/* digest.c -- `escalator digest [--since DUR] [--send] [--json]` and the
 * daemon's digest schedule; see digest.h.  The figures come from the
 * store (store_digest.c), the words from rules/digest.c, the MIME from
 * connectors/smtp_compose.c; this file only joins them and queues. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/digest.h"
#include "cli/notice.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/tz.h"
#include "common/util.h"
#include "connectors/smtp_compose.h"
#include "rules/conf.h"
#include "rules/digest.h"
#include "store/store.h"


/*
 * Time: the first calendar's zone, else UTC (tz NULL).
 */

static int
zone_load(const struct conf *conf, struct tz **tz, struct err *e)
{
	const struct conf_calendar *cal = conf_zone_calendar(conf, NULL);

	*tz = NULL;
	if (cal == NULL || cal->timezone == NULL)
		return 0;
	return tz_load(cal->timezone, tz, e);
}

static long
local_day(const struct tz *tz, time_t t, long *secs)
{
	long day;

	if (tz != NULL)
		return tz_local_day(tz, t, secs);
	day = (long)(t / 86400) - (t % 86400 < 0);
	if (secs != NULL)
		*secs = (long)(t - (time_t)day * 86400);
	return day;
}

static time_t
local_utc(const struct tz *tz, long day, long secs)
{
	return tz != NULL ? tz_utc(tz, day, secs) : (time_t)day * 86400 + secs;
}

/*
 * Building.
 */

struct digest_ctx {
	struct digest		*d;
	const struct conf	*conf;
};

static int
add_event(void *arg, const struct store_digest_event *ev, struct err *e)
{
	struct digest_ctx *c = arg;

	return digest_add(c->d, c->conf, ev->ticket, ev->breach, ev->tier, ev->ticket_tier,
	    ev->department, ev->channel, ev->subject, ev->owner, ev->late, e);
}

/* The digest of [to - since, to) into d (caller releases it). */
static int
digest_build(struct cli *cli, const struct tz *tz, time_t to, long since,
    struct digest *d, struct err *e)
{
	struct digest_ctx c = { d, cli->conf };
	time_t from = to - since;

	digest_init(d, from, to);
	d->zone = tz != NULL ? tz_name(tz) : "UTC";
	d->tz = tz;
	if (store_digest_events(cli->store, from, to, add_event, &c, e) == -1 ||
	    store_digest_compliance(cli->store, from, to, &d->due, &d->met, e) == -1 ||
	    store_digest_compliance(cli->store, from - since, from, &d->prev_due,
	    &d->prev_met, e) == -1)
		return -1;
	digest_finish(d);
	return 0;
}

/*
 * Queueing.
 */

/* FNV-1a of the address, ASCII case folded: stable across runs. */
static uint64_t
rcpt_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		h = (h ^ ch) * 0x100000001b3ULL;
	}
	return h;
}

static void
digest_msgid(const struct tz *tz, time_t to, long since, const char *rcpt,
    const char *host, char *out, size_t len)
{
	int y, m, d;

	tz_civil(local_day(tz, to, NULL), &y, &m, &d);
	(void)snprintf(out, len, "escalator.digest.%04d%02d%02d.%ld.%016" PRIx64 "@%s",
	    y, m, d, since, rcpt_hash(rcpt), host);
}

static char *
rcpt_json(const char *rcpt)
{
	json_t *a = json_array();
	char *s = NULL;

	if (a != NULL && json_array_append_new(a, json_string(rcpt)) == 0)
		s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Composes and queues the digest to one recipient. */
static int
queue_one(struct cli *cli, const char *rcpt, const char *msgid, const char *subject,
    const char *text, const char *html, struct err *e)
{
	struct buf mail = BUF_INIT(COMPOSE_MAX);
	struct compose cm;
	const char *to[1], *extra[2];
	char bracketed[600], *json = NULL;
	int ret = -1;

	(void)snprintf(bracketed, sizeof(bracketed), "<%s>", msgid);
	to[0] = rcpt;
	extra[0] = "Auto-Submitted: auto-generated";
	extra[1] = "X-Auto-Response-Suppress: All";
	memset(&cm, 0, sizeof(cm));
	cm.from = cli->conf->smtp->from != NULL ? cli->conf->smtp->from :
	    "escalator@localhost";
	cm.to = to;
	cm.to_count = 1;
	cm.subject = subject;
	cm.message_id = bracketed;
	cm.date = cli->now;
	cm.text = text;
	cm.html = html;
	cm.extra = extra;
	cm.extra_count = 2;
	if (smtp_compose(&cm, &mail, e) == -1)
		goto out;
	if ((json = rcpt_json(rcpt)) == NULL) {
		(void)err_set(e, ERR_NOMEM, "out of memory queueing a digest");
		goto out;
	}
	if (store_outbox_add(cli->store, 0, msgid, json, mail.buf, mail.len, cli->now, e) == -1)
		goto out;
	log_info("event=digest-queued to=%s message_id=%s", rcpt, msgid);
	ret = 0;
out:
	free(json);
	buf_release(&mail);
	return ret;
}

int
digest_queue(struct cli *cli, const char *const *rcpts, size_t rcpts_count, time_t to,
    long since, long *queued, struct err *e)
{
	struct buf subject = BUF_INIT(4096), text = BUF_INIT(COMPOSE_MAX);
	struct buf html = BUF_INIT(COMPOSE_MAX);
	struct digest d;
	struct tz *tz = NULL;
	char host[256], msgid[512];
	size_t i, fresh = 0;
	int ret = -1, has, began = 0;

	*queued = 0;
	digest_init(&d, to - since, to);
	if (cli->conf == NULL || cli->conf->smtp == NULL)
		return err_set(e, ERR_CONFIG, "cannot send digests without an 'smtp' statement");
	compose_domain(cli->conf->smtp->from, host, sizeof(host));
	if (zone_load(cli->conf, &tz, e) == -1)
		return -1;
	/* Nothing to build when every recipient has this window already. */
	for (i = 0; i < rcpts_count; i++) {
		digest_msgid(tz, to, since, rcpts[i], host, msgid, sizeof(msgid));
		if ((has = store_outbox_has(cli->store, msgid, e)) == -1)
			goto out;
		fresh += !has;
	}
	if (fresh == 0) {
		ret = 0;
		goto out;
	}
	if (digest_build(cli, tz, to, since, &d, e) == -1 ||
	    digest_subject(&d, &subject, e) == -1 || digest_text(&d, &text, e) == -1 ||
	    digest_html(&d, &html, e) == -1)
		goto out;
	if (store_begin(cli->store, e) == -1)
		goto out;
	began = 1;
	for (i = 0; i < rcpts_count; i++) {
		digest_msgid(tz, to, since, rcpts[i], host, msgid, sizeof(msgid));
		/* The UNIQUE Message-ID is the guard; this only avoids its error. */
		if ((has = store_outbox_has(cli->store, msgid, e)) == -1)
			goto out;
		if (has)
			continue;
		if (queue_one(cli, rcpts[i], msgid, subject.buf, text.buf, html.buf, e) == -1)
			goto out;
		(*queued)++;
	}
	if (store_commit(cli->store, e) == -1)
		goto out;
	began = 0;
	ret = 0;
out:
	if (began) {
		store_rollback(cli->store);
		*queued = 0;
	}
	digest_release(&d);
	buf_release(&subject);
	buf_release(&text);
	buf_release(&html);
	tz_free(tz);
	return ret;
}

int
digest_schedule(struct cli *cli, long *queued, struct err *e)
{
	const struct conf_digest *dg;
	struct tz *tz = NULL;
	long day, secs, since, n, back;
	time_t at;
	size_t i;
	int wday;

	*queued = 0;
	if (cli->conf == NULL || cli->conf->digests_count == 0 || cli->conf->smtp == NULL)
		return 0;
	if (zone_load(cli->conf, &tz, e) == -1)
		return -1;
	day = local_day(tz, cli->now, &secs);
	for (i = 0; i < cli->conf->digests_count; i++) {
		dg = &cli->conf->digests[i];
		if (dg->weekly) {
			wday = (int)(((day % 7) + 7 + 4) % 7);	/* day 0 was a thursday */
			back = ((wday - dg->wday) % 7 + 7) % 7;
			if (back == 0 && secs < dg->minute * 60L)
				back = 7;
			since = DIGEST_WEEK;
		} else {
			back = secs < dg->minute * 60L ? 1 : 0;
			since = DIGEST_DAY;
		}
		at = local_utc(tz, day - back, dg->minute * 60L);
		if (at > cli->now)	/* a daylight-saving gap moved it */
			continue;
		if (digest_queue(cli, (const char *const *)dg->to, dg->to_count, at, since,
		    &n, e) == -1) {
			tz_free(tz);
			return -1;
		}
		*queued += n;
	}
	tz_free(tz);
	return 0;
}

/*
 * The command.
 */

static json_t *
counts_json(const struct digest_count *c, size_t n, const char *key)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		(void)json_array_append_new(a, json_pack("{s:s?, s:I, s:I}", key, c[i].name,
		    "breaches", (json_int_t)c[i].breaches,
		    "warnings", (json_int_t)c[i].warnings));	/* a NULL is caught at dump */
	return a;
}

static json_t *
percent_json(long due, long met)
{
	int p = digest_percent(due, met);

	return p < 0 ? json_null() : json_integer(p);
}

static int
print_json(const struct digest *d)
{
	json_t *o, *tiers, *worst;
	char from[32], to[32];
	size_t i;
	int t, ret;

	tiers = json_array();
	for (t = TIER_MIN; tiers != NULL && t <= TIER_MAX; t++)
		if (d->tiers[t].breaches + d->tiers[t].warnings > 0)
			(void)json_array_append_new(tiers, json_pack("{s:i, s:I, s:I}", "tier", t,
			    "breaches", (json_int_t)d->tiers[t].breaches,
			    "warnings", (json_int_t)d->tiers[t].warnings));
	worst = json_array();
	for (i = 0; worst != NULL && i < d->tickets_count && i < DIGEST_WORST; i++)
		(void)json_array_append_new(worst, json_pack("{s:I, s:s?, s:i, s:s?, s:I, s:I, s:I}",
		    "ticket", (json_int_t)d->tickets[i].id, "subject", d->tickets[i].subject,
		    "tier", d->tickets[i].tier, "owner", d->tickets[i].owner,
		    "late", (json_int_t)d->tickets[i].late,
		    "breaches", (json_int_t)d->tickets[i].breaches,
		    "warnings", (json_int_t)d->tickets[i].warnings));
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o*, s:o*, s:o*, s:o*,"
	    " s:{s:I, s:I, s:o, s:{s:I, s:I, s:o}}}",
	    "from", time_rfc3339(d->from, from, sizeof(from)),
	    "to", time_rfc3339(d->to, to, sizeof(to)), "zone", d->zone,
	    "since", (json_int_t)(d->to - d->from),
	    "breaches", (json_int_t)d->breaches, "warnings", (json_int_t)d->warnings,
	    "by_tier", tiers,
	    "by_department", counts_json(d->departments, d->departments_count, "department"),
	    "by_channel", counts_json(d->channels, d->channels_count, "channel"),
	    "worst", worst,
	    "compliance", "due", (json_int_t)d->due, "met", (json_int_t)d->met,
	    "percent", percent_json(d->due, d->met), "previous",
	    "due", (json_int_t)d->prev_due, "met", (json_int_t)d->prev_met,
	    "percent", percent_json(d->prev_due, d->prev_met));
	if (o == NULL)
		return -1;
	ret = json_dumpf(o, stdout, JSON_COMPACT);
	json_decref(o);
	if (ret == 0)
		putchar('\n');
	return ret;
}

/* Every recipient of every digest statement, once (ASCII case folded).
 * Borrowed from conf; caller frees the array. */
static const char **
all_rcpts(const struct conf *conf, size_t *count)
{
	const char **v;
	size_t i, j, k, n = 0;

	*count = 0;
	for (i = 0; i < conf->digests_count; i++)
		n += conf->digests[i].to_count;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < conf->digests_count; i++)
		for (j = 0; j < conf->digests[i].to_count; j++) {
			for (k = 0; k < *count; k++)
				if (strcasecmp(v[k], conf->digests[i].to[j]) == 0)
					break;
			if (k == *count)
				v[(*count)++] = conf->digests[i].to[j];
		}
	return v;
}

static int
digest_send(struct cli *cli, long since)
{
	struct err e = ERR_INIT;
	const char **rcpts;
	size_t n;
	long queued;

	if (cli->conf == NULL || cli->conf->digests_count == 0) {
		fprintf(stderr, "escalator: digest --send: no 'digest' statement in %s%s%s "
		    "names a recipient (add one, such as: digest daily 08:00 to "
		    "\"lead@example.com\")\n", cli->conf != NULL ? "'" : "the configuration",
		    cli->conf != NULL ? cli->conf->path : "", cli->conf != NULL ? "'" : "");
		return EX_CONFIG;
	}
	if ((rcpts = all_rcpts(cli->conf, &n)) == NULL) {
		fprintf(stderr, "escalator: out of memory\n");
		return EX_OSERR;
	}
	if (digest_queue(cli, rcpts, n, cli->now, since, &queued, &e) == -1) {
		free(rcpts);
		return cli_fail(&e);
	}
	free(rcpts);
	if (cli->json)
		printf("{\"recipients\":%zu,\"queued\":%ld}\n", n, queued);
	else if (!cli->quiet)
		printf("digest: %ld of %zu recipients queued (escalator send delivers)\n",
		    queued, n);
	return 0;
}

int
cmd_digest(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since",	required_argument,	NULL, 's' },
		{ "send",	no_argument,		NULL, 'S' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find("digest");
	struct buf out = BUF_INIT(COMPOSE_MAX);
	struct err e = ERR_INIT;
	struct digest d;
	struct tz *tz = NULL;
	long since = DIGEST_DAY;
	int ch, code = 0, send = 0, ret;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (cli_since(optarg, 366 /* a year */, &since) == -1)
				return EX_USAGE;
			break;
		case 'S':
			send = 1;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'h':
			(void)cli_usage(self, stdout);
			printf("  --since DUR  the window before now: 90m, 24h, 7d (default 24h)\n"
			    "  --send       queue one mail per digest recipient in the outbox\n"
			    "  --json       the figures as one JSON object\n");
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	if (optind < argc)
		return cli_usage(self, stderr);
	if ((cli_conf(cli, &code) == NULL && code != 0) || cli_store_existing(cli, &code) == NULL)
		return code;
	if (send)
		return digest_send(cli, since);

	digest_init(&d, cli->now - since, cli->now);
	if (zone_load(cli->conf, &tz, &e) == -1 ||
	    digest_build(cli, tz, cli->now, since, &d, &e) == -1) {
		digest_release(&d);
		tz_free(tz);
		return cli_fail(&e);
	}
	if (cli->json)
		ret = print_json(&d);
	else if ((ret = digest_text(&d, &out, &e)) == 0)
		ret = fwrite(out.buf, 1, out.len, stdout) == out.len ? 0 : -1;
	digest_release(&d);
	buf_release(&out);
	tz_free(tz);
	if (ret == -1) {
		if (e.code != ERR_NONE)
			return cli_fail(&e);
		fprintf(stderr, "escalator: cannot write the digest\n");
		return EX_IOERR;
	}
	return 0;
}
