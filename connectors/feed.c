/* feed.c -- the feed connector; see feed.h for what an entry becomes.
 *
 * One poll is one conditional GET and, on a 200, one parse into a libxml2
 * tree (feeds are small; FEED_MAX bounds them), a walk over the entries in
 * reverse document order (feeds list the newest first) and one commit
 * with the new validators. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/utf8.h"
#include "common/util.h"
#include "connectors/connector.h"
#include "connectors/feed.h"
#include "connectors/http.h"
#include "connectors/social.h"
#include "intake/charset.h"
#include "intake/date.h"
#include "intake/html.h"
#include "intake/intake.h"
#include "intake/xmlerr.h"
#include "intake/message.h"
#include "rules/conf.h"
#include "store/store.h"

#define NS_ATOM		"http://www.w3.org/2005/Atom"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_ATOM03	"http://purl.org/atom/ns#"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define NS_RDF		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RSS090	"http://my.netscape.com/rdf/simple/0.9/"
#define NS_RSS10	"http://purl.org/rss/1.0/"

/* Parser options: no network, no DTD loading or defaults, no entity
 * substitution (the absence of XML_PARSE_NOENT and _DTDLOAD), quiet. */
#define FEED_XML_OPTIONS \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

#define FEED_WARN_EVERY	3600	/* seconds before the same warning is logged again */

enum feed_format { FORMAT_RSS, FORMAT_ATOM, FORMAT_ATOM03 };

struct feed {
	const struct conf_channel *ch;
	struct http	*http;
	struct intake	*in;
	char		 host[256];
	struct buf	 text;		/* scratch: one entry's text */
	struct buf	 tmp;		/* scratch: an element's text */
	struct buf	 src;		/* the body as handed to the parser */
	char		 note[400];	/* what every entry of this poll is warned of */
	char		 logged[400];	/* the note last logged, see feed_warn */
	time_t		 logged_at;
	/* The document being read (take_doc), for its entries. */
	enum feed_format format;
	const char	*ns;		/* of the entry's elements: Atom's, RSS 1.0's, NULL */
	xmlNode		*root;
};

/* ---- tree helpers ---------------------------------------------------- */

static int
is(const xmlNode *n, const char *name, const char *ns)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)n->name, name) != 0)
		return 0;
	if (ns == NULL)
		return n->ns == NULL || n->ns->href == NULL;
	return n->ns != NULL && n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0;
}

static xmlNode *
child(const xmlNode *n, const char *name, const char *ns)
{
	xmlNode *c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (is(c, name, ns))
			return c;
	return NULL;
}

static const char *
attr(const xmlNode *n, const char *name)
{
	xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children != NULL &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

/* The UTF-8 of an HTML entity's code point into out (4 bytes); its
 * length, 0 for none that XML text may hold. */
static size_t
entity_utf8(unsigned int c, char *out)
{
	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return utf8_put(c, out);
}

/* The text and CDATA under n, appended to b.  An entity reference (an
 * undeclared one the parser kept, as behind an external DTD it did not
 * load) is read as the HTML entity of that name, else skipped. */
static int
text_of(const xmlNode *n, struct buf *b, struct err *e)
{
	const xmlNode *c;
	const htmlEntityDesc *ent;
	char u[4];
	size_t ulen;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL) {
			if (buf_addstr(b, (const char *)c->content, e) == -1)
				return -1;
		} else if (c->type == XML_ENTITY_REF_NODE && c->name != NULL) {
			if ((ent = htmlEntityLookup(c->name)) != NULL &&
			    (ulen = entity_utf8(ent->value, u)) > 0 && buf_add(b, u, ulen, e) == -1)
				return -1;
		} else if (c->type == XML_ELEMENT_NODE && text_of(c, b, e) == -1)
			return -1;
	}
	return 0;
}

/* The trimmed text of child name of n into f->tmp; "" if absent. */
static const char *
child_text(struct feed *f, const xmlNode *n, const char *name, const char *ns,
    struct err *e)
{
	size_t i = 0, len;

	buf_reset(&f->tmp);
	if (text_of(child(n, name, ns), &f->tmp, e) == -1 || buf_addstr(&f->tmp, "", e) == -1)
		return NULL;
	while (f->tmp.buf[i] == ' ' || f->tmp.buf[i] == '\n' || f->tmp.buf[i] == '\t' ||
	    f->tmp.buf[i] == '\r')
		i++;
	len = strlen(f->tmp.buf + i);
	while (len > 0 && strchr(" \n\t\r", f->tmp.buf[i + len - 1]) != NULL)
		len--;
	f->tmp.buf[i + len] = '\0';
	return f->tmp.buf + i;
}

/* How a text construct is to be read. */
enum body_kind { BODY_NONE, BODY_TEXT, BODY_HTML, BODY_XHTML };

