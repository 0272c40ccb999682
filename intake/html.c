/* html.c -- HTML mail bodies to readable plain text.
 *
 * libxml2's HTML parser reads the tag soup that mailers send (it closes
 * what was left open and reports every element's end); its SAX callbacks
 * write text into the caller's struct buf as the parser goes.  No tree is
 * built: that halves the time per message, and the state kept is one small
 * record per open element, in a fixed array, so no input can exhaust the C
 * stack.  Nesting deeper than HTML_DEPTH stops the parse, as libxml2's own
 * tree builder does at the same depth: the text before is kept.
 *
 * Quoted history is written with "> " prefixes (blockquote, Gmail's
 * gmail_quote, everything from Outlook's divRplyFwdMsg on) because
 * trim.c recognises quotes by that prefix and nothing else.  Only inline
 * styles are looked at, for display:none (preheaders); style sheets are
 * dropped unread. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "common/buf.h"
#include "common/err.h"
#include "intake/html.h"
#include "intake/xmlerr.h"

#define HTML_OPTIONS	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | \
			 HTML_PARSE_NOWARNING | HTML_PARSE_NONET)
#define HTML_DEPTH	256	/* open elements; libxml2's tree builder stops there too */
#define HTML_LISTS	16	/* list levels numbered and indented; deeper ones share the last */
#define HTML_QUOTES	32	/* most ">" written before a line, however deep the quote */
#define HTML_HREF_MAX	8192	/* a longer link target is not written */
#define HTML_NOLINK	SIZE_MAX
#define HTML_ROW_JOIN	120	/* a row line this long takes no more cells beside */
#define HTML_NOROW	ULONG_MAX

enum html_kind {
	HTML_INLINE,		/* b, span, font, unknown tags: text flows through */
	HTML_DROP,		/* script, style, head...: skipped with their content */
	HTML_BR,
	HTML_BLOCK,		/* a line of its own: div, table... */
	HTML_ROW,		/* tr: a line of its own that cells share */
	HTML_PARA,		/* a paragraph: blank lines around it */
	HTML_P,			/* p: a paragraph, or a line for Outlook's MsoNormal */
	HTML_LIST,		/* ul, ol */
	HTML_LI,
	HTML_QUOTE,		/* blockquote */
	HTML_PRE,
	HTML_A,
	HTML_IMG,
	HTML_CELL		/* td, th: a space between cells */
};

/* What an element's start did, for its end to undo. */
#define HTML_OPEN_QUOTE	0x01	/* raised the quote depth */
#define HTML_OPEN_LINK	0x02	/* is the open link */
#define HTML_OPEN_LINE	0x04	/* a p that is one line, not a paragraph */

struct html_open {
	unsigned char	 kind;	/* enum html_kind */
	unsigned char	 flags;	/* HTML_OPEN_* */
};

struct html_list {
	int	 ordered;
	long	 next;		/* number of the next item when ordered */
};

struct html_walk {
	struct buf	*out;
	struct err	*e;
	htmlParserCtxtPtr ctxt;
	int		 failed;	/* out is full: the parse was stopped */
	int		 emitted;	/* this call has written text */
	int		 breaks;	/* newlines owed before the next text: 0-2 */
	unsigned long	 newlines;	/* line ends written, to tell lines apart */
	unsigned long	 row_line;	/* newlines when the row's text began, or HTML_NOROW */
	size_t		 row_start;	/* where in out the row's text began */
	int		 cell_lead;	/* a cell that joins the row, before its text */
	int		 space;		/* a space owed before the next text */
	int		 nbsp_line;	/* the owed line holds only &nbsp; so far */
	int		 lt;		/* a text chunk ended in "<" (see html_sax_chars) */
	int		 quote;		/* quote depth of the text being read */
	int		 line_quote;	/* quote depth of the last line written */
	int		 quote_rest;	/* Outlook's reply header seen: all the rest is quoted */
	int		 pre;		/* inside pre: whitespace kept */
	char		 pre_blank[64];	/* blanks at the end of a pre chunk, see html_pre_text */
	size_t		 pre_blank_len;
	size_t		 depth;		/* open elements */
	size_t		 excess;	/* starts past HTML_DEPTH, ended without a record */
	size_t		 skip;		/* > 0: inside a dropped element opened at this depth */
	struct html_open open[HTML_DEPTH];
	int		 lists;		/* open lists; may exceed HTML_LISTS */
	struct html_list list[HTML_LISTS];
	char		 bullet[48];	/* "- " or "3. " owed before the next text */
	size_t		 bullet_len;
	int		 link;		/* an <a href> is open */
	int		 link_words;	/* it holds text other than image alt text */
	int		 alt;		/* alt text is being written */
	struct buf	 href;		/* its target */
	size_t		 link_start;	/* where its text begins in out, or HTML_NOLINK */
};

/* The attributes the walk looks at, found in one pass over the list. */
struct html_attrs {
	const char	*cls, *id, *style, *href, *alt, *start;
	int		 hidden;
};

