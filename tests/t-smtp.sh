#!/bin/sh
# t-smtp.sh -- SLA notifications end to end: a day of mail imported,
# `sweep` and `send` run at chosen --now times, delivery to Postfix's
# smtp-sink on loopback (-d keeps each mail it receives), and assertions
# on what the sink got.  smtp-fault.pl, a small server of our own, refuses
# single recipients, which smtp-sink cannot, and speaks TLS (8010-8017,
# with IO::Socket::SSL and certificates made here by openssl).
# 8022 checks the bytes on the wire with tests/mail-check.py; 8024-8027
# answer as Exim and OpenSMTPD do.
# Cases 8001-8099.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/smtp-lib.sh"
D=$TESTDATA
sink_required 8001
mkdir -p "$TMP/fault"
FAULT_PID=
TLS_PIDS=
trap 'stop_sink; stop_fault; stop_tls; rm -rf "$TMP"' EXIT

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
stop_tls() {
	for p in $TLS_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	TLS_PIDS=
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
	eq "$(subject_of "$f")" '[#1] First response 5 min late - Anna Schmidt: Invoice charged twice' &&
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
	f=$(grep -l '^X-Escalator-Ticket: 2$' "$MAIL"/*) && eq "$(echo "$f" | wc -l | tr -d ' ')" 1 &&
	head_of "$f" >"$TMP/h" && ! grep -qi '^bcc' "$TMP/h" &&
	! grep -qi '^X-Rcpt-Args: <evil' "$TMP/h" &&
	eq "$(subject_of "$f")" '[#2] First response due in 5 min - Jürgen Müller: Help Bcc: evil@attacker.example body'
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
	eq "$(subject_of "$f")" '[#1] Resolution 5 min late - Anna Schmidt: Invoice charged twice' &&
	grep -q '^Escalated: *to tier 2 now: a missed resolution moves a ticket up' "$f" &&
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


# TLS.  smtp-fault.pl speaks it with the certificates of smtp_certs
# (smtp-lib.sh): "good", "wrong" and "self", so each refusal below has
# one reason only.
# Every server writes a trace ("plain VERB" / "tls VERB" per command), and
# X-TLS: with the TLS version in each mail it accepts.

# start_tls NAME MODE CERT: smtp-fault.pl with --tls MODE (implicit,
# starttls, or none: no TLS at all) and CERT; mail to $TMP/NAME/, the
# trace in $TMP/NAME.trace, the port in $TMP/NAME.port
start_tls() {
	mkdir -p "$TMP/$1"
	if [ "$2" = none ]; then
		perl "$top_srcdir/tests/smtp-fault.pl" --trace "$TMP/$1.trace" \
		    "$TMP/$1.port" "$TMP/$1" &
	else
		perl "$top_srcdir/tests/smtp-fault.pl" --tls "$2" --cert "$TMP/$3.pem" \
		    --key "$TMP/$3.key" --trace "$TMP/$1.trace" "$TMP/$1.port" "$TMP/$1" &
	fi
	TLS_PIDS="$TLS_PIDS $!"
	i=0
	while [ ! -s "$TMP/$1.port" ]; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
}
port_of() { cat "$TMP/$1.port" 2>/dev/null; }
# tconf NAME URL WORDS: NAME.conf sending to URL, WORDS after it (ca-file...)
tconf() {
	sed -e "s|\"smtp://127.0.0.1:@PORT@\"|\"$2\" $3|" -e "s/@OWNER@/t1@example.com/" \
	    -e "s/@HEAD@/finance-lead@example.com/" "$D/8001-sla.conf" >"$TMP/$1.conf"
}
# tday NAME URL WORDS: NAME.conf, and NAME.db holding the day's mail, swept
tday() { tconf "$@" && day "$1" && at "$1" 2026-06-01T08:05:00Z sweep >/dev/null; }
# tsend CONF DB TIME: `send --json` logging warnings too, into CONF.json
# and CONF.log; send's exit status
tsend() {
	esc -c "$TMP/$1.conf" --db "$TMP/$2.db" --now "$3" send --json \
	    >"$TMP/$1.json" 2>"$TMP/$1.log"
}
# refused DB DIR: nothing of DB.db's outbox went out, every recipient
# still pending, and the server of DIR got no mail
refused() {
	eq "$(sqlite3 "$TMP/$1.db" "select count(*) from outbox where sent is null")" \
	    "$(sqlite3 "$TMP/$1.db" "select count(*) from outbox")" &&
	eq "$(sqlite3 "$TMP/$1.db" "select count(*) from outbox_rcpt where state <> 'pending'")" 0 &&
	eq "$(ls "$TMP/$2" | wc -l | tr -d ' ')" 0
}
# breach_over_tls DIR: the breach arrived once in DIR, To the owner, Cc the
# head, both as recipients, and over TLS (the message's header follows the
# server's X- lines and a blank line, with CR LF as received)
breach_over_tls() {
	f=$(grep -l -F "Message-ID: <$BREACH>" "$TMP/$1"/*.eml) &&
	eq "$(echo "$f" | wc -l | tr -d ' ')" 1 &&
	eq "$(grep '^X-Rcpt:' "$f" | sort | tr '\n' ' ')" \
	    "X-Rcpt: finance-lead@example.com X-Rcpt: t1@example.com " &&
	grep -q '^X-TLS: TLSv1' "$f" &&
	sed '1,/^$/d' "$f" | tr -d '\r' | sed -n '1,/^$/p' >"$TMP/h" &&
	grep -qx 'To: t1@example.com' "$TMP/h" &&
	grep -qx 'Cc: finance-lead@example.com' "$TMP/h"
}
# verbs NAME N: the first N events of server NAME's trace on one line, a
# TLS handshake, whatever its version or end, as "handshake"
verbs() {
	grep -v '^accept' "$TMP/$1.trace" | sed "${2}q" |
	    sed -e 's/^tls TLSv.*/handshake/' -e 's/^tls-failed .*/handshake/' | tr '\n' ' '
}

TLS_CASES="8010 8011 8012 8013 8014 8015 8016 8017 8018 8019"
if ! command -v openssl >/dev/null 2>&1; then
	TLS_SKIP="openssl is not installed (deps.sh installs it)"
elif ! perl -MIO::Socket::SSL -e 1 2>/dev/null; then
	TLS_SKIP="IO::Socket::SSL is not installed (deps.sh installs libio-socket-ssl-perl)"
elif ! smtp_certs; then
	TLS_SKIP=
	for c in $TLS_CASES; do selected "$c" && not_ok "$c openssl could not make the test certificates"; done
	TLS_CASES=
else
	TLS_SKIP=
	printf 'not-a-real-secret\n' >"$TMP/smtp.pass" && chmod 600 "$TMP/smtp.pass"
	start_tls self implicit self && start_tls good implicit good &&
	start_tls wrong implicit wrong && start_tls stls starttls good &&
	start_tls sself starttls self && start_tls clear none -
fi
if [ -n "$TLS_SKIP" ]; then
	for c in $TLS_CASES; do selected "$c" && skip "$c $TLS_SKIP"; done
	TLS_CASES=
fi
tls_case() { case " $TLS_CASES " in *" $1 "*) check "$@";; esac; }

