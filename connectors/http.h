/* http.h -- the one HTTP layer every social connector (mastodon, bluesky,
 * feed) speaks through, over libcurl.
 *
 * One struct http per channel: its own curl handle (connections are kept
 * alive between pages), its own rate-limit state, so a channel that must
 * wait never holds up another.  What every request gets:
 *
 * - certificates and host names verified (libcurl's defaults, forced on);
 *   https only, plain http only to a loopback host (tests); API requests
 *   (which carry tokens) go only to the origin the channel was opened with,
 *   so a Link header or redirect cannot carry it elsewhere (only feed
 *   requests, which carry none, follow redirects to other https hosts);
 * - a connect timeout and a total timeout, a User-Agent
 *   "escalator/VERSION", compressed responses (Accept-Encoding);
 * - a ceiling on the (decompressed) body: past it the transfer is aborted
 *   with "response ... exceeds N bytes";
 * - rate limits: 429, and 503 with Retry-After, set "not before T" for the
 *   channel and fail at once with ERR_NET; so do Mastodon's
 *   X-RateLimit-Remaining: 0 / X-RateLimit-Reset and Bluesky's
 *   ratelimit-remaining: 0 / ratelimit-reset for the requests after the
 *   one that carried them.  Until T every request fails at once, without
 *   touching the network.  Nothing here ever sleeps.
 *
 * Errors read "GET https://host/path: what" (curl_easy_strerror and the
 * error buffer), ERR_NET for what may heal (connection, timeout, 5xx, a
 * cut body, rate limits), ERR_DATA for a body over the ceiling, ERR_CONFIG
 * for a URL we refuse.  Tokens and Authorization headers never reach a
 * message or a log. */
#ifndef ESC_HTTP_H
#define ESC_HTTP_H

#include <curl/curl.h>

#include <stddef.h>
#include <time.h>

#include "common/buf.h"

struct err;
struct http;

#define HTTP_BODY_MAX		(8u << 20)	/* default ceiling of a response */
#define HTTP_CONNECT_TIMEOUT	15		/* seconds */
#define HTTP_TIMEOUT		60		/* seconds for a whole request */
/* Overrides HTTP_TIMEOUT (seconds, 1-3600), for tests that stall. */
#define HTTP_TIMEOUT_ENV	"ESCALATOR_HTTP_TIMEOUT"
#define HTTP_RETRY_DEFAULT	60		/* a 429 without Retry-After */

struct http_request {
	const char	*method;	/* "GET" (NULL) or "POST" */
	const char	*url;
	const char	*bearer;	/* Authorization: Bearer; NULL: none */
	const char	*body;		/* POST: a JSON text */
	const char	*if_none_match;	/* an ETag seen before; NULL: none */
	const char	*if_modified_since; /* a Last-Modified seen before */
	size_t		 max;		/* body ceiling; 0: HTTP_BODY_MAX */
	int		 follow;	/* follow up to 5 redirects, to any https host (feeds);
					 * 0: the URL must be on the origin */
};

struct http_response {
	long		 status;	/* 200, 304, 404, ... */
	struct buf	 body;		/* NUL-terminated */
	char		 etag[256];	/* "" if none */
	char		 last_modified[64];
	char		 content_type[128];
	char		*link_next;	/* Link rel="next" target, or NULL */
	char		*link_prev;	/* Link rel="prev" target, or NULL */
};

void	http_response_init(struct http_response *);	/* cannot fail */
void	http_response_release(struct http_response *);	/* NULL-safe */

/* A handle for channel (names it in logs) whose requests go to origin
 * ("https://host[:port]", a path is ignored); ERR_CONFIG for a URL we
 * refuse (plain http to a host that is not loopback). */
int	http_open(struct http **out /* OUT */, const char *channel,
	    const char *origin, struct err *);
void	http_close(struct http *);		/* NULL-safe */

/* The clock rate limits are measured on (the command's --now); 0: the
 * system clock. */
void	http_set_now(struct http *, time_t now);
/* Until when the channel must wait; 0 or a past time: it need not. */
time_t	http_not_before(const struct http *);
void	http_set_not_before(struct http *, time_t);

/* Performs req.  0 when a response arrived that is neither a rate limit
 * nor a server error (resp->status says which: 2xx, 304, 4xx); -1 with e
 * set otherwise.  resp is reset first. */
int	http_request(struct http *, const struct http_request *req,
	    struct http_response *resp, struct err *);
/* An error for a response the caller cannot use: "GET URL: 404 Not Found"
 * plus the server's own error text when it sent JSON {"error": ...}.
 * ERR_CONFIG for 401 and 403, ERR_DATA otherwise; returns -1. */
int	http_fail(struct http *, const char *what, const struct http_response *,
	    struct err *);

/* 1 when url is on the origin the handle was opened with (the same
 * scheme, host and port), so a request to it may carry the token; 0 when
 * it is not or cannot be read. */
int	http_same_origin(const struct http *, const char *url);
/* The host of the origin, for log lines. */
const char *http_host(const struct http *);
/* The origin joined with path ("/api/v1/..."), query arguments
 * URL-encoded from pairs (key, value, ..., NULL); a NULL value skips its
 * key.  Caller frees; NULL when out of memory. */
char	*http_url(const struct http *, const char *path, ...)
	    __attribute__((sentinel));
/* s URL-encoded (caller frees with free); NULL when out of memory. */
char	*http_escape(const struct http *, const char *s);
/* "not before 2026-11-20T12:00:00Z" for t; returns buf. */
const char *http_when(time_t t, char *buf, size_t len);

/* Why a libcurl transfer failed, in words a user can act on: for a
 * refused certificate GnuTLS's own reason ("The certificate issuer is
 * unknown"), not libcurl's "CAfile: none"; else the error buffer, else
 * libcurl's text for rc.  Returns out.  smtp.c uses it too. */
const char *http_curl_why(void *curl /* CURL * */, int rc /* CURLcode */,
	    const char *errbuf, char *out, size_t len);

/* A libcurl progress callback (CURLOPT_XFERINFOFUNCTION) that aborts the
 * transfer once the daemon was asked to stop; smtp.c uses it too. */
int	http_stop_check(void *arg, curl_off_t dltotal, curl_off_t dlnow,
	    curl_off_t ultotal, curl_off_t ulnow);

#endif
