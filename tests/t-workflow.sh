#!/bin/sh
# t-workflow.sh -- the ticket workflow by hand (assign, escalate,
# deescalate, pending, resolve, reopen, note, tag, untag), the hand-off
# every escalation writes (by hand, by rule, by breach) with its notice in
# the outbox, and the refusals: an invalid transition exits 65 and leaves
# the store as it was.  tests/data/0301-thread.mbox is a morning of mail:
#   #1 Ann, billing (rule at open), answered, then angry
#   #2 Jürgen, a subject with CR LF in it
#   #3 Carl, answered, then asks for a manager (a rule's hand-off)
#   #4 Dora, asks for a manager in her first mail (a hand-off all the same)
#   #5 Erin, a plain question
# Cases 0300-0399 (family 0xxx, the command line).
. "$top_srcdir/tests/lib.sh"
D=$TESTDATA
C="$D/0301-workflow.conf"
NOW=2026-06-01T12:00:00Z
T0=$(date -u -d "$NOW" +%s 2>/dev/null || echo 1780315200)

code() { "$@" >"$TMP/o" 2>"$TMP/e"; echo $?; }
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; cat "$TMP/e" 2>/dev/null; return 1; }; }
# fresh NAME: database NAME with the morning imported
fresh() {
	rm -f "$TMP/$1.db" "$TMP/$1.db-wal" "$TMP/$1.db-shm"
	esc -q -c "$C" --db "$TMP/$1.db" --now $NOW import --channel support \
	    --agents northwind.example "$D/0301-thread.mbox" >/dev/null 2>&1
}
# at NAME TIME COMMAND...: escalator on database NAME at TIME
at() { name=$1 when=$2; shift 2; esc -c "$C" --db "$TMP/$name.db" --now "$when" "$@"; }
w() { name=$1; shift; at "$name" $NOW "$@"; }
sq() { sqlite3 "$TMP/$1.db" "$2"; }
# tk NAME N JQ: a field of ticket N as show --json has it
tk() { esc --db "$TMP/$1.db" show --json "$2" | jq -r "$3"; }
# last NAME N KIND JQ: of the last event KIND of ticket N, JQ on it
last() { esc --db "$TMP/$1.db" show --json "$2" | jq -r "[.events[] | select(.kind == \"$3\")] | last | $4"; }
count() { sq "$1" "select count(*) from event where ticket_id = $2 and kind = '$3'"; }
snap() { sqlite3 "$TMP/$1.db" .dump | cksum; }

CMDS="assign escalate deescalate pending resolve reopen note tag untag"

t0301() {
	for c in $CMDS; do
		eq "$(code esc "$c" --help)" 0 && grep -q "^usage: escalator \[global options\] $c " "$TMP/o" &&
		grep -q -- "--as ADDR" "$TMP/o" && grep -q -- "--json" "$TMP/o" || { echo "$c"; return 1; }
	done
	esc --help | grep -q '^  escalate ' && esc --help | grep -q '^  untag '
}
check 0301 "every workflow command has --help and is listed" t0301

fresh a
t0302() {
	w a assign 5 agent@northwind.example --as lead@northwind.example >"$TMP/o" &&
	grep -qx 'ticket 5: assigned to agent@northwind.example' "$TMP/o" &&
	eq "$(tk a 5 .owner)" agent@northwind.example &&
	eq "$(last a 5 assigned '"\(.actor) \(.detail.from) \(.detail.to)"')" \
	    "lead@northwind.example null agent@northwind.example" &&
	out=$(w a assign 5 other@northwind.example --reason "agent is away" --as lead@northwind.example --json) &&
	eq "$(echo "$out" | jq -r .owner)" other@northwind.example &&
	eq "$(last a 5 assigned '"\(.detail.from) \(.detail.reason)"')" \
	    "agent@northwind.example agent is away"
}
check 0302 "assign gives the ticket an owner; the event has from, to and the actor" t0302

t0303() {
	before=$(snap a) &&
	eq "$(code w a assign 5 other@northwind.example)" 65 &&
	grep -q "cannot assign ticket 5 to other@northwind.example: it is assigned to other@northwind.example already" "$TMP/e" &&
	eq "$(code w a assign 5 'x@y.example>, evil@z.example')" 64 && grep -q "invalid address" "$TMP/e" &&
	eq "$(code w a assign 5)" 64 &&
	eq "$(snap a)" "$before"
}
check 0303 "assign refuses a no-op (65) and a bad address (64), touching nothing" t0303

