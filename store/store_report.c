/* store_report.c -- the store's SQL for `escalator report` (issue 9): the
 * tickets created in a window, the events of a range of tickets, and the
 * outcome of their SLA clock runs; see store.h.  Part of store/: it
 * speaks SQL over the connection of a struct store (store_int.h).
 *
 * A report is read now and then, so, as for digests, its statements are
 * prepared and finalized per call and nothing lives in struct store.
 *
 * Planned for a million tickets with five million events, without an
 * index that intake would pay for on every message:
 * - tickets: one pass over the ticket table (no index on created; a
 *   scan of a million rows is ~0.2 s, and exact even where ids do not
 *   grow with created, as after an import of old mail);
 * - events: the rows from the smallest event id of the window's tickets
 *   onwards, read in rowid order (a range of the table, about the size
 *   of the window when ids grow with time) and filtered by ticket id,
 *   rather than through event_ticket, whose per-row lookups into the
 *   table cost three times as much; the smallest id comes from
 *   event_ticket alone (a covering range);
 * - clocks: sla_clock by its primary key, breaches of earlier runs from
 *   sla_event by its UNIQUE index. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "common/err.h"
#include "store/store.h"
#include "store/store_int.h"

/* In id order, which is creation order for tickets intake made.  A
 * ticket merged into another (intake/thread.c) is part of that one's
 * conversation, not a ticket closed with nothing in it: left out, and
 * its events with it (report_event skips tickets it was not given). */
static const char sql_tickets[] =
    "SELECT t.id, t.created, t.resolved, t.status, t.priority, t.tier, t.handoffs,"
    " t.department, ch.name, t.tags"
    " FROM ticket t LEFT JOIN channel ch ON ch.id = t.channel_id"
    " WHERE t.created >= ?1 AND t.created < ?2 AND t.merged_into IS NULL ORDER BY t.id";

static const char sql_first_event[] =
    "SELECT min(id) FROM event WHERE ticket_id BETWEEN ?1 AND ?2";

/* NOT INDEXED: a rowid range, never event_ticket (see above). */
static const char sql_events[] =
    "SELECT ticket_id, at, kind, detail FROM event NOT INDEXED"
    " WHERE id >= ?1 AND ticket_id BETWEEN ?2 AND ?3 ORDER BY id";

/* Every decided run of the tickets' clocks: the current run of each
 * clock (met; missed when the clock says so, a breach was recorded for
 * it, or it still runs past its deadline at ?3), and earlier runs known
 * by their breach.  Runs still open before their deadline are left out.
 * A breached run counts for the tier it breached at (the clock's row has
 * the ticket's tier now).  The LEFT JOIN is one probe of sla_event's
 * UNIQUE index per clock. */
static const char sql_clocks[] =
    "SELECT c.ticket_id, c.kind, coalesce(b.tier, c.tier),"
    "  b.ticket_id IS NOT NULL OR c.state = 'missed'"
    "  OR (c.state = 'running' AND c.deadline < ?3)"
    " FROM sla_clock c LEFT JOIN sla_event b ON b.ticket_id = c.ticket_id"
    "  AND b.kind = c.kind AND b.cycle = c.cycle AND b.level = 'breach'"
    " WHERE c.ticket_id BETWEEN ?1 AND ?2"
    "  AND (c.state IN ('met', 'missed') OR b.ticket_id IS NOT NULL"
    "   OR (c.state = 'running' AND c.deadline < ?3))"
    " UNION ALL"
    " SELECT e.ticket_id, e.kind, e.tier, 1 FROM sla_event e"
    " WHERE e.ticket_id BETWEEN ?1 AND ?2 AND e.level = 'breach'"
    "  AND NOT EXISTS (SELECT 1 FROM sla_clock c WHERE c.ticket_id = e.ticket_id"
    "   AND c.kind = e.kind AND c.cycle = e.cycle)";

int
store_report_tickets(struct store *st, time_t from, time_t to,
    int (*cb)(void *arg, const struct store_report_ticket *, struct err *), void *arg,
    struct err *e)
{
	struct store_report_ticket t;
	sqlite3_stmt *stmt;
	int rc, ret = 0;

