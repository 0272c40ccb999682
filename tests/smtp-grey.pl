#!/usr/bin/perl
# smtp-grey.pl -- greylisting for the private Postfix of tests/mta-lib.sh,
# as a Postfix policy service (spawn(8) runs it, one request per
# connection; protocol: SMTPD_POLICY_README).  A recipient whose local part
# starts with "grey" is deferred (450) the first time a sender tries it,
# accepted afterwards, which is what greylisting daemons such as postgrey
# do with a zero delay; every other recipient passes untouched.
#   perl smtp-grey.pl STATEFILE
use strict;
use warnings;

my $state = shift @ARGV or die "usage: smtp-grey.pl STATEFILE\n";
$| = 1;
my %attr;
while (defined(my $l = <STDIN>)) {
	$l =~ s/\r?\n$//;
	if ($l ne '') {
		my ($k, $v) = split /=/, $l, 2;
		$attr{$k} = $v // '';
		next;
	}
	my $action = 'DUNNO';
	my $rcpt = lc($attr{recipient} // '');
	if ($rcpt =~ /^grey/) {
		my $triplet = join(' ', $attr{client_address} // '', lc($attr{sender} // ''), $rcpt);
		my %seen;
		if (open(my $f, '<', $state)) {
			chomp(my @l = <$f>);
			%seen = map { $_ => 1 } @l;
			close $f;
		}
		if (!$seen{$triplet}) {
			open(my $f, '>>', $state) or die "$state: $!\n";
			print $f "$triplet\n";
			close $f;
			$action = 'DEFER_IF_PERMIT 4.7.1 Greylisted, try again later';
		}
	}
	print "action=$action\n\n";
	%attr = ();
}