t8010() {
	P=$(port_of self) && tday v "smtps://127.0.0.1:$P" "" &&
	{ tsend v v 2026-06-01T08:06:00Z; eq $? 75; } &&
	eq "$(jq -c '[.sent, .server_away]' "$TMP/v.json")" '[0,true]' &&
	grep -q -F "error=\"cannot send to 'smtps://127.0.0.1:$P': certificate refused: The certificate is NOT trusted." "$TMP/v.log" &&
	eq "$(sqlite3 "$TMP/v.db" "select count(*) from outbox_rcpt where attempts = 1 and last_error like 'certificate refused: The certificate is NOT trusted.%issuer is unknown%'")" 2 &&
	refused v self &&
	# TLS began, and the client said nothing over it
	grep -q '^tls' "$TMP/self.trace" && ! grep -q 'EHLO\|MAIL\|AUTH' "$TMP/self.trace"
}
tls_case 8010 "smtps:// to a self-signed certificate is refused by default; the mail waits" t8010

t8011() {
	# The mail 8010 left waiting, to the same name with the test CA trusted.
	{ [ -f "$TMP/v.db" ] || tday v "smtps://127.0.0.1:$(port_of self)" ""; } &&
	tconf vca "smtps://127.0.0.1:$(port_of good)" "ca-file \"$TMP/ca.pem\"" &&
	tsend vca v 2026-06-01T09:30:00Z && ! grep -q tls-verify-off "$TMP/vca.log" &&
	eq "$(jq -c '[.sent, .deferred, .server_away]' "$TMP/vca.json")" '[3,0,false]' &&
	breach_over_tls good &&
	eq "$(sqlite3 "$TMP/v.db" "select count(*) from outbox where sent is null")" 0 &&
	before=$(ls "$TMP/good" | wc -l) &&
	tsend vca v 2026-06-02T09:30:00Z && eq "$(jq .messages "$TMP/vca.json")" 0 &&
	eq "$(ls "$TMP/good" | wc -l)" "$before"
}
tls_case 8011 "smtps:// with ca-file delivers the waiting mail once, To and Cc right, over TLS" t8011