static enum body_kind
body_kind(const struct feed *f, const xmlNode *el)
{
	const char *type = attr(el, "type"), *mode = attr(el, "mode");

	if (f->format == FORMAT_RSS) {
		/* HTML, escaped or in CDATA; some feeds put the markup
		 * itself into the description, unescaped. */
		for (el = el->children; el != NULL; el = el->next)
			if (el->type == XML_ELEMENT_NODE)
				return BODY_XHTML;
		return BODY_HTML;
	}
	if (attr(el, "src") != NULL)
		return BODY_NONE;	/* out of line: nothing to read here */
	if (f->format == FORMAT_ATOM03) {
		/* A media type, and a mode (xml by default, escaped, base64). */
		if (mode != NULL && strcmp(mode, "base64") == 0)
			return BODY_NONE;
		if (type != NULL && strstr(type, "html") != NULL)
			return mode != NULL && strcmp(mode, "escaped") == 0 ? BODY_HTML : BODY_XHTML;
		return BODY_TEXT;
	}
	/* Atom 1.0: text, html, xhtml, or a media type. */
	if (type == NULL || strcmp(type, "text") == 0 || strcmp(type, "text/plain") == 0)
		return BODY_TEXT;
	if (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0)
		return BODY_HTML;
	if (strcmp(type, "xhtml") == 0 || strcmp(type, "application/xhtml+xml") == 0)
		return BODY_XHTML;
	return strncmp(type, "text/", 5) == 0 ? BODY_TEXT : BODY_NONE;
}

/* The body of el (its kind by body_kind) as text, appended to f->text. */
static int
body_text(struct feed *f, const xmlNode *el, struct err *e)
{
	xmlBufferPtr xb;
	const xmlNode *c;
	int r;

	switch (body_kind(f, el)) {
	case BODY_NONE:
		return 0;
	case BODY_TEXT:
		buf_reset(&f->tmp);
		if (text_of(el, &f->tmp, e) == -1)
			return -1;
		return f->tmp.len > 0 ? buf_add(&f->text, f->tmp.buf, f->tmp.len, e) : 0;
	case BODY_XHTML:
		/* Markup in the tree: serialize it for the HTML converter. */
		if ((xb = xmlBufferCreate()) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		for (c = el->children; c != NULL; c = c->next)
			if (xmlNodeDump(xb, c->doc, (xmlNode *)c, 0, 0) == -1)
				break;
		r = html_to_text((const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb),
		    &f->text, e);
		xmlBufferFree(xb);
		return r;
	case BODY_HTML:
		break;
	}
	/* Escaped or CDATA HTML as text content. */
	buf_reset(&f->tmp);
	if (text_of(el, &f->tmp, e) == -1)
		return -1;
	return f->tmp.len > 0 ? html_to_text(f->tmp.buf, f->tmp.len, &f->text, e) : 0;
}

/* ---- parsing --------------------------------------------------------- */

/* 1 if the body is in UTF-16 or UTF-32 (a BOM, or NULs among the first
 * bytes): the byte-wise rewriting below would break it. */
static int
wide(const unsigned char *p, size_t len)
{
	size_t i;

	if (len >= 2 && ((p[0] == 0xfe && p[1] == 0xff) || (p[0] == 0xff && p[1] == 0xfe)))
		return 1;
	for (i = 0; i < len && i < 4; i++)
		if (p[i] == 0)
			return 1;
	return 0;
}

static int
hexdigit(int c)
{
	return ascii_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The length of the entity or character reference at p[0] == '&'
 * ("&name;", its name into name; "&#...;", name ""), 0 if none starts
 * there. */
static size_t
reference(const unsigned char *p, size_t len, char *name, size_t namelen)
{
	size_t n = 1;

	name[0] = '\0';
	if (n < len && p[n] == '#') {
		n++;
		if (n < len && (p[n] == 'x' || p[n] == 'X'))
			for (n++; n < len && n < 12 && hexdigit(p[n]); n++)
				;
		else
			for (; n < len && n < 12 && ascii_isdigit(p[n]); n++)
				;
		return n < len && p[n] == ';' && hexdigit(p[n - 1]) ? n + 1 : 0;
	}
	if (n >= len || !ascii_isalpha(p[n]))
		return 0;
	for (; n < len && n < namelen && (ascii_isalpha(p[n]) || ascii_isdigit(p[n])); n++)
		;
	if (n >= len || n >= namelen || p[n] != ';')
		return 0;
	memcpy(name, p + 1, n - 1);
	name[n - 1] = '\0';
	return n + 1;
}

/* The body as the parser gets it, into f->src, with what feeds commonly
 * get wrong and XML does not forgive mended the way browsers mend it:
 * white space before the XML declaration (after a UTF-8 BOM) dropped;
 * HTML entity references ("&nbsp;", "&eacute;"), used without a
 * declaration, as character references; any other "&" that starts no
 * reference (a bare "fish & chips", "&foo;") as "&amp;"; control
 * characters XML forbids dropped.  CDATA sections and comments are
 * copied as they are.  Nothing is expanded: references stay references. */
static int
feed_source(struct feed *f, const char *body, size_t len, struct err *e)
{
	const unsigned char *p = (const unsigned char *)body;
	const htmlEntityDesc *ent;
	const char *end;
	char name[16], ref[16];
	size_t i = 0, j, n;

	buf_reset(&f->src);
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		if (buf_add(&f->src, body, 3, e) == -1)
			return -1;
		i = 3;
	}
	if (wide(p + i, len - i))
		return buf_add(&f->src, body + i, len - i, e);
	for (j = i; j < len && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r' || p[j] == '\n'); j++)
		;
	if (j + 5 <= len && memcmp(body + j, "<?xml", 5) == 0)
		i = j;
	for (; i < len; i = j) {
		for (j = i; j < len && p[j] != '&' && p[j] != '<' &&
		    (p[j] >= 0x20 || p[j] == '\t' || p[j] == '\n' || p[j] == '\r'); j++)
			;
		if (buf_add(&f->src, body + i, j - i, e) == -1)
			return -1;
		if (j == len)
			break;
		if (p[j] == '<') {
			end = NULL;
			if (len - j >= 9 && memcmp(body + j, "<![CDATA[", 9) == 0)
				end = memmem(body + j + 9, len - j - 9, "]]>", 3);
			else if (len - j >= 4 && memcmp(body + j, "<!--", 4) == 0)
				end = memmem(body + j + 4, len - j - 4, "-->", 3);
			i = j;
			j = end != NULL ? (size_t)(end - body) + 3 : j + 1;
			if (buf_add(&f->src, body + i, j - i, e) == -1)
				return -1;
			continue;
		}
		if (p[j] != '&') {		/* a control character */
			j++;
			continue;
		}
		if ((n = reference(p + j, len - j, name, sizeof(name))) == 0) {
			if (buf_addstr(&f->src, "&amp;", e) == -1)
				return -1;
			j++;
			continue;
		}
		ent = NULL;
		if (name[0] != '\0' && strcmp(name, "amp") != 0 && strcmp(name, "lt") != 0 &&
		    strcmp(name, "gt") != 0 && strcmp(name, "quot") != 0 &&
		    strcmp(name, "apos") != 0) {
			if ((ent = htmlEntityLookup((const xmlChar *)name)) != NULL)
				(void)snprintf(ref, sizeof(ref), "&#%u;", ent->value);
			else
				(void)snprintf(ref, sizeof(ref), "&amp;");
			if (buf_addstr(&f->src, ref, e) == -1)
				return -1;
			j += ent != NULL ? n : 1;
		} else {
			if (buf_add(&f->src, body + j, n, e) == -1)
				return -1;
			j += n;
		}
	}
	return 0;
}

/* The charset parameter of a Content-Type into out ("" if none). */
static void
content_charset(const char *type, char *out, size_t len)
{
	const char *p;
	size_t n;

	out[0] = '\0';
	for (p = strchr(type, ';'); p != NULL; p = strchr(p + 1, ';')) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "charset", 7) != 0)
			continue;
		p += 7;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '=')
			continue;
		while (*p == ' ' || *p == '\t' || *p == '"' || *p == '\'')
			p++;
		n = strcspn(p, " \t\"';");
		if (n > 0 && n < len) {
			memcpy(out, p, n);
			out[n] = '\0';
		}
		return;
	}
}

