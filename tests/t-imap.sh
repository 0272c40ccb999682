#!/bin/sh
# t-imap.sh -- the IMAP connector against a real Dovecot started here on
# 127.0.0.1 (tests/imap-lib.sh): sync, agent replies, flags and the done
# folder, UIDVALIDITY resets, a server killed mid-fetch, escalator killed
# mid-sync, TLS, authentication and network faults.  Cases 7xxx; the mail
# is tests/data/7NNN-* plus generated bulk.  SKIPs when Dovecot is missing
# or cannot start, saying why.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/imap-lib.sh"
D=$TESTDATA
NOW=2026-11-20T12:00:00Z

reason=$(dv_skip_reason)
if [ -n "$reason" ]; then
	skip "7000 IMAP tests: $reason"
	done_testing
	exit 0
fi
if ! dv_start 2>"$TMP/dv.err"; then
	skip "7000 IMAP tests: dovecot cannot start here: $(head -3 "$TMP/dv.err" | tr '\n' ' ')"
	done_testing
	exit 0
fi
trap 'dv_stop; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM	# so that the EXIT trap stops Dovecot

# pl DB [ARGS...]: one `poll --json` into $TMP/DB.db with $TMP/esc.conf;
# the JSON array on stdout, the log in $TMP/poll.err.
pl() {
	db=$1; shift
	esc -c "$TMP/esc.conf" --db "$TMP/$db.db" --now $NOW poll --json "$@" 2>"$TMP/poll.err"
}
sql() { sqlite3 "$TMP/$1.db" "$2"; }
q() { esc --db "$TMP/$1.db" --now $NOW queue --all --json | jq -r "$2"; }
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
ticket_of() { sql "$1" "SELECT ticket_id FROM message WHERE message_id = '$2'"; }
events() { esc --db "$TMP/$1.db" show --json "$2" | jq -r '[.events[].kind] | join(",")'; }

dv_user support@example.com
dv_conf sent '"Sent"' done '"Done"' agents '"northwind.example.com"'

