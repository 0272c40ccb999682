#!/usr/bin/perl
# imap-peer.pl -- a small IMAP server for the quirks of servers other than
# Dovecot that CI cannot install: it serves one read-only mailbox from a
# directory and answers like the server it stands for.
#   perl imap-peer.pl [--caps "CAPS"] [--greeting TEXT] [--strict-sets]
#       [--idle-at-done] [--uids-on-select] [--no-uidnext] [--trace FILE]
#       PORTFILE DIR
# Listens on 127.0.0.1 (a free port, written to PORTFILE), one session at
# a time, until SIGTERM.  DIR holds the INBOX: a file N.eml is the message
# of UID N (its lines sent with CRLF), N.flags its flags ("\Answered"),
# and the optional files uidvalidity (default 1) and uidnext (default the
# highest UID + 1); DIR is read again at every EXAMINE, so a test changes
# the mailbox between polls by adding and removing files.  Any LOGIN or
# AUTHENTICATE PLAIN is accepted; other mailboxes do not exist.
# --caps: the CAPABILITY list (default, as GNU Mailutils imap4d 3.15:
# "IMAP4rev1 IDLE LITERAL+ UNSELECT AUTH=PLAIN", so no SASL-IR, CONDSTORE,
# UIDPLUS or MOVE).  --greeting: the text of the greeting after its
# CAPABILITY code (default "imap-peer ready").  --strict-sets: a UID FETCH whose set has an element
# that matches no message (an expunged UID, a range in a gap) is answered
# "BAD UID FETCH Failed to parse message set", as imap4d 3.15 does; RFC
# 3501 wants such UIDs ignored.  --idle-at-done: IDLE is accepted, but
# new mail is only reported in the answer to DONE ("* N EXISTS" before the
# tagged OK), as Cyrus IMAP 3.6 without idled (it looks every imapidlepoll,
# 60 s) and Courier-IMAP 5.0.13 with IMAP_ENHANCEDIDLE=0 (every
# IMAP_IDLE_TIMEOUT, 60 s), the Debian defaults of both; without it IDLE
# is refused.  --uids-on-select: while DIR has no uidvalidity file, every
# EXAMINE gives a new UIDVALIDITY, and SELECT writes the file, as
# Courier-IMAP 5.0.13 does with a Maildir no client has selected yet (it
# writes courierimapuiddb only under SELECT); and files in DIR/new/ (any
# name: a delivery to a Maildir) have no UID yet: each EXAMINE numbers
# them for its session only, in the order of their names, from uidnext,
# and SELECT gives them those UIDs for good (renames them N.eml, writes
# uidnext), as Courier does with mail no client has selected.
# --no-uidnext: EXAMINE and SELECT give no UIDNEXT, as Courier does
# (RFC 3501 wants it).  --trace appends each command line, the LOGIN
# password and the SASL response masked.
use strict;
use warnings;
use Getopt::Long;
use IO::Handle;
use IO::Socket::INET;
use POSIX qw(strftime);

my ($caps, $greeting, $strict, $idle_at_done, $on_select, $no_uidnext, $tracefile) =
    ('IMAP4rev1 IDLE LITERAL+ UNSELECT AUTH=PLAIN', 'imap-peer ready', 0, 0, 0, undef);
GetOptions('caps=s' => \$caps, 'greeting=s' => \$greeting, 'strict-sets' => \$strict,
    'idle-at-done' => \$idle_at_done, 'uids-on-select' => \$on_select,
    'no-uidnext' => \$no_uidnext,
    'trace=s' => \$tracefile)
    or die "usage: imap-peer.pl [options] PORTFILE DIR\n";
my ($portfile, $dir) = @ARGV;
die "usage: imap-peer.pl [options] PORTFILE DIR\n" unless defined $dir;

my $trace;
if (defined $tracefile) {
	open($trace, '>>', $tracefile) or die "$tracefile: $!\n";
	$trace->autoflush(1);
}
sub trace { print $trace "@_\n" if $trace; }

my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5,
    ReuseAddr => 1) or die "listen: $!\n";