/* 1 if the document names its own encoding: a BOM, or an XML
 * declaration with encoding="...". */
static int
declares_encoding(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *end;

	if (wide(p, len) || (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf))
		return 1;
	if (len < 5 || memcmp(s, "<?xml", 5) != 0 ||
	    (end = memmem(s, len < 200 ? len : 200, "?>", 2)) == NULL)
		return 0;
	return memmem(s, (size_t)(end - s), "encoding", 8) != NULL;
}

/* b as a tree (caller frees), or NULL with what libxml2 said in *first. */
static xmlDoc *
xml_read(const struct buf *b, const char *url, const char *enc, int options,
    struct xmlerr *first)
{
	xmlParserCtxt *ctxt;
	xmlDoc *doc;

	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		memset(first, 0, sizeof(*first));
		(void)snprintf(first->msg, sizeof(first->msg), "out of memory");
		return NULL;
	}
	xmlerr_begin(first, ctxt);
	doc = xmlCtxtReadMemory(ctxt, b->buf != NULL ? b->buf : "", (int)b->len, url, enc,
	    options);
	xmlerr_end(first);
	xmlFreeParserCtxt(ctxt);
	if (doc == NULL && first->msg[0] == '\0')
		(void)snprintf(first->msg, sizeof(first->msg), "%s",
		    b->len == 0 ? "the document is empty" : "unreadable");
	return doc;
}

/* The first error as "at line N: message" into out. */
static void
xml_why(const struct xmlerr *first, char *out, size_t len)
{
	if (first->line > 0)
		(void)snprintf(out, len, "at line %d: %s", first->line, first->msg);
	else
		(void)snprintf(out, len, "%s", first->msg);
}

/* Logs f->note as event what, naming the feed: once while the feed keeps
 * saying the same, again after FEED_WARN_EVERY, so that a broken feed
 * polled every minute does not fill the daemon's log. */
static void
feed_warn(struct feed *f, const char *what)
{
	time_t now = time(NULL);
	char esc[sizeof(f->note) * 4];	/* the note quotes libxml2, which quotes the feed */

	(void)log_escape(f->note, esc, sizeof(esc));
	if (strcmp(f->logged, f->note) == 0 && now >= f->logged_at &&
	    now - f->logged_at < FEED_WARN_EVERY) {
		log_debug("channel=%s host=%s event=%s warning=\"%s\" note=\"said before\"",
		    f->ch->name, f->host, what, esc);
		return;
	}
	log_warnx("channel=%s host=%s event=%s warning=\"%s\"", f->ch->name, f->host, what,
	    esc);
	(void)esc_strlcpy(f->logged, f->note, sizeof(f->logged));
	f->logged_at = now;
}

