/* imap.h -- the IMAP connector: shared inboxes read with libetpan's
 * mailimap, behind the connector interface (connector.h).
 *
 * What it reads, per channel: the URL's mailbox (INBOX), the `sent`
 * mailbox (its messages are the team's replies) and a `done` folder; a
 * `done` value starting with '$' or '\' is a keyword instead (such as
 * $Resolved).  Mailboxes are only EXAMINEd and bodies fetched with
 * BODY.PEEK, so nothing is ever marked read, moved or deleted.
 *
 * Cursors: per mailbox, source = the mailbox name, value
 * "UIDVALIDITY:UID" (the highest UID whose message is stored), written by
 * intake_flush with the batch it covers; with CONDSTORE also source
 * "modseq:MAILBOX", value "UIDVALIDITY:HIGHESTMODSEQ", for flag changes.
 * A message's external id is "UIDVALIDITY/UID@MAILBOX"; it is deduplicated
 * by Message-ID, so a UIDVALIDITY change (a recreated mailbox) resyncs the
 * mailbox from UID 1, stores only what is new and moves the external ids
 * of the rest to their new UIDs.
 *
 * Limits: memory follows one batch (IMAP_BATCH messages or
 * IMAP_BATCH_BYTES, whichever is reached first; a single bigger message
 * is fetched alone), two batches in flight; every read and write gives up
 * after the timeout.  Mailbox names are sent as configured (write a non-
 * ASCII name in IMAP's modified UTF-7). */
#ifndef ESC_IMAP_H
#define ESC_IMAP_H

#include "connectors/connector.h"

#define IMAP_BATCH		200		/* messages per UID FETCH and transaction */
#define IMAP_BATCH_BYTES	(8u << 20)	/* bytes of mail per UID FETCH */
#define IMAP_MESSAGE_MAX	(256u << 20)	/* bigger messages are skipped, with a warning */
#define IMAP_WINDOW		5000		/* UIDs listed per RFC822.SIZE listing */
#define IMAP_TIMEOUT		60		/* seconds a read or write may stall */

/* The environment variable that overrides IMAP_TIMEOUT (seconds, 1-3600),
 * for tests that stall a server on purpose. */
#define IMAP_TIMEOUT_ENV	"ESCALATOR_IMAP_TIMEOUT"

extern const struct connector_ops imap_connector;

/* What the last poll did beyond the intake counts; for the summary line. */
struct imap_stats {
	long	answered;	/* \Answered seen on customer messages */
	long	resolved;	/* tickets resolved by the done folder or keyword */
	long	flag_checks;	/* stored messages whose flags were looked at */
	long	resyncs;	/* mailboxes resynced after a UIDVALIDITY change */
};
/* The counts of the state's last poll (state from imap_connector.open). */
const struct imap_stats *imap_last_stats(void *state);

#endif
