/* imap.c -- the IMAP connector: libetpan's mailimap speaks the protocol,
 * over a TCP and TLS connection of our own; see imap.h for what it reads.
 *
 * Why our own connection: libetpan 1.9's gnutls backend neither verifies
 * the server's certificate nor sends SNI, and its session is out of reach
 * of callers.  So this file connects (getaddrinfo, connect with a
 * timeout), runs gnutls itself (system trust or ca-file, SNI, chain and
 * host name checked during the handshake by gnutls_session_set_verify_cert)
 * and hands mailimap a mailstream over a small low-level driver (struct
 * conn) that reads and writes through gnutls or the bare socket.  STARTTLS
 * upgrades the same driver in place.  Every read and write has a timeout
 * (SO_RCVTIMEO/SO_SNDTIMEO), so a stalled server ends in a clear error,
 * not a hang.
 *
 * Sync of one mailbox: EXAMINE (read-only; with CONDSTORE when offered;
 * SELECT on Courier-IMAP and servers without UIDNEXT, see
 * uids_need_select), compare UIDVALIDITY with the cursor (SELECT once
 * when it changed: see mailbox_select), then walk the new UIDs in
 * windows:
 * list UID and RFC822.SIZE (after UID SEARCH SINCE when `since` is set),
 * cut the list into batches by count and bytes, and UID FETCH (UID FLAGS
 * INTERNALDATE BODY.PEEK[]) two batches deep: the next command is on the
 * wire while the current response is parsed.  libetpan hands each FETCH
 * item to on_msg_att as soon as it is parsed; intake stores it; after a
 * batch, intake_flush commits its messages with the cursor.  A failed
 * batch is rolled back and fetched again on the next poll, which the
 * Message-ID deduplication makes harmless.
 *
 * Authentication is written here on mailimap's public tag and response
 * functions: LOGIN, AUTHENTICATE PLAIN and XOAUTH2 with an initial response
 * (or a continuation when the server lacks SASL-IR).  Secrets are read
 * from their files when connecting, wiped after use and never logged. */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "common/err.h"
#include "common/log.h"
#include "common/model.h"
#include "common/text.h"
#include "common/util.h"
#include "connectors/connector.h"
#include "connectors/imap.h"
#include "intake/intake.h"
#include "rules/conf.h"
#include "store/store.h"

#define SECRET_MAX	16384		/* bytes of a password or token file */
#define FLAGS_CHUNK	500		/* UIDs per FLAGS fetch */
#define WINDOW_MAX	65536		/* UIDs per listing when mail is sparse */
#define IDLE_MAX	(29 * 60)	/* RFC 2177: re-issue IDLE within 29 minutes */
#define MAILBOX_MAX	256
#define WIRE_MAX	(MAILBOX_MAX * 3)	/* a name in modified UTF-7 */

enum role { ROLE_INBOX = 0, ROLE_SENT, ROLE_DONE };
static const char *const role_names[] = { "inbox", "sent", "done" };

/* What the FETCH handler does with each item. */
enum mode { MODE_NONE = 0, MODE_SIZES, MODE_BODIES, MODE_FLAGS };

#define F_ANSWERED	0x1
#define F_DONE		0x2

/* The low-level stream under mailimap: a socket, then maybe TLS on it. */
struct conn {
	int			 fd;
	int			 timeout;	/* seconds, as SO_RCVTIMEO */
	gnutls_session_t	 tls;		/* NULL while plaintext */
	int			 timed_out;	/* the last failure was a timeout */
	int			 eof;		/* the server closed the connection */
	char			 error[192];	/* the last other I/O failure */
};

struct uidsize {
	uint32_t	 uid;
	uint32_t	 size;
};

struct imap {
	const struct conf_channel *ch;		/* borrowed from the conf */
	char		 host[256];
	char		 port[8];
	char		 mailbox[MAILBOX_MAX];	/* the URL's, default INBOX */
	char		 wire[3][WIRE_MAX];	/* by role: the name as sent */
	const char	*done_keyword;		/* ch->done when a keyword */
	int		 timeout;		/* seconds */

	mailimap	*session;		/* NULL: not connected */
	struct conn	*conn;			/* owned by the session's stream */
	gnutls_certificate_credentials_t cred;
	int		 loopback;		/* connected to a loopback address */
	int		 condstore, idle;
	int		 search_first;		/* UID sets with gaps refused: UID SEARCH */
	int		 select_always;		/* UIDs last only under SELECT (Courier) */
	int		 no_uidnext;		/* a mailbox opened without UIDNEXT */
	char		 selected[MAILBOX_MAX];	/* examined mailbox, "" if none */

	/* The poll under way. */
	struct intake	*in;
	struct imap_stats stats;
	const char	*event;			/* what failed, for the log line */
	int		 missing_warned[3];	/* by role: "mailbox-missing" said */

	/* The mailbox under way, for the FETCH handler. */
	enum mode	 mode;
	enum role	 role;
	const char	*mbox;
	uint32_t	 validity;
	int		 resync;		/* UIDVALIDITY changed: move ids */
	struct uidsize	*list;			/* MODE_SIZES collects here */
	size_t		 list_count, list_cap;
	int		 failed;		/* a handler step failed: */
	struct err	 handler_err;		/* why */
	long		 batch_seen;		/* messages handled in this batch */
};

static void on_msg_att(struct mailimap_msg_att *, void *);
static void on_progress(size_t, size_t, void *);
static int uids_need_select(const char *);

/*
 * Errors and the one log line per failure.
 */

static int imap_fail(struct imap *, struct err *, int code, const char *event,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
imap_fail(struct imap *im, struct err *e, int code, const char *event,
    const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);	/* a cut message still says enough */
	va_end(ap);
	im->event = event;
	return err_set(e, code, "%s", msg);
}

static const char *
etpan_strerror(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_BAD_STATE:	return "command not allowed in this state";
	case MAILIMAP_ERROR_STREAM:	return "connection lost";
	case MAILIMAP_ERROR_PARSE:	return "malformed server response";
	case MAILIMAP_ERROR_CONNECTION_REFUSED: return "connection refused";
	case MAILIMAP_ERROR_MEMORY:	return "out of memory";
	case MAILIMAP_ERROR_FATAL:	return "server said BYE";
	case MAILIMAP_ERROR_PROTOCOL:	return "server answered BAD";
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION: return "server refused the connection";
	case MAILIMAP_ERROR_LOGIN:	return "login refused";
	case MAILIMAP_ERROR_EXAMINE:	return "EXAMINE refused";
	case MAILIMAP_ERROR_CAPABILITY:	return "CAPABILITY refused";
	case MAILIMAP_ERROR_STARTTLS:	return "STARTTLS refused";
	case MAILIMAP_ERROR_SSL:	return "TLS failure";
	case MAILIMAP_ERROR_UID_SEARCH:	return "UID SEARCH refused";
	case MAILIMAP_ERROR_UID_FETCH:	return "UID FETCH refused";
	case MAILIMAP_ERROR_EXTENSION:	return "extension command refused";
	default:			return "IMAP error";
	}
}

/* The server's last tagged text, escaped for a log line. */
static const char *
server_text(struct imap *im, char *buf, size_t len)
{
	const char *s = im->session != NULL ? im->session->imap_response : NULL;

	return log_escape(s != NULL ? s : "", buf, len);
}

/* A failed exchange: names what broke (timeout, closed, BAD, parse) and
 * marks the connection for dropping; ERR_NET, so the caller retries. */
static int
net_fail(struct imap *im, struct err *e, int r, const char *during)
{
	struct conn *c = im->conn;
	char text[256];

	if (r == MAILIMAP_ERROR_STREAM && c != NULL && c->timed_out)
		return imap_fail(im, e, ERR_NET, "timeout",
		    "no reply within %ds during %s", im->timeout, during);
	if (r == MAILIMAP_ERROR_STREAM && c != NULL && c->error[0] != '\0')
		return imap_fail(im, e, ERR_NET, "disconnected", "%s during %s",
		    c->error, during);
	if (r == MAILIMAP_ERROR_STREAM)
		return imap_fail(im, e, ERR_NET, "disconnected",
		    "server closed the connection during %s", during);
	if (r == MAILIMAP_ERROR_PARSE)
		return imap_fail(im, e, ERR_NET, "protocol-error",
		    "malformed server response during %s", during);
	if (r == MAILIMAP_ERROR_FATAL || r == MAILIMAP_ERROR_PROTOCOL)
		return imap_fail(im, e, ERR_NET, "protocol-error", "%s during %s: %s",
		    etpan_strerror(r), during, server_text(im, text, sizeof(text)));
	return imap_fail(im, e, ERR_NET, "protocol-error", "%s during %s",
	    etpan_strerror(r), during);
}

/*
 * The low-level stream driver.
 */

static ssize_t
conn_read(mailstream_low *s, void *buf, size_t len)
{
	struct conn *c = s->data;
	ssize_t n;

	if (c->tls != NULL) {
		struct timespec t0, t1;

		/* GNUTLS_E_AGAIN is the socket's timeout, or, at once, a TLS 1.3
		 * post-handshake message (a session ticket) that carried no
		 * data: only the first is a stall. */
		(void)clock_gettime(CLOCK_MONOTONIC, &t0);	/* cannot fail for MONOTONIC */
		for (;;) {
			n = gnutls_record_recv(c->tls, buf, len);
			if (n == GNUTLS_E_INTERRUPTED && !stop_requested())
				continue;
			if (n != GNUTLS_E_AGAIN)
				break;
			(void)clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L >=
			    c->timeout * 1000L - 100)
				break;
		}
		/* End of stream is an error here: libetpan's literal reader
		 * loops on a read of 0 bytes (libetpan 1.9.4), forever. */
		if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION) {
			c->eof = 1;
			return -1;
		}
		if (n == GNUTLS_E_AGAIN)
			c->timed_out = 1;
		else if (n < 0)
			(void)snprintf(c->error, sizeof(c->error), "TLS read failed: %s",
			    gnutls_strerror((int)n));
		return n < 0 ? -1 : n;
	}
	do
		n = recv(c->fd, buf, len, 0);
	while (n == -1 && errno == EINTR && !stop_requested());
	if (n == 0) {
		c->eof = 1;
		return -1;	/* as above: never hand libetpan a 0 */
	} else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		c->timed_out = 1;
	else if (n == -1)
		(void)snprintf(c->error, sizeof(c->error), "read failed: %s", strerror(errno));
	return n;
}