/* The response body as a tree (caller frees), read as leniently as a
 * reader of feeds must be and no more: the body mended (feed_source); the
 * charset of Content-Type when the document names none; windows-1252 when
 * bytes said to be UTF-8 are not, converted by intake/charset.c (iconv,
 * which libxml2 would use, refuses the five bytes windows-1252 leaves
 * undefined, and the parse would stop at the first, dropping the entries
 * after it); and an ill-formed document in libxml2's recovery mode.  What was forgiven is logged, naming the feed and the
 * place, and noted in f->note for every entry.  Still no network, no DTD,
 * no entity substitution.  NULL with e set. */
static xmlDoc *
feed_parse(struct feed *f, const struct http_response *resp, const char *what, struct err *e)
{
	struct xmlerr first, later;
	/* The body as windows-1252 in UTF-8: up to 3 bytes for each. */
	struct buf cp1252 = BUF_INIT(3 * 2 * FEED_MAX);
	const struct buf *src = &f->src;
	char charset[64], why[300], bad_utf8[300];
	const char *enc = NULL;
	xmlDoc *doc;

	f->note[0] = bad_utf8[0] = '\0';
	if (feed_source(f, resp->body.buf != NULL ? resp->body.buf : "", resp->body.len, e) == -1)
		return NULL;
	if (f->src.len > INT_MAX) {
		err_set(e, ERR_DATA, "%s: the feed is too large", what);
		return NULL;	/* cannot happen: FEED_MAX is far below */
	}
	content_charset(resp->content_type, charset, sizeof(charset));
	if (charset[0] != '\0' && !declares_encoding(f->src.buf, f->src.len))
		enc = charset;
	if ((doc = xml_read(&f->src, f->ch->url, enc, FEED_XML_OPTIONS, &first)) != NULL)
		return doc;
	xml_why(&first, why, sizeof(why));
	if ((strstr(first.msg, "not proper UTF-8") != NULL ||
	    strstr(first.msg, "encoder error") != NULL) &&
	    (enc == NULL || strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0)) {
		/* The table never fails; only the ceiling, far above 3 bytes
		 * for each of FEED_MAX, could. */
		if (charset_to_utf8("windows-1252", f->src.buf, f->src.len, &cp1252) == -1) {
			buf_release(&cp1252);
			err_set(e, ERR_DATA, "%s: the feed is too large", what);
			return NULL;
		}
		src = &cp1252;
		enc = "UTF-8";
		(void)snprintf(bad_utf8, sizeof(bad_utf8), "%s", why);
		if ((doc = xml_read(src, f->ch->url, enc, FEED_XML_OPTIONS, &first)) != NULL) {
			(void)snprintf(f->note, sizeof(f->note),
			    "feed is not valid UTF-8 (%s), read as windows-1252", bad_utf8);
			feed_warn(f, "feed-encoding");
			buf_release(&cp1252);
			return doc;
		}
		xml_why(&first, why, sizeof(why));
	}
	doc = xml_read(src, f->ch->url, enc, FEED_XML_OPTIONS | XML_PARSE_RECOVER, &later);
	buf_release(&cp1252);
	if (doc != NULL && xmlDocGetRootElement(doc) != NULL) {
		if (first.encoding) {
			/* What follows the bad bytes is lost: libxml2 stops
			 * converting there, and recovery ends the open elements. */
			(void)snprintf(f->note, sizeof(f->note),
			    "feed has bytes invalid in its charset %.60s (%.250s), read in recovery mode",
			    doc->encoding != NULL ? (const char *)doc->encoding :
			    enc != NULL ? enc : "(undeclared)", why);
			feed_warn(f, "feed-encoding");
		} else {
			(void)snprintf(f->note, sizeof(f->note),
			    "feed is ill-formed XML (%s), read in recovery mode%s", why,
			    bad_utf8[0] != '\0' ? " as windows-1252" : "");
			feed_warn(f, "feed-ill-formed");
		}
		return doc;
	}
	if (doc != NULL)
		xmlFreeDoc(doc);
	err_set(e, ERR_DATA, "%s: invalid XML %s", what, why);
	return NULL;
}

/* ---- entries --------------------------------------------------------- */

/* s on one line, trimmed, into out: what a subject needs. */
static void
flatten(const char *s, char *out, size_t len)
{
	size_t o = 0;
	int space = 0;

	for (; *s != '\0' && o + 1 < len; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < len)
			out[o++] = ' ';
		space = 0;
		out[o++] = *s;
	}
	out[o] = '\0';
}

static void
message_id(const struct feed *f, const char *ext, char *out, size_t len)
{
	unsigned char d[32];
	char hex[33];
	size_t i;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, ext, strlen(ext), d) < 0)
		memset(d, 0, sizeof(d));	/* cannot happen: SHA-256 is built in */
	for (i = 0; i < 16; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", d[i]);
	(void)snprintf(out, len, "feed.%s.%s", f->host, hex);
}

