/* conf.c -- the configuration file: a lexer, a recursive-descent parser,
 * name resolution and file checks, building an immutable struct conf.
 *
 * Hand-written rather than yacc/bison: the grammar is small (a dozen
 * statements of keyword-value pairs), and a hand parser gives exact
 * file:line:col positions with the source line and a caret, messages that
 * say what was expected in this very place, and recovery per statement and
 * per block key, so one run reports every mistake, as a compiler does.
 *
 * Ownership: every string and array of a struct conf lives in one arena
 * owned by it (struct conf_impl below); conf_free releases the lot.  The
 * sources (the file and what it includes) are kept until the load ends so
 * that late errors (unknown references) can still quote their line.
 *
 * LEXICAL STRUCTURE
 *   The file is text; bytes >= 0x80 (UTF-8) are allowed only in strings
 *   and comments.  Whitespace (space, tab, CR, LF) separates tokens; a
 *   newline means nothing else, so a statement may span lines.  Lines and
 *   columns are 1-based; a column counts characters (UTF-8 sequences), a
 *   tab counting as one.
 *   comment   '#' to the end of the line, outside strings.
 *   string    "..." on one line; \" and \\ are the only escapes; control
 *             characters other than tab are refused; at most 4095 bytes.
 *   word      a run of [A-Za-z0-9_.@+:%/-]: keywords, names, numbers,
 *             durations, times, dates, percentages.  Their shape is checked
 *             by the statement that expects them, so that '15x' is called
 *             an invalid duration, not a bad character.
 *   punctuation  { } ( ) ,
 *
 * VALUES
 *   STRING    a quoted string, never empty.
 *   PATH      a STRING; relative paths are relative to the directory of
 *             the file they are written in.
 *   SECRET    a PATH to a file holding a secret: it must be a readable
 *             regular file; readable by group or others is a warning.  Its
 *             contents are never read by the configuration loader.
 *   ADDR      a STRING "user@domain".
 *   NAME      a word of letters, digits, '-', '_', '.', starting with a
 *             letter; names are case-sensitive.
 *   TIER      a number from 0 to 4.
 *   PRIORITY  low | normal | high | urgent.
 *   BOOL      yes | no.
 *   DURATION  NUMBER UNIT, or several in decreasing units (1h30m); units
 *             s, m, h, d, w; more than zero and at most 52w.
 *   TIME      HH:MM, 00:00 to 23:59 (24:00 may end a range).
 *   DATE      YYYY-MM-DD.
 *   DAYS      DAY or DAY-DAY, several separated by commas (mon-fri,
 *             sat, mon,wed,fri); DAY is mon tue wed thu fri sat sun, and a
 *             range runs forward from mon to sun.
 *   LIST      ITEM [, ITEM ...], optionally in parentheses.
 *
 * STATEMENTS (in any order; each at most once unless said otherwise)
 *   database PATH
 *   include PATH                     (any number; nesting depth at most
 *                                     16; a file including itself, even
 *                                     indirectly, is an error)
 *   smtp STRING [user STRING] [password-file SECRET] [from STRING]
 *        [tls-verify BOOL] [ca-file PATH]
 *        STRING is smtp://host[:port] or smtps://...; from is "addr" or
 *        "Name <addr>"; user and password-file go together.
 *   warn-at NUMBER%                  1% to 99%; default 80%: warn when this
 *                                    share of an SLA target has passed.
 *   digest daily TIME to LIST-of-ADDR           (any number)
 *   digest weekly [DAY] TIME to LIST-of-ADDR    (DAY defaults to mon)
 *   calendar NAME { ... }            (any number, names unique)
 *        timezone STRING             required; must exist in the time zone
 *                                    database (TZDIR or /usr/share/zoneinfo)
 *        hours DAYS TIME-TIME [, TIME-TIME ...]   required; repeatable;
 *                                    stretches may not overlap
 *        holiday DATE [, DATE ...]   repeatable
 *   tier TIER { ... }                (any number, numbers unique)
 *        owner ADDR                  required
 *        name STRING
 *        first-response [PRIORITY] DURATION   required for every priority
 *        next-response [PRIORITY] DURATION    (without PRIORITY: the
 *        resolution [PRIORITY] DURATION        default for all; repeatable)
 *        calendar NAME               default: round the clock
 *        pickup DURATION
 *   department NAME { ... }          (any number, names unique)
 *        head ADDR                   required
 *        entry-tier TIER
 *        owner ADDR
 *   channel NAME KIND { ... }        (any number, names unique)
 *        KIND is imap, mastodon, bluesky, feed or mbox; keys by kind:
 *        all:      public BOOL, department NAME, tier TIER
 *        imap:     url STRING (imap:// or imaps://, required),
 *                  user STRING (required), password-file SECRET or
 *                  oauth-token-file SECRET (one required), sent STRING,
 *                  done STRING, agents LIST, poll DURATION (60s),
 *                  since DATE, tls none|starttls|implicit (from the URL),
 *                  tls-verify BOOL (yes), ca-file PATH
 *        mastodon: instance STRING (http[s]://, required), token-file
 *                  SECRET (required), poll DURATION (2m), agents LIST,
 *                  hashtag LIST (tag timelines; the '#' is optional),
 *                  search LIST (status searches)
 *        bluesky:  handle STRING (required), app-password-file SECRET
 *                  (required), poll DURATION (2m), service STRING (the
 *                  PDS; https://bsky.social), search LIST (searchPosts)
 *        feed:     url STRING (http[s]://, required), poll DURATION (15m)
 *        URLs of mastodon, bluesky and feed channels must be https://;
 *        plain http:// is refused unless the host is loopback (127.0.0.1,
 *        ::1, localhost), which is for tests.
 *        mbox:     path PATH (optional: the file `import` reads; a warning if
 *                  missing), agents LIST
 *        agents are addresses ("a@example.com") or domains ("example.com"
 *        or "@example.com"); public defaults to yes for feeds and to "per
 *        message" for the others.
 *        imap, mbox: autoreply { ... }   the tier 0 acknowledgement of new
 *                  tickets (off without it); on mastodon, bluesky and feed
 *                  channels it is an error: social channels never get
 *                  automatic public replies.  Keys:
 *             text STRING | text-file PATH   the body (one is required;
 *                                  text repeats, a line each; the file is
 *                                  read at load: UTF-8, at most 64 KiB)
 *             from STRING          "Name <addr>" or "addr" (the smtp
 *                                  statement's from; an smtp statement is
 *                                  required either way)
 *             subject STRING       after "[#N] " (default: "Re: " and the
 *                                  customer's subject)
 *             help LIST STRING     keywords (words or phrases, '*' at
 *                                  the end for any ending), then an
 *                                  http[s]:// URL (repeatable)
 *             help-intro STRING    the line before the links ("These
 *                                  pages may help:")
 *             max-age DURATION     older mail is not acknowledged (1d)
 *             response-time BOOL   say when we aim to answer, from the
 *                                  ticket's tier (yes)
 *   authority NAME { ... }           (any number, names unique): who may
 *        decide how much, for the rule action route-by-authority NAME
 *        tier TIER up-to AMOUNT CURRENCY   repeatable: TIER may decide
 *                                    amounts up to AMOUNT, inclusive
 *        tier TIER any               required, last: any amount above
 *        Tiers increase and limits increase line by line; every limit
 *        is in one currency (an ISO code rules/amount.h knows, EUR, USD,
 *        ...: amounts are never converted); AMOUNT is digits with at most
 *        two decimals after '.' (50, 49.99), more than 0.  At least one
 *        up-to line, which says the currency.  Without `any` no tier
 *        could decide a larger amount: that is an error, not a guess.
 *   rule STRING { when CONDITION then ACTIONS }   (any number, names unique)
 *        The body is kept as text for the rule compiler (rules/parse.c):
 *        here it must have balanced braces and strings, start with 'when'
 *        and hold one 'then', neither part empty.
 *
 * CHECKS AFTER PARSING
 *   Every calendar, department and tier named by a tier, department,
 *   channel or authority must be defined (error at the reference); a
 *   calendar no tier uses, a department no channel or rule names and an
 *   authority no rule routes by draw a warning.
 *
 * ERRORS
 *   `file:line:col: message`, then the source line and a caret; warnings
 *   read `file:line:col: warning: message`.  After an error the parser
 *   skips to the next key of the block, or to the next statement (a
 *   top-level keyword first on its line, or any word in column 1), and
 *   goes on; after 50 errors it stops.  Any error fails the load. */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/err.h"
#include "common/model.h"
#include "rules/amount.h"
#include "rules/conf.h"
#include "rules/rules.h"

#define CONF_FILE_MAX		(1024 * 1024)	/* one file; more is a mistake */
#define CONF_TOKEN_MAX		4096		/* a word or string, with its NUL */
#define CONF_INCLUDE_DEPTH	16
#define CONF_ERRORS_MAX		50		/* then stop: the rest is noise */
#define CONF_ARENA_MAX		(64 * 1024 * 1024)
#define CONF_DURATION_MAX	(52L * 7 * 86400)
#define CONF_LINE_SHOWN		400		/* bytes of a source line quoted */
#define TZDIR_DEFAULT		"/usr/share/zoneinfo"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The conf and the arena that holds everything in it. */
struct conf_impl {
	struct conf	 conf;		/* first: conf_free casts back */
	struct arena	 arena;
};

/* One file being read, or read: an include makes a child. */
struct src {
	struct src	*parent;	/* the including source; NULL at the top */
	struct src	*next;		/* every source of this load */
	const char	*name;		/* owned by the conf (conf->files) */
	char		*dir;		/* "" or "dir/": prefix for relative paths */
	char		*buf;		/* the text, malloc'd */
	size_t		 len, off;	/* off: next byte to read */
	int		 line, col;	/* of buf[off] */
	int		 last_line;	/* line of the last token, for bol */
	int		 depth;		/* include depth, 0 at the top */
	int		 has_id;	/* dev, ino valid (read from a file) */
	dev_t		 dev;
	ino_t		 ino;
};

enum tok_type {
	TOK_EOF = 0,
	TOK_WORD,
	TOK_STRING,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA
};

struct token {
	int	 type;			/* enum tok_type */
	int	 line, col;
	int	 bol;			/* first token on its line */
	size_t	 len;
	char	 text[CONF_TOKEN_MAX];	/* word or string value, NUL-terminated */
};

struct parser {
	struct conf	*conf;
	struct arena	*arena;
	struct src	*src;		/* being read */
	struct src	*srcs;		/* every source, for quoting lines */
	struct token	 tok;		/* the current token */
	FILE		*diag;
	int		 flags;		/* CONF_NO_FILES */
	int		 errors, warnings;
	int		 stop;		/* too many errors, or no memory: EOF */
	int		 oom;
	int		 quiet_lex;	/* while skipping after an error */
	struct conf_pos	 database_pos, smtp_pos, warn_at_pos;
};

/* Keyword tables are sorted for bsearch; ids index a "seen" array. */
struct keyword {
	const char	*name;
	int		 id;
	unsigned	 flags;		/* KW_REPEAT, KW_EXPLAIN */
	unsigned	 kinds;		/* channel keys: kinds allowed; 0: all */
};
#define KW_REPEAT	0x1
#define KW_EXPLAIN	0x2	/* kinds not allowed still reach the key's handler,
				 * which says why not */
#define KW_IDS		32

#define K_IMAP		(1u << CONF_IMAP)
#define K_MASTODON	(1u << CONF_MASTODON)
#define K_BLUESKY	(1u << CONF_BLUESKY)
#define K_FEED		(1u << CONF_FEED)
#define K_MBOX		(1u << CONF_MBOX)

enum { S_CALENDAR, S_CHANNEL, S_DATABASE, S_DEPARTMENT, S_DIGEST, S_INCLUDE,
	S_RULE, S_SMTP, S_TIER, S_WARN_AT, S_AUTHORITY };
static const struct keyword top_keys[] = {
	{ "authority", S_AUTHORITY, 0, 0 },
	{ "calendar", S_CALENDAR, 0, 0 },
	{ "channel", S_CHANNEL, 0, 0 },
	{ "database", S_DATABASE, 0, 0 },
	{ "department", S_DEPARTMENT, 0, 0 },
	{ "digest", S_DIGEST, 0, 0 },
	{ "include", S_INCLUDE, 0, 0 },
	{ "rule", S_RULE, 0, 0 },
	{ "smtp", S_SMTP, 0, 0 },
	{ "tier", S_TIER, 0, 0 },
	{ "warn-at", S_WARN_AT, 0, 0 },
};

enum { SM_CA_FILE, SM_FROM, SM_PASSWORD_FILE, SM_TLS, SM_TLS_VERIFY, SM_USER };
static const struct keyword smtp_keys[] = {
	{ "ca-file", SM_CA_FILE, 0, 0 },
	{ "from", SM_FROM, 0, 0 },
	{ "password-file", SM_PASSWORD_FILE, 0, 0 },
	{ "tls", SM_TLS, 0, 0 },
	{ "tls-verify", SM_TLS_VERIFY, 0, 0 },
	{ "user", SM_USER, 0, 0 },
};

enum { CA_HOLIDAY, CA_HOURS, CA_TIMEZONE };
static const struct keyword calendar_keys[] = {
	{ "holiday", CA_HOLIDAY, KW_REPEAT, 0 },
	{ "hours", CA_HOURS, KW_REPEAT, 0 },
	{ "timezone", CA_TIMEZONE, 0, 0 },
};

enum { TI_CALENDAR, TI_FIRST_RESPONSE, TI_NAME, TI_NEXT_RESPONSE, TI_OWNER,
	TI_PICKUP, TI_RESOLUTION };
static const struct keyword tier_keys[] = {
	{ "calendar", TI_CALENDAR, 0, 0 },
	{ "first-response", TI_FIRST_RESPONSE, KW_REPEAT, 0 },
	{ "name", TI_NAME, 0, 0 },
	{ "next-response", TI_NEXT_RESPONSE, KW_REPEAT, 0 },
	{ "owner", TI_OWNER, 0, 0 },
	{ "pickup", TI_PICKUP, 0, 0 },
	{ "resolution", TI_RESOLUTION, KW_REPEAT, 0 },
};

enum { AU_TIER };
static const struct keyword authority_keys[] = {
	{ "tier", AU_TIER, KW_REPEAT, 0 },
};

enum { DE_ENTRY_TIER, DE_HEAD, DE_OWNER };
static const struct keyword department_keys[] = {
	{ "entry-tier", DE_ENTRY_TIER, 0, 0 },
	{ "head", DE_HEAD, 0, 0 },
	{ "owner", DE_OWNER, 0, 0 },
};

enum { CH_AGENTS, CH_APP_PASSWORD_FILE, CH_CA_FILE, CH_DEPARTMENT, CH_DONE,
	CH_HANDLE, CH_INSTANCE, CH_OAUTH_TOKEN_FILE, CH_PASSWORD_FILE, CH_PATH,
	CH_POLL, CH_PUBLIC, CH_SENT, CH_SINCE, CH_TIER, CH_TLS, CH_TLS_VERIFY,
	CH_TOKEN_FILE, CH_URL, CH_USER, CH_HASHTAG, CH_SEARCH, CH_SERVICE,
	CH_AUTOREPLY };
