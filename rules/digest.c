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
#include "rules/conf.h"
#include "rules/digest.h"
#include "rules/notify.h"

#define DIGEST_NAME_MAX		64	/* bytes of a department or channel name */
#define DIGEST_BAR_PX		240	/* the longest bar of the chart */

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

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "2026-06-01 08:00" in the digest's zone. */
static char *
local_time(const struct digest *d, time_t t, char *buf, size_t len)
{
	time_t local = t + d->offset;
	struct tm tm;

	if (gmtime_r(&local, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		(void)snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

/* "92% of 25 clocks met" or "no clock was due" */
static int
compliance_words(struct buf *b, long due, long met, struct err *e)
{
	int pct = digest_percent(due, met);

	if (pct < 0)
		return buf_addstr(b, "no clock was due", e);
	return buf_printf(b, e, "%d%% of %ld %s met", pct, due, plural(due, "clock", "clocks"));
}

static int
compliance_line(const struct digest *d, struct buf *b, struct err *e)
{
	int prev = digest_percent(d->prev_due, d->prev_met);

	if (compliance_words(b, d->due, d->met, e) == -1)
		return -1;
	if (prev < 0)
		return buf_addstr(b, " (previous: no clock was due)", e);
	return buf_printf(b, e, " (previous %d%%)", prev);
}

/* "24h", "7d", "90m": the window as one would ask for it. */
static char *
span_words(long s, char *buf, size_t len)
{
	if (s >= 2 * 86400 && s % 86400 == 0)
		(void)snprintf(buf, len, "%ldd", s / 86400);
	else if (s >= 3600 && s % 3600 == 0)
		(void)snprintf(buf, len, "%ldh", s / 3600);
	else
		(void)notify_duration(s, buf, len);
	return buf;
}

int
digest_subject(const struct digest *d, struct buf *b, struct err *e)
{
	char span[32];
	int pct = digest_percent(d->due, d->met);

	if (buf_printf(b, e, "SLA digest: %ld %s, %ld %s in the last %s", d->breaches,
	    plural(d->breaches, "breach", "breaches"), d->warnings,
	    plural(d->warnings, "warning", "warnings"),
	    span_words((long)(d->to - d->from), span, sizeof(span))) == -1)
		return -1;
	if (pct >= 0 && buf_printf(b, e, " (%d%% met)", pct) == -1)
		return -1;
	return 0;
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
tiers_as_groups(const struct digest *d, struct digest_count *out, char names[][16],
    size_t *n)
{
	int i;

	*n = 0;
	for (i = TIER_MIN; i <= TIER_MAX; i++) {
		if (d->tiers[i].breaches + d->tiers[i].warnings == 0)
			continue;
		(void)snprintf(names[*n], 16, "tier %d", i);
		out[*n] = d->tiers[i];
		out[*n].name = names[*n];
		(*n)++;
	}
	return 0;
}

int
digest_text(const struct digest *d, struct buf *b, struct err *e)
{
	struct digest_count tiers[TIER_MAX + 1];
	char tnames[TIER_MAX + 1][16], from[32], to[32], late[32];
	size_t i, n;
	int ret;

	if (buf_printf(b, e, "SLA digest from %s to %s (%s)\n\n",
	    local_time(d, d->from, from, sizeof(from)), local_time(d, d->to, to, sizeof(to)),
	    d->zone) == -1 ||
	    buf_printf(b, e, "Breaches:   %ld\nWarnings:   %ld\nCompliance: ", d->breaches,
	    d->warnings) == -1 || compliance_line(d, b, e) == -1 || buf_addstr(b, "\n", e) == -1)
		return -1;
	if (d->breaches + d->warnings == 0)
		return buf_addstr(b, "\nNo SLA warning or breach in this window.\n", e);

	(void)tiers_as_groups(d, tiers, tnames, &n);
	if (buf_addstr(b, "\nBy tier\n", e) == -1 || text_group(tiers, n, "", b, e) == -1 ||
	    buf_addstr(b, "\nBy department\n", e) == -1 ||
	    text_group(d->departments, d->departments_count, "(none)", b, e) == -1 ||
	    buf_addstr(b, "\nBy channel\n", e) == -1 ||
	    text_group(d->channels, d->channels_count, "(none)", b, e) == -1)
		return -1;

	if (buf_addstr(b, "\nWorst tickets\n", e) == -1)
		return -1;
	for (i = 0; i < d->tickets_count && i < DIGEST_WORST; i++) {
		const struct digest_ticket *t = &d->tickets[i];

		if (buf_printf(b, e, "  #%lld ", (long long)t->id) == -1 ||
		    text_oneline(b, t->subject != NULL && *t->subject != '\0' ? t->subject :
		    "(no subject)", NOTIFY_SUBJECT_MAX, e) == -1 ||
		    buf_printf(b, e, "\n      tier %d, owner ", t->tier) == -1 ||
		    text_oneline(b, t->owner != NULL ? t->owner : "(none)", 256, e) == -1)
			return -1;
		if (t->breaches > 0)
			ret = buf_printf(b, e, ", %s late, %ld %s\n",
			    notify_duration(t->late, late, sizeof(late)), t->breaches,
			    plural(t->breaches, "breach", "breaches"));
		else
			ret = buf_printf(b, e, ", not late, %ld %s\n", t->warnings,
			    plural(t->warnings, "warning", "warnings"));
		if (ret == -1)
			return -1;
	}
	return 0;
}

/*
 * HTML.
 */

static int
html_escape(struct buf *b, const char *s, struct err *e)
{
	int ret = 0;

	for (; *s != '\0' && ret == 0; s++) {
		switch (*s) {
		case '<': ret = buf_addstr(b, "&lt;", e); break;
		case '>': ret = buf_addstr(b, "&gt;", e); break;
		case '&': ret = buf_addstr(b, "&amp;", e); break;
		case '"': ret = buf_addstr(b, "&quot;", e); break;
		case '\'': ret = buf_addstr(b, "&#39;", e); break;
		default: ret = buf_addch(b, (unsigned char)*s, e); break;
		}
	}
	return ret;
}

/* Outside text on one line, escaped. */
static int
html_text(struct buf *b, const char *s, size_t max, struct err *e)
{
	struct buf tmp = BUF_INIT(max * 4 + 16);
	int ret;

	if ((ret = text_oneline(&tmp, s, max, e)) == 0 && tmp.len > 0)
		ret = html_escape(b, tmp.buf, e);
	buf_release(&tmp);
	return ret;
}

static long
bar_px(long n, long max)
{
	if (n <= 0 || max <= 0)
		return 0;
	return n * DIGEST_BAR_PX / max > 2 ? n * DIGEST_BAR_PX / max : 2;
}

/* A table of groups, each with a red bar for breaches and an amber one
 * for warnings, in HTML and CSS only (no images, nothing fetched). */
static int
html_group(const char *title, const struct digest_count *c, size_t n,
    const char *none, long max, struct buf *b, struct err *e)
{
	size_t i;

	if (buf_printf(b, e, "<h3 style=\"margin:16px 0 4px\">%s</h3>\n"
	    "<table style=\"border-collapse:collapse\">\n", title) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (buf_addstr(b, "<tr><td style=\"padding:2px 12px 2px 0\">", e) == -1 ||
		    html_text(b, c[i].name != NULL ? c[i].name : none, DIGEST_NAME_MAX, e) == -1 ||
		    buf_printf(b, e, "</td><td style=\"padding:2px 8px;text-align:right\">%ld</td>"
		    "<td style=\"padding:2px 8px;text-align:right\">%ld</td><td>"
		    "<div style=\"background:#c0392b;height:8px;width:%ldpx;margin:1px 0\"></div>"
		    "<div style=\"background:#e6a23c;height:8px;width:%ldpx;margin:1px 0\"></div>"
		    "</td></tr>\n", c[i].breaches, c[i].warnings, bar_px(c[i].breaches, max),
		    bar_px(c[i].warnings, max)) == -1)
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

int
digest_html(const struct digest *d, struct buf *b, struct err *e)
{
	struct digest_count tiers[TIER_MAX + 1];
	char tnames[TIER_MAX + 1][16], from[32], to[32], late[32];
	size_t i, n;
	long max;

	(void)tiers_as_groups(d, tiers, tnames, &n);
	max = group_max(tiers, n, 0);
	max = group_max(d->departments, d->departments_count, max);
	max = group_max(d->channels, d->channels_count, max);
	if (buf_printf(b, e, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
	    "<body style=\"font-family:sans-serif\">\n<h2>SLA digest</h2>\n"
	    "<p>From %s to %s (", local_time(d, d->from, from, sizeof(from)),
	    local_time(d, d->to, to, sizeof(to))) == -1 || html_escape(b, d->zone, e) == -1 ||
	    buf_printf(b, e, ")</p>\n<p><b>Breaches:</b> %ld<br>\n<b>Warnings:</b> %ld<br>\n"
	    "<b>Compliance:</b> ", d->breaches, d->warnings) == -1 ||
	    compliance_line(d, b, e) == -1 || buf_addstr(b, "</p>\n", e) == -1)
		return -1;
	if (d->breaches + d->warnings == 0)
		return buf_addstr(b, "<p>No SLA warning or breach in this window.</p>\n"
		    "</body></html>\n", e);
	if (buf_addstr(b, "<p style=\"font-size:small\">Columns: breaches, warnings; "
	    "<span style=\"color:#c0392b\">&#9632; breaches</span> "
	    "<span style=\"color:#e6a23c\">&#9632; warnings</span></p>\n", e) == -1 ||
	    html_group("By tier", tiers, n, "", max, b, e) == -1 ||
	    html_group("By department", d->departments, d->departments_count, "(none)", max,
	    b, e) == -1 ||
	    html_group("By channel", d->channels, d->channels_count, "(none)", max, b, e) == -1)
		return -1;

	if (buf_addstr(b, "<h3 style=\"margin:16px 0 4px\">Worst tickets</h3>\n"
	    "<table style=\"border-collapse:collapse\">\n<tr><th align=\"left\">Ticket</th>"
	    "<th align=\"left\">Subject</th><th>Tier</th><th align=\"left\">Owner</th>"
	    "<th>Late</th><th>Breaches</th></tr>\n", e) == -1)
		return -1;
	for (i = 0; i < d->tickets_count && i < DIGEST_WORST; i++) {
		const struct digest_ticket *t = &d->tickets[i];

		if (buf_printf(b, e, "<tr><td style=\"padding:2px 8px\">#%lld</td>"
		    "<td style=\"padding:2px 8px\">", (long long)t->id) == -1 ||
		    html_text(b, t->subject != NULL && *t->subject != '\0' ? t->subject :
		    "(no subject)", NOTIFY_SUBJECT_MAX, e) == -1 ||
		    buf_printf(b, e, "</td><td style=\"padding:2px 8px;text-align:center\">%d</td>"
		    "<td style=\"padding:2px 8px\">", t->tier) == -1 ||
		    html_text(b, t->owner != NULL ? t->owner : "(none)", 256, e) == -1 ||
		    buf_printf(b, e, "</td><td style=\"padding:2px 8px;text-align:right\">%s</td>"
		    "<td style=\"padding:2px 8px;text-align:right\">%ld</td></tr>\n",
		    t->breaches > 0 ? notify_duration(t->late, late, sizeof(late)) : "-",
		    t->breaches) == -1)
			return -1;
	}
	return buf_addstr(b, "</table>\n</body></html>\n", e);
}