fresh b
t0304() {
	w b assign 5 agent@northwind.example --as lead >/dev/null &&
	w b escalate 5 --reason "needs a specialist" --as alice@northwind.example >"$TMP/o" &&
	grep -qx 'ticket 5: escalated from tier 1 to tier 2, hand-off 1, notice to t2@example.com' "$TMP/o" &&
	eq "$(tk b 5 '"\(.tier) \(.owner) \(.handoffs)"')" "2 null 1" &&
	eq "$(last b 5 escalated '"\(.actor) \(.detail | [.type, .from, .to, .reason, .previous_owner] | join(","))"')" \
	    "alice@northwind.example hierarchical,1,2,needs a specialist,agent@northwind.example" &&
	eq "$(last b 5 handoff '"\(.actor) \(.detail | [.by, .from_tier, .to_tier, .handoffs, .late, .notification.to] | map(tostring) | join(","))"')" \
	    "alice@northwind.example hand,1,2,1,false,t2@example.com" &&
	eq "$(sq b "select recipients from outbox where ticket_id = 5")" '["t2@example.com"]'
}
check 0304 "escalate goes one tier up, clears the owner, writes a hand-off and queues its notice" t0304

t0305() {
	w b escalate 1 --reason "refund beyond tier 1 authority" --as alice@northwind.example >/dev/null &&
	last b 1 handoff .detail >"$TMP/h.json" &&
	eq "$(jq -r .problem "$TMP/h.json")" "Hello, I was charged twice for invoice 4411." &&
	eq "$(jq -r '[.customer, .customer_name, .channel, (.public | tostring), .subject] | join("|")' "$TMP/h.json")" \
	    "ann@customer.example|Ann Example|support|false|Invoice charged twice" &&
	eq "$(jq -r '.tried | length' "$TMP/h.json")" 2 &&
	jq -r '.tried[0]' "$TMP/h.json" | grep -q '^2026-06-01T09:00:00Z escalated to department billing by rule "billing"' &&
	jq -r '.tried[1]' "$TMP/h.json" | grep -q '^2026-06-01T09:30:00Z reply by agent@northwind.example: We are looking into the double charge' &&
	eq "$(jq -r '.sentiment | [.trend, .scored, (.first > .last)] | map(tostring) | join(",")' "$TMP/h.json")" \
	    "worsening,2,true" &&
	eq "$(jq -r '[.sla.breaches, (.sla.clocks | length), .late, .to_department, .from_department] | map(tostring) | join(",")' "$TMP/h.json")" \
	    "0,0,false,billing,billing" &&
	eq "$(jq -r '.notification | "\(.to) \(.cc | length)"' "$TMP/h.json")" "billing@example.com 0"
}
check 0305 "the hand-off summary: customer, channel, first words, what was tried, sentiment trend, SLA" t0305

t0306() {
	sq b "select data from outbox where message_id = 'escalator.$T0.1.handoff-1@escalator.example'" >"$TMP/m1" &&
	sed -n '1,/^$/p' "$TMP/m1" | tr -d '\r' >"$TMP/h" &&
	grep -qx 'To: billing@example.com' "$TMP/h" && ! grep -q '^Cc:' "$TMP/h" &&
	grep -qx 'Subject: \[#1\] Escalated to tier 2 (billing) - Invoice charged twice' "$TMP/h" &&
	grep -qx "Message-ID: <escalator.$T0.1.handoff-1@escalator.example>" "$TMP/h" &&
	grep -qx 'In-Reply-To: <escalator.1@escalator.example>' "$TMP/h" &&
	grep -qx 'Auto-Submitted: auto-generated' "$TMP/h" &&
	grep -q '^Content-Type: multipart/alternative' "$TMP/h" &&
	grep -q '^Problem:   "Hello, I was charged twice for invoice 4411."' "$TMP/m1" &&
	grep -q '^What was tried, oldest first (2 of 2):' "$TMP/m1" &&
	grep -q '^Hand-offs: 1, this one included' "$TMP/m1" &&
	# no calendar in the configuration: times in UTC, and said so
	grep -q '^The conversation, newest first (times in UTC):' "$TMP/m1" &&
	# a customer's CR LF stays inside the subject line
	w b escalate 2 --reason "login outage" >/dev/null &&
	sq b "select data from outbox where ticket_id = 2 and message_id like '%.handoff-1@%'" |
	    sed -n '1,/^\r*$/p' | tr -d '\r' >"$TMP/h2" &&
	grep -q '^Subject: \[#2\] Escalated to tier 2 - Help Bcc: evil@attacker.example body' "$TMP/h2" &&
	! grep -qi '^bcc:' "$TMP/h2" && eq "$(grep -c '^To:' "$TMP/h2")" 1
}
check 0306 "the hand-off notice: To the owner, threaded under the ticket, no header from customer text" t0306

