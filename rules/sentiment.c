/* sentiment.c -- lexicon-and-heuristics sentiment scoring in the manner of
 * VADER (Hutto & Gilbert, ICWSM 2014), and the detector of explicit
 * requests to escalate.
 *
 * Owns struct sentiment: an open-addressing hash table of lexicon entries
 * with their keys in one string pool, filled from data/lexicon.tsv and from
 * the negator, booster, function-word and trigger-word tables below,
 * read-only after sentiment_load.  The scorer is our implementation of the published
 * algorithm and constants, not a port of VADER's code; where it differs on
 * purpose it says so.
 *
 * Text is cut into tokens (words, emoticons, emoji) by a streaming
 * tokenizer and read through a small window of tokens, once: the survey
 * (counts of tokens and ALL-CAPS tokens, the first "but", '!' and '?')
 * is taken as tokens enter the window, and the units that carry valence
 * are kept, valued both ways the survey can decide, until it is complete
 * (sentiment_score says how; very long texts are read twice).  So
 * scoring allocates nothing and takes text of any length.  Invalid UTF-8
 * bytes separate tokens and are otherwise ignored.  Every token of every
 * mail passes here, so the common case has short cuts that must give
 * what the general code gives: plain ASCII words are cut eight bytes at
 * a time (tz_plain, the shortest inline: tz_short), tokens are looked up
 * inline (lex_lookup, phrases too) after a bit set of hashes rules most
 * out, and tokens that carry nothing skip the unit machinery: the
 * scorer's window reads only what it is asked for (win_read), and when it
 * holds nothing ahead, units_skip reads on and lets such tokens go,
 * counted -- most without a struct tok, cut, looked up and counted from
 * eight or sixteen bytes at a time (skip_short).
 * The detector finds its first trigger word from the bytes, tokenizing
 * only the chunks where one may be (esc_skip), tests trigger words by
 * first and last byte and length before hashing them, and starts its
 * window shortly before the first; there it tries a pattern only where a
 * trigger word of its own lies at the distance the pattern allows
 * (esc_keys_build), and stops once esc_skip finds no trigger word
 * left.
 *
 * On purpose unlike VADER: phrases of the lexicon (idioms, "still
 * waiting") are matched as units, longest first, instead of VADER's
 * special-case table; a lexicon entry may say what it means negated ("no
 * refund", "doesn't work"); emoticons and emoji are scored as they are,
 * never negated or boosted ("nothing works :(" stays negative); "hardly"
 * negates; punctuation-only tokens are dropped; emoji are scored from the
 * lexicon rather than from their names; in a short English text, praise
 * standing as an exclamation or frame around a negative support fact, or
 * closing the text after one, is sarcasm and turned ("Great, another
 * outage", "Charged twice. Great job, guys.": sarcastic()); a
 * complaint ending "but thanks (anyway)" is not turned by its "but"
 * (courtesy_weigh); in German and Dutch a negation ending a clause
 * negates the verb before it (final_negation), and a separable verb's
 * particle ending it makes a phrase with the verb (separable).
 *
 * Limits: a token longer than 63 bytes matches nothing; phrases have at
 * most 6 words; "but" shifts weight around its first occurrence only; the
 * lexicon is English, so other languages score near 0 (or wrongly, where
 * a word is also English: German "die"). */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/err.h"
#include "common/utf8.h"
#include "rules/sentiment.h"

#ifndef PKGDATADIR
#define PKGDATADIR	"/usr/local/share/escalator"
#endif

#define KEY_MAX		64	/* bytes of a folded token with its NUL */
#define PHRASE_MAX	6	/* words in a phrase */
#define PHRASE_KEY_MAX	(PHRASE_MAX * KEY_MAX)
#define WIN		64	/* tokens in a window; a power of two */
#define WIN_BEHIND	4	/* tokens kept behind the current one */
#define LINE_MAX_LEN	4096	/* longest lexicon line */

/* ---- characters ---------------------------------------------------- */

enum cc {
	CC_SPACE,	/* separates chunks; invalid bytes too */
	CC_WORD,	/* letters, digits, any script */
	CC_MARK,	/* combining accents: part of a word, dropped from keys */
	CC_APOS,	/* ' and U+2019: inside a word ("don't") */
	CC_HYPHEN,	/* inside a word ("rip-off") */
	CC_PUNCT,
	CC_EMOJI,	/* a token of its own */
	CC_IGNORE	/* variation selectors, ZWJ, skin tones: skipped */
};

/* Decodes the code point at p (p < end), setting *n to its length; an
 * invalid, overlong or truncated sequence is -1 with *n = 1. */
static int32_t
utf8_decode(const unsigned char *p, const unsigned char *end, size_t *n)
{
	uint32_t cp;
	size_t len, i;

	if (p[0] < 0x80) {
		*n = 1;
		return p[0];
	}
	if (p[0] < 0xC2)
		goto bad;
	else if (p[0] < 0xE0) {
		len = 2;
		cp = p[0] & 0x1F;
	} else if (p[0] < 0xF0) {
		len = 3;
		cp = p[0] & 0x0F;
	} else if (p[0] < 0xF5) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		goto bad;
	if ((size_t)(end - p) < len)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			goto bad;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 ||
	    cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad;
	*n = len;
	return (int32_t)cp;
bad:
	*n = 1;
	return -1;
}

static enum cc
cc_class(int32_t c)
{
	if (c < 0)
		return CC_SPACE;
	if (c < 0x80) {
		if (c <= 0x20 || c == 0x7F)
			return CC_SPACE;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			return CC_WORD;
		if (c == '\'')
			return CC_APOS;
		if (c == '-')
			return CC_HYPHEN;
		return CC_PUNCT;
	}
	if (c < 0xC0) {
		if (c < 0xA1 || c == 0x85)
			return CC_SPACE;	/* C1 controls, no-break space */
		if (c == 0xAA || c == 0xB5 || c == 0xBA)
			return CC_WORD;
		if (c == 0xAD)
			return CC_IGNORE;	/* soft hyphen */
		return CC_PUNCT;
	}
	if (c == 0xD7 || c == 0xF7)
		return CC_PUNCT;
	if (c < 0x2000) {
		if (c >= 0x300 && c <= 0x36F)
			return CC_MARK;
		if (c == 0x2BC)
			return CC_APOS;
		if (c == 0x1680)
			return CC_SPACE;
		return CC_WORD;
	}
	if (c <= 0x206F) {			/* general punctuation */
		if (c <= 0x200B || c == 0x2028 || c == 0x2029 ||
		    c == 0x202F || c == 0x205F)
			return CC_SPACE;
		if (c == 0x200C || c == 0x200D || (c >= 0x2060 && c <= 0x2064))
			return CC_IGNORE;
		if (c == 0x2019)
			return CC_APOS;
		if (c == 0x2010 || c == 0x2011)
			return CC_HYPHEN;
		return CC_PUNCT;
	}
	if (c >= 0x20D0 && c <= 0x20FF)
		return CC_IGNORE;		/* marks for symbols, keycap */
	if (c >= 0x2100 && c <= 0x2BFF) {
		if ((c >= 0x2300 && c <= 0x23FF) || (c >= 0x2600 && c <= 0x27BF) ||
		    c >= 0x2B00)
			return CC_EMOJI;
		return CC_PUNCT;		/* letterlike, arrows, maths, boxes */
	}
	if (c >= 0x2E00 && c <= 0x2E7F)
		return CC_PUNCT;
	if (c == 0x3000 || c == 0xFEFF)
		return CC_SPACE;
	if (c >= 0x3001 && c <= 0x303F)
		return (c == 0x3030 || c == 0x303D) ? CC_EMOJI : CC_PUNCT;
	if (c >= 0xE000 && c <= 0xF8FF)
		return CC_PUNCT;		/* private use */
	if (c >= 0xFE00 && c <= 0xFE0F)
		return CC_IGNORE;
	if ((c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
	    (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65))
		return CC_PUNCT;
	if (c >= 0x1F3FB && c <= 0x1F3FF)
		return CC_IGNORE;		/* skin tones */
	if (c >= 0x1F000 && c <= 0x1FAFF)
		return CC_EMOJI;
	if (c >= 0xE0000 && c <= 0xE007F)
		return CC_IGNORE;		/* tags */
	return CC_WORD;
}

/* cc_class of the ASCII characters. */
static const unsigned char ascii_cc[128] = {
	CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE,
	CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE,
	CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE,
	CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE, CC_SPACE,
	CC_SPACE, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_APOS,
	CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_HYPHEN, CC_PUNCT, CC_PUNCT,
	CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD,
	CC_WORD, CC_WORD, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT,
	CC_PUNCT, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD,
	CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD,
	CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD,
	CC_WORD, CC_WORD, CC_WORD, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT,
	CC_PUNCT, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD,
	CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD,
	CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD, CC_WORD,
	CC_WORD, CC_WORD, CC_WORD, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_SPACE,
};

/* Past the ASCII white space and controls at q, up to end: the gaps
 * between tokens, skipped without decoding (a byte from 0x80 on is never
 * skipped here: Unicode spaces go through cp_next). */
static inline const unsigned char *
space_skip(const unsigned char *q, const unsigned char *end)
{
	while (q < end && *q < 0x80 && ascii_cc[*q] == CC_SPACE)
		q++;
	return q;
}

/* The code point at p (p < end) and its class; ASCII by table. */
static inline int32_t
cp_next(const unsigned char *p, const unsigned char *end, size_t *n,
    enum cc *cls)
{
	int32_t c;

	if (*p < 0x80) {
		*n = 1;
		*cls = (enum cc)ascii_cc[*p];
		return *p;
	}
	c = utf8_decode(p, end, n);
	*cls = cc_class(c);
	return c;
}

/* Latin-1 letters U+00C0..U+00FF without accents, lowercased. */
static const char latin1_fold[64][3] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};
/* Latin Extended-A, U+0100..U+017F; '*' are the ligatures ij and oe. */
static const char latin_exta_fold[] =
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "ii**jjkkklllllll"
	"lllnnnnnnnnnoooo" "oo**rrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

/* 1 for a capital letter, 2 for a small one, 0 otherwise (scripts
 * beyond Latin, Greek and Cyrillic count as uncased). */
static int
cp_case(int32_t c)
{
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') ? 1 : (c >= 'a' && c <= 'z') ? 2 : 0;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return 1;
	if (c >= 0xDF && c <= 0xFF && c != 0xF7)
		return 2;
	if (c >= 0x100 && c <= 0x17F) {
		if (c <= 0x137 || (c >= 0x14A && c <= 0x177))
			return (c & 1) ? 2 : 1;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? 1 : 2;
		return c == 0x178 ? 1 : 2;
	}
	if ((c >= 0x391 && c <= 0x3A9) || (c >= 0x400 && c <= 0x42F))
		return 1;
	if ((c >= 0x3B1 && c <= 0x3C9) || (c >= 0x430 && c <= 0x45F))
		return 2;
	return 0;
}

/* Appends the folded form of c (lowercase, Latin accents off) to key,
 * which holds *len bytes of at most KEY_MAX - 1, unterminated; returns -1
 * when full. */
static inline int
fold_put(int32_t c, char *key, size_t *len)
{
	char tmp[4];
	const char *s = tmp;
	size_t n;

	if (c < 0x80) {
		if (*len + 1 >= KEY_MAX)
			return -1;
		key[(*len)++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		return 0;
	}
	if (c >= 0xC0 && c <= 0xFF && c != 0xD7 && c != 0xF7) {
		s = latin1_fold[c - 0xC0];
		n = strlen(s);
	} else if (c >= 0x100 && c <= 0x17F) {
		tmp[0] = latin_exta_fold[c - 0x100];
		n = 1;
		if (tmp[0] == '*') {
			s = (c == 0x132 || c == 0x133) ? "ij" : "oe";
			n = 2;
		}
	} else if (c == 0x2019 || c == 0x2BC) {
		tmp[0] = '\'';
		n = 1;
	} else if (c == 0x2010 || c == 0x2011) {
		tmp[0] = '-';
		n = 1;
	} else {
		if ((c >= 0x391 && c <= 0x3A9) || (c >= 0x410 && c <= 0x42F))
			c += 0x20;
		else if (c >= 0x400 && c <= 0x40F)
			c += 0x50;
		n = utf8_put((uint32_t)c, tmp);
	}
	if (*len + n >= KEY_MAX)
		return -1;
	memcpy(key + *len, s, n);
	*len += n;
	return 0;
}

/* ---- the lexicon --------------------------------------------------- */

enum {
	LEX_VALENCE	= 1 << 0,	/* a sentiment word: valence is set */
	LEX_NEGATED	= 1 << 1,	/* negated holds the valence when negated */
	LEX_BOOSTER	= 1 << 2,	/* a degree adverb: booster is set */
	LEX_NEGATOR	= 1 << 3,
	LEX_EMOTICON	= 1 << 4,	/* matched as a whole chunk */
	LEX_PHRASE	= 1 << 5,
	LEX_TRIGGER	= 1 << 6,	/* one of esc_triggers[]: the scorer's
					 * lookup tells the detector's survey */
	LEX_PREFIX	= 1 << 7	/* a phrase, or its first words (two or
					 * more) */
};

/* Function words the rules look at. */
enum special {
	SP_NONE, SP_BUT, SP_LEAST, SP_AT, SP_VERY, SP_NEVER, SP_SO, SP_THIS,
	SP_WITHOUT, SP_DOUBT, SP_NO, SP_OR, SP_NOR,
	SP_FINAL_NEG,	/* a negation that may end a clause ("nicht") */
	SP_FINAL_PART,	/* a word that may stand between it and the end
			 * ("mehr", the "an" of "kommt ... nicht an") */
	/* sarcasm (score_text): the words sarcasm_note looks at, last */
	SP_GUSH,	/* praise that may be an exclamation ("Great, ...") */
	SP_FRAME,	/* a frame of praise ("love how"), or a set phrase
			 * of sarcasm ("yeah right") */
	SP_YEAH,	/* "yeah", maybe "yeah, sure"; "yeah right" */
	SP_FACT,	/* a negative support fact ("outage", "charged
			 * twice") */
	SP_FIXED,	/* a fact reported resolved ("working again") */
	SP_GONE		/* the same, right after the fact ("the bug is
			 * gone"); after anything else a loss ("my money is
			 * gone") */
};

struct lex_entry {
	uint32_t	 hash;
	uint32_t	 key;		/* offset in pool; 0: an empty slot */
	uint16_t	 keylen;
	uint8_t		 flags;
	uint8_t		 phrase_max;	/* words of the longest phrase it starts */
	uint8_t		 special;
	uint8_t		 derived;	/* valence set by the suffix rule of its
					 * language, which a line of the file
					 * overrides and never the other way */
	float		 valence, negated, booster;
};

/* The probe sequence reads tag[], 2 bytes a slot (LEX_TAG of the hash,
 * 0: empty), and looks at slot[] only on a tag match: most tokens of a
 * mail ("the", "order") are not in the lexicon, and their lookup then
 * stays within one cache line of an array of 32 KB for the shipped
 * lexicon (a load of at most 3/4) -- small enough to stay in cache while
 * SQLite's pages stream through it -- instead of the 28-byte entries. */
#define LEX_TAG(h)	((uint16_t)(((h) >> 16) | 1))

/* One bit per value of 17 bits of a key's hash, set for every key added
 * (lex_add, the only way in): a clear bit proves a key absent without
 * the probe, which for a miss reads a few slots of tag[] (a load of 1/2
 * for the shipped lexicon) -- and most lookups miss.  16 KB; with the
 * shipped lexicon about one miss in sixteen finds its bit set by another
 * key and probes as before. */
#define LEX_FILTER_BITS	(1u << 17)
#define LEX_FILTER_BIT(h)	(((h) >> 15) & (LEX_FILTER_BITS - 1))

/* One bit per value of 16 bits mixed from the hashes of two words, set
 * for the first two words of every key with a space (lex_add): a clear
 * bit proves that no key starts with those two words, so a phrase's
 * first word followed by another is let go without making and hashing
 * the two-word key (skip_short). */
#define LEX_PAIR_BITS	(1u << 16)

static inline uint32_t
lex_pair_bit(uint32_t h1, uint32_t h2)
{
	return ((h1 * 0x85EBCA6Bu) ^ h2) >> 16;
}

struct sentiment {
	struct lex_entry *slot;
	uint16_t	*tag;		/* parallel to slot */
	size_t		 cap, used;	/* cap: a power of two */
	size_t		 size;		/* entries with a valence */
	char		*pool;		/* NUL-terminated keys; byte 0 unused */
	size_t		 pool_len, pool_cap;
	size_t		 emo_max;	/* bytes of the longest emoticon */
	unsigned char	 emo_first[32], emo_last[32];	/* bit sets: first and
					 * last bytes of emoticon keys */
	uint64_t	 filter[LEX_FILTER_BITS / 64];	/* LEX_FILTER_BIT of
					 * every key */
	uint64_t	 pairs[LEX_PAIR_BITS / 64];	/* lex_pair_bit of the
					 * first two words of keys */
	char		 lang[4];	/* "en": the language of its words */
	const struct inflection *inflect;	/* its suffix rules, or NULL */
	int		 negfinal;	/* has SP_FINAL_NEG words: a negation
					 * ending a clause reaches back
					 * (German, Dutch: "lädt nicht") */
	int		 concord;	/* negations agree rather than cancel
					 * (French, Spanish, Italian,
					 * Portuguese: "no ... nada") */
	/* the English table only: the other languages' tables, owned */
	struct lang_lex	*langs;		/* SENTIMENT_LANGS_MAX of them */
	size_t		 langs_count;
};

/* Another language's table.  sentiment_load_default only names the file
 * (most mail is English, and reading a file costs as much as scoring a
 * few hundred mails): it is read when a first text needs it, and
 * published once, so that threads sharing the English table may race to
 * read it (the loser frees its copy).  A file found broken then leaves
 * the language unscored; sentiment_load_langs reads every file now and
 * says what is wrong. */
struct lang_lex {
	char		 lang[4];
	char		*path;		/* owned */
	_Atomic(struct sentiment *) lex;	/* NULL until read */
	atomic_int	 broken;	/* the file did not load */
};

/* A key longer than eight bytes, eight bytes at a time, each word mixed
 * by a multiply-xorshift (the constants of splitmix64): FNV-1a's multiply
 * per byte is a chain as long as the key, and every token of every mail
 * is hashed.  The last word is padded with zeros. */
static inline uint64_t
hash_mix(uint64_t h, const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	h = (h ^ w) * 0xBF58476D1CE4E5B9u;
	return h ^ (h >> 31);
}

static inline uint32_t
hash_end(uint64_t h)
{
	h *= 0x94D049BB133111EBu;
	return (uint32_t)(h ^ (h >> 32)) | 1;
}

/* A key of at most eight bytes, zero-padded (most words): one multiply
 * instead of hash_mix and hash_end's two.  A product's bit depends only
 * on the bits below it, so the shift first folds the last bytes onto the
 * first ones: the low bits of the result (the slot) then depend on the
 * whole word too.  The key's zeros tell its length. */
static inline uint32_t
hash_word(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return (uint32_t)(((w ^ (w >> 29)) * 0xBF58476D1CE4E5B9u) >> 32) | 1;
}

static uint32_t
lex_hash(const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	unsigned char tail[8] = { 0 };
	uint64_t h = 0x9E3779B97F4A7C15u ^ len;
	size_t i;

	if (len <= 8) {
		for (i = 0; i < len; i++)
			tail[i] = p[i];
		return hash_word(tail);
	}
	for (; len >= 8; p += 8, len -= 8)
		h = hash_mix(h, p);
	if (len > 0) {
		for (i = 0; i < len; i++)
			tail[i] = p[i];
		h = hash_mix(h, tail);
	}
	return hash_end(h);
}

/* lex_hash of a key whose bytes from len up to the next multiple of 8
 * are readable zeros (a token's key, padded by win_at). */
static inline uint32_t
lex_hash_padded(const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 0x9E3779B97F4A7C15u ^ len;
	size_t i;

	if (len <= 8)
		return hash_word(p);
	for (i = 0; i < len; i += 8)
		h = hash_mix(h, p + i);
	return hash_end(h);
}

static const struct lex_entry *
lex_probe(const struct sentiment *s, uint32_t h, const char *key, size_t len)
{
	size_t i, mask = s->cap - 1;

	uint16_t tag = LEX_TAG(h);

	for (i = h & mask; s->tag[i] != 0; i = (i + 1) & mask) {
		const struct lex_entry *le;

		if (s->tag[i] != tag)
			continue;
		le = &s->slot[i];
		if (le->hash == h && le->keylen == len &&
		    memcmp(s->pool + le->key, key, len) == 0)
			return le;
	}
	return NULL;
}

/* lex_probe for a key zero-padded as for lex_hash_padded, inline: every
 * token is looked up.  Keys in the pool are padded the same way (lex_add),
 * so keys compare eight bytes at a time, without a call to memcmp.  The
 * key's hash in *hp (lex_hash's), for lex_pair_bit. */
static inline const struct lex_entry *
lex_lookup_hash(const struct sentiment *s, const char *key, size_t len,
    uint32_t *hp)
{
	const struct lex_entry *le;
	size_t i, k, mask = s->cap - 1;
	uint32_t h;
	uint16_t tag, tg;

	h = lex_hash_padded(key, len);
	*hp = h;
	k = LEX_FILTER_BIT(h);
	if (((s->filter[k / 64] >> (k % 64)) & 1) == 0)
		return NULL;
	tag = LEX_TAG(h);
	for (i = h & mask; (tg = s->tag[i]) != 0; i = (i + 1) & mask) {
		if (tg != tag)
			continue;
		le = &s->slot[i];
		if (le->hash != h || le->keylen != len)
			continue;
		for (k = 0; k < len; k += 8) {
			uint64_t a, b;

			memcpy(&a, s->pool + le->key + k, 8);
			memcpy(&b, key + k, 8);
			if (a != b)
				break;
		}
		if (k >= len)
			return le;
	}
	return NULL;
}

static inline const struct lex_entry *
lex_lookup(const struct sentiment *s, const char *key, size_t len)
{
	uint32_t h;

	return lex_lookup_hash(s, key, len, &h);
}

static const struct lex_entry *
lex_find(const struct sentiment *s, const char *key, size_t len)
{
	return lex_probe(s, lex_hash(key, len), key, len);
}

static int
lex_grow(struct sentiment *s)
{
	struct lex_entry *old = s->slot, *ns;
	uint16_t *nt;
	size_t i, j, ncap = s->cap ? s->cap * 2 : 1024, mask = ncap - 1;

	if ((ns = calloc(ncap, sizeof(*ns))) == NULL)
		return -1;
	if ((nt = calloc(ncap, sizeof(*nt))) == NULL) {
		free(ns);
		return -1;
	}
	for (i = 0; i < s->cap; i++) {
		if (old[i].key == 0)
			continue;
		for (j = old[i].hash & mask; nt[j] != 0; j = (j + 1) & mask)
			;
		ns[j] = old[i];
		nt[j] = LEX_TAG(old[i].hash);
	}
	free(old);
	free(s->tag);
	s->slot = ns;
	s->tag = nt;
	s->cap = ncap;
	return 0;
}

/* The entry for key, added empty if absent; NULL when out of memory.
 * The pointer is good until the next lex_add. */
static struct lex_entry *
lex_add(struct sentiment *s, const char *key, size_t len)
{
	struct lex_entry *le;
	uint32_t h = lex_hash(key, len);
	size_t i, mask, padded;
	const char *sp;

	if ((le = (struct lex_entry *)lex_find(s, key, len)) != NULL)
		return le;
	if ((s->used + 1) * 4 > s->cap * 3 && lex_grow(s) == -1)
		return NULL;
	/* the key, its NUL and zeros up to a multiple of 8 bytes: lex_lookup
	 * reads keys eight bytes at a time */
	padded = (len + 1 + 7) & ~(size_t)7;
	if (s->pool_len + padded > s->pool_cap) {
		size_t ncap = s->pool_cap ? s->pool_cap * 2 : 65536;
		char *np;

		while (s->pool_len + padded > ncap)
			ncap *= 2;
		if (ncap > UINT32_MAX || (np = realloc(s->pool, ncap)) == NULL)
			return NULL;
		s->pool = np;
		s->pool_cap = ncap;
		if (s->pool_len == 0)
			s->pool[s->pool_len++] = '\0';	/* offset 0 means empty */
	}
	mask = s->cap - 1;
	for (i = h & mask; s->tag[i] != 0; i = (i + 1) & mask)
		;
	le = &s->slot[i];
	memset(le, 0, sizeof(*le));
	le->hash = h;
	s->tag[i] = LEX_TAG(h);
	s->filter[LEX_FILTER_BIT(h) / 64] |=
	    (uint64_t)1 << (LEX_FILTER_BIT(h) % 64);
	if ((sp = memchr(key, ' ', len)) != NULL) {
		size_t n1 = (size_t)(sp - key), n2;
		const char *sp2 = memchr(sp + 1, ' ', len - n1 - 1);
		uint32_t pb;

		n2 = (sp2 != NULL ? (size_t)(sp2 - key) : len) - n1 - 1;
		pb = lex_pair_bit(lex_hash(key, n1), lex_hash(sp + 1, n2));
		s->pairs[pb / 64] |= (uint64_t)1 << (pb % 64);
	}
	le->key = (uint32_t)s->pool_len;
	le->keylen = (uint16_t)len;
	memset(s->pool + s->pool_len, 0, padded);
	memcpy(s->pool + s->pool_len, key, len);
	s->pool_len += padded;
	s->used++;
	return le;
}

/* ---- tokens -------------------------------------------------------- */

struct tok {
	size_t		 off, len;	/* bytes of the text it covers */
	const struct lex_entry *e;	/* its lexicon entry, or NULL */
	unsigned char	 keylen;
	unsigned char	 upper;		/* has letters, all capitals */
	unsigned char	 brk;		/* punctuation before it: BRK_COMMA,
					 * BRK_STOP, or both */
	unsigned char	 ovf;		/* key too long: matches nothing */
	unsigned char	 emo;		/* an emoticon or emoji */
	char		 key[KEY_MAX + 8];	/* folded; zero-padded for
						 * lex_hash_padded */
};

struct tokenizer {
	const unsigned char	*text, *p, *end;
	const unsigned char	*chunk_end;	/* NULL between chunks */
	const struct sentiment	*lex;		/* NULL: no emoticons */
	int			 brk;
};

static void
tz_init(struct tokenizer *tz, const char *text, size_t len,
    const struct sentiment *lex)
{
	tz->text = tz->p = (const unsigned char *)text;
	tz->end = tz->text + len;
	tz->chunk_end = NULL;
	tz->lex = lex;
	tz->brk = 0;
}

static void
tok_start(struct tokenizer *tz, struct tok *t, const unsigned char *s)
{
	t->off = (size_t)(s - tz->text);
	t->len = 0;
	t->e = NULL;
	t->keylen = 0;
	t->upper = t->ovf = t->emo = 0;
	t->brk = (unsigned char)tz->brk;
	t->key[0] = '\0';
	tz->brk = 0;
}

/* Folds [s, e) whole, punctuation included (emoticons); 0 if too long. */
static int
fold_span(const unsigned char *s, const unsigned char *e, char *key, size_t *len)
{
	size_t n;
	int32_t c;
	enum cc cls;

	*len = 0;
	key[0] = '\0';
	for (; s < e; s += n) {
		c = cp_next(s, e, &n, &cls);
		if (c < 0)
			return 0;
		if (cls == CC_IGNORE || cls == CC_MARK)
			continue;
		if (fold_put(c, key, len) == -1)
			return 0;
	}
	key[*len] = '\0';
	return *len > 0;
}

static inline int
emo_has(const unsigned char *set, unsigned char c)
{
	return (set[c >> 3] >> (c & 7)) & 1;
}

static inline unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* strchr(".,!?;\"", c) without the call; a chunk never holds a NUL. */
static inline int
sentence_end(unsigned char c)
{
	return c == '.' || c == ',' || c == '!' || c == '?' || c == ';' || c == '"';
}

/* An emoticon of the lexicon spanning [s, e), or [s, e) less trailing
 * sentence punctuation ("<3!"): fills t and returns its end, else NULL.
 * punct: 1 when [s, e) is known to hold ASCII punctuation. */
static const unsigned char *
tz_emoticon(struct tokenizer *tz, const unsigned char *s,
    const unsigned char *e, struct tok *t, int punct)
{
	const struct sentiment *lex = tz->lex;
	const struct lex_entry *le;
	const unsigned char *q;
	size_t len;
	int pass;

	if (!punct) {
		for (q = s; q < e; q++)
			if (*q < 0x80 && ascii_cc[*q] == CC_PUNCT)
				break;
		if (q == e)
			return NULL;
	}
	/* No emoticon starts with this folded ASCII byte ("word," "word.") */
	if (*s < 0x80 && !emo_has(lex->emo_first, ascii_lower(*s)))
		return NULL;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			q = e;
			while (q > s && sentence_end(q[-1]))
				q--;
			if (q == e || q - s < 2)
				return NULL;
			e = q;
		}
		if ((size_t)(e - s) > lex->emo_max ||
		    (e[-1] < 0x80 && !emo_has(lex->emo_last, ascii_lower(e[-1]))) ||
		    !fold_span(s, e, t->key, &len))
			continue;
		le = lex_find(tz->lex, t->key, len);
		if (le != NULL && (le->flags & LEX_EMOTICON)) {
			tok_start(tz, t, s);
			fold_span(s, e, t->key, &len);
			t->keylen = (unsigned char)len;
			t->len = (size_t)(e - s);
			t->emo = 1;
			t->e = le;
			return e;
		}
	}
	return NULL;
}

