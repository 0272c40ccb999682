/* store_autoreply.c -- the store's SQL for tier 0 acknowledgements
 * (issue 9): when an address was last acknowledged, for the
 * once-an-hour guard of rules/autoreply.c; see store.h.  Part of store/:
 * it speaks SQL over the connection of a struct store (store_int.h).
 *
 * The table autoreply (address PRIMARY KEY, sent, ticket_id) is
 * migration 4 -> 5 in store.c; one row per address, replaced on each
 * acknowledgement, so it stays as small as the set of customers.  Its
 * statements are prepared on first use, like store_sla.c's, so an import
 * on channels without an autoreply block prepares none. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "common/err.h"
#include "store/store.h"
#include "store/store_int.h"

enum autoreply_stmt {
	A_GET,
	A_MARK,
	A_COUNT
};

static const char *const autoreply_sql[A_COUNT] = {
	[A_GET] = "SELECT sent, ticket_id FROM autoreply WHERE address = ?1",
	[A_MARK] =
	    "INSERT INTO autoreply(address, sent, ticket_id) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT(address) DO UPDATE SET sent = excluded.sent,"
	    " ticket_id = excluded.ticket_id",
};

struct store_autoreply {
	sqlite3_stmt	*stmt[A_COUNT];
};

void
store_autoreply_close(struct store_autoreply *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < A_COUNT; i++)
		(void)sqlite3_finalize(s->stmt[i]);	/* NULL-safe; errors were reported at step */
	free(s);
}

/* Statement i, prepared on first use; NULL with e set on failure. */
static sqlite3_stmt *
stmt_get(struct store *st, int i, struct err *e)
{
	struct store_autoreply **slot = store_autoreply_slot(st);

	if (*slot == NULL && (*slot = calloc(1, sizeof(**slot))) == NULL) {
		(void)err_set(e, ERR_NOMEM, "out of memory preparing autoreply statements");
		return NULL;
	}
	return store_stmt_lazy(st, (*slot)->stmt, i, autoreply_sql, "autoreply", e);
}

int
store_autoreply_get(struct store *st, const char *address, time_t *sent,
    int64_t *ticket, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc, ret;

	*sent = 0;
	*ticket = 0;
	if ((stmt = stmt_get(st, A_GET, e)) == NULL)
		return -1;
	if (sqlite3_bind_text(stmt, 1, address, -1, SQLITE_STATIC) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*sent = (time_t)sqlite3_column_int64(stmt, 0);
		*ticket = (int64_t)sqlite3_column_int64(stmt, 1);	/* NULL reads 0 */
		ret = 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	else
		ret = store_error(st, e, "cannot read the acknowledgements of '%s'",
		    address);
	store_stmt_done(stmt);
	return ret;
}

int
store_autoreply_mark(struct store *st, const char *address, time_t sent,
    int64_t ticket, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK, ret = 0;

	if ((stmt = stmt_get(st, A_MARK, e)) == NULL)
		return -1;
	rc |= sqlite3_bind_text(stmt, 1, address, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, 2, (sqlite3_int64)sent);
	rc |= ticket != 0 ? sqlite3_bind_int64(stmt, 3, (sqlite3_int64)ticket) :
	    sqlite3_bind_null(stmt, 3);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot record the acknowledgement of '%s'",
		    address);
	store_stmt_done(stmt);
	return ret;
}
