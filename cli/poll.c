/* poll.c -- `escalator poll [CHANNEL...]`: read every configured channel
 * (or the ones named) once through its connector and exit.  A channel
 * whose server is away is retried with back-off and jitter, then left for
 * the next poll; the other channels go on either way.  What each connector
 * fetched is committed batch by batch with its cursor, so an interrupted
 * poll resumes where it stopped.  One summary line per channel, or a JSON
 * array with --json.  Exit status: 0, EX_TEMPFAIL when a server stayed
 * away, else the first other failure's code. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/poll.h"
#include "cli/progress.h"
#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "connectors/connector.h"
#include "connectors/imap.h"
#include "intake/intake.h"
#include "rules/conf.h"
#include "store/store.h"

#define RETRIES		2		/* after the first attempt */
#define RETRY_BASE_MS	1000
#define RETRY_CAP_MS	30000

static void
on_progress(void *arg, const struct intake *in)
{
	progress_draw(arg, in->stats.read, (double)in->stats.read, (double)in->expect);
}

int
poll_channel_state(struct cli *cli, struct store *st, const struct conf_channel *ch,
    const struct connector_ops *ops, void *state, int retries, int idle,
    struct progress *pg, struct poll_result *res, struct err *e)
{
	struct intake in;
	double start = time_mono();
	long delay;
	int attempt, ret = -1;

	memset(res, 0, sizeof(*res));
	res->channel = ch->name;
	if (intake_init(&in, st, ch->name, conf_channel_kind_name(ch->kind), ch->public == 1,
	    cli->now, e) == -1) {
		memset(&in, 0, sizeof(in));	/* intake_release is harmless on it */
		goto out;
	}
	in.agents = (const char *const *)ch->agents;
	in.agents_count = ch->agents_count;
	if (pg != NULL) {
		in.progress = on_progress;
		in.progress_arg = pg;
	}
	cli_intake_decisions(cli, &in);		/* sentiment, rules (cli/rules.c) */
	for (attempt = 1; ; attempt++) {
		if ((ret = ops->poll(state, &in, e)) == 0)
			break;
		/* Only a server that is away may come back soon; one that set
		 * a rate limit is left until then (other channels go on). */
		if (ops->not_before != NULL && (res->not_before = ops->not_before(state)) <= cli->now)
			res->not_before = 0;
		if (e->code != ERR_NET || attempt > retries || res->not_before != 0)
			break;
		delay = connector_backoff(attempt, RETRY_BASE_MS, RETRY_CAP_MS);
		log_warnx("channel=%s event=retry attempt=%d delay=%.1fs", ch->name, attempt + 1,
		    (double)delay / 1000);
		(void)connector_sleep(delay, NULL);
	}
	/* --idle: wait for news at the source (IMAP IDLE), then read once more. */
	if (ret == 0 && idle > 0 && (ret = ops->wait(state, idle, e)) == 1) {
		res->woken = 1;
		ret = ops->poll(state, &in, e);
	}
	if (pg != NULL)
		progress_end(pg);
	if (ch->kind == CONF_IMAP)
		res->imap = *imap_last_stats(state);
	res->stats = in.stats;
	intake_release(&in);
out:
	res->secs = time_mono() - start;
	res->ok = ret == 0;
	if (ret == 0)
		return 0;
	(void)snprintf(res->error, sizeof(res->error), "%s", e->msg);
	return -1;
}

/* Polls one channel with retries; fills r; returns 0 or the exit code. */
static int
poll_channel(struct cli *cli, struct store *st, const struct conf_channel *ch,
    const struct connector_ops *ops, int retries, int idle, struct poll_result *res)
{
	struct err e = ERR_INIT;
	struct progress pg;
	char what[300];
	void *state = NULL;
	int ret;

	if (ops->open(&state, ch, &e) == -1) {
		memset(res, 0, sizeof(*res));
		res->channel = ch->name;
		log_warnx("channel=%s event=open-failed error=\"%s\"", ch->name, e.msg);
		(void)snprintf(res->error, sizeof(res->error), "%s", e.msg);
		return err_exit_code(&e);
	}
	(void)snprintf(what, sizeof(what), "poll: %s", ch->name);
	progress_init(&pg, what, cli->quiet);
	ret = poll_channel_state(cli, st, ch, ops, state, retries, idle, &pg, res, &e);
	ops->close(state);
	return ret == 0 ? 0 : err_exit_code(&e);
}

static void
summary_text(const struct poll_result *r)
{
	const struct intake_stats *s = &r->stats;

	printf("poll: %s: %ld read, %ld stored, %ld already present, %ld tickets opened, "
	    "%ld joined, %ld answered, %ld resolved", r->channel, s->read, s->stored,
	    s->present, s->tickets, s->joined, r->imap.answered, r->imap.resolved);
	if (s->rejected > 0)
		printf(", %ld not mail", s->rejected);
	if (!r->ok)
		printf(", failed: %s", r->error);
	printf(" (%.1fs)\n", r->secs);
}

