#!/bin/sh
# t-social.sh -- the Mastodon, Bluesky and feed connectors against a local
# HTTP server (tests/replay-http) that replays responses in the APIs'
# documented shapes from tests/data/9NNN-*.routes, and logs what it saw.
# Cases 9xxx: paging and cursors, threading, outbound replies, edits and
# deletions, rate limits (429 + Retry-After, X-RateLimit-*), 500s, cut,
# invalid and oversized bodies, an expired Bluesky session, ETag/304, XML
# entities refused, compressed responses, and the queue order.
# KEEP=1 copies the temporary directory to /tmp/soc-keep on exit.
. "$top_srcdir/tests/lib.sh"
D=$TESTDATA
NOW=2026-11-20T12:00:00Z
REPLAY="$top_builddir/tests/replay-http"
export ESCALATOR_HTTP_TIMEOUT=10
SRV_PID=
trap 'unserve; [ -n "${KEEP:-}" ] && cp -r "$TMP" /tmp/soc-keep; rm -rf "$TMP"' EXIT

# serve ROUTES: starts the replay server; sets BASE (http://127.0.0.1:PORT).
serve() {
	unserve
	rm -f "$TMP/port"
	"$REPLAY" "$1" "$TMP/port" "$TMP/requests.log" 2>>"$TMP/replay.err" &
	SRV_PID=$!
	i=0
	while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	BASE="http://127.0.0.1:$(cat "$TMP/port")"
}
unserve() {
	if [ -n "$SRV_PID" ]; then
		kill "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		SRV_PID=
	fi
}
# conf FILE CHANNEL-BLOCK...: a configuration with these channels.
conf() {
	f=$1; shift
	{
		echo 'tier 1 { owner "t1@example.com"  first-response 1h }'
		for c in "$@"; do echo "$c"; done
	} >"$TMP/$f"
}
# pl CONF DB [ARGS...]: one `poll --json` at $NOW (or $WHEN); the log in $TMP/poll.err.
pl() {
	c=$1 db=$2; shift 2
	esc -c "$TMP/$c" --db "$TMP/$db.db" --now "${WHEN:-$NOW}" poll --json "$@" 2>"$TMP/poll.err"
}
sql() { sqlite3 "$TMP/$1.db" "$2"; }
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
has() { case "$1" in *"$2"*) ;; *) echo "expected '$2' in '$1'"; return 1;; esac; }
requests() { grep -c "$1" "$TMP/requests.log" || true; }
ticket_of() { sql "$1" "SELECT ticket_id FROM message WHERE message_id = '$2'"; }
# msg CHANNEL-DB EXTERNAL-ID COLUMNS: one stored message's columns, '|'-joined
msg() { sql "$1" "SELECT $3 FROM message WHERE external_id = '$2'"; }
events() { esc --db "$TMP/$1.db" show --json "$2" | jq -r '[.events[].kind] | join(",")'; }

printf 'mastodon-token\n' >"$TMP/masto.token"
printf 'app-pass-word\n' >"$TMP/bsky.pass"
chmod 600 "$TMP/masto.token" "$TMP/bsky.pass"
MID=mastodon.127.0.0.1
masto() {
	echo "channel brand mastodon { instance \"$BASE\" token-file \"$TMP/masto.token\" $* }"
}

# ---- Mastodon ---------------------------------------------------------

t9001() {
	: >"$TMP/requests.log"
	serve "$D/9001-mastodon.routes"
	conf m.conf "$(masto)"
	out=$(pl m.conf m) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].ok')" true &&
	# S1, S2, S4 as mentions, S3 as the brand's reply; S5 and S6 left alone
	eq "$(echo "$out" | jq -r '.[0].stored')" 4 &&
	eq "$(echo "$out" | jq -r '.[0].tickets_opened')" 2 &&
	eq "$(sql m "SELECT value FROM cursor WHERE source = 'notifications'")" 4103 &&
	eq "$(sql m "SELECT value FROM cursor WHERE source = 'statuses'")" 113000000000000006 &&
	eq "$(sql m "SELECT count(*) FROM message WHERE message_id IN ('$MID.113000000000000005', '$MID.113000000000000006')")" 0 &&
	# paging: from min_id=0 along rel="prev"
	grep -q 'GET /api/v1/notifications?types%5B%5D=mention&types%5B%5D=quote&types%5B%5D=update&types%5B%5D=quoted_update&min_id=0&limit=40 auth="Bearer mastodon-token" ua="escalator/' "$TMP/requests.log" &&
	grep -q 'GET /api/v1/notifications?limit=40&min_id=4102&types%5B%5D=mention' "$TMP/requests.log" &&
	grep -q 'GET /api/v1/notifications?limit=40&min_id=4103&types%5B%5D=mention' "$TMP/requests.log" &&
	grep -q 'ae="[^"]*gzip' "$TMP/requests.log" &&
	! grep -q UNMATCHED "$TMP/requests.log" &&
	# visibility, reach, HTML to text, the handle
	eq "$(sql m "SELECT public || ' ' || reach || ' ' || from_addr FROM message WHERE message_id = '$MID.113000000000000001'")" \
	    "1 12000 alice@other.example" &&
	eq "$(sql m "SELECT public || ' ' || reach || ' ' || from_addr FROM message WHERE message_id = '$MID.113000000000000002'")" \
	    "0 3 bob@127.0.0.1" &&
	eq "$(sql m "SELECT text FROM message WHERE message_id = '$MID.113000000000000001'")" \
	    "@brand your app deleted all my photos. This is terrible, I am furious!" &&
	# no token in the log or the database
	! grep -q mastodon-token "$TMP/poll.err" &&
	eq "$(sql m "SELECT count(*) FROM message WHERE raw LIKE '%mastodon-token%'")" 0
}
check 9001 "mastodon: mentions paged from min_id=0 along the Link header, cursor committed" t9001

t9002() {
	t=$(ticket_of m "$MID.113000000000000001")
	[ -n "$t" ] &&
	eq "$(ticket_of m "$MID.113000000000000003")" "$t" &&
	eq "$(ticket_of m "$MID.113000000000000004")" "$t" &&
	eq "$(esc --db "$TMP/m.db" show --json "$t" | jq -r '[.messages[].direction] | join(",")')" in,out,in &&
	eq "$(esc --db "$TMP/m.db" queue --all --json | jq -r "map(select(.id == $t))[0].status")" open &&
	grep -q 'GET /api/v1/statuses/113000000000000004/context' "$TMP/requests.log" &&
	eq "$(sql m "SELECT count(DISTINCT ticket_id) FROM message")" 2
}
check 9002 "mastodon: a reply threads by in_reply_to_id and context; the brand's reply is outbound" t9002

