/* send.c -- `escalator send` and send_run (send.h): the outbox over one
 * SMTP session (connectors/smtp.c), each recipient's outcome in the store
 * as soon as the server gave it.  Exit status: 0, EX_TEMPFAIL when the
 * server was away (the mail waits), EX_CONFIG without an smtp block or
 * when the server refused the credentials (the mail waits too). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "cli/send.h"
#include "common/err.h"
#include "common/log.h"
#include "connectors/smtp.h"
#include "rules/conf.h"
#include "store/store.h"

#define SEND_BATCH	100
#define RCPTS_MAX	64

time_t
send_next_attempt(time_t now, int attempts, const char *message_id)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	const unsigned char *p;
	double jitter;
	long delay = SEND_BACKOFF_BASE;
	int i;

	for (i = 1; i < attempts && delay < SEND_BACKOFF_MAX; i++)
		delay *= 2;
	if (delay > SEND_BACKOFF_MAX)
		delay = SEND_BACKOFF_MAX;
	for (p = (const unsigned char *)message_id; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ (uint64_t)attempts) * 1099511628211ULL;
	jitter = 0.75 + 0.5 * (double)(h % 1000) / 1000.0;
	return now + (time_t)((double)delay * jitter);
}

struct sender {
	struct cli		*cli;
	struct store		*st;
	const struct conf_smtp	*conf;
	struct smtp		*smtp;		/* opened at the first message */
	struct send_stats	*stats;
	const char		*from;
};

/* Records the outcome of one recipient; 0 or -1. */
static int
record(struct sender *s, const struct store_outmsg *m, size_t i,
    const struct smtp_result *r, struct err *e)
{
	int result = STORE_RCPT_PENDING;
	char why[320];
	const char *text = r->reply;

	/* Every line names the message, the recipient and the server, so
	 * that one grep of a Message-ID or an address tells its story. */
	switch (r->outcome) {
	case SMTP_SENT:
		result = STORE_RCPT_SENT;
		s->stats->sent++;
		log_info("outbox=%" PRId64 " ticket=%" PRId64 " event=sent rcpt=%s "
		    "message_id=%s server=%s reply=\"%s\"", m->id, m->ticket, m->rcpts[i],
		    m->message_id, s->conf->url, r->reply);
		break;
	case SMTP_PERMFAIL:
		result = STORE_RCPT_FAILED;
		s->stats->failed++;
		log_msg(LOG_ERR, "outbox=%" PRId64 " ticket=%" PRId64 " event=send-failed "
		    "rcpt=%s message_id=%s server=%s reply=\"%s\"", m->id, m->ticket,
		    m->rcpts[i], m->message_id, s->conf->url, r->reply);
		break;
	default:
		if (m->attempts[i] + 1 >= SEND_ATTEMPTS_MAX) {
			result = STORE_RCPT_FAILED;
			(void)snprintf(why, sizeof(why), "gave up after %d attempts: %s",
			    SEND_ATTEMPTS_MAX, r->reply);
			text = why;
			s->stats->failed++;
			log_msg(LOG_ERR, "outbox=%" PRId64 " ticket=%" PRId64 " event=send-failed "
			    "rcpt=%s message_id=%s server=%s reason=\"%s\"", m->id, m->ticket,
			    m->rcpts[i], m->message_id, s->conf->url, why);
		} else {
			s->stats->deferred++;
			log_warnx("outbox=%" PRId64 " ticket=%" PRId64 " event=send-deferred "
			    "rcpt=%s message_id=%s server=%s attempts=%d reply=\"%s\"", m->id,
			    m->ticket, m->rcpts[i], m->message_id, s->conf->url,
			    m->attempts[i] + 1, r->reply);
		}
		break;
	}
	return store_outbox_result(s->st, m->id, m->rcpts[i], result, s->cli->now, text, e);
}

/* One notification: claim its due recipients, send, record.  Returns 0,
 * 1 when the server is away (stop the run), -1 on a store error or when
 * the server refused our credentials (e: ERR_CONFIG, the mail waits). */