static const struct keyword channel_keys[] = {
	{ "agents", CH_AGENTS, KW_REPEAT, K_IMAP | K_MASTODON | K_MBOX },
	{ "app-password-file", CH_APP_PASSWORD_FILE, 0, K_BLUESKY },
	/* Social channels hear why not from channel_autoreply. */
	{ "autoreply", CH_AUTOREPLY, KW_EXPLAIN, K_IMAP | K_MBOX },
	{ "ca-file", CH_CA_FILE, 0, K_IMAP },
	{ "department", CH_DEPARTMENT, 0, 0 },
	{ "done", CH_DONE, 0, K_IMAP },
	{ "handle", CH_HANDLE, 0, K_BLUESKY },
	{ "hashtag", CH_HASHTAG, KW_REPEAT, K_MASTODON },
	{ "instance", CH_INSTANCE, 0, K_MASTODON },
	{ "oauth-token-file", CH_OAUTH_TOKEN_FILE, 0, K_IMAP },
	{ "password-file", CH_PASSWORD_FILE, 0, K_IMAP },
	{ "path", CH_PATH, 0, K_MBOX },
	{ "poll", CH_POLL, 0, K_IMAP | K_MASTODON | K_BLUESKY | K_FEED },
	{ "public", CH_PUBLIC, 0, 0 },
	{ "search", CH_SEARCH, KW_REPEAT, K_MASTODON | K_BLUESKY },
	{ "sent", CH_SENT, 0, K_IMAP },
	{ "service", CH_SERVICE, 0, K_BLUESKY },
	{ "since", CH_SINCE, 0, K_IMAP },
	{ "tier", CH_TIER, 0, 0 },
	{ "tls", CH_TLS, 0, K_IMAP },
	{ "tls-verify", CH_TLS_VERIFY, 0, K_IMAP },
	{ "token-file", CH_TOKEN_FILE, 0, K_MASTODON },
	{ "url", CH_URL, 0, K_IMAP | K_FEED },
	{ "user", CH_USER, 0, K_IMAP },
};

enum { AR_FROM, AR_HELP, AR_HELP_INTRO, AR_MAX_AGE, AR_RESPONSE_TIME, AR_SUBJECT, AR_TEXT,
	AR_TEXT_FILE };
static const struct keyword autoreply_keys[] = {
	{ "from", AR_FROM, 0, 0 },
	{ "help", AR_HELP, KW_REPEAT, 0 },
	{ "help-intro", AR_HELP_INTRO, 0, 0 },
	{ "max-age", AR_MAX_AGE, 0, 0 },
	{ "response-time", AR_RESPONSE_TIME, 0, 0 },
	{ "subject", AR_SUBJECT, 0, 0 },
	{ "text", AR_TEXT, KW_REPEAT, 0 },
	{ "text-file", AR_TEXT_FILE, 0, 0 },
};

/* By enum conf_channel_kind. */
static const char *kind_names[] = { "imap", "mastodon", "bluesky", "feed", "mbox" };
static const long kind_poll[] = { 60, 120, 120, 900, 0 };
/* By tm_wday. */
static const char *day_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* Words that start a statement and cannot continue a rule's text: a rule
 * body running into one of them at the start of a line lacks its '}'. */
static const char *rule_stoppers[] = { "authority", "calendar", "database", "digest",
	"include", "rule", "smtp", "warn-at" };

/* A block's keys and what to do with each. */
struct block {
	const char		*what;		/* "tier block", for messages */
	const struct keyword	*keys;
	size_t			 nkeys;
	unsigned		 kinds;		/* channel: the kind's bit; 0: any */
	int			(*key)(struct parser *, const struct keyword *,
				    const struct conf_pos *, void *);
	void			*ctx;
	/* Filled by parse_block: where each key was first seen, so that a
	 * key given with a bad value is not also reported missing. */
	struct conf_pos		 seen[KW_IDS];
};
#define SEEN(b, id)	((b).seen[(id)].line != 0)

static void	lex(struct parser *);
static void	parse_statements(struct parser *);

/* ---- memory ---------------------------------------------------------- */

static void
nomem(struct parser *p)
{
	if (!p->oom && p->diag != NULL)
		fprintf(p->diag, "%s: out of memory\n", p->src ? p->src->name : "configuration");
	p->oom = 1;
	p->stop = 1;
}

/* Arena copy; on failure "" (the load fails anyway, nothing is freed). */
static char *
pstrndup(struct parser *p, const char *s, size_t len)
{
	char *r;

	if ((r = arena_strndup(p->arena, s, len)) == NULL) {
		nomem(p);
		return "";
	}
	return r;
}

static char *
pstrdup(struct parser *p, const char *s)
{
	return pstrndup(p, s, strlen(s));
}

/* Returns arr, or a copy twice as big, so that arr[count] can be filled;
 * capacity follows from count (4, 8, 16, ...).  NULL: out of memory. */
static void *
vec_grow(struct parser *p, void *arr, size_t count, size_t size)
{
	size_t cap;
	void *n;

	if (count != 0 && (count < 4 || (count & (count - 1)) != 0))
		return arr;
	cap = count == 0 ? 4 : count * 2;
	if (cap > SIZE_MAX / size || (n = arena_alloc(p->arena, cap * size)) == NULL) {
		nomem(p);
		return NULL;
	}
	if (count > 0)
		memcpy(n, arr, count * size);
	return n;
}

/* Appends a zeroed element to arr (count is incremented); NULL: no memory. */
#define VEC_ADD(p, arr, count)						\
	(((arr) = vec_grow((p), (arr), (count), sizeof(*(arr)))) == NULL ?	\
	    NULL : memset(&(arr)[(count)++], 0, sizeof(*(arr))))

/* dir + rel, unless rel is absolute or dir empty. */
static char *
join_path(struct parser *p, const char *dir, const char *rel)
{
	size_t dl = strlen(dir), rl = strlen(rel);
	char *r;

	if (rel[0] == '/' || dl == 0)
		return pstrndup(p, rel, rl);
	if ((r = arena_alloc(p->arena, dl + rl + 1)) == NULL) {
		nomem(p);
		return "";
	}
	memcpy(r, dir, dl);
	memcpy(r + dl, rel, rl + 1);
	return r;
}

/* ---- diagnostics ----------------------------------------------------- */

static struct conf_pos
tokpos(const struct parser *p)
{
	struct conf_pos q;

	q.file = p->src->name;
	q.line = p->tok.line;
	q.col = p->tok.col;
	return q;
}

static struct conf_pos
srcpos(const struct src *s)
{
	struct conf_pos q;

	q.file = s->name;
	q.line = s->line;
	q.col = s->col;
	return q;
}

/* Prints the source line of pos and a caret under its column. */
static void
diag_quote(struct parser *p, const struct conf_pos *pos)
{
	const struct src *s;
	const char *l, *end, *nl, *q;
	size_t shown;
	int n, chars;

	for (s = p->srcs; s != NULL && s->name != pos->file; s = s->next)
		continue;
	if (s == NULL)
		return;
	l = s->buf;
	end = s->buf + s->len;
	for (n = 1; n < pos->line; n++) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			return;
		l = nl + 1;
	}
	if ((nl = memchr(l, '\n', (size_t)(end - l))) != NULL)
		end = nl;
	if (end > l && end[-1] == '\r')
		end--;
	shown = (size_t)(end - l) > CONF_LINE_SHOWN ? CONF_LINE_SHOWN : (size_t)(end - l);
	for (q = l; q < l + shown; q++) {
		unsigned char b = (unsigned char)*q;

		fputc((b < 0x20 && b != '\t') || b == 0x7f ? '?' : b, p->diag);
	}
	fputs(shown < (size_t)(end - l) ? "...\n" : "\n", p->diag);
	/* The caret: one blank per character before the column, tabs kept
	 * so that it lines up under the same tab stops. */
	for (q = l, chars = 0; q < l + shown && chars < pos->col - 1; q++) {
		if (((unsigned char)*q & 0xC0) == 0x80)
			continue;
		fputc(*q == '\t' ? '\t' : ' ', p->diag);
		chars++;
	}
	if (chars == pos->col - 1 || q == end) {
		for (; chars < pos->col - 1; chars++)
			fputc(' ', p->diag);
		fputs("^\n", p->diag);
	} else
		fputc('\n', p->diag);
}

static int
diag_v(struct parser *p, int warning, const struct conf_pos *pos,
    const char *fmt, va_list ap)
{
	if (p->stop)
		return -1;
	if (warning)
		p->warnings++;
	else
		p->errors++;
	if (p->diag != NULL) {
		fprintf(p->diag, "%s:%d:%d: %s", pos->file, pos->line, pos->col,
		    warning ? "warning: " : "");
		vfprintf(p->diag, fmt, ap);
		fputc('\n', p->diag);
		diag_quote(p, pos);
	}
	if (!warning && p->errors >= CONF_ERRORS_MAX) {
		if (p->diag != NULL)
			fprintf(p->diag, "%s: too many errors, stopping here\n", pos->file);
		p->stop = 1;
	}
	return -1;
}

static int	perr_at(struct parser *, const struct conf_pos *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	perr(struct parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	pwarn_at(struct parser *, const struct conf_pos *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Our yyerror: counts, prints, returns -1. */
static int
perr_at(struct parser *p, const struct conf_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)diag_v(p, 0, pos, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error at the current token. */
static int
perr(struct parser *p, const char *fmt, ...)
{
	struct conf_pos pos = tokpos(p);
	va_list ap;

	va_start(ap, fmt);
	(void)diag_v(p, 0, &pos, fmt, ap);
	va_end(ap);
	return -1;
}

static void
pwarn_at(struct parser *p, const struct conf_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)diag_v(p, 1, pos, fmt, ap);
	va_end(ap);
}

/* "line 12" in the same file as `from`, else "other.conf:12". */
static const char *
pos_where(const struct conf_pos *first, const struct conf_pos *from, char *buf, size_t len)
{
	if (first->file == from->file || strcmp(first->file, from->file) == 0)
		(void)snprintf(buf, len, "line %d", first->line);
	else
		(void)snprintf(buf, len, "%s:%d", first->file, first->line);
	return buf;
}

/* The current token for a message: 'word', "string", '{', end of file. */
static const char *
tok_desc(const struct token *t, char *buf, size_t len)
{
	switch (t->type) {
	case TOK_EOF:
		return "end of file";
	case TOK_STRING:
		if (t->len > 40)
			(void)snprintf(buf, len, "\"%.37s...\"", t->text);
		else
			(void)snprintf(buf, len, "\"%.40s\"", t->text);
		return buf;
	default:
		if (t->len > 40)
			(void)snprintf(buf, len, "'%.37s...'", t->text);
		else
			(void)snprintf(buf, len, "'%.40s'", t->text);
		return buf;
	}
}

/* ---- lexer ----------------------------------------------------------- */

static int
is_word_char(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	switch (c) {
	case '_': case '.': case '@': case '+': case ':': case '%': case '/': case '-':
		return 1;
	default:
		return 0;
	}
}

static int
src_peek(const struct src *s)
{
	return s->off < s->len ? (unsigned char)s->buf[s->off] : -1;
}

static void
src_next(struct src *s)
{
	unsigned char b = (unsigned char)s->buf[s->off++];

	if (b == '\n') {
		s->line++;
		s->col = 1;
	} else if ((b & 0xC0) != 0x80)
		s->col++;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

static void
tok_add(struct token *t, int c, int *toolong)
{
	if (t->len + 1 < sizeof(t->text))
		t->text[t->len++] = (char)c;
	else
		*toolong = 1;
}

static void
lex_word(struct parser *p)
{
	struct src *s = p->src;
	struct token *t = &p->tok;
	int toolong = 0;

	t->type = TOK_WORD;
	while (is_word_char(src_peek(s))) {
		tok_add(t, src_peek(s), &toolong);
		src_next(s);
	}
	t->text[t->len] = '\0';
	if (toolong && !p->quiet_lex)
		(void)perr(p, "word too long (more than %zu characters)", sizeof(t->text) - 1);
}

static void
lex_string(struct parser *p)
{
	struct src *s = p->src;
	struct token *t = &p->tok;
	struct conf_pos open = tokpos(p), at;
	int c, toolong = 0;

	t->type = TOK_STRING;
	src_next(s);
	for (;;) {
		c = src_peek(s);
		if (c == -1 || c == '\n') {
			if (!p->quiet_lex)
				(void)perr_at(p, &open, "unterminated string (a string "
				    "ends with '\"' on the line it starts)");
			break;
		}
		if (c == '"') {
			src_next(s);
			break;
		}
		at = srcpos(s);
		if (c == '\\') {
			src_next(s);
			c = src_peek(s);
			if (c == '"' || c == '\\') {
				tok_add(t, c, &toolong);
				src_next(s);
			} else if (!p->quiet_lex) {
				if (c > 0x20 && c < 0x7f)
					(void)perr_at(p, &at, "unknown escape '\\%c' in string "
					    "(only \\\" and \\\\ are allowed)", c);
				else
					(void)perr_at(p, &at, "unknown escape in string "
					    "(only \\\" and \\\\ are allowed)");
			}
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			if (!p->quiet_lex)
				(void)perr_at(p, &at, "control character 0x%02x in string", c);
			src_next(s);
			continue;
		}
		tok_add(t, c, &toolong);
		src_next(s);
	}
	t->text[t->len] = '\0';
	if (toolong && !p->quiet_lex)
		(void)perr_at(p, &open, "string too long (more than %zu bytes)",
		    sizeof(t->text) - 1);
}

/* A character no token starts with: report (with a hint for the usual
 * suspects) and skip it. */
static void
lex_bad_char(struct parser *p)
{
	struct src *s = p->src;
	const unsigned char *b = (const unsigned char *)s->buf + s->off;
	size_t n = utf8_len(b, s->len - s->off), i;
	const char *hint = "";

	if (n == 0) {
		if (!p->quiet_lex) {
			if (b[0] > 0x20 && b[0] < 0x7f) {
				if (b[0] == ';')
					hint = " (statements need no ';')";
				else if (b[0] == '=')
					hint = " (write 'key value', without '=')";
				if (b[0] == '\'')
					(void)perr(p, "unexpected single quote (strings are "
					    "in double quotes)");
				else
					(void)perr(p, "unexpected character '%c'%s", b[0], hint);
			} else
				(void)perr(p, "unexpected character '\\x%02x'", b[0]);
		}
		src_next(s);
		return;
	}
	if (!p->quiet_lex) {
		if (n == 3 && b[0] == 0xE2 && b[1] == 0x80 && b[2] >= 0x98 && b[2] <= 0x9D)
			hint = " (a typographic quote: use a plain '\"')";
		(void)perr(p, "unexpected character '%.*s'%s", (int)n, (const char *)b, hint);
	}
	for (i = 0; i < n; i++)
		src_next(s);
}

/* Reads the next token into p->tok. */
static void
lex(struct parser *p)
{
	struct src *s = p->src;
	struct token *t = &p->tok;
	int c;

	for (;;) {
		t->len = 0;
		t->text[0] = '\0';
		c = src_peek(s);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
			src_next(s);
			continue;
		}
		if (c == '#') {
			while ((c = src_peek(s)) != -1 && c != '\n')
				src_next(s);
			continue;
		}
		t->line = s->line;
		t->col = s->col;
		t->bol = s->line != s->last_line;
		if (c == -1 || p->stop) {
			t->type = TOK_EOF;
			return;
		}
		s->last_line = s->line;
		switch (c) {
		case '{': t->type = TOK_LBRACE; break;
		case '}': t->type = TOK_RBRACE; break;
		case '(': t->type = TOK_LPAREN; break;
		case ')': t->type = TOK_RPAREN; break;
		case ',': t->type = TOK_COMMA; break;
		case '"':
			lex_string(p);
			return;
		default:
			if (is_word_char(c)) {
				lex_word(p);
				return;
			}
			lex_bad_char(p);
			continue;
		}
		t->text[0] = (char)c;
		t->text[1] = '\0';
		t->len = 1;
		src_next(s);
		return;
	}
}

/* ---- keywords -------------------------------------------------------- */

static int
kw_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyword *)elem)->name);
}

static const struct keyword *
kw_find(const struct keyword *tab, size_t n, const char *word)
{
	return bsearch(word, tab, n, sizeof(*tab), kw_cmp);
}

#define KW_FIND(tab, word)	kw_find((tab), NELEM(tab), (word))

static int
is_top_keyword(const struct token *t)
{
	return t->type == TOK_WORD && KW_FIND(top_keys, t->text) != NULL;
}

