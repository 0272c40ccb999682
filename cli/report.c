/* report.c -- `escalator report [--since DUR] [--json | --html FILE]`:
 * escalations, over-escalation, the resolution pyramid, SLA compliance
 * and resolution times for the tickets created in a window.  The figures
 * come from the store (store_report.c) and rules/report.c; this file
 * only joins them and writes the result. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/err.h"
#include "rules/conf.h"
#include "rules/report.h"
#include "store/store.h"

#define REPORT_SINCE_DEFAULT	(30 * 86400L)
#define REPORT_OUT_MAX		(64u << 20)	/* bytes of text, JSON or HTML */

static int
add_ticket(void *arg, const struct store_report_ticket *t, struct err *e)
{
	return report_ticket(arg, t->id, t->created, t->resolved, t->status, t->priority,
	    t->tier, t->handoffs, t->department, t->channel, t->tags, e);
}

static int
add_event(void *arg, const struct store_report_event *ev, struct err *e)
{
	return report_event(arg, ev->ticket, ev->at, ev->kind, ev->detail, e);
}

static int
add_clock(void *arg, int64_t ticket, const char *kind, int tier, int missed, struct err *e)
{
	return report_clock(arg, ticket, kind, tier, missed, e);
}

/* The report of [now - since, now) into r (caller releases it). */
static int
report_build(struct cli *cli, long since, struct report *r, struct err *e)
{
	int64_t first, last;

	report_init(r, cli->now - since, cli->now);
	if (store_report_tickets(cli->store, r->from, r->to, add_ticket, r, e) == -1)
		return -1;
	report_ids(r, &first, &last);
	if (first > 0 && (store_report_events(cli->store, first, last, add_event, r, e) == -1 ||
	    store_report_clocks(cli->store, first, last, cli->now, add_clock, r, e) == -1))
		return -1;
	return report_finish(r, cli->conf, e);
}

/* Writes out to path ("-": stdout), replacing it whole: a temporary file
 * beside it, renamed over it once complete. */
static int
write_file(const char *path, const struct buf *out)
{
	char tmp[4096];
	FILE *f;
	int saved;

	if (strcmp(path, "-") == 0)
		return fwrite(out->buf, 1, out->len, stdout) == out->len ? 0 : EX_IOERR;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		fprintf(stderr, "escalator: path too long: '%s'\n", path);
		return EX_USAGE;
	}
	if ((f = fopen(tmp, "w")) == NULL) {
		saved = errno;
		fprintf(stderr, "escalator: cannot create '%s': %s\n", tmp, strerror(saved));
		return EX_CANTCREAT;
	}
	if (fwrite(out->buf, 1, out->len, f) != out->len || fflush(f) == EOF || ferror(f)) {
		saved = errno;
		(void)fclose(f);	/* the write error is the one to report */
		(void)remove(tmp);
		fprintf(stderr, "escalator: cannot write '%s': %s\n", tmp, strerror(saved));
		return EX_IOERR;
	}
	if (fclose(f) == EOF || rename(tmp, path) == -1) {
		saved = errno;
		(void)remove(tmp);
		fprintf(stderr, "escalator: cannot write '%s': %s\n", path, strerror(saved));
		return EX_IOERR;
	}
	return 0;
}

int
cmd_report(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since",	required_argument,	NULL, 's' },
		{ "html",	required_argument,	NULL, 'H' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find("report");
	struct buf out = BUF_INIT(REPORT_OUT_MAX);
	struct err e = ERR_INIT;
	struct report r;
	const char *html = NULL;
	long since = REPORT_SINCE_DEFAULT;
	int ch, code = 0, ret;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (cli_since(optarg, 3660 /* ten years */, &since) == -1)
				return EX_USAGE;
			break;
		case 'H':
			html = optarg;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'h':
			(void)cli_usage(self, stdout);
			printf("  --since DUR  tickets created in the window before now: 90m, "
			    "24h, 30d (default 30d)\n"
			    "  --json       the figures as one JSON object\n"
			    "  --html FILE  one self-contained HTML page with charts (- for "
			    "stdout)\n");
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	if (optind < argc)
		return cli_usage(self, stderr);
	if (html != NULL && cli->json) {
		fprintf(stderr, "escalator: --json and --html cannot be combined\n");
		return EX_USAGE;
	}
	if ((cli_conf(cli, &code) == NULL && code != 0) ||
	    cli_store_existing(cli, &code) == NULL)
		return code;

	if (report_build(cli, since, &r, &e) == -1)
		ret = -1;
	else if (html != NULL)
		ret = report_html(&r, &out, &e);
	else if (cli->json)
		ret = report_json(&r, &out, &e);
	else
		ret = report_text(&r, &out, &e);
	report_release(&r);
	if (ret == -1) {
		buf_release(&out);
		return cli_fail(&e);
	}
	code = write_file(html != NULL ? html : "-", &out);
	buf_release(&out);
	if (code == EX_IOERR && (html == NULL || strcmp(html, "-") == 0))
		fprintf(stderr, "escalator: cannot write the report\n");
	return code;
}