fresh c
t0307() {
	w c escalate 5 --tier 3 --reason "straight to engineering" >/dev/null &&
	eq "$(tk c 5 .tier)" 3 &&
	eq "$(last c 5 handoff '.detail.notification.to')" t3@example.com &&
	before=$(snap c) &&
	eq "$(code w c escalate 5 --reason again)" 65 &&
	grep -q "cannot escalate ticket 5: it is at tier 3, the top tier" "$TMP/e" &&
	eq "$(code w c escalate 1 --tier 4 --reason x)" 65 &&
	grep -q "cannot escalate ticket 1 to tier 4: the top tier is 3" "$TMP/e" &&
	eq "$(code w c escalate 1 --tier 1 --reason x)" 65 && grep -q "it is at tier 1 already" "$TMP/e" &&
	eq "$(code w c escalate 3 --tier 1 --reason x)" 65 && grep -q "(use deescalate)" "$TMP/e" &&
	eq "$(code w c escalate 1 --tier 9 --reason x)" 64 && grep -q "invalid tier '9'" "$TMP/e" &&
	eq "$(code w c escalate 1)" 64 && grep -q "escalate needs --reason" "$TMP/e" &&
	eq "$(code w c escalate 1 --tier 2 --department billing --reason x)" 64 &&
	eq "$(snap c)" "$before"
}
check 0307 "escalate --tier; above the top tier, at the top, or not up: exit 65, nothing touched" t0307

t0308() {
	w c escalate 1 --department technical --reason "the refund tool is down" --as bob >"$TMP/o" &&
	grep -qx 'ticket 1: escalated to department technical, hand-off 1, notice to t1@example.com' "$TMP/o" &&
	eq "$(tk c 1 '"\(.department) \(.tier)"')" "technical 1" &&
	eq "$(last c 1 escalated '.detail | [.type, .from, .to, .reason] | join(",")')" \
	    "functional,billing,technical,the refund tool is down" &&
	eq "$(last c 1 handoff '.detail | [.type, .from_department, .to_department] | join(",")')" \
	    "functional,billing,technical" &&
	w c escalate 5 --department billing --reason "an invoice question" >/dev/null &&
	eq "$(last c 5 handoff '.detail.notification.to')" billing@example.com &&
	eq "$(last c 5 escalated '.detail.from')" null &&
	before=$(snap c) &&
	eq "$(code w c escalate 2 --department sales --reason x)" 65 &&
	grep -q "unknown department 'sales' (known: billing, technical)" "$TMP/e" &&
	eq "$(code w c escalate 1 --department technical --reason x)" 65 &&
	grep -q "it is in technical already" "$TMP/e" &&
	eq "$(snap c)" "$before"
}
check 0308 "escalate --department: functional, to the department's owner; unknown ones are named" t0308