static ssize_t
conn_write(mailstream_low *s, const void *buf, size_t len)
{
	struct conn *c = s->data;
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (c->tls != NULL) {
			do
				n = gnutls_record_send(c->tls, p + done, len - done);
			while (n == GNUTLS_E_INTERRUPTED && !stop_requested());
			if (n == GNUTLS_E_AGAIN)
				c->timed_out = 1;
			else if (n < 0)
				(void)snprintf(c->error, sizeof(c->error), "TLS write failed: %s",
				    gnutls_strerror((int)n));
		} else {
			do
				n = send(c->fd, p + done, len - done, MSG_NOSIGNAL);
			while (n == -1 && errno == EINTR && !stop_requested());
			if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
				c->timed_out = 1;
			else if (n == -1)
				(void)snprintf(c->error, sizeof(c->error), "write failed: %s",
				    strerror(errno));
		}
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)len;
}

static int
conn_close(mailstream_low *s)
{
	struct conn *c = s->data;

	/* A polite close_notify only on a healthy connection: a dead one
	 * would make us wait out the timeout once more.  Its result changes
	 * nothing, so it is not checked. */
	if (c->tls != NULL && !c->eof && !c->timed_out && c->error[0] == '\0')
		(void)gnutls_bye(c->tls, GNUTLS_SHUT_WR);
	if (c->fd != -1)
		(void)close(c->fd);
	c->fd = -1;
	return 0;
}

static int
conn_get_fd(mailstream_low *s)
{
	return ((struct conn *)s->data)->fd;
}

static void
conn_free(mailstream_low *s)
{
	struct conn *c = s->data;

	if (c != NULL) {
		if (c->tls != NULL)
			gnutls_deinit(c->tls);
		if (c->fd != -1)
			(void)close(c->fd);
		free(c);
	}
	free(s);		/* the driver owns the mailstream_low, as libetpan's do */
}

static mailstream_low_driver conn_driver = {
	.mailstream_read = conn_read,
	.mailstream_write = conn_write,
	.mailstream_close = conn_close,
	.mailstream_get_fd = conn_get_fd,
	.mailstream_free = conn_free,
};

/*
 * Connecting: TCP, TLS, greeting, STARTTLS, authentication.
 */

/* Splits "imaps://host[:port][/MAILBOX]" into im; the configuration
 * checked the scheme already. */
static int
url_parse(struct imap *im, const char *url, struct err *e)
{
	const char *p = strstr(url, "://"), *host, *end, *path;
	size_t n, o = 0;

	if (p == NULL)
		return err_set(e, ERR_CONFIG, "invalid IMAP URL '%s'", url);
	host = p + 3;
	path = host + strcspn(host, "/");
	if (*host == '[') {		/* [2001:db8::1]:993 */
		if ((end = memchr(host, ']', (size_t)(path - host))) == NULL)
			return err_set(e, ERR_CONFIG, "invalid IMAP URL '%s'", url);
		n = (size_t)(end - host - 1);
		host++;
		end++;
	} else {
		end = memchr(host, ':', (size_t)(path - host));
		if (end == NULL)
			end = path;
		n = (size_t)(end - host);
	}
	if (n == 0 || n >= sizeof(im->host))
		return err_set(e, ERR_CONFIG, "invalid host in IMAP URL '%s'", url);
	memcpy(im->host, host, n);
	im->host[n] = '\0';
	if (*end == ':') {
		n = (size_t)(path - end - 1);
		if (n == 0 || n >= sizeof(im->port) || strspn(end + 1, "0123456789") < n)
			return err_set(e, ERR_CONFIG, "invalid port in IMAP URL '%s'", url);
		memcpy(im->port, end + 1, n);
		im->port[n] = '\0';
	} else
		(void)esc_strlcpy(im->port, strncasecmp(url, "imaps:", 6) == 0 ? "993" : "143",
		    sizeof(im->port));
	/* The mailbox, %-decoded; "" or "/" is INBOX. */
	if (*path == '/')
		path++;
	for (; *path != '\0' && *path != '?' && *path != ';'; path++) {
		int c = (unsigned char)*path;

		if (c == '%' && isxdigit((unsigned char)path[1]) && isxdigit((unsigned char)path[2])) {
			char hex[3] = { path[1], path[2], '\0' };

			c = (int)strtol(hex, NULL, 16);
			path += 2;
		}
		if (o + 1 >= sizeof(im->mailbox) || c == 0)
			return err_set(e, ERR_CONFIG, "invalid mailbox in IMAP URL '%s'", url);
		im->mailbox[o++] = (char)c;
	}
	im->mailbox[o] = '\0';
	if (o == 0)
		(void)esc_strlcpy(im->mailbox, "INBOX", sizeof(im->mailbox));
	return 0;
}

/* 1 when name is ASCII and valid modified UTF-7: every '&' opens a run
 * of modified BASE64 closed by '-'. */
static int
mutf7_valid(const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return 0;
		if (*p != '&')
			continue;
		while (isalnum(p[1]) || p[1] == '+' || p[1] == ',')
			p++;
		if (*++p != '-')
			return 0;
	}
	return 1;
}

/* RFC 3501 5.1.3: mailbox names travel in modified UTF-7.  A name that
 * is ASCII and valid modified UTF-7 already ("Envoy&AOk-s", as servers
 * list it) goes as written; any other is encoded from UTF-8: "Envoyés"
 * becomes "Envoy&AOk-s", "R&D" becomes "R&-D". */
static int
mailbox_wire(const char *name, char *out, size_t len, struct err *e)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	const unsigned char *s = (const unsigned char *)name;
	unsigned long bits = 0;
	size_t i = 0, o = 0, n = strlen(name), k;
	int nbits = 0, run = 0;
	uint32_t c;

	if (mutf7_valid(name)) {
		if (esc_strlcpy(out, name, len) >= len)
			return err_set(e, ERR_CONFIG, "mailbox name '%s' is too long", name);
		return 0;
	}
	/* Each step writes at most 6 bytes: room is checked once per step. */
	while (s[i] != '\0') {
		if (o + 8 > len)
			return err_set(e, ERR_CONFIG, "mailbox name '%s' is too long", name);
		if ((k = utf8_decode(s + i, n - i, &c)) == 0)
			return err_set(e, ERR_CONFIG, "mailbox name '%s' is not UTF-8", name);
		i += k;
		if (c >= 0x20 && c <= 0x7e) {
			if (run) {
				if (nbits > 0)
					out[o++] = b64[bits << (6 - nbits) & 63];
				out[o++] = '-';
				run = nbits = 0;
			}
			out[o++] = (char)c;
			if (c == '&')
				out[o++] = '-';
			continue;
		}
		if (!run) {
			out[o++] = '&';
			run = 1;
			bits = 0;
		}
		if (c > 0xffff) {	/* a surrogate pair */
			c -= 0x10000;
			bits = bits << 16 | (unsigned long)(0xd800 | c >> 10);
			nbits += 16;
			while (nbits >= 6) {
				nbits -= 6;
				out[o++] = b64[bits >> nbits & 63];
			}
			c = 0xdc00 | (c & 0x3ff);
		}
		bits = bits << 16 | (unsigned long)c;
		nbits += 16;
		while (nbits >= 6) {
			nbits -= 6;
			out[o++] = b64[bits >> nbits & 63];
		}
		bits &= (1UL << nbits) - 1;
	}
	if (run) {
		if (o + 3 > len)
			return err_set(e, ERR_CONFIG, "mailbox name '%s' is too long", name);
		if (nbits > 0)
			out[o++] = b64[bits << (6 - nbits) & 63];
		out[o++] = '-';
	}
	out[o] = '\0';
	return 0;
}

static int
addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr)
		    >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LOOPBACK(a))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return 0;
}

/* Connects to one address within the timeout; the fd, or -1 with errno. */
static int
connect_one(const struct addrinfo *ai, int timeout)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, flags, r, soerr = 0, saved;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) == -1)
		return -1;
	if ((flags = fcntl(fd, F_GETFL)) == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			r = poll(&pfd, 1, timeout * 1000);
		while (r == -1 && errno == EINTR && !stop_requested());
		if (r == 0)
			errno = ETIMEDOUT;
		if (r <= 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, flags) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	(void)close(fd);
	errno = saved;
	return -1;
}

static int
tcp_connect(struct imap *im, struct err *e)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv;
	int fd = -1, r, one = 1, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(im->host, im->port, &hints, &res)) != 0)
		return imap_fail(im, e, ERR_NET, "connect-failed", "cannot resolve '%s': %s",
		    im->host, gai_strerror(r));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = connect_one(ai, im->timeout)) != -1) {
			im->loopback = addr_is_loopback(ai->ai_addr);
			break;
		}
		saved = errno;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return imap_fail(im, e, ERR_NET, "connect-failed", "cannot connect to port %s: %s",
		    im->port, saved == ECONNREFUSED ? "connection refused" :
		    saved == ETIMEDOUT ? "timed out" : strerror(saved));
	/* Every later read and write gives up after the timeout. */
	tv.tv_sec = im->timeout;
	tv.tv_usec = 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1) {
		saved = errno;
		(void)close(fd);
		return imap_fail(im, e, ERR_NET, "connect-failed", "cannot set timeouts: %s",
		    strerror(saved));
	}
	/* Commands are small and answered one by one: no Nagle delay.  A
	 * failure only costs speed. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
host_is_address(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* TLS on c->fd: verified against the system store or ca-file, and the
 * host name, unless tls-verify is no. */
