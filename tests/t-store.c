/* t-store.c -- cases 6000-6099: the SQLite store, against real database
 * files in a temporary directory (under $TMPDIR or /tmp, removed at the
 * end).  Each case opens its own database, so `make check T=6012` runs
 * alone. */
#include "config.h"

#include <dirent.h>
#include <sqlite3.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/model.h"
#include "intake/message.h"
#include "store/store.h"
#include "store/store_int.h"	/* STORE_SCORED_TEXT */
#include "tests/tap.h"

/* Test hook in store.c, deliberately not in store.h. */
int	store_test_exec(struct store *, const char *sql, struct err *);

static char tmpdir[512];

static const char *
dbpath(const char *name)
{
	static char path[640];

	(void)snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void
rm_tmpdir(void)
{
	char path[1024];
	struct dirent *de;
	DIR *d;

	if (tmpdir[0] == '\0' || (d = opendir(tmpdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		if (unlink(path) == -1)
			printf("# cannot remove '%s': %s\n", path, strerror(errno));
	}
	(void)closedir(d);
	if (rmdir(tmpdir) == -1)
		printf("# cannot remove '%s': %s\n", tmpdir, strerror(errno));
}

/* A new database named name; NULL (and a failed check) if it cannot. */
static struct store *
open_db(const char *name)
{
	struct err e = ERR_INIT;
	struct store *st;

	if (store_open(&st, dbpath(name), &e) == -1) {
		printf("# %s\n", e.msg);
		CHECK(0, "open a database");
		return NULL;
	}
	return st;
}

/* open_db, and the channel name (kind, public) in *ch; NULL (and a
 * failed check) if either fails. */
static struct store *
open_db_channel(const char *name, const char *channel, const char *kind, int public,
    int64_t *ch)
{
	struct err e = ERR_INIT;
	struct store *st;

	if ((st = open_db(name)) == NULL)
		return NULL;
	if (store_channel_ensure(st, channel, kind, public, ch, &e) == -1) {
		CHECK(0, e.msg);
		store_close(st);
		return NULL;
	}
	return st;
}

static int
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* A message as intake would hand it over; strings are literals, so
 * message_release frees only the (empty) arena and the warnings. */
static void
fixture(struct message *m, const char *message_id, time_t date)
{
	static const char *refs[] = { "root@example.org", "parent@example.org" };
	static struct attachment atts[] = {
		{ "invoice.pdf", "application/pdf", 12345, 0, NULL },
		{ "", "image/png", 7, 0, NULL },
	};

	message_init(m);
	m->message_id = message_id;
	m->in_reply_to = "parent@example.org";
	m->refs = refs;
	m->refs_count = 2;
	m->from_name = "Ann Customer";
	m->from_addr = "ann@example.org";
	m->to = "support@example.com";
	m->cc = "billing@example.com";
	m->subject = "Charged twice";
	m->date = date;
	m->received = date + 10;
	m->text = "I was charged twice.\n\n> quoted\n";
	m->text_scored = "I was charged twice.";
	m->atts = atts;
	m->atts_count = 2;
	m->raw = "Subject: Charged twice\r\n\r\nI was charged twice.\r\n";
	m->raw_len = strlen(m->raw);
}

static int
insert(struct store *st, int64_t channel, const char *ext, const char *mid,
    time_t date, int64_t ticket, struct err *e)
{
	struct message m;
	int ret;

	fixture(&m, mid, date);
	ret = store_message_insert(st, &m, channel, ext, ticket, NULL, e);
	message_release(&m);
	return ret;
}

static int64_t
new_ticket(struct store *st, int status, int priority, time_t created)
{
	struct err e = ERR_INIT;
	struct ticket t;

	ticket_init(&t);
	t.status = status;
	t.priority = priority;
	t.created = t.updated = created;
	if (store_ticket_create(st, &t, &e) == -1) {
		printf("# %s\n", e.msg);
		return -1;
	}
	return t.id;
}

/* 6000: the file is created, its directory never is. */
static void
t6000(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	char missing[700];

	st = open_db("6000.db");
	CHECK(st != NULL && file_exists(dbpath("6000.db")),
	    "6000 open creates the database file");
	store_close(st);
	CHECK(!file_exists(dbpath("6000.db-wal")), "6000 close removes the WAL");

	(void)snprintf(missing, sizeof(missing), "%s/no/such/dir.db", tmpdir);
	CHECK(store_open(&st, missing, &e) == -1 && st == NULL &&
	    e.code == ERR_STORE && strstr(e.msg, missing) != NULL,
	    "6000 a missing directory is an error naming the path");
	CHECK(!file_exists(dbpath("no")), "6000 no directory was created");
}

/* 6001: reopening migrates nothing and keeps the data. */
static void
t6001(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	int64_t a = 0, b = 0;
	int ok;

	if ((st = open_db("6001.db")) == NULL)
		return;
	ok = store_channel_ensure(st, "support", "imap", 0, &a, &e) == 0;
	store_close(st);
	if ((st = open_db("6001.db")) == NULL)
		return;
	ok = ok && store_channel_ensure(st, "support", "imap", 0, &b, &e) == 0;
	store_close(st);
	if ((st = open_db("6001.db")) == NULL)
		return;
	store_close(st);
	CHECK(ok && a == b && a > 0, "6001 reopening keeps schema and data");
}

/* 6002: a database from a newer escalator is refused. */
static void
t6002(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	char sql[64], want[128];
	int ok;

	if ((st = open_db("6002.db")) == NULL)
		return;
	/* One past what this build knows, whatever that is now. */
	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
	(void)snprintf(want, sizeof(want), "has schema version %d, this escalator knows "
	    "up to %d: upgrade escalator", STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
	ok = store_test_exec(st, sql, &e) == 0;
	store_close(st);
	CHECK(ok && store_open(&st, dbpath("6002.db"), &e) == -1 && st == NULL &&
	    strstr(e.msg, want) != NULL && strstr(e.msg, dbpath("6002.db")) != NULL,
	    "6002 a newer schema version is refused");
	printf("# %s\n", e.msg);
}

/* 6003: bytes that are not SQLite; 6004: another program's database. */
static void
t6003(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	FILE *f;
	int i;

	if ((f = fopen(dbpath("6003.txt"), "w")) == NULL) {
		CHECK(0, "6003 create a text file");
		return;
	}
	for (i = 0; i < 100; i++)
		fprintf(f, "From: someone\nthis is a mailbox, not a database\n");
	if (fclose(f) != 0) {
		CHECK(0, "6003 write a text file");
		return;
	}
	CHECK(store_open(&st, dbpath("6003.txt"), &e) == -1 && st == NULL &&
	    strstr(e.msg, "is not an escalator database: file is not a database") &&
	    strstr(e.msg, dbpath("6003.txt")) != NULL,
	    "6003 a file that is not a database is refused by name");
	printf("# %s\n", e.msg);
}

static void
t6004(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	int ok;

	if ((st = open_db("6004.db")) == NULL)
		return;
	ok = store_test_exec(st, "PRAGMA application_id = 7", &e) == 0;
	store_close(st);
	CHECK(ok && store_open(&st, dbpath("6004.db"), &e) == -1 &&
	    strstr(e.msg, "is not an escalator database") != NULL,
	    "6004 another program's database is refused");
	printf("# %s\n", e.msg);
}

/* 6005: channels. */
static void
t6005(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	int64_t a = 0, b = 0, c = 0;

	if ((st = open_db("6005.db")) == NULL)
		return;
	CHECK(store_channel_ensure(st, "support", "imap", 0, &a, &e) == 0 &&
	    store_channel_ensure(st, "support", "imap", 0, &b, &e) == 0 &&
	    a == b && a > 0, "6005 channel ensure returns the same id twice");
	CHECK(store_channel_ensure(st, "brand", "mastodon", 1, &c, &e) == 0 &&
	    c != a, "6005 another channel gets another id");
	CHECK(store_channel_ensure(st, "support", "imap", 1, &b, &e) == 0 &&
	    a == b, "6005 a changed public flag keeps the id");
	store_close(st);
}

/* 6006: cursors. */
static void
t6006(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	char out[64], tiny[4];
	int64_t ch;

	if ((st = open_db_channel("6006.db", "support", "imap", 0, &ch)) == NULL)
		return;
	CHECK(store_cursor_get(st, ch, "INBOX", out, sizeof(out), &e) == 0,
	    "6006 an unset cursor is absent");
	CHECK(store_cursor_set(st, ch, "INBOX", "1700:42", 100, &e) == 0 &&
	    store_cursor_get(st, ch, "INBOX", out, sizeof(out), &e) == 1 &&
	    strcmp(out, "1700:42") == 0, "6006 a cursor reads back");
	CHECK(store_cursor_set(st, ch, "INBOX", "1700:43", 200, &e) == 0 &&
	    store_cursor_get(st, ch, "INBOX", out, sizeof(out), &e) == 1 &&
	    strcmp(out, "1700:43") == 0, "6006 setting again replaces it");
	CHECK(store_cursor_get(st, ch, "Sent", out, sizeof(out), &e) == 0,
	    "6006 cursors are per source");
	CHECK(store_cursor_get(st, ch, "INBOX", tiny, sizeof(tiny), &e) == -1,
	    "6006 a short buffer is an error, not a cut cursor");
	CHECK(store_cursor_set(st, 999, "INBOX", "1", 1, &e) == -1,
	    "6006 a cursor of an unknown channel is refused");
	store_close(st);
}

/* 6007: messages stored and found; 6008: duplicates refused cleanly. */
static void
t6007(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	int64_t ch, id = 0;

	if ((st = open_db_channel("6007.db", "support", "imap", 0, &ch)) == NULL)
		return;
	CHECK(store_message_exists(st, ch, "1:1", "a@example.org", &e) == 0,
	    "6007 nothing exists in a new database");
	{
		struct message m;

		fixture(&m, "a@example.org", 1000);
		message_warn(&m, "charset 'x-bogus' unknown");
		message_warn(&m, "second warning");
		CHECK(store_message_insert(st, &m, ch, "1:1", 0, &id, &e) == 0 &&
		    id > 0, "6007 a message is stored");
		message_release(&m);
	}
	CHECK(store_message_exists(st, ch, "1:1", "other@example.org", &e) == 1,
	    "6007 found by external id");
	CHECK(store_message_exists(st, ch, "9:9", "a@example.org", &e) == 1,
	    "6007 found by Message-ID");
	CHECK(store_message_exists(st, ch + 1, "1:1", "b@example.org", &e) == 0,
	    "6007 external ids are per channel");
	CHECK(store_message_exists(st, ch, NULL, "b@example.org", &e) == 0,
	    "6007 a NULL external id matches nothing");
	store_close(st);
}

static void
t6008(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	int64_t a, b;

	if ((st = open_db("6008.db")) == NULL)
		return;
	if (store_channel_ensure(st, "support", "imap", 0, &a, &e) == -1 ||
	    store_channel_ensure(st, "billing", "imap", 0, &b, &e) == -1 ||
	    insert(st, a, "1:1", "a@example.org", 1000, 0, &e) == -1) {
		CHECK(0, e.msg);
		store_close(st);
		return;
	}
	CHECK(insert(st, b, "7:7", "a@example.org", 1000, 0, &e) == -1 &&
	    e.code == ERR_STORE && strstr(e.msg, "UNIQUE") != NULL,
	    "6008 one Message-ID is stored once, even from two inboxes");
	printf("# %s\n", e.msg);
	CHECK(insert(st, a, "1:1", "c@example.org", 1000, 0, &e) == -1 &&
	    strstr(e.msg, "UNIQUE") != NULL,
	    "6008 one external id per channel");
	CHECK(insert(st, a, "1:2", "d@example.org", 1000, 424242, &e) == -1 &&
	    strstr(e.msg, "FOREIGN KEY") != NULL,
	    "6008 a message of an unknown ticket is refused");
	CHECK(insert(st, a, "1:3", "e@example.org", 1000, 0, &e) == 0,
	    "6008 the store goes on after refusals");
	store_close(st);
}

/* 6009: thread references. */
static void
t6009(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	int64_t t1, t2, found = 0;

	if ((st = open_db("6009.db")) == NULL)
		return;
	t1 = new_ticket(st, STATUS_NEW, PRIO_NORMAL, 100);
	t2 = new_ticket(st, STATUS_NEW, PRIO_NORMAL, 100);
	CHECK(store_thread_find(st, "x@example.org", &found, &e) == 0,
	    "6009 an unknown reference is absent");
	CHECK(store_thread_ref_add(st, "x@example.org", t1, &e) == 0 &&
	    store_thread_find(st, "x@example.org", &found, &e) == 1 && found == t1,
	    "6009 a reference finds its ticket");
	CHECK(store_thread_ref_add(st, "x@example.org", t2, &e) == 0 &&
	    store_thread_find(st, "x@example.org", &found, &e) == 1 && found == t1,
	    "6009 adding a known reference again keeps the first ticket");
	CHECK(store_thread_ref_add(st, "y@example.org", 4242, &e) == -1,
	    "6009 a reference to an unknown ticket is refused");
	store_close(st);
}

/* 6010: the subject fallback looks back only as far as since. */
static void
t6010(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	struct ticket t;
	int64_t old, newer, found = 0;

	if ((st = open_db("6010.db")) == NULL)
		return;
	ticket_init(&t);
	t.customer = "ann@example.org";
	t.subject_key = "charged twice";
	t.created = t.updated = 1000;
	if (store_ticket_create(st, &t, &e) == -1)
		goto fail;
	old = t.id;
	t.created = t.updated = 5000;
	if (store_ticket_create(st, &t, &e) == -1)
		goto fail;
	newer = t.id;
	CHECK(store_thread_find_subject(st, "ann@example.org", "charged twice",
	    500, &found, &e) == 1 && found == newer,
	    "6010 the newest ticket with that subject wins");
	CHECK(store_thread_find_subject(st, "ann@example.org", "charged twice",
	    5000, &found, &e) == 1 && found == newer,
	    "6010 since is inclusive");
	CHECK(store_thread_find_subject(st, "ann@example.org", "charged twice",
	    5001, &found, &e) == 0, "6010 nothing newer than since: absent");
	CHECK(store_thread_find_subject(st, "bob@example.org", "charged twice",
	    0, &found, &e) == 0, "6010 another customer's subject is not ours");
	CHECK(old != newer, "6010 two tickets");
	store_close(st);
	return;
fail:
	CHECK(0, e.msg);
	store_close(st);
}

/* 6011: tickets round-trip. */
static void
t6011(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	struct ticket t, got;
	int64_t ch;

	if ((st = open_db_channel("6011.db", "support", "imap", 0, &ch)) == NULL)
		return;
	ticket_init(&t);
	t.status = STATUS_OPEN;
	t.priority = PRIO_HIGH;
	t.tier = 2;
	t.department = "billing";
	t.channel = "support";
	t.public = 1;
	t.customer = "ann@example.org";
	t.customer_name = "Ann Customer";
	t.subject = "Charged twice";
	t.subject_key = "charged twice";
	t.created = 1000;
	t.updated = 1100;
	t.last_inbound = 1050;
	t.messages = 3;
	t.exchanges = 2;
	CHECK(store_ticket_create(st, &t, &e) == 0 && t.id > 0,
	    "6011 a ticket is created with an id");
	CHECK(store_ticket_get(st, t.id, &got, &e) == 1 &&
	    got.id == t.id && got.status == STATUS_OPEN &&
	    got.priority == PRIO_HIGH && got.tier == 2 &&
	    strcmp(got.department, "billing") == 0 && got.owner == NULL &&
	    strcmp(got.channel, "support") == 0 && got.public == 1 &&
	    strcmp(got.customer, "ann@example.org") == 0 &&
	    strcmp(got.customer_name, "Ann Customer") == 0 &&
	    strcmp(got.subject, "Charged twice") == 0 &&
	    strcmp(got.subject_key, "charged twice") == 0 &&
	    got.created == 1000 && got.updated == 1100 &&
	    got.last_inbound == 1050 && got.messages == 3 && got.exchanges == 2,
	    "6011 a ticket reads back field by field");
	ticket_release(&got);

	t.status = STATUS_RESOLVED;
	t.priority = PRIO_URGENT;
	t.tier = 3;
	t.department = NULL;
	t.owner = "t3@example.com";
	t.created = 900;		/* an older message arrived late */
	t.updated = 2000;
	t.messages = 4;
	CHECK(store_ticket_update(st, &t, &e) == 0 &&
	    store_ticket_get(st, t.id, &got, &e) == 1 &&
	    got.status == STATUS_RESOLVED && got.priority == PRIO_URGENT &&
	    got.tier == 3 && got.department == NULL &&
	    strcmp(got.owner, "t3@example.com") == 0 && got.updated == 2000 &&
	    got.created == 900 && got.messages == 4 &&
	    strcmp(got.channel, "support") == 0,
	    "6011 an update reads back");
	CHECK(got.resolved == 2000 && got.handoffs == 0,
	    "6011 resolving sets the resolution time");
	ticket_release(&got);

	/* The resolution time is the moment status moved, not later edits;
	 * reopening clears it. */
	t.updated = 2500;
	t.handoffs = 2;
	CHECK(store_ticket_update(st, &t, &e) == 0 &&
	    store_ticket_get(st, t.id, &got, &e) == 1 &&
	    got.resolved == 2000 && got.handoffs == 2,
	    "6011 a resolved ticket keeps its resolution time");
	ticket_release(&got);
	t.status = STATUS_OPEN;
	t.updated = 3000;
	CHECK(store_ticket_update(st, &t, &e) == 0 &&
	    store_ticket_get(st, t.id, &got, &e) == 1 && got.resolved == 0,
	    "6011 reopening clears the resolution time");
	ticket_release(&got);
	t.status = STATUS_RESOLVED;
	t.updated = 2000;
	t.created = 900;
	t.messages = 4;

	CHECK(store_ticket_get(st, t.id + 100, &got, &e) == 0,
	    "6011 an unknown ticket is absent");
	t.id += 100;
	CHECK(store_ticket_update(st, &t, &e) == -1,
	    "6011 updating an unknown ticket is an error");
	t.channel = "nowhere";
	CHECK(store_ticket_create(st, &t, &e) == -1 &&
	    strstr(e.msg, "nowhere") != NULL,
	    "6011 a ticket of an unknown channel is refused");
	t.channel = NULL;
	t.tier = 9;
	CHECK(store_ticket_create(st, &t, &e) == -1,
	    "6011 a tier out of range is refused");
	t.tier = 1;
	CHECK(store_ticket_create(st, &t, &e) == 0 &&
	    store_ticket_get(st, t.id, &got, &e) == 1 && got.channel == NULL,
	    "6011 a ticket without a channel");
	ticket_release(&got);
	store_close(st);
}

/* 6012: the queue. */
struct seen {
	int64_t	ids[16];
	int	count, stop_after;
};

static int
seen_ticket(void *arg, const struct ticket *t, struct err *e)
{
	struct seen *s = arg;

	if (s->count < 16)
		s->ids[s->count++] = t->id;
	if (s->stop_after > 0 && s->count >= s->stop_after)
		return err_set(e, ERR_SOFTWARE, "enough");
	return 0;
}

static void
t6012(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	struct seen s;
	int64_t normal_old, normal_new, urgent_new, low_old, resolved, pending;

	if ((st = open_db("6012.db")) == NULL)
		return;
	normal_new = new_ticket(st, STATUS_NEW, PRIO_NORMAL, 3000);
	normal_old = new_ticket(st, STATUS_OPEN, PRIO_NORMAL, 1000);
	low_old = new_ticket(st, STATUS_NEW, PRIO_LOW, 10);
	urgent_new = new_ticket(st, STATUS_NEW, PRIO_URGENT, 5000);
	resolved = new_ticket(st, STATUS_RESOLVED, PRIO_URGENT, 1);
	pending = new_ticket(st, STATUS_PENDING, PRIO_NORMAL, 2000);

	memset(&s, 0, sizeof(s));
	CHECK(store_queue(st, QUEUE_OPEN, seen_ticket, &s, &e) == 0 &&
	    s.count == 5 && s.ids[0] == urgent_new && s.ids[1] == normal_old &&
	    s.ids[2] == pending && s.ids[3] == normal_new && s.ids[4] == low_old,
	    "6012 urgent first, then older first; resolved left out");
	memset(&s, 0, sizeof(s));
	CHECK(store_queue(st, QUEUE_ALL, seen_ticket, &s, &e) == 0 &&
	    s.count == 6 && s.ids[0] == resolved && s.ids[1] == urgent_new,
	    "6012 the whole queue includes resolved tickets");
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	CHECK(store_queue(st, QUEUE_OPEN, seen_ticket, &s, &e) == -1 &&
	    s.count == 2 && strcmp(e.msg, "enough") == 0,
	    "6012 a callback stops the listing with its own error");
	memset(&s, 0, sizeof(s));
	CHECK(store_queue(st, QUEUE_OPEN, seen_ticket, &s, &e) == 0 && s.count == 5,
	    "6012 the queue lists again after a stop");
	store_close(st);
}

/* 6013: events are append-only. */
struct evseen {
	int	count;
	char	kinds[64];
};

static int
seen_event(void *arg, const struct store_event *ev, struct err *e)
{
	struct evseen *s = arg;

	(void)e;
	s->count++;
	(void)strncat(s->kinds, ev->kind, sizeof(s->kinds) - strlen(s->kinds) - 1);
	(void)strncat(s->kinds, ev->actor ? "+" : "-", sizeof(s->kinds) - strlen(s->kinds) - 1);
	return 0;
}

static void
t6013(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	struct evseen s;
	int64_t t;

	if ((st = open_db("6013.db")) == NULL)
		return;
	t = new_ticket(st, STATUS_NEW, PRIO_NORMAL, 100);
	memset(&s, 0, sizeof(s));
	CHECK(store_event_add(st, t, 100, "created", NULL, NULL, &e) == 0 &&
	    store_event_add(st, t, 200, "escalated", "rules",
	    "{\"tier\":\"1->2\"}", &e) == 0 &&
	    store_event_add(st, t, 150, "note", "ann", NULL, &e) == 0 &&
	    store_ticket_events(st, t, seen_event, &s, &e) == 0 && s.count == 3 &&
	    strcmp(s.kinds, "created-escalated+note+") == 0,
	    "6013 events list in the order added");
	CHECK(store_test_exec(st, "UPDATE event SET kind = 'x'", &e) == -1 &&
	    strstr(e.msg, "append-only") != NULL, "6013 an UPDATE of an event is refused");
	printf("# %s\n", e.msg);
	CHECK(store_test_exec(st, "DELETE FROM event", &e) == -1 &&
	    strstr(e.msg, "append-only") != NULL, "6013 a DELETE of an event is refused");
	CHECK(store_event_add(st, 4242, 100, "created", NULL, NULL, &e) == -1,
	    "6013 an event of an unknown ticket is refused");
	memset(&s, 0, sizeof(s));
	CHECK(store_ticket_events(st, t, seen_event, &s, &e) == 0 && s.count == 3,
	    "6013 the history is intact");
	store_close(st);
}

/* 6014: transactions. */
static void
t6014(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	char out[64];
	int64_t ch;

	if ((st = open_db_channel("6014.db", "support", "imap", 0, &ch)) == NULL)
		return;
	CHECK(store_begin(st, &e) == 0 &&
	    insert(st, ch, "1:1", "a@example.org", 1000, 0, &e) == 0 &&
	    insert(st, ch, "1:2", "b@example.org", 1000, 0, &e) == 0 &&
	    store_cursor_set(st, ch, "INBOX", "1:2", 100, &e) == 0,
	    "6014 messages and cursor written in one transaction");
	CHECK(store_begin(st, &e) == -1 && strstr(e.msg, "already open") != NULL,
	    "6014 a nested begin is an error");
	store_rollback(st);
	CHECK(store_message_exists(st, ch, "1:1", "a@example.org", &e) == 0 &&
	    store_message_exists(st, ch, "1:2", "b@example.org", &e) == 0 &&
	    store_cursor_get(st, ch, "INBOX", out, sizeof(out), &e) == 0,
	    "6014 a rollback leaves nothing behind");
	CHECK(store_commit(st, &e) == -1, "6014 commit without begin is an error");
	store_rollback(st);	/* harmless without a transaction */

	CHECK(store_begin(st, &e) == 0 &&
	    insert(st, ch, "1:1", "a@example.org", 1000, 0, &e) == 0 &&
	    insert(st, ch, "1:1", "dup@example.org", 1000, 0, &e) == -1 &&
	    store_cursor_set(st, ch, "INBOX", "1:1", 100, &e) == 0 &&
	    store_commit(st, &e) == 0,
	    "6014 a refused insert leaves the transaction usable");
	CHECK(store_message_exists(st, ch, "1:1", NULL, &e) == 1 &&
	    store_message_exists(st, ch, NULL, "dup@example.org", &e) == 0 &&
	    store_cursor_get(st, ch, "INBOX", out, sizeof(out), &e) == 1,
	    "6014 a commit keeps messages and cursor");

	/* Closing with a transaction open rolls it back. */
	CHECK(store_begin(st, &e) == 0 &&
	    insert(st, ch, "1:9", "z@example.org", 1000, 0, &e) == 0,
	    "6014 a transaction left open");
	store_close(st);
	if ((st = open_db("6014.db")) == NULL)
		return;
	CHECK(store_message_exists(st, ch, "1:9", "z@example.org", &e) == 0,
	    "6014 close rolls back what was not committed");
	store_close(st);
}

/* 6015: the outbox. */
static void
t6015(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	const char data[] = "From: escalator\r\n\r\nbreach\r\n";
	int64_t t;

	if ((st = open_db("6015.db")) == NULL)
		return;
	t = new_ticket(st, STATUS_NEW, PRIO_NORMAL, 100);
	CHECK(store_outbox_add(st, t, "n1@escalator", "t1@example.com", data,
	    sizeof(data) - 1, 100, &e) == 0, "6015 a notification is queued");
	CHECK(store_outbox_add(st, 0, "n2@escalator", "t1@example.com", data,
	    sizeof(data) - 1, 100, &e) == 0, "6015 a digest needs no ticket");
	CHECK(store_outbox_add(st, t, "n1@escalator", "t1@example.com", data,
	    sizeof(data) - 1, 100, &e) == -1 && strstr(e.msg, "UNIQUE") != NULL,
	    "6015 one Message-ID is queued once");
	store_close(st);
}

/* 6016: NULL-safety. */
static void
t6016(void)
{
	store_close(NULL);
	store_msg_release(NULL);
	store_event_release(NULL);
	CHECK(1, "6016 store_close(NULL) and the releases are harmless");
}

/* 6017: reading a thread back, and the unticketed messages. */
struct msgseen {
	int	count;
	int64_t	ids[8];
	char	first[512];
};

static int
seen_msg(void *arg, const struct store_msg *m, struct err *e)
{
	struct msgseen *s = arg;

	(void)e;
	if (s->count == 0)
		(void)snprintf(s->first, sizeof(s->first), "%s|%s|%s|%s|%s|%s|%s|%d|%d|%lld|%lld",
		    m->message_id, m->from_name, m->from_addr, m->subject,
		    m->channel, m->attachments ? m->attachments : "(null)",
		    m->warnings ? m->warnings : "(null)", m->direction, m->public,
		    (long long)m->date, (long long)m->received);
	if (s->count < 8)
		s->ids[s->count] = m->id;
	s->count++;
	return 0;
}

static int
reenter(void *arg, const struct store_msg *m, struct err *e)
{
	struct store *st = arg;

	(void)m;
	return store_unticketed(st, seen_msg, NULL, e);
}

static void
t6017(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	struct msgseen s;
	struct message m;
	int64_t ch, t, a = 0, b = 0, c = 0;

	if ((st = open_db_channel("6017.db", "support", "imap", 0, &ch)) == NULL)
		return;
	t = new_ticket(st, STATUS_NEW, PRIO_NORMAL, 100);
	fixture(&m, "late@example.org", 3000);
	message_warn(&m, "one");
	if (store_message_insert(st, &m, ch, "1:1", t, &a, &e) == -1)
		printf("# %s\n", e.msg);
	m.message_id = "early@example.org";
	m.date = 1000;
	if (store_message_insert(st, &m, ch, "1:2", t, &b, &e) == -1)
		printf("# %s\n", e.msg);
	m.message_id = "auto@example.org";
	m.auto_reason = AUTO_SUBMITTED;
	if (store_message_insert(st, &m, ch, "1:3", 0, &c, &e) == -1)
		printf("# %s\n", e.msg);
	message_release(&m);

	memset(&s, 0, sizeof(s));
	CHECK(store_ticket_messages(st, t, 0, seen_msg, &s, &e) == 0 &&
	    s.count == 2 && s.ids[0] == b && s.ids[1] == a,
	    "6017 a thread lists oldest first");
	CHECK(strcmp(s.first, "early@example.org|Ann Customer|ann@example.org|"
	    "Charged twice|support|[{\"name\":\"invoice.pdf\",\"type\":"
	    "\"application/pdf\",\"size\":12345},{\"name\":\"\",\"type\":"
	    "\"image/png\",\"size\":7}]|one|0|0|1000|3010") == 0,
	    "6017 message fields read back");
	printf("# %s\n", s.first);
	memset(&s, 0, sizeof(s));
	CHECK(store_unticketed(st, seen_msg, &s, &e) == 0 && s.count == 1 &&
	    s.ids[0] == c, "6017 unticketed messages are listed apart");
	CHECK(store_unticketed(st, reenter, st, &e) == -1 &&
	    strstr(e.msg, "same listing") != NULL,
	    "6017 a listing refuses to run inside its own callback");
	store_close(st);
}

/* "text_scored IS NULL|scored_len|scored text" of each message, by id,
 * read with a connection of its own. */
static void
scored_rows(const char *path, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	size_t o = 0;

	out[0] = '\0';
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT text_scored IS NULL, coalesce(scored_len, -1), "
	    STORE_SCORED_TEXT("") " FROM message ORDER BY id", -1, &stmt, NULL) != SQLITE_OK) {
		(void)sqlite3_close(db);
		return;
	}
	while (sqlite3_step(stmt) == SQLITE_ROW && o < len)
		o += (size_t)snprintf(out + o, len - o, "%d|%d|%s;", sqlite3_column_int(stmt, 0),
		    sqlite3_column_int(stmt, 1), (const char *)sqlite3_column_text(stmt, 2));
	(void)sqlite3_finalize(stmt);
	(void)sqlite3_close(db);
}

/* The integer q answers in the database file name, read with a
 * connection of its own; -1 if it cannot be read. */
static int
sql_int(const char *name, const char *q)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int v = -1;

	if (sqlite3_open(dbpath(name), &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, q, -1, &stmt, NULL) == SQLITE_OK) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			v = sqlite3_column_int(stmt, 0);
		(void)sqlite3_finalize(stmt);
	}
	(void)sqlite3_close(db);
	return v;
}

