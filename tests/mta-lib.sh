# mta-lib.sh -- a whole private Postfix on loopback for t-mta.sh: its own
# configuration, queue and Maildirs under $PF (in $TMP), listening on
# unprivileged ports of 127.0.0.1 and ::1 only, delivering to Maildirs
# with virtual(8) and relaying nothing.  Authentication goes through the
# private Dovecot of imap-lib.sh (its SASL socket).  Sourced after
# lib.sh, smtp-lib.sh (free_port, listening, smtp_certs) and imap-lib.sh.
#
# Each service is one port with its own behaviour (-o in master.cf) and
# its own name in $PF/maillog (postfix/NAME/smtpd):
#   PF_PORT       STARTTLS with the test CA's certificate; AUTH PLAIN and
#                 LOGIN after STARTTLS; SIZE, 8BITMIME, SMTPUTF8 and
#                 PIPELINING offered; 127.0.0.1 and [::1]; recipients
#                 grey* greylisted once (smtp-grey.pl); unknown users 550
#   PF_PORT_AUTH  as PF_PORT, but mail only from an authenticated client
#   PF_PORT_LOGIN as PF_PORT_AUTH, offering AUTH LOGIN only
#   PF_PORT_SELF  STARTTLS with a self-signed certificate
#   PF_PORT_CLEAR no STARTTLS at all
#   PF_PORT_SMTPS TLS from the first byte (wrapper mode)
#   PF_PORT_ONE   one recipient per message (452 for the next)
#   PF_PORT_SMALL messages of at most 2000 bytes (SIZE)
#   PF_PORT_BUSY  421 at the greeting (one connection an hour per client,
#                 spent by pf_start)
#   pf_skip_reason      why Postfix cannot run here ("" if it can)
#   pf_start USER...    starts it; USER@example.com have Maildirs
#   pf_stop             stops it
#   pf_wait N           waits until N mails are delivered, the queue empty
#   pf_mails            the delivered mail files, one a line
PF="$TMP/postfix"
PF_SERVICES="PORT PORT_AUTH PORT_LOGIN PORT_SELF PORT_CLEAR PORT_SMTPS PORT_ONE PORT_SMALL PORT_BUSY"

pf_skip_reason() {
	command -v postfix >/dev/null 2>&1 || { echo "postfix is not installed (deps.sh installs it)"; return; }
	[ "$(id -u)" -eq 0 ] || { echo "a private Postfix needs root (its master runs as root)"; return; }
	id postfix >/dev/null 2>&1 || { echo "no postfix user"; return; }
	postconf -a 2>/dev/null | grep -qx dovecot || { echo "postfix without Dovecot SASL"; return; }
	echo ""
}

