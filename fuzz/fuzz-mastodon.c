/* fuzz-mastodon.c -- libFuzzer target for the Mastodon connector's reading
 * of API responses (connectors/mastodon.c): the input is a response body,
 * a page of statuses or notifications (an array), a context ({"ancestors",
 * "descendants"}) or one status; each status becomes a message as a poll
 * would make it (status_ids, status_message: text from HTML, mentions,
 * references, reach) and goes into an intake over an in-memory store,
 * rolled back after each input.  The brand's account id is "1".
 *
 * The functions are static, so this harness #includes mastodon.c (and
 * must not be linked with mastodon.o besides).  No network: take_status
 * runs only where it asks nothing of the server (own posts and posts
 * that answer nobody); for other replies, whose ancestors a poll would
 * fetch, the harness does the same steps with a context's "ancestors"
 * from the input instead; and the HTTP handle is rate limited for a day,
 * so a request that slipped through fails at once, offline.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. \
 *       $(pkg-config --cflags libxml-2.0) -o fuzz-mastodon \
 *       fuzz/fuzz-mastodon.c libescalator.a -letpan -lsqlite3 -lxml2 \
 *       -ljansson -lcurl -lgnutls -lm
 *   ./fuzz-mastodon -max_len=262144 -timeout=10 -dict=fuzz/social.dict \
 *       CORPUS SEEDS
 *
 * (SEEDS: tests/data's 9xxx *.json.)  fuzz/replay.c in place of
 * -fsanitize=fuzzer replays a crash without libFuzzer. */
#include "connectors/mastodon.c"

#include "common/log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* take_status without its one request (see above). */
static int
fuzz_take(struct masto *mt, json_t *st, json_t *anc, struct err *e)
{
	struct message m;
	json_t *rb = json_object_get(st, "reblog");
	const char *irt, *acc_id;
	int r;

	if (status_ids(st, e) == -1)
		return -1;
	irt = social_str(st, "in_reply_to_id");
	acc_id = social_str(json_object_get(st, "account"), "id");
	if ((rb != NULL && !json_is_null(rb)) || irt == NULL || acc_id == NULL ||
	    strcmp(acc_id, mt->me_id) == 0 || social_str(st, "id") == NULL)
		return take_status(mt, st, e);
	message_init(&m);
	r = status_message(mt, st, anc, &m, e);
	if (r == 0)
		r = intake_message(mt->in, &m, social_str(st, "id"), e);
	message_release(&m);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct store *st;
	static struct conf_channel ch;
	static struct masto *mt;
	struct http_response resp;
	struct intake in;
	struct err e = ERR_INIT;
	json_t *j = NULL, *items, *anc = NULL, *it, *s, **v = NULL;
	const char *type;
	size_t i, k = 0;
	void *state;

	if (st == NULL) {
		log_init(1, LOG_ERR);	/* the warnings of odd statuses are expected */
		ch.name = "fuzz";
		ch.kind = CONF_MASTODON;
		ch.public = -1;
		ch.instance = "https://mastodon.example";
		ch.token_file = "/nonexistent/fuzz.token";
		if (store_open(&st, ":memory:", &e) == -1 ||
		    mastodon_open(&state, &ch, &e) == -1)
			abort();
		mt = state;
		http_set_not_before(mt->http, (time_t)1700000000 + 86400);
		http_set_now(mt->http, 1700000000);
		(void)esc_strlcpy(mt->me_id, "1", sizeof(mt->me_id));
		(void)esc_strlcpy(mt->me_acct, "brand@mastodon.example", sizeof(mt->me_acct));
	}
	if (intake_init(&in, st, ch.name, "mastodon", -1, 1700000000, &e) == -1)
		abort();
	mt->in = &in;
	http_response_init(&resp);
	resp.status = 200;
	if (buf_add(&resp.body, data, size, &e) == -1)
		goto out;
	for (i = 0; i < size && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t'); i++)
		;
	if ((j = social_json("GET fuzz", &resp, i < size && data[i] == '[' ? JSON_ARRAY :
	    JSON_OBJECT, &e)) == NULL)
		goto out;
	items = j;
	if (json_is_object(j) && json_object_get(j, "ancestors") != NULL) {
		anc = json_object_get(j, "ancestors");
		items = json_object_get(j, "descendants");
	}
	if (!json_is_array(items)) {
		(void)fuzz_take(mt, j, NULL, &e);
		goto out;
	}
	/* As take_page: ids as strings, oldest first, notifications of
	 * mentions to their statuses. */
	if ((v = calloc(json_array_size(items) + 1, sizeof(*v))) == NULL)
		goto out;
	json_array_foreach(items, i, it)
		if (social_id_string(it, "id") == 0 && json_is_object(it) &&
		    social_str(it, "id") != NULL)
			v[k++] = it;
	qsort(v, k, sizeof(*v), by_id);
	for (i = 0; i < k; i++) {
		s = v[i];
		if ((type = social_str(s, "type")) != NULL)
			s = strcmp(type, "mention") == 0 && json_is_object(json_object_get(s,
			    "status")) ? json_object_get(s, "status") : NULL;
		if (s != NULL && fuzz_take(mt, s, anc, &e) == -1)
			break;
	}
out:
	free(v);
	json_decref(j);
	intake_release(&in);
	mt->in = NULL;
	http_response_release(&resp);
	return 0;
}
