/* t-util.c -- common/: time stamps, capped buffers, the arena. */
#include "config.h"

#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/text.h"
#include "common/util.h"
#include "tests/tap.h"

static void
test_time(void)
{
	static const struct { const char *in; long long want; } cases[] = {
		{ "2026-11-20T12:00:00Z", 1795176000LL },
		{ "2026-11-20T13:00:00+01:00", 1795176000LL },
		{ "2026-11-20 12:00", 1795176000LL },
		{ "2026-11-20", 1795132800LL },
		{ "@1795176000", 1795176000LL },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T00:00:00Z", 1709164800LL },
	};
	static const char *bad[] = { "yesterday", "2026-13-01", "2026-11-20T25:00", "", "@", "2026-11-20Tx" };
	char buf[32];
	size_t i;
	time_t t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ok = time_parse(cases[i].in, &t) == 0 && (long long)t == cases[i].want;

		tap_ok(ok, "0501 time_parse '%s'", cases[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(time_parse(bad[i], &t) == -1, "0502 time_parse rejects '%s'", bad[i]);
	CHECK(strcmp(time_rfc3339(1795176000, buf, sizeof(buf)), "2026-11-20T12:00:00Z") == 0,
	    "0503 time_rfc3339");
	CHECK(strcmp(time_age(3 * 86400, buf, sizeof(buf)), "3d") == 0 &&
	    strcmp(time_age(59, buf, sizeof(buf)), "59s") == 0, "0504 time_age");
	*dec_put(buf, 0) = '\0';
	CHECK(strcmp(buf, "0") == 0, "0505 dec_put 0");
	*dec_put(buf, 1234567890) = '\0';
	CHECK(strcmp(buf, "1234567890") == 0, "0505 dec_put 1234567890");
	*dec_put(buf, 18446744073709551615ull) = '\0';
	CHECK(strcmp(buf, "18446744073709551615") == 0, "0505 dec_put the largest");
}

static void
test_buf(void)
{
	struct buf b = BUF_INIT(16);
	struct err e = ERR_INIT;
	char *s;

	CHECK(buf_addstr(&b, "0123456789", &e) == 0 && b.len == 10, "0510 buf_add");
	CHECK(buf_printf(&b, &e, "%d", 12345) == 0 && strcmp(b.buf, "012345678912345") == 0,
	    "0511 buf_printf");
	CHECK(buf_addstr(&b, "xy", &e) == -1 && e.code == ERR_DATA && b.len == 15,
	    "0512 buf ceiling refuses growth and keeps what fit");
	s = buf_detach(&b, NULL);
	CHECK(s != NULL && strlen(s) == 15 && b.buf == NULL, "0513 buf_detach");
	free(s);
	buf_release(&b);
	buf_release(NULL);
}

static void
test_arena(void)
{
	struct arena a = ARENA_INIT(1024 * 1024);
	char *p, *q;
	int i, ok = 1;

	for (i = 0; i < 10000; i++) {
		p = arena_strdup(&a, "hello");
		ok &= p != NULL && strcmp(p, "hello") == 0;
	}
	CHECK(ok, "0520 arena many small strings");
	q = arena_alloc(&a, 200 * 1024);
	p = arena_strdup(&a, "after");
	CHECK(q != NULL && p != NULL && strcmp(p, "after") == 0, "0521 arena big block");
	CHECK(arena_alloc(&a, 2 * 1024 * 1024) == NULL, "0522 arena ceiling");
	arena_release(&a);
	arena_release(NULL);
}

/* The digest's text part wraps at 72 columns: a duration is never cut
 * between its number and its unit, nor between its parts; its HTML part
 * keeps it together with &nbsp;. */
static void
test_wrap(void)
{
	struct buf b = BUF_INIT(4096);
	struct err e = ERR_INIT;
	/* "24" ends at column 17 exactly: word by word, "h" would go to
	 * the next line, and "3" stay behind "days" */
	const char *s = "Breached since 24 h, then 3 days 4 h and 2 h 5 min late.";

	CHECK(text_wrap(&b, s, 0, 17, 2, &e) == 0 && strcmp(b.buf,
	    "Breached since\n  24 h, then\n  3 days 4 h and\n  2 h 5 min late.") == 0,
	    "0530 wrapping moves a duration to the next line whole");
	buf_reset(&b);
	CHECK(text_wrap(&b, "tier 2 of 3 h", 0, 11, 0, &e) == 0 &&
	    strcmp(b.buf, "tier 2 of\n3 h") == 0,
	    "0531 a number without a unit after it is a word like any other");
	buf_reset(&b);
	CHECK(text_html_words(&b, "<b> 22 h late, 2 breaches, 1 d 3 h & 2 h 5 min", &e) == 0 &&
	    strcmp(b.buf, "&lt;b&gt; 22&nbsp;h late, 2 breaches, 1&nbsp;d&nbsp;3&nbsp;h &amp; "
	    "2&nbsp;h&nbsp;5&nbsp;min") == 0,
	    "0532 in HTML a duration is held together by no-break spaces");
	buf_release(&b);
}

int
main(void)
{
	test_time();
	test_buf();
	test_arena();
	test_wrap();
	return tap_done();
}
