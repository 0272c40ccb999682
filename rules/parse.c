/* parse.c -- the rule compiler: a lexer and a recursive-descent parser
 * over the `when` and `then` text of each rule that rules/conf.c kept,
 * building the program rules/eval.c runs (rules/program.h).
 *
 * Errors are reported through struct rules_diag at the exact place in the
 * configuration file (conf.c quotes the line and puts a caret under it);
 * a condition stops at its first error, actions go on after a ',' so one
 * run reports every bad action.  Names are resolved against the
 * configuration here, once: departments (and their entry tiers), tiers,
 * channels; phrases are folded and regular expressions compiled here, so
 * evaluation does neither.
 *
 * CONDITIONS (after `when`)
 *   cond     := and { "or" and }
 *   and      := unary { "and" unary }
 *   unary    := "not" unary | "(" cond ")" | test
 *   test     :=
 *     public | private                 the message is public (a post, a
 *                                      review) or private (mail, a DM)
 *     asks-escalation                  the customer explicitly asks for a
 *                                      manager, escalation, a lawyer, ...
 *     sentiment CMP NUMBER             compound score, -1 to 1; false when
 *                                      there is no lexicon
 *     reach CMP INTEGER                followers; false when unknown
 *     exchanges CMP INTEGER            customer messages in the ticket
 *     tier CMP TIER                    TIER 0 to 4
 *     age CMP DURATION                 since the ticket opened (90m, 2h, 1d)
 *     priority CMP PRIORITY            low < normal < high < urgent
 *     status EQ STATUS                 new, open, pending, resolved, closed
 *     new | open | pending | resolved | closed     short for status is ...
 *     department EQ NAME               false when the ticket has none
 *     channel [EQ] NAME                the channel's name (or a STRING)
 *     kind [EQ] KIND | channel.kind [EQ] KIND
 *                                      imap, mastodon, bluesky, feed, mbox
 *     tag NAME                         the ticket carries this tag
 *     amount CMP AMOUNT [CURRENCY]     the largest money amount the
 *                                      customer wrote in this message
 *                                      (subject and text, rules/amount.c)
 *                                      in CURRENCY, or of any currency
 *                                      without one; false when there is
 *                                      none.  AMOUNT: digits, at most two
 *                                      decimals after '.' (50, 49.99);
 *                                      CURRENCY: an ISO code (EUR, usd)
 *     FIELD has PHRASE                 FIELD: text (what the customer wrote
 *     FIELD has any (PHRASE, ...)      now, without quotes and signature),
 *     FIELD has all (PHRASE, ...)      subject, from (name and address)
 *     FIELD ~ REGEX | FIELD !~ REGEX
 *   CMP is < <= > >= = == != or `is` / `is not`; EQ only = == != is, is
 *   not.  PHRASE is a STRING matched on word boundaries, ignoring case
 *   and accents ("refund" matches "Refunds?" no, "REFUND!" yes).  REGEX is
 *   a STRING, a POSIX extended regular expression matched anywhere in the
 *   raw text, ignoring ASCII case; "\\" and "\"" are the string's only
 *   escapes, so "error\.log" reaches regcomp as error\.log.
 *
 * ACTIONS (after `then`, separated by commas, applied in order)
 *   priority PRIORITY                  set the priority
 *   tier TIER | tier +N                move to a tier, or N tiers up; a
 *                                      rule never lowers the tier of a
 *                                      ticket after its first message
 *   escalate                           one tier up (hierarchical)
 *   department NAME                    route to a department (functional);
 *                                      raises the tier to the department's
 *                                      entry-tier
 *   assign ADDR                        the owner
 *   tag NAME                           add a tag (a NAME or a STRING
 *                                      without commas)
 *   notify ADDR                        queue a notification at once
 *   ignore                             the message needs no answer: a
 *                                      ticket it opened is closed, an
 *                                      existing one keeps its status
 *   stop                               no later rule runs for this message
 *   route-by-authority NAME            raise the tier to the lowest that
 *                                      authority NAME lets decide the
 *                                      largest amount of the message in
 *                                      its currency; without such an
 *                                      amount, or at that tier or above
 *                                      already, nothing changes (a higher
 *                                      tier may decide what a lower may)
 *
 * LIMITS: 4095 bytes a string, 1024 a regular expression (and no
 * repetition count above 255, and no nesting or stacking of repetitions
 * that would make regcomp build a huge automaton: regex_weight), 256
 * phrases a list, parentheses 32 deep. */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "common/arena.h"
#include "common/err.h"
#include "common/model.h"
#include "rules/amount.h"
#include "rules/conf.h"
#include "rules/program.h"
#include "rules/rules.h"

#define RULES_ARENA_MAX		(64 * 1024 * 1024)
#define STR_MAX			4096	/* with its NUL */
#define REGEX_MAX		1024
#define REGEX_DUP_MAX		255
#define PHRASES_MAX		256
#define DEPTH_MAX		32
#define DURATION_MAX		(52L * 7 * 86400)

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

enum tok {
	T_EOF = 0, T_WORD, T_NUM, T_STR, T_CMP, T_MATCH, T_LP, T_RP, T_COMMA, T_BAD
};

struct lexer {
	const char	*text;
	size_t		 len, off;	/* off: next byte to read */
	struct conf_pos	 base;		/* of text[0] */
	/* the current token */
	int		 type;		/* enum tok */
	size_t		 start, end;	/* its bytes in text */
	int		 cmp;		/* T_CMP: enum rcmp; T_MATCH: 1 for !~ */
	char		 str[STR_MAX];	/* T_STR: the value; else the text */
	size_t		 str_len;
};

struct compiler {
	const struct conf	*conf;
	const struct rules_diag	*diag;
	struct rules		*prog;
	struct lexer		 lx;
	const char		*rule;		/* name, for messages */
	int			 errors;
	int			 oom;
	int			 depth;
	size_t			 nodes_cap, phrases_cap, regexes_cap, actions_cap;
	long			 regex_weight;	/* of all regexes so far */
};

/* ---- diagnostics ---------------------------------------------------- */

/* The position of byte off of the text: lines after the first start at
 * column 1 (conf.c keeps whole lines after the first), columns count
 * UTF-8 characters. */
static struct conf_pos
pos_of(const struct lexer *lx, size_t off)
{
	struct conf_pos p = lx->base;
	size_t i;

	for (i = 0; i < off && i < lx->len; i++) {
		if (lx->text[i] == '\n') {
			p.line++;
			p.col = 1;
		} else if (((unsigned char)lx->text[i] & 0xC0) != 0x80)
			p.col++;
	}
	return p;
}

