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
has() { case "$1" in *"$2"*) ;; *) echo "expected '$2' in '$1'"; return 1;; esac; }

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

# 3040-3045: a conversation that arrives out of order, five writers
# (no subject fallback), In-Reply-To only, a tree: 1 <- 2 <- 3, 2 <- 4 <- 5.
# perm ORDER OUT: the messages of 3040-shuffled.mbox in ORDER ("3 1 2").
perm() {
	awk -v dir="$TMP/p" 'BEGIN { system("mkdir -p " dir) }
	    /^From / { k++ } { print > (dir "/" k) }' "$D/3040-shuffled.mbox"
	for k in $1; do cat "$TMP/p/$k"; done > "$2"
}
# grouping DB: each ticket's Message-IDs, sorted, one ticket a line
grouping() {
	sqlite3 "$TMP/$1.db" "SELECT group_concat(message_id, ' ') FROM
	    (SELECT ticket_id, message_id FROM message ORDER BY ticket_id, message_id)
	    GROUP BY ticket_id ORDER BY 1"
}
t3040() {
	for order in "1 2 3 4 5" "5 4 3 2 1" "3 1 5 2 4" "5 1 3 4 2" "4 3 1 5 2"; do
		name=p$(echo "$order" | tr -d ' ')
		perm "$order" "$TMP/$name.mbox"
		imp "$name" "$TMP/$name.mbox" >/dev/null || return 1
		eq "$(grouping "$name")" "p1@example.org p2@example.org p3@example.org p4@example.org p5@example.org" ||
		    { echo "order $order"; return 1; }
		eq "$(q "$name" length)" 1 && eq "$(q "$name" '.[0].messages')" 5 &&
		eq "$(q "$name" '.[0].exchanges')" 5 &&
		eq "$(q "$name" '.[0].created')" 2026-11-16T09:00:00Z &&
		eq "$(q "$name" '.[0].customer')" ines@example.org &&
		eq "$(q "$name" '.[0].subject')" "Label printer drops every third label" ||
		    { echo "order $order"; return 1; }
	done
}
check 3040 "a thread imported in any order ends as one ticket (merged)" t3040

t3041() {
	perm "3 1 2 4 5" "$TMP/m41.mbox"
	imp t41 "$TMP/m41.mbox" >/dev/null
	# 3 opens #1 (knows 2), 1 opens #2, 2 links them: #2 goes into #1
	out=$(esc --db "$TMP/t41.db" --now $NOW show 2) &&
	echo "$out" | grep -qx "merged into #1" &&
	echo "$out" | grep -q "^Ticket #2  closed" &&
	eq "$(esc --db "$TMP/t41.db" --now $NOW show --json 2 | jq -r '.merged_into')" 1 &&
	eq "$(esc --db "$TMP/t41.db" --now $NOW show --json 2 | jq -r '.messages | length')" 0 &&
	eq "$(esc --db "$TMP/t41.db" --now $NOW show --json 1 | jq -r '.merged_into')" null &&
	eq "$(esc --db "$TMP/t41.db" --now $NOW show --json 1 |
	    jq -r '[.events[] | select(.kind == "merged") | .detail.absorbed] | join(",")')" 2 &&
	eq "$(esc --db "$TMP/t41.db" --now $NOW show --json 2 |
	    jq -r '[.events[] | .kind] | join(",")')" created,assessed,merged &&
	esc --db "$TMP/t41.db" --now $NOW show 1 | grep -q "absorbed #2: one conversation" &&
	eq "$(esc --db "$TMP/t41.db" --now $NOW queue --json | jq -r 'map(.id) | join(",")')" 1 &&
	eq "$(q t41 'map(.id) | join(",")')" 1 &&
	eq "$(sqlite3 "$TMP/t41.db" "SELECT count(*) FROM thread_ref WHERE ticket_id <> 1")" 0 &&
	# a second import adds nothing, and the grouping stays
	eq "$(imp t41 "$TMP/m41.mbox" | jq -r '.stored')" 0 &&
	eq "$(sqlite3 "$TMP/t41.db" "SELECT count(*) FROM event WHERE kind = 'merged'")" 2 &&
	# a workflow command on the absorbed ticket says where it went
	{ esc --db "$TMP/t41.db" --now $NOW note 2 "hello" 2>"$TMP/e41"; eq $? 65; } &&
	grep -q "merged into #1" "$TMP/e41" &&
	# report and replay count one conversation, not a second empty ticket
	eq "$(esc --db "$TMP/t41.db" --now $NOW report --since 3650d --json | jq -r '.tickets')" 1
}
check 3041 "an absorbed ticket: closed, empty, show says where it went, not queued" t3041