/* s without surrounding white space into out. */
static void
trimmed(const char *s, size_t n, char *out, size_t len)
{
	while (n > 0 && strchr(" \t\r\n", *s) != NULL)
		s++, n--;
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	(void)snprintf(out, len, "%.*s", n > INT_MAX ? INT_MAX : (int)n, s);
}

/* An RSS author as a name: "email (Name)" (what RSS 2.0 asks for) and
 * "Name <email>" give the name; anything else is taken as it is. */
static void
author_name(const char *s, char *out, size_t len)
{
	const char *open = strchr(s, '('), *close = strrchr(s, ')'), *at = strchr(s, '@');
	const char *lt = strchr(s, '<');

	if (open != NULL && close != NULL && close > open + 1 && at != NULL && at < open)
		trimmed(open + 1, (size_t)(close - open - 1), out, len);
	else if (lt != NULL && lt > s && strchr(lt, '>') != NULL)
		trimmed(s, (size_t)(lt - s), out, len);
	else
		trimmed(s, strlen(s), out, len);
	if (len > 1 && out[0] == '"' && strlen(out) > 1 && out[strlen(out) - 1] == '"') {
		memmove(out, out + 1, strlen(out));
		out[strlen(out) - 1] = '\0';
	}
}

/* 1 if s starts with a URI scheme ("https:", "tag:"). */
static int
absolute(const char *s)
{
	if (!ascii_isalpha(*s))
		return 0;
	while (ascii_isalpha(*s) || ascii_isdigit(*s) || *s == '+' || *s == '-' || *s == '.')
		s++;
	return *s == ':';
}

/* href (trimmed) resolved against the xml:base in scope at n, else the
 * feed's URL, into out. */
static void
resolve(const xmlNode *n, const char *href, char *out, size_t len)
{
	xmlChar *base, *uri = NULL;

	trimmed(href, strlen(href), out, len);
	if (out[0] == '\0' || absolute(out))
		return;
	if ((base = xmlNodeGetBase(n->doc, n)) != NULL)
		uri = xmlBuildURI((const xmlChar *)out, base);
	if (uri != NULL)
		(void)snprintf(out, len, "%s", (const char *)uri);
	xmlFree(uri);
	xmlFree(base);
}

/* 1 if an RSS title holds markup or entities, as titles copied from
 * HTML pages do ("Price <b>cut</b>", "Caf&amp;eacute;"). */
static int
title_is_html(const char *s)
{
	char name[16];

	for (; *s != '\0'; s++)
		if ((*s == '<' && (ascii_isalpha(s[1]) || s[1] == '/') && strchr(s, '>') != NULL) ||
		    (*s == '&' && reference((const unsigned char *)s, strlen(s), name,
		    sizeof(name)) > 0))
			return 1;
	return 0;
}

/* The entry's link into out (resolved), "" if none: Atom's alternate
 * link, RSS's link, else an RSS guid that is a permalink. */
static void
entry_link(struct feed *f, const xmlNode *it, char *out, size_t len, struct err *e)
{
	const xmlNode *n;
	const char *s, *rel;

	out[0] = '\0';
	if (f->format != FORMAT_RSS) {
		for (n = it->children; n != NULL; n = n->next)
			if (is(n, "link", f->ns) && attr(n, "href") != NULL &&
			    ((rel = attr(n, "rel")) == NULL || strcmp(rel, "alternate") == 0)) {
				resolve(n, attr(n, "href"), out, len);
				return;
			}
		return;
	}
	if ((n = child(it, "link", f->ns)) != NULL && (s = child_text(f, it, "link", f->ns, e)) !=
	    NULL && *s != '\0') {
		resolve(n, s, out, len);
		return;
	}
	if ((n = child(it, "guid", f->ns)) != NULL &&
	    ((s = attr(n, "isPermaLink")) == NULL || strcmp(s, "false") != 0) &&
	    (s = child_text(f, it, "guid", f->ns, e)) != NULL &&
	    (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0))
		(void)snprintf(out, len, "%s", s);
}

/* The entry's date text into out, "" if none: Atom updated, else
 * published; Atom 0.3 modified, issued, created; RSS pubDate, else
 * dc:date (RSS 1.0's). */
static int
entry_date(struct feed *f, const xmlNode *it, char *out, size_t len, struct err *e)
{
	static const char *const atom[] = { "updated", "published", NULL };
	static const char *const atom03[] = { "modified", "issued", "created", NULL };
	static const char *const rss[] = { "pubDate", NULL };
	const char *const *names = f->format == FORMAT_ATOM ? atom :
	    f->format == FORMAT_ATOM03 ? atom03 : rss;
	const char *s = "";

	for (; *names != NULL && *s == '\0'; names++)
		if ((s = child_text(f, it, *names, f->ns, e)) == NULL)
			return -1;
	if (*s == '\0' && (s = child_text(f, it, "date", NS_DC, e)) == NULL)
		return -1;
	(void)esc_strlcpy(out, s, len);
	return 0;
}

/* The entry's author as a name into out, "" if none: Atom's author (its
 * name, else its email), else the source's or the feed's, as Atom
 * inherits them; RSS author, else dc:creator. */