static enum html_kind
html_kind(const char *name)
{
	/* Names come lowercased from the parser; a switch on the first letter
	 * keeps this to a couple of comparisons per element. */
	switch (name[0]) {
	case 'a':
		if (name[1] == '\0')
			return HTML_A;
		if (strcmp(name, "address") == 0 || strcmp(name, "article") == 0 ||
		    strcmp(name, "aside") == 0)
			return HTML_BLOCK;
		break;
	case 'b':
		if (strcmp(name, "br") == 0)
			return HTML_BR;
		if (strcmp(name, "blockquote") == 0)
			return HTML_QUOTE;
		if (strcmp(name, "body") == 0)
			return HTML_BLOCK;
		break;
	case 'c':
		if (strcmp(name, "center") == 0 || strcmp(name, "caption") == 0)
			return HTML_BLOCK;
		break;
	case 'd':
		if (strcmp(name, "div") == 0 || strcmp(name, "dt") == 0 ||
		    strcmp(name, "dd") == 0 || strcmp(name, "details") == 0)
			return HTML_BLOCK;
		if (strcmp(name, "dl") == 0)
			return HTML_PARA;
		if (strcmp(name, "dir") == 0)
			return HTML_LIST;
		break;
	case 'e':
		if (strcmp(name, "embed") == 0)
			return HTML_DROP;
		break;
	case 'f':
		if (strcmp(name, "footer") == 0 || strcmp(name, "form") == 0 ||
		    strcmp(name, "fieldset") == 0 || strcmp(name, "figcaption") == 0)
			return HTML_BLOCK;
		if (strcmp(name, "figure") == 0)
			return HTML_PARA;
		break;
	case 'h':
		if (name[1] >= '1' && name[1] <= '6' && name[2] == '\0')
			return HTML_PARA;
		if (strcmp(name, "hr") == 0)
			return HTML_PARA;
		if (strcmp(name, "head") == 0)
			return HTML_DROP;
		if (strcmp(name, "header") == 0)
			return HTML_BLOCK;
		break;
	case 'i':
		if (strcmp(name, "img") == 0)
			return HTML_IMG;
		if (strcmp(name, "iframe") == 0)
			return HTML_DROP;
		break;
	case 'l':
		if (strcmp(name, "li") == 0)
			return HTML_LI;
		if (strcmp(name, "legend") == 0)
			return HTML_BLOCK;
		break;
	case 'm':
		if (strcmp(name, "main") == 0)
			return HTML_BLOCK;
		if (strcmp(name, "menu") == 0)
			return HTML_LIST;
		if (strcmp(name, "math") == 0)
			return HTML_DROP;
		break;
	case 'n':
		if (strcmp(name, "noscript") == 0)
			return HTML_DROP;
		if (strcmp(name, "nav") == 0)
			return HTML_BLOCK;
		break;
	case 'o':
		if (strcmp(name, "ol") == 0)
			return HTML_LIST;
		if (strcmp(name, "object") == 0)
			return HTML_DROP;
		break;
	case 'p':
		if (name[1] == '\0')
			return HTML_P;
		if (strcmp(name, "pre") == 0)
			return HTML_PRE;
		break;
	case 's':
		if (strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
		    strcmp(name, "svg") == 0)
			return HTML_DROP;
		if (strcmp(name, "section") == 0 || strcmp(name, "summary") == 0)
			return HTML_BLOCK;
		break;
	case 't':
		if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
			return HTML_CELL;
		if (strcmp(name, "tr") == 0)
			return HTML_ROW;
		if (strcmp(name, "table") == 0)
			return HTML_BLOCK;
		if (strcmp(name, "title") == 0 || strcmp(name, "template") == 0)
			return HTML_DROP;
		break;
	case 'u':
		if (strcmp(name, "ul") == 0)
			return HTML_LIST;
		break;
	case 'x':
		/* Word's <xml> islands of document properties. */
		if (strcmp(name, "xml") == 0)
			return HTML_DROP;
		break;
	}
	return HTML_INLINE;
}

static int
html_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int
html_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Whether the declaration's value starts with want ("none !important"
 * counts); "0" is not the start of "0.5em" or "05px". */
static int
html_css_value(const char *v, size_t vlen, const char *want)
{
	size_t wlen = strlen(want), i;

	if (vlen < wlen)
		return 0;
	for (i = 0; i < wlen && html_lower((unsigned char)v[i]) == want[i]; i++)
		;
	return i == wlen && !(want[wlen - 1] >= '0' && want[wlen - 1] <= '9' &&
	    i < vlen && ((v[i] >= '0' && v[i] <= '9') || v[i] == '.'));
}

/* Whether the name of a declaration is prop, in any case. */
static int
html_css_name(const char *name, size_t nlen, const char *prop)
{
	return strlen(prop) == nlen && strncasecmp(name, prop, nlen) == 0;
}

/* Whether an inline style hides the element: display:none,
 * visibility:hidden, or max-height:0 with overflow:hidden.  One plain
 * pass over the declarations; the style is never parsed as CSS. */