# split_then DB TICKET: 3 opens #1 and 1 opens #2 in DB, TICKET is
# assigned, then 2, 4 and 5 arrive (2 links the two tickets).
split_then() {
	perm "3" "$TMP/$1-a.mbox"; perm "1" "$TMP/$1-b.mbox"; perm "2 4 5" "$TMP/$1-c.mbox"
	imp "$1" "$TMP/$1-a.mbox" >/dev/null && imp "$1" "$TMP/$1-b.mbox" >/dev/null &&
	esc -q --db "$TMP/$1.db" --now $NOW assign "$2" pat@northwind.example.com --as pat \
	    >/dev/null &&
	imp "$1" "$TMP/$1-c.mbox" >/dev/null
}

# Work on the younger ticket keeps it apart: both say they are related.
t3042() {
	split_then t42 2 &&
	eq "$(q t42 length)" 2 && eq "$(sqlite3 "$TMP/t42.db" "SELECT count(*) FROM ticket
	    WHERE merged_into IS NOT NULL")" 0 &&
	eq "$(esc --db "$TMP/t42.db" --now $NOW show --json 1 |
	    jq -r '[.events[] | select(.kind == "related") | .detail.ticket] | join(",")')" 2 &&
	eq "$(esc --db "$TMP/t42.db" --now $NOW show --json 2 |
	    jq -r '[.events[] | select(.kind == "related") | .detail.ticket] | join(",")')" 1 &&
	esc --db "$TMP/t42.db" --now $NOW show 2 |
	    grep -q "same conversation as #1, kept apart: #2 is assigned"
}
check 3042 "a younger ticket the team worked on is kept apart, related once" t3042

