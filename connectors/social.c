/* social.c -- shared by the social connectors; see social.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/text.h"
#include "common/util.h"
#include "connectors/http.h"
#include "connectors/social.h"
#include "intake/intake.h"
#include "intake/message.h"
#include "intake/trim.h"
#include "store/store.h"

int
social_begin(struct intake *in, struct http *h, struct err *e)
{
	char cur[64], when[64], *end;
	long long t;
	int r;

	http_set_now(h, in->now);
	if ((r = store_cursor_get(in->store, in->channel_id, SOCIAL_NOT_BEFORE, cur,
	    sizeof(cur), e)) == -1)
		return -1;
	if (r == 1) {
		errno = 0;
		t = strtoll(cur, &end, 10);
		if (errno == 0 && *end == '\0' && (time_t)t > http_not_before(h))
			http_set_not_before(h, (time_t)t);
	}
	if (http_not_before(h) > in->now) {
		err_set(e, ERR_NET, "%s: rate limited, %s", http_host(h),
		    http_when(http_not_before(h), when, sizeof(when)));
		log_info("channel=%s host=%s event=waiting %s", in->channel, http_host(h), when);
		return -1;
	}
	return 0;
}

void
social_end(struct intake *in, struct http *h)
{
	struct err e = ERR_INIT;
	char cur[32];

	if (http_not_before(h) <= in->now)
		return;
	intake_release(in);	/* a failed batch never commits */
	(void)snprintf(cur, sizeof(cur), "%lld", (long long)http_not_before(h));
	if (intake_flush(in, SOCIAL_NOT_BEFORE, cur, &e) == -1)
		log_warnx("channel=%s event=save-not-before error=\"%s\"", in->channel, e.msg);
}

json_t *
social_json(const char *what, const struct http_response *resp, json_type type,
    struct err *e)
{
	json_error_t je;
	json_t *j;
	char esc[128];

	if ((j = json_loadb(resp->body.buf != NULL ? resp->body.buf : "", resp->body.len, 0,
	    &je)) == NULL) {
		err_set(e, ERR_DATA, "%s: invalid JSON at line %d column %d: %s", what,
		    je.line, je.column, log_escape(je.text, esc, sizeof(esc)));
		return NULL;
	}
	if (json_typeof(j) != type) {
		err_set(e, ERR_DATA, "%s: expected a JSON %s", what,
		    type == JSON_ARRAY ? "array" : "object");
		json_decref(j);
		return NULL;
	}
	return j;
}

const char *
social_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int
social_id_string(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	char num[32];

	if (!json_is_integer(v))
		return 0;
	(void)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return json_object_set_new(obj, key, json_string(num));	/* NULL string: -1 */
}

long
social_long(json_t *obj, const char *key, long dflt)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_string(v)) {		/* some servers quote numbers */
		char *end;
		long n;

		errno = 0;
		n = strtol(json_string_value(v), &end, 10);
		if (errno == 0 && *end == '\0' && end != json_string_value(v))
			return n;
	}
	return dflt;
}

int
social_id_cmp(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == '0' && a[1] != '\0')
		a++;
	while (*b == '0' && b[1] != '\0')
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

const char *
social_dup(struct message *m, const char *s)
{
	return arena_strdup(&m->arena, s != NULL ? s : "");
}

