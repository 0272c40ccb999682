/* t-html.c -- html_to_text over tests/data/25NN-*.html: each case's text
 * must equal 25NN-*.expect byte for byte.  With REGEN=1 a missing .expect
 * is written from the current output, to be read and corrected by eye: it
 * is the spec.  Cases 2690-2699 are built here (nesting bombs, the output
 * ceiling, appending, garbage bytes) because they are too big or too odd
 * for a data file. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "intake/html.h"
#include "tests/fixture.h"
#include "tests/tap.h"

#define OUT_MAX		(8u * 1024 * 1024)
#define NAMES_MAX	200

static void
run_file(const char *dir, const char *name)
{
	char path[1024], expath[1024];
	struct buf out = BUF_INIT(OUT_MAX);
	struct err e = ERR_INIT;
	char *html, *want;
	size_t len, wlen, base = strlen(name) - strlen(".html");
	int ret;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)snprintf(expath, sizeof(expath), "%s/%.*s.expect", dir, (int)base, name);
	if ((html = fixture_read(path, &len)) == NULL) {
		tap_ok(0, "%s: cannot read", name);
		return;
	}
	ret = html_to_text(html, len, &out, &e);
	if (ret != 0) {
		printf("# %s\n", e.msg);
		tap_ok(0, "%s: html_to_text failed", name);
	} else if ((want = fixture_read(expath, &wlen)) == NULL) {
		if (getenv("REGEN") != NULL && strcmp(getenv("REGEN"), "1") == 0 &&
		    fixture_write(expath, out.buf ? out.buf : "", out.len) == 0) {
			printf("# wrote %s: review it\n", expath);
			tap_skip(name);
		} else
			tap_ok(0, "%s: no .expect (REGEN=1 writes one)", name);
	} else {
		const char *got = out.buf ? out.buf : "";

		if (strcmp(want, got) != 0)
			fixture_diff(want, got);
		tap_ok(strcmp(want, got) == 0, "%s", name);
		free(want);
	}
	buf_release(&out);
	free(html);
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
		if (l < 10 || strcmp(d->d_name + l - 5, ".html") != 0 ||
		    d->d_name[4] != '-')
			continue;
		num = strtol(d->d_name, NULL, 10);
		if (num < 2500 || num > 2699 || !tap_selected((int)num))
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

/* html made of lead, open repeated count times, text, close repeated. */
static char *
make_nest(const char *lead, const char *open, const char *text,
    const char *close, size_t count, size_t *len)
{
	size_t ll = strlen(lead), ol = strlen(open), tl = strlen(text);
	size_t cl = strlen(close), i;
	char *p, *q;

	if ((p = malloc(ll + count * (ol + cl) + tl + 1)) == NULL)
		return NULL;
	memcpy(p, lead, ll);
	q = p + ll;
	for (i = 0; i < count; i++, q += ol)
		memcpy(q, open, ol);
	memcpy(q, text, tl);
	q += tl;
	for (i = 0; i < count; i++, q += cl)
		memcpy(q, close, cl);
	*q = '\0';
	*len = (size_t)(q - p);
	return p;
}

/* 100,000 nested elements must not crash.  libxml2 gives up at depth 256
 * (we do not pass HTML_PARSE_HUGE), so the deep text is lost, but what
 * came before the bomb is kept and the call succeeds. */
static void
test_bomb(int num, const char *open, const char *close)
{
	struct buf out = BUF_INIT(OUT_MAX);
	struct err e = ERR_INIT;
	char name[128];
	char *html;
	size_t len;
	int ret;

	if (!tap_selected(num))
		return;
	(void)snprintf(name, sizeof(name), "%d nested %s x 100000", num, open);
	if ((html = make_nest("<p>before the bomb</p>", open, "deep text", close,
	    100000, &len)) == NULL) {
		tap_ok(0, "%s: out of memory", name);
		return;
	}
	ret = html_to_text(html, len, &out, &e);
	tap_ok(ret == 0 && out.buf != NULL &&
	    strncmp(out.buf, "before the bomb\n", 16) == 0, "%s", name);
	buf_release(&out);
	free(html);
}

/* 250 levels, under libxml2's limit: quote marks stop at 32, list
 * indentation at 16 levels, and the text is all there. */
