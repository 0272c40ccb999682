/* mastodon.c -- the Mastodon connector; see mastodon.h for its sources,
 * cursors and message ids.
 *
 * A poll: the saved not-before time (social.c), the token, the brand
 * account once per state (verify_credentials), then each source page by
 * page: every page's statuses, oldest first, go to intake and the page is
 * committed with its cursor.  A failure stops the poll; what was committed
 * stays, the rest is fetched again next time (intake deduplicates). */
#include "config.h"

#include <inttypes.h>
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
#include "connectors/connector.h"
#include "connectors/http.h"
#include "connectors/mastodon.h"
#include "connectors/social.h"
#include "intake/html.h"
#include "intake/intake.h"
#include "intake/message.h"
#include "rules/conf.h"
#include "store/store.h"

enum source_kind { SRC_MENTIONS, SRC_OWN, SRC_TAG, SRC_SEARCH };

struct masto {
	const struct conf_channel *ch;
	struct http	*http;
	struct intake	*in;		/* during a poll */
	const char	*token;		/* during a poll; wiped after */
	char		 host[256];	/* the instance's, lowercased, for ids */
	char		 me_id[64];	/* the brand account, "" until known */
	char		 me_acct[320];	/* "brand@host" */
	struct buf	 text;		/* scratch: one status's text */
	struct buf	 quote;		/* scratch: the text of the post it quotes */
	int		 mentions_only;	/* the server refused types[]=quote */
};

struct source {
	int		 kind;
	char		 name[300];	/* the cursor's source */
	char		 path[600];
	const char	*query;		/* search terms */
};

static void	path_escape(const char *, char *, size_t);

/* "alice@host": acct qualified with the instance's host, lowercased. */
static void
qualify(const struct masto *mt, const char *acct, char *out, size_t len)
{
	if (acct == NULL)
		acct = "";
	if (strchr(acct, '@') != NULL || *acct == '\0')
		(void)snprintf(out, len, "%s", acct);
	else
		(void)snprintf(out, len, "%s@%s", acct, mt->host);
	ascii_lower(out);
}

static void
message_id(const struct masto *mt, const char *id, char *out, size_t len)
{
	(void)snprintf(out, len, "mastodon.%s.%s", mt->host, id);
}

/* "@brand <https://host/@brand>" and "#tag <https://host/tags/tag>" as
 * html.c writes mention and hashtag links: the target adds nothing. */
