/* import.c -- `escalator import FILE|DIR...`: offline intake of mbox
 * files, Maildirs and single messages into the store, idempotent (a
 * message already stored is counted, not added).  A progress line on a
 * terminal, one summary line at the end, or a JSON object with --json. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "common/err.h"
#include "common/util.h"
#include "common/log.h"
#include "connectors/mailfile.h"
#include "intake/intake.h"
#include "rules/conf.h"
#include "store/store.h"

#define AGENTS_MAX	64

struct import {
	struct intake	 in;
	struct progress	 p;
	off_t		 total, done;	/* bytes of input */
};

static void
on_progress(void *arg, off_t more)
{
	struct import *im = arg;

	im->done += more;
	progress_draw(&im->p, im->in.stats.read, (double)im->done, (double)im->total);
}

static int
on_mail(void *arg, const char *raw, size_t len, time_t received, const char *origin,
    struct err *e)
{
	struct import *im = arg;
	int r;

	r = intake_mail(&im->in, raw, len, received, origin, e);
	if (r == 1) {
		/* Not mail: say where, and go on with the rest. */
		progress_end(&im->p);
		fprintf(stderr, "escalator: %s: %s\n", origin, e->msg);
		err_clear(e);
	}
	return r;
}

static void
summary_text(const struct intake_stats *s, const struct mailfile_sink *k, double secs)
{
	int i, any = 0;

	printf("import: %ld read, %ld stored, %ld already present, %ld tickets opened, "
	    "%ld joined existing tickets", s->read, s->stored, s->present, s->tickets, s->joined);
	for (i = 0; i < REASON_COUNT; i++) {
		if (s->no_ticket[i] == 0)
			continue;
		printf("%s%s %ld", any ? ", " : ", no ticket: ", intake_reason_name(i),
		    s->no_ticket[i]);
		any = 1;
	}
	printf(", %ld with warnings", s->warnings);
	if (s->reopened > 0)
		printf(", %ld reopened", s->reopened);
	if (s->unsaved > 0)
		printf(", %ld not stored", s->unsaved);
	if (s->rejected + k->problems > 0)
		printf(", %ld not mail, %ld input problems", s->rejected, k->problems);
	if (k->too_large > 0)
		printf(", %ld too large (skipped)", k->too_large);
	printf(" (%.1fs)\n", secs);
}

static int
summary_json(const struct intake_stats *s, const struct mailfile_sink *k, double secs)
{
	json_t *o, *nt;
	int i, ret;

	if ((o = json_object()) == NULL || (nt = json_object()) == NULL)
		return -1;
	for (i = 0; i < REASON_COUNT; i++)
		json_object_set_new(nt, intake_reason_name(i), json_integer(s->no_ticket[i]));
	json_object_set_new(o, "read", json_integer(s->read));
	json_object_set_new(o, "stored", json_integer(s->stored));
	json_object_set_new(o, "already_present", json_integer(s->present));
	json_object_set_new(o, "tickets_opened", json_integer(s->tickets));
	json_object_set_new(o, "joined", json_integer(s->joined));
	json_object_set_new(o, "reopened", json_integer(s->reopened));
	json_object_set_new(o, "no_ticket", nt);
	json_object_set_new(o, "warnings", json_integer(s->warnings));
	json_object_set_new(o, "not_mail", json_integer(s->rejected));
	json_object_set_new(o, "input_problems", json_integer(k->problems));
	json_object_set_new(o, "too_large", json_integer(k->too_large));
	json_object_set_new(o, "not_stored", json_integer(s->unsaved));
	json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
	json_object_set_new(o, "seconds", json_real(secs));
	ret = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
	return ret;
}

/* Splits a comma-separated list in place into v; returns the count. */
static size_t
split_list(char *s, const char **v, size_t max)
{
	size_t n = 0;
	char *p;

	for (p = strtok_r(s, ", ", &s); p != NULL && n < max; p = strtok_r(NULL, ", ", &s))
		v[n++] = p;
	return n;
}

