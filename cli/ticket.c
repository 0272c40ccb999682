/* ticket.c -- the ticket workflow by hand: `escalator assign`, `escalate`,
 * `deescalate`, `pending`, `resolve`, `reopen`, `note`, `tag` and `untag`,
 * each an event with its actor (--as, default the login name); and the
 * hand-off (ticket.h) that every escalation writes, by hand, by rule or by
 * breach.
 *
 * A command checks everything before it writes: the arguments (EX_USAGE),
 * then the ticket and the transition against the configuration
 * (EX_DATAERR: an unknown ticket, resolving a closed one, escalating past
 * the top tier, an unknown department), so a refused command leaves the
 * store as it was.  What it does happens in one transaction: the ticket,
 * its events, the hand-off and its notice in the outbox land together.
 * The transition is checked once more inside it, on the ticket as the
 * transaction reads it, so a daemon writing meanwhile loses nothing. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/notice.h"
#include "cli/queue.h"
#include "cli/ticket.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/model.h"
#include "common/text.h"
#include "common/tz.h"
#include "common/util.h"
#include "connectors/smtp_compose.h"
#include "rules/conf.h"
#include "rules/handoff.h"
#include "rules/notify.h"
#include "rules/rules.h"
#include "rules/sla.h"
#include "store/store.h"

#define ACTOR_MAX	200		/* bytes of --as */
#define REASON_MAX	1000		/* bytes of --reason */
#define NOTE_MAX	10000		/* bytes of a note */
#define DEPT_MAX	64
#define CLOCKS_MAX	8		/* SLA clocks of one ticket (SLA_KINDS) */
#define DETAIL_MAX	(1024 * 1024)	/* a hand-off's JSON */

/*
 * Hand-offs.
 */

int
ticket_handoff(struct store *st, const struct conf *conf, struct ticket *t,
    const struct ticket_move *mv, time_t now, struct ticket_handoff_out *out,
    struct err *e)
{
	struct notice_data nd;
	struct store_clock sc[CLOCKS_MAX];
	struct handoff_clock hc[CLOCKS_MAX];
	struct handoff h;
	struct handoff_summary *sum = NULL;
	struct notify_rcpts r;
	struct notice_mail nm;
	struct buf subject = BUF_INIT(4096), text = BUF_INIT(COMPOSE_MAX);
	struct buf html = BUF_INIT(COMPOSE_MAX), detail = BUF_INIT(DETAIL_MAX);
	const struct conf_tier *tier = conf != NULL ? conf_tier_find(conf, t->tier) : NULL;
	const char *from = conf != NULL && conf->smtp != NULL ? conf->smtp->from : NULL;
	const struct conf_calendar *zone;
	struct tz *tz = NULL;
	char host[256], msgid[600], esc[3][160];
	size_t count = 0, i;
	long breaches = 0;
	int warned, breached, ret = -1;

