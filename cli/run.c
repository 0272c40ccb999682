/* run.c -- `escalator run [-f]`: the daemon.  One process, one loop, no
 * threads: each channel is polled on its interval through its connector
 * (the state stays open between polls, so IMAP keeps its connection and
 * IDLEs between polls), the SLA sweep runs every RUN_SWEEP_SECS, the
 * outbox is sent after a sweep and whenever a poll stored mail.  After
 * each sweep the digest schedule is checked (cli/digest.h): a digest
 * whose time has come is queued once, guarded by its Message-ID.
 *
 * Signals only set flags.  Every blocking wait is at most RUN_SLICE_SECS
 * (and poll(2) returns early on a signal), so SIGTERM/SIGINT end the loop
 * after the current poll, sweep or send, which commit their own
 * transactions, and the process exits 0.  SIGHUP reloads the
 * configuration with the same loader as start-up; a bad one is logged
 * line by line and the old one kept.
 *
 * A channel that fails waits connector_backoff(failures) before the next
 * try, or until the end of its rate limit; the others go on.  The store
 * is opened once: a reload that names another database is logged and
 * takes effect at the next start. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/digest.h"
#include "cli/poll.h"
#include "cli/send.h"
#include "cli/sweep.h"
#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "connectors/connector.h"
#include "rules/conf.h"
#include "store/store.h"

#define RUN_SWEEP_SECS		30
#define RUN_SLICE_SECS		1	/* longest sleep between flag checks */
#define RUN_IDLE_SECS		2	/* longest IMAP IDLE between flag checks */
#define RUN_POLL_DEFAULT	60	/* a channel without a poll interval */
#define RUN_BACKOFF_BASE_MS	5000
#define RUN_BACKOFF_CAP_MS	(15 * 60 * 1000)

struct run_channel {
	const struct conf_channel	*ch;	/* borrowed from cli->conf */
	const struct connector_ops	*ops;
	void				*state;	/* NULL: open failed, retried */
	time_t				 next;	/* next poll */
	int				 failures;
	int				 ok;	/* the last poll worked: may IDLE */
};

struct run {
	struct cli		*cli;
	struct run_channel	*chans;
	size_t			 count;
	time_t			 next_sweep;
	int			 send_due;
	char			 db_path[1024];	/* outlives a reloaded conf */
};

static volatile sig_atomic_t run_stop, run_reload;

static void
run_signal(int sig)
{
	if (sig == SIGHUP)
		run_reload = 1;
	else {
		run_stop = 1;
		stop_request();		/* wakes a read stalled in a connector */
	}
}

static void
run_channels_close(struct run *r)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->chans[i].state != NULL)
			r->chans[i].ops->close(r->chans[i].state);
	free(r->chans);
	r->chans = NULL;
	r->count = 0;
}

/* Prepares a run_channel per channel that has a connector; all due now. */
static int
run_channels_open(struct run *r, time_t now)
{
	const struct conf *conf = r->cli->conf;
	const struct connector_ops *ops;
	size_t i;

	if (conf->channels_count > 0 &&
	    (r->chans = calloc(conf->channels_count, sizeof(*r->chans))) == NULL)
		return -1;
	for (i = 0; i < conf->channels_count; i++) {
		if ((ops = connector_find(conf->channels[i].kind)) == NULL) {
			log_info("channel=%s event=skipped reason=\"no connector for %s\"",
			    conf->channels[i].name, conf_channel_kind_name(conf->channels[i].kind));
			continue;
		}
		r->chans[r->count].ch = &conf->channels[i];
		r->chans[r->count].ops = ops;
		r->chans[r->count].next = now;
		r->count++;
	}
	return 0;
}

static void
run_failed(struct run_channel *c, time_t now, time_t not_before, const char *why)
{
	long ms;
	char msg[600];

	c->ok = 0;
	c->failures++;
	ms = connector_backoff(c->failures, RUN_BACKOFF_BASE_MS, RUN_BACKOFF_CAP_MS);
	c->next = now + (ms + 999) / 1000;
	if (not_before > c->next)
		c->next = not_before;
	log_warnx("channel=%s event=poll-failed failures=%d retry_in=%lds error=\"%s\"",
	    c->ch->name, c->failures, (long)(c->next - now),
	    log_escape(why, msg, sizeof(msg)));
}

