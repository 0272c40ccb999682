/* store.c -- the only code that speaks SQL; owns the sqlite3 handle and
 * its prepared statements; callers see an opaque struct store.
 *
 * One connection per struct store, used by one thread at a time.  Every
 * statement is prepared once in store_open (stmt_sql[] below, indexed by
 * enum stmt) and reused: bind, step, capture the error, reset.  No SQL is
 * ever built from data.  The schema moves forward by PRAGMA user_version
 * through migrations[]; a database newer than this program is refused, as
 * is a file that is not an escalator database (PRAGMA application_id).
 *
 * Limits: no statement may be re-entered from its own listing callback
 * (store_queue inside a store_queue callback fails cleanly); raw message
 * bytes are written but not yet read back (include_raw is reserved). */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/model.h"
#include "common/util.h"
#include "intake/message.h"
#include "store/store.h"
#include "store/store_int.h"

/* "ESCA": marks the file as ours, so another program's SQLite database is
 * never migrated into an escalator one. */
#define STORE_APPLICATION_ID	0x45534341

/* Sizes, measured by inserting 50,000 messages of ~5 KB (raw bytes plus
 * decoded text, 10-14 KB a row) in transactions of 500, and by
 * `escalator import` of such an mbox:
 *
 * - 64 KiB pages (the most SQLite allows).  Several rows share a page
 *   with no overflow chain, and a page costs two write calls in the WAL
 *   and two more at checkpoint.  Inserts alone, on an idle machine: 4 KiB
 *   pages ~10,000 messages/s, 16 KiB ~16,000 (one row per page), 32 KiB
 *   ~31,000, 64 KiB ~36,000; the import spent the least CPU at 64 KiB
 *   too.  The price: small transactions (the daemon's one-message
 *   commits) write whole 64 KiB pages, and a file ~15% larger than with
 *   4 KiB pages.  Takes effect only when the file is created.
 * - 32 MiB of page cache: the hot index pages (message_id is written in
 *   random order) stay in memory; peak RSS of the import ~47 MB.
 * - no mmap, so every page read is bounded by that cache.
 * - a checkpoint every 1024 pages (64 MiB of WAL): fewer checkpoints and
 *   fsyncs than the default; the WAL is cut back to 64 MiB after each. */
#define STORE_PAGE_SIZE		"65536"
#define STORE_CACHE_KIB		"32768"
#define STORE_WAL_PAGES		"1024"
#define STORE_WAL_LIMIT		"67108864"

#define REFS_MAX	(1024 * 1024)	/* joined References of one message */
#define STORE_MERGE_STMTS	5	/* enum merge_stmt's MERGE_COUNT */

/* The schema knows these values of the enums in common/model.h. */
_Static_assert(STATUS_NEW == 0 && STATUS_CLOSED == 4, "ticket.status CHECK");
_Static_assert(PRIO_LOW == 0 && PRIO_URGENT == 3, "ticket.priority CHECK");
_Static_assert(DIR_IN == 0 && DIR_OUT == 1, "message.direction CHECK");
_Static_assert(TIER_MIN == 0 && TIER_MAX == 4, "ticket.tier CHECK");

/*
 * Migrations: migrations[N] takes a database from user_version N to N+1.
 * Append only; never edit a migration that has shipped.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema. */
	"PRAGMA application_id = 1163084609;\n"	/* STORE_APPLICATION_ID */

	/* A configured source.  kind: imap, mastodon, bluesky, feed, mbox.
	 * public: its messages are public unless a message says otherwise. */
	"CREATE TABLE channel (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	name		TEXT NOT NULL UNIQUE,\n"
	"	kind		TEXT NOT NULL,\n"
	"	public		INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1))\n"
	");\n"

	/* How far a connector has read one source of a channel (an IMAP
	 * mailbox's "UIDVALIDITY:UID", a social since-id).  Written in the
	 * same transaction as the messages it covers. */
	"CREATE TABLE cursor (\n"
	"	channel_id	INTEGER NOT NULL REFERENCES channel(id),\n"
	"	source		TEXT NOT NULL,\n"
	"	value		TEXT NOT NULL,\n"
	"	updated		INTEGER NOT NULL,\n"
	"	PRIMARY KEY (channel_id, source)\n"
	") WITHOUT ROWID;\n"

	/* One conversation.  status, priority: enum status and enum priority
	 * of common/model.h (higher priority is more urgent).  AUTOINCREMENT:
	 * ticket numbers travel in subjects ("[#1234]"), so one is never
	 * given out twice, even after a delete.  Times are Unix seconds. */
	"CREATE TABLE ticket (\n"
	"	id		INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"	status		INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4),\n"
	"	priority	INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),\n"
	"	tier		INTEGER NOT NULL CHECK (tier BETWEEN 0 AND 4),\n"
	"	department	TEXT,			-- NULL: none yet\n"
	"	owner		TEXT,			-- NULL: the tier owner\n"
	"	channel_id	INTEGER REFERENCES channel(id),	-- that opened it\n"
	"	public		INTEGER NOT NULL DEFAULT 0,\n"
	"	customer	TEXT,			-- address or handle, lowercased\n"
	"	customer_name	TEXT,\n"
	"	subject		TEXT,\n"
	"	subject_key	TEXT,			-- normalized, for the subject fallback\n"
	"	created		INTEGER NOT NULL,\n"
	"	updated		INTEGER NOT NULL,	-- last activity\n"
	"	last_inbound	INTEGER,		-- last customer message\n"
	"	messages	INTEGER NOT NULL DEFAULT 0,\n"
	"	exchanges	INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	/* The triage view: open statuses, most urgent first, oldest first. */
	"CREATE INDEX ticket_queue ON ticket(status, priority DESC, created);\n"
	/* Threading by subject when no reference matches. */
	"CREATE INDEX ticket_subject ON ticket(customer, subject_key);\n"

	/* One logical message, stored once even if it reached two inboxes
	 * (UNIQUE message_id); external_id is the channel's own id (IMAP
	 * "UIDVALIDITY:UID", a status id).  ticket_id is NULL when it opened
	 * no ticket (auto-replies, bounces: auto_reason says why).
	 * recipients: JSON {"to": "a, b", "cc": "c"}, NULL if neither; refs:
	 * References then In-Reply-To, space-separated; attachments: JSON
	 * [{"name", "type", "size"}] or NULL; warnings: one per line, NULL if
	 * none; reach: followers, NULL if unknown.  Short columns come first,
	 * text and raw last, so reading a row's header fields never walks the
	 * overflow pages of its body. */
	"CREATE TABLE message (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	channel_id	INTEGER NOT NULL REFERENCES channel(id),\n"
	"	external_id	TEXT NOT NULL,\n"
	"	message_id	TEXT NOT NULL,\n"
	"	ticket_id	INTEGER REFERENCES ticket(id),\n"
	"	direction	INTEGER NOT NULL CHECK (direction IN (0, 1)),\n"
	"	from_name	TEXT,\n"
	"	from_addr	TEXT,\n"
	"	recipients	TEXT,\n"
	"	subject		TEXT,\n"
	"	date		INTEGER,\n"
	"	received	INTEGER NOT NULL,\n"
	"	public		INTEGER NOT NULL DEFAULT 0,\n"
	"	reach		INTEGER,\n"
	"	url		TEXT,\n"
	"	in_reply_to	TEXT,\n"
	"	refs		TEXT,\n"
	"	html_only	INTEGER NOT NULL DEFAULT 0,\n"
	"	attachments	TEXT,\n"
	"	auto_reason	TEXT,\n"
	"	auto_detail	TEXT,\n"
	"	warnings	TEXT,\n"
	"	text		TEXT,\n"
	"	text_scored	TEXT,			-- NULL: the same as text\n"
	"	raw		BLOB,			-- the bytes as received, for audit\n"
	"	UNIQUE (channel_id, external_id)\n"
	");\n"
	"CREATE UNIQUE INDEX message_message_id ON message(message_id);\n"
	"CREATE INDEX message_ticket ON message(ticket_id);\n"

	/* Message-ID -> ticket, for stored messages and for ids they merely
	 * reference, so a reply that arrives before its parent still threads.
	 * No index on ticket_id: tickets are never deleted. */
	"CREATE TABLE thread_ref (\n"
	"	message_id	TEXT PRIMARY KEY,\n"
	"	ticket_id	INTEGER NOT NULL REFERENCES ticket(id)\n"
	") WITHOUT ROWID;\n"

	/* The history of a ticket, append-only: the triggers below refuse
	 * every UPDATE and DELETE.  detail: a JSON object text or NULL. */
	"CREATE TABLE event (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	ticket_id	INTEGER NOT NULL REFERENCES ticket(id),\n"
	"	at		INTEGER NOT NULL,\n"
	"	kind		TEXT NOT NULL,\n"
	"	actor		TEXT,\n"
	"	detail		TEXT\n"
	");\n"
	"CREATE INDEX event_ticket ON event(ticket_id, id);\n"
	"CREATE TRIGGER event_no_update BEFORE UPDATE ON event\n"
	"BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n"
	"CREATE TRIGGER event_no_delete BEFORE DELETE ON event\n"
	"BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n"

	/* Notifications to send: message_id is the Message-ID we gave the
	 * mail, so one notification is sent once; sent is NULL until it is.
	 * The index finds what is due: sent IS NULL AND next_attempt <= now. */
	"CREATE TABLE outbox (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	ticket_id	INTEGER REFERENCES ticket(id),\n"
	"	message_id	TEXT NOT NULL UNIQUE,\n"
	"	recipients	TEXT NOT NULL,\n"
	"	data		BLOB NOT NULL,\n"
	"	created		INTEGER NOT NULL,\n"
	"	attempts	INTEGER NOT NULL DEFAULT 0,\n"
	"	next_attempt	INTEGER,\n"
	"	sent		INTEGER,\n"
	"	last_error	TEXT\n"
	");\n"
	"CREATE INDEX outbox_due ON outbox(sent, next_attempt);\n",

	/* 1 -> 2: social posts change at their source (issue 8).  edited:
	 * when text was last replaced by an edit; deleted: when the post was
	 * deleted there (the row stays, for the ticket's history). */
	"ALTER TABLE message ADD COLUMN edited INTEGER;\n"
	"ALTER TABLE message ADD COLUMN deleted INTEGER;\n",

	/* 2 -> 3: decisions (issue 6).  message.sentiment: compound score of
	 * text_scored, -1 to 1, NULL when not scored (no lexicon, not from
	 * the customer).  ticket.tags: comma-separated, NULL for none;
	 * ticket.urgency: the default policy's score (rules/policy.h), which
	 * orders tickets of one priority in the queue. */
	"ALTER TABLE message ADD COLUMN sentiment REAL;\n"
	"ALTER TABLE ticket ADD COLUMN tags TEXT;\n"
	"ALTER TABLE ticket ADD COLUMN urgency REAL NOT NULL DEFAULT 0;\n"
	"DROP INDEX ticket_queue;\n"
	"CREATE INDEX ticket_queue ON ticket(status, priority DESC, urgency DESC, created);\n",

	/* 3 -> 4: SLA clocks and delivery by recipient (issue 7; the SQL
	 * that uses them is in store_sla.c).  sla_clock: one row per ticket
	 * and kind, as rules/sla.c computed it; cycle names the run (its
	 * start); next_due is the next warning or breach not yet recorded,
	 * and its partial index is all an idle sweep reads.  sla_event: each
	 * warning and breach, once per ticket, kind, cycle and level by the
	 * UNIQUE constraint.  sla_dirty: tickets whose clocks must be
	 * recomputed, filled by triggers whenever a ticket or its history
	 * changes (the sweep's own SLA events excepted), so no other code has
	 * to remember the clocks.  outbox_rcpt: each recipient's delivery;
	 * outbox.recipients becomes a JSON array of addresses, split by a
	 * trigger. */
	"CREATE TABLE sla_clock (\n"
	"	ticket_id	INTEGER NOT NULL REFERENCES ticket(id),\n"
	"	kind		TEXT NOT NULL,\n"
	"	tier		INTEGER NOT NULL,\n"
	"	cycle		INTEGER NOT NULL,\n"
	"	state		TEXT NOT NULL CHECK (state IN ('running', 'paused', 'met', 'missed')),\n"
	"	target		INTEGER NOT NULL,	-- business seconds\n"
	"	started		INTEGER NOT NULL,\n"
	"	deadline	INTEGER,		-- NULL while paused\n"
	"	warn_at		INTEGER,\n"
	"	stopped		INTEGER,\n"
	"	paused_total	INTEGER NOT NULL DEFAULT 0,\n"
	"	next_due	INTEGER,\n"
	"	PRIMARY KEY (ticket_id, kind)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX sla_clock_due ON sla_clock(next_due) WHERE next_due IS NOT NULL;\n"
	"CREATE TABLE sla_event (\n"
	"	id		INTEGER PRIMARY KEY,\n"
	"	ticket_id	INTEGER NOT NULL REFERENCES ticket(id),\n"
	"	kind		TEXT NOT NULL,\n"
	"	cycle		INTEGER NOT NULL,\n"
	"	level		TEXT NOT NULL CHECK (level IN ('warning', 'breach')),\n"
	"	tier		INTEGER NOT NULL,\n"
	"	due		INTEGER NOT NULL,	-- the warn_at or deadline passed\n"
	"	at		INTEGER NOT NULL,	-- when a sweep saw it\n"
	"	notified	INTEGER NOT NULL DEFAULT 0,\n"
	"	UNIQUE (ticket_id, kind, cycle, level)\n"
	");\n"
	"CREATE INDEX sla_event_at ON sla_event(at);\n"
	"CREATE TABLE sla_dirty (ticket_id INTEGER PRIMARY KEY);\n"
	"INSERT INTO sla_dirty(ticket_id) SELECT id FROM ticket;\n"
	"CREATE TABLE outbox_rcpt (\n"
	"	outbox_id	INTEGER NOT NULL REFERENCES outbox(id),\n"
	"	rcpt		TEXT NOT NULL,\n"
	"	state		TEXT NOT NULL DEFAULT 'pending'\n"
	"			CHECK (state IN ('pending', 'sent', 'failed')),\n"
	"	attempts	INTEGER NOT NULL DEFAULT 0,\n"
	"	next_attempt	INTEGER NOT NULL,\n"
	"	done		INTEGER,		-- when sent or failed\n"
	"	last_error	TEXT,\n"
	"	PRIMARY KEY (outbox_id, rcpt)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX outbox_rcpt_due ON outbox_rcpt(next_attempt) WHERE state = 'pending';\n"
	/* A plain "a@x, b@y" list is read too. */
	"CREATE TRIGGER outbox_rcpt_split AFTER INSERT ON outbox BEGIN\n"
	"	INSERT OR IGNORE INTO outbox_rcpt(outbox_id, rcpt, next_attempt)\n"
	"	SELECT NEW.id, trim(value), coalesce(NEW.next_attempt, NEW.created)\n"
	"	FROM json_each(CASE WHEN json_valid(NEW.recipients) THEN NEW.recipients\n"
	"		ELSE '[\"' || replace(replace(replace(NEW.recipients, '\"', ''),\n"
	"		' ', ''), ',', '\",\"') || '\"]' END)\n"
	"	WHERE trim(value) <> '';\n"
	"END;\n",

	/* 4 -> 5: the ticket workflow (issue 9).  handoffs: escalations
	 * that handed the ticket to another tier or department (each wrote a
	 * hand-off summary event).  resolved: when the ticket last became
	 * resolved or closed, NULL while open; set by the store when status
	 * moves (STMT_TICKET_UPDATE), so reports read resolution times
	 * without walking events.  autoreply: the last tier 0 acknowledgement
	 * sent to an address, for the once-an-hour guard. */
	"ALTER TABLE ticket ADD COLUMN handoffs INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE ticket ADD COLUMN resolved INTEGER;\n"
	"UPDATE ticket SET resolved = updated WHERE status >= 3;\n"
	"CREATE TABLE autoreply (\n"
	"	address		TEXT PRIMARY KEY,\n"
	"	sent		INTEGER NOT NULL,\n"
	"	ticket_id	INTEGER REFERENCES ticket(id)\n"
	") WITHOUT ROWID;\n",

	/* 5 -> 6: the scored text as a length.  It is nearly always the
	 * start of text (the customer's words above the quote, before the
	 * signature): then scored_len is its length in bytes and text_scored
	 * stays NULL, instead of a second copy (58 of the 520 MB of the
	 * 50,000-message benchmark).  STORE_SCORED_TEXT reads either form;
	 * rows without scored_len are as before. */
	"ALTER TABLE message ADD COLUMN scored_len INTEGER;\n",

	/* 6 -> 7: the language a social post says it is in (Mastodon's
	 * language, Bluesky's langs), comma-separated BCP 47 tags, NULL when
	 * the source does not say: a support team routes by it.  Attachments
	 * need no column: their JSON gains "url" for a post's media. */
	"ALTER TABLE message ADD COLUMN lang TEXT;\n",

	/* 7 -> 8: tickets that turn out to be one conversation (a reply
	 * linking two threads that arrived out of order) are merged
	 * (intake/thread.c).  merged_into: the ticket that absorbed this
	 * one, which is then closed and holds no messages; NULL for every
	 * other ticket.  No index: only show and the tag lookup read it,
	 * by the ticket's own id. */
	"ALTER TABLE ticket ADD COLUMN merged_into INTEGER REFERENCES ticket(id);\n",

	/* 8 -> 9: the scored text as a slice of text, not only its start:
	 * a salutation line the scorer skips ("Good morning,") comes before
	 * it in half of all mail, and a second copy would cost as much as
	 * schema 6 saved.  scored_off: bytes of text before it; NULL is 0. */
	"ALTER TABLE message ADD COLUMN scored_off INTEGER;\n",
};

