/* gen-history.c -- a generated ticket history for bench/report: tickets,
 * their events, messages in and out, SLA clocks and SLA events, written
 * straight into an escalator database that `escalator queue` created
 * (so the schema is the program's own).  Not part of escalator: a bench
 * driver, the only code outside store/ that speaks SQL, because a bulk
 * load through the store's one-row calls would take an hour.
 *
 * usage: gen-history DB TICKETS EVENTS NOW DAYS
 *
 * Tickets are created evenly over the DAYS before NOW (ids grow with
 * created, as intake makes them).  Each ticket lives a shape a support
 * team sees: a customer message, replies from the team, tags from rules,
 * a department (functional escalation) for some, hierarchical
 * escalations up the tiers (about 28% leave tier 1, 20% of those leave
 * tier 2...), some undone by a de-escalation, hand-offs, SLA warnings
 * and breaches (some escalations come after a breach), resolution or
 * not yet; notes pad the histories of tickets short of the mean so far,
 * so the whole has about EVENTS events (more if the shapes need more).  Events and messages are inserted in time order across
 * tickets, as a live system writes them, so a ticket's rows are spread
 * over the table.  The SLA targets match the configuration bench/report
 * writes (no calendar: wall clock).  Message raw bytes are left NULL.
 *
 * Deterministic: the same arguments give the same database. */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

enum { K_CREATED, K_MESSAGE, K_ASSIGNED, K_ESC_UP, K_ESC_FUNC, K_DEESC, K_HANDOFF,
	K_TAGGED, K_WARNING, K_BREACH, K_PENDING, K_RESOLVED, K_REOPENED, K_NOTE };

struct ev {
	uint32_t	 ticket;
	int32_t		 at;		/* seconds after the start */
	uint32_t	 seq;		/* order within the ticket */
	uint8_t		 kind, a, b, c;	/* kind's arguments */
};

struct msg {
	uint32_t	 ticket;
	int32_t		 at;
	uint32_t	 seq;
	uint8_t		 dir, tmpl;
};

static const char *const channels[] = { "support", "billing", "brand", "reviews" };
static const char *const departments[] = { "technical", "billing", "returns" };
static const char *const tags[] = { "vip", "refund", "outage", "legal", "bug", "mobile" };
static const char *const agents[] = { "alice@example.com", "bob@example.com",
	"carol@example.com", "dave@example.com" };

/* Customer texts with a rough compound sentiment, then team replies. */
static const struct { const char *text; double sentiment; } in_texts[] = {
	{ "Hello, my invoice for order %u was charged twice, please refund the duplicate.", -0.3 },
	{ "The app crashes every time I upload a photo since the last update (order %u).", -0.5 },
	{ "I want to speak to a manager. This is the third time I write about order %u!", -0.8 },
	{ "Could you tell me when order %u will ship? Thanks.", 0.4 },
	{ "Your service is a disgrace, I will post about order %u everywhere.", -0.9 },
	{ "Password reset link does not arrive for account %u.", -0.2 },
	{ "Great product, but the manual for %u is missing page 4.", 0.5 },
	{ "Refund for order %u still not received after two weeks. Unacceptable.", -0.7 },
	{ "Is there a student discount? Asking for order %u.", 0.3 },
	{ "Data export fails with error 500 on workspace %u.", -0.4 },
	{ "I think I was charged the wrong VAT on invoice %u.", -0.2 },
	{ "Outage? Nothing loads for our whole team (account %u). Urgent!", -0.6 },
	{ "Thanks for the quick help last time. New question about order %u.", 0.6 },
	{ "Legal notice regarding contract %u: please forward to your legal department.", -0.1 },
	{ "The delivery for %u arrived damaged, I need a replacement.", -0.5 },
	{ "Can I change the shipping address of order %u?", 0.1 },
};
static const char *const out_texts[] = {
	"Thanks for writing, we are looking into order %u.",
	"Sorry for the trouble with %u; a specialist will follow up.",
	"We refunded the duplicate charge for order %u.",
	"A fix for %u is on its way; please update the app tomorrow.",
	"Could you send us a screenshot of the error on %u?",
	"Your replacement for %u ships today.",
};
#define N_IN	(sizeof(in_texts) / sizeof(in_texts[0]))
#define N_OUT	(sizeof(out_texts) / sizeof(out_texts[0]))

