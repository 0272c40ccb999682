/* store_replay.c -- the store's SQL for `escalator replay` (issue 9): the
 * stored history of a window of tickets, for rules/replay.c; see store.h.
 * Part of store/: it speaks SQL over the connection of a struct store
 * (store_int.h), which a replay opens with store_open_readonly.
 *
 * Messages and events are written in time order across tickets, so one
 * ticket's rows lie all over their tables, and reading them ticket by
 * ticket is one B-tree search per row.  Measured on bench/report's
 * history (1,000,000 tickets, 2.6 million messages, 5.1 million events):
 * the messages in ticket order through the message_ticket index cost 3.7
 * s of CPU, the events through event_ticket 3.8 s; the same rows read
 * straight through their tables 0.9 s and 0.5 s.  So a replay reads
 * three statements once each, in row order -- the window's tickets, then
 * their messages, then their events of the kinds asked for -- and groups
 * the rows by ticket in memory (a counting sort, stable, then the
 * messages of each ticket by date).  A narrow window (under a tenth of
 * the tickets) reads through the indexes instead, where a scan would
 * mostly skip rows.  The price is memory: the window's messages without
 * their text, about 120 bytes each, and their text when asked for.
 * Statements are prepared and finalized per call, as store_digest.c
 * does: a replay runs once per command. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/err.h"
#include "store/store.h"
#include "store/store_int.h"

#define POOL_MAX	((size_t)16 << 30)	/* the window's strings */
#define NONE		SIZE_MAX		/* a NULL string's offset */
#define INDEXED_SHARE	10			/* 1 / share of the tickets: use indexes */

/* The window is ?1 <= created < ?2; merged tickets (intake/thread.c)
 * hold no messages and are replayed as part of the one they joined. */
static const char sql_tickets[] =
    "SELECT id, created, status, priority, tier, department, tags"
    " FROM ticket WHERE created >= ?1 AND created < ?2 AND merged_into IS NULL ORDER BY id";

static const char sql_max[] = "SELECT coalesce(max(id), 0) FROM ticket";

/* Rows of tickets ?1 to ?2 (the window's first and last; the others in
 * between are dropped here).  The text is selected only when some is
 * needed, and copied only where it is: in the row it costs nothing until
 * read (past a page, SQLite would walk the overflow chain for it).  NOT
 * INDEXED: read straight through the table. */
#define MSG_COLS(text) \
    "SELECT m.ticket_id, m.id, m.channel_id, m.direction," \
    " coalesce(m.date, m.received), m.public, m.reach, m.auto_reason IS NOT NULL," \
    " m.subject, m.from_addr, m.from_name, " text ", m.sentiment"
#define MSG_TEXT	STORE_SCORED_TEXT("m.")
#define MSG_SCAN	" FROM message m NOT INDEXED WHERE m.ticket_id BETWEEN ?1 AND ?2"
#define MSG_INDEX	" FROM message m WHERE m.ticket_id BETWEEN ?1 AND ?2"
static const char *const sql_msgs[2][2] = {	/* [indexed][text] */
	{ MSG_COLS("NULL") MSG_SCAN, MSG_COLS(MSG_TEXT) MSG_SCAN },
	{ MSG_COLS("NULL") MSG_INDEX, MSG_COLS(MSG_TEXT) MSG_INDEX }
};

#define EV_COLS \
    "SELECT ticket_id, at, kind FROM event"
#define EV_WHERE \
    " WHERE ticket_id BETWEEN ?1 AND ?2" \
    " AND kind IN (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ORDER BY id"
static const char sql_events_scan[] = EV_COLS " NOT INDEXED" EV_WHERE;
static const char sql_events_index[] = EV_COLS EV_WHERE;

static const char sql_channels[] = "SELECT id, name, kind FROM channel";

struct chan {
	int64_t		 id;
	char		*name, *kind;
};