static int
tls_start(struct imap *im, struct conn *c, struct err *e)
{
	const struct conf_channel *ch = im->ch;
	gnutls_session_t s;
	gnutls_datum_t out;
	struct timespec t0, t1;
	unsigned status;
	int r;

	if (im->cred == NULL) {
		if ((r = gnutls_certificate_allocate_credentials(&im->cred)) < 0)
			return imap_fail(im, e, ERR_NOMEM, "tls-failed", "cannot set up TLS: %s",
			    gnutls_strerror(r));
		if (ch->tls_verify && ch->ca_file != NULL) {
			r = gnutls_certificate_set_x509_trust_file(im->cred, ch->ca_file,
			    GNUTLS_X509_FMT_PEM);
			if (r <= 0)
				return imap_fail(im, e, ERR_CONFIG, "tls-failed",
				    "cannot read CA certificates from ca-file '%s': %s", ch->ca_file,
				    r < 0 ? gnutls_strerror(r) : "no certificate in it");
		} else if (ch->tls_verify &&
		    (r = gnutls_certificate_set_x509_system_trust(im->cred)) <= 0)
			return imap_fail(im, e, ERR_CONFIG, "tls-failed",
			    "no system CA certificates (install ca-certificates or set ca-file)%s%s",
			    r < 0 ? ": " : "", r < 0 ? gnutls_strerror(r) : "");
	}
	if ((r = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL)) < 0)
		return imap_fail(im, e, ERR_NOMEM, "tls-failed", "cannot set up TLS: %s",
		    gnutls_strerror(r));
	if ((r = gnutls_set_default_priority(s)) < 0 ||
	    (r = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, im->cred)) < 0 ||
	    (!host_is_address(im->host) &&
	     (r = gnutls_server_name_set(s, GNUTLS_NAME_DNS, im->host, strlen(im->host))) < 0)) {
		gnutls_deinit(s);
		return imap_fail(im, e, ERR_NET, "tls-failed", "cannot set up TLS: %s",
		    gnutls_strerror(r));
	}
	if (ch->tls_verify)
		gnutls_session_set_verify_cert(s, im->host, 0);
	gnutls_transport_set_int(s, c->fd);
	gnutls_handshake_set_timeout(s, (unsigned)im->timeout * 1000);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);	/* cannot fail for MONOTONIC */
	do {
		r = gnutls_handshake(s);
		(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (r < 0 && !gnutls_error_is_fatal(r) && t1.tv_sec - t0.tv_sec < im->timeout);
	if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		status = gnutls_session_get_verify_cert_status(s);
		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
		    &out, 0) == 0) {
			char text[256];
			size_t n;

			(void)log_escape((const char *)out.data, text, sizeof(text));
			for (n = strlen(text); n > 0 && text[n - 1] == ' '; n--)
				text[n - 1] = '\0';
			gnutls_free(out.data);
			gnutls_deinit(s);
			/* Not retried soon: a certificate does not heal in seconds. */
			return imap_fail(im, e, ERR_CONFIG, "tls-failed",
			    "certificate of '%s' refused: %s", im->host, text);
		}
	}
	if (r < 0) {
		gnutls_deinit(s);
		if (r == GNUTLS_E_AGAIN || !gnutls_error_is_fatal(r))
			return imap_fail(im, e, ERR_NET, "timeout",
			    "no reply within %ds during the TLS handshake", im->timeout);
		return imap_fail(im, e, ERR_NET, "tls-failed", "TLS handshake failed: %s",
		    gnutls_strerror(r));
	}
	c->tls = s;
	return 0;
}

static char *
base64(const unsigned char *in, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out, *o;
	size_t i;

	if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	for (i = 0, o = out; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < len ? tab[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int
stream_puts(mailimap *s, const char *text)
{
	return mailstream_write(s->imap_stream, text, strlen(text)) == -1 ? -1 : 0;
}

/* AUTHENTICATE mech with the SASL response raw: as an initial response
 * (SASL-IR) or after the server's continuation.  A continuation after the
 * response is an error challenge (XOAUTH2 sends JSON): answered with an
 * empty line, as the mechanisms require, and the tagged NO follows. */
static int
sasl_auth(struct imap *im, const char *mech, const char *raw, size_t len,
    struct err *e)
{
	mailimap *s = im->session;
	struct mailimap_response *resp;
	struct mailimap_resp_text_code *code;
	char *b64, text[256];
	int r, type, unavailable, ir = mailimap_has_extension(s, "SASL-IR");

	if ((b64 = base64((const unsigned char *)raw, len)) == NULL)
		return imap_fail(im, e, ERR_NOMEM, "auth-failed", "out of memory");
	r = mailimap_send_current_tag(s);
	if (r == MAILIMAP_NO_ERROR &&
	    (stream_puts(s, "AUTHENTICATE ") == -1 || stream_puts(s, mech) == -1 ||
	     (ir && (stream_puts(s, " ") == -1 || stream_puts(s, b64) == -1)) ||
	     stream_puts(s, "\r\n") == -1 || mailstream_flush(s->imap_stream) == -1))
		r = MAILIMAP_ERROR_STREAM;
	if (r == MAILIMAP_NO_ERROR && !ir) {
		if (mailimap_read_line(s) == NULL)
			r = MAILIMAP_ERROR_STREAM;
		else if (s->imap_stream_buffer->str[0] != '+')
			r = MAILIMAP_ERROR_PARSE;
		else if (stream_puts(s, b64) == -1 || stream_puts(s, "\r\n") == -1 ||
		    mailstream_flush(s->imap_stream) == -1)
			r = MAILIMAP_ERROR_STREAM;
	}
	explicit_bzero(b64, strlen(b64));
	free(b64);
	if (r == MAILIMAP_NO_ERROR) {
		if (mailimap_read_line(s) == NULL)
			r = MAILIMAP_ERROR_STREAM;
		else if (s->imap_stream_buffer->str[0] == '+') {
			if (stream_puts(s, "\r\n") == -1 || mailstream_flush(s->imap_stream) == -1 ||
			    mailimap_read_line(s) == NULL)
				r = MAILIMAP_ERROR_STREAM;
		}
	}
	if (r != MAILIMAP_NO_ERROR)
		return net_fail(im, e, r, "authentication");
	if ((r = mailimap_parse_response(s, &resp)) != MAILIMAP_NO_ERROR)
		return net_fail(im, e, r, "authentication");
	type = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	code = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_text->rsp_code;
	/* RFC 5530: [UNAVAILABLE] (too many connections, a backend away) is
	 * worth retrying; anything else means the credentials are wrong. */
	unavailable = code != NULL && code->rc_type == MAILIMAP_RESP_TEXT_CODE_OTHER &&
	    code->rc_data.rc_atom.atom_name != NULL &&
	    strcasecmp(code->rc_data.rc_atom.atom_name, "UNAVAILABLE") == 0;
	mailimap_response_free(resp);
	if (type != MAILIMAP_RESP_COND_STATE_OK)
		return imap_fail(im, e, unavailable ? ERR_NET : ERR_CONFIG, "auth-failed",
		    "authentication as '%s' with %s refused: %s", im->ch->user, mech,
		    server_text(im, text, sizeof(text)));
	s->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	return 0;
}

static int
authenticate(struct imap *im, const char **how, struct err *e)
{
	const struct conf_channel *ch = im->ch;
	mailimap *s = im->session;
	char secret[SECRET_MAX], *sasl, text[256];
	size_t ulen = strlen(ch->user), slen, n;
	int r, ret;

	if (secret_read(ch->oauth_token_file != NULL ? ch->oauth_token_file :
	    ch->password_file, secret, sizeof(secret), e) == -1) {
		im->event = "auth-failed";
		return -1;
	}
	slen = strlen(secret);
	if ((sasl = malloc(ulen + slen + 32)) == NULL) {
		explicit_bzero(secret, sizeof(secret));
		return imap_fail(im, e, ERR_NOMEM, "auth-failed", "out of memory");
	}
	if (ch->oauth_token_file != NULL) {
		/* RFC 7628's predecessor, as Gmail and Microsoft 365 take it. */
		*how = "XOAUTH2";
		n = (size_t)snprintf(sasl, ulen + slen + 32, "user=%s\001auth=Bearer %s\001\001",
		    ch->user, secret);
		ret = sasl_auth(im, "XOAUTH2", sasl, n, e);
	} else if (mailimap_has_authentication(s, "PLAIN")) {
		*how = "PLAIN";
		sasl[0] = '\0';				/* no authorization identity */
		memcpy(sasl + 1, ch->user, ulen);
		sasl[1 + ulen] = '\0';
		memcpy(sasl + 2 + ulen, secret, slen);
		ret = sasl_auth(im, "PLAIN", sasl, 2 + ulen + slen, e);
	} else if (mailimap_has_extension(s, "LOGINDISABLED")) {
		ret = imap_fail(im, e, ERR_CONFIG, "auth-failed",
		    "server offers neither AUTH=PLAIN nor LOGIN");
	} else {
		*how = "LOGIN";
		if ((r = mailimap_login(s, ch->user, secret)) == MAILIMAP_NO_ERROR)
			ret = 0;
		else if (r == MAILIMAP_ERROR_LOGIN)
			ret = imap_fail(im, e, ERR_CONFIG, "auth-failed",
			    "login as '%s' refused: %s", ch->user, server_text(im, text, sizeof(text)));
		else
			ret = net_fail(im, e, r, "LOGIN");
	}
	explicit_bzero(sasl, ulen + slen + 32);
	explicit_bzero(secret, sizeof(secret));
	free(sasl);
	return ret;
}

static int
capability(struct imap *im, struct err *e)
{
	struct mailimap_capability_data *cap;
	int r;

	if ((r = mailimap_capability(im->session, &cap)) != MAILIMAP_NO_ERROR)
		return net_fail(im, e, r, "CAPABILITY");
	mailimap_capability_data_free(cap);	/* the session keeps its own copy */
	return 0;
}

/* Drops the connection without a LOGOUT (it may be dead or stalled). */
static void
imap_drop(struct imap *im)
{
	if (im->session == NULL)
		return;
	if (im->session->imap_stream != NULL) {
		mailstream_close(im->session->imap_stream);
		im->session->imap_stream = NULL;
	}
	im->session->imap_state = MAILIMAP_STATE_DISCONNECTED;
	mailimap_free(im->session);
	im->session = NULL;
	im->conn = NULL;
	im->selected[0] = '\0';
}

static int
imap_connect(struct imap *im, struct err *e)
{
	const struct conf_channel *ch = im->ch;
	mailstream_low *low;
	mailstream *stream;
	struct conn *c;
	const char *how = "PREAUTH", *tls = "none";
	int fd, r;

	im->event = "connect-failed";
	im->search_first = 0;
	im->select_always = 0;
	if ((fd = tcp_connect(im, e)) == -1)
		return -1;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		(void)close(fd);
		return imap_fail(im, e, ERR_NOMEM, "connect-failed", "out of memory");
	}
	c->fd = fd;
	c->timeout = im->timeout;
	if (ch->tls != CONF_TLS_NONE && !ch->tls_verify)
		log_warnx("channel=%s host=%s event=tls-verify-disabled "
		    "warning=\"certificate and host name are not checked (tls-verify no)\"",
		    ch->name, im->host);
	if (ch->tls == CONF_TLS_IMPLICIT) {
		tls = "implicit";
		if (tls_start(im, c, e) == -1) {
			(void)close(fd);
			free(c);
			return -1;
		}
	}
	if ((low = mailstream_low_new(c, &conn_driver)) == NULL) {
		if (c->tls != NULL)
			gnutls_deinit(c->tls);
		(void)close(fd);
		free(c);
		return imap_fail(im, e, ERR_NOMEM, "connect-failed", "out of memory");
	}
	if ((stream = mailstream_new(low, 64 * 1024)) == NULL) {
		mailstream_low_close(low);
		mailstream_low_free(low);
		return imap_fail(im, e, ERR_NOMEM, "connect-failed", "out of memory");
	}
	if ((im->session = mailimap_new(0, NULL)) == NULL) {
		mailstream_close(stream);
		return imap_fail(im, e, ERR_NOMEM, "connect-failed", "out of memory");
	}
	im->conn = c;
	mailimap_set_msg_att_handler(im->session, on_msg_att, im);
	/* The handler is called only when a progress callback is set. */
	mailimap_set_progress_callback(im->session, on_progress, NULL, NULL);
	r = mailimap_connect(im->session, stream);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		if (im->session->imap_stream == NULL)	/* not taken: ours to close */
			mailstream_close(stream);
		net_fail(im, e, r, "the greeting");
		goto fail;
	}
	/* Read now: the next command's answer replaces the greeting's text. */
	im->select_always = im->no_uidnext ||
	    uids_need_select(im->session->imap_response);
	if (im->session->imap_connection_info == NULL ||
	    im->session->imap_connection_info->imap_capability == NULL) {
		if (capability(im, e) == -1)
			goto fail;
	}
	if (ch->tls == CONF_TLS_STARTTLS) {
		if (mailimap_has_extension(im->session, "STARTTLS")) {
			tls = "starttls";
			if ((r = mailimap_starttls(im->session)) != MAILIMAP_NO_ERROR) {
				if (r == MAILIMAP_ERROR_STARTTLS)
					imap_fail(im, e, ERR_NET, "tls-failed", "server refused STARTTLS");
				else
					net_fail(im, e, r, "STARTTLS");
				goto fail;
			}
			/* Bytes after the OK would be plaintext an attacker injected. */
			if (im->session->imap_stream->read_buffer_len != 0) {
				imap_fail(im, e, ERR_NET, "tls-failed",
				    "server sent data after STARTTLS before the TLS handshake");
				goto fail;
			}
			if (tls_start(im, c, e) == -1 || capability(im, e) == -1)
				goto fail;
		} else if (im->loopback) {
			log_warnx("channel=%s host=%s event=plaintext warning=\"server offers no "
			    "STARTTLS; plaintext allowed on loopback only\"", ch->name, im->host);
		} else {
			imap_fail(im, e, ERR_CONFIG, "tls-failed", "server offers no STARTTLS: "
			    "refusing to send credentials in plaintext (write 'tls none' to allow it)");
			goto fail;
		}
	} else if (ch->tls == CONF_TLS_NONE && !im->loopback)
		log_warnx("channel=%s host=%s event=plaintext warning=\"tls none: credentials "
		    "and mail travel unencrypted\"", ch->name, im->host);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && im->session->imap_state ==
	    MAILIMAP_STATE_NON_AUTHENTICATED) {
		if (authenticate(im, &how, e) == -1 || capability(im, e) == -1)
			goto fail;
	}
	im->condstore = mailimap_has_extension(im->session, "CONDSTORE") ||
	    mailimap_has_extension(im->session, "QRESYNC");
	im->idle = mailimap_has_idle(im->session);
	log_info("channel=%s host=%s event=connected tls=%s verify=%s auth=%s user=%s "
	    "condstore=%s idle=%s open=%s", ch->name, im->host, tls,
	    ch->tls == CONF_TLS_NONE ? "-" : ch->tls_verify ? "yes" : "no", how, ch->user,
	    im->condstore ? "yes" : "no", im->idle ? "yes" : "no",
	    im->select_always ? "select" : "examine");
	return 0;
fail:
	imap_drop(im);
	return -1;
}

