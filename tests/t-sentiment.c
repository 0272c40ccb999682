/* t-sentiment.c -- the sentiment scorer, the asks-escalation detector
 * (rules/sentiment.c) and the line filter of `escalator sentiment`
 * (cli/sentiment.c).  Cases 45xx, data in tests/data/45xx-*:
 *   4500 signs and bounds on a support test set   4501 orderings
 *   4502 asks-escalation table                    4503 one line out per line in
 *   4504 the examples published with VADER         4505 --json objects
 *   4506 the words that drove the score            4507 hostile input
 *   4508 a missing lexicon                         4509 the shipped lexicon
 *   4510-4517 lexicon errors ("# expect:" line)    4520 the lexicon format
 *   4521 support texts rated by hand: signs and order
 *   4522-4524 the same in German, French, Spanish   4525 the language guess
 *   4526 a language's file: roles, suffix rule, clause-final negation, tags
 *   4527 languages' files read at first use; a broken one
 *   4528-4530 support texts rated by hand in Dutch, Italian, Portuguese
 *   4531 sarcastic complaints and sincere or mixed look-alikes, rated by hand
 * Scores are asserted by sign, bound and order, never to the digit. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/err.h"
#include "rules/sentiment.h"
#include "tests/tap.h"

static const char *
datadir(void)
{
	const char *d = getenv("TESTDATA");

	return d != NULL && *d != '\0' ? d : "tests/data";
}

static const char *
datapath(const char *name)
{
	static char path[1024];

	(void)snprintf(path, sizeof(path), "%s/%s", datadir(), name);
	return path;
}

/* The lines of a data file, without newlines; '#' lines dropped if
 * skip_comments.  Caller frees with lines_free. */
struct lines {
	char	**line;
	size_t	 count;
};

static void
lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		free(l->line[i]);
	free(l->line);
	l->line = NULL;
	l->count = 0;
}

static int
lines_read(const char *name, int skip_comments, struct lines *l)
{
	FILE *f;
	char *buf = NULL, **nl;
	size_t cap = 0;
	ssize_t n;

	l->line = NULL;
	l->count = 0;
	if ((f = fopen(datapath(name), "r")) == NULL) {
		printf("# cannot open '%s': %s\n", datapath(name), strerror(errno));
		return -1;
	}
	while ((n = getline(&buf, &cap, f)) != -1) {
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (skip_comments && buf[0] == '#')
			continue;
		if ((nl = realloc(l->line, (l->count + 1) * sizeof(*nl))) == NULL)
			abort();
		l->line = nl;
		if ((l->line[l->count++] = strdup(buf)) == NULL)
			abort();
	}
	free(buf);
	fclose(f);
	return 0;
}

/* Scores a string literal, NULs and all. */
#define SCORE(s, lit, r)	sentiment_score((s), (lit), sizeof(lit) - 1, (r))

static double
score(const struct sentiment *s, const char *text)
{
	struct sentiment_result r;

	sentiment_score(s, text, strlen(text), &r);
	return r.compound;
}

/* Checks "+ <=-0.3 ..." against c; 1 if all hold. */
static int
expect_holds(const char *expect, double c)
{
	char buf[256], *tok, *save = NULL, *end;
	double bound;
	int ok = 1;

	(void)snprintf(buf, sizeof(buf), "%s", expect);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if (strcmp(tok, "+") == 0)
			ok &= c >= 0.05;
		else if (strcmp(tok, "-") == 0)
			ok &= c <= -0.05;
		else if (strcmp(tok, "0") == 0)
			ok &= c > -0.05 && c < 0.05;
		else {
			const char *num = tok + (tok[1] == '=' ? 2 : 1);

			bound = strtod(num, &end);
			if (end == num || *end != '\0')
				return 0;
			if (strncmp(tok, ">=", 2) == 0)
				ok &= c >= bound;
			else if (strncmp(tok, "<=", 2) == 0)
				ok &= c <= bound;
			else if (tok[0] == '>')
				ok &= c > bound;
			else if (tok[0] == '<')
				ok &= c < bound;
			else
				return 0;
		}
	}
	return ok;
}

/* 4500, 4504: a text file and its expectations, line by line. */
static void
t_expect(const struct sentiment *s, int num, const char *txt, const char *exp)
{
	struct lines texts, expects;
	char name[512];
	size_t i;

	if (!tap_selected(num))
		return;
	if (lines_read(txt, 0, &texts) == -1 || lines_read(exp, 1, &expects) == -1) {
		CHECK(0, "test data readable");
		return;
	}
	CHECK(texts.count == expects.count, num == 4500 ?
	    "4500 one expectation per text" : "4504 one expectation per text");
	for (i = 0; i < texts.count && i < expects.count; i++) {
		double c = score(s, texts.line[i]);

		(void)snprintf(name, sizeof(name), "%d '%s' is %s (%.4f)", num,
		    texts.line[i], expects.line[i], c);
		CHECK(expect_holds(expects.line[i], c), name);
	}
	lines_free(&texts);
	lines_free(&expects);
}