static int
entry_author(struct feed *f, const xmlNode *it, char *out, size_t len, struct err *e)
{
	const xmlNode *from[3];
	const char *s;
	size_t i;

	out[0] = '\0';
	if (f->format == FORMAT_RSS) {
		if ((s = child_text(f, it, "author", f->ns, e)) == NULL)
			return -1;
		if (*s == '\0' && (s = child_text(f, it, "creator", NS_DC, e)) == NULL)
			return -1;
		author_name(s, out, len);
		return 0;
	}
	from[0] = it;
	from[1] = child(it, "source", f->ns);
	from[2] = f->root;
	for (i = 0; i < 3 && out[0] == '\0'; i++) {
		if (from[i] == NULL || child(from[i], "author", f->ns) == NULL)
			continue;
		if ((s = child_text(f, child(from[i], "author", f->ns), "name", f->ns, e)) == NULL)
			return -1;
		if (*s == '\0' && (s = child_text(f, child(from[i], "author", f->ns), "email", f->ns,
		    e)) == NULL)
			return -1;
		(void)esc_strlcpy(out, s, len);
	}
	return 0;
}

/* The entry's text into f->text: content:encoded or Atom content, else
 * (or when that is empty) description or summary. */
static int
entry_text(struct feed *f, const xmlNode *it, struct err *e)
{
	const xmlNode *n;
	size_t i;

	buf_reset(&f->text);
	for (i = 0; i < 2 && f->text.len == 0; i++) {
		if (f->format == FORMAT_RSS)
			n = i == 0 ? child(it, "encoded", NS_CONTENT) : child(it, "description", f->ns);
		else
			n = child(it, i == 0 ? "content" : "summary", f->ns);
		if (n != NULL && body_text(f, n, e) == -1)
			return -1;
	}
	return buf_addstr(&f->text, "", e);
}

/* The entry's title as one line of text into out, "" if none. */
static int
entry_title(struct feed *f, const xmlNode *it, char *out, size_t len, struct err *e)
{
	const xmlNode *n;
	const char *s;
	int r;

	if ((s = child_text(f, it, "title", f->ns, e)) == NULL)
		return -1;
	(void)esc_strlcpy(out, s, len);
	/* A title may be HTML too ("Brand &lt;em&gt;outage&lt;/em&gt;"). */
	if ((n = child(it, "title", f->ns)) == NULL ||
	    (f->format == FORMAT_RSS ? !title_is_html(out) : body_kind(f, n) == BODY_TEXT))
		return 0;
	buf_reset(&f->text);
	if (f->format == FORMAT_RSS)
		r = html_to_text(out, strlen(out), &f->text, e);
	else
		r = body_text(f, n, e);
	if (r == -1 || buf_addstr(&f->text, "", e) == -1)
		return -1;
	flatten(f->text.buf, out, len);
	return 0;
}

/* The entry's external id into out, "" if it has nothing to tell it by:
 * guid or id (RSS 1.0: rdf:about), else its link, else title and date,
 * else a digest of its text.  Uses f->text. */
static int
entry_ext(struct feed *f, const xmlNode *it, char *out, size_t len, struct err *e)
{
	char title[1024], date[128];
	unsigned char d[32];
	const char *s;
	size_t i;

	if ((s = child_text(f, it, f->format == FORMAT_RSS ? "guid" : "id", f->ns, e)) == NULL)
		return -1;
	(void)esc_strlcpy(out, s, len);
	if (*out == '\0' && f->format == FORMAT_RSS && (s = attr(it, "about")) != NULL)
		trimmed(s, strlen(s), out, len);
	if (*out == '\0')
		entry_link(f, it, out, len, e);
	if (*out != '\0')
		return 0;
	if (entry_title(f, it, title, sizeof(title), e) == -1 ||
	    entry_date(f, it, date, sizeof(date), e) == -1)
		return -1;
	if (*title != '\0' || *date != '\0') {
		(void)snprintf(out, len, "%s|%s", title, date);
		return 0;
	}
	if (entry_text(f, it, e) == -1)
		return -1;
	if (f->text.len == 0 || len < 40)
		return 0;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, f->text.buf, f->text.len, d) < 0)
		memset(d, 0, sizeof(d));	/* cannot happen: SHA-256 is built in */
	(void)snprintf(out, len, "sha256:");
	for (i = 0; i < 16; i++)
		(void)snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
	return 0;
}

