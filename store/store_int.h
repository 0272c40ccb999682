/* store_int.h -- what the files of store/ share and nobody else sees:
 * the connection behind a struct store, for modules of the store that keep
 * their own prepared statements (store_sla.c: SLA clocks and the outbox
 * by recipient).  Only the files of store/ include this; only they include sqlite3.h. */
#ifndef ESC_STORE_INT_H
#define ESC_STORE_INT_H

#include <sqlite3.h>

struct err;
struct store;
struct store_sla;

/* "<what>: <sqlite's message>" in e, with fmt making what; returns -1. */
int		 store_error(struct store *, struct err *, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* A statement prepared for one use (a report's, a digest's query: run
 * once a day, not worth keeping); what names it in an error.  NULL with
 * e set on failure; the caller finalizes it. */
sqlite3_stmt	*store_prepare(struct store *, const char *sql, const char *what,
		    struct err *);
/* Statement i of a module's table sql, prepared on first use into
 * slots[i] and kept until the module's close; NULL with e set. */
sqlite3_stmt	*store_stmt_lazy(struct store *, sqlite3_stmt **slots, int i,
		    const char *const *sql, const char *what, struct err *);
/* Reset and unbound, ready for the next use. */
void		 store_stmt_done(sqlite3_stmt *);
/* Column i as text, NULL for NULL; valid until the next step. */
const char	*store_col_text(sqlite3_stmt *, int i);

/* The connection and the path (for messages) of an open store. */
sqlite3		*store_sqlite(struct store *);
const char	*store_path(const struct store *);
/* The slot where store_sla.c keeps its statements (NULL until first use);
 * store_close calls store_sla_close on it. */
struct store_sla **store_sla_slot(struct store *);
/* The text sentiment was scored on, as an SQL expression over message
 * columns with prefix p ("m." or ""): text_scored, else scored_len bytes
 * of text from scored_off (NULL: its start), else text (migrations 5 -> 6
 * and 8 -> 9 in store.c). */
#define STORE_SCORED_TEXT(p) \
    "coalesce(" p "text_scored, CASE WHEN " p "scored_len IS NULL THEN " p "text" \
    " ELSE CAST(substr(CAST(" p "text AS BLOB), coalesce(" p "scored_off, 0) + 1, " \
    p "scored_len) AS TEXT) END)"

/* store_sla_clean took a ticket off the sweep's list: the next mark of
 * it must reach the table. */
void		 store_dirty_forget(struct store *);
void		 store_sla_close(struct store_sla *);	/* NULL-safe */
/* The same for store_autoreply.c (tier 0 acknowledgements). */
struct store_autoreply;
struct store_autoreply **store_autoreply_slot(struct store *);
void		 store_autoreply_close(struct store_autoreply *);	/* NULL-safe */

#endif