open(my $pf, '>', "$portfile.tmp") or die "$portfile: $!\n";
print $pf $srv->sockport, "\n";
close $pf;
rename("$portfile.tmp", $portfile) or die "$portfile: $!\n";
$SIG{TERM} = sub { exit 0 };

# The mailbox: a sorted list of UIDs, and their files.
my (@uids, %file, $validity, $uidnext);
my $fresh = 100;		# --uids-on-select: the last UIDVALIDITY given
sub load {
	my $keep = shift;	# SELECT: new/ gets its UIDs for good
	opendir(my $d, $dir) or die "$dir: $!\n";
	@uids = sort { $a <=> $b } map { /^(\d+)\.eml$/ ? $1 : () } readdir $d;
	closedir $d;
	%file = map { $_ => "$dir/$_.eml" } @uids;
	$validity = slurp("$dir/uidvalidity") // ($on_select ? ++$fresh : 1);
	$uidnext = slurp("$dir/uidnext") // (@uids ? $uids[-1] + 1 : 1);
	chomp($validity, $uidnext);
	return unless $on_select && opendir($d, "$dir/new");
	my @new = sort grep { !/^\./ } readdir $d;
	closedir $d;
	for my $name (@new) {
		my $uid = $uidnext++;
		$file{$uid} = "$dir/new/$name";
		if ($keep) {
			rename("$dir/new/$name", "$dir/$uid.eml") or die "$dir/new/$name: $!\n";
			$file{$uid} = "$dir/$uid.eml";
		}
		push @uids, $uid;
	}
	if ($keep && @new) {
		open(my $n, '>', "$dir/uidnext") or die "$dir/uidnext: $!\n";
		print $n "$uidnext\n";
		close $n;
	}
}
sub slurp {
	my $f = shift;
	open(my $h, '<', $f) or return undef;
	local $/;
	my $s = <$h>;
	return $s;
}
sub message {
	my $s = slurp($file{$_[0]}) // '';
	$s =~ s/\r?\n/\r\n/g;
	return $s;
}
sub flags {
	my $s = slurp("$dir/$_[0].flags") // '';
	$s =~ s/\s+$//;
	return $s;
}

# The UIDs a set names, or undef when strict and an element names none.
sub uid_set {
	my $set = shift;
	my %in;
	my $max = @uids ? $uids[-1] : 0;
	for my $el (split /,/, $set) {
		my ($a, $b) = split /:/, $el;
		$b = $a unless defined $b;
		for ($a, $b) { $_ = $max if $_ eq '*'; }
		($a, $b) = ($b, $a) if $a > $b;
		my @hit = grep { $_ >= $a && $_ <= $b } @uids;
		return undef if $strict && !@hit;
		$in{$_} = 1 for @hit;
	}
	return grep { $in{$_} } @uids;
}

