#!/bin/sh
# t-decide.sh -- decisions end to end: mbox fixtures imported through
# channels configured public and private with a set of rules, then the
# queue order, the events and explanations of show, and the outbox.
# Cases 4800-4899 (family 4xxx, rules).
. "$top_srcdir/tests/lib.sh"
D=$TESTDATA
NOW=2026-11-20T12:00:00Z
C="$D/4800-rules.conf"

eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
imp() {	# DB: both mailboxes, the public one through the public channel
	esc -c "$C" --db "$TMP/$1.db" --now $NOW import --channel support "$D/4800-private.mbox" &&
	esc -c "$C" --db "$TMP/$1.db" --now $NOW import --channel mentions "$D/4800-public.mbox"
}
q() { esc --db "$TMP/$1.db" --now $NOW queue --all --json | jq -r "$2"; }
show() { esc --db "$TMP/$1.db" --now $NOW show --json "$2" | jq -r "$3"; }
id_of() { q "$1" "[.[] | select(.customer == \"$2\")][0].id"; }

[ -n "$ESCALATOR_LEXICON" ] && [ -r "$ESCALATOR_LEXICON" ] || {
	echo "1..0 # SKIP no lexicon (ESCALATOR_LEXICON)"; exit 0; }
imp e >/dev/null 2>"$TMP/imp.err"

t4801() {
	esc -c "$C" check-config | grep -q '^configuration OK$' &&
	sed 's/then ignore/then ignor/' "$C" > "$TMP/bad.conf" &&
	{ esc -c "$TMP/bad.conf" check-config >"$TMP/o" 2>"$TMP/e"; eq $? 78; } &&
	grep -q "^$TMP/bad.conf:13:83: unknown action 'ignor' (expected one of: assign, " "$TMP/e"
}
check 4801 "check-config compiles the rules: OK, or file:line:col and exit 78" t4801

t4802() {
	eq "$(q e '.[0].customer') $(q e '.[0].priority') $(q e '.[0].public')" \
	    "carl@public.example urgent true" &&
	eq "$(q e '.[1].customer') $(q e '.[1].priority') $(q e '.[1].public')" \
	    "ann@private.example high false"
}
check 4802 "the same angry words: the public post is first (urgent), the mail next (high)" t4802

t4803() {
	# Non-increasing (priority, urgency); ties by age, oldest first.
	q e '[.[] | select(.status != "closed")] | map(.priority as $p | {p: (["low","normal","high","urgent"] | index($p)), u: .urgency, c: .created})' > "$TMP/order" &&
	eq "$(jq '[range(1; length) as $i | .[$i - 1] as $a | .[$i] as $b |
	    ($a.p > $b.p) or ($a.p == $b.p and ($a.u > $b.u or ($a.u == $b.u and $a.c <= $b.c)))] | all' "$TMP/order")" true
}
check 4803 "queue order: priority, then urgency, then age" t4803

t4804() {
	id=$(id_of e carl@public.example)
	eq "$(show e "$id" '.explanation.priority.by')" default &&
	eq "$(show e "$id" '.explanation.sentiment.words | map(.word) | join(",")')" \
	    broken,unacceptable,furious &&
	eq "$(show e "$id" '.messages[0].sentiment < -0.8')" true &&
	eq "$(show e "$id" '[.events[] | select(.kind == "assessed")][0].detail.urgency > 1.2')" true
}
check 4804 "show --json: the priority comes from the default policy, the words that drove it" t4804

t4805() {
	id=$(id_of e dora@private.example)
	eq "$(q e ".[] | select(.id == $id) | .tier")" 2 &&
	eq "$(show e "$id" '[.events[] | select(.kind == "escalated")][0].detail | "\(.from)->\(.to) \(.reason) \(.asks_escalation)"')" \
	    "1->2 customer asked to escalate speak to a manager" &&
	eq "$(q e ".[] | select(.id == $id) | .tags | join(\",\")")" escalation-requested
}
check 4805 "asking for a manager escalates one tier by default, with the reason" t4805

