/* http.c -- the HTTP layer of the social connectors over libcurl's easy
 * interface; see http.h for what every request gets.
 *
 * One easy handle per channel, reset (not recreated) before each request,
 * so its connection cache keeps the TLS session alive across the pages of
 * a backfill.  Response headers are parsed as they arrive (status line,
 * ETag, Last-Modified, Link, Retry-After, the rate-limit families); a new
 * status line (a redirect, a 100 Continue) starts them over.  The body
 * goes into a struct buf whose ceiling aborts the transfer. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
#include "common/util.h"
#include "connectors/http.h"

const char *
http_curl_why(void *curl, int rc, const char *errbuf, char *out, size_t len)
{
	gnutls_datum_t text = { NULL, 0 };
	long status = 0;

	if (rc == CURLE_PEER_FAILED_VERIFICATION &&
	    curl_easy_getinfo(curl, CURLINFO_SSL_VERIFYRESULT, &status) == CURLE_OK &&
	    status != 0 &&
	    gnutls_certificate_verification_status_print((unsigned)status, GNUTLS_CRT_X509,
	    &text, 0) == 0) {
		/* GnuTLS writes "The certificate is NOT trusted. The
		 * certificate issuer is unknown. " */
		(void)snprintf(out, len, "certificate refused: %s", (const char *)text.data);
		gnutls_free(text.data);
		for (len = strlen(out); len > 0 && out[len - 1] == ' '; len--)
			out[len - 1] = '\0';
		return out;
	}
	(void)snprintf(out, len, "%s", errbuf != NULL && errbuf[0] != '\0' ? errbuf :
	    curl_easy_strerror((CURLcode)rc));
	return out;
}

int
http_stop_check(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	(void)arg;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stop_requested();	/* non-zero: curl aborts the transfer */
}

#define LINK_MAX	4096	/* bytes of one Link target */
#define URL_SHOWN	200	/* bytes of a URL in a message */

struct http {
	CURL		*curl;
	char		*channel;
	char		*origin;	/* "https://host:port", no path */
	char		*scheme, *host, *port;	/* of the origin; port "" if default */
	int		 loopback;	/* the origin's host is loopback */
	time_t		 now;		/* 0: the system clock */
	time_t		 not_before;
	long		 timeout;
	char		 errbuf[CURL_ERROR_SIZE];

	/* Per response, filled by the header callback. */
	struct http_response *resp;
	char		 reason[64];
	time_t		 retry_after;	/* absolute; 0: none */
	long		 rl_remaining;	/* -1: not said */
	time_t		 rl_reset;	/* absolute; 0: not said */
	int		 too_big;
	size_t		 max;
};

static int curl_ready;

void
http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, HTTP_BODY_MAX);
}

void
http_response_release(struct http_response *r)
{
	if (r == NULL)
		return;
	buf_release(&r->body);
	free(r->link_next);
	free(r->link_prev);
	r->link_next = r->link_prev = NULL;
	r->status = 0;
	r->etag[0] = r->last_modified[0] = r->content_type[0] = '\0';
}

static time_t
http_clock(const struct http *h)
{
	return h->now != 0 ? h->now : time(NULL);
}

const char *
http_when(time_t t, char *buf, size_t len)
{
	char stamp[32];

	(void)snprintf(buf, len, "not before %s", time_rfc3339(t, stamp, sizeof(stamp)));
	return buf;
}

static int
host_is_loopback(const char *host)
{
	return strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "[::1]") == 0 || strncmp(host, "127.", 4) == 0;
}

/* Splits url into scheme, host and port (each malloc'd; port "" when the
 * URL names none).  0, or -1 with e set. */
