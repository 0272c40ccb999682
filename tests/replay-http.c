/* replay-http.c -- a small HTTP/1.1 server for the social tests: replays
 * recorded responses from a routes file, and logs every request it saw.
 *
 * usage: replay-http [-s N] ROUTES PORTFILE LOGFILE
 *
 * Listens on 127.0.0.1, a free port written to PORTFILE once it accepts;
 * runs until killed.  Keep-alive, several clients at once (poll), no TLS.
 *
 * ROUTES: blocks separated by "end" lines; '#' starts a comment line.
 *
 *	GET /api/v1/notifications min_id=0 limit=* !max_id auth=TOKEN
 *	status 200
 *	header Link: <@BASE@/api/v1/notifications?min_id=2>; rel="prev"
 *	body 9001-notifications-1.json		(relative to ROUTES' directory)
 *	end
 *
 * The first line matches: method, path, query parameters (URL-decoded; k=v
 * equal, or one value of a repeated k; k=* present, !k absent) and
 * auth=TOKEN (the Authorization header contains TOKEN).  Then: status N
 * (200), header LINE (repeatable), body FILE, text STRING (inline body),
 * fill N (N bytes of JSON-looking filler), truncate N (announce the whole
 * length, send N bytes, close), hold FILE (answer only once FILE exists,
 * at most a minute; the request is logged before the wait).  "@BASE@" in
 * headers and bodies becomes http://127.0.0.1:PORT.  Of the routes that
 * match a request, the first not used yet answers; when all were used, the
 * last of them answers again: so "429, then 200" is two blocks.  No route:
 * 404 {"error":"no route"}.
 *
 * -s N synthesizes a Mastodon instance with N mention notifications (ids
 * 1..N, statuses 100000+i) paged by min_id with Link headers, for
 * bench/social; routes are still consulted first.
 *
 * LOGFILE: one line per request, "METHOD TARGET key=value ...", with auth
 * (the Authorization header), ua, ae (Accept-Encoding), inm
 * (If-None-Match), ims (If-Modified-Since) and body when present. */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CLIENTS		64
#define REQ_MAX		(1u << 20)
#define HEADERS_MAX	16
#define PARAMS_MAX	16

struct route {
	char	*method, *path;
	char	*params[PARAMS_MAX];	/* "k=v", "k=*", "!k" */
	size_t	 params_count;
	char	*auth;
	int	 status;
	char	*headers[HEADERS_MAX];
	size_t	 headers_count;
	char	*body;			/* file contents or inline text */
	size_t	 body_len;
	long	 fill;			/* -1: none */
	long	 truncate;		/* -1: none */
	char	*hold;			/* answer once this file exists */
	int	 used;
};

struct client {
	int	 fd;
	char	*buf;
	size_t	 len;
};