#define MIGRATIONS_COUNT	((int)(sizeof(migrations) / sizeof(migrations[0])))
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
    "STORE_SCHEMA_VERSION in store.h is the number of migrations");

/*
 * Statements, prepared once in store_open.
 */
enum stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_CHANNEL_UPSERT,
	STMT_CHANNEL_ID,
	STMT_CURSOR_GET,
	STMT_CURSOR_SET,
	STMT_MESSAGE_EXISTS,
	STMT_MESSAGE_INSERT,
	STMT_THREAD_REF_ADD,
	STMT_THREAD_FIND,
	STMT_THREAD_FIND_SUBJECT,
	STMT_TICKET_CREATE,
	STMT_TICKET_GET,
	STMT_TICKET_UPDATE,
	STMT_TICKET_UPDATE_KEEP,
	STMT_EVENT_ADD,
	STMT_QUEUE_OPEN,
	STMT_QUEUE_ALL,
	STMT_TICKET_MESSAGES,
	STMT_TICKET_EVENTS,
	STMT_UNTICKETED,
	STMT_OUTBOX_ADD,
	/* Connectors: where a stored message came from (issue 5). */
	STMT_MESSAGE_FIND_EXTERNAL,
	STMT_MESSAGE_FIND_ID,
	STMT_MESSAGE_SET_EXTERNAL,
	STMT_OPEN_MESSAGES,
	STMT_EVENT_EXISTS,
	/* Social connectors: posts edited or deleted at the source (issue 8). */
	STMT_MESSAGE_EDITED,
	STMT_MESSAGE_EDIT,
	STMT_MESSAGE_DELETE,
	/* SLA: a ticket whose clocks the next sweep must recompute (issue 7). */
	STMT_SLA_DIRTY,
	STMT_COUNT
};

/* The columns ticket_from_row reads, in order; t is ticket, c channel. */
#define TICKET_COLUMNS \
	"t.id, t.status, t.priority, t.tier, t.department, t.owner, c.name," \
	" t.public, t.customer, t.customer_name, t.subject, t.subject_key," \
	" t.created, t.updated, t.last_inbound, t.messages, t.exchanges," \
	" t.tags, t.urgency, t.handoffs, t.resolved, t.merged_into"
/* The columns msg_from_row reads; m is message, c channel. */
#define MSG_COLUMNS \
	"m.id, m.message_id, m.from_name, m.from_addr, m.subject, m.text," \
	" m.auto_reason, m.warnings, m.attachments, c.name, m.direction," \
	" m.public, m.date, m.received, m.sentiment, m.lang"

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",

	/* Configuration decides kind and public; write only on a change. */
	[STMT_CHANNEL_UPSERT] =
	    "INSERT INTO channel(name, kind, public) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT(name) DO UPDATE SET kind = excluded.kind,"
	    " public = excluded.public"
	    " WHERE kind IS NOT excluded.kind OR public IS NOT excluded.public",
	[STMT_CHANNEL_ID] = "SELECT id FROM channel WHERE name = ?1",

	[STMT_CURSOR_GET] =
	    "SELECT value FROM cursor WHERE channel_id = ?1 AND source = ?2",
	[STMT_CURSOR_SET] =
	    "INSERT INTO cursor(channel_id, source, value, updated)"
	    " VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT(channel_id, source) DO UPDATE SET"
	    " value = excluded.value, updated = excluded.updated",

	/* Two EXISTS so each probe uses its own unique index. */
	[STMT_MESSAGE_EXISTS] =
	    "SELECT EXISTS (SELECT 1 FROM message"
	    "   WHERE channel_id = ?1 AND external_id = ?2)"
	    " OR EXISTS (SELECT 1 FROM message WHERE message_id = ?3)",
	[STMT_MESSAGE_INSERT] =
	    "INSERT INTO message(channel_id, external_id, message_id,"
	    " ticket_id, direction, from_name, from_addr, recipients, subject,"
	    " date, received, public, reach, url, in_reply_to, refs, html_only,"
	    " attachments, auto_reason, auto_detail, warnings, text,"
	    " text_scored, raw, sentiment, scored_len, lang, scored_off)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",

	[STMT_THREAD_REF_ADD] =
	    "INSERT OR IGNORE INTO thread_ref(message_id, ticket_id)"
	    " VALUES (?1, ?2)",
	[STMT_THREAD_FIND] =
	    "SELECT ticket_id FROM thread_ref WHERE message_id = ?1",
	/* The newest (updated, then id) is picked in store_thread_find_subject:
	 * ORDER BY updated DESC, id DESC LIMIT 1 made SQLite open a sorter
	 * on every lookup (the index has no updated), ~30,000 instructions a
	 * message, for the few rows one customer and subject have. */
	[STMT_THREAD_FIND_SUBJECT] =
	    "SELECT id, updated FROM ticket"
	    " WHERE customer = ?1 AND subject_key = ?2 AND updated >= ?3",

	[STMT_TICKET_CREATE] =
	    "INSERT INTO ticket(status, priority, tier, department, owner,"
	    " channel_id, public, customer, customer_name, subject, subject_key,"
	    " created, updated, last_inbound, messages, exchanges, tags, urgency,"
	    " handoffs, resolved)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19,"
	    " CASE WHEN ?1 >= 3 THEN ?13 END)",
	[STMT_TICKET_GET] =
	    "SELECT " TICKET_COLUMNS
	    " FROM ticket t LEFT JOIN channel c ON c.id = t.channel_id"
	    " WHERE t.id = ?1",
	/* Everything but id and the channel that opened it.  created is
	 * mutable: a message older than the ticket, arriving late, moves the
	 * start of the conversation back (rules/policy.c). */
#define TICKET_UPDATE_HEAD \
	    "UPDATE ticket SET status = ?2, priority = ?3, tier = ?4," \
	    " department = ?5, owner = ?6, public = ?7,"
