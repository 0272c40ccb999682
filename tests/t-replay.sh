#!/bin/sh
# t-replay.sh -- `escalator replay`: tests/data/5300-history.mbox imported
# with the deployed configuration 5300-baseline.conf, then replayed with
# the candidate 5300-candidate.conf, which drops the "billing" rule, adds
# "outage" (priority urgent, notify) and "legal" (tier 3), and gives tier
# 1 one hour to answer and three days to resolve.  The differences are
# known ticket by ticket (NOW is 2026-11-20 12:00 UTC, the window 30 days):
#
#   #1 ann   invoice, answered after 2h: department billing -> none (was
#            "billing"); first response met in 4h, missed in 1h (gained);
#            resolution breached after 1d, not yet after 3d (avoided)
#   #2 bob   "Outage in EU", answered after 30m: priority -> urgent
#            ("outage"), one new notification; resolution avoided
#   #3 dora  "my lawyer", unanswered: tier 2 (asked to escalate) -> 3
#            ("legal"); first response and pick-up breached in both
#   #4 erik  thanks, answered after 10m: no change; resolution avoided
#   #5 fay   September: outside the window
#
# and the database file is the same bytes before and after.  Cases
# 5300-5349 (family 5xxx, SLA).
. "$top_srcdir/tests/lib.sh"
D=$TESTDATA
NOW=2026-11-20T12:00:00Z
DB=$TMP/r.db

eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
rep() { esc -c "$D/5300-baseline.conf" --db "$DB" --now $NOW replay "$@"; }
j() { jq -c "$1" "$TMP/r.json"; }

[ -n "$ESCALATOR_LEXICON" ] && [ -r "$ESCALATOR_LEXICON" ] || {
	echo "1..0 # SKIP no lexicon (ESCALATOR_LEXICON)"; exit 0; }
command -v jq >/dev/null 2>&1 || { echo "1..0 # SKIP needs jq"; exit 0; }
esc -c "$D/5300-baseline.conf" --db "$DB" --now $NOW import --channel support \
	--agents northwind.example "$D/5300-history.mbox" >/dev/null 2>"$TMP/imp.err"
sum() { sha256sum "$DB" | cut -d' ' -f1; }
wal() { if [ -f "$DB-wal" ]; then wc -c <"$DB-wal" | tr -d ' '; else echo 0; fi; }
SUM0=$(sum)
WAL0=$(wal)
rep -c "$D/5300-candidate.conf" --json >"$TMP/r.json" 2>"$TMP/r.err"
RC=$?

t5300() {
	eq $RC 0 &&
	eq "$(j '[.tickets, .messages, .since, .from, .to]')" \
	    '[4,7,2592000,"2026-10-21T12:00:00Z","2026-11-20T12:00:00Z"]' &&
	eq "$(j '.changed')" '{"tickets":3,"priority":1,"tier":1,"department":1}'
}
check 5300 "replay --json: 4 tickets of the window, 3 changed (priority, tier, department)" t5300

t5301() {
	eq "$(j '.examples.department')" \
	    '[{"ticket":1,"from":"billing","to":null,"rule":"billing","by":"baseline"}]' &&
	eq "$(j '.examples.priority | map([.ticket, .to, .rule, .by])')" \
	    '[[2,"urgent","outage","candidate"]]' &&
	eq "$(j '.examples.tier')" \
	    '[{"ticket":3,"from":2,"to":3,"rule":"legal","by":"candidate"}]' &&
	eq "$(j '.escalated')" '{"baseline":1,"candidate":1}'
}
check 5301 "each change names the ticket, the values and the rule behind it" t5301

t5302() {
	eq "$(j '.breaches.baseline')" \
	    '{"first-response":1,"next-response":0,"resolution":3,"pickup":1,"total":5}' &&
	eq "$(j '.breaches.candidate')" \
	    '{"first-response":2,"next-response":0,"resolution":0,"pickup":1,"total":3}' &&
	eq "$(j '.breaches.gained')" \
	    '{"first-response":1,"next-response":0,"resolution":0,"pickup":0,"total":1}' &&
	eq "$(j '.breaches.avoided')" \
	    '{"first-response":0,"next-response":0,"resolution":3,"pickup":0,"total":3}'
}
check 5302 "breaches by clock: first response gained (1h), resolutions avoided (3d)" t5302

t5303() {
	eq "$(j '.notifications.rules')" '{"baseline":0,"candidate":1,"new":1,"gone":0}' &&
	# one mail per breach and per warning, to the tier owner
	eq "$(j '[.notifications.sla.baseline - .notifications.sla.warnings_baseline,
	    .notifications.sla.candidate - .notifications.sla.warnings_candidate]')" '[5,3]'
}
check 5303 "notifications: the rule's new one, and a mail per SLA breach" t5303

