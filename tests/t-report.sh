#!/bin/sh
# t-report.sh -- `escalator report` over a fixture history with answers
# worked out by hand.  The history is made the way a team makes one:
# tests/data/5201-support.mbox and 5201-brand.mbox imported, the workflow
# commands (escalate, deescalate, resolve, tag, pending) run at chosen
# --now times, a sweep that sees a first-response breach, more mail
# (5201-later.mbox), a last sweep.  Cases 5201-5249.
#
# The tickets (the store numbers them in import order):
#  #1 support, 2026-04-20: escalated 1->2, resolved; before the window
#  #2 support, 05-10 09:00: reply 09:30, resolved 10:00 at tier 1 (1h);
#     tagged refund by a rule
#  #3 support, 05-11 09:00: reply 09:20, escalated 1->2 at 10:00, reply
#     11:00 (imported before the escalation was recorded), resolved 21:00
#     at tier 2 (12h)
#  #4 support, 05-12 09:00: reply 09:15, escalated 1->2 at 09:30,
#     de-escalated 2->1 at 10:00 (over-escalation: undone), resolved
#     11:00 at tier 1 (2h)
#  #5 support, 05-14 09:00: reply 09:10, to department billing 09:20
#     (functional), tagged vip, pending; open
#  #6 support, 05-15 09:00, urgent by a rule: no reply; the sweep at 10:30 records a
#     first-response breach; escalated 1->2 at 11:00 (late: after the
#     breach) and 2->3 at 12:00 (late: its hand-off says so, the ticket
#     having breached), reply 13:00, resolved 05-16 09:00 at tier 3 (1d)
#  #7 brand, 05-13 09:00: reply 09:05, tagged vip, escalated 1->2 at
#     09:10, resolved 10:00 at tier 2 with no reply after the escalation
#     (over-escalation: unreplied) (1h)
#  #8 support, 05-20 09:00: reply 09:30, resolved 09:45 at tier 1 (45m)
. "$top_srcdir/tests/lib.sh"
# No lexicon: priorities come from the rules alone, whatever the scorer says.
ESCALATOR_LEXICON=$TMP/no-lexicon.tsv
D=$TESTDATA
NOW=2026-06-01T00:00:00Z
DB=$TMP/r.db

at() {
	when=$1; shift
	esc -q -c "$D/5201-report.conf" --db "$DB" --now "$when" "$@"
}
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
j() { jq -c "$1" "$TMP/r.json"; }

history() {
	at 2026-05-15T10:30:00Z import --channel support "$D/5201-support.mbox" &&
	at 2026-05-15T10:30:00Z import --channel brand "$D/5201-brand.mbox" &&
	at 2026-04-20T09:30:00Z escalate --reason "needs a specialist" --as lead@example.com 1 &&
	at 2026-04-20T10:00:00Z resolve --as lead@example.com 1 &&
	at 2026-05-10T10:00:00Z resolve --as alice@example.com 2 &&
	at 2026-05-11T10:00:00Z escalate --reason "crash needs a specialist" \
	    --as alice@example.com 3 &&
	at 2026-05-11T21:00:00Z resolve --as sam@example.com 3 &&
	at 2026-05-12T09:30:00Z escalate --reason "carrier problem" --as alice@example.com 4 &&
	at 2026-05-12T10:00:00Z deescalate --reason "routine after all" --as sam@example.com 4 &&
	at 2026-05-12T11:00:00Z resolve --as alice@example.com 4 &&
	at 2026-05-13T09:06:00Z tag --as bob@example.com 7 vip &&
	at 2026-05-13T09:10:00Z escalate --reason "public complaint" --as bob@example.com 7 &&
	at 2026-05-13T10:00:00Z resolve --as bob@example.com 7 &&
	at 2026-05-14T09:20:00Z escalate --department billing --reason "VAT question" \
	    --as alice@example.com 5 &&
	at 2026-05-14T09:25:00Z tag --as alice@example.com 5 vip &&
	at 2026-05-14T09:30:00Z pending --as alice@example.com 5 &&
	at 2026-05-15T10:30:00Z sweep &&
	at 2026-05-15T11:00:00Z escalate --reason "export bug" --as alice@example.com 6 &&
	at 2026-05-15T12:00:00Z escalate --reason "needs engineering" --as sam@example.com 6 &&
	at 2026-05-20T10:00:00Z import --channel support "$D/5201-later.mbox" &&
	at 2026-05-16T09:00:00Z resolve --as eve@example.com 6 &&
	at 2026-05-20T09:45:00Z resolve --as bob@example.com 8 &&
	at $NOW sweep
}
if ! history >"$TMP/history.out" 2>&1; then
	not_ok "5201 the fixture history could not be made"
	sed 's/^/# /' "$TMP/history.out" | head -40
	done_testing
	exit 0
