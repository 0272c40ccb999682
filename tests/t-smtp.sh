#!/bin/sh
# t-smtp.sh -- SLA notifications end to end: a day of mail imported,
# `sweep` and `send` run at chosen --now times, delivery to Postfix's
# smtp-sink on loopback (-d keeps each mail it receives), and assertions
# on what the sink got.  smtp-fault.pl, a small server of our own, refuses
# single recipients, which smtp-sink cannot.  Cases 8001-8099.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/smtp-lib.sh"
D=$TESTDATA
sink_required 8001
mkdir -p "$TMP/fault"
FAULT_PID=
trap 'stop_sink; stop_fault; rm -rf "$TMP"' EXIT

start_fault() {
	perl "$top_srcdir/tests/smtp-fault.pl" "$TMP/fault.port" "$TMP/fault" &
	FAULT_PID=$!
	i=0
	while [ ! -s "$TMP/fault.port" ]; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
	FPORT=$(cat "$TMP/fault.port")
}
stop_fault() {
	[ -n "$FAULT_PID" ] || return 0
	kill "$FAULT_PID" 2>/dev/null; wait "$FAULT_PID" 2>/dev/null; FAULT_PID=
}
# conf NAME PORT OWNER HEAD
conf() {
	sed -e "s/@PORT@/$2/" -e "s/@OWNER@/$3/" -e "s/@HEAD@/$4/" "$D/8001-sla.conf" >"$TMP/$1.conf"
}
# at NAME TIME COMMAND...: escalator on database NAME with NAME.conf at TIME
at() {
	name=$1 when=$2; shift 2
	esc -q -c "$TMP/$name.conf" --db "$TMP/$name.db" --now "$when" "$@"
}
day() { at "$1" 2026-06-01T07:35:00Z import --channel support --agents northwind.example \
	"$D/8001-day.mbox" >/dev/null 2>&1; }
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
# the one mail file with this Message-ID
mail_with() { grep -l -F "Message-ID: <$1>" "$MAIL"/* 2>/dev/null; }

start_sink || { not_ok "8001 smtp-sink did not start"; cat "$TMP/sink.err"; done_testing; exit 0; }
conf s "$PORT" t1@example.com finance-lead@example.com
day s
BREACH=escalator.1780297200.1.first-response.breach@escalator.example
WARN1=escalator.1780297200.1.first-response.warning@escalator.example

t8001() {
	at s 2026-06-01T07:50:00Z sweep >/dev/null && at s 2026-06-01T07:51:00Z send >/dev/null &&
	at s 2026-06-01T08:05:00Z sweep >/dev/null &&
	at s 2026-06-01T08:06:00Z send --json >"$TMP/send1.json" &&
	f=$(mail_with "$BREACH") && eq "$(echo "$f" | wc -l | tr -d ' ')" 1 &&
	head_of "$f" >"$TMP/h" &&
	grep -qx 'To: t1@example.com' "$TMP/h" && grep -qx 'Cc: finance-lead@example.com' "$TMP/h" &&
	grep -qx 'X-Rcpt-Args: <t1@example.com>' "$TMP/h" &&
	grep -qx 'X-Rcpt-Args: <finance-lead@example.com>' "$TMP/h" &&
	grep -qx 'Subject: \[#1\] SLA breached: first response (tier 1, billing) - Invoice charged' "$TMP/h" &&
	grep -qx 'In-Reply-To: <escalator.1@escalator.example>' "$TMP/h" &&
	grep -qx 'References: <escalator.1@escalator.example>' "$TMP/h" &&
	grep -qx 'Auto-Submitted: auto-generated' "$TMP/h" &&
	grep -q '^Content-Type: multipart/alternative' "$TMP/h"
}
check 8001 "a breach gives one mail: To the owner, Cc the department head, threaded" t8001

t8002() {
	before=$(mails)
	out=$(at s 2026-06-01T08:05:00Z sweep --json) && eq "$(echo "$out" | jq .queued)" 0 &&
	out=$(at s 2026-06-01T09:00:00Z send --json) && eq "$(echo "$out" | jq .messages)" 0 &&
	eq "$(mails)" "$before" &&
	eq "$(sqlite3 "$TMP/s.db" "select count(*) from sla_event where ticket_id = 1")" 2
}
check 8002 "sweeping and sending again sends nothing twice" t8002

t8003() {
	f=$(grep -l '^Subject: \[#2\]' "$MAIL"/*) && eq "$(echo "$f" | wc -l | tr -d ' ')" 1 &&
	head_of "$f" >"$TMP/h" && ! grep -qi '^bcc' "$TMP/h" &&
	! grep -qi '^X-Rcpt-Args: <evil' "$TMP/h" &&
	grep -q '^Subject: \[#2\] SLA warning: first response (tier 1) - Help Bcc:' "$TMP/h"
}
check 8003 "CR LF in a customer's subject injects no header" t8003

t8004() {
	f=$(mail_with "$WARN1") && head_of "$f" >"$TMP/h" &&
	grep -qx 'In-Reply-To: <escalator.1@escalator.example>' "$TMP/h" &&
	[ "$(grep -h '^Message-ID:' "$MAIL"/* | sort -u | wc -l)" -eq "$(mails)" ]
}
check 8004 "every notification of a ticket answers one root, each with its own Message-ID" t8004

t8005() {
	eq "$(jq .connections "$TMP/send1.json")" 1 && [ "$(jq .messages "$TMP/send1.json")" -ge 2 ]
}
check 8005 "one SMTP session delivers several notifications" t8005

t8006() {
	stop_sink
	before=$(mails)
	at s 2026-06-01T13:40:00Z sweep >/dev/null &&
	queued=$(sqlite3 "$TMP/s.db" "select count(*) from outbox where sent is null") &&
	[ "$queued" -ge 1 ] &&
	{ at s 2026-06-01T13:41:00Z send --json >"$TMP/away.json"; [ $? -eq 75 ]; } &&
	eq "$(jq .server_away "$TMP/away.json")" true &&
	eq "$(sqlite3 "$TMP/s.db" "select count(*) from outbox_rcpt where state = 'pending' and attempts = 1 and next_attempt > strftime('%s', '2026-06-01T13:41:00Z')")" 1 &&
	start_sink &&
	out=$(at s 2026-06-01T13:41:30Z send --json) &&
	eq "$(echo "$out" | jq .messages)" "$((queued - 1))" &&
	out=$(at s 2026-06-01T15:00:00Z send --json) && eq "$(echo "$out" | jq .messages)" 1 &&
	out=$(at s 2026-06-01T16:00:00Z send --json) && eq "$(echo "$out" | jq .messages)" 0 &&
	eq "$(mails)" "$((before + queued))" &&
	eq "$(sqlite3 "$TMP/s.db" "select count(*) from outbox where sent is null")" 0
}
check 8006 "with the server away the mail waits, then is delivered once" t8006

t8007() {
	at s 2026-06-01T15:05:00Z sweep >/dev/null && at s 2026-06-01T15:06:00Z send >/dev/null &&
	esc --db "$TMP/s.db" show --json 1 >"$TMP/show.json" &&
	eq "$(jq '.tier' "$TMP/show.json")" 2 &&
	eq "$(jq -r '[.events[] | select(.kind == "escalated") | .detail.reason // (.detail | fromjson? | .reason)] | last' "$TMP/show.json")" "SLA breached: resolution" &&
	f=$(mail_with escalator.1780297200.1.resolution.breach@escalator.example) &&
	head_of "$f" >"$TMP/h" && grep -qx 'To: t2@example.com' "$TMP/h" &&
	grep -q '^Subject: \[#1\] SLA breached: resolution (tier 1, billing)' "$TMP/h" &&
	grep -q 'Escalated: to tier 2 by the default breach rule' "$f" &&
	eq "$(sqlite3 "$TMP/s.db" "select state from sla_clock where ticket_id = 1 and kind = 'pickup'")" running
}
check 8007 "a resolution breach escalates one tier, and the new owner hears of it" t8007

# Recipients refused one at a time, by smtp-fault.pl.
if start_fault; then
	conf f "$FPORT" t1@example.com perm-head@example.com
	day f
	conf g "$FPORT" temp-owner@example.com finance-lead@example.com
	day g
else
	FPORT=
fi

t8008() {
	[ -n "$FPORT" ] && at f 2026-06-01T08:05:00Z sweep >/dev/null &&
	at f 2026-06-01T08:06:00Z send --json >"$TMP/f.json" &&
	f=$(grep -l -F "$BREACH" "$TMP/fault"/*.eml) &&
	eq "$(grep '^X-Rcpt:' "$f")" "X-Rcpt: t1@example.com" &&
	eq "$(sqlite3 "$TMP/f.db" "select state || ' ' || substr(last_error, 1, 3) from outbox_rcpt where rcpt = 'perm-head@example.com'")" "failed 550" &&
	eq "$(sqlite3 "$TMP/f.db" "select count(*) from outbox where sent is null")" 0 &&
	before=$(ls "$TMP/fault" | wc -l) &&
	out=$(at f 2026-06-02T08:00:00Z send --json) && eq "$(echo "$out" | jq .messages)" 0 &&
	eq "$(ls "$TMP/fault" | wc -l)" "$before"
}
check 8008 "a recipient refused with 5xx fails alone; the others get the mail" t8008

t8009() {
	[ -n "$FPORT" ] && rm -f "$TMP/fault"/*.eml &&
	at g 2026-06-01T08:05:00Z sweep >/dev/null && at g 2026-06-01T08:06:00Z send >/dev/null &&
	eq "$(sqlite3 "$TMP/g.db" "select attempts || ' ' || state from outbox_rcpt where rcpt = 'temp-owner@example.com' and outbox_id = 1")" "1 pending" &&
	rm -f "$TMP/fault"/*.eml &&
	out=$(at g 2026-06-01T09:30:00Z send --json) && eq "$(echo "$out" | jq .sent)" 1 &&
	eq "$(cat "$TMP/fault"/*.eml | grep '^X-Rcpt:')" "X-Rcpt: temp-owner@example.com" &&
	eq "$(sqlite3 "$TMP/g.db" "select count(*) from outbox_rcpt where state <> 'sent'")" 0
}
check 8009 "a recipient deferred with 4xx is retried alone, after its back-off" t8009

done_testing