# Work on the older ticket does not stop the merge; the survivor keeps it.
t3043() {
	split_then t43 1 &&
	eq "$(q t43 length)" 1 && eq "$(q t43 '.[0].owner')" pat@northwind.example.com &&
	eq "$(q t43 '.[0].messages')" 5 &&
	# the tag of an absorbed ticket's acknowledgement still finds the thread
	printf 'From ines@example.org Tue Nov 17 09:00:00 2026
From: Ines Duarte <ines@example.org>
To: support@northwind.example.com
Subject: Re: [#2] labels again
Date: Tue, 17 Nov 2026 09:00:00 +0000
Message-ID: <p6@example.org>

And again today.

' > "$TMP/d43.mbox" &&
	imp t43 "$TMP/d43.mbox" >/dev/null &&
	eq "$(sqlite3 "$TMP/t43.db" "SELECT ticket_id FROM message WHERE message_id = 'p6@example.org'")" 1
}
check 3043 "work on the older ticket does not stop a merge; [#N] of the absorbed one finds it" t3043

# The absorbed ticket leaves the subject fallback: a later mail from its
# customer (Kemal, who opened #2) with its subject and no references does
# not land in it (nor reopen it).
t3046() {
	perm "1 3 2" "$TMP/a46.mbox"
	imp t46 "$TMP/a46.mbox" >/dev/null &&
	printf 'From kemal@example.org Tue Nov 17 09:00:00 2026\nFrom: Kemal Aydin <kemal@example.org>\nTo: support@northwind.example.com\nSubject: Re: Label printer drops every third label\nDate: Tue, 17 Nov 2026 09:00:00 +0000\nMessage-ID: <p7@example.org>\n\nStill dropping labels.\n\n' > "$TMP/b46.mbox" &&
	imp t46 "$TMP/b46.mbox" >/dev/null &&
	eq "$(sqlite3 "$TMP/t46.db" "SELECT ticket_id <> 2 FROM message WHERE message_id = 'p7@example.org'")" 1 &&
	eq "$(sqlite3 "$TMP/t46.db" "SELECT status, messages, merged_into FROM ticket WHERE id = 2")" "4|0|1"
}
check 3046 "an absorbed ticket is out of the subject fallback" t3046

# The clocks: the absorbed ticket's end with no breach; the survivor's
# first response runs from the earliest customer message of both.
t3044() {
	C44="-c $D/0301-workflow.conf"
	perm "3" "$TMP/a44.mbox"; perm "1" "$TMP/b44.mbox"; perm "2 4 5" "$TMP/c44.mbox"
	imp t44 "$TMP/a44.mbox" >/dev/null && imp t44 "$TMP/b44.mbox" >/dev/null &&
	esc -q $C44 --db "$TMP/t44.db" --now 2026-11-16T09:40:00Z sweep >/dev/null &&
	eq "$(sqlite3 "$TMP/t44.db" "SELECT ticket_id, kind, state FROM sla_clock ORDER BY 1, 2" | tr '\n' ' ')" \
	    "2|first-response|running 2|resolution|running " &&
	imp t44 "$TMP/c44.mbox" >/dev/null &&
	esc -q $C44 --db "$TMP/t44.db" --now 2026-11-16T11:30:00Z sweep >/dev/null &&
	eq "$(sqlite3 "$TMP/t44.db" "SELECT count(*) FROM sla_clock WHERE ticket_id = 2")" 0 &&
	eq "$(sqlite3 "$TMP/t44.db" "SELECT count(*) FROM sla_event WHERE ticket_id = 2")" 0 &&
	eq "$(sqlite3 "$TMP/t44.db" "SELECT started FROM sla_clock WHERE ticket_id = 1
	    AND kind = 'first-response'")" "$(date -u -d 2026-11-16T09:00:00Z +%s)" &&
	eq "$(sqlite3 "$TMP/t44.db" "SELECT kind || ':' || level FROM sla_event
	    WHERE ticket_id = 1 AND kind = 'first-response' ORDER BY level DESC" | tr '\n' ' ')" \
	    "first-response:warning first-response:breach "
}
check 3044 "a merge ends the absorbed ticket's clocks; the earliest start wins" t3044

# The survivor's priority is that of the newest customer message of both.
# (A subshell: the lexicon stays this case's.)
t3045() (
	perm "3" "$TMP/a45.mbox"; perm "5" "$TMP/b45.mbox"; perm "2 4" "$TMP/c45.mbox"
	sed 's/^Swapped the roll.*/This is unacceptable, furious, broken again and again, the worst./' \
	    "$TMP/b45.mbox" > "$TMP/b45x.mbox"
	ESCALATOR_LEXICON=$top_srcdir/data/lexicon.tsv
	export ESCALATOR_LEXICON
	imp t45 "$TMP/a45.mbox" >/dev/null && imp t45 "$TMP/b45x.mbox" >/dev/null &&
	eq "$(q t45 'map("\(.id):\(.priority)") | sort | join(",")')" "1:normal,2:high" &&
	imp t45 "$TMP/c45.mbox" >/dev/null &&
	eq "$(q t45 'map("\(.id):\(.priority):\(.messages)") | join(",")')" "1:high:4"
)
check 3045 "the survivor takes the priority of the newest customer message" t3045

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

# A write that fails (a full disk; here a file size limit) loses nothing:
# the summary counts the batch the rollback took back as not stored, the
# database keeps what an earlier import committed, and importing again
# once there is room stores each message once.
mboxgen() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "From a%d@example.org Mon Nov 16 09:00:00 2026\n", i
			printf "From: Customer %d <a%d@example.org>\n", i, i
			printf "To: support@example.com\nSubject: Order %d is late\n", i
			printf "Date: Mon, 16 Nov 2026 09:00:00 +0000\n"
			printf "Message-ID: <full.%d@example.org>\n\n", i
			for (j = 0; j < 40; j++)
				printf "Line %d of a long complaint about order %d that never came.\n", j, i
			printf "\n"
		}
	}'
}
t0106() {
	mboxgen 1500 > "$TMP/full.mbox"
	head -n "$(grep -n '^From a101@' "$TMP/full.mbox" | cut -d: -f1)" "$TMP/full.mbox" |
	    sed '$d' > "$TMP/first.mbox"
	eq "$(imp f1 "$TMP/first.mbox" | jq -r .stored)" 100 || return 1
	kb=$(( $(wc -c < "$TMP/f1.db") / 1024 + 512 ))
	out=$( (trap '' XFSZ; ulimit -f $kb; esc --db "$TMP/f1.db" --now $NOW import --json \
	    "$TMP/full.mbox" 2>"$TMP/e"; echo "rc=$?" >&2) 2>"$TMP/rc")
	echo "$out"; cat "$TMP/e" "$TMP/rc"
	grep -q "^rc=74" "$TMP/rc" &&
	eq "$(echo "$out" | jq -r .stored)" 0 && [ "$(echo "$out" | jq -r .not_stored)" -gt 0 ] &&
	grep -q "messages were not stored; once the cause is fixed, import the same files again" "$TMP/e" &&
	eq "$(sqlite3 "$TMP/f1.db" 'PRAGMA integrity_check')" ok &&
	eq "$(sqlite3 "$TMP/f1.db" 'SELECT count(*) FROM message')" 100 &&
	again=$(imp f1 "$TMP/full.mbox") &&
	eq "$(echo "$again" | jq -r .stored)" 1400 && eq "$(echo "$again" | jq -r .already_present)" 100 &&
	eq "$(echo "$again" | jq -r .not_stored)" 0 && eq "$(q f1 length)" 1500
}
check 0106 "a failed write loses nothing: counted as not stored, stored once by the next import" t0106