static int
send_one(struct sender *s, int64_t id, struct err *e)
{
	struct store_outmsg m;
	struct smtp_result res[RCPTS_MAX];
	const char *claimed[RCPTS_MAX];
	size_t map[RCPTS_MAX], n = 0, i;
	struct err se = ERR_INIT;
	int r, away = 0;

	if ((r = store_outbox_get(s->st, id, s->cli->now, &m, e)) != 1)
		return r;
	/* The claim commits before the attempt. */
	if (store_begin(s->st, e) == -1)
		goto fail;
	for (i = 0; i < m.rcpts_count && n < RCPTS_MAX; i++) {
		if ((r = store_outbox_attempt(s->st, m.id, m.rcpts[i], s->cli->now,
		    send_next_attempt(s->cli->now, m.attempts[i] + 1, m.message_id), e)) == -1) {
			store_rollback(s->st);
			goto fail;
		}
		if (r == 1) {
			map[n] = i;
			claimed[n++] = m.rcpts[i];
		}
	}
	if (store_commit(s->st, e) == -1) {
		store_rollback(s->st);
		goto fail;
	}
	if (n == 0) {
		store_outmsg_release(&m);
		return 0;
	}
	s->stats->messages++;
	if (s->smtp == NULL && smtp_open(&s->smtp, s->conf, e) == -1)
		goto fail;
	/* Tier 0 acknowledgements (intake/autoreply.c) go with the null
	 * sender, as RFC 3834 asks of automatic answers: a bounce of one
	 * goes nowhere, so no loop can start there. */
	if (smtp_send(s->smtp, strncmp(m.message_id, "escalator.ack.", 14) == 0 ? "" : s->from,
	    claimed, n, m.data, m.len, res, &se) == -1) {
		if (se.code != ERR_NET && se.code != ERR_CONFIG) {
			*e = se;
			goto fail;
		}
		/* Either way the mail waits (recorded below); a refused
		 * password stops the run as a configuration error. */
		away = se.code == ERR_NET ? 1 : -1;
		log_msg(away == 1 ? LOG_WARNING : LOG_ERR, "outbox=%" PRId64 " ticket=%" PRId64
		    " event=%s message_id=%s error=\"%s\"", m.id, m.ticket,
		    away == 1 ? "server-away" : "auth-refused", m.message_id, se.msg);
	}
	if (store_begin(s->st, e) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (record(s, &m, map[i], &res[i], e) == -1) {
			store_rollback(s->st);
			goto fail;
		}
	if (store_commit(s->st, e) == -1) {
		store_rollback(s->st);
		goto fail;
	}
	store_outmsg_release(&m);
	if (away == -1) {
		*e = se;
		return -1;
	}
	return away;
fail:
	store_outmsg_release(&m);
	return -1;
}

int
send_run(struct cli *cli, struct send_stats *stats, struct err *e)
{
	struct sender s;
	const struct conf *conf;
	int64_t ids[SEND_BATCH];
	size_t count, i;
	int code, r, ret = 0;

	memset(stats, 0, sizeof(*stats));
	memset(&s, 0, sizeof(s));
	s.cli = cli;
	s.stats = stats;
	if ((conf = cli_conf(cli, &code)) == NULL || conf->smtp == NULL)
		return err_set(e, ERR_CONFIG, "send needs an smtp statement in the "
		    "configuration");
	if ((s.st = cli_store(cli, &code)) == NULL)
		return err_set(e, ERR_STORE, "cannot open the database");
	s.conf = conf->smtp;
	s.from = conf->smtp->from != NULL ? conf->smtp->from : "escalator@localhost";
	for (;;) {
		if (store_outbox_due(s.st, cli->now, ids, SEND_BATCH, &count, e) == -1) {
			ret = -1;
			break;
		}
		for (i = 0; i < count; i++) {
			if ((r = send_one(&s, ids[i], e)) == -1) {
				ret = -1;
				break;
			}
			if (r == 1) {
				stats->server_away = 1;
				break;
			}
		}
		/* Claimed recipients are no longer due: the list moves on. */
		if (ret == -1 || stats->server_away || count < SEND_BATCH)
			break;
	}
	stats->connections = smtp_connections(s.smtp);
	smtp_close(s.smtp);
	return ret;
}

int
cmd_send(struct cli *cli, int argc, char **argv)
{
	struct send_stats s;
	struct err e = ERR_INIT;
	int code;

	if ((code = cli_json_only(cli, argc, argv,
	    "  --json  the counts as one JSON object\n")) != -1)
		return code;
	if ((cli_conf(cli, &code) == NULL && code != 0) ||
	    (cli_conf(cli, &code) != NULL && cli_store(cli, &code) == NULL))
		return code;
	if (send_run(cli, &s, &e) == -1)
		return cli_fail(&e);
	if (cli->json)
		printf("{\"messages\":%ld,\"sent\":%ld,\"failed\":%ld,\"deferred\":%ld,"
		    "\"connections\":%ld,\"server_away\":%s}\n", s.messages, s.sent, s.failed,
		    s.deferred, s.connections, s.server_away ? "true" : "false");
	else if (!cli->quiet)
		printf("send: %ld notifications, %ld recipients sent, %ld failed, %ld deferred"
		    "%s\n", s.messages, s.sent, s.failed, s.deferred,
		    s.server_away ? " (server away: the rest waits)" : "");
	return s.server_away ? EX_TEMPFAIL : 0;
}
