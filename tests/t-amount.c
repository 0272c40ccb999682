/* t-amount.c -- money amounts in prose (rules/amount.c).
 *
 * 4880: tests/data/4880-amounts.txt, one case a line, TEXT => AMOUNTS
 *       (the file says how they are written): many formats and
 *       currencies, and the dates, times, versions, phone and order
 *       numbers that must not be read as amounts.
 * 4881: the configuration's side: amount_parse, amount_format,
 *       amount_currency_find.
 * 4882: the scanner over hostile input: every cut of tricky texts and
 *       pseudo-random bytes; amounts in order, inside the text, never
 *       overlapping, and amount_find's count beyond its array. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/amount.h"
#include "tests/fixture.h"
#include "tests/tap.h"

/* s with every \xNN made its byte, in place; returns the new length. */
static size_t
unescape(char *s)
{
	size_t i, o = 0;
	char hex[3] = { 0, 0, 0 };

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\\' && s[i + 1] == 'x' && s[i + 2] != '\0' && s[i + 3] != '\0') {
			hex[0] = s[i + 2];
			hex[1] = s[i + 3];
			s[o++] = (char)strtol(hex, NULL, 16);
			i += 3;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

/* What amount_find reads in text, as AMOUNTS are written. */
static void
describe(const char *text, size_t len, char *out, size_t outlen)
{
	struct amount a[32];
	char f[64];
	size_t n, i, used = 0;
	int w;

	n = amount_find(text, len, a, 32);
	out[0] = '\0';
	if (n == 0)
		(void)snprintf(out, outlen, "-");
	for (i = 0; i < n && i < 32 && used < outlen; i++) {
		w = snprintf(out + used, outlen - used, "%s%s [%.*s]", i ? ", " : "",
		    amount_format(a[i].cents, a[i].currency, f, sizeof(f)), (int)a[i].len,
		    text + a[i].offset);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static void
t4880(const char *testdata)
{
	char path[PATH_MAX + 64], got[4096], label[600];
	char *text, *line, *next, *arrow;
	size_t len;
	int lineno = 0;

	(void)snprintf(path, sizeof(path), "%s/4880-amounts.txt", testdata);
	if ((text = fixture_read(path, NULL)) == NULL) {
		CHECK(0, "4880 tests/data/4880-amounts.txt is readable");
		return;
	}
	for (line = text; *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '#' || *line == '\0')
			continue;
		(void)snprintf(label, sizeof(label), "4880 line %d: %.500s", lineno, line);
		if ((arrow = strstr(line, " => ")) == NULL) {
			tap_ok(0, "%s (no ' => ')", label);
			continue;
		}
		*arrow = '\0';
		len = unescape(line);
		(void)unescape(arrow + 4);
		describe(line, len, got, sizeof(got));
		if (strcmp(got, arrow + 4) != 0)
			printf("# expected: %s\n#      got: %s\n", arrow + 4, got);
		tap_ok(strcmp(got, arrow + 4) == 0, "%s", label);
	}
	free(text);
}

static void
t4881(void)
{
	static const struct { const char *s; int64_t cents; } good[] = {
		{ "0", 0 }, { "50", 5000 }, { "49.99", 4999 }, { "0.5", 50 },
		{ "1200", 120000 }, { "9999999999999", INT64_C(999999999999900) },
	};
	static const char *bad[] = { "", "x", "50.", ".5", "1.234", "1,200", "1e3",
		"-5", "+5", "50EUR", "50 ", "99999999999999" };
	char f[64];
	int64_t v;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (amount_parse(good[i].s, &v) != 0 || v != good[i].cents) {
			printf("# amount_parse('%s') failed or gave %lld\n", good[i].s,
			    (long long)v);
			ok = 0;
		}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (amount_parse(bad[i], &v) == 0) {
			printf("# amount_parse('%s') took it\n", bad[i]);
			ok = 0;
		}
	CHECK(ok, "4881 amount_parse: digits with at most two decimals after '.'");

	CHECK(strcmp(amount_format(12000, amount_currency_find("EUR"), f, sizeof(f)),
	    "120.00 EUR") == 0 &&
	    strcmp(amount_format(5, amount_currency_find("usd"), f, sizeof(f)),
	    "0.05 USD") == 0 &&
	    strcmp(amount_format(120000, amount_currency_find("JPY"), f, sizeof(f)),
	    "1200 JPY") == 0 &&
	    strcmp(amount_format(12050, -1, f, sizeof(f)), "120.50") == 0,
	    "4881 amount_format: two decimals, whole yen, no currency");

	CHECK(amount_currency_find("EUR") >= 0 &&
	    amount_currency_find("eur") == amount_currency_find("EUR") &&
	    strcmp(amount_currency_code(amount_currency_find("chf")), "CHF") == 0 &&
	    amount_currency_find("XYZ") == -1 && amount_currency_find("EURO") == -1 &&
	    amount_currency_find("") == -1 && amount_currency_find(NULL) == -1 &&
	    strcmp(amount_currency_code(-1), "") == 0 &&
	    strcmp(amount_currency_code(AMOUNT_CURRENCIES), "") == 0 &&
	    strstr(amount_currency_list(), "EUR") != NULL,
	    "4881 amount_currency_find: the codes we know, in any case");
}

/* The amounts of text[0..len) are in order, inside it, apart. */
static int
sane(const char *text, size_t len)
{
	struct amount_scan sc;
	struct amount a;
	size_t end = 0;

	amount_scan_init(&sc, text, len);
	while (amount_scan_next(&sc, &a)) {
		if (a.offset < end || a.len == 0 || a.offset + a.len > len || a.cents < 0 ||
		    a.currency < 0 || a.currency >= AMOUNT_CURRENCIES)
			return 0;
		end = a.offset + a.len;
	}
	return 1;
}

static void
t4882(void)
{
	static const char *tricky[] = {
		"€100 – €200 and 1\xc2\xa0" "200,50\xc2\xa0€ and CHF 1\xe2\x80\x99" "200.50",
		"120,-- EUR -€50 €-50 \xe2\x88\x92" "50 EUR US$ 40 ¥1200 1,500円",
		"EUR-2024-001 12.05.2024 12:30 €2024-05-01 100 bis 200 EUR 2024 USD 5",
		"\xe2\x82\xac\xe2\x82\xac\xc2\xa3\xc2\xa5\xe2\x80\xaf\xe2\x80\x89' - ",
	};
	struct amount a[4];
	char *buf;
	size_t i, k, len;
	unsigned long x = 4882;
	int ok = 1;

	/* Every cut: the scanner never reads past the end it was given
	 * (the cut is copied, so that ASan sees a read beyond it). */
	for (i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++)
		for (len = 0; len <= strlen(tricky[i]); len++) {
			if ((buf = malloc(len ? len : 1)) == NULL)
				return;
			memcpy(buf, tricky[i], len);
			ok &= sane(buf, len);
			free(buf);
		}
	/* Bytes drawn from the ones that matter. */
	if ((buf = malloc(4096)) == NULL)
		return;
	for (i = 0; i < 2000; i++) {
		static const char alphabet[] = "0123456789.,'- $EURSDusdx%/:#\xe2\x82\xac\xc2\xa0\x80\x99";

		len = (i * 7) % 4096;
		for (k = 0; k < len; k++) {
			x = x * 1103515245 + 12345;
			buf[k] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		ok &= sane(buf, len);
	}
	free(buf);
	CHECK(ok, "4882 every cut of tricky texts and random bytes: amounts in order, "
	    "inside the text, apart");

	CHECK(amount_find("€1 €2 €3 €4 €5 €6", strlen("€1 €2 €3 €4 €5 €6"), a, 4) == 6 &&
	    a[3].cents == 400 && amount_find("", 0, a, 4) == 0 &&
	    amount_find(NULL, 5, a, 4) == 0,
	    "4882 amount_find counts beyond its array, stores what fits");
}

int
main(void)
{
	char testdata[PATH_MAX];

	if (fixture_testdata(testdata) == -1)
		return tap_done();
	if (tap_selected(4880))
		t4880(testdata);
	if (tap_selected(4881))
		t4881();
	if (tap_selected(4882))
		t4882();
	return tap_done();
}
