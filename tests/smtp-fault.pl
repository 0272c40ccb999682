#!/usr/bin/perl
# smtp-fault.pl -- a small SMTP server for fault tests that smtp-sink
# cannot express: it refuses some recipients and not others, and it
# speaks TLS (implicit or STARTTLS) with a certificate of the test's.
#   perl smtp-fault.pl [--tls implicit|starttls] [--cert PEM --key PEM]
#       [--trace FILE] [--greet-delay SECONDS] [--drop-in-data] [--no-ehlo]
#       [--auth-refuse] [--exim-max-per-conn N] [--smtpd-max-mails N]
#       [--smtpd-size N] PORTFILE DUMPDIR
# Listens on 127.0.0.1 (a free port, written to PORTFILE), one session at
# a time.  RCPT TO:<perm...> gets 550 always; <temp...> gets 450 the first
# time that address is tried, 250 afterwards; anything else 250.  Each
# accepted message goes to DUMPDIR/N.eml: "X-Rcpt: addr" lines, "X-TLS:"
# with the TLS version the message came over ("none" in clear text), a
# blank line, then the data as received.  AUTH PLAIN is offered and any
# credentials accepted.  --tls implicit: TLS from the first byte;
# --tls starttls: STARTTLS offered (in clear text only); neither: no TLS.
# --trace appends one line per event: "accept", "tls VERSION", "tls-failed
# REASON", and each command's verb as "plain VERB" or "tls VERB", so a
# test can tell what was said before TLS.  --greet-delay: wait that long
# before the greeting, as a loaded or tarpitting server does;
# --drop-in-data: hang up in the middle of the first message's data of
# each connection, after reading a line of it ("drop" in the trace);
# --no-ehlo: EHLO refused with 502, HELO taken, as an old or stripped-down
# server does (the client then falls back to HELO).
# Options that answer as another MTA does, each with its words:
# --auth-refuse: every AUTH gets "535 Incorrect authentication data", as
# Exim 4.96's plaintext authenticator says to a wrong password;
# --exim-max-per-conn N: after N messages on a connection the next MAIL
# FROM gets "421 too many messages in this connection" and the connection
# closes, as Exim 4.96 does at smtp_accept_max_per_connection (1000 by
# default); --smtpd-max-mails N: the next MAIL FROM gets "452 4.5.3 Too
# many recipients: Too many messages sent" and the session stays, as
# OpenSMTPD 6.8.0p2 does at "smtp limit max-mails" (100 by default);
# --smtpd-size N: SIZE N offered, a larger SIZE= at MAIL FROM taken all
# the same and the message refused after its data with "554 5.3.4
# Message too big for system", as OpenSMTPD 6.8.0p2 does at
# "smtp max-message-size".
# Stops on SIGTERM.  TLS needs
# IO::Socket::SSL (Debian: libio-socket-ssl-perl), loaded only then.
use strict;
use warnings;
use Getopt::Long;
use IO::Handle;
use IO::Socket::INET;

my ($tls, $cert, $key, $tracefile) = ('', undef, undef, undef);
my ($greet_delay, $drop, $no_ehlo, $auth_refuse) = (0, 0, 0, 0);
my ($exim_max, $smtpd_max, $smtpd_size) = (0, 0, 0);
GetOptions('tls=s' => \$tls, 'cert=s' => \$cert, 'key=s' => \$key,
    'trace=s' => \$tracefile, 'greet-delay=i' => \$greet_delay,
    'drop-in-data' => \$drop, 'no-ehlo' => \$no_ehlo, 'auth-refuse' => \$auth_refuse,
    'exim-max-per-conn=i' => \$exim_max, 'smtpd-max-mails=i' => \$smtpd_max,
    'smtpd-size=i' => \$smtpd_size) or die "usage: smtp-fault.pl [options] PORTFILE DUMPDIR\n";
die "--tls is implicit or starttls\n" if $tls ne '' && $tls !~ /^(implicit|starttls)$/;
die "--tls needs --cert and --key\n" if $tls ne '' && !(defined $cert && defined $key);
require IO::Socket::SSL if $tls ne '';
my ($portfile, $dir) = @ARGV;
die "usage: smtp-fault.pl [options] PORTFILE DUMPDIR\n" unless defined $dir;

my $trace;
if (defined $tracefile) {
	open($trace, '>>', $tracefile) or die "$tracefile: $!\n";
	$trace->autoflush(1);
}
sub trace { print $trace "@_\n" if $trace; }

my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 5, ReuseAddr => 1, Proto => 'tcp') or die "listen: $!\n";
open(my $pf, '>', "$portfile.tmp") or die "$portfile: $!\n";
print $pf $srv->sockport, "\n";
close $pf;
rename("$portfile.tmp", $portfile) or die "rename: $!\n";
$SIG{TERM} = sub { exit 0 };
$SIG{PIPE} = 'IGNORE';	# a client that hangs up ends its session, not us

