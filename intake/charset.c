/* charset.c -- declared charsets to UTF-8; see charset.h.
 *
 * Nearly every message is UTF-8, ASCII or Latin-1, so those three are done
 * here by hand (validation, a 32-entry windows-1252 table) and never reach
 * iconv; everything else goes through glibc's iconv.  Charset names are
 * cleaned and aliased first, because mailers write them any way they like
 * and label windows-1252 text as latin1 or us-ascii.
 *
 * iconv descriptors are cached per charset name in a small thread-local
 * table behind charset_to_utf8 (iconv_open reads gconv modules from disk,
 * far too slow to do per message part).  The table lives as long as the
 * thread; nothing else holds state.  A name neither the alias table nor
 * iconv knows is respelled once, on its way into that table (name_loose:
 * koi8_r, win-1251, latin-2, x-mac-cyrillic), so the names that are
 * spelled right never pay for the ones that are not.
 *
 * Most text is ASCII, so every scan here first skips ASCII eight bytes at
 * a time (ascii_span) and looks at single bytes only around the others. */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "intake/charset.h"

#define NAME_MAX_LEN	40	/* longer names are not charsets */
#define CACHE_SIZE	8	/* distinct charsets in use at once, in practice */

enum kind {
	KIND_UTF8,		/* UTF-8, invalid bytes replaced */
	KIND_CP1252,		/* windows-1252 by table; never lossy */
	KIND_GUESS,		/* UTF-8 if it validates, else windows-1252 */
	KIND_ICONV,		/* through iconv */
	KIND_MAC,		/* UTF-8 if it validates, else through iconv */
	KIND_UNKNOWN		/* iconv does not know it: guess, say so */
};

static const char	 fffd[] = "\xef\xbf\xbd";

/*
 * Names mailers use for charsets iconv knows by another name, or which
 * must not be taken at their word.  Latin-1 and us-ascii text from Windows
 * mailers carries 0x80-0x9f (curly quotes, the euro sign), so those decode
 * as windows-1252, a superset of Latin-1's printable range.  "us-ascii"
 * with 8-bit bytes is mislabelled either way; today those bytes are most
 * often UTF-8 (scripts, web forms), so it guesses.  The Mac OS charsets
 * went out with Mac OS 9; mail labelled so today comes from mailers that
 * still offer them (Outlook's "Cyrillic (Mac)") and is mostly UTF-8,
 * while text really in a Mac charset almost never validates as UTF-8, so
 * those are UTF-8 when they validate (KIND_MAC).  Sorted by strcmp
 * for alias_find; the names with '-' where mailers wrote '_' or "x-" are
 * only reached through name_loose.
 */