t8012() {
	P=$(port_of wrong) && tday w "smtps://127.0.0.1:$P" "ca-file \"$TMP/ca.pem\"" &&
	{ tsend w w 2026-06-01T08:06:00Z; eq $? 75; } &&
	grep -q -F "cannot send to 'smtps://127.0.0.1:$P': SSL: certificate subject name (wrong.example) does not match target host name '127.0.0.1'" "$TMP/w.log" &&
	refused w wrong && ! grep -q 'EHLO\|MAIL' "$TMP/wrong.trace"
}
tls_case 8012 "a certificate for another name is refused, even signed by the trusted CA" t8012

t8013() {
	tday st "smtp://127.0.0.1:$(port_of stls)" "ca-file \"$TMP/ca.pem\"" &&
	tsend st st 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .server_away]' "$TMP/st.json")" '[3,false]' &&
	breach_over_tls stls &&
	# in clear text only EHLO and STARTTLS; the mail after the handshake
	eq "$(verbs stls 3)" "plain EHLO plain STARTTLS handshake " &&
	eq "$(grep -c '^plain' "$TMP/stls.trace")" 2 && grep -qx 'tls MAIL' "$TMP/stls.trace"
}
tls_case 8013 "smtp:// upgrades with STARTTLS when offered; the mail comes over TLS" t8013

t8014() {
	P=$(port_of sself) && tday ss "smtp://127.0.0.1:$P" "" &&
	{ tsend ss ss 2026-06-01T08:06:00Z; eq $? 75; } &&
	grep -q -F "cannot send to 'smtp://127.0.0.1:$P': certificate refused: The certificate is NOT trusted." "$TMP/ss.log" &&
	refused ss sself &&
	eq "$(verbs sself 9)" "plain EHLO plain STARTTLS handshake " &&
	! grep -q 'MAIL\|AUTH' "$TMP/sself.trace"
}
tls_case 8014 "after STARTTLS an untrusted certificate is refused, with no fallback to clear text" t8014

# 2130706433 is 127.0.0.1 written as one number: the server is ours, but
# smtp.c treats the host as remote, where authentication requires TLS.
t8015() {
	P=$(port_of clear) &&
	tday cl "smtp://2130706433:$P" "user \"escalator\" password-file \"$TMP/smtp.pass\"" &&
	{ tsend cl cl 2026-06-01T08:06:00Z; eq $? 75; } &&
	grep -q -F "cannot send to 'smtp://2130706433:$P': STARTTLS not supported" "$TMP/cl.log" &&
	refused cl clear &&
	eq "$(verbs clear 9)" "plain EHLO "
}
tls_case 8015 "TLS required (authenticating, host not loopback): no STARTTLS, no AUTH and no mail" t8015