	t->handoffs++;
	notice_data_init(&nd);
	if (store_ticket_update(st, t, e) == -1 ||
	    notice_read(&nd, st, t->id, e) == -1 ||
	    store_clocks_get(st, t->id, sc, CLOCKS_MAX, &count, e) == -1 ||
	    store_sla_breach_count(st, t->id, &breaches, e) == -1)
		goto out;
	for (i = 0; i < count; i++) {
		if (store_sla_event_levels(st, t->id, sc[i].kind, sc[i].cycle, &warned, &breached,
		    e) == -1)
			goto out;
		hc[i].kind = sc[i].kind;
		hc[i].state = sc[i].state;
		hc[i].tier = sc[i].tier;
		hc[i].deadline = sc[i].deadline;
		hc[i].warn_at = sc[i].warn_at;
		hc[i].breached = breached;
	}
	memset(&h, 0, sizeof(h));
	h.ticket = t;
	h.by = mv->by;
	h.actor = mv->actor;
	h.reason = mv->reason;
	h.functional = mv->functional;
	h.from_tier = mv->from_tier;
	h.to_tier = t->tier;
	h.from_department = mv->from_department;
	h.to_department = t->department;
	h.tier_name = tier != NULL ? tier->name : NULL;
	h.now = now;
	h.breaches = breaches;
	h.clocks = hc;
	h.clocks_count = count;
	h.msgs = nd.msgs;
	h.msgs_count = nd.msgs_count;
	h.events = nd.events;
	h.events_count = nd.events_count;
	h.current = mv->escalated;
	if ((sum = malloc(sizeof(*sum))) == NULL) {
		(void)err_set(e, ERR_NOMEM, "out of memory writing a hand-off");
		goto out;
	}
	if (handoff_summarize(&h, sum, e) == -1)
		goto out;
	handoff_recipients(conf, &h, sum->late, &r);
	if (r.to != NULL && mv->notice_with != NULL && *mv->notice_with == '\0')
		r.to = NULL;		/* the caller tells nobody */
	else if (r.to != NULL && mv->notice_with != NULL)
		(void)esc_strlcpy(msgid, mv->notice_with, sizeof(msgid));
	else if (r.to != NULL) {
		zone = conf_zone_calendar(conf, tier);
		if (zone != NULL && tz_load(zone->timezone, &tz, e) == -1)
			goto out;
		h.tz = tz;
		compose_domain(from, host, sizeof(host));
		(void)snprintf(msgid, sizeof(msgid), "escalator.%lld.%" PRId64 ".handoff-%d@%s",
		    (long long)now, t->id, t->handoffs, host);
		memset(&nm, 0, sizeof(nm));
		nm.ticket = t->id;
		nm.from = from;
		nm.message_id = msgid;
		nm.host = host;
		nm.rcpts = &r;
		nm.now = now;
		if (handoff_subject(&h, &subject, e) == -1 || handoff_text(&h, sum, &text, e) == -1 ||
		    handoff_html(&h, sum, &html, e) == -1)
			goto out;
		nm.subject = subject.buf;
		nm.text = text.buf;
		nm.html = html.buf;
		if (notice_queue(st, &nm, e) == -1)
			goto out;
	} else
		/* Without a configuration nobody is ever told: not worth a
		 * warning per hand-off (an import may write thousands). */
		log_msg(conf != NULL ? LOG_WARNING : LOG_DEBUG, "ticket=%" PRId64
		    " event=handoff-not-notified reason=\"nobody owns tier %d%s%s\"", t->id,
		    t->tier, t->department ? " or department " : "",
		    t->department ? log_escape(t->department, esc[0], sizeof(esc[0])) : "");
	if (handoff_detail(&h, sum, r.to != NULL ? &r : NULL, r.to != NULL ? msgid : NULL,
	    &detail, e) == -1 ||
	    store_event_add(st, t->id, now, "handoff", mv->actor, detail.buf, e) == -1)
		goto out;
	log_info("ticket=%" PRId64 " event=handoff tier=%d->%d department=%s by=%s actor=%s "
	    "late=%s handoffs=%d to=%s", t->id, mv->from_tier, t->tier,
	    t->department ? log_escape(t->department, esc[0], sizeof(esc[0])) : "-",
	    handoff_by_name(mv->by), log_escape(mv->actor ? mv->actor : "-", esc[1],
	    sizeof(esc[1])), sum->late ? "yes" : "no", t->handoffs,
	    r.to != NULL ? log_escape(r.to, esc[2], sizeof(esc[2])) : "-");
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->late = sum->late;
		if (r.to != NULL)
			(void)esc_strlcpy(out->to, r.to, sizeof(out->to));
		if (r.to != NULL && r.cc_count > 0)
			(void)esc_strlcpy(out->cc, r.cc[0], sizeof(out->cc));
	}
	ret = 0;
out:
	free(sum);
	tz_free(tz);
	notice_data_release(&nd);
	buf_release(&subject);
	buf_release(&text);
	buf_release(&html);
	buf_release(&detail);
	return ret;
}

int
ticket_rule_handoff(void *arg, struct store *st, struct ticket *t, const char *detail,
    time_t at, struct err *e)
{
	struct cli *cli = arg;
	struct ticket_move mv;
	json_t *d;
	const char *type, *rule;
	int ret;

	if (detail == NULL || (d = json_loads(detail, 0, NULL)) == NULL)
		return err_set(e, ERR_SOFTWARE, "an escalation of ticket %" PRId64
		    " has no readable detail", t->id);
	type = json_string_value(json_object_get(d, "type"));
	rule = json_string_value(json_object_get(d, "rule"));
	memset(&mv, 0, sizeof(mv));
	mv.by = HANDOFF_RULE;
	mv.actor = rule != NULL ? rule : "rules";
	mv.reason = json_string_value(json_object_get(d, "reason"));
	mv.functional = type != NULL && strcmp(type, "functional") == 0;
	mv.from_tier = mv.functional ? t->tier :
	    (int)json_integer_value(json_object_get(d, "from"));
	mv.from_department = mv.functional ?
	    json_string_value(json_object_get(d, "from")) : t->department;
	mv.escalated = detail;
	ret = ticket_handoff(st, cli->conf, t, &mv, at, NULL, e);
	json_decref(d);
	return ret;
}

