/* fuzz-bluesky.c -- libFuzzer target for the Bluesky connector's reading
 * of API responses (connectors/bluesky.c): the input is a response body
 * with "notifications" (listNotifications), "feed" (getAuthorFeed) or
 * "posts" (searchPosts); each item goes the way a poll takes it
 * (item_post, indexed_at, take_post: facets, embeds, replies, the
 * brand's own answers) into an intake over an in-memory store, rolled
 * back after each input.  The brand is did:plc:brand, brand.example.com.
 *
 * The functions are static, so this harness #includes bluesky.c (and must
 * not be linked with bluesky.o besides).  No network: take_post makes
 * no request (a walk asks for the reaches and quotes before it, and
 * without that map the reach is unknown, as when the server will not
 * say); a request would first need a session, and the app password file
 * does not exist; the HTTP handle is also rate limited for a day, so any
 * request fails at once, offline.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. \
 *       $(pkg-config --cflags libxml-2.0) -o fuzz-bluesky \
 *       fuzz/fuzz-bluesky.c libescalator.a -letpan -lsqlite3 -lxml2 \
 *       -ljansson -lcurl -lgnutls -lm
 *   ./fuzz-bluesky -max_len=262144 -timeout=10 -dict=fuzz/social.dict \
 *       CORPUS SEEDS
 *
 * (SEEDS: tests/data's 9xxx *.json.)  fuzz/replay.c in place of
 * -fsanitize=fuzzer replays a crash without libFuzzer. */
#include "connectors/bluesky.c"

#include "common/log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const lists[] = { "notifications", "feed", "posts" };
	static struct store *st;
	static struct conf_channel ch;
	static struct bsky *bs;
	struct http_response resp;
	struct intake in;
	struct err e = ERR_INIT;
	json_t *j = NULL, *items, *it, *post;
	size_t i;
	int kind;
	void *state;

	if (st == NULL) {
		log_init(1, LOG_ERR);	/* the warnings of odd posts are expected */
		ch.name = "fuzz";
		ch.kind = CONF_BLUESKY;
		ch.public = 1;
		ch.handle = "brand.example.com";
		ch.app_password_file = "/nonexistent/fuzz.pass";
		if (store_open(&st, ":memory:", &e) == -1 ||
		    bluesky_open(&state, &ch, &e) == -1)
			abort();
		bs = state;
		http_set_not_before(bs->http, (time_t)1700000000 + 86400);
		http_set_now(bs->http, 1700000000);
		(void)esc_strlcpy(bs->did, "did:plc:brand", sizeof(bs->did));
		(void)esc_strlcpy(bs->handle, ch.handle, sizeof(bs->handle));
	}
	if (intake_init(&in, st, ch.name, "bluesky", 1, 1700000000, &e) == -1)
		abort();
	bs->in = &in;
	http_response_init(&resp);
	resp.status = 200;
	if (buf_add(&resp.body, data, size, &e) == -1 ||
	    (j = social_json("GET fuzz", &resp, JSON_OBJECT, &e)) == NULL)
		goto out;
	for (kind = SRC_NOTIFICATIONS; kind <= SRC_SEARCH; kind++) {
		items = json_object_get(j, lists[kind]);
		/* Oldest (last) first, as walk takes them. */
		for (i = json_array_size(items); i > 0; i--) {
			it = json_array_get(items, i - 1);
			post = item_post(kind, it);
			(void)indexed_at(post != NULL ? post : it);
			if (post != NULL && take_post(bs, post, kind == SRC_OWN, &e) == -1)
				goto out;
		}
	}
out:
	json_decref(j);
	intake_release(&in);
	bs->in = NULL;
	http_response_release(&resp);
	return 0;
}
