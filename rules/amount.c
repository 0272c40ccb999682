/* amount.c -- money amounts in the prose of customer messages; see
 * amount.h.  Pure: no allocation, no locale, no I/O.
 *
 * Hand-written because nothing in Debian reads money leniently out of
 * prose: ICU's and glibc's number parsers (unum_parse, strfmon's inverse)
 * want one known locale and a string that is nothing but the number;
 * libpostal does addresses.  A customer writes "€120", "120 EUR",
 * "1.200,00 €" and "USD 1,200" in one thread, in the middle of sentences
 * full of dates, times, order numbers and version numbers, and we must
 * take the first four and nothing else.
 *
 * WHAT IS AN AMOUNT
 *   A number with a currency right before or after it, with at most one
 *   blank between (space, no-break space U+00A0, narrow no-break space
 *   U+202F, thin space U+2009) or none: "€120", "€ 120", "120€",
 *   "120 EUR", "EUR120", "USD 1,200", "99.50 $", "1 200,50 €".
 *   A number without a currency is never an amount: "order 12345",
 *   "12.05.2024", "12:30", "version 1.2.3", "+49 30 1234567", "50%".
 *   A currency between two numbers goes with the one before it ("50 EUR
 *   100 times"), unless that one looks like a year ("in 2024 USD 50").
 *
 * CURRENCIES
 *   ISO codes AUD CAD CHF CZK DKK EUR GBP JPY NOK PLN SEK USD as words of
 *   their own (upper case, lower case or capitalised: "EUR", "eur",
 *   "Eur"; CAD in upper case only, "cad" being a word), before or after;
 *   symbols € $ £ ¥ ￥ US$ CA$ C$ A$ AU$, before or after; after only:
 *   "euro", "euros", "dollar", "dollars" (US dollars), "yen", 円, "zł",
 *   "Kč".
 *   $ alone is the US dollar.  The Swiss "Fr." is not taken: in German
 *   it is also Friday ("Fr. 12.05.").
 *
 * NUMBERS
 *   Digits, grouped in threes by one kind of separator -- '.', ',', an
 *   apostrophe (' or ’, Swiss), or a blank -- and optionally one or two
 *   decimals after the other of '.' and ','.  So 1.200,00 and 1,200.00
 *   and 1 200,50 and 1'200.50 are all 1200.00 and 1200.50.
 *   Ambiguity: one separator followed by exactly three digits groups
 *   ("1,200" and "1.200" are 1200, as the writer of either convention
 *   means it; nobody writes a price with three decimals), followed by one
 *   or two digits it is the decimal point ("1,20" and "1.2" are 1.20).
 *   Anything else is not an amount: a head of more than three digits
 *   before a separator, inner groups not of three digits, two kinds of
 *   grouping, three or more decimals, a leading zero ("05", "0.500").
 *   A German or Swiss ",-", ",--" or ".–" after whole units means no
 *   cents: "120,- €".  At most 13 digits before the decimals.
 *   A plain space groups only when the number has decimals, a currency
 *   before it, or two or more groups: "On May 5 100 EUR were taken" is
 *   100 EUR, while "EUR 1 200" and "1 200,50 €" are 1200 and 1200.50; a
 *   no-break or thin space always groups (software puts it there).
 *
 * SIGNS AND RANGES
 *   A minus sign is dropped: "-€50", "€-50" and "−50 EUR" are 50 EUR, for
 *   what rules ask of an amount is how much is at stake, whichever way it
 *   goes.  A hyphen inside a word is no minus: "EUR-2024-001" is none.
 *   A range gives both ends in the currency written once: "€100-200",
 *   "€100 – €200", "€100 to 200", "100-200 EUR", "100 bis 200 EUR".
 *
 * The scanner reads each byte a bounded number of times (a number's
 * neighbourhood is a few bytes each side), so a message is scanned in
 * linear time; invalid UTF-8 is just bytes that are no currency. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "rules/amount.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define GROUPS_MAX	8		/* digit groups of one number */

