/* explain.c -- why a ticket is where it is, for `escalator show`: read
 * back from the events rules/decide.c recorded (their detail JSON), the
 * priority and where it came from, each tier move and its reason, the
 * department, the sentiment of the latest customer message with the words
 * that drove it, and every rule that matched with the values that made it
 * true.  Also the one-line text of those events in show's history. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/explain.h"
#include "common/model.h"
#include "common/util.h"
#include "store/store.h"

void
explain_init(struct explain *x)
{
	memset(x, 0, sizeof(*x));
}

void
explain_release(struct explain *x)
{
	if (x == NULL)
		return;
	json_decref(x->assessed);
	json_decref(x->priority);
	json_decref(x->department);
	json_decref(x->tiers);
	json_decref(x->rules);
	json_decref(x->routed);
	explain_init(x);
}

static json_t *
with_at(json_t *detail, time_t at)
{
	char buf[32];
	json_t *o = json_deep_copy(detail);

	if (o != NULL)
		json_object_set_new(o, "at", json_string(time_rfc3339(at, buf, sizeof(buf))));
	return o;
}

/* Who moved it, for moves made by hand (cli/ticket.c). */
static json_t *
with_actor(json_t *o, const char *actor)
{
	if (o != NULL && actor != NULL)
		json_object_set_new(o, "actor", json_string(actor));
	return o;
}

static void
keep(json_t **slot, json_t *v)
{
	json_decref(*slot);
	*slot = v;
}

static void
append(json_t **arr, json_t *v)
{
	if (*arr == NULL)
		*arr = json_array();
	if (*arr == NULL || v == NULL || json_array_append_new(*arr, v) == -1)
		json_decref(v);
}

int
explain_event(void *arg, const struct store_event *ev, struct err *e)
{
	struct explain *x = arg;
	json_t *d;
	const char *type;

	(void)e;
	if (ev->kind == NULL || ev->detail == NULL ||
	    (d = json_loads(ev->detail, 0, NULL)) == NULL || !json_is_object(d))
		return 0;
	if (strcmp(ev->kind, "assessed") == 0 &&
	    !json_is_true(json_object_get(d, "late")))
		keep(&x->assessed, with_at(d, ev->at));
	else if (strcmp(ev->kind, "priority") == 0)
		keep(&x->priority, with_at(d, ev->at));
	else if (strcmp(ev->kind, "rule-matched") == 0)
		append(&x->rules, with_at(d, ev->at));
	else if (strcmp(ev->kind, "escalated") == 0 &&
	    (type = json_string_value(json_object_get(d, "type"))) != NULL) {
		if (strcmp(type, "functional") == 0)
			keep(&x->department, with_actor(with_at(d, ev->at), ev->actor));
		else
			append(&x->tiers, with_actor(with_at(d, ev->at), ev->actor));
	} else if (strcmp(ev->kind, "deescalated") == 0)
		append(&x->tiers, with_actor(with_at(d, ev->at), ev->actor));
	else if (strcmp(ev->kind, "routed") == 0)
		keep(&x->routed, with_at(d, ev->at));
	json_decref(d);
	return 0;
}

/* ---- words ---------------------------------------------------------- */

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static double
num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* One JSON value as short text: strings bare, numbers short. */
static void
value_text(json_t *v, char *out, size_t len)
{
	char *s;

	if (json_is_string(v))
		(void)snprintf(out, len, "\"%s\"", json_string_value(v));
	else if (json_is_integer(v))
		(void)snprintf(out, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		(void)snprintf(out, len, "%g", json_real_value(v));
	else if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) != NULL) {
		(void)snprintf(out, len, "%s", s);
		free(s);
	} else
		(void)snprintf(out, len, "?");
}

/* "refund 120.00 EUR -> tier 2" for each route-by-authority of a rule,
 * or why it changed nothing ("refund: no amount in EUR in the message"). */