static struct route *routes;
static size_t routes_count;
static char base[64];
static FILE *reqlog;
static long synth_count;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "replay-http: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static char *
xstrdup(const char *s)
{
	char *c = strdup(s);

	if (c == NULL)
		die("out of memory");
	return c;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n;

	if (f == NULL)
		die("cannot open '%s': %s", path, strerror(errno));
	*len = 0;
	for (;;) {
		if (*len + 65536 > cap) {
			cap = cap * 2 + 65536;
			if ((b = realloc(b, cap + 1)) == NULL)
				die("out of memory");
		}
		if ((n = fread(b + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	b[*len] = '\0';
	return b;
}

static void
load_routes(const char *path)
{
	char dir[4096], file[8192], *line = NULL, *p, *tok, *save;
	size_t cap = 0, rcap = 0;
	struct route *r = NULL;
	FILE *f;
	ssize_t n;

	(void)snprintf(dir, sizeof(dir), "%s", path);
	if ((p = strrchr(dir, '/')) != NULL)
		*p = '\0';
	else
		(void)snprintf(dir, sizeof(dir), ".");
	if ((f = fopen(path, "r")) == NULL)
		die("cannot open '%s': %s", path, strerror(errno));
	while ((n = getline(&line, &cap, f)) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '#' || *p == '\0')
			continue;
		if (r == NULL) {
			if (routes_count == rcap) {
				rcap = rcap * 2 + 16;
				if ((routes = realloc(routes, rcap * sizeof(*routes))) == NULL)
					die("out of memory");
			}
			r = &routes[routes_count++];
			memset(r, 0, sizeof(*r));
			r->status = 200;
			r->fill = r->truncate = -1;
			r->method = xstrdup(strtok_r(p, " \t", &save));
			if ((tok = strtok_r(NULL, " \t", &save)) == NULL)
				die("%s: a route without a path", path);
			r->path = xstrdup(tok);
			while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
				if (strncmp(tok, "auth=", 5) == 0)
					r->auth = xstrdup(tok + 5);
				else if (r->params_count < PARAMS_MAX)
					r->params[r->params_count++] = xstrdup(tok);
			}
			continue;
		}
		if (strcmp(p, "end") == 0)
			r = NULL;
		else if (strncmp(p, "status ", 7) == 0)
			r->status = atoi(p + 7);
		else if (strncmp(p, "header ", 7) == 0 && r->headers_count < HEADERS_MAX)
			r->headers[r->headers_count++] = xstrdup(p + 7);
		else if (strncmp(p, "body ", 5) == 0) {
			if (p[5] == '/')
				(void)snprintf(file, sizeof(file), "%s", p + 5);
			else
				(void)snprintf(file, sizeof(file), "%s/%s", dir, p + 5);
			r->body = read_file(file, &r->body_len);
		} else if (strncmp(p, "hold ", 5) == 0) {
			if (p[5] == '/')
				(void)snprintf(file, sizeof(file), "%s", p + 5);
			else
				(void)snprintf(file, sizeof(file), "%s/%s", dir, p + 5);
			r->hold = xstrdup(file);
		} else if (strncmp(p, "text ", 5) == 0) {
			r->body = xstrdup(p + 5);
			r->body_len = strlen(r->body);
		} else if (strncmp(p, "fill ", 5) == 0)
			r->fill = atol(p + 5);
		else if (strncmp(p, "truncate ", 9) == 0)
			r->truncate = atol(p + 9);
		else
			die("%s: unknown line '%s'", path, p);
	}
	free(line);
	fclose(f);
}

/* ---- requests -------------------------------------------------------- */

static void
url_decode(char *s)
{
	char *o = s, hex[3] = { 0, 0, 0 };

	for (; *s != '\0'; s++) {
		if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			hex[0] = s[1];
			hex[1] = s[2];
			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else if (*s == '+')
			*o++ = ' ';
		else
			*o++ = *s;
	}
	*o = '\0';
}

/* The decoded value of the nth (from 0) query parameter key, or NULL. */
static const char *
param_nth(const char *query, const char *key, size_t nth, char *out, size_t len)
{
	const char *p = query, *amp, *eq;
	char k[256];
	size_t n;

	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		n = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', n);
		(void)snprintf(k, sizeof(k), "%.*s", (int)(eq != NULL ? (size_t)(eq - p) : n), p);
		url_decode(k);
		if (strcmp(k, key) == 0 && nth-- == 0) {
			(void)snprintf(out, len, "%.*s", eq != NULL ? (int)(n - (size_t)(eq + 1 - p)) : 0,
			    eq != NULL ? eq + 1 : "");
			url_decode(out);
			return out;
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
	return NULL;
}

/* The decoded value of query parameter key (its first), or NULL. */
static const char *
param(const char *query, const char *key, char *out, size_t len)
{
	return param_nth(query, key, 0, out, len);
}

static const char *
header(const char *head, const char *name, char *out, size_t len)
{
	const char *p = head;
	size_t n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			(void)snprintf(out, len, "%.*s", (int)strcspn(p, "\r\n"), p);
			return out;
		}
	}
	return NULL;
}

static int
matches(const struct route *r, const char *method, const char *path, const char *query,
    const char *auth)
{
	char v[4096], k[256];
	const char *eq;
	size_t i, n;

	if (strcmp(r->method, method) != 0 || strcmp(r->path, path) != 0)
		return 0;
	if (r->auth != NULL && (auth == NULL || strstr(auth, r->auth) == NULL))
		return 0;
	for (i = 0; i < r->params_count; i++) {
		const char *pm = r->params[i];

		if (pm[0] == '!') {
			if (param(query, pm + 1, v, sizeof(v)) != NULL)
				return 0;
			continue;
		}
		if ((eq = strchr(pm, '=')) == NULL)
			continue;
		(void)snprintf(k, sizeof(k), "%.*s", (int)(eq - pm), pm);
		/* A repeated key (getProfiles' actors) matches by any of its values. */
		for (n = 0; param_nth(query, k, n, v, sizeof(v)) != NULL; n++)
			if (strcmp(eq + 1, "*") == 0 || strcmp(eq + 1, v) == 0)
				break;
		if (param_nth(query, k, n, v, sizeof(v)) == NULL)
			return 0;
	}
	return 1;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* s with @BASE@ replaced; caller frees. */
static char *
subst(const char *s, size_t len, size_t *outlen)
{
	size_t bl = strlen(base), cap = len + 1, o = 0, i;
	char *out;

	for (i = 0; i + 6 <= len; i++)
		if (memcmp(s + i, "@BASE@", 6) == 0)
			cap += bl;
	if ((out = malloc(cap)) == NULL)
		die("out of memory");
	for (i = 0; i < len; ) {
		if (i + 6 <= len && memcmp(s + i, "@BASE@", 6) == 0) {
			memcpy(out + o, base, bl);
			o += bl;
			i += 6;
		} else
			out[o++] = s[i++];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Whatever";
	}
}

/* Sends status, extra headers and body; 0 keep the connection, -1 close. */
static int
respond(int fd, int status, char *const *headers, size_t nheaders, const char *body,
    size_t len, long truncate)
{
	char head[16384];
	size_t o, i, hl;
	char *h;
	int ret;

	o = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n",
	    status, reason(status), len);
	for (i = 0; i < nheaders && o < sizeof(head); i++) {
		h = subst(headers[i], strlen(headers[i]), &hl);
		o += (size_t)snprintf(head + o, sizeof(head) - o, "%s\r\n", h);
		free(h);
	}
	if (o < sizeof(head))
		o += (size_t)snprintf(head + o, sizeof(head) - o, "%s\r\n",
		    truncate >= 0 ? "Connection: close\r\n" : "");
	if (o >= sizeof(head))
		die("response head too long");
	if (write_all(fd, head, o) == -1)
		return -1;
	if (truncate >= 0 && (size_t)truncate < len)
		len = (size_t)truncate;
	ret = write_all(fd, body, len);
	return truncate >= 0 ? -1 : ret;
}

/* ---- the synthetic Mastodon (-s N) ----------------------------------- */

static int
synth_status(char *out, size_t len, long i)
{
	static const char *const words[] = { "app", "crashes", "again", "love", "the",
		"new", "update", "refund", "please", "login", "broken", "thanks", "slow",
		"checkout", "fails", "great", "support" };
	char text[512];
	size_t o = 0;
	int k;

	for (k = 0; k < 12; k++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, " %s",
		    words[(size_t)(i * 7 + k * 3 + i / 5) % (sizeof(words) / sizeof(words[0]))]);
	return snprintf(out, len,
	    "{\"id\":\"%ld\",\"created_at\":\"2026-11-%02ldT%02ld:%02ld:00.000Z\","
	    "\"in_reply_to_id\":null,\"in_reply_to_account_id\":null,\"sensitive\":false,"
	    "\"spoiler_text\":\"\",\"visibility\":\"%s\",\"language\":\"en\","
	    "\"uri\":\"https://remote.example/users/u%ld/statuses/%ld\","
	    "\"url\":\"https://remote.example/@u%ld/%ld\",\"replies_count\":0,"
	    "\"reblogs_count\":0,\"favourites_count\":0,\"edited_at\":null,"
	    "\"content\":\"<p><span class=\\\"h-card\\\"><a href=\\\"https://social.example/@brand\\\" "
	    "class=\\\"u-url mention\\\">@<span>brand</span></a></span> status %ld:%s</p>\","
	    "\"reblog\":null,\"account\":{\"id\":\"%ld\",\"username\":\"u%ld\","
	    "\"acct\":\"u%ld@remote.example\",\"display_name\":\"User %ld\","
	    "\"followers_count\":%ld,\"following_count\":10,\"statuses_count\":100,"
	    "\"url\":\"https://remote.example/@u%ld\"},\"media_attachments\":[],"
	    "\"mentions\":[{\"id\":\"1\",\"username\":\"brand\",\"acct\":\"brand\","
	    "\"url\":\"https://social.example/@brand\"}],\"tags\":[],\"emojis\":[]}",
	    100000 + i, 1 + i % 28, i % 24, i % 60, i % 3 == 0 ? "direct" : "public",
	    i % 500, 100000 + i, i % 500, 100000 + i, i, text, 1000 + i % 500, i % 500,
	    i % 500, i % 500, (i * 37) % 5000, i % 500);
}

static int
synth(int fd, const char *method, const char *path, const char *query)
{
	static char *buf;
	static size_t cap;
	char v[64], link[512], *hdr[1];
	long min = 0, limit = 40, i, hi;
	size_t o = 0;

	if (synth_count <= 0 || strcmp(method, "GET") != 0)
		return 1;
	if (cap == 0) {
		cap = 1u << 20;
		if ((buf = malloc(cap)) == NULL)
			die("out of memory");
	}
	if (strcmp(path, "/api/v1/accounts/verify_credentials") == 0) {
		o = (size_t)snprintf(buf, cap, "{\"id\":\"1\",\"username\":\"brand\","
		    "\"acct\":\"brand\",\"display_name\":\"Brand\",\"followers_count\":9000}");
		return respond(fd, 200, NULL, 0, buf, o, -1);
	}
	if (strcmp(path, "/api/v1/accounts/1/statuses") == 0)
		return respond(fd, 200, NULL, 0, "[]", 2, -1);
	if (strcmp(path, "/api/v1/notifications") != 0)
		return 1;
	if (param(query, "min_id", v, sizeof(v)) != NULL)
		min = atol(v);
	if (param(query, "limit", v, sizeof(v)) != NULL)
		limit = atol(v);
	hi = min + limit < synth_count ? min + limit : synth_count;
	buf[o++] = '[';
	for (i = hi; i > min; i--) {
		if (o + 4096 > cap)
			die("synthetic page too big");
		o += (size_t)snprintf(buf + o, cap - o, "%s{\"id\":\"%ld\",\"type\":\"mention\","
		    "\"created_at\":\"2026-11-20T10:00:00.000Z\",\"account\":{\"id\":\"%ld\"},"
		    "\"status\":", i == hi ? "" : ",", i, 1000 + i % 500);
		o += (size_t)synth_status(buf + o, cap - o, i);
		buf[o++] = '}';
	}
	buf[o++] = ']';
	if (hi > min) {
		(void)snprintf(link, sizeof(link), "Link: <%s/api/v1/notifications?limit=%ld&"
		    "max_id=%ld>; rel=\"next\", <%s/api/v1/notifications?limit=%ld&min_id=%ld>; "
		    "rel=\"prev\"", base, limit, min + 1, base, limit, hi);
		hdr[0] = link;
		return respond(fd, 200, hdr, 1, buf, o, -1);
	}
	return respond(fd, 200, NULL, 0, buf, o, -1);
}

/* ---- serving --------------------------------------------------------- */

/* Handles one complete request in c; 0 keep, -1 close. */
static int
serve(struct client *c, size_t head_len, size_t body_len)
{
	char *head = c->buf, method[16], target[8192], path[8192], *q, auth[4096], v[4096];
	char *body = NULL, *fillbuf = NULL;
	struct route *r, *last = NULL;
	size_t i, len;
	int ret;

	head[head_len - 2] = '\0';	/* ends the headers after their last CRLF */
	if (sscanf(head, "%15s %8191s", method, target) != 2)
		return -1;
	(void)snprintf(path, sizeof(path), "%s", target);
	q = strchr(path, '?');
	if (q != NULL)
		*q++ = '\0';
	fprintf(reqlog, "%s %s", method, target);
	if (header(head, "Authorization", auth, sizeof(auth)) != NULL)
		fprintf(reqlog, " auth=\"%s\"", auth);
	if (header(head, "User-Agent", v, sizeof(v)) != NULL)
		fprintf(reqlog, " ua=\"%s\"", v);
	if (header(head, "Accept-Encoding", v, sizeof(v)) != NULL)
		fprintf(reqlog, " ae=\"%s\"", v);
	if (header(head, "If-None-Match", v, sizeof(v)) != NULL)
		fprintf(reqlog, " inm=%s", v);
	if (header(head, "If-Modified-Since", v, sizeof(v)) != NULL)
		fprintf(reqlog, " ims=\"%s\"", v);
	if (body_len > 0)
		fprintf(reqlog, " body=%.*s", (int)body_len, c->buf + head_len);
	fputc('\n', reqlog);
	fflush(reqlog);
	for (i = 0; i < routes_count; i++) {
		r = &routes[i];
		if (!matches(r, method, path, q != NULL ? q : "",
		    header(head, "Authorization", auth, sizeof(auth))))
			continue;
		last = r;
		if (!r->used)
			break;
	}
	if (last == NULL) {
		if ((ret = synth(c->fd, method, path, q != NULL ? q : "")) != 1)
			return ret;
		fprintf(reqlog, "UNMATCHED %s %s\n", method, target);
		fflush(reqlog);
		return respond(c->fd, 404, NULL, 0, "{\"error\":\"no route\"}", 20, -1);
	}
	last->used = 1;
	/* The whole server waits: a test holds a request only to look at the
	 * client's state while it waits, and the client sends nothing else
	 * meanwhile.  Bounded, so a test that forgets cannot hang make check. */
	for (i = 0; last->hold != NULL && access(last->hold, F_OK) != 0 && i < 6000; i++)
		(void)usleep(10000);
	if (last->fill >= 0) {
		if ((fillbuf = malloc((size_t)last->fill + 1)) == NULL)
			die("out of memory");
		memset(fillbuf, ' ', (size_t)last->fill);
		if (last->fill >= 2) {
			fillbuf[0] = '[';
			fillbuf[last->fill - 1] = ']';
		}
		ret = respond(c->fd, last->status, last->headers, last->headers_count, fillbuf,
		    (size_t)last->fill, last->truncate);
		free(fillbuf);
		return ret;
	}
	body = subst(last->body != NULL ? last->body : "", last->body != NULL ?
	    last->body_len : 0, &len);
	ret = respond(c->fd, last->status, last->headers, last->headers_count, body, len,
	    last->truncate);
	free(body);
	return ret;
}

/* Reads what is there; serves every complete request.  -1: close. */
static int
on_readable(struct client *c)
{
	char *end, v[64];
	size_t head_len, body_len;
	ssize_t n;
	int r;

	if (c->len == REQ_MAX)
		return -1;
	if ((n = read(c->fd, c->buf + c->len, REQ_MAX - c->len)) <= 0)
		return -1;
	c->len += (size_t)n;
	for (;;) {
		c->buf[c->len] = '\0';
		if ((end = strstr(c->buf, "\r\n\r\n")) == NULL)
			return 0;
		head_len = (size_t)(end - c->buf) + 4;
		body_len = 0;
		c->buf[head_len - 1] = '\0';
		if (header(c->buf, "Content-Length", v, sizeof(v)) != NULL)
			body_len = (size_t)atol(v);
		if (header(c->buf, "Expect", v, sizeof(v)) != NULL && c->len == head_len &&
		    write_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) == -1)
			return -1;
		c->buf[head_len - 1] = '\n';
		if (c->len < head_len + body_len)
			return 0;
		r = serve(c, head_len, body_len);
		memmove(c->buf, c->buf + head_len + body_len, c->len - head_len - body_len);
		c->len -= head_len + body_len;
		if (r == -1)
			return -1;
	}
}