/* 4501: "lower<TAB>higher". */
static void
t_order(const struct sentiment *s)
{
	struct lines l;
	char name[512], *tab;
	size_t i;

	if (!tap_selected(4501))
		return;
	if (lines_read("4501-order.txt", 1, &l) == -1) {
		CHECK(0, "4501 test data readable");
		return;
	}
	for (i = 0; i < l.count; i++) {
		double lo, hi;

		if ((tab = strchr(l.line[i], '\t')) == NULL) {
			CHECK(0, "4501 line has a tab");
			continue;
		}
		*tab = '\0';
		lo = score(s, l.line[i]);
		hi = score(s, tab + 1);
		(void)snprintf(name, sizeof(name), "4501 '%s' (%.4f) < '%s' (%.4f)",
		    l.line[i], lo, tab + 1, hi);
		CHECK(lo < hi, name);
	}
	lines_free(&l);
}

/* 4521: "rating<TAB>text", rated by hand from -4 to 4: the sign of
 * every clearly rated text, near 0 for the neutral ones, and the order of
 * every two texts rated 2.5 or more apart (one check for all pairs, the
 * pairs out of order listed). */
static void
t_rated(const struct sentiment *s, int num, const char *file, size_t min,
    const char *lang)
{
	struct sentiment_result r;
	struct lines l;
	char name[512], *end;
	double *rating, *c;
	size_t i, j, pairs = 0, wrong = 0, other = 0;

	if (!tap_selected(num))
		return;
	if (lines_read(file, 1, &l) == -1) {
		(void)snprintf(name, sizeof(name), "%d test data readable", num);
		CHECK(0, name);
		return;
	}
	if ((rating = calloc(l.count + 1, sizeof(*rating))) == NULL ||
	    (c = calloc(l.count + 1, sizeof(*c))) == NULL)
		abort();
	for (i = 0; i < l.count; i++) {
		rating[i] = strtod(l.line[i], &end);
		if (end == l.line[i] || *end != '\t') {
			(void)snprintf(name, sizeof(name), "%d line is "
			    "rating<TAB>text", num);
			CHECK(0, name);
			continue;
		}
		sentiment_score(s, end + 1, strlen(end + 1), &r);
		c[i] = r.compound;
		if (strcmp(r.lang, lang) != 0 || !r.lang_scored) {
			printf("# '%s' taken for '%s'%s\n", end + 1, r.lang,
			    r.lang_scored ? "" : ", not scored");
			other++;
		}
		(void)snprintf(name, sizeof(name), "%d '%s' rated %.1f (%.4f)",
		    num, end + 1, rating[i], c[i]);
		if (rating[i] >= 1)
			CHECK(c[i] >= 0.05, name);
		else if (rating[i] <= -1)
			CHECK(c[i] <= -0.05, name);
		else if (rating[i] > -0.5 && rating[i] < 0.5)
			CHECK(c[i] > -0.5 && c[i] < 0.5, name);
	}
	for (i = 0; i < l.count; i++)
		for (j = 0; j < l.count; j++) {
			if (rating[j] - rating[i] < 2.5)
				continue;
			pairs++;
			if (c[i] < c[j])
				continue;
			wrong++;
			printf("# out of order: '%s' (%.4f) >= '%s' (%.4f)\n",
			    strchr(l.line[i], '\t') + 1, c[i],
			    strchr(l.line[j], '\t') + 1, c[j]);
		}
	(void)snprintf(name, sizeof(name),
	    "%d %zu pairs rated 2.5 apart score in order (%zu not)", num, pairs,
	    wrong);
	CHECK(l.count >= min && pairs > 0 && wrong == 0, name);
	(void)snprintf(name, sizeof(name), "%d every text scored as '%s' "
	    "(%zu not)", num, lang, other);
	CHECK(other == 0, name);
	free(rating);
	free(c);
	lines_free(&l);
}

/* 4525: "lang<TAB>text": the guess, and for English the English score
 * exactly, whatever the other languages' lexicons hold. */
