#!/bin/sh
# t-digest.sh -- breach digests: the day of tests/data/8001-day.mbox
# imported and swept at chosen --now times, then `digest --json` has the
# expected figures, `digest --send` + `send` deliver one mail per
# recipient with a text and an HTML part to Postfix's smtp-sink on
# loopback, a second `digest --send` for the same window queues nothing,
# and the daemon queues the scheduled digest once.  Cases 5101-5199.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/smtp-lib.sh"
D=$TESTDATA
sink_required 5101
PID=
trap 'stop_sink; [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT

at() {
	when=$1; shift
	esc -q -c "$TMP/d.conf" --db "$TMP/d.db" --now "$when" "$@"
}
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
digests() { sqlite3 "$TMP/d.db" "select count(*) from outbox where message_id like 'escalator.digest.%'"; }

start_sink || { not_ok "5101 smtp-sink did not start"; cat "$TMP/sink.err"; done_testing; exit 0; }
sed -e "s/@PORT@/$PORT/" "$D/5101-digest.conf" >"$TMP/d.conf"
at 2026-06-01T07:35:00Z import --channel support --agents northwind.example \
	"$D/8001-day.mbox" >/dev/null 2>&1
for t in 07:50 08:05 13:40 15:05; do at "2026-06-01T$t:00Z" sweep >/dev/null; done
# The notifications of the sweeps go first, so the sink holds only digests after.
at 2026-06-01T15:06:00Z send >/dev/null
rm -f "$MAIL"/*
NOW=2026-06-02T06:00:00Z

t5101() {
	at $NOW digest --json >"$TMP/d.json" &&
	eq "$(jq -c '[.breaches, .warnings, .since, .zone]' "$TMP/d.json")" '[3,5,86400,"Europe/Berlin"]' &&
	eq "$(jq -c '.by_tier' "$TMP/d.json")" '[{"tier":1,"breaches":3,"warnings":5}]' &&
	eq "$(jq -c '.by_department' "$TMP/d.json")" \
	    '[{"department":"billing","breaches":2,"warnings":2},{"department":null,"breaches":1,"warnings":3}]' &&
	eq "$(jq -c '.by_channel' "$TMP/d.json")" '[{"channel":"support","breaches":3,"warnings":5}]'
}
check 5101 "digest --json counts breaches and warnings by tier, department, channel" t5101

t5102() {
	eq "$(jq -c '[.worst[] | [.ticket, .tier, .owner, .breaches]]' "$TMP/d.json")" \
	    '[[1,2,"t2@example.com",2],[2,1,"t1@example.com",1],[3,1,"t1@example.com",0]]' &&
	[ "$(jq '.worst[0].late' "$TMP/d.json")" -gt "$(jq '.worst[1].late' "$TMP/d.json")" ] &&
	eq "$(jq -c '.compliance' "$TMP/d.json")" \
	    '{"due":6,"met":1,"percent":17,"previous":{"due":0,"met":0,"percent":null}}'
}
check 5102 "the worst tickets come most late first; compliance against the window before" t5102

t5103() {
	at $NOW digest >"$TMP/d.txt" &&
	eq "$(sed -n 1,4p "$TMP/d.txt")" "SLA digest, Mon 1 Jun 2026 08:00 to Tue 2 Jun 2026 08:00 Europe/Berlin

3 breaches and 5 warnings in the last 24 h, all in tier 1. 1 of 6 SLA
deadlines due was met (17%); none was due in the previous 24 h." &&
	grep -qx 'Breached: answer or resolve these first (2 tickets)' "$TMP/d.txt" &&
	grep -qx '  #1     Invoice charged twice' "$TMP/d.txt" &&
	grep -qx '         22 h late, 2 breaches; tier 2, owner t2@example.com' "$TMP/d.txt" &&
	grep -qx 'Warned, not late yet (1 ticket)' "$TMP/d.txt" &&
	grep -qx '         1 warning, not late; tier 1, owner t1@example.com' "$TMP/d.txt" &&
	grep -q '^  billing  *2 breaches, 2 warnings$' "$TMP/d.txt" &&
	# the customer's CR LF stays out of the digest's lines too
	grep -qx '  #2     Help Bcc: evil@attacker.example body' "$TMP/d.txt" &&
	# breached tickets before warned ones, the breakdown after them
	[ "$(grep -n '#2 ' "$TMP/d.txt" | cut -d: -f1)" -lt "$(grep -n '#3 ' "$TMP/d.txt" | cut -d: -f1)" ] &&
	[ "$(grep -n '#3 ' "$TMP/d.txt" | cut -d: -f1)" -lt "$(grep -n '^By tier' "$TMP/d.txt" | cut -d: -f1)" ] &&
	! grep -q '.\{73\}' "$TMP/d.txt"
}
check 5103 "digest prints the text version" t5103

t5104() {
	out=$(at $NOW digest --send --json) && eq "$out" '{"recipients":2,"queued":2}' &&
	at 2026-06-02T06:01:00Z send >/dev/null && eq "$(mails)" 2 &&
	for r in lead@example.com boss@example.com; do
		f=$(grep -l -x "To: $r" "$MAIL"/*) && eq "$(echo "$f" | wc -l | tr -d ' ')" 1 &&
		grep -q '^Subject: SLA digest: 3 breaches and 5 warnings in the last 24 h; 17% of' "$f" &&
		grep -q '^Message-ID: <escalator.digest.20260602.86400.[0-9a-f]*@escalator.example>' "$f" &&
		grep -q '^Content-Type: multipart/alternative' "$f" &&
		grep -q '^Content-Type: text/plain; charset=' "$f" &&
		grep -q '^Content-Type: text/html; charset=' "$f" &&
		# quoted-printable undone: a soft line break may split a style
		perl -MMIME::QuotedPrint -0777 -ne 'print decode_qp($_)' "$f" >"$TMP/qp" &&
		grep -q 'background:#c0392b' "$TMP/qp" && ! grep -qi '<img' "$TMP/qp" &&
		! grep -qi '<style\|<link\|src=' "$TMP/qp" &&
		# a light ground said outright, for clients in dark mode
		grep -q '<meta name="color-scheme" content="light">' "$TMP/qp" &&
		grep -q '<body bgcolor="#ffffff" style="margin:0;padding:0;background:#ffffff;' \
		    "$TMP/qp" || return 1
	done
}
check 5104 "digest --send, then send: one mail per recipient, text and HTML with bars" t5104

t5105() {
	before=$(digests) &&
	out=$(at $NOW digest --send --json) && eq "$out" '{"recipients":2,"queued":0}' &&
	out=$(at 2026-06-02T07:00:00Z digest --send --json) && eq "$out" '{"recipients":2,"queued":0}' &&
	eq "$(digests)" "$before" &&
	at 2026-06-02T07:01:00Z send >/dev/null && eq "$(mails)" 2
}
check 5105 "digest --send again for the same window queues nothing new" t5105

t5106() {
	{ at $NOW digest --since 2x; [ $? -eq 64 ]; } &&
	out=$(at $NOW digest --since 1h --json) && eq "$(echo "$out" | jq -c '[.breaches, .warnings]')" '[0,0]' &&
	at $NOW digest --since 1h >"$TMP/e.txt" &&
	grep -qx 'No SLA breach or warning in the last hour. No SLA deadline was due.' "$TMP/e.txt" &&
	grep -qx 'Nothing needs action.' "$TMP/e.txt"
}
check 5106 "--since sets the window; a bad duration is a usage error" t5106

t5107() {
	rm -f "$MAIL"/*
	"$ESCALATOR" -c "$TMP/d.conf" --db "$TMP/run.db" run -f 2>"$TMP/run.log" &
	PID=$!
	i=0
	until [ "$(ls "$MAIL" | wc -l)" -ge 3 ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat "$TMP/run.log"; return 1; }; sleep 0.1
	done
	kill -TERM "$PID" && wait "$PID"; rc=$?; PID=
	eq "$rc" 0 &&
	eq "$(sqlite3 "$TMP/run.db" "select count(*) from outbox where message_id like 'escalator.digest.%'")" 3 &&
	eq "$(grep -c 'event=digest-queued' "$TMP/run.log")" 3 &&
	eq "$(mails)" 3
}
check 5107 "the daemon queues each scheduled digest once and sends it" t5107

# Ticket 2 (one breach, two warnings, two clocks due) is found to be the
# same conversation as ticket 1 and merged into it: it keeps its SLA
# events, but the conversation's lapses are ticket 1's.  As a merge
# leaves it: merged_into set, nothing else of the ticket touched.
t5108() {
	cp "$TMP/d.db" "$TMP/m.db" &&
	sqlite3 "$TMP/m.db" "UPDATE ticket SET merged_into = 1 WHERE id = 2" &&
	esc -q -c "$TMP/d.conf" --db "$TMP/m.db" --now $NOW digest --json >"$TMP/m.json" &&
	eq "$(jq -c '[.breaches, .warnings, .compliance.due, .compliance.met]' "$TMP/m.json")" '[2,3,4,1]' &&
	eq "$(jq -c '[.worst[].ticket]' "$TMP/m.json")" '[1,3]' &&
	eq "$(jq -c '.by_department' "$TMP/m.json")" \
	    '[{"department":"billing","breaches":2,"warnings":2},{"department":null,"breaches":0,"warnings":1}]' &&
	# the unmerged database still counts all three
	eq "$(at $NOW digest --json | jq -c '[.breaches, .warnings, .compliance.due]')" '[3,5,6]'
}
check 5108 "a merged ticket's SLA events are not counted beside its survivor's" t5108

done_testing
