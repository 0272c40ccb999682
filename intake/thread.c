/* thread.c -- threading messages into tickets; see thread.h.  Pure
 * string work here plus lookups through store/, which keeps the
 * Message-ID -> ticket map (thread_ref) that makes out-of-order arrival
 * work: every id a message carries or references points at its ticket.
 *
 * Merging.  Out of order, one conversation can open two tickets before
 * the message that links them arrives (C answers B answers A, arriving
 * C, A, B: C opens one ticket knowing B, A another, B links both).  When
 * a message's ids point at more than one ticket, thread_link makes them
 * one: every younger ticket (higher number, opened later) is merged into
 * the oldest, unless the team has worked on it already -- it is not new
 * (pending, resolved, closed), has an owner, a hand-off, a team reply,
 * or an event only the team or a notice makes (answered-flag, assigned,
 * escalated, also by rule or at the customer's asking, deescalated,
 * handoff, note, notification-queued, notified, pending, resolved,
 * closed, reopened, a tag set by a person).  An acknowledgement (tier 0
 * autoreply) is not work: its [#N] keeps working, by merged_into.  A
 * ticket that may not be merged stays as it is, and both get a "related"
 * event naming the other, once.
 *
 * A merge moves the younger ticket's messages and thread references to
 * the survivor; events stay where they were written (they are
 * append-only), and each ticket gets a "merged" event naming the other.
 * The survivor adds the counters, starts when the earlier of the two
 * started (taking its subject and customer), takes the priority and
 * urgency of whichever holds the newest customer message, the higher
 * tier, a department if it had none and the union of the tags, and is
 * reopened when it was resolved before that message.  The absorbed
 * ticket is closed, holds no messages and points at the survivor
 * (ticket.merged_into); its SLA clocks end with no breach, since the
 * sweep finds no message to run them, and the survivor's first-response
 * clock starts at the earliest customer message of both.  Merging works
 * in any arrival order: every link is seen by the later of the two
 * messages, so a conversation ends as one ticket, whatever the order,
 * as long as the team has not worked on a part of it. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
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
    int64_t *ticket, int *how, size_t *looked, struct err *e)
{
	struct ticket t;
	char key[512];
	int64_t tag, into;
	size_t i;
	int r, replyish;

	*ticket = 0;
	*how = THREAD_NEW;
	*looked = 0;
	if ((tag = thread_subject_tag(m->subject)) > 0) {
		ticket_init(&t);
		r = store_ticket_get(st, tag, &t, e);
		/* A tag from an acknowledgement of a ticket merged since. */
		into = t.merged_into;
		ticket_release(&t);
		if (r == -1)
			return -1;
		if (r == 1) {
			*ticket = into != 0 ? into : tag;
			*how = THREAD_TAG;
			return 1;
		}
		/* An unknown tag (another installation's, or a typo) is ignored. */
	}
	*looked = 1;
	if ((r = store_thread_find(st, m->message_id, ticket, e)) != 0) {
		if (r == 1)
			*how = THREAD_CHILD;
		return r;
	}
	/* Newest reference first: the direct parent is the best witness. */
	for (i = m->refs_count; i > 0; i--) {
		++*looked;
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

/*
 * Merging (the rule is atop this file).
 */

/* 1 when x may be merged into an older ticket, 0 with why set when the
 * team has worked on it, -1 error. */
static int
mergeable(struct store *st, const struct ticket *x, char *why, size_t len,
    struct err *e)
{
	char what[64];
	int r;

	if (x->status != STATUS_NEW) {
		(void)snprintf(why, len, "#%" PRId64 " is %s", x->id, status_name(x->status));
		return 0;
	}
	if (x->owner != NULL) {
		(void)snprintf(why, len, "#%" PRId64 " is assigned", x->id);
		return 0;
	}
	if (x->handoffs > 0) {
		(void)snprintf(why, len, "#%" PRId64 " was handed on", x->id);
		return 0;
	}
	if ((r = store_ticket_activity(st, x->id, what, sizeof(what), e)) != 0) {
		if (r == 1)
			(void)snprintf(why, len, "#%" PRId64 " has a %s", x->id, what);
		return r == 1 ? 0 : -1;
	}
	return 1;
}

/* x's tags not in s, added to s's. */
static int
tags_union(struct ticket *s, const struct ticket *x, struct err *e)
{
	const char *p, *comma;
	char tag[256], *all;
	size_t n;

	for (p = x->tags; p != NULL && *p != '\0'; p = comma != NULL ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n >= sizeof(tag))
			continue;
		memcpy(tag, p, n);
		tag[n] = '\0';
		if (ticket_tags_have(s->tags, tag))
			continue;
		n = (s->tags != NULL ? strlen(s->tags) + 1 : 0) + n + 1;
		if ((all = malloc(n)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory merging tags");
		(void)snprintf(all, n, "%s%s%s", s->tags != NULL ? s->tags : "",
		    s->tags != NULL ? "," : "", tag);
		free(s->tags);
		s->tags = all;
	}
	return 0;
}

static void
swap_str(char **a, char **b)
{
	char *t = *a;

	*a = *b;
	*b = t;
}

/* Merges x into s (both as stored) on account of m: the store moves the
 * messages and references, this file the fields (the rule atop). */
static int
merge(struct store *st, const struct message *m, struct ticket *s, struct ticket *x,
    struct err *e)
{
	char id[256];
	int reopen;

	if (store_ticket_merge(st, x->id, s->id, e) == -1)
		return -1;
	reopen = s->status >= STATUS_RESOLVED && x->last_inbound > s->resolved;
	s->messages += x->messages;
	s->exchanges += x->exchanges;
	if (x->created < s->created) {
		s->created = x->created;
		swap_str(&s->subject, &x->subject);
		swap_str(&s->subject_key, &x->subject_key);
		swap_str(&s->customer, &x->customer);
		swap_str(&s->customer_name, &x->customer_name);
	}
	if (x->updated > s->updated)
		s->updated = x->updated;
	if (x->last_inbound > s->last_inbound) {
		s->last_inbound = x->last_inbound;
		s->priority = x->priority;
		s->urgency = x->urgency;
		if (s->status == STATUS_PENDING)
			s->status = STATUS_OPEN;	/* the customer answered */
	}
	if (x->tier > s->tier)
		s->tier = x->tier;
	if (s->department == NULL && x->department != NULL)
		swap_str(&s->department, &x->department);
	if (tags_union(s, x, e) == -1)
		return -1;
	if (reopen)
		s->status = STATUS_OPEN;
	x->status = STATUS_CLOSED;
	x->messages = x->exchanges = 0;
	/* Out of the subject fallback's index: the survivor answers there. */
	free(x->subject_key);
	x->subject_key = NULL;
	if (store_ticket_update(st, s, e) == -1 || store_ticket_update(st, x, e) == -1 ||
	    store_event_json(st, s->id, m->date, "merged", "escalator",
	    json_pack("{s:I, s:s, s:s}", "absorbed", (json_int_t)x->id,
	    "message_id", m->message_id, "reason", "one conversation"), e) == -1 ||
	    store_event_json(st, x->id, m->date, "merged", "escalator",
	    json_pack("{s:I, s:s, s:s}", "into", (json_int_t)s->id,
	    "message_id", m->message_id, "reason", "one conversation"), e) == -1 ||
	    (reopen && store_event_json(st, s->id, m->date, "reopened", "escalator",
	    json_pack("{s:s, s:s}", "from", status_name(STATUS_RESOLVED),
	    "reason", "a merged ticket has newer customer mail"), e) == -1))
		return -1;
	x->merged_into = s->id;
	log_info("ticket=%" PRId64 " event=merged absorbed=%" PRId64 " message_id=\"%s\"",
	    s->id, x->id, log_escape(m->message_id, id, sizeof(id)));
	return 0;
}

/* Records, once, that s and x are one conversation kept apart. */
static int
relate(struct store *st, const struct message *m, const struct ticket *s,
    const struct ticket *x, const char *why, struct err *e)
{
	char id[256];
	int r;

	if ((r = store_ticket_related(st, s->id, x->id, e)) != 0)
		return r == 1 ? 0 : -1;
	if (store_event_json(st, s->id, m->date, "related", "escalator",
	    json_pack("{s:I, s:s, s:s}", "ticket", (json_int_t)x->id,
	    "message_id", m->message_id, "kept_apart", why), e) == -1 ||
	    store_event_json(st, x->id, m->date, "related", "escalator",
	    json_pack("{s:I, s:s, s:s}", "ticket", (json_int_t)s->id,
	    "message_id", m->message_id, "kept_apart", why), e) == -1)
		return -1;
	log_info("ticket=%" PRId64 " event=related ticket=%" PRId64 " message_id=\"%s\""
	    " kept_apart=\"%s\"", s->id, x->id, log_escape(m->message_id, id, sizeof(id)),
	    why);
	return 0;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* m (in t) links t and the tickets in links[n]: merges or relates each
 * to the oldest of them.  t becomes the survivor when it is absorbed. */
static int
join(struct store *st, const struct message *m, struct ticket *t, int64_t *links,
    size_t n, struct err *e)
{
	struct ticket s, x, *sp = t, *xp;
	char why[128];
	size_t i;
	int r, absorbed = 0, ret = -1;

	ticket_init(&s);
	links[n++] = t->id;	/* the caller left room */
	qsort(links, n, sizeof(links[0]), cmp_id);
	if (links[0] != t->id) {
		if ((r = store_ticket_get(st, links[0], &s, e)) != 1) {
			if (r == 0)
				err_set(e, ERR_SOFTWARE, "thread points at missing ticket %"
				    PRId64, links[0]);
			goto out;
		}
		sp = &s;
	}
	for (i = 1; i < n; i++) {
		ticket_init(&x);
		xp = &x;
		if (links[i] == t->id)
			xp = t;
		else if ((r = store_ticket_get(st, links[i], &x, e)) != 1) {
			if (r == 0)
				err_set(e, ERR_SOFTWARE, "thread points at missing ticket %"
				    PRId64, links[i]);
			goto out;
		}
		if ((r = mergeable(st, xp, why, sizeof(why), e)) == 1) {
			r = merge(st, m, sp, xp, e);
			absorbed |= xp == t;
		} else if (r == 0)
			r = relate(st, m, sp, xp, why, e);
		ticket_release(&x);
		if (r == -1)
			goto out;
	}
	if (absorbed) {
		ticket_release(t);
		*t = s;
		ticket_init(&s);
	}
	ret = 0;
out:
	ticket_release(&s);
	return ret;
}

int
thread_link(struct store *st, const struct message *m, struct ticket *t, size_t looked,
    int hit, struct err *e)
{
	int64_t links[THREAD_LINKS_MAX + 1], other;
	const char *id;
	size_t i, k, n = 0;
	int r;

	/* In thread_find's order: the message's own id, then its
	 * references newest first.  What thread_find looked up is known:
	 * absent, or (the last, when hit) this ticket's; only the older
	 * references it did not reach are looked up here, so a reply in
	 * order costs what it did before the merging (a lookup or an
	 * ignored insert find the same row). */
	for (i = 0; i <= m->refs_count; i++) {
		id = i == 0 ? m->message_id : m->refs[m->refs_count - i];
		if (i < looked) {
			if (hit && i == looked - 1)
				continue;
		} else if ((r = store_thread_find(st, id, &other, e)) != 0) {
			if (r == -1)
				return -1;
			if (other == t->id)
				continue;
			for (k = 0; k < n && links[k] != other; k++)
				;
			if (k == n && n < THREAD_LINKS_MAX)
				links[n++] = other;
			continue;
		}
		if (store_thread_ref_add(st, id, t->id, e) == -1)
			return -1;
	}
	return n == 0 ? 0 : join(st, m, t, links, n, e);
}
