/* rules.h -- the rule language: the rules of a configuration compiled
 * once at load (rules/parse.c), run over one message and its ticket
 * (rules/eval.c).
 *
 *   rule "public anger" {
 *       when public and sentiment <= -0.5 and not resolved
 *       then priority urgent, tier 2, notify "social-lead@example.com"
 *   }
 *
 * The grammar is documented atop rules/parse.c and in escalator.conf(5)'s
 * words in README.md.  struct rules is opaque and read-only once compiled:
 * the conditions as a tree of nodes, phrases folded for `has`, regular
 * expressions compiled with regcomp, names resolved against the
 * configuration (departments and their entry tiers).  A struct conf owns
 * its compiled rules (conf->compiled): conf_load compiles them, conf_free
 * frees them, so a reload swaps rules and configuration together.
 *
 * Evaluation is pure -- no I/O, no clock: the caller says what the message
 * is and what the ticket looks like; rules_eval runs every rule in file
 * order, applies the actions of each rule that matches to the ticket state
 * (so later rules see what earlier ones did), and lists the matches and
 * the changes.  A struct rules_run is scratch reused from message to
 * message: after the first few messages evaluation allocates nothing. */
#ifndef ESC_RULES_H
#define ESC_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct buf;
struct conf;
struct conf_pos;
struct err;
struct rules;
struct rules_trace;

#define RULES_TAGS_MAX		32	/* tags a ticket may carry */
#define RULES_TAG_LEN_MAX	64	/* bytes of one tag */

/* Where compile errors and warnings go: report is called once for each,
 * with the position in the configuration and the message alone (no
 * "file:line:col: " prefix); warning is 1 for warnings. */
struct rules_diag {
	void	(*report)(void *arg, int warning, const struct conf_pos *pos,
		    const char *msg);
	void	*arg;
};

/* Compiles conf->rules.  Every error and warning goes to diag (NULL: not
 * reported) and compiling goes on after an error, so one run reports every
 * mistake.  Returns 0 with *out set (caller frees with rules_free), or -1
 * with *out NULL: ERR_CONFIG "N errors in rules", or ERR_NOMEM. */
int	rules_compile(const struct conf *, const struct rules_diag *diag,
	    struct rules **out /* OUT */, struct err *);
void	rules_free(struct rules *);			/* NULL-safe */
size_t	rules_count(const struct rules *);		/* 0 for NULL */
const char *rules_name(const struct rules *, size_t i);

/* The message, as rules see it; every string borrowed, NULL reads "". */
struct rules_msg {
	const char	*text;		/* what the customer wrote now: quotes and
					 * signature trimmed (message.text_scored) */
	const char	*subject;	/* text and subject: where `amount` and
					 * route-by-authority read amounts */
	const char	*from_addr;	/* lowercased address or handle */
	const char	*from_name;
	const char	*channel;	/* name */
	const char	*kind;		/* imap, mastodon, bluesky, feed, mbox */
	int		 public;
	long		 reach;		/* followers; -1 unknown */
	int		 scored;	/* 0: no lexicon, sentiment tests are false */
	double		 sentiment;	/* compound, -1 .. 1 */
	const char	*asks_escalation; /* the phrasing found, NULL if none */
	time_t		 age;		/* since the ticket opened, at this message */
};

/* The ticket, as rules see and change it.  Strings are borrowed: from the
 * caller's ticket, or from the compiled rules (so valid until rules_free). */
struct rules_ticket {
	int		 status;	/* enum status, common/model.h */
	int		 priority;	/* enum priority */
	int		 tier;
	int		 exchanges;	/* customer messages, this one included */
	int		 opened;	/* 1 when this message opened the ticket */
	const char	*department;	/* NULL: none */
	const char	*owner;		/* NULL: the tier owner */
	const char	*tags[RULES_TAGS_MAX];
	size_t		 tags_count;
};

enum rules_act {
	RULES_PRIORITY = 0,
	RULES_TIER,		/* tier N or tier +N */
	RULES_ESCALATE,		/* one tier up */
	RULES_DEPARTMENT,
	RULES_ASSIGN,
	RULES_TAG,
	RULES_NOTIFY,
	RULES_IGNORE,
	RULES_STOP,
	RULES_AUTHORITY		/* route-by-authority NAME */
};
const char *rules_act_name(int);

