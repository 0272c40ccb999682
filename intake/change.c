/* change.c -- stored messages that change at their source: a social post
 * edited (its text is replaced, its ticket kept) or deleted (marked, never
 * dropped: the ticket's history still needs it).  See intake.h. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/arena.h"
#include "common/err.h"
#include "common/log.h"
#include "intake/intake.h"
#include "intake/message.h"
#include "intake/trim.h"
#include "rules/sentiment.h"
#include "store/store.h"

static int
change_begin(struct intake *in, struct err *e)
{
	if (in->in_txn)
		return 0;
	if (store_begin(in->store, e) == -1)
		return -1;
	in->in_txn = 1;
	return 0;
}

/* The event of a change on ticket, what changed (STORE_EDIT_*) in its
 * detail when an edit; 0 or -1. */
static int
change_event(struct intake *in, int64_t ticket, const char *kind,
    const char *external_id, unsigned changed, time_t at, struct err *e)
{
	static const struct { unsigned bit; const char *name; } fields[] = {
		{ STORE_EDIT_TEXT, "text" }, { STORE_EDIT_LANG, "lang" },
		{ STORE_EDIT_MEDIA, "attachments" }
	};
	struct store_msg_loc *loc;
	json_t *o, *list = NULL;
	size_t i;
	int r;

	if (ticket == 0)
		return 0;		/* an auto-reply without a ticket: nothing to tell */
	if ((loc = malloc(sizeof(*loc))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = store_message_find(in->store, in->channel_id, external_id, NULL, loc, e)) != 1) {
		free(loc);
		return r == 0 ? err_set(e, ERR_SOFTWARE, "message '%s' vanished", external_id) : -1;
	}
	o = json_pack("{s:s, s:s}", "message_id", loc->message_id, "channel", in->channel);
	free(loc);
	if (o != NULL && changed != 0) {
		if ((list = json_array()) == NULL || json_object_set_new(o, "changed", list) == -1) {
			json_decref(list);
			json_decref(o);
			o = NULL;
		}
		for (i = 0; o != NULL && i < sizeof(fields) / sizeof(fields[0]); i++)
			if ((changed & fields[i].bit) &&
			    json_array_append_new(list, json_string(fields[i].name)) == -1) {
				json_decref(o);
				o = NULL;
			}
	}
	if (o == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	return store_event_json(in->store, ticket, at, kind, "customer", o, e);	/* takes o */
}

int
intake_edit(struct intake *in, const char *external_id, const struct message *m, time_t at,
    struct err *e)
{
	struct arena a = ARENA_INIT(MESSAGE_ARENA_MAX);
	struct message edited = *m;
	struct sentiment_result score;
	double compound = 0;
	int64_t ticket;
	unsigned changed;
	int r;

	/* Scored as intake scores a new message (rules/decide.c): the
	 * trimmed text, in the language the post says it is in -- a short
	 * post tells the guesser too little, and its English would score
	 * a German complaint 0. */
	if ((edited.text_scored = trim_for_scoring(&a, m->text != NULL ? m->text : "", 1)) ==
	    NULL) {
		arena_release(&a);
		return err_set(e, ERR_NOMEM, "out of memory trimming an edited post");
	}
	if (in->lexicon != NULL) {
		sentiment_score_lang(in->lexicon, edited.text_scored, strlen(edited.text_scored),
		    m->lang, &score);
		compound = score.compound;
	}
	if (change_begin(in, e) == -1) {
		arena_release(&a);
		return -1;
	}
	r = store_message_edit(in->store, in->channel_id, external_id, &edited,
	    in->lexicon != NULL ? &compound : NULL, at, &ticket, &changed, e);
	arena_release(&a);
	if (r == 1 && change_event(in, ticket, "message-edited", external_id, changed, at,
	    e) == -1)
		r = -1;
	if (r == -1) {
		intake_release(in);
		return -1;
	}
	if (r == 1) {
		in->stats.edited++;
		log_info("channel=%s ticket=%" PRId64 " event=message-edited text=%s lang=%s "
		    "attachments=%s", in->channel, ticket,
		    (changed & STORE_EDIT_TEXT) ? "changed" : "same",
		    (changed & STORE_EDIT_LANG) ? "changed" : "same",
		    (changed & STORE_EDIT_MEDIA) ? "changed" : "same");
	}
	return r;
}

int
intake_delete(struct intake *in, const char *external_id, time_t at, struct err *e)
{
	int64_t ticket;
	int r;

	if (change_begin(in, e) == -1)
		return -1;
	r = store_message_delete(in->store, in->channel_id, external_id, at, &ticket, e);
	if (r == 1 && change_event(in, ticket, "message-deleted", external_id, 0, at, e) == -1)
		r = -1;
	if (r == -1) {
		intake_release(in);
		return -1;
	}
	if (r == 1) {
		in->stats.deleted++;
		log_info("channel=%s ticket=%" PRId64 " event=message-deleted", in->channel, ticket);
	}
	return r;
}