/* "a, b, c": the keys of tab allowed for kinds (0: all). */
static const char *
kw_list(const struct keyword *tab, size_t n, unsigned kinds, char *buf, size_t len)
{
	size_t i, used = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (kinds != 0 && tab[i].kinds != 0 && (tab[i].kinds & kinds) == 0)
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", tab[i].name);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* "imap or mastodon": the channel kinds in mask. */
static const char *
kinds_list(unsigned mask, char *buf, size_t len)
{
	size_t i, used = 0, n = 0, count = 0;
	int w;

	for (i = 0; i < NELEM(kind_names); i++)
		count += (mask >> i) & 1;
	buf[0] = '\0';
	for (i = 0; i < NELEM(kind_names); i++) {
		if (!((mask >> i) & 1))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", n == 0 ? "" :
		    n + 1 == count ? " or " : ", ", kind_names[i]);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
		n++;
	}
	return buf;
}

/* Our bug if a table is out of order: bsearch would miss keywords. */
static void
kw_check(const struct keyword *tab, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((i > 0 && strcmp(tab[i - 1].name, tab[i].name) >= 0) ||
		    tab[i].id < 0 || tab[i].id >= KW_IDS) {
			fprintf(stderr, "conf.c: %s keyword table out of order at '%s'\n",
			    what, tab[i].name);
			abort();
		}
}

/* ---- values ---------------------------------------------------------- */

/* Digits only, at most 9 of them. */
static int
parse_uint(const char *s, long *out)
{
	long n = 0;
	size_t i;

	if (s[0] == '\0' || strlen(s) > 9)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	*out = n;
	return 0;
}

/* "HH:MM" in s[0..len): minutes after midnight; max24: 24:00 allowed. */
static int
parse_hhmm(const char *s, size_t len, int max24, int *out)
{
	int h, m;

	if (len == 4 && s[1] == ':') {
		h = s[0] - '0';
		s += 2;
	} else if (len == 5 && s[2] == ':') {
		if (s[0] < '0' || s[0] > '9')
			return -1;
		h = (s[0] - '0') * 10 + (s[1] - '0');
		if (s[1] < '0' || s[1] > '9')
			return -1;
		s += 3;
	} else
		return -1;
	if (h < 0 || h > 24 || s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	if (h == 24 && (!max24 || m != 0))
		return -1;
	*out = h * 60 + m;
	return 0;
}

/* 0, or -1 when s is not YYYY-MM-DD, -2 when there is no such day. */
static int
parse_date(const char *s, struct conf_date *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int i, leap, max;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	d->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	d->month = (s[5] - '0') * 10 + (s[6] - '0');
	d->day = (s[8] - '0') * 10 + (s[9] - '0');
	if (d->year < 1970 || d->month < 1 || d->month > 12 || d->day < 1)
		return -2;
	leap = (d->year % 4 == 0 && d->year % 100 != 0) || d->year % 400 == 0;
	max = mdays[d->month - 1] + (d->month == 2 && leap);
	return d->day <= max ? 0 : -2;
}

/* Index in day_names (tm_wday), or -1. */
static int
day_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < NELEM(day_names); i++)
		if (len == 3 && strncmp(s, day_names[i], 3) == 0)
			return (int)i;
	return -1;
}

/* "user@domain": one '@', both sides non-empty, no blanks or brackets. */
static int
valid_addr(const char *s)
{
	const char *at = strchr(s, '@');
	size_t i;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("<>()[],;:\"\\", s[i]) != NULL)
			return 0;
	return 1;
}