/* Targets of bench/report's configuration, by tier then priority (low,
 * normal, high, urgent): first response and resolution, seconds. */
static const long first_target[5][4] = {
	{ 3600, 3600, 3600, 3600 }, { 3600, 3600, 3600, 1800 }, { 14400, 14400, 7200, 3600 },
	{ 28800, 28800, 14400, 7200 }, { 86400, 86400, 28800, 14400 } };
static const long resol_target[5][4] = {
	{ 28800, 28800, 28800, 28800 }, { 28800, 28800, 14400, 14400 },
	{ 172800, 172800, 86400, 43200 }, { 432000, 432000, 172800, 86400 },
	{ 864000, 864000, 432000, 172800 } };

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return (uint32_t)(x >> 16);
}

static int
chance(unsigned pct)
{
	return rnd() % 1000 < pct * 10;
}

/* Between lo and hi seconds, skewed short (the smaller of two draws). */
static int32_t
delay(int32_t lo, int32_t hi)
{
	uint32_t a = rnd() % (uint32_t)(hi - lo + 1), b = rnd() % (uint32_t)(hi - lo + 1);

	return lo + (int32_t)(a < b ? a : b);
}

static struct ev *evs;
static size_t evs_count, evs_cap;
static struct msg *msgs;
static size_t msgs_count, msgs_cap;

static void
die(const char *what, sqlite3 *db)
{
	fprintf(stderr, "gen-history: %s: %s\n", what, db != NULL ? sqlite3_errmsg(db) : "");
	exit(70);
}

static void
ev_add(uint32_t t, int32_t at, uint32_t *seq, int kind, int a, int b, int c)
{
	if (evs_count == evs_cap) {
		evs_cap = evs_cap ? evs_cap * 2 : 1 << 20;
		if ((evs = realloc(evs, evs_cap * sizeof(*evs))) == NULL)
			die("out of memory", NULL);
	}
	evs[evs_count].ticket = t;
	evs[evs_count].at = at;
	evs[evs_count].seq = (*seq)++;
	evs[evs_count].kind = (uint8_t)kind;
	evs[evs_count].a = (uint8_t)a;
	evs[evs_count].b = (uint8_t)b;
	evs[evs_count].c = (uint8_t)c;
	evs_count++;
}

static void
msg_add(uint32_t t, int32_t at, uint32_t *seq, int dir, int tmpl)
{
	if (msgs_count == msgs_cap) {
		msgs_cap = msgs_cap ? msgs_cap * 2 : 1 << 20;
		if ((msgs = realloc(msgs, msgs_cap * sizeof(*msgs))) == NULL)
			die("out of memory", NULL);
	}
	msgs[msgs_count].ticket = t;
	msgs[msgs_count].at = at;
	msgs[msgs_count].seq = (*seq)++;
	msgs[msgs_count].dir = (uint8_t)dir;
	msgs[msgs_count].tmpl = (uint8_t)tmpl;
	msgs_count++;
}

static int
by_time_ev(const void *x, const void *y)
{
	const struct ev *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->ticket != b->ticket)
		return a->ticket < b->ticket ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
by_time_msg(const void *x, const void *y)
{
	const struct msg *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->ticket != b->ticket)
		return a->ticket < b->ticket ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("prepare", db);
	return s;
}

static void
step(sqlite3 *db, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die("insert", db);
	sqlite3_reset(s);
}

static void
exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql, db);
}

struct gen {
	sqlite3		*db;
	sqlite3_stmt	*ticket, *clock, *slaev;
	int64_t		 start;		/* epoch of offset 0 */
	int32_t		 end;		/* now, as an offset */
	long		 clocks, sla_events;
};

/* One SLA clock run: met or missed by when it stopped; a breach leaves
 * an sla_event and an "sla-breach" event, a warning one too. */
