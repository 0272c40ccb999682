#!/bin/sh
# t-run.sh -- the daemon: `escalator run -f` against a private Dovecot
# (tests/imap-lib.sh) polls a ticket in, hears new mail through IDLE
# between polls, survives a SIGHUP with a broken configuration (logging
# the error, keeping the old one), reloads a good one, and exits 0 within
# 5 s of SIGTERM.  Cases 0200-0299.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/imap-lib.sh"
D=$TESTDATA

reason=$(dv_skip_reason)
if [ -n "$reason" ]; then
	skip "0200 daemon tests: $reason"
	done_testing
	exit 0
fi
if ! dv_start 2>"$TMP/dv.err"; then
	skip "0200 daemon tests: dovecot cannot start here: $(head -3 "$TMP/dv.err" | tr '\n' ' ')"
	done_testing
	exit 0
fi
PID=
stop_daemon() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; PID=; }
trap 'stop_daemon; dv_stop; rm -rf "$TMP"' EXIT
trap 'exit 1' HUP INT TERM

LOG=$TMP/run.log
tickets() { sqlite3 "$TMP/run.db" "SELECT count(*) FROM ticket" 2>/dev/null || echo 0; }
# until SECONDS COMMAND...: true once COMMAND succeeds, checked every 0.1 s
until_ok() {
	t=$(($1 * 10)); shift
	while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.1; t=$((t - 1)); done
	return 1
}
alive() { kill -0 "$PID" 2>/dev/null; }
has_tickets() { [ "$(tickets)" -ge "$1" ]; }
logged() { grep -q "$1" "$LOG"; }

# A long poll interval: news before it can only come through IDLE.
dv_conf poll 10m
cp "$TMP/esc.conf" "$TMP/good.conf"
dv_put INBOX "$D/7001-question.eml"
"$ESCALATOR" -c "$TMP/esc.conf" --db "$TMP/run.db" run -f 2>"$LOG" &
PID=$!

t0200() {
	until_ok 10 has_tickets 1 && alive && logged 'channel=support event=polled'
}
check 0200 "run polls the channel: a ticket appears, one key=value line" t0200

t0201() {
	dv_put INBOX "$D/7002-question.eml" && until_ok 8 has_tickets 2
}
check 0201 "news arrives through IDLE before the poll interval" t0201

t0202() {
	printf 'channel broken imap {\n  nonsense yes\n}\n' >>"$TMP/esc.conf" &&
	kill -HUP "$PID" && until_ok 5 logged 'event=reload-failed' && sleep 0.3 && alive &&
	logged 'esc.conf:[0-9]*:[0-9]*:'
}
check 0202 "SIGHUP with a broken configuration logs the error and keeps running" t0202

t0203() {
	cp "$TMP/good.conf" "$TMP/esc.conf" && kill -HUP "$PID" &&
	until_ok 5 logged 'event=reloaded' && alive
}
check 0203 "SIGHUP with a good configuration reloads it" t0203

t0204() {
	kill -TERM "$PID" || return 1
	start=$(date +%s)
	wait "$PID"; rc=$?
	PID=
	end=$(date +%s)
	[ "$rc" -eq 0 ] && [ $((end - start)) -le 5 ] && logged 'event=stopped' ||
	{ echo "rc=$rc after $((end - start))s"; cat "$LOG"; return 1; }
}
check 0204 "SIGTERM: exit 0 within 5 s" t0204

t0205() {
	dvpid=$(cat "$DV/run/master.pid")
	kill -STOP "$dvpid"
	"$ESCALATOR" -c "$TMP/good.conf" --db "$TMP/run2.db" run -f >"$TMP/run2.log" 2>&1 &
	PID=$!
	sleep 1.5
	kill -TERM "$PID"
	start=$(date +%s)
	wait "$PID"; rc=$?
	PID=
	end=$(date +%s)
	kill -CONT "$dvpid"
	[ "$rc" -eq 0 ] && [ $((end - start)) -le 5 ] ||
	{ echo "rc=$rc after $((end - start))s"; cat "$TMP/run2.log"; return 1; }
}
check 0205 "SIGTERM while a server stalls mid-read: exit 0 within 5 s, not after the read timeout" t0205

done_testing