static int
valid_domain(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

static int
valid_name(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* Does url start with one of the schemes ("imap", "imaps") and "://",
 * followed by a host? */
static int
url_has_scheme(const char *url, const char *a, const char *b)
{
	const char *schemes[2] = { a, b };
	size_t i, l;

	for (i = 0; i < 2; i++) {
		l = strlen(schemes[i]);
		if (strncasecmp(url, schemes[i], l) == 0 && strncmp(url + l, "://", 3) == 0 &&
		    url[l + 3] != '\0' && url[l + 3] != '/')
			return 1;
	}
	return 0;
}

/* 1 when an http[s] URL's host is 127.0.0.1, [::1] or localhost. */
static int
url_loopback(const char *url)
{
	static const char *const hosts[] = { "127.0.0.1", "[::1]", "localhost" };
	const char *h = strstr(url, "://");
	size_t i, l;

	if (h == NULL)
		return 0;
	h += 3;
	for (i = 0; i < NELEM(hosts); i++) {
		l = strlen(hosts[i]);
		if (strncasecmp(h, hosts[i], l) == 0 &&
		    (h[l] == '\0' || h[l] == ':' || h[l] == '/'))
			return 1;
	}
	return 0;
}

/* ---- value readers: on error the bad token stays current ------------- */

static int
expect_string(struct parser *p, const char *after, char **out)
{
	char d[64];

	if (p->tok.type != TOK_STRING) {
		if (p->tok.type == TOK_WORD)
			return perr(p, "expected a quoted string after '%s', got %s "
			    "(put it in double quotes)", after, tok_desc(&p->tok, d, sizeof(d)));
		return perr(p, "expected a quoted string after '%s', got %s", after,
		    tok_desc(&p->tok, d, sizeof(d)));
	}
	if (p->tok.len == 0)
		return perr(p, "empty string after '%s'", after);
	*out = pstrndup(p, p->tok.text, p->tok.len);
	lex(p);
	return 0;
}

static int
expect_addr(struct parser *p, const char *after, char **out)
{
	if (p->tok.type == TOK_STRING && p->tok.len > 0 && !valid_addr(p->tok.text))
		return perr(p, "invalid address '%s' after '%s' (expected user@domain)",
		    p->tok.text, after);
	return expect_string(p, after, out);
}

static int
expect_name(struct parser *p, const char *after, char **out)
{
	char d[64];

	if (p->tok.type != TOK_WORD)
		return perr(p, "expected a name after '%s', got %s", after,
		    tok_desc(&p->tok, d, sizeof(d)));
	if (!valid_name(p->tok.text))
		return perr(p, "invalid name '%s' (a name starts with a letter and "
		    "holds letters, digits, '-', '_' and '.')", p->tok.text);
	*out = pstrndup(p, p->tok.text, p->tok.len);
	lex(p);
	return 0;
}

static int
expect_bool(struct parser *p, const char *after, int *out)
{
	char d[64];

	if (p->tok.type == TOK_WORD && strcmp(p->tok.text, "yes") == 0)
		*out = 1;
	else if (p->tok.type == TOK_WORD && strcmp(p->tok.text, "no") == 0)
		*out = 0;
	else
		return perr(p, "expected 'yes' or 'no' after '%s', got %s", after,
		    tok_desc(&p->tok, d, sizeof(d)));
	lex(p);
	return 0;
}

/* none | starttls | implicit (enum conf_tls), after 'tls'. */
static int
expect_tls(struct parser *p, int *out)
{
	char d[64];

	if (p->tok.type == TOK_WORD && strcmp(p->tok.text, "none") == 0)
		*out = CONF_TLS_NONE;
	else if (p->tok.type == TOK_WORD && strcmp(p->tok.text, "starttls") == 0)
		*out = CONF_TLS_STARTTLS;
	else if (p->tok.type == TOK_WORD && strcmp(p->tok.text, "implicit") == 0)
		*out = CONF_TLS_IMPLICIT;
	else
		return perr(p, "expected 'none', 'starttls' or 'implicit' after "
		    "'tls', got %s", tok_desc(&p->tok, d, sizeof(d)));
	lex(p);
	return 0;
}

static int
expect_tier(struct parser *p, const char *after, int *out)
{
	char d[64];
	long n;

	if (p->tok.type != TOK_WORD || parse_uint(p->tok.text, &n) == -1)
		return perr(p, "expected a tier number (%d to %d) after '%s', got %s",
		    TIER_MIN, TIER_MAX, after, tok_desc(&p->tok, d, sizeof(d)));
	if (n > TIER_MAX)
		return perr(p, "tier number '%s' out of range (expected %d to %d)",
		    p->tok.text, TIER_MIN, TIER_MAX);
	*out = (int)n;
	lex(p);
	return 0;
}

static int
expect_duration(struct parser *p, const char *after, long *out)
{
	static const char units[] = "wdhms";
	static const long secs[] = { 7 * 86400, 86400, 3600, 60, 1 };
	const char *s = p->tok.text, *u;
	char d[64];
	long total = 0, n;
	int last = -1, digits;

	if (p->tok.type != TOK_WORD || !(s[0] >= '0' && s[0] <= '9'))
		return perr(p, "expected a duration after '%s' (e.g. 90s, 15m, 4h, "
		    "2d, 1w), got %s", after, tok_desc(&p->tok, d, sizeof(d)));
	while (*s != '\0') {
		for (n = 0, digits = 0; *s >= '0' && *s <= '9'; s++, digits++)
			if ((n = n * 10 + (*s - '0')) > 99999)
				return perr(p, "duration '%s' is too long (at most 52w)",
				    p->tok.text);
		if (digits == 0 || *s == '\0' || (u = strchr(units, *s)) == NULL) {
			if (digits > 0 && *s == '\0')
				return perr(p, "duration '%s' needs a unit (s, m, h, d or w)",
				    p->tok.text);
			return perr(p, "invalid duration '%s' (expected a number and a "
			    "unit: 90s, 15m, 4h, 2d, 1w, or a sum like 1h30m)", p->tok.text);
		}
		if ((int)(u - units) <= last)
			return perr(p, "invalid duration '%s' (units go from the largest "
			    "to the smallest, each once, e.g. 1h30m)", p->tok.text);
		last = (int)(u - units);
		total += n * secs[last];
		if (total > CONF_DURATION_MAX)
			return perr(p, "duration '%s' is too long (at most 52w)", p->tok.text);
		s++;
	}
	if (total == 0)
		return perr(p, "duration '%s' must be more than zero", p->tok.text);
	*out = total;
	lex(p);
	return 0;
}

static int
expect_date(struct parser *p, const char *after, struct conf_date *out)
{
	char d[64];
	int rc;

	if (p->tok.type != TOK_WORD)
		return perr(p, "expected a date (YYYY-MM-DD) after '%s', got %s", after,
		    tok_desc(&p->tok, d, sizeof(d)));
	if ((rc = parse_date(p->tok.text, out)) == -2)
		return perr(p, "no such date '%s'", p->tok.text);
	if (rc == -1)
		return perr(p, "invalid date '%s' (expected YYYY-MM-DD, e.g. 2026-12-25)",
		    p->tok.text);
	lex(p);
	return 0;
}

/* A file that must exist: a readable regular file.  A secret one should be
 * readable by its owner only.  It is opened but never read. */
static void
check_file(struct parser *p, const struct conf_pos *at, const char *path, int secret)
{
	struct stat st;
	int fd, saved;

	if (p->flags & CONF_NO_FILES)
		return;
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		saved = errno;
		(void)perr_at(p, at, "cannot read '%s': %s", path, strerror(saved));
		return;
	}
	if (fstat(fd, &st) == -1) {
		saved = errno;
		(void)close(fd);	/* opened read-only: nothing to flush */
		(void)perr_at(p, at, "cannot read '%s': %s", path, strerror(saved));
		return;
	}
	(void)close(fd);		/* opened read-only: nothing to flush */
	if (!S_ISREG(st.st_mode)) {
		(void)perr_at(p, at, "'%s' is not a regular file", path);
		return;
	}
	if (secret && (st.st_mode & S_IROTH))
		pwarn_at(p, at, "'%s' is readable by others (chmod 600)", path);
	else if (secret && (st.st_mode & S_IRGRP))
		pwarn_at(p, at, "'%s' is readable by its group (chmod 600)", path);
	if (secret && st.st_size == 0)
		pwarn_at(p, at, "'%s' is empty", path);
}

/* A path, relative to the current file's directory; check: 0 none, 1 a
 * readable file, 2 a secret file. */
static int
expect_path(struct parser *p, const char *after, int check, char **out)
{
	struct conf_pos at = tokpos(p);
	char *written;

	if (expect_string(p, after, &written) == -1)
		return -1;
	*out = join_path(p, p->src->dir, written);
	if (check)
		check_file(p, &at, *out, check == 2);
	return 0;
}

/* LIST: ITEM [, ITEM ...] or ( ITEM [, ITEM ...] ); each item a string
 * that check() accepts (it may rewrite it in place; 0: refused, with the
 * message printed). */
static int
expect_list(struct parser *p, const char *after, char ***arr, size_t *count,
    int (*check)(struct parser *, char *))
{
	char d[64], **slot, *item;
	int paren = 0, comma = 0;

	if (p->tok.type == TOK_LPAREN) {
		paren = 1;
		lex(p);
	}
	for (;; comma = 1) {
		if (p->tok.type != TOK_STRING || p->tok.len == 0)
			return perr(p, "expected a quoted string %s '%s', got %s",
			    comma ? "after ',' in the list after" : "after",
			    after, tok_desc(&p->tok, d, sizeof(d)));
		item = pstrndup(p, p->tok.text, p->tok.len);
		if (!check(p, item))
			return -1;
		if ((slot = VEC_ADD(p, *arr, *count)) == NULL)
			return -1;
		*slot = item;
		lex(p);
		if (p->tok.type != TOK_COMMA)
			break;
		lex(p);
	}
	if (paren) {
		if (p->tok.type != TOK_RPAREN)
			return perr(p, "expected ',' or ')' in the list after '%s', got %s",
			    after, tok_desc(&p->tok, d, sizeof(d)));
		lex(p);
	}
	return 0;
}

static int
check_recipient(struct parser *p, char *s)
{
	if (valid_addr(s))
		return 1;
	(void)perr(p, "invalid address '%s' (expected user@domain)", s);
	return 0;
}

/* An agent: an address, or a domain ("example.com", "@example.com"),
 * lowercased; the '@' of a domain is dropped. */
static int
check_agent(struct parser *p, char *s)
{
	char *c;

	if (s[0] == '@')
		memmove(s, s + 1, strlen(s));
	if (!(strchr(s, '@') != NULL ? valid_addr(s) : valid_domain(s))) {
		(void)perr(p, "invalid agent '%s' (expected an address like "
		    "'alice@example.com' or a domain like 'example.com')", p->tok.text);
		return 0;
	}
	for (c = s; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return 1;
}

/* A hashtag: letters, digits and '_' (Mastodon's rule), the '#' dropped. */
static int
check_hashtag(struct parser *p, char *s)
{
	const char *c;

	if (s[0] == '#')
		memmove(s, s + 1, strlen(s));
	for (c = s; *c != '\0'; c++)
		if (!(*c == '_' || (unsigned char)*c >= 0x80 ||
		    (*c >= '0' && *c <= '9') || ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z')))
			break;
	if (*s == '\0' || *c != '\0') {
		(void)perr(p, "invalid hashtag '%s' (letters, digits and '_')", p->tok.text);
		return 0;
	}
	return 1;
}

/* A search: any text up to 256 bytes. */
static int
check_search(struct parser *p, char *s)
{
	if (strlen(s) <= 256)
		return 1;
	(void)perr(p, "search '%.40s...' is longer than 256 bytes", s);
	return 0;
}

/* ---- blocks ---------------------------------------------------------- */

/* After an error in a block: skip to the next key of the block, its '}',
 * or a statement that starts a line (the block missing its '}'). */
static void
recover_block(struct parser *p, const struct block *b)
{
	int depth = 0;

	p->quiet_lex = 1;
	for (;;) {
		if (p->tok.type == TOK_EOF)
			break;
		if (p->tok.type == TOK_LBRACE)
			depth++;
		else if (p->tok.type == TOK_RBRACE) {
			if (depth == 0)
				break;
			depth--;
		} else if (depth == 0 && p->tok.type == TOK_WORD &&
		    (kw_find(b->keys, b->nkeys, p->tok.text) != NULL ||
		    (p->tok.bol && is_top_keyword(&p->tok))))
			break;
		lex(p);
	}
	p->quiet_lex = 0;
}

/* { key args ... }.  Returns 0 after the '}' (or when a statement on a
 * new line shows the '}' is missing: reported, and left current), -1 at
 * the end of the file. */
static int
parse_block(struct parser *p, struct block *b)
{
	struct conf_pos open, at, *seen = b->seen;
	const struct keyword *k;
	char d[64], list[512], where[300];

	if (p->tok.type != TOK_LBRACE) {
		(void)perr(p, "expected '{' to open the %s, got %s", b->what,
		    tok_desc(&p->tok, d, sizeof(d)));
		return -1;
	}
	memset(b->seen, 0, sizeof(b->seen));
	open = tokpos(p);
	lex(p);
	for (;;) {
		switch (p->tok.type) {
		case TOK_RBRACE:
			lex(p);
			return 0;
		case TOK_EOF:
			(void)perr_at(p, &open, "missing '}' for this '{' (the %s "
			    "reaches the end of the file)", b->what);
			return -1;
		case TOK_WORD:
			break;
		default:
			(void)perr(p, "expected a keyword in the %s, got %s (expected "
			    "one of: %s)", b->what, tok_desc(&p->tok, d, sizeof(d)),
			    kw_list(b->keys, b->nkeys, b->kinds, list, sizeof(list)));
			lex(p);
			recover_block(p, b);
			continue;
		}
		k = kw_find(b->keys, b->nkeys, p->tok.text);
		if (k == NULL && p->tok.bol && is_top_keyword(&p->tok)) {
			(void)perr_at(p, &open, "missing '}' for this '{' (the %s runs "
			    "into '%s' on line %d)", b->what, p->tok.text, p->tok.line);
			return 0;
		}
		if (k == NULL || (b->kinds != 0 && k->kinds != 0 && (k->kinds & b->kinds) == 0 &&
		    !(k->flags & KW_EXPLAIN))) {
			if (k == NULL)
				(void)perr(p, "unknown keyword '%s' in %s (expected one of: %s)",
				    p->tok.text, b->what,
				    kw_list(b->keys, b->nkeys, b->kinds, list, sizeof(list)));
			else
				(void)perr(p, "'%s' does not belong in %s (it is for %s "
				    "channels; expected one of: %s)", p->tok.text, b->what,
				    kinds_list(k->kinds, where, sizeof(where)),
				    kw_list(b->keys, b->nkeys, b->kinds, list, sizeof(list)));
			lex(p);
			recover_block(p, b);
			continue;
		}
		at = tokpos(p);
		if (seen[k->id].line != 0 && !(k->flags & KW_REPEAT))
			(void)perr(p, "duplicate '%s' in %s (first at %s)", k->name, b->what,
			    pos_where(&seen[k->id], &at, where, sizeof(where)));
		else if (seen[k->id].line == 0)
			seen[k->id] = at;
		lex(p);
		if (b->key(p, k, &at, b->ctx) == -1)
			recover_block(p, b);
	}
}

/* After an error in a block statement's header (tier 7 {): 1 when its
 * block follows, so it can still be checked, its result thrown away. */
static int
header_recover(struct parser *p)
{
	if (p->tok.type == TOK_WORD)
		lex(p);
	return p->tok.type == TOK_LBRACE;
}

/* ---- calendar -------------------------------------------------------- */

struct calendar_ctx {
	struct conf_calendar	 c;
	struct conf_pos		*hours_pos;	/* by hours entry */
	size_t			 hours_pos_count;
};

static void
check_timezone(struct parser *p, const struct conf_pos *at, const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[1024];
	struct stat st;
	size_t i;
	int w;

	if (dir == NULL || *dir == '\0')
		dir = TZDIR_DEFAULT;
	for (i = 0; tz[i] != '\0'; i++)
		if (!((tz[i] >= 'a' && tz[i] <= 'z') || (tz[i] >= 'A' && tz[i] <= 'Z') ||
		    (tz[i] >= '0' && tz[i] <= '9') || strchr("/_+-", tz[i]) != NULL))
			break;
	if (tz[i] != '\0' || tz[0] == '/' || strstr(tz, "//") != NULL ||
	    tz[strlen(tz) - 1] == '/') {
		(void)perr_at(p, at, "invalid time zone '%s' (expected a name like "
		    "'Europe/Berlin')", tz);
		return;
	}
	if (p->flags & CONF_NO_FILES)
		return;
	w = snprintf(path, sizeof(path), "%s/%s", dir, tz);
	if (w < 0 || (size_t)w >= sizeof(path) || stat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode)) {
		if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
			(void)perr_at(p, at, "cannot check time zone '%s': no time zone "
			    "database in '%s' (install tzdata)", tz, dir);
		else
			(void)perr_at(p, at, "unknown time zone '%s' (not in the time zone "
			    "database)", tz);
	}
}

/* DAYS: mon, mon-fri, several separated by commas. */
static int
parse_days(struct parser *p, unsigned *mask)
{
	const char *s, *dash;
	char d[64];
	int a, b, i;

	*mask = 0;
	for (;;) {
		s = p->tok.text;
		if (p->tok.type != TOK_WORD)
			return perr(p, "expected days after 'hours' (e.g. mon-fri, sat, "
			    "mon,wed), got %s", tok_desc(&p->tok, d, sizeof(d)));
		if (s[0] >= '0' && s[0] <= '9')
			return perr(p, "expected days before the time (e.g. 'hours "
			    "mon-fri 09:00-17:30'), got '%s'", s);
		dash = strchr(s, '-');
		a = day_lookup(s, dash ? (size_t)(dash - s) : strlen(s));
		b = dash ? day_lookup(dash + 1, strlen(dash + 1)) : a;
		if (a == -1 || b == -1)
			return perr(p, "unknown day '%s' (expected mon, tue, wed, thu, fri, "
			    "sat, sun, or a range like mon-fri)", s);
		/* Ranges run from mon to sun: map sun (0) to 7. */
		if ((b == 0 ? 7 : b) < (a == 0 ? 7 : a))
			return perr(p, "day range '%s' runs backwards (days go from mon "
			    "to sun)", s);
		for (i = a == 0 ? 7 : a; i <= (b == 0 ? 7 : b); i++)
			*mask |= 1u << (i % 7);
		lex(p);
		if (p->tok.type != TOK_COMMA)
			return 0;
		lex(p);
	}
}

static int
calendar_hours(struct parser *p, struct calendar_ctx *c)
{
	struct conf_hours *h;
	struct conf_pos at, *hp;
	const char *s, *dash;
	unsigned days;
	char d[64], where[300];
	size_t i;
	int start, end;

	if (parse_days(p, &days) == -1)
		return -1;
	for (;;) {
		at = tokpos(p);
		s = p->tok.text;
		if (p->tok.type != TOK_WORD || !(s[0] >= '0' && s[0] <= '9'))
			return perr(p, "expected a time range (e.g. 09:00-17:30) after the "
			    "days, got %s", tok_desc(&p->tok, d, sizeof(d)));
		if ((dash = strchr(s, '-')) == NULL ||
		    parse_hhmm(s, (size_t)(dash - s), 0, &start) == -1 ||
		    parse_hhmm(dash + 1, strlen(dash + 1), 1, &end) == -1)
			return perr(p, "invalid time range '%s' (expected HH:MM-HH:MM, "
			    "e.g. 09:00-17:30)", s);
		if (end <= start)
			return perr(p, "time range '%s' ends before it starts (a range "
			    "cannot cross midnight)", s);
		for (i = 0; i < c->c.hours_count; i++)
			if ((c->c.hours[i].days & days) && start < c->c.hours[i].end &&
			    c->c.hours[i].start < end)
				return perr(p, "hours '%s' overlap the hours at %s", s,
				    pos_where(&c->hours_pos[i], &at, where, sizeof(where)));
		if ((h = VEC_ADD(p, c->c.hours, c->c.hours_count)) == NULL ||
		    (hp = VEC_ADD(p, c->hours_pos, c->hours_pos_count)) == NULL)
			return -1;
		h->days = days;
		h->start = start;
		h->end = end;
		*hp = at;
		lex(p);
		if (p->tok.type != TOK_COMMA)
			return 0;
		lex(p);
	}
}

static int
calendar_key(struct parser *p, const struct keyword *k, const struct conf_pos *kw, void *ctx)
{
	struct calendar_ctx *c = ctx;
	struct conf_date *day;
	struct conf_pos at;

	(void)kw;	/* every message here points at the value */
	switch (k->id) {
	case CA_TIMEZONE:
		at = tokpos(p);
		if (expect_string(p, k->name, &c->c.timezone) == -1)
			return -1;
		check_timezone(p, &at, c->c.timezone);
		return 0;
	case CA_HOURS:
		return calendar_hours(p, c);
	case CA_HOLIDAY:
		for (;;) {
			if ((day = VEC_ADD(p, c->c.holidays, c->c.holidays_count)) == NULL ||
			    expect_date(p, k->name, day) == -1)
				return -1;
			if (p->tok.type != TOK_COMMA)
				return 0;
			lex(p);
		}
	}
	return 0;
}

static struct conf_calendar *
calendar_find(struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->calendars_count; i++)
		if (strcmp(conf->calendars[i].name, name) == 0)
			return &conf->calendars[i];
	return NULL;
}

static int
stmt_calendar(struct parser *p, const struct conf_pos *kw)
{
	struct calendar_ctx c;
	struct conf_calendar *prev, *slot;
	struct block b = { .what = "calendar block", .keys = calendar_keys,
		.nkeys = NELEM(calendar_keys), .key = calendar_key };
	struct conf_pos at = tokpos(p);
	char where[300];
	int keep = 1;

	memset(&c, 0, sizeof(c));
	b.ctx = &c;
	c.c.pos = *kw;
	if (expect_name(p, "calendar", &c.c.name) == -1) {
		if (!header_recover(p))
			return -1;
		keep = 0;
	} else if ((prev = calendar_find(p->conf, c.c.name)) != NULL) {
		(void)perr_at(p, &at, "duplicate calendar '%s' (first defined at %s)",
		    c.c.name, pos_where(&prev->pos, &at, where, sizeof(where)));
		keep = 0;
	}
	if (parse_block(p, &b) == -1)
		return p->tok.type == TOK_EOF ? 0 : -1;
	if (c.c.name == NULL)
		return 0;
	if (!SEEN(b, CA_TIMEZONE))
		(void)perr_at(p, kw, "calendar '%s' has no 'timezone' (required)", c.c.name);
	if (!SEEN(b, CA_HOURS))
		(void)perr_at(p, kw, "calendar '%s' has no 'hours' (required)", c.c.name);
	if (keep) {
		if ((slot = VEC_ADD(p, p->conf->calendars, p->conf->calendars_count)) == NULL)
			return -1;
		*slot = c.c;
	}
	return 0;
}

/* ---- tier ------------------------------------------------------------ */

struct tier_ctx {
	struct conf_tier	 t;
	/* Targets as written: [metric][priority], [metric][4] the default. */
	long			 target[CONF_SLA_COUNT][CONF_PRIORITIES + 1];
	struct conf_pos		 target_pos[CONF_SLA_COUNT][CONF_PRIORITIES + 1];
	int			 bad_first_response;	/* a value was refused */
};

static int
tier_key(struct parser *p, const struct keyword *k, const struct conf_pos *kw, void *ctx)
{
	struct tier_ctx *c = ctx;
	int metric, prio = CONF_PRIORITIES;
	char where[300];

	switch (k->id) {
	case TI_OWNER:
		return expect_addr(p, k->name, &c->t.owner);
	case TI_NAME:
		return expect_string(p, k->name, &c->t.name);
	case TI_CALENDAR:
		c->t.calendar_pos = tokpos(p);
		return expect_name(p, k->name, &c->t.calendar_name);
	case TI_PICKUP:
		return expect_duration(p, k->name, &c->t.pickup);
	case TI_FIRST_RESPONSE:
		metric = CONF_SLA_FIRST_RESPONSE;
		break;
	case TI_NEXT_RESPONSE:
		metric = CONF_SLA_NEXT_RESPONSE;
		break;
	default:
		metric = CONF_SLA_RESOLUTION;
		break;
	}
	/* metric [PRIORITY] DURATION */
	if (metric == CONF_SLA_FIRST_RESPONSE)
		c->bad_first_response = 1;	/* until the value is read */
	if (p->tok.type == TOK_WORD && p->tok.text[0] >= 'a' && p->tok.text[0] <= 'z') {
		if ((prio = priority_from_name(p->tok.text)) == -1)
			return perr(p, "unknown priority '%s' after '%s' (expected low, "
			    "normal, high or urgent, or a duration)", p->tok.text, k->name);
		lex(p);
	}
	if (c->target_pos[metric][prio].line != 0) {
		if (prio == CONF_PRIORITIES)
			(void)perr_at(p, kw, "duplicate '%s' in tier block (first at %s)",
			    k->name, pos_where(&c->target_pos[metric][prio], kw, where, sizeof(where)));
		else
			(void)perr_at(p, kw, "duplicate '%s %s' in tier block (first at %s)",
			    k->name, priority_name(prio),
			    pos_where(&c->target_pos[metric][prio], kw, where, sizeof(where)));
	}
	c->target_pos[metric][prio] = *kw;
	if (expect_duration(p, k->name, &c->target[metric][prio]) == -1)
		return -1;
	if (metric == CONF_SLA_FIRST_RESPONSE)
		c->bad_first_response = 0;
	return 0;
}

static struct conf_tier *
tier_find(struct conf *conf, int number)
{
	size_t i;

	for (i = 0; i < conf->tiers_count; i++)
		if (conf->tiers[i].number == number)
			return &conf->tiers[i];
	return NULL;
}

static int
stmt_tier(struct parser *p, const struct conf_pos *kw)
{
	struct tier_ctx c;
	struct conf_tier *prev, *slot;
	struct block b = { .what = "tier block", .keys = tier_keys,
		.nkeys = NELEM(tier_keys), .key = tier_key };
	struct conf_pos at = tokpos(p);
	char where[300];
	int keep = 1, m, prio, missing;

	memset(&c, 0, sizeof(c));
	b.ctx = &c;
	c.t.pos = *kw;
	c.t.number = -1;
	if (expect_tier(p, "tier", &c.t.number) == -1) {
		if (!header_recover(p))
			return -1;
		keep = 0;
	} else if ((prev = tier_find(p->conf, c.t.number)) != NULL) {
		(void)perr_at(p, &at, "duplicate tier %d (first defined at %s)",
		    c.t.number, pos_where(&prev->pos, &at, where, sizeof(where)));
		keep = 0;
	}
	if (parse_block(p, &b) == -1)
		return p->tok.type == TOK_EOF ? 0 : -1;

	/* Per-priority targets override the default of their metric. */
	for (m = 0; m < CONF_SLA_COUNT; m++)
		for (prio = 0; prio < CONF_PRIORITIES; prio++)
			c.t.target[m][prio] = c.target_pos[m][prio].line != 0 ?
			    c.target[m][prio] : c.target[m][CONF_PRIORITIES];
	if (c.t.number < 0)
		return 0;	/* no number: nothing to name in messages */
	if (!SEEN(b, TI_OWNER))
		(void)perr_at(p, kw, "tier %d has no 'owner' (required)", c.t.number);
	for (prio = 0, missing = 0; prio < CONF_PRIORITIES; prio++)
		if (c.t.target[CONF_SLA_FIRST_RESPONSE][prio] == 0)
			missing++;
	if (c.bad_first_response)
		;	/* a value was refused: reported already */
	else if (missing == CONF_PRIORITIES)
		(void)perr_at(p, kw, "tier %d has no 'first-response' (required)", c.t.number);
	else if (missing > 0)
		for (prio = 0; prio < CONF_PRIORITIES; prio++)
			if (c.t.target[CONF_SLA_FIRST_RESPONSE][prio] == 0) {
				(void)perr_at(p, kw, "tier %d has no 'first-response' for "
				    "priority %s (add a default: 'first-response DURATION')",
				    c.t.number, priority_name(prio));
				break;
			}
	if (keep) {
		if ((slot = VEC_ADD(p, p->conf->tiers, p->conf->tiers_count)) == NULL)
			return -1;
		*slot = c.t;
	}
	return 0;
}

/* ---- department ------------------------------------------------------ */

static int
department_key(struct parser *p, const struct keyword *k, const struct conf_pos *kw, void *ctx)
{
	struct conf_department *d = ctx;

	(void)kw;
	switch (k->id) {
	case DE_HEAD:
		return expect_addr(p, k->name, &d->head);
	case DE_OWNER:
		return expect_addr(p, k->name, &d->owner);
	default:
		d->entry_tier_pos = tokpos(p);
		return expect_tier(p, k->name, &d->entry_tier);
	}
}

static struct conf_department *
department_find(struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->departments_count; i++)
		if (strcmp(conf->departments[i].name, name) == 0)
			return &conf->departments[i];
	return NULL;
}

static int
stmt_department(struct parser *p, const struct conf_pos *kw)
{
	struct conf_department d, *prev, *slot;
	struct block b = { .what = "department block", .keys = department_keys,
		.nkeys = NELEM(department_keys), .key = department_key };
	struct conf_pos at = tokpos(p);
	char where[300];
	int keep = 1;

	memset(&d, 0, sizeof(d));
	b.ctx = &d;
	d.pos = *kw;
	d.entry_tier = -1;
	if (expect_name(p, "department", &d.name) == -1) {
		if (!header_recover(p))
			return -1;
		keep = 0;
	} else if ((prev = department_find(p->conf, d.name)) != NULL) {
		(void)perr_at(p, &at, "duplicate department '%s' (first defined at %s)",
		    d.name, pos_where(&prev->pos, &at, where, sizeof(where)));
		keep = 0;
	}
	if (parse_block(p, &b) == -1)
		return p->tok.type == TOK_EOF ? 0 : -1;
	if (d.name == NULL)
		return 0;
	if (!SEEN(b, DE_HEAD))
		(void)perr_at(p, kw, "department '%s' has no 'head' (required)", d.name);
	if (keep) {
		if ((slot = VEC_ADD(p, p->conf->departments, p->conf->departments_count)) == NULL)
			return -1;
		*slot = d;
	}
	return 0;
}

/* ---- authority ------------------------------------------------------- */

struct authority_ctx {
	struct conf_authority	 a;
	struct conf_pos		 open;		/* the block's '{' */
	struct conf_pos		 currency_pos;	/* where the currency was named first */
	struct conf_pos		 any_pos;	/* of 'tier K any'; line 0: none yet */
	int			 limits;	/* up-to lines kept */
};

/* tier TIER up-to AMOUNT CURRENCY | tier TIER any */
static int
authority_key(struct parser *p, const struct keyword *k, const struct conf_pos *kw, void *ctx)
{
	struct authority_ctx *c = ctx;
	struct conf_authority_tier t, *prev, *slot;
	struct conf_pos at = tokpos(p), limit_at;
	char d[64], where[300], f1[64], f2[64];
	size_t i;
	int cur;

	(void)k;
	(void)kw;
	memset(&t, 0, sizeof(t));
	t.pos = at;
	if (expect_tier(p, "tier", &t.tier) == -1)
		return -1;
	if (p->tok.type == TOK_LBRACE)
		return perr_at(p, &c->open, "missing '}' for this '{' (the authority "
		    "block runs into 'tier %d {' on line %d)", t.tier, at.line);
	prev = c->a.tiers_count > 0 ? &c->a.tiers[c->a.tiers_count - 1] : NULL;
	for (i = 0; i < c->a.tiers_count; i++)
		if (c->a.tiers[i].tier == t.tier)
			return perr_at(p, &at, "duplicate tier %d in authority '%s' (first at %s)",
			    t.tier, c->a.name ? c->a.name : "?",
			    pos_where(&c->a.tiers[i].pos, &at, where, sizeof(where)));
	if (c->any_pos.line != 0)
		return perr_at(p, &at, "tier %d after 'tier %d any' (any covers every "
		    "amount above the limits, so it comes last)", t.tier, prev->tier);
	if (prev != NULL && t.tier < prev->tier)
		return perr_at(p, &at, "tier %d after tier %d (the tiers of an authority "
		    "increase: each may decide more than the one before)", t.tier, prev->tier);
	if (p->tok.type == TOK_WORD && strcmp(p->tok.text, "any") == 0) {
		t.limit = -1;
		c->any_pos = at;
		lex(p);
	} else if (p->tok.type == TOK_WORD && strcmp(p->tok.text, "up-to") == 0) {
		lex(p);
		limit_at = tokpos(p);
		if (p->tok.type != TOK_WORD || amount_parse(p->tok.text, &t.limit) == -1)
			return perr(p, "expected an amount after 'up-to' (digits with at most "
			    "two decimals after '.', e.g. 50 or 49.99), got %s",
			    tok_desc(&p->tok, d, sizeof(d)));
		if (t.limit == 0)
			return perr(p, "a limit of 0 lets tier %d decide nothing (expected "
			    "an amount above 0)", t.tier);
		(void)snprintf(f1, sizeof(f1), "%.20s", p->tok.text);	/* parsed: short */
		lex(p);
		if (p->tok.type == TOK_COMMA)
			return perr(p, "no grouping in the amounts of the configuration "
			    "(write 1200, or 1200.50: decimals after '.')");
		if (p->tok.type == TOK_WORD && p->tok.len == 3 && valid_name(p->tok.text) &&
		    strcmp(p->tok.text, "any") != 0 &&
		    (cur = amount_currency_find(p->tok.text)) < 0)
			return perr(p, "unknown currency %s after 'up-to %s' (expected an "
			    "ISO code: %s)", tok_desc(&p->tok, d, sizeof(d)), f1,
			    amount_currency_list());
		if (p->tok.type != TOK_WORD || (cur = amount_currency_find(p->tok.text)) < 0)
			return perr(p, "expected a currency after 'up-to %s', got %s (an "
			    "ISO code: %s)", f1, tok_desc(&p->tok, d, sizeof(d)),
			    amount_currency_list());
		if (c->limits > 0 && cur != c->a.currency)
			return perr(p, "currency %s differs from the %s at %s (an authority "
			    "has one currency: amounts are never converted)",
			    amount_currency_code(cur), amount_currency_code(c->a.currency),
			    pos_where(&c->currency_pos, &at, where, sizeof(where)));
		if (prev != NULL && t.limit <= prev->limit)
			return perr_at(p, &limit_at, "limit %s of tier %d is not above the %s "
			    "of tier %d (limits increase with the tiers)",
			    amount_format(t.limit, cur, f1, sizeof(f1)), t.tier,
			    amount_format(prev->limit, cur, f2, sizeof(f2)), prev->tier);
		if (c->limits == 0) {
			c->a.currency = cur;
			c->currency_pos = tokpos(p);
		}
		c->limits++;
		lex(p);
	} else
		return perr(p, "expected 'up-to AMOUNT CURRENCY' or 'any' after 'tier %d', "
		    "got %s%s", t.tier, tok_desc(&p->tok, d, sizeof(d)),
		    p->tok.type == TOK_LBRACE ? " (is the authority block missing its '}'?)" : "");
	if ((slot = VEC_ADD(p, c->a.tiers, c->a.tiers_count)) == NULL)
		return -1;
	*slot = t;
	return 0;
}

static struct conf_authority *
authority_find(struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->authorities_count; i++)
		if (strcmp(conf->authorities[i].name, name) == 0)
			return &conf->authorities[i];
	return NULL;
}