enum { C_AUD, C_CAD, C_CHF, C_CZK, C_DKK, C_EUR, C_GBP, C_JPY, C_NOK, C_PLN,
	C_SEK, C_USD };

static const struct {
	const char	*code;
	int		 decimals;	/* shown by amount_format */
	int		 upper_only;	/* the lower-case form is a word */
} currencies[AMOUNT_CURRENCIES] = {
	{ "AUD", 2, 0 }, { "CAD", 2, 1 }, { "CHF", 2, 0 }, { "CZK", 2, 0 },
	{ "DKK", 2, 0 }, { "EUR", 2, 0 }, { "GBP", 2, 0 }, { "JPY", 0, 0 },
	{ "NOK", 2, 0 }, { "PLN", 2, 0 }, { "SEK", 2, 0 }, { "USD", 2, 0 },
};

#define PRE	0x1		/* may stand before the number */
#define POST	0x2		/* ... after it */

#define S(text)	text, sizeof(text) - 1

/* Currency signs other than ISO codes.  Where one ends another ("US$",
 * "$") the longer comes first: the first match wins. */
static const struct sign {
	const char	*text;		/* UTF-8 */
	size_t		 len;		/* its bytes */
	int		 currency;
	unsigned	 where;
	int		 fold;		/* compared ignoring ASCII case */
} signs[] = {
	{ S("US$"), C_USD, PRE | POST, 0 },
	{ S("CA$"), C_CAD, PRE | POST, 0 },
	{ S("AU$"), C_AUD, PRE | POST, 0 },
	{ S("C$"), C_CAD, PRE | POST, 0 },
	{ S("A$"), C_AUD, PRE | POST, 0 },
	{ S("$"), C_USD, PRE | POST, 0 },
	{ S("\xe2\x82\xac"), C_EUR, PRE | POST, 0 },	/* € */
	{ S("\xc2\xa3"), C_GBP, PRE | POST, 0 },		/* £ */
	{ S("\xc2\xa5"), C_JPY, PRE | POST, 0 },		/* ¥ */
	{ S("\xef\xbf\xa5"), C_JPY, PRE | POST, 0 },	/* ￥ fullwidth */
	{ S("\xe5\x86\x86"), C_JPY, POST, 0 },		/* 円 */
	{ S("euros"), C_EUR, POST, 1 },
	{ S("euro"), C_EUR, POST, 1 },
	{ S("dollars"), C_USD, POST, 1 },
	{ S("dollar"), C_USD, POST, 1 },
	{ S("yen"), C_JPY, POST, 1 },
	{ S("z\xc5\x82"), C_PLN, POST, 0 },		/* zł */
	{ S("K\xc4\x8d"), C_CZK, POST, 0 },		/* Kč */
};

/* ---- characters ----------------------------------------------------- */

static int
is_alnum(int c)
{
	return ascii_isdigit(c) || ascii_isalpha(c) || c == '_';
}

/* Bytes of the blank at s[i] that may stand inside a number or between
 * it and its currency, 0 if none; *plain: 1 for an ASCII space. */
static size_t
blank_at(const unsigned char *s, size_t len, size_t i, int *plain)
{
	*plain = 0;
	if (i >= len)
		return 0;
	if (s[i] == ' ') {
		*plain = 1;
		return 1;
	}
	if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0xA0)
		return 2;				/* U+00A0 no-break space */
	if (s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
	    (s[i + 2] == 0xAF || s[i + 2] == 0x89))
		return 3;				/* U+202F, U+2009 */
	return 0;
}

/* The same for the blank that ends right before s[i]. */
static size_t
blank_before(const unsigned char *s, size_t i)
{
	if (i >= 1 && s[i - 1] == ' ')
		return 1;
	if (i >= 2 && s[i - 2] == 0xC2 && s[i - 1] == 0xA0)
		return 2;
	if (i >= 3 && s[i - 3] == 0xE2 && s[i - 2] == 0x80 &&
	    (s[i - 1] == 0xAF || s[i - 1] == 0x89))
		return 3;
	return 0;
}

