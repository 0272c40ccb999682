/* rules.c -- what commands that store messages need for decisions: the
 * sentiment lexicon (loaded once, optional), the compiled rules of the
 * configuration and the channel's autoreply block, handed to an intake. */
#include "config.h"

#include <stddef.h>

#include "cli/cli.h"
#include "cli/ticket.h"
#include "common/err.h"
#include "common/log.h"
#include "intake/intake.h"
#include "rules/conf.h"
#include "rules/sentiment.h"

const struct sentiment *
cli_lexicon(struct cli *cli)
{
	struct err e = ERR_INIT;

	if (cli->lexicon != NULL || cli->lexicon_tried)
		return cli->lexicon;
	cli->lexicon_tried = 1;
	if (sentiment_load_default(&cli->lexicon, &e) == -1)
		/* Everything else works without it: priorities fall back to
		 * normal and sentiment conditions are never true. */
		log_warnx("sentiment is off: %s", e.msg);
	return cli->lexicon;
}

void
cli_lexicon_check(struct cli *cli)
{
	const struct sentiment *s = cli_lexicon(cli);
	struct err e = ERR_INIT;
	char line[1024];

	/* The other languages' files are read at their first use, where a
	 * broken one could only leave its language quietly unscored: the
	 * daemon and check-config read them all now, to say so. */
	if (s != NULL && sentiment_load_langs(s, &e) == -1)
		log_warnx("sentiment: %s; text in that language is not scored",
		    err_str(&e, line, sizeof(line)));
}

void
cli_intake_decisions(struct cli *cli, struct intake *in)
{
	const struct conf *conf = cli->conf;
	const struct conf_channel *cc;

	in->lexicon = cli_lexicon(cli);
	in->rules = conf != NULL ? conf->compiled : NULL;
	in->notify_from = conf != NULL && conf->smtp != NULL ? conf->smtp->from : NULL;
	/* The configured channel of that name, if any, may acknowledge new
	 * tickets (conf.c allows autoreply on mail channels only). */
	cc = conf != NULL && in->channel != NULL ? conf_channel_find(conf, in->channel) : NULL;
	in->autoreply = cc != NULL ? cc->autoreply : NULL;
	in->conf = conf;
	/* Where its tickets start. */
	in->entry_tier = conf_channel_entry(conf, in->channel, &in->entry_department);
	/* A rule's escalation hands the ticket on, as one by hand does. */
	in->escalated = ticket_rule_handoff;
	in->escalated_arg = cli;
}