t9003() {
	t1=$(ticket_of m "$MID.113000000000000001")
	t2=$(ticket_of m "$MID.113000000000000002")
	s1=$(sql m "SELECT sentiment FROM message WHERE message_id = '$MID.113000000000000001'")
	: >"$TMP/requests.log"
	serve "$D/9003-mastodon.routes"
	conf m.conf "$(masto)"
	out=$(pl m.conf m) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 1 &&
	grep -q 'min_id=4103' "$TMP/requests.log" && ! grep -q 'min_id=0&' "$TMP/requests.log" &&
	eq "$(sql m "SELECT value FROM cursor WHERE source = 'notifications'")" 4104 &&
	# edited: new text, same ticket, an event
	has "$(sql m "SELECT text FROM message WHERE message_id = '$MID.113000000000000001'")" \
	    "EDIT: they are back, never mind" &&
	eq "$(ticket_of m "$MID.113000000000000001")" "$t1" &&
	has "$(events m "$t1")" message-edited &&
	# the edit added a picture: attachments and text say so, the event
	# names what changed, and the new words are scored
	eq "$(sql m "SELECT json_extract(attachments, '\$[0].url') FROM message WHERE message_id = '$MID.113000000000000001'")" \
	    https://social.example/media/2.png &&
	has "$(sql m "SELECT text FROM message WHERE message_id = '$MID.113000000000000001'")" "[the restored album]" &&
	eq "$(sql m "SELECT json_extract(detail, '\$.changed') FROM event WHERE kind = 'message-edited'")" \
	    '["text","attachments"]' &&
	s2=$(sql m "SELECT sentiment FROM message WHERE message_id = '$MID.113000000000000001'") &&
	[ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" != "$s2" ] &&
	# deleted: marked, kept, an event
	eq "$(sql m "SELECT deleted IS NOT NULL FROM message WHERE message_id = '$MID.113000000000000002'")" 1 &&
	has "$(events m "$t2")" message-deleted &&
	# media descriptions are part of the text
	has "$(sql m "SELECT text FROM message WHERE message_id = '$MID.113000000000000007'")" \
	    "[screenshot of an error page]" &&
	# a third poll with nothing new repeats nothing
	out=$(pl m.conf m) && eq "$(echo "$out" | jq -r '.[0].stored')" 0 &&
	eq "$(sql m "SELECT count(*) FROM event WHERE kind = 'message-edited'")" 1
}
check 9003 "mastodon: the next poll starts at the cursor; edits keep the ticket, update media and rescore, deletions are marked" t9003

printf 'GET /api/v1/accounts/verify_credentials\nbody 9001-verify-credentials.json\nend\n' \
    >"$TMP/verify.routes"
cp "$D"/9001-verify-credentials.json "$D"/9001-notifications-1.json "$TMP/"
# routes FILE LINES...: a routes file in $TMP (bodies found in $TMP too)
routes() {
	f=$1; shift
	{ cat "$TMP/verify.routes"; for l in "$@"; do printf '%s\n' "$l"; done; } >"$TMP/$f"
}

t9004() {
	: >"$TMP/requests.log"
	routes r.routes \
	    'GET /api/v1/notifications min_id=4104' 'status 429' 'header Retry-After: 120' \
	    'text {"error":"Too many requests"}' end \
	    'GET /api/v1/notifications min_id=4104' 'text []' end \
	    'GET /api/v1/accounts/109000000000000001/statuses' 'text []' end \
	    "GET /api/v1/statuses/113000000000000002" 'status 404' 'text {"error":"Record not found"}' end \
	    "GET /api/v1/statuses/113000000000000001" "body $D/9003-status-1-edited.json" end \
	    "GET /api/v1/statuses/113000000000000004" "body $D/9001-status-4.json" end \
	    "GET /api/v1/statuses/113000000000000007" "body $D/9003-status-7.json" end \
	    'GET /reviews.rss' "body $D/9020-reviews.xml" end
	serve "$TMP/r.routes"
	conf r.conf "$(masto)" "channel reviews feed { url \"$BASE/reviews.rss\" }"
	out=$(pl r.conf m); rc=$?
	eq "$rc" 75 &&
	eq "$(echo "$out" | jq -r '.[0].not_before')" 2026-11-20T12:02:00Z &&
	has "$(echo "$out" | jq -r '.[0].error')" "429 Too Many Requests, not before 2026-11-20T12:02:00Z" &&
	# no retry, no sleep; the feed was read all the same
	! grep -q 'event=retry' "$TMP/poll.err" && eq "$(requests 'min_id=4104')" 1 &&
	eq "$(echo "$out" | jq -r '.[1].ok')" true && eq "$(echo "$out" | jq -r '.[1].stored')" 3 &&
	grep -q 'channel=brand host=127.0.0.1 event=rate-limited not before 2026-11-20T12:02:00Z' "$TMP/poll.err" &&
	# before then, the next poll does not knock at all
	WHEN=2026-11-20T12:01:00Z pl r.conf m brand >/dev/null; rc=$?
	eq "$rc" 75 && eq "$(requests 'min_id=4104')" 1 &&
	eq "$(requests verify_credentials)" 1 &&
	# after, it goes on
	out=$(WHEN=2026-11-20T12:02:30Z pl r.conf m brand) &&
	eq "$(echo "$out" | jq -r '.[0].ok')" true && eq "$(requests 'min_id=4104')" 2
}
check 9004 "rate limit: 429 with Retry-After says 'not before T', is not retried and blocks no other channel" t9004

t9005() {
	: >"$TMP/requests.log"
	routes r.routes \
	    'GET /api/v1/notifications min_id=0' 'status 500' 'text <h1>We are sorry</h1>' end \
	    'GET /api/v1/notifications min_id=0' 'status 500' 'text <h1>We are sorry</h1>' end \
	    'GET /api/v1/notifications min_id=0' 'body 9001-notifications-1.json' end \
	    'GET /api/v1/notifications min_id=4102' 'text []' end \
	    'GET /api/v1/accounts/109000000000000001/statuses' 'text []' end \
	    'GET /api/v1/statuses/113000000000000001' "body $D/9001-status-1.json" end \
	    'GET /api/v1/statuses/113000000000000002' "body $D/9001-status-2.json" end
	serve "$TMP/r.routes"
	conf r.conf "$(masto)"
	out=$(pl r.conf e5 --retries 0); rc=$?
	eq "$rc" 75 && has "$(echo "$out" | jq -r '.[0].error')" "500 Internal Server Error" &&
	eq "$(sql e5 "SELECT count(*) FROM message")" 0 &&
	eq "$(sql e5 "SELECT count(*) FROM cursor WHERE source = 'notifications'")" 0 &&
	# a 500 heals: retried after a back-off
	out=$(pl r.conf e5 --retries 1) || { cat "$TMP/poll.err"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 &&
	grep -q 'event=retry attempt=2' "$TMP/poll.err"
}
check 9005 "a 500 fails the channel with EX_TEMPFAIL and no cursor; a retry after back-off heals it" t9005

t9006() {
	: >"$TMP/requests.log"
	routes r.routes \
	    'GET /api/v1/notifications min_id=0' 'header Content-Type: application/json' \
	    'body 9001-notifications-1.json' 'truncate 300' end \
	    'GET /api/v1/notifications min_id=0' 'text [{"id":"4101","type":"mention",' end \
	    'GET /api/v1/notifications min_id=0' 'fill 9000000' end \
	    'GET /api/v1/notifications min_id=0' 'body 9001-notifications-1.json' end \
	    'GET /api/v1/notifications min_id=4102' 'text []' end \
	    'GET /api/v1/accounts/109000000000000001/statuses' 'text []' end \
	    'GET /api/v1/statuses/113000000000000001' "body $D/9001-status-1.json" end \
	    'GET /api/v1/statuses/113000000000000002' "body $D/9001-status-2.json" end
	serve "$TMP/r.routes"
	conf r.conf "$(masto)"
	out=$(pl r.conf e6 --retries 0); rc=$?
	eq "$rc" 75 && has "$(echo "$out" | jq -r '.[0].error')" "partial" &&
	out=$(pl r.conf e6 --retries 0); rc=$?
	eq "$rc" 65 && has "$(echo "$out" | jq -r '.[0].error')" "invalid JSON" &&
	out=$(pl r.conf e6 --retries 0); rc=$?
	eq "$rc" 65 && has "$(echo "$out" | jq -r '.[0].error')" "response exceeds 8388608 bytes" &&
	eq "$(sql e6 "SELECT count(*) FROM message")" 0 &&
	eq "$(sql e6 "SELECT count(*) FROM cursor")" 0 &&
	out=$(pl r.conf e6) && eq "$(echo "$out" | jq -r '.[0].stored')" 2
}
check 9006 "a cut body, invalid JSON and an oversized body fail cleanly and store nothing" t9006

t9007() {
	: >"$TMP/requests.log"
	routes r.routes \
	    'GET /api/v1/notifications min_id=0' 'header X-RateLimit-Limit: 300' \
	    'header X-RateLimit-Remaining: 0' 'header X-RateLimit-Reset: 2026-11-20T12:05:00.000Z' \
	    'body 9001-notifications-1.json' end \
	    'GET /api/v1/notifications min_id=4102' 'text []' end
	serve "$TMP/r.routes"
	conf r.conf "$(masto)"
	out=$(pl r.conf e7); rc=$?
	eq "$rc" 75 && eq "$(echo "$out" | jq -r '.[0].stored')" 2 &&
	eq "$(echo "$out" | jq -r '.[0].not_before')" 2026-11-20T12:05:00Z &&
	eq "$(sql e7 "SELECT value FROM cursor WHERE source = 'notifications'")" 4102 &&
	eq "$(requests 'min_id=4102')" 0
}
check 9007 "X-RateLimit-Remaining: 0 keeps the page and waits for X-RateLimit-Reset" t9007

t9008() {
	: >"$TMP/requests.log"
	routes r.routes \
	    'GET /api/v1/notifications' 'text []' end \
	    'GET /api/v1/accounts/109000000000000001/statuses' 'text []' end \
	    'GET /api/v1/timelines/tag/brandapp !min_id' "body $D/9008-tag.json" end \
	    'GET /api/v1/timelines/tag/brandapp min_id=113000000000000010' 'text []' end \
	    'GET /api/v2/search q=* type=statuses' "body $D/9008-search.json" end \
	    "GET /api/v1/statuses/113000000000000010" "body $D/9008-status-10.json" end \
	    "GET /api/v1/statuses/113000000000000011" "body $D/9008-status-11.json" end
	serve "$TMP/r.routes"
	conf r.conf "$(masto 'hashtag "#brandapp" search "brandapp login"')"
	out=$(pl r.conf e8) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 && eq "$(echo "$out" | jq -r '.[0].already_present')" 1 &&
	eq "$(sql e8 "SELECT value FROM cursor WHERE source = 'tag:brandapp'")" 113000000000000010 &&
	eq "$(sql e8 "SELECT value FROM cursor WHERE source = 'search:brandapp login'")" 113000000000000011 &&
	# unlisted is public; the first look at a tag starts at its newest page
	eq "$(sql e8 "SELECT public FROM message WHERE message_id = '$MID.113000000000000011'")" 1 &&
	grep -q 'GET /api/v1/timelines/tag/brandapp?limit=40 ' "$TMP/requests.log"
}
check 9008 "mastodon: hashtag and search sources, deduplicated against each other" t9008

# ---- Mastodon: shapes real servers send --------------------------------

t9050() {
	: >"$TMP/requests.log"
	serve "$D/9050-mastodon.routes"
	conf m50.conf "$(masto)"
	out=$(pl m50.conf m50) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# three mentions; favourite, reblog and admin.sign_up are no messages
	eq "$(echo "$out" | jq -r '.[0].stored')" 3 &&
	eq "$(sql m50 "SELECT value FROM cursor WHERE source = 'notifications'")" 5109 &&
	! grep -q UNMATCHED "$TMP/requests.log" &&
	# custom emoji out of the name; the link whole; the image and the poll said
	eq "$(msg m50 114000000000000101 "from_name || '|' || public || '|' || reach || '|' || text")" \
	    "Carol|1|4200|@brand the #brandapp update wiped my settings again :blobcatangry:
details: https://status.brand.example/incidents/2026-11-20-settings-reset

What should I do?

[image]
[poll: Refund / Fix it]" &&
	# private with a content warning, no display name, no url, no followers
	eq "$(msg m50 114000000000000104 "from_name || '|' || public || '|' || ifnull(reach, '-') || '|' || url || '|' || subject")" \
	    "dora|0|-|https://social.example/users/dora/statuses/114000000000000104|CW: billing" &&
	# null where arrays are expected
	eq "$(msg m50 114000000000000106 "from_name || '|' || text")" "Eve|@brand still waiting for an answer"
}
check 9050 "mastodon: a 4.x page with emoji, polls, bare images, nulls and other notification types" t9050

t9051() {
	: >"$TMP/requests.log"
	serve "$D/9051-gotosocial.routes"
	conf g.conf "$(masto)"
	out=$(pl g.conf g) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 &&
	eq "$(sql g "SELECT value FROM cursor WHERE source = 'notifications'")" 01JD40B9E0000000000000GXNA &&
	# the Link to gts.example is not followed: the cursor is
	grep -q 'GET /api/v1/notifications?types%5B%5D=mention&types%5B%5D=quote&types%5B%5D=update&types%5B%5D=quoted_update&min_id=01JD40B9E0000000000000GXNA&limit=40 ' "$TMP/requests.log" &&
	eq "$(msg g 01JD40A1B2C3D4E5F6G7H8J9KM "url || '|' || from_addr")" \
	    "https://gts.example/users/frank/statuses/01JD40A1B2C3D4E5F6G7H8J9KM|frank@127.0.0.1" || return 1
	# the next poll rechecks them: an edit and a deletion
	serve "$D/9051-gotosocial-2.routes"
	conf g.conf "$(masto)"
	out=$(pl g.conf g) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].edited')" 1 && eq "$(echo "$out" | jq -r '.[0].deleted')" 1 &&
	has "$(msg g 01JD40A1B2C3D4E5F6G7H8J9KM text)" "Works in Chrome, so not urgent" &&
	eq "$(msg g 01JD40B9C8D7E6F5G4H3J2K1MN "deleted IS NOT NULL")" 1
}
check 9051 "mastodon: GoToSocial's ULIDs are paged and rechecked; a Link to another host is not followed" t9051

t9052() {
	: >"$TMP/requests.log"
	serve "$D/9052-mastodon1.routes"
	conf o1.conf "$(masto)"
	out=$(pl o1.conf o1) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 &&
	eq "$(sql o1 "SELECT value FROM cursor WHERE source = 'notifications'")" 89 &&
	eq "$(msg o1 2002 "in_reply_to")" "$MID.2001" &&
	eq "$(msg o1 2002 ticket_id)" "$(msg o1 2001 ticket_id)" &&
	grep -q 'GET /api/v1/accounts/1/statuses' "$TMP/requests.log"
}
check 9052 "mastodon: ids sent as JSON numbers (Mastodon 1.x) are read as ids" t9052

t9053() {
	: >"$TMP/requests.log"
	routes s.routes \
	    'GET /api/v1/notifications min_id=0' 'body 9001-notifications-1.json' end \
	    'GET /api/v1/notifications min_id=4102' 'text []' end \
	    'GET /api/v1/accounts/109000000000000001/statuses' 'text []' end \
	    'GET /api/v2/search' 'text {"accounts":[],"hashtags":[]}' end
	serve "$TMP/s.routes"
	conf s.conf "$(masto 'search "brandapp"')"
	out=$(pl s.conf s53 --retries 0); rc=$?
	eq "$rc" 65 &&
	eq "$(echo "$out" | jq -r '.[0].error')" 'GET /api/v2/search: no "statuses" array in the response' &&
	grep -q 'channel=brand host=127.0.0.1 event=poll-failed error="GET /api/v2/search: no' "$TMP/poll.err" &&
	# what came before it stays
	eq "$(sql s53 "SELECT count(*) FROM message")" 2 &&
	eq "$(sql s53 "SELECT value FROM cursor WHERE source = 'notifications'")" 4102
}
check 9053 "mastodon: a search answer without statuses fails the channel by name and keeps the mentions" t9053

t9054() {
	: >"$TMP/requests.log"
	routes r54.routes \
	    'GET /api/v1/notifications min_id=0' 'body 9001-notifications-1.json' end \
	    'GET /api/v1/notifications min_id=4102' 'text []' end \
	    'GET /api/v1/accounts/109000000000000001/statuses' 'text []' end \
	    'GET /api/v1/statuses/113000000000000001' 'status 403' \
	    'text {"error":"This action is not allowed"}' end \
	    'GET /api/v1/statuses/113000000000000002' 'status 404' \
	    'text {"error":"Record not found"}' end
	serve "$TMP/r54.routes"
	conf r54.conf "$(masto)"
	out=$(esc -v -c "$TMP/r54.conf" --db "$TMP/m54.db" --now $NOW poll --json --retries 0 \
	    2>"$TMP/poll.err") || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].ok')" true &&
	grep -q 'channel=brand host=127.0.0.1 event=recheck-refused status_id=113000000000000001 ' \
	    "$TMP/poll.err" &&
	# the post after the refused one was still checked; the refused one is kept
	eq "$(sql m54 "SELECT deleted IS NOT NULL FROM message WHERE message_id = '$MID.113000000000000002'")" 1 &&
	eq "$(sql m54 "SELECT deleted IS NULL FROM message WHERE message_id = '$MID.113000000000000001'")" 1
}
check 9054 "mastodon: a post the server refuses (403) on recheck is kept, logged and skipped" t9054