/* One item or entry into intake.  0 or -1. */
static int
take_entry(struct feed *f, xmlNode *it, struct err *e)
{
	struct message m;
	xmlBufferPtr xb = NULL;
	const char *when = NULL;
	char ext[2048], author[512], buf[2300], date[128], title[1024];
	long present = f->in->stats.present;
	int r;

	message_init(&m);
	f->in->stats.read++;
	if (entry_ext(f, it, ext, sizeof(ext), e) == -1)
		goto fail;
	if (*ext == '\0') {
		log_warnx("channel=%s host=%s event=skip-entry line=%ld why=\"no id, link, title, "
		    "date or text\"", f->ch->name, f->host, xmlGetLineNo(it));
		message_release(&m);
		return 0;
	}
	entry_link(f, it, buf, sizeof(buf), e);
	if ((m.url = *buf ? social_dup(&m, buf) : NULL) == NULL && *buf)
		goto nomem;
	if (entry_title(f, it, title, sizeof(title), e) == -1 ||
	    entry_date(f, it, date, sizeof(date), e) == -1 || entry_text(f, it, e) == -1)
		goto fail;
	if (*date != '\0')
		when = date;
	message_id(f, ext, buf, sizeof(buf));
	if ((m.message_id = social_dup(&m, buf)) == NULL)
		goto nomem;
	m.synthetic_id = 1;
	/* The author as a name only (see feed.h). */
	if (entry_author(f, it, author, sizeof(author), e) == -1)
		goto fail;
	if ((m.from_name = social_dup(&m, author)) == NULL)
		goto nomem;
	m.received = f->in->now;
	m.public = 1;
	if (f->note[0] != '\0')
		message_warn(&m, "%s", f->note);
	/* RFC 3339 (Atom), RFC 822 (RSS), W3C-DTF (dc:date); each turns up
	 * where another belongs. */
	if (when == NULL || date_parse(when, &m.date) == -1) {
		m.date = f->in->now;
		m.date_missing = 1;
		if (when == NULL)
			message_warn(&m, "entry has no date, fetch time used");
		else
			message_warn(&m, "entry date unreadable '%.60s', fetch time used", when);
	}
	if (social_text(&m, f->text.buf, e) == -1)
		goto fail;
	m.html_only = 1;
	if (*title != '\0' && (m.subject = social_dup(&m, title)) == NULL)
		goto nomem;
	/* The entry as received, for audit. */
	if ((xb = xmlBufferCreate()) != NULL && xmlNodeDump(xb, it->doc, it, 0, 0) != -1) {
		m.raw = (const char *)xmlBufferContent(xb);
		m.raw_len = (size_t)xmlBufferLength(xb);
		f->in->stats.bytes += (double)m.raw_len;
	}
	r = intake_message(f->in, &m, ext, e);
	/* Seen before: an edit if the text changed. */
	if (r == 0 && f->in->stats.present > present &&
	    intake_edit(f->in, ext, &m, f->in->now, e) == -1)
		r = -1;
	message_release(&m);
	if (xb != NULL)
		xmlBufferFree(xb);
	return r;
nomem:
	err_set(e, ERR_NOMEM, "out of memory for a feed entry");
fail:
	message_release(&m);
	if (xb != NULL)
		xmlBufferFree(xb);
	return -1;
}