#define TICKET_UPDATE_TAIL \
	    " customer_name = ?9, subject = ?10," \
	    " updated = ?12, last_inbound = ?13, messages = ?14," \
	    " exchanges = ?15, created = ?16, tags = ?17, urgency = ?18," \
	    " handoffs = ?19," \
	    " resolved = CASE WHEN ?2 < 3 THEN NULL" \
	    "   WHEN status >= 3 THEN resolved ELSE ?12 END" \
	    " WHERE id = ?1"
	[STMT_TICKET_UPDATE] =
	    TICKET_UPDATE_HEAD " customer = ?8, subject_key = ?11," TICKET_UPDATE_TAIL,
	/* The same without customer and subject_key (?8, ?11 unused) when
	 * they are as stored: SQLite rewrites an index entry whenever the
	 * UPDATE sets one of its columns, changed or not, and most updates
	 * (every message of a thread) leave the subject index alone. */
	[STMT_TICKET_UPDATE_KEEP] =
	    TICKET_UPDATE_HEAD TICKET_UPDATE_TAIL,
#undef TICKET_UPDATE_HEAD
#undef TICKET_UPDATE_TAIL

	[STMT_EVENT_ADD] =
	    "INSERT INTO event(ticket_id, at, kind, actor, detail)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_SLA_DIRTY] =
	    "INSERT OR IGNORE INTO sla_dirty(ticket_id) VALUES (?1)",

	/* The triage order: priority, then the SLA deadline, then the
	 * default policy's urgency (a public negative post above a private
	 * mail of the same priority), then age, oldest first.  SLA deadlines
	 * come in a later issue: the earliest deadline becomes the second
	 * sort key, between priority DESC and urgency (t.deadline ASC NULLS
	 * LAST). */
	[STMT_QUEUE_OPEN] =
	    "SELECT " TICKET_COLUMNS
	    " FROM ticket t LEFT JOIN channel c ON c.id = t.channel_id"
	    " WHERE t.status IN (?1, ?2, ?3)"
	    " ORDER BY t.priority DESC, /* deadline here */ t.urgency DESC,"
	    " t.created, t.id",
	/* An absorbed ticket is a pointer, not work: never listed. */
	[STMT_QUEUE_ALL] =
	    "SELECT " TICKET_COLUMNS
	    " FROM ticket t LEFT JOIN channel c ON c.id = t.channel_id"
	    " WHERE t.merged_into IS NULL"
	    " ORDER BY t.priority DESC, /* deadline here */ t.urgency DESC,"
	    " t.created, t.id",

	[STMT_TICKET_MESSAGES] =
	    "SELECT " MSG_COLUMNS
	    " FROM message m JOIN channel c ON c.id = m.channel_id"
	    " WHERE m.ticket_id = ?1 ORDER BY m.date, m.id",
	[STMT_TICKET_EVENTS] =
	    "SELECT id, at, kind, actor, detail FROM event"
	    " WHERE ticket_id = ?1 ORDER BY id",
	[STMT_UNTICKETED] =
	    "SELECT " MSG_COLUMNS
	    " FROM message m JOIN channel c ON c.id = m.channel_id"
	    " WHERE m.ticket_id IS NULL ORDER BY m.date DESC, m.id DESC",

	[STMT_OUTBOX_ADD] =
	    "INSERT INTO outbox(ticket_id, message_id, recipients, data,"
	    " created, next_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
	/* Connectors: find a stored message by its source id or Message-ID,
	 * move its source id (a resync), list the customer messages of open
	 * tickets (flag checks), and tell whether a signal was recorded. */
#define MSG_LOC_COLUMNS	"id, channel_id, ticket_id, direction, external_id, message_id"
	[STMT_MESSAGE_FIND_EXTERNAL] =
	    "SELECT " MSG_LOC_COLUMNS " FROM message"
	    " WHERE channel_id = ?1 AND external_id = ?2",
	[STMT_MESSAGE_FIND_ID] =
	    "SELECT " MSG_LOC_COLUMNS " FROM message WHERE message_id = ?1",
	[STMT_MESSAGE_SET_EXTERNAL] =
	    "UPDATE message SET external_id = ?2 WHERE id = ?1",
	[STMT_OPEN_MESSAGES] =
	    "SELECT m.external_id FROM message m JOIN ticket t ON t.id = m.ticket_id"
	    " WHERE m.channel_id = ?1 AND m.direction = 0"
	    " AND t.status IN (?2, ?3, ?4) ORDER BY m.id",
	[STMT_EVENT_EXISTS] =
	    "SELECT EXISTS (SELECT 1 FROM event WHERE ticket_id = ?1 AND kind = ?2"
	    " AND json_extract(detail, '$.message_id') = ?3)",
	/* Social connectors: replace an edited post's text, mark a deleted
	 * one; a no-op (no change counted) when nothing differs.  What the
	 * source shows is compared, not the scored text: that one changes
	 * with the trimmer (schema 9's salutation pass), and an unchanged
	 * post would be taken for an edit after an upgrade. */
	[STMT_MESSAGE_EDITED] =
	    "SELECT text IS NOT ?2, lang IS NOT ?3, attachments IS NOT ?4"
	    " FROM message WHERE id = ?1",
	[STMT_MESSAGE_EDIT] =
	    "UPDATE message SET text = ?2, text_scored = ?3, scored_len = NULL, scored_off = NULL,"
	    " edited = ?4, lang = ?5, attachments = ?6, sentiment = coalesce(?7, sentiment)"
	    " WHERE id = ?1",
	[STMT_MESSAGE_DELETE] =
	    "UPDATE message SET deleted = ?2 WHERE id = ?1 AND deleted IS NULL",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STMT_COUNT];
	char		*path;		/* for messages */
	int		 in_tx;		/* between store_begin and commit/rollback */
	int		 bulk;		/* store_bulk_begin switched the journal */
	/* customer and subject_key of ticket key_id as last read or
	 * written, so store_ticket_update knows when they are unchanged */
	int64_t		 key_id;
	char		*key_customer, *key_subject;
	int64_t		 dirty_last;	/* ticket marked for the sweep in this
					 * transaction, 0 none (sla_dirty) */
	struct buf	 refs;		/* scratch: one message's joined refs */
	struct store_sla *sla;		/* store_sla.c's statements, on first use */
	sqlite3_stmt	*merge[STORE_MERGE_STMTS]; /* merge_sql's, on first use */
	struct store_autoreply *autoreply; /* store_autoreply.c's, on first use */
};

/* Test hook, deliberately not in store.h: runs SQL text no API would run,
 * so t-store can prove what the schema refuses (an UPDATE of an event) and
 * forge a newer user_version.  Never call it from the program. */
int	store_test_exec(struct store *, const char *sql, struct err *);

int
store_error(struct store *st, struct err *e, const char *fmt, ...)
{
	char what[384];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);	/* a cut context still says enough */
	va_end(ap);
	return err_set(e, ERR_STORE, "%s: %s", what, sqlite3_errmsg(st->db));
}

/* Ready for the next use.  The step's result was checked already, and
 * reset only repeats it; clearing bindings cannot fail. */
void
store_stmt_done(sqlite3_stmt *stmt)
{
	(void)sqlite3_reset(stmt);
	(void)sqlite3_clear_bindings(stmt);
}
#define stmt_done	store_stmt_done

sqlite3_stmt *
store_prepare(struct store *st, const char *sql, const char *what, struct err *e)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		(void)store_error(st, e, "cannot prepare %s for '%s'", what, st->path);
		(void)sqlite3_finalize(stmt);	/* NULL-safe; the error is reported */
		return NULL;
	}
	return stmt;
}

sqlite3_stmt *
store_stmt_lazy(struct store *st, sqlite3_stmt **slots, int i, const char *const *sql,
    const char *what, struct err *e)
{
	if (slots[i] == NULL && sqlite3_prepare_v3(st->db, sql[i], -1,
	    SQLITE_PREPARE_PERSISTENT, &slots[i], NULL) != SQLITE_OK) {
		(void)store_error(st, e, "cannot prepare %s statement %d for '%s'", what, i,
		    st->path);
		return NULL;
	}
	return slots[i];
}

const char *
store_col_text(sqlite3_stmt *stmt, int i)
{
	return (const char *)sqlite3_column_text(stmt, i);
}

/* Binders: every bound pointer outlives the step, hence SQLITE_STATIC.
 * A NULL string binds NULL.  Callers OR the results together: any
 * failure leaves a non-zero code (SQLITE_OK is 0). */
static int
bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	return sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

static int
bind_int(sqlite3_stmt *stmt, int i, int64_t v)
{
	return sqlite3_bind_int64(stmt, i, (sqlite3_int64)v);
}

/* 0 means "none" for ids: NULL in the database. */
static int
bind_id(sqlite3_stmt *stmt, int i, int64_t id)
{
	return id == 0 ? sqlite3_bind_null(stmt, i) : bind_int(stmt, i, id);
}

/* A malloc'd copy of a text column; NULL for NULL.  Sets *oom on failure. */
static char *
col_strdup(sqlite3_stmt *stmt, int i, int *oom)
{
	const unsigned char *s;
	char *copy;
	int len;

	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return NULL;
	if ((s = sqlite3_column_text(stmt, i)) == NULL) {
		*oom = 1;
		return NULL;
	}
	len = sqlite3_column_bytes(stmt, i);
	if ((copy = malloc((size_t)len + 1)) == NULL) {
		*oom = 1;
		return NULL;
	}
	memcpy(copy, s, (size_t)len);
	copy[len] = '\0';
	return copy;
}

/*
 * Opening and migrating.
 */

/* Runs one statement that returns one integer (a PRAGMA). */
static int
query_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*out = sqlite3_column_int(stmt, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_ERROR;	/* a pragma that says nothing */
	(void)sqlite3_finalize(stmt);	/* the step's code is the one we keep */
	return rc;
}

/* Runs SQL text (settings, migrations); 0 or -1 with e filled. */
static int
exec(struct store *st, const char *sql, const char *what, struct err *e)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, e, "cannot %s in '%s'", what, st->path);
	return 0;
}

/* The first read of the file: tells a database from other bytes. */
static int
open_error(struct store *st, int rc, struct err *e)
{
	if (rc == SQLITE_NOTADB)
		return err_set(e, ERR_STORE, "'%s' is not an escalator database: %s",
		    st->path, sqlite3_errmsg(st->db));
	return store_error(st, e, "cannot read '%s'", st->path);
}

/* Brings the schema to STORE_SCHEMA_VERSION, one migration per
 * transaction.  The version is read again under the write lock, so two
 * programs opening a new database at once migrate it once. */
static int
migrate(struct store *st, struct err *e)
{
	char sql[64];
	int version, rc;

	for (;;) {
		if (exec(st, "BEGIN IMMEDIATE", "begin a migration", e) == -1)
			return -1;
		if ((rc = query_int(st->db, "PRAGMA user_version", &version)) != SQLITE_OK) {
			(void)open_error(st, rc, e);
			goto fail;
		}
		if (version >= MIGRATIONS_COUNT) {
			if (version > MIGRATIONS_COUNT) {
				(void)err_set(e, ERR_STORE, "database '%s' has schema "
				    "version %d, this escalator knows up to %d: "
				    "upgrade escalator", st->path, version,
				    MIGRATIONS_COUNT);
				goto fail;
			}
			return exec(st, "COMMIT", "end a migration", e);
		}
		if (sqlite3_exec(st->db, migrations[version], NULL, NULL, NULL) != SQLITE_OK) {
			(void)store_error(st, e, "cannot migrate '%s' to schema "
			    "version %d", st->path, version + 1);
			goto fail;
		}
		/* An integer of ours, not data: PRAGMA takes no parameters. */
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (exec(st, sql, "set the schema version", e) == -1 ||
		    exec(st, "COMMIT", "commit a migration", e) == -1)
			goto fail;
	}

fail:
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);	/* e says what failed */
	return -1;
}

