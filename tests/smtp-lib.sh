# smtp-lib.sh -- Postfix's smtp-sink on loopback for the shell tests that
# send mail (t-smtp.sh, t-digest.sh, t-autoreply.sh).  Sourced after
# lib.sh.  smtp-sink -d keeps each mail it receives as a file in $MAIL,
# its header block preceded by what the client said (X-Mail-Args: the
# MAIL FROM argument, X-Rcpt-Args: one per RCPT TO).
#   sink_required NUM   skips the whole script (as case NUM) when smtp-sink
#                       is missing, else readies $MAIL
#   start_sink          starts it on $PORT (a free port, chosen once)
#   stop_sink           stops it; the caller's EXIT trap should call it
SINK=$(command -v smtp-sink 2>/dev/null || echo /usr/sbin/smtp-sink)
MAIL=$TMP/mail
SINK_PID=

sink_required() {
	if [ ! -x "$SINK" ]; then
		skip "$1 smtp-sink is not installed (deps.sh installs postfix)"
		done_testing
		exit 0
	fi
	chmod 755 "$TMP"		# smtp-sink runs as nobody when we are root
	mkdir -p "$MAIL"
	chmod 777 "$MAIL"
}
free_port() {
	perl -MIO::Socket::INET -e \
	    'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
	    Listen => 1) or die; print $s->sockport, "\n"'
}
listening() {
	perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new("127.0.0.1:$ARGV[0]") ? 0 : 1)' "$1"
}
# A restarted sink listens on the same port, so the configuration stays.
start_sink() {
	[ -n "${PORT:-}" ] || PORT=$(free_port)
	if [ "$(id -u)" = 0 ]; then as="-u nobody"; else as=""; fi
	# shellcheck disable=SC2086
	"$SINK" $as -d "$MAIL/%H%M%S." "127.0.0.1:$PORT" 50 2>"$TMP/sink.err" &
	SINK_PID=$!
	i=0
	while ! listening "$PORT"; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
}
stop_sink() {
	[ -n "$SINK_PID" ] || return 0
	kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; SINK_PID=
}
# How many mails the sink holds; the header block of one of them.
mails() { ls "$MAIL" | wc -l | tr -d ' '; }
head_of() { sed -n '1,/^$/p' "$1"; }