t4806() {
	id=$(id_of e erik@private.example)
	eq "$(q e ".[] | select(.id == $id) | .department")" billing &&
	eq "$(show e "$id" '[.events[] | select(.kind == "rule-matched")][0].detail | "\(.rule) \(.text) \(.actions)"')" \
	    "billing invoice department billing, notify finance@example.com" &&
	eq "$(show e "$id" '.explanation.department.rule')" billing
}
check 4806 "a rule routes to a department; the match records the values that made it true" t4806

t4807() {
	id=$(id_of e erik@private.example)
	sqlite3 "$TMP/e.db" "SELECT message_id, recipients FROM outbox
	    WHERE message_id LIKE 'escalator-notify-%'" > "$TMP/ob" &&
	grep -q "^escalator-notify-$id-[0-9]*@localhost|\[\"finance@example.com\"\]$" "$TMP/ob" &&
	eq "$(wc -l < "$TMP/ob" | tr -d ' ')" 1 &&
	sqlite3 "$TMP/e.db" "SELECT data FROM outbox
	    WHERE message_id LIKE 'escalator-notify-%'" > "$TMP/mail" &&
	! grep -qi '^bcc:' "$TMP/mail" && grep -q "^Subject: \[#$id\] " "$TMP/mail" &&
	grep -q "^Message-ID: <escalator-notify-$id-[0-9]*@localhost>" "$TMP/mail" &&
	grep -q "^In-Reply-To: <escalator.$id@localhost>" "$TMP/mail" &&
	grep -q "^Auto-Submitted: auto-generated" "$TMP/mail" &&
	eq "$(show e "$id" '[.events[] | select(.kind == "notification-queued")] | length')" 1
}
check 4807 "notify queues one mail in the outbox: stable Message-ID, no header from customer text" t4807

t4808() {
	id=$(id_of e bob@private.example)
	eq "$(q e ".[] | select(.id == $id) | .status")" open &&
	eq "$(show e "$id" '[.events[] | select(.kind == "ignored")][0].detail.rule')" thanks
}
check 4808 "ignore: a thank-you keeps the ticket as it was" t4808

t4809() {
	id=$(id_of e fan@bigcorp.example)
	eq "$(q e ".[] | select(.id == $id) | \"\(.priority) \(.tags | join(\",\"))\"")" "high vip" &&
	eq "$(show e "$id" '.explanation.priority | "\(.by) \(.rule)"')" "rule vip"
}
check 4809 "a rule's priority beats the default, and show says which rule" t4809

t4810() {
	id=$(id_of e carl@public.example)
	esc --db "$TMP/e.db" show "$id" > "$TMP/show" &&
	grep -q '^Why:$' "$TMP/show" &&
	grep -q '^  priority urgent    default policy for the latest customer message' "$TMP/show" &&
	grep -q '^  sentiment -0\.[0-9]*  broken -2\.1, unacceptable -2\.8, furious -2\.7$' "$TMP/show" &&
	grep -q 'urgency 1\.34 = negativity 0\.89 x (public 1\.5 + reach 0\.00)' "$TMP/show"
}
check 4810 "show explains the priority, the sentiment and the words in text" t4810

t4811() {
	ESCALATOR_LEXICON=/nonexistent/lexicon.tsv esc -c "$C" --db "$TMP/n.db" --now $NOW \
	    import --channel support "$D/4800-private.mbox" "$D/4800-private.mbox" >"$TMP/o" 2>"$TMP/e" &&
	eq "$(grep -c 'sentiment is off' "$TMP/e")" 1 &&
	eq "$(q n '[.[] | .priority] | unique | join(",")')" normal &&
	eq "$(q n '[.[] | select(.customer == "dora@private.example")][0].tier')" 2
}
check 4811 "without a lexicon import works, warns once, escalation requests still count" t4811

