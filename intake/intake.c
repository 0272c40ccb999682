/* intake.c -- parse, classify, deduplicate, thread and store; see intake.h.
 *
 * Every message is stored, human or not, broken or not: loop-safety only
 * decides whether it may open a ticket or move one.  Work is batched
 * INTAKE_BATCH messages per transaction, which is what makes a bulk import
 * fast; a failure rolls back only the open batch. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/err.h"
#include "common/log.h"
#include "common/model.h"
#include "common/util.h"
#include "intake/intake.h"
#include "intake/message.h"
#include "intake/mime.h"
#include "intake/record.h"
#include "intake/thread.h"
#include "rules/decide.h"
#include "rules/policy.h"
#include "store/store.h"

static const char *reason_names[REASON_COUNT] = {
	AUTO_SUBMITTED, AUTO_PRECEDENCE, AUTO_AUTOREPLY, AUTO_DSN, AUTO_DAEMON
};

const char *
intake_reason_name(int r)
{
	return r >= 0 && r < REASON_COUNT ? reason_names[r] : "unknown";
}

static int
reason_index(const char *reason)
{
	int i;

	for (i = 0; i < REASON_COUNT; i++)
		if (strcmp(reason_names[i], reason) == 0)
			return i;
	return REASON_AUTO_SUBMITTED;
}

int
intake_is_agent(const char *addr, const char *const *agents, size_t count)
{
	const char *at = strrchr(addr, '@');
	size_t i;

	if (*addr == '\0')
		return 0;
	for (i = 0; i < count; i++) {
		const char *a = agents[i];

		if (strchr(a, '@') != NULL) {
			if (strcasecmp(a, addr) == 0)
				return 1;
		} else if (at != NULL && strcasecmp(a, at + 1) == 0)
			return 1;
	}
	return 0;
}

int
intake_init(struct intake *in, struct store *st, const char *channel,
    const char *kind, int public, time_t now, struct err *e)
{
	memset(in, 0, sizeof(*in));
	in->store = st;
	in->channel = channel;
	in->public = public;
	in->now = now;
	in->kind = kind;
	in->entry_tier = -1;
	return store_channel_ensure(st, channel, kind, public, &in->channel_id, e);
}

void
intake_release(struct intake *in)
{
	struct intake_stats s;

	if (in == NULL || !in->in_txn)
		return;
	store_rollback(in->store);
	in->in_txn = 0;
	in->pending = 0;
	/* What describes the input stays; what describes the store goes
	 * back to the last commit, so no summary or log line claims a
	 * message the rollback took away. */
	s = in->kept;
	s.read = in->stats.read;
	s.bytes = in->stats.bytes;
	s.rejected = in->stats.rejected;
	s.present = in->stats.present;
	s.unsaved = in->stats.unsaved + (in->stats.stored - in->kept.stored);
	in->stats = s;
	in->kept.unsaved = s.unsaved;
}

int
intake_flush(struct intake *in, const char *source, const char *cursor,
    struct err *e)
{
	if (source != NULL && cursor != NULL) {
		if (!in->in_txn) {
			if (store_begin(in->store, e) == -1)
				return -1;
			in->in_txn = 1;
		}
		if (store_cursor_set(in->store, in->channel_id, source, cursor, in->now, e) == -1)
			goto fail;
	}
	if (!in->in_txn)
		return 0;
	if (store_commit(in->store, e) == -1)
		goto fail;
	in->in_txn = 0;
	in->pending = 0;
	in->kept = in->stats;
	return 0;
fail:
	intake_release(in);
	return -1;
}

/* The other party of a message: the sender of an inbound one, the first
 * recipient of one the team sent. */
static void
customer_of(const struct message *m, char *out, size_t len)
{
	const char *s = m->direction == DIR_OUT ? m->to : m->from_addr;
	size_t n = strcspn(s, ", ");

	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Appends s to out[o] within len bytes (one kept for the NUL), as much
 * as fits; the new length. */
static size_t
put(char *out, size_t o, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n > len - 1 - o)
		n = len - 1 - o;
	memcpy(out + o, s, n);
	return o + n;
}

