/* store_digest.c -- the store's SQL for breach digests (issue 7): the SLA
 * events of a window with their tickets, the share of clocks due in a
 * window that were met, and whether a digest was queued already; see
 * store.h.  Part of store/: it speaks SQL over the connection of a struct
 * store (store_int.h).
 *
 * A digest is read once a day or week, so its statements are prepared
 * and finalized per call rather than kept: nothing lives in struct store
 * for it, and store.c needs no slot.  The compliance query scans
 * sla_clock by deadline without an index (about a second per million
 * clocks), which is fine at that rate. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "common/err.h"
#include "store/store.h"
#include "store/store_int.h"

/* A ticket merged into another (merged_into) keeps its SLA events, but
 * its conversation is the survivor's now, whose clocks took the earliest
 * start (intake/thread.c): counting both would report one lapse twice, and
 * the absorbed ticket as a breach of its own.  Both queries leave merged
 * tickets out, as report and replay do. */

/* Events whose sweep saw them in [?1, ?2), by ticket then time.  late is
 * how far past the due time the clock ran: to its stop, or to the end of
 * the window while it still runs (a clock since restarted: to the event). */
static const char sql_events[] =
    "SELECT e.ticket_id, e.kind, e.level, e.tier, e.due, e.at,"
    " t.department, ch.name, t.subject, t.owner, t.tier,"
    " max(0, CASE WHEN c.cycle = e.cycle"
    "   THEN min(coalesce(c.stopped, ?2), ?2) ELSE e.at END - e.due)"
    " FROM sla_event e JOIN ticket t ON t.id = e.ticket_id"
    " LEFT JOIN channel ch ON ch.id = t.channel_id"
    " LEFT JOIN sla_clock c ON c.ticket_id = e.ticket_id AND c.kind = e.kind"
    " WHERE e.at >= ?1 AND e.at < ?2 AND t.merged_into IS NULL"
    " ORDER BY e.ticket_id, e.at, e.id";

/* Runs of clocks whose deadline fell in [?1, ?2): the current run of
 * each clock, and earlier runs that left a breach.  A run is missed when
 * it has a breach, its clock says missed, or it still runs past its
 * deadline (a sweep has not seen it yet). */
static const char sql_compliance[] =
    "WITH due(ticket_id, kind, cycle) AS ("
    " SELECT ticket_id, kind, cycle FROM sla_clock WHERE deadline >= ?1 AND deadline < ?2"
    " UNION SELECT ticket_id, kind, cycle FROM sla_event"
    "  WHERE level = 'breach' AND due >= ?1 AND due < ?2)"
    " SELECT count(*), coalesce(sum("
    "  NOT EXISTS (SELECT 1 FROM sla_event e WHERE e.ticket_id = due.ticket_id"
    "   AND e.kind = due.kind AND e.cycle = due.cycle AND e.level = 'breach')"
    "  AND NOT EXISTS (SELECT 1 FROM sla_clock c WHERE c.ticket_id = due.ticket_id"
    "   AND c.kind = due.kind AND c.cycle = due.cycle AND (c.state = 'missed'"
    "   OR (c.state = 'running' AND c.deadline < ?2)))), 0)"
    " FROM due JOIN ticket t ON t.id = due.ticket_id WHERE t.merged_into IS NULL";

static const char sql_outbox_has[] = "SELECT 1 FROM outbox WHERE message_id = ?1";

int
store_digest_events(struct store *st, time_t from, time_t to,
    int (*cb)(void *arg, const struct store_digest_event *, struct err *), void *arg,
    struct err *e)
{
	struct store_digest_event ev;
	sqlite3_stmt *stmt;
	const char *s;
	int rc, ret = 0;

	if ((stmt = store_prepare(st, sql_events, "a digest statement", e)) == NULL)
		return -1;
	rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	rc |= sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof(ev));
		ev.ticket = sqlite3_column_int64(stmt, 0);
		if ((s = store_col_text(stmt, 1)) != NULL)
			(void)snprintf(ev.kind, sizeof(ev.kind), "%s", s);
		ev.breach = (s = store_col_text(stmt, 2)) != NULL && strcmp(s, "breach") == 0;
		ev.tier = sqlite3_column_int(stmt, 3);
		ev.due = (time_t)sqlite3_column_int64(stmt, 4);
		ev.at = (time_t)sqlite3_column_int64(stmt, 5);
		ev.department = store_col_text(stmt, 6);
		ev.channel = store_col_text(stmt, 7);
		ev.subject = store_col_text(stmt, 8);
		ev.owner = store_col_text(stmt, 9);
		ev.ticket_tier = sqlite3_column_int(stmt, 10);
		ev.late = (long)sqlite3_column_int64(stmt, 11);
		if (cb(arg, &ev, e) == -1) {
			ret = -1;
			break;
		}
		rc = SQLITE_OK;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot read the SLA events of a digest");
	(void)sqlite3_finalize(stmt);	/* its error, if any, was reported at step */
	return ret;
}

int
store_digest_compliance(struct store *st, time_t from, time_t to, long *due,
    long *met, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc, ret = 0;

	*due = *met = 0;
	if ((stmt = store_prepare(st, sql_compliance, "a digest statement", e)) == NULL)
		return -1;
	rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	rc |= sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
		ret = store_error(st, e, "cannot count the SLA clocks due in a digest");
	else {
		*due = (long)sqlite3_column_int64(stmt, 0);
		*met = (long)sqlite3_column_int64(stmt, 1);
	}
	(void)sqlite3_finalize(stmt);	/* its error, if any, was reported at step */
	return ret;
}

int
store_outbox_has(struct store *st, const char *message_id, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc, ret;

	if ((stmt = store_prepare(st, sql_outbox_has, "a digest statement", e)) == NULL)
		return -1;
	if (sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_STATIC) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		ret = 1;
	else if (rc == SQLITE_DONE)
		ret = 0;
	else
		ret = store_error(st, e, "cannot look up notification '%s'", message_id);
	(void)sqlite3_finalize(stmt);	/* its error, if any, was reported at step */
	return ret;
}