t4812() {
	imp r >/dev/null 2>&1 && imp r >/dev/null 2>&1 &&
	eq "$(sqlite3 "$TMP/r.db" "SELECT count(*) FROM outbox")" \
	    "$(sqlite3 "$TMP/e.db" "SELECT count(*) FROM outbox")" &&
	eq "$(sqlite3 "$TMP/r.db" "SELECT count(*) FROM event WHERE kind = 'rule-matched'")" \
	    "$(sqlite3 "$TMP/e.db" "SELECT count(*) FROM event WHERE kind = 'rule-matched'")"
}
check 4812 "importing again decides nothing twice" t4812

t4813() {
	X="$top_srcdir/examples/demo"
	esc -c "$X/demo.conf" check-config | grep -q '^configuration OK$' &&
	esc -c "$X/demo.conf" --db "$TMP/demo.db" --now $NOW import --channel support \
	    "$X/support.mbox" >/dev/null &&
	esc -c "$X/demo.conf" --db "$TMP/demo.db" --now $NOW import --channel mentions \
	    "$X/mentions.mbox" >/dev/null &&
	eq "$(q demo '[.[] | select(.status != "closed")][0:2] | map("\(.channel) \(.priority)") | join(",")')" \
	    "mentions urgent,mentions urgent" &&
	eq "$(q demo '[.[] | select(.department == "technical")] | length >= 2')" true
}
check 4813 "the demo configuration loads; the demo puts public anger first" t4813

t4840() {
	A="$D/4840-authority.conf"
	esc -c "$A" check-config | grep -q '^configuration OK$' &&
	esc -c "$A" --db "$TMP/au.db" --now $NOW import --channel support \
	    "$D/4840-refund.mbox" >/dev/null &&
	id=$(id_of au gus@private.example) &&
	eq "$(show au "$id" '.tier')" 2 &&
	eq "$(show au "$id" '[.events[] | select(.kind == "escalated")][0].detail |
	    "\(.type) \(.from)->\(.to) \(.amount) \(.authority) \(.rule)"')" \
	    "hierarchical 1->2 120.00 EUR refund refunds need authority" &&
	esc --db "$TMP/au.db" show "$id" | grep -q 'route_by_authority refund 120.00 EUR -> tier 2 ' &&
	eq "$(show au "$(id_of au hal@private.example)" '.tier')" 1 &&
	id=$(id_of au ida@private.example) &&
	eq "$(show au "$id" '.tier')" 1 &&
	eq "$(show au "$id" '[.events[] | select(.kind == "rule-matched")][0].detail.route_by_authority[0].why')" \
	    "no amount in EUR in the message"
}
check 4840 "route-by-authority: a €120 refund goes to tier 2, 19,90 EUR stays, no amount changes nothing" t4840

t4841() {
	C="$D/4841-channel-entry.conf"
	esc -c "$C" check-config | grep -q '^configuration OK$' &&
	esc -c "$C" --db "$TMP/ce.db" --now $NOW import --channel vip "$D/4840-refund.mbox" >/dev/null &&
	id=$(id_of ce gus@private.example) &&
	eq "$(show ce "$id" '"\(.tier) \(.department)"')" "3 accounts" &&
	eq "$(show ce "$id" '[.events[] | select(.kind == "routed")][0].detail | "\(.tier) \(.department) \(.channel)"')" \
	    "3 accounts vip" &&
	eq "$(show ce "$id" '.explanation.tier.start.channel')" vip &&
	esc --db "$TMP/ce.db" show "$id" | grep -q '^  tier 3  *where channel vip starts its tickets$' &&
	esc -c "$C" --db "$TMP/cb.db" --now $NOW import --channel billing-in "$D/4840-refund.mbox" >/dev/null &&
	eq "$(show cb "$(id_of cb gus@private.example)" '"\(.tier) \(.department)"')" "2 billing" &&
	# no entry: tier 1, no department, no routed event
	eq "$(show au "$(id_of au hal@private.example)" '"\(.tier) \(.department) \([.events[] | select(.kind == "routed")] | length)"')" \
	    "1 null 0"
}
check 4841 "a channel's tier and department say where its tickets start; show says so" t4841

