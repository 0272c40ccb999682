/* smtp.c -- SMTP delivery over libcurl; see smtp.h.
 *
 * One CURL easy handle per session: libcurl keeps its connection between
 * transfers, so consecutive messages share one SMTP session (EHLO, TLS
 * and AUTH once).  Per message: MAIL FROM, one RCPT TO per recipient
 * (CURLOPT_MAIL_RCPT_ALLOWFAILS lets the transfer go on past a refused
 * one), DATA.  The trace callback pairs each RCPT TO with its reply. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "connectors/http.h"
#include "connectors/smtp.h"
#include "connectors/smtp_compose.h"
#include "rules/conf.h"

#define SECRET_MAX	1024
#define RCPT_MAX	64		/* recipients of one message */
#define CONNECT_TIMEOUT	30L
#define TRANSFER_TIMEOUT 300L

struct smtp {
	CURL		*curl;
	char		*url;
	char		 password[SECRET_MAX];
	int		 auth;
	long		 connections;
	char		 errbuf[CURL_ERROR_SIZE];

	/* One transfer. */
	const char	*data;
	size_t		 len, off;
	const char *const *rcpts;
	size_t		 count;
	struct smtp_result *res;
	int		 rcpt_seen[RCPT_MAX];
	int		 waiting;	/* index of the RCPT awaiting its reply; -1 none */
	int		 in_data;	/* DATA sent: the next final reply ends it */
	int		 data_code;	/* the reply after the data; 0 none */
	char		 data_reply[256];
	/* The last command sent ("" before any: the greeting answers
	 * nothing we said), and the first 4xx/5xx reply to one that is
	 * not a RCPT TO and that the session did not go on past, with the
	 * command it answered: libcurl reports
	 * these as "MAIL failed: 552" or "Login denied" and drops the
	 * server's text, which is what a postmaster needs to read. */
	char		 cmd[12];
	int		 fail_code;
	char		 fail_cmd[12];
	char		 fail_reply[256];
};

/* "smtp://127.0.0.1:2525" and the like: nothing leaves the machine.  The
 * whole host must be localhost, an IPv4 address in 127/8 or [::1]: a
 * prefix would let "localhost.example.net" or "127.example.net" off the
 * TLS that authentication requires.  Anything else counts as remote. */
static int
url_is_loopback(const char *url)
{
	const char *h = strstr(url, "://");
	unsigned char a[4];
	char ip[16];
	size_t n;

	if (h == NULL)
		return 0;
	h += 3;
	n = *h == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/?#");
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return 1;
	if (n == 5 && strncmp(h, "[::1]", 5) == 0)
		return 1;
	if (n >= sizeof(ip))
		return 0;
	memcpy(ip, h, n);
	ip[n] = '\0';
	return inet_pton(AF_INET, ip, a) == 1 && a[0] == 127;
}

/* What smtp:// asks of STARTTLS (smtps:// is TLS from the first byte):
 * required for every host that is not this machine, so a missing or
 * stripped STARTTLS never sends mail or a password in clear text; tried
 * on loopback, where nothing leaves the machine; off only when the
 * configuration says `tls none`. */
static long
use_ssl(const struct conf_smtp *conf, const char *url)
{
	if (conf->tls == CONF_TLS_NONE)
		return (long)CURLUSESSL_NONE;
	return url_is_loopback(url) ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL;
}