static void
test_depth(int num)
{
	struct buf out = BUF_INIT(OUT_MAX);
	struct err e = ERR_INIT;
	char *html;
	size_t len;
	int ok;

	if (!tap_selected(num))
		return;
	if ((html = make_nest("", "<blockquote>", "deep", "</blockquote>", 250,
	    &len)) == NULL) {
		tap_ok(0, "%s: out of memory", "2697");
		return;
	}
	ok = html_to_text(html, len, &out, &e) == 0 &&
	    strcmp(out.buf, ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> deep\n") == 0;
	buf_release(&out);
	free(html);
	if (ok && (html = make_nest("", "<ul><li>x", "y", "</li></ul>", 120,
	    &len)) != NULL) {
		ok = html_to_text(html, len, &out, &e) == 0 &&
		    strstr(out.buf, "\n  - x\n") != NULL &&
		    strstr(out.buf, "\n                              - xy\n") != NULL &&
		    strstr(out.buf, "\n                                - ") == NULL;
		buf_release(&out);
		free(html);
	}
	tap_ok(ok, "%s deep quotes and lists are capped, not lost", "2697");
}

static const char ceiling_html[] =
    "<p>First paragraph with <a href=\"https://example.com/a\">a link</a>.</p>"
    "<ul><li>one</li><li>two</li></ul>"
    "<blockquote>quoted <b>text</b><br>second line</blockquote><p>end</p>";

/* Every ceiling below the full length fails with -1 and keeps a prefix. */
static void
test_ceiling(int num)
{
	struct buf full = BUF_INIT(OUT_MAX), out;
	struct err e = ERR_INIT;
	size_t max;
	int ok = 1, ret;

	if (!tap_selected(num))
		return;
	if (html_to_text(ceiling_html, strlen(ceiling_html), &full, &e) != 0 ||
	    full.len == 0) {
		tap_ok(0, "%s output ceiling: no full text", "2691");
		buf_release(&full);
		return;
	}
	for (max = 0; max <= full.len; max++) {
		buf_init(&out, max);
		err_clear(&e);
		ret = html_to_text(ceiling_html, strlen(ceiling_html), &out, &e);
		if (max < full.len && (ret != -1 || e.code != ERR_DATA))
			ok = 0;
		if (max == full.len && ret != 0)
			ok = 0;
		if (out.len > max || (out.len > 0 &&
		    memcmp(out.buf, full.buf, out.len) != 0))
			ok = 0;
		buf_release(&out);
	}
	tap_ok(ok, "%s output ceiling keeps what fit", "2691");
	buf_release(&full);
}

/* Appends to what the buffer holds; empty input adds nothing. */
static void
test_append(int num)
{
	struct buf out = BUF_INIT(OUT_MAX);
	struct err e = ERR_INIT;
	int ok;

	if (!tap_selected(num))
		return;
	ok = buf_addstr(&out, "before\n", &e) == 0 &&
	    html_to_text("", 0, &out, &e) == 0 &&
	    html_to_text("  \n ", 4, &out, &e) == 0 &&
	    html_to_text("<p>after</p>", 12, &out, &e) == 0 &&
	    strcmp(out.buf, "before\nafter\n") == 0;
	tap_ok(ok, "%s appends; empty input adds nothing", "2692");
	buf_release(&out);
}

static const char garbage_lead[] = "<p>ok \xff\xfe caf\xe9 <b>";

/* Bytes that are not UTF-8, and NULs, must not crash the parser or us. */
static void
test_garbage(int num)
{
	struct buf out = BUF_INIT(OUT_MAX);
	struct err e = ERR_INIT;
	char junk[4096];
	unsigned int seed = 2693, i;
	int ret;

	if (!tap_selected(num))
		return;
	for (i = 0; i < sizeof(junk); i++) {
		seed = seed * 1103515245u + 12345u;
		junk[i] = (char)(seed >> 16);
	}
	memcpy(junk, garbage_lead, sizeof(garbage_lead) - 1);
	ret = html_to_text(junk, sizeof(junk), &out, &e);
	tap_ok(ret == 0, "%s invalid UTF-8 and NULs", "2693");
	buf_release(&out);
}

int
main(void)
{
	const char *dir = getenv("TESTDATA");

	run_files(dir != NULL ? dir : "tests/data");
	test_bomb(2690, "<div>", "</div>");
	test_bomb(2694, "<blockquote>", "</blockquote>");
	test_bomb(2695, "<ul><li>", "</li></ul>");
	test_bomb(2696, "<b><i>", "</i></b>");
	test_depth(2697);
	test_ceiling(2691);
	test_append(2692);
	test_garbage(2693);
	return tap_done();
}