/*
 * The commands.
 */

enum op_kind { OP_ASSIGN = 0, OP_ESCALATE, OP_DEESCALATE, OP_PENDING, OP_RESOLVE,
	OP_REOPEN, OP_NOTE, OP_TAG, OP_UNTAG };

struct op {
	int		 op;		/* enum op_kind */
	const char	*name;		/* the command */
	int64_t		 id;
	const char	*as;
	const char	*reason;	/* NULL: none given */
	int		 tier;		/* -1: not given */
	const char	*department;	/* NULL: not given */
	const char	*arg;		/* assign's ADDR, tag's TAG */
	char		*text;		/* note's words, joined; owned */
	char		 login[256];	/* the default --as */
};

/* Text a user typed that goes into an event: valid UTF-8 with no
 * control characters, but for tab and newline when lines is set. */
static int
text_ok(const char *s, int lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;
	uint32_t cp;

	while (i < n) {
		if ((len = utf8_decode(p + i, n - i, &cp)) == 0)
			return 0;
		if ((cp < 0x20 && !(lines && (cp == '\t' || cp == '\n'))) || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0))
			return 0;
		i += len;
	}
	return 1;
}

/* What a name in the configuration looks like (rules/conf.c). */
static int
name_ok(const char *s)
{
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return 0;
	return i <= DEPT_MAX;
}

/* A tag as rules/parse.c accepts it. */
static int
tag_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= RULES_TAG_LEN_MAX || *s == ' ' || s[n - 1] == ' ' || !text_ok(s, 0))
		return 0;
	return strchr(s, ',') == NULL;
}

static size_t
tags_count(const char *tags)
{
	size_t n = 0;

	if (tags == NULL || *tags == '\0')
		return 0;
	for (n = 1; *tags != '\0'; tags++)
		n += *tags == ',';
	return n;
}

/* tags with tag added (add) or taken out; NULL out of memory.  *out NULL
 * when no tag is left. */
static int
tags_edit(const char *tags, const char *tag, int add, char **out)
{
	struct buf b = BUF_INIT(RULES_TAGS_MAX * RULES_TAG_LEN_MAX * 2);
	const char *p = tags, *comma;
	size_t n, tlen = strlen(tag);
	int rc = 0;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (add || n != tlen || strncmp(p, tag, n) != 0) {
			if (b.len > 0)
				rc |= buf_addch(&b, ',', NULL);
			rc |= buf_add(&b, p, n, NULL);
		}
		p = comma != NULL ? comma + 1 : NULL;
	}
	if (add) {
		if (b.len > 0)
			rc |= buf_addch(&b, ',', NULL);
		rc |= buf_addstr(&b, tag, NULL);
	}
	if (rc != 0) {
		buf_release(&b);
		return -1;
	}
	*out = NULL;
	if (b.len > 0 && (*out = buf_detach(&b, NULL)) == NULL)
		return -1;
	buf_release(&b);
	return 0;
}

static void
login_name(char *out, size_t len)
{
	const char *s = getlogin();
	struct passwd *pw;

	if (s == NULL || *s == '\0')
		s = (pw = getpwuid(geteuid())) != NULL ? pw->pw_name : NULL;
	(void)esc_strlcpy(out, s != NULL && *s != '\0' ? s : "unknown", len);
}

static int
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "escalator: <message>" and returns EX_DATAERR: a refused
 * transition, nothing written. */
static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("escalator: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EX_DATAERR;
}

