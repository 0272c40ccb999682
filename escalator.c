/* escalator.c -- the command line: global options, then one command from
 * the table below, the way git.c dispatches.  Commands live in cli/. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "rules/conf.h"
#include "rules/sentiment.h"
#include "store/store.h"

#define DEFAULT_DB	LOCALSTATEDIR "/lib/escalator/escalator.db"

static const struct cli_cmd commands[] = {
	{ "import", cmd_import, "import [--channel NAME] [--agents LIST] [--json] FILE|DIR...",
	  "ingest mbox files, Maildirs or single messages" },
	{ "queue", cmd_queue, "queue [--all] [--json]",
	  "open tickets, most urgent first" },
	{ "show", cmd_show, "show [--json] TICKET",
	  "a ticket's thread, oldest first, with its events" },
	/* The workflow by hand (cli/ticket.c). */
	{ "assign", cmd_assign, "assign [--as ADDR] [--reason TEXT] [--json] TICKET ADDR",
	  "give a ticket to an owner" },
	{ "escalate", cmd_escalate, "escalate [--tier K | --department NAME] --reason TEXT "
	  "[--as ADDR] [--json] TICKET", "hand a ticket up a tier or to a department" },
	{ "deescalate", cmd_deescalate, "deescalate [--tier K] --reason TEXT [--as ADDR] "
	  "[--json] TICKET", "return a ticket down the tiers" },
	{ "pending", cmd_pending, "pending [--as ADDR] [--reason TEXT] [--json] TICKET",
	  "wait on the customer: the resolution clock pauses" },
	{ "resolve", cmd_resolve, "resolve [--as ADDR] [--reason TEXT] [--json] TICKET",
	  "resolve a ticket: its clocks stop" },
	{ "reopen", cmd_reopen, "reopen [--as ADDR] [--reason TEXT] [--json] TICKET",
	  "reopen a resolved or closed ticket" },
	{ "note", cmd_note, "note [--as ADDR] [--json] TICKET TEXT...",
	  "add a note to a ticket's history" },
	{ "tag", cmd_tag, "tag [--as ADDR] [--reason TEXT] [--json] TICKET TAG",
	  "add a tag to a ticket" },
	{ "untag", cmd_untag, "untag [--as ADDR] [--reason TEXT] [--json] TICKET TAG",
	  "take a tag off a ticket" },
	{ "sentiment", cmd_sentiment, "sentiment [--json] < FILE",
	  "score UTF-8 lines from stdin, one score per line" },
	{ "check-config", cmd_check_config, "check-config",
	  "validate the configuration; file:line:col errors" },
	{ "poll", cmd_poll, "poll [--json] [--retries N] [--idle SECONDS] [CHANNEL...]",
	  "poll configured channels once and exit" },
	{ "sweep", cmd_sweep, "sweep [--json]",
	  "evaluate SLA clocks now; queue notifications" },
	{ "send", cmd_send, "send [--json]",
	  "deliver queued notifications by SMTP" },
	{ "digest", cmd_digest, "digest [--since DUR] [--send] [--json]",
	  "SLA breaches and warnings of a window, for managers" },
	{ "run", cmd_run, "run [-f]",
	  "the daemon: poll, sweep, send; -f logs to stderr" },
	{ "replay", cmd_replay, "replay -c CANDIDATE [--since DUR] [--json]",
	  "what a candidate configuration would have changed over recent history" },
	{ "report", cmd_report, "report [--since DUR] [--json | --html FILE]",
	  "escalation rates, the resolution pyramid, SLA compliance, resolution times" },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

const struct cli_cmd *
cli_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
cli_usage(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: escalator [global options] %s\n", cmd->usage);
	return EX_USAGE;
}

int
cli_fail(const struct err *e)
{
	char line[1024];

	fprintf(stderr, "escalator: %s\n", err_str(e, line, sizeof(line)));
	return err_exit_code(e);
}

const struct conf *
cli_conf(struct cli *cli, int *exit_code)
{
	struct err e = ERR_INIT;
	const char *path = cli->conf_path;

	*exit_code = 0;
	if (cli->conf != NULL)
		return cli->conf;
	if (path == NULL) {
		/* Without -c, the default file is used when there is one. */
		if (access(CONF_PATH_DEFAULT, F_OK) == -1)
			return NULL;
		path = CONF_PATH_DEFAULT;
	}
	if (conf_load(path, &cli->conf, stderr, &e) == -1) {
		fprintf(stderr, "escalator: %s\n", e.msg);
		*exit_code = EX_CONFIG;
		return NULL;
	}
	return cli->conf;
}

const char *
cli_db_path(struct cli *cli, int *exit_code)
{
	const struct conf *conf;
	const char *env;

	*exit_code = 0;
	/* --db, then the configuration's database, then $ESCALATOR_DB. */
	if (cli->db_path == NULL) {
		if ((conf = cli_conf(cli, exit_code)) == NULL && *exit_code != 0)
			return NULL;
		if (conf != NULL && conf->database != NULL)
			cli->db_path = conf->database;
		else if ((env = getenv("ESCALATOR_DB")) != NULL && *env != '\0')
			cli->db_path = env;
		else
			cli->db_path = DEFAULT_DB;
	}
	return cli->db_path;
}