static void
run_poll(struct run *r, struct run_channel *c, time_t now)
{
	struct store *st = r->cli->store;
	struct poll_result res;
	struct err e = ERR_INIT;
	const struct intake_stats *s = &res.stats;

	if (c->state == NULL && c->ops->open(&c->state, c->ch, &e) == -1) {
		c->state = NULL;
		run_failed(c, now, 0, e.msg);
		return;
	}
	if (poll_channel_state(r->cli, st, c->ch, c->ops, c->state, 0, 0, NULL, &res, &e) == -1) {
		run_failed(c, now, res.not_before, res.error);
		return;
	}
	c->ok = 1;
	c->failures = 0;
	c->next = now + (c->ch->poll > 0 ? c->ch->poll : RUN_POLL_DEFAULT);
	if (s->stored > 0)
		r->send_due = 1;	/* rules may have queued notifications */
	if (s->read > 0 || log_level() >= LOG_DEBUG)
		log_info("channel=%s event=polled read=%ld stored=%ld present=%ld tickets=%ld "
		    "joined=%ld secs=%.2f", c->ch->name, s->read, s->stored, s->present,
		    s->tickets, s->joined, res.secs);
}

static void
run_sweep(struct run *r)
{
	struct sweep_stats s;
	struct err e = ERR_INIT;
	char line[1024];

	if (sweep_run(r->cli, &s, &e) == -1) {
		log_warnx("event=sweep-failed error=\"%s\"", err_str(&e, line, sizeof(line)));
		return;
	}
	if (s.warnings + s.breaches + s.missed + s.escalated + s.queued > 0)
		log_info("event=swept recomputed=%ld warnings=%ld breaches=%ld missed=%ld "
		    "escalated=%ld queued=%ld", s.recomputed, s.warnings, s.breaches, s.missed,
		    s.escalated, s.queued);
	r->send_due = 1;	/* the outbox also holds retries that fell due */
}

/* Queues the digests that fell due; each window once (cli/digest.h). */
static void
run_digests(struct run *r)
{
	struct err e = ERR_INIT;
	char line[1024];
	long queued;

	if (digest_schedule(r->cli, &queued, &e) == -1) {
		log_warnx("event=digest-failed error=\"%s\"", err_str(&e, line, sizeof(line)));
		return;
	}
	if (queued > 0) {
		log_info("event=digests-queued queued=%ld", queued);
		r->send_due = 1;
	}
}

static void
run_send(struct run *r)
{
	struct send_stats s;
	struct err e = ERR_INIT;
	char line[1024];

	r->send_due = 0;
	if (r->cli->conf->smtp == NULL)
		return;
	if (send_run(r->cli, &s, &e) == -1) {
		log_warnx("event=send-failed error=\"%s\"", err_str(&e, line, sizeof(line)));
		return;
	}
	if (s.messages > 0)
		log_info("event=sent messages=%ld sent=%ld failed=%ld deferred=%ld%s",
		    s.messages, s.sent, s.failed, s.deferred,
		    s.server_away ? " server_away=yes" : "");
}

/* Logs each line conf_load printed (file:line:col: message, the source
 * line, the caret) at pri. */
static void
run_log_lines(int pri, char *text)
{
	char *line, *next;
	char esc[1200];

	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != '\0')
			log_msg(pri, "event=config-diagnostic text=\"%s\"",
			    log_escape(line, esc, sizeof(esc)));
	}
}

static const char *
run_conf_path(const struct cli *cli)
{
	return cli->conf_path != NULL ? cli->conf_path : CONF_PATH_DEFAULT;
}

/* SIGHUP: the new configuration replaces the old only when it loads. */
static void
run_reload_conf(struct run *r, time_t now)
{
	struct cli *cli = r->cli;
	struct conf *conf = NULL;
	struct err e = ERR_INIT;
	char *diag_text = NULL;
	size_t diag_len = 0;
	FILE *diag;
	int ret;

	if ((diag = open_memstream(&diag_text, &diag_len)) == NULL) {
		log_warn("event=reload-failed error=\"cannot capture diagnostics\"");
		return;
	}
	ret = conf_load(run_conf_path(cli), &conf, diag, &e);
	(void)fclose(diag);		/* a memstream: only allocation can fail */
	run_log_lines(ret == -1 ? LOG_ERR : LOG_WARNING, diag_text);
	free(diag_text);
	if (ret == -1) {
		log_msg(LOG_ERR, "event=reload-failed path=%s error=\"%s\" action=kept-old",
		    run_conf_path(cli), e.msg);
		return;
	}
	if (conf->database != NULL && strcmp(conf->database, r->db_path) != 0)
		log_warnx("event=reload database=%s open=%s note=\"takes effect at restart\"",
		    conf->database, r->db_path);
	run_channels_close(r);
	conf_free(cli->conf);
	cli->conf = conf;
	if (run_channels_open(r, now) == -1) {
		log_msg(LOG_ERR, "event=reload-failed error=\"out of memory\"");
		run_stop = 1;
		return;
	}
	r->next_sweep = now;
	log_info("event=reloaded path=%s channels=%zu", run_conf_path(cli), r->count);
}