int
cmd_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "channel",	required_argument,	NULL, 'C' },
		{ "agents",	required_argument,	NULL, 'a' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find("import");
	const char *channel = "import", *agents[AGENTS_MAX];
	struct mailfile_sink sink;
	struct import im;
	struct err e = ERR_INIT;
	struct store *st;
	const struct conf *conf;
	const struct conf_channel *cc;
	char *agents_arg = NULL;
	size_t n, k;
	int ch, i, ret = 0, code = 0, bulk;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			channel = optarg;
			break;
		case 'a':
			agents_arg = optarg;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'h':
			cli_usage(self, stdout);
			printf("\n  --channel NAME  channel the mail is recorded under (default: import)\n"
			    "  --agents LIST   team addresses or domains, comma-separated: their\n"
			    "                  messages are replies to the customer\n"
			    "  --json          print the summary as a JSON object\n");
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "escalator: import needs at least one FILE or DIR\n");
		return cli_usage(self, stderr);
	}
	if ((conf = cli_conf(cli, &code)) == NULL && code != 0)
		return code;
	if ((st = cli_store(cli, &code)) == NULL)
		return code;
	/* A configured channel of that name lends its agents and visibility. */
	cc = conf != NULL ? conf_channel_find(conf, channel) : NULL;
	n = agents_arg ? split_list(agents_arg, agents, AGENTS_MAX) : 0;
	for (k = 0; cc != NULL && k < cc->agents_count && n < AGENTS_MAX; k++)
		agents[n++] = cc->agents[k];
	memset(&im, 0, sizeof(im));
	if (intake_init(&im.in, st, channel, cc ? conf_channel_kind_name(cc->kind) : "mbox",
	    cc != NULL && cc->public == 1, cli->now, &e) == -1)
		return cli_fail(&e);
	im.in.agents = agents;
	im.in.agents_count = n;
	cli_intake_decisions(cli, &im.in);	/* sentiment, rules */
	/* Many messages at once: write them in bulk unless another program
	 * has the database open (store/store.c). */
	if ((bulk = store_bulk_begin(st, &e)) == -1)
		return cli_fail(&e);
	if (bulk == 1)
		im.in.batch = INTAKE_BULK_BATCH;
	else
		log_info("import: the database is open in another program: "
		    "writing through its WAL");
	progress_init(&im.p, "import", cli->quiet);
	for (i = optind; i < argc; i++)
		im.total += mailfile_size(argv[i]);

	memset(&sink, 0, sizeof(sink));
	sink.mail = on_mail;
	sink.progress = on_progress;
	sink.arg = &im;
	sink.now = cli->now;
	for (i = optind; i < argc; i++) {
		if (mailfile_read(argv[i], &sink, &e) == 0)
			continue;
		progress_end(&im.p);
		if (e.code == ERR_DATA || e.code == ERR_NOINPUT) {
			/* Bad or missing input: report it, keep what was read, go on. */
			fprintf(stderr, "escalator: %s\n", e.msg);
			if (code == 0)
				code = err_exit_code(&e);
			err_clear(&e);
			continue;
		}
		ret = -1;
		break;
	}
	/* Whatever was accepted before a failure is committed, not lost. */
	if (ret == 0 || im.in.in_txn) {
		struct err fe = ERR_INIT;

		if (intake_flush(&im.in, NULL, NULL, &fe) == -1) {
			if (ret == 0)
				e = fe;
			ret = -1;
		}
	}
	if (bulk == 1) {
		struct err be = ERR_INIT;

		if (store_bulk_end(st, &be) == -1)
			log_warnx("import: %s", be.msg);
	}
	progress_end(&im.p);
	if (cli->json)
		(void)summary_json(&im.in.stats, &sink, time_mono() - im.p.start);
	else if (!cli->quiet)
		summary_text(&im.in.stats, &sink, time_mono() - im.p.start);
	intake_release(&im.in);
	if (ret == -1) {
		code = cli_fail(&e);
		if (im.in.stats.unsaved > 0)
			fprintf(stderr, "escalator: %ld messages were not stored; once the "
			    "cause is fixed, import the same files again: what is stored "
			    "already is skipped\n", im.in.stats.unsaved);
		return code;
	}
	if (code == 0 && (im.in.stats.rejected > 0 || sink.too_large > 0))
		code = EX_DATAERR;
	return code;
}