t5304() {
	eq "$(j '.rules | map([.rule, .config, .tickets_changed])')" \
	    '[["billing","baseline",1],["legal","candidate",1],["outage","candidate",1]]' &&
	eq "$(j '.stored_differs')" \
	    '{"baseline":{"priority":0,"tier":0,"department":0},"candidate":{"priority":1,"tier":1,"department":1}}'
}
check 5304 "top rules by effect; the baseline replays to exactly what was stored" t5304

t5305() {
	eq "$(sum)" "$SUM0" && eq "$(wal)" "$WAL0" &&
	# and again with the database read-only on disk
	chmod a-w "$DB" && rep -c "$D/5300-candidate.conf" --json >/dev/null; rc=$?
	chmod u+w "$DB"
	eq $rc 0 && eq "$(sum)" "$SUM0" && eq "$(wal)" "$WAL0"
}
check 5305 "the store is not changed: same sha256, no -wal growth, a read-only file works" t5305

t5306() {
	rep -c "$D/5300-candidate.conf" >"$TMP/r.txt" &&
	grep -q '^replay of 4 tickets (7 messages) created 2026-10-21T12:00:00Z .. 2026-11-20T12:00:00Z$' "$TMP/r.txt" &&
	grep -q '^    #1 department billing -> (none) (was rule "billing")$' "$TMP/r.txt" &&
	grep -q '^    #2 priority [a-z]* -> urgent (rule "outage")$' "$TMP/r.txt" &&
	grep -q '^    #3 tier 2 -> 3 (rule "legal")$' "$TMP/r.txt" &&
	grep -q '^  first response         1          2       1        0$' "$TMP/r.txt" &&
	grep -q '^  rule notify            0          1  (1 new, 0 no longer sent)$' "$TMP/r.txt"
}
check 5306 "the text report says the same" t5306

t5307() {
	rep -c "$D/5301-broken.conf" >"$TMP/o" 2>"$TMP/e"; rc=$?
	eq $rc 78 &&
	grep -q "^$D/5301-broken.conf:3:57: unknown priority 'urgentt'" "$TMP/e"
}
check 5307 "a candidate with errors: file:line:col, exit 78" t5307

t5308() {
	esc --db "$TMP/none.db" --now $NOW replay -c "$D/5300-candidate.conf" >"$TMP/o" 2>"$TMP/e"; rc=$?
	eq $rc 66 && [ ! -e "$TMP/none.db" ] && grep -q "cannot open database '$TMP/none.db'" "$TMP/e" &&
	{ rep >"$TMP/o" 2>"$TMP/e"; eq $? 64; } &&
	{ rep -c "$D/5300-candidate.conf" --since 3x >"$TMP/o" 2>"$TMP/e"; eq $? 64; }
}
check 5308 "no database: exit 66 and none is created; no candidate or a bad --since: 64" t5308

t5309() {
	# No deployed configuration: no rules, no SLA; the subject-only
	# candidate reads text only where intake saw a request to escalate,
	# and #3 still goes to tier 2 in both.
	esc --db "$DB" --now $NOW replay -c "$D/5302-subject-only.conf" --json >"$TMP/s.json" &&
	eq "$(jq -c '[.baseline, .tickets, .changed.tickets, .changed.priority, .escalated]' "$TMP/s.json")" \
	    '[null,4,1,1,{"baseline":1,"candidate":1}]' &&
	eq "$(jq -c '.breaches.baseline.total' "$TMP/s.json")" 0 &&
	# the shorter window holds only the tickets of the 19th
	esc --db "$DB" --now $NOW replay -c "$D/5302-subject-only.conf" --since 36h --json >"$TMP/s.json" &&
	eq "$(jq -c '.tickets' "$TMP/s.json")" 2
}
check 5309 "no deployed configuration; text only where needed; --since narrows the window" t5309

t5310() {
	rep -c "$D/5300-baseline.conf" --json >"$TMP/same.json" &&
	eq "$(jq -c '[.tickets, .changed.tickets, .breaches.gained.total,
	    .breaches.avoided.total, .notifications.rules.new, .notifications.rules.gone,
	    (.rules | length), .breaches.baseline == .breaches.candidate]' "$TMP/same.json")" \
	    '[4,0,0,0,0,0,0,true]'
}
check 5310 "the deployed configuration as its own candidate: no difference at all" t5310

t5311() {
	rep -c "$D/5311-entry.conf" --json >"$TMP/entry.json" &&
	eq "$(jq -c '[.tickets, .changed.tier, .changed.department, .examples.tier[0].by,
	    .examples.department[0].to]' "$TMP/entry.json")" '[4,4,3,"channel","billing"]' &&
	rep -c "$D/5311-entry.conf" | grep -q '^    #1 tier 1 -> 2 (where the channel starts its tickets)$'
}
check 5311 "a channel that now starts its tickets at tier 2 in billing: every ticket's tier changes" t5311

done_testing
