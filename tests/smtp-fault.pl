#!/usr/bin/perl
# smtp-fault.pl -- a small SMTP server for fault tests that smtp-sink
# cannot express: it refuses some recipients and not others.
#   perl smtp-fault.pl PORTFILE DUMPDIR
# Listens on 127.0.0.1 (a free port, written to PORTFILE), one session at
# a time.  RCPT TO:<perm...> gets 550 always; <temp...> gets 450 the first
# time that address is tried, 250 afterwards; anything else 250.  Each
# accepted message goes to DUMPDIR/N.eml: "X-Rcpt: addr" lines, a blank
# line, then the data as received.  Stops on SIGTERM.
use strict;
use warnings;
use IO::Socket::INET;

my ($portfile, $dir) = @ARGV;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 5, ReuseAddr => 1, Proto => 'tcp') or die "listen: $!\n";
open(my $pf, '>', "$portfile.tmp") or die "$portfile: $!\n";
print $pf $srv->sockport, "\n";
close $pf;
rename("$portfile.tmp", $portfile) or die "rename: $!\n";
$SIG{TERM} = sub { exit 0 };
my %tried;
my $n = 0;
while (my $c = $srv->accept) {
	$c->autoflush(1);
	print $c "220 fault ESMTP\r\n";
	my @rcpt;
	while (defined(my $l = <$c>)) {
		$l =~ s/\r?\n$//;
		if ($l =~ /^(EHLO|HELO)/i) {
			print $c "250-fault\r\n250 8BITMIME\r\n";
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
			my $data = '';
			while (defined(my $d = <$c>)) {
				last if $d =~ /^\.\r?\n$/;
				$data .= $d;
			}
			$n++;
			open(my $f, '>', "$dir/$n.eml") or die "$dir/$n.eml: $!\n";
			print $f "X-Rcpt: $_\n" for @rcpt;
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