sub seq_of {
	my $uid = shift;
	for my $i (0 .. $#uids) { return $i + 1 if $uids[$i] == $uid; }
	return 0;
}

sub session {
	my $c = shift;
	$c->autoflush(1);
	my ($selected, $rw) = (0, 0);
	print $c "* OK [CAPABILITY $caps] $greeting\r\n";
	while (defined(my $l = <$c>)) {
		$l =~ s/\r?\n$//;
		my ($tag, $cmd, $rest) = split / /, $l, 3;
		$cmd = uc($cmd // '');
		$rest //= '';
		if ($cmd eq 'LOGIN') {
			trace("$tag LOGIN ***");
		} elsif ($cmd eq 'AUTHENTICATE') {
			trace("$tag AUTHENTICATE " . (split / /, $rest)[0] . ($rest =~ / / ? ' ***' : ''));
		} else {
			trace($l);
		}
		if ($cmd eq 'CAPABILITY') {
			print $c "* CAPABILITY $caps\r\n$tag OK CAPABILITY Completed\r\n";
		} elsif ($cmd eq 'LOGIN') {
			print $c "$tag OK LOGIN Completed\r\n";
		} elsif ($cmd eq 'AUTHENTICATE') {
			if ($rest !~ / /) {
				print $c "+ \r\n";
				my $resp = <$c>;
				last unless defined $resp;
			}
			print $c "$tag OK AUTHENTICATE Completed\r\n";
		} elsif ($cmd eq 'EXAMINE' || $cmd eq 'SELECT') {
			(my $name = $rest) =~ s/^"(.*)"$/$1/;
			if (uc $name ne 'INBOX') {
				print $c "$tag NO Couldn't open mailbox\r\n";
				next;
			}
			load($cmd eq 'SELECT');
			if ($on_select && $cmd eq 'SELECT' && !-e "$dir/uidvalidity") {
				open(my $v, '>', "$dir/uidvalidity") or die "$dir/uidvalidity: $!\n";
				print $v "$validity\n";
				close $v;
			}
			($selected, $rw) = (1, $cmd eq 'SELECT');
			printf $c "* %d EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY %s] UID valididty status\r\n",
			    scalar @uids, $validity;
			printf $c "* OK [UIDNEXT %s] Predicted next uid\r\n", $uidnext unless $no_uidnext;
			printf $c "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n" .
			    "%s OK [%s] %s Completed\r\n", $tag,
			    $cmd eq 'SELECT' ? 'READ-WRITE' : 'READ-ONLY', $cmd;
		} elsif ($cmd eq 'UID' && $selected && $rest =~ /^FETCH (\S+) \((.*?)\)/i) {
			my ($set, $items) = ($1, uc $2);
			my @hit = uid_set($set);
			if (@hit == 1 && !defined $hit[0]) {
				print $c "$tag BAD UID FETCH Failed to parse message set\r\n";
				next;
			}
			for my $uid (@hit) {
				my $m = message($uid);
				my @out;
				for my $it (split / /, $items) {
					if ($it eq 'UID') {
						push @out, "UID $uid";
					} elsif ($it eq 'RFC822.SIZE') {
						push @out, 'RFC822.SIZE ' . length $m;
					} elsif ($it eq 'FLAGS') {
						push @out, 'FLAGS (' . flags($uid) . ')';
					} elsif ($it eq 'INTERNALDATE') {
						push @out, strftime('INTERNALDATE "%d-%b-%Y %H:%M:%S +0000"',
						    gmtime((stat $file{$uid})[9]));
					} elsif ($it eq 'BODY.PEEK[]') {
						push @out, 'BODY[] {' . length($m) . "}\r\n$m";
					}
				}
				push @out, "UID $uid" unless $items =~ /\bUID\b/;
				printf $c "* %d FETCH (%s)\r\n", seq_of($uid), join(' ', @out);
			}
			print $c "$tag OK UID FETCH Completed\r\n";
		} elsif ($cmd eq 'UID' && $selected && $rest =~ /^SEARCH .*?\bUID ([\d:,*]+)/i) {
			# imap4d searches leniently: UIDs that do not exist are left out.
			my $save = $strict;
			$strict = 0;
			my @hit = uid_set($1);
			$strict = $save;
			print $c "* SEARCH", (map { " $_" } @hit), "\r\n$tag OK UID SEARCH Completed\r\n";
		} elsif ($cmd eq 'IDLE' && $selected && $idle_at_done) {
			my $before = scalar @uids;
			print $c "+ idling\r\n";
			my $done = <$c>;
			last unless defined $done;
			trace('DONE');
			load($rw);
			printf $c "* %d EXISTS\r\n", scalar @uids if @uids > $before;
			print $c "$tag OK Completed\r\n";
		} elsif ($cmd eq 'NOOP' || $cmd eq 'UNSELECT' || $cmd eq 'CLOSE') {
			print $c "$tag OK $cmd Completed\r\n";
		} elsif ($cmd eq 'LOGOUT') {
			print $c "* BYE Session terminating.\r\n$tag OK LOGOUT Completed\r\n";
			last;
		} else {
			print $c "$tag BAD Invalid command\r\n";
		}
	}
	close $c;
}

while (1) {
	my $c = $srv->accept or next;
	trace('accept');
	session($c);
}