/* 1 if tz_emoticon would find an emoticon in [s, e), all ASCII without
 * space, from its second test on: the same tests in the same order,
 * with fold_span's result for ASCII (small letters, at most KEY_MAX - 1
 * bytes) made inline and the entry found by lex_lookup (the same hash,
 * the same entry).  Cheaper than tz_emoticon and the long way after it,
 * for the many words with a comma or full stop after them whose first
 * letter also starts an emoticon ("data," "order."). */
static int
emo_ascii(const struct sentiment *lex, const unsigned char *s,
    const unsigned char *e)
{
	const struct lex_entry *le;
	const unsigned char *q;
	char key[KEY_MAX + 8];
	size_t len, i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			q = e;
			while (q > s && sentence_end(q[-1]))
				q--;
			if (q == e || q - s < 2)
				return 0;
			e = q;
		}
		len = (size_t)(e - s);
		if (len > lex->emo_max || len >= KEY_MAX ||
		    !emo_has(lex->emo_last, ascii_lower(e[-1])))
			continue;
		for (i = 0; i < len; i++)
			key[i] = (char)ascii_lower(s[i]);
		memset(key + len, 0, 8);
		le = lex_lookup(lex, key, len);
		if (le != NULL && (le->flags & LEX_EMOTICON))
			return 1;
	}
	return 0;
}

/* A word from tz->p: letters and digits with inner ' and -. */
static int
tz_word(struct tokenizer *tz, struct tok *t)
{
	const unsigned char *q = tz->p, *ce = tz->chunk_end;
	size_t n, n2, len = 0;
	int32_t c;
	enum cc cls;
	int upper = 0, lower = 0;

	tok_start(tz, t, q);
	while (q < ce) {
		if (*q < 0x80 && ascii_cc[*q] == CC_WORD) {
			/* ASCII letters and digits: cp_case and fold_put inline */
			unsigned char b = *q++;

			if (b >= 'A' && b <= 'Z') {
				upper++;
				b += 32;
			} else if (b >= 'a')
				lower++;
			if (t->ovf)
				continue;
			if (len + 1 >= KEY_MAX)
				t->ovf = 1;
			else
				t->key[len++] = (char)b;
			continue;
		}
		c = cp_next(q, ce, &n, &cls);
		if (cls == CC_APOS || cls == CC_HYPHEN) {
			enum cc cls2;

			if (q + n >= ce || len == 0 ||
			    (cp_next(q + n, ce, &n2, &cls2), cls2) != CC_WORD)
				break;
			c = cls == CC_APOS ? '\'' : '-';
		} else if (cls == CC_MARK || cls == CC_IGNORE) {
			q += n;
			continue;
		} else if (cls != CC_WORD)
			break;
		switch (cp_case(c)) {
		case 1: upper++; break;
		case 2: lower++; break;
		default: break;
		}
		if (!t->ovf && fold_put(c, t->key, &len) == -1)
			t->ovf = 1;
		q += n;
	}
	t->len = (size_t)(q - tz->p);
	tz->p = q;
	t->key[len] = '\0';
	if (len == 0 && !t->ovf)
		return 0;			/* stray accents only */
	t->keylen = (unsigned char)len;
	t->upper = upper > 0 && lower == 0;
	return 1;
}

/* ASCII letters and digits for tz_plain: 1 a digit, 2 a small letter, 4 a
 * capital; 0 for every other byte (bytes from 0x80 on included). */
static const unsigned char word_case[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0,
	0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
};

#define SWAR_ONES	0x0101010101010101u
#define SWAR_HIGH	(SWAR_ONES * 0x80)

/* Eight bytes, the first the lowest whatever the machine's byte order:
 * one load or store where that is the order (compilers do not always
 * make one of the byte-by-byte form). */
static inline uint64_t
load_le64(const unsigned char *p)
{
	uint64_t x;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&x, p, 8);
#else
	int i;

	for (x = 0, i = 7; i >= 0; i--)
		x = x << 8 | p[i];
#endif
	return x;
}

static inline void
store_le64(char *p, uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &x, 8);
#else
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (char)(x >> (8 * i));
#endif
}

/* Eight bytes x, read by load_le64 (the first byte the lowest): bit 7 of
 * a byte of the result is set where that byte is not an ASCII letter or
 * digit.  7-bit arithmetic, so no byte carries into the next: x7 + (0x80
 * - lo) has bit 7 set iff x7 >= lo; a byte from 0x80 on is marked by its
 * own bit 7.  Every word read is classified so: the case of its letters
 * is left to swar_caps and swar_small, asked only of the word's bytes. */
static inline uint64_t
swar_word(uint64_t x)
{
	uint64_t x7 = x & ~SWAR_HIGH, y = x7 | SWAR_ONES * 0x20;
	uint64_t letter, digit;

	letter = (y + SWAR_ONES * (0x80 - 'a')) & ~(y + SWAR_ONES * (0x7F - 'z'));
	digit = (x7 + SWAR_ONES * (0x80 - '0')) & ~(x7 + SWAR_ONES * (0x7F - '9'));
	return (x | ~(letter | digit)) & SWAR_HIGH;
}

/* Of bytes that swar_word left unmarked (ASCII letters and digits), bit 7
 * set where one is a capital: bit 6 set (a letter: digits have it
 * clear) and bit 5 clear. */
static inline uint64_t
swar_caps(uint64_t x)
{
	return (x << 1) & ~(x << 2) & SWAR_HIGH;
}

/* The same for a small letter: bits 6 and 5 set. */
static inline uint64_t
swar_small(uint64_t x)
{
	return (x << 1) & (x << 2) & SWAR_HIGH;
}

/* The whole bytes before the first that swar_word marks in stop (not
 * 0): one instruction where the compiler counts trailing zeros, else a
 * multiply that adds up the bytes' flags.  Every word read is cut so. */
static inline size_t
swar_len(uint64_t stop)
{
#if defined(__GNUC__)
	return (size_t)__builtin_ctzll(stop) / 8;
#else
	uint64_t keep = (stop & -stop) - 1;

	return (size_t)((((keep >> 7) & SWAR_ONES) * SWAR_ONES) >> 56);
#endif
}

/* ".,!?;:", the punctuation tz_next takes for a sentence break, as a
 * bit set of bytes below 64 (all six are).  A comma is a break of its
 * own kind: phrases stop at every break, negations at BRK_STOP only, so
 * that "not smart, handsome, nor funny" stays negated. */
#define BRK_SET	((1ull << '.') | (1ull << ',') | (1ull << '!') | \
		 (1ull << '?') | (1ull << ';') | (1ull << ':'))
#define BRK_COMMA	1
#define BRK_STOP	2

static inline int
brk_byte(unsigned char c)
{
	return c < 64 && ((BRK_SET >> c) & 1) ? (c == ',' ? BRK_COMMA :
	    BRK_STOP) : 0;
}

/*
 * Most chunks are all ASCII: a word of letters and digits, maybe with
 * inner ' or - ("don't", "rip-off"), maybe followed by punctuation
 * ("thanks," "today.").  Then the word is the token, cut as tz_word
 * would cut it, and the punctuation after it is consumed here as the
 * generic path would consume it, unless an emoticon may start there.
 * Reads the chunk once, without cp_next per byte.  0 (nothing consumed,
 * tz unchanged) for anything else, which tz_next then reads the long way.
 * Called after tz_short, whose case it does not test again.
 */
static int
tz_plain(struct tokenizer *tz, struct tok *t)
{
	const unsigned char *s = tz->p, *q, *end = tz->end, *r;
	const struct sentiment *lex = tz->lex;
	size_t len, avail, i;
	int cases = 0, k, punct = 0, brk = 0;	/* cases: word_case bits */

	if (word_case[*s] == 0)
		return 0;
	/* Eight bytes at a time while eight are left (swar_word), else byte
	 * by byte.  b | 0x20 is the small letter of a capital and leaves
	 * digits, small letters, ' and - as they are: the folded byte.
	 * Every byte is one byte of the key, key[i] for s[i]; the first
	 * KEY_MAX - 1 are kept (stores from i < KEY_MAX - 1 stay within
	 * key[KEY_MAX + 8]; what lies past the key is overwritten below). */
	avail = (size_t)(end - s);
	for (i = 0;;) {
		if (avail - i >= 8) {
			uint64_t x, cap, small, stop;
			size_t nb;

			x = load_le64(s + i);
			stop = swar_word(x);
			cap = swar_caps(x);
			small = swar_small(x);
			if (i < KEY_MAX - 1) {
				uint64_t folded = x | SWAR_ONES * 0x20;

				store_le64(t->key + i, folded);
			}
			if (stop == 0) {
				cases |= (cap != 0) << 2 | (small != 0) << 1;
				i += 8;
				continue;
			}
			nb = swar_len(stop);
			stop = (stop & -stop) - 1;	/* the bytes before the
							 * first that stops */
			cases |= (cap & stop) != 0 ? 4 : 0;
			cases |= (small & stop) != 0 ? 2 : 0;
			i += nb;
		} else {
			for (; i < avail && (k = word_case[s[i]]) != 0; i++) {
				cases |= k;
				if (i < KEY_MAX - 1)
					t->key[i] = (char)(s[i] | 0x20);
			}
		}
		/* an inner ' or - joins two runs, as in tz_word */
		if (i + 1 < avail && (s[i] == '\'' || s[i] == '-') &&
		    word_case[s[i + 1]] != 0) {
			if (i < KEY_MAX - 1)
				t->key[i] = (char)s[i];
			i++;
			continue;
		}
		break;
	}
	q = s + i;
	len = i < KEY_MAX - 1 ? i : KEY_MAX - 1;
	/* what follows the word up to the chunk's end: nothing, or ASCII
	 * punctuation only (else the long way: "e.g." "3.50" "l'été") */
	for (r = q; r < end && *r < 0x80 && (k = ascii_cc[*r]) != CC_SPACE; r++) {
		if (k == CC_WORD)
			return 0;
		punct |= k == CC_PUNCT;
		brk |= brk_byte(*r);
	}
	if (r < end && *r >= 0x80)
		return 0;
	/* the whole chunk may be an emoticon ("xD," "b^d"): tz_emoticon's
	 * first test, which rejects most words, then its others */
	if (punct && lex != NULL && emo_has(lex->emo_first, ascii_lower(*s)) &&
	    emo_ascii(lex, s, r))
		return 0;
	t->off = (size_t)(s - tz->text);
	t->len = (size_t)(q - s);
	t->e = NULL;
	t->ovf = q - s >= KEY_MAX;	/* the 64th byte did not fit */
	t->key[len] = '\0';
	t->keylen = (unsigned char)len;
	t->upper = (cases & 6) == 4;	/* capitals and no small letter */
	t->emo = 0;
	t->brk = (unsigned char)tz->brk;
	tz->brk = 0;
	tz->chunk_end = r;
	tz->p = r;
	if (r - q >= 2 && punct && lex != NULL && emo_has(lex->emo_first, *q))
		tz->p = q;	/* maybe an emoticon ("thanks:)"): tz_next's */
	else
		tz->brk = brk;	/* as tz_next would note the run after it */
	return 1;
}

/*
 * The commonest chunk of all, tz_plain's first case, inline where tokens
 * are read (a call saving and restoring registers cost as much as the
 * rest): a word of fewer than eight bytes and an ASCII space or control
 * character after it, all in the next eight bytes.  Its key is one masked
 * word, zero-padded as lex_lookup wants it.  0 (tz unchanged) otherwise.
 */
static inline int
tz_short(struct tokenizer *tz, struct tok *t)
{
	const unsigned char *s = tz->p;
	uint64_t x, stop, keep, folded;
	size_t len;

	if (tz->end - s < 8 || word_case[*s] == 0)
		return 0;
	x = load_le64(s);
	stop = swar_word(x);
	if (stop == 0 || s[len = swar_len(stop)] > 0x20)
		return 0;
	keep = (stop & -stop) - 1;	/* bits below the first stop */
	keep >>= 7;	/* the whole bytes before it: 8 * len bits */
	folded = (x | SWAR_ONES * 0x20) & keep;
	store_le64(t->key, folded);
	t->off = (size_t)(s - tz->text);
	t->len = len;
	t->e = NULL;
	t->ovf = 0;
	t->keylen = (unsigned char)len;
	t->upper = (swar_caps(x) & keep) != 0 && (swar_small(x) & keep) == 0;
	t->emo = 0;
	t->brk = (unsigned char)tz->brk;
	tz->brk = 0;
	/* the chunk ends at the space, which is skipped */
	tz->chunk_end = s + len;
	tz->p = s + len + 1;
	return 1;
}

/* tz_next the long way: any chunk, from any place in it. */
static int
tz_slow(struct tokenizer *tz, struct tok *t)
{
	const unsigned char *q, *r;
	size_t n;
	int32_t c;
	enum cc cls;
	int punct;

	for (;;) {
		if (tz->chunk_end == NULL || tz->p >= tz->chunk_end) {
			tz->chunk_end = NULL;
			for (q = tz->p; q < tz->end; q += n) {
				if (*q < 0x80) {
					if (ascii_cc[*q] != CC_SPACE)
						break;
					n = 1;
					continue;
				}
				(void)cp_next(q, tz->end, &n, &cls);
				if (cls != CC_SPACE)
					break;
			}
			tz->p = q;
			if (q >= tz->end)
				return 0;
			if (tz_short(tz, t) || tz_plain(tz, t))
				return 1;
			/* the chunk's end, noting ASCII punctuation: a chunk
			 * without any (most words) is no emoticon */
			punct = 0;
			for (q = tz->p; q < tz->end; q += n) {
				if (*q < 0x80) {
					n = 1;
					cls = (enum cc)ascii_cc[*q];
					punct |= cls == CC_PUNCT;
				} else
					(void)cp_next(q, tz->end, &n, &cls);
				if (cls == CC_SPACE)
					break;
			}
			tz->chunk_end = q;
			if (tz->lex != NULL && punct &&
			    (r = tz_emoticon(tz, tz->p, q, t, 1)) != NULL) {
				tz->p = r;
				return 1;
			}
		}
		c = cp_next(tz->p, tz->chunk_end, &n, &cls);
		switch (cls) {
		case CC_WORD:
		case CC_MARK:
			if (tz_word(tz, t))
				return 1;
			continue;
		case CC_EMOJI:
			tok_start(tz, t, tz->p);
			t->keylen = (unsigned char)utf8_put((uint32_t)c, t->key);
			t->key[t->keylen] = '\0';
			t->emo = 1;
			for (q = tz->p + n; q < tz->chunk_end; q += n)
				if ((cp_next(q, tz->chunk_end, &n, &cls), cls) != CC_IGNORE)
					break;
			t->len = (size_t)(q - tz->p);
			tz->p = q;
			return 1;
		case CC_IGNORE:
			tz->p += n;
			continue;
		default:
			break;
		}
		/* A run of punctuation: maybe an emoticon ("thanks:)"),
		 * maybe the end of a sentence, else nothing. */
		for (q = tz->p; q < tz->chunk_end; q += n) {
			c = cp_next(q, tz->chunk_end, &n, &cls);
			if (cls == CC_WORD || cls == CC_MARK || cls == CC_EMOJI)
				break;
			if (c == ',')
				tz->brk |= BRK_COMMA;
			else if ((c < 0x80 && strchr(".!?;:", c) != NULL) ||
			    c == 0x2026 || c == 0x2013 || c == 0x2014)
				tz->brk |= BRK_STOP;
		}
		if (tz->lex != NULL && q - tz->p >= 2 &&
		    (r = tz_emoticon(tz, tz->p, q, t, 0)) != NULL) {
			tz->p = r;
			return 1;
		}
		tz->p = q;
	}
}

/* The next token, 1; 0 at the end.  Inline for the common case, a plain
 * ASCII chunk after ASCII spaces; everything else is tz_slow's. */
static inline int
tz_next(struct tokenizer *tz, struct tok *t)
{
	const unsigned char *q = tz->p, *end = tz->end;

	if (tz->chunk_end == NULL || q >= tz->chunk_end) {
		q = space_skip(q, end);
		tz->p = q;
		if (q == end)
			return 0;
		if (*q < 0x80 && (tz_short(tz, t) || tz_plain(tz, t)))
			return 1;
	}
	return tz_slow(tz, t);
}

struct survey;
static inline void	survey_tok(struct survey *, const struct tok *);

/* A window of tokens over the text: the current one, a few behind it,
 * and as many ahead as asked, read on demand. */
struct tokwin {
	struct tokenizer	 tz;
	const struct sentiment	*lex;	/* look tokens up when set */
	struct survey		*sv;	/* when set, every token read passes it */
	size_t			 pos, filled;
	int			 eof;
	int			 lazy;	/* read no further ahead than asked */
	struct tok		 ring[WIN];
};

static void
win_init(struct tokwin *w, const char *text, size_t len,
    const struct sentiment *lex)
{
	tz_init(&w->tz, text, len, lex);
	w->lex = lex;
	w->sv = NULL;
	w->pos = w->filled = 0;
	w->eof = 0;
	w->lazy = 0;
}

/* A token just cut: its lexicon entry (the key padded with zeros for
 * lex_lookup's word reads) and its place in the survey. */
static inline void
win_note(struct tokwin *w, struct tok *t)
{
	if (w->lex != NULL && !t->ovf && t->e == NULL) {
		memset(t->key + t->keylen, 0, 8);
		t->e = lex_lookup(w->lex, t->key, t->keylen);
	}
	if (w->sv != NULL)
		survey_tok(w->sv, t);
}

/* One token into t, looked up and passed to the survey as win_read does
 * it; 0 (and eof set) at the end.  The commonest chunk, a short plain
 * word after spaces, is cut here by tz_short inline, as tz_next would
 * cut it (tz_next's own first steps), without a call. */
static inline int
win_tok(struct tokwin *w, struct tok *t)
{
	struct tokenizer *tz = &w->tz;
	const unsigned char *q = tz->p, *end = tz->end;
	int got = 0;

	if (tz->chunk_end == NULL || q >= tz->chunk_end) {
		q = space_skip(q, end);
		tz->p = q;
		got = q < end && tz_short(tz, t);
	}
	if (!got && !tz_next(tz, t)) {
		w->eof = 1;
		return 0;
	}
	win_note(w, t);
	return 1;
}

/* win_tok where tz_short is known to cut no token (skip_short): the
 * rest of tz_next, without trying it again. */
static int
win_tok_long(struct tokwin *w, struct tok *t)
{
	struct tokenizer *tz = &w->tz;
	const unsigned char *q = tz->p, *end = tz->end;
	int got = 0;

	if (tz->chunk_end == NULL || q >= tz->chunk_end) {
		q = space_skip(q, end);
		tz->p = q;
		if (q == end) {
			w->eof = 1;
			return 0;
		}
		got = *q < 0x80 && tz_plain(tz, t);
	}
	if (!got && !tz_slow(tz, t)) {
		w->eof = 1;
		return 0;
	}
	win_note(w, t);
	return 1;
}

/* Reads tokens up to position lim: for the detector as many as the ring
 * holds beyond the current one, not just the one asked for (one call,
 * and one loop with the window's state at hand, for dozens of tokens);
 * for the scorer (lazy) only those asked for, so that units_run reads
 * the rest itself, where most are let go (see there).  Reading ahead
 * changes nothing: the survey is only used once complete, and a token's
 * lookup and survey do not depend on when they are made. */
static void
win_read(struct tokwin *w, size_t lim)
{
	size_t filled = w->filled;

	for (; filled < lim; filled++) {
		struct tok *t = &w->ring[filled % WIN];

		if (!tz_next(&w->tz, t)) {
			w->eof = 1;
			break;
		}
		win_note(w, t);
	}
	w->filled = filled;
}

/* win_at for a token not read yet, or behind the current one. */
static const struct tok *
win_fill(struct tokwin *w, long rel)
{
	size_t at;

	if (rel < 0) {
		if (rel < -WIN_BEHIND || (size_t)-rel > w->pos)
			return NULL;
		return &w->ring[(w->pos - (size_t)-rel) % WIN];
	}
	if (rel >= WIN - WIN_BEHIND)
		return NULL;
	at = w->pos + (size_t)rel;
	if (at >= w->filled && !w->eof)
		win_read(w, w->lazy ? at + 1 : w->pos + (WIN - WIN_BEHIND));
	return at < w->filled ? &w->ring[at % WIN] : NULL;
}

/* The token rel places from the current one (negative: behind), or NULL
 * before the start, past the end, or beyond the window.  Inline for the
 * common case, a token already read. */
static inline const struct tok *
win_at(struct tokwin *w, long rel)
{
	if (rel >= 0 && rel < WIN - WIN_BEHIND && w->pos + (size_t)rel < w->filled)
		return &w->ring[(w->pos + (size_t)rel) % WIN];
	return win_fill(w, rel);
}

/* Contractions: "isn't", "can't", "wouldn't". */
static int
key_nt(const struct tok *t)
{
	const char *p = t->key + t->keylen;

	/* the last byte first: most keys do not end in 't' */
	return t->keylen >= 3 && p[-1] == 't' && p[-2] == '\'' && p[-3] == 'n';
}

/* ---- loading ------------------------------------------------------- */

/* Negations, VADER's list with "no", "hardly" and "nobody" added;
 * contractions ending in "n't" are caught without the list. */
static const char *const negators[] = {
	"aint", "arent", "cannot", "cant", "couldnt", "darent", "despite",
	"didnt", "doesnt", "dont", "hadnt", "hardly", "hasnt", "havent", "isnt",
	"mightnt", "mustnt", "neednt", "neither", "never", "no", "nobody",
	"none", "noone", "nope", "nor", "not", "nothing", "nowhere", "oughtnt",
	"rarely", "seldom", "shant", "shouldnt", "uh-uh", "uhuh", "wasnt",
	"werent", "without", "wont", "wouldnt",
};

/* Degree adverbs: boosters add SENTIMENT_B_INCR to the magnitude of the
 * word they precede, dampeners take it away. */