int
smtp_open(struct smtp **out, const struct conf_smtp *conf, struct err *e)
{
	struct smtp *s;
	static int global_done;

	*out = NULL;
	if (!global_done) {
		/* Once per process; libcurl counts further calls. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return err_set(e, ERR_SOFTWARE, "cannot initialize libcurl");
		global_done = 1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->url = strdup(conf->url)) == NULL) {
		free(s);
		return err_set(e, ERR_NOMEM, "out of memory opening an SMTP session");
	}
	if (conf->user != NULL) {
		if (secret_read(conf->password_file, s->password, sizeof(s->password), e) == -1) {
			smtp_close(s);
			return -1;
		}
		s->auth = 1;
	}
	if ((s->curl = curl_easy_init()) == NULL) {
		smtp_close(s);
		return err_set(e, ERR_NOMEM, "out of memory opening an SMTP session");
	}
	/* Explicit opt-outs, said at every connect as IMAP does. */
	if (conf->tls == CONF_TLS_NONE)
		log_warnx("smtp event=tls-off: mail%s to '%s' travels in clear text (tls none)",
		    s->auth ? " and the password" : "", s->url);
	else if (!conf->tls_verify)
		log_warnx("smtp event=tls-verify-off: certificates are not checked "
		    "(tls-verify no)");
	if (curl_easy_setopt(s->curl, CURLOPT_URL, s->url) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_XFERINFOFUNCTION, http_stop_check) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_NOPROGRESS, 0L) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, conf->tls_verify ? 1L : 0L) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, conf->tls_verify ? 2L : 0L) != CURLE_OK ||
	    (conf->ca_file != NULL &&
	    curl_easy_setopt(s->curl, CURLOPT_CAINFO, conf->ca_file) != CURLE_OK) ||
	    curl_easy_setopt(s->curl, CURLOPT_USE_SSL, use_ssl(conf, s->url)) != CURLE_OK ||
	    (s->auth && (curl_easy_setopt(s->curl, CURLOPT_USERNAME, conf->user) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_PASSWORD, s->password) != CURLE_OK)) ||
	    curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x080200
	    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L) != CURLE_OK
#else
	    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L) != CURLE_OK
#endif
	    ) {
		smtp_close(s);
		return err_set(e, ERR_SOFTWARE, "libcurl lacks an SMTP option escalator needs");
	}
	*out = s;
	return 0;
}

long
smtp_connections(const struct smtp *s)
{
	return s != NULL ? s->connections : 0;
}

void
smtp_close(struct smtp *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);	/* sends QUIT on a live connection */
	explicit_bzero(s->password, sizeof(s->password));
	free(s->url);
	free(s);
}

/*
 * One transfer.
 */

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp *s = arg;
	size_t n = size * nitems;

	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->data + s->off, n);
	s->off += n;
	return n;
}

/* One line of the server, escaped, into out. */
static void
reply_copy(const char *line, size_t n, char *out, size_t len)
{
	char tmp[256];

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, line, n);
	tmp[n] = '\0';
	tmp[strcspn(tmp, "\r\n")] = '\0';
	(void)log_escape(tmp, out, len);
}

/* Which of the message's recipients "RCPT TO:<addr>..." names. */
static int
rcpt_index(struct smtp *s, const char *line, size_t n)
{
	const char *lt = memchr(line, '<', n), *gt;
	size_t i, al;

	if (lt == NULL || (gt = memchr(lt, '>', n - (size_t)(lt - line))) == NULL)
		return -1;
	al = (size_t)(gt - lt - 1);
	for (i = 0; i < s->count; i++)
		if (!s->rcpt_seen[i] && strlen(s->rcpts[i]) == al &&
		    strncasecmp(s->rcpts[i], lt + 1, al) == 0) {
			s->rcpt_seen[i] = 1;
			return (int)i;
		}
	return -1;
}