/* Sleeps until the next thing is due, at most a slice; an IMAP channel
 * that worked IDLEs meanwhile, and news makes it due now. */
static void
run_wait(struct run *r, time_t now)
{
	struct run_channel *idler = NULL;
	struct err e = ERR_INIT;
	time_t next = r->next_sweep;
	size_t i;
	int ms, w;

	for (i = 0; i < r->count; i++) {
		if (r->chans[i].next < next)
			next = r->chans[i].next;
		if (idler == NULL && r->chans[i].ok && r->chans[i].state != NULL &&
		    r->chans[i].ch->kind == CONF_IMAP)
			idler = &r->chans[i];
	}
	if (next <= now || run_stop || run_reload)
		return;
	if (idler != NULL) {
		w = idler->ops->wait(idler->state,
		    next - now < RUN_IDLE_SECS ? (int)(next - now) : RUN_IDLE_SECS, &e);
		if (w == 1)
			idler->next = time(NULL);
		else if (w == -1)
			run_failed(idler, time(NULL), 0, e.msg);
		return;
	}
	ms = next - now < RUN_SLICE_SECS ? (int)(next - now) * 1000 : RUN_SLICE_SECS * 1000;
	/* Nothing to watch: a signal ends it early (EINTR), as it should. */
	(void)poll(NULL, 0, ms);
}

static int
run_loop(struct run *r)
{
	struct cli *cli = r->cli;
	time_t now;
	size_t i;

	while (!run_stop) {
		now = time(NULL);
		cli->now = now;
		if (run_reload) {
			run_reload = 0;
			run_reload_conf(r, now);
			continue;
		}
		for (i = 0; i < r->count && !run_stop && !run_reload; i++) {
			if (r->chans[i].next > now)
				continue;
			run_poll(r, &r->chans[i], now);
			cli->now = now = time(NULL);
		}
		if (run_stop)
			break;
		if (now >= r->next_sweep) {
			run_sweep(r);
			if (!run_stop)
				run_digests(r);
			r->next_sweep = now + RUN_SWEEP_SECS;
		}
		if (r->send_due && !run_stop)
			run_send(r);
		run_wait(r, time(NULL));
	}
	return 0;
}

int
cmd_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground",	no_argument,	NULL, 'f' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find("run");
	struct sigaction sa;
	struct run r;
	int ch, code = 0, foreground = 0;

	while ((ch = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			foreground = 1;
			break;
		case 'h':
			(void)cli_usage(self, stdout);
			printf("\n  -f, --foreground  log to stderr instead of syslog\n");
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	if (optind < argc)
		return cli_usage(self, stderr);
	if (cli_conf(cli, &code) == NULL) {
		if (code != 0)
			return code;
		fprintf(stderr, "escalator: run needs a configuration (-c FILE, or %s)\n",
		    CONF_PATH_DEFAULT);
		return EX_CONFIG;
	}
	if (cli_store(cli, &code) == NULL)
		return code;
	memset(&r, 0, sizeof(r));
	r.cli = cli;
	/* cli->db_path may point into the configuration a reload frees. */
	if (esc_strlcpy(r.db_path, cli->db_path, sizeof(r.db_path)) >= sizeof(r.db_path)) {
		fprintf(stderr, "escalator: database path '%s' is too long (at most %zu "
		    "bytes)\n", cli->db_path, sizeof(r.db_path) - 1);
		return EX_USAGE;
	}
	cli->db_path = r.db_path;
	log_init(foreground, cli->verbose ? LOG_DEBUG : cli->quiet ? LOG_WARNING : LOG_INFO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_signal;
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;		/* no SA_RESTART: blocking calls return EINTR */
	if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1) {
		log_warn("event=start-failed error=\"sigaction\"");
		return EX_OSERR;
	}
	(void)signal(SIGPIPE, SIG_IGN);	/* a server that drops us is an error, not death */

	cli_lexicon_check(cli);
	if (run_channels_open(&r, time(NULL)) == -1) {
		log_msg(LOG_ERR, "event=start-failed error=\"out of memory\"");
		return EX_OSERR;
	}
	log_info("event=started version=%s config=%s db=%s channels=%zu", PACKAGE_VERSION,
	    run_conf_path(cli), r.db_path, r.count);
	code = run_loop(&r);
	run_channels_close(&r);
	log_info("event=stopped");
	return code;
}
