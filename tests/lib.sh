# lib.sh -- shared by the shell tests: TAP output, a private temporary
# directory removed on exit, and case selection by `make check T="..."`.
# Sourced; expects $ESCALATOR and $TESTDATA from the test environment.
set -u
TMP=$(mktemp -d "${TMPDIR:-/tmp}/escalator-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export ESCALATOR_LEXICON="${ESCALATOR_LEXICON:-}"
n=0

# selected NUM: true when case NUM was asked for in $T, or $T is empty
selected() {
	[ -z "${T:-}" ] && return 0
	for t in $T; do [ "$t" = "$1" ] && return 0; done
	return 1
}
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
# check NUM DESCRIPTION COMMAND...: runs COMMAND, ok if it succeeds
check() {
	local num=$1 desc=$2; shift 2
	selected "$num" || return 0
	if "$@" >"$TMP/out" 2>"$TMP/err"; then ok "$num $desc"
	else not_ok "$num $desc"; sed 's/^/# /' "$TMP/out" "$TMP/err" | head -40; fi
}
done_testing() { echo "1..$n"; }
esc() { "$ESCALATOR" "$@"; }
