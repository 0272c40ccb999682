# imap-lib.sh -- a private Dovecot for the IMAP tests and bench/imap:
# its own configuration, certificates, users and Maildirs under $DV (a
# directory in $TMP), listening on 127.0.0.1 only, stopped on exit.
# Sourced after tests/lib.sh (or with TMP set); POSIX sh.
#
# As root (CI), Dovecot's login processes run as dovenull and mail access
# as dovecot (it refuses uid 0 for both), so the files handed to it are
# chowned; as another user everything runs as that user, which Dovecot
# supports when not started as root.
#
#   dv_user USER                    the user (and Maildir) the others work on
#   dv_start [EXTRA-CONF-LINES]     start; sets DV_PORT (imap), DV_PORTS (imaps)
#   dv_stop                         stop and wait for it to be gone
#   dv_kill                         kill -9 the server and its processes
#   dv_restart                      stop, start on the same ports
#   dv_gen MAILBOX COUNT [FIRST [LINES]]  COUNT generated messages into MAILBOX
#   dv_put MAILBOX FILE...          these messages into MAILBOX
#   dv_flag MAILBOX MESSAGE-ID FLAG add FLAG (\Answered, $Resolved) to a message
#   dv_move MAILBOX MESSAGE-ID TO   move a message to another mailbox
#   dv_reset_uidvalidity            forget INBOX's UIDs: a new UIDVALIDITY
#   dv_conf [KEY VALUE...]          writes $TMP/esc.conf for the channel

DV="$TMP/dovecot"
DV_USERS="support@example.com bulk@example.com crash@example.com tls@example.com"
DV_PASS=s3cret-pass
# dv_user NAME: the user the other functions work on (default: support).
dv_user() {
	DV_USER=$1
	DV_MAIL="$DV/mail/$DV_USER"
}
dv_user support@example.com

dv_skip_reason() {
	command -v dovecot >/dev/null 2>&1 || { echo "dovecot not installed (apt-get install dovecot-imapd)"; return; }
	command -v doveadm >/dev/null 2>&1 || { echo "doveadm not installed (apt-get install dovecot-core)"; return; }
	command -v openssl >/dev/null 2>&1 || { echo "openssl not installed"; return; }
	if [ "$(id -u)" -eq 0 ] && ! id dovecot >/dev/null 2>&1; then
		echo "running as root without the dovecot user"; return
	fi
	echo ""
}

# A CA and a server certificate for "localhost" only: the tests connect
# to 127.0.0.1 to prove the host name is checked.
dv_certs() {
	[ -f "$DV/server.crt" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DV/ca.key" -out "$DV/ca.crt" \
	    -days 2 -subj "/CN=escalator test CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout "$DV/server.key" -out "$DV/server.csr" \
	    -subj "/CN=localhost" 2>/dev/null &&
	printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	    > "$DV/ext.cnf" &&
	openssl x509 -req -in "$DV/server.csr" -CA "$DV/ca.crt" -CAkey "$DV/ca.key" \
	    -CAcreateserial -out "$DV/server.crt" -days 2 -extfile "$DV/ext.cnf" 2>/dev/null
}

dv_write_conf() {
	if [ "$(id -u)" -eq 0 ]; then
		login_user=dovenull internal_user=dovecot internal_group=dovecot mail_uid=dovecot
		mail_gid=dovecot
	else
		login_user=$(id -un) internal_user=$(id -un) internal_group=$(id -gn)
		mail_uid=$(id -u) mail_gid=$(id -g)
	fi
	cat > "$DV/dovecot.conf" <<EOF
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$DV/server.crt
ssl_key = <$DV/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $internal_user
default_internal_group = $internal_group
default_login_user = $login_user
first_valid_uid = 0
mail_location = maildir:$DV/mail/%u
mail_fsync = never
# Killed clients leave sessions behind for a moment; the tests kill many.
mail_max_userip_connections = 200
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DV/passwd
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$DV/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $DV_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DV_PORTS
    ssl = yes
  }
}
service anvil {
  chroot =
}
namespace inbox {
  inbox = yes
}
EOF
	[ -n "${DV_EXTRA:-}" ] && printf '%s\n' "$DV_EXTRA" >> "$DV/dovecot.conf"
	return 0
}

# Files the tests write into the Maildirs must be Dovecot's.
dv_own() {
	[ "$(id -u)" -eq 0 ] && chown -R dovecot:dovecot "$DV/mail" "$DV/home"
	return 0
}

dv_start() {
	DV_EXTRA="$*"
	mkdir -p "$DV/mail" "$DV/home" "$DV/run" "$DV/state" || return 1
	# Dovecot's unprivileged processes must reach the files under $TMP.
	chmod 755 "$TMP" "$DV"
	dv_certs || { echo "# cannot make certificates" >&2; return 1; }
	: > "$DV/passwd"
	for u in $DV_USERS; do
		echo "$u:{PLAIN}$DV_PASS" >> "$DV/passwd"
		mkdir -p "$DV/mail/$u/cur" "$DV/mail/$u/new" "$DV/mail/$u/tmp"
	done
	dv_own
	tries=0
	while :; do
		if [ -z "${DV_PORT:-}" ] || [ $tries -gt 0 ]; then
			DV_PORT=$(( 20000 + ($$ * 7 + tries * 131) % 20000 ))
			DV_PORTS=$((DV_PORT + 20000))
		fi
		dv_write_conf
		: > "$DV/dovecot.log"
		if dovecot -c "$DV/dovecot.conf" 2>"$DV/start.err"; then
			if dv_wait_up; then return 0; fi
		fi
		tries=$((tries + 1))
		if [ $tries -ge 5 ] || ! grep -q 'in use' "$DV/dovecot.log" "$DV/start.err" 2>/dev/null; then
			cat "$DV/start.err" "$DV/dovecot.log" >&2
			return 1
		fi
		dv_stop
	done
}

