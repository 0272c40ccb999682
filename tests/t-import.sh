#!/bin/sh
# t-import.sh -- end-to-end intake: mbox, Maildir and single files through
# `escalator import` into a fresh database, checked with queue/show --json.
# Cases 3xxx (threading) and 0xxx (import command).
. "$top_srcdir/tests/lib.sh"
D=$TESTDATA
NOW=2026-11-20T12:00:00Z

imp() { esc --db "$TMP/$1.db" --now $NOW import --json "$@" 2>"$TMP/imp.err" | tail -1; }
# field DB JQ: one value from the queue of database DB
q() { esc --db "$TMP/$1.db" --now $NOW queue --all --json | jq -r "$2"; }
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }

t3001() {
	imp t1 "$D/3001-references.mbox" >/dev/null
	eq "$(q t1 length)" 1 && eq "$(q t1 '.[0].messages')" 3 &&
	eq "$(q t1 '.[0].exchanges')" 3 && eq "$(q t1 '.[0].customer')" anna@example.org
}
check 3001 "replies join by In-Reply-To and References" t3001

t3002() {
	imp t2 "$D/3002-out-of-order.mbox" >/dev/null
	eq "$(q t2 length)" 1 && eq "$(q t2 '.[0].messages')" 3 &&
	eq "$(q t2 '.[0].created')" 2026-11-17T10:00:00Z
}
check 3002 "a reply that arrives before its parent joins the same ticket" t3002

t3003() {
	imp t3 "$D/3003-subject.mbox" >/dev/null
	eq "$(q t3 length)" 3 &&
	eq "$(q t3 '[.[] | select(.customer == "carol@example.com")] | map(.messages) | sort | join(",")')" 1,2 &&
	eq "$(q t3 '[.[] | select(.customer == "dave@example.com")] | length')" 1
}
check 3003 "subject fallback: same customer within 7 days only" t3003

# A list or a support@ run as a group rewrites From to its own address
# ("Name via Group"): the writer in X-Original-From or Reply-To is the
# customer, so two writers with one subject keep a ticket each.
t3020() {
	imp t20 "$D/3020-via-group.mbox" >/dev/null
	eq "$(q t20 length)" 2 &&
	eq "$(q t20 '[.[] | select(.customer == "gina@example.net")][0].messages')" 2 &&
	eq "$(q t20 '[.[] | select(.customer == "frank@example.org")][0].messages')" 1
}
check 3020 "From rewritten by a list or group: the writer is the customer" t3020

t3004() {
	out=$(imp t4 "$D/3004-auto.mbox")
	eq "$(echo "$out" | jq -r .stored)" 5 && eq "$(echo "$out" | jq -r .tickets_opened)" 1 &&
	eq "$(echo "$out" | jq -r '.no_ticket["auto-submitted"]')" 1 &&
	eq "$(echo "$out" | jq -r '.no_ticket["delivery-report"]')" 1 &&
	eq "$(echo "$out" | jq -r '.no_ticket.precedence')" 1 &&
	eq "$(echo "$out" | jq -r '.no_ticket["x-autoreply"]')" 1 &&
	eq "$(q t4 '.[0].subject')" "A human question"
}
check 3004 "auto-replies, bounces and bulk mail are stored but open no ticket" t3004

t3005() {
	a=$(imp t5 "$D/3005-no-message-id.mbox")
	b=$(imp t5 "$D/3005-no-message-id.mbox")
	eq "$(echo "$a" | jq -r .stored)" 2 && eq "$(echo "$b" | jq -r .stored)" 0 &&
	eq "$(echo "$b" | jq -r .already_present)" 2
}
check 3005 "messages without Message-ID get a stable id: a second import adds nothing" t3005

t3006() {
	imp t6 "$D/3005-no-message-id.mbox" >/dev/null
	id=$(q t6 '[.[] | select(.subject == "No id here")][0].id')
	esc --db "$TMP/t6.db" show --json "$id" | jq -r '.messages[0].text' > "$TMP/text"
	grep -q '^From the second line on' "$TMP/text" && grep -q '^From here on' "$TMP/text"
}
check 3006 "an unescaped From line in a body does not split; >From is unescaped" t3006

t3007() {
	imp t7 "$D/3006-crlf.mbox" >/dev/null
	eq "$(q t7 length)" 1 && eq "$(q t7 '.[0].messages')" 2 && eq "$(q t7 '.[0].subject')" "CRLF mbox"
}
check 3007 "an mbox with CRLF line ends" t3007

