/* poll.h -- polling one channel through its connector, for `escalator
 * poll` (open, poll, close) and the daemon (which keeps the connector's
 * state open between polls and waits on it). */
#ifndef ESC_POLL_H
#define ESC_POLL_H

#include <time.h>

#include "connectors/imap.h"
#include "intake/intake.h"

struct cli;
struct conf_channel;
struct connector_ops;
struct err;
struct store;

struct poll_result {
	const char		*channel;	/* borrowed from the configuration */
	struct intake_stats	 stats;
	struct imap_stats	 imap;
	int			 ok;
	int			 woken;		/* idle: news arrived while waiting */
	time_t			 not_before;	/* a rate limit's end; 0: none */
	double			 secs;
	char			 error[512];
};

struct progress;

/* Reads channel ch once through ops and its open state, at cli->now,
 * retrying a server that is away up to retries times with back-off; with
 * idle > 0, then waits up to idle seconds for news and reads once more if
 * some came.  Draws pg (cli/progress.h; NULL: none) as messages come.
 * Fills *res; 0, or -1 with e set (the connector has logged it; e->code
 * ERR_NET: try again later). */
int	poll_channel_state(struct cli *, struct store *, const struct conf_channel *ch,
	    const struct connector_ops *ops, void *state, int retries, int idle,
	    struct progress *pg, struct poll_result *res /* OUT */, struct err *e);

#endif
