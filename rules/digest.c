/* digest.c -- the figures and words of a breach digest; see digest.h.
 * Every string from outside (subjects, names) goes through common/text.c
 * before it is written, and is HTML-escaped before the HTML part. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/text.h"
#include "common/tz.h"
#include "rules/conf.h"
#include "rules/digest.h"
#include "rules/notify.h"

#define DIGEST_NAME_MAX		64	/* bytes of a department or channel name */
#define DIGEST_BAR_PX		200	/* the longest bar: fits a 320px phone */

void
digest_init(struct digest *d, time_t from, time_t to)
{
	memset(d, 0, sizeof(*d));
	d->from = from;
	d->to = to;
	d->zone = "UTC";
}

static void
counts_free(struct digest_count *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

void
digest_release(struct digest *d)
{
	size_t i;

	if (d == NULL)
		return;
	counts_free(d->departments, d->departments_count);
	counts_free(d->channels, d->channels_count);
	for (i = 0; i < d->tickets_count; i++) {
		free(d->tickets[i].subject);
		free(d->tickets[i].owner);
	}
	free(d->tickets);
	memset(d, 0, sizeof(*d));
}

static int
name_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		*oom = 1;
	return p;
}

/* The group named name in *v, added when new (past the ceiling, the
 * last one stands for all the others). */
static struct digest_count *
group(struct digest_count **v, size_t *count, const char *name, struct err *e)
{
	struct digest_count *n;
	size_t i;
	int oom = 0;

	for (i = 0; i < *count; i++)
		if (name_eq((*v)[i].name, name))
			return &(*v)[i];
	if (*count >= DIGEST_GROUPS_MAX)
		return &(*v)[*count - 1];
	if ((n = realloc(*v, (*count + 1) * sizeof(**v))) == NULL) {
		(void)err_set(e, ERR_NOMEM, "out of memory counting a digest");
		return NULL;
	}
	*v = n;
	memset(&n[*count], 0, sizeof(n[*count]));
	n[*count].name = dup_or_null(name, &oom);
	if (oom) {
		(void)err_set(e, ERR_NOMEM, "out of memory counting a digest");
		return NULL;
	}
	return &n[(*count)++];
}

static void
count(struct digest_count *c, int breach)
{
	if (breach)
		c->breaches++;
	else
		c->warnings++;
}

/* Who owns the ticket, as notify_recipients decides it. */
static const char *
owner_of(const struct conf *conf, const char *owner, const char *department, int tier)
{
	const struct conf_department *dep;
	const struct conf_tier *ct;

	if (owner != NULL && *owner != '\0')
		return owner;
	if (conf != NULL && department != NULL &&
	    (dep = conf_department_find(conf, department)) != NULL && dep->owner != NULL)
		return dep->owner;
	if (conf != NULL && (ct = conf_tier_find(conf, tier)) != NULL)
		return ct->owner;
	return NULL;
}