/*
 * Commands on the wire, and the FETCH handler.
 */

/* Sends "TAG text"; the tag goes to *tag for cmd_read. */
static int
cmd_send(struct imap *im, const char *text, int *tag, struct err *e)
{
	mailimap *s = im->session;
	int r;

	if ((r = mailimap_send_current_tag(s)) != MAILIMAP_NO_ERROR)
		return net_fail(im, e, r, "sending a command");
	if (stream_puts(s, text) == -1 || stream_puts(s, "\r\n") == -1 ||
	    mailstream_flush(s->imap_stream) == -1)
		return net_fail(im, e, MAILIMAP_ERROR_STREAM, "sending a command");
	*tag = s->imap_tag;
	return 0;
}

/* mailimap_parse_response says MAILIMAP_ERROR_PROTOCOL both for a BAD
 * and for a tagged line of another command; 1 when the response it just
 * read ends in "TAG BAD": the command was refused, the stream is in step. */
static int
tagged_bad(mailimap *s, int tag)
{
	const char *buf = s->imap_stream_buffer->str, *line;
	char want[32];
	size_t len = s->imap_stream_buffer->len, n;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	for (line = buf + len; line > buf && line[-1] != '\n'; line--)
		;
	n = (size_t)snprintf(want, sizeof(want), "%d BAD", tag);
	return (size_t)(buf + len - line) >= n && strncasecmp(line, want, n) == 0;
}

/* Reads the response to the command sent with tag: 1 OK, 0 refused (NO
 * or BAD; e says why), -1 failed.  mailimap checks the tagged line against
 * its current tag, so with a second command already sent, the tag of the
 * first is put back for the parse. */
static int
cmd_read_try(struct imap *im, int tag, const char *during, struct err *e)
{
	mailimap *s = im->session;
	struct mailimap_response *resp;
	char text[256];
	int r, type, current = s->imap_tag;

	s->imap_tag = tag;
	if (mailimap_read_line(s) == NULL)
		r = MAILIMAP_ERROR_STREAM;
	else
		r = mailimap_parse_response(s, &resp);
	s->imap_tag = current;
	if (r == MAILIMAP_ERROR_PROTOCOL && tagged_bad(s, tag)) {
		(void)imap_fail(im, e, ERR_NET, "command-failed", "server refused %s: BAD %s",
		    during, server_text(im, text, sizeof(text)));
		return 0;
	}
	if (r != MAILIMAP_NO_ERROR)
		return net_fail(im, e, r, during);
	type = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	mailimap_response_free(resp);
	if (type != MAILIMAP_RESP_COND_STATE_OK) {
		(void)imap_fail(im, e, ERR_NET, "command-failed", "server refused %s: %s",
		    during, server_text(im, text, sizeof(text)));
		return 0;
	}
	return 1;
}

static int
cmd_read(struct imap *im, int tag, const char *during, struct err *e)
{
	return cmd_read_try(im, tag, during, e) == 1 ? 0 : -1;
}

/* Sends text and reads its response: 1 OK, 0 refused, -1 failed. */
static int
cmd_try(struct imap *im, const char *text, const char *during, struct err *e)
{
	int tag;

	if (cmd_send(im, text, &tag, e) == -1)
		return -1;
	return cmd_read_try(im, tag, during, e);
}

static int
cmd(struct imap *im, const char *text, const char *during, struct err *e)
{
	return cmd_try(im, text, during, e) == 1 ? 0 : -1;
}

static void
on_progress(size_t current, size_t maximum, void *context)
{
	(void)current;
	(void)maximum;
	(void)context;
}

static time_t
imap_date(const struct mailimap_date_time *d)
{
	long zone, days;

	if (d == NULL || d->dt_month < 1 || d->dt_month > 12 || d->dt_day < 1 || d->dt_day > 31)
		return 0;
	days = days_from_civil(d->dt_year, (unsigned)d->dt_month, (unsigned)d->dt_day);
	zone = labs((long)d->dt_zone);
	zone = (zone / 100 * 3600 + zone % 100 * 60) * (d->dt_zone < 0 ? -1 : 1);
	return (time_t)(days * 86400L + d->dt_hour * 3600L + d->dt_min * 60L + d->dt_sec - zone);
}

static int
flags_of(struct imap *im, const struct mailimap_msg_att_dynamic *dyn)
{
	clistiter *it;
	int f = 0;

	if (dyn == NULL || dyn->att_list == NULL)
		return 0;
	for (it = clist_begin(dyn->att_list); it != NULL; it = clist_next(it)) {
		const struct mailimap_flag_fetch *ff = clist_content(it);
		const struct mailimap_flag *fl;

		if (ff == NULL || ff->fl_type != MAILIMAP_FLAG_FETCH_OTHER || ff->fl_flag == NULL)
			continue;
		fl = ff->fl_flag;
		if (fl->fl_type == MAILIMAP_FLAG_ANSWERED)
			f |= F_ANSWERED;
		else if (im->done_keyword != NULL && fl->fl_type == MAILIMAP_FLAG_KEYWORD &&
		    fl->fl_data.fl_keyword != NULL &&
		    strcasecmp(fl->fl_data.fl_keyword, im->done_keyword) == 0)
			f |= F_DONE;
		else if (im->done_keyword != NULL && im->done_keyword[0] == '\\' &&
		    fl->fl_type == MAILIMAP_FLAG_EXTENSION && fl->fl_data.fl_extension != NULL &&
		    strcasecmp(fl->fl_data.fl_extension, im->done_keyword + 1) == 0)
			f |= F_DONE;
		else if (im->done_keyword != NULL && fl->fl_type == MAILIMAP_FLAG_FLAGGED &&
		    strcasecmp(im->done_keyword, "\\Flagged") == 0)
			f |= F_DONE;
	}
	return f;
}