fresh d
t0309() {
	at d $NOW sweep >/dev/null && at d 2026-06-01T15:30:00Z sweep >/dev/null &&
	eq "$(count d 1 sla-warning)" 1 &&
	at d 2026-06-01T15:31:00Z escalate 1 --reason "refund beyond tier 1 authority" >"$TMP/o" &&
	grep -q 'hand-off 1 (late), notice to billing@example.com, cc finance-lead@example.com$' "$TMP/o" &&
	eq "$(last d 1 handoff '.detail | [.late, .sla.breaches, (.notification.cc | join(","))] | map(tostring) | join(" ")')" \
	    "true 0 finance-lead@example.com" &&
	eq "$(last d 1 handoff '[.detail.sla.clocks[] | select(.kind == "resolution") | .state, .deadline] | join(" ")')" \
	    "running 2026-06-01T17:00:00Z" &&
	sq d "select data from outbox where message_id like 'escalator.%.1.handoff-1@%'" | tr -d '\r' >"$TMP/m" &&
	grep -qx 'Cc: finance-lead@example.com' "$TMP/m" &&
	grep -q '^This hand-off comes late: an SLA clock is past its warning.' "$TMP/m"
}
check 0309 "an escalation within the warning window is late: the department head in Cc" t0309

fresh e
t0310() {
	at e $NOW sweep >/dev/null && at e 2026-06-01T17:05:00Z sweep >/dev/null &&
	eq "$(tk e 1 '"\(.tier) \(.handoffs)"')" "2 1" &&
	eq "$(last e 1 handoff '"\(.actor) \(.detail | [.by, .reason, .late, .sla.breaches, .notification.to, (.notification.cc | join(","))] | map(tostring) | join(","))"')" \
	    "escalator breach,SLA breached: resolution,true,1,billing@example.com,finance-lead@example.com" &&
	# One mail, not two: the breach notice, to the same owner and head,
	# carries the hand-off in its history.
	eq "$(sq e "select count(*) from outbox where message_id like 'escalator.%.1.handoff-%@%'")" 0 &&
	msgid=$(last e 1 handoff '.detail.notification.message_id') &&
	case $msgid in escalator.*.1.resolution.breach@*) ;; *) echo "$msgid"; false;; esac &&
	eq "$(sq e "select recipients from outbox where message_id = '$msgid'")" \
	    '["billing@example.com","finance-lead@example.com"]' &&
	# quoted-printable soft line breaks joined: the history reads in words
	sq e "select data from outbox where message_id = '$msgid'" | tr -d '\r' |
	    perl -0pe 's/=\n//g' >"$TMP/bm" &&
	grep -q '^Subject: \[#1\] Resolution .* late - ' "$TMP/bm" &&
	grep -q '  Handed on: to tier 2 (billing), hand-off 1 by breach, late' "$TMP/bm" &&
	grep -q '  Escalated: tier 1 -> 2: SLA breached: resolution' "$TMP/bm"
}
check 0310 "a breach that escalates writes the hand-off, late, head in Cc: one mail, the breach notice" t0310

t0311() {
	# Carl asked for a manager in a reply: the default escalation hands it on.
	eq "$(tk a 3 '"\(.tier) \(.handoffs)"')" "2 1" &&
	eq "$(last a 3 handoff '"\(.actor) \(.detail | [.by, .from_tier, .to_tier, .reason] | map(tostring) | join(","))"')" \
	    "rules rule,1,2,customer asked to escalate" &&
	last a 3 handoff '.detail.tried[]' | grep -q 'reply by agent@northwind.example: Please try clearing the cache' &&
	eq "$(last a 3 handoff '.detail.problem')" "The export crashes every time I open a large file." &&
	eq "$(sq a "select recipients from outbox where message_id like 'escalator.%.3.handoff-1@%'")" '["t2@example.com"]' &&
	# Dora asked in her first mail: tier 2 hears of it from a hand-off too.
	eq "$(tk a 4 '"\(.tier) \(.handoffs)"')" "2 1" && eq "$(count a 4 handoff)" 1 &&
	eq "$(last a 4 handoff '"\(.detail.by) \(.detail.from_tier) \(.detail.to_tier)"')" "rule 1 2" &&
	# Ann's billing rule at open chose where her ticket starts: no hand-off.
	eq "$(count a 1 handoff)" 0
}
check 0311 "a rule's escalation is a hand-off, also on the opening message; a department chosen then is not" t0311