static void
authority_text(json_t *a, char *out, size_t len)
{
	size_t i, used = 0;
	json_t *r;
	int w;

	out[0] = '\0';
	json_array_foreach(a, i, r) {
		if (json_is_true(json_object_get(r, "changed")))
			w = snprintf(out + used, len - used, "%s%s %s -> tier %lld",
			    used ? "; " : "", str(r, "authority"), str(r, "amount"),
			    (long long)json_integer_value(json_object_get(r, "tier")));
		else
			w = snprintf(out + used, len - used, "%s%s: %s", used ? "; " : "",
			    str(r, "authority"), json_object_get(r, "why") != NULL ?
			    str(r, "why") : "no change");
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/* "public true, sentiment -0.72" from a rule-matched detail. */
static void
rule_values(json_t *d, char *out, size_t len)
{
	const char *key;
	json_t *v;
	char val[200];
	size_t used = 0;
	int w;

	out[0] = '\0';
	json_object_foreach(d, key, v) {
		if (strcmp(key, "rule") == 0 || strcmp(key, "actions") == 0 ||
		    strcmp(key, "at") == 0)
			continue;
		if (strcmp(key, "route_by_authority") == 0 && json_is_array(v))
			authority_text(v, val, sizeof(val));
		else
			value_text(v, val, sizeof(val));
		w = snprintf(out + used, len - used, "%s%s %s", used ? ", " : "", key, val);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/* "charged -0.8, unacceptable -2.8" from an assessed detail. */
static void
words_text(json_t *d, char *out, size_t len)
{
	json_t *w;
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	json_array_foreach(json_object_get(d, "words"), i, w) {
		n = snprintf(out + used, len - used, "%s%s %g", used ? ", " : "", str(w, "word"),
		    num(w, "valence"));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* Why a decision was made: rule "NAME", a rule's reason, or the default's
 * reason with the customer's words. */
static const char *
reason_text(json_t *d, char *out, size_t len)
{
	const char *rule = json_string_value(json_object_get(d, "rule"));
	const char *reason = str(d, "reason");

	if (rule != NULL && strcmp(rule, reason) == 0)
		(void)snprintf(out, len, "rule \"%s\"", rule);
	else if (rule != NULL)
		(void)snprintf(out, len, "%s, rule \"%s\"", reason, rule);
	else if (json_is_string(json_object_get(d, "asks_escalation")))
		(void)snprintf(out, len, "%s (\"%s\")", reason, str(d, "asks_escalation"));
	else
		(void)snprintf(out, len, "%s", reason);
	return out;
}

/* s with its line breaks and tabs as spaces, for one line of show. */
static void
oneline(const char *s, char *out, size_t len)
{
	size_t i;

	(void)snprintf(out, len, "%s", s);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20)
			out[i] = ' ';
}

/* "to tier 2 (billing), hand-off 2 by hand, late: notice to t2@x, cc
 * head@x; problem \"...\"; sentiment worsening; 3 steps tried" */
static void
handoff_text(json_t *d, char *out, size_t len)
{
	json_t *n = json_object_get(d, "notification"), *cc = json_object_get(n, "cc");
	json_t *s = json_object_get(d, "sentiment");
	char who[400], problem[260];

	if (json_is_object(n))
		(void)snprintf(who, sizeof(who), "notice to %s%s%s", str(n, "to"),
		    json_array_size(cc) > 0 ? ", cc " : "",
		    json_array_size(cc) > 0 ? json_string_value(json_array_get(cc, 0)) : "");
	else
		(void)snprintf(who, sizeof(who), "nobody notified");
	oneline(str(d, "problem"), problem, sizeof(problem));
	if (strcmp(str(d, "type"), "functional") == 0)
		(void)snprintf(out, len, "to department %s (tier %lld)", str(d, "to_department"),
		    (long long)num(d, "to_tier"));
	else
		(void)snprintf(out, len, "to tier %lld%s%s%s", (long long)num(d, "to_tier"),
		    json_is_string(json_object_get(d, "to_department")) ? " (" : "",
		    str(d, "to_department"),
		    json_is_string(json_object_get(d, "to_department")) ? ")" : "");
	(void)snprintf(out + strlen(out), len - strlen(out), ", hand-off %lld by %s%s: %s; "
	    "problem \"%s\"; sentiment %s; %lld step%s tried", (long long)num(d, "handoffs"),
	    str(d, "by"), json_is_true(json_object_get(d, "late")) ? ", late" : "", who,
	    problem, str(s, "trend"), (long long)num(d, "tried_total"),
	    num(d, "tried_total") == 1 ? "" : "s");
}

const char *
explain_event_text(const struct store_event *ev, char *out, size_t len)
{
	char a[600], b[300];
	json_t *d;
	const char *k = ev->kind != NULL ? ev->kind : "";

	if (ev->detail == NULL || (d = json_loads(ev->detail, 0, NULL)) == NULL)
		return NULL;
	if (strcmp(k, "assessed") == 0) {
		char head[700], urgency[32] = "";
		int asks = json_is_string(json_object_get(d, "asks_escalation"));

		words_text(d, a, sizeof(a));
		if (json_is_null(json_object_get(d, "sentiment")))
			(void)snprintf(head, sizeof(head), "no sentiment (no lexicon)");
		else {
			if (json_is_false(json_object_get(d, "scored")))
				(void)snprintf(head, sizeof(head), "sentiment not scored (language %s)",
				    str(d, "language"));
			else
				(void)snprintf(head, sizeof(head), "sentiment %.4f%s%s%s",
				    num(d, "sentiment"), *a ? " (" : "", a, *a ? ")" : "");
			(void)snprintf(urgency, sizeof(urgency), ", urgency %.2f", num(d, "urgency"));
		}
		(void)snprintf(out, len, "%s%s%s%s, %s%s -> %s%s", head,
		    asks ? ", asks to escalate: \"" : "", str(d, "asks_escalation"), asks ? "\"" : "",
		    json_is_true(json_object_get(d, "public")) ? "public" : "private", urgency,
		    str(d, "priority"), json_is_true(json_object_get(d, "late")) ?
		    " (a late message: decides nothing)" : "");
	} else if (strcmp(k, "rule-matched") == 0) {
		rule_values(d, a, sizeof(a));
		(void)snprintf(out, len, "rule \"%s\": %s -> %s", str(d, "rule"), a,
		    str(d, "actions"));
	} else if (strcmp(k, "escalated") == 0 && strcmp(str(d, "type"), "functional") == 0) {
		(void)snprintf(out, len, "department %s%s%s: %s", str(d, "from"),
		    json_is_string(json_object_get(d, "from")) ? " -> " : "", str(d, "to"),
		    reason_text(d, b, sizeof(b)));
	} else if (strcmp(k, "escalated") == 0) {
		(void)snprintf(out, len, "tier %lld -> %lld: %s",
		    (long long)num(d, "from"), (long long)num(d, "to"),
		    reason_text(d, b, sizeof(b)));
	} else if (strcmp(k, "priority") == 0) {
		if (json_is_string(json_object_get(d, "rule")))
			(void)snprintf(out, len, "%s -> %s: rule \"%s\"", str(d, "from"),
			    str(d, "to"), str(d, "rule"));
		else
			(void)snprintf(out, len, "%s -> %s: default policy, urgency %.2f",
			    str(d, "from"), str(d, "to"), num(d, "urgency"));
	} else if (strcmp(k, "deescalated") == 0) {
		(void)snprintf(out, len, "tier %lld -> %lld: %s",
		    (long long)num(d, "from"), (long long)num(d, "to"),
		    reason_text(d, b, sizeof(b)));
	} else if ((strcmp(k, "tagged") == 0 || strcmp(k, "untagged") == 0) &&
	    !json_is_string(json_object_get(d, "reason")) &&
	    !json_is_string(json_object_get(d, "rule"))) {
		(void)snprintf(out, len, "%s", str(d, "tag"));
	} else if (strcmp(k, "tagged") == 0 || strcmp(k, "untagged") == 0) {
		(void)snprintf(out, len, "%s: %s", str(d, "tag"), reason_text(d, b, sizeof(b)));
	} else if (strcmp(k, "assigned") == 0 && json_is_string(json_object_get(d, "rule"))) {
		(void)snprintf(out, len, "owner %s: rule \"%s\"", str(d, "to"), str(d, "rule"));
	} else if (strcmp(k, "assigned") == 0) {
		(void)snprintf(out, len, "owner %s%s%s%s%s", str(d, "from"),
		    json_is_string(json_object_get(d, "from")) ? " -> " : "", str(d, "to"),
		    json_is_string(json_object_get(d, "reason")) ? ": " : "", str(d, "reason"));
	} else if ((strcmp(k, "pending") == 0 || strcmp(k, "resolved") == 0 ||
	    strcmp(k, "reopened") == 0) && json_is_string(json_object_get(d, "from"))) {
		(void)snprintf(out, len, "%s -> %s%s%s", str(d, "from"),
		    strcmp(k, "pending") == 0 ? "pending" : strcmp(k, "resolved") == 0 ?
		    "resolved" : "open", json_is_string(json_object_get(d, "reason")) ? ": " : "",
		    str(d, "reason"));
	} else if (strcmp(k, "merged") == 0 && json_is_integer(json_object_get(d, "into"))) {
		(void)snprintf(out, len, "merged into #%lld: %s (message <%s>)",
		    (long long)num(d, "into"), str(d, "reason"), str(d, "message_id"));
	} else if (strcmp(k, "merged") == 0) {
		(void)snprintf(out, len, "absorbed #%lld: %s (message <%s>)",
		    (long long)num(d, "absorbed"), str(d, "reason"), str(d, "message_id"));
	} else if (strcmp(k, "related") == 0) {
		(void)snprintf(out, len, "same conversation as #%lld, kept apart: %s "
		    "(message <%s>)", (long long)num(d, "ticket"), str(d, "kept_apart"),
		    str(d, "message_id"));
	} else if (strcmp(k, "note") == 0) {
		oneline(str(d, "text"), out, len);
	} else if (strcmp(k, "handoff") == 0) {
		handoff_text(d, out, len);
	} else if (strcmp(k, "ignored") == 0) {
		(void)snprintf(out, len, "needs no answer, status %s: rule \"%s\"",
		    str(d, "status"), str(d, "rule"));
	} else if (strcmp(k, "notification-queued") == 0) {
		(void)snprintf(out, len, "to %s <%s>", str(d, "to"), str(d, "message_id"));
	} else if (strcmp(k, "autoreply") == 0 && json_is_string(json_object_get(d, "skipped"))) {
		(void)snprintf(out, len, "none sent: %s (%s)", str(d, "skipped"), str(d, "detail"));
	} else if (strcmp(k, "autoreply") == 0) {
		(void)snprintf(out, len, "acknowledged to %s <%s>, %zu help link%s", str(d, "to"),
		    str(d, "message_id"), json_array_size(json_object_get(d, "links")),
		    json_array_size(json_object_get(d, "links")) == 1 ? "" : "s");
	} else {
		json_decref(d);
		return NULL;
	}
	json_decref(d);
	return out;
}

/* ---- the account ---------------------------------------------------- */

json_t *
explain_json(const struct explain *x, const struct ticket *t)
{
	json_t *o = json_object(), *p = json_object(), *s = json_object();
	json_t *tier = json_object(), *dep = json_object();
	json_t *pr = x->priority;

	if (o == NULL || p == NULL || s == NULL || tier == NULL || dep == NULL) {
		json_decref(o);
		json_decref(p);
		json_decref(s);
		json_decref(tier);
		json_decref(dep);
		return NULL;
	}
	json_object_set_new(p, "value", json_string(priority_name(t->priority)));
	if (pr != NULL && strcmp(str(pr, "to"), priority_name(t->priority)) == 0 &&
	    json_is_string(json_object_get(pr, "rule"))) {
		json_object_set_new(p, "by", json_string("rule"));
		json_object_set(p, "rule", json_object_get(pr, "rule"));
		json_object_set(p, "at", json_object_get(pr, "at"));
	} else if (x->assessed != NULL) {
		json_object_set_new(p, "by", json_string("default"));
		json_object_set(p, "at", json_object_get(x->assessed, "at"));
		json_object_set(p, "urgency", json_object_get(x->assessed, "urgency"));
		json_object_set(p, "negativity", json_object_get(x->assessed, "negativity"));
		json_object_set(p, "visibility", json_object_get(x->assessed, "visibility"));
		json_object_set(p, "reach_term", json_object_get(x->assessed, "reach_term"));
	} else
		json_object_set_new(p, "by", json_string("start"));
	json_object_set_new(o, "priority", p);

	if (x->assessed != NULL) {
		json_object_set(s, "score", json_object_get(x->assessed, "sentiment"));
		json_object_set(s, "words", json_object_get(x->assessed, "words"));
		json_object_set(s, "asks_escalation", json_object_get(x->assessed, "asks_escalation"));
		json_object_set(s, "message_id", json_object_get(x->assessed, "message_id"));
		json_object_set(s, "at", json_object_get(x->assessed, "at"));
		json_object_set_new(o, "sentiment", s);
	} else {
		json_decref(s);
		json_object_set_new(o, "sentiment", json_null());
	}

	json_object_set_new(tier, "value", json_integer(t->tier));
	json_object_set_new(tier, "start", x->routed != NULL ? json_pack("{s:O, s:O}",
	    "tier", json_object_get(x->routed, "tier"),
	    "channel", json_object_get(x->routed, "channel")) : json_null());
	json_object_set_new(tier, "moves", x->tiers != NULL ? json_incref(x->tiers) : json_array());
	json_object_set_new(o, "tier", tier);

	json_object_set_new(dep, "value", t->department ? json_string(t->department) : json_null());
	if (x->department != NULL) {
		json_object_set(dep, "reason", json_object_get(x->department, "reason"));
		json_object_set(dep, "rule", json_object_get(x->department, "rule"));
		json_object_set(dep, "at", json_object_get(x->department, "at"));
	}
	json_object_set_new(o, "department", dep);
	json_object_set_new(o, "rules", x->rules != NULL ? json_incref(x->rules) : json_array());
	return o;
}

/* A move a person made: its actor is neither escalator nor a rule. */
static int
by_hand(json_t *v)
{
	const char *a = json_string_value(json_object_get(v, "actor"));

	return a != NULL && strcmp(a, "escalator") != 0 &&
	    !json_is_string(json_object_get(v, "rule"));
}

void
explain_print(const struct explain *x, const struct ticket *t, FILE *f)
{
	json_t *pr = x->priority, *a = x->assessed, *v;
	char buf[800];
	size_t i;

	fprintf(f, "\nWhy:\n");
	if (pr != NULL && strcmp(str(pr, "to"), priority_name(t->priority)) == 0 &&
	    json_is_string(json_object_get(pr, "rule")))
		fprintf(f, "  priority %-9s rule \"%s\" (%s)\n", priority_name(t->priority),
		    str(pr, "rule"), str(pr, "at"));
	else if (a != NULL)
		fprintf(f, "  priority %-9s default policy for the latest customer message (%s):\n"
		    "                     urgency %.2f = negativity %.2f x (%s %.1f + reach %.2f)\n",
		    priority_name(t->priority), str(a, "at"), num(a, "urgency"),
		    num(a, "negativity"), json_is_true(json_object_get(a, "public")) ?
		    "public" : "private", num(a, "visibility"), num(a, "reach_term"));
	else
		fprintf(f, "  priority %-9s where every ticket starts (no customer message "
		    "was assessed)\n", priority_name(t->priority));
	if (a != NULL) {
		words_text(a, buf, sizeof(buf));
		if (json_is_null(json_object_get(a, "sentiment")))
			fprintf(f, "  sentiment          off (no lexicon when it was imported)\n");
		else if (json_is_false(json_object_get(a, "scored")))
			fprintf(f, "  sentiment          not scored: no lexicon for its language (%s)\n",
			    str(a, "language"));
		else
			fprintf(f, "  sentiment %-8.4f %s\n", num(a, "sentiment"),
			    *buf ? buf : "(no word carried sentiment)");
		if (json_is_string(json_object_get(a, "asks_escalation")))
			fprintf(f, "  asks to escalate   \"%s\"\n", str(a, "asks_escalation"));
	}
	fprintf(f, "  tier %-13d", t->tier);
	if ((x->tiers == NULL || json_array_size(x->tiers) == 0) && x->routed != NULL)
		fprintf(f, " where channel %s starts its tickets\n", str(x->routed, "channel"));
	else if (x->tiers == NULL || json_array_size(x->tiers) == 0)
		fprintf(f, " where it started\n");
	json_array_foreach(x->tiers, i, v)
		fprintf(f, "%s%lld -> %lld: %s (%s%s%s)\n", i ? "                     " : " ",
		    (long long)num(v, "from"), (long long)num(v, "to"),
		    reason_text(v, buf, sizeof(buf)), str(v, "at"), by_hand(v) ? ", by " : "",
		    by_hand(v) ? str(v, "actor") : "");
	if (t->department != NULL && x->department != NULL)
		fprintf(f, "  department         %s: %s (%s)\n", t->department,
		    reason_text(x->department, buf, sizeof(buf)), str(x->department, "at"));
	else if (t->department != NULL && x->routed != NULL)
		fprintf(f, "  department         %s: where channel %s starts its tickets\n",
		    t->department, str(x->routed, "channel"));
	else if (t->department != NULL)
		fprintf(f, "  department         %s\n", t->department);
	if (x->rules == NULL || json_array_size(x->rules) == 0)
		fprintf(f, "  rules matched      none\n");
	json_array_foreach(x->rules, i, v) {
		rule_values(v, buf, sizeof(buf));
		fprintf(f, "%s%s \"%s\": %s -> %s\n", i ? "                     " :
		    "  rules matched      ", str(v, "at"), str(v, "rule"), buf, str(v, "actions"));
	}
}