# A message over the 256 MB limit is skipped with its position; the
# messages after it in the same mbox are still imported (exit 65).
t0107() {
	{
		printf 'From a@example.org Mon Nov 16 09:00:00 2026\nFrom: a@example.org\n'
		printf 'Subject: before\nMessage-ID: <before@example.org>\n\nhello\n\n'
		printf 'From b@example.org Mon Nov 16 09:01:00 2026\nFrom: b@example.org\n'
		printf 'Subject: huge\nMessage-ID: <huge@example.org>\n\n'
		yes "a line of an attachment too big to take, seventy-eight bytes long, and more" |
		    head -c 270000000
		printf '\nFrom c@example.org Mon Nov 16 09:02:00 2026\nFrom: c@example.org\n'
		printf 'Subject: after\nMessage-ID: <after@example.org>\n\nbye\n'
	} > "$TMP/huge.mbox"
	out=$(esc --db "$TMP/big.db" --now $NOW import --json "$TMP/huge.mbox" 2>"$TMP/e")
	rc=$?
	rm -f "$TMP/huge.mbox"
	eq $rc 65 && eq "$(echo "$out" | jq -r .stored)" 2 && eq "$(echo "$out" | jq -r .too_large)" 1 &&
	grep -q "huge.mbox:byte 121: a message larger than 256 MB, skipped; the messages after it are read" "$TMP/e" &&
	eq "$(sqlite3 "$TMP/big.db" 'SELECT group_concat(message_id) FROM (SELECT message_id FROM message ORDER BY 1)')" \
	    "after@example.org,before@example.org"
}
check 0107 "a message over 256 MB is skipped by position; the messages after it are imported" t0107

# On a terminal the import shows its progress, erased before the summary.
t0109() {
	mboxgen 500 > "$TMP/pg.mbox" &&
	script -qc "$ESCALATOR --db $TMP/pg.db --now $NOW import $TMP/pg.mbox" /dev/null \
	    >"$TMP/tty.out" 2>&1 &&
	tr '\r' '\n' <"$TMP/tty.out" >"$TMP/tty.lines" &&
	grep -Eq '^import: [0-9]+ messages, [0-9]+/s, +[0-9]+%' "$TMP/tty.lines" &&
	grep -q '^.\[Kimport: 500 read, 500 stored' "$TMP/tty.lines" &&
	esc --db "$TMP/pg2.db" --now $NOW import "$TMP/pg.mbox" >"$TMP/o" 2>"$TMP/e" &&
	! grep -q 'messages, ' "$TMP/e"
}
check 0109 "on a terminal the import shows its progress, erased before the summary" t0109

# libxml2 prints charset trouble to stderr unless told otherwise: an HTML
# part with bytes its charset forbids leaves only our own lines there, and
# the warning on the message.
t0108() {
	imp h6 "$D/0108-html-bad-charset.eml" >"$TMP/h6.json" &&
	eq "$(jq -r .warnings "$TMP/h6.json")" 1 &&
	! grep -v '^escalator: ' "$TMP/imp.err" &&
	eq "$(sqlite3 "$TMP/h6.db" "SELECT warnings FROM message")" \
	    "html part: invalid EUC-JP bytes replaced" &&
	has "$(sqlite3 "$TMP/h6.db" "SELECT text FROM message")" "the order arrived"
}
check 0108 "an HTML part with bad bytes in its charset: a warning, nothing from libxml2 on stderr" t0108

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
