/* t-trim.c -- trim_for_scoring over tests/data/27NN-*.txt: each result
 * must equal 27NN-*.expect byte for byte.  With REGEN=1 a missing .expect
 * is written from the current output, to be read and corrected by eye: it
 * is the spec.  A 27NN-*.html case goes through html_to_text first, to
 * check that the two agree on what a quote looks like.  Cases 2890-2899
 * are built here: the arena ceiling, empty
 * input, and a large input that must stay linear. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "intake/html.h"
#include "intake/trim.h"
#include "tests/fixture.h"
#include "tests/tap.h"

#define ARENA_MAX	(64u * 1024 * 1024)
#define NAMES_MAX	200

static void
run_file(const char *dir, const char *name)
{
	char path[1024], expath[1024];
	struct arena a = ARENA_INIT(ARENA_MAX);
	struct buf html = BUF_INIT(ARENA_MAX);
	struct err e = ERR_INIT;
	char *text, *want, *got;
	size_t len, wlen, base = (size_t)(strrchr(name, '.') - name);

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)snprintf(expath, sizeof(expath), "%s/%.*s.expect", dir, (int)base, name);
	if ((text = fixture_read(path, &len)) == NULL) {
		tap_ok(0, "%s: cannot read", name);
		return;
	}
	if (strcmp(name + base, ".html") == 0) {
		if (html_to_text(text, len, &html, &e) == -1) {
			tap_ok(0, "%s: html_to_text failed", name);
			free(text);
			return;
		}
		free(text);
		text = buf_detach(&html, &len);
	}
	if (text == NULL)
		tap_ok(0, "%s: out of memory", name);
	else if ((got = trim_for_scoring(&a, text, 1)) == NULL)
		tap_ok(0, "%s: trim_for_scoring returned NULL", name);
	else if ((want = fixture_read(expath, &wlen)) == NULL) {
		if (getenv("REGEN") != NULL && strcmp(getenv("REGEN"), "1") == 0 &&
		    fixture_write(expath, got, strlen(got)) == 0) {
			printf("# wrote %s: review it\n", expath);
			tap_skip(name);
		} else
			tap_ok(0, "%s: no .expect (REGEN=1 writes one)", name);
	} else {
		if (strcmp(want, got) != 0)
			fixture_diff(want, got);
		tap_ok(strcmp(want, got) == 0, "%s", name);
		free(want);
	}
	arena_release(&a);
	free(text);
}

static void
run_files(const char *dir)
{
	char *names[NAMES_MAX];
	size_t count = 0, i, l;
	struct dirent *d;
	DIR *dp;
	long num;

	if ((dp = opendir(dir)) == NULL) {
		tap_ok(0, "cannot open %s", dir);
		return;
	}
	while ((d = readdir(dp)) != NULL && count < NAMES_MAX) {
		l = strlen(d->d_name);
		if (l < 9 || d->d_name[4] != '-' ||
		    (strcmp(d->d_name + l - 4, ".txt") != 0 &&
		    strcmp(d->d_name + l - 5, ".html") != 0))
			continue;
		num = strtol(d->d_name, NULL, 10);
		if (num < 2700 || num > 2899 || !tap_selected((int)num))
			continue;
		if ((names[count] = strdup(d->d_name)) != NULL)
			count++;
	}
	(void)closedir(dp);	/* a directory opened for reading */
	qsort(names, count, sizeof(names[0]), fixture_name_cmp);
	for (i = 0; i < count; i++) {
		run_file(dir, names[i]);
		free(names[i]);
	}
}