static void
clock_run(struct gen *g, uint32_t t, const char *kind, int tier, int32_t start, long target,
    int32_t stopped /* 0: running */, int current, uint32_t *seq)
{
	int32_t deadline = start + (int32_t)target, warn = start + (int32_t)(target * 4 / 5);
	int32_t horizon = stopped != 0 ? stopped : g->end;
	int missed = horizon > deadline;

	if (horizon > warn) {
		sqlite3_bind_int64(g->slaev, 1, t);
		sqlite3_bind_text(g->slaev, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(g->slaev, 3, g->start + start);
		sqlite3_bind_text(g->slaev, 4, "warning", -1, SQLITE_STATIC);
		sqlite3_bind_int(g->slaev, 5, tier);
		sqlite3_bind_int64(g->slaev, 6, g->start + warn);
		sqlite3_bind_int64(g->slaev, 7, g->start + warn + 60);
		step(g->db, g->slaev);
		ev_add(t, warn + 60, seq, K_WARNING, kind[0] == 'f' ? 0 : 1, tier, 0);
		g->sla_events++;
	}
	if (missed) {
		sqlite3_bind_text(g->slaev, 4, "breach", -1, SQLITE_STATIC);
		sqlite3_bind_int64(g->slaev, 6, g->start + deadline);
		sqlite3_bind_int64(g->slaev, 7, g->start + deadline + 60);
		step(g->db, g->slaev);
		ev_add(t, deadline + 60, seq, K_BREACH, kind[0] == 'f' ? 0 : 1, tier, 0);
		g->sla_events++;
	}
	if (!current)
		return;
	sqlite3_bind_int64(g->clock, 1, t);
	sqlite3_bind_text(g->clock, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(g->clock, 3, tier);
	sqlite3_bind_int64(g->clock, 4, g->start + start);
	sqlite3_bind_text(g->clock, 5, stopped == 0 ? "running" : missed ? "missed" : "met", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(g->clock, 6, target);
	sqlite3_bind_int64(g->clock, 7, g->start + start);
	sqlite3_bind_int64(g->clock, 8, g->start + deadline);
	sqlite3_bind_int64(g->clock, 9, g->start + warn);
	if (stopped != 0)
		sqlite3_bind_int64(g->clock, 10, g->start + stopped);
	else
		sqlite3_bind_null(g->clock, 10);
	step(g->db, g->clock);
	g->clocks++;
}

/* Lives one ticket: its row, clocks and SLA events now; its events and
 * messages into the arrays, inserted later in time order. */
static void
ticket_live(struct gen *g, uint32_t t, int32_t created, size_t events_goal)
{
	char tagbuf[64];
	uint32_t seq = 0, mseq = 0;
	size_t first_ev = evs_count;
	int channel = (int)(rnd() % 100), prio, tier, dept = -1, status, handoffs = 0;
	int ntags = 0, tagv[2], i, breach_since_move = 0, replies = 0, j, top;
	int32_t now = created, first_reply = 0, resolved = 0, tier_since = created;
	int tmpl = (int)(rnd() % N_IN);

	channel = channel < 65 ? 0 : channel < 75 ? 1 : channel < 90 ? 2 : 3;
	i = (int)(rnd() % 100);
	prio = i < 15 ? 0 : i < 70 ? 1 : i < 92 ? 2 : 3;
	tier = chance(8) ? 0 : 1;

	ev_add(t, created, &seq, K_CREATED, channel, 0, 0);
	msg_add(t, created, &mseq, 0, tmpl);
	/* Rules tag and route at intake. */
	if (chance(15)) {
		tagv[ntags++] = (int)(rnd() % 6);
		if (chance(30) && (tagv[ntags] = (int)(rnd() % 6)) != tagv[0])
			ntags++;
	}
	for (i = 0; i < ntags; i++)
		ev_add(t, created, &seq, K_TAGGED, tagv[i], 0, 0);
	if (channel == 1 || chance(10)) {
		dept = channel == 1 ? 1 : (int)(rnd() % 3);
		ev_add(t, created, &seq, K_ESC_FUNC, dept, 0, 0);
	}
	if (chance(10))
		ev_add(t, created + 30, &seq, K_ASSIGNED, rnd() % 4, 0, 0);

	/* The first reply, and a customer answer to it for some. */
	if (tier > 0) {
		first_reply = now + delay(120, (int32_t)(first_target[tier][prio] * 6 / 5));
		if (first_reply < g->end) {
			msg_add(t, first_reply, &mseq, 1, rnd() % N_OUT);
			ev_add(t, first_reply, &seq, K_MESSAGE, 1, 0, 0);
			replies++;
			now = first_reply;
			if (chance(20) && now + 3600 < g->end) {
				now += delay(600, 7200);
				if (now < g->end) {
					msg_add(t, now, &mseq, 0, (tmpl + 1) % N_IN);
					ev_add(t, now, &seq, K_MESSAGE, 0, 0, 0);
				}
			}
		} else
			first_reply = 0;
		clock_run(g, t, "first-response", tier, created, first_target[tier][prio],
		    first_reply, 1, &seq);
		if (first_reply != 0 && first_reply - created > first_target[tier][prio])
			breach_since_move = 1;
	}

	/* Up the tiers: each step less likely, some after a breach (late). */
	top = tier;
	for (j = 0; tier >= 1 && tier < 4; j++) {
		static const unsigned up[5] = { 0, 28, 22, 12, 0 };
		int late;

		if (!chance(up[tier]))
			break;
		now += delay(600, tier == 1 ? 14400 : 86400);
		if (now >= g->end)
			break;
		late = breach_since_move || chance(5);
		ev_add(t, now, &seq, K_ESC_UP, tier, tier + 1, chance(50) ? 1 : 0);
		handoffs++;
		ev_add(t, now, &seq, K_HANDOFF, tier, tier + 1, (late ? 1 : 0) | (handoffs << 1));
		tier++;
		top = tier;
		tier_since = now;
		breach_since_move = 0;
		/* The specialist answers, mostly. */
		if (chance(85)) {
			now += delay(300, 28800);
			if (now < g->end) {
				msg_add(t, now, &mseq, 1, rnd() % N_OUT);
				ev_add(t, now, &seq, K_MESSAGE, 1, 0, 0);
				replies++;
			}
		}
		/* Over-escalated: sent back down. */
		if (chance(12)) {
			now += delay(600, 7200);
			if (now >= g->end)
				break;
			ev_add(t, now, &seq, K_DEESC, tier, tier - 1, 0);
			tier--;
			tier_since = now;
			break;
		}
	}
	(void)top;

	/* Waiting on the customer, sometimes. */
	if (chance(8) && now + 600 < g->end) {
		now += delay(60, 3600);
		ev_add(t, now, &seq, K_PENDING, 0, 0, 0);
	}

	/* Resolution: most tickets, after a time that grows with the tier. */
	{
		long target = resol_target[tier][prio];
		int32_t r = now + delay(300, (int32_t)(tier == 0 ? 1800 : chance(88) ?
		    target * 9 / 10 : target * 2));

		if (chance(92) && r < g->end) {
			resolved = r;
			if (tier == 0 || chance(97)) {
				/* a last word from the team before most resolutions */
				if (tier > 0 && chance(20)) {
					msg_add(t, r - 60, &mseq, 1, rnd() % N_OUT);
					ev_add(t, r - 60, &seq, K_MESSAGE, 1, 0, 0);
				}
			}
			ev_add(t, r, &seq, K_RESOLVED, 0, 0, 0);
		}
		if (tier > 0)
			clock_run(g, t, "resolution", tier, tier_since, target, resolved, 1, &seq);
		(void)breach_since_move;
	}
	if (resolved != 0 && chance(4) && resolved + 3600 < g->end) {
		/* reopened by the customer, then resolved again */
		int32_t back = resolved + delay(600, 86400);

		if (back < g->end) {
			msg_add(t, back, &mseq, 0, (tmpl + 2) % N_IN);
			ev_add(t, back, &seq, K_REOPENED, 0, 0, 0);
			if (back + 3600 < g->end) {
				resolved = back + 3600;
				ev_add(t, resolved, &seq, K_RESOLVED, 0, 0, 0);
			} else
				resolved = 0;
		}
	}

	/* Notes pad the history to its goal. */
	(void)first_ev;
	while (evs_count < events_goal) {
		int32_t at = created + (int32_t)(rnd() % (uint32_t)((resolved ? resolved :
		    (now > created ? now : created + 1)) - created + 1));

		ev_add(t, at, &seq, K_NOTE, 0, 0, 0);
	}
	(void)replies;

	status = resolved != 0 ? (chance(30) ? 4 : 3) : first_reply != 0 ? 1 : 0;
	tagbuf[0] = '\0';
	for (i = 0; i < ntags; i++)
		(void)snprintf(tagbuf + strlen(tagbuf), sizeof(tagbuf) - strlen(tagbuf), "%s%s",
		    i ? "," : "", tags[tagv[i]]);
	sqlite3_bind_int64(g->ticket, 1, t);
	sqlite3_bind_int(g->ticket, 2, status);
	sqlite3_bind_int(g->ticket, 3, prio);
	sqlite3_bind_int(g->ticket, 4, tier);
	if (dept >= 0)
		sqlite3_bind_text(g->ticket, 5, departments[dept], -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(g->ticket, 5);
	sqlite3_bind_int(g->ticket, 6, channel + 1);
	sqlite3_bind_int(g->ticket, 7, channel >= 2);
	sqlite3_bind_int64(g->ticket, 8, g->start + created);
	sqlite3_bind_int64(g->ticket, 9, g->start + (resolved ? resolved : now));
	sqlite3_bind_int(g->ticket, 10, (int)mseq);
	if (ntags > 0)
		sqlite3_bind_text(g->ticket, 11, tagbuf, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(g->ticket, 11);
	sqlite3_bind_int(g->ticket, 12, handoffs);
	if (resolved != 0)
		sqlite3_bind_int64(g->ticket, 13, g->start + resolved);
	else
		sqlite3_bind_null(g->ticket, 13);
	step(g->db, g->ticket);
}

static void
event_detail(const struct ev *v, char *out, size_t len)
{
	switch (v->kind) {
	case K_CREATED:
	case K_MESSAGE:
		(void)snprintf(out, len, "{\"message_id\":\"<t%" PRIu32 ".%" PRIu32 "@bench.example>\","
		    "\"direction\":\"%s\",\"channel\":\"%s\",\"threaded_by\":\"%s\"}", v->ticket,
		    v->seq, v->kind == K_CREATED ? "in" : v->a ? "out" : "in",
		    channels[v->kind == K_CREATED ? v->a : 0],
		    v->kind == K_CREATED ? "new" : "references");
		break;
	case K_ASSIGNED:
		(void)snprintf(out, len, "{\"from\":null,\"to\":\"%s\"}", agents[v->a % 4]);
		break;
	case K_ESC_UP:
		if (v->c)
			(void)snprintf(out, len, "{\"type\":\"hierarchical\",\"from\":%d,\"to\":%d,"
			    "\"reason\":\"asks for a manager\",\"rule\":\"asks for a manager\"}",
			    v->a, v->b);
		else
			(void)snprintf(out, len, "{\"type\":\"hierarchical\",\"from\":%d,\"to\":%d,"
			    "\"reason\":\"needs a specialist\"}", v->a, v->b);
		break;
	case K_ESC_FUNC:
		(void)snprintf(out, len, "{\"type\":\"functional\",\"from\":null,\"to\":\"%s\","
		    "\"reason\":\"%s\",\"rule\":\"%s\"}", departments[v->a], departments[v->a],
		    departments[v->a]);
		break;
	case K_DEESC:
		(void)snprintf(out, len, "{\"type\":\"hierarchical\",\"from\":%d,\"to\":%d,"
		    "\"reason\":\"routine after all\"}", v->a, v->b);
		break;
	case K_HANDOFF:
		(void)snprintf(out, len, "{\"from\":\"tier %d\",\"to\":\"tier %d\",\"summary\":"
		    "\"customer waits for a specialist\",\"late\":%s,\"handoffs\":%d,\"by\":\"rule\"}",
		    v->a, v->b, (v->c & 1) ? "true" : "false", v->c >> 1);
		break;
	case K_TAGGED:
		(void)snprintf(out, len, "{\"tag\":\"%s\",\"rule\":\"%s\"}", tags[v->a], tags[v->a]);
		break;
	case K_WARNING:
	case K_BREACH:
		(void)snprintf(out, len, "{\"clock\":\"%s\",\"level\":\"%s\",\"tier\":%d}",
		    v->a ? "resolution" : "first-response", v->kind == K_BREACH ? "breach" :
		    "warning", v->b);
		break;
	case K_NOTE:
		(void)snprintf(out, len, "{\"text\":\"called the customer back\"}");
		break;
	default:
		(void)snprintf(out, len, "{}");
		break;
	}
}

static const char *const kind_names[] = { "created", "message", "assigned", "escalated",
	"escalated", "deescalated", "handoff", "tagged", "sla-warning", "sla-breach", "pending",
	"resolved", "reopened", "note" };

int
main(int argc, char **argv)
{
	struct gen g;
	sqlite3_stmt *ev, *msg;
	char detail[512], text[512], mid[96], ext[64], from[64], subject[96];
	unsigned long tickets, events;
	int64_t now;
	long days;
	size_t i;
	uint32_t t;
	double t0 = (double)clock();

	if (argc != 6) {
		fprintf(stderr, "usage: gen-history DB TICKETS EVENTS NOW DAYS\n");
		return 64;
	}
	tickets = strtoul(argv[2], NULL, 10);
	events = strtoul(argv[3], NULL, 10);
	now = strtoll(argv[4], NULL, 10);
	days = strtol(argv[5], NULL, 10);
	if (tickets == 0 || tickets > 100000000 || days <= 0 || days > 3650 || now <= 0) {
		fprintf(stderr, "gen-history: bad arguments\n");
		return 64;
	}
	memset(&g, 0, sizeof(g));
	g.start = now - days * 86400L;
	g.end = (int32_t)(days * 86400L);
	if (sqlite3_open(argv[1], &g.db) != SQLITE_OK)
		die("cannot open the database", g.db);
	/* Bulk: no journal; the database is thrown away if this fails. */
	exec(g.db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
	    " PRAGMA cache_size = -1000000; PRAGMA foreign_keys = OFF; BEGIN");
	exec(g.db, "INSERT INTO channel(id, name, kind, public) VALUES (1, 'support', 'mbox', 0),"
	    " (2, 'billing', 'mbox', 0), (3, 'brand', 'mbox', 1), (4, 'reviews', 'mbox', 1)");
	g.ticket = prep(g.db, "INSERT INTO ticket(id, status, priority, tier, department,"
	    " channel_id, public, customer, customer_name, subject, subject_key, created,"
	    " updated, last_inbound, messages, exchanges, tags, urgency, handoffs, resolved)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'c' || ?1 || '@example.net', 'Customer ' || ?1,"
	    " 'Order ' || ?1, 'order ' || ?1, ?8, ?9, ?8, ?10, 1, ?11, 0, ?12, ?13)");
	g.clock = prep(g.db, "INSERT INTO sla_clock(ticket_id, kind, tier, cycle, state, target,"
	    " started, deadline, warn_at, stopped, paused_total, next_due)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, NULL)");
	g.slaev = prep(g.db, "INSERT OR IGNORE INTO sla_event(ticket_id, kind, cycle, level,"
	    " tier, due, at, notified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)");

	for (t = 1; t <= tickets; t++) {
		int32_t created = (int32_t)((double)(t - 1) * g.end / tickets);
		/* Goals vary around the mean the caller asked for. */
		/* Notes make up for tickets short of the mean so far. */
		size_t goal = (size_t)((double)t * events / tickets);

		if (evs_count + 3 < goal)
			goal = evs_count + 3;
		if (created >= g.end)
			created = g.end - 1;
		ticket_live(&g, t, created, goal);
	}
	fprintf(stderr, "gen-history: %lu tickets lived, %zu events, %zu messages (%.1f s)\n",
	    tickets, evs_count, msgs_count, ((double)clock() - t0) / CLOCKS_PER_SEC);

	qsort(evs, evs_count, sizeof(*evs), by_time_ev);
	qsort(msgs, msgs_count, sizeof(*msgs), by_time_msg);
	ev = prep(g.db, "INSERT INTO event(ticket_id, at, kind, actor, detail)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)");
	for (i = 0; i < evs_count; i++) {
		const struct ev *v = &evs[i];

		event_detail(v, detail, sizeof(detail));
		sqlite3_bind_int64(ev, 1, v->ticket);
		sqlite3_bind_int64(ev, 2, g.start + v->at);
		sqlite3_bind_text(ev, 3, kind_names[v->kind], -1, SQLITE_STATIC);
		sqlite3_bind_text(ev, 4, v->kind == K_CREATED || (v->kind == K_MESSAGE && !v->a) ?
		    "customer" : v->kind >= K_WARNING && v->kind <= K_BREACH ? "escalator" :
		    agents[v->ticket % 4], -1, SQLITE_STATIC);
		sqlite3_bind_text(ev, 5, detail, -1, SQLITE_TRANSIENT);
		step(g.db, ev);
	}
	sqlite3_finalize(ev);
	msg = prep(g.db, "INSERT INTO message(channel_id, external_id, message_id, ticket_id,"
	    " direction, from_name, from_addr, subject, date, received, public, text, sentiment)"
	    " VALUES ((SELECT channel_id FROM ticket WHERE id = ?1), ?2, ?3, ?1, ?4, ?5, ?6, ?7,"
	    " ?8, ?8, (SELECT public FROM ticket WHERE id = ?1), ?9, ?10)");
	for (i = 0; i < msgs_count; i++) {
		const struct msg *m = &msgs[i];

		(void)snprintf(ext, sizeof(ext), "b%" PRIu32 ".%" PRIu32, m->ticket, m->seq);
		(void)snprintf(mid, sizeof(mid), "<m%" PRIu32 ".%" PRIu32 "@bench.example>",
		    m->ticket, m->seq);
		if (m->dir)
			(void)snprintf(from, sizeof(from), "%s", agents[m->ticket % 4]);
		else
			(void)snprintf(from, sizeof(from), "c%" PRIu32 "@example.net", m->ticket);
		(void)snprintf(subject, sizeof(subject), "%sOrder %" PRIu32, m->seq ? "Re: " : "",
		    m->ticket);
		(void)snprintf(text, sizeof(text), m->dir ? out_texts[m->tmpl % N_OUT] :
		    in_texts[m->tmpl % N_IN].text, m->ticket);
		sqlite3_bind_int64(msg, 1, m->ticket);
		sqlite3_bind_text(msg, 2, ext, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(msg, 3, mid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(msg, 4, m->dir);
		sqlite3_bind_text(msg, 5, m->dir ? "Support" : "Customer", -1, SQLITE_STATIC);
		sqlite3_bind_text(msg, 6, from, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(msg, 7, subject, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(msg, 8, g.start + m->at);
		sqlite3_bind_text(msg, 9, text, -1, SQLITE_TRANSIENT);
		if (m->dir)
			sqlite3_bind_null(msg, 10);
		else
			sqlite3_bind_double(msg, 10, in_texts[m->tmpl % N_IN].sentiment);
		step(g.db, msg);
	}
	sqlite3_finalize(msg);
	sqlite3_finalize(g.ticket);
	sqlite3_finalize(g.clock);
	sqlite3_finalize(g.slaev);
	exec(g.db, "DELETE FROM sla_dirty; COMMIT");
	exec(g.db, "ANALYZE; PRAGMA journal_mode = WAL");
	printf("tickets %lu events %zu messages %zu clocks %ld sla_events %ld\n", tickets,
	    evs_count, msgs_count, g.clocks, g.sla_events);
	sqlite3_close(g.db);
	free(evs);
	free(msgs);
	return 0;
}