/* Sets the journal mode; *mode gets what SQLite answered ("wal",
 * "truncate"...), or "" with the step's result code in *rc. */
static void
journal_mode(struct store *st, const char *sql, char *mode, size_t len, int *rc)
{
	sqlite3_stmt *stmt;

	mode[0] = '\0';
	if ((*rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL)) != SQLITE_OK)
		return;
	*rc = sqlite3_step(stmt);
	if (*rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL)
		(void)snprintf(mode, len, "%s", (const char *)sqlite3_column_text(stmt, 0));
	(void)sqlite3_finalize(stmt);
}

/* Settings, the file's identity, then migrations. */
static int
store_setup(struct store *st, struct err *e)
{
	int memory = strcmp(st->path, ":memory:") == 0 || st->path[0] == '\0';
	int version, appid, objects, rc;
	char mode[16];

	if (sqlite3_busy_timeout(st->db, 5000) != SQLITE_OK)
		return store_error(st, e, "cannot set a busy timeout on '%s'", st->path);

	/* The first reads of the file header. */
	if ((rc = query_int(st->db, "PRAGMA user_version", &version)) != SQLITE_OK ||
	    (rc = query_int(st->db, "PRAGMA application_id", &appid)) != SQLITE_OK ||
	    (rc = query_int(st->db, "SELECT count(*) FROM sqlite_master", &objects)) != SQLITE_OK)
		return open_error(st, rc, e);
	if (appid != STORE_APPLICATION_ID && (version != 0 || objects != 0))
		return err_set(e, ERR_STORE, "'%s' is not an escalator database: "
		    "it belongs to another program", st->path);
	if (version > MIGRATIONS_COUNT)
		return err_set(e, ERR_STORE, "database '%s' has schema version %d, "
		    "this escalator knows up to %d: upgrade escalator", st->path,
		    version, MIGRATIONS_COUNT);

	/* Page size only takes before the first write of a new file. */
	if (version == 0 && objects == 0 &&
	    exec(st, "PRAGMA page_size = " STORE_PAGE_SIZE, "set the page size", e) == -1)
		return -1;

	/* WAL, unless another escalator is importing in bulk (store_bulk_begin):
	 * then the file is in rollback mode and the switch needs a lock the
	 * import holds, so it is tried at once (busy timeout 0), and on
	 * SQLITE_BUSY this connection reads and writes through the import's
	 * rollback journal until the import ends and puts the file back into
	 * WAL mode, which SQLite then follows by itself.  A queue or show
	 * during an import would otherwise wait for nothing and fail. */
	if (!memory) {
		(void)sqlite3_busy_timeout(st->db, 0);
		journal_mode(st, "PRAGMA journal_mode = WAL", mode, sizeof(mode), &rc);
		(void)sqlite3_busy_timeout(st->db, 5000);
		if (mode[0] == '\0' && (rc == SQLITE_BUSY || rc == SQLITE_LOCKED))
			log_info("database '%s' is being imported in bulk: using its "
			    "rollback journal until the import ends", st->path);
		else if (mode[0] == '\0')
			return store_error(st, e, "cannot use WAL in '%s'", st->path);
		else if (strcmp(mode, "wal") != 0)
			return err_set(e, ERR_STORE, "cannot use WAL in '%s': "
			    "journal mode stays '%s'", st->path, mode);
	}
	/* secure_delete off: Debian's SQLite is built with SECURE_DELETE
	 * on, which zeroes every 64 KiB page a b-tree rebalance frees or
	 * reinitialises and rewrites freed pages, ~3% of an import's
	 * instructions and extra WAL frames.  What it would scrub is old
	 * versions of rows whose current form the file still holds (ticket
	 * updates, consumed queue rows): nothing the file does not keep
	 * anyway, as the mail archive it is. */
	if (exec(st,
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA cache_size = -" STORE_CACHE_KIB ";"
	    "PRAGMA mmap_size = 0;"
	    "PRAGMA temp_store = MEMORY;"
	    "PRAGMA secure_delete = OFF;"
	    "PRAGMA wal_autocheckpoint = " STORE_WAL_PAGES ";"
	    "PRAGMA journal_size_limit = " STORE_WAL_LIMIT ";",
	    "apply settings", e) == -1)
		return -1;

	if (version < MIGRATIONS_COUNT && migrate(st, e) == -1)
		return -1;
	return 0;
}

/* Opens path with flags into a new struct store, applies setup
 * (store_setup, or readonly_setup), and prepares every statement. */
static int memstatus_off;

static int
store_open_with(struct store **out, const char *path, int flags,
    int (*setup)(struct store *, struct err *), struct err *e)
{
	struct store *st;
	int i;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		return err_set(e, ERR_NOMEM, "out of memory opening '%s'", path);
	}
	buf_init(&st->refs, REFS_MAX);

	/* No memory statistics: SQLite would take a global mutex on every
	 * allocation to keep them (~1% of an import's instructions), and
	 * nothing here reads them.  Only possible before SQLite initializes
	 * (the first open); later calls fail harmlessly. */
	if (!memstatus_off) {
		(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		memstatus_off = 1;
	}
	/* One thread uses a connection at a time, so no mutex. */
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (st->db == NULL)
			(void)err_set(e, ERR_NOMEM, "out of memory opening '%s'", path);
		else if (!(flags & SQLITE_OPEN_CREATE) &&
		    sqlite3_errcode(st->db) == SQLITE_CANTOPEN)
			(void)err_set(e, ERR_NOINPUT, "cannot open database '%s': %s", path,
			    sqlite3_errmsg(st->db));
		else
			(void)store_error(st, e, "cannot open database '%s'", path);
		goto fail;
	}
	if (setup(st, e) == -1)
		goto fail;

	/* Read-only: statements that write fail at their step with
	 * SQLITE_READONLY. */
	for (i = 0; i < STMT_COUNT; i++)
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) != SQLITE_OK) {
			(void)store_error(st, e, "cannot prepare statement %d "
			    "for '%s'", i, path);
			goto fail;
		}
	*out = st;
	return 0;

fail:
	store_close(st);
	return -1;
}

/* Creates the file if missing, never its directory. */
int
store_open(struct store **out, const char *path, struct err *e)
{
	return store_open_with(out, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    store_setup, e);
}

/* For a replay (store_replay.c): the file must exist and be at this
 * program's schema already, since nothing may be migrated or written.
 * A WAL database needs its -shm index to be read; SQLite creates it (and
 * an empty -wal) beside the file when missing, which changes no byte of
 * the database itself. */
static int
readonly_setup(struct store *st, struct err *e)
{
	int version, appid, rc;

	if (sqlite3_busy_timeout(st->db, 5000) != SQLITE_OK)
		return store_error(st, e, "cannot set a busy timeout on '%s'", st->path);
	if ((rc = query_int(st->db, "PRAGMA user_version", &version)) != SQLITE_OK ||
	    (rc = query_int(st->db, "PRAGMA application_id", &appid)) != SQLITE_OK)
		return open_error(st, rc, e);
	if (appid != STORE_APPLICATION_ID)
		return err_set(e, ERR_STORE, "'%s' is not an escalator database", st->path);
	if (version != MIGRATIONS_COUNT)
		return err_set(e, ERR_STORE, "database '%s' has schema version %d, this "
		    "escalator reads %d: %s", st->path, version, MIGRATIONS_COUNT,
		    version < MIGRATIONS_COUNT ? "run any other command once to migrate it" :
		    "upgrade escalator");
	/* No mmap, as for writing: a replay reads its tables straight
	 * through (store_replay.c), where mapping saved no CPU on
	 * bench/report and counted the whole file in the resident size. */
	return exec(st, "PRAGMA cache_size = -" STORE_CACHE_KIB ";"
	    "PRAGMA mmap_size = 0;"
	    "PRAGMA temp_store = MEMORY;", "apply settings", e);
}

int
store_open_readonly(struct store **out, const char *path, struct err *e)
{
	return store_open_with(out, path, SQLITE_OPEN_READONLY, readonly_setup, e);
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	if (st->db != NULL && !sqlite3_get_autocommit(st->db))
		store_rollback(st);
	if (st->bulk) {
		struct err e = ERR_INIT;

		(void)store_bulk_end(st, &e);	/* else the next open does it */
	}
	for (i = 0; i < STMT_COUNT; i++)
		(void)sqlite3_finalize(st->stmt[i]);	/* NULL-safe; errors were reported at step */
	for (i = 0; i < (int)(sizeof(st->merge) / sizeof(st->merge[0])); i++)
		(void)sqlite3_finalize(st->merge[i]);
	store_sla_close(st->sla);
	store_autoreply_close(st->autoreply);
	/* Every statement is finalized, so close cannot be busy; with WAL it
	 * checkpoints and removes the -wal file as the last connection. */
	(void)sqlite3_close(st->db);
	buf_release(&st->refs);
	free(st->key_customer);
	free(st->key_subject);
	free(st->path);
	free(st);
}

/* For the other files of store/ (store_int.h). */
sqlite3 *
store_sqlite(struct store *st)
{
	return st->db;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

struct store_sla **
store_sla_slot(struct store *st)
{
	return &st->sla;
}

struct store_autoreply **
store_autoreply_slot(struct store *st)
{
	return &st->autoreply;
}

int
store_test_exec(struct store *st, const char *sql, struct err *e)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(st, e, "cannot run '%s'", sql);
	return 0;
}

/*
 * Transactions.
 */

/*
 * Bulk mode, for an import of many messages: a rollback journal instead
 * of the WAL.  In WAL mode every page is written twice (to the WAL, then
 * by the checkpoint, which reads it back first), and every commit writes
 * the index pages it touched again; a rollback journal writes a new page
 * once, where it belongs, and journals only the old pages a transaction
 * changes.  Measured on the 50,000-message benchmark (a 520 MB
 * database): 1,325 MB written and 899 MB read with the WAL, 586 MB
 * written and 79 MB read this way in transactions of INTAKE_BULK_BATCH
 * messages.
 *
 * Leaving WAL mode needs the database to itself: with another connection
 * open (the daemon, a report) SQLite refuses at once (busy timeout 0 for
 * the switch, so nobody waits) and the import goes through the WAL as
 * usual.  synchronous = FULL while the journal is in use, SQLite's
 * setting for a rollback journal that must survive a power cut.  A crash
 * leaves a hot journal that the next open rolls back, and every open
 * (store_setup) puts the file back into WAL mode.
 */
int
store_bulk_begin(struct store *st, struct err *e)
{
	char mode[16];
	int rc;

	if (st->bulk || st->in_tx || strcmp(st->path, ":memory:") == 0 ||
	    st->path[0] == '\0')
		return 0;
	(void)sqlite3_busy_timeout(st->db, 0);
	journal_mode(st, "PRAGMA journal_mode = TRUNCATE", mode, sizeof(mode), &rc);
	(void)sqlite3_busy_timeout(st->db, 5000);
	if (strcmp(mode, "truncate") != 0) {
		if (rc == SQLITE_ROW || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			return 0;	/* still WAL: shared with another connection */
		return store_error(st, e, "cannot switch '%s' to a rollback journal", st->path);
	}
	st->bulk = 1;
	return exec(st, "PRAGMA synchronous = FULL", "set synchronous for bulk writing", e) == -1 ?
	    -1 : 1;
}

int
store_bulk_end(struct store *st, struct err *e)
{
	char mode[16];
	int rc;

	if (!st->bulk)
		return 0;
	journal_mode(st, "PRAGMA journal_mode = WAL", mode, sizeof(mode), &rc);
	if (strcmp(mode, "wal") != 0)
		return err_set(e, ERR_STORE, "cannot put '%s' back into WAL mode (%s); "
		    "the next escalator to open it will", st->path,
		    mode[0] != '\0' ? mode : sqlite3_errstr(rc));
	st->bulk = 0;
	return exec(st, "PRAGMA synchronous = NORMAL", "set synchronous", e);
}

int
store_begin(struct store *st, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_BEGIN];
	int ret = 0;

	if (st->in_tx)
		return err_set(e, ERR_SOFTWARE, "cannot begin a transaction in '%s': "
		    "one is already open", st->path);
	/* IMMEDIATE: take the write lock now, while busy_timeout can still
	 * wait for it, not at the first write in the middle of a batch. */
	st->dirty_last = 0;
	st->key_id = 0;		/* others may have written since */
	if (sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot begin a transaction in '%s'", st->path);
	else
		st->in_tx = 1;
	stmt_done(stmt);
	return ret;
}

int
store_commit(struct store *st, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_COMMIT];
	int ret = 0;

	if (!st->in_tx)
		return err_set(e, ERR_SOFTWARE, "cannot commit in '%s': no "
		    "transaction is open", st->path);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot commit to '%s'", st->path);
	stmt_done(stmt);
	/* A busy COMMIT leaves the transaction open for a retry or a
	 * rollback; an I/O error may have rolled it back already. */
	st->in_tx = !sqlite3_get_autocommit(st->db);
	return ret;
}

