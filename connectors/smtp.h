/* smtp.h -- the outbound edge: one SMTP session that delivers composed
 * messages (connectors/smtp_compose.c) to a relay.
 *
 * Built on libcurl's SMTP: it does STARTTLS and SMTPS, verifies the
 * server's certificate and name against the system store or a ca-file,
 * speaks SASL AUTH (PLAIN, LOGIN, CRAM-MD5...), dot-stuffs the data, and
 * keeps the connection open between messages, so one `escalator send`
 * is one SMTP session.  What libcurl does not report, the reply to each
 * RCPT TO, is read from its protocol trace (CURLOPT_DEBUGFUNCTION), so
 * that a recipient refused with 5xx fails alone while the others get the
 * message.  libetpan's mailsmtp gives per-command replies directly but
 * leaves certificate verification to the caller; a verified TLS setup
 * mattered more.  The trace is never logged but at debug level, and
 * never the AUTH exchange.
 *
 * TLS: smtps:// is TLS from the start; smtp:// upgrades with STARTTLS,
 * required when a password is sent (unless the server is on loopback,
 * where nothing crosses a network), and used when offered otherwise. */
#ifndef ESC_SMTP_H
#define ESC_SMTP_H

#include <stddef.h>

struct conf_smtp;
struct err;
struct smtp;

enum smtp_outcome {
	SMTP_SENT = 0,		/* the server took it for this recipient */
	SMTP_TEMPFAIL,		/* try again later (4xx, no answer, session lost) */
	SMTP_PERMFAIL		/* refused for good (5xx) */
};

struct smtp_result {
	int	 outcome;	/* enum smtp_outcome */
	int	 code;		/* the server's reply code; 0 if it gave none */
	char	 reply[256];	/* the reply or our reason, escaped, one line */
};

/* Prepares a session (nothing is connected until the first send); reads
 * the password file now.  Returns 0, or -1 with e set (ERR_CONFIG). */
int	smtp_open(struct smtp **out /* OUT */, const struct conf_smtp *, struct err *);
/* Sends one message to rcpts, envelope sender from ("": the null sender,
 * MAIL FROM:<>, for automatic answers); fills res[i] for each
 * recipient.  Returns 0 when the server answered for the message, or -1
 * when the session failed: ERR_NET (unreachable, TLS, timeout, 421) or
 * ERR_CONFIG (AUTH refused with 5xx: the credentials are wrong); every
 * res is then SMTP_TEMPFAIL, and later messages will fail alike.  A 4xx
 * to MAIL FROM on a connection that carried earlier messages (a
 * server's per-connection limit) is tried once more on a new one. */
int	smtp_send(struct smtp *, const char *from, const char *const *rcpts, size_t count,
	    const char *data, size_t len, struct smtp_result *res /* OUT */, struct err *);
/* Connections opened so far (1 for a session that never broke). */
long	smtp_connections(const struct smtp *);
void	smtp_close(struct smtp *);		/* NULL-safe; says QUIT */

#endif