static int
event_message(struct intake *in, int64_t ticket, const struct message *m,
    const char *kind, int how, struct err *e)
{
	char detail[1024], esc[512];
	size_t i, o = 0;

	/* A JSON object by hand: the values are ours or escaped just below. */
	for (i = 0; m->message_id[i] != '\0' && o + 7 < sizeof(esc); i++) {
		unsigned char c = (unsigned char)m->message_id[i];

		if (c < 0x20 || c == '"' || c == '\\')
			o += (size_t)snprintf(esc + o, sizeof(esc) - o, "\\u%04x", c);
		else
			esc[o++] = (char)c;
	}
	esc[o] = '\0';
	/* What snprintf of the whole made, without its format parsing (one
	 * or two events a message): cut to fit, so cut ids still name the
	 * message. */
	o = put(detail, 0, sizeof(detail), "{\"message_id\":\"");
	o = put(detail, o, sizeof(detail), esc);
	o = put(detail, o, sizeof(detail), "\",\"direction\":\"");
	o = put(detail, o, sizeof(detail), direction_name(m->direction));
	o = put(detail, o, sizeof(detail), "\",\"channel\":\"");
	o = put(detail, o, sizeof(detail), in->channel);
	o = put(detail, o, sizeof(detail), "\",\"threaded_by\":\"");
	o = put(detail, o, sizeof(detail), thread_how_name(how));
	o = put(detail, o, sizeof(detail), "\"}");
	detail[o] = '\0';
	return store_event_add(in->store, ticket, m->date, kind,
	    m->direction == DIR_OUT ? m->from_addr : "customer", detail, e);
}

/* m is a customer message older than everything in t (its reply was
 * stored first): it is the thread's real start, so it names the ticket. */
static int
adopt_root(struct ticket *t, const struct message *m, const char *customer,
    struct err *e)
{
	char key[512], *subject, *skey, *cust, *name;

	subject = strdup(m->subject);
	skey = strdup(thread_subject_key(m->subject, key, sizeof(key), NULL));
	cust = strdup(customer);
	name = strdup(m->from_name);
	if (subject == NULL || skey == NULL || cust == NULL || name == NULL) {
		free(subject);
		free(skey);
		free(cust);
		free(name);
		return err_set(e, ERR_NOMEM, "out of memory threading a message");
	}
	free(t->subject);
	free(t->subject_key);
	free(t->customer);
	free(t->customer_name);
	t->subject = subject;
	t->subject_key = skey;
	t->customer = cust;
	t->customer_name = name;
	return 0;
}

/* The detail of a "routed" event: the channel's configuration chose
 * where the new ticket t starts, so `show` can say why it is not at tier
 * 1.  Made before the decisions on the first message move the ticket. */
static char *
routed_detail(struct intake *in, const struct ticket *t, struct err *e)
{
	json_t *o;
	char *s;

	o = json_pack("{s:i, s:s?, s:s}", "tier", t->tier, "department", t->department,
	    "channel", in->channel);
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(o);
		err_set(e, ERR_NOMEM, "out of memory recording where a ticket starts");
		return NULL;
	}
	json_decref(o);
	return s;
}

/* Each escalation the decisions on m recorded hands t on (the escalated
 * hook): one call per "escalated" event.  On the message that opens the
 * ticket (opened), a move up the tiers is a hand-off too -- a refund
 * above tier 1's authority, a customer asking for a manager: the higher
 * tier must hear of it -- but a department chosen then is where the
 * ticket starts, not a move sideways. */
static int
hand_offs(struct intake *in, struct ticket *t, const struct message *m,
    const struct decide *d, int opened, struct err *e)
{
	const char *detail;
	size_t i;

	for (i = 0; i < d->events_count; i++) {
		if (strcmp(d->events[i].kind, "escalated") != 0)
			continue;
		detail = d->events[i].detail;
		if (opened && detail != NULL && strstr(detail, "\"type\":\"functional\"") != NULL)
			continue;
		if (in->escalated(in->escalated_arg, in->store, t, detail, m->date, e) == -1)
			return -1;
	}
	return 0;
}

/* Threads m into a ticket (new or existing) and stores it, inside the open
 * transaction. */
static int
intake_store(struct intake *in, struct message *m, const char *external_id,
    struct err *e)
{
	struct ticket t;
	struct decide dec;
	char customer[320], key[512], *routed = NULL;
	int64_t tid = 0, mrow = 0;
	size_t looked = 0;
	int how = THREAD_NEW, r, reopened;