static void
trace_in(struct smtp *s, const char *line, size_t n)
{
	int code;

	/* Only a final line ("250 ok", not "250-PIPELINING") answers. */
	if (n < 4 || line[0] < '2' || line[0] > '5' || line[3] != ' ')
		return;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (s->waiting >= 0) {
		struct smtp_result *r = &s->res[s->waiting];

		r->code = code;
		reply_copy(line, n, r->reply, sizeof(r->reply));
		r->outcome = code >= 500 ? SMTP_PERMFAIL : code >= 400 ? SMTP_TEMPFAIL :
		    SMTP_SENT;
		s->waiting = -1;
	} else if (s->in_data && code != 354) {
		s->data_code = code;
		reply_copy(line, n, s->data_reply, sizeof(s->data_reply));
		s->in_data = 0;
	} else if (code >= 400 && s->fail_code == 0) {
		s->fail_code = code;
		memcpy(s->fail_cmd, s->cmd, sizeof(s->fail_cmd));
		reply_copy(line, n, s->fail_reply, sizeof(s->fail_reply));
	} else if (code < 400 && s->fail_code != 0 && strcmp(s->cmd, "QUIT") != 0) {
		/* The session went on past the refusal (libcurl answers a
		 * refused EHLO with HELO): it ended nothing, and must not
		 * stand for what refuses the mail or its recipients later. */
		s->fail_code = 0;
		s->fail_cmd[0] = '\0';
		s->fail_reply[0] = '\0';
	}
}

/* The verb of a command line ("MAIL FROM:<...>" gives "MAIL") into
 * s->cmd; other lines (an AUTH continuation) leave it as it was. */
static void
trace_cmd(struct smtp *s, const char *line, size_t n)
{
	static const char *const verbs[] = { "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL",
		"RCPT", "DATA", "RSET", "NOOP", "QUIT" };
	size_t i, vl;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		vl = strlen(verbs[i]);
		if (n >= vl && strncasecmp(line, verbs[i], vl) == 0 &&
		    (n == vl || line[vl] == ' ' || line[vl] == '\r' || line[vl] == '\n')) {
			(void)esc_strlcpy(s->cmd, verbs[i], sizeof(s->cmd));
			return;
		}
	}
}

static int
trace_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *arg)
{
	struct smtp *s = arg;
	char shown[300];
	const char *p = data, *nl;
	size_t n;

	(void)curl;
	if (type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT)
		return 0;	/* the message itself and TLS bytes: never looked at */
	while (p < data + size) {
		nl = memchr(p, '\n', (size_t)(data + size - p));
		n = nl != NULL ? (size_t)(nl - p + 1) : (size_t)(data + size - p);
		if (type == CURLINFO_HEADER_IN) {
			trace_in(s, p, n);
			if (log_level() >= LOG_DEBUG) {
				reply_copy(p, n, shown, sizeof(shown));
				log_debug("smtp S: %s", shown);
			}
		} else {
			trace_cmd(s, p, n);
			if (n >= 8 && strncasecmp(p, "RCPT TO:", 8) == 0)
				s->waiting = rcpt_index(s, p, n);
			else if (n >= 4 && strncasecmp(p, "DATA", 4) == 0)
				s->in_data = 1;
			/* Commands only: an AUTH line or its continuation
			 * carries the credentials. */
			if (log_level() >= LOG_DEBUG) {
				if ((n >= 4 && (strncasecmp(p, "MAIL", 4) == 0 ||
				    strncasecmp(p, "RCPT", 4) == 0 || strncasecmp(p, "DATA", 4) == 0 ||
				    strncasecmp(p, "EHLO", 4) == 0 || strncasecmp(p, "HELO", 4) == 0 ||
				    strncasecmp(p, "QUIT", 4) == 0 || strncasecmp(p, "RSET", 4) == 0)) ||
				    (n >= 8 && strncasecmp(p, "STARTTLS", 8) == 0)) {
					reply_copy(p, n, shown, sizeof(shown));
					log_debug("smtp C: %s", shown);
				} else
					log_debug("smtp C: (not shown)");
			}
		}
		p += n;
	}
	return 0;
}

static void
all_temp(struct smtp_result *res, size_t count, const char *why)
{
	size_t i;

	for (i = 0; i < count; i++) {
		res[i].outcome = SMTP_TEMPFAIL;
		res[i].code = 0;
		(void)esc_strlcpy(res[i].reply, why, sizeof(res[i].reply));
	}
}

