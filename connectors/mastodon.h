/* mastodon.h -- the Mastodon connector: a brand account's mentions, its own
 * replies and optional hashtag and search sources, over the REST API
 * (connectors/http.c), behind the connector interface (connector.h).
 *
 * Sources, each with its own cursor (the newest id stored, committed with
 * the page it covers by intake_flush):
 *   "notifications"  GET /api/v1/notifications?types[]=mention, walked
 *                    forward with min_id (0 on the first poll: a full
 *                    backfill) along the Link header's rel="prev";
 *   "statuses"       GET /api/v1/accounts/ID/statuses: the brand's own
 *                    replies, outbound messages on the ticket they answer
 *                    (replies to threads we do not know are left alone);
 *   "tag:NAME"       GET /api/v1/timelines/tag/NAME (the `hashtag` key);
 *   "search:TERMS"   GET /api/v2/search?type=statuses (the `search` key);
 *                    these two start at the newest page, not at the
 *                    beginning of time.
 * A status is a message "mastodon.HOST.ID" (HOST the instance's, ID its
 * status id there; the external id is ID), replying to
 * "mastodon.HOST.IN_REPLY_TO_ID", so a conversation is one ticket; a reply
 * whose parent we lack brings its ancestors (GET /api/v1/statuses/ID/
 * context) as References, so it still finds the thread's root.
 * Visibility public and unlisted are public, private and direct are not;
 * content is HTML (intake/html.c); the author's followers_count is the
 * reach.  Edits and deletions: the newest MASTODON_RECHECK customer posts
 * of open tickets are fetched again each poll; a 404 marks a post deleted,
 * a newer edited_at replaces its text.
 *
 * The instance must be https:// (http:// only on loopback, for tests).
 * The token is read from token-file at each poll and wiped after it. */
#ifndef ESC_MASTODON_H
#define ESC_MASTODON_H

#include "connectors/connector.h"

#define MASTODON_PAGE		40	/* statuses per request (the API's most) */
#define MASTODON_PAGES		1000	/* requests per source and poll */
#define MASTODON_RECHECK	20	/* posts looked at again per poll */
#define MASTODON_TEXT_MAX	(1u << 20)	/* bytes of one status's text */
#define MASTODON_ANCESTORS	20	/* of a reply, kept as References */

extern const struct connector_ops mastodon_connector;

#endif