	ticket_init(&t);
	decide_init(&dec);
	customer_of(m, customer, sizeof(customer));
	if ((r = thread_find(in->store, m, customer, &tid, &how, &looked, e)) == -1)
		goto fail;
	if (r == 1 && (r = store_ticket_get(in->store, tid, &t, e)) != 1) {
		if (r == 0)
			err_set(e, ERR_SOFTWARE, "thread points at missing ticket %" PRId64, tid);
		goto fail;
	}
	/* Nothing should lead to an absorbed ticket (its references moved,
	 * its tag is followed, it has no subject key); if something still
	 * does, its survivor takes the message. */
	if (t.merged_into != 0) {
		tid = t.merged_into;
		ticket_release(&t);
		if ((r = store_ticket_get(in->store, tid, &t, e)) != 1) {
			if (r == 0)
				err_set(e, ERR_SOFTWARE, "ticket merged into missing ticket %"
				    PRId64, tid);
			goto fail;
		}
	}
	if (tid == 0 && m->auto_reason != NULL) {
		/* Loop safety: stored for the record, no ticket, no clock. */
		in->stats.no_ticket[reason_index(m->auto_reason)]++;
		if (store_message_insert(in->store, m, in->channel_id, external_id, 0, NULL, e) == -1)
			goto fail;
		ticket_release(&t);
		return 0;
	}
	if (tid == 0) {
		policy_ticket_open(&t, m);
		t.channel = strdup(in->channel);
		t.customer = strdup(customer);
		t.customer_name = strdup(m->direction == DIR_IN ? m->from_name : "");
		t.subject = strdup(m->subject);
		t.subject_key = strdup(thread_subject_key(m->subject, key, sizeof(key), NULL));
		if (in->entry_tier >= 0)
			t.tier = in->entry_tier;
		if (in->entry_department != NULL &&
		    (t.department = strdup(in->entry_department)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory opening a ticket");
			goto fail;
		}
		if (t.channel == NULL || t.customer == NULL || t.customer_name == NULL ||
		    t.subject == NULL || t.subject_key == NULL) {
			err_set(e, ERR_NOMEM, "out of memory opening a ticket");
			goto fail;
		}
		if ((in->entry_tier >= 0 || in->entry_department != NULL) &&
		    (routed = routed_detail(in, &t, e)) == NULL)
			goto fail;
	} else {
		/* m's ids first: when they link t to other tickets (a
		 * conversation that arrived out of order), m is decided on
		 * the ticket they make together. */
		if (thread_link(in->store, m, &t, looked, how == THREAD_CHILD ||
		    how == THREAD_REFS, e) == -1)
			goto fail;
		tid = t.id;
		in->stats.joined++;
		if (m->auto_reason != NULL)
			in->stats.no_ticket[reason_index(m->auto_reason)]++;
		else if (m->direction == DIR_IN && m->date < t.created &&
		    adopt_root(&t, m, customer, e) == -1)
			goto fail;
	}
	/* status and counters, and for a customer message sentiment,
	 * priority, rules (rules/decide.c) */
	if (intake_decide(in, &t, m, &dec, e) == -1)
		goto fail;
	reopened = dec.reopened;
	/* A new ticket is written once, as the decisions left it (nothing
	 * in them needs its number; the notification they ask for is
	 * composed below, in intake_record): one INSERT instead of an
	 * INSERT and an UPDATE of every column and both of its indexes. */
	if (tid == 0) {
		if (store_ticket_create(in->store, &t, e) == -1)
			goto fail;
		tid = t.id;
		in->stats.tickets++;
		if (event_message(in, tid, m, "created", how, e) == -1 ||
		    (routed != NULL && store_event_add(in->store, tid, m->date, "routed",
		    "escalator", routed, e) == -1))
			goto fail;
	} else if (store_ticket_update(in->store, &t, e) == -1)
		goto fail;
	if (store_message_insert(in->store, m, in->channel_id, external_id, tid, &mrow, e) == -1 ||
	    (how == THREAD_NEW && thread_link(in->store, m, &t, looked, 0, e) == -1))
		goto fail;
	if (how != THREAD_NEW && event_message(in, tid, m, "message", how, e) == -1)
		goto fail;
	if (reopened) {
		in->stats.reopened++;
		if (store_event_add(in->store, tid, m->date, "reopened", "customer",
		    "{\"reason\":\"customer replied to a resolved ticket\"}", e) == -1)
			goto fail;
	}
	if (intake_record(in, &t, mrow, m, &dec, e) == -1)
		goto fail;
	/* Every escalation hands the ticket on (cli/ticket.c), also one
	 * decided on the message that opens it (a refund above tier 1's
	 * authority, a customer asking for a manager): the receiving tier
	 * learns of it from the summary, not from the queue. */
	if (in->escalated != NULL &&
	    hand_offs(in, &t, m, &dec, how == THREAD_NEW, e) == -1)
		goto fail;
	/* Tier 0: a new ticket's acknowledgement (intake/autoreply.c). */
	if (how == THREAD_NEW && in->autoreply != NULL && intake_autoreply(in, &t, m, e) == -1)
		goto fail;
	free(routed);
	decide_release(&dec);
	ticket_release(&t);
	return 0;
fail:
	free(routed);
	decide_release(&dec);
	ticket_release(&t);
	return -1;
}

int
intake_message(struct intake *in, struct message *m, const char *external_id,
    struct err *e)
{
	int r;