static json_t *
summary_json(const struct poll_result *r)
{
	const struct intake_stats *s = &r->stats;
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	json_object_set_new(o, "channel", json_string(r->channel));
	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "read", json_integer(s->read));
	json_object_set_new(o, "stored", json_integer(s->stored));
	json_object_set_new(o, "already_present", json_integer(s->present));
	json_object_set_new(o, "tickets_opened", json_integer(s->tickets));
	json_object_set_new(o, "joined", json_integer(s->joined));
	json_object_set_new(o, "not_mail", json_integer(s->rejected));
	json_object_set_new(o, "warnings", json_integer(s->warnings));
	json_object_set_new(o, "edited", json_integer(s->edited));
	json_object_set_new(o, "deleted", json_integer(s->deleted));
	json_object_set_new(o, "answered", json_integer(r->imap.answered));
	json_object_set_new(o, "resolved", json_integer(r->imap.resolved));
	json_object_set_new(o, "resyncs", json_integer(r->imap.resyncs));
	json_object_set_new(o, "woken", json_boolean(r->woken));
	if (r->not_before != 0) {
		char when[32];

		json_object_set_new(o, "not_before", json_string(time_rfc3339(r->not_before,
		    when, sizeof(when))));
	}
	json_object_set_new(o, "seconds", json_real(r->secs));
	if (!r->ok)
		json_object_set_new(o, "error", json_string(r->error));
	return o;
}

int
cmd_poll(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "retries",	required_argument,	NULL, 'r' },
		{ "idle",	required_argument,	NULL, 'i' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find("poll");
	const struct conf_channel *ch;
	const struct connector_ops *ops;
	const struct conf *conf;
	struct poll_result res;
	struct store *st;
	json_t *all = NULL, *o;
	char *end;
	long retries = RETRIES, idle = 0;
	int ch_, i, code = 0, r, polled = 0;
	size_t k;

	while ((ch_ = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch_) {
		case 'j':
			cli->json = 1;
			break;
		case 'r':
			retries = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || retries < 0 || retries > 100) {
				fprintf(stderr, "escalator: invalid --retries '%s' (0 to 100)\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'i':
			idle = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || idle < 0 || idle > 86400) {
				fprintf(stderr, "escalator: invalid --idle '%s' (seconds, 0 to 86400)\n",
				    optarg);
				return EX_USAGE;
			}
			break;
		case 'h':
			cli_usage(self, stdout);
			printf("\n  CHANNEL        poll only these channels (default: all that have a\n"
			    "                 connector)\n"
			    "  --retries N    retries, with back-off, of a channel whose server is away\n"
			    "                 (default %d)\n"
			    "  --idle SECONDS after polling a channel, wait up to SECONDS for news\n"
			    "                 (IMAP IDLE) and poll it once more when some came\n"
			    "  --json         print the summary as a JSON array\n", RETRIES);
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	if ((conf = cli_conf(cli, &code)) == NULL) {
		if (code != 0)
			return code;
		fprintf(stderr, "escalator: poll needs a configuration with channels "
		    "(-c FILE, or %s)\n", CONF_PATH_DEFAULT);
		return EX_CONFIG;
	}
	for (i = optind; i < argc; i++) {
		if ((ch = conf_channel_find(conf, argv[i])) == NULL) {
			size_t c;

			fprintf(stderr, "escalator: no channel '%s' in '%s'", argv[i], conf->path);
			for (c = 0; c < conf->channels_count; c++)
				fprintf(stderr, "%s'%s'", c == 0 ? " (it has " : ", ",
				    conf->channels[c].name);
			fprintf(stderr, "%s\n", conf->channels_count == 0 ? " (it has none)" : ")");
			code = EX_USAGE;
			goto out;
		}
		if (connector_find(ch->kind) == NULL) {
			fprintf(stderr, "escalator: channel '%s' is a %s channel: it has no "
			    "connector yet\n", ch->name, conf_channel_kind_name(ch->kind));
			code = EX_UNAVAILABLE;
			goto out;
		}
	}
	if ((st = cli_store(cli, &code)) == NULL)
		goto out;
	/* A server that drops us mid-write must not kill the command. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (cli->json && (all = json_array()) == NULL) {
		code = EX_OSERR;
		goto out;
	}
	for (k = 0; k < conf->channels_count; k++) {
		ch = &conf->channels[k];
		if (optind < argc) {
			for (i = optind; i < argc && strcmp(argv[i], ch->name) != 0; i++)
				;
			if (i == argc)
				continue;
		}
		if ((ops = connector_find(ch->kind)) == NULL)
			continue;
		polled++;
		r = poll_channel(cli, st, ch, ops, (int)retries, (int)idle, &res);
		/* A server away wins over other failures: retrying helps. */
		if (r == EX_TEMPFAIL || (r != 0 && code == 0))
			code = r;
		if (all != NULL) {
			if ((o = summary_json(&res)) != NULL)
				json_array_append_new(all, o);
		} else if (!cli->quiet)
			summary_text(&res);
	}
	if (all != NULL) {
		(void)json_dumpf(all, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (polled == 0 && !cli->quiet)
		printf("poll: no channel to poll\n");
out:
	json_decref(all);
	return code;
}