static const char *const boosters[] = {
	"absolutely", "amazingly", "awfully", "completely", "considerable",
	"considerably", "decidedly", "deeply", "effing", "enormous",
	"enormously", "entirely", "especially", "exceptional", "exceptionally",
	"extreme", "extremely", "fabulously", "flipping", "flippin", "frackin",
	"fracking", "freaking", "freakin", "fricking", "frickin", "frigging",
	"friggin", "fully", "fuckin", "fucking", "fuggin", "fugging", "greatly",
	"hella", "highly", "hugely", "incredible", "incredibly", "insanely",
	"intensely", "major", "majorly", "more", "most", "particularly",
	"purely", "quite", "really", "remarkably", "ridiculously", "so",
	"substantially", "thoroughly", "total", "totally", "tremendous",
	"tremendously", "uber", "unbelievably", "unusually", "utter",
	"utterly", "very",
};
static const char *const dampeners[] = {
	"a bit", "a little", "a little bit", "almost", "barely", "fairly",
	"just enough", "kind of", "kind-of", "kinda", "kindof", "less",
	"little", "marginal", "marginally", "occasional", "occasionally",
	"partly", "scarce", "scarcely", "slight", "slightly", "somewhat",
	"sort of", "sort-of", "sorta", "sortof",
};
static const struct {
	const char	*word;
	enum special	 special;
} specials[] = {
	{ "at", SP_AT }, { "but", SP_BUT }, { "doubt", SP_DOUBT },
	{ "least", SP_LEAST }, { "never", SP_NEVER }, { "no", SP_NO },
	{ "nor", SP_NOR }, { "or", SP_OR }, { "so", SP_SO },
	{ "this", SP_THIS }, { "very", SP_VERY }, { "without", SP_WITHOUT },
};

/*
 * Sarcasm in complaints, after Riloff et al. (EMNLP 2013, "Sarcasm as
 * Contrast between a Positive Sentiment and Negative Situation"): praise
 * standing as an exclamation or a frame around a negative support fact
 * in the same short text ("Great, another outage."; "Love how the app
 * crashed again") -- see sarcastic().  The praise, the frames, the
 * facts and the words that report a fact resolved; the set phrases of
 * sarcasm are frames too.  Phrases carry their valence in lexicon.tsv.
 */