static int
url_parts(const char *url, char **scheme, char **host, char **port, struct err *e)
{
	CURLU *u;
	CURLUcode rc;
	char *p = NULL;

	*scheme = *host = *port = NULL;
	if ((u = curl_url()) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((rc = curl_url_set(u, CURLUPART_URL, url, 0)) != CURLUE_OK ||
	    (rc = curl_url_get(u, CURLUPART_SCHEME, scheme, 0)) != CURLUE_OK ||
	    (rc = curl_url_get(u, CURLUPART_HOST, host, 0)) != CURLUE_OK) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = *host = NULL;
		curl_url_cleanup(u);
		return err_set(e, ERR_CONFIG, "invalid URL '%.*s': %s", URL_SHOWN, url,
		    curl_url_strerror(rc));
	}
	if (curl_url_get(u, CURLUPART_PORT, &p, 0) != CURLUE_OK)
		p = NULL;		/* no port in the URL */
	curl_url_cleanup(u);
	/* Copies of our own, so one free() fits all. */
	{
		char *s = strdup(*scheme), *h = strdup(*host), *o = strdup(p ? p : "");

		curl_free(*scheme);
		curl_free(*host);
		curl_free(p);
		*scheme = s;
		*host = h;
		*port = o;
		if (s == NULL || h == NULL || o == NULL) {
			free(s);
			free(h);
			free(o);
			*scheme = *host = *port = NULL;
			return err_set(e, ERR_NOMEM, "out of memory");
		}
	}
	ascii_lower(*scheme);
	ascii_lower(*host);
	return 0;
}

/* May url be fetched?  https, or http to loopback; and with same_origin
 * (every API request: they carry tokens or passwords) only from the
 * origin.  0 or -1. */
static int
url_allowed(const struct http *h, const char *url, int same_origin, struct err *e)
{
	char *scheme, *host, *port;
	int ret = 0;

	if (url_parts(url, &scheme, &host, &port, e) == -1)
		return -1;
	if (strcmp(scheme, "https") != 0 &&
	    !(strcmp(scheme, "http") == 0 && host_is_loopback(host)))
		ret = err_set(e, ERR_CONFIG, "refusing '%.*s': only https:// (plain http "
		    "only to a loopback host)", URL_SHOWN, url);
	else if (same_origin && (strcmp(scheme, h->scheme) != 0 || strcmp(host, h->host) != 0 ||
	    strcmp(port, h->port) != 0))
		ret = err_set(e, ERR_DATA, "refusing to send the channel's credentials to "
		    "'%.*s': not %s", URL_SHOWN, url, h->origin);
	free(scheme);
	free(host);
	free(port);
	return ret;
}

int
http_same_origin(const struct http *h, const char *url)
{
	struct err e = ERR_INIT;

	return url_allowed(h, url, 1, &e) == 0;
}

int
http_open(struct http **out, const char *channel, const char *origin, struct err *e)
{
	struct http *h;
	const char *env;
	char *end;
	size_t n;
	long t;

	*out = NULL;
	if (!curl_ready) {
		/* Single-threaded here; the flags set up TLS once. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return err_set(e, ERR_SOFTWARE, "cannot initialize libcurl");
		curl_ready = 1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	h->timeout = HTTP_TIMEOUT;
	if ((env = getenv(HTTP_TIMEOUT_ENV)) != NULL && *env != '\0') {
		errno = 0;
		t = strtol(env, &end, 10);
		if (errno == 0 && *end == '\0' && t >= 1 && t <= 3600)
			h->timeout = t;
	}
	if ((h->channel = strdup(channel)) == NULL) {
		http_close(h);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (url_parts(origin, &h->scheme, &h->host, &h->port, e) == -1) {
		http_close(h);
		return -1;
	}
	h->loopback = host_is_loopback(h->host);
	if (strcmp(h->scheme, "https") != 0 && !(strcmp(h->scheme, "http") == 0 && h->loopback)) {
		err_set(e, ERR_CONFIG, "refusing '%s': only https:// (plain http only to a "
		    "loopback host)", origin);
		http_close(h);
		return -1;
	}
	n = strlen(h->scheme) + strlen(h->host) + strlen(h->port) + 8;
	if ((h->origin = malloc(n)) == NULL || (h->curl = curl_easy_init()) == NULL) {
		http_close(h);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	(void)snprintf(h->origin, n, "%s://%s%s%s", h->scheme, h->host,	/* sized above */
	    *h->port ? ":" : "", h->port);
	*out = h;
	return 0;
}