static void
handler_fail(struct imap *im, const struct err *e)
{
	if (!im->failed) {
		im->handler_err = *e;
		im->failed = 1;
	}
}

/* Signals from a message's flags and mailbox, by Message-ID. */
static int
apply_signals(struct imap *im, const char *message_id, int flags, struct err *e)
{
	char via[MAILBOX_MAX + 16];
	int r;

	if (im->role == ROLE_DONE) {
		(void)snprintf(via, sizeof(via), "folder %s", im->mbox);
		if ((r = intake_signal(im->in, message_id, INTAKE_RESOLVED, via, e)) == -1)
			return -1;
		im->stats.resolved += r;
		return 0;
	}
	if (im->role != ROLE_INBOX)
		return 0;
	if (flags & F_ANSWERED) {
		if ((r = intake_signal(im->in, message_id, INTAKE_ANSWERED, "\\Answered", e)) == -1)
			return -1;
		im->stats.answered += r;
	}
	if (flags & F_DONE) {
		(void)snprintf(via, sizeof(via), "keyword %s", im->done_keyword);
		if ((r = intake_signal(im->in, message_id, INTAKE_RESOLVED, via, e)) == -1)
			return -1;
		im->stats.resolved += r;
	}
	return 0;
}

/* A message already stored under another UIDVALIDITY of this mailbox
 * takes its new external id, so flag checks find it by its new UID. */
static int
relocate(struct imap *im, const char *message_id, const char *ext, struct err *e)
{
	struct store_msg_loc loc;
	const char *at;
	int r;

	if ((r = store_message_find(im->in->store, 0, NULL, message_id, &loc, e)) != 1)
		return r;
	if (loc.channel != im->in->channel_id || strcmp(loc.external_id, ext) == 0 ||
	    (at = strchr(loc.external_id, '@')) == NULL || strcmp(at + 1, im->mbox) != 0)
		return 0;
	return store_message_set_external_id(im->in->store, loc.id, ext, e);
}

static void
on_body(struct imap *im, uint32_t uid, int flags, time_t date, const char *raw,
    size_t len)
{
	struct intake_mail_info info;
	struct err e = ERR_INIT;
	char ext[MAILBOX_MAX + 32], origin[MAILBOX_MAX + 32], msg[600];
	int r;

	im->batch_seen++;
	(void)snprintf(ext, sizeof(ext), "%" PRIu32 "/%" PRIu32 "@%s", im->validity, uid, im->mbox);
	(void)snprintf(origin, sizeof(origin), "%s:uid %" PRIu32, im->mbox, uid);
	memset(&info, 0, sizeof(info));
	info.external_id = ext;
	info.direction = im->role == ROLE_SENT ? DIR_OUT : DIR_IN;
	r = intake_mail_at(im->in, raw, len, date != 0 ? date : im->in->now, origin, &info, &e);
	if (r == 1) {
		/* Not mail: said once, then passed by like any other UID. */
		log_warnx("channel=%s host=%s event=not-mail mailbox=%s uid=%" PRIu32 " error=\"%s\"",
		    im->ch->name, im->host, im->mbox, uid, log_escape(e.msg, msg, sizeof(msg)));
		return;
	}
	if (r == -1 || (info.present && im->resync && relocate(im, info.message_id, ext, &e) == -1) ||
	    apply_signals(im, info.message_id, flags, &e) == -1) {
		im->event = "store-failed";
		handler_fail(im, &e);
	}
}

static void
on_flags(struct imap *im, uint32_t uid, int flags)
{
	struct store_msg_loc loc;
	struct err e = ERR_INIT;
	char ext[MAILBOX_MAX + 32];
	int r;

	im->stats.flag_checks++;
	if ((flags & (F_ANSWERED | F_DONE)) == 0)
		return;
	(void)snprintf(ext, sizeof(ext), "%" PRIu32 "/%" PRIu32 "@%s", im->validity, uid, im->mbox);
	if ((r = store_message_find(im->in->store, im->in->channel_id, ext, NULL, &loc, &e)) == 0)
		return;
	if (r == -1 || apply_signals(im, loc.message_id, flags, &e) == -1) {
		im->event = "store-failed";
		handler_fail(im, &e);
	}
}

static int
list_add(struct imap *im, uint32_t uid, uint32_t size)
{
	if (im->list_count == im->list_cap) {
		size_t cap = im->list_cap ? im->list_cap * 2 : 1024;
		struct uidsize *p = reallocarray(im->list, cap, sizeof(*p));

		if (p == NULL)
			return -1;
		im->list = p;
		im->list_cap = cap;
	}
	im->list[im->list_count].uid = uid;
	im->list[im->list_count].size = size;
	im->list_count++;
	return 0;
}

/* libetpan calls this for every FETCH item as soon as it is parsed, and
 * frees the item when it returns. */
static void
on_msg_att(struct mailimap_msg_att *att, void *arg)
{
	struct imap *im = arg;
	const struct mailimap_msg_att_dynamic *dyn = NULL;
	const char *body = NULL;
	struct err e = ERR_INIT;
	clistiter *it;
	uint32_t uid = 0, size = 0;
	size_t body_len = 0;
	time_t date = 0;
	int have_body = 0;

	if (im->mode == MODE_NONE || im->failed || att == NULL)
		return;
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		const struct mailimap_msg_att_item *item = clist_content(it);
		const struct mailimap_msg_att_static *st;

		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC) {
			dyn = item->att_data.att_dyn;
			continue;
		}
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			size = st->att_data.att_rfc822_size;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE:
			date = imap_date(st->att_data.att_internal_date);
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (st->att_data.att_body_section != NULL) {
				body = st->att_data.att_body_section->sec_body_part;
				body_len = st->att_data.att_body_section->sec_length;
				have_body = 1;
			}
			break;
		default:
			break;
		}
	}
	if (uid == 0)
		return;		/* an unsolicited FETCH (a flag change by another client) */
	switch (im->mode) {
	case MODE_SIZES:
		if (list_add(im, uid, size) == -1) {
			(void)err_set(&e, ERR_NOMEM, "out of memory listing mailbox '%s'", im->mbox);
			im->event = "store-failed";
			handler_fail(im, &e);
		}
		break;
	case MODE_BODIES:
		if (have_body)
			on_body(im, uid, flags_of(im, dyn), date, body != NULL ? body : "",
			    body != NULL ? body_len : 0);
		break;
	case MODE_FLAGS:
		if (dyn != NULL)
			on_flags(im, uid, flags_of(im, dyn));
		break;
	default:
		break;
	}
}

/*
 * Sync.
 */

static int
cursor_parse(const char *s, uint32_t *a, uint64_t *b)
{
	char *end;
	unsigned long long x, y;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != ':' || x == 0 || x > UINT32_MAX)
		return -1;
	s = end + 1;
	y = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	*a = (uint32_t)x;
	*b = y;
	return 0;
}

/* Appends ",a:b" or ",a" (no comma first) for a run of UIDs to buf. */
static void
set_add(char *buf, size_t len, size_t *o, int first_run, uint32_t first, uint32_t last)
{
	int n;

	if (first == last)
		n = snprintf(buf + *o, len - *o, "%s%" PRIu32, first_run ? "" : ",", first);
	else
		n = snprintf(buf + *o, len - *o, "%s%" PRIu32 ":%" PRIu32, first_run ? "" : ",",
		    first, last);
	if (n > 0 && (size_t)n < len - *o)
		*o += (size_t)n;
}

/* "UID FETCH set (what)" for uids[0..count): runs compressed into ranges.
 * buf must hold count * 22 + 64 bytes. */
static void
fetch_command(char *buf, size_t len, const struct uidsize *l, size_t count, const char *what)
{
	size_t i, o, start;

	o = (size_t)snprintf(buf, len, "UID FETCH ");
	for (i = 0; i < count; i = start) {
		start = i + 1;
		while (start < count && l[start].uid == l[start - 1].uid + 1)
			start++;
		set_add(buf, len, &o, i == 0, l[i].uid, l[start - 1].uid);
	}
	(void)snprintf(buf + o, len - o, " %s", what);
}

static int
uidsize_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct uidsize *)a)->uid, y = ((const struct uidsize *)b)->uid;

	return x < y ? -1 : x > y;
}

static int
uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* A UID FETCH whose set names UIDs that no longer exist was refused.
 * RFC 3501 wants such UIDs ignored, and Dovecot, Cyrus and Courier ignore
 * them; GNU Mailutils imap4d 3.15 answers BAD "Failed to parse message
 * set" when an element of the set matches no message (an expunged UID,
 * a window of UIDs that came and went between polls).  From then on,
 * this connection asks UID SEARCH which UIDs exist before such a fetch;
 * said once per connection. */
static void
search_first_on(struct imap *im, const char *during, const struct err *why)
{
	char msg[600];

	im->search_first = 1;
	log_info("channel=%s host=%s event=uid-set-refused mailbox=%s command=\"%s\" "
	    "action=search-first error=\"%s\"", im->ch->name, im->host, im->mbox, during,
	    log_escape(why->msg, msg, sizeof(msg)));
}

/* The search key "UID set", the set being l's runs; NULL: out of memory. */
static struct mailimap_search_key *
uid_key(const struct uidsize *l, size_t count)
{
	struct mailimap_search_key *key;
	struct mailimap_set *set;
	size_t i, start;

	if ((set = mailimap_set_new_empty()) == NULL)
		return NULL;
	for (i = 0; i < count; i = start) {
		start = i + 1;
		while (start < count && l[start].uid == l[start - 1].uid + 1)
			start++;
		if (mailimap_set_add_interval(set, l[i].uid, l[start - 1].uid) != MAILIMAP_NO_ERROR) {
			mailimap_set_free(set);
			return NULL;
		}
	}
	if ((key = mailimap_search_key_new_uid(set)) == NULL)
		mailimap_set_free(set);
	return key;		/* owns set */
}

/* Keeps in l[0..*count), sorted by UID, only the UIDs the server still
 * has: UID SEARCH UID with l's runs. */
