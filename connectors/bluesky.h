/* bluesky.h -- the Bluesky connector: a brand account's mentions, replies
 * and quotes, its own replies, and optional keyword searches, over XRPC
 * (connectors/http.c), behind the connector interface (connector.h).
 *
 * Session: com.atproto.server.createSession with the handle and the app
 * password (read from app-password-file, wiped after use); when the access
 * token expires (ExpiredToken), com.atproto.server.refreshSession, and a
 * new session if the refresh token has expired too.  Tokens live in
 * memory only.  Requests go to `service` (default https://bsky.social),
 * which proxies the app.bsky.* calls to the AppView.
 *
 * Sources.  The APIs page backwards from the newest item, so a poll pages
 * back to the saved mark (the newest indexedAt stored, the cursor's value),
 * then feeds what is new to intake oldest first, committing every
 * BLUESKY_BATCH posts with the mark they reach:
 *   "notifications"  app.bsky.notification.listNotifications, reasons
 *                    mention, reply and quote;
 *   "statuses"       app.bsky.feed.getAuthorFeed of the brand: its replies
 *                    to threads we know, as outbound messages;
 *   "search:TERMS"   app.bsky.feed.searchPosts (sort=latest), the `search`
 *                    key; the first poll takes one page only.
 * A post at://DID/app.bsky.feed.post/RKEY is the message
 * "bluesky.DID.RKEY" (external id: its at:// URI), with the reply's parent
 * as In-Reply-To and root then parent as References: a thread is one
 * ticket.  The author is their DID (handles change, and an unverified one
 * reads "handle.invalid"); the name shows the handle, "Mia (@mia.example)".
 * A quoted post follows the text as "> " lines (from the view, or for a
 * notification by app.bsky.feed.getPosts, 25 at a time, asked for before
 * intake's transaction opens so no request waits with the write lock
 * held), or says why it is not shown
 * (blocked, deleted or not found, detached); images and videos are
 * attachments (the blob's MIME type and size); langs is the language;
 * labels become warnings.  Every post is public; the reach is the
 * author's followersCount (app.bsky.actor.getProfiles, 25 authors a
 * request, asked for before intake's transaction too, and kept for
 * BLUESKY_PROFILE_TTL; an author the answer leaves out, or whose batch
 * failed, has the reach unknown).  Posts are
 * never edited on Bluesky; deletions are found by asking for the newest
 * BLUESKY_RECHECK customer posts of open tickets (app.bsky.feed.getPosts):
 * one that is gone is marked deleted. */
#ifndef ESC_BLUESKY_H
#define ESC_BLUESKY_H

#include "connectors/connector.h"

#define BLUESKY_SERVICE		"https://bsky.social"
#define BLUESKY_PAGE		50	/* items per request */
#define BLUESKY_PAGES		200	/* requests per source and poll */
#define BLUESKY_BATCH		100	/* posts per transaction */
#define BLUESKY_RECHECK		50	/* posts looked at again per poll */
#define BLUESKY_PROFILE_TTL	86400	/* seconds a follower count is kept */
#define BLUESKY_PROFILES	4096	/* authors cached */
#define BLUESKY_PROFILE_WAYS	8	/* slots an author may take */
#define BLUESKY_TEXT_MAX	(1u << 20)	/* bytes of one post's text */

extern const struct connector_ops bluesky_connector;

#endif