static int
stmt_authority(struct parser *p, const struct conf_pos *kw)
{
	struct authority_ctx c;
	struct conf_authority *prev, *slot;
	struct block b = { .what = "authority block", .keys = authority_keys,
		.nkeys = NELEM(authority_keys), .key = authority_key };
	struct conf_pos at = tokpos(p);
	char where[300], f[64];
	int keep = 1, errors = p->errors;
	const struct conf_authority_tier *last;

	memset(&c, 0, sizeof(c));
	b.ctx = &c;
	c.a.pos = *kw;
	c.a.currency = -1;
	if (expect_name(p, "authority", &c.a.name) == -1) {
		if (!header_recover(p))
			return -1;
		keep = 0;
	} else if ((prev = authority_find(p->conf, c.a.name)) != NULL) {
		(void)perr_at(p, &at, "duplicate authority '%s' (first defined at %s)",
		    c.a.name, pos_where(&prev->pos, &at, where, sizeof(where)));
		keep = 0;
	}
	c.open = tokpos(p);
	if (parse_block(p, &b) == -1)
		return p->tok.type == TOK_EOF ? 0 : -1;
	if (c.a.name == NULL)
		return 0;
	/* What is missing, unless a line was refused: fixing it may fill it. */
	last = c.a.tiers_count > 0 ? &c.a.tiers[c.a.tiers_count - 1] : NULL;
	if (p->errors > errors)
		;
	else if (last == NULL)
		(void)perr_at(p, kw, "authority '%s' has no tiers (expected e.g. "
		    "'tier 1 up-to 50 EUR  tier 2 any')", c.a.name);
	else if (c.limits == 0)
		(void)perr_at(p, kw, "authority '%s' has no 'up-to' limit, so no "
		    "currency (expected e.g. 'tier 1 up-to 50 EUR' before 'tier %d any')",
		    c.a.name, last->tier);
	else if (c.any_pos.line == 0)
		(void)perr_at(p, kw, "authority '%s' has no 'tier N any': no tier may "
		    "decide more than %s (add e.g. 'tier %d any' as its last line)",
		    c.a.name, amount_format(last->limit, c.a.currency, f, sizeof(f)),
		    last->tier < TIER_MAX ? last->tier + 1 : TIER_MAX);
	if (keep) {
		if ((slot = VEC_ADD(p, p->conf->authorities, p->conf->authorities_count)) == NULL)
			return -1;
		*slot = c.a;
	}
	return 0;
}

/* ---- channel --------------------------------------------------------- */

static int
channel_url(struct parser *p, struct conf_channel *ch, const char *after, char **out)
{
	const char *s = p->tok.text;

	if (p->tok.type == TOK_STRING && p->tok.len > 0) {
		if (ch->kind == CONF_IMAP && !url_has_scheme(s, "imap", "imaps"))
			return perr(p, "invalid IMAP URL '%s' (expected imaps://host/FOLDER "
			    "or imap://host/FOLDER)", s);
		if (ch->kind != CONF_IMAP && !url_has_scheme(s, "https", "http"))
			return perr(p, "invalid URL '%s' after '%s' (expected https://...)",
			    s, after);
		if (ch->kind != CONF_IMAP && !url_has_scheme(s, "https", "https") &&
		    !url_loopback(s))
			return perr(p, "plain http URL '%s' after '%s': use https:// (http "
			    "is only for loopback hosts)", s, after);
	}
	return expect_string(p, after, out);
}

/* ---- autoreply (in a channel) ---------------------------------------- */

#define AUTOREPLY_TEXT_MAX	(64 * 1024)	/* an acknowledgement, not a manual */
#define AUTOREPLY_MAX_AGE	86400L

static int	read_file(const char *, char **, size_t *, struct stat *, char *, size_t);

struct autoreply_ctx {
	struct conf_autoreply	*ar;
	char			*lines;		/* the `text` lines so far, joined */
	size_t			 lines_len;
};

/* "Name <user@domain>" or "user@domain". */
static int
valid_sender(const char *s)
{
	const char *lt = strchr(s, '<');
	char addr[CONF_TOKEN_MAX];
	size_t n, len = strlen(s);

	if (lt == NULL)
		return valid_addr(s);
	if (len == 0 || s[len - 1] != '>')
		return 0;
	n = len - (size_t)(lt - s) - 2;
	memcpy(addr, lt + 1, n);
	addr[n] = '\0';
	return valid_addr(addr);
}

/* A help keyword: a word or phrase of letters and digits (any script),
 * with single blanks, '-', '\'' or '.' inside, and a '*' at the end for
 * "any word starting so"; at most 100 bytes. */
static int
check_help_keyword(struct parser *p, char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	int ok = strlen(s) <= 100;

#define WORD_BYTE(b)	((b) >= 0x80 || ((b) >= '0' && (b) <= '9') || \
			    (((b) | 0x20) >= 'a' && ((b) | 0x20) <= 'z'))
	ok = ok && WORD_BYTE(*c);
	for (; ok && *c != '\0'; c++)
		if (!WORD_BYTE(*c) && !(*c == '*' && c[1] == '\0') &&
		    !((*c == ' ' || *c == '-' || *c == '\'' || *c == '.') && WORD_BYTE(c[1])))
			ok = 0;
#undef WORD_BYTE
	if (ok)
		return 1;
	(void)perr(p, "invalid help keyword \"%s\" (a word or phrase: letters and "
	    "digits, single spaces, '-', '.' or an apostrophe; '*' at the end "
	    "for any ending)", p->tok.text);
	return 0;
}

/* help KEYWORDS URL */
static int
autoreply_help(struct parser *p, struct conf_autoreply *ar, const struct conf_pos *kw)
{
	struct conf_help h, *slot;
	const char *s;
	char d[64];

	memset(&h, 0, sizeof(h));
	h.pos = *kw;
	if (p->tok.type == TOK_STRING && p->tok.len == 0)
		return perr(p, "empty help keyword (expected a word or phrase)");
	if (expect_list(p, "help", &h.keywords, &h.keywords_count, check_help_keyword) == -1)
		return -1;
	if (p->tok.type == TOK_STRING && p->tok.len > 0) {
		if (!url_has_scheme(p->tok.text, "https", "http"))
			return perr(p, "invalid help link '%s' (expected an http:// or "
			    "https:// URL)", p->tok.text);
		for (s = p->tok.text; *s != '\0'; s++)
			if ((unsigned char)*s <= ' ' || *s == 0x7f)
				return perr(p, "help link '%s' has a blank in it (write "
				    "spaces as %%20)", p->tok.text);
	} else if (p->tok.type != TOK_STRING)
		return perr(p, "expected the link (a quoted http:// or https:// URL) "
		    "after the keywords of 'help', got %s", tok_desc(&p->tok, d, sizeof(d)));
	if (expect_string(p, "help", &h.url) == -1)
		return -1;
	if ((slot = VEC_ADD(p, ar->help, ar->help_count)) == NULL)
		return -1;
	*slot = h;
	return 0;
}

/* The body from a file: UTF-8 text, no NUL, at most AUTOREPLY_TEXT_MAX. */
static int
autoreply_text_file(struct parser *p, struct conf_autoreply *ar)
{
	struct conf_pos at = tokpos(p);
	struct stat st;
	char *buf, why[1400];
	size_t len, i, l;

	if (expect_path(p, "text-file", 0, &ar->text_file) == -1)
		return -1;
	if (p->flags & CONF_NO_FILES) {
		ar->text = pstrdup(p, "");
		return 0;
	}
	if (read_file(ar->text_file, &buf, &len, &st, why, sizeof(why)) == -1)
		return perr_at(p, &at, "%s", why);
	if (len > AUTOREPLY_TEXT_MAX) {
		free(buf);
		return perr_at(p, &at, "'%s' is too long for an acknowledgement (more "
		    "than %d bytes)", ar->text_file, AUTOREPLY_TEXT_MAX);
	}
	for (i = 0; i < len; i += l)
		if (buf[i] == '\0' ||
		    (l = (unsigned char)buf[i] < 0x80 ? 1 :
		    utf8_len((const unsigned char *)buf + i, len - i)) == 0) {
			free(buf);
			return perr_at(p, &at, "'%s' is not UTF-8 text (byte %zu)",
			    ar->text_file, i + 1);
		}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (len == 0) {
		free(buf);
		return perr_at(p, &at, "'%s' is empty", ar->text_file);
	}
	ar->text = pstrndup(p, buf, len);
	free(buf);
	return 0;
}

