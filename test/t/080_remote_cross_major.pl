#
# 080_remote_cross_major.pl: a remote side on another major version of
# PostgreSQL.  The same DDL (test/fixtures/app_schema.sql) is loaded in a
# cluster of the major this extension was built for and in a cluster of
# another major, which has no schemadrift; the local cluster reads the other
# through a foreign server.  Every difference must be marked as version
# noise, and the remote's fingerprint must be the one its snapshot records.
#
# The other major is the PostgreSQL installed under $SD_OTHER_INSTALL (its
# bin/ holds initdb, pg_ctl, postgres), for example a build of 18:
#   SD_OTHER_INSTALL=/work/pgbuild/18 SD_SUITES=tap \
#       PROVE_TESTS=test/t/080_remote_cross_major.pl test/quickstart.sh test
# Without it the test is skipped: CI has one major (Debian 12 serves 15).
#
use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $other_install = $ENV{SD_OTHER_INSTALL};
plan skip_all => 'no other major given (set SD_OTHER_INSTALL to its installation prefix)'
  unless defined $other_install && -x "$other_install/bin/postgres";

my $fixtures = dirname(__FILE__) . '/../fixtures';

my $local = PostgreSQL::Test::Cluster->new('local');
$local->init;
$local->start;
my $other = PostgreSQL::Test::Cluster->new('other', install_path => $other_install);
$other->init;
$other->start;

my $local_major = $local->safe_psql('postgres', "SELECT current_setting('server_version_num')::int / 10000");
my $other_major = $other->safe_psql('postgres', "SELECT current_setting('server_version_num')::int / 10000");
isnt($other_major, $local_major, "the other cluster runs another major ($other_major, here $local_major)");

for my $node ($local, $other)
{
	$node->safe_psql('postgres', 'CREATE DATABASE app');
	$node->command_ok(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
		  '-d', $node->connstr('app'), '-f', "$fixtures/app_schema.sql" ],
		'app_schema.sql loads on PostgreSQL ' . ($node == $local ? $local_major : $other_major));
}

my $host = $other->host;
my $port = $other->port;
$local->safe_psql('app', qq{
CREATE EXTENSION schemadrift;
CREATE EXTENSION postgres_fdw;
CREATE SERVER other FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$host', port '$port', dbname 'app');
CREATE USER MAPPING FOR CURRENT_USER SERVER other;
});
# (this side's own postgres_fdw, server and user mapping are not the other's)
my $opts = q{'{"include_schemas": ["app", "billing", "reporting", "audit"], "ignore": ["owner"], "exclude": ["postgres_fdw", "other", "% on server other"]}'};

# every difference is marked as version noise
my ($ret, $out, $err) = $local->psql('app', qq{
SELECT count(*), count(*) FILTER (WHERE note IS NULL OR note NOT LIKE 'may be version noise%')
FROM schemadrift_diff('other', options => $opts)});
is($ret, 0, 'the diff with a remote of another major runs');
my ($rows, $unmarked) = split /\|/, $out;
is($unmarked, '0', "none of its $rows rows is left unmarked as version noise");
like($err, qr/comparing a schema read on PostgreSQL $local_major with one read on PostgreSQL $other_major/,
	'a NOTICE names both majors');
diag("PostgreSQL $local_major against $other_major: $rows rows, all marked as version noise")
  if $unmarked eq '0';
diag("not marked: $_") for split /\n/, $local->safe_psql('app', qq{
SELECT kind || ' ' || identity || ' ' || attribute || ': ' || coalesce(source_value, '-') || ' | ' || coalesce(target_value, '-')
FROM schemadrift_diff('other', options => $opts)
WHERE note IS NULL OR note NOT LIKE 'may be version noise%'});

# the remote's fingerprint (from its schema hashes) is its snapshot's
is($local->safe_psql('app', qq{
SELECT schemadrift_fingerprint($opts, server => 'other') = schemadrift_snapshot($opts, server => 'other')->>'fingerprint'}),
	't', 'the remote fingerprint equals the fingerprint its full snapshot records');

$local->stop;
$other->stop;
done_testing();
