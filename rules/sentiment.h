/* sentiment.h -- lexicon-and-heuristics sentiment scoring in the manner of
 * VADER (Hutto & Gilbert, ICWSM 2014), and the detector of explicit
 * requests to escalate ("I want to speak to a manager").
 *
 * struct sentiment is opaque: the valence lexicon, loaded once from a data
 * file (data/lexicon.tsv, installed as PKGDATADIR/lexicon.tsv) into a hash
 * table, with the negators and boosters compiled in.  It is read-only
 * after sentiment_load but for the other languages' lexicons, each read
 * once at its first use and published atomically, so one struct may be
 * shared by threads.  Scoring
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

/* Languages a struct sentiment scores besides English, at most. */
#define SENTIMENT_LANGS_MAX	16

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
	char		 lang[12];	/* the text's language: the tag given
					 * or the guess ("en", "de", "ja",
					 * "und-Cyrl" for a script alone);
					 * "" without a lexicon */
	int		 lang_scored;	/* 1: scored with a lexicon of lang;
					 * 0: none for it, compound 0 */
};

/* Loads the lexicon at path: lines "term<TAB>valence[<TAB>negated]", '#'
 * comments, later lines overriding earlier ones.  A term with spaces is a
 * phrase matched as a unit, longest first; "negated" is the valence to use
 * when the term is negated instead of valence * SENTIMENT_N_SCALAR (so
 * "work" can be 0 on its own and -1.8 in "doesn't work").  On error *out
 * is NULL and e names the file and line.  Caller frees with sentiment_free. */
int	sentiment_load(const char *path, struct sentiment **out /* OUT */,
	    struct err *e);
/* Adds the lexicon of another language, lang ("de": 2 or 3 lowercase
 * letters), from path: the format of sentiment_load, whose second field
 * may also be a role -- "negation", "booster", "dampener", "contrast"
 * (the language's "but"), "final-negation" (a negation that, ending a
 * clause, negates the word before it: German "lädt ... nicht") or
 * "final-particle" (a word that may follow it there: "mehr") -- as the
 * English lists are compiled in.  Its
 * single words also stand for the forms its suffix rule makes (listed in
 * sentiment.c: German "schlecht" for "schlechte", "schlechten"...), and
 * the emoticons and emoji of s's lexicon are added to it. */
int	sentiment_load_lang(struct sentiment *s, const char *lang,
	    const char *path, struct err *e);
/* Loads $ESCALATOR_LEXICON if set, else PKGDATADIR "/lexicon.tsv"; if
 * neither exists the error (ERR_NOINPUT) names every path tried.  Then
 * names every "lexicon-LANG.tsv" beside it, to be read when a first text
 * is tagged or guessed to be in LANG (most mail is English: reading the
 * files costs as much as scoring a few hundred mails).  A file that is
 * found broken then leaves its language unscored, as one without a
 * lexicon; sentiment_load_langs says what is wrong. */
int	sentiment_load_default(struct sentiment **out /* OUT */, struct err *e);
/* Reads now every language's file that sentiment_load_default named;
 * -1 with the first broken one's file and line in e. */
int	sentiment_load_langs(const struct sentiment *, struct err *e);
void	sentiment_free(struct sentiment *);		/* NULL-safe */
/* Number of lexicon entries (words, phrases, emoticons, emoji). */
size_t	sentiment_size(const struct sentiment *);

/* Scores len bytes of UTF-8 text (NULs allowed, no terminator needed)
 * with the lexicon of its language, guessed from its words
 * (sentiment_guess).  Cannot fail. */
void	sentiment_score(const struct sentiment *, const char *text, size_t len,
	    struct sentiment_result *out /* OUT */);
/* sentiment_score, in the language of tag when it names one (BCP 47,
 * "de-AT", or a list "de, en" whose first counts), as social posts say;
 * NULL, "" or "und": guessed. */
void	sentiment_score_lang(const struct sentiment *, const char *text,
	    size_t len, const char *tag, struct sentiment_result *out /* OUT */);
/* The language of a text guessed from its first words (at most 300):
 * "en", "de", "fr", "es", "nl", "it", "pt" by counts of their commonest
 * words (articles, pronouns, "und", "pas", "muy"...), "ja", "ko", "zh",
 * "el", "he", "th" or "und-" and a script code by their letters; "en"
 * when nothing tells (no words, or too few of any list).  A language
 * other than English wins only by over twice English's count, so a
 * German closing under an English mail does not turn it.  buf holds at
 * least 12 bytes; returns buf. */
const char *sentiment_guess(const char *text, size_t len, char *buf);
/* 1 if s has a lexicon for lang ("en" always). */
int	sentiment_has_lang(const struct sentiment *, const char *lang);

/* 1 if the text explicitly asks to escalate -- a manager or supervisor,
 * "escalate this", a formal complaint, a lawyer or legal action, an
 * ombudsman or regulator, some German phrasings -- else 0.  On 1, *label
 * (if not NULL) names the phrasing, e.g. "speak to a manager" (static).
 * Needs no lexicon; the phrasings are listed in sentiment.c. */
int	sentiment_asks_escalation(const char *text, size_t len,
	    const char **label /* OUT, may be NULL */);

#endif