static void	report(struct compiler *, int, size_t, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	cerr(struct compiler *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
report(struct compiler *c, int warning, size_t off, const char *fmt, ...)
{
	struct conf_pos pos = pos_of(&c->lx, off);
	char msg[1024];
	va_list ap;

	if (!warning)
		c->errors++;
	if (c->diag == NULL || c->diag->report == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);	/* a cut message still says it */
	va_end(ap);
	c->diag->report(c->diag->arg, warning, &pos, msg);
}

/* An error at the current token; returns -1. */
static int
cerr(struct compiler *c, const char *fmt, ...)
{
	struct conf_pos pos = pos_of(&c->lx, c->lx.start);
	char msg[1024];
	va_list ap;

	c->errors++;
	if (c->diag == NULL || c->diag->report == NULL)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->diag->report(c->diag->arg, 0, &pos, msg);
	return -1;
}

static int
nomem(struct compiler *c)
{
	c->oom = 1;
	return -1;
}

/* The current token for a message: 'word', "string", end of condition. */
static const char *
tok_desc(const struct compiler *c, char *buf, size_t len)
{
	const struct lexer *lx = &c->lx;
	size_t n = lx->end - lx->start;

	switch (lx->type) {
	case T_EOF:
		return c->depth < 0 ? "the end of the actions" : "the end of the condition";
	case T_STR:
		if (lx->str_len > 40)
			(void)snprintf(buf, len, "\"%.37s...\"", lx->str);
		else
			(void)snprintf(buf, len, "\"%.40s\"", lx->str);
		return buf;
	default:
		if (n > 40)
			(void)snprintf(buf, len, "'%.37s...'", lx->text + lx->start);
		else
			(void)snprintf(buf, len, "'%.*s'", (int)n, lx->text + lx->start);
		return buf;
	}
}

/* ---- lexer ---------------------------------------------------------- */

static int
is_word_start(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int
is_word_char(int ch)
{
	return is_word_start(ch) || (ch >= '0' && ch <= '9') || ch == '-' ||
	    ch == '.' || ch == '@' || ch == '+' || ch == ':' || ch == '/';
}

/* Reads the next token; a bad one is T_BAD, reported by whoever expected
 * something else. */
static void
lex(struct compiler *c)
{
	struct lexer *lx = &c->lx;
	const char *s = lx->text;
	size_t n = lx->len, o = lx->off;
	int ch;

	while (o < n && strchr(" \t\r\n\f\v", s[o]) != NULL)
		o++;
	lx->start = o;
	lx->str_len = 0;
	lx->str[0] = '\0';
	if (o >= n) {
		lx->type = T_EOF;
		lx->end = lx->off = o;
		return;
	}
	ch = (unsigned char)s[o];
	if (ch == '"') {
		for (o++; o < n && s[o] != '"' && s[o] != '\n'; o++) {
			if (s[o] == '\\' && o + 1 < n && (s[o + 1] == '"' || s[o + 1] == '\\'))
				o++;
			if (lx->str_len + 1 < STR_MAX)
				lx->str[lx->str_len++] = s[o];
		}
		lx->str[lx->str_len] = '\0';
		if (o >= n || s[o] != '"') {
			/* conf.c lets no such string through; kept for callers
			 * that compile text of their own */
			lx->type = T_BAD;
			lx->end = lx->off = o;
			return;
		}
		lx->type = lx->str_len + 1 < STR_MAX ? T_STR : T_BAD;
		lx->end = lx->off = o + 1;
		return;
	}
	if (ascii_isdigit(ch) || ((ch == '-' || ch == '+' || ch == '.') && o + 1 < n &&
	    (ascii_isdigit((unsigned char)s[o + 1]) || (s[o + 1] == '.' && o + 2 < n &&
	    ascii_isdigit((unsigned char)s[o + 2]))))) {
		for (o++; o < n && (ascii_isdigit((unsigned char)s[o]) || s[o] == '.' ||
		    is_word_start((unsigned char)s[o])); o++)
			continue;
		lx->type = T_NUM;
	} else if (is_word_start(ch)) {
		for (o++; o < n && is_word_char((unsigned char)s[o]); o++)
			continue;
		lx->type = T_WORD;
	} else {
		lx->type = T_CMP;
		o++;
		switch (ch) {
		case '<':
			lx->cmp = RCMP_LT;
			if (o < n && s[o] == '=') {
				lx->cmp = RCMP_LE;
				o++;
			}
			break;
		case '>':
			lx->cmp = RCMP_GT;
			if (o < n && s[o] == '=') {
				lx->cmp = RCMP_GE;
				o++;
			}
			break;
		case '=':
			lx->cmp = RCMP_EQ;
			if (o < n && s[o] == '=')
				o++;
			break;
		case '!':
			if (o < n && s[o] == '=') {
				lx->cmp = RCMP_NE;
				o++;
			} else if (o < n && s[o] == '~') {
				lx->type = T_MATCH;
				lx->cmp = 1;
				o++;
			} else
				lx->type = T_BAD;
			break;
		case '~':
			lx->type = T_MATCH;
			lx->cmp = 0;
			break;
		case '(':
			lx->type = T_LP;
			break;
		case ')':
			lx->type = T_RP;
			break;
		case ',':
			lx->type = T_COMMA;
			break;
		default:
			/* one whole UTF-8 character, for the message */
			while (o < n && ((unsigned char)s[o] & 0xC0) == 0x80)
				o++;
			lx->type = T_BAD;
			break;
		}
	}
	lx->end = lx->off = o;
	if (lx->type != T_STR) {
		size_t l = o - lx->start < STR_MAX - 1 ? o - lx->start : STR_MAX - 1;

		memcpy(lx->str, s + lx->start, l);
		lx->str[l] = '\0';
		lx->str_len = l;
	}
}

static int
tok_is(const struct compiler *c, const char *word)
{
	return c->lx.type == T_WORD && strcmp(c->lx.str, word) == 0;
}

/* ---- building ------------------------------------------------------- */

static void *
grow(struct compiler *c, void *arr, size_t count, size_t *cap, size_t size)
{
	void *n;
	size_t want;

	if (count < *cap)
		return arr;
	want = *cap ? *cap * 2 : 16;
	if ((n = realloc(arr, want * size)) == NULL) {
		(void)nomem(c);
		return NULL;
	}
	*cap = want;
	return n;
}

/* Adds a node; returns its index, or UINT32_MAX out of memory. */
static uint32_t
node_add(struct compiler *c, int op)
{
	struct rules *p = c->prog;
	struct rnode *n;

	if ((n = grow(c, p->node, p->nodes, &c->nodes_cap, sizeof(*n))) == NULL)
		return UINT32_MAX;
	p->node = n;
	n = &p->node[p->nodes];
	memset(n, 0, sizeof(*n));
	n->op = (uint8_t)op;
	return (uint32_t)p->nodes++;
}

static const char *
keep(struct compiler *c, const char *s)
{
	char *k = arena_strdup(&c->prog->arena, s);

	if (k == NULL)
		(void)nomem(c);
	return k != NULL ? k : "";
}

/* ---- values --------------------------------------------------------- */

static const char *priority_list = "low, normal, high or urgent";
static const char *status_list = "new, open, pending, resolved or closed";
static const char *kind_list = "imap, mastodon, bluesky, feed or mbox";

static const char *
kind_name_known(const char *s)
{
	static const char *kinds[] = { "imap", "mastodon", "bluesky", "feed", "mbox" };
	size_t i;

	for (i = 0; i < NELEM(kinds); i++)
		if (strcmp(kinds[i], s) == 0)
			return kinds[i];
	return NULL;
}

/* A comparison operator; allow_is takes `is` and `is not` as = and !=;
 * eq_only refuses < <= > >=. */
static int
expect_cmp(struct compiler *c, const char *after, int eq_only, int *cmp)
{
	char d[64];

	if (tok_is(c, "is")) {
		lex(c);
		*cmp = RCMP_EQ;
		if (tok_is(c, "not")) {
			lex(c);
			*cmp = RCMP_NE;
		}
		return 0;
	}
	if (c->lx.type == T_CMP) {
		if (eq_only && c->lx.cmp != RCMP_EQ && c->lx.cmp != RCMP_NE)
			return cerr(c, "cannot compare '%s' with %s (expected 'is', "
			    "'is not', '=' or '!=')", after, tok_desc(c, d, sizeof(d)));
		*cmp = c->lx.cmp;
		lex(c);
		return 0;
	}
	return cerr(c, "expected a comparison after '%s', got %s (expected %s)", after,
	    tok_desc(c, d, sizeof(d)), eq_only ? "'is', 'is not', '=' or '!='" :
	    "<, <=, >, >=, =, != or 'is'");
}

/* A word naming a priority or a status: its value, or -1 reported. */
static int
expect_enum(struct compiler *c, const char *what, int (*lookup)(const char *),
    const char *list)
{
	char d[64];
	int v;

	if (c->lx.type != T_WORD)
		return cerr(c, "expected a %s, got %s (expected %s)", what,
		    tok_desc(c, d, sizeof(d)), list);
	if ((v = lookup(c->lx.str)) < 0)
		return cerr(c, "unknown %s %s (expected %s)", what,
		    tok_desc(c, d, sizeof(d)), list);
	lex(c);
	return v;
}

/* An optional EQ before a name: `channel support`, `channel is support`. */
static int
optional_eq(struct compiler *c, const char *after, int *cmp)
{
	*cmp = RCMP_EQ;
	if (tok_is(c, "is") || c->lx.type == T_CMP)
		return expect_cmp(c, after, 1, cmp);
	return 0;
}

static int
expect_number(struct compiler *c, const char *after, double lo, double hi,
    double *out)
{
	char *end, d[64];
	double v;

	if (c->lx.type != T_NUM)
		return cerr(c, "expected a number after '%s', got %s", after,
		    tok_desc(c, d, sizeof(d)));
	errno = 0;
	v = strtod(c->lx.str, &end);
	if (errno != 0 || *end != '\0' || end == c->lx.str)
		return cerr(c, "invalid number '%s' after '%s' (expected a number from "
		    "%g to %g)", c->lx.str, after, lo, hi);
	if (v < lo || v > hi)
		return cerr(c, "%s %s is out of range (expected %g to %g)", after,
		    c->lx.str, lo, hi);
	*out = v;
	lex(c);
	return 0;
}

static int
expect_integer(struct compiler *c, const char *after, long lo, long hi, long *out)
{
	char *end, d[64];
	long v;

	if (c->lx.type != T_NUM)
		return cerr(c, "expected a whole number after '%s', got %s", after,
		    tok_desc(c, d, sizeof(d)));
	errno = 0;
	v = strtol(c->lx.str, &end, 10);
	if (errno != 0 || *end != '\0' || end == c->lx.str)
		return cerr(c, "invalid number '%s' after '%s' (expected a whole number "
		    "from %ld to %ld)", c->lx.str, after, lo, hi);
	if (v < lo || v > hi)
		return cerr(c, "%s %s is out of range (expected %ld to %ld)", after,
		    c->lx.str, lo, hi);
	*out = v;
	lex(c);
	return 0;
}

/* NUMBER UNIT, several in decreasing units: 90s, 15m, 1h30m, 2d, 1w. */
static int
expect_duration(struct compiler *c, const char *after, long *out)
{
	static const char units[] = "wdhms";
	static const long secs[] = { 604800, 86400, 3600, 60, 1 };
	const char *s = c->lx.str, *u;
	char d[64];
	long total = 0, n;
	int last = -1;

	if (c->lx.type != T_NUM || !ascii_isdigit((unsigned char)*s))
		return cerr(c, "expected a duration after '%s' (e.g. 90m, 4h, 2d), got %s",
		    after, tok_desc(c, d, sizeof(d)));
	while (*s != '\0') {
		for (n = 0; ascii_isdigit((unsigned char)*s); s++) {
			n = n * 10 + (*s - '0');
			if (n > DURATION_MAX)
				break;
		}
		if (*s == '\0' || n > DURATION_MAX || (u = strchr(units, *s)) == NULL ||
		    (int)(u - units) <= last)
			return cerr(c, "invalid duration '%s' after '%s' (expected e.g. "
			    "90m, 4h, 2d or 1h30m)", c->lx.str, after);
		last = (int)(u - units);
		total += n * secs[last];
		if (total > DURATION_MAX)
			return cerr(c, "duration '%s' after '%s' is longer than 52w",
			    c->lx.str, after);
		s++;
		if (*s != '\0' && !ascii_isdigit((unsigned char)*s))
			return cerr(c, "invalid duration '%s' after '%s' (expected e.g. "
			    "90m, 4h, 2d or 1h30m)", c->lx.str, after);
	}
	*out = total;
	lex(c);
	return 0;
}

/* A NAME (word) or a STRING. */
static int
expect_name(struct compiler *c, const char *after, const char *what, char *out,
    size_t len)
{
	char d[64];

	if ((c->lx.type != T_WORD && c->lx.type != T_STR) || c->lx.str_len == 0)
		return cerr(c, "expected %s after '%s', got %s", what, after,
		    tok_desc(c, d, sizeof(d)));
	if (c->lx.str_len >= len)
		return cerr(c, "%s after '%s' is too long (at most %zu bytes)", what,
		    after, len - 1);
	memcpy(out, c->lx.str, c->lx.str_len + 1);
	return 0;
}

static const struct conf_department *
department_find(const struct conf *conf, const char *name)
{
	return conf != NULL ? conf_department_find(conf, name) : NULL;
}

static const char *
department_names(const struct conf *conf, char *buf, size_t len)
{
	size_t i, used;
	int w;

	if (conf == NULL || conf->departments_count == 0)
		return "none are defined";
	used = (size_t)snprintf(buf, len, "defined: ");
	for (i = 0; i < conf->departments_count && used < len; i++) {
		w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		    conf->departments[i].name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* A department the configuration defines: the error names those defined. */
static int
expect_department(struct compiler *c, const char *after, const char **name,
    int *entry_tier)
{
	const struct conf_department *d;
	char buf[256], names[400];

	if (expect_name(c, after, "a department name", buf, sizeof(buf)) == -1)
		return -1;
	if ((d = department_find(c->conf, buf)) == NULL)
		return cerr(c, "unknown department '%s' (%s)", buf,
		    department_names(c->conf, names, sizeof(names)));
	*name = keep(c, d->name);
	if (entry_tier != NULL)
		*entry_tier = d->entry_tier;
	lex(c);
	return 0;
}

/* Any text but control characters and commas (a ticket's tags are
 * stored as one comma-separated list), at most RULES_TAG_LEN_MAX - 1 bytes. */
static int
valid_tag(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= RULES_TAG_LEN_MAX || *s == ' ' || s[n - 1] == ' ')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ',')
			return 0;
	return 1;
}

static int
expect_tag(struct compiler *c, const char *after, const char **out)
{
	char buf[STR_MAX];

	if (expect_name(c, after, "a tag", buf, sizeof(buf)) == -1)
		return -1;
	if (!valid_tag(buf))
		return cerr(c, "invalid tag \"%s\" (no commas, no control characters, "
		    "no spaces around it, at most %d bytes)", buf, RULES_TAG_LEN_MAX - 1);
	*out = keep(c, buf);
	lex(c);
	return 0;
}

/* user@domain, nothing that could break a header or a list of them. */
static int
valid_addr(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    n > 254)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || strchr(",;<>\"()[]\\", *s))
			return 0;
	return 1;
}

static int
expect_addr(struct compiler *c, const char *after, const char **out)
{
	char buf[STR_MAX], d[64];

	if (c->lx.type != T_STR && c->lx.type != T_WORD)
		return cerr(c, "expected an address after '%s' (e.g. \"lead@example.com\"), "
		    "got %s", after, tok_desc(c, d, sizeof(d)));
	memcpy(buf, c->lx.str, c->lx.str_len + 1);
	if (!valid_addr(buf))
		return cerr(c, "invalid address '%s' after '%s' (expected user@domain)",
		    buf, after);
	*out = keep(c, buf);
	lex(c);
	return 0;
}

/* 1 when the current token is a currency sign rather than its code. */
static int
tok_is_symbol(const struct compiler *c)
{
	static const char *const symbols[] = { "\xe2\x82\xac", "$", "\xc2\xa3",
		"\xc2\xa5" };
	size_t i;

	for (i = 0; c->lx.type == T_BAD && i < NELEM(symbols); i++)
		if (strcmp(c->lx.str, symbols[i]) == 0)
			return 1;
	return 0;
}

/* AMOUNT [CURRENCY] after `amount CMP`: *cents, and *currency (-1: any).
 * "50EUR" is taken as "50 EUR". */
static int
expect_amount(struct compiler *c, double *cents, int *currency)
{
	char num[64], d[64];
	int64_t v;
	size_t n;

	*currency = -1;
	if (tok_is_symbol(c))
		return cerr(c, "expected an amount after 'amount', got %s (write the "
		    "currency's ISO code after the number, e.g. 'amount > 50 EUR')",
		    tok_desc(c, d, sizeof(d)));
	if (c->lx.type != T_NUM)
		return cerr(c, "expected an amount after 'amount', got %s (e.g. "
		    "'amount > 50 EUR', or 'amount >= 100' in any currency)",
		    tok_desc(c, d, sizeof(d)));
	(void)snprintf(num, sizeof(num), "%.63s", c->lx.str);
	n = strlen(num);
	if (n > 3 && (*currency = amount_currency_find(num + n - 3)) >= 0)
		num[n - 3] = '\0';
	if (amount_parse(num, &v) == -1)
		return cerr(c, "invalid amount '%s' after 'amount' (expected digits with "
		    "at most two decimals after '.', e.g. 50 or 49.99; at most %d digits "
		    "before them)", c->lx.str, AMOUNT_DIGITS_MAX);
	*cents = (double)v;
	lex(c);
	if (*currency >= 0)
		return 0;
	if (c->lx.type == T_COMMA)
		return cerr(c, "no grouping and no decimal comma in the amounts of rules "
		    "(write 1200, or 49.99)");
	if (tok_is_symbol(c))
		return cerr(c, "expected a currency code, got %s (write its ISO code: "
		    "EUR, USD, GBP, JPY, ...)", tok_desc(c, d, sizeof(d)));
	/* A word of three letters after the number names a currency; others
	 * (and, or, then) end the test. */
	if (c->lx.type != T_WORD || c->lx.str_len != 3 || strcmp(c->lx.str, "and") == 0 ||
	    strcmp(c->lx.str, "not") == 0)
		return 0;
	if ((*currency = amount_currency_find(c->lx.str)) < 0)
		return cerr(c, "unknown currency %s after the amount (expected one of: %s)",
		    tok_desc(c, d, sizeof(d)), amount_currency_list());
	lex(c);
	return 0;
}

/* An authority the configuration defines: its index into *index. */
static int
expect_authority(struct compiler *c, const char *after, int *index, const char **name)
{
	const struct rules *p = c->prog;
	char buf[256], names[400];
	size_t i, used = 0;
	int w;

	if (expect_name(c, after, "an authority name", buf, sizeof(buf)) == -1)
		return -1;
	for (i = 0; i < p->authorities; i++)
		if (strcmp(p->authority[i].name, buf) == 0) {
			*index = (int)i;
			*name = p->authority[i].name;
			lex(c);
			return 0;
		}
	if (p->authorities == 0)
		return cerr(c, "unknown authority '%s' (none is defined: add e.g. "
		    "'authority %s { tier 1 up-to 50 EUR  tier 2 any }')", buf, buf);
	names[0] = '\0';
	for (i = 0; i < p->authorities && used < sizeof(names); i++) {
		w = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
		    p->authority[i].name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return cerr(c, "unknown authority '%s' (defined: %s)", buf, names);
}

/* ---- phrases and regular expressions -------------------------------- */

static int
phrase_add(struct compiler *c)
{
	struct rules *p = c->prog;
	struct rphrase *ph;
	char *f;
	size_t n;

	if (c->lx.type != T_STR) {
		char d[64];

		return cerr(c, "expected a phrase in double quotes, got %s",
		    tok_desc(c, d, sizeof(d)));
	}
	if ((f = arena_alloc(&p->arena, c->lx.str_len + 4)) == NULL)
		return nomem(c);
	n = rules_fold(c->lx.str, c->lx.str_len, f);
	if (n <= 1)
		return cerr(c, "nothing to match in %s%s%s: a phrase needs letters or digits",
		    "\"", c->lx.str, "\"");
	if ((ph = grow(c, p->phrase, p->phrases, &c->phrases_cap, sizeof(*ph))) == NULL)
		return -1;
	p->phrase = ph;
	ph = &p->phrase[p->phrases++];
	ph->folded = f;
	ph->len = n;
	ph->text = keep(c, c->lx.str);
	lex(c);
	return 0;
}

/* Refuses repetition counts that would make regcomp build a huge
 * automaton ("(a{1000}){1000}"). */
static int
regex_dup_ok(const char *s)
{
	long n;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			continue;
		}
		if (*s != '{')
			continue;
		while (*++s != '\0' && *s != '}') {
			if (!ascii_isdigit((unsigned char)*s))
				continue;
			for (n = 0; ascii_isdigit((unsigned char)*s); s++)
				if ((n = n * 10 + (*s - '0')) > REGEX_DUP_MAX)
					return 0;
			s--;
		}
		if (*s == '\0')
			return 1;
	}
	return 1;
}