static int
html_css_hidden(const char *style)
{
	const char *p = style, *name, *v;
	size_t nlen, vlen;
	int zero = 0, clip = 0;

	while (*p != '\0') {
		while (html_isspace((unsigned char)*p) || *p == ';' || *p == '"' ||
		    *p == '\'')
			p++;
		name = p;
		while (*p != '\0' && *p != ':' && *p != ';')
			p++;
		if (*p != ':')
			continue;
		for (nlen = (size_t)(p - name); nlen > 0 &&
		    html_isspace((unsigned char)name[nlen - 1]); nlen--)
			;
		for (p++; html_isspace((unsigned char)*p); p++)
			;
		for (v = p; *p != '\0' && *p != ';'; p++)
			;
		vlen = (size_t)(p - v);
		switch (html_lower((unsigned char)name[0])) {
		case 'd':
			if (html_css_name(name, nlen, "display") &&
			    html_css_value(v, vlen, "none"))
				return 1;
			break;
		case 'v':
			if (html_css_name(name, nlen, "visibility") &&
			    html_css_value(v, vlen, "hidden"))
				return 1;
			break;
		case 'm':
			if (html_css_name(name, nlen, "max-height"))
				zero = html_css_value(v, vlen, "0");
			break;
		case 'o':
			if (html_css_name(name, nlen, "overflow"))
				clip = html_css_value(v, vlen, "hidden");
			break;
		}
	}
	return zero && clip;
}

/* Whether the class attribute holds token as one of its words. */
static int
html_class_has(const char *cls, const char *token)
{
	size_t tlen = strlen(token);
	const char *p = cls, *word;

	while (*p != '\0') {
		while (html_isspace((unsigned char)*p))
			p++;
		word = p;
		while (*p != '\0' && !html_isspace((unsigned char)*p))
			p++;
		if ((size_t)(p - word) == tlen && strncmp(word, token, tlen) == 0)
			return 1;
	}
	return 0;
}

static void
html_attrs_read(const xmlChar **atts, struct html_attrs *at)
{
	const char *name, *value;

	memset(at, 0, sizeof(*at));
	for (; atts != NULL && atts[0] != NULL; atts += 2) {
		name = (const char *)atts[0];
		value = atts[1] != NULL ? (const char *)atts[1] : "";
		if (strcmp(name, "class") == 0)
			at->cls = value;
		else if (strcmp(name, "id") == 0)
			at->id = value;
		else if (strcmp(name, "style") == 0)
			at->style = value;
		else if (strcmp(name, "href") == 0)
			at->href = value;
		else if (strcmp(name, "alt") == 0)
			at->alt = value;
		else if (strcmp(name, "start") == 0)
			at->start = value;
		else if (strcmp(name, "hidden") == 0)
			at->hidden = 1;
	}
}

/* Elements whose content is quoted history that ends with the element. */
static int
html_is_quote(enum html_kind kind, const struct html_attrs *at)
{
	if (kind == HTML_QUOTE)
		return 1;
	if (at->cls == NULL)
		return 0;
	return html_class_has(at->cls, "gmail_quote") ||
	    html_class_has(at->cls, "yahoo_quoted") ||
	    html_class_has(at->cls, "protonmail_quote");
}

static int
html_is_hidden(const struct html_attrs *at)
{
	if (at->hidden)
		return 1;
	if (at->style == NULL)
		return 0;
	/* Not mso-hide:all alone: that hides from Outlook what other
	 * clients show, next to an Outlook-only copy in a comment we drop.
	 * Preheaders that avoid display:none (some clients strip it) hide
	 * with visibility or by a zero height that clips the overflow; not
	 * font-size:0, which layout cells set and their children undo. */
	return html_css_hidden(at->style);
}

/* A block boundary that wants n newlines (1: own line, 2: paragraph). */
static void
html_owe(struct html_walk *w, int n)
{
	if (!w->emitted || n == 0)
		return;		/* no leading blank lines */
	if (w->nbsp_line) {
		/* <p>&nbsp;</p> is how Outlook and Gmail write an empty line. */
		w->nbsp_line = 0;
		w->breaks = 2;
	}
	if (w->breaks < n)
		w->breaks = n;
}

/* A block boundary inside a cell that joins its row, before the cell's
 * text: the cell's <p> or <div> stays beside the cell before, as a
 * browser shows it. */
static void
html_owe_block(struct html_walk *w, int n)
{
	if (w->cell_lead)
		w->space = 1;
	else
		html_owe(w, n);
}

/* A cell starts.  Layout and data tables wrap cell text in p and div,
 * which would put every cell on a line of its own ("Total" and "$56.00"
 * a line apart): while the row so far is one short line, the blocks
 * that ended the cell before and that start this one owe a space. */
static void
html_cell(struct html_walk *w)
{
	w->space = 1;
	if (w->row_line != w->newlines || w->out->len - w->row_start > HTML_ROW_JOIN)
		return;
	w->breaks = 0;
	w->nbsp_line = 0;
	w->cell_lead = 1;
}

static int
html_prefix(struct html_walk *w, int depth, int text)
{
	static const char marks[HTML_QUOTES + 1] =
	    ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> ";

	if (depth <= 0)
		return 0;
	if (depth > HTML_QUOTES)
		depth = HTML_QUOTES;
	if (text)
		return buf_add(w->out, marks + HTML_QUOTES - depth, (size_t)depth + 1, w->e);
	return buf_add(w->out, marks, (size_t)depth, w->e);
}

/* Writes what is owed before text: newlines, quote marks, a list bullet,
 * or a space. */