/* Bytes of an apostrophe (' or U+2019) at s[i], 0 if none. */
static size_t
apostrophe_at(const unsigned char *s, size_t len, size_t i)
{
	if (i < len && s[i] == '\'')
		return 1;
	if (i + 2 < len && s[i] == 0xE2 && s[i + 1] == 0x80 && s[i + 2] == 0x99)
		return 3;
	return 0;
}

/* Bytes of a dash at s[i]: hyphen-minus, en dash, em dash, minus sign. */
static size_t
dash_at(const unsigned char *s, size_t len, size_t i)
{
	if (i < len && s[i] == '-')
		return 1;
	if (i + 2 < len && s[i] == 0xE2 && ((s[i + 1] == 0x80 && (s[i + 2] == 0x93 ||
	    s[i + 2] == 0x94)) || (s[i + 1] == 0x88 && s[i + 2] == 0x92)))
		return 3;
	return 0;
}

/* ---- currencies ----------------------------------------------------- */

/* The currency of the three letters at p, or -1: a code we know, in
 * upper case, lower case or capitalised. */
static int
code_at(const unsigned char *p)
{
	char up[4];
	int k, uppers = 0, i;

	for (k = 0; k < 3; k++) {
		if (!ascii_isalpha(p[k]))
			return -1;
		uppers += p[k] <= 'Z';
		up[k] = (char)(p[k] <= 'Z' ? p[k] : p[k] - 32);
	}
	up[3] = '\0';
	if (uppers != 3 && uppers != 0 && !(uppers == 1 && p[0] <= 'Z'))
		return -1;		/* "eUr" is no code */
	for (i = 0; i < AMOUNT_CURRENCIES; i++)
		if (memcmp(currencies[i].code, up, 3) == 0)
			return currencies[i].upper_only && uppers != 3 ? -1 : i;
	return -1;
}

static int
sign_match(const struct sign *g, const unsigned char *p, size_t tl)
{
	size_t k;

	if (!g->fold)
		return memcmp(p, g->text, tl) == 0;
	for (k = 0; k < tl; k++)
		if (ascii_tolower(p[k]) != (unsigned char)g->text[k])
			return 0;
	return 1;
}

/* The currency written before the number at s[i] and not part of an
 * amount already (at or after used): its index and *start, or -1.
 * *adjacent: nothing between it and the digits.  *hyphen: the number
 * follows a hyphen inside a word ("EUR-2024", "A-12"): no amount. */
static int
prefix(const unsigned char *s, size_t i, size_t used, size_t *start,
    int *adjacent, int *hyphen)
{
	const struct sign *g;
	size_t j = i, tl, k;
	int c;

	*hyphen = *adjacent = 0;
	if (j >= 1 && s[j - 1] == '-') {
		if (j >= 2 && is_alnum(s[j - 2])) {
			*hyphen = 1;
			return -1;
		}
		j--;
	} else if (j >= 3 && s[j - 3] == 0xE2 && s[j - 2] == 0x88 && s[j - 1] == 0x92)
		j -= 3;				/* U+2212 minus */
	j -= blank_before(s, j);
	for (k = 0; k < NELEM(signs); k++) {
		g = &signs[k];
		tl = g->len;
		/* "US$" and "$" need a word boundary before them ("HK$" is
		 * another dollar); "2x€50" is fine */
		if (!(g->where & PRE) || j < tl || j - tl < used ||
		    !sign_match(g, s + j - tl, tl) || (j > tl && is_alnum(s[j - tl - 1]) &&
		    (ascii_isalpha(g->text[0]) || g->text[0] == '$')))
			continue;
		*start = j - tl;
		*adjacent = j == i;
		return g->currency;
	}
	if (j >= 3 && j - 3 >= used && (c = code_at(s + j - 3)) >= 0 &&
	    (j == 3 || !is_alnum(s[j - 4]))) {
		*start = j - 3;
		*adjacent = j == i;
		return c;
	}
	return -1;
}