# mserve ROUTES DB [CHANNEL]: the replay server on ROUTES and a channel
# (masto, the default, or bsky) for DB; then mpoll DB polls it verbosely
# (not in the same $(...): the server would hold its output open).
mserve() {
	: >"$TMP/requests.log"
	serve "$D/$1"
	conf "$2.conf" "$(${3:-masto})"
}
mpoll() {
	esc -v -c "$TMP/$1.conf" --db "$TMP/$1.db" --now $NOW poll --json 2>"$TMP/poll.err"
}

t9062() {
	mserve 9062-mastodon44.routes m62
	out=$(mpoll m62) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# a quote, two mentions; the update edits hugo's post of the same page
	eq "$(echo "$out" | jq -r '.[0].stored')" 3 && eq "$(echo "$out" | jq -r '.[0].edited')" 1 &&
	eq "$(sql m62 "SELECT value FROM cursor WHERE source = 'notifications'")" 7005 &&
	! grep -q UNMATCHED "$TMP/requests.log" &&
	grep -q 'event=skip-edit type=quoted_update status_id="115000000000000150" why="not a post we store' \
	    "$TMP/poll.err" &&
	# the quoted post below, "> " lines; the RE: fallback line gone; media
	eq "$(msg m62 115000000000000201 "lang || '|' || text")" \
	    "en|Since this update my calendar no longer syncs. Three days lost, very annoyed.

[error dialog: sync failed, code 409]
[gifv]

> @brand@127.0.0.1:
> Version 5 of the app is out today: a new sync engine and offline mode." &&
	t=$(msg m62 115000000000000201 ticket_id) &&
	eq "$(esc --db "$TMP/m62.db" show --json "$t" | jq -c '.messages[0] | [.language, .attachments]')" \
	    '["en",[{"name":"sync-error.png","type":"image/*","url":"https://files.social.example/media/attachments/aa/sync-error.png"},{"name":"spinner.mp4","type":"video/*","url":"https://files.social.example/media/attachments/aa/spinner.mp4"}]]' &&
	# what the customer wrote now is scored, not the quote
	eq "$(esc --db "$TMP/m62.db" show "$t" | grep -c '^Language: en$')" 1 &&
	eq "$(sql m62 "SELECT count(*) FROM message WHERE text_scored LIKE '%sync engine%' OR (scored_len IS NOT NULL AND substr(text, 1, scored_len) LIKE '%sync engine%')")" 0 &&
	# a deleted quote says so; the edit is in place
	eq "$(msg m62 115000000000000202 "lang || '|' || public || '|' || (edited IS NOT NULL) || '|' || text")" \
	    "de|1|1|@brand Seit dem Update stürzt die App beim Start ab. Version 5.0.1.

> [quoted post: deleted]" &&
	# a quote of a quote: the inner one is not shown, nor its RE: line
	eq "$(msg m62 115000000000000203 text)" "@brand same here, see below

> @greta@127.0.0.1:
> Since this update my calendar no longer syncs. Three days lost, very annoyed."
}
check 9062 "mastodon 4.4: quote notifications and quoted posts, update edits, language and media kept" t9062

# 9071: an edit is scored in the language the post says, as a new post
# is: "Wieder kaputt. Furchtbar!" has no word the guesser knows as
# German, and the English lexicon scores it 0.
t9071() {
	sed 's/Seit dem Update stürzt die App beim Start ab\. Version 5\.0\.1\./Wieder kaputt. Furchtbar!/' "$D/9062-notifications.json" \
	    >"$TMP/9071-notifications.json" &&
	sed 's/body 9062-notifications.json/body 9071-notifications.json/' \
	    "$D/9062-mastodon44.routes" >"$TMP/9071.routes" &&
	cp "$D/9001-verify-credentials.json" "$TMP/" || return 1
	: >"$TMP/requests.log"
	serve "$TMP/9071.routes"
	conf m71.conf "$(masto)"
	out=$(mpoll m71) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].edited')" 1 &&
	has "$(msg m71 115000000000000202 text)" "Wieder kaputt. Furchtbar!" &&
	eq "$(msg m71 115000000000000202 "lang || '|' || (sentiment < -0.5)")" "de|1"
}
check 9071 "mastodon: an edited post is rescored in its own language" t9071

t9063() {
	mserve 9063-pleroma.routes m63
	out=$(mpoll m63) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 3 &&
	grep -q 'event=types-refused status=400 why=' "$TMP/poll.err" &&
	grep -q 'GET /api/v1/notifications?types%5B%5D=mention&min_id=0&limit=40 ' "$TMP/requests.log" &&
	grep -q 'event=skip-notification id=911 type=pleroma:emoji_reaction why="not a post to answer"' \
	    "$TMP/poll.err" &&
	eq "$(sql m63 "SELECT value FROM cursor WHERE source = 'notifications'")" 912 &&
	# local is public on its instance; markdown's list; the MIME type known
	eq "$(msg m63 AHw1S2aBcDeFgHiJk1 "public || '|' || attachments || '|' || text")" \
	    '1|[{"name":"export.csv","type":"text/csv","url":"https://pleroma.example/media/6d1f/export.csv"}]|@brand export is broken on the web app:

- CSV: empty file
- PDF: error 500

[export.csv]' &&
	# list is private; <br/> lines; no language
	eq "$(msg m63 AHw1S3aBcDeFgHiJk2 "public || '|' || ifnull(lang, '-') || '|' || text")" \
	    "0|-|@brand my invoice shows the wrong VAT number
order 5521
please fix" &&
	eq "$(msg m63 AHw1S4aBcDeFgHiJk3 text)" "@brand does this explain why I could not log in?

> @brand@127.0.0.1:
> Maintenance tonight 22:00-23:00 UTC."
}
check 9063 "mastodon: Pleroma/Akkoma's refused types, local and list visibility, pleroma.quote, MIME types" t9063

