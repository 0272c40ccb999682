/* connector.h -- the inbound edge: one small interface every connector
 * (imap, later mastodon, bluesky, feed) implements, so `poll` and the
 * daemon drive them all the same way (DESIGN.md, "The pipeline").
 *
 * A connector knows one protocol.  It reads its channel's block of the
 * configuration (plain data, rules/conf.h; never the rules), keeps its
 * connection in an opaque state, and hands messages to the sink, the
 * intake pipeline.  Cursors travel with the messages: a connector commits
 * each batch with intake_flush(source, cursor), so a crash never loses or
 * doubles a message.  It never marks, moves or deletes anything at the
 * source.
 *
 * Errors: -1 with struct err filled.  ERR_NET means "try again later" (the
 * server is away, a read timed out, the connection dropped): the caller
 * backs off with connector_backoff and retries.  Anything else (ERR_CONFIG:
 * bad credentials, a missing secret file, a refused certificate) will not
 * heal by retrying soon.  The connector itself logs one line per failure,
 * `channel=NAME host=HOST event=WHAT error="..."`; callers do not repeat it. */
#ifndef ESC_CONNECTOR_H
#define ESC_CONNECTOR_H

#include <signal.h>
#include <time.h>

struct conf_channel;
struct err;
struct intake;

struct connector_ops {
	const char	*kind;		/* "imap", as in the configuration */
	/* Prepares a state for ch (borrowed until close); connects lazily,
	 * on the first poll or wait. */
	int		(*open)(void **state /* OUT */, const struct conf_channel *ch,
			    struct err *);
	/* Reads everything new since the stored cursors into in, committing
	 * batch by batch; reconnects when needed. */
	int		(*poll)(void *state, struct intake *in, struct err *);
	/* Waits up to timeout seconds for news at the source (IMAP IDLE
	 * where offered, else a plain sleep): 1 something changed, 0 the time
	 * passed, -1 an error (then poll again after a back-off). */
	int		(*wait)(void *state, int timeout, struct err *);
	/* Logs out and frees the state; NULL-safe. */
	void		(*close)(void *state);
	/* Optional (NULL: never): until when the source has asked us to wait
	 * (a rate limit); 0 or a past time if it has not.  A poll that failed
	 * with ERR_NET while this lies ahead is not retried before then: the
	 * caller moves on to other channels. */
	time_t		(*not_before)(void *state);
};

/* The ops for a configured kind (enum conf_channel_kind); NULL if there
 * is no connector for it yet. */
const struct connector_ops *connector_find(int kind);

/* Milliseconds to wait before retry number attempt (1, 2, ...):
 * exponential from base_ms, capped at cap_ms, with +-25% jitter so that
 * channels and daemons that failed together do not retry together. */
long	connector_backoff(int attempt, long base_ms, long cap_ms);
/* Sleeps ms milliseconds, resuming after signals; 0, or -1 if *stop (stop
 * may be NULL) became nonzero meanwhile. */
int	connector_sleep(long ms, const volatile sig_atomic_t *stop);

#endif
