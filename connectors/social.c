/* social.c -- shared by the social connectors; see social.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
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
	    (m->text_scored = trim_for_scoring(&m->arena, m->text)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory for a post's text");
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