t9064() {
	mserve 9064-firefish.routes m64
	out=$(mpoll m64) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 1 &&
	eq "$(sql m64 "SELECT value FROM cursor WHERE source = 'notifications'")" 9zq1a2b3n1 &&
	eq "$(msg m64 9zq1a2b3d5 "from_name || '|' || ifnull(lang, '-') || '|' || attachments || '|' || text")" \
	    'Mo|-|[{"name":"webpublic-7a1b.webp","type":"image/*","url":"https://fish.example/files/webpublic-7a1b.webp"}]|@brand@fish.example still no reply to ticket 4411, hire faster

[image]

> @brand@127.0.0.1:
> We are hiring support staff!'
}
check 9064 "mastodon: a Misskey fork's whole quoted Status, Misskey ids and a reaction notification" t9064

# ---- Bluesky ----------------------------------------------------------

BID=bluesky.did:plc
bsky() {
	echo "channel sky bluesky { handle \"@brand.example\" app-password-file \"$TMP/bsky.pass\" service \"$BASE\" $* }"
}

t9010() {
	: >"$TMP/requests.log"
	serve "$D/9010-bluesky.routes"
	conf b.conf "$(bsky)"
	out=$(pl b.conf b) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# the mentions of dave and erin, dave's reply, the brand's reply
	eq "$(echo "$out" | jq -r '.[0].stored')" 4 &&
	eq "$(echo "$out" | jq -r '.[0].tickets_opened')" 2 &&
	eq "$(sql b "SELECT value FROM cursor WHERE source = 'notifications'")" 2026-11-20T10:00:00.500Z &&
	grep -q 'POST /xrpc/com.atproto.server.createSession ua="escalator/[^"]*" ae="[^"]*" body={"identifier":"brand.example","password":"app-pass-word"}' \
	    "$TMP/requests.log" &&
	# reasons filtered by the server; a like moves nothing
	grep -q 'listNotifications?reasons=mention&reasons=reply&reasons=quote&limit=50' "$TMP/requests.log" &&
	grep -q 'listNotifications?.*cursor=2026-11-20T09%3A45%3A00.100Z' "$TMP/requests.log" &&
	! grep -q UNMATCHED "$TMP/requests.log" &&
	eq "$(sql b "SELECT reach || ' ' || public || ' ' || from_addr || ' ' || url FROM message WHERE message_id = '$BID:dave6s3xq2lnm4c7ya1fk9rt.3lbq1aaaa22a'")" \
	    "25000 1 did:plc:dave6s3xq2lnm4c7ya1fk9rt https://bsky.app/profile/dave.bsky.social/post/3lbq1aaaa22a" &&
	# both authors' profiles in one request, dave's asked once for two posts
	eq "$(requests 'getProfiles?')" 1 &&
	grep -q 'GET /xrpc/app.bsky.actor.getProfiles?actors=did%3Aplc%3A[a-z0-9]*&actors=did%3Aplc%3A[a-z0-9]* ' "$TMP/requests.log" &&
	eq "$(msg b at://did:plc:erin2v8dk5qp3ms6wz4nh1xj/app.bsky.feed.post/3lbq4dddd22d reach)" 150 &&
	! grep -q app-pass-word "$TMP/poll.err"
}
check 9010 "bluesky: session, notifications paged back by cursor, reach from cached profiles" t9010

t9011() {
	# createSession, listNotifications (expired), refreshSession, again
	grep -n 'listNotifications\|Session' "$TMP/requests.log" | head -4 >"$TMP/seq"
	sed -n 1p "$TMP/seq" | grep -q 'createSession' &&
	sed -n 2p "$TMP/seq" | grep -q 'listNotifications.* auth="Bearer access-1"' &&
	sed -n 3p "$TMP/seq" | grep -q 'refreshSession auth="Bearer refresh-1"' &&
	sed -n 4p "$TMP/seq" | grep -q 'listNotifications.* auth="Bearer access-2"' &&
	! grep -q 'access-[12]\|refresh-[12]' "$TMP/poll.err"
}
check 9011 "bluesky: an expired access token is refreshed with refreshSession and the call repeated" t9011

t9012() {
	t=$(ticket_of b "$BID:dave6s3xq2lnm4c7ya1fk9rt.3lbq1aaaa22a")
	[ -n "$t" ] &&
	eq "$(ticket_of b "$BID:dave6s3xq2lnm4c7ya1fk9rt.3lbq3cccc22c")" "$t" &&
	eq "$(ticket_of b "$BID:brand4k2rq7xw3mzp5yt6ve2c.3lbq2bbbb22b")" "$t" &&
	eq "$(esc --db "$TMP/b.db" show --json "$t" | jq -r '[.messages[].direction] | join(",")')" in,out,in &&
	eq "$(sql b "SELECT refs FROM message WHERE message_id = '$BID:dave6s3xq2lnm4c7ya1fk9rt.3lbq3cccc22c'")" \
	    "$BID:dave6s3xq2lnm4c7ya1fk9rt.3lbq1aaaa22a $BID:brand4k2rq7xw3mzp5yt6ve2c.3lbq2bbbb22b" &&
	# the next poll: nothing new, erin's post deleted, a search
	: >"$TMP/requests.log"
	serve "$D/9012-bluesky.routes"
	conf b.conf "$(bsky 'search "brand.example"')"
	out=$(pl b.conf b) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 1 &&
	eq "$(requests listNotifications)" 1 &&
	e=$(ticket_of b "$BID:erin2v8dk5qp3ms6wz4nh1xj.3lbq4dddd22d") &&
	eq "$(sql b "SELECT deleted IS NOT NULL FROM message WHERE message_id = '$BID:erin2v8dk5qp3ms6wz4nh1xj.3lbq4dddd22d'")" 1 &&
	has "$(events b "$e")" message-deleted &&
	eq "$(sql b "SELECT value FROM cursor WHERE source = 'search:brand.example'")" 2026-11-20T11:50:00.900Z &&
	eq "$(sql b "SELECT reach FROM message WHERE message_id = '$BID:frank9r4tm2wq8xn5ka7cv3e.3lbq6ffff22f'")" 900
}
check 9012 "bluesky: threads by reply root and parent; deletions marked; searchPosts" t9012

