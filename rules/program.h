/* program.h -- the compiled form of rules, private to rules/parse.c (which
 * builds it) and rules/eval.c (which runs it).  Other modules use
 * rules/rules.h.
 *
 * A condition is a tree of nodes in one array (children before parents,
 * referred to by index); `has` phrases and regular expressions sit in
 * arrays of their own; every string lives in the program's arena. */
#ifndef ESC_RULES_PROGRAM_H
#define ESC_RULES_PROGRAM_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "rules/rules.h"

enum rop {
	ROP_AND = 0, ROP_OR, ROP_NOT,
	ROP_PUBLIC, ROP_PRIVATE, ROP_ASKS,
	ROP_SENTIMENT, ROP_REACH, ROP_EXCHANGES, ROP_TIER, ROP_AGE,
	ROP_PRIORITY, ROP_STATUS, ROP_DEPARTMENT, ROP_CHANNEL, ROP_KIND, ROP_TAG,
	ROP_HAS_ANY, ROP_HAS_ALL, ROP_MATCH, ROP_AMOUNT
};

enum rcmp { RCMP_LT = 0, RCMP_LE, RCMP_GT, RCMP_GE, RCMP_EQ, RCMP_NE };

/* The text fields `has` and `~` look at; bit (1 << field) in needs_fold. */
enum rfield { RF_TEXT = 0, RF_SUBJECT, RF_FROM, RF_COUNT };

struct rnode {
	uint8_t		 op;		/* enum rop */
	uint8_t		 cmp;		/* enum rcmp, for comparisons */
	uint8_t		 field;		/* enum rfield, for has and ~ */
	uint8_t		 neg;		/* is not, !=, !~ */
	uint32_t	 a, b;		/* AND, OR: children; NOT: a; HAS: first
					 * phrase and count; MATCH: regex index;
					 * AMOUNT: a the currency + 1, 0 any */
	double		 num;		/* the value compared against; AMOUNT:
					 * in hundredths */
	const char	*str;		/* channel, kind, department, tag;
					 * AMOUNT: the currency's code or NULL */
};

struct rphrase {
	const char	*folded;	/* " charged twice " */
	size_t		 len;
	const char	*text;		/* as written, for explanations */
};

struct rregex {
	regex_t		 fast;		/* REG_NOSUB: the test */
	regex_t		 sub;		/* with offsets: what matched, explained */
	const char	*text;
};

struct raction {
	int		 act;		/* enum rules_act */
	int		 n;		/* priority, tier, tier steps, or the
					 * index of an authority */
	int		 relative;	/* tier +n */
	int		 entry_tier;	/* department's; -1 none */
	const char	*str;
};

/* An authority of the configuration, copied: the program runs without it.
 * Tiers increase; an authority has at most one line per tier. */
#define RULES_AUTHORITY_LINES	5	/* tiers 0 to 4 */
struct rauthority {
	const char	*name;
	int		 currency;	/* rules/amount.h index */
	int		 tier[RULES_AUTHORITY_LINES];
	int64_t		 limit[RULES_AUTHORITY_LINES];	/* hundredths; -1 any */
	size_t		 count;
};

struct rrule {
	const char	*name;
	uint32_t	 root;		/* node */
	uint32_t	 first_action, actions_count;
};

struct rules {
	struct rrule	*rule;
	size_t		 count;
	struct rnode	*node;
	size_t		 nodes;
	struct rphrase	*phrase;
	size_t		 phrases;
	struct rregex	*regex;
	size_t		 regexes;
	struct raction	*action;
	size_t		 actions;
	struct rauthority *authority;	/* the configuration's, in its order */
	size_t		 authorities;
	unsigned	 needs_fold;	/* fields some `has` reads */
	struct arena	 arena;		/* names, phrases, strings */
};

/* A leaf test evaluated while a rule was being matched: what it saw. */
struct rules_trace {
	uint32_t	 node;
	int32_t		 idx;		/* HAS: the phrase that matched; AMOUNT:
					 * the currency */
	double		 num;		/* numbers, booleans, enums */
	const char	*str;		/* strings seen (department, channel) */
};

#endif
