#!/bin/sh
# t-mta.sh -- `send` against a whole Postfix (tests/mta-lib.sh), not a
# sink: STARTTLS verified against a test CA, AUTH through Dovecot's SASL
# with the password from a file, greylisting, a recipient limit, SIZE,
# 421 at the greeting, IPv6; and what Postfix delivers to its Maildirs,
# checked by tests/mail-check.py (Python's email package, strict).
# Cases 8100-8199.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/smtp-lib.sh"
. "$top_srcdir/tests/imap-lib.sh"
. "$top_srcdir/tests/mta-lib.sh"
D=$TESTDATA
CASES="8100 8101 8102 8103 8104 8105 8106 8107 8108 8109 8110 8111 8112 8113"
skip_all() {
	for c in $CASES; do selected "$c" && skip "$c $1"; done
	done_testing
	exit 0
}
reason=$(pf_skip_reason)
[ -z "$reason" ] && reason=$(dv_skip_reason)
[ -z "$reason" ] && ! command -v openssl >/dev/null 2>&1 && reason="openssl is not installed"
[ -z "$reason" ] && ! command -v python3 >/dev/null 2>&1 && reason="python3 is not installed"
[ -n "$reason" ] && skip_all "$reason"
trap 'pf_stop; dv_stop; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM	# so that the EXIT trap stops the servers

if ! smtp_certs; then
	not_ok "8100 openssl could not make the test certificates"; done_testing; exit 0
fi
if ! dv_start "service auth {
  unix_listener $DV/pf-auth {
    mode = 0666
  }
}" 2>"$TMP/dv.err"; then
	not_ok "8100 Dovecot (SASL for Postfix) did not start"; sed 's/^/# /' "$TMP/dv.err"
	done_testing; exit 0
fi
if ! pf_start t1 t2 finance-lead grey-owner h-owner h-head h-digest 2>"$TMP/pf.err"; then
	not_ok "8100 Postfix did not start"; sed 's/^/# /' "$TMP/pf.err"; done_testing; exit 0
fi
printf '%s\n' "$DV_PASS" >"$TMP/smtp.pass" && chmod 600 "$TMP/smtp.pass"
printf 'wrong-%s\n' "$DV_PASS" >"$TMP/bad.pass" && chmod 600 "$TMP/bad.pass"
CA="ca-file \"$TMP/ca.pem\""
AUTH="user \"support@example.com\" password-file \"$TMP/smtp.pass\""
BREACH=escalator.1780297200.1.first-response.breach@escalator.example

eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
# mconf NAME URL WORDS [OWNER [HEAD]]: NAME.conf sending to URL
mconf() {
	sed -e "s|\"smtp://127.0.0.1:@PORT@\"|\"$2\" $3|" -e "s/@OWNER@/${4:-t1@example.com}/" \
	    -e "s/@HEAD@/${5:-finance-lead@example.com}/" "$D/8001-sla.conf" >"$TMP/$1.conf"
}
# mday NAME URL WORDS [OWNER [HEAD]]: NAME.conf, and NAME.db with the
# day of 8001-day.mbox swept at 08:05 (2 notifications, 3 recipients)
mday() {
	mconf "$@" &&
	esc -q -c "$TMP/$1.conf" --db "$TMP/$1.db" --now 2026-06-01T07:35:00Z import \
	    --channel support --agents northwind.example "$D/8001-day.mbox" >/dev/null 2>&1 &&
	esc -q -c "$TMP/$1.conf" --db "$TMP/$1.db" --now 2026-06-01T08:05:00Z sweep >/dev/null
}
# msend NAME TIME: `send --json` into NAME.json, the log into NAME.log
msend() {
	esc -c "$TMP/$1.conf" --db "$TMP/$1.db" --now "$2" send --json \
	    >"$TMP/$1.json" 2>"$TMP/$1.log"
}
q() { sqlite3 "$TMP/$1.db" "$2"; }
# delivered USER MESSAGE-ID: how many copies USER's Maildir holds
delivered() {
	grep -l -F "Message-ID: <$2>" "$PF/vmail/$1/new"/* 2>/dev/null | wc -l | tr -d ' '
}
# mail_check ARGS: mail-check.py, its findings on stdout for the TAP log
mail_check() { python3 "$top_srcdir/tests/mail-check.py" "$@"; }
total=0		# mails delivered so far, for pf_wait

ok "8100 a private Postfix and Dovecot started on loopback"

t8101() {
	mday a "smtp://127.0.0.1:$PF_PORT_AUTH" "$AUTH $CA" && msend a 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .failed, .deferred, .connections]' "$TMP/a.json")" '[3,0,0,1]' &&
	total=$((total + 3)) && pf_wait $total &&
	eq "$(delivered t1 "$BREACH")" 1 && eq "$(delivered finance-lead "$BREACH")" 1 &&
	f=$(grep -l -F "Message-ID: <$BREACH>" "$PF/vmail/t1/new"/*) &&
	# Postfix's own Received: line: TLS, and authenticated (ESMTPSA)
	grep -q 'with ESMTPSA' "$f" && grep -q '(using TLSv1' "$f" &&
	grep -q 'sasl_method=PLAIN, sasl_username=support@example.com' "$PF/maillog" &&
	! grep -q -F "$DV_PASS" "$TMP/a.log" "$PF/maillog" &&
	mail_check --lf --domain escalator.example --auto auto-generated --reply \
	    "$PF/vmail"/*/new/*
}
check 8101 "STARTTLS verified by ca-file, AUTH PLAIN via Dovecot SASL, delivered" t8101

t8102() {
	mday l "smtp://127.0.0.1:$PF_PORT_LOGIN" "$AUTH $CA" && msend l 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .deferred]' "$TMP/l.json")" '[3,0]' &&
	total=$((total + 3)) && pf_wait $total &&
	grep -q 'sasl_method=LOGIN, sasl_username=support@example.com' "$PF/maillog"
}
check 8102 "a server that offers only AUTH LOGIN gets LOGIN" t8102

t8103() {
	mday b "smtp://127.0.0.1:$PF_PORT_AUTH" \
	    "user \"support@example.com\" password-file \"$TMP/bad.pass\" $CA" &&
	{ msend b 2026-06-01T08:06:00Z; eq $? 78; } &&
	grep -q "^escalator: cannot send to 'smtp://127.0.0.1:$PF_PORT_AUTH': server refused AUTH: 535 5.7.8 " "$TMP/b.log" &&
	grep -q "event=auth-refused message_id=$BREACH error=\"cannot send to 'smtp://127.0.0.1:$PF_PORT_AUTH': server refused AUTH: 535 5.7.8 " "$TMP/b.log" &&
	! grep -q -F "$DV_PASS" "$TMP/b.log" &&
	eq "$(q b "select count(*) from outbox_rcpt where state = 'pending' and last_error like 'server refused AUTH: 535 %'")" 2
}
check 8103 "a refused password: the server's 535 in the log, exit 78, the mail waits" t8103

t8104() {
	mday c "smtp://127.0.0.1:$PF_PORT_SELF" "$CA" &&
	{ msend c 2026-06-01T08:06:00Z; eq $? 75; } &&
	grep -q -F "cannot send to 'smtp://127.0.0.1:$PF_PORT_SELF': certificate refused: The certificate is NOT trusted. The certificate issuer is unknown." "$TMP/c.log" &&
	eq "$(q c "select count(*) from outbox_rcpt where state <> 'pending'")" 0 &&
	grep -q 'postfix/self/smtpd.*connect from' "$PF/maillog" &&
	! grep -q 'postfix/self/smtpd.*client=' "$PF/maillog"
}
check 8104 "an unverifiable certificate after STARTTLS is refused with a clear error" t8104

# 2130706433 is 127.0.0.1 as one number: smtp.c treats it as remote,
# where TLS is required.
t8105() {
	mday d "smtp://2130706433:$PF_PORT_CLEAR" "$CA" &&
	{ msend d 2026-06-01T08:06:00Z; eq $? 75; } &&
	grep -q -F "cannot send to 'smtp://2130706433:$PF_PORT_CLEAR': STARTTLS not supported" "$TMP/d.log" &&
	eq "$(q d "select count(*) from outbox_rcpt where state <> 'pending'")" 0 &&
	grep -q 'postfix/clear/smtpd.*connect from' "$PF/maillog" &&
	! grep -q 'postfix/clear/smtpd.*client=' "$PF/maillog"
}
check 8105 "TLS required and no STARTTLS offered: nothing is sent in clear text" t8105

t8106() {
	mday e "smtps://127.0.0.1:$PF_PORT_SMTPS" "$CA" && msend e 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .deferred]' "$TMP/e.json")" '[3,0]' &&
	total=$((total + 3)) && pf_wait $total
}
check 8106 "smtps:// (TLS from the first byte) delivers" t8106

t8107() {
	# The owner is greylisted; the head does not exist.
	mday g "smtp://127.0.0.1:$PF_PORT" "$CA" grey-owner@example.com nobody@example.com &&
	msend g 2026-06-01T08:06:00Z &&
	# the second message to the owner is the same sender and recipient
	# again: greylisting lets it through at once
	eq "$(jq -c '[.sent, .failed, .deferred]' "$TMP/g.json")" '[1,1,1]' &&
	eq "$(q g "select state || ' ' || last_error from outbox_rcpt where rcpt = 'nobody@example.com'")" \
	    "failed 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table" &&
	grep -q "event=send-failed rcpt=nobody@example.com message_id=$BREACH server=smtp://127.0.0.1:$PF_PORT reply=\"550 5.1.1 " "$TMP/g.log" &&
	grep -q "event=send-deferred rcpt=grey-owner@example.com message_id=$BREACH server=smtp://127.0.0.1:$PF_PORT attempts=1 reply=\"450 4.7.1 <grey-owner@example.com>: Recipient address rejected: Greylisted" "$TMP/g.log" &&
	# before its back-off nothing is tried; after it, delivered once
	msend g 2026-06-01T08:06:30Z && eq "$(jq .messages "$TMP/g.json")" 0 &&
	msend g 2026-06-01T09:30:00Z && eq "$(jq -c '[.sent, .deferred]' "$TMP/g.json")" '[1,0]' &&
	total=$((total + 2)) && pf_wait $total &&
	eq "$(delivered grey-owner "$BREACH")" 1 &&
	eq "$(q g "select count(*) from outbox_rcpt where state = 'pending'")" 0
}
check 8107 "greylisted (450) waits its back-off and is retried; an unknown user (550) fails alone" t8107

t8108() {
	t1=$(delivered t1 "$BREACH") head=$(delivered finance-lead "$BREACH") &&
	mday o "smtp://127.0.0.1:$PF_PORT_ONE" "$CA" && msend o 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .deferred]' "$TMP/o.json")" '[2,1]' &&
	eq "$(q o "select last_error from outbox_rcpt where state = 'pending'")" \
	    "452 4.5.3 Error: too many recipients" &&
	msend o 2026-06-01T09:30:00Z && eq "$(jq -c '[.sent, .deferred]' "$TMP/o.json")" '[1,0]' &&
	total=$((total + 3)) && pf_wait $total &&
	eq "$(delivered t1 "$BREACH")" $((t1 + 1)) &&
	eq "$(delivered finance-lead "$BREACH")" $((head + 1))
}
check 8108 "452 too many recipients: the rest is retried alone" t8108

t8109() {
	mday s "smtp://127.0.0.1:$PF_PORT_SMALL" "$CA" && msend s 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .failed, .deferred]' "$TMP/s.json")" '[0,3,0]' &&
	eq "$(q s "select distinct state || ' ' || last_error from outbox_rcpt")" \
	    "failed MAIL FROM refused: 552 5.3.4 Message size exceeds fixed limit" &&
	grep -q "event=send-failed rcpt=t1@example.com message_id=$BREACH server=smtp://127.0.0.1:$PF_PORT_SMALL reply=\"MAIL FROM refused: 552 5.3.4 Message size exceeds fixed limit\"" "$TMP/s.log"
}
check 8109 "a message over the server's SIZE fails for good, with the server's reply" t8109

t8110() {
	mday r "smtp://127.0.0.1:$PF_PORT_BUSY" "$CA" &&
	{ msend r 2026-06-01T08:06:00Z; eq $? 75; } &&
	eq "$(jq -c '[.sent, .deferred, .server_away]' "$TMP/r.json")" '[0,2,true]' &&
	grep -q "cannot send to 'smtp://127.0.0.1:$PF_PORT_BUSY': server refused the session: 421 4.7.0 mta.escalator.test Error: too many connections from 127.0.0.1" "$TMP/r.log" &&
	eq "$(q r "select count(*) from outbox_rcpt where state = 'pending' and attempts = 1")" 2 &&
	eq "$(q r "select count(*) from outbox_rcpt where attempts = 0")" 1 &&
	# the same mail, later, to a server that takes it
	mconf r "smtp://127.0.0.1:$PF_PORT" "$CA" && msend r 2026-06-01T09:30:00Z &&
	eq "$(jq -c '[.sent, .deferred]' "$TMP/r.json")" '[3,0]' &&
	total=$((total + 3)) && pf_wait $total
}
check 8110 "421 at the greeting: the server is away, the mail waits and goes later" t8110

t8111() {
	if ! grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
		echo "no ::1 here"; return 0
	fi
	mday v "smtp://[::1]:$PF_PORT" "$CA" && msend v 2026-06-01T08:06:00Z &&
	eq "$(jq -c '[.sent, .deferred]' "$TMP/v.json")" '[3,0]' &&
	total=$((total + 3)) && pf_wait $total &&
	grep -q 'connect from localhost\[::1\]\|connect from unknown\[::1\]' "$PF/maillog"
}
check 8111 "IPv6 loopback: smtp://[::1] verified by a certificate for ::1" t8111

# Customer data made to hurt: a 2000-byte subject of emoji and umlauts,
# RTL text with a bidi override, CR LF and a Bcc: in a name, controls and
# an encoded word in a subject (8101-hostile.mbox); notifications and a
# digest (multipart/alternative) through Postfix, and as queued.
t8112() {
	mconf h "smtp://127.0.0.1:$PF_PORT" "$CA" h-owner@example.com h-head@example.com &&
	echo 'digest daily 08:00 to "h-digest@example.com"' >>"$TMP/h.conf" &&
	esc -q -c "$TMP/h.conf" --db "$TMP/h.db" --now 2026-06-01T07:35:00Z import \
	    --channel support --agents northwind.example "$D/8101-hostile.mbox" >/dev/null 2>&1 &&
	esc -q -c "$TMP/h.conf" --db "$TMP/h.db" --now 2026-06-01T08:05:00Z sweep >/dev/null &&
	esc -q -c "$TMP/h.conf" --db "$TMP/h.db" --now 2026-06-02T08:06:00Z digest \
	    --since 48h --send >/dev/null &&
	eq "$(q h "select count(*) from outbox")" 4 &&
	mail_check --db "$TMP/h.db" --domain escalator.example --auto auto-generated &&
	mail_check --db "$TMP/h.db" --where "ticket_id > 0" --reply &&
	mail_check --db "$TMP/h.db" --where "ticket_id = 1" \
	    --subject "[#1] First response 5 min late - Dänä 😀 \"Quote\" \\ <x>: Rückerstattung 😡" \
	    --body "Customer:  Dänä 😀 \"Quote\" \\ <x> <dana@customer.example>" &&
	mail_check --db "$TMP/h.db" --where "ticket_id = 2" --subject "שלום" &&
	mail_check --db "$TMP/h.db" --where "ticket_id = 3" \
	    --subject "Tab here nul del =?UTF-8?B?Zm9v?= invoice" &&
	msend h 2026-06-02T08:07:00Z && eq "$(jq -c '[.sent, .deferred]' "$TMP/h.json")" '[6,0]' &&
	total=$((total + 6)) && pf_wait $total &&
	eq "$(find "$PF/vmail"/h-*/new -type f | wc -l | tr -d " ")" 6 &&
	mail_check --lf --domain escalator.example --auto auto-generated "$PF/vmail"/h-*/new/* &&
	# in no header; a body line may start with the customer's "Bcc:"
	# where quoted-printable breaks a line, and is only text there
	for f in "$PF/vmail"/h-*/new/*; do
		! sed '/^$/q' "$f" | grep -qi '^bcc:' || return 1
	done
}
check 8112 "hostile customer text: every notification and the digest pass strict checks" t8112

t8113() {
	# Postfix offers all of these, and took the mail above with them on
	# (mail-check.py found it 7-bit, so neither BODY=8BITMIME nor
	# SMTPUTF8 was needed).
	perl -MIO::Socket::INET -e '
	    my $s = IO::Socket::INET->new("127.0.0.1:$ARGV[0]") or exit 1;
	    print $s "EHLO check\r\n"; my $all = "";
	    while (<$s>) { $all .= $_; last if /^250 /; }
	    print $all;' "$PF_PORT" >"$TMP/ehlo" &&
	for x in SIZE 8BITMIME SMTPUTF8 PIPELINING STARTTLS; do
		grep -q "^250[- ]$x" "$TMP/ehlo" || { echo "no $x"; return 1; }
	done
}
check 8113 "the server offers SIZE, 8BITMIME, SMTPUTF8, PIPELINING, STARTTLS" t8113

done_testing