static void
t_language(const struct sentiment *s)
{
	struct sentiment_result r, en;
	struct lines l;
	char name[512], buf[12], *tab;
	size_t i;

	if (!tap_selected(4525))
		return;
	if (lines_read("4525-language.tsv", 1, &l) == -1) {
		CHECK(0, "4525 test data readable");
		return;
	}
	for (i = 0; i < l.count; i++) {
		if ((tab = strchr(l.line[i], '\t')) == NULL) {
			CHECK(0, "4525 line is lang<TAB>text");
			continue;
		}
		*tab++ = '\0';
		(void)snprintf(name, sizeof(name), "4525 '%s' is '%s' (%s)", tab,
		    l.line[i], sentiment_guess(tab, strlen(tab), buf));
		CHECK(strcmp(buf, l.line[i]) == 0, name);
		if (strcmp(l.line[i], "en") != 0)
			continue;
		sentiment_score(s, tab, strlen(tab), &r);
		sentiment_score_lang(s, tab, strlen(tab), "en", &en);
		(void)snprintf(name, sizeof(name), "4525 '%s' scores as English "
		    "(%.4f)", tab, r.compound);
		CHECK(r.compound == en.compound && r.words_count ==
		    en.words_count && strcmp(r.lang, "en") == 0 && r.lang_scored,
		    name);
	}
	sentiment_score_lang(s, "Das ist kaputt.", 15, "ja", &r);
	CHECK(r.compound == 0 && strcmp(r.lang, "ja") == 0 && !r.lang_scored &&
	    r.escalation_words, "4525 a tag without a lexicon: 0, not scored, "
	    "the detector asked to read");
	sentiment_score_lang(s, "Das ist kaputt.", 15, "de-AT, en", &r);
	CHECK(r.compound < -0.05 && strcmp(r.lang, "de") == 0 && r.lang_scored,
	    "4525 the first tag's primary language");
	sentiment_score_lang(s, "The app is broken.", 18, "und", &r);
	CHECK(r.compound < -0.05 && strcmp(r.lang, "en") == 0,
	    "4525 'und' is no tag: guessed");
	SCORE(s, "Ich möchte mit Ihrem Vorgesetzten sprechen, das ist "
	    "unverschämt.", &r);
	CHECK(strcmp(r.lang, "de") == 0 && r.escalation_words &&
	    r.compound < -0.05, "4525 German: trigger words seen, scored");
	lines_free(&l);
}

/* 4526: a language's file, on a small one: roles, the suffix rule, a
 * line of the file over a made form, emoji from lexicon.tsv. */
static void
t_lang_file(void)
{
	struct sentiment *s = NULL;
	struct sentiment_result r;
	struct err e = ERR_INIT;
	char buf[1024];

	if (!tap_selected(4526))
		return;
	if (sentiment_load(datapath("4520-lexicon-small.tsv"), &s, &e) == -1 ||
	    sentiment_load_lang(s, "de", datapath("4526-lexicon-de.tsv"),
	    &e) == -1) {
		printf("# %s\n", err_str(&e, buf, sizeof(buf)));
		CHECK(0, "4526 small lexicons load");
		sentiment_free(s);
		return;
	}
	CHECK(sentiment_has_lang(s, "de") && sentiment_has_lang(s, "en") &&
	    !sentiment_has_lang(s, "fr"), "4526 the languages loaded");
	CHECK(sentiment_load_lang(s, "de", datapath("4526-lexicon-de.tsv"),
	    &e) == -1 && e.code == ERR_DATA, "4526 one lexicon a language");
	CHECK(sentiment_load_lang(s, "DE!", datapath("4526-lexicon-de.tsv"),
	    &e) == -1 && e.code == ERR_DATA, "4526 a language is 2-3 letters");
	sentiment_score_lang(s, "schlecht", 8, "de", &r);
	CHECK(r.compound < -0.05, "4526 a word");
	sentiment_score_lang(s, "schlechten", 10, "de", &r);
	CHECK(r.compound < -0.05 && r.words_count == 1 &&
	    strcmp(r.words[0].word, "schlechten") == 0, "4526 its form by the "
	    "suffix rule");
	sentiment_score_lang(s, "schlechtes", 10, "de", &r);
	CHECK(r.compound > 0.05, "4526 a line of the file over a made form");
	sentiment_score_lang(s, "gut", 3, "de", &r);
	{
		struct sentiment_result neg, boost, but;

		sentiment_score_lang(s, "nicht gut", 9, "de", &neg);
		sentiment_score_lang(s, "sehr gut", 8, "de", &boost);
		sentiment_score_lang(s, "schlecht aber gut", 17, "de", &but);
		CHECK(r.compound > 0.05 && neg.compound < 0 &&
		    boost.compound > r.compound && but.compound > 0.05,
		    "4526 negation, booster, contrast");
	}
	{
		struct sentiment_result verb, fin, part, mid, noun;
		const char *t1 = "Die Seite l\xc3\xa4" "dt";
		const char *t2 = "Die Seite l\xc3\xa4" "dt nicht.";
		const char *t3 = "Seit heute l\xc3\xa4" "dt das Bild nicht mehr";
		const char *t4 = "Es l\xc3\xa4" "dt nicht das Bild";
		const char *t5 = "Ich finde das Gut nicht";

		sentiment_score_lang(s, t1, strlen(t1), "de", &verb);
		sentiment_score_lang(s, t2, strlen(t2), "de", &fin);
		sentiment_score_lang(s, t3, strlen(t3), "de", &part);
		sentiment_score_lang(s, t4, strlen(t4), "de", &mid);
		sentiment_score_lang(s, t5, strlen(t5), "de", &noun);
		CHECK(verb.compound == 0 && fin.compound < -0.05 &&
		    part.compound < -0.05 && part.words_count == 1 &&
		    strcmp(part.words[0].word, "ladt") == 0 &&
		    mid.compound == 0 && noun.compound > 0.05,
		    "4526 a clause-final negation negates the verb before it, "
		    "made by the suffix rule, not a word with a capital");
	}
	sentiment_score_lang(s, "gut \xf0\x9f\x98\xa1", 8, "de", &r);
	CHECK(r.words_count == 2, "4526 emoji of lexicon.tsv count in German");
	sentiment_score_lang(s, "bad", 3, "de", &r);
	CHECK(r.compound == 0 && r.lang_scored, "4526 English words do not");
	sentiment_free(s);
	CHECK(sentiment_load(datapath("4520-lexicon-small.tsv"), &s, &e) == 0 &&
	    sentiment_load_lang(s, "fr", datapath("4526-lexicon-bad.tsv"),
	    &e) == -1 && e.code == ERR_DATA && e.line == 3,
	    "4526 a role takes no third field: the line named");
	sentiment_free(s);
}

