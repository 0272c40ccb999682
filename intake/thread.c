/* thread.c -- threading messages into tickets; see thread.h.  Pure
 * string work here plus lookups through store/, which keeps the
 * Message-ID -> ticket map (thread_ref) that makes out-of-order arrival
 * work: every id a message carries or references points at its ticket. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/model.h"
#include "intake/message.h"
#include "intake/thread.h"
#include "store/store.h"

int64_t
thread_subject_tag(const char *s)
{
	const char *p;

	for (p = s; (p = strstr(p, "[#")) != NULL; p += 2) {
		const char *q = p + 2;
		int64_t n = 0;
		int nd = 0;

		while (isdigit((unsigned char)*q) && nd < 15) {
			n = n * 10 + (*q - '0');
			q++;
			nd++;
		}
		if (nd > 0 && *q == ']' && n > 0)
			return n;
	}
	return 0;
}

/* Reply and forward prefixes in the languages mail clients write them:
 * English, German (AW, WG), Nordic (SV, VS, VB), Dutch (Antw, Doorst),
 * French (TR), Spanish/Portuguese (RV, ENC), Italian (R, I), Polish (ODP,
 * PD), Finnish (VL), Turkish (YNT), Czech (Odp), Greek-less ASCII forms. */
static const char *prefixes[] = {
	"re", "fw", "fwd", "aw", "wg", "sv", "vs", "vb", "antw", "doorst",
	"tr", "rv", "enc", "odp", "pd", "vl", "ynt", "ref", "rif", "r", "i",
};

/* Length of a reply prefix at s ("Re:", "RE :", "Re[3]:", "Re(2):"), or 0. */
static size_t
prefix_len(const char *s)
{
	size_t i, n;
	const char *p;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (strncasecmp(s, prefixes[i], n) != 0)
			continue;
		p = s + n;
		if (*p == '[' || *p == '(') {
			char close = *p == '[' ? ']' : ')';

			for (p++; isdigit((unsigned char)*p); p++)
				;
			if (*p != close)
				continue;
			p++;
		}
		while (*p == ' ')
			p++;
		if (*p == ':' || (*p == '\xef' && strncmp(p, "\xef\xbc\x9a", 3) == 0))
			return (size_t)(p - s) + (*p == ':' ? 1 : 3);	/* also the full-width colon */
	}
	return 0;
}

char *
thread_subject_key(const char *subject, char *out, size_t len, int *replyish)
{
	const char *s = subject;
	size_t o = 0, n;
	int changed = 1, space = 0;

	if (replyish != NULL)
		*replyish = 0;
	while (changed) {
		changed = 0;
		while (isspace((unsigned char)*s))
			s++;
		if ((n = prefix_len(s)) > 0) {
			s += n;
			changed = 1;
			if (replyish != NULL)
				*replyish = 1;
		} else if (*s == '[') {
			/* [list-name] or [#123]: drop a bracketed tag without spaces
			 * inside; a "[URGENT] printer on fire" keeps no tag either. */
			const char *q = strchr(s, ']');

			if (q != NULL && q - s <= 40) {
				s = q + 1;
				changed = 1;
			}
		}
	}
	for (; *s != '\0' && o + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (isspace(c)) {
			space = o > 0;
			continue;
		}
		if (c == '[' && s[1] == '#' && thread_subject_tag(s) > 0) {
			s = strchr(s, ']');	/* our own tag anywhere in the subject */
			continue;
		}
		if (space && o + 2 < len)
			out[o++] = ' ';
		space = 0;
		out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
	return out;
}

const char *
thread_how_name(int how)
{
	switch (how) {
	case THREAD_TAG:	return "tag";
	case THREAD_CHILD:	return "reply-seen-first";
	case THREAD_REFS:	return "references";
	case THREAD_SUBJECT:	return "subject";
	default:		return "new";
	}
}

/* A subject key worth matching on its own: long enough not to be "help"
 * or "question", which many unrelated mails share. */
#define SUBJECT_KEY_MIN	12

int
thread_find(struct store *st, const struct message *m, const char *customer,
    int64_t *ticket, int *how, struct err *e)
{
	struct ticket t;
	char key[512];
	int64_t tag;
	size_t i;
	int r, replyish;

	*ticket = 0;
	*how = THREAD_NEW;
	if ((tag = thread_subject_tag(m->subject)) > 0) {
		ticket_init(&t);
		r = store_ticket_get(st, tag, &t, e);
		ticket_release(&t);
		if (r == -1)
			return -1;
		if (r == 1) {
			*ticket = tag;
			*how = THREAD_TAG;
			return 1;
		}
		/* An unknown tag (another installation's, or a typo) is ignored. */
	}
	if ((r = store_thread_find(st, m->message_id, ticket, e)) != 0) {
		if (r == 1)
			*how = THREAD_CHILD;
		return r;
	}
	/* Newest reference first: the direct parent is the best witness. */
	for (i = m->refs_count; i > 0; i--) {
		if ((r = store_thread_find(st, m->refs[i - 1], ticket, e)) != 0) {
			if (r == 1)
				*how = THREAD_REFS;
			return r;
		}
	}
	if (customer == NULL || *customer == '\0')
		return 0;
	thread_subject_key(m->subject, key, sizeof(key), &replyish);
	if (key[0] == '\0' || (!replyish && strlen(key) < SUBJECT_KEY_MIN))
		return 0;
	r = store_thread_find_subject(st, customer, key, m->date - THREAD_SUBJECT_WINDOW,
	    ticket, e);
	if (r == 1)
		*how = THREAD_SUBJECT;
	return r;
}