static int
uids_existing(struct imap *im, struct uidsize *l, size_t *count, struct err *e)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	clistiter *it;
	uint32_t *have;
	size_t i, n, hcount = 0;
	char text[256];
	int r;

	if (*count == 0)
		return 0;
	if ((key = uid_key(l, *count)) == NULL)
		return imap_fail(im, e, ERR_NOMEM, "store-failed", "out of memory");
	r = mailimap_uid_search(im->session, NULL, key, &result);
	mailimap_search_key_free(key);
	if (r == MAILIMAP_ERROR_UID_SEARCH)
		return imap_fail(im, e, ERR_NET, "command-failed", "server refused UID SEARCH UID "
		    "in mailbox '%s': %s", im->mbox, server_text(im, text, sizeof(text)));
	if (r != MAILIMAP_NO_ERROR)
		return net_fail(im, e, r, "UID SEARCH UID");
	if ((have = calloc((size_t)clist_count(result) + 1, sizeof(*have))) == NULL) {
		mailimap_search_result_free(result);
		return imap_fail(im, e, ERR_NOMEM, "store-failed", "out of memory");
	}
	for (it = clist_begin(result); it != NULL; it = clist_next(it))
		have[hcount++] = *(uint32_t *)clist_content(it);
	mailimap_search_result_free(result);
	qsort(have, hcount, sizeof(*have), uid_cmp);
	for (i = n = 0; i < *count; i++)
		if (bsearch(&l[i].uid, have, hcount, sizeof(*have), uid_cmp) != NULL)
			l[n++] = l[i];
	*count = n;
	free(have);
	return 0;
}

/* The window's UIDs and sizes into im->list: lo:hi, or with since only
 * those that UID SEARCH SINCE keeps.  A server that refuses lo:hi when
 * it names no message is asked UID SEARCH UID lo:hi first. */
static int
list_window(struct imap *im, uint32_t lo, uint32_t hi, struct err *e)
{
	const struct conf_channel *ch = im->ch;
	char cmdbuf[128], *big;
	size_t i, n;
	int r = 0;

	im->list_count = 0;
	if (ch->since.year == 0 && !im->search_first) {
		(void)snprintf(cmdbuf, sizeof(cmdbuf), "UID FETCH %" PRIu32 ":%" PRIu32
		    " (UID RFC822.SIZE)", lo, hi);
		im->mode = MODE_SIZES;
		r = cmd_try(im, cmdbuf, "UID FETCH (RFC822.SIZE)", e);
		im->mode = MODE_NONE;
		if (r == -1)
			return -1;
		if (r == 0 && !im->failed) {
			search_first_on(im, "UID FETCH (RFC822.SIZE)", e);
			im->list_count = 0;
		}
	}
	if (r == 0 && !im->failed) {
		struct mailimap_search_key *key;
		struct mailimap_set *set;
		struct mailimap_date *date;
		clist *result = NULL;
		clistiter *it;

		set = mailimap_set_new_interval(lo, hi);
		date = ch->since.year != 0 ?
		    mailimap_date_new(ch->since.day, ch->since.month, ch->since.year) : NULL;
		key = mailimap_search_key_new_multiple_empty();
		if (set == NULL || (ch->since.year != 0 && date == NULL) || key == NULL ||
		    mailimap_search_key_multiple_add(key, mailimap_search_key_new_uid(set)) != 0 ||
		    (date != NULL &&
		     mailimap_search_key_multiple_add(key, mailimap_search_key_new_since(date)) != 0)) {
			/* The key owns what was added to it; the rest is freed here. */
			if (key != NULL)
				mailimap_search_key_free(key);
			return imap_fail(im, e, ERR_NOMEM, "store-failed", "out of memory");
		}
		r = mailimap_uid_search(im->session, NULL, key, &result);
		mailimap_search_key_free(key);
		if (r != MAILIMAP_NO_ERROR)
			return net_fail(im, e, r, date != NULL ? "UID SEARCH SINCE" : "UID SEARCH UID");
		for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
			uint32_t *u = clist_content(it);

			if (*u >= lo && *u <= hi && list_add(im, *u, 0) == -1) {
				mailimap_search_result_free(result);
				return imap_fail(im, e, ERR_NOMEM, "store-failed", "out of memory");
			}
		}
		mailimap_search_result_free(result);
		if (im->list_count == 0)
			return 0;
		/* Now their sizes, by the exact set. */
		n = im->list_count * 22 + 64;
		if ((big = malloc(n)) == NULL)
			return imap_fail(im, e, ERR_NOMEM, "store-failed", "out of memory");
		fetch_command(big, n, im->list, im->list_count, "(UID RFC822.SIZE)");
		im->list_count = 0;
		im->mode = MODE_SIZES;
		r = cmd(im, big, "UID FETCH (RFC822.SIZE)", e);
		im->mode = MODE_NONE;
		free(big);
		if (r == -1)
			return -1;
	}
	if (im->failed) {
		*e = im->handler_err;
		return -1;
	}
	/* Servers answer in sequence order, which is UID order; make sure,
	 * and drop what lies outside the window (n:* quirks). */
	for (i = 1; i < im->list_count; i++)
		if (im->list[i].uid <= im->list[i - 1].uid)
			break;
	if (i < im->list_count)
		qsort(im->list, im->list_count, sizeof(*im->list), uidsize_cmp);
	for (i = n = 0; i < im->list_count; i++)
		if (im->list[i].uid >= lo && im->list[i].uid <= hi &&
		    (n == 0 || im->list[n - 1].uid != im->list[i].uid))
			im->list[n++] = im->list[i];
	im->list_count = n;
	return 0;
}

/* One batch of the window's list: [start, start + count). */
struct batch {
	size_t		 start, count;
	uint32_t	 last;		/* its highest UID */
	int		 tag;		/* of its UID FETCH */
};

/* The next batch from *pos: up to IMAP_BATCH messages and
 * IMAP_BATCH_BYTES bytes, at least one message.  A message over
 * IMAP_MESSAGE_MAX is skipped with a warning.  0 when none is left. */
static int
batch_next(struct imap *im, size_t *pos, struct batch *b)
{
	size_t bytes = 0;

	b->start = *pos;
	b->count = 0;
	while (*pos < im->list_count && b->count < IMAP_BATCH) {
		uint32_t size = im->list[*pos].size;

		if (size > IMAP_MESSAGE_MAX) {
			if (b->count > 0)
				break;
			log_warnx("channel=%s host=%s event=message-skipped mailbox=%s uid=%" PRIu32
			    " error=\"message of %" PRIu32 " bytes is over the %u MB limit\"",
			    im->ch->name, im->host, im->mbox, im->list[*pos].uid, size,
			    IMAP_MESSAGE_MAX >> 20);
			b->start = ++*pos;
			continue;
		}
		if (b->count > 0 && bytes + size > IMAP_BATCH_BYTES)
			break;
		bytes += size;
		b->count++;
		++*pos;
	}
	if (b->count == 0)
		return 0;
	b->last = im->list[b->start + b->count - 1].uid;
	return 1;
}

static int
batch_send(struct imap *im, struct batch *b, char *buf, size_t len, struct err *e)
{
	fetch_command(buf, len, im->list + b->start, b->count,
	    "(UID FLAGS INTERNALDATE BODY.PEEK[])");
	return cmd_send(im, buf, &b->tag, e);
}

/* Commits the open batch with the mailbox's cursor at uid.  Another poll
 * of the same channel (a second `poll` beside the daemon) may have gone
 * further meanwhile: the cursor never moves back, so it is read again
 * inside the batch's transaction. */
static int
cursor_commit(struct imap *im, uint32_t uid, struct err *e)
{
	struct intake *in = im->in;
	char cur[64], value[64];
	uint64_t last;
	uint32_t cv;
	int r;

	r = store_cursor_get(in->store, in->channel_id, im->mbox, cur, sizeof(cur), e);
	if (r == -1) {
		intake_release(in);
		return -1;
	}
	if (r == 1 && cursor_parse(cur, &cv, &last) == 0 && cv == im->validity && last > uid)
		uid = (uint32_t)last;
	(void)snprintf(value, sizeof(value), "%" PRIu32 ":%" PRIu32, im->validity, uid);
	return intake_flush(in, im->mbox, value, e);
}

/* Fetches the window's list, two batches in flight, committing each
 * batch with its cursor; the last one carries hi. */
static int
fetch_window(struct imap *im, uint32_t hi, struct err *e)
{
	struct batch q[2];
	char *buf;
	size_t pos = 0, len = IMAP_BATCH * 22 + 128;
	int inflight = 0, ret = -1;

	if ((buf = malloc(len)) == NULL)
		return imap_fail(im, e, ERR_NOMEM, "store-failed", "out of memory");
	while (inflight < 2 && batch_next(im, &pos, &q[inflight])) {
		if (batch_send(im, &q[inflight], buf, len, e) == -1)
			goto out;
		inflight++;
	}
	im->mode = MODE_BODIES;
	while (inflight > 0) {
		struct batch done = q[0];

		im->batch_seen = 0;
		if (cmd_read(im, done.tag, "UID FETCH", e) == -1)
			goto out;
		if (im->failed) {
			*e = im->handler_err;
			goto out;
		}
		if (im->batch_seen < (long)done.count)
			log_info("channel=%s mailbox=%s event=fetch-short asked=%zu got=%ld "
			    "(expunged meanwhile)", im->ch->name, im->mbox, done.count, im->batch_seen);
		q[0] = q[1];
		inflight--;
		if (batch_next(im, &pos, &q[inflight])) {
			if (batch_send(im, &q[inflight], buf, len, e) == -1)
				goto out;
			inflight++;
		}
		/* Commit the batch with its cursor; the window's last batch
		 * carries hi: the UIDs after it were skipped or do not exist. */
		if (cursor_commit(im, inflight == 0 ? hi : done.last, e) == -1) {
			im->event = "store-failed";
			goto out;
		}
	}
	ret = 0;
out:
	im->mode = MODE_NONE;
	free(buf);
	return ret;
}

static int
collect_open(void *arg, const char *ext, struct err *e)
{
	struct imap *im = arg;
	unsigned long v, u;
	char *end;
	const char *at = strchr(ext, '@');

	/* "UIDVALIDITY/UID@MAILBOX" of this mailbox and UIDVALIDITY only. */
	if (at == NULL || strcmp(at + 1, im->mbox) != 0)
		return 0;
	errno = 0;
	v = strtoul(ext, &end, 10);
	if (errno != 0 || *end != '/' || v != im->validity)
		return 0;
	u = strtoul(end + 1, &end, 10);
	if (errno != 0 || end != at || u == 0 || u > UINT32_MAX)
		return 0;
	if (list_add(im, (uint32_t)u, 0) == -1)
		return err_set(e, ERR_NOMEM, "out of memory listing open messages");
	return 0;
}