static const struct alias {
	const char	*name;
	int		 kind;
	const char	*iconv_name;
} aliases[] = {
	{ "", KIND_GUESS, NULL },
	{ "8bit", KIND_GUESS, NULL },
	{ "ansi_x3.4-1968", KIND_GUESS, NULL },
	{ "ascii", KIND_GUESS, NULL },
	{ "big-5", KIND_ICONV, "CP950" },
	{ "big5", KIND_ICONV, "CP950" },
	{ "chinese", KIND_ICONV, "GB18030" },
	{ "cn-big5", KIND_ICONV, "CP950" },
	{ "cp-1252", KIND_CP1252, NULL },
	{ "cp1252", KIND_CP1252, NULL },
	{ "cp819", KIND_CP1252, NULL },
	{ "cp932", KIND_ICONV, "CP932" },
	{ "cp936", KIND_ICONV, "GB18030" },
	{ "csgb2312", KIND_ICONV, "GB18030" },
	{ "default", KIND_GUESS, NULL },
	{ "euc-cn", KIND_ICONV, "GB18030" },
	{ "euc-kr", KIND_ICONV, "CP949" },
	{ "gb-2312", KIND_ICONV, "GB18030" },		/* gb_2312, respelled */
	{ "gb-2312-80", KIND_ICONV, "GB18030" },
	{ "gb18030", KIND_ICONV, "GB18030" },
	{ "gb2312", KIND_ICONV, "GB18030" },
	{ "gb_2312-80", KIND_ICONV, "GB18030" },
	{ "gbk", KIND_ICONV, "GB18030" },
	{ "ibm819", KIND_CP1252, NULL },
	{ "iso-2022-jp", KIND_ICONV, "ISO-2022-JP-2" },	/* superset; same escapes */
	{ "iso-8859-1", KIND_CP1252, NULL },
	{ "iso-8859-11", KIND_ICONV, "CP874" },
	{ "iso-8859-8-i", KIND_ICONV, "ISO-8859-8" },
	{ "iso-ir-100", KIND_CP1252, NULL },
	{ "iso646-us", KIND_GUESS, NULL },
	{ "iso8859-1", KIND_CP1252, NULL },
	{ "iso_8859-1", KIND_CP1252, NULL },
	{ "ks-c-5601", KIND_ICONV, "CP949" },
	{ "ks-c-5601-1987", KIND_ICONV, "CP949" },
	{ "ks-c-5601-1989", KIND_ICONV, "CP949" },
	{ "ks_c_5601", KIND_ICONV, "CP949" },
	{ "ks_c_5601-1987", KIND_ICONV, "CP949" },
	{ "ks_c_5601-1989", KIND_ICONV, "CP949" },
	{ "ksc5601", KIND_ICONV, "CP949" },
	{ "l1", KIND_CP1252, NULL },
	{ "latin-1", KIND_CP1252, NULL },
	{ "latin1", KIND_CP1252, NULL },
	{ "mac", KIND_MAC, "MACINTOSH" },
	{ "mac-ce", KIND_MAC, "MAC-CENTRALEUROPE" },	/* x-mac-ce, respelled */
	{ "mac-centraleurope", KIND_MAC, "MAC-CENTRALEUROPE" },
	{ "mac-cyrillic", KIND_MAC, "MAC-CYRILLIC" },
	{ "mac-icelandic", KIND_MAC, "MAC-IS" },
	{ "mac-roman", KIND_MAC, "MACINTOSH" },
	{ "mac-ukrainian", KIND_MAC, "MACUKRAINIAN" },
	{ "maccyrillic", KIND_MAC, "MAC-CYRILLIC" },
	{ "macintosh", KIND_MAC, "MACINTOSH" },
	{ "macroman", KIND_MAC, "MACINTOSH" },
	{ "macukrainian", KIND_MAC, "MACUKRAINIAN" },
	{ "ms-kanji", KIND_ICONV, "CP932" },
	{ "ms_kanji", KIND_ICONV, "CP932" },
	{ "shift-jis", KIND_ICONV, "CP932" },
	{ "shift_jis", KIND_ICONV, "CP932" },	/* Windows mailers write CP932 */
	{ "sjis", KIND_ICONV, "CP932" },
	{ "tis-620", KIND_ICONV, "CP874" },
	{ "unicode-1-1-utf-7", KIND_ICONV, "UTF-7" },	/* Outlook Express, RFC 1642 */
	{ "unicode-1-1-utf-8", KIND_UTF8, NULL },
	{ "unknown", KIND_GUESS, NULL },
	{ "unknown-8bit", KIND_GUESS, NULL },
	{ "us", KIND_GUESS, NULL },
	{ "us-ascii", KIND_GUESS, NULL },
	{ "utf-8", KIND_UTF8, NULL },
	{ "utf8", KIND_UTF8, NULL },
	{ "win-1252", KIND_CP1252, NULL },
	{ "windows-1252", KIND_CP1252, NULL },
	{ "windows-31j", KIND_ICONV, "CP932" },
	{ "x-cp1252", KIND_CP1252, NULL },
	{ "x-euc-cn", KIND_ICONV, "GB18030" },
	{ "x-gbk", KIND_ICONV, "GB18030" },
	{ "x-mac-roman", KIND_MAC, "MACINTOSH" },
	{ "x-sjis", KIND_ICONV, "CP932" },
	{ "x-unknown", KIND_GUESS, NULL },
	{ "x-user-defined", KIND_GUESS, NULL },
	{ "x-x-big5", KIND_ICONV, "CP950" },
};

/* windows-1252 0x80-0x9f; the five holes map to the C1 control of the same
 * value, as browsers do, so the conversion never loses a byte. */
static const unsigned short cp1252_high[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178
};

struct cache_entry {
	char	 name[NAME_MAX_LEN];	/* cleaned name; "" marks a free slot */
	char	 canon[NAME_MAX_LEN];	/* the spelling that was understood */
	int	 kind;			/* any KIND_* */
	iconv_t	 cd;			/* (iconv_t)-1 when kind needs none */
};

static _Thread_local struct cache_entry	cache[CACHE_SIZE];
static _Thread_local unsigned		cache_next;	/* round-robin victim */

/* Length of the run of ASCII bytes that starts s: whole 8-byte words
 * first (one test finds a high bit in any of them), then byte by byte. */