t7001() {
	dv_put INBOX "$D/7001-question.eml" "$D/7002-question.eml" "$D/7006-not-mail.eml"
	out=$(pl s) || { cat "$TMP/poll.err"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 2 && eq "$(echo "$out" | jq -r '.[0].not_mail')" 1 &&
	eq "$(q s length)" 2 &&
	grep -q 'channel=support host=127.0.0.1 event=not-mail mailbox=INBOX uid=3' "$TMP/poll.err" &&
	eq "$(sql s "SELECT value FROM cursor WHERE source = 'INBOX'")" \
	    "$(dv_uidvalidity INBOX):3" &&
	eq "$(sql s "SELECT external_id FROM message WHERE message_id = 'q1@customer.example'")" \
	    "$(dv_uidvalidity INBOX)/1@INBOX" &&
	# read-only: nothing was marked \Seen
	eq "$(doveadm -c "$DV/dovecot.conf" search -u "$DV_USER" mailbox INBOX SEEN | wc -l)" 0
}
check 7001 "first sync: every message once, the cursor at the last UID, nothing marked seen" t7001

t7002() {
	a=$(pl s) && eq "$(echo "$a" | jq -r '.[0].read')" 0 &&
	dv_put INBOX "$D/7005-question.eml" &&
	b=$(pl s) && eq "$(echo "$b" | jq -r '.[0].read')" 1 &&
	eq "$(echo "$b" | jq -r '.[0].stored')" 1 && eq "$(q s length)" 3
}
check 7002 "incremental sync fetches only what is new" t7002

t7003() {
	dv_put Sent "$D/7003-agent-reply.eml"
	out=$(pl s) || { cat "$TMP/poll.err"; return 1; }
	t=$(ticket_of s q1@customer.example)
	eq "$(echo "$out" | jq -r '.[0].joined')" 1 &&
	eq "$(esc --db "$TMP/s.db" show --json "$t" | jq -r '[.messages[].direction] | join(",")')" in,out &&
	eq "$(q s "map(select(.id == $t))[0].status")" open &&
	dv_put INBOX "$D/7004-followup.eml" && pl s >/dev/null &&
	eq "$(esc --db "$TMP/s.db" show --json "$t" | jq -r '[.messages[].direction] | join(",")')" in,out,in
}
check 7003 "a message in the sent folder is the team's reply on its ticket" t7003

t7004() {
	t=$(ticket_of s q2@other.example)
	eq "$(q s "map(select(.id == $t))[0].status")" new &&
	dv_flag INBOX '<q2@other.example>' '\Answered' &&
	out=$(pl s) && eq "$(echo "$out" | jq -r '.[0].answered')" 1 &&
	eq "$(q s "map(select(.id == $t))[0].status")" open &&
	pl s >/dev/null && eq "$(events s "$t" | tr ',' '\n' | grep -c answered-flag)" 1
}
check 7004 "\\Answered on a customer message counts as a response, once (CONDSTORE)" t7004

t7005() {
	t=$(ticket_of s q3@third.example)
	dv_move INBOX '<q3@third.example>' Done &&
	out=$(pl s) && eq "$(echo "$out" | jq -r '.[0].resolved')" 1 &&
	eq "$(q s "map(select(.id == $t))[0].status")" resolved &&
	events s "$t" | grep -q resolved && eq "$(q s length)" 3
}
check 7005 "a message moved to the done folder resolves its ticket" t7005

t7006() {
	cp "$TMP/esc.conf" "$TMP/esc.conf.save"
	dv_conf done '"$Resolved"' agents '"northwind.example.com"'
	pl k >/dev/null && t=$(ticket_of k q2@other.example) &&
	eq "$(q k "map(select(.id == $t))[0].status")" open &&
	dv_flag INBOX '<q2@other.example>' '$Resolved' &&
	out=$(pl k) && eq "$(echo "$out" | jq -r '.[0].resolved')" 1 &&
	eq "$(q k "map(select(.id == $t))[0].status")" resolved
	r=$?
	cp "$TMP/esc.conf.save" "$TMP/esc.conf"
	return $r
}
check 7006 "a done keyword (\$Resolved) resolves the ticket" t7006

t7007() {
	# Without CONDSTORE the flags of open tickets' messages are fetched.
	dv_stop && dv_start "imap_capability = IMAP4rev1 SASL-IR LITERAL+ IDLE UIDPLUS" || return 1
	dv_put INBOX "$D/7001-question.eml"	# a duplicate copy: deduplicated
	sed 's/q3@third.example/q4@third.example/; s/Where is my order/Refund status/' \
	    "$D/7005-question.eml" > "$TMP/q4.eml" && dv_put INBOX "$TMP/q4.eml" &&
	pl s >/dev/null && t=$(ticket_of s q4@third.example) &&
	eq "$(q s "map(select(.id == $t))[0].status")" new &&
	dv_flag INBOX '<q4@third.example>' '\Answered' && out=$(pl s) &&
	eq "$(echo "$out" | jq -r '.[0].answered')" 1 &&
	eq "$(q s "map(select(.id == $t))[0].status")" open
	r=$?
	dv_stop && dv_start
	return $r
}
check 7007 "\\Answered found by a FLAGS fetch of open tickets when there is no CONDSTORE" t7007

t7008() {
	before=$(sql s "SELECT count(*) FROM message")
	old=$(dv_uidvalidity INBOX)
	dv_reset_uidvalidity || return 1
	new=$(dv_uidvalidity INBOX)
	[ "$old" != "$new" ] || { echo "UIDVALIDITY did not change ($old)"; return 1; }
	sed 's/q3@third.example/q5@third.example/; s/Where is my order/Wrong size/' \
	    "$D/7005-question.eml" > "$TMP/q5.eml" && dv_put INBOX "$TMP/q5.eml" &&
	out=$(pl s) || { cat "$TMP/poll.err"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 1 && eq "$(echo "$out" | jq -r '.[0].resyncs')" 1 &&
	eq "$(sql s "SELECT count(*) FROM message")" $((before + 1)) &&
	grep -q "event=uidvalidity-changed mailbox=INBOX old=$old new=$new" "$TMP/poll.err" &&
	eq "$(sql s "SELECT value FROM cursor WHERE source = 'INBOX'" | cut -d: -f1)" "$new" &&
	eq "$(sql s "SELECT external_id FROM message WHERE message_id = 'q2@other.example'" |
	    cut -d/ -f1)" "$new" &&
	out=$(pl s) && eq "$(echo "$out" | jq -r '.[0].read')" 0
}
check 7008 "a UIDVALIDITY change resyncs by Message-ID: nothing twice, ids moved" t7008

tls_conf() {
	dv_user tls@example.com
	printf '%s\n' "$DV_PASS" > "$TMP/pass" && chmod 600 "$TMP/pass"
	{
		echo "channel tls imap {"
		echo "  url \"$1\""
		echo "  user \"$DV_USER\""
		echo "  password-file \"$TMP/pass\""
		shift
		while [ $# -ge 2 ]; do echo "  $1 $2"; shift 2; done
		echo "}"
	} > "$TMP/esc.conf"
	dv_user support@example.com
}

# Bulk: generated mail in its own Maildir and database.
t7009() {
	dv_user bulk@example.com
	dv_gen INBOX 3000
	dv_conf
	# dash may reap a finished job early: the status goes through a file.
	(pl b --retries 6 > "$TMP/bulk.out"; echo $? > "$TMP/bulk.rc") &
	bg=$!
	# Kill the server once some batches are in, start it again at once.
	i=0
	while [ "$(sql b 'SELECT count(*) FROM message' 2>/dev/null || echo 0)" -lt 200 ] &&
	    [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
	dv_kill
	mid=$(sql b 'SELECT count(*) FROM message')
	sleep 0.3
	dv_start || return 1
	wait $bg
	rc=$(cat "$TMP/bulk.rc" 2>/dev/null || echo none)
	dv_user support@example.com
	echo "# $mid of 3000 stored when the server went down; exit $rc"
	eq "$rc" 0 && [ "$mid" -lt 3000 ] &&
	grep -q 'event=retry' "$TMP/poll.err" &&
	eq "$(sql b 'SELECT count(*), count(DISTINCT message_id) FROM message')" "3000|3000" &&
	eq "$(sql b "SELECT count(*) FROM event WHERE kind = 'created'")" 3000
}
check 7009 "the server killed mid-fetch and restarted: the poll resumes, every message once" t7009

t7010() {
	dv_user crash@example.com
	dv_gen INBOX 5000 1 150		# 9 KB each, like real support mail
	# Over TLS, which also has to survive the kills.
	tls_conf "imaps://localhost:$DV_PORTS/INBOX" ca-file "\"$DV/ca.crt\""
	sed -i "s/tls@example.com/crash@example.com/" "$TMP/esc.conf"
	rounds=0 partial=0 got=0
	# Random moments: odd rounds a few random milliseconds after the
	# start (connecting, logging in, the first batch), even rounds a
	# random moment after the next batch was committed (mid-fetch,
	# whatever the speed of this build).
	awk 'BEGIN { srand(7010); for (i = 0; i < 20; i++)
	    printf("%.3f\n", 0.002 + rand() * 0.025) }' > "$TMP/moments"
	while read -r delay; do
		# The binary itself, not a shell function: $! must be escalator.
		"$ESCALATOR" -q -c "$TMP/esc.conf" --db "$TMP/c.db" --now $NOW poll \
		    >/dev/null 2>&1 &
		bg=$!
		if [ $((rounds % 2)) -eq 0 ]; then
			i=0
			while [ "$(sql c 'SELECT count(*) FROM message' 2>/dev/null || echo 0)" \
			    -le "$got" ] && [ $i -lt 500 ] && kill -0 $bg 2>/dev/null; do
				sleep 0.005
				i=$((i + 1))
			done
		fi
		sleep "$delay"
		kill -9 $bg 2>/dev/null
		wait $bg 2>/dev/null
		rounds=$((rounds + 1))
		got=$(sql c 'SELECT count(*) FROM message' 2>/dev/null || echo 0)
		[ "${got:-0}" -lt 5000 ] && partial=$((partial + 1))
	done < "$TMP/moments"
	mid=$(sql c 'SELECT count(*) FROM message')
	out=$(pl c) || { cat "$TMP/poll.err"; return 1; }
	dv_user support@example.com
	echo "# $partial of $rounds kills landed mid-sync; $mid of 5000 stored before the last poll"
	eq $rounds 20 && [ $partial -ge 15 ] &&
	eq "$(sql c 'SELECT count(*), count(DISTINCT message_id) FROM message')" "5000|5000" &&
	eq "$(sql c "SELECT count(*) FROM event WHERE kind = 'created'")" 5000 &&
	eq "$(sql c "SELECT count(*) FROM ticket")" 5000 &&
	eq "$(sql c "SELECT value FROM cursor WHERE source = 'INBOX'" | cut -d: -f2)" 5000
}
check 7010 "20 kill -9 of escalator during a 5,000-message sync: every message once" t7010

t7011() {
	tls_conf "imaps://localhost:$DV_PORTS/INBOX"
	pl t1 >/dev/null
	rc=$?
	eq $rc 78 && ! grep -q event=retry "$TMP/poll.err" &&
	grep -q 'channel=tls host=localhost event=tls-failed error="certificate of .localhost. refused: The certificate is NOT trusted.*issuer is unknown' \
	    "$TMP/poll.err" &&
	tls_conf "imaps://localhost:$DV_PORTS/INBOX" ca-file "\"$DV/ca.crt\"" &&
	out=$(pl t1 --retries 0) && eq "$(echo "$out" | jq -r '.[0].ok')" true &&
	tls_conf "imaps://127.0.0.1:$DV_PORTS/INBOX" ca-file "\"$DV/ca.crt\"" &&
	! pl t1 --retries 0 >/dev/null &&
	grep -q 'event=tls-failed error="certificate of .127.0.0.1. refused: .*does not match' \
	    "$TMP/poll.err"
}
check 7011 "IMAPS: a self-signed CA is refused by default, accepted with ca-file; the host name is checked" t7011

t7012() {
	tls_conf "imap://localhost:$DV_PORT/INBOX" ca-file "\"$DV/ca.crt\"" &&
	esc -v -c "$TMP/esc.conf" --db "$TMP/t2.db" poll >/dev/null 2>"$TMP/poll.err" &&
	grep -q 'event=connected tls=starttls verify=yes' "$TMP/poll.err" &&
	tls_conf "imaps://localhost:$DV_PORTS/INBOX" tls-verify no &&
	pl t2 >/dev/null && grep -q 'channel=tls host=localhost event=tls-verify-disabled' \
	    "$TMP/poll.err"
}
check 7012 "imap:// upgrades with STARTTLS; tls-verify no is logged at every connect" t7012

t7013() {
	dv_conf
	echo "wrong-password" > "$TMP/pass"
	pl s --retries 3 >/dev/null
	rc=$?
	eq $rc 78 &&
	grep -q 'channel=support host=127.0.0.1 event=auth-failed error="authentication as .support@example.com. with PLAIN refused' \
	    "$TMP/poll.err" &&
	! grep -q 'event=retry' "$TMP/poll.err" && ! grep -q wrong-password "$TMP/poll.err"
}
check 7013 "a bad password: one clear line, no retry, the secret never logged" t7013

t7014() {
	dv_conf
	cat >> "$TMP/esc.conf" <<EOF
channel broken imap {
  url "imap://127.0.0.1:1/INBOX"
  user "nobody@example.com"
  password-file "$TMP/pass"
  tls none
}
EOF
	out=$(pl r --retries 1)
	rc=$?
	eq $rc 75 &&
	grep -q 'channel=broken host=127.0.0.1 event=connect-failed error="cannot connect to port 1: connection refused"' \
	    "$TMP/poll.err" &&
	grep -q 'channel=broken event=retry attempt=2' "$TMP/poll.err" &&
	eq "$(echo "$out" | jq -r '.[] | select(.channel == "support") | .ok')" true &&
	eq "$(echo "$out" | jq -r '.[] | select(.channel == "broken") | .ok')" false &&
	[ "$(sql r 'SELECT count(*) FROM message')" -gt 0 ]
}
check 7014 "connection refused on one channel: logged, retried with back-off; the others go on" t7014

t7015() {
	dv_conf
	pid=$(cat "$DV/run/master.pid")
	kill -STOP "$pid"
	ESCALATOR_IMAP_TIMEOUT=2 pl st --retries 0 >/dev/null
	rc=$?
	kill -CONT "$pid"
	eq $rc 75 &&
	grep -q 'channel=support host=127.0.0.1 event=timeout error="no reply within 2s during the greeting"' \
	    "$TMP/poll.err"
}
check 7015 "a stalled server: every read has a timeout" t7015

t7016() {
	# A server that answers nonsense (perl is in every Debian).
	port=$((DV_PORT + 1))
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
		    Listen => 1, ReuseAddr => 1) or die "listen: $!";
		print "ready\n"; $| = 1;
		my $c = $s->accept or exit 1;
		print $c "* OK fake server ready\r\n";
		my $l = <$c>;
		print $c "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n\x01\x02 garbage\r\n";
		sleep 1;' "$port" > "$TMP/fake.out" 2>&1 &
	fpid=$!
	i=0; while ! grep -q ready "$TMP/fake.out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	dv_conf
	sed -i "s/127.0.0.1:$DV_PORT/127.0.0.1:$port/" "$TMP/esc.conf"
	pl m --retries 0 >/dev/null
	rc=$?
	kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
	eq $rc 75 &&
	grep -q 'channel=support host=127.0.0.1 event=protocol-error error="malformed server response during' \
	    "$TMP/poll.err"
}
check 7016 "a malformed server response: one clear line naming what failed" t7016

t7017() {
	dv_user bulk@example.com
	dv_mkbox Old
	cp "$D/7001-question.eml" "$(dv_dir Old)/new/1.M1P9.old" &&
	cp "$D/7005-question.eml" "$(dv_dir Old)/new/2.M2P9.new" &&
	touch -d 2026-10-01 "$(dv_dir Old)/new/1.M1P9.old" && dv_own
	dv_user support@example.com
	dv_user bulk@example.com; dv_conf since 2026-11-01; dv_user support@example.com
	sed -i 's|/INBOX"|/Old"|' "$TMP/esc.conf"
	out=$(pl o) || { cat "$TMP/poll.err"; return 1; }
	eq "$(echo "$out" | jq -r '.[0].read')" 1 &&
	eq "$(sql o 'SELECT message_id FROM message')" q3@third.example
}
check 7017 "since DATE skips older mail (UID SEARCH SINCE)" t7017

t7018() {
	# XOAUTH2 on the wire, against a fake server that records what it got
	# and refuses the token the way Gmail does (a JSON challenge, then NO).
	port=$((DV_PORT + 2))
	perl -MIO::Socket::INET -MMIME::Base64 -e '
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
		    Listen => 1, ReuseAddr => 1) or die "listen: $!";
		open(my $log, ">", $ARGV[1]) or die; select($log); $| = 1; select(STDOUT);
		print "ready\n"; $| = 1;
		my $c = $s->accept or exit 1;
		print $c "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] fake\r\n";
		while (my $l = <$c>) {
			$l =~ s/\r?\n$//;
			my ($tag, $cmd, $mech, $ir) = split / /, $l;
			if (uc $cmd eq "AUTHENTICATE") {
				print $log "$mech ", decode_base64($ir), "\n";
				print $c "+ ", encode_base64("{\"status\":\"401\"}", ""), "\r\n";
				my $ack = <$c>;
				$ack =~ s/\r?\n$//;
				print $log "ack [$ack]\n";
				print $c "$tag NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n";
			} else {
				print $c "$tag BAD unexpected\r\n";
			}
		}' "$port" "$TMP/xoauth.log" > "$TMP/fake.out" 2>&1 &
	fpid=$!
	i=0; while ! grep -q ready "$TMP/fake.out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	printf 'ya29.secret-token\n' > "$TMP/token" && chmod 600 "$TMP/token"
	{
		echo "channel gmail imap {"
		echo "  url \"imap://127.0.0.1:$port/INBOX\""
		echo "  user \"support@example.com\""
		echo "  oauth-token-file \"$TMP/token\""
		echo "  tls none"
		echo "}"
	} > "$TMP/esc.conf"
	pl x >/dev/null
	rc=$?
	kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
	printf 'XOAUTH2 user=support@example.com\001auth=Bearer ya29.secret-token\001\001\nack []\n' \
	    > "$TMP/xoauth.want"
	eq $rc 78 && cmp "$TMP/xoauth.want" "$TMP/xoauth.log" &&
	grep -q 'channel=gmail host=127.0.0.1 event=auth-failed error="authentication as .support@example.com. with XOAUTH2 refused: Invalid credentials' \
	    "$TMP/poll.err" && ! grep -q secret-token "$TMP/poll.err"
}
check 7018 "XOAUTH2: the bearer token from its file, sent as Gmail expects, never logged" t7018