/* Flag changes of stored messages: CHANGEDSINCE the saved modseq with
 * CONDSTORE, else the flags of open tickets' customer messages. */
static int
sync_flags(struct imap *im, uint64_t modseq, uint32_t top, struct err *e)
{
	struct intake *in = im->in;
	struct uidsize *chunk;
	char source[MAILBOX_MAX + 8], cur[64], value[128], *buf;
	uint32_t cv = 0;
	uint64_t cm = 0;
	size_t i, n, m, len;
	int have, t, r = 0;

	if (im->condstore && modseq > 0) {
		(void)snprintf(source, sizeof(source), "modseq:%s", im->mbox);
		if ((have = store_cursor_get(in->store, in->channel_id, source, cur, sizeof(cur),
		    e)) == -1) {
			im->event = "store-failed";
			return -1;
		}
		if (have == 1 && cursor_parse(cur, &cv, &cm) == 0 && cv == im->validity &&
		    cm < modseq && top > 0) {
			(void)snprintf(value, sizeof(value), "UID FETCH 1:%" PRIu32
			    " (UID FLAGS) (CHANGEDSINCE %" PRIu64 ")", top, cm);
			im->mode = MODE_FLAGS;
			r = cmd(im, value, "UID FETCH (CHANGEDSINCE)", e);
			im->mode = MODE_NONE;
			if (r == 0 && im->failed) {
				*e = im->handler_err;
				r = -1;
			}
			if (r == -1)
				return -1;
		}
		if (have == 1 && cv == im->validity && cm == modseq)
			return 0;
		(void)snprintf(value, sizeof(value), "%" PRIu32 ":%" PRIu64, im->validity, modseq);
		if (intake_flush(in, source, value, e) == -1) {
			im->event = "store-failed";
			return -1;
		}
		return 0;
	}
	im->list_count = 0;
	if (store_open_messages(in->store, in->channel_id, collect_open, im, e) == -1) {
		im->event = "store-failed";
		return -1;
	}
	if (im->list_count == 0)
		return 0;
	qsort(im->list, im->list_count, sizeof(*im->list), uidsize_cmp);
	len = FLAGS_CHUNK * 22 + 64;
	buf = malloc(len);
	chunk = reallocarray(NULL, FLAGS_CHUNK, sizeof(*chunk));
	if (buf == NULL || chunk == NULL) {
		free(buf);
		free(chunk);
		return imap_fail(im, e, ERR_NOMEM, "store-failed", "out of memory");
	}
	/* Closed tickets' messages may be expunged meanwhile: a server that
	 * refuses their UIDs is asked which exist, and the chunk goes again. */
	for (i = 0; i < im->list_count && r == 0; i += n) {
		n = im->list_count - i < FLAGS_CHUNK ? im->list_count - i : FLAGS_CHUNK;
		memcpy(chunk, im->list + i, n * sizeof(*chunk));
		m = n;
		if (im->search_first && uids_existing(im, chunk, &m, e) == -1) {
			r = -1;
			break;
		}
		if (m == 0)
			continue;
		fetch_command(buf, len, chunk, m, "(UID FLAGS)");
		im->mode = MODE_FLAGS;
		t = cmd_try(im, buf, "UID FETCH (FLAGS)", e);
		im->mode = MODE_NONE;
		if (t == 0 && !im->search_first && !im->failed) {
			search_first_on(im, "UID FETCH (FLAGS)", e);
			n = 0;
			continue;
		}
		r = t == 1 ? 0 : -1;
		if (r == 0 && im->failed) {
			*e = im->handler_err;
			r = -1;
		}
	}
	free(chunk);
	free(buf);
	if (r == 0 && intake_flush(in, NULL, NULL, e) == -1) {
		im->event = "store-failed";
		r = -1;
	}
	return r;
}

/* The highest UID in the mailbox, for servers that give no UIDNEXT. */
static int
highest_uid(struct imap *im, uint32_t *top, struct err *e)
{
	im->list_count = 0;
	im->mode = MODE_SIZES;
	if (cmd(im, "UID FETCH * (UID RFC822.SIZE)", "UID FETCH *", e) == -1) {
		im->mode = MODE_NONE;
		return -1;
	}
	im->mode = MODE_NONE;
	*top = im->list_count > 0 ? im->list[im->list_count - 1].uid : 0;
	return 0;
}

/* Courier-IMAP 5.0 (Maildir) numbers a message that no client has
 * SELECTed for the session only, from the next UID its courierimapuiddb
 * records, in the order of the file names; only SELECT writes those UIDs
 * down.  A UID we read under EXAMINE can thus name another message
 * later, below our cursor, and that message is never fetched: tried with
 * Courier 5.0.13, a message we fetched as UID n, then
 *  - removed outside IMAP: the next delivery became UID n;
 *  - a later delivery whose file name sorts first (names start with the
 *    second a delivery began, and same-second names compare as text):
 *    it became UID n, ours n+1;
 *  - another client's APPEND: its message became UID n, APPENDUID n.
 * Under SELECT every UID we see is written down first, so on Courier
 * every mailbox is opened with SELECT (\Recent is taken; BODY.PEEK
 * leaves \Seen alone; a \Deleted flag stays: nothing is expunged).
 * Courier names itself in the greeting of its imaplogin. */
static int
uids_need_select(const char *greeting)
{
	return greeting != NULL && strstr(greeting, "Courier-IMAP") != NULL;
}

/* EXAMINE, or SELECT when rw; with CONDSTORE when offered. */
static int
mailbox_open(struct imap *im, enum role role, int rw, uint64_t *modseq)
{
	if (im->condstore)
		return rw ? mailimap_select_condstore(im->session, im->wire[role], modseq) :
		    mailimap_examine_condstore(im->session, im->wire[role], modseq);
	return rw ? mailimap_select(im->session, im->wire[role]) :
	    mailimap_examine(im->session, im->wire[role]);
}

/* mailbox_open, and EXAMINE when a SELECT is refused (read-only rights,
 * or the mailbox is missing: EXAMINE says which). */
static int
mailbox_enter(struct imap *im, enum role role, int rw, uint64_t *modseq)
{
	int r = mailbox_open(im, role, rw, modseq);

	return rw && r == MAILIMAP_ERROR_SELECT ? mailbox_open(im, role, 0, modseq) : r;
}

/* A server that records the UIDs it gives only under SELECT, as Courier
 * does (uids_need_select) but without saying who it is, gives a mailbox
 * that no client ever selected a new UIDVALIDITY at every EXAMINE, and we
 * would fetch it all at every poll.
 * So a mailbox whose UIDVALIDITY changed is opened with SELECT, once:
 * the server keeps the UIDs from then on, and later polls EXAMINE it
 * (the second poll of such a mailbox reads it again, deduplicated by
 * Message-ID).  Not at the first poll: Dovecot writes to a mailbox opened
 * read-write (with Maildir it moves new mail to cur/), and the first
 * sync of 20,000 messages took 0.7 s longer.  SELECT only takes
 * \Recent; BODY.PEEK leaves \Seen alone.  A refused SELECT (read-only
 * rights on some servers) falls back to EXAMINE. */
static int
mailbox_select(struct imap *im, enum role role, uint64_t *modseq, struct err *e)
{
	int r;

	log_debug("channel=%s host=%s event=select mailbox=%s", im->ch->name, im->host, im->mbox);
	im->selected[0] = '\0';
	/* Then EXAMINE again: the server has kept the UIDs, and read-only
	 * is what every later poll sees (and cheaper to fetch from: Dovecot
	 * 2.3 took 0.7 s longer over 20,000 messages selected). */
	if ((r = mailbox_open(im, role, 1, modseq)) == MAILIMAP_NO_ERROR ||
	    r == MAILIMAP_ERROR_SELECT)
		r = mailbox_open(im, role, 0, modseq);
	if (r != MAILIMAP_NO_ERROR)
		return net_fail(im, e, r, "SELECT");
	(void)esc_strlcpy(im->selected, im->mbox, sizeof(im->selected));
	if (im->session->imap_selection_info == NULL ||
	    im->session->imap_selection_info->sel_uidvalidity == 0)
		return imap_fail(im, e, ERR_NET, "protocol-error",
		    "server gave no UIDVALIDITY for mailbox '%s'", im->mbox);
	im->validity = im->session->imap_selection_info->sel_uidvalidity;
	return 0;
}

