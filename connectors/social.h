/* social.h -- what the social connectors (mastodon, bluesky, feed) share
 * beyond the HTTP layer: secret files, the channel's "not before" time
 * kept with its cursors, JSON bodies, and filling a struct message.
 *
 * Rate limits survive the process: when a channel must wait, the time is
 * saved as the cursor "not-before" of the channel, so the next `poll` (or
 * the daemon after a restart) does not knock before then. */
#ifndef ESC_SOCIAL_H
#define ESC_SOCIAL_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct buf;
struct err;
struct http;
struct http_response;
struct intake;
struct message;

#define SOCIAL_SECRET_MAX	16384	/* bytes of a token or password file */
#define SOCIAL_SUBJECT_MAX	80	/* bytes of text made into a subject */
#define SOCIAL_CURSOR_MAX	1024
#define SOCIAL_NOT_BEFORE	"not-before"	/* the cursor's source name */

/* At the start of a poll: the clock from in, the saved not-before time.
 * -1 with ERR_NET "rate limited ..., not before T" (and a log line) while
 * it lies ahead; 0 to go on. */
int	social_begin(struct intake *, struct http *, struct err *);
/* After a failed poll: saves the not-before time if one lies ahead (the
 * open batch, already rolled back by the failure, is not touched).  The
 * error in e is kept; a failure to save is logged. */
void	social_end(struct intake *, struct http *);

/* The body of a 200 response as JSON of type (JSON_OBJECT, JSON_ARRAY);
 * NULL with ERR_DATA "GET url: invalid JSON ..." otherwise.  Caller
 * decrefs. */
json_t	*social_json(const char *what, const struct http_response *, json_type type,
	    struct err *);
/* A string member, or NULL when absent, null or not a string. */
const char *social_str(json_t *obj, const char *key);
/* An integer member key of obj, when there is one, becomes its decimal
 * string: ids are strings in the Mastodon API, numbers in servers before
 * Mastodon 2.0 and in some others.  Absent, null or other members are
 * left alone.  0, or -1 out of memory. */
int	social_id_string(json_t *obj, const char *key);
/* An integer member, or dflt. */
long	social_long(json_t *obj, const char *key, long dflt);

/* Numeric ids as decimal strings, compared as numbers: <0, 0, >0. */
int	social_id_cmp(const char *a, const char *b);

/* Copies s (NULL: "") into m's arena; NULL when the arena is full. */
const char *social_dup(struct message *m, const char *s);
/* Sets m->text (and text_scored) from plain text and m->subject from
 * its beginning: the first line, cut at a word near SOCIAL_SUBJECT_MAX
 * bytes with "...".  0 or -1. */
int	social_text(struct message *m, const char *text, struct err *);

/* Appends a quoted post to b: head ("@who:", "[quoted post: deleted]"),
 * which holds a server's words, made one line by text_oneline, then each
 * line of text (CR LF, CR and LF end one), every line after "> ".  A line
 * break in an account name or a state must not let quoted words be read
 * as the customer's own.  text NULL: the head only.  0 or -1. */
#define SOCIAL_QUOTE_HEAD_MAX	512	/* bytes of the head line */
int	social_quote(struct buf *b, const char *head, const char *text, struct err *);

/* The language tags a post says it is in (a string, or an array of
 * them: Mastodon's language, Bluesky's langs) as m->lang, "en, fr";
 * anything but letters, digits and '-' is dropped, so a server's odd
 * value never reaches a log or a terminal.  NULL when none.  0 or -1. */
int	social_lang(struct message *m, json_t *v, struct err *);
/* Records a post's media file as an attachment of m, the way mail
 * attachments are recorded: the name (the URL's last path segment when
 * the server gives none), the MIME type (NULL: from kind, "image" and the
 * like, with a wildcard subtype), the size (-1 unknown) and the URL.
 * Past SOCIAL_ATTS_MAX: a warning, the file not listed.  0 or -1. */
#define SOCIAL_ATTS_MAX	64
int	social_attach(struct message *m, const char *name, const char *type,
	    const char *kind, long long size, const char *url, struct err *);

/* Logs one failure the connector way:
 * channel=NAME host=HOST event=EVENT error="..." */
void	social_log_fail(const char *channel, const char *host, const char *event,
	    const struct err *);

#endif
