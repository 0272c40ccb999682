/* amount.h -- money amounts written in prose ("a refund of €120", "1.200,00
 * EUR", "USD 1,200"), found without help: pure functions over UTF-8 text,
 * no allocation, no locale.  rules/eval.c reads them for the `amount`
 * condition and the `route-by-authority` action; rules/conf.c and
 * rules/parse.c read limits and currencies written in the configuration.
 *
 * Every value is an integer count of hundredths of the currency's unit --
 * cents for EUR and USD, and for JPY too, which has no minor unit -- so
 * that comparisons are exact and one type fits all.  Currencies are
 * indexes into a fixed table (amount_currency_code); what the scanner
 * accepts is documented atop amount.c and in escalator.conf(5). */
#ifndef ESC_AMOUNT_H
#define ESC_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

#define AMOUNT_CURRENCIES	12		/* indexes 0 .. 11 */
#define AMOUNT_DIGITS_MAX	13		/* digits before the decimals */

/* One amount found in a text. */
struct amount {
	int64_t		 cents;		/* hundredths of the unit; never negative */
	int		 currency;	/* index; amount_currency_code names it */
	size_t		 offset;	/* its first byte: currency sign or digit */
	size_t		 len;		/* bytes, sign, number and currency together */
};

/* A scan of one text, amount after amount.  The fields are private; the
 * text is borrowed until the scan ends. */
struct amount_scan {
	const char	*text;
	size_t		 len, off;
	size_t		 used;		/* bytes before this belong to an amount */
	int		 pending;	/* next is a range's second amount */
	struct amount	 next;
};

void	amount_scan_init(struct amount_scan *, const char *text, size_t len);
/* The next amount of the text into *out: 1, or 0 at the end. */
int	amount_scan_next(struct amount_scan *, struct amount *out /* OUT */);

/* Every amount of text[0..len): stores the first max of them into out and
 * returns how many there are. */
size_t	amount_find(const char *text, size_t len, struct amount *out, size_t max);

/* The index of an ISO 4217 code we know ("EUR", "eur"), or -1. */
int	amount_currency_find(const char *code);
/* "EUR" for an index; "" for one out of range. */
const char *amount_currency_code(int currency);
/* "AUD, CAD, CHF, ..." for messages. */
const char *amount_currency_list(void);

/* A number as the configuration writes one, digits with at most two
 * decimals after a '.' ("50", "49.99", "0.5"): 0 with *cents set, or -1. */
int	amount_parse(const char *s, int64_t *cents /* OUT */);

/* "120.00 EUR", "1200 JPY" (whole yen without decimals), or without a
 * currency (currency -1) "120.00", into out; returns out. */
const char *amount_format(int64_t cents, int currency, char *out, size_t len);

#endif