int
digest_add(struct digest *d, const struct conf *conf, int64_t ticket, int breach,
    int tier, int ticket_tier, const char *department, const char *channel,
    const char *subject, const char *owner, long late, struct err *e)
{
	struct digest_count *c;
	struct digest_ticket *t, *n;
	int oom = 0;

	if (breach)
		d->breaches++;
	else
		d->warnings++;
	if (tier >= TIER_MIN && tier <= TIER_MAX)
		count(&d->tiers[tier], breach);
	if ((c = group(&d->departments, &d->departments_count, department, e)) == NULL)
		return -1;
	count(c, breach);
	if ((c = group(&d->channels, &d->channels_count, channel, e)) == NULL)
		return -1;
	count(c, breach);

	t = d->tickets_count > 0 ? &d->tickets[d->tickets_count - 1] : NULL;
	if (t == NULL || t->id != ticket) {
		if ((n = realloc(d->tickets, (d->tickets_count + 1) * sizeof(*n))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory listing a digest's tickets");
		d->tickets = n;
		t = &n[d->tickets_count++];
		memset(t, 0, sizeof(*t));
		t->id = ticket;
		t->tier = ticket_tier;
		t->subject = dup_or_null(subject, &oom);
		t->owner = dup_or_null(owner_of(conf, owner, department, ticket_tier), &oom);
		if (oom)
			return err_set(e, ERR_NOMEM, "out of memory listing a digest's tickets");
	}
	if (breach) {
		t->breaches++;
		if (late > t->late)
			t->late = late;
	} else
		t->warnings++;
	return 0;
}

static int
worse(const void *a, const void *b)
{
	const struct digest_ticket *x = a, *y = b;

	if (x->late != y->late)
		return x->late > y->late ? -1 : 1;
	if (x->breaches != y->breaches)
		return x->breaches > y->breaches ? -1 : 1;
	if (x->warnings != y->warnings)
		return x->warnings > y->warnings ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
by_name(const void *a, const void *b)
{
	const struct digest_count *x = a, *y = b;

	if (x->name == NULL || y->name == NULL)	/* "none" last */
		return (x->name == NULL) - (y->name == NULL);
	return strcmp(x->name, y->name);
}

void
digest_finish(struct digest *d)
{
	if (d->tickets_count > 1)
		qsort(d->tickets, d->tickets_count, sizeof(*d->tickets), worse);
	if (d->departments_count > 1)
		qsort(d->departments, d->departments_count, sizeof(*d->departments), by_name);
	if (d->channels_count > 1)
		qsort(d->channels, d->channels_count, sizeof(*d->channels), by_name);
}

int
digest_percent(long due, long met)
{
	if (due <= 0)
		return -1;
	return (int)((met * 100 + due / 2) / due);
}

/*
 * Words.
 */

#define DIGEST_WRAP	72	/* columns of the text part */

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "24 h", "7 days", "90 min": the window as one says it. */
static char *
span_words(long s, char *buf, size_t len)
{
	if (s == 3600)
		(void)snprintf(buf, len, "hour");
	else if (s >= 2 * 86400 && s % 86400 == 0)
		(void)snprintf(buf, len, "%ld days", s / 86400);
	else if (s >= 3600 && s % 3600 == 0)
		(void)snprintf(buf, len, "%ld h", s / 3600);
	else
		(void)notify_duration_words(s, buf, len);
	return buf;
}

/* "3 breaches and 5 warnings", "1 breach", "no breach or warning" */
static int
count_words(struct buf *b, long breaches, long warnings, struct err *e)
{
	if (breaches == 0 && warnings == 0)
		return buf_addstr(b, "no breach or warning", e);
	if (warnings == 0)
		return buf_printf(b, e, "%ld %s", breaches, plural(breaches, "breach", "breaches"));
	if (breaches == 0)
		return buf_printf(b, e, "%ld %s", warnings, plural(warnings, "warning", "warnings"));
	return buf_printf(b, e, "%ld %s and %ld %s", breaches, plural(breaches, "breach",
	    "breaches"), warnings, plural(warnings, "warning", "warnings"));
}

/* The tiers with any, worst first: most breaches, then most warnings. */
static size_t
tiers_worst(const struct digest *d, int *out)
{
	size_t n = 0, i, j;
	int t, x;

	for (t = TIER_MIN; t <= TIER_MAX; t++)
		if (d->tiers[t].breaches + d->tiers[t].warnings > 0)
			out[n++] = t;
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			const struct digest_count *a = &d->tiers[out[j - 1]], *c = &d->tiers[out[j]];

			if (c->breaches < a->breaches || (c->breaches == a->breaches &&
			    c->warnings <= a->warnings))
				break;
			x = out[j - 1];
			out[j - 1] = out[j];
			out[j] = x;
		}
	return n;
}

/* The percent met as words show it: never 100% while one was missed
 * nor 0% while one was met, which rounding alone would say (199 of
 * 200); -1 when none was due.  The JSON keeps digest_percent's. */
static int
shown_percent(long due, long met)
{
	int p = digest_percent(due, met);

	if (p == 100 && met < due)
		return 99;
	if (p == 0 && met > 0)
		return 1;
	return p;
}

/* "5 of 6 SLA deadlines due were met (83%), up from 60% in the previous
 * 24 h": a count first, as a manager checks it, then the percent; the
 * cases where a percent says nothing (one, all, none) in words. */
static int
compliance(const struct digest *d, const char *span, struct buf *b, struct err *e)
{
	int pct = shown_percent(d->due, d->met), prev = shown_percent(d->prev_due, d->prev_met);
	int r;

	if (d->due <= 0)
		return buf_addstr(b, "No SLA deadline was due.", e);
	if (d->due == 1)
		r = buf_printf(b, e, "The one SLA deadline due was %s", d->met > 0 ? "met" :
		    "missed");
	else if (d->met >= d->due)
		r = buf_printf(b, e, "All %ld SLA deadlines due were met", d->due);
	else if (d->met == 0)
		r = buf_printf(b, e, "None of the %ld SLA deadlines due was met", d->due);
	else
		r = buf_printf(b, e, "%ld of %ld SLA deadlines due %s met (%d%%)", d->met, d->due,
		    plural(d->met, "was", "were"), pct);
	if (r == -1)
		return -1;
	if (prev < 0)
		r = buf_printf(b, e, "; none was due in the previous %s", span);
	else if (pct != prev)
		r = buf_printf(b, e, ", %s from %d%% in the previous %s", pct > prev ? "up" :
		    "down", prev, span);
	else
		r = buf_printf(b, e, ", as in the previous %s", span);
	return r == -1 ? -1 : buf_addch(b, '.', e);
}

/* The summary, in sentences: how many, which tier worst, compliance and
 * its trend against the window before. */
static int
summary(const struct digest *d, struct buf *b, struct err *e)
{
	int worst[TIER_MAX + 1];
	char span[48];
	size_t n = tiers_worst(d, worst);

	span_words((long)(d->to - d->from), span, sizeof(span));
	if (buf_addstr(b, d->breaches + d->warnings == 0 ? "No" : "", e) == -1 ||
	    (d->breaches + d->warnings == 0 ? buf_addstr(b, " SLA breach or warning", e) :
	    count_words(b, d->breaches, d->warnings, e)) == -1 ||
	    buf_printf(b, e, " in the last %s", span) == -1)
		return -1;
	if (n == 1 && buf_printf(b, e, ", all in tier %d", worst[0]) == -1)
		return -1;
	if (n > 1 && (buf_printf(b, e, "; the most in tier %d (", worst[0]) == -1 ||
	    count_words(b, d->tiers[worst[0]].breaches, d->tiers[worst[0]].warnings,
	    e) == -1 || buf_addch(b, ')', e) == -1))
		return -1;
	return buf_addstr(b, ". ", e) == -1 ? -1 : compliance(d, span, b, e);
}

int
digest_subject(const struct digest *d, struct buf *b, struct err *e)
{
	char span[48];
	int pct = shown_percent(d->due, d->met);
	int prev = shown_percent(d->prev_due, d->prev_met);

	if (buf_addstr(b, "SLA digest: ", e) == -1 ||
	    count_words(b, d->breaches, d->warnings, e) == -1 ||
	    buf_printf(b, e, " in the last %s", span_words((long)(d->to - d->from), span,
	    sizeof(span))) == -1)
		return -1;
	if (pct >= 0 && buf_printf(b, e, "; %d%% of deadlines met", pct) == -1)
		return -1;
	return pct >= 0 && prev >= 0 ? buf_printf(b, e, " (was %d%%)", prev) : 0;
}

/* "Mon 1 Jun 2026 08:00 to Tue 2 Jun 2026 08:00 Europe/Berlin" */
static int
window_words(const struct digest *d, struct buf *b, struct err *e)
{
	char from[TZ_FORMAT_MAX], to[TZ_FORMAT_MAX];

	return buf_printf(b, e, "%s to %s ", tz_format(d->tz, d->from, 0, from, sizeof(from)),
	    tz_format(d->tz, d->to, 0, to, sizeof(to))) == -1 ||
	    text_oneline(b, d->zone, 64, e) == -1 ? -1 : 0;
}

static int
text_group(const struct digest_count *c, size_t n, const char *none, struct buf *b,
    struct err *e)
{
	struct buf name = BUF_INIT(DIGEST_NAME_MAX * 4);
	size_t i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		buf_reset(&name);
		if ((ret = text_oneline(&name, c[i].name != NULL ? c[i].name : none,
		    DIGEST_NAME_MAX, e)) == 0 && name.len == 0)
			ret = buf_addstr(&name, none, e);
		if (ret == 0)
			ret = buf_printf(b, e, "  %-24s %4ld %s, %ld %s\n", name.buf,
			    c[i].breaches, plural(c[i].breaches, "breach", "breaches"),
			    c[i].warnings, plural(c[i].warnings, "warning", "warnings"));
	}
	buf_release(&name);
	return ret;
}

static int
tiers_as_groups(const struct digest *d, struct digest_count *out, char names[][24],
    size_t *n)
{
	int i;

	*n = 0;
	for (i = TIER_MIN; i <= TIER_MAX; i++) {
		if (d->tiers[i].breaches + d->tiers[i].warnings == 0)
			continue;
		(void)snprintf(names[*n], 24, "tier %d", i);
		out[*n] = d->tiers[i];
		out[*n].name = names[*n];
		(*n)++;
	}
	return 0;
}

/* Tickets that breached, then those only warned: how many of each. */
static size_t
breached_count(const struct digest *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->tickets_count && i < DIGEST_WORST; i++)
		n += d->tickets[i].breaches > 0;
	return n;
}