static int
html_begin(struct html_walk *w)
{
	int bol = 0, depth;

	if (!w->emitted)
		bol = 1;
	else if (w->breaks > 0 || w->quote != w->line_quote) {
		if (buf_addch(w->out, '\n', w->e) == -1)
			return -1;
		w->newlines++;
		if (w->breaks > 1) {
			depth = w->quote < w->line_quote ? w->quote : w->line_quote;
			if (html_prefix(w, depth, 0) == -1 ||
			    buf_addch(w->out, '\n', w->e) == -1)
				return -1;
		}
		bol = 1;
	}
	if (bol) {
		if (html_prefix(w, w->quote, 1) == -1)
			return -1;
		if (w->bullet_len > 0 &&
		    buf_add(w->out, w->bullet, w->bullet_len, w->e) == -1)
			return -1;
		w->bullet_len = 0;
		w->line_quote = w->quote;
	} else if (w->space && buf_addch(w->out, ' ', w->e) == -1)
		return -1;
	w->breaks = 0;
	w->nbsp_line = 0;
	w->space = 0;
	w->emitted = 1;
	w->cell_lead = 0;
	if (w->row_line == HTML_NOROW) {
		w->row_line = w->newlines;
		w->row_start = w->out->len;
	}
	if (w->link) {
		if (w->link_start == HTML_NOLINK)
			w->link_start = w->out->len;
		if (!w->alt)
			w->link_words = 1;
	}
	return 0;
}

enum {
	HTML_CH_TEXT,
	HTML_CH_SPACE,
	HTML_CH_NBSP,
	HTML_CH_INVISIBLE	/* zero-width characters mailers pad preheaders with */
};

/* Classifies the character at p; *len is its length when not text. */
static int
html_char(const unsigned char *p, const unsigned char *end, size_t *len)
{
	*len = 1;
	switch (p[0]) {
	case ' ': case '\t': case '\n': case '\r': case '\f':
		return HTML_CH_SPACE;
	case 0xc2:
		if (end - p >= 2 && (p[1] == 0xa0 || p[1] == 0xad)) {
			*len = 2;	/* U+00A0 no-break space, U+00AD soft hyphen */
			return p[1] == 0xa0 ? HTML_CH_NBSP : HTML_CH_INVISIBLE;
		}
		break;
	case 0xcd:
		if (end - p >= 2 && p[1] == 0x8f) {
			*len = 2;	/* U+034F combining grapheme joiner */
			return HTML_CH_INVISIBLE;
		}
		break;
	case 0xe2:
		if (end - p < 3)
			break;
		if ((p[1] == 0x80 && (p[2] == 0x8b || p[2] == 0x8c)) ||
		    (p[1] == 0x81 && p[2] == 0xa0)) {
			*len = 3;	/* U+200B zero width space, U+200C ZWNJ, U+2060 word joiner */
			return HTML_CH_INVISIBLE;
		}
		if (p[1] == 0x80 && p[2] == 0x87) {
			*len = 3;	/* U+2007 figure space, preheader padding */
			return HTML_CH_SPACE;
		}
		break;
	case 0xef:
		if (end - p >= 3 && p[1] == 0xbb && p[2] == 0xbf) {
			*len = 3;	/* U+FEFF byte order mark */
			return HTML_CH_INVISIBLE;
		}
		break;
	}
	return HTML_CH_TEXT;
}

/* Text outside pre: runs of whitespace become one space. */
static int
html_text(struct html_walk *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *q;
	size_t n;
	int c;

	while (p < end) {
		c = html_char(p, end, &n);
		if (c != HTML_CH_TEXT) {
			if (c == HTML_CH_SPACE)
				w->space = 1;
			else if (c == HTML_CH_NBSP) {
				if (w->emitted && w->breaks > 0)
					w->nbsp_line = 1;
				else
					w->space = 1;
			}
			p += n;
			continue;
		}
		for (q = p + 1; q < end; q++) {
			/* Only these bytes can start a character html_char
			 * treats specially; everything else is text. */
			if (*q <= ' ' || *q == 0xc2 || *q == 0xcd ||
			    *q == 0xe2 || *q == 0xef) {
				if (html_char(q, end, &n) != HTML_CH_TEXT)
					break;
			}
		}
		if (html_begin(w) == -1 ||
		    buf_add(w->out, p, (size_t)(q - p), w->e) == -1)
			return -1;
		p = q;
	}
	return 0;
}

/* Text inside pre: lines kept, trailing blanks of each line dropped.  A
 * chunk may end mid-line (libxml2 splits text at entities), so blanks at
 * its end wait in pre_blank until the line goes on or ends. */
static int
html_pre_text(struct html_walk *w, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *nl, *e;
	size_t n;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		for (e = nl; e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
			;
		if (e > p) {
			if (html_begin(w) == -1 ||
			    buf_add(w->out, w->pre_blank, w->pre_blank_len, w->e) == -1 ||
			    buf_add(w->out, p, (size_t)(e - p), w->e) == -1)
				return -1;
			w->pre_blank_len = 0;
		}
		if (nl < end) {
			w->pre_blank_len = 0;
			if (w->emitted && w->breaks < 2)
				w->breaks++;
		} else {
			n = (size_t)(nl - e);
			if (n > sizeof(w->pre_blank) - w->pre_blank_len)
				n = sizeof(w->pre_blank) - w->pre_blank_len;
			memcpy(w->pre_blank + w->pre_blank_len, e, n);
			w->pre_blank_len += n;
		}
		p = nl + 1;
	}
	return 0;
}