/* The currency written after a number that ends at s[end]: its index and
 * *after (its end), or -1.  *attached: no blank between ("120EUR"). */
static int
suffix(const unsigned char *s, size_t len, size_t end, size_t *after, int *attached)
{
	const struct sign *g;
	size_t j, tl, k;
	int plain, c;

	j = end + blank_at(s, len, end, &plain);
	*attached = j == end;
	for (k = 0; k < NELEM(signs); k++) {
		g = &signs[k];
		tl = g->len;
		if (!(g->where & POST) || j + tl > len || !sign_match(g, s + j, tl) ||
		    (j + tl < len && is_alnum(s[j + tl])))
			continue;
		*after = j + tl;
		return g->currency;
	}
	if (j + 3 <= len && (c = code_at(s + j)) >= 0 &&
	    (j + 3 == len || !is_alnum(s[j + 3]))) {
		*after = j + 3;
		return c;
	}
	return -1;
}

/* ---- numbers -------------------------------------------------------- */

struct numeral {
	size_t		 end;		/* the byte after it */
	int64_t		 cents;
	int		 plain_groups;	/* groups after an ASCII space */
	int		 decimals;	/* it has a decimal part */
};

static size_t
digits_at(const unsigned char *s, size_t len, size_t i)
{
	size_t n = 0;

	while (i + n < len && ascii_isdigit(s[i + n]))
		n++;
	return n;
}

/* Reads the number at s[i] (a digit); plain_ok: a plain space may group.
 * Returns 0 with *n filled, or -1 when it is not written as amounts are. */
static int
numeral(const unsigned char *s, size_t len, size_t i, int plain_ok, struct numeral *n)
{
	size_t glen[GROUPS_MAX], gstart[GROUPS_MAX], g, k, sl, last, seps, d;
	int sep[GROUPS_MAX], kind, plain, dec;
	int64_t v = 0;

	memset(n, 0, sizeof(*n));
	gstart[0] = i;
	glen[0] = digits_at(s, len, i);
	sep[0] = 0;
	i += glen[0];
	for (g = 1; g < GROUPS_MAX; g++) {
		plain = 0;
		kind = 0;
		if (i + 1 < len && (s[i] == '.' || s[i] == ',') && ascii_isdigit(s[i + 1])) {
			kind = s[i];
			sl = 1;
		} else if ((sl = apostrophe_at(s, len, i)) > 0 && i + sl < len &&
		    ascii_isdigit(s[i + sl]))
			kind = '\'';
		else if ((sl = blank_at(s, len, i, &plain)) > 0 && (plain_ok || !plain) &&
		    digits_at(s, len, i + sl) == 3)
			kind = ' ';
		if (kind == 0)
			break;
		n->plain_groups += plain;
		sep[g] = kind;
		gstart[g] = i + sl;
		glen[g] = digits_at(s, len, gstart[g]);
		i = gstart[g] + glen[g];
	}

	/* The last group after '.' or ',' is the decimals if it has one or
	 * two digits; every other separator groups, all of one kind, in
	 * threes, behind a head of one to three digits. */
	last = g - 1;
	dec = g > 1 && (sep[last] == '.' || sep[last] == ',') && glen[last] <= 2;
	seps = g - 1 - (size_t)dec;
	for (k = 1; k <= seps; k++)
		if (sep[k] != sep[1] || glen[k] != 3)
			return -1;
	if (seps > 0 && (glen[0] > 3 || s[gstart[0]] == '0' ||
	    (dec && sep[last] == sep[1])))
		return -1;
	if (glen[0] > 1 && s[gstart[0]] == '0')
		return -1;		/* "05", "007": no price */
	if (glen[0] + 3 * seps > AMOUNT_DIGITS_MAX)
		return -1;
	for (k = 0; k <= seps; k++)
		for (d = 0; d < glen[k]; d++)
			v = v * 10 + (s[gstart[k] + d] - '0');
	v *= 100;
	if (dec) {
		v += (s[gstart[last]] - '0') * 10;
		if (glen[last] == 2)
			v += s[gstart[last] + 1] - '0';
	} else if (i + 1 < len && (s[i] == '.' || s[i] == ',') &&
	    (sl = dash_at(s, len, i + 1)) > 0) {
		/* "120,-" "120,--" "120.–": whole units */
		k = i + 1 + sl;
		if (k < len && s[k] == '-')
			k++;
		if (k >= len || !ascii_isdigit(s[k]))
			i = k;
	}
	n->end = i;
	n->cents = v;
	n->decimals = dec;
	return 0;
}

