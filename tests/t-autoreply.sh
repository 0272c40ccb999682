#!/bin/sh
# t-autoreply.sh -- tier 0 acknowledgements end to end: customer mail
# imported at chosen --now times into channels of 8300-autoreply.conf,
# `send` delivering to Postfix's smtp-sink on loopback, and assertions on
# what the sink got, the outbox and the tickets' events.  The guards:
# one per new ticket, none for replies, one an hour per address, none to
# automatic mail (auto-replies, bounces, bulk and list mail), List-*
# mail, suppressing senders, noreply addresses, our own address, old
# mail or the team's; none without a block; never on social channels
# (a configuration error).  Cases 8300-8349.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/smtp-lib.sh"
D=$TESTDATA
sink_required 8301
trap 'stop_sink; rm -rf "$TMP"' EXIT

# at NAME TIME COMMAND...: escalator on database NAME.db at TIME
at() {
	name=$1 when=$2; shift 2
	esc -q -c "$TMP/a.conf" --db "$TMP/$name.db" --now "$when" "$@"
}
# imp NAME TIME CHANNEL FILE...: import quietly
imp() {
	name=$1 when=$2 channel=$3; shift 3
	at "$name" "$when" import --channel "$channel" "$@" >/dev/null 2>&1
}
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
sql() { sqlite3 "$TMP/$1.db" "$2"; }
acks() { sql "$1" "select count(*) from outbox where message_id like 'escalator.ack.%'"; }
# the "autoreply" event of ticket N as compact JSON ("" if none)
ack_event() { sql "$1" "select detail from event where ticket_id = $2 and kind = 'autoreply'"; }
skipped() { ack_event "$1" "$2" | jq -r .skipped; }
# the one mail in the sink to this address
mail_to() { grep -l -x "X-Rcpt-Args: <$1>" "$MAIL"/* 2>/dev/null; }
# the body of a dumped mail, quoted-printable undone
body_of() {
	sed '1,/^$/d' "$1" | perl -MMIME::QuotedPrint -0777 -ne 'print decode_qp($_)'
}
# ack_body DB: the acknowledgement queued in DB, decoded, on one line in
# $TMP/DB.b
ack_body() {
	sql "$1" "select data from outbox" | tr -d '\r' >"$TMP/$1.m" &&
	body_of "$TMP/$1.m" | tr '\n' ' ' >"$TMP/$1.b"
}
# dated DATE: the billing question with that Date header
dated() { sed "s/^Date: .*/Date: $1/" "$D/8313-billing.eml"; }
# the test configuration with three holidays in the office calendar
holiday_conf() {
	sed 's/hours sat 10:00-14:00 }/hours sat 10:00-14:00 holiday 2026-12-24, 2026-12-25, 2026-12-26 }/' \
	    "$TMP/a.conf"
}

start_sink || { not_ok "8301 smtp-sink did not start"; cat "$TMP/sink.err"; done_testing; exit 0; }
sed -e "s/@PORT@/$PORT/" -e "s|@DATA@|$D|" "$D/8300-autoreply.conf" >"$TMP/a.conf"
T0=2026-06-01T09:00:00Z

t8301() {
	imp s $T0 support "$D/8301-new.eml" &&
	eq "$(acks s)" 1 &&
	at s 2026-06-01T09:01:00Z send >/dev/null &&
	f=$(mail_to alice@customer.example) && eq "$(echo "$f" | wc -l | tr -d ' ')" 1 &&
	head_of "$f" >"$TMP/h" &&
	grep -qx 'Subject: \[#1\] Re: Refund for order 77' "$TMP/h" &&
	grep -qx 'Auto-Submitted: auto-replied' "$TMP/h" &&
	grep -qx 'X-Auto-Response-Suppress: All' "$TMP/h" &&
	grep -qx 'From: "Northwind Support" <support@northwind.example>' "$TMP/h" &&
	grep -qx 'To: alice@customer.example' "$TMP/h" &&
	grep -qx 'Message-ID: <escalator.ack.1@northwind.example>' "$TMP/h" &&
	grep -qx 'In-Reply-To: <a1@customer.example>' "$TMP/h" &&
	grep -qx 'References: <older@customer.example> <a1@customer.example>' "$TMP/h" &&
	! grep -qi '^Precedence:' "$TMP/h"
}
check 8301 "a new ticket gets one acknowledgement: [#N], Auto-Submitted: auto-replied, threaded" t8301

t8302() {
	f=$(mail_to alice@customer.example) && body_of "$f" >"$TMP/b" &&
	grep -q 'thank you for writing to Northwind' "$TMP/b" &&
	# the text file's last line, one blank line, when we aim to answer
	# (tier 1: 1h, round the clock), the number as the subject has it
	eq "$(grep -A3 -x 'Northwind Support' "$TMP/b" | sed -n 2,4p)" "
We aim to answer within 1 hour.
Your ticket number: [#1]" &&
	grep -qx 'These pages may help:' "$TMP/b" &&
	eq "$(grep -c '^- https://' "$TMP/b")" 2 &&
	grep -qx -- '- https://help.northwind.example/refunds' "$TMP/b" &&
	grep -qx -- '- https://help.northwind.example/invoices' "$TMP/b" &&
	! grep -q 'password' "$TMP/b" &&
	eq "$(ack_event s 1 | jq -c .links)" \
	    '["https://help.northwind.example/refunds","https://help.northwind.example/invoices"]'
}
check 8302 "the ticket number, then help links by keyword: word or prefix match, each link once, in file order" t8302

t8303() {
	f=$(mail_to alice@customer.example) && head_of "$f" | grep -qx 'X-Mail-Args: <>' &&
	eq "$(sql s "select sent is not null from outbox where message_id = 'escalator.ack.1@northwind.example'")" 1
}
check 8303 "the acknowledgement goes with the null envelope sender (RFC 3834)" t8303

t8304() {
	imp s $T0 support "$D/8301-new.eml" &&
	imp s 2026-06-01T09:10:00Z support "$D/8304-reply.eml" &&
	eq "$(sql s "select count(*) from ticket")" 1 &&
	eq "$(sql s "select exchanges from ticket where id = 1")" 2 &&
	eq "$(acks s)" 1 &&
	eq "$(sql s "select count(*) from event where kind = 'autoreply'")" 1
}
check 8304 "a re-import or a reply on the same ticket gets none" t8304

t8305() {
	imp s 2026-06-01T09:20:00Z support "$D/8305-answer.eml" &&
	eq "$(sql s "select ticket_id from message where message_id = 'a5@customer.example'")" 1 &&
	eq "$(acks s)" 1
}
check 8305 "an answer to the acknowledgement threads into its ticket" t8305

t8306() {
	imp s 2026-06-01T09:30:00Z support "$D/8306-second.eml" &&
	eq "$(sql s "select count(*) from ticket")" 2 && eq "$(acks s)" 1 &&
	eq "$(skipped s 2)" rate-limited &&
	ack_event s 2 | jq -r .detail | grep -q 'ticket 1' &&
	esc -q --db "$TMP/s.db" show 2 | grep -q 'rate-limited'
}
check 8306 "a second new ticket from the address within the hour gets none, and show says why" t8306

t8307() {
	imp s 2026-06-01T11:00:00Z support "$D/8307-third.eml" &&
	eq "$(sql s "select count(*) from ticket")" 3 && eq "$(acks s)" 2 &&
	eq "$(ack_event s 3 | jq -r .to)" alice@customer.example &&
	eq "$(ack_event s 3 | jq -c .links)" '["https://help.northwind.example/password"]' &&
	eq "$(sql s "select sent || ' ' || ticket_id from autoreply where address = 'alice@customer.example'")" \
	    "$(date -u -d 2026-06-01T11:00:00Z +%s) 3" &&
	at s 2026-06-01T11:01:00Z send >/dev/null &&
	eq "$(mail_to alice@customer.example | wc -l | tr -d ' ')" 2 &&
	grep -l -x 'Subject: \[#3\] Re: Password reset mail never arrives' "$MAIL"/* >/dev/null
}
check 8307 "after an hour the address gets one again" t8307

# Automatic mail opens no ticket, so nothing answers it.
t8308() {
	imp s $T0 support "$D/8308-ooo.eml" "$D/8308-bounce.eml" "$D/8308-bulk.eml" \
	    "$D/8308-list.eml" &&
	eq "$(sql s "select count(*) from message where ticket_id is null")" 4 &&
	eq "$(acks s)" 2
}
check 8308 "auto-replies, bounces, Precedence bulk and list mail get none" t8308

# Mail that opens a ticket all the same, with the guard on record.
t8309() {
	imp g $T0 support "$D/8309-listid.eml" "$D/8309-noreply.eml" "$D/8309-suppress.eml" \
	    "$D/8309-own.eml" &&
	eq "$(sql g "select count(*) from ticket")" 4 && eq "$(acks g)" 0 &&
	eq "$(skipped g 1)" mailing-list && eq "$(ack_event g 1 | jq -r .detail)" List-Id &&
	eq "$(skipped g 2)" no-reply &&
	eq "$(skipped g 3)" suppressed &&
	eq "$(ack_event g 3 | jq -r .detail)" 'X-Auto-Response-Suppress: AutoReply' &&
	eq "$(skipped g 4)" own-address
}
check 8309 "List-* mail, noreply senders, X-Auto-Response-Suppress and our own address get none" t8309

t8310() {
	imp g 2026-06-01T09:00:00Z support "$D/8310-old.mbox" &&
	f=$(sql g "select ticket_id from message where message_id = 'f1@customer.example'") &&
	eq "$(skipped g "$f")" too-old &&
	gi=$(sql g "select ticket_id from message where message_id = 'g1@customer.example'") &&
	eq "$(ack_event g "$gi" | jq -r .to)" gina@customer.example &&
	eq "$(acks g)" 1
}
check 8310 "mail that arrived longer than max-age ago (an old archive) gets none" t8310

t8311() {
	imp g $T0 support "$D/8311-team.eml" &&
	t=$(sql g "select ticket_id from message where message_id = 't1@northwind.example'") &&
	[ -n "$t" ] && eq "$(ack_event g "$t")" "" && eq "$(acks g)" 1
}
check 8311 "a ticket the team opened gets none" t8311

t8312() {
	imp p $T0 plain "$D/8301-new.eml" "$D/8306-second.eml" &&
	eq "$(sql p "select count(*) from ticket")" 2 && eq "$(acks p)" 0 &&
	eq "$(sql p "select count(*) from event where kind = 'autoreply'")" 0 &&
	imp q $T0 import "$D/8301-new.eml" && eq "$(acks q)" 0
}
check 8312 "a channel without an autoreply block, or none configured, never answers" t8312

t8313() {
	imp b $T0 billing "$D/8313-billing.eml" && eq "$(acks b)" 1 &&
	at b 2026-06-01T09:01:00Z send >/dev/null &&
	f=$(mail_to ivy@customer.example) && head_of "$f" >"$TMP/h" &&
	grep -qx 'Subject: \[#1\] We got your message' "$TMP/h" &&
	grep -qx 'From: "Support Escalations" <escalator@escalator.example>' "$TMP/h" &&
	body_of "$f" >"$TMP/b" &&
	eq "$(sed -n 1,2p "$TMP/b")" "Thank you for writing to Northwind billing.
We answer within one working day." &&
	grep -qx 'Meanwhile:' "$TMP/b" &&
	grep -qx -- '- https://help.northwind.example/invoices' "$TMP/b" &&
	# response-time no: the configured text says it, nothing is added
	! grep -q 'We aim' "$TMP/b"
}
check 8313 "a configured subject, inline text lines, the smtp sender by default" t8313

t8314() {
	imp j $T0 support "$D/8314-inject.eml" && eq "$(acks j)" 1 &&
	at j 2026-06-01T09:01:00Z send >/dev/null &&
	f=$(mail_to juergen@customer.example) && head_of "$f" >"$TMP/h" &&
	! grep -qi '^bcc' "$TMP/h" && ! grep -qi '^X-Rcpt-Args: <evil' "$TMP/h" &&
	grep -qx 'Subject: \[#1\] Re: Help Bcc: evil@attacker.example body' "$TMP/h"
}
check 8314 "CR LF in a customer's subject injects no header into the acknowledgement" t8314

t8315() {
	# no tier configured: no target, so nothing is promised
	sed -n '/^smtp /p' "$TMP/a.conf" >"$TMP/n.conf" &&
	echo 'channel eng mbox { autoreply { text "Thanks, we have your message." } }' \
	    >>"$TMP/n.conf" &&
	esc -q -c "$TMP/n.conf" --db "$TMP/eng.db" --now $T0 import --channel eng \
	    "$D/8313-billing.eml" >/dev/null 2>&1 &&
	for c in desk lab; do imp $c $T0 $c "$D/8313-billing.eml" || return 1; done
	for c in desk lab eng; do
		eq "$(acks $c)" 1 && ack_body $c || return 1
	done
	grep -q "Thanks, we have your message.  We aim to answer within 4 hours during our business hours (Mon-Fri 09:00-17:30; Sat 10:00-14:00, Europe/Berlin time). Your ticket number: \\[#1\\]" "$TMP/desk.b" &&
	grep -q "message.  We aim to answer within 48 business hours (Mon-Fri 09:00-17:30; Sat 10:00-14:00, Europe/Berlin time). Counting only our business hours, expect our answer by Mon 8 Jun 2026 12:30 (Europe/Berlin time). Your ticket number" "$TMP/lab.b" &&
	grep -q "message.  Your ticket number: \\[#1\\]" "$TMP/eng.b" && ! grep -q 'We aim' "$TMP/eng.b"
}
check 8315 "the acknowledgement states the tier's first-response target and business hours, or nothing" t8315

# The evening before three holidays: "within 4 hours" would mislead, so
# the acknowledgement names the day, and it is the day the sweep's
# first-response clock comes due (12:30 CET = 11:30Z).
t8316() {
	holiday_conf >"$TMP/hol.conf" && grep -q 'holiday 2026-12-24' "$TMP/hol.conf" &&
	dated "Wed, 23 Dec 2026 17:00:00 +0100" >"$TMP/hol.eml" &&
	esc -q -c "$TMP/hol.conf" --db "$TMP/hol.db" --now 2026-12-23T16:00:00Z import \
	    --channel desk "$TMP/hol.eml" >/dev/null 2>&1 &&
	eq "$(acks hol)" 1 && ack_body hol &&
	grep -q "We aim to answer within 4 hours during our business hours (Mon-Fri 09:00-17:30; Sat 10:00-14:00, Europe/Berlin time). Counting only our business hours, expect our answer by Mon 28 Dec 2026 12:30 (Europe/Berlin time)." "$TMP/hol.b" &&
	esc -q -c "$TMP/hol.conf" --db "$TMP/hol.db" --now 2026-12-23T16:00:00Z sweep >/dev/null &&
	eq "$(sql hol "select datetime(deadline, 'unixepoch') from sla_clock where kind = 'first-response'")" \
	    "2026-12-28 11:30:00"
}
check 8316 "the evening before holidays the acknowledgement names the day the clock comes due" t8316

# A Date far from the arrival (a wrong clock, a forged header) names no
# day: it would be one long past.
t8318() {
	holiday_conf >"$TMP/old.conf" &&
	dated "Mon, 01 Jul 2019 17:00:00 +0200" >"$TMP/old.eml" &&
	esc -q -c "$TMP/old.conf" --db "$TMP/old.db" --now 2026-12-23T16:00:00Z import \
	    --channel desk "$TMP/old.eml" >/dev/null 2>&1 &&
	eq "$(acks old)" 1 && ack_body old &&
	grep -q "We aim to answer within 4 hours during our business hours" "$TMP/old.b" &&
	! grep -q "expect our answer by" "$TMP/old.b"
}
check 8318 "a Date a day or more from the arrival names no due day in the acknowledgement" t8318

# A tier whose first-response target needs more business time than the
# calendar opens within the sweep's search (SLA_SEARCH_DAYS): the clock
# never comes due, and the acknowledgement names no day rather than a
# nonsense one.
t8317() {
	sed -e 's/hours sat 10:00-14:00 }/hours sat 10:00-14:00 }\ncalendar rare { timezone "Europe\/Berlin" hours sat 10:00-10:30 }/' \
	    -e 's/first-response 4h resolution 2d calendar office/first-response 2000h resolution 3000h calendar rare/' \
	    "$TMP/a.conf" >"$TMP/rare.conf" && grep -q 'calendar rare' "$TMP/rare.conf" &&
	dated "Wed, 23 Dec 2026 17:00:00 +0100" >"$TMP/rare.eml" &&
	esc -q -c "$TMP/rare.conf" --db "$TMP/rare.db" --now 2026-12-23T16:00:00Z import \
	    --channel desk "$TMP/rare.eml" >/dev/null 2>&1 &&
	eq "$(acks rare)" 1 && ack_body rare &&
	grep -q "We aim to answer within 2000 business hours (Sat 10:00-10:30, Europe/Berlin time). Your ticket number" "$TMP/rare.b"
}
check 8317 "a target the calendar never reaches names no day in the acknowledgement" t8317

# check-config: mistakes reported file:line:col, every one in a run.
mkdir -p "$TMP/cfg"
cp "$D/8320-errors.conf" "$D/8321-no-smtp.conf" "$TMP/cfg/"
echo token >"$TMP/cfg/8320-token"; chmod 600 "$TMP/cfg/8320-token"
cfg() { (cd "$TMP/cfg" && "$ESCALATOR" -c "$1" check-config); }

t8320() {
	cfg 8320-errors.conf >"$TMP/out" 2>"$TMP/err"; rc=$?
	eq "$rc" 78 &&
	grep '^8320-errors.conf:' "$TMP/err" >"$TMP/lines" &&
	diff -u "$D/8320-errors.expect" "$TMP/lines"
}
check 8320 "autoreply on social channels and bad autoreply keys are configuration errors" t8320

t8321() {
	cfg 8321-no-smtp.conf >"$TMP/out" 2>"$TMP/err"; rc=$?
	eq "$rc" 78 &&
	grep -qx "8321-no-smtp.conf:3:24: autoreply of channel 'support' needs an 'smtp' statement to send through" "$TMP/err"
}
check 8321 "an autoreply block needs an smtp statement" t8321

done_testing