static int
html_strip_scheme(const char **s, size_t *len)
{
	static const char *const schemes[] = { "https://", "http://", "mailto:" };
	size_t i, l;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		l = strlen(schemes[i]);
		if (*len >= l && strncasecmp(*s, schemes[i], l) == 0) {
			*s += l;
			*len -= l;
			return 1;
		}
	}
	return 0;
}

/* "example.com" and "https://example.com/" name the same place. */
static int
html_same_url(const char *text, size_t tlen, const char *url, size_t ulen)
{
	(void)html_strip_scheme(&text, &tlen);	/* either side may lack one */
	(void)html_strip_scheme(&url, &ulen);
	while (tlen > 0 && text[tlen - 1] == '/')
		tlen--;
	while (ulen > 0 && url[ulen - 1] == '/')
		ulen--;
	return tlen == ulen && strncasecmp(text, url, tlen) == 0;
}

/* The host of "https://www.example.com:8080/x" or "example.com/x",
 * without "www.": *len bytes at the result. */
static const char *
html_url_host(const char *url, size_t ulen, size_t *len)
{
	size_t i;

	(void)html_strip_scheme(&url, &ulen);	/* either side may lack one */
	if (ulen >= 4 && strncasecmp(url, "www.", 4) == 0) {
		url += 4;
		ulen -= 4;
	}
	for (i = 0; i < ulen && url[i] != '/' && url[i] != '?' && url[i] != '#' &&
	    url[i] != ':'; i++)
		;
	*len = i;
	return url;
}

/* Whether a target adds nothing to link text that is an address itself
 * ("www.example.com", "https://example.com/help"): it goes elsewhere
 * (a click tracker's redirect), or to the text plus tracking parameters.
 * Another page of the same site ("www.example.com" for
 * "https://www.example.com/bands/") is worth writing. */
static int
html_url_redundant(const char *text, size_t tlen, const char *url, size_t ulen)
{
	const char *th, *uh, *rest;
	size_t thlen, uhlen, i, rlen;

	if (!((tlen > 7 && strncasecmp(text, "http://", 7) == 0) ||
	    (tlen > 8 && strncasecmp(text, "https://", 8) == 0) ||
	    (tlen > 4 && strncasecmp(text, "www.", 4) == 0)))
		return 0;
	for (i = 0; i < tlen; i++)
		if (html_isspace((unsigned char)text[i]))
			return 0;
	th = html_url_host(text, tlen, &thlen);
	uh = html_url_host(url, ulen, &uhlen);
	if (thlen != uhlen || strncasecmp(th, uh, thlen) != 0)
		return 1;
	(void)html_strip_scheme(&text, &tlen);
	(void)html_strip_scheme(&url, &ulen);
	if (ulen < tlen || strncasecmp(text, url, tlen) != 0)
		return 0;
	rest = url + tlen;
	rlen = ulen - tlen;
	if (rlen > 0 && rest[0] == '/') {
		rest++;
		rlen--;
	}
	return rlen == 0 || rest[0] == '?' || rest[0] == '&' || rest[0] == '#';
}

static int
html_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = html_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Bytes that end an address in a mailto: target or in text. */
static int
html_addr_end(int c)
{
	return c <= ' ' || strchr("<>()[]\",;:'?", c) != NULL;
}

/* A mailto: target as the address it names ("a%40b.com?subject=x" is
 * "a@b.com", the first of a list) into addr; 0 when it names none. */
static size_t
html_mailto(const char *url, size_t ulen, char *addr, size_t addrsize)
{
	size_t i, n = 0;
	int c, hi, lo, at = 0;

	for (i = 0; i < ulen; i++) {
		c = (unsigned char)url[i];
		if (c == '%' && i + 2 < ulen && (hi = html_hex((unsigned char)url[i + 1])) >= 0 &&
		    (lo = html_hex((unsigned char)url[i + 2])) >= 0) {
			c = hi * 16 + lo;
			i += 2;
		}
		if (html_addr_end(c) || c == 0x7f)
			break;
		if (n + 1 >= addrsize)
			return 0;
		at |= c == '@';
		addr[n++] = (char)c;
	}
	return at ? n : 0;	/* "mailto:%email%" of a template names none */
}

/* Whether the text shows the address: as a word of its own, in "<a@b>",
 * "(a@b)", "[mailto:a@b]" or at the end of a sentence. */
static int
html_text_has_addr(const char *text, size_t tlen, const char *addr, size_t alen)
{
	size_t i = 0, start, len;

	while (i < tlen) {
		while (i < tlen && html_addr_end((unsigned char)text[i]))
			i++;
		start = i;
		while (i < tlen && !html_addr_end((unsigned char)text[i]))
			i++;
		len = i - start;
		if (len == alen + 1 && text[i - 1] == '.')
			len--;		/* "a@b.com." ends a sentence */
		if (len == alen && strncasecmp(text + start, addr, alen) == 0)
			return 1;
	}
	return 0;
}

/* Whether a tel: number is the one the text shows: the same digits, or
 * the text's national form ("030 123" for "+4930123") at their end. */