static int
sync_mailbox(struct imap *im, const char *mbox, enum role role, struct err *e)
{
	struct intake *in = im->in;
	struct mailimap_selection_info *sel;
	uint64_t modseq = 0, last = 0;
	uint32_t cv = 0, top, lo, hi, window = IMAP_WINDOW;
	char cur[64], value[64], text[256];
	int r, have;

	im->role = role;
	im->mbox = mbox;
	im->resync = 0;
	im->selected[0] = '\0';
	r = mailbox_enter(im, role, im->select_always, &modseq);
	if (r == MAILIMAP_ERROR_EXAMINE) {
		if (role == ROLE_INBOX)
			return imap_fail(im, e, ERR_CONFIG, "mailbox-missing",
			    "cannot open mailbox '%s': %s", mbox, server_text(im, text, sizeof(text)));
		if (!im->missing_warned[role])
			log_warnx("channel=%s host=%s event=mailbox-missing mailbox=%s role=%s "
			    "error=\"%s\"", im->ch->name, im->host, mbox, role_names[role],
			    server_text(im, text, sizeof(text)));
		im->missing_warned[role] = 1;
		return 0;
	}
	if (r != MAILIMAP_NO_ERROR)
		return net_fail(im, e, r, im->select_always ? "SELECT" : "EXAMINE");
	(void)esc_strlcpy(im->selected, mbox, sizeof(im->selected));
	im->missing_warned[role] = 0;
	sel = im->session->imap_selection_info;
	if (sel != NULL && sel->sel_uidnext == 0 && !im->select_always) {
		/* RFC 3501 wants UIDNEXT, and Courier leaves it out: a Courier
		 * whose greeting a proxy replaced would lose mail under EXAMINE
		 * (uids_need_select), so a server without UIDNEXT is opened
		 * with SELECT from now on, this process's later connections
		 * too. */
		log_info("channel=%s host=%s event=no-uidnext mailbox=%s action=select",
		    im->ch->name, im->host, mbox);
		im->select_always = im->no_uidnext = 1;
		im->selected[0] = '\0';
		if ((r = mailbox_enter(im, role, 1, &modseq)) != MAILIMAP_NO_ERROR)
			return net_fail(im, e, r, "SELECT");
		(void)esc_strlcpy(im->selected, mbox, sizeof(im->selected));
		sel = im->session->imap_selection_info;
	}
	if (sel == NULL || sel->sel_uidvalidity == 0)
		return imap_fail(im, e, ERR_NET, "protocol-error",
		    "server gave no UIDVALIDITY for mailbox '%s'", mbox);
	im->validity = sel->sel_uidvalidity;

	if ((have = store_cursor_get(in->store, in->channel_id, mbox, cur, sizeof(cur), e)) == -1) {
		im->event = "store-failed";
		return -1;
	}
	if (have == 1 && (cursor_parse(cur, &cv, &last) == -1 || last > UINT32_MAX)) {
		log_warnx("channel=%s mailbox=%s event=cursor-invalid cursor=\"%s\" "
		    "action=resync", im->ch->name, mbox, log_escape(cur, text, sizeof(text)));
		cv = 0;
		last = 0;
	}
	if (have == 1 && cv != im->validity && !im->select_always &&
	    mailbox_select(im, role, &modseq, e) == -1)
		return -1;
	sel = im->session->imap_selection_info;
	if (have == 1 && cv != im->validity) {
		log_warnx("channel=%s host=%s event=uidvalidity-changed mailbox=%s old=%" PRIu32
		    " new=%" PRIu32 " action=resync-by-message-id", im->ch->name, im->host, mbox, cv,
		    im->validity);
		im->resync = 1;
		im->stats.resyncs++;
		last = 0;
	}
	if (sel->sel_exists == 0)
		top = (uint32_t)last;
	else if (sel->sel_uidnext > 0)
		top = sel->sel_uidnext - 1;
	else if (highest_uid(im, &top, e) == -1)
		return -1;
	/* For the progress line: at most the messages the mailbox holds,
	 * at most the UIDs not read yet; with `since` a search decides. */
	if (im->ch->since.year == 0 && top > last)
		in->expect += (long)(top - last < sel->sel_exists ? top - last : sel->sel_exists);
	for (lo = (uint32_t)last + 1; lo != 0 && lo <= top; lo = hi + 1) {
		hi = top - lo >= window - 1 ? lo + window - 1 : top;
		if (list_window(im, lo, hi, e) == -1)
			return -1;
		if (im->list_count == 0) {
			/* Sparse UIDs: look further at once next time. */
			window = window * 2 > WINDOW_MAX ? WINDOW_MAX : window * 2;
		} else {
			window = IMAP_WINDOW;
			if (fetch_window(im, hi, e) == -1)
				return -1;
		}
		if (hi == UINT32_MAX)
			break;
	}
	if (top < last)
		top = (uint32_t)last;	/* messages expunged: the cursor never goes back */
	(void)snprintf(value, sizeof(value), "%" PRIu32 ":%" PRIu32, im->validity, top);
	if ((have == 0 || cv != im->validity || last != top) &&
	    intake_flush(in, mbox, value, e) == -1) {
		im->event = "store-failed";
		return -1;
	}
	if (role == ROLE_INBOX)
		return sync_flags(im, modseq, top, e);
	return 0;
}

/*
 * The connector.
 */

static int
imap_open(void **state, const struct conf_channel *ch, struct err *e)
{
	struct imap *im;
	const char *env;
	char *end;
	long t;

	*state = NULL;
	if (ch->url == NULL || ch->user == NULL ||
	    (ch->password_file == NULL && ch->oauth_token_file == NULL))
		return err_set(e, ERR_CONFIG, "imap channel '%s' needs url, user and "
		    "password-file or oauth-token-file", ch->name);
	if ((im = calloc(1, sizeof(*im))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	im->ch = ch;
	im->timeout = IMAP_TIMEOUT;
	if ((env = getenv(IMAP_TIMEOUT_ENV)) != NULL && *env != '\0') {
		errno = 0;
		t = strtol(env, &end, 10);
		if (errno != 0 || *end != '\0' || t < 1 || t > 3600) {
			free(im);
			return err_set(e, ERR_CONFIG, "invalid %s '%s' (expected seconds, 1 to 3600)",
			    IMAP_TIMEOUT_ENV, env);
		}
		im->timeout = (int)t;
	}
	if (url_parse(im, ch->url, e) == -1) {
		free(im);
		return -1;
	}
	if (ch->done != NULL && (ch->done[0] == '$' || ch->done[0] == '\\'))
		im->done_keyword = ch->done;
	if (mailbox_wire(im->mailbox, im->wire[ROLE_INBOX], WIRE_MAX, e) == -1 ||
	    (ch->sent != NULL && mailbox_wire(ch->sent, im->wire[ROLE_SENT], WIRE_MAX, e) == -1) ||
	    (ch->done != NULL && im->done_keyword == NULL &&
	     mailbox_wire(ch->done, im->wire[ROLE_DONE], WIRE_MAX, e) == -1)) {
		free(im);
		return -1;
	}
	*state = im;
	return 0;
}

static int
imap_poll(void *state, struct intake *in, struct err *e)
{
	struct imap *im = state;
	const struct conf_channel *ch = im->ch;
	char msg[600];
	long read0 = in->stats.read, stored0 = in->stats.stored;
	int r;

	memset(&im->stats, 0, sizeof(im->stats));
	im->in = in;
	im->event = NULL;
	im->failed = 0;
	im->mode = MODE_NONE;
	r = im->session == NULL ? imap_connect(im, e) : 0;
	if (r == 0)
		r = sync_mailbox(im, im->mailbox, ROLE_INBOX, e);
	if (r == 0 && ch->sent != NULL)
		r = sync_mailbox(im, ch->sent, ROLE_SENT, e);
	if (r == 0 && ch->done != NULL && im->done_keyword == NULL)
		r = sync_mailbox(im, ch->done, ROLE_DONE, e);
	im->mode = MODE_NONE;
	im->in = NULL;
	if (r == 0) {
		log_info("channel=%s host=%s event=polled read=%ld stored=%ld answered=%ld "
		    "resolved=%ld", ch->name, im->host, in->stats.read - read0,
		    in->stats.stored - stored0, im->stats.answered, im->stats.resolved);
		return 0;
	}
	/* The open batch is not covered by a cursor: roll it back, it is
	 * fetched again.  The connection may be mid-command: drop it. */
	intake_release(in);
	imap_drop(im);
	log_warnx("channel=%s host=%s event=%s error=\"%s\"", ch->name, im->host,
	    im->event != NULL ? im->event : "failed", log_escape(e->msg, msg, sizeof(msg)));
	return -1;
}

static int
imap_wait(void *state, int timeout, struct err *e)
{
	struct imap *im = state;
	struct pollfd pfd;
	char msg[600];
	int r, has = 0;

	if (timeout <= 0)
		return 0;
	im->event = NULL;
	if (im->session == NULL && imap_connect(im, e) == -1)
		goto fail;
	if (!im->idle) {
		(void)connector_sleep(timeout * 1000L, NULL);	/* woken early is fine */
		return 0;
	}
	if (strcmp(im->selected, im->mailbox) != 0) {
		if ((r = mailimap_examine(im->session, im->wire[ROLE_INBOX])) != MAILIMAP_NO_ERROR) {
			net_fail(im, e, r, "EXAMINE");
			goto fail;
		}
		(void)esc_strlcpy(im->selected, im->mailbox, sizeof(im->selected));
	}
	if (timeout > IDLE_MAX)
		timeout = IDLE_MAX;
	if (im->session->imap_selection_info != NULL)
		im->session->imap_selection_info->sel_has_exists = 0;
	if ((r = mailimap_idle(im->session)) != MAILIMAP_NO_ERROR) {
		net_fail(im, e, r, "IDLE");
		goto fail;
	}
	if (im->session->imap_stream->read_buffer_len > 0 ||
	    (im->conn->tls != NULL && gnutls_record_check_pending(im->conn->tls) > 0))
		has = 1;
	else {
		pfd.fd = im->conn->fd;
		pfd.events = POLLIN;
		/* A signal ends the wait early: the caller checks why. */
		has = poll(&pfd, 1, timeout * 1000) > 0;
	}
	if ((r = mailimap_idle_done(im->session)) != MAILIMAP_NO_ERROR) {
		net_fail(im, e, r, "IDLE");
		goto fail;
	}
	/* Servers that look for new mail on a timer during IDLE (Cyrus 3.6
	 * without idled, every imapidlepoll; Courier-IMAP 5.0 without FAM,
	 * every IMAP_IDLE_TIMEOUT; both 60 s by default) may report it only
	 * in the answer to DONE.  An EXISTS there is news as well (at worst
	 * a restated count: one poll too many). */
	if (im->session->imap_selection_info != NULL &&
	    im->session->imap_selection_info->sel_has_exists)
		has = 1;
	return has;
fail:
	imap_drop(im);
	log_warnx("channel=%s host=%s event=%s error=\"%s\"", im->ch->name, im->host,
	    im->event != NULL ? im->event : "failed", log_escape(e->msg, msg, sizeof(msg)));
	return -1;
}

static void
imap_close(void *state)
{
	struct imap *im = state;

	if (im == NULL)
		return;
	if (im->session != NULL) {
		/* A clean LOGOUT; its answer changes nothing. */
		if (im->session->imap_stream != NULL)
			(void)mailimap_logout(im->session);
		mailimap_free(im->session);
	}
	if (im->cred != NULL)
		gnutls_certificate_free_credentials(im->cred);
	free(im->list);
	free(im);
}

const struct imap_stats *
imap_last_stats(void *state)
{
	return &((struct imap *)state)->stats;
}

const struct connector_ops imap_connector = {
	.kind = "imap",
	.open = imap_open,
	.poll = imap_poll,
	.wait = imap_wait,
	.close = imap_close,
};