static int
usage_error(const struct cli_cmd *self, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
usage_error(const struct cli_cmd *self, const char *fmt, ...)
{
	va_list ap;

	fputs("escalator: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return cli_usage(self, stderr);
}

static const char *
op_help(int op)
{
	switch (op) {
	case OP_ASSIGN:
		return "\nGives the ticket to ADDR, its owner until the next hand-off.\n\n"
		    "  ADDR           the new owner's address\n"
		    "  --reason TEXT  why, for the history\n";
	case OP_ESCALATE:
		return "\nHands the ticket on: up the tiers (hierarchical, by default one\n"
		    "configured tier up) or sideways to a department (functional).  Writes\n"
		    "a hand-off summary and queues a notice to the receiving owner; the\n"
		    "department head is in Cc when the escalation comes late.\n\n"
		    "  --tier K           to tier K, above the ticket's\n"
		    "  --department NAME  to department NAME\n"
		    "  --reason TEXT      why (required)\n";
	case OP_DEESCALATE:
		return "\nReturns the ticket down the tiers after the specialist step, by\n"
		    "default one configured tier down.\n\n"
		    "  --tier K       to tier K, below the ticket's\n"
		    "  --reason TEXT  why (required)\n";
	case OP_PENDING:
		return "\nWaiting on the customer: the resolution clock pauses until the\n"
		    "customer writes again (which reopens the ticket) or it is reopened.\n\n"
		    "  --reason TEXT  why, for the history\n";
	case OP_RESOLVE:
		return "\nResolves a new, open or pending ticket: its clocks stop.\n\n"
		    "  --reason TEXT  why, for the history\n";
	case OP_REOPEN:
		return "\nReopens a resolved or closed ticket: its clocks run again.\n\n"
		    "  --reason TEXT  why, for the history\n";
	case OP_NOTE:
		return "\nAdds a note to the ticket's history (the words are joined by spaces).\n";
	case OP_TAG:
		return "\nAdds TAG (no commas, no control characters) to the ticket.\n\n"
		    "  --reason TEXT  why, for the history\n";
	default:
		return "\nTakes TAG off the ticket.\n\n"
		    "  --reason TEXT  why, for the history\n";
	}
}

/* Parses the command line into o; -1 to go on, else the exit code. */
static int
op_parse(struct cli *cli, struct op *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as",		required_argument,	NULL, 'a' },
		{ "reason",	required_argument,	NULL, 'r' },
		{ "tier",	required_argument,	NULL, 't' },
		{ "department",	required_argument,	NULL, 'd' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *self = cli_cmd_find(o->name);
	char *end;
	long k;
	int ch, need;
	struct buf b = BUF_INIT(NOTE_MAX + 1);

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->as = optarg;
			break;
		case 'r':
			if (o->op == OP_NOTE)
				return usage_error(self, "note takes no --reason: the note says it");
			o->reason = optarg;
			break;
		case 't':
			if (o->op != OP_ESCALATE && o->op != OP_DEESCALATE)
				return usage_error(self, "%s takes no --tier", o->name);
			errno = 0;
			k = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || k < TIER_MIN ||
			    k > TIER_MAX)
				return usage_error(self, "invalid tier '%s' (a tier is %d to %d)",
				    optarg, TIER_MIN, TIER_MAX);
			o->tier = (int)k;
			break;
		case 'd':
			if (o->op != OP_ESCALATE)
				return usage_error(self, "%s takes no --department", o->name);
			o->department = optarg;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'h':
			(void)cli_usage(self, stdout);
			printf("%s\n%s", op_help(o->op),
			    "  TICKET         the ticket number, as in the queue (a leading # is fine)\n"
			    "  --as ADDR      who does it, for the history (default: the login name)\n"
			    "  --json         print the ticket as it is afterwards, one JSON object\n");
			return 0;
		default:
			return cli_usage(self, stderr);
		}
	}
	need = o->op == OP_ASSIGN || o->op == OP_TAG || o->op == OP_UNTAG ? 2 : 1;
	if (o->op == OP_NOTE ? argc - optind < 2 : argc - optind != need)
		return cli_usage(self, stderr);
	if (cli_ticket_id(argv[optind], &o->id) == -1)
		return usage_error(self, "invalid ticket number '%s'", argv[optind]);

	if (o->tier >= 0 && o->department != NULL)
		return usage_error(self, "escalate takes --tier or --department, not both");
	if ((o->op == OP_ESCALATE || o->op == OP_DEESCALATE) && o->reason == NULL)
		return usage_error(self, "%s needs --reason TEXT: the receiving tier reads it",
		    o->name);
	if (o->reason != NULL && (o->reason[strspn(o->reason, " \t")] == '\0' ||
	    strlen(o->reason) > REASON_MAX || !text_ok(o->reason, 0)))
		return usage_error(self, "invalid --reason (one line of text, at most %d "
		    "bytes)", REASON_MAX);
	if (o->as == NULL) {
		login_name(o->login, sizeof(o->login));
		o->as = o->login;
	}
	if (*o->as == '\0' || strlen(o->as) > ACTOR_MAX || !text_ok(o->as, 0) ||
	    strchr(o->as, ' ') != NULL)
		return usage_error(self, "invalid --as '%s' (an address or a login name, "
		    "no spaces)", o->as);
	if (o->department != NULL && !name_ok(o->department))
		return usage_error(self, "invalid department name '%s'", o->department);
	if (o->op == OP_ASSIGN) {
		o->arg = argv[optind + 1];
		if (!compose_addr_ok(o->arg) || strlen(o->arg) > 254)
			return usage_error(self, "invalid address '%s' (an address like "
			    "agent@example.com)", o->arg);
	} else if (o->op == OP_TAG || o->op == OP_UNTAG) {
		o->arg = argv[optind + 1];
		if (!tag_ok(o->arg))
			return usage_error(self, "invalid tag '%s' (no commas, no control "
			    "characters, no spaces around it, at most %d bytes)", o->arg,
			    RULES_TAG_LEN_MAX - 1);
	} else if (o->op == OP_NOTE) {
		int i, rc = 0;

		for (i = optind + 1; i < argc && rc == 0; i++) {
			if (i > optind + 1)
				rc |= buf_addch(&b, ' ', NULL);
			rc |= buf_addstr(&b, argv[i], NULL);
		}
		if (rc != 0 || b.buf == NULL || b.buf[strspn(b.buf, " \t\n")] == '\0' ||
		    !text_ok(b.buf, 1)) {
			buf_release(&b);
			return usage_error(self, "invalid note (text, at most %d bytes)", NOTE_MAX);
		}
		if ((o->text = buf_detach(&b, NULL)) == NULL)
			return EX_OSERR;
	}
	return -1;
}