/* The entries of doc, oldest (last) first.  0 or -1. */
static int
take_doc(struct feed *f, xmlDoc *doc, const char *what, struct err *e)
{
	xmlNode *root = xmlDocGetRootElement(doc), *chan, *n, **v;
	uint64_t *keys;
	unsigned char d[32];
	char ext[2048], id[256];
	size_t count = 0, i, j;
	int ret = 0;

	if (root == NULL)
		return err_set(e, ERR_DATA, "%s: empty XML document", what);
	f->root = chan = root;
	if (is(root, "feed", NS_ATOM)) {
		f->format = FORMAT_ATOM;
		f->ns = NS_ATOM;
	} else if (is(root, "feed", NS_ATOM03)) {
		f->format = FORMAT_ATOM03;
		f->ns = NS_ATOM03;
	} else if (strcmp((const char *)root->name, "rss") == 0) {
		/* RSS 0.9x and 2.0, in no namespace or (rarely) Userland's;
		 * items belong in the channel, a few feeds put them beside. */
		f->format = FORMAT_RSS;
		f->ns = root->ns != NULL ? (const char *)root->ns->href : NULL;
		if ((n = child(root, "channel", f->ns)) != NULL)
			chan = n;
	} else if (is(root, "RDF", NS_RDF)) {
		/* RSS 1.0 and 0.90: items beside the channel, in their namespace. */
		f->format = FORMAT_RSS;
		f->ns = child(root, "channel", NS_RSS090) != NULL ||
		    child(root, "item", NS_RSS090) != NULL ? NS_RSS090 : NS_RSS10;
	} else if (root->ns != NULL && root->ns->href != NULL)
		return err_set(e, ERR_DATA, "%s: neither RSS nor Atom (root element '%s' in "
		    "namespace '%s')", what, (const char *)root->name,
		    (const char *)root->ns->href);
	else
		return err_set(e, ERR_DATA, "%s: neither RSS nor Atom (root element '%s')", what,
		    (const char *)root->name);
	if ((v = calloc(FEED_ENTRIES, sizeof(*v))) == NULL ||
	    (keys = calloc(FEED_ENTRIES, sizeof(*keys))) == NULL) {
		free(v);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (n = chan->children; n != NULL && count < FEED_ENTRIES; n = n->next)
		if (is(n, f->format == FORMAT_RSS ? "item" : "entry", f->ns))
			v[count++] = n;
	/* An id twice in one document (it happens: a post listed twice, or
	 * guids made from the day): the first, the newest, stands for it;
	 * else each poll would take the other for an edit of it. */
	for (i = 0; i < count && ret == 0; i++) {
		if ((ret = entry_ext(f, v[i], ext, sizeof(ext), e)) == -1 || *ext == '\0')
			continue;
		if (gnutls_hash_fast(GNUTLS_DIG_SHA256, ext, strlen(ext), d) < 0)
			memset(d, 0, sizeof(d));	/* cannot happen: SHA-256 is built in */
		memcpy(&keys[i], d, sizeof(keys[i]));
		for (j = 0; j < i; j++)
			if (v[j] != NULL && keys[j] == keys[i]) {
				log_info("channel=%s host=%s event=duplicate-entry line=%ld id=\"%s\"",
				    f->ch->name, f->host, xmlGetLineNo(v[i]),
				    log_escape(ext, id, sizeof(id)));
				v[i] = NULL;
				break;
			}
	}
	for (i = count; i > 0 && ret == 0; i--)
		if (v[i - 1] != NULL)
			ret = take_entry(f, v[i - 1], e);
	free(keys);
	free(v);
	f->root = NULL;
	return ret;
}

/* ---- the interface --------------------------------------------------- */

static int
feed_open(void **state, const struct conf_channel *ch, struct err *e)
{
	struct feed *f;

	*state = NULL;
	if (ch->url == NULL)
		return err_set(e, ERR_CONFIG, "feed channel '%s' needs url", ch->name);
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	f->ch = ch;
	buf_init(&f->text, FEED_TEXT_MAX);
	buf_init(&f->tmp, FEED_TEXT_MAX);
	buf_init(&f->src, 2 * FEED_MAX);	/* character references are longer */
	if (http_open(&f->http, ch->name, ch->url, e) == -1) {
		free(f);
		return -1;
	}
	(void)esc_strlcpy(f->host, http_host(f->http), sizeof(f->host));
	*state = f;
	return 0;
}

static int
feed_poll(void *state, struct intake *in, struct err *e)
{
	struct feed *f = state;
	struct http_request req = { .url = f->ch->url, .follow = 1, .max = FEED_MAX };
	struct http_response resp;
	xmlDoc *doc = NULL;
	char etag[SOCIAL_CURSOR_MAX], lm[SOCIAL_CURSOR_MAX], what[300];
	int r, ret = -1;

	f->in = in;
	http_response_init(&resp);
	(void)snprintf(what, sizeof(what), "GET %.250s", f->ch->url);
	if (social_begin(in, f->http, e) == -1)
		goto out;
	if ((r = store_cursor_get(in->store, in->channel_id, "etag", etag, sizeof(etag), e)) == -1)
		goto out;
	if (r == 1)
		req.if_none_match = etag;
	if ((r = store_cursor_get(in->store, in->channel_id, "last-modified", lm, sizeof(lm),
	    e)) == -1)
		goto out;
	if (r == 1)
		req.if_modified_since = lm;
	if (http_request(f->http, &req, &resp, e) == -1)
		goto out;
	if (resp.status == 304) {
		log_debug("channel=%s host=%s event=not-modified", f->ch->name, f->host);
		ret = 0;
		goto out;
	}
	if (resp.status != 200) {
		(void)http_fail(f->http, what, &resp, e);
		goto out;
	}
	/* Entities are where XML bombs and external files hide: a feed has
	 * no use for them. */
	if (resp.body.len > 0 && memmem(resp.body.buf, resp.body.len, "<!ENTITY", 8) != NULL) {
		err_set(e, ERR_DATA, "%s: the feed declares XML entities (refused)", what);
		goto out;
	}
	if ((doc = feed_parse(f, &resp, what, e)) == NULL)
		goto out;
	if (take_doc(f, doc, what, e) == -1)
		goto out;
	/* Both validators in the transaction of the entries they cover. */
	if (resp.last_modified[0] != '\0' && !in->in_txn && store_begin(in->store, e) == 0)
		in->in_txn = 1;
	if (resp.last_modified[0] != '\0' && (!in->in_txn ||
	    store_cursor_set(in->store, in->channel_id, "last-modified", resp.last_modified,
	    in->now, e) == -1))
		goto out;
	if (intake_flush(in, resp.etag[0] ? "etag" : NULL, resp.etag[0] ? resp.etag : NULL,
	    e) == -1)
		goto out;
	ret = 0;
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	http_response_release(&resp);
	if (ret == -1) {
		intake_release(in);
		social_end(in, f->http);
		social_log_fail(f->ch->name, f->host, "poll-failed", e);
	}
	f->in = NULL;
	return ret;
}

static int
feed_wait(void *state, int timeout, struct err *e)
{
	(void)state;
	(void)e;
	return connector_sleep((long)timeout * 1000, NULL) == 0 ? 0 : 1;
}

static void
feed_close(void *state)
{
	struct feed *f = state;

	if (f == NULL)
		return;
	http_close(f->http);
	buf_release(&f->text);
	buf_release(&f->tmp);
	buf_release(&f->src);
	free(f);
}

static time_t
feed_not_before(void *state)
{
	struct feed *f = state;

	return f != NULL ? http_not_before(f->http) : 0;
}

const struct connector_ops feed_connector = {
	.kind = "feed",
	.open = feed_open,
	.poll = feed_poll,
	.wait = feed_wait,
	.close = feed_close,
	.not_before = feed_not_before,
};