/* "22 h late, 2 breaches; tier 2, owner t2@example.com" */
static int
ticket_words(const struct digest_ticket *t, struct buf *b, struct err *e)
{
	char late[48];

	if (t->breaches > 0 && buf_printf(b, e, "%s late, %ld %s; ",
	    notify_duration_words(t->late, late, sizeof(late)), t->breaches,
	    plural(t->breaches, "breach", "breaches")) == -1)
		return -1;
	if (t->breaches == 0 && buf_printf(b, e, "%ld %s, not late; ", t->warnings,
	    plural(t->warnings, "warning", "warnings")) == -1)
		return -1;
	if (t->owner == NULL || *t->owner == '\0')
		return buf_printf(b, e, "tier %d, no owner", t->tier);
	return buf_printf(b, e, "tier %d, owner ", t->tier) == -1 ||
	    text_oneline(b, t->owner, 256, e) == -1 ? -1 : 0;
}

static int
text_tickets(const struct digest *d, struct buf *b, struct err *e)
{
	struct buf line = BUF_INIT(4096);
	size_t i, shown = d->tickets_count < DIGEST_WORST ? d->tickets_count : DIGEST_WORST;
	size_t breached = breached_count(d);
	int ret = 0;

	for (i = 0; i < shown && ret == 0; i++) {
		const struct digest_ticket *t = &d->tickets[i];

		if (i == 0 && breached > 0)
			ret = buf_printf(b, e, "\nBreached: answer or resolve these first "
			    "(%zu %s)\n", breached, plural((long)breached, "ticket", "tickets"));
		else if (i == breached)
			ret = buf_printf(b, e, "\nWarned, not late yet (%zu %s)\n", shown - breached,
			    plural((long)(shown - breached), "ticket", "tickets"));
		buf_reset(&line);
		if (ret == 0)
			ret = buf_printf(b, e, "  #%-5lld ", (long long)t->id) == -1 ||
			    text_oneline(&line, t->subject != NULL && *t->subject != '\0' ?
			    t->subject : "(no subject)", NOTIFY_SUBJECT_MAX, e) == -1 ||
			    text_wrap(b, line.buf, 9, DIGEST_WRAP, 9, e) == -1 ||
			    buf_printf(b, e, "\n%9s", "") == -1 ? -1 : 0;
		buf_reset(&line);
		if (ret == 0)
			ret = ticket_words(t, &line, e) == -1 ||
			    text_wrap(b, line.buf, 9, DIGEST_WRAP, 9, e) == -1 ||
			    buf_addch(b, '\n', e) == -1 ? -1 : 0;
	}
	if (ret == 0 && d->tickets_count > shown)
		ret = buf_printf(b, e, "  and %zu more %s\n", d->tickets_count - shown,
		    plural((long)(d->tickets_count - shown), "ticket", "tickets"));
	if (ret == 0 && shown > 0)
		ret = buf_printf(b, e, "\nEach ticket's thread and history: escalator show "
		    "NUMBER\n");
	buf_release(&line);
	return ret;
}