t3008() {
	out=$(imp t8 "$D/3007-broken-from.mbox")
	eq "$(echo "$out" | jq -r .stored)" 3 && eq "$(echo "$out" | jq -r .input_problems)" 1 &&
	grep -q "3007-broken-from.mbox:byte [0-9]*: malformed From_ line" "$TMP/imp.err"
}
check 3008 "a broken From_ line is reported with its position; no message is lost" t3008

t3009() {
	esc --db "$TMP/t9.db" --now $NOW import "$D/3008-not-mail.pdf" "$D/3009-single.eml" \
	    >"$TMP/o" 2>"$TMP/e"
	rc=$?
	eq $rc 65 && grep -q "3008-not-mail.pdf': not an mbox or a mail message" "$TMP/e" &&
	eq "$(q t9 length)" 1
}
check 3009 "a file that is not mail is named in the error (exit 65); the others are imported" t3009

t3010() {
	mkdir -p "$TMP/md/cur" "$TMP/md/new" "$TMP/md/tmp"
	cp "$D/3009-single.eml" "$TMP/md/new/1763283600.M1P1.host"
	sed 's/k1@/k2@/; s/A single message file/Second in Maildir/' "$D/3009-single.eml" \
	    > "$TMP/md/cur/1763283700.M2P1.host:2,S"
	out=$(imp t10 "$TMP/md")
	eq "$(echo "$out" | jq -r .stored)" 2 && eq "$(q t10 length)" 2
}
check 3010 "a Maildir: new/ and cur/" t3010

t3011() {
	imp t11 "$D/3001-references.mbox" >/dev/null
	id=$(q t11 '.[0].id')
	sqlite3 "$TMP/t11.db" "UPDATE ticket SET status = 3 WHERE id = $id" &&
	sed 's/a2@example.org/a3@example.org/; s/Nov 2026 11:00/Nov 2026 15:00/' \
	    "$D/3001-references.mbox" > "$TMP/more.mbox" &&
	imp t11 "$TMP/more.mbox" >/dev/null &&
	eq "$(q t11 '.[0].status')" open &&
	eq "$(esc --db "$TMP/t11.db" show --json "$id" | jq -r '[.events[].kind] | index("reopened") != null')" true
}
check 3011 "a customer reply to a resolved ticket reopens it" t3011

