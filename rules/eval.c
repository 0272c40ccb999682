/* eval.c -- runs compiled rules over one message and its ticket; see
 * rules.h.  Pure: no I/O, no clock, no locale.
 *
 * Speed is the point (bench/rules: a million rule evaluations a second at
 * least): the text fields a `has` reads are folded once per message into
 * the run's buffers, so a phrase test is one memmem over the folded text;
 * regular expressions were compiled at load; a matched rule's trace (what
 * each test saw) is a few stores into an array that is reused, and turned
 * into words only if rules_explain asks.  Money amounts (rules/amount.c)
 * are read once per message, and only when a rule asks for one. */
#include "config.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/model.h"
#include "common/utf8.h"
#include "rules/amount.h"
#include "rules/program.h"
#include "rules/rules.h"

#define FOLD_MAX	(4u * 1024 * 1024)	/* bytes of a field folded; the rest unread */
#define EXPLAIN_TEXT	80			/* bytes of matched text quoted */

/* ---- folding -------------------------------------------------------- */

/* ASCII: 0 separator, 1 dropped (apostrophe), else the folded byte. */
static const unsigned char ascii_fold[128] = {
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f',
	['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l',
	['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r',
	['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
	['Y'] = 'y', ['Z'] = 'z',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f',
	['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l',
	['m'] = 'm', ['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r',
	['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x',
	['y'] = 'y', ['z'] = 'z', ['_'] = 0, ['\''] = 1,
};

/* Latin-1 U+00C0..U+00FF without accents, lowercased ("" for × and ÷). */
static const char latin1[64][3] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};
/* Latin Extended-A U+0100..U+017F; '*' are the ligatures ij and oe. */
static const char latin_ext_a[] =
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "ii**jjkkklllllll"
	"lllnnnnnnnnnoooo" "oo**rrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

/* Decodes one UTF-8 sequence at p (p < end); -1 with *n = 1 if invalid. */
static long
utf8_next(const unsigned char *p, const unsigned char *end, size_t *n)
{
	unsigned long c;
	size_t len, i;

	if (p[0] < 0xC2 || p[0] > 0xF4) {
		*n = 1;
		return -1;
	}
	len = p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
	if ((size_t)(end - p) < len) {
		*n = 1;
		return -1;
	}
	c = p[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*n = 1;
			return -1;
		}
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF))) {
		*n = 1;
		return -1;
	}
	*n = len;
	return (long)c;
}

/* What a code point >= 0x80 becomes: 0 a separator, 1 dropped, 2 kept as
 * is (a letter of another script), 3 replaced by *rep. */
static int
fold_class(long c, const char **rep, char *one)
{
	if (c < 0)
		return 0;
	if (c < 0xC0)
		return (c == 0xAA || c == 0xB5 || c == 0xBA) ? 2 : c == 0xAD ? 1 : 0;
	if (c <= 0xFF) {
		*rep = latin1[c - 0xC0];
		return **rep == '\0' ? 0 : 3;
	}
	if (c <= 0x17F) {
		one[0] = latin_ext_a[c - 0x100];
		one[1] = '\0';
		*rep = one;
		if (one[0] == '*')
			*rep = (c == 0x132 || c == 0x133) ? "ij" : "oe";
		return 3;
	}
	if (c >= 0x300 && c <= 0x36F)
		return 1;		/* combining accents */
	if (c == 0x2019 || c == 0x2BC || c == 0x200C || c == 0x200D ||
	    (c >= 0xFE00 && c <= 0xFE0F))
		return 1;		/* apostrophes, joiners, variation selectors */
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x2E00 && c <= 0x2E7F) ||
	    (c >= 0x3000 && c <= 0x303F) || (c >= 0xE000 && c <= 0xF8FF) ||
	    (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
	    (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) ||
	    c == 0xFEFF || (c >= 0x1F000 && c <= 0x1FAFF))
		return 0;		/* punctuation, symbols, emoji, spaces */
	return 2;
}

/* Lowercase of Greek and Cyrillic capitals; others unchanged. */
static long
lower(long c)
{
	if ((c >= 0x391 && c <= 0x3A9) || (c >= 0x410 && c <= 0x42F))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	return c;
}

size_t
rules_fold(const char *s, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	const char *rep;
	char one[2];
	size_t o = 0, n, k;
	long c;
	int cls;

	/* Every input byte yields at most one output byte (the ASCII path),
	 * or a sequence of n bytes yields at most n (2-byte Latin folds to at
	 * most 2, other scripts keep their length): len + 2 spaces + NUL. */
	out[o++] = ' ';
	while (p < end) {
		if (*p < 0x80) {
			unsigned char f = ascii_fold[*p++];

			if (f > 1)
				out[o++] = (char)f;
			else if (f == 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		c = utf8_next(p, end, &n);
		p += n;
		cls = fold_class(c, &rep, one);
		if (cls == 1)
			continue;
		if (cls == 0) {
			if (out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		if (cls == 3) {
			for (k = 0; rep[k] != '\0'; k++)
				out[o++] = rep[k];
			continue;
		}
		o += utf8_put((uint32_t)lower(c), out + o);
	}
	if (out[o - 1] != ' ')
		out[o++] = ' ';
	out[o] = '\0';
	return o;
}

/* ---- JSON ----------------------------------------------------------- */

int
rules_json_str(struct buf *out, const char *s, size_t max, struct err *e)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	const unsigned char *end = p + strlen((const char *)p);
	const unsigned char *stop = (size_t)(end - p) > max ? p + max : end;
	char esc[8];
	size_t n;

	while (p < stop) {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == '"' || *p == '\\') {
				if (*p == '"' || *p == '\\') {
					esc[0] = '\\';
					esc[1] = (char)*p;
					esc[2] = '\0';
				} else
					(void)snprintf(esc, sizeof(esc), "\\u%04x", *p);
				if (buf_addstr(out, esc, e) == -1)
					return -1;
			} else if (buf_addch(out, *p, e) == -1)
				return -1;
			p++;
			continue;
		}
		if (utf8_next(p, end, &n) < 0) {
			if (buf_addstr(out, "\\ufffd", e) == -1)
				return -1;
		} else if (buf_add(out, p, n, e) == -1)
			return -1;
		p += n;
	}
	if (stop < end && buf_addstr(out, "...", e) == -1)
		return -1;
	return 0;
}

int
rules_json_num(struct buf *out, double v, struct err *e)
{
	char s[64];
	size_t n;

	(void)snprintf(s, sizeof(s), "%.4f", v);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '0')
		s[--n] = '\0';
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	if (strcmp(s, "-0") == 0)
		return buf_addstr(out, "0", e);
	return buf_addstr(out, s, e);
}

/* ---- evaluation ----------------------------------------------------- */

void
rules_run_init(struct rules_run *run)
{
	memset(run, 0, sizeof(*run));
}

void
rules_run_release(struct rules_run *run)
{
	int i;

	if (run == NULL)
		return;
	free(run->hits);
	free(run->effects);
	free(run->trace);
	for (i = 0; i < RF_COUNT; i++)
		free(run->fold[i]);
	rules_run_init(run);
}

struct ctx {
	const struct rules	*p;
	const struct rules_msg	*m;
	struct rules_ticket	*t;
	struct rules_run	*run;
	int			 oom;
	/* The money amounts of the message, once a rule asks: the largest
	 * in each currency, and the largest of all (-1: none). */
	int			 amounts_read;
	int64_t			 amount_max[AMOUNT_CURRENCIES];
	int64_t			 amount_top;
	int			 amount_top_currency;
};

/* Reads the amounts of the message's subject and text into c. */
static void
amounts_read(struct ctx *c)
{
	const char *field[2] = { c->m->subject, c->m->text };
	struct amount_scan sc;
	struct amount a;
	size_t i, len;

	c->amounts_read = 1;
	c->amount_top = -1;
	c->amount_top_currency = -1;
	for (i = 0; i < AMOUNT_CURRENCIES; i++)
		c->amount_max[i] = -1;
	for (i = 0; i < 2; i++) {
		if (field[i] == NULL)
			continue;
		len = strlen(field[i]);
		amount_scan_init(&sc, field[i], len > FOLD_MAX ? FOLD_MAX : len);
		while (amount_scan_next(&sc, &a)) {
			if (a.cents > c->amount_max[a.currency])
				c->amount_max[a.currency] = a.cents;
			if (a.cents > c->amount_top) {
				c->amount_top = a.cents;
				c->amount_top_currency = a.currency;
			}
		}
	}
}

static void
trace(struct ctx *c, uint32_t node, double num, int32_t idx, const char *str)
{
	struct rules_run *run = c->run;
	struct rules_trace *tr;

	if (run->trace_count == run->trace_cap) {
		size_t cap = run->trace_cap ? run->trace_cap * 2 : 64;

		if ((tr = realloc(run->trace, cap * sizeof(*tr))) == NULL) {
			c->oom = 1;
			return;
		}
		run->trace = tr;
		run->trace_cap = cap;
	}
	tr = &run->trace[run->trace_count++];
	tr->node = node;
	tr->num = num;
	tr->idx = idx;
	tr->str = str;
}

static int
compare(double a, int cmp, double b)
{
	switch (cmp) {
	case RCMP_LT: return a < b;
	case RCMP_LE: return a <= b;
	case RCMP_GT: return a > b;
	case RCMP_GE: return a >= b;
	case RCMP_EQ: return a == b;
	default: return a != b;
	}
}

static const char *
field_raw(const struct rules_msg *m, int field)
{
	const char *s = field == RF_TEXT ? m->text : field == RF_SUBJECT ? m->subject :
	    m->from_addr;

	return s != NULL ? s : "";
}

static int
has_tag(const struct rules_ticket *t, const char *tag)
{
	size_t i;

	for (i = 0; i < t->tags_count; i++)
		if (strcmp(t->tags[i], tag) == 0)
			return 1;
	return 0;
}

static int
eval(struct ctx *c, uint32_t i)
{
	const struct rnode *n = &c->p->node[i];
	const struct rules_msg *m = c->m;
	const struct rules_ticket *t = c->t;
	struct rules_run *run = c->run;
	const struct rphrase *ph;
	const char *s;
	size_t mark, k;
	int v;

	switch (n->op) {
	case ROP_AND:
		mark = run->trace_count;
		if (eval(c, n->a) && eval(c, n->b))
			return 1;
		run->trace_count = mark;
		return 0;
	case ROP_OR:
		mark = run->trace_count;
		if (eval(c, n->a))
			return 1;
		run->trace_count = mark;
		if (eval(c, n->b))
			return 1;
		run->trace_count = mark;
		return 0;
	case ROP_NOT:
		/* What the inner test saw explains why it was false. */
		return !eval(c, n->a);
	case ROP_PUBLIC:
	case ROP_PRIVATE:
		trace(c, i, m->public ? 1 : 0, 0, NULL);
		return n->op == ROP_PUBLIC ? m->public != 0 : m->public == 0;
	case ROP_ASKS:
		trace(c, i, m->asks_escalation != NULL, 0, m->asks_escalation);
		return m->asks_escalation != NULL;
	case ROP_SENTIMENT:
		if (!m->scored)
			return 0;
		trace(c, i, m->sentiment, 0, NULL);
		return compare(m->sentiment, n->cmp, n->num);
	case ROP_REACH:
		if (m->reach < 0)
			return 0;
		trace(c, i, (double)m->reach, 0, NULL);
		return compare((double)m->reach, n->cmp, n->num);
	case ROP_EXCHANGES:
		trace(c, i, t->exchanges, 0, NULL);
		return compare(t->exchanges, n->cmp, n->num);
	case ROP_TIER:
		trace(c, i, t->tier, 0, NULL);
		return compare(t->tier, n->cmp, n->num);
	case ROP_AGE:
		trace(c, i, (double)m->age, 0, NULL);
		return compare((double)m->age, n->cmp, n->num);
	case ROP_PRIORITY:
		trace(c, i, t->priority, 0, NULL);
		return compare(t->priority, n->cmp, n->num);
	case ROP_STATUS:
		trace(c, i, t->status, 0, NULL);
		return compare(t->status, n->cmp, n->num);
	case ROP_DEPARTMENT:
		trace(c, i, 0, 0, t->department);
		v = t->department != NULL && strcmp(t->department, n->str) == 0;
		return n->neg ? !v : v;
	case ROP_CHANNEL:
	case ROP_KIND:
		s = n->op == ROP_CHANNEL ? m->channel : m->kind;
		trace(c, i, 0, 0, s);
		v = s != NULL && strcmp(s, n->str) == 0;
		return n->neg ? !v : v;
	case ROP_TAG:
		v = has_tag(t, n->str);
		if (v)
			trace(c, i, 1, 0, n->str);
		return v;
	case ROP_HAS_ANY:
	case ROP_HAS_ALL:
		s = run->fold[n->field];
		for (k = 0; k < n->b; k++) {
			ph = &c->p->phrase[n->a + k];
			v = memmem(s, run->fold_len[n->field], ph->folded, ph->len) != NULL;
			if (v && n->op == ROP_HAS_ANY) {
				trace(c, i, 0, (int32_t)k, NULL);
				return 1;
			}
			if (!v && n->op == ROP_HAS_ALL)
				return 0;
		}
		if (n->op == ROP_HAS_ALL)
			trace(c, i, 0, -1, NULL);
		return n->op == ROP_HAS_ALL;
	case ROP_MATCH:
		v = regexec(&c->p->regex[n->a].fast, field_raw(m, n->field), 0, NULL, 0) == 0;
		if (v && !n->neg)
			trace(c, i, 1, 0, NULL);
		return n->neg ? !v : v;
	case ROP_AMOUNT: {
		int64_t x;
		int cur;

		if (!c->amounts_read)
			amounts_read(c);
		cur = n->a > 0 ? (int)n->a - 1 : c->amount_top_currency;
		x = n->a > 0 ? c->amount_max[cur] : c->amount_top;
		if (x < 0)
			return 0;	/* none: no comparison is true */
		trace(c, i, (double)x, cur, NULL);
		return compare((double)x, n->cmp, n->num);
	}
	}
	return 0;
}

static struct rules_effect *
effect(struct ctx *c, size_t rule, int act)
{
	struct rules_run *run = c->run;
	struct rules_effect *ef;

	if (run->effects_count == run->effects_cap) {
		size_t cap = run->effects_cap ? run->effects_cap * 2 : 16;

		if ((ef = realloc(run->effects, cap * sizeof(*ef))) == NULL) {
			c->oom = 1;
			return NULL;
		}
		run->effects = ef;
		run->effects_cap = cap;
	}
	ef = &run->effects[run->effects_count++];
	memset(ef, 0, sizeof(*ef));
	ef->rule = rule;
	ef->act = act;
	return ef;
}

/* Moves the ticket to tier `to` (clamped), if that raises it -- or, on
 * the message that opened it, whatever it is.  department: the one whose
 * entry tier this is, or NULL. */
static void
set_tier(struct ctx *c, size_t rule, int to, const char *department)
{
	struct rules_ticket *t = c->t;
	struct rules_effect *ef;

	if (to > TIER_MAX)
		to = TIER_MAX;
	if (to == t->tier || (to < t->tier && !t->opened))
		return;
	if ((ef = effect(c, rule, RULES_TIER)) == NULL)
		return;
	ef->from = t->tier;
	ef->to = to;
	ef->by_department = department != NULL;
	ef->str = department;
	t->tier = to;
}

/* The lowest tier of authority au allowed to decide the largest amount
 * of the message in its currency; the ticket goes there if that raises
 * it.  Never lower: a higher tier may decide what a lower one may, and
 * whoever raised the ticket had a reason.  The effect says what was
 * found even when nothing changes, for the events that explain it. */
static void
route_by_authority(struct ctx *c, size_t rule, const struct rauthority *au)
{
	struct rules_ticket *t = c->t;
	struct rules_effect *ef;
	size_t k;

	if (!c->amounts_read)
		amounts_read(c);
	if ((ef = effect(c, rule, RULES_AUTHORITY)) == NULL)
		return;
	ef->str = au->name;
	ef->currency = au->currency;
	ef->amount = c->amount_max[au->currency];
	ef->from = ef->to = t->tier;
	ef->tier = -1;
	ef->limit = -1;
	if (ef->amount < 0 || au->count == 0)
		return;
	for (k = 0; k < au->count; k++)
		if (au->limit[k] < 0 || ef->amount <= au->limit[k])
			break;
	if (k == au->count)
		k = au->count - 1;	/* conf.c lets no authority lack 'any' */
	ef->tier = au->tier[k];
	ef->limit = au->limit[k];
	if (ef->tier > t->tier)
		ef->to = t->tier = ef->tier;
}

static void
apply(struct ctx *c, size_t rule)
{
	const struct rrule *rr = &c->p->rule[rule];
	struct rules_ticket *t = c->t;
	struct rules_effect *ef;
	const struct raction *a;
	size_t k;

	for (k = 0; k < rr->actions_count && !c->oom; k++) {
		a = &c->p->action[rr->first_action + k];
		switch (a->act) {
		case RULES_PRIORITY:
			if (t->priority == a->n || (ef = effect(c, rule, a->act)) == NULL)
				break;
			ef->from = t->priority;
			ef->to = t->priority = a->n;
			break;
		case RULES_TIER:
		case RULES_ESCALATE:
			set_tier(c, rule, a->relative ? t->tier + a->n : a->n, NULL);
			break;
		case RULES_DEPARTMENT:
			if (t->department == NULL || strcmp(t->department, a->str) != 0) {
				if ((ef = effect(c, rule, a->act)) == NULL)
					break;
				ef->prev = t->department;
				ef->str = t->department = a->str;
			}
			if (a->entry_tier > t->tier)
				set_tier(c, rule, a->entry_tier, a->str);
			break;
		case RULES_ASSIGN:
			if ((t->owner != NULL && strcmp(t->owner, a->str) == 0) ||
			    (ef = effect(c, rule, a->act)) == NULL)
				break;
			ef->prev = t->owner;
			ef->str = t->owner = a->str;
			break;
		case RULES_TAG:
			if (has_tag(t, a->str) || t->tags_count >= RULES_TAGS_MAX ||
			    (ef = effect(c, rule, a->act)) == NULL)
				break;
			ef->str = t->tags[t->tags_count++] = a->str;
			break;
		case RULES_NOTIFY:
			if ((ef = effect(c, rule, a->act)) != NULL)
				ef->str = a->str;
			break;
		case RULES_IGNORE:
			c->run->ignored = 1;
			(void)effect(c, rule, a->act);
			break;
		case RULES_STOP:
			c->run->stopped = 1;
			(void)effect(c, rule, a->act);
			break;
		case RULES_AUTHORITY:
			route_by_authority(c, rule, &c->p->authority[a->n]);
			break;
		}
	}
}

/* Folds field f of m into the run's buffer f. */
static int
fold_field(struct ctx *c, int f, const char *s, const char *s2)
{
	struct rules_run *run = c->run;
	size_t len = strlen(s), len2 = s2 != NULL ? strlen(s2) : 0, need, o;
	char *b;

	if (len > FOLD_MAX)
		len = FOLD_MAX;
	if (len2 > FOLD_MAX)
		len2 = FOLD_MAX;
	need = len + len2 + 8;
	if (need > run->fold_cap[f]) {
		if ((b = realloc(run->fold[f], need)) == NULL) {
			c->oom = 1;
			return -1;
		}
		run->fold[f] = b;
		run->fold_cap[f] = need;
	}
	o = rules_fold(s, len, run->fold[f]);
	if (s2 != NULL)		/* " name " + " addr ": the spaces meet as one */
		o += rules_fold(s2, len2, run->fold[f] + o - 1) - 1;
	run->fold_len[f] = o;
	return 0;
}

int
rules_eval(const struct rules *p, const struct rules_msg *m, struct rules_ticket *t,
    struct rules_run *run, struct err *e)
{
	struct ctx c;
	struct rules_hit *h;
	size_t i, mark;

	run->hits_count = run->effects_count = run->trace_count = 0;
	run->ignored = run->stopped = 0;
	run->evaluated = 0;
	run->msg = m;
	if (p == NULL || p->count == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.m = m;
	c.t = t;
	c.run = run;
	if (((p->needs_fold & (1u << RF_TEXT)) &&
	    fold_field(&c, RF_TEXT, m->text ? m->text : "", NULL) == -1) ||
	    ((p->needs_fold & (1u << RF_SUBJECT)) &&
	    fold_field(&c, RF_SUBJECT, m->subject ? m->subject : "", NULL) == -1) ||
	    ((p->needs_fold & (1u << RF_FROM)) &&
	    fold_field(&c, RF_FROM, m->from_name ? m->from_name : "",
	    m->from_addr ? m->from_addr : "") == -1))
		return err_set(e, ERR_NOMEM, "out of memory running rules");
	for (i = 0; i < p->count && !c.oom; i++) {
		run->evaluated++;
		mark = run->trace_count;
		if (!eval(&c, p->rule[i].root)) {
			run->trace_count = mark;
			continue;
		}
		if (run->hits_count == run->hits_cap) {
			size_t cap = run->hits_cap ? run->hits_cap * 2 : 16;

			if ((h = realloc(run->hits, cap * sizeof(*h))) == NULL) {
				c.oom = 1;
				break;
			}
			run->hits = h;
			run->hits_cap = cap;
		}
		h = &run->hits[run->hits_count++];
		h->rule = i;
		h->trace_start = mark;
		h->trace_end = run->trace_count;
		apply(&c, i);
		if (run->stopped)
			break;
	}
	if (c.oom)
		return err_set(e, ERR_NOMEM, "out of memory running rules");
	return 0;
}

/* ---- explanations --------------------------------------------------- */

static const char *
trace_key(const struct rnode *n)
{
	static const char *fields[RF_COUNT] = { "text", "subject", "from" };

	switch (n->op) {
	case ROP_PUBLIC:
	case ROP_PRIVATE:	return "public";
	case ROP_ASKS:		return "asks_escalation";
	case ROP_SENTIMENT:	return "sentiment";
	case ROP_REACH:		return "reach";
	case ROP_EXCHANGES:	return "exchanges";
	case ROP_TIER:		return "tier";
	case ROP_AGE:		return "age";
	case ROP_PRIORITY:	return "priority";
	case ROP_STATUS:	return "status";
	case ROP_DEPARTMENT:	return "department";
	case ROP_CHANNEL:	return "channel";
	case ROP_KIND:		return "kind";
	case ROP_TAG:		return "tag";
	case ROP_HAS_ANY:
	case ROP_HAS_ALL:
	case ROP_MATCH:		return fields[n->field < RF_COUNT ? n->field : 0];
	case ROP_AMOUNT:	return "amount";
	}
	return "?";
}

/* A duration as people write it: 45s, 12m, 3h20m, 2d4h. */
static void
duration_text(long s, char *out, size_t len)
{
	if (s < 60)
		(void)snprintf(out, len, "%lds", s);
	else if (s < 3600)
		(void)snprintf(out, len, "%ldm", s / 60);
	else if (s < 86400)
		(void)snprintf(out, len, s % 3600 >= 60 ? "%ldh%ldm" : "%ldh", s / 3600,
		    (s % 3600) / 60);
	else
		(void)snprintf(out, len, s % 86400 >= 3600 ? "%ldd%ldh" : "%ldd", s / 86400,
		    (s % 86400) / 3600);
}

static int
explain_value(const struct rules *p, const struct rules_run *run,
    const struct rules_trace *tr, struct buf *out, struct err *e)
{
	const struct rnode *n = &p->node[tr->node];
	char tmp[64];
	regmatch_t pm[1];
	const char *s;
	size_t k;
	int rc = 0;

	switch (n->op) {
	case ROP_PUBLIC:
	case ROP_PRIVATE:
		return buf_addstr(out, tr->num != 0 ? "true" : "false", e);
	case ROP_ASKS:
		if (tr->str == NULL)
			return buf_addstr(out, "false", e);
		break;
	case ROP_SENTIMENT:
	case ROP_REACH:
	case ROP_EXCHANGES:
	case ROP_TIER:
		return rules_json_num(out, tr->num, e);
	case ROP_AGE:
		duration_text((long)tr->num, tmp, sizeof(tmp));
		s = tmp;
		goto string;
	case ROP_AMOUNT:
		s = amount_format((int64_t)tr->num, tr->idx, tmp, sizeof(tmp));
		goto string;
	case ROP_PRIORITY:
		s = priority_name((int)tr->num);
		goto string;
	case ROP_STATUS:
		s = status_name((int)tr->num);
		goto string;
	case ROP_HAS_ANY:
		s = p->phrase[n->a + (uint32_t)tr->idx].text;
		goto string;
	case ROP_HAS_ALL:
		rc |= buf_addch(out, '[', e);
		for (k = 0; k < n->b && rc == 0; k++) {
			rc |= buf_addstr(out, k ? ",\"" : "\"", e);
			rc |= rules_json_str(out, p->phrase[n->a + k].text, EXPLAIN_TEXT, e);
			rc |= buf_addch(out, '"', e);
		}
		return rc | buf_addch(out, ']', e);
	case ROP_MATCH:
		/* Again with offsets: what the expression found. */
		s = field_raw(run->msg, n->field);
		if (regexec(&p->regex[n->a].sub, s, 1, pm, 0) != 0 || pm[0].rm_so < 0)
			return buf_addstr(out, "true", e);
		rc |= buf_addch(out, '"', e);
		{
			size_t so = (size_t)pm[0].rm_so, eo = (size_t)pm[0].rm_eo;
			char *cut = strndup(s + so, eo - so);

			if (cut == NULL)
				return err_set(e, ERR_NOMEM, "out of memory explaining a rule");
			rc |= rules_json_str(out, cut, EXPLAIN_TEXT, e);
			free(cut);
		}
		return rc | buf_addch(out, '"', e);
	default:
		break;
	}
	s = tr->str;
	if (s == NULL)
		return buf_addstr(out, "null", e);
string:
	rc |= buf_addch(out, '"', e);
	rc |= rules_json_str(out, s, EXPLAIN_TEXT, e);
	return rc | buf_addch(out, '"', e);
}

int
rules_explain(const struct rules *p, const struct rules_run *run, size_t i,
    struct buf *out, struct err *e)
{
	const struct rules_hit *h;
	const char *keys[32];
	size_t nkeys = 0, k, j;
	const char *key;
	int rc = 0;

	if (p == NULL || i >= run->hits_count)
		return err_set(e, ERR_SOFTWARE, "no rule match %zu to explain", i);
	h = &run->hits[i];
	rc |= buf_addstr(out, "\"rule\":\"", e);
	rc |= rules_json_str(out, p->rule[h->rule].name, 4096, e);
	rc |= buf_addch(out, '"', e);
	for (k = h->trace_start; k < h->trace_end && rc == 0; k++) {
		key = trace_key(&p->node[run->trace[k].node]);
		for (j = 0; j < nkeys; j++)
			if (strcmp(keys[j], key) == 0)
				break;
		if (j < nkeys)
			continue;	/* the first value of a field says it */
		if (nkeys < sizeof(keys) / sizeof(keys[0]))
			keys[nkeys++] = key;
		rc |= buf_printf(out, e, ",\"%s\":", key);
		rc |= explain_value(p, run, &run->trace[k], out, e);
	}
	return rc == 0 ? 0 : -1;
}
