# Secrets never travel.  A subscription whose connection string carries a
# password, a wrapper, a server and user mappings with password options:
# after every kind of read, diff, script and audit, the secret is in no
# snapshot, objects row, diff row, fix script, error, NOTICE or audit row,
# and not in the server log either.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('secrets');
$node->init;
# log every error with its statement, and every notice: the log must still
# hold no secret (schemadrift's own statements are what is checked)
$node->append_conf('postgresql.conf',
	"log_statement = none\nlog_min_messages = notice\nlog_min_error_statement = error\n");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION schemadrift');
$node->safe_psql('app', q{
CREATE ROLE regress_secret_user;
CREATE PUBLICATION pub_secret FOR ALL TABLES;
CREATE FOREIGN DATA WRAPPER fdw_secret OPTIONS (debug 'true', api_token 'S3cr3t-wrapper-token');
CREATE SERVER srv_secret FOREIGN DATA WRAPPER fdw_secret
	OPTIONS (host 'db.example', password 'S3cr3t-server', "secretKey" 'S3cr3t-key');
CREATE USER MAPPING FOR regress_secret_user SERVER srv_secret
	OPTIONS (user 'reader', password 'S3cr3t-mapping');
CREATE USER MAPPING FOR PUBLIC SERVER srv_secret OPTIONS (password 'S3cr3t-public');
CREATE SUBSCRIPTION sub_secret
	CONNECTION 'host=db.example dbname=app user=rep password=S3cr3t-subscription'
	PUBLICATION pub_secret
	WITH (connect = false, enabled = false, create_slot = false, slot_name = NONE);
CREATE TABLE public.t (id int);
});

my @outputs;
sub run_sql
{
	my ($sql) = @_;
	my ($rc, $out, $err) = $node->psql('app', $sql);
	push @outputs, $out, $err;
	return $out;
}

my $snap = run_sql('SELECT schemadrift_snapshot()');
like($snap, qr/"kind": "subscription"/, 'the subscription is in the snapshot');
like($snap, qr/"kind": "user mapping"/, 'and the user mappings');
run_sql('SELECT schemadrift_snapshot_text()');
run_sql('SELECT * FROM schemadrift_objects()');
run_sql('SELECT schemadrift_create_sql()');
# the subscription, the server and its mappings changed since the snapshot
$node->safe_psql('app', q{
ALTER SUBSCRIPTION sub_secret CONNECTION 'host=db.example dbname=app user=rep password=S3cr3t-rotated';
ALTER SERVER srv_secret OPTIONS (SET password 'S3cr3t-server-new', SET host 'db2.example');
ALTER USER MAPPING FOR PUBLIC SERVER srv_secret OPTIONS (SET password 'S3cr3t-public-new');
DROP USER MAPPING FOR regress_secret_user SERVER srv_secret;
});
my $diff = run_sql("SELECT * FROM schemadrift_diff(source => \$s\$$snap\$s\$::jsonb)");
like($diff, qr/user mapping/, 'the dropped user mapping is found');
like($diff, qr/host=db2\.example/, 'and the changed host');
my $script = run_sql("SELECT schemadrift_sync_sql(source => \$s\$$snap\$s\$::jsonb)");
like($script, qr/-- MANUAL: .*password/, 'the user mapping is a manual step with a placeholder');
run_sql("SELECT schemadrift_report(source => \$s\$$snap\$s\$::jsonb)");
# errors and NOTICEs on the way: a snapshot edited by hand, a wrong option
run_sql("SELECT * FROM schemadrift_diff(source => (\$s\$$snap\$s\$::jsonb - 'fingerprint') || '{\"format_version\": 99}')");
run_sql(q{SELECT * FROM schemadrift_diff(options => '{"bogus": true}')});
my $audit = run_sql('SELECT statement, detail FROM schemadrift_ddl_log');
like($audit, qr/ALTER SUBSCRIPTION/, 'the DDL is in the audit log');

my $all = join("\n", grep { defined } @outputs);
unlike($all, qr/S3cr3t/, 'no secret in any snapshot, objects row, diff row, script, report, error, NOTICE or audit row');
my $log = slurp_file($node->logfile);
my @leaks = grep { /S3cr3t/ } split /\n/, $log;
is(scalar(@leaks), 0, 'and none in the server log')
  or diag(join("\n", @leaks[ 0 .. ($#leaks < 5 ? $#leaks : 5) ]));

done_testing();