fi
at $NOW report --json >"$TMP/r.json" 2>"$TMP/r.err"

t5201() {
	eq "$(j '[.from, .to, .since]')" '["2026-05-02T00:00:00Z","2026-06-01T00:00:00Z",2592000]' &&
	eq "$(j '[.tickets, .resolved, .escalations, .escalated, .functional, .deescalations]')" \
	    '[7,6,5,4,1,1]'
}
check 5201 "report --json: tickets, resolutions and escalations of the last 30 days" t5201

t5202() {
	eq "$(j '.over_escalations')" '{"count":2,"undone":1,"unreplied":1,"percent":40}' &&
	eq "$(j '.late_escalations')" '{"count":2,"percent":40}'
}
check 5202 "over-escalation (undone, unreplied) and late escalation" t5202

t5203() {
	eq "$(j '.handoffs')" '{"total":6,"per_ticket":0.86,"tickets":[2,4,1,0]}'
}
check 5203 "hand-offs per ticket and their spread" t5203

t5204() {
	eq "$(j '[.by_tier[] | [.tier, .tickets, .visited, .escalated, .escalations,
	    .escalation_rate, .deescalations, .over, .undone, .unreplied, .late,
	    .resolved, .resolved_share, .configured]]')" \
	    '[[1,4,7,4,4,57.1,0,2,1,1,1,3,50,true],[2,2,4,1,1,25,1,0,0,0,1,2,33.3,true],[3,1,1,0,0,0,0,0,0,0,0,1,16.7,true]]'
}
check 5204 "by tier: now, were at, escalation rate, over, late, resolved" t5204

t5205() {
	eq "$(j '.pyramid')" \
	    '[{"tiers":"0-1","target":70,"resolved":3,"percent":50},{"tiers":"2","target":25,"resolved":2,"percent":33.3},{"tiers":"3-4","target":5,"resolved":1,"percent":16.7}]'
}
check 5205 "the share resolved at each tier against 70/25/5" t5205

t5206() {
	eq "$(j '[.by_department[] | [.department, .tickets, .resolved, .escalated,
	    .escalations, .over, .late, .functional]]')" \
	    '[[null,6,6,4,5,2,2,0],["billing",1,0,0,0,0,0,1]]' &&
	eq "$(j '[.by_channel[] | [.channel, .tickets, .resolved, .escalated, .escalation_rate,
	    .escalations, .over, .late]]')" \
	    '[["support",6,5,3,50,4,1,2],["brand",1,1,1,100,1,1,0]]' &&
	eq "$(j '[.by_tag[] | [.tag, .tickets, .resolved, .escalated, .escalations, .over]]')" \
	    '[["vip",2,1,1,1,1],["refund",1,1,0,0,0]]'
}
check 5206 "by department (functional escalations to it), channel and tag" t5206

t5207() {
	eq "$(j '[.sla.due, .sla.met, .sla.percent]')" '[17,16,94.1]' &&
	eq "$(j '.sla.by_kind')" \
	    '[{"kind":"first-response","due":7,"met":6,"percent":85.7},{"kind":"resolution","due":6,"met":6,"percent":100},{"kind":"pickup","due":4,"met":4,"percent":100}]' &&
	eq "$(j '.sla.by_tier')" \
	    '[{"tier":1,"priority":"normal","due":8,"met":8,"percent":100},{"tier":1,"priority":"urgent","due":1,"met":0,"percent":0},{"tier":2,"priority":"normal","due":6,"met":6,"percent":100},{"tier":3,"priority":"urgent","due":2,"met":2,"percent":100}]'
}
check 5207 "SLA compliance by tier and priority; a breach counts at its tier" t5207

t5208() {
	eq "$(j '[.resolution_time[] | [.tier, .priority, .resolved, .median, .p90, .target]]')" \
	    '[[1,null,3,3600,7200,null],[1,"urgent",0,null,null,7200],[1,"high",0,null,null,28800],[1,"normal",3,3600,7200,28800],[1,"low",0,null,null,28800],[2,null,2,3600,43200,null],[2,"urgent",0,null,null,172800],[2,"high",0,null,null,172800],[2,"normal",2,3600,43200,172800],[2,"low",0,null,null,172800],[3,null,1,86400,86400,null],[3,"urgent",1,86400,86400,432000],[3,"high",0,null,null,432000],[3,"normal",0,null,null,432000],[3,"low",0,null,null,432000]]'
}
check 5208 "median and p90 resolution time per tier next to the targets" t5208

