/* store_sla.c -- the store's SQL for SLA clocks, SLA events and outbox
 * delivery by recipient (issue 7); see store.h.  Part of store/: it
 * speaks SQL over the connection of a struct store (store_int.h).
 *
 * Its statements are prepared on first use, not in store_open, so that a
 * command that never sweeps or sends prepares none of them; they live in
 * the struct store_sla that store_close finalizes.  The tables and their
 * triggers are migration 3 -> 4 in store.c. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/err.h"
#include "common/util.h"
#include "store/store.h"
#include "store/store_int.h"

enum sla_stmt {
	S_DIRTY_LIST,
	S_DIRTY_CLEAN,
	S_CLOCK_PUT,
	S_CLOCK_DROP,
	S_CLOCKS_DUE,
	S_CLOCKS_TICKET,
	S_CLOCK_DUE_SET,
	S_EVENT_ADD,
	S_EVENT_LEVELS,
	S_BREACH_COUNT,
	S_OUTBOX_DUE,
	S_OUTBOX_GET,
	S_OUTBOX_RCPTS,
	S_RCPT_ATTEMPT,
	S_RCPT_RESULT,
	S_OUTBOX_SETTLE,
	S_COUNT
};

#define CLOCK_COLUMNS \
	"ticket_id, kind, tier, cycle, state, target, started, deadline," \
	" warn_at, stopped, paused_total, next_due"

static const char *const sla_sql[S_COUNT] = {
	[S_DIRTY_LIST] = "SELECT ticket_id FROM sla_dirty ORDER BY ticket_id LIMIT ?1",
	[S_DIRTY_CLEAN] = "DELETE FROM sla_dirty WHERE ticket_id = ?1",
	/* Writes only on a change: a recomputed clock is mostly the same. */
	[S_CLOCK_PUT] =
	    "INSERT INTO sla_clock(" CLOCK_COLUMNS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	    " ON CONFLICT(ticket_id, kind) DO UPDATE SET tier = excluded.tier,"
	    " cycle = excluded.cycle, state = excluded.state, target = excluded.target,"
	    " started = excluded.started, deadline = excluded.deadline,"
	    " warn_at = excluded.warn_at, stopped = excluded.stopped,"
	    " paused_total = excluded.paused_total, next_due = excluded.next_due"
	    " WHERE (tier, cycle, state, target, started, deadline, warn_at, stopped,"
	    " paused_total, next_due) IS NOT (excluded.tier, excluded.cycle,"
	    " excluded.state, excluded.target, excluded.started, excluded.deadline,"
	    " excluded.warn_at, excluded.stopped, excluded.paused_total, excluded.next_due)",
	[S_CLOCK_DROP] = "DELETE FROM sla_clock WHERE ticket_id = ?1 AND kind = ?2",
	/* The partial index sla_clock_due serves this: next_due <= ?1 implies
	 * next_due IS NOT NULL. */
	[S_CLOCKS_DUE] =
	    "SELECT " CLOCK_COLUMNS " FROM sla_clock WHERE next_due <= ?1"
	    " ORDER BY next_due LIMIT ?2",
	[S_CLOCKS_TICKET] =
	    "SELECT " CLOCK_COLUMNS " FROM sla_clock WHERE ticket_id = ?1 ORDER BY kind",
	[S_CLOCK_DUE_SET] =
	    "UPDATE sla_clock SET next_due = ?3 WHERE ticket_id = ?1 AND kind = ?2",
	[S_EVENT_ADD] =
	    "INSERT INTO sla_event(ticket_id, kind, cycle, level, tier, due, at, notified)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
	[S_EVENT_LEVELS] =
	    "SELECT level FROM sla_event WHERE ticket_id = ?1 AND kind = ?2 AND cycle = ?3",
	[S_BREACH_COUNT] =
	    "SELECT count(*) FROM sla_event WHERE ticket_id = ?1 AND level = 'breach'",
	/* Oldest notification first; the partial index outbox_rcpt_due
	 * holds only pending recipients. */
	[S_OUTBOX_DUE] =
	    "SELECT DISTINCT outbox_id FROM outbox_rcpt"
	    " WHERE state = 'pending' AND next_attempt <= ?1 ORDER BY outbox_id LIMIT ?2",
	[S_OUTBOX_GET] = "SELECT ticket_id, message_id, data FROM outbox WHERE id = ?1",
	[S_OUTBOX_RCPTS] =
	    "SELECT rcpt, attempts FROM outbox_rcpt WHERE outbox_id = ?1"
	    " AND state = 'pending' AND next_attempt <= ?2 ORDER BY rcpt",
	/* A claim: only a recipient still due is taken. */
	[S_RCPT_ATTEMPT] =
	    "UPDATE outbox_rcpt SET attempts = attempts + 1, next_attempt = ?3"
	    " WHERE outbox_id = ?1 AND rcpt = ?2 AND state = 'pending'"
	    " AND next_attempt <= ?4",
	[S_RCPT_RESULT] =
	    "UPDATE outbox_rcpt SET state = ?3, done = ?4, last_error = ?5"
	    " WHERE outbox_id = ?1 AND rcpt = ?2",
	/* The notification's own columns summarize its recipients: sent
	 * once none is pending. */
	[S_OUTBOX_SETTLE] =
	    "UPDATE outbox SET"
	    " attempts = (SELECT max(attempts) FROM outbox_rcpt WHERE outbox_id = ?1),"
	    " next_attempt = (SELECT min(next_attempt) FROM outbox_rcpt"
	    "   WHERE outbox_id = ?1 AND state = 'pending'),"
	    " sent = CASE WHEN EXISTS (SELECT 1 FROM outbox_rcpt WHERE outbox_id = ?1"
	    "   AND state = 'pending') THEN NULL ELSE ?2 END,"
	    " last_error = coalesce(?3, last_error) WHERE id = ?1",
};

