#!/bin/sh
# t-cli.sh -- the command line's contract: help, usage errors and exit
# codes (sysexits), the JSON field names scripts rely on, and the demo.
# Cases 0xxx.
. "$top_srcdir/tests/lib.sh"
NOW=2026-11-20T12:00:00Z

code() { "$@" >"$TMP/o" 2>"$TMP/e"; echo $?; }
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; cat "$TMP/e" 2>/dev/null; return 1; }; }

check 0001 "--help lists the commands and exits 0" \
	sh -c '"$ESCALATOR" --help | grep -q "^  import "'
check 0002 "no command is a usage error (64)" sh -c '"$ESCALATOR" 2>/dev/null; [ $? -eq 64 ]'

t0003() { eq "$(code esc frobnicate)" 64 && grep -q "unknown command 'frobnicate'" "$TMP/e"; }
check 0003 "an unknown command exits 64 and names it" t0003

t0004() {
	for c in import queue show; do
		eq "$(code esc "$c" --help)" 0 || return 1
		grep -q "^usage: escalator" "$TMP/o" || return 1
	done
}
check 0004 "every command has --help" t0004

t0005() { eq "$(code esc --now yesterday queue)" 64 && grep -q "invalid --now 'yesterday'" "$TMP/e"; }
check 0005 "a bad --now is a usage error" t0005

# A database without tickets: one auto-reply imported.
esc -q --db "$TMP/e.db" import "$TESTDATA/2015-x-autoreply.eml" 2>/dev/null
t0006() { eq "$(code esc --db "$TMP/e.db" show 42)" 65 && grep -q "no ticket 42" "$TMP/e"; }
check 0006 "show of an unknown ticket exits 65" t0006

t0007() { eq "$(code esc --db "$TMP/e.db" queue)" 0 && grep -q "no open tickets" "$TMP/o"; }
check 0007 "an empty queue says so" t0007

t0008() {
	printf 'not a database, just text\n%.0s' $(seq 1 200) > "$TMP/junk.db"
	eq "$(code esc --db "$TMP/junk.db" queue)" 74 && grep -q "junk.db" "$TMP/e"
}
check 0008 "a file that is not a database is named in the error" t0008

t0009() { eq "$(code esc --db /nonexistent-dir/x.db import "$TESTDATA/7001-question.eml")" 74 && grep -q "/nonexistent-dir/x.db" "$TMP/e"; }
check 0009 "an unwritable database path is named in the error" t0009

t0010() { eq "$(code esc show 12abc)" 64; }
check 0010 "show needs a ticket number" t0010

# A mistyped --db must not look like an empty queue, nor leave a file.
t0011() {
	for cmd in queue "show 1" digest; do
		# shellcheck disable=SC2086
		eq "$(code esc --db "$TMP/typo.db" $cmd)" 66 &&
		grep -q "no database at '$TMP/typo.db'" "$TMP/e" && [ ! -e "$TMP/typo.db" ] ||
		return 1
	done
}
check 0011 "queue, show and digest of a missing database: exit 66, nothing created" t0011

# What a customer wrote reaches a terminal without its escape sequences
# (clear the screen, set the clipboard or the title) or bidi overrides.
t0012() {
	esc -q --db "$TMP/x.db" import "$TESTDATA/0012-terminal-escapes.eml" &&
	esc --db "$TMP/x.db" show 1 >"$TMP/show.txt" && esc --db "$TMP/x.db" queue >>"$TMP/show.txt" &&
	! grep -q "$(printf '\033')" "$TMP/show.txt" && ! grep -q "$(printf '\342\200\256')" "$TMP/show.txt" &&
	grep -q "^My order is late.\[2J\]52;c;ZWNobyBvd25lZA== Please check.$" "$TMP/show.txt" &&
	grep -q "^\]0;new titleThanks$" "$TMP/show.txt" &&
	esc --db "$TMP/x.db" show --json 1 | jq -e '.messages[0].text | contains("\u001b[2J")' >/dev/null
}
check 0012 "show and queue print customer text without terminal controls; --json keeps it" t0012