static int
autoreply_key(struct parser *p, const struct keyword *k, const struct conf_pos *kw, void *ctx)
{
	struct autoreply_ctx *c = ctx;
	struct conf_autoreply *ar = c->ar;
	char *line, *joined;
	size_t n;

	switch (k->id) {
	case AR_FROM:
		if (p->tok.type == TOK_STRING && p->tok.len > 0 && !valid_sender(p->tok.text))
			return perr(p, "invalid sender '%s' (expected \"Name "
			    "<user@domain>\" or \"user@domain\")", p->tok.text);
		return expect_string(p, k->name, &ar->from);
	case AR_HELP:
		return autoreply_help(p, ar, kw);
	case AR_HELP_INTRO:
		return expect_string(p, k->name, &ar->help_intro);
	case AR_MAX_AGE:
		return expect_duration(p, k->name, &ar->max_age);
	case AR_RESPONSE_TIME:
		return expect_bool(p, k->name, &ar->response_time);
	case AR_SUBJECT:
		return expect_string(p, k->name, &ar->subject);
	case AR_TEXT:
		/* Repeatable: one line each, joined by newlines. */
		if (expect_string(p, k->name, &line) == -1)
			return -1;
		n = strlen(line);
		if (c->lines_len + n + 1 > AUTOREPLY_TEXT_MAX)
			return perr_at(p, kw, "the acknowledgement's text is too long "
			    "(more than %d bytes)", AUTOREPLY_TEXT_MAX);
		if ((joined = arena_alloc(p->arena, c->lines_len + n + 2)) == NULL) {
			nomem(p);
			return -1;
		}
		if (c->lines_len > 0) {
			memcpy(joined, c->lines, c->lines_len);
			joined[c->lines_len++] = '\n';
		}
		memcpy(joined + c->lines_len, line, n + 1);
		c->lines = joined;
		c->lines_len += n;
		return 0;
	default:
		return autoreply_text_file(p, ar);
	}
}

/* After parsing: an acknowledgement goes out through the smtp statement,
 * from its sender unless the block names one. */
static void
autoreply_resolve(struct parser *p, struct conf_channel *ch)
{
	struct conf_autoreply *ar = ch->autoreply;

	if (p->conf->smtp == NULL) {
		(void)perr_at(p, &ar->pos, "autoreply of channel '%s' needs an 'smtp' "
		    "statement to send through", ch->name);
		return;
	}
	if (ar->from == NULL)
		ar->from = p->conf->smtp->from != NULL ? p->conf->smtp->from :
		    pstrdup(p, "escalator@localhost");
	if (ch->user != NULL && valid_addr(ch->user))
		ar->account = ch->user;
}

/* autoreply { ... } in a channel block; kw is the keyword's place. */
static int
channel_autoreply(struct parser *p, struct conf_channel *ch, const struct conf_pos *kw)
{
	struct autoreply_ctx c;
	struct block b = { .what = "autoreply block", .keys = autoreply_keys,
		.nkeys = NELEM(autoreply_keys), .key = autoreply_key };
	struct conf_autoreply *ar;
	const char *name = ch->name ? ch->name : "?";
	int social = ch->kind != CONF_IMAP && ch->kind != CONF_MBOX;

	if ((ar = arena_alloc(p->arena, sizeof(*ar))) == NULL) {
		nomem(p);
		return -1;
	}
	memset(ar, 0, sizeof(*ar));
	memset(&c, 0, sizeof(c));
	ar->pos = *kw;
	ar->max_age = AUTOREPLY_MAX_AGE;
	ar->response_time = 1;
	c.ar = ar;
	b.ctx = &c;
	if (social)
		/* Reported first, then the block is still read for its own
		 * mistakes and thrown away. */
		(void)perr_at(p, kw, "'autoreply' on %s channel '%s': social channels "
		    "never get automatic public replies (autoreply is for imap and "
		    "mbox channels)", kind_names[ch->kind], name);
	if (parse_block(p, &b) == -1)
		return -1;
	if (SEEN(b, AR_TEXT) && SEEN(b, AR_TEXT_FILE))
		(void)perr_at(p, &b.seen[AR_TEXT_FILE], "autoreply of channel '%s' has "
		    "both 'text' and 'text-file' (keep one)", name);
	else if (!SEEN(b, AR_TEXT) && !SEEN(b, AR_TEXT_FILE))
		(void)perr_at(p, kw, "autoreply of channel '%s' has no 'text' or "
		    "'text-file' (one is required: what the customer reads)", name);
	if (c.lines != NULL)
		ar->text = c.lines;
	if (ar->help_intro == NULL)
		ar->help_intro = pstrdup(p, "These pages may help:");
	if (ch->autoreply != NULL)
		return 0;	/* the duplicate was reported by parse_block */
	if (!social)
		ch->autoreply = ar;
	return 0;
}

static int
channel_key(struct parser *p, const struct keyword *k, const struct conf_pos *kw, void *ctx)
{
	struct conf_channel *ch = ctx;
	char *h;

	(void)kw;
	switch (k->id) {
	case CH_AGENTS:
		return expect_list(p, k->name, &ch->agents, &ch->agents_count, check_agent);
	case CH_APP_PASSWORD_FILE:
		return expect_path(p, k->name, 2, &ch->app_password_file);
	case CH_AUTOREPLY:
		return channel_autoreply(p, ch, kw);
	case CH_CA_FILE:
		return expect_path(p, k->name, 1, &ch->ca_file);
	case CH_DEPARTMENT:
		ch->department_pos = tokpos(p);
		return expect_name(p, k->name, &ch->department);
	case CH_DONE:
		return expect_string(p, k->name, &ch->done);
	case CH_HASHTAG:
		return expect_list(p, k->name, &ch->hashtags, &ch->hashtags_count,
		    check_hashtag);
	case CH_SEARCH:
		return expect_list(p, k->name, &ch->searches, &ch->searches_count,
		    check_search);
	case CH_SERVICE:
		return channel_url(p, ch, k->name, &ch->service);
	case CH_HANDLE:
		if (p->tok.type == TOK_STRING) {
			h = p->tok.text[0] == '@' ? p->tok.text + 1 : p->tok.text;
			if (!valid_domain(h) || strchr(h, '.') == NULL)
				return perr(p, "invalid Bluesky handle '%s' (expected a "
				    "domain name like 'brand.bsky.social')", p->tok.text);
		}
		if (expect_string(p, k->name, &ch->handle) == -1)
			return -1;
		if (ch->handle[0] == '@')
			ch->handle++;
		return 0;
	case CH_INSTANCE:
		return channel_url(p, ch, k->name, &ch->instance);
	case CH_OAUTH_TOKEN_FILE:
		return expect_path(p, k->name, 2, &ch->oauth_token_file);
	case CH_PASSWORD_FILE:
		return expect_path(p, k->name, 2, &ch->password_file);
	case CH_PATH:
		return expect_path(p, k->name, 0, &ch->path);
	case CH_POLL:
		return expect_duration(p, k->name, &ch->poll);
	case CH_PUBLIC:
		return expect_bool(p, k->name, &ch->public);
	case CH_SENT:
		return expect_string(p, k->name, &ch->sent);
	case CH_SINCE:
		return expect_date(p, k->name, &ch->since);
	case CH_TIER:
		ch->tier_pos = tokpos(p);
		return expect_tier(p, k->name, &ch->tier);
	case CH_TLS:
		return expect_tls(p, &ch->tls);
	case CH_TLS_VERIFY:
		return expect_bool(p, k->name, &ch->tls_verify);
	case CH_TOKEN_FILE:
		return expect_path(p, k->name, 2, &ch->token_file);
	case CH_URL:
		return channel_url(p, ch, k->name, &ch->url);
	default:
		return expect_string(p, k->name, &ch->user);
	}
}

static struct conf_channel *
channel_find(struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->channels_count; i++)
		if (strcmp(conf->channels[i].name, name) == 0)
			return &conf->channels[i];
	return NULL;
}

/* The keys a kind cannot do without. */
static void
channel_finish(struct parser *p, struct conf_channel *ch, const struct conf_pos *kw,
    const struct block *b)
{
	const char *kind = kind_names[ch->kind], *name = ch->name ? ch->name : "?";
	struct stat st;

#define NEED(id, key)							\
	if (!SEEN(*b, id))						\
		(void)perr_at(p, kw, "%s channel '%s' has no '%s' (required)",	\
		    kind, name, key)
	switch (ch->kind) {
	case CONF_IMAP:
		NEED(CH_URL, "url");
		NEED(CH_USER, "user");
		if (!SEEN(*b, CH_PASSWORD_FILE) && !SEEN(*b, CH_OAUTH_TOKEN_FILE))
			(void)perr_at(p, kw, "imap channel '%s' has no 'password-file' "
			    "or 'oauth-token-file' (one is required)", name);
		else if (ch->password_file != NULL && ch->oauth_token_file != NULL)
			(void)perr_at(p, kw, "imap channel '%s' has both 'password-file' "
			    "and 'oauth-token-file' (keep one)", name);
		if (ch->tls == -1)
			ch->tls = ch->url != NULL && strncasecmp(ch->url, "imaps:", 6) == 0 ?
			    CONF_TLS_IMPLICIT : CONF_TLS_STARTTLS;
		else if (ch->tls == CONF_TLS_NONE && ch->password_file != NULL)
			pwarn_at(p, kw, "imap channel '%s' has 'tls none': the password "
			    "crosses the network in clear", name);
		break;
	case CONF_MASTODON:
		NEED(CH_INSTANCE, "instance");
		NEED(CH_TOKEN_FILE, "token-file");
		break;
	case CONF_BLUESKY:
		NEED(CH_HANDLE, "handle");
		NEED(CH_APP_PASSWORD_FILE, "app-password-file");
		break;
	case CONF_FEED:
		NEED(CH_URL, "url");
		break;
	default:
		/* No path: the channel only names mail given to `import`. */
		if (ch->path != NULL && !(p->flags & CONF_NO_FILES) &&
		    stat(ch->path, &st) == -1)
			pwarn_at(p, kw, "mbox '%s' of channel '%s' does not exist (yet)",
			    ch->path, name);
		break;
	}
#undef NEED
	if (ch->tls == -1)
		ch->tls = CONF_TLS_IMPLICIT;	/* https and friends */
	if (ch->public == -1 && ch->kind == CONF_FEED)
		ch->public = 1;
	if (ch->poll == 0)
		ch->poll = kind_poll[ch->kind];
}

static int
stmt_channel(struct parser *p, const struct conf_pos *kw)
{
	struct conf_channel ch, *prev, *slot;
	struct block b = { .keys = channel_keys, .nkeys = NELEM(channel_keys),
		.key = channel_key };
	struct conf_pos at = tokpos(p);
	char d[64], what[64], where[300];
	size_t i;
	int keep = 1;

	memset(&ch, 0, sizeof(ch));
	b.ctx = &ch;
	ch.pos = *kw;
	ch.public = -1;
	ch.tier = -1;
	ch.tls = -1;
	ch.tls_verify = 1;
	if (expect_name(p, "channel", &ch.name) == -1) {
		if (p->tok.type == TOK_WORD)
			lex(p);
		else if (p->tok.type != TOK_LBRACE)
			return -1;
		keep = 0;
	} else if ((prev = channel_find(p->conf, ch.name)) != NULL) {
		(void)perr_at(p, &at, "duplicate channel '%s' (first defined at %s)",
		    ch.name, pos_where(&prev->pos, &at, where, sizeof(where)));
		keep = 0;
	}
	for (i = 0; i < NELEM(kind_names); i++)
		if (p->tok.type == TOK_WORD && strcmp(p->tok.text, kind_names[i]) == 0)
			break;
	if (i == NELEM(kind_names)) {
		(void)perr(p, "%s channel kind %s (expected one of: bluesky, feed, imap, "
		    "mastodon, mbox)", p->tok.type == TOK_WORD ? "unknown" : "expected a",
		    tok_desc(&p->tok, d, sizeof(d)));
		if (p->tok.type == TOK_WORD)
			lex(p);
		else if (p->tok.type != TOK_LBRACE)
			return -1;
		keep = 0;
		(void)snprintf(what, sizeof(what), "channel block");
		b.kinds = 0;
		ch.kind = CONF_FEED;	/* any: its block is only checked */
	} else {
		ch.kind = (int)i;
		b.kinds = 1u << i;
		(void)snprintf(what, sizeof(what), "%s channel block", kind_names[i]);
		lex(p);
	}
	b.what = what;
	if (parse_block(p, &b) == -1)
		return p->tok.type == TOK_EOF ? 0 : -1;
	if (keep) {
		channel_finish(p, &ch, kw, &b);
		if ((slot = VEC_ADD(p, p->conf->channels, p->conf->channels_count)) == NULL)
			return -1;
		*slot = ch;
	}
	return 0;
}

/* ---- smtp, database, warn-at, digest, include ------------------------ */

static int
stmt_smtp(struct parser *p, const struct conf_pos *kw)
{
	struct conf_smtp *sm;
	const struct keyword *k;
	struct conf_pos seen[KW_IDS], at;
	char list[256], where[300];

	if (p->tok.type == TOK_STRING && p->tok.len > 0 &&
	    !url_has_scheme(p->tok.text, "smtp", "smtps"))
		return perr(p, "invalid SMTP URL '%s' (expected smtps://host or "
		    "smtp://host:587)", p->tok.text);
	if ((sm = arena_alloc(p->arena, sizeof(*sm))) == NULL) {
		nomem(p);
		return -1;
	}
	memset(sm, 0, sizeof(*sm));
	sm->pos = *kw;
	sm->tls_verify = 1;
	sm->tls = -1;
	if (expect_string(p, "smtp", &sm->url) == -1)
		return -1;
	memset(seen, 0, sizeof(seen));
	while (p->tok.type == TOK_WORD) {
		if ((k = KW_FIND(smtp_keys, p->tok.text)) == NULL) {
			if (is_top_keyword(&p->tok))
				break;
			return perr(p, "unknown keyword '%s' in smtp statement (expected "
			    "one of: %s)", p->tok.text,
			    kw_list(smtp_keys, NELEM(smtp_keys), 0, list, sizeof(list)));
		}
		at = tokpos(p);
		if (seen[k->id].line != 0)
			(void)perr(p, "duplicate '%s' in smtp statement (first at %s)",
			    k->name, pos_where(&seen[k->id], &at, where, sizeof(where)));
		seen[k->id] = at;
		lex(p);
		switch (k->id) {
		case SM_CA_FILE:
			if (expect_path(p, k->name, 1, &sm->ca_file) == -1)
				return -1;
			break;
		case SM_FROM:
			if (p->tok.type == TOK_STRING && p->tok.len > 0) {
				const char *lt = strchr(p->tok.text, '<');
				char addr[CONF_TOKEN_MAX];
				size_t n;

				if (lt != NULL && p->tok.text[p->tok.len - 1] == '>') {
					n = p->tok.len - (size_t)(lt - p->tok.text) - 2;
					memcpy(addr, lt + 1, n);
					addr[n] = '\0';
				} else
					(void)snprintf(addr, sizeof(addr), "%s", p->tok.text);
				if (!valid_addr(addr))
					return perr(p, "invalid sender '%s' (expected \"Name "
					    "<user@domain>\" or \"user@domain\")", p->tok.text);
			}
			if (expect_string(p, k->name, &sm->from) == -1)
				return -1;
			break;
		case SM_PASSWORD_FILE:
			if (expect_path(p, k->name, 2, &sm->password_file) == -1)
				return -1;
			break;
		case SM_TLS:
			at = tokpos(p);
			if (expect_tls(p, &sm->tls) == -1)
				return -1;
			/* The URL says how TLS starts; only `tls none` is
			 * worth writing (smtp:// to a server without
			 * STARTTLS, on a network the operator trusts). */
			if (sm->tls != CONF_TLS_NONE)
				(void)perr_at(p, &at, "smtp 'tls' takes only 'none': the URL "
				    "says the rest (smtps:// implicit TLS, smtp:// STARTTLS)");
			break;
		case SM_TLS_VERIFY:
			if (expect_bool(p, k->name, &sm->tls_verify) == -1)
				return -1;
			break;
		default:
			if (expect_string(p, k->name, &sm->user) == -1)
				return -1;
			break;
		}
	}
	if ((sm->user == NULL) != (sm->password_file == NULL))
		(void)perr_at(p, kw, "smtp '%s' needs '%s' too", sm->user ? "user" :
		    "password-file", sm->user ? "password-file" : "user");
	/* Valid, but mail from escalator@localhost (cli/send.c) is what
	 * servers that check the sender's domain refuse first. */
	if (sm->from == NULL && sm->url != NULL)
		pwarn_at(p, kw, "smtp has no 'from': notifications go out from "
		    "escalator@localhost, which many servers refuse (add from "
		    "\"Support <escalator@your.domain>\")");
	if (sm->tls == CONF_TLS_NONE && sm->url != NULL &&
	    strncasecmp(sm->url, "smtps:", 6) == 0)
		(void)perr_at(p, &seen[SM_TLS], "smtp 'tls none' with an smtps:// URL "
		    "(use smtp://)");
	else if (sm->tls != CONF_TLS_NONE)
		sm->tls = sm->url != NULL && strncasecmp(sm->url, "smtps:", 6) == 0 ?
		    CONF_TLS_IMPLICIT : CONF_TLS_STARTTLS;
	if (p->conf->smtp != NULL) {
		(void)perr_at(p, kw, "duplicate 'smtp' (first at %s)",
		    pos_where(&p->smtp_pos, kw, where, sizeof(where)));
		return 0;
	}
	p->conf->smtp = sm;
	p->smtp_pos = *kw;
	return 0;
}

