/* sentiment.h -- lexicon-and-heuristics sentiment scoring in the manner of
 * VADER (Hutto & Gilbert, ICWSM 2014), and the detector of explicit
 * requests to escalate ("I want to speak to a manager").
 *
 * struct sentiment is opaque: the valence lexicon, loaded once from a data
 * file (data/lexicon.tsv, installed as PKGDATADIR/lexicon.tsv) into a hash
 * table, with the negators and boosters compiled in.  It is read-only
 * after sentiment_load, so one struct may be shared by threads.  Scoring
 * allocates nothing and accepts text of any length; invalid UTF-8 bytes
 * are skipped and the valid rest is scored.  No I/O but the loader's. */
#ifndef ESC_SENTIMENT_H
#define ESC_SENTIMENT_H

#include <stddef.h>

struct err;
struct sentiment;

/* Published VADER constants. */
#define SENTIMENT_B_INCR	0.293	/* booster */
#define SENTIMENT_B_DECR	(-0.293)	/* dampener */
#define SENTIMENT_C_INCR	0.733	/* ALL-CAPS word among mixed case */
#define SENTIMENT_N_SCALAR	(-0.74)	/* negation */
/* Ours: a negated negative word turns only weakly positive ("not bad"),
 * as Kiritchenko & Mohammad (2016) measured on human ratings. */
#define SENTIMENT_N_SCALAR_NEG	(-0.5)
#define SENTIMENT_ALPHA		15.0	/* normalisation: x / sqrt(x^2 + alpha) */

/* words[] keeps at most this many, the strongest, in text order. */
#define SENTIMENT_WORDS_MAX	16

struct sentiment_word {
	const char	*word;		/* lexicon key ("broken", "still waiting",
					 * ":(", an emoji); borrowed until
					 * sentiment_free */
	double		 valence;	/* after negation, boosters, caps, "but" */
};

struct sentiment_result {
	double		 compound;	/* -1 .. 1 */
	double		 pos, neg, neu;	/* proportions, summing to 1 (0 if empty) */
	size_t		 tokens;	/* words, emoticons and emoji seen */
	int		 escalation_words; /* 0: sentiment_asks_escalation would
					  * surely say 0 (no word it needs) */
	size_t		 words_total;	/* units that carried valence */
	size_t		 words_count;	/* of them in words[] */
	struct sentiment_word words[SENTIMENT_WORDS_MAX];
};

/* Loads the lexicon at path: lines "term<TAB>valence[<TAB>negated]", '#'
 * comments, later lines overriding earlier ones.  A term with spaces is a
 * phrase matched as a unit, longest first; "negated" is the valence to use
 * when the term is negated instead of valence * SENTIMENT_N_SCALAR (so
 * "work" can be 0 on its own and -1.8 in "doesn't work").  On error *out
 * is NULL and e names the file and line.  Caller frees with sentiment_free. */
int	sentiment_load(const char *path, struct sentiment **out /* OUT */,
	    struct err *e);
/* Loads $ESCALATOR_LEXICON if set, else PKGDATADIR "/lexicon.tsv"; if
 * neither exists the error (ERR_NOINPUT) names every path tried. */
int	sentiment_load_default(struct sentiment **out /* OUT */, struct err *e);
void	sentiment_free(struct sentiment *);		/* NULL-safe */
/* Number of lexicon entries (words, phrases, emoticons, emoji). */
size_t	sentiment_size(const struct sentiment *);

/* Scores len bytes of UTF-8 text (NULs allowed, no terminator needed).
 * Cannot fail. */
void	sentiment_score(const struct sentiment *, const char *text, size_t len,
	    struct sentiment_result *out /* OUT */);

/* 1 if the text explicitly asks to escalate -- a manager or supervisor,
 * "escalate this", a formal complaint, a lawyer or legal action, an
 * ombudsman or regulator, some German phrasings -- else 0.  On 1, *label
 * (if not NULL) names the phrasing, e.g. "speak to a manager" (static).
 * Needs no lexicon; the phrasings are listed in sentiment.c. */
int	sentiment_asks_escalation(const char *text, size_t len,
	    const char **label /* OUT, may be NULL */);

#endif