/* 4527: the languages' files beside lexicon.tsv are named by
 * sentiment_load_default and read at their first use; a broken one
 * leaves its language unscored, and sentiment_load_langs names it. */
static void
t_lang_lazy(void)
{
	struct sentiment *s = NULL;
	struct sentiment_result r;
	struct err e = ERR_INIT;
	char *saved = getenv("ESCALATOR_LEXICON"), buf[1024];

	if (!tap_selected(4527))
		return;
	if (saved != NULL && (saved = strdup(saved)) == NULL)
		abort();
	setenv("ESCALATOR_LEXICON", datapath("4527-lexicons/lexicon.tsv"), 1);
	if (sentiment_load_default(&s, &e) == -1) {
		printf("# %s\n", err_str(&e, buf, sizeof(buf)));
		CHECK(0, "4527 a broken language's file does not stop the load");
	} else {
		CHECK(sentiment_has_lang(s, "de") && sentiment_has_lang(s, "it"),
		    "4527 both languages named");
		sentiment_score_lang(s, "kaputt :(", 9, "de", &r);
		CHECK(r.lang_scored && r.compound < -0.05 && r.words_count == 2,
		    "4527 German read at its first use, emoticons with it");
		sentiment_score_lang(s, "nicht kaputt", 12, "de", &r);
		CHECK(r.lang_scored && r.compound > 0, "4527 and again");
		sentiment_score_lang(s, "rotto :(", 8, "it", &r);
		CHECK(!r.lang_scored && r.compound == 0 && strcmp(r.lang,
		    "it") == 0, "4527 a broken file: its language unscored");
		sentiment_score_lang(s, "bad", 3, NULL, &r);
		CHECK(r.lang_scored && r.compound < -0.05, "4527 English scored");
		CHECK(sentiment_load_langs(s, &e) == -1 && e.code == ERR_DATA &&
		    e.line == 3 && strstr(e.file, "lexicon-it.tsv") != NULL,
		    "4527 sentiment_load_langs names the broken file and line");
	}
	sentiment_free(s);
	if (saved != NULL)
		setenv("ESCALATOR_LEXICON", saved, 1);
	else
		unsetenv("ESCALATOR_LEXICON");
	free(saved);
}

/* 4502: "1<TAB>text" fires, "0<TAB>text" does not. */
static void
t_escalation(void)
{
	struct lines l;
	char name[512];
	const char *label;
	size_t i, pos = 0, neg = 0;

	if (!tap_selected(4502))
		return;
	if (lines_read("4502-escalation.txt", 1, &l) == -1) {
		CHECK(0, "4502 test data readable");
		return;
	}
	for (i = 0; i < l.count; i++) {
		const char *text = l.line[i] + 2;
		int want = l.line[i][0] == '1', got;

		if (strlen(l.line[i]) < 3 || l.line[i][1] != '\t') {
			CHECK(0, "4502 line is '0|1<TAB>text'");
			continue;
		}
		got = sentiment_asks_escalation(text, strlen(text), &label);
		(void)snprintf(name, sizeof(name), "4502 %s: '%s'%s%s%s",
		    want ? "asks" : "does not ask", text, got ? " (" : "",
		    got ? label : "", got ? ")" : "");
		CHECK(got == want && (!got || label != NULL), name);
		if (want)
			pos++;
		else
			neg++;
	}
	CHECK(pos >= 15 && neg >= 15, "4502 at least 15 cases each way");
	CHECK(sentiment_asks_escalation(NULL, 0, &label) == 0 && label == NULL,
	    "4502 empty text does not ask");
	lines_free(&l);
}

