# smtp-lib.sh -- Postfix's smtp-sink on loopback for the shell tests that
# send mail (t-smtp.sh, t-digest.sh, t-autoreply.sh).  Sourced after
# lib.sh.  smtp-sink -d keeps each mail it receives as a file in $MAIL,
# its header block preceded by what the client said (X-Mail-Args: the
# MAIL FROM argument, X-Rcpt-Args: one per RCPT TO).
#   sink_required NUM   skips the whole script (as case NUM) when smtp-sink
#                       is missing, else readies $MAIL
#   start_sink          starts it on $PORT (a free port, chosen once)
#   stop_sink           stops it; the caller's EXIT trap should call it
#   smtp_certs          certificates for TLS servers in $SMTP_CERTS ($TMP):
#                       ca.pem, a test CA; good.pem, signed by it for
#                       127.0.0.1, ::1 and localhost; wrong.pem, signed by
#                       it for wrong.example; self.pem, self-signed for
#                       127.0.0.1 and localhost; each with its NAME.key
SINK=$(command -v smtp-sink 2>/dev/null || echo /usr/sbin/smtp-sink)
MAIL=$TMP/mail
SINK_PID=
SMTP_CERTS=$TMP

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
smtp_certs() {
	d=$SMTP_CERTS
	cat >"$d/x509.cnf" <<-'EOF'
	[req]
	distinguished_name = dn
	prompt = no
	[dn]
	CN = unused
	[ca]
	basicConstraints = critical, CA:TRUE
	keyUsage = critical, keyCertSign, cRLSign
	subjectKeyIdentifier = hash
	[good]
	basicConstraints = critical, CA:FALSE
	subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
	extendedKeyUsage = serverAuth
	[wrong]
	basicConstraints = critical, CA:FALSE
	subjectAltName = DNS:wrong.example
	extendedKeyUsage = serverAuth
	EOF
	for k in ca good wrong self; do
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -out "$d/$k.key" 2>/dev/null || return 1
	done
	openssl req -new -x509 -config "$d/x509.cnf" -extensions ca -key "$d/ca.key" \
	    -subj "/CN=escalator test CA" -days 2 -out "$d/ca.pem" &&
	openssl req -new -x509 -config "$d/x509.cnf" -extensions good -key "$d/self.key" \
	    -subj "/CN=127.0.0.1" -days 2 -out "$d/self.pem" || return 1
	for c in good wrong; do
		openssl req -new -config "$d/x509.cnf" -key "$d/$c.key" \
		    -subj "/CN=$c.example" -out "$d/$c.csr" &&
		openssl x509 -req -in "$d/$c.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		    -CAcreateserial -days 2 -extfile "$d/x509.cnf" -extensions "$c" \
		    -out "$d/$c.pem" 2>/dev/null || return 1
	done
}
# the Subject of a mail file, unfolded and RFC 2047-decoded, in UTF-8
subject_of() {
	perl -MEncode -0ne 's/\r?\n(?=[ \t])//g; /^Subject: *(.*)$/m and
	    print encode("UTF-8", decode("MIME-Header", $1)), "\n"' "$1"
}