t0013() {
	printf 'channel reviews feed { url "https://example.com/a.atom" }\nchannel news feed { url "https://example.com/b.rss" }\n' >"$TMP/ch.conf" &&
	eq "$(code esc -c "$TMP/ch.conf" --db "$TMP/ch.db" poll review)" 64 &&
	grep -q "no channel 'review' in '$TMP/ch.conf' (it has 'reviews', 'news')" "$TMP/e"
}
check 0013 "poll of an unknown channel names the channels there are" t0013

# The demo: the bundled sample, twice; the second import adds nothing.
DEMO="$top_srcdir/examples/demo/support.mbox"
t0020() {
	a=$(esc --db "$TMP/demo.db" --now $NOW import --json "$DEMO") &&
	b=$(esc --db "$TMP/demo.db" --now $NOW import --json "$DEMO") &&
	eq "$(echo "$b" | jq -r .stored)" 0 &&
	eq "$(echo "$b" | jq -r .already_present)" "$(echo "$a" | jq -r .stored)" &&
	eq "$(echo "$b" | jq -r .tickets_opened)" 0
}
check 0020 "importing the demo twice adds nothing" t0020

t0021() {
	esc --db "$TMP/demo.db" --now $NOW queue --json > "$TMP/q.json" &&
	jq -e 'length > 5 and all(.[]; has("id") and has("status") and has("priority") and
	    has("tier") and has("department") and has("channel") and has("public") and
	    has("customer") and has("subject") and has("created") and has("messages"))' \
	    "$TMP/q.json" >/dev/null &&
	jq -e 'all(.[]; .created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))' \
	    "$TMP/q.json" >/dev/null
}
check 0021 "queue --json has the documented fields" t0021

t0022() {
	id=$(jq -r '.[0].id' "$TMP/q.json")
	esc --db "$TMP/demo.db" show --json "$id" > "$TMP/s.json" &&
	jq -e 'has("messages") and has("events") and (.messages | length > 0) and
	    all(.messages[]; has("message_id") and has("direction") and has("from") and
	    has("subject") and has("date") and has("public") and has("auto"))' "$TMP/s.json" >/dev/null
}
check 0022 "show --json has the documented fields" t0022

t0023() {
	n_open=$(esc --db "$TMP/demo.db" --now $NOW queue --json | jq length)
	n_all=$(esc --db "$TMP/demo.db" --now $NOW queue --all --json | jq length)
	[ "$n_all" -ge "$n_open" ]
}
check 0023 "queue --all includes every ticket" t0023

t0024() {
	esc --db "$TMP/demo.db" --now $NOW queue > "$TMP/q.txt" &&
	head -1 "$TMP/q.txt" | grep -q "PRIO" && [ "$(wc -l < "$TMP/q.txt")" -gt 5 ]
}
check 0024 "the text queue has a header and rows" t0024

t0030() {
	printf 'channel support mbox {\n  agents "northwind.example.com"\n}\n' > "$TMP/c.conf"
	esc -c "$TMP/c.conf" --db "$TMP/c.db" import --channel support \
	    "$TESTDATA/3001-references.mbox" >/dev/null &&
	eq "$(esc --db "$TMP/c.db" show --json 1 | jq -r '[.messages[].direction] | join(",")')" in,out,in &&
	eq "$(esc --db "$TMP/c.db" show --json 1 | jq -r .channel)" support
}
check 0030 "import uses the agents of the configured channel named by --channel" t0030

t0031() {
	printf 'chanel x\n' > "$TMP/bad.conf"
	eq "$(code esc -c "$TMP/bad.conf" --db "$TMP/c.db" queue)" 78 &&
	grep -q "bad.conf:1:1: unknown keyword 'chanel'" "$TMP/e"
}
check 0031 "a wrong configuration given with -c stops every command (78)" t0031

t0032() {
	printf 'database "%s"\n' "$TMP/from-conf.db" > "$TMP/db.conf"
	esc -q -c "$TMP/db.conf" import "$TESTDATA/7001-question.eml" && [ -f "$TMP/from-conf.db" ] &&
	esc -c "$TMP/db.conf" queue >/dev/null
}
check 0032 "the configuration's database is used without --db" t0032

done_testing