/* Runs the filter over len bytes; the output in *out (caller frees). */
static int
filter_mem(const struct sentiment *s, const char *in, size_t len, int json,
    char **out, size_t *outlen)
{
	struct err e = ERR_INIT;
	FILE *fin, *fout;
	int ret;

	*out = NULL;
	*outlen = 0;
	if ((fout = open_memstream(out, outlen)) == NULL)
		return -1;
	/* fmemopen of 0 bytes is refused by some libcs: use an empty file */
	fin = len > 0 ? fmemopen((void *)(uintptr_t)in, len, "r") : tmpfile();
	if (fin == NULL) {
		fclose(fout);
		return -1;
	}
	ret = sentiment_filter(s, fin, fout, json, &e);
	fclose(fin);
	fclose(fout);
	return ret;
}

static size_t
count_char(const char *s, size_t len, char c)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

/* Every output line a score "-0.1234" within [-1, 1]. */
static int
scores_ok(const char *out, size_t len)
{
	const char *p = out, *end = out + len, *nl;
	char *e;
	double v;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return 0;
		v = strtod(p, &e);
		if (e != nl || v < -1 || v > 1 || nl - p < 6 || nl[-5] != '.')
			return 0;
	}
	return 1;
}

/* 4503: exactly one output line per input line, whatever the bytes. */
static void
t_lines(const struct sentiment *s)
{
#define CASE(in, lines, name)	{ in, sizeof(in) - 1, lines, name }
	static const struct {
		const char	*in;
		size_t		 len;
		size_t		 lines;
		const char	*name;
	} cases[] = {
		CASE("", 0, "empty input, no output"),
		CASE("\n", 1, "one empty line"),
		CASE("\n\n\n", 3, "three empty lines"),
		CASE("good", 1, "a last line without newline counts"),
		CASE("good\r\nbad\r\n", 2, "CRLF"),
		CASE("a\0b\nc\0\n\0", 3, "NUL bytes inside lines"),
		CASE("\xff\xfe\xfd\n\xc3\n\xe2\x82\n\xf0\x9f", 4, "invalid UTF-8 only"),
		CASE("\r\n\r", 2, "a lone CR is text"),
	};
#undef CASE
	FILE *f;
	char *in = NULL, *out, name[256];
	size_t i, len, outlen, cap = 0, want;
	int ret;

	if (!tap_selected(4503))
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = filter_mem(s, cases[i].in, cases[i].len, 0, &out, &outlen);
		(void)snprintf(name, sizeof(name), "4503 %s: %zu line(s)",
		    cases[i].name, cases[i].lines);
		CHECK(ret == 0 && count_char(out, outlen, '\n') == cases[i].lines &&
		    scores_ok(out, outlen), name);
		free(out);
	}
	ret = filter_mem(s, "\n", 1, 0, &out, &outlen);
	CHECK(ret == 0 && outlen == 7 && memcmp(out, "0.0000\n", 7) == 0,
	    "4503 an empty line scores 0.0000");
	free(out);
	ret = filter_mem(s, "The app is broken.\n", 19, 0, &out, &outlen);
	CHECK(ret == 0 && outlen == 8 && out[0] == '-' && out[2] == '.',
	    "4503 a negative score prints as -0.dddd");
	free(out);

	/* the fixture: invalid UTF-8, CRLF, NULs, no final newline */
	if ((f = fopen(datapath("4503-invalid-utf8.txt"), "rb")) == NULL) {
		CHECK(0, "4503 test data readable");
		return;
	}
	len = 0;
	for (;;) {
		if (len + 4096 > cap && (in = realloc(in, cap += 65536)) == NULL)
			abort();
		if ((outlen = fread(in + len, 1, 4096, f)) == 0)
			break;
		len += outlen;
	}
	fclose(f);
	want = count_char(in, len, '\n') + (len > 0 && in[len - 1] != '\n');
	ret = filter_mem(s, in, len, 0, &out, &outlen);
	CHECK(ret == 0 && count_char(out, outlen, '\n') == want &&
	    scores_ok(out, outlen), "4503 4503-invalid-utf8.txt: a line out per line in");
	free(out);
	ret = filter_mem(s, in, len, 1, &out, &outlen);
	CHECK(ret == 0 && count_char(out, outlen, '\n') == want,
	    "4503 4503-invalid-utf8.txt with --json: a line out per line in");
	free(out);

	/* one long line, a million bytes of words */
	free(in);
	len = 1000000;
	if ((in = malloc(len + 1)) == NULL)
		abort();
	for (i = 0; i < len; i++)
		in[i] = "broken and slow, but fine :) "[i % 29];
	in[len - 1] = '\n';
	ret = filter_mem(s, in, len, 0, &out, &outlen);
	CHECK(ret == 0 && count_char(out, outlen, '\n') == 1 && scores_ok(out, outlen),
	    "4503 a line of a million bytes is one line");
	free(out);
	free(in);
}