/* A rough size of the automaton regcomp builds: glibc copies a repeated
 * atom for each repetition ({3,5} five times, + and * twice), so nested
 * or stacked repetitions ("(a{200}){200}", "a+++++") multiply.  Returns
 * the estimate, capped at REGEX_WEIGHT_MAX + 1. */
/* One unit is about 13 KB of automaton, twice (the matcher and the
 * one that finds submatches): 4,000 is some 100 MB, far above any rule a
 * person writes ("(speak|talk) to (a|your) (manager|supervisor)" is 40),
 * and all the rules together get five times that, so that a
 * configuration cannot take gigabytes one regex at a time. */
#define REGEX_WEIGHT_MAX	4000
#define REGEX_WEIGHT_TOTAL	20000
#define REGEX_DEPTH_MAX		64
static long
regex_weight(const char *s)
{
	long cur[REGEX_DEPTH_MAX + 1], last = 0, m, n, k;
	int depth = 0;

	cur[0] = 0;
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '(':
			if (depth == REGEX_DEPTH_MAX)
				return REGEX_WEIGHT_MAX + 1;
			cur[++depth] = 0;
			last = 0;
			continue;
		case ')':
			if (depth == 0) {
				/* glibc takes an unmatched ')' of an ERE as
				 * itself: "a+)+++..." is stacked repetitions
				 * of it, gigabytes to regcomp */
				last = 1;
				cur[depth] += 1;
				break;
			}
			last = cur[depth--];
			cur[depth] += last;
			break;
		case '|':
			last = 0;
			continue;
		case '*':
		case '+':
		case '?':
			cur[depth] += last;
			last *= 2;
			break;
		case '{':
			for (m = 0, s++; ascii_isdigit((unsigned char)*s) && m <= REGEX_DUP_MAX;
			    s++)
				m = m * 10 + (*s - '0');
			n = m;
			if (*s == ',')
				for (n = m + 1, k = 0, s++; ascii_isdigit((unsigned char)*s) &&
				    k <= REGEX_DUP_MAX; s++)
					n = k = k * 10 + (*s - '0');
			if (*s != '}')
				return 0;	/* regcomp says what is wrong */
			if (n < 1)
				n = 1;
			cur[depth] += last * (n - 1);
			last *= n;
			break;
		case '[':
			s++;
			if (*s == '^')
				s++;
			if (*s == ']')
				s++;
			while (*s != '\0' && *s != ']')
				s++;
			if (*s == '\0')
				return 0;
			last = 1;
			cur[depth] += 1;
			break;
		case '\\':
			if (s[1] != '\0')
				s++;
			/* FALLTHROUGH */
		default:
			last = 1;
			cur[depth] += 1;
			break;
		}
		if (cur[depth] > REGEX_WEIGHT_MAX || last > REGEX_WEIGHT_MAX)
			return REGEX_WEIGHT_MAX + 1;
	}
	return cur[0];
}