	if ((stmt = store_prepare(st, sql_tickets, "a report statement", e)) == NULL)
		return -1;
	rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	rc |= sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		t.id = sqlite3_column_int64(stmt, 0);
		t.created = (time_t)sqlite3_column_int64(stmt, 1);
		t.resolved = (time_t)sqlite3_column_int64(stmt, 2);	/* NULL: 0 */
		t.status = sqlite3_column_int(stmt, 3);
		t.priority = sqlite3_column_int(stmt, 4);
		t.tier = sqlite3_column_int(stmt, 5);
		t.handoffs = sqlite3_column_int(stmt, 6);
		t.department = store_col_text(stmt, 7);
		t.channel = store_col_text(stmt, 8);
		t.tags = store_col_text(stmt, 9);
		if (cb(arg, &t, e) == -1) {
			ret = -1;
			break;
		}
		rc = SQLITE_OK;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot read the tickets of a report");
	(void)sqlite3_finalize(stmt);	/* its error, if any, was reported at step */
	return ret;
}

int
store_report_events(struct store *st, int64_t first, int64_t last,
    int (*cb)(void *arg, const struct store_report_event *, struct err *), void *arg,
    struct err *e)
{
	struct store_report_event ev;
	sqlite3_stmt *stmt;
	sqlite3_int64 from_id = 0;
	int rc, ret = 0;

	if ((stmt = store_prepare(st, sql_first_event, "a report statement", e)) == NULL)
		return -1;
	rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)first);
	rc |= sqlite3_bind_int64(stmt, 2, (sqlite3_int64)last);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
		ret = store_error(st, e, "cannot find the first event of a report");
	else if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
		ret = 1;	/* no event at all */
	else
		from_id = sqlite3_column_int64(stmt, 0);
	(void)sqlite3_finalize(stmt);	/* its error, if any, was reported at step */
	if (ret != 0)
		return ret == 1 ? 0 : -1;

	if ((stmt = store_prepare(st, sql_events, "a report statement", e)) == NULL)
		return -1;
	rc = sqlite3_bind_int64(stmt, 1, from_id);
	rc |= sqlite3_bind_int64(stmt, 2, (sqlite3_int64)first);
	rc |= sqlite3_bind_int64(stmt, 3, (sqlite3_int64)last);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		ev.ticket = sqlite3_column_int64(stmt, 0);
		ev.at = (time_t)sqlite3_column_int64(stmt, 1);
		ev.kind = store_col_text(stmt, 2);
		ev.detail = store_col_text(stmt, 3);
		if (ev.kind == NULL)	/* NOT NULL in the schema */
			ev.kind = "";
		if (cb(arg, &ev, e) == -1) {
			ret = -1;
			break;
		}
		rc = SQLITE_OK;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot read the events of a report");
	(void)sqlite3_finalize(stmt);	/* its error, if any, was reported at step */
	return ret;
}

int
store_report_clocks(struct store *st, int64_t first, int64_t last, time_t now,
    int (*cb)(void *arg, int64_t ticket, const char *kind, int tier, int missed,
    struct err *), void *arg, struct err *e)
{
	sqlite3_stmt *stmt;
	const char *kind;
	int rc, ret = 0;

	if ((stmt = store_prepare(st, sql_clocks, "a report statement", e)) == NULL)
		return -1;
	rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)first);
	rc |= sqlite3_bind_int64(stmt, 2, (sqlite3_int64)last);
	rc |= sqlite3_bind_int64(stmt, 3, (sqlite3_int64)now);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((kind = store_col_text(stmt, 1)) == NULL)	/* NOT NULL in the schema */
			kind = "";
		if (cb(arg, sqlite3_column_int64(stmt, 0), kind, sqlite3_column_int(stmt, 2),
		    sqlite3_column_int(stmt, 3) != 0, e) == -1) {
			ret = -1;
			break;
		}
		rc = SQLITE_OK;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot read the SLA clocks of a report");
	(void)sqlite3_finalize(stmt);	/* its error, if any, was reported at step */
	return ret;
}
