/* feed.h -- the feed connector: RSS 0.9x, 1.0 (RDF) and 2.0, Atom 0.3 and
 * 1.0 feeds of public mentions and reviews, fetched over connectors/http.c
 * and parsed with libxml2, behind the connector interface (connector.h).
 *
 * Every entry is a public inbound message: its external id is the RSS
 * guid, RSS 1.0 rdf:about or the Atom id (else its link, else its title
 * and date, else "sha256:" and a digest of its text; an entry with none
 * of these is skipped with a warning); an id listed twice in one
 * document counts once, as its first (newest) listing; its
 * Message-ID "feed.HOST.HASH" (HOST the feed's, HASH the first 32 hex
 * digits of the external id's SHA-256); its subject the title; its text
 * the description (content:encoded or Atom content, else summary) as text
 * (intake/html.c); its date Atom updated/published (0.3: modified, issued,
 * created), RSS pubDate or dc:date, else the fetch time with a warning;
 * its link resolved against xml:base and the feed's URL; its author a
 * name (RSS "email (Name)" gives the name; Atom inherits the feed's).
 * Each entry opens its own ticket: feeds have no reply chains, and
 * authors are kept as names only, so the subject fallback of threading
 * never merges two entries.  An entry seen again with another
 * text is an edit: the new text, the same ticket.
 *
 * Validators: the ETag and Last-Modified of the last 200 are saved as the
 * cursors "etag" and "last-modified", with the entries they cover, and
 * sent back (If-None-Match, If-Modified-Since); a 304 costs nothing.
 *
 * Parsing forgives what real feeds get wrong, and says so: HTML entities,
 * a bare "&", control characters, blank lines before the XML declaration
 * are mended; Content-Type's charset counts when the document names none;
 * bytes that are not UTF-8 are read as windows-1252; an ill-formed
 * document, or one with bytes its declared charset forbids, is read in
 * libxml2's recovery mode.  Each such poll logs one warning naming the
 * channel and the first error's line (the same warning again only after
 * an hour), and every entry it yields carries that warning.  libxml2's
 * own messages never reach stderr (intake/xmlerr.h).
 *
 * Parsing is safe for hostile feeds: no network access (XML_PARSE_NONET),
 * no DTD loading, no entity substitution, and a feed that declares
 * entities (<!ENTITY) is refused outright; at most FEED_MAX bytes and
 * FEED_ENTRIES entries are read. */
#ifndef ESC_FEED_H
#define ESC_FEED_H

#include "connectors/connector.h"

#define FEED_MAX	(8u << 20)	/* bytes of one feed document */
#define FEED_ENTRIES	1000		/* entries read from one document */
#define FEED_TEXT_MAX	(1u << 20)	/* bytes of one entry's text */

extern const struct connector_ops feed_connector;

#endif
