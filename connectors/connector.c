/* connector.c -- what every inbound connector shares: the table of
 * connectors by kind, and back-off with jitter; see connector.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "connectors/connector.h"
#include "connectors/imap.h"
#include "connectors/bluesky.h"
#include "connectors/feed.h"
#include "connectors/mastodon.h"
#include "rules/conf.h"

const struct connector_ops *
connector_find(int kind)
{
	switch (kind) {
	case CONF_IMAP:
		return &imap_connector;
	case CONF_MASTODON:
		return &mastodon_connector;
	case CONF_BLUESKY:
		return &bluesky_connector;
	case CONF_FEED:
		return &feed_connector;
	default:
		return NULL;
	}
}

long
connector_backoff(int attempt, long base_ms, long cap_ms)
{
	static unsigned seed;
	long ms = base_ms;
	int i;

	if (seed == 0) {
		struct timespec ts;

		(void)clock_gettime(CLOCK_REALTIME, &ts);	/* cannot fail for REALTIME */
		seed = (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec ^ 0x5bd1e995u;
	}
	for (i = 1; i < attempt && ms < cap_ms; i++)
		ms *= 2;
	if (ms > cap_ms)
		ms = cap_ms;
	/* +-25%: not cryptography, just spreading retries apart. */
	return ms - ms / 4 + (long)(rand_r(&seed) % (unsigned)(ms / 2 + 1));
}

int
connector_sleep(long ms, const volatile sig_atomic_t *stop)
{
	struct timespec ts;

	if (ms <= 0)
		return 0;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		if (stop != NULL && *stop)
			return -1;
	return stop != NULL && *stop ? -1 : 0;
}