/* After a number (and a currency attached to it, if attached): 1 when
 * what follows ends it, 0 when it is part of something else -- a
 * percentage, a date, a time, "3x", "10km". */
static int
ends_well(const unsigned char *s, size_t len, size_t end, int attached)
{
	int c;

	if (end >= len)
		return 1;
	c = s[end];
	if (ascii_isdigit(c) || c == '%')
		return 0;
	if ((c == '/' || c == ':' || c == '.' || c == ',' || c == '\'') &&
	    end + 1 < len && ascii_isdigit(s[end + 1]))
		return 0;
	if (ascii_isalpha(c) || c == '_')
		return attached;
	return 1;
}

/* May a number start at s[i] after what precedes it?  prefixed: a
 * currency sign stands right before it ("EUR120"). */
static int
starts_well(const unsigned char *s, size_t i, int prefixed)
{
	int c;

	if (i == 0)
		return 1;
	c = s[i - 1];
	if (is_alnum(c))
		return prefixed;
	if (c == '.' || c == ',' || c == '/' || c == ':' || c == '#' || c == '@' ||
	    c == '\'' || c == '&' || c == '=')
		return 0;
	if (i >= 3 && s[i - 3] == 0xE2 && s[i - 2] == 0x80 && s[i - 1] == 0x99)
		return 0;		/* ’ */
	return 1;
}

/* "2024 USD 50": the number at s[i] looks like a year and the currency
 * after it (ending at after) is followed by another number, which it
 * belongs to. */
static int
year_then_number(const unsigned char *s, size_t len, size_t i,
    const struct numeral *n, size_t after)
{
	int plain;
	size_t b;

	if (n->end - i != 4 || n->cents < 190000 || n->cents > 209900 ||
	    n->cents % 100 != 0)
		return 0;
	b = blank_at(s, len, after, &plain);
	return b > 0 && after + b < len && ascii_isdigit(s[after + b]);
}

/* Past the digits and separators of what starts at s[i], so that no part
 * of "12.05.2024" or "1.2.3" is read again. */
static size_t
skip_run(const unsigned char *s, size_t len, size_t i)
{
	size_t a;

	while (i < len) {
		if (ascii_isdigit(s[i]))
			i++;
		else if (i + 1 < len && strchr(".,/:-'", s[i]) != NULL && ascii_isdigit(s[i + 1]))
			i++;
		else if ((a = apostrophe_at(s, len, i)) > 0 && i + a < len &&
		    ascii_isdigit(s[i + a]))
			i += a;
		else
			break;
	}
	return i;
}

/* Where the second number of a range may start after s[i] -- "-200",
 * " – 200", " to 200", " bis 200" -- or 0. */
static size_t
range_next(const unsigned char *s, size_t len, size_t i)
{
	size_t j = i, b, d;
	int plain;

	b = blank_at(s, len, j, &plain);
	j += b;
	if ((d = dash_at(s, len, j)) > 0)
		j += d;
	else if (b > 0 && j + 3 < len && ((s[j] == 't' && s[j + 1] == 'o' &&
	    s[j + 2] == ' ') || (s[j] == 'b' && s[j + 1] == 'i' && s[j + 2] == 's' &&
	    s[j + 3] == ' ')))
		j += s[j] == 't' ? 2 : 3;
	else
		return 0;
	j += blank_at(s, len, j, &plain);
	return j < len ? j : 0;
}

