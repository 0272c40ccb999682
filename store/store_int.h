/* store_int.h -- what the files of store/ share and nobody else sees:
 * the connection behind a struct store, for modules of the store that keep
 * their own prepared statements (store_sla.c: SLA clocks and the outbox
 * by recipient).  Only the files of store/ include this; only they include sqlite3.h. */
#ifndef ESC_STORE_INT_H
#define ESC_STORE_INT_H

#include <sqlite3.h>

struct store;
struct store_sla;

/* The connection and the path (for messages) of an open store. */
sqlite3		*store_sqlite(struct store *);
const char	*store_path(const struct store *);
/* The slot where store_sla.c keeps its statements (NULL until first use);
 * store_close calls store_sla_close on it. */
struct store_sla **store_sla_slot(struct store *);
void		 store_sla_close(struct store_sla *);	/* NULL-safe */
/* The same for store_autoreply.c (tier 0 acknowledgements). */
struct store_autoreply;
struct store_autoreply **store_autoreply_slot(struct store *);
void		 store_autoreply_close(struct store_autoreply *);	/* NULL-safe */

#endif
