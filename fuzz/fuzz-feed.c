/* fuzz-feed.c -- libFuzzer target for the feed connector's reading of a
 * feed document (connectors/feed.c): the input is a response body; it is
 * mended (feed_source), parsed (feed_parse, with a Content-Type charset
 * chosen by the input's length) and its entries taken (take_doc) into an
 * intake over an in-memory store, then the batch is rolled back so every
 * input meets the same empty store.
 *
 * Those functions are static and the module owns them, so this harness
 * #includes feed.c rather than widen its interface for a test: the
 * harness must not be linked with feed.o (libescalator.a only supplies it
 * when something else asks for feed_connector, and this file defines it).
 * No network: the struct feed has no HTTP handle, and nothing on the path
 * from a body to the intake uses one.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -I.. \
 *       $(pkg-config --cflags libxml-2.0) -o fuzz-feed fuzz/fuzz-feed.c \
 *       libescalator.a -letpan -lsqlite3 -lxml2 -ljansson -lcurl -lgnutls -lm
 *   ./fuzz-feed -max_len=262144 -timeout=10 -dict=fuzz/feed.dict CORPUS \
 *       SEEDS
 *
 * (SEEDS: tests/data's *.rss, *.atom, *.rdf and *.xml, or any feeds.)
 * fuzz/replay.c in place of -fsanitize=fuzzer replays a crash without
 * libFuzzer. */
#include "connectors/feed.c"

#include "common/log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "", "application/rss+xml; charset=utf-8",
		"text/xml; charset=\"iso-8859-1\"", "application/atom+xml;charset=windows-1251" };
	static struct store *st;
	static struct conf_channel ch;
	struct http_response resp;
	struct intake in;
	struct err e = ERR_INIT;
	struct feed f;
	xmlDoc *doc;

	if (st == NULL) {
		log_init(1, LOG_ERR);	/* the warnings of bad feeds are expected */
		if (store_open(&st, ":memory:", &e) == -1)
			abort();
		ch.name = "fuzz";
		ch.url = "https://feeds.example.com/mentions.atom";
		ch.kind = CONF_FEED;
		ch.public = 1;
	}
	if (size > FEED_MAX)
		return 0;
	if (intake_init(&in, st, ch.name, "feed", 1, 1700000000, &e) == -1)
		abort();
	memset(&f, 0, sizeof(f));
	f.ch = &ch;
	f.in = &in;
	(void)esc_strlcpy(f.host, "feeds.example.com", sizeof(f.host));
	buf_init(&f.text, FEED_TEXT_MAX);
	buf_init(&f.tmp, FEED_TEXT_MAX);
	buf_init(&f.src, 2 * FEED_MAX);
	http_response_init(&resp);
	resp.status = 200;
	(void)esc_strlcpy(resp.content_type, types[size % 4], sizeof(resp.content_type));
	if (buf_add(&resp.body, data, size, &e) == 0 &&
	    (size == 0 || memmem(data, size, "<!ENTITY", 8) == NULL) &&	/* as feed_poll */
	    (doc = feed_parse(&f, &resp, "GET fuzz", &e)) != NULL) {
		(void)take_doc(&f, doc, "GET fuzz", &e);
		xmlFreeDoc(doc);
	}
	intake_release(&in);
	http_response_release(&resp);
	buf_release(&f.text);
	buf_release(&f.tmp);
	buf_release(&f.src);
	return 0;
}