static struct store *
cli_store_open(struct cli *cli, int existing, int *exit_code)
{
	struct err e = ERR_INIT;

	if (cli->store != NULL)
		return cli->store;
	if (cli_db_path(cli, exit_code) == NULL)
		return NULL;
	if (existing && access(cli->db_path, F_OK) == -1) {
		/* Acting on tickets or reporting on a database that is not
		 * there: say so rather than create an empty one. */
		fprintf(stderr, "escalator: no database at '%s': %s (import or poll "
		    "creates it; --db PATH names another)\n", cli->db_path, strerror(errno));
		*exit_code = EX_NOINPUT;
		return NULL;
	}
	if (store_open(&cli->store, cli->db_path, &e) == -1) {
		*exit_code = cli_fail(&e);
		return NULL;
	}
	return cli->store;
}

struct store *
cli_store(struct cli *cli, int *exit_code)
{
	return cli_store_open(cli, 0, exit_code);
}

struct store *
cli_store_existing(struct cli *cli, int *exit_code)
{
	return cli_store_open(cli, 1, exit_code);
}

int
cli_ticket_id(const char *arg, int64_t *out)
{
	const char *s = *arg == '#' ? arg + 1 : arg;
	char *end;
	long long id;

	errno = 0;		/* strtoll reports overflow only via errno */
	id = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || id <= 0)
		return -1;
	*out = (int64_t)id;
	return 0;
}

int
cli_since(const char *s, long max_days, long *out)
{
	char *end;
	long n;

	errno = 0;		/* strtol reports overflow only via errno */
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || n <= 0 || n > 99999 || end[0] == '\0' || end[1] != '\0')
		goto bad;
	switch (*end) {
	case 'm': n *= 60; break;
	case 'h': n *= 3600; break;
	case 'd': n *= 86400; break;
	default: goto bad;
	}
	if (n > max_days * 86400)
		goto bad;
	*out = n;
	return 0;
bad:
	fprintf(stderr, "escalator: invalid duration '%s' (a number and m, h or d, "
	    "at most %ldd)\n", s, max_days);
	return -1;
}

int
cli_json_only(struct cli *cli, int argc, char **argv, const char *help)
{
	static const struct option opts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find(argv[0]);
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			cli->json = 1;
			break;
		case 'h':
			(void)cli_usage(self, stdout);
			printf("%s", help);
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	return optind < argc ? cli_usage(self, stderr) : -1;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: escalator [-c FILE] [--db PATH] [--now TIME] [--json] [-v|-q] COMMAND [ARGS]\n"
	    "\n"
	    "global options:\n"
	    "  -c, --config FILE  configuration file\n"
	    "  --db PATH          database (default: %s)\n"
	    "  --now TIME         use TIME (RFC 3339, e.g. 2026-11-20T12:00:00Z) instead of the clock\n"
	    "  --json             machine-readable output\n"
	    "  -v, --verbose      debug logging;  -q, --quiet  errors only\n"
	    "  -h, --help         this help;  COMMAND --help  help on one command\n"
	    "\n"
	    "commands:\n", DEFAULT_DB);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "db",		required_argument,	NULL, 'D' },
		{ "now",	required_argument,	NULL, 'N' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli;
	const struct cli_cmd *cmd;
	int ch, ret;

	memset(&cli, 0, sizeof(cli));
	cli.now = time(NULL);
	while ((ch = getopt_long(argc, argv, "+c:vqh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cli.conf_path = optarg;
			break;
		case 'D':
			cli.db_path = optarg;
			break;
		case 'N':
			if (time_parse(optarg, &cli.now) == -1) {
				fprintf(stderr, "escalator: invalid --now '%s' "
				    "(expected a time like 2026-11-20T12:00:00Z)\n", optarg);
				return EX_USAGE;
			}
			cli.now_given = 1;
			break;
		case 'j':
			cli.json = 1;
			break;
		case 'v':
			cli.verbose = 1;
			break;
		case 'q':
			cli.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("escalator %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((cmd = cli_cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "escalator: unknown command '%s' (see escalator --help)\n", argv[0]);
		return EX_USAGE;
	}
	log_init(1, cli.verbose ? LOG_DEBUG : cli.quiet ? LOG_ERR : LOG_WARNING);
	/* A configuration named with -c must be right whatever the command
	 * needs of it; check-config reports on it itself. */
	if (cli.conf_path != NULL && strcmp(cmd->name, "check-config") != 0 &&
	    cli_conf(&cli, &ret) == NULL && ret != 0)
		return ret;
	optind = 0;	/* 0, not 1: GNU getopt then forgets the "+" mode of the global options */
	ret = cmd->run(&cli, argc, argv);
	store_close(cli.store);
	sentiment_free(cli.lexicon);
	conf_free(cli.conf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("escalator: cannot write output");
		return ret ? ret : EX_IOERR;
	}
	return ret;
}