void
store_rollback(struct store *st)
{
	sqlite3_stmt *stmt;

	if (st == NULL || st->db == NULL)
		return;
	stmt = st->stmt[STMT_ROLLBACK];
	/* Some errors (I/O, full disk) roll back by themselves: then there
	 * is nothing left to undo. */
	if (!sqlite3_get_autocommit(st->db) && stmt != NULL) {
		(void)sqlite3_step(stmt);	/* nothing to do if undoing fails: SQLite
						 * rolls back a hot journal at next open */
		stmt_done(stmt);
	}
	st->in_tx = 0;
	st->key_id = 0;		/* what it noted may be undone */
}

/*
 * Channels and cursors.
 */

int
store_channel_ensure(struct store *st, const char *name, const char *kind,
    int public, int64_t *id, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_CHANNEL_UPSERT];
	int rc = SQLITE_OK, ret = 0;

	rc |= bind_text(stmt, 1, name);
	rc |= bind_text(stmt, 2, kind);
	rc |= bind_int(stmt, 3, public ? 1 : 0);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot save channel '%s'", name);
	stmt_done(stmt);
	if (ret == -1)
		return -1;

	stmt = st->stmt[STMT_CHANNEL_ID];
	if (bind_text(stmt, 1, name) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW)
		ret = store_error(st, e, "cannot find channel '%s'", name);
	else
		*id = sqlite3_column_int64(stmt, 0);
	stmt_done(stmt);
	return ret;
}

int
store_cursor_get(struct store *st, int64_t channel, const char *source,
    char *out, size_t outlen, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_CURSOR_GET];
	const char *value;
	int rc = SQLITE_OK, ret;

	rc |= bind_int(stmt, 1, channel);
	rc |= bind_text(stmt, 2, source);
	if (rc != SQLITE_OK)
		ret = store_error(st, e, "cannot read cursor '%s'", source);
	else if ((rc = sqlite3_step(stmt)) == SQLITE_DONE)
		ret = 0;
	else if (rc != SQLITE_ROW)
		ret = store_error(st, e, "cannot read cursor '%s'", source);
	else if ((value = (const char *)sqlite3_column_text(stmt, 0)) == NULL)
		ret = err_set(e, ERR_NOMEM, "out of memory reading cursor '%s'", source);
	else if ((size_t)sqlite3_column_bytes(stmt, 0) >= outlen)
		ret = err_set(e, ERR_SOFTWARE, "cursor '%s' is longer than %zu bytes",
		    source, outlen);
	else {
		memcpy(out, value, (size_t)sqlite3_column_bytes(stmt, 0) + 1);
		ret = 1;
	}
	stmt_done(stmt);
	return ret;
}

int
store_cursor_set(struct store *st, int64_t channel, const char *source,
    const char *value, time_t now, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_CURSOR_SET];
	int rc = SQLITE_OK, ret = 0;

	rc |= bind_int(stmt, 1, channel);
	rc |= bind_text(stmt, 2, source);
	rc |= bind_text(stmt, 3, value);
	rc |= bind_int(stmt, 4, (int64_t)now);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot save cursor '%s'", source);
	stmt_done(stmt);
	return ret;
}

/*
 * Messages.
 */

int
store_message_exists(struct store *st, int64_t channel, const char *external_id,
    const char *message_id, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_MESSAGE_EXISTS];
	int rc = SQLITE_OK, ret;

	/* A NULL id binds NULL, which matches nothing. */
	rc |= bind_int(stmt, 1, channel);
	rc |= bind_text(stmt, 2, external_id);
	rc |= bind_text(stmt, 3, message_id);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
		ret = store_error(st, e, "cannot look up message '%s'",
		    message_id ? message_id : external_id ? external_id : "");
	else
		ret = sqlite3_column_int(stmt, 0) ? 1 : 0;
	stmt_done(stmt);
	return ret;
}

/* A JSON string, even from bytes that are not UTF-8 (they should be:
 * intake decodes everything, but a store must not refuse a message over
 * an attachment name): bad bytes become '?'. */
static json_t *
json_str(const char *s)
{
	json_t *j;
	char *copy, *p;

	if (s == NULL)
		s = "";
	if ((j = json_string(s)) != NULL)
		return j;
	if ((copy = strdup(s)) == NULL)
		return NULL;
	for (p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/* s is printable ASCII without '"' or '\\': its JSON string is itself,
 * as json_dumps would write it.  Nearly every address list and file name
 * is, and jansson's object, copy and dump cost ~6,000 instructions a
 * message. */
static int
json_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/* {"to": ..., "cc": ...} with the non-empty ones, NULL if neither; the
 * caller frees.  *oom set when out of memory. */
static char *
recipients_json(const struct message *m, int *oom)
{
	json_t *o;
	char *s = NULL;
	int rc = 0, to, cc;

	to = m->to != NULL && *m->to != '\0';
	cc = m->cc != NULL && *m->cc != '\0';
	if (!to && !cc)
		return NULL;
	if ((!to || json_plain(m->to)) && (!cc || json_plain(m->cc))) {
		/* Pieces copied, not printed: snprintf's format parsing
		 * took ~2,000 instructions a message. */
		size_t tl = to ? strlen(m->to) : 0, cl = cc ? strlen(m->cc) : 0;
		char *w;

		if ((s = w = malloc(tl + cl + 32)) == NULL)
			goto fail;
		*w++ = '{';
		if (to) {
			memcpy(w, "\"to\":\"", 6);
			memcpy(w + 6, m->to, tl);
			w += 6 + tl;
			*w++ = '"';
		}
		if (to && cc)
			*w++ = ',';
		if (cc) {
			memcpy(w, "\"cc\":\"", 6);
			memcpy(w + 6, m->cc, cl);
			w += 6 + cl;
			*w++ = '"';
		}
		*w++ = '}';
		*w = '\0';
		return s;
	}
	if ((o = json_object()) == NULL)
		goto fail;
	if (to)
		rc |= json_object_set_new(o, "to", json_str(m->to));
	if (cc)
		rc |= json_object_set_new(o, "cc", json_str(m->cc));
	if (rc == 0)
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s != NULL)
		return s;
fail:
	*oom = 1;
	return NULL;
}

/* [{"name": ..., "type": ..., "size": n}, ...], NULL if none; a post's
 * media adds "url", and has no "size" when the server gave none. */
static char *
attachments_json(const struct message *m, int *oom)
{
	const struct attachment *at;
	json_t *a, *o;
	char *s = NULL;
	size_t i;
	int rc = 0;

	if (m->atts_count == 0)
		return NULL;
	for (i = 0; i < m->atts_count; i++)
		if (!json_plain(m->atts[i].name != NULL ? m->atts[i].name : "") ||
		    !json_plain(m->atts[i].type != NULL ? m->atts[i].type : "") ||
		    !json_plain(m->atts[i].url != NULL ? m->atts[i].url : ""))
			break;
	if (i == m->atts_count) {	/* as json_dumps would write it */
		struct buf b = BUF_INIT(SIZE_MAX / 2);
		struct err e = ERR_INIT;

		for (i = 0; i < m->atts_count && rc == 0; i++) {
			at = &m->atts[i];
			rc = buf_printf(&b, &e, "%s{\"name\":\"%s\",\"type\":\"%s\"",
			    i == 0 ? "[" : ",", at->name != NULL ? at->name : "",
			    at->type != NULL ? at->type : "");
			if (rc == 0 && !at->size_unknown)
				rc = buf_printf(&b, &e, ",\"size\":%" PRId64, (int64_t)at->size);
			if (rc == 0 && at->url != NULL)
				rc = buf_printf(&b, &e, ",\"url\":\"%s\"", at->url);
			if (rc == 0)
				rc = buf_addch(&b, '}', &e);
		}
		if (rc == 0 && buf_addch(&b, ']', &e) == 0)
			return buf_detach(&b, NULL);
		buf_release(&b);
		goto fail;
	}
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < m->atts_count && rc == 0; i++) {
		at = &m->atts[i];
		if ((o = json_object()) == NULL) {
			rc = -1;
			break;
		}
		rc |= json_object_set_new(o, "name", json_str(at->name));
		rc |= json_object_set_new(o, "type", json_str(at->type));
		if (!at->size_unknown)
			rc |= json_object_set_new(o, "size", json_integer((json_int_t)at->size));
		if (at->url != NULL)
			rc |= json_object_set_new(o, "url", json_str(at->url));
		rc |= json_array_append_new(a, o);
	}
	if (rc == 0)
		s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(a);
	if (s != NULL)
		return s;
fail:
	*oom = 1;
	return NULL;
}

/* Whether the scored text s, *sl bytes, stands at p in text: whole, or
 * but for the newline intake/trim.c ends every kept line with where the
 * text ends without one (most social posts), which *sl then leaves out:
 * the words scored are the same. */
static int
scored_at(const char *p, const char *s, size_t *sl)
{
	if (strncmp(p, s, *sl) == 0)
		return 1;
	if (*sl > 1 && s[*sl - 1] == '\n' && strncmp(p, s, *sl - 1) == 0 && p[*sl - 1] == '\0') {
		(*sl)--;
		return 1;
	}
	return 0;
}

/* Where in text the scored text s stands (*sl bytes, see scored_at), or
 * NULL.  It is text's start, or its start with lines cut off above
 * (intake/trim.c drops a salutation line), so only the starts of text's
 * first lines are tried: a few comparisons, not a search through the
 * text. */
#define SLICE_LINES	8

static const char *
scored_in(const char *text, const char *s, size_t *sl)
{
	const char *p = text;
	int i;

	if (scored_at(text, s, sl))
		return text;
	for (i = 0; i < SLICE_LINES && (p = strchr(p, '\n')) != NULL; i++)
		if (*++p == *s && scored_at(p, s, sl))
			return p;
	return NULL;
}