t7019() {
	dv_user support@example.com
	dv_conf
	pl i >/dev/null || return 1
	sed 's/q3@third.example/q9@third.example/; s/Where is my order/Late parcel/' \
	    "$D/7005-question.eml" > "$TMP/q9.eml"
	start=$(date +%s)
	(pl i --idle 20 > "$TMP/idle.out"; echo $? > "$TMP/idle.rc") &
	bg=$!
	sleep 1
	dv_put INBOX "$TMP/q9.eml"
	wait $bg
	took=$(( $(date +%s) - start ))
	eq "$(cat "$TMP/idle.rc")" 0 && [ $took -lt 15 ] &&
	eq "$(jq -r '.[0].woken' "$TMP/idle.out")" true &&
	eq "$(jq -r '.[0].stored' "$TMP/idle.out")" 1
}
check 7019 "poll --idle waits on IMAP IDLE and reads the news as soon as it comes" t7019

t7020() {
	# The connection closes in the middle of a message literal: libetpan
	# 1.9.4 spun forever on a read of 0 bytes there.
	port=$((DV_PORT + 3))
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
		    Listen => 1, ReuseAddr => 1) or die "listen: $!";
		print "ready\n"; $| = 1;
		my $c = $s->accept or exit 1;
		$c->autoflush(1);
		print $c "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] fake\r\n";
		while (my $l = <$c>) {
			my ($tag, $cmd, $arg) = split / /, $l;
			$cmd = uc $cmd;
			if ($cmd eq "CAPABILITY") {
				print $c "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n$tag OK done\r\n";
			} elsif ($cmd eq "EXAMINE" || $cmd eq "SELECT") {
				print $c "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 2] x\r\n",
				    "$tag OK [READ-ONLY] done\r\n";
			} elsif ($cmd eq "UID" && $l =~ /RFC822\.SIZE/) {
				print $c "* 1 FETCH (UID 1 RFC822.SIZE 1000)\r\n$tag OK done\r\n";
			} elsif ($cmd eq "UID") {
				print $c "* 1 FETCH (UID 1 FLAGS () BODY[] {1000}\r\n",
				    "From: a\@b.example\r\nSubject: cut short\r\n\r\nonly a part\r\n";
				close $c; exit 0;
			} else {
				print $c "$tag OK done\r\n";
			}
		}' "$port" > "$TMP/fake.out" 2>&1 &
	fpid=$!
	i=0; while ! grep -q ready "$TMP/fake.out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	dv_conf
	sed -i "s/127.0.0.1:$DV_PORT/127.0.0.1:$port/" "$TMP/esc.conf"
	ESCALATOR_IMAP_TIMEOUT=5 timeout 30 "$ESCALATOR" -c "$TMP/esc.conf" --db "$TMP/e.db" \
	    poll --retries 0 >/dev/null 2>"$TMP/poll.err"
	rc=$?
	kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
	eq $rc 75 &&
	grep -q 'event=disconnected error="server closed the connection during UID FETCH"' \
	    "$TMP/poll.err" &&
	eq "$(sql e "SELECT count(*) FROM message")" 0
}
check 7020 "the server closes mid-message: a clear failure at once, not a spin" t7020

