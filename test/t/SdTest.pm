# SdTest.pm — helpers the TAP tests share.
package SdTest;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Utils;

our @EXPORT = qw(require_password);

# require_password($node, $role, @lines)
#		Before the node's own pg_hba.conf lines (so before it starts): $role
#		logs in with its password (scram-sha-256) over the socket and
#		loopback TCP; then @lines, if any.
sub require_password
{
	my ($node, $role, @lines) = @_;
	my $file = $node->data_dir . '/pg_hba.conf';
	my $hba = slurp_file($file);

	open(my $fh, '>', $file) or die "$file: $!";
	print $fh "local all $role scram-sha-256\n",
	  "host all $role 127.0.0.1/32 scram-sha-256\n",
	  map({ "$_\n" } @lines), $hba;
	close($fh);
	return;
}

1;