int
store_message_insert(struct store *st, const struct message *m, int64_t channel,
    const char *external_id, int64_t ticket, int64_t *id, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_MESSAGE_INSERT];
	char *recipients, *attachments;
	const char *refs = NULL;
	int rc = SQLITE_OK, ret = 0, oom = 0;
	size_t i;

	if (m->refs_count > 0) {
		buf_reset(&st->refs);
		for (i = 0; i < m->refs_count; i++)
			if ((i > 0 && buf_addch(&st->refs, ' ', e) == -1) ||
			    buf_addstr(&st->refs, m->refs[i], e) == -1)
				return -1;
		refs = st->refs.buf;
	}
	recipients = recipients_json(m, &oom);
	attachments = attachments_json(m, &oom);
	if (oom) {
		free(recipients);
		free(attachments);
		return err_set(e, ERR_NOMEM, "out of memory storing message '%s'",
		    m->message_id);
	}

	rc |= bind_int(stmt, 1, channel);
	rc |= bind_text(stmt, 2, external_id);
	rc |= bind_text(stmt, 3, m->message_id);
	rc |= bind_id(stmt, 4, ticket);
	rc |= bind_int(stmt, 5, m->direction);
	rc |= bind_text(stmt, 6, m->from_name);
	rc |= bind_text(stmt, 7, m->from_addr);
	rc |= bind_text(stmt, 8, recipients);
	rc |= bind_text(stmt, 9, m->subject);
	rc |= bind_int(stmt, 10, (int64_t)m->date);
	rc |= bind_int(stmt, 11, (int64_t)m->received);
	rc |= bind_int(stmt, 12, m->public ? 1 : 0);
	if (m->reach >= 0)
		rc |= bind_int(stmt, 13, m->reach);
	rc |= bind_text(stmt, 14, m->url);
	rc |= bind_text(stmt, 15, m->in_reply_to);
	rc |= bind_text(stmt, 16, refs);
	rc |= bind_int(stmt, 17, m->html_only ? 1 : 0);
	rc |= bind_text(stmt, 18, attachments);
	rc |= bind_text(stmt, 19, m->auto_reason);
	rc |= bind_text(stmt, 20, m->auto_detail);
	if (m->warnings.len > 0)
		rc |= sqlite3_bind_text64(stmt, 21, m->warnings.buf,
		    (sqlite3_uint64)m->warnings.len, SQLITE_STATIC, SQLITE_UTF8);
	rc |= bind_text(stmt, 22, m->text);
	/* The scored text only when it differs from text (NULL means "the
	 * same"), and as a length when it is text's start (schema 6) or as
	 * an offset and a length when it is a slice of it (schema 9). */
	if (m->text_scored != NULL && m->text_scored != m->text) {
		size_t sl = strlen(m->text_scored);
		const char *at;

		if (m->text == NULL || sl == 0 ||
		    (at = scored_in(m->text, m->text_scored, &sl)) == NULL)
			rc |= bind_text(stmt, 23, m->text_scored);
		else if (at != m->text) {
			rc |= bind_int(stmt, 28, (int64_t)(at - m->text));
			rc |= bind_int(stmt, 26, (int64_t)sl);
		} else if (m->text[sl] != '\0')
			rc |= bind_int(stmt, 26, (int64_t)sl);
	}
	if (m->raw != NULL)
		rc |= sqlite3_bind_blob64(stmt, 24, m->raw,
		    (sqlite3_uint64)m->raw_len, SQLITE_STATIC);
	if (m->scored)
		rc |= sqlite3_bind_double(stmt, 25, m->sentiment);
	rc |= bind_text(stmt, 27, m->lang);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot store message '%s'", m->message_id);
	else if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	stmt_done(stmt);
	free(recipients);
	free(attachments);
	return ret;
}

/*
 * Threading.
 */

int
store_thread_ref_add(struct store *st, const char *message_id, int64_t ticket,
    struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_THREAD_REF_ADD];
	int rc = SQLITE_OK, ret = 0;

	rc |= bind_text(stmt, 1, message_id);
	rc |= bind_int(stmt, 2, ticket);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot link '%s' to ticket %" PRId64,
		    message_id, ticket);
	stmt_done(stmt);
	return ret;
}

/*
 * Merging tickets (intake/thread.c decides when).  Rare, so prepared on
 * first use rather than by every store_open.
 */

enum merge_stmt {
	MERGE_MESSAGES,
	MERGE_REFS,
	MERGE_POINTER,
	MERGE_ACTIVITY,
	MERGE_RELATED,
	MERGE_COUNT
};
_Static_assert(MERGE_COUNT == STORE_MERGE_STMTS, "struct store's merge slots");

static const char *const merge_sql[MERGE_COUNT] = {
	[MERGE_MESSAGES] = "UPDATE message SET ticket_id = ?2 WHERE ticket_id = ?1",
	/* A scan of thread_ref (it has no index on ticket_id): an index
	 * would cost every message's insert for the sake of a rare merge. */
	[MERGE_REFS] = "UPDATE thread_ref SET ticket_id = ?2 WHERE ticket_id = ?1",
	/* Tickets the absorbed one had absorbed point on too: no chains. */
	[MERGE_POINTER] =
	    "UPDATE ticket SET merged_into = ?2 WHERE id = ?1 OR merged_into = ?1",
	/* The first sign of the team at work on a ticket, if any: a message
	 * from the team, or an event only a person or a notice makes.  Tags
	 * by rule are "escalator"'s; escalations by rule or by the
	 * customer's asking count, because a higher tier was told. */
	[MERGE_ACTIVITY] =
	    "SELECT 'team reply' FROM message WHERE ticket_id = ?1 AND direction = 1"
	    " UNION ALL SELECT kind FROM event WHERE ticket_id = ?1 AND (kind IN"
	    " ('answered-flag', 'assigned', 'escalated', 'deescalated', 'handoff',"
	    " 'note', 'notification-queued', 'notified', 'pending', 'resolved',"
	    " 'closed', 'reopened') OR (kind IN ('tagged', 'untagged')"
	    " AND actor NOT IN ('escalator', 'customer'))) LIMIT 1",
	[MERGE_RELATED] =
	    "SELECT EXISTS (SELECT 1 FROM event WHERE ticket_id = ?1"
	    " AND kind = 'related' AND json_extract(detail, '$.ticket') = ?2)",
};

static int	sla_dirty(struct store *, int64_t ticket, struct err *);

static sqlite3_stmt *
merge_stmt(struct store *st, int i, struct err *e)
{
	return store_stmt_lazy(st, st->merge, i, merge_sql, "merge", e);
}

int
store_ticket_merge(struct store *st, int64_t from, int64_t into, struct err *e)
{
	static const int steps[] = { MERGE_MESSAGES, MERGE_REFS, MERGE_POINTER };
	sqlite3_stmt *stmt;
	size_t i;
	int ret = 0;

	if (from == into)
		return err_set(e, ERR_SOFTWARE, "cannot merge ticket %" PRId64
		    " into itself", from);
	for (i = 0; ret == 0 && i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((stmt = merge_stmt(st, steps[i], e)) == NULL)
			return -1;
		if (bind_int(stmt, 1, from) != SQLITE_OK || bind_int(stmt, 2, into) != SQLITE_OK ||
		    sqlite3_step(stmt) != SQLITE_DONE)
			ret = store_error(st, e, "cannot merge ticket %" PRId64 " into %" PRId64,
			    from, into);
		stmt_done(stmt);
	}
	if (ret == 0)
		ret = sla_dirty(st, from, e);
	return ret == 0 ? sla_dirty(st, into, e) : ret;
}

int
store_ticket_activity(struct store *st, int64_t ticket, char *what, size_t len,
    struct err *e)
{
	sqlite3_stmt *stmt;
	int rc, ret = 0;

	if ((stmt = merge_stmt(st, MERGE_ACTIVITY, e)) == NULL)
		return -1;
	if (bind_int(stmt, 1, ticket) != SQLITE_OK)
		ret = store_error(st, e, "cannot read the history of ticket %" PRId64, ticket);
	else if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		(void)esc_strlcpy(what, store_col_text(stmt, 0) != NULL ?
		    store_col_text(stmt, 0) : "", len);
		ret = 1;
	} else if (rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot read the history of ticket %" PRId64, ticket);
	stmt_done(stmt);
	return ret;
}

int
store_ticket_related(struct store *st, int64_t ticket, int64_t other, struct err *e)
{
	sqlite3_stmt *stmt;
	int ret;

	if ((stmt = merge_stmt(st, MERGE_RELATED, e)) == NULL)
		return -1;
	if (bind_int(stmt, 1, ticket) != SQLITE_OK || bind_int(stmt, 2, other) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW)
		ret = store_error(st, e, "cannot read the history of ticket %" PRId64, ticket);
	else
		ret = sqlite3_column_int(stmt, 0) ? 1 : 0;
	stmt_done(stmt);
	return ret;
}

/* Runs a lookup bound by the caller; 1 with *out set, 0 absent, -1. */
static int
lookup_id(struct store *st, sqlite3_stmt *stmt, int rc, int64_t *out,
    struct err *e, const char *what)
{
	int ret;

	if (rc != SQLITE_OK)
		ret = store_error(st, e, "cannot look up %s", what);
	else if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		ret = 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	else
		ret = store_error(st, e, "cannot look up %s", what);
	stmt_done(stmt);
	return ret;
}

int
store_thread_find(struct store *st, const char *message_id, int64_t *ticket,
    struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_THREAD_FIND];

	return lookup_id(st, stmt, bind_text(stmt, 1, message_id), ticket, e,
	    "a thread");
}

int
store_thread_find_subject(struct store *st, const char *customer,
    const char *subject_key, time_t since, int64_t *ticket, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_THREAD_FIND_SUBJECT];
	int64_t id, updated, best_updated = 0;
	int rc = SQLITE_OK, ret = 0;

	rc |= bind_text(stmt, 1, customer);
	rc |= bind_text(stmt, 2, subject_key);
	rc |= bind_int(stmt, 3, (int64_t)since);
	if (rc != SQLITE_OK)
		return lookup_id(st, stmt, rc, ticket, e, "a thread by subject");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		updated = sqlite3_column_int64(stmt, 1);
		if (ret == 0 || updated > best_updated ||
		    (updated == best_updated && id > *ticket)) {
			*ticket = id;
			best_updated = updated;
			ret = 1;
		}
	}
	if (rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot look up a thread by subject");
	stmt_done(stmt);
	return ret;
}

/*
 * Tickets.
 */

/* Fills t (initialized here) from a row of TICKET_COLUMNS. */
static int
ticket_from_row(sqlite3_stmt *stmt, struct ticket *t, struct err *e)
{
	int oom = 0;

	ticket_init(t);
	t->id = sqlite3_column_int64(stmt, 0);
	t->status = sqlite3_column_int(stmt, 1);
	t->priority = sqlite3_column_int(stmt, 2);
	t->tier = sqlite3_column_int(stmt, 3);
	t->department = col_strdup(stmt, 4, &oom);
	t->owner = col_strdup(stmt, 5, &oom);
	t->channel = col_strdup(stmt, 6, &oom);
	t->public = sqlite3_column_int(stmt, 7);
	t->customer = col_strdup(stmt, 8, &oom);
	t->customer_name = col_strdup(stmt, 9, &oom);
	t->subject = col_strdup(stmt, 10, &oom);
	t->subject_key = col_strdup(stmt, 11, &oom);
	t->created = (time_t)sqlite3_column_int64(stmt, 12);
	t->updated = (time_t)sqlite3_column_int64(stmt, 13);
	t->last_inbound = (time_t)sqlite3_column_int64(stmt, 14);
	t->messages = sqlite3_column_int(stmt, 15);
	t->exchanges = sqlite3_column_int(stmt, 16);
	t->tags = col_strdup(stmt, 17, &oom);
	t->urgency = sqlite3_column_double(stmt, 18);
	t->handoffs = sqlite3_column_int(stmt, 19);
	t->resolved = (time_t)sqlite3_column_int64(stmt, 20);
	t->merged_into = sqlite3_column_int64(stmt, 21);
	if (oom) {
		ticket_release(t);
		return err_set(e, ERR_NOMEM, "out of memory reading a ticket");
	}
	return 0;
}

/* Marks a ticket for the next sweep.  Done here in C, not by triggers:
 * a trigger makes SQLite keep a statement journal for every ticket and
 * event write (a copy of each page touched), which tripled import time. */