struct store_sla {
	sqlite3_stmt	*stmt[S_COUNT];
};

void
store_sla_close(struct store_sla *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < S_COUNT; i++)
		(void)sqlite3_finalize(s->stmt[i]);	/* NULL-safe; errors were reported at step */
	free(s);
}

/* Statement i, prepared on first use; NULL with e set on failure. */
static sqlite3_stmt *
stmt_get(struct store *st, int i, struct err *e)
{
	struct store_sla **slot = store_sla_slot(st);

	if (*slot == NULL && (*slot = calloc(1, sizeof(**slot))) == NULL) {
		(void)err_set(e, ERR_NOMEM, "out of memory preparing SLA statements");
		return NULL;
	}
	return store_stmt_lazy(st, (*slot)->stmt, i, sla_sql, "SLA", e);
}

static int
bind_int(sqlite3_stmt *stmt, int i, int64_t v)
{
	return sqlite3_bind_int64(stmt, i, (sqlite3_int64)v);
}

/* 0 is "none": NULL in the database. */
static int
bind_opt(sqlite3_stmt *stmt, int i, int64_t v)
{
	return v == 0 ? sqlite3_bind_null(stmt, i) : bind_int(stmt, i, v);
}

static int
bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	return sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

/* Runs a statement that returns no rows; the caller has bound it. */
static int
step_done(struct store *st, sqlite3_stmt *stmt, int rc, struct err *e,
    const char *what)
{
	int ret = 0;

	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot %s", what);
	store_stmt_done(stmt);
	return ret;
}