void
http_close(struct http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h->channel);
	free(h->origin);
	free(h->scheme);
	free(h->host);
	free(h->port);
	free(h);
}

void
http_set_now(struct http *h, time_t now)
{
	h->now = now;
}

time_t
http_not_before(const struct http *h)
{
	return h->not_before;
}

void
http_set_not_before(struct http *h, time_t t)
{
	h->not_before = t;
}

const char *
http_host(const struct http *h)
{
	return h->host;
}

char *
http_url(const struct http *h, const char *path, ...)
{
	struct buf b = BUF_INIT(64 * 1024);
	const char *k, *v;
	char *ek, *ev;
	va_list ap;
	int sep = '?', fail = 0;

	if (strchr(path, '?') != NULL)
		sep = '&';
	if (buf_addstr(&b, h->origin, NULL) == -1 || buf_addstr(&b, path, NULL) == -1) {
		buf_release(&b);
		return NULL;
	}
	va_start(ap, path);
	while (!fail && (k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v == NULL)
			continue;
		ek = curl_easy_escape(h->curl, k, 0);
		ev = curl_easy_escape(h->curl, v, 0);
		fail = ek == NULL || ev == NULL || buf_addch(&b, sep, NULL) == -1 ||
		    buf_addstr(&b, ek, NULL) == -1 || buf_addch(&b, '=', NULL) == -1 ||
		    buf_addstr(&b, ev, NULL) == -1;
		curl_free(ek);
		curl_free(ev);
		sep = '&';
	}
	va_end(ap);
	if (fail) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

char *
http_escape(const struct http *h, const char *s)
{
	char *c = curl_easy_escape(h->curl, s, 0), *copy;

	if (c == NULL)
		return NULL;
	copy = strdup(c);	/* so callers free() it like everything else */
	curl_free(c);
	return copy;
}

/* ---- response headers ------------------------------------------------ */

/* A header value: leading and trailing blanks dropped, copied to out. */
static void
header_value(const char *v, size_t len, char *out, size_t outlen)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
	    v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, v, len);
	out[len] = '\0';
}

/* A reset time: epoch seconds (Bluesky), delta seconds (the IETF draft),
 * or an ISO 8601 / HTTP date (Mastodon).  0 when unreadable. */
static time_t
parse_reset(const struct http *h, const char *v)
{
	char *end;
	long long n;
	time_t t;

	if (isdigit((unsigned char)*v)) {
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno == 0 && (*end == '\0' || *end == '.')) {
			if (n < 0)
				return 0;
			/* Below a billion cannot be an epoch of this century. */
			return n < 1000000000LL ? http_clock(h) + (time_t)n : (time_t)n;
		}
		if (time_parse(v, &t) == 0)
			return t;
	}
	t = curl_getdate(v, NULL);
	return t > 0 ? t : 0;
}