static int
stmt_database(struct parser *p, const struct conf_pos *kw)
{
	char *path, where[300];

	if (expect_path(p, "database", 0, &path) == -1)
		return -1;
	if (p->conf->database != NULL) {
		(void)perr_at(p, kw, "duplicate 'database' (first at %s)",
		    pos_where(&p->database_pos, kw, where, sizeof(where)));
		return 0;
	}
	p->conf->database = path;
	p->database_pos = *kw;
	return 0;
}

static int
stmt_warn_at(struct parser *p, const struct conf_pos *kw)
{
	char d[64], where[300], num[4];
	long n = 0;
	int ok = 0;

	if (p->tok.type == TOK_WORD && p->tok.len >= 2 && p->tok.len <= 3 &&
	    p->tok.text[p->tok.len - 1] == '%') {
		memcpy(num, p->tok.text, p->tok.len - 1);
		num[p->tok.len - 1] = '\0';
		ok = parse_uint(num, &n) == 0 && n >= 1 && n <= 99;
	}
	if (!ok)
		return perr(p, "expected a percentage from 1%% to 99%% after 'warn-at' "
		    "(e.g. 80%%), got %s", tok_desc(&p->tok, d, sizeof(d)));
	if (p->warn_at_pos.line != 0)
		(void)perr_at(p, kw, "duplicate 'warn-at' (first at %s)",
		    pos_where(&p->warn_at_pos, kw, where, sizeof(where)));
	p->warn_at_pos = *kw;
	p->conf->warn_at = (int)n;
	lex(p);
	return 0;
}

static int
stmt_digest(struct parser *p, const struct conf_pos *kw)
{
	struct conf_digest dg, *slot;
	char d[64];
	int wday;

	memset(&dg, 0, sizeof(dg));
	dg.pos = *kw;
	dg.wday = 1;
	if (p->tok.type == TOK_WORD && strcmp(p->tok.text, "weekly") == 0)
		dg.weekly = 1;
	else if (!(p->tok.type == TOK_WORD && strcmp(p->tok.text, "daily") == 0))
		return perr(p, "expected 'daily' or 'weekly' after 'digest', got %s",
		    tok_desc(&p->tok, d, sizeof(d)));
	lex(p);
	if (dg.weekly && p->tok.type == TOK_WORD &&
	    (wday = day_lookup(p->tok.text, p->tok.len)) != -1) {
		dg.wday = wday;
		lex(p);
	}
	if (p->tok.type != TOK_WORD || parse_hhmm(p->tok.text, p->tok.len, 0, &dg.minute) == -1)
		return perr(p, "expected a time (HH:MM, e.g. 08:00) %s, got %s",
		    dg.weekly ? "after 'weekly [DAY]'" : "after 'daily'",
		    tok_desc(&p->tok, d, sizeof(d)));
	lex(p);
	if (!(p->tok.type == TOK_WORD && strcmp(p->tok.text, "to") == 0))
		return perr(p, "expected 'to' and the recipients after the digest's time, "
		    "got %s", tok_desc(&p->tok, d, sizeof(d)));
	lex(p);
	if (expect_list(p, "to", &dg.to, &dg.to_count, check_recipient) == -1)
		return -1;
	if ((slot = VEC_ADD(p, p->conf->digests, p->conf->digests_count)) == NULL)
		return -1;
	*slot = dg;
	return 0;
}

/* Reads a whole regular file of at most CONF_FILE_MAX bytes into *buf
 * (caller frees).  On failure, why holds the message. */
static int
read_file(const char *path, char **buf, size_t *len, struct stat *st,
    char *why, size_t whylen)
{
	ssize_t n;
	size_t got = 0;
	char *b;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		saved = errno;
		(void)snprintf(why, whylen, "cannot open '%s': %s", path, strerror(saved));
		return -1;
	}
	if (fstat(fd, st) == -1) {
		saved = errno;
		(void)close(fd);	/* read-only: nothing to flush */
		(void)snprintf(why, whylen, "cannot read '%s': %s", path, strerror(saved));
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_size > CONF_FILE_MAX) {
		if (!S_ISREG(st->st_mode))
			(void)snprintf(why, whylen, "cannot read '%s': not a regular file", path);
		else if (st->st_size > CONF_FILE_MAX)
			(void)snprintf(why, whylen, "cannot read '%s': too large (more "
			    "than %d bytes)", path, CONF_FILE_MAX);
		(void)close(fd);	/* read-only: nothing to flush */
		return -1;
	}
	if ((b = malloc((size_t)st->st_size + 1)) == NULL) {
		(void)close(fd);	/* read-only: nothing to flush */
		(void)snprintf(why, whylen, "cannot read '%s': out of memory", path);
		return -1;
	}
	/* Reads what fstat promised; a file growing meanwhile is cut there. */
	while (got < (size_t)st->st_size) {
		if ((n = read(fd, b + got, (size_t)st->st_size - got)) == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			free(b);
			(void)close(fd);	/* read-only: nothing to flush */
			(void)snprintf(why, whylen, "cannot read '%s': %s", path, strerror(saved));
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	(void)close(fd);		/* read-only: nothing to flush */
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}

/* A new source over buf (taken); name is copied into conf->files. */
static struct src *
src_new(struct parser *p, const char *name, char *buf, size_t len)
{
	struct src *s;
	char **slot;
	const char *slash;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (slot = VEC_ADD(p, p->conf->files, p->conf->files_count)) == NULL) {
		free(s);
		free(buf);
		nomem(p);
		return NULL;
	}
	*slot = pstrdup(p, name);
	s->name = *slot;
	slash = strrchr(name, '/');
	s->dir = slash ? strndup(name, (size_t)(slash - name) + 1) : strdup("");
	s->buf = buf;
	s->len = len;
	s->line = s->col = 1;
	s->next = p->srcs;
	p->srcs = s;
	if (s->dir == NULL) {
		nomem(p);
		return NULL;
	}
	return s;
}

static int
stmt_include(struct parser *p, const struct conf_pos *kw)
{
	struct conf_pos at = tokpos(p);
	struct src *s, *a;
	struct stat st;
	char *path, *buf, why[1400];
	size_t len;

	(void)kw;
	if (p->tok.type != TOK_STRING || p->tok.len == 0)
		return expect_string(p, "include", &path);
	if (p->flags & CONF_NO_FILES) {
		(void)perr(p, "include is not allowed here");
		lex(p);
		return 0;
	}
	path = join_path(p, p->src->dir, p->tok.text);
	/* The string stays current while the included file is read: the
	 * outer lexer stands right after it and resumes there. */
	if (p->src->depth + 1 > CONF_INCLUDE_DEPTH) {
		(void)perr_at(p, &at, "includes nested too deeply (more than %d levels)",
		    CONF_INCLUDE_DEPTH);
		lex(p);
		return 0;
	}
	if (read_file(path, &buf, &len, &st, why, sizeof(why)) == -1) {
		(void)perr_at(p, &at, "%s", why);
		lex(p);
		return 0;
	}
	for (a = p->src; a != NULL; a = a->parent)
		if (a->has_id && a->dev == st.st_dev && a->ino == st.st_ino)
			break;
	if (a != NULL) {
		free(buf);
		(void)perr_at(p, &at, "include cycle: '%s' includes '%s', which is "
		    "already being read", p->src->name, a->name);
		lex(p);
		return 0;
	}
	if ((s = src_new(p, path, buf, len)) == NULL)
		return -1;
	s->has_id = 1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->depth = p->src->depth + 1;
	s->parent = p->src;
	p->src = s;
	lex(p);
	parse_statements(p);
	p->src = s->parent;
	lex(p);
	return 0;
}

/* ---- rule ------------------------------------------------------------ */

/* Copies text[0..len) with comments blanked to spaces (strings kept),
 * trimmed; *pos moves from the text's first byte to the copy's first. */
static char *
rule_text(struct parser *p, const char *text, size_t len, struct conf_pos *pos)
{
	char *c;
	size_t i, a, b;
	int instr = 0, incomment = 0;

	if ((c = arena_alloc(p->arena, len + 1)) == NULL) {
		nomem(p);
		return "";
	}
	memcpy(c, text, len);
	c[len] = '\0';
	for (i = 0; i < len; i++) {
		if (incomment) {
			if (c[i] == '\n')
				incomment = 0;
			else
				c[i] = ' ';
		} else if (instr) {
			if (c[i] == '\\' && i + 1 < len && c[i + 1] != '\n')
				i++;
			else if (c[i] == '"' || c[i] == '\n')
				instr = 0;
		} else if (c[i] == '"')
			instr = 1;
		else if (c[i] == '#') {
			incomment = 1;
			c[i] = ' ';
		}
	}
	for (a = 0; a < len && strchr(" \t\r\n\f\v", c[a]) != NULL; a++) {
		if (c[a] == '\n') {
			pos->line++;
			pos->col = 1;
		} else
			pos->col++;
	}
	for (b = len; b > a && strchr(" \t\r\n\f\v", c[b - 1]) != NULL; b--)
		continue;
	c[b] = '\0';
	return c + a;
}

static int
is_rule_stopper(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < NELEM(rule_stoppers); i++)
		if (strlen(rule_stoppers[i]) == len && strncmp(w, rule_stoppers[i], len) == 0)
			return 1;
	return 0;
}

/* The body of a rule, read as raw text from just after its '{': strings
 * and comments are skipped, braces counted, 'when' and 'then' found.  The
 * rule language has its own tokens (~, <=, parentheses), which the
 * configuration lexer would refuse, so it never sees them.
 * rules/parse.c compiles r->when and r->then (compile_rules below). */
static int
rule_body(struct parser *p, struct conf_rule *r, const struct conf_pos *open)
{
	struct src *s = p->src;
	struct conf_pos when = { NULL, 0, 0 }, then = { NULL, 0, 0 }, first = { NULL, 0, 0 };
	struct conf_pos close = { NULL, 0, 0 }, at, wpos;
	size_t when_end = 0, then_start = 0, then_end = 0, end = 0, wstart, first_off = 0;
	int c, depth = 1, bol = 0, wline, wcol;

	for (;;) {
		if (p->stop)
			return -1;
		c = src_peek(s);
		if (c == -1) {
			(void)perr_at(p, open, "missing '}' for this '{' (rule '%s' reaches "
			    "the end of the file)", r->name);
			return -1;
		}
		if (c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			bol |= c == '\n';
			src_next(s);
			continue;
		}
		if (c == '#') {
			while ((c = src_peek(s)) != -1 && c != '\n')
				src_next(s);
			continue;
		}
		if (first.line == 0 && c != '}') {
			first = srcpos(s);
			first_off = s->off;
		}
		if (c == '"') {
			at = srcpos(s);
			src_next(s);
			for (;;) {
				c = src_peek(s);
				if (c == -1 || c == '\n') {
					(void)perr_at(p, &at, "unterminated string (a string "
					    "ends with '\"' on the line it starts)");
					break;
				}
				src_next(s);
				if (c == '"')
					break;
				if (c == '\\' && src_peek(s) != -1 && src_peek(s) != '\n')
					src_next(s);
			}
			bol = 0;
			continue;
		}
		if (is_word_char(c)) {
			wpos = srcpos(s);
			wstart = s->off;
			wline = s->line;
			wcol = s->col;
			while (is_word_char(src_peek(s)))
				src_next(s);
			if (bol && depth == 1 && is_rule_stopper(s->buf + wstart, s->off - wstart)) {
				/* A statement: the rule lacks its '}'.  Resume there. */
				(void)perr_at(p, open, "missing '}' for this '{' (rule '%s' "
				    "runs into '%.*s' on line %d)", r->name,
				    (int)(s->off - wstart), s->buf + wstart, wline);
				s->off = wstart;
				s->line = wline;
				s->col = wcol;
				s->last_line = wline - 1;
				return -1;
			}
			if (s->off - wstart == 4 && strncmp(s->buf + wstart, "when", 4) == 0) {
				if (when.line != 0)
					return perr_at(p, &wpos, "second 'when' in rule '%s'", r->name);
				when = wpos;
				when_end = s->off;
			} else if (s->off - wstart == 4 && strncmp(s->buf + wstart, "then", 4) == 0) {
				if (then.line != 0)
					return perr_at(p, &wpos, "second 'then' in rule '%s'", r->name);
				then = wpos;
				then_start = wstart;
				then_end = s->off;
			}
			bol = 0;
			continue;
		}
		bol = 0;
		if (c == '{')
			depth++;
		else if (c == '}' && --depth == 0) {
			close = srcpos(s);
			end = s->off;
			src_next(s);
			s->last_line = close.line;
			break;
		}
		src_next(s);
	}

	if (when.line == 0)
		return perr_at(p, first.line ? &first : &close, "rule '%s' has no 'when' "
		    "(expected: rule \"NAME\" { when CONDITION then ACTIONS })", r->name);
	if (first_off != when_end - 4)
		return perr_at(p, &first, "expected 'when' at the start of rule '%s'", r->name);
	if (then.line == 0)
		return perr_at(p, &close, "rule '%s' has no 'then' (expected: when "
		    "CONDITION then ACTIONS)", r->name);
	r->when_pos = when;
	r->when_pos.col += 4;
	r->when = rule_text(p, s->buf + when_end, then_start - when_end, &r->when_pos);
	r->then_pos = then;
	r->then_pos.col += 4;
	r->then = rule_text(p, s->buf + then_end, end - then_end, &r->then_pos);
	if (r->when[0] == '\0')
		return perr_at(p, &then, "rule '%s' has an empty condition after 'when'",
		    r->name);
	if (r->then[0] == '\0')
		return perr_at(p, &close, "rule '%s' has no actions after 'then'", r->name);
	return 0;
}

static int
stmt_rule(struct parser *p, const struct conf_pos *kw)
{
	struct conf_rule r, *slot;
	struct conf_pos at = tokpos(p), open;
	char d[64], where[300];
	size_t i;
	int keep = 1, rc;

	memset(&r, 0, sizeof(r));
	r.pos = *kw;
	if (p->tok.type == TOK_STRING && p->tok.len > 0) {
		r.name = pstrndup(p, p->tok.text, p->tok.len);
		lex(p);
	} else {
		(void)perr(p, "expected the rule's name in double quotes after 'rule', "
		    "got %s", tok_desc(&p->tok, d, sizeof(d)));
		if (p->tok.type != TOK_WORD && p->tok.type != TOK_STRING &&
		    p->tok.type != TOK_LBRACE)
			return -1;
		if (p->tok.type == TOK_LBRACE)
			r.name = "?";
		else {
			r.name = pstrndup(p, p->tok.text, p->tok.len);
			lex(p);
		}
		keep = 0;
	}
	for (i = 0; keep && i < p->conf->rules_count; i++)
		if (strcmp(p->conf->rules[i].name, r.name) == 0) {
			(void)perr_at(p, &at, "duplicate rule '%s' (first defined at %s)",
			    r.name, pos_where(&p->conf->rules[i].pos, &at, where, sizeof(where)));
			keep = 0;
		}
	if (p->tok.type != TOK_LBRACE)
		return perr(p, "expected '{' after the name of rule '%s', got %s", r.name,
		    tok_desc(&p->tok, d, sizeof(d)));
	/* The lexer stands right after the '{': the body is read raw. */
	open = tokpos(p);
	rc = rule_body(p, &r, &open);
	lex(p);
	if (rc == 0 && keep) {
		if ((slot = VEC_ADD(p, p->conf->rules, p->conf->rules_count)) == NULL)
			return -1;
		*slot = r;
	}
	return 0;
}