pf_write_conf() {
	nobody_uid=$(id -u nobody) nobody_gid=$(id -g nobody)
	cat >"$PF/conf/main.cf" <<-EOF
	compatibility_level = 3.6
	queue_directory = $PF/spool
	data_directory = $PF/data
	mail_owner = postfix
	setgid_group = postdrop
	maillog_file_prefixes = $PF
	maillog_file = $PF/maillog
	myhostname = mta.escalator.test
	mydomain = escalator.test
	inet_interfaces = 127.0.0.1, [::1]
	inet_protocols = all
	mydestination =
	mynetworks = 127.0.0.0/8 [::1]/128
	relayhost =
	default_transport = error:5.7.1 no mail leaves the test
	notify_classes =
	bounce_notice_recipient = postmaster@example.com
	virtual_mailbox_domains = example.com
	virtual_mailbox_base = $PF/vmail
	virtual_mailbox_maps = texthash:$PF/conf/vmailbox
	virtual_uid_maps = static:$nobody_uid
	virtual_gid_maps = static:$nobody_gid
	message_size_limit = 10240000
	smtputf8_enable = yes
	smtpd_tls_security_level = may
	smtpd_tls_cert_file = $PF/good.pem
	smtpd_tls_key_file = $PF/good.key
	smtpd_tls_auth_only = yes
	smtpd_sasl_auth_enable = yes
	smtpd_sasl_type = dovecot
	smtpd_sasl_path = $DV/pf-auth
	broken_sasl_auth_clients = no
	smtpd_recipient_restrictions = check_policy_service unix:private/grey,
	    permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
	smtpd_tls_received_header = yes
	smtpd_tls_loglevel = 1
	# PF_PORT_BUSY: the connection pf_start makes to see it listen is
	# the one of the hour; every later one gets 421 at the greeting.
	smtpd_client_event_limit_exceptions =
	anvil_rate_time_unit = 3600s
	EOF
	# l ADDRESS NAME [OPTIONS...]: a listener, logging as postfix/NAME
	l() {
		pf_addr=$1 pf_name=$2; shift 2
		printf '%s inet n - n - - smtpd -o syslog_name=postfix/%s%s\n' \
		    "$pf_addr" "$pf_name" "$*"
	}
	{
		l "127.0.0.1:$PF_PORT" main
		l "[::1]:$PF_PORT" main
		l "127.0.0.1:$PF_PORT_AUTH" auth \
		    " -o mynetworks= -o smtpd_client_restrictions=permit_sasl_authenticated,reject"
		l "127.0.0.1:$PF_PORT_LOGIN" login \
		    " -o mynetworks= -o smtpd_client_restrictions=permit_sasl_authenticated,reject" \
		    " -o smtpd_sasl_mechanism_filter=login"
		l "127.0.0.1:$PF_PORT_SELF" self \
		    " -o smtpd_tls_cert_file=$PF/self.pem -o smtpd_tls_key_file=$PF/self.key"
		l "127.0.0.1:$PF_PORT_CLEAR" clear " -o smtpd_tls_security_level=none"
		l "127.0.0.1:$PF_PORT_SMTPS" smtps " -o smtpd_tls_wrappermode=yes"
		l "127.0.0.1:$PF_PORT_ONE" one " -o smtpd_recipient_limit=1"
		l "127.0.0.1:$PF_PORT_SMALL" small " -o message_size_limit=2000"
		l "127.0.0.1:$PF_PORT_BUSY" busy " -o smtpd_client_connection_rate_limit=1"
		cat <<-EOF
		grey unix - n n - 0 spawn user=nobody argv=/usr/bin/perl $PF/smtp-grey.pl $PF/grey/seen
		pickup unix n - n 60 1 pickup
		cleanup unix n - n - 0 cleanup
		qmgr unix n - n 300 1 qmgr
		tlsmgr unix - - n 1000? 1 tlsmgr
		rewrite unix - - n - - trivial-rewrite
		bounce unix - - n - 0 bounce
		defer unix - - n - 0 bounce
		trace unix - - n - 0 bounce
		verify unix - - n - 1 verify
		flush unix n - n 1000? 0 flush
		proxymap unix - - n - - proxymap
		smtp unix - - n - - smtp
		showq unix n - n - - showq
		error unix - - n - - error
		retry unix - - n - - error
		discard unix - - n - - discard
		virtual unix - n n - - virtual
		anvil unix - - n - 1 anvil
		scache unix - - n - 1 scache
		postlog unix-dgram n - n - 1 postlogd
		EOF
	} >"$PF/conf/master.cf"
}

pf_start() {
	mkdir -p "$PF/conf" "$PF/spool" "$PF/data" "$PF/vmail" "$PF/grey" || return 1
	# A copy the spawned policy service (run as nobody, in the queue
	# directory) can reach: $top_srcdir may be relative (make distcheck)
	# or under a home directory nobody cannot enter.
	cp "$top_srcdir/tests/smtp-grey.pl" "$PF/smtp-grey.pl" && chmod 644 "$PF/smtp-grey.pl" ||
	    return 1
	chmod 755 "$TMP" "$PF"
	chown postfix "$PF/data" && chown nobody "$PF/vmail" "$PF/grey" || return 1
	: >"$PF/conf/vmailbox"
	for u in "$@"; do echo "$u@example.com $u/" >>"$PF/conf/vmailbox"; done
	for c in good self; do
		cp "$SMTP_CERTS/$c.pem" "$SMTP_CERTS/$c.key" "$PF/" || return 1
	done
	for s in $PF_SERVICES; do
		eval "[ -n \"\${PF_$s:-}\" ] || PF_$s=\$(free_port)"
	done
	pf_write_conf
	postfix -c "$PF/conf" start >"$PF/start.err" 2>&1 || { cat "$PF/start.err" "$PF/maillog" >&2; return 1; }
	i=0
	while ! listening "$PF_PORT_BUSY"; do
		i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.1
	done
}

pf_stop() {
	[ -f "$PF/conf/main.cf" ] || return 0
	postfix -c "$PF/conf" stop >/dev/null 2>&1
	rm -f "$PF/conf/main.cf"
}

pf_mails() { find "$PF/vmail" -type f -path '*/new/*' 2>/dev/null | sort; }

# Delivery is asynchronous: wait until N mails sit in the Maildirs and
# the queue is empty (at most about 20 seconds).
pf_wait() {
	i=0
	while [ "$(pf_mails | wc -l)" -lt "$1" ] ||
	    [ -n "$(find "$PF/spool/incoming" "$PF/spool/active" -type f 2>/dev/null)" ]; do
		i=$((i + 1)); [ $i -lt 200 ] || return 1; sleep 0.1
	done
}