/* 4505: --json, one object per line with the documented fields. */
static void
t_json(const struct sentiment *s)
{
	static const char in[] =
	    "The app is broken and I want to speak to a manager!\n"
	    "\n"
	    "thanks, works great \xf0\x9f\x91\x8d\n"
	    "\xff\xfe broken\n";
	json_t *o, *w;
	json_error_t jerr;
	char *out, *line, *save = NULL;
	size_t outlen, n = 0, i;
	int ok = 1;

	if (!tap_selected(4505))
		return;
	if (filter_mem(s, in, sizeof(in) - 1, 1, &out, &outlen) == -1) {
		CHECK(0, "4505 filter runs");
		return;
	}
	CHECK(count_char(out, outlen, '\n') == 4, "4505 four objects for four lines");
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		if ((o = json_loads(line, 0, &jerr)) == NULL) {
			printf("# line %zu: %s\n", n + 1, jerr.text);
			ok = 0;
			continue;
		}
		ok &= json_is_real(json_object_get(o, "compound")) &&
		    json_is_real(json_object_get(o, "pos")) &&
		    json_is_real(json_object_get(o, "neg")) &&
		    json_is_real(json_object_get(o, "neu")) &&
		    json_is_boolean(json_object_get(o, "asks_escalation")) &&
		    json_is_array(json_object_get(o, "words"));
		if (n == 0) {
			int broken = 0;

			ok &= json_is_true(json_object_get(o, "asks_escalation"));
			ok &= json_real_value(json_object_get(o, "compound")) < 0;
			json_array_foreach(json_object_get(o, "words"), i, w)
				broken |= strcmp(json_string_value(json_object_get(w,
				    "word")), "broken") == 0 &&
				    json_real_value(json_object_get(w, "valence")) < 0;
			ok &= broken;
		} else if (n == 1) {
			ok &= json_real_value(json_object_get(o, "compound")) == 0 &&
			    json_array_size(json_object_get(o, "words")) == 0 &&
			    json_is_false(json_object_get(o, "asks_escalation"));
		} else if (n == 2)
			ok &= json_real_value(json_object_get(o, "compound")) > 0.5;
		else
			ok &= json_real_value(json_object_get(o, "compound")) < 0;
		json_decref(o);
	}
	CHECK(ok && n == 4, "4505 objects parse, with compound, pos, neg, neu, "
	    "asks_escalation and words");
	free(out);
}

/* 4506: words[] names what drove the score, the strongest, in order. */
static void
t_words(const struct sentiment *s)
{
	static const char nwt[] = "The app is not working and still waiting for a fix";
	struct sentiment_result r;
	char text[4096];
	size_t i, len = 0;
	int ok;

	if (!tap_selected(4506))
		return;
	sentiment_score(s, nwt, sizeof(nwt) - 1, &r);
	CHECK(r.words_count == 2 && strcmp(r.words[0].word, "working") == 0 &&
	    r.words[0].valence < 0 && strcmp(r.words[1].word, "still waiting") == 0,
	    "4506 negated 'working' and the phrase 'still waiting'");
	SCORE(s, "Hello, can you help?", &r);
	CHECK(r.words_count == 1 && strcmp(r.words[0].word, "help") == 0,
	    "4506 only words with a valence are listed");
	for (i = 0; i < 30; i++) {
		const char *w = i == 17 ? "horrible " : "good ";

		memcpy(text + len, w, strlen(w));
		len += strlen(w);
	}
	sentiment_score(s, text, len, &r);
	ok = r.words_total == 30 && r.words_count == SENTIMENT_WORDS_MAX;
	for (i = 0; ok && i < r.words_count; i++)
		ok = i == r.words_count - 1 ? strcmp(r.words[i].word, "horrible") == 0 :
		    strcmp(r.words[i].word, "good") == 0;
	CHECK(ok, "4506 at most SENTIMENT_WORDS_MAX, the strongest kept in order");
	SCORE(s, "", &r);
	CHECK(r.compound == 0 && r.pos == 0 && r.neg == 0 && r.neu == 0 &&
	    r.tokens == 0 && r.words_count == 0, "4506 empty text is all zero");
	SCORE(s, "good bad", &r);
	CHECK(r.pos > 0 && r.neg > 0 && r.pos + r.neg + r.neu > 0.999 &&
	    r.pos + r.neg + r.neu < 1.001, "4506 pos + neg + neu is 1");
}