t9060() {
	: >"$TMP/requests.log"
	serve "$D/9060-bluesky.routes"
	conf b60.conf "$(bsky)"
	out=$(esc -v -c "$TMP/b60.conf" --db "$TMP/b60.db" --now $NOW poll --json 2>"$TMP/poll.err") ||
	    { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# ivy's mention, jon's reply, kim's quote; not the like, repost, follow
	# or the deleted record; the repeated cursor ends the paging
	eq "$(echo "$out" | jq -r '.[0].stored')" 3 &&
	eq "$(requests listNotifications)" 2 &&
	grep -q 'event=skip-post uri="at://did:plc:lou3t6mz9qk2wx8ye5nv4hr7/app.bsky.feed.post/3lbq8gone22a" why="not a post record"' "$TMP/poll.err" &&
	# the shortened link gets its URI; alt texts, "[image]" without one
	eq "$(msg b60 at://did:plc:ivy7h3kq2mz8xw4ne5rt6ya1/app.bsky.feed.post/3lbq3ivy222a "from_name || '|' || reach || '|' || text")" \
	    "ivy.bsky.social|310|@brand.example checkout broken again, see brand.example/status/inc... <https://brand.example/status/incident-2026-11-20> 😡
[error 502 on the checkout page]
[image]" &&
	# a facet off the text's bytes leaves it alone; the card's link is there once
	eq "$(msg b60 at://did:plc:jon5g2hv8kq3wz7ye4mt1xr6/app.bsky.feed.post/3lbq5jon222a "in_reply_to || '|' || text")" \
	    "$BID:brand4k2rq7xw3mzp5yt6ve2c.3lbqbrand0post|Still no refund 💸 for order 7731 — read this: blog.jon.example/brand-refunds
<https://blog.jon.example/brand-refunds>" &&
	# did:web; a quote with a video
	eq "$(msg b60 at://did:web:kim.example.org/app.bsky.feed.post/3lbq7kim222a "message_id || '|' || text")" \
	    "bluesky.did:web:kim.example.org.3lbq7kim222a|this is not what you promised
[video]

> @brand.example:
> Free shipping on every order this week.
> See the details on our site."
}
check 9060 "bluesky: link facets, alt texts, cards, quotes, deleted records and a repeated cursor" t9060

t9061() {
	: >"$TMP/requests.log"
	routes b61.routes \
	    'POST /xrpc/com.atproto.server.createSession' 'status 401' \
	    'text {"error":"AuthenticationRequired","message":"Invalid identifier or password"}' end
	serve "$TMP/b61.routes"
	conf b61.conf "$(bsky)"
	out=$(pl b61.conf b61 --retries 0); rc=$?
	eq "$rc" 78 &&
	eq "$(echo "$out" | jq -r '.[0].error')" \
	    "POST /xrpc/com.atproto.server.createSession: 401 Unauthorized: Invalid identifier or password" &&
	! grep -q app-pass-word "$TMP/poll.err" || return 1
	# rate limited at login: wait until ratelimit-reset, no retry
	routes b61.routes \
	    'POST /xrpc/com.atproto.server.createSession' 'status 429' 'header ratelimit-limit: 30' \
	    'header ratelimit-remaining: 0' 'header ratelimit-reset: 1795176300' \
	    'text {"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}' end
	serve "$TMP/b61.routes"
	conf b61.conf "$(bsky)"
	out=$(pl b61.conf b61 --retries 0); rc=$?
	eq "$rc" 75 && eq "$(echo "$out" | jq -r '.[0].not_before')" 2026-11-20T12:05:00Z || return 1
	# a 200 without the list it names: an error naming the call, nothing lost
	routes b61.routes \
	    'POST /xrpc/com.atproto.server.createSession' "body $D/9010-session.json" end \
	    'GET /xrpc/app.bsky.notification.listNotifications' 'text {"cursor":"2026-11-20T10:00:00.000Z"}' end
	serve "$TMP/b61.routes"
	conf b61.conf "$(bsky)"
	out=$(WHEN=2026-11-20T12:06:00Z pl b61.conf b61 --retries 0); rc=$?
	eq "$rc" 65 &&
	eq "$(echo "$out" | jq -r '.[0].error')" \
	    'GET /xrpc/app.bsky.notification.listNotifications: no "notifications" array in the response' &&
	grep -q 'channel=sky host=127.0.0.1 event=poll-failed error="GET /xrpc/app.bsky.notification.listNotifications: no' "$TMP/poll.err" &&
	eq "$(sql b61 "SELECT count(*) FROM cursor WHERE source = 'notifications'")" 0
}
check 9061 "bluesky: a refused login, a rate-limited one and a response without its list fail clearly" t9061

B65=at://did:plc:mia2k7wq4xz9pn3rt5vb8ce1/app.bsky.feed.post
t9065() {
	mserve 9065-bluesky.routes b65 bsky
	out=$(mpoll b65) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 4 && eq "$(echo "$out" | jq -r '.[0].deleted')" 0 &&
	! grep -q UNMATCHED "$TMP/requests.log" &&
	# the DID is the customer; the name shows the handle; languages, media
	eq "$(msg b65 $B65/3lcm1miaa22a "from_addr || '|' || from_name || '|' || lang || '|' || attachments || '|' || warnings")" \
	    'did:plc:mia2k7wq4xz9pn3rt5vb8ce1|Mia (@mia.bsky.social)|de, en|[{"name":"bafkreimiastatement","type":"image/jpeg","size":48213}]|labelled '\''porn'\'' by did:plc:ar7c4by46qjdydhdevvrndac' &&
	grep -q "event=labelled uri=\"$B65/3lcm1miaa22a\" labels=\"porn\" why=" "$TMP/poll.err" &&
	# a new handle, the same customer and ticket
	t=$(msg b65 $B65/3lcm1miaa22a ticket_id) &&
	eq "$(msg b65 $B65/3lcm4miac22c "ticket_id || '|' || from_addr || '|' || from_name")" \
	    "$t|did:plc:mia2k7wq4xz9pn3rt5vb8ce1|Mia (@mia-new.example)" &&
	eq "$(esc --db "$TMP/b65.db" show --json "$t" | jq -r '.customer + "|" + ([.messages[].direction] | join(","))')" \
	    "did:plc:mia2k7wq4xz9pn3rt5vb8ce1|in,out,in" &&
	# the brand's reply: its parent blocked in the view, answered by DID
	eq "$(sql b65 "SELECT recipients FROM message WHERE direction = 1")" '{"to":"did:plc:mia2k7wq4xz9pn3rt5vb8ce1"}' &&
	# handle.invalid: the DID names the author; the gone quote says so
	eq "$(msg b65 at://did:plc:nils5h8rt2wq7kz3mx9vc4pa/app.bsky.feed.post/3lcm2nils22b "from_addr || '|' || from_name || '|' || url || '|' || text")" \
	    "did:plc:nils5h8rt2wq7kz3mx9vc4pa|Nils|https://bsky.app/profile/did:plc:nils5h8rt2wq7kz3mx9vc4pa/post/3lcm2nils22b|remember when they promised this?
[image]

> [quoted post at://did:plc:gone7q2wx5kz8mt3rv6pn9ab/app.bsky.feed.post/3lcm0gone22z: deleted or not found]"
}
check 9065 "bluesky: languages, media blobs, labels, a gone quote, handle.invalid, a changed handle, a blocked parent" t9065

B66=at://did:plc:ola3k7wq4xz9pn3rt5vb8ce1/app.bsky.feed.post
t9066() {
	mserve 9066-bluesky.routes b66 bsky
	out=$(mpoll b66) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 5 &&
	# a tag with nothing valid left is no item, wherever it stands
	eq "$(msg b66 $B66/3lqa1ola22a lang)" "en, fr" &&
	eq "$(msg b66 $B66/3lqa2ola22b lang)" "de" &&
	eq "$(msg b66 $B66/3lqa3ola22c lang)" "pt-BR"
}
check 9066 "social: a language tag with nothing valid left leaves no empty item" t9066

t9067() {
	mserve 9067-mastodon.routes m67
	out=$(mpoll m67) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 3 &&
	# the quoted post's url is "": it names no line; the customer's RE: stays
	eq "$(msg m67 116000000000000101 text)" "RE: my ticket from Monday, nobody has answered

@brand so much for a day

> @brand@127.0.0.1:
> We answer every ticket within a day."
}
check 9067 "mastodon: a quoted post with an empty url removes no RE: line of the customer's" t9067

# every line of a quoted block starts "> ", whatever the server sends
quoted_only() {
	printf '%s\n' "$1" | sed -n '/^>/,$p' | grep -v '^> ' && return 1
	return 0
}
t9068() {
	mserve 9067-mastodon.routes m68
	out=$(mpoll m68) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(msg m68 116000000000000102 text)" "@brand is this true?

> @mallory this company is a scam, i want my money back@127.0.0.1:
> Anyone else?" &&
	eq "$(msg m68 116000000000000103 text)" "@brand thanks for the quick fix

> [quoted post 116000000000000052 awful: revoked Terrible service, I am furious]" &&
	mserve 9066-bluesky.routes b68 bsky &&
	out=$(mpoll b68) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	t=$(msg b68 at://did:plc:pia6h3kq2mz8xw4ne5rt6ya1/app.bsky.feed.post/3lqa4pia22d text) &&
	eq "$t" "is this true, @brand.example?

> @troll.example brand is a total scam, i hate them:
> Brand lost my parcel.
> They are liars and thieves." &&
	u=$(msg b68 at://did:plc:quin5g2hv8kq3wz7ye4mt1xr/app.bsky.feed.post/3lqa5qin22e text) &&
	quoted_only "$u" && has "$u" "You are all useless and I am furious" &&
	# what is scored is the customer's line only
	eq "$(sql b68 "SELECT count(*) FROM message WHERE text_scored LIKE '%scam%' OR text_scored LIKE '%furious%' OR text_scored LIKE '%liars%'")" 0 &&
	eq "$(sql m68 "SELECT count(*) FROM message WHERE text_scored LIKE '%scam%' OR text_scored LIKE '%furious%'")" 0
}
check 9068 "mastodon, bluesky: a line break in a quoted author, state or URI stays inside the \"> \" block" t9068

t9069() {
	: >"$TMP/requests.log"
	cp "$D"/9010-session.json "$D"/9066-*.json "$TMP/"
	# the quoted post's answer waits until the test has tried to write
	{ printf '%s\n' \
	    'GET /xrpc/app.bsky.feed.getPosts uris=at://did:plc:trol4q2wx5kz8mt3rv6pn9ab/app.bsky.feed.post/3lqa0trl22z' \
	    'hold b69.release' 'body 9066-quoted.json' end
	  cat "$D/9066-bluesky.routes"; } >"$TMP/b69.routes"
	rm -f "$TMP/b69.release"
	serve "$TMP/b69.routes"
	conf b69.conf "$(bsky)"
	mpoll b69 >"$TMP/b69.out" &
	pid=$!
	i=0
	while ! grep -q 'getPosts?uris=[^ ]*3lqa0trl22z' "$TMP/requests.log" && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	# while the AppView is asked, nothing holds the database's write lock
	lock=$(sqlite3 "$TMP/b69.db" "BEGIN IMMEDIATE; ROLLBACK;" 2>&1)
	: >"$TMP/b69.release"
	wait $pid || { cat "$TMP/poll.err"; return 1; }
	eq "$lock" "" &&
	eq "$(jq -r '.[0].stored' "$TMP/b69.out")" 5 &&
	# stored as when the answer comes at once
	eq "$(msg b69 at://did:plc:pia6h3kq2mz8xw4ne5rt6ya1/app.bsky.feed.post/3lqa4pia22d text)" \
	    "is this true, @brand.example?

> @troll.example brand is a total scam, i hate them:
> Brand lost my parcel.
> They are liars and thieves."
}
check 9069 "bluesky: quoted posts are fetched before the intake transaction, not while it holds the write lock" t9069

t9070() {
	: >"$TMP/requests.log"
	cp "$D"/9010-session.json "$D"/9066-*.json "$TMP/"
	# the three authors' profiles in one answer that comes late and
	# leaves out quin, whom the AppView cannot resolve
	{ printf '%s\n' \
	    'GET /xrpc/app.bsky.actor.getProfiles actors=did:plc:pia6h3kq2mz8xw4ne5rt6ya1' \
	    'hold b70.release' \
	    'text {"profiles":[{"did":"did:plc:pia6h3kq2mz8xw4ne5rt6ya1","followersCount":70},{"did":"did:plc:ola3k7wq4xz9pn3rt5vb8ce1","followersCount":50}]}' end
	  cat "$D/9066-bluesky.routes"; } >"$TMP/b70.routes"
	rm -f "$TMP/b70.release"
	serve "$TMP/b70.routes"
	conf b70.conf "$(bsky)"
	mpoll b70 >"$TMP/b70.out" &
	pid=$!
	i=0
	while ! grep -q 'getProfiles?[^ ]*actors=did%3Aplc%3Apia6h3kq2mz8xw4ne5rt6ya1' "$TMP/requests.log" &&
	    [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	# while the AppView is asked, nothing holds the database's write lock:
	# a writer without a busy timeout gets it, a reader reads
	lock=$(sqlite3 "$TMP/b70.db" "BEGIN IMMEDIATE; ROLLBACK;" 2>&1)
	esc --db "$TMP/b70.db" --now $NOW queue --json >"$TMP/b70.queue" 2>&1; qst=$?
	: >"$TMP/b70.release"
	wait $pid || { cat "$TMP/poll.err"; return 1; }
	eq "$lock" "" && eq "$qst" 0 &&
	eq "$(jq -r '.[0].stored' "$TMP/b70.out")" 5 &&
	# the late answer counts; the author left out costs the reach, not the
	# post, is asked once and is no failure
	eq "$(msg b70 at://did:plc:pia6h3kq2mz8xw4ne5rt6ya1/app.bsky.feed.post/3lqa4pia22d reach)" 70 &&
	eq "$(msg b70 at://did:plc:quin5g2hv8kq3wz7ye4mt1xr/app.bsky.feed.post/3lqa5qin22e "coalesce(reach, 'unknown')")" unknown &&
	eq "$(msg b70 at://did:plc:ola3k7wq4xz9pn3rt5vb8ce1/app.bsky.feed.post/3lqa1ola22a reach)" 50 &&
	eq "$(requests 'getProfiles?')" 1 &&
	eq "$(requests 'getProfiles?actors=did%3Aplc%3Aola3k7wq4xz9pn3rt5vb8ce1&actors=did%3Aplc%3Apia6h3kq2mz8xw4ne5rt6ya1&actors=did%3Aplc%3Aquin5g2hv8kq3wz7ye4mt1xr ')" 1 &&
	! grep -q 'event=profile-failed' "$TMP/poll.err"
}
check 9070 "bluesky: profiles are fetched before the intake transaction; an author left out of the answer stores the post, reach unknown" t9070

# walk N AUTHORS: $TMP/walk.json, N mentions (one a second from 10:00,
# newest first) by AUTHORS authors did:plc:walker0001... in turn; and
# $TMP/walk.routes, which answers getProfiles with $TMP/profiles-K.json
# for the request that asks for walkerK (written by profiles K L).
walk() {
	jq -n --argjson n "$1" --argjson a "$2" '{notifications: [range($n - 1; -1; -1) as $k |
	    ($k % $a + 1) as $i | ("did:plc:walker" + ("000" + ($i | tostring))[-4:]) as $did |
	    ("2026-11-20T10:" + ("0" + ($k / 60 | floor | tostring))[-2:] + ":" +
	     ("0" + ($k % 60 | tostring))[-2:]) as $t |
	    {uri: ("at://" + $did + "/app.bsky.feed.post/3lwalk" + ("000" + ($k | tostring))[-4:]),
	     cid: ("bafyreiwalk" + ($k | tostring)),
	     author: {did: $did, handle: ("walker" + ($i | tostring) + ".bsky.social"), labels: []},
	     reason: "mention",
	     record: {"$type": "app.bsky.feed.post", createdAt: ($t + "Z"), langs: ["en"],
	              text: ("@brand.example my order " + ($k | tostring) + " never arrived")},
	     isRead: false, indexedAt: ($t + ".100Z"), labels: []}]}' >"$TMP/walk.json"
	cp "$D/9010-session.json" "$TMP/"
	printf '%s\n' 'POST /xrpc/com.atproto.server.createSession' 'body 9010-session.json' end \
	    'GET /xrpc/app.bsky.notification.listNotifications' 'body walk.json' end \
	    'GET /xrpc/app.bsky.feed.getAuthorFeed' 'text {"feed":[]}' end \
	    'GET /xrpc/app.bsky.feed.getPosts' 'text {"posts":[]}' end >"$TMP/walk.routes"
}
# profiles FIRST LAST: the answer for walkerFIRST..walkerLAST (followers
# 37 times the number), newest first: matched by DID, not by place
profiles() {
	jq -n --argjson f "$1" --argjson l "$2" '{profiles: [range($l; $f - 1; -1) as $i |
	    {did: ("did:plc:walker" + ("000" + ($i | tostring))[-4:]),
	     handle: ("walker" + ($i | tostring) + ".bsky.social"), followersCount: ($i * 37)}]}' \
	    >"$TMP/profiles-$1.json"
	printf '%s\n' "GET /xrpc/app.bsky.actor.getProfiles actors=did:plc:walker$(printf %04d "$1")" \
	    "body profiles-$1.json" end >>"$TMP/walk.routes"
}
# right_reach DB: messages whose reach is their author's followers
right_reach() {
	sql "$1" "SELECT count(*) FROM message WHERE reach = 37 * CAST(substr(from_addr, 15) AS INTEGER)"
}

# serve_walk60: a walk of 60 posts by 60 authors and their profiles in
# three batches, served with a fresh request log
serve_walk60() {
	: >"$TMP/requests.log"
	walk 60 60 && profiles 1 25 && profiles 26 50 && profiles 51 60 &&
	serve "$TMP/walk.routes"
}

t9072() {
	serve_walk60 || return 1
	conf b72.conf "$(bsky)"
	out=$(pl b72.conf b72) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 60 &&
	eq "$(sql b72 "SELECT count(DISTINCT ticket_id) FROM message")" 60 &&
	# 25, 25 and 10 authors a request, each asked once, oldest first
	eq "$(requests 'getProfiles?')" 3 &&
	eq "$(grep 'getProfiles?' "$TMP/requests.log" | awk '{ print gsub(/actors=/, "") }' | tr '\n' ' ')" "25 25 10 " &&
	eq "$(grep -o 'actors=[^& ]*' "$TMP/requests.log" | sort -u | wc -l)" 60 &&
	grep -q 'getProfiles?actors=did%3Aplc%3Awalker0001&actors=did%3Aplc%3Awalker0002&' "$TMP/requests.log" &&
	! grep -q UNMATCHED "$TMP/requests.log" &&
	# the reach of each ticket's post is its author's
	eq "$(right_reach b72)" 60 &&
	eq "$(sql b72 "SELECT reach FROM message WHERE from_addr = 'did:plc:walker0042'")" 1554
}
check 9072 "bluesky: 60 authors' reach in 3 getProfiles requests of at most 25, answers matched by DID" t9072

t9073() {
	# the daemon polls twice; the second poll finds the reaches in the cache
	serve_walk60 || return 1
	conf b73.conf "$(bsky 'poll 1s')"
	"$ESCALATOR" -c "$TMP/b73.conf" --db "$TMP/b73.db" run -f 2>"$TMP/run.err" &
	pid=$!
	i=0
	while [ "$(grep -c 'channel=sky event=polled' "$TMP/run.err")" -lt 2 ] && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -TERM $pid; wait $pid; rc=$?
	eq "$rc" 0 &&
	# two polls or more (a slow machine may start a third)
	[ "$(grep -c 'channel=sky event=polled' "$TMP/run.err")" -ge 2 ] &&
	[ "$(requests listNotifications)" -ge 2 ] &&
	eq "$(requests 'getProfiles?')" 3 &&
	eq "$(right_reach b73)" 60
}
check 9073 "bluesky: a second poll within the profile TTL asks for no profile" t9073

t9076() {
	# two polls from cron, each a process of its own: the second lists
	# the same posts, stored already, and asks for no profile
	serve_walk60 || return 1
	conf b76.conf "$(bsky)"
	out=$(pl b76.conf b76) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 60 &&
	eq "$(requests 'getProfiles?')" 3 &&
	out=$(pl b76.conf b76) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	[ "$(requests listNotifications)" -ge 2 ] &&
	eq "$(echo "$out" | jq -r '.[0].stored')" 0 &&
	eq "$(requests 'getProfiles?')" 3 &&
	eq "$(right_reach b76)" 60
}
check 9076 "bluesky: a poll of posts stored already asks for no profile, also from a new process" t9076

t9074() {
	# a server error, then a body that is not JSON, then one without the
	# list: each costs the reach of the batch, not the posts, in one line
	for answer in "status 500|text {\"error\":\"InternalServerError\"}" \
	    "text {\"profiles\":[{\"did\":\"did:plc:walker0001\",\"followers" \
	    'text {"actors":[]}'; do
		: >"$TMP/requests.log"
		walk 30 20
		printf '%s\n' 'GET /xrpc/app.bsky.actor.getProfiles' \
		    "$(echo "$answer" | cut -d'|' -f1)" >>"$TMP/walk.routes"
		case $answer in *'|'*) echo "$answer" | cut -d'|' -f2 >>"$TMP/walk.routes";; esac
		echo end >>"$TMP/walk.routes"
		serve "$TMP/walk.routes"
		conf b74.conf "$(bsky)"
		rm -f "$TMP/b74.db"
		out=$(pl b74.conf b74 --retries 0) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
		eq "$(echo "$out" | jq -r '.[0].stored')" 30 &&
		eq "$(sql b74 "SELECT count(*) FROM message WHERE reach IS NULL")" 30 &&
		eq "$(requests 'getProfiles?')" 1 &&
		eq "$(grep -c 'event=profile-failed' "$TMP/poll.err")" 1 &&
		grep -q 'channel=sky host=127.0.0.1 event=profile-failed error="GET [^ ]*/xrpc/app.bsky.actor.getProfiles[?:]' "$TMP/poll.err" &&
		! grep -q 'access-1\|app-pass-word' "$TMP/poll.err" || return 1
	done
}
check 9074 "bluesky: a failed, malformed or listless getProfiles answer stores the posts, reach unknown, one log line" t9074