/* A list of ids from a statement bound by the caller. */
static int
list_ids(struct store *st, sqlite3_stmt *stmt, int64_t *ids, size_t max,
    size_t *count, struct err *e, const char *what)
{
	int rc = SQLITE_DONE;

	*count = 0;
	while (*count < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ids[(*count)++] = sqlite3_column_int64(stmt, 0);
	if (*count < max && rc != SQLITE_DONE) {
		store_stmt_done(stmt);
		return store_error(st, e, "cannot list %s", what);
	}
	store_stmt_done(stmt);
	return 0;
}

/*
 * Clocks.
 */

int
store_sla_dirty(struct store *st, int64_t *tickets, size_t max, size_t *count,
    struct err *e)
{
	sqlite3_stmt *stmt;

	*count = 0;
	if ((stmt = stmt_get(st, S_DIRTY_LIST, e)) == NULL)
		return -1;
	if (bind_int(stmt, 1, (int64_t)max) != SQLITE_OK) {
		store_stmt_done(stmt);
		return store_error(st, e, "cannot list tickets to sweep");
	}
	return list_ids(st, stmt, tickets, max, count, e, "tickets to sweep");
}

int
store_sla_clean(struct store *st, int64_t ticket, struct err *e)
{
	sqlite3_stmt *stmt;

	if ((stmt = stmt_get(st, S_DIRTY_CLEAN, e)) == NULL)
		return -1;
	store_dirty_forget(st);
	return step_done(st, stmt, bind_int(stmt, 1, ticket), e,
	    "mark a ticket swept");
}

int
store_clock_put(struct store *st, const struct store_clock *c, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	if ((stmt = stmt_get(st, S_CLOCK_PUT, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, c->ticket);
	rc |= bind_text(stmt, 2, c->kind);
	rc |= bind_int(stmt, 3, c->tier);
	rc |= bind_int(stmt, 4, (int64_t)c->cycle);
	rc |= bind_text(stmt, 5, c->state);
	rc |= bind_int(stmt, 6, c->target);
	rc |= bind_int(stmt, 7, (int64_t)c->started);
	rc |= bind_opt(stmt, 8, (int64_t)c->deadline);
	rc |= bind_opt(stmt, 9, (int64_t)c->warn_at);
	rc |= bind_opt(stmt, 10, (int64_t)c->stopped);
	rc |= bind_int(stmt, 11, c->paused_total);
	rc |= bind_opt(stmt, 12, (int64_t)c->next_due);
	return step_done(st, stmt, rc, e, "save an SLA clock");
}

int
store_clock_drop(struct store *st, int64_t ticket, const char *kind, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	if ((stmt = stmt_get(st, S_CLOCK_DROP, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, ticket);
	rc |= bind_text(stmt, 2, kind);
	return step_done(st, stmt, rc, e, "drop an SLA clock");
}

int
store_clock_set_due(struct store *st, int64_t ticket, const char *kind,
    time_t next_due, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	if ((stmt = stmt_get(st, S_CLOCK_DUE_SET, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, ticket);
	rc |= bind_text(stmt, 2, kind);
	rc |= bind_opt(stmt, 3, (int64_t)next_due);
	return step_done(st, stmt, rc, e, "update an SLA clock");
}

static void
clock_from_row(sqlite3_stmt *stmt, struct store_clock *c)
{
	const unsigned char *s;

	memset(c, 0, sizeof(*c));
	c->ticket = sqlite3_column_int64(stmt, 0);
	if ((s = sqlite3_column_text(stmt, 1)) != NULL)
		(void)esc_strlcpy(c->kind, (const char *)s, sizeof(c->kind));
	c->tier = sqlite3_column_int(stmt, 2);
	c->cycle = (time_t)sqlite3_column_int64(stmt, 3);
	if ((s = sqlite3_column_text(stmt, 4)) != NULL)
		(void)esc_strlcpy(c->state, (const char *)s, sizeof(c->state));
	c->target = (long)sqlite3_column_int64(stmt, 5);
	c->started = (time_t)sqlite3_column_int64(stmt, 6);
	c->deadline = (time_t)sqlite3_column_int64(stmt, 7);	/* NULL reads 0 */
	c->warn_at = (time_t)sqlite3_column_int64(stmt, 8);
	c->stopped = (time_t)sqlite3_column_int64(stmt, 9);
	c->paused_total = (long)sqlite3_column_int64(stmt, 10);
	c->next_due = (time_t)sqlite3_column_int64(stmt, 11);
}

static int
list_clocks(struct store *st, sqlite3_stmt *stmt, struct store_clock *out,
    size_t max, size_t *count, struct err *e)
{
	int rc = SQLITE_DONE;

	*count = 0;
	while (*count < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		clock_from_row(stmt, &out[(*count)++]);
	if (*count < max && rc != SQLITE_DONE) {
		store_stmt_done(stmt);
		return store_error(st, e, "cannot list SLA clocks");
	}
	store_stmt_done(stmt);
	return 0;
}

int
store_clocks_due(struct store *st, time_t now, struct store_clock *out, size_t max,
    size_t *count, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	*count = 0;
	if ((stmt = stmt_get(st, S_CLOCKS_DUE, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, (int64_t)now);
	rc |= bind_int(stmt, 2, (int64_t)max);
	if (rc != SQLITE_OK) {
		store_stmt_done(stmt);
		return store_error(st, e, "cannot list due SLA clocks");
	}
	return list_clocks(st, stmt, out, max, count, e);
}

int
store_clocks_get(struct store *st, int64_t ticket, struct store_clock *out,
    size_t max, size_t *count, struct err *e)
{
	sqlite3_stmt *stmt;

	*count = 0;
	if ((stmt = stmt_get(st, S_CLOCKS_TICKET, e)) == NULL)
		return -1;
	if (bind_int(stmt, 1, ticket) != SQLITE_OK) {
		store_stmt_done(stmt);
		return store_error(st, e, "cannot list SLA clocks of ticket %" PRId64, ticket);
	}
	return list_clocks(st, stmt, out, max, count, e);
}

/*
 * SLA events.
 */

int
store_sla_event_add(struct store *st, int64_t ticket, const char *kind, time_t cycle,
    const char *level, int tier, time_t due, time_t at, int notified, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	if ((stmt = stmt_get(st, S_EVENT_ADD, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, ticket);
	rc |= bind_text(stmt, 2, kind);
	rc |= bind_int(stmt, 3, (int64_t)cycle);
	rc |= bind_text(stmt, 4, level);
	rc |= bind_int(stmt, 5, tier);
	rc |= bind_int(stmt, 6, (int64_t)due);
	rc |= bind_int(stmt, 7, (int64_t)at);
	rc |= bind_int(stmt, 8, notified ? 1 : 0);
	if (step_done(st, stmt, rc, e, "record an SLA event") == -1)
		return -1;
	return sqlite3_changes(store_sqlite(st)) > 0 ? 1 : 0;
}

int
store_sla_event_levels(struct store *st, int64_t ticket, const char *kind,
    time_t cycle, int *warned, int *breached, struct err *e)
{
	sqlite3_stmt *stmt;
	const unsigned char *s;
	int rc = SQLITE_OK;

	*warned = *breached = 0;
	if ((stmt = stmt_get(st, S_EVENT_LEVELS, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, ticket);
	rc |= bind_text(stmt, 2, kind);
	rc |= bind_int(stmt, 3, (int64_t)cycle);
	if (rc != SQLITE_OK) {
		store_stmt_done(stmt);
		return store_error(st, e, "cannot read SLA events");
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if ((s = sqlite3_column_text(stmt, 0)) != NULL) {
			if (strcmp((const char *)s, "breach") == 0)
				*breached = 1;
			else
				*warned = 1;
		}
	store_stmt_done(stmt);
	if (rc != SQLITE_DONE)
		return store_error(st, e, "cannot read SLA events");
	return 0;
}

int
store_sla_breach_count(struct store *st, int64_t ticket, long *count, struct err *e)
{
	sqlite3_stmt *stmt;
	int ret = 0;

	*count = 0;
	if ((stmt = stmt_get(st, S_BREACH_COUNT, e)) == NULL)
		return -1;
	if (bind_int(stmt, 1, ticket) != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
		ret = store_error(st, e, "cannot count breaches of ticket %" PRId64, ticket);
	else
		*count = (long)sqlite3_column_int64(stmt, 0);
	store_stmt_done(stmt);
	return ret;
}

/*
 * Outbox delivery.
 */

void
store_outmsg_release(struct store_outmsg *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->message_id);
	free(m->data);
	for (i = 0; i < m->rcpts_count; i++)
		free(m->rcpts[i]);
	free(m->rcpts);
	free(m->attempts);
	memset(m, 0, sizeof(*m));
}

int
store_outbox_due(struct store *st, time_t now, int64_t *ids, size_t max,
    size_t *count, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	*count = 0;
	if ((stmt = stmt_get(st, S_OUTBOX_DUE, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, (int64_t)now);
	rc |= bind_int(stmt, 2, (int64_t)max);
	if (rc != SQLITE_OK) {
		store_stmt_done(stmt);
		return store_error(st, e, "cannot list the outbox");
	}
	return list_ids(st, stmt, ids, max, count, e, "the outbox");
}

/* Appends one due recipient to m. */
static int
outmsg_add_rcpt(struct store_outmsg *m, const char *rcpt, int attempts)
{
	char **r;
	int *a;

	if ((r = realloc(m->rcpts, (m->rcpts_count + 1) * sizeof(*r))) == NULL)
		return -1;
	m->rcpts = r;
	if ((a = realloc(m->attempts, (m->rcpts_count + 1) * sizeof(*a))) == NULL)
		return -1;
	m->attempts = a;
	if ((m->rcpts[m->rcpts_count] = strdup(rcpt)) == NULL)
		return -1;
	m->attempts[m->rcpts_count++] = attempts;
	return 0;
}

int
store_outbox_get(struct store *st, int64_t id, time_t now, struct store_outmsg *m,
    struct err *e)
{
	sqlite3_stmt *stmt;
	const unsigned char *s;
	const void *blob;
	int rc = SQLITE_OK, ret = 0, oom = 0;
	int len;

	memset(m, 0, sizeof(*m));
	if ((stmt = stmt_get(st, S_OUTBOX_GET, e)) == NULL)
		return -1;
	if (bind_int(stmt, 1, id) != SQLITE_OK ||
	    ((rc = sqlite3_step(stmt)) != SQLITE_ROW && rc != SQLITE_DONE)) {
		store_stmt_done(stmt);
		return store_error(st, e, "cannot read notification %" PRId64, id);
	}
	if (rc == SQLITE_DONE) {
		store_stmt_done(stmt);
		return 0;
	}
	m->id = id;
	m->ticket = sqlite3_column_int64(stmt, 0);
	if ((s = sqlite3_column_text(stmt, 1)) == NULL ||
	    (m->message_id = strdup((const char *)s)) == NULL)
		oom = 1;
	blob = sqlite3_column_blob(stmt, 2);
	len = sqlite3_column_bytes(stmt, 2);
	if (!oom && (m->data = malloc((size_t)len + 1)) != NULL) {
		if (len > 0)
			memcpy(m->data, blob, (size_t)len);
		m->data[len] = '\0';
		m->len = (size_t)len;
	} else
		oom = 1;
	store_stmt_done(stmt);
	if (oom) {
		store_outmsg_release(m);
		return err_set(e, ERR_NOMEM, "out of memory reading notification %" PRId64, id);
	}

	if ((stmt = stmt_get(st, S_OUTBOX_RCPTS, e)) == NULL) {
		store_outmsg_release(m);
		return -1;
	}
	rc = bind_int(stmt, 1, id) | bind_int(stmt, 2, (int64_t)now);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((s = sqlite3_column_text(stmt, 0)) == NULL ||
		    outmsg_add_rcpt(m, (const char *)s, sqlite3_column_int(stmt, 1)) == -1) {
			oom = 1;
			break;
		}
		rc = SQLITE_OK;
	}
	if (oom)
		ret = err_set(e, ERR_NOMEM, "out of memory reading notification %" PRId64, id);
	else if (rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot read recipients of notification %" PRId64, id);
	store_stmt_done(stmt);
	if (ret == -1 || m->rcpts_count == 0) {
		store_outmsg_release(m);
		return ret;
	}
	return 1;
}

int
store_outbox_attempt(struct store *st, int64_t id, const char *rcpt, time_t now,
    time_t next_attempt, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK, claimed;

	if ((stmt = stmt_get(st, S_RCPT_ATTEMPT, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, id);
	rc |= bind_text(stmt, 2, rcpt);
	rc |= bind_int(stmt, 3, (int64_t)next_attempt);
	rc |= bind_int(stmt, 4, (int64_t)now);
	if (step_done(st, stmt, rc, e, "count a delivery attempt") == -1)
		return -1;
	claimed = sqlite3_changes(store_sqlite(st)) > 0;
	if (store_outbox_settle(st, id, 0, NULL, e) == -1)
		return -1;
	return claimed;
}

int
store_outbox_result(struct store *st, int64_t id, const char *rcpt, int result,
    time_t at, const char *error, struct err *e)
{
	static const char *const states[] = { "pending", "sent", "failed" };
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	if (result < STORE_RCPT_PENDING || result > STORE_RCPT_FAILED)
		return err_set(e, ERR_SOFTWARE, "invalid delivery result %d", result);
	if ((stmt = stmt_get(st, S_RCPT_RESULT, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, id);
	rc |= bind_text(stmt, 2, rcpt);
	rc |= bind_text(stmt, 3, states[result]);
	rc |= bind_opt(stmt, 4, result == STORE_RCPT_PENDING ? 0 : (int64_t)at);
	rc |= bind_text(stmt, 5, error);
	if (step_done(st, stmt, rc, e, "record a delivery") == -1)
		return -1;
	return store_outbox_settle(st, id, at, error, e);
}

int
store_outbox_settle(struct store *st, int64_t id, time_t at, const char *error,
    struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	if ((stmt = stmt_get(st, S_OUTBOX_SETTLE, e)) == NULL)
		return -1;
	rc |= bind_int(stmt, 1, id);
	rc |= bind_int(stmt, 2, (int64_t)at);
	rc |= bind_text(stmt, 3, error);
	return step_done(st, stmt, rc, e, "update a notification");
}