static int
html_same_tel(const char *text, size_t tlen, const char *num, size_t nlen)
{
	size_t t = tlen, n = nlen, digits = 0;

	for (;;) {
		while (t > 0 && !(text[t - 1] >= '0' && text[t - 1] <= '9'))
			t--;
		while (n > 0 && !(num[n - 1] >= '0' && num[n - 1] <= '9'))
			n--;
		if (t == 0 || n == 0 || text[t - 1] != num[n - 1])
			break;
		t--;
		n--;
		digits++;
	}
	/* All the text's digits matched but a trunk prefix 0. */
	while (t > 0 && !(text[t - 1] >= '1' && text[t - 1] <= '9'))
		t--;
	return digits > 0 && t == 0;
}

/* At </a>: the target after the text, unless it adds nothing: no text
 * but image alt text (logos, social icons, banners), a target that is
 * the text, or text that is an address itself (see html_url_redundant).
 * mailto: and tel: write the address or number, when the text does not
 * show it already. */
static int
html_link_end(struct html_walk *w)
{
	const char *url = w->href.buf != NULL ? w->href.buf : "", *end, *p, *run;
	const char *text;
	char addr[256];
	size_t ulen, tlen, i;

	if (w->link_start == HTML_NOLINK || !w->link_words)
		return 0;
	while (html_isspace((unsigned char)*url))
		url++;
	ulen = strlen(url);
	while (ulen > 0 && html_isspace((unsigned char)url[ulen - 1]))
		ulen--;
	if (ulen == 0 || url[0] == '#' ||
	    (ulen >= 11 && strncasecmp(url, "javascript:", 11) == 0))
		return 0;
	text = w->out->buf + w->link_start;
	tlen = w->out->len - w->link_start;
	while (tlen > 0 && html_isspace((unsigned char)*text)) {
		text++;		/* the blanks a pre held back */
		tlen--;
	}
	if (ulen >= 7 && strncasecmp(url, "mailto:", 7) == 0) {
		ulen = html_mailto(url + 7, ulen - 7, addr, sizeof(addr));
		if (ulen == 0 || html_text_has_addr(text, tlen, addr, ulen))
			return 0;
		url = addr;
	} else if (ulen >= 4 && strncasecmp(url, "tel:", 4) == 0) {
		url += 4;
		for (i = 0; i < ulen - 4 && strchr(";,%?", url[i]) == NULL; i++)
			;	/* not the extension, PIN or pauses */
		ulen = i;
		if (ulen == 0 || html_same_tel(text, tlen, url, ulen))
			return 0;
	} else if (html_same_url(text, tlen, url, ulen) ||
	    html_url_redundant(text, tlen, url, ulen))
		return 0;
	if (buf_add(w->out, " <", 2, w->e) == -1)
		return -1;
	/* Whitespace in a URL is a mistake a browser encodes; written as is,
	 * a newline would break the lines (and quote marks) of the output. */
	end = url + ulen;
	for (p = run = url; p <= end; p++) {
		if (p < end && !html_isspace((unsigned char)*p))
			continue;
		if (p > run && buf_add(w->out, run, (size_t)(p - run), w->e) == -1)
			return -1;
		if (p < end && buf_add(w->out, "%20", 3, w->e) == -1)
			return -1;
		run = p + 1;
	}
	return buf_addch(w->out, '>', w->e);
}

static int
html_img(struct html_walk *w, const char *alt)
{
	const char *end;
	int ret;

	if (alt == NULL)
		return 0;
	while (html_isspace((unsigned char)*alt))
		alt++;
	end = alt + strlen(alt);
	while (end > alt && html_isspace((unsigned char)end[-1]))
		end--;
	if (end == alt)
		return 0;	/* spacers and tracking pixels */
	/* Icons in a row ("[Facebook][Twitter]") have no space between. */
	if (w->out->len > 0 && w->out->buf[w->out->len - 1] == ']')
		w->space = 1;
	w->alt = 1;
	ret = html_text(w, "[", 1) == -1 || html_text(w, alt, (size_t)(end - alt)) == -1 ||
	    html_text(w, "]", 1) == -1 ? -1 : 0;
	w->alt = 0;
	return ret;
}

static void
html_li(struct html_walk *w)
{
	struct html_list *l;
	size_t indent = 0, i;
	int level = w->lists < HTML_LISTS ? w->lists : HTML_LISTS;
	int n;

	html_owe(w, 1);
	if (level > 1)
		indent = 2 * (size_t)(level - 1);
	for (i = 0; i < indent; i++)
		w->bullet[i] = ' ';
	l = level > 0 ? &w->list[level - 1] : NULL;
	if (l != NULL && l->ordered)
		n = snprintf(w->bullet + indent, sizeof(w->bullet) - indent, "%ld. ",
		    l->next++);
	else
		n = snprintf(w->bullet + indent, sizeof(w->bullet) - indent, "- ");
	if (n < 0 || (size_t)n >= sizeof(w->bullet) - indent)
		n = 0;		/* cannot happen: a long fits */
	w->bullet_len = indent + (size_t)n;
}