static void
drop_mention_links(struct buf *b)
{
	char *s = b->buf, *w = b->buf, *r, *gt, *word;

	if (s == NULL)
		return;
	for (r = s; *r != '\0'; ) {
		if (r[0] == ' ' && r[1] == '<' && (strncmp(r + 2, "http", 4) == 0) &&
		    (gt = strchr(r, '>')) != NULL && gt - r < 1024 &&
		    memchr(r, '\n', (size_t)(gt - r)) == NULL) {
			for (word = w; word > s && word[-1] != ' ' && word[-1] != '\n'; word--)
				;
			if (*word == '@' || *word == '#') {
				r = gt + 1;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
	b->len = (size_t)(w - s);
}

/* The post a status quotes, as the servers send it: Mastodon 4.4's quote
 * {state, quoted_status}, or {state, quoted_status_id} one level down;
 * Pleroma's pleroma.quote; the quoted Status itself as quote on Akkoma and
 * the Misskey forks (Firefish, Sharkey, Iceshrimp).  NULL when it quotes
 * nothing, or what the quote's state says instead (*state: "deleted",
 * "revoked", "pending", ...; *qid: the id of a post not shown). */
static json_t *
quoted(json_t *st, const char **state, const char **qid)
{
	json_t *q = json_object_get(st, "quote"), *p;

	*state = NULL;
	*qid = NULL;
	if (!json_is_object(q))
		q = json_object_get(json_object_get(st, "pleroma"), "quote");
	if (!json_is_object(q))
		return NULL;
	if (json_object_get(q, "content") != NULL)
		return q;		/* a Status */
	*state = social_str(q, "state");
	p = json_object_get(q, "quoted_status");
	if (json_is_object(p) && (*state == NULL || strcmp(*state, "accepted") == 0))
		return p;
	if (social_id_string(q, "quoted_status_id") == 0)
		*qid = social_str(q, "quoted_status_id");
	if (*state == NULL)
		*state = *qid != NULL ? "not shown" : "unknown";
	return NULL;
}

/* Servers write "RE: URL" into a quote post's content for clients that
 * cannot show quotes (Mastodon's quote-inline paragraph, Misskey's span);
 * the quote is shown below, so the line naming it (by url, uri or, for a
 * shallow quote, id) goes, with the blank lines before it. */
static void
drop_re_line(struct buf *b, const char *url, const char *uri, const char *id)
{
	char *line, *end, tail[80];
	size_t n;

	if (b->buf == NULL)
		return;
	/* An empty url or id is in every line: it names no post. */
	if (url != NULL && *url == '\0')
		url = NULL;
	if (uri != NULL && *uri == '\0')
		uri = NULL;
	if (id != NULL && *id == '\0')
		id = NULL;
	if (url == NULL && uri == NULL && id == NULL)
		return;
	if (id != NULL)
		(void)snprintf(tail, sizeof(tail), "/%s", id);
	for (line = b->buf; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		n = (size_t)(end - line);
		if (n < 4 || strncmp(line, "RE: ", 4) != 0)
			continue;
		if ((url == NULL || memmem(line, n, url, strlen(url)) == NULL) &&
		    (uri == NULL || memmem(line, n, uri, strlen(uri)) == NULL) &&
		    (id == NULL || memmem(line, n, tail, strlen(tail)) == NULL))
			continue;
		if (*end == '\n')
			end++;
		memmove(line, end, strlen(end) + 1);
		b->len -= (size_t)(end - line);
		/* The text ends as html.c ends it: one newline. */
		while (b->len > 0 && (b->buf[b->len - 1] == '\n' || b->buf[b->len - 1] == ' '))
			b->buf[--b->len] = '\0';
		if (b->len > 0) {
			b->buf[b->len++] = '\n';
			b->buf[b->len] = '\0';
		}
		return;
	}
}

/* The quoted post below the status, every line "> " so scoring and rules
 * read only what the customer wrote now: "> @who@host: its text", or
 * "> [quoted post: deleted]" when the server shows none.  Into mt->text. */
static int
quote_text(struct masto *mt, json_t *st, struct err *e)
{
	const char *state, *qid, *html, *acct, *inner_state, *inner_id;
	char who[320], head[SOCIAL_QUOTE_HEAD_MAX];
	json_t *q;

	if ((q = quoted(st, &state, &qid)) == NULL && state == NULL)
		return 0;
	/* One blank line between the post and its quote. */
	while (mt->text.len > 0 && (mt->text.buf[mt->text.len - 1] == '\n' ||
	    mt->text.buf[mt->text.len - 1] == ' '))
		mt->text.buf[--mt->text.len] = '\0';
	if (mt->text.len > 0 && buf_addstr(&mt->text, "\n\n", e) == -1)
		return -1;
	if (q == NULL) {
		(void)snprintf(head, sizeof(head), "[quoted post%s%s: %s]", qid ? " " : "",
		    qid ? qid : "", state);
		return social_quote(&mt->text, head, NULL, e);
	}
	buf_reset(&mt->quote);
	if ((html = social_str(q, "content")) != NULL &&
	    html_to_text(html, strlen(html), &mt->quote, e) == -1)
		return -1;
	drop_mention_links(&mt->quote);
	/* What the quoted post quotes in turn is not shown: its RE: goes. */
	if (quoted(q, &inner_state, &inner_id) != NULL || inner_id != NULL)
		drop_re_line(&mt->quote, NULL, NULL, inner_id);
	if ((acct = social_str(json_object_get(q, "account"), "acct")) == NULL)
		acct = "?";
	qualify(mt, acct, who, sizeof(who));
	(void)snprintf(head, sizeof(head), "@%s:", who);
	return social_quote(&mt->text, head, mt->quote.buf, e);
}

/* The status's text: content warning first, HTML to text, then media
 * (the description, else the type: "[image]") and the poll's options, so
 * a post that is only a picture or a poll still says something.  Into
 * mt->text. */
static int
status_text(struct masto *mt, json_t *st, struct err *e)
{
	const char *cw = social_str(st, "spoiler_text"), *html = social_str(st, "content");
	json_t *media = json_object_get(st, "media_attachments"), *a;
	json_t *options = json_object_get(json_object_get(st, "poll"), "options");
	const char *desc, *title, *state, *qid;
	size_t i, k = 0;
	json_t *q;

	buf_reset(&mt->text);
	if (cw != NULL && *cw != '\0' && buf_printf(&mt->text, e, "CW: %s\n\n", cw) == -1)
		return -1;
	if (html != NULL && html_to_text(html, strlen(html), &mt->text, e) == -1)
		return -1;
	drop_mention_links(&mt->text);
	if ((q = quoted(st, &state, &qid)) != NULL || qid != NULL) {
		if (buf_addstr(&mt->text, "", e) == -1)	/* NUL-terminated */
			return -1;
		drop_re_line(&mt->text, social_str(q, "url"), social_str(q, "uri"), qid);
	}
	json_array_foreach(media, i, a) {
		if ((desc = social_str(a, "description")) == NULL || *desc == '\0')
			desc = social_str(a, "type");
		if (desc != NULL && *desc != '\0' && buf_printf(&mt->text, e, "\n[%s]", desc) == -1)
			return -1;
	}
	json_array_foreach(options, i, a) {
		if ((title = social_str(a, "title")) == NULL)
			continue;
		if (buf_printf(&mt->text, e, "%s%s", k++ == 0 ? "\n[poll: " : " / ", title) == -1)
			return -1;
	}
	if (k > 0 && buf_addstr(&mt->text, "]", e) == -1)
		return -1;
	if (buf_addstr(&mt->text, "", e) == -1 || quote_text(mt, st, e) == -1)
		return -1;
	return buf_addstr(&mt->text, "", e);	/* NUL-terminated even when empty */
}

/* The status's media as attachments of m: Pleroma and Akkoma say the MIME
 * type (pleroma.mime_type), Mastodon and GoToSocial only the kind. */
static int
status_media(json_t *st, struct message *m, struct err *e)
{
	json_t *a;
	const char *url;
	size_t i;

	json_array_foreach(json_object_get(st, "media_attachments"), i, a) {
		if ((url = social_str(a, "remote_url")) == NULL || *url == '\0')
			url = social_str(a, "url");
		if (social_attach(m, NULL, social_str(json_object_get(a, "pleroma"), "mime_type"),
		    social_str(a, "type"), -1, url, e) == -1)
			return -1;
	}
	return 0;
}

/* The author's name as people see it: display_name without the instance's
 * custom emoji (":blobcat:", listed in the account's emojis), else the
 * username.  Into out. */
static void
display_name(json_t *acc, char *out, size_t len)
{
	const char *name = social_str(acc, "display_name"), *code;
	json_t *emojis = json_object_get(acc, "emojis"), *em;
	char pat[128], *p;
	size_t i, n;

	(void)snprintf(out, len, "%s", name != NULL ? name : "");
	json_array_foreach(emojis, i, em) {
		if ((code = social_str(em, "shortcode")) == NULL || *code == '\0' ||
		    (size_t)snprintf(pat, sizeof(pat), ":%s:", code) >= sizeof(pat))
			continue;
		n = strlen(pat);
		while ((p = strstr(out, pat)) != NULL)
			memmove(p, p + n, strlen(p + n) + 1);
	}
	/* ":blobcat: Mo" leaves " Mo". */
	for (p = out; *p == ' ' || *p == '\t'; p++)
		;
	memmove(out, p, strlen(p) + 1);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	if (n == 0) {
		name = social_str(acc, "username");
		(void)snprintf(out, len, "%s", name != NULL ? name : "");
	}
}

/* Fills m from status st; anc: its ancestors, oldest first (NULL: only
 * the parent is known).  0, or -1 with e set. */
static int
status_message(struct masto *mt, json_t *st, json_t *anc, struct message *m, struct err *e)
{
	json_t *acc = json_object_get(st, "account"), *mentions, *me;
	const char *id = social_str(st, "id"), *irt = social_str(st, "in_reply_to_id");
	const char *vis = social_str(st, "visibility"), *created = social_str(st, "created_at");
	const char *url;
	char buf[1100], who[320], self[320], name[512];
	struct buf to = BUF_INIT(64 * 1024);
	const char **refs, *aid;
	size_t i, n;

	qualify(mt, social_str(acc, "acct"), self, sizeof(self));
	message_id(mt, id, buf, sizeof(buf));
	if ((m->message_id = social_dup(m, buf)) == NULL)
		goto nomem;
	m->synthetic_id = 1;
	if (irt != NULL) {
		/* References: the ancestors, root first, then the parent. */
		n = json_array_size(anc) < MASTODON_ANCESTORS ? json_array_size(anc) :
		    MASTODON_ANCESTORS;
		message_id(mt, irt, buf, sizeof(buf));
		if ((m->in_reply_to = social_dup(m, buf)) == NULL ||
		    (refs = arena_alloc(&m->arena, (n + 1) * sizeof(*refs))) == NULL)
			goto nomem;
		m->refs = refs;
		for (i = json_array_size(anc) - n; i < json_array_size(anc); i++) {
			if ((aid = social_str(json_array_get(anc, i), "id")) == NULL ||
			    strcmp(aid, irt) == 0)
				continue;
			message_id(mt, aid, buf, sizeof(buf));
			if ((refs[m->refs_count++] = social_dup(m, buf)) == NULL)
				goto nomem;
		}
		refs[m->refs_count++] = m->in_reply_to;
	}
	display_name(acc, name, sizeof(name));
	if ((m->from_name = social_dup(m, name)) == NULL ||
	    (m->from_addr = social_dup(m, self)) == NULL)
		goto nomem;
	/* To: whom it mentions, the brand last, so a reply's first is the
	 * customer (intake takes an outbound message's customer from To). */
	mentions = json_object_get(st, "mentions");
	json_array_foreach(mentions, i, me) {
		qualify(mt, social_str(me, "acct"), who, sizeof(who));
		if (*who == '\0' || strcmp(who, self) == 0 || strcmp(who, mt->me_acct) == 0)
			continue;
		if ((to.len > 0 && buf_addstr(&to, ", ", NULL) == -1) ||
		    buf_addstr(&to, who, NULL) == -1)
			break;		/* a cut To still names the first */
	}
	if (strcmp(self, mt->me_acct) != 0 && *mt->me_acct != '\0')
		(void)buf_printf(&to, NULL, "%s%s", to.len > 0 ? ", " : "", mt->me_acct);
	m->to = social_dup(m, to.buf);
	buf_release(&to);
	if (m->to == NULL)
		goto nomem;
	if (created == NULL || time_parse(created, &m->date) == -1) {
		m->date = mt->in->now;
		m->date_missing = 1;
		message_warn(m, "status %s has no readable created_at", id);
	}
	m->received = mt->in->now;
	/* public and unlisted are for anyone to read, and Pleroma's and
	 * GoToSocial's local (anyone on that instance); private (followers),
	 * direct and Pleroma's list are not.  Unknown values: the safer
	 * private. */
	m->public = vis != NULL && (strcmp(vis, "public") == 0 ||
	    strcmp(vis, "unlisted") == 0 || strcmp(vis, "local") == 0);
	m->reach = social_long(acc, "followers_count", -1);
	url = social_str(st, "url");
	if (url == NULL)
		url = social_str(st, "uri");
	if ((m->url = social_dup(m, url)) == NULL)
		goto nomem;
	if (status_text(mt, st, e) == -1 || status_media(st, m, e) == -1 ||
	    social_lang(m, json_object_get(st, "language"), e) == -1)
		return -1;
	m->html_only = 1;
	return social_text(m, mt->text.buf, e);
nomem:
	buf_release(&to);
	return err_set(e, ERR_NOMEM, "out of memory for status %s", id ? id : "?");
}

/* The ids of a status (its own, its parent's, its author's) as strings,
 * whatever the server sent.  0 or -1. */
static int
status_ids(json_t *st, struct err *e)
{
	if (social_id_string(st, "id") == -1 || social_id_string(st, "in_reply_to_id") == -1 ||
	    social_id_string(json_object_get(st, "account"), "id") == -1)
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

/* 1 when message_id threads into a ticket we have. */
static int
thread_known(struct masto *mt, const char *mid, struct err *e)
{
	int64_t ticket;

	return store_thread_find(mt->in->store, mid, &ticket, e);
}

/* The ancestors of status id, oldest first (GET .../context), for a reply
 * whose parent we do not have: the parent may be a post of ours not read
 * yet, and the root tells the thread.  NULL when the server will not say
 * (the reply then threads by its parent alone); -1 only in *fatal. */
static json_t *
ancestors(struct masto *mt, const char *id, int *fatal, struct err *e)
{
	struct http_request req = { .bearer = mt->token };
	struct http_response resp;
	json_t *j = NULL, *anc = NULL, *a;
	char path[400], *url;
	size_t i;

	*fatal = 0;
	(void)snprintf(path, sizeof(path), "/api/v1/statuses/");
	path_escape(id, path + strlen(path), 300);
	(void)snprintf(path + strlen(path), sizeof(path) - strlen(path), "/context");
	if ((url = http_url(mt->http, path, NULL)) == NULL) {
		*fatal = 1;
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	http_response_init(&resp);
	req.url = url;
	if (http_request(mt->http, &req, &resp, e) == -1)
		*fatal = 1;	/* the server away or a rate limit: stop here */
	else if (resp.status == 200 &&
	    (j = social_json("GET /api/v1/statuses/ID/context", &resp, JSON_OBJECT, e)) != NULL &&
	    json_is_array(json_object_get(j, "ancestors"))) {
		anc = json_incref(json_object_get(j, "ancestors"));
		json_array_foreach(anc, i, a)
			if (social_id_string(a, "id") == -1) {
				*fatal = 1;
				err_set(e, ERR_NOMEM, "out of memory");
				json_decref(anc);
				anc = NULL;
				break;
			}
	}
	json_decref(j);
	free(url);
	http_response_release(&resp);
	return anc;
}

/* One status into intake (or not: reblogs, the brand's own posts that
 * answer nobody we know).  0 or -1. */
static int
take_status(struct masto *mt, json_t *st, struct err *e)
{
	struct message m;
	json_t *acc = json_object_get(st, "account");
	const char *id, *irt, *acc_id, *edited = social_str(st, "edited_at");
	char parent[1100], *raw;
	long present = mt->in->stats.present;
	json_t *anc = NULL;
	time_t at;
	int r, own, fatal;
	json_t *rb = json_object_get(st, "reblog");

	if (rb != NULL && !json_is_null(rb))
		return 0;	/* a boost says nothing new */
	if (status_ids(st, e) == -1)
		return -1;
	id = social_str(st, "id");
	irt = social_str(st, "in_reply_to_id");
	acc_id = social_str(acc, "id");
	if (id == NULL || acc_id == NULL) {
		log_info("channel=%s host=%s event=skip-status why=\"no id or account\"",
		    mt->ch->name, mt->host);
		return 0;
	}
	own = strcmp(acc_id, mt->me_id) == 0;
	if (own) {
		if (irt == NULL)
			return 0;	/* an announcement, not an answer */
		message_id(mt, irt, parent, sizeof(parent));
		if ((r = thread_known(mt, parent, e)) != 1)
			return r;	/* 0: a reply to someone we never saw */
	}
	if (!own && irt != NULL) {
		message_id(mt, irt, parent, sizeof(parent));
		if ((r = thread_known(mt, parent, e)) == -1)
			return -1;
		if (r == 0 && (anc = ancestors(mt, id, &fatal, e)) == NULL && fatal)
			return -1;
	}
	message_init(&m);
	if ((raw = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL) {
		m.raw = raw;
		m.raw_len = strlen(raw);
	}
	mt->in->stats.read++;
	mt->in->stats.bytes += (double)m.raw_len;
	r = status_message(mt, st, anc, &m, e);
	json_decref(anc);
	if (r == 0 && own)
		m.direction = DIR_OUT;
	if (r == 0)
		r = intake_message(mt->in, &m, id, e);
	/* Seen before and edited since: the new text, the same ticket. */
	if (r == 0 && mt->in->stats.present > present && edited != NULL &&
	    time_parse(edited, &at) == 0 && intake_edit(mt->in, id, &m, at, e) == -1)
		r = -1;
	message_release(&m);
	free(raw);
	return r;
}

/* The status st, edited at at, as what intake_edit takes of it: text,
 * media and language, read as status_message reads them.  1 edited, 0
 * nothing we keep changed (or not a post we store), -1 error. */
static int
status_edit(struct masto *mt, json_t *st, const char *id, time_t at, struct err *e)
{
	struct message m;
	int r = -1;

	message_init(&m);
	if (status_text(mt, st, e) == 0 && status_media(st, &m, e) == 0 &&
	    social_lang(&m, json_object_get(st, "language"), e) == 0 &&
	    social_text(&m, mt->text.buf, e) == 0)
		r = intake_edit(mt->in, id, &m, at, e);
	message_release(&m);
	return r;
}

/* An update or quoted_update notification: a post was edited.  Only a
 * post we store changes; any other is logged and left.  0 or -1. */
static int
take_edit(struct masto *mt, json_t *st, const char *type, struct err *e)
{
	const char *id, *edited;
	char esc[300];
	time_t at;
	int r;

	if (status_ids(st, e) == -1)
		return -1;
	if ((id = social_str(st, "id")) == NULL || (edited = social_str(st, "edited_at")) == NULL ||
	    time_parse(edited, &at) == -1) {
		log_info("channel=%s host=%s event=skip-edit type=%s why=\"no id or edited_at\"",
		    mt->ch->name, mt->host, type);
		return 0;
	}
	if ((r = status_edit(mt, st, id, at, e)) == -1)
		return -1;
	if (r == 0)
		log_info("channel=%s host=%s event=skip-edit type=%s status_id=\"%s\" why=\"not a "
		    "post we store, or nothing we keep of it changed\"", mt->ch->name, mt->host, type,
		    log_escape(id, esc, sizeof(esc)));
	return 0;
}

/* GET url with the token; 0 with a 200 response, else -1. */
static int
get(struct masto *mt, const char *url, struct http_response *resp, struct err *e)
{
	struct http_request req = { .url = url, .bearer = mt->token };
	char what[300];

	if (http_request(mt->http, &req, resp, e) == -1)
		return -1;
	if (resp->status == 200)
		return 0;
	(void)snprintf(what, sizeof(what), "GET %.250s", url);
	return http_fail(mt->http, what, resp, e);
}

static int
verify_account(struct masto *mt, struct err *e)
{
	struct http_response resp;
	json_t *j = NULL;
	const char *id;
	char *url;
	int ret = -1;

	http_response_init(&resp);
	if ((url = http_url(mt->http, "/api/v1/accounts/verify_credentials", NULL)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (get(mt, url, &resp, e) == -1 ||
	    (j = social_json("GET /api/v1/accounts/verify_credentials", &resp, JSON_OBJECT,
	    e)) == NULL)
		goto out;
	if (social_id_string(j, "id") == -1) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((id = social_str(j, "id")) == NULL) {
		err_set(e, ERR_DATA, "GET /api/v1/accounts/verify_credentials: no account id");
		goto out;
	}
	(void)esc_strlcpy(mt->me_id, id, sizeof(mt->me_id));
	qualify(mt, social_str(j, "acct"), mt->me_acct, sizeof(mt->me_acct));
	log_info("channel=%s host=%s event=account acct=%s id=%s", mt->ch->name, mt->host,
	    mt->me_acct, mt->me_id);
	ret = 0;
out:
	json_decref(j);
	free(url);
	http_response_release(&resp);
	return ret;
}

static int
by_id(const void *a, const void *b)
{
	const char *x = social_str(*(json_t *const *)a, "id");
	const char *y = social_str(*(json_t *const *)b, "id");

	return social_id_cmp(x ? x : "0", y ? y : "0");
}

/* One page's items (statuses or notifications), oldest first; advances
 * cursor.  0 or -1. */
static int
take_page(struct masto *mt, const struct source *src, json_t *items, char *cursor,
    size_t cursor_len, struct err *e)
{
	json_t **v, *it, *st;
	const char *id, *type;
	size_t n = json_array_size(items), i, k = 0;
	int ret = 0;

	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	json_array_foreach(items, i, it) {
		if (social_id_string(it, "id") == -1) {
			free(v);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		if (json_is_object(it) && social_str(it, "id") != NULL)
			v[k++] = it;
		else
			log_info("channel=%s host=%s event=skip-item source=%s index=%zu "
			    "why=\"no id\"", mt->ch->name, mt->host, src->name, i);
	}
	/* Mastodon lists newest first; the cursor must only move forward. */
	qsort(v, k, sizeof(*v), by_id);
	for (i = 0; i < k && ret == 0; i++) {
		id = social_str(v[i], "id");
		if (*cursor != '\0' && social_id_cmp(id, cursor) <= 0)
			continue;	/* a server that ignored min_id */
		st = v[i];
		if (src->kind == SRC_MENTIONS) {
			/* A mention, or a quote of the brand's post (Mastodon 4.4):
			 * the status is the customer's.  update and quoted_update:
			 * a post was edited.  The rest (favourites, follows, ...)
			 * a server that ignored types[] sent anyway. */
			type = social_str(v[i], "type");
			st = json_object_get(v[i], "status");
			if (type == NULL || !json_is_object(st)) {
				log_debug("channel=%s host=%s event=skip-notification id=%s "
				    "why=\"no type or status\"", mt->ch->name, mt->host, id);
				st = NULL;
			} else if (strcmp(type, "update") == 0 ||
			    strcmp(type, "quoted_update") == 0) {
				ret = take_edit(mt, st, type, e);
				st = NULL;
			} else if (strcmp(type, "mention") != 0 && strcmp(type, "quote") != 0) {
				log_debug("channel=%s host=%s event=skip-notification id=%s "
				    "type=%.40s why=\"not a post to answer\"", mt->ch->name, mt->host,
				    id, type);
				st = NULL;
			}
		}
		if (st != NULL)
			ret = take_status(mt, st, e);
		if (ret == 0)
			(void)esc_strlcpy(cursor, id, cursor_len);
	}
	free(v);
	return ret;
}

/* A source's page from min_id (NULL: the newest).  Mentions ask for
 * quotes and edits too, unless the server refused those types. */
static char *
source_url(struct masto *mt, const struct source *src, const char *min_id)
{
	int wide = src->kind == SRC_MENTIONS && !mt->mentions_only;
	char lim[8];

	(void)snprintf(lim, sizeof(lim), "%d", MASTODON_PAGE);
	return http_url(mt->http, src->path,
	    "types[]", src->kind == SRC_MENTIONS ? "mention" : NULL,
	    "types[]", wide ? "quote" : NULL,
	    "types[]", wide ? "update" : NULL,
	    "types[]", wide ? "quoted_update" : NULL,
	    "exclude_reblogs", src->kind == SRC_OWN ? "true" : NULL,
	    "q", src->query, "type", src->kind == SRC_SEARCH ? "statuses" : NULL,
	    "min_id", min_id, "limit", lim, NULL);
}

/* Reads one source from its cursor to the newest page. */
static int
walk(struct masto *mt, const struct source *src, struct err *e)
{
	struct http_response resp;
	json_t *j = NULL, *items;
	char cursor[SOCIAL_CURSOR_MAX], before[SOCIAL_CURSOR_MAX], what[700];
	char *url = NULL, *next, *link;
	int r, pages, ret = -1, forward;

	http_response_init(&resp);
	if ((r = store_cursor_get(mt->in->store, mt->in->channel_id, src->name, cursor,
	    sizeof(cursor), e)) == -1)
		return -1;
	if (r == 0)
		cursor[0] = '\0';
	/* The account's own history from the start; others from now on. */
	forward = *cursor != '\0' || src->kind == SRC_MENTIONS || src->kind == SRC_OWN;
	url = source_url(mt, src, forward ? (*cursor ? cursor : "0") : NULL);
	(void)snprintf(what, sizeof(what), "GET %s", src->path);
	for (pages = 0; pages < MASTODON_PAGES; pages++) {
		if (url == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (get(mt, url, &resp, e) == -1) {
			/* Pleroma and Akkoma check types[] against the types they
			 * know and answer 400 to the others: mentions then. */
			if (src->kind != SRC_MENTIONS || mt->mentions_only || pages > 0 ||
			    (resp.status != 400 && resp.status != 422))
				goto out;
			log_info("channel=%s host=%s event=types-refused status=%ld why=\"the "
			    "server takes no quote or update notifications; mentions only\"",
			    mt->ch->name, mt->host, resp.status);
			mt->mentions_only = 1;
			free(url);
			url = source_url(mt, src, *cursor ? cursor : "0");
			pages--;
			continue;
		}
		json_decref(j);
		if ((j = social_json(what, &resp, src->kind == SRC_SEARCH ? JSON_OBJECT :
		    JSON_ARRAY, e)) == NULL)
			goto out;
		items = src->kind == SRC_SEARCH ? json_object_get(j, "statuses") : j;
		if (!json_is_array(items)) {
			err_set(e, ERR_DATA, "%s: no \"statuses\" array in the response", what);
			goto out;
		}
		if (json_array_size(items) == 0)
			break;
		(void)esc_strlcpy(before, cursor, sizeof(before));
		if (take_page(mt, src, items, cursor, sizeof(cursor), e) == -1 ||
		    intake_flush(mt->in, src->name, *cursor ? cursor : NULL, e) == -1)
			goto out;
		/* One page for a search, and for the first look at a tag; no
		 * progress means the server repeats itself. */
		if (src->kind == SRC_SEARCH || !forward || strcmp(before, cursor) == 0)
			break;
		/* The server's own link when it points back at the instance; one
		 * that does not (a proxy that says http://, another host name)
		 * must not get the token, and the cursor says as much. */
		if ((link = resp.link_prev) != NULL && !http_same_origin(mt->http, link)) {
			log_debug("channel=%s host=%s event=link-ignored source=%s why=\"not the "
			    "instance's origin\"", mt->ch->name, mt->host, src->name);
			link = NULL;
		}
		next = link != NULL ? strdup(link) : source_url(mt, src, cursor);
		free(url);
		url = next;
	}
	ret = 0;
out:
	json_decref(j);
	free(url);
	http_response_release(&resp);
	return ret;
}

/* ---- edits and deletions -------------------------------------------- */

struct recheck {
	char	**ids;
	size_t	 count, next;	/* a ring of the newest MASTODON_RECHECK */
};

static int
collect(void *arg, const char *external_id, struct err *e)
{
	struct recheck *rc = arg;
	char *id;

	if ((id = strdup(external_id)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (rc->count < MASTODON_RECHECK)
		rc->ids[rc->count++] = id;
	else {
		free(rc->ids[rc->next]);
		rc->ids[rc->next] = id;
		rc->next = (rc->next + 1) % MASTODON_RECHECK;
	}
	return 0;
}

static int
recheck(struct masto *mt, struct err *e)
{
	struct recheck rc = { NULL, 0, 0 };
	struct http_request req = { .bearer = mt->token };
	struct http_response resp;
	json_t *j;
	const char *edited;
	char path[128], *url;
	size_t i;
	time_t at;
	int ret = 0;

	if ((rc.ids = calloc(MASTODON_RECHECK, sizeof(*rc.ids))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	http_response_init(&resp);
	if (store_open_messages(mt->in->store, mt->in->channel_id, collect, &rc, e) == -1)
		ret = -1;
	for (i = 0; i < rc.count && ret == 0; i++) {
		/* Mastodon's ids are decimal, Pleroma's and Akkoma's base62,
		 * GoToSocial's ULIDs: letters and digits all. */
		if (rc.ids[i][0] == '\0' || strspn(rc.ids[i], "0123456789"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != strlen(rc.ids[i]) ||
		    strlen(rc.ids[i]) > 64)
			continue;	/* not a status id */
		(void)snprintf(path, sizeof(path), "/api/v1/statuses/%s", rc.ids[i]);
		if ((url = http_url(mt->http, path, NULL)) == NULL) {
			ret = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		req.url = url;
		ret = http_request(mt->http, &req, &resp, e);
		free(url);
		if (ret == -1)
			break;
		if (resp.status == 404 || resp.status == 410)
			ret = intake_delete(mt->in, rc.ids[i], mt->in->now, e) == -1 ? -1 : 0;
		else if (resp.status == 403)
			/* Hidden from us (the author blocked the account, a
			 * server's authorized fetch): neither edited nor known to
			 * be deleted.  Failing the poll would repeat on every
			 * poll and check none of the posts after it. */
			log_info("channel=%s host=%s event=recheck-refused status_id=%s "
			    "why=\"403: the server no longer shows this post; kept as it was\"",
			    mt->ch->name, mt->host, rc.ids[i]);
		else if (resp.status != 200)
			ret = http_fail(mt->http, "GET /api/v1/statuses/ID", &resp, e);
		else if ((j = social_json("GET /api/v1/statuses/ID", &resp, JSON_OBJECT, e)) == NULL)
			ret = -1;
		else {
			if ((edited = social_str(j, "edited_at")) != NULL &&
			    time_parse(edited, &at) == 0 &&
			    status_edit(mt, j, rc.ids[i], at, e) == -1)
				ret = -1;
			json_decref(j);
		}
		if (ret == 0)
			ret = intake_flush(mt->in, NULL, NULL, e);
	}
	for (i = 0; i < rc.count; i++)
		free(rc.ids[i]);
	free(rc.ids);
	http_response_release(&resp);
	return ret;
}

/* ---- the interface --------------------------------------------------- */

static int
mastodon_open(void **state, const struct conf_channel *ch, struct err *e)
{
	struct masto *mt;

	*state = NULL;
	if (ch->instance == NULL || ch->token_file == NULL)
		return err_set(e, ERR_CONFIG, "mastodon channel '%s' needs instance and "
		    "token-file", ch->name);
	if ((mt = calloc(1, sizeof(*mt))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	mt->ch = ch;
	buf_init(&mt->text, MASTODON_TEXT_MAX);
	buf_init(&mt->quote, MASTODON_TEXT_MAX);
	if (http_open(&mt->http, ch->name, ch->instance, e) == -1) {
		free(mt);
		return -1;
	}
	(void)esc_strlcpy(mt->host, http_host(mt->http), sizeof(mt->host));
	*state = mt;
	return 0;
}

/* A path segment: bytes other than letters, digits and '_' as %XX. */
static void
path_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; *s != '\0' && o + 4 < len; s++) {
		c = (unsigned char)*s;
		if (c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static int
mastodon_sources(struct masto *mt, struct err *e)
{
	struct source src;
	size_t i;

	memset(&src, 0, sizeof(src));
	src.kind = SRC_MENTIONS;
	(void)snprintf(src.name, sizeof(src.name), "notifications");
	(void)snprintf(src.path, sizeof(src.path), "/api/v1/notifications");
	if (walk(mt, &src, e) == -1)
		return -1;
	src.kind = SRC_OWN;
	(void)snprintf(src.name, sizeof(src.name), "statuses");
	(void)snprintf(src.path, sizeof(src.path), "/api/v1/accounts/%s/statuses", mt->me_id);
	if (walk(mt, &src, e) == -1)
		return -1;
	for (i = 0; i < mt->ch->hashtags_count; i++) {
		src.kind = SRC_TAG;
		(void)snprintf(src.name, sizeof(src.name), "tag:%s", mt->ch->hashtags[i]);
		(void)snprintf(src.path, sizeof(src.path), "/api/v1/timelines/tag/");
		path_escape(mt->ch->hashtags[i], src.path + strlen(src.path),
		    sizeof(src.path) - strlen(src.path));
		if (walk(mt, &src, e) == -1)
			return -1;
	}
	for (i = 0; i < mt->ch->searches_count; i++) {
		src.kind = SRC_SEARCH;
		(void)snprintf(src.name, sizeof(src.name), "search:%.256s", mt->ch->searches[i]);
		(void)snprintf(src.path, sizeof(src.path), "/api/v2/search");
		src.query = mt->ch->searches[i];
		if (walk(mt, &src, e) == -1)
			return -1;
	}
	return 0;
}

static int
mastodon_poll(void *state, struct intake *in, struct err *e)
{
	struct masto *mt = state;
	char token[SOCIAL_SECRET_MAX];
	int ret = -1;

	mt->in = in;
	if (social_begin(in, mt->http, e) == -1)
		return -1;
	if (secret_read(mt->ch->token_file, token, sizeof(token), e) == -1)
		goto out;
	mt->token = token;
	if (*mt->me_id == '\0' && verify_account(mt, e) == -1)
		goto out;
	if (mastodon_sources(mt, e) == -1 || recheck(mt, e) == -1)
		goto out;
	ret = 0;
out:
	explicit_bzero(token, sizeof(token));
	mt->token = NULL;
	if (ret == -1) {
		social_end(in, mt->http);
		social_log_fail(mt->ch->name, mt->host, "poll-failed", e);
	}
	mt->in = NULL;
	return ret;
}

static int
mastodon_wait(void *state, int timeout, struct err *e)
{
	(void)state;
	(void)e;
	/* No push here (streaming is for later): the time passes. */
	return connector_sleep((long)timeout * 1000, NULL) == 0 ? 0 : 1;
}

static void
mastodon_close(void *state)
{
	struct masto *mt = state;

	if (mt == NULL)
		return;
	http_close(mt->http);
	buf_release(&mt->text);
	buf_release(&mt->quote);
	free(mt);
}

static time_t
mastodon_not_before(void *state)
{
	struct masto *mt = state;

	return mt != NULL ? http_not_before(mt->http) : 0;
}

const struct connector_ops mastodon_connector = {
	.kind = "mastodon",
	.open = mastodon_open,
	.poll = mastodon_poll,
	.wait = mastodon_wait,
	.close = mastodon_close,
	.not_before = mastodon_not_before,
};
