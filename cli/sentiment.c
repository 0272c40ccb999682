/* sentiment.c -- `escalator sentiment`: scores UTF-8 lines from standard
 * input, one output line per input line, in order, so the output can be
 * pasted next to the input.  The per-line loop is sentiment_filter, which
 * the tests drive with memory streams.  Depends on nothing of escalator.c,
 * so tests link it alone. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sysexits.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/err.h"
#include "rules/sentiment.h"

static const char sentiment_usage[] =
    "usage: escalator sentiment [--json] < FILE\n"
    "Scores each line of standard input (UTF-8 text) from -1 (negative) to\n"
    "1 (positive) and prints one line per input line: the compound score\n"
    "with four decimals, or with --json an object with compound, pos, neg,\n"
    "neu, asks_escalation, the words that drove the score, the language\n"
    "and whether a lexicon of it scored the line (else the score is 0).\n";

/* Rounded to places decimals, for output: 0.54229999 is 0.5423. */
static double
round_to(double x, double scale)
{
	long long n;

	if (x > 1e9 || x < -1e9)
		return x;
	n = (long long)(x * scale + (x < 0 ? -0.5 : 0.5));
	return n == 0 ? 0.0 : (double)n / scale;	/* no "-0" */
}

static int
json_line(const struct sentiment_result *r, int asks, FILE *out, struct err *e)
{
	json_t *o, *words, *w;
	char *s;
	size_t i;
	int ret = 0;

	if ((o = json_object()) == NULL || (words = json_array()) == NULL) {
		json_decref(o);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < r->words_count; i++) {
		w = json_pack("{s:s, s:f}", "word", r->words[i].word, "valence",
		    round_to(r->words[i].valence, 1e4));
		if (w == NULL || json_array_append_new(words, w) == -1) {
			json_decref(words);
			json_decref(o);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
	}
	if (json_object_set_new(o, "compound",
	    json_real(round_to(r->compound, 1e4))) == -1 ||
	    json_object_set_new(o, "pos", json_real(round_to(r->pos, 1e3))) == -1 ||
	    json_object_set_new(o, "neg", json_real(round_to(r->neg, 1e3))) == -1 ||
	    json_object_set_new(o, "neu", json_real(round_to(r->neu, 1e3))) == -1 ||
	    json_object_set_new(o, "asks_escalation", json_boolean(asks)) == -1 ||
	    json_object_set_new(o, "language", json_string(r->lang)) == -1 ||
	    json_object_set_new(o, "scored", json_boolean(r->lang_scored)) == -1 ||
	    json_object_set_new(o, "words", words) == -1) {
		json_decref(o);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if ((s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6))) == NULL)
		ret = err_set(e, ERR_NOMEM, "out of memory");
	else if (fputs(s, out) == EOF || putc('\n', out) == EOF)
		ret = err_set(e, ERR_IO, "cannot write the output: %s",
		    strerror(errno));
	free(s);
	json_decref(o);
	return ret;
}

int
sentiment_filter(const struct sentiment *s, FILE *in, FILE *out, int json,
    struct err *e)
{
	struct sentiment_result r;
	char *line = NULL;
	size_t cap = 0, len;
	ssize_t n;
	int ret = 0, saved_errno;

	for (;;) {
		errno = 0;
		if ((n = getline(&line, &cap, in)) == -1)
			break;
		len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		sentiment_score(s, line, len, &r);
		if (json) {
			if ((ret = json_line(&r, sentiment_asks_escalation(line, len,
			    NULL), out, e)) == -1)
				break;
		} else if (fprintf(out, "%.4f\n", round_to(r.compound, 1e4)) < 0) {
			ret = err_set(e, ERR_IO, "cannot write the output: %s",
			    strerror(errno));
			break;
		}
	}
	saved_errno = errno;
	if (ret == 0 && (ferror(in) || (saved_errno != 0 && !feof(in))))
		ret = err_set(e, saved_errno == ENOMEM ? ERR_NOMEM : ERR_IO,
		    "cannot read the input: %s", strerror(saved_errno));
	free(line);
	if (fflush(out) == EOF && ret == 0)
		ret = err_set(e, ERR_IO, "cannot write the output: %s",
		    strerror(errno));
	return ret;
}

int
cmd_sentiment(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct err e = ERR_INIT;
	struct sentiment *s;
	char buf[1024];
	int c, json = cli != NULL && cli->json, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(sentiment_usage, stdout);
			return 0;
		default:
			fputs(sentiment_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "escalator: sentiment: unexpected argument '%s'\n",
		    argv[optind]);
		fputs(sentiment_usage, stderr);
		return EX_USAGE;
	}
	/* Every language's file now, not at its first use as import does:
	 * a one-off filter, where a broken file should stop it. */
	if (sentiment_load_default(&s, &e) == -1 ||
	    sentiment_load_langs(s, &e) == -1) {
		sentiment_free(s);
		fprintf(stderr, "escalator: %s\n", err_str(&e, buf, sizeof(buf)));
		return err_exit_code(&e);
	}
	ret = sentiment_filter(s, stdin, stdout, json, &e);
	sentiment_free(s);
	if (ret == -1) {
		fprintf(stderr, "escalator: %s\n", err_str(&e, buf, sizeof(buf)));
		return err_exit_code(&e);
	}
	return 0;
}
