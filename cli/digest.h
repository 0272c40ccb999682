/* digest.h -- breach digests for managers, for `escalator digest` and the
 * daemon's schedule (issue 7, item 5).
 *
 * A digest covers a window [to - since, to): the SLA warnings and
 * breaches a sweep recorded in it, by tier, department and channel, the
 * ten worst tickets, and the share of clocks due in it that were met
 * against the window before.  Times are shown, and schedules kept, in the
 * zone of the first calendar of the configuration (UTC without one).
 *
 * Once per window is structural: each mail's Message-ID is
 * <escalator.digest.YYYYMMDD.SINCE.HASH@host> (the local date of the
 * window's end, its length in seconds, a hash of the recipient), and the
 * outbox keeps one mail per Message-ID, so queueing the same window for
 * the same recipient again adds nothing. */
#ifndef ESC_CLI_DIGEST_H
#define ESC_CLI_DIGEST_H

#include <stddef.h>
#include <time.h>

struct cli;
struct err;

#define DIGEST_DAY	86400L
#define DIGEST_WEEK	(7 * 86400L)

/* Queues the digest of [to - since, to) to each of rcpts not sent it
 * already; *queued counts the new mails. */
int	digest_queue(struct cli *, const char *const *rcpts, size_t rcpts_count,
	    time_t to, long since, long *queued /* OUT */, struct err *);
/* The daemon's schedule: for each digest statement, the digest of its
 * latest time at or before cli->now (a day or a week long), queued if it
 * was not.  A daemon down at 08:00 sends that morning's digest when it
 * starts; earlier missed ones are not sent. */
int	digest_schedule(struct cli *, long *queued /* OUT */, struct err *);

#endif