/* 4507: random bytes and long texts: no crash, scores in range. */
static void
t_hostile(const struct sentiment *s)
{
	struct sentiment_result r;
	static const char alphabet[] = "ab :)(!?'-\xc3\xa9\xe2\x80\x99\xf0\x9f\x98\xa1"
	    "\xff\x80 NOT no but least GOOD bad";
	char buf[512], *big;
	unsigned long x = 4507;
	size_t i, j, len;
	int ok = 1;

	if (!tap_selected(4507))
		return;
	for (i = 0; i < 20000; i++) {
		len = (x = x * 6364136223846793005UL + 1442695040888963407UL) >> 55;
		for (j = 0; j < len; j++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			buf[j] = (i & 1) ? (char)(x >> 56) :
			    alphabet[(x >> 33) % (sizeof(alphabet) - 1)];
		}
		sentiment_score(s, buf, len, &r);
		(void)sentiment_asks_escalation(buf, len, NULL);
		ok &= r.compound >= -1 && r.compound <= 1 && r.words_count <=
		    SENTIMENT_WORDS_MAX;
	}
	CHECK(ok, "4507 20000 random texts score within [-1, 1]");
	len = 4 << 20;
	if ((big = malloc(len)) == NULL)
		abort();
	for (i = 0; i < len; i++)
		big[i] = "terrible!!! "[i % 12];
	sentiment_score(s, big, len, &r);
	CHECK(r.compound < -0.99 && r.compound >= -1 && r.tokens == (len + 11) / 12,
	    "4507 four megabytes of one word");
	memset(big, 'a', len);
	sentiment_score(s, big, len, &r);
	CHECK(r.compound == 0 && r.tokens == 1, "4507 one word of four megabytes");
	memcpy(big + len - 40, " please speak to a manager", 26);
	CHECK(sentiment_asks_escalation(big, len - 14, NULL) == 1,
	    "4507 asks-escalation at the end of a long text");
	free(big);
}

/* 4508: a missing lexicon names the paths tried. */
static void
t_missing(void)
{
	static char sentinel;
	struct err e = ERR_INIT;
	struct sentiment *s = (struct sentiment *)(void *)&sentinel;
	char *saved = getenv("ESCALATOR_LEXICON");
	FILE *f;

	if (!tap_selected(4508))
		return;
	if (saved != NULL && (saved = strdup(saved)) == NULL)
		abort();
	CHECK(sentiment_load("/nonexistent/lexicon.tsv", &s, &e) == -1 &&
	    s == NULL && e.code == ERR_NOINPUT &&
	    strstr(e.msg, "cannot open '/nonexistent/lexicon.tsv'") != NULL,
	    "4508 sentiment_load of a missing file is ERR_NOINPUT");
	setenv("ESCALATOR_LEXICON", "/nonexistent/lexicon.tsv", 1);
	if ((f = fopen(PKGDATADIR "/lexicon.tsv", "r")) != NULL) {
		fclose(f);
		tap_skip("4508 a lexicon is installed in PKGDATADIR");
	} else
		CHECK(sentiment_load_default(&s, &e) == -1 && s == NULL &&
		    e.code == ERR_NOINPUT &&
		    strstr(e.msg, "/nonexistent/lexicon.tsv") != NULL &&
		    strstr(e.msg, PKGDATADIR "/lexicon.tsv") != NULL,
		    "4508 sentiment_load_default names every path tried");
	if (saved != NULL)
		setenv("ESCALATOR_LEXICON", saved, 1);
	else
		unsetenv("ESCALATOR_LEXICON");
	free(saved);
	sentiment_free(NULL);
}

/* 4510-4519: a broken lexicon fails with the error on its first line. */
static void
t_lexicon_errors(void)
{
	static const char *const files[] = {
		"4510-lexicon-bad-valence.tsv", "4511-lexicon-vader-raw.tsv",
		"4512-lexicon-out-of-range.tsv", "4513-lexicon-bad-phrase.tsv",
		"4514-lexicon-empty-word.tsv", "4515-lexicon-empty.tsv",
		"4516-lexicon-invalid-utf8.tsv", "4517-lexicon-negated.tsv",
		"4518-lexicon-valence-form.tsv", "4519-lexicon-empty-term.tsv",
	};
	struct lines l;
	struct sentiment *s;
	struct err e;
	char buf[1024], name[1200];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!tap_selected((int)strtol(files[i], NULL, 10)))
			continue;
		if (lines_read(files[i], 0, &l) == -1 || l.count == 0 ||
		    strncmp(l.line[0], "# expect: ", 10) != 0) {
			CHECK(0, files[i]);
			continue;
		}
		err_clear(&e);
		CHECK(sentiment_load(datapath(files[i]), &s, &e) == -1 && s == NULL &&
		    e.code == ERR_DATA, files[i]);
		err_str(&e, buf, sizeof(buf));
		(void)snprintf(name, sizeof(name), "%.4s error reads '%s'", files[i],
		    l.line[0] + 10);
		CHECK(strstr(buf, l.line[0] + 10) != NULL, name);
		if (strstr(buf, l.line[0] + 10) == NULL)
			printf("# got: %s\n", buf);
		lines_free(&l);
	}
}