t8016() {
	# The mail 8015 left waiting, to a server that offers STARTTLS.
	{ [ -f "$TMP/cl.db" ] || tday cl "smtp://2130706433:$(port_of clear)" \
	    "user \"escalator\" password-file \"$TMP/smtp.pass\""; } &&
	tconf cls "smtp://2130706433:$(port_of stls)" \
	    "user \"escalator\" password-file \"$TMP/smtp.pass\" ca-file \"$TMP/ca.pem\"" &&
	rm -f "$TMP/stls"/* && : >"$TMP/stls.trace" &&
	tsend cls cl 2026-06-01T09:30:00Z &&
	eq "$(jq -c '[.sent, .server_away]' "$TMP/cls.json")" '[3,false]' &&
	breach_over_tls stls &&
	eq "$(verbs stls 5)" "plain EHLO plain STARTTLS handshake tls EHLO tls AUTH "
}
tls_case 8016 "authenticating with TLS required, AUTH goes only after STARTTLS" t8016

t8017() {
	tday nv "smtps://127.0.0.1:$(port_of self)" "tls-verify no" &&
	rm -f "$TMP/self"/* && : >"$TMP/self.trace" &&
	tsend nv nv 2026-06-01T08:06:00Z && eq "$(jq -c '[.sent, .connections]' "$TMP/nv.json")" '[3,1]' &&
	eq "$(grep -c 'tls-verify-off' "$TMP/nv.log")" 1 &&
	grep -qx 'escalator: smtp event=tls-verify-off: certificates are not checked (tls-verify no)' "$TMP/nv.log" &&
	breach_over_tls self &&
	# a later run, a new connection: said again
	at nv 2026-06-01T13:40:00Z sweep >/dev/null &&
	tsend nv nv 2026-06-01T13:41:00Z && eq "$(jq .connections "$TMP/nv.json")" 1 &&
	[ "$(jq .sent "$TMP/nv.json")" -ge 1 ] &&
	eq "$(grep -c 'tls-verify-off' "$TMP/nv.log")" 1 &&
	eq "$(grep -c '^accept' "$TMP/self.trace")" 2
}
tls_case 8017 "tls-verify no reaches the self-signed server, with a warning at every connection" t8017

t8018() {
	# No password at all: a host that is not this machine must still
	# upgrade, or the mail itself would travel in clear text.
	P=$(port_of clear) && rm -f "$TMP/clear"/* && : >"$TMP/clear.trace" &&
	tday nt "smtp://2130706433:$P" "" &&
	{ tsend nt nt 2026-06-01T08:06:00Z; eq $? 75; } &&
	grep -q -F "cannot send to 'smtp://2130706433:$P': STARTTLS not supported" "$TMP/nt.log" &&
	refused nt clear && eq "$(verbs clear 9)" "plain EHLO "
}
tls_case 8018 "TLS required for every host not this machine, also without a password" t8018

t8019() {
	# tls none: the operator's explicit choice, said at every connect.
	tconf ntn "smtp://2130706433:$(port_of clear)" "tls none" &&
	rm -f "$TMP/clear"/* && : >"$TMP/clear.trace" &&
	tsend ntn nt 2026-06-01T08:07:00Z &&
	eq "$(jq -c '.sent' "$TMP/ntn.json")" 3 &&
	grep -q -F "smtp event=tls-off: mail to 'smtp://2130706433:$(port_of clear)' travels in clear text (tls none)" "$TMP/ntn.log" &&
	f=$(grep -l -F "Message-ID: <$BREACH>" "$TMP/clear"/*.eml) && grep -q '^X-TLS: none' "$f" &&
	tconf ntx "smtps://127.0.0.1:$(port_of self)" "tls none" &&
	{ esc -c "$TMP/ntx.conf" check-config >/dev/null 2>"$TMP/ntx.err"; eq $? 78; } &&
	grep -q "smtp 'tls none' with an smtps:// URL (use smtp://)" "$TMP/ntx.err" &&
	tconf nts "smtp://127.0.0.1:$(port_of clear)" "tls starttls" &&
	{ esc -c "$TMP/nts.conf" check-config >/dev/null 2>"$TMP/nts.err"; eq $? 78; } &&
	grep -q "smtp 'tls' takes only 'none'" "$TMP/nts.err"
}
tls_case 8019 "tls none sends in clear text, with a warning; tls on smtps:// or other values refused" t8019

# Faults smtp-sink cannot play: a slow greeting, a connection lost in
# the middle of the data.  Then the bytes as they crossed the wire,
# checked by mail-check.py.
# start_slow NAME OPTION...: smtp-fault.pl in clear text with OPTIONs
start_slow() {
	n1=$1; shift
	mkdir -p "$TMP/$n1"
	perl "$top_srcdir/tests/smtp-fault.pl" "$@" --trace "$TMP/$n1.trace" \
	    "$TMP/$n1.port" "$TMP/$n1" &
	TLS_PIDS="$TLS_PIDS $!"
	i=0
	while [ ! -s "$TMP/$n1.port" ]; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
}

t8020() {
	start_slow slowg --greet-delay 3 &&
	tday sg "smtp://127.0.0.1:$(port_of slowg)" "" &&
	tsend sg sg 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .deferred, .connections]' "$TMP/sg.json")" '[3,0,1]' &&
	eq "$(ls "$TMP/slowg" | wc -l | tr -d ' ')" 2
}
check 8020 "a server slow to greet (3 s) is waited for" t8020

t8021() {
	start_slow drop --drop-in-data &&
	tday dr "smtp://127.0.0.1:$(port_of drop)" "" &&
	{ tsend dr dr 2026-06-01T08:06:00Z; eq $? 75; } &&
	eq "$(jq -c '[.sent, .deferred, .server_away]' "$TMP/dr.json")" '[0,2,true]' &&
	grep -qx drop "$TMP/drop.trace" &&
	grep -q "event=server-away message_id=$BREACH error=\"cannot send to 'smtp://127.0.0.1:$(port_of drop)': connection lost during DATA: " "$TMP/dr.log" &&
	grep -q "event=send-deferred rcpt=t1@example.com message_id=$BREACH server=smtp://127.0.0.1:$(port_of drop) attempts=1 reply=" "$TMP/dr.log" &&
	eq "$(sqlite3 "$TMP/dr.db" "select count(*) from outbox_rcpt where state = 'pending' and attempts = 1")" 2 &&
	# later, to a server that stays: each message once
	start_slow nodrop &&
	tconf dr "smtp://127.0.0.1:$(port_of nodrop)" "" &&
	tsend dr dr 2026-06-01T09:30:00Z &&
	eq "$(jq -c '[.sent, .deferred]' "$TMP/dr.json")" '[3,0]' &&
	eq "$(ls "$TMP/nodrop" | wc -l | tr -d ' ')" 2
}
check 8021 "a connection lost in the middle of DATA: the message waits, then goes once" t8021

t8022() {
	# smtp-fault.pl keeps the data as received, CR LF and all.
	[ -n "$(ls "$TMP/nodrop" 2>/dev/null)" ] || return 1
	python3 "$top_srcdir/tests/mail-check.py" --dump --domain escalator.example \
	    --auto auto-generated --reply "$TMP/nodrop"/*.eml &&
	python3 "$top_srcdir/tests/mail-check.py" --db "$TMP/s.db" \
	    --domain escalator.example --auto auto-generated
}
t8023() {
	# Every recipient refused, by a server that took HELO after refusing
	# EHLO: the refusals are the recipients', not a broken session's.
	start_slow noehlo --no-ehlo &&
	tconf ne "smtp://127.0.0.1:$(port_of noehlo)" "" &&
	sed -e 's/t1@example.com/perm-owner@example.com/' \
	    -e 's/finance-lead@example.com/perm-head@example.com/' "$TMP/ne.conf" >"$TMP/ne.tmp" &&
	mv "$TMP/ne.tmp" "$TMP/ne.conf" &&
	day ne && at ne 2026-06-01T08:05:00Z sweep >/dev/null &&
	tsend ne ne 2026-06-01T08:06:00Z &&
	grep -qx "plain HELO" "$TMP/noehlo.trace" &&
	eq "$(sqlite3 "$TMP/ne.db" "select distinct state || ' ' || substr(last_error, 1, 3) from outbox_rcpt")" "failed 550" &&
	eq "$(ls "$TMP/noehlo" | wc -l | tr -d ' ')" 0
}
check 8023 "a server that refuses EHLO but takes HELO: refused recipients fail alone" t8023

# Servers' own words, played by smtp-fault.pl (its header names the MTA
# and version each option stands for); found against Exim 4.96 and
# OpenSMTPD 6.8.0p2 run privately beside the Postfix of t-mta.sh.
t8024() {
	# Exim: 421 to the MAIL FROM after its per-connection limit (1000
	# by default; 1 here), then the connection closes.
	start_slow exmax --exim-max-per-conn 1 &&
	tday ex "smtp://127.0.0.1:$(port_of exmax)" "" &&
	tsend ex ex 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.messages, .sent, .deferred, .connections, .server_away]' "$TMP/ex.json")" \
	    '[2,3,0,2,false]' &&
	eq "$(grep -c '^limit' "$TMP/exmax.trace")" 1 &&
	eq "$(ls "$TMP/exmax" | wc -l | tr -d ' ')" 2 &&
	eq "$(sqlite3 "$TMP/ex.db" "select count(*) from outbox_rcpt where state = 'sent' and attempts = 1")" 3
}
check 8024 "Exim's 421 at its messages-per-connection limit: the rest goes over a new connection" t8024

t8025() {
	# OpenSMTPD: 452 to the MAIL FROM after max-mails (100 by default;
	# 1 here), the session left open.
	start_slow smax --smtpd-max-mails 1 &&
	tday sx "smtp://127.0.0.1:$(port_of smax)" "" &&
	tsend sx sx 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.messages, .sent, .deferred, .connections]' "$TMP/sx.json")" '[2,3,0,2]' &&
	eq "$(grep -c '^limit' "$TMP/smax.trace")" 1 &&
	eq "$(ls "$TMP/smax" | wc -l | tr -d ' ')" 2
}
check 8025 "OpenSMTPD's 452 at its max-mails: the message goes over a new connection, not deferred" t8025

t8026() {
	# Exim's answer to a wrong password; the password never logged.
	start_slow arf --auth-refuse &&
	printf 'wrong-secret-8026\n' >"$TMP/bad.pass" && chmod 600 "$TMP/bad.pass" &&
	tday ar "smtp://127.0.0.1:$(port_of arf)" \
	    "user \"escalator\" password-file \"$TMP/bad.pass\"" &&
	{ tsend ar ar 2026-06-01T08:06:00Z; eq $? 78; } &&
	grep -qx "escalator: cannot send to 'smtp://127.0.0.1:$(port_of arf)': server refused AUTH: 535 Incorrect authentication data" "$TMP/ar.log" &&
	grep -q "event=auth-refused message_id=$BREACH error=" "$TMP/ar.log" &&
	! grep -q 'wrong-secret-8026\|d3Jvbmctc2VjcmV0' "$TMP/ar.log" &&
	eq "$(sqlite3 "$TMP/ar.db" "select count(*) from outbox_rcpt where state = 'pending' and attempts = 1 and last_error = 'server refused AUTH: 535 Incorrect authentication data'")" 2 &&
	eq "$(sqlite3 "$TMP/ar.db" "select count(*) from outbox_rcpt where attempts = 0")" 1 &&
	eq "$(ls "$TMP/arf" | wc -l | tr -d ' ')" 0 && ! grep -q '^plain MAIL' "$TMP/arf.trace"
}
check 8026 "a refused password (Exim's 535) is a configuration error: exit 78, the mail waits" t8026

t8027() {
	# OpenSMTPD offers SIZE but lets a larger SIZE= pass MAIL FROM, and
	# refuses the message after its data.
	start_slow ssize --smtpd-size 2000 &&
	tday sz "smtp://127.0.0.1:$(port_of ssize)" "" &&
	tsend sz sz 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .failed, .deferred, .server_away]' "$TMP/sz.json")" '[0,3,0,false]' &&
	eq "$(sqlite3 "$TMP/sz.db" "select distinct state || ' ' || last_error from outbox_rcpt")" \
	    "failed 554 5.3.4 Message too big for system" &&
	eq "$(ls "$TMP/ssize" | wc -l | tr -d ' ')" 0
}
check 8027 "OpenSMTPD's 554 after the data of a message over its SIZE fails it for good" t8027

if command -v python3 >/dev/null 2>&1; then
	check 8022 "the mail as it crossed the wire passes strict checks (CRLF, MIME, RFC 2047)" t8022
else
	selected 8022 && skip "8022 python3 is not installed"
fi

done_testing