# TLS on an accepted socket, as the server; false (and traced) on failure,
# e.g. when the client refuses our certificate.
sub tls_start {
	my ($c) = @_;
	if (!IO::Socket::SSL->start_SSL($c, SSL_server => 1, SSL_cert_file => $cert,
	    SSL_key_file => $key, Timeout => 10)) {
		no warnings 'once';
		my $why = $IO::Socket::SSL::SSL_ERROR || 'handshake failed';
		$why =~ s/\s+/ /g;
		trace("tls-failed $why");
		return 0;
	}
	trace("tls " . $c->get_sslversion);
	return 1;
}

my %tried;
my $n = 0;
while (my $c = $srv->accept) {
	$c->autoflush(1);
	trace("accept");
	if ($tls eq 'implicit' && !tls_start($c)) {
		close $c;
		next;
	}
	my $secure = $tls eq 'implicit';
	sleep $greet_delay if $greet_delay;
	print $c "220 fault ESMTP\r\n";
	my @rcpt;
	my $mails = 0;		# messages taken on this connection
	while (defined(my $l = <$c>)) {
		$l =~ s/\r?\n$//;
		my ($verb) = $l =~ /^(\S*)/;
		trace(($secure ? 'tls ' : 'plain ') . uc $verb);
		if ($l =~ /^EHLO/i && $no_ehlo) {
			print $c "502 5.5.2 EHLO not implemented\r\n";
		} elsif ($l =~ /^HELO/i && $no_ehlo) {
			print $c "250 fault\r\n";
		} elsif ($l =~ /^(EHLO|HELO)/i) {
			print $c "250-fault\r\n";
			print $c "250-STARTTLS\r\n" if $tls eq 'starttls' && !$secure;
			print $c "250-SIZE $smtpd_size\r\n" if $smtpd_size;
			print $c "250-AUTH PLAIN\r\n250 8BITMIME\r\n";
		} elsif ($l =~ /^STARTTLS/i && $tls eq 'starttls' && !$secure) {
			print $c "220 2.0.0 ready to start TLS\r\n";
			last unless tls_start($c);
			$secure = 1;
			@rcpt = ();	# RFC 3207: the session starts over
		} elsif ($l =~ /^AUTH PLAIN(\s+\S+)?$/i) {
			if (!defined $1) {
				print $c "334 \r\n";
				last unless defined(my $resp = <$c>);
			}
			print $c $auth_refuse ? "535 Incorrect authentication data\r\n" :
			    "235 2.7.0 authenticated\r\n";
		} elsif ($l =~ /^MAIL FROM:/i && $exim_max && $mails >= $exim_max) {
			print $c "421 too many messages in this connection\r\n";
			trace("limit");
			last;
		} elsif ($l =~ /^MAIL FROM:/i && $smtpd_max && $mails >= $smtpd_max) {
			print $c "452 4.5.3 Too many recipients: Too many messages sent\r\n";
			trace("limit");
		} elsif ($l =~ /^MAIL FROM:/i) {
			@rcpt = ();
			print $c "250 2.1.0 ok\r\n";
		} elsif ($l =~ /^RCPT TO:<([^>]*)>/i) {
			my $a = $1;
			if ($a =~ /^perm/) {
				print $c "550 5.1.1 <$a>: no such user\r\n";
			} elsif ($a =~ /^temp/ && !$tried{$a}++) {
				print $c "450 4.2.0 <$a>: try again later\r\n";
			} else {
				push @rcpt, $a;
				print $c "250 2.1.5 ok\r\n";
			}
		} elsif ($l =~ /^DATA/i) {
			if (!@rcpt) { print $c "554 5.5.1 no valid recipients\r\n"; next; }
			print $c "354 go ahead\r\n";
			if ($drop) {
				my $d = <$c>;
				trace("drop");
				last;
			}
			my $data = '';
			while (defined(my $d = <$c>)) {
				last if $d =~ /^\.\r?\n$/;
				$data .= $d;
			}
			if ($smtpd_size && length($data) > $smtpd_size) {
				print $c "554 5.3.4 Message too big for system\r\n";
				next;
			}
			$n++;
			$mails++;
			open(my $f, '>', "$dir/$n.eml") or die "$dir/$n.eml: $!\n";
			print $f "X-Rcpt: $_\n" for @rcpt;
			print $f "X-TLS: ", ($secure ? $c->get_sslversion : 'none'), "\n";
			print $f "\n", $data;
			close $f;
			print $c "250 2.0.0 queued as $n\r\n";
		} elsif ($l =~ /^QUIT/i) {
			print $c "221 2.0.0 bye\r\n";
			last;
		} else {
			print $c "250 ok\r\n";
		}
	}
	close $c;
}