struct wticket {
	int64_t		 id;
	time_t		 created;
	int		 status, priority, tier;
	size_t		 dept, tags;		/* pool offsets */
	size_t		 first_msg, msgs;	/* in the sorted order */
	size_t		 first_ev, evs;
	int		 text;			/* its texts are wanted */
};

struct wmsg {
	int64_t		 id;
	time_t		 date;
	double		 sentiment;
	long		 reach;
	uint32_t	 ticket;		/* index in the window */
	uint32_t	 chan;			/* index in chans, or UINT32_MAX */
	uint8_t		 direction, public, automatic, scored;
	size_t		 subject, from_addr, from_name, text;
};

struct wev {
	time_t		 at;
	uint32_t	 ticket;
	uint32_t	 kind;			/* index in kinds */
};

struct scan {
	struct store		*st;
	const char *const	*kinds;
	struct chan		*chans;
	size_t			 chans_count;

	struct wticket		*t;
	size_t			 t_count, t_cap, t_last;
	uint32_t		*dense;		/* index by id - t[0].id, or NULL */
	size_t			 dense_len;
	struct wmsg		*m;
	size_t			 m_count, m_cap;
	uint32_t		*m_order;	/* messages grouped by ticket */
	struct wev		*ev;
	size_t			 ev_count, ev_cap;
	uint32_t		*ev_order;
	char			*pool;
	size_t			 pool_len, pool_cap;

	/* one ticket, as handed to the callback */
	struct store_replay_msg	*out_m;
	size_t			 out_m_cap;
	struct store_replay_event *out_ev;
	size_t			 out_ev_cap;
};