t9075() {
	# rate limited on the first batch: the others are not asked
	: >"$TMP/requests.log"
	walk 60 60
	printf '%s\n' 'GET /xrpc/app.bsky.actor.getProfiles' 'status 429' 'header Retry-After: 300' \
	    'text {"error":"RateLimitExceeded"}' end >>"$TMP/walk.routes"
	serve "$TMP/walk.routes"
	conf b75.conf "$(bsky)"
	out=$(pl b75.conf b75 --retries 0); rc=$?
	eq "$rc" 75 &&
	eq "$(sql b75 "SELECT count(*) FROM message WHERE reach IS NULL")" 60 &&
	eq "$(requests 'getProfiles?')" 1 &&
	eq "$(grep -c 'event=profile-failed' "$TMP/poll.err")" 1
}
check 9075 "bluesky: a rate-limited getProfiles asks for no more profiles; the posts are stored" t9075

# ---- feeds ------------------------------------------------------------

t9020() {
	: >"$TMP/requests.log"
	routes f.routes \
	    'GET /reviews.rss' 'header Content-Type: application/rss+xml' 'header ETag: "v1"' \
	    'header Last-Modified: Fri, 20 Nov 2026 11:00:00 GMT' "body $D/9020-reviews.xml" end \
	    'GET /reviews.rss' 'status 304' 'header ETag: "v1"' end
	serve "$TMP/f.routes"
	conf f.conf "channel reviews feed { url \"$BASE/reviews.rss\" }"
	out=$(pl f.conf f) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 3 && eq "$(echo "$out" | jq -r '.[0].tickets_opened')" 3 &&
	eq "$(sql f "SELECT count(*) FROM message WHERE public = 1")" 3 &&
	eq "$(sql f "SELECT value FROM cursor WHERE source = 'etag'")" '"v1"' &&
	eq "$(sql f "SELECT value FROM cursor WHERE source = 'last-modified'")" 'Fri, 20 Nov 2026 11:00:00 GMT' &&
	# guid, else the link; HTML to text; title as subject; the author by name
	eq "$(sql f "SELECT subject || '|' || text || '|' || from_name FROM message WHERE external_id = 'reviews.example:review:9003'")" \
	    "1 star: support never answers|I have been waiting two weeks for a refund. Support never answers. Terrible experience, avoid!|Mallory" &&
	eq "$(sql f "SELECT subject FROM message WHERE external_id = 'https://reviews.example/brand/r/9002'")" "5 stars & more" &&
	has "$(sql f "SELECT text FROM message WHERE external_id = 'https://reviews.example/brand/r/9002'")" "- setup: 5 minutes" &&
	eq "$(sql f "SELECT count(*) FROM message WHERE external_id = 'https://reviews.example/brand/r/9001'")" 1 &&
	eq "$(sql f "SELECT date FROM message WHERE external_id = 'https://reviews.example/brand/r/9002'")" 1795100400 &&
	# the second poll asks with the validators and gets a 304
	out=$(pl f.conf f) && eq "$(echo "$out" | jq -r '.[0].read')" 0 &&
	grep -q 'GET /reviews.rss .*inm="v1" ims="Fri, 20 Nov 2026 11:00:00 GMT"' "$TMP/requests.log"
}
check 9020 "feed: RSS 2.0 items are public tickets; ETag and Last-Modified saved, 304 costs nothing" t9020