# Mail in German is scored with the German lexicon and can come first;
# mail in a language without a lexicon says so instead of looking calm.
t4842() {
	mk() {	# FILE ID FROM SUBJECT TEXT
		printf 'From: %s\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@example.org>\nDate: Thu, 19 Nov 2026 10:00:00 +0100\nContent-Type: text/plain; charset=utf-8\n\n%s\n' \
		    "$3" "$4" "$2" "$5" > "$TMP/$1"
	}
	mk de.eml de1 "Jürgen <j@example.de>" "Störung" \
	    "Guten Tag, ich bin sehr enttäuscht. Seit drei Wochen funktioniert es immer noch nicht, das ist eine Katastrophe!"
	mk nl.eml nl1 "Jan <jan@example.nl>" "Werkt niet" \
	    "Het werkt niet, ik wacht al twee weken op een antwoord. Dit is echt slecht en ik ben heel boos."
	mk ja.eml ja1 "Taro <taro@example.jp>" "注文" \
	    "注文した商品がまだ届いていません。"
	esc --db "$TMP/l.db" --now $NOW import "$TMP/de.eml" "$TMP/nl.eml" "$TMP/ja.eml" >/dev/null &&
	de=$(esc --db "$TMP/l.db" --now $NOW queue --json | jq -r '.[] | select(.customer == "j@example.de") | .id') &&
	nl=$(esc --db "$TMP/l.db" --now $NOW queue --json | jq -r '.[] | select(.customer == "jan@example.nl") | .id') &&
	ja=$(esc --db "$TMP/l.db" --now $NOW queue --json | jq -r '.[] | select(.customer == "taro@example.jp") | .id') &&
	eq "$(esc --db "$TMP/l.db" --now $NOW queue --json | jq -r '.[-1].customer')" taro@example.jp &&
	eq "$(show l "$de" '.events[] | select(.kind == "assessed") | .detail.language')" de &&
	[ "$(show l "$de" '.events[] | select(.kind == "assessed") | .detail.sentiment < -0.5')" = true ] &&
	eq "$(show l "$nl" '.events[] | select(.kind == "assessed") | [.detail.language, .detail.scored] | join(" ")')" "nl true" &&
	[ "$(show l "$nl" '.events[] | select(.kind == "assessed") | .detail.sentiment < -0.5')" = true ] &&
	eq "$(show l "$ja" '.events[] | select(.kind == "assessed") | [.detail.language, .detail.scored] | join(" ")')" "ja false" &&
	esc --db "$TMP/l.db" --now $NOW show "$ja" > "$TMP/show" &&
	grep -q "^  sentiment          not scored: no lexicon for its language (ja)$" "$TMP/show" &&
	grep -q "assessed   escalator  *sentiment not scored (language ja), private" "$TMP/show"
}
check 4842 "German and Dutch mail are scored in their languages and come first; Japanese says it is not scored" t4842

# A broken language lexicon leaves its language unscored; check-config
# (and the daemon at start) reads them all and says which line is wrong.
t4843() {
	mkdir -p "$TMP/lx" && cp "$(dirname "$ESCALATOR_LEXICON")"/lexicon*.tsv "$TMP/lx/" &&
	printf 'kaputt\tnot-a-number\n' >>"$TMP/lx/lexicon-de.tsv" &&
	ESCALATOR_LEXICON="$TMP/lx/lexicon.tsv" esc -c "$C" check-config >"$TMP/o" 2>"$TMP/e" &&
	grep -qx 'configuration OK' "$TMP/o" &&
	grep -q "^escalator: sentiment: $TMP/lx/lexicon-de.tsv:[0-9]*:8: invalid valence 'not-a-number'.*; text in that language is not scored$" "$TMP/e"
}
check 4843 "check-config names a broken language lexicon's line; the configuration is still OK" t4843

done_testing