# peer_start [imap-peer.pl OPTIONS...]: the scripted server on $TMP/peer
# (tests/imap-peer.pl), its port in PEER_PORT; peer_conf writes the
# channel for it; peer_stop ends it.
peer_start() {
	rm -f "$TMP/peer.port"
	mkdir -p "$TMP/peer"
	perl "$top_srcdir/tests/imap-peer.pl" --trace "$TMP/peer.trace" "$@" \
	    "$TMP/peer.port" "$TMP/peer" 2>"$TMP/peer.err" &
	PEER_PID=$!
	i=0
	while [ ! -s "$TMP/peer.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	PEER_PORT=$(cat "$TMP/peer.port" 2>/dev/null)
	[ -n "$PEER_PORT" ] || { cat "$TMP/peer.err"; return 1; }
}
peer_stop() { kill "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null; }
peer_conf() {
	dv_conf "$@"
	sed -i "s/127.0.0.1:$DV_PORT/127.0.0.1:$PEER_PORT/" "$TMP/esc.conf"
}

t7021() {
	# GNU Mailutils imap4d answers BAD to a UID set with an element that
	# matches no message: an expunged UID among the open tickets' flags,
	# a window of UIDs that were all expunged before the poll.
	peer_start --strict-sets || return 1
	P=$TMP/peer
	cp "$D/7001-question.eml" "$P/1.eml" && cp "$D/7002-question.eml" "$P/2.eml" &&
	cp "$D/7005-question.eml" "$P/3.eml" &&
	sed 's/q3@third.example/q6@third.example/; s/Where is my order/Broken zip/' \
	    "$D/7005-question.eml" > "$P/5.eml"
	peer_conf
	out=$(pl p) || { cat "$TMP/poll.err"; peer_stop; return 1; }
	eq "$(echo "$out" | jq -r '.[0].stored')" 4 || { peer_stop; return 1; }
	# 5 is moved away, 6 and 7 came and went: "1:3,5" and "6:7" name none.
	rm "$P/5.eml" && echo 8 > "$P/uidnext" && echo '\Answered' > "$P/1.flags" &&
	: > "$TMP/peer.trace"
	out=$(pl p)
	rc=$?
	sed 's/q3@third.example/q7@third.example/; s/Where is my order/Lost key/' \
	    "$D/7005-question.eml" > "$P/8.eml" && echo 9 > "$P/uidnext"
	out2=$(pl p)
	rc2=$?
	peer_stop
	t=$(ticket_of p q1@customer.example)
	eq $rc 0 && eq "$(echo "$out" | jq -r '.[0].answered')" 1 &&
	eq "$(q p "map(select(.id == $t))[0].status")" open &&
	grep -q 'UID FETCH 6:7 (UID RFC822.SIZE)' "$TMP/peer.trace" &&
	grep -q 'UID SEARCH UID 6:7' "$TMP/peer.trace" &&
	grep -q 'UID SEARCH UID 1:3,5' "$TMP/peer.trace" &&
	eq $rc2 0 && eq "$(echo "$out2" | jq -r '.[0].stored')" 1 &&
	eq "$(sql p "SELECT value FROM cursor WHERE source = 'INBOX'")" 1:8
}
check 7021 "a server that refuses UID sets naming expunged messages (imap4d): UID SEARCH first" t7021

t7022() {
	# Mailbox names travel in modified UTF-7 (RFC 3501 5.1.3): a French
	# Exchange's "Éléments envoyés", a "R&D" done folder.
	dv_user tls@example.com
	dv_put INBOX "$D/7001-question.eml" &&
	dv_put 'Envoy&AOk-s' "$D/7003-agent-reply.eml" &&
	dv_put 'R&-D' "$D/7002-question.eml" &&
	dv_conf sent '"Envoyés"' done '"R&D"' agents '"northwind.example.com"'
	dv_user support@example.com
	out=$(pl n) || { cat "$TMP/poll.err"; return 1; }
	! grep -q mailbox-missing "$TMP/poll.err" &&
	eq "$(echo "$out" | jq -r '.[0].joined')" 1 && eq "$(echo "$out" | jq -r '.[0].resolved')" 1 &&
	eq "$(sql n "SELECT count(*) FROM cursor WHERE source IN ('Envoyés', 'R&D')")" 2 &&
	sed -i 's/"Envoyés"/"Envoy\&AOk-s"/' "$TMP/esc.conf" &&
	pl n >/dev/null && ! grep -q mailbox-missing "$TMP/poll.err" &&
	eq "$(sql n "SELECT count(*) FROM cursor WHERE source = 'Envoy&AOk-s'")" 1
}
check 7022 "sent and done folders with non-ASCII names and '&' are named in modified UTF-7" t7022

t7023() {
	# Cyrus 3.6 without idled and Courier-IMAP 5.0 without FAM look for
	# new mail every 60 s during IDLE, and a shorter IDLE hears of it only
	# in the answer to DONE.
	peer_start --idle-at-done || return 1
	P=$TMP/peer
	rm -f "$P"/*
	cp "$D/7001-question.eml" "$P/1.eml"
	peer_conf
	pl dn >/dev/null || { cat "$TMP/poll.err"; peer_stop; return 1; }
	(pl dn --idle 3 > "$TMP/idle.out"; echo $? > "$TMP/idle.rc") &
	bg=$!
	sleep 1
	cp "$D/7002-question.eml" "$P/2.eml"
	wait $bg
	peer_stop
	eq "$(cat "$TMP/idle.rc")" 0 && grep -q '^[0-9]* IDLE$' "$TMP/peer.trace" &&
	eq "$(jq -r '.[0].woken' "$TMP/idle.out")" true &&
	eq "$(jq -r '.[0].stored' "$TMP/idle.out")" 1
}
check 7023 "IDLE: new mail the server reports only in its answer to DONE wakes the poll (Cyrus, Courier)" t7023

t7024() {
	# Courier-IMAP 5.0 keeps the UIDs of a Maildir no client has selected
	# only for the session: every EXAMINE a new UIDVALIDITY, so every poll
	# fetched the whole mailbox again.  The first new UIDVALIDITY makes a
	# SELECT, once: that poll reads the mailbox again (nothing stored
	# twice), the ones after it fetch only news.
	peer_start --uids-on-select || return 1
	P=$TMP/peer
	rm -f "$P"/*
	cp "$D/7001-question.eml" "$P/1.eml" && cp "$D/7002-question.eml" "$P/2.eml"
	peer_conf
	: > "$TMP/peer.trace"
	a=$(pl us) || { cat "$TMP/poll.err"; peer_stop; return 1; }
	b=$(pl us)
	rc=$?
	c0=$(pl us)
	rc0=$?
	cp "$D/7005-question.eml" "$P/3.eml"
	c=$(pl us)
	rc2=$?
	peer_stop
	eq "$(echo "$a" | jq -r '.[0].stored')" 2 && eq $rc 0 &&
	eq "$(echo "$b" | jq -r '.[0].stored')" 0 && eq "$(echo "$b" | jq -r '.[0].resyncs')" 1 &&
	eq $rc0 0 && eq "$(echo "$c0" | jq -r '.[0].read')" 0 &&
	eq "$(echo "$c0" | jq -r '.[0].resyncs')" 0 &&
	eq $rc2 0 && eq "$(echo "$c" | jq -r '.[0].read')" 1 &&
	eq "$(grep -c uidvalidity-changed "$TMP/poll.err")" 0 &&
	eq "$(grep -c '^[0-9]* SELECT INBOX$' "$TMP/peer.trace")" 1 &&
	eq "$(sql us "SELECT count(*) FROM message")" 3 &&
	eq "$(sql us "SELECT value FROM cursor WHERE source = 'INBOX'")" "$(cat "$P/uidvalidity"):3"
}
check 7024 "a server that keeps UIDs only under SELECT (Courier): SELECT once at the first new UIDVALIDITY, later polls fetch only news" t7024

# A Courier-like peer's Maildir: UIDVALIDITY 7 (a human's client has
# selected it), UID 1 taken, and new/ for deliveries that have no UID yet.
courier_box() {
	P=$TMP/peer
	rm -rf "$P"/*
	mkdir "$P/new"
	echo 7 > "$P/uidvalidity"
	cp "$D/7001-question.eml" "$P/1.eml"
}

t7026() {
	# Courier-IMAP 5.0 numbers mail no client has selected for the session
	# only, in the order of the Maildir file names, from the next UID it
	# has written down.  Under EXAMINE, C (fetched as UID 2) became UID 3
	# once B, whose name sorts first, arrived: B took UID 2, below the
	# cursor, and was never fetched; a message removed outside IMAP left
	# its UID to the next one.  Courier names itself in the greeting, and
	# is always opened with SELECT, which writes the UIDs down.
	peer_start --uids-on-select --greeting "Courier-IMAP ready. Copyright 1998-2019 Double Precision, Inc.  See COPYING for distribution information." || return 1
	courier_box
	sed 's/q3@third.example/q6@third.example/; s/Where is my order/Broken zip/' \
	    "$D/7005-question.eml" > "$TMP/7026-d.eml"
	peer_conf
	: > "$TMP/peer.trace"
	a=$(pl cs) || { cat "$TMP/poll.err"; peer_stop; return 1; }
	cp "$D/7002-question.eml" "$P/new/1005.M9P1.c.example" && b=$(pl cs) &&
	cp "$D/7005-question.eml" "$P/new/1005.M10P2.b.example" && c=$(pl cs) &&
	rm $(grep -l 'q2@other.example' "$P"/*.eml "$P"/new/*) &&
	cp "$TMP/7026-d.eml" "$P/new/1006.M1P3.d.example" && d=$(pl cs)
	rc=$?
	peer_stop
	eq $rc 0 &&
	eq "$(echo "$a" | jq -r '.[0].stored')" 1 && eq "$(echo "$b" | jq -r '.[0].stored')" 1 &&
	eq "$(echo "$c" | jq -r '.[0].stored')" 1 && eq "$(echo "$d" | jq -r '.[0].stored')" 1 &&
	eq "$(sql cs "SELECT count(*) FROM message")" 4 &&
	eq "$(grep -c '^[0-9]* EXAMINE' "$TMP/peer.trace")" 0 &&
	eq "$(grep -c '^[0-9]* SELECT INBOX$' "$TMP/peer.trace")" 4 &&
	eq "$(sql cs "SELECT value FROM cursor WHERE source = 'INBOX'")" 7:4
}
check 7026 "Courier-IMAP numbers unselected mail per session: SELECT, never EXAMINE, so no UID names two messages" t7026

t7027() {
	# The same Courier behind a proxy whose greeting names the proxy: no
	# UIDNEXT (RFC 3501 wants it; Courier leaves it out) is the sign,
	# and the mailbox is SELECTed from then on, the first time at once.
	peer_start --uids-on-select --no-uidnext --greeting "IMAP4 proxy ready" || return 1
	courier_box
	peer_conf
	: > "$TMP/peer.trace"
	a=$(pl np) || { cat "$TMP/poll.err"; peer_stop; return 1; }
	cp "$D/7002-question.eml" "$P/new/1005.M9P1.c.example" && b=$(pl np) &&
	cp "$D/7005-question.eml" "$P/new/1005.M10P2.b.example" && c=$(pl np)
	rc=$?
	peer_stop
	eq $rc 0 &&
	eq "$(echo "$a" | jq -r '.[0].stored')" 1 && eq "$(echo "$b" | jq -r '.[0].stored')" 1 &&
	eq "$(echo "$c" | jq -r '.[0].stored')" 1 &&
	eq "$(sql np "SELECT count(*) FROM message")" 3 &&
	# each poll a process of its own: EXAMINE shows no UIDNEXT, SELECT
	eq "$(grep -c '^[0-9]* EXAMINE INBOX$' "$TMP/peer.trace")" 3 &&
	eq "$(grep -c '^[0-9]* SELECT INBOX$' "$TMP/peer.trace")" 3 &&
	eq "$(sql np "SELECT value FROM cursor WHERE source = 'INBOX'")" 7:3
}
check 7027 "a server without UIDNEXT (Courier behind a proxy) is opened with SELECT: no UID names two messages" t7027

t7028() {
	# Courier with a sent and a done folder that do not exist, then IDLE:
	# a refused SELECT of a folder falls back to EXAMINE and is a
	# mailbox-missing warning, not a failure; IDLE waits on INBOX
	# EXAMINEd (the last folder left it unselected), and the poll it wakes
	# SELECTs INBOX again before reading UIDs, so the delivery made during
	# IDLE, numbered for that session only, is stored under its lasting UID.
	peer_start --uids-on-select --idle-at-done --greeting "Courier-IMAP ready." || return 1
	courier_box
	peer_conf sent '"Sent"' done '"Done"'
	pl ci >/dev/null || { cat "$TMP/poll.err"; peer_stop; return 1; }
	: > "$TMP/peer.trace"
	(pl ci --idle 4 > "$TMP/idle.out"; echo $? > "$TMP/idle.rc") &
	bg=$!
	sleep 1.5
	cp "$D/7002-question.eml" "$P/new/1005.M9P1.c.example"
	wait $bg
	peer_stop
	eq "$(cat "$TMP/idle.rc")" 0 &&
	eq "$(jq -r '.[0].woken' "$TMP/idle.out")" true &&
	eq "$(jq -r '.[0].stored' "$TMP/idle.out")" 1 &&
	# warned once per folder and process
	eq "$(grep -c 'event=mailbox-missing' "$TMP/poll.err")" 2 &&
	eq "$(grep -c '^[0-9]* EXAMINE INBOX$' "$TMP/peer.trace")" 1 &&
	eq "$(grep -c '^[0-9]* SELECT INBOX$' "$TMP/peer.trace")" 2 &&
	eq "$(grep -c '^[0-9]* SELECT Sent$' "$TMP/peer.trace")" 2 &&
	eq "$(grep -c '^[0-9]* EXAMINE Sent$' "$TMP/peer.trace")" 2 &&
	grep -A1 '^[0-9]* EXAMINE INBOX$' "$TMP/peer.trace" | grep -q '^[0-9]* IDLE$' &&
	eq "$(sql ci "SELECT group_concat(external_id, ' ') FROM (SELECT external_id FROM message ORDER BY id)")" \
	    "7/1@INBOX 7/2@INBOX" &&
	eq "$(cat "$P/uidnext")" 3 &&
	eq "$(sql ci "SELECT value FROM cursor WHERE source = 'INBOX'")" 7:2
}
check 7028 "Courier with missing sent and done folders, then IDLE: SELECT falls back, the delivery during IDLE is stored once" t7028

# A first sync on a terminal shows a progress line (count, rate, share of
# the mailbox) that is erased before the summary; without one, nothing.
t7025() {
	dv_user bulk@example.com
	dv_gen Progress 1500
	dv_conf
	sed -i "s|/INBOX\"|/Progress\"|" "$TMP/esc.conf" &&
	script -qc "$ESCALATOR -c $TMP/esc.conf --db $TMP/pg.db --now $NOW poll" /dev/null \
	    >"$TMP/tty.out" 2>&1
	rc=$?
	esc -c "$TMP/esc.conf" --db "$TMP/pg2.db" --now $NOW poll >"$TMP/plain.out" 2>"$TMP/plain.err"
	rc2=$?
	dv_user support@example.com
	dv_conf
	tr '\r' '\n' <"$TMP/tty.out" >"$TMP/tty.lines"
	eq $rc 0 && eq $rc2 0 &&
	grep -Eq '^poll: support: [0-9]+ messages, [0-9]+/s, +[0-9]+%' "$TMP/tty.lines" &&
	grep -q '^.\[Kpoll: support: 1500 read, 1500 stored' "$TMP/tty.lines" &&
	! grep -q 'messages, ' "$TMP/plain.err" && grep -q '^poll: support: 1500 read' "$TMP/plain.out"
}
check 7025 "a first sync on a terminal shows its progress, erased before the summary; none without one" t7025

done_testing