/* The tiers the configuration has, "1, 2, 4", for messages. */
static const char *
tiers_list(const struct conf *conf, char *out, size_t len)
{
	size_t i, used = 0;
	int k, n;

	out[0] = '\0';
	for (k = TIER_MIN; k <= TIER_MAX; k++)
		for (i = 0; conf != NULL && i < conf->tiers_count; i++)
			if (conf->tiers[i].number == k) {
				n = snprintf(out + used, len - used, "%s%d", used ? ", " : "", k);
				if (n > 0 && (size_t)n < len - used)
					used += (size_t)n;
			}
	return out;
}

static const char *
departments_list(const struct conf *conf, char *out, size_t len)
{
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < conf->departments_count; i++) {
		n = snprintf(out + used, len - used, "%s%s", used ? ", " : "",
		    conf->departments[i].name);
		if (n > 0 && (size_t)n < len - used)
			used += (size_t)n;
	}
	return out;
}

/* The tier an escalation (up) or de-escalation goes to: the one asked
 * for, checked, else the nearest configured tier that way (the next
 * number when no tier is configured).  -1 after printing why not. */
static int
target_tier(const struct conf *conf, const struct op *o, const struct ticket *t,
    int *code)
{
	int up = o->op == OP_ESCALATE, configured = conf != NULL && conf->tiers_count > 0;
	int top = TIER_MAX, bottom = TIER_MIN, k, best = -1;
	const char *verb = up ? "escalate" : "deescalate";
	char list[64];
	size_t i;

	if (configured) {
		top = -1;
		bottom = TIER_MAX + 1;
		for (i = 0; i < conf->tiers_count; i++) {
			k = conf->tiers[i].number;
			top = k > top ? k : top;
			bottom = k < bottom ? k : bottom;
			if ((up ? k > t->tier : k < t->tier) &&
			    (best == -1 || (up ? k < best : k > best)))
				best = k;
		}
	} else if (up ? t->tier < TIER_MAX : t->tier > TIER_MIN)
		best = up ? t->tier + 1 : t->tier - 1;
	if (o->tier < 0) {
		if (best == -1)
			*code = fail("cannot %s ticket %" PRId64 ": it is at tier %d, the %s tier",
			    verb, t->id, t->tier, up ? "top" : "lowest");
		return best;
	}
	if (o->tier == t->tier) {
		*code = fail("cannot %s ticket %" PRId64 " to tier %d: it is at tier %d already",
		    verb, t->id, o->tier, t->tier);
		return -1;
	}
	if (up ? o->tier < t->tier : o->tier > t->tier) {
		*code = fail("cannot %s ticket %" PRId64 " to tier %d: it is at tier %d (use %s)",
		    verb, t->id, o->tier, t->tier, up ? "deescalate" : "escalate");
		return -1;
	}
	if (up && o->tier > top) {
		*code = fail("cannot escalate ticket %" PRId64 " to tier %d: the top tier is %d",
		    t->id, o->tier, top);
		return -1;
	}
	if (!up && o->tier < bottom) {
		*code = fail("cannot deescalate ticket %" PRId64 " to tier %d: the lowest tier "
		    "is %d", t->id, o->tier, bottom);
		return -1;
	}
	if (configured && conf_tier_find(conf, o->tier) == NULL) {
		*code = fail("cannot %s ticket %" PRId64 " to tier %d: no tier %d is configured "
		    "(tiers: %s)", verb, t->id, o->tier, o->tier,
		    tiers_list(conf, list, sizeof(list)));
		return -1;
	}
	return o->tier;
}