int
main(int argc, char **argv)
{
	struct client clients[CLIENTS];
	struct pollfd pfd[CLIENTS + 1];
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	FILE *pf;
	int ls, one = 1, opt, i, n, fd;

	while ((opt = getopt(argc, argv, "s:")) != -1) {
		if (opt == 's')
			synth_count = atol(optarg);
		else
			die("usage: replay-http [-s N] ROUTES PORTFILE LOGFILE");
	}
	if (argc - optind != 3)
		die("usage: replay-http [-s N] ROUTES PORTFILE LOGFILE");
	(void)signal(SIGPIPE, SIG_IGN);
	load_routes(argv[optind]);
	if ((reqlog = fopen(argv[optind + 2], "a")) == NULL)
		die("cannot open '%s': %s", argv[optind + 2], strerror(errno));
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	(void)setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sin, sizeof(sin)) == -1 || listen(ls, 64) == -1 ||
	    getsockname(ls, (struct sockaddr *)&sin, &sl) == -1)
		die("cannot listen: %s", strerror(errno));
	(void)snprintf(base, sizeof(base), "http://127.0.0.1:%d", ntohs(sin.sin_port));
	for (i = 0; i < CLIENTS; i++)
		clients[i].fd = -1;
	if ((pf = fopen(argv[optind + 1], "w")) == NULL)
		die("cannot open '%s': %s", argv[optind + 1], strerror(errno));
	fprintf(pf, "%d\n", ntohs(sin.sin_port));
	fclose(pf);
	for (;;) {
		pfd[0].fd = ls;
		pfd[0].events = POLLIN;
		for (i = 0; i < CLIENTS; i++) {
			pfd[i + 1].fd = clients[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if ((n = poll(pfd, CLIENTS + 1, -1)) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pfd[0].revents & POLLIN) {
			if ((fd = accept(ls, NULL, NULL)) != -1) {
				for (i = 0; i < CLIENTS && clients[i].fd != -1; i++)
					;
				if (i == CLIENTS)
					close(fd);
				else {
					/* Head and body go in two writes: without this,
					 * Nagle and delayed ACKs cost 40 ms a response. */
					(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
					    sizeof(one));
					clients[i].fd = fd;
					clients[i].len = 0;
					if ((clients[i].buf = malloc(REQ_MAX + 1)) == NULL)
						die("out of memory");
				}
			}
		}
		for (i = 0; i < CLIENTS; i++) {
			if (clients[i].fd == -1 || !(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (on_readable(&clients[i]) == -1) {
				close(clients[i].fd);
				clients[i].fd = -1;
				free(clients[i].buf);
			}
		}
	}
}