/* Link: <url>; rel="next", <url>; rel="prev" (RFC 8288). */
static void
parse_link(struct http_response *r, const char *v)
{
	const char *p = v, *lt, *gt, *end, *rel;
	char rels[64];
	size_t n;

	while ((lt = strchr(p, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		end = strchr(gt, ',');
		/* A comma inside a quoted parameter is not expected here. */
		if (end == NULL)
			end = gt + strlen(gt);
		rels[0] = '\0';
		if ((rel = strstr(gt, "rel=")) != NULL && rel < end) {
			rel += 4;
			if (*rel == '"')
				rel++;
			n = strcspn(rel, "\";,");
			header_value(rel, n, rels, sizeof(rels));
		}
		n = (size_t)(gt - lt - 1);
		if (n > 0 && n < LINK_MAX) {
			char **slot = NULL, *tok, *save = NULL;

			for (tok = strtok_r(rels, " ", &save); tok != NULL;
			    tok = strtok_r(NULL, " ", &save)) {
				if (strcasecmp(tok, "next") == 0)
					slot = &r->link_next;
				else if (strcasecmp(tok, "prev") == 0 ||
				    strcasecmp(tok, "previous") == 0)
					slot = &r->link_prev;
			}
			if (slot != NULL && *slot == NULL)
				*slot = strndup(lt + 1, n);	/* NULL: no link, as if absent */
		}
		p = end;
	}
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http *h = arg;
	struct http_response *r = h->resp;
	size_t len = size * nmemb, nl;
	const char *colon;
	char name[64], value[LINK_MAX * 2 + 64];

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or 100): forget the last. */
		const char *sp = memchr(data, ' ', len), *sp2;

		free(r->link_next);
		free(r->link_prev);
		r->link_next = r->link_prev = NULL;
		r->etag[0] = r->last_modified[0] = r->content_type[0] = '\0';
		h->reason[0] = '\0';
		h->retry_after = 0;
		h->rl_remaining = -1;
		h->rl_reset = 0;
		if (sp != NULL && (sp2 = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - data))) != NULL)
			header_value(sp2 + 1, len - (size_t)(sp2 + 1 - data), h->reason,
			    sizeof(h->reason));
		return len;
	}
	if ((colon = memchr(data, ':', len)) == NULL)
		return len;
	nl = (size_t)(colon - data);
	if (nl == 0 || nl >= sizeof(name))
		return len;
	memcpy(name, data, nl);
	name[nl] = '\0';
	header_value(colon + 1, len - nl - 1, value, sizeof(value));
	if (strcasecmp(name, "etag") == 0)
		(void)esc_strlcpy(r->etag, value, sizeof(r->etag));
	else if (strcasecmp(name, "last-modified") == 0)
		(void)esc_strlcpy(r->last_modified, value, sizeof(r->last_modified));
	else if (strcasecmp(name, "content-type") == 0)
		(void)esc_strlcpy(r->content_type, value, sizeof(r->content_type));
	else if (strcasecmp(name, "link") == 0)
		parse_link(r, value);
	else if (strcasecmp(name, "retry-after") == 0)
		h->retry_after = parse_reset(h, value);
	else if (strcasecmp(name, "x-ratelimit-remaining") == 0 ||
	    strcasecmp(name, "ratelimit-remaining") == 0) {
		char *end;
		long n;

		errno = 0;
		n = strtol(value, &end, 10);
		if (errno == 0 && end != value)
			h->rl_remaining = n;
	} else if (strcasecmp(name, "x-ratelimit-reset") == 0 ||
	    strcasecmp(name, "ratelimit-reset") == 0)
		h->rl_reset = parse_reset(h, value);
	return len;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http *h = arg;
	size_t len = size * nmemb;

	if (h->resp->body.len + len > h->max) {
		h->too_big = 1;
		return 0;		/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (buf_add(&h->resp->body, data, len, NULL) == -1)
		return 0;
	return len;
}

/* ---- requests -------------------------------------------------------- */

/* "GET https://host/path" for messages, cut to URL_SHOWN. */
static const char *
what_of(const struct http_request *req, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s %.*s", req->method ? req->method : "GET", URL_SHOWN,
	    req->url);
	return buf;
}