dv_wait_up() {
	dv_i=0
	while [ $dv_i -lt 50 ]; do
		grep -q 'starting up' "$DV/dovecot.log" 2>/dev/null && [ -f "$DV/run/master.pid" ] &&
		    return 0
		grep -q 'Fatal' "$DV/dovecot.log" 2>/dev/null && return 1
		sleep 0.1
		dv_i=$((dv_i + 1))
	done
	return 1
}

dv_stop() {
	[ -f "$DV/run/master.pid" ] || return 0
	dv_pid=$(cat "$DV/run/master.pid")
	kill "$dv_pid" 2>/dev/null
	dv_i=0
	while kill -0 "$dv_pid" 2>/dev/null && [ $dv_i -lt 100 ]; do
		sleep 0.05
		dv_i=$((dv_i + 1))
	done
	kill -9 "$dv_pid" 2>/dev/null
	rm -f "$DV/run/master.pid"
	# Children exit when the master is gone; give them a moment.
	sleep 0.1
	return 0
}

# dv_kill: the server dies at once, mid-command: SIGKILL to the master
# and every process it started.
dv_kill() {
	[ -f "$DV/run/master.pid" ] || return 0
	dv_pid=$(cat "$DV/run/master.pid")
	dv_kids=$(ps -o pid= --ppid "$dv_pid" 2>/dev/null)
	kill -9 "$dv_pid" $dv_kids 2>/dev/null
	rm -f "$DV/run/master.pid"
	sleep 0.1
	return 0
}

dv_restart() {
	dv_stop
	dv_start $DV_EXTRA
}

# The directory of a mailbox in Maildir++ layout.
dv_dir() {
	if [ "$1" = INBOX ]; then echo "$DV_MAIL"; else echo "$DV_MAIL/.$1"; fi
}

dv_mkbox() {
	d=$(dv_dir "$1")
	mkdir -p "$d/cur" "$d/new" "$d/tmp"
	[ "$1" = INBOX ] || : > "$d/maildirfolder"
}

# dv_gen MAILBOX COUNT [FIRST [LINES]]: messages number FIRST.. (default 1),
# each a customer question of LINES lines of details (default 20),
# Message-ID <gen-N@customers.example>.
dv_gen() {
	dv_mkbox "$1"
	d=$(dv_dir "$1")
	awk -v n="$2" -v first="${3:-1}" -v lines="${4:-20}" -v dir="$d/new" \
	    -v stamp="$(date +%s)" 'BEGIN {
		for (i = first; i < first + n; i++) {
			f = sprintf("%s/%d.M%dP1.escalator-test", dir, stamp, i)
			printf("From: Customer %d <customer%d@customers.example>\n", i, i % 997) > f
			printf("To: support@northwind.example.com\n") > f
			printf("Subject: Question number %d\n", i) > f
			printf("Date: Tue, 17 Nov 2026 09:%02d:%02d +0000\n", (i / 60) % 60, i % 60) > f
			printf("Message-ID: <gen-%d@customers.example>\n", i) > f
			printf("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n") > f
			printf("Hello, this is question %d.\nIt needs an answer soon.\n", i) > f
			for (k = 0; k < lines; k++)
				printf("Line %d of the details of the problem with order %d.\n", k, i) > f
			close(f)
		}
	}'
	dv_own
}

# dv_put MAILBOX FILE...: one message per file, in order.
dv_put() {
	box=$1; shift
	dv_mkbox "$box"
	d=$(dv_dir "$box")
	for f in "$@"; do
		dv_seq=$(( ${dv_seq:-0} + 1 ))
		cp "$f" "$d/new/$(date +%s).M${dv_seq}P2.escalator-test"
	done
	dv_own
}

# IMAP commands through doveadm, as the mail user: no network involved.
dv_flag() {
	doveadm -c "$DV/dovecot.conf" flags add -u "$DV_USER" "$3" \
	    mailbox "$1" header Message-ID "$2"
}
dv_move() {
	doveadm -c "$DV/dovecot.conf" mailbox create -u "$DV_USER" "$3" 2>/dev/null
	doveadm -c "$DV/dovecot.conf" move -u "$DV_USER" "$3" mailbox "$1" \
	    header Message-ID "$2"
}
dv_uidvalidity() {
	doveadm -c "$DV/dovecot.conf" mailbox status -u "$DV_USER" uidvalidity "$1" |
	    sed 's/.*uidvalidity=//'
}

# A recreated INBOX: Dovecot forgets the UIDs it gave and hands out new
# ones under a new UIDVALIDITY (the counter file stays, so it differs).
dv_reset_uidvalidity() {
	dv_stop
	rm -f "$DV_MAIL/dovecot-uidlist" "$DV_MAIL"/dovecot.index*
	dv_start $DV_EXTRA
}

# dv_conf [KEY VALUE...]: the test channel "support" on plaintext IMAP
# (loopback), extra keys appended inside the block.
dv_conf() {
	printf '%s\n' "$DV_PASS" > "$TMP/pass"
	chmod 600 "$TMP/pass"
	{
		echo "channel support imap {"
		echo "  url \"imap://127.0.0.1:$DV_PORT/INBOX\""
		echo "  user \"$DV_USER\""
		echo "  password-file \"$TMP/pass\""
		echo "  tls none"
		while [ $# -ge 2 ]; do echo "  $1 $2"; shift 2; done
		echo "}"
	} > "$TMP/esc.conf"
}