/* ---- scanning ------------------------------------------------------- */

void
amount_scan_init(struct amount_scan *sc, const char *text, size_t len)
{
	memset(sc, 0, sizeof(*sc));
	sc->text = text != NULL ? text : "";
	sc->len = text != NULL ? len : 0;
}

/* The second end of a range after an amount in currency cur that ends at
 * s[end]: 1 with sc->next filled, else 0.  The second may repeat the
 * currency ("€100 – €200") but may not name another. */
static int
range_second(struct amount_scan *sc, size_t end, int cur)
{
	const unsigned char *s = (const unsigned char *)sc->text;
	size_t len = sc->len, j, k, after, tl, i;
	struct numeral n;
	int c, attached, plain;

	if ((j = range_next(s, len, end)) == 0)
		return 0;
	k = j;
	for (i = 0; i < NELEM(signs) && k < len && !ascii_isdigit(s[k]); i++) {
		tl = signs[i].len;
		if (signs[i].currency == cur && (signs[i].where & PRE) && k + tl <= len &&
		    sign_match(&signs[i], s + k, tl)) {
			k += tl;
			k += blank_at(s, len, k, &plain);
		}
	}
	if (k == j && k + 3 <= len && code_at(s + k) == cur) {
		k += 3;
		k += blank_at(s, len, k, &plain);
	}
	if (k >= len || !ascii_isdigit(s[k]) || numeral(s, len, k, 0, &n) == -1)
		return 0;
	c = suffix(s, len, n.end, &after, &attached);
	if (c >= 0 && c != cur)
		return 0;
	if (c < 0) {
		after = n.end;
		attached = 0;
	}
	if (!ends_well(s, len, c >= 0 ? after : n.end, attached) ||
	    dash_at(s, len, after) == 1)
		return 0;
	sc->next.cents = n.cents;
	sc->next.currency = cur;
	sc->next.offset = j;
	sc->next.len = after - j;
	sc->pending = 1;
	sc->used = sc->off = after;
	return 1;
}

/* A number without a currency at s[i] (n) followed by a range whose
 * second end carries one ("100-200 EUR"): 1 with both ends taken, the
 * first into *out, else 0. */
static int
range_first(struct amount_scan *sc, size_t i, const struct numeral *n,
    struct amount *out)
{
	const unsigned char *s = (const unsigned char *)sc->text;
	size_t len = sc->len, j, after;
	struct numeral n2;
	int c, attached;

	if ((j = range_next(s, len, n->end)) == 0 || !ascii_isdigit(s[j]) ||
	    numeral(s, len, j, 0, &n2) == -1 ||
	    (c = suffix(s, len, n2.end, &after, &attached)) < 0 ||
	    !ends_well(s, len, after, attached))
		return 0;
	out->cents = n->cents;
	out->currency = c;
	out->offset = i;
	out->len = n->end - i;
	sc->next.cents = n2.cents;
	sc->next.currency = c;
	sc->next.offset = j;
	sc->next.len = after - j;
	sc->pending = 1;
	sc->used = sc->off = after;
	return 1;
}