t0312() {
	w a escalate 3 --reason "a bug in the exporter" --as bob >/dev/null &&
	eq "$(tk a 3 '"\(.tier) \(.handoffs)"')" "3 2" &&
	eq "$(last a 3 handoff '.detail | [.handoffs, .notification.message_id] | map(tostring) | join(" ")')" \
	    "2 escalator.$T0.3.handoff-2@escalator.example" &&
	last a 3 handoff '.detail.tried[]' | grep -q 'escalated tier 1 -> 2 by escalator: customer asked to escalate' &&
	w a deescalate 3 --reason "fixed in 2.1, front line follows up" >/dev/null &&
	eq "$(tk a 3 '"\(.tier) \(.handoffs)"')" "2 2" &&
	esc --db "$TMP/a.db" show 3 | grep -q '^Opened: .*, 2 hand-offs$'
}
check 0312 "hand-offs are counted per ticket; a de-escalation is not one" t0312

fresh f
t0313() {
	w f escalate 5 --reason x >/dev/null && w f assign 5 spec@northwind.example >/dev/null &&
	w f deescalate 5 --reason "back to the front line" --as carol >"$TMP/o" &&
	grep -qx 'ticket 5: deescalated from tier 2 to tier 1' "$TMP/o" &&
	eq "$(tk f 5 '"\(.tier) \(.owner) \(.handoffs)"')" "1 null 1" &&
	eq "$(last f 5 deescalated '"\(.actor) \(.detail | [.type, .from, .to, .reason, .previous_owner] | map(tostring) | join(","))"')" \
	    "carol hierarchical,2,1,back to the front line,spec@northwind.example" &&
	before=$(snap f) &&
	eq "$(code w f deescalate 5 --reason x)" 65 && grep -q "it is at tier 1, the lowest tier" "$TMP/e" &&
	eq "$(code w f deescalate 5 --tier 0 --reason x)" 65 && grep -q "the lowest tier is 1" "$TMP/e" &&
	eq "$(code w f deescalate 5 --tier 2 --reason x)" 65 && grep -q "(use escalate)" "$TMP/e" &&
	eq "$(code w f deescalate 5)" 64 &&
	eq "$(code w f deescalate 5 --department billing --reason x)" 64 &&
	eq "$(snap f)" "$before"
}
check 0313 "deescalate goes one tier down; at the lowest tier or not down: 65" t0313

fresh g
t0314() {
	at g $NOW sweep >/dev/null &&
	eq "$(sq g "select state || ' ' || deadline from sla_clock where ticket_id = 5 and kind = 'resolution'")" \
	    "running $(date -u -d 2026-06-01T18:30:00Z +%s)" &&
	w g pending 5 --reason "asked for the store id" --as bob >"$TMP/o" &&
	grep -qx 'ticket 5: pending on the customer' "$TMP/o" &&
	eq "$(tk g 5 .status)" pending &&
	eq "$(last g 5 pending '"\(.actor) \(.detail.from) \(.detail.reason)"')" "bob new asked for the store id" &&
	at g 2026-06-01T20:00:00Z sweep >/dev/null &&
	eq "$(sq g "select state || ' ' || coalesce(deadline, 'none') from sla_clock where ticket_id = 5 and kind = 'resolution'")" \
	    "paused none" &&
	eq "$(sq g "select count(*) from sla_event where ticket_id = 5 and kind = 'resolution'")" 0 &&
	eq "$(code w g pending 5)" 65 && grep -q "it is pending already" "$TMP/e"
}
check 0314 "pending waits on the customer: the resolution clock pauses, no warning, no breach" t0314

t0315() {
	# Erin answers at 13:00: the ticket is open again and the clock runs,
	# its deadline moved by the hour it waited.
	esc -q -c "$C" --db "$TMP/g.db" --now 2026-06-01T13:00:00Z import --channel support \
	    --agents northwind.example "$D/0315-reply.mbox" >/dev/null 2>&1 &&
	eq "$(tk g 5 .status)" open &&
	at g 2026-06-01T13:05:00Z sweep >/dev/null &&
	eq "$(sq g "select state || ' ' || deadline from sla_clock where ticket_id = 5 and kind = 'resolution'")" \
	    "running $(date -u -d 2026-06-01T19:30:00Z +%s)"
}
check 0315 "a customer message on a pending ticket reopens it and the clock resumes" t0315