static const char *
reason_of(const struct http *h, long status)
{
	if (h->reason[0] != '\0')
		return h->reason;
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/* Sets the options of one request on the (reset) handle. */
static int
setup(struct http *h, const struct http_request *req, struct curl_slist **hdrs)
{
	static const char ua[] = "escalator/" PACKAGE_VERSION;
	const char *protos = h->loopback ? "http,https" : "https";
	CURLcode rc = CURLE_OK;
	char line[8192];
	struct curl_slist *l;

	*hdrs = NULL;
#define SET(opt, val)	if (rc == CURLE_OK) rc = curl_easy_setopt(h->curl, opt, val)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_XFERINFOFUNCTION, http_stop_check);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_USERAGENT, ua);
	SET(CURLOPT_ACCEPT_ENCODING, "");		/* every encoding built in */
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_CONNECTTIMEOUT, (long)HTTP_CONNECT_TIMEOUT);
	SET(CURLOPT_TIMEOUT, h->timeout);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, h);
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85: the _STR forms */
	SET(CURLOPT_PROTOCOLS_STR, protos);
	SET(CURLOPT_REDIR_PROTOCOLS_STR, protos);
#else
	SET(CURLOPT_PROTOCOLS, h->loopback ? (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS) :
	    (long)CURLPROTO_HTTPS);
	SET(CURLOPT_REDIR_PROTOCOLS, h->loopback ? (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS) :
	    (long)CURLPROTO_HTTPS);
	(void)protos;
#endif
	if (req->follow) {
		SET(CURLOPT_FOLLOWLOCATION, 1L);
		SET(CURLOPT_MAXREDIRS, 5L);
	}
	if (req->method != NULL && strcmp(req->method, "POST") == 0) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		if ((l = curl_slist_append(*hdrs, "Content-Type: application/json")) == NULL)
			return -1;
		*hdrs = l;
	} else
		SET(CURLOPT_HTTPGET, 1L);
#undef SET
	if (rc != CURLE_OK)
		return -1;
	if ((l = curl_slist_append(*hdrs, "Accept: application/json, application/atom+xml, "
	    "application/rss+xml, application/xml;q=0.9, */*;q=0.8")) == NULL)
		return -1;
	*hdrs = l;
	if (req->bearer != NULL) {
		if ((size_t)snprintf(line, sizeof(line), "Authorization: Bearer %s",
		    req->bearer) >= sizeof(line))
			return -1;	/* a token that long is not one */
		l = curl_slist_append(*hdrs, line);
		explicit_bzero(line, sizeof(line));
		if (l == NULL)
			return -1;
		*hdrs = l;
	}
	if (req->if_none_match != NULL && *req->if_none_match != '\0') {
		(void)snprintf(line, sizeof(line), "If-None-Match: %s", req->if_none_match);
		if ((l = curl_slist_append(*hdrs, line)) == NULL)
			return -1;
		*hdrs = l;
	}
	if (req->if_modified_since != NULL && *req->if_modified_since != '\0') {
		(void)snprintf(line, sizeof(line), "If-Modified-Since: %s", req->if_modified_since);
		if ((l = curl_slist_append(*hdrs, line)) == NULL)
			return -1;
		*hdrs = l;
	}
	return curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, *hdrs) == CURLE_OK ? 0 : -1;
}