static int
sla_dirty(struct store *st, int64_t ticket, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_SLA_DIRTY];
	int ret = 0;

	/* A message marks its ticket three or four times (the ticket row,
	 * each event): inside one transaction of ours the row stays there
	 * until a sweep's store_sla_clean, which forgets it, so the repeats
	 * need no statement.  Outside one, another connection may have
	 * swept it in between. */
	if (st->in_tx && ticket == st->dirty_last)
		return 0;
	if (bind_int(stmt, 1, ticket) != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot mark ticket %" PRId64 " for the sweep", ticket);
	stmt_done(stmt);
	st->dirty_last = ret == 0 && st->in_tx ? ticket : 0;
	return ret;
}

void
store_dirty_forget(struct store *st)
{
	st->dirty_last = 0;
}

/* Remembers t's subject index columns as stored (t->id 0: forgets). */
static void
key_note(struct store *st, const struct ticket *t)
{
	free(st->key_customer);
	free(st->key_subject);
	st->key_customer = st->key_subject = NULL;
	st->key_id = 0;
	if (t->id == 0 ||
	    (t->customer != NULL && (st->key_customer = strdup(t->customer)) == NULL) ||
	    (t->subject_key != NULL && (st->key_subject = strdup(t->subject_key)) == NULL))
		return;		/* out of memory: the full update, always right */
	st->key_id = t->id;
}

static int
same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

int
store_ticket_create(struct store *st, struct ticket *t, struct err *e)
{
	sqlite3_stmt *stmt;
	int64_t channel = 0;
	int rc = SQLITE_OK, ret = 0;

	if (t->channel != NULL) {
		stmt = st->stmt[STMT_CHANNEL_ID];
		ret = lookup_id(st, stmt, bind_text(stmt, 1, t->channel),
		    &channel, e, "a channel");
		if (ret == 0)
			return err_set(e, ERR_SOFTWARE, "cannot create a ticket "
			    "for channel '%s': no such channel", t->channel);
		if (ret == -1)
			return -1;
		ret = 0;
	}

	stmt = st->stmt[STMT_TICKET_CREATE];
	rc |= bind_int(stmt, 1, t->status);
	rc |= bind_int(stmt, 2, t->priority);
	rc |= bind_int(stmt, 3, t->tier);
	rc |= bind_text(stmt, 4, t->department);
	rc |= bind_text(stmt, 5, t->owner);
	rc |= bind_id(stmt, 6, channel);
	rc |= bind_int(stmt, 7, t->public ? 1 : 0);
	rc |= bind_text(stmt, 8, t->customer);
	rc |= bind_text(stmt, 9, t->customer_name);
	rc |= bind_text(stmt, 10, t->subject);
	rc |= bind_text(stmt, 11, t->subject_key);
	rc |= bind_int(stmt, 12, (int64_t)t->created);
	rc |= bind_int(stmt, 13, (int64_t)t->updated);
	rc |= bind_int(stmt, 14, (int64_t)t->last_inbound);
	rc |= bind_int(stmt, 15, t->messages);
	rc |= bind_int(stmt, 16, t->exchanges);
	rc |= bind_text(stmt, 17, t->tags);
	rc |= sqlite3_bind_double(stmt, 18, t->urgency);
	rc |= bind_int(stmt, 19, t->handoffs);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot create a ticket");
	else {
		t->id = sqlite3_last_insert_rowid(st->db);
		key_note(st, t);
	}
	stmt_done(stmt);
	return ret == 0 ? sla_dirty(st, t->id, e) : ret;
}

int
store_ticket_get(struct store *st, int64_t id, struct ticket *out, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_TICKET_GET];
	int rc, ret;

	ticket_init(out);
	if (bind_int(stmt, 1, id) != SQLITE_OK)
		ret = store_error(st, e, "cannot read ticket %" PRId64, id);
	else if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ret = ticket_from_row(stmt, out, e) == -1 ? -1 : 1;
	else if (rc == SQLITE_DONE)
		ret = 0;
	else
		ret = store_error(st, e, "cannot read ticket %" PRId64, id);
	stmt_done(stmt);
	if (ret == 1)
		key_note(st, out);
	return ret;
}

int
store_ticket_update(struct store *st, const struct ticket *t, struct err *e)
{
	int keep = t->id == st->key_id && same_text(t->customer, st->key_customer) &&
	    same_text(t->subject_key, st->key_subject);
	sqlite3_stmt *stmt = st->stmt[keep ? STMT_TICKET_UPDATE_KEEP : STMT_TICKET_UPDATE];
	int rc = SQLITE_OK, ret = 0;

	rc |= bind_int(stmt, 1, t->id);
	rc |= bind_int(stmt, 2, t->status);
	rc |= bind_int(stmt, 3, t->priority);
	rc |= bind_int(stmt, 4, t->tier);
	rc |= bind_text(stmt, 5, t->department);
	rc |= bind_text(stmt, 6, t->owner);
	rc |= bind_int(stmt, 7, t->public ? 1 : 0);
	rc |= bind_text(stmt, 8, t->customer);
	rc |= bind_text(stmt, 9, t->customer_name);
	rc |= bind_text(stmt, 10, t->subject);
	rc |= bind_text(stmt, 11, t->subject_key);
	rc |= bind_int(stmt, 12, (int64_t)t->updated);
	rc |= bind_int(stmt, 13, (int64_t)t->last_inbound);
	rc |= bind_int(stmt, 14, t->messages);
	rc |= bind_int(stmt, 15, t->exchanges);
	rc |= bind_int(stmt, 16, (int64_t)t->created);
	rc |= bind_text(stmt, 17, t->tags);
	rc |= sqlite3_bind_double(stmt, 18, t->urgency);
	rc |= bind_int(stmt, 19, t->handoffs);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot update ticket %" PRId64, t->id);
	else if (sqlite3_changes(st->db) == 0)
		ret = err_set(e, ERR_SOFTWARE, "cannot update ticket %" PRId64
		    ": no such ticket", t->id);
	stmt_done(stmt);
	if (ret == 0 && !keep)
		key_note(st, t);
	return ret == 0 ? sla_dirty(st, t->id, e) : ret;
}

/*
 * Events.
 */

int
store_event_add(struct store *st, int64_t ticket, time_t at, const char *kind,
    const char *actor, const char *detail, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_EVENT_ADD];
	int rc = SQLITE_OK, ret = 0;

	rc |= bind_int(stmt, 1, ticket);
	rc |= bind_int(stmt, 2, (int64_t)at);
	rc |= bind_text(stmt, 3, kind);
	rc |= bind_text(stmt, 4, actor);
	rc |= bind_text(stmt, 5, detail);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot add event '%s' to ticket %" PRId64,
		    kind ? kind : "", ticket);
	stmt_done(stmt);
	/* The sweep's own records do not move the clocks they come from. */
	if (ret == 0 && kind != NULL && strcmp(kind, "sla-warning") != 0 &&
	    strcmp(kind, "sla-breach") != 0 && strcmp(kind, "notified") != 0)
		ret = sla_dirty(st, ticket, e);
	return ret;
}

int
store_event_json(struct store *st, int64_t ticket, time_t at, const char *kind,
    const char *actor, json_t *detail, struct err *e)
{
	char *s;
	int ret;

	if (detail == NULL || (s = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(detail);
		return err_set(e, ERR_NOMEM, "out of memory recording a '%s' event", kind);
	}
	ret = store_event_add(st, ticket, at, kind, actor, s, e);
	free(s);
	json_decref(detail);
	return ret;
}

/*
 * Reading.  Each listing steps its statement and hands one row at a time
 * to the callback; the row's copies are freed when the callback returns.
 * A callback may call other store functions, but not its own listing.
 */

void
store_msg_release(struct store_msg *m)
{
	if (m == NULL)
		return;
	free(m->message_id);
	free(m->from_name);
	free(m->from_addr);
	free(m->subject);
	free(m->text);
	free(m->auto_reason);
	free(m->warnings);
	free(m->attachments);
	free(m->channel);
	free(m->lang);
	memset(m, 0, sizeof(*m));
}

void
store_event_release(struct store_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->kind);
	free(ev->actor);
	free(ev->detail);
	memset(ev, 0, sizeof(*ev));
}

/* Fills m from a row of MSG_COLUMNS. */
static int
msg_from_row(sqlite3_stmt *stmt, struct store_msg *m, struct err *e)
{
	int oom = 0;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(stmt, 0);
	m->message_id = col_strdup(stmt, 1, &oom);
	m->from_name = col_strdup(stmt, 2, &oom);
	m->from_addr = col_strdup(stmt, 3, &oom);
	m->subject = col_strdup(stmt, 4, &oom);
	m->text = col_strdup(stmt, 5, &oom);
	m->auto_reason = col_strdup(stmt, 6, &oom);
	m->warnings = col_strdup(stmt, 7, &oom);
	m->attachments = col_strdup(stmt, 8, &oom);
	m->channel = col_strdup(stmt, 9, &oom);
	m->direction = sqlite3_column_int(stmt, 10);
	m->public = sqlite3_column_int(stmt, 11);
	m->date = (time_t)sqlite3_column_int64(stmt, 12);
	m->received = (time_t)sqlite3_column_int64(stmt, 13);
	m->scored = sqlite3_column_type(stmt, 14) != SQLITE_NULL;
	m->sentiment = sqlite3_column_double(stmt, 14);
	m->lang = col_strdup(stmt, 15, &oom);
	if (oom) {
		store_msg_release(m);
		return err_set(e, ERR_NOMEM, "out of memory reading a message");
	}
	return 0;
}

/* The shared loop: 0 at the end, -1 on a store error or when the
 * callback stops (its error in e).  The caller has bound stmt. */
static int
list_rows(struct store *st, sqlite3_stmt *stmt, int (*row)(struct store *,
    sqlite3_stmt *, void *, void *, struct err *), void *cb, void *arg,
    const char *what, struct err *e)
{
	int rc, ret = 0;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if ((ret = row(st, stmt, cb, arg, e)) == -1)
			break;
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot list %s", what);
	stmt_done(stmt);
	return ret;
}

/* Refuses a listing started from its own callback: its statement is
 * mid-step and cannot be rebound. */
static int
list_busy(struct store *st, sqlite3_stmt *stmt, const char *what, struct err *e)
{
	if (!sqlite3_stmt_busy(stmt))
		return 0;
	return err_set(e, ERR_SOFTWARE, "cannot list %s in '%s' from a callback "
	    "of the same listing", what, st->path);
}

/* Callbacks are passed as void * through list_rows and cast back to
 * their own type here, one adapter per kind of row. */
struct ticket_cb {
	int	(*fn)(void *, const struct ticket *, struct err *);
};
struct msg_cb {
	int	(*fn)(void *, const struct store_msg *, struct err *);
};
struct event_cb {
	int	(*fn)(void *, const struct store_event *, struct err *);
};

static int
ticket_row(struct store *st, sqlite3_stmt *stmt, void *cb, void *arg,
    struct err *e)
{
	struct ticket t;
	int ret;

	(void)st;
	if (ticket_from_row(stmt, &t, e) == -1)
		return -1;
	ret = ((struct ticket_cb *)cb)->fn(arg, &t, e);
	ticket_release(&t);
	return ret == -1 ? -1 : 0;
}

static int
msg_row(struct store *st, sqlite3_stmt *stmt, void *cb, void *arg,
    struct err *e)
{
	struct store_msg m;
	int ret;

	(void)st;
	if (msg_from_row(stmt, &m, e) == -1)
		return -1;
	ret = ((struct msg_cb *)cb)->fn(arg, &m, e);
	store_msg_release(&m);
	return ret == -1 ? -1 : 0;
}

static int
event_row(struct store *st, sqlite3_stmt *stmt, void *cb, void *arg,
    struct err *e)
{
	struct store_event ev;
	int oom = 0, ret;

