/* feed.h -- the feed connector: RSS 2.0 (and RSS 1.0) and Atom 1.0 feeds of
 * public mentions and reviews, fetched over connectors/http.c and parsed
 * with libxml2, behind the connector interface (connector.h).
 *
 * Every entry is a public inbound message: its external id is the RSS
 * guid or the Atom id (else its link, else its title and date); its
 * Message-ID "feed.HOST.HASH" (HOST the feed's, HASH the first 32 hex
 * digits of the external id's SHA-256); its subject the title; its text
 * the description (content:encoded or Atom content, else summary) as text
 * (intake/html.c).  Each entry opens its own ticket: feeds have no reply
 * chains, and authors are kept as names only, so the subject fallback of
 * threading never merges two entries.  An entry seen again with another
 * text is an edit: the new text, the same ticket.
 *
 * Validators: the ETag and Last-Modified of the last 200 are saved as the
 * cursors "etag" and "last-modified", with the entries they cover, and
 * sent back (If-None-Match, If-Modified-Since); a 304 costs nothing.
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