int
amount_scan_next(struct amount_scan *sc, struct amount *out)
{
	const unsigned char *s = (const unsigned char *)sc->text;
	size_t len = sc->len, i, start = 0, after = 0, end;
	struct numeral n;
	int cur, scur, adjacent, hyphen, attached;

	if (sc->pending) {
		sc->pending = 0;
		*out = sc->next;
		return 1;
	}
	for (i = sc->off; i < len; ) {
		if (!ascii_isdigit(s[i])) {
			i++;
			continue;
		}
		cur = prefix(s, i, sc->used, &start, &adjacent, &hyphen);
		if (hyphen || !starts_well(s, i, cur >= 0 && adjacent) ||
		    numeral(s, len, i, 1, &n) == -1) {
			i = skip_run(s, len, i);
			continue;
		}
		scur = suffix(s, len, n.end, &after, &attached);
		if (n.plain_groups == 1 && !n.decimals && cur < 0) {
			/* "May 5 100 EUR": 100 EUR, not 5100 */
			if (numeral(s, len, i, 0, &n) == -1) {
				i = skip_run(s, len, i);
				continue;
			}
			scur = suffix(s, len, n.end, &after, &attached);
		}
		if (scur >= 0 && cur < 0 && !attached && year_then_number(s, len, i, &n,
		    after))
			scur = -1;		/* "in 2024 USD 50": USD 50 */
		if (scur < 0 || (cur >= 0 && scur != cur)) {
			after = n.end;		/* another's currency stays its own */
			attached = 0;
			scur = -1;
		}
		if (!ends_well(s, len, after, attached)) {
			i = skip_run(s, len, i);
			continue;
		}
		if (cur < 0 && scur < 0) {
			/* A bare number: the first of "100-200 EUR"? */
			if (range_first(sc, i, &n, out))
				return 1;
			i = n.end;
			continue;
		}
		if (cur < 0) {
			cur = scur;
			start = i;
		}
		end = scur >= 0 ? after : n.end;
		out->cents = n.cents;
		out->currency = cur;
		out->offset = start;
		out->len = end - start;
		sc->used = sc->off = end;
		if (range_second(sc, end, cur) == 0 && dash_at(s, len, n.end) == 1 &&
		    end == n.end && n.end + 1 < len && ascii_isdigit(s[n.end + 1])) {
			/* "€2024-05-01": a hyphenated something, not a price */
			sc->used = start;
			i = skip_run(s, len, i);
			continue;
		}
		return 1;
	}
	sc->off = len;
	return 0;
}

size_t
amount_find(const char *text, size_t len, struct amount *out, size_t max)
{
	struct amount_scan sc;
	struct amount a;
	size_t count = 0;

	amount_scan_init(&sc, text, len);
	while (amount_scan_next(&sc, &a)) {
		if (count < max)
			out[count] = a;
		count++;
	}
	return count;
}

/* ---- the configuration's side --------------------------------------- */

int
amount_currency_find(const char *code)
{
	int i, k;

	if (code == NULL || strlen(code) != 3)
		return -1;
	for (i = 0; i < AMOUNT_CURRENCIES; i++) {
		for (k = 0; k < 3 && ascii_tolower((unsigned char)code[k]) ==
		    ascii_tolower((unsigned char)currencies[i].code[k]); k++)
			continue;
		if (k == 3)
			return i;
	}
	return -1;
}

const char *
amount_currency_code(int currency)
{
	return currency >= 0 && currency < AMOUNT_CURRENCIES ?
	    currencies[currency].code : "";
}

const char *
amount_currency_list(void)
{
	return "AUD, CAD, CHF, CZK, DKK, EUR, GBP, JPY, NOK, PLN, SEK, USD";
}

int
amount_parse(const char *s, int64_t *cents)
{
	int64_t v = 0;
	size_t n = 0, d = 0;

	for (; ascii_isdigit((unsigned char)s[n]); n++) {
		if (n >= AMOUNT_DIGITS_MAX)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0)
		return -1;
	v *= 100;
	if (s[n] == '.') {
		for (d = 1; d <= 2 && ascii_isdigit((unsigned char)s[n + d]); d++)
			v += (s[n + d] - '0') * (d == 1 ? 10 : 1);
		if (d == 1)
			return -1;		/* "50." */
		n += d;
	}
	if (s[n] != '\0')
		return -1;
	*cents = v;
	return 0;
}

const char *
amount_format(int64_t cents, int currency, char *out, size_t len)
{
	const char *code = amount_currency_code(currency);

	if (currency >= 0 && currency < AMOUNT_CURRENCIES &&
	    currencies[currency].decimals == 0 && cents % 100 == 0)
		(void)snprintf(out, len, "%lld %s", (long long)(cents / 100), code);
	else
		(void)snprintf(out, len, "%lld.%02lld%s%s", (long long)(cents / 100),
		    (long long)(cents % 100), *code ? " " : "", code);
	return out;
}
