/* bluesky.c -- the Bluesky connector; see bluesky.h for its session,
 * sources, cursors and message ids. */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/model.h"
#include "common/util.h"
#include "connectors/bluesky.h"
#include "connectors/connector.h"
#include "connectors/http.h"
#include "connectors/social.h"
#include "intake/intake.h"
#include "intake/message.h"
#include "rules/conf.h"
#include "store/store.h"

#define XRPC	"/xrpc/"

enum source_kind { SRC_NOTIFICATIONS, SRC_OWN, SRC_SEARCH };

struct profile {
	char		*did;
	long		 followers;
	time_t		 fetched;
};

struct bsky {
	const struct conf_channel *ch;
	struct http	*http;
	struct intake	*in;		/* during a poll */
	char		*access, *refresh;	/* the session's tokens; NULL: none */
	char		 did[256];	/* the brand's, from the session */
	char		 handle[256];
	struct profile	*profiles;	/* followers kept across polls: BLUESKY_PROFILES
					 * slots, an author in one of BLUESKY_PROFILE_WAYS */
	struct buf	 text;		/* scratch: one post's text */
	json_t		*quotes;	/* during a walk's intake: quoted post's uri ->
					 * PostView or {"notFound": true}, fetched before */
	json_t		*reaches;	/* during a walk's intake: author's DID ->
					 * followers, or null when unknown */
};

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* "bluesky.DID.RKEY" for at://DID/app.bsky.feed.post/RKEY. */
static void
uri_mid(const char *uri, char *out, size_t len)
{
	const char *did, *slash, *rkey;

	if (strncmp(uri, "at://", 5) == 0 && (slash = strchr(did = uri + 5, '/')) != NULL &&
	    (rkey = strrchr(slash, '/')) != NULL && rkey[1] != '\0')
		(void)snprintf(out, len, "bluesky.%.*s.%s", (int)(slash - did), did, rkey + 1);
	else
		(void)snprintf(out, len, "bluesky.%s", uri);
}

/* The DID of at://DID/COLLECTION/RKEY into out; "" when uri is not one. */
static void
uri_did(const char *uri, char *out, size_t len)
{
	const char *did, *slash;

	if (uri != NULL && strncmp(uri, "at://", 5) == 0 &&
	    (slash = strchr(did = uri + 5, '/')) != NULL)
		(void)snprintf(out, len, "%.*s", (int)(slash - did), did);
	else if (len > 0)
		out[0] = '\0';
}

/* An author's handle, lowercased, into out; "" when the AppView could not
 * verify it ("handle.invalid") or gave none: the DID is who they are. */
static void
author_handle(json_t *author, char *out, size_t len)
{
	const char *h = social_str(author, "handle");

	(void)snprintf(out, len, "%s", h != NULL && strcmp(h, "handle.invalid") != 0 ? h : "");
	ascii_lower(out);
}

/* ---- session --------------------------------------------------------- */

/* Appends s as a JSON string, quotes included, at out + *o; out has room
 * for 6 bytes per byte of s plus 3. */
static void
json_quote(char *out, size_t *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;

	out[(*o)++] = '"';
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[(*o)++] = '\\';
			out[(*o)++] = (char)c;
		} else if (c < 0x20) {
			memcpy(out + *o, "\\u00", 4);
			*o += 4;
			out[(*o)++] = hex[c >> 4];
			out[(*o)++] = hex[c & 15];
		} else
			out[(*o)++] = (char)c;
	}
	out[(*o)++] = '"';
	out[*o] = '\0';
}

static int
session_take(struct bsky *bs, struct http_response *resp, const char *what, struct err *e)
{
	json_t *j;
	const char *a, *r, *did, *handle;
	int ret = 0;

	if ((j = social_json(what, resp, JSON_OBJECT, e)) == NULL)
		return -1;
	a = social_str(j, "accessJwt");
	r = social_str(j, "refreshJwt");
	did = social_str(j, "did");
	handle = social_str(j, "handle");
	if (a == NULL || r == NULL || did == NULL)
		ret = err_set(e, ERR_DATA, "%s: no accessJwt, refreshJwt or did", what);
	else {
		wipe_free(bs->access);
		wipe_free(bs->refresh);
		bs->access = strdup(a);
		bs->refresh = strdup(r);
		(void)esc_strlcpy(bs->did, did, sizeof(bs->did));
		(void)esc_strlcpy(bs->handle, handle != NULL ? handle : bs->ch->handle,
		    sizeof(bs->handle));
		ascii_lower(bs->handle);
		if (bs->access == NULL || bs->refresh == NULL)
			ret = err_set(e, ERR_NOMEM, "out of memory");
	}
	/* The tokens' bytes in the response and the JSON tree: wiped below
	 * and by the caller. */
	json_decref(j);
	return ret;
}