/* Whether o may be done to t, before anything is written: 0, or the exit
 * code after printing why not.  *to: the tier an escalation goes to. */
static int
op_check(const struct conf *conf, const struct op *o, const struct ticket *t, int *to)
{
	const char *st = status_name(t->status);
	int done = t->status == STATUS_RESOLVED || t->status == STATUS_CLOSED, code = 0;
	char list[1024];

	/* Its messages and work belong to the ticket that absorbed it. */
	if (t->merged_into != 0)
		return fail("cannot %s ticket %" PRId64 ": it was merged into #%" PRId64,
		    o->name, t->id, t->merged_into);
	switch (o->op) {
	case OP_ASSIGN:
		if (done)
			return fail("cannot assign ticket %" PRId64 ": it is %s (reopen it "
			    "first)", t->id, st);
		if (t->owner != NULL && strcasecmp(t->owner, o->arg) == 0)
			return fail("cannot assign ticket %" PRId64 " to %s: it is assigned to "
			    "%s already", t->id, o->arg, t->owner);
		return 0;
	case OP_ESCALATE:
	case OP_DEESCALATE:
		if (done)
			return fail("cannot %s ticket %" PRId64 ": it is %s (reopen it first)",
			    o->name, t->id, st);
		if (o->department != NULL) {
			if (conf != NULL && conf->departments_count > 0 &&
			    conf_department_find(conf, o->department) == NULL)
				return fail("unknown department '%s' (known: %s)", o->department,
				    departments_list(conf, list, sizeof(list)));
			if (t->department != NULL && strcmp(t->department, o->department) == 0)
				return fail("cannot escalate ticket %" PRId64 " to %s: it is in "
				    "%s already", t->id, o->department, t->department);
			*to = t->tier;
			return 0;
		}
		if ((*to = target_tier(conf, o, t, &code)) == -1)
			return code;
		return 0;
	case OP_PENDING:
		if (t->status == STATUS_PENDING)
			return fail("cannot set ticket %" PRId64 " pending: it is pending already",
			    t->id);
		if (done)
			return fail("cannot set ticket %" PRId64 " pending: it is %s (reopen it "
			    "first)", t->id, st);
		return 0;
	case OP_RESOLVE:
		if (t->status == STATUS_RESOLVED)
			return fail("cannot resolve ticket %" PRId64 ": it is resolved already",
			    t->id);
		if (t->status == STATUS_CLOSED)
			return fail("cannot resolve ticket %" PRId64 ": it is closed", t->id);
		return 0;
	case OP_REOPEN:
		if (!done)
			return fail("cannot reopen ticket %" PRId64 ": it is %s, not resolved or "
			    "closed", t->id, st);
		return 0;
	case OP_TAG:
		if (ticket_tags_have(t->tags, o->arg))
			return fail("ticket %" PRId64 " has the tag '%s' already", t->id, o->arg);
		if (tags_count(t->tags) >= RULES_TAGS_MAX)
			return fail("cannot tag ticket %" PRId64 ": it has %d tags, the most a "
			    "ticket may have", t->id, RULES_TAGS_MAX);
		return 0;
	case OP_UNTAG:
		if (!ticket_tags_have(t->tags, o->arg))
			return fail("ticket %" PRId64 " has no tag '%s'", t->id, o->arg);
		return 0;
	default:
		return 0;
	}
}

static char *
dump(json_t *o)
{
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	return s;
}