t9021() {
	: >"$TMP/requests.log"
	routes a.routes \
	    'GET /brand.atom' "body $D/9021-mentions.atom" end \
	    'GET /brand.atom' "body $D/9021-mentions-v2.atom" end
	serve "$TMP/a.routes"
	conf a.conf "channel mentions feed { url \"$BASE/brand.atom\" }"
	out=$(pl a.conf a) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 &&
	eq "$(sql a "SELECT subject || '|' || text || '|' || url FROM message WHERE external_id = 'tag:mentions.example,2026:entry-2'")" \
	    "Brand outage again?|Third outage this month. Their status page said all green the whole time. Disappointing.|https://blog.example/2026/11/outage" &&
	eq "$(sql a "SELECT text FROM message WHERE external_id = 'tag:mentions.example,2026:entry-1'")" \
	    "Solid app, Brand <https://brand.example/> did well." &&
	t=$(sql a "SELECT ticket_id FROM message WHERE external_id = 'tag:mentions.example,2026:entry-2'") &&
	out=$(pl a.conf a) && eq "$(echo "$out" | jq -r '.[0].stored')" 1 &&
	eq "$(sql a "SELECT text FROM message WHERE external_id = 'tag:mentions.example,2026:entry-3'")" \
	    "Checkout fails with error 500 & I lost my cart. Awful." &&
	has "$(sql a "SELECT text FROM message WHERE external_id = 'tag:mentions.example,2026:entry-2'")" "fixed it within the hour" &&
	eq "$(sql a "SELECT ticket_id FROM message WHERE external_id = 'tag:mentions.example,2026:entry-2'")" "$t" &&
	has "$(events a "$t")" message-edited
}
check 9021 "feed: Atom entries by id; an entry changed in the feed is an edit of its ticket" t9021

# 9026: what the source shows is what an edit is: the same entry, its
# text the same, is no edit even when the trimmer now scores less of it
# than it did (the salutation pass of schema 9: a row written before it
# holds the whole text as its scored text).
t9026() {
	cat >"$TMP/9026.rss" <<-'EOF'
	<?xml version="1.0" encoding="UTF-8"?>
	<rss version="2.0"><channel><title>Reviews</title><link>https://shop.example/</link>
	<description>reviews</description><item><guid>r1</guid><title>Crashes</title>
	<link>https://shop.example/r/1</link><pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate>
	<description>&lt;p&gt;Good morning,&lt;/p&gt;&lt;p&gt;the app crashes all the time, terrible.&lt;/p&gt;</description>
	</item></channel></rss>
	EOF
	: >"$TMP/requests.log"
	routes s.routes 'GET /s.rss' "body $TMP/9026.rss" end 'GET /s.rss' "body $TMP/9026.rss" end
	serve "$TMP/s.routes"
	conf s.conf "channel rv feed { url \"$BASE/s.rss\" }"
	out=$(pl s.conf s26) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 1 &&
	eq "$(sql s26 "SELECT coalesce(text_scored, CAST(substr(CAST(text AS BLOB), coalesce(scored_off, 0) + 1, scored_len) AS TEXT)) LIKE 'the app crashes%' FROM message")" 1 &&
	sql s26 "UPDATE message SET text_scored = NULL, scored_off = NULL, scored_len = NULL" &&
	s1=$(sql s26 "SELECT sentiment FROM message") &&
	out=$(WHEN=2026-11-20T13:00:00Z pl s.conf s26) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].edited')" 0 &&
	eq "$(sql s26 "SELECT count(*) FROM event WHERE kind = 'message-edited'")" 0 &&
	eq "$(sql s26 "SELECT (edited IS NULL) || '|' || sentiment FROM message")" "1|$s1"
}
check 9026 "feed: an entry whose text is the same is no edit, whatever its scored text" t9026

t9022() {
	routes x.routes 'GET /hostile.rss' "body $D/9022-entities.xml" end \
	    'GET /maintenance' "body $D/9023-not-a-feed.xml" end \
	    'GET /cut.rss' "body $D/9020-reviews.xml" 'truncate 1500' end \
	    'GET /big.rss' 'fill 9000000' end
	serve "$TMP/x.routes"
	conf x.conf "channel hostile feed { url \"$BASE/hostile.rss\" }" \
	    "channel maint feed { url \"$BASE/maintenance\" }" \
	    "channel cut feed { url \"$BASE/cut.rss\" }" "channel big feed { url \"$BASE/big.rss\" }"
	out=$(pl x.conf x --retries 0); rc=$?
	[ "$rc" -ne 0 ] &&
	has "$(echo "$out" | jq -r '.[0].error')" "declares XML entities (refused)" &&
	has "$(echo "$out" | jq -r '.[1].error')" "neither RSS nor Atom (root element 'html')" &&
	has "$(echo "$out" | jq -r '.[2].error')" "partial" &&
	has "$(echo "$out" | jq -r '.[3].error')" "response exceeds 8388608 bytes" &&
	eq "$(sql x "SELECT count(*) FROM message")" 0
}
check 9022 "feed: entity declarations refused, not-a-feed, cut and oversized bodies store nothing" t9022

t9023() {
	gzip -c "$D/9020-reviews.xml" >"$TMP/reviews.rss.gz"
	routes z.routes 'GET /reviews.rss' 'header Content-Encoding: gzip' \
	    'header Content-Type: application/rss+xml' "body $TMP/reviews.rss.gz" end
	serve "$TMP/z.routes"
	conf z.conf "channel reviews feed { url \"$BASE/reviews.rss\" }"
	out=$(pl z.conf z) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 3
}
check 9023 "feed: a gzip-compressed response is decoded" t9023

t9024() {
	routes l.routes 'GET /cafe.rss' "body $D/9024-lenient.rss" end
	serve "$TMP/l.routes"
	conf l.conf "channel cafe feed { url \"$BASE/cafe.rss\" }"
	out=$(pl l.conf l) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 && eq "$(echo "$out" | jq -r '.[0].warnings')" 0 &&
	eq "$(msg l cafe:71 "subject || '|' || text")" \
	    "Café Brand — never again|Cold coffee & rude staff…" &&
	eq "$(msg l cafe:72 "subject || '|' || url || '|' || text")" \
	    "Fish & chips order lost|https://reviews.example/cafe/r/72?a=1&b=2|Paid £12 & waited an hour. No food at all."
}
check 9024 "feed: blank lines before the XML declaration, HTML entities, bare '&' and control characters are read" t9024

t9025() {
	routes c.routes 'GET /shop.rss' "body $D/9025-cp1252.rss" end \
	    'GET /forum.rss' 'header Content-Type: text/xml; charset=ISO-8859-1' "body $D/9026-latin1.rss" end
	serve "$TMP/c.routes"
	conf c.conf "channel shop feed { url \"$BASE/shop.rss\" }" "channel forum feed { url \"$BASE/forum.rss\" }"
	out=$(pl c.conf c) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# said to be UTF-8, but windows-1252: read as such, each entry warned of
	eq "$(echo "$out" | jq -r '.[0].stored')" 1 && eq "$(echo "$out" | jq -r '.[0].warnings')" 1 &&
	eq "$(msg c shop:501 "subject || '|' || text")" \
	    "“Broken on arrival”|The café machine cost €300 and broke – twice." &&
	has "$(msg c shop:501 warnings)" "feed is not valid UTF-8 (at line 6: Input is not proper UTF-8" &&
	has "$(msg c shop:501 warnings)" "read as windows-1252" &&
	grep -q "channel=shop host=127.0.0.1 event=feed-encoding warning=" "$TMP/poll.err" &&
	# no encoding declared: the charset of Content-Type
	eq "$(echo "$out" | jq -r '.[1].stored')" 1 && eq "$(echo "$out" | jq -r '.[1].warnings')" 0 &&
	eq "$(msg c forum:9 "subject || '|' || text")" "Grüße aus München|Die App stürzt ständig ab."
}
check 9025 "feed: windows-1252 bytes in a UTF-8 feed, and the charset of Content-Type" t9025