	if (in->progress != NULL)
		in->progress(in->progress_arg, in);
	if (m->direction == DIR_IN && intake_is_agent(m->from_addr, in->agents, in->agents_count))
		m->direction = DIR_OUT;
	if (!in->in_txn) {
		if (store_begin(in->store, e) == -1)
			return -1;
		in->in_txn = 1;
	}
	r = store_message_exists(in->store, in->channel_id, external_id, m->message_id, e);
	if (r == 1) {
		in->stats.present++;
		return 0;
	}
	if (r == -1 || intake_store(in, m, external_id, e) == -1) {
		intake_release(in);
		return -1;
	}
	in->stats.stored++;
	if (m->warnings_count > 0)
		in->stats.warnings++;
	if (++in->pending >= (in->batch > 0 ? in->batch : INTAKE_BATCH))
		return intake_flush(in, NULL, NULL, e);
	return 0;
}

int
intake_mail(struct intake *in, const char *raw, size_t len, time_t received,
    const char *origin, struct err *e)
{
	return intake_mail_at(in, raw, len, received, origin, NULL, e);
}

int
intake_mail_at(struct intake *in, const char *raw, size_t len, time_t received,
    const char *origin, struct intake_mail_info *info, struct err *e)
{
	struct message m;
	long present = in->stats.present;
	int ret;

	in->stats.read++;
	in->stats.bytes += (double)len;
	if (info != NULL) {
		info->present = 0;
		info->message_id[0] = '\0';
	}
	message_init(&m);
	m.public = in->public;
	if (mime_parse(&m, raw, len, received, e) == -1) {
		in->stats.rejected++;
		message_release(&m);
		return 1;
	}
	if (m.warnings_count > 0 && log_level() >= LOG_INFO) {
		char id[256];

		log_info("channel=%s origin=%s message_id=\"%s\" warnings=%zu: %s", in->channel,
		    origin, log_escape(m.message_id, id, sizeof(id)), m.warnings_count,
		    m.warnings.buf ? m.warnings.buf : "");
	}
	if (info != NULL && info->direction == DIR_OUT)
		m.direction = DIR_OUT;
	ret = intake_message(in, &m, info != NULL && info->external_id != NULL ?
	    info->external_id : m.message_id, e);
	if (ret == 0 && info != NULL) {
		info->present = in->stats.present > present;
		(void)esc_strlcpy(info->message_id, m.message_id, sizeof(info->message_id));
	}
	message_release(&m);
	return ret;
}

/* s as the inside of a JSON string, cut to fit. */
static const char *
json_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

int
intake_signal(struct intake *in, const char *message_id, int signal,
    const char *via, struct err *e)
{
	struct store_msg_loc loc;
	struct ticket t;
	const char *kind = signal == INTAKE_ANSWERED ? "answered-flag" : "resolved";
	char detail[INTAKE_ID_MAX * 6 + 512], id[INTAKE_ID_MAX * 6], how[256];
	int r, status;

	if (!in->in_txn) {
		if (store_begin(in->store, e) == -1)
			return -1;
		in->in_txn = 1;
	}
	if ((r = store_message_find(in->store, 0, NULL, message_id, &loc, e)) != 1)
		goto out;
	if (loc.ticket == 0 || (signal == INTAKE_ANSWERED && loc.direction != DIR_IN))
		return 0;
	if ((r = store_event_exists(in->store, loc.ticket, kind, message_id, e)) != 0) {
		r = r == 1 ? 0 : -1;
		goto out;
	}
	ticket_init(&t);
	if ((r = store_ticket_get(in->store, loc.ticket, &t, e)) != 1) {
		if (r == 0)
			r = err_set(e, ERR_SOFTWARE, "message '%s' points at missing ticket %" PRId64,
			    message_id, loc.ticket);
		ticket_release(&t);
		goto out;
	}
	status = t.status;
	if (signal == INTAKE_ANSWERED && t.status == STATUS_NEW)
		t.status = STATUS_OPEN;
	else if (signal == INTAKE_RESOLVED && t.status != STATUS_RESOLVED &&
	    t.status != STATUS_CLOSED)
		t.status = STATUS_RESOLVED;
	(void)snprintf(detail, sizeof(detail), "{\"message_id\":\"%s\",\"via\":\"%s\"}",
	    json_escape(message_id, id, sizeof(id)), json_escape(via, how, sizeof(how)));
	r = store_event_add(in->store, loc.ticket, in->now, kind, "agent", detail, e);
	if (r == 0 && t.status != status)
		r = store_ticket_update(in->store, &t, e);
	ticket_release(&t);
	if (r == 0)
		return 1;
out:
	if (r == -1)
		intake_release(in);
	return r == -1 ? -1 : 0;
}
