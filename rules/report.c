/* report.c -- the figures and words of `escalator report`; see report.h.
 *
 * One pass: report_ticket keeps a small record per ticket of the window
 * (group indexes instead of strings, interned once per distinct value),
 * report_event updates the record of its ticket, report_finish folds the
 * records into the counts.  Event details are JSON objects; a tiny
 * scanner reads the few top-level members wanted (type, from, to, late,
 * direction) without building a tree, since a report reads millions of
 * events; a string with escapes falls back to jansson.  Every outside
 * string (department, channel, tag) goes through text_oneline and is
 * HTML-escaped in the HTML page. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/text.h"
#include "common/util.h"
#include "rules/conf.h"
#include "rules/notify.h"
#include "rules/report.h"
#include "rules/sla.h"

#define OPEN_MAX	4	/* escalations of a ticket awaiting their outcome: one
				 * per tier it climbed; then the oldest is dropped */
#define NAME_MAX_BYTES	48	/* of a group name in text and HTML */

_Static_assert(REPORT_SLA_KINDS == SLA_KINDS, "one SLA total per clock kind");
_Static_assert(TIER_MAX < 8, "tier sets are bytes");

/* The record of one ticket while events come. */
struct tk {
	int64_t		 id;
	time_t		 created, resolved;
	time_t		 last_reply;	/* the latest reply from the team seen */
	int32_t		 dept, chan, tagset;	/* group indexes; tagset -1: no tags */
	int32_t		 handoffs;
	uint16_t	 escalations, over, late;
	uint8_t		 status, priority, tier;
	uint8_t		 visited, esc_out;	/* sets of tiers */
	int8_t		 cur;		/* tier after the last move; -1 unknown */
	int8_t		 last_esc;	/* tier left by the last escalation, while
					 * a late hand-off may still mark it; -1 */
	uint8_t		 breach;	/* an SLA breach since the last move */
	uint8_t		 open_count;
	struct {
		time_t	 at;
		int8_t	 from;
		uint8_t	 replied;	/* the team replied after it */
	}		 open[OPEN_MAX];
};

/* Interned names: groups with an open-addressing hash on the name. */
struct groups {
	struct report_group *v;
	size_t		 count, cap;
	int32_t		*slots;		/* index + 1; 0 empty */
	size_t		 slots_cap;	/* a power of two */
	int32_t		 none;		/* the group of NULL; -1 until needed */
};

struct tagset {
	int32_t		*tags;
	size_t		 count;
};

struct report_state {
	struct tk	*tk;
	size_t		 count, cap;
	int32_t		*map;		/* id - map_first -> index; NULL: search */
	int64_t		 map_first;
	size_t		 map_len;
	int		 map_tried;
	struct groups	 depts, chans, tags, tagsets;
	struct tagset	*sets;		/* by tagsets index */
	long		*times[TIER_MAX + 1][REPORT_PRIORITIES];	/* seconds */
	size_t		 times_count[TIER_MAX + 1][REPORT_PRIORITIES];
	size_t		 times_cap[TIER_MAX + 1][REPORT_PRIORITIES];
};

static const struct report_band bands_init[REPORT_BANDS] = {
	{ "0-1", 70, 0 }, { "2", 25, 0 }, { "3-4", 5, 0 } };

static int
band_of(int tier)
{
	return tier <= 1 ? 0 : tier == 2 ? 1 : 2;
}

void
report_init(struct report *r, time_t from, time_t to)
{
	memset(r, 0, sizeof(*r));
	r->from = from;
	r->to = to;
	memcpy(r->bands, bands_init, sizeof(r->bands));
}