static int
regex_add(struct compiler *c, uint32_t *index)
{
	struct rules *p = c->prog;
	struct rregex *re;
	char why[256], d[64];
	long weight;
	int rc;

	if (c->lx.type != T_STR)
		return cerr(c, "expected a regular expression in double quotes, got %s",
		    tok_desc(c, d, sizeof(d)));
	if (c->lx.str_len == 0)
		return cerr(c, "empty regular expression (it would match everything)");
	if (c->lx.str_len > REGEX_MAX)
		return cerr(c, "regular expression longer than %d bytes", REGEX_MAX);
	if (!regex_dup_ok(c->lx.str))
		return cerr(c, "invalid regular expression \"%s\": repetition count "
		    "above %d", c->lx.str, REGEX_DUP_MAX);
	if ((weight = regex_weight(c->lx.str)) > REGEX_WEIGHT_MAX)
		return cerr(c, "regular expression \"%.60s%s\" is too complex (nested or "
		    "stacked repetitions)", c->lx.str, c->lx.str_len > 60 ? "..." : "");
	if ((c->regex_weight += weight) > REGEX_WEIGHT_TOTAL)
		return cerr(c, "regular expression \"%.60s%s\" is one too many: the rules' "
		    "regular expressions together are too complex (nested or stacked "
		    "repetitions)", c->lx.str, c->lx.str_len > 60 ? "..." : "");
	if ((re = grow(c, p->regex, p->regexes, &c->regexes_cap, sizeof(*re))) == NULL)
		return -1;
	p->regex = re;
	re = &p->regex[p->regexes];
	if ((rc = regcomp(&re->fast, c->lx.str, REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
		(void)regerror(rc, &re->fast, why, sizeof(why));
		if (rc == REG_ESPACE)
			return nomem(c);
		return cerr(c, "invalid regular expression \"%s\": %s", c->lx.str, why);
	}
	if ((rc = regcomp(&re->sub, c->lx.str, REG_EXTENDED | REG_ICASE)) != 0) {
		regfree(&re->fast);
		(void)regerror(rc, &re->sub, why, sizeof(why));
		if (rc == REG_ESPACE)
			return nomem(c);
		return cerr(c, "invalid regular expression \"%s\": %s", c->lx.str, why);
	}
	re->text = keep(c, c->lx.str);
	*index = (uint32_t)p->regexes++;
	lex(c);
	return 0;
}

/* ---- conditions ----------------------------------------------------- */

static int cond_or(struct compiler *, uint32_t *);

static const char *const tests[] = {	/* sorted: the error lists them */
	"age", "amount", "asks-escalation", "channel", "channel.kind", "closed", "department",
	"exchanges", "from", "kind", "new", "not", "open", "pending", "priority",
	"private", "public", "reach", "resolved", "sentiment", "status", "subject",
	"tag", "text", "tier"
};

static const char *
tests_list(char *buf, size_t len)
{
	size_t i, used = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < NELEM(tests) && used < len; i++) {
		if (strcmp(tests[i], "not") == 0 || strcmp(tests[i], "channel.kind") == 0)
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", tests[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* text | subject | from, then has [any|all] PHRASES, or ~ REGEX. */
static int
test_field(struct compiler *c, int field, const char *name, uint32_t *out)
{
	struct rules *p = c->prog;
	uint32_t n, first, re = 0;
	int op = ROP_HAS_ANY, neg;
	char d[64];

	if (c->lx.type == T_MATCH) {
		neg = c->lx.cmp;
		lex(c);
		if (regex_add(c, &re) == -1)
			return -1;
		if ((n = node_add(c, ROP_MATCH)) == UINT32_MAX)
			return -1;
		p->node[n].field = (uint8_t)field;
		p->node[n].neg = (uint8_t)neg;
		p->node[n].a = re;
		*out = n;
		return 0;
	}
	if (!tok_is(c, "has"))
		return cerr(c, "expected 'has' or '~' after '%s', got %s", name,
		    tok_desc(c, d, sizeof(d)));
	lex(c);
	first = (uint32_t)p->phrases;
	if (tok_is(c, "any") || tok_is(c, "all")) {
		op = tok_is(c, "all") ? ROP_HAS_ALL : ROP_HAS_ANY;
		lex(c);
		if (c->lx.type != T_LP)
			return cerr(c, "expected '(' and a list of phrases after 'has %s', "
			    "got %s", op == ROP_HAS_ALL ? "all" : "any", tok_desc(c, d, sizeof(d)));
	}
	if (c->lx.type == T_LP) {
		lex(c);
		for (;;) {
			if (p->phrases - first >= PHRASES_MAX)
				return cerr(c, "more than %d phrases in one list", PHRASES_MAX);
			if (phrase_add(c) == -1)
				return -1;
			if (c->lx.type == T_RP)
				break;
			if (c->lx.type != T_COMMA)
				return cerr(c, "expected ',' or ')' in the list of phrases, "
				    "got %s", tok_desc(c, d, sizeof(d)));
			lex(c);
		}
		lex(c);
	} else if (phrase_add(c) == -1)
		return -1;
	if ((n = node_add(c, op)) == UINT32_MAX)
		return -1;
	p->node[n].field = (uint8_t)field;
	p->node[n].a = first;
	p->node[n].b = (uint32_t)p->phrases - first;
	p->needs_fold |= 1u << field;
	*out = n;
	return 0;
}

static int
test(struct compiler *c, uint32_t *out)
{
	struct rules *p = c->prog;
	char word[64], d[64], list[400], name[256];
	const char *kind;
	uint32_t n;
	double num = 0;
	long v = 0;
	int cmp = RCMP_EQ, op, st;

	if (c->lx.type != T_WORD)
		return cerr(c, "expected a condition, got %s (expected one of: %s)",
		    tok_desc(c, d, sizeof(d)), tests_list(list, sizeof(list)));
	(void)snprintf(word, sizeof(word), "%.63s", c->lx.str);
	for (n = 0; n < NELEM(tests); n++)
		if (strcmp(tests[n], word) == 0)
			break;
	if (n == NELEM(tests))
		return cerr(c, "unknown condition '%s' (expected one of: %s)", c->lx.str,
		    tests_list(list, sizeof(list)));
	if (strcmp(word, "public") == 0 || strcmp(word, "private") == 0 ||
	    strcmp(word, "asks-escalation") == 0) {
		op = word[1] == 'u' ? ROP_PUBLIC : word[1] == 'r' ? ROP_PRIVATE : ROP_ASKS;
		lex(c);
		return (*out = node_add(c, op)) == UINT32_MAX ? -1 : 0;
	}
	if ((st = status_from_name(word)) >= 0) {
		lex(c);
		if ((n = node_add(c, ROP_STATUS)) == UINT32_MAX)
			return -1;
		p->node[n].cmp = RCMP_EQ;
		p->node[n].num = st;
		*out = n;
		return 0;
	}
	if (strcmp(word, "text") == 0 || strcmp(word, "subject") == 0 ||
	    strcmp(word, "from") == 0) {
		lex(c);
		return test_field(c, word[0] == 't' ? RF_TEXT : word[0] == 's' ?
		    RF_SUBJECT : RF_FROM, word, out);
	}
	lex(c);
	if (strcmp(word, "sentiment") == 0) {
		op = ROP_SENTIMENT;
		if (expect_cmp(c, word, 0, &cmp) == -1 ||
		    expect_number(c, "sentiment", -1, 1, &num) == -1)
			return -1;
	} else if (strcmp(word, "reach") == 0 || strcmp(word, "exchanges") == 0) {
		op = word[0] == 'r' ? ROP_REACH : ROP_EXCHANGES;
		if (expect_cmp(c, word, 0, &cmp) == -1 ||
		    expect_integer(c, word, 0, 2000000000L, &v) == -1)
			return -1;
		num = (double)v;
	} else if (strcmp(word, "tier") == 0) {
		op = ROP_TIER;
		if (expect_cmp(c, word, 0, &cmp) == -1 ||
		    expect_integer(c, word, TIER_MIN, TIER_MAX, &v) == -1)
			return -1;
		num = (double)v;
	} else if (strcmp(word, "age") == 0) {
		op = ROP_AGE;
		if (expect_cmp(c, word, 0, &cmp) == -1 || expect_duration(c, word, &v) == -1)
			return -1;
		num = (double)v;
	} else if (strcmp(word, "priority") == 0) {
		op = ROP_PRIORITY;
		if (expect_cmp(c, word, 0, &cmp) == -1)
			return -1;
		if ((st = expect_enum(c, "priority", priority_from_name, priority_list)) < 0)
			return -1;
		num = st;
	} else if (strcmp(word, "status") == 0) {
		op = ROP_STATUS;
		if (expect_cmp(c, word, 1, &cmp) == -1)
			return -1;
		if ((st = expect_enum(c, "status", status_from_name, status_list)) < 0)
			return -1;
		num = st;
	} else if (strcmp(word, "department") == 0) {
		op = ROP_DEPARTMENT;
		if (optional_eq(c, word, &cmp) == -1 ||
		    expect_department(c, word, &kind, NULL) == -1)
			return -1;
		if ((n = node_add(c, op)) == UINT32_MAX)
			return -1;
		p->node[n].str = kind;
		p->node[n].neg = cmp == RCMP_NE;
		*out = n;
		return 0;
	} else if (strcmp(word, "channel") == 0) {
		size_t at;

		if (optional_eq(c, word, &cmp) == -1)
			return -1;
		at = c->lx.start;
		if (expect_name(c, word, "a channel name", name, sizeof(name)) == -1)
			return -1;
		if (c->conf != NULL && c->conf->channels_count > 0 &&
		    conf_channel_find(c->conf, name) == NULL)
			report(c, 1, at, "no channel '%s' is configured (only messages "
			    "imported with --channel %s can match)", name, name);
		lex(c);
		if ((n = node_add(c, ROP_CHANNEL)) == UINT32_MAX)
			return -1;
		p->node[n].str = keep(c, name);
		p->node[n].neg = cmp == RCMP_NE;
		*out = n;
		return 0;
	} else if (strcmp(word, "kind") == 0 || strcmp(word, "channel.kind") == 0) {
		if (optional_eq(c, word, &cmp) == -1)
			return -1;
		if ((c->lx.type != T_WORD && c->lx.type != T_STR) ||
		    (kind = kind_name_known(c->lx.str)) == NULL)
			return cerr(c, c->lx.type == T_WORD || c->lx.type == T_STR ?
			    "unknown channel kind %s after '%s' (expected %s)" :
			    "expected a channel kind, got %s after '%s' (expected %s)",
			    tok_desc(c, d, sizeof(d)), word, kind_list);
		lex(c);
		if ((n = node_add(c, ROP_KIND)) == UINT32_MAX)
			return -1;
		p->node[n].str = kind;
		p->node[n].neg = cmp == RCMP_NE;
		*out = n;
		return 0;
	} else if (strcmp(word, "amount") == 0) {
		if (expect_cmp(c, word, 0, &cmp) == -1 || expect_amount(c, &num, &st) == -1)
			return -1;
		if ((n = node_add(c, ROP_AMOUNT)) == UINT32_MAX)
			return -1;
		p->node[n].cmp = (uint8_t)cmp;
		p->node[n].num = num;
		p->node[n].a = (uint32_t)(st + 1);
		p->node[n].str = st >= 0 ? amount_currency_code(st) : NULL;
		*out = n;
		return 0;
	} else if (strcmp(word, "tag") == 0) {
		if (expect_tag(c, word, &kind) == -1)
			return -1;
		if ((n = node_add(c, ROP_TAG)) == UINT32_MAX)
			return -1;
		p->node[n].str = kind;
		*out = n;
		return 0;
	} else
		return cerr(c, "'%s' cannot start a condition here", word);	/* not reached */
	if ((n = node_add(c, op)) == UINT32_MAX)
		return -1;
	p->node[n].cmp = (uint8_t)cmp;
	p->node[n].num = num;
	*out = n;
	return 0;
}

static int
cond_unary(struct compiler *c, uint32_t *out)
{
	uint32_t a, n;
	size_t open;
	char d[64];
	struct conf_pos op;

	if (tok_is(c, "not")) {
		lex(c);
		if (cond_unary(c, &a) == -1)
			return -1;
		if ((n = node_add(c, ROP_NOT)) == UINT32_MAX)
			return -1;
		c->prog->node[n].a = a;
		*out = n;
		return 0;
	}
	if (c->lx.type == T_LP) {
		open = c->lx.start;
		if (++c->depth > DEPTH_MAX)
			return cerr(c, "parentheses nested more than %d deep", DEPTH_MAX);
		lex(c);
		if (cond_or(c, out) == -1)
			return -1;
		if (c->lx.type != T_RP) {
			op = pos_of(&c->lx, open);
			return cerr(c, "expected ')' to close the '(' at column %d, got %s",
			    op.col, tok_desc(c, d, sizeof(d)));
		}
		c->depth--;
		lex(c);
		return 0;
	}
	return test(c, out);
}

static int
cond_binary(struct compiler *c, const char *word, int op,
    int (*sub)(struct compiler *, uint32_t *), uint32_t *out)
{
	uint32_t l, r, n;

	if (sub(c, &l) == -1)
		return -1;
	while (tok_is(c, word)) {
		lex(c);
		if (sub(c, &r) == -1)
			return -1;
		if ((n = node_add(c, op)) == UINT32_MAX)
			return -1;
		c->prog->node[n].a = l;
		c->prog->node[n].b = r;
		l = n;
	}
	*out = l;
	return 0;
}

static int
cond_and(struct compiler *c, uint32_t *out)
{
	return cond_binary(c, "and", ROP_AND, cond_unary, out);
}

static int
cond_or(struct compiler *c, uint32_t *out)
{
	return cond_binary(c, "or", ROP_OR, cond_and, out);
}

static void
lexer_start(struct compiler *c, const char *text, const struct conf_pos *pos)
{
	memset(&c->lx, 0, sizeof(c->lx));
	c->lx.text = text != NULL ? text : "";
	c->lx.len = strlen(c->lx.text);
	c->lx.base = *pos;
	lex(c);
}

static int
condition(struct compiler *c, const struct conf_rule *r, uint32_t *root)
{
	char d[64];

	c->depth = 0;
	lexer_start(c, r->when, &r->when_pos);
	if (c->lx.type == T_BAD)
		return cerr(c, "unexpected %s in the condition", tok_desc(c, d, sizeof(d)));
	if (cond_or(c, root) == -1)
		return -1;
	if (c->lx.type != T_EOF)
		return cerr(c, "unexpected %s after a complete condition (expected "
		    "'and', 'or' or 'then')", tok_desc(c, d, sizeof(d)));
	return 0;
}

/* ---- actions -------------------------------------------------------- */

static const char *const action_words[] = {	/* sorted */
	"assign", "department", "escalate", "ignore", "notify", "priority",
	"route-by-authority", "stop", "tag", "tier"
};

static int
action(struct compiler *c, struct raction *a)
{
	char word[64], d[64], list[200];
	const struct conf *conf = c->conf;
	size_t i = NELEM(action_words), used = 0;
	long v;
	int w;

	memset(a, 0, sizeof(*a));
	a->entry_tier = -1;
	if (c->lx.type == T_WORD)
		for (i = 0; i < NELEM(action_words); i++)
			if (strcmp(action_words[i], c->lx.str) == 0)
				break;
	if (c->lx.type != T_WORD || i == NELEM(action_words)) {
		for (i = 0, list[0] = '\0'; i < NELEM(action_words); i++) {
			w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
			    action_words[i]);
			if (w > 0)
				used += (size_t)w;
		}
		if (c->lx.type == T_WORD)
			return cerr(c, "unknown action '%s' (expected one of: %s)", c->lx.str,
			    list);
		return cerr(c, "expected an action, got %s (expected one of: %s)",
		    tok_desc(c, d, sizeof(d)), list);
	}
	(void)snprintf(word, sizeof(word), "%.63s", c->lx.str);
	lex(c);
	switch (word[0]) {
	case 'a':
		a->act = RULES_ASSIGN;
		return expect_addr(c, word, &a->str);
	case 'd':
		a->act = RULES_DEPARTMENT;
		return expect_department(c, word, &a->str, &a->entry_tier);
	case 'e':
		a->act = RULES_ESCALATE;
		a->n = 1;
		a->relative = 1;
		return 0;
	case 'i':
		a->act = RULES_IGNORE;
		return 0;
	case 'n':
		a->act = RULES_NOTIFY;
		return expect_addr(c, word, &a->str);
	case 'p':
		a->act = RULES_PRIORITY;
		return (a->n = expect_enum(c, "priority", priority_from_name,
		    priority_list)) < 0 ? -1 : 0;
	case 'r':
		a->act = RULES_AUTHORITY;
		return expect_authority(c, word, &a->n, &a->str);
	case 's':
		a->act = RULES_STOP;
		return 0;
	case 't':
		if (strcmp(word, "tag") == 0) {
			a->act = RULES_TAG;
			return expect_tag(c, word, &a->str);
		}
		a->act = RULES_TIER;
		if (c->lx.type == T_NUM && c->lx.str[0] == '-')
			return cerr(c, "a rule cannot lower the tier, got %s (expected 'tier N' "
			    "or 'tier +N'; de-escalation is for people)", tok_desc(c, d, sizeof(d)));
		if (c->lx.type == T_NUM && c->lx.str[0] == '+') {
			a->relative = 1;
			if (expect_integer(c, "tier", 1, TIER_MAX, &v) == -1)
				return -1;
		} else {
			size_t at = c->lx.start;

			if (expect_integer(c, word, TIER_MIN, TIER_MAX, &v) == -1)
				return -1;
			if (conf != NULL && conf->tiers_count > 0 &&
			    conf_tier_find(conf, (int)v) == NULL)
				report(c, 1, at, "tier %ld is not defined (no owner, no SLA "
				    "targets)", v);
		}
		a->n = (int)v;
		return 0;
	}
	return cerr(c, "unknown action '%s'", word);	/* not reached */
}

/* Skips to the next ',' outside parentheses, or the end. */
static void
action_recover(struct compiler *c)
{
	int depth = 0;

	while (c->lx.type != T_EOF) {
		if (c->lx.type == T_LP)
			depth++;
		else if (c->lx.type == T_RP && depth > 0)
			depth--;
		else if (c->lx.type == T_COMMA && depth == 0)
			return;
		lex(c);
	}
}

static int
actions(struct compiler *c, const struct conf_rule *r, struct rrule *rr)
{
	struct rules *p = c->prog;
	struct raction a, *slot;
	char d[64];
	int errors = c->errors;

	c->depth = -1;		/* tok_desc: "the end of the actions" */
	lexer_start(c, r->then, &r->then_pos);
	rr->first_action = (uint32_t)p->actions;
	for (;;) {
		if (action(c, &a) == 0) {
			if ((slot = grow(c, p->action, p->actions, &c->actions_cap,
			    sizeof(*slot))) == NULL)
				return -1;
			p->action = slot;
			p->action[p->actions++] = a;
			if (c->lx.type != T_EOF && c->lx.type != T_COMMA) {
				(void)cerr(c, "expected ',' between actions, got %s",
				    tok_desc(c, d, sizeof(d)));
				action_recover(c);
			}
		} else
			action_recover(c);
		if (c->oom || c->lx.type == T_EOF)
			break;
		lex(c);		/* the ',' */
		if (c->lx.type == T_EOF) {
			(void)cerr(c, "expected an action after ',', got the end of the actions");
			break;
		}
	}
	rr->actions_count = (uint32_t)p->actions - rr->first_action;
	return c->errors > errors ? -1 : 0;
}

/* ---- the program ---------------------------------------------------- */

/* Copies the configuration's authorities into the program.  conf.c
 * checked them; a line beyond RULES_AUTHORITY_LINES cannot be (tiers
 * increase from 0 to 4) and would be dropped. */
static void
authorities(struct compiler *c, const struct conf *conf)
{
	struct rules *p = c->prog;
	const struct conf_authority *ca;
	struct rauthority *ra;
	size_t i, k;

	if (conf->authorities_count == 0)
		return;
	if ((p->authority = calloc(conf->authorities_count, sizeof(*ra))) == NULL) {
		(void)nomem(c);
		return;
	}
	for (i = 0; i < conf->authorities_count; i++) {
		ca = &conf->authorities[i];
		ra = &p->authority[p->authorities++];
		ra->name = keep(c, ca->name);
		ra->currency = ca->currency;
		for (k = 0; k < ca->tiers_count && k < RULES_AUTHORITY_LINES; k++) {
			ra->tier[k] = ca->tiers[k].tier;
			ra->limit[k] = ca->tiers[k].limit;
		}
		ra->count = k;
	}
}

int
rules_compile(const struct conf *conf, const struct rules_diag *diag,
    struct rules **out, struct err *e)
{
	struct compiler c;
	struct rules *p;
	struct rrule *rr;
	size_t i;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return err_set(e, ERR_NOMEM, "cannot compile rules: out of memory");
	arena_init(&p->arena, RULES_ARENA_MAX);
	memset(&c, 0, sizeof(c));
	c.conf = conf;
	c.diag = diag;
	c.prog = p;
	if (conf != NULL && conf->rules_count > 0 &&
	    (p->rule = calloc(conf->rules_count, sizeof(*p->rule))) == NULL)
		c.oom = 1;
	if (conf != NULL && !c.oom)
		authorities(&c, conf);
	for (i = 0; conf != NULL && i < conf->rules_count && !c.oom; i++) {
		const struct conf_rule *r = &conf->rules[i];

		rr = &p->rule[p->count++];
		rr->name = keep(&c, r->name);
		c.rule = r->name;
		(void)condition(&c, r, &rr->root);
		(void)actions(&c, r, rr);
	}
	if (c.oom) {
		rules_free(p);
		return err_set(e, ERR_NOMEM, "cannot compile rules: out of memory");
	}
	if (c.errors > 0) {
		rules_free(p);
		return err_set(e, ERR_CONFIG, "%d error%s in rules", c.errors,
		    c.errors == 1 ? "" : "s");
	}
	*out = p;
	return 0;
}

void
rules_free(struct rules *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->regexes; i++) {
		regfree(&p->regex[i].fast);
		regfree(&p->regex[i].sub);
	}
	free(p->regex);
	free(p->rule);
	free(p->node);
	free(p->phrase);
	free(p->action);
	free(p->authority);
	arena_release(&p->arena);
	free(p);
}

size_t
rules_count(const struct rules *p)
{
	return p != NULL ? p->count : 0;
}

const char *
rules_name(const struct rules *p, size_t i)
{
	return p != NULL && i < p->count ? p->rule[i].name : "";
}

const char *
rules_act_name(int act)
{
	static const char *names[] = { "priority", "tier", "escalate", "department",
		"assign", "tag", "notify", "ignore", "stop", "route-by-authority" };

	return act >= 0 && (size_t)act < NELEM(names) ? names[act] : "unknown";
}

/* 1 when s reads back as a word without quotes. */
static int
plain_word(const char *s)
{
	if (!is_word_start((unsigned char)*s))
		return 0;
	for (; *s != '\0'; s++)
		if (!is_word_char((unsigned char)*s))
			return 0;
	return 1;
}

const char *
rules_actions_text(const struct rules *p, size_t i, char *out, size_t len)
{
	const struct raction *a;
	size_t k, used = 0;
	int w = 0;

	if (len == 0)
		return out;
	out[0] = '\0';
	if (p == NULL || i >= p->count)
		return out;
	for (k = 0; k < p->rule[i].actions_count && used < len; k++) {
		a = &p->action[p->rule[i].first_action + k];
		switch (a->act) {
		case RULES_PRIORITY:
			w = snprintf(out + used, len - used, "%spriority %s", k ? ", " : "",
			    priority_name(a->n));
			break;
		case RULES_TIER:
			w = snprintf(out + used, len - used, "%stier %s%d", k ? ", " : "",
			    a->relative ? "+" : "", a->n);
			break;
		case RULES_DEPARTMENT:
		case RULES_ASSIGN:
		case RULES_TAG:
		case RULES_NOTIFY:
		case RULES_AUTHORITY:
			w = snprintf(out + used, len - used, plain_word(a->str) ? "%s%s %s" :
			    "%s%s \"%s\"", k ? ", " : "", rules_act_name(a->act), a->str);
			break;
		default:
			w = snprintf(out + used, len - used, "%s%s", k ? ", " : "",
			    rules_act_name(a->act));
			break;
		}
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return out;
}

/* ---- dump ----------------------------------------------------------- */

static void
dump_node(const struct rules *p, uint32_t i, FILE *f)
{
	static const char *cmps[] = { "<", "<=", ">", ">=", "=", "!=" };
	static const char *fields[] = { "text", "subject", "from" };
	static const char *names[] = { "", "", "", "", "", "", "sentiment", "reach",
		"exchanges", "tier", "age", "priority", "status", "department", "channel",
		"kind" };
	const struct rnode *n = &p->node[i];
	char amt[64];
	uint32_t k;

	switch (n->op) {
	case ROP_AND:
	case ROP_OR:
		fprintf(f, "(%s ", n->op == ROP_AND ? "and" : "or");
		dump_node(p, n->a, f);
		fputc(' ', f);
		dump_node(p, n->b, f);
		fputc(')', f);
		return;
	case ROP_NOT:
		fputs("(not ", f);
		dump_node(p, n->a, f);
		fputc(')', f);
		return;
	case ROP_PUBLIC:
		fputs("public", f);
		return;
	case ROP_PRIVATE:
		fputs("private", f);
		return;
	case ROP_ASKS:
		fputs("asks-escalation", f);
		return;
	case ROP_SENTIMENT:
	case ROP_REACH:
	case ROP_EXCHANGES:
	case ROP_TIER:
	case ROP_AGE:
		fprintf(f, "(%s %s %g)", cmps[n->cmp], names[n->op], n->num);
		return;
	case ROP_PRIORITY:
		fprintf(f, "(%s priority %s)", cmps[n->cmp], priority_name((int)n->num));
		return;
	case ROP_STATUS:
		fprintf(f, "(%s status %s)", cmps[n->cmp], status_name((int)n->num));
		return;
	case ROP_DEPARTMENT:
	case ROP_CHANNEL:
	case ROP_KIND:
		fprintf(f, "(%s %s %s)", n->neg ? "!=" : "=", names[n->op], n->str);
		return;
	case ROP_TAG:
		fprintf(f, "(tag \"%s\")", n->str);
		return;
	case ROP_HAS_ANY:
	case ROP_HAS_ALL:
		fprintf(f, "(%s %s", n->op == ROP_HAS_ANY ? "has-any" : "has-all",
		    fields[n->field]);
		for (k = 0; k < n->b; k++)
			fprintf(f, " \"%s\"", p->phrase[n->a + k].folded);
		fputc(')', f);
		return;
	case ROP_MATCH:
		fprintf(f, "(%s %s \"%s\")", n->neg ? "!~" : "~", fields[n->field],
		    p->regex[n->a].text);
		return;
	case ROP_AMOUNT:
		fprintf(f, "(%s amount %s)", cmps[n->cmp], amount_format((int64_t)n->num,
		    (int)n->a - 1, amt, sizeof(amt)));
		return;
	}
	fputs("?", f);
}

void
rules_dump(const struct rules *p, FILE *f)
{
	char actions[2048];
	size_t i;

	for (i = 0; p != NULL && i < p->count; i++) {
		fprintf(f, "rule \"%s\": ", p->rule[i].name);
		dump_node(p, p->rule[i].root, f);
		fprintf(f, " -> %s\n", rules_actions_text(p, i, actions, sizeof(actions)));
	}
}