static void
html_list_open(struct html_walk *w, const char *name, const struct html_attrs *at)
{
	struct html_list *l;
	char *end;
	long start = 1;

	html_owe(w, w->lists > 0 ? 1 : 2);
	if (w->lists < HTML_LISTS) {
		l = &w->list[w->lists];
		l->ordered = strcmp(name, "ol") == 0;
		if (at->start != NULL) {
			start = strtol(at->start, &end, 10);
			if (end == at->start || start < -999999 || start > 999999)
				start = 1;	/* garbage: count from 1 as browsers do */
		}
		l->next = start;
	}
	w->lists++;
}

/* Stops the parse for good: out is full, or the nesting too deep. */
static void
html_stop(struct html_walk *w, int failed)
{
	if (failed)
		w->failed = 1;
	xmlStopParser(w->ctxt);
}

/* Writes a "<" held back by html_sax_chars, now known to be text. */
static int
html_flush_lt(struct html_walk *w)
{
	if (!w->lt)
		return 0;
	w->lt = 0;
	return html_text(w, "<", 1);
}

/* What the start of an element does to the text. */
static int
html_start(struct html_walk *w, const char *name, const struct html_attrs *at,
    enum html_kind kind, struct html_open *o)
{
	if (at->id != NULL && !w->quote_rest && (strcmp(at->id, "divRplyFwdMsg") == 0 ||
	    strcmp(at->id, "appendonsend") == 0)) {
		/* Outlook puts the original message after these, not inside. */
		w->quote_rest = 1;
		w->quote++;
		html_owe(w, 1);
	}
	if (html_is_quote(kind, at)) {
		html_owe(w, 1);
		w->quote++;
		o->flags |= HTML_OPEN_QUOTE;
	}
	switch (kind) {
	case HTML_BR:
		if (!w->emitted)
			break;
		if (w->nbsp_line) {
			w->nbsp_line = 0;
			w->breaks = 2;
		} else if (w->breaks < 2)
			w->breaks++;
		break;
	case HTML_BLOCK:
		html_owe_block(w, 1);
		break;
	case HTML_ROW:
		html_owe_block(w, 1);
		w->row_line = HTML_NOROW;
		break;
	case HTML_PARA:
		html_owe_block(w, 2);
		break;
	case HTML_P:
		/* Word's paragraphs (class MsoNormal...) have no margins. */
		if (at->cls != NULL && strncmp(at->cls, "Mso", 3) == 0)
			o->flags |= HTML_OPEN_LINE;
		html_owe_block(w, o->flags & HTML_OPEN_LINE ? 1 : 2);
		break;
	case HTML_LIST:
		html_list_open(w, name, at);
		break;
	case HTML_LI:
		html_li(w);
		break;
	case HTML_PRE:
		html_owe(w, 2);
		w->pre++;
		break;
	case HTML_A:
		/* Links do not nest; libxml2 closes an open one first. */
		if (!w->link && at->href != NULL) {
			buf_reset(&w->href);
			if (buf_addstr(&w->href, at->href, NULL) == 0) {
				w->link = 1;
				w->link_words = 0;
				w->link_start = HTML_NOLINK;
				o->flags |= HTML_OPEN_LINK;
			}	/* else too long to be worth writing */
		}
		break;
	case HTML_IMG:
		return html_img(w, at->alt);
	case HTML_CELL:
		html_cell(w);
		break;
	case HTML_QUOTE:
	case HTML_INLINE:
	case HTML_DROP:
		break;
	}
	return 0;
}

/* What the end of an element does, from what its start recorded. */
static int
html_end(struct html_walk *w, const struct html_open *o)
{
	switch ((enum html_kind)o->kind) {
	case HTML_BLOCK:
		html_owe_block(w, 1);
		break;
	case HTML_ROW:
		w->cell_lead = 0;
		w->row_line = HTML_NOROW;
		html_owe(w, 1);
		break;
	case HTML_PARA:
		html_owe_block(w, 2);
		break;
	case HTML_P:
		html_owe_block(w, o->flags & HTML_OPEN_LINE ? 1 : 2);
		break;
	case HTML_LIST:
		w->lists--;
		html_owe(w, w->lists > 0 ? 1 : 2);
		break;
	case HTML_LI:
		html_owe(w, 1);
		w->bullet_len = 0;	/* an empty item owes no bullet to what follows */
		break;
	case HTML_PRE:
		w->pre--;
		w->pre_blank_len = 0;
		html_owe(w, 2);
		break;
	case HTML_A:
		if (o->flags & HTML_OPEN_LINK) {
			w->link = 0;
			if (html_link_end(w) == -1)
				return -1;
		}
		break;
	case HTML_CELL:
		w->space = 1;
		w->cell_lead = 0;
		break;
	case HTML_QUOTE:
	case HTML_INLINE:
	case HTML_DROP:
	case HTML_BR:
	case HTML_IMG:
		break;
	}
	if (o->flags & HTML_OPEN_QUOTE) {
		w->quote--;
		html_owe(w, 1);
	}
	return 0;
}