/* ---- statements ------------------------------------------------------ */

/* After an error in a statement: skip to a statement that starts a line,
 * or to any word in column 1 (a misspelt statement, reported in its turn;
 * continuation lines such as smtp's "     from ..." are indented), stepping
 * over whole blocks, without reporting what is skipped. */
static void
recover_top(struct parser *p)
{
	int depth = 0;

	p->quiet_lex = 1;
	for (;;) {
		if (p->tok.type == TOK_EOF)
			break;
		if (p->tok.type == TOK_LBRACE)
			depth++;
		else if (p->tok.type == TOK_RBRACE && depth > 0)
			depth--;
		else if (depth == 0 && p->tok.bol && (is_top_keyword(&p->tok) ||
		    (p->tok.type == TOK_WORD && p->tok.col == 1)))
			break;
		lex(p);
	}
	p->quiet_lex = 0;
}

static void
parse_statements(struct parser *p)
{
	const struct keyword *k;
	struct conf_pos kw;
	char d[64], list[256];
	int rc;

	while (p->tok.type != TOK_EOF) {
		if (p->tok.type != TOK_WORD || (k = KW_FIND(top_keys, p->tok.text)) == NULL) {
			kw_list(top_keys, NELEM(top_keys), 0, list, sizeof(list));
			if (p->tok.type == TOK_WORD)
				(void)perr(p, "unknown keyword '%s' (expected one of: %s)",
				    p->tok.text, list);
			else
				(void)perr(p, "expected a statement, got %s (expected one "
				    "of: %s)", tok_desc(&p->tok, d, sizeof(d)), list);
			lex(p);
			recover_top(p);
			continue;
		}
		kw = tokpos(p);
		lex(p);
		switch (k->id) {
		case S_CALENDAR:	rc = stmt_calendar(p, &kw); break;
		case S_CHANNEL:		rc = stmt_channel(p, &kw); break;
		case S_DATABASE:	rc = stmt_database(p, &kw); break;
		case S_DEPARTMENT:	rc = stmt_department(p, &kw); break;
		case S_DIGEST:		rc = stmt_digest(p, &kw); break;
		case S_INCLUDE:		rc = stmt_include(p, &kw); break;
		case S_RULE:		rc = stmt_rule(p, &kw); break;
		case S_SMTP:		rc = stmt_smtp(p, &kw); break;
		case S_TIER:		rc = stmt_tier(p, &kw); break;
		case S_AUTHORITY:	rc = stmt_authority(p, &kw); break;
		default:		rc = stmt_warn_at(p, &kw); break;
		}
		if (rc == -1)
			recover_top(p);
	}
}

/* ---- resolution ------------------------------------------------------ */

/* "defined: a, b" or "none is defined", for unknown references. */
static const char *
defined_names(const struct conf *c, int what, char *buf, size_t len)
{
	size_t i, n, used;
	int w;

	n = what == 0 ? c->calendars_count : what == 1 ? c->departments_count : c->tiers_count;
	if (n == 0) {
		(void)snprintf(buf, len, "no %s is defined",
		    what == 0 ? "calendar" : what == 1 ? "department" : "tier");
		return buf;
	}
	used = (size_t)snprintf(buf, len, "defined: ");
	for (i = 0; i < n && used < len; i++) {
		if (what == 0)
			w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
			    c->calendars[i].name);
		else if (what == 1)
			w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
			    c->departments[i].name);
		else
			w = snprintf(buf + used, len - used, "%s%d", i ? ", " : "",
			    c->tiers[i].number);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* Marks departments a rule's text names ("department billing"). */
static void
rule_departments(const struct conf *c, const char *text, unsigned char *used)
{
	const char *s = text, *w;
	size_t wl, i;
	int after = 0;

	while (*s != '\0') {
		if (*s == '"') {
			for (s++; *s != '\0' && *s != '"'; s++)
				if (*s == '\\' && s[1] != '\0')
					s++;
			if (*s == '"')
				s++;
			after = 0;
			continue;
		}
		if (!is_word_char((unsigned char)*s)) {
			s++;
			continue;
		}
		for (w = s; is_word_char((unsigned char)*s); s++)
			continue;
		wl = (size_t)(s - w);
		if (after)
			for (i = 0; i < c->departments_count; i++)
				if (strlen(c->departments[i].name) == wl &&
				    strncmp(c->departments[i].name, w, wl) == 0)
					used[i] = 1;
		after = wl == 10 && strncmp(w, "department", 10) == 0;
	}
}

/* 1 when the actions of some rule say `keyword name`, the name a word or
 * a string ("route-by-authority refund"). */
static int
rules_say(const struct conf *c, const char *keyword, const char *name)
{
	size_t i, kl = strlen(keyword), nl = strlen(name), wl;
	const char *s, *w;
	int quoted;

	for (i = 0; i < c->rules_count; i++)
		for (s = c->rules[i].then; *s != '\0';) {
			if ((quoted = *s == '"') || !is_word_char((unsigned char)*s)) {
				s++;
				for (; quoted && *s != '\0' && *s != '"'; s++)
					if (*s == '\\' && s[1] != '\0')
						s++;
				if (quoted && *s == '"')
					s++;
				continue;
			}
			for (w = s; is_word_char((unsigned char)*s); s++)
				continue;
			if ((size_t)(s - w) != kl || strncmp(w, keyword, kl) != 0)
				continue;
			while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
				s++;
			if ((quoted = *s == '"'))
				s++;
			for (w = s; quoted ? *s != '\0' && *s != '"' :
			    is_word_char((unsigned char)*s); s++)
				continue;
			wl = (size_t)(s - w);
			if (wl == nl && strncmp(w, name, nl) == 0)
				return 1;
			if (quoted && *s == '"')
				s++;
		}
	return 0;
}

static void
resolve(struct parser *p)
{
	struct conf *c = p->conf;
	unsigned char *cal_used, *dep_used;
	struct conf_tier *t;
	char names[400];
	size_t i, j;

	cal_used = calloc(c->calendars_count + 1, 1);
	dep_used = calloc(c->departments_count + 1, 1);
	if (cal_used == NULL || dep_used == NULL) {
		free(cal_used);
		free(dep_used);
		nomem(p);
		return;
	}
	for (i = 0; i < c->tiers_count; i++) {
		t = &c->tiers[i];
		if (t->calendar_name == NULL)
			continue;
		for (j = 0; j < c->calendars_count; j++)
			if (strcmp(c->calendars[j].name, t->calendar_name) == 0)
				break;
		if (j < c->calendars_count) {
			t->calendar = &c->calendars[j];
			cal_used[j] = 1;
		} else
			(void)perr_at(p, &t->calendar_pos, "unknown calendar '%s' (%s)",
			    t->calendar_name, defined_names(c, 0, names, sizeof(names)));
	}
	for (i = 0; i < c->departments_count; i++)
		if (c->departments[i].entry_tier >= 0 &&
		    tier_find(c, c->departments[i].entry_tier) == NULL)
			(void)perr_at(p, &c->departments[i].entry_tier_pos, "unknown tier %d (%s)",
			    c->departments[i].entry_tier, defined_names(c, 2, names, sizeof(names)));
	for (i = 0; i < c->channels_count; i++) {
		if (c->channels[i].department != NULL) {
			for (j = 0; j < c->departments_count; j++)
				if (strcmp(c->departments[j].name, c->channels[i].department) == 0)
					break;
			if (j < c->departments_count)
				dep_used[j] = 1;
			else
				(void)perr_at(p, &c->channels[i].department_pos,
				    "unknown department '%s' (%s)", c->channels[i].department,
				    defined_names(c, 1, names, sizeof(names)));
		}
		if (c->channels[i].tier >= 0 && tier_find(c, c->channels[i].tier) == NULL)
			(void)perr_at(p, &c->channels[i].tier_pos, "unknown tier %d (%s)",
			    c->channels[i].tier, defined_names(c, 2, names, sizeof(names)));
		if (c->channels[i].autoreply != NULL)
			autoreply_resolve(p, &c->channels[i]);
	}
	for (i = 0; i < c->rules_count; i++) {
		rule_departments(c, c->rules[i].when, dep_used);
		rule_departments(c, c->rules[i].then, dep_used);
	}
	for (i = 0; i < c->authorities_count; i++) {
		for (j = 0; j < c->authorities[i].tiers_count; j++)
			if (tier_find(c, c->authorities[i].tiers[j].tier) == NULL)
				(void)perr_at(p, &c->authorities[i].tiers[j].pos,
				    "unknown tier %d (%s)", c->authorities[i].tiers[j].tier,
				    defined_names(c, 2, names, sizeof(names)));
		if (!rules_say(c, "route-by-authority", c->authorities[i].name))
			pwarn_at(p, &c->authorities[i].pos, "authority '%s' is defined but "
			    "never used (no rule says 'route-by-authority %s')",
			    c->authorities[i].name, c->authorities[i].name);
	}
	for (i = 0; i < c->calendars_count; i++)
		if (!cal_used[i])
			pwarn_at(p, &c->calendars[i].pos, "calendar '%s' is defined but "
			    "never used (no tier refers to it)", c->calendars[i].name);
	for (i = 0; i < c->departments_count; i++)
		if (!dep_used[i])
			pwarn_at(p, &c->departments[i].pos, "department '%s' is defined but "
			    "never used (no channel or rule refers to it)", c->departments[i].name);
	free(cal_used);
	free(dep_used);
}

/* ---- compiling rules ------------------------------------------------- */

/* rules/parse.c reports through this: its errors read like ours, with
 * the line and a caret, and count towards the load's. */
static void
rule_report(void *arg, int warning, const struct conf_pos *pos, const char *msg)
{
	struct parser *p = arg;

	if (warning)
		pwarn_at(p, pos, "%s", msg);
	else
		(void)perr_at(p, pos, "%s", msg);
}

static void
compile_rules(struct parser *p)
{
	struct rules_diag d = { rule_report, p };
	struct err e = ERR_INIT;

	if (rules_compile(p->conf, &d, &p->conf->compiled, &e) == -1 &&
	    e.code == ERR_NOMEM)
		nomem(p);
}

/* ---- loading --------------------------------------------------------- */

/* Parses buf (taken) as the file name; has_id: st identifies it. */
static int
conf_parse(const char *name, char *buf, size_t len, const struct stat *st,
    int flags, struct conf **out, FILE *diag, struct err *e)
{
	struct conf_impl *ci;
	struct parser p;
	struct src *s, *next;
	int ret = 0;

	*out = NULL;
	kw_check(top_keys, NELEM(top_keys), "top");
	kw_check(smtp_keys, NELEM(smtp_keys), "smtp");
	kw_check(calendar_keys, NELEM(calendar_keys), "calendar");
	kw_check(tier_keys, NELEM(tier_keys), "tier");
	kw_check(department_keys, NELEM(department_keys), "department");
	kw_check(channel_keys, NELEM(channel_keys), "channel");
	kw_check(authority_keys, NELEM(authority_keys), "authority");
	kw_check(autoreply_keys, NELEM(autoreply_keys), "autoreply");

	if ((ci = calloc(1, sizeof(*ci))) == NULL) {
		free(buf);
		return err_set(e, ERR_NOMEM, "cannot load '%s': out of memory", name);
	}
	arena_init(&ci->arena, CONF_ARENA_MAX);
	memset(&p, 0, sizeof(p));
	p.conf = &ci->conf;
	p.arena = &ci->arena;
	p.diag = diag;
	p.flags = flags;
	p.conf->warn_at = 80;
	p.conf->path = pstrdup(&p, name);
	if ((s = src_new(&p, name, buf, len)) != NULL) {
		if (st != NULL) {
			s->has_id = 1;
			s->dev = st->st_dev;
			s->ino = st->st_ino;
		}
		p.src = s;
		lex(&p);
		parse_statements(&p);
		if (!p.stop)
			resolve(&p);
		if (!p.stop && !p.oom)
			compile_rules(&p);
	}
	for (s = p.srcs; s != NULL; s = next) {
		next = s->next;
		free(s->buf);
		free(s->dir);
		free(s);
	}
	if (p.oom)
		ret = err_set(e, ERR_NOMEM, "cannot load '%s': out of memory", name);
	else if (p.errors > 0)
		ret = err_set(e, ERR_CONFIG, "%d error%s in '%s'", p.errors,
		    p.errors == 1 ? "" : "s", name);
	if (ret == -1) {
		conf_free(&ci->conf);
		return -1;
	}
	ci->conf.warnings = p.warnings;
	*out = &ci->conf;
	return 0;
}

int
conf_load(const char *path, struct conf **out, FILE *diag, struct err *e)
{
	struct stat st;
	char *buf, why[1400];
	size_t len;

	*out = NULL;
	if (read_file(path, &buf, &len, &st, why, sizeof(why)) == -1)
		return err_set(e, ERR_CONFIG, "%s", why);
	return conf_parse(path, buf, len, &st, 0, out, diag, e);
}

int
conf_load_mem(const char *name, const char *buf, size_t len, int flags,
    struct conf **out, FILE *diag, struct err *e)
{
	char *copy;

	*out = NULL;
	if (len > CONF_FILE_MAX)
		return err_set(e, ERR_CONFIG, "cannot read '%s': too large (more "
		    "than %d bytes)", name, CONF_FILE_MAX);
	if ((copy = malloc(len + 1)) == NULL)
		return err_set(e, ERR_NOMEM, "cannot load '%s': out of memory", name);
	memcpy(copy, buf, len);
	copy[len] = '\0';
	return conf_parse(name, copy, len, NULL, flags, out, diag, e);
}

void
conf_free(struct conf *c)
{
	struct conf_impl *ci = (struct conf_impl *)c;

	if (c == NULL)
		return;
	rules_free(c->compiled);
	arena_release(&ci->arena);
	free(ci);
}

/* ---- lookups --------------------------------------------------------- */

const struct conf_channel *
conf_channel_find(const struct conf *c, const char *name)
{
	return channel_find((struct conf *)c, name);
}

const struct conf_tier *
conf_tier_find(const struct conf *c, int number)
{
	return tier_find((struct conf *)c, number);
}

const struct conf_department *
conf_department_find(const struct conf *c, const char *name)
{
	return department_find((struct conf *)c, name);
}

int
conf_channel_entry(const struct conf *c, const char *name, const char **department)
{
	const struct conf_channel *ch;
	const struct conf_department *d;

	*department = NULL;
	if (c == NULL || name == NULL || (ch = conf_channel_find(c, name)) == NULL)
		return -1;
	*department = ch->department;
	if (ch->tier >= 0)
		return ch->tier;
	d = ch->department != NULL ? conf_department_find(c, ch->department) : NULL;
	return d != NULL && d->entry_tier >= 0 ? d->entry_tier : -1;
}

const struct conf_calendar *
conf_calendar_find(const struct conf *c, const char *name)
{
	return calendar_find((struct conf *)c, name);
}

const struct conf_authority *
conf_authority_find(const struct conf *c, const char *name)
{
	return authority_find((struct conf *)c, name);
}

const struct conf_calendar *
conf_zone_calendar(const struct conf *c, const struct conf_tier *tier)
{
	if (tier != NULL && tier->calendar != NULL)
		return tier->calendar;
	return c != NULL && c->calendars_count > 0 ? &c->calendars[0] : NULL;
}

const char *
conf_channel_kind_name(int kind)
{
	return kind >= 0 && (size_t)kind < NELEM(kind_names) ? kind_names[kind] : "unknown";
}
