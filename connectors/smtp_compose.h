/* smtp_compose.h -- RFC 5322 / MIME messages for the outbound edge.
 *
 * Builds the bytes that connectors/smtp.c hands to a server: headers
 * sanitized and encoded (RFC 2047 for non-ASCII, folded at 78), a
 * multipart/alternative body of text/plain and text/html in UTF-8,
 * quoted-printable (RFC 2045), CRLF line ends.  It knows MIME, not
 * tickets: what a notification says comes from rules/notify.c, and a
 * digest will use the same entry point.  Pure: no I/O, deterministic
 * (the MIME boundary derives from the Message-ID), so a composed message
 * can be stored in the outbox and re-sent byte for byte.
 *
 * Every string from outside (a customer's subject or name) may hold any
 * bytes: CR, LF and other controls become spaces before they reach a
 * header, invalid UTF-8 becomes U+FFFD, and a text that would read as an
 * encoded word is encoded itself.  Addresses must be plain addr-specs;
 * anything else is refused (ERR_DATA), never repaired. */
#ifndef ESC_SMTP_COMPOSE_H
#define ESC_SMTP_COMPOSE_H

#include <stddef.h>
#include <time.h>

struct buf;
struct err;

#define COMPOSE_MAX	(4 * 1024 * 1024)	/* ceiling of one message */

struct compose {
	const char		*from;		/* "Name <addr>" or "addr" */
	const char *const	*to;		/* addr-specs */
	size_t			 to_count;
	const char *const	*cc;
	size_t			 cc_count;
	const char		*subject;	/* UTF-8, unsanitized */
	const char		*message_id;	/* "<local@host>" */
	const char		*in_reply_to;	/* "<...>" or NULL */
	const char		*references;	/* "<a> <b>" or NULL */
	time_t			 date;
	const char		*text;		/* UTF-8 body, LF or CRLF lines */
	const char		*html;		/* NULL: text/plain only */
	/* Extra headers, ASCII "Name: value" lines we wrote ourselves. */
	const char *const	*extra;
	size_t			 extra_count;
};

/* Appends the whole message to out. */
int	smtp_compose(const struct compose *, struct buf *out, struct err *);

/* The pieces, for tests and for other composers. */
/* "Name: value" for UTF-8 text, sanitized, encoded and folded, CRLF. */
int	compose_header_text(struct buf *, const char *name, const char *value,
	    struct err *);
/* "Name: a, b" for addresses; each may be "Display <addr>" or "addr". */
int	compose_header_addrs(struct buf *, const char *name, const char *const *addrs,
	    size_t count, struct err *);
/* Quoted-printable of UTF-8 text, lines ending CRLF. */
int	compose_qp(struct buf *, const char *text, struct err *);
/* 1 when s is an addr-spec we will put in a header or an envelope:
 * printable ASCII, one '@', no spaces, quotes, brackets or commas. */
int	compose_addr_ok(const char *s);
/* The addr-spec inside "Name <addr>" (or s itself) into out. */
int	compose_addr_spec(const char *s, char *out, size_t len);
/* The domain of from ("Name <a@host>" or "a@host") into out, for the
 * right side of the Message-IDs we make; "localhost" when from has none. */
void	compose_domain(const char *from, char *out, size_t len);

#endif