fresh h
t0316() {
	at h 2026-06-01T13:00:00Z resolve 5 --reason "answered by phone" --as bob >"$TMP/o" &&
	grep -qx 'ticket 5: resolved' "$TMP/o" &&
	eq "$(tk h 5 '"\(.status) \(.resolved)"')" "resolved 2026-06-01T13:00:00Z" &&
	eq "$(esc --db "$TMP/h.db" queue --all --json | jq -r '.[] | select(.id == 5) | .resolved')" 2026-06-01T13:00:00Z &&
	eq "$(last h 5 resolved '"\(.actor) \(.detail.from) \(.detail.reason)"')" "bob new answered by phone" &&
	at h 2026-06-01T20:00:00Z sweep >/dev/null &&
	eq "$(sq h "select state from sla_clock where ticket_id = 5 and kind = 'resolution'")" met &&
	before=$(snap h) &&
	eq "$(code w h resolve 5)" 65 && grep -q "cannot resolve ticket 5: it is resolved already" "$TMP/e" &&
	eq "$(code w h pending 5)" 65 && grep -q "it is resolved (reopen it first)" "$TMP/e" &&
	eq "$(code w h escalate 5 --reason x)" 65 && grep -q "cannot escalate ticket 5: it is resolved" "$TMP/e" &&
	eq "$(code w h assign 5 a@northwind.example)" 65 &&
	eq "$(code w h deescalate 5 --reason x)" 65 &&
	eq "$(snap h)" "$before"
}
check 0316 "resolve stops the clocks and keeps the time; resolved tickets refuse the rest" t0316

t0317() {
	at h 2026-06-01T14:00:00Z reopen 5 --as bob >"$TMP/o" && grep -qx 'ticket 5: reopened' "$TMP/o" &&
	eq "$(tk h 5 '"\(.status) \(.resolved)"')" "open null" &&
	eq "$(last h 5 reopened '"\(.actor) \(.detail.from)"')" "bob resolved" &&
	eq "$(code w h reopen 5)" 65 && grep -q "cannot reopen ticket 5: it is open, not resolved or closed" "$TMP/e" &&
	sq h "update ticket set status = 4 where id = 2" &&
	before=$(snap h) &&
	eq "$(code w h resolve 2)" 65 && grep -q "cannot resolve ticket 2: it is closed" "$TMP/e" &&
	eq "$(snap h)" "$before" &&
	w h reopen 2 >/dev/null && eq "$(tk h 2 .status)" open &&
	eq "$(last h 2 reopened .detail.from)" closed
}
check 0317 "reopen: resolved or closed tickets only; resolving a closed ticket is refused" t0317

t0318() {
	w h note 1 Called the customer, "refund is" on its way. --as bob >"$TMP/o" &&
	grep -qx 'ticket 1: note added' "$TMP/o" &&
	eq "$(last h 1 note '"\(.actor)|\(.detail.text)"')" "bob|Called the customer, refund is on its way." &&
	esc --db "$TMP/h.db" show 1 | grep -q ' note .* bob .*Called the customer, refund is on its way\.$' &&
	eq "$(code w h note 1)" 64 && eq "$(code w h note 1 '  ')" 64 &&
	eq "$(code w h note 1 text --reason x)" 64
}
check 0318 "note adds the words to the history with the actor" t0318

t0319() {
	w h tag 1 vip >/dev/null && w h tag 1 "legal hold" --as bob >/dev/null &&
	eq "$(tk h 1 '.tags | join(",")')" "vip,legal hold" &&
	eq "$(last h 1 tagged '"\(.actor) \(.detail.tag)"')" "bob legal hold" &&
	eq "$(code w h tag 1 vip)" 65 && grep -q "ticket 1 has the tag 'vip' already" "$TMP/e" &&
	eq "$(code w h tag 1 'a,b')" 64 &&
	w h untag 1 vip --reason "not a vip after all" >/dev/null &&
	eq "$(tk h 1 '.tags | join(",")')" "legal hold" &&
	eq "$(last h 1 untagged '"\(.detail.tag) \(.detail.reason)"')" "vip not a vip after all" &&
	eq "$(code w h untag 1 vip)" 65 && grep -q "ticket 1 has no tag 'vip'" "$TMP/e" &&
	w h untag 1 "legal hold" >/dev/null && eq "$(tk h 1 '.tags | length')" 0
}
check 0319 "tag and untag; a tag twice or an absent one: 65" t0319