int
social_text(struct message *m, const char *text, struct err *e)
{
	char subj[SOCIAL_SUBJECT_MAX + 4];
	const char *p = text;
	size_t n, cut;

	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	n = strcspn(p, "\n");
	if (n > SOCIAL_SUBJECT_MAX) {
		/* At a space if there is one late enough, else at a character. */
		for (cut = SOCIAL_SUBJECT_MAX; cut > SOCIAL_SUBJECT_MAX / 2 && p[cut] != ' '; cut--)
			;
		if (p[cut] != ' ')
			for (cut = SOCIAL_SUBJECT_MAX; cut > 0 &&
			    ((unsigned char)p[cut] & 0xc0) == 0x80; cut--)
				;
		memcpy(subj, p, cut);
		memcpy(subj + cut, "...", 4);
	} else {
		memcpy(subj, p, n);
		subj[n] = '\0';
	}
	for (n = 0; subj[n] != '\0'; n++)
		if ((unsigned char)subj[n] < 0x20)
			subj[n] = ' ';
	/* Surrounding blank lines and spaces are the converter's, not the
	 * author's. */
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	if ((m->text = arena_strndup(&m->arena, p, n)) == NULL ||
	    (m->subject = arena_strdup(&m->arena, subj)) == NULL ||
	    (m->text_scored = trim_for_scoring(&m->arena, m->text, 1)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory for a post's text");
	return 0;
}

int
social_quote(struct buf *b, const char *head, const char *text, struct err *e)
{
	const char *p;
	size_t n;

	if (buf_addstr(b, "> ", e) == -1 ||
	    text_oneline(b, head, SOCIAL_QUOTE_HEAD_MAX, e) == -1)
		return -1;
	for (p = text != NULL ? text : ""; *p != '\0';) {
		n = strcspn(p, "\r\n");
		if (buf_printf(b, e, "\n> %.*s", (int)n, p) == -1)
			return -1;
		p += n;
		if (p[0] == '\r' && p[1] == '\n')
			p += 2;
		else if (*p != '\0')
			p++;
	}
	return 0;
}

int
social_lang(struct message *m, json_t *v, struct err *e)
{
	char out[128];
	const char *tag;
	size_t i, o = 0, n, k, start, kept;
	json_t *one;

	out[0] = '\0';
	for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
		one = json_is_array(v) ? json_array_get(v, i) : v;
		if (!json_is_string(one))
			continue;
		tag = json_string_value(one);
		/* BCP 47 tags are short; a longer one is not a tag. */
		if ((n = strlen(tag)) == 0 || n > 35 || o + n + 3 > sizeof(out))
			continue;
		/* The separator only once the tag proves to have something left. */
		start = o > 0 ? o + 2 : 0;
		kept = 0;
		for (k = 0; k < n; k++)
			if ((tag[k] >= 'a' && tag[k] <= 'z') || (tag[k] >= 'A' && tag[k] <= 'Z') ||
			    (tag[k] >= '0' && tag[k] <= '9') || tag[k] == '-')
				out[start + kept++] = tag[k];
		if (kept == 0)
			continue;
		if (o > 0) {
			out[o] = ',';
			out[o + 1] = ' ';
		}
		o = start + kept;
		out[o] = '\0';
	}
	if (o == 0)
		return 0;
	if ((m->lang = arena_strdup(&m->arena, out)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory for a post's language");
	return 0;
}

int
social_attach(struct message *m, const char *name, const char *type, const char *kind,
    long long size, const char *url, struct err *e)
{
	struct attachment *a;
	char mime[64], *lower;
	const char *slash, *end;
	size_t n;

	if (m->atts_count >= SOCIAL_ATTS_MAX) {
		message_warn(m, "more than %d media files, one not listed", SOCIAL_ATTS_MAX);
		return 0;
	}
	/* Room for all at once: posts carry a handful. */
	if (m->atts == NULL &&
	    (m->atts = arena_alloc(&m->arena, SOCIAL_ATTS_MAX * sizeof(*m->atts))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory for a post's media");
	a = &m->atts[m->atts_count];
	memset(a, 0, sizeof(*a));
	if ((name == NULL || *name == '\0') && url != NULL) {
		end = url + strcspn(url, "?#");
		for (slash = end; slash > url && slash[-1] != '/'; slash--)
			;
		a->name = arena_strndup(&m->arena, slash, (size_t)(end - slash));
	} else
		a->name = arena_strdup(&m->arena, name != NULL ? name : "");
	if (type == NULL || *type == '\0') {
		/* Mastodon says only what kind of media; gifv is a silent video. */
		if (kind == NULL || strcmp(kind, "unknown") == 0 || *kind == '\0')
			type = "application/octet-stream";
		else {
			(void)snprintf(mime, sizeof(mime), "%s/*",
			    strcmp(kind, "gifv") == 0 ? "video" : kind);
			type = mime;
		}
	}
	if ((n = strlen(type)) > 127)
		n = 127;
	if ((lower = arena_strndup(&m->arena, type, n)) != NULL)
		ascii_lower(lower);
	a->type = lower;
	a->size = size >= 0 ? (size_t)size : 0;
	a->size_unknown = size < 0;
	a->url = url != NULL ? arena_strdup(&m->arena, url) : NULL;
	if (a->name == NULL || a->type == NULL || (url != NULL && a->url == NULL))
		return err_set(e, ERR_NOMEM, "out of memory for a post's media");
	m->atts_count++;
	return 0;
}

void
social_log_fail(const char *channel, const char *host, const char *event,
    const struct err *e)
{
	char esc[600];

	log_warnx("channel=%s host=%s event=%s error=\"%s\"", channel, host, event,
	    log_escape(e->msg, esc, sizeof(esc)));
}