/* Grows *p (of *cap elements of size) to hold n + 1. */
static int
grow(void *p, size_t *cap, size_t n, size_t size, struct err *e)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 1024;
	if (c > SIZE_MAX / size || (q = realloc(*(void **)p, c * size)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory replaying");
	*(void **)p = q;
	*cap = c;
	return 0;
}

/* Copies column i of stmt into the pool; its offset, NONE for NULL. */
static int
pool_col(struct scan *s, sqlite3_stmt *stmt, int i, size_t *off, struct err *e)
{
	const unsigned char *v;
	size_t len, cap;
	char *p;

	if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
		*off = NONE;
		return 0;
	}
	if ((v = sqlite3_column_text(stmt, i)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory replaying");
	len = (size_t)sqlite3_column_bytes(stmt, i);
	if (s->pool_len + len + 1 > s->pool_cap) {
		cap = s->pool_cap ? s->pool_cap : 1024 * 1024;
		while (cap < s->pool_len + len + 1)
			cap *= 2;
		if (cap > POOL_MAX)
			return err_set(e, ERR_DATA, "the window holds more than %zu GB of "
			    "text: replay a shorter one (--since)", POOL_MAX >> 30);
		if ((p = realloc(s->pool, cap)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory replaying");
		s->pool = p;
		s->pool_cap = cap;
	}
	memcpy(s->pool + s->pool_len, v, len);
	s->pool[s->pool_len + len] = '\0';
	*off = s->pool_len;
	s->pool_len += len + 1;
	return 0;
}

static const char *
pool_str(const struct scan *s, size_t off)
{
	return off == NONE ? NULL : s->pool + off;
}

/* After the last step (rc): 0 at the end, or -1 with e set. */
static int
done(struct scan *s, int rc, const char *what, struct err *e)
{
	if (rc != SQLITE_DONE)
		return store_error(s->st, e, "cannot read the %s of '%s'", what,
		    store_path(s->st));
	return 0;
}

static int
chans_load(struct scan *s, struct err *e)
{
	sqlite3_stmt *stmt;
	struct chan *c;
	size_t cap = 0;
	int rc, ret = -1;

	if ((stmt = store_prepare(s->st, sql_channels, "a replay statement", e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (grow(&s->chans, &cap, s->chans_count, sizeof(*s->chans), e) == -1)
			goto out;
		c = &s->chans[s->chans_count++];
		c->name = strdup((const char *)sqlite3_column_text(stmt, 1));
		c->kind = strdup((const char *)sqlite3_column_text(stmt, 2));
		c->id = sqlite3_column_int64(stmt, 0);
		if (c->name == NULL || c->kind == NULL) {
			(void)err_set(e, ERR_NOMEM, "out of memory replaying");
			goto out;
		}
	}
	ret = done(s, rc, "channels", e);
out:
	(void)sqlite3_finalize(stmt);	/* a step's error is in e already */
	return ret;
}

static uint32_t
chan_index(const struct scan *s, int64_t id)
{
	size_t i;

	for (i = 0; i < s->chans_count; i++)
		if (s->chans[i].id == id)
			return (uint32_t)i;
	return UINT32_MAX;	/* cannot be: channel_id is a foreign key */
}

/* The index in the window of ticket id; -1 when it is not in it. */
static long
ticket_index(struct scan *s, int64_t id)
{
	size_t lo = 0, hi = s->t_count, mid;

	if (s->dense != NULL) {
		if (id < s->t[0].id || (uint64_t)(id - s->t[0].id) >= s->dense_len ||
		    s->dense[id - s->t[0].id] == UINT32_MAX)
			return -1;
		return (long)s->dense[id - s->t[0].id];
	}
	/* rows come in time order, so the same tickets recur: try the last */
	if (s->t_last < s->t_count && s->t[s->t_last].id == id)
		return (long)s->t_last;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->t[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->t_count && s->t[lo].id == id) {
		s->t_last = lo;
		return (long)lo;
	}
	return -1;
}

/* Ticket ids grow with their creation, so a window's ids are about a
 * run: then an array by id finds a row's ticket at once (the search in
 * ticket_index was a twentieth of a replay). */
static void
dense_build(struct scan *s)
{
	uint64_t span = (uint64_t)(s->t[s->t_count - 1].id - s->t[0].id) + 1;
	size_t i;

	if (span > 4 * (uint64_t)s->t_count + 1024 || span > SIZE_MAX / sizeof(uint32_t) ||
	    (s->dense = malloc((size_t)span * sizeof(uint32_t))) == NULL)
		return;		/* the binary search still works */
	s->dense_len = (size_t)span;
	memset(s->dense, 0xff, s->dense_len * sizeof(uint32_t));
	for (i = 0; i < s->t_count; i++)
		s->dense[s->t[i].id - s->t[0].id] = (uint32_t)i;
}

static int
tickets_load(struct scan *s, time_t from, time_t to, int flags, const char *text_tag,
    struct err *e)
{
	sqlite3_stmt *stmt;
	struct wticket *t;
	int rc, ret = -1;

	if ((stmt = store_prepare(s->st, sql_tickets, "a replay statement", e)) == NULL)
		return -1;
	if ((sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from) |
	    sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to)) != SQLITE_OK) {
		(void)store_error(s->st, e, "cannot bind a replay statement");
		goto out;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (s->t_count >= UINT32_MAX - 1) {
			(void)err_set(e, ERR_DATA, "too many tickets in the window: "
			    "replay a shorter one (--since)");
			goto out;
		}
		if (grow(&s->t, &s->t_cap, s->t_count, sizeof(*s->t), e) == -1)
			goto out;
		t = &s->t[s->t_count];
		memset(t, 0, sizeof(*t));
		t->id = sqlite3_column_int64(stmt, 0);
		t->created = (time_t)sqlite3_column_int64(stmt, 1);
		t->status = sqlite3_column_int(stmt, 2);
		t->priority = sqlite3_column_int(stmt, 3);
		t->tier = sqlite3_column_int(stmt, 4);
		if (pool_col(s, stmt, 5, &t->dept, e) == -1 ||
		    pool_col(s, stmt, 6, &t->tags, e) == -1)
			goto out;
		t->text = (flags & STORE_REPLAY_TEXT) != 0 ||
		    (text_tag != NULL && ticket_tags_have(pool_str(s, t->tags), text_tag));
		s->t_count++;
	}
	if ((ret = done(s, rc, "tickets", e)) == 0 && s->t_count > 0)
		dense_build(s);
out:
	(void)sqlite3_finalize(stmt);	/* a step's error is in e already */
	return ret;
}

/* 1 when the window is a small part of all tickets: indexes then. */
static int
narrow(struct scan *s, int *out, struct err *e)
{
	sqlite3_stmt *stmt;
	int64_t max = 0;
	int rc;

	if ((stmt = store_prepare(s->st, sql_max, "a replay statement", e)) == NULL)
		return -1;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		max = sqlite3_column_int64(stmt, 0);
	(void)sqlite3_finalize(stmt);	/* one row: the step said all */
	if (rc != SQLITE_ROW)
		return store_error(s->st, e, "cannot count the tickets of '%s'",
		    store_path(s->st));
	*out = (int64_t)s->t_count * INDEXED_SHARE < max;
	return 0;
}

static int
msgs_load(struct scan *s, int indexed, struct err *e)
{
	sqlite3_stmt *stmt;
	struct wmsg *m;
	size_t i;
	long ti;
	int rc, ret = -1, text = 0;

	for (i = 0; i < s->t_count && !text; i++)
		text = s->t[i].text;
	if ((stmt = store_prepare(s->st, sql_msgs[indexed != 0][text], "a replay statement", e)) == NULL)
		return -1;
	if ((sqlite3_bind_int64(stmt, 1, s->t[0].id) |
	    sqlite3_bind_int64(stmt, 2, s->t[s->t_count - 1].id)) != SQLITE_OK) {
		(void)store_error(s->st, e, "cannot bind a replay statement");
		goto out;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((ti = ticket_index(s, sqlite3_column_int64(stmt, 0))) < 0)
			continue;	/* created outside the window */
		if (s->m_count >= UINT32_MAX - 1) {
			(void)err_set(e, ERR_DATA, "too many messages in the window: "
			    "replay a shorter one (--since)");
			goto out;
		}
		if (grow(&s->m, &s->m_cap, s->m_count, sizeof(*s->m), e) == -1)
			goto out;
		m = &s->m[s->m_count];
		m->ticket = (uint32_t)ti;
		m->id = sqlite3_column_int64(stmt, 1);
		m->chan = chan_index(s, sqlite3_column_int64(stmt, 2));
		m->direction = (uint8_t)sqlite3_column_int(stmt, 3);
		m->date = (time_t)sqlite3_column_int64(stmt, 4);
		m->public = (uint8_t)sqlite3_column_int(stmt, 5);
		m->reach = sqlite3_column_type(stmt, 6) == SQLITE_NULL ? -1 :
		    (long)sqlite3_column_int64(stmt, 6);
		m->automatic = (uint8_t)sqlite3_column_int(stmt, 7);
		if (pool_col(s, stmt, 8, &m->subject, e) == -1 ||
		    pool_col(s, stmt, 9, &m->from_addr, e) == -1 ||
		    pool_col(s, stmt, 10, &m->from_name, e) == -1)
			goto out;
		m->text = NONE;
		if (s->t[ti].text && pool_col(s, stmt, 11, &m->text, e) == -1)
			goto out;
		m->scored = sqlite3_column_type(stmt, 12) != SQLITE_NULL;
		m->sentiment = m->scored ? sqlite3_column_double(stmt, 12) : 0;
		s->t[ti].msgs++;
		s->m_count++;
	}
	ret = done(s, rc, "messages", e);
out:
	(void)sqlite3_finalize(stmt);	/* a step's error is in e already */
	return ret;
}

static int
events_load(struct scan *s, int indexed, size_t nk, struct err *e)
{
	sqlite3_stmt *stmt;
	const char *kind;
	struct wev *v;
	size_t i;
	long ti;
	int rc, bad, ret = -1;

	if ((stmt = store_prepare(s->st, indexed ? sql_events_index : sql_events_scan, "a replay statement", e)) == NULL)
		return -1;
	bad = sqlite3_bind_int64(stmt, 1, s->t[0].id) |
	    sqlite3_bind_int64(stmt, 2, s->t[s->t_count - 1].id);
	for (i = 0; i < STORE_REPLAY_KINDS; i++)
		bad |= i < nk ? sqlite3_bind_text(stmt, (int)i + 3, s->kinds[i], -1,
		    SQLITE_STATIC) : sqlite3_bind_null(stmt, (int)i + 3);
	if (bad != SQLITE_OK) {
		(void)store_error(s->st, e, "cannot bind a replay statement");
		goto out;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((ti = ticket_index(s, sqlite3_column_int64(stmt, 0))) < 0 ||
		    (kind = (const char *)sqlite3_column_text(stmt, 2)) == NULL)
			continue;
		for (i = 0; i < nk && strcmp(s->kinds[i], kind) != 0; i++)
			;
		if (i == nk)
			continue;	/* cannot be: the statement asks for these */
		if (grow(&s->ev, &s->ev_cap, s->ev_count, sizeof(*s->ev), e) == -1)
			goto out;
		v = &s->ev[s->ev_count++];
		v->at = (time_t)sqlite3_column_int64(stmt, 1);
		v->ticket = (uint32_t)ti;
		v->kind = (uint32_t)i;
		s->t[ti].evs++;
	}
	ret = done(s, rc, "events", e);
out:
	(void)sqlite3_finalize(stmt);	/* a step's error is in e already */
	return ret;
}

/* Groups rows by ticket, keeping their order within each (a counting
 * sort: the tickets' counts are known): order[k] is the row at place k. */
static int
group(struct scan *s, int msgs, struct err *e)
{
	size_t n = msgs ? s->m_count : s->ev_count, i, pos = 0, *next;
	uint32_t *order;

	if ((order = malloc((n ? n : 1) * sizeof(*order))) == NULL ||
	    (next = malloc((s->t_count ? s->t_count : 1) * sizeof(*next))) == NULL) {
		free(order);
		return err_set(e, ERR_NOMEM, "out of memory replaying");
	}
	for (i = 0; i < s->t_count; i++) {
		if (msgs)
			s->t[i].first_msg = pos;
		else
			s->t[i].first_ev = pos;
		next[i] = pos;
		pos += msgs ? s->t[i].msgs : s->t[i].evs;
	}
	for (i = 0; i < n; i++)
		order[next[msgs ? s->m[i].ticket : s->ev[i].ticket]++] = (uint32_t)i;
	free(next);
	if (msgs)
		s->m_order = order;
	else
		s->ev_order = order;
	return 0;
}

/* Messages of one ticket oldest first, ties by row id: nearly sorted
 * already (rows are written in time order), so insertion sort. */
static void
msgs_sort(struct scan *s, uint32_t *o, size_t n)
{
	const struct wmsg *a, *b;
	size_t i, j;
	uint32_t tmp;

	for (i = 1; i < n; i++) {
		tmp = o[i];
		b = &s->m[tmp];
		for (j = i; j > 0; j--) {
			a = &s->m[o[j - 1]];
			if (a->date < b->date || (a->date == b->date && a->id < b->id))
				break;
			o[j] = o[j - 1];
		}
		o[j] = tmp;
	}
}

static int
ticket_cb(struct scan *s, size_t ti,
    int (*cb)(void *, const struct store_replay_ticket *, struct err *), void *arg,
    struct err *e)
{
	const struct wticket *t = &s->t[ti];
	struct store_replay_ticket rt;
	struct store_replay_msg *om;
	const struct wmsg *m;
	size_t i;

	if (t->msgs == 0)
		return 0;
	while (t->msgs > s->out_m_cap)
		if (grow(&s->out_m, &s->out_m_cap, s->out_m_cap, sizeof(*s->out_m), e) == -1)
			return -1;
	while (t->evs > s->out_ev_cap)
		if (grow(&s->out_ev, &s->out_ev_cap, s->out_ev_cap, sizeof(*s->out_ev), e) == -1)
			return -1;
	msgs_sort(s, s->m_order + t->first_msg, t->msgs);
	for (i = 0; i < t->msgs; i++) {
		m = &s->m[s->m_order[t->first_msg + i]];
		om = &s->out_m[i];
		om->id = m->id;
		om->date = m->date;
		om->direction = m->direction;
		om->public = m->public;
		om->automatic = m->automatic;
		om->reach = m->reach;
		om->scored = m->scored;
		om->sentiment = m->sentiment;
		om->channel = m->chan != UINT32_MAX ? s->chans[m->chan].name : NULL;
		om->kind = m->chan != UINT32_MAX ? s->chans[m->chan].kind : NULL;
		om->subject = pool_str(s, m->subject);
		om->from_addr = pool_str(s, m->from_addr);
		om->from_name = pool_str(s, m->from_name);
		om->text = pool_str(s, m->text);
	}
	for (i = 0; i < t->evs; i++) {
		const struct wev *v = &s->ev[s->ev_order[t->first_ev + i]];

		s->out_ev[i].at = v->at;
		s->out_ev[i].kind = s->kinds[v->kind];	/* the caller's: outlives us */
	}
	memset(&rt, 0, sizeof(rt));
	rt.id = t->id;
	rt.created = t->created;
	rt.status = t->status;
	rt.priority = t->priority;
	rt.tier = t->tier;
	rt.department = pool_str(s, t->dept);
	rt.tags = pool_str(s, t->tags);
	rt.msgs = s->out_m;
	rt.msgs_count = t->msgs;
	rt.events = s->out_ev;
	rt.events_count = t->evs;
	return cb(arg, &rt, e);
}

int
store_replay(struct store *st, time_t from, time_t to, int flags, const char *text_tag,
    const char *const *kinds,
    int (*cb)(void *arg, const struct store_replay_ticket *, struct err *),
    void *arg, struct err *e)
{
	static const char *const no_kinds[] = { NULL };
	struct scan s;
	size_t i, nk;
	int indexed = 0, ret = -1;

	memset(&s, 0, sizeof(s));
	s.st = st;
	s.kinds = kinds != NULL ? kinds : no_kinds;
	for (nk = 0; s.kinds[nk] != NULL; nk++)
		;
	if (nk > STORE_REPLAY_KINDS)
		return err_set(e, ERR_SOFTWARE, "a replay reads at most %d event kinds",
		    STORE_REPLAY_KINDS);
	if (chans_load(&s, e) == -1 || tickets_load(&s, from, to, flags, text_tag, e) == -1)
		goto out;
	if (s.t_count == 0) {
		ret = 0;
		goto out;
	}
	if (narrow(&s, &indexed, e) == -1 ||
	    msgs_load(&s, indexed, e) == -1 ||
	    (nk > 0 && events_load(&s, indexed, nk, e) == -1) ||
	    group(&s, 1, e) == -1 || group(&s, 0, e) == -1)
		goto out;
	for (i = 0; i < s.t_count; i++)
		if (ticket_cb(&s, i, cb, arg, e) == -1)
			goto out;
	ret = 0;
out:
	for (i = 0; i < s.chans_count; i++) {
		free(s.chans[i].name);
		free(s.chans[i].kind);
	}
	free(s.chans);
	free(s.t);
	free(s.dense);
	free(s.m);
	free(s.m_order);
	free(s.ev);
	free(s.ev_order);
	free(s.pool);
	free(s.out_m);
	free(s.out_ev);
	return ret;
}