static void
t6018(void)
{
	struct err e = ERR_INIT;
	struct store *st;
	struct message m;
	char rows[1024];
	int64_t ch, t, tk = 0;
	unsigned changed;
	double score;
	int r1, r2, r3, r4;

	if ((st = open_db_channel("6018.db", "social", "mastodon", 1, &ch)) == NULL)
		return;
	t = new_ticket(st, STATUS_NEW, PRIO_NORMAL, 100);
	fixture(&m, "prefix@example.org", 1000);	/* scored: the text's start */
	r1 = store_message_insert(st, &m, ch, "p", t, NULL, &e);
	m.message_id = "other@example.org";
	m.text_scored = "not a prefix";
	r2 = store_message_insert(st, &m, ch, "o", t, NULL, &e);
	m.message_id = "same@example.org";
	m.text_scored = m.text;
	r3 = store_message_insert(st, &m, ch, "s", t, NULL, &e);
	m.message_id = "slice@example.org";
	m.text_scored = "> quoted\n";	/* lines above cut, as a salutation is */
	r4 = store_message_insert(st, &m, ch, "sl", t, NULL, &e);
	/* A post without a final newline, scored whole or from its second
	 * line: trim ends the scored text with one, nothing else differs. */
	m.text = "Hi all,\nstill broken";
	m.message_id = "post@example.org";
	m.text_scored = "Hi all,\nstill broken\n";
	r4 |= store_message_insert(st, &m, ch, "post", t, NULL, &e);
	m.message_id = "post2@example.org";
	m.text_scored = "still broken\n";
	r4 |= store_message_insert(st, &m, ch, "post2", t, NULL, &e);
	message_release(&m);
	CHECK(r1 == 0 && r2 == 0 && r3 == 0 && r4 == 0, "6018 six messages stored");
	CHECK(sql_int("6018.db", "SELECT count(*) FROM message WHERE external_id = 'post'"
	    " AND text_scored IS NULL AND scored_len IS NULL") == 1 &&
	    sql_int("6018.db", "SELECT count(*) FROM message WHERE external_id = 'post2'"
	    " AND text_scored IS NULL AND scored_off = 8 AND scored_len = 12") == 1,
	    "6018 a post without a final newline keeps no second copy of its scored text");
	scored_rows(dbpath("6018.db"), rows, sizeof(rows));
	printf("# %s\n", rows);
	CHECK(strcmp(rows, "1|20|I was charged twice.;0|-1|not a prefix;"
	    "1|-1|I was charged twice.\n\n> quoted\n;1|9|> quoted\n;"
	    "1|-1|Hi all,\nstill broken;1|12|still broken;") == 0,
	    "6018 a scored text that starts the text, or stands inside it, is stored as "
	    "its length (and offset)");
	CHECK(sql_int("6018.db", "SELECT scored_off FROM message WHERE external_id = 'sl'") == 22 &&
	    sql_int("6018.db", "SELECT scored_off IS NULL FROM message WHERE external_id = 'p'") == 1,
	    "6018 the offset of a slice is stored, none for a start");
	fixture(&m, "prefix@example.org", 1000);	/* its attachments as stored */
	m.text = "I was charged twice.\n\n> quoted\n";
	m.text_scored = "I was charged twice.";
	score = -0.5;
	CHECK(store_message_edit(st, ch, "p", &m, &score, 2000, &tk, &changed, &e) == 0 &&
	    changed == 0, "6018 an edit to the same texts changes nothing");
	m.lang = "de";
	CHECK(store_message_edit(st, ch, "p", &m, &score, 2000, &tk, &changed, &e) == 1 &&
	    tk == t && changed == STORE_EDIT_LANG, "6018 an edit of the language alone is an edit");
	CHECK(sql_int("6018.db", "SELECT sentiment IS NOT -0.5 FROM message WHERE external_id = 'p'") == 1,
	    "6018 an edit that leaves the text keeps the score");
	m.text_scored = "I was charged";
	CHECK(store_message_edit(st, ch, "p", &m, &score, 2000, &tk, &changed, &e) == 0 &&
	    changed == 0, "6018 a scored text that differs alone (a newer trimmer) is no edit");
	m.text = "I was charged twice!\n\n> quoted\n";
	CHECK(store_message_edit(st, ch, "p", &m, &score, 2000, &tk, &changed, &e) == 1 &&
	    tk == t && changed == STORE_EDIT_TEXT, "6018 an edit of the text is an edit");
	CHECK(sql_int("6018.db", "SELECT sentiment = -0.5 FROM message WHERE external_id = 'p'") == 1,
	    "6018 an edited text stores its new score");
	message_release(&m);
	scored_rows(dbpath("6018.db"), rows, sizeof(rows));
	CHECK(strncmp(rows, "0|-1|I was charged;", 19) == 0,
	    "6018 an edited text is stored in full");
	store_close(st);
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/t-store.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! cannot create '%s': %s\n", tmpdir, strerror(errno));
		return 1;
	}

	if (tap_selected(6000)) t6000();
	if (tap_selected(6001)) t6001();
	if (tap_selected(6002)) t6002();
	if (tap_selected(6003)) t6003();
	if (tap_selected(6004)) t6004();
	if (tap_selected(6005)) t6005();
	if (tap_selected(6006)) t6006();
	if (tap_selected(6007)) t6007();
	if (tap_selected(6008)) t6008();
	if (tap_selected(6009)) t6009();
	if (tap_selected(6010)) t6010();
	if (tap_selected(6011)) t6011();
	if (tap_selected(6012)) t6012();
	if (tap_selected(6013)) t6013();
	if (tap_selected(6014)) t6014();
	if (tap_selected(6015)) t6015();
	if (tap_selected(6016)) t6016();
	if (tap_selected(6017)) t6017();
	if (tap_selected(6018)) t6018();

	rm_tmpdir();
	return tap_done();
}