/* {"from": status, "reason"?} */
static json_t *
status_detail(const char *from, const char *reason)
{
	json_t *o = json_pack("{s:s}", "from", from);

	if (o != NULL && reason != NULL && json_object_set_new(o, "reason",
	    json_string(reason)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
set_str(char **slot, const char *s, struct err *e)
{
	char *d = NULL;

	if (s != NULL && (d = strdup(s)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	free(*slot);
	*slot = d;
	return 0;
}

/* Applies o to t inside the open transaction: the ticket, the event, and
 * for an escalation its hand-off. */
static int
op_apply(struct cli *cli, const struct op *o, struct ticket *t, int to,
    struct ticket_handoff_out *ho, struct err *e)
{
	struct store *st = cli->store;
	struct ticket_move mv;
	const char *kind = NULL;
	char *detail = NULL, *tags = NULL, prev[320], prev_dept[DEPT_MAX + 8];
	int from_tier = t->tier, had_dept = t->department != NULL, ret = -1;
	json_t *d = NULL;

	prev[0] = prev_dept[0] = '\0';
	if (t->owner != NULL)
		(void)esc_strlcpy(prev, t->owner, sizeof(prev));
	if (t->department != NULL)
		(void)esc_strlcpy(prev_dept, t->department, sizeof(prev_dept));
	if (cli->now > t->updated)
		t->updated = cli->now;
	switch (o->op) {
	case OP_ASSIGN:
		kind = "assigned";
		d = json_pack("{s:o, s:s}", "from", *prev ? json_string(prev) : json_null(),
		    "to", o->arg);
		if (set_str(&t->owner, o->arg, e) == -1)
			goto out;
		break;
	case OP_ESCALATE:
		kind = "escalated";
		if (o->department != NULL) {
			d = json_pack("{s:s, s:o, s:s, s:s}", "type", "functional", "from",
			    had_dept ? json_string(prev_dept) : json_null(), "to", o->department,
			    "reason", o->reason);
			if (set_str(&t->department, o->department, e) == -1)
				goto out;
		} else {
			d = json_pack("{s:s, s:i, s:i, s:s}", "type", "hierarchical", "from",
			    from_tier, "to", to, "reason", o->reason);
			t->tier = to;
		}
		/* A hand-off: the receiving owner takes it. */
		if (d != NULL && *prev && json_object_set_new(d, "previous_owner",
		    json_string(prev)) == -1)
			goto nomem;
		free(t->owner);
		t->owner = NULL;
		break;
	case OP_DEESCALATE:
		kind = "deescalated";
		d = json_pack("{s:s, s:i, s:i, s:s}", "type", "hierarchical", "from", from_tier,
		    "to", to, "reason", o->reason);
		if (d != NULL && *prev && json_object_set_new(d, "previous_owner",
		    json_string(prev)) == -1)
			goto nomem;
		t->tier = to;
		free(t->owner);
		t->owner = NULL;
		break;
	case OP_PENDING:
		kind = "pending";
		d = status_detail(status_name(t->status), o->reason);
		t->status = STATUS_PENDING;
		break;
	case OP_RESOLVE:
		kind = "resolved";
		d = status_detail(status_name(t->status), o->reason);
		t->status = STATUS_RESOLVED;
		break;
	case OP_REOPEN:
		kind = "reopened";
		d = status_detail(status_name(t->status), o->reason);
		t->status = STATUS_OPEN;
		break;
	case OP_NOTE:
		kind = "note";
		d = json_pack("{s:s}", "text", o->text);
		break;
	case OP_TAG:
	case OP_UNTAG:
		kind = o->op == OP_TAG ? "tagged" : "untagged";
		d = json_pack("{s:s}", "tag", o->arg);
		if (d != NULL && o->reason != NULL && json_object_set_new(d, "reason",
		    json_string(o->reason)) == -1)
			goto nomem;
		if (tags_edit(t->tags, o->arg, o->op == OP_TAG, &tags) == -1)
			goto nomem;
		free(t->tags);
		t->tags = tags;
		break;
	default:
		break;
	}
	if (d != NULL && o->reason != NULL && o->op == OP_ASSIGN &&
	    json_object_set_new(d, "reason", json_string(o->reason)) == -1)
		goto nomem;
	if ((detail = dump(d)) == NULL) {
		d = NULL;
		goto nomem;
	}
	d = NULL;
	if (store_ticket_update(st, t, e) == -1 ||
	    store_event_add(st, t->id, cli->now, kind, o->as, detail, e) == -1)
		goto out;
	if (o->op == OP_ESCALATE) {
		memset(&mv, 0, sizeof(mv));
		mv.by = HANDOFF_HAND;
		mv.actor = o->as;
		mv.reason = o->reason;
		mv.functional = o->department != NULL;
		mv.from_tier = from_tier;
		mv.from_department = had_dept ? prev_dept : NULL;
		mv.escalated = detail;
		if (ticket_handoff(st, cli->conf, t, &mv, cli->now, ho, e) == -1)
			goto out;
	}
	ret = 0;
	goto out;
nomem:
	(void)err_set(e, ERR_NOMEM, "out of memory recording an event");
out:
	json_decref(d);
	free(detail);
	return ret;
}

static void
op_say(const struct op *o, const struct ticket *t, int from_tier,
    const struct ticket_handoff_out *ho)
{
	printf("ticket %" PRId64 ": ", t->id);
	switch (o->op) {
	case OP_ASSIGN:
		printf("assigned to %s\n", t->owner);
		break;
	case OP_ESCALATE:
		if (o->department != NULL)
			printf("escalated to department %s", t->department);
		else
			printf("escalated from tier %d to tier %d", from_tier, t->tier);
		printf(", hand-off %d%s", t->handoffs, ho->late ? " (late)" : "");
		if (*ho->to)
			printf(", notice to %s%s%s\n", ho->to, *ho->cc ? ", cc " : "", ho->cc);
		else
			printf(", nobody to notify\n");
		break;
	case OP_DEESCALATE:
		printf("deescalated from tier %d to tier %d\n", from_tier, t->tier);
		break;
	case OP_PENDING:
		printf("pending on the customer\n");
		break;
	case OP_RESOLVE:
		printf("resolved\n");
		break;
	case OP_REOPEN:
		printf("reopened\n");
		break;
	case OP_NOTE:
		printf("note added\n");
		break;
	case OP_TAG:
		printf("tagged %s\n", o->arg);
		break;
	default:
		printf("untagged %s\n", o->arg);
		break;
	}
}

static int
op_run(struct cli *cli, int argc, char **argv, int op)
{
	struct op o;
	struct ticket t;
	struct ticket_handoff_out ho;
	struct err e = ERR_INIT;
	const struct conf *conf;
	struct store *st;
	int code, r, to = -1, from_tier;

	memset(&o, 0, sizeof(o));
	memset(&ho, 0, sizeof(ho));
	o.op = op;
	o.name = argv[0];
	o.tier = -1;
	if ((code = op_parse(cli, &o, argc, argv)) != -1) {
		free(o.text);
		return code;
	}
	ticket_init(&t);
	if (((conf = cli_conf(cli, &code)) == NULL && code != 0) ||
	    (st = cli_store_existing(cli, &code)) == NULL)
		goto out;
	if ((r = store_ticket_get(st, o.id, &t, &e)) != 1) {
		code = r == 0 ? fail("no ticket %" PRId64, o.id) : cli_fail(&e);
		goto out;
	}
	from_tier = t.tier;
	if ((code = op_check(conf, &o, &t, &to)) != 0)
		goto out;
	if (store_begin(st, &e) == -1) {
		code = cli_fail(&e);
		goto out;
	}
	/* The daemon may have stored a message or swept since: what is
	 * written starts from the ticket as the transaction sees it. */
	ticket_release(&t);
	if ((r = store_ticket_get(st, o.id, &t, &e)) != 1 ||
	    (code = op_check(conf, &o, &t, &to)) != 0) {
		store_rollback(st);
		if (r != 1)
			code = r == 0 ? fail("no ticket %" PRId64, o.id) : cli_fail(&e);
		goto out;
	}
	from_tier = t.tier;
	if (op_apply(cli, &o, &t, to, &ho, &e) == -1 || store_commit(st, &e) == -1) {
		store_rollback(st);
		code = cli_fail(&e);
		goto out;
	}
	/* The store keeps the resolution time: read the ticket back. */
	ticket_release(&t);
	if ((r = store_ticket_get(st, o.id, &t, &e)) != 1) {
		code = r == 0 ? EX_SOFTWARE : cli_fail(&e);
		goto out;
	}
	if (cli->json) {
		json_t *j = queue_ticket_json(&t);

		if (j == NULL) {
			code = EX_OSERR;
			goto out;
		}
		(void)json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	} else if (!cli->quiet)
		op_say(&o, &t, from_tier, &ho);
	code = 0;
out:
	ticket_release(&t);
	free(o.text);
	return code;
}

int
cmd_assign(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_ASSIGN);
}

int
cmd_escalate(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_ESCALATE);
}

int
cmd_deescalate(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_DEESCALATE);
}

int
cmd_pending(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_PENDING);
}

int
cmd_resolve(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_RESOLVE);
}

int
cmd_reopen(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_REOPEN);
}

int
cmd_note(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_NOTE);
}

int
cmd_tag(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_TAG);
}

int
cmd_untag(struct cli *cli, int argc, char **argv)
{
	return op_run(cli, argc, argv, OP_UNTAG);
}