int
digest_text(const struct digest *d, struct buf *b, struct err *e)
{
	struct digest_count tiers[TIER_MAX + 1];
	struct buf line = BUF_INIT(4096);
	char tnames[TIER_MAX + 1][24];
	size_t n;
	int r;

	r = buf_addstr(b, "SLA digest, ", e) == -1 || window_words(d, &line, e) == -1 ||
	    text_wrap(b, line.buf, 12, DIGEST_WRAP, 0, e) == -1 ||
	    buf_addstr(b, "\n\n", e) == -1 ? -1 : 0;
	buf_reset(&line);
	if (r == 0)
		r = summary(d, &line, e) == -1 || text_wrap(b, line.buf, 0, DIGEST_WRAP, 0, e) == -1 ||
		    buf_addch(b, '\n', e) == -1 ? -1 : 0;
	buf_release(&line);
	if (r == -1)
		return -1;
	if (d->breaches + d->warnings == 0)
		return buf_addstr(b, "\nNothing needs action.\n", e);
	if (text_tickets(d, b, e) == -1)
		return -1;

	(void)tiers_as_groups(d, tiers, tnames, &n);
	return buf_addstr(b, "\nBy tier\n", e) == -1 || text_group(tiers, n, "", b, e) == -1 ||
	    buf_addstr(b, "\nBy department\n", e) == -1 ||
	    text_group(d->departments, d->departments_count, "(none)", b, e) == -1 ||
	    buf_addstr(b, "\nBy channel\n", e) == -1 ||
	    text_group(d->channels, d->channels_count, "(none)", b, e) == -1 ? -1 : 0;
}