t3012() {
	imp t12 "$D/3001-references.mbox" >/dev/null
	cat > "$TMP/tag.eml" <<EOM
From: Anna Berg <anna@example.org>
To: support@northwind.example.com
Subject: Re: [#1] SLA breached - Cannot log in
Date: Tue, 17 Nov 2026 09:00:00 +0000
Message-ID: <tagged@example.org>

Answering the notification with the ticket tag.
EOM
	imp t12 "$TMP/tag.eml" >/dev/null
	eq "$(q t12 length)" 1 && eq "$(q t12 '.[0].messages')" 4
}
check 3012 "the [#N] tag in a subject threads into ticket N" t3012

t3013() {
	out=$(esc --db "$TMP/t13.db" --now $NOW import --json --agents northwind.example.com \
	    "$D/3001-references.mbox")
	eq "$(q t13 '.[0].exchanges')" 2 && eq "$(q t13 '.[0].status')" open &&
	eq "$(esc --db "$TMP/t13.db" show --json 1 | jq -r '[.messages[].direction] | join(",")')" in,out,in
}
check 3013 "messages from --agents addresses are the team's replies" t3013

t0101() {
	out=$(esc --db "$TMP/s.db" --now $NOW import "$D/3001-references.mbox")
	echo "$out" | grep -q '^import: 3 read, 3 stored, 0 already present, 1 tickets opened'
}
check 0101 "import prints one summary line" t0101

t0102() {
	esc --db "$TMP/m.db" import "$TMP/does-not-exist.mbox" 2>"$TMP/e"
	eq $? 66 && grep -q "cannot open '.*does-not-exist.mbox': No such file" "$TMP/e"
}
check 0102 "a missing input file exits 66 naming it" t0102

# An import writes in bulk through a rollback journal (store_bulk_begin)
# and leaves the database as every other command expects it: WAL mode, no
# journal file, everything committed.
t0103() {
	a=$(imp b1 "$D/3001-references.mbox" "$D/3004-auto.mbox")
	b=$(imp b1 "$D/3001-references.mbox" "$D/3004-auto.mbox")
	eq "$(echo "$a" | jq -r .stored)" 8 && eq "$(echo "$b" | jq -r .already_present)" 8 &&
	eq "$(sqlite3 "$TMP/b1.db" 'PRAGMA journal_mode')" wal &&
	[ ! -e "$TMP/b1.db-journal" ] && eq "$(q b1 length)" 2
}
check 0103 "an import leaves the database in WAL mode with nothing left over" t0103

# Another program holding the database open (the daemon, a report) keeps
# it in WAL mode: the import goes through the WAL and says so with -v.
t0104() {
	imp b2 "$D/3001-references.mbox" >/dev/null
	sqlite3 "$TMP/b2.db" "SELECT count(*) FROM message" ".system sleep 3" >/dev/null &
	holder=$!
	sleep 1
	out=$(esc -v --db "$TMP/b2.db" --now $NOW import --json "$D/3004-auto.mbox" 2>"$TMP/e")
	wait $holder
	eq "$(echo "$out" | jq -r .stored)" 5 &&
	grep -q "open in another program: writing through its WAL" "$TMP/e" &&
	eq "$(sqlite3 "$TMP/b2.db" 'PRAGMA journal_mode')" wal && eq "$(q b2 length)" 2
}
check 0104 "an import beside another open connection writes through the WAL" t0104

# While an import writes in bulk (rollback journal, its lock held), other
# commands read through that journal instead of failing to get WAL.
t0105() {
	imp b3 "$D/3001-references.mbox" >/dev/null
	sqlite3 "$TMP/b3.db" "PRAGMA journal_mode = TRUNCATE" "BEGIN IMMEDIATE" \
	    ".system sleep 3" "COMMIT" \
	    >/dev/null &
	holder=$!
	sleep 1
	esc -v --db "$TMP/b3.db" --now $NOW queue --json >"$TMP/q" 2>"$TMP/e"
	st=$?
	wait $holder
	eq $st 0 && eq "$(jq length "$TMP/q")" 1 &&
	grep -q "is being imported in bulk: using its rollback journal" "$TMP/e"
}
check 0105 "a command during a bulk import reads through its rollback journal" t0105

t3030() {
	# white lines before the header, as some programs save a message
	{ printf ' \t \r\n\r\n\n'; cat "$D/3009-single.eml"; } > "$TMP/lead.eml"
	printf '  \n\n' > "$TMP/white.eml"
	esc --db "$TMP/t30.db" --now $NOW import "$TMP/lead.eml" "$TMP/white.eml" \
	    >"$TMP/o" 2>"$TMP/e"
	rc=$?
	eq $rc 65 && grep -q "white.eml': not an mbox or a mail message" "$TMP/e" &&
	eq "$(q t30 length)" 1 &&
	eq "$(sqlite3 "$TMP/t30.db" "SELECT substr(raw, 1, 5) FROM message")" "$(head -c 5 "$D/3009-single.eml")"
}
check 3030 "white lines before a single message are skipped; a file of them is not mail" t3030

t3031() {
	# RFC 5322 4.5's obsolete blanks before the colon, on the first line
	printf 'Subject : quota full\r\nFrom: Ann <ann@example.org>\r\nMessage-ID: <obs-3031@example.org>\r\n\r\nPlease raise it.\r\n' \
	    > "$TMP/obs.eml"
	esc --db "$TMP/t31.db" --now $NOW import "$TMP/obs.eml" >"$TMP/o" 2>"$TMP/e" &&
	eq "$(q t31 '.[0].subject')" "quota full"
}
check 3031 "a single message whose first field has blanks before its colon is mail" t3031

t3032() {
	# an archiver's impossible From_ date, no blank line before it
	{
		printf 'From a@example.org  Mon Jan 00 00:00:00 0000\nFrom: a@example.org\nSubject: one\nMessage-ID: <one-3032@example.org>\n\nFirst.\n'
		printf 'From b@example.org  Mon Jan 00 00:00:00 0000\nFrom: b@example.org\nSubject: two\nMessage-ID: <two-3032@example.org>\n\nSecond.\n'
		printf 'From here on: it is prose\nSubject: not a header of a new message\n'
	} > "$TMP/zero.mbox"
	esc --db "$TMP/t32.db" --now $NOW import "$TMP/zero.mbox" >"$TMP/o" 2>"$TMP/e" &&
	eq "$(q t32 length)" 2 &&
	eq "$(sqlite3 "$TMP/t32.db" "SELECT count(*) FROM message WHERE text LIKE '%From here on%'")" 1
}
check 3032 "a From_ line shaped like a date splits even when the date is impossible" t3032

done_testing