static size_t
ascii_span(const unsigned char *s, size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; len - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);	/* unaligned load, one instruction */
		if (w & 0x8080808080808080ull)
			break;
	}
	while (i < len && s[i] < 0x80)
		i++;
	return i;
}

/*
 * Appends n bytes of UTF-8 text; at the ceiling appends the part that fits,
 * cut at a character boundary, and returns -1.
 */
static int
out_add(struct buf *out, const char *s, size_t n)
{
	size_t room;

	if (n == 0)
		return 0;
	if (out->len <= out->max && n <= out->max - out->len)
		return buf_add(out, s, n, NULL);
	room = out->len < out->max ? out->max - out->len : 0;
	while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
		room--;
	if (room > 0)
		(void)buf_add(out, s, room, NULL);	/* fits by construction */
	return -1;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is invalid:
 * overlong forms, surrogates and values past U+10FFFF are invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return len >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (len < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (len < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* 1 if all of s is valid UTF-8. */
static int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n;

	while (p < end) {
		if (*p < 0x80) {
			p += ascii_span(p, (size_t)(end - p));
			continue;
		}
		if ((n = utf8_seq(p, (size_t)(end - p))) == 0)
			return 0;
		p += n;
	}
	return 1;
}

long
utf8_sanitize(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
	long bad = 0;
	size_t n;

	while (p < end) {
		if (*p < 0x80) {
			p += ascii_span(p, (size_t)(end - p));
			continue;
		}
		if ((n = utf8_seq(p, (size_t)(end - p))) > 0) {
			p += n;
			continue;
		}
		if (out_add(out, (const char *)run, (size_t)(p - run)) == -1 ||
		    out_add(out, fffd, 3) == -1)
			return -1;
		bad++;
		run = ++p;
	}
	if (out_add(out, (const char *)run, (size_t)(p - run)) == -1)
		return -1;
	return bad;
}

static int
cp1252_to_utf8(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
	char enc[4];
	uint32_t c;
	size_t n;

	for (; p < end; p++) {
		if (*p < 0x80) {
			p += ascii_span(p, (size_t)(end - p)) - 1;	/* the loop adds 1 */
			continue;
		}
		if (out_add(out, (const char *)run, (size_t)(p - run)) == -1)
			return -1;
		c = *p < 0xa0 ? cp1252_high[*p - 0x80] : *p;
		n = utf8_put(c, enc);
		if (out_add(out, enc, n) == -1)
			return -1;
		run = p + 1;
	}
	return out_add(out, (const char *)run, (size_t)(p - run));
}

/* Lowercased, unquoted, trimmed charset name into name; 0, or -1 when it
 * is too long to be one. */
static int
clean_name(const char *cs, char *name, size_t size)
{
	size_t n = 0;

	for (; *cs != '\0'; cs++) {
		unsigned char c = (unsigned char)*cs;

		if (c == '"' || c == '\'' || c == ' ' || c == '\t')
			continue;
		if (n + 1 >= size)
			return -1;
		name[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	name[n] = '\0';
	return 0;
}

static const struct alias *
alias_find(const char *name)
{
	size_t lo = 0, hi = sizeof(aliases) / sizeof(aliases[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, aliases[mid].name);

		if (c == 0)
			return &aliases[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* 1 if s is 3 to 5 ASCII digits and nothing else: a code page number. */
static int
codepage_digits(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n >= 3 && n <= 5 && s[n] == '\0';
}

/*
 * The spelling under which the alias table or iconv may know a cleaned
 * name that neither knows as written, into out (NAME_MAX_LEN bytes):
 * '_' read as '-' (koi8_r, iso_8859_2, euc_kr, utf_8), an "x-" prefix
 * dropped (x-mac-cyrillic, x-euc-jp), "latin-2" as "latin2", and a
 * Windows code page as "cp" and its number (win-1251, windows_1251,
 * cp-1250).  Returns 0, or -1 when the respelling is the name itself, so
 * there is nothing more to try.
 */
static int
name_loose(const char *name, char *out)
{
	static const char *const cp_prefix[] = { "windows", "win", "cp" };
	const char *s = name, *d;
	size_t i, n;

	if ((s[0] == 'x' && (s[1] == '-' || s[1] == '_')) && s[2] != '\0')
		s += 2;
	for (n = 0; s[n] != '\0'; n++)		/* shorter than name: fits */
		out[n] = s[n] == '_' ? '-' : s[n];
	out[n] = '\0';
	for (i = 0; i < sizeof(cp_prefix) / sizeof(cp_prefix[0]); i++) {
		n = strlen(cp_prefix[i]);
		if (strncmp(out, cp_prefix[i], n) != 0)
			continue;
		d = out + n + (out[n] == '-');
		if (codepage_digits(d)) {
			memmove(out + 2, d, strlen(d) + 1);
			memcpy(out, "cp", 2);
		}
		break;		/* "windows" also starts with "win" */
	}
	if (strncmp(out, "latin-", 6) == 0 && out[6] != '\0' &&
	    strspn(out + 6, "0123456789") == strlen(out + 6))
		memmove(out + 5, out + 6, strlen(out + 6) + 1);
	return strcmp(out, name) == 0 ? -1 : 0;
}

/* Fills the fresh entry c as the alias a says, or iconv by the name
 * itself when a is NULL; KIND_UNKNOWN when iconv does not know it. */
static void
entry_open(struct cache_entry *c, const struct alias *a, const char *iconv_name)
{
	c->cd = (iconv_t)-1;
	c->kind = a != NULL ? a->kind : KIND_ICONV;
	if (a != NULL && a->iconv_name == NULL)
		return;
	c->cd = iconv_open("UTF-8", a != NULL ? a->iconv_name : iconv_name);
	if (c->cd == (iconv_t)-1)
		c->kind = KIND_UNKNOWN;
}

/* Fills the fresh entry c for a name the alias table does not hold: as
 * iconv knows it, else respelled by name_loose, through the alias table
 * again or iconv; else KIND_UNKNOWN. */
static void
entry_resolve(struct cache_entry *c)
{
	entry_open(c, NULL, c->name);
	if (c->kind != KIND_UNKNOWN || name_loose(c->name, c->canon) == -1)
		return;
	entry_open(c, alias_find(c->canon), c->canon);
}

/*
 * The cache entry for name, filled on first use: as the alias table's
 * entry a says, or resolved by entry_resolve when a is NULL.  An unknown
 * charset is cached too (kind KIND_UNKNOWN), since a failing iconv_open
 * is as slow as a working one.
 */
static struct cache_entry *
cache_get(const char *name, const struct alias *a)
{
	struct cache_entry *c;
	size_t i;

	for (i = 0; i < CACHE_SIZE; i++)
		if (cache[i].name[0] != '\0' && strcmp(cache[i].name, name) == 0)
			return &cache[i];
	c = &cache[cache_next++ % CACHE_SIZE];
	if (c->name[0] != '\0' && c->cd != (iconv_t)-1)
		(void)iconv_close(c->cd);	/* nothing to report about a close */
	memcpy(c->name, name, strlen(name) + 1);	/* all NAME_MAX_LEN */
	memcpy(c->canon, name, strlen(name) + 1);
	if (a != NULL)
		entry_open(c, a, NULL);
	else
		entry_resolve(c);
	return c;
}

static int
iconv_to_utf8(iconv_t cd, const char *in, size_t len, struct buf *out)
{
	char tmp[4096], *ip = (char *)in, *op;
	size_t il = len, ol, r;
	int lossy = 0, saved_errno;

	(void)iconv(cd, NULL, NULL, NULL, NULL);	/* reset shift state; cannot fail */
	while (il > 0) {
		op = tmp;
		ol = sizeof(tmp);
		r = iconv(cd, &ip, &il, &op, &ol);
		saved_errno = errno;
		if (out_add(out, tmp, (size_t)(op - tmp)) == -1)
			return -1;
		if (r != (size_t)-1)
			break;
		if (saved_errno == E2BIG)
			continue;
		lossy = 1;
		if (out_add(out, fffd, 3) == -1)
			return -1;
		if (saved_errno != EILSEQ)	/* EINVAL: cut sequence at the end */
			break;
		ip++;
		il--;
	}
	op = tmp;
	ol = sizeof(tmp);
	(void)iconv(cd, NULL, NULL, &op, &ol);	/* shift back; a few bytes at most */
	if (out_add(out, tmp, (size_t)(op - tmp)) == -1)
		return -1;
	return lossy ? CHARSET_LOSSY : CHARSET_OK;
}

/*
 * ISO-2022-JP as Windows mailers write it (Microsoft's CP50220/CP50221)
 * carries the NEC rows of JIS X 0208: row 13 (circled numbers, Roman
 * numerals, the numero sign, "(株)") and rows 89-92, which glibc's
 * ISO-2022-JP refuses.  Every JIS X 0208 pair maps to Shift_JIS by
 * arithmetic and CP932 knows the NEC rows, so a text iconv found lossy is
 * rewritten here as Shift_JIS for a second pass through CP932.  Returns 0,
 * or 1 when the text is not of that shape (an escape to another set, 8-bit
 * bytes, a broken pair), or -1 at the ceiling.
 */
static int
jis_to_sjis(const char *in, size_t len, struct buf *out)
{
	enum { JIS_ASCII, JIS_KANJI, JIS_KANA } mode = JIS_ASCII;
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	unsigned char sj[2];
	unsigned j1, j2;

	while (p < end) {
		if (*p == 0x1b) {
			if (end - p >= 3 && p[1] == '(' && (p[2] == 'B' || p[2] == 'J'))
				mode = JIS_ASCII;
			else if (end - p >= 3 && p[1] == '$' && (p[2] == 'B' || p[2] == '@'))
				mode = JIS_KANJI;
			else if (end - p >= 3 && p[1] == '(' && p[2] == 'I')
				mode = JIS_KANA;
			else
				return 1;
			p += 3;
			continue;
		}
		if (*p >= 0x80)
			return 1;
		if (mode == JIS_ASCII || *p < 0x21 || *p > 0x7e) {
			if (buf_addch(out, *p++, NULL) == -1)
				return -1;
			continue;
		}
		if (mode == JIS_KANA) {
			if (*p > 0x5f)
				return 1;
			if (buf_addch(out, *p++ + 0x80, NULL) == -1)
				return -1;
			continue;
		}
		if (end - p < 2 || p[1] < 0x21 || p[1] > 0x7e)
			return 1;
		j1 = p[0];
		j2 = p[1];
		sj[0] = (unsigned char)((j1 - 0x21) / 2 + (j1 <= 0x5e ? 0x81 : 0xc1));
		if (j1 & 1)
			sj[1] = (unsigned char)(j2 + (j2 >= 0x60 ? 0x20 : 0x1f));
		else
			sj[1] = (unsigned char)(j2 + 0x7e);
		if (buf_add(out, sj, 2, NULL) == -1)
			return -1;
		p += 2;
	}
	return 0;
}

/* The second pass for ISO-2022-JP that iconv found lossy: the text
 * appended to out from start on is replaced by the CP932 reading of it
 * when that reading is of the shape jis_to_sjis takes. */
static int
jis_retry(const char *in, size_t len, struct buf *out, size_t start, int lossy)
{
	struct buf sj;
	struct cache_entry *c;
	int r;

	buf_init(&sj, len + 1);		/* escapes dropped: never longer */
	r = jis_to_sjis(in, len, &sj);
	if (r != 0 || (c = cache_get("cp932", alias_find("cp932")))->kind != KIND_ICONV) {
		buf_release(&sj);
		return lossy;
	}
	out->len = start;
	if (out->buf != NULL)
		out->buf[start] = '\0';
	r = iconv_to_utf8(c->cd, sj.buf != NULL ? sj.buf : "", sj.len, out);
	buf_release(&sj);
	return r;
}

/*
 * Japanese text labelled ISO-2022-JP but written in 8 bits, with no
 * escape at all: Japanese mobile carriers' and Unix MTAs' notices are
 * EUC-JP under that label, Windows tools' Shift_JIS.  EUC-JP is tried
 * first, since nearly any EUC-JP text also reads as CP932 (as half-width
 * katakana) while Shift_JIS lead bytes are not EUC-JP.  The text appended
 * from start on is replaced by the first reading that loses nothing;
 * returns CHARSET_AS_EUC_JP or CHARSET_AS_SJIS then, else lossy.
 */
static int
jis_8bit_retry(const char *in, size_t len, struct buf *out, size_t start, int lossy)
{
	static const struct { const char *name; int result; } as[] = {
		{ "euc-jp", CHARSET_AS_EUC_JP },
		{ "cp932", CHARSET_AS_SJIS },
	};
	struct cache_entry *c;
	struct buf tmp;
	size_t i;
	int r = lossy;

	if (memchr(in, 0x1b, len) != NULL)
		return lossy;
	buf_init(&tmp, out->max);
	for (i = 0; i < sizeof(as) / sizeof(as[0]) && r == lossy; i++) {
		c = cache_get(as[i].name, alias_find(as[i].name));
		if (c->kind != KIND_ICONV)
			continue;
		buf_reset(&tmp);
		if (iconv_to_utf8(c->cd, in, len, &tmp) != CHARSET_OK)
			continue;
		out->len = start;
		if (out->buf != NULL)
			out->buf[start] = '\0';
		r = out_add(out, tmp.buf != NULL ? tmp.buf : "", tmp.len) == -1 ? -1 :
		    as[i].result;
	}
	buf_release(&tmp);
	return r;
}

static int
ascii_only(const char *s, size_t len)
{
	return ascii_span((const unsigned char *)s, len) == len;
}

/* 1 if ASCII bytes mean ASCII in this charset, so pure-ASCII text can skip
 * iconv: not so for the 7-bit escape encodings and the wide ones. */
static int
ascii_compatible(const char *name)
{
	static const char *const not[] = { "iso-2022", "utf-7", "utf-16", "utf-32",
	    "ucs", "hz", "unicode" };
	size_t i;

	for (i = 0; i < sizeof(not) / sizeof(not[0]); i++)
		if (strncmp(name, not[i], strlen(not[i])) == 0)
			return 0;
	return 1;
}

/*
 * ISO-2022-*, HZ and UTF-7 are 7-bit: text so labelled with 8-bit bytes
 * that validate as UTF-8 was converted on its way (a gateway, an archive,
 * a repository's re-encoding) and kept its old label; iconv would make
 * every one of those bytes U+FFFD.  Looked at only when iconv was lossy.
 */
static int
seven_bit(const char *name)
{
	return strncmp(name, "iso-2022", 8) == 0 || strncmp(name, "hz", 2) == 0 ||
	    strcmp(name, "utf-7") == 0 || strcmp(name, "unicode-1-1-utf-7") == 0;
}

static int
guess_to_utf8(const char *in, size_t len, struct buf *out)
{
	if (utf8_valid(in, len))
		return out_add(out, in, len);
	return cp1252_to_utf8(in, len, out);
}

int
charset_to_utf8(const char *charset, const char *in, size_t len, struct buf *out)
{
	char name[NAME_MAX_LEN];
	const struct alias *a;
	struct cache_entry *c = NULL;
	size_t start;
	long bad;
	int kind, r;

	if (charset == NULL)
		return guess_to_utf8(in, len, out) == -1 ? -1 : CHARSET_OK;
	if (clean_name(charset, name, sizeof(name)) == -1)
		return guess_to_utf8(in, len, out) == -1 ? -1 : CHARSET_UNKNOWN;
	a = alias_find(name);
	kind = a != NULL ? a->kind : KIND_ICONV;
	if (a == NULL || a->iconv_name != NULL) {
		c = cache_get(name, a);
		kind = c->kind;
	}
	switch (kind) {
	case KIND_UTF8:
		if ((bad = utf8_sanitize(in, len, out)) == -1)
			return -1;
		return bad > 0 ? CHARSET_LOSSY : CHARSET_OK;
	case KIND_CP1252:
		return cp1252_to_utf8(in, len, out) == -1 ? -1 : CHARSET_OK;
	case KIND_GUESS:
		return guess_to_utf8(in, len, out) == -1 ? -1 : CHARSET_OK;
	case KIND_UNKNOWN:
		return guess_to_utf8(in, len, out) == -1 ? -1 : CHARSET_UNKNOWN;
	case KIND_MAC:
		if (utf8_valid(in, len))
			return out_add(out, in, len) == -1 ? -1 : CHARSET_OK;
		break;
	default:
		break;
	}
	if (ascii_compatible(c->canon) && ascii_only(in, len))
		return out_add(out, in, len) == -1 ? -1 : CHARSET_OK;
	start = out->len;
	r = iconv_to_utf8(c->cd, in, len, out);
	if (r == CHARSET_LOSSY && strcmp(c->canon, "iso-2022-jp") == 0)
		r = jis_retry(in, len, out, start, r);
	if (r == CHARSET_LOSSY && seven_bit(c->canon) && !ascii_only(in, len) &&
	    utf8_valid(in, len)) {
		out->len = start;
		if (out->buf != NULL)
			out->buf[start] = '\0';
		r = out_add(out, in, len) == -1 ? -1 : CHARSET_AS_UTF8;
	}
	if (r == CHARSET_LOSSY && strcmp(c->canon, "iso-2022-jp") == 0)
		r = jis_8bit_retry(in, len, out, start, r);
	return r;
}

const char *
charset_read_as(int result)
{
	switch (result) {
	case CHARSET_AS_UTF8:	return "UTF-8";
	case CHARSET_AS_EUC_JP:	return "EUC-JP";
	case CHARSET_AS_SJIS:	return "Shift_JIS";
	default:		return NULL;
	}
}