/*
 * HTML: tables for layout, inline styles and bgcolor for the bars, as
 * Outlook draws neither <div> sizes nor <style> blocks; nothing fetched.
 */

#define CELL	"padding:3px 10px 3px 0;vertical-align:top"
#define H3	"margin:20px 0 6px;font-size:15px"

static long
bar_px(long n, long max)
{
	if (n <= 0 || max <= 0)
		return 0;
	return n * DIGEST_BAR_PX / max > 2 ? n * DIGEST_BAR_PX / max : 2;
}

static int
html_bar(struct buf *b, long px, const char *color, struct err *e)
{
	if (px <= 0)
		return 0;
	return buf_printf(b, e, "<table role=\"presentation\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\"><tr><td width=\"%ld\" height=\"8\" bgcolor=\"%s\" "
	    "style=\"width:%ldpx;height:8px;background:%s;font-size:1px;line-height:1px\">"
	    "&nbsp;</td></tr></table>", px, color, px, color);
}

/* A table of groups, each with a red bar for breaches and an amber one
 * for warnings in a row of their own below its counts: beside them, the
 * longest bar and the columns were wider than a phone's screen. */
static int
html_group(const char *title, const struct digest_count *c, size_t n,
    const char *none, long max, struct buf *b, struct err *e)
{
	size_t i;

	if (buf_printf(b, e, "<h3 style=\"" H3 "\">%s</h3>\n<table role=\"presentation\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse\">\n"
	    "<tr><th align=\"left\" style=\"" CELL ";text-align:left\"></th><th align=\"right\" "
	    "style=\"" CELL ";text-align:right\">Breaches</th><th align=\"right\" style=\"" CELL
	    ";text-align:right\">Warnings</th></tr>\n", title) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (buf_addstr(b, "<tr><td style=\"" CELL "\">", e) == -1 ||
		    text_html(b, c[i].name != NULL && *c[i].name != '\0' ? c[i].name : none,
		    DIGEST_NAME_MAX, e) == -1 ||
		    buf_printf(b, e, "</td><td align=\"right\" style=\"" CELL ";text-align:right\">"
		    "%ld</td><td align=\"right\" style=\"" CELL ";text-align:right\">%ld</td></tr>\n"
		    "<tr><td colspan=\"3\" "
		    "style=\"padding:0 0 6px\">", c[i].breaches, c[i].warnings) == -1 ||
		    html_bar(b, bar_px(c[i].breaches, max), "#c0392b", e) == -1 ||
		    html_bar(b, bar_px(c[i].warnings, max), "#e6a23c", e) == -1 ||
		    buf_addstr(b, "</td></tr>\n", e) == -1)
			return -1;
	}
	return buf_addstr(b, "</table>\n", e);
}

static long
group_max(const struct digest_count *c, size_t n, long max)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (c[i].breaches > max)
			max = c[i].breaches;
		if (c[i].warnings > max)
			max = c[i].warnings;
	}
	return max;
}

