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
	struct profile	*profiles;	/* a small open-addressed cache */
	size_t		 profiles_count;
	struct buf	 text;		/* scratch: one post's text */
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

/* The author's followers (-1 unknown): from the cache, else getProfile.
 * A failure to look it up costs the reach, not the post. */
static long
reach_of(struct bsky *bs, const char *did)
{
	struct http_response resp;
	struct profile *p;
	struct err e = ERR_INIT;
	json_t *j;
	char *url;
	size_t i, slot;
	long n = -1;

	if (bs->profiles == NULL &&
	    (bs->profiles = calloc(BLUESKY_PROFILES, sizeof(*bs->profiles))) == NULL)
		return -1;
	slot = hash(did) % BLUESKY_PROFILES;
	for (i = 0; i < BLUESKY_PROFILES; i++) {
		p = &bs->profiles[(slot + i) % BLUESKY_PROFILES];
		if (p->did == NULL || strcmp(p->did, did) == 0)
			break;
	}
	if (i == BLUESKY_PROFILES) {
		/* Full: start over rather than grow without bound. */
		for (i = 0; i < BLUESKY_PROFILES; i++) {
			free(bs->profiles[i].did);
			bs->profiles[i].did = NULL;
		}
		bs->profiles_count = 0;
		p = &bs->profiles[slot];
	}
	if (p->did != NULL && p->fetched + BLUESKY_PROFILE_TTL > bs->in->now)
		return p->followers;
	http_response_init(&resp);
	if ((url = http_url(bs->http, XRPC "app.bsky.actor.getProfile", "actor", did,
	    NULL)) != NULL &&
	    xrpc_get(bs, url, "GET " XRPC "app.bsky.actor.getProfile", &resp, &e) == 0 &&
	    (j = social_json("GET " XRPC "app.bsky.actor.getProfile", &resp, JSON_OBJECT,
	    &e)) != NULL) {
		n = social_long(j, "followersCount", -1);
		json_decref(j);
	} else if (e.msg[0] != '\0')
		social_log_fail(bs->ch->name, http_host(bs->http), "profile-failed", &e);
	free(url);
	http_response_release(&resp);
	if (n >= 0) {
		if (p->did == NULL) {
			if ((p->did = strdup(did)) == NULL)
				return n;
			bs->profiles_count++;
		}
		p->followers = n;
		p->fetched = bs->in->now;
	}
	return n;
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

/* post: a PostView-like object {uri, author, record, indexedAt};
 * parent_author: the handle the post answers, when the API says. */
static int
take_post(struct bsky *bs, json_t *post, const char *parent_author, int own,
    struct err *e)
{
	struct message m;
	json_t *author = json_object_get(post, "author"), *rec = json_object_get(post, "record");
	json_t *reply = json_object_get(rec, "reply");
	const char *uri = social_str(post, "uri"), *did = social_str(author, "did");
	const char *handle = social_str(author, "handle"), *name = social_str(author, "displayName");
	const char *created = social_str(rec, "createdAt"), *type = social_str(rec, "$type");
	const char *root = social_str(json_object_get(reply, "root"), "uri");
	const char *parent = social_str(json_object_get(reply, "parent"), "uri");
	const char **refs;
	char mid[1100], buf[1100], *raw = NULL;
	int64_t ticket;
	int r;

	if (uri == NULL || did == NULL || !json_is_object(rec) ||
	    (type != NULL && strcmp(type, "app.bsky.feed.post") != 0)) {
		/* A deleted record (notification.defs#recordDeleted), a view
		 * without author or record: nothing a customer wrote. */
		log_info("channel=%s host=%s event=skip-post uri=%s why=\"%s\"", bs->ch->name,
		    http_host(bs->http), uri != NULL ? uri : "-", uri == NULL || did == NULL ?
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
	(void)snprintf(buf, sizeof(buf), "%s", handle != NULL ? handle : did);
	ascii_lower(buf);
	if ((m.from_addr = social_dup(&m, buf)) == NULL ||
	    (m.from_name = social_dup(&m, name != NULL && *name != '\0' ? name : buf)) == NULL)
		goto nomem;
	if (own) {
		m.direction = DIR_OUT;
		(void)snprintf(buf, sizeof(buf), "%s", parent_author != NULL ? parent_author : "");
	} else
		(void)snprintf(buf, sizeof(buf), "%s", bs->handle);
	ascii_lower(buf);
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
		    handle != NULL ? handle : did, rkey != NULL ? rkey + 1 : "");
	}
	if ((m.url = social_dup(&m, buf)) == NULL)
		goto nomem;
	if ((r = post_text(bs, rec, e)) == 0 && (r = social_text(&m, bs->text.buf, e)) == 0)
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
 * not for us), and for own replies the handle answered. */
static json_t *
item_post(int kind, json_t *item, const char **parent_author)
{
	const char *reason;
	json_t *parent;

	*parent_author = NULL;
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
		parent = json_object_get(json_object_get(item, "reply"), "parent");
		*parent_author = social_str(json_object_get(parent, "author"), "handle");
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
	const char *next, *pa;
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
			post = item_post(kind, it, &pa);
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
	/* Oldest first into intake, committed every BLUESKY_BATCH. */
	n = json_array_size(all);
	for (i = n; i > 0; i--) {
		it = json_array_get(all, i - 1);
		post = item_post(kind, it, &pa);
		if (take_post(bs, post, pa, kind == SRC_OWN, e) == -1)
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
	char *esc;
	size_t i, k, first, idx;
	int ret = 0, found;

	if ((rc.uris = calloc(BLUESKY_RECHECK, sizeof(*rc.uris))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	http_response_init(&resp);
	if (store_open_messages(bs->in->store, bs->in->channel_id, collect, &rc, e) == -1)
		ret = -1;
	/* getPosts takes up to 25 URIs and leaves out the ones that are gone. */
	for (first = 0; first < rc.count && ret == 0; first += 25) {
		buf_reset(&url);
		if ((esc = http_url(bs->http, XRPC "app.bsky.feed.getPosts", NULL)) == NULL ||
		    buf_addstr(&url, esc, e) == -1) {
			free(esc);
			ret = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		free(esc);
		for (k = first; k < rc.count && k < first + 25 && ret == 0; k++) {
			if ((esc = http_escape(bs->http, rc.uris[k])) == NULL ||
			    buf_printf(&url, e, "%suris=%s", k == first ? "?" : "&", esc) == -1)
				ret = err_set(e, ERR_NOMEM, "out of memory");
			free(esc);
		}
		if (ret == -1 || (ret = xrpc_get(bs, url.buf, what, &resp, e)) == -1)
			break;
		json_decref(j);
		if ((j = social_json(what, &resp, JSON_OBJECT, e)) == NULL) {
			ret = -1;
			break;
		}
		posts = json_object_get(j, "posts");
		for (k = first; k < rc.count && k < first + 25 && ret == 0; k++) {
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