static void
html_sax_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct html_walk *w = ctx;
	const char *name = (const char *)xname;
	struct html_attrs at;
	struct html_open *o;
	enum html_kind kind;

	if (w->failed)
		return;
	if (w->depth >= HTML_DEPTH) {
		/* libxml2 closes tags by scanning the open ones: past this
		 * depth that grows quadratic, so stop as its tree builder does. */
		w->excess++;
		html_stop(w, 0);
		return;
	}
	o = &w->open[w->depth++];
	o->kind = HTML_DROP;
	o->flags = 0;
	if (w->skip > 0)
		return;
	if (html_flush_lt(w) == -1) {
		html_stop(w, 1);
		return;
	}
	kind = html_kind(name);
	html_attrs_read(atts, &at);
	/* Word's <o:p> and friends: a namespace prefix, never a block. */
	if (strchr(name, ':') != NULL)
		kind = HTML_INLINE;
	if (kind == HTML_DROP || html_is_hidden(&at)) {
		w->skip = w->depth;
		return;
	}
	o->kind = (unsigned char)kind;
	if (html_start(w, name, &at, kind, o) == -1)
		html_stop(w, 1);
}

static void
html_sax_end(void *ctx, const xmlChar *name)
{
	struct html_walk *w = ctx;
	struct html_open *o;

	(void)name;		/* libxml2 pairs every end with its start */
	if (w->excess > 0) {
		w->excess--;
		return;
	}
	if (w->depth == 0)
		return;
	o = &w->open[--w->depth];
	if (w->skip > 0) {
		if (w->skip == w->depth + 1)
			w->skip = 0;
		return;
	}
	if (w->failed)
		return;
	if (html_flush_lt(w) == -1 || html_end(w, o) == -1)
		html_stop(w, 1);
}

static void
html_sax_chars(void *ctx, const xmlChar *ch, int len)
{
	struct html_walk *w = ctx;
	const char *s = (const char *)ch, *end, *p;

	if (w->failed || w->skip > 0 || len <= 0)
		return;
	end = s + len;
	/* libxml2 hands over what HTML calls a bogus comment, "<!" up to the
	 * next ">" (Outlook's "<![if !supportLists]>", "<!VR>" of old mail
	 * merge templates, "aff<!x>iliate" of spam), as text: the "<" in a
	 * chunk of its own and the rest whole in the next.  Hold a trailing
	 * "<" back until that chunk shows whether "!...>" follows; browsers
	 * show none of it.  "&lt;!x&gt;" typed by a customer stays text: its
	 * ">" comes in a chunk of its own. */
	if (w->lt) {
		w->lt = 0;
		p = NULL;
		if (end - s >= 2 && s[0] == '!')
			p = memchr(s + 1, '>', (size_t)(end - s - 1));
		if (p != NULL)
			s = p + 1;
		else if (html_text(w, "<", 1) == -1) {
			html_stop(w, 1);
			return;
		}
	}
	if (s < end && !w->pre && end[-1] == '<') {
		w->lt = 1;
		end--;
	}
	if (s == end)
		return;
	if ((w->pre > 0 ? html_pre_text(w, s, (size_t)(end - s)) :
	    html_text(w, s, (size_t)(end - s))) == -1)
		html_stop(w, 1);
}

int
html_to_text(const char *html, size_t len, struct buf *out, struct err *e)
{
	xmlCharEncodingHandlerPtr utf8;
	htmlParserCtxtPtr ctxt;
	htmlSAXHandler sax;
	struct html_walk walk, *w = &walk;
	struct xmlerr said;

	if (len == 0)
		return 0;
	if (len > INT_MAX)
		return err_set(e, ERR_DATA, "HTML part of %zu bytes is too large", len);
	if ((ctxt = htmlCreateMemoryParserCtxt(html, (int)len)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory converting HTML");
	memset(&sax, 0, sizeof(sax));
	sax.startElement = html_sax_start;
	sax.endElement = html_sax_end;
	sax.characters = html_sax_chars;
	sax.ignorableWhitespace = html_sax_chars;
	sax.initialized = 1;	/* SAX1 callbacks: no namespace processing */
	memcpy(ctxt->sax, &sax, sizeof(sax));
	ctxt->userData = w;
	/* NOERROR and NOWARNING leave the error callbacks NULL.
	 * The return value lists options it did not know; all are known. */
	(void)htmlCtxtUseOptions(ctxt, HTML_OPTIONS);
	/* The MIME layer has converted the part to UTF-8 already, so a
	 * <meta charset> in it is stale; an encoder set here makes libxml2
	 * ignore it. */
	if ((utf8 = xmlFindCharEncodingHandler("UTF-8")) != NULL)
		(void)xmlSwitchToEncoding(ctxt, utf8);	/* fails only on OOM; the parse then fails too */

	memset(w, 0, sizeof(*w));
	w->out = out;
	w->e = e;
	w->ctxt = ctxt;
	w->link_start = HTML_NOLINK;
	w->row_line = HTML_NOROW;
	buf_init(&w->href, HTML_HREF_MAX);
	/* Errors are recovered from, not reported: the input is UTF-8
	 * already, so all libxml2 can say is about the tag soup. */
	xmlerr_begin(&said, NULL);
	(void)htmlParseDocument(ctxt);
	xmlerr_end(&said);
	if (!w->failed && html_flush_lt(w) == -1)
		w->failed = 1;
	if (!w->failed && w->emitted && buf_addch(out, '\n', e) == -1)
		w->failed = 1;
	buf_release(&w->href);
	htmlFreeParserCtxt(ctxt);
	return w->failed ? -1 : 0;
}