/* Frees a header list that may hold the token, wiping it first. */
static void
free_headers(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static void
rate_limited(struct http *h, time_t until, const char *why)
{
	char when[64];

	if (until <= h->not_before)
		return;
	h->not_before = until;
	log_warnx("channel=%s host=%s event=rate-limited %s why=\"%s\"", h->channel, h->host,
	    http_when(until, when, sizeof(when)), why);
}

int
http_request(struct http *h, const struct http_request *req, struct http_response *resp,
    struct err *e)
{
	struct curl_slist *hdrs = NULL;
	CURLcode rc;
	char what[URL_SHOWN + 16], when[64], why[CURL_ERROR_SIZE + 64];
	time_t now = http_clock(h);
	long status = 0;
	int ret = 0;

	http_response_release(resp);
	what_of(req, what, sizeof(what));
	if (h->not_before > now)
		return err_set(e, ERR_NET, "%s: rate limited, %s", what,
		    http_when(h->not_before, when, sizeof(when)));
	if (url_allowed(h, req->url, !req->follow, e) == -1)
		return -1;
	h->max = req->max != 0 ? req->max : HTTP_BODY_MAX;
	resp->body.max = h->max + 1;
	h->resp = resp;
	h->errbuf[0] = '\0';
	h->reason[0] = '\0';
	h->too_big = 0;
	h->retry_after = 0;
	h->rl_remaining = -1;
	h->rl_reset = 0;
	curl_easy_reset(h->curl);	/* keeps the connections */
	if (setup(h, req, &hdrs) == -1) {
		free_headers(hdrs);
		return err_set(e, ERR_NOMEM, "%s: cannot set up the request", what);
	}
	rc = curl_easy_perform(h->curl);
	/* The handle keeps pointers to the list: drop them before freeing. */
	(void)curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	free_headers(hdrs);
	if (rc != CURLE_OK) {
		if (h->too_big || rc == CURLE_FILESIZE_EXCEEDED)
			ret = err_set(e, ERR_DATA, "%s: response exceeds %zu bytes", what, h->max);
		else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_SSL_CERTPROBLEM)
			ret = err_set(e, ERR_CONFIG, "%s: %s", what,
			    http_curl_why(h->curl, rc, h->errbuf, why, sizeof(why)));
		else
			ret = err_set(e, ERR_NET, "%s: %s%s%s", what, curl_easy_strerror(rc),
			    h->errbuf[0] ? ": " : "", h->errbuf);
		h->resp = NULL;
		return ret;
	}
	(void)curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);	/* cannot fail after a transfer */
	resp->status = status;
	h->resp = NULL;
	if (status == 429 || (status == 503 && h->retry_after != 0)) {
		time_t until = h->retry_after > now ? h->retry_after : now +
		    (status == 429 && h->retry_after == 0 ? HTTP_RETRY_DEFAULT : 1);

		/* Bluesky says when in ratelimit-reset, not Retry-After: a
		 * login limit can last hours, so knocking every minute only
		 * prolongs it. */
		if (status == 429 && h->retry_after == 0 && h->rl_reset > until)
			until = h->rl_reset;

		rate_limited(h, until, status == 429 ? "429" : "503 with Retry-After");
		return err_set(e, ERR_NET, "%s: %ld %s, %s", what, status, reason_of(h, status),
		    http_when(h->not_before, when, sizeof(when)));
	}
	if (h->rl_remaining == 0 && h->rl_reset > now)
		rate_limited(h, h->rl_reset, "no requests remaining");
	if (status >= 500)
		return err_set(e, ERR_NET, "%s: %ld %s", what, status, reason_of(h, status));
	return 0;
}

int
http_fail(struct http *h, const char *what, const struct http_response *resp,
    struct err *e)
{
	json_t *j = NULL, *v;
	const char *msg = NULL, *sep = "";
	char esc[256];
	int code = resp->status == 401 || resp->status == 403 ? ERR_CONFIG : ERR_DATA;
	int ret;

	if (resp->body.len > 0 && resp->body.buf[0] == '{' &&
	    (j = json_loadb(resp->body.buf, resp->body.len, 0, NULL)) != NULL) {
		if ((v = json_object_get(j, "message")) != NULL && json_is_string(v))
			msg = json_string_value(v);
		else if ((v = json_object_get(j, "error")) != NULL && json_is_string(v))
			msg = json_string_value(v);
		if ((v = json_object_get(j, "error_description")) != NULL && json_is_string(v))
			msg = json_string_value(v);
	}
	if (msg != NULL)
		sep = ": ";
	ret = err_set(e, code, "%s: %ld %s%s%s", what, resp->status, reason_of(h, resp->status),
	    sep, msg != NULL ? log_escape(msg, esc, sizeof(esc)) : "");
	json_decref(j);
	return ret;
}