t0320() {
	before=$(snap h)
	for c in assign escalate deescalate pending resolve reopen note tag untag; do
		case $c in
		assign) set -- 42 a@northwind.example ;;
		escalate|deescalate) set -- 42 --reason x ;;
		note|tag|untag) set -- 42 word ;;
		*) set -- 42 ;;
		esac
		eq "$(code w h $c "$@")" 65 && grep -qx "escalator: no ticket 42" "$TMP/e" || { echo "$c"; return 1; }
		eq "$(code w h $c 4x2 x)" 64 || { echo "$c"; return 1; }
	done
	eq "$(snap h)" "$before"
}
check 0320 "an unknown ticket exits 65 with 'no ticket 42' for every command; nothing touched" t0320

t0321() {
	me=$(logname 2>/dev/null || id -un) && [ -n "$me" ] &&
	w h note '#1' "who am I" >/dev/null &&
	eq "$(last h 1 note .actor)" "$me" &&
	eq "$(code w h note 1 x --as "$(printf 'a\nb')")" 64 &&
	eq "$(code w h pending 1 --reason "$(printf 'two\nlines')")" 64
}
check 0321 "the actor is the login name unless --as says; no control characters" t0321

t0322() {
	rm -f "$TMP/n.db"*
	esc -q --db "$TMP/n.db" --now $NOW import --channel support --agents northwind.example \
	    "$D/0301-thread.mbox" >/dev/null 2>&1 &&
	for k in 2 3 4; do
		esc --db "$TMP/n.db" --now $NOW escalate 5 --reason "up" >/dev/null || return 1
	done
	eq "$(tk n 5 '"\(.tier) \(.handoffs)"')" "4 3" &&
	eq "$(code esc --db "$TMP/n.db" --now $NOW escalate 5 --reason x)" 65 &&
	grep -q "it is at tier 4, the top tier" "$TMP/e" &&
	esc --db "$TMP/n.db" --now $NOW escalate 1 --department anything --reason x >/dev/null &&
	eq "$(tk n 1 .department)" anything &&
	eq "$(last n 5 handoff .detail.notification)" null &&
	eq "$(sq n "select count(*) from outbox")" 0
}
check 0322 "without a configuration: tiers up to 4, any department, the hand-off but no notice" t0322

t0323() {
	esc --db "$TMP/b.db" show 1 >"$TMP/s" &&
	grep -q '^  tier 2             1 -> 2: refund beyond tier 1 authority (2026-06-01T12:00:00Z, by alice@northwind.example)$' "$TMP/s" &&
	grep -q ' handoff .*to tier 2 (billing), hand-off 1 by hand: notice to billing@example.com; problem "Hello, I was charged twice for invoice 4411."; sentiment worsening; 2 steps tried$' "$TMP/s" &&
	esc --db "$TMP/h.db" show 5 | grep -q ' reopened .*resolved -> open$' &&
	esc --db "$TMP/a.db" show 5 | grep -q ' assigned .*owner agent@northwind.example -> other@northwind.example: agent is away$' &&
	esc --db "$TMP/a.db" queue --json | jq -e 'all(.[]; has("handoffs") and has("resolved"))' >/dev/null &&
	eq "$(esc --db "$TMP/b.db" show --json 1 | jq -r '.explanation.tier.moves[-1] | "\(.actor) \(.to)"')" \
	    "alice@northwind.example 2"
}
check 0323 "show explains the workflow's events; queue and show --json carry handoffs and resolved" t0323

t0324() {
	out=$(w b escalate 5 --json --reason "engineering needed") &&
	eq "$(echo "$out" | jq -r '"\(.id) \(.tier) \(.owner) \(.handoffs) \(.status)"')" "5 3 null 2 new"
}
check 0324 "--json prints the ticket as it is afterwards" t0324

t0325() {
	for c in "assign 1 a@example.com" "escalate 1 --reason x" "resolve 1" "note 1 hi"; do
		# shellcheck disable=SC2086 # the words of c are the arguments
		eq "$(code esc --db "$TMP/absent.db" $c)" 66 &&
		grep -q "no database at '$TMP/absent.db'" "$TMP/e" &&
		[ ! -e "$TMP/absent.db" ] || { echo "$c"; return 1; }
	done
}
check 0325 "a database that is not there: exit 66, none created" t0325

done_testing