/* 4520: the format, on a small lexicon. */
static void
t_lexicon_small(void)
{
	struct sentiment *s;
	struct sentiment_result r;
	struct err e = ERR_INIT;
	char buf[1024];

	if (!tap_selected(4520))
		return;
	if (sentiment_load(datapath("4520-lexicon-small.tsv"), &s, &e) == -1) {
		printf("# %s\n", err_str(&e, buf, sizeof(buf)));
		CHECK(0, "4520 small lexicon loads");
		return;
	}
	CHECK(sentiment_size(s) == 6, "4520 six entries, the repeated one once");
	SCORE(s, "widget", &r);
	CHECK(r.words_count == 1 && r.words[0].valence == 3.0,
	    "4520 a later line overrides an earlier one");
	SCORE(s, "doohickey", &r);
	CHECK(r.compound == 0 && r.words_count == 0,
	    "4520 a zero valence is neutral");
	SCORE(s, "no doohickey", &r);
	CHECK(r.words_count == 1 && r.words[0].valence == -2.0,
	    "4520 the third column is the negated valence");
	SCORE(s, "a GIZMO  thing", &r);
	CHECK(r.words_count == 1 && strcmp(r.words[0].word, "gizmo thing") == 0,
	    "4520 phrases match across case and spacing");
	SCORE(s, "gizmo, thing", &r);
	CHECK(r.words_count == 0, "4520 phrases do not cross punctuation");
	SCORE(s, "creme CRÈME crème", &r);
	CHECK(r.words_count == 3 && strcmp(r.words[1].word, "creme") == 0,
	    "4520 accents and case are folded (CRLF line read)");
	SCORE(s, "ok :-] fine", &r);
	CHECK(r.words_count == 1 && strcmp(r.words[0].word, ":-]") == 0,
	    "4520 emoticons match whole");
	SCORE(s, "so angry\xf0\x9f\x98\xa1\xef\xb8\x8f!", &r);
	CHECK(r.words_count == 1 && r.words[0].valence == -3.0 &&
	    strcmp(r.words[0].word, "\xf0\x9f\x98\xa1") == 0,
	    "4520 emoji attached to a word, with a variation selector, unboosted");
	sentiment_free(s);
}

int
main(void)
{
	struct sentiment *s;
	struct err e = ERR_INIT;
	char buf[1024];

	if (sentiment_load_default(&s, &e) == -1 &&
	    sentiment_load("data/lexicon.tsv", &s, &e) == -1) {
		printf("Bail out! %s\n", err_str(&e, buf, sizeof(buf)));
		return 1;
	}
	if (tap_selected(4509))
		CHECK(sentiment_size(s) > 7000, "4509 the shipped lexicon loads");
	t_expect(s, 4500, "4500-sentiment.txt", "4500-sentiment.expect");
	t_order(s);
	t_escalation();
	t_lines(s);
	t_expect(s, 4504, "4504-vader.txt", "4504-vader.expect");
	t_json(s);
	t_words(s);
	t_hostile(s);
	t_missing();
	t_lexicon_errors();
	t_lexicon_small();
	t_rated(s, 4521, "4521-support-rated.tsv", 50, "en");
	t_rated(s, 4522, "4522-support-rated-de.tsv", 30, "de");
	t_rated(s, 4523, "4523-support-rated-fr.tsv", 30, "fr");
	t_rated(s, 4524, "4524-support-rated-es.tsv", 30, "es");
	t_rated(s, 4528, "4528-support-rated-nl.tsv", 30, "nl");
	t_rated(s, 4529, "4529-support-rated-it.tsv", 30, "it");
	t_rated(s, 4530, "4530-support-rated-pt.tsv", 30, "pt");
	t_rated(s, 4531, "4531-sarcasm-rated.tsv", 35, "en");
	t_language(s);
	t_lang_file();
	t_lang_lazy();
	if (tap_selected(4509))
		CHECK(sentiment_load_langs(s, &e) == 0,
		    "4509 the shipped languages' lexicons load");
	sentiment_free(s);
	return tap_done();
}