static void
groups_free(struct report_group *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static void
state_free(struct report_state *s)
{
	size_t i, j;

	if (s == NULL)
		return;
	free(s->tk);
	free(s->map);
	groups_free(s->depts.v, s->depts.count);
	groups_free(s->chans.v, s->chans.count);
	groups_free(s->tags.v, s->tags.count);
	groups_free(s->tagsets.v, s->tagsets.count);
	free(s->depts.slots);
	free(s->chans.slots);
	free(s->tags.slots);
	free(s->tagsets.slots);
	for (i = 0; s->sets != NULL && i < s->tagsets.count; i++)
		free(s->sets[i].tags);
	free(s->sets);
	for (i = 0; i <= TIER_MAX; i++)
		for (j = 0; j < REPORT_PRIORITIES; j++)
			free(s->times[i][j]);
	free(s);
}

void
report_release(struct report *r)
{
	if (r == NULL)
		return;
	state_free(r->state);
	groups_free(r->departments, r->departments_count);
	groups_free(r->channels, r->channels_count);
	groups_free(r->tags, r->tags_count);
	memset(r, 0, sizeof(*r));
}

static struct report_state *
state(struct report *r, struct err *e)
{
	if (r->state == NULL) {
		if ((r->state = calloc(1, sizeof(*r->state))) == NULL) {
			(void)err_set(e, ERR_NOMEM, "out of memory making a report");
			return NULL;
		}
		r->state->depts.none = r->state->chans.none = -1;
		r->state->tags.none = r->state->tagsets.none = -1;
	}
	return r->state;
}

/*
 * Interning.
 */

static uint32_t
hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int
groups_rehash(struct groups *g, struct err *e)
{
	size_t cap = g->slots_cap ? g->slots_cap * 2 : 64, i, k;
	int32_t *slots;

	if ((slots = calloc(cap, sizeof(*slots))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory making a report");
	for (i = 0; i < g->count; i++) {
		const char *n = g->v[i].name;

		if (n == NULL)
			continue;
		for (k = hash(n, strlen(n)) & (cap - 1); slots[k] != 0; k = (k + 1) & (cap - 1))
			;
		slots[k] = (int32_t)i + 1;
	}
	free(g->slots);
	g->slots = slots;
	g->slots_cap = cap;
	return 0;
}

/* The index of the group named by len bytes at s (NULL: none), added when
 * new; past the ceiling the last group stands for the rest.  -1 error. */
static int32_t
intern(struct groups *g, const char *s, size_t len, struct err *e)
{
	struct report_group *v;
	size_t k = 0;
	int32_t i;

	if (s == NULL && g->none >= 0)
		return g->none;
	if (s != NULL) {
		if (g->slots_cap == 0 && groups_rehash(g, e) == -1)
			return -1;
		for (k = hash(s, len) & (g->slots_cap - 1); g->slots[k] != 0;
		    k = (k + 1) & (g->slots_cap - 1)) {
			const char *n = g->v[g->slots[k] - 1].name;

			if (strncmp(n, s, len) == 0 && n[len] == '\0')
				return g->slots[k] - 1;
		}
	}
	if (g->count >= REPORT_GROUPS_MAX)
		return (int32_t)g->count - 1;
	if (g->count == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;

		if ((v = realloc(g->v, cap * sizeof(*v))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory making a report");
		g->v = v;
		g->cap = cap;
	}
	v = &g->v[g->count];
	memset(v, 0, sizeof(*v));
	if (s != NULL) {
		if ((v->name = malloc(len + 1)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory making a report");
		memcpy(v->name, s, len);
		v->name[len] = '\0';
	}
	i = (int32_t)g->count++;
	if (s == NULL)
		g->none = i;
	else {
		g->slots[k] = i + 1;
		if (g->count * 2 > g->slots_cap && groups_rehash(g, e) == -1)
			return -1;
	}
	return i;
}

/* The tag set of a ticket's tags ("vip,legal"), interned whole, with the
 * tags it holds; -1 for none, -2 error. */
static int32_t
tagset(struct report_state *s, const char *tags, struct err *e)
{
	struct tagset *sets, *set;
	const char *p, *q, *end;
	int32_t i, t;
	size_t n = s->tagsets.count;

	if (tags == NULL || *tags == '\0')
		return -1;
	if ((i = intern(&s->tagsets, tags, strlen(tags), e)) < 0)
		return -2;
	if ((size_t)i < n)
		return i;
	if ((sets = realloc(s->sets, s->tagsets.cap * sizeof(*sets))) == NULL) {
		(void)err_set(e, ERR_NOMEM, "out of memory making a report");
		return -2;
	}
	s->sets = sets;
	set = &sets[i];
	memset(set, 0, sizeof(*set));
	for (p = tags; *p != '\0'; p = *q == ',' ? q + 1 : q) {
		q = p + strcspn(p, ",");
		for (end = q; end > p && end[-1] == ' '; end--)
			;
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			continue;
		if ((t = intern(&s->tags, p, (size_t)(end - p), e)) < 0)
			return -2;
		if ((set->tags = realloc(set->tags, (set->count + 1) * sizeof(*set->tags))) == NULL) {
			(void)err_set(e, ERR_NOMEM, "out of memory making a report");
			return -2;
		}
		set->tags[set->count++] = t;
	}
	return i;
}

/*
 * Collecting.
 */

static int
clamp_tier(int t)
{
	return t < TIER_MIN ? TIER_MIN : t > TIER_MAX ? TIER_MAX : t;
}

static int
clamp_prio(int p)
{
	return p < 0 ? 0 : p >= REPORT_PRIORITIES ? REPORT_PRIORITIES - 1 : p;
}

static int
time_add(struct report_state *s, int tier, int prio, long secs, struct err *e)
{
	long *v;
	size_t cap;

	if (s->times_count[tier][prio] == s->times_cap[tier][prio]) {
		cap = s->times_cap[tier][prio] ? s->times_cap[tier][prio] * 2 : 256;
		if ((v = realloc(s->times[tier][prio], cap * sizeof(*v))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory making a report");
		s->times[tier][prio] = v;
		s->times_cap[tier][prio] = cap;
	}
	s->times[tier][prio][s->times_count[tier][prio]++] = secs;
	return 0;
}

int
report_ticket(struct report *r, int64_t id, time_t created, time_t resolved, int status,
    int priority, int tier, int handoffs, const char *department, const char *channel,
    const char *tags, struct err *e)
{
	struct report_state *s;
	struct tk *t;
	size_t cap;

	if ((s = state(r, e)) == NULL)
		return -1;
	if (s->map_tried)
		return err_set(e, ERR_SOFTWARE, "report: ticket %lld after its events",
		    (long long)id);
	if (s->count > 0 && id <= s->tk[s->count - 1].id)
		return err_set(e, ERR_SOFTWARE, "report: ticket %lld out of order", (long long)id);
	if (s->count == s->cap) {
		cap = s->cap ? s->cap * 2 : 1024;
		if ((t = realloc(s->tk, cap * sizeof(*t))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory making a report");
		s->tk = t;
		s->cap = cap;
	}
	t = &s->tk[s->count];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->created = created;
	t->resolved = resolved;
	t->status = (uint8_t)(status < 0 ? 0 : status);
	t->priority = (uint8_t)clamp_prio(priority);
	t->tier = (uint8_t)clamp_tier(tier);
	t->handoffs = handoffs < 0 ? 0 : handoffs;
	t->cur = -1;
	t->last_esc = -1;
	if ((t->dept = intern(&s->depts, department, department ? strlen(department) : 0,
	    e)) < 0 || (t->chan = intern(&s->chans, channel, channel ? strlen(channel) : 0,
	    e)) < 0 || (t->tagset = tagset(s, tags, e)) == -2)
		return -1;
	if ((status == STATUS_RESOLVED || status == STATUS_CLOSED) && resolved >= created &&
	    resolved > 0 && time_add(s, t->tier, t->priority, (long)(resolved - created), e) == -1)
		return -1;
	s->count++;
	return 0;
}

void
report_ids(const struct report *r, int64_t *first, int64_t *last)
{
	const struct report_state *s = r->state;

	*first = *last = 0;
	if (s != NULL && s->count > 0) {
		*first = s->tk[0].id;
		*last = s->tk[s->count - 1].id;
	}
}

/* The record of ticket id, NULL when it is not in the window. */
static struct tk *
lookup(struct report_state *s, int64_t id)
{
	size_t lo, hi, mid, i;

	if (s->count == 0)
		return NULL;
	if (!s->map_tried) {
		s->map_tried = 1;
		s->map_first = s->tk[0].id;
		s->map_len = (size_t)(s->tk[s->count - 1].id - s->map_first) + 1;
		/* Dense ids (the usual case): a direct map, else binary search. */
		if (s->map_len <= s->count * 4 + 1024 &&
		    (s->map = malloc(s->map_len * sizeof(*s->map))) != NULL) {
			for (i = 0; i < s->map_len; i++)
				s->map[i] = -1;
			for (i = 0; i < s->count; i++)
				s->map[s->tk[i].id - s->map_first] = (int32_t)i;
		}
	}
	if (s->map != NULL) {
		if (id < s->map_first || (uint64_t)(id - s->map_first) >= s->map_len ||
		    s->map[id - s->map_first] < 0)
			return NULL;
		return &s->tk[s->map[id - s->map_first]];
	}
	for (lo = 0, hi = s->count; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (s->tk[mid].id == id)
			return &s->tk[mid];
		if (s->tk[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* What the report reads of an event's detail: top-level members only. */
struct detail {
	int		 functional;	/* type is "functional", or "to" a string */
	int		 from, to;	/* tiers; -1 absent or not a number */
	const char	*to_str;	/* "to" as a string (raw, unescaped) */
	size_t		 to_len;
	int		 to_escaped;	/* it holds a backslash escape */
	int		 late;		/* "late": true */
	int		 out;		/* "direction": "out" */
};

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* p at a '"': just past the closing one, or NULL. */
static const char *
skip_string(const char *p, int *escaped)
{
	for (p++; *p != '"'; p++) {
		if (*p == '\0')
			return NULL;
		if (*p == '\\') {
			*escaped = 1;
			if (*++p == '\0')
				return NULL;
		}
	}
	return p + 1;
}

/* p at a value: just past it (at the delimiter after a number or word),
 * or NULL. */
static const char *
skip_value(const char *p)
{
	int depth = 0, esc = 0;

	for (;;) {
		switch (*p) {
		case '\0':
			return NULL;
		case '"':
			if ((p = skip_string(p, &esc)) == NULL || depth == 0)
				return p;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
			break;
		case ',':
		case ' ':
		case '\t':
		case '\n':
		case '\r':
			if (depth == 0)
				return p;
			break;
		default:
			break;
		}
		p++;
	}
}

static int
key_is(const char *k, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(k, name, len) == 0;
}

/* A small integer at p (a tier), or -1. */
static int
small_int(const char *p)
{
	int n = 0, digits = 0;

	for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
		n = n * 10 + (*p - '0');
	return digits == 0 || (*p >= '0' && *p <= '9') ? -1 : n;
}

/* Reads the members of the object at s into d; 0, or -1 when s is not
 * an object (d then says nothing). */
static int
detail_scan(const char *s, struct detail *d)
{
	const char *p = s, *k, *v;
	int esc;
	size_t klen;

	memset(d, 0, sizeof(*d));
	d->from = d->to = -1;
	if (s == NULL || *(p = skip_ws(p)) != '{')
		return -1;
	for (p = skip_ws(p + 1); *p != '}'; p = skip_ws(p + 1)) {
		esc = 0;
		if (*p != '"' || (v = skip_string(p, &esc)) == NULL)
			return -1;
		k = p + 1;
		klen = (size_t)(v - k - 1);
		if (*(p = skip_ws(v)) != ':')
			return -1;
		p = skip_ws(p + 1);
		v = p;
		if ((p = skip_value(p)) == NULL)
			return -1;
		if (!esc) {
			if (key_is(k, klen, "type"))
				d->functional |= strncmp(v, "\"functional\"", 12) == 0;
			else if (key_is(k, klen, "from"))
				d->from = small_int(v);
			else if (key_is(k, klen, "to")) {
				if (*v == '"') {
					d->functional = 1;
					d->to_str = v + 1;
					d->to_len = (size_t)(p - v - 2);
					d->to_escaped = memchr(v + 1, '\\', d->to_len) != NULL;
				} else
					d->to = small_int(v);
			} else if (key_is(k, klen, "late"))
				d->late = strncmp(v, "true", 4) == 0;
			else if (key_is(k, klen, "direction"))
				d->out = strncmp(v, "\"out\"", 5) == 0;
		}
		if (*(p = skip_ws(p)) == '}')
			break;
		if (*p != ',')
			return -1;
	}
	return 0;
}

static void
over(struct report *r, struct tk *t, int from, int undone)
{
	struct report_tier *rt = &r->tiers[from];

	rt->over++;
	r->over++;
	t->over++;
	if (undone) {
		rt->undone++;
		r->undone++;
	} else {
		rt->unreplied++;
		r->unreplied++;
	}
}

static void
escalated_up(struct report *r, struct tk *t, time_t at, int from, int to)
{
	struct report_tier *rt = &r->tiers[from];

	rt->escalations++;
	r->escalations++;
	t->escalations++;
	t->esc_out |= (uint8_t)(1u << from);
	t->visited |= (uint8_t)(1u << from | 1u << to);
	if (t->breach) {
		rt->late++;
		r->late++;
		t->late++;
		t->last_esc = -1;
	} else
		t->last_esc = (int8_t)from;
	if (t->open_count == OPEN_MAX) {	/* the oldest leaves uncounted */
		memmove(&t->open[0], &t->open[1], (OPEN_MAX - 1) * sizeof(t->open[0]));
		t->open_count--;
	}
	t->open[t->open_count].at = at;
	t->open[t->open_count].from = (int8_t)from;
	/* a reply dated after it may have been recorded first (an import) */
	t->open[t->open_count].replied = t->last_reply > at;
	t->open_count++;
	t->cur = (int8_t)to;
	t->breach = 0;
}

static void
deescalated(struct report *r, struct tk *t, int from, int to)
{
	r->tiers[from].deescalations++;
	r->deescalations++;
	t->visited |= (uint8_t)(1u << from | 1u << to);
	/* Undone: the escalations that left this tier or one above. */
	while (t->open_count > 0 && t->open[t->open_count - 1].from >= to) {
		t->open_count--;
		over(r, t, t->open[t->open_count].from, 1);
	}
	t->cur = (int8_t)to;
	t->breach = 0;
	t->last_esc = -1;
}

/* A functional escalation to the department named in d. */
static int
functional(struct report *r, const char *detail, const struct detail *d, struct err *e)
{
	json_t *o = NULL, *to;
	const char *name = d->to_str;
	size_t len = d->to_len;
	int32_t i;

	if (d->to_str == NULL)
		name = NULL;
	else if (d->to_escaped) {
		if ((o = json_loads(detail, 0, NULL)) != NULL &&
		    (to = json_object_get(o, "to")) != NULL && json_is_string(to)) {
			name = json_string_value(to);
			len = strlen(name);
		} else
			name = NULL;
	}
	i = intern(&r->state->depts, name, len, e);
	json_decref(o);
	if (i < 0)
		return -1;
	r->state->depts.v[i].functional++;
	r->functional++;
	return 0;
}

int
report_event(struct report *r, int64_t ticket, time_t at, const char *kind,
    const char *detail, struct err *e)
{
	struct report_state *s = r->state;
	struct detail d;
	struct tk *t;
	int from, to, i;

	if (s == NULL || (t = lookup(s, ticket)) == NULL)
		return 0;
	switch (kind[0]) {
	case 'm':
	case 'c':
	case 'a':
		if (strcmp(kind, "message") == 0 || strcmp(kind, "created") == 0) {
			if (detail == NULL || strstr(detail, "\"out\"") == NULL ||
			    detail_scan(detail, &d) == -1 || !d.out)
				return 0;
		} else if (strcmp(kind, "answered-flag") != 0) {
			if (strcmp(kind, "closed") == 0)
				goto resolved;
			return 0;
		}
		if (at > t->last_reply)
			t->last_reply = at;
		for (i = 0; i < t->open_count; i++)
			t->open[i].replied |= at > t->open[i].at;
		return 0;
	case 'r':
		if (strcmp(kind, "resolved") != 0)
			return 0;
	resolved:
		for (i = 0; i < t->open_count; i++)
			if (!t->open[i].replied)
				over(r, t, t->open[i].from, 0);
		t->open_count = 0;
		return 0;
	case 's':
		if (strcmp(kind, "sla-breach") == 0)
			t->breach = 1;
		return 0;
	case 'h':
		if (strcmp(kind, "handoff") != 0 || t->last_esc < 0 ||
		    detail_scan(detail, &d) == -1 || !d.late)
			return 0;
		r->tiers[t->last_esc].late++;
		r->late++;
		t->late++;
		t->last_esc = -1;
		return 0;
	case 'e':
	case 'd':
		break;
	default:
		return 0;
	}
	if (strcmp(kind, "escalated") != 0 && strcmp(kind, "deescalated") != 0)
		return 0;
	if (detail_scan(detail, &d) == -1)
		return 0;	/* not ours to judge: a detail we cannot read */
	if (d.functional) {
		if (kind[0] != 'e')
			return 0;
		t->last_esc = -1;	/* its hand-off is not about a tier */
		return functional(r, detail, &d, e);
	}
	if (d.to < TIER_MIN || d.to > TIER_MAX)
		return 0;
	to = d.to;
	from = d.from >= TIER_MIN && d.from <= TIER_MAX ? d.from :
	    t->cur >= 0 ? t->cur : kind[0] == 'e' ? to - 1 : to + 1;
	if (from < TIER_MIN || from > TIER_MAX || from == to)
		return 0;
	if (to > from)
		escalated_up(r, t, at, from, to);
	else
		deescalated(r, t, from, to);
	return 0;
}

int
report_clock(struct report *r, int64_t ticket, const char *kind, int tier, int missed,
    struct err *e)
{
	struct tk *t;
	int k, p;

	(void)e;	/* nothing here can fail; the shape is the others' */
	if (r->state == NULL || (t = lookup(r->state, ticket)) == NULL)
		return 0;
	tier = clamp_tier(tier);
	p = t->priority;
	r->tiers[tier].sla_due[p]++;
	r->sla_due++;
	if (!missed) {
		r->tiers[tier].sla_met[p]++;
		r->sla_met++;
	}
	if ((k = sla_kind_from_name(kind)) >= 0) {
		r->kind_due[k]++;
		r->kind_met[k] += !missed;
	}
	return 0;
}

/*
 * Settling.
 */

static int
by_value(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least pct% at or below it. */
static long
rank(const long *v, size_t n, int pct)
{
	size_t k = (n * (size_t)pct + 99) / 100;

	return n == 0 ? -1 : v[k > 0 ? k - 1 : 0];
}

static void
times_set(struct report_times *t, long *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), by_value);
	t->resolved = (long)n;
	t->p50 = rank(v, n, 50);
	t->p90 = rank(v, n, 90);
}

static int
by_tickets(const void *a, const void *b)
{
	const struct report_group *x = a, *y = b;

	if (x->tickets != y->tickets)
		return x->tickets > y->tickets ? -1 : 1;
	if (x->name == NULL || y->name == NULL)	/* "none" last */
		return (x->name == NULL) - (y->name == NULL);
	return strcmp(x->name, y->name);
}

static void
group_add(struct report_group *g, const struct tk *t)
{
	g->tickets++;
	g->resolved += t->status == STATUS_RESOLVED || t->status == STATUS_CLOSED;
	g->escalated += t->escalations > 0;
	g->escalations += t->escalations;
	g->over += t->over;
	g->late += t->late;
}

/* Hands the groups over to the report, most tickets first. */
static void
groups_take(struct groups *g, struct report_group **v, size_t *n)
{
	if (g->count > 1)
		qsort(g->v, g->count, sizeof(*g->v), by_tickets);
	*v = g->v;
	*n = g->count;
	g->v = NULL;
	g->count = g->cap = 0;
}

int
report_finish(struct report *r, const struct conf *conf, struct err *e)
{
	struct report_state *s = r->state;
	const struct conf_tier *ct;
	const struct tk *t;
	long *all;
	size_t i, j, n;
	int k, p;

	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		r->tiers[k].times.p50 = r->tiers[k].times.p90 = -1;
		for (p = 0; p < REPORT_PRIORITIES; p++)
			r->tiers[k].by_priority[p].p50 = r->tiers[k].by_priority[p].p90 = -1;
		if (conf == NULL || (ct = conf_tier_find(conf, k)) == NULL)
			continue;
		r->tiers[k].configured = 1;
		for (p = 0; p < REPORT_PRIORITIES; p++)
			r->tiers[k].by_priority[p].target = ct->target[CONF_SLA_RESOLUTION][p];
	}
	if (s == NULL)
		return 0;
	for (i = 0; i < s->count; i++) {
		t = &s->tk[i];
		r->tickets++;
		r->tiers[t->tier].tickets++;
		for (k = TIER_MIN; k <= TIER_MAX; k++) {
			if ((t->visited | 1u << t->tier) & 1u << k)
				r->tiers[k].visited++;
			if (t->esc_out & 1u << k)
				r->tiers[k].escalated++;
		}
		if (t->status == STATUS_RESOLVED || t->status == STATUS_CLOSED) {
			r->resolved++;
			r->tiers[t->tier].resolved++;
			r->bands[band_of(t->tier)].resolved++;
		}
		r->escalated += t->escalations > 0;
		r->handoffs += t->handoffs;
		r->handoff_tickets[t->handoffs < 3 ? t->handoffs : 3]++;
		group_add(&s->depts.v[t->dept], t);
		group_add(&s->chans.v[t->chan], t);
		if (t->tagset >= 0)
			for (j = 0; j < s->sets[t->tagset].count; j++)
				group_add(&s->tags.v[s->sets[t->tagset].tags[j]], t);
	}
	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		n = 0;
		for (p = 0; p < REPORT_PRIORITIES; p++)
			n += s->times_count[k][p];
		if ((all = malloc((n ? n : 1) * sizeof(*all))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory making a report");
		n = 0;
		for (p = 0; p < REPORT_PRIORITIES; p++) {
			if (s->times_count[k][p] > 0)
				memcpy(all + n, s->times[k][p], s->times_count[k][p] * sizeof(*all));
			n += s->times_count[k][p];
			times_set(&r->tiers[k].by_priority[p], s->times[k][p], s->times_count[k][p]);
		}
		times_set(&r->tiers[k].times, all, n);
		free(all);
	}
	groups_take(&s->depts, &r->departments, &r->departments_count);
	groups_take(&s->chans, &r->channels, &r->channels_count);
	groups_take(&s->tags, &r->tags, &r->tags_count);
	state_free(s);
	r->state = NULL;
	return 0;
}

double
report_percent(long part, long whole)
{
	if (whole <= 0)
		return -1;
	return floor((double)part * 1000.0 / (double)whole + 0.5) / 10.0;
}

/*
 * Words.
 */

static const char *const prio_names[REPORT_PRIORITIES] = { "low", "normal", "high", "urgent" };

static char *
utc(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		(void)snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

/* "33.3%", or "-" for no whole. */
static char *
pct(long part, long whole, char *buf, size_t len)
{
	double v = report_percent(part, whole);

	if (v < 0)
		(void)snprintf(buf, len, "-");
	else
		(void)snprintf(buf, len, "%.1f%%", v);
	return buf;
}

/* "2 h 15 min", or "-" for none: durations in the words notices use. */
static char *
dur(long s, char *buf, size_t len)
{
	if (s < 0)
		(void)snprintf(buf, len, "-");
	else
		(void)notify_duration_words(s, buf, len);
	return buf;
}

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static int
text_groups(struct buf *b, const char *title, const struct report_group *g, size_t n,
    int with_functional, struct err *e)
{
	struct buf name = BUF_INIT(NAME_MAX_BYTES * 4);
	char p1[16];
	size_t i;
	int ret = 0;

	if (n == 0)
		return 0;
	if (buf_printf(b, e, "\n%-24s %8s %8s %9s %11s %5s %5s%s\n", title, "tickets",
	    "resolved", "escalated", "escalations", "over", "late",
	    with_functional ? "  functional" : "") == -1)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		buf_reset(&name);
		if ((ret = text_oneline(&name, g[i].name, NAME_MAX_BYTES, e)) == 0 &&
		    name.len == 0)
			ret = buf_addstr(&name, "(none)", e);
		if (ret == 0)
			ret = buf_printf(b, e, "  %-22s %8ld %8ld %9s %11ld %5ld %5ld", name.buf,
			    g[i].tickets, g[i].resolved, pct(g[i].escalated, g[i].tickets, p1,
			    sizeof(p1)), g[i].escalations, g[i].over, g[i].late);
		if (ret == 0 && with_functional)
			ret = buf_printf(b, e, "  %10ld", g[i].functional);
		if (ret == 0)
			ret = buf_addch(b, '\n', e);
	}
	buf_release(&name);
	return ret;
}

int
report_text(const struct report *r, struct buf *b, struct err *e)
{
	const struct report_tier *t;
	char from[32], to[32], sp[32], p1[16], p2[16], d1[32], d2[32], d3[32], label[16];
	int k, p, any;

	if (buf_printf(b, e, "Escalation report: tickets created %s to %s UTC (%s)\n\n",
	    utc(r->from, from, sizeof(from)), utc(r->to, to, sizeof(to)),
	    dur((long)(r->to - r->from), sp, sizeof(sp))) == -1 ||
	    buf_printf(b, e, "Tickets:           %ld, %ld resolved or closed\n", r->tickets,
	    r->resolved) == -1)
		return -1;
	if (r->tickets == 0)
		return buf_addstr(b, "\nNo ticket was created in this window.\n", e);
	if (buf_printf(b, e, "Escalations:       %ld up a tier, in %ld %s (%s); "
	    "%ld functional; %ld %s\n", r->escalations, r->escalated,
	    plural(r->escalated, "ticket", "tickets"), pct(r->escalated, r->tickets, p1,
	    sizeof(p1)), r->functional, r->deescalations,
	    plural(r->deescalations, "de-escalation", "de-escalations")) == -1 ||
	    buf_printf(b, e, "Over-escalations:  %ld (%s of escalations): %ld undone by a "
	    "de-escalation, %ld resolved without a reply after them\n", r->over,
	    pct(r->over, r->escalations, p1, sizeof(p1)), r->undone, r->unreplied) == -1 ||
	    buf_printf(b, e, "Late escalations:  %ld (%s of escalations): after an SLA "
	    "breach, or a hand-off marked late\n", r->late,
	    pct(r->late, r->escalations, p1, sizeof(p1))) == -1 ||
	    buf_printf(b, e, "Hand-offs:         %.2f per ticket (%ld tickets with none, "
	    "%ld with 1, %ld with 2, %ld with 3 or more)\n",
	    (double)r->handoffs / (double)r->tickets, r->handoff_tickets[0],
	    r->handoff_tickets[1], r->handoff_tickets[2], r->handoff_tickets[3]) == -1)
		return -1;

	if (buf_printf(b, e, "\nBy tier       now  were at  escalated  escalations  rate"
	    "    over  late  resolved  share\n") == -1)
		return -1;
	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		t = &r->tiers[k];
		if (t->visited == 0 && t->tickets == 0)
			continue;
		if (buf_printf(b, e, "  tier %d %8ld %8ld %10ld %12ld %6s %6ld %5ld %9ld %6s\n", k,
		    t->tickets, t->visited, t->escalated, t->escalations,
		    pct(t->escalated, t->visited, p1, sizeof(p1)), t->over, t->late, t->resolved,
		    pct(t->resolved, r->resolved, p2, sizeof(p2))) == -1)
			return -1;
	}

	if (buf_addstr(b, "\nResolved at each tier against the 70/25/5 pyramid\n", e) == -1)
		return -1;
	for (k = 0; k < REPORT_BANDS; k++) {
		(void)snprintf(label, sizeof(label), "%s %s",
		    strchr(r->bands[k].tiers, '-') ? "tiers" : "tier", r->bands[k].tiers);
		if (buf_printf(b, e, "  %-10s %6ld of %ld resolved  %7s  (target %d%%)\n",
		    label, r->bands[k].resolved, r->resolved,
		    pct(r->bands[k].resolved, r->resolved, p1, sizeof(p1)),
		    r->bands[k].target) == -1)
			return -1;
	}

	if (text_groups(b, "By department", r->departments, r->departments_count, 1, e) == -1 ||
	    text_groups(b, "By channel", r->channels, r->channels_count, 0, e) == -1 ||
	    text_groups(b, "By tag", r->tags, r->tags_count, 0, e) == -1)
		return -1;

	if (r->sla_due == 0 ? buf_addstr(b, "\nSLA compliance: no clock run was decided "
	    "in this window (none met or missed yet)\n", e) == -1 :
	    buf_printf(b, e, "\nSLA compliance: %s of %ld decided clock runs met\n",
	    pct(r->sla_met, r->sla_due, p1, sizeof(p1)), r->sla_due) == -1)
		return -1;
	if (r->sla_due > 0) {
		if (buf_printf(b, e, "  %-8s %14s %14s %14s %14s\n", "", prio_names[0],
		    prio_names[1], prio_names[2], prio_names[3]) == -1)
			return -1;
		for (k = TIER_MIN; k <= TIER_MAX; k++) {
			t = &r->tiers[k];
			any = 0;
			for (p = 0; p < REPORT_PRIORITIES; p++)
				any |= t->sla_due[p] > 0;
			if (!any)
				continue;
			if (buf_printf(b, e, "  tier %d  ", k) == -1)
				return -1;
			for (p = 0; p < REPORT_PRIORITIES; p++) {
				char cell[40];

				if (t->sla_due[p] == 0)
					(void)snprintf(cell, sizeof(cell), "-");
				else
					(void)snprintf(cell, sizeof(cell), "%s of %ld",
					    pct(t->sla_met[p], t->sla_due[p], p1, sizeof(p1)),
					    t->sla_due[p]);
				if (buf_printf(b, e, " %14s", cell) == -1)
					return -1;
			}
			if (buf_addch(b, '\n', e) == -1)
				return -1;
		}
		for (k = 0; k < REPORT_SLA_KINDS; k++)
			if (r->kind_due[k] > 0 && buf_printf(b, e, "  %-16s %s of %ld\n",
			    sla_kind_label(k), pct(r->kind_met[k], r->kind_due[k], p1, sizeof(p1)),
			    r->kind_due[k]) == -1)
				return -1;
	}

	if (buf_addstr(b, "\nResolution time (wall clock, created to resolved; targets in "
	    "business time where the tier has a calendar)\n", e) == -1 ||
	    buf_printf(b, e, "  %-5s %-9s %8s %14s %14s %14s\n", "tier", "priority",
	    "resolved", "median", "p90", "target") == -1)
		return -1;
	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		t = &r->tiers[k];
		if (t->times.resolved == 0)
			continue;
		if (buf_printf(b, e, "  %-5d %-9s %8ld %14s %14s\n", k, "all", t->times.resolved,
		    dur(t->times.p50, d1, sizeof(d1)), dur(t->times.p90, d2, sizeof(d2))) == -1)
			return -1;
		for (p = REPORT_PRIORITIES - 1; p >= 0; p--) {
			const struct report_times *tp = &t->by_priority[p];

			if (tp->resolved == 0)
				continue;
			if (buf_printf(b, e, "  %-5s %-9s %8ld %14s %14s %14s\n", "", prio_names[p],
			    tp->resolved, dur(tp->p50, d1, sizeof(d1)), dur(tp->p90, d2, sizeof(d2)),
			    tp->target > 0 ? dur(tp->target, d3, sizeof(d3)) : "-") == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * JSON.
 */

static json_t *
j_pct(long part, long whole)
{
	double v = report_percent(part, whole);

	return v < 0 ? json_null() : json_real(v);
}

static json_t *
j_secs(long s)
{
	return s < 0 ? json_null() : json_integer(s);
}

static json_t *
j_groups(const struct report_group *g, size_t n, const char *key, int with_functional)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		o = json_pack("{s:s?, s:I, s:I, s:I, s:o, s:I, s:I, s:I}", key, g[i].name,
		    "tickets", (json_int_t)g[i].tickets, "resolved", (json_int_t)g[i].resolved,
		    "escalated", (json_int_t)g[i].escalated,
		    "escalation_rate", j_pct(g[i].escalated, g[i].tickets),
		    "escalations", (json_int_t)g[i].escalations, "over", (json_int_t)g[i].over,
		    "late", (json_int_t)g[i].late);
		if (o != NULL && with_functional)
			(void)json_object_set_new(o, "functional", json_integer(g[i].functional));
		(void)json_array_append_new(a, o);	/* a NULL is caught at dump */
	}
	return a;
}

static json_t *
j_times(const struct report_times *t, int tier, const char *priority)
{
	return json_pack("{s:i, s:s?, s:I, s:o, s:o, s:o}", "tier", tier, "priority", priority,
	    "resolved", (json_int_t)t->resolved, "median", j_secs(t->p50), "p90", j_secs(t->p90),
	    "target", t->target > 0 ? json_integer(t->target) : json_null());
}

int
report_json(const struct report *r, struct buf *b, struct err *e)
{
	const struct report_tier *t;
	json_t *o, *tiers, *bands, *sla, *cells, *kinds, *times;
	char from[32], to[32], *s;
	int k, p, ret;

	tiers = json_array();
	cells = json_array();
	times = json_array();
	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		t = &r->tiers[k];
		if (t->visited > 0 || t->tickets > 0)
			(void)json_array_append_new(tiers, json_pack("{s:i, s:I, s:I, s:I, s:I, s:o,"
			    " s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:o}", "tier", k,
			    "tickets", (json_int_t)t->tickets, "visited", (json_int_t)t->visited,
			    "escalated", (json_int_t)t->escalated,
			    "escalations", (json_int_t)t->escalations,
			    "escalation_rate", j_pct(t->escalated, t->visited),
			    "deescalations", (json_int_t)t->deescalations,
			    "over", (json_int_t)t->over, "undone", (json_int_t)t->undone,
			    "unreplied", (json_int_t)t->unreplied, "late", (json_int_t)t->late,
			    "resolved", (json_int_t)t->resolved, "configured", t->configured,
			    "resolved_share", j_pct(t->resolved, r->resolved)));
		for (p = 0; p < REPORT_PRIORITIES; p++)
			if (t->sla_due[p] > 0)
				(void)json_array_append_new(cells, json_pack("{s:i, s:s, s:I, s:I, s:o}",
				    "tier", k, "priority", prio_names[p], "due", (json_int_t)t->sla_due[p],
				    "met", (json_int_t)t->sla_met[p], "percent",
				    j_pct(t->sla_met[p], t->sla_due[p])));
		if (t->times.resolved > 0 || t->configured) {
			(void)json_array_append_new(times, j_times(&t->times, k, NULL));
			for (p = REPORT_PRIORITIES - 1; p >= 0; p--)
				if (t->by_priority[p].resolved > 0 || t->by_priority[p].target > 0)
					(void)json_array_append_new(times,
					    j_times(&t->by_priority[p], k, prio_names[p]));
		}
	}
	bands = json_array();
	for (k = 0; k < REPORT_BANDS; k++)
		(void)json_array_append_new(bands, json_pack("{s:s, s:i, s:I, s:o}",
		    "tiers", r->bands[k].tiers, "target", r->bands[k].target,
		    "resolved", (json_int_t)r->bands[k].resolved,
		    "percent", j_pct(r->bands[k].resolved, r->resolved)));
	kinds = json_array();
	for (k = 0; k < REPORT_SLA_KINDS; k++)
		if (r->kind_due[k] > 0)
			(void)json_array_append_new(kinds, json_pack("{s:s, s:I, s:I, s:o}",
			    "kind", sla_kind_name(k), "due", (json_int_t)r->kind_due[k],
			    "met", (json_int_t)r->kind_met[k], "percent",
			    j_pct(r->kind_met[k], r->kind_due[k])));
	sla = json_pack("{s:I, s:I, s:o, s:o*, s:o*}", "due", (json_int_t)r->sla_due,
	    "met", (json_int_t)r->sla_met, "percent", j_pct(r->sla_met, r->sla_due),
	    "by_kind", kinds, "by_tier", cells);
	o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
	    " s:{s:I, s:I, s:I, s:o}, s:{s:I, s:o}, s:{s:I, s:o, s:[I, I, I, I]},"
	    " s:o*, s:o*, s:o*, s:o*, s:o*, s:o*, s:o*}",
	    "from", time_rfc3339(r->from, from, sizeof(from)),
	    "to", time_rfc3339(r->to, to, sizeof(to)), "since", (json_int_t)(r->to - r->from),
	    "tickets", (json_int_t)r->tickets, "resolved", (json_int_t)r->resolved,
	    "escalations", (json_int_t)r->escalations, "escalated", (json_int_t)r->escalated,
	    "functional", (json_int_t)r->functional, "deescalations", (json_int_t)r->deescalations,
	    "over_escalations", "count", (json_int_t)r->over, "undone", (json_int_t)r->undone,
	    "unreplied", (json_int_t)r->unreplied, "percent", j_pct(r->over, r->escalations),
	    "late_escalations", "count", (json_int_t)r->late,
	    "percent", j_pct(r->late, r->escalations),
	    "handoffs", "total", (json_int_t)r->handoffs, "per_ticket",
	    r->tickets > 0 ? json_real(floor((double)r->handoffs * 100.0 / (double)r->tickets +
	    0.5) / 100.0) : json_null(),
	    "tickets", (json_int_t)r->handoff_tickets[0], (json_int_t)r->handoff_tickets[1],
	    (json_int_t)r->handoff_tickets[2], (json_int_t)r->handoff_tickets[3],
	    "by_tier", tiers, "pyramid", bands,
	    "by_department", j_groups(r->departments, r->departments_count, "department", 1),
	    "by_channel", j_groups(r->channels, r->channels_count, "channel", 0),
	    "by_tag", j_groups(r->tags, r->tags_count, "tag", 0),
	    "sla", sla, "resolution_time", times);
	if (o == NULL)
		return err_set(e, ERR_NOMEM, "cannot build the report's JSON");
	s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(o);
	if (s == NULL)
		return err_set(e, ERR_NOMEM, "cannot write the report's JSON");
	ret = buf_addstr(b, s, e) == -1 || buf_addch(b, '\n', e) == -1 ? -1 : 0;
	free(s);
	return ret;
}

/*
 * HTML: one page, inline CSS and SVG, well-formed XML as well.
 */

#define SVG_W		640
#define SVG_LABEL	110	/* width of the label column */
#define SVG_BAR_W	400	/* the longest bar */
#define SVG_BAR_H	12
#define SVG_GAP		8

struct bar {
	double		 value;		/* in the chart's unit; < 0: no bar */
	const char	*color;
	char		 text[40];	/* written after the bar */
};

struct bar_row {
	char		 label[32];	/* ours: "tier 2", "tiers 0-1" */
	struct bar	 bars[REPORT_PRIORITIES];
	int		 bars_count;
	double		 marker;	/* a target line; < 0: none */
	char		 marker_text[40];
};

static const char *const prio_colors[REPORT_PRIORITIES] = {
	"#9bbbd4", "#4a90c2", "#e6a23c", "#c0392b" };

static int
svg_legend(struct buf *b, const char *const *names, const char *const *colors, int n,
    struct err *e)
{
	int i;

	if (buf_addstr(b, "<p class=\"legend\">", e) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_printf(b, e, "<span><span style=\"color:%s\">&#9632;</span> %s</span> ",
		    colors[i], names[i]) == -1)
			return -1;
	return buf_addstr(b, "</p>\n", e);
}

/* Horizontal bars, one group of bars per row, scaled to max. */
static int
svg_chart(struct buf *b, const char *title, const struct bar_row *rows, size_t n, double max,
    struct err *e)
{
	size_t i;
	int j, y = SVG_GAP, h = SVG_GAP;
	double w;

	for (i = 0; i < n; i++)
		h += rows[i].bars_count * (SVG_BAR_H + 2) + SVG_GAP;
	if (max <= 0)
		max = 1;
	if (buf_printf(b, e, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
	    "<title>%s</title>\n", SVG_W, h, SVG_W, h, title) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		const struct bar_row *row = &rows[i];
		int rh = row->bars_count * (SVG_BAR_H + 2);

		if (buf_printf(b, e, "<text x=\"0\" y=\"%d\">%s</text>\n", y + rh / 2 + 4,
		    row->label) == -1)
			return -1;
		for (j = 0; j < row->bars_count; j++) {
			const struct bar *bar = &row->bars[j];
			int by = y + j * (SVG_BAR_H + 2);

			w = bar->value <= 0 ? 0 : bar->value * SVG_BAR_W / max;
			if (bar->value > 0 && w < 1)
				w = 1;
			if (bar->value >= 0 && buf_printf(b, e, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\""
			    " height=\"%d\" fill=\"%s\"/>", SVG_LABEL, by, w, SVG_BAR_H,
			    bar->color) == -1)
				return -1;
			if (buf_printf(b, e, "<text x=\"%.1f\" y=\"%d\">%s</text>\n",
			    SVG_LABEL + w + 4, by + SVG_BAR_H - 2, bar->text) == -1)
				return -1;
		}
		if (row->marker >= 0) {
			w = row->marker * SVG_BAR_W / max;
			if (buf_printf(b, e, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
			    " stroke=\"#222\" stroke-width=\"2\" stroke-dasharray=\"3,2\">"
			    "<title>%s</title></line>\n", SVG_LABEL + w, y - 3, SVG_LABEL + w,
			    y + rh + 1, row->marker_text) == -1)
				return -1;
		}
		y += rh + SVG_GAP;
	}
	return buf_addstr(b, "</svg>\n", e);
}

static int
html_groups(struct buf *b, const char *title, const char *column,
    const struct report_group *g, size_t n, int with_functional, struct err *e)
{
	char p1[16];
	size_t i;

	if (n == 0)
		return 0;
	if (buf_printf(b, e, "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th>Tickets</th>"
	    "<th>Resolved</th><th>Escalated</th><th>Escalations</th><th>Over</th>"
	    "<th>Late</th>%s</tr>\n", title, column,
	    with_functional ? "<th>Functional</th>" : "") == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (buf_addstr(b, "<tr><td>", e) == -1 ||
		    (g[i].name != NULL ? text_html(b, g[i].name, NAME_MAX_BYTES, e) :
		    buf_addstr(b, "<i>none</i>", e)) == -1 ||
		    buf_printf(b, e, "</td><td>%ld</td><td>%ld</td><td>%s</td><td>%ld</td>"
		    "<td>%ld</td><td>%ld</td>", g[i].tickets, g[i].resolved,
		    pct(g[i].escalated, g[i].tickets, p1, sizeof(p1)), g[i].escalations,
		    g[i].over, g[i].late) == -1 ||
		    (with_functional && buf_printf(b, e, "<td>%ld</td>", g[i].functional) == -1) ||
		    buf_addstr(b, "</tr>\n", e) == -1)
			return -1;
	}
	return buf_addstr(b, "</table>\n", e);
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\n"
    "<title>Escalation report</title>\n<style>\n"
    "body { font-family: sans-serif; margin: 24px; color: #222; max-width: 900px }\n"
    "table { border-collapse: collapse; margin: 4px 0 12px }\n"
    "th, td { padding: 2px 10px; text-align: right; border-bottom: 1px solid #ddd }\n"
    "th:first-child, td:first-child { text-align: left }\n"
    "h2 { margin: 28px 0 6px; font-size: 1.15em }\n"
    "svg text { font-size: 11px; fill: #222 }\n"
    ".legend { font-size: small; margin: 2px 0 }\n"
    ".legend > span { margin-right: 14px }\n"
    ".note { font-size: small; color: #555 }\n"
    "</style></head>\n<body>\n";

int
report_html(const struct report *r, struct buf *b, struct err *e)
{
	static const char *const pyr_names[] = { "resolved here", "target" };
	static const char *const pyr_colors[] = { "#4a90c2", "#bbbbbb" };
	static const char *const res_names[] = { "median", "90th percentile",
	    "target (normal priority)" };
	static const char *const res_colors[] = { "#4a90c2", "#1f4e79", "#222" };
	struct bar_row rows[TIER_MAX + 1];
	const struct report_tier *t;
	char from[32], to[32], sp[32], p1[16], p2[16], d1[32], d2[32], d3[32];
	double max;
	size_t n;
	int k, p;

	if (buf_addstr(b, html_head, e) == -1 ||
	    buf_printf(b, e, "<h1>Escalation report</h1>\n<p>Tickets created from %s to %s UTC"
	    " (%s).</p>\n", utc(r->from, from, sizeof(from)), utc(r->to, to, sizeof(to)),
	    dur((long)(r->to - r->from), sp, sizeof(sp))) == -1)
		return -1;
	if (r->tickets == 0)
		return buf_addstr(b, "<p>No ticket was created in this window.</p>\n"
		    "</body></html>\n", e);
	if (buf_printf(b, e, "<table>\n<tr><td>Tickets</td><td>%ld</td><td>%ld resolved or "
	    "closed</td></tr>\n<tr><td>Escalations up a tier</td><td>%ld</td><td>in %ld tickets"
	    " (%s)</td></tr>\n<tr><td>Functional escalations</td><td>%ld</td><td>to a "
	    "department</td></tr>\n<tr><td>De-escalations</td><td>%ld</td><td></td></tr>\n",
	    r->tickets, r->resolved, r->escalations, r->escalated,
	    pct(r->escalated, r->tickets, p1, sizeof(p1)), r->functional, r->deescalations) == -1 ||
	    buf_printf(b, e, "<tr><td>Over-escalations</td><td>%ld</td><td>%s of escalations: "
	    "%ld undone by a de-escalation, %ld resolved without a reply after them</td></tr>\n",
	    r->over, pct(r->over, r->escalations, p1, sizeof(p1)), r->undone, r->unreplied) == -1 ||
	    buf_printf(b, e, "<tr><td>Late escalations</td><td>%ld</td><td>%s of escalations: "
	    "after an SLA breach, or a hand-off marked late</td></tr>\n", r->late,
	    pct(r->late, r->escalations, p1, sizeof(p1))) == -1 ||
	    buf_printf(b, e, "<tr><td>Hand-offs per ticket</td><td>%.2f</td><td>%ld with none, "
	    "%ld with 1, %ld with 2, %ld with 3 or more</td></tr>\n</table>\n",
	    (double)r->handoffs / (double)r->tickets, r->handoff_tickets[0],
	    r->handoff_tickets[1], r->handoff_tickets[2], r->handoff_tickets[3]) == -1)
		return -1;

	/* The pyramid. */
	if (buf_addstr(b, "<h2>Resolved at each tier against the 70/25/5 pyramid</h2>\n", e) == -1 ||
	    svg_legend(b, pyr_names, pyr_colors, 2, e) == -1)
		return -1;
	memset(rows, 0, sizeof(rows));
	for (k = 0; k < REPORT_BANDS; k++) {
		double v = report_percent(r->bands[k].resolved, r->resolved);

		(void)snprintf(rows[k].label, sizeof(rows[k].label), "%s %s",
		    strchr(r->bands[k].tiers, '-') ? "tiers" : "tier", r->bands[k].tiers);
		rows[k].bars_count = 2;
		rows[k].bars[0].value = v < 0 ? 0 : v;
		rows[k].bars[0].color = pyr_colors[0];
		(void)snprintf(rows[k].bars[0].text, sizeof(rows[k].bars[0].text), "%s (%ld)",
		    pct(r->bands[k].resolved, r->resolved, p1, sizeof(p1)), r->bands[k].resolved);
		rows[k].bars[1].value = r->bands[k].target;
		rows[k].bars[1].color = pyr_colors[1];
		(void)snprintf(rows[k].bars[1].text, sizeof(rows[k].bars[1].text), "%d%%",
		    r->bands[k].target);
		rows[k].marker = -1;
	}
	if (svg_chart(b, "Share of resolutions by tier, with the pyramid's targets", rows,
	    REPORT_BANDS, 100, e) == -1)
		return -1;

	/* Escalation rate per tier, and the tier table. */
	if (buf_addstr(b, "<h2>Escalation rate per tier</h2>\n<p class=\"note\">The share of "
	    "the tickets that were at a tier which were escalated out of it.</p>\n", e) == -1)
		return -1;
	memset(rows, 0, sizeof(rows));
	n = 0;
	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		double v;

		t = &r->tiers[k];
		if (t->visited == 0)
			continue;
		v = report_percent(t->escalated, t->visited);
		(void)snprintf(rows[n].label, sizeof(rows[n].label), "tier %d", k);
		rows[n].bars_count = 1;
		rows[n].bars[0].value = v;
		rows[n].bars[0].color = "#e6a23c";
		(void)snprintf(rows[n].bars[0].text, sizeof(rows[n].bars[0].text), "%s (%ld of %ld)",
		    pct(t->escalated, t->visited, p1, sizeof(p1)), t->escalated, t->visited);
		rows[n].marker = -1;
		n++;
	}
	if (svg_chart(b, "Escalation rate per tier", rows, n, 100, e) == -1)
		return -1;
	if (buf_addstr(b, "<table>\n<tr><th>Tier</th><th>Now</th><th>Were at</th>"
	    "<th>Escalated</th><th>Escalations</th><th>Rate</th><th>Over</th><th>Late</th>"
	    "<th>Resolved</th><th>Share</th></tr>\n", e) == -1)
		return -1;
	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		t = &r->tiers[k];
		if (t->visited == 0 && t->tickets == 0)
			continue;
		if (buf_printf(b, e, "<tr><td>tier %d</td><td>%ld</td><td>%ld</td><td>%ld</td>"
		    "<td>%ld</td><td>%s</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%s</td></tr>\n",
		    k, t->tickets, t->visited, t->escalated, t->escalations,
		    pct(t->escalated, t->visited, p1, sizeof(p1)), t->over, t->late, t->resolved,
		    pct(t->resolved, r->resolved, p2, sizeof(p2))) == -1)
			return -1;
	}
	if (buf_addstr(b, "</table>\n", e) == -1)
		return -1;

	/* SLA compliance by tier and priority. */
	if (buf_printf(b, e, "<h2>SLA compliance by tier and priority</h2>\n<p class=\"note\">"
	    "%s of %ld decided clock runs met; a run still open before its deadline is not "
	    "counted.</p>\n", pct(r->sla_met, r->sla_due, p1, sizeof(p1)), r->sla_due) == -1)
		return -1;
	if (r->sla_due > 0) {
		if (svg_legend(b, prio_names, prio_colors, REPORT_PRIORITIES, e) == -1)
			return -1;
		memset(rows, 0, sizeof(rows));
		n = 0;
		for (k = TIER_MIN; k <= TIER_MAX; k++) {
			long due = 0;

			t = &r->tiers[k];
			for (p = 0; p < REPORT_PRIORITIES; p++)
				due += t->sla_due[p];
			if (due == 0)
				continue;
			(void)snprintf(rows[n].label, sizeof(rows[n].label), "tier %d", k);
			rows[n].bars_count = REPORT_PRIORITIES;
			rows[n].marker = -1;
			for (p = 0; p < REPORT_PRIORITIES; p++) {
				struct bar *bar = &rows[n].bars[p];

				bar->value = report_percent(t->sla_met[p], t->sla_due[p]);
				bar->color = prio_colors[p];
				if (t->sla_due[p] == 0)
					(void)snprintf(bar->text, sizeof(bar->text), "%s: none due",
					    prio_names[p]);
				else
					(void)snprintf(bar->text, sizeof(bar->text), "%s of %ld",
					    pct(t->sla_met[p], t->sla_due[p], p1, sizeof(p1)),
					    t->sla_due[p]);
			}
			n++;
		}
		if (svg_chart(b, "SLA compliance by tier and priority", rows, n, 100, e) == -1)
			return -1;
		if (buf_addstr(b, "<table>\n<tr><th>Clock</th><th>Due</th><th>Met</th>"
		    "<th>Percent</th></tr>\n", e) == -1)
			return -1;
		for (k = 0; k < REPORT_SLA_KINDS; k++)
			if (r->kind_due[k] > 0 && buf_printf(b, e, "<tr><td>%s</td><td>%ld</td>"
			    "<td>%ld</td><td>%s</td></tr>\n", sla_kind_label(k), r->kind_due[k],
			    r->kind_met[k], pct(r->kind_met[k], r->kind_due[k], p1, sizeof(p1))) == -1)
				return -1;
		if (buf_addstr(b, "</table>\n", e) == -1)
			return -1;
	}

	/* Resolution times against targets. */
	if (buf_addstr(b, "<h2>Resolution time by tier</h2>\n<p class=\"note\">Wall clock from "
	    "creation to resolution, nearest-rank percentiles; the dashed line is the tier's "
	    "resolution target for normal priority, which counts business hours where the "
	    "tier has a calendar.</p>\n", e) == -1 ||
	    svg_legend(b, res_names, res_colors, 3, e) == -1)
		return -1;
	memset(rows, 0, sizeof(rows));
	n = 0;
	max = 0;
	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		long target;

		t = &r->tiers[k];
		if (t->times.resolved == 0)
			continue;
		target = t->by_priority[PRIO_NORMAL].target;
		(void)snprintf(rows[n].label, sizeof(rows[n].label), "tier %d", k);
		rows[n].bars_count = 2;
		rows[n].bars[0].value = (double)t->times.p50;
		rows[n].bars[0].color = res_colors[0];
		(void)snprintf(rows[n].bars[0].text, sizeof(rows[n].bars[0].text), "median %s",
		    dur(t->times.p50, d1, sizeof(d1)));
		rows[n].bars[1].value = (double)t->times.p90;
		rows[n].bars[1].color = res_colors[1];
		(void)snprintf(rows[n].bars[1].text, sizeof(rows[n].bars[1].text), "p90 %s",
		    dur(t->times.p90, d1, sizeof(d1)));
		rows[n].marker = target > 0 ? (double)target : -1;
		(void)snprintf(rows[n].marker_text, sizeof(rows[n].marker_text), "target %s",
		    target > 0 ? dur(target, d2, sizeof(d2)) : "none");
		if (t->times.p90 > max)
			max = (double)t->times.p90;
		if (target > max)
			max = (double)target;
		n++;
	}
	if (n > 0 && svg_chart(b, "Resolution time by tier", rows, n, max * 1.1, e) == -1)
		return -1;
	if (buf_addstr(b, "<table>\n<tr><th>Tier</th><th>Priority</th><th>Resolved</th>"
	    "<th>Median</th><th>90th percentile</th><th>Target</th></tr>\n", e) == -1)
		return -1;
	for (k = TIER_MIN; k <= TIER_MAX; k++) {
		t = &r->tiers[k];
		if (t->times.resolved == 0)
			continue;
		if (buf_printf(b, e, "<tr><td>tier %d</td><td>all</td><td>%ld</td><td>%s</td>"
		    "<td>%s</td><td></td></tr>\n", k, t->times.resolved, dur(t->times.p50, d1,
		    sizeof(d1)), dur(t->times.p90, d2, sizeof(d2))) == -1)
			return -1;
		for (p = REPORT_PRIORITIES - 1; p >= 0; p--) {
			const struct report_times *tp = &t->by_priority[p];

			if (tp->resolved == 0)
				continue;
			if (buf_printf(b, e, "<tr><td></td><td>%s</td><td>%ld</td><td>%s</td>"
			    "<td>%s</td><td>%s</td></tr>\n", prio_names[p], tp->resolved,
			    dur(tp->p50, d1, sizeof(d1)), dur(tp->p90, d2, sizeof(d2)),
			    tp->target > 0 ? dur(tp->target, d3, sizeof(d3)) : "-") == -1)
				return -1;
		}
	}
	if (buf_addstr(b, "</table>\n", e) == -1)
		return -1;

	if (html_groups(b, "By department", "Department", r->departments,
	    r->departments_count, 1, e) == -1 ||
	    html_groups(b, "By channel", "Channel", r->channels, r->channels_count, 0, e) == -1 ||
	    html_groups(b, "By tag", "Tag", r->tags, r->tags_count, 0, e) == -1)
		return -1;
	return buf_addstr(b, "</body></html>\n", e);
}
