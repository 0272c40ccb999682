#!/bin/sh
# t-docs.sh -- the documentation says what the program does: commands and
# options of escalator(1) against --help and the option parsers, keywords
# of escalator.conf(5) against the configuration parser, the shipped
# sample configuration, --json field names against real output of the
# demo, exit codes against <sysexits.h>.  tests/docs-check.py does the
# comparing from the structure of the mdoc source, never its prose.
# Cases 04xx.
. "$top_srcdir/tests/lib.sh"
NOW=2026-11-20T12:00:00Z
DOCS="python3 $top_srcdir/tests/docs-check.py"
export TMP

check 0401 "every command of --help has an item in escalator.1, and back" $DOCS commands
check 0402 "every option of --help is documented; every documented one is taken" $DOCS options
check 0403 "the parser's keywords, per block and channel kind, are escalator.conf.5's" \
	$DOCS conf-keywords
check 0404 "every keyword escalator.conf.5 documents is taken where it says" $DOCS conf-parses
check 0405 "EXAMPLES of escalator.conf.5 is examples/escalator.conf" $DOCS conf-example

# The sample with its placeholder secrets, as make install ships it.
t0406() {
	cp -R "$top_srcdir/examples" "$TMP/ex" && chmod 600 "$TMP/ex/secrets/"* &&
	esc -c "$TMP/ex/escalator.conf" check-config >"$TMP/cc.out" 2>&1 &&
	grep -q "configuration OK" "$TMP/cc.out" &&
	esc -c "$top_srcdir/examples/demo/demo.conf" check-config >/dev/null
}
check 0406 "examples/escalator.conf and the demo's configuration pass check-config" t0406

check 0409 "the configuration snippets of README.md parse" $DOCS readme-conf
check 0407 "EXIT STATUS lists the sysexits codes the program uses" $DOCS exit-codes
check 0408 "ENVIRONMENT lists the variables the program reads" $DOCS environment

# Real --json output from the demo, with an SMTP server that is away and a
# daily digest, so that every command has something to say.
# The include is read relative to $TMP: the source tree's absolute path.
SRC=$(cd "$top_srcdir" && pwd)
printf 'include "%s"\nsmtp "smtp://127.0.0.1:9" from "escalator@example.com"\ndigest daily 08:00 to "lead@example.com"\n' \
	"$SRC/examples/demo/demo.conf" >"$TMP/demo.conf"
printf 'channel r feed { url "http://127.0.0.1:9/a.atom" }\n' >"$TMP/poll.conf"
J="$TMP/json"
mkdir -p "$J"
demo() { ESCALATOR_LEXICON="$top_srcdir/data/lexicon.tsv" esc -q -c "$TMP/demo.conf" \
	--db "$TMP/demo.db" --now "$NOW" "$@"; }
{
	demo import --json --channel support "$top_srcdir/examples/demo/support.mbox" &&
	demo import --json --channel mentions "$top_srcdir/examples/demo/mentions.mbox"
} >"$J/import.json" 2>"$TMP/import.err"
demo sweep --json >"$J/sweep.json" 2>/dev/null
demo queue --all --json >"$J/queue.json" 2>/dev/null
for id in $(jq -r '.[].id' "$J/queue.json"); do demo show --json "$id"; done >"$J/show.json" 2>/dev/null
{ demo digest --json --since 7d; demo digest --json --since 7d --send; } >"$J/digest.json" 2>/dev/null
demo report --json >"$J/report.json" 2>/dev/null
demo send --json >"$J/send.json" 2>/dev/null
esc -q -c "$TMP/poll.conf" --db "$TMP/poll.db" --now "$NOW" poll --json --retries 0 >"$J/poll.json" 2>/dev/null
id=$(jq -r '.[0].id' "$J/queue.json")
{ demo note --json --as a@example.com "$id" looked at it; demo tag --json "$id" vip; } >"$J/note.json" 2>/dev/null
printf 'I want to speak to a manager, this is awful\nthanks!\n' |
	ESCALATOR_LEXICON="$top_srcdir/data/lexicon.tsv" esc sentiment --json >"$J/sentiment.json" 2>/dev/null

for c in import queue show poll digest report sweep send note sentiment; do
	case $c in
	import) num=0410 ;; queue) num=0411 ;; show) num=0412 ;; poll) num=0413 ;;
	digest) num=0414 ;; report) num=0415 ;; sweep) num=0416 ;; send) num=0417 ;;
	note) num=0418 ;; sentiment) num=0419 ;;
	esac
	# An empty file would pass anything: each must hold JSON.
	check "$num" "$c --json: the keys escalator.1 names are the keys it prints" \
		sh -c '[ -s "$1" ] && jq -e . "$1" >/dev/null && shift && "$@"' sh "$J/$c.json" \
		$DOCS json "$c" "$J/$c.json"
done

t0420() {
	for page in escalator.1 escalator.8 escalator.conf.5; do
		# Only references to manuals this machine lacks may be reported.
		mandoc -T lint "$top_srcdir/doc/$page" 2>&1 |
			grep -v "referenced manual not found\|outdated mandoc.db" >"$TMP/lint" || true
		[ -s "$TMP/lint" ] && { cat "$TMP/lint"; return 1; }
	done
	return 0
}
if command -v mandoc >/dev/null 2>&1; then
	check 0420 "mandoc -T lint finds nothing in the manual pages" t0420
else
	selected 0420 && skip "0420 mandoc is not installed"
fi

done_testing