static const char *const gushes[] = {
	"amazing", "awesome", "brilliant", "cool", "excellent", "fabulous",
	"fantastic", "great", "lovely", "marvellous", "marvelous", "nice",
	"outstanding", "perfect", "splendid", "super", "superb", "terrific",
	"well done", "wonderful", "wow",
};
static const char *const frames[] = {
	"gotta love", "just what i need", "just what i needed", "love how",
	"love it when", "love the way", "oh great", "oh wonderful",
	"so much for", "thanks for nothing",
};
static const char *const facts[] = {
	"another outage", "are down", "asked twice", "been down", "been waiting",
	"broke", "broken", "bug", "bugs", "buggy", "charged twice", "crash", "crashed",
	"crashes", "crashing", "damaged", "data loss", "defective",
	"double charged", "double-charged", "down again", "downtime", "error",
	"errors", "faulty", "fifth time", "fourth email", "fourth time",
	"freezes", "glitch", "glitchy", "heard nothing", "ignored", "is down",
	"keeps crashing", "locked out", "losing", "lost", "lost data", "lost my data",
	"missing", "no answer", "no reply", "on hold", "outage", "outages",
	"overcharged", "second time", "still down", "still waiting",
	"third email", "third mail", "third time", "unresponsive",
	"waiting for weeks", "was down", "went down", "were down",
};
static const char *const fixes[] = {
	"are over", "back online", "is over", "sorted out", "up and running",
	"working again",
};
static const char *const gones[] = {
	"are gone", "is gone", "went away",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The entry for an emoticon of folded key, len bytes in the file. */
static struct lex_entry *
lex_emoticon(struct sentiment *s, const char *key, size_t keylen, size_t len)
{
	struct lex_entry *le;

	if ((le = lex_add(s, key, keylen)) == NULL)
		return NULL;
	le->flags |= LEX_EMOTICON;
	if (len > s->emo_max)
		s->emo_max = len;
	s->emo_first[(unsigned char)key[0] >> 3] |= 1 << (key[0] & 7);
	s->emo_last[(unsigned char)key[keylen - 1] >> 3] |= 1 << (key[keylen - 1] & 7);
	return le;
}

/* The entry for a term as the tokenizer will see it: a word or emoji, an
 * emoticon (a single term with punctuation) or a phrase of plain words.
 * NULL with *why set if the term cannot be matched, or when out of
 * memory (*why NULL). */
static struct lex_entry *
lex_term(struct sentiment *s, const char *term, size_t len, const char **why)
{
	struct tokenizer tz;
	struct tok t;
	struct lex_entry *le;
	char key[PHRASE_KEY_MAX];
	size_t keylen = 0, words = 1, ntok = 0, i, wstart = 0;

	*why = NULL;
	if (len == 0) {
		*why = "empty term";
		return NULL;
	}
	for (i = 0; i < len; i++) {
		if (term[i] != ' ')
			continue;
		if (i == 0 || i + 1 == len || term[i + 1] == ' ') {
			*why = "empty word in term";
			return NULL;
		}
		words++;
	}
	if (words > PHRASE_MAX) {
		*why = "phrase of more than 6 words";
		return NULL;
	}
	tz_init(&tz, term, len, NULL);
	while (tz_next(&tz, &t)) {
		size_t wend;

		ntok++;
		if (words == 1)
			continue;
		for (wend = wstart; wend < len && term[wend] != ' '; wend++)
			;
		if (t.off != wstart || t.off + t.len != wend || t.ovf) {
			*why = "a word of the phrase is not a plain word";
			return NULL;
		}
		if (keylen > 0)
			key[keylen++] = ' ';
		memcpy(key + keylen, t.key, t.keylen);
		keylen += t.keylen;
		wstart = wend + 1;
	}
	if (words > 1) {
		if (ntok != words) {
			*why = "a word of the phrase is not a plain word";
			return NULL;
		}
		/* so that phrases are tried where their first word is seen */
		for (i = 0; key[i] != ' '; i++)
			;
		if ((le = lex_add(s, key, i)) == NULL)
			return NULL;
		if (le->phrase_max < words)
			le->phrase_max = (uint8_t)words;
		/* its first two words, three...: unit_take stops reading on
		 * where no phrase goes on (entries without a valence, never
		 * matched otherwise: a token's key holds no space) */
		for (i++; i < keylen; i++) {
			if (key[i] != ' ')
				continue;
			if ((le = lex_add(s, key, i)) == NULL)
				return NULL;
			le->flags |= LEX_PREFIX;
		}
		if ((le = lex_add(s, key, keylen)) == NULL)
			return NULL;
		le->flags |= LEX_PHRASE | LEX_PREFIX;
		return le;
	}
	tz_init(&tz, term, len, NULL);
	if (tz_next(&tz, &t) && ntok == 1 && t.off == 0 && t.len == len &&
	    !t.ovf)
		return lex_add(s, t.key, t.keylen);	/* a word or emoji */
	if (!fold_span((const unsigned char *)term,
	    (const unsigned char *)term + len, key, &keylen)) {
		*why = "term too long";
		return NULL;
	}
	return lex_emoticon(s, key, keylen, len);
}

static int	lex_triggers(struct sentiment *);
static void	stop_prepare(void);

/* Gives the terms of list the special role sp. */
static int
lex_list(struct sentiment *s, const char *const *list, size_t count,
    enum special sp, const char **why)
{
	struct lex_entry *le;
	size_t i;

	for (i = 0; i < count; i++) {
		if ((le = lex_term(s, list[i], strlen(list[i]), why)) == NULL)
			return -1;
		le->special = (uint8_t)sp;
	}
	return 0;
}

static int
lex_builtins(struct sentiment *s, struct err *e)
{
	struct lex_entry *le;
	const char *why;
	size_t i;

	if (strcmp(s->lang, "en") != 0)
		goto triggers;	/* its lists are in its file */
	for (i = 0; i < NELEM(negators); i++) {
		if ((le = lex_term(s, negators[i], strlen(negators[i]), &why)) == NULL)
			goto fail;
		le->flags |= LEX_NEGATOR;
	}
	for (i = 0; i < NELEM(boosters) + NELEM(dampeners); i++) {
		const char *w = i < NELEM(boosters) ? boosters[i] :
		    dampeners[i - NELEM(boosters)];

		if ((le = lex_term(s, w, strlen(w), &why)) == NULL)
			goto fail;
		le->flags |= LEX_BOOSTER;
		le->booster = (float)(i < NELEM(boosters) ? SENTIMENT_B_INCR :
		    SENTIMENT_B_DECR);
	}
	for (i = 0; i < NELEM(specials); i++) {
		if ((le = lex_term(s, specials[i].word, strlen(specials[i].word),
		    &why)) == NULL)
			goto fail;
		le->special = (uint8_t)specials[i].special;
	}
	if (lex_list(s, gushes, NELEM(gushes), SP_GUSH, &why) == -1 ||
	    lex_list(s, frames, NELEM(frames), SP_FRAME, &why) == -1 ||
	    lex_list(s, facts, NELEM(facts), SP_FACT, &why) == -1 ||
	    lex_list(s, fixes, NELEM(fixes), SP_FIXED, &why) == -1 ||
	    lex_list(s, gones, NELEM(gones), SP_GONE, &why) == -1 ||
	    lex_list(s, (const char *const[]){ "yeah", "yeah right" }, 2, SP_YEAH,
	    &why) == -1)
		goto fail;
triggers:
	why = NULL;
	if (lex_triggers(s) == -1)
		goto fail;
	return 0;
fail:
	if (why != NULL)
		return err_set(e, ERR_SOFTWARE, "built-in word list: %s", why);
	return err_set(e, ERR_NOMEM, "out of memory loading the lexicon");
}

/* 0 if [s, s + len) is valid UTF-8 without control characters. */
static int
utf8_check(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n;
	int32_t c;

	for (; p < end; p += n)
		if ((c = utf8_decode(p, end, &n)) < 0 || c < 0x20 || c == 0x7F)
			return -1;
	return 0;
}

static int
parse_valence(const char *s, float *out)
{
	char *end;
	double v;

	const char *p = s + (*s == '-');
	uint64_t m = 0, scale = 1;

	if (*s == '\0')
		return -1;
	/* "-2.5", the form of nearly every line, without strtod (a third of
	 * the time a lexicon takes to load): m / scale, both exact, divided
	 * once, is the double nearest the decimal, as strtod's */
	while (*p >= '0' && *p <= '9' && m < 1000)
		m = m * 10 + (uint64_t)(*p++ - '0');
	if (*p == '.' && p > s + (*s == '-')) {
		for (p++; *p >= '0' && *p <= '9' && scale < 1000000; p++) {
			m = m * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	if (*p == '\0' && p > s + (*s == '-') && p[-1] != '.') {
		v = (double)m / (double)scale;
		if (*s == '-')
			v = -v;
		if (!(v >= -4.0 && v <= 4.0))
			return -1;
		*out = (float)v;
		return 0;
	}
	/* Longer decimals, as "-1.2345678": strtod, but only of that form
	 * (it would take " 1", "+1", "0x1" and "1e0" too, none of which a
	 * lexicon writer means) */
	for (p = s + (*s == '-'); *p >= '0' && *p <= '9'; p++)
		;
	if (p == s + (*s == '-'))
		return -1;
	if (*p == '.' && p[1] >= '0' && p[1] <= '9')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p != '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v >= -4.0 && v <= 4.0))
		return -1;
	*out = (float)v;
	return 0;
}

/* The roles a line may give a term instead of a valence, in the order
 * lex_line's switch takes them. */
static const char *const roles[] = {
	"negation", "booster", "dampener", "contrast", "final-negation",
	"final-particle",
};

/*
 * Suffix rules: the inflected forms a single word of a language's file
 * stands for, made when the file is loaded (so scoring looks up every
 * form as it looks up any word).  Of a language's rules the one with the
 * longest ending the (folded) word has applies: the ending is replaced
 * by each of the suffixes.  German adjectives and plurals ("schlecht":
 * schlechte, schlechten, schlechter, schlechtes, schlechtem), Dutch
 * adjectives ("slecht": slechte), French gender and number ("lent":
 * lente, lents, lentes; "furieux": furieuse; "inutile": inutiles),
 * Spanish, Italian and Portuguese gender and number ("lento": lenta,
 * lentos, lentas; Italian lenti, lente).  German and Dutch verbs in
 * -en also give their present tense ("laden": lade, lädt -- folded
 * "ladt" --, ladet; "werken": werkt), which the clause-final negation
 * needs ("lädt ... nicht"); the adjective forms of a German word in -en
 * stay as they were ("verloren": verlorene).  Forms the rules miss (stem
 * changes, consonant and vowel doubling: "nul", "nulle"; Dutch "laden":
 * "laadt") are listed in the file;
 * a line of the file always overrides a made form.  Nonsense forms of
 * words that do not inflect so ("funktionieren": "funktionierene") are
 * harmless: no text holds them.
 */
struct inflection {
	const char	*lang;
	const char	*ending;
	const char	*suffixes;	/* separated by spaces */
};

static const struct inflection inflections[] = {
	{ "de", "en", "e t st et ene enen ener enes enem" },
	{ "de", "e", "n r s m" }, { "de", "", "e en er es em" },
	{ "nl", "en", "t e" }, { "nl", "e", "n" }, { "nl", "", "e en" },
	{ "fr", "eux", "euse euses" }, { "fr", "if", "ive ives ifs" },
	{ "fr", "el", "elle elles els" }, { "fr", "e", "s" },
	{ "fr", "", "e s es" },
	{ "es", "o", "a os as" }, { "es", "e", "s" }, { "es", "", "es" },
	{ "it", "o", "a i e" }, { "it", "a", "e" }, { "it", "e", "i" },
	{ "pt", "o", "a os as" }, { "pt", "vel", "veis" }, { "pt", "e", "s" },
	{ NULL, NULL, NULL }
};

/* Gives le a valence, counted once. */
static void
lex_set(struct sentiment *s, struct lex_entry *le, float valence,
    int has_negated, float negated)
{
	if (!(le->flags & LEX_VALENCE))
		s->size++;
	le->flags = (uint8_t)((le->flags & ~LEX_NEGATED) | LEX_VALENCE |
	    (has_negated ? LEX_NEGATED : 0));
	le->valence = valence;
	le->negated = negated;
}

/* The forms of le's word by the language's suffix rule, with its
 * valences; -1 out of memory. */
static int
lex_inflect(struct sentiment *s, const struct lex_entry *le)
{
	const struct inflection *r, *best = NULL;
	struct lex_entry *fe;
	char key[KEY_MAX + 16];
	const char *p, *q;
	size_t len = le->keylen, elen, stem;
	float valence = le->valence, negated = le->negated;
	int has_negated = (le->flags & LEX_NEGATED) != 0;

	if (len >= KEY_MAX)
		return 0;
	memcpy(key, s->pool + le->key, len);	/* lex_add moves the pool */
	for (r = s->inflect; r->lang != NULL && strcmp(r->lang, s->lang) == 0;
	    r++) {
		elen = strlen(r->ending);
		if (elen < len && memcmp(key + len - elen, r->ending, elen) == 0 &&
		    (best == NULL || elen > strlen(best->ending)))
			best = r;
	}
	if (best == NULL)
		return 0;
	stem = len - strlen(best->ending);
	for (p = best->suffixes; *p != '\0'; p = *q != '\0' ? q + 1 : q) {
		q = strchr(p, ' ');
		if (q == NULL)
			q = p + strlen(p);
		if (stem + (size_t)(q - p) >= KEY_MAX)
			continue;
		memcpy(key + stem, p, (size_t)(q - p));
		if ((fe = lex_add(s, key, stem + (size_t)(q - p))) == NULL)
			return -1;
		if ((fe->flags & LEX_VALENCE) && !fe->derived)
			continue;	/* the file's own line wins */
		if (fe->flags & (LEX_NEGATOR | LEX_BOOSTER))
			continue;
		lex_set(s, fe, valence, has_negated, negated);
		fe->derived = 1;
	}
	return 0;
}

/* One line of the lexicon file, without its newline. */
static int
lex_line(struct sentiment *s, char *line, const char *path, int lineno,
    struct err *e)
{
	char *field[4] = { NULL, NULL, NULL, NULL }, *p;
	struct lex_entry *le;
	const char *why;
	size_t nfield = 0, role;
	float valence, negated = 0;

	if (line[0] == '\0' || line[0] == '#')
		return 0;
	for (p = line; nfield < NELEM(field); nfield++) {
		field[nfield] = p;
		if ((p = strchr(p, '\t')) == NULL) {
			nfield++;
			break;
		}
		*p++ = '\0';
	}
	if (nfield < 2 || nfield > 3)
		return err_setpos(e, ERR_DATA, path, lineno, 1,
		    "expected 'term<TAB>valence[<TAB>negated valence]'");
	if (utf8_check(field[0], strlen(field[0])) == -1)
		return err_setpos(e, ERR_DATA, path, lineno, 1,
		    "term is not valid UTF-8 text");
	/* a valence is a number: only a word may be a role (thousands of
	 * lines, four comparisons each) */
	role = NELEM(roles);
	if (field[1][0] >= 'a' && field[1][0] <= 'z')
		for (role = 0; role < NELEM(roles); role++)
			if (strcmp(field[1], roles[role]) == 0)
				break;
	if (role < NELEM(roles)) {
		if (nfield != 2)
			return err_setpos(e, ERR_DATA, path, lineno,
			    (int)(field[2] - line) + 1, "a role ('%s') takes no "
			    "third field", field[1]);
		if ((le = lex_term(s, field[0], strlen(field[0]), &why)) == NULL)
			goto term_failed;
		switch (role) {
		case 0:
			le->flags |= LEX_NEGATOR;
			break;
		case 1:
		case 2:
			le->flags |= LEX_BOOSTER;
			le->booster = (float)(role == 1 ? SENTIMENT_B_INCR :
			    SENTIMENT_B_DECR);
			break;
		case 3:
			le->special = SP_BUT;
			break;
		case 4:
			le->special = SP_FINAL_NEG;
			s->negfinal = 1;
			break;
		default:
			le->special = SP_FINAL_PART;
		}
		return 0;
	}
	if (parse_valence(field[1], &valence) == -1)
		return err_setpos(e, ERR_DATA, path, lineno,
		    (int)(field[1] - line) + 1, "invalid valence '%s' (expected "
		    "a number from -4 to 4)", field[1]);
	if (nfield == 3 && parse_valence(field[2], &negated) == -1)
		return err_setpos(e, ERR_DATA, path, lineno,
		    (int)(field[2] - line) + 1, "invalid negated valence '%s' "
		    "(expected a number from -4 to 4)", field[2]);
	if ((le = lex_term(s, field[0], strlen(field[0]), &why)) == NULL)
		goto term_failed;
	lex_set(s, le, valence, nfield == 3, negated);
	le->derived = 0;
	if (s->inflect != NULL && !(le->flags & (LEX_PHRASE | LEX_EMOTICON)) &&
	    lex_inflect(s, le) == -1)
		return err_set(e, ERR_NOMEM, "out of memory loading '%s'", path);
	return 0;
term_failed:
	if (why == NULL)
		return err_set(e, ERR_NOMEM, "out of memory loading '%s'", path);
	return err_setpos(e, ERR_DATA, path, lineno, 1, "%s: '%s'", why,
	    field[0]);
}

/* Reads the lines of the file at path into s. */
static int
lex_file(struct sentiment *s, const char *path, struct err *e)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, len;
	ssize_t n;
	int lineno = 0, saved_errno = 0, ret = -1;

	if ((f = fopen(path, "r")) == NULL) {
		saved_errno = errno;
		return err_set(e, saved_errno == ENOENT ? ERR_NOINPUT : ERR_IO,
		    "cannot open '%s': %s", path, strerror(saved_errno));
	}
	for (;;) {
		errno = 0;
		if ((n = getline(&line, &cap, f)) == -1) {
			saved_errno = errno;	/* 0 at the end of the file */
			break;
		}
		lineno++;
		len = (size_t)n;
		if (len > LINE_MAX_LEN) {
			err_setpos(e, ERR_DATA, path, lineno, 1, "line too long");
			goto out;
		}
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (memchr(line, '\0', len) != NULL) {
			err_setpos(e, ERR_DATA, path, lineno, 1, "NUL byte in line");
			goto out;
		}
		if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
			memmove(line, line + 3, (len -= 3) + 1);	/* BOM */
		if (lex_line(s, line, path, lineno, e) == -1)
			goto out;
	}
	if (saved_errno != 0 || ferror(f)) {
		err_set(e, ERR_IO, "cannot read '%s': %s", path,
		    strerror(saved_errno ? saved_errno : EIO));
		goto out;
	}
	if (s->size == 0) {
		err_set(e, ERR_DATA, "no entries in lexicon '%s'", path);
		goto out;
	}
	ret = 0;
out:
	free(line);
	(void)fclose(f);	/* read only: nothing to lose */
	return ret;
}

/* A table for the words of lang, with its built-in entries. */
static struct sentiment *
lex_new(const char *lang, struct err *e)
{
	struct sentiment *s;

	if ((s = calloc(1, sizeof(*s))) == NULL || lex_grow(s) == -1) {
		free(s);
		err_set(e, ERR_NOMEM, "out of memory loading the lexicon");
		return NULL;
	}
	(void)snprintf(s->lang, sizeof(s->lang), "%s", lang);	/* checked */
	for (s->inflect = inflections; s->inflect->lang != NULL &&
	    strcmp(s->inflect->lang, lang) != 0; s->inflect++)
		;
	if (s->inflect->lang == NULL)
		s->inflect = NULL;
	s->concord = strcmp(lang, "fr") == 0 || strcmp(lang, "es") == 0 ||
	    strcmp(lang, "it") == 0 || strcmp(lang, "pt") == 0;
	if (lex_builtins(s, e) == -1) {
		sentiment_free(s);
		return NULL;
	}
	return s;
}

int
sentiment_load(const char *path, struct sentiment **out, struct err *e)
{
	struct sentiment *s;

	*out = NULL;
	stop_prepare();
	if ((s = lex_new("en", e)) == NULL)
		return -1;
	if (lex_file(s, path, e) == -1) {
		sentiment_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* 1 if lang is 2 or 3 lowercase ASCII letters. */
static int
lang_valid(const char *lang, size_t len)
{
	size_t i;

	if (len < 2 || len > 3)
		return 0;
	for (i = 0; i < len; i++)
		if (lang[i] < 'a' || lang[i] > 'z')
			return 0;
	return 1;
}

/* Reads the file of language lang at path into a table of its own, with
 * the emoticons and emoji of s, the English table. */
static int
lang_read(const struct sentiment *s, const char *lang, const char *path,
    struct sentiment **out /* OUT */, struct err *e)
{
	struct sentiment *ls;
	const struct lex_entry *le;
	const char *key;
	size_t i, n;
	enum cc cls;

	*out = NULL;
	if ((ls = lex_new(lang, e)) == NULL)
		return -1;
	if (lex_file(ls, path, e) == -1) {
		sentiment_free(ls);
		return -1;
	}
	/* Emoticons and emoji mean the same in every language; a line of
	 * the language's file wins. */
	for (i = 0; i < s->cap; i++) {
		struct lex_entry *ne;

		le = &s->slot[i];
		if (le->key == 0 || !(le->flags & LEX_VALENCE) ||
		    (le->flags & LEX_PHRASE))
			continue;
		key = s->pool + le->key;
		if (!(le->flags & LEX_EMOTICON)) {
			if ((unsigned char)key[0] < 0x80)
				continue;
			(void)cp_next((const unsigned char *)key,
			    (const unsigned char *)key + le->keylen, &n, &cls);
			if (cls != CC_EMOJI)
				continue;
			ne = lex_add(ls, key, le->keylen);
		} else
			ne = lex_emoticon(ls, key, le->keylen, s->emo_max);
		if (ne == NULL) {
			sentiment_free(ls);
			return err_set(e, ERR_NOMEM, "out of memory loading '%s'",
			    path);
		}
		if (!(ne->flags & LEX_VALENCE))
			lex_set(ls, ne, le->valence, (le->flags & LEX_NEGATED) != 0,
			    le->negated);
	}
	*out = ls;
	return 0;
}

/* A slot for lang in s, whose file at path is read at its first use. */
static int
lang_add(struct sentiment *s, const char *lang, const char *path,
    struct err *e)
{
	struct lang_lex *ll;

	if (!lang_valid(lang, strlen(lang)))
		return err_set(e, ERR_DATA, "invalid language '%s' for '%s' "
		    "(expected 2 or 3 lowercase letters)", lang, path);
	if (sentiment_has_lang(s, lang))
		return err_set(e, ERR_DATA, "a second lexicon for language "
		    "'%s': '%s'", lang, path);
	if (s->langs_count == SENTIMENT_LANGS_MAX)
		return err_set(e, ERR_DATA, "more than %d languages: '%s'",
		    SENTIMENT_LANGS_MAX, path);
	if (s->langs == NULL &&
	    (s->langs = calloc(SENTIMENT_LANGS_MAX, sizeof(*s->langs))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory loading '%s'", path);
	ll = &s->langs[s->langs_count];
	(void)snprintf(ll->lang, sizeof(ll->lang), "%s", lang);	/* valid */
	if ((ll->path = strdup(path)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory loading '%s'", path);
	atomic_init(&ll->lex, NULL);
	atomic_init(&ll->broken, 0);
	s->langs_count++;
	return 0;
}

/* The table of ll, read at its first use; NULL if its file is broken
 * (e, when not NULL, says why). */
static struct sentiment *
lang_get(const struct sentiment *s, struct lang_lex *ll, struct err *e)
{
	struct sentiment *ls, *none = NULL;
	struct err ignored = ERR_INIT;

	if ((ls = atomic_load_explicit(&ll->lex, memory_order_acquire)) != NULL)
		return ls;
	if (e == NULL) {
		if (atomic_load_explicit(&ll->broken, memory_order_relaxed))
			return NULL;
		e = &ignored;
	}
	if (lang_read(s, ll->lang, ll->path, &ls, e) == -1) {
		atomic_store_explicit(&ll->broken, 1, memory_order_relaxed);
		return NULL;
	}
	if (!atomic_compare_exchange_strong_explicit(&ll->lex, &none, ls,
	    memory_order_acq_rel, memory_order_acquire)) {
		sentiment_free(ls);	/* another thread read it first */
		ls = none;
	}
	return ls;
}

int
sentiment_load_lang(struct sentiment *s, const char *lang, const char *path,
    struct err *e)
{
	struct lang_lex *ll;

	if (lang_add(s, lang, path, e) == -1)
		return -1;
	ll = &s->langs[s->langs_count - 1];
	if (lang_get(s, ll, e) == NULL) {
		free(ll->path);
		ll->path = NULL;
		s->langs_count--;
		return -1;
	}
	return 0;
}

int
sentiment_load_langs(const struct sentiment *s, struct err *e)
{
	size_t i;

	for (i = 0; s != NULL && i < s->langs_count; i++)
		if (lang_get(s, &s->langs[i], e) == NULL)
			return -1;
	return 0;
}

/* Every "lexicon-LANG.tsv" in the directory of path. */
static int
load_langs(struct sentiment *s, const char *path, struct err *e)
{
	char pattern[4096], lang[4];
	const char *slash = strrchr(path, '/'), *base;
	glob_t g;
	size_t i, len;
	int rc, ret = 0;

	if (slash == NULL)
		rc = snprintf(pattern, sizeof(pattern), "lexicon-*.tsv");
	else
		rc = snprintf(pattern, sizeof(pattern), "%.*s/lexicon-*.tsv",
		    (int)(slash - path), path);
	if (rc < 0 || (size_t)rc >= sizeof(pattern))
		return err_set(e, ERR_DATA, "lexicon path too long: '%s'", path);
	rc = glob(pattern, 0, NULL, &g);
	if (rc == GLOB_NOMATCH)
		return 0;
	if (rc != 0)
		return err_set(e, rc == GLOB_NOSPACE ? ERR_NOMEM : ERR_IO,
		    "cannot list the lexicons beside '%s'", path);
	for (i = 0; i < g.gl_pathc && ret == 0; i++) {
		base = strrchr(g.gl_pathv[i], '/');
		base = base != NULL ? base + 1 : g.gl_pathv[i];
		len = strlen(base) - strlen("lexicon-") - strlen(".tsv");
		if (!lang_valid(base + strlen("lexicon-"), len))
			continue;	/* "lexicon-old.tsv.tsv", a backup */
		memcpy(lang, base + strlen("lexicon-"), len);
		lang[len] = '\0';
		ret = lang_add(s, lang, g.gl_pathv[i], e);
	}
	globfree(&g);
	return ret;
}

int
sentiment_load_default(struct sentiment **out, struct err *e)
{
	const char *env = getenv("ESCALATOR_LEXICON");
	const char *dflt = PKGDATADIR "/lexicon.tsv", *path = dflt;
	char tried[256] = "";

	*out = NULL;
	if (env != NULL && *env != '\0') {
		path = env;
		if (sentiment_load(env, out, e) == 0)
			goto langs;
		if (e == NULL || e->code != ERR_NOINPUT)
			return -1;
		(void)snprintf(tried, sizeof(tried), "'%s' (ESCALATOR_LEXICON), ",
		    env);	/* truncation is fine for a message */
		path = dflt;
	}
	if (sentiment_load(dflt, out, e) == 0)
		goto langs;
	if (e == NULL || e->code != ERR_NOINPUT)
		return -1;
	return err_set(e, ERR_NOINPUT, "cannot find the sentiment lexicon: "
	    "tried %s'%s'; install it or set ESCALATOR_LEXICON", tried, dflt);
langs:
	if (load_langs(*out, path, e) == -1) {
		sentiment_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

void
sentiment_free(struct sentiment *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->langs_count; i++) {
		sentiment_free(atomic_load(&s->langs[i].lex));
		free(s->langs[i].path);
	}
	free(s->langs);
	free(s->slot);
	free(s->tag);
	free(s->pool);
	free(s);
}

size_t
sentiment_size(const struct sentiment *s)
{
	return s != NULL ? s->size : 0;
}

/* ---- the language of a text ---------------------------------------- */

/*
 * The commonest words of each language the guess knows (folded as the
 * scorer folds: lowercase, no accents), our lists: articles, pronouns,
 * conjunctions, prepositions, auxiliaries, and the greetings and thanks
 * of support mail.  A word in several lists counts for each; "*" marks
 * the list where it is much the commonest, where it counts twice
 * (Spanish "no", French "est").  At most 8 letters: longer words are
 * never looked up.  Besides, two letters count as a listed word of
 * weight 2 where a short text has too few words to tell: ã and õ are
 * Portuguese alone ("não", "serviço" has no other), and "è" and "é"
 * standing alone are Italian and Portuguese "is" ("Il servizio è
 * pessimo", "O produto é péssimo"), never a French or Spanish word.
 */
enum { LG_EN, LG_DE, LG_FR, LG_ES, LG_NL, LG_IT, LG_PT, LG_COUNT };

static const char *const lg_names[LG_COUNT] = {
	"en", "de", "fr", "es", "nl", "it", "pt",
};

static const char *const stopwords[LG_COUNT] = {
	/* en */
	"*the *and *to *of *is *are *was *were *you *your *it *this *that "
	"*i *my *have *has *not *for *with *be *been *at *but *or *from "
	"*what *when *can *will *would *please *thanks *thank *hi *hello "
	"*just *still *any *do *does *did an in a no so me *all *get "
	"*got *there *they *them *our *us *if *about *as *by *on *we *its "
	"*it's *i'm *don't *can't *here *since *again *after *why *how "
	"*hey *dear also",
	/* de */
	"*und *der *die *das *ist *ich *nicht *mit *sie *ein *eine *einen "
	"*einem *es *auf *fur *den *dem *des *zu *von *wir *ihr *ihre "
	"*ihnen *mein *meine *bei *auch *noch *nach *seit *wie *aber *oder "
	"*wenn *dass *sind *habe *haben *hat *wurde *kein *keine *mir *mich "
	"*uns *schon *immer *bitte *danke *sehr *nur *bin *gibt *kann "
	"*konnen *war im *hallo *leider *jetzt *wieder *geht *mehr *sich "
	"*ihrer *ihren *unser *warum *seit *wo *dies *diese *nichts *heute "
	"*gestern *woche *wochen *tage *keinen *nie an so was will also "
	"*standig *dauernd *sturzt *fallt *hangt *bricht *kommt *komme "
	"*ladt *klappt *paket *seite *kaputt *niemand *vielen *ganz echt",
	/* fr */
	"*le *la *les de *des *du *et *est *je *vous *nous *il *elle *un "
	"*une *pas *ne que *qui *pour *dans *sur *avec *mon *ma *mes *votre "
	"*vos *ce *cette *sont *ai *avez *merci *tres *mais *plus *depuis "
	"*toujours *rien *aucun *au *aux *bonjour *c'est *j'ai *n'est "
	"c j n d l *qu *toujours *jamais *encore *deja *ca *cela *leur "
	"*suis *ete *fait *tout *tous *toute *beaucoup *nouveau *m'avez "
	"*parfait *reponse *colis *commande en se non *personne *repond "
	"me *on *marre *d'un *l'autre *balade *plante *sans *arret *aucune "
	"*semaines *nouvelle *penible *vivement",
	/* es */
	"la *el *los *las de *del y es en que *no un *una *por *para con mi "
	"*su *muy *pero *esta *estoy *desde *hace *gracias *hola *tengo *ya "
	"*sin *nada *ni *al lo le se *todavia me *mis *sus *usted *ustedes "
	"*han *hemos *pedido *nadie *siempre *nunca *como *mas *este *eso "
	"*estan *fue *hay *porque *dias *semanas *aun *tambien *o *sigo "
	"*sigue *servicio *respuesta *tiene *soporte *cliente *envio *puedo "
	"*pueden *estoy *somos *paquete *llego ido *contesta *cuelga *unos "
	"*estafa *voy *tener *esperar *calidad funciona",
	/* nl */
	"de *het *een *en *ik *niet is *van *dat op te met *voor je u *uw "
	"*maar al *nog *geen *heb *hebben *wij we *zijn *bij *naar *mijn *er "
	"*om *ook *dank *bedankt *graag *sinds *wel *zeer *erg *jullie *nu "
	"*weer *wordt *werd *kunnen *kan *moet *dit *deze *hallo *alstublieft "
	"*jullie *wat *waarom *hoe *niets *nooit *al *sinds *pakket "
	"*levering *factuur *klopt *heeft *ben *orde *jammer *groet "
	"*groeten *tevreden *reageert niemand *steeds *loopt *valt *tijd "
	"*bagger *slecht bar *aanrader echt",
	/* it */
	"*il lo la *gli le *di da e *che *non un *una *per con *sono *ho mi "
	"*ma *del *della *nel *questo *questa *molto *ancora *grazie *ciao "
	"*anche *perche *mio *mia *vostro *vostra *sul *alla *al *ci *sia "
	"*gia *mai *niente *nessuno *piu *dopo *stato *stata *essere *buongiorno "
	"*settimane *giorni *ordine *funziona *pacco *servizio *sito si "
	"*tutto *bene *volte *ottimo *consegna *rimborso *blocca "
	"pessimo *siete *dei *vera *truffa *vi *degli *dove *posso *fattura "
	"*avete",
	/* pt */
	"o a *os as de *do *da *dos *das e que *nao um *uma para *com *meu "
	"*minha *voce *obrigado *obrigada *muito mas ja *ainda no *na "
	"*ao sem *isso esta *estou *foi *ola *voces *seu *sua *ate *nunca "
	"*nada *ninguem *tambem *pedido *dias *semanas *porque *mais *tenho "
	"*bom *boa *dia *entrega *fatura *site *tudo *quero *chegou *deu "
	"*servico *duas *vezes *produto *otimo *trabalho *vergonha "
	"*pessimo *pela *pelo *trava *tempo *fico *sendo *outro funciona "
	"*demorou *demais",
};

#define STOP_CAP	2048	/* a power of two, over twice the words */
#define GUESS_WORDS	300	/* words read at most */
#define GUESS_BYTES	4096	/* and bytes (a word may be cut there) */
#define GUESS_SURE	8	/* weight at which a 3-to-1 lead stops reading */

/* Packed keys and, per key, the weight of each language in a 16-bit
 * lane (languages 0-3 in the first word, 4-6 in the second): a word's
 * weights are added to the counts with two additions.  No lane
 * overflows: GUESS_WORDS words of weight 4 at most (2, and 2 for a
 * letter: sentiment_guess). */
static uint64_t	stop_key[STOP_CAP];
static uint64_t	stop_lanes[STOP_CAP][2];
static int	stop_built;

#define LANES_SURE	(0x0001000100010001u * (0xFFFFu & ~(GUESS_SURE - 1)))

static inline size_t
stop_slot(uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15u) >> 53) & (STOP_CAP - 1);
}

static inline unsigned
lane_of(const uint64_t *lanes, int lg)
{
	return (unsigned)(lanes[lg / 4] >> (16 * (lg % 4))) & 0xFFFF;
}

/* Built once, from sentiment_load (before threads share a lexicon) or
 * the first guess. */
static void
stop_prepare(void)
{
	const char *p, *w;
	uint64_t key;
	size_t i, n, k;
	int lg, weight, shift;

	if (stop_built)
		return;
	for (lg = 0; lg < LG_COUNT; lg++) {
		for (p = stopwords[lg]; *p != '\0'; p += *p != '\0') {
			weight = *p == '*' ? 2 : 1;
			p += *p == '*';
			w = p;
			while (*p != ' ' && *p != '\0')
				p++;
			n = (size_t)(p - w);
			key = 0;
			for (i = 0; i < n && i < 8; i++)
				key |= (uint64_t)(unsigned char)w[i] << (8 * i);
			for (k = stop_slot(key); stop_key[k] != 0 &&
			    stop_key[k] != key; k = (k + 1) & (STOP_CAP - 1))
				;
			stop_key[k] = key;
			shift = 16 * (lg % 4);
			if (lane_of(stop_lanes[k], lg) < (unsigned)weight) {
				stop_lanes[k][lg / 4] &= ~((uint64_t)0xFFFF << shift);
				stop_lanes[k][lg / 4] |= (uint64_t)weight << shift;
			}
		}
	}
	stop_built = 1;
}

/* 1 for the bytes a word of the guess may go on with in ASCII: letters
 * and the apostrophe. */
static const unsigned char guess_letter[256] = {
	['\''] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/* Scripts told by their letters alone. */
enum { SC_KANA, SC_HANGUL, SC_HAN, SC_GREEK, SC_HEBREW, SC_THAI,
	SC_CYRILLIC, SC_ARABIC, SC_DEVANAGARI, SC_COUNT };

static const char *const sc_names[SC_COUNT] = {
	"ja", "ko", "zh", "el", "he", "th", "und-Cyrl", "und-Arab", "und-Deva",
};

static int
script_of(int32_t c)
{
	if (c >= 0x370 && c <= 0x3FF)
		return SC_GREEK;
	if (c >= 0x400 && c <= 0x52F)
		return SC_CYRILLIC;
	if (c >= 0x590 && c <= 0x5FF)
		return SC_HEBREW;
	if ((c >= 0x600 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F))
		return SC_ARABIC;
	if (c >= 0x900 && c <= 0x97F)
		return SC_DEVANAGARI;
	if (c >= 0xE00 && c <= 0xE7F)
		return SC_THAI;
	if ((c >= 0x1100 && c <= 0x11FF) || (c >= 0xAC00 && c <= 0xD7AF))
		return SC_HANGUL;
	if (c >= 0x3040 && c <= 0x30FF)
		return SC_KANA;
	if (c >= 0x4E00 && c <= 0x9FFF)
		return SC_HAN;
	return -1;
}

/*
 * One pass over the first words, stopping early once one language leads
 * 3 to 1 with GUESS_SURE: English mail is told after some ten words,
 * which is all the guess costs it.  Words are runs of ASCII letters,
 * apostrophes and Latin-1 letters (folded as fold_put does); a word of
 * other letters counts towards its script.  A word of ASCII letters
 * alone, the common case, is measured by a table and its key taken as
 * one load; the lead is looked at only once a count reaches GUESS_SURE.
 */
const char *
sentiment_guess(const char *text, size_t len, char *buf)
{
	const unsigned char *p = (const unsigned char *)text, *q;
	const unsigned char *tend = p + len;
	const unsigned char *end = p + (len < GUESS_BYTES ? len : GUESS_BYTES);
	uint64_t lanes[2] = { 0, 0 };
	unsigned w[LG_COUNT], sc[SC_COUNT] = { 0 };
	unsigned best = 0, second = 0, other = 0;
	size_t words = 0, latin = 0, nonlatin = 0, n, k, i;
	uint64_t key;
	int lg, top = LG_EN, ok, mark;
	int32_t c;

	stop_prepare();
	while (p < end && words < GUESS_WORDS) {
		/* what no word starts with: ASCII but letters */
		while (*p < 0x80 && !guess_letter[*p] && ++p < end)
			;
		if (p == end)
			break;
		if (*p == '\'') {
			p++;	/* no word starts with it */
			continue;
		}
		c = *p;
		if (c >= 0x80 && !(c == 0xC3 && p + 1 < end && p[1] >= 0x80 &&
		    p[1] <= 0xBF && p[1] != 0x97 && p[1] != 0xB7)) {
			if ((c = utf8_decode(p, end, &n)) >= 0 &&
			    (k = (size_t)script_of(c)) < SC_COUNT) {
				sc[k]++;
				nonlatin++;
			}
			p += n;
			continue;
		}
		if (ascii_cc[c & 0x7F] != CC_WORD || (c >= '0' && c <= '9')) {
			if (c < 0x80) {
				p++;
				continue;
			}
		}
		/* a word: ASCII to its end, the common case */
		ok = 1;
		mark = -1;
		for (q = p; q < end && guess_letter[*q]; q++)
			;
		n = (size_t)(q - p);
		if (n > 0 && (q == end || *q < 0x80)) {
			if (n > 8)
				key = 0;	/* too long for any list */
			else if (p + 8 <= tend) {
				key = load_le64(p) | SWAR_ONES * 0x20;
				if (n < 8)
					key &= ((uint64_t)1 << (8 * n)) - 1;
			} else
				for (key = 0, i = 0; i < n; i++)
					key |= (uint64_t)(p[i] | 0x20) << (8 * i);
			p = q;
			goto counted;
		}
		key = 0;
		n = 0;
		while (p < end) {
			c = *p;
			if (c < 0x80) {
				if ((ascii_cc[c] != CC_WORD || c <= '9') && c != '\'')
					break;
				if (n < 8)
					key |= (uint64_t)(c | 0x20) << (8 * n);
				n++;
				p++;
			} else if (c == 0xC3 && p + 1 < end && p[1] >= 0x80 &&
			    p[1] <= 0xBF && p[1] != 0x97 && p[1] != 0xB7) {
				const char *f = latin1_fold[p[1] - 0x80];

				if (p[1] == 0xA3 || p[1] == 0xB5)
					mark = LG_PT;	/* ã, õ */
				else if ((p[1] == 0xA8 || p[1] == 0xA9) &&
				    n == 0 && (p + 2 == end || p[2] < 0x80) &&
				    !guess_letter[p + 2 < end ? p[2] : ' '])
					/* è, é alone: "is" */
					mark = p[1] == 0xA8 ? LG_IT : LG_PT;

				for (i = 0; f[i] != '\0'; i++, n++)
					if (n < 8)
						key |= (uint64_t)(unsigned char)f[i] <<
						    (8 * n);
				p += 2;
			} else {
				/* Latin Extended, other letters: no list has
				 * such a word */
				if ((c = utf8_decode(p, end, &k)) < 0 ||
				    cc_class(c) != CC_WORD || script_of(c) >= 0)
					break;
				ok = 0;
				n++;
				p += k;
			}
		}
counted:
		words++;
		latin += n;
		if (mark >= 0)
			lanes[mark / 4] += (uint64_t)2 << (16 * (mark % 4));
		if (!ok || n > 8 || n == 0)
			continue;
		for (k = stop_slot(key); stop_key[k] != 0 && stop_key[k] != key;
		    k = (k + 1) & (STOP_CAP - 1))
			;
		if (stop_key[k] == 0)
			continue;
		lanes[0] += stop_lanes[k][0];
		lanes[1] += stop_lanes[k][1];
		/* the lead can be sure only once a count reaches GUESS_SURE */
		if (((lanes[0] | lanes[1]) & LANES_SURE) == 0)
			continue;
		best = second = 0;
		for (lg = 0; lg < LG_COUNT; lg++) {
			if (lane_of(lanes, lg) > best) {
				second = best;
				best = lane_of(lanes, lg);
				top = lg;
			} else if (lane_of(lanes, lg) > second)
				second = lane_of(lanes, lg);
		}
		if (best >= GUESS_SURE && best >= 3 * second)
			break;
	}
	if (nonlatin > latin) {
		for (k = 0, i = 0; k < SC_COUNT; k++)
			if (sc[k] > sc[i])
				i = k;
		if (sc[SC_KANA] > 0 && (i == SC_HAN || i == SC_KANA))
			i = SC_KANA;	/* Japanese writes kanji and kana */
		(void)snprintf(buf, 12, "%s", sc_names[i]);
		return buf;
	}
	/* the leader, the first of equals, as the counts stand */
	for (best = 0, lg = 0; lg < LG_COUNT; lg++) {
		w[lg] = lane_of(lanes, lg);
		if (w[lg] > best) {
			best = w[lg];
			top = lg;
		}
	}
	if (top == LG_EN) {
		(void)snprintf(buf, 12, "en");
		return buf;
	}
	for (lg = 0; lg < LG_COUNT; lg++)
		if (lg != top && lg != LG_EN && w[lg] > other)
			other = w[lg];
	/* A short text may say it with one word ("Danke!", "Merci beaucoup"),
	 * when no other language speaks as loud ("Péssimo atendimento":
	 * "pessimo" is Italian too, listed there lighter). */
	if (top != LG_EN && ((best >= 3 && best > other && best > 2 * w[LG_EN]) ||
	    (best >= 2 && words <= 2 && best > other && w[LG_EN] == 0)))
		(void)snprintf(buf, 12, "%s", lg_names[top]);
	else
		(void)snprintf(buf, 12, "en");
	return buf;
}

int
sentiment_has_lang(const struct sentiment *s, const char *lang)
{
	size_t i;

	if (s == NULL)
		return 0;
	if (strcmp(lang, s->lang) == 0)
		return 1;
	for (i = 0; i < s->langs_count; i++)
		if (strcmp(lang, s->langs[i].lang) == 0)
			return 1;
	return 0;
}

/* The primary language of a tag ("de-AT", "de, en": "de") in buf[12],
 * lowercase; NULL for none, "und", "mul", "zxx" or "mis". */
static const char *
lang_of_tag(const char *tag, char *buf)
{
	size_t n;

	if (tag == NULL)
		return NULL;
	while (*tag == ' ')
		tag++;
	for (n = 0; n < 3 && ((tag[n] | 0x20) >= 'a' && (tag[n] | 0x20) <= 'z'); n++)
		buf[n] = (char)(tag[n] | 0x20);
	buf[n] = '\0';
	if (n < 2 || (tag[n] != '\0' && tag[n] != '-' && tag[n] != '_' &&
	    tag[n] != ',' && tag[n] != ' '))
		return NULL;
	if (strcmp(buf, "und") == 0 || strcmp(buf, "mul") == 0 ||
	    strcmp(buf, "zxx") == 0 || strcmp(buf, "mis") == 0)
		return NULL;
	return buf;
}

/* ---- scoring ------------------------------------------------------- */

static void	score_text(const struct sentiment *, const char *, size_t,
	    struct sentiment_result *);

/* One scoring unit: a token, or the tokens of a phrase. */
struct unit {
	const struct lex_entry *e;
	size_t		 off;
	float		 booster;	/* 0, or +-SENTIMENT_B_INCR */
	unsigned char	 lexword;	/* carries a valence of its own */
	unsigned char	 negator;
	unsigned char	 upper;
	unsigned char	 special;
	unsigned char	 emo;		/* an emoticon or emoji */
	unsigned char	 brk;		/* tok.brk of its first token */
};

struct survey {
	size_t		 tokens, upper;
	size_t		 but_off;	/* SIZE_MAX: no "but" */
	size_t		 excl, quest;
	int		 trigger;	/* a word an escalation request needs */
};

static int	esc_trigger(const struct tok *);
static void	esc_prepare(void);

/* Every token passes here once, as the window reads it, already looked
 * up: a trigger word carries LEX_TRIGGER, an unknown word no entry.
 * Emoticons and emoji are matched by key as before (never a trigger, but
 * that is the detector's business). */
static inline void
survey_tok(struct survey *sv, const struct tok *t)
{
	const struct lex_entry *e = t->e;

	sv->tokens++;
	sv->upper += t->upper;
	if (t->emo) {
		if (!sv->trigger)
			sv->trigger = esc_trigger(t);
	} else if (e != NULL && (e->flags & LEX_TRIGGER) != 0)
		sv->trigger = 1;
	/* t->e is the entry of t's key, so this is key_is(t, "but") */
	if (e != NULL && e->special == SP_BUT && sv->but_off == SIZE_MAX)
		sv->but_off = t->off;
}

/* Whether words in capitals are emphasised: VADER's rule, some but not
 * all tokens in capitals, and ours besides: a text of three or more
 * words all in capitals, which in a mail is shouting ("THIS IS
 * UNACCEPTABLE"), not a style. */
static int
cap_emphasis(const struct survey *sv)
{
	return sv->upper > 0 && (sv->upper < sv->tokens || sv->upper >= 3);
}

static void
survey_init(struct survey *sv, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	memset(sv, 0, sizeof(*sv));
	sv->but_off = SIZE_MAX;
	while ((p = memchr(p, '!', (size_t)(end - p))) != NULL) {
		sv->excl++;
		p++;
	}
	for (p = text; (p = memchr(p, '?', (size_t)(end - p))) != NULL; p++)
		sv->quest++;
}

/* Takes the unit at the window's position, the longest phrase there or
 * one token, and moves past it. */
static void
unit_take(struct tokwin *w, struct unit *u)
{
	const struct tok *t0 = win_at(w, 0), *t;
	const struct lex_entry *e = t0->e, *pe, *found[PHRASE_MAX + 1];
	char key[PHRASE_KEY_MAX + 8];	/* zero-padded for lex_lookup */
	size_t len = 0, k, n = 1, max;
	int upper = t0->upper;

	if (e != NULL && e->phrase_max > 1 && !t0->emo) {
		/* The longest phrase of the next words that carries something.
		 * Every phrase's first words are entries (LEX_PREFIX), so
		 * reading stops at the first words that start none: mostly
		 * after one lookup, "a" of "a bit" followed by "problem". */
		max = e->phrase_max < PHRASE_MAX ? e->phrase_max : PHRASE_MAX;
		memcpy(key, t0->key, t0->keylen);
		len = t0->keylen;
		for (k = 1; k < max; k++) {
			t = win_at(w, (long)k);
			if (t == NULL || t->brk || t->ovf || t->emo)
				break;
			key[len++] = ' ';
			memcpy(key + len, t->key, t->keylen);
			len += t->keylen;
			memset(key + len, 0, 8);
			pe = lex_lookup(w->lex, key, len);
			if (pe == NULL || !(pe->flags & LEX_PREFIX))
				break;
			found[k + 1] = pe;
		}
		for (; k >= 2; k--) {
			pe = found[k];
			if (pe->flags & (LEX_VALENCE | LEX_BOOSTER | LEX_NEGATOR)) {
				e = pe;
				n = k;
				break;
			}
		}
		for (k = 1; k < n; k++)
			upper = upper && win_at(w, (long)k)->upper;
	}
	memset(u, 0, sizeof(*u));
	u->e = e;
	u->off = t0->off;
	u->upper = (unsigned char)upper;
	if (e != NULL) {
		u->booster = (e->flags & LEX_BOOSTER) ? e->booster : 0;
		u->lexword = (e->flags & LEX_VALENCE) && !(e->flags & LEX_BOOSTER);
		u->negator = (e->flags & LEX_NEGATOR) != 0;
		u->special = e->special;
	}
	if (n == 1 && key_nt(t0))
		u->negator = 1;
	u->emo = t0->emo;
	u->brk = t0->brk;
	w->pos += n;
}

/* 1 if the token at the window's position is a unit on its own that
 * carries nothing: not in the lexicon, or there without a valence, a
 * degree, a negation, a special role or a phrase to start, and no "n't"
 * -- most tokens.  unit_take would make it a unit of zeros. */
static inline int
tok_idle(const struct tok *t)
{
	const struct lex_entry *e = t->e;

	if (e != NULL && ((e->flags & (LEX_VALENCE | LEX_BOOSTER |
	    LEX_NEGATOR)) != 0 || e->special != SP_NONE || e->phrase_max > 1))
		return 0;
	return !key_nt(t);
}

static int
sp_is(const struct unit *u, enum special a, enum special b)
{
	return u->special == a || u->special == b;
}

/* 1 if the text at p, up to end, is spaces and "at all" as two words.
 * Read from the bytes, not the window: reading tokens ahead would take
 * them from units_skip's short cuts. */
static int
at_all(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q = space_skip(p, end);

	if (q == p || end - q < 6 || (q[0] | 0x20) != 'a' || (q[1] | 0x20) != 't')
		return 0;
	p = q + 2;
	q = space_skip(p, end);
	if (q == p || end - q < 3 || (q[0] | 0x20) != 'a' ||
	    (q[1] | 0x20) != 'l' || (q[2] | 0x20) != 'l')
		return 0;
	return q + 3 == end || q[3] >= 0x80 || ascii_cc[q[3]] != CC_WORD;
}

/* How many of the nh units before u, h[0] nearest, are in its sentence.
 * Negations and degree words reach back to the sentence's start, not
 * over its end ("not hating; just confused"), as negation scope is
 * taken to end at punctuation since Pang, Lee & Vaithyanathan (EMNLP
 * 2002); VADER reaches over it.  Not at a comma, which more often joins
 * a list ("not smart, handsome, nor funny") than it ends a thought. */
static inline size_t
unit_scope(const struct unit *u, const struct unit *h, size_t nh)
{
	size_t d;

	if (u->brk & BRK_STOP)
		return 0;
	for (d = 0; d + 1 < nh; d++)
		if (h[d].brk & BRK_STOP)
			return d + 1;
	return nh;
}

/* 1 if the word at p starts with a capital (ASCII or Latin-1): in
 * German a noun, in German and Dutch a name, when inside a sentence. */
static int
cap_initial(const unsigned char *p, const unsigned char *end)
{
	if (*p >= 'A' && *p <= 'Z')
		return 1;
	return p[0] == 0xC3 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9E &&
	    p[1] != 0x97;
}

/* 1 if a clause-final negation may negate the word of entry e, at p:
 * a word the lexicon says what it means negated, or a positive one --
 * what a verb there is ("lädt", "gefällt") -- not a negative one, most
 * often the verb's object ("ik begrijp het probleem niet"); nor a word
 * written with a capital inside a sentence (mid 1): in German a noun,
 * in both a name. */
static int
final_target(const struct lex_entry *e, const unsigned char *p,
    const unsigned char *end, int mid)
{
	if (!(e->flags & LEX_VALENCE) || (e->flags & LEX_BOOSTER) ||
	    (!(e->flags & LEX_NEGATED) && e->valence <= 0))
		return 0;
	return !mid || !cap_initial(p, end);
}

/* Tokens a clause-final negation may stand after the word it negates,
 * and the particles after it ("nicht mehr an"), at most. */
#define FINAL_REACH	6
#define FINAL_PARTS	2

/* 1 if t (NULL past the text) ends the clause before it: a break, an
 * emoji, a contrast word or the text's end. */
static inline int
clause_end(const struct tok *t)
{
	return t == NULL || t->brk || t->emo ||
	    (t->e != NULL && t->e->special == SP_BUT);
}

/*
 * German and Dutch put "nicht"/"niet" after the verb, at the clause's
 * end ("Seit heute lädt das Dashboard nicht mehr"), where the negations
 * before a word never reach.  1 if such a negation follows the unit just
 * taken (the window is past it): within FINAL_REACH tokens, with no
 * other word it may negate between (final_target: the nearest takes
 * the negation), then at most
 * FINAL_PARTS particles ("mehr", "an"), then the clause's end: a break,
 * a contrast word, an emoji or the text's end.  A negation followed by
 * more words negates what follows, as before.
 */
static int
final_negation(struct tokwin *w)
{
	const struct tok *t;
	const struct lex_entry *e;
	long k;

	for (k = 0;; k++) {
		if (k == FINAL_REACH || (t = win_at(w, k)) == NULL || t->brk ||
		    t->emo)
			return 0;
		if ((e = t->e) == NULL)
			continue;
		if (e->special == SP_FINAL_NEG)
			break;
		if (e->flags & LEX_NEGATOR)
			return 0;
		if (final_target(e, w->tz.text + t->off, w->tz.end, !t->upper))
			return 0;
	}
	for (k++; k <= FINAL_REACH + FINAL_PARTS; k++) {
		if (clause_end(t = win_at(w, k)))
			return 1;
		if (t->e == NULL || t->e->special != SP_FINAL_PART)
			return 0;
	}
	return 0;
}

/*
 * German and Dutch split a separable verb ("abstürzen", "aankomen"): its
 * particle ends the clause, words after the verb ("Die App stürzt
 * ständig ab"), where a phrase of adjacent words never matches.  When
 * the unit just taken is a word that starts a phrase (the window is past
 * it) and the clause ends within FINAL_REACH + FINAL_PARTS tokens on a
 * particle (SP_FINAL_PART), the entry of the phrase of the word and that
 * particle, if the lexicon has one with a valence ("stürzt ab"), or
 * NULL.  A negation before the particle then negates that phrase
 * (final_negation: "kommt nicht an").
 */
static const struct lex_entry *
separable(struct tokwin *w, const struct tok *t0)
{
	const struct tok *t, *last = NULL;
	const struct lex_entry *pe;
	char key[2 * KEY_MAX + 8];	/* zero-padded for lex_lookup */
	size_t len;
	long k;

	/* win_fill, not the inline win_at: this is rare, and every call
	 * site of win_at weighs on where the compiler inlines it */
	for (k = 0;; k++) {
		if (clause_end(t = win_fill(w, k)))
			break;
		if (k == FINAL_REACH + FINAL_PARTS)
			return NULL;
		last = t;
	}
	if (last == NULL || last->e == NULL ||
	    last->e->special != SP_FINAL_PART || t0->ovf)
		return NULL;
	len = t0->keylen;
	memcpy(key, t0->key, len);
	key[len++] = ' ';
	memcpy(key + len, last->key, last->keylen);
	len += last->keylen;
	memset(key + len, 0, 8);
	pe = lex_lookup(w->lex, key, len);
	return pe != NULL && (pe->flags & LEX_VALENCE) ? pe : NULL;
}

/* For the word unit u just taken, in a language whose negations end
 * clauses: the phrase it makes with a separable particle, if any, in u,
 * and 1 if a clause-final negation negates it (final_negation). */
static int
final_after(struct tokwin *w, struct unit *u, size_t nh)
{
	const struct lex_entry *pe;

	if (u->e->phrase_max > 1 && !(u->e->flags & LEX_PHRASE) &&
	    (pe = separable(w, win_fill(w, -1))) != NULL) {
		u->e = pe;
		u->special = pe->special;
	}
	return final_target(u->e, w->tz.text + u->off, w->tz.end,
	    !u->upper && nh > 0 && !(u->brk & BRK_STOP)) ?
	    final_negation(w) : 0;
}

/* 1 if a comma stands between h[d] and u. */
static int
unit_comma(const struct unit *u, const struct unit *h, size_t d)
{
	size_t j;

	if (u->brk & BRK_COMMA)
		return 1;
	for (j = 0; j < d; j++)
		if (h[j].brk & BRK_COMMA)
			return 1;
	return 0;
}

/* The valence of unit u given the (up to) three units before it, h[0]
 * nearest: the lexicon's, plus emphasis (ALL CAPS among mixed case,
 * degree adverbs up to three words back, damped with distance), negated
 * by negations up to three words back and by "least" ("at least" and
 * "very least" excepted), and by a clause-final negation after it when
 * after is 1 (final_negation). "never so/this good" is emphasis, not
 * negation; "without (a) doubt" does not negate. */
static double
unit_valence(const struct unit *u, const struct unit *h, size_t nh,
    int cap_diff, int after, struct tokwin *w)
{
	static const double damp[3] = { 1.0, 0.95, 0.9 };
	const struct lex_entry *e = u->e;
	const struct tok *next;
	double base, emph = 0, factor = 1, v, mag;
	size_t d;
	int negs = 0, i;

	if (!u->lexword)
		return 0;
	base = e->valence;
	if (u->emo)
		return base;	/* unlike VADER, ":(" is not negated or boosted */
	if (u->special == SP_NO && (next = win_at(w, 0)) != NULL &&
	    next->e != NULL && (next->e->flags & LEX_VALENCE))
		base = 0;	/* "no problem": a determiner, not a word */
	if (u->upper && cap_diff)
		emph += SENTIMENT_C_INCR;
	for (d = 0; d < nh && d < 3; d++) {
		const struct unit *p = &h[d];

		if (p->lexword) {
			/* lexicon words neither boost nor negate, but "no",
			 * and a phrase the lexicon makes a negation too: "ist
			 * immer noch nicht gelöst" is a complaint and the
			 * "nicht" of "gelöst" at once */
			if (p->special == SP_NO && (d < 2 ||
			    sp_is(&h[0], SP_OR, SP_NOR)))
				negs++;
			else if (p->negator && (p->e->flags & LEX_PHRASE))
				negs++;
			continue;
		}
		if (p->booster != 0)
			emph += (p->booster + (p->upper && cap_diff ?
			    SENTIMENT_C_INCR : 0)) * damp[d];
		if (!p->negator)
			continue;
		if (p->special == SP_FINAL_NEG && unit_comma(u, h, d))
			;	/* "hilft nicht weiter, aber danke": it ended
				 * its clause, negating backwards */
		else if (p->special == SP_NEVER && d > 0 && (sp_is(&h[0], SP_SO,
		    SP_THIS) || (d == 2 && sp_is(&h[1], SP_SO, SP_THIS))))
			factor *= 1.25;
		else if (p->special == SP_WITHOUT && d > 0 &&
		    (h[0].special == SP_DOUBT || (d == 2 &&
		    h[1].special == SP_DOUBT)))
			;
		else
			negs++;
	}
	if (nh > 0 && h[0].special == SP_LEAST && !h[0].lexword &&
	    !(nh > 1 && sp_is(&h[1], SP_AT, SP_VERY)))
		negs++;
	negs += after;
	if (negs > 1 && w->lex->concord)
		negs = 1;	/* "no funciona nada": one negation, stressed */

	/* "not helpful at all": "at all" after a negated word strengthens
	 * the negation like a degree adverb (VADER does not look at it).
	 * The unit's last token is the one behind the window's position. */
	if ((negs & 1) && (next = win_fill(w, -1)) != NULL &&
	    at_all(w->tz.text + next->off + next->len, w->tz.end))
		emph += SENTIMENT_B_INCR;
	if ((negs & 1) && (e->flags & LEX_NEGATED)) {
		/* the lexicon says what this word means negated */
		mag = (e->negated < 0 ? -e->negated : e->negated) + emph;
		if (mag < 0)
			mag = 0;	/* dampened, not turned round */
		v = e->negated < 0 ? -mag : mag;
		for (i = 1; i < negs; i++)
			v *= -SENTIMENT_N_SCALAR;
	} else {
		if (base == 0)
			return 0;
		mag = (base < 0 ? -base : base) + emph;
		if (mag < 0)
			mag = 0;
		v = base < 0 ? -mag : mag;
		for (i = 0; i < negs; i++)
			v *= v < 0 ? SENTIMENT_N_SCALAR_NEG : SENTIMENT_N_SCALAR;
	}
	return v * factor;
}

/* 0 if unit_valence of u gives the same with cap_diff 0 and 1: neither
 * u nor a degree word it looks back at (h[0..2] within scope) is in
 * capitals, the only places cap_diff is read.  Most units, so the
 * second valuation is spared. */
static inline int
unit_caps(const struct unit *u, const struct unit *h, size_t scope)
{
	size_t d;

	if (u->upper)
		return 1;
	for (d = 0; d < scope && d < 3; d++)
		if (h[d].booster != 0 && h[d].upper)
			return 1;
	return 0;
}

/* Keeps the SENTIMENT_WORDS_MAX strongest, in text order. */
static void
words_keep(struct sentiment_result *out, const char *word, double v)
{
	size_t i, m = 0;
	double av = v < 0 ? -v : v, am;

	out->words_total++;
	if (out->words_count < SENTIMENT_WORDS_MAX) {
		out->words[out->words_count].word = word;
		out->words[out->words_count++].valence = v;
		return;
	}
	for (i = 1; i < SENTIMENT_WORDS_MAX; i++) {
		double ai = out->words[i].valence, a0 = out->words[m].valence;

		if ((ai < 0 ? -ai : ai) < (a0 < 0 ? -a0 : a0))
			m = i;
	}
	am = out->words[m].valence < 0 ? -out->words[m].valence :
	    out->words[m].valence;
	if (av <= am)
		return;
	memmove(&out->words[m], &out->words[m + 1],
	    (SENTIMENT_WORDS_MAX - m - 1) * sizeof(out->words[0]));
	out->words[SENTIMENT_WORDS_MAX - 1].word = word;
	out->words[SENTIMENT_WORDS_MAX - 1].valence = v;
}

/* sqrt by Newton's method, v >= 1: configure does not link libm. */
static double
norm_sqrt(double v)
{
	double y = 1.0;
	int i;

	while (y * y < v)
		y *= 2;
	for (i = 0; i < 8; i++)
		y = 0.5 * (y + v / y);
	return y;
}

/* x / sqrt(x^2 + alpha), within [-1, 1]. */
static double
normalize(double x)
{
	double r;

	if (x == 0)
		return 0;
	if (x > 1e6 || x < -1e6)
		return x > 0 ? 1.0 : -1.0;
	r = x / norm_sqrt(x * x + SENTIMENT_ALPHA);
	return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

/*
 * One pass: the survey (how many tokens, how many in capitals, where the
 * first "but" is) is needed to weigh every unit, but it only scales what
 * the units are worth.  So each unit that carries valence is kept with
 * its value both ways (capitals emphasised or not) and its offset, and
 * the sums are made at the end, in text order, exactly as two passes
 * would make them.  A text with more such units than fit in rec[] (some
 * tens of KB of emotional prose) is read a second time instead.
 */
#define REC_MAX		512

struct unit_rec {
	size_t		 off;
	double		 v[2];		/* cap_diff 0, 1 */
	const char	*word;
};

struct tally {
	double		 sum, pos_sum, neg_sum;
	size_t		 neu;
};

static void
tally_add(struct tally *ty, const struct survey *sv, size_t off, double v,
    const char *word, struct sentiment_result *out)
{
	if (sv->but_off != SIZE_MAX && off < sv->but_off)
		v *= 0.5;
	else if (sv->but_off != SIZE_MAX && off > sv->but_off)
		v *= 1.5;
	ty->sum += v;
	if (v > 0)
		ty->pos_sum += v + 1;
	else if (v < 0)
		ty->neg_sum += v - 1;
	else
		ty->neu++;
	if (v != 0)
		words_keep(out, word, v);
}

/* A unit that carries nothing at the window's position, t: what
 * unit_take and unit_valence would make of it is a neutral unit that
 * only keeps a place in h[], all zero there; after three of them h[] no
 * longer changes.  Also for a unit of one token whose entry has no
 * valence, degree, negation or special role (a phrase's first word
 * without its phrase, "the" of "the worst" before "order"): unit_take
 * leaves every field unit_valence reads of it zero, so that its place
 * in h[] is the same as an idle token's. */
static inline void
unit_idle(struct tokwin *w, const struct survey *sv, const struct tok *t,
    struct unit_rec *rec, size_t *neu, struct tally *ty,
    struct sentiment_result *out, struct unit *h, size_t *nh, size_t *idle)
{
	if (rec == NULL)
		tally_add(ty, sv, t->off, 0, NULL, out);
	else
		(*neu)++;
	w->pos++;
	if (*idle < 3) {
		h[2] = h[1];
		h[1] = h[0];
		memset(&h[0], 0, sizeof(h[0]));
		h[0].brk = t->brk;
		(*idle)++;
		if (*nh < 3)
			(*nh)++;
	}
}

/* Appends t's key to key[0, len), returning the new length: eight bytes
 * at a time (a copy of variable length is a call, or a loop a byte at a
 * time), which may write up to 7 bytes past the new length, all within
 * key[2 * KEY_MAX + 8] for two keys and a space.  t has been looked up:
 * its key is zero-padded, so the copy reads only key[KEY_MAX + 8]. */
static inline size_t
key_cat(char *key, size_t len, const struct tok *t)
{
	size_t k;

	for (k = 0; k < t->keylen; k += 8)
		memcpy(key + len + k, t->key + k, 8);
	return len + t->keylen;
}

/* 1 if a token whose entry is e (NULL: none) makes a neutral unit on its
 * own: tok_idle for a word of word_scan's, which has no ' (so no "n't"). */
static inline int
entry_idle(const struct lex_entry *e)
{
	return e == NULL || ((e->flags & (LEX_VALENCE | LEX_BOOSTER |
	    LEX_NEGATOR)) == 0 && e->special == SP_NONE && e->phrase_max <= 1);
}

/* word_scan is read twice in skip_short's loop, and is only cheap inline,
 * its results in registers. */
#if defined(__GNUC__)
#define WORD_SCAN_INLINE	inline __attribute__((always_inline))
#else
#define WORD_SCAN_INLINE	inline
#endif

/*
 * A word at q (after spaces) that tz_short or tz_plain would cut whole
 * from eight or sixteen bytes read at once: fewer than 16 ASCII letters
 * and digits, then an ASCII space or control character (*after 0, the
 * one tz_short takes), or one of ".,!?;:" and such a space (*after its
 * brk_byte: what tz_plain takes with the word, noting the break), when no
 * emoticon is there (tz_plain's tests, emo_ascii).  Sets its key in
 * kb[16], zero-padded, its length and whether it is in capitals (the
 * folding and case of tz_short and tz_plain, from the same masks): 1.
 * Else 0, and tz_short would cut no token at q either.
 */
static WORD_SCAN_INLINE int
word_scan(const struct sentiment *lex, const unsigned char *q,
    const unsigned char *end, char *kb, size_t *lenp, int *after, int *up)
{
	uint64_t x, stop, keep, fold0, fold1;
	size_t len;

	/* tz_short's tests, then tz_plain's for a longer word */
	if (end - q < 8 || word_case[*q] == 0)
		return 0;
	x = load_le64(q);
	stop = swar_word(x);
	if (stop != 0) {
		keep = (stop & -stop) - 1;
		len = swar_len(stop);
		keep >>= 7;	/* the whole bytes before it */
		fold0 = (x | SWAR_ONES * 0x20) & keep;
		fold1 = 0;
		*up = (swar_caps(x) & keep) != 0 && (swar_small(x) & keep) == 0;
	} else {
		uint64_t x1;

		if (end - q < 16)
			return 0;
		fold0 = x | SWAR_ONES * 0x20;
		x1 = load_le64(q + 8);
		stop = swar_word(x1);
		if (stop == 0)
			return 0;
		keep = (stop & -stop) - 1;
		len = 8 + swar_len(stop);
		keep >>= 7;
		fold1 = (x1 | SWAR_ONES * 0x20) & keep;
		*up = (swar_caps(x) != 0 || (swar_caps(x1) & keep) != 0) &&
		    swar_small(x) == 0 && (swar_small(x1) & keep) == 0;
	}
	/* q[len] and q[len + 1] lie within the bytes read or before end:
	 * len < 8 <= end - q, or len < 16 <= end - q */
	if (q[len] <= 0x20)
		*after = 0;
	else if (brk_byte(q[len]) && q + len + 1 < end && q[len + 1] <= 0x20) {
		if (emo_has(lex->emo_first, ascii_lower(*q)) &&
		    emo_ascii(lex, q, q + len + 1))
			return 0;
		*after = brk_byte(q[len]);
	} else
		return 0;
	store_le64(kb, fold0);
	store_le64(kb + 8, fold1);
	*lenp = len;
	return 1;
}

/*
 * The commonest tokens of all, plain words (word_scan) that carry
 * nothing, without a struct tok: from a chunk's start, each looked up
 * with its key as win_tok pads it, and found entry_idle -- or the first
 * word of phrases that is nothing alone, when the word after it does not
 * go on to one of them (units_skip's test, made on the bytes: the next
 * token is at the end of the text, or has a sentence break before it,
 * or is a word of word_scan's whose key does not follow on the first
 * word's in a LEX_PREFIX entry) -- are counted as units_skip would
 * count them: through the survey (a token, in capitals or not, maybe a
 * trigger word: survey_tok for a token that is no emoticon and no "but")
 * and unit_idle (a neutral unit; with rec NULL tally_add of 0 is only
 * ty->neu++: adding +0 to a sum that starts at +0 changes nothing).
 * Their brk goes only into h[] (unit_idle's, for unit_valence's scope
 * of negations), and only while it changes.  The window's position and end move on together; the
 * ring's places are not written, and the scorer never looks behind the
 * current token.  The tokenizer is left between chunks, after spaces
 * (chunk_end NULL means that, and tz_next would skip them), with the
 * sentence break the last word noted.  The first word of word_scan's
 * that is not so is cut into the ring's place at the window's (new) end
 * as tz_short or tz_plain would cut it, with the entry found here, and
 * surveyed, as win_tok would: 1.  Else 0, and tz_short would not cut a
 * token where the tokenizer now is.
 */
static inline int
skip_short(struct tokwin *w, struct unit_rec *rec, size_t *neu,
    struct tally *ty, struct unit *h, size_t *nh, size_t *idle)
{
	const struct sentiment *lex = w->lex;
	struct tokenizer *tz = &w->tz;
	struct tok *t;
	const unsigned char *q = tz->p, *end = tz->end, *q2;
	const struct lex_entry *e = NULL, *pe;
	size_t len, len2, n = 0, upper = 0;
	char kb[16], kb2[16];	/* keys, zero-padded */
	char key[40];		/* two keys and a space, zero-padded */
	const struct lex_entry *e2 = NULL;
	uint32_t hw = 0, hw2 = 0, pb;	/* the words' hashes */
	int trigger = 0, got = 0, brk = tz->brk, after = 0, after2 = 0, up,
	    up2 = 0, have2 = 0;

	if (tz->chunk_end != NULL && q < tz->chunk_end)
		return 0;
	for (;;) {
		q = space_skip(q, end);
		if (have2) {
			/* the word after a phrase's first word, read for the
			 * phrase's sake and looked up: the same as below */
			memcpy(kb, kb2, 16);
			len = len2;
			after = after2;
			up = up2;
			e = e2;
			hw = hw2;
			have2 = 0;
		} else {
			if (!word_scan(lex, q, end, kb, &len, &after, &up))
				break;
			e = lex_lookup_hash(lex, kb, len, &hw);
		}
		if (!entry_idle(e)) {
			/* entry_idle and this say e->phrase_max > 1 */
			if ((e->flags & (LEX_VALENCE | LEX_BOOSTER |
			    LEX_NEGATOR)) != 0 || e->special != SP_NONE) {
				got = 1;
				break;
			}
			if (!after) {
				q2 = space_skip(q + len + 1, end);
				if (q2 < end) {
					if (!word_scan(lex, q2, end, kb2, &len2,
					    &after2, &up2)) {
						got = 1;
						break;
					}
					/* q2 is where the loop goes on: its
					 * word is read, and looked up once */
					e2 = lex_lookup_hash(lex, kb2, len2, &hw2);
					have2 = 1;
					pb = lex_pair_bit(hw, hw2);
					if ((lex->pairs[pb / 64] >> (pb % 64)) & 1) {
						memcpy(key, kb, 16);
						key[len] = ' ';
						memcpy(key + len + 1, kb2, 16);
						memset(key + len + 1 + len2, 0, 8);
						pe = lex_lookup(lex, key,
						    len + 1 + len2);
						if (pe != NULL &&
						    (pe->flags & LEX_PREFIX)) {
							got = 1;
							break;
						}
					}
				}
			}
		}
		n++;
		upper += up;
		if (e != NULL && (e->flags & LEX_TRIGGER) != 0)
			trigger = 1;
		if (*idle < 3) {
			h[2] = h[1];
			h[1] = h[0];
			memset(&h[0], 0, sizeof(h[0]));
			h[0].brk = (unsigned char)brk;
			(*idle)++;
			if (*nh < 3)
				(*nh)++;
		}
		brk = after;
		q += len + 1;
	}
	tz->p = q;
	tz->brk = brk;
	if (n > 0) {
		tz->chunk_end = NULL;
		if (w->sv != NULL) {
			w->sv->tokens += n;
			w->sv->upper += upper;
			if (trigger)
				w->sv->trigger = 1;
		}
		if (rec == NULL)
			ty->neu += n;
		else
			*neu += n;
		w->pos += n;
		w->filled += n;
	}
	if (!got)
		return 0;
	/* what tz_short or tz_plain, and win_tok, would store */
	t = &w->ring[w->filled % WIN];
	memcpy(t->key, kb, 16);
	memset(t->key + len, 0, 8);
	t->off = (size_t)(q - tz->text);
	t->len = len;
	t->e = e;
	t->ovf = 0;
	t->keylen = (unsigned char)len;
	t->upper = (unsigned char)up;
	t->emo = 0;
	t->brk = (unsigned char)brk;
	tz->brk = after;
	tz->chunk_end = q + len + (after != 0);
	tz->p = q + len + 1;
	if (w->sv != NULL)
		survey_tok(w->sv, t);
	return 1;
}

/*
 * Most tokens carry nothing: when the window holds no token ahead (the
 * scorer's reads only what it is asked for), the next ones are read here,
 * one by one into the ring's next place, and those that make neutral
 * units are counted there and then (unit_idle) and let go, the window's
 * position and end moving on together, as if win_at and the loop of
 * units_run had taken them.  Exact because every token is still read,
 * looked up and surveyed once, in text order, as win_read would (by
 * skip_short, win_tok_long or win_tok); and a token is only let go when the unit machinery would make
 * a neutral unit of it: tok_idle, or the first word of phrases that is
 * nothing alone, when the token after it does not go on to one of them
 * -- unit_take's test, made here on the next token, which then stays in
 * the ring as the next one to look at.  Anything else is left in the
 * window (w->filled) for units_run's general path, with the token after
 * it when read.  Returns 1 at the end of the text.
 */
static int
units_skip(struct tokwin *w, const struct survey *sv, struct unit_rec *rec,
    size_t *neu, struct tally *ty, struct sentiment_result *out,
    struct unit *h, size_t *nh, size_t *idle)
{
	const struct lex_entry *e, *pe;
	struct tok *t, *t2;
	char key[2 * KEY_MAX + 8];	/* zero-padded for lex_lookup */
	size_t len;
	int have = 0;	/* the token at w->filled is read already */

	for (;;) {
		if (!have && skip_short(w, rec, neu, ty, h, nh, idle))
			have = 1;
		t = &w->ring[w->filled % WIN];
		if (!have && !win_tok_long(w, t))
			return 1;
		have = 0;
		if (tok_idle(t)) {
			w->filled++;
			unit_idle(w, sv, t, rec, neu, ty, out, h, nh, idle);
			continue;
		}
		/* tok_idle says e->phrase_max > 1 if nothing else */
		e = t->e;
		if (e == NULL || t->emo || (e->flags & (LEX_VALENCE |
		    LEX_BOOSTER | LEX_NEGATOR)) != 0 || e->special != SP_NONE ||
		    key_nt(t)) {
			w->filled++;
			return 0;
		}
		t2 = &w->ring[(w->filled + 1) % WIN];
		if (win_tok(w, t2) && !t2->brk && !t2->ovf && !t2->emo) {
			len = key_cat(key, 0, t);
			key[len++] = ' ';
			len = key_cat(key, len, t2);
			memset(key + len, 0, 8);
			pe = lex_lookup(w->lex, key, len);
			if (pe != NULL && (pe->flags & LEX_PREFIX)) {
				w->filled += 2;	/* unit_take's */
				return 0;
			}
		}
		/* a unit of its own, carrying nothing; the next token (if
		 * any) is read */
		w->filled++;
		unit_idle(w, sv, t, rec, neu, ty, out, h, nh, idle);
		if (w->eof)
			return 1;
		have = 1;
	}
}

/* ---- sarcasm ------------------------------------------------------ */

/* What the units of a text said of sarcasm (sarcasm_note). */
#define SARCASM_GUSHES	4	/* praise kept to look at, at most */

struct sarcasm {
	size_t		 gush[SARCASM_GUSHES][2];	/* praise that may be an
					 * exclamation: its bytes */
	unsigned char	 gushes;
	unsigned char	 frame;		/* praise as a frame */
	unsigned char	 mock;		/* "yeah, sure", "yeah right": may
					 * mock quoted words instead of a
					 * fact */
	unsigned char	 fact;		/* a negative support fact */
	unsigned char	 fixed;		/* a fact reported resolved */
	size_t		 fact_end;	/* the last fact's end, its bytes */
};

/* Texts of at most this many tokens may be sarcastic: a sarcastic line in
 * a long mail is left alone rather than risk turning its sincere praise. */
#define SARCASM_TOKENS	40

/* Where the ASCII word [p, p + len), lowercased, stands in list (" a b
 * "), at its space before; NULL if not there. */
static const char *
word_listed(const char *list, const unsigned char *p, size_t len)
{
	char key[14];
	size_t i;

	if (len > 10)
		return NULL;
	key[0] = ' ';
	for (i = 0; i < len; i++)
		key[i + 1] = (char)ascii_lower(p[i]);
	key[len + 1] = ' ';
	key[len + 2] = '\0';
	return strstr(list, key);
}

/* 1 if [p, p + len) is a word that may open an exclamation of praise
 * ("oh", "wow, what", "just"); *what set for those after which a noun may
 * follow the praise ("what amazing service,"). */
static int
gush_lead(const unsigned char *p, size_t len, int *what)
{
	static const char leads[] = " a absolutely ah an gee gosh how jeez just "
	    "oh really simply so such well what wow yeah ";
	const char *q;

	if ((q = word_listed(leads, p, len)) == NULL)
		return 0;
	if (q[1] == 'w' ? q[2] == 'h' : q[1] == 'h' || (q[1] == 's' &&
	    q[2] == 'u'))
		*what = 1;	/* "what", "how", "such" */
	return 1;
}

/* 1 if the praise ending at end closes the text, maybe with what it
 * praises and whom ("Great job, guys.", "Well done!"): only punctuation,
 * spaces and emoji follow.  After a complaint in a short text such
 * praise is the sarcasm's punch line, as much as an exclamation before
 * it ("Charged twice for the same order. Great job, guys."). */
static int
gush_closing(const unsigned char *text, size_t len, size_t end)
{
	static const char *const after[] = {
		" effort job service stuff support work ",
		" again all everybody everyone folks guys people team y'all ",
	};
	const unsigned char *p = text + end, *q, *e = text + len;
	size_t i, n;

	for (i = 0; i <= NELEM(after); i++) {
		while (p < e && (*p == ' ' || *p == '\t' || *p == ',' ||
		    *p == '"' || *p == '\''))
			p++;
		for (q = p; q < e && (word_case[*q] != 0 || *q == '\''); q++)
			;
		if (q == p)
			break;
		if (i == NELEM(after) || word_listed(after[i], p,
		    (size_t)(q - p)) == NULL) {
			if (i == 0)
				continue;	/* no noun: maybe whom */
			return 0;
		}
		p = q;
	}
	while (p < e) {
		if (*p < 0x80) {
			if (word_case[*p] != 0)
				return 0;
			p++;
		} else if (cc_class(utf8_decode(p, e, &n)) == CC_WORD)
			return 0;
		else
			p += n;
	}
	return 1;
}

/* 1 if the praise at [off, end) of text stands as an exclamation: its
 * clause holds only lead words before it (back to a sentence's or a
 * line's start) and ends after it ("Great, ...", "Just perfect.",
 * "Wow!"), or after one more word when a lead was "what", "how" or
 * "such" ("What amazing service, ...").  "Great service, ..." praises
 * the service.  Praise closing the text (gush_closing) may also start
 * after a comma ("..., really great job.").  Read from the bytes once
 * the text is read, and only when the rest of it may be sarcastic. */
static int
gush_alone(const unsigned char *text, size_t len, size_t off, size_t end)
{
	const unsigned char *p = text + off, *q, *e = text + len;
	int words = 0, what = 0, closing = gush_closing(text, len, end);

	for (;;) {
		while (p > text && (p[-1] == ' ' || p[-1] == '\t' ||
		    (p[-1] == ',' && !closing) || p[-1] == '"' || p[-1] == '\''))
			p--;
		if (p == text || p[-1] == '\n' || p[-1] == '\r' ||
		    brk_byte(p[-1]) != 0)
			break;
		for (q = p; q > text && word_case[q[-1]] != 0; q--)
			;
		if (q == p || ++words > 3 || !gush_lead(q, (size_t)(p - q), &what))
			return 0;
		p = q;
	}
	if (closing)
		return 1;
	for (p = text + end;; what = 0) {
		while (p < e && (*p == ' ' || *p == '\t' || *p == '"' ||
		    *p == '\''))
			p++;
		if (p == e || *p == '\n' || brk_byte(*p) || *p >= 0xF0)
			return 1;	/* the end, a break, an emoji */
		if (!what)
			return 0;
		while (p < e && word_case[*p] != 0)
			p++;
	}
}

/* Notes what the unit u, just taken, with valence v, says of sarcasm. */
static void
sarcasm_note(struct sarcasm *sc, const struct unit *u, double v,
    struct tokwin *w)
{
	const struct tok *t;

	if (u->e->flags & LEX_NEGATED) {
		/* the support verbs: "never arrived" is a fact, "fixed" and
		 * "works" report one resolved */
		if (v <= -1.0)
			sc->fact = 1;
		else if (v > 0)
			sc->fixed = 1;
	}
	switch (u->special) {
	case SP_FACT:
		if (v < 0) {
			sc->fact = 1;
			t = &w->ring[(w->pos - 1) % WIN];
			sc->fact_end = t->off + t->len;
		}
		break;
	case SP_FIXED:
		if (v >= 0)	/* "is over" carries no valence */
			sc->fixed = 1;
		break;
	case SP_GONE:
		/* one space after the fact: "The bug is gone" */
		if (v >= 0 && sc->fact && u->off == sc->fact_end + 1)
			sc->fixed = 1;
		break;
	case SP_FRAME:
		sc->frame = 1;
		break;
	case SP_GUSH:
		if (v > 0 && sc->gushes < SARCASM_GUSHES) {
			/* the unit's last token, just behind the window's
			 * position */
			t = &w->ring[(w->pos - 1) % WIN];
			sc->gush[sc->gushes][0] = u->off;
			sc->gush[sc->gushes++][1] = t->off + t->len;
		}
		break;
	case SP_YEAH:
		if (u->e->flags & LEX_PHRASE) {
			sc->frame = sc->mock = 1;	/* "yeah right" */
			break;
		}
		t = win_at(w, 0);
		if (t != NULL && !(t->brk & BRK_STOP) && ((t->keylen == 4 &&
		    memcmp(t->key, "sure", 4) == 0) || (t->keylen == 5 &&
		    memcmp(t->key, "right", 5) == 0)))
			sc->mock = 1;
		break;
	default:
		break;
	}
}

/* 1 if the text quotes a phrase of two words or more, as a customer
 * quotes a company's words to mock them ("'we value your business'"):
 * an opening ' or " (or U+201C) after a space or the start, before a
 * letter, and its closing one after a letter, before a non-letter, with
 * a space between; an apostrophe inside a word ("don't") opens none. */
static int
scare_quotes(const unsigned char *text, const unsigned char *end)
{
	const unsigned char *p, *q;
	size_t olen, clen;
	int spaces;

	for (p = text; p < end; p++) {
		if (*p == '\'' || *p == '"')
			olen = 1;
		else if (end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
		    p[2] == 0x9C)
			olen = 3;
		else
			continue;
		if ((p > text && p[-1] != ' ' && p[-1] != '\t' &&
		    p[-1] != '\n') || p + olen >= end || word_case[p[olen]] == 0)
			continue;
		spaces = 0;
		for (q = p + olen; q < end && *q != '\n'; q++) {
			if (*q == ' ')
				spaces++;
			if (olen == 1)
				clen = *q == *p;
			else
				clen = end - q >= 3 && q[0] == 0xE2 &&
				    q[1] == 0x80 && q[2] == 0x9D ? 3 : 0;
			if (clen == 0 || q[-1] == ' ' ||
			    (q + clen < end && word_case[q[clen]] != 0))
				continue;	/* "don't" inside the quote */
			if (spaces > 0)
				return 1;
			break;
		}
	}
	return 0;
}

/*
 * Closing courtesy.  A complaint that ends on its contrast word and a
 * formula of thanks ("nobody answers, but thanks.", "aber danke
 * trotzdem", "mais merci quand même") says its point before the "but":
 * the thanks is politeness.  VADER's rule for "but" (what follows it
 * counts 1.5 times, what precedes it half) would make the formula the
 * point and turn the complaint positive.  So when the words before such
 * an ending are a clear complaint (COURTESY_COMPLAINT; not the writer's
 * own apology or fault, nor a problem said to be over), the formula
 * counts nothing and its contrast word shifts no weight; "thanks for nothing" keeps its anger, whatever
 * a negation before the "but" made of it.  Only a formula that ends the
 * text: "..., but thanks for fixing it!" thanks for something, and
 * after words that are not negative ("It took a while, but thanks!")
 * the thanks is the point, both weighed as VADER does.  Per language,
 * folded as the scorer folds: the thanks, what may stand before or after
 * it ("trotzdem", "anyway"), and the "for nothing" that keeps its sign;
 * '|' between alternatives.  Our lists.
 */
static const struct {
	const char	*lang;
	const char	*thanks;
	const char	*tails;
	const char	*nothing;
	const char	*sorry;		/* the writer's own apology, or fault */
	const char	*over;		/* what says a problem is over */
} courtesies[] = {
	{ "en", "thanks|thank you|thx|many thanks|thanks a lot|thank you "
	    "very much|thanks so much|thank you so much", "anyway|anyways|"
	    "though|all the same|regardless|for trying|for your time|"
	    "for the effort|for your help|for the reply|for your reply|"
	    "for the answer|for your answer|for looking|for looking into it",
	    "for nothing", "sorry|apologies|apologise|apologize|apology|excuse|my mistake|"
	    "my bad|my fault|my error", "no longer|anymore|any more|went away|"
	    "is gone|are gone|is over" },
	{ "de", "danke|danke schon|danke sehr|vielen dank|dankeschon",
	    "trotzdem|dennoch|trotzdem fur die muhe|fur die muhe|"
	    "fur ihre muhe|fur die antwort|fur ihre antwort", "fur nichts",
	    "entschuldigung|entschuldigen|entschuldige|verzeihung|sorry|"
	    "mein fehler|meine schuld", "nicht mehr|weg|vorbei" },
	{ "fr", "merci|merci beaucoup", "quand meme|tout de meme|malgre tout|"
	    "pour votre aide|pour la reponse|pour votre reponse|"
	    "pour votre temps", "pour rien", "desole|desolee|pardon|excusez|excuse|"
	    "mon erreur|ma faute", "n'ai plus|n'avons plus|n'est plus|"
	    "n'y a plus|a disparu" },
	{ "es", "gracias|muchas gracias", "de todos modos|de todas formas|"
	    "de todas maneras|igual|igualmente|por intentarlo|por su ayuda|"
	    "por tu ayuda|por la respuesta|por su tiempo", "por nada",
	    "perdon|disculpe|disculpa|disculpen|siento|mi error|mi culpa",
	    "ya no|desaparecio" },
	{ "nl", "bedankt|dank je|dank u|dank je wel|dank u wel|dankjewel|"
	    "dankuwel", "toch|alsnog|evengoed|voor de moeite|voor het "
	    "antwoord|voor uw hulp|voor je hulp", "voor niets|voor niks",
	    "sorry|excuses|excuseer|pardon|mijn fout|mijn eigen fout|mijn schuld",
	    "niet meer|weg|verdwenen" },
	{ "it", "grazie|grazie mille|grazie tante", "comunque|lo stesso|"
	    "ugualmente|per la risposta|per l'aiuto|per il tempo",
	    "per niente|di niente", "scusa|scusate|scusi|scusami|dispiace|"
	    "mio errore|colpa mia|errore mio", "non ho piu|non e piu|"
	    "non c'e piu|sparito|sparita" },
	{ "pt", "obrigado|obrigada|muito obrigado|muito obrigada",
	    "mesmo assim|de qualquer forma|de qualquer maneira|"
	    "pela ajuda|pela resposta|pelo tempo|pela tentativa", "por nada",
	    "desculpe|desculpa|desculpas|perdao|erro meu|"
	    "culpa minha|meu erro", "ja nao|nao tenho mais|desapareceu|sumiu" },
};

#define COURTESY_TOKS	8	/* tokens of a formula with its contrast word */
#define COURTESY_BYTES	64	/* bytes of it to the text's end, at most */
#define COURTESY_COMPLAINT	-1.5	/* the words before it at most: a complaint */

/* The length of the longest alternative of alts that the words
 * [w, w + len) begin with, whole words; 0 if none. */
static size_t
alt_prefix(const char *alts, const char *w, size_t len)
{
	const char *a = alts, *bar;
	size_t n, best = 0;

	for (;; a = bar + 1) {
		if ((bar = strchr(a, '|')) == NULL)
			bar = a + strlen(a);
		n = (size_t)(bar - a);
		if (n > best && n <= len && memcmp(a, w, n) == 0 &&
		    (n == len || w[n] == ' '))
			best = n;
		if (*bar == '\0')
			return best;
	}
}

/* 1 if the words [w, w + len) (one space between) are a formula of
 * thanks, a tail before or after it; *nothing set if the tail is "for
 * nothing". */
static int
courtesy_words(size_t c, const char *w, size_t len, int *nothing)
{
	size_t n, pre;

	*nothing = 0;
	pre = alt_prefix(courtesies[c].tails, w, len);
	if (pre > 0 && pre < len) {
		w += pre + 1;
		len -= pre + 1;
	} else
		pre = 0;
	/* "thanks a lot" as much as "thanks" */
	if ((n = alt_prefix(courtesies[c].thanks, w, len)) == 0)
		return 0;
	if (n == len)
		return 1;
	w += n + 1;
	len -= n + 1;
	if (pre == 0 && alt_prefix(courtesies[c].nothing, w, len) == len) {
		*nothing = 1;
		return 1;
	}
	return pre == 0 && alt_prefix(courtesies[c].tails, w, len) == len;
}

/* 1 if the first word of key (a phrase's: "thanks for nothing") is the
 * first word of one of the thanks of courtesies[c]. */
static int
courtesy_head(size_t c, const char *key)
{
	const char *a = courtesies[c].thanks;
	size_t n = strcspn(key, " ");

	for (; a != NULL; a = strchr(a, '|'), a = a != NULL ? a + 1 : NULL)
		if (strncmp(a, key, n) == 0 && (a[n] == ' ' || a[n] == '|' ||
		    a[n] == '\0'))
			return 1;
	return 0;
}

/* 1 if a word, not punctuation or a line's start, stands just before
 * the word at off, after from: a contrast word (or "trotzdem") before a
 * thanks.  Most thanks that end a mail start its sentence or line. */
static int
courtesy_after_word(const char *text, size_t from, size_t off)
{
	while (off > from && (text[off - 1] == ' ' || text[off - 1] == '\t'))
		off--;
	return off > from && word_case[(unsigned char)text[off - 1]] != 0;
}

/* The keys of the tokens [from, n) of ring, a ring of cap tokens, one
 * space between, into w; SIZE_MAX if one is too long to match anything. */
static size_t
ring_words(const struct tok *ring, size_t cap, size_t from, size_t n, char *w)
{
	const struct tok *t;
	size_t wlen = 0;

	for (; from < n; from++) {
		if ((t = &ring[from % cap])->ovf)
			return SIZE_MAX;
		if (wlen > 0)
			w[wlen++] = ' ';
		memcpy(w + wlen, t->key, t->keylen);
		wlen += t->keylen;
	}
	return wlen;
}

/* The offset of the contrast word of a closing courtesy of courtesies[c]
 * whose thanks is at head, before the text's end; SIZE_MAX if the text
 * ends otherwise.  *nothing as courtesy_words sets it. */
static size_t
courtesy_close(const struct sentiment *s, size_t c, const char *text,
    size_t len, size_t from, size_t head, int *nothing)
{
	struct tokenizer tz;
	struct tok t, ring[COURTESY_TOKS];
	const struct lex_entry *e;
	char w[COURTESY_TOKS * KEY_MAX];
	size_t start, n = 0, i, wlen;

	start = head > from + COURTESY_BYTES / 2 ? head - COURTESY_BYTES / 2 :
	    from;
	while (start > from && text[start - 1] != ' ')
		start--;	/* from a word's start */
	tz_init(&tz, text + start, len - start, s);
	while (tz_next(&tz, &t))
		if (!t.emo)
			ring[n++ % COURTESY_TOKS] = t;
	/* the first contrast word whose words after it are a formula */
	for (i = n > COURTESY_TOKS ? n - COURTESY_TOKS : 0; i + 1 < n; i++) {
		const struct tok *ct = &ring[i % COURTESY_TOKS];

		if (ct->ovf || start + ct->off >= head ||
		    (e = lex_find(s, ct->key, ct->keylen)) == NULL ||
		    e->special != SP_BUT)
			continue;
		if ((wlen = ring_words(ring, COURTESY_TOKS, i + 1, n, w)) != SIZE_MAX &&
		    courtesy_words(c, w, wlen, nothing))
			return start + ct->off;
	}
	return SIZE_MAX;
}

#define COURTESY_SAID_TOKS	3	/* words of an apology or a marker, at most */
#define SAID_SORRY	1
#define SAID_OVER	2

/* What the words of [text, text + len) say of courtesies[c]: SAID_SORRY
 * for the writer's apology or fault, SAID_OVER for a problem over, or
 * both; one reading of the words for the two lists. */
static int
courtesy_said(const struct sentiment *s, size_t c, const char *text, size_t len)
{
	struct tokenizer tz;
	struct tok t, ring[COURTESY_SAID_TOKS];
	char w[COURTESY_SAID_TOKS * KEY_MAX];
	size_t n = 0, i, wlen;
	int said = 0;

	tz_init(&tz, text, len, s);
	while (tz_next(&tz, &t) && said != (SAID_SORRY | SAID_OVER)) {
		if (t.emo || t.ovf) {
			n = 0;
			continue;
		}
		ring[n++ % COURTESY_SAID_TOKS] = t;
		/* each run of words ending at this one */
		for (i = n > COURTESY_SAID_TOKS ? n - COURTESY_SAID_TOKS : 0;
		    i < n; i++) {
			wlen = ring_words(ring, COURTESY_SAID_TOKS, i, n, w);
			if (alt_prefix(courtesies[c].sorry, w, wlen) == wlen)
				said |= SAID_SORRY;
			if (alt_prefix(courtesies[c].over, w, wlen) == wlen)
				said |= SAID_OVER;
		}
	}
	return said;
}

/* 1 if every negative word of rec[0, n) is negative in itself, a
 * single word, none a positive one negated ("problem", not "doesn't
 * work"), nor a phrase, which holds its own negation ("funktioniert
 * nicht mehr") or is a complaint as such ("still waiting"). */
static int
courtesy_named(const struct sentiment *s, const struct unit_rec *rec,
    size_t n, int cap_diff)
{
	const struct lex_entry *e;
	size_t i;

	for (i = 0; i < n; i++)
		if (rec[i].v[cap_diff] < 0 && (strchr(rec[i].word, ' ') != NULL ||
		    (e = lex_find(s, rec[i].word, strlen(rec[i].word))) == NULL ||
		    !(e->flags & LEX_VALENCE) || e->valence >= 0))
			return 0;
	return 1;
}

/* A closing courtesy after a clear complaint counts nothing, or for
 * "thanks for nothing" only its anger, and its contrast word, if the
 * first, no longer weighs the text's parts (courtesies[]). */
static void
courtesy_weigh(const struct sentiment *s, struct survey *sv,
    const char *text, size_t len, struct unit_rec *rec, size_t nrec,
    int cap_diff)
{
	size_t at, c, i, k;
	double before = 0;
	int nothing, said;

	for (c = 0; c < NELEM(courtesies); c++)
		if (strcmp(courtesies[c].lang, s->lang) == 0)
			break;
	if (c == NELEM(courtesies))
		return;
	/* its thanks, a word of valence near the end */
	for (k = nrec; k > 0 && rec[k - 1].off > sv->but_off &&
	    rec[k - 1].off + COURTESY_BYTES >= len; k--)
		if (courtesy_after_word(text, sv->but_off, rec[k - 1].off) &&
		    courtesy_head(c, rec[k - 1].word))
			break;
	if (k == 0 || rec[k - 1].off <= sv->but_off ||
	    rec[k - 1].off + COURTESY_BYTES < len ||
	    (at = courtesy_close(s, c, text, len, sv->but_off, rec[k - 1].off,
	    &nothing)) == SIZE_MAX)
		return;
	for (i = 0; i < nrec && rec[i].off < at; i++)
		before += rec[i].v[cap_diff];
	if (!nothing) {
		/* a clear complaint, at least one moderately negative word's
		 * worth ("nobody answers" -1.5, "problem" -1.7, "crashed" -2):
		 * "No longer needed, but thanks" (the bare "no", -1.2) or "I
		 * don't need help anymore, but thanks" (-1.26) closes the
		 * matter politely */
		if (before > COURTESY_COMPLAINT)
			return;
		/* "Sorry for the trouble, but thanks!", "My mistake, wrong
		 * password, but thanks!": the negative words are the writer's
		 * apology or own fault, and the thanks is what they mean.  "I
		 * no longer have the problem, but thanks", "Der Fehler ist
		 * weg, aber danke": they name what is over -- only words
		 * negative in themselves: "It doesn't work anymore, but
		 * thanks" (a negated "work") stays a complaint. */
		said = courtesy_said(s, c, text, at);
		if ((said & SAID_SORRY) ||
		    ((said & SAID_OVER) && courtesy_named(s, rec, i, cap_diff)))
			return;
	}
	for (; i < nrec; i++)
		rec[i].v[cap_diff] = nothing && rec[i].v[cap_diff] > 0 ?
		    -rec[i].v[cap_diff] : nothing ? rec[i].v[cap_diff] : 0;
	if (at == sv->but_off)
		sv->but_off = SIZE_MAX;
}

/* 1 if the text is sarcastic: praise as an exclamation, a frame or the
 * text's close (gush_alone), or "yeah, sure", with a negative support
 * fact (for "yeah, sure" and "yeah right" also scare quotes; not for
 * praise, which quotes names and sayings sincerely: "Great, the "Pro
 * Plan" is live", "I love that one"), in a short text, with no fact
 * reported resolved ("Great, the outage is fixed") and no "but" (a mixed
 * review: "great food but slow service" weighs its parts as before). */
static int
sarcastic(const struct sarcasm *sc, const struct survey *sv,
    const char *text, size_t len)
{
	size_t i;

	if (sc->fixed || sv->but_off != SIZE_MAX || sv->tokens > SARCASM_TOKENS)
		return 0;
	if (sc->fact) {
		if (sc->frame)
			return 1;
		for (i = 0; i < sc->gushes; i++)
			if (gush_alone((const unsigned char *)text, len,
			    sc->gush[i][0], sc->gush[i][1]))
				return 1;
	}
	return sc->mock && scare_quotes((const unsigned char *)text,
	    (const unsigned char *)text + len);
}

/* The units from the window's position on, with h[] the three before;
 * rec == NULL: tallied at once with the survey's cap_diff; else recorded
 * (*nrec, neutral ones only counted in *neu), and what they say of
 * sarcasm noted in *sc.  1 when rec[] ran full: the rest is only read,
 * for the survey. */
static int
units_run(const struct sentiment *s, struct tokwin *w, const struct survey *sv,
    struct unit_rec *rec, size_t *nrec, size_t *neu, struct tally *ty,
    struct sarcasm *sc, struct sentiment_result *out)
{
	struct unit u, h[3];
	const struct tok *t0;
	size_t nh = 0, idle = 0, scope;
	double v0, v1;
	int cap_diff = cap_emphasis(sv), negfinal = s->negfinal, after;

	for (;;) {
		if (w->pos == w->filled && !w->eof &&
		    units_skip(w, sv, rec, neu, ty, out, h, &nh, &idle))
			break;
		if ((t0 = win_at(w, 0)) == NULL)
			break;
		if (tok_idle(t0)) {
			unit_idle(w, sv, t0, rec, neu, ty, out, h, &nh, &idle);
			continue;
		}
		idle = 0;
		unit_take(w, &u);
		scope = u.lexword ? unit_scope(&u, h, nh) : 0;
		after = negfinal && u.lexword && !u.emo ?
		    final_after(w, &u, nh) : 0;
		if (rec == NULL) {
			v0 = unit_valence(&u, h, scope, cap_diff, after, w);
			tally_add(ty, sv, u.off, v0, v0 != 0 ? s->pool + u.e->key : NULL,
			    out);
		} else {
			v0 = unit_valence(&u, h, scope, 0, after, w);
			v1 = u.lexword && unit_caps(&u, h, scope) ?
			    unit_valence(&u, h, scope, 1, after, w) : v0;
			/* a long text is never found sarcastic: spare it */
			if (u.lexword && (u.special >= SP_GUSH ||
			    (u.e->flags & LEX_NEGATED)) &&
			    sv->tokens <= SARCASM_TOKENS)
				sarcasm_note(sc, &u, v0, w);
			if (v0 == 0 && v1 == 0)
				(*neu)++;
			else if (*nrec == REC_MAX) {
				while (win_at(w, 0) != NULL)
					w->pos++;
				return 1;
			} else {
				rec[*nrec].off = u.off;
				rec[*nrec].v[0] = v0;
				rec[*nrec].v[1] = v1;
				rec[(*nrec)++].word = s->pool + u.e->key;
			}
		}
		h[2] = h[1];
		h[1] = h[0];
		h[0] = u;
		if (nh < 3)
			nh++;
	}
	return 0;
}

void
sentiment_score(const struct sentiment *s, const char *text, size_t len,
    struct sentiment_result *out)
{
	sentiment_score_lang(s, text, len, NULL, out);
}

void
sentiment_score_lang(const struct sentiment *s, const char *text, size_t len,
    const char *tag, struct sentiment_result *out)
{
	const struct sentiment *ls = s;
	const char *lang;
	char buf[12];
	size_t i;

	if (s == NULL || (lang = lang_of_tag(tag, buf)) == NULL)
		lang = text != NULL && len > 0 ? sentiment_guess(text, len, buf) :
		    "en";
	if (s != NULL && strcmp(lang, s->lang) != 0) {
		for (i = 0, ls = NULL; i < s->langs_count; i++)
			if (strcmp(lang, s->langs[i].lang) == 0) {
				ls = lang_get(s, &s->langs[i], NULL);
				break;
			}
	}
	if (ls == NULL) {
		/* no lexicon for it: scored 0, as before, but said so; the
		 * detector must read the words itself */
		memset(out, 0, sizeof(*out));
		out->escalation_words = 1;
	} else
		score_text(ls, text, len, out);
	if (s != NULL) {
		/* at most 11 bytes (lang_of_tag, sentiment_guess): no
		 * snprintf, whose cost showed in every mail's scoring */
		size_t n = strnlen(lang, sizeof(out->lang) - 1);

		memcpy(out->lang, lang, n);
		out->lang[n] = '\0';
		out->lang_scored = ls != NULL;
	}
}

/* The scorer proper, with the lexicon of the text's language. */
static void
score_text(const struct sentiment *s, const char *text, size_t len,
    struct sentiment_result *out)
{
	struct unit_rec rec[REC_MAX];
	struct sarcasm sc;
	struct survey sv;
	struct tokwin w;
	struct tally ty;
	size_t nrec = 0, neu = 0, i;
	double amp, total;
	int cap_diff;

	memset(out, 0, sizeof(*out));
	if (s == NULL || text == NULL || len == 0)
		return;
	esc_prepare();
	survey_init(&sv, text, len);
	memset(&ty, 0, sizeof(ty));
	win_init(&w, text, len, s);
	w.sv = &sv;
	w.lazy = 1;
	/* gush[] is read only below gushes */
	sc.gushes = sc.frame = sc.mock = sc.fact = sc.fixed = 0;
	sc.fact_end = 0;
	if (units_run(s, &w, &sv, rec, &nrec, &neu, &ty, &sc, out) == 0) {
		cap_diff = cap_emphasis(&sv);
		if (sv.but_off != SIZE_MAX)
			courtesy_weigh(s, &sv, text, len, rec, nrec, cap_diff);
		/* sarcastic praise means its opposite, as "not great" */
		if ((sc.frame || sc.mock || sc.gushes) && sarcastic(&sc, &sv, text, len))
			for (i = 0; i < nrec; i++)
				if (rec[i].v[cap_diff] > 0)
					rec[i].v[cap_diff] *= SENTIMENT_N_SCALAR;
		for (i = 0; i < nrec; i++)
			tally_add(&ty, &sv, rec[i].off, rec[i].v[cap_diff], rec[i].word, out);
		ty.neu += neu;
	} else {
		win_init(&w, text, len, s);	/* the survey is complete */
		w.lazy = 1;
		(void)units_run(s, &w, &sv, NULL, NULL, NULL, &ty, NULL, out);
	}
	out->tokens = sv.tokens;
	out->escalation_words = sv.trigger;
	if (ty.sum == 0 && ty.pos_sum == 0 && ty.neg_sum == 0 && ty.neu == 0)
		return;

	/* emphasis by punctuation: '!' up to 4, '?' from 2 on */
	amp = (double)(sv.excl < 4 ? sv.excl : 4) * 0.292;
	if (sv.quest > 1)
		amp += sv.quest <= 3 ? (double)sv.quest * 0.18 : 0.96;
	if (ty.sum > 0)
		ty.sum += amp;
	else if (ty.sum < 0)
		ty.sum -= amp;
	out->compound = normalize(ty.sum);
	if (ty.pos_sum > -ty.neg_sum)
		ty.pos_sum += amp;
	else if (ty.pos_sum < -ty.neg_sum)
		ty.neg_sum -= amp;
	total = ty.pos_sum - ty.neg_sum + (double)ty.neu;
	out->pos = ty.pos_sum / total;
	out->neg = (0.0 - ty.neg_sum) / total;	/* never -0 */
	out->neu = (double)ty.neu / total;
}

/* ---- explicit requests to escalate --------------------------------- */

/*
 * Each phrasing is a pattern of word-level elements, separated by single
 * spaces, over folded tokens (lowercase, no accents, ' for U+2019):
 *
 *	a|b|c	one of the words; "a_b" is two words in a row; "x*" a prefix
 *	?a|b	optional
 *	!a|b	the next token is none of these (nothing consumed)
 *	~N	up to N tokens of anything, but not a possessive ("my", "our",
 *		"mein"...), a negation, or a sentence break
 *	@class	a word class below, with its vetoes
 *
 * A match stays within one sentence, and fails if one of the three words
 * before it is a negation ("don't escalate this", "no need to escalate"),
 * unless the negation opens a question ("why can't I speak to a manager").
 * Covered (English): speak/talk/chat to or with a manager, supervisor,
 * boss, superior, higher-up, management, director or CEO ("let me talk to
 * your supervisor", "speak with the store manager"); put/transfer/connect
 * me (through) to one; want/need/demand/request one; can/may I have one;
 * your manager's name, the name of your supervisor, who is your manager;
 * someone more senior / higher up / in charge; escalate this (it, my case,
 * to...), please escalate, escalation please, I want this escalated, this
 * needs to be escalated, how do I escalate, I will escalate; formal,
 * official or written complaint, file/lodge/make/raise a complaint,
 * complain to a manager or a regulator; my lawyer/attorney/solicitor,
 * legal action/proceedings/steps, lawsuit, class action, small claims,
 * take you to court, see you in court, I will sue, going to sue, sue
 * you, contact/hire a lawyer; report you to the ombudsman, the BBB, the
 * FTC, consumer protection, trading standards... German: den Vorgesetzten
 * / Ihren Chef / die Geschäftsführung sprechen, mit Ihrem Vorgesetzten,
 * Beschwerde einreichen/einlegen, formelle/offizielle Beschwerde, ich
 * werde mich beschweren, rechtliche Schritte, mein Anwalt, Anwalt
 * einschalten, verklagen, Klage einreichen, bitte eskalieren.
 * Not covered on purpose: a manager without a request ("our manager
 * approved the order", "my manager asked me to write"), the customer's
 * own manager ("talk to my manager"), compounds ("account manager",
 * "package manager", "the manager app"), "escalator", past tense ("I
 * spoke to a manager"), "Sue from billing".
 */
struct esc_class {
	const char	*name;
	const char	*words;
	const char	*not_before;	/* vetoes for the word just before */
	const char	*not_after;	/* and just after */
};

static const struct esc_class esc_classes[] = {
	{ "mgr",
	  "manager|managers|manager's|managers'|supervisor|supervisors|"
	  "supervisor's|superior|superiors|boss|bosses|boss's|higher-up|"
	  "higher-ups|management|ceo|director|teamlead",
	  "account|accounts|package|project|product|property|file|password|"
	  "download|task|window|display|device|session|network|event|content|"
	  "release|fund|asset|portfolio|hedge|program|programme|plugin|"
	  "extension|version|memory|resource|connection|license|licence|data|"
	  "database|identity|secret|key|certificate|partition|boot|desktop|"
	  "login|sync|campaign|community|social|media|stage|tour|case|funeral|"
	  "estate|wealth|investment|my|our|his|her|their|art|creative|"
	  "marketing|sales|finance|hr|it|engineering|technical",
	  "app|apps|application|applications|software|tool|tools|role|roles|"
	  "position|positions|job|jobs|mode|program|plugin|api|console|ui|"
	  "interface|setting|settings|window|portal|dashboard|approved|"
	  "approval|approves|account|license|licence|level" },
	{ "reg",
	  "ombudsman|ombudsmen|bbb|better_business_bureau|ftc|fcc|cfpb|ofcom|"
	  "ofgem|ofwat|fca|accc|regulator|regulators|regulatory|"
	  "trading_standards|consumer_protection|consumer_affairs|"
	  "attorney_general|attorney-general|verbraucherzentrale|"
	  "schlichtungsstelle|bundesnetzagentur|bafin",
	  NULL, NULL },
	{ "chef",
	  "vorgesetzten|vorgesetzte|vorgesetzter|chef|chefin|teamleiter|"
	  "teamleiterin|geschaftsfuhrung|geschaftsfuhrer|geschaftsleitung|"
	  "abteilungsleiter|abteilungsleiterin|verantwortlichen|manager|"
	  "managerin|leitung",
	  "mein|meinen|meinem|meine|meiner|unser|unseren|unserem|unsere|"
	  "my|our",
	  NULL },
};

struct esc_pattern {
	const char	*label;
	const char	*pat;
};

static const struct esc_pattern esc_patterns[] = {
	{ "speak to a manager",
	  "speak|talk|chat|speaking|talking|chatting to|with ~3 @mgr" },
	{ "put me through to a manager",
	  "put|transfer|connect|pass|forward|escalate|refer|send|patch|get|"
	  "give|bring me|us|this|it ~3 @mgr" },
	{ "asks for a manager",
	  "want|need|demand|demanding|request|requesting|wanna|insist ~3 @mgr" },
	{ "asks for a manager", "can|could|may i|we have|get ~2 @mgr" },
	{ "asks for a manager", "i'd|id|i_would|we'd like ~3 @mgr" },
	{ "your manager's name",
	  "your|ur|the manager's|supervisor's|boss's|managers|supervisors|"
	  "bosses name|names|email|details|number|contact|phone|address|info|"
	  "information" },
	{ "your manager's name",
	  "name|email|details|contact|number|phone of|for your|ur|the @mgr" },
	{ "who is your manager", "who's|whos|who_is your|ur|the|ya @mgr" },
	{ "someone more senior",
	  "someone|somebody|anyone|anybody|person|people more|higher "
	  "senior|up|ranking|qualified|competent" },
	{ "someone more senior",
	  "someone|somebody|anyone|anybody senior|in_charge|with_authority|"
	  "with_more_authority|higher_up|higher-up|above_you" },

	{ "escalate this",
	  "escalate|escalating this|it|that|my|the|our|me|matter|issue|ticket|"
	  "case|complaint|problem|immediately|asap|now|further|up|upwards|"
	  "higher|please|urgently|to" },
	{ "please escalate", "please|pls|plz|kindly ~2 escalate|escalation" },
	{ "please escalate",
	  "escalation please|pls|plz|now|asap|required|requested|needed|"
	  "request" },
	{ "I want this escalated",
	  "want|need|needs|demand|expect|request|requesting|insist|asking|ask|"
	  "like|deserve|must|should|get|gets ~4 escalated|escalation|escalate|"
	  "escalating" },
	{ "I want this escalated",
	  "how|can|could|where|will|would|i'll|i_will|going_to|gonna ~3 "
	  "escalate|escalated|escalation" },

	{ "formal complaint",
	  "formal|official|written|formally|officially complaint|complaints|"
	  "complain|grievance" },
	{ "file a complaint",
	  "file|lodge|make|submit|raise|register|filing|lodging|making|"
	  "submitting|raising|registering|put_in|open|opening|launch ~3 "
	  "complaint|complaints|grievance" },
	{ "complain to a manager",
	  "complain|complaining|complaint|complaints ~3 @mgr" },
	{ "report to a regulator",
	  "complain|complaining|complaint|complaints ~3 @reg" },

	{ "my lawyer",
	  "my lawyer|lawyers|attorney|attorneys|solicitor|solicitors|counsel|"
	  "legal_team|legal_department|legal_counsel|lawyer's|attorney's" },
	{ "my lawyer",		/* "our legal department approved it" is not */
	  "our lawyer|lawyers|attorney|attorneys|solicitor|solicitors|"
	  "lawyer's|attorney's" },
	{ "legal action",
	  "legal action|proceedings|steps|recourse|measures|route|advice|"
	  "remedies|claim" },
	{ "legal action",
	  "lawsuit|lawsuits|law_suit|class_action|class-action|small_claims" },
	{ "legal action", "take|taking|see ~3 to_court|in_court" },
	{ "I will sue",
	  "will|i'll|ill|we'll|gonna|shall|would|could|might ~1 sue|suing" },
	{ "I will sue",
	  "going_to|want_to|have_to|need_to|threaten_to|planning_to|plan_to|"
	  "intend_to sue" },
	{ "I will sue",
	  "sue|suing you|your|u|ya|the|this|them|y'all|yall|everyone|ur" },
	{ "contact my attorney",
	  "contact|call|consult|involve|engage|get|hire|speak|talk|retain|"
	  "contacting|calling ~1 a|an|my|our lawyer|lawyers|attorney|"
	  "attorneys|solicitor|solicitors" },
	{ "report to a regulator",
	  "report|reporting|contact|contacting|going|go|write|writing|escalate|"
	  "escalating|file|filing|notify|inform|tell|alert|involve|involving "
	  "~4 @reg" },

	{ "Vorgesetzten sprechen", "@chef ~1 sprechen|reden|verbinden" },
	{ "Vorgesetzten sprechen",
	  "mit einem|einer|ihrem|ihrer|ihren|dem|der|ihres @chef" },
	{ "Beschwerde einreichen",
	  "beschwerde ~2 einreichen|einlegen|erheben|einzureichen|einzulegen" },
	{ "Beschwerde einreichen",
	  "formelle|formliche|offizielle|schriftliche|formale beschwerde" },
	{ "Beschwerde einreichen", "dienstaufsichtsbeschwerde" },
	{ "Beschwerde einreichen", "werde|werden|mochte|will ~4 beschweren" },
	{ "Beschwerde einreichen", "beschwere|beschweren mich|uns" },
	{ "rechtliche Schritte",
	  "rechtliche|rechtlichen|juristische|juristischen|gerichtliche|"
	  "gerichtlichen schritte|konsequenzen|weg|wege" },
	{ "mein Anwalt",
	  "mein|meinen|meinem|meine anwalt|anwaltin|anwalts|rechtsanwalt|"
	  "rechtsanwaltin|anwaltes|anwalte|rechtsabteilung" },
	{ "mein Anwalt",
	  "anwalt|anwaltin|rechtsanwalt|rechtsanwaltin|anwalte ~1 "
	  "einschalten|informieren|kontaktieren|beauftragen|nehmen" },
	{ "mein Anwalt", "werde|werden ~3 verklagen" },
	{ "mein Anwalt", "klage einreichen|erheben" },
	{ "bitte eskalieren", "bitte ~2 eskalieren|eskalation" },
	{ "bitte eskalieren", "eskalieren sie|bitte" },
	{ "bitte eskalieren",
	  "mochte|will|mochten|werde|mussen|muss ~4 eskalieren|eskaliert" },
};

/* Words without which no pattern can match, sorted (C locale): a text
 * without any is let go after one pass. */
static const char *const esc_triggers[] = {
	"abteilungsleiter", "abteilungsleiterin", "accc", "affairs",
	"anwalt", "anwalte", "anwaltes", "anwaltin", "anwalts", "anybody",
	"anyone", "attorney", "attorney's", "attorney-general", "attorneys",
	"bafin", "bbb", "beschwerde", "beschwere", "beschweren", "boss",
	"boss's", "bosses", "bundesnetzagentur", "bureau", "ceo", "cfpb",
	"chef", "chefin", "claims", "class", "class-action", "complain",
	"complaining", "complaint", "complaints", "counsel", "court",
	"dienstaufsichtsbeschwerde", "director", "escalate", "escalated",
	"escalating", "escalation", "eskalation", "eskalieren", "eskaliert",
	"fca", "fcc", "ftc", "geschaftsfuhrer", "geschaftsfuhrung",
	"geschaftsleitung", "grievance", "higher-up", "higher-ups", "klage",
	"konsequenzen", "lawsuit", "lawsuits", "lawyer", "lawyer's",
	"lawyers", "legal", "leitung", "management", "manager", "manager's",
	"managerin", "managers", "managers'", "ofcom", "ofgem", "ofwat",
	"ombudsman", "ombudsmen", "people", "person", "protection",
	"rechtsabteilung", "rechtsanwalt", "rechtsanwaltin", "regulator",
	"regulators", "regulatory", "schlichtungsstelle", "schritte",
	"solicitor", "solicitors", "somebody", "someone", "standards", "sue",
	"suing", "suit", "superior", "superiors", "supervisor",
	"supervisor's", "supervisors", "teamlead", "teamleiter",
	"teamleiterin", "verantwortlichen", "verbraucherzentrale",
	"verklagen", "vorgesetzte", "vorgesetzten", "vorgesetzter", "weg",
	"wege",
};

/* Marks the trigger words in the lexicon, adding those it lacks (as keys,
 * not through the tokenizer: esc_trigger compares keys): the scorer looks
 * every token up anyway, so its survey learns for free whether the
 * detector could match.  An entry with no other flag scores as a word
 * the lexicon does not know. */
static int
lex_triggers(struct sentiment *s)
{
	struct lex_entry *le;
	size_t i;

	for (i = 0; i < NELEM(esc_triggers); i++) {
		if ((le = lex_add(s, esc_triggers[i], strlen(esc_triggers[i]))) == NULL)
			return -1;
		le->flags |= LEX_TRIGGER;
	}
	return 0;
}

/*
 * The detector tries its word lists ("speak|talk|chat", a class's words
 * and vetoes) at every token near a trigger word, and nearly always in
 * vain.  Each list gets, once, the set of the first bytes of its
 * alternatives: a token whose first byte is not in it matches none, which
 * one lookup tells instead of a walk through the list.  Found by the
 * list's address (the lists are constant), in an open-addressing table;
 * a list without a filter is walked as before.
 */
#define ESC_FILTERS	512	/* a power of two, over twice the lists */

struct esc_filter {
	const char	*list;		/* NULL: an empty slot */
	int		 any;		/* an alternative that may match any byte
					 * first ("*", or empty) */
	unsigned char	 first[32];	/* bit set of first bytes */
};

static struct esc_filter esc_filters[ESC_FILTERS];
static size_t		esc_filters_count;

static size_t
esc_filter_slot(const char *list)
{
	uint64_t x = (uint64_t)(uintptr_t)list * 0x9E3779B97F4A7C15u;

	return (size_t)(x >> 32) & (ESC_FILTERS - 1);
}

/* The filter of the list [list, end), alternatives separated by '|'. */
static void
esc_filter_add(const char *list, const char *end)
{
	struct esc_filter *f;
	const char *a, *bar;
	size_t i;

	for (i = esc_filter_slot(list); esc_filters[i].list != NULL;
	    i = (i + 1) & (ESC_FILTERS - 1))
		if (esc_filters[i].list == list)
			return;
	if (esc_filters_count * 2 >= ESC_FILTERS)
		return;			/* full: that list is walked */
	f = &esc_filters[i];
	for (a = list; a <= end; a = bar + 1) {
		if ((bar = memchr(a, '|', (size_t)(end - a))) == NULL)
			bar = end;
		if (a == bar || *a == '*' || *a == '_')
			f->any = 1;
		else
			f->first[(unsigned char)*a >> 3] |= 1 << (*a & 7);
		if (bar == end)
			break;
	}
	f->list = list;
	esc_filters_count++;
}

/* 0 if no alternative of list can match a token keyed key[0] first. */
static inline int
esc_filter_pass(const char *list, const struct tok *t)
{
	const struct esc_filter *f;
	size_t i;
	unsigned char c = (unsigned char)t->key[0];

	if (t->keylen == 0)
		return 1;
	for (i = esc_filter_slot(list); (f = &esc_filters[i])->list != NULL;
	    i = (i + 1) & (ESC_FILTERS - 1))
		if (f->list == list)
			return f->any || ((f->first[c >> 3] >> (c & 7)) & 1);
	return 1;
}

/* Is the token one of "a|b|c" (no multi-word alternatives here)? */
static int
esc_in(const struct tok *t, const char *alts)
{
	const char *p = alts, *bar;
	size_t n;

	if (t == NULL || alts == NULL || t->ovf || !esc_filter_pass(alts, t))
		return 0;
	for (;;) {
		bar = strchr(p, '|');
		n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == t->keylen && memcmp(p, t->key, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

/* Word lists of the checks below, named so that esc_index can give them
 * first-byte filters (the filters are found by the list's address). */
static const char esc_negations[] = "not|no|never|without|cannot|dont|"
    "wont|cant|didnt|doesnt|isnt|shouldnt|wouldnt|nobody|noone|"
    "nicht|kein|keine|keinen|keinem|keiner|nie|niemals";
static const char esc_possessives[] = "my|our|his|her|their|mine|mein|"
    "meine|meinen|meinem|meiner|unser|unsere|unseren|unserem";
static const char esc_askers[] = "i|we|you";

static int
esc_negation(const struct tok *t)
{
	return key_nt(t) || esc_in(t, esc_negations);
}

static int
esc_possessive(const struct tok *t)
{
	return esc_in(t, esc_possessives);
}

static int esc_seq(struct tokwin *, const char *, long);

/* Alternative [a, end) at token i: the number of tokens it covers, or 0. */
static size_t
esc_alt(struct tokwin *w, const char *a, const char *end, long i)
{
	const struct tok *t;
	const char *we;
	size_t n = 0, len;

	while (a < end) {
		t = win_at(w, i + (long)n);
		if (t == NULL || t->ovf || (i + (long)n > 0 && t->brk))
			return 0;
		/* most alternatives fail on their first byte: before the
		 * word's end is sought ("*" and "_" may match any) */
		if (*a != '*' && *a != '_' && t->key[0] != *a)
			return 0;
		for (we = a; we < end && *we != '_'; we++)
			;
		len = (size_t)(we - a);
		if (len > 0 && a[len - 1] == '*') {
			if (t->keylen < len - 1 || memcmp(t->key, a, len - 1) != 0)
				return 0;
		} else if (t->keylen != len || memcmp(t->key, a, len) != 0)
			return 0;
		n++;
		a = we < end ? we + 1 : we;
	}
	return n;
}

static const struct esc_class *
esc_class(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NELEM(esc_classes); i++)
		if (strlen(esc_classes[i].name) == len &&
		    memcmp(esc_classes[i].name, name, len) == 0)
			return &esc_classes[i];
	return NULL;
}

/* Element [p, end) at token i, then the rest of the pattern from next. */
static int
esc_elem(struct tokwin *w, const char *p, const char *end, const char *next,
    long i)
{
	const struct esc_class *cl = NULL;
	const struct tok *t;
	const char *a, *bar;
	size_t n;
	long k;
	int opt = 0, neg = 0;

	switch (*p) {
	case '~':
		for (k = 0; k <= p[1] - '0'; k++) {
			if (k > 0 && ((t = win_at(w, i + k - 1)) == NULL ||
			    (i + k - 1 > 0 && t->brk) || esc_possessive(t) ||
			    esc_negation(t)))
				return 0;
			if (esc_seq(w, next, i + k))
				return 1;
		}
		return 0;
	case '?':
		opt = 1;
		p++;
		break;
	case '!':
		neg = 1;
		p++;
		break;
	case '@':
		if ((cl = esc_class(p + 1, (size_t)(end - p - 1))) == NULL)
			return 0;
		p = cl->words;
		end = p + strlen(p);
		break;
	default:
		break;
	}
	/* No alternative can match where its first word cannot: the tests
	 * of esc_alt on the token, and the list's first-byte filter. */
	t = win_at(w, i);
	if (t == NULL || t->ovf || (i > 0 && t->brk) || !esc_filter_pass(p, t))
		end = p;
	/* A class's vetoes (the words around it) are long lists: test them
	 * once one of its words is there, which is rare, not before.  Either
	 * way a class that is vetoed or absent fails the element. */
	for (a = p; a < end; a = bar + 1) {
		if ((bar = memchr(a, '|', (size_t)(end - a))) == NULL)
			bar = end;
		if ((n = esc_alt(w, a, bar, i)) > 0) {
			if (cl != NULL) {
				const struct tok *after;

				if (esc_in(win_at(w, i - 1), cl->not_before))
					return 0;
				after = win_at(w, i + 1);
				if (after != NULL && !after->brk &&
				    esc_in(after, cl->not_after))
					return 0;
				cl = NULL;	/* not vetoed */
			}
			if (neg)
				return 0;
			if (esc_seq(w, next, i + (long)n))
				return 1;
		}
		if (bar == end)
			break;
	}
	if (neg || opt)
		return esc_seq(w, next, i);
	return 0;
}

static int
esc_seq(struct tokwin *w, const char *pat, long i)
{
	const char *end;

	if (*pat == '\0')
		return 1;
	if ((end = strchr(pat, ' ')) == NULL)
		end = pat + strlen(pat);
	return esc_elem(w, pat, end, *end ? end + 1 : end, i);
}

/* A negation among the three words before the match, in its sentence. */
static int
esc_vetoed(struct tokwin *w)
{
	const struct tok *cur = win_at(w, 0), *t;
	long k;

	for (k = 1; k <= 3 && !cur->brk; k++) {
		if ((t = win_at(w, -k)) == NULL)
			break;
		if (esc_negation(t) && !esc_in(win_at(w, 1 - k), esc_askers))
			return 1;
		cur = t;
	}
	return 0;
}

/* Tokens from a trigger word to the end of the phrase it starts or ends;
 * below the window's look-ahead (WIN - WIN_BEHIND). */
#define ESC_SPAN	24

/* sentiment_asks_escalation saves the tokenizer's state every ESC_EVERY
 * tokens, the last ESC_SAVED of them, so as to start its window ESC_BACK
 * tokens before the first trigger word (or a little earlier). */
#define ESC_EVERY	8
#define ESC_SAVED	8
#define ESC_BACK	(ESC_SPAN - 1 + WIN_BEHIND)
_Static_assert(ESC_BACK + ESC_EVERY <= ESC_EVERY * (ESC_SAVED - 1),
    "the state to start from is still saved");

/*
 * Which patterns may start at a token: the first words of every pattern
 * whose first element is a plain list of words, each with the set of
 * patterns it starts; patterns that begin with a gap, an optional, a
 * negated or a class element are always tried.  Built once from the
 * constant pattern table, so it is process-wide state that never changes
 * after the first call.
 */
#define ESC_FIRSTS_MAX	512

struct esc_first {
	char		 word[32];
	size_t		 len;
	int		 prefix;	/* "word*": any token starting with word */
	uint64_t	 patterns;
};

static struct esc_first	esc_firsts[ESC_FIRSTS_MAX];
static size_t		esc_firsts_count;
static uint64_t		esc_always;
static int		esc_indexed;

static void
esc_first_add(const char *w, size_t len, int bit)
{
	size_t i;
	int prefix = len > 0 && w[len - 1] == '*';

	if (prefix)
		len--;
	for (i = 0; i < esc_firsts_count; i++)
		if (esc_firsts[i].len == len && esc_firsts[i].prefix == prefix &&
		    memcmp(esc_firsts[i].word, w, len) == 0) {
			esc_firsts[i].patterns |= (uint64_t)1 << bit;
			return;
		}
	if (esc_firsts_count == ESC_FIRSTS_MAX || len >= sizeof(esc_firsts[0].word)) {
		esc_always |= (uint64_t)1 << bit;	/* cannot index it: always try */
		return;
	}
	memcpy(esc_firsts[esc_firsts_count].word, w, len);
	esc_firsts[esc_firsts_count].len = len;
	esc_firsts[esc_firsts_count].prefix = prefix;
	esc_firsts[esc_firsts_count].patterns = (uint64_t)1 << bit;
	esc_firsts_count++;
}

static void esc_hash_build(void);
static void esc_keys_build(void);

/* esc_firsts chained by first byte, so a token is compared only with the
 * words that share its first byte; words of no byte ("*" alone) are
 * chained at 256.  -1 ends a chain. */
static int		esc_first_head[257];
static int		esc_first_next[ESC_FIRSTS_MAX];

static void
esc_index(void)
{
	const char *p, *end, *a, *bar, *we;
	size_t i, b;

	for (i = 0; i < NELEM(esc_patterns); i++) {
		p = esc_patterns[i].pat;
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		if (strchr("~?!@", *p) != NULL || i >= 64) {
			esc_always |= i < 64 ? (uint64_t)1 << i : 0;
			continue;
		}
		for (a = p; a < end; a = bar + 1) {
			if ((bar = memchr(a, '|', (size_t)(end - a))) == NULL)
				bar = end;
			for (we = a; we < bar && *we != '_'; we++)
				;
			esc_first_add(a, (size_t)(we - a), (int)i);
			if (bar == end)
				break;
		}
	}
	for (b = 0; b < 257; b++)
		esc_first_head[b] = -1;
	for (i = esc_firsts_count; i-- > 0; ) {
		b = esc_firsts[i].len > 0 ? (unsigned char)esc_firsts[i].word[0] : 256;
		esc_first_next[i] = esc_first_head[b];
		esc_first_head[b] = (int)i;
	}
	/* the first-byte filters of every word list */
	for (i = 0; i < NELEM(esc_patterns); i++) {
		for (p = esc_patterns[i].pat; *p != '\0'; p = *end ? end + 1 : end) {
			if ((end = strchr(p, ' ')) == NULL)
				end = p + strlen(p);
			if (*p == '~' || *p == '@')
				continue;
			a = (*p == '?' || *p == '!') ? p + 1 : p;
			esc_filter_add(a, end);
		}
	}
	for (i = 0; i < NELEM(esc_classes); i++) {
		p = esc_classes[i].words;
		esc_filter_add(p, p + strlen(p));
		if ((p = esc_classes[i].not_before) != NULL)
			esc_filter_add(p, p + strlen(p));
		if ((p = esc_classes[i].not_after) != NULL)
			esc_filter_add(p, p + strlen(p));
	}
	esc_filter_add(esc_negations, esc_negations + strlen(esc_negations));
	esc_filter_add(esc_possessives, esc_possessives + strlen(esc_possessives));
	esc_filter_add(esc_askers, esc_askers + strlen(esc_askers));
	esc_hash_build();
	esc_keys_build();
	esc_indexed = 1;
}

static void
esc_prepare(void)
{
	if (!esc_indexed)
		esc_index();
}

/* The patterns that may start at token t. */
static uint64_t
esc_candidates(const struct tok *t)
{
	uint64_t m = esc_always;
	int pass, i;

	if (t == NULL || t->ovf)
		return m;
	for (pass = 0; pass < 2; pass++)
		for (i = esc_first_head[pass == 0 ? (unsigned char)t->key[0] : 256];
		    i >= 0; i = esc_first_next[i]) {
			const struct esc_first *f = &esc_firsts[i];

			if (f->prefix ? t->keylen >= f->len &&
			    memcmp(t->key, f->word, f->len) == 0 :
			    t->keylen == f->len && memcmp(t->key, f->word, f->len) == 0)
				m |= f->patterns;
		}
	return m;
}

/* The trigger words in an open-addressing hash (built with the pattern
 * index): the test runs on every word of every message, where a binary
 * search of strcmp calls cost more than the rest of the detector. */
#define ESC_HASH	1024	/* a power of two, over twice the triggers */

static const char	*esc_hash[ESC_HASH];
static short		 esc_hash_id[ESC_HASH];	/* its index in esc_triggers[] */
/* Bit n of esc_end_lens[esc_letter[f] * 27 + esc_letter[l]]: a trigger
 * word of n bytes starts with byte f and ends with byte l (both folded);
 * keys are shorter than KEY_MAX, 64.  Most tokens fail this test, which
 * spares them the hash. */
static uint64_t		 esc_end_lens[27 * 27];

/* 1 to 26 for the letters, either case; 0 for any other byte. */
static unsigned char	 esc_letter[256];

static inline int
esc_ends(unsigned char first, unsigned char last, size_t len)
{
	return (esc_end_lens[esc_letter[first] * 27 + esc_letter[last]] >>
	    len) & 1;
}
_Static_assert(KEY_MAX <= 64, "esc_end_lens holds a bit per key length");

static uint32_t
esc_fnv(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a, published constants */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void
esc_hash_build(void)
{
	size_t i;
	uint32_t h;

	for (i = 0; i < 26; i++)
		esc_letter['a' + i] = esc_letter['A' + i] = (unsigned char)(i + 1);
	for (i = 0; i < NELEM(esc_triggers); i++) {
		size_t len = strlen(esc_triggers[i]);

		h = esc_fnv(esc_triggers[i], len) & (ESC_HASH - 1);
		while (esc_hash[h] != NULL)
			h = (h + 1) & (ESC_HASH - 1);
		esc_hash[h] = esc_triggers[i];
		esc_hash_id[h] = (short)i;
		esc_end_lens[esc_letter[(unsigned char)esc_triggers[i][0]] * 27 +
		    esc_letter[(unsigned char)esc_triggers[i][len - 1]]] |=
		    (uint64_t)1 << len;
	}
}

/* The index in esc_triggers[] of the word [w, w + len), or -1. */
static int
esc_word_id(const char *w, size_t len)
{
	uint32_t h;

	for (h = esc_fnv(w, len) & (ESC_HASH - 1); esc_hash[h] != NULL;
	    h = (h + 1) & (ESC_HASH - 1))
		if (strncmp(esc_hash[h], w, len) == 0 && esc_hash[h][len] == '\0')
			return esc_hash_id[h];
	return -1;
}

/*
 * Where a match of each pattern may start, from its trigger words.  An
 * element every alternative of which holds a trigger word -- a "key":
 * "@mgr", "complain|complaining|complaint|complaints" -- matches a
 * trigger word of its own lo to hi tokens after the match's start: the
 * widths of the elements before it, and the word's place in its
 * alternative ("better_business_bureau").  Each pattern gets its
 * narrowest key, and a trigger word at token p makes it a candidate at
 * tokens p - hi to p - lo only (esc_mark), not at every token up to
 * ESC_SPAN before any trigger word: in a mail about a manager, "speak
 * to a manager" is tried at the four tokens before "manager", and "file
 * a complaint" nowhere.  Patterns without a key (or beyond the 64 of
 * the masks) are tried as before (esc_unkeyed).
 */
struct esc_key {
	unsigned char	 pattern;
	unsigned char	 lo, hi;
};

#define ESC_KEYS_MAX	1024

static struct esc_key	 esc_keys[ESC_KEYS_MAX];
static short		 esc_key_next[ESC_KEYS_MAX];	/* -1 ends a chain */
static short		 esc_key_head[NELEM(esc_triggers)];
static size_t		 esc_keys_count;
static uint64_t		 esc_unkeyed;

/* The alternatives [list, end) of an element: the fewest and most tokens
 * they cover, and the places of their trigger words (*jmin > *jmax if
 * none); 0 if one of them holds no trigger word. */
static int
esc_alts_span(const char *list, const char *end, size_t *wmin, size_t *wmax,
    size_t *jmin, size_t *jmax)
{
	const char *a, *bar, *w, *we;
	size_t words;
	int key = 1, has;

	*wmin = SIZE_MAX;
	*wmax = *jmax = 0;
	*jmin = SIZE_MAX;
	for (a = list; a <= end; a = bar + 1) {
		if ((bar = memchr(a, '|', (size_t)(end - a))) == NULL)
			bar = end;
		for (w = a, words = 0, has = 0; w < bar; w = we + 1, words++) {
			for (we = w; we < bar && *we != '_'; we++)
				;
			if (esc_word_id(w, (size_t)(we - w)) >= 0) {
				has = 1;
				*jmin = words < *jmin ? words : *jmin;
				*jmax = words > *jmax ? words : *jmax;
			}
		}
		key &= has;
		*wmin = words < *wmin ? words : *wmin;
		*wmax = words > *wmax ? words : *wmax;
		if (bar == end)
			break;
	}
	return key;
}

static void
esc_keys_build(void)
{
	const struct esc_class *cl;
	const char *p, *end, *list, *lend, *key, *key_end, *a, *bar, *w, *we;
	size_t i, k, from_min, from_max, wmin, wmax, jmin, jmax, lo, hi;
	int keyed, id, j;

	for (k = 0; k < NELEM(esc_triggers); k++)
		esc_key_head[k] = -1;
	for (i = 0; i < NELEM(esc_patterns); i++) {
		from_min = from_max = 0;	/* the element's first token */
		key = key_end = NULL;
		lo = hi = 0;
		for (p = esc_patterns[i].pat; *p != '\0'; p = *end ? end + 1 : end) {
			if ((end = strchr(p, ' ')) == NULL)
				end = p + strlen(p);
			if (*p == '~') {
				from_max += (size_t)(p[1] - '0');
				continue;
			}
			list = *p == '?' || *p == '!' ? p + 1 : p;
			lend = end;
			if (*p == '@') {
				if ((cl = esc_class(p + 1, (size_t)(end - p - 1))) == NULL)
					break;	/* matches nothing: tried as before */
				list = cl->words;
				lend = list + strlen(list);
			}
			keyed = esc_alts_span(list, lend, &wmin, &wmax, &jmin, &jmax);
			if (*p == '!')
				wmin = wmax = 0;
			else if (*p == '?')
				wmin = 0;
			else if (keyed && (key == NULL ||
			    from_max + jmax - from_min - jmin < hi - lo)) {
				key = list;
				key_end = lend;
				lo = from_min + jmin;
				hi = from_max + jmax;
			}
			from_min += wmin;
			from_max += wmax;
		}
		if (key == NULL || hi > ESC_SPAN - 1 || i >= 64) {
			esc_unkeyed |= i < 64 ? (uint64_t)1 << i : 0;
			continue;
		}
		/* a chain entry for each trigger word of the key: one per
		 * word and pattern, the key's lo and hi for all its words */
		for (a = key; a <= key_end; a = bar + 1) {
			if ((bar = memchr(a, '|', (size_t)(key_end - a))) == NULL)
				bar = key_end;
			for (w = a; w < bar; w = we + 1) {
				for (we = w; we < bar && *we != '_'; we++)
					;
				if ((id = esc_word_id(w, (size_t)(we - w))) < 0)
					continue;
				for (j = esc_key_head[id]; j >= 0 &&
				    esc_keys[j].pattern != i; j = esc_key_next[j])
					;
				if (j >= 0)
					continue;
				if (esc_keys_count == ESC_KEYS_MAX) {
					/* full: the pattern is also tried near any
					 * trigger word, which is more */
					esc_unkeyed |= (uint64_t)1 << i;
					continue;
				}
				esc_keys[esc_keys_count].pattern = (unsigned char)i;
				esc_keys[esc_keys_count].lo = (unsigned char)lo;
				esc_keys[esc_keys_count].hi = (unsigned char)hi;
				esc_key_next[esc_keys_count] = esc_key_head[id];
				esc_key_head[id] = (short)esc_keys_count++;
			}
			if (bar == key_end)
				break;
		}
	}
}

static inline int	esc_trigger_id(const struct tok *);

/* Candidates by position, modulo ESC_RING: every position a trigger word
 * marks lies less than ESC_SPAN ahead of the window's. */
#define ESC_RING	32
_Static_assert(NELEM(esc_patterns) <= 64, "a pattern is a bit of a mask");
_Static_assert(ESC_RING >= ESC_SPAN, "a mark is never overwritten");

/* A token read at position p, the window being at pos: if it is a
 * trigger word, the last place an unkeyed pattern is tried (*active),
 * where the patterns keyed on it may start, and the last of those
 * places so far (*until). */
static void
esc_mark(uint64_t *ring, const struct tok *t, long p, long pos, long *active,
    long *until)
{
	const struct esc_key *ky;
	long q;
	int id, j;

	if ((id = esc_trigger_id(t)) < 0)
		return;
	*active = p;
	for (j = esc_key_head[id]; j >= 0; j = esc_key_next[j]) {
		ky = &esc_keys[j];
		for (q = p - ky->hi; q <= p - ky->lo; q++)
			if (q >= pos)
				ring[q % ESC_RING] |= (uint64_t)1 << ky->pattern;
		if (p - ky->lo > *until)
			*until = p - ky->lo;
	}
}

/* esc_trigger_id for a token that passed its filter: the hash. */
static int
esc_trigger_hashed(const struct tok *t)
{
	return esc_word_id(t->key, t->keylen);
}

/* The index in esc_triggers[] of the token's word, or -1.  Asked of
 * every token the detector reads, so the filter is inline. */
static inline int
esc_trigger_id(const struct tok *t)
{
	if (t == NULL || t->ovf || t->keylen == 0 ||
	    !esc_ends((unsigned char)t->key[0],
	    (unsigned char)t->key[t->keylen - 1], t->keylen))
		return -1;
	return esc_trigger_hashed(t);
}

/* Is the token one of esc_triggers[]? */
static inline int
esc_trigger(const struct tok *t)
{
	return esc_trigger_id(t) >= 0;
}

/*
 * Most texts the detector is asked about hold no trigger word, or hold
 * their first one far in, and tokenizing every word up to it cost more
 * than the rest of the detector.  esc_skip finds where one may be from
 * the bytes instead: it cuts words as tz_word does where that is simple
 * -- ASCII letters and digits, joined by an inner ' or - (or U+2019,
 * U+02BC, U+2010, U+2011, which fold to them) -- and tests them as
 * esc_trigger would.  It stops at anything else that may be part of a
 * trigger word's token: Latin letters that fold to ASCII, combining
 * marks, characters the tokenizer skips inside words.  Whatever else is
 * not ASCII (punctuation, spaces, emoji, other scripts) only separates
 * words here; where the tokenizer makes it part of a word instead, that
 * word's key has a byte no trigger has, so cutting it otherwise can only
 * make esc_skip stop for nothing.  A stop is a place to look, not an
 * answer: the tokenizer then reads the chunk around it.
 */

/* esc_trigger for the ASCII word [s, s + len) (letters, digits, inner '
 * and -), folded as it is read. */
static int
esc_word_trigger(const unsigned char *s, size_t len)
{
	const char *w;
	uint32_t h = 2166136261u;	/* esc_fnv of the folded word */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ ascii_lower(s[i])) * 16777619u;
	for (h &= ESC_HASH - 1; (w = esc_hash[h]) != NULL;
	    h = (h + 1) & (ESC_HASH - 1)) {
		/* w's NUL differs from every byte of s */
		for (i = 0; i < len && w[i] == (char)ascii_lower(s[i]); i++)
			;
		if (i == len && w[len] == '\0')
			return 1;
	}
	return 0;
}

/* The first byte from p on where a trigger word's token may start or
 * lie, or end if there is none. */
static const unsigned char *
esc_skip(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *s;
	size_t n, klen;
	int32_t c;
	enum cc cls;
	int wide;

	while (p < end) {
		if (word_case[*p] == 0) {
			if (*p < 0x80) {
				p++;
				continue;
			}
			/* a combining mark may start a token (tz_word) */
			c = cp_next(p, end, &n, &cls);
			if (cls == CC_MARK || (cls == CC_WORD && c >= 0xC0 &&
			    c <= 0x17F))
				return p;
			p += n;
			continue;
		}
		s = p;
		/* Most words are fewer than eight letters and digits followed
		 * by a space or punctuation: one swar_word. */
		if (end - p >= 8) {
			uint64_t x = load_le64(p), stop;

			stop = swar_word(x);
			klen = stop != 0 ? swar_len(stop) : 8;
			if (klen < 8 && p[klen] < 0x80 && p[klen] != '\'' &&
			    p[klen] != '-') {
				p += klen + 1;	/* the byte after is no part of a word */
				if (esc_ends(s[0], s[klen - 1], klen) &&
				    esc_word_trigger(s, klen))
					return s;
				continue;
			}
		}
		/* a word: klen bytes of key; wide if an inner ' or - is not
		 * ASCII, and the key then is not the word's bytes */
		klen = 0;
		wide = 0;
		for (;;) {
			while (p < end && word_case[*p] != 0) {
				p++;
				klen++;
			}
			if (p + 1 < end && (*p == '\'' || *p == '-') &&
			    word_case[p[1]] != 0) {
				p++;
				klen++;
				continue;
			}
			if (p < end && *p >= 0x80) {
				c = cp_next(p, end, &n, &cls);
				if ((cls == CC_APOS || cls == CC_HYPHEN) &&
				    p + n < end && word_case[p[n]] != 0) {
					p += n;
					klen++;
					wide = 1;
					continue;
				}
				/* the tokenizer goes on with the word */
				if (cls == CC_WORD || cls == CC_MARK ||
				    cls == CC_IGNORE)
					return s;
			}
			break;
		}
		/* esc_trigger's filter, then its hash */
		if (klen < 64 && esc_ends(s[0], p[-1], klen) &&
		    (wide || esc_word_trigger(s, klen)))
			return s;
	}
	return end;
}

/* The start of the chunk that holds p: the tokenizer started there reads
 * the tokens it would have read from the text's start, but for the
 * sentence break before the first. */
static const unsigned char *
esc_chunk(const unsigned char *text, const unsigned char *p)
{
	while (p > text && p[-1] > 0x20 && p[-1] != 0x7F)
		p--;
	return p;
}

/* From *tz on, the index of the first trigger word, saving the state
 * every ESC_EVERY tokens in saved[]; -1 if none starts before offset
 * stop. */
static long
esc_scan(struct tokenizer *tz, struct tokenizer *saved, size_t stop)
{
	struct tok t;
	long n;

	for (n = 0;; n++) {
		if (n % ESC_EVERY == 0)
			saved[n / ESC_EVERY % ESC_SAVED] = *tz;
		if (!tz_next(tz, &t) || t.off >= stop)
			return -1;
		if (esc_trigger(&t))
			return n;
	}
}

int
sentiment_asks_escalation(const char *text, size_t len, const char **label)
{
	struct tokenizer tz, saved[ESC_SAVED];
	struct tokwin w;
	const unsigned char *p, *q, *r, *end;
	size_t i, back;
	const unsigned char *stop = NULL;	/* esc_skip's, ahead */
	const struct tok *t;
	long n, k, active = -1, until = -1;
	uint64_t cand, ring[ESC_RING] = { 0 };

	esc_prepare();
	if (label != NULL)
		*label = NULL;
	if (text == NULL || len == 0)
		return 0;
	/* The first trigger word: a stop of esc_skip's, confirmed by the
	 * tokenizer over the chunk around it (chunks end at ASCII spaces,
	 * where esc_skip goes on). */
	p = (const unsigned char *)text;
	end = p + len;
	for (;;) {
		if ((q = esc_skip(p, end)) == end)
			return 0;
		r = esc_chunk((const unsigned char *)text, q);
		for (p = q; p < end && *p > 0x20 && *p != 0x7F; p++)
			;
		tz_init(&tz, text, len, NULL);
		tz.p = r;
		if ((n = esc_scan(&tz, saved, (size_t)(p - tz.text))) >= 0)
			break;
	}
	/* Every phrase holds a trigger word and spans fewer than ESC_SPAN
	 * tokens, so patterns are tried only where a trigger lies ahead
	 * within that span: a long mail with one "manager" in it costs a
	 * few dozen attempts, not one per word.  The first try is thus at
	 * token n - (ESC_SPAN - 1), which looks back WIN_BEHIND tokens at
	 * most: the window starts at a saved state no later than that (the
	 * tokenizer is started further back for it if need be), or at the
	 * text's start.  The window only sees tokens relative to its
	 * position, so where it starts before that changes nothing. */
	for (back = 256; n < ESC_BACK && r > tz.text; back *= 4) {
		r = (size_t)(r - tz.text) > back ?
		    esc_chunk(tz.text, r - back) : tz.text;
		tz_init(&tz, text, len, NULL);
		tz.p = r;
		n = esc_scan(&tz, saved, len);
	}
	if (n >= ESC_BACK) {
		n = (n - ESC_BACK) / ESC_EVERY;
		tz = saved[n % ESC_SAVED];
	} else
		tz_init(&tz, text, len, NULL);
	win_init(&w, text, len, NULL);
	w.tz = tz;
	for (k = 0; k < ESC_SPAN - 1; k++)
		esc_mark(ring, win_at(&w, k), k, 0, &active, &until);
	for (; win_at(&w, 0) != NULL; w.pos++) {
		esc_mark(ring, win_at(&w, ESC_SPAN - 1), (long)w.pos + ESC_SPAN - 1,
		    (long)w.pos, &active, &until);
		cand = ring[w.pos % ESC_RING];
		ring[w.pos % ESC_RING] = 0;
		if ((long)w.pos <= active)
			cand |= esc_unkeyed;
		else if ((long)w.pos > until) {
			/* Nothing pending, and the tokens up to ESC_SPAN - 1
			 * ahead are marked: if esc_skip finds no trigger word
			 * from the next one on (from its chunk's start, where
			 * the tokenizer may begin), none is left, and no
			 * pattern can match. */
			if ((t = win_at(&w, ESC_SPAN)) == NULL)
				return 0;
			if (stop == NULL || w.tz.text + t->off > stop)
				stop = esc_skip(esc_chunk(w.tz.text,
				    w.tz.text + t->off), end);
			if (stop == end)
				return 0;
		}
		if (cand == 0)
			continue;
		cand &= esc_candidates(win_at(&w, 0));
		for (i = 0; i < NELEM(esc_patterns); i++)
			if (((cand >> i) & 1) &&
			    esc_seq(&w, esc_patterns[i].pat, 0) && !esc_vetoed(&w)) {
				if (label != NULL)
					*label = esc_patterns[i].label;
				return 1;
			}
	}
	return 0;
}