/* One change a matching rule made.  Actions that change nothing (a tag
 * already there, tier 2 on a tier-2 ticket) leave no effect; notify,
 * ignore and stop always do. */
struct rules_effect {
	size_t		 rule;		/* index of the rule */
	int		 act;		/* enum rules_act */
	int		 from, to;	/* priority or tier, before and after */
	const char	*str;		/* department, owner, tag or address;
					 * RULES_TIER by_department: the department */
	const char	*prev;		/* department or owner before; NULL none */
	int		 by_department;	/* RULES_TIER: the department's entry tier */
	/* RULES_AUTHORITY (str: the authority; from, to: the ticket's tier
	 * before and after, equal when nothing changed): the largest amount
	 * of the message in the authority's currency, in hundredths (-1:
	 * none), the lowest tier allowed to decide it (-1: no amount) and
	 * that tier's limit (-1: any). */
	int64_t		 amount;
	int		 currency;	/* rules/amount.h index */
	int		 tier;
	int64_t		 limit;
};

/* A rule that matched, and where its trace lies in the run's trace. */
struct rules_hit {
	size_t		 rule;
	size_t		 trace_start, trace_end;
};

/* Scratch and results of one rules_eval; the fields below are read-only
 * to callers, the rest is private. */
struct rules_run {
	struct rules_hit	*hits;		/* in file order */
	size_t			 hits_count;
	struct rules_effect	*effects;	/* in the order they were made */
	size_t			 effects_count;
	int			 ignored;	/* a matching rule said ignore */
	int			 stopped;	/* ... said stop: later rules did not run */
	size_t			 evaluated;	/* rules evaluated */

	/* private */
	size_t			 hits_cap, effects_cap;
	struct rules_trace	*trace;
	size_t			 trace_count, trace_cap;
	char			*fold[3];	/* text, subject, from: folded */
	size_t			 fold_len[3], fold_cap[3];
	const struct rules_msg	*msg;
};

void	rules_run_init(struct rules_run *);	/* cannot fail */
void	rules_run_release(struct rules_run *);	/* NULL-safe */

/* Runs every rule over m and t, in file order, until a rule says stop;
 * applies the actions of each rule that matches to *t.  Folds m's text
 * fields once, for all rules (only those some rule reads).  Returns 0, or
 * -1 out of memory (ERR_NOMEM; *t may be partly changed). */
int	rules_eval(const struct rules *, const struct rules_msg *m,
	    struct rules_ticket *t, struct rules_run *run, struct err *);

/* Appends the members of a JSON object that say why hit number i of run
 * matched -- "rule" first, then the value of each test that made it true,
 * e.g. "rule":"public anger","public":true,"sentiment":-0.7212 -- without
 * the braces.  Call before the next rules_eval with the same run and m. */
int	rules_explain(const struct rules *, const struct rules_run *, size_t i,
	    struct buf *out, struct err *);

/* The actions of rule i as written, "priority urgent, tier 2", into out;
 * returns out. */
const char *rules_actions_text(const struct rules *, size_t i, char *out,
	    size_t len);

/* Writes the compiled program to f, one rule a line, conditions as
 * S-expressions with phrases folded: for tests and debugging.
 *   rule "billing": (has-any text " invoice " " refund ") -> department billing */
void	rules_dump(const struct rules *, FILE *f);

/* The folded form `has` compares: lowercase, Latin accents removed (é->e,
 * ß->ss), apostrophes dropped (don't->dont), every run of other
 * characters that are not letters or digits made one space, with a space
 * before and after, so " charged twice " is a phrase on word boundaries.
 * Writes at most len + 3 bytes for len bytes of input (out needs that
 * room) and a NUL; returns the length. */
size_t	rules_fold(const char *s, size_t len, char *out);

/* Appends s as the inside of a JSON string (escaped, invalid UTF-8 bytes
 * as U+FFFD) to out; at most max bytes of s are taken ("..." marks a cut). */
int	rules_json_str(struct buf *out, const char *s, size_t max, struct err *);
/* Appends v with at most four decimals, no trailing zeros, no "-0". */
int	rules_json_num(struct buf *out, double v, struct err *);

#endif