static int
html_tickets(const struct digest *d, struct buf *b, struct err *e)
{
	struct buf line = BUF_INIT(4096);
	size_t i, shown = d->tickets_count < DIGEST_WORST ? d->tickets_count : DIGEST_WORST;
	size_t breached = breached_count(d);
	int ret = 0;

	for (i = 0; i < shown && ret == 0; i++) {
		const struct digest_ticket *t = &d->tickets[i];

		if (i == 0 || i == breached)
			ret = buf_printf(b, e, "%s<h3 style=\"" H3 "\">%s (%zu %s)</h3>\n"
			    "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
			    "border=\"0\" style=\"border-collapse:collapse\">\n",
			    i > 0 ? "</table>\n" : "", i < breached ?
			    "Breached: answer or resolve these first" : "Warned, not late yet",
			    i < breached ? breached : shown - breached,
			    plural((long)(i < breached ? breached : shown - breached), "ticket",
			    "tickets"));
		buf_reset(&line);
		if (ret == 0)
			ret = buf_printf(b, e, "<tr><td style=\"" CELL ";font-weight:bold;"
			    "white-space:nowrap;color:%s\">#%lld</td><td style=\"" CELL "\">",
			    t->breaches > 0 ? "#b00020" : "#a05a00", (long long)t->id) == -1 ||
			    text_html(b, t->subject != NULL && *t->subject != '\0' ? t->subject :
			    "(no subject)", NOTIFY_SUBJECT_MAX, e) == -1 ||
			    buf_addstr(b, "<br><span style=\"color:#555555\">", e) == -1 ||
			    ticket_words(t, &line, e) == -1 ||
			    text_html_words(b, line.buf, e) == -1 ||
			    buf_addstr(b, "</span></td></tr>\n", e) == -1 ? -1 : 0;
	}
	if (ret == 0 && shown > 0)
		ret = buf_addstr(b, "</table>\n", e);
	if (ret == 0 && d->tickets_count > shown)
		ret = buf_printf(b, e, "<p style=\"margin:4px 0\">and %zu more %s</p>\n",
		    d->tickets_count - shown, plural((long)(d->tickets_count - shown), "ticket",
		    "tickets"));
	if (ret == 0 && shown > 0)
		ret = buf_addstr(b, "<p style=\"margin:8px 0;color:#555555\">Each ticket's "
		    "thread and history: <code>escalator show NUMBER</code></p>\n", e);
	buf_release(&line);
	return ret;
}

int
digest_html(const struct digest *d, struct buf *b, struct err *e)
{
	struct digest_count tiers[TIER_MAX + 1];
	struct buf line = BUF_INIT(4096);
	char tnames[TIER_MAX + 1][24];
	size_t n;
	long max;
	int r;

	(void)tiers_as_groups(d, tiers, tnames, &n);
	max = group_max(tiers, n, 0);
	max = group_max(d->departments, d->departments_count, max);
	max = group_max(d->channels, d->channels_count, max);
	r = buf_addstr(&line, "SLA digest, ", e) == -1 || window_words(d, &line, e) == -1 ||
	    notify_html_open(b, line.buf, "#222222", e) == -1 ||
	    text_html_words(b, line.buf, e) == -1 ||
	    buf_addstr(b, "</p>\n<p style=\"margin:0 0 12px;font-size:15px\">", e) == -1 ? -1 : 0;
	buf_reset(&line);
	if (r == 0)
		r = summary(d, &line, e) == -1 || text_html_words(b, line.buf, e) == -1 ||
		    buf_addstr(b, "</p>\n", e) == -1 ? -1 : 0;
	buf_release(&line);
	if (r == -1)
		return -1;
	if (d->breaches + d->warnings == 0)
		return buf_addstr(b, "<p>Nothing needs action.</p>\n", e) == -1 ? -1 :
		    notify_html_close(b, NULL, e);
	if (html_tickets(d, b, e) == -1 ||
	    html_group("By tier", tiers, n, "", max, b, e) == -1 ||
	    html_group("By department", d->departments, d->departments_count, "(none)", max,
	    b, e) == -1 ||
	    html_group("By channel", d->channels, d->channels_count, "(none)", max, b, e) == -1)
		return -1;
	return notify_html_close(b, NULL, e);
}