/* One transfer of the message prepared in s: MAIL FROM, the RCPT TOs,
 * DATA.  Fills s->res from the replies; *reused: 1 when it went over a
 * connection that had carried earlier messages. */
static CURLcode
transfer(struct smtp *s, int *reused, long *code)
{
	CURLcode rc;
	long connects = 0;
	size_t i;

	for (i = 0; i < s->count; i++) {
		s->res[i].outcome = SMTP_TEMPFAIL;
		s->res[i].code = 0;
		(void)esc_strlcpy(s->res[i].reply, "no reply to RCPT TO", sizeof(s->res[i].reply));
	}
	s->off = 0;
	memset(s->rcpt_seen, 0, sizeof(s->rcpt_seen));
	s->waiting = -1;
	s->in_data = 0;
	s->data_code = 0;
	s->data_reply[0] = '\0';
	s->cmd[0] = '\0';
	s->fail_code = 0;
	s->fail_cmd[0] = '\0';
	s->fail_reply[0] = '\0';
	s->errbuf[0] = '\0';
	*code = 0;
	rc = curl_easy_perform(s->curl);
	(void)curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &connects);
	(void)curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, code);
	s->connections += connects;
	*reused = connects == 0 && s->connections > 0;
	return rc;
}

/* A 4xx to MAIL FROM on a connection that carried earlier messages is
 * how servers end a session at their per-connection limit: Exim 4.96
 * says "421 too many messages in this connection" after
 * smtp_accept_max_per_connection (1000 by default), OpenSMTPD 6.8
 * "452 4.5.3 Too many recipients: Too many messages sent" after its
 * max-mails (100).  Neither says the server is away or the message
 * unwelcome; a new connection takes it. */
static int
session_limit(const struct smtp *s, CURLcode rc, int reused)
{
	return rc != CURLE_OK && reused && s->data_code == 0 &&
	    s->fail_code >= 400 && s->fail_code < 500 && strcmp(s->fail_cmd, "MAIL") == 0;
}