/* Small inputs whose answers are easier to read here than in files. */
static void
test_small(int num)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "", "" },
		{ "\n\n\n", "" },
		{ "a", "a\n" },			/* a newline is added */
		{ "a\n", "a\n" },
		{ "\n\nhello\n\n", "hello\n" },
		{ "> only\n>> quoted\n", "" },
		{ "-- \nsignature only\n", "" },
		{ "--\n", "" },
		{ "text\n--\nsig\n", "text\n" },
		{ "--\nSecured with Example Mail:\nhttps://mail.example\n", "" },
		{ "--\nPlease call me back.\n", "--\nPlease call me back.\n" },
		{ "text\n--- \nnot a signature\n", "text\n--- \nnot a signature\n" },
		{ "Thanks!\n", "Thanks!\n" },		/* never everything */
		{ "Broken again.\nThanks,\nAnna\n", "Broken again.\n" },
		{ "Broken again.\nThanks for the quick fix\n",
		  "Broken again.\nThanks for the quick fix\n" },
		{ "Broken.\nSent from my iPhone", "Broken.\n" },
		{ "a\n> q\nb\n", "a\n\nb\n" },
		/* a salutation alone on its line is a formula, not a feeling */
		{ "Good morning,\n\nI cannot log in.\n", "I cannot log in.\n" },
		{ "Dear Mr. Smith,\nThe app is down.\n", "The app is down.\n" },
		{ "Dear Sir or Madam,\nNo refund yet.\n", "No refund yet.\n" },
		{ "Sehr geehrte Damen und Herren,\nes geht nicht.\n", "es geht nicht.\n" },
		{ "Bonjour Madame, Monsieur,\nrien ne marche.\n", "rien ne marche.\n" },
		{ "Hi there!\nStill broken.\n", "Still broken.\n" },
		{ "Hi Anna,\n\nThanks!\n\nBob\n", "Thanks!\n\nBob\n" },
		/* ... and kept when it is not alone, or all there is */
		{ "Hello, my order never arrived!\nHelp.\n",
		  "Hello, my order never arrived!\nHelp.\n" },
		{ "Hello team, the app is down\nagain\n", "Hello team, the app is down\nagain\n" },
		{ "Hi. I am writing about my order.\nLate.\n",
		  "Hi. I am writing about my order.\nLate.\n" },
		{ "Hint: restart it\nok\n", "Hint: restart it\nok\n" },
		{ "Good morning world!!!\n", "Good morning world!!!\n" },
	};
	size_t i;
	char name[64];

	if (!tap_selected(num))
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = ARENA_INIT(1024 * 1024);
		char *got = trim_for_scoring(&a, cases[i].in, 1);

		(void)snprintf(name, sizeof(name), "%d small case %zu", num, i + 1);
		if (got != NULL && strcmp(got, cases[i].want) != 0)
			fixture_diff(cases[i].want, got);
		tap_ok(got != NULL && strcmp(got, cases[i].want) == 0, "%s", name);
		arena_release(&a);
	}
}

/* An arena too small for the line table gives NULL, not a crash. */
static void
test_arena(int num)
{
	struct arena a = ARENA_INIT(64);
	int ok;

	if (!tap_selected(num))
		return;
	ok = trim_for_scoring(&a, "one\ntwo\nthree\nfour\nfive\nsix\n", 1) == NULL;
	arena_release(&a);
	tap_ok(ok, "%s exhausted arena gives NULL", "2891");
}

/* 400,000 lines of quotes, attributions and would-be headers; a quadratic
 * look-ahead would not finish.  The new text at the end survives. */
static void
test_large(int num)
{
	static const char *const pattern[] = {
		"On Mon, 4 Mar 2024, Bob wrote:\n", "\n", "> quoted line\n",
		"From: someone\n", "answer line\n",
	};
	struct arena a = ARENA_INIT(ARENA_MAX);
	size_t i, n = 400000, len = 0, l;
	char *text, *got;
	int ok;

	if (!tap_selected(num))
		return;
	if ((text = malloc(n * 40 + 64)) == NULL) {
		tap_ok(0, "%s: out of memory", "2892");
		return;
	}
	for (i = 0; i < n; i++) {
		l = strlen(pattern[i % 5]);
		memcpy(text + len, pattern[i % 5], l);
		len += l;
	}
	memcpy(text + len, "the end\n", 9);
	got = trim_for_scoring(&a, text, 1);
	l = got != NULL ? strlen(got) : 0;
	ok = got != NULL && l > 8 && strcmp(got + l - 8, "the end\n") == 0 &&
	    strstr(got, "quoted line") == NULL && strstr(got, "Bob wrote") == NULL;
	tap_ok(ok, "%s 400,000 lines", "2892");
	arena_release(&a);
	free(text);
}

int
main(void)
{
	const char *dir = getenv("TESTDATA");

	run_files(dir != NULL ? dir : "tests/data");
	test_small(2890);
	test_arena(2891);
	test_large(2892);
	return tap_done();
}