static int
session_create(struct bsky *bs, struct err *e)
{
	static const char what[] = "POST " XRPC "com.atproto.server.createSession";
	struct http_request req = { .method = "POST" };
	struct http_response resp;
	char pw[SOCIAL_SECRET_MAX], *url = NULL, *body = NULL;
	size_t cap = 0, o = 0;
	int ret = -1;

	http_response_init(&resp);
	if (secret_read(bs->ch->app_password_file, pw, sizeof(pw), e) == -1)
		goto out;
	/* Written by hand into one buffer sized for the worst case, not
	 * with jansson, so the only copies of the password are ours to wipe. */
	cap = 6 * (strlen(pw) + strlen(bs->ch->handle)) + 64;
	if ((body = malloc(cap)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(body, "{\"identifier\":", 14);
	o = 14;
	json_quote(body, &o, bs->ch->handle);
	memcpy(body + o, ",\"password\":", 12);
	o += 12;
	json_quote(body, &o, pw);
	body[o++] = '}';
	body[o] = '\0';
	if ((url = http_url(bs->http, XRPC "com.atproto.server.createSession", NULL)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	req.url = url;
	req.body = body;
	if (http_request(bs->http, &req, &resp, e) == -1)
		goto out;
	if (resp.status != 200) {
		(void)http_fail(bs->http, what, &resp, e);
		if (resp.status == 400 || resp.status == 401)
			e->code = ERR_CONFIG;	/* a wrong handle or app password */
		goto out;
	}
	if (session_take(bs, &resp, what, e) == -1)
		goto out;
	log_info("channel=%s host=%s event=session handle=%s did=%s", bs->ch->name,
	    http_host(bs->http), bs->handle, bs->did);
	ret = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	if (body != NULL) {
		explicit_bzero(body, cap);
		free(body);
	}
	if (resp.body.buf != NULL)
		explicit_bzero(resp.body.buf, resp.body.len);
	free(url);
	http_response_release(&resp);
	return ret;
}

/* Renews the access token; a refresh token that expired too means a new
 * session.  0 or -1. */
static int
session_refresh(struct bsky *bs, struct err *e)
{
	static const char what[] = "POST " XRPC "com.atproto.server.refreshSession";
	struct http_request req = { .method = "POST", .bearer = bs->refresh };
	struct http_response resp;
	char *url;
	int ret = -1;

	if (bs->refresh == NULL)
		return session_create(bs, e);
	http_response_init(&resp);
	if ((url = http_url(bs->http, XRPC "com.atproto.server.refreshSession", NULL)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	req.url = url;
	if (http_request(bs->http, &req, &resp, e) == 0) {
		if (resp.status == 200)
			ret = session_take(bs, &resp, what, e);
		else if (resp.status == 400 || resp.status == 401) {
			log_info("channel=%s host=%s event=refresh-refused status=%ld",
			    bs->ch->name, http_host(bs->http), resp.status);
			ret = session_create(bs, e);
		} else
			ret = http_fail(bs->http, what, &resp, e);
	}
	if (ret == 0)
		log_info("channel=%s host=%s event=session-refreshed", bs->ch->name,
		    http_host(bs->http));
	if (resp.body.buf != NULL)
		explicit_bzero(resp.body.buf, resp.body.len);
	free(url);
	http_response_release(&resp);
	return ret;
}

/* An answer that says the access token is no longer good. */
static int
token_expired(const struct http_response *resp)
{
	json_t *j;
	const char *err;
	int r = 0;

	if (resp->status != 400 && resp->status != 401)
		return 0;
	if ((j = json_loadb(resp->body.buf ? resp->body.buf : "", resp->body.len, 0, NULL)) == NULL)
		return resp->status == 401;
	err = social_str(j, "error");
	r = err != NULL && (strcmp(err, "ExpiredToken") == 0 || strcmp(err, "InvalidToken") == 0);
	json_decref(j);
	return r;
}

/* GET an XRPC url with the session, renewing it once when it expired;
 * 0 with a 200 response, else -1. */
static int
xrpc_get(struct bsky *bs, const char *url, const char *what, struct http_response *resp,
    struct err *e)
{
	struct http_request req = { .url = url };
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (bs->access == NULL && session_create(bs, e) == -1)
			return -1;
		req.bearer = bs->access;
		if (http_request(bs->http, &req, resp, e) == -1)
			return -1;
		if (resp->status == 200)
			return 0;
		if (tries > 0 || !token_expired(resp))
			break;
		log_info("channel=%s host=%s event=session-expired", bs->ch->name,
		    http_host(bs->http));
		if (session_refresh(bs, e) == -1)
			return -1;
	}
	return http_fail(bs->http, what, resp, e);
}

/* ---- reach ----------------------------------------------------------- */

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The cache's slot of did, or NULL; with evict, else the slot did may
 * take: a free one of its BLUESKY_PROFILE_WAYS, or the one fetched
 * longest ago (its DID freed).  Each author lives in a few slots rather
 * than the whole table starting over when it is full: a cache that
 * forgets everything at once would ask again for every author it knew,
 * and a busy brand's next poll would be a burst of requests. */
static struct profile *
profile_slot(struct bsky *bs, const char *did, int evict)
{
	struct profile *p, *victim = NULL;
	size_t home, w;

	if (bs->profiles == NULL &&
	    (bs->profiles = calloc(BLUESKY_PROFILES, sizeof(*bs->profiles))) == NULL)
		return NULL;
	home = hash(did) % BLUESKY_PROFILES;
	for (w = 0; w < BLUESKY_PROFILE_WAYS; w++) {
		p = &bs->profiles[(home + w) % BLUESKY_PROFILES];
		if (p->did != NULL && strcmp(p->did, did) == 0)
			return p;
		if (victim == NULL || (victim->did != NULL &&
		    (p->did == NULL || p->fetched < victim->fetched)))
			victim = p;
	}
	if (!evict)
		return NULL;
	free(victim->did);
	victim->did = NULL;
	return victim;
}

/* The followers of did kept from an earlier walk (-1: none, or too old). */
static long
profile_cached(struct bsky *bs, const char *did)
{
	struct profile *p = profile_slot(bs, did, 0);

	return p != NULL && p->fetched + BLUESKY_PROFILE_TTL > bs->in->now ? p->followers : -1;
}

/* Keeps the followers of did.  Out of memory it is not kept, which costs
 * a request later, not a reach now. */
static void
profile_keep(struct bsky *bs, const char *did, long followers)
{
	struct profile *p = profile_slot(bs, did, 1);

	if (p == NULL || (p->did == NULL && (p->did = strdup(did)) == NULL))
		return;
	p->followers = followers;
	p->fetched = bs->in->now;
}

/* The followers of a walk's author (-1 unknown), as reaches_fetch left
 * them in bs->reaches. */
static long
reach_of(struct bsky *bs, const char *did)
{
	json_t *v = json_object_get(bs->reaches, did);

	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

/* ---- posts ----------------------------------------------------------- */

/* What an embed shows besides the text, after bs->text: alt texts of
 * images and videos ("[image]" without one), an external card's title and
 * link (unless the text has it); of a quote with media, the media.  The
 * quoted record itself is a post of its own. */
static int
embed_text(struct bsky *bs, json_t *embed, struct err *e)
{
	const char *type = social_str(embed, "$type"), *alt, *uri, *title;
	json_t *list, *im, *ext;
	size_t i;

	if (type == NULL)
		return 0;
	if (strcmp(type, "app.bsky.embed.recordWithMedia") == 0)
		return embed_text(bs, json_object_get(embed, "media"), e);
	/* images: images[]; gallery: items[] */
	if ((list = json_object_get(embed, "images")) == NULL)
		list = json_object_get(embed, "items");
	json_array_foreach(list, i, im) {
		if ((alt = social_str(im, "alt")) == NULL || *alt == '\0')
			alt = "image";
		if (buf_printf(&bs->text, e, "\n[%s]", alt) == -1)
			return -1;
	}
	if (strcmp(type, "app.bsky.embed.video") == 0) {
		if ((alt = social_str(embed, "alt")) == NULL || *alt == '\0')
			alt = "video";
		if (buf_printf(&bs->text, e, "\n[%s]", alt) == -1)
			return -1;
	}
	ext = json_object_get(embed, "external");
	if ((uri = social_str(ext, "uri")) != NULL &&
	    (bs->text.buf == NULL || strstr(bs->text.buf, uri) == NULL)) {	/* not shown yet */
		if ((title = social_str(ext, "title")) == NULL || *title == '\0')
			title = "link";
		if (buf_printf(&bs->text, e, "\n[%s <%s>]", title, uri) == -1)
			return -1;
	}
	return 0;
}

/* The link uri of facet f, when it has one; NULL otherwise. */
static const char *
facet_link(json_t *f)
{
	json_t *ft;
	const char *type;
	size_t k;

	json_array_foreach(json_object_get(f, "features"), k, ft)
		if ((type = social_str(ft, "$type")) != NULL &&
		    strcmp(type, "app.bsky.richtext.facet#link") == 0)
			return social_str(ft, "uri");
	return NULL;
}

/* Is text[start, end) what clients show of uri: the URI itself, or a
 * piece of it ("example.com/pa..." or "...\u2026")? */
static int
facet_shows(const char *text, long start, long end, const char *uri)
{
	char shown[1024];
	size_t n = (size_t)(end - start);

	if (n == 0 || n >= sizeof(shown))
		return 0;
	memcpy(shown, text + start, n);
	shown[n] = '\0';
	if (n > 3 && strcmp(shown + n - 3, "...") == 0)
		shown[n -= 3] = '\0';
	else if (n > 3 && strcmp(shown + n - 3, "\xe2\x80\xa6") == 0)	/* U+2026 */
		shown[n -= 3] = '\0';
	return n > 0 && strstr(uri, shown) != NULL;
}

/* A post record's text as people read it, into bs->text.  Clients shorten
 * links in the text ("example.com/pa...") and keep the whole URI in a
 * link facet (byte offsets into the UTF-8 text): the URI goes after the
 * shortened text, "example.com/pa... <https://example.com/path>", as
 * intake/html.c writes links.  A facet whose bytes do not show its link
 * (out of order, off the text: clients that count UTF-16 units) leaves
 * the text alone, and its URI goes on a line of its own after it.  Then
 * what the embed shows. */
static int
post_text(struct bsky *bs, json_t *rec, struct err *e)
{
	const char *text = social_str(rec, "text"), *uri;
	json_t *facets = json_object_get(rec, "facets"), *f, *idx;
	size_t len, at = 0, i;
	long start, end;

	if (text == NULL)
		text = "";
	len = strlen(text);
	buf_reset(&bs->text);
	json_array_foreach(facets, i, f) {
		idx = json_object_get(f, "index");
		start = social_long(idx, "byteStart", -1);
		end = social_long(idx, "byteEnd", -1);
		if ((uri = facet_link(f)) == NULL || start < (long)at || end < start ||
		    (size_t)end > len || !facet_shows(text, start, end, uri))
			continue;
		if (strlen(uri) == (size_t)(end - start) &&
		    memcmp(text + start, uri, strlen(uri)) == 0)
			continue;		/* shown whole */
		if (buf_add(&bs->text, text + at, (size_t)end - at, e) == -1 ||
		    buf_printf(&bs->text, e, " <%s>", uri) == -1)
			return -1;
		at = (size_t)end;
	}
	if (buf_add(&bs->text, text + at, len - at, e) == -1)
		return -1;
	json_array_foreach(facets, i, f)
		if ((uri = facet_link(f)) != NULL && *uri != '\0' && bs->text.buf != NULL &&
		    strstr(bs->text.buf, uri) == NULL &&
		    buf_printf(&bs->text, e, "\n<%s>", uri) == -1)
			return -1;
	if (embed_text(bs, json_object_get(rec, "embed"), e) == -1)
		return -1;
	return buf_addstr(&bs->text, "", e);	/* NUL-terminated even when empty */
}

/* ---- what a post carries besides its text ---------------------------- */

/* The quoted record's uri of a record's embed (record, recordWithMedia);
 * NULL when it quotes nothing. */
static const char *
quote_uri(json_t *embed)
{
	const char *type = social_str(embed, "$type");
	json_t *r = json_object_get(embed, "record");

	if (type == NULL)
		return NULL;
	if (strcmp(type, "app.bsky.embed.recordWithMedia") == 0)
		r = json_object_get(r, "record");
	else if (strcmp(type, "app.bsky.embed.record") != 0)
		return NULL;
	return social_str(r, "uri");
}

/* The quoted post as the AppView shows it in a PostView's embed (search,
 * author feeds): record#viewRecord, #viewNotFound, #viewBlocked or
 * #viewDetached; NULL when the view has none. */
static json_t *
quote_view(json_t *view)
{
	const char *type = social_str(view, "$type");
	json_t *r = json_object_get(view, "record");

	if (type == NULL)
		return NULL;
	if (strncmp(type, "app.bsky.embed.recordWithMedia", 30) == 0)
		r = json_object_get(r, "record");
	else if (strncmp(type, "app.bsky.embed.record", 21) != 0)
		return NULL;
	return json_is_object(r) ? r : NULL;
}

/* The URL of an XRPC query that takes a list, method?key=v1&key=v2...,
 * for count values into url. */
#define BLUESKY_GETPOSTS	25	/* URIs getPosts takes at once */
#define BLUESKY_GETPROFILES	25	/* actors getProfiles takes at once */
static int
xrpc_list_url(struct bsky *bs, const char *method, const char *key,
    const char *const *values, size_t count, struct buf *url, struct err *e)
{
	char *esc;
	size_t k;

	buf_reset(url);
	if ((esc = http_url(bs->http, method, NULL)) == NULL ||
	    buf_addstr(url, esc, e) == -1) {
		free(esc);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	free(esc);
	for (k = 0; k < count; k++) {
		if ((esc = http_escape(bs->http, values[k])) == NULL ||
		    buf_printf(url, e, "%s%s=%s", k == 0 ? "?" : "&", key, esc) == -1) {
			free(esc);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		free(esc);
	}
	return 0;
}

static json_t	*item_post(int, json_t *);

/* The posts that items (of a walk, not yet taken) quote without showing
 * them (a notification carries the record, not its view) into
 * bs->quotes, by app.bsky.feed.getPosts, before intake opens its write
 * transaction: a request inside it would hold the database's write lock
 * for as long as the AppView takes.  getPosts leaves out what is gone or
 * hidden from us: {"notFound": true}.  A batch that could not be asked is
 * logged and left out (the quote then says so); only running out of
 * memory fails. */
static int
quotes_fetch(struct bsky *bs, int kind, json_t *items, struct err *e)
{
	static const char what[] = "GET " XRPC "app.bsky.feed.getPosts";
	const char *uris[BLUESKY_GETPOSTS], *uri, *u, *type;
	struct buf url = BUF_INIT(64 * 1024);
	struct http_response resp;
	struct err fe;
	json_t *it, *post, *rec, *j, *p, *v;
	size_t i, k, idx, count = 0;
	int ret = 0;

	if ((bs->quotes = json_object()) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	http_response_init(&resp);
	/* Oldest first, as they are taken. */
	for (i = json_array_size(items); i > 0 && ret == 0; i--) {
		it = json_array_get(items, i - 1);
		post = item_post(kind, it);
		rec = json_object_get(post, "record");
		type = social_str(rec, "$type");
		uri = quote_uri(json_object_get(rec, "embed"));
		if (uri != NULL && strstr(uri, "/app.bsky.feed.post/") != NULL &&
		    (type == NULL || strcmp(type, "app.bsky.feed.post") == 0) &&
		    quote_view(json_object_get(post, "embed")) == NULL &&
		    json_object_get(bs->quotes, uri) == NULL) {
			for (k = 0; k < count && strcmp(uris[k], uri) != 0; k++)
				;
			if (k == count)
				uris[count++] = uri;
		}
		if (count < BLUESKY_GETPOSTS && (i > 1 || count == 0))
			continue;
		fe = (struct err)ERR_INIT;
		j = NULL;
		if ((ret = xrpc_list_url(bs, XRPC "app.bsky.feed.getPosts", "uris", uris, count,
		    &url, e)) == 0 &&
		    xrpc_get(bs, url.buf, what, &resp, &fe) == 0 &&
		    (j = social_json(what, &resp, JSON_OBJECT, &fe)) != NULL) {
			for (k = 0; k < count && ret == 0; k++) {
				v = NULL;
				json_array_foreach(json_object_get(j, "posts"), idx, p)
					if ((u = social_str(p, "uri")) != NULL && strcmp(u, uris[k]) == 0 &&
					    v == NULL)
						v = json_incref(p);
				if (v == NULL)
					v = json_pack("{s:b}", "notFound", 1);
				if (v == NULL || json_object_set_new(bs->quotes, uris[k], v) == -1)
					ret = err_set(e, ERR_NOMEM, "out of memory");
			}
		} else if (ret == 0)
			social_log_fail(bs->ch->name, http_host(bs->http), "quote-failed", &fe);
		json_decref(j);
		count = 0;
	}
	buf_release(&url);
	http_response_release(&resp);
	return ret;
}

/* Asks app.bsky.actor.getProfiles for the followers of count authors
 * (at most BLUESKY_GETPROFILES) into bs->reaches and the cache.  The
 * AppView leaves out the actors it cannot resolve (deleted, suspended):
 * their reach stays unknown.  A batch that could not be asked is one log
 * line, and costs its authors' reach; only running out of memory fails. */
static int
profiles_ask(struct bsky *bs, const char *const *dids, size_t count, struct buf *url,
    struct http_response *resp, struct err *e)
{
	static const char what[] = "GET " XRPC "app.bsky.actor.getProfiles";
	struct err fe = ERR_INIT;
	json_t *j = NULL, *list = NULL, *p;
	const char *did;
	size_t idx, k;
	long n;
	int ret = 0;

	/* Rate limited by an earlier batch: every request would fail at once,
	 * each a log line saying the same. */
	if (http_not_before(bs->http) > bs->in->now)
		return 0;
	if (xrpc_list_url(bs, XRPC "app.bsky.actor.getProfiles", "actors", dids, count, url,
	    e) == -1)
		return -1;
	if (xrpc_get(bs, url->buf, what, resp, &fe) == 0 &&
	    (j = social_json(what, resp, JSON_OBJECT, &fe)) != NULL &&
	    !json_is_array(list = json_object_get(j, "profiles")))
		(void)err_set(&fe, ERR_DATA, "%s: no \"profiles\" array in the response", what);
	if (fe.msg[0] != '\0') {
		social_log_fail(bs->ch->name, http_host(bs->http), "profile-failed", &fe);
		json_decref(j);
		return 0;
	}
	json_array_foreach(list, idx, p) {
		did = social_str(p, "did");
		n = social_long(p, "followersCount", -1);
		/* Only the authors asked for: an answer names no one else's reach. */
		for (k = 0; did != NULL && k < count && strcmp(dids[k], did) != 0; k++)
			;
		if (did == NULL || k == count || n < 0)
			continue;
		if (json_object_set_new(bs->reaches, dids[k], json_integer(n)) == -1) {
			ret = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		profile_keep(bs, dids[k], n);
	}
	json_decref(j);
	return ret;
}

/* The followers of the authors of items (of a walk, not yet taken) into
 * bs->reaches, from the cache or by getProfiles, BLUESKY_GETPROFILES
 * authors a request, before intake opens its write transaction, as
 * quotes_fetch does for quotes: a slow answer would otherwise hold the
 * database's write lock, and the daemon's other channels and every
 * command that writes would wait for the AppView.  One request per author
 * would make a busy brand's poll hundreds of requests, against the PDS's
 * limit of 3000 requests per 5 minutes per IP for all endpoints
 * (docs.bsky.app, "Rate Limits", Hosted Account (PDS) Limits: requests
 * go through the service, which proxies them to the AppView).  An author
 * whose profile could not be had is asked once per walk; the posts are
 * stored with reach unknown.  Once the channel is rate limited the rest
 * are not asked.  Only running out of memory fails. */
static int
reaches_fetch(struct bsky *bs, int kind, json_t *items, struct err *e)
{
	const char *dids[BLUESKY_GETPROFILES], *did, *uri;
	struct buf url = BUF_INIT(64 * 1024);
	struct http_response resp;
	json_t *post;
	size_t i, count = 0;
	long n;
	int ret = 0, r;

	if ((bs->reaches = json_object()) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (kind == SRC_OWN)
		return 0;		/* the brand's answers have no reach */
	http_response_init(&resp);
	/* Oldest first, as they are taken. */
	for (i = json_array_size(items); i > 0 && ret == 0; i--) {
		post = item_post(kind, json_array_get(items, i - 1));
		did = social_str(json_object_get(post, "author"), "did");
		if (did == NULL || strcmp(did, bs->did) == 0 ||
		    json_object_get(bs->reaches, did) != NULL)
			continue;
		/* A stored post keeps its reach (an edit changes only its
		 * words): the one at the cursor, listed again by every poll,
		 * costs no request, nor does a poll from cron, whose cache
		 * starts empty. */
		if ((uri = social_str(post, "uri")) != NULL &&
		    (r = store_message_exists(bs->in->store, bs->in->channel_id,
		    uri, NULL, e)) != 0) {
			if (r == -1)
				ret = -1;
			continue;
		}
		n = profile_cached(bs, did);
		if (json_object_set_new(bs->reaches, did, n >= 0 ? json_integer(n) : json_null()) == -1)
			ret = err_set(e, ERR_NOMEM, "out of memory");
		else if (n < 0)
			dids[count++] = did;
		if (ret == 0 && count == BLUESKY_GETPROFILES) {
			ret = profiles_ask(bs, dids, count, &url, &resp, e);
			count = 0;
		}
	}
	if (ret == 0 && count > 0)
		ret = profiles_ask(bs, dids, count, &url, &resp, e);
	buf_release(&url);
	http_response_release(&resp);
	return ret;
}

/* The quoted post after the text, every line "> " so scoring and rules
 * read only what the customer wrote now: "> @handle: its text", or
 * "> [quoted post: blocked]" and the like when the AppView shows none.
 * q: a viewRecord or PostView (its text in value or record). */
static int
quote_text(struct bsky *bs, json_t *rec, json_t *view, struct err *e)
{
	const char *uri = quote_uri(json_object_get(rec, "embed")), *text = NULL;
	const char *state = NULL;
	json_t *q = quote_view(view), *value;
	char who[256], did[256], head[SOCIAL_QUOTE_HEAD_MAX];
	int ret = 0;

	if (uri == NULL)
		return 0;
	uri_did(uri, did, sizeof(did));
	if (strstr(uri, "/app.bsky.feed.post/") == NULL)
		state = "not a post";		/* a feed, a list, a starter pack */
	else if (q == NULL && (q = json_object_get(bs->quotes, uri)) == NULL)
		state = "not fetched";
	else if (json_is_true(json_object_get(q, "notFound")))
		state = "deleted or not found";
	else if (json_is_true(json_object_get(q, "blocked")))
		state = "blocked";
	else if (json_is_true(json_object_get(q, "detached")))
		state = "detached by its author";
	if ((value = json_object_get(q, "value")) == NULL)
		value = json_object_get(q, "record");
	if (state == NULL && (text = social_str(value, "text")) == NULL)
		state = "no text";
	while (bs->text.len > 0 && bs->text.buf[bs->text.len - 1] == '\n')
		bs->text.buf[--bs->text.len] = '\0';
	if (bs->text.len > 0 && buf_addstr(&bs->text, "\n\n", e) == -1)
		ret = -1;
	else if (state != NULL) {
		(void)snprintf(head, sizeof(head), "[quoted post %s: %s]", uri, state);
		ret = social_quote(&bs->text, head, NULL, e);
	} else {
		author_handle(json_object_get(q, "author"), who, sizeof(who));
		(void)snprintf(head, sizeof(head), "@%s:", *who ? who : did);
		ret = social_quote(&bs->text, head, text, e);
	}
	return ret;
}

/* The record's images and video as attachments of m: the blob's MIME type
 * and size from the record, the address from the view where there is one
 * (fullsize, the video's playlist); the blob's CID names it. */
static int
post_media(json_t *rec, json_t *view, struct message *m, struct err *e)
{
	json_t *embed = json_object_get(rec, "embed"), *list, *im, *blob, *vlist;
	const char *type = social_str(embed, "$type"), *url;
	size_t i;

	if (type != NULL && strcmp(type, "app.bsky.embed.recordWithMedia") == 0) {
		embed = json_object_get(embed, "media");
		view = json_object_get(view, "media");
	}
	if ((list = json_object_get(embed, "images")) != NULL) {
		vlist = json_object_get(view, "images");
		json_array_foreach(list, i, im) {
			blob = json_object_get(im, "image");
			url = social_str(json_array_get(vlist, i), "fullsize");
			if (social_attach(m, social_str(json_object_get(blob, "ref"), "$link"),
			    social_str(blob, "mimeType"), "image", social_long(blob, "size", -1),
			    url, e) == -1)
				return -1;
		}
	}
	if ((blob = json_object_get(embed, "video")) != NULL && json_is_object(blob) &&
	    social_attach(m, social_str(json_object_get(blob, "ref"), "$link"),
	    social_str(blob, "mimeType"), "video", social_long(blob, "size", -1),
	    social_str(view, "playlist"), e) == -1)
		return -1;
	return 0;
}

/* Appends ",val" (or "val" first) to list, cut where it is full: o never
 * passes the end, as snprintf's would-be lengths would take it. */
static void
label_add(char *list, size_t len, size_t *o, const char *val)
{
	int n;

	if (*o + 1 >= len)
		return;
	n = snprintf(list + *o, len - *o, "%s%.64s", *o ? "," : "", val);
	if (n > 0)
		*o = (size_t)n < len - *o ? *o + (size_t)n : len - 1;
}

/* Labels on the post (moderation services': porn, !hide, spam...; negated
 * ones left out) and the author's self-labels in the record: a warning on
 * the message and a log line, so the team knows before opening it.  The
 * post is kept either way: a label is an opinion, not a deletion. */
static void
post_labels(struct bsky *bs, json_t *post, json_t *rec, struct message *m, const char *uri)
{
	json_t *l;
	const char *val, *src;
	char list[256], esc[300], esc_uri[300];
	size_t i, o = 0;

	list[0] = '\0';
	json_array_foreach(json_object_get(post, "labels"), i, l) {
		if ((val = social_str(l, "val")) == NULL || json_is_true(json_object_get(l, "neg")))
			continue;
		if ((src = social_str(l, "src")) == NULL)
			src = "?";
		message_warn(m, "labelled '%.64s' by %.128s", val, src);
		label_add(list, sizeof(list), &o, val);
	}
	json_array_foreach(json_object_get(json_object_get(rec, "labels"), "values"), i, l) {
		if ((val = social_str(l, "val")) == NULL)
			continue;
		message_warn(m, "labelled '%.64s' by its author", val);
		label_add(list, sizeof(list), &o, val);
	}
	if (o > 0)
		log_info("channel=%s host=%s event=labelled uri=\"%s\" labels=\"%s\" why=\"kept, "
		    "with a warning\"", bs->ch->name, http_host(bs->http),
		    log_escape(uri, esc_uri, sizeof(esc_uri)), log_escape(list, esc, sizeof(esc)));
}

/* post: a PostView-like object {uri, author, record, indexedAt}.  The
 * author is their DID (handles change, and "handle.invalid" is many
 * people); the name shows the handle: "Dave (@dave.example)". */
static int
take_post(struct bsky *bs, json_t *post, int own, struct err *e)
{
	struct message m;
	json_t *author = json_object_get(post, "author"), *rec = json_object_get(post, "record");
	json_t *reply = json_object_get(rec, "reply");
	const char *uri = social_str(post, "uri"), *did = social_str(author, "did");
	const char *name = social_str(author, "displayName");
	const char *created = social_str(rec, "createdAt"), *type = social_str(rec, "$type");
	const char *root = social_str(json_object_get(reply, "root"), "uri");
	const char *parent = social_str(json_object_get(reply, "parent"), "uri");
	const char **refs;
	char mid[1100], buf[1100], handle[256], *raw = NULL;
	int64_t ticket;
	int r;

	if (uri == NULL || did == NULL || !json_is_object(rec) ||
	    (type != NULL && strcmp(type, "app.bsky.feed.post") != 0)) {
		/* A deleted record (notification.defs#recordDeleted), a view
		 * without author or record: nothing a customer wrote. */
		log_info("channel=%s host=%s event=skip-post uri=\"%s\" why=\"%s\"", bs->ch->name,
		    http_host(bs->http), uri != NULL ? log_escape(uri, buf, sizeof(buf)) : "-",
		    uri == NULL || did == NULL ?
		    "no uri or author" : "not a post record");
		return 0;
	}
	if (own) {
		if (parent == NULL)
			return 0;		/* not an answer */
		uri_mid(parent, mid, sizeof(mid));
		if ((r = store_thread_find(bs->in->store, mid, &ticket, e)) != 1)
			return r;		/* 0: an answer to someone we never saw */
	} else if (strcmp(did, bs->did) == 0)
		return 0;			/* the brand itself, in a search */
	message_init(&m);
	if ((raw = json_dumps(post, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL) {
		m.raw = raw;
		m.raw_len = strlen(raw);
	}
	bs->in->stats.read++;
	bs->in->stats.bytes += (double)m.raw_len;
	uri_mid(uri, mid, sizeof(mid));
	if ((m.message_id = social_dup(&m, mid)) == NULL)
		goto nomem;
	m.synthetic_id = 1;
	if (parent != NULL) {
		if ((refs = arena_alloc(&m.arena, 2 * sizeof(*refs))) == NULL)
			goto nomem;
		m.refs = refs;
		if (root != NULL && strcmp(root, parent) != 0) {
			uri_mid(root, buf, sizeof(buf));
			if ((refs[m.refs_count++] = social_dup(&m, buf)) == NULL)
				goto nomem;
		}
		uri_mid(parent, buf, sizeof(buf));
		if ((m.in_reply_to = refs[m.refs_count++] = social_dup(&m, buf)) == NULL)
			goto nomem;
	}
	author_handle(author, handle, sizeof(handle));
	if (name != NULL && *name != '\0' && *handle != '\0')
		(void)snprintf(buf, sizeof(buf), "%s (@%s)", name, handle);
	else
		(void)snprintf(buf, sizeof(buf), "%s", name != NULL && *name != '\0' ? name :
		    *handle != '\0' ? handle : did);
	if ((m.from_addr = social_dup(&m, did)) == NULL ||
	    (m.from_name = social_dup(&m, buf)) == NULL)
		goto nomem;
	/* To: the DID answered (intake takes an outbound message's customer
	 * from To; the parent's view may be blocked or gone, its URI is not),
	 * else the brand. */
	if (own) {
		m.direction = DIR_OUT;
		uri_did(parent, buf, sizeof(buf));
	} else
		(void)snprintf(buf, sizeof(buf), "%s", bs->did);
	if ((m.to = social_dup(&m, buf)) == NULL)
		goto nomem;
	if (created == NULL || time_parse(created, &m.date) == -1) {
		m.date = bs->in->now;
		m.date_missing = 1;
		message_warn(&m, "post %s has no readable createdAt", uri);
	}
	m.received = bs->in->now;
	m.public = 1;			/* every Bluesky post is */
	m.reach = own ? -1 : reach_of(bs, did);
	{
		const char *rkey = strrchr(uri, '/');

		(void)snprintf(buf, sizeof(buf), "https://bsky.app/profile/%s/post/%s",
		    *handle != '\0' ? handle : did, rkey != NULL ? rkey + 1 : "");
	}
	if ((m.url = social_dup(&m, buf)) == NULL)
		goto nomem;
	post_labels(bs, post, rec, &m, uri);
	if ((r = post_text(bs, rec, e)) == 0 &&
	    (r = quote_text(bs, rec, json_object_get(post, "embed"), e)) == 0 &&
	    (r = buf_addstr(&bs->text, "", e)) == 0 &&
	    (r = post_media(rec, json_object_get(post, "embed"), &m, e)) == 0 &&
	    (r = social_lang(&m, json_object_get(rec, "langs"), e)) == 0 &&
	    (r = social_text(&m, bs->text.buf, e)) == 0)
		r = intake_message(bs->in, &m, uri, e);
	message_release(&m);
	free(raw);
	return r;
nomem:
	message_release(&m);
	free(raw);
	return err_set(e, ERR_NOMEM, "out of memory for post '%s'", uri);
}

/* ---- sources --------------------------------------------------------- */

/* The time of an item's indexedAt; 0 if unreadable. */
static time_t
indexed_at(json_t *item)
{
	const char *s = social_str(item, "indexedAt");
	time_t t;

	return s != NULL && time_parse(s, &t) == 0 ? t : 0;
}

/* One item of a page, as the source lists it: the post within it (NULL:
 * not for us). */
static json_t *
item_post(int kind, json_t *item)
{
	const char *reason;

	switch (kind) {
	case SRC_NOTIFICATIONS:
		reason = social_str(item, "reason");
		if (reason == NULL || (strcmp(reason, "mention") != 0 &&
		    strcmp(reason, "reply") != 0 && strcmp(reason, "quote") != 0))
			return NULL;
		return item;	/* a notification has uri, author, record */
	case SRC_OWN:
		if (json_object_get(item, "reason") != NULL)
			return NULL;	/* a repost */
		return json_object_get(item, "post");
	default:
		return item;
	}
}

static int
walk(struct bsky *bs, int kind, const char *source, const char *query, struct err *e)
{
	static const char *const paths[] = { XRPC "app.bsky.notification.listNotifications",
		XRPC "app.bsky.feed.getAuthorFeed", XRPC "app.bsky.feed.searchPosts" };
	static const char *const lists[] = { "notifications", "feed", "posts" };
	struct http_response resp;
	json_t *all = NULL, *j = NULL, *items, *it, *post;
	const char *next;
	char mark[SOCIAL_CURSOR_MAX], newest[SOCIAL_CURSOR_MAX], seen[SOCIAL_CURSOR_MAX];
	char lim[8], what[200];
	char *url = NULL, *page = NULL;
	time_t mark_t = 0, newest_t, seen_t = 0, t;
	size_t i, n;
	int r, pages, stop = 0, ret = -1, done = 0;

	if ((r = store_cursor_get(bs->in->store, bs->in->channel_id, source, mark,
	    sizeof(mark), e)) == -1)
		return -1;
	if (r == 0 || time_parse(mark, &mark_t) == -1) {
		mark[0] = '\0';
		mark_t = 0;
	}
	(void)esc_strlcpy(newest, mark, sizeof(newest));
	newest_t = mark_t;
	(void)snprintf(lim, sizeof(lim), "%d", BLUESKY_PAGE);
	(void)snprintf(what, sizeof(what), "GET %s", paths[kind]);
	http_response_init(&resp);
	if ((all = json_array()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Back from the newest to the mark. */
	for (pages = 0; pages < BLUESKY_PAGES && !stop; pages++) {
		free(url);
		url = http_url(bs->http, paths[kind],
		    "reasons", kind == SRC_NOTIFICATIONS ? "mention" : NULL,
		    "reasons", kind == SRC_NOTIFICATIONS ? "reply" : NULL,
		    "reasons", kind == SRC_NOTIFICATIONS ? "quote" : NULL,
		    "actor", kind == SRC_OWN ? bs->did : NULL,
		    "filter", kind == SRC_OWN ? "posts_with_replies" : NULL,
		    "q", query, "sort", kind == SRC_SEARCH ? "latest" : NULL,
		    "limit", lim, "cursor", page, NULL);
		if (url == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (xrpc_get(bs, url, what, &resp, e) == -1)
			goto out;
		json_decref(j);
		if ((j = social_json(what, &resp, JSON_OBJECT, e)) == NULL)
			goto out;
		items = json_object_get(j, lists[kind]);
		if (!json_is_array(items)) {
			err_set(e, ERR_DATA, "%s: no \"%s\" array in the response", what, lists[kind]);
			goto out;
		}
		if (json_array_size(items) == 0)
			break;
		json_array_foreach(items, i, it) {
			post = item_post(kind, it);
			t = indexed_at(post != NULL ? post : it);
			if (t != 0 && t < mark_t) {
				stop = 1;	/* older than what we have */
				break;
			}
			/* Likes and follows move the mark too, once all is stored,
			 * or they would be paged through again and again. */
			if (t > seen_t && t > newest_t && social_str(post != NULL ? post : it,
			    "indexedAt") != NULL) {
				seen_t = t;
				(void)esc_strlcpy(seen, social_str(post != NULL ? post : it,
				    "indexedAt"), sizeof(seen));
			}
			if (post != NULL && json_array_append(all, it) == -1) {
				err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
		}
		/* The first look at a search takes the newest page only. */
		if (kind == SRC_SEARCH && mark_t == 0)
			break;
		/* No cursor, an empty one or the same again: the last page. */
		if ((next = social_str(j, "cursor")) == NULL || *next == '\0' ||
		    (page != NULL && strcmp(page, next) == 0))
			break;
		free(page);
		if ((page = strdup(next)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (quotes_fetch(bs, kind, all, e) == -1 || reaches_fetch(bs, kind, all, e) == -1)
		goto out;
	/* Oldest first into intake, committed every BLUESKY_BATCH. */
	n = json_array_size(all);
	for (i = n; i > 0; i--) {
		it = json_array_get(all, i - 1);
		post = item_post(kind, it);
		if (take_post(bs, post, kind == SRC_OWN, e) == -1)
			goto out;
		next = social_str(post, "indexedAt");
		if (next != NULL && (t = indexed_at(post)) >= newest_t) {
			(void)esc_strlcpy(newest, next, sizeof(newest));
			newest_t = t;
		}
		if (++done % BLUESKY_BATCH == 0 &&
		    intake_flush(bs->in, source, newest[0] ? newest : NULL, e) == -1)
			goto out;
	}
	if (seen_t > newest_t)
		(void)esc_strlcpy(newest, seen, sizeof(newest));
	if (intake_flush(bs->in, source, newest[0] ? newest : NULL, e) == -1)
		goto out;
	ret = 0;
out:
	json_decref(bs->quotes);
	bs->quotes = NULL;
	json_decref(bs->reaches);
	bs->reaches = NULL;
	json_decref(all);
	json_decref(j);
	free(url);
	free(page);
	http_response_release(&resp);
	return ret;
}

/* ---- deletions ------------------------------------------------------- */

struct recheck {
	char	**uris;
	size_t	 count, next;
};

static int
collect(void *arg, const char *external_id, struct err *e)
{
	struct recheck *rc = arg;
	char *u;

	if (strncmp(external_id, "at://", 5) != 0)
		return 0;
	if ((u = strdup(external_id)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (rc->count < BLUESKY_RECHECK)
		rc->uris[rc->count++] = u;
	else {
		free(rc->uris[rc->next]);
		rc->uris[rc->next] = u;
		rc->next = (rc->next + 1) % BLUESKY_RECHECK;
	}
	return 0;
}

static int
recheck(struct bsky *bs, struct err *e)
{
	static const char what[] = "GET " XRPC "app.bsky.feed.getPosts";
	struct recheck rc = { NULL, 0, 0 };
	struct http_response resp;
	struct buf url = BUF_INIT(64 * 1024);
	json_t *j = NULL, *posts, *p;
	const char *u;
	size_t i, k, first, idx;
	int ret = 0, found;

	if ((rc.uris = calloc(BLUESKY_RECHECK, sizeof(*rc.uris))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	http_response_init(&resp);
	if (store_open_messages(bs->in->store, bs->in->channel_id, collect, &rc, e) == -1)
		ret = -1;
	/* getPosts leaves out the ones that are gone. */
	for (first = 0; first < rc.count && ret == 0; first += BLUESKY_GETPOSTS) {
		if ((ret = xrpc_list_url(bs, XRPC "app.bsky.feed.getPosts", "uris",
		    (const char *const *)rc.uris + first,
		    rc.count - first < BLUESKY_GETPOSTS ? rc.count - first : BLUESKY_GETPOSTS,
		    &url, e)) == -1 || (ret = xrpc_get(bs, url.buf, what, &resp, e)) == -1)
			break;
		json_decref(j);
		if ((j = social_json(what, &resp, JSON_OBJECT, e)) == NULL) {
			ret = -1;
			break;
		}
		posts = json_object_get(j, "posts");
		for (k = first; k < rc.count && k < first + BLUESKY_GETPOSTS && ret == 0; k++) {
			found = 0;
			json_array_foreach(posts, idx, p)
				if ((u = social_str(p, "uri")) != NULL && strcmp(u, rc.uris[k]) == 0)
					found = 1;
			if (!found && intake_delete(bs->in, rc.uris[k], bs->in->now, e) == -1)
				ret = -1;
		}
		if (ret == 0)
			ret = intake_flush(bs->in, NULL, NULL, e);
	}
	for (i = 0; i < rc.count; i++)
		free(rc.uris[i]);
	free(rc.uris);
	json_decref(j);
	buf_release(&url);
	http_response_release(&resp);
	return ret;
}

/* ---- the interface --------------------------------------------------- */

static int
bluesky_open(void **state, const struct conf_channel *ch, struct err *e)
{
	struct bsky *bs;

	*state = NULL;
	if (ch->handle == NULL || ch->app_password_file == NULL)
		return err_set(e, ERR_CONFIG, "bluesky channel '%s' needs handle and "
		    "app-password-file", ch->name);
	if ((bs = calloc(1, sizeof(*bs))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	bs->ch = ch;
	buf_init(&bs->text, BLUESKY_TEXT_MAX);
	if (http_open(&bs->http, ch->name, ch->service != NULL ? ch->service : BLUESKY_SERVICE,
	    e) == -1) {
		free(bs);
		return -1;
	}
	*state = bs;
	return 0;
}

static int
bluesky_poll(void *state, struct intake *in, struct err *e)
{
	struct bsky *bs = state;
	char source[300];
	size_t i;
	int ret = -1;

	bs->in = in;
	if (social_begin(in, bs->http, e) == -1)
		return -1;
	if (bs->access == NULL && session_create(bs, e) == -1)
		goto out;
	if (walk(bs, SRC_NOTIFICATIONS, "notifications", NULL, e) == -1 ||
	    walk(bs, SRC_OWN, "statuses", NULL, e) == -1)
		goto out;
	for (i = 0; i < bs->ch->searches_count; i++) {
		(void)snprintf(source, sizeof(source), "search:%.256s", bs->ch->searches[i]);
		if (walk(bs, SRC_SEARCH, source, bs->ch->searches[i], e) == -1)
			goto out;
	}
	if (recheck(bs, e) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1) {
		social_end(in, bs->http);
		social_log_fail(bs->ch->name, http_host(bs->http), "poll-failed", e);
	}
	bs->in = NULL;
	return ret;
}

static int
bluesky_wait(void *state, int timeout, struct err *e)
{
	(void)state;
	(void)e;
	return connector_sleep((long)timeout * 1000, NULL) == 0 ? 0 : 1;
}

static void
bluesky_close(void *state)
{
	struct bsky *bs = state;
	size_t i;

	if (bs == NULL)
		return;
	http_close(bs->http);
	wipe_free(bs->access);
	wipe_free(bs->refresh);
	buf_release(&bs->text);
	if (bs->profiles != NULL)
		for (i = 0; i < BLUESKY_PROFILES; i++)
			free(bs->profiles[i].did);
	free(bs->profiles);
	free(bs);
}

static time_t
bluesky_not_before(void *state)
{
	struct bsky *bs = state;

	return bs != NULL ? http_not_before(bs->http) : 0;
}

const struct connector_ops bluesky_connector = {
	.kind = "bluesky",
	.open = bluesky_open,
	.poll = bluesky_poll,
	.wait = bluesky_wait,
	.close = bluesky_close,
	.not_before = bluesky_not_before,
};