int
smtp_send(struct smtp *s, const char *from, const char *const *rcpts, size_t count,
    const char *data, size_t len, struct smtp_result *res, struct err *e)
{
	struct curl_slist *list = NULL, *l;
	char from_spec[256], buf[320], why[CURL_ERROR_SIZE + 64];
	CURLcode rc;
	long code = 0;
	size_t i;
	int any_sent = 0, ret = 0, reused;

	if (count == 0 || count > RCPT_MAX)
		return err_set(e, ERR_SOFTWARE, "cannot send to %zu recipients", count);
	/* "": the null reverse-path, MAIL FROM:<> (automatic answers). */
	if (*from == '\0')
		from_spec[0] = '\0';
	else if (compose_addr_spec(from, from_spec, sizeof(from_spec)) == -1)
		return err_set(e, ERR_CONFIG, "invalid sender '%s'", from);
	for (i = 0; i < count; i++) {
		if (!compose_addr_ok(rcpts[i])) {
			curl_slist_free_all(list);
			return err_set(e, ERR_DATA, "invalid recipient '%s'", rcpts[i]);
		}
		(void)snprintf(buf, sizeof(buf), "<%s>", rcpts[i]);
		if ((l = curl_slist_append(list, buf)) == NULL) {
			curl_slist_free_all(list);
			return err_set(e, ERR_NOMEM, "out of memory sending");
		}
		list = l;
	}
	(void)snprintf(buf, sizeof(buf), "<%s>", from_spec);
	s->data = data;
	s->len = len;
	s->rcpts = rcpts;
	s->count = count;
	s->res = res;
	if (curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, buf) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, list) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_cb) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_READDATA, s) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len) != CURLE_OK ||
	    /* The trace is how RCPT replies are read; VERBOSE only turns
	     * the callback on, nothing is printed. */
	    curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, trace_cb) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s) != CURLE_OK ||
	    curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L) != CURLE_OK) {
		curl_slist_free_all(list);
		return err_set(e, ERR_SOFTWARE, "cannot set up an SMTP transfer");
	}
	rc = transfer(s, &reused, &code);
	if (session_limit(s, rc, reused)) {
		log_info("smtp event=reconnect server=%s reply=\"%s\"", s->url, s->fail_reply);
		if (curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, 1L) == CURLE_OK) {
			rc = transfer(s, &reused, &code);
			(void)curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, 0L);
		}
	}
	(void)curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);	/* list freed below */
	curl_slist_free_all(list);

	(void)http_curl_why(s->curl, rc, s->errbuf, why, sizeof(why));
	for (i = 0; i < count; i++)
		any_sent |= res[i].outcome == SMTP_SENT;
	if (rc == CURLE_OK) {
		/* The end of data was accepted: for every accepted recipient. */
		for (i = 0; i < count; i++)
			if (res[i].outcome == SMTP_SENT && s->data_code != 0) {
				res[i].code = s->data_code;
				(void)esc_strlcpy(res[i].reply, s->data_reply, sizeof(res[i].reply));
			}
		return 0;
	}
	if (s->data_code != 0) {
		/* The message itself was refused (or deferred) at the end of data. */
		for (i = 0; i < count; i++)
			if (res[i].outcome == SMTP_SENT) {
				res[i].outcome = s->data_code >= 500 ? SMTP_PERMFAIL : SMTP_TEMPFAIL;
				res[i].code = s->data_code;
				(void)esc_strlcpy(res[i].reply, s->data_reply, sizeof(res[i].reply));
			}
		return 0;
	}
	if (s->fail_code != 0 && s->fail_code != 421 && strcmp(s->fail_cmd, "MAIL") == 0) {
		/* MAIL FROM refused: the sender, or the message as a whole
		 * (552 for SIZE), so the reply answers for every recipient;
		 * a 5xx will not change by sending the same again. */
		for (i = 0; i < count; i++) {
			res[i].outcome = s->fail_code >= 500 ? SMTP_PERMFAIL : SMTP_TEMPFAIL;
			res[i].code = s->fail_code;
			(void)snprintf(res[i].reply, sizeof(res[i].reply), "MAIL FROM refused: %.230s",
			    s->fail_reply);
		}
		return 0;
	}
	if (!any_sent && code >= 400 && code < 600 && s->fail_code == 0) {
		/* Every recipient refused: the replies say why, per recipient. */
		for (i = 0; i < count; i++)
			if (res[i].code == 0) {
				res[i].outcome = SMTP_TEMPFAIL;
				(void)snprintf(res[i].reply, sizeof(res[i].reply),
				    "server said %ld: %.200s", code, why);
			}
		return 0;
	}
	/* The session broke, or the server refused it (at the greeting, to
	 * EHLO, STARTTLS or AUTH, or with 421 anywhere): nothing was
	 * delivered by this transfer.  Its reply says more than libcurl. */
	if (s->fail_code != 0)
		(void)snprintf(why, sizeof(why), "server refused %s: %.230s",
		    s->fail_cmd[0] != '\0' ? s->fail_cmd : "the session", s->fail_reply);
	else if (s->in_data) {
		/* libcurl's words here ("response reading failed (errno:
		 * 115)") do not say that the message was cut short. */
		char curl_why[sizeof(why)];

		(void)esc_strlcpy(curl_why, why, sizeof(curl_why));
		(void)snprintf(why, sizeof(why), "connection lost during DATA: %.200s",
		    curl_why);
	}
	all_temp(res, count, why);
	/* A 5xx to AUTH (535: the credentials are wrong) will not change
	 * until the configuration or the password file does. */
	ret = err_set(e, s->fail_code >= 500 && strcmp(s->fail_cmd, "AUTH") == 0 ? ERR_CONFIG :
	    ERR_NET, "cannot send to '%s': %s", s->url, why);
	return ret;
}