	(void)st;
	memset(&ev, 0, sizeof(ev));
	ev.id = sqlite3_column_int64(stmt, 0);
	ev.at = (time_t)sqlite3_column_int64(stmt, 1);
	ev.kind = col_strdup(stmt, 2, &oom);
	ev.actor = col_strdup(stmt, 3, &oom);
	ev.detail = col_strdup(stmt, 4, &oom);
	if (oom) {
		store_event_release(&ev);
		return err_set(e, ERR_NOMEM, "out of memory reading an event");
	}
	ret = ((struct event_cb *)cb)->fn(arg, &ev, e);
	store_event_release(&ev);
	return ret == -1 ? -1 : 0;
}

int
store_queue(struct store *st, int which,
    int (*cb)(void *arg, const struct ticket *, struct err *), void *arg,
    struct err *e)
{
	struct ticket_cb c = { cb };
	sqlite3_stmt *stmt;
	int rc = SQLITE_OK;

	stmt = st->stmt[which == QUEUE_ALL ? STMT_QUEUE_ALL : STMT_QUEUE_OPEN];
	if (list_busy(st, stmt, "the queue", e) == -1)
		return -1;
	if (which != QUEUE_ALL) {
		rc |= bind_int(stmt, 1, STATUS_NEW);
		rc |= bind_int(stmt, 2, STATUS_OPEN);
		rc |= bind_int(stmt, 3, STATUS_PENDING);
	}
	if (rc != SQLITE_OK) {
		stmt_done(stmt);
		return store_error(st, e, "cannot list the queue");
	}
	return list_rows(st, stmt, ticket_row, &c, arg, "the queue", e);
}

int
store_ticket_messages(struct store *st, int64_t ticket, int include_raw,
    int (*cb)(void *arg, const struct store_msg *, struct err *), void *arg,
    struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_TICKET_MESSAGES];
	struct msg_cb c = { cb };

	/* Reserved: struct store_msg has no raw field yet.  When it gets one,
	 * a second statement selecting m.raw serves include_raw, so listing
	 * a thread never reads the raw bytes' overflow pages otherwise. */
	(void)include_raw;
	if (list_busy(st, stmt, "messages", e) == -1)
		return -1;
	if (bind_int(stmt, 1, ticket) != SQLITE_OK) {
		stmt_done(stmt);
		return store_error(st, e, "cannot list messages of ticket %"
		    PRId64, ticket);
	}
	return list_rows(st, stmt, msg_row, &c, arg, "messages", e);
}

int
store_ticket_events(struct store *st, int64_t ticket,
    int (*cb)(void *arg, const struct store_event *, struct err *), void *arg,
    struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_TICKET_EVENTS];
	struct event_cb c = { cb };

	if (list_busy(st, stmt, "events", e) == -1)
		return -1;
	if (bind_int(stmt, 1, ticket) != SQLITE_OK) {
		stmt_done(stmt);
		return store_error(st, e, "cannot list events of ticket %"
		    PRId64, ticket);
	}
	return list_rows(st, stmt, event_row, &c, arg, "events", e);
}

int
store_unticketed(struct store *st,
    int (*cb)(void *arg, const struct store_msg *, struct err *), void *arg,
    struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_UNTICKETED];
	struct msg_cb c = { cb };

	if (list_busy(st, stmt, "unticketed messages", e) == -1)
		return -1;
	return list_rows(st, stmt, msg_row, &c, arg, "unticketed messages", e);
}

/*
 * Outbox.
 */

int
store_outbox_add(struct store *st, int64_t ticket, const char *message_id,
    const char *recipients, const char *data, size_t len, time_t now,
    struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_OUTBOX_ADD];
	int rc = SQLITE_OK, ret = 0;

	rc |= bind_id(stmt, 1, ticket);
	rc |= bind_text(stmt, 2, message_id);
	rc |= bind_text(stmt, 3, recipients);
	/* A zero-length blob, not NULL, for empty data. */
	rc |= sqlite3_bind_blob64(stmt, 4, data ? data : "", (sqlite3_uint64)len,
	    SQLITE_STATIC);
	rc |= bind_int(stmt, 5, (int64_t)now);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot queue notification '%s'",
		    message_id ? message_id : "");
	stmt_done(stmt);
	return ret;
}

/*
 * Connectors: where stored messages came from (issue 5).
 */

int
store_message_find(struct store *st, int64_t channel, const char *external_id,
    const char *message_id, struct store_msg_loc *out, struct err *e)
{
	sqlite3_stmt *stmt;
	const unsigned char *ext, *mid;
	int rc = SQLITE_OK, ret;

	if (external_id != NULL) {
		stmt = st->stmt[STMT_MESSAGE_FIND_EXTERNAL];
		rc |= bind_int(stmt, 1, channel);
		rc |= bind_text(stmt, 2, external_id);
	} else {
		stmt = st->stmt[STMT_MESSAGE_FIND_ID];
		rc |= bind_text(stmt, 1, message_id);
	}
	memset(out, 0, sizeof(*out));
	if (rc != SQLITE_OK || (rc = sqlite3_step(stmt)) == SQLITE_ERROR ||
	    (rc != SQLITE_ROW && rc != SQLITE_DONE))
		ret = store_error(st, e, "cannot look up message '%s'",
		    external_id ? external_id : message_id ? message_id : "");
	else if (rc == SQLITE_DONE)
		ret = 0;
	else {
		out->id = sqlite3_column_int64(stmt, 0);
		out->channel = sqlite3_column_int64(stmt, 1);
		out->ticket = sqlite3_column_int64(stmt, 2);	/* NULL reads 0 */
		out->direction = sqlite3_column_int(stmt, 3);
		ext = sqlite3_column_text(stmt, 4);
		mid = sqlite3_column_text(stmt, 5);
		/* Ids longer than the buffers are cut; a cut id is still unique
		 * enough to name the message in a log, and lookups use the rowid. */
		(void)esc_strlcpy(out->external_id, ext ? (const char *)ext : "",
		    sizeof(out->external_id));
		(void)esc_strlcpy(out->message_id, mid ? (const char *)mid : "",
		    sizeof(out->message_id));
		ret = 1;
	}
	stmt_done(stmt);
	return ret;
}

int
store_message_set_external_id(struct store *st, int64_t id, const char *external_id,
    struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_MESSAGE_SET_EXTERNAL];
	int rc = SQLITE_OK, ret = 0;

	rc |= bind_int(stmt, 1, id);
	rc |= bind_text(stmt, 2, external_id);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot move message %" PRId64 " to '%s'", id,
		    external_id);
	stmt_done(stmt);
	return ret;
}

int
store_open_messages(struct store *st, int64_t channel,
    int (*cb)(void *arg, const char *external_id, struct err *), void *arg,
    struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_OPEN_MESSAGES];
	const unsigned char *ext;
	int rc = SQLITE_OK, ret = 0;

	if (list_busy(st, stmt, "open messages", e) == -1)
		return -1;
	rc |= bind_int(stmt, 1, channel);
	rc |= bind_int(stmt, 2, STATUS_NEW);
	rc |= bind_int(stmt, 3, STATUS_OPEN);
	rc |= bind_int(stmt, 4, STATUS_PENDING);
	if (rc != SQLITE_OK) {
		stmt_done(stmt);
		return store_error(st, e, "cannot list open messages");
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((ext = sqlite3_column_text(stmt, 0)) == NULL)
			continue;
		if ((ret = cb(arg, (const char *)ext, e)) == -1)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_error(st, e, "cannot list open messages");
	stmt_done(stmt);
	return ret;
}

int
store_event_exists(struct store *st, int64_t ticket, const char *kind,
    const char *message_id, struct err *e)
{
	sqlite3_stmt *stmt = st->stmt[STMT_EVENT_EXISTS];
	int rc = SQLITE_OK, ret;

	rc |= bind_int(stmt, 1, ticket);
	rc |= bind_text(stmt, 2, kind);
	rc |= bind_text(stmt, 3, message_id);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
		ret = store_error(st, e, "cannot look up events of ticket %" PRId64, ticket);
	else
		ret = sqlite3_column_int(stmt, 0) ? 1 : 0;
	stmt_done(stmt);
	return ret;
}

/*
 * Social connectors: posts edited or deleted at their source (issue 8).
 */

/* Runs STMT_MESSAGE_DELETE on the message (channel, external_id):
 * 1 changed (*ticket set, 0 if none), 0 unknown or unchanged, -1 error. */
static int
message_change(struct store *st, int64_t channel, const char *external_id, time_t at,
    int64_t *ticket, struct err *e)
{
	struct store_msg_loc *loc;
	sqlite3_stmt *stmt = st->stmt[STMT_MESSAGE_DELETE];
	int rc = SQLITE_OK, ret;

	*ticket = 0;
	if ((loc = malloc(sizeof(*loc))) == NULL)	/* ids make it too big for the stack */
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((ret = store_message_find(st, channel, external_id, NULL, loc, e)) != 1) {
		free(loc);
		return ret;
	}
	rc |= bind_int(stmt, 1, loc->id);
	rc |= bind_int(stmt, 2, (int64_t)at);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot mark deleted message '%s'", external_id);
	else if (sqlite3_changes(st->db) == 0)
		ret = 0;
	else {
		*ticket = loc->ticket;
		ret = 1;
	}
	stmt_done(stmt);
	free(loc);
	return ret;
}

int
store_message_edit(struct store *st, int64_t channel, const char *external_id,
    const struct message *m, const double *sentiment, time_t at, int64_t *ticket,
    unsigned *changed, struct err *e)
{
	struct store_msg_loc *loc;
	sqlite3_stmt *stmt = st->stmt[STMT_MESSAGE_EDITED];
	const char *text = m->text != NULL ? m->text : "", *scored;
	char *atts;
	int rc = SQLITE_OK, ret, oom = 0;

	*ticket = 0;
	*changed = 0;
	scored = m->text_scored != NULL && strcmp(m->text_scored, text) != 0 ? m->text_scored :
	    NULL;
	atts = attachments_json(m, &oom);
	if (oom || (loc = malloc(sizeof(*loc))) == NULL) {	/* ids: too big for the stack */
		free(atts);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if ((ret = store_message_find(st, channel, external_id, NULL, loc, e)) != 1)
		goto out;
	/* What differs, for the event; nothing differing is no edit. */
	rc |= bind_int(stmt, 1, loc->id);
	rc |= bind_text(stmt, 2, text);
	rc |= bind_text(stmt, 3, m->lang);
	rc |= bind_text(stmt, 4, atts);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW) {
		ret = store_error(st, e, "cannot read message '%s'", external_id);
		stmt_done(stmt);
		goto out;
	}
	*changed = (sqlite3_column_int(stmt, 0) ? STORE_EDIT_TEXT : 0) |
	    (sqlite3_column_int(stmt, 1) ? STORE_EDIT_LANG : 0) |
	    (sqlite3_column_int(stmt, 2) ? STORE_EDIT_MEDIA : 0);
	stmt_done(stmt);
	if (*changed == 0) {
		ret = 0;
		goto out;
	}
	stmt = st->stmt[STMT_MESSAGE_EDIT];
	rc |= bind_int(stmt, 1, loc->id);
	rc |= bind_text(stmt, 2, text);
	rc |= bind_text(stmt, 3, scored);
	rc |= bind_int(stmt, 4, (int64_t)at);
	rc |= bind_text(stmt, 5, m->lang);
	rc |= bind_text(stmt, 6, atts);
	if (sentiment != NULL && (*changed & STORE_EDIT_TEXT))
		rc |= sqlite3_bind_double(stmt, 7, *sentiment);
	else
		rc |= sqlite3_bind_null(stmt, 7);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		ret = store_error(st, e, "cannot edit message '%s'", external_id);
	else {
		*ticket = loc->ticket;
		ret = 1;
	}
	stmt_done(stmt);
out:
	free(atts);
	free(loc);
	return ret;
}

int
store_message_delete(struct store *st, int64_t channel, const char *external_id,
    time_t at, int64_t *ticket, struct err *e)
{
	return message_change(st, channel, external_id, at, ticket, e);
}