t9027() {
	routes i.routes 'GET /m.rss' "body $D/9027-ill-formed.rss" end
	serve "$TMP/i.routes"
	conf i.conf "channel mentions feed { url \"$BASE/m.rss\" }"
	out=$(pl i.conf i) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# the entries that could be read, each with the warning; the log names feed and place
	eq "$(echo "$out" | jq -r '.[0].stored')" 3 && eq "$(echo "$out" | jq -r '.[0].warnings')" 3 &&
	eq "$(msg i m:2 text)" "Solved in minutes." &&
	eq "$(msg i m:3 warnings)" \
	    "feed is ill-formed XML (at line 15: Opening and ending tag mismatch: description line 15 and descripton), read in recovery mode" &&
	grep -q 'channel=mentions host=127.0.0.1 event=feed-ill-formed warning="feed is ill-formed XML (at line 15' "$TMP/poll.err" &&
	out=$(pl i.conf i) && eq "$(echo "$out" | jq -r '.[0].stored')" 0 &&
	eq "$(sql i "SELECT count(*) FROM event WHERE kind = 'message-edited'")" 0
}
check 9027 "feed: an ill-formed feed yields the entries recovery can read, each warned of, and a log line" t9027

t9028() {
	routes o.routes 'GET /old.atom' "body $D/9028-atom03.xml" end \
	    'GET /news.rdf' "body $D/9029-rss10.rdf" end
	serve "$TMP/o.routes"
	conf o.conf "channel old feed { url \"$BASE/old.atom\" }" "channel news feed { url \"$BASE/news.rdf\" }"
	out=$(pl o.conf o) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# Atom 0.3: modified, else issued; escaped HTML and inline XHTML; the feed's author
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 &&
	eq "$(msg o tag:oldblog.example,2026:post-88 "subject || '|' || text || '|' || from_name || '|' || date || '|' || url")" \
	    "Brand lost my order|Ordered on Monday, still nothing.|Judy|1795120200|https://oldblog.example/2026/11/lost-order" &&
	eq "$(msg o tag:oldblog.example,2026:post-87 "text || '|' || from_name || '|' || date")" \
	    "Support fixed it within the hour.|Oldblog|1794992400" &&
	# RSS 1.0: rdf:about as the id, items in the RSS 1.0 namespace, dc:date
	eq "$(echo "$out" | jq -r '.[1].stored')" 2 && eq "$(echo "$out" | jq -r '.[1].warnings')" 0 &&
	eq "$(msg o https://news.example/s/2 "subject || '|' || text || '|' || from_name || '|' || url || '|' || date")" \
	    "Brand recalls chargers|Chargers sold in 2026 may overheat.|Heidi|https://news.example/s/2|1795161600" &&
	eq "$(msg o https://news.example/s/1 date)" 1793491200
}
check 9028 "feed: Atom 0.3 and RSS 1.0 (RDF) feeds are read" t9028

t9031() {
	routes n.routes 'GET /forum.rss' "body $D/9031-entries.rss" end
	serve "$TMP/n.routes"
	conf n.conf "channel forum feed { url \"$BASE/forum.rss\" }"
	out=$(pl n.conf n) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 4 &&
	# markup in the title, unescaped in the description; links against xml:base; author by name
	eq "$(msg n forum:501 "subject || '|' || text || '|' || url || '|' || from_name")" \
	    "Invoice charged twice|I was charged twice for invoice 77 <https://forum.example/brand/invoice/77>.|https://forum.example/brand/t/501|Rupert Giles" &&
	# an unreadable date and no date: the fetch time, with a warning
	eq "$(msg n forum:500 "date || '|' || warnings")" \
	    "1795176000|entry date unreadable 'sometime last week', fetch time used" &&
	eq "$(msg n https://forum.example/brand/t/499 "url || '|' || from_name || '|' || warnings")" \
	    "https://forum.example/brand/t/499|Anya|entry has no date, fetch time used" &&
	# nothing but a text: a digest of it is the id; the same guid twice: the
	# first listed stands (above), and no poll takes the other for an edit
	eq "$(sql n "SELECT count(*) FROM message WHERE external_id LIKE 'sha256:%' AND text LIKE 'Only a description%'")" 1 &&
	out=$(WHEN=2026-11-20T13:00:00Z pl n.conf n) && eq "$(echo "$out" | jq -r '.[0].stored')" 0 &&
	eq "$(echo "$out" | jq -r '.[0].edited')" 0
}
check 9031 "feed: ids, duplicates, dates, authors, links and HTML titles of real RSS items" t9031

t9032() {
	routes k.routes 'GET /kiosk.rss' "body $D/9032-cp1252-undefined.rss" end
	serve "$TMP/k.routes"
	conf k.conf "channel kiosk feed { url \"$BASE/kiosk.rss\" }"
	out=$(pl k.conf k) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# 0x9d, a byte windows-1252 leaves undefined, neither cuts the text
	# nor loses the entry after it; libxml2 says nothing on stderr
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 &&
	has "$(msg k kiosk:72 text)" "then nothing – twice now." &&
	eq "$(msg k kiosk:71 text)" "Works again after the update, café staff were kind." &&
	has "$(msg k kiosk:72 warnings)" "read as windows-1252" &&
	! grep -q "encoding error" "$TMP/poll.err"
}
check 9032 "feed: a windows-1252 feed said to be UTF-8 is read whole, undefined bytes too" t9032

t9033() {
	routes j.routes 'GET /jp.rss' "body $D/9033-euc-jp-bad.rss" end
	serve "$TMP/j.routes"
	conf j.conf "channel jp feed { url \"$BASE/jp.rss\" }"
	out=$(pl j.conf j) || { cat "$TMP/poll.err"; echo "$out"; return 1; }
	# bytes EUC-JP forbids: the entry as far as it could be converted,
	# warned of with the bytes; libxml2's own words stay off stderr
	eq "$(echo "$out" | jq -r '.[0].stored')" 1 && eq "$(echo "$out" | jq -r '.[0].warnings')" 1 &&
	eq "$(msg j jp:1 "subject || '|' || text")" "こん broken|It arrived" &&
	eq "$(msg j jp:1 warnings)" \
	    "feed has bytes invalid in its charset EUC-JP (input conversion failed due to input error, bytes 0xFF 0xFE 0x20 0x62), read in recovery mode" &&
	grep -q 'channel=jp host=127.0.0.1 event=feed-encoding warning="feed has bytes invalid in its charset EUC-JP' "$TMP/poll.err" &&
	! grep -v '^escalator: ' "$TMP/poll.err"
}
check 9033 "feed: bytes its declared charset forbids are a warning, not libxml2 on stderr" t9033

t9030() {
	conf h.conf 'channel m mastodon { instance "http://mastodon.example" token-file "'"$TMP/masto.token"'" }' \
	    'channel f feed { url "http://feeds.example/a.rss" }' \
	    'channel t feed { url "http://127.0.0.1:1/a.rss" }'
	esc -c "$TMP/h.conf" check-config >"$TMP/cc.out" 2>&1; rc=$?
	eq "$rc" 78 && grep -q "plain http URL 'http://mastodon.example' after 'instance': use https://" "$TMP/cc.out" &&
	grep -q "plain http URL 'http://feeds.example/a.rss'" "$TMP/cc.out" &&
	! grep -q "127.0.0.1:1" "$TMP/cc.out"
}
check 9030 "plain http is refused for social and feed URLs unless the host is loopback" t9030

# ---- the queue --------------------------------------------------------

t9040() {
	routes q.routes \
	    'GET /api/v1/notifications min_id=0' "body $D/9040-notifications.json" end \
	    'GET /api/v1/notifications min_id=5003' 'text []' end \
	    'GET /api/v1/accounts/109000000000000001/statuses' 'text []' end \
	    'GET /api/v1/statuses/113000000000000020' 'text {}' end \
	    'GET /api/v1/statuses/113000000000000021' 'text {}' end \
	    'GET /api/v1/statuses/113000000000000022' 'text {}' end
	serve "$TMP/q.routes"
	conf q.conf "$(masto)"
	pl q.conf q >/dev/null || { cat "$TMP/poll.err"; return 1; }
	esc --db "$TMP/q.db" --now $NOW queue --json >"$TMP/q.json" || return 1
	eq "$(jq length "$TMP/q.json")" 3 || return 1
	# The private messages came first; the public angry post must still lead.
	first=$(jq -r '.[0].customer' "$TMP/q.json")
	if [ "$(jq -r '[.[].priority] | unique | length' "$TMP/q.json")" = 1 ] &&
	    [ "$first" != alice@other.example ]; then
		echo "every ticket has priority $(jq -r '.[0].priority' "$TMP/q.json"):" \
		    "sentiment and reach set no priority at intake yet"
		return 2
	fi
	eq "$first" alice@other.example &&
	eq "$(jq -r '.[0].public' "$TMP/q.json")" true &&
	eq "$(jq -r '[.[1:][] | .public] | join(",")' "$TMP/q.json")" false,false
}
# 2 from t9040: the priority work it needs has not landed; a SKIP says so.
if selected 9040; then
	d="9040 queue: a public negative post with reach stands above older private messages"
	t9040 >"$TMP/out" 2>&1; rc=$?
	case $rc in
	0) ok "$d" ;;
	2) skip "$d: $(tail -1 "$TMP/out")" ;;
	*) not_ok "$d"; sed 's/^/# /' "$TMP/out" | head -40 ;;
	esac
fi

done_testing