t5209() {
	out=$(at $NOW report --since 60d --json) &&
	eq "$(echo "$out" | jq -c '[.tickets, .escalations, .over_escalations.count,
	    .by_tier[0].visited]')" '[8,6,3,8]' &&
	out=$(at 2026-05-12T00:00:00Z report --since 2d --json) &&
	eq "$(echo "$out" | jq -c '[.tickets, .from]')" '[2,"2026-05-10T00:00:00Z"]'
}
check 5209 "--since and --now choose the tickets by creation time" t5209

t5210() {
	at $NOW report >"$TMP/r.txt" &&
	grep -qx 'Escalation report: tickets created 2026-05-02 00:00 to 2026-06-01 00:00 UTC (30 days)' \
	    "$TMP/r.txt" &&
	grep -qx 'Tickets:           7, 6 resolved or closed' "$TMP/r.txt" &&
	grep -q '^Over-escalations:  2 (40.0% of escalations): 1 undone by a de-escalation, 1 resolved without a reply after them$' \
	    "$TMP/r.txt" &&
	grep -q '^  tier 1 *4 *7 *4 *4 *57.1% *2 *1 *3 *50.0%$' "$TMP/r.txt" &&
	grep -q '^  tiers 0-1  *3 of 6 resolved    50.0%  (target 70%)$' "$TMP/r.txt" &&
	grep -q '^  billing  *1  *0  *0.0%  *0  *0  *0  *1$' "$TMP/r.txt" &&
	grep -q '^SLA compliance: 94.1% of 17 decided clock runs met$' "$TMP/r.txt" &&
	grep -q '^  2 *all *2 *1 h *12 h$' "$TMP/r.txt"
}
check 5210 "the text report says the same" t5210

t5211() {
	# a tag with markup in it must come out as text
	at $NOW tag --as x@example.com 8 '<b>x&y"</b>' >/dev/null &&
	at $NOW report --html "$TMP/r.html" &&
	xmllint --noout "$TMP/r.html" &&
	grep -q '<svg ' "$TMP/r.html" &&
	[ "$(grep -c '<svg ' "$TMP/r.html")" -eq 4 ] &&
	grep -q '&lt;b&gt;x&amp;y&quot;&lt;/b&gt;' "$TMP/r.html" &&
	! grep -q '<b>x' "$TMP/r.html" &&
	! grep -Eqi 'https?:|<script|<img|<link|src=|@import|url\(' "$TMP/r.html" &&
	grep -q 'Resolved at each tier against the 70/25/5 pyramid' "$TMP/r.html"
}
check 5211 "--html: one well-formed, self-contained page with four SVG charts" t5211

t5212() {
	at $NOW report --html - >"$TMP/o.html" && xmllint --noout "$TMP/o.html" &&
	{ at $NOW report --since 2x; [ $? -eq 64 ]; } &&
	{ at $NOW report --json --html "$TMP/x.html" 2>"$TMP/e"; [ $? -eq 64 ]; } &&
	grep -q 'cannot be combined' "$TMP/e" &&
	{ at $NOW report --html "$TMP/no/such/dir/r.html" 2>"$TMP/e"; [ $? -eq 73 ]; } &&
	grep -q "cannot create '$TMP/no/such/dir/r.html.tmp'" "$TMP/e" &&
	at 2026-01-01T00:00:00Z report | grep -qx 'No ticket was created in this window.' &&
	out=$(at 2026-01-01T00:00:00Z report --json) &&
	eq "$(echo "$out" | jq -c '[.tickets, .by_tier, .sla.percent, .over_escalations.percent]')" \
	    '[0,[],null,null]' &&
	at 2026-01-01T00:00:00Z report --html "$TMP/empty.html" && xmllint --noout "$TMP/empty.html" &&
	{ esc --db "$TMP/absent.db" report 2>"$TMP/e"; [ $? -eq 66 ]; } &&
	grep -q "no database at '$TMP/absent.db'" "$TMP/e" && [ ! -e "$TMP/absent.db" ]
}
check 5212 "--html - is stdout; usage errors; an empty window; no database: 66" t5212

done_testing
